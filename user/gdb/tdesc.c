// SPDX-License-Identifier: GPL-2.0
/*
 * The amd64 target description and register layout (tdesc.h). gdb numbers
 * the registers in the order the document lists them: the core feature
 * (general registers, rip, eflags, segments, x87), SSE (xmm, mxcsr), the
 * Linux one (orig_rax), the segment bases, AVX (the upper halves of ymm).
 *
 * The x87 and vector registers live in the XSAVE area ptrace hands out
 * (PTRACE_GETREGSET NT_X86_XSTATE), at the offsets of its standard
 * (non-compacted) layout: the FXSAVE region's control words at 0..31,
 * st0..st7 every 16 bytes from 32, xmm0..xmm15 every 16 bytes from 160,
 * and the AVX state (the ymm upper halves) at 576.
 */
#include <stdio.h>
#include <string.h>

#include "gdb/tdesc.h"

#define XS_FCW		0
#define XS_FSW		2
#define XS_FTW		4	/* abridged: one bit per register, 1 = valid */
#define XS_FOP		6
#define XS_FIP		8
#define XS_FDP		16
#define XS_MXCSR	24
#define XS_ST		32
#define XS_XMM		160
#define XS_BV		512	/* XSTATE_BV in the XSAVE header */
#define XS_YMMH		576
#define XSTATE_AVX	(1ULL << 2)

enum {
	R_RIP = 16, R_EFLAGS, R_CS, R_SS, R_DS, R_ES, R_FS, R_GS,
	R_ST0 = 24, R_FCTRL = 32, R_FSTAT, R_FTAG, R_FISEG, R_FIOFF, R_FOSEG, R_FOOFF, R_FOP,
	R_XMM0 = 40, R_MXCSR = 56, R_ORIG_RAX, R_FS_BASE, R_GS_BASE, R_YMM0H = 60,
};

static char xml[16384];

const char *tdesc_xml(void)
{
	static const char *const gpr[] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	static const char *const fpc[] = {
		"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop",
	};
	static const char *const seg[] = { "cs", "ss", "ds", "es", "fs", "gs" };
	size_t n = 0;
	int i;

	if (xml[0])
		return xml;
#define ADD(...) (n += snprintf(xml + n, sizeof(xml) - n, __VA_ARGS__))
	ADD("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	    "<target version=\"1.0\">\n<architecture>i386:x86-64</architecture>\n"
	    "<osabi>GNU/Linux</osabi>\n<feature name=\"org.gnu.gdb.i386.core\">\n");
	for (i = 0; i < 16; i++)
		ADD("<reg name=\"%s\" bitsize=\"64\" type=\"%s\" regnum=\"%d\"/>\n", gpr[i],
		    i == 6 || i == 7 ? "data_ptr" : "int64", i);
	ADD("<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	    "<reg name=\"eflags\" bitsize=\"32\" type=\"int32\"/>\n");
	for (i = 0; i < 6; i++)
		ADD("<reg name=\"%s\" bitsize=\"32\" type=\"int32\"/>\n", seg[i]);
	for (i = 0; i < 8; i++)
		ADD("<reg name=\"st%d\" bitsize=\"80\" type=\"i387_ext\"/>\n", i);
	for (i = 0; i < 8; i++)
		ADD("<reg name=\"%s\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n", fpc[i]);
	ADD("</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n"
	    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
	    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
	    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
	    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
	    "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
	    "<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
	    "<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
	    "<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/>"
	    "</union>\n");
	for (i = 0; i < 16; i++)
		ADD("<reg name=\"xmm%d\" bitsize=\"128\" type=\"vec128\"%s/>\n", i,
		    i ? "" : " regnum=\"40\"");
	ADD("<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\"/>\n</feature>\n"
	    "<feature name=\"org.gnu.gdb.i386.linux\">\n"
	    "<reg name=\"orig_rax\" bitsize=\"64\" type=\"int\" regnum=\"57\"/>\n</feature>\n"
	    "<feature name=\"org.gnu.gdb.i386.segments\">\n"
	    "<reg name=\"fs_base\" bitsize=\"64\" type=\"int\"/>\n"
	    "<reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>\n</feature>\n"
	    "<feature name=\"org.gnu.gdb.i386.avx\">\n");
	for (i = 0; i < 16; i++)
		ADD("<reg name=\"ymm%dh\" bitsize=\"128\" type=\"uint128\"%s/>\n", i,
		    i ? "" : " regnum=\"60\"");
	ADD("</feature>\n</target>\n");
#undef ADD
	return xml;
}

size_t tdesc_reg_size(unsigned int n)
{
	if (n < R_RIP + 1)
		return 8;
	if (n < R_ST0)
		return 4;
	if (n < R_FCTRL)
		return 10;
	if (n < R_XMM0)
		return 4;
	if (n < R_MXCSR)
		return 16;
	if (n == R_MXCSR)
		return 4;
	if (n < R_YMM0H)
		return 8;
	if (n < TDESC_NREGS)
		return 16;
	return 0;
}

