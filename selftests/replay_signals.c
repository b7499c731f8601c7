// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec replay of signals that do not come at a syscall boundary of their
 * own: SIGCHLD of a child followed with --follow-fork (the recorder's
 * tracer reaps it, so the tracer decides when the parent gets it), and
 * signals that interrupt a thread computing in user space. The workload
 * prints where each signal came (spins, counts), so a replay that delivers
 * one elsewhere prints something else. Runs on the host and in the test VM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "format/records.h"
#include "replay_common.h"

/* Signals @sig (0: any) in the recording that came between syscalls. */
static int signals_between_syscalls(const char *dir, int sig)
{
	struct rec_reader rr;
	struct rec_event ev;
	int n = 0;

	if (rec_reader_open(&rr, dir))
		return -1;
	while (rec_reader_next(&rr, &ev) > 0) {
		const struct rec_signal *s = ev.rec;

		if (ev.type == REC_SIGNAL && s->syscall < 0 && (!sig || s->sig == sig))
			n++;
	}
	rec_reader_close(&rr);
	return n;
}

/*
 * A followed child's exit reaches its parent as SIGCHLD from the child's
 * exit itself (no tracer holds the child and reaps it first): on the
 * command's one CPU the parent, just woken by the child's byte, has not
 * run yet, so it gets the signal at a syscall boundary, not while it
 * spins in user space, and the handler's waitpid() runs at the same place
 * with the same stack in the replay.
 */
TEST_F_TIMEOUT(rp, sigchld_followed_child, 120)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_sigchld", wl_dir);
	RECORD_REPLAY("--follow-fork", cmd, "rp_sigchld done");
	EXPECT_EQ(0, signals_between_syscalls(self->dir, SIGCHLD))
		TH_LOG("%.1000s", self->rec);
}

/* The same in real life: a shell whose child is python3 (bash's SIGCHLD handler). */
TEST_F_TIMEOUT(rp, sigchld_sh_python3, 180)
{
	if (!have("python3"))
		SKIP(return, "no python3");
	RECORD_REPLAY("--follow-fork", "sh -c 'python3 -c \"print(6 * 7)\"'", "42");
}

/*
 * Record @cmd until its signal came between syscalls and its output does
 * not have @unless (where the signal came would not matter to it), at most
 * @tries times: the number of such signals in the last recording.
 */
static int record_until_async(FIXTURE_DATA(rp) *self, const char *cmd, const char *unless,
			      int tries)
{
	int i, n = 0;

	for (i = 0; i < tries && n <= 0; i++) {
		sh("rm -rf %s", self->dir);
		if (record(self, "", cmd))
			return -1;
		n = signals_between_syscalls(self->dir, 0);
		if (strstr(self->rec, unless))
			n = 0;
	}
	return n;
}

/*
 * A timer ends a counting loop: units of work, each a getppid() and up to
 * 1000 steps of arithmetic in user space. The signal interrupts a step,
 * between syscalls; the replay must deliver it at the same execution of
 * the same instruction (the step counter is in a register), so that the
 * loop stops after as many steps and the handler's rt_sigreturn returns
 * the recorded registers. Delivered at the syscall before, the loop would
 * count 0 steps into its last unit (a recording where it did anyway, the
 * signal having come just before a getppid(), is made again).
 */
TEST_F_TIMEOUT(rp, counting_loop_signal, 180)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_count 1000", wl_dir);
	ASSERT_EQ(1, record_until_async(self, cmd, " 0 steps", 20))
		TH_LOG("the signal never came between syscalls: %.500s", self->rec);
	ASSERT_TRUE(has(self->rec, "rp_count done")) TH_LOG("%.2000s", self->rec);
	ASSERT_EQ(0, replay(self, "--verify")) TH_LOG("replay: %.3000s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "(1 between syscalls: 1 where recorded, 0 elsewhere)"))
		TH_LOG("%.2000s", self->err);
	EXPECT_EQ(self->nrec, self->nrep);
	EXPECT_EQ(0, memcmp(self->rec, self->rep, self->nrec))
		TH_LOG("recorded:\n%.1500s\nreplayed:\n%.1500s", self->rec, self->rep);
}

TEST_HARNESS_MAIN
