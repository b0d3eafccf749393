/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backing.h"
#include "unit.h"

struct fixture {
	char dir[64];
	char tmpl_path[96];
	struct rcfs_config cfg;
	struct rcfs_ctx ctx;
};

static void write_file(const char *dir, const char *name, const char *content)
{
	char path[256];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static char *read_fd(int fd)
{
	static char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/rcfs-unit-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	(void)snprintf(f->tmpl_path, sizeof(f->tmpl_path), "%s.tmpl", f->dir);
	write_file("/", f->tmpl_path, "nameserver 192.0.2.1\n");
	f->cfg = (struct rcfs_config){ .backing_dir = f->dir, .extension = "conf" };
	f->ctx = (struct rcfs_ctx){
		.cfg = &f->cfg,
		.key_kind = KEY_NET,
		.backing_dir_fd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC),
		.template_fd = -1,
		.underlying_fd = -1,
		.procfs_fd = -1,
	};
	assert_true(f->ctx.backing_dir_fd >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	(void)close(f->ctx.backing_dir_fd);
	if (f->ctx.template_fd >= 0)
		(void)close(f->ctx.template_fd);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", f->dir, f->tmpl_path);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void use_template(struct fixture *f)
{
	f->ctx.template_fd = open(f->tmpl_path, O_RDONLY | O_CLOEXEC);
	assert_true(f->ctx.template_fd >= 0);
}

static void test_name(void **state)
{
	char buf[NAME_MAX + 1];

	(void)state;
	assert_int_equal(backing_name(4026531833ULL, "conf", buf, sizeof(buf)), 15);
	assert_string_equal(buf, "4026531833.conf");
	assert_int_equal(backing_name(12, "", buf, sizeof(buf)), 2);
	assert_string_equal(buf, "12");
	assert_int_equal(backing_name(UINT64_MAX, "x", buf, sizeof(buf)), 22);
	assert_string_equal(buf, "18446744073709551615.x");
	assert_int_equal(backing_name(12, "conf", buf, 7), -ENAMETOOLONG);
}

static void test_own_file_read_and_missing(void **state)
{
	struct fixture *f = *state;
	struct rcfs_key key = { KEY_NET, 1001, 0 };
	enum rcfs_source source;
	struct rcfs_served s;
	struct stat st;

	assert_int_equal(backing_open(&f->ctx, &key, O_RDONLY, NULL, &s, NULL, 0), -ENOENT);
	assert_int_equal(backing_stat(&f->ctx, &key, &st, &source, NULL, 0), -ENOENT);
	write_file(f->dir, "1001.conf", "own\n");
	assert_int_equal(backing_open(&f->ctx, &key, O_RDONLY, NULL, &s, NULL, 0), 0);
	assert_int_equal(s.source, RCFS_SOURCE_OWN);
	assert_string_equal(read_fd(s.fd), "own\n");
	(void)close(s.fd);
	assert_int_equal(backing_stat(&f->ctx, &key, &st, &source, NULL, 0), 0);
	assert_int_equal(source, RCFS_SOURCE_OWN);
	assert_int_equal(st.st_size, 4);
}

static void test_append_ignores_the_offset(void **state)
{
	struct fixture *f = *state;
	struct rcfs_key key = { KEY_NET, 1009, 0 };
	struct rcfs_served s;

	/* The kernel's WRITE offset for O_APPEND may be another namespace's size. */
	write_file(f->dir, "1009.conf", "one\n");
	assert_int_equal(backing_open(&f->ctx, &key, O_WRONLY | O_APPEND, NULL, &s, NULL, 0), 0);
	assert_int_equal(backing_write(s.fd, "two\n", 4, 1000, true), 4);
	assert_int_equal(backing_write(s.fd, "six\n", 4, 0, true), 4);
	/* O_APPEND cleared with fcntl(): the offset counts again. */
	assert_int_equal(backing_write(s.fd, "ONE\n", 4, 0, false), 4);
	(void)close(s.fd);
	assert_int_equal(backing_open(&f->ctx, &key, O_RDONLY, NULL, &s, NULL, 0), 0);
	assert_string_equal(read_fd(s.fd), "ONE\ntwo\nsix\n");
	(void)close(s.fd);
}

static void test_template_read_creates_nothing(void **state)
{
	struct fixture *f = *state;
	struct rcfs_key key = { KEY_NET, 1002, 0 };
	enum rcfs_source source;
	struct rcfs_served s;
	struct stat st;

	use_template(f);
	assert_int_equal(backing_open(&f->ctx, &key, O_RDONLY, NULL, &s, NULL, 0), 0);
	assert_int_equal(s.source, RCFS_SOURCE_TEMPLATE);
	assert_true(s.fd != f->ctx.template_fd); /* its own fd: RELEASE closes it */
	assert_string_equal(read_fd(s.fd), "nameserver 192.0.2.1\n");
	(void)close(s.fd);
	assert_int_equal(backing_stat(&f->ctx, &key, &st, &source, NULL, 0), 0);
	assert_int_equal(source, RCFS_SOURCE_TEMPLATE);
	assert_int_equal(faccessat(f->ctx.backing_dir_fd, "1002.conf", F_OK, 0), -1);
}

static void test_first_write_copies_the_template(void **state)
{
	struct fixture *f = *state;
	struct rcfs_key key = { KEY_NET, 1003, 0 };
	struct rcfs_served s;
	struct stat st;
	int fd;

	use_template(f);
	assert_int_equal(backing_open(&f->ctx, &key, O_WRONLY | O_APPEND, NULL, &s, NULL, 0), 0);
	assert_int_equal(s.source, RCFS_SOURCE_OWN);
	assert_int_equal(backing_write(s.fd, "search x\n", 9, 0, true), 9); /* at the end */
	(void)close(s.fd);
	fd = openat(f->ctx.backing_dir_fd, "1003.conf", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_string_equal(read_fd(fd), "nameserver 192.0.2.1\nsearch x\n");
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	(void)close(fd);

	/* O_TRUNC: a fresh empty file, no copy. */
	key.id = 1004;
	assert_int_equal(backing_open(&f->ctx, &key, O_WRONLY | O_TRUNC, NULL, &s, NULL, 0), 0);
	assert_string_equal(read_fd(s.fd), "");
	(void)close(s.fd);
	assert_int_equal(faccessat(f->ctx.backing_dir_fd, "1004.conf", F_OK, 0), 0);
}

static int refuse_writes(void *arg, const struct stat *st, int flags)
{
	(void)st;
	++*(int *)arg;
	return (flags & O_ACCMODE) == O_RDONLY && !(flags & O_TRUNC) ? 0 : -EACCES;
}

static void test_check_decides_before_truncate_or_copy(void **state)
{
	struct fixture *f = *state;
	struct rcfs_key key = { KEY_NET, 1010, 0 };
	int calls = 0;
	struct backing_check check = { refuse_writes, &calls };
	struct rcfs_served s;

	write_file(f->dir, "1010.conf", "keep me\n");
	assert_int_equal(backing_open(&f->ctx, &key, O_WRONLY | O_TRUNC, &check, &s, NULL, 0),
			 -EACCES);
	assert_int_equal(backing_open(&f->ctx, &key, O_RDONLY, &check, &s, NULL, 0), 0);
	assert_string_equal(read_fd(s.fd), "keep me\n"); /* not truncated */
	assert_int_equal(s.st.st_size, 8);
	(void)close(s.fd);

	/* A refused first write of a namespace without a file makes none. */
	use_template(f);
	key.id = 1011;
	assert_int_equal(backing_open(&f->ctx, &key, O_RDWR, &check, &s, NULL, 0), -EACCES);
	assert_int_equal(faccessat(f->ctx.backing_dir_fd, "1011.conf", F_OK, 0), -1);
	assert_int_equal(calls, 3);
}

static void test_write_without_template_is_enoent(void **state)
{
	struct fixture *f = *state;
	struct rcfs_key key = { KEY_NET, 1005, 0 };
	struct rcfs_served s;

	assert_int_equal(backing_open(&f->ctx, &key, O_WRONLY | O_TRUNC, NULL, &s, NULL, 0),
			 -ENOENT);
	assert_int_equal(faccessat(f->ctx.backing_dir_fd, "1005.conf", F_OK, 0), -1);
}

static void test_symlink_and_fifo_are_refused(void **state)
{
	struct fixture *f = *state;
	struct rcfs_key key = { KEY_NET, 1006, 0 };
	enum rcfs_source source;
	struct rcfs_served s;
	struct stat st;

	use_template(f);
	assert_int_equal(symlinkat("/etc/passwd", f->ctx.backing_dir_fd, "1006.conf"), 0);
	assert_int_equal(backing_open(&f->ctx, &key, O_RDONLY, NULL, &s, NULL, 0), -ELOOP);
	assert_int_equal(backing_open(&f->ctx, &key, O_WRONLY | O_TRUNC, NULL, &s, NULL, 0),
			 -ELOOP);
	assert_int_equal(backing_stat(&f->ctx, &key, &st, &source, NULL, 0), -ELOOP);
	key.id = 1007;
	assert_int_equal(mkfifoat(f->ctx.backing_dir_fd, "1007.conf", 0644), 0);
	assert_int_equal(backing_open(&f->ctx, &key, O_RDONLY, NULL, &s, NULL, 0), -EACCES);
	assert_int_equal(backing_stat(&f->ctx, &key, &st, &source, NULL, 0), -EACCES);
}

static void test_extension_empty(void **state)
{
	struct fixture *f = *state;
	struct rcfs_key key = { KEY_NET, 1008, 0 };
	struct rcfs_served s;

	f->cfg.extension = "";
	write_file(f->dir, "1008", "bare\n");
	assert_int_equal(backing_open(&f->ctx, &key, O_RDONLY, NULL, &s, NULL, 0), 0);
	assert_string_equal(read_fd(s.fd), "bare\n");
	(void)close(s.fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test_setup_teardown(test_check_decides_before_truncate_or_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_own_file_read_and_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_ignores_the_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template_read_creates_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_first_write_copies_the_template, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_without_template_is_enoent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_symlink_and_fifo_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extension_empty, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
