/* SPDX-License-Identifier: GPL-2.0-or-later */
/* If the daemon dies without unmounting (kill -9, OOM), every reader of the file gets
 * ENOTCONN until someone detaches the dead mount. fusermount3's auto_unmount does that, but it
 * waits on a socket that can close before /dev/fuse does, then finds the connection aborting
 * (ECONNABORTED, not ENOTCONN) and leaves (libfuse 3.14), and under systemd's
 * RestrictNamespaces= it cannot make the mount namespace it wants. As root, a child of our own
 * does it instead: it waits on a pidfd, which is readable only once the daemon is gone and
 * its files released, and then detaches the mount if, and only if, it is a dead resolvconffs
 * mount. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct rcfs_watchdog {
	pid_t pid; /* the child, or 0 */
	int cmd_fd; /* our end of the pipe to it, or -1 */
};

/* Forks the child, before any other thread exists. Returns 0 or a -errno. */
int watchdog_start(struct rcfs_watchdog *w, const char *mountpoint);

/* The mount is live: from now on, our death detaches it. */
void watchdog_arm(struct rcfs_watchdog *w);

/* We unmounted (or never mounted): the child exits; reaped here. */
void watchdog_stop(struct rcfs_watchdog *w);
