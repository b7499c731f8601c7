// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling events (REC_SCHED). When does a thread run the user code
 * between two of its syscalls? The journal holds syscalls at their return,
 * so a thread waits at the boundary after its last event and runs on to
 * its next syscall only when that syscall's event comes (or a signal is
 * delivered there). A syscall that blocked was entered much earlier,
 * though: the recorder saw the thread go to sleep (a switch-out in
 * interruptible sleep, which happens only inside the kernel), and the code
 * before the syscall must run then, before the events of other threads that
 * followed (a pthread_join reads the joined thread's tid word before it
 * waits). Likewise a thread preempted in user code runs to the preempted
 * instruction (sched_preempt()), and so does one that went to
 * uninterruptible sleep: that happens in a syscall, or in user code at a
 * page fault that waits for a file's page or a lock (the code before the
 * fault, a mutex released by the loader say, happened before the other
 * threads ran).
 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>

#include "lib/log.h"
#include "replay/internal.h"

static int live_threads(const struct rp *rp, const struct rproc *p)
{
	const struct rthread *t;
	int n = 0;

	for (t = rp->threads; t; t = t->next)
		n += t->p == p && t->st != TS_DEAD;
	return n;
}

/*
 * A thread preempted in user code (on the recording's single CPU), or in
 * uninterruptible sleep at a page fault: the other threads ran while it
 * stood at @ip. Run it there (an int3, breakpoint.c; the first time it
 * gets there since its last event), so that its user code before that
 * point happens before theirs, as recorded. If it makes a syscall first,
 * it was preempted or went to sleep inside the kernel: it stops at that
 * syscall's entry. Only matters with more than one thread.
 */
static void sched_preempt(struct rp *rp, const struct rec_sched *sc)
{
	struct rthread *t = rp_thread_by_rtid(rp, sc->tid);
	int ret;

	if (!t || t->task_started || t->p->exiting || !sc->ip || sc->ip >= 0x800000000000ULL)
		return;
	if (t->st != TS_DONE && t->st != TS_EXIT && t->st != TS_NEW && t->st != TS_PREEMPT)
		return;
	if (live_threads(rp, t->p) < 2)
		return;
	if (rp_bp_insert(t->p, sc->ip))
		return;
	rp_watchdog_set_budget(rp->ts > t->last_ts && t->last_ts ? rp->ts - t->last_ts : 0);
	ret = rp_bp_run(rp, t, sc->ip);
	rp_bp_remove(t->p, sc->ip);
	switch (ret) {
	case RP_BP_HIT:
		pr_debug("thread %u: stopped at its preemption point %#llx\n",
			 t->rtid, (unsigned long long)sc->ip);
		return;
	case RP_BP_SYSCALL:
		pr_debug("thread %u: preempted at %#llx: ran to syscall %lld instead\n",
			 t->rtid, (unsigned long long)sc->ip, (long long)t->regs.orig_rax);
		return;
	case -ESRCH:		/* it died */
	case -EFAULT:		/* it faulted: TS_SIGSTOP, the journal says what comes */
		return;
	}
	rp_fail(rp, "cannot run thread %d to its preemption point: %s\n", t->tid, strerror(-ret));
}

/*
 * A switch-out at @sc->ip, the return address of the syscall @t stands at:
 * was @t stopped on its way out of that syscall (before any of the code
 * after it ran), or did it run on and enter the syscall at that same
 * instruction again (a loop), to switch out in there? A sleep (D) is the
 * latter. So is a runnable switch-out after sched_yield(): it yields in
 * the syscall, not on its way out; a thread that loops on it switches out
 * in its next one.
 */
static bool in_next_syscall(const struct rthread *t, const struct rec_sched *sc)
{
	if ((t->st != TS_DONE && t->st != TS_EXIT) || t->regs.rip != sc->ip)
		return false;
	return (sc->state & 2) || t->last_nr == SYS_sched_yield;
}

/*
 * A REC_SCHED event: a thread that went to sleep in a syscall runs to that
 * syscall's entry now; one preempted in user code or in uninterruptible
 * sleep (in a syscall or at a page fault), to where it was.
 */
void rp_sched_hint(struct rp *rp, const struct rec_sched *sc)
{
	struct rthread *t;
	int err;

	if (sc->kind != REC_SCHED_OUT || (sc->state & 0xc))
		return;
	t = rp_thread_by_rtid(rp, sc->tid);
	if (!(sc->state & 1) && !(t && in_next_syscall(t, sc))) {
		/* runnable (0) or uninterruptible (TASK_UNINTERRUPTIBLE, 2) */
		sched_preempt(rp, sc);
		return;
	}
	if (!t || t->task_started || t->p->exiting)
		return;
	if (t->st != TS_DONE && t->st != TS_EXIT && t->st != TS_NEW && t->st != TS_SIGSTOP &&
	    t->st != TS_PREEMPT)
		return;
	err = rp_run_to_entry(rp, t);
	if (err && err != -EFAULT && err != -ESRCH)
		rp_fail(rp, "cannot run thread %d: %s\n", t->tid, strerror(-err));
}
