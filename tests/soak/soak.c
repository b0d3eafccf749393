/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * soak [-r KIB] MOUNTPOINT DAEMON_PID SECONDS TEMPLATE NSPID...: callers in the namespaces of
 * the given processes (two threads each, after setns()) stat, read, write and truncate
 * MOUNTPOINT at random, while a churn thread keeps creating namespaces that read it once and
 * die. Every byte read is checked against what that namespace last wrote (a per-namespace
 * rwlock orders writers against readers, so the expectation is exact); content carries "ns=K"
 * so a read of another namespace's bytes is told from any other mismatch. Prints the counts
 * and the daemon's RSS, fds and threads at start and end; exits 1 on any wrong read or
 * unexpected error, if the daemon's fds grew, or (with -r) if its RSS grew by more than KIB.
 *
 * Start and end are both taken with the daemon quiet, so that they compare like with like on
 * a loaded machine: the start after a warm-up (the same load in bursts of WARMUP_S seconds
 * until one adds no daemon thread: libfuse creates its worker threads, each with its stack
 * and malloc arena, on demand, up to its maximum), the end once the RELEASEs of the last
 * closes, which the kernel sends after close() has returned, have been served. Quiet: fds,
 * threads and RSS unchanged for STABLE_S seconds, polled, for at most SETTLE_MAX_S seconds.
 */

#include <dirent.h>
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_NS 64
#define WARMUP_S 1.0
#define WARMUP_MAX 10
#define SETTLE_MAX_S 10.0
#define STABLE_S 0.5
#define POLL_S 0.1

struct ns {
	int index;
	int fd; /* its /proc/PID/ns/net */
	pthread_rwlock_t lock;
	char expect[512]; /* what it last wrote; guarded by lock */
	unsigned version;
};

static const char *mnt;
static char template_buf[4096];
static struct ns spaces[MAX_NS];
static int n_spaces;
static atomic_bool stop;
static atomic_ulong ops, wrong_ns, errors, churned;

static void report_error(const char *what, int err)
{
	if (atomic_fetch_add(&errors, 1) < 10)
		fprintf(stderr, "soak: unexpected: %s: %s\n", what, strerror(err));
}

static ssize_t read_all(char *buf, size_t size)
{
	ssize_t n, got = 0;
	int fd = open(mnt, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + got, size - 1 - (size_t)got)) > 0)
		got += n;
	(void)close(fd);
	if (n < 0)
		return -errno;
	buf[got] = '\0';
	return got;
}

static void check_read(struct ns *s, const char *got)
{
	char tag[16];

	if (strcmp(got, s->expect) == 0)
		return;
	(void)snprintf(tag, sizeof(tag), "ns=%d ", s->index);
	if (strncmp(got, "ns=", 3) == 0 && strncmp(got, tag, strlen(tag)) != 0) {
		if (atomic_fetch_add(&wrong_ns, 1) < 10)
			fprintf(stderr, "soak: WRONG NAMESPACE: ns %d read '%.40s'\n", s->index,
				got);
	} else {
		report_error("content differs from the last write", EINVAL);
	}
}

