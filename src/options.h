/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command line → struct rcfs_config. No I/O but messages: main.c checks paths. */
#pragma once

#include <stdbool.h>

#include "key.h"

enum rcfs_mode {
	MODE_SERVE, /* mount and answer requests */
	MODE_LIST, /* --list: who is served which file */
	MODE_GC, /* --gc: backing files of namespaces that no longer exist */
};

struct rcfs_config {
	const char *backing_dir; /* BACKING_DIR */
	const char *mountpoint; /* MOUNTPOINT: the file we mount over (--dir: the directory) */
	bool dir_mode; /* --dir: a directory per namespace, mounted over MOUNTPOINT */
	const char *extension; /* -p: "" means no dot, no extension */
	const char *default_file; /* -d: template, or NULL */
	const char *procfs; /* -P */
	char *fuse_opts; /* -o, joined with ','; NULL if none; owned */
	int verbose; /* -v, --debug */
	bool auto_unmount; /* unless --no-auto-unmount */
	enum rcfs_key_kind key_kind; /* -k */
	const char *netns_dir; /* --netns-dir: where ip netns names live */
	const char *etc_netns_dir; /* --etc-netns, NULL with --no-etc-netns */
	const char *host_file; /* --host-file: the daemon's own namespace reads it live */
	bool drop_loopback; /* --drop-loopback: other namespaces get -d without 127.x */
	const char *loopback_fallback; /* --drop-loopback=ADDR: the nameserver put instead */
	enum rcfs_mode mode;
	bool json; /* --json (with --list, --gc) */
	bool remove; /* --delete (with --gc) */
};

enum {
	OPTIONS_RUN = 0, /* mount and serve */
	OPTIONS_EXIT = 1, /* --help or --version was printed: exit 0 */
};

/* Returns OPTIONS_RUN or OPTIONS_EXIT, or -EINVAL after printing one line that
 * names the option and the reason. Strings point into argv, except fuse_opts. */
int options_parse(int argc, char **argv, struct rcfs_config *ret);
void options_free(struct rcfs_config *cfg);

/* The max_read=N among comma-separated mount options (the last one wins, as in libfuse), or
 * 0. libfuse wants the init handler to repeat it, or it fails the connection. */
unsigned options_max_read(const char *fuse_opts);

/* The longest EXT that still leaves room for a 20-digit ID and the dot in NAME_MAX. */
#define OPTIONS_EXTENSION_MAX 234
