/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The access rules, table by table: owner/group/other × read/write × capabilities × groups,
 * and what SETATTR may change. Callers are built as access.c would load them. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "unit.h"

#define ALL_CAPS 0x1ffffffffffULL

static struct stat file(uid_t uid, gid_t gid, mode_t mode)
{
	struct stat st = { 0 };

	st.st_uid = uid;
	st.st_gid = gid;
	st.st_mode = S_IFREG | mode;
	return st;
}

/* A caller whose /proc status is already "read": CAPS, GROUPS, and whether its user
 * namespace is the daemon's. */
static struct access_caller caller(uid_t uid, gid_t gid, uint64_t caps, bool own_userns,
				   const gid_t *groups, size_t n_groups)
{
	struct access_caller c;

	access_caller_init(&c, -1, "user:[1]", 4242, uid, gid);
	c.loaded = true;
	c.status_ok = true;
	c.own_userns = own_userns;
	c.status.cap_eff = caps;
	if (n_groups) {
		c.status.groups = malloc(n_groups * sizeof(gid_t));
		memcpy(c.status.groups, groups, n_groups * sizeof(gid_t));
		c.status.n_groups = n_groups;
	}
	return c;
}

static int check(struct access_caller c, struct stat st, int mask)
{
	int r = access_check(&c, &st, mask);

	access_caller_done(&c);
	return r;
}

static void test_bits_owner_group_other(void **state)
{
	static const struct {
		mode_t mode;
		uid_t uid;
		gid_t gid;
		int mask, want;
	} rows[] = {
		/* owner 1000, group 100 */
		{ 0644, 1000, 1000, R_OK | W_OK, 0 }, /* owner rw */
		{ 0444, 1000, 1000, W_OK, -EACCES }, /* owner, no w bit */
		{ 0644, 2000, 100, R_OK, 0 }, /* group r */
		{ 0644, 2000, 100, W_OK, -EACCES },
		{ 0664, 2000, 100, W_OK, 0 }, /* group w */
		{ 0604, 2000, 100, R_OK, -EACCES }, /* group bits win over other's */
		{ 0644, 2000, 200, R_OK, 0 }, /* other r */
		{ 0640, 2000, 200, R_OK, -EACCES },
		{ 0600, 2000, 200, R_OK, -EACCES },
		{ 0666, 2000, 200, W_OK, 0 },
		{ 0066, 1000, 100, R_OK, -EACCES }, /* owner bits win, even if others may */
		{ 0755, 2000, 200, X_OK, 0 },
		{ 0644, 1000, 100, X_OK, -EACCES },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct stat st = file(1000, 100, rows[i].mode);

		assert_int_equal(check(caller(rows[i].uid, rows[i].gid, 0, true, NULL, 0), st,
				       rows[i].mask),
				 rows[i].want);
	}
}

static void test_supplementary_groups(void **state)
{
	static const gid_t groups[] = { 5, 100, 7 };
	struct stat st = file(1000, 100, 0660);

	(void)state;
	assert_int_equal(check(caller(2000, 2000, 0, true, groups, 3), st, R_OK | W_OK), 0);
	assert_int_equal(check(caller(2000, 2000, 0, true, groups + 2, 1), st, R_OK), -EACCES);
	/* A member gets the group's bits even when others get more. */
	st = file(1000, 100, 0606);
	assert_int_equal(check(caller(2000, 2000, 0, true, groups, 3), st, R_OK), -EACCES);
	assert_int_equal(check(caller(2000, 2000, 0, true, NULL, 0), st, R_OK), 0);
}

static void test_unknown_caller_gets_no_groups_no_caps(void **state)
{
	struct access_caller c;
	struct stat st = file(0, 100, 0640);

	(void)state;
	/* tid 0: nothing is read; membership that decides the answer refuses. */
	access_caller_init(&c, -1, "user:[1]", 0, 0, 0);
	st = file(1000, 100, 0640);
	assert_int_equal(access_check(&c, &st, R_OK), -EACCES); /* root, but no caps known */
	st = file(1000, 100, 0644);
	assert_int_equal(access_check(&c, &st, R_OK), 0); /* others may: no need to know */
	st = file(1000, 100, 0604);
	assert_int_equal(access_check(&c, &st, R_OK), -EACCES); /* a member would not */
	access_caller_done(&c);
}

