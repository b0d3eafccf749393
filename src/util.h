/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by every module: scope-bound cleanup and ownership transfer. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
