// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: threads that end while others run.
 *
 *   rp_thr_exit group   three threads block (a condition variable, a pipe
 *                       read, a nanosleep) and the main thread calls
 *                       exit(): exit_group() kills them inside their
 *                       syscalls, as a runtime's helper threads die when
 *                       node or xz returns from main()
 *   rp_thr_exit group_thread  the same, but a fourth thread calls exit(3)
 *                       while the main thread waits in pthread_join()
 *   rp_thr_exit churn   detached threads come and go while the main thread
 *                       and a worker make syscalls: some exit at once (a
 *                       raw clone whose child calls exit() first thing,
 *                       threads that return at once), some after a few
 *                       syscalls, some with the exit syscall itself
 *   rp_thr_exit leader  the main thread leaves (the exit syscall) while two
 *                       workers go on; the process ends when they are done
 *
 * (The exit syscall, not pthread_exit(): that needs libgcc_s to unwind,
 * which the test VM does not have.)
 *   rp_thr_exit killed  (--follow-fork) a child with three threads, each
 *                       blocked in a syscall, is killed by its parent with
 *                       SIGKILL (as strace kills the child it could not
 *                       trace)
 *   rp_thr_exit fatal   (--follow-fork) in a child, a thread faults
 *                       (SIGSEGV, no handler) while the others block: the
 *                       signal ends them all
 *
 * Each prints a digest of what it read (getrandom(), the clock) and
 * "rp_thr_exit MODE done".
 */
#include <pthread.h>
#include <stdbool.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rp_common.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int pfd[2], started;
static uint64_t h = FNV0;

static void mix_random(void)
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		abort();
	pthread_mutex_lock(&mu);
	h = fnv(h, &r, sizeof(r));
	pthread_mutex_unlock(&mu);
}

static void mark_started(void)
{
	pthread_mutex_lock(&mu);
	started++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void *wait_cond(void *arg)
{
	mix_random();
	pthread_mutex_lock(&mu);
	started++;
	pthread_cond_broadcast(&cv);
	for (;;)
		pthread_cond_wait(&cv, &mu);	/* never signalled for us */
	return NULL;
}

static void *wait_read(void *arg)
{
	char c;

	mix_random();
	mark_started();
	if (read(pfd[0], &c, 1) < 0)
		abort();
	return NULL;
}

static void *wait_sleep(void *arg)
{
	struct timespec ts = { 1000, 0 };

	mix_random();
	mark_started();
	nanosleep(&ts, NULL);
	return NULL;
}

static void *exit_group_3(void *arg)
{
	mix_random();
	digest("group", h);
	printf("rp_thr_exit group done by a thread\n");
	fflush(stdout);
	exit(3);		/* the main thread dies in pthread_join() */
}

static int group(bool from_thread)
{
	void *(*fn[3])(void *) = { wait_cond, wait_read, wait_sleep };
	pthread_t t;
	int i;

	if (pipe(pfd))
		return 1;
	for (i = 0; i < 3; i++)
		if (pthread_create(&t, NULL, fn[i], NULL))
			return 1;
	pthread_mutex_lock(&mu);
	while (started < 3)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	if (from_thread) {
		if (pthread_create(&t, NULL, exit_group_3, NULL))
			return 1;
		pthread_join(t, NULL);
		return 1;
	}
	mix_random();
	digest("group", h);
	printf("rp_thr_exit group done\n");
	fflush(stdout);
	exit(0);		/* the three threads die inside their syscalls */
}

static int left;

static void *short_lived(void *arg)
{
	long n = (long)arg;
	struct timespec ts;

	if (n % 3 == 0)
		return NULL;		/* at once */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	mix_random();
	pthread_mutex_lock(&mu);
	h = fnv(h, &ts, sizeof(ts));
	left--;
	pthread_mutex_unlock(&mu);
	if (n % 3 == 1)
		syscall(SYS_exit, 0);
	sched_yield();
	return NULL;
}

static void *worker(void *arg)
{
	int i;

	for (i = 0; i < 200; i++) {
		getppid();
		if (i % 20 == 0)
			mix_random();
	}
	mark_started();
	return NULL;
}

/* A raw thread whose first instruction after clone is exit(). */
static pid_t raw_thread_exit_at_once(void *stack)
{
	long ret;

	asm volatile("syscall\n\t"
		     "test %%rax, %%rax\n\t"
		     "jnz 1f\n\t"
		     "mov $60, %%eax\n\t"		/* exit(0) in the child */
		     "xor %%edi, %%edi\n\t"
		     "syscall\n\t"
		     "ud2\n"
		     "1:"
		     : "=a"(ret)
		     : "0"((long)SYS_clone),
		       "D"((long)(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				  CLONE_THREAD | CLONE_SYSVSEM)),
		       "S"(stack)
		     : "rcx", "r11", "memory");
	return ret;
}

static int churn(void)
{
	static char stacks[4][16384] __attribute__((aligned(16)));
	pthread_attr_t at;
	pthread_t t, w;
	long i;

	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&w, NULL, worker, NULL))
		return 1;
	for (i = 0; i < 4; i++)
		if (raw_thread_exit_at_once(stacks[i] + sizeof(stacks[i])) <= 0)
			return 1;
	for (i = 0; i < 30; i++) {
		if (i % 3) {
			pthread_mutex_lock(&mu);
			left++;
			pthread_mutex_unlock(&mu);
		}
		if (pthread_create(&t, &at, short_lived, (void *)i))
			return 1;
		if (i % 5 == 0)
			mix_random();
		getppid();
	}
	pthread_join(w, NULL);
	for (;;) {
		pthread_mutex_lock(&mu);
		i = left;
		pthread_mutex_unlock(&mu);
		if (!i)
			break;
		sched_yield();
	}
	digest("churn", h);
	printf("rp_thr_exit churn done\n");
	return 0;
}

