/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#ifndef NS_GET_ID
#define NS_GET_ID _IOR(0xb7, 13, uint64_t) /* linux/nsfs.h, Linux 6.18 */
#endif
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* asm-generic/socket.h, Linux 5.14 */
#endif

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
	*ret = (struct rcfs_key){ kind, id, strcmp(entry, "self") == 0 ? getpid() : atoi(entry) };
	return 0;
}

/* Where NS_GET_ID is missing (Linux < 6.18, e.g. Debian 12's 6.1), a network namespace
 * still has a cookie that is never reused within a boot: a socket made in it tells it
 * (SO_NETNS_COOKIE). The calling thread enters the namespace for that and goes back; a
 * namespace is per thread, and no other thread sees it. */
static int netns_cookie(int ns_fd, uint64_t *ret)
{
	_cleanup_close_ int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int sock = -1;
	socklen_t len = sizeof(*ret);
	int r = 0;

	if (home < 0)
		return -errno;
	if (setns(ns_fd, CLONE_NEWNET) < 0)
		return errno == EPERM ? -EOPNOTSUPP : -errno; /* e.g. RestrictNamespaces= */
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || getsockopt(sock, SOL_SOCKET, SO_NETNS_COOKIE, ret, &len) < 0)
		r = errno == ENOPROTOOPT ? -EOPNOTSUPP : -errno;
	if (setns(home, CLONE_NEWNET) < 0)
		r = -errno; /* this thread stays there: harmless, we make no connections */
	return r;
}

int key_cookie(int procfs_fd, const struct rcfs_key *key, uint64_t *ret)
{
	_cleanup_close_ int fd = -1;
	char path[64];
	uint64_t id;

	if (!key_kind_is_namespace(key->kind) || key->tid <= 0)
		return -EOPNOTSUPP;
	(void)snprintf(path, sizeof(path), "%d/ns/%s", (int)key->tid, kind_names[key->kind]);
	fd = openat(procfs_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, NS_GET_ID, &id) < 0) {
		if (errno != ENOTTY && errno != EINVAL)
			return -errno;
		return key->kind == KEY_NET ? netns_cookie(fd, ret) : -EOPNOTSUPP;
	}
	*ret = id;
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
		*ret = (struct rcfs_key){ kind, id, 0 };
		return 0;
	}
	/* 0 is "not visible in our pid namespace", or a request without a caller (RELEASE). */
	if (tid <= 0)
		return -ESRCH;
	(void)snprintf(entry, sizeof(entry), "%d", (int)tid);
	return key_of_entry(procfs_fd, kind, entry, ret);
}
