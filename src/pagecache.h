/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The inode's page cache, emptied after READs that may have filled it. Reads and writes use
 * direct I/O, but since Linux 6.5 splice(2), sendfile(2) and copy_file_range(2) read a
 * FOPEN_DIRECT_IO file through the page cache (filemap_splice_read), as MAP_PRIVATE mappings
 * always did: pages filled for one namespace would be served to the next. Each such READ
 * wakes a thread that asks the kernel to drop the pages, so what remains is the short window
 * between the reply and the drop. Not done in the READ handler itself: the kernel waits for
 * locked pages, which may belong to READs that need a free worker thread. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct fuse_session;

#define PAGE_CACHE_UNIT 4096 /* the kernel fills the page cache in whole pages */

struct rcfs_page_cache {
	struct fuse_session *se;
	int event_fd;
	atomic_bool pending; /* a drop is asked for and not yet done: coalesce */
	atomic_bool stopping;
	bool started;
	pthread_t thread;
};

/* Starts the thread. Returns 0 or a -errno. */
int page_cache_start(struct rcfs_page_cache *pc, struct fuse_session *se);
void page_cache_stop(struct rcfs_page_cache *pc);

/* After the reply to a READ of SIZE bytes at OFF. */
void page_cache_after_read(struct rcfs_page_cache *pc, off_t off, size_t size);