static void *caller(void *arg)
{
	struct ns *s = arg;
	unsigned seed = (unsigned)(uintptr_t)arg ^ (unsigned)time(NULL);
	char buf[1024];

	if (setns(s->fd, CLONE_NEWNET) < 0) {
		report_error("setns", errno);
		return NULL;
	}
	while (!atomic_load(&stop)) {
		int op = rand_r(&seed) % 10;
		struct stat st;
		ssize_t n;

		if (op < 4) { /* stat: the size of the last write */
			pthread_rwlock_rdlock(&s->lock);
			if (stat(mnt, &st) < 0)
				report_error("stat", errno);
			else if ((size_t)st.st_size != strlen(s->expect))
				report_error("stat size differs from the last write", EINVAL);
			pthread_rwlock_unlock(&s->lock);
		} else if (op < 8) { /* read */
			pthread_rwlock_rdlock(&s->lock);
			n = read_all(buf, sizeof(buf));
			if (n < 0)
				report_error("read", (int)-n);
			else
				check_read(s, buf);
			pthread_rwlock_unlock(&s->lock);
		} else { /* write (O_TRUNC) or truncate to a shorter prefix */
			pthread_rwlock_wrlock(&s->lock);
			if (op == 8) {
				int fd = open(mnt, O_WRONLY | O_TRUNC | O_CLOEXEC);
				int len;

				len = snprintf(
					s->expect, sizeof(s->expect), "ns=%d v=%u %.*s\n", s->index,
					++s->version, rand_r(&seed) % 300,
					"......................................................"
					"......................................................"
					"......................................................"
					"......................................................"
					"......................................................"
					"......................................................");
				if (fd < 0 || write(fd, s->expect, (size_t)len) != len)
					report_error("write", errno);
				if (fd >= 0)
					(void)close(fd);
			} else {
				size_t keep = strlen(s->expect) / 2;

				if (keep < 8)
					keep = strlen(s->expect);
				if (truncate(mnt, (off_t)keep) < 0)
					report_error("truncate", errno);
				else
					s->expect[keep] = '\0';
			}
			pthread_rwlock_unlock(&s->lock);
		}
		atomic_fetch_add(&ops, 1);
	}
	return NULL;
}

/* New namespaces, one after another: each reads the template once and dies. */
static void *churn(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			char buf[4096];
			ssize_t n;

			if (unshare(CLONE_NEWNET) < 0)
				_exit(3);
			n = read_all(buf, sizeof(buf));
			_exit(n < 0 ? 4 : strcmp(buf, template_buf) == 0 ? 0 : 5);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0) {
			report_error("fork", errno);
			continue;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			report_error(WEXITSTATUS(status) == 5 ?
					     "a new namespace did not read the template" :
					     "churn child",
				     EINVAL);
		atomic_fetch_add(&churned, 1);
	}
	return NULL;
}

struct usage {
	long rss_kib;
	int fds;
	int threads;
};

static bool usage_equal(const struct usage *a, const struct usage *b)
{
	return a->rss_kib == b->rss_kib && a->fds == b->fds && a->threads == b->threads;
}

static void daemon_usage(pid_t pid, struct usage *ret)
{
	char path[64], line[256];
	struct dirent *de;
	DIR *d;
	FILE *f;

	*ret = (struct usage){ .rss_kib = -1, .fds = -1, .threads = -1 };
	(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "VmRSS: %ld", &ret->rss_kib) != 1)
				(void)sscanf(line, "Threads: %d", &ret->threads);
		(void)fclose(f);
	}
	(void)snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path))) {
		ret->fds = 0;
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				ret->fds++;
		(void)closedir(d);
	}
}

static void sleep_s(double seconds)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Polls the daemon until it is quiet: at most MAX_FDS fds (-1: any number) and the same
 * usage for STABLE_S seconds; gives up after SETTLE_MAX_S. Returns the last sample and
 * whether the daemon went quiet; how long it took goes to *ret_secs. */
static bool settle(pid_t pid, int max_fds, struct usage *ret, double *ret_secs)
{
	int stable = 0, need = (int)(STABLE_S / POLL_S + 0.5);
	struct usage prev, cur;
	double waited = 0;

	daemon_usage(pid, &prev);
	while (waited < SETTLE_MAX_S) {
		sleep_s(POLL_S);
		waited += POLL_S;
		daemon_usage(pid, &cur);
		if (usage_equal(&cur, &prev) && (max_fds < 0 || cur.fds <= max_fds))
			stable++;
		else
			stable = 0;
		prev = cur;
		if (stable >= need)
			break;
	}
	*ret = prev;
	*ret_secs = waited;
	return stable >= need;
}

