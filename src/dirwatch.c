/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dirwatch.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#define FUSE_USE_VERSION 314
#include <fuse3/fuse_lowlevel.h>

#include "dirnodes.h"
#include "log.h"
#include "util.h"

#define BUCKETS 4096
#define FILE_EVENTS (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE)
#define DIR_EVENTS (IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)
#define BATCH_NODES 64 /* distinct nodes dropped per batch of events */

/* A watch descriptor and the node (FUSE inode) it is on. */
struct dirwatch_entry {
	int wd;
	uint64_t ino;
	struct dirwatch_entry *next;
};

int dirwatch_init(struct rcfs_dirwatch *w)
{
	*w = (struct rcfs_dirwatch){ .inotify_fd = -1, .stop_fd = -1, .n_buckets = BUCKETS };
	w->buckets = calloc(w->n_buckets, sizeof(*w->buckets));
	if (!w->buckets)
		return -ENOMEM;
	w->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->inotify_fd < 0 || w->stop_fd < 0) {
		int r = -errno;

		dirwatch_done(w);
		return r;
	}
	pthread_mutex_init(&w->lock, NULL);
	return 0;
}

void dirwatch_done(struct rcfs_dirwatch *w)
{
	for (size_t i = 0; w->buckets && i < w->n_buckets; i++) {
		struct dirwatch_entry *e = w->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(w->buckets);
	w->buckets = NULL;
	if (w->inotify_fd >= 0)
		(void)close(w->inotify_fd);
	if (w->stop_fd >= 0)
		(void)close(w->stop_fd);
	w->inotify_fd = w->stop_fd = -1;
}

static size_t bucket_of(const struct rcfs_dirwatch *w, int wd)
{
	return (size_t)(unsigned)wd % w->n_buckets;
}

void dirwatch_node_new(void *arg, struct rcfs_dirnode *n)
{
	struct rcfs_dirwatch *w = arg;
	struct dirwatch_entry *e;
	char path[64];
	int wd;

	if (n->type != S_IFREG && n->type != S_IFDIR)
		return; /* symlinks: the kernel caches no target (no FUSE_CAP_CACHE_SYMLINKS) */
	e = malloc(sizeof(*e));
	if (!e)
		return;
	/* Our own O_PATH fd: the magic link is exactly the node's object, never a path an
	 * outsider could change meanwhile. */
	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", n->fd);
	wd = inotify_add_watch(w->inotify_fd, path,
			       (n->type == S_IFDIR ? DIR_EVENTS : FILE_EVENTS) | IN_EXCL_UNLINK);
	if (wd < 0) {
		if (errno == ENOSPC && !atomic_exchange(&w->limit_logged, true))
			log_info("inotify watch limit reached (fs.inotify.max_user_watches): "
				 "files beyond it are read afresh at every open");
		free(e);
		return;
	}
	*e = (struct dirwatch_entry){ .wd = wd, .ino = (uintptr_t)n };
	pthread_mutex_lock(&w->lock);
	e->next = w->buckets[bucket_of(w, wd)];
	w->buckets[bucket_of(w, wd)] = e;
	pthread_mutex_unlock(&w->lock);
	atomic_store(&n->wd, wd);
}

void dirwatch_node_gone(void *arg, struct rcfs_dirnode *n)
{
	struct rcfs_dirwatch *w = arg;
	struct dirwatch_entry **p, *e = NULL;
	int wd = atomic_exchange(&n->wd, -1);

	if (wd < 0)
		return;
	pthread_mutex_lock(&w->lock);
	for (p = &w->buckets[bucket_of(w, wd)]; *p; p = &(*p)->next)
		if ((*p)->wd == wd) {
			e = *p;
			*p = e->next;
			break;
		}
	pthread_mutex_unlock(&w->lock);
	free(e);
	(void)inotify_rm_watch(w->inotify_fd, wd);
}

bool dirwatch_node_watched(const struct rcfs_dirnode *n)
{
	return atomic_load(&((struct rcfs_dirnode *)n)->wd) >= 0;
}

/* The node WD watches, or 0 (gone meanwhile). */
static uint64_t node_of_wd(struct rcfs_dirwatch *w, int wd)
{
	struct dirwatch_entry *e;
	uint64_t ino = 0;

	pthread_mutex_lock(&w->lock);
	for (e = w->buckets[bucket_of(w, wd)]; e; e = e->next)
		if (e->wd == wd) {
			ino = e->ino;
			break;
		}
	pthread_mutex_unlock(&w->lock);
	return ino;
}

/* Adds INO to the batch's distinct nodes; false when the batch is full. */
static bool batch_add(uint64_t *batch, size_t *used, uint64_t ino)
{
	for (size_t i = 0; i < *used; i++)
		if (batch[i] == ino)
			return true;
	if (*used == BATCH_NODES)
		return false;
	batch[(*used)++] = ino;
	return true;
}

/* The kernel's answers: -ENOENT (it has no such node or entry cached now) is the usual one.
 * A node freed meanwhile has an id the kernel forgot; a reused id only loses its pages. */
static void drop_node(struct rcfs_dirwatch *w, uint64_t ino)
{
	(void)fuse_lowlevel_notify_inval_inode(w->se, (fuse_ino_t)ino, 0, 0);
}

static void handle_events(struct rcfs_dirwatch *w, const char *buf, size_t len)
{
	uint64_t batch[BATCH_NODES];
	size_t used = 0;

	for (size_t off = 0; off + sizeof(struct inotify_event) <= len;) {
		const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
		uint64_t ino;

		off += sizeof(*ev) + ev->len;
		if (ev->mask & IN_Q_OVERFLOW) {
			log_debug("inotify queue overflowed: changes outside the mount may show "
				  "only at the next open");
			continue;
		}
		if (ev->wd < 0 || (ev->mask & IN_IGNORED) || !(ino = node_of_wd(w, ev->wd)))
			continue;
		if (ev->len && ev->name[0]) /* an entry of a watched directory */
			(void)fuse_lowlevel_notify_inval_entry(w->se, (fuse_ino_t)ino, ev->name,
							       strlen(ev->name));
		if (!batch_add(batch, &used, ino)) {
			for (size_t i = 0; i < used; i++)
				drop_node(w, batch[i]);
			used = 0;
			(void)batch_add(batch, &used, ino);
		}
	}
	for (size_t i = 0; i < used; i++)
		drop_node(w, batch[i]);
}

static void *watch_loop(void *arg)
{
	struct rcfs_dirwatch *w = arg;
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = w->stop_fd, .events = POLLIN },
			{ .fd = w->inotify_fd, .events = POLLIN },
		};
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_warning_errno(-errno, "backing tree watcher stopped");
			break;
		}
		if (p[0].revents)
			break;
		while ((n = read(w->inotify_fd, buf, sizeof(buf))) > 0)
			handle_events(w, buf, (size_t)n);
	}
	return NULL;
}

int dirwatch_start(struct rcfs_dirwatch *w, struct fuse_session *se)
{
	int r;

	w->se = se;
	r = thread_start_no_signals(&w->thread, "rcfs-dirwatch", watch_loop, w);
	if (r < 0)
		return r;
	w->started = true;
	return 0;
}

void dirwatch_stop(struct rcfs_dirwatch *w)
{
	uint64_t one = 1;

	if (!w->started)
		return;
	if (write(w->stop_fd, &one, sizeof(one)) < 0)
		log_warning_errno(-errno, "cannot stop the backing tree watcher");
	else
		(void)pthread_join(w->thread, NULL);
	w->started = false;
}
