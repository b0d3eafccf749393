/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fsx-ns [OPTIONS] FILE: an fsx-like exerciser (after xfstests' ltp/fsx.c, which Debian 12 does
 * not package). It keeps a model of FILE's bytes in memory, performs random operations on the
 * real file and compares every byte it reads back, every size it is told, with the model. Run
 * one per network namespace on the mount: each must only ever see its own file.
 *
 *   -N OPS      operations to run (default 10000)
 *   -S SEED     seed of the operation sequence (default 1); the same seed, the same sequence
 *   -o LIST     comma-separated op classes (default "read,write,append,fcntl-append,truncate,
 *               reopen,fstat"; "all" for every one):
 *                 read          pread(2) at a random offset and length
 *                 write         pwrite(2), or lseek(SEEK_SET) + write(2)
 *                 append        write(2) on an O_APPEND fd; or open(O_APPEND) + write + close
 *                 fcntl-append  both of these two:
 *                 fcntl-append-on   fcntl(F_SETFL) sets O_APPEND on an open fd, then write(2)
 *                               must append at the file's real end (not at the kernel's
 *                               idea of the size, which any namespace's stat sets)
 *                 fcntl-append-off  fcntl(F_SETFL) clears O_APPEND on an O_APPEND fd, then
 *                               pwrite(2) must write at its offset
 *                 truncate      ftruncate(2), or truncate(2) by path
 *                 reopen        close and open again (one in eight with O_TRUNC)
 *                 fstat         fstat(2) or stat(2): st_size against the model
 *                 seek-end      lseek(SEEK_END) against the model's size
 *                 copy-range    copy_file_range(2) to a scratch file on another fs (-s),
 *                               compared byte by byte (EXDEV is counted as "refused")
 *                 copy-range-self  copy_file_range(2) within FILE, fsx's own copy_range op
 *                 sendfile      sendfile(2) to the scratch file, compared
 *                 splice        splice(2) into a pipe, compared
 *                 mmap          mmap(MAP_PRIVATE) of the whole file, a random range compared
 *                 mmap-shared   mmap(MAP_SHARED) of the whole file: a random range read and
 *                               compared, or written within the file's size, msync(MS_SYNC)
 *                               and read back with pread(2); the mapping of another
 *                               namespace's file would show other bytes
 *                 seek-data     lseek(SEEK_DATA or SEEK_HOLE) at a random offset: within
 *                               [offset, size] (ENXIO at or past the end), and what it
 *                               skips (SEEK_DATA) or lands on (SEEK_HOLE) is NULs in the model
 *                 fallocate     fallocate(2): allocate (may extend), KEEP_SIZE, PUNCH_HOLE,
 *                               ZERO_RANGE (with or without KEEP_SIZE); EOPNOTSUPP is "refused"
 *   -l LEN      longest single operation in bytes (default 8192)
 *   -m SIZE     largest file size (default 65536)
 *   -L N        operations kept in the log printed on a failure (default 64)
 *   -s DIR      directory for the scratch file of copy-range and sendfile (default /dev/shm)
 *   -i REF      the model starts as REF's bytes, and FILE must read so (default: the model
 *               starts as FILE reads)
 *   -d DUMP     write the final model (also the model at a failure) to DUMP
 *   -V          after every op that changes the file, read it whole and compare
 *   -k          keep going after a failure (implies -V): count it against the op that caused
 *               it, reload the model from the file, go on; for measuring failure rates
 *
 * Prints "fsx-ns: seed=S ops=N failures=F" and one "fsx-ns: op NAME n=N failed=F refused=R"
 * line per op variant run. Without -k the first failure prints the op log, the offset and
 * the expected and actual bytes, and exits 1; with -k it exits 1 if any op failed. Exit 2:
 * bad usage or setup.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

enum op_class {
	OP_READ,
	OP_WRITE,
	OP_APPEND,
	OP_FCNTL_APPEND_ON,
	OP_FCNTL_APPEND_OFF,
	OP_TRUNCATE,
	OP_REOPEN,
	OP_FSTAT,
	OP_SEEK_END,
	OP_COPY_RANGE,
	OP_COPY_RANGE_SELF,
	OP_SENDFILE,
	OP_SPLICE,
	OP_MMAP,
	OP_MMAP_SHARED,
	OP_FALLOCATE,
	OP_SEEK_DATA,
	OP_CLASS_COUNT,
};

