// SPDX-License-Identifier: GPL-2.0
/*
 * `ttrec attach`: the vDSO of a running process. Its time functions never
 * enter the kernel, so the recorder would not see the clock reads; `ttrec
 * record` patches them at every exec stop (launch/vdso.c). Attach patches
 * them the same way with every thread of the process stopped, and puts the
 * kernel's bytes back at the end, so that the process runs on untraced
 * with its fast vDSO.
 *
 * Threads are stopped with PTRACE_SEIZE and PTRACE_INTERRUPT (nothing the
 * process can see, save that a syscall the stop interrupts is restarted).
 * No thread may stand inside the bytes being written: a thread whose ip is
 * in the vDSO is single-stepped until it has left it. A signal that
 * arrives meanwhile is held and delivered again when the threads go on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launch/launch.h"
#include "lib/log.h"
#include "record/attach_vdso.h"

/* How long a thread may take to leave the vDSO (it may be in a page fault). */
#define LEAVE_NS		5000000000ULL
/* Single steps out of the vDSO, before letting the thread run instead. */
#define LEAVE_STEPS		64

struct stopped {
	pid_t tid;
	bool gone;		/* exited while we held it */
	uint64_t held;		/* signals that came meanwhile (bit sig - 1) */
};

struct stop_set {
	pid_t tgid;
	struct stopped *t;
	int n, cap;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Wait for the next stop of @t until @deadline (0: no limit). A signal
 * stop's signal is held. 0 at a stop, -ESRCH if the thread is gone,
 * -ETIMEDOUT.
 */
static int wait_stop(struct stopped *t, uint64_t deadline)
{
	unsigned int spins = 0;
	int status;

	for (;;) {
		pid_t r = waitpid(t->tid, &status, __WALL | (deadline ? WNOHANG : 0));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (r == t->tid && (WIFEXITED(status) || WIFSIGNALED(status)))) {
			t->gone = true;
			return -ESRCH;
		}
		if (r == t->tid) {
			int sig = WSTOPSIG(status);

			/* a signal-delivery stop: not a trap of ours, nor a group stop */
			if (status >> 16 == 0 && sig != SIGTRAP && sig > 0 && sig <= 64)
				t->held |= 1ULL << (sig - 1);
			return 0;
		}
		if (mono_ns() >= deadline)
			return -ETIMEDOUT;
		if (++spins < 200)
			sched_yield();
		else
			usleep(1000);
	}
}

/* Seize and interrupt @tid into @s. 0, or -errno (-ESRCH: it has exited). */
static int stop_one(struct stop_set *s, pid_t tid)
{
	struct stopped *t;

	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 16;
		struct stopped *nt = realloc(s->t, cap * sizeof(*nt));

		if (!nt)
			return -ENOMEM;
		s->t = nt;
		s->cap = cap;
	}
	if (ptrace(PTRACE_SEIZE, tid, 0, 0))
		return -errno;
	t = &s->t[s->n++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0))
		return -errno;
	wait_stop(t, 0);
	return 0;
}

static bool have(const struct stop_set *s, pid_t tid)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->t[i].tid == tid)
			return true;
	return false;
}

/*
 * Stop every thread of @s->tgid: the list again until a pass finds no new
 * one (a thread not yet stopped may start another). 0 or -errno.
 */
static int stop_all(struct stop_set *s)
{
	char path[64];
	bool more = true;

	snprintf(path, sizeof(path), "/proc/%d/task", s->tgid);
	while (more) {
		struct dirent *de;
		DIR *d = opendir(path);

		if (!d)
			return -errno == -ENOENT ? -ESRCH : -errno;
		more = false;
		while ((de = readdir(d))) {
			int tid = atoi(de->d_name), err;

			if (tid <= 0 || have(s, tid))
				continue;
			err = stop_one(s, tid);
			if (err == -ESRCH)
				continue;
			if (err) {
				closedir(d);
				return err;
			}
			more = true;
		}
		closedir(d);
	}
	return s->n ? 0 : -ESRCH;
}

