// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: time and randomness from every source a program has
 * without asking a file: the vDSO clocks through libc (clock_gettime,
 * gettimeofday, time, sched_getcpu), the clock syscalls, getrandom, the
 * auxv AT_RANDOM bytes, and the addresses of the stack, heap and an
 * anonymous mapping (ASLR). Prints a digest of each; a faithful replay
 * prints the same digests.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "rp_common.h"

int main(void)
{
	uint64_t h = FNV0;
	struct timespec ts;
	struct timeval tv;
	uint8_t buf[256];
	int i, x;
	void *m;
	time_t t;

	for (i = 0; i < 50; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		h = fnv(h, &ts, sizeof(ts));
		clock_gettime(CLOCK_MONOTONIC, &ts);
		h = fnv(h, &ts, sizeof(ts));
		gettimeofday(&tv, NULL);
		h = fnv(h, &tv, sizeof(tv));
		t = time(NULL);
		h = fnv(h, &t, sizeof(t));
		x = sched_getcpu();
		h = fnv(h, &x, sizeof(x));
	}
	clock_getres(CLOCK_MONOTONIC, &ts);
	h = fnv(h, &ts, sizeof(ts));
	digest("vdso", h);
	h = FNV0;
	for (i = 0; i < 10; i++) {
		syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &ts);
		h = fnv(h, &ts, sizeof(ts));
	}
	digest("clock_syscall", h);
	h = fnv(FNV0, (void *)getauxval(AT_RANDOM), 16);
	digest("at_random", h);
	if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
		return 1;
	digest("getrandom", fnv(FNV0, buf, sizeof(buf)));
	srand(ts.tv_nsec ^ buf[0]);
	x = rand();
	digest("rand", fnv(FNV0, &x, sizeof(x)));
	m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("addresses stack %p heap %p mmap %p\n", (void *)&h, malloc(100), m);
	printf("rp_clock done\n");
	return 0;
}
