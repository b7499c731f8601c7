// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload (record it with --follow-fork): processes made by
 * threads, and by clone flags other than fork()'s.
 *
 *   rp_thr_fork thread   a thread forks; the child starts a thread that
 *                        forks again; that grandchild execs this program
 *                        with "leaf"; each waits for its own child
 *   rp_thr_fork parent   clone(CLONE_PARENT) with no exit signal: a
 *                        sibling (ptrace reports it as a new thread, it is
 *                        a process), and clone(CLONE_VM) with SIGCHLD: a
 *                        process sharing the memory
 *   rp_thr_fork spawn    posix_spawn() (clone3 with CLONE_VM|CLONE_VFORK),
 *                        from the main thread and from another one, and
 *                        clone3 with CLONE_VM|CLONE_VFORK|CLONE_PIDFD
 *                        (the pidfd is a new descriptor of the parent,
 *                        waited for with waitid(P_PIDFD))
 *   rp_thr_fork pidfd    only that clone3, the child silent (its exec'd
 *                        image prints nothing): for recordings without
 *                        --follow-fork, where the child is not replayed
 *   rp_thr_fork thread_spawn  posix_spawn() of a silent child from a
 *                        thread while the main thread waits in
 *                        pthread_join(): the child's SIGCHLD wakes the
 *                        main thread, the other thread takes it
 *
 * "leaf" reads getrandom() and prints its digest. Each mode prints what it
 * got and "rp_thr_fork MODE done".
 */
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rp_common.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;
static char *self;
static int pfd[2];

/* What a new program image sees: AT_RANDOM, the (vDSO) clock, getrandom(). */
static int leaf(void)
{
	struct timespec ts;
	uint64_t r, h;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return 1;
	clock_gettime(CLOCK_REALTIME, &ts);
	h = fnv(FNV0, (void *)getauxval(AT_RANDOM), 16);
	h = fnv(fnv(h, &ts, sizeof(ts)), &r, sizeof(r));
	digest("leaf", h);
	return 0;
}

static int wait_ok(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st);
}

/* In the first child: a thread forks the grandchild, which execs. */
static void *grandchild_maker(void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(self, self, "leaf", (char *)NULL);
		_exit(127);
	}
	return (void *)(long)(pid > 0 && wait_ok(pid));
}

static void *child_maker(void *arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pthread_t t;
		void *ok;

		if (pthread_create(&t, NULL, grandchild_maker, NULL) ||
		    pthread_join(t, &ok))
			_exit(1);
		_exit(ok ? 0 : 1);
	}
	return (void *)(long)(pid > 0 && wait_ok(pid));
}

static int thread_mode(void)
{
	pthread_t t;
	void *ok;
	uint64_t r;

	if (pthread_create(&t, NULL, child_maker, NULL) || pthread_join(t, &ok))
		return 1;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return 1;
	digest("parent", fnv(FNV0, &r, sizeof(r)));
	printf("children ok %d\n", !!ok);
	printf("rp_thr_fork thread done\n");
	return 0;
}

static uint64_t shared_word;

static int sibling(void *arg)
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return 1;
	digest("sibling says", fnv(FNV0, &r, sizeof(r)));
	fflush(stdout);
	if (write(pfd[1], &r, sizeof(r)) != sizeof(r))
		return 1;
	return 0;
}

static int vm_sharer(void *arg)
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return 1;
	shared_word = r;
	return 0;
}

static int parent_mode(void)
{
	static char stack1[65536] __attribute__((aligned(16)));
	static char stack2[65536] __attribute__((aligned(16)));
	uint64_t r = 0;
	pid_t a, b;

	if (pipe(pfd))
		return 1;
	fflush(stdout);
	/* our parent's child, reported by ptrace as a clone: no exit signal */
	a = clone(sibling, stack1 + sizeof(stack1), CLONE_PARENT, NULL);
	if (a < 0)
		return 1;
	if (read(pfd[0], &r, sizeof(r)) != sizeof(r))
		return 1;
	digest("sibling", fnv(FNV0, &r, sizeof(r)));
	b = clone(vm_sharer, stack2 + sizeof(stack2), CLONE_VM | SIGCHLD, NULL);
	if (b < 0 || !wait_ok(b))
		return 1;
	digest("vm", fnv(FNV0, &shared_word, sizeof(shared_word)));
	printf("rp_thr_fork parent done\n");
	return 0;
}

