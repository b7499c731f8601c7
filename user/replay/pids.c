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
 * - A path an open, chdir or chroot runs with for real, "/proc/PID/..."
 *   with the recorded pid of a replayed process (the program made it from
 *   getpid(), or a child's pid), names the replayed process instead:
 *   /proc/self is the replay's own process already, /proc/PID is not.
 *
 * And a pid the kernel compares with the words of the program's memory: a
 * thread that ends holding a robust mutex (its robust list, which
 * set_robust_list() registered) has the kernel mark it FUTEX_OWNER_DIED
 * when the word holds the thread's tid. The words hold the recorded tid
 * (the program's own idea of its tid), the kernel compares the replay's:
 * the replay marks them itself, as the kernel did, before the thread ends.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/futex.h>

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

/*
 * @in (@len bytes), if it is "/proc/N" or "/proc/N/task/M", alone or
 * followed by "/...", with N and M recorded ids of replayed threads (a
 * process's pid is its main thread's tid): the same path with the
 * replay's ids, into @out. Return: whether it is one and differs.
 */
static bool proc_path(struct rp *rp, const char *in, size_t len, char *out, size_t cap)
{
	static const char *const pre[] = { "/proc/", "/task/" };
	const char *p = in, *end = in + len;
	bool differs = false;
	size_t n = 0;
	unsigned int k;

	for (k = 0; k < 2; k++) {
		size_t pl = strlen(pre[k]);
		const struct rthread *r;
		uint64_t rid = 0;
		const char *d;

		if ((size_t)(end - p) < pl || memcmp(p, pre[k], pl))
			break;
		for (d = p + pl; d < end && *d >= '0' && *d <= '9' && rid <= UINT32_MAX; d++)
			rid = rid * 10 + (*d - '0');
		if (d == p + pl || (d < end && *d != '/') || !rid || rid > UINT32_MAX)
			break;
		r = rp_thread_by_rtid(rp, rid);
		if (!r)
			break;		/* not a replayed process: as it is */
		n += snprintf(out + n, cap - n, "%s%d", pre[k], r->tid);
		differs |= (uint64_t)r->tid != rid;
		p = d;
		if (n >= cap)
			return false;
	}
	if (!differs || n + (end - p) + 1 > cap)
		return false;
	memcpy(out + n, p, end - p);
	out[n + (end - p)] = 0;
	return true;
}

/* The register of syscall argument @arg. */
static unsigned long long *arg_reg(struct user_regs_struct *r, unsigned int arg)
{
	switch (arg) {
	case 0: return &r->rdi;
	case 1: return &r->rsi;
	case 2: return &r->rdx;
	case 3: return &r->r10;
	case 4: return &r->r8;
	}
	return &r->r9;
}

bool rp_pid_path(struct rp *rp, struct rthread *t, unsigned int arg, struct rp_path_fix *fx)
{
	const struct rec_event *ev = rp->ev;
	char path[sizeof(fx->saved)];
	unsigned int k;

	fx->addr = 0;
	/* the string as recorded, which the program passes again (strings_match()) */
	for (k = 0; k < ev->nin; k++)
		if (ev->in[k].arg == arg && !(ev->in[k].flags & (REC_IN_TRUNC | REC_IN_FAULT)))
			break;
	if (k == ev->nin || !proc_path(rp, ev->in[k].s, ev->in[k].len, path, sizeof(path)))
		return false;
	/* below the thread's stack and its red zone, where nothing lives */
	fx->len = strlen(path) + 1;
	fx->addr = (t->regs.rsp - 128 - fx->len) & ~15ULL;
	if (rp_mem_read(t->p, fx->addr, fx->saved, fx->len) ||
	    rp_mem_write(t->p, fx->addr, path, fx->len)) {
		fx->addr = 0;
		return false;
	}
	*arg_reg(&t->regs, arg) = fx->addr;
	t->dirty = true;
	pr_debug("event #%llu: \"%.*s\" is \"%s\" in the replay\n", (unsigned long long)rp->seq,
		 (int)ev->in[k].len, ev->in[k].s, path);
	return true;
}

void rp_pid_path_undo(struct rthread *t, struct rp_path_fix *fx)
{
	if (fx->addr)
		rp_mem_write(t->p, fx->addr, fx->saved, fx->len);
	fx->addr = 0;
}

#define ROBUST_LIST_LIMIT	2048	/* the kernel's */

/*
 * The kernel's handle_futex_death() for the futex word at @uaddr of a
 * thread that ends, whose tid the program knows as @rtid: a word it owns
 * gets FUTEX_OWNER_DIED (and keeps FUTEX_WAITERS). The wake-ups the kernel
 * does then are the recorded futex calls' business. 0, or -1 to stop.
 */
static int futex_death(struct rproc *p, uint64_t uaddr, uint32_t rtid)
{
	uint32_t uval, mval;

	if ((uaddr & 3) || rp_mem_read(p, uaddr, &uval, sizeof(uval)))
		return -1;
	if ((uval & FUTEX_TID_MASK) != rtid)
		return 0;
	mval = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	return rp_mem_write(p, uaddr, &mval, sizeof(mval)) ? -1 : 0;
}

void rp_robust_exit(struct rthread *t)
{
	unsigned int limit = ROBUST_LIST_LIMIT;
	struct robust_list_head h;
	uint64_t head = 0, entry, pending;
	size_t len;

	/* the kernel's exit_robust_list(), with the recorded tid */
	if (syscall(SYS_get_robust_list, t->tid, &head, &len) || !head ||
	    rp_mem_read(t->p, head, &h, sizeof(h)))
		return;
	entry = (uint64_t)h.list.next & ~1ULL;		/* bit 0: a PI futex */
	pending = (uint64_t)h.list_op_pending & ~1ULL;
	while (entry != head) {
		uint64_t next;
		int rc = rp_mem_read(t->p, entry, &next, sizeof(next));

		if (entry != pending && futex_death(t->p, entry + h.futex_offset, t->rtid))
			return;
		if (rc)
			return;
		entry = next & ~1ULL;
		if (!--limit)
			break;
	}
	if (pending)
		futex_death(t->p, pending + h.futex_offset, t->rtid);
}
