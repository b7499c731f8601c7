// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: a thread stops running in user code while it holds a
 * mutex, and another thread runs meanwhile and finds the mutex held (it
 * waits in futex), which it tells.
 *
 *   rp_thr_fault fault FILE  thread A touches FILE's mapping (FILE on a
 *                            disk, dropped from the page cache first): a
 *                            major fault, an uninterruptible sleep in user
 *                            code until the page is read
 *   rp_thr_fault spin        thread A spins (no syscall) until its time
 *                            slice ends: it is preempted in user code
 *
 * Thread B is woken just before. Prints what A read, B's finding and
 * "rp_thr_fault done".
 *
 *   rp_thr_fault yield       thread A waits for a flag with sched_yield()
 *                            in a loop; B sets it when its nanosleep ends:
 *                            A's yield that lets B run is the same syscall
 *                            instruction as the many before it. Prints how
 *                            A got out and "rp_thr_fault done".
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "rp_common.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int pfd[2], held;
static volatile const uint8_t *map;
static uint64_t h = FNV0;

static void *b_main(void *arg)
{
	char c;

	if (read(pfd[0], &c, 1) != 1)
		abort();
	held = pthread_mutex_trylock(&mu) != 0;
	if (held)
		pthread_mutex_lock(&mu);
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* Spin in user code for 1e9 TSC cycles: longer than a time slice (100 ms). */
static void spin(void)
{
	uint64_t t0 = __rdtsc();

	while (__rdtsc() - t0 < 1000000000ULL)
		;
}

static volatile int flag;

static void *b_sleeps(void *arg)
{
	struct timespec ts = { 0, 2000000 };

	nanosleep(&ts, NULL);
	flag = 1;
	return NULL;
}

static int yield(void)
{
	pthread_t b;
	long n = 0;

	if (pthread_create(&b, NULL, b_sleeps, NULL))
		return 1;
	while (!flag) {
		sched_yield();
		n++;
	}
	pthread_join(b, NULL);
	printf("A yielded until B set the flag: %d\n", n > 0);
	printf("rp_thr_fault done\n");
	return 0;
}

int main(int argc, char **argv)
{
	bool fault = argc > 2 && !strcmp(argv[1], "fault");
	pthread_t b;
	uint8_t v = 0;
	int fd;

	if (argc > 1 && !strcmp(argv[1], "yield"))
		return yield();
	if ((!fault && (argc < 2 || strcmp(argv[1], "spin"))) || pipe(pfd))
		return 2;
	if (fault) {
		fd = open(argv[2], O_RDONLY);
		if (fd < 0)
			return 1;
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		map = mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED)
			return 1;
	}
	if (pthread_create(&b, NULL, b_main, NULL))
		return 1;
	usleep(1000);			/* B waits in its read */
	if (write(pfd[1], "", 1) != 1)	/* B is woken; we go on */
		return 1;
	pthread_mutex_lock(&mu);
	if (fault)
		v = map[4096 * 7];	/* a major fault: B runs meanwhile */
	else
		spin();			/* preempted: B runs meanwhile */
	h = fnv(h, &v, 1);
	pthread_mutex_unlock(&mu);
	pthread_join(b, NULL);
	digest("page", h);
	printf("the mutex was held while A did not run: %d\n", held);
	printf("rp_thr_fault done\n");
	return 0;
}