static const struct {
	const char *name;
	unsigned weight; /* relative frequency when enabled */
	bool mutates; /* -V reads the whole file back after it */
} op_classes[OP_CLASS_COUNT] = {
	[OP_READ] = { "read", 4, false },
	[OP_WRITE] = { "write", 3, true },
	[OP_APPEND] = { "append", 2, true },
	[OP_FCNTL_APPEND_ON] = { "fcntl-append-on", 1, true },
	[OP_FCNTL_APPEND_OFF] = { "fcntl-append-off", 1, true },
	[OP_TRUNCATE] = { "truncate", 1, true },
	[OP_REOPEN] = { "reopen", 1, true }, /* O_TRUNC */
	[OP_FSTAT] = { "fstat", 2, false },
	[OP_SEEK_END] = { "seek-end", 2, false },
	[OP_COPY_RANGE] = { "copy-range", 2, false },
	[OP_COPY_RANGE_SELF] = { "copy-range-self", 2, true },
	[OP_SENDFILE] = { "sendfile", 2, false },
	[OP_SPLICE] = { "splice", 2, false },
	[OP_MMAP] = { "mmap", 2, false },
	[OP_MMAP_SHARED] = { "mmap-shared", 2, true },
	[OP_FALLOCATE] = { "fallocate", 2, true },
	[OP_SEEK_DATA] = { "seek-data", 1, false },
};

#define DEFAULT_OPS "read,write,append,fcntl-append,truncate,reopen,fstat"

/* Op variants, counted separately: the name says which system calls ran. */
struct variant_stats {
	const char *name;
	long n, failed, refused;
};

static struct variant_stats stats[32];
static size_t stats_used;

struct log_entry {
	long n;
	const char *variant;
	long long off, len;
	long long size_before, size_after;
	long long ret;
	int err;
};

static struct {
	const char *file, *ref, *dump, *scratch_dir;
	long ops;
	uint64_t seed;
	size_t max_len, max_size;
	size_t log_size;
	bool verify, keep_going;
	bool enabled[OP_CLASS_COUNT];
} opt = {
	.ops = 10000,
	.seed = 1,
	.max_len = 8192,
	.max_size = 65536,
	.log_size = 64,
	.scratch_dir = "/dev/shm",
};

static unsigned char *model;
static size_t model_size;
static unsigned char *buf, *got; /* op data, bytes read back */
static int fd = -1, afd = -1, scratch_fd = -1;
static long op_no;
static long failures;
static struct log_entry *oplog;
static struct log_entry *cur;
static uint64_t rng;

/* splitmix64: small, seedable, the same sequence everywhere. */
static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fsx-ns: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static struct variant_stats *variant(const char *name)
{
	for (size_t i = 0; i < stats_used; i++)
		if (strcmp(stats[i].name, name) == 0)
			return &stats[i];
	if (stats_used == sizeof(stats) / sizeof(stats[0]))
		die("too many op variants");
	stats[stats_used].name = name;
	return &stats[stats_used++];
}

/* Starts the log entry of this op. */
static void log_op(const char *name, long long off, long long len)
{
	cur = &oplog[op_no % (long)opt.log_size];
	*cur = (struct log_entry){ .n = op_no,
				   .variant = name,
				   .off = off,
				   .len = len,
				   .size_before = (long long)model_size,
				   .size_after = -1 };
	variant(name)->n++;
}

static void log_done(long long ret)
{
	cur->ret = ret;
	cur->err = ret < 0 ? errno : 0;
	cur->size_after = (long long)model_size;
}

static void print_log(void)
{
	long first = op_no + 1 > (long)opt.log_size ? op_no + 1 - (long)opt.log_size : 0;

	fprintf(stderr, "fsx-ns: last %ld operations (seed %llu):\n", op_no + 1 - first,
		(unsigned long long)opt.seed);
	for (long n = first; n <= op_no; n++) {
		const struct log_entry *e = &oplog[n % (long)opt.log_size];

		fprintf(stderr,
			"%8ld %-20s off=%#8llx len=%#6llx size %#llx -> %#llx ret=%lld%s%s\n", e->n,
			e->variant, e->off, e->len, e->size_before, e->size_after, e->ret,
			e->err ? " " : "", e->err ? strerror(e->err) : "");
	}
}

static void dump_model(void)
{
	FILE *f;

	if (!opt.dump)
		return;
	f = fopen(opt.dump, "we");
	if (!f || fwrite(model, 1, model_size, f) != model_size || fclose(f) != 0)
		die("cannot write the model to '%s': %s", opt.dump, strerror(errno));
}

/* Prints up to 16 bytes from OFF of what was expected and what came, and the first offset
 * and count of the bytes that differ. */
static void print_bytes(const char *label, const unsigned char *p, size_t n)
{
	fprintf(stderr, "  %-8s", label);
	for (size_t i = 0; i < n && i < 16; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "%s\n", n > 16 ? " ..." : "");
}

