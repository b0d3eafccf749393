/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The directory mode's operations on open files beyond read and write: fallocate(2),
 * copy_file_range(2) and lseek(2)'s SEEK_DATA and SEEK_HOLE, each on the backing fds of the
 * caller's own open files (dirops_file_fd()), so they reach exactly the files the caller
 * opened, in its own tree. The kernel sends them only for files of this mount, and keeps its
 * page cache right around them (it writes dirty pages back before, and drops the changed
 * range after). Without them it would answer EOPNOTSUPP for fallocate, copy through the page
 * cache for copy_file_range, and take the whole file for data in SEEK_DATA and SEEK_HOLE. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "dirops-priv.h"

void rcfs_dir_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
			struct fuse_file_info *fi)
{
	(void)ino;
	/* The kernel passes only KEEP_SIZE, PUNCH_HOLE and ZERO_RANGE; the backing file
	 * system answers EOPNOTSUPP for what it lacks. */
	if (fallocate(dirops_file_fd(fi), mode, offset, length) < 0)
		dirops_reply_err(req, -errno);
	else
		dirops_reply_err(req, 0);
}

void rcfs_dir_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			      struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
			      struct fuse_file_info *fi_out, size_t len, int flags)
{
	loff_t in = off_in, out = off_out;
	ssize_t n;

	(void)ino_in, (void)ino_out;
	n = copy_file_range(dirops_file_fd(fi_in), &in, dirops_file_fd(fi_out), &out, len,
			    (unsigned)flags);
	if (n < 0)
		dirops_reply_err(req, -errno);
	else
		(void)fuse_reply_write(req, (size_t)n);
}

/* Only SEEK_DATA and SEEK_HOLE reach the daemon (the kernel does SEEK_SET, SEEK_CUR and
 * SEEK_END itself). The backing fd's own offset is used by nothing else: reads and writes
 * give theirs. */
void rcfs_dir_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		    struct fuse_file_info *fi)
{
	off_t r;

	(void)ino;
	r = lseek(dirops_file_fd(fi), off, whence);
	if (r < 0)
		dirops_reply_err(req, -errno);
	else
		(void)fuse_reply_lseek(req, r);
}
