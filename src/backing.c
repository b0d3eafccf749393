/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "backing.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "util.h"

/* Flags of the caller's open(2) that the backing file's open keeps. */
#define PASSED_FLAGS (O_ACCMODE | O_APPEND | O_TRUNC | O_SYNC | O_DSYNC)

int backing_name(uint64_t id, const char *ext, char *buf, size_t size)
{
	int n;

	if (ext[0] == '\0')
		n = snprintf(buf, size, "%" PRIu64, id);
	else
		n = snprintf(buf, size, "%" PRIu64 ".%s", id, ext);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return n;
}

void backing_path(const struct rcfs_ctx *ctx, const struct rcfs_key *key, char *buf, size_t size)
{
	char name[NAME_MAX + 1];

	if (backing_name(key->id, ctx->cfg->extension, name, sizeof(name)) < 0)
		(void)snprintf(name, sizeof(name), "?");
	(void)snprintf(buf, size, "%s/%s", ctx->cfg->backing_dir, name);
}

/* A backing file is opened without following a symlink, and only if it is a regular file
 * (O_NONBLOCK: a FIFO planted in the directory cannot hang the open). */
static int open_regular_at(int dir_fd, const char *name, int flags)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = openat(dir_fd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno; /* ELOOP: a symlink; refused */
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return TAKE_FD(fd); /* O_NONBLOCK is a no-op for a regular file's reads and writes */
}

static int copy_all(int from_fd, int to_fd)
{
	off_t off = 0;
	ssize_t n;

	/* sendfile(2) copies between regular files in the kernel, whatever their file systems. */
	while ((n = sendfile(to_fd, from_fd, &off, 1 << 20)) > 0)
		;
	return n < 0 ? -errno : 0;
}

/* A file nobody can see yet, filled from the template (unless it is about to be truncated). */
static int make_unlinked_copy(const struct rcfs_ctx *ctx, bool copy)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = openat(ctx->backing_dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0) /* not the umask's idea */
		return -errno;
	if (copy) {
		r = copy_all(ctx->template_fd, fd);
		if (r < 0)
			return r;
		if (fdatasync(fd) < 0) /* the name must never point at a copy a crash emptied */
			return -errno;
	}
	return TAKE_FD(fd);
}

static int link_unlinked(const struct rcfs_ctx *ctx, int fd, const char *name)
{
	char proc_path[64];

	if (linkat(fd, "", ctx->backing_dir_fd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc/self/fd link does not. */
	(void)snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc_path, ctx->backing_dir_fd, name, AT_SYMLINK_FOLLOW) < 0)
		return -errno;
	return 0;
}

/* Fallback where O_TMPFILE is not supported: a hidden temporary name, linked (never renamed:
 * a rename would replace a file another caller created meanwhile), then unlinked. */
static int create_via_temp_name(const struct rcfs_ctx *ctx, const char *name, bool copy)
{
	_cleanup_close_ int fd = -1;
	char tmp[NAME_MAX + 1];
	int r;

	(void)snprintf(tmp, sizeof(tmp), ".%.200s.%d.tmp", name, (int)gettid());
	fd = openat(ctx->backing_dir_fd, tmp, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return -errno;
	r = fchmod(fd, 0644) < 0 ? -errno : 0;
	if (r == 0 && copy) {
		r = copy_all(ctx->template_fd, fd);
		if (r == 0 && fdatasync(fd) < 0)
			r = -errno;
	}
	if (r == 0 && linkat(ctx->backing_dir_fd, tmp, ctx->backing_dir_fd, name, 0) < 0)
		r = -errno;
	(void)unlinkat(ctx->backing_dir_fd, tmp, 0);
	return r < 0 ? r : TAKE_FD(fd);
}

/* First write of a namespace that is served the template: give it its own file, starting
 * from the template's bytes. Readers see either no file (so the template) or the whole copy,
 * never a half-made one. Returns an fd open O_RDWR on the file now under NAME. */
static int create_from_template(const struct rcfs_ctx *ctx, const char *name, int flags)
{
	bool copy = !(flags & O_TRUNC);
	_cleanup_close_ int fd = -1;
	int r;

	fd = make_unlinked_copy(ctx, copy);
	if (fd >= 0) {
		r = link_unlinked(ctx, fd, name);
	} else if (fd == -EOPNOTSUPP || fd == -EISDIR || fd == -EINVAL) {
		fd = create_via_temp_name(ctx, name, copy);
		r = fd < 0 ? fd : 0;
	} else {
		return fd;
	}
	if (r == -EEXIST) /* another caller of this namespace won the race: use its file */
		return open_regular_at(ctx->backing_dir_fd, name, flags & PASSED_FLAGS);
	if (r < 0)
		return r;
	if ((flags & O_APPEND) && fcntl(fd, F_SETFL, O_APPEND) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int backing_open(const struct rcfs_ctx *ctx, const struct rcfs_key *key, int flags,
		 struct rcfs_served *ret)
{
	bool write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	char name[NAME_MAX + 1];
	int fd, r;

	r = backing_name(key->id, ctx->cfg->extension, name, sizeof(name));
	if (r < 0)
		return r;
	fd = open_regular_at(ctx->backing_dir_fd, name, flags & PASSED_FLAGS);
	if (fd == -ENOENT && ctx->template_fd >= 0) {
		if (!write) {
			*ret = (struct rcfs_served){ RCFS_SOURCE_TEMPLATE, ctx->template_fd };
			return 0;
		}
		fd = create_from_template(ctx, name, flags);
	}
	if (fd < 0)
		return fd;
	*ret = (struct rcfs_served){ RCFS_SOURCE_OWN, fd };
	return 0;
}

int backing_stat(const struct rcfs_ctx *ctx, const struct rcfs_key *key, struct stat *ret_st,
		 enum rcfs_source *ret_source)
{
	char name[NAME_MAX + 1];
	struct stat st;
	int r;

	r = backing_name(key->id, ctx->cfg->extension, name, sizeof(name));
	if (r < 0)
		return r;
	if (fstatat(ctx->backing_dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISREG(st.st_mode))
			return S_ISLNK(st.st_mode) ? -ELOOP : -EACCES;
		*ret_st = st;
		*ret_source = RCFS_SOURCE_OWN;
		return 0;
	}
	if (errno != ENOENT || ctx->template_fd < 0)
		return -errno;
	if (fstat(ctx->template_fd, &st) < 0)
		return -errno;
	*ret_st = st;
	*ret_source = RCFS_SOURCE_TEMPLATE;
	return 0;
}