static void test_capabilities(void **state)
{
	struct stat st = file(1000, 1000, 0600);

	(void)state;
	assert_int_equal(check(caller(0, 0, ALL_CAPS, true, NULL, 0), st, R_OK | W_OK), 0);
	assert_int_equal(check(caller(0, 0, 0, true, NULL, 0), st, R_OK), -EACCES); /* no caps */
	/* CAP_DAC_READ_SEARCH reads, does not write. */
	assert_int_equal(check(caller(0, 0, ACCESS_CAP_DAC_READ_SEARCH, true, NULL, 0), st, R_OK),
			 0);
	assert_int_equal(check(caller(0, 0, ACCESS_CAP_DAC_READ_SEARCH, true, NULL, 0), st, W_OK),
			 -EACCES);
	assert_int_equal(check(caller(0, 0, ACCESS_CAP_DAC_OVERRIDE, true, NULL, 0), st, W_OK), 0);
	/* DAC_OVERRIDE executes only what someone may execute. */
	assert_int_equal(check(caller(0, 0, ACCESS_CAP_DAC_OVERRIDE, true, NULL, 0), st, X_OK),
			 -EACCES);
	st = file(1000, 1000, 0700);
	assert_int_equal(check(caller(0, 0, ACCESS_CAP_DAC_OVERRIDE, true, NULL, 0), st, X_OK), 0);
	/* Root of a child user namespace (unshare -Ur): its capabilities are not ours. */
	st = file(0, 0, 0644);
	assert_int_equal(check(caller(1000, 1000, ALL_CAPS, false, NULL, 0), st, W_OK), -EACCES);
	assert_int_equal(check(caller(1000, 1000, ALL_CAPS, false, NULL, 0), st, R_OK), 0);
}

static void test_open_flags(void **state)
{
	struct access_caller c = caller(2000, 2000, 0, true, NULL, 0);
	struct stat st = file(1000, 1000, 0644);

	(void)state;
	assert_int_equal(access_check_open(&c, &st, O_RDONLY), 0);
	assert_int_equal(access_check_open(&c, &st, O_WRONLY), -EACCES);
	assert_int_equal(access_check_open(&c, &st, O_RDWR), -EACCES);
	assert_int_equal(access_check_open(&c, &st, O_RDONLY | O_TRUNC), -EACCES);
	assert_int_equal(access_check_open(&c, &st, O_WRONLY | O_APPEND), -EACCES);
	st = file(1000, 1000, 0622);
	assert_int_equal(access_check_open(&c, &st, O_WRONLY), 0);
	assert_int_equal(access_check_open(&c, &st, O_RDWR), -EACCES);
	access_caller_done(&c);
}

static int setattr(struct access_caller c, struct stat st, struct stat attr, int to_set)
{
	int r = access_check_setattr(&c, &st, &attr, to_set, false);

	access_caller_done(&c);
	return r;
}

static void test_chmod(void **state)
{
	struct stat st = file(1000, 1000, 0644), attr = file(0, 0, 0666);

	(void)state;
	assert_int_equal(setattr(caller(1000, 1000, 0, true, NULL, 0), st, attr, ACCESS_SET_MODE),
			 0);
	assert_int_equal(setattr(caller(2000, 2000, 0, true, NULL, 0), st, attr, ACCESS_SET_MODE),
			 -EPERM);
	assert_int_equal(setattr(caller(0, 0, ACCESS_CAP_FOWNER, true, NULL, 0), st, attr,
				 ACCESS_SET_MODE),
			 0);
	assert_int_equal(setattr(caller(0, 0, ALL_CAPS, false, NULL, 0), st, attr, ACCESS_SET_MODE),
			 -EPERM);
	/* Set-id bits: never, not even for root or the owner. */
	attr = file(0, 0, 04755);
	assert_int_equal(setattr(caller(0, 0, ALL_CAPS, true, NULL, 0), st, attr, ACCESS_SET_MODE),
			 -EPERM);
	attr = file(0, 0, 02755);
	assert_int_equal(setattr(caller(1000, 1000, 0, true, NULL, 0), st, attr, ACCESS_SET_MODE),
			 -EPERM);
}

static void test_chown(void **state)
{
	static const gid_t groups[] = { 50 };
	struct stat st = file(1000, 1000, 0644), attr = file(2000, 50, 0);

	(void)state;
	assert_int_equal(setattr(caller(1000, 1000, 0, true, NULL, 0), st, attr, ACCESS_SET_UID),
			 -EPERM);
	assert_int_equal(setattr(caller(0, 0, ACCESS_CAP_CHOWN, true, NULL, 0), st, attr,
				 ACCESS_SET_UID),
			 0);
	assert_int_equal(setattr(caller(0, 0, ALL_CAPS, false, NULL, 0), st, attr, ACCESS_SET_UID),
			 -EPERM);
	/* The owner gives the file to one of their groups, not to any other. */
	assert_int_equal(setattr(caller(1000, 1000, 0, true, groups, 1), st, attr, ACCESS_SET_GID),
			 0);
	assert_int_equal(setattr(caller(1000, 1000, 0, true, NULL, 0), st, attr, ACCESS_SET_GID),
			 -EPERM);
	assert_int_equal(setattr(caller(2000, 50, 0, true, NULL, 0), st, attr, ACCESS_SET_GID),
			 -EPERM); /* in the group, but not the owner */
	/* "chown to the same owner" is the owner's no-op. */
	attr = file(1000, 1000, 0);
	assert_int_equal(setattr(caller(1000, 1000, 0, true, NULL, 0), st, attr,
				 ACCESS_SET_UID | ACCESS_SET_GID),
			 0);
}

