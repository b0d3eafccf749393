/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "log.h"
#include "util.h"

static const char usage_text[] =
	"Usage: resolvconffs [OPTIONS] BACKING_DIR MOUNTPOINT\n"
	"       resolvconffs --dir [OPTIONS] BACKING_DIR MOUNTDIR\n"
	"       resolvconffs --list [OPTIONS] [--json] BACKING_DIR [MOUNTPOINT]\n"
	"       resolvconffs --gc [--delete] [OPTIONS] [--json] BACKING_DIR\n"
	"\n"
	"Mounts a single-file FUSE file system over MOUNTPOINT (e.g. /etc/resolv.conf) that\n"
	"answers every caller from the file of its own network namespace:\n"
	"BACKING_DIR/<netns inode>.<EXT>, the number readlink /proc/PID/ns/net shows.\n"
	"Runs in the foreground; SIGTERM, SIGINT or SIGHUP unmounts and exits.\n"
	"\n"
	"With --dir, MOUNTDIR shows every caller its own namespace's directory:\n"
	"BACKING_DIR/NAME/ (ip netns name), else BACKING_DIR/<ID>/, else the -d DIR template\n"
	"(copied at the first change), else an empty directory.\n"
	"\n"
	"Options:\n"
	"      --dir                serve a directory per namespace over the directory MOUNTDIR\n"
	"  -p, --extension EXT      backing file name extension (default: conf; empty: none)\n"
	"  -d, --default-file FILE  serve FILE (--dir: directory) to namespaces that have none;\n"
	"                           their first write creates one from it (default: ENOENT)\n"
	"  -P, --procfs DIR         where to look callers' pids up (default: /proc)\n"
	"  -k, --key KIND           what names a caller's file: net (default), mnt, uts, ipc,\n"
	"                           pid, user, cgroup, time (its /proc/PID/ns/KIND), uid, gid\n"
	"      --netns-dir DIR      where ip netns names live (default: /run/netns); a named\n"
	"                           namespace reads BACKING_DIR/NAME.EXT first\n"
	"      --etc-netns DIR      read DIR/NAME/<MOUNTPOINT's name> for a named namespace\n"
	"                           without a backing file (default: /etc/netns)\n"
	"      --no-etc-netns       do not\n"
	"  -o, --fuse-opt OPTS      extra FUSE mount options (repeatable, comma-separated)\n"
	"  -v, --verbose, --debug   log each decision: caller pid -> namespace -> file\n"
	"      --host-file FILE     the daemon's own namespace, and callers it cannot identify,\n"
	"                           read FILE (read-only, opened by path at each open): the file\n"
	"                           a resolv.conf manager replaces by rename\n"
	"      --drop-loopback[=ADDR]\n"
	"                           serve namespaces other than the daemon's own the -d file\n"
	"                           without loopback nameservers (127.0.0.53 exists only in the\n"
	"                           host's namespace); \"nameserver ADDR\" if none is left\n"
	"      --no-auto-unmount    if the daemon is killed, leave the dead mount in place\n"
	"                           (default: fusermount3 detaches it, the original file returns)\n"
	"      --list               print which file (--dir: directory) each live namespace is\n"
	"                           served, and backing ones no live namespace uses; no mount\n"
	"                           needed\n"
	"      --gc                 print backing files (--dir: directories) whose namespace no\n"
	"                           longer exists\n"
	"      --delete             with --gc: delete them\n"
	"      --json               with --list or --gc: JSON output\n"
	"  -h, --help               show this help and exit\n"
	"  -V, --version            show the version and exit\n";

enum {
	OPT_NO_AUTO_UNMOUNT = 0x100, /* long options without a short form */
	OPT_NETNS_DIR,
	OPT_ETC_NETNS,
	OPT_NO_ETC_NETNS,
	OPT_LIST,
	OPT_GC,
	OPT_DELETE,
	OPT_JSON,
	OPT_HOST_FILE,
	OPT_DROP_LOOPBACK,
	OPT_DIR,
};

static int options_fail(const char *fmt, const char *arg)
{
	log_error(fmt, arg);
	return -EINVAL;
}

