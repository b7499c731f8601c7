// SPDX-License-Identifier: GPL-2.0
/*
 * Workload of `bench reverse` (selftests/bench/reverse.sh), built -O0 -g:
 * for SECONDS (default 30), computes a little and makes a syscall, over
 * and over, and calls mark(k) once a second. The last mark() is the
 * breakpoint a reverse-continue from the end goes back to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int marks;

void mark(int k)
{
	marks = k;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 30, t0 = now(), next = 1;
	volatile unsigned long x = 1;
	unsigned long calls = 0;
	int k = 0, i;

	for (;;) {
		double t;

		for (i = 0; i < 100000; i++)	/* about 100 us of work */
			x = x * 6364136223846793005UL + 1442695040888963407UL;
		getppid();
		calls++;
		t = now() - t0;
		if (t >= secs)
			break;
		if (t >= next) {
			mark(++k);
			next += 1;
		}
	}
	printf("gdb_bench marks=%d calls=%lu\n", k, calls);
	return 0;
}
