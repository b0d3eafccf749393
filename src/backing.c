/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "backing.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

#include "filter.h"
#include "log.h"
#include "names.h"
#include "owner.h"
#include "util.h"

/* Flags of the caller's open(2) that the backing file's open keeps. Not O_APPEND: a caller
 * may set or clear it with fcntl() after open, and each WRITE says which (backing_write()). */
#define PASSED_FLAGS (O_ACCMODE | O_TRUNC | O_SYNC | O_DSYNC)

const char *backing_source_name(enum rcfs_source source)
{
	switch (source) {
	case RCFS_SOURCE_OWN:
		return "own file";
	case RCFS_SOURCE_ETC_NETNS:
		return "/etc/netns file, read-only until written";
	case RCFS_SOURCE_TEMPLATE:
		return "template";
	case RCFS_SOURCE_UNDERLYING:
		return "original file, read-only";
	case RCFS_SOURCE_HOST:
		return "host file, read-only";
	case RCFS_SOURCE_NONE:
		return "ENOENT";
	}
	return "?";
}

int backing_name(uint64_t id, const char *ext, char *buf, size_t size)
{
	int n;

	if (ext[0] == '\0')
		n = snprintf(buf, size, "%" PRIu64, id);
	else
		n = snprintf(buf, size, "%" PRIu64 ".%s", id, ext);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return n;
}

/* NAME.EXT; names are checked (name_is_valid() and length) when the table is built. */
static void named_file(const char *name, const char *ext, char *buf, size_t size)
{
	if (snprintf(buf, size, "%s%s%s", name, ext[0] ? "." : "", ext) >= (int)size)
		buf[0] = '\0'; /* cannot happen: names_scan() left such names out */
}

/* Everything a lookup needs: the namespace's names, its own file names. */
struct lookup {
	char names[NAMES_MAX_PER_NS][256];
	size_t n_names;
	char id_file[NAME_MAX + 1];
};

static int lookup_init(const struct rcfs_ctx *ctx, const struct rcfs_key *key, struct lookup *l)
{
	int r;

	l->n_names = 0;
	if (key->kind == KEY_NET && ctx->names)
		l->n_names = names_lookup(ctx->names, key->id, l->names, NAMES_MAX_PER_NS);
	r = backing_name(key->id, ctx->cfg->extension, l->id_file, sizeof(l->id_file));
	return r < 0 ? r : 0;
}

/* The namespace's own file, candidate I: NAME.EXT for each name, then ID.EXT (I == n_names). */
static void own_candidate(const struct rcfs_ctx *ctx, const struct lookup *l, size_t i, char *buf,
			  size_t size)
{
	if (i < l->n_names)
		named_file(l->names[i], ctx->cfg->extension, buf, size);
	else
		(void)snprintf(buf, size, "%s", l->id_file);
}

static void etc_netns_path(const struct rcfs_ctx *ctx, const char *name, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/%s/%s", ctx->etc_netns_dir, name, ctx->etc_file);
}

static void describe(const struct rcfs_ctx *ctx, bool in_backing, const char *file, char *buf,
		     size_t size)
{
	if (!buf)
		return;
	if (in_backing)
		(void)snprintf(buf, size, "%s/%s", ctx->cfg->backing_dir, file);
	else
		(void)snprintf(buf, size, "%s", file);
}

/* A file is opened without following a symlink, and only if it is a regular file
 * (O_NONBLOCK: a FIFO planted in the directory cannot hang the open). */
