/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mount is one inode (the root, a regular file) that shows different bytes to different
 * callers. The kernel keeps one page cache, one size and one mode and owner per inode, so
 * anything it cached or decided for namespace A would apply to namespace B. Hence: direct_io
 * on every open (no page cache for read/write), attribute timeout 0 (every stat asks us
 * again, from the calling thread), no keep_cache, no writeback cache, no async direct I/O,
 * no default_permissions: OPEN, SETATTR and ACCESS are decided here (access.c) against the
 * file this caller is served. What still reads the page cache (mmap, splice) gets it dropped
 * after READs that may have filled it (pagecache.c). There is no LOOKUP (no directory).
 *
 * The caller is resolved in OPEN, and in GETATTR/SETATTR/ACCESS without a file handle.
 * Everything else uses the handle OPEN put in fi->fh (handles.c): RELEASE and FORGET carry
 * pid 0, and a thread that opened the file and then called setns() keeps what it opened, as
 * with a bind mount.
 */
#include "fsops.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "backing.h"
#include "context.h"
#include "handles.h"
#include "key.h"
#include "log.h"
#include "pagecache.h"
#include "util.h"

/* The biggest READ buffer a request may make us allocate; a longer READ gets a short reply. */
#define READ_BUF_MAX (1 << 20)

_Static_assert(ACCESS_SET_MODE == FUSE_SET_ATTR_MODE && ACCESS_SET_UID == FUSE_SET_ATTR_UID &&
		       ACCESS_SET_GID == FUSE_SET_ATTR_GID &&
		       ACCESS_SET_SIZE == FUSE_SET_ATTR_SIZE &&
		       ACCESS_SET_ATIME == FUSE_SET_ATTR_ATIME &&
		       ACCESS_SET_MTIME == FUSE_SET_ATTR_MTIME &&
		       ACCESS_SET_ATIME_NOW == FUSE_SET_ATTR_ATIME_NOW &&
		       ACCESS_SET_MTIME_NOW == FUSE_SET_ATTR_MTIME_NOW,
	       "access.h's SETATTR bits are libfuse's");

static struct rcfs_handle *handle_of(const struct fuse_file_info *fi)
{
	return (struct rcfs_handle *)(uintptr_t)fi->fh;
}

static void caller_of(fuse_req_t req, const struct rcfs_ctx *ctx, struct access_caller *ret)
{
	const struct fuse_ctx *c = fuse_req_ctx(req);

	access_caller_init(ret, ctx->procfs_fd, ctx->self_userns, c->pid, c->uid, c->gid);
}

static void log_unidentified(struct rcfs_ctx *ctx, const char *op, pid_t pid, int r)
{
	unsigned suppressed;

	if (log_ratelimit_ok(&ctx->unidentified_log, 10, &suppressed))
		log_warning("%s from pid %d: caller's namespace unknown (%s); serving the %s "
			    "read-only (%u similar messages suppressed)",
			    op, (int)pid, r == -ESRCH ? "pid 0 or gone" : strerror(-r),
			    ctx->cfg->host_file ? "host file" : "original file", suppressed);
}

/* A symlink or FIFO where a backing file should be: refused, and said (rate-limited). */
static void report_backing_error(struct rcfs_ctx *ctx, const char *path, int r)
{
	unsigned suppressed;

	if ((r == -ELOOP || r == -EACCES) && log_ratelimit_ok(&ctx->refused_log, 10, &suppressed))
		log_warning("refusing '%s': %s (%u similar messages suppressed)", path,
			    r == -ELOOP ? "a symbolic link" : "not a regular file", suppressed);
}

static int caller_key(fuse_req_t req, struct rcfs_ctx *ctx, struct rcfs_key *ret)
{
	const struct fuse_ctx *c = fuse_req_ctx(req);

	return key_from_caller(ctx->procfs_fd, ctx->key_kind, c->pid, c->uid, c->gid, ret);
}

static void rcfs_init(void *userdata, struct fuse_conn_info *conn)
{
	const struct rcfs_ctx *ctx = userdata;

	conn->max_read = ctx->max_read;
	/* Reads and writes go out synchronously from the caller's thread; no page cache. */
	conn->want &= ~(FUSE_CAP_ASYNC_DIO | FUSE_CAP_WRITEBACK_CACHE);
}

static bool is_read_only(enum rcfs_source source)
{
	return source == RCFS_SOURCE_UNDERLYING || source == RCFS_SOURCE_HOST;
}

