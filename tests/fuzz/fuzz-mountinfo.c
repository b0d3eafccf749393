/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The /proc/self/mountinfo line parser: never overruns, and what it returns is non-empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line, point[64], fstype[16];

	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (mounts_parse_line(line, point, sizeof(point), fstype, sizeof(fstype)) == 0 &&
	    (point[0] == '\0' || fstype[0] == '\0' || strlen(point) >= sizeof(point) ||
	     strlen(fstype) >= sizeof(fstype)))
		abort();
	free(line);
	return 0;
}
