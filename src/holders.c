/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What keeps a namespace alive, for --list and --gc: one pass over PROCFS that collects every
 * live namespace (or uid, gid) and what holds it. Reads PROCFS and mount tables only. */
#include "holders.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mounts.h"
#include "util.h"

static int live_add(struct live_set *s, uint64_t id, enum holder by, pid_t tid)
{
	if (s->n == s->cap) {
		struct live *v = realloc(s->v, (s->cap ? s->cap * 2 : 64) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = s->cap ? s->cap * 2 : 64;
	}
	s->v[s->n++] = (struct live){ id, by, by == HELD_BY_THREAD ? tid : 0 };
	return 0;
}

static int live_cmp(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->by != y->by)
		return x->by < y->by ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* Sorted by id, one entry per id: a thread in it (the lowest tid) if any, else a mount, ... */
static void live_finish(struct live_set *s)
{
	size_t j = 0;

	if (s->n == 0)
		return; /* v may be NULL: no qsort */
	qsort(s->v, s->n, sizeof(*s->v), live_cmp);
	for (size_t i = 0; i < s->n; i++)
		if (j == 0 || s->v[j - 1].id != s->v[i].id)
			s->v[j++] = s->v[i];
	s->n = j;
}

bool live_has(const struct live_set *s, uint64_t id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].id == id)
			return true;
		if (s->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The uid or gid the kernel checks files against (the fs one), from PROCFS/TASK/status. */
static int status_id(int procfs_fd, const char *task, enum rcfs_key_kind kind, uint64_t *ret)
{
	const char *key = kind == KEY_UID ? "Uid:" : "Gid:";
	_cleanup_free_ char *line = NULL;
	unsigned long long r, e, s, fs;
	size_t cap = 0;
	char path[64];
	int fd, found = -ENOENT;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/status", task);
	fd = openat(procfs_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "re");
	if (!f) {
		(void)close(fd);
		return -errno;
	}
	while (getline(&line, &cap, f) > 0)
		if (strncmp(line, key, 4) == 0 &&
		    sscanf(line + 4, "%llu %llu %llu %llu", &r, &e, &s, &fs) == 4) {
			*ret = fs;
			found = 0;
			break;
		}
	(void)fclose(f);
	return found;
}

static DIR *opendir_fd(int dir_fd)
{
	return opendir_at(dir_fd, ".");
}

/* A pid, tid or fd in PROCFS: no leading zero, at most 10 digits (paths are built with
 * "%.10s"). fd 0 is the one zero. */
static bool all_digits(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= 10 && s[n] == '\0' && (s[0] != '0' || n == 1);
}

/* One pass over PROCFS that collects every live ID; what it could not look at is a gap. */
struct scan {
	const struct rcfs_ctx *ctx;
	const char *kind; /* the link text's prefix: "net" in "net:[ID]" */
	const char *children; /* "pid_for_children" or "time_for_children": holds one too */
	dev_t nsfs_dev;
	struct live_set *live;
	uint64_t *mnt_seen; /* sorted: mount namespaces whose mountinfo was read */
	size_t n_mnt_seen;
	bool own_pids; /* PROCFS shows our pid namespace: its pids are ours for kcmp, pidfds */
	pid_t *tables; /* tids of this process whose fd table was read */
	size_t n_tables;
	bool gap_here; /* something of this process could not be read */
	size_t gaps; /* processes with a gap */
	int gap_error; /* the first one's -errno and pid */
	pid_t gap_pid;
};

/* ENOENT and ESRCH: the task, fd or mount is gone, or never was (a kernel thread, a -P tree of
 * links): nothing held there. Anything else (EACCES from an LSM, ...): we cannot tell. */
static int scan_gap(struct scan *s, const char *pid, int r)
{
	if (r == -ENOENT || r == -ESRCH || r == -ENOTDIR)
		return 0;
	if (r == -ENOMEM)
		return r;
	if (!s->gap_here && s->gaps++ == 0) {
		s->gap_error = r;
		s->gap_pid = (pid_t)atoi(pid);
	}
	s->gap_here = true;
	return 0;
}

/* Whether ID is in the sorted V; where it would go in *ret_pos. */
static bool seen_find(const uint64_t *v, size_t n, uint64_t id, size_t *ret_pos)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] == id)
			return true;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret_pos = lo;
	return false;
}

