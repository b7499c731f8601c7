// SPDX-License-Identifier: GPL-2.0
/*
 * Workload for attach: prints "ready", then calls getppid() every
 * millisecond for argv[1] seconds (default 2) and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2;
	struct timespec start, now, ms = { 0, 1000000 };

	clock_gettime(CLOCK_MONOTONIC, &start);
	printf("ready\n");
	fflush(stdout);
	do {
		getppid();
		nanosleep(&ms, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec + (now.tv_nsec - start.tv_nsec) / 1e9 < secs);
	return 0;
}
