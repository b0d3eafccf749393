/* SPDX-License-Identifier: GPL-2.0-or-later */
/* May this caller do this to this file? The POSIX rules the kernel applies to a regular file,
 * decided by the daemon against the file it chose for the caller: the mount is one inode, so
 * the kernel's own check (default_permissions) would use whichever namespace's mode and owner
 * it saw last. No libfuse types.
 *
 * The request gives uid and gid. Supplementary groups and effective capabilities come from
 * /proc/TID/status, read only when the decision depends on them; capabilities count only for
 * a caller in the daemon's own user namespace (root of a child user namespace has them for
 * its own objects, not for ours). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define ACCESS_GROUPS_MAX 65536 /* NGROUPS_MAX on Linux */

/* Capability bits, as in linux/capability.h. */
#define ACCESS_CAP_CHOWN (1ULL << 0)
#define ACCESS_CAP_DAC_OVERRIDE (1ULL << 1)
#define ACCESS_CAP_DAC_READ_SEARCH (1ULL << 2)
#define ACCESS_CAP_FOWNER (1ULL << 3)

/* What /proc/TID/status says about a caller. */
struct access_status {
	uint64_t cap_eff;
	size_t n_groups;
	gid_t *groups; /* n_groups entries, allocated; NULL when none */
};

struct access_caller {
	pid_t tid; /* 0: unknown (only uid and gid count, no groups, no capabilities) */
	uid_t uid;
	gid_t gid;
	int procfs_fd;
	const char *self_userns; /* the daemon's "user:[N]" link text */
	/* Filled on first need. */
	bool loaded;
	bool status_ok;
	bool own_userns;
	struct access_status status;
};

void access_caller_init(struct access_caller *c, int procfs_fd, const char *self_userns, pid_t tid,
			uid_t uid, gid_t gid);
void access_caller_done(struct access_caller *c);

/* Parses the text of /proc/PID/status (len bytes) for CapEff and Groups. Returns 0, or
 * -EINVAL when either line is missing or malformed, -ENOMEM. */
int access_parse_status(const char *text, size_t len, struct access_status *ret);
void access_status_free(struct access_status *s);

/* R_OK/W_OK/X_OK in MASK against ST. Returns 0 or -EACCES. */
int access_check(struct access_caller *c, const struct stat *st, int mask);

/* An open(2) with FLAGS (O_ACCMODE, O_TRUNC needs write). Returns 0 or -EACCES. */
int access_check_open(struct access_caller *c, const struct stat *st, int flags);

/* Removing or replacing entry ST in directory DIR (unlink, rmdir, rename's source or target):
 * write and search on DIR, and where DIR is sticky, the caller owns ST or DIR (or has
 * CAP_FOWNER). Returns 0, -EACCES or -EPERM. */
int access_check_delete(struct access_caller *c, const struct stat *dir, const struct stat *st);

/* A hard link to ST (fs.protected_hardlinks): the caller owns it, may read and write it, or
 * has CAP_FOWNER. Returns 0 or -EPERM. */
int access_check_link(struct access_caller *c, const struct stat *st);

/* What a SETATTR changes; the values are libfuse's FUSE_SET_ATTR_* (fsops.c asserts it). */
enum {
	ACCESS_SET_MODE = 1 << 0,
	ACCESS_SET_UID = 1 << 1,
	ACCESS_SET_GID = 1 << 2,
	ACCESS_SET_SIZE = 1 << 3,
	ACCESS_SET_ATIME = 1 << 4,
	ACCESS_SET_MTIME = 1 << 5,
	ACCESS_SET_ATIME_NOW = 1 << 7,
	ACCESS_SET_MTIME_NOW = 1 << 8,
};

/* A SETATTR (ACCESS_SET_* in TO_SET, new values in ATTR) of ST (a directory may keep or get
 * its set-group-id bit, which only passes the group on). FROM_WRITABLE_FD: it came
 * with a handle open for writing (ftruncate). Returns 0, -EPERM (not the owner, or S_ISUID or
 * S_ISGID asked for) or -EACCES (no write permission for a size or "now" time change). */
int access_check_setattr(struct access_caller *c, const struct stat *st, const struct stat *attr,
			 int to_set, bool from_writable_fd);
