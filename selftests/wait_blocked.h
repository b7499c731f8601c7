/* SPDX-License-Identifier: GPL-2.0 */
/* Test helper shared by the snapshot selftests. */
#ifndef TTREC_SELFTESTS_WAIT_BLOCKED_H
#define TTREC_SELFTESTS_WAIT_BLOCKED_H

#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * Wait until @pid is blocked in read(2) (its command pipe): right after a
 * workload replied it may still be on its way out of write(2) and back into
 * read(2), writing its stack, and a snapshot taken then would find it
 * there. Returns 0, or -1 after about 10 s or when @pid is gone.
 */
static inline int wait_blocked_in_read(pid_t pid)
{
	char path[64], line[256];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (i = 0; i < 10000; i++) {
		FILE *f = fopen(path, "r");
		int in_read = 0;

		if (!f)
			return -1;
		if (fgets(line, sizeof(line), f))
			in_read = !strncmp(line, "0 ", 2);
		fclose(f);
		if (in_read)
			return 0;
		usleep(1000);
	}
	return -1;
}

#endif
