/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lint.h"
#include "unit.h"

static void test_nsswitch(void **state)
{
	(void)state;
	assert_false(lint_nsswitch_uses_resolve("hosts:          files dns\n"));
	assert_true(lint_nsswitch_uses_resolve("passwd: files\nhosts: mymachines resolve "
					       "[!UNAVAIL=return] files myhostname dns\n"));
	assert_true(lint_nsswitch_uses_resolve("hosts:\tfiles\tresolve"));
	assert_false(lint_nsswitch_uses_resolve("hosts: files dns # resolve\n"));
	assert_false(lint_nsswitch_uses_resolve("#hosts: resolve\nhosts: files\n"));
	assert_false(lint_nsswitch_uses_resolve("networks: resolve\n"));
	assert_false(lint_nsswitch_uses_resolve("hosts: files resolved\n"));
	assert_false(lint_nsswitch_uses_resolve(""));
}

static void test_nscd(void **state)
{
	(void)state;
	assert_true(lint_nscd_caches_hosts(""));
	assert_true(lint_nscd_caches_hosts("enable-cache hosts yes\n"));
	assert_false(lint_nscd_caches_hosts("\tenable-cache\t\thosts\t\tno\n"));
	assert_true(lint_nscd_caches_hosts("enable-cache passwd no\n"));
	assert_true(lint_nscd_caches_hosts("# enable-cache hosts no\n"));
	assert_true(lint_nscd_caches_hosts("enable-cache hosts no\nenable-cache hosts yes\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nsswitch),
		cmocka_unit_test(test_nscd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
