/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's one context: built in main(), read by every request, never written after
 * mounting (the rate limiters excepted). */
#pragma once

#include "log.h"
#include "options.h"

struct rcfs_ctx {
	const struct rcfs_config *cfg;
	const char *ns_kind; /* "net": which /proc/PID/ns/ link names the caller's key */
	int procfs_fd; /* -P, O_PATH */
	int backing_dir_fd; /* BACKING_DIR, O_PATH */
	int template_fd; /* -d, O_RDONLY, or -1 */
	int underlying_fd; /* the file under MOUNTPOINT, opened before mounting, O_RDONLY */
	unsigned max_read; /* -o max_read=N, repeated to libfuse in init */
	struct log_ratelimit unidentified_log;
	struct log_ratelimit refused_log;
};
