// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoints of a replay under a debugger (debug.h): a frozen copy of the
 * replayed process, made by a fork() injected into it at an event boundary
 * (as rr does), and a copy of the replay's own state there (its processes,
 * threads, descriptor tables, counters, the debugger's notes). A new replay
 * starts from one by a fork() injected into the frozen copy (which stays,
 * for the next time) and reads the journal on from the same record.
 *
 * A checkpoint is taken only where that is the whole state: one process
 * with one thread, at rest after a syscall (the fork is injected at its
 * `syscall` instruction), and no file contents the replay keeps (memfds,
 * files the recording made: those are shared with the copy and would move
 * on with the live replay). Elsewhere rp_checkpoint_take() declines.
 *
 * What a fork does not copy is not in a checkpoint: pending signals,
 * timers (the replay emulates them), MADV_DONTFORK and MADV_WIPEONFORK
 * memory, the robust futex list head (the replay keeps its own).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lib/log.h"
#include "replay/debug.h"
#include "replay/internal.h"

struct rp_checkpoint {
	pid_t pid;			/* the frozen copy */
	uint64_t seq;			/* the event it stands before */
	uint64_t nrec;			/* journal records read before that event */
	struct user_regs_struct regs;	/* its thread's registers */
	struct rp rp;			/* the replay's state (lists deep-copied) */
	void *dbg;			/* the debugger's (rp_dbg_state_*) */
};

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
 * fork: the child's pid, stopped at its first stop with the same
 * registers; @tid is left with @regs again, at a syscall-exit stop.
 */
static pid_t inject_fork(pid_t tid, const struct user_regs_struct *regs)
{
	struct user_regs_struct r = *regs;
	unsigned long child = 0;
	int st;

	r.rip -= 2;			/* the `syscall` it stopped after */
	r.rax = SYS_fork;
	r.orig_rax = -1;
	if (ptrace(PTRACE_SETREGS, tid, 0, &r) || ptrace(PTRACE_CONT, tid, 0, 0))
		return -errno;
	/* its seccomp stop, the fork event, the syscall's exit */
	if (wait_event(tid, PTRACE_EVENT_SECCOMP, &st))
		return -EPROTO;
	if (ptrace(PTRACE_SYSCALL, tid, 0, 0) || wait_event(tid, PTRACE_EVENT_FORK, &st) ||
	    ptrace(PTRACE_GETEVENTMSG, tid, 0, &child))
		return -EPROTO;
	if (ptrace(PTRACE_SYSCALL, tid, 0, 0) || wait_event(tid, 0, &st))
		return -EPROTO;
	if (ptrace(PTRACE_SETREGS, tid, 0, regs))
		return -errno;
	/* the child's first stop */
	if (wait_pid(child, &st) || ptrace(PTRACE_SETREGS, child, 0, regs)) {
		kill(child, SIGKILL);
		return -EPROTO;
	}
	return child;
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

/* The one live thread, if the replay has one live process with one thread. */
static struct rthread *only_thread(struct rp *rp)
{
	struct rthread *t, *one = NULL;
	struct rproc *p;
	int n = 0;

	for (p = rp->procs; p; p = p->next)
		n += !p->dead;
	if (n != 1)
		return NULL;
	for (t = rp->threads; t; t = t->next) {
		if (t->st == TS_DEAD)
			continue;
		if (one)
			return NULL;
		one = t;
	}
	return one;
}

int rp_checkpoint_take(struct rp *rp, uint64_t seq, uint64_t nrec, struct rp_checkpoint **out)
{
	struct rthread *t = only_thread(rp);
	struct rp_checkpoint *cp;
	uint8_t insn[2];
	pid_t pid;

	*out = NULL;
	if (!t || (t->st != TS_DONE && t->st != TS_EXIT) || t->nstash || rp->norphans ||
	    rp->memfds || rp->launch_exec || t->p->exiting || rp_stopped(rp))
		return -EAGAIN;
	if (rp_mem_read(t->p, t->regs.rip - 2, insn, 2) || insn[0] != 0x0f || insn[1] != 0x05)
		return -EAGAIN;
	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return -ENOMEM;
	pid = inject_fork(t->tid, &t->regs);
	if (pid < 0) {
		free(cp);
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
	int st;

	if (!cp)
		return;
	if (cp->pid > 0) {
		kill(cp->pid, SIGKILL);
		waitpid(cp->pid, &st, __WALL);
	}
	free_lists(&cp->rp);
	free(cp->dbg);
	free(cp);
}

int rp_checkpoint_restore(struct rp *rp, const struct rp_checkpoint *cp)
{
	struct rec_event ev;
	struct rthread *t;
	struct rproc *p;
	uint64_t i;
	pid_t pid;

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
	for (t = rp->threads; t; t = t->next)
		if (t->st != TS_DEAD)
			t->tid = pid;
	for (i = 0; i < cp->nrec; i++)
		if (rec_reader_next(&rp->rr, &ev) <= 0)
			return -EIO;
	rp_dbg_state_load(rp, cp->dbg);
	return 0;
}
