/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line parser: the input is argv, NUL-separated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[64];
	struct rcfs_config cfg;
	int argc = 1;

	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = (char *)"resolvconffs";
	for (char *p = buf; p < buf + size + 1 && argc < 63; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (options_parse(argc, argv, &cfg) == OPTIONS_RUN) {
		/* What a successful parse promises main.c. */
		/* (--list and --gc take no MOUNTPOINT, or an optional one) */
		if (!cfg.backing_dir || !cfg.backing_dir[0] ||
		    (cfg.mode == MODE_SERVE && !cfg.mountpoint) ||
		    (cfg.mountpoint && !cfg.mountpoint[0]) ||
		    (cfg.mode == MODE_GC && cfg.mountpoint) ||
		    (cfg.remove && cfg.mode != MODE_GC) || strchr(cfg.extension, '/') ||
		    strlen(cfg.extension) > OPTIONS_EXTENSION_MAX)
			abort();
		(void)options_max_read(cfg.fuse_opts);
		options_free(&cfg);
	}
	free(buf);
	return 0;
}
