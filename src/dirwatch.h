/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The directory mode's view of changes made outside the mount: an inotify watch on every
 * node's backing object (files and directories the kernel knows), and a thread of its own
 * that, when one changes, tells the kernel to drop that node's pages and attributes
 * (fuse_lowlevel_notify_inval_inode) and, in a directory, the changed entry
 * (fuse_lowlevel_notify_inval_entry). So the page cache may be kept across opens: a reader
 * sees an admin's edit of BACKING_DIR/NAME/resolv.conf at its next read. Not done in a
 * request handler: the kernel waits for locked pages, which may belong to READs that need a
 * free worker thread. Our own writes through the mount change the backing files too; their
 * events are coalesced per batch and cost a page-cache drop on the watcher thread.
 * A node without a watch (the inotify limit, fs.inotify.max_user_watches, is reached) keeps
 * no pages across opens (dirwatch_node_watched()). */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct fuse_session;
struct rcfs_dirnode;
struct dirwatch_entry;

struct rcfs_dirwatch {
	struct fuse_session *se;
	int inotify_fd; /* made by dirwatch_init(), before any node */
	int stop_fd; /* eventfd */
	pthread_mutex_t lock; /* guards the wd -> node table */
	struct dirwatch_entry **buckets;
	size_t n_buckets;
	atomic_bool limit_logged;
	bool started;
	pthread_t thread;
};

/* Returns 0 or a -errno. */
int dirwatch_init(struct rcfs_dirwatch *w);
void dirwatch_done(struct rcfs_dirwatch *w);

/* Starts the thread, once SE is mounted. Returns 0 or a -errno. */
int dirwatch_start(struct rcfs_dirwatch *w, struct fuse_session *se);
void dirwatch_stop(struct rcfs_dirwatch *w); /* a no-op if never started */

/* The node table's hooks (struct rcfs_dirnodes, ARG the dirwatch): a node was made, a node
 * goes. Called outside the table's lock, the node alive. */
void dirwatch_node_new(void *arg, struct rcfs_dirnode *n);
void dirwatch_node_gone(void *arg, struct rcfs_dirnode *n);

/* Whether N's backing object is watched: its pages may be kept across opens. */
bool dirwatch_node_watched(const struct rcfs_dirnode *n);
