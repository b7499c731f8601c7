// SPDX-License-Identifier: GPL-2.0
/*
 * Task events (REC_TASK): a thread or process begins (clone, fork, vfork),
 * a process execs, a thread ends. A clone, a fork the recorder followed
 * (--follow-fork) and an exec run for real: the task event runs the thread
 * into the syscall, up to the new child or program image, and the
 * syscall's own REC_SYS event finishes it (finish_started() in
 * syscalls.c). The program sees the recorded tids.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "module/module.h"
#include "replay/internal.h"

void rp_clone_req(struct rthread *t, struct rp_clone_req *c)
{
	uint64_t ca[4];

	memset(c, 0, sizeof(*c));
	switch (t->entry.orig_rax) {
	case SYS_clone:
		c->flags = t->entry.rdi;
		c->ptid = t->entry.rdx;
		c->ctid = t->entry.r10;
		if (c->flags & CLONE_PIDFD)
			c->pidfd = c->ptid;	/* clone() puts it there */
		break;
	case SYS_clone3:
		/* struct clone_args: flags, pidfd, child_tid, parent_tid, ... */
		if (!rp_mem_read(t->p, t->entry.rdi, ca, sizeof(ca))) {
			c->flags = ca[0];
			c->pidfd = ca[1];
			c->ctid = ca[2];
			c->ptid = ca[3];
		}
		break;
	case SYS_vfork:
		c->flags = CLONE_VM | CLONE_VFORK;
		break;
	}
}

/*
 * At a clone/fork/vfork event stop of @t: the new thread or process. Which
 * of the two is the clone's CLONE_THREAD, not the ptrace event: a process
 * made with another exit signal than SIGCHLD (CLONE_PARENT's siblings,
 * say) is reported as PTRACE_EVENT_CLONE.
 */
int rp_new_child(struct rp *rp, struct rthread *t, enum stop kind, uint32_t rchild)
{
	struct rp_clone_req req;
	unsigned long msg;
	struct rthread *c;
	struct rproc *p = t->p;
	int st, sig, err;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg))
		return -errno;
	rp_clone_req(t, &req);
	if (!(req.flags & CLONE_THREAD)) {
		p = rp_proc_new(rp, rchild, msg);
		if (!p)
			return -ENOMEM;
		p->fd = malloc(t->p->nfd ? t->p->nfd : 1);
		p->fst = malloc(t->p->nfd ? t->p->nfd * sizeof(*p->fst) : 1);
		if (!p->fd || !p->fst)
			return -ENOMEM;
		memcpy(p->fd, t->p->fd, t->p->nfd);
		memcpy(p->fst, t->p->fst, t->p->nfd * sizeof(*p->fst));
		p->nfd = t->p->nfd;
	}
	c = rp_thread_new(rp, p, rchild, msg);
	if (!c)
		return -ENOMEM;
	rp_fs_clone(t, c, req.flags);
	if (req.flags & CLONE_CHILD_CLEARTID)
		c->clear_tid = req.ctid;
	if (kind == STOP_VFORK)
		t->vfork_child = c;
	/* its first stop (PTRACE_EVENT_STOP) */
	for (;;) {
		err = rp_wait_thread(rp, c, &st);
		if (err)
			return err;
		if (rp_classify(st, &sig) == STOP_EXITED) {
			rp_thread_died(rp, c, st);
			return 0;
		}
		if (rp_classify(st, &sig) == STOP_EVSTOP)
			break;
		ptrace(PTRACE_CONT, c->tid, 0, 0);
	}
	c->st = TS_NEW;
	return rp_getregs(c);
}

/*
 * After a clone's event stop: the tids the program sees are the recorded
 * ones (CLONE_PARENT_SETTID, CLONE_CHILD_SETTID words); a CLONE_PIDFD
 * descriptor is in the parent's table (every use of it is emulated).
 */
static void clone_set_tids(struct rp *rp, struct rthread *t, const struct rec_task *tk)
{
	struct rthread *c = rp_thread_by_rtid(rp, tk->child);
	struct rp_clone_req req;
	int32_t fd;

	rp_clone_req(t, &req);
	if ((req.flags & CLONE_PARENT_SETTID) && req.ptid)
		rp_mem_write(t->p, req.ptid, &tk->child, 4);
	if ((req.flags & CLONE_CHILD_SETTID) && req.ctid && c)
		rp_mem_write(c->p, req.ctid, &tk->child, 4);
	if ((req.flags & CLONE_PIDFD) && req.pidfd &&
	    !rp_mem_read(t->p, req.pidfd, &fd, sizeof(fd)))
		rp_fd_set_kind(t->p, fd, FD_PLACEHOLDER);
}

/*
 * @c execs: a vfork parent waiting for it returns (the exec released the
 * memory they shared). The journal may hold that exec before the parent's
 * return from vfork, or after it (finish_started() then runs the exec).
 */
static void vfork_release(struct rp *rp, struct rthread *c)
{
	struct rthread *t;

	for (t = rp->threads; t; t = t->next)
		if (t->vfork_child == c)
			t->vfork_child = NULL;
}

