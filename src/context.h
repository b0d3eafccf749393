/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's one context: built in main(), read by every request, never written after
 * mounting (the rate limiters excepted). */
#pragma once

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "key.h"
#include "log.h"
#include "options.h"

struct fuse_session;
struct rcfs_dirwatch;
struct rcfs_handles;
struct rcfs_names;
struct rcfs_page_cache;

/* --drop-loopback: the default file without loopback nameservers, remade when it changes. */
struct rcfs_filtered {
	pthread_mutex_t lock;
	int fd; /* memfd, or -1 until first needed */
	struct stat src; /* the default file's stat when fd was made */
};

struct rcfs_ctx {
	const struct rcfs_config *cfg;
	enum rcfs_key_kind key_kind; /* -k: what names a caller's file */
	struct rcfs_names *names; /* netns names (net only), or NULL */
	const char *etc_netns_dir; /* --etc-netns, or NULL with --no-etc-netns */
	const char *etc_file; /* basename of MOUNTPOINT: the file under ETC_NETNS/NAME/ */
	int procfs_fd; /* -P, O_PATH */
	int backing_dir_fd; /* BACKING_DIR, O_PATH */
	int template_fd; /* -d, O_RDONLY, or -1 */
	int underlying_fd; /* the file under MOUNTPOINT, opened before mounting, O_RDONLY */
	unsigned max_read; /* -o max_read=N, repeated to libfuse in init */
	struct rcfs_key self; /* the daemon's own key: with --host-file, served that file */
	struct rcfs_filtered *filtered; /* with --drop-loopback */
	struct rcfs_handles *handles; /* what open handles hold, per uid */
	struct rcfs_page_cache *page_cache; /* drops the inode's pages after READs */
	char boot_id[40]; /* /proc/sys/kernel/random/boot_id, for owner marks */
	char self_userns[64]; /* "user:[N]": whose capabilities count */
	struct rcfs_dirnodes *dirnodes; /* --dir: the node table */
	struct rcfs_dirwatch *dirwatch; /* --dir: changes outside the mount, or NULL */
	struct timespec dir_start_time; /* --dir: the times of an empty directory */
	struct log_ratelimit unidentified_log;
	struct log_ratelimit refused_log;
};
