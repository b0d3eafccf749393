/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the benchmark's programs agree on: the size and bytes of every file they serve. */
#pragma once

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Every served file (native, floor, backing files) is this big, so open+read(4 KiB) moves the
 * same 4 KiB through every subject. */
#define FLOOR_SIZE 4096

/* A resolv.conf-like text that names its namespace on the first line, padded with comment
 * lines to exactly SIZE bytes: a reader can tell whose file it got. */
static inline void bench_fill_content(char *buf, size_t size, uint64_t ns_id)
{
	static const char pad[] = "# padding to 4 KiB\n";
	size_t n;

	n = (size_t)snprintf(buf, size,
			     "# resolvconffs bench: namespace %" PRIu64 "\n"
			     "nameserver 127.0.0.53\n",
			     ns_id);
	while (n + sizeof(pad) - 1 <= size) {
		memcpy(buf + n, pad, sizeof(pad) - 1);
		n += sizeof(pad) - 1;
	}
	memset(buf + n, '\n', size - n);
}
