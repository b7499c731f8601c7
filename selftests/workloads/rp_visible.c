// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: what a program could see of its recording. Every check
 * prints "ok NAME" or "BAD NAME: ..." with what it got, as it would
 * without ttrec, so the workload verifies itself in the recording and a
 * replay must print the same. argv[1]:
 *
 *   self     no tracer (TracerPid 0), no seccomp mode (PR_GET_SECCOMP 0),
 *            rseq registered by libc in the main thread and in a new one,
 *            its cpu_id the CPU getcpu() says; the vDSO's clock
 *   traceme  a child calls PTRACE_TRACEME and stops: its parent sees the
 *            stop, then every syscall it makes (PTRACE_SYSCALL,
 *            PTRACE_GETREGS, PTRACE_GET_SYSCALL_INFO, PTRACE_GETREGSET,
 *            PTRACE_PEEKDATA), then its exit
 *   seize    a child blocked in read() is PTRACE_SEIZE'd, interrupted
 *            (PTRACE_EVENT_STOP), followed to the read's return, detached
 *   exec     a child traced with PTRACE_TRACEME execs this program again
 *            ("clock"): its parent sees the SIGTRAP after the exec, then
 *            the child prints the time its vDSO gives
 *   clock    print CLOCK_REALTIME and CLOCK_MONOTONIC (the vDSO's)
 *   cpus     move to each CPU it may use in turn (sched_setaffinity) and
 *            print the one sched_getcpu() says (glibc asks the rseq area
 *            when rseq is registered, else getcpu)
 */
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/ptrace.h>

#include "rp_common.h"

/* A number field of /proc/self/status, -1 if absent. */
static long status_field(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && sscanf(line + n, "%ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* This thread's rseq area, as glibc registered it (NULL: not registered). */
static struct rseq *rseq_area(void)
{
	if (!__rseq_size)
		return NULL;
	return (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
}

/* rseq registered for this thread, its cpu_id what getcpu() says. */
static void check_rseq(const char *name)
{
	struct rseq *r = rseq_area();
	unsigned int cpu = -1;

	syscall(SYS_getcpu, &cpu, NULL, NULL);
	check(name, r && (int)r->cpu_id >= 0 && r->cpu_id == cpu && r->cpu_id_start == cpu,
	      "rseq size %u, cpu_id %d, getcpu %u", __rseq_size, r ? (int)r->cpu_id : -9, cpu);
}

static void *thread_rseq(void *arg)
{
	(void)arg;
	check_rseq("rseq_thread");
	return NULL;
}

static int do_self(void)
{
	struct timespec ts;
	pthread_t th;

	check("tracerpid", status_field("TracerPid:") == 0, "TracerPid %ld",
	      status_field("TracerPid:"));
	check("pr_get_seccomp", prctl(PR_GET_SECCOMP) == 0, "PR_GET_SECCOMP %d",
	      prctl(PR_GET_SECCOMP));
	check_rseq("rseq");
	check("sched_getcpu", sched_getcpu() == (int)rseq_area()->cpu_id, "sched_getcpu %d",
	      sched_getcpu());
	if (pthread_create(&th, NULL, thread_rseq, NULL) || pthread_join(th, NULL))
		check("rseq_thread", 0, "no thread");
	check("vdso", getauxval(AT_SYSINFO_EHDR) != 0, "no vDSO");
	clock_gettime(CLOCK_REALTIME, &ts);
	printf("realtime %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	return 0;
}

/* Wait for @pid: its wait status. */
static int wait_for(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, __WALL) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

static int do_traceme(void)
{
	struct ptrace_syscall_info info;
	struct user_regs_struct regs, rs2;
	struct iovec iov = { &rs2, sizeof(rs2) };
	int st, stops = 0, getppids = 0, entries = 0;
	static long word = 0x5ee5ee;
	long peek;
	pid_t c;

	c = fork();
	if (c == 0) {
		check("child_traceme", ptrace(PTRACE_TRACEME, 0, 0, 0) == 0, "%s", strerror(errno));
		raise(SIGSTOP);
		word = 0x1234;
		syscall(SYS_getppid);
		syscall(SYS_getppid);
		_exit(7);
	}
	st = wait_for(c);
	check("traceme_stop", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status %#x", st);
	check("setoptions", !ptrace(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL),
	      "%s", strerror(errno));
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, c, 0, 0))
			break;
		st = wait_for(c);
		if (!WIFSTOPPED(st))
			break;
		if (WSTOPSIG(st) != (SIGTRAP | 0x80))
			continue;
		stops++;
		if (ptrace(PTRACE_GETREGS, c, 0, &regs))
			break;
		if (ptrace(PTRACE_GETREGSET, c, NT_PRSTATUS, &iov) || iov.iov_len != sizeof(rs2) ||
		    rs2.orig_rax != regs.orig_rax)
			check("getregset", 0, "len %zu", iov.iov_len);
		if (ptrace(PTRACE_GET_SYSCALL_INFO, c, sizeof(info), &info) <= 0)
			break;
		if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
			entries++;
			getppids += info.entry.nr == SYS_getppid;
		}
	}
	check("traceme_exit", WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
	errno = 0;
	peek = ptrace(PTRACE_PEEKDATA, c, &word, 0);
	check("peek_after_exit", peek == -1 && errno == ESRCH, "peek %lx errno %d", peek, errno);
	printf("syscall stops %d, entries %d, getppid %d\n", stops, entries, getppids);
	check("syscalls_seen", getppids == 2 && entries >= 3, "getppid %d", getppids);
	return 0;
}

static int do_seize(void)
{
	struct user_regs_struct regs;
	unsigned long msg = 1;
	int p[2], st;
	char b = 'x';
	pid_t c;

	if (pipe(p))
		return 1;
	c = fork();
	if (c == 0) {
		close(p[1]);
		if (read(p[0], &b, 1) != 1)
			_exit(1);
		_exit(b == 'x' ? 3 : 4);
	}
	close(p[0]);
	check("seize", !ptrace(PTRACE_SEIZE, c, 0, PTRACE_O_TRACESYSGOOD), "%s", strerror(errno));
	check("interrupt", !ptrace(PTRACE_INTERRUPT, c, 0, 0), "%s", strerror(errno));
	st = wait_for(c);
	check("event_stop", WIFSTOPPED(st) && (st >> 16) == PTRACE_EVENT_STOP, "status %#x", st);
	check("geteventmsg", !ptrace(PTRACE_GETEVENTMSG, c, 0, &msg) && msg == 0, "msg %lu", msg);
	if (write(p[1], &b, 1) != 1)
		return 1;
	/*
	 * Stopped wherever it was (in its read, which is restarted, or
	 * before it): syscall stops up to the read's exit.
	 */
	do {
		ptrace(PTRACE_SYSCALL, c, 0, 0);
		st = wait_for(c);
		ptrace(PTRACE_GETREGS, c, 0, &regs);
	} while (WIFSTOPPED(st) && (regs.orig_rax != SYS_read || (long long)regs.rax == -ENOSYS));
	check("read_exit", WIFSTOPPED(st) && regs.orig_rax == SYS_read && regs.rax == 1,
	      "status %#x nr %llu rax %lld", st, regs.orig_rax, (long long)regs.rax);
	check("detach", !ptrace(PTRACE_DETACH, c, 0, 0), "%s", strerror(errno));
	st = wait_for(c);
	check("seized_exit", WIFEXITED(st) && WEXITSTATUS(st) == 3, "status %#x", st);
	return 0;
}

static int do_exec(const char *self)
{
	siginfo_t si;
	int st;
	pid_t c;

	fflush(stdout);
	c = fork();
	if (c == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		execl(self, self, "clock", (char *)NULL);
		_exit(127);
	}
	st = wait_for(c);
	check("exec_sigstop", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status %#x", st);
	ptrace(PTRACE_CONT, c, 0, 0);
	st = wait_for(c);
	check("exec_sigtrap", WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP, "status %#x", st);
	check("exec_siginfo", !ptrace(PTRACE_GETSIGINFO, c, 0, &si) && si.si_signo == SIGTRAP,
	      "%s", strerror(errno));
	ptrace(PTRACE_CONT, c, 0, 0);
	st = wait_for(c);
	check("exec_exit", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	return 0;
}

static int do_clock(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	printf("clock %lld.%09ld %lld.%09ld tracerpid %s\n", (long long)rt.tv_sec, rt.tv_nsec,
	       (long long)mono.tv_sec, mono.tv_nsec, status_field("TracerPid:") > 0 ? "set" : "0");
	return 0;
}

static int do_cpus(void)
{
	cpu_set_t all, one;
	int cpu;

	if (sched_getaffinity(0, sizeof(all), &all))
		return 1;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			return 1;
		printf("on cpu %d: sched_getcpu %d\n", cpu, sched_getcpu());
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "self";
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "clock"))
		return do_clock();
	if (!strcmp(mode, "self"))
		err = do_self();
	else if (!strcmp(mode, "traceme"))
		err = do_traceme();
	else if (!strcmp(mode, "seize"))
		err = do_seize();
	else if (!strcmp(mode, "exec"))
		err = do_exec(argv[0]);
	else if (!strcmp(mode, "cpus"))
		err = do_cpus();
	else
		return 2;
	printf("rp_visible %s %s\n", mode, err || nbad ? "FAILED" : "done");
	return err || nbad;
}
