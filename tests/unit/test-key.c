/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "key.h"
#include "unit.h"

static int parse(const char *s, const char *kind, uint64_t *id)
{
	return key_parse_link(s, strlen(s), kind, id);
}

static void test_parse_link_accepts_kernel_format(void **state)
{
	uint64_t id = 0;

	(void)state;
	assert_int_equal(parse("net:[4026531833]", "net", &id), 0);
	assert_true(id == 4026531833ULL);
	assert_int_equal(parse("uts:[0]", "uts", &id), 0);
	assert_true(id == 0);
	assert_int_equal(parse("net:[18446744073709551615]", "net", &id), 0);
	assert_true(id == UINT64_MAX);
}

static void test_parse_link_rejects_everything_else(void **state)
{
	static const char *bad[] = {
		"",
		"net",
		"net:",
		"net:[",
		"net:[]",
		"net:[12",
		"net:12]",
		"ipc:[12]",
		"net:[12]x",
		"net:[1 2]",
		"net:[-1]",
		"net:[+1]",
		"net:[012]",
		"net:[18446744073709551616]",
		"net:[99999999999999999999]",
		"/proc/1/ns/net",
		"nett:[1]",
		"ne:[1]",
	};
	uint64_t id = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], "net", &id) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	}
	assert_true(id == 42); /* never written on failure */
}

static void test_from_tid_reads_real_procfs(void **state)
{
	struct rcfs_key key = { KEY_NET, 0, 0 }, self = { KEY_NET, 0, 0 };
	char link[64];
	uint64_t id;
	ssize_t n;
	int fd;

	(void)state;
	fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = readlink("/proc/self/ns/net", link, sizeof(link));
	assert_true(n > 0);
	assert_int_equal(key_parse_link(link, (size_t)n, "net", &id), 0);
	assert_int_equal(key_from_caller(fd, KEY_NET, gettid(), 0, 0, &key), 0);
	assert_true(key.id == id);
	assert_int_equal(key_of_entry(fd, KEY_NET, "self", &self), 0);
	assert_true(self.id == id);
	assert_int_equal(key_from_caller(fd, KEY_NET, 0, 0, 0, &key), -ESRCH);
	assert_int_equal(key_from_caller(fd, KEY_NET, -5, 0, 0, &key), -ESRCH);
	assert_int_equal(key_from_caller(fd, KEY_NET, 0x3fffffff, 0, 0, &key), -ESRCH);
	(void)close(fd);
}

static void test_from_tid_rejects_a_non_namespace_link(void **state)
{
	char dir[] = "/tmp/rcfs-unit-XXXXXX", path[256];
	struct rcfs_key key = { KEY_NET, 7, 0 };
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/123", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/123/ns", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/123/ns/net", dir);
	assert_int_equal(symlink("garbage", path), 0);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(key_from_caller(fd, KEY_NET, 123, 0, 0, &key), -EXDEV);
	assert_true(key.id == 7);
	(void)unlink(path);
	assert_int_equal(symlink("net:[555]", path), 0);
	assert_int_equal(key_from_caller(fd, KEY_NET, 123, 0, 0, &key), 0);
	assert_true(key.id == 555);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/123/ns", dir);
	(void)rmdir(path);
	(void)snprintf(path, sizeof(path), "%s/123", dir);
	(void)rmdir(path);
	(void)rmdir(dir);
	(void)close(fd);
}

static void test_uid_gid_and_kinds(void **state)
{
	struct rcfs_key key = { KEY_NET, 0, 0 };
	int fd;

	(void)state;
	assert_int_equal(key_from_caller(-1, KEY_UID, 0, 1000, 2000, &key), 0);
	assert_int_equal(key.kind, KEY_UID);
	assert_true(key.id == 1000);
	assert_int_equal(key_from_caller(-1, KEY_GID, 0, 1000, 2000, &key), 0);
	assert_true(key.id == 2000);
	assert_int_equal(key_from_caller(-1, KEY_UID, 0, (uid_t)-1, 0, &key), -ESRCH);
	for (int k = 0; k < _KEY_KIND_MAX; k++)
		assert_int_equal(key_kind_from_string(key_kind_name(k)), k);
	assert_int_equal(key_kind_from_string("bogus"), -EINVAL);
	assert_int_equal(key_kind_from_string(""), -EINVAL);
	assert_true(key_kind_is_namespace(KEY_UTS));
	assert_false(key_kind_is_namespace(KEY_GID));
	fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(key_from_caller(fd, KEY_UTS, gettid(), 0, 0, &key), 0);
	assert_int_equal(key.kind, KEY_UTS);
	(void)close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_link_accepts_kernel_format),
		cmocka_unit_test(test_parse_link_rejects_everything_else),
		cmocka_unit_test(test_from_tid_reads_real_procfs),
		cmocka_unit_test(test_from_tid_rejects_a_non_namespace_link),
		cmocka_unit_test(test_uid_gid_and_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
