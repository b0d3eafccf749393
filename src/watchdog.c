/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mounts.h"
#include "util.h"

#define DETACH_TRIES 500 /* every 20 ms: 10 s */

/* Once the daemon is gone: detach the topmost mount on PATH if it is a resolvconffs mount
 * whose connection is dead. A live one (a daemon started since) or anything else is left. */
static void detach_dead_mount(const char *path)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	char fstype[64];
	struct stat st;

	for (int i = 0; i < DETACH_TRIES; i++) {
		if (mounts_find("/proc/self/mountinfo", path, fstype, sizeof(fstype)) <= 0 ||
		    strcmp(fstype, "fuse.resolvconffs") != 0)
			return; /* already gone, or not ours */
		if (stat(path, &st) == 0)
			return; /* alive: another daemon's */
		if (errno == ENOTCONN) {
			(void)umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
			return;
		}
		(void)nanosleep(&pause, NULL); /* ECONNABORTED: still being torn down */
	}
}

static _Noreturn void watchdog_main(int pidfd, int cmd_fd, const char *path)
{
	bool armed = false;
	sigset_t all;

	/* Our own session, deaf to signals: a kill of the daemon's process group, or systemd's
	 * SIGTERM to the unit after the daemon died, must not stop the detach. */
	(void)setsid();
	sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN },
				       { .fd = cmd_fd, .events = POLLIN } };
		char cmd;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (p[1].revents) {
			ssize_t n = read(cmd_fd, &cmd, 1);

			if (n == 1 && cmd == 'U')
				_exit(0);
			armed |= n == 1 && cmd == 'M';
			if (n <= 0)
				cmd_fd =
					-1; /* the daemon is going: its pidfd says when it is gone */
		}
		if (p[0].revents) {
			if (armed)
				detach_dead_mount(path);
			_exit(0);
		}
	}
}

int watchdog_start(struct rcfs_watchdog *w, const char *mountpoint)
{
	_cleanup_close_ int pidfd = -1;
	int pipe_fds[2], r;
	pid_t pid;

	*w = (struct rcfs_watchdog){ 0, -1 };
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return -errno;
	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		(void)close(pipe_fds[0]);
		(void)close(pipe_fds[1]);
		return r;
	}
	if (pid == 0) {
		/* Keep only the pidfd and the pipe: nothing of the daemon's stays open here. */
		if (dup2(pidfd, 3) < 0 || dup2(pipe_fds[0], 4) < 0)
			_exit(1);
		(void)syscall(SYS_close_range, 5U, ~0U, 0U);
		watchdog_main(3, 4, mountpoint);
	}
	(void)close(pipe_fds[0]);
	*w = (struct rcfs_watchdog){ pid, pipe_fds[1] };
	return 0;
}

static void send_cmd(struct rcfs_watchdog *w, char cmd)
{
	ssize_t n;

	if (w->cmd_fd < 0)
		return;
	n = write(w->cmd_fd, &cmd, 1);
	(void)n; /* a dead watchdog: nothing to do about it here */
}

void watchdog_arm(struct rcfs_watchdog *w)
{
	send_cmd(w, 'M');
}

void watchdog_stop(struct rcfs_watchdog *w)
{
	if (w->pid <= 0)
		return;
	send_cmd(w, 'U');
	(void)close(w->cmd_fd);
	w->cmd_fd = -1;
	(void)waitpid(w->pid, NULL, 0);
	w->pid = 0;
}
