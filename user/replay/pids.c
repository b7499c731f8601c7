// SPDX-License-Identifier: GPL-2.0
/*
 * Pids the program passes to syscalls that run for real. The replayed
 * processes and threads have other pids than the recorded ones the
 * program knows (proc.c translates), so where a syscall the replay runs
 * for real names a process, it must name the replay's:
 *
 * - wait4 and waitid are emulated (the recorded pid, status, siginfo and
 *   rusage), but a recorded child they reaped is reaped for real too,
 *   in the same thread: its exit would otherwise leave a zombie for the
 *   rest of the replay, one per child a shell ran.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lib/log.h"
#include "replay/internal.h"

/*
 * wait4, waitid (RP_WAIT): when the recording says it reaped a child the
 * replay followed (and that child is dead in the replay too), the syscall
 * becomes wait4(its replayed pid, NULL, WNOHANG | __WALL, NULL), which
 * cannot block; then the recorded result and outputs, as emulated.
 */
int rp_sys_wait(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	struct rproc *c;
	int32_t rpid;
	int err;

	if (!rec_wait_reaped(rs, rp->ev->out, rp->ev->nout, &rpid))
		return rp_emulate(rp, t, rs);
	c = rp_proc_by_rpid(rp, rpid);
	if (!c || !c->dead || c->reaped)
		return rp_emulate(rp, t, rs);	/* not followed, or not gone yet */
	t->entry = t->regs;
	t->regs.orig_rax = SYS_wait4;
	t->regs.rdi = c->pid;
	t->regs.rsi = 0;
	t->regs.rdx = WNOHANG | __WALL;
	t->regs.r10 = 0;
	t->dirty = true;
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	if ((pid_t)t->regs.rax == c->pid)
		c->reaped = true;
	else
		pr_debug("event #%llu: process %u (replayed as %d) is not reaped: %lld\n",
			 (unsigned long long)rp->seq, c->rpid, c->pid, (long long)t->regs.rax);
	rp_restore_args(t, rs->ret);
	return rp_do_outs(rp, t, rs, true);
}
