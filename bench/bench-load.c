/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-load: the load generator. Measures one operation on several subjects (a file and a
 * number of caller threads each) in short alternating time slices, so every subject sees the
 * same background noise: a burst of other work on the machine lands in one slice of each
 * subject rather than in one subject's whole measurement.
 *
 *   bench-load -o stat|read|write [-R ROUNDS] [-s SLICE] [-r ROTATE] [-n NSFILE]...
 *              NAME:THREADS:FILE...
 *
 * A round is one slice of SLICE seconds per subject, the order rotated each round; round 0 is
 * a warm-up and not reported. Per round and subject it prints one line:
 *
 *   round=3 name=rcfs threads=4 ops=8123 secs=0.100 ops_per_s=81230 us_per_op=49.24
 *
 * ops_per_s is the aggregate of the subject's threads; us_per_op is the mean time one call
 * takes as its caller sees it (threads / ops_per_s; "inf" if no call finished in the slice).
 * A call counts only if it started and ended within its slice. Any failed call fails the run (exit 1): a benchmark that measures
 * an error path is worse than none.
 *
 * Caller threads live in network namespaces: with T threads active, thread i uses the
 * namespaces NSFILE[i], NSFILE[i + T], ... and moves to its next one every ROTATE calls (one
 * setns() per ROTATE calls: amortized to nothing), so 1 or 4 threads spread over 8 namespaces
 * all of them. Without -n the threads stay where they are.
 *
 * Operations: stat = stat(2); read = open(O_RDONLY) + read(4 KiB) + close;
 * write = open(O_WRONLY|O_TRUNC) + write(128 B) + close.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
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

#define MAX_SUBJECTS 16
#define MAX_THREADS 64
#define MAX_NS 64

enum op {
	OP_STAT,
	OP_READ,
	OP_WRITE
};

struct subject {
	const char *name;
	const char *file;
	int threads;
};

/* One per thread, on its own cache lines: done[slice] is written by its owner only, and read
 * by the main thread after everyone has stopped. */
struct worker {
	_Alignas(64) pthread_t thread;
	int index;
	int error; /* errno of the first failed call, 0 if none */
	const char *failed; /* which call */
	const char *failed_file; /* on which subject's file */
	uint64_t *done; /* calls completed within each slice */
};

static enum op op;
static struct subject subjects[MAX_SUBJECTS];
static int n_subjects, max_threads;
static int ns_fds[MAX_NS], n_ns;
static long rotate = 1000;

/* The slice schedule: slice_subject[s] is who runs in slice s. The main thread advances
 * `slice`; workers not needed in a slice wait on `wake` instead of spinning. */
static int *slice_subject, n_slices;
static _Atomic int slice = -1;
static atomic_bool stop;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static const char *const op_names[] = { "stat", "read", "write" };

/* One call of the operation on FILE; returns 0 or an errno, naming the failed call. */
static int run_op(const char *file, char *buf, const char **what)
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

/* Waits until slice S is over (or the run is); for threads the current subject leaves idle. */
static void wait_for_next_slice(int s)
{
	(void)pthread_mutex_lock(&lock);
	while (atomic_load(&slice) == s && !atomic_load(&stop))
		(void)pthread_cond_wait(&wake, &lock);
	(void)pthread_mutex_unlock(&lock);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int s, cur_ns = -1, want_ns, threads;
	uint64_t calls = 0;
	char buf[4096];

	memset(buf, 'x', sizeof(buf));
	wait_for_next_slice(-1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		s = atomic_load_explicit(&slice, memory_order_acquire);
		if (s >= n_slices) /* the end, seen before `stop` */
			break;
		threads = subjects[slice_subject[s]].threads;
		if (w->index >= threads) {
			wait_for_next_slice(s);
			continue;
		}
		if (n_ns > 0) {
			want_ns = (w->index + (int)(calls / (uint64_t)rotate) * threads) % n_ns;
			if (want_ns != cur_ns && setns(ns_fds[want_ns], CLONE_NEWNET) < 0) {
				w->error = errno;
				w->failed = "setns";
				break;
			}
			cur_ns = want_ns;
		}
		w->failed_file = subjects[slice_subject[s]].file;
		w->error = run_op(w->failed_file, buf, &w->failed);
		if (w->error)
			break;
		calls++;
		/* A call that straddled a slice boundary is not counted: its time is split. */
		if (atomic_load_explicit(&slice, memory_order_relaxed) == s)
			w->done[s]++;
	}
	if (w->error)
		atomic_store(&stop, true); /* the result is void; end early */
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

static void start_slice(int s)
{
	(void)pthread_mutex_lock(&lock);
	atomic_store_explicit(&slice, s, memory_order_release);
	(void)pthread_cond_broadcast(&wake);
	(void)pthread_mutex_unlock(&lock);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-load -o stat|read|write [-R ROUNDS] [-s SLICE] [-r ROTATE] "
			"[-n NSFILE]... NAME:THREADS:FILE...\n");
	exit(2);
}

