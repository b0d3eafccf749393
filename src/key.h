/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who is asking: a caller's thread id (or uid, gid) → the key its file is named by.
 * No libfuse types. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum rcfs_key_kind {
	KEY_NET, /* the default: /proc/TID/ns/net */
	KEY_MNT,
	KEY_UTS,
	KEY_IPC,
	KEY_PID,
	KEY_USER,
	KEY_CGROUP,
	KEY_TIME,
	KEY_UID, /* the caller's uid from the request */
	KEY_GID,
	_KEY_KIND_MAX,
};

struct rcfs_key {
	enum rcfs_key_kind kind;
	uint64_t id; /* nsfs inode number ("net:[ID]") or uid/gid: the backing file's name */
	pid_t tid; /* whose PROCFS entry it was read from (0: none), for key_cookie() */
};

/* "net", "uts", ..., "uid", "gid" → kind, or -EINVAL. */
int key_kind_from_string(const char *s);
const char *key_kind_name(enum rcfs_key_kind kind);
bool key_kind_is_namespace(enum rcfs_key_kind kind);

/* Parses the text of a /proc/PID/ns/KIND link, "KIND:[ID]" (len bytes, not NUL-terminated).
 * Returns 0, or -EINVAL when it is anything else (not a procfs, another kind, overflow). */
int key_parse_link(const char *link, size_t len, const char *kind, uint64_t *ret_id);

/* The key of the caller of a request: for a namespace kind, read from PROCFS/<tid>/ns/<kind>
 * (a tid, not a tgid: a thread that called setns() has its own); for uid/gid, the request's.
 * Returns 0; -ESRCH for tid 0 or a thread that is gone (or an unmapped uid/gid); -EACCES
 * when procfs refuses; -EXDEV when the link is not a namespace link. */
int key_from_caller(int procfs_fd, enum rcfs_key_kind kind, pid_t tid, uid_t uid, gid_t gid,
		    struct rcfs_key *ret);

/* The namespace's 64-bit id (nsfs ioctl NS_GET_ID, Linux 6.18; for a network namespace on
 * older kernels its SO_NETNS_COOKIE, Linux 5.14): unlike the inode number it is never reused
 * within a boot, so it tells a live namespace from a dead one that had the same ID.
 * Returns 0, -EOPNOTSUPP (older kernel, or not a namespace key) or another -errno. */
int key_cookie(int procfs_fd, const struct rcfs_key *key, uint64_t *ret);

/* The same for a process listed in PROCFS ("self", or a pid as text). */
int key_of_entry(int procfs_fd, enum rcfs_key_kind kind, const char *entry, struct rcfs_key *ret);
