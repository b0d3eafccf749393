/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "filter.h"
#include "unit.h"

static bool loop(const char *s)
{
	return filter_is_loopback(s, strlen(s));
}

static void test_loopback_addresses(void **state)
{
	(void)state;
	assert_true(loop("127.0.0.53"));
	assert_true(loop("127.0.0.1"));
	assert_true(loop("127.255.1.2"));
	assert_true(loop("::1"));
	assert_true(loop("0:0:0:0:0:0:0:1"));
	assert_true(loop("::ffff:127.0.0.1"));
	assert_false(loop("10.0.0.1"));
	assert_false(loop("128.0.0.1"));
	assert_false(loop("fe80::1%eth0"));
	assert_false(loop("2001:db8::1"));
	assert_false(loop("::ffff:10.0.0.1"));
	assert_false(loop("localhost"));
	assert_false(loop(""));
}

static void test_filter(void **state)
{
	static const char in[] = "# generated\nnameserver 127.0.0.53\noptions edns0\n"
				 "search example.org\nnameserver\t::1 # v6\n";
	char out[256];
	unsigned dropped = 9;
	long n;

	(void)state;
	n = filter_loopback(in, strlen(in), "192.0.2.1", out, sizeof(out), &dropped);
	assert_string_equal(out, "# generated\noptions edns0\nsearch example.org\n"
				 "nameserver 192.0.2.1\n");
	assert_int_equal(n, (long)strlen(out));
	assert_int_equal(dropped, 2);

	/* a real nameserver stays, so no fallback */
	n = filter_loopback("nameserver 127.0.0.1\nnameserver 10.1.1.1", 41, "192.0.2.1", out,
			    sizeof(out), &dropped);
	assert_string_equal(out, "nameserver 10.1.1.1");
	assert_int_equal(dropped, 1);
	/* nothing to drop: unchanged, no fallback */
	n = filter_loopback("search x\n", 9, "192.0.2.1", out, sizeof(out), &dropped);
	assert_string_equal(out, "search x\n");
	assert_int_equal(dropped, 0);
	/* no fallback given: the lines just go; no trailing newline kept as is */
	n = filter_loopback("nameserver 127.0.0.53", 21, NULL, out, sizeof(out), &dropped);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	/* "nameservers" is not the keyword */
	n = filter_loopback("nameservers 127.0.0.1\n", 22, NULL, out, sizeof(out), &dropped);
	assert_string_equal(out, "nameservers 127.0.0.1\n");
	assert_int_equal(filter_loopback("search x\n", 9, NULL, out, 4, &dropped), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback_addresses),
		cmocka_unit_test(test_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
