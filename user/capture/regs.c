// SPDX-License-Identifier: GPL-2.0
/*
 * Each stopped thread as a TTREC_IOC_SNAP_THREADS record: the regsets the
 * module stores (NT_PRSTATUS with fs_base and gs_base, NT_PRFPREG,
 * NT_X86_XSTATE, each exactly as PTRACE_GETREGSET returns it), the signal
 * mask (PTRACE_GETSIGMASK) and the system call it was in. At a
 * PTRACE_EVENT_STOP, PTRACE_GET_SYSCALL_INFO reports no system call: the
 * registers tell, as they tell the module (orig_ax >= 0: stopped on its
 * way out of that system call, ax its result or the kernel's restart value).
 */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <linux/ttrec.h>

#include "capture/capture.h"
#include "lib/log.h"

#define REGSET_MAX	(64 * 1024)	/* above any XSAVE area */

static const unsigned int note_types[] = { NT_PRSTATUS, NT_PRFPREG, NT_X86_XSTATE };

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int put(struct buf *b, const void *data, size_t len)
{
	size_t padded = (len + 7) & ~(size_t)7;

	if (b->len + padded > b->cap) {
		size_t n = b->cap ? b->cap * 2 : 16384;
		uint8_t *p;

		while (n < b->len + padded)
			n *= 2;
		p = realloc(b->p, n);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = n;
	}
	memcpy(b->p + b->len, data, len);
	memset(b->p + b->len + len, 0, padded - len);
	b->len += padded;
	return 0;
}

static int thread_record(struct capture *c, pid_t tid, struct buf *b, uint8_t *rs)
{
	struct ttrec_snap_thread t = { .tid = tid, .syscall_nr = -1 };
	size_t start = b->len;
	uint64_t mask = 0;
	int err;

	if (tid == c->pid)
		t.flags |= TTREC_THREAD_LEADER;
	if (ptrace(PTRACE_GETSIGMASK, tid, sizeof(mask), &mask)) {
		err = -errno;
		pr_err("snapshot: PTRACE_GETSIGMASK of thread %d: %s\n", tid, strerror(-err));
		return err;
	}
	t.sigmask = mask;
	err = put(b, &t, sizeof(t));	/* completed below */
	for (unsigned int k = 0; !err && k < sizeof(note_types) / sizeof(note_types[0]); k++) {
		struct iovec iov = { rs, REGSET_MAX };
		struct ttrec_snap_note n = { .type = note_types[k] };

		if (ptrace(PTRACE_GETREGSET, tid, (void *)(uintptr_t)n.type, &iov)) {
			if (n.type == NT_PRSTATUS) {
				err = -errno;
				pr_err("snapshot: the registers of thread %d: %s\n", tid,
				       strerror(-err));
			}
			continue;	/* no XSAVE on this CPU: as the module */
		}
		if (n.type == NT_PRSTATUS) {
			const struct user_regs_struct *r = (const void *)rs;

			if ((int64_t)r->orig_rax >= 0) {
				t.flags |= TTREC_THREAD_IN_SYSCALL;
				t.syscall_nr = (int64_t)r->orig_rax;
			}
		}
		n.size = iov.iov_len;
		err = put(b, &n, sizeof(n));
		if (!err)
			err = put(b, rs, iov.iov_len);
		t.nr_notes++;
	}
	if (err)
		return err;
	t.size = b->len - start;
	memcpy(b->p + start, &t, sizeof(t));
	return 0;
}

int capture_threads(struct capture *c, uint8_t **out, size_t *len, uint32_t *nr)
{
	struct buf b = { 0 };
	uint8_t *rs = malloc(REGSET_MAX);
	uint32_t n = 0;
	int err = rs ? 0 : -ENOMEM;

	/* the leader first, as the module lists the group */
	for (int pass = 0; pass < 2 && !err; pass++) {
		for (uint32_t i = 0; i < c->nthr && !err; i++) {
			const struct cap_thread *t = &c->thr[i];

			if (!t->stopped || t->gone || (t->tid == c->pid) != !pass)
				continue;
			err = thread_record(c, t->tid, &b, rs);
			n++;
		}
	}
	free(rs);
	if (err) {
		free(b.p);
		return err;
	}
	*out = b.p ? b.p : calloc(1, 1);
	*len = b.len;
	*nr = n;
	return *out ? 0 : -ENOMEM;
}
