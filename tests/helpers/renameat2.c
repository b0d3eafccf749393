/* SPDX-License-Identifier: GPL-2.0-or-later */
/* renameat2 [--exchange | --noreplace] OLD NEW: rename(2) with a flag, for the tests
 * (coreutils 9.1's mv has no --exchange, python3 no renameat2). Prints strerror on failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned flags = 0;
	int i = 1;

	if (argc == 4 && strcmp(argv[1], "--exchange") == 0)
		flags = RENAME_EXCHANGE, i = 2;
	else if (argc == 4 && strcmp(argv[1], "--noreplace") == 0)
		flags = RENAME_NOREPLACE, i = 2;
	else if (argc != 3) {
		fprintf(stderr, "usage: renameat2 [--exchange | --noreplace] OLD NEW\n");
		return 2;
	}
	if (renameat2(AT_FDCWD, argv[i], AT_FDCWD, argv[i + 1], flags) < 0) {
		fprintf(stderr, "renameat2: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
