// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall events (REC_SYS). The thread runs to its next syscall, which
 * must be the recorded one (number, argument registers, string arguments);
 * then it is emulated (skipped: the recorded result and output bytes
 * instead) or runs for real with its result asserted, as sys.c says of it.
 * The syscalls of the descriptor table are in fd.c, the reads and writes
 * of a memfd in memfd.c, the ones that change where paths resolve in
 * path.c, the ones that wait with a temporary signal mask in signal.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/log.h"
#include "replay/internal.h"

/* Show what the program wrote to its stdout/stderr (an emulated write). */
static void reproduce_output(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	int kind = rp_fd_kind(t->p, rs->args[0]), out;
	size_t want = rs->ret, got = 0;
	uint8_t *b;

	if (rp->o->quiet || rs->ret <= 0 || (kind != FD_STDOUT && kind != FD_STDERR))
		return;
	out = kind == FD_STDOUT ? STDOUT_FILENO : STDERR_FILENO;
	b = rp_scratch(rp, want);
	if (!b)
		return;
	switch (rs->nr) {
	case SYS_write:
	case SYS_pwrite64:
		if (rp_mem_read(t->p, rs->args[1], b, want))
			return;
		got = want;
		break;
	case SYS_writev:
	case SYS_pwritev:
	case SYS_pwritev2: {
		struct iovec v[64];
		size_t n = rs->args[2] < 64 ? rs->args[2] : 64, i;

		if (rp_mem_read(t->p, rs->args[1], v, n * sizeof(v[0])))
			return;
		for (i = 0; i < n && got < want; i++) {
			size_t l = v[i].iov_len < want - got ? v[i].iov_len : want - got;

			if (rp_mem_read(t->p, (uint64_t)v[i].iov_base, b + got, l))
				return;
			got += l;
		}
		break;
	}
	default:
		return;
	}
	while (got) {
		ssize_t w = write(out, b, got);

		if (w <= 0)
			break;
		b += w;
		got -= w;
		rp->stdout_bytes += w;
	}
}

/* Skip the syscall @t is stopped at: recorded result and outputs instead. */
int rp_emulate(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	int err;

	if ((rs->flags & REC_SF_OUT_UNKNOWN) ||
	    ((rs->flags & REC_SF_OUT_PARTIAL) && rs->nr != SYS_futex && rs->nr != SYS_clone &&
	     rs->nr != SYS_clone3 && rs->nr != SYS_fcntl && rs->nr != SYS_prctl &&
	     rs->nr != SYS_arch_prctl && rs->nr != 455 /* futex_wait */)) {
		char call[512];

		rp->imprecise++;
		rp_fmt_call(call, sizeof(call), rs->nr, rs->args, replay_sys_nargs(rs->nr));
		pr_debug("event #%llu: %s = %lld: its outputs are not in the journal\n",
			 (unsigned long long)rp->seq, call, (long long)rs->ret);
	}
	rp->emulated++;
	reproduce_output(rp, t, rs);
	err = rp_do_outs(rp, t, rs, true);
	if (err < 0)
		return err;
	if (rs->nr == SYS_fcntl && !rs->ret && !rs->nout &&
	    (rs->args[1] == F_GETLK || rs->args[1] == 36)) {
		/*
		 * A journal from before fcntl's outputs were recorded does
		 * not hold F_GETLK's answer. Nothing else runs in the
		 * replay, so nothing holds a lock: F_UNLCK (had the recorded
		 * program seen a lock, it would not go on as the journal
		 * says, which the replay would notice).
		 */
		int16_t unlck = F_UNLCK;

		rp_mem_write(t->p, rs->args[2], &unlck, sizeof(unlck));
	}
	t->regs.orig_rax = -1;
	t->regs.rax = rs->ret;
	t->dirty = true;
	t->st = TS_DONE;
	if (!rp_is_restart(rs->ret))
		return 0;
	/*
	 * Interrupted: the kernel restarts it or turns it into -EINTR on the
	 * way out, by orig_rax. Stop at the exit to put the number back.
	 */
	err = rp_resume(t, PTRACE_SYSCALL);
	if (err)
		return err;
	t->st = TS_INSYS;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	t->regs.orig_rax = rs->nr;
	t->regs.rax = rs->ret;
	t->dirty = true;
	t->restart = true;	/* no signal of its own may follow: rp_resume() */
	return 0;
}

/*
 * A clone, fork or vfork whose child was not recorded (no --follow-fork):
 * emulated, with what the kernel left in the parent: the
 * CLONE_PARENT_SETTID word, and a CLONE_PIDFD descriptor (an eventfd
 * placeholder takes the lowest free number, as the pidfd did).
 */
