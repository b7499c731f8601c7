/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory one x86-64 instruction reads and writes (access.c), for read
 * and access watchpoints (debug.c).
 */
#ifndef TTREC_REPLAY_ACCESS_H
#define TTREC_REPLAY_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

#define RP_ACC_READ	1
#define RP_ACC_WRITE	2

/* A range of memory an instruction touches, and how (RP_ACC_*). */
struct rp_access {
	uint64_t addr;
	unsigned int len;
	unsigned int how;
};

/*
 * The memory the instruction @code (@len bytes read at @r->rip) reads and
 * writes when it executes with registers @r: up to @max ranges in @acc.
 * Return: their number, -ENOEXEC (not an instruction) or -ENOSYS (no
 * decoder).
 */
int rp_insn_accesses(const uint8_t *code, size_t len, const struct user_regs_struct *r,
		     struct rp_access *acc, int max);

#endif
