/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

bool filter_is_loopback(const char *addr, size_t len)
{
	unsigned char v6[16];
	char buf[64];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, addr, len);
	buf[len] = '\0';
	buf[strcspn(buf, "%")] = '\0'; /* fe80::1%eth0: the scope does not matter here */
	if (inet_pton(AF_INET, buf, v6) == 1)
		return v6[0] == 127;
	if (inet_pton(AF_INET6, buf, v6) != 1)
		return false;
	/* ::1, or an IPv4-mapped 127.x address */
	static const unsigned char loop6[16] = { [15] = 1 };
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(v6, loop6, 16) == 0 || (memcmp(v6, mapped, 12) == 0 && v6[12] == 127);
}

/* The address of a "nameserver ADDR" line (resolv.conf(5): keyword, blanks, address), or
 * NULL for any other line. */
static const char *nameserver_addr(const char *line, size_t len, size_t *ret_len)
{
	static const char kw[] = "nameserver";
	size_t i = sizeof(kw) - 1, start;

	if (len <= i || memcmp(line, kw, i) != 0 || (line[i] != ' ' && line[i] != '\t'))
		return NULL;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	start = i;
	while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#' && line[i] != ';')
		i++;
	*ret_len = i - start;
	return line + start;
}

long filter_loopback(const char *in, size_t len, const char *fallback, char *out, size_t out_size,
		     unsigned *ret_dropped)
{
	unsigned dropped = 0, kept_ns = 0;
	size_t n = 0, pos = 0;

	if (out_size == 0)
		return -ENOSPC;
	while (pos < len) {
		const char *line = in + pos, *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - line) : len - pos, full = line_len + !!nl;
		size_t addr_len;
		const char *addr = nameserver_addr(line, line_len, &addr_len);

		pos += full;
		if (addr && filter_is_loopback(addr, addr_len)) {
			dropped++;
			continue;
		}
		if (addr)
			kept_ns++;
		if (n + full >= out_size)
			return -ENOSPC;
		memcpy(out + n, line, full);
		n += full;
	}
	if (dropped > 0 && kept_ns == 0 && fallback) {
		int m;

		if (n > 0 && out[n - 1] != '\n') {
			if (n + 1 >= out_size)
				return -ENOSPC;
			out[n++] = '\n';
		}
		m = snprintf(out + n, out_size - n, "nameserver %s\n", fallback);
		if (m < 0 || (size_t)m >= out_size - n)
			return -ENOSPC;
		n += (size_t)m;
	}
	out[n] = '\0';
	*ret_dropped = dropped;
	return (long)n;
}
