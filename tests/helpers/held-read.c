/* SPDX-License-Identifier: GPL-2.0-or-later */
/* held-read FILE READY EXPECTED SECONDS: opens FILE, reads it whole once (filling the page
 * cache), prints what it read and creates the file READY; then re-reads the same open fd with
 * pread(2) until it reads EXPECTED, or SECONDS have passed. Prints the last read; exits 0 if it
 * was EXPECTED, 1 if not, 2 on errors. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static ssize_t read_all(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	long rounds;
	int fd, ready;

	if (argc != 5) {
		fprintf(stderr, "usage: held-read FILE READY EXPECTED SECONDS\n");
		return 2;
	}
	rounds = atol(argv[4]) * 50;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_all(fd, buf, sizeof(buf)) < 0) {
		fprintf(stderr, "held-read: '%s': %s\n", argv[1], strerror(errno));
		return 2;
	}
	printf("first: %s", buf);
	fflush(stdout);
	ready = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (ready < 0) {
		fprintf(stderr, "held-read: '%s': %s\n", argv[2], strerror(errno));
		return 2;
	}
	(void)close(ready);
	for (long i = 0; i < rounds; i++) {
		if (read_all(fd, buf, sizeof(buf)) < 0) {
			fprintf(stderr, "held-read: pread: %s\n", strerror(errno));
			return 2;
		}
		if (strcmp(buf, argv[3]) == 0)
			break;
		(void)nanosleep(&pause, NULL);
	}
	printf("last: %s", buf);
	return strcmp(buf, argv[3]) == 0 ? 0 : 1;
}
