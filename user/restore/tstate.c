// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread kernel state of the restored threads, and how an interrupted
 * system call goes on.
 *
 * State: each thread's clear_child_tid (set_tid_address(): the word the
 * kernel zeroes and wakes when the thread exits, which pthread_join()
 * waits on), rseq registration (the area where the kernel keeps the
 * thread's CPU number, glibc's sched_getcpu()), alternate signal stack
 * (sigaltstack()) and robust futex list (set_robust_list()), made by the
 * thread itself with injected calls. They come from the thread's state
 * notes in the image (TTREC_NT_THREAD: the module read them at the park,
 * or state/ gathered them without it). For a thread the image holds no
 * state of (an image without the process state), glibc.c finds the first
 * two where glibc set them up in the image's memory; a thread known to
 * neither gets none: its rseq area is no longer updated (sched_getcpu()
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
#include "syscalls/restart.h"
#include "lib/log.h"

#define TIMER_ABSTIME_FLAG	1
#ifndef SS_AUTODISARM
#define SS_AUTODISARM		(1U << 31)	/* linux/signal.h; not in glibc's */
#endif

/* The state the image's notes hold for @t; false when it holds none. */
static bool image_tstate(struct rst *r, struct rthread *t)
{
	const struct img_thread_state *s = img_thread_state(r->im, t->tid);
	struct rst_tstate *ts = &t->ts;

	if (!s || !s->has_state)
		return false;
	ts->from_image = true;
	ts->has_ctid = true;
	ts->ctid = s->t.clear_child_tid;
	if (s->t.rseq) {
		ts->has_rseq = true;
		ts->rseq = s->t.rseq;
		ts->rseq_len = s->t.rseq_len;
		ts->rseq_sig = s->t.rseq_sig;
	}
	/* SS_ONSTACK says where the thread was, not what to set */
	ts->has_sas = true;
	ts->sas_sp = s->t.sas_sp;
	ts->sas_size = s->t.sas_size;
	ts->sas_flags = s->t.sas_flags & (SS_DISABLE | SS_AUTODISARM);
	if (s->t.robust_list) {
		ts->has_robust = true;
		ts->robust = s->t.robust_list;
		ts->robust_len = s->t.robust_list_len;
	}
	return true;
}

int rst_tstate_plan(struct rst *r)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < r->nthr; i++)
		n += image_tstate(r, &r->thr[i]);
	rst_note(r, "per-thread state of %u of %u threads from the image\n", n, r->nthr);
	if (n < r->nthr)
		rst_glibc_tstate(r);	/* what glibc set up, for the others */
	return 0;
}

/* A failed injected call of @t: its message; -ESRCH (it died) or -EIO. */
static int tstate_failed(struct rthread *t, const char *what, int64_t ret)
{
	pr_err("restore: %s in thread %d: %s\n", what, t->tid, strerror((int)-ret));
	return ret == -ESRCH ? -ESRCH : -EIO;
}

int rst_tstate_apply(struct rst *r, struct rthread *t)
{
	int64_t ret;

	if (t->ts.has_ctid) {
		ret = rst_syscall(r, t, SYS_set_tid_address, t->ts.ctid, 0, 0, 0, 0, 0);
		if (ret < 0 && ret > -4096)
			return tstate_failed(t, "set_tid_address", ret);
	}
	if (t->ts.has_sas) {
		stack_t ss = { .ss_sp = (void *)(uintptr_t)t->ts.sas_sp,
			       .ss_size = t->ts.sas_size, .ss_flags = (int)t->ts.sas_flags };
		uint64_t at;
		int err = rst_scratch(r, 0, &ss, sizeof(ss), &at);

		if (err)
			return err;
		ret = rst_syscall(r, t, SYS_sigaltstack, at, 0, 0, 0, 0, 0);
		if (ret < 0 && ret > -4096)
			return tstate_failed(t, "sigaltstack", ret);
	}
	if (t->ts.has_robust) {
		ret = rst_syscall(r, t, SYS_set_robust_list, t->ts.robust, t->ts.robust_len,
				  0, 0, 0, 0);
		if (ret < 0 && ret > -4096)
			return tstate_failed(t, "set_robust_list", ret);
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
