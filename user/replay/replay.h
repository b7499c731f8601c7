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

/*
 * How replay treats each syscall (enum rp_kind, replay_sys_kind(),
 * replay_sys_nargs(), replay_sys_cloexec()): columns of the syscall table
 */
#include "syscalls/table.h"

#define EXIT_DIVERGED	3	/* ttrec replay: the program did not do what was recorded */

#define REPLAY_MAX_MEM	16

struct replay_opts {
	const char *dir;
	uint64_t to;			/* stop after this event; 0: run to the end */
	uint64_t from_snapshot;		/* start from the journal's snapshot N (1...) */
	bool quiet;			/* do not reproduce the program's stdout/stderr */
	bool verify;			/* print OK or the first divergence */
	bool regs, maps, stop;
	int nmem;
	struct { uint64_t addr, len; } mem[REPLAY_MAX_MEM];
};

/* Replay a recording. Return: EXIT_OK, EXIT_FAIL or EXIT_DIVERGED. */
int replay_run(const struct replay_opts *o);

#endif
