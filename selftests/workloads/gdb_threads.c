// SPDX-License-Identifier: GPL-2.0
/*
 * Workload for the gdb tests of checkpoints with threads (built -O0 -g):
 * two workers, each calling tick() ROUNDS times; tick() adds to the
 * worker's own total and prints it (a syscall each time, so the replay
 * has event boundaries while both threads live), then sleeps a little so
 * that the threads take turns. main() joins them and prints the sum. What
 * it prints is what gdb must find again, forwards and backwards.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define ROUNDS	6

long totals[3];

static long tick(long k, int round)
{
	long add = k * 100 + round;

	totals[k] += add;
	printf("tick k=%ld round=%d total=%ld\n", k, round, totals[k]);
	return add;
}

static void *worker(void *arg)
{
	long k = (long)arg;
	int round;

	for (round = 0; round < ROUNDS; round++) {
		tick(k, round);
		usleep(2000);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[2];
	int i;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, worker, (void *)(long)(i + 1));
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("gdb_threads sum=%ld\n", totals[1] + totals[2]);
	return 0;
}
