/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LD_PRELOAD shim: syscall(SYS_openat2, ...) fails with ENOSYS, as under a seccomp filter
 * that does not know openat2 (systemd 252's @system-service, older container runtimes), so
 * the directory mode's per-component fallback is tested on any kernel. */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>

long syscall(long number, ...);

long syscall(long number, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;

	if (number == SYS_openat2) {
		errno = ENOSYS;
		return -1;
	}
	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