size_t tdesc_regs_size(void)
{
	size_t s = 0;
	unsigned int i;

	for (i = 0; i < TDESC_NREGS; i++)
		s += tdesc_reg_size(i);
	return s;
}

/* Where register @n is in user_regs_struct, or NULL. */
static unsigned long long *gp_slot(struct user_regs_struct *g, unsigned int n)
{
	unsigned long long *const slot[] = {
		&g->rax, &g->rbx, &g->rcx, &g->rdx, &g->rsi, &g->rdi, &g->rbp, &g->rsp,
		&g->r8, &g->r9, &g->r10, &g->r11, &g->r12, &g->r13, &g->r14, &g->r15,
		&g->rip, &g->eflags, &g->cs, &g->ss, &g->ds, &g->es, &g->fs, &g->gs,
	};

	if (n < sizeof(slot) / sizeof(slot[0]))
		return slot[n];
	if (n == R_ORIG_RAX)
		return &g->orig_rax;
	if (n == R_FS_BASE)
		return &g->fs_base;
	if (n == R_GS_BASE)
		return &g->gs_base;
	return NULL;
}

static uint32_t get16(const uint8_t *p) { return p[0] | p[1] << 8; }

void tdesc_reg_get(const struct tdesc_regs *r, unsigned int n, uint8_t *out)
{
	const uint8_t *x = r->xsave;
	size_t size = tdesc_reg_size(n);
	unsigned long long *g = gp_slot((struct user_regs_struct *)&r->gp, n);
	uint32_t v;
	uint64_t bv;
	int i;

	memset(out, 0, size);
	if (g) {
		memcpy(out, g, size);	/* little-endian: the low bytes first */
		return;
	}
	if (!r->have_xsave)
		return;
	if (n >= R_ST0 && n < R_FCTRL) {
		memcpy(out, x + XS_ST + 16 * (n - R_ST0), 10);
	} else if (n >= R_FCTRL && n < R_XMM0) {
		switch (n) {
		case R_FCTRL: v = get16(x + XS_FCW); break;
		case R_FSTAT: v = get16(x + XS_FSW); break;
		case R_FTAG:	/* the full tag word: 11 (empty) where the bit is clear */
			for (v = 0, i = 0; i < 8; i++)
				v |= (x[XS_FTW] & (1 << i) ? 0 : 3) << (2 * i);
			break;
		case R_FIOFF: memcpy(&v, x + XS_FIP, 4); break;
		case R_FOOFF: memcpy(&v, x + XS_FDP, 4); break;
		case R_FOP: v = get16(x + XS_FOP); break;
		default: v = 0;
		}
		memcpy(out, &v, 4);
	} else if (n >= R_XMM0 && n < R_MXCSR) {
		memcpy(out, x + XS_XMM + 16 * (n - R_XMM0), 16);
	} else if (n == R_MXCSR) {
		memcpy(out, x + XS_MXCSR, 4);
	} else if (n >= R_YMM0H && n < TDESC_NREGS) {
		memcpy(&bv, x + XS_BV, 8);
		if (bv & XSTATE_AVX)
			memcpy(out, x + XS_YMMH + 16 * (n - R_YMM0H), 16);
	}
}

void tdesc_reg_set(struct tdesc_regs *r, unsigned int n, const uint8_t *in)
{
	uint8_t *x = r->xsave;
	unsigned long long *g = gp_slot(&r->gp, n);
	uint64_t bv;
	uint32_t v;
	int i;

	if (g) {
		*g = 0;
		memcpy(g, in, tdesc_reg_size(n));
		return;
	}
	if (!r->have_xsave)
		return;
	r->xsave_dirty = true;
	if (n >= R_ST0 && n < R_FCTRL) {
		memcpy(x + XS_ST + 16 * (n - R_ST0), in, 10);
	} else if (n >= R_FCTRL && n < R_XMM0) {
		memcpy(&v, in, 4);
		switch (n) {
		case R_FCTRL: memcpy(x + XS_FCW, &v, 2); break;
		case R_FSTAT: memcpy(x + XS_FSW, &v, 2); break;
		case R_FTAG:
			for (x[XS_FTW] = 0, i = 0; i < 8; i++)
				if (((v >> (2 * i)) & 3) != 3)
					x[XS_FTW] |= 1 << i;
			break;
		case R_FOP: memcpy(x + XS_FOP, &v, 2); break;
		default: break;
		}
	} else if (n >= R_XMM0 && n < R_MXCSR) {
		memcpy(x + XS_XMM + 16 * (n - R_XMM0), in, 16);
	} else if (n == R_MXCSR) {
		memcpy(x + XS_MXCSR, in, 4);
	} else if (n >= R_YMM0H && n < TDESC_NREGS) {
		memcpy(x + XS_YMMH + 16 * (n - R_YMM0H), in, 16);
		memcpy(&bv, x + XS_BV, 8);
		bv |= XSTATE_AVX;
		memcpy(x + XS_BV, &bv, 8);
	}
}
