/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resolvconffs: argv → checked configuration → every directory and file opened → FUSE session
 * → mount → multithreaded loop until a signal → unmount. All input is checked and everything
 * is opened before mounting, so bad input exits with one line and mounts nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backing.h"
#include "context.h"
#include "dirnodes.h"
#include "dirops.h"
#include "dirwatch.h"
#include "fsops.h"
#include "handles.h"
#include "key.h"
#include "lint.h"
#include "list.h"
#include "log.h"
#include "mounts.h"
#include "names.h"
#include "options.h"
#include "pagecache.h"
#include "util.h"
#include "watchdog.h"

#if HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#else
static int sd_notifyf(int unset_environment, const char *format, ...)
{
	(void)unset_environment;
	(void)format;
	return 0;
}
#endif

#define EXIT_USAGE 2

static int open_backing_dir(const char *path)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "backing directory '%s'", path);
	if (fstat(fd, &st) < 0)
		return log_error_errno(-errno, "backing directory '%s'", path);
	/* Anyone else who can write it could plant files that become other namespaces' views. */
	if (st.st_uid != 0) {
		log_error("backing directory '%s': owned by uid %u, not root; refusing, use a "
			  "directory only root can write",
			  path, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		log_error("backing directory '%s': writable by its %s (mode %04o); refusing, use a "
			  "directory only root can write",
			  path, st.st_mode & S_IWOTH ? "others" : "group",
			  (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return TAKE_FD(fd);
}

static int open_regular_file(const char *what, const char *path)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	/* O_NONBLOCK: a FIFO given by mistake must not hang start-up. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return log_error_errno(-errno, "%s '%s'", what, path);
	if (fstat(fd, &st) < 0)
		return log_error_errno(-errno, "%s '%s'", what, path);
	if (!S_ISREG(st.st_mode)) {
		log_error("%s '%s': not a regular file", what, path);
		return -EINVAL;
	}
	return TAKE_FD(fd);
}

/* --dir: the mount directory (what unidentified callers see, read-only) or the template. */
static int open_directory(const char *what, const char *path)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return log_error_errno(-errno, "%s '%s'%s", what, path,
				       errno == ENOTDIR ? " (--dir wants a directory)" : "");
	return fd;
}

static int open_procfs(const char *path, enum rcfs_key_kind kind, struct rcfs_key *ret_self)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "procfs '%s'", path);
	if (!key_kind_is_namespace(kind)) {
		*ret_self = (struct rcfs_key){ kind, kind == KEY_UID ? getuid() : getgid(), 0 };
		return TAKE_FD(fd);
	}
	r = key_of_entry(fd, kind, "self", ret_self);
	if (r < 0) {
		log_error("procfs '%s': no readable self/ns/%s (%s); is it a procfs?", path,
			  key_kind_name(kind), r == -EXDEV ? "not a namespace link" : strerror(-r));
		return r;
	}
	return TAKE_FD(fd);
}

/* The daemon must never go through its own mount: a backing file that is the mount point
 * would send our own OPEN back to us. */
static int check_mountpoint_outside(const char *mountpoint, int backing_dir_fd,
				    const char *backing_dir)
{
	_cleanup_free_ char *copy = strdup(mountpoint);
	struct stat parent, dir;

	if (!copy)
		return log_error_errno(-ENOMEM, "out of memory");
	if (stat(dirname(copy), &parent) < 0 || fstat(backing_dir_fd, &dir) < 0)
		return log_error_errno(-errno, "mount point '%s'", mountpoint);
	if (parent.st_dev == dir.st_dev && parent.st_ino == dir.st_ino) {
		log_error("mount point '%s' is inside the backing directory '%s'; use another "
			  "directory",
			  mountpoint, backing_dir);
		return -EINVAL;
	}
	return 0;
}

/* --dir: the backing directory is neither the mount directory nor beneath it (the daemon
 * would serve through itself) */
static int check_mountdir(int mount_fd, int backing_dir_fd, const struct rcfs_config *cfg)
{
	struct stat m, b;

	if (fstat(mount_fd, &m) < 0 || fstat(backing_dir_fd, &b) < 0)
		return log_error_errno(-errno, "mount directory '%s'", cfg->mountpoint);
	if (m.st_dev == b.st_dev && m.st_ino == b.st_ino) {
		log_error("mount directory '%s' is the backing directory; use another directory",
			  cfg->mountpoint);
		return -EINVAL;
	}
	return 0;
}

