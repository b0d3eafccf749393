/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ns-hold [--leader-exits] thread|fd|socket NSFILE: keeps the network namespace NSFILE names
 * alive one way only, prints one line once it does, then waits to be killed.
 *   thread: a second thread setns()es into it, the main thread stays; prints that thread's id.
 *   fd:     keeps an fd of NSFILE open; prints "fd N".
 *   socket: makes a UDP socket in it and goes back to its own namespace; prints "socket".
 * No other namespace fd stays open. --leader-exits: then the main thread exits (the process
 * lives on in another thread, its leader a zombie that shows no namespaces and no fds). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *nsfile;
static sem_t ready;

static void die(const char *what)
{
	fprintf(stderr, "ns-hold: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void enter(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		die(path);
	(void)close(fd);
}

static void *wait_forever(void *arg)
{
	(void)arg;
	for (;;)
		(void)pause();
	return NULL;
}

static void *thread_main(void *arg)
{
	(void)arg;
	enter(nsfile);
	printf("%d\n", (int)gettid());
	(void)fflush(stdout);
	(void)sem_post(&ready);
	return wait_forever(NULL);
}

int main(int argc, char **argv)
{
	bool leader_exits = argc > 1 && strcmp(argv[1], "--leader-exits") == 0;
	const char *mode = argv[1 + leader_exits];
	pthread_t t;

	if (argc != 3 + leader_exits) {
		fprintf(stderr, "usage: ns-hold [--leader-exits] thread|fd|socket NSFILE\n");
		return 2;
	}
	nsfile = argv[2 + leader_exits];
	if (sem_init(&ready, 0, 0) < 0)
		die("sem_init");
	if (strcmp(mode, "thread") == 0) {
		if (pthread_create(&t, NULL, thread_main, NULL) != 0)
			die("pthread_create");
		while (sem_wait(&ready) < 0)
			if (errno != EINTR)
				die("sem_wait");
	} else if (strcmp(mode, "fd") == 0) {
		int fd = open(nsfile, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			die(nsfile);
		printf("fd %d\n", fd);
	} else if (strcmp(mode, "socket") == 0) {
		int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

		if (home < 0)
			die("/proc/self/ns/net");
		enter(nsfile);
		if (socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) < 0)
			die("socket");
		if (setns(home, CLONE_NEWNET) < 0)
			die("setns back");
		(void)close(home);
		printf("socket\n");
	} else {
		fprintf(stderr, "ns-hold: unknown mode '%s'\n", mode);
		return 2;
	}
	(void)fflush(stdout);
	if (!leader_exits)
		(void)wait_forever(NULL);
	if (strcmp(mode, "thread") != 0 && pthread_create(&t, NULL, wait_forever, NULL) != 0)
		die("pthread_create");
	pthread_exit(NULL);
}