static void reply_stat(fuse_req_t req, struct stat *st, enum rcfs_source source)
{
	if (is_read_only(source))
		st->st_mode &= ~(mode_t)0222; /* served read-only */
	/* glibc's stdio reads in st_blksize chunks: with less than a page, the resolver's reads
	 * are never whole pages, so they cannot be page-cache fills and cost no page drop (see
	 * pagecache.h). */
	st->st_blksize = PAGE_CACHE_UNIT / 2;
	(void)fuse_reply_attr(req, st, 0.0); /* 0: never cached, see the top of this file */
}

/* What an unidentified caller, or with --host-file the host, is served: read-only. */
static int stat_fallback(struct rcfs_ctx *ctx, pid_t pid, struct stat *ret_st,
			 enum rcfs_source *ret_source)
{
	if (ctx->cfg->host_file) {
		*ret_source = RCFS_SOURCE_HOST;
		return backing_stat_host(ctx, pid, ret_st);
	}
	*ret_source = RCFS_SOURCE_UNDERLYING;
	return fstat(ctx->underlying_fd, ret_st) < 0 ? -errno : 0;
}

/* stat(2) of what this caller is served. */
static int stat_for_caller(fuse_req_t req, struct rcfs_ctx *ctx, const char *op,
			   struct stat *ret_st, enum rcfs_source *ret_source)
{
	pid_t pid = fuse_req_ctx(req)->pid;
	char path[PATH_MAX] = "";
	struct rcfs_key key;
	int r;

	r = caller_key(req, ctx, &key);
	if (r < 0) {
		log_unidentified(ctx, op, pid, r);
		return stat_fallback(ctx, pid, ret_st, ret_source);
	}
	if (backing_is_host(ctx, &key))
		return stat_fallback(ctx, pid, ret_st, ret_source);
	/* The file's name only when it is logged: building it is a tenth of our own work. */
	r = backing_stat(ctx, &key, ret_st, ret_source, NULL, 0);
	if ((r == -ELOOP || r == -EACCES) || ctx->cfg->verbose >= 2)
		r = backing_stat(ctx, &key, ret_st, ret_source, path, sizeof(path));
	report_backing_error(ctx, path, r);
	if (ctx->cfg->verbose >= 2)
		log_debug("%s: pid %d -> %s:[%llu] -> %s (%s)", op, (int)pid,
			  key_kind_name(key.kind), (unsigned long long)key.id, path,
			  r < 0 ? strerror(-r) : backing_source_name(*ret_source));
	return r;
}

static void rcfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);
	enum rcfs_source source;
	struct stat st;
	int r;

	(void)ino; /* one file: the root inode */
	if (fi) { /* fstat(2): the file this handle serves, whoever asks */
		struct rcfs_handle *h = handle_of(fi);

		if (fstat(h->fd, &st) < 0) {
			(void)fuse_reply_err(req, errno);
			return;
		}
		reply_stat(req, &st, h->source);
		return;
	}
	r = stat_for_caller(req, ctx, "stat", &st, &source);
	if (r < 0) {
		(void)fuse_reply_err(req, -r);
		return;
	}
	reply_stat(req, &st, source);
}

/* access(2): the same rules as an open, against the same file. */
static void rcfs_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);
	struct access_caller caller;
	enum rcfs_source source;
	struct stat st;
	int r;

	(void)ino;
	r = stat_for_caller(req, ctx, "access", &st, &source);
	if (r == 0 && (mask & W_OK) && is_read_only(source))
		r = source == RCFS_SOURCE_HOST ? -EROFS : -EACCES; /* as open(2) says */
	if (r == 0 && mask != F_OK) {
		caller_of(req, ctx, &caller);
		r = access_check(&caller, &st, mask);
		access_caller_done(&caller);
	}
	(void)fuse_reply_err(req, -r);
}

/* An access decision, and whether it refused (so EACCES is not taken for a FIFO's). */
struct checked_caller {
	struct access_caller caller;
	bool refused;
};

static int check_open(void *arg, const struct stat *st, int flags)
{
	struct checked_caller *cc = arg;
	int r = access_check_open(&cc->caller, st, flags);

	cc->refused = r < 0;
	return r;
}

/* What a caller we cannot place, or the host under --host-file, opens: read-only. */
static int open_fallback(struct rcfs_ctx *ctx, pid_t pid, int flags, int key_error,
			 struct access_caller *caller, struct rcfs_served *ret)
{
	bool write = backing_flags_write(flags);
	int r;

