/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The /proc/PID/status parser (CapEff, Groups): never reads past the input, and what it
 * accepts is within its limits. */
#include <stdint.h>
#include <stdlib.h>

#include "access.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct access_status s;

	if (access_parse_status((const char *)data, size, &s) == 0) {
		if (s.n_groups > ACCESS_GROUPS_MAX || (s.n_groups > 0) != (s.groups != NULL))
			abort();
		access_status_free(&s);
	}
	return 0;
}
