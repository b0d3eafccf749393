/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "unit.h"

static void test_name_rules(void **state)
{
	char long_name[NAME_MAX + 2];

	(void)state;
	assert_true(name_is_valid("vpn"));
	assert_true(name_is_valid(".hidden"));
	assert_true(name_is_valid("a.b-c_d"));
	assert_true(name_is_valid("1a"));
	assert_false(name_is_valid(""));
	assert_false(name_is_valid("."));
	assert_false(name_is_valid(".."));
	assert_false(name_is_valid("a/b"));
	assert_false(name_is_valid("/"));
	assert_false(name_is_valid("12345")); /* would be taken for an ID */
	memset(long_name, 'x', sizeof(long_name));
	long_name[NAME_MAX] = '\0';
	assert_true(name_is_valid(long_name));
	long_name[NAME_MAX] = 'x';
	long_name[NAME_MAX + 1] = '\0';
	assert_false(name_is_valid(long_name));
}

/* A directory of plain files stands in for /run/netns: with their st_dev as the "nsfs"
 * device every regular file counts as a namespace, named by its inode number. */
static void test_scan_and_find(void **state)
{
	char dir[] = "/tmp/rcfs-names-XXXXXX", path[256];
	static const char *files[] = { "b-name", "a-name", "zzz", "42", "bad name/" };
	struct names_table *t = NULL;
	const char *found[NAMES_MAX_PER_NS];
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < 4; i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(close(open(path, O_CREAT | O_WRONLY, 0644)), 0);
	}
	/* two names for one "namespace": a hard link */
	(void)snprintf(path, sizeof(path), "%s/a-name", dir);
	(void)snprintf(path + 128, 128, "%s/c-name", dir);
	assert_int_equal(link(path, path + 128), 0);
	assert_int_equal(stat(path, &st), 0);

	assert_int_equal(names_scan(dir, st.st_dev, 5, &t), 0);
	assert_int_equal(t->count, 4); /* "42" is left out: all digits */
	assert_int_equal(names_table_find(t, st.st_ino, found, NAMES_MAX_PER_NS), 2);
	assert_string_equal(found[0], "a-name"); /* byte order */
	assert_string_equal(found[1], "c-name");
	assert_int_equal(names_table_find(t, 1, found, NAMES_MAX_PER_NS), 0);
	names_table_free(t);

	/* another device: nothing is a namespace */
	assert_int_equal(names_scan(dir, st.st_dev + 1, 5, &t), 0);
	assert_int_equal(t->count, 0);
	names_table_free(t);
	/* a missing directory is no names, not an error */
	assert_int_equal(names_scan("/nonexistent-netns", st.st_dev, 5, &t), 0);
	assert_int_equal(t->count, 0);
	names_table_free(t);
	/* a name too long for NAME.EXT is left out */
	assert_int_equal(names_scan(dir, st.st_dev, NAME_MAX - 5, &t), 0);
	assert_int_equal(t->count, 1); /* only "zzz" (3 + 1 + 250 <= 255) */
	names_table_free(t);

	for (size_t i = 0; i < 4; i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		(void)unlink(path);
	}
	(void)unlink(path + 128);
	(void)snprintf(path, sizeof(path), "%s/c-name", dir);
	(void)unlink(path);
	(void)rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_scan_and_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
