// SPDX-License-Identifier: GPL-2.0
/*
 * The pids of the restored process: it gets the process id and thread ids
 * it had, with clone3()'s set_tid, which takes CAP_CHECKPOINT_RESTORE (or
 * CAP_SYS_ADMIN) over the pid namespace and fails with EEXIST when the pid
 * is in use, so there is no window for another process to take it between
 * the choice and the clone (ns_last_pid is never written).
 *
 * In the caller's pid namespace every id must be free. With --pidns the
 * restore unshares a new pid namespace; its first child is its init (pid
 * 1), a process of ttrec's that creates the stub with set_tid = { the
 * image's pid } (the innermost level: the ids outside are whatever is
 * free), reaps whatever is left to it and exits with the restored
 * process's status. Thread ids are set the same way, so inside the
 * namespace getpid() and gettid() return what they returned when the
 * snapshot was taken. The init must be pid 1 first: the kernel refuses a
 * set_tid other than 1 in a namespace without an init.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/sched.h>

#include "restore/internal.h"
#include "lib/log.h"

#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE	40
#endif

static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[cap / 32].effective & (1U << (cap % 32));
}

int rst_check_privileges(const struct rst *r)
{
	bool admin = has_cap(CAP_SYS_ADMIN);

	if (!admin && !has_cap(CAP_CHECKPOINT_RESTORE)) {
		pr_err("restore: needs root: giving the process the pid and thread ids it had (clone3's set_tid) takes CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN\n");
		return -EPERM;
	}
	if (r->o->pidns && !admin) {
		pr_err("restore: --pidns needs root: a new pid namespace takes CAP_SYS_ADMIN\n");
		return -EPERM;
	}
	return 0;
}

static int pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	int v = 32768;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 32768;
		fclose(f);
	}
	return v;
}

int rst_check_pids(const struct rst *r)
{
	int max = pid_max();

	if (r->o->pidns && r->pid == 1) {
		pr_err("restore: the image's process was pid 1; --pidns cannot give it pid 1 (the namespace's init has it)\n");
		return -EINVAL;
	}
	for (uint32_t i = 0; i < r->nthr; i++) {
		pid_t tid = r->thr[i].tid;
		char path[64], comm[32] = "";
		struct stat sb;
		FILE *f;

		if (tid <= 0 || tid >= max) {
			pr_err("restore: %s id %d is beyond this system's pid_max (%d)\n",
			       r->thr[i].leader ? "the process" : "a thread", tid, max);
			return -ERANGE;
		}
		if (r->o->pidns)
			continue;
		snprintf(path, sizeof(path), "/proc/%d", tid);
		if (stat(path, &sb))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", tid);
		f = fopen(path, "re");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = 0;
			fclose(f);
		}
		pr_err("restore: %s %d is taken (now by %s%s%s); restore into a new pid namespace with --pidns\n",
		       tid == r->pid ? "pid" : "thread id", tid, comm[0] ? "'" : "a process",
		       comm, comm[0] ? "'" : "");
		return -EEXIST;
	}
	return 0;
}

uint32_t rst_set_tid(const struct rst *r, pid_t tid, int32_t *arr)
{
	/* the innermost namespace first: ours, or the new one of --pidns */
	arr[0] = tid;
	return 1;
}

/* Exit as @st says (the restored process's wait status). */
static void __attribute__((noreturn)) exit_as(int st)
{
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* The --pidns init: pid 1 of the new namespace. */
static void __attribute__((noreturn)) ns_init(struct rst *r, int report)
{
	struct clone_args ca = { .exit_signal = SIGCHLD };
	int32_t set_tid[1];
	int st, stub_st = 0;
	pid_t stub, w;

	prctl(PR_SET_NAME, "ttrec-pidns");
	ca.set_tid_size = rst_set_tid(r, r->pid, set_tid);
	ca.set_tid = (uintptr_t)set_tid;
	stub = syscall(SYS_clone3, &ca, sizeof(ca));
	if (stub == 0)
		rst_stub_child(report);
	if (stub < 0) {
		int err = -errno;

		if (write(report, &err, sizeof(err)) != sizeof(err))
			_exit(127);
		_exit(127);
	}
	close(report);
	for (;;) {
		w = wait(&st);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		if (w == stub)
			stub_st = st;
	}
	exit_as(stub_st);
}

int rst_pidns_start(struct rst *r)
{
	int p[2], err, got = 0;
	ssize_t n;
	pid_t init;

	if (unshare(CLONE_NEWPID)) {
		err = -errno;
		pr_err("restore: --pidns: cannot create a pid namespace: %s\n", strerror(-err));
		return err;
	}
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	init = fork();
	if (init < 0) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (init == 0) {
		close(p[0]);
		ns_init(r, p[1]);
	}
	r->init_hpid = init;
	close(p[1]);
	do
		n = read(p[0], &got, sizeof(got));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n != sizeof(got) || got <= 0) {
		err = n == sizeof(got) ? got : -ECHILD;
		if (err == -EEXIST)
			pr_err("restore: pid %d is taken in the new namespace\n", r->pid);
		else
			pr_err("restore: --pidns: the new namespace's init could not create the process: %s\n",
			       strerror(-err));
		return err;
	}
	r->hpid = got;
	return 0;
}

void rst_kill(struct rst *r)
{
	if (r->hpid > 0) {
		kill(r->hpid, SIGKILL);
		/*
		 * Reaped by us even when it is the --pidns init's child: as
		 * its tracer we see its death first, and until we do, the
		 * init (waiting for its namespace to empty) never exits.
		 */
		waitpid(r->hpid, NULL, __WALL);
		r->hpid = 0;
	}
	if (r->init_hpid > 0) {
		kill(r->init_hpid, SIGKILL);
		waitpid(r->init_hpid, NULL, 0);
		r->init_hpid = 0;
	}
}
