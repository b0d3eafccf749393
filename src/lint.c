/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lint.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* The next line of TEXT (at *p), without its comment; false at the end. */
static bool next_line(const char **p, char *buf, size_t size)
{
	size_t len;

	if (!**p)
		return false;
	len = strcspn(*p, "\n");
	(void)snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), *p);
	buf[strcspn(buf, "#")] = '\0';
	*p += len + ((*p)[len] == '\n');
	return true;
}

bool lint_nsswitch_uses_resolve(const char *text)
{
	char line[1024];

	while (next_line(&text, line, sizeof(line))) {
		char *save = NULL, *word = strtok_r(line, " \t", &save);

		if (!word || strcmp(word, "hosts:") != 0)
			continue;
		while ((word = strtok_r(NULL, " \t", &save)))
			if (strcmp(word, "resolve") == 0)
				return true;
	}
	return false;
}

bool lint_nscd_caches_hosts(const char *text)
{
	bool caches = true; /* nscd's default */
	char line[1024];

	while (next_line(&text, line, sizeof(line))) {
		char *save = NULL, *key = strtok_r(line, " \t", &save);
		char *service = strtok_r(NULL, " \t", &save), *value = strtok_r(NULL, " \t", &save);

		if (key && service && value && strcmp(key, "enable-cache") == 0 &&
		    strcmp(service, "hosts") == 0)
			caches = strcmp(value, "no") != 0;
	}
	return caches;
}

static char *read_small_file(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	char *buf;
	ssize_t n;

	if (fd < 0 || !(buf = malloc(65536)))
		return NULL;
	n = read(fd, buf, 65535);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

void lint_warn_bypasses(const char *mountpoint)
{
	_cleanup_free_ char *nsswitch = NULL, *nscd = NULL;
	const char *base = strrchr(mountpoint, '/');
	struct stat st;

	base = base ? base + 1 : mountpoint;
	if (strcmp(base, "resolv.conf") != 0 && strcmp(base, "hosts") != 0)
		return;
	nsswitch = read_small_file("/etc/nsswitch.conf");
	if (nsswitch && lint_nsswitch_uses_resolve(nsswitch))
		log_warning(
			"/etc/nsswitch.conf lists 'resolve' for hosts: nss-resolve asks "
			"systemd-resolved over a socket every network namespace shares, so lookups "
			"there bypass '%s'",
			mountpoint);
	if (stat("/var/run/nscd/socket", &st) == 0 && S_ISSOCK(st.st_mode)) {
		nscd = read_small_file("/etc/nscd.conf");
		if (!nscd || lint_nscd_caches_hosts(nscd))
			log_warning(
				"nscd is running and caches hosts: lookups go through its socket, "
				"shared by every network namespace, and bypass '%s'; set "
				"'enable-cache hosts no' in /etc/nscd.conf",
				mountpoint);
	}
}
