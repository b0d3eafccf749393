/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A namespace served the host's resolv.conf often gets "nameserver 127.0.0.53": the host's
 * loopback, which does not exist in its namespace, so DNS silently fails. --drop-loopback
 * serves other namespaces the template without such lines (as Docker does for containers). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* True if ADDR (the text after "nameserver") is a loopback address: 127.0.0.0/8, ::1,
 * ::ffff:127.x.y.z. */
bool filter_is_loopback(const char *addr, size_t len);

/* Copies resolv.conf text IN (LEN bytes) to OUT without its loopback nameserver lines; when
 * it dropped some and no nameserver is left, appends "nameserver FALLBACK" (FALLBACK may be
 * NULL). Returns the length written (OUT is always NUL-terminated), or -ENOSPC. */
long filter_loopback(const char *in, size_t len, const char *fallback, char *out, size_t out_size,
		     unsigned *ret_dropped);