static void report_mismatch(long long file_off, const unsigned char *want, size_t want_len,
			    const unsigned char *have, size_t have_len)
{
	size_t common = want_len < have_len ? want_len : have_len, first = common, differ = 0;
	size_t nuls = 0, show;

	for (size_t i = 0; i < common; i++) {
		if (want[i] == have[i])
			continue;
		if (first == common)
			first = i;
		differ++;
		nuls += have[i] == 0;
	}
	if (want_len != have_len)
		fprintf(stderr, "  expected %zu bytes, got %zu\n", want_len, have_len);
	if (first < common) {
		fprintf(stderr,
			"  first difference at file offset %#llx (%lld); %zu of %zu bytes differ, "
			"%zu of those are NULs in what came\n",
			file_off + (long long)first, file_off + (long long)first, differ, common,
			nuls);
	} else {
		first = common; /* the lengths differ: show where the shorter one ends */
	}
	show = first > 4 ? first - 4 : 0;
	fprintf(stderr, "  bytes from file offset %#llx:\n", file_off + (long long)show);
	print_bytes("expected", want + show, want_len > show ? want_len - show : 0);
	print_bytes("got", have + show, have_len > show ? have_len - show : 0);
}

static void reload_model(void);

/* A failure of the current op: what, then (if given) the bytes. Without -k: the log, the
 * model dump, exit 1. With -k: counted; the model is reloaded from the file. */
static void failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failed(const char *fmt, ...)
{
	va_list ap;

	failures++;
	variant(cur->variant)->failed++;
	fprintf(stderr, "fsx-ns: FAIL at op %ld (%s, seed %llu): ", op_no, cur->variant,
		(unsigned long long)opt.seed);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

static void failed_end(void)
{
	if (opt.keep_going) {
		reload_model();
		return;
	}
	print_log();
	dump_model();
	exit(1);
}

/* Compares the N bytes a read of up to LEN bytes at file offset OFF gave with the model. */
static bool check_bytes(const char *what, long long off, size_t len, const unsigned char *have,
			size_t n)
{
	size_t want_n = 0;

	if (off < (long long)model_size)
		want_n = model_size - (size_t)off;
	if (want_n > len)
		want_n = len;
	if (n == want_n && memcmp(model + off, have, n) == 0)
		return true;
	failed("%s: bytes at offset %#llx differ from the model", what, off);
	report_mismatch(off, want_n ? model + off : model, want_n, have, n);
	failed_end();
	return false;
}

static void failed_errno(const char *call)
{
	int e = errno;

	failed("%s: %s", call, strerror(e));
	failed_end();
}

/* The whole file as the kernel reads it for us, into GOT; returns its length. */
static size_t read_whole(void)
{
	size_t n = 0;
	ssize_t r;

	while ((r = pread(fd, got + n, opt.max_size + opt.max_len - n, (off_t)n)) > 0)
		n += (size_t)r;
	if (r < 0)
		die("reading the whole file: %s", strerror(errno));
	return n;
}

/* After a failure (-k): the model becomes what the file holds, cut to -m if a misplaced
 * write made it longer, so the next failure is the next op's own. */
static void reload_model(void)
{
	model_size = read_whole();
	if (model_size > opt.max_size) {
		if (ftruncate(fd, (off_t)opt.max_size) < 0)
			die("ftruncate to -m: %s", strerror(errno));
		model_size = read_whole();
	}
	memcpy(model, got, model_size);
}

static void verify_whole(void)
{
	size_t n = read_whole();

	if (n == model_size && memcmp(got, model, n) == 0)
		return;
	failed("file differs from the model after the op (read back whole)");
	report_mismatch(0, model, model_size, got, n);
	failed_end();
}

/* Data for a write: random, never NUL, so a hole (NULs) is never taken for our bytes. */
static void fill(size_t len)
{
	for (size_t i = 0; i < len; i++) {
		buf[i] = (unsigned char)rnd();
		if (!buf[i])
			buf[i] = 1;
	}
}

static void model_write(size_t off, const unsigned char *data, size_t len)
{
	if (off > model_size)
		memset(model + model_size, 0, off - model_size);
	memmove(model + off, data, len);
	if (off + len > model_size)
		model_size = off + len;
}

static void model_truncate(size_t size)
{
	if (size > model_size)
		memset(model + model_size, 0, size - model_size);
	model_size = size;
}

static int open_file(int flags)
{
	int f = open(opt.file, flags | O_CLOEXEC);

	if (f < 0)
		die("open '%s': %s", opt.file, strerror(errno));
	return f;
}

/* A random op length, clipped so the file stays within max_size. */
static size_t rnd_len(size_t off)
{
	size_t len = 1 + rnd_below(opt.max_len);

	if (off >= opt.max_size)
		return 0;
	if (off + len > opt.max_size)
		len = opt.max_size - off;
	return len;
}

/* An offset for a read-like op: mostly within the file, sometimes at or past its end. */
static size_t rnd_read_off(void)
{
	if (rnd_below(8) == 0)
		return model_size + rnd_below(opt.max_len / 4 + 1);
	return rnd_below(model_size + 1);
}

static void do_read(void)
{
	size_t off = rnd_read_off(), len = 1 + rnd_below(opt.max_len);
	ssize_t n;

	log_op("read", (long long)off, (long long)len);
	n = pread(fd, got, len, (off_t)off);
	log_done(n);
	if (n < 0) {
		failed_errno("pread");
		return;
	}
	check_bytes("pread", (long long)off, len, got, (size_t)n);
}

static void do_write(void)
{
	size_t off = rnd_below(opt.max_size), len = rnd_len(off);
	bool seek = rnd_below(2);
	ssize_t n;

	log_op(seek ? "write-lseek" : "write-pwrite", (long long)off, (long long)len);
	fill(len);
	if (seek) {
		if (lseek(fd, (off_t)off, SEEK_SET) != (off_t)off) {
			failed_errno("lseek(SEEK_SET)");
			return;
		}
		n = write(fd, buf, len);
	} else {
		n = pwrite(fd, buf, len, (off_t)off);
	}
	if (n == (ssize_t)len)
		model_write(off, buf, len);
	log_done(n);
	if (n < 0) {
		failed_errno(seek ? "write" : "pwrite");
		return;
	}
	if (n != (ssize_t)len) {
		failed("short write: %zd of %zu bytes", n, len);
		failed_end();
	}
}

/* A write whose data must land at the model's end: appends. */
static void appended(const char *call, ssize_t n, size_t len)
{
	if (n == (ssize_t)len)
		model_write(model_size, buf, len);
	log_done(n);
	if (n < 0) {
		failed_errno(call);
		return;
	}
	if (n != (ssize_t)len) {
		failed("%s: short write: %zd of %zu bytes", call, n, len);
		failed_end();
	}
}

static bool do_append(void)
{
	size_t len = rnd_len(model_size);
	ssize_t n;
	int f, e;

	if (!len)
		return false;
	fill(len);
	if (rnd_below(2)) {
		log_op("append-fd", (long long)model_size, (long long)len);
		n = write(afd, buf, len);
		appended("write(O_APPEND fd)", n, len);
		return true;
	}
	log_op("append-open", (long long)model_size, (long long)len); /* like sh's >> */
	f = open_file(O_WRONLY | O_APPEND);
	n = write(f, buf, len);
	e = errno;
	(void)close(f);
	errno = e;
	appended("open(O_APPEND) + write", n, len);
	return true;
}

/* O_APPEND set after open: the write must append at the real end of our file. */
static bool do_fcntl_append_on(void)
{
	size_t len = rnd_len(model_size);
	ssize_t n;
	int flags;

	if (!len)
		return false;
	fill(len);
	log_op("fcntl-append-on", (long long)model_size, (long long)len);
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_APPEND) < 0) {
		failed_errno("fcntl(F_SETFL, O_APPEND)");
		return true;
	}
	n = write(fd, buf, len);
	(void)fcntl(fd, F_SETFL, flags);
	appended("write after fcntl(F_SETFL, O_APPEND)", n, len);
	return true;
}

