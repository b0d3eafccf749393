/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "names.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

bool name_is_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > NAME_MAX || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	return strspn(name, "0123456789") != len;
}

void names_table_free(struct names_table *t)
{
	if (!t)
		return;
	free(t->entries);
	free(t->strings);
	free(t);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct names_entry *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return strcmp(x->name, y->name);
}

int names_scan(const char *dir, dev_t nsfs_dev, size_t ext_len, struct names_table **ret)
{
	struct names_table *t = calloc(1, sizeof(*t));
	size_t cap = 0, str_len = 0, str_cap = 0;
	struct dirent *de;
	DIR *d;

	if (!t)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		*ret = t; /* no ip netns yet: no names */
		return 0;
	}
	while ((de = readdir(d))) {
		struct stat st;
		size_t len;

		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (!name_is_valid(de->d_name) || strlen(de->d_name) + 1 + ext_len > NAME_MAX) {
			log_debug("ignoring netns name '%s/%s': not usable as a file name", dir,
				  de->d_name);
			continue;
		}
		/* A namespace's name is a bind mount of its nsfs file; until "ip netns add" has
		 * mounted it, it is a plain empty file and is skipped. */
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || st.st_dev != nsfs_dev)
			continue;
		len = strlen(de->d_name) + 1;
		if (t->count == cap) {
			struct names_entry *e;

			cap = cap ? cap * 2 : 16;
			e = realloc(t->entries, cap * sizeof(*e));
			if (!e)
				goto oom;
			t->entries = e;
		}
		if (str_len + len > str_cap) {
			char *s;

			str_cap = (str_len + len) * 2 + 256;
			s = realloc(t->strings, str_cap);
			if (!s)
				goto oom;
			t->strings = s;
		}
		memcpy(t->strings + str_len, de->d_name, len);
		/* offsets for now: strings may still move */
		t->entries[t->count++] = (struct names_entry){ st.st_ino, (const char *)str_len };
		str_len += len;
	}
	(void)closedir(d);
	for (size_t i = 0; i < t->count; i++)
		t->entries[i].name = t->strings + (size_t)t->entries[i].name;
	if (t->count > 1) /* entries is NULL when there are none: not even qsort may see it */
		qsort(t->entries, t->count, sizeof(*t->entries), entry_cmp);
	*ret = t;
	return 0;
oom:
	(void)closedir(d);
	names_table_free(t);
	return -ENOMEM;
}