	if (key_error < 0)
		log_unidentified(ctx, "open", pid, key_error);
	if (write) /* never another namespace's file, nor the host's manager's */
		return key_error < 0 ? -EACCES : -EROFS;
	if (ctx->cfg->host_file) {
		r = backing_open_host(ctx, pid, ret);
		log_debug("open: pid %d -> host file %s (%s)", (int)pid, ctx->cfg->host_file,
			  r < 0 ? strerror(-r) : backing_source_name(RCFS_SOURCE_HOST));
	} else {
		*ret = (struct rcfs_served){ .source = RCFS_SOURCE_UNDERLYING,
					     .fd = ctx->underlying_fd };
		r = fstat(ctx->underlying_fd, &ret->st) < 0 ? -errno : 0;
	}
	if (r == 0)
		r = access_check_open(caller, &ret->st, flags); /* what it could read itself */
	if (r < 0 && ret->source == RCFS_SOURCE_HOST && ret->fd >= 0)
		(void)close(ret->fd);
	return r;
}

static void rcfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);
	pid_t pid = fuse_req_ctx(req)->pid;
	bool write = backing_flags_write(fi->flags);
	struct checked_caller cc = { .refused = false };
	struct backing_check check = { check_open, &cc };
	struct rcfs_served s = { .fd = -1 };
	struct rcfs_handle *h;
	char path[PATH_MAX];
	struct rcfs_key key;
	int r;

	(void)ino;
	caller_of(req, ctx, &cc.caller);
	r = caller_key(req, ctx, &key);
	if (r < 0 || backing_is_host(ctx, &key)) {
		r = open_fallback(ctx, pid, fi->flags, r, &cc.caller, &s);
	} else {
		r = backing_open(ctx, &key, fi->flags, &check, &s, path, sizeof(path));
		if (!cc.refused)
			report_backing_error(ctx, path, r);
		log_debug("open: pid %d -> %s:[%llu] -> %s (%s)", (int)pid, key_kind_name(key.kind),
			  (unsigned long long)key.id, path,
			  r < 0 ? strerror(-r) : backing_source_name(s.source));
	}
	access_caller_done(&cc.caller);
	if (r == 0) /* read-only opens of one file share an fd: opens cost the daemon no fds */
		r = handles_new(ctx->handles, fuse_req_ctx(req)->uid, s.source, s.fd, &s.st, !write,
				s.source != RCFS_SOURCE_UNDERLYING, &h);
	if (r < 0) {
		(void)fuse_reply_err(req, -r);
		return;
	}

	fi->fh = (uintptr_t)h; /* READ, WRITE, RELEASE: this, never the pid */
	fi->direct_io = 1; /* one inode, many contents: no page cache (see the top) */
	fi->keep_cache = 0;
	fi->noflush = 1; /* writes are synchronous: nothing to flush at close */
	if (fuse_reply_open(req, fi) == -ENOENT)
		handles_free(ctx->handles, h); /* open(2) was interrupted: no RELEASE will follow */
}

static void rcfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);
	struct rcfs_handle *h = handle_of(fi);
	char stack_buf[64 * 1024];
	_cleanup_free_ char *heap_buf = NULL;
	char *buf = stack_buf;
	ssize_t n;

	(void)ino;
	if (size > READ_BUF_MAX)
		size = READ_BUF_MAX; /* a short read: the caller asks again */
	if (size > sizeof(stack_buf)) {
		buf = heap_buf = malloc(size);
		if (!buf) {
			(void)fuse_reply_err(req, ENOMEM);
			return;
		}
	}
	n = pread(h->fd, buf, size, off);
	if (n < 0) {
		(void)fuse_reply_err(req, errno);
		return;
	}
	(void)fuse_reply_buf(req, buf, (size_t)n);
	page_cache_after_read(ctx->page_cache, off, size);
}

static void rcfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct rcfs_handle *h = handle_of(fi);
	int n;

	(void)ino;
	if (h->source != RCFS_SOURCE_OWN || h->shared) { /* the kernel checks FMODE_WRITE */
		(void)fuse_reply_err(req, EBADF);
		return;
	}
	/* fi->flags are the file's flags now: O_APPEND may have come or gone with fcntl(). */
	n = backing_write(h->fd, buf, size, off, fi->flags & O_APPEND);
	if (n < 0) {
		(void)fuse_reply_err(req, -n);
		return;
	}
	(void)fuse_reply_write(req, (size_t)n);
}

