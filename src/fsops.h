/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the kernel hears: the FUSE request handlers. The only caller of fuse_reply_*(). */
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse3/fuse_lowlevel.h>

extern const struct fuse_lowlevel_ops rcfs_ops;
