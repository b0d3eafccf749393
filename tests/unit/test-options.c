/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "options.h"
#include "unit.h"

#define PARSE(cfg, ...)                                                                          \
	({                                                                                       \
		const char *argv_[] = { "resolvconffs", __VA_ARGS__, NULL };                     \
		options_parse((int)(sizeof(argv_) / sizeof(argv_[0])) - 1, (char **)argv_, cfg); \
	})

static void test_defaults_match_the_original(void **state)
{
	struct rcfs_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, "/srv/rc", "/etc/resolv.conf"), OPTIONS_RUN);
	assert_string_equal(cfg.backing_dir, "/srv/rc");
	assert_string_equal(cfg.mountpoint, "/etc/resolv.conf");
	assert_string_equal(cfg.extension, "conf");
	assert_string_equal(cfg.procfs, "/proc");
	assert_null(cfg.default_file);
	assert_null(cfg.fuse_opts);
	assert_int_equal(cfg.verbose, 0);
	options_free(&cfg);
}

static void test_every_option_short_and_long(void **state)
{
	struct rcfs_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, "-p", "txt", "-d", "/tmpl", "-P", "/hostproc", "-o", "ro",
			       "-o", "max_read=4096,debug", "-v", "/b", "/m"),
			 OPTIONS_RUN);
	assert_string_equal(cfg.extension, "txt");
	assert_string_equal(cfg.default_file, "/tmpl");
	assert_string_equal(cfg.procfs, "/hostproc");
	assert_string_equal(cfg.fuse_opts, "ro,max_read=4096,debug");
	assert_int_equal(cfg.verbose, 1);
	options_free(&cfg);

	assert_int_equal(PARSE(&cfg, "--extension=", "--default-file", "/t", "--procfs=/p",
			       "--fuse-opt", "ro", "--debug", "--verbose", "/b", "/m"),
			 OPTIONS_RUN);
	assert_string_equal(cfg.extension, "");
	assert_string_equal(cfg.default_file, "/t");
	assert_string_equal(cfg.procfs, "/p");
	assert_string_equal(cfg.fuse_opts, "ro");
	assert_int_equal(cfg.verbose, 2);
	options_free(&cfg);

	/* GNU order: options after the operands, as the original's parser allows. */
	assert_int_equal(PARSE(&cfg, "/b", "/m", "-p", "x"), OPTIONS_RUN);
	assert_string_equal(cfg.extension, "x");
	assert_string_equal(cfg.mountpoint, "/m");
	options_free(&cfg);
}

static void test_help_and_version_exit(void **state)
{
	struct rcfs_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, "--help"), OPTIONS_EXIT);
	assert_int_equal(PARSE(&cfg, "-h", "/b", "/m"), OPTIONS_EXIT);
	assert_int_equal(PARSE(&cfg, "-V"), OPTIONS_EXIT);
	assert_int_equal(PARSE(&cfg, "--version"), OPTIONS_EXIT);
}

static void test_bad_input_is_refused(void **state)
{
	struct rcfs_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, "/b"), -EINVAL);
	assert_int_equal(PARSE(&cfg, "/b", "/m", "/extra"), -EINVAL);
	assert_int_equal(PARSE(&cfg, "-x", "/b", "/m"), -EINVAL);
	assert_int_equal(PARSE(&cfg, "--nope", "/b", "/m"), -EINVAL);
	assert_int_equal(PARSE(&cfg, "/b", "/m", "-p"), -EINVAL);
	assert_int_equal(PARSE(&cfg, "-p", "a/b", "/b", "/m"), -EINVAL);
	assert_int_equal(PARSE(&cfg, "-P", "", "/b", "/m"), -EINVAL);
	assert_int_equal(PARSE(&cfg, "-d", "", "/b", "/m"), -EINVAL);
	assert_int_equal(PARSE(&cfg, "", "/m"), -EINVAL);
	assert_int_equal(PARSE(&cfg, "-o", "ro", "/b"), -EINVAL); /* nothing leaked (ASan) */
}

static void test_extension_length_limit(void **state)
{
	char ext[OPTIONS_EXTENSION_MAX + 2];
	struct rcfs_config cfg;

	(void)state;
	memset(ext, 'e', sizeof(ext));
	ext[OPTIONS_EXTENSION_MAX] = '\0';
	assert_int_equal(PARSE(&cfg, "-p", ext, "/b", "/m"), OPTIONS_RUN);
	options_free(&cfg);
	ext[OPTIONS_EXTENSION_MAX] = 'e';
	ext[OPTIONS_EXTENSION_MAX + 1] = '\0';
	assert_int_equal(PARSE(&cfg, "-p", ext, "/b", "/m"), -EINVAL);
}

static void test_max_read_is_found(void **state)
{
	(void)state;
	assert_int_equal(options_max_read(NULL), 0);
	assert_int_equal(options_max_read(""), 0);
	assert_int_equal(options_max_read("ro"), 0);
	assert_int_equal(options_max_read("max_read=4096"), 4096);
	assert_int_equal(options_max_read("ro,max_read=8192,debug"), 8192);
	assert_int_equal(options_max_read("max_read=1,max_read=2"), 2);
	assert_int_equal(options_max_read("xmax_read=5,max_readahead=7"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_match_the_original),
		cmocka_unit_test(test_every_option_short_and_long),
		cmocka_unit_test(test_help_and_version_exit),
		cmocka_unit_test(test_bad_input_is_refused),
		cmocka_unit_test(test_extension_length_limit),
		cmocka_unit_test(test_max_read_is_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