static int apply_setattr(int fd, const struct stat *attr, int to_set)
{
	struct stat st;

	if ((to_set & FUSE_SET_ATTR_MODE) && fchmod(fd, attr->st_mode & 01777) < 0)
		return -errno;
	if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		if (fchown(fd, (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1,
			   (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1) < 0)
			return -errno;
		/* chown(2) clears set-id bits; ours never had them, but an admin may have. */
		if (fstat(fd, &st) < 0)
			return -errno;
		if ((st.st_mode & (S_ISUID | S_ISGID)) && fchmod(fd, st.st_mode & 01777) < 0)
			return -errno;
	}
	if ((to_set & FUSE_SET_ATTR_SIZE) && ftruncate(fd, attr->st_size) < 0)
		return -errno;
	if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
		struct timespec ts[2] = {
			{ .tv_nsec = UTIME_OMIT },
			{ .tv_nsec = UTIME_OMIT },
		};

		if (to_set & FUSE_SET_ATTR_ATIME_NOW)
			ts[0].tv_nsec = UTIME_NOW;
		else if (to_set & FUSE_SET_ATTR_ATIME)
			ts[0] = attr->st_atim;
		if (to_set & FUSE_SET_ATTR_MTIME_NOW)
			ts[1].tv_nsec = UTIME_NOW;
		else if (to_set & FUSE_SET_ATTR_MTIME)
			ts[1] = attr->st_mtim;
		if (futimens(fd, ts) < 0)
			return -errno;
	}
	return 0;
}

struct setattr_request {
	struct access_caller caller;
	bool refused;
	const struct stat *attr;
	int to_set;
};

static int check_setattr(void *arg, const struct stat *st, int flags)
{
	struct setattr_request *sr = arg;
	int r;

	(void)flags;
	r = access_check_setattr(&sr->caller, st, sr->attr, sr->to_set, false);
	sr->refused = r < 0;
	return r;
}

/* The fd a SETATTR changes: the handle's (ftruncate), or the caller's own file, made first
 * for a namespace that has none yet (after the check, against what it reads). */
static int setattr_target(fuse_req_t req, struct rcfs_ctx *ctx, struct fuse_file_info *fi,
			  struct setattr_request *sr, int *ret_own_fd)
{
	struct backing_check check = { check_setattr, sr };
	char path[PATH_MAX];
	struct rcfs_served s;
	struct rcfs_key key;
	struct stat st;
	int r;

	if (fi) {
		struct rcfs_handle *h = handle_of(fi);
		bool writable = h->source == RCFS_SOURCE_OWN && !h->shared;

		if (fstat(h->fd, &st) < 0)
			return -errno;
		if (!writable && (sr->to_set & ~FUSE_SET_ATTR_SIZE) == 0)
			return -EBADF;
		r = access_check_setattr(&sr->caller, &st, sr->attr, sr->to_set, writable);
		return r < 0 ? r : h->fd;
	}
	r = caller_key(req, ctx, &key);
	if (r < 0) {
		log_unidentified(ctx, "setattr", fuse_req_ctx(req)->pid, r);
		return -EACCES;
	}
	if (backing_is_host(ctx, &key))
		return -EROFS; /* its manager's file */
	r = backing_open(ctx, &key, O_RDWR, &check, &s, path, sizeof(path));
	if (!sr->refused)
		report_backing_error(ctx, path, r);
	if (r < 0)
		return r;
	*ret_own_fd = s.fd;
	return s.fd;
}

static void rcfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			 struct fuse_file_info *fi)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);
	struct setattr_request sr = { .attr = attr, .to_set = to_set };
	_cleanup_close_ int own_fd = -1;
	struct stat st;
	int fd, r;

	(void)ino;
	caller_of(req, ctx, &sr.caller);
	fd = setattr_target(req, ctx, fi, &sr, &own_fd);
	access_caller_done(&sr.caller);
	r = fd < 0 ? fd : apply_setattr(fd, attr, to_set);
	if (r == 0 && fstat(fd, &st) < 0)
		r = -errno;
	if (r < 0) {
		(void)fuse_reply_err(req, -r);
		return;
	}
	reply_stat(req, &st, RCFS_SOURCE_OWN);
}

static void rcfs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct rcfs_handle *h = handle_of(fi);
	int r = 0;

	(void)ino;
	if (h->source == RCFS_SOURCE_OWN && !h->shared &&
	    (datasync ? fdatasync(h->fd) : fsync(h->fd)) < 0)
		r = errno;
	(void)fuse_reply_err(req, r);
}

static void rcfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	(void)fuse_reply_err(req, 0); /* only if the kernel ignored noflush */
}

static void rcfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);

	(void)ino;
	handles_free(ctx->handles, handle_of(fi));
	(void)fuse_reply_err(req, 0);
}

const struct fuse_lowlevel_ops rcfs_ops = {
	.init = rcfs_init,
	.getattr = rcfs_getattr,
	.access = rcfs_access,
	.setattr = rcfs_setattr,
	.open = rcfs_open,
	.read = rcfs_read,
	.write = rcfs_write,
	.flush = rcfs_flush,
	.fsync = rcfs_fsync,
	.release = rcfs_release,
};