/* The absolute path of PATH without looking at PATH itself, which may be a dead mount. */
static int parent_realpath(const char *path, char *ret, size_t size)
{
	_cleanup_free_ char *dir_copy = strdup(path), *base_copy = strdup(path);
	char dir[PATH_MAX];

	if (!dir_copy || !base_copy)
		return -ENOMEM;
	if (!realpath(dirname(dir_copy), dir))
		return -errno;
	if (snprintf(ret, size, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, basename(base_copy)) >=
	    (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/* A resolvconffs mount already on the mount point: a live one is refused (a second daemon
 * would stack on it and read through it); a dead one (ENOTCONN: its daemon was killed and
 * nothing detached it) is detached, so a restart after a crash just works. */
static int check_existing_mount(const char *mountpoint)
{
	char path[PATH_MAX], fstype[64];
	struct stat st;
	int r;

	r = parent_realpath(mountpoint, path, sizeof(path));
	if (r < 0)
		return 0; /* the mount point checks that follow will say what is wrong */
	for (int i = 0; i < 16; i++) { /* crashes may have stacked a few */
		bool dead;

		r = mounts_find("/proc/self/mountinfo", path, fstype, sizeof(fstype));
		if (r <= 0)
			return 0;
		dead = stat(path, &st) < 0 && errno == ENOTCONN;
		if (strcmp(fstype, "fuse.resolvconffs") != 0) {
			if (!dead)
				return 0; /* a bind mount, say: we mount on top, as on any file */
			log_error("mount point '%s': a dead FUSE mount of type %s is in the way; "
				  "unmount it first",
				  path, fstype);
			return -ENOTCONN;
		}
		if (!dead) {
			log_error(
				"mount point '%s': already served by a running resolvconffs; stop "
				"it first",
				path);
			return -EBUSY;
		}
		if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
			return log_error_errno(-errno,
					       "mount point '%s': cannot detach the stale "
					       "resolvconffs mount left by a dead daemon",
					       path);
		log_warning(
			"mount point '%s': detached a stale resolvconffs mount left by a daemon "
			"that died",
			path);
	}
	return 0;
}

/* The --host-file is read by path at every open: it must exist, be a regular file, and not
 * lead back to the mount point (we would wait on ourselves). */
static int check_host_file(const char *path, int underlying_fd)
{
	struct stat st, under;
	_cleanup_close_ int fd = open_regular_file("host file", path);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || fstat(underlying_fd, &under) < 0)
		return log_error_errno(-errno, "host file '%s'", path);
	if (st.st_dev == under.st_dev && st.st_ino == under.st_ino) {
		log_error("host file '%s' is the mount point itself; name the file its manager "
			  "writes",
			  path);
		return -EINVAL;
	}
	return 0;
}

/* auto_unmount needs fusermount3, where libfuse looks for it. */
static bool have_fusermount(void)
{
	_cleanup_free_ char *path_copy = NULL;
	const char *path = getenv("PATH");
	char candidate[PATH_MAX];

	if (access("/usr/bin/fusermount3", X_OK) == 0)
		return true;
	if (!path || !(path_copy = strdup(path)))
		return false;
	for (char *save = NULL, *dir = strtok_r(path_copy, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		(void)snprintf(candidate, sizeof(candidate), "%s/fusermount3", dir);
		if (access(candidate, X_OK) == 0)
			return true;
	}
	return false;
}

/* Every open costs a backing fd only for writers (read-only opens share one), but the soft
 * limit systemd gives services is 1024: take the hard limit. Returns the limit in force. */
static unsigned long raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t old = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			rl.rlim_cur = old;
	}
	return rl.rlim_cur == RLIM_INFINITY ? 1UL << 20 : (unsigned long)rl.rlim_cur;
}

/* The boot's id, which owner marks carry: namespace cookies restart at every boot. */
static int read_boot_id(char *buf, size_t size)
{
	_cleanup_close_ int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return log_error_errno(-errno, "cannot open /proc/sys/kernel/random/boot_id");
	n = read(fd, buf, size - 1);
	if (n <= 0)
		return log_error_errno(n < 0 ? -errno : -EINVAL,
				       "cannot read /proc/sys/kernel/random/boot_id");
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

/* Mount, serve until a signal, unmount. CTX is complete but for underlying_fd, opened here. */
static int serve(struct rcfs_ctx *ctx, const char *mountpoint, const struct rcfs_key *self,
		 struct rcfs_watchdog *watchdog)
{
	const struct rcfs_config *cfg = ctx->cfg;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *loop_cfg = NULL;
	struct fuse_session *se = NULL;
	char fsopts[128], path[PATH_MAX];
	enum rcfs_source source;
	bool auto_unmount;
	struct stat st;
	int r, ret = EXIT_FAILURE;

	/* If we die without unmounting, the dead mount is detached, so callers see the original
	 * file instead of ENOTCONN: by our watchdog as root, else by fusermount3 (auto_unmount),
	 * which stays behind as our child. */
	auto_unmount = cfg->auto_unmount && watchdog->pid == 0 && have_fusermount();
	if (cfg->auto_unmount && watchdog->pid == 0 && !auto_unmount)
		log_warning("fusermount3 not found (package fuse3): if this daemon is killed, "
			    "'%s' stays a dead mount until unmounted by hand",
			    mountpoint);
	(void)snprintf(fsopts, sizeof(fsopts),
		       /* No default_permissions: the kernel would check callers against the one
			* inode's mode and owner, i.e. another namespace's file; access.c decides. */
		       "fsname=resolvconffs,subtype=resolvconffs,allow_other,nosuid,nodev,noexec%s",
		       auto_unmount ? ",auto_unmount" : "");
	if (fuse_opt_add_arg(&args, "resolvconffs") < 0 || fuse_opt_add_arg(&args, "-o") < 0 ||
	    fuse_opt_add_arg(&args, fsopts) < 0 ||
	    (cfg->fuse_opts &&
	     (fuse_opt_add_arg(&args, "-o") < 0 || fuse_opt_add_arg(&args, cfg->fuse_opts) < 0))) {
		log_error("out of memory");
		goto out;
	}

	/* libfuse rejects unknown -o options here, before anything is mounted. */
	log_capture_fuse(true);
	se = cfg->dir_mode ? fuse_session_new(&args, &rcfs_dir_ops, sizeof(rcfs_dir_ops), ctx) :
			     fuse_session_new(&args, &rcfs_ops, sizeof(rcfs_ops), ctx);
	log_capture_fuse(false);
	if (!se) {
		log_error("invalid -o options '%s': %s", cfg->fuse_opts ? cfg->fuse_opts : "",
			  log_fuse_message() ? log_fuse_message() : "rejected by libfuse");
		ret = EXIT_USAGE;
		goto out;
	}
	if (fuse_set_signal_handlers(se) < 0) {
		log_error("cannot install signal handlers");
		goto out;
	}
	log_capture_fuse(true);
	r = fuse_session_mount(se, mountpoint);
	log_capture_fuse(false);
	if (r < 0) {
		log_error("cannot mount on '%s': %s", mountpoint,
			  log_fuse_message() ? log_fuse_message() : "mount failed");
		goto out_signals;
	}
	watchdog_arm(watchdog);

	if (cfg->dir_mode)
		log_info("serving '%s' from '%s/<name or %s ID>/'%s%s", mountpoint,
			 cfg->backing_dir, key_kind_name(ctx->key_kind),
			 cfg->default_file ? ", template " : "",
			 cfg->default_file ? cfg->default_file : "");
	else if (backing_stat(ctx, self, &st, &source, path, sizeof(path)) == -ENOENT)
		log_warning(
			"this daemon's own %s (%llu) has no file ('%s') and no -d was given: its "
			"processes get ENOENT for '%s'",
			key_kind_name(self->kind), (unsigned long long)self->id, path, mountpoint);
	if (!cfg->dir_mode)
		log_info("serving '%s' from '%s/<%s ID>%s%s'%s%s%s%s", mountpoint, cfg->backing_dir,
			 key_kind_name(ctx->key_kind), cfg->extension[0] ? "." : "", cfg->extension,
			 ctx->names ? ", names from " : "", ctx->names ? cfg->netns_dir : "",
			 cfg->default_file ? ", default file " : "",
			 cfg->default_file ? cfg->default_file : "");

	/* The file mode's one inode drops its pages after READs; --dir's files keep theirs,
	 * dropped when their backing objects change. */
	r = cfg->dir_mode ? 0 : page_cache_start(ctx->page_cache, se);
	if (r < 0) {
		log_error_errno(r, "cannot start the page cache thread");
		goto out_unmount;
	}
	r = ctx->dirwatch ? dirwatch_start(ctx->dirwatch, se) : 0;
	if (r < 0) {
		log_error_errno(r, "cannot start the backing tree watcher");
		goto out_unmount;
	}
	lint_warn_bypasses(mountpoint);
	/* Type=notify: ready only now that the mount is live. */
	(void)sd_notifyf(0, "READY=1\nSTATUS=serving %s", mountpoint);

	loop_cfg = fuse_loop_cfg_create();
	if (!loop_cfg) {
		log_error("out of memory");
		goto out_unmount;
	}
	r = fuse_session_loop_mt(se, loop_cfg);
	if (r < 0) {
		log_error_errno(r, "FUSE session ended with an error");
		goto out_unmount;
	}
	ret = EXIT_SUCCESS;
	(void)sd_notifyf(0, "STOPPING=1");
	log_info("unmounting '%s'", mountpoint);

out_unmount:
	page_cache_stop(ctx->page_cache); /* a no-op if never started */
	if (ctx->dirwatch)
		dirwatch_stop(ctx->dirwatch);
	fuse_session_unmount(se);
	watchdog_stop(watchdog);
out_signals:
	fuse_remove_signal_handlers(se);
out:
	if (loop_cfg)
		fuse_loop_cfg_destroy(loop_cfg);
	if (se)
		fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	return ret;
}

static int run(const struct rcfs_config *cfg)
{
	_cleanup_close_ int procfs_fd = -1, backing_dir_fd = -1, template_fd = -1,
			    underlying_fd = -1;
	_cleanup_free_ char *etc_file = NULL;
	struct rcfs_filtered filtered = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };
	struct rcfs_names names = { .stop_fd = -1 };
	struct rcfs_watchdog watchdog = { 0, -1 };
	struct rcfs_page_cache page_cache = { .event_fd = -1 };
	struct rcfs_handles handles;
	struct rcfs_dirnodes dirnodes;
	struct rcfs_dirwatch dirwatch;
	char mountpoint[PATH_MAX] = "";
	bool names_started = false;
	struct rcfs_key self;
	struct rcfs_ctx ctx;
	int r, ret;

	backing_dir_fd = open_backing_dir(cfg->backing_dir);
	if (backing_dir_fd < 0)
		return EXIT_FAILURE;
	if (cfg->mode == MODE_SERVE) {
		if (check_existing_mount(cfg->mountpoint) < 0)
			return EXIT_FAILURE;
		/* mount(2) follows a symlinked mount point; name (and check) what it lands on. */
		if (!realpath(cfg->mountpoint, mountpoint))
			return log_error_errno(-errno, "mount point '%s'", cfg->mountpoint),
			       EXIT_FAILURE;
		underlying_fd = cfg->dir_mode ? open_directory("mount directory", cfg->mountpoint) :
						open_regular_file("mount point", cfg->mountpoint);
		if (underlying_fd < 0)
			return EXIT_FAILURE;
		if (cfg->dir_mode && check_mountdir(underlying_fd, backing_dir_fd, cfg) < 0)
			return EXIT_FAILURE;
		if (check_mountpoint_outside(mountpoint, backing_dir_fd, cfg->backing_dir) < 0)
			return EXIT_FAILURE;
		if (cfg->host_file && check_host_file(cfg->host_file, underlying_fd) < 0)
			return EXIT_FAILURE;
	}
	if (cfg->default_file) {
		template_fd = cfg->dir_mode ?
				      open_directory("template directory", cfg->default_file) :
				      open_regular_file("default file", cfg->default_file);
		if (template_fd < 0)
			return EXIT_FAILURE;
	}
	procfs_fd = open_procfs(cfg->procfs, cfg->key_kind, &self);
	if (procfs_fd < 0)
		return EXIT_FAILURE;
	/* The file "ip netns exec" would bind: /etc/netns/NAME/<the mount point's name>. */
	etc_file = strdup(cfg->mountpoint ? cfg->mountpoint : "resolv.conf");
	if (!etc_file)
		return log_error_errno(-ENOMEM, "out of memory"), EXIT_FAILURE;

	ctx = (struct rcfs_ctx){
		.cfg = cfg,
		.key_kind = cfg->key_kind,
		.etc_netns_dir = cfg->key_kind == KEY_NET ? cfg->etc_netns_dir : NULL,
		.etc_file = basename(etc_file),
		.procfs_fd = procfs_fd,
		.backing_dir_fd = backing_dir_fd,
		.template_fd = template_fd,
		.underlying_fd = underlying_fd,
		.max_read = options_max_read(cfg->fuse_opts),
		.self = self,
		.filtered = cfg->drop_loopback ? &filtered : NULL,
		.handles = &handles,
		.page_cache = &page_cache,
	};
	handles_init(&handles, raise_fd_limit());

	if (read_boot_id(ctx.boot_id, sizeof(ctx.boot_id)) < 0)
		return EXIT_FAILURE;
	r = (int)readlink("/proc/self/ns/user", ctx.self_userns, sizeof(ctx.self_userns) - 1);
	if (r < 0)
		return log_error_errno(-errno, "cannot read /proc/self/ns/user"), EXIT_FAILURE;
	ctx.self_userns[r] = '\0';

	/* Forked before the names thread: the child of a process with one thread. */
	if (cfg->mode == MODE_SERVE && cfg->auto_unmount && geteuid() == 0) {
		r = watchdog_start(&watchdog, mountpoint);
		if (r < 0)
			log_warning_errno(r, "cannot start the watchdog; using fusermount3's "
					     "auto_unmount");
	}

	if (cfg->key_kind == KEY_NET) {
		struct stat nsfs;

		/* Names are namespace files bind-mounted in NETNS_DIR: same st_dev as our own
		 * (asked of the real /proc: -P may name a tree that is no procfs). */
		if (stat("/proc/self/ns/net", &nsfs) < 0)
			return log_error_errno(-errno, "cannot stat /proc/self/ns/net"),
			       EXIT_FAILURE;
		r = names_start(&names, cfg->netns_dir, nsfs.st_dev, strlen(cfg->extension) + 1,
				cfg->mode == MODE_SERVE);
		if (r < 0) {
			names_stop(&names);
			return log_error_errno(r, "netns names in '%s'", cfg->netns_dir),
			       EXIT_FAILURE;
		}
		names_started = true;
		ctx.names = &names;
	}

	if (cfg->dir_mode) {
		/* Modes of new objects are the callers' (the kernel applied their umask). */
		(void)umask(0);
		(void)clock_gettime(CLOCK_REALTIME, &ctx.dir_start_time);
		r = dirnodes_init(&dirnodes);
		if (r < 0)
			return log_error_errno(r, "out of memory"), EXIT_FAILURE;
		ctx.dirnodes = &dirnodes;
		if (cfg->mode == MODE_SERVE) {
			r = dirwatch_init(&dirwatch);
			if (r < 0) {
				dirnodes_done(&dirnodes);
				return log_error_errno(r, "cannot watch the backing tree"),
				       EXIT_FAILURE;
			}
			dirnodes.on_new = dirwatch_node_new;
			dirnodes.on_gone = dirwatch_node_gone;
			dirnodes.hook_arg = &dirwatch;
			ctx.dirwatch = &dirwatch;
		}
	}
	if (cfg->mode == MODE_LIST)
		ret = list_run(&ctx, cfg->json);
	else if (cfg->mode == MODE_GC)
		ret = gc_run(&ctx, cfg->json, cfg->remove);
	else
		ret = serve(&ctx, mountpoint, &self, &watchdog);
	watchdog_stop(&watchdog); /* not armed unless mounted: the child only exits */
	handles_done(&handles);
	if (ctx.dirnodes)
		dirnodes_done(&dirnodes);
	if (ctx.dirwatch)
		dirwatch_done(&dirwatch);
	if (names_started)
		names_stop(&names);
	if (filtered.fd >= 0)
		(void)close(filtered.fd);
	return ret;
}

int main(int argc, char **argv)
{
	struct rcfs_config cfg;
	int r;

	log_setup();
	log_attach_fuse();
	r = options_parse(argc, argv, &cfg);
	if (r < 0)
		return EXIT_USAGE;
	if (r == OPTIONS_EXIT)
		return EXIT_SUCCESS;
	if (cfg.verbose > 0)
		log_set_level(LOG_DEBUG);
	r = run(&cfg);
	options_free(&cfg);
	return r;
}
