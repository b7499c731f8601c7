// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: a program with seccomp filters of its own. Every check
 * prints "ok NAME" or "BAD NAME: ..." with what it got, as it would
 * without ttrec, so the workload verifies itself in the recording and a
 * replay must print the same. argv[1]:
 *
 *   filter   PR_GET_SECCOMP before (0) and after (2) a filter that
 *            returns SECCOMP_RET_ERRNO for uname (ENOMSG) and for
 *            getppid (0: the syscall does not run), and SECCOMP_RET_TRAP
 *            for getpriority: a SIGSYS handler checks its siginfo
 *            (si_code SYS_SECCOMP, si_errno the filter's data, si_syscall,
 *            si_arch, si_call_addr) and the registers it interrupted; a
 *            second filter stacked on it; a child inherits them;
 *            SECCOMP_GET_ACTION_AVAIL, SECCOMP_GET_NOTIF_SIZES
 *   strict   a child enters strict mode (SECCOMP_SET_MODE_STRICT), may
 *            still write, and dies of SIGKILL at its next other syscall
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "rp_common.h"

#ifndef SYS_SECCOMP
#define SYS_SECCOMP	1	/* si_code of a SIGSYS a filter sent */
#endif

#define TRAP_DATA	7

static volatile sig_atomic_t nsys;
static siginfo_t sys_si;
static long long sys_rax, sys_rip;

static void on_sigsys(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;

	(void)sig;
	nsys++;
	sys_si = *si;
	sys_rax = uc->uc_mcontext.gregs[REG_RAX];
	sys_rip = uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_RAX] = -ENOTSUP;	/* what the syscall returns */
}

static int install(struct sock_filter *f, unsigned short len)
{
	struct sock_fprog prog = { .len = len, .filter = f };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int do_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_uname, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOMSG),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpriority, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | TRAP_DATA),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter g[] = {	/* the second: getsid fails with EACCES */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getsid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	struct seccomp_notif_sizes sizes = { 0 };
	uint32_t act = SECCOMP_RET_TRAP;
	struct utsname u;
	long r;
	int st;
	pid_t c;

	check("get_seccomp_before", prctl(PR_GET_SECCOMP) == 0, "%d", prctl(PR_GET_SECCOMP));
	check("action_avail", !syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act), "%s",
	      strerror(errno));
	check("notif_sizes", !syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) &&
	      sizes.seccomp_notif >= 80, "%u", sizes.seccomp_notif);
	sigaction(SIGSYS, &sa, NULL);
	check("no_new_privs", !prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "%s", strerror(errno));
	check("install", !install(f, sizeof(f) / sizeof(f[0])), "%s", strerror(errno));
	check("get_seccomp_after", prctl(PR_GET_SECCOMP) == 2, "%d", prctl(PR_GET_SECCOMP));
	errno = 0;
	r = uname(&u);
	check("errno", r == -1 && errno == ENOMSG, "uname %ld errno %d", r, errno);
	r = syscall(SYS_getppid);
	check("errno_0", r == 0, "getppid %ld", r);
	r = syscall(SYS_getpriority, PRIO_PROCESS, 0);
	check("trap_ret", r == -1 && errno == ENOTSUP && nsys == 1, "getpriority %ld errno %d n %d",
	      r, errno, (int)nsys);
	check("trap_siginfo", sys_si.si_signo == SIGSYS && sys_si.si_code == SYS_SECCOMP &&
	      sys_si.si_errno == TRAP_DATA && sys_si.si_syscall == SYS_getpriority &&
	      sys_si.si_arch == AUDIT_ARCH_X86_64 && (long long)sys_si.si_call_addr == sys_rip,
	      "code %d errno %d syscall %d arch %#x call_addr %p rip %#llx", sys_si.si_code,
	      sys_si.si_errno, sys_si.si_syscall, sys_si.si_arch, sys_si.si_call_addr, sys_rip);
	check("trap_regs", sys_rax == SYS_getpriority, "rax %lld", sys_rax);
	check("stacked", !install(g, sizeof(g) / sizeof(g[0])), "%s", strerror(errno));
	r = getsid(0);
	check("stacked_errno", r == -1 && errno == EACCES, "getsid %ld errno %d", r, errno);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		r = uname(&u);
		_exit(r == -1 && errno == ENOMSG && syscall(SYS_getppid) == 0 &&
		      prctl(PR_GET_SECCOMP) == 2 ? 5 : 6);
	}
	waitpid(c, &st, 0);
	check("inherited", WIFEXITED(st) && WEXITSTATUS(st) == 5, "status %#x", st);
	return 0;
}

static int do_strict(void)
{
	static const char msg[] = "strict: written\n";
	int st;
	pid_t c;

	fflush(stdout);
	c = fork();
	if (c == 0) {
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL))
			_exit(9);
		if (syscall(SYS_write, 1, msg, sizeof(msg) - 1) != sizeof(msg) - 1)
			syscall(SYS_exit, 8);
		syscall(SYS_getpid);		/* killed here */
		syscall(SYS_exit, 10);
	}
	waitpid(c, &st, 0);
	check("strict_killed", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "filter";
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "filter"))
		err = do_filter();
	else if (!strcmp(mode, "strict"))
		err = do_strict();
	else
		return 2;
	printf("rp_seccomp %s %s\n", mode, err || nbad ? "FAILED" : "done");
	return err || nbad;
}
