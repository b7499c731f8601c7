// SPDX-License-Identifier: GPL-2.0
/*
 * The replay driver's ptrace plumbing: wait statuses (each kept for the
 * thread it belongs to), resuming a thread, running it to its next syscall
 * entry or through a syscall that runs for real, making a syscall in it.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "replay/internal.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP	128
#endif

int rp_getregs(struct rthread *t)
{
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &t->regs))
		return -errno;
	t->dirty = false;
	return 0;
}

/* Resume @t with @req (PTRACE_CONT or PTRACE_SYSCALL), delivering its pending signal. */
int rp_resume(struct rthread *t, enum __ptrace_request req)
{
	int sig = t->st == TS_SIGSTOP ? t->sig : 0;

	if (t->restart && t->st == TS_EXIT) {
		/*
		 * An interrupted syscall (-ERESTART*) and no signal for this
		 * thread: the kernel woke it for a signal another thread took
		 * (a process-directed one), and restarted the syscall on its
		 * way out, as it does when no handler runs. In the replay no
		 * signal is pending there: restart it here.
		 */
		t->regs.rax = t->regs.rax == (uint64_t)-ERESTART_RESTARTBLOCK ?
			      SYS_restart_syscall : t->regs.orig_rax;
		t->regs.rip -= 2;
		t->dirty = true;
	}
	t->restart = false;

	if (t->dirty && ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs))
		return -errno;
	t->dirty = false;
	if (ptrace(req, t->tid, 0, sig))
		return -errno;
	t->sig = 0;
	t->sig_fatal = false;
	return 0;
}

/*
 * The wait status of a group leader that exited before its other threads
 * comes when the last of them is gone, after task_exit() is done with it.
 */
static bool late_leader(struct rp *rp, pid_t pid, int st)
{
	struct rproc *p;

	if (!WIFEXITED(st) && !WIFSIGNALED(st))
		return false;
	for (p = rp->procs; p; p = p->next) {
		if (p->pid == pid && p->leader_gone) {
			p->leader_gone = false;
			return true;
		}
	}
	return false;
}

/* The next wait status of @t (statuses of other threads are kept for them). */
int rp_wait_thread(struct rp *rp, struct rthread *t, int *status)
{
	if (t->nstash) {
		*status = t->stash[0];
		memmove(t->stash, t->stash + 1, --t->nstash * sizeof(int));
		return 0;
	}
	for (;;) {
		struct rthread *o;
		int st;
		pid_t pid = waitpid(-1, &st, __WALL);

		if (pid < 0) {
			if (errno == EINTR && rp_watchdog_fired())
				return -ETIMEDOUT;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pid == t->tid) {
			*status = st;
			return 0;
		}
		o = rp_thread_by_tid(rp, pid);
		if (o && o->nstash < STASH_MAX)
			o->stash[o->nstash++] = st;
		else if (!o && late_leader(rp, pid, st))
			continue;
		else if (!o && rp->norphans < (int)(sizeof(rp->orphans) / sizeof(rp->orphans[0])))
			rp->orphans[rp->norphans++] = (struct orphan){ pid, st };
	}
}

enum stop rp_classify(int st, int *sig)
{
	int ev = (unsigned int)st >> 16;

	*sig = 0;
	if (WIFEXITED(st) || WIFSIGNALED(st))
		return STOP_EXITED;
	if (!WIFSTOPPED(st))
		return STOP_OTHER;
	switch (ev) {
	case PTRACE_EVENT_SECCOMP: return STOP_SECCOMP;
	case PTRACE_EVENT_CLONE: return STOP_CLONE;
	case PTRACE_EVENT_FORK: return STOP_FORK;
	case PTRACE_EVENT_VFORK: return STOP_VFORK;
	case PTRACE_EVENT_EXEC: return STOP_EXEC;
	case PTRACE_EVENT_STOP: return STOP_EVSTOP;
	case 0: break;
	default: return STOP_OTHER;
	}
	if (WSTOPSIG(st) == (SIGTRAP | 0x80))
		return STOP_SYSEXIT;
	*sig = WSTOPSIG(st);
	return STOP_SIGNAL;
}

void rp_thread_died(struct rp *rp, struct rthread *t, int status)
{
	t->st = TS_DEAD;
	t->status = status;
	if (rp->last == t)
		rp->last = NULL;
}

int rp_getsiginfo_code(struct rthread *t)
{
	siginfo_t si;

	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si))
		return 0;
	return si.si_code;
}

/*
 * Run @t to its next syscall entry (TS_ENTRY). Signals the replay did not
 * inject are dropped, except faults: those leave @t at TS_SIGSTOP and
 * return -EFAULT. A thread that dies returns -ESRCH.
 */