/*
 * An exec by a thread other than the main one: the kernel ends the
 * process's other threads (their exit events came first: task_exit()),
 * and @t takes the main thread's tid, under which ptrace reports the exec
 * (the main thread itself is never reported again). Resume @t into its
 * execve, and know it by that tid from now on, as the journal does
 * (@tk->tid).
 */
static int exec_take_over(struct rp *rp, struct rthread *t, const struct rec_task *tk)
{
	struct rthread *u;
	int err;

	err = rp_resume(t, PTRACE_SYSCALL);
	if (err)
		return err;
	t->st = TS_INSYS;
	for (u = rp->threads; u; u = u->next)
		if (u->p == t->p && u != t && u->tid == t->p->pid && u->st != TS_DEAD)
			rp_thread_died(rp, u, 0);
	t->tid = t->p->pid;
	t->rtid = tk->tid;
	return 0;
}

/*
 * After an exec: the other threads of the process are gone (the driver
 * reaped them while it waited for the exec, as the kernel needs).
 */
static void exec_others_gone(struct rp *rp, struct rthread *t)
{
	struct rthread *u;

	for (u = rp->threads; u; u = u->next) {
		if (u->p != t->p || u == t || u->st == TS_DEAD)
			continue;
		u->nstash = 0;
		rp_thread_died(rp, u, 0);
	}
}

/*
 * A clone, fork or exec (REC_TASK_CLONE, _FORK, _EXEC): run @t into the
 * syscall up to the event (the new child set up, or the new program
 * image); its REC_SYS event finishes it (finish_started()).
 */
static int task_start(struct rp *rp, struct rthread *t, const struct rec_task *tk)
{
	int err;

	err = rp_run_to_entry(rp, t);
	if (err) {
		rp_diverge(rp, t, "the thread %s in the replay before its %s",
			   err == -ESRCH ? "exited" : "got a signal",
			   tk->kind == REC_TASK_EXEC ? "exec" : "clone");
		return err;
	}
	if (tk->kind == REC_TASK_EXEC ?
	    t->regs.orig_rax != SYS_execve && t->regs.orig_rax != SYS_execveat :
	    t->regs.orig_rax != SYS_clone && t->regs.orig_rax != SYS_clone3 &&
	    t->regs.orig_rax != SYS_fork && t->regs.orig_rax != SYS_vfork) {
		__u64 a[6];
		char act[512];

		rp_regs_args(&t->regs, a);
		rp_fmt_call(act, sizeof(act), t->regs.orig_rax, a,
			    replay_sys_nargs(t->regs.orig_rax));
		rp_diverge(rp, t, "  expected: %s\n  actual:   %s",
			   tk->kind == REC_TASK_EXEC ? "execve(...)" : "clone(...)", act);
		return -EPROTO;
	}
	if (tk->kind == REC_TASK_EXEC && t->regs.orig_rax == SYS_execveat &&
	    (t->regs.r8 & AT_EMPTY_PATH)) {
		err = rp_exec_image(rp, t);	/* fexecve() of a memfd */
		if (err)
			return err;
	}
	t->entry = t->regs;
	t->task_started = true;
	t->last_nr = t->regs.orig_rax;
	rp->real++;
	if (tk->kind == REC_TASK_EXEC)
		vfork_release(rp, t);
	if (tk->kind == REC_TASK_EXEC && t->tid != t->p->pid) {
		err = exec_take_over(rp, t, tk);
		if (err)
			return err;
	}
	err = rp_run_real(rp, t, tk->kind != REC_TASK_EXEC, tk->child);
	if (err)
		return err;
	if (tk->kind == REC_TASK_EXEC)
		exec_others_gone(rp, t);
	if (tk->kind != REC_TASK_EXEC) {
		clone_set_tids(rp, t, tk);
		/* on to its exit (a vfork parent waits there for its child) */
		err = rp_resume(t, PTRACE_SYSCALL);
		t->st = TS_INSYS;
	}
	return err;
}

/*
 * A thread of @p waits in a signal-delivery stop with a signal that ends
 * the process (a fault, or a signal without a handler, recorded before
 * this exit): let the kernel deliver it, the process ends. Return: whether
 * there was one.
 */
static bool deliver_fatal(struct rp *rp, struct rproc *p)
{
	struct rthread *u;

	for (u = rp->threads; u; u = u->next) {
		if (u->p != p || u->st != TS_SIGSTOP || !u->sig_fatal)
			continue;
		rp_resume(u, PTRACE_CONT);	/* -ESRCH: it is gone already */
		u->st = TS_EXITING;
		p->exiting = true;
		return true;
	}
	return false;
}

/*
 * REC_TASK_EXIT: @t is on its way out; a process ends with the recorded
 * status. A thread ends by its own exit(), with its process (exit_group(),
 * a fatal signal in any of its threads, SIGKILL), and in each case the
 * replay's thread may be gone already or still be stopped where it was.
 */
