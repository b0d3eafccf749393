/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dirfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dirtree.h"
#include "util.h"

/* Flags of the caller's open(2) the backing open keeps. Not O_APPEND: each WRITE says whether
 * the file is O_APPEND now (fcntl() may change it), and the daemon appends itself. */
#define PASSED_FLAGS (O_ACCMODE | O_TRUNC | O_SYNC | O_DSYNC | O_NOATIME)

static void fd_path(int fd, char *buf, size_t size)
{
	(void)snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* Reopens the object of O_PATH fd NODE_FD with FLAGS (our own fd: the one magic link the
 * daemon follows, to exactly the object it names). */
static int reopen(int node_fd, int flags)
{
	char path[64];
	int fd;

	fd_path(node_fd, path, sizeof(path));
	fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

static int may_look_up(struct access_caller *c, const struct dirfs_dir *dir, const char *name)
{
	if (!dirtree_name_ok(name))
		return strlen(name) > NAME_MAX ? -ENAMETOOLONG : -ENOENT;
	return access_check(c, &dir->st, X_OK);
}

int dirfs_lookup_stat(struct access_caller *c, const struct dirfs_dir *dir, const char *name,
		      struct stat *ret_st)
{
	int r = may_look_up(c, dir, name);

	if (r < 0)
		return r;
	if (fstatat(dir->fd, name, ret_st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISCHR(ret_st->st_mode) || S_ISBLK(ret_st->st_mode))
		return -EACCES;
	return 0;
}

int dirfs_lookup(struct access_caller *c, const struct dirfs_dir *dir, const char *name,
		 int *ret_fd, struct stat *ret_st)
{
	_cleanup_close_ int fd = -1;
	int r = may_look_up(c, dir, name);

	if (r < 0)
		return r;
	fd = dirtree_open_beneath(dir->fd, name, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, ret_st) < 0)
		return -errno;
	if (S_ISCHR(ret_st->st_mode) || S_ISBLK(ret_st->st_mode))
		return -EACCES; /* never served, whatever the mount options */
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int dirfs_open(struct access_caller *c, int node_fd, int flags, int *ret_fd, struct stat *ret_st)
{
	int r, fd;

	if (fstat(node_fd, ret_st) < 0)
		return -errno;
	if (!S_ISREG(ret_st->st_mode))
		return S_ISDIR(ret_st->st_mode) ? -EISDIR : -EACCES;
	r = access_check_open(c, ret_st, flags);
	if (r < 0)
		return r;
	fd = reopen(node_fd, flags & PASSED_FLAGS);
	if (fd < 0)
		return fd;
	*ret_fd = fd;
	return 0;
}

/* The caller's gid for a new object in DIR, or DIR's in a set-group-id directory. */
static gid_t new_gid(const struct access_caller *c, const struct dirfs_dir *dir)
{
	return (dir->st.st_mode & S_ISGID) ? dir->st.st_gid : c->gid;
}

static int may_create(struct access_caller *c, const struct dirfs_dir *dir, const char *name)
{
	if (!dirtree_name_ok(name))
		return strlen(name) > NAME_MAX ? -ENAMETOOLONG : -EINVAL;
	return access_check(c, &dir->st, W_OK | X_OK);
}

/* An O_PATH fd on the object FD is open on, and its attributes. */
static int node_of_fd(int fd, int *ret_node_fd, struct stat *ret_st)
{
	char path[64];
	int node_fd;

	fd_path(fd, path, sizeof(path));
	node_fd = open(path, O_PATH | O_CLOEXEC);
	if (node_fd < 0)
		return -errno;
	if (fstat(node_fd, ret_st) < 0) {
		(void)close(node_fd);
		return -errno;
	}
	*ret_node_fd = node_fd;
	return 0;
}

int dirfs_create(struct access_caller *c, const struct dirfs_dir *dir, const char *name,
		 mode_t mode, int flags, int *ret_fd, int *ret_node_fd, struct stat *ret_st)
{
	_cleanup_close_ int fd = -1;
	int r;

	r = may_create(c, dir, name);
	if (r < 0)
		return r;
	fd = dirtree_open_beneath(dir->fd, name,
				  (flags & PASSED_FLAGS) | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd == -EEXIST && !(flags & O_EXCL)) { /* made meanwhile: open(2) without O_EXCL */
		_cleanup_close_ int node_fd = -1;
		struct stat st;

		r = dirfs_lookup(c, dir, name, &node_fd, &st);
		if (r == 0)
			r = dirfs_open(c, node_fd, flags, &fd, &st);
		if (r < 0)
			return r;
		*ret_node_fd = TAKE_FD(node_fd);
		*ret_st = st;
		*ret_fd = TAKE_FD(fd);
		return 0;
	}
	if (fd < 0)
		return fd;
	/* This very inode: O_EXCL made it, the fd is on it. */
	if (fchown(fd, c->uid, new_gid(c, dir)) < 0 || fchmod(fd, mode & 0777) < 0)
		return -errno;
	r = node_of_fd(fd, ret_node_fd, ret_st);
	if (r < 0)
		return r;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* NAME in DIR, just made by the daemon as TYPE, given to the caller. Between making and
 * opening it, only someone with write access to DIR could have put another object there; it
 * is then refused unless it is root's and of that type (see the README's limits). */
static int give_new(struct access_caller *c, const struct dirfs_dir *dir, const char *name,
		    mode_t type, int *ret_node_fd, struct stat *ret_st)
{
	_cleanup_close_ int fd = dirtree_open_beneath(dir->fd, name, O_PATH | O_NOFOLLOW, 0);
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((st.st_mode & S_IFMT) != type || st.st_uid != geteuid())
		return -EAGAIN;
	if (fchownat(fd, "", c->uid, new_gid(c, dir), AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 ||
	    fstat(fd, ret_st) < 0)
		return -errno;
	*ret_node_fd = TAKE_FD(fd);
	return 0;
}

int dirfs_mkdir(struct access_caller *c, const struct dirfs_dir *dir, const char *name, mode_t mode,
		int *ret_node_fd, struct stat *ret_st)
{
	int r = may_create(c, dir, name);

	if (r < 0)
		return r;
	if (mkdirat(dir->fd, name, mode & 01777) < 0)
		return -errno;
	return give_new(c, dir, name, S_IFDIR, ret_node_fd, ret_st);
}

int dirfs_symlink(struct access_caller *c, const struct dirfs_dir *dir, const char *name,
		  const char *target, int *ret_node_fd, struct stat *ret_st)
{
	int r = may_create(c, dir, name);

	if (r < 0)
		return r;
	if (symlinkat(target, dir->fd, name) < 0)
		return -errno;
	return give_new(c, dir, name, S_IFLNK, ret_node_fd, ret_st);
}

int dirfs_link(struct access_caller *c, int node_fd, const struct dirfs_dir *dir, const char *name,
	       struct stat *ret_st)
{
	char path[64];
	struct stat st;
	int r;

	if (fstat(node_fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EPERM;
	r = may_create(c, dir, name);
	if (r == 0)
		r = access_check_link(c, &st);
	if (r < 0)
		return r;
	if (linkat(node_fd, "", dir->fd, name, AT_EMPTY_PATH) < 0) {
		if (errno != ENOENT)
			return -errno;
		fd_path(node_fd, path, sizeof(path)); /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH */
		if (linkat(AT_FDCWD, path, dir->fd, name, AT_SYMLINK_FOLLOW) < 0)
			return -errno;
	}
	return fstat(node_fd, ret_st) < 0 ? -errno : 0;
}

static int stat_entry(const struct dirfs_dir *dir, const char *name, struct stat *ret)
{
	if (!dirtree_name_ok(name))
		return strlen(name) > NAME_MAX ? -ENAMETOOLONG : -EINVAL;
	return fstatat(dir->fd, name, ret, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int dirfs_remove(struct access_caller *c, const struct dirfs_dir *dir, const char *name,
		 bool is_dir)
{
	struct stat st;
	int r;

	r = stat_entry(dir, name, &st);
	if (r == 0)
		r = access_check_delete(c, &dir->st, &st);
	if (r < 0)
		return r;
	return unlinkat(dir->fd, name, is_dir ? AT_REMOVEDIR : 0) < 0 ? -errno : 0;
}

/* What moving ST out of FROM into TO needs, beyond FROM's and TO's write permission: a
 * directory that changes parents gets a new "..", so the caller must be able to write it. */
static int may_move(struct access_caller *c, const struct dirfs_dir *from,
		    const struct dirfs_dir *to, const struct stat *st)
{
	int r = access_check_delete(c, &from->st, st);

	if (r == 0 && S_ISDIR(st->st_mode) &&
	    (from->st.st_dev != to->st.st_dev || from->st.st_ino != to->st.st_ino))
		r = access_check(c, st, W_OK);
	return r;
}

int dirfs_rename(struct access_caller *c, const struct dirfs_dir *from, const char *from_name,
		 const struct dirfs_dir *to, const char *to_name, unsigned flags)
{
	struct stat src, dst;
	int r;

	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL; /* RENAME_WHITEOUT: for overlay file systems, not callers */
	r = stat_entry(from, from_name, &src);
	if (r == 0)
		r = may_move(c, from, to, &src);
	if (r < 0)
		return r;
	r = stat_entry(to, to_name, &dst);
	if (r == -ENOENT && !(flags & RENAME_EXCHANGE))
		r = access_check(c, &to->st, W_OK | X_OK);
	else if (r == 0 && (flags & RENAME_EXCHANGE))
		r = may_move(c, to, from, &dst);
	else if (r == 0)
		r = (flags & RENAME_NOREPLACE) ? -EEXIST : access_check_delete(c, &to->st, &dst);
	if (r < 0)
		return r;
	if (renameat2(from->fd, from_name, to->fd, to_name, flags) < 0)
		return -errno;
	return 0;
}

static int set_times(const char *path, const struct stat *attr, int to_set)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };

	if (to_set & ACCESS_SET_ATIME_NOW)
		ts[0].tv_nsec = UTIME_NOW;
	else if (to_set & ACCESS_SET_ATIME)
		ts[0] = attr->st_atim;
	if (to_set & ACCESS_SET_MTIME_NOW)
		ts[1].tv_nsec = UTIME_NOW;
	else if (to_set & ACCESS_SET_MTIME)
		ts[1] = attr->st_mtim;
	return utimensat(AT_FDCWD, path, ts, 0) < 0 ? -errno : 0;
}

static int truncate_to(int node_fd, int fh_fd, off_t size)
{
	_cleanup_close_ int fd = -1;

	if (fh_fd >= 0)
		return ftruncate(fh_fd, size) < 0 ? -errno : 0;
	fd = reopen(node_fd, O_WRONLY);
	if (fd < 0)
		return fd;
	return ftruncate(fd, size) < 0 ? -errno : 0;
}

static int apply_setattr(int node_fd, int fh_fd, const struct stat *st, const struct stat *attr,
			 int to_set)
{
	char path[64];
	int r = 0;

	fd_path(node_fd, path, sizeof(path));
	if ((to_set & ACCESS_SET_MODE) && !S_ISLNK(st->st_mode) &&
	    chmod(path, attr->st_mode & (S_ISDIR(st->st_mode) ? 03777 : 01777)) < 0)
		return -errno;
	if ((to_set & (ACCESS_SET_UID | ACCESS_SET_GID)) &&
	    fchownat(node_fd, "", (to_set & ACCESS_SET_UID) ? attr->st_uid : (uid_t)-1,
		     (to_set & ACCESS_SET_GID) ? attr->st_gid : (gid_t)-1,
		     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (to_set & ACCESS_SET_SIZE) {
		if (!S_ISREG(st->st_mode))
			return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
		r = truncate_to(node_fd, fh_fd, attr->st_size);
	}
	if (r == 0 && (to_set & (ACCESS_SET_ATIME | ACCESS_SET_MTIME)) && !S_ISLNK(st->st_mode))
		r = set_times(path, attr, to_set);
	return r;
}

int dirfs_setattr(struct access_caller *c, int node_fd, int fh_fd, const struct stat *attr,
		  int to_set, struct stat *ret_st)
{
	bool writable = fh_fd >= 0 && (fcntl(fh_fd, F_GETFL) & O_ACCMODE) != O_RDONLY;
	struct stat st;
	int r;

	if (fstat(node_fd, &st) < 0)
		return -errno;
	r = access_check_setattr(c, &st, attr, to_set, writable);
	if (r == 0)
		r = apply_setattr(node_fd, writable ? fh_fd : -1, &st, attr, to_set);
	if (r < 0)
		return r;
	return fstat(node_fd, ret_st) < 0 ? -errno : 0;
}

int dirfs_opendir(struct access_caller *c, int dir_fd, int *ret_fd)
{
	struct stat st;
	int r, fd;

	if (fstat(dir_fd, &st) < 0)
		return -errno;
	r = access_check(c, &st, R_OK);
	if (r < 0)
		return r;
	fd = dirtree_open_beneath(dir_fd, ".", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	*ret_fd = fd;
	return 0;
}
