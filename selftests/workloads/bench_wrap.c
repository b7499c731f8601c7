// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark wrapper: bench_wrap GO_FIFO|- [--stdin FILE] CMD [ARGS...]
 * Waits for a line on GO_FIFO (so a recorder can attach first), then runs
 * CMD (stdin from FILE if given) and prints "elapsed SECONDS" of CMD to
 * stderr.
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	const char *in = NULL;
	int i = 2, st;
	pid_t pid;
	char c;

	if (argc < 3)
		errx(2, "usage: bench_wrap GO_FIFO|- [--stdin FILE] CMD [ARGS...]");
	if (!strcmp(argv[i], "--stdin")) {
		in = argv[i + 1];
		i += 2;
	}
	if (strcmp(argv[1], "-")) {
		int fd = open(argv[1], O_RDONLY);

		if (fd < 0 || read(fd, &c, 1) != 1)
			err(1, "go fifo");
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		if (in) {
			int fd = open(in, O_RDONLY);

			if (fd < 0 || dup2(fd, 0) < 0)
				err(127, "%s", in);
		}
		execvp(argv[i], argv + i);
		err(127, "%s", argv[i]);
	}
	waitpid(pid, &st, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "elapsed %.6f\n", b.tv_sec - a.tv_sec + (b.tv_nsec - a.tv_nsec) / 1e9);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
