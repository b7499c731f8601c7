// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec replay, end to end: where the replayed program's paths resolve and
 * where its output goes.
 *
 * Paths: the opens a replay performs for real (and the mmap of what they
 * opened) must find the files the recording found, after the program
 * changed its cwd (chdir, fchdir), its root (chroot) or gave a thread a
 * cwd of its own (unshare(CLONE_FS)); where the replay cannot follow (a
 * directory that is not there in the replay), an open there must find
 * nothing rather than a file of the old cwd.
 *
 * Output: what the program writes through any descriptor that refers to
 * its stdout or stderr (opened again as /dev/stdout, /proc/self/fd/2...,
 * or a copy of one) is shown again by the replay.
 *
 * Runs on the host and in the test VM (as root).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "replay_common.h"

/* In the scratch directory: f ("top"), d1/f ("one"), d2/f ("two"). */
static int make_tree(const char *tmp)
{
	return sh("cd %s && echo top > f && mkdir d1 d2 && echo one > d1/f && echo two > d2/f",
		  tmp);
}

/* ------------------------------------------------------------------ paths */

/* chdir and fchdir run in the replay: a relative open finds the same file. */
TEST_F_TIMEOUT(rp, chdir_fchdir, 60)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, make_tree(self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_paths cwd", wl_dir);
	RECORD_REPLAY("", cmd, "rp_paths cwd done");
	EXPECT_TRUE(has(self->rec, "chdir d1, open f: maps \"one\"")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "fchdir d2, open f: maps \"two\"")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "chdir .., open f: maps \"top\"")) TH_LOG("%s", self->rec);
	EXPECT_FALSE(has(self->err, "anonymous memory")) TH_LOG("%s", self->err);
}

/*
 * A chdir or fchdir into a directory the replay does not have (made and
 * removed by the recording): a relative open there gets a placeholder,
 * never the file of the same name in the old cwd (whose mmap would be a
 * divergence: another file than the recording's fstat saw), until a chdir
 * by absolute path.
 */
TEST_F_TIMEOUT(rp, cwd_not_in_replay, 60)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, make_tree(self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_paths lost", wl_dir);
	RECORD_REPLAY("", cmd, "rp_paths lost done");
	EXPECT_TRUE(has(self->rec, "chdir new1, open f: reads \"new one\"")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "fchdir new2, open f: reads \"new two\"")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "chdir back again, open f: maps \"top\"")) TH_LOG("%s", self->rec);
	/* the files there were placeholders: their mappings anonymous memory */
	EXPECT_TRUE(has(self->err, "anonymous memory")) TH_LOG("%s", self->err);
}

/* chroot runs in the replay: an absolute path resolves in the new root. */
TEST_F_TIMEOUT(rp, chroot, 60)
{
	char cmd[CMD_MAX];

	if (geteuid())
		SKIP(return, "chroot needs root");
	ASSERT_EQ(0, make_tree(self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_paths chroot", wl_dir);
	RECORD_REPLAY("", cmd, "rp_paths chroot done");
	EXPECT_TRUE(has(self->rec, "chroot d1, open /f: maps \"one\"")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "chdir /, open f: maps \"one\"")) TH_LOG("%s", self->rec);
}

/*
 * unshare(CLONE_FS) gives a thread a cwd of its own in the replay too: its
 * chdir does not move the other threads.
 */
TEST_F_TIMEOUT(rp, unshare_fs, 60)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, make_tree(self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_paths unshare", wl_dir);
	RECORD_REPLAY("", cmd, "rp_paths unshare done");
	EXPECT_TRUE(has(self->rec, "thread: unshare, chdir d1, open f: maps \"one\""))
		TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "main: open f: maps \"top\"")) TH_LOG("%s", self->rec);
}

/* git -C chdirs, then opens and mmaps its pack index by a relative path. */
TEST_F_TIMEOUT(rp, git_log_in_other_dir, 120)
{
	if (!have("git"))
		SKIP(return, "git not installed");
	ASSERT_EQ(0, sh("cd %s && git init -q repo && cd repo && "
			"for i in 1 2 3; do echo $i > f$i && git add f$i && "
			"git -c user.name=t -c user.email=t@t commit -qm \"commit $i\" || exit 1; "
			"done && git gc -q && ls .git/objects/pack/*.idx > /dev/null", self->tmp));
	RECORD_REPLAY("--follow-fork", "git -C repo log --format=%s", "commit 1");
	EXPECT_TRUE(has(self->rec, "commit 3\ncommit 2\ncommit 1\n")) TH_LOG("%s", self->rec);
	EXPECT_FALSE(has(self->err, "anonymous memory")) TH_LOG("%s", self->err);
}

/* ----------------------------------------------------------------- output */

/*
 * Writes through /dev/stdout, /proc/self/fd/1, /dev/fd/1, /dev/stderr,
 * /proc/self/fd/2 and copies of them are shown again, each on the stream
 * it went to.
 */
TEST_F_TIMEOUT(rp, stdout_reopened, 60)
{
	char cmd[CMD_MAX], path[PATH_MAX + 16];
	static char rec_err[OUT_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_stdio", wl_dir);
	RECORD_REPLAY("", cmd, "rp_stdio done");
	EXPECT_TRUE(has(self->rec, "open /dev/stdout O_CREAT|O_TRUNC")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "open /proc/self/fd/1")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "F_DUPFD of /proc/self/fd/1")) TH_LOG("%s", self->rec);
	snprintf(path, sizeof(path), "%s/rec.err", self->tmp);
	ASSERT_LT(0, slurp(path, rec_err, sizeof(rec_err)));
	EXPECT_TRUE(has(rec_err, "open /proc/self/fd/2 (descriptor 7)")) TH_LOG("%s", rec_err);
	EXPECT_TRUE(has(self->err, "open /dev/stderr (descriptor 6)\n"
			"open /proc/self/fd/2 (descriptor 7)\n")) TH_LOG("%s", self->err);
	EXPECT_TRUE(has(self->err, "F_DUPFD_CLOEXEC of /proc/self/fd/2 (descriptor 40)\n"
			"dup of /dev/stderr (descriptor 8)\n")) TH_LOG("%s", self->err);
}

/* curl -o /dev/stdout: the page is shown again. */
TEST_F_TIMEOUT(rp, curl_to_dev_stdout, 60)
{
	char cmd[CMD_MAX];

	if (!have("curl"))
		SKIP(return, "curl not installed");
	ASSERT_EQ(0, sh("seq -f 'page line %%g' 1 200 > %s/page.txt", self->tmp));
	snprintf(cmd, sizeof(cmd), "curl -s -o /dev/stdout file://%s/page.txt", self->tmp);
	RECORD_REPLAY("", cmd, "page line 200\n");
}

TEST_HARNESS_MAIN