size_t names_table_find(const struct names_table *t, uint64_t ino, const char **ret, size_t max)
{
	size_t lo = 0, hi = t->count, n = 0;

	while (lo < hi) { /* first entry with entries[i].ino >= ino */
		size_t mid = lo + (hi - lo) / 2;

		if (t->entries[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < t->count && t->entries[i].ino == ino && n < max; i++)
		ret[n++] = t->entries[i].name;
	return n;
}

size_t names_lookup(struct rcfs_names *n, uint64_t ino, char (*ret)[256], size_t max)
{
	const char *found[NAMES_MAX_PER_NS];
	size_t count;

	if (max > NAMES_MAX_PER_NS)
		max = NAMES_MAX_PER_NS;
	pthread_rwlock_rdlock(&n->lock);
	count = n->table ? names_table_find(n->table, ino, found, max) : 0;
	for (size_t i = 0; i < count; i++)
		(void)snprintf(ret[i], 256, "%s", found[i]);
	pthread_rwlock_unlock(&n->lock);
	return count;
}

static void names_rebuild(struct rcfs_names *n)
{
	struct names_table *t = NULL, *old;
	int r;

	r = names_scan(n->dir, n->nsfs_dev, n->ext_len, &t);
	if (r < 0) {
		log_warning_errno(r, "cannot re-read netns names in '%s'; keeping the old ones",
				  n->dir);
		return;
	}
	pthread_rwlock_wrlock(&n->lock);
	old = n->table;
	n->table = t;
	pthread_rwlock_unlock(&n->lock);
	if (log_enabled(LOG_DEBUG))
		log_debug("netns names in '%s': %zu", n->dir, t->count);
	names_table_free(old);
}

#define NAMES_RESCAN_S 5 /* when the directory cannot be watched */

/* (Re)watch the directory: it may not exist yet, or a new one may have been mounted over it. */
static int watch_dir(struct rcfs_names *n, int inotify_fd, int wd)
{
	int new_wd = inotify_add_watch(inotify_fd, n->dir,
				       IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
					       IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR);

	if (wd >= 0 && new_wd != wd)
		(void)inotify_rm_watch(inotify_fd, wd);
	return new_wd;
}

/* The watcher's fds: inotify on the directory, and the mount table ("ip netns add" creates
 * the file first and bind-mounts the namespace on it after: only the mount table's change
 * tells when the name is usable; proc(5), mountinfo). */
struct watches {
	int inotify_fd;
	int mountinfo_fd;
	int wd;
};

static void watches_close(struct watches *w)
{
	if (w->inotify_fd >= 0)
		(void)close(w->inotify_fd);
	if (w->mountinfo_fd >= 0)
		(void)close(w->mountinfo_fd);
	*w = (struct watches){ -1, -1, -1 };
}

/* Returns true when both watches are in place; else the watcher polls the directory. */
static bool watches_open(struct rcfs_names *n, struct watches *w)
{
	watches_close(w);
	w->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->mountinfo_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (w->inotify_fd >= 0)
		w->wd = watch_dir(n, w->inotify_fd, w->wd);
	return w->inotify_fd >= 0 && w->mountinfo_fd >= 0;
}

static void *names_watcher(void *arg)
{
	struct rcfs_names *n = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct watches w = { -1, -1, -1 };
	bool watching = watches_open(n, &w);

	if (!watching)
		log_warning("cannot watch '%s' for netns names: %s; re-reading it every %d s",
			    n->dir, strerror(errno), NAMES_RESCAN_S);
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = n->stop_fd, .events = POLLIN },
			{ .fd = w.inotify_fd, .events = POLLIN },
			{ .fd = w.mountinfo_fd, .events = POLLPRI },
		};
		struct timespec settle = { 0, 20 * 1000 * 1000 };
		int r = poll(p, 3, watching ? -1 : NAMES_RESCAN_S * 1000);

		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0 && p[0].revents)
			break;
		/* Never end silently, which would freeze the names: say so, and start over. */
		if (r < 0 || ((p[1].revents | p[2].revents) & (POLLERR | POLLNVAL) &&
			      !(p[2].revents & POLLPRI))) {
			log_warning("watching '%s' for netns names failed (%s); watching again",
				    n->dir, r < 0 ? strerror(errno) : "poll error");
			watching = watches_open(n, &w);
			settle.tv_sec = 1; /* no busy loop if it keeps failing */
		}
		/* Let a burst ("ip netns add" of many names) settle, then read once. */
		(void)nanosleep(&settle, NULL);
		while (w.inotify_fd >= 0 && read(w.inotify_fd, buf, sizeof(buf)) > 0)
			;
		if (w.inotify_fd >= 0)
			w.wd = watch_dir(n, w.inotify_fd, w.wd);
		if (!watching)
			watching = watches_open(n, &w);
		names_rebuild(n);
	}
	watches_close(&w);
	return NULL;
}

int names_start(struct rcfs_names *n, const char *dir, dev_t nsfs_dev, size_t ext_len, bool watch)
{
	pthread_rwlockattr_t attr;
	int r;

	*n = (struct rcfs_names){ .dir = dir,
				  .nsfs_dev = nsfs_dev,
				  .ext_len = ext_len,
				  .stop_fd = -1 };
	/* Requests read the table all the time; a rebuild must still get its turn. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&n->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	r = names_scan(dir, nsfs_dev, ext_len, &n->table);
	if (r < 0 || !watch)
		return r;
	n->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (n->stop_fd < 0)
		return -errno;
	r = thread_start_no_signals(&n->thread, "rcfs-names", names_watcher, n);
	if (r < 0)
		return r;
	n->running = true;
	return 0;
}

void names_stop(struct rcfs_names *n)
{
	if (n->running) {
		(void)eventfd_write(n->stop_fd, 1);
		(void)pthread_join(n->thread, NULL);
		n->running = false;
	}
	if (n->stop_fd >= 0)
		(void)close(n->stop_fd);
	n->stop_fd = -1;
	names_table_free(n->table);
	n->table = NULL;
	if (n->dir)
		pthread_rwlock_destroy(&n->lock);
}
