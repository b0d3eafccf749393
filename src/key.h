/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who is asking: a caller's thread id → the namespace it is in. No libfuse types. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rcfs_key {
	uint64_t id; /* nsfs inode number: what "net:[ID]" shows, and the backing file's name */
};

/* Parses the text of a /proc/PID/ns/KIND link, "KIND:[ID]" (len bytes, not NUL-terminated).
 * Returns 0, or -EINVAL when it is anything else (not a procfs, another kind, overflow). */
int key_parse_link(const char *link, size_t len, const char *kind, uint64_t *ret_id);

/* The namespace of KIND that thread tid is in, read from PROCFS/<tid>/ns/<kind> (a tid, not a
 * tgid: a thread that called setns() has its own). Returns 0; -ESRCH for tid 0 or a thread
 * that is gone; -EACCES when procfs refuses; -EXDEV when the link is not a namespace link. */
int key_from_tid(int procfs_fd, const char *kind, pid_t tid, struct rcfs_key *ret);

/* The same for the daemon itself, via PROCFS/self (right even in a child pid namespace). */
int key_of_self(int procfs_fd, const char *kind, struct rcfs_key *ret);
