// SPDX-License-Identifier: GPL-2.0
/*
 * The threads: created, then given their registers.
 *
 * The stub is the thread-group leader (it has the image's pid). Every
 * other thread of the image is made by a clone3() injected into the
 * leader, with CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|
 * CLONE_SYSVSEM and set_tid = { its tid }; traced with PTRACE_O_TRACECLONE,
 * it starts stopped at a PTRACE_EVENT_STOP, before it runs an instruction.
 *
 * Last, each thread is brought to a PTRACE_EVENT_STOP, which is inside
 * get_signal() on its way back to user space, and given the image's
 * registers: NT_PRSTATUS (fs_base and gs_base with them: the TLS), the
 * XSAVE area (NT_X86_XSTATE, when this CPU's has the image's size; else
 * the FXSAVE part, NT_PRFPREG: x87 and SSE state) and the signal mask.
 * A thread that was in a system call keeps the image's orig_ax and ax,
 * so that when it is let go the kernel applies its own restart rules on
 * the way out of get_signal(), exactly as it would have after the stop
 * the snapshot made: -ERESTARTSYS, -ERESTARTNOINTR and -ERESTARTNOHAND
 * make it run the system call again with its arguments, and a pending
 * signal sees them as it would have (tstate.c adjusts
 * -ERESTART_RESTARTBLOCK).
 */
#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/sched.h>

#include "restore/internal.h"
#include "lib/log.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP	128
#endif
#define XSTATE_MAX	(64 * 1024)

