/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by every module: scope-bound cleanup and ownership transfer. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))

static inline void closep(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd); /* not retried on EINTR: Linux has released the fd already */
}

static inline void freep(void *p)
{
	free(*(void **)p);
}

#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_free_ _cleanup_(freep)

/* Hand a scope-owned fd or pointer on: the cleanup then sees -1 or NULL. */
#define TAKE_FD(fd)              \
	({                       \
		int _fd_ = (fd); \
		(fd) = -1;       \
		_fd_;            \
	})
#define TAKE_PTR(p)                      \
	({                               \
		__typeof__(p) _p_ = (p); \
		(p) = NULL;              \
		_p_;                     \
	})

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* A directory stream on PATH under DIR_FD (the fd itself stays the caller's). */
static inline DIR *opendir_at(int dir_fd, const char *path)
{
	int fd = openat(dir_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		int saved = errno;

		(void)close(fd);
		errno = saved;
	}
	return d;
}

static inline void closedirp(DIR **d)
{
	if (*d)
		(void)closedir(*d);
}

/* A helper thread (not libfuse's), named NAME ("rcfs-..." in ps -L), with every signal
 * blocked: SIGTERM, SIGINT and SIGHUP must reach a libfuse thread, whose loop ends on them.
 * One that landed in a helper's poll(2) or read(2) would leave the loop waiting for the next
 * request, and the daemon running (seen under valgrind, which routes a process's signals to
 * any thread that does not block them). Returns 0 or a -errno. */
static inline int thread_start_no_signals(pthread_t *thread, const char *name, void *(*fn)(void *),
					  void *arg)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = -pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r == 0)
		(void)pthread_setname_np(*thread, name);
	return r;
}
