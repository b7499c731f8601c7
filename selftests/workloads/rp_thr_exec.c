// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: execve in a process with other threads.
 *
 *   rp_thr_exec thread  the main thread waits in pthread_join(), a second
 *                       thread waits in a pipe read, a third reads
 *                       getrandom() and execs this program again: the
 *                       kernel ends the other threads, and the exec'ing
 *                       thread takes over the main thread's id
 *   rp_thr_exec main    the main thread execs while two threads wait in a
 *                       pipe read and in nanosleep
 *
 * The new image ("after") checks it is a single-threaded process whose tid
 * is its pid, reads getrandom() and the (vDSO) clock, and prints their
 * digest and "rp_thr_exec done".
 */
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rp_common.h"

static int pfd[2];
static char *self;

static void *reader(void *arg)
{
	char c;

	if (read(pfd[0], &c, 1) < 0)
		abort();
	return NULL;
}

static void *execer(void *arg)
{
	char tid[32];
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		abort();
	snprintf(tid, sizeof(tid), "%ld", (long)syscall(SYS_gettid));
	execl(self, self, "after", tid, (char *)NULL);
	abort();
}

static int after(const char *old_tid)
{
	struct timespec ts;
	struct dirent *d;
	uint64_t r, h;
	int n = 0;
	DIR *dir;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return 1;
	clock_gettime(CLOCK_REALTIME, &ts);
	h = fnv(fnv(FNV0, &r, sizeof(r)), &ts, sizeof(ts));
	dir = opendir("/proc/self/task");
	while (dir && (d = readdir(dir)))
		n += d->d_name[0] != '.';
	if (dir)
		closedir(dir);
	printf("after exec: threads %d, tid is pid %d, exec'd by tid %s\n", n,
	       syscall(SYS_gettid) == getpid(), atoi(old_tid) == getpid() ? "pid" : "other");
	digest("after", h);
	printf("rp_thr_exec done\n");
	return 0;
}

static void *sleeper(void *arg)
{
	struct timespec ts = { 1000, 0 };

	nanosleep(&ts, NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t a, b;

	if (argc > 2 && !strcmp(argv[1], "after"))
		return after(argv[2]);
	self = argv[0];
	if (argc < 2 || pipe(pfd))
		return 2;
	if (!strcmp(argv[1], "thread")) {
		if (pthread_create(&a, NULL, reader, NULL) ||
		    pthread_create(&b, NULL, execer, NULL))
			return 1;
		pthread_join(b, NULL);
		return 1;
	}
	if (!strcmp(argv[1], "main")) {
		if (pthread_create(&a, NULL, reader, NULL) ||
		    pthread_create(&b, NULL, sleeper, NULL))
			return 1;
		usleep(1000);		/* both wait */
		execer(NULL);
	}
	return 2;
}
