/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The /proc/self/mountinfo line parsers: never overrun, and what they return is non-empty.
 * Both read the same fields up to the mount point, so they accept and refuse the same lines
 * when every buffer is large enough. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mounts.h"

static void check(int r, const char *field, size_t size, const char *fstype, size_t fstype_size)
{
	if (r == 0 && (field[0] == '\0' || fstype[0] == '\0' || strlen(field) >= size ||
		       strlen(fstype) >= fstype_size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line, point[64], root[24], fstype[16], big_point[4096], big_root[4096],
		big_type[4096];
	int r1, r2;

	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	r1 = mounts_parse_line(line, point, sizeof(point), fstype, sizeof(fstype));
	check(r1, point, sizeof(point), fstype, sizeof(fstype));
	r2 = mounts_parse_root(line, root, sizeof(root), fstype, sizeof(fstype));
	check(r2, root, sizeof(root), fstype, sizeof(fstype));
	if (size < sizeof(big_point)) {
		r1 = mounts_parse_line(line, big_point, sizeof(big_point), big_type,
				       sizeof(big_type));
		r2 = mounts_parse_root(line, big_root, sizeof(big_root), big_type,
				       sizeof(big_type));
		if (r1 != r2)
			abort();
	}
	free(line);
	return 0;
}
