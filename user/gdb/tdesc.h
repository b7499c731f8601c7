/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The target description gdb gets (qXfer:features:read:target.xml): amd64
 * GNU/Linux with the x87, SSE and AVX registers, orig_rax and the segment
 * bases; and the registers in that order as 'g', 'G', 'p' and 'P' carry
 * them, converted from and to ptrace's user_regs_struct and XSAVE area.
 */
#ifndef TTREC_GDB_TDESC_H
#define TTREC_GDB_TDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

#define TDESC_NREGS	76		/* rax..gs_base, ymm0h..ymm15h */
#define TDESC_XSAVE_MAX	8192		/* bytes of XSAVE area read */

/* A thread's registers as ptrace gives them. */
struct tdesc_regs {
	struct user_regs_struct gp;
	uint8_t xsave[TDESC_XSAVE_MAX];
	bool have_xsave;
	bool xsave_dirty;
};

/* The XML document. */
const char *tdesc_xml(void);
/* Size in bytes of register @n, 0 if there is no such register. */
size_t tdesc_reg_size(unsigned int n);
/* The bytes of register @n into @out (tdesc_reg_size() of them). */
void tdesc_reg_get(const struct tdesc_regs *r, unsigned int n, uint8_t *out);
/* Set register @n from @in; marks the XSAVE area dirty when it is one of it. */
void tdesc_reg_set(struct tdesc_regs *r, unsigned int n, const uint8_t *in);
/* All registers, in order: the 'g' packet's bytes; their count. */
size_t tdesc_regs_size(void);

#endif