/* O_APPEND cleared on an fd opened with it: the write must land at its offset. */
static void do_fcntl_append_off(void)
{
	size_t off = rnd_below(opt.max_size), len = rnd_len(off);
	ssize_t n;
	int flags;

	fill(len);
	log_op("fcntl-append-off", (long long)off, (long long)len);
	flags = fcntl(afd, F_GETFL);
	if (flags < 0 || fcntl(afd, F_SETFL, flags & ~O_APPEND) < 0) {
		failed_errno("fcntl(F_SETFL, ~O_APPEND)");
		return;
	}
	n = pwrite(afd, buf, len, (off_t)off);
	(void)fcntl(afd, F_SETFL, flags);
	if (n == (ssize_t)len)
		model_write(off, buf, len);
	log_done(n);
	if (n < 0) {
		failed_errno("pwrite after fcntl(F_SETFL, ~O_APPEND)");
	} else if (n != (ssize_t)len) {
		failed("short pwrite: %zd of %zu bytes", n, len);
		failed_end();
	}
}

static void do_truncate(void)
{
	size_t size;
	bool by_path = rnd_below(2);
	int r;

	switch (rnd_below(4)) {
	case 0:
		size = rnd_below(model_size + 1); /* shrink */
		break;
	case 1:
		size = model_size + rnd_below(opt.max_len); /* grow */
		break;
	default:
		size = rnd_below(opt.max_size);
	}
	if (size > opt.max_size)
		size = opt.max_size;
	log_op(by_path ? "truncate-path" : "ftruncate", (long long)size, 0);
	r = by_path ? truncate(opt.file, (off_t)size) : ftruncate(fd, (off_t)size);
	if (r == 0)
		model_truncate(size);
	log_done(r);
	if (r < 0)
		failed_errno(by_path ? "truncate" : "ftruncate");
}

