// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: faults. A SIGSEGV handler recovers (siglongjmp) from
 * three NULL dereferences and a SIGFPE from a division by zero, then the
 * program dies of a SIGSEGV without a handler. The faults are not in the
 * journal as syscalls: the replayed program must fault again by itself.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile int faults;

static void on_fault(int sig)
{
	faults++;
	siglongjmp(env, sig);
}

int main(int argc, char **argv)
{
	volatile int *volatile null = NULL;
	volatile int zero = 0, x;
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	for (i = 0; i < 3; i++) {
		if (!sigsetjmp(env, 1))
			x = *null;
		printf("recovered %d (getppid %d)\n", faults, getppid() > 0);
	}
	if (!sigsetjmp(env, 1))
		x = 1 / zero;
	printf("recovered from SIGFPE: %d faults\n", faults);
	fflush(stdout);
	signal(SIGSEGV, SIG_DFL);
	x = *null;
	(void)x;
	printf("not reached\n");
	return 0;
}
