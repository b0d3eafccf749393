/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The directory mode's open files and directory listings: a handle per open in fi->fh (READ,
 * WRITE, RELEASE carry pid 0 or a thread that may have moved since: the handle, never the
 * pid, says which file), charged to the opener's uid (handles.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backing.h"
#include "dirops-priv.h"
#include "dirwatch.h"
#include "handles.h"
#include "util.h"

int dirops_file_handle(fuse_req_t req, int fd, const struct stat *st, bool write,
		       struct fuse_file_info *fi)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);
	struct rcfs_handle *h;
	int r;

	r = handles_new(ctx->handles, fuse_req_ctx(req)->uid, RCFS_SOURCE_OWN, fd, st, !write, true,
			&h);
	if (r == 0)
		fi->fh = (uintptr_t)h;
	return r;
}

int dirops_file_fd(const struct fuse_file_info *fi)
{
	return ((const struct rcfs_handle *)(uintptr_t)fi->fh)->fd;
}

void dirops_file_close(fuse_req_t req, struct fuse_file_info *fi)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);

	handles_free(ctx->handles, (struct rcfs_handle *)(uintptr_t)fi->fh);
}

void rcfs_dir_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	bool write = backing_flags_write(fi->flags);
	struct rcfs_dirnode *n = dirops_node(ino);
	struct dirops_caller c;
	struct stat st;
	int fd = -1, r = 0;

	dirops_caller_init(req, &c);
	if (ino == FUSE_ROOT_ID)
		r = -EISDIR;
	else if (write && n->tree.kind != DIRTREE_OWN) /* decided against the view */
		r = dirops_prepare_change(
			&c, &n->tree,
			fstat(n->fd, &st) < 0 ? -errno : access_check_open(&c.ac, &st, fi->flags));
	else if (write && !dirops_identified(&c))
		r = -EACCES;
	if (r == 0)
		r = dirfs_open(&c.ac, n->fd, fi->flags, &fd, &st);
	if (r == 0)
		r = dirops_file_handle(req, fd, &st, write, fi);
	dirops_caller_done(&c);
	if (r < 0) {
		dirops_reply_err(req, r);
		return;
	}
	fi->direct_io = 0; /* this file's own inode: the page cache is its own */
	/* Watched (dirwatch.c): changes made outside the mount drop the pages when they happen,
	 * so they may serve the next open. Else they show at the next open. */
	fi->keep_cache = dirwatch_node_watched(n);
	fi->noflush = 1; /* writes go through at once: nothing to flush at close */
	if (fuse_reply_open(req, fi) == -ENOENT)
		dirops_file_close(req, fi); /* interrupted: no RELEASE will follow */
}

void rcfs_dir_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     struct fuse_file_info *fi)
{
	struct dirops_caller c;
	struct dirops_at at;
	struct stat st;
	int fd = -1, node_fd = -1, r;

	dirops_caller_init(req, &c);
	r = dirops_at_get(&c, parent, &at);
	if (r == 0)
		r = dirops_prepare_dir_change(&c, &at);
	if (r == 0 && !S_ISREG(mode))
		r = -EPERM;
	if (r == 0)
		r = dirfs_create(&c.ac, &at.dir, name, mode, fi->flags, &fd, &node_fd, &st);
	/* Charged once made (the fd comes with the file): a uid at its share gets EMFILE and
	 * keeps the empty file it made. */
	if (r == 0) {
		r = dirops_file_handle(req, fd, &st, backing_flags_write(fi->flags), fi);
		if (r < 0)
			(void)close(node_fd);
	}
	if (r < 0) {
		dirops_reply_err(req, r);
	} else {
		fi->direct_io = 0;
		fi->keep_cache = 0;
		fi->noflush = 1;
		dirops_reply_entry(req, &c, node_fd, &st, &at.tree, fi);
	}
	dirops_at_done(&at);
	dirops_caller_done(&c);
}

void rcfs_dir_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);

	(void)ino;
	buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	buf.buf[0].fd = dirops_file_fd(fi);
	buf.buf[0].pos = off;
	(void)fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

void rcfs_dir_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	int n;

	(void)ino;
	/* fi->flags are the file's flags now: O_APPEND appends at the real end. */
	n = backing_write(dirops_file_fd(fi), buf, size, off, fi->flags & O_APPEND);
	if (n < 0)
		dirops_reply_err(req, n);
	else
		(void)fuse_reply_write(req, (size_t)n);
}

void rcfs_dir_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino, (void)fi;
	(void)fuse_reply_err(req, 0);
}

void rcfs_dir_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	dirops_file_close(req, fi);
	(void)fuse_reply_err(req, 0);
}

void rcfs_dir_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	int fd = dirops_file_fd(fi);

	(void)ino;
	(void)fuse_reply_err(req, (datasync ? fdatasync(fd) : fsync(fd)) < 0 ? errno : 0);
}

