/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Open handles: read-only opens of one file share one fd; a non-root uid's private fds are
 * capped, root's are not; every fd is closed when its last handle goes. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handles.h"
#include "unit.h"

static int open_tmp(struct stat *st)
{
	char path[] = "/tmp/rcfs-test-handles.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	(void)unlink(path);
	assert_int_equal(fstat(fd, st), 0);
	return fd;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void test_read_only_opens_share_one_fd(void **state)
{
	struct rcfs_handles h;
	struct rcfs_handle *a, *b;
	struct stat st;
	int fd1, fd2;

	(void)state;
	handles_init(&h, 1024);
	fd1 = open_tmp(&st);
	fd2 = open(".", O_RDONLY | O_CLOEXEC); /* stands for a second open of the same file */
	assert_int_equal(handles_new(&h, 1000, RCFS_SOURCE_OWN, fd1, &st, true, true, &a), 0);
	assert_int_equal(handles_new(&h, 1000, RCFS_SOURCE_OWN, fd2, &st, true, true, &b), 0);
	assert_int_equal(a->fd, fd1);
	assert_int_equal(b->fd, fd1); /* the same file: the first fd */
	assert_false(fd_open(fd2)); /* the second was closed */
	handles_free(&h, a);
	assert_true(fd_open(fd1)); /* b still reads it */
	handles_free(&h, b);
	assert_false(fd_open(fd1));
	handles_done(&h);
}

static void test_private_fds_capped_per_uid_not_for_root(void **state)
{
	struct rcfs_handle *held[64];
	struct rcfs_handles h;
	struct stat st;
	size_t n = 0;
	int fd, r;

	(void)state;
	handles_init(&h, 256); /* little room: the floor of 16 per uid */
	for (;;) {
		fd = open_tmp(&st);
		r = handles_new(&h, 1000, RCFS_SOURCE_OWN, fd, &st, false, true, &held[n]);
		if (r < 0)
			break;
		n++;
		assert_true(n < 64);
	}
	assert_int_equal(r, -EMFILE);
	assert_false(fd_open(fd)); /* refused: closed */
	assert_int_equal(n, h.fds_per_uid);
	/* Another uid and root are not affected; read-only shared opens of uid 1000 neither. */
	fd = open_tmp(&st);
	assert_int_equal(handles_new(&h, 1001, RCFS_SOURCE_OWN, fd, &st, false, true, &held[n++]),
			 0);
	fd = open_tmp(&st);
	assert_int_equal(handles_new(&h, 0, RCFS_SOURCE_OWN, fd, &st, false, true, &held[n++]), 0);
	fd = open_tmp(&st);
	assert_int_equal(handles_new(&h, 1000, RCFS_SOURCE_OWN, fd, &st, true, true, &held[n++]),
			 0);
	/* One freed: uid 1000 may open again. */
	handles_free(&h, held[0]);
	fd = open_tmp(&st);
	assert_int_equal(handles_new(&h, 1000, RCFS_SOURCE_OWN, fd, &st, false, true, &held[0]), 0);
	handles_done(&h); /* frees what is left, as at exit without RELEASEs */
}

static void test_borrowed_fd_stays_open(void **state)
{
	struct rcfs_handles h;
	struct rcfs_handle *a;
	struct stat st;
	int fd;

	(void)state;
	handles_init(&h, 1024);
	fd = open_tmp(&st);
	assert_int_equal(handles_new(&h, 5, RCFS_SOURCE_UNDERLYING, fd, &st, true, false, &a), 0);
	assert_int_equal(a->fd, fd);
	handles_free(&h, a);
	assert_true(fd_open(fd));
	(void)close(fd);
	handles_done(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_only_opens_share_one_fd),
		cmocka_unit_test(test_private_fds_capped_per_uid_not_for_root),
		cmocka_unit_test(test_borrowed_fd_stays_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
