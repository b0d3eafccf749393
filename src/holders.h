/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What keeps a namespace alive: any thread in it, an open fd of its nsfs file, a bind mount
 * of that file in any mount namespace we can read, and for net a socket made in it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "context.h"
#include "names.h"

/* What keeps a namespace alive, in the order --list prefers to show it. */
enum holder {
	HELD_BY_THREAD, /* a thread is in it (uid/gid: runs with it) */
	HELD_BY_MOUNT, /* a bind mount of its nsfs file, in a mount namespace we can read */
	HELD_BY_FD, /* an open fd of its nsfs file */
	HELD_BY_SOCKET, /* a socket made in it (net only) */
};

struct live {
	uint64_t id;
	enum holder by;
	pid_t tid; /* HELD_BY_THREAD: the lowest thread id in it (a PROCFS entry like a pid) */
};

struct live_set {
	struct live *v;
	size_t n, cap;
};

bool live_has(const struct live_set *s, uint64_t id);

struct scan_gaps {
	size_t n; /* processes of PROCFS of which something could not be read */
	int error; /* the first one's -errno, */
	pid_t pid; /* and pid */
};

/* Fills RET (sorted, one entry per id; free RET->v) and RET_GAPS (what could not be read).
 * NAMES: ip netns names, counted as mounts. Returns 0 or a -errno. */
int holders_scan(const struct rcfs_ctx *ctx, const struct names_table *names, struct live_set *ret,
		 struct scan_gaps *ret_gaps);
