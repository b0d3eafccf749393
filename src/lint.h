/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Start-up warnings about what would bypass the served file: nss-resolve and nscd answer name
 * lookups over sockets that every network namespace shares. */
#pragma once

#include <stdbool.h>

/* True if the "hosts:" line of nsswitch.conf TEXT lists the "resolve" service. */
bool lint_nsswitch_uses_resolve(const char *text);
/* True unless nscd.conf TEXT says "enable-cache hosts no" (nscd caches hosts by default). */
bool lint_nscd_caches_hosts(const char *text);

/* Logs a warning for each bypass of MOUNTPOINT found on this machine. */
void lint_warn_bypasses(const char *mountpoint);
