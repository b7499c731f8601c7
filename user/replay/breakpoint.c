// SPDX-License-Identifier: GPL-2.0
/*
 * Breakpoints: a replayed thread run to an instruction in user code. Two
 * parts of the driver need that: sched.c runs a thread to where the
 * recording preempted it, async.c to the execution of the instruction a
 * signal between syscalls interrupted. There are no hardware counters to
 * count the way there, and the debug registers do not fire under every
 * hypervisor (a DR0 breakpoint set with PTRACE_POKEUSER reads back fine
 * and never triggers in the development VM), so a breakpoint is an int3
 * written over the instruction's first byte, through /proc/PID/mem as the
 * vDSO patch is.
 *
 * The int3s are kept per process, with a count: a second breakpoint at
 * the same instruction shares the first's saved byte, and the byte goes
 * back when the last is removed, so the two users can never write an
 * int3 back as if it were the program's. A breakpoint lives only while
 * its thread runs to it: the other threads wait in ptrace stops (none of
 * them can meet it), and it is removed before anything else runs, in
 * particular before the thread's next syscall, so that no fork copies it
 * and no exec outlives it.
 */
#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>

#include "replay/internal.h"

#define INT3	0xcc

static struct rp_int3 *int3_at(struct rproc *p, uint64_t ip)
{
	int i;

	for (i = 0; i < p->nint3; i++)
		if (p->int3[i].ip == ip)
			return &p->int3[i];
	return NULL;
}

int rp_bp_insert(struct rproc *p, uint64_t ip)
{
	static const uint8_t int3 = INT3;
	struct rp_int3 *b = int3_at(p, ip);
	uint8_t orig;

	if (b) {
		b->refs++;
		return 0;
	}
	if (p->nint3 == RP_MAX_INT3 || !ip || ip >= 0x800000000000ULL)
		return -EINVAL;
	if (rp_mem_read(p, ip, &orig, 1))
		return -EFAULT;
	if (orig == INT3)
		return -EEXIST;		/* the program's own: its trap is not ours */
	if (rp_mem_write(p, ip, &int3, 1))
		return -EFAULT;
	p->int3[p->nint3++] = (struct rp_int3){ .ip = ip, .orig = orig, .refs = 1 };
	return 0;
}

void rp_bp_remove(struct rproc *p, uint64_t ip)
{
	struct rp_int3 *b = int3_at(p, ip);

	if (!b || --b->refs)
		return;
	if (!p->dead)
		rp_mem_write(p, ip, &b->orig, 1);
	*b = p->int3[--p->nint3];
}

/* At a SIGTRAP stop of @t: whether it is at the int3 at @ip (then rewound to @ip). */
static bool bp_hit(struct rthread *t, uint64_t ip)
{
	if (!int3_at(t->p, ip) || rp_getregs(t) || t->regs.rip != ip + 1)
		return false;
	t->regs.rip = ip;
	t->dirty = true;
	return true;
}

/*
 * A stop of @t that is not the breakpoint's: RP_BP_SYSCALL at a syscall's
 * entry, -ESRCH it died, -EFAULT it faulted (TS_SIGSTOP), 0 go on (a
 * signal the journal does not have is dropped, as rp_run_to_entry() does).
 */
static int other_stop(struct rp *rp, struct rthread *t, int st, enum stop kind, int sig)
{
	switch (kind) {
	case STOP_EXITED:
		rp_thread_died(rp, t, st);
		return -ESRCH;
	case STOP_SECCOMP:
		t->st = TS_ENTRY;
		return rp_getregs(t) ?: RP_BP_SYSCALL;
	case STOP_SIGNAL:
		if (rp_fault_signal(sig, rp_getsiginfo_code(t))) {
			t->st = TS_SIGSTOP;
			t->sig = sig;
			return -EFAULT;
		}
		return 0;
	default:
		return 0;
	}
}

int rp_bp_run(struct rp *rp, struct rthread *t, uint64_t ip)
{
	int st, sig, err;

	err = rp_resume(t, rp_dbg_resume_req(rp, t));
	if (err)
		return err;
	for (;;) {
		enum stop kind;

		err = rp_wait_thread(rp, t, &st);
		if (err)
			return err;
		kind = rp_classify(st, &sig);
		if (kind == STOP_SIGNAL && sig == SIGTRAP && bp_hit(t, ip)) {
			t->st = TS_PREEMPT;
			return RP_BP_HIT;
		}
		/* a debugger's breakpoint or step (debug.c): it resumed @t */
		if (kind == STOP_SIGNAL && sig == SIGTRAP && rp_dbg_trap(rp, t))
			continue;
		err = other_stop(rp, t, st, kind, sig);
		if (err)
			return err;
		if (ptrace(rp_dbg_resume_req(rp, t), t->tid, 0, 0))
			return -errno;
	}
}

int rp_bp_step(struct rp *rp, struct rthread *t, uint64_t ip)
{
	struct rp_int3 *b = int3_at(t->p, ip);
	int st, sig, err;

	if (!b || t->regs.rip != ip)
		return -EINVAL;
	if (rp_mem_write(t->p, ip, &b->orig, 1))
		return -EFAULT;
	err = 0;
	if ((t->dirty && ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs)) ||
	    ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0))
		err = -errno;
	t->dirty = false;
	while (!err) {
		enum stop kind;

		err = rp_wait_thread(rp, t, &st);
		if (err)
			break;
		kind = rp_classify(st, &sig);
		if (kind == STOP_SIGNAL && sig == SIGTRAP && rp_getsiginfo_code(t) == TRAP_TRACE) {
			t->st = TS_PREEMPT;
			err = rp_getregs(t);
			break;
		}
		err = other_stop(rp, t, st, kind, sig);
		if (!err && ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0))
			err = -errno;
	}
	if (err != -ESRCH && rp_mem_write(t->p, ip, &(uint8_t){ INT3 }, 1) && !err)
		err = -EFAULT;
	return err;
}
