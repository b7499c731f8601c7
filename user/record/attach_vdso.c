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

/* How long a step may take before a thread not running counts as blocked. */
#define LEAVE_NS		2000000000ULL
/* Steps out of the vDSO at most: its longest function is a few hundred. */
#define LEAVE_STEPS		100000

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

/* Whether @tid of @tgid is running or runnable ('R' in its stat). */
static bool running(pid_t tgid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", tgid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'R';
}

/*
 * Single-step every thread whose ip is in [@lo, @hi) until it is out.
 * 0, or -EBUSY naming the thread that would not leave.
 */
static int leave_range(struct stop_set *s, uint64_t lo, uint64_t hi)
{
	int i;

	for (i = 0; i < s->n; i++) {
		struct stopped *t = &s->t[i];
		unsigned int steps = 0;

		while (!t->gone) {
			struct user_regs_struct regs;
			int err;

			if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs))
				break;
			if (regs.rip < lo || regs.rip >= hi)
				break;
			if (steps++ == LEAVE_STEPS ||
			    ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0)) {
				pr_warn("thread %d stays in the vDSO at %#llx\n", t->tid,
					(unsigned long long)regs.rip);
				return -EBUSY;
			}
			/*
			 * A step that does not stop within LEAVE_NS while the
			 * thread is not running is one blocked in the kernel
			 * (a slow machine may take long to run one that is).
			 */
			do
				err = wait_stop(t, mono_ns() + LEAVE_NS);
			while (err == -ETIMEDOUT && running(s->tgid, t->tid));
			if (err == -ETIMEDOUT) {
				/* blocked in the kernel: stop it again and give up */
				ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
				wait_stop(t, 0);
				pr_warn("thread %d does not leave the vDSO (blocked at %#llx)\n",
					t->tid, (unsigned long long)regs.rip);
				return -EBUSY;
			}
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
