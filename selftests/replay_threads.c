// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec replay of threads and processes as real runtimes make them:
 * threads that end while others run (exit_group() with threads blocked
 * in syscalls, a main thread that leaves first, SIGKILL, a fatal signal),
 * threads that come and go, processes made by threads or by unusual clone
 * flags, exec from a thread that is not the main one, fexecve() of a
 * memfd, and the real programs that showed these (node, xz -T2, strace).
 * Each workload is recorded, replayed with --verify, and must print the
 * same thing again (RECORD_REPLAY()). Runs on the host and in the test VM.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "format/recording.h"
#include "replay_common.h"

/* ------------------------------------------------------ threads that end */

/* exit() while three threads block in futex, read and nanosleep. */
TEST_F_TIMEOUT(rp, group_exit_kills_blocked_threads, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_exit group", wl_dir);
	RECORD_REPLAY("", cmd, "rp_thr_exit group done");
}

/* A thread other than the main one calls exit(3) while the main one waits. */
TEST_F_TIMEOUT(rp, group_exit_from_a_thread, 60)
{
	char cmd[CMD_MAX], val[64];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_exit group_thread", wl_dir);
	RECORD_REPLAY("", cmd, "rp_thr_exit group done by a thread");
	ASSERT_EQ(0, recording_meta_get(self->dir, "exit_status", val, sizeof(val)));
	EXPECT_STREQ("768", val);	/* exited 3 */
}

/* The main thread leaves (the exit syscall); the others go on. */
TEST_F_TIMEOUT(rp, main_thread_exits_first, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_exit leader", wl_dir);
	RECORD_REPLAY("", cmd, "rp_thr_exit leader done");
}

/* A parent SIGKILLs its child of three threads (its kill() is emulated). */
TEST_F_TIMEOUT(rp, sigkill_from_parent, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_exit killed", wl_dir);
	RECORD_REPLAY("--follow-fork", cmd, "child ended by signal 9");
}

/* One thread faults with no handler: the others end with it. */
TEST_F_TIMEOUT(rp, fatal_signal_in_one_thread, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_exit fatal", wl_dir);
	RECORD_REPLAY("--follow-fork", cmd, "child ended by signal 11");
}

/* --------------------------------------------- threads that stop running */

/*
 * A thread preempted at its time slice's end while it holds a mutex: the
 * replay runs it to the preempted instruction before the thread that
 * waits for the mutex runs.
 */
TEST_F_TIMEOUT(rp, preempted_holding_a_mutex, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_fault spin", wl_dir);
	RECORD_REPLAY("", cmd, "rp_thr_fault done");
	if (!strstr(self->rec, "held while A did not run: 1"))
		SKIP(return, "the thread was not preempted while it held the mutex");
}

/*
 * A thread that sleeps uninterruptibly at a page fault (a file's page is
 * read from the disk) while it holds a mutex: the same, at the fault.
 */
TEST_F_TIMEOUT(rp, page_fault_sleep_holding_a_mutex, 60)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, sh("dd if=/dev/urandom of=%s/cold bs=1M count=2 conv=fsync status=none",
			self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_thr_fault fault %s/cold", wl_dir, self->tmp);
	RECORD_REPLAY("", cmd, "rp_thr_fault done");
	if (!strstr(self->rec, "held while A did not run: 1"))
		SKIP(return, "no page-fault sleep (the page stayed cached: no disk?)");
}

/*
 * A thread that waits with sched_yield() in a loop: the yield that let the
 * other thread run is at the same instruction as the ones before it, and
 * is to be run to, not stopped short of.
 */
TEST_F_TIMEOUT(rp, sched_yield_loop, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_fault yield", wl_dir);
	RECORD_REPLAY("", cmd, "A yielded until B set the flag: 1");
}

/* Threads come and go: some exit at once, some by the exit syscall. */
TEST_F_TIMEOUT(rp, threads_come_and_go, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_exit churn", wl_dir);
	RECORD_REPLAY("", cmd, "rp_thr_exit churn done");
}

/* ------------------------------------------------ processes and threads */

/* A thread forks; the child's thread forks; that grandchild execs. */
TEST_F_TIMEOUT(rp, fork_from_a_thread_and_its_grandchild, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_fork thread", wl_dir);
	RECORD_REPLAY("--follow-fork", cmd, "children ok 1");
	EXPECT_NE(NULL, strstr(self->rec, "digest leaf "));
}

/* clone(CLONE_PARENT) with no exit signal, clone(CLONE_VM | SIGCHLD). */
TEST_F_TIMEOUT(rp, clone_parent_and_clone_vm, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_fork parent", wl_dir);
	RECORD_REPLAY("--follow-fork", cmd, "rp_thr_fork parent done");
	EXPECT_NE(NULL, strstr(self->rec, "digest sibling says "));
}

/* posix_spawn() from the main thread and another, clone3 with CLONE_PIDFD. */
TEST_F_TIMEOUT(rp, spawn_from_a_thread_and_clone3_pidfd, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_fork spawn", wl_dir);
	RECORD_REPLAY("--follow-fork", cmd, "rp_thr_fork spawn done");
}

