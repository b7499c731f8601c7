// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: signals. A SIGALRM (setitimer) interrupts a blocking
 * read() with SA_RESTART (the read restarts and gets data a child thread
 * writes later), a handler on an alternate stack, sigsuspend(), a blocked
 * signal that becomes pending and is delivered at sigprocmask(), and a
 * signal raised from inside a handler. Prints what happened.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "rp_common.h"

static volatile sig_atomic_t n_alrm, n_usr1, n_usr2, on_alt;
static char altstack[65536];
static int p[2];

static void h_alrm(int sig)
{
	n_alrm++;
}

static void h_usr1(int sig, siginfo_t *si, void *uc)
{
	char here;

	n_usr1++;
	on_alt = &here >= altstack && &here < altstack + sizeof(altstack);
	if (n_usr1 == 1)
		raise(SIGUSR2);		/* nested */
}

static void h_usr2(int sig)
{
	n_usr2++;
}

static void *writer(void *arg)
{
	struct timespec ts = { 0, 300 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	if (write(p[1], "x", 1) != 1)
		abort();
	return NULL;
}

int main(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 100 * 1000 } };
	struct sigaction sa;
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	sigset_t block, old, none;
	pthread_t th;
	char c = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h_alrm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = h_usr2;
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	sigaltstack(&ss, NULL);
	sa.sa_sigaction = h_usr1;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);

	/* SIGALRM interrupts the read, which restarts */
	if (pipe(p))
		return 1;
	pthread_create(&th, NULL, writer, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	if (read(p[0], &c, 1) != 1)
		return 1;
	pthread_join(th, NULL);
	printf("read restarted: got '%c' after %d alarm(s)\n", c, (int)n_alrm);

	/* on the alternate stack, raising another one inside */
	kill(getpid(), SIGUSR1);
	printf("usr1 %d usr2 %d on altstack %d\n", (int)n_usr1, (int)n_usr2, (int)on_alt);

	/* blocked, pending, delivered when unblocked */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR2);
	printf("usr2 while blocked %d\n", (int)n_usr2);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("usr2 after unblock %d\n", (int)n_usr2);

	/* sigsuspend until the timer fires */
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	it.it_value.tv_usec = 50 * 1000;
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	sigsuspend(&none);
	printf("alarms %d usr2 %d after sigsuspend\n", (int)n_alrm, (int)n_usr2);
	printf("rp_sigs done\n");
	return 0;
}
