/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "owner.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "log.h"

#define OWNER_XATTR "user.resolvconffs.ns"

void owner_mark(const struct rcfs_ctx *ctx, const struct rcfs_key *key, int fd)
{
	char value[64];
	uint64_t cookie;

	if (key_cookie(ctx->procfs_fd, key, &cookie) < 0)
		(void)snprintf(value, sizeof(value), "%s:", ctx->boot_id);
	else
		(void)snprintf(value, sizeof(value), "%s:%" PRIu64, ctx->boot_id, cookie);
	(void)fsetxattr(fd, OWNER_XATTR, value, strlen(value), 0); /* no user xattrs: unmarked */
}

bool owner_is_stale(const struct rcfs_ctx *ctx, const struct rcfs_key *key, int fd,
		    uint64_t *ret_mark, bool *ret_same_boot)
{
	char value[64], *end;
	const char *number = value, *colon;
	uint64_t mark, cookie;
	bool same_boot = true;
	ssize_t n;

	n = fgetxattr(fd, OWNER_XATTR, value, sizeof(value) - 1);
	if (n <= 0)
		return false; /* unmarked */
	value[n] = '\0';
	colon = strrchr(value, ':');
	if (colon) {
		same_boot = (size_t)(colon - value) == strlen(ctx->boot_id) &&
			    memcmp(value, ctx->boot_id, (size_t)(colon - value)) == 0;
		number = colon + 1;
	}
	errno = 0;
	mark = strtoull(number, &end, 10);
	if (colon && *number == '\0') { /* the boot alone */
		struct stat st;

		if (same_boot || fstat(fd, &st) < 0)
			return false;
		mark = st.st_ino;
	} else if (errno || *end || end == number) {
		return false; /* not our mark */
	} else if (same_boot && (key_cookie(ctx->procfs_fd, key, &cookie) < 0 || cookie == mark)) {
		return false;
	}
	*ret_mark = mark;
	*ret_same_boot = same_boot;
	return true;
}

int owner_set_aside(const struct rcfs_ctx *ctx, const struct rcfs_key *key, const char *name,
		    uint64_t mark, bool same_boot)
{
	char aside[NAME_MAX + 1];

	(void)snprintf(aside, sizeof(aside), "%.200s.stale-%" PRIu64, name, mark);
	if (renameat2(ctx->backing_dir_fd, name, ctx->backing_dir_fd, aside, RENAME_NOREPLACE) <
		    0 &&
	    errno != ENOENT) /* ENOENT: another caller moved it first */
		return -errno;
	log_warning("'%s/%s' belonged to a %s namespace that no longer exists (%s); moved to "
		    "'%s'",
		    ctx->cfg->backing_dir, name, key_kind_name(key->kind),
		    same_boot ? "its ID was reused" : "it was made before this boot", aside);
	return 0;
}
