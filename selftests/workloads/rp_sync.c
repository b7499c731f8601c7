// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: threads that synchronise: a bounded queue with a mutex
 * and two condition variables, 3 producers and 2 consumers, each item
 * stamped with the (vDSO) clock and a getrandom() word. Prints a digest
 * of what the consumers took, in order per consumer.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "rp_common.h"

#define NITEMS	400
#define QLEN	8

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static uint64_t q[QLEN];
static int head, count, produced, consumed;
static uint64_t digests[2];

static void *producer(void *arg)
{
	for (;;) {
		struct timespec ts;
		uint32_t r = 0;
		uint64_t item;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			abort();
		item = ((uint64_t)(uintptr_t)arg << 56) ^ ts.tv_nsec ^ r;
		pthread_mutex_lock(&mu);
		while (count == QLEN && produced < NITEMS)
			pthread_cond_wait(&not_full, &mu);
		if (produced == NITEMS) {
			pthread_mutex_unlock(&mu);
			pthread_cond_broadcast(&not_empty);
			return NULL;
		}
		q[(head + count++) % QLEN] = item;
		produced++;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&mu);
	}
}

static void *consumer(void *arg)
{
	int id = (int)(uintptr_t)arg;
	uint64_t h = FNV0;

	for (;;) {
		uint64_t item;

		pthread_mutex_lock(&mu);
		while (!count && consumed < NITEMS)
			pthread_cond_wait(&not_empty, &mu);
		if (consumed == NITEMS) {
			pthread_mutex_unlock(&mu);
			pthread_cond_broadcast(&not_empty);
			break;
		}
		item = q[head];
		head = (head + 1) % QLEN;
		count--;
		consumed++;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&mu);
		h = fnv(h, &item, sizeof(item));
	}
	digests[id] = h;
	return NULL;
}

int main(void)
{
	pthread_t p[3], c[2];
	int i;

	for (i = 0; i < 2; i++)
		pthread_create(&c[i], NULL, consumer, (void *)(uintptr_t)i);
	for (i = 0; i < 3; i++)
		pthread_create(&p[i], NULL, producer, (void *)(uintptr_t)(i + 1));
	for (i = 0; i < 3; i++)
		pthread_join(p[i], NULL);
	pthread_mutex_lock(&mu);
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&mu);
	for (i = 0; i < 2; i++)
		pthread_join(c[i], NULL);
	digest("consumer0", digests[0]);
	digest("consumer1", digests[1]);
	printf("items %d\nrp_sync done\n", consumed);
	return 0;
}
