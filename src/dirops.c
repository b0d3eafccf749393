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

void dirops_caller_init(fuse_req_t req, struct dirops_caller *c)
{
	const struct fuse_ctx *fc = fuse_req_ctx(req);

	c->ctx = fuse_req_userdata(req);
	c->req = req;
	c->identified = -1;
	access_caller_init(&c->ac, c->ctx->procfs_fd, c->ctx->self_userns, fc->pid, fc->uid,
			   fc->gid);
}

bool dirops_identified(struct dirops_caller *c)
{
	const struct fuse_ctx *fc;
	int r;

	if (c->identified >= 0)
		return c->identified;
	fc = fuse_req_ctx(c->req);
	r = key_from_caller(c->ctx->procfs_fd, c->ctx->key_kind, fc->pid, fc->uid, fc->gid,
			    &c->key);
	c->identified = r == 0;
	if (r < 0)
		log_debug_errno(r,
				"request from pid %d: caller not identified, original directory "
				"read-only",
				(int)fc->pid);
	return c->identified;
}

void dirops_caller_done(struct dirops_caller *c)
{
	access_caller_done(&c->ac);
}

struct rcfs_dirnode *dirops_node(fuse_ino_t ino)
{
	return (struct rcfs_dirnode *)(uintptr_t)ino;
}

