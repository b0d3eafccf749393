/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr: "resolvconffs: " lines, or sd-daemon "<N>" prefixes under the journal. */
#pragma once

#include <stdbool.h>
#include <syslog.h>

#include "util.h"

/* LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG from syslog.h; LOG_INFO unless -v. */
void log_set_level(int level);
int log_get_level(void);
bool log_enabled(int level);

/* Where stderr is the journal (JOURNAL_STREAM names it), prefix lines with <N>. */
void log_setup(void);

/* Route libfuse's own messages through log_write(). */
void log_attach_fuse(void);

/* Keep libfuse's messages instead of printing them, so a start-up failure can be
 * reported as one line; log_take_fuse_message() returns the last one (or NULL). */
void log_capture_fuse(bool capture);
const char *log_fuse_message(void);

void log_write(int level, const char *fmt, ...) _printf_(2, 3);
/* Appends ": strerror(-r)" and returns r (a negative errno), so callers can
 * "return log_error_errno(r, ...)". */
int log_write_errno(int level, int r, const char *fmt, ...) _printf_(3, 4);

/* True at most once per interval_s for a given limiter; counts what it suppressed. */
struct log_ratelimit {
	long long next_ns;
	unsigned suppressed;
};
bool log_ratelimit_ok(struct log_ratelimit *rl, int interval_s, unsigned *ret_suppressed);

#define log_error(...) log_write(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_write(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                     \
	do {                                               \
		if (log_enabled(LOG_DEBUG))                \
			log_write(LOG_DEBUG, __VA_ARGS__); \
	} while (0)

#define log_error_errno(r, ...) log_write_errno(LOG_ERR, r, __VA_ARGS__)
#define log_warning_errno(r, ...) log_write_errno(LOG_WARNING, r, __VA_ARGS__)
#define log_debug_errno(r, ...) log_write_errno(LOG_DEBUG, r, __VA_ARGS__)
