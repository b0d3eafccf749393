/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The nsswitch.conf and nscd.conf readers: any text, no crash; a hosts line made to list
 * "resolve" is always found. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 32);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)lint_nsswitch_uses_resolve(text);
	(void)lint_nscd_caches_hosts(text);
	strcpy(text + strlen(text), "\nhosts: resolve\n");
	if (!lint_nsswitch_uses_resolve(text))
		abort();
	free(text);
	return 0;
}