int rp_run_to_entry(struct rp *rp, struct rthread *t)
{
	int st, sig, err;

	if (t->st == TS_ENTRY)
		return 0;
	if (t->st == TS_DEAD)
		return -ESRCH;
	if (t->st == TS_INSYS || t->st == TS_EXITING)
		return -EBUSY;
	/* it may take (much) longer than it took between its events then */
	rp_watchdog_set_budget(rp->ts > t->last_ts && t->last_ts ? rp->ts - t->last_ts : 0);
	err = rp_resume(t, rp_dbg_resume_req(rp, t));
	if (err)
		return err;
	for (;;) {
		err = rp_wait_thread(rp, t, &st);
		if (err)
			return err;
		switch (rp_classify(st, &sig)) {
		case STOP_EXITED:
			rp_thread_died(rp, t, st);
			return -ESRCH;
		case STOP_SECCOMP:
			err = rp_getregs(t);
			if (err)
				return err;
			t->st = TS_ENTRY;
			return 0;
		case STOP_SIGNAL:
			if (sig == SIGTRAP && rp_dbg_trap(rp, t))
				break;
			if (rp_fault_signal(sig, rp_getsiginfo_code(t))) {
				t->st = TS_SIGSTOP;
				t->sig = sig;
				return -EFAULT;
			}
			ptrace(PTRACE_CONT, t->tid, 0, 0);	/* not from the journal: drop */
			break;
		default:
			ptrace(PTRACE_CONT, t->tid, 0, 0);
			break;
		}
	}
}

/*
 * Let the syscall @t is stopped at run for real (PTRACE_SYSCALL). Returns
 * at its exit stop (TS_EXIT), or with @until_child at the event stop of
 * the clone/fork it makes (TS_EVSTOP, the child set up for @rchild).
 */
int rp_run_real(struct rp *rp, struct rthread *t, bool until_child, uint32_t rchild)
{
	int st, sig, err;

	if (t->st != TS_INSYS) {
		err = rp_resume(t, PTRACE_SYSCALL);
		if (err)
			return err;
		t->st = TS_INSYS;
	}
	for (;;) {
		enum stop s;

		err = rp_wait_thread(rp, t, &st);
		if (err)
			return err;
		s = rp_classify(st, &sig);
		switch (s) {
		case STOP_EXITED:
			rp_thread_died(rp, t, st);
			return -ESRCH;
		case STOP_SYSEXIT:
			t->st = TS_EXIT;
			return rp_getregs(t);
		case STOP_CLONE:
		case STOP_FORK:
		case STOP_VFORK:
			t->st = TS_EVSTOP;
			err = rp_new_child(rp, t, s, rchild);
			if (err || until_child)
				return err;
			break;
		case STOP_EXEC:
			t->st = TS_EVSTOP;
			err = rp_exec_fixup(rp, t);
			if (err)
				return err;
			break;
		case STOP_SECCOMP:
			/* a syscall the tracer changed is checked again: let it be */
			break;
		default:
			break;
		}
		if (ptrace(PTRACE_SYSCALL, t->tid, 0, 0))
			return -errno;
		t->st = TS_INSYS;
	}
}

/*
 * At the exit stop of a real syscall whose registers the driver rewrote:
 * put the argument registers back as the program had them (t->entry), with
 * result @ret.
 */
void rp_restore_args(struct rthread *t, int64_t ret)
{
	uint64_t rip = t->regs.rip;

	t->regs = t->entry;
	t->regs.rip = rip;
	t->regs.rax = ret;
	t->dirty = true;
}

/*
 * Make one syscall in @t, which is at a syscall-exit stop (or was just
 * resumed out of one): rewind to its syscall instruction with @nr and
 * @args, run it, and put the registers back. Returns its result.
 */
int64_t rp_inject(struct rp *rp, struct rthread *t, unsigned int nr, const __u64 *args)
{
	struct user_regs_struct saved = t->regs;
	int64_t ret;
	int st, sig, err;

	t->regs.rip -= 2;			/* the `syscall` just executed */
	t->regs.rax = nr;
	t->regs.rdi = args[0];
	t->regs.rsi = args[1];
	t->regs.rdx = args[2];
	t->regs.r10 = args[3];
	t->regs.r8 = args[4];
	t->regs.r9 = args[5];
	t->dirty = true;
	err = rp_resume(t, PTRACE_CONT);
	if (err)
		return err;
	do {
		err = rp_wait_thread(rp, t, &st);
		if (err)
			return err;
		if (rp_classify(st, &sig) == STOP_EXITED) {
			rp_thread_died(rp, t, st);
			return -ESRCH;
		}
	} while (rp_classify(st, &sig) != STOP_SECCOMP);
	t->st = TS_ENTRY;
	err = rp_getregs(t);
	if (!err)
		err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	ret = t->regs.rax;
	t->regs = saved;
	t->dirty = true;
	return ret;
}