/* With --no-follow-fork the child is not replayed; its pidfd still is. */
TEST_F_TIMEOUT(rp, clone3_pidfd_child_not_recorded, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_fork pidfd", wl_dir);
	RECORD_REPLAY("--no-follow-fork", cmd, "rp_thr_fork pidfd done");
}

/*
 * A child's SIGCHLD (ignored, but the recorder traces every thread, so it
 * is delivered) wakes the main thread in pthread_join() and is taken by
 * the thread that spawned the child: the main thread's futex is restarted
 * with no signal of its own, which the replay must do itself. The child
 * is not followed: a followed child's SIGCHLD comes when the recorder's
 * tracer reaps it, which does not wake the main thread that way.
 */
TEST_F_TIMEOUT(rp, spurious_restart_in_another_thread, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_fork thread_spawn", wl_dir);
	RECORD_REPLAY("--no-follow-fork", cmd, "rp_thr_fork thread_spawn done");
}

/* ------------------------------------------------------------- exec */

/*
 * A thread other than the main one execs: the others end, it takes the
 * main thread's tid. The new image reads the (vDSO) clock: it must have
 * been patched, as at any exec.
 */
TEST_F_TIMEOUT(rp, exec_from_a_thread, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_exec thread", wl_dir);
	RECORD_REPLAY("", cmd, "rp_thr_exec done");
	EXPECT_NE(NULL, strstr(self->rec, "threads 1, tid is pid 1, exec'd by tid other"))
		TH_LOG("%s", self->rec);
}

/* The main thread execs while two threads block in syscalls. */
TEST_F_TIMEOUT(rp, exec_with_threads_blocked, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_thr_exec main", wl_dir);
	RECORD_REPLAY("", cmd, "rp_thr_exec done");
	EXPECT_NE(NULL, strstr(self->rec, "threads 1, tid is pid 1, exec'd by tid pid"))
		TH_LOG("%s", self->rec);
}

/*
 * fexecve() of a memfd the program wrote its image into: the replay runs
 * the image the recording kept (the replay's memfd holds the same bytes:
 * its writes are performed).
 */
TEST_F_TIMEOUT(rp, fexecve_memfd, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_fexec cloexec", wl_dir);
	RECORD_REPLAY("", cmd, "rp_fexec done");
}

/* The same with execveat(AT_EMPTY_PATH) of a memfd that stays open. */
TEST_F_TIMEOUT(rp, execveat_memfd_left_open, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_fexec keep", wl_dir);
	RECORD_REPLAY("", cmd, "image descriptor reads ELF");
}

/*
 * The image copied into the memfd by the kernel (sendfile()): the journal
 * has no bytes of it and the replay's memfd stays empty, so only the
 * image the recording kept can run.
 */
TEST_F_TIMEOUT(rp, fexecve_memfd_filled_by_sendfile, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_fexec sendfile", wl_dir);
	RECORD_REPLAY("", cmd, "rp_fexec done");
}

/* ------------------------------------------------ programs that ptrace */

/*
 * A program that traces its child: the child's PTRACE_TRACEME works as
 * without ttrec (no recorder's tracer holds it), so its parent's
 * PTRACE_SEIZE of it fails (EPERM: it has a tracer, its parent); the
 * replay replays both, and the SIGKILL the parent sends then.
 */
TEST_F_TIMEOUT(rp, tracing_a_child, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_ptrace", wl_dir);
	RECORD_REPLAY("", cmd, "rp_ptrace done");
	EXPECT_NE(NULL, strstr(self->rec, "PTRACE_TRACEME in the child: ok"));
	EXPECT_NE(NULL, strstr(self->rec, "PTRACE_SEIZE of the child: Operation not permitted"));
}

/* strace -f traces its child while recorded, and replays. */
TEST_F_TIMEOUT(rp, strace_follow_fork, 60)
{
	if (!have("strace"))
		SKIP(return, "strace not installed");
	RECORD_REPLAY("", "sh -c 'strace -f -e trace=none true 2>&1'", "+++ exited with 0 +++");
}

/* ------------------------------------------------------- real programs */

/* xz -T2's worker threads, in a pipeline: they die blocked at its exit. */
TEST_F_TIMEOUT(rp, xz_threads_pipeline, 120)
{
	char cmd[CMD_MAX];

	if (!have("xz") || !have("md5sum"))
		SKIP(return, "xz or md5sum not installed");
	ASSERT_EQ(0, sh("seq 1 50000 > %s/input.txt", self->tmp));
	snprintf(cmd, sizeof(cmd), "sh -c 'xz -T2 -c %s/input.txt | xz -dc | md5sum'", self->tmp);
	RECORD_REPLAY("--follow-fork", cmd, "  -");
}

/* node's helper threads die in their futex waits when it returns. */
TEST_F_TIMEOUT(rp, node_runtime, 120)
{
	if (!have("node"))
		SKIP(return, "node not installed");
	RECORD_REPLAY("--follow-fork", "node -e 'console.log(Math.random())'", NULL);
	EXPECT_GT(self->nrec, 2);
}

TEST_HARNESS_MAIN
