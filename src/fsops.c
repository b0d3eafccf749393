/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mount is one inode (the root, a regular file) that shows different bytes to different
 * callers. The kernel keeps one page cache and one attribute cache per inode, so anything it
 * cached for namespace A would be served to namespace B. Hence: direct_io on every open (no
 * page cache for read/write), attribute timeout 0 (every stat, access check and SEEK_END asks
 * us again, from the calling thread), no keep_cache, no writeback cache, no async direct I/O.
 * There is no LOOKUP (no directory), so there is no entry timeout to set.
 *
 * The caller is resolved in OPEN, and in GETATTR/SETATTR without a file handle. Everything
 * else uses what OPEN put in fi->fh: RELEASE and FORGET carry pid 0, and a thread that opened
 * the file and then called setns() keeps what it opened, as with a bind mount.
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

#include "backing.h"
#include "context.h"
#include "key.h"
#include "log.h"
#include "util.h"

/* fi->fh holds the fd in the low 32 bits and the source above: no allocation per open. */
static uint64_t served_to_fh(const struct rcfs_served *s)
{
	return (uint64_t)(uint32_t)s->fd | (uint64_t)s->source << 32;
}

static struct rcfs_served served_from_fh(uint64_t fh)
{
	return (struct rcfs_served){ .fd = (int)(uint32_t)fh,
				     .source = (enum rcfs_source)(fh >> 32) };
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

/* Whether the handle's fd is its own (closed at RELEASE) or shared (the original file). */
static bool served_owns_fd(const struct rcfs_served *s)
{
	return s->source != RCFS_SOURCE_UNDERLYING;
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

static void reply_stat(fuse_req_t req, struct stat *st, enum rcfs_source source)
{
	if (source == RCFS_SOURCE_UNDERLYING || source == RCFS_SOURCE_HOST)
		st->st_mode &= ~(mode_t)0222; /* served read-only */
	(void)fuse_reply_attr(req, st, 0.0); /* 0: never cached, see the top of this file */
}

static void rcfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);
	enum rcfs_source source;
	struct rcfs_key key;
	struct stat st;
	int r;

	(void)ino; /* one file: the root inode */
	if (fi) { /* fstat(2): the file this handle serves, whoever asks */
		struct rcfs_served s = served_from_fh(fi->fh);

		if (fstat(s.fd, &st) < 0) {
			(void)fuse_reply_err(req, errno);
			return;
		}
		reply_stat(req, &st, s.source);
		return;
	}

	r = caller_key(req, ctx, &key);
	if (r < 0 && ctx->cfg->host_file) {
		log_unidentified(ctx, "stat", fuse_req_ctx(req)->pid, r);
		source = RCFS_SOURCE_HOST;
		r = backing_stat_host(ctx, fuse_req_ctx(req)->pid, &st);
	} else if (r < 0) {
		log_unidentified(ctx, "stat", fuse_req_ctx(req)->pid, r);
		source = RCFS_SOURCE_UNDERLYING;
		r = fstat(ctx->underlying_fd, &st) < 0 ? -errno : 0;
	} else if (backing_is_host(ctx, &key)) {
		source = RCFS_SOURCE_HOST;
		r = backing_stat_host(ctx, fuse_req_ctx(req)->pid, &st);
	} else {
		char path[PATH_MAX];

		r = backing_stat(ctx, &key, &st, &source, path, sizeof(path));
		report_backing_error(ctx, path, r);
		if (ctx->cfg->verbose >= 2)
			log_debug("stat: pid %d -> %s:[%llu] -> %s (%s)",
				  (int)fuse_req_ctx(req)->pid, key_kind_name(key.kind),
				  (unsigned long long)key.id, path,
				  r < 0 ? strerror(-r) : backing_source_name(source));
	}
	if (r < 0) {
		(void)fuse_reply_err(req, -r);
		return;
	}
	reply_stat(req, &st, source);
}

