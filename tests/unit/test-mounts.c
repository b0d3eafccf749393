/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mounts.h"
#include "unit.h"

static void test_parse_line(void **state)
{
	char point[256], fstype[64];

	(void)state;
	assert_int_equal(
		mounts_parse_line("252 62 0:39 / /etc/resolv.conf rw,nosuid,nodev,relatime "
				  "- fuse.resolvconffs resolvconffs rw,user_id=0\n",
				  point, sizeof(point), fstype, sizeof(fstype)),
		0);
	assert_string_equal(point, "/etc/resolv.conf");
	assert_string_equal(fstype, "fuse.resolvconffs");
	/* optional fields before " - ", and an escaped space in the mount point */
	assert_int_equal(mounts_parse_line("36 35 98:0 /mnt1 /a\\040b rw,noatime master:1 "
					   "shared:2 - ext3 /dev/root rw,errors=continue",
					   point, sizeof(point), fstype, sizeof(fstype)),
			 0);
	assert_string_equal(point, "/a b");
	assert_string_equal(fstype, "ext3");
	assert_int_equal(mounts_parse_line("1 2 3:4 / /x rw shared:1 tmpfs", point, sizeof(point),
					   fstype, sizeof(fstype)),
			 -EINVAL);
	assert_int_equal(mounts_parse_line("", point, sizeof(point), fstype, sizeof(fstype)),
			 -EINVAL);
	assert_int_equal(mounts_parse_line("1 2 3:4 / /long/path rw - t s o", point, 5, fstype,
					   sizeof(fstype)),
			 -ENAMETOOLONG);
}

static void test_parse_root(void **state)
{
	char root[64], fstype[64], point[256];

	(void)state;
	/* a bind mount of a namespace file: ROOT names the namespace */
	assert_int_equal(mounts_parse_root("63 43 0:4 net:[4026532178] /tmp/a\\040b rw shared:5 - "
					   "nsfs nsfs rw\n",
					   root, sizeof(root), fstype, sizeof(fstype)),
			 0);
	assert_string_equal(root, "net:[4026532178]");
	assert_string_equal(fstype, "nsfs");
	assert_int_equal(
		mounts_parse_line("63 43 0:4 net:[4026532178] /tmp/a\\040b rw - nsfs nsfs rw",
				  point, sizeof(point), fstype, sizeof(fstype)),
		0);
	assert_string_equal(point, "/tmp/a b");
	assert_int_equal(mounts_parse_root("36 35 98:0 /mnt\\0401 /x rw - ext3 /dev/root rw", root,
					   sizeof(root), fstype, sizeof(fstype)),
			 0);
	assert_string_equal(root, "/mnt 1");
	assert_string_equal(fstype, "ext3");
	/* the mount point is still checked: ROOT alone is no line */
	assert_int_equal(mounts_parse_root("63 43 0:4 net:[1]", root, sizeof(root), fstype,
					   sizeof(fstype)),
			 -EINVAL);
	assert_int_equal(mounts_parse_root("63 43 0:4 net:[4026532178] /x rw - nsfs nsfs rw", root,
					   8, fstype, sizeof(fstype)),
			 -ENAMETOOLONG);
}

static void test_find_last_match(void **state)
{
	char path[] = "/tmp/rcfs-mountinfo-XXXXXX", fstype[64];
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("1 0 0:1 / / rw - ext4 /dev/vda rw\n"
	      "2 1 0:2 / /etc/resolv.conf rw - tmpfs tmpfs rw\n"
	      "garbage line\n"
	      "3 1 0:3 / /etc/resolv.conf rw - fuse.resolvconffs resolvconffs rw\n",
	      f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(mounts_find(path, "/etc/resolv.conf", fstype, sizeof(fstype)), 1);
	assert_string_equal(fstype, "fuse.resolvconffs");
	assert_int_equal(mounts_find(path, "/etc/hosts", fstype, sizeof(fstype)), 0);
	assert_int_equal(mounts_find("/nonexistent/mountinfo", "/", fstype, sizeof(fstype)),
			 -ENOENT);
	(void)unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_parse_root),
		cmocka_unit_test(test_find_last_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
