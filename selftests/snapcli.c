// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec snapshot / attach --snapshot-interval / info and dump of images:
 * what works without the module. On the host (ttrec.ko cannot load there)
 * snapshot stops the target with ptrace while it copies it, with one
 * warning; attach --snapshot-interval fails with a clear message and exit
 * status 1; everywhere, usage errors exit 2 and files that are not images
 * are refused. The module's snapshots are tested in the VM
 * (kmod_snapcli.c), images restored in restore.c.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "snapcli.h"

FIXTURE(snapcli) {
	char dir[64];
	struct cmd_out c;
	pid_t sleeper;
};

FIXTURE_SETUP(snapcli)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/ttrec-snapcli-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	memset(&self->c, 0, sizeof(self->c));
	self->sleeper = fork();
	ASSERT_LE(0, self->sleeper);
	if (self->sleeper == 0) {
		pause();
		_exit(0);
	}
}

FIXTURE_TEARDOWN(snapcli)
{
	struct cmd_out c;

	kill(self->sleeper, SIGKILL);
	waitpid(self->sleeper, NULL, 0);
	cmd_out_free(&self->c);
	sh(&c, "rm -rf %s", self->dir);
	cmd_out_free(&c);
}

TEST_F(snapcli, snapshot_without_module_stops_with_ptrace)
{
	char want[64];

	if (module_loaded())
		SKIP(return, "ttrec.ko is loaded here");
	if (geteuid())
		SKIP(return, "snapshots need root");
	ASSERT_EQ(0, sh(&self->c, "%s snapshot %d -o %s/a.img", ttrec_bin,
			self->sleeper, self->dir));
	EXPECT_EQ(0, self->c.status) TH_LOG("%s", self->c.err);
	/* one warning: the pause is the copy */
	EXPECT_NE(NULL, strstr(self->c.err, "not copy-on-write")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(self->c.err + strlen(self->c.err) - strchr(self->c.err, '\n') - 1, 0)
		TH_LOG("more than one line: %s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.out, "stopped with ptrace while copied"));
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "%s info %s/a.img", ttrec_bin, self->dir));
	EXPECT_EQ(0, self->c.status) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.out, "version 2"));
	EXPECT_NE(NULL, strstr(self->c.out, "stopped with ptrace while the memory was copied"));
	EXPECT_NE(NULL, strstr(self->c.out, "checksums: ok"));
	/* the process state, gathered while it was stopped */
	snprintf(want, sizeof(want), "state: pid %d,", self->sleeper);
	EXPECT_NE(NULL, strstr(self->c.out, want)) TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(self->c.out, "descriptors (")) TH_LOG("%s", self->c.out);
	cmd_out_free(&self->c);
	/* the vDSO is named; the sleeper is parked in pause() */
	ASSERT_EQ(0, sh(&self->c, "%s dump %s/a.img", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->c.out, "[vdso]")) TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(self->c.out, "(leader) in syscall 34 ")) TH_LOG("%s", self->c.out);
	cmd_out_free(&self->c);
	/* it runs on: detached, still in pause(), not stopped */
	ASSERT_EQ(0, sh(&self->c, "grep State /proc/%d/status", self->sleeper));
	EXPECT_NE(NULL, strstr(self->c.out, "S (sleeping)")) TH_LOG("%s", self->c.out);
	cmd_out_free(&self->c);
	/* an incremental image of it, against the first */
	ASSERT_EQ(0, sh(&self->c, "%s snapshot %d -o %s/b.img --parent %s/a.img", ttrec_bin,
			self->sleeper, self->dir, self->dir));
	EXPECT_EQ(0, self->c.status) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.out, "incremental image"));
}

TEST_F(snapcli, snapshot_without_module_of_no_process)
{
	if (module_loaded())
		SKIP(return, "ttrec.ko is loaded here");
	if (geteuid())
		SKIP(return, "snapshots need root");
	kill(self->sleeper, SIGKILL);
	waitpid(self->sleeper, NULL, 0);
	ASSERT_EQ(0, sh(&self->c, "%s snapshot %d -o %s/a.img", ttrec_bin,
			self->sleeper, self->dir));
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "no such process")) TH_LOG("%s", self->c.err);
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "ls %s", self->dir));
	EXPECT_STREQ("", self->c.out);		/* no image, no temporary file */
}

/*
 * @cmd (its %s: the directory) with --snapshot-interval and no module: a
 * clear refusal, exit 1, and nothing recorded or run in the directory.
 */