/* Let every thread go on, with the signals held for it. */
static void resume_all(struct stop_set *s)
{
	int i, sig;

	for (i = 0; i < s->n; i++) {
		struct stopped *t = &s->t[i];
		int first = 0;

		if (t->gone)
			continue;
		for (sig = 1; sig <= 64; sig++)
			if (t->held & (1ULL << (sig - 1))) {
				first = sig;
				break;
			}
		ptrace(PTRACE_DETACH, t->tid, 0, first);
		for (sig = first + 1; first && sig <= 64; sig++)
			if (t->held & (1ULL << (sig - 1)))
				syscall(SYS_tgkill, s->tgid, t->tid, sig);
	}
	free(s->t);
	s->t = NULL;
	s->n = s->cap = 0;
}

/* @t's ip, or 0 when it cannot be read (gone). */
static uint64_t ip_of(struct stopped *t)
{
	struct user_regs_struct regs;

	return ptrace(PTRACE_GETREGS, t->tid, 0, &regs) ? 0 : regs.rip;
}

/*
 * Get every thread whose ip is in [@lo, @hi) out of it: a few single steps
 * (a thread just inside a function, or at the stub's syscall, leaves in
 * as many); then, as stepping through a function's seqcount loop may never
 * end (a tick of the kernel's clock can come between every two steps on a
 * slow machine), let it run a moment and interrupt it, until it is found
 * outside. 0, or -EBUSY naming the thread that would not leave (blocked
 * in the kernel, or always found inside).
 */
static int leave_range(struct stop_set *s, uint64_t lo, uint64_t hi)
{
	int i;

	for (i = 0; i < s->n; i++) {
		struct stopped *t = &s->t[i];
		uint64_t deadline = mono_ns() + LEAVE_NS, ip;
		unsigned int tries = 0;

		while (!t->gone && (ip = ip_of(t)) >= lo && ip < hi) {
			bool step = tries < LEAVE_STEPS;

			if (mono_ns() >= deadline) {
				pr_warn("thread %d does not leave the vDSO (at %#llx)\n", t->tid,
					(unsigned long long)ip);
				return -EBUSY;
			}
			if (ptrace(step ? PTRACE_SINGLESTEP : PTRACE_CONT, t->tid, 0, 0))
				break;		/* gone */
			if (!step) {
				/* 0.1 ms, growing to 2 ms */
				usleep(100 * (tries - LEAVE_STEPS < 20 ? tries - LEAVE_STEPS + 1 : 20));
				ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
			}
			tries++;
			if (wait_stop(t, 0) == -ESRCH)
				break;
		}
	}
	return 0;
}

/* Stop @tgid, get every thread out of its vDSO, patch or put back, resume. */
static int apply(pid_t tgid, bool patch)
{
	struct stop_set s = { .tgid = tgid };
	uint64_t base, len;
	char path[64];
	int fd, err;

	err = vdso_mapping(tgid, &base, &len);
	if (err)
		return err == -ENOENT && kill(tgid, 0) ? -ESRCH : err;
	snprintf(path, sizeof(path), "/proc/%d/mem", tgid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* nothing to put back (an exec gave it a new vDSO): do not stop it */
	err = patch ? 0 : vdso_patched(fd, base);
	if (err <= 0 && !patch) {
		close(fd);
		return err;
	}
	err = stop_all(&s);
	if (!err)
		err = leave_range(&s, base, base + len);
	if (!err)
		err = patch ? vdso_patch(fd, base) : vdso_unpatch(fd, base);
	resume_all(&s);
	close(fd);
	return err;
}

int attach_vdso_patch(pid_t tgid)
{
	return apply(tgid, true);
}

int attach_vdso_unpatch(pid_t tgid)
{
	return apply(tgid, false);
}