/* An open directory: its entries, read in order; READDIR continues at an offset. */
struct dir_handle {
	pthread_mutex_t lock;
	DIR *dp; /* NULL: the empty directory */
	struct rcfs_handles *handles;
	struct rcfs_handle *charge; /* dp's fd, charged to the opener's uid; NULL without dp */
	off_t offset;
	struct dirent *entry; /* read but not yet replied */
};

static struct dir_handle *dir_handle_of(const struct fuse_file_info *fi)
{
	return (struct dir_handle *)(uintptr_t)fi->fh;
}

static void dir_handle_free(struct dir_handle *h)
{
	if (h->dp)
		(void)closedir(h->dp);
	if (h->charge) {
		h->charge->fd = -1; /* closed with dp */
		handles_free(h->handles, h->charge);
	}
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* H's listing of the directory FD (taken), its fd charged to the caller's uid. */
static int dir_handle_open(fuse_req_t req, struct dir_handle *h, int fd)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);
	const struct stat unshared = { 0 }; /* read only for a shared fd */
	int r;

	h->handles = ctx->handles;
	r = handles_new(ctx->handles, fuse_req_ctx(req)->uid, RCFS_SOURCE_OWN, fd, &unshared, false,
			true, &h->charge);
	if (r < 0)
		return r;
	h->dp = fdopendir(h->charge->fd);
	if (!h->dp) {
		r = -errno;
		handles_free(ctx->handles, TAKE_PTR(h->charge));
	}
	return r;
}

void rcfs_dir_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dirops_caller c;
	struct dirops_at at;
	struct dir_handle *h = NULL;
	int fd = -1, r;

	dirops_caller_init(req, &c);
	r = dirops_at_get(&c, ino, &at);
	if (r == 0 && at.dir.fd >= 0)
		r = dirfs_opendir(&c.ac, at.dir.fd, &fd);
	if (r == 0 && !(h = calloc(1, sizeof(*h))))
		r = -ENOMEM;
	if (r == 0 && fd >= 0)
		r = dir_handle_open(req, h, TAKE_FD(fd));
	dirops_at_done(&at);
	dirops_caller_done(&c);
	if (r < 0) {
		if (fd >= 0)
			(void)close(fd);
		free(h);
		dirops_reply_err(req, r);
		return;
	}
	pthread_mutex_init(&h->lock, NULL);
	fi->fh = (uintptr_t)h; /* READDIR: this caller's directory, whoever asks later */
	fi->cache_readdir = 0;
	fi->keep_cache = 0;
	if (fuse_reply_open(req, fi) == -ENOENT)
		dir_handle_free(h);
}

/* Fills BUF with entries from the handle's offset on. Returns the bytes filled. */
static size_t fill_entries(fuse_req_t req, struct dir_handle *h, char *buf, size_t size)
{
	size_t used = 0;

	for (;;) {
		struct stat st = { 0 };
		size_t len;

		if (!h->entry) {
			errno = 0;
			h->entry = readdir(h->dp);
			if (!h->entry)
				break;
		}
		st.st_ino = h->entry->d_ino;
		st.st_mode = (mode_t)h->entry->d_type << 12;
		len = fuse_add_direntry(req, buf + used, size - used, h->entry->d_name, &st,
					h->entry->d_off);
		if (len > size - used)
			break; /* kept in h->entry for the next READDIR */
		used += len;
		h->offset = h->entry->d_off;
		h->entry = NULL;
	}
	return used;
}

void rcfs_dir_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct dir_handle *h = dir_handle_of(fi);
	_cleanup_free_ char *buf = NULL;
	size_t used;

	(void)ino;
	if (!h->dp) {
		(void)fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > 1 << 20)
		size = 1 << 20;
	buf = malloc(size);
	if (!buf) {
		dirops_reply_err(req, -ENOMEM);
		return;
	}
	pthread_mutex_lock(&h->lock);
	if (off != h->offset) {
		seekdir(h->dp, off);
		h->entry = NULL;
		h->offset = off;
	}
	used = fill_entries(req, h, buf, size);
	pthread_mutex_unlock(&h->lock);
	(void)fuse_reply_buf(req, buf, used);
}

void rcfs_dir_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	dir_handle_free(dir_handle_of(fi));
	(void)fuse_reply_err(req, 0);
}

void rcfs_dir_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct dir_handle *h = dir_handle_of(fi);
	int fd = h->dp ? dirfd(h->dp) : -1;

	(void)ino;
	if (fd < 0) {
		(void)fuse_reply_err(req, 0);
		return;
	}
	(void)fuse_reply_err(req, (datasync ? fdatasync(fd) : fsync(fd)) < 0 ? errno : 0);
}
