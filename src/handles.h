/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Open handles: what fi->fh points at, and what they cost the daemon. Read-only opens of
 * the same file share one fd (counted by file identity), so opens cost no fds; fds held for
 * writing are counted per uid, and a non-root uid that reaches its share gets EMFILE alone,
 * while root and every other uid keep working. No libfuse types. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "backing.h"
#include "log.h"

struct rcfs_shared_fd;
struct rcfs_uid_usage;

struct rcfs_handle {
	enum rcfs_source source;
	int fd; /* pread/pwrite on it; never the fd's offset */
	bool owns_fd; /* false for the original file's fd, which lives as long as the daemon */
	uid_t uid; /* charged to */
	struct rcfs_shared_fd *shared; /* a shared read-only fd, or NULL */
	struct rcfs_handle *prev, *next; /* every live handle, freed at exit if no RELEASE came */
};

#define HANDLES_BUCKETS 1024

struct rcfs_handles {
	pthread_mutex_t lock;
	unsigned fds_per_uid; /* private fds one non-root uid may hold */
	unsigned handles_per_uid; /* handles one non-root uid may hold (memory) */
	struct rcfs_shared_fd *files[HANDLES_BUCKETS];
	struct rcfs_uid_usage *uids[HANDLES_BUCKETS];
	struct rcfs_handle *live; /* RELEASE is asynchronous: at exit, some may not have come */
	struct log_ratelimit limit_log;
};

/* FD_LIMIT: the daemon's RLIMIT_NOFILE. */
void handles_init(struct rcfs_handles *h, unsigned long fd_limit);
void handles_done(struct rcfs_handles *h);

/* A new handle for UID on FD (taken: closed on every failure). ST is the file's: with
 * SHARE, an fd already open on the same file is used instead of FD. OWNS_FD false: FD stays
 * open when the handle goes. Returns 0, -EMFILE (UID's share is used up) or -ENOMEM. */
int handles_new(struct rcfs_handles *h, uid_t uid, enum rcfs_source source, int fd,
		const struct stat *st, bool share, bool owns_fd, struct rcfs_handle **ret);
void handles_free(struct rcfs_handles *h, struct rcfs_handle *handle);
