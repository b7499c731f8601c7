// SPDX-License-Identifier: GPL-2.0
/*
 * Workload for attach and the vDSO: two threads read CLOCK_MONOTONIC
 * through libc (the vDSO) in bursts of 10, with a 1 ms sleep between
 * bursts, and check that it never goes back. Prints "ready TID1 TID2";
 * on SIGUSR1 the threads end and the main thread checks the vDSO's
 * CLOCK_REALTIME against the syscall's, then prints
 * "clock ok reads=N" and exits 0, or says what is wrong and exits 1.
 * On SIGUSR2 it forks a child that reads the clock the same way in one
 * thread, and prints "child PID"; at the end the child must have seen
 * its clock go forward too.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop, do_fork;
static pid_t tids[2];
static unsigned long reads[2], backwards[2];

static void on_usr1(int sig)
{
	stop = 1;
}

static void on_usr2(int sig)
{
	do_fork = 1;
}

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void *reader(void *arg)
{
	long i = (long)arg;
	struct timespec prev, now, ms = { 0, 1000000 };
	int k;

	tids[i] = syscall(SYS_gettid);
	clock_gettime(CLOCK_MONOTONIC, &prev);
	while (!stop) {
		for (k = 0; k < 10; k++) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (ns(&now) < ns(&prev))
				backwards[i]++;
			prev = now;
			reads[i]++;
		}
		nanosleep(&ms, NULL);
	}
	return NULL;
}

int main(void)
{
	struct timespec v, s;
	pthread_t th[2];
	pid_t child = 0;
	int st;
	long i;

	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, reader, (void *)i);
	while (!tids[0] || !tids[1])
		usleep(1000);
	printf("ready %d %d\n", tids[0], tids[1]);
	fflush(stdout);
	while (!stop) {
		usleep(10000);
		if (do_fork && !child) {
			child = fork();
			if (!child) {
				/* the readers are not in the child: read here */
				tids[0] = syscall(SYS_gettid);
				reader(0);
				_exit(reads[0] && !backwards[0] ? 0 : 1);
			}
			printf("child %d\n", child);
			fflush(stdout);
		}
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	if (child > 0) {
		kill(child, SIGUSR1);
		if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st)) {
			printf("the child's clock went wrong\n");
			return 1;
		}
	}
	clock_gettime(CLOCK_REALTIME, &v);
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &s);
	if (backwards[0] || backwards[1]) {
		printf("clock went back %lu times\n", backwards[0] + backwards[1]);
		return 1;
	}
	if (llabs(ns(&s) - ns(&v)) > 1000000000LL) {
		printf("vDSO clock %lld.%09ld, syscall %lld.%09ld\n", (long long)v.tv_sec,
		       v.tv_nsec, (long long)s.tv_sec, s.tv_nsec);
		return 1;
	}
	printf("clock ok reads=%lu\n", reads[0] + reads[1]);
	return 0;
}
