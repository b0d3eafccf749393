/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The directory mode (--dir): which directory a caller sees as the mount's contents, and how
 * backing paths are resolved. For a key, in this order:
 *   BACKING_DIR/NAME/   for each ip netns name of the namespace (byte order; net only)
 *   BACKING_DIR/ID/
 *   the template directory (-d), read-only until the namespace's first modifying operation
 *   an empty directory, likewise
 * and for a caller that cannot be identified, the directory under the mount, read-only.
 * A namespace's first modifying operation makes its own directory (dirtree_materialize()):
 * a copy of the template built under a temporary name in BACKING_DIR and renamed into place,
 * so a concurrent reader sees the template or the complete copy. Every name is resolved
 * beneath a directory fd without following symbolic links. No libfuse types. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "context.h"
#include "key.h"

enum dirtree_kind {
	DIRTREE_OWN, /* the namespace's own directory in BACKING_DIR: writable */
	DIRTREE_TEMPLATE, /* -d: shared, copied at the first modifying operation */
	DIRTREE_EMPTY, /* no own directory, no template: an empty directory until written */
	DIRTREE_UNDERLYING, /* unidentified caller: the directory under the mount, read-only */
};

/* Which tree a directory entry belongs to: the kind and the tree root's identity. Two
 * objects may be renamed or linked into each other's directories only if equal. */
struct dirtree_id {
	enum dirtree_kind kind;
	dev_t dev;
	ino_t ino;
};

/* What a caller sees at the mount's root. */
struct dirtree_root {
	struct dirtree_id id;
	int fd; /* the directory, owned (O_PATH or O_RDONLY); -1 for DIRTREE_EMPTY */
	struct stat st; /* the directory's (synthetic for DIRTREE_EMPTY) */
	char own[NAME_MAX + 1]; /* BACKING_DIR/own: where the namespace's directory is or goes */
	bool by_id; /* own is the namespace's ID (it has no ip netns name) */
};

/* A single path component that may become a backing name: not empty, no '/', not "." or
 * "..", at most NAME_MAX bytes. */
bool dirtree_name_ok(const char *name);

/* openat2(2) of PATH beneath DIR_FD with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS (with O_PATH | O_NOFOLLOW, a trailing symlink is opened as itself).
 * O_CLOEXEC is added. Returns an fd or a -errno (-ELOOP for a symlink on the way, -EXDEV for
 * an escape). */
int dirtree_open_beneath(int dir_fd, const char *path, int flags, mode_t mode);

/* The root KEY sees (KEY NULL: an unidentified caller). Returns 0 or a -errno. */
int dirtree_resolve(const struct rcfs_ctx *ctx, const struct rcfs_key *key,
		    struct dirtree_root *ret);
/* As dirtree_resolve(), changing nothing: a stale ID directory (its namespace died and the ID
 * was handed on) is passed over, not moved aside (--list). */
int dirtree_peek(const struct rcfs_ctx *ctx, const struct rcfs_key *key, struct dirtree_root *ret);
void dirtree_root_done(struct dirtree_root *root);

/* Makes KEY's own directory BACKING_DIR/VIEW->own from what it sees (VIEW: a template or
 * empty root from dirtree_resolve()). Returns 0 also when another caller made it first. */
int dirtree_materialize(const struct rcfs_ctx *ctx, const struct rcfs_key *key,
			const struct dirtree_root *view);

/* Copies the contents of directory FROM_FD into the empty directory TO_FD (regular files,
 * directories, symbolic links with owner and mode; device nodes, FIFOs and sockets are left
 * out). Returns 0 or a -errno. */
int dirtree_copy(int from_fd, int to_fd);

/* Removes NAME beneath DIR_FD and everything in it. Returns 0 or a -errno. */
int dirtree_remove(int dir_fd, const char *name);