static int open_regular_at(int dir_fd, const char *name, int flags, struct stat *ret_st)
{
	_cleanup_close_ int fd = -1;

	fd = openat(dir_fd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno; /* ELOOP: a symlink; refused */
	if (fstat(fd, ret_st) < 0)
		return -errno;
	if (!S_ISREG(ret_st->st_mode))
		return -EACCES;
	return TAKE_FD(fd); /* O_NONBLOCK is a no-op for a regular file's reads and writes */
}

static int stat_regular_at(int dir_fd, const char *name, struct stat *ret)
{
	if (fstatat(dir_fd, name, ret, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(ret->st_mode))
		return S_ISLNK(ret->st_mode) ? -ELOOP : -EACCES;
	return 0;
}

static int copy_all(int from_fd, int to_fd)
{
	off_t off = 0;
	ssize_t n;

	/* sendfile(2) copies between regular files in the kernel, whatever their file systems. */
	while ((n = sendfile(to_fd, from_fd, &off, 1 << 20)) > 0)
		;
	return n < 0 ? -errno : 0;
}

/* The copy gets the owner and permission bits of what the namespace was reading (never its
 * set-id bits), so the same callers may write it as could write the view. */
static int take_attributes(int fd, const struct stat *view)
{
	if (fchown(fd, view->st_uid, view->st_gid) < 0 || fchmod(fd, view->st_mode & 0777) < 0)
		return -errno; /* fchmod after fchown: not the umask's idea */
	return 0;
}

/* A file nobody can see yet, filled from src_fd (unless it is about to be truncated). */
static int make_unlinked_copy(const struct rcfs_ctx *ctx, int src_fd, const struct stat *view,
			      bool copy)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = openat(ctx->backing_dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = take_attributes(fd, view);
	if (r < 0)
		return r;
	if (copy) {
		r = copy_all(src_fd, fd);
		if (r < 0)
			return r;
		if (fdatasync(fd) < 0) /* the name must never point at a copy a crash emptied */
			return -errno;
	}
	return TAKE_FD(fd);
}

static int link_unlinked(const struct rcfs_ctx *ctx, int fd, const char *name)
{
	char proc_path[64];

	if (linkat(fd, "", ctx->backing_dir_fd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc/self/fd link does not. */
	(void)snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc_path, ctx->backing_dir_fd, name, AT_SYMLINK_FOLLOW) < 0)
		return -errno;
	return 0;
}

/* Fallback where O_TMPFILE is not supported: a hidden temporary name, linked (never renamed:
 * a rename would replace a file another caller created meanwhile), then unlinked. */
static int create_via_temp_name(const struct rcfs_ctx *ctx, const char *name, int src_fd,
				const struct stat *view, bool copy)
{
	_cleanup_close_ int fd = -1;
	char tmp[NAME_MAX + 1];
	int r;

	(void)snprintf(tmp, sizeof(tmp), ".%.200s.%d.tmp", name, (int)gettid());
	fd = openat(ctx->backing_dir_fd, tmp, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	r = take_attributes(fd, view);
	if (r == 0 && copy) {
		r = copy_all(src_fd, fd);
		if (r == 0 && fdatasync(fd) < 0)
			r = -errno;
	}
	if (r == 0 && linkat(ctx->backing_dir_fd, tmp, ctx->backing_dir_fd, name, 0) < 0)
		r = -errno;
	(void)unlinkat(ctx->backing_dir_fd, tmp, 0);
	return r < 0 ? r : TAKE_FD(fd);
}

/* First write of a namespace without its own file: create it, starting from the bytes it
 * was reading (src_fd). Readers see either no file (so the old view) or the whole copy,
 * never a half-made one. Returns an fd open O_RDWR on the file now under NAME. */
static int create_own_file(const struct rcfs_ctx *ctx, const struct rcfs_key *key, bool by_id,
			   const char *name, int src_fd, const struct stat *view, int flags,
			   struct stat *ret_st)
{
	bool copy = !(flags & O_TRUNC);
	_cleanup_close_ int fd = -1;
	int r;

	fd = make_unlinked_copy(ctx, src_fd, view, copy);
	if (fd >= 0) {
		if (by_id)
			owner_mark(ctx, key, fd); /* before the name exists: never seen unmarked */
		r = link_unlinked(ctx, fd, name);
	} else if (fd == -EOPNOTSUPP || fd == -EISDIR || fd == -EINVAL) {
		fd = create_via_temp_name(ctx, name, src_fd, view, copy);
		r = fd < 0 ? fd : 0;
		if (fd >= 0 && by_id)
			owner_mark(ctx, key, fd);
	} else {
		return fd;
	}
	if (r == -EEXIST) /* another caller of this namespace won the race: use its file */
		return open_regular_at(ctx->backing_dir_fd, name, flags & PASSED_FLAGS, ret_st);
	if (r < 0)
		return r;
	if (fstat(fd, ret_st) < 0)
		return -errno;
	return TAKE_FD(fd);
}

/* A file marked as another namespace's: its namespace died and KEY's got its ID. Moved
 * aside (never deleted: --gc lists it), so the caller gets what a namespace without a file
 * gets. Returns 0 if the file is KEY's (or unmarked, or the kernel cannot tell), -ENOENT if
 * it was stale. FD is the file's, open; NAME its name in the backing directory. */
static int check_owner(const struct rcfs_ctx *ctx, const struct rcfs_key *key, int fd,
		       const char *name)
{
	bool same_boot;
	uint64_t mark;
	int r;

	if (!owner_is_stale(ctx, key, fd, &mark, &same_boot))
		return 0;
	r = owner_set_aside(ctx, key, name, mark, same_boot);
	return r < 0 ? r : -ENOENT;
}

static bool same_file_state(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* A new memfd holding the default file without its loopback nameservers. */
static int make_filtered(const struct rcfs_ctx *ctx)
{
	enum {
		MAX = 1 << 20
	};
	_cleanup_free_ char *in = malloc(MAX), *out = malloc(MAX + 128);
	_cleanup_close_ int fd = -1;
	unsigned dropped;
	ssize_t n;
	long len;

	if (!in || !out)
		return -ENOMEM;
	n = pread(ctx->template_fd, in, MAX, 0);
	if (n < 0)
		return -errno;
	len = filter_loopback(in, (size_t)n, ctx->cfg->loopback_fallback, out, MAX + 128, &dropped);
	if (len < 0)
		return (int)len;
	fd = memfd_create("resolvconffs-default", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, out, (size_t)len) != len || fchmod(fd, 0644) < 0)
		return -errno;
	if (dropped)
		log_info("default file '%s': %u loopback nameserver line(s) left out for other "
			 "namespaces%s%s",
			 ctx->cfg->default_file, dropped,
			 ctx->cfg->loopback_fallback ? ", fallback nameserver " : "",
			 ctx->cfg->loopback_fallback ? ctx->cfg->loopback_fallback : "");
	return TAKE_FD(fd);
}

/* The default file as KEY sees it, as a new fd of its own: the file itself, or for another
 * namespace than the daemon's under --drop-loopback, the filtered copy (remade when the file
 * changes; the handle keeps its own fd, so a remake never pulls bytes from under a reader). */
static int template_view(const struct rcfs_ctx *ctx, const struct rcfs_key *key)
{
	struct rcfs_filtered *f = ctx->filtered;
	struct stat st;
	int fd, r = 0;

	if (!f || (key->kind == ctx->self.kind && key->id == ctx->self.id)) {
		fd = fcntl(ctx->template_fd, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? -errno : fd;
	}
	if (fstat(ctx->template_fd, &st) < 0)
		return -errno;
	pthread_mutex_lock(&f->lock);
	if (f->fd < 0 || !same_file_state(&st, &f->src)) {
		fd = make_filtered(ctx);
		if (fd >= 0) {
			if (f->fd >= 0)
				(void)close(f->fd);
			f->fd = fd;
			f->src = st;
		} else {
			r = fd;
		}
	}
	if (r == 0 && (r = fcntl(f->fd, F_DUPFD_CLOEXEC, 3)) < 0)
		r = -errno;
	pthread_mutex_unlock(&f->lock);
	return r;
}

static int run_check(const struct backing_check *check, const struct stat *st, int flags)
{
	return check ? check->fn(check->arg, st, flags) : 0;
}

/* The namespace's own file, by name first, then by ID: an fd (checked, truncated for O_TRUNC),
 * -ENOENT when it has none, or another -errno. */
static int open_own(const struct rcfs_ctx *ctx, const struct rcfs_key *key, const struct lookup *l,
		    int flags, const struct backing_check *check, struct stat *ret_st,
		    char *ret_path, size_t path_size)
{
	char file[PATH_MAX];
	int fd, r;

	for (size_t i = 0; i <= l->n_names; i++) {
		own_candidate(ctx, l, i, file, sizeof(file));
		/* O_TRUNC waits for the owner and access checks: a stale file is moved aside
		 * whole, and a refused caller truncates nothing. */
		fd = open_regular_at(ctx->backing_dir_fd, file, flags & PASSED_FLAGS & ~O_TRUNC,
				     ret_st);
		if (fd >= 0 && i == l->n_names) {
			r = check_owner(ctx, key, fd, file);
			if (r < 0) {
				(void)close(fd);
				fd = r;
			}
		}
		if (fd == -ENOENT)
			continue;
		describe(ctx, true, file, ret_path, path_size); /* only for what is returned */
		if (fd < 0)
			return fd;
		r = run_check(check, ret_st, flags);
		if (r == 0 && (flags & O_TRUNC) && ftruncate(fd, 0) < 0)
			r = -errno;
		if (r == 0 && (flags & O_TRUNC) && fstat(fd, ret_st) < 0)
			r = -errno;
		if (r < 0) {
			(void)close(fd);
			return r;
		}
		return fd;
	}
	return -ENOENT;
}

/* What a namespace without its own file reads until it writes: ip netns exec's file, or the
 * template. Returns an fd, -ENOENT when there is neither, or another -errno. */
static int open_view(const struct rcfs_ctx *ctx, const struct rcfs_key *key, const struct lookup *l,
		     enum rcfs_source *ret_source, struct stat *ret_st, char *ret_path,
		     size_t path_size)
{
	char file[PATH_MAX];
	int fd;

	for (size_t i = 0; ctx->etc_netns_dir && i < l->n_names; i++) {
		etc_netns_path(ctx, l->names[i], file, sizeof(file));
		fd = open_regular_at(AT_FDCWD, file, O_RDONLY, ret_st);
		if (fd == -ENOENT || fd == -ENOTDIR)
			continue;
		describe(ctx, false, file, ret_path, path_size);
		*ret_source = RCFS_SOURCE_ETC_NETNS;
		return fd;
	}
	if (ctx->template_fd < 0)
		return -ENOENT;
	fd = template_view(ctx, key);
	if (fd >= 0 && fstat(fd, ret_st) < 0) {
		(void)close(fd);
		return -errno;
	}
	describe(ctx, false, ctx->cfg->default_file, ret_path, path_size);
	*ret_source = RCFS_SOURCE_TEMPLATE;
	return fd;
}

int backing_open(const struct rcfs_ctx *ctx, const struct rcfs_key *key, int flags,
		 const struct backing_check *check, struct rcfs_served *ret, char *ret_path,
		 size_t path_size)
{
	bool write = backing_flags_write(flags);
	_cleanup_close_ int view_fd = -1;
	char own[NAME_MAX + 1];
	enum rcfs_source view;
	struct stat st, created;
	struct lookup l;
	int fd, r;

	r = lookup_init(ctx, key, &l);
	if (r < 0)
		return r;
	fd = open_own(ctx, key, &l, flags, check, &st, ret_path, path_size);
	if (fd != -ENOENT) {
		if (fd < 0)
			return fd;
		*ret = (struct rcfs_served){ RCFS_SOURCE_OWN, fd, st };
		return 0;
	}

	/* Where a write that finds no own file creates one: the first candidate. */
	own_candidate(ctx, &l, 0, own, sizeof(own));
	view_fd = open_view(ctx, key, &l, &view, &st, ret_path, path_size);
	if (view_fd == -ENOENT)
		describe(ctx, true, own, ret_path, path_size);
	if (view_fd < 0)
		return view_fd;
	/* Decided against what the caller sees: the copy will have the same owner and mode. */
	r = run_check(check, &st, flags);
	if (r < 0)
		return r;
	if (!write) {
		*ret = (struct rcfs_served){ view, TAKE_FD(view_fd), st };
		return 0;
	}

	describe(ctx, true, own, ret_path, path_size);
	fd = create_own_file(ctx, key, l.n_names == 0, own, view_fd, &st, flags, &created);
	if (fd < 0)
		return fd;
	*ret = (struct rcfs_served){ RCFS_SOURCE_OWN, fd, created };
	return 0;
}

int backing_write(int fd, const void *buf, size_t size, off_t off, bool append)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };
	ssize_t n;

	/* For an O_APPEND file the kernel's offset is its idea of the size, i.e. whatever some
	 * namespace's stat said last: RWF_APPEND writes at this file's real end instead. */
	n = pwritev2(fd, &iov, 1, append ? 0 : off, append ? RWF_APPEND : 0);
	return n < 0 ? -errno : (int)n;
}

int backing_stat(const struct rcfs_ctx *ctx, const struct rcfs_key *key, struct stat *ret_st,
		 enum rcfs_source *ret_source, char *ret_path, size_t path_size)
{
	char file[PATH_MAX];
	struct lookup l;
	int r;

	r = lookup_init(ctx, key, &l);
	if (r < 0)
		return r;

	for (size_t i = 0; i <= l.n_names; i++) {
		own_candidate(ctx, &l, i, file, sizeof(file));
		/* No owner check here: it costs a third of the daemon's own work per stat (the
		 * bench measured +11 us of ~35), and the next open makes it (a stale file is moved
		 * aside there), so a stat shows a dead namespace's attributes at most until then,
		 * never its bytes. */
		r = stat_regular_at(ctx->backing_dir_fd, file, ret_st);
		if (r == -ENOENT)
			continue;
		describe(ctx, true, file, ret_path, path_size); /* only for what is returned */
		if (r < 0)
			return r;
		*ret_source = RCFS_SOURCE_OWN;
		return 0;
	}
	for (size_t i = 0; ctx->etc_netns_dir && i < l.n_names; i++) {
		etc_netns_path(ctx, l.names[i], file, sizeof(file));
		r = stat_regular_at(AT_FDCWD, file, ret_st);
		if (r == -ENOENT || r == -ENOTDIR)
			continue;
		describe(ctx, false, file, ret_path, path_size);
		if (r < 0)
			return r;
		*ret_source = RCFS_SOURCE_ETC_NETNS;
		return 0;
	}
	if (ctx->template_fd < 0) {
		describe(ctx, true, l.id_file, ret_path, path_size);
		return -ENOENT;
	}
	if (ctx->filtered) {
		_cleanup_close_ int fd = template_view(ctx, key);

		if (fd < 0)
			return fd;
		if (fstat(fd, ret_st) < 0)
			return -errno;
	} else if (fstat(ctx->template_fd, ret_st) < 0) {
		return -errno;
	}
	describe(ctx, false, ctx->cfg->default_file, ret_path, path_size);
	*ret_source = RCFS_SOURCE_TEMPLATE;
	return 0;
}

bool backing_is_host(const struct rcfs_ctx *ctx, const struct rcfs_key *key)
{
	return ctx->cfg->host_file && key->kind == ctx->self.kind && key->id == ctx->self.id;
}

/* A request from one of our own threads: opening the host file went through our mount. */
static bool from_ourselves(pid_t caller)
{
	char path[64];

	(void)snprintf(path, sizeof(path), "/proc/self/task/%d", (int)caller);
	return caller > 0 && access(path, F_OK) == 0;
}

int backing_open_host(const struct rcfs_ctx *ctx, pid_t caller, struct rcfs_served *ret)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (from_ourselves(caller))
		return -EDEADLK;
	/* By path at each open, following links (root named it): the manager replaces it by
	 * rename, and a held fd would keep serving the old one. */
	fd = open(ctx->cfg->host_file, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	*ret = (struct rcfs_served){ RCFS_SOURCE_HOST, TAKE_FD(fd), st };
	return 0;
}

int backing_stat_host(const struct rcfs_ctx *ctx, pid_t caller, struct stat *ret_st)
{
	if (from_ourselves(caller))
		return -EDEADLK;
	if (stat(ctx->cfg->host_file, ret_st) < 0)
		return -errno;
	return S_ISREG(ret_st->st_mode) ? 0 : -EACCES;
}
