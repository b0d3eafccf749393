/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The directory mode: the mount's root is one inode shared by every caller, and what it
 * contains differs per caller (dirtree.c). Everything below the root is one FUSE inode per
 * backing object (dirnodes.c), so the page cache, size and locks of a file are its own and
 * reads may be cached (no direct_io). Hence:
 *  - the root is answered per caller, every time: GETATTR with attribute timeout 0, and
 *    every entry with entry timeout 0, so each path walk sends LOOKUP again from the calling
 *    thread and a caller of another namespace gets another node. Deeper entries would be the
 *    same for everyone, but without default_permissions (which would check callers against
 *    the shared root's cached mode) the kernel checks no search permission on a cached
 *    dentry: LOOKUP is where the daemon checks it, so deeper entries are not cached either.
 *    Attributes below the root are an object's own and are cached for ATTR_TIMEOUT.
 *  - no access decision from cached attributes: every check is made here, against the
 *    object's attributes read now (dirfs.c, access.c).
 *  - the template and the empty directory are shared, read-only views: the first modifying
 *    operation of a namespace copies them into its own directory and answers ESTALE, on
 *    which the kernel walks the path once more (LOOKUP_REVAL) and finds the copy. So the
 *    kernel never changes its idea of a shared node.
 *  - a caller that cannot be identified sees the directory under the mount, read-only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "dirops-priv.h"
#include "log.h"
#include "util.h"

static void rcfs_dir_init(void *userdata, struct fuse_conn_info *conn)
{
	const struct rcfs_ctx *ctx = userdata;

	conn->max_read = ctx->max_read;
	/* Writes go out from the caller's thread, through to the backing file. */
	conn->want &= ~(FUSE_CAP_ASYNC_DIO | FUSE_CAP_WRITEBACK_CACHE | FUSE_CAP_EXPORT_SUPPORT);
}

static void rcfs_dir_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct rcfs_dirnode *n;
	struct dirops_caller c;
	struct dirops_at at;
	struct stat st;
	int fd = -1, r;

	dirops_caller_init(req, &c);
	r = dirops_at_get(&c, parent, &at);
	if (r == 0)
		r = at.dir.fd < 0 ? -ENOENT : dirfs_lookup_stat(&c.ac, &at.dir, name, &st);
	/* An object the kernel knows already (the common case: a path walked again) needs no
	 * open: its node's fd pins it, so (st_dev, st_ino) is that very object. */
	if (r == 0 && (n = dirnodes_find_ref(c.ctx->dirnodes, &st))) {
		dirops_reply_node(req, &c, n, &st, NULL);
		goto out;
	}
	if (r == 0)
		r = dirfs_lookup(&c.ac, &at.dir, name, &fd, &st);
	if (r < 0)
		dirops_reply_err(req, r);
	else
		dirops_reply_entry(req, &c, fd, &st, &at.tree, NULL);
out:
	dirops_at_done(&at);
	dirops_caller_done(&c);
}

static void rcfs_dir_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);

	if (ino != FUSE_ROOT_ID)
		dirnodes_unref(ctx->dirnodes, dirops_node(ino), nlookup);
	fuse_reply_none(req);
}

static void rcfs_dir_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct rcfs_ctx *ctx = fuse_req_userdata(req);

	for (size_t i = 0; i < count; i++)
		if (forgets[i].ino != FUSE_ROOT_ID)
			dirnodes_unref(ctx->dirnodes, dirops_node(forgets[i].ino),
				       forgets[i].nlookup);
	fuse_reply_none(req);
}

/* The attributes of INO for this caller, its tree, and how long they may be cached. */
static int stat_for(struct dirops_caller *c, fuse_ino_t ino, struct stat *ret_st,
		    struct dirtree_id *ret_tree, double *ret_timeout)
{
	struct dirtree_root root;
	int r;

	if (ino != FUSE_ROOT_ID) {
		*ret_tree = dirops_node(ino)->tree;
		*ret_timeout = ATTR_TIMEOUT;
		return fstat(dirops_node(ino)->fd, ret_st) < 0 ? -errno : 0;
	}
	r = dirtree_resolve(c->ctx, dirops_identified(c) ? &c->key : NULL, &root);
	if (r < 0)
		return r;
	*ret_st = root.st;
	*ret_tree = root.id;
	*ret_timeout = 0.0; /* shared by every caller: never cached */
	dirtree_root_done(&root);
	return 0;
}

