/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The resolv.conf loopback filter: output never longer than input plus the fallback line, never
 * a loopback nameserver line, and filtering twice changes nothing more. */
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[8192], again[8192];
	unsigned dropped, dropped2;
	long n, m;

	if (size > 4096)
		return 0;
	n = filter_loopback((const char *)data, size, "192.0.2.1", out, sizeof(out), &dropped);
	if (n < 0 || (size_t)n > size + 32 || strlen(out) > (size_t)n)
		abort();
	m = filter_loopback(out, (size_t)n, "192.0.2.1", again, sizeof(again), &dropped2);
	if (m != n || memcmp(out, again, (size_t)n) != 0 || dropped2 != 0)
		abort();
	return 0;
}
