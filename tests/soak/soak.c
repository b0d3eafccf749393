/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * soak MOUNTPOINT DAEMON_PID SECONDS TEMPLATE NSPID...: callers in the namespaces of the given
 * processes (two threads each, after setns()) stat, read, write and truncate MOUNTPOINT at
 * random, while a churn thread keeps creating namespaces that read it once and die. Every
 * byte read is checked against what that namespace last wrote (a per-namespace rwlock orders
 * writers against readers, so the expectation is exact); content carries "ns=K" so a read of
 * another namespace's bytes is told from any other mismatch. Prints the counts and the
 * daemon's RSS and fd count at start and end; exits 1 on any wrong read or unexpected error,
 * or if the daemon's fds grew.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_NS 64

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

static void daemon_usage(pid_t pid, long *rss_kb, int *fds)
{
	char path[64], line[256];
	FILE *f;

	*rss_kb = -1;
	*fds = 0;
	(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "VmRSS: %ld", rss_kb) == 1)
				break;
		(void)fclose(f);
	}
	(void)snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	for (int fd = 0; fd < 4096; fd++) {
		char p[96];

		(void)snprintf(p, sizeof(p), "%s/%d", path, fd);
		if (access(p, F_OK) == 0)
			(*fds)++;
	}
}

int main(int argc, char **argv)
{
	pthread_t threads[2 * MAX_NS + 1];
	long rss0, rss1;
	int fds0, fds1, nt = 0, fd;
	pid_t daemon;
	double seconds;
	ssize_t n;

	if (argc < 6 || argc - 5 > MAX_NS) {
		fprintf(stderr, "usage: soak MOUNTPOINT DAEMON_PID SECONDS TEMPLATE NSPID...\n");
		return 2;
	}
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
	daemon_usage(daemon, &rss0, &fds0);

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

	for (int i = 0; i < n_spaces; i++)
		for (int t = 0; t < 2; t++)
			if (pthread_create(&threads[nt++], NULL, caller, &spaces[i]) != 0)
				return 2;
	if (pthread_create(&threads[nt++], NULL, churn, NULL) != 0)
		return 2;
	{
		struct timespec ts = { (time_t)seconds,
				       (long)((seconds - (double)(time_t)seconds) * 1e9) };

		(void)nanosleep(&ts, NULL);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < nt; i++)
		pthread_join(threads[i], NULL);
	daemon_usage(daemon, &rss1, &fds1);

	printf("soak: %.0f s, %d namespaces x 2 callers, %lu operations, %lu namespaces created "
	       "and destroyed\n",
	       seconds, n_spaces, atomic_load(&ops), atomic_load(&churned));
	printf("soak: wrong-namespace reads: %lu\n", atomic_load(&wrong_ns));
	printf("soak: unexpected errors: %lu\n", atomic_load(&errors));
	printf("soak: daemon RSS %ld KiB -> %ld KiB, fds %d -> %d\n", rss0, rss1, fds0, fds1);
	return atomic_load(&wrong_ns) || atomic_load(&errors) || fds1 > fds0 ? 1 : 0;
}
