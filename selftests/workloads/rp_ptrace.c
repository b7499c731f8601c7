// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: a program that traces its child, as strace and gdb
 * do. The child asks to be traced (PTRACE_TRACEME) and tells its parent
 * how that went through a pipe; the parent then tries PTRACE_SEIZE on it
 * (EPERM: it is traced, by its parent already), and kills it with
 * SIGKILL. Prints what each got and "rp_ptrace done".
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rp_common.h"

int main(void)
{
	int p[2], err = 0, seize, st;
	pid_t pid;

	if (pipe(p))
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			err = errno;
		if (write(p[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		pause();
		_exit(0);
	}
	if (pid < 0 || read(p[0], &err, sizeof(err)) != sizeof(err))
		return 1;
	seize = ptrace(PTRACE_SEIZE, pid, 0, 0) ? errno : 0;
	printf("PTRACE_TRACEME in the child: %s\n", err ? strerror(err) : "ok");
	printf("PTRACE_SEIZE of the child: %s\n", seize ? strerror(seize) : "ok");
	kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) != pid)
		return 1;
	printf("child killed by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	printf("rp_ptrace done\n");
	return 0;
}
