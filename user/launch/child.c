// SPDX-License-Identifier: GPL-2.0
/*
 * Starting the command the same way in `ttrec record` and `ttrec replay`:
 * what a replay must reproduce for the program's first instruction to see
 * the same machine as in the recording.
 *
 * - The address space: ADDR_NO_RANDOMIZE (personality), the same
 *   RLIMIT_STACK (it places mmap_base), the same argv, environment and
 *   execve file name (they fill the initial stack).
 * - The 16 AT_RANDOM bytes (stack protector and pointer guard): recorded
 *   at the exec stop, written back at the replay's exec stop.
 * - The vDSO: turned into syscalls at the exec stop (vdso.c).
 * - rseq: the kernel writes the current cpu into a registered rseq area
 *   behind the program's back. The command runs on one CPU, so that is
 *   one number, and the replay runs on that CPU too (launch_pin_cpu()).
 *   Where it may run on several (--all-cpus), the recorder's filter
 *   refuses rseq (record/child.c).
 * - The inherited descriptors and the ignored and blocked signals.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/launch.h"

int launch_resolve_exe(const char *file, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *e;
	struct stat st;
	int err = -ENOENT;

	if (!*file)
		return -ENOENT;
	if (strchr(file, '/')) {
		if ((size_t)snprintf(out, len, "%s", file) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (p = path;; p = e + 1) {
		e = strchrnul(p, ':');
		if ((size_t)snprintf(out, len, "%.*s%s%s", (int)(e - p), p,
				     e == p ? "" : "/", file) < len) {
			if (!stat(out, &st) && S_ISREG(st.st_mode)) {
				if (!access(out, X_OK))
					return 0;
				err = -EACCES;
			}
		}
		if (!*e)
			break;
	}
	return err;
}

int launch_pick_cpu(void)
{
	cpu_set_t set;
	int cpu;

	/* on a single CPU the recorder itself must get its turns */
	if (sched_getaffinity(0, sizeof(set), &set) || CPU_COUNT(&set) < 2)
		return -1;
	for (cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--)
		if (CPU_ISSET(cpu, &set))
			return cpu;
	return -1;
}

int launch_only_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set) || CPU_COUNT(&set) != 1)
		return -1;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			return cpu;
	return -1;
}

int launch_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

int launch_child_prepare(int cpu)
{
	int pers = personality(0xffffffff), err;

	if (pers == -1 || personality(pers | ADDR_NO_RANDOMIZE) == -1)
		return -errno;
	if (cpu >= 0) {
		struct sched_param sp = { .sched_priority = LAUNCH_RR_PRIO };

		err = launch_pin_cpu(cpu);
		if (err)
			return err;
		/*
		 * Real-time round robin: a thread runs until it blocks or its
		 * 100 ms slice ends, never preempted by a thread it woke:
		 * threads interleave at their syscalls, as replay runs them,
		 * save a rare slice end. (FIFO would have no slice end at all,
		 * but a thread polling for its sibling would then never let
		 * it run.) Best effort.
		 */
		sched_setscheduler(0, SCHED_RR, &sp);
	}
	return 0;
}

static int read_auxv(pid_t pid, uint64_t *random, uint64_t *vdso)
{
	char path[64];
	uint64_t av[2 * 64];
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, av, sizeof(av));
	close(fd);
	if (n < 0)
		return -errno;
	*random = *vdso = 0;
	for (i = 0; i + 1 < n / 8; i += 2) {
		if (av[i] == AT_RANDOM)
			*random = av[i + 1];
		else if (av[i] == AT_SYSINFO_EHDR)
			*vdso = av[i + 1];
	}
	return *random ? 0 : -ENOENT;
}

int launch_exec_stop(pid_t pid, bool patch, struct launch_exec *ex)
{
	char path[64];
	int fd, err;

	memset(ex, 0, sizeof(*ex));
	ex->vdso_patched = -1;
	err = read_auxv(pid, &ex->at_random_addr, &ex->vdso);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, ex->at_random, 16, ex->at_random_addr) != 16) {
		close(fd);
		return -EIO;
	}
	if (patch && ex->vdso) {
		err = vdso_patch(fd, ex->vdso);
		if (err < 0) {
			close(fd);
			return err;
		}
		ex->vdso_patched = err;
	}
	close(fd);
	return 0;
}

int launch_read_sigs(pid_t pid, uint64_t *ignored, uint64_t *blocked)
{
	char path[64], line[256];
	unsigned long long v;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "SigIgn: %llx", &v) == 1) {
			*ignored = v;
			found |= 1;
		} else if (sscanf(line, "SigBlk: %llx", &v) == 1) {
			*blocked = v;
			found |= 2;
		}
	}
	fclose(f);
	return found == 3 ? 0 : -ENOENT;
}

void launch_child_set_sigs(uint64_t ignored, uint64_t blocked)
{
	struct sigaction sa;
	sigset_t set;
	int sig;

	memset(&sa, 0, sizeof(sa));
	for (sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		sa.sa_handler = ignored & (1ULL << (sig - 1)) ? SIG_IGN : SIG_DFL;
		sigaction(sig, &sa, NULL);
	}
	sigemptyset(&set);
	for (sig = 1; sig <= 64; sig++)
		if (blocked & (1ULL << (sig - 1)))
			sigaddset(&set, sig);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int launch_list_fds(pid_t pid, int *fds, int max)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end || v < 0 || v > INT_MAX)
			continue;
		if (n == max) {
			closedir(d);
			return -E2BIG;
		}
		fds[n++] = (int)v;
	}
	closedir(d);
	qsort(fds, n, sizeof(int), cmp_int);
	return n;
}