static int clone_unrecorded(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	int32_t child = rs->ret, fd;
	struct rp_clone_req req;
	int err;

	t->entry = t->regs;
	rp_clone_req(t, &req);
	if (!(req.flags & CLONE_PIDFD) || !req.pidfd) {
		err = rp_emulate(rp, t, rs);
		if (!err && (req.flags & CLONE_PARENT_SETTID) && req.ptid)
			rp_mem_write(t->p, req.ptid, &child, sizeof(child));
		return err;
	}
	t->regs.orig_rax = SYS_eventfd2;
	t->regs.rdi = 0;
	t->regs.rsi = O_NONBLOCK | O_CLOEXEC;	/* a pidfd is close-on-exec */
	t->dirty = true;
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	fd = t->regs.rax;
	if (fd < 0) {
		rp_fail(rp, "cannot make a placeholder for the pidfd of clone: %s\n", strerror(-fd));
		return -EIO;
	}
	rp_fd_set_kind(t->p, fd, FD_PLACEHOLDER);
	rp_mem_write(t->p, req.pidfd, &fd, sizeof(fd));
	if ((req.flags & CLONE_PARENT_SETTID) && req.ptid)
		rp_mem_write(t->p, req.ptid, &child, sizeof(child));
	rp_restore_args(t, rs->ret);
	return rp_do_outs(rp, t, rs, true);
}

/* Compare the syscall @t is at (regs @r) with the recorded one. */
static bool matches(struct rp *rp, struct rthread *t, const struct user_regs_struct *r,
		    const struct rec_sys *rs)
{
	__u64 a[6];
	unsigned int n = replay_sys_nargs(rs->nr), i;
	char exp[512], act[512];

	rp_regs_args(r, a);
	if ((int64_t)r->orig_rax == rs->nr) {
		if (rs->flags & REC_SF_NO_ENTER)
			return true;
		for (i = 0; i < n; i++)
			if (a[i] != rs->args[i])
				break;
		if (i == n)
			return true;
	}
	rp_fmt_call(exp, sizeof(exp), rs->nr, rs->args, n);
	rp_fmt_call(act, sizeof(act), r->orig_rax, a, replay_sys_nargs(r->orig_rax));
	rp_diverge(rp, t, "  expected: %s\n  actual:   %s", exp, act);
	return false;
}

/* Run the syscall at @t for real with its registers as they are; check the result. */
static int real(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	int err;

	rp->real++;
	t->entry = t->regs;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	return 0;
}

/* A clone/fork/vfork started by its REC_TASK event: now its REC_SYS. */
static int finish_started(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	struct user_regs_struct r;
	int err;

	t->task_started = false;
	if (t->vfork_child) {
		/*
		 * The vfork parent returns once its child's execve released
		 * the memory they share, which the recorder saw before the
		 * child's exec event: run that execve now.
		 */
		struct rthread *c = t->vfork_child;

		t->vfork_child = NULL;
		if (c->st != TS_DEAD && !c->task_started) {
			err = rp_run_to_entry(rp, c);
			if (!err && c->regs.orig_rax != SYS_execve && c->regs.orig_rax != SYS_execveat &&
			    c->regs.orig_rax != SYS_exit && c->regs.orig_rax != SYS_exit_group) {
				rp_diverge(rp, c, "the vfork child does not exec (syscall %lld) while its parent returns",
					   (long long)c->regs.orig_rax);
				return -EPROTO;
			}
			if (!err && (c->regs.orig_rax == SYS_execve || c->regs.orig_rax == SYS_execveat)) {
				c->entry = c->regs;
				c->task_started = true;
				c->exec_early = true;
				c->last_nr = c->regs.orig_rax;
				rp->real++;
				err = rp_run_real(rp, c, false, 0);
			}
			if (err && err != -ESRCH)
				return err;
		}
	}
	if (t->st == TS_EVSTOP || t->st == TS_INSYS) {
		err = rp_run_real(rp, t, false, 0);
		if (err)
			return err;
	}
	r = t->entry;
	if (!matches(rp, t, &r, rs))
		return -EPROTO;
	if (rs->nr == SYS_execve || rs->nr == SYS_execveat) {
		if ((int64_t)t->regs.rax != rs->ret) {
			rp_divergent_result(rp, t, rs, t->regs.rax);
			return -EPROTO;
		}
	} else {
		/* the child's recorded tid, not the replay's */
		t->regs.rax = rs->ret;
		t->dirty = true;
	}
	return rp_do_outs(rp, t, rs, false);
}

