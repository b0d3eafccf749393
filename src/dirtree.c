/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dirtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backing.h"
#include "log.h"
#include "names.h"
#include "owner.h"
#include "util.h"

#define COPY_DEPTH_MAX 32 /* a template deeper than this is refused, not copied in part */

bool dirtree_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len <= NAME_MAX && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

/* Where openat2(2) is refused with ENOSYS (a seccomp filter that does not know it: systemd
 * 252's @system-service, older container runtimes, valgrind): one component at a time, each
 * opened with O_NOFOLLOW beneath the last. ".." is refused as an escape, as RESOLVE_BENEATH
 * would refuse it at the top; a symbolic link on the way is ELOOP, as with
 * RESOLVE_NO_SYMLINKS. */
static int open_by_components(int dir_fd, const char *path, int flags, mode_t mode)
{
	_cleanup_close_ int cur = -1;
	char name[NAME_MAX + 1];
	struct stat st;

	for (const char *p = path;;) {
		size_t len = strcspn(p, "/");
		int at = cur >= 0 ? cur : dir_fd, fd;

		if (len == 0 || len > NAME_MAX)
			return len ? -ENAMETOOLONG : -ENOENT;
		memcpy(name, p, len);
		name[len] = '\0';
		if (strcmp(name, "..") == 0)
			return -EXDEV;
		if (p[len] == '\0') {
			fd = openat(at, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
			return fd < 0 ? -errno : fd;
		}
		fd = openat(at, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			int r = -errno;

			if (r == -ENOTDIR && fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				r = -ELOOP;
			return r;
		}
		if (cur >= 0)
			(void)close(cur);
		cur = fd;
		p += len + 1;
	}
}

int dirtree_open_beneath(int dir_fd, const char *path, int flags, mode_t mode)
{
	static atomic_bool no_openat2;
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (!atomic_load_explicit(&no_openat2, memory_order_relaxed)) {
		fd = syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return fd < 0 ? -errno : (int)fd;
		if (!atomic_exchange(&no_openat2, true))
			log_info(
				"openat2(2) is refused here (ENOSYS: a seccomp filter that does "
				"not know it?): backing paths are resolved one component at a time");
	}
	if (path[0] == '/')
		return -EXDEV;
	return open_by_components(dir_fd, path, flags, (mode_t)how.mode);
}

/* O_RDONLY, not O_PATH: the owner mark is read with fgetxattr(2) on the fd itself. */
static int open_dir_at(int dir_fd, const char *name, struct stat *ret_st)
{
	_cleanup_close_ int fd =
		dirtree_open_beneath(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);

	if (fd < 0)
		return fd; /* ENOTDIR: a file or a symlink of that name; refused */
	if (fstat(fd, ret_st) < 0)
		return -errno;
	return TAKE_FD(fd);
}

/* BACKING_DIR/NAME/ for each name, then BACKING_DIR/ID/; -ENOENT when there is none. A
 * stale ID directory is moved aside with SET_ASIDE, else only passed over. */
static int resolve_own(const struct rcfs_ctx *ctx, const struct rcfs_key *key, bool set_aside_stale,
		       struct dirtree_root *ret)
{
	char names[NAMES_MAX_PER_NS][256], id[32];
	bool same_boot;
	uint64_t mark;
	size_t n = 0;
	int fd, r;

	if (key->kind == KEY_NET && ctx->names)
		n = names_lookup(ctx->names, key->id, names, NAMES_MAX_PER_NS);
	r = backing_name(key->id, "", id, sizeof(id));
	if (r < 0)
		return r;
	(void)snprintf(ret->own, sizeof(ret->own), "%s", n > 0 ? names[0] : id);
	ret->by_id = n == 0;
	for (size_t i = 0; i <= n; i++) {
		const char *name = i < n ? names[i] : id;

		fd = open_dir_at(ctx->backing_dir_fd, name, &ret->st);
		if (fd == -ENOENT)
			continue;
		if (fd >= 0 && i == n && owner_is_stale(ctx, key, fd, &mark, &same_boot)) {
			(void)close(fd);
			r = set_aside_stale ? owner_set_aside(ctx, key, name, mark, same_boot) : 0;
			if (r < 0)
				return r;
			continue;
		}
		if (fd < 0)
			return fd;
		ret->fd = fd;
		ret->id = (struct dirtree_id){ DIRTREE_OWN, ret->st.st_dev, ret->st.st_ino };
		return 0;
	}
	return -ENOENT;
}

static int resolve(const struct rcfs_ctx *ctx, const struct rcfs_key *key, bool set_aside_stale,
		   struct dirtree_root *ret)
{
	struct dirtree_root root = { .fd = -1 };
	enum dirtree_kind kind;
	int fd, r;

	if (!key) {
		fd = ctx->underlying_fd;
		kind = DIRTREE_UNDERLYING;
	} else {
		r = resolve_own(ctx, key, set_aside_stale, &root);
		if (r != -ENOENT) {
			if (r == 0)
				*ret = root;
			return r;
		}
		fd = ctx->template_fd;
		kind = fd >= 0 ? DIRTREE_TEMPLATE : DIRTREE_EMPTY;
	}
	if (kind == DIRTREE_EMPTY) {
		root.st = (struct stat){ .st_mode = S_IFDIR | 0755, .st_nlink = 2, .st_ino = 1 };
		root.st.st_mtim = root.st.st_ctim = root.st.st_atim = ctx->dir_start_time;
		root.id = (struct dirtree_id){ DIRTREE_EMPTY, 0, 0 };
		*ret = root;
		return 0;
	}
	root.fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (root.fd < 0)
		return -errno;
	if (fstat(root.fd, &root.st) < 0) {
		r = -errno;
		(void)close(root.fd);
		return r;
	}
	root.id = (struct dirtree_id){ kind, root.st.st_dev, root.st.st_ino };
	*ret = root;
	return 0;
}

int dirtree_resolve(const struct rcfs_ctx *ctx, const struct rcfs_key *key,
		    struct dirtree_root *ret)
{
	return resolve(ctx, key, true, ret);
}

int dirtree_peek(const struct rcfs_ctx *ctx, const struct rcfs_key *key, struct dirtree_root *ret)
{
	return resolve(ctx, key, false, ret);
}

void dirtree_root_done(struct dirtree_root *root)
{
	if (root->fd >= 0)
		(void)close(root->fd);
	root->fd = -1;
}

/* Owner and mode of ST on the new object FD (an O_PATH fd is fine), set-id bits left out
 * but a directory's set-group-id. */
static int take_owner_mode(int fd, const struct stat *st, bool symlink)
{
	char path[64];
	mode_t keep = S_ISDIR(st->st_mode) ? 03777 : 01777;

	if (fchownat(fd, "", st->st_uid, st->st_gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (symlink)
		return 0;
	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return chmod(path, st->st_mode & keep) < 0 ? -errno : 0;
}

static int copy_file(int from_dir, int to_dir, const char *name, const struct stat *st)
{
	_cleanup_close_ int in = -1, out = -1;
	off_t off = 0;
	ssize_t n;

	in = dirtree_open_beneath(from_dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
	if (in < 0)
		return in;
	out = dirtree_open_beneath(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (out < 0)
		return out;
	while ((n = sendfile(out, in, &off, 1 << 20)) > 0)
		;
	if (n < 0)
		return -errno;
	if (fdatasync(out) < 0) /* the copy is renamed into place only when complete */
		return -errno;
	return take_owner_mode(out, st, false);
}

static int copy_symlink(int from_dir, int to_dir, const char *name, const struct stat *st)
{
	_cleanup_close_ int fd = -1;
	char target[PATH_MAX];
	ssize_t n = readlinkat(from_dir, name, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (symlinkat(target, to_dir, name) < 0)
		return -errno;
	fd = dirtree_open_beneath(to_dir, name, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	return take_owner_mode(fd, st, true);
}

static int copy_tree(int from_fd, int to_fd, int depth);

static int copy_subdir(int from_dir, int to_dir, const char *name, const struct stat *st, int depth)
{
	_cleanup_close_ int from = -1, to = -1;
	int r;

	if (mkdirat(to_dir, name, 0700) < 0)
		return -errno;
	from = dirtree_open_beneath(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (from < 0)
		return from;
	to = dirtree_open_beneath(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (to < 0)
		return to;
	r = copy_tree(from, to, depth + 1);
	return r < 0 ? r : take_owner_mode(to, st, false);
}

static int copy_tree(int from_fd, int to_fd, int depth)
{
	DIR *d;
	struct dirent *de;
	int fd, r = 0;

	if (depth > COPY_DEPTH_MAX)
		return -ELOOP;
	fd = dirtree_open_beneath(from_fd, ".", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	while (r == 0 && (errno = 0, de = readdir(d))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(from_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			break;
		}
		if (S_ISREG(st.st_mode))
			r = copy_file(from_fd, to_fd, de->d_name, &st);
		else if (S_ISDIR(st.st_mode))
			r = copy_subdir(from_fd, to_fd, de->d_name, &st, depth);
		else if (S_ISLNK(st.st_mode))
			r = copy_symlink(from_fd, to_fd, de->d_name, &st);
		/* device nodes, FIFOs, sockets: never served, not copied */
	}
	if (r == 0 && errno != 0)
		r = -errno;
	(void)closedir(d);
	return r;
}

int dirtree_copy(int from_fd, int to_fd)
{
	return copy_tree(from_fd, to_fd, 0);
}

static int remove_tree(int dir_fd, const char *name, int depth)
{
	_cleanup_close_ int fd = -1;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (depth > COPY_DEPTH_MAX + 1)
		return -ELOOP;
	fd = dirtree_open_beneath(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3));
	if (!d)
		return -errno;
	while (r == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			r = remove_tree(fd, de->d_name, depth + 1);
	(void)closedir(d);
	if (r == 0 && unlinkat(dir_fd, name, AT_REMOVEDIR) < 0)
		r = -errno;
	return r;
}

int dirtree_remove(int dir_fd, const char *name)
{
	return remove_tree(dir_fd, name, 0);
}

/* The new directory, complete, under the temporary name TMP. */
static int build_copy(const struct rcfs_ctx *ctx, const struct rcfs_key *key,
		      const struct dirtree_root *view, const char *tmp)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (mkdirat(ctx->backing_dir_fd, tmp, 0700) < 0)
		return -errno;
	fd = dirtree_open_beneath(ctx->backing_dir_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	if (view->fd >= 0) {
		r = dirtree_copy(view->fd, fd);
		if (r < 0)
			return r;
	}
	if (view->by_id)
		owner_mark(ctx, key, fd); /* before the name exists: never seen unmarked */
	r = take_owner_mode(fd, &view->st, false);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	return r;
}

int dirtree_materialize(const struct rcfs_ctx *ctx, const struct rcfs_key *key,
			const struct dirtree_root *view)
{
	char tmp[NAME_MAX + 1];
	int r;

	if (view->id.kind != DIRTREE_TEMPLATE && view->id.kind != DIRTREE_EMPTY)
		return -EINVAL;
	(void)snprintf(tmp, sizeof(tmp), ".%.200s.%d.tmp", view->own, (int)gettid());
	r = build_copy(ctx, key, view, tmp);
	if (r == 0 && renameat2(ctx->backing_dir_fd, tmp, ctx->backing_dir_fd, view->own,
				RENAME_NOREPLACE) == 0)
		return 0;
	if (r == 0)
		r = errno == EEXIST ? 0 : -errno; /* EEXIST: another caller made it first */
	(void)dirtree_remove(ctx->backing_dir_fd, tmp);
	return r;
}
