/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Owner marks, on the files (and, with --dir, the directories) the daemon creates for a
 * namespace by ID: "BOOT_ID:COOKIE", the boot and the namespace's 64-bit id that is never
 * reused within a boot (key_cookie()); "BOOT_ID:" alone where the kernel has no such id. The
 * kernel hands a dead namespace's inode number, so its ID, to the next new namespace, and the
 * cookies start again at each boot: the two together tell an old namespace from a new one.
 * Objects an admin made carry none and are trusted. (Marks of 0.2.0 are a bare cookie.) A
 * backing file system without user xattrs (tmpfs before Linux 6.6) keeps no mark. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "context.h"
#include "key.h"

/* Marks FD (not O_PATH: xattr calls need a real open) as KEY's namespace's. */
void owner_mark(const struct rcfs_ctx *ctx, const struct rcfs_key *key, int fd);

/* Whether FD's (not O_PATH) mark names another namespace than KEY's: one that died, its ID handed on
 * (RET_SAME_BOOT), or one of an earlier boot. Unmarked, not our mark, or a cookie the
 * kernel cannot tell: false. RET_MARK names the object once moved aside (its cookie, or
 * its inode number for a mark of the boot alone). */
bool owner_is_stale(const struct rcfs_ctx *ctx, const struct rcfs_key *key, int fd,
		    uint64_t *ret_mark, bool *ret_same_boot);

/* Moves the stale NAME in the backing directory to NAME.stale-MARK (never deleted: --gc lists
 * it), and says so. Returns 0 (also when another caller moved it first) or a -errno. */
int owner_set_aside(const struct rcfs_ctx *ctx, const struct rcfs_key *key, const char *name,
		    uint64_t mark, bool same_boot);
