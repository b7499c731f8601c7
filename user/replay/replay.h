/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttrec replay: deterministic re-execution of a `ttrec record` recording
 * under a ptrace + seccomp driver (the files of user/replay/), started
 * the way user/launch/ started the recorded command.
 * Documentation/replay.rst describes the design.
 */
#ifndef TTREC_REPLAY_H
#define TTREC_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>

#define EXIT_DIVERGED	3	/* ttrec replay: the program did not do what was recorded */

#define REPLAY_MAX_MEM	16

struct replay_opts {
	const char *dir;
	uint64_t to;			/* stop after this event; 0: run to the end */
	bool quiet;			/* do not reproduce the program's stdout/stderr */
	bool verify;			/* print OK or the first divergence */
	bool regs, maps, stop;
	int nmem;
	struct { uint64_t addr, len; } mem[REPLAY_MAX_MEM];
};

/* Replay a recording. Return: EXIT_OK, EXIT_FAIL or EXIT_DIVERGED. */
int replay_run(const struct replay_opts *o);

/* sys.c: how replay treats each syscall */
enum rp_kind {
	RP_EMU = 0,	/* not executed: recorded result and outputs */
	RP_REAL,	/* executed (shapes the process); result asserted */
	RP_OPEN,	/* open/openat/creat: executed read-only, else a placeholder */
	RP_NEWFD,	/* creates a descriptor: a placeholder (eventfd) takes its number */
	RP_PIPE,	/* pipe/pipe2: executed */
	RP_SOCKETPAIR,	/* executed as pipe2 */
	RP_MMAP,	/* executed; a mapping of a placeholder becomes anonymous */
	RP_CLONE,	/* clone/clone3/fork/vfork */
	RP_EXEC,	/* execve/execveat */
	RP_EXIT,	/* exit/exit_group */
	RP_FDREAL,	/* close, close_range, dup*, fcntl F_DUPFD/F_SETFD */
};

enum rp_kind replay_sys_kind(const __u64 *args, unsigned int nr);
/* How many argument registers syscall @nr takes (those replay compares). */
unsigned int replay_sys_nargs(unsigned int nr);
/* The O_CLOEXEC-like bit of a descriptor-creating syscall's arguments. */
bool replay_sys_cloexec(unsigned int nr, const __u64 *args);

#endif
