/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pagecache.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fsops.h"
#include "log.h"
#include "util.h"

static void *drop_pages_loop(void *arg)
{
	struct rcfs_page_cache *pc = arg;
	uint64_t n;

	for (;;) {
		if (read(pc->event_fd, &n, sizeof(n)) < 0 && errno != EINTR && errno != EAGAIN)
			break;
		if (atomic_load(&pc->stopping))
			break;
		atomic_store(&pc->pending, false);
		/* Offset 0, length 0: every page of the one inode (its attributes too, which are
		 * never cached anyway). -ENOENT: nothing cached yet. */
		(void)fuse_lowlevel_notify_inval_inode(pc->se, FUSE_ROOT_ID, 0, 0);
	}
	return NULL;
}

int page_cache_start(struct rcfs_page_cache *pc, struct fuse_session *se)
{
	int r;

	*pc = (struct rcfs_page_cache){ .se = se, .event_fd = -1 };
	pc->event_fd = eventfd(0, EFD_CLOEXEC);
	if (pc->event_fd < 0)
		return -errno;
	r = thread_start_no_signals(&pc->thread, "rcfs-pagecache", drop_pages_loop, pc);
	if (r < 0) {
		(void)close(pc->event_fd);
		pc->event_fd = -1;
		return r;
	}
	pc->started = true;
	return 0;
}

void page_cache_stop(struct rcfs_page_cache *pc)
{
	uint64_t one = 1;

	if (!pc->started)
		return;
	atomic_store(&pc->stopping, true);
	if (write(pc->event_fd, &one, sizeof(one)) < 0)
		log_warning_errno(-errno, "cannot stop the page cache thread");
	else
		(void)pthread_join(pc->thread, NULL);
	(void)close(pc->event_fd);
	pc->started = false;
}

void page_cache_after_read(struct rcfs_page_cache *pc, off_t off, size_t size)
{
	uint64_t one = 1;

	/* The page cache asks for whole pages; a direct read(2) asks for what the caller's
	 * buffer holds, which is whole pages only by chance (glibc's 4 KiB, cat's 128 KiB). */
	if (!pc || !pc->started || off % PAGE_CACHE_UNIT != 0 || size % PAGE_CACHE_UNIT != 0)
		return;
	if (atomic_exchange(&pc->pending, true))
		return; /* a drop is on its way */
	if (write(pc->event_fd, &one, sizeof(one)) < 0)
		atomic_store(&pc->pending, false);
}