/* Whether the comma-separated list OPTS holds NAME. */
static bool has_fuse_opt(const char *opts, const char *name)
{
	size_t name_len = strlen(name);

	for (const char *p = opts; *p;) {
		size_t len = strcspn(p, ",");

		if (len == name_len && strncmp(p, name, len) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
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
		{ "key", required_argument, NULL, 'k' },
		{ "netns-dir", required_argument, NULL, OPT_NETNS_DIR },
		{ "etc-netns", required_argument, NULL, OPT_ETC_NETNS },
		{ "no-etc-netns", no_argument, NULL, OPT_NO_ETC_NETNS },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "gc", no_argument, NULL, OPT_GC },
		{ "delete", no_argument, NULL, OPT_DELETE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "host-file", required_argument, NULL, OPT_HOST_FILE },
		{ "drop-loopback", optional_argument, NULL, OPT_DROP_LOOPBACK },
		{ "dir", no_argument, NULL, OPT_DIR },
		{},
	};
	int c, r, min_args, max_args;
	struct rcfs_config cfg = {
		.extension = "conf",
		.procfs = "/proc",
		.auto_unmount = true,
		.key_kind = KEY_NET,
		.netns_dir = "/run/netns",
		.etc_netns_dir = "/etc/netns",
	};
	const struct {
		const char *option;
		const char *const *value;
	} paths[] = {
		{ "--procfs", &cfg.procfs },	   { "--default-file", &cfg.default_file },
		{ "--netns-dir", &cfg.netns_dir }, { "--etc-netns", &cfg.etc_netns_dir },
		{ "--host-file", &cfg.host_file },
	};

	opterr = 0; /* our messages, one line each */
	optind = 0; /* full reinitialisation: options_parse() may run more than once */
	while ((c = getopt_long(argc, argv, ":p:d:P:o:k:vhV", longopts, NULL)) >= 0) {
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
			if (has_fuse_opt(optarg, "default_permissions")) {
				options_free(&cfg);
				return options_fail(
					"-o %s: refused: with default_permissions the kernel checks "
					"callers against another namespace's mode and owner (one "
					"inode, many files); resolvconffs checks access itself",
					optarg);
			}
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
		case 'k':
			r = key_kind_from_string(optarg);
			if (r < 0) {
				options_free(&cfg);
				return options_fail(
					"invalid --key '%s': want net, mnt, uts, ipc, pid, "
					"user, cgroup, time, uid or gid",
					optarg);
			}
			cfg.key_kind = (enum rcfs_key_kind)r;
			break;
		case OPT_NETNS_DIR:
			cfg.netns_dir = optarg;
			break;
		case OPT_ETC_NETNS:
			cfg.etc_netns_dir = optarg;
			break;
		case OPT_NO_ETC_NETNS:
			cfg.etc_netns_dir = NULL;
			break;
		case OPT_LIST:
			cfg.mode = MODE_LIST;
			break;
		case OPT_GC:
			cfg.mode = MODE_GC;
			break;
		case OPT_DELETE:
			cfg.remove = true;
			break;
		case OPT_JSON:
			cfg.json = true;
			break;
		case OPT_HOST_FILE:
			cfg.host_file = optarg;
			break;
		case OPT_DROP_LOOPBACK:
			cfg.drop_loopback = true;
			cfg.loopback_fallback = optarg;
			break;
		case OPT_DIR:
			cfg.dir_mode = true;
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
	for (size_t i = 0; i < ELEMENTSOF(paths); i++)
		if (*paths[i].value && (*paths[i].value)[0] == '\0') {
			options_free(&cfg);
			return options_fail("%s: empty path (see --help)", paths[i].option);
		}
	if (cfg.remove && cfg.mode != MODE_GC) {
		options_free(&cfg);
		return options_fail("%s only goes with --gc (see --help)", "--delete");
	}
	if (cfg.drop_loopback && !cfg.default_file) {
		options_free(&cfg);
		return options_fail("%s needs -d: it filters the default file (see --help)",
				    "--drop-loopback");
	}
	if (cfg.loopback_fallback) {
		unsigned char addr[16];

		if ((inet_pton(AF_INET, cfg.loopback_fallback, addr) != 1 &&
		     inet_pton(AF_INET6, cfg.loopback_fallback, addr) != 1) ||
		    filter_is_loopback(cfg.loopback_fallback, strlen(cfg.loopback_fallback))) {
			options_free(&cfg);
			return options_fail("invalid --drop-loopback address '%s': want a "
					    "non-loopback IPv4 or IPv6 address",
					    cfg.loopback_fallback);
		}
	}
	if (cfg.dir_mode && (cfg.host_file || cfg.drop_loopback)) {
		options_free(&cfg);
		return options_fail(
			"%s", cfg.host_file ? "--host-file does not go with --dir: the host is "
					      "served BACKING_DIR/<its ID>/ like any namespace" :
					      "--drop-loopback does not go with --dir: it filters "
					      "a single resolv.conf");
	}
	if (cfg.json && cfg.mode == MODE_SERVE) {
		options_free(&cfg);
		return options_fail("%s only goes with --list or --gc (see --help)", "--json");
	}

	/* Serving needs both operands; --list takes MOUNTPOINT optionally, --gc none. */
	min_args = cfg.mode == MODE_SERVE ? 2 : 1;
	max_args = cfg.mode == MODE_GC ? 1 : 2;
	if (argc - optind < min_args) {
		options_free(&cfg);
		return options_fail("missing argument %s (see --help)",
				    argc - optind == 0 && min_args == 2 ?
					    "BACKING_DIR and MOUNTPOINT" :
				    argc - optind == 0 ? "BACKING_DIR" :
							 "MOUNTPOINT");
	}
	if (argc - optind > max_args) {
		options_free(&cfg);
		return options_fail("unexpected argument '%s' (see --help)",
				    argv[optind + max_args]);
	}
	cfg.backing_dir = argv[optind];
	cfg.mountpoint = argc - optind > 1 ? argv[optind + 1] : NULL;
	if (cfg.backing_dir[0] == '\0' || (cfg.mountpoint && cfg.mountpoint[0] == '\0')) {
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