static void do_reopen(void)
{
	bool trunc = rnd_below(8) == 0;

	log_op(trunc ? "reopen-trunc" : "reopen", 0, 0);
	(void)close(fd);
	(void)close(afd);
	fd = open_file(O_RDWR | (trunc ? O_TRUNC : 0));
	afd = open_file(O_WRONLY | O_APPEND);
	if (trunc)
		model_truncate(0);
	log_done(0);
}

static void do_fstat(void)
{
	bool by_path = rnd_below(2);
	struct stat st;
	int r;

	log_op(by_path ? "stat" : "fstat", 0, 0);
	r = by_path ? stat(opt.file, &st) : fstat(fd, &st);
	log_done(r < 0 ? -1 : (long long)st.st_size);
	if (r < 0) {
		failed_errno(by_path ? "stat" : "fstat");
		return;
	}
	if ((size_t)st.st_size != model_size) {
		failed("st_size %lld, the model's size %zu", (long long)st.st_size, model_size);
		failed_end();
	}
}

static void do_seek_end(void)
{
	off_t r;

	log_op("seek-end", 0, 0);
	r = lseek(fd, 0, SEEK_END);
	log_done(r);
	if (r < 0) {
		failed_errno("lseek(SEEK_END)");
		return;
	}
	if ((size_t)r != model_size) {
		failed("lseek(SEEK_END) = %lld, the model's size %zu", (long long)r, model_size);
		failed_end();
	}
}

/* copy-range, sendfile: from FILE at a random offset into the empty scratch file, looping as
 * cp(1) does until the call returns 0, then the scratch file's bytes against the model. */
