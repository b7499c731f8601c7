// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: SIGCHLD of a followed child, as a shell gets it. Each
 * round the parent forks a child and lets it go (a byte through a pipe:
 * the parent is then waiting on the other pipe when the child ends), the
 * child answers with a byte and exits; the parent reads it, then spins in user space (no syscall) until
 * SIGCHLD has come, at most SPIN_MAX times. Its handler reaps the child
 * with waitpid(WNOHANG) into a status on its own stack, as bash's does, and
 * notes how far the spinning had got. Prints per round the spins and the
 * child's status: where SIGCHLD came is part of the output.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS		8
#define SPIN_MAX	50000000UL

static volatile unsigned long spins;
static volatile sig_atomic_t reaped;
static volatile int child_status;
static volatile unsigned long spins_at_signal;

static void on_chld(int sig)
{
	int st;

	spins_at_signal = spins;
	while (waitpid(-1, &st, WNOHANG) > 0) {
		child_status = st;
		reaped++;
	}
}

int main(void)
{
	struct sigaction sa;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	for (r = 0; r < ROUNDS; r++) {
		int go[2], p[2];
		pid_t pid;
		char c;

		if (pipe(go) || pipe(p))
			return 1;
		reaped = 0;
		spins = 0;
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			close(go[1]);
			close(p[0]);
			if (read(go[0], &c, 1) != 1)
				_exit(1);
			c = 'a' + r;
			if (write(p[1], &c, 1) != 1)
				_exit(1);
			_exit(r);
		}
		close(go[0]);
		close(p[1]);
		c = 'g';
		if (write(go[1], &c, 1) != 1 || read(p[0], &c, 1) != 1)
			return 1;
		close(go[1]);
		close(p[0]);
		while (!reaped && spins < SPIN_MAX)
			spins++;
		while (!reaped)
			usleep(1000);
		printf("round %d: got %c, SIGCHLD after %lu spins, status %#x\n", r, c,
		       spins_at_signal, child_status);
	}
	printf("rp_sigchld done\n");
	return 0;
}
