// SPDX-License-Identifier: GPL-2.0
/*
 * Signals (Documentation/replay.rst, Signals). A signal is delivered
 * where the journal says: sent to the thread (tgkill), its signal-delivery
 * stop awaited, the recorded siginfo set, and the kernel delivers it
 * (handler, default action, mask). One recorded between syscalls is
 * delivered at the execution of the instruction it interrupted, as far as
 * async.c finds it. A fault is not sent: the thread must fault again by
 * itself (a seccomp filter's SIGSYS is sent: the replay does not install
 * the program's filters). A syscall that waits with a temporary signal mask
 * and was interrupted runs as a real rt_sigsuspend with that mask until
 * the signal is sent. Signals the journal does not have are dropped
 * (rp_run_to_entry()).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/log.h"
#include "replay/internal.h"

/*
 * A signal the program raised itself by faulting: it cannot be dropped.
 * Not a SIGSYS: the kernel sends it for a seccomp filter of the program's
 * (SECCOMP_RET_TRAP) or its syscall user dispatch, neither of which the
 * replay installs (seccomp and prctl are emulated): it is sent, with the
 * recorded siginfo (si_syscall, si_call_addr, si_arch, si_errno).
 */
bool rp_fault_signal(int sig, int code)
{
	return (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
		sig == SIGTRAP) && code > 0;
}

/* An rt_sigreturn of @t: ends the innermost handler frame; was it async? */
bool rp_sigreturn_async(struct rthread *t)
{
	bool async = t->nframes > 0 && (t->async_frames & 1);

	if (t->nframes > 0) {
		t->async_frames >>= 1;
		t->nframes--;
	}
	return async;
}

/*
 * A syscall that waits with a temporary signal mask (rt_sigsuspend, ppoll,
 * pselect6, epoll_pwait) and was interrupted by a signal: the signal is
 * blocked outside it, so it can only be delivered inside. It runs as a
 * real rt_sigsuspend with that mask until the replay sends the signal.
 * Returns 1 if @rs is one, with the mask's address and size.
 */
int rp_sigmask_wait(struct rthread *t, const struct rec_sys *rs, uint64_t *mask,
		    uint64_t *size)
{
	if (!rp_is_restart(rs->ret) && rs->ret != -EINTR)
		return 0;
	switch (rs->nr) {
	case SYS_rt_sigsuspend:
		*mask = rs->args[0];
		*size = rs->args[1];
		break;
	case SYS_ppoll:
		*mask = rs->args[3];
		*size = rs->args[4];
		break;
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		*mask = rs->args[4];
		*size = rs->args[5];
		break;
	case SYS_pselect6: {
		uint64_t d[2];

		if (!rs->args[5] || rp_mem_read(t->p, rs->args[5], d, sizeof(d)))
			return 0;
		*mask = d[0];
		*size = d[1];
		break;
	}
	default:
		return 0;
	}
	return *mask != 0;
}

/*
 * Run @rs, such a syscall, as a real rt_sigsuspend with its @mask: the
 * thread waits inside it until rp_handle_signal() sends the signal.
 */
int rp_sys_sigwait(struct rp *rp, struct rthread *t, const struct rec_sys *rs,
		   uint64_t mask, uint64_t size)
{
	int err;

	t->entry = t->regs;
	t->regs.orig_rax = SYS_rt_sigsuspend;
	t->regs.rdi = mask;
	t->regs.rsi = size;
	t->dirty = true;
	err = rp_resume(t, PTRACE_SYSCALL);
	if (err)
		return err;
	t->st = TS_INSYS;
	t->sigwait = true;
	t->sigwait_ret = rs->ret;
	rp->real++;
	return rp_do_outs(rp, t, rs, true);
}

/*
 * @t waits in the rt_sigsuspend of rp_sys_sigwait() and its next event is
 * not a signal: no signal ended the recorded call. It was interrupted for
 * nothing the program sees: a park by ttrec.ko for a snapshot, or a
 * process-directed signal another thread took. The kernel restarted it
 * then (-ERESTART*), or it returned -EINTR. A SIGSTOP, which no mask
 * blocks, ends the wait here; at its syscall exit the recorded call and
 * result are put back and rp_resume() restarts it; the SIGSTOP is dropped
 * at its delivery stop (rp_run_to_entry()).
 */