static void do_copy_out(bool use_sendfile)
{
	const char *name = use_sendfile ? "sendfile" : "copy-range";
	size_t off = rnd_read_off(), len = 1 + rnd_below(opt.max_len), done = 0;
	ssize_t n = 0;

	log_op(name, (long long)off, (long long)len);
	if (ftruncate(scratch_fd, 0) < 0 || lseek(scratch_fd, 0, SEEK_SET) != 0)
		die("scratch file: %s", strerror(errno));
	while (done < len) {
		off_t in = (off_t)(off + done);

		if (use_sendfile)
			n = sendfile(scratch_fd, fd, &in, len - done);
		else
			n = copy_file_range(fd, &in, scratch_fd, NULL, len - done, 0);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (n < 0 && !use_sendfile && (errno == EXDEV || errno == EOPNOTSUPP) && !done) {
		/* The kernel refuses a cross-filesystem copy (Linux >= 5.19): cp falls back to
		 * read(2), which is direct I/O. Nothing was shown, so nothing is wrong. */
		log_done(n);
		variant(name)->refused++;
		return;
	}
	log_done(n < 0 ? n : (long long)done);
	if (n < 0) {
		failed_errno(name);
		return;
	}
	if (pread(scratch_fd, got, done, 0) != (ssize_t)done)
		die("scratch file: %s", strerror(errno));
	check_bytes(name, (long long)off, len, got, done);
}

/* fsx's copy_range: within FILE, source and destination not overlapping. */
static bool do_copy_range_self(void)
{
	size_t src, dst, len, want;
	loff_t in, out;
	ssize_t n;

	if (!model_size)
		return false;
	src = rnd_below(model_size);
	len = 1 + rnd_below(opt.max_len);
	if (src + len > model_size)
		len = model_size - src;
	dst = rnd_below(opt.max_size);
	if (dst + len > opt.max_size)
		len = opt.max_size - dst;
	if (!len || (dst < src + len && src < dst + len))
		return false; /* overlapping ranges are EINVAL */
	want = len;
	log_op("copy-range-self", (long long)src, (long long)len);
	cur->size_after = (long long)dst; /* logged: the destination */
	in = (loff_t)src;
	out = (loff_t)dst;
	n = copy_file_range(fd, &in, fd, &out, len, 0);
	if (n < 0 && (errno == EXDEV || errno == EOPNOTSUPP)) {
		log_done(n);
		variant("copy-range-self")->refused++;
		return true;
	}
	if (n >= 0) {
		memcpy(got, model + src, (size_t)n); /* what should now be at dst */
		model_write(dst, got, (size_t)n);
	}
	log_done(n);
	if (n < 0) {
		failed_errno("copy_file_range (within the file)");
		return true;
	}
	if ((size_t)n != want) {
		failed("copy_file_range copied %zd of %zu bytes", n, want);
		failed_end();
		return true;
	}
	/* What landed at dst, read back with pread(2) (direct I/O). */
	n = pread(fd, got, want, (off_t)dst);
	if (n < 0) {
		failed_errno("pread after copy_file_range");
		return true;
	}
	cur->off = (long long)dst;
	cur->len = (long long)want;
	check_bytes("copy_file_range destination", (long long)dst, want, got, (size_t)n);
	return true;
}

static void do_splice(void)
{
	size_t off = rnd_read_off(), len = 1 + rnd_below(opt.max_len), done = 0;
	int p[2];
	ssize_t n = 0;

	if (len > 65536)
		len = 65536; /* one pipe's default capacity: no reader needed while splicing */
	log_op("splice", (long long)off, (long long)len);
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe2: %s", strerror(errno));
	while (done < len) {
		loff_t in = (loff_t)(off + done);
		ssize_t r;

		n = splice(fd, &in, p[1], NULL, len - done, 0);
		if (n <= 0)
			break;
		for (ssize_t left = n; left > 0; left -= r) {
			r = read(p[0], got + done + (size_t)(n - left), (size_t)left);
			if (r <= 0)
				die("reading the pipe: %s", strerror(errno));
		}
		done += (size_t)n;
	}
	(void)close(p[0]);
	(void)close(p[1]);
	log_done(n < 0 ? n : (long long)done);
	if (n < 0) {
		failed_errno("splice");
		return;
	}
	check_bytes("splice", (long long)off, len, got, done);
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

/* Copies LEN bytes of a mapping; false on SIGBUS (a page past the kernel's i_size). */
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

/* Copies LEN bytes into a mapping; false on SIGBUS. */
static bool copy_to_mapping(unsigned char *dst, const unsigned char *src, size_t len)
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

static bool do_mmap(void)
{
	size_t off, len, map_len = model_size;
	unsigned char *map;
	bool ok;

	if (!model_size)
		return false;
	off = rnd_below(model_size);
	len = 1 + rnd_below(opt.max_len);
	if (off + len > model_size)
		len = model_size - off;
	log_op("mmap-private", (long long)off, (long long)len);
	map = mmap(NULL, map_len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		log_done(-1);
		failed_errno("mmap(MAP_PRIVATE)");
		return true;
	}
	ok = copy_from_mapping(got, map + off, len);
	(void)munmap(map, map_len);
	log_done(ok ? (long long)len : -1);
	if (!ok) {
		/* The kernel's i_size (another namespace's, shorter) ended the mapping early. */
		cur->err = 0;
		failed("SIGBUS reading the mapping at %#zx..%#zx: the kernel's size is shorter "
		       "than the file",
		       off, off + len);
		failed_end();
		return true;
	}
	check_bytes("mmap(MAP_PRIVATE)", (long long)off, len, got, len);
	return true;
}

/* MAP_SHARED: the pages are the inode's own page cache, so what the mapping shows must be the
 * namespace's own file, and what is written through it must reach that file (msync). */
static bool do_mmap_shared(void)
{
	size_t off, len, map_len = model_size;
	bool write = rnd_below(2);
	unsigned char *map;
	ssize_t n;
	bool ok;

	if (!model_size)
		return false;
	off = rnd_below(model_size);
	len = 1 + rnd_below(opt.max_len);
	if (off + len > model_size)
		len = model_size - off; /* a mapping cannot extend the file */
	log_op(write ? "mmap-shared-write" : "mmap-shared-read", (long long)off, (long long)len);
	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		log_done(-1);
		failed_errno("mmap(MAP_SHARED)");
		return true;
	}
	if (write) {
		fill(len);
		ok = copy_to_mapping(map + off, buf, len);
		if (ok && msync(map, map_len, MS_SYNC) < 0) {
			int e = errno;

			(void)munmap(map, map_len);
			errno = e;
			log_done(-1);
			failed_errno("msync");
			return true;
		}
		if (ok)
			model_write(off, buf, len);
	} else {
		ok = copy_from_mapping(got, map + off, len);
	}
	(void)munmap(map, map_len);
	log_done(ok ? (long long)len : -1);
	if (!ok) {
		cur->err = 0;
		failed("SIGBUS in the shared mapping at %#zx..%#zx: the kernel's size is shorter "
		       "than the file",
		       off, off + len);
		failed_end();
		return true;
	}
	if (!write) {
		check_bytes("mmap(MAP_SHARED)", (long long)off, len, got, len);
		return true;
	}
	n = pread(fd, got, len, (off_t)off); /* the written bytes, through read(2) */
	if (n < 0) {
		failed_errno("pread after the mapped write");
		return true;
	}
	check_bytes("pread after mmap(MAP_SHARED) write + msync", (long long)off, len, got,
		    (size_t)n);
	return true;
}

static void model_zero(size_t off, size_t len)
{
	if (off >= model_size)
		return;
	if (off + len > model_size)
		len = model_size - off;
	memset(model + off, 0, len);
}

static void do_fallocate(void)
{
	static const struct {
		const char *name;
		int mode;
	} modes[] = {
		{ "fallocate", 0 },
		{ "fallocate-keep-size", FALLOC_FL_KEEP_SIZE },
		{ "fallocate-punch-hole", FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE },
		{ "fallocate-zero-range", FALLOC_FL_ZERO_RANGE },
		{ "fallocate-zero-range-keep", FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE },
	};
	size_t m = rnd_below(sizeof(modes) / sizeof(modes[0]));
	size_t off = rnd_below(opt.max_size), len = rnd_len(off);
	int mode = modes[m].mode, r;

	log_op(modes[m].name, (long long)off, (long long)len);
	r = fallocate(fd, mode, (off_t)off, (off_t)len);
	if (r < 0 && errno == EOPNOTSUPP) {
		log_done(r);
		variant(modes[m].name)->refused++;
		return;
	}
	if (r == 0) {
		if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
			model_zero(off, len);
		if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > model_size)
			model_truncate(off + len);
	}
	log_done(r);
	if (r < 0)
		failed_errno("fallocate");
}