static void rcfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);
	pid_t pid = fuse_req_ctx(req)->pid;
	struct rcfs_served s;
	struct rcfs_key key;
	int r;

	(void)ino;
	r = caller_key(req, ctx, &key);
	if (r < 0 || backing_is_host(ctx, &key)) {
		bool write = (fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC);

		/* Never another namespace's file: what the caller would see without us, or the
		 * host's file, which its manager owns: read-only either way. */
		if (r < 0)
			log_unidentified(ctx, "open", pid, r);
		if (write) {
			(void)fuse_reply_err(req, r < 0 ? EACCES : EROFS);
			return;
		}
		if (ctx->cfg->host_file) {
			r = backing_open_host(ctx, pid, &s);
			log_debug("open: pid %d -> host file %s (%s)", (int)pid,
				  ctx->cfg->host_file,
				  r < 0 ? strerror(-r) : backing_source_name(s.source));
			if (r < 0) {
				(void)fuse_reply_err(req, -r);
				return;
			}
		} else {
			s = (struct rcfs_served){ RCFS_SOURCE_UNDERLYING, ctx->underlying_fd };
		}
	} else {
		char path[PATH_MAX];

		r = backing_open(ctx, &key, fi->flags, &s, path, sizeof(path));
		report_backing_error(ctx, path, r);
		log_debug("open: pid %d -> %s:[%llu] -> %s (%s)", (int)pid, key_kind_name(key.kind),
			  (unsigned long long)key.id, path,
			  r < 0 ? strerror(-r) : backing_source_name(s.source));
		if (r < 0) {
			(void)fuse_reply_err(req, -r);
			return;
		}
	}

	fi->fh = served_to_fh(&s);
	fi->direct_io = 1; /* one inode, many contents: no page cache (see the top) */
	fi->keep_cache = 0;
	fi->noflush = 1; /* writes are synchronous: nothing to flush at close */
	if (fuse_reply_open(req, fi) == -ENOENT && served_owns_fd(&s))
		(void)close(s.fd); /* open(2) was interrupted: no RELEASE will follow */
}

static void rcfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct rcfs_served s = served_from_fh(fi->fh);
	char stack_buf[64 * 1024];
	_cleanup_free_ char *heap_buf = NULL;
	char *buf = stack_buf;
	ssize_t n;

	(void)ino;
	if (size > sizeof(stack_buf)) {
		buf = heap_buf = malloc(size);
		if (!buf) {
			(void)fuse_reply_err(req, ENOMEM);
			return;
		}
	}
	n = pread(s.fd, buf, size, off);
	if (n < 0) {
		(void)fuse_reply_err(req, errno);
		return;
	}
	(void)fuse_reply_buf(req, buf, (size_t)n);
}

static void rcfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct rcfs_served s = served_from_fh(fi->fh);
	ssize_t n;

	(void)ino;
	if (s.source != RCFS_SOURCE_OWN) { /* the kernel allows WRITE only on write opens */
		(void)fuse_reply_err(req, EBADF);
		return;
	}
	/* For ">>" the kernel's offset is its stale idea of the size; the backing fd is
	 * O_APPEND then, and pwrite(2) on it appends at the real end (Linux ignores off). */
	n = pwrite(s.fd, buf, size, off);
	if (n < 0) {
		(void)fuse_reply_err(req, errno);
		return;
	}
	(void)fuse_reply_write(req, (size_t)n);
}

static int apply_setattr(int fd, const struct stat *attr, int to_set)
{
	if ((to_set & FUSE_SET_ATTR_MODE) && fchmod(fd, attr->st_mode & 07777) < 0)
		return -errno;
	if ((to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) &&
	    fchown(fd, (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1,
		   (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1) < 0)
		return -errno;
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

static void rcfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			 struct fuse_file_info *fi)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);
	_cleanup_close_ int own_fd = -1;
	char path[PATH_MAX];
	struct rcfs_served s;
	struct rcfs_key key;
	struct stat st;
	int fd, r;

	(void)ino;
	if (fi && served_from_fh(fi->fh).source == RCFS_SOURCE_OWN) {
		fd = served_from_fh(fi->fh).fd; /* ftruncate(2) */
	} else {
		r = caller_key(req, ctx, &key);
		if (r < 0) {
			log_unidentified(ctx, "setattr", fuse_req_ctx(req)->pid, r);
			(void)fuse_reply_err(req, EACCES);
			return;
		}
		if (backing_is_host(ctx, &key)) {
			(void)fuse_reply_err(req, EROFS); /* its manager's file */
			return;
		}
		/* A change of a namespace without its own file gives it one first. */
		r = backing_open(ctx, &key, O_RDWR, &s, path, sizeof(path));
		report_backing_error(ctx, path, r);
		if (r < 0) {
			(void)fuse_reply_err(req, -r);
			return;
		}
		fd = own_fd = s.fd;
	}

	r = apply_setattr(fd, attr, to_set);
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
	struct rcfs_served s = served_from_fh(fi->fh);
	int r = 0;

	(void)ino;
	if (s.source == RCFS_SOURCE_OWN && (datasync ? fdatasync(s.fd) : fsync(s.fd)) < 0)
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
	struct rcfs_served s = served_from_fh(fi->fh);

	(void)ino;
	if (served_owns_fd(&s))
		(void)close(s.fd); /* the original file's shared fd stays open */
	(void)fuse_reply_err(req, 0);
}

const struct fuse_lowlevel_ops rcfs_ops = {
	.init = rcfs_init,
	.getattr = rcfs_getattr,
	.setattr = rcfs_setattr,
	.open = rcfs_open,
	.read = rcfs_read,
	.write = rcfs_write,
	.flush = rcfs_flush,
	.fsync = rcfs_fsync,
	.release = rcfs_release,
};