static void rcfs_dir_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dirtree_id tree;
	struct dirops_caller c;
	struct stat st;
	double timeout;
	int r;

	(void)fi;
	dirops_caller_init(req, &c);
	r = stat_for(&c, ino, &st, &tree, &timeout);
	dirops_caller_done(&c);
	if (r < 0) {
		dirops_reply_err(req, r);
		return;
	}
	dirops_fix_attr(&tree, &st);
	(void)fuse_reply_attr(req, &st, timeout);
}

static int setattr_at(struct dirops_caller *c, const struct dirops_at *at, int node_fd,
		      struct stat *attr, int to_set, struct fuse_file_info *fi, struct stat *ret_st)
{
	int r;

	if (at->tree.kind != DIRTREE_OWN) {
		if (fi)
			return dirops_identified(c) && at->tree.kind != DIRTREE_UNDERLYING ?
				       -EROFS :
				       -EACCES;
		r = access_check_setattr(&c->ac, &at->dir.st, attr, to_set, false);
		return dirops_prepare_change(c, &at->tree, r);
	}
	if (!fi && !dirops_identified(c))
		return -EACCES;
	return dirfs_setattr(&c->ac, node_fd, fi ? dirops_file_fd(fi) : -1, attr, to_set, ret_st);
}

static void rcfs_dir_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			     struct fuse_file_info *fi)
{
	struct dirops_caller c;
	struct dirops_at at = { .root.fd = -1 };
	struct stat st;
	int r = 0;

	dirops_caller_init(req, &c);
	if (ino == FUSE_ROOT_ID) {
		r = dirops_at_get(&c, ino, &at);
	} else {
		at.tree = dirops_node(ino)->tree;
		at.dir.fd = dirops_node(ino)->fd;
		if (fstat(at.dir.fd, &at.dir.st) < 0)
			r = -errno;
	}
	if (r == 0)
		r = setattr_at(&c, &at, at.dir.fd, attr, to_set, fi, &st);
	if (r < 0)
		dirops_reply_err(req, r);
	else
		(void)fuse_reply_attr(req, &st, ino == FUSE_ROOT_ID ? 0.0 : ATTR_TIMEOUT);
	dirops_at_done(&at);
	dirops_caller_done(&c);
}

static void rcfs_dir_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[PATH_MAX];
	ssize_t n;

	if (ino == FUSE_ROOT_ID) {
		dirops_reply_err(req, -EINVAL);
		return;
	}
	n = readlinkat(dirops_node(ino)->fd, "", buf, sizeof(buf) - 1);
	if (n < 0) {
		(void)fuse_reply_err(req, errno);
		return;
	}
	buf[n] = '\0';
	(void)fuse_reply_readlink(req, buf);
}

static void rcfs_dir_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			   dev_t rdev)
{
	(void)parent, (void)name, (void)mode, (void)rdev;
	dirops_reply_err(req, -EPERM); /* no device nodes, FIFOs or sockets in backing trees */
}

/* MKDIR and SYMLINK (TARGET non-NULL). */
static void make_entry(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		       const char *target)
{
	struct dirops_caller c;
	struct dirops_at at;
	struct stat st;
	int fd = -1, r;

	dirops_caller_init(req, &c);
	r = dirops_at_get(&c, parent, &at);
	if (r == 0)
		r = dirops_prepare_dir_change(&c, &at);
	if (r == 0)
		r = target ? dirfs_symlink(&c.ac, &at.dir, name, target, &fd, &st) :
			     dirfs_mkdir(&c.ac, &at.dir, name, mode, &fd, &st);
	if (r < 0)
		dirops_reply_err(req, r);
	else
		dirops_reply_entry(req, &c, fd, &st, &at.tree, NULL);
	dirops_at_done(&at);
	dirops_caller_done(&c);
}

static void rcfs_dir_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	make_entry(req, parent, name, mode, NULL);
}

static void rcfs_dir_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	make_entry(req, parent, name, 0, link);
}

static void remove_entry(fuse_req_t req, fuse_ino_t parent, const char *name, bool is_dir)
{
	struct dirops_caller c;
	struct dirops_at at;
	int r;

	dirops_caller_init(req, &c);
	r = dirops_at_get(&c, parent, &at);
	if (r == 0)
		r = dirops_prepare_dir_change(&c, &at);
	if (r == 0)
		r = dirfs_remove(&c.ac, &at.dir, name, is_dir);
	dirops_reply_err(req, r);
	dirops_at_done(&at);
	dirops_caller_done(&c);
}

static void rcfs_dir_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_entry(req, parent, name, false);
}

static void rcfs_dir_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_entry(req, parent, name, true);
}

