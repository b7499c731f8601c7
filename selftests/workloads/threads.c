// SPDX-License-Identifier: GPL-2.0
/*
 * Workload: THREADS threads (argv[1], default 4) each write(fd 100, buf,
 * i) for i = 1..N (argv[2], default 2000) to /dev/null, plus a getppid()
 * every 16 calls. The selftest checks that every thread's writes appear
 * in its own order and that the sequence numbers have no holes.
 */
#include <err.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int n_iter = 2000;
static char buf[8192];

static void *run(void *arg)
{
	for (int i = 1; i <= n_iter; i++) {
		if (write(100, buf, i % 8192 ? i % 8192 : 1) < 0)
			err(1, "write");
		if (!(i % 16))
			getppid();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int nthr = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t t[64];
	int fd = open("/dev/null", O_WRONLY);

	if (argc > 2)
		n_iter = atoi(argv[2]);
	if (fd < 0 || dup2(fd, 100) < 0 || nthr < 1 || nthr > 64)
		err(1, "setup");
	for (int i = 0; i < nthr; i++)
		if (pthread_create(&t[i], NULL, run, NULL))
			errx(1, "pthread_create");
	for (int i = 0; i < nthr; i++)
		pthread_join(t[i], NULL);
	printf("threads done\n");
	return 0;
}
