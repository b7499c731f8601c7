/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Starting a workload the tests talk to: a child with pipes on its stdin
 * (commands) and stdout (its answers).
 */
#ifndef TTREC_SELFTESTS_PIPED_H
#define TTREC_SELFTESTS_PIPED_H

#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

/* Run @argv (argv[0] a path) with pipes on stdin and stdout: its pid, or -1. */
static inline pid_t spawn_piped(char *const argv[], FILE **in, FILE **out)
{
	int pin[2], pout[2];
	pid_t pid;

	if (pipe(pin))
		return -1;
	if (pipe(pout)) {
		close(pin[0]);
		close(pin[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		close(pin[0]);
		close(pin[1]);
		close(pout[0]);
		close(pout[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	if (pid < 0) {
		close(pin[1]);
		close(pout[0]);
		return -1;
	}
	*in = fdopen(pin[1], "w");
	*out = fdopen(pout[0], "r");
	return pid;
}

#endif
