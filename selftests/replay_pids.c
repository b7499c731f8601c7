// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec replay, end to end: pids. In a replay the processes and threads
 * are real ones with other pids than in the recording; the program must
 * see the recorded pids wherever the kernel tells it one, and what the
 * replay does for real with a pid must reach the process the recording
 * named. The workload, rp_pids, checks what it sees itself ("ok NAME" or
 * "BAD NAME: ..."); a replay must print the same.
 *
 * Runs on the host and in the test VM (as root).
 */
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "format/records.h"
#include "replay_common.h"

/* `rp_pids MODE [ARGS]` as a command line. */
#define RP_PIDS(cmd, fmt, ...) \
	snprintf(cmd, sizeof(cmd), "%s/rp_pids " fmt, wl_dir, ##__VA_ARGS__)

/*
 * An outside process (not recorded) that holds a lock on @path until it is
 * killed: `rp_pids hold PATH`. Its pid, or -1.
 */
static pid_t start_holder(const char *path)
{
	char bin[PATH_MAX + 16], b[5];
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	snprintf(bin, sizeof(bin), "%s/rp_pids", wl_dir);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execl(bin, bin, "hold", path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid > 0 && (read(p[0], b, sizeof(b)) != sizeof(b) || memcmp(b, "held\n", 5))) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(p[0]);
	return pid;
}

/* The event number of the syscall with the string argument @str; 0 if none. */
static uint64_t seq_of_string(const char *dir, const char *str)
{
	struct rec_reader rr;
	struct rec_event ev;
	uint64_t seq = 0;
	unsigned int k;

	if (rec_reader_open(&rr, dir))
		return 0;
	while (!seq && rec_reader_next(&rr, &ev) > 0)
		for (k = 0; k < ev.nin; k++)
			if (ev.in[k].len == strlen(str) && !memcmp(ev.in[k].s, str, ev.in[k].len))
				seq = ev.seq;
	rec_reader_close(&rr);
	return seq;
}

/* The children of process @pid (/proc/PID/task/TID/children), into @out. */
static void children_of(pid_t pid, char *out, size_t len)
{
	char pat[64];
	glob_t g;
	size_t i, n = 0;

	out[0] = 0;
	snprintf(pat, sizeof(pat), "/proc/%d/task/*/children", pid);
	if (glob(pat, 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc && n < len - 1; i++) {
		ssize_t r = slurp(g.gl_pathv[i], out + n, len - n);

		if (r > 0)
			n += r;
	}
	globfree(&g);
}

/*
 * fcntl(F_GETLK) and F_OFD_GETLK name the lock's holder: a recorded child,
 * an outside process. Emulated, with the recorded struct flock: the
 * recorded pids.
 */
TEST_F_TIMEOUT(rp, lock_holders, 60)
{
	char cmd[CMD_MAX], lk[PATH_MAX + 16], lk2[PATH_MAX + 16];
	pid_t holder;

	snprintf(lk, sizeof(lk), "%s/lk", self->tmp);
	snprintf(lk2, sizeof(lk2), "%s/lk2", self->tmp);
	holder = start_holder(lk2);
	ASSERT_LT(0, holder);
	RP_PIDS(cmd, "lock %s %s", lk, lk2);
	RECORD_REPLAY("", cmd, "rp_pids lock done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
}

/*
 * What a process does to its child by pid (setpgid, getsid, affinity,
 * prlimit, process_vm_readv, kcmp, ioprio, a pidfd) and what it learns of
 * it (SCM_CREDENTIALS): all emulated, with the recorded results.
 */
TEST_F_TIMEOUT(rp, syscalls_of_a_child, 60)
{
	char cmd[CMD_MAX];

	RP_PIDS(cmd, "misc");
	RECORD_REPLAY("", cmd, "rp_pids misc done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
}

/*
 * The siginfo a handler gets names the sender (si_pid, si_uid) and, for a
 * SIGCHLD, the child and its status: a replay sends the signal itself, so
 * the kernel's would name ttrec. The recorded siginfo is delivered.
 */
TEST_F_TIMEOUT(rp, siginfo_of_signals, 60)
{
	char cmd[CMD_MAX], path[PATH_MAX + 16];

	RP_PIDS(cmd, "sig");
	RECORD_REPLAY("", cmd, "rp_pids sig done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
	ASSERT_EQ(0, sh("%s dump %s > %s/dump", ttrec_bin, self->dir, self->tmp));
	snprintf(path, sizeof(path), "%s/dump", self->tmp);
	ASSERT_LT(0, slurp(path, self->err, OUT_MAX));
	EXPECT_TRUE(has(self->err, "--- SIGCHLD code=1 from=")) TH_LOG("%.3000s", self->err);
}

/*
 * PR_SET_CHILD_SUBREAPER and PR_SET_PDEATHSIG run in the replay, as their
 * getters do: the getters return what was set, and a subreaper is the
 * parent of the orphans below it.
 */
TEST_F_TIMEOUT(rp, subreaper_and_pdeathsig, 60)
{
	char cmd[CMD_MAX];

	RP_PIDS(cmd, "prctl");
	RECORD_REPLAY("", cmd, "rp_pids prctl done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
}

/*
 * wait4 and waitid of a pid, of -pgid, of 0, of a pidfd, of a sibling made
 * with CLONE_PARENT, of an orphan (subreaper), of a thread's child, and
 * waits in a child and in a thread: each returns the recorded child, and
 * the child is reaped in the replay too. Stopped right after the last
 * wait, the replayed process has no zombie children left, and no wait of
 * another process left one (-v says so).
 */
TEST_F_TIMEOUT(rp, wait_reaps_children, 60)
{
	char cmd[CMD_MAX], opts[128], kids[4096], path[PATH_MAX + 16];
	const char *p;
	uint64_t seq;
	pid_t pid;

	RP_PIDS(cmd, "wait");
	RECORD_REPLAY("", cmd, "rp_pids wait done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
	seq = seq_of_string(self->dir, "rp_pids-reaped");
	ASSERT_NE(0, seq);
	snprintf(opts, sizeof(opts), "--to %llu --stop --quiet", (unsigned long long)seq);
	ASSERT_EQ(0, replay(self, opts)) TH_LOG("%s", self->err);
	p = strstr(self->rep, "gdb -p ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->rep);
	pid = atoi(p + 7);
	ASSERT_LT(1, pid);
	children_of(pid, kids, sizeof(kids));
	kill(pid, SIGKILL);
	EXPECT_STREQ("", kids) TH_LOG("the replayed process still has children (zombies)");
	/* nor did a wait of its children's leave one */
	ASSERT_EQ(0, sh("cd %s && %s -v replay %s --verify --quiet > /dev/null 2> %s/rep.err", self->tmp,
			ttrec_bin, self->dir, self->tmp));
	snprintf(path, sizeof(path), "%s/rep.err", self->tmp);
	ASSERT_LT(0, slurp(path, self->err, OUT_MAX));
	EXPECT_FALSE(has(self->err, "is not reaped")) TH_LOG("%.3000s", strstr(self->err, "is not reaped"));
	EXPECT_TRUE(has(self->err, "replay OK")) TH_LOG("%.3000s", self->err);
}

/*
 * Paths of /proc/PID made from the program's own pid or a child's, opened
 * or chdir'ed to for real: they name the replayed process. Output written
 * through /proc/PID/fd/1 is shown again, a file found by chdir to
 * /proc/PID/cwd (or a child's task/TID/cwd) and /proc/PID/exe are mapped
 * as they were, not anonymous memory in place of a file the replay could
 * not open.
 */
TEST_F_TIMEOUT(rp, proc_pid_paths, 60)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, sh("echo pids > %s/pf", self->tmp));
	RP_PIDS(cmd, "proc");
	RECORD_REPLAY("", cmd, "rp_pids proc done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "written through /proc/PID/fd/1")) TH_LOG("%s", self->rec);
	EXPECT_FALSE(has(self->err, "anonymous memory")) TH_LOG("%s", self->err);
}

/*
 * A thread that ends holding a robust mutex: the kernel marks the mutex's
 * word FUTEX_OWNER_DIED when it holds the thread's tid, which is the
 * recorded one; the next lock gets EOWNERDEAD without a syscall, in the
 * replay too.
 */
TEST_F_TIMEOUT(rp, robust_mutex_of_a_thread_gone, 60)
{
	char cmd[CMD_MAX];

	RP_PIDS(cmd, "robust");
	RECORD_REPLAY("", cmd, "rp_pids robust done");
	EXPECT_FALSE(has(self->rec, "BAD")) TH_LOG("%s", self->rec);
}

TEST_HARNESS_MAIN
