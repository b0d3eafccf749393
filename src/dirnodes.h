/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The directory mode's node table: one FUSE inode per backing object, keyed by its
 * (st_dev, st_ino), so the kernel's page cache, size and locks are each file's own. A node
 * holds an O_PATH fd on its object (which also keeps the inode number from being reused
 * while the kernel knows the node) and counts the kernel's lookups; FORGET drops it. The
 * node id is the node's address; a generation number, new for every node, tells a reused
 * address apart. The root (FUSE_ROOT_ID) is no node: it differs per caller. No libfuse
 * types. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "dirtree.h"

struct rcfs_dirnode {
	int fd; /* O_PATH | O_NOFOLLOW on the backing object */
	dev_t dev;
	ino_t ino;
	mode_t type; /* S_IFMT bits */
	uint64_t generation;
	struct dirtree_id tree; /* the tree it was first looked up in */
	atomic_int wd; /* its inotify watch (dirwatch.c), or -1 */
	uint64_t nlookup; /* guarded by the table's lock */
	struct rcfs_dirnode *next; /* hash chain */
};

struct rcfs_dirnodes {
	pthread_mutex_t lock;
	struct rcfs_dirnode **buckets;
	size_t n_buckets;
	size_t count;
	uint64_t next_generation;
	/* Called outside the lock: a node was made (before the reply that gives it to the
	 * kernel), a node goes (before its fd is closed). Optional (dirwatch.c). */
	void (*on_new)(void *arg, struct rcfs_dirnode *n);
	void (*on_gone)(void *arg, struct rcfs_dirnode *n);
	void *hook_arg;
};

int dirnodes_init(struct rcfs_dirnodes *t);
void dirnodes_done(struct rcfs_dirnodes *t);

/* The node of the object FD (taken: closed when a node for the object exists already) with
 * attributes ST, found or made, its lookup count raised by one. TREE is recorded for a new
 * node. Returns 0 or -ENOMEM. */
int dirnodes_ref(struct rcfs_dirnodes *t, int fd, const struct stat *st,
		 const struct dirtree_id *tree, struct rcfs_dirnode **ret);

/* The node of the object with attributes ST if there is one, its lookup count raised by one;
 * else NULL. (Its fd pins the object: a node found by (st_dev, st_ino) is that object.) */
struct rcfs_dirnode *dirnodes_find_ref(struct rcfs_dirnodes *t, const struct stat *st);

/* Lowers the lookup count by COUNT (FORGET, or a reply that did not reach the kernel); at
 * zero the node goes and its fd is closed. */
void dirnodes_unref(struct rcfs_dirnodes *t, struct rcfs_dirnode *n, uint64_t count);

size_t dirnodes_count(struct rcfs_dirnodes *t);