static void test_truncate_and_times(void **state)
{
	struct stat st = file(1000, 1000, 0664), attr = file(0, 0, 0);
	struct access_caller c;

	(void)state;
	/* truncate(2) needs write permission; ftruncate(2) an fd open for writing. */
	assert_int_equal(setattr(caller(2000, 1000, 0, true, NULL, 0), st, attr, ACCESS_SET_SIZE),
			 0);
	assert_int_equal(setattr(caller(2000, 2000, 0, true, NULL, 0), st, attr, ACCESS_SET_SIZE),
			 -EACCES);
	c = caller(2000, 2000, 0, true, NULL, 0);
	assert_int_equal(access_check_setattr(&c, &st, &attr, ACCESS_SET_SIZE, true), 0);
	access_caller_done(&c);
	/* touch (now): the owner, or anyone who may write. */
	int now = ACCESS_SET_ATIME | ACCESS_SET_MTIME | ACCESS_SET_ATIME_NOW | ACCESS_SET_MTIME_NOW;
	assert_int_equal(setattr(caller(2000, 1000, 0, true, NULL, 0), st, attr, now), 0);
	assert_int_equal(setattr(caller(2000, 2000, 0, true, NULL, 0), st, attr, now), -EACCES);
	/* Explicit times: the owner or CAP_FOWNER only. */
	int explicit_times = ACCESS_SET_ATIME | ACCESS_SET_MTIME;
	assert_int_equal(setattr(caller(2000, 1000, 0, true, NULL, 0), st, attr, explicit_times),
			 -EPERM);
	assert_int_equal(setattr(caller(1000, 1000, 0, true, NULL, 0), st, attr, explicit_times),
			 0);
	assert_int_equal(setattr(caller(0, 0, ACCESS_CAP_FOWNER, true, NULL, 0), st, attr,
				 explicit_times),
			 0);
}

static void test_parse_status(void **state)
{
	static const char text[] = "Name:\tbash\nUmask:\t0022\nGid:\t0\t0\t0\t0\n"
				   "Groups:\t4 24 27 1000 \nCapInh:\t0000000000000000\n"
				   "CapEff:\t000001ffffffffff\nNSpid:\t1\n";
	static const char none[] = "Groups:\t\nCapEff:\t0000000000000000\n";
	struct access_status s;

	(void)state;
	assert_int_equal(access_parse_status(text, strlen(text), &s), 0);
	assert_true(s.cap_eff == 0x1ffffffffffULL);
	assert_int_equal(s.n_groups, 4);
	assert_int_equal(s.groups[3], 1000);
	access_status_free(&s);
	assert_int_equal(access_parse_status(none, strlen(none), &s), 0);
	assert_int_equal(s.n_groups, 0);
	assert_true(s.cap_eff == 0);
	access_status_free(&s);
	assert_int_equal(access_parse_status("Groups:\t1\n", 10, &s), -EINVAL);
	assert_int_equal(access_parse_status("CapEff:\tzz\nGroups:\t\n", 20, &s), -EINVAL);
	assert_int_equal(access_parse_status("CapEff:\t0\nGroups:\t1x\n", 21, &s), -EINVAL);
	assert_int_equal(access_parse_status("CapEff:\t0\nGroups:\t99999999999\n", 30, &s),
			 -EINVAL);
}

static void test_real_caller_reads_its_own_status(void **state)
{
	struct access_caller c;
	struct stat st = file(12345, 12345, 0600);
	char self_userns[64];
	ssize_t n;
	int procfs = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

	(void)state;
	assert_true(procfs >= 0);
	n = readlink("/proc/self/ns/user", self_userns, sizeof(self_userns) - 1);
	assert_true(n > 0);
	self_userns[n] = '\0';
	access_caller_init(&c, procfs, self_userns, gettid(), getuid(), getgid());
	/* As root with every capability (the test suite runs as root): allowed by caps. */
	assert_int_equal(access_check(&c, &st, R_OK | W_OK), getuid() == 0 ? 0 : -EACCES);
	assert_true(c.loaded && c.status_ok);
	assert_int_equal(c.own_userns, true);
	access_caller_done(&c);
	(void)close(procfs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bits_owner_group_other),
		cmocka_unit_test(test_supplementary_groups),
		cmocka_unit_test(test_unknown_caller_gets_no_groups_no_caps),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_open_flags),
		cmocka_unit_test(test_chmod),
		cmocka_unit_test(test_chown),
		cmocka_unit_test(test_truncate_and_times),
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_real_caller_reads_its_own_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
