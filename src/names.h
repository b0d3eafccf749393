/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Namespaces known by name: NETNS_DIR/NAME bind mounts (as "ip netns add" makes them), kept
 * current by a watcher thread (inotify on the directory, and the mount table's poll event for
 * the bind mounts themselves) that swaps in a new immutable table. No directory scan per
 * request: a lookup is a binary search under a read lock. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NAMES_MAX_PER_NS 8 /* names of one namespace considered, in byte order */

struct names_entry {
	uint64_t ino; /* nsfs inode number of the namespace */
	const char *name; /* points into the table's string area */
};

struct names_table {
	size_t count;
	struct names_entry *entries; /* sorted by ino, then name (byte order) */
	char *strings;
};

struct rcfs_names {
	const char *dir; /* NETNS_DIR */
	dev_t nsfs_dev; /* st_dev of namespace files: what tells a bind mount from a plain file */
	size_t ext_len; /* NAME.EXT must fit in NAME_MAX */
	pthread_rwlock_t lock;
	struct names_table *table; /* guarded by lock; never modified once published */
	pthread_t thread;
	bool running;
	int stop_fd; /* eventfd that ends the watcher */
};

/* iproute2's rule for netns names (not empty, no '/', not "." or "..", at most NAME_MAX),
 * and not all digits: such a name would be taken for another namespace's ID. */
bool name_is_valid(const char *name);

/* Reads DIR once into a new table (an absent DIR is an empty table). */
int names_scan(const char *dir, dev_t nsfs_dev, size_t ext_len, struct names_table **ret);
void names_table_free(struct names_table *t);
/* The names of namespace INO in TABLE, in byte order: returns how many, at most max. */
size_t names_table_find(const struct names_table *t, uint64_t ino, const char **ret, size_t max);

/* Builds the first table and, if WATCH, starts the watcher thread. names_stop() undoes it,
 * also after a failure. */
int names_start(struct rcfs_names *n, const char *dir, dev_t nsfs_dev, size_t ext_len, bool watch);
void names_stop(struct rcfs_names *n);

/* Copies the names of namespace INO (byte order) into ret[]: returns how many. */
size_t names_lookup(struct rcfs_names *n, uint64_t ino, char (*ret)[256], size_t max);
