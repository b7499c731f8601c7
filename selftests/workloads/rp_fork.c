// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: fork without exec. Two children: one reads
 * getrandom() and the clock and sends a digest through a pipe, the other
 * kills itself with SIGTERM; the parent reads the pipe, reaps both (a
 * SIGCHLD handler counts them) and prints what it got.
 */
#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rp_common.h"

static volatile sig_atomic_t chld;

static void on_chld(int sig)
{
	chld++;
}

int main(void)
{
	struct sigaction sa;
	int p[2], st1 = 0, st2 = 0;
	uint64_t h = 0;
	pid_t a, b;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	if (pipe(p))
		return 1;
	a = fork();
	if (a == 0) {
		uint8_t r[32];
		struct timespec ts;
		uint64_t d;

		close(p[0]);
		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			_exit(1);
		clock_gettime(CLOCK_REALTIME, &ts);
		d = fnv(fnv(FNV0, r, sizeof(r)), &ts, sizeof(ts));
		if (write(p[1], &d, sizeof(d)) != sizeof(d))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &h, sizeof(h)) != sizeof(h))
		return 1;
	b = fork();
	if (b == 0) {
		kill(getpid(), SIGTERM);
		_exit(9);
	}
	waitpid(a, &st1, 0);
	waitpid(b, &st2, 0);
	digest("child", h);
	printf("statuses %#x %#x\n", st1, st2);
	printf("rp_fork done\n");
	return 0;
}