static void *late_worker(void *arg)
{
	struct timespec ts = { 0, 2000000 };
	int i;

	for (i = 0; i < 5; i++) {
		nanosleep(&ts, NULL);
		mix_random();
	}
	pthread_mutex_lock(&mu);
	if (++started == 2) {
		digest("leader", h);
		printf("rp_thr_exit leader done\n");
		fflush(stdout);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

static int leader(void)
{
	pthread_t t;
	int i;

	for (i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, late_worker, NULL))
			return 1;
	mix_random();
	syscall(SYS_exit, 0);	/* the workers go on without us */
	return 1;
}

/* A child with three threads blocked in syscalls; its main thread runs @last. */
static pid_t blocked_child(void (*last)(void))
{
	void *(*fn[2])(void *) = { wait_read, wait_sleep };
	pthread_t t;
	pid_t pid;
	int i, go[2];

	if (pipe(go))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid)
		return close(go[1]) || pid < 0 || read(go[0], &i, 1) != 1 ? -1 : pid;
	if (pipe(pfd))
		_exit(1);
	for (i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, fn[i], NULL))
			_exit(1);
	pthread_mutex_lock(&mu);
	while (started < 2)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	if (write(go[1], "", 1) != 1)
		_exit(1);
	last();
	_exit(1);
}

static void block(void)
{
	char c;

	if (read(pfd[0], &c, 1) < 0)
		abort();
}

static void fault(void)
{
	*(volatile int *)8 = 1;
}

static int killed(bool fatal)
{
	pid_t pid = blocked_child(fatal ? fault : block);
	int st;

	if (pid < 0)
		return 1;
	if (!fatal)
		kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) != pid)
		return 1;
	mix_random();
	digest(fatal ? "fatal" : "killed", h);
	printf("child %s by signal %d\n", WIFSIGNALED(st) ? "ended" : "exited", WTERMSIG(st));
	printf("rp_thr_exit %s done\n", fatal ? "fatal" : "killed");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "group"))
		return group(false);
	if (argc > 1 && !strcmp(argv[1], "group_thread"))
		return group(true);
	if (argc > 1 && !strcmp(argv[1], "churn"))
		return churn();
	if (argc > 1 && !strcmp(argv[1], "leader"))
		return leader();
	if (argc > 1 && !strcmp(argv[1], "killed"))
		return killed(false);
	if (argc > 1 && !strcmp(argv[1], "fatal"))
		return killed(true);
	fprintf(stderr, "usage: rp_thr_exit group|group_thread|churn|leader|killed|fatal\n");
	return 2;
}
