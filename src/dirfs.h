/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The directory mode's operations on backing objects: the access decision (access.c, against
 * the object's attributes read now, never the kernel's cached ones), then the system call on
 * fds the daemon holds, one checked name at a time, never following a symbolic link. The
 * caller's tree was chosen before (dirops.c); nothing here crosses from one directory fd to
 * another tree. Objects are made by the daemon (root) and given to the caller's uid and gid
 * (the directory's gid in a set-group-id directory). No libfuse types. Each returns 0 or a
 * -errno. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "access.h"

/* A directory names are looked up in: an fd (O_PATH is enough) and its attributes now. */
struct dirfs_dir {
	int fd;
	struct stat st;
};

/* The object NAME in DIR (search permission needed), opened O_PATH | O_NOFOLLOW. Device nodes
 * are refused (-EACCES). */
int dirfs_lookup(struct access_caller *c, const struct dirfs_dir *dir, const char *name,
		 int *ret_fd, struct stat *ret_st);
/* The same checks, and the object's attributes only (one fstatat(2), no symlink followed):
 * enough when the object has a node already. */
int dirfs_lookup_stat(struct access_caller *c, const struct dirfs_dir *dir, const char *name,
		      struct stat *ret_st);

/* Opens the regular file NODE_FD (an O_PATH fd) with open(2) FLAGS for reading and writing;
 * RET_ST: its attributes, as checked. */
int dirfs_open(struct access_caller *c, int node_fd, int flags, int *ret_fd, struct stat *ret_st);

/* A new regular file NAME in DIR (write and search needed), opened with FLAGS (ret_fd) and
 * O_PATH (ret_node_fd). An existing file is opened instead unless FLAGS has O_EXCL. */
int dirfs_create(struct access_caller *c, const struct dirfs_dir *dir, const char *name,
		 mode_t mode, int flags, int *ret_fd, int *ret_node_fd, struct stat *ret_st);
int dirfs_mkdir(struct access_caller *c, const struct dirfs_dir *dir, const char *name, mode_t mode,
		int *ret_node_fd, struct stat *ret_st);
int dirfs_symlink(struct access_caller *c, const struct dirfs_dir *dir, const char *name,
		  const char *target, int *ret_node_fd, struct stat *ret_st);
/* A new name NAME in DIR for the object NODE_FD (not a directory). */
int dirfs_link(struct access_caller *c, int node_fd, const struct dirfs_dir *dir, const char *name,
	       struct stat *ret_st);
/* unlink(2) or, with IS_DIR, rmdir(2). */
int dirfs_remove(struct access_caller *c, const struct dirfs_dir *dir, const char *name,
		 bool is_dir);
/* renameat2(2) with RENAME_NOREPLACE or RENAME_EXCHANGE (or no flag). */
int dirfs_rename(struct access_caller *c, const struct dirfs_dir *from, const char *from_name,
		 const struct dirfs_dir *to, const char *to_name, unsigned flags);
/* SETATTR (ACCESS_SET_* bits in TO_SET) of NODE_FD, or through FH_FD (>= 0: ftruncate and
 * friends on an open file). */
int dirfs_setattr(struct access_caller *c, int node_fd, int fh_fd, const struct stat *attr,
		  int to_set, struct stat *ret_st);
/* A new fd to read directory DIR_FD's entries with (read permission needed). */
int dirfs_opendir(struct access_caller *c, int dir_fd, int *ret_fd);
