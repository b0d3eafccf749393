/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "list.h"

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

#include "backing.h"
#include "mounts.h"
#include "names.h"
#include "util.h"

/* What keeps a namespace alive, in the order --list prefers to show it. */
enum holder {
	HELD_BY_THREAD, /* a thread is in it (uid/gid: runs with it) */
	HELD_BY_MOUNT, /* a bind mount of its nsfs file, in a mount namespace we can read */
	HELD_BY_FD, /* an open fd of its nsfs file */
	HELD_BY_SOCKET, /* a socket made in it (net only) */
};

struct live {
	uint64_t id;
	enum holder by;
	pid_t tid; /* HELD_BY_THREAD: the lowest thread id in it (a PROCFS entry like a pid) */
};

struct live_set {
	struct live *v;
	size_t n, cap;
};

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

static bool live_has(const struct live_set *s, uint64_t id)
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

/* A directory stream on PATH under DIR_FD (the fd itself stays ours). */
static DIR *opendir_at(int dir_fd, const char *path)
{
	int fd = openat(dir_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		int saved = errno;

		(void)close(fd);
		errno = saved;
	}
	return d;
}

static DIR *opendir_fd(int dir_fd)
{
	return opendir_at(dir_fd, ".");
}

static void closedirp(DIR **d)
{
	if (*d)
		(void)closedir(*d);
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

struct scan_gaps {
	size_t n; /* processes of PROCFS of which something could not be read */
	int error; /* the first one's -errno, */
	pid_t pid; /* and pid */
};

/* What keeps a namespace alive is any of: a thread in it, an open fd of its nsfs file, a bind
 * mount of that file anywhere (not only in NETNS_DIR, and in any mount namespace a task of
 * PROCFS is in), and for net, a socket made in it. One pass over PROCFS collects them all. */
static int scan_live(const struct rcfs_ctx *ctx, const struct names_table *names,
		     struct live_set *ret, struct scan_gaps *ret_gaps)
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

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A file the daemon moved aside: "<ID file>.stale-<digits>" (see check_owner()). */
static bool stale_file(const char *name)
{
	const char *p = strstr(name, ".stale-");

	return p && p != name && p[7] && strspn(p + 7, "0123456789") == strlen(p + 7);
}

/* A backing file named by an ID ("<digits>.EXT", "<digits>" when EXT is empty). */
static bool id_file(const char *name, const char *ext, uint64_t *ret)
{
	size_t digits = strspn(name, "0123456789"), len = strlen(name);
	char *end;

	if (digits == 0 || digits > 20 || (name[0] == '0' && digits > 1))
		return false;
	if (ext[0] == '\0' ? digits != len :
			     name[digits] != '.' || strcmp(name + digits + 1, ext) != 0)
		return false;
	errno = 0;
	*ret = strtoull(name, &end, 10);
	return errno == 0;
}

/* A backing file named by a netns name: NAME.EXT with NAME valid (never with an empty EXT:
 * then every file would look like one). */
static bool named_file(const char *name, const char *ext, char *ret, size_t size)
{
	size_t len = strlen(name), elen = strlen(ext);

	if (elen == 0 || len <= elen + 1 || name[len - elen - 1] != '.' ||
	    strcmp(name + len - elen, ext) != 0 || len - elen - 1 >= size)
		return false;
	memcpy(ret, name, len - elen - 1);
	ret[len - elen - 1] = '\0';
	return name_is_valid(ret);
}

struct orphan {
	char file[NAME_MAX + 1];
	char reason[128];
	bool by_id; /* --gc removes only these: a name may be "ip netns add"ed again */
};

static int scan_orphans(const struct rcfs_ctx *ctx, const struct live_set *live,
			const struct names_table *names, struct orphan **ret, size_t *ret_n)
{
	struct orphan *v = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	d = opendir_fd(ctx->backing_dir_fd);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char name[NAME_MAX + 1], reason[128];
		bool by_id = false;
		uint64_t id;

		if (stale_file(de->d_name)) {
			(void)snprintf(reason, sizeof(reason),
				       "moved aside: its namespace died and the ID was reused");
			by_id = true;
		} else if (id_file(de->d_name, ctx->cfg->extension, &id)) {
			if (live_has(live, id))
				continue;
			(void)snprintf(reason, sizeof(reason), "no live %s namespace %" PRIu64,
				       key_kind_name(ctx->key_kind), id);
			if (!key_kind_is_namespace(ctx->key_kind))
				(void)snprintf(reason, sizeof(reason),
					       "no process with %s %" PRIu64,
					       key_kind_name(ctx->key_kind), id);
			by_id = true;
		} else if (ctx->key_kind == KEY_NET && names &&
			   named_file(de->d_name, ctx->cfg->extension, name, sizeof(name))) {
			bool known = false;

			for (size_t i = 0; i < names->count && !known; i++)
				known = strcmp(names->entries[i].name, name) == 0;
			if (known)
				continue;
			(void)snprintf(reason, sizeof(reason), "no network namespace named '%.64s'",
				       name);
		} else {
			continue;
		}
		if (n % 64 == 0) {
			struct orphan *nv = realloc(v, (n + 64) * sizeof(*nv));

			if (!nv) {
				free(v);
				(void)closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		(void)snprintf(v[n].file, sizeof(v[n].file), "%s", de->d_name);
		(void)snprintf(v[n].reason, sizeof(v[n].reason), "%s", reason);
		v[n].by_id = by_id;
		n++;
	}
	(void)closedir(d);
	*ret = v;
	*ret_n = n;
	return 0;
}

static const char *source_word(enum rcfs_source source)
{
	switch (source) {
	case RCFS_SOURCE_OWN:
		return "own";
	case RCFS_SOURCE_ETC_NETNS:
		return "etc-netns";
	case RCFS_SOURCE_TEMPLATE:
		return "template";
	default:
		return "none";
	}
}

static const char *holder_word(enum holder by)
{
	switch (by) {
	case HELD_BY_THREAD:
		return "thread";
	case HELD_BY_MOUNT:
		return "mount";
	case HELD_BY_FD:
		return "fd";
	default:
		return "socket";
	}
}

static int collect(const struct rcfs_ctx *ctx, const struct names_table **ret_names,
		   struct live_set *live, struct scan_gaps *gaps, struct orphan **orphans,
		   size_t *n_orphans)
{
	const struct names_table *names = NULL;
	int r;

	if (ctx->key_kind == KEY_NET && ctx->names)
		names = ctx->names->table;
	r = scan_live(ctx, names, live, gaps);
	if (r < 0)
		return log_error_errno(r, "cannot list processes in '%s'", ctx->cfg->procfs);
	/* Not fatal: root can read every process unless an LSM or a sandbox says no, and then
	 * nothing could ever be collected. Said loudly, as a namespace only they hold would be
	 * taken for dead. */
	if (gaps->n)
		log_warning("cannot inspect %zu process(es) in '%s' (pid %d: %s); a "
			    "namespace only they hold is taken for dead",
			    gaps->n, ctx->cfg->procfs, (int)gaps->pid, strerror(-gaps->error));
	r = scan_orphans(ctx, live, names, orphans, n_orphans);
	if (r < 0)
		return log_error_errno(r, "cannot read backing directory '%s'",
				       ctx->cfg->backing_dir);
	*ret_names = names;
	return 0;
}

int list_run(const struct rcfs_ctx *ctx, bool json)
{
	const struct names_table *names;
	struct live_set live = { 0 };
	struct scan_gaps gaps = { 0 };
	struct orphan *orphans = NULL;
	size_t n_orphans = 0;
	const char *kind = key_kind_name(ctx->key_kind);

	if (collect(ctx, &names, &live, &gaps, &orphans, &n_orphans) < 0) {
		free(live.v);
		return EXIT_FAILURE;
	}
	if (json)
		printf("{\"key\":\"%s\",\"backing_dir\":", kind);
	if (json)
		json_string(stdout, ctx->cfg->backing_dir);
	if (json)
		printf(",\"namespaces\":[");
	else
		printf("%-6s %-20s %-24s %-11s %-9s %s\n", "KEY", "ID", "NAMES", "PID", "SERVED",
		       "FILE");
	for (size_t i = 0; i < live.n; i++) {
		/* tid 0 without a thread in it: key_cookie() then reads no PROCFS entry */
		struct rcfs_key key = { ctx->key_kind, live.v[i].id, live.v[i].tid };
		const char *nv[NAMES_MAX_PER_NS];
		size_t nn = names ? names_table_find(names, key.id, nv, NAMES_MAX_PER_NS) : 0;
		enum rcfs_source source = RCFS_SOURCE_NONE;
		char path[PATH_MAX], joined[256] = "-", pid[24] = "-";
		struct stat st;
		int r;

		r = backing_stat(ctx, &key, &st, &source, path, sizeof(path));
		if (r < 0)
			source = RCFS_SOURCE_NONE;
		if (json) {
			printf("%s{\"id\":%" PRIu64 ",\"names\":[", i ? "," : "", key.id);
			for (size_t j = 0; j < nn; j++) {
				printf("%s", j ? "," : "");
				json_string(stdout, nv[j]);
			}
			printf("],\"pid\":");
			if (live.v[i].tid)
				printf("%d", (int)live.v[i].tid);
			else
				printf("null");
			printf(",\"held_by\":\"%s\"", holder_word(live.v[i].by));
			printf(",\"served\":\"%s\",\"file\":", source_word(source));
			json_string(stdout, path);
			printf(",\"error\":");
			if (r < 0 && r != -ENOENT)
				json_string(stdout, strerror(-r));
			else
				printf("null");
			printf("}");
			continue;
		}
		for (size_t j = 0, len = 0; j < nn && len < sizeof(joined) - 1; j++)
			len += (size_t)snprintf(joined + len, sizeof(joined) - len, "%s%s",
						j ? "," : "", nv[j]);
		if (live.v[i].tid)
			(void)snprintf(pid, sizeof(pid), "%d", (int)live.v[i].tid);
		else if (live.v[i].by == HELD_BY_MOUNT)
			(void)snprintf(pid, sizeof(pid), "bind-only");
		else
			(void)snprintf(pid, sizeof(pid), "%s-only", holder_word(live.v[i].by));
		printf("%-6s %-20" PRIu64 " %-24s %-11s %-9s %s%s%s\n", kind, key.id, joined, pid,
		       source_word(source), path, r < 0 && r != -ENOENT ? ": " : "",
		       r < 0 && r != -ENOENT ? strerror(-r) : "");
	}
	if (json) {
		printf("],\"unused_files\":[");
		for (size_t i = 0; i < n_orphans; i++) {
			printf("%s{\"file\":", i ? "," : "");
			json_string(stdout, orphans[i].file);
			printf(",\"reason\":");
			json_string(stdout, orphans[i].reason);
			printf("}");
		}
		printf("]}\n");
	} else if (n_orphans) {
		printf("\nBacking files no live namespace uses:\n");
		for (size_t i = 0; i < n_orphans; i++)
			printf("  %s/%s  (%s)\n", ctx->cfg->backing_dir, orphans[i].file,
			       orphans[i].reason);
	}
	free(live.v);
	free(orphans);
	return EXIT_SUCCESS;
}

int gc_run(const struct rcfs_ctx *ctx, bool json, bool remove)
{
	const struct names_table *names;
	struct live_set live = { 0 };
	struct scan_gaps gaps = { 0 };
	struct orphan *orphans = NULL;
	size_t n_orphans = 0, shown = 0;
	int ret = EXIT_SUCCESS;

	if (collect(ctx, &names, &live, &gaps, &orphans, &n_orphans) < 0) {
		free(live.v);
		return EXIT_FAILURE;
	}

	if (json)
		printf("{\"files\":[");
	for (size_t i = 0; i < n_orphans; i++) {
		const char *done = "listed";

		if (!orphans[i].by_id)
			continue; /* a name may come back with "ip netns add": never collected */
		if (remove) {
			if (unlinkat(ctx->backing_dir_fd, orphans[i].file, 0) < 0) {
				log_error_errno(-errno, "cannot delete '%s/%s'",
						ctx->cfg->backing_dir, orphans[i].file);
				done = "error";
				ret = EXIT_FAILURE;
			} else {
				done = "deleted";
			}
		}
		if (json) {
			printf("%s{\"file\":", shown ? "," : "");
			json_string(stdout, orphans[i].file);
			printf(",\"reason\":");
			json_string(stdout, orphans[i].reason);
			printf(",\"action\":\"%s\"}", done);
		} else {
			printf("%s %s/%s  (%s)\n", remove ? done : "unused", ctx->cfg->backing_dir,
			       orphans[i].file, orphans[i].reason);
		}
		shown++;
	}
	if (json)
		printf("]}\n");
	else if (shown == 0)
		printf("no unused backing files in %s\n", ctx->cfg->backing_dir);
	else if (!remove)
		printf("%zu unused; run with --delete to remove them\n", shown);
	free(live.v);
	free(orphans);
	return ret;
}
