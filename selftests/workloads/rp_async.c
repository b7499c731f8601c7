// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: asynchronous signals. A 1 ms SIGALRM timer runs while
 * the program computes in user space, no syscall in the loop: each handler
 * interrupts it at an arbitrary instruction. The handler only counts. The
 * replay delivers those signals at the syscall boundary before the loop;
 * the program must still end as recorded. Prints the result and the count.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

static volatile sig_atomic_t n_alrm;

static void on_alrm(int sig)
{
	n_alrm++;
}

int main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000000UL;
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } }, off = { 0 };
	struct sigaction sa = { .sa_handler = on_alrm, .sa_flags = SA_RESTART };
	volatile unsigned long acc = 1;
	unsigned long i;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0; i < iters; i++)
		acc = acc * 31 + i;
	setitimer(ITIMER_REAL, &off, NULL);
	printf("acc %lx after %lu iterations, %s\n", acc, iters,
	       n_alrm ? "interrupted" : "never interrupted");
	printf("alarms %d\n", (int)n_alrm);
	printf("rp_async done\n");
	return 0;
}