/* The load: two callers per namespace and the churn thread, for SECONDS. */
static int run_load(double seconds)
{
	pthread_t threads[2 * MAX_NS + 1];
	int nt = 0;

	atomic_store(&stop, false);
	for (int i = 0; i < n_spaces; i++)
		for (int t = 0; t < 2; t++)
			if (pthread_create(&threads[nt++], NULL, caller, &spaces[i]) != 0)
				return -1;
	if (pthread_create(&threads[nt++], NULL, churn, NULL) != 0)
		return -1;
	sleep_s(seconds);
	atomic_store(&stop, true);
	for (int i = 0; i < nt; i++)
		pthread_join(threads[i], NULL);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: soak [-r KIB] MOUNTPOINT DAEMON_PID SECONDS TEMPLATE NSPID...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct usage u0, u1;
	long rss_slack = -1;
	double seconds, secs0, secs1;
	bool quiet0 = false, quiet1, failed;
	double warmup = 0;
	pid_t daemon;
	int c, fd;
	ssize_t n;

	while ((c = getopt(argc, argv, "r:")) != -1) {
		if (c != 'r')
			usage();
		rss_slack = atol(optarg);
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 6 || argc - 5 > MAX_NS)
		usage();
	mnt = argv[1];
	daemon = atoi(argv[2]);
	seconds = atof(argv[3]);
	fd = open(argv[4], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, template_buf, sizeof(template_buf) - 1)) < 0) {
		perror(argv[4]);
		return 2;
	}
	template_buf[n] = '\0';
	(void)close(fd);

	for (int i = 5; i < argc; i++) {
		struct ns *s = &spaces[n_spaces];
		char path[64];

		(void)snprintf(path, sizeof(path), "/proc/%s/ns/net", argv[i]);
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0) {
			perror(path);
			return 2;
		}
		s->index = n_spaces++;
		pthread_rwlock_init(&s->lock, NULL);
		/* A first write gives each namespace its own file and a known content. */
		(void)snprintf(s->expect, sizeof(s->expect), "ns=%d v=0 start\n", s->index);
	}
	for (int i = 0; i < n_spaces; i++) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			int w;

			if (setns(spaces[i].fd, CLONE_NEWNET) < 0)
				_exit(3);
			w = open(mnt, O_WRONLY | O_TRUNC | O_CLOEXEC);
			_exit(w >= 0 && write(w, spaces[i].expect, strlen(spaces[i].expect)) > 0 ?
				      0 :
				      4);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "soak: first write in namespace %d failed\n", i);
			return 2;
		}
	}

	/* Warm-up: the same load until the daemon has made all the worker threads it will
	 * (with their stacks and arenas), i.e. a burst that added none, at most WARMUP_MAX
	 * bursts; then the start, once it is quiet. */
	daemon_usage(daemon, &u0);
	for (int i = 0; i < WARMUP_MAX; i++) {
		int before = u0.threads;

		if (run_load(WARMUP_S) < 0)
			return 2;
		warmup += WARMUP_S;
		quiet0 = settle(daemon, -1, &u0, &secs0);
		if (u0.threads <= before)
			break;
	}
	if (run_load(seconds) < 0)
		return 2;
	/* The last closes' RELEASEs may still be on their way: wait for the fds to come back. */
	quiet1 = settle(daemon, u0.fds, &u1, &secs1);

	printf("soak: %.0f s (after a %.0f s warm-up), %d namespaces x 2 callers, %lu operations, "
	       "%lu namespaces created and destroyed\n",
	       seconds, warmup, n_spaces, atomic_load(&ops), atomic_load(&churned));
	printf("soak: wrong-namespace reads: %lu\n", atomic_load(&wrong_ns));
	printf("soak: unexpected errors: %lu\n", atomic_load(&errors));
	printf("soak: daemon quiet after %.1f s at the start, %.1f s at the end%s\n", secs0, secs1,
	       quiet0 && quiet1 ? "" : " (NOT quiet within the limit: compared all the same)");
	printf("soak: daemon RSS %ld KiB -> %ld KiB, fds %d -> %d, threads %d -> %d\n", u0.rss_kib,
	       u1.rss_kib, u0.fds, u1.fds, u0.threads, u1.threads);
	failed = atomic_load(&wrong_ns) || atomic_load(&errors);
	if (u1.fds > u0.fds) {
		fprintf(stderr, "soak: FAIL: the daemon's fds grew\n");
		failed = true;
	}
	if (rss_slack >= 0 && u1.rss_kib > u0.rss_kib + rss_slack) {
		fprintf(stderr, "soak: FAIL: the daemon's RSS grew by more than %ld KiB\n",
			rss_slack);
		failed = true;
	}
	return failed ? 1 : 0;
}
