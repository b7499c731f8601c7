// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: waiting. nanosleep, clock_nanosleep (relative and
 * absolute), poll and select timeouts, usleep: about 1.2 s in all. Prints
 * the elapsed times it measured (the replay shows the recorded ones, and
 * takes much less time).
 */
#include <poll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "rp_common.h"

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int main(void)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	struct timeval tv = { 0, 200 * 1000 };
	long long t0 = now_us(), t;
	uint64_t h = FNV0;

	nanosleep(&ts, NULL);
	clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 200 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	poll(NULL, 0, 200);
	select(0, NULL, NULL, NULL, &tv);
	usleep(200 * 1000);
	t = now_us() - t0;
	h = fnv(h, &t, sizeof(t));
	printf("slept %lld ms\n", t / 1000);
	digest("elapsed", h);
	printf("rp_sleep done\n");
	return 0;
}