static void do_seek_data(void)
{
	bool hole = rnd_below(2);
	size_t off = rnd_read_off(), i;
	off_t r;

	log_op(hole ? "seek-hole" : "seek-data", (long long)off, 0);
	r = lseek(fd, (off_t)off, hole ? SEEK_HOLE : SEEK_DATA);
	log_done(r);
	if (r < 0 && errno == ENXIO && (off >= model_size || !hole)) {
		/* At or past the end; or SEEK_DATA with only a hole up to the end. */
		for (i = off; i < model_size; i++)
			if (model[i]) {
				failed("lseek(SEEK_DATA, %#zx): ENXIO, but the model has data at %#zx",
				       off, i);
				failed_end();
				return;
			}
		return;
	}
	if (r < 0) {
		failed_errno(hole ? "lseek(SEEK_HOLE)" : "lseek(SEEK_DATA)");
		return;
	}
	if ((size_t)r < off || (size_t)r > model_size || (!hole && (size_t)r == model_size)) {
		failed("lseek(%s, %#zx) = %#llx, the model's size %#zx",
		       hole ? "SEEK_HOLE" : "SEEK_DATA", off, (long long)r, model_size);
		failed_end();
		return;
	}
	/* SEEK_DATA skipped a hole; SEEK_HOLE landed on one (or on the end). */
	for (i = hole ? (size_t)r : off; i < (hole ? (size_t)r + 1 : (size_t)r) && i < model_size;
	     i++)
		if (model[i]) {
			failed("lseek(%s, %#zx) = %#llx, but the model has data at %#zx",
			       hole ? "SEEK_HOLE" : "SEEK_DATA", off, (long long)r, i);
			failed_end();
			return;
		}
}

/* One random op among the enabled; false if it could not run now (draw again). */
static bool run_one(enum op_class c)
{
	switch (c) {
	case OP_READ:
		do_read();
		return true;
	case OP_WRITE:
		do_write();
		return true;
	case OP_APPEND:
		return do_append();
	case OP_FCNTL_APPEND_ON:
		return do_fcntl_append_on();
	case OP_FCNTL_APPEND_OFF:
		do_fcntl_append_off();
		return true;
	case OP_TRUNCATE:
		do_truncate();
		return true;
	case OP_REOPEN:
		do_reopen();
		return true;
	case OP_FSTAT:
		do_fstat();
		return true;
	case OP_SEEK_END:
		do_seek_end();
		return true;
	case OP_COPY_RANGE:
		do_copy_out(false);
		return true;
	case OP_COPY_RANGE_SELF:
		return do_copy_range_self();
	case OP_SENDFILE:
		do_copy_out(true);
		return true;
	case OP_SPLICE:
		do_splice();
		return true;
	case OP_MMAP:
		return do_mmap();
	case OP_MMAP_SHARED:
		return do_mmap_shared();
	case OP_FALLOCATE:
		do_fallocate();
		return true;
	case OP_SEEK_DATA:
		do_seek_data();
		return true;
	case OP_CLASS_COUNT:
		break;
	}
	return false;
}

static void parse_ops(const char *list)
{
	char *copy = strdup(list), *save = NULL;

	if (!copy)
		die("out of memory");
	memset(opt.enabled, 0, sizeof(opt.enabled));
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		bool found = false;

		for (int c = 0; c < OP_CLASS_COUNT; c++) {
			/* "fcntl-append" is both directions */
			if (strcmp(w, "all") == 0 || strcmp(w, op_classes[c].name) == 0 ||
			    (strcmp(w, "fcntl-append") == 0 &&
			     (c == OP_FCNTL_APPEND_ON || c == OP_FCNTL_APPEND_OFF))) {
				opt.enabled[c] = true;
				found = true;
			}
		}
		if (!found)
			die("unknown op class '%s'", w);
	}
	free(copy);
}

static unsigned long long parse_num(const char *s, char o)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		die("-%c: not a number: '%s'", o, s);
	return v;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct variant_stats *)a)->name,
		      ((const struct variant_stats *)b)->name);
}

