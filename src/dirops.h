/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the kernel hears in the directory mode (--dir): its FUSE request handlers, the only
 * caller of fuse_reply_*() for that mode. */
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse3/fuse_lowlevel.h>

extern const struct fuse_lowlevel_ops rcfs_dir_ops;
