/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Backing file names: 8 bytes of ID, then the extension. A name is one path component that
 * fits NAME_MAX, or an error. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backing.h"
#include "fuzz.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ext[OPTIONS_EXTENSION_MAX + 1], name[NAME_MAX + 1];
	uint64_t id = 0;
	size_t len;
	int n;

	if (size < sizeof(id))
		return 0;
	memcpy(&id, data, sizeof(id));
	len = size - sizeof(id);
	if (len > OPTIONS_EXTENSION_MAX)
		len = OPTIONS_EXTENSION_MAX;
	memcpy(ext, data + sizeof(id), len);
	ext[len] = '\0';
	if (strchr(ext, '/')) /* options_parse() refuses these */
		return 0;
	n = backing_name(id, ext, name, sizeof(name));
	if (n < 0 || (size_t)n != strlen(name) || strchr(name, '/') || n > NAME_MAX ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		abort();
	return 0;
}
