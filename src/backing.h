/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which file a caller gets. For a key, in this order:
 *   BACKING_DIR/NAME.EXT  for each name of the namespace (byte order; net only)
 *   BACKING_DIR/ID.EXT
 *   ETC_NETNS/NAME/FILE   for each name (what "ip netns exec" would bind; net only)
 *   the template (-d)
 *   ENOENT
 * A write goes to the namespace's own file; when it has none, the write creates
 * BACKING_DIR/NAME.EXT (first name) or ID.EXT from what it was reading, atomically. */
#pragma once

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "context.h"
#include "key.h"

enum rcfs_source {
	RCFS_SOURCE_OWN, /* the namespace's own backing file; fd owned by the handle */
	RCFS_SOURCE_ETC_NETNS, /* ETC_NETNS/NAME/FILE, read-only; fd owned by the handle */
	RCFS_SOURCE_TEMPLATE, /* -d, shared read-only fd */
	RCFS_SOURCE_UNDERLYING, /* caller not identified: the file under the mount, read-only */
	RCFS_SOURCE_HOST, /* --host-file, read-only; fd owned by the handle */
	RCFS_SOURCE_NONE, /* nothing: ENOENT (used by --list) */
};

/* A source, an fd and the file's attributes when it was opened. */
struct rcfs_served {
	enum rcfs_source source;
	int fd;
	struct stat st;
};

/* Whether the caller may open ST (what it is about to be served) with open(2) flags FLAGS:
 * 0 or a -errno. Called before anything is truncated or created. */
struct backing_check {
	int (*fn)(void *arg, const struct stat *st, int flags);
	void *arg;
};

const char *backing_source_name(enum rcfs_source source);

/* Whether open(2) flags FLAGS change the file: a write open, or O_TRUNC. */
static inline bool backing_flags_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/* "<ID>.<EXT>", or "<ID>" when EXT is empty. Returns the length, or -ENAMETOOLONG. */
int backing_name(uint64_t id, const char *ext, char *buf, size_t size);

/* Opens what KEY is served for open(2) flags FLAGS (a write open — O_WRONLY, O_RDWR or
 * O_TRUNC — of a namespace without its own file creates it, with the owner and mode of what
 * it was reading). CHECK (may be NULL) decides first. ret_path (may be NULL) names the file,
 * for log lines. Returns 0, -ENOENT, -ELOOP/-EACCES (a symlink or a non-regular file:
 * refused), CHECK's error, or another -errno. */
int backing_open(const struct rcfs_ctx *ctx, const struct rcfs_key *key, int flags,
		 const struct backing_check *check, struct rcfs_served *ret, char *ret_path,
		 size_t path_size);

/* pwrite(2) at OFF, or at the file's end when the caller's file is O_APPEND now. Returns the
 * bytes written or a -errno. */
int backing_write(int fd, const void *buf, size_t size, off_t off, bool append);

/* stat(2) of what KEY is served, without opening anything. ret_path may be NULL.
 * Returns 0 or the same errors as backing_open(). */
int backing_stat(const struct rcfs_ctx *ctx, const struct rcfs_key *key, struct stat *ret_st,
		 enum rcfs_source *ret_source, char *ret_path, size_t path_size);

/* --host-file: true if KEY is the daemon's own namespace (or user, ...), which reads it. */
bool backing_is_host(const struct rcfs_ctx *ctx, const struct rcfs_key *key);

/* Opens (read-only) or stats the --host-file, by path, for CALLER. -EDEADLK if the caller is
 * a thread of this daemon: the path leads back through our own mount. */
int backing_open_host(const struct rcfs_ctx *ctx, pid_t caller, struct rcfs_served *ret);
int backing_stat_host(const struct rcfs_ctx *ctx, pid_t caller, struct stat *ret_st);
