// SPDX-License-Identifier: GPL-2.0
/*
 * Workload: a SIGUSR1 to itself (handled), then a SIGALRM that interrupts
 * a blocking read() on a pipe (handler without SA_RESTART: -EINTR).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void handler(int sig)
{
	got++;
}

int main(void)
{
	struct sigaction sa;
	int p[2];
	char c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	kill(getpid(), SIGUSR1);
	if (pipe(p))
		return 1;
	alarm(1);
	if (read(p[0], &c, 1) < 0 && errno == EINTR)
		printf("read interrupted\n");
	printf("signals done got=%d\n", (int)got);
	return got == 2 ? 0 : 1;
}
