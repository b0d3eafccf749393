/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pagecache-cross MNT NSFILE_A NSFILE_B BACKING_A BACKING_B ROUNDS SCRATCH_DIR
 *
 * Whether kernel paths that bypass FOPEN_DIRECT_IO show one namespace another's file through
 * the mount's one inode. Each round writes A's and B's backing files (A: lowercase letters, B:
 * digits, so any letter in B's result is A's byte; the same mtime but in one size pair),
 * then:
 *   B opens the mount (and, for mmap, maps it) and holds it;
 *   A opens the mount and reads its file the same way, filling the inode's page cache;
 *   B reads through what it holds (in half of the rounds after an fstat(2), as cp(1) does:
 *   a size or mtime change seen there makes the kernel drop the cache) and compares with its
 *   own bytes.
 * The rounds cycle through pairs of sizes (equal, A shorter, A longer, one page, several
 * pages, more than one READ's worth), so the daemon's READ replies differ in size too.
 * Methods: copy_file_range to SCRATCH_DIR (another fs) and within the file, sendfile(2) to
 * SCRATCH_DIR, splice(2) into a pipe, mmap(MAP_PRIVATE); then seek-end: lseek(SEEK_END) in B
 * while a thread in A stats the file, 10 × ROUNDS times.
 *
 * Prints per method "method=M copies=N wrong=W crossed=C short=S long=L sigbus=G refused=R
 * a_wrong=X": wrong = B's result is not B's file; crossed = it holds A's bytes; short/long =
 * its length is not B's; refused = the kernel refused the call (copies then counts only those
 * that ran); a_wrong = A's own read was wrong. Then "detail ..." lines per size pair and
 * fstat-or-not. Exit 0, or 2 when the setup fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SIZE (512 * 1024) /* the largest file here, and a copy's cap */

enum method {
	M_COPY_RANGE,
	M_COPY_RANGE_SELF,
	M_SENDFILE,
	M_SPLICE,
	M_MMAP,
	M_COUNT,
};

static const char *const method_names[M_COUNT] = {
	[M_COPY_RANGE] = "copy_file_range", [M_COPY_RANGE_SELF] = "copy_file_range-within-file",
	[M_SENDFILE] = "sendfile",	    [M_SPLICE] = "splice",
	[M_MMAP] = "mmap-private",
};

static const struct {
	size_t a, b;
	bool other_mtime; /* B's file a second newer than A's */
} size_pairs[] = {
	{ 300, 300, false }, /* equal, within one page */
	{ 300, 5000, false }, /* A shorter */
	{ 5000, 300, false }, /* A longer */
	{ 4096, 4096, false }, /* exactly one page */
	{ 9000, 9000, false }, /* several pages */
	{ 9000, 9000, true }, /* the same, but an fstat(2) from B sees another mtime */
	{ 150000, 150000, false }, /* more than one READ (128 KiB) */
};
#define N_PAIRS (sizeof(size_pairs) / sizeof(size_pairs[0]))

struct counts {
	long copies, wrong, crossed, short_, long_, sigbus, refused, a_wrong, a_short;
};

static const char *mnt, *backing_a, *backing_b, *scratch_dir;
static int ns_a, ns_b, ns_host;
static unsigned char *want_a, *want_b, *got;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "pagecache-cross: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s\n", strerror(errno));
	va_end(ap);
	exit(2);
}

static void enter(int nsfd)
{
	if (setns(nsfd, CLONE_NEWNET) < 0)
		die("setns");
}

static int open_mnt(int flags)
{
	int fd = open(mnt, flags | O_CLOEXEC);

	if (fd < 0)
		die("open '%s'", mnt);
	return fd;
}

static void fill_pattern(unsigned char *p, size_t n, char first, int span)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(first + (int)(i % (size_t)span));
}

/* Writes a backing file directly (not through the mount), with a fixed mtime. */
static void write_backing(const char *path, const unsigned char *p, size_t n, time_t mtime)
{
	const struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n || futimens(fd, ts) < 0 || close(fd) < 0)
		die("writing '%s'", path);
}

static int open_scratch(void)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/pagecache-cross.XXXXXX", scratch_dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		die("scratch file in '%s'", scratch_dir);
	(void)unlink(path);
	return fd;
}

static sigjmp_buf sigbus_jmp;
static volatile sig_atomic_t in_mapping;

static void on_sigbus(int sig)
{
	if (!in_mapping) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	siglongjmp(sigbus_jmp, 1);
}

static bool copy_from_mapping(unsigned char *dst, const unsigned char *src, size_t len)
{
	if (sigsetjmp(sigbus_jmp, 1) != 0) {
		in_mapping = 0;
		return false;
	}
	in_mapping = 1;
	memcpy(dst, src, len);
	in_mapping = 0;
	return true;
}

/* What a reader holds between its open and its read. */
struct held {
	int fd, wfd; /* wfd: within-file copy's destination */
	unsigned char *map;
	size_t map_len;
};

static struct held hold(enum method m, size_t size)
{
	struct held h = { .fd = open_mnt(O_RDONLY), .wfd = -1 };