int rst_threads_load(struct rst *r)
{
	const struct img *im = r->im;
	const uint8_t *p = im->threads;
	size_t left = im->threads_len;
	struct rthread *thr = calloc(im->h.nr_threads ? im->h.nr_threads : 1, sizeof(*thr));
	uint32_t n = 0;

	if (!thr)
		return -ENOMEM;
	r->thr = thr;
	while (left >= sizeof(struct ttrec_snap_thread) && n < im->h.nr_threads) {
		const struct ttrec_snap_thread *rec = (const void *)p;
		struct rthread *t = &thr[n++];
		size_t off = sizeof(*rec);
		bool regs = false;

		t->rec = rec;
		t->tid = rec->tid;
		t->leader = rec->flags & TTREC_THREAD_LEADER;
		for (uint32_t k = 0; k < rec->nr_notes; k++) {
			const struct ttrec_snap_note *nt = (const void *)(p + off);
			const uint8_t *data = p + off + sizeof(*nt);

			if (nt->type == NT_PRSTATUS && nt->size == sizeof(t->regs)) {
				memcpy(&t->regs, data, sizeof(t->regs));
				regs = true;
			} else if (nt->type == NT_PRFPREG) {
				t->fpregs = data;
				t->fpregs_len = nt->size;
			} else if (nt->type == NT_X86_XSTATE) {
				t->xstate = data;
				t->xstate_len = nt->size;
			}
			off += sizeof(*nt) + ((nt->size + 7) & ~7U);
		}
		if (!regs || !t->tid) {
			pr_err("restore: %s: thread %u has no %s\n", im->path, t->tid,
			       t->tid ? "x86-64 general registers (NT_PRSTATUS)" :
			       "id in the snapshot's pid namespace");
			return -EPROTO;
		}
		if (t->leader) {
			if (t->tid != (pid_t)im->h.pid) {
				pr_err("restore: %s: the leader thread %d is not process %u\n",
				       im->path, t->tid, im->h.pid);
				return -EPROTO;
			}
			r->leader = t;
		}
		p += rec->size;
		left -= rec->size;
	}
	r->nthr = n;
	if (!r->leader) {
		pr_err("restore: %s: the thread-group leader (thread %u) had exited when the snapshot was taken; such a process cannot be restored yet\n",
		       im->path, im->h.pid);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int create_one(struct rst *r, struct rthread *t)
{
	struct clone_args ca = {
		.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			 CLONE_SYSVSEM,
	};
	int32_t set_tid[1];
	uint64_t at_tid, at_ca;
	int64_t ret;
	int st, err;

	ca.set_tid_size = rst_set_tid(r, t->tid, set_tid);
	err = rst_scratch(r, 256, set_tid, sizeof(set_tid), &at_tid);
	if (err)
		return err;
	ca.set_tid = at_tid;
	err = rst_scratch(r, 0, &ca, sizeof(ca), &at_ca);
	if (err)
		return err;
	r->clone_htid = 0;
	ret = rst_syscall(r, r->leader, SYS_clone3, at_ca, sizeof(ca), 0, 0, 0, 0);
	if (ret < 0) {
		if (ret == -EEXIST)
			pr_err("restore: thread id %d is taken%s\n", t->tid,
			       r->o->pidns ? "" : "; restore into a new pid namespace with --pidns");
		else
			pr_err("restore: cannot create thread %d: %s\n", t->tid, strerror((int)-ret));
		return (int)ret;
	}
	if (ret != t->tid || r->clone_htid <= 0) {
		pr_err("restore: thread %d came out as %lld\n", t->tid, (long long)ret);
		return -EPROTO;
	}
	t->htid = r->clone_htid;
	do {
		err = rst_wait(r, t, &st);
		if (err)
			return err;
	} while ((unsigned int)st >> 16 != PTRACE_EVENT_STOP &&
		 !ptrace(PTRACE_CONT, t->htid, 0, 0));
	t->at = RT_EVSTOP;
	return ptrace(PTRACE_GETREGS, t->htid, 0, &t->cur) ? -errno : 0;
}

int rst_threads_create(struct rst *r)
{
	int err = 0;

	for (uint32_t i = 0; !err && i < r->nthr; i++)
		if (&r->thr[i] != r->leader)
			err = create_one(r, &r->thr[i]);
	return err;
}

/* The vector state: the whole XSAVE area when this CPU's is the image's size. */
static int set_fpu(struct rst *r, struct rthread *t)
{
	static bool warned;
	uint8_t *cur;
	struct iovec iov;
	int err = 0;

	if (t->xstate && (cur = malloc(XSTATE_MAX))) {
		iov = (struct iovec){ cur, XSTATE_MAX };
		if (!ptrace(PTRACE_GETREGSET, t->htid, (void *)NT_X86_XSTATE, &iov) &&
		    iov.iov_len == t->xstate_len) {
			iov = (struct iovec){ (void *)t->xstate, t->xstate_len };
			if (!ptrace(PTRACE_SETREGSET, t->htid, (void *)NT_X86_XSTATE, &iov)) {
				free(cur);
				return 0;
			}
		}
		free(cur);
	}
	if (!t->fpregs)
		return 0;
	if (t->xstate && !warned) {
		pr_warn("restore: this CPU's XSAVE area differs from the image's: only the x87 and SSE state is restored\n");
		warned = true;
	}
	iov = (struct iovec){ (void *)t->fpregs, t->fpregs_len };
	if (ptrace(PTRACE_SETREGSET, t->htid, (void *)NT_PRFPREG, &iov)) {
		err = -errno;
		pr_err("restore: the FPU state of thread %d: %s\n", t->tid, strerror(-err));
	}
	return err;
}

static int finish_one(struct rst *r, struct rthread *t)
{
	struct user_regs_struct regs = t->regs;
	uint64_t mask = t->rec->sigmask;
	struct iovec iov = { &regs, sizeof(regs) };
	int err = rst_to_evstop(r, t);

	if (err)
		return err;
	rst_tstate_regs(r, t, &regs);
	if (ptrace(PTRACE_SETREGSET, t->htid, (void *)NT_PRSTATUS, &iov)) {
		err = -errno;
		pr_err("restore: the registers of thread %d: %s\n", t->tid, strerror(-err));
		return err;
	}
	err = set_fpu(r, t);
	if (!err && ptrace(PTRACE_SETSIGMASK, t->htid, sizeof(mask), &mask)) {
		err = -errno;
		pr_err("restore: the signal mask of thread %d: %s\n", t->tid, strerror(-err));
	}
	return err;
}

int rst_threads_finish(struct rst *r)
{
	int err = 0;

	for (uint32_t i = 0; !err && i < r->nthr; i++)
		err = finish_one(r, &r->thr[i]);
	return err;
}
