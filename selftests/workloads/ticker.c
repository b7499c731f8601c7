// SPDX-License-Identifier: GPL-2.0
/*
 * Workload for attach: prints "ready", then calls getppid() every
 * millisecond and exits:
 *   ticker SECONDS   after SECONDS (default 2);
 *   ticker usr1      20 ticks after it receives SIGUSR1 (so a test can let
 *                    it go only once the recorder is known to be attached).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	go = 1;
}

static double elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - start->tv_sec + (now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	int until_signal = argc > 1 && !strcmp(argv[1], "usr1");
	double secs = argc > 1 && !until_signal ? atof(argv[1]) : 2;
	struct timespec start, ms = { 0, 1000000 };
	int after = 20;

	if (until_signal)
		signal(SIGUSR1, on_usr1);
	clock_gettime(CLOCK_MONOTONIC, &start);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		getppid();
		nanosleep(&ms, NULL);
		if (until_signal ? go && --after == 0 : elapsed(&start) >= secs)
			break;
	}
	return 0;
}