	if (m == M_COPY_RANGE_SELF)
		h.wfd = open_mnt(O_RDWR);
	if (m == M_MMAP) {
		h.map_len = size;
		h.map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, h.fd, 0);
		if (h.map == MAP_FAILED)
			die("mmap(MAP_PRIVATE)");
	}
	return h;
}

static void release(struct held *h)
{
	if (h->map)
		(void)munmap(h->map, h->map_len);
	if (h->wfd >= 0)
		(void)close(h->wfd);
	(void)close(h->fd);
}

/* Reads what H holds the way method M does into GOT, as cp(1) would: until the call returns
 * 0 (mmap: SIZE bytes of the mapping). Returns the length, -1 for SIGBUS, -2 refused. */
static ssize_t read_held(enum method m, struct held *h, size_t size, int scratch)
{
	size_t done = 0;
	ssize_t n = 0;
	int p[2];

	switch (m) {
	case M_MMAP:
		return copy_from_mapping(got, h->map, size) ? (ssize_t)size : -1;
	case M_COPY_RANGE_SELF:
		/* Copy [0, size) of our file to [size, 2 size), then read that back (direct I/O). */
		while (done < size) {
			loff_t in = (loff_t)done, out = (loff_t)(size + done);

			n = copy_file_range(h->fd, &in, h->wfd, &out, size - done, 0);
			if (n <= 0)
				break;
			done += (size_t)n;
		}
		if (n < 0 && (errno == EXDEV || errno == EOPNOTSUPP) && !done)
			return -2;
		if (n < 0)
			die("copy_file_range within the file");
		if (pread(h->fd, got, done, (off_t)size) != (ssize_t)done)
			die("pread after copy_file_range");
		return (ssize_t)done;
	case M_SPLICE:
		if (pipe2(p, O_CLOEXEC) < 0)
			die("pipe2");
		for (;;) {
			loff_t in = (loff_t)done;

			n = splice(h->fd, &in, p[1], NULL, 65536, 0);
			if (n <= 0)
				break;
			if (done + (size_t)n > MAX_SIZE || read(p[0], got + done, (size_t)n) != n)
				die("splice: more than %d bytes, or a short pipe read", MAX_SIZE);
			done += (size_t)n;
		}
		(void)close(p[0]);
		(void)close(p[1]);
		if (n < 0)
			die("splice");
		return (ssize_t)done;
	case M_COPY_RANGE:
	case M_SENDFILE:
		if (ftruncate(scratch, 0) < 0 || lseek(scratch, 0, SEEK_SET) < 0)
			die("scratch file");
		for (;;) {
			off_t in = (off_t)done;

			if (m == M_SENDFILE)
				n = sendfile(scratch, h->fd, &in, MAX_SIZE - done);
			else
				n = copy_file_range(h->fd, &in, scratch, NULL, MAX_SIZE - done, 0);
			if (n <= 0 || (done += (size_t)n) >= MAX_SIZE)
				break;
		}
		if (n < 0 && m == M_COPY_RANGE && (errno == EXDEV || errno == EOPNOTSUPP) && !done)
			return -2;
		if (n < 0)
			die("%s", method_names[m]);
		if (pread(scratch, got, done, 0) != (ssize_t)done)
			die("scratch file");
		return (ssize_t)done;
	case M_COUNT:
		break;
	}
	return -2;
}

static bool holds_a_letter(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] >= 'a' && p[i] <= 'z')
			return true;
	return false;
}

static void one_round(enum method m, size_t pair, bool stat_first, int scratch, struct counts *c)
{
	size_t size_a = size_pairs[pair].a, size_b = size_pairs[pair].b;
	struct held b, a;
	ssize_t n;

	write_backing(backing_a, want_a, size_a, 1700000000);
	write_backing(backing_b, want_b, size_b, 1700000000 + size_pairs[pair].other_mtime);

	enter(ns_b);
	b = hold(m, size_b);

	enter(ns_a);
	a = hold(m, size_a);
	n = read_held(m, &a, size_a, scratch);
	if (n == -2) {
		c->refused++;
		release(&a);
		release(&b);
		return;
	}
	/* Wrong bytes, or more than A's: the harness is broken. Short: the copy stopped at the
	 * inode's size, which another namespace's stat set (a kernel limit, reported). */
	if (n > (ssize_t)size_a || memcmp(got, want_a, (size_t)(n < 0 ? 0 : n)) != 0)
		c->a_wrong++;
	else if (n < (ssize_t)size_a)
		c->a_short++;
	release(&a);

	enter(ns_b);
	if (stat_first) {
		struct stat st;

		if (fstat(b.fd, &st) < 0)
			die("fstat");
	}
	n = read_held(m, &b, size_b, scratch);
	release(&b);
	if (n == -2) {
		c->refused++;
		return;
	}
	c->copies++;
	if (n == -1) {
		c->sigbus++;
		c->wrong++;
		return;
	}
	if ((size_t)n == size_b && memcmp(got, want_b, size_b) == 0)
		return;
	c->wrong++;
	c->crossed += holds_a_letter(got, (size_t)n);
	c->short_ += (size_t)n < size_b;
	c->long_ += (size_t)n > size_b;
}