static int seen_add(uint64_t **v, size_t *n, uint64_t id)
{
	uint64_t *nv;
	size_t pos;

	if (seen_find(*v, *n, id, &pos))
		return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	memmove(nv + pos + 1, nv + pos, (*n - pos) * sizeof(*nv));
	nv[pos] = id;
	*v = nv;
	(*n)++;
	return 0;
}

/* "KIND:[ID]" of the link PATH (relative to DIR_FD) names. -EXDEV: some other link. */
static int read_ns_link(int dir_fd, const char *path, const char *kind, uint64_t *ret)
{
	char link[64];
	ssize_t n;

	n = readlinkat(dir_fd, path, link, sizeof(link));
	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(link) || key_parse_link(link, (size_t)n, kind, ret) < 0)
		return -EXDEV;
	return 0;
}

/* nsfs bind mounts of our kind in a mountinfo file. */
static int scan_mountinfo(struct scan *s, FILE *f)
{
	_cleanup_free_ char *line = NULL;
	char root[64], fstype[16];
	size_t cap = 0;
	uint64_t id;
	int r;

	while (getline(&line, &cap, f) > 0) {
		/* Other mounts' ROOT may not fit in root[]: they are no namespace files. */
		if (mounts_parse_root(line, root, sizeof(root), fstype, sizeof(fstype)) < 0 ||
		    strcmp(fstype, "nsfs") != 0 ||
		    key_parse_link(root, strlen(root), s->kind, &id) < 0)
			continue;
		r = live_add(s->live, id, HELD_BY_MOUNT, 0);
		if (r < 0)
			return r;
	}
	return ferror(f) ? -EIO : 0;
}

