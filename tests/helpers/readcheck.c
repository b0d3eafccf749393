/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readcheck FILE EXPECTED ITERATIONS THREADS: THREADS threads each stat FILE, open, read and
 * close it ITERATIONS times, and also re-read one fd held open from the start (which the page
 * cache would serve if the daemon let the kernel cache). Every read must equal EXPECTED and
 * every stat its length. Prints "ops=N mismatches=M errors=E"; exits 1 unless M and E are 0. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file, *expected;
static long iterations;
static atomic_long ops, mismatches, errors;

static void *worker(void *arg)
{
	size_t len = strlen(expected);
	char buf[65536];
	int held = open(file, O_RDONLY | O_CLOEXEC);

	(void)arg;
	if (held < 0) {
		atomic_fetch_add(&errors, 1);
		return NULL;
	}
	for (long i = 0; i < iterations; i++) {
		struct stat st;
		ssize_t n, got = 0;
		int fd;

		if (stat(file, &st) < 0) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		if ((size_t)st.st_size != len)
			atomic_fetch_add(&mismatches, 1);
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		while ((n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
			got += n;
		(void)close(fd);
		if (n < 0)
			atomic_fetch_add(&errors, 1);
		else if ((size_t)got != len || memcmp(buf, expected, len) != 0)
			atomic_fetch_add(&mismatches, 1);
		n = pread(held, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			atomic_fetch_add(&errors, 1);
		else if ((size_t)n != len || memcmp(buf, expected, len) != 0)
			atomic_fetch_add(&mismatches, 1);
		atomic_fetch_add(&ops, 1);
	}
	(void)close(held);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	long nthreads;

	if (argc != 5) {
		fprintf(stderr, "usage: readcheck FILE EXPECTED ITERATIONS THREADS\n");
		return 2;
	}
	file = argv[1];
	expected = argv[2];
	iterations = atol(argv[3]);
	nthreads = atol(argv[4]);
	if (nthreads < 1 || nthreads > 64)
		return 2;
	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0)
			return 2;
	for (long i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	printf("ops=%ld mismatches=%ld errors=%ld\n", atomic_load(&ops), atomic_load(&mismatches),
	       atomic_load(&errors));
	return atomic_load(&mismatches) || atomic_load(&errors) ? 1 : 0;
}