static void print_counts(const char *prefix, const struct counts *c)
{
	printf("%s copies=%ld wrong=%ld crossed=%ld short=%ld long=%ld sigbus=%ld refused=%ld "
	       "a_wrong=%ld a_short=%ld\n",
	       prefix, c->copies, c->wrong, c->crossed, c->short_, c->long_, c->sigbus, c->refused,
	       c->a_wrong, c->a_short);
}

static atomic_bool stop_statting;
static atomic_long stats_done;

static void *stat_in_a(void *arg)
{
	struct stat st;

	(void)arg;
	enter(ns_a);
	while (!atomic_load(&stop_statting)) {
		(void)stat(mnt, &st);
		atomic_fetch_add(&stats_done, 1);
	}
	return NULL;
}

/* lseek(SEEK_END) in B while a thread in A stats the file: the kernel refreshes the size from
 * B's thread, then reads the inode's i_size, which A's replies rewrite in between. */
static void seek_end(long n)
{
	const size_t size_a = 5000, size_b = 300;
	long wrong = 0;
	pthread_t t;
	int fd;

	write_backing(backing_a, want_a, size_a, 1700000000);
	write_backing(backing_b, want_b, size_b, 1700000000);
	enter(ns_b);
	fd = open_mnt(O_RDONLY);
	atomic_store(&stop_statting, false);
	if (pthread_create(&t, NULL, stat_in_a, NULL) != 0)
		die("pthread_create");
	while (atomic_load(&stats_done) < 100)
		(void)sched_yield(); /* the race needs A's stats under way */
	for (long i = 0; i < n; i++) {
		off_t r = lseek(fd, 0, SEEK_END);

		if (r < 0)
			die("lseek(SEEK_END)");
		wrong += r != (off_t)size_b;
	}
	atomic_store(&stop_statting, true);
	(void)pthread_join(t, NULL);
	(void)close(fd);
	printf("method=seek-end copies=%ld wrong=%ld crossed=%ld short=0 long=0 sigbus=0 "
	       "refused=0 a_wrong=0 a_short=0\n",
	       n, wrong, wrong);
}

static int open_ns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open '%s'", path);
	return fd;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	long rounds;
	int scratch;

	if (argc != 8) {
		fprintf(stderr, "usage: pagecache-cross MNT NSFILE_A NSFILE_B BACKING_A BACKING_B "
				"ROUNDS SCRATCH_DIR\n");
		return 2;
	}
	mnt = argv[1];
	ns_a = open_ns(argv[2]);
	ns_b = open_ns(argv[3]);
	ns_host = open_ns("/proc/thread-self/ns/net");
	backing_a = argv[4];
	backing_b = argv[5];
	rounds = atol(argv[6]);
	scratch_dir = argv[7];
	if (rounds < 1)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	(void)sigaction(SIGBUS, &sa, NULL);
	want_a = malloc(MAX_SIZE);
	want_b = malloc(MAX_SIZE);
	got = malloc(MAX_SIZE);
	if (!want_a || !want_b || !got)
		die("malloc");
	fill_pattern(want_a, MAX_SIZE, 'a', 26);
	fill_pattern(want_b, MAX_SIZE, '0', 10);
	scratch = open_scratch();

	for (int m = 0; m < M_COUNT; m++) {
		struct counts total = { 0 }, detail[N_PAIRS][2] = { { { 0 } } };
		char prefix[128];

		for (long r = 0; r < rounds; r++) {
			size_t pair = (size_t)r % N_PAIRS;
			bool stat_first = (r / (long)N_PAIRS) % 2;
			struct counts *d = &detail[pair][stat_first];
			struct counts before = *d;

			one_round((enum method)m, pair, stat_first, scratch, d);
			total.copies += d->copies - before.copies;
			total.wrong += d->wrong - before.wrong;
			total.crossed += d->crossed - before.crossed;
			total.short_ += d->short_ - before.short_;
			total.long_ += d->long_ - before.long_;
			total.sigbus += d->sigbus - before.sigbus;
			total.refused += d->refused - before.refused;
			total.a_wrong += d->a_wrong - before.a_wrong;
			total.a_short += d->a_short - before.a_short;
		}
		enter(ns_host);
		snprintf(prefix, sizeof(prefix), "method=%s", method_names[m]);
		print_counts(prefix, &total);
		for (size_t p = 0; p < N_PAIRS; p++) {
			for (int s = 0; s < 2; s++) {
				snprintf(prefix, sizeof(prefix),
					 "detail method=%s size_a=%zu size_b=%zu mtime=%s "
					 "fstat=%s",
					 method_names[m], size_pairs[p].a, size_pairs[p].b,
					 size_pairs[p].other_mtime ? "differs" : "same",
					 s ? "yes" : "no");
				print_counts(prefix, &detail[p][s]);
			}
		}
	}
	seek_end(10 * rounds);
	enter(ns_host);
	return 0;
}