static int task_exit(struct rp *rp, struct rthread *t, const struct rec_task *tk)
{
	int err, st, sig, fatal = 0;

	if (tk->child && t->st != TS_DEAD && !t->p->exiting) {
		/*
		 * Ended by the exec of another thread (@tk->child), which
		 * has not run in the replay yet: this thread ends when it
		 * does (task_start()).
		 */
		return 0;
	}
	if (t->st == TS_SIGSTOP) {
		err = rp_resume(t, PTRACE_CONT);	/* the fatal signal */
		t->st = TS_EXITING;
		t->p->exiting = true;
		if (err && err != -ESRCH)
			return err;
	}
	if (t->st != TS_DEAD && t->st != TS_EXITING && !t->p->exiting &&
	    !deliver_fatal(rp, t->p)) {
		if (!t->killed) {
			rp_diverge(rp, t, "the thread exited in the recording (status %#x) but not in the replay",
				   tk->exit_code);
			return -EPROTO;
		}
		/*
		 * A SIGKILL from elsewhere: its kill() was emulated. Or the
		 * kernel's for a fatal signal from elsewhere: to a process no
		 * tracer holds, a signal whose default action ends it ends it
		 * at once, each thread by SIGKILL, its status that signal's.
		 * The replay sends the signal of the status (its tracer lets
		 * it be delivered, below).
		 */
		fatal = WIFSIGNALED(tk->exit_code) ? WTERMSIG(tk->exit_code) : SIGKILL;
		if (syscall(SYS_tgkill, t->p->pid, t->tid, fatal) && errno != ESRCH)
			return -errno;
		t->p->exiting = true;
		/* SIGKILL ends a stopped thread too; another signal must be taken */
		if (fatal != SIGKILL && t->st != TS_INSYS && t->st != TS_DEAD) {
			if (t->st == TS_ENTRY) {
				t->regs.orig_rax = -1;	/* its syscall does not run */
				t->dirty = true;
			}
			err = rp_resume(t, PTRACE_CONT);
			if (err && err != -ESRCH)
				return err;
			t->st = TS_EXITING;
		}
	}
	if (t->st != TS_DEAD && t->tid == t->p->pid && !tk->group_dead) {
		/*
		 * A group leader that ends before its other threads: the
		 * kernel reports it only with the last of them (ptrace.c
		 * drops that status then).
		 */
		rp_thread_died(rp, t, tk->exit_code);
		t->p->leader_gone = true;
		return 0;
	}
	while (t->st != TS_DEAD) {
		err = rp_wait_thread(rp, t, &st);
		if (err)
			return err;
		switch (rp_classify(st, &sig)) {
		case STOP_EXITED:
			rp_thread_died(rp, t, st);
			break;
		case STOP_SIGNAL:
			ptrace(PTRACE_CONT, t->tid, 0, sig == fatal ? sig : 0);
			break;
		default:
			ptrace(PTRACE_CONT, t->tid, 0, 0);
			break;
		}
	}
	if ((uint32_t)t->status != tk->exit_code && tk->group_dead) {
		char a[64], b[64];

		ttrec_wait_status_str(tk->exit_code, a, sizeof(a));
		ttrec_wait_status_str(t->status, b, sizeof(b));
		rp_diverge(rp, t, "the process ended otherwise than in the recording\n"
			   "  expected: %s\n  actual:   %s", a, b);
		return -EPROTO;
	}
	if (tk->group_dead)
		t->p->dead = true;
	return 0;
}

/* A REC_TASK event: a thread or process begins, execs or ends. */
int rp_handle_task(struct rp *rp, const struct rec_task *tk)
{
	struct rthread *t;

	if (tk->kind == REC_TASK_EXEC && rp->launch_exec) {
		/* the launch exec: names the first thread */
		t = rp_thread_by_rtid(rp, 0);
		if (!t)
			return -ESRCH;
		t->rtid = tk->tid;
		t->p->rpid = tk->tgid;
		return 0;
	}
	if (tk->kind == REC_TASK_EXEC && tk->child && tk->child != tk->tid)
		t = rp_thread_by_rtid(rp, tk->child);	/* exec'd by that thread */
	else
		t = rp_thread_by_rtid(rp, tk->tid);
	rp->cur = NULL;		/* clone and exec stay inside their syscall */
	if (!t) {
		rp_diverge(rp, NULL, "a task event of thread %u, which does not exist in the replay", tk->tid);
		return -ESRCH;
	}
	if (tk->kind == REC_TASK_EXEC && t->exec_early) {
		t->exec_early = false;	/* done already: see finish_started() */
		return 0;
	}
	switch (tk->kind) {
	case REC_TASK_FORK:
		if (!tk->traced)
			return 0;	/* the fork is emulated: no child */
		/* fallthrough */
	case REC_TASK_CLONE:
	case REC_TASK_EXEC:
		return task_start(rp, t, tk);
	case REC_TASK_EXIT:
		return task_exit(rp, t, tk);
	}
	return 0;
}
