// SPDX-License-Identifier: GPL-2.0
/*
 * The process's signal actions and the signals pending at the snapshot.
 *
 * Actions: one rt_sigaction() per signal whose action is not the default
 * (the stub reset them all, stub.c), with the kernel's struct sigaction as
 * the image holds it (handler, flags, restorer, mask), so SA_SIGINFO,
 * SA_ONSTACK, SA_RESTART, SA_NODEFER, SA_RESETHAND and the mask a handler
 * runs with are the process's again.
 *
 * Pending signals: each queued siginfo of the image is queued again by the
 * process itself, so that the kernel takes it as it was (any si_code, the
 * sender's pid and uid, si_value): rt_sigqueueinfo() in the leader for the
 * process-wide ones, rt_tgsigqueueinfo() in each thread for its own (the
 * kernel lets a thread queue any siginfo to itself, not to another). Every
 * thread blocks every signal first (PTRACE_SETSIGMASK), so nothing is
 * delivered while the restore runs: the threads get the image's masks last
 * (threads.c) and take their signals once let go, each once. A signal the
 * image has a pending bit for but no siginfo (more were queued than the
 * image kept) is queued with si_code SI_KERNEL.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "restore/internal.h"
#include "lib/log.h"

#define SIGSET_BYTES	8		/* the kernel's sigset_t */
#define SI_TIMER_CODE	(-2)		/* SI_TIMER */
#define SI_KERNEL_CODE	0x80		/* SI_KERNEL */
#define SI_SYS_PRIVATE	32		/* offset of _timer._sys_private */

static bool default_action(const struct ttrec_sigaction *a)
{
	return !a->handler && !a->flags && !a->restorer && !a->mask;
}

int rst_sigactions(struct rst *r)
{
	const struct img_proc_state *ps = r->ps;
	uint64_t at;
	int err;

	if (!ps || !ps->sigactions)
		return 0;
	err = rst_scratch(r, 0, ps->sigactions, STATE_NSIG * sizeof(ps->sigactions[0]), &at);
	if (err)
		return err;
	for (int sig = 1; sig <= STATE_NSIG; sig++) {
		const struct ttrec_sigaction *a = &ps->sigactions[sig - 1];
		int64_t ret;

		if (sig == SIGKILL || sig == SIGSTOP || default_action(a))
			continue;
		ret = rst_syscall(r, r->leader, SYS_rt_sigaction, sig,
				  at + (sig - 1) * sizeof(*a), 0, SIGSET_BYTES, 0, 0);
		if (ret < 0 && ret > -4096) {
			pr_err("restore: the action of signal %d (handler %#llx, flags %#llx): %s\n",
			       sig, (unsigned long long)a->handler, (unsigned long long)a->flags,
			       strerror((int)-ret));
			return ret == -ESRCH ? -ESRCH : -EIO;
		}
		if (a->handler == (uint64_t)(uintptr_t)SIG_IGN)
			r->nr_ignored++;
		else if (a->handler)
			r->nr_handlers++;
	}
	return 0;
}

/* Queue @si (signal @si->si_signo) from @t: to @t alone or to the process. */
static int queue_one(struct rst *r, struct rthread *t, bool thread, siginfo_t si)
{
	int sig = si.si_signo;
	uint64_t at;
	int64_t ret;
	int err;

	if (sig == SIGKILL || sig == SIGSTOP)
		return 0;	/* what the snapshot's stop left: nothing to redo */
	if (si.si_code == SI_TIMER_CODE)
		memset((char *)&si + SI_SYS_PRIVATE, 0, sizeof(int)); /* the kernel's own */
	err = rst_scratch(r, 0, &si, sizeof(si), &at);
	if (err)
		return err;
	if (thread)
		ret = rst_syscall(r, t, SYS_rt_tgsigqueueinfo, r->pid, t->tid, sig, at, 0, 0);
	else
		ret = rst_syscall(r, t, SYS_rt_sigqueueinfo, r->pid, sig, at, 0, 0, 0);
	if (ret < 0 && ret > -4096) {
		pr_err("restore: queueing signal %d (si_code %d) for %s %d: %s\n", sig,
		       si.si_code, thread ? "thread" : "process", thread ? t->tid : r->pid,
		       strerror((int)-ret));
		return ret == -ESRCH ? -ESRCH : -EIO;
	}
	r->nr_pending++;
	return 0;
}

/* Queue @n siginfos, then one per signal of @set that none of them is. */
static int queue_all(struct rst *r, struct rthread *t, bool thread,
		     const siginfo_t *si, uint32_t n, uint64_t set)
{
	int err = 0;

	for (uint32_t i = 0; !err && i < n; i++) {
		if (si[i].si_signo > 0 && si[i].si_signo <= STATE_NSIG)
			set &= ~(1ULL << (si[i].si_signo - 1));
		err = queue_one(r, t, thread, si[i]);
	}
	for (int sig = 1; !err && sig <= STATE_NSIG; sig++) {
		siginfo_t k = { .si_signo = sig, .si_code = SI_KERNEL_CODE };

		if (set & (1ULL << (sig - 1)))
			err = queue_one(r, t, thread, k);
	}
	return err;
}

int rst_pending_signals(struct rst *r)
{
	const struct img_proc_state *ps = r->ps;
	uint64_t all = ~0ULL;
	int err = 0;

	if (!ps)
		return 0;
	for (uint32_t i = 0; i < r->nthr; i++)
		if (ptrace(PTRACE_SETSIGMASK, r->thr[i].htid, SIGSET_BYTES, &all)) {
			err = -errno;
			pr_err("restore: blocking the signals of thread %d: %s\n", r->thr[i].tid,
			       strerror(-err));
			return err;
		}
	if (ps->p.flags & TTREC_PROC_PENDING_TRUNCATED)
		pr_warn("restore: more signals were queued than the image kept: those are lost\n");
	err = queue_all(r, r->leader, false, ps->pending, ps->nr_pending, ps->p.shared_pending);
	for (uint32_t i = 0; !err && i < r->nthr; i++) {
		const struct img_thread_state *s = img_thread_state(r->im, r->thr[i].tid);

		if (s && s->has_state)
			err = queue_all(r, &r->thr[i], true, s->pending, s->nr_pending,
					s->t.pending);
	}
	return err;
}
