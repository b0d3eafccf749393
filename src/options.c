/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

static const char usage_text[] =
	"Usage: resolvconffs [OPTIONS] BACKING_DIR MOUNTPOINT\n"
	"\n"
	"Mounts a single-file FUSE file system over MOUNTPOINT (e.g. /etc/resolv.conf) that\n"
	"answers every caller from the file of its own network namespace:\n"
	"BACKING_DIR/<netns inode>.<EXT>, the number readlink /proc/PID/ns/net shows.\n"
	"Runs in the foreground; SIGTERM, SIGINT or SIGHUP unmounts and exits.\n"
	"\n"
	"Options:\n"
	"  -p, --extension EXT      backing file name extension (default: conf; empty: none)\n"
	"  -d, --default-file FILE  serve FILE to namespaces that have no backing file yet;\n"
	"                           their first write creates one from it (default: ENOENT)\n"
	"  -P, --procfs DIR         where to look callers' pids up (default: /proc)\n"
	"  -o, --fuse-opt OPTS      extra FUSE mount options (repeatable, comma-separated)\n"
	"  -v, --verbose, --debug   log each decision: caller pid -> namespace -> file\n"
	"      --no-auto-unmount    if the daemon is killed, leave the dead mount in place\n"
	"                           (default: fusermount3 detaches it, the original file returns)\n"
	"  -h, --help               show this help and exit\n"
	"  -V, --version            show the version and exit\n";

enum {
	OPT_NO_AUTO_UNMOUNT = 0x100, /* long options without a short form */
};

static int options_fail(const char *fmt, const char *arg)
{
	log_error(fmt, arg);
	return -EINVAL;
}

static int append_fuse_opts(char **opts, const char *add)
{
	size_t old = *opts ? strlen(*opts) : 0;
	size_t len = strlen(add);
	char *p;

	if (len == 0)
		return 0;
	p = realloc(*opts, old + 1 + len + 1);
	if (!p)
		return -ENOMEM;
	if (old > 0)
		p[old++] = ',';
	memcpy(p + old, add, len + 1);
	*opts = p;
	return 0;
}

int options_parse(int argc, char **argv, struct rcfs_config *ret)
{
	static const struct option longopts[] = {
		{ "extension", required_argument, NULL, 'p' },
		{ "default-file", required_argument, NULL, 'd' },
		{ "procfs", required_argument, NULL, 'P' },
		{ "fuse-opt", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "debug", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "no-auto-unmount", no_argument, NULL, OPT_NO_AUTO_UNMOUNT },
		{},
	};
	struct rcfs_config cfg = {
		.extension = "conf",
		.procfs = "/proc",
		.auto_unmount = true,
	};
	int c, r;

	opterr = 0; /* our messages, one line each */
	optind = 0; /* full reinitialisation: options_parse() may run more than once */
	while ((c = getopt_long(argc, argv, ":p:d:P:o:vhV", longopts, NULL)) >= 0) {
		switch (c) {
		case 'p':
			cfg.extension = optarg;
			break;
		case 'd':
			cfg.default_file = optarg;
			break;
		case 'P':
			cfg.procfs = optarg;
			break;
		case 'o':
			r = append_fuse_opts(&cfg.fuse_opts, optarg);
			if (r < 0) {
				options_free(&cfg);
				return log_error_errno(r, "cannot store -o options");
			}
			break;
		case 'v':
			cfg.verbose++;
			break;
		case OPT_NO_AUTO_UNMOUNT:
			cfg.auto_unmount = false;
			break;
		case 'h':
			fputs(usage_text, stdout);
			options_free(&cfg);
			return OPTIONS_EXIT;
		case 'V':
			printf("resolvconffs %s\n", PROJECT_VERSION);
			options_free(&cfg);
			return OPTIONS_EXIT;
		case ':':
			options_free(&cfg);
			return options_fail("option '%s' needs an argument (see --help)",
					    argv[optind - 1]);
		default:
			options_free(&cfg);
			if (optopt) {
				char opt[3] = { '-', (char)optopt, '\0' };
				return options_fail("unknown option '%s' (see --help)", opt);
			}
			return options_fail("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}

	if (strchr(cfg.extension, '/')) {
		options_free(&cfg);
		return options_fail("invalid --extension '%s': must not contain '/'",
				    cfg.extension);
	}
	if (strlen(cfg.extension) > OPTIONS_EXTENSION_MAX) {
		options_free(&cfg);
		return options_fail("invalid --extension '%.40s...': too long", cfg.extension);
	}
	if (cfg.procfs[0] == '\0' || (cfg.default_file && cfg.default_file[0] == '\0')) {
		options_free(&cfg);
		return options_fail("%s: empty path (see --help)",
				    cfg.procfs[0] == '\0' ? "--procfs" : "--default-file");
	}

	if (argc - optind < 2) {
		options_free(&cfg);
		return options_fail("missing argument %s (see --help)",
				    argc - optind == 0 ? "BACKING_DIR and MOUNTPOINT" :
							 "MOUNTPOINT");
	}
	if (argc - optind > 2) {
		options_free(&cfg);
		return options_fail("unexpected argument '%s' (see --help)", argv[optind + 2]);
	}
	cfg.backing_dir = argv[optind];
	cfg.mountpoint = argv[optind + 1];
	if (cfg.backing_dir[0] == '\0' || cfg.mountpoint[0] == '\0') {
		options_free(&cfg);
		return options_fail("%s: empty path (see --help)",
				    cfg.backing_dir[0] == '\0' ? "BACKING_DIR" : "MOUNTPOINT");
	}

	*ret = cfg;
	return OPTIONS_RUN;
}

void options_free(struct rcfs_config *cfg)
{
	free(cfg->fuse_opts);
	cfg->fuse_opts = NULL;
}

unsigned options_max_read(const char *fuse_opts)
{
	static const char key[] = "max_read=";
	unsigned max_read = 0;
	const char *p = fuse_opts;

	while (p && *p) {
		size_t len = strcspn(p, ",");

		if (len > sizeof(key) - 1 && strncmp(p, key, sizeof(key) - 1) == 0)
			max_read = (unsigned)strtoul(p + sizeof(key) - 1, NULL, 10);
		p += len;
		if (*p == ',')
			p++;
	}
	return max_read;
}
