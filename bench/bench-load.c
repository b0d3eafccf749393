/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-load: the load generator. THREADS caller threads each setns() into a network namespace
 * and loop one operation on FILE as fast as they can; after a warm-up the main thread counts
 * the operations done in a fixed window and prints one line:
 *
 *   op=stat threads=4 ops=812345 secs=1.000 ops_per_s=812345 us_per_op=4.924
 *
 * ops_per_s is the aggregate of all threads; us_per_op is the mean time one call takes as its
 * caller sees it (threads / ops_per_s). Any failed call fails the run (exit 1): a benchmark
 * that measures an error path is worse than none.
 *
 *   bench-load -o stat|read|write [-t THREADS] [-s SECONDS] [-w WARMUP] [-r ROTATE]
 *              FILE [NSFILE...]
 *
 * Thread i uses the namespaces NSFILE[i], NSFILE[i + THREADS], ... and moves on to its next
 * one every ROTATE calls, so with 8 namespaces and 1 or 4 threads every namespace gets calls
 * (one setns() per ROTATE calls: amortized to nothing). Without NSFILE the threads stay where
 * they are.
 *
 * Operations: stat = stat(2); read = open(O_RDONLY) + read(4 KiB) + close;
 * write = open(O_WRONLY|O_TRUNC) + write(128 B) + close.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum op {
	OP_STAT,
	OP_READ,
	OP_WRITE
};

/* One per thread, on its own cache line: only the owner writes ops, the main thread reads. */
struct worker {
	_Alignas(64) _Atomic uint64_t ops;
	pthread_t thread;
	int index;
	int error; /* errno of the first failed call, 0 if none */
	const char *failed; /* which call */
};

static enum op op;
static const char *file;
static char **nsfiles;
static int n_ns, n_threads = 1;
static long rotate = 1000;
static atomic_bool stop;
static pthread_barrier_t ready;

static const char *const op_names[] = { "stat", "read", "write" };

/* One call of the operation; returns 0 or an errno, naming the failed call in *what. */
static int run_op(char *buf, const char **what)
{
	struct stat st;
	ssize_t n;
	int fd;

	switch (op) {
	case OP_STAT:
		*what = "stat";
		return stat(file, &st) < 0 ? errno : 0;
	case OP_READ:
		*what = "open";
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		*what = "read";
		n = read(fd, buf, 4096);
		(void)close(fd);
		return n < 0 ? errno : n == 0 ? EIO : 0; /* 0 bytes: not what we meant to measure */
	case OP_WRITE:
		*what = "open for writing";
		fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0)
			return errno;
		*what = "write";
		n = write(fd, buf, 128);
		if (close(fd) < 0 && n >= 0)
			return errno;
		return n < 0 ? errno : n != 128 ? EIO : 0;
	}
	return EINVAL;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int fds[64], count = 0, cur = 0, i, r;
	char buf[4096];
	uint64_t n = 0;

	memset(buf, 'x', sizeof(buf));
	for (i = w->index; i < n_ns && count < (int)(sizeof(fds) / sizeof(fds[0]));
	     i += n_threads) {
		fds[count] = open(nsfiles[i], O_RDONLY | O_CLOEXEC);
		if (fds[count] < 0 || setns(fds[count], CLONE_NEWNET) < 0) {
			fprintf(stderr, "bench-load: namespace '%s': %s\n", nsfiles[i],
				strerror(errno));
			exit(1);
		}
		count++;
	}
	if (count > 1 && setns(fds[0], CLONE_NEWNET) < 0) /* start in the first one */
		exit(1);

	(void)pthread_barrier_wait(&ready);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		r = run_op(buf, &w->failed);
		if (r) {
			w->error = r;
			break;
		}
		atomic_store_explicit(&w->ops, ++n, memory_order_relaxed);
		if (count > 1 && n % (uint64_t)rotate == 0) {
			cur = (cur + 1) % count;
			if (setns(fds[cur], CLONE_NEWNET) < 0) {
				w->error = errno;
				w->failed = "setns";
				break;
			}
		}
	}
	for (i = 0; i < count; i++)
		(void)close(fds[i]);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_for(double secs)
{
	struct timespec ts = { .tv_sec = (time_t)secs,
			       .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static uint64_t total_ops(const struct worker *w)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < n_threads; i++)
		sum += atomic_load_explicit(&w[i].ops, memory_order_relaxed);
	return sum;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-load -o stat|read|write [-t THREADS] [-s SECONDS] "
			"[-w WARMUP] [-r ROTATE] FILE [NSFILE...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double secs = 1.0, warmup = 0.1, t0, t1;
	struct worker *workers;
	uint64_t ops0, ops;
	bool failed = false;
	int c, i;

	op = (enum op) - 1;
	while ((c = getopt(argc, argv, "o:t:s:w:r:")) != -1) {
		switch (c) {
		case 'o':
			for (i = 0; i < 3; i++)
				if (strcmp(optarg, op_names[i]) == 0)
					op = (enum op)i;
			break;
		case 't':
			n_threads = atoi(optarg);
			break;
		case 's':
			secs = atof(optarg);
			break;
		case 'w':
			warmup = atof(optarg);
			break;
		case 'r':
			rotate = atol(optarg);
			break;
		default:
			usage();
		}
	}
	if ((int)op < 0 || n_threads < 1 || n_threads > 256 || secs <= 0 || warmup < 0 ||
	    rotate < 1 || optind >= argc)
		usage();
	file = argv[optind];
	nsfiles = argv + optind + 1;
	n_ns = argc - optind - 1;

	workers = aligned_alloc(64, sizeof(*workers) * (size_t)n_threads);
	if (!workers || pthread_barrier_init(&ready, NULL, (unsigned)n_threads + 1) != 0)
		return 1;
	for (i = 0; i < n_threads; i++) {
		workers[i] = (struct worker){ .index = i };
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
			return 1;
	}
	(void)pthread_barrier_wait(&ready);

	/* Count only a window after the warm-up: thread start, first opens and the daemon's
	 * thread pool growing to the load stay out of it. */
	sleep_for(warmup);
	ops0 = total_ops(workers);
	t0 = now();
	sleep_for(secs);
	ops = total_ops(workers) - ops0;
	t1 = now();
	atomic_store(&stop, true);

	for (i = 0; i < n_threads; i++) {
		(void)pthread_join(workers[i].thread, NULL);
		if (workers[i].error) {
			fprintf(stderr, "bench-load: %s '%s' (thread %d): %s\n", workers[i].failed,
				file, i, strerror(workers[i].error));
			failed = true;
		}
	}
	if (failed || ops == 0)
		return 1;
	printf("op=%s threads=%d ops=%llu secs=%.3f ops_per_s=%.0f us_per_op=%.3f\n", op_names[op],
	       n_threads, (unsigned long long)ops, t1 - t0, (double)ops / (t1 - t0),
	       (double)n_threads * (t1 - t0) * 1e6 / (double)ops);
	free(workers);
	return 0;
}
