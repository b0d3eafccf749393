/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-ns: makes and uses thousands of network namespaces quickly, from one process (10,000
 * `unshare`/`nsenter` processes would take minutes). Namespaces are anonymous and kept alive by
 * bind mounts of /proc/thread-self/ns/net onto NSDIR/<index>, so NSDIR must be on a tmpfs in a
 * private mount namespace: unmounting it (or that mount namespace ending) frees them all.
 *
 *   bench-ns create NSDIR FROM TO           namespaces NSDIR/FROM .. NSDIR/(TO-1)
 *   bench-ns names NSDIR FROM TO NAMEDIR    names them as ip netns does: a bind mount of
 *                                           each on NAMEDIR/ns-<index> (resolvconffs
 *                                           --netns-dir NAMEDIR)
 *   bench-ns files NSDIR FROM TO BACKING [named] [marked] [dir]
 *                                           (re)writes BACKING/<netns id>.conf for each,
 *                                           or BACKING/ns-<index>.conf: its named file;
 *                                           marked: with the owner mark resolvconffs puts
 *                                           on files it creates (xattr, NS_GET_ID)
 *   bench-ns read NSDIR FROM TO MOUNT       from each namespace: open+read MOUNT, and check
 *                                           that it shows that namespace's file
 *   bench-ns fill FILE                      writes the content of namespace 0 to FILE
 *
 * Every file is FLOOR_SIZE bytes whose first line names its namespace (bench.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "bench.h"

#ifndef NS_GET_ID
#define NS_GET_ID _IOR(0xb7, 13, uint64_t) /* linux/nsfs.h, Linux 6.12 */
#endif
/* What resolvconffs marks the files it creates with: the namespace's 64-bit id, which the
 * kernel never reuses (the inode number in the name is reused). src/backing.c reads it. */
#define OWNER_XATTR "user.resolvconffs.ns"

__attribute__((noreturn)) static void die(const char *what, const char *path)
{
	fprintf(stderr, "bench-ns: %s '%s': %s\n", what, path, strerror(errno));
	exit(1);
}

static void ns_path(const char *dir, long i, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/%ld", dir, i);
}

static void write_file(const char *path, uint64_t id)
{
	char buf[FLOOR_SIZE];
	int fd;

	bench_fill_content(buf, sizeof(buf), id);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("cannot create", path);
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		die("cannot write", path);
	if (close(fd) < 0)
		die("cannot close", path);
}

/* A namespace per index, bound to a file: unshare() moves this process into a new one, the
 * bind mount keeps it alive after we move on (or exit). */
static void create(const char *dir, long from, long to)
{
	char path[4096];
	long i;
	int fd;

	for (i = from; i < to; i++) {
		ns_path(dir, i, path, sizeof(path));
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			die("cannot create", path);
		(void)close(fd);
		if (unshare(CLONE_NEWNET) < 0)
			die("unshare(CLONE_NEWNET) for", path);
		if (mount("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL) < 0)
			die("cannot bind the new namespace onto", path);
	}
}

/* ip netns add's way: an empty file, the namespace bind-mounted on it. The names are not
 * all digits: resolvconffs (like a reader of BACKING/) tells names from IDs that way. */
static void names(const char *dir, long from, long to, const char *name_dir)
{
	char path[4096], name[4096];
	long i;
	int fd;

	for (i = from; i < to; i++) {
		ns_path(dir, i, path, sizeof(path));
		(void)snprintf(name, sizeof(name), "%s/ns-%ld", name_dir, i);
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (fd < 0)
			die("cannot create", name);
		(void)close(fd);
		if (mount(path, name, NULL, MS_BIND, NULL) < 0)
			die("cannot bind the namespace onto", name);
	}
}

/* The id resolvconffs names backing files by: the nsfs inode number. */
static uint64_t ns_id(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		die("cannot stat", path);
	return (uint64_t)st.st_ino;
}

static void mark(const char *file, const char *ns)
{
	char value[24];
	uint64_t cookie;
	int fd;

	fd = open(ns, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, NS_GET_ID, &cookie) < 0)
		die("NS_GET_ID", ns);
	(void)close(fd);
	(void)snprintf(value, sizeof(value), "%" PRIu64, cookie);
	if (setxattr(file, OWNER_XATTR, value, strlen(value), 0) < 0)
		die("cannot mark", file);
}

/* With IN_DIR (resolvconffs --dir): BACKING/<name or ID>/resolv.conf instead. */
static void files(const char *dir, long from, long to, const char *backing, bool named, bool marked,
		  bool in_dir)
{
	char path[4096], file[4096];
	const char *ext = in_dir ? "" : ".conf";
	uint64_t id;
	long i;

	for (i = from; i < to; i++) {
		ns_path(dir, i, path, sizeof(path));
		id = ns_id(path);
		if (named)
			(void)snprintf(file, sizeof(file), "%s/ns-%ld%s", backing, i, ext);
		else
			(void)snprintf(file, sizeof(file), "%s/%" PRIu64 "%s", backing, id, ext);
		if (in_dir) {
			if (mkdir(file, 0755) < 0 && errno != EEXIST)
				die("cannot make", file);
			strncat(file, "/resolv.conf", sizeof(file) - strlen(file) - 1);
		}
		write_file(file, id);
		if (marked)
			mark(file, path);
	}
}

static void read_all(const char *dir, long from, long to, const char *mnt)
{
	char path[4096], want[FLOOR_SIZE], got[FLOOR_SIZE + 1];
	ssize_t n;
	long i;
	int fd, nsfd;

	for (i = from; i < to; i++) {
		ns_path(dir, i, path, sizeof(path));
		nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			die("cannot open", path);
		if (setns(nsfd, CLONE_NEWNET) < 0)
			die("setns", path);
		(void)close(nsfd);

		fd = open(mnt, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("cannot open", mnt);
		n = read(fd, got, sizeof(got));
		if (n < 0)
			die("cannot read", mnt);
		(void)close(fd);
		bench_fill_content(want, sizeof(want), ns_id(path));
		if (n != (ssize_t)sizeof(want) || memcmp(got, want, sizeof(want)) != 0) {
			fprintf(stderr, "bench-ns: '%s' from namespace '%s' is not its file\n", mnt,
				path);
			exit(1);
		}
	}
}

static long number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0) {
		fprintf(stderr, "bench-ns: not a count: '%s'\n", s);
		exit(2);
	}
	return v;
}

/* Whether WORD is among the words after "files NSDIR FROM TO BACKING"; any other is wrong. */
static bool flag(int argc, char **argv, const char *word)
{
	bool found = false;
	int i;

	for (i = 6; i < argc; i++) {
		if (strcmp(argv[i], "named") != 0 && strcmp(argv[i], "marked") != 0 &&
		    strcmp(argv[i], "dir") != 0) {
			fprintf(stderr, "bench-ns: files: unknown flag '%s'\n", argv[i]);
			exit(2);
		}
		found |= strcmp(argv[i], word) == 0;
	}
	return found;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "create") == 0 && argc == 5)
		create(argv[2], number(argv[3]), number(argv[4]));
	else if (strcmp(cmd, "names") == 0 && argc == 6)
		names(argv[2], number(argv[3]), number(argv[4]), argv[5]);
	else if (strcmp(cmd, "files") == 0 && argc >= 6)
		files(argv[2], number(argv[3]), number(argv[4]), argv[5], flag(argc, argv, "named"),
		      flag(argc, argv, "marked"), flag(argc, argv, "dir"));
	else if (strcmp(cmd, "read") == 0 && argc == 6)
		read_all(argv[2], number(argv[3]), number(argv[4]), argv[5]);
	else if (strcmp(cmd, "fill") == 0 && argc == 3)
		write_file(argv[2], 0);
	else {
		fprintf(stderr,
			"usage: bench-ns create NSDIR FROM TO | files NSDIR FROM TO BACKING |"
			" read NSDIR FROM TO MOUNT | fill FILE\n");
		return 2;
	}
	return 0;
}
