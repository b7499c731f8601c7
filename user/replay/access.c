// SPDX-License-Identifier: GPL-2.0
/*
 * The memory one x86-64 instruction reads and writes, from its bytes and
 * the registers it executes with: for read and access watchpoints
 * (debug.c), which single-step the debugged process and ask, before each
 * step, what the instruction about to execute touches. Comparing memory
 * finds writes; nothing but the instruction tells a read.
 *
 * The instruction is decoded by Capstone: its explicit memory operands
 * (effective address from base, index, scale, displacement, the fs or gs
 * base and rip-relative addressing; size and read/write from the
 * operand), and the stack accesses it makes implicitly (push, pop, call,
 * ret, enter, leave). An address computed from vector registers (VSIB,
 * gathers and scatters) is not: such an instruction is reported as
 * touching nothing. Addresses that compute nothing (lea, multi-byte nops,
 * prefetches) are no accesses.
 */
#include <capstone.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "replay/access.h"

static csh cs;
static cs_insn *insn;
static bool cs_ok, cs_tried;

static bool decoder(void)
{
	if (cs_tried)
		return cs_ok;
	cs_tried = true;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return false;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(cs);
	cs_ok = insn != NULL;
	return cs_ok;
}

/* The value of general register @reg (64- or 32-bit) in @r; false for others. */
static bool reg_value(const struct user_regs_struct *r, unsigned int reg, uint64_t *v)
{
	static const struct { unsigned int r64, r32; size_t off; } map[] = {
#define R(a, b, f) { X86_REG_##a, X86_REG_##b, offsetof(struct user_regs_struct, f) }
		R(RAX, EAX, rax), R(RBX, EBX, rbx), R(RCX, ECX, rcx), R(RDX, EDX, rdx),
		R(RSI, ESI, rsi), R(RDI, EDI, rdi), R(RBP, EBP, rbp), R(RSP, ESP, rsp),
		R(R8, R8D, r8), R(R9, R9D, r9), R(R10, R10D, r10), R(R11, R11D, r11),
		R(R12, R12D, r12), R(R13, R13D, r13), R(R14, R14D, r14), R(R15, R15D, r15),
#undef R
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		uint64_t x = *(const uint64_t *)((const char *)r + map[i].off);

		if (reg == map[i].r64) {
			*v = x;
			return true;
		}
		if (reg == map[i].r32) {
			*v = (uint32_t)x;
			return true;
		}
	}
	return false;
}

static int add(struct rp_access *acc, int n, int max, uint64_t addr, unsigned int len,
	       unsigned int how)
{
	if (n < max)
		acc[n++] = (struct rp_access){ .addr = addr, .len = len ? len : 1, .how = how };
	return n;
}

/* The address of memory operand @m of the instruction just decoded; false if unknown. */
static bool mem_addr(const struct user_regs_struct *r, const x86_op_mem *m, uint64_t *out)
{
	uint64_t a = m->disp, v;

	if (m->base == X86_REG_RIP || m->base == X86_REG_EIP) {
		a += insn->address + insn->size;
	} else if (m->base != X86_REG_INVALID) {
		if (!reg_value(r, m->base, &v))
			return false;
		a += v;
	}
	if (m->index != X86_REG_INVALID && m->index != X86_REG_RIZ && m->index != X86_REG_EIZ) {
		if (!reg_value(r, m->index, &v))
			return false;	/* a vector index (VSIB) */
		a += v * m->scale;
	}
	if (insn->detail->x86.addr_size == 4)	/* an 0x67 prefix */
		a = (uint32_t)a;
	if (m->segment == X86_REG_FS)
		a += r->fs_base;
	else if (m->segment == X86_REG_GS)
		a += r->gs_base;
	*out = a;
	return true;
}

int rp_insn_accesses(const uint8_t *code, size_t len, const struct user_regs_struct *r,
		     struct rp_access *acc, int max)
{
	const uint8_t *p = code;
	uint64_t ip = r->rip;
	const cs_x86 *x;
	int i, n = 0;

	if (!decoder())
		return -ENOSYS;
	if (!cs_disasm_iter(cs, &p, &len, &ip, insn))
		return -ENOEXEC;
	switch (insn->id) {
	case X86_INS_LEA:
	case X86_INS_NOP:
	case X86_INS_PREFETCH:
	case X86_INS_PREFETCHNTA:
	case X86_INS_PREFETCHT0:
	case X86_INS_PREFETCHT1:
	case X86_INS_PREFETCHT2:
	case X86_INS_PREFETCHW:
		return 0;
	case X86_INS_PUSH:
	case X86_INS_PUSHFQ:
	case X86_INS_CALL:
	case X86_INS_ENTER:
		n = add(acc, n, max, r->rsp - 8, 8, RP_ACC_WRITE);
		break;
	case X86_INS_POP:
	case X86_INS_POPFQ:
	case X86_INS_RET:
		n = add(acc, n, max, r->rsp, 8, RP_ACC_READ);
		break;
	case X86_INS_LEAVE:
		n = add(acc, n, max, r->rbp, 8, RP_ACC_READ);
		break;
	default:
		break;
	}
	x = &insn->detail->x86;
	for (i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		unsigned int how = 0;
		uint64_t a;

		if (op->type != X86_OP_MEM || !mem_addr(r, &op->mem, &a))
			continue;
		if (op->access & CS_AC_READ)
			how |= RP_ACC_READ;
		if (op->access & CS_AC_WRITE)
			how |= RP_ACC_WRITE;
		/* an operand the decoder does not say how it is used: both */
		n = add(acc, n, max, a, op->size, how ? how : RP_ACC_READ | RP_ACC_WRITE);
	}
	return n;
}
