/* SPDX-License-Identifier: GPL-2.0-or-later */
/* setns-read FILE NSFILE: reads FILE from the main thread, then from a second thread that
 * opened FILE, called setns(NSFILE) and reads both its old fd and a new open. Prints one line
 * per view: "<who> <first line of content> size=<st_size> ino=<st_ino>". */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file, *nsfile;

/* One line: the first line of what FD reads from offset 0, and ST's size and inode. */
static void print_view(const char *who, int fd, const struct stat *st)
{
	char buf[256] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0) {
		printf("%s error %s\n", who, strerror(errno));
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("%s %s size=%lld ino=%llu\n", who, buf, (long long)st->st_size,
	       (unsigned long long)st->st_ino);
}

static void show_fd(const char *who, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		printf("%s error %s\n", who, strerror(errno));
		return;
	}
	print_view(who, fd, &st);
}

/* stat(2) by path, then a fresh open: what a caller in this thread's namespace gets. */
static void show_path(const char *who)
{
	struct stat st;
	int fd;

	if (stat(file, &st) < 0 || (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		printf("%s error %s\n", who, strerror(errno));
		return;
	}
	print_view(who, fd, &st);
	(void)close(fd);
}

static void *thread_main(void *arg)
{
	int fd, nsfd;

	(void)arg;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	nsfd = open(nsfile, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
		perror("setns-read: thread");
		exit(2);
	}
	show_path("thread");
	show_fd("pinned", fd);
	(void)close(fd);
	(void)close(nsfd);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 3) {
		fprintf(stderr, "usage: setns-read FILE NSFILE\n");
		return 2;
	}
	file = argv[1];
	nsfile = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	show_path("main");
	if (pthread_create(&t, NULL, thread_main, NULL) != 0 || pthread_join(t, NULL) != 0)
		return 2;
	show_path("main-again");
	return 0;
}