static void usage(void)
{
	fprintf(stderr, "usage: fsx-ns [-N OPS] [-S SEED] [-o OPS] [-l LEN] [-m SIZE] [-L N] "
			"[-s DIR] [-i REF] [-d DUMP] [-V] [-k] FILE\n");
	exit(2);
}

static void load_reference(void)
{
	size_t n = read_whole();
	FILE *f = fopen(opt.ref, "re");
	size_t ref_n;

	if (!f)
		die("cannot open '%s': %s", opt.ref, strerror(errno));
	ref_n = fread(model, 1, opt.max_size + opt.max_len, f);
	(void)fclose(f);
	model_size = ref_n;
	log_op("initial-read", 0, (long long)(opt.max_size + opt.max_len));
	log_done((long long)n);
	check_bytes("initial read (against -i)", 0, opt.max_size + opt.max_len, got, n);
}

int main(int argc, char **argv)
{
	uint64_t weights[OP_CLASS_COUNT], total = 0;
	char scratch[4096];
	int c;

	parse_ops(DEFAULT_OPS);
	while ((c = getopt(argc, argv, "N:S:o:l:m:L:s:i:d:Vk")) != -1) {
		switch (c) {
		case 'N':
			opt.ops = (long)parse_num(optarg, 'N');
			break;
		case 'S':
			opt.seed = parse_num(optarg, 'S');
			break;
		case 'o':
			parse_ops(optarg);
			break;
		case 'l':
			opt.max_len = parse_num(optarg, 'l');
			break;
		case 'm':
			opt.max_size = parse_num(optarg, 'm');
			break;
		case 'L':
			opt.log_size = parse_num(optarg, 'L');
			break;
		case 's':
			opt.scratch_dir = optarg;
			break;
		case 'i':
			opt.ref = optarg;
			break;
		case 'd':
			opt.dump = optarg;
			break;
		case 'V':
			opt.verify = true;
			break;
		case 'k':
			opt.keep_going = opt.verify = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || !opt.max_len || !opt.max_size || !opt.log_size)
		usage();
	opt.file = argv[optind];
	rng = opt.seed;
	setvbuf(stdout, NULL, _IOLBF, 0);

	model = calloc(1, opt.max_size + opt.max_len);
	buf = calloc(1, opt.max_size + opt.max_len);
	got = calloc(1, opt.max_size + opt.max_len);
	oplog = calloc(opt.log_size, sizeof(*oplog));
	if (!model || !buf || !got || !oplog)
		die("out of memory");
	struct sigaction sa = { .sa_handler = on_sigbus };
	(void)sigaction(SIGBUS, &sa, NULL);

	fd = open_file(O_RDWR);
	afd = open_file(O_WRONLY | O_APPEND);
	if (opt.enabled[OP_COPY_RANGE] || opt.enabled[OP_SENDFILE]) {
		snprintf(scratch, sizeof(scratch), "%s/fsx-ns.%d.XXXXXX", opt.scratch_dir,
			 (int)getpid());
		scratch_fd = mkostemp(scratch, O_CLOEXEC);
		if (scratch_fd < 0)
			die("scratch file in '%s': %s", opt.scratch_dir, strerror(errno));
		(void)unlink(scratch);
	}
	op_no = 0;
	if (opt.ref)
		load_reference();
	else
		reload_model();
	if (model_size > opt.max_size)
		die("'%s' is longer (%zu bytes) than -m %zu", opt.file, model_size, opt.max_size);

	for (int i = 0; i < OP_CLASS_COUNT; i++) {
		weights[i] = opt.enabled[i] ? op_classes[i].weight : 0;
		total += weights[i];
	}
	if (!total)
		die("no op class enabled");
	for (op_no = 1; op_no <= opt.ops; op_no++) {
		enum op_class oc;
		int draws = 0;

		do {
			uint64_t w = rnd() % total;

			if (++draws > 1000)
				die("no enabled op can run on a file of %zu bytes (-m %zu)",
				    model_size, opt.max_size);
			for (oc = 0; w >= weights[oc]; oc++)
				w -= weights[oc];
		} while (!run_one(oc));
		if (opt.verify && op_classes[oc].mutates)
			verify_whole();
	}
	op_no = opt.ops;

	qsort(stats, stats_used, sizeof(stats[0]), by_name);
	printf("fsx-ns: seed=%llu ops=%ld failures=%ld\n", (unsigned long long)opt.seed, opt.ops,
	       failures);
	for (size_t i = 0; i < stats_used; i++)
		printf("fsx-ns: op %s n=%ld failed=%ld refused=%ld\n", stats[i].name, stats[i].n,
		       stats[i].failed, stats[i].refused);
	dump_model();
	return failures ? 1 : 0;
}
