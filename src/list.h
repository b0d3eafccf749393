/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --list and --gc: what the daemon would serve each live namespace, and which backing files
 * no live namespace uses. Reads PROCFS, NETNS_DIR and BACKING_DIR; mounts nothing. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "context.h"

/* Returns an exit status. */
int list_run(const struct rcfs_ctx *ctx, bool json);
int gc_run(const struct rcfs_ctx *ctx, bool json, bool remove);

/* Writes S as a JSON string (with quotes) to F. */
void json_string(FILE *f, const char *s);