/* The daemon's path of its own fd FD, in BUF. Returns 0 or a -errno. */
static int fd_path(int fd, char buf[static PATH_MAX])
{
	char proc[64];
	ssize_t n;

	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, PATH_MAX - 1);
	if (n < 0)
		return -errno;
	if (n >= PATH_MAX - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/* A directory node N of the template tree, for a caller that has its own directory now: the
 * directory of the same path beneath its own, in RET (RET->root owns its fd). A caller keeps
 * template nodes from before its first change, as a working directory (Debian's resolvconf
 * cds into interface/ before it first writes): on them the kernel's walk again after ESTALE
 * starts from the same node, so each change would be ESTALE for ever. Returns 0 (RET set),
 * 1 when the caller still sees the template (use N), or a -errno. */
static int template_dir_in_own_tree(struct dirops_caller *c, const struct rcfs_dirnode *n,
				    struct dirops_at *ret)
{
	char tpath[PATH_MAX], npath[PATH_MAX];
	size_t len;
	int fd, r;

	r = dirtree_resolve(c->ctx, &c->key, &ret->root);
	if (r < 0)
		return r;
	if (ret->root.id.kind != DIRTREE_OWN)
		return 1; /* dirops_at_done() closes the root */
	if (fd_path(c->ctx->template_fd, tpath) < 0 || fd_path(n->fd, npath) < 0)
		return -ESTALE;
	len = strlen(tpath);
	if (strncmp(npath, tpath, len) != 0 || npath[len] != '/')
		return -ESTALE; /* moved or removed out of the template meanwhile */
	fd = dirtree_open_beneath(ret->root.fd, npath + len + 1, O_PATH | O_NOFOLLOW | O_DIRECTORY,
				  0);
	if (fd < 0)
		return fd == -ENOTDIR || fd == -ELOOP ? -ENOENT : fd;
	if (fstat(fd, &ret->dir.st) < 0) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	(void)close(ret->root.fd);
	ret->root.fd = fd;
	ret->dir.fd = fd;
	ret->tree = ret->root.id;
	return 0;
}

int dirops_at_get(struct dirops_caller *c, fuse_ino_t ino, struct dirops_at *ret)
{
	struct rcfs_dirnode *n;
	int r;

	ret->root.fd = -1;
	if (ino == FUSE_ROOT_ID) {
		r = dirtree_resolve(c->ctx, dirops_identified(c) ? &c->key : NULL, &ret->root);
		if (r < 0)
			return r;
		ret->dir = (struct dirfs_dir){ ret->root.fd, ret->root.st };
		ret->tree = ret->root.id;
		return 0;
	}
	n = dirops_node(ino);
	if (n->tree.kind == DIRTREE_TEMPLATE && dirops_identified(c)) {
		r = template_dir_in_own_tree(c, n, ret);
		if (r <= 0)
			return r;
	}
	if (fstat(n->fd, &ret->dir.st) < 0)
		return -errno;
	if (!S_ISDIR(ret->dir.st.st_mode))
		return -ENOTDIR;
	ret->dir.fd = n->fd;
	ret->tree = n->tree;
	return 0;
}

void dirops_at_done(struct dirops_at *a)
{
	dirtree_root_done(&a->root);
}

static bool same_tree(const struct dirtree_id *a, const struct dirtree_id *b)
{
	return a->kind == b->kind && a->dev == b->dev && a->ino == b->ino;
}

/* The caller's first modifying operation: its own directory is made from what it sees, and
 * the kernel is told to walk the path again. Returns -ESTALE, or why that failed. */
static int materialize(struct dirops_caller *c)
{
	struct dirtree_root view;
	int r;

	r = dirtree_resolve(c->ctx, &c->key, &view);
	if (r < 0)
		return r;
	if (view.id.kind != DIRTREE_OWN) {
		r = dirtree_materialize(c->ctx, &c->key, &view);
		if (r == 0)
			log_debug("pid %d: made '%s/%s' for %s:[%llu]", (int)c->ac.tid,
				  c->ctx->cfg->backing_dir, view.own, key_kind_name(c->key.kind),
				  (unsigned long long)c->key.id);
	}
	dirtree_root_done(&view);
	return r < 0 ? r : -ESTALE;
}

/* Before a change in TREE, allowed (CHECK is the access decision against the object as the
 * caller sees it): 0 in the caller's own tree, -ESTALE once a shared view was copied,
 * -EACCES in the read-only view of an unidentified caller. */
int dirops_prepare_change(struct dirops_caller *c, const struct dirtree_id *tree, int check)
{
	if (!dirops_identified(c) || tree->kind == DIRTREE_UNDERLYING)
		return -EACCES;
	if (check < 0)
		return check;
	return tree->kind == DIRTREE_OWN ? 0 : materialize(c);
}

/* A change of directory AT's entries: write and search permission on it. */
int dirops_prepare_dir_change(struct dirops_caller *c, const struct dirops_at *at)
{
	int check = 0;

	if (at->tree.kind != DIRTREE_OWN)
		check = access_check(&c->ac, &at->dir.st, W_OK | X_OK);
	return dirops_prepare_change(c, &at->tree, check);
}

static void fix_attr(const struct dirtree_id *tree, struct stat *st)
{
	if (tree->kind == DIRTREE_UNDERLYING)
		st->st_mode &= ~(mode_t)0222; /* served read-only */
}

void dirops_reply_err(fuse_req_t req, int r)
{
	(void)fuse_reply_err(req, -r);
}

/* A node for FD (taken) in TREE, in reply to LOOKUP, MKDIR, SYMLINK, LINK; or CREATE with
 * FI (whose fh is closed if the reply does not reach the kernel). */
/* N (its lookup count raised for this reply) with attributes ST as an entry, or as CREATE's. */
static void reply_node(fuse_req_t req, struct dirops_caller *c, struct rcfs_dirnode *n,
		       const struct stat *st, struct fuse_file_info *fi)
{
	struct fuse_entry_param e = { .attr = *st, .attr_timeout = ATTR_TIMEOUT };
	int r;

	e.ino = (uintptr_t)n;
	e.generation = n->generation;
	e.entry_timeout = 0.0; /* see the top of this file */
	fix_attr(&n->tree, &e.attr);
	r = fi ? fuse_reply_create(req, &e, fi) : fuse_reply_entry(req, &e);
	if (r == -ENOENT) { /* interrupted: the kernel never got the node */
		if (fi)
			dirops_file_close(req, fi);
		dirnodes_unref(c->ctx->dirnodes, n, 1);
	}
}

void dirops_reply_entry(fuse_req_t req, struct dirops_caller *c, int fd, const struct stat *st,
			const struct dirtree_id *tree, struct fuse_file_info *fi)
{
	struct rcfs_dirnode *n;
	int r;

	r = dirnodes_ref(c->ctx->dirnodes, fd, st, tree, &n);
	if (r < 0) {
		if (fi)
			dirops_file_close(req, fi);
		dirops_reply_err(req, r);
		return;
	}
	reply_node(req, c, n, st, fi);
}

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
		reply_node(req, &c, n, &st, NULL);
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
	fix_attr(&tree, &st);
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
	if (r == 0 && !same_tree(&from.tree, &to.tree))
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
	if (r == 0 && !same_tree(&n->tree, &at.tree))
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
