// SPDX-License-Identifier: GPL-2.0
/*
 * A workload whose memory says exactly how many syscalls each thread has
 * made (kmod_snaprec): NTHREADS counting threads each read(2) 8 bytes at a
 * time from their own descriptor of a memfd that holds 1, 2, 3, ... into
 * their counter, so the kernel itself writes the counter as each read
 * returns: at any instant a thread's counter is the number of its reads
 * that returned 8. One more thread blocks in read(2) on a pipe nobody
 * writes, and the main thread sleeps until SECONDS have passed. The
 * counting threads spin a while in user space between reads.
 *
 * usage: snappos SECONDS|- [NTHREADS]   ("-": until stdin ends)
 * Prints "pid PID", then "count TID FD ADDR" per counting thread and
 * "blocked TID FD", then "ready"; at the end each thread checks its counter
 * against the reads it saw return and the workload prints "snappos ok"
 * (exit 0) or what is wrong (exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	8
#define ENTRIES		(1U << 20)	/* 8 MiB of counters */
#define SPIN		20000		/* loop turns between two reads */

struct counter {
	volatile uint64_t value;	/* written by read(2) only */
	uint64_t reads;			/* reads that returned 8 */
	int fd;
	pid_t tid;
} __attribute__((aligned(64)));

static struct counter counters[MAX_THREADS];
static atomic_int started, stop;
static int memfd, pipefd[2];
static pid_t blocked_tid;

static void *count(void *arg)
{
	struct counter *c = arg;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	c->fd = open(path, O_RDONLY);	/* a file offset of its own */
	c->tid = gettid();
	atomic_fetch_add(&started, 1);
	if (c->fd < 0)
		return NULL;
	while (!atomic_load(&stop)) {
		ssize_t n = read(c->fd, (void *)&c->value, sizeof(c->value));

		if (n == sizeof(c->value))
			c->reads++;
		else if (n == 0)
			break;		/* all of it read */
		/* user code between reads: a park may come here too; and the
		 * recorder keeps up (a ring that overflows loses events) */
		for (volatile unsigned int k = 0; k < SPIN; k++)
			;
	}
	return NULL;
}

static void *block(void *arg)
{
	char b;

	blocked_tid = gettid();
	atomic_fetch_add(&started, 1);
	if (read(pipefd[0], &b, 1) != 0)	/* nobody writes: until the end */
		fprintf(stderr, "snappos: the pipe gave a byte\n");
	return NULL;
}

int main(int argc, char **argv)
{
	bool until_eof = argc > 1 && !strcmp(argv[1], "-");
	double seconds = argc > 1 && !until_eof ? atof(argv[1]) : 2;
	int n = argc > 2 ? atoi(argv[2]) : 3, i, bad = 0;
	pthread_t th[MAX_THREADS], bt;
	struct timespec ts;
	uint64_t *v;

	if (n < 1 || n > MAX_THREADS || seconds <= 0) {
		fprintf(stderr, "usage: snappos SECONDS [NTHREADS (1..%d)]\n", MAX_THREADS);
		return 2;
	}
	memfd = memfd_create("snappos", 0);
	if (memfd < 0 || ftruncate(memfd, ENTRIES * 8ULL) || pipe(pipefd)) {
		perror("snappos: setup");
		return 1;
	}
	v = mmap(NULL, ENTRIES * 8ULL, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (v == MAP_FAILED) {
		perror("snappos: mmap");
		return 1;
	}
	for (i = 0; i < (int)ENTRIES; i++)
		v[i] = i + 1;
	munmap(v, ENTRIES * 8ULL);
	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, count, &counters[i]);
	pthread_create(&bt, NULL, block, NULL);
	while (atomic_load(&started) < n + 1)
		usleep(1000);
	printf("pid %d\n", getpid());
	for (i = 0; i < n; i++)
		printf("count %d %d %p\n", counters[i].tid, counters[i].fd,
		       (void *)&counters[i].value);
	printf("blocked %d %d\n", blocked_tid, pipefd[0]);
	printf("ready\n");
	fflush(stdout);

	if (until_eof) {
		char b[64];

		while (read(0, b, sizeof(b)) > 0 || errno == EINTR)
			errno = 0;
	} else {
		ts.tv_sec = (time_t)seconds;
		ts.tv_nsec = (long)((seconds - ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	atomic_store(&stop, 1);
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		if (counters[i].fd < 0 || counters[i].value != counters[i].reads) {
			printf("snappos: thread %d: counter %llu after %llu reads\n",
			       counters[i].tid, (unsigned long long)counters[i].value,
			       (unsigned long long)counters[i].reads);
			bad = 1;
		}
	}
	if (!bad)
		printf("snappos ok\n");
	fflush(stdout);
	return bad;
}
