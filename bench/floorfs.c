/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floorfs [--default-permissions] [--no-open] [--debug] MOUNTPOINT: the FUSE floor. A minimal low-level
 * FUSE file system mounted over one regular file with resolvconffs' cache-nothing settings
 * (direct_io and noflush on every open; attribute timeout 0; fuse_session_loop_mt() with the
 * default fuse_loop_cfg_create(); async direct I/O and writeback cache off) but doing no work:
 * it serves FLOOR_SIZE fixed bytes from memory and discards writes. What this costs is what
 * any FUSE daemon with these settings pays before it does anything.
 *
 * Mounted with allow_other alone, it is the minimal floor: the kernel checks no permissions
 * and sends the fewest requests it can, stat = GETATTR and open+read+close = OPEN + READ +
 * RELEASE. --default-permissions adds that option, as resolvconffs mounted until it checked
 * permissions itself: the kernel then refreshes the attributes before every OPEN, one GETATTR
 * more per open. --debug is libfuse's -d: every request on stderr, to count them.
 *
 * --no-open answers OPEN with ENOSYS, as a daemon that needs no per-open state may (libfuse's
 * FUSE_NO_OPEN_SUPPORT): the kernel then sends no OPEN and no RELEASE again and keeps the
 * page cache (FOPEN_KEEP_CACHE is its default without OPEN), so a read is served from memory
 * after the first; with attribute timeout 0 it may still ask GETATTR when it reads. Less
 * than this, FUSE cannot do. (resolvconffs cannot: without OPEN the kernel checks nothing at
 * open, and without default_permissions, which the shared root rules out, the daemon must.)
 *
 * Foreground; prints "serving" on stderr once mounted; SIGTERM/SIGINT/SIGHUP unmount.
 */
#define FUSE_USE_VERSION 314

#include <errno.h>
#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench.h"

static char content[FLOOR_SIZE];
static struct timespec start_time;

static void floor_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* As resolvconffs: reads and writes go out synchronously from the caller's thread. */
	conn->want &= ~(FUSE_CAP_ASYNC_DIO | FUSE_CAP_WRITEBACK_CACHE);
}

static void floor_stat(struct stat *st)
{
	*st = (struct stat){
		.st_ino = FUSE_ROOT_ID,
		.st_mode = S_IFREG | 0644,
		.st_nlink = 1,
		.st_size = sizeof(content),
		.st_blksize = 4096,
		.st_blocks = sizeof(content) / 512,
		.st_atim = start_time,
		.st_mtim = start_time,
		.st_ctim = start_time,
	};
}

static void floor_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)ino;
	(void)fi;
	floor_stat(&st);
	(void)fuse_reply_attr(req, &st, 0.0); /* never cached, as resolvconffs */
}

/* Only reached if the kernel turns O_TRUNC into a SETATTR; the fixed file does not change. */
static void floor_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			  struct fuse_file_info *fi)
{
	(void)attr;
	(void)to_set;
	floor_getattr(req, ino, fi);
}

static bool no_open;

static void floor_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	if (no_open) {
		(void)fuse_reply_err(req, ENOSYS);
		return;
	}
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fi->noflush = 1;
	(void)fuse_reply_open(req, fi); /* nothing to free if the open was interrupted */
}

static void floor_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	size_t start = off < 0 ? 0 : (size_t)off;

	(void)ino;
	(void)fi;
	if (start > sizeof(content))
		start = sizeof(content);
	if (size > sizeof(content) - start)
		size = sizeof(content) - start;
	(void)fuse_reply_buf(req, content + start, size);
}

static void floor_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	(void)ino;
	(void)buf;
	(void)off;
	(void)fi;
	(void)fuse_reply_write(req, size); /* accepted and dropped: the floor does no work */
}

static void floor_ok(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	(void)fuse_reply_err(req, 0);
}

static void floor_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	(void)datasync;
	floor_ok(req, ino, fi);
}

static const struct fuse_lowlevel_ops floor_ops = {
	.init = floor_init,
	.getattr = floor_getattr,
	.setattr = floor_setattr,
	.open = floor_open,
	.read = floor_read,
	.write = floor_write,
	.flush = floor_ok,
	.fsync = floor_fsync,
	.release = floor_ok,
};

static void usage(void)
{
	fprintf(stderr,
		"usage: floorfs [--default-permissions] [--no-open] [--debug] MOUNTPOINT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char opt_o[] = "-o", opt_d[] = "-d", opts[128];
	char *fuse_argv[] = { argv[0], opt_o, opts, opt_d };
	struct fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);
	struct fuse_loop_config *loop_cfg = NULL;
	bool default_permissions = false;
	const char *mountpoint = NULL;
	struct fuse_session *se;
	int ret = EXIT_FAILURE;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--default-permissions") == 0)
			default_permissions = true;
		else if (strcmp(argv[i], "--no-open") == 0)
			no_open = true;
		else if (strcmp(argv[i], "--debug") == 0)
			args.argc = 4;
		else if (argv[i][0] == '-' || mountpoint)
			usage();
		else
			mountpoint = argv[i];
	}
	if (!mountpoint)
		usage();
	(void)snprintf(opts, sizeof(opts), "fsname=floorfs,subtype=floorfs,allow_other%s",
		       default_permissions ? ",default_permissions" : "");
	bench_fill_content(content, sizeof(content), 0);
	(void)clock_gettime(CLOCK_REALTIME, &start_time);

	se = fuse_session_new(&args, &floor_ops, sizeof(floor_ops), NULL);
	if (!se)
		return EXIT_FAILURE;
	if (fuse_set_signal_handlers(se) < 0)
		goto out;
	if (fuse_session_mount(se, mountpoint) < 0)
		goto out_signals;
	fprintf(stderr, "floorfs: serving '%s'%s\n", mountpoint,
		default_permissions ? " with default_permissions" : "");

	loop_cfg = fuse_loop_cfg_create(); /* the defaults, as resolvconffs */
	if (loop_cfg && fuse_session_loop_mt(se, loop_cfg) == 0)
		ret = EXIT_SUCCESS;
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out:
	if (loop_cfg)
		fuse_loop_cfg_destroy(loop_cfg);
	fuse_session_destroy(se);
	return ret;
}
