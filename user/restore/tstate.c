// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread kernel state of the restored threads, and how an interrupted
 * system call goes on.
 *
 * State: each thread's clear_child_tid (set_tid_address(): the word the
 * kernel zeroes and wakes when the thread exits, which pthread_join()
 * waits on) and rseq registration (the area where the kernel keeps the
 * thread's CPU number, glibc's sched_getcpu()), made by the thread itself
 * with an injected call. Images do not hold this state yet; glibc.c finds
 * what glibc set up in the image's memory. A thread whose state is not
 * known gets none: its rseq area is no longer updated (sched_getcpu()
 * returns the CPU of the snapshot), pthread_join() on it would not return.
 *
 * Interrupted system calls (the snapshot stopped the thread in a blocking
 * call: ax holds the kernel's restart value, threads.c):
 *  - -ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND: kept; the kernel
 *    restarts the call when the thread is let go;
 *  - -ERESTART_RESTARTBLOCK: the call would resume through restart_syscall()
 *    with the state the kernel kept in the thread (restart_block), which a
 *    new thread does not have. For a relative nanosleep() or
 *    clock_nanosleep() whose remaining time the kernel wrote to the
 *    caller's rmtp (glibc's sleep() passes one), the restored thread makes
 *    that sleep again with the remaining time (from rmtp, in the restored
 *    memory) and is interrupted at once: the kernel then holds the restart
 *    block of a sleep ending the remaining time from now, and
 *    restart_syscall() finishes it, rmtp and all. So a sleep gets its
 *    remaining time, counted from the restore. Any other call (poll(),
 *    futex waits with a timeout, a sleep without rmtp) restarts from the
 *    beginning with its arguments, its timeout whole again (-ERESTARTNOHAND).
 *  - rseq: a thread stopped inside an rseq critical section resumes at its
 *    abort handler, as after a preemption.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "restore/internal.h"
#include "lib/log.h"

#define ERESTARTSYS		512
#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516
#define TIMER_ABSTIME_FLAG	1

int rst_tstate_plan(struct rst *r)
{
	/* images hold no per-thread kernel state yet: what glibc set up */
	rst_glibc_tstate(r);
	return 0;
}

int rst_tstate_apply(struct rst *r, struct rthread *t)
{
	int64_t ret;

	if (t->ts.has_ctid) {
		ret = rst_syscall(r, t, SYS_set_tid_address, t->ts.ctid, 0, 0, 0, 0, 0);
		if (ret < 0 && ret > -4096) {
			pr_err("restore: set_tid_address in thread %d: %s\n", t->tid,
			       strerror((int)-ret));
			return (int)ret;
		}
	}
	if (t->ts.has_rseq) {
		ret = rst_syscall(r, t, SYS_rseq, t->ts.rseq, t->ts.rseq_len, 0,
				  t->ts.rseq_sig, 0, 0);
		if (ret == -ESRCH)
			return (int)ret;
		if (ret < 0 && ret > -4096) {
			/* a kernel without rseq (ENOSYS): glibc falls back */
			pr_warn("restore: the rseq area of thread %d cannot be registered: %s\n",
				t->tid, strerror((int)-ret));
		}
	}
	return 0;
}

/* The remaining-time pointer of an interrupted relative sleep, or 0. */
static uint64_t sleep_rmtp(const struct rthread *t, long *nr, uint64_t *clk)
{
	const struct user_regs_struct *g = &t->regs;

	if ((int64_t)g->orig_rax < 0 || (int64_t)g->rax != -ERESTART_RESTARTBLOCK)
		return 0;
	*nr = (long)g->orig_rax;
	if (*nr == SYS_nanosleep) {
		*clk = CLOCK_MONOTONIC;
		return g->rsi;
	}
	if (*nr == SYS_clock_nanosleep && !(g->rsi & TIMER_ABSTIME_FLAG) &&
	    (g->rdi == CLOCK_REALTIME || g->rdi == CLOCK_MONOTONIC ||
	     g->rdi == CLOCK_BOOTTIME || g->rdi == CLOCK_TAI)) {
		*clk = g->rdi;
		return g->r10;
	}
	return 0;
}

int rst_tstate_sleep(struct rst *r, struct rthread *t)
{
	uint64_t rmtp, clk = 0;
	long nr = 0;
	int64_t ret;

	rmtp = sleep_rmtp(t, &nr, &clk);
	if (!rmtp)
		return 0;
	if (nr == SYS_nanosleep)
		ret = rst_syscall_interrupted(r, t, nr, rmtp, rmtp, 0, 0);
	else
		ret = rst_syscall_interrupted(r, t, nr, clk, 0, rmtp, rmtp);
	if (ret == -ERESTART_RESTARTBLOCK) {
		t->ts.sleep_restart = true;
	} else if (ret == 0) {
		t->ts.sleep_done = true;	/* over already */
	} else if (ret < 0 && ret > -4096 && ret != -EINTR) {
		pr_warn("restore: thread %d's sleep cannot resume (%s): it starts over\n",
			t->tid, strerror((int)-ret));
	}
	return ret == -ESRCH ? -ESRCH : 0;
}

/* Inside an rseq critical section at @ip? Its abort handler, else 0. */
static uint64_t rseq_abort_ip(struct rst *r, const struct rthread *t, uint64_t ip)
{
	struct {
		uint32_t version, flags;
		uint64_t start_ip, post_commit_offset, abort_ip;
	} cs;
	uint64_t csp = 0;

	if (!t->ts.has_rseq ||
	    img_pread(r->im, &csp, sizeof(csp), t->ts.rseq + 8) != sizeof(csp) || !csp ||
	    img_pread(r->im, &cs, sizeof(cs), csp) != sizeof(cs))
		return 0;
	if (ip >= cs.start_ip && ip - cs.start_ip < cs.post_commit_offset)
		return cs.abort_ip;
	return 0;
}

void rst_tstate_regs(struct rst *r, struct rthread *t, struct user_regs_struct *g)
{
	uint64_t abort_ip;

	if ((int64_t)g->orig_rax >= 0 && (int64_t)g->rax == -ERESTART_RESTARTBLOCK) {
		if (t->ts.sleep_done)
			g->rax = 0;
		else if (!t->ts.sleep_restart)
			g->rax = -ERESTARTNOHAND;
	}
	if ((int64_t)g->orig_rax < 0 && (abort_ip = rseq_abort_ip(r, t, g->rip)))
		g->rip = abort_ip;
}
