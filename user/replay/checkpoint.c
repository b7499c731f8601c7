// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoints of a replay under a debugger (debug.h): a frozen copy of the
 * replayed process, made by a fork() injected into it at an event boundary
 * (as rr does), and a copy of the replay's own state there (its processes,
 * threads, descriptor tables, counters, the debugger's notes). A new replay
 * starts from one by a fork() injected into the frozen copy (which stays,
 * for the next time) and reads the journal on from the same record.
 *
 * A checkpoint is taken only where that is the whole state: one process,
 * one of its threads at rest after a syscall (the fork is injected at its
 * `syscall` instruction), and no file contents the replay keeps (memfds,
 * files the recording made: those are shared with the copy and would move
 * on with the live replay). Elsewhere rp_checkpoint_take() declines.
 *
 * A fork copies one thread. The others are noted (registers, the x87/SSE/
 * AVX state, the signal mask) and, as rr does, made again in each replay
 * started from the checkpoint: a clone() injected into the new process
 * for each, with its CLONE_CHILD_CLEARTID word, given its registers and
 * state; one that stood at a syscall's entry executes that `syscall`
 * again to stand at its seccomp stop as before. A thread inside a real
 * syscall (its kernel side cannot be copied), at a signal or event stop,
 * or ending, makes the checkpoint decline.
 *
 * What a fork does not copy is not in a checkpoint: pending signals,
 * timers (the replay emulates them), MADV_DONTFORK and MADV_WIPEONFORK
 * memory, the robust futex list head and the set_tid_address word; nor
 * is, for the threads made again, the robust list, the rseq area and the
 * alternate signal stack they registered.
 */
#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "lib/log.h"
#include "replay/debug.h"
#include "replay/internal.h"

/* A thread of the checkpoint other than the one that forked. */
struct cp_thread {
	void *xstate;			/* PTRACE_GETREGSET NT_X86_XSTATE */
	size_t xlen;
	uint64_t sigmask;
};

struct rp_checkpoint {
	pid_t pid;			/* the frozen copy */
	uint64_t seq;			/* the event it stands before */
	uint64_t nrec;			/* journal records read before that event */
	struct user_regs_struct regs;	/* its thread's registers */
	struct rp rp;			/* the replay's state (lists deep-copied) */
	void *dbg;			/* the debugger's (rp_dbg_state_*) */
	/* by position in rp.threads: the one that forked, the others */
	int forker;
	struct cp_thread *th;
	int nth;
};

#define XSTATE_MAX	(64 * 1024)

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP	128
#endif

