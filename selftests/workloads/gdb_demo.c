// SPDX-License-Identifier: GPL-2.0
/*
 * Workload for the gdb tests (built -O0 -g): a loop that calls step() five
 * times, each adding to the global @counter and printing it (a write, so
 * a syscall between the iterations), then threads that each compute and
 * print a value of their own. What it prints is what gdb must find again.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int counter;

static int step(int i)
{
	int local = i * 10 + 7;

	counter += local;
	return local;
}

static void *worker(void *arg)
{
	long k = (long)arg;
	long mine = k * 1000 + 1;

	printf("worker %ld mine=%ld\n", k, mine);
	fflush(stdout);
	usleep(1000);
	return (void *)mine;
}

int main(int argc, char **argv)
{
	pthread_t th[2];
	int total = 0, i;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 0; i < 5; i++) {
		total += step(i);
		printf("i=%d total=%d counter=%d\n", i, total, counter);
	}
	if (argc > 1) {
		for (i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, worker, (void *)(long)(i + 1));
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
	}
	puts("gdb_demo done");
	return 0;
}