/*
 * Wait until @t, resumed into exit(), is gone: the kernel clears its
 * CLONE_CHILD_CLEARTID word on the way, which other threads read
 * (pthread_join) as soon as their next event runs them. A group leader is
 * reported only with its whole group: wait for it to be a zombie.
 */
static int wait_exited(struct rp *rp, struct rthread *t)
{
	char path[64], line[256];
	int st, sig, err, i;

	if (t->tid != t->p->pid) {
		while (t->st != TS_DEAD) {
			err = rp_wait_thread(rp, t, &st);
			if (err)
				return err;
			if (rp_classify(st, &sig) == STOP_EXITED)
				rp_thread_died(rp, t, st);
			else
				ptrace(PTRACE_CONT, t->tid, 0, 0);
		}
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", t->tid);
	for (i = 0; i < 100000; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n;
		char *p;

		if (fd < 0)
			return 0;
		n = read(fd, line, sizeof(line) - 1);
		close(fd);
		if (n <= 0)
			return 0;
		line[n] = 0;
		p = strrchr(line, ')');
		if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
			return 0;
		usleep(i < 100 ? 10 : 1000);
	}
	return -ETIMEDOUT;
}

/* The input strings (paths...) the recorder saw must be the ones passed now. */
static bool strings_match(struct rp *rp, struct rthread *t, const struct rec_sys *rs,
			  const struct rec_event *ev)
{
	unsigned int i;

	for (i = 0; i < ev->nin; i++) {
		const struct rec_str *in = &ev->in[i];
		char now[REC_STR_MAX + 1], call[512], *e;
		size_t want = in->len + !(in->flags & REC_IN_TRUNC), k;

		if ((in->flags & REC_IN_FAULT) || in->arg > 5 || in->len > REC_STR_MAX)
			continue;
		/* byte by byte near a page end; the string may end just before it */
		if (rp_mem_read(t->p, rs->args[in->arg], now, want)) {
			for (k = 0; k < want; k++)
				if (rp_mem_read(t->p, rs->args[in->arg] + k, now + k, 1))
					break;
			if (k < want)
				now[k] = 1;	/* unreadable: cannot match a NUL */
		}
		if (!memcmp(now, in->s, in->len) &&
		    ((in->flags & REC_IN_TRUNC) || !now[in->len]))
			continue;
		now[in->len < REC_STR_MAX ? in->len + 1 : REC_STR_MAX] = 0;
		e = memchr(now, 0, sizeof(now));
		rp_fmt_call(call, sizeof(call), rs->nr, rs->args, replay_sys_nargs(rs->nr));
		rp_diverge(rp, t, "%s: its string argument %u differs\n  expected: \"%.*s\"\n  actual:   \"%.*s\"",
			   call, in->arg, (int)in->len, in->s, e ? (int)(e - now) : (int)in->len,
			   now);
		return false;
	}
	return true;
}

/*
 * Run @t to the entry of its next syscall, the recorded @rs. A thread that
 * gets somewhere else (it exits, faults or runs on and on) diverges.
 */
static int run_to_sys(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	char call[512];
	int err;

	err = rp_run_to_entry(rp, t);
	if (!err)
		return 0;
	rp_fmt_call(call, sizeof(call), rs->nr, rs->args, replay_sys_nargs(rs->nr));
	if (err == -ESRCH)
		rp_diverge(rp, t, "the thread exited in the replay\n  expected: %s", call);
	else if (err == -ETIMEDOUT)
		rp_diverge(rp, t, "the thread ran for %.0f s without reaching its next syscall (the recording took %.3f s): it does not do what it did\n  expected: %s",
			   rp_watchdog_budget_ns() / 1e9,
			   rp->ts > t->last_ts && t->last_ts ? (rp->ts - t->last_ts) / 1e9 : 0.0,
			   call);
	else if (err == -EFAULT)
		rp_diverge(rp, t, "the thread got %s in the replay\n  expected: %s",
			   strsignal(t->sig), call);
	else
		rp_fail(rp, "cannot run thread %d: %s\n", t->tid, strerror(-err));
	return err;
}

/* exit, exit_group: let it end the thread (or its whole process). */
static int sys_exit(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	struct rthread *u;
	int err;

	/* its robust futexes, and with exit_group its process's (pids.c) */
	for (u = rp->threads; u; u = u->next)
		if (u == t || (rs->nr == SYS_exit_group && u->p == t->p && u->st != TS_DEAD))
			rp_robust_exit(u);
	if (rs->nr == SYS_exit_group)
		t->p->exiting = true;
	err = rp_resume(t, PTRACE_CONT);
	t->st = TS_EXITING;
	rp->real++;
	if (!err && rs->nr == SYS_exit)
		err = wait_exited(rp, t);
	if (!err)
		err = rp_do_outs(rp, t, rs, false);
	return err;
}

/* A syscall that shapes the process (RP_REAL, RP_FDREAL): run, result asserted. */
static int sys_real(struct rp *rp, struct rthread *t, const struct rec_sys *rs, int kind)
{
	int err;

	err = real(rp, t, rs);
	if (err)
		return err;
	if (rs->nr == SYS_set_tid_address) {
		t->regs.rax = rs->ret;	/* the recorded tid */
		t->dirty = true;
	} else if (rs->nr == SYS_rt_sigreturn && rp_sigreturn_async(t)) {
		/* back where the replay delivered it, with its registers */
	} else if ((int64_t)t->regs.rax != rs->ret) {
		rp_divergent_result(rp, t, rs, t->regs.rax);
		return -EPROTO;
	}
	if (kind == RP_FDREAL)
		rp_fd_effects(t, rs);
	return rp_do_outs(rp, t, rs, false);
}

/* A REC_SYS event: the thread's next syscall, replayed by its kind. */
int rp_handle_sys(struct rp *rp, const struct rec_event *ev)
{
	struct rec_sys rsb = *(const struct rec_sys *)ev->rec, *rs = &rsb;
	struct rthread *t = rp_thread_by_rtid(rp, rs->tid);
	uint64_t mask, size;
	int kind, err;

	rp->ev = ev;
	rp->cur = t;
	rp->syscalls++;
	if (rs->flags & REC_SF_OUT_LOST) {
		rp_fail(rp, "the outputs of this syscall were lost while recording: not replayable from here\n");
		return -EIO;
	}
	if (!t) {
		rp_diverge(rp, NULL, "a syscall of thread %u, which does not exist in the replay", rs->tid);
		return -ESRCH;
	}
	if (t->p->exiting) {
		/*
		 * Its process is ending (exit_group(), a fatal signal or a
		 * SIGKILL, replayed before this event): the kernel ended the
		 * syscall and then the thread, which the replay's thread,
		 * killed already, does not get to.
		 */
		return 0;
	}
	if (t->task_started || (rp->launch_exec && t->st == TS_EXIT)) {
		if (rp->launch_exec) {
			rp->launch_exec = false;
			if (rs->nr != SYS_execve || rs->ret) {
				rp_diverge(rp, t, "the recording does not start with the program's execve");
				return -EPROTO;
			}
			return rp_do_outs(rp, t, rs, false);
		}
		return finish_started(rp, t, rs);
	}
	if (t->st == TS_NEW && !rs->ret && replay_sys_kind(rs->args, rs->nr) == RP_CLONE)
		return rp_do_outs(rp, t, rs, false);	/* the child's side of its clone */
	if (t->sigwait) {
		err = rp_sigwait_unsignalled(rp, t);
		if (err)
			return err;
	}
	err = run_to_sys(rp, t, rs);
	if (err)
		return err;
	if (!matches(rp, t, &t->regs, rs) || !strings_match(rp, t, rs, ev))
		return -EPROTO;
	t->last_nr = rs->nr;
	t->last_ts = rp->ts;
	kind = replay_sys_kind(rs->args, rs->nr);
	if (rs->ret < 0 && kind != RP_EXIT && rs->nr != SYS_rt_sigreturn)
		kind = RP_EMU;		/* it failed: fail it again */
	if (rp_sigmask_wait(t, rs, &mask, &size))
		return rp_sys_sigwait(rp, t, rs, mask, size);
	switch (kind) {
	case RP_EXIT:
		return sys_exit(rp, t, rs);
	case RP_CLONE:
		/* not started by a task event: the child was not recorded */
		return clone_unrecorded(rp, t, rs);
	case RP_EXEC:
		return rp_emulate(rp, t, rs);
	case RP_OPEN:
	case RP_NEWFD:
	case RP_MEMFD:
		return rp_sys_open(rp, t, rs, kind);
	case RP_FILEIO:
		return rp_sys_fileio(rp, t, rs);
	case RP_NAME:
		return rp_sys_name(rp, t, rs);
	case RP_PIPE:
	case RP_SOCKETPAIR:
		return rp_sys_pipe(rp, t, rs, kind);
	case RP_MMAP:
		return rp_sys_mmap(rp, t, rs);
	case RP_FDREAL:
	case RP_REAL:
		return sys_real(rp, t, rs, kind);
	case RP_PATH:
		return rp_sys_path(rp, t, rs);
	case RP_WAIT:
		return rp_sys_wait(rp, t, rs);
	}
	return rp_emulate(rp, t, rs);
}
