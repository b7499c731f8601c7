// SPDX-License-Identifier: GPL-2.0
/*
 * What an instruction reads and writes (user/replay/access.c), for read
 * and access watchpoints: instructions as the assembler encodes them,
 * with registers of our choosing, and the ranges they touch: explicit
 * operands (base, index, scale, displacement, rip-relative, fs, a 32-bit
 * address), the stack of push, pop, call and ret, string instructions,
 * and what touches nothing (lea, nop, syscall). No kernel features
 * needed; runs on the host and in the test VM.
 */
#include <errno.h>
#include <string.h>

#include "replay/access.h"
#include "kselftest_harness.h"

#define MAX	4

FIXTURE(acc) {
	struct user_regs_struct r;
	struct rp_access a[MAX];
};

FIXTURE_SETUP(acc)
{
	memset(&self->r, 0, sizeof(self->r));
	self->r.rip = 0x400000;
	self->r.rax = 0x10000;
	self->r.rbx = 3;
	self->r.rbp = 0x7ff000;
	self->r.rsp = 0x7fe000;
	self->r.rsi = 0x20000;
	self->r.rdi = 0x30000;
	self->r.fs_base = 0x7f0000001000;
}

FIXTURE_TEARDOWN(acc)
{
}

/* Decode @bytes (a string literal) with self->r: the number of ranges. */
#define DECODE(bytes) \
	rp_insn_accesses((const uint8_t *)(bytes), sizeof(bytes) - 1, &self->r, self->a, MAX)

#define EXPECT_ACC(i, addr_, len_, how_) do {				\
	EXPECT_EQ((uint64_t)(addr_), self->a[i].addr);			\
	EXPECT_EQ((unsigned int)(len_), self->a[i].len);		\
	EXPECT_EQ((unsigned int)(how_), self->a[i].how);		\
} while (0)

#define R RP_ACC_READ
#define W RP_ACC_WRITE

/* mov eax, [rip+0x10]: after the instruction's 6 bytes */
TEST_F(acc, rip_relative)
{
	ASSERT_EQ(1, DECODE("\x8b\x05\x10\x00\x00\x00"));
	EXPECT_ACC(0, 0x400000 + 6 + 0x10, 4, R);
}

/* mov [rbp-4], eax */
TEST_F(acc, base_disp_write)
{
	ASSERT_EQ(1, DECODE("\x89\x45\xfc"));
	EXPECT_ACC(0, 0x7ff000 - 4, 4, W);
}

/* add [rax+rbx*4+8], ecx: read and written */
TEST_F(acc, sib_read_write)
{
	ASSERT_EQ(1, DECODE("\x01\x4c\x98\x08"));
	EXPECT_ACC(0, 0x10000 + 3 * 4 + 8, 4, R | W);
}

/* mov rax, fs:0x28 (the stack protector's canary) */
TEST_F(acc, fs_segment)
{
	ASSERT_EQ(1, DECODE("\x64\x48\x8b\x04\x25\x28\x00\x00\x00"));
	EXPECT_ACC(0, 0x7f0000001000 + 0x28, 8, R);
}

/* mov eax, [eax] with an address-size prefix: the address wraps at 4 GiB */
TEST_F(acc, address_size_32)
{
	self->r.rax = 0x100001000ULL;
	ASSERT_EQ(1, DECODE("\x67\x8b\x00"));
	EXPECT_ACC(0, 0x1000, 4, R);
}

/* movdqu xmm0, [rdi]: 16 bytes */
TEST_F(acc, vector_load)
{
	ASSERT_EQ(1, DECODE("\xf3\x0f\x6f\x07"));
	EXPECT_ACC(0, 0x30000, 16, R);
}

/* push rbx, pop rbx, call, ret: the stack */
TEST_F(acc, stack)
{
	ASSERT_EQ(1, DECODE("\x53"));
	EXPECT_ACC(0, 0x7fe000 - 8, 8, W);
	ASSERT_EQ(1, DECODE("\x5b"));
	EXPECT_ACC(0, 0x7fe000, 8, R);
	ASSERT_EQ(1, DECODE("\xe8\x00\x00\x00\x00"));
	EXPECT_ACC(0, 0x7fe000 - 8, 8, W);
	ASSERT_EQ(1, DECODE("\xc3"));
	EXPECT_ACC(0, 0x7fe000, 8, R);
}

/* push qword [rax]: the operand read, the stack written */
TEST_F(acc, push_memory)
{
	ASSERT_EQ(2, DECODE("\xff\x30"));
	EXPECT_ACC(0, 0x7fe000 - 8, 8, W);
	EXPECT_ACC(1, 0x10000, 8, R);
}

/* movsb: one element from [rsi] to [rdi] */
TEST_F(acc, string)
{
	int n = DECODE("\xa4");

	ASSERT_EQ(2, n);
	/* in either order */
	if (self->a[0].how == W) {
		EXPECT_ACC(0, 0x30000, 1, W);
		EXPECT_ACC(1, 0x20000, 1, R);
	} else {
		EXPECT_ACC(0, 0x20000, 1, R);
		EXPECT_ACC(1, 0x30000, 1, W);
	}
}

/* lea, a multi-byte nop, syscall: an address, but no access */
TEST_F(acc, no_access)
{
	EXPECT_EQ(0, DECODE("\x48\x8d\x43\x08"));
	EXPECT_EQ(0, DECODE("\x66\x0f\x1f\x04\x00"));
	EXPECT_EQ(0, DECODE("\x0f\x05"));
}

/* An address from a vector index (a gather) is not computed: nothing */
TEST_F(acc, vsib_skipped)
{
	EXPECT_EQ(0, DECODE("\xc4\xe2\x69\x90\x04\x88"));
}

/* Bytes that are no whole instruction */
TEST_F(acc, not_an_instruction)
{
	EXPECT_EQ(-ENOEXEC, DECODE("\x0f"));
	EXPECT_EQ(-ENOEXEC, rp_insn_accesses((const uint8_t *)"", 0, &self->r, self->a, MAX));
}

/* No more ranges than asked for */
TEST_F(acc, bounded)
{
	EXPECT_EQ(1, rp_insn_accesses((const uint8_t *)"\xff\x30", 2, &self->r, self->a, 1));
	EXPECT_ACC(0, 0x7fe000 - 8, 8, W);
}

TEST_HARNESS_MAIN
