/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the directory mode's handlers: dirops.c (entries and attributes),
 * dirops-files.c (open files and directory listings), dirops-extra.c (fallocate,
 * copy_file_range, lseek), with what they share in dirops-caller.c. Only these reply to the
 * kernel. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "access.h"
#include "context.h"
#include "dirfs.h"
#include "dirnodes.h"
#include "dirops.h"
#include "dirtree.h"
#include "key.h"

#define ATTR_TIMEOUT 1.0 /* below the root: an object's own attributes */

/* Who asks, once per request. Its namespace is looked up only when asked for (an open or a
 * read below the root needs none): dirops_identified(). */
struct dirops_caller {
	struct rcfs_ctx *ctx;
	struct access_caller ac;
	fuse_req_t req;
	int identified; /* 1, 0, or -1: not looked up yet */
	struct rcfs_key key;
};

/* A directory as this caller sees it: the root resolved for the caller, or a node. */
struct dirops_at {
	struct dirfs_dir dir; /* fd -1: the empty directory */
	struct dirtree_id tree;
	struct dirtree_root root; /* owns the root's fd */
};

void dirops_caller_init(fuse_req_t req, struct dirops_caller *c);
void dirops_caller_done(struct dirops_caller *c);
/* Whether the caller's key (c->key) is known: looked up at the first call. */
bool dirops_identified(struct dirops_caller *c);
struct rcfs_dirnode *dirops_node(fuse_ino_t ino);
/* INO (the root: the caller's) as a directory. dirops_at_done() after success or failure. */
int dirops_at_get(struct dirops_caller *c, fuse_ino_t ino, struct dirops_at *ret);
void dirops_at_done(struct dirops_at *a);
/* Before a change in TREE that CHECK (0 or -errno) allowed: 0 in the caller's own tree,
 * -ESTALE once a shared view was copied to the caller's own directory, -EACCES read-only. */
int dirops_prepare_change(struct dirops_caller *c, const struct dirtree_id *tree, int check);
int dirops_prepare_dir_change(struct dirops_caller *c, const struct dirops_at *at);
bool dirops_same_tree(const struct dirtree_id *a, const struct dirtree_id *b);
/* ST as a caller in TREE sees it: the read-only view shows no write bits. */
void dirops_fix_attr(const struct dirtree_id *tree, struct stat *st);
void dirops_reply_err(fuse_req_t req, int r);
/* Open files: fi->fh is a handle (handles.c) charged to the opener's uid, so no uid can take
 * the daemon's fds from the others; read-only opens of one file share an fd. FD (taken) is
 * open on the file with attributes ST. Returns 0, -EMFILE (the uid holds its share) or
 * -ENOMEM. */
int dirops_file_handle(fuse_req_t req, int fd, const struct stat *st, bool write,
		       struct fuse_file_info *fi);
int dirops_file_fd(const struct fuse_file_info *fi);
void dirops_file_close(fuse_req_t req, struct fuse_file_info *fi);
/* N (its lookup count raised for this reply) with attributes ST as an entry, or with FI as
 * CREATE's. */
void dirops_reply_node(fuse_req_t req, struct dirops_caller *c, struct rcfs_dirnode *n,
		       const struct stat *st, struct fuse_file_info *fi);
/* A node for FD (taken) in TREE, replied as an entry, or with FI as CREATE's. */
void dirops_reply_entry(fuse_req_t req, struct dirops_caller *c, int fd, const struct stat *st,
			const struct dirtree_id *tree, struct fuse_file_info *fi);

void rcfs_dir_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void rcfs_dir_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     struct fuse_file_info *fi);
void rcfs_dir_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi);
void rcfs_dir_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi);
void rcfs_dir_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void rcfs_dir_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void rcfs_dir_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void rcfs_dir_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void rcfs_dir_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi);
void rcfs_dir_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void rcfs_dir_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);

/* dirops-extra.c */
void rcfs_dir_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		    struct fuse_file_info *fi);
void rcfs_dir_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
			struct fuse_file_info *fi);
void rcfs_dir_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			      struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
			      struct fuse_file_info *fi_out, size_t len, int flags);
