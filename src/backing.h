/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which file a caller gets: key → BACKING_DIR/<ID>.<EXT>, the template, or nothing. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "context.h"
#include "key.h"

enum rcfs_source {
	RCFS_SOURCE_OWN, /* the namespace's own backing file; fd owned by the handle */
	RCFS_SOURCE_TEMPLATE, /* -d, shared read-only fd, no own file yet */
	RCFS_SOURCE_UNDERLYING, /* caller not identified: the file under the mount, read-only */
};

/* A source and an fd: what an open handle holds, or what GETATTR looked at. */
struct rcfs_served {
	enum rcfs_source source;
	int fd;
};

/* "<ID>.<EXT>", or "<ID>" when EXT is empty. Returns the length, or -ENAMETOOLONG. */
int backing_name(uint64_t id, const char *ext, char *buf, size_t size);

/* Opens what KEY is served for open(2) flags FLAGS. A write open (O_WRONLY, O_RDWR or
 * O_TRUNC) of a namespace that has no file yet creates it from the template, atomically.
 * Returns 0, -ENOENT (no file, no template), -ELOOP/-EACCES (not a regular file: refused),
 * or another -errno. */
int backing_open(const struct rcfs_ctx *ctx, const struct rcfs_key *key, int flags,
		 struct rcfs_served *ret);

/* stat(2) of what KEY is served, without opening it. */
int backing_stat(const struct rcfs_ctx *ctx, const struct rcfs_key *key, struct stat *ret_st,
		 enum rcfs_source *ret_source);

/* The path of KEY's own file, for log lines. */
void backing_path(const struct rcfs_ctx *ctx, const struct rcfs_key *key, char *buf, size_t size);
