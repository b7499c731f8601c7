// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: what a program learns about where it runs: argv, the
 * environment, its cwd, uname, ids, limits, sysinfo, its own pid and the
 * pids of threads, then exits with status 7 through an atexit handler.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "rp_common.h"

extern char **environ;

static void *th(void *arg)
{
	*(pid_t *)arg = gettid();
	return NULL;
}

static void bye(void)
{
	printf("rp_env done\n");
}

int main(int argc, char **argv)
{
	uint64_t h = FNV0;
	struct utsname u;
	struct rlimit rl;
	struct sysinfo si;
	char cwd[4096];
	pthread_t t;
	pid_t tid = 0;
	int i;

	for (i = 0; i < argc; i++)
		h = fnv(h, argv[i], strlen(argv[i]) + 1);
	digest("argv", h);
	h = FNV0;
	for (i = 0; environ[i]; i++)
		h = fnv(h, environ[i], strlen(environ[i]) + 1);
	digest("env", h);
	if (!getcwd(cwd, sizeof(cwd)))
		return 1;
	uname(&u);
	getrlimit(RLIMIT_NOFILE, &rl);
	sysinfo(&si);
	pthread_create(&t, NULL, th, &tid);
	pthread_join(t, NULL);
	h = fnv(FNV0, cwd, strlen(cwd));
	h = fnv(h, &u, sizeof(u));
	h = fnv(h, &rl, sizeof(rl));
	h = fnv(h, &si.uptime, sizeof(si.uptime));
	digest("machine", h);
	printf("pid %d ppid %d tid %d uid %d thread %d\n", getpid(), getppid(),
	       (int)syscall(SYS_gettid), getuid(), tid);
	atexit(bye);
	exit(7);
}