static char *leaf_argv[3];

static void pidfd_child(void *arg)
{
	execve(self, leaf_argv, environ);
	_exit(127);
}

/* clone3 with its own stack: the child calls @fn, which does not return. */
static long clone3_call(struct clone_args *ca, void (*fn)(void *), void *arg)
{
	register long r12 asm("r12") = (long)fn;
	register long r13 asm("r13") = (long)arg;
	long ret;

	asm volatile("syscall\n\t"
		     "test %%rax, %%rax\n\t"
		     "jnz 1f\n\t"
		     "xor %%ebp, %%ebp\n\t"
		     "mov %%r13, %%rdi\n\t"
		     "call *%%r12\n\t"
		     "ud2\n"
		     "1:"
		     : "=a"(ret)
		     : "0"((long)SYS_clone3), "D"(ca), "S"(sizeof(*ca)), "r"(r12), "r"(r13)
		     : "rcx", "r11", "memory");
	return ret;
}

static void *spawner(void *arg)
{
	pid_t pid;

	if (posix_spawn(&pid, self, NULL, NULL, leaf_argv, environ))
		return NULL;
	return (void *)(long)wait_ok(pid);
}

/* clone3 with CLONE_VM|CLONE_VFORK|CLONE_PIDFD; the child execs @argv. */
static int pidfd_spawn(char *argv1)
{
	static char stack[65536] __attribute__((aligned(16)));
	struct clone_args ca;
	siginfo_t si;
	int pidfd = -1, fd;
	pid_t pid;

	leaf_argv[0] = self;
	leaf_argv[1] = argv1;
	fflush(stdout);
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD;
	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	ca.exit_signal = SIGCHLD;
	ca.stack = (uint64_t)(uintptr_t)stack;
	ca.stack_size = sizeof(stack);
	pid = clone3_call(&ca, pidfd_child, NULL);
	if (pid <= 0 || pidfd < 0)
		return 1;
	memset(&si, 0, sizeof(si));
	if (syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED, NULL) ||
	    si.si_pid != pid || si.si_status)
		return 1;
	/* the next descriptor comes after the pidfd */
	fd = open("/dev/null", O_RDONLY);
	printf("pidfd %d, then fd %d\n", pidfd, fd);
	close(pidfd);
	return 0;
}

static int spawn_mode(void)
{
	pthread_t t;
	pid_t pid;
	void *ok;

	leaf_argv[0] = self;
	leaf_argv[1] = "leaf";
	fflush(stdout);
	if (posix_spawn(&pid, self, NULL, NULL, leaf_argv, environ) || !wait_ok(pid))
		return 1;
	/* and from a thread */
	if (pthread_create(&t, NULL, spawner, NULL) || pthread_join(t, &ok) || !ok)
		return 1;
	if (pidfd_spawn("leaf"))
		return 1;
	printf("rp_thr_fork spawn done\n");
	return 0;
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc > 1 && !strcmp(argv[1], "leaf"))
		return leaf();
	if (argc > 1 && !strcmp(argv[1], "quiet"))
		return 0;
	if (argc > 1 && !strcmp(argv[1], "thread"))
		return thread_mode();
	if (argc > 1 && !strcmp(argv[1], "parent"))
		return parent_mode();
	if (argc > 1 && !strcmp(argv[1], "spawn"))
		return spawn_mode();
	if (argc > 1 && !strcmp(argv[1], "thread_spawn")) {
		pthread_t t;
		void *ok;

		leaf_argv[0] = self;
		leaf_argv[1] = "quiet";
		if (pthread_create(&t, NULL, spawner, NULL) || pthread_join(t, &ok) || !ok)
			return 1;
		printf("rp_thr_fork thread_spawn done\n");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "pidfd")) {
		if (pidfd_spawn("quiet"))
			return 1;
		printf("rp_thr_fork pidfd done\n");
		return 0;
	}
	fprintf(stderr, "usage: rp_thr_fork thread|parent|spawn|pidfd|thread_spawn\n");
	return 2;
}
