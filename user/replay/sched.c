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
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "lib/log.h"
#include "replay/internal.h"

/*
 * A breakpoint: an int3 in place of the first byte of the instruction at
 * @ip of @t's process (hardware breakpoints do not fire in every virtual
 * machine). Only @t runs while it is there: the other threads wait in
 * ptrace stops.
 */
struct breakpoint {
	uint64_t ip;
	uint8_t orig;
	bool set;
};

static int breakpoint_set(struct rthread *t, struct breakpoint *b, uint64_t ip)
{
	static const uint8_t int3 = 0xcc;

	if (rp_mem_read(t->p, ip, &b->orig, 1) || rp_mem_write(t->p, ip, &int3, 1))
		return -EFAULT;
	b->ip = ip;
	b->set = true;
	return 0;
}

static void breakpoint_clear(struct rthread *t, struct breakpoint *b)
{
	if (b->set && !t->p->dead)
		rp_mem_write(t->p, b->ip, &b->orig, 1);
	b->set = false;
}

/* At a SIGTRAP stop: whether @t is at breakpoint @b (then rewound to it). */
static bool breakpoint_hit(struct rthread *t, struct breakpoint *b)
{
	if (rp_getregs(t) || t->regs.rip != b->ip + 1)
		return false;
	t->regs.rip = b->ip;
	t->dirty = true;
	return true;
}

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
 * stood at @ip. Run it there (a breakpoint; the first time it gets there
 * since its last event), so that its user code before that point happens
 * before theirs, as recorded. If it makes a syscall first, it was
 * preempted or went to sleep inside the kernel: it stops at that
 * syscall's entry. Only matters with more than one thread.
 */
static void sched_preempt(struct rp *rp, const struct rec_sched *sc)
{
	struct rthread *t = rp_thread_by_rtid(rp, sc->tid);
	struct breakpoint bp = { 0 };
	int st, sig, err;

	if (!t || t->task_started || t->p->exiting || !sc->ip || sc->ip >= 0x800000000000ULL)
		return;
	if (t->st != TS_DONE && t->st != TS_EXIT && t->st != TS_NEW && t->st != TS_PREEMPT)
		return;
	if (live_threads(rp, t->p) < 2)
		return;
	if (breakpoint_set(t, &bp, sc->ip))
		return;
	err = rp_resume(t, PTRACE_CONT);
	while (!err) {
		err = rp_wait_thread(rp, t, &st);
		if (err)
			break;
		switch (rp_classify(st, &sig)) {
		case STOP_EXITED:
			rp_thread_died(rp, t, st);
			breakpoint_clear(t, &bp);
			return;
		case STOP_SECCOMP:
			t->st = TS_ENTRY;
			rp_getregs(t);
			breakpoint_clear(t, &bp);
			pr_debug("thread %u: preempted at %#llx: ran to syscall %lld instead\n",
				 t->rtid, (unsigned long long)sc->ip, (long long)t->regs.orig_rax);
			return;
		case STOP_SIGNAL:
			if (sig == SIGTRAP && breakpoint_hit(t, &bp)) {
				t->st = TS_PREEMPT;
				breakpoint_clear(t, &bp);
				pr_debug("thread %u: stopped at its preemption point %#llx\n",
					 t->rtid, (unsigned long long)sc->ip);
				return;
			}
			if (rp_fault_signal(sig, rp_getsiginfo_code(t))) {
				t->st = TS_SIGSTOP;
				t->sig = sig;
				breakpoint_clear(t, &bp);
				return;
			}
			/* fallthrough */
		default:
			err = ptrace(PTRACE_CONT, t->tid, 0, 0) ? -errno : 0;
			break;
		}
	}
	breakpoint_clear(t, &bp);
	rp_fail(rp, "cannot run thread %d to its preemption point: %s\n", t->tid, strerror(-err));
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