static void rcfs_dir_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			    fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct dirops_at from = { .root.fd = -1 }, to = { .root.fd = -1 };
	struct dirops_caller c;
	int r;

	dirops_caller_init(req, &c);
	r = dirops_at_get(&c, parent, &from);
	if (r == 0)
		r = dirops_at_get(&c, newparent, &to);
	if (r == 0 && !dirops_same_tree(&from.tree, &to.tree))
		r = -EXDEV; /* between the caller's tree and another namespace's, or a view */
	if (r == 0)
		r = dirops_prepare_dir_change(&c, &from);
	if (r == 0)
		r = dirfs_rename(&c.ac, &from.dir, name, &to.dir, newname, flags);
	dirops_reply_err(req, r);
	dirops_at_done(&from);
	dirops_at_done(&to);
	dirops_caller_done(&c);
}

static void rcfs_dir_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct rcfs_dirnode *n = dirops_node(ino);
	struct dirops_caller c;
	struct dirops_at at;
	struct stat st;
	int fd = -1, r;

	dirops_caller_init(req, &c);
	r = ino == FUSE_ROOT_ID ? -EPERM : dirops_at_get(&c, newparent, &at);
	if (r == 0 && !dirops_same_tree(&n->tree, &at.tree))
		r = -EXDEV; /* a hard link never joins two trees */
	if (r == 0)
		r = dirops_prepare_dir_change(&c, &at);
	if (r == 0)
		r = dirfs_link(&c.ac, n->fd, &at.dir, newname, &st);
	if (r == 0 && (fd = fcntl(n->fd, F_DUPFD_CLOEXEC, 3)) < 0)
		r = -errno;
	if (r < 0)
		dirops_reply_err(req, r);
	else
		dirops_reply_entry(req, &c, fd, &st, &at.tree, NULL);
	if (ino != FUSE_ROOT_ID)
		dirops_at_done(&at);
	dirops_caller_done(&c);
}

static void rcfs_dir_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct dirops_caller c;
	struct dirops_at at = { .root.fd = -1 };
	struct statvfs sv;
	int fd, r = 0;

	dirops_caller_init(req, &c);
	if (ino == FUSE_ROOT_ID)
		r = dirops_at_get(&c, ino, &at);
	fd = ino != FUSE_ROOT_ID ? dirops_node(ino)->fd :
	     at.dir.fd >= 0	 ? at.dir.fd :
				   c.ctx->backing_dir_fd;
	if (r == 0 && fstatvfs(fd, &sv) < 0)
		r = -errno;
	if (r < 0)
		dirops_reply_err(req, r);
	else
		(void)fuse_reply_statfs(req, &sv);
	dirops_at_done(&at);
	dirops_caller_done(&c);
}

/* access(2), and chdir(2), which the kernel asks about. */
static void rcfs_dir_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct dirtree_id tree;
	struct dirops_caller c;
	struct stat st;
	double timeout;
	int r;

	dirops_caller_init(req, &c);
	r = stat_for(&c, ino, &st, &tree, &timeout);
	if (r == 0 && (mask & W_OK) && (!dirops_identified(&c) || tree.kind == DIRTREE_UNDERLYING))
		r = -EACCES; /* the read-only view */
	if (r == 0 && mask != F_OK)
		r = access_check(&c.ac, &st, mask);
	dirops_reply_err(req, r);
	dirops_caller_done(&c);
}

const struct fuse_lowlevel_ops rcfs_dir_ops = {
	.init = rcfs_dir_init,
	.lookup = rcfs_dir_lookup,
	.forget = rcfs_dir_forget,
	.forget_multi = rcfs_dir_forget_multi,
	.getattr = rcfs_dir_getattr,
	.setattr = rcfs_dir_setattr,
	.readlink = rcfs_dir_readlink,
	.mknod = rcfs_dir_mknod,
	.mkdir = rcfs_dir_mkdir,
	.unlink = rcfs_dir_unlink,
	.rmdir = rcfs_dir_rmdir,
	.symlink = rcfs_dir_symlink,
	.rename = rcfs_dir_rename,
	.link = rcfs_dir_link,
	.open = rcfs_dir_open,
	.read = rcfs_dir_read,
	.write = rcfs_dir_write,
	.flush = rcfs_dir_flush,
	.release = rcfs_dir_release,
	.fsync = rcfs_dir_fsync,
	.opendir = rcfs_dir_opendir,
	.readdir = rcfs_dir_readdir,
	.releasedir = rcfs_dir_releasedir,
	.fsyncdir = rcfs_dir_fsyncdir,
	.statfs = rcfs_dir_statfs,
	.access = rcfs_dir_access,
	.create = rcfs_dir_create,
	.fallocate = rcfs_dir_fallocate,
	.copy_file_range = rcfs_dir_copy_file_range,
	.lseek = rcfs_dir_lseek,
};