int rp_sigwait_unsignalled(struct rp *rp, struct rthread *t)
{
	int st, sig, err;

	if (syscall(SYS_tgkill, t->p->pid, t->tid, SIGSTOP))
		return -errno;
	for (;;) {
		err = rp_wait_thread(rp, t, &st);
		if (err)
			return err;
		switch (rp_classify(st, &sig)) {
		case STOP_EXITED:
			rp_thread_died(rp, t, st);
			return -ESRCH;
		case STOP_SYSEXIT: {
			uint64_t rip;

			err = rp_getregs(t);
			if (err)
				return err;
			rip = t->regs.rip;
			t->regs = t->entry;
			t->regs.rip = rip;
			t->regs.rax = t->sigwait_ret;
			t->dirty = true;
			t->sigwait = false;
			t->st = TS_EXIT;
			t->restart = rp_is_restart(t->sigwait_ret);
			return 0;
		}
		default:
			ptrace(PTRACE_SYSCALL, t->tid, 0, 0);
			break;
		}
	}
}

/* Whether @s, once delivered, ends the process: no handler, a default action that kills. */
static bool ends_process(const struct rec_signal *s)
{
	if (s->handler != 0)	/* SIG_DFL */
		return false;
	switch (s->sig) {
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return false;
	}
	return true;
}

/* A recorded fault (SIGSEGV...): the replayed thread must fault again by itself. */
static int signal_fault(struct rp *rp, struct rthread *t, const struct rec_signal *s)
{
	int err;

	if (t->st == TS_SIGSTOP && t->sig == s->sig) {
		t->sig_fatal = ends_process(s);
		return 0;	/* it did, running on after the last event */
	}
	if (t->st == TS_ENTRY) {
		rp_diverge(rp, t, "expected %s (code %d at ip %#llx), but the thread made a syscall",
			   strsignal(s->sig), s->code, (unsigned long long)s->ip);
		return -EPROTO;
	}
	err = rp_run_to_entry(rp, t);
	if (err == -EFAULT && t->sig == s->sig) {
		t->sig_fatal = ends_process(s);
		return 0;	/* delivered when the thread resumes */
	}
	rp_diverge(rp, t, "expected %s (code %d at ip %#llx), but the thread %s",
		   strsignal(s->sig), s->code, (unsigned long long)s->ip,
		   err == -ESRCH ? "exited" : err == -EFAULT ? "got another signal" :
		   "made a syscall");
	return -EPROTO;
}

/* The rt_sigsuspend of rp_sys_sigwait() ended: the recorded syscall's result. */
static int end_sigwait(struct rthread *t)
{
	uint64_t rip;

	rp_getregs(t);
	rip = t->regs.rip;
	t->regs = t->entry;
	t->regs.rip = rip;
	t->regs.rax = t->sigwait_ret;
	t->dirty = true;
	t->sigwait = false;
	t->st = TS_EXIT;
	return rp_resume(t, PTRACE_CONT);
}

/*
 * Wait for the signal-delivery stop of the signal @s sent to @t, and set
 * the recorded siginfo: it is delivered when @t resumes (TS_SIGSTOP).
 */
static int wait_delivery(struct rp *rp, struct rthread *t, const struct rec_signal *s)
{
	int err, st, sig;

	for (;;) {
		siginfo_t si;

		err = rp_wait_thread(rp, t, &st);
		if (err)
			return err;
		switch (rp_classify(st, &sig)) {
		case STOP_EXITED:
			rp_thread_died(rp, t, st);
			rp_diverge(rp, t, "the thread exited before signal %d could be delivered", s->sig);
			return -ESRCH;
		case STOP_SECCOMP:
			rp_getregs(t);
			t->st = TS_ENTRY;
			rp_diverge(rp, t, "signal %d (%s) was not delivered (blocked in the replay?)",
				   s->sig, strsignal(s->sig));
			return -EPROTO;
		case STOP_SYSEXIT:
			/* the sigsuspend the signal ends: the recorded syscall again */
			if (t->sigwait) {
				err = end_sigwait(t);
				if (err)
					return err;
				continue;
			}
			ptrace(PTRACE_CONT, t->tid, 0, 0);
			continue;
		case STOP_SIGNAL:
			if (sig != s->sig) {
				ptrace(PTRACE_CONT, t->tid, 0, 0);
				continue;
			}
			/*
			 * The recorded siginfo: the replay sent the signal,
			 * the kernel's names ttrec as the sender (si_pid,
			 * si_uid) or, for a SIGCHLD of its own, the replay's
			 * child. A journal without it: the si_code at least.
			 */
			if (rec_signal_siginfo(s, &si) ||
			    !ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si)) {
				si.si_code = s->code;
				ptrace(PTRACE_SETSIGINFO, t->tid, 0, &si);
			}
			t->st = TS_SIGSTOP;
			t->sig = sig;
			t->sig_fatal = ends_process(s);
			return rp_getregs(t);
		default:
			ptrace(PTRACE_CONT, t->tid, 0, 0);
			continue;
		}
	}
}

