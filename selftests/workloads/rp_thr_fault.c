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
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

int main(int argc, char **argv)
{
	bool fault = argc > 2 && !strcmp(argv[1], "fault");
	pthread_t b;
	uint8_t v = 0;
	int fd;

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