/* Bind mounts are per mount namespace: read each one's table once, through a task in it. */
static int scan_mounts_of(struct scan *s, const char *pid, const char *task)
{
	char path[64];
	uint64_t mnt;
	size_t pos;
	FILE *f;
	int fd, r;

	(void)snprintf(path, sizeof(path), "%s/ns/mnt", task);
	r = read_ns_link(s->ctx->procfs_fd, path, "mnt", &mnt);
	if (r == -EXDEV)
		return 0; /* a -P tree without mnt links */
	if (r < 0)
		return scan_gap(s, pid, r);
	if (seen_find(s->mnt_seen, s->n_mnt_seen, mnt, &pos))
		return 0;
	/* Marked as read only once read: another task in it may let us when this one did not. */
	(void)snprintf(path, sizeof(path), "%s/mountinfo", task);
	fd = openat(s->ctx->procfs_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return scan_gap(s, pid, -errno);
	f = fdopen(fd, "re");
	if (!f) {
		(void)close(fd);
		return -ENOMEM;
	}
	r = scan_mountinfo(s, f);
	(void)fclose(f);
	if (r < 0)
		return scan_gap(s, pid, r);
	return seen_add(&s->mnt_seen, &s->n_mnt_seen, mnt);
}

/* The network namespace a socket of another process was made in: a copy of its fd
 * (pidfd_getfd(2), Linux 5.6), then SIOCGSKNS. */
static int socket_netns(int pidfd, int fd, uint64_t *ret)
{
	_cleanup_close_ int copy = -1, ns = -1;
	struct stat st;

	copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (copy < 0)
		return -errno;
	ns = ioctl(copy, SIOCGSKNS);
	if (ns < 0)
		return -errno;
	if (fstat(ns, &st) < 0)
		return -errno;
	*ret = st.st_ino;
	return 0;
}

/* Threads may share one fd table or not (clone without CLONE_FILES, unshare(CLONE_FILES)):
 * read each table once. kcmp(2) refused or missing: read them all. */
static int fd_table_seen(struct scan *s, pid_t tid)
{
	pid_t *v;

	for (size_t i = 0; s->own_pids && i < s->n_tables; i++)
		if (syscall(SYS_kcmp, tid, s->tables[i], KCMP_FILES, 0, 0) == 0)
			return 1;
	v = realloc(s->tables, (s->n_tables + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->tables = v;
	s->tables[s->n_tables++] = tid;
	return 0;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* linux/pidfd.h, Linux 6.9: a pidfd for one thread */
#endif

/* A pidfd for the task whose fd table we read: another thread's table needs one of its own. */
static int pidfd_of(const char *pid, pid_t tid)
{
	pid_t leader = (pid_t)atoi(pid);

	return (int)syscall(SYS_pidfd_open, tid, tid == leader ? 0 : PIDFD_THREAD);
}

/* Open fds of our kind's nsfs files, and with net, of sockets made in a namespace. */
static int scan_fds(struct scan *s, const char *pid, const char *task, pid_t tid)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_close_ int pidfd = -1; /* opened at the first socket; -2: refused */
	struct dirent *de;
	char path[64];
	int r;

	(void)snprintf(path, sizeof(path), "%s/fd", task);
	d = opendir_at(s->ctx->procfs_fd, path);
	if (!d)
		return scan_gap(s, pid, -errno);
	while ((de = readdir(d))) {
		char link[64];
		struct stat st;
		uint64_t id;
		ssize_t n;

		if (!all_digits(de->d_name))
			continue;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link));
		if (n < 0 && errno == ENOENT)
			continue; /* closed meanwhile */
		if (n < 0)
			return scan_gap(s, pid, -errno); /* the others would fail alike */
		if ((size_t)n >= sizeof(link))
			continue; /* a long path: no namespace, no socket */
		if (s->ctx->key_kind == KEY_NET && s->own_pids && n > 8 &&
		    memcmp(link, "socket:[", 8) == 0) {
			/* Best effort, as documented: a socket we may not copy is not seen. */
			if (pidfd == -1 && (pidfd = pidfd_of(pid, tid)) < 0)
				pidfd = -2;
			if (pidfd < 0 || socket_netns(pidfd, atoi(de->d_name), &id) < 0)
				continue;
			r = live_add(s->live, id, HELD_BY_SOCKET, 0);
			if (r < 0)
				return r;
			continue;
		}
		if (key_parse_link(link, (size_t)n, s->kind, &id) < 0)
			continue;
		/* The text alone could be a file's name; an nsfs inode is the namespace. If the
		 * fd was closed meanwhile, it holds nothing; if stat is refused, keep the ID. */
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0) {
			if (errno == ENOENT)
				continue;
		} else if (st.st_dev != s->nsfs_dev) {
			continue;
		}
		r = live_add(s->live, id, HELD_BY_FD, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One thread: the namespace it is in (and the one its children get), or its fs uid/gid. */
static int scan_task(struct scan *s, const char *pid, const char *task)
{
	const struct rcfs_ctx *ctx = s->ctx;
	pid_t tid = (pid_t)atoi(strrchr(task, '/') ? strrchr(task, '/') + 1 : task);
	char path[64];
	uint64_t id;
	int r;

	if (!key_kind_is_namespace(ctx->key_kind)) {
		r = status_id(ctx->procfs_fd, task, ctx->key_kind, &id);
		if (r < 0)
			return scan_gap(s, pid, r);
		return live_add(s->live, id, HELD_BY_THREAD, tid);
	}
	for (int i = 0; i < 2; i++) {
		const char *link = i == 0 ? s->kind : s->children;

		if (!link)
			break;
		(void)snprintf(path, sizeof(path), "%s/ns/%s", task, link);
		r = read_ns_link(ctx->procfs_fd, path, s->kind, &id);
		if (r == -EXDEV)
			continue; /* a -P tree's link that is no namespace: as before, skipped */
		if (r < 0) {
			r = scan_gap(s, pid, r);
			if (r < 0)
				return r;
			continue;
		}
		r = live_add(s->live, id, HELD_BY_THREAD, tid);
		if (r < 0)
			return r;
	}
	r = scan_mounts_of(s, pid, task);
	if (r < 0)
		return r;
	r = fd_table_seen(s, tid);
	if (r != 0)
		return r < 0 ? r : 0;
	return scan_fds(s, pid, task, tid);
}

/* Every thread of process PID. A namespace counts as alive if any thread is in it, not only
 * the main one: a thread that called setns() holds it (and a main thread that has exited,
 * a zombie, shows no namespaces at all). */
static int scan_process(struct scan *s, const char *pid)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	char path[64];
	int r;

	s->n_tables = 0;
	s->gap_here = false;
	(void)snprintf(path, sizeof(path), "%.10s/task", pid);
	d = opendir_at(s->ctx->procfs_fd, path);
	if (!d) {
		if (errno != ENOENT)
			return scan_gap(s, pid, -errno);
		return scan_task(s, pid, pid); /* gone, or a -P tree without tasks */
	}
	while ((de = readdir(d))) {
		if (!all_digits(de->d_name))
			continue;
		(void)snprintf(path, sizeof(path), "%.10s/task/%.10s", pid, de->d_name);
		r = scan_task(s, pid, path);
		if (r < 0)
			return r;
	}
	return 0;
}

/* What keeps a namespace alive is any of: a thread in it, an open fd of its nsfs file, a bind
 * mount of that file anywhere (not only in NETNS_DIR, and in any mount namespace a task of
 * PROCFS is in), and for net, a socket made in it. One pass over PROCFS collects them all. */
int holders_scan(const struct rcfs_ctx *ctx, const struct names_table *names, struct live_set *ret,
		 struct scan_gaps *ret_gaps)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct scan s = {
		.ctx = ctx,
		.kind = key_kind_name(ctx->key_kind),
		.children = ctx->key_kind == KEY_PID  ? "pid_for_children" :
			    ctx->key_kind == KEY_TIME ? "time_for_children" :
							NULL,
		.live = ret,
	};
	char self[16], link[16];
	struct dirent *de;
	struct stat st;
	ssize_t n;
	uint64_t mnt;
	FILE *f;
	int r = 0;

	(void)snprintf(self, sizeof(self), "%d", (int)getpid());
	n = readlinkat(ctx->procfs_fd, "self", link, sizeof(link) - 1);
	s.own_pids = n > 0 && (size_t)n == strlen(self) && memcmp(link, self, (size_t)n) == 0;
	if (key_kind_is_namespace(ctx->key_kind)) {
		/* Asked of the real /proc: -P may name a tree that is no procfs. */
		if (stat("/proc/self/ns/net", &st) < 0)
			return -errno;
		s.nsfs_dev = st.st_dev;
		r = read_ns_link(AT_FDCWD, "/proc/self/ns/mnt", "mnt", &mnt);
		if (r < 0)
			return r;
		if (seen_add(&s.mnt_seen, &s.n_mnt_seen, mnt) < 0)
			return -ENOMEM; /* our own table is read last */
	}
	d = opendir_fd(ctx->procfs_fd);
	if (!d) {
		r = -errno;
		goto out;
	}
	while ((de = readdir(d))) {
		if (!all_digits(de->d_name) || strcmp(de->d_name, "0") == 0)
			continue;
		r = scan_process(&s, de->d_name);
		if (r < 0)
			goto out;
	}
	if (key_kind_is_namespace(ctx->key_kind)) {
		/* After the tasks: "ip netns add" hands a namespace from its process to a mount;
		 * read in this order, the pass sees it in one place or the other. */
		f = fopen("/proc/self/mountinfo", "re");
		if (!f) {
			r = -errno;
			goto out;
		}
		r = scan_mountinfo(&s, f);
		(void)fclose(f);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; names && i < names->count; i++) {
		r = live_add(ret, names->entries[i].ino, HELD_BY_MOUNT, 0);
		if (r < 0)
			goto out;
	}
	live_finish(ret);
	*ret_gaps = (struct scan_gaps){ s.gaps, s.gap_error, s.gap_pid };
	r = 0;
out:
	free(s.mnt_seen);
	free(s.tables);
	return r;
}
