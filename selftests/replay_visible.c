// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec record, end to end: what a program could see of its recording,
 * and the replay of programs that ptrace their children or install
 * seccomp filters of their own. The workloads (rp_visible, rp_seccomp)
 * check what they see themselves ("ok NAME" or "BAD NAME: ..."), as
 * without ttrec; a replay must print the same. strace is recorded and
 * replayed as a user would run it.
 *
 * Runs on the host and in the test VM (as root).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "replay_common.h"

/* `WORKLOAD MODE` as a command line. */
#define WL(cmd, wl, mode) snprintf(cmd, sizeof(cmd), "%s/%s %s", wl_dir, wl, mode)

/*
 * No tracer (TracerPid 0) and no seccomp mode (PR_GET_SECCOMP 0) as the
 * program sees them, rseq registered by libc in every thread with the
 * cpu getcpu() says, the vDSO there: in the recording and in the replay.
 */
TEST_F_TIMEOUT(rp, nothing_to_see, 60)
{
	char cmd[CMD_MAX];

	WL(cmd, "rp_visible", "self");
	RECORD_REPLAY("", cmd, "rp_visible self done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
}

/*
 * With --all-cpus the command runs on every CPU and the cpu the kernel
 * writes into an rseq area would not be recorded: rseq is refused there
 * (glibc's sched_getcpu() then makes a syscall, recorded). The workload
 * moves to each CPU in turn and prints where sched_getcpu() says it is.
 */
TEST_F_TIMEOUT(rp, all_cpus_sched_getcpu, 60)
{
	char cmd[CMD_MAX];

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU");
	WL(cmd, "rp_visible", "cpus");
	RECORD_REPLAY("--all-cpus", cmd, "rp_visible cpus done");
	EXPECT_TRUE(has(self->rec, "on cpu 1: sched_getcpu 1")) TH_LOG("%s", self->rec);
}

/*
 * A child calls PTRACE_TRACEME and its parent follows its syscalls
 * (PTRACE_SYSCALL, GETREGS, GETREGSET, GET_SYSCALL_INFO): the outputs of
 * those requests come from the journal in the replay.
 */
TEST_F_TIMEOUT(rp, child_traces_itself_to_its_parent, 60)
{
	char cmd[CMD_MAX];

	WL(cmd, "rp_visible", "traceme");
	RECORD_REPLAY("", cmd, "rp_visible traceme done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "getppid 2")) TH_LOG("%s", self->rec);
}

/* A running child is PTRACE_SEIZE'd, interrupted, followed, detached. */
TEST_F_TIMEOUT(rp, child_seized, 60)
{
	char cmd[CMD_MAX];

	WL(cmd, "rp_visible", "seize");
	RECORD_REPLAY("", cmd, "rp_visible seize done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
}

/*
 * A child traced by its parent execs: the recorder cannot hold it, its
 * parent does; its vDSO is made to call the kernel before the parent lets
 * it run, so the time it prints is the recorded one in the replay.
 */
TEST_F_TIMEOUT(rp, traced_child_execs, 60)
{
	char cmd[CMD_MAX], path[PATH_MAX + 16];

	WL(cmd, "rp_visible", "exec");
	RECORD_REPLAY("", cmd, "rp_visible exec done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "tracerpid set")) TH_LOG("%s", self->rec);
	/* the exec's launch facts: its vDSO patched (the functions, not -1) */
	snprintf(path, sizeof(path), "%s/execs", self->dir);
	ASSERT_LT(0, slurp(path, self->err, OUT_MAX));
	EXPECT_EQ(0, sh("grep -q ' 0x[0-9a-f]* [1-9]$' %s", path)) TH_LOG("%s", self->err);
}

/*
 * The program's own filter: SECCOMP_RET_ERRNO (with an errno, and with 0),
 * SECCOMP_RET_TRAP and the SIGSYS handler's siginfo and registers, a
 * second filter, a child that inherits them, PR_GET_SECCOMP 2 after.
 */
TEST_F_TIMEOUT(rp, own_seccomp_filter, 60)
{
	char cmd[CMD_MAX];

	WL(cmd, "rp_seccomp", "filter");
	RECORD_REPLAY("", cmd, "rp_seccomp filter done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
}

/*
 * Strict mode (SECCOMP_SET_MODE_STRICT): a child may still write, and
 * dies of SIGKILL at its next other syscall.
 */
TEST_F_TIMEOUT(rp, own_strict_mode, 60)
{
	char cmd[CMD_MAX];

	WL(cmd, "rp_seccomp", "strict");
	RECORD_REPLAY("", cmd, "rp_seccomp strict done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "strict: written")) TH_LOG("%s", self->rec);
}

/* strace -f follows ls and writes its trace into a file: ls's output again. */
TEST_F_TIMEOUT(rp, strace_to_a_file, 120)
{
	char cmd[CMD_MAX];

	if (access("/usr/bin/strace", X_OK))
		SKIP(return, "no strace");
	snprintf(cmd, sizeof(cmd), "strace -f -o %s/trace ls -a /", self->tmp);
	RECORD_REPLAY("", cmd, "..");
	ASSERT_EQ(0, sh("grep -q 'execve(\"/usr/bin/ls\"' %s/trace", self->tmp));
}

/*
 * strace -f writes its trace into a pipe, and ls its output: the replay
 * shows the same trace, computed from the ptrace requests' recorded
 * outputs and the tracee's memory (process_vm_readv).
 */
TEST_F_TIMEOUT(rp, strace_trace_replayed, 120)
{
	char cmd[CMD_MAX];

	if (access("/usr/bin/strace", X_OK))
		SKIP(return, "no strace");
	snprintf(cmd, sizeof(cmd), "sh -c 'strace -f -o /dev/stdout ls -a / | cat'");
	RECORD_REPLAY("", cmd, "+++ exited with 0 +++");
	EXPECT_TRUE(has(self->rec, "getdents64(")) TH_LOG("%.3000s", self->rec);
}

/*
 * gdb runs a program, stops at a breakpoint, prints a variable, steps and
 * continues: the replay shows the same session (gdb's own write into its
 * memory through /proc/self/mem, the inferior's memory read through
 * /proc/PID/mem and ptrace, from the journal).
 */
TEST_F_TIMEOUT(rp, gdb_session, 180)
{
	char cmd[CMD_MAX];

	if (access("/usr/bin/gdb", X_OK))
		SKIP(return, "no gdb");
	snprintf(cmd, sizeof(cmd),
		 "gdb -batch -nx -ex 'break do_clock' -ex run -ex next -ex 'p rt.tv_nsec >= 0' -ex continue --args %s/rp_visible clock",
		 wl_dir);
	RECORD_REPLAY("", cmd, "exited normally");
	EXPECT_TRUE(has(self->rec, "Breakpoint 1, do_clock")) TH_LOG("%.3000s", self->rec);
	EXPECT_TRUE(has(self->rec, "$1 = 1")) TH_LOG("%.3000s", self->rec);
	EXPECT_TRUE(has(self->rec, "tracerpid set")) TH_LOG("%.3000s", self->rec);
}

/*
 * With no tracer on it, a process that gets a signal whose default action
 * ends it (SIGPIPE of yes in a pipeline, a SIGTERM from its parent) ends
 * at once: the journal has the kernel's SIGKILL, and the status the
 * signal's, which the replay must reproduce.
 */
TEST_F_TIMEOUT(rp, fatal_signal_from_elsewhere, 60)
{
	RECORD_REPLAY("", "sh -c 'yes | head -2; sleep 10 & kill $!; wait $!; echo status $?'",
		      "status 143");
}

/*
 * Not recorded (--no-follow-fork), a child that outlives the recording
 * still holds the recorder's filter: its execve must work all the same.
 */
TEST_F_TIMEOUT(rp, unrecorded_child_execs_after_the_recording, 60)
{
	char cmd[CMD_MAX], path[PATH_MAX + 16];
	int i;

	snprintf(cmd, sizeof(cmd), "sh -c '(sleep 1; /bin/echo after > %s/after) > /dev/null 2>&1 &'",
		 self->tmp);
	ASSERT_EQ(0, record(self, "--no-follow-fork", cmd));
	snprintf(path, sizeof(path), "%s/after", self->tmp);
	for (i = 0; i < 50 && slurp(path, self->err, OUT_MAX) <= 0; i++)
		usleep(100000);
	EXPECT_STREQ("after\n", self->err);
}

TEST_HARNESS_MAIN
