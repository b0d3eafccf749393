/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

static int key_from_entry(int procfs_fd, const char *kind, const char *entry, struct rcfs_key *ret)
{
	char path[64], link[64];
	ssize_t n;
	int r;

	(void)snprintf(path, sizeof(path), "%s/ns/%s", entry, kind);
	n = readlinkat(procfs_fd, path, link, sizeof(link));
	if (n < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if ((size_t)n >= sizeof(link))
		return -EXDEV;
	r = key_parse_link(link, (size_t)n, kind, &ret->id);
	return r < 0 ? -EXDEV : 0;
}

int key_from_tid(int procfs_fd, const char *kind, pid_t tid, struct rcfs_key *ret)
{
	char entry[16];

	/* 0 is "not visible in our pid namespace", or a request without a caller (RELEASE). */
	if (tid <= 0)
		return -ESRCH;
	(void)snprintf(entry, sizeof(entry), "%d", (int)tid);
	return key_from_entry(procfs_fd, kind, entry, ret);
}

int key_of_self(int procfs_fd, const char *kind, struct rcfs_key *ret)
{
	return key_from_entry(procfs_fd, kind, "self", ret);
}
