/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What is mounted where: mountinfo lines, for start-up checks and --gc. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Parses one mountinfo line (see proc(5)): writes the unescaped mount point and the file system
 * type into the buffers. Returns 0, or -EINVAL for a malformed line, -ENAMETOOLONG when a
 * field does not fit. */
int mounts_parse_line(const char *line, char *ret_point, size_t point_size, char *ret_fstype,
		      size_t fstype_size);

/* The same for the ROOT field (what of its file system a mount shows: "net:[ID]" for a bind
 * mount of a namespace file, type "nsfs") and the type. */
int mounts_parse_root(const char *line, char *ret_root, size_t root_size, char *ret_fstype,
		      size_t fstype_size);

/* The type of the topmost mount on PATH (an absolute, canonical path), in ret_fstype.
 * Returns 1 if something is mounted there, 0 if not, or a -errno. */
int mounts_find(const char *mountinfo_path, const char *path, char *ret_fstype, size_t size);