/*
 * A signal recorded between syscalls: @t runs to the execution of the
 * instruction it interrupted (async.c), or to its next syscall's entry.
 * Whether it stands where the signal came, or -errno (reported).
 */
static int signal_async(struct rp *rp, struct rthread *t, const struct rec_signal *s)
{
	int ret = rp_async_run(rp, t, s);

	if (ret == ASYNC_NOT_TRIED)
		pr_debug("thread %u: signal %d recorded at %#llx between syscalls: delivered at the syscall before\n",
			 t->rtid, s->sig, (unsigned long long)s->ip);
	if (ret > 0) {
		rp->async[ret]++;
		return ret == ASYNC_EXACT;
	}
	if (ret == -EFAULT || ret == -ESRCH)
		rp_diverge(rp, t, "expected %s at ip %#llx between syscalls, but the thread %s first",
			   strsignal(s->sig), (unsigned long long)s->ip,
			   ret == -ESRCH ? "exited" : "faulted");
	return ret == -EFAULT || ret == -ESRCH ? -EPROTO : ret;
}

/* A REC_SIGNAL event: send the signal and let it be delivered as recorded. */
int rp_handle_signal(struct rp *rp, const struct rec_signal *s)
{
	struct rthread *t = rp_thread_by_rtid(rp, s->tid);
	bool elsewhere = false;
	int err;

	rp->cur = t;
	rp->signals++;
	if (t && s->sig == SIGKILL) {
		/*
		 * The kernel's own when a process ends (exit_group(), a fatal
		 * signal, an exec in another thread), or one sent from
		 * elsewhere (that kill() is emulated): never caught, no stop
		 * to wait for. The thread's exit event, which follows, sends
		 * it if the replay's process is not ending already (task.c).
		 */
		t->killed = true;
		return 0;
	}
	if (!t || t->st == TS_DEAD) {
		rp_diverge(rp, NULL, "signal %d for thread %u, which does not exist in the replay",
			   s->sig, s->tid);
		return -ESRCH;
	}
	t->restart = false;	/* the kernel restarts it around this signal */
	if (rp_fault_signal(s->sig, s->code))
		return signal_fault(rp, t, s);
	if ((t->st == TS_INSYS && !t->sigwait) || t->st == TS_EXITING) {
		rp_diverge(rp, t, "signal %d arrives while the thread is inside a syscall it runs for real",
			   s->sig);
		return -EPROTO;
	}
	if (s->syscall < 0) {
		err = signal_async(rp, t, s);
		if (err < 0)
			return err;
		elsewhere = !err;
	}
	if (t->st == TS_ENTRY) {
		/* delivered before this syscall: it runs again after the handler */
		t->regs.rax = t->regs.orig_rax;
		t->regs.orig_rax = -1;
		t->regs.rip -= 2;
		t->dirty = true;
		t->st = TS_DONE;
	}
	if (syscall(SYS_tgkill, t->p->pid, t->tid, s->sig))
		return -errno;
	if (s->handler > 1) {	/* not SIG_DFL, SIG_IGN: a handler frame */
		t->async_frames = t->async_frames << 1 | elsewhere;
		if (t->nframes < 64)
			t->nframes++;
	}
	err = t->st == TS_INSYS ? 0 : rp_resume(t, PTRACE_CONT);
	if (err)
		return err;
	return wait_delivery(rp, t, s);
}