static void refused_without_module(struct __test_metadata *_metadata,
				   FIXTURE_DATA(snapcli) *self, const char *cmd)
{
	char line[512];

	if (module_loaded())
		SKIP(return, "ttrec.ko is loaded here");
	if (geteuid())
		SKIP(return, "recording needs root");
	snprintf(line, sizeof(line), cmd, self->dir, self->dir);
	ASSERT_EQ(0, sh(&self->c, "%s %s", ttrec_bin, line));
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "--snapshot-interval"));
	EXPECT_NE(NULL, strstr(self->c.err, "ttrec.ko")) TH_LOG("%s", self->c.err);
	cmd_out_free(&self->c);
	/* no recording without snapshots: no recording directory */
	ASSERT_EQ(0, sh(&self->c, "ls %s", self->dir));
	EXPECT_STREQ("", self->c.out);
}

/* record: refused before CMD runs (it would create the file). */
TEST_F(snapcli, record_snapshot_interval_without_module_fails_clearly)
{
	refused_without_module(_metadata, self,
			       "record -o %s/rec --snapshot-interval 1 -- touch %s/ran");
}

TEST_F(snapcli, attach_snapshot_interval_without_module_fails_clearly)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "attach %d -o %%s/rec --snapshot-interval 1 --duration 1",
		 self->sleeper);
	refused_without_module(_metadata, self, cmd);
}

TEST_F(snapcli, usage_errors_exit_2)
{
	static const char *const bad[] = {
		"snapshot",
		"snapshot abc",
		"snapshot 0",
		"snapshot 1 2",
		"snapshot 1 --bogus",
		"snapshot -o",
		"attach 1 --snapshot-interval 0",
		"attach 1 --snapshot-interval -1",
		"attach 1 --snapshot-interval x",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(0, sh(&self->c, "%s %s", ttrec_bin, bad[i]));
		EXPECT_EQ(2, self->c.status) TH_LOG("ttrec %s: %s", bad[i], self->c.err);
		cmd_out_free(&self->c);
	}
}

TEST_F(snapcli, help_texts)
{
	ASSERT_EQ(0, sh(&self->c, "%s snapshot --help", ttrec_bin));
	EXPECT_EQ(0, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.out, "Usage: ttrec snapshot PID"));
	EXPECT_NE(NULL, strstr(self->c.out, "Examples:"));
	EXPECT_NE(NULL, strstr(self->c.out, "--parent"));
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "%s attach --help", ttrec_bin));
	EXPECT_NE(NULL, strstr(self->c.out, "--snapshot-interval SEC"));
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "%s --help", ttrec_bin));
	EXPECT_NE(NULL, strstr(self->c.out, "snapshot"));
	cmd_out_free(&self->c);
	/* an image's help, on any regular file */
	ASSERT_EQ(0, sh(&self->c, "touch %s/x && %s dump %s/x --help", self->dir,
			ttrec_bin, self->dir));
	EXPECT_EQ(0, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.out, "Usage: ttrec dump IMAGE"));
	EXPECT_NE(NULL, strstr(self->c.out, "--mem ADDR:LEN"));
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "%s info %s/x --help", ttrec_bin, self->dir));
	EXPECT_EQ(0, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.out, "Usage: ttrec info IMAGE"));
}

TEST_F(snapcli, non_images_refused)
{
	ASSERT_EQ(0, sh(&self->c, "echo hello > %s/t && %s info %s/t", self->dir,
			ttrec_bin, self->dir));
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "not a ttrec snapshot image")) TH_LOG("%s", self->c.err);
	cmd_out_free(&self->c);

	ASSERT_EQ(0, sh(&self->c, ": > %s/e && %s dump %s/e", self->dir, ttrec_bin, self->dir));
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "not a ttrec snapshot image")) TH_LOG("%s", self->c.err);
	cmd_out_free(&self->c);

	/* 300 bytes of zeroes: long enough for a header, wrong magic */
	ASSERT_EQ(0, sh(&self->c, "head -c 300 /dev/zero > %s/z && %s dump %s/z --mem 0x1000:16",
			self->dir, ttrec_bin, self->dir));
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "wrong magic")) TH_LOG("%s", self->c.err);
	cmd_out_free(&self->c);

	/* a missing file is a recording directory that does not exist */
	ASSERT_EQ(0, sh(&self->c, "%s info %s/missing", ttrec_bin, self->dir));
	EXPECT_EQ(1, self->c.status);
}

TEST_F(snapcli, dump_mem_syntax)
{
	static const char *const bad[] = { "xyz", "0x1000", "0x1000:0", "0x1000:", ":16",
					   "0x1000:99999999999", "-1:4" };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(0, sh(&self->c, "touch %s/x && %s dump %s/x --mem '%s'", self->dir,
				ttrec_bin, self->dir, bad[i]));
		EXPECT_EQ(2, self->c.status) TH_LOG("--mem %s: %s", bad[i], self->c.err);
		cmd_out_free(&self->c);
	}
	ASSERT_EQ(0, sh(&self->c, "%s dump %s/x --raw", ttrec_bin, self->dir));
	EXPECT_EQ(2, self->c.status);
}

TEST_HARNESS_MAIN
