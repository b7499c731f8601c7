// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: a counting loop that a timer ends. A one-shot
 * ITIMER_REAL signal's handler sets stop; until then the program counts.
 *
 *   rp_count STEPS [US]  counts units of work: each a getppid(), then up to
 *                        STEPS steps of arithmetic in user space (a division
 *                        each, some 10 ns), looking at stop before each
 *   rp_count 0 [US]      counts in the tightest loop: while (!stop) n++
 *
 * The timer fires after US microseconds (default 3000). Prints what it
 * counted and the arithmetic's value: all depend on the execution of the
 * instruction the signal interrupted, so a replay that delivers it at
 * another one prints something else.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_alrm(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	unsigned long steps = argc > 1 ? strtoul(argv[1], NULL, 0) : 400;
	long us = argc > 2 ? strtol(argv[2], NULL, 0) : 3000;
	struct itimerval it = { { 0, 0 }, { us / 1000000, us % 1000000 } };
	unsigned long acc = 0x12345678, i = 0;
	struct sigaction sa;
	volatile long n = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alrm;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	if (!steps) {
		while (!stop)
			n++;
		printf("counted %ld\n", (long)n);
	} else {
		while (!stop) {
			getppid();
			for (i = 0; i < steps && !stop; i++)
				acc = acc / 3 + i * 0x9e3779b97f4a7c15UL;
			n++;
		}
		printf("counted %ld units, %lu steps into the last, acc %lx\n", (long)n, i, acc);
	}
	printf("rp_count done\n");
	return 0;
}
