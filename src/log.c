/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <fuse3/fuse_log.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

static atomic_int log_level = LOG_INFO;
static bool log_journal; /* set once in log_setup(), before any thread */
static bool fuse_capture;
static char fuse_message[512];

void log_set_level(int level)
{
	atomic_store(&log_level, level);
}

int log_get_level(void)
{
	return atomic_load(&log_level);
}

bool log_enabled(int level)
{
	return level <= atomic_load(&log_level);
}

void log_setup(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	/* systemd.exec(5): JOURNAL_STREAM is "DEV:INO" of the stream stderr was given. */
	if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0)
		log_journal = (unsigned long long)st.st_dev == dev &&
			      (unsigned long long)st.st_ino == ino;
}

static void log_vwrite(int level, const char *fmt, va_list ap, const char *suffix)
{
	char line[1024];
	int n;

	/* One write(2) per line: lines of concurrent threads never interleave. */
	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>", level);
	else
		n = snprintf(line, sizeof(line), "resolvconffs: ");
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n < (int)sizeof(line) && suffix)
		n += snprintf(line + n, sizeof(line) - n, ": %s", suffix);
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

void log_write(int level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	log_vwrite(level, fmt, ap, NULL);
	va_end(ap);
}

int log_write_errno(int level, int r, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	if (!log_enabled(level))
		return r;
	va_start(ap, fmt);
	log_vwrite(level, fmt, ap, strerror_r(r < 0 ? -r : r, buf, sizeof(buf)));
	va_end(ap);
	return r;
}

static void fuse_log_bridge(enum fuse_log_level level, const char *fmt, va_list ap)
{
	int lvl = level <= FUSE_LOG_ERR ? LOG_ERR : (int)level;
	char msg[512];
	size_t n;

	n = (size_t)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	if (fuse_capture && lvl <= LOG_ERR) {
		memcpy(fuse_message, msg, n + 1);
		return;
	}
	log_write(lvl, "%s", msg);
}

void log_attach_fuse(void)
{
	fuse_set_log_func(fuse_log_bridge);
}

void log_capture_fuse(bool capture)
{
	fuse_capture = capture;
	if (capture)
		fuse_message[0] = '\0';
}

const char *log_fuse_message(void)
{
	return fuse_message[0] ? fuse_message : NULL;
}

bool log_ratelimit_ok(struct log_ratelimit *rl, int interval_s, unsigned *ret_suppressed)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct timespec ts;
	long long now;
	bool ok = false;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	pthread_mutex_lock(&lock);
	if (now >= rl->next_ns) {
		rl->next_ns = now + interval_s * 1000000000LL;
		*ret_suppressed = rl->suppressed;
		rl->suppressed = 0;
		ok = true;
	} else {
		rl->suppressed++;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}
