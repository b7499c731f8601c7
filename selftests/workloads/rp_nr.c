// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: syscall numbers the kernel does not have, as feature
 * probes and seccomp-aware code make them: -1, a number past the table,
 * an x32 one (0x40000000 | getpid; neither test kernel has x32) and one
 * wider than 32 bits whose low half is no syscall either. Each must fail
 * with ENOSYS, in the recording and in its replay; a getppid() after each
 * shows the program goes on past it. Prints a line per number, then
 * "rp_nr done", or exits 1 when a number did not fail with ENOSYS.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const long nrs[] = { -1, 1000, 0x40000000 + SYS_getpid, 0x123456789abcdef0L };

int main(void)
{
	pid_t ppid = getppid();
	unsigned int i;
	int bad = 0;

	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		long ret;
		int err;

		errno = 0;
		ret = syscall(nrs[i], 0, 0, 0, 0, 0, 0);
		err = errno;
		printf("syscall(%#lx) = %ld %s\n", nrs[i], ret, err ? strerrorname_np(err) : "0");
		if (ret != -1 || err != ENOSYS)
			bad = 1;
		if (syscall(SYS_getppid) != ppid)
			bad = 1;
	}
	if (bad) {
		printf("rp_nr: a number did not fail with ENOSYS\n");
		return 1;
	}
	printf("rp_nr done\n");
	return 0;
}
