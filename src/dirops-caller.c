/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The directory mode's handlers share these (dirops-priv.h): who asks (its namespace looked
 * up only when needed), the directory a request names as that caller sees it, the first
 * change that turns a shared view into the caller's own directory, and the entry replies
 * that hand nodes to the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dirops-priv.h"
#include "log.h"

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

bool dirops_same_tree(const struct dirtree_id *a, const struct dirtree_id *b)
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

void dirops_fix_attr(const struct dirtree_id *tree, struct stat *st)
{
	if (tree->kind == DIRTREE_UNDERLYING)
		st->st_mode &= ~(mode_t)0222; /* served read-only */
}

void dirops_reply_err(fuse_req_t req, int r)
{
	(void)fuse_reply_err(req, -r);
}

void dirops_reply_node(fuse_req_t req, struct dirops_caller *c, struct rcfs_dirnode *n,
		       const struct stat *st, struct fuse_file_info *fi)
{
	struct fuse_entry_param e = { .attr = *st, .attr_timeout = ATTR_TIMEOUT };
	int r;

	e.ino = (uintptr_t)n;
	e.generation = n->generation;
	e.entry_timeout = 0.0; /* see the top of dirops.c */
	dirops_fix_attr(&n->tree, &e.attr);
	r = fi ? fuse_reply_create(req, &e, fi) : fuse_reply_entry(req, &e);
	if (r == -ENOENT) { /* interrupted: the kernel never got the node */
		if (fi)
			dirops_file_close(req, fi);
		dirnodes_unref(c->ctx->dirnodes, n, 1);
	}
}

/* In reply to LOOKUP, MKDIR, SYMLINK, LINK; or CREATE with FI (whose handle is closed if the
 * reply does not reach the kernel). */
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
	dirops_reply_node(req, c, n, st, fi);
}
