/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names that become paths: 8 bytes of ID, then text used both as the extension of
 * "<ID>.<EXT>" and as an ip netns name. A file name is one path component that fits NAME_MAX,
 * or an error; a name name_is_valid() accepts is one too, and never all digits. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backing.h"
#include "fuzz.h"
#include "names.h"
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
	if (name_is_valid(ext) && (strchr(ext, '/') || strlen(ext) == 0 || strlen(ext) > NAME_MAX ||
				   strcmp(ext, ".") == 0 || strcmp(ext, "..") == 0 ||
				   strspn(ext, "0123456789") == strlen(ext)))
		abort();
	if (strchr(ext, '/')) /* options_parse() refuses these */
		return 0;
	n = backing_name(id, ext, name, sizeof(name));
	if (n < 0 || (size_t)n != strlen(name) || strchr(name, '/') || n > NAME_MAX ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		abort();
	return 0;
}
