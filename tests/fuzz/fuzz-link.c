/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The /proc/PID/ns/KIND link parser: what it accepts prints back to the same text. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char again[64];
	uint64_t id;

	if (key_parse_link((const char *)data, size, "net", &id) == 0) {
		int n = snprintf(again, sizeof(again), "net:[%" PRIu64 "]", id);

		if (n < 0 || (size_t)n != size || memcmp(again, data, size) != 0)
			abort();
	}
	return 0;
}
