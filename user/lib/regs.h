/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 registers for a system call made in a stopped thread by its
 * tracer (restore/inject.c, state/remote.c).
 */
#ifndef TTREC_LIB_REGS_H
#define TTREC_LIB_REGS_H

#include <stdint.h>
#include <sys/user.h>

/*
 * @regs made to run system call @nr with arguments @a at the syscall
 * instruction @gadget; orig_ax -1, so no restart of an interrupted call
 * is applied to it.
 */
static inline void regs_syscall(struct user_regs_struct *regs, uint64_t gadget, long nr,
				const uint64_t a[6])
{
	regs->rip = gadget;
	regs->rax = nr;
	regs->orig_rax = -1;
	regs->rdi = a[0];
	regs->rsi = a[1];
	regs->rdx = a[2];
	regs->r10 = a[3];
	regs->r8 = a[4];
	regs->r9 = a[5];
}

#endif
