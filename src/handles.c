/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "handles.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

/* fds kept for root, whatever the other uids hold: the daemon's own files, root's opens. */
#define ROOT_RESERVE 256
#define HANDLES_PER_UID 16384 /* ~1 MiB of handles */

struct rcfs_shared_fd {
	dev_t dev;
	ino_t ino;
	int fd;
	unsigned refs;
	struct rcfs_shared_fd *next;
};

struct rcfs_uid_usage {
	uid_t uid;
	unsigned handles;
	unsigned fds;
	struct rcfs_uid_usage *next;
};

void handles_init(struct rcfs_handles *h, unsigned long fd_limit)
{
	unsigned long usable = fd_limit > 2 * ROOT_RESERVE ? fd_limit - ROOT_RESERVE : fd_limit / 2;

	*h = (struct rcfs_handles){ .lock = PTHREAD_MUTEX_INITIALIZER };
	/* One uid may take an eighth of what is left after root's reserve. */
	h->fds_per_uid = (unsigned)(usable / 8 > 16 ? usable / 8 : 16);
	h->handles_per_uid = HANDLES_PER_UID;
}

void handles_done(struct rcfs_handles *h)
{
	while (h->live)
		handles_free(h, h->live);
	for (size_t b = 0; b < HANDLES_BUCKETS; b++) {
		for (struct rcfs_shared_fd *s = h->files[b], *next; s; s = next) {
			next = s->next;
			(void)close(s->fd);
			free(s);
		}
		for (struct rcfs_uid_usage *u = h->uids[b], *next; u; u = next) {
			next = u->next;
			free(u);
		}
	}
	pthread_mutex_destroy(&h->lock);
}

static size_t file_bucket(dev_t dev, ino_t ino)
{
	uint64_t x = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;

	return (size_t)(x >> 40) % HANDLES_BUCKETS;
}

static struct rcfs_uid_usage **uid_slot(struct rcfs_handles *h, uid_t uid)
{
	struct rcfs_uid_usage **p = &h->uids[(uid * 2654435761u) % HANDLES_BUCKETS];

	while (*p && (*p)->uid != uid)
		p = &(*p)->next;
	return p;
}

/* Charges UID one handle (and one fd, for a private one). Under the lock. */
static int charge(struct rcfs_handles *h, uid_t uid, bool private_fd)
{
	struct rcfs_uid_usage **p = uid_slot(h, uid), *u = *p;
	unsigned suppressed;

	if (!u) {
		u = calloc(1, sizeof(*u));
		if (!u)
			return -ENOMEM;
		u->uid = uid;
		*p = u;
	}
	if (uid != 0 &&
	    (u->handles >= h->handles_per_uid || (private_fd && u->fds >= h->fds_per_uid))) {
		if (log_ratelimit_ok(&h->limit_log, 10, &suppressed))
			log_warning(
				"uid %u holds %u open handles (%u with an fd of their own), its "
				"limit; further opens get EMFILE (%u similar messages "
				"suppressed)",
				(unsigned)uid, u->handles, u->fds, suppressed);
		if (u->handles == 0) {
			*p = u->next;
			free(u);
		}
		return -EMFILE;
	}
	u->handles++;
	u->fds += private_fd;
	return 0;
}

static void uncharge(struct rcfs_handles *h, uid_t uid, bool private_fd)
{
	struct rcfs_uid_usage **p = uid_slot(h, uid), *u = *p;

	if (!u)
		return;
	u->handles--;
	u->fds -= private_fd;
	if (u->handles == 0) {
		*p = u->next;
		free(u);
	}
}

/* The shared fd for (DEV, INO), with one more reference. If there is one, *FD is left for
 * the caller to close (not under the lock); else FD becomes the shared one (*FD = -1).
 * An open shared fd pins its inode, so its number cannot name another file meanwhile. */
static struct rcfs_shared_fd *share_fd(struct rcfs_handles *h, int *fd, const struct stat *st)
{
	struct rcfs_shared_fd **p = &h->files[file_bucket(st->st_dev, st->st_ino)], *s;

	for (s = *p; s; s = s->next)
		if (s->dev == st->st_dev && s->ino == st->st_ino) {
			s->refs++;
			return s;
		}
	s = malloc(sizeof(*s));
	if (!s)
		return NULL;
	*s = (struct rcfs_shared_fd){ st->st_dev, st->st_ino, TAKE_FD(*fd), 1, *p };
	*p = s;
	return s;
}

/* Drops a reference; returns the fd to close when it was the last one, else -1. */
static int unshare_fd(struct rcfs_handles *h, struct rcfs_shared_fd *s)
{
	struct rcfs_shared_fd **p = &h->files[file_bucket(s->dev, s->ino)];
	int fd = s->fd;

	if (--s->refs > 0)
		return -1;
	while (*p != s)
		p = &(*p)->next;
	*p = s->next;
	free(s);
	return fd;
}

int handles_new(struct rcfs_handles *h, uid_t uid, enum rcfs_source source, int fd,
		const struct stat *st, bool share, bool owns_fd, struct rcfs_handle **ret)
{
	_cleanup_free_ struct rcfs_handle *handle = malloc(sizeof(*handle));
	_cleanup_close_ int own_fd = owns_fd ? fd : -1; /* closed unless kept */
	bool private_fd = owns_fd && !share;
	int r;

	if (!handle)
		return -ENOMEM;
	*handle =
		(struct rcfs_handle){ .source = source, .fd = fd, .owns_fd = owns_fd, .uid = uid };
	pthread_mutex_lock(&h->lock);
	r = charge(h, uid, private_fd);
	if (r == 0 && share && owns_fd) {
		handle->shared = share_fd(h, &own_fd, st);
		if (!handle->shared)
			uncharge(h, uid, private_fd);
		else
			handle->fd = handle->shared->fd;
		r = handle->shared ? 0 : -ENOMEM;
	}
	if (r == 0) {
		handle->next = h->live;
		if (h->live)
			h->live->prev = handle;
		h->live = handle;
	}
	pthread_mutex_unlock(&h->lock);
	if (r < 0)
		return r;
	if (private_fd)
		own_fd = -1; /* the handle's own */
	*ret = TAKE_PTR(handle);
	return 0;
}

void handles_free(struct rcfs_handles *h, struct rcfs_handle *handle)
{
	bool private_fd = handle->owns_fd && !handle->shared;
	int last_fd = -1;

	pthread_mutex_lock(&h->lock);
	if (handle->prev)
		handle->prev->next = handle->next;
	else
		h->live = handle->next;
	if (handle->next)
		handle->next->prev = handle->prev;
	uncharge(h, handle->uid, private_fd);
	if (handle->shared)
		last_fd = unshare_fd(h, handle->shared);
	pthread_mutex_unlock(&h->lock);
	if (private_fd)
		(void)close(handle->fd);
	if (last_fd >= 0)
		(void)close(last_fd);
	free(handle);
}
