// SPDX-License-Identifier: GPL-2.0
/*
 * Workload: fork; the child execs this program again with "child", which
 * reads 64 bytes of getrandom() and prints their digest; the parent waits.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child")) {
		uint8_t b[64];
		uint64_t h = 0xcbf29ce484222325ULL;

		if (getrandom(b, sizeof(b), 0) != sizeof(b))
			return 1;
		for (size_t i = 0; i < sizeof(b); i++)
			h = (h ^ b[i]) * 0x100000001b3ULL;
		printf("digest child %016llx pid %d\n", (unsigned long long)h, getpid());
		return 0;
	}
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "child", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("forkexec done status %d\n", st);
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : 1;
}