static void parse_subject(char *arg, struct subject *ret)
{
	char *name = arg, *threads, *file, *end;

	threads = strchr(name, ':');
	if (!threads)
		usage();
	*threads++ = '\0';
	file = strchr(threads, ':');
	if (!file)
		usage();
	*file++ = '\0';
	ret->name = name;
	ret->file = file;
	ret->threads = (int)strtol(threads, &end, 10);
	if (*end || ret->threads < 1 || ret->threads > MAX_THREADS)
		usage();
}

int main(int argc, char **argv)
{
	struct worker workers[MAX_THREADS];
	double secs = 0.1, *began;
	int rounds = 10, c, i, r, s;
	bool failed = false;

	op = (enum op) - 1;
	while ((c = getopt(argc, argv, "o:R:s:r:n:")) != -1) {
		switch (c) {
		case 'o':
			for (i = 0; i < 3; i++)
				if (strcmp(optarg, op_names[i]) == 0)
					op = (enum op)i;
			break;
		case 'R':
			rounds = atoi(optarg);
			break;
		case 's':
			secs = atof(optarg);
			break;
		case 'r':
			rotate = atol(optarg);
			break;
		case 'n':
			if (n_ns == MAX_NS)
				usage();
			ns_fds[n_ns] = open(optarg, O_RDONLY | O_CLOEXEC);
			if (ns_fds[n_ns] < 0) {
				fprintf(stderr, "bench-load: namespace '%s': %s\n", optarg,
					strerror(errno));
				return 1;
			}
			n_ns++;
			break;
		default:
			usage();
		}
	}
	if ((int)op < 0 || rounds < 1 || secs <= 0 || rotate < 1 || optind >= argc ||
	    argc - optind > MAX_SUBJECTS)
		usage();
	for (i = optind; i < argc; i++) {
		parse_subject(argv[i], &subjects[n_subjects]);
		if (subjects[n_subjects].threads > max_threads)
			max_threads = subjects[n_subjects].threads;
		n_subjects++;
	}

	/* Round r runs every subject once, starting with subject r mod n: no subject always
	 * runs first after the slow one, or always right after the warm-up. */
	n_slices = (rounds + 1) * n_subjects;
	slice_subject = calloc((size_t)n_slices, sizeof(*slice_subject));
	began = calloc((size_t)n_slices + 1, sizeof(*began));
	if (!slice_subject || !began)
		return 1;
	for (s = 0; s < n_slices; s++)
		slice_subject[s] = (s / n_subjects + s % n_subjects) % n_subjects;

	for (i = 0; i < max_threads; i++) {
		workers[i] = (struct worker){ .index = i };
		workers[i].done = calloc((size_t)n_slices, sizeof(uint64_t));
		if (!workers[i].done ||
		    pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
			return 1;
	}
	for (s = 0; s < n_slices && !atomic_load(&stop); s++) {
		began[s] = now();
		start_slice(s);
		sleep_for(secs);
	}
	began[n_slices] = now();
	atomic_store(&stop, true);
	start_slice(n_slices); /* wakes the idle ones */

	for (i = 0; i < max_threads; i++) {
		(void)pthread_join(workers[i].thread, NULL);
		if (workers[i].error) {
			fprintf(stderr, "bench-load: %s '%s' (thread %d): %s\n", workers[i].failed,
				workers[i].failed_file, i, strerror(workers[i].error));
			failed = true;
		}
	}
	if (failed)
		return 1;

	for (s = n_subjects; s < n_slices; s++) { /* round 0 was the warm-up */
		const struct subject *subj = &subjects[slice_subject[s]];
		double elapsed = began[s + 1] - began[s];
		uint64_t ops = 0;

		for (i = 0; i < subj->threads; i++)
			ops += workers[i].done[s];
		r = s / n_subjects;
		/* On a loaded machine a slice may see no call finish: its time per call is then
		 * unknown, "inf", and the report leaves that round out of its ratios. */
		printf("round=%d name=%s threads=%d ops=%llu secs=%.3f ops_per_s=%.0f "
		       "us_per_op=%.3f\n",
		       r, subj->name, subj->threads, (unsigned long long)ops, elapsed,
		       (double)ops / elapsed,
		       ops ? (double)subj->threads * elapsed * 1e6 / (double)ops : INFINITY);
	}
	return 0;
}
