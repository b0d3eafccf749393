/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mounts.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Copies one space-separated field, undoing the kernel's \ooo escapes (space, tab, newline,
 * backslash); with out NULL, only steps over it. Returns a pointer past the field, or NULL. */
static const char *copy_field(const char *p, char *out, size_t size, int *ret)
{
	size_t n = 0;

	while (*p && *p != ' ' && *p != '\n') {
		char c = *p++;

		if (c == '\\' && p[0] >= '0' && p[0] <= '3' && p[1] >= '0' && p[1] <= '7' &&
		    p[2] >= '0' && p[2] <= '7') {
			c = (char)((p[0] - '0') << 6 | (p[1] - '0') << 3 | (p[2] - '0'));
			p += 3;
		}
		if (out && n + 1 >= size) {
			*ret = -ENAMETOOLONG;
			return NULL;
		}
		if (out)
			out[n] = c;
		n++;
	}
	if (n == 0) {
		*ret = -EINVAL;
		return NULL;
	}
	if (out)
		out[n] = '\0';
	return p;
}

static const char *skip_fields(const char *p, int n)
{
	while (n-- > 0) {
		p = strchr(p, ' ');
		if (!p)
			return NULL;
		p++;
	}
	return p;
}

/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS: the
 * fields whose buffer is not NULL. */
static int parse_line(const char *line, char *ret_root, size_t root_size, char *ret_point,
		      size_t point_size, char *ret_fstype, size_t fstype_size)
{
	const char *p;
	int r = -EINVAL;

	p = skip_fields(line, 3);
	if (!p || !(p = copy_field(p, ret_root, root_size, &r)) || *p != ' ' ||
	    !(p = copy_field(p + 1, ret_point, point_size, &r)))
		return r;
	p = strstr(p, " - ");
	if (!p || !copy_field(p + 3, ret_fstype, fstype_size, &r))
		return r;
	return 0;
}

int mounts_parse_line(const char *line, char *ret_point, size_t point_size, char *ret_fstype,
		      size_t fstype_size)
{
	return parse_line(line, NULL, 0, ret_point, point_size, ret_fstype, fstype_size);
}

int mounts_parse_root(const char *line, char *ret_root, size_t root_size, char *ret_fstype,
		      size_t fstype_size)
{
	return parse_line(line, ret_root, root_size, NULL, 0, ret_fstype, fstype_size);
}

int mounts_find(const char *mountinfo_path, const char *path, char *ret_fstype, size_t size)
{
	_cleanup_free_ char *line = NULL, *point = NULL;
	char fstype[64];
	size_t cap = 0;
	FILE *f;
	int found = 0;

	point = malloc(PATH_MAX);
	if (!point)
		return -ENOMEM;
	f = fopen(mountinfo_path, "re");
	if (!f)
		return -errno;
	/* Later lines are mounted on top of earlier ones: the last match is what a path reaches. */
	while (getline(&line, &cap, f) > 0) {
		if (mounts_parse_line(line, point, PATH_MAX, fstype, sizeof(fstype)) == 0 &&
		    strcmp(point, path) == 0) {
			(void)snprintf(ret_fstype, size, "%s", fstype);
			found = 1;
		}
	}
	(void)fclose(f);
	return found;
}