/* Wait for @pid's next stop; its status. */
static int wait_pid(pid_t pid, int *st)
{
	while (waitpid(pid, st, __WALL) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return WIFSTOPPED(*st) ? 0 : -ESRCH;
}

/*
 * Wait for @pid's next ptrace event @event (0: a syscall stop), dropping
 * the signals that come first (a frozen copy gets a SIGCHLD for each
 * replay started from it that ended).
 */
static int wait_event(pid_t pid, int event, int *st)
{
	for (;;) {
		int err = wait_pid(pid, st);
		unsigned int ev;

		if (err)
			return err;
		ev = (unsigned int)*st >> 16;
		if (event ? ev == (unsigned int)event : WSTOPSIG(*st) == (SIGTRAP | 0x80))
			return 0;
		if (ev || WSTOPSIG(*st) == (SIGTRAP | 0x80))
			return -EPROTO;
		if (ptrace(PTRACE_CONT, pid, 0, 0))	/* a signal: dropped */
			return -errno;
	}
}

/*
 * Make the thread @tid, stopped after a syscall with registers @regs,
 * fork (@flags 0), or clone a thread of its process (@flags, @ctid): the
 * child's tid, stopped at its first stop with the same registers; @tid is
 * left with @regs again, at a syscall-exit stop.
 */
static pid_t inject_child(pid_t tid, const struct user_regs_struct *regs, uint64_t flags,
			  uint64_t ctid)
{
	struct user_regs_struct r = *regs;
	unsigned long child = 0;
	int st;

	r.rip -= 2;			/* the `syscall` it stopped after */
	r.rax = flags ? SYS_clone : SYS_fork;
	r.rdi = flags;
	r.rsi = regs->rsp;		/* the child's registers are set anyway */
	r.rdx = 0;
	r.r10 = ctid;
	r.orig_rax = -1;
	if (ptrace(PTRACE_SETREGS, tid, 0, &r) || ptrace(PTRACE_CONT, tid, 0, 0))
		return -errno;
	/* its seccomp stop, the fork or clone event, the syscall's exit */
	if (wait_event(tid, PTRACE_EVENT_SECCOMP, &st))
		return -EPROTO;
	if (ptrace(PTRACE_SYSCALL, tid, 0, 0) ||
	    wait_event(tid, flags ? PTRACE_EVENT_CLONE : PTRACE_EVENT_FORK, &st) ||
	    ptrace(PTRACE_GETEVENTMSG, tid, 0, &child))
		return -EPROTO;
	if (ptrace(PTRACE_SYSCALL, tid, 0, 0) || wait_event(tid, 0, &st))
		return -EPROTO;
	if (ptrace(PTRACE_SETREGS, tid, 0, regs))
		return -errno;
	/* the child's first stop */
	if (wait_pid(child, &st) || ptrace(PTRACE_SETREGS, child, 0, regs)) {
		if (!flags)
			kill(child, SIGKILL);
		return -EPROTO;
	}
	return child;
}

static pid_t inject_fork(pid_t tid, const struct user_regs_struct *regs)
{
	return inject_child(tid, regs, 0, 0);
}

/* Copy the lists of @from into @to (whose scalars are already a copy). */
static int copy_lists(struct rp *to, const struct rp *from)
{
	struct rproc *p, **pp = &to->procs;
	struct rthread *t, **tp = &to->threads;

	to->procs = NULL;
	to->threads = NULL;
	to->last = NULL;
	for (p = from->procs; p; p = p->next) {
		struct rproc *n = malloc(sizeof(*n));

		if (!n)
			return -ENOMEM;
		*n = *p;
		n->next = NULL;
		n->memfd = -1;
		n->fd = malloc(p->nfd ? p->nfd : 1);
		n->fst = malloc((p->nfd ? p->nfd : 1) * sizeof(*p->fst));
		*pp = n;
		pp = &n->next;
		if (!n->fd || !n->fst)
			return -ENOMEM;
		if (p->nfd) {
			memcpy(n->fd, p->fd, p->nfd);
			memcpy(n->fst, p->fst, p->nfd * sizeof(*p->fst));
		}
	}
	for (t = from->threads; t; t = t->next) {
		struct rthread *n = malloc(sizeof(*n));
		struct rproc *q, *np;

		if (!n)
			return -ENOMEM;
		*n = *t;
		n->next = NULL;
		n->vfork_child = NULL;
		n->nstash = 0;
		n->fs = rp_fs_new();
		*tp = n;
		tp = &n->next;
		if (!n->fs)
			return -ENOMEM;
		n->fs->cwd_lost = t->fs->cwd_lost;
		n->fs->root_lost = t->fs->root_lost;
		for (q = from->procs, np = to->procs; q && q != t->p; q = q->next, np = np->next)
			;
		n->p = np;
		if (from->last == t)
			to->last = n;
	}
	return 0;
}

static void free_lists(struct rp *rp)
{
	while (rp->threads) {
		struct rthread *t = rp->threads;

		rp->threads = t->next;
		rp_fs_put(t->fs);
		free(t);
	}
	while (rp->procs) {
		struct rproc *p = rp->procs;

		rp->procs = p->next;
		free(p->fd);
		free(p->fst);
		free(p);
	}
}

/* Whether @t is at rest after a syscall, at its `syscall` instruction's end. */
static bool after_syscall(struct rthread *t)
{
	uint8_t insn[2];

	return (t->st == TS_DONE || t->st == TS_EXIT) &&
	       !rp_mem_read(t->p, t->regs.rip - 2, insn, 2) && insn[0] == 0x0f && insn[1] == 0x05;
}

/*
 * Whether @t can be made again in a replay from a checkpoint: at a stop
 * that a new thread given its registers stands at too (in user code, or
 * after a syscall), or at a syscall's entry (executed again).
 */
static bool thread_ok(const struct rthread *t)
{
	switch (t->st) {
	case TS_NEW:
	case TS_ENTRY:
	case TS_DONE:
	case TS_EXIT:
	case TS_PREEMPT:
		return !t->nstash && !t->vfork_child && !t->sigwait && !t->sig;
	default:
		return false;
	}
}

/*
 * The thread to inject the fork into, if the replay has one live process
 * whose threads can all be checkpointed: the leader if it can, else any
 * at rest after a syscall.
 */
static struct rthread *forker(struct rp *rp)
{
	struct rthread *t, *best = NULL;
	struct rproc *p;
	int n = 0;

	for (p = rp->procs; p; p = p->next)
		n += !p->dead;
	if (n != 1)
		return NULL;
	for (t = rp->threads; t; t = t->next) {
		if (t->st == TS_DEAD)
			continue;
		if (!thread_ok(t))
			return NULL;
		if (after_syscall(t) && (!best || t->rtid == t->p->rpid))
			best = t;
	}
	return best;
}

/* Note what a fork does not copy of each thread but @f. */
static int note_threads(struct rp_checkpoint *cp, const struct rp *rp, const struct rthread *f)
{
	const struct rthread *t;
	int i, n = 0;

	for (t = rp->threads; t; t = t->next)
		n++;
	cp->th = calloc(n ? n : 1, sizeof(*cp->th));
	if (!cp->th)
		return -ENOMEM;
	cp->nth = n;
	for (t = rp->threads, i = 0; t; t = t->next, i++) {
		static uint8_t xs[XSTATE_MAX];
		struct cp_thread *c = &cp->th[i];
		struct iovec v = { xs, sizeof(xs) };

		if (t == f)
			cp->forker = i;
		if (t == f || t->st == TS_DEAD)
			continue;
		if (ptrace(PTRACE_GETREGSET, t->tid, NT_X86_XSTATE, &v) ||
		    ptrace(PTRACE_GETSIGMASK, t->tid, sizeof(c->sigmask), &c->sigmask))
			return -errno;
		c->xstate = malloc(v.iov_len);
		if (!c->xstate)
			return -ENOMEM;
		memcpy(c->xstate, xs, v.iov_len);
		c->xlen = v.iov_len;
	}
	return 0;
}

int rp_checkpoint_take(struct rp *rp, uint64_t seq, uint64_t nrec, struct rp_checkpoint **out)
{
	struct rthread *t = forker(rp);
	struct rp_checkpoint *cp;
	pid_t pid;
	int err;

	*out = NULL;
	if (!t || rp->norphans || rp->memfds || rp->launch_exec || t->p->exiting ||
	    rp_stopped(rp))
		return -EAGAIN;
	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return -ENOMEM;
	err = note_threads(cp, rp, t);
	if (err) {
		rp_checkpoint_free(cp);
		return err;
	}
	pid = inject_fork(t->tid, &t->regs);
	if (pid < 0) {
		rp_checkpoint_free(cp);
		pr_debug("checkpoint at #%llu: %s\n", (unsigned long long)seq, strerror(-pid));
		return pid;
	}
	t->dirty = false;	/* its registers are t->regs again */
	cp->pid = pid;
	cp->seq = seq;
	cp->nrec = nrec;
	cp->regs = t->regs;
	cp->rp = *rp;
	if (copy_lists(&cp->rp, rp)) {
		rp_checkpoint_free(cp);
		return -ENOMEM;
	}
	cp->dbg = rp_dbg_state_save(rp);
	*out = cp;
	pr_debug("checkpoint at #%llu: pid %d\n", (unsigned long long)seq, pid);
	return 0;
}

uint64_t rp_checkpoint_seq(const struct rp_checkpoint *cp)
{
	return cp->seq;
}

void rp_checkpoint_free(struct rp_checkpoint *cp)
{
	int st, i;

	if (!cp)
		return;
	if (cp->pid > 0) {
		kill(cp->pid, SIGKILL);
		waitpid(cp->pid, &st, __WALL);
	}
	free_lists(&cp->rp);
	free(cp->dbg);
	for (i = 0; i < cp->nth; i++)
		free(cp->th[i].xstate);
	free(cp->th);
	free(cp);
}

/*
 * Thread @t of checkpoint @cp again in @pid, its process: a clone of
 * the thread @pid, stopped after a syscall with registers @regs, given
 * @t's registers and what was noted of it (@c), at the stop of its state.
 */
static int make_thread(struct rthread *t, const struct cp_thread *c, pid_t pid,
		       const struct user_regs_struct *regs)
{
	const uint64_t flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			       CLONE_SYSVSEM | (t->clear_tid ? CLONE_CHILD_CLEARTID : 0);
	struct user_regs_struct r = t->regs;
	struct iovec v = { c->xstate, c->xlen };
	pid_t tid;
	int st;

	tid = inject_child(pid, regs, flags, t->clear_tid);
	if (tid < 0)
		return tid;
	t->tid = tid;
	if (ptrace(PTRACE_SETREGSET, tid, NT_X86_XSTATE, &v) ||
	    ptrace(PTRACE_SETSIGMASK, tid, sizeof(c->sigmask), &c->sigmask))
		return -errno;
	if (t->st == TS_ENTRY) {
		/* at a syscall's entry: it executes that `syscall` again */
		r.rip -= 2;
		r.rax = r.orig_rax;
		if (ptrace(PTRACE_SETREGS, tid, 0, &r) || ptrace(PTRACE_CONT, tid, 0, 0) ||
		    wait_event(tid, PTRACE_EVENT_SECCOMP, &st))
			return -EPROTO;
	}
	if (ptrace(PTRACE_SETREGS, tid, 0, &t->regs))
		return -errno;
	t->dirty = false;
	return 0;
}

static int live_threads(const struct rp *rp)
{
	const struct rthread *t;
	int n = 0;

	for (t = rp->threads; t; t = t->next)
		n += t->st != TS_DEAD;
	return n;
}

/* The threads of @cp in @pid, the fork of its frozen copy: the forker is @pid. */
static int make_threads(struct rp *rp, const struct rp_checkpoint *cp, pid_t pid)
{
	struct rthread *t;
	int i, err;

	for (t = rp->threads, i = 0; t; t = t->next, i++) {
		if (t->st == TS_DEAD)
			continue;
		if (i == cp->forker) {
			t->tid = pid;
			continue;
		}
		err = make_thread(t, &cp->th[i], pid, &cp->regs);
		if (err) {
			pr_debug("checkpoint at #%llu: thread %u not made again: %s\n",
				 (unsigned long long)cp->seq, t->rtid, strerror(-err));
			return err;
		}
	}
	return 0;
}

int rp_checkpoint_restore(struct rp *rp, const struct rp_checkpoint *cp)
{
	struct rec_event ev;
	struct rproc *p;
	uint64_t i;
	pid_t pid;
	int err;

	pid = inject_fork(cp->pid, &cp->regs);
	if (pid < 0)
		return pid;
	/* the state then; this replay's own buffers, reader and options */
	{
		struct rp keep = *rp;

		*rp = cp->rp;
		rp->o = keep.o;
		rp->li = keep.li;
		rp->rr = keep.rr;
		rp->dbg = keep.dbg;
		rp->memfds = NULL;
		rp->iov = NULL;
		rp->niov = rp->iov_cap = 0;
		rp->buf = NULL;
		rp->buf_cap = 0;
		rp->ev = NULL;
		rp->cur = NULL;
		rp->norphans = 0;
	}
	if (copy_lists(rp, &cp->rp)) {
		kill(pid, SIGKILL);
		return -ENOMEM;
	}
	for (p = rp->procs; p; p = p->next) {
		if (p->dead)
			continue;
		p->pid = pid;
		rp_proc_reopen_mem(p);
	}
	err = make_threads(rp, cp, pid);
	if (err) {
		kill(pid, SIGKILL);
		return err;
	}
	pr_debug("replay from the checkpoint at #%llu: pid %d, %d threads\n",
		 (unsigned long long)cp->seq, pid, live_threads(rp));
	for (i = 0; i < cp->nrec; i++)
		if (rec_reader_next(&rp->rr, &ev) <= 0)
			return -EIO;
	rp_dbg_state_load(rp, cp->dbg);
	return 0;
}
