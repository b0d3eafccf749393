/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static const char *const kind_names[_KEY_KIND_MAX] = {
	[KEY_NET] = "net", [KEY_MNT] = "mnt",	[KEY_UTS] = "uts",	 [KEY_IPC] = "ipc",
	[KEY_PID] = "pid", [KEY_USER] = "user", [KEY_CGROUP] = "cgroup", [KEY_TIME] = "time",
	[KEY_UID] = "uid", [KEY_GID] = "gid",
};

int key_kind_from_string(const char *s)
{
	for (int k = 0; k < _KEY_KIND_MAX; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -EINVAL;
}

const char *key_kind_name(enum rcfs_key_kind kind)
{
	return kind < _KEY_KIND_MAX ? kind_names[kind] : "?";
}

bool key_kind_is_namespace(enum rcfs_key_kind kind)
{
	return kind < KEY_UID;
}

int key_parse_link(const char *link, size_t len, const char *kind, uint64_t *ret_id)
{
	size_t klen = strlen(kind), i;
	uint64_t id = 0;

	/* KIND ":[" digits "]" and nothing else; no leading zeros, as the kernel prints. */
	if (len < klen + 4 || memcmp(link, kind, klen) != 0 || link[klen] != ':' ||
	    link[klen + 1] != '[' || link[len - 1] != ']')
		return -EINVAL;
	for (i = klen + 2; i < len - 1; i++) {
		unsigned d = (unsigned char)link[i] - '0';

		if (d > 9 || (i == klen + 2 && d == 0 && len - 1 - i > 1))
			return -EINVAL;
		if (id > (UINT64_MAX - d) / 10)
			return -EINVAL;
		id = id * 10 + d;
	}
	*ret_id = id;
	return 0;
}

int key_of_entry(int procfs_fd, enum rcfs_key_kind kind, const char *entry, struct rcfs_key *ret)
{
	char path[64], link[64];
	uint64_t id;
	ssize_t n;

	if (!key_kind_is_namespace(kind))
		return -EINVAL;
	(void)snprintf(path, sizeof(path), "%s/ns/%s", entry, kind_names[kind]);
	/* One readlinkat: the link text is the ID. (A pid-keyed cache would be wrong: pids and
	 * namespaces change under it; the lookup is cheap next to the FUSE round trip.) */
	n = readlinkat(procfs_fd, path, link, sizeof(link));
	if (n < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if ((size_t)n >= sizeof(link) || key_parse_link(link, (size_t)n, kind_names[kind], &id) < 0)
		return -EXDEV;
	*ret = (struct rcfs_key){ kind, id };
	return 0;
}

int key_from_caller(int procfs_fd, enum rcfs_key_kind kind, pid_t tid, uid_t uid, gid_t gid,
		    struct rcfs_key *ret)
{
	char entry[16];

	if (kind == KEY_UID || kind == KEY_GID) {
		uint64_t id = kind == KEY_UID ? uid : gid;

		if (id == (uint32_t)-1) /* no mapping into the daemon's user namespace */
			return -ESRCH;
		*ret = (struct rcfs_key){ kind, id };
		return 0;
	}
	/* 0 is "not visible in our pid namespace", or a request without a caller (RELEASE). */
	if (tid <= 0)
		return -ESRCH;
	(void)snprintf(entry, sizeof(entry), "%d", (int)tid);
	return key_of_entry(procfs_fd, kind, entry, ret);
}
