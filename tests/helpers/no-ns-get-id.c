/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LD_PRELOAD shim: ioctl(NS_GET_ID) fails with ENOTTY, as on Linux < 6.18 (Debian 12's 6.1),
 * so the daemon's fallback (SO_NETNS_COOKIE) is tested on any kernel. */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/ioctl.h>

#define NS_GET_ID_REQUEST _IOR(0xb7, 13, uint64_t)

int ioctl(int fd, unsigned long request, ...);

int ioctl(int fd, unsigned long request, ...)
{
	static int (*real)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (request == NS_GET_ID_REQUEST) {
		errno = ENOTTY;
		return -1;
	}
	if (!real)
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	return real(fd, request, arg);
}
