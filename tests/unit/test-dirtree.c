/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dirtree's resolution beneath a directory fd, the template copy, and dirnodes' table. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirnodes.h"
#include "dirtree.h"
#include "unit.h"

static char base[64];

static int setup(void **state)
{
	(void)state;
	(void)snprintf(base, sizeof(base), "/tmp/rcfs-unit-dirtree.XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	int fd = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);

	(void)state;
	(void)dirtree_remove(fd, base + strlen("/tmp/"));
	(void)close(fd);
	return 0;
}

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", base, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(dirtree_name_ok("resolv.conf"));
	assert_true(dirtree_name_ok("...")); /* a name, not a path step */
	assert_false(dirtree_name_ok(""));
	assert_false(dirtree_name_ok("."));
	assert_false(dirtree_name_ok(".."));
	assert_false(dirtree_name_ok("a/b"));
}

static void test_beneath(void **state)
{
	char path[256];
	int dir, fd;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/tree", base);
	assert_int_equal(mkdir(path, 0755), 0);
	put("outside", "x");
	put("tree/inside", "y");
	(void)snprintf(path, sizeof(path), "%s/tree/up", base);
	assert_int_equal(symlink("../outside", path), 0);
	(void)snprintf(path, sizeof(path), "%s/tree", base);
	dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dir >= 0);

	fd = dirtree_open_beneath(dir, "inside", O_RDONLY, 0);
	assert_true(fd >= 0);
	(void)close(fd);
	assert_int_equal(dirtree_open_beneath(dir, "../outside", O_RDONLY, 0), -EXDEV);
	assert_int_equal(dirtree_open_beneath(dir, "/etc/passwd", O_RDONLY, 0), -EXDEV);
	assert_int_equal(dirtree_open_beneath(dir, "up", O_RDONLY, 0), -ELOOP);
	/* O_PATH | O_NOFOLLOW: the symlink itself, to be served as a symlink */
	fd = dirtree_open_beneath(dir, "up", O_PATH | O_NOFOLLOW, 0);
	assert_true(fd >= 0);
	(void)close(fd);
	(void)close(dir);
}

static void test_copy_and_remove(void **state)
{
	char path[256], buf[16];
	int from, to, parent, fd;
	struct stat st;
	ssize_t n;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/tpl", base);
	assert_int_equal(mkdir(path, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/tpl/sub", base);
	assert_int_equal(mkdir(path, 0750), 0);
	put("tpl/sub/f", "deep\n");
	(void)snprintf(path, sizeof(path), "%s/tpl/l", base);
	assert_int_equal(symlink("sub/f", path), 0);
	(void)snprintf(path, sizeof(path), "%s/tpl/fifo", base);
	assert_int_equal(mkfifo(path, 0644), 0);
	(void)snprintf(path, sizeof(path), "%s/copy", base);
	assert_int_equal(mkdir(path, 0700), 0);

	(void)snprintf(path, sizeof(path), "%s/tpl", base);
	from = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	(void)snprintf(path, sizeof(path), "%s/copy", base);
	to = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(dirtree_copy(from, to), 0);
	fd = dirtree_open_beneath(to, "sub/f", O_RDONLY, 0);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	assert_int_equal(n, 5);
	(void)close(fd);
	assert_int_equal(fstatat(to, "sub", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(fstatat(to, "l", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(fstatat(to, "fifo", &st, AT_SYMLINK_NOFOLLOW), -1); /* left out */

	parent = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(dirtree_remove(parent, "copy"), 0);
	assert_int_equal(fstatat(parent, "copy", &st, 0), -1);
	(void)close(parent);
	(void)close(from);
	(void)close(to);
}

static void test_nodes(void **state)
{
	struct dirtree_id tree = { DIRTREE_OWN, 1, 2 };
	struct rcfs_dirnodes t;
	struct rcfs_dirnode *a, *b, *c;
	struct stat st;
	int fd;

	(void)state;
	assert_int_equal(dirnodes_init(&t), 0);
	fd = open(base, O_PATH | O_CLOEXEC);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(dirnodes_ref(&t, fd, &st, &tree, &a), 0);
	assert_int_equal(dirnodes_ref(&t, open(base, O_PATH | O_CLOEXEC), &st, &tree, &b), 0);
	assert_ptr_equal(a, b); /* one node per object */
	assert_int_equal(dirnodes_count(&t), 1);
	dirnodes_unref(&t, a, 1);
	assert_int_equal(dirnodes_count(&t), 1); /* one lookup left */
	dirnodes_unref(&t, a, 1);
	assert_int_equal(dirnodes_count(&t), 0);
	assert_int_equal(dirnodes_ref(&t, open(base, O_PATH | O_CLOEXEC), &st, &tree, &c), 0);
	assert_true(c->generation > 1); /* a new node: a new generation, whatever its address */
	/* Many objects: the table grows and keeps finding each. */
	for (ino_t i = 1; i <= 3000; i++) {
		struct stat fake = st;
		struct rcfs_dirnode *n;

		fake.st_ino = st.st_ino + i;
		assert_int_equal(dirnodes_ref(&t, open("/", O_PATH | O_CLOEXEC), &fake, &tree, &n),
				 0);
	}
	assert_int_equal(dirnodes_count(&t), 3001);
	assert_int_equal(dirnodes_ref(&t, open(base, O_PATH | O_CLOEXEC), &st, &tree, &a), 0);
	assert_ptr_equal(a, c);
	dirnodes_done(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_beneath),
		cmocka_unit_test(test_copy_and_remove),
		cmocka_unit_test(test_nodes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
