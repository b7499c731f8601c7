// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec restore's descriptor table, end to end (restore_common.h's shape):
 * workloads/rs_fds opens descriptors of every kind ttrec re-creates and
 * gives them state, and after the restore checks each: its number, flags,
 * offset, bytes, counts, the events an epoll set reports with their data.
 * Then the refusals: a file changed since the snapshot (accepted with
 * --force), a kind ttrec cannot re-create (listed; /dev/null with
 * --skip-unsupported), and --inherit-fd. On the host the images come from
 * snapshots without ttrec.ko, in the VM from the module.
 */
#include "restore_common.h"

/* rs_fds MODE DIR snapshotted into DIR/a.img, and killed. Its pid. */
static pid_t fds_image(struct __test_metadata *_metadata, FIXTURE_DATA(rst) *self,
		       const char *mode)
{
	char args[256];
	pid_t pid;

	/*
	 * Its stderr a file of its own: the test's (the run's log in the VM)
	 * grows, and a file changed since the snapshot is refused.
	 */
	snprintf(args, sizeof(args), "%s %s 2>%s/wl.err", mode, self->dir, self->dir);
	EXPECT_EQ(0, wl_start(&self->w, "rs_fds", args));
	if (!self->w.pid)
		return -1;
	SNAPSHOT("a.img", "");
	pid = self->w.pid;
	wl_kill(&self->w);
	return pid;
}

/*
 * rs_fds all's "check" command for DIR/a.img: with "sem" when the image
 * knows fd 27's EFD_SEMAPHORE (6.1 does not show it), "closed" when it
 * knows nobody held fd 29's write end (module-less images do not). 0, or
 * -1 after a failed assertion.
 */
static int check_words(struct __test_metadata *_metadata, FIXTURE_DATA(rst) *self,
		       char *check, size_t len)
{
	const char *sem, *pipe29;
	bool known, closed;

	cmd_out_free(&self->c);
	if (sh(&self->c, "%s dump --state %s/a.img", ttrec_bin, self->dir))
		return -1;
	sem = strstr(self->c.out, "fd 27 eventfd");
	EXPECT_NE(NULL, sem) TH_LOG("%s", self->c.out);
	sem = sem ? strstr(sem, "semaphore ") : NULL;
	pipe29 = strstr(self->c.out, "fd 29 pipe");
	pipe29 = pipe29 ? strstr(pipe29, "    pipe ") : NULL;
	EXPECT_NE(NULL, pipe29) TH_LOG("%s", self->c.out);
	if (!sem || !pipe29)
		return -1;
	known = !strncmp(sem, "semaphore yes", 13);
	if (!known)
		EXPECT_EQ(0, strncmp(sem, "semaphore unknown", 17)) TH_LOG("%.40s", sem);
	TH_LOG("the image %s EFD_SEMAPHORE", known ? "knows" : "does not know");
	closed = !strstr(pipe29, "readers and writers unknown") ||
		 strstr(pipe29, "readers and writers unknown") > strchr(pipe29 + 1, '\n');
	TH_LOG("fd 29's pipe: %.60s", pipe29 + 4);
	snprintf(check, len, "check%s%s", known ? " sem" : "", closed ? " closed" : "");
	cmd_out_free(&self->c);
	return 0;
}

TEST_F(rst, fds_every_kind)
{
	char check[32];

	NEED_ROOT();
	ASSERT_LT(0, fds_image(_metadata, self, "all"));
	ASSERT_EQ(0, check_words(_metadata, self, check, sizeof(check)));
	/* fd 2000 past the restore's limit of open files */
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "printf '%s\\n' | (ulimit -S -n 1024 && exec %s restore -v %s/a.img)",
			check, ttrec_bin, self->dir));
	EXPECT_PASS();
	EXPECT_NE(NULL, strstr(self->c.err, "fd 27 (eventfd anon_inode:[eventfd]): eventfd, count 3"))
		TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "fd 23 (tty /dev/pts/")) TH_LOG("%s", self->c.err);
	/* the epoll item whose descriptor was closed: skipped, said */
	EXPECT_NE(NULL, strstr(self->c.err, "fd 18 (epoll): its item for fd 25 is skipped"))
		TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "read end, 3000 bytes back, capacity 131072"))
		TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "fd 0 (pipe")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "the restore's stdin")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "descriptors  ")) TH_LOG("%s", self->c.err);
}

TEST_F(rst, fds_changed_file_refused_then_forced)
{
	pid_t pid;

	NEED_ROOT();
	pid = fds_image(_metadata, self, "file");
	ASSERT_LT(0, pid);
	/* a byte before the offset rewritten, the size kept */
	ASSERT_EQ(0, sh(&self->c, "printf X | dd of=%s/data bs=1 count=1 conv=notrunc 2>/dev/null && touch -d 2001-01-01 %s/data",
			self->dir, self->dir));
	RESTORE("", "a.img", "check");
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "fd 10: file ")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "/data was changed")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "--force")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
	EXPECT_EQ(-1, kill(pid, 0));
	RESTORE("--force", "a.img", "check");
	EXPECT_PASS();
	EXPECT_NE(NULL, strstr(self->c.err, "(--force: opened as it is now)")) TH_LOG("%s", self->c.err);
}

TEST_F(rst, fds_replaced_file_refused)
{
	NEED_ROOT();
	ASSERT_LT(0, fds_image(_metadata, self, "file"));
	ASSERT_EQ(0, sh(&self->c, "cp -p %s/data %s/new && mv %s/new %s/data", self->dir,
			self->dir, self->dir, self->dir));
	RESTORE("", "a.img", "check");
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "/data was replaced")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
}

TEST_F(rst, fds_replaced_fifo_refused_then_forced)
{
	char check[32];

	NEED_ROOT();
	ASSERT_LT(0, fds_image(_metadata, self, "all"));
	ASSERT_EQ(0, sh(&self->c, "mkfifo %s/fifo2 && mv %s/fifo2 %s/fifo", self->dir, self->dir, self->dir));
	RESTORE("", "a.img", "check");
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "/fifo was replaced since the snapshot; --force"))
		TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
	/* the new FIFO, with the bytes the old one held */
	ASSERT_EQ(0, check_words(_metadata, self, check, sizeof(check)));
	RESTORE("--force", "a.img", check);
	EXPECT_NE(NULL, strstr(self->c.err, "(--force: opened as it is now)")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(0, self->c.status) TH_LOG("%s\n%s", self->c.out, self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "FIFO")) TH_LOG("%s", self->c.out);
}

TEST_F(rst, fds_unsupported_kind_listed_then_skipped)
{
	pid_t pid;

	NEED_ROOT();
	pid = fds_image(_metadata, self, "unsupported");
	ASSERT_LT(0, pid);
	RESTORE("", "a.img", "check");
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "3 descriptors of")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "/gone (deleted)): a deleted file")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "cannot be re-created")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "fd 30 (other")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "fd 31 (memfd /memfd:rs-full (deleted)): a memfd with contents the process did not map"))
		TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "--skip-unsupported")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
	EXPECT_EQ(-1, kill(pid, 0));
	RESTORE("--skip-unsupported", "a.img", "check");
	EXPECT_PASS();
	EXPECT_NE(NULL, strstr(self->c.err, "fd 30 (other")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "becomes /dev/null")) TH_LOG("%s", self->c.err);
}

TEST_F(rst, fds_inherit_fd_stdout_to_a_file)
{
	char opts[128], path[128], buf[256] = "";
	int fd;

	NEED_ROOT();
	ASSERT_LT(0, fds_image(_metadata, self, "file"));
	snprintf(opts, sizeof(opts), "--inherit-fd 1=%s/out", self->dir);
	RESTORE(opts, "a.img", "check");
	EXPECT_EQ(0, self->c.status) TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS")) TH_LOG("%s", self->c.out);
	snprintf(path, sizeof(path), "%s/out", self->dir);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	EXPECT_STREQ("PASS\n", buf);
}

TEST_F(rst, fds_usage)
{
	static const char *const bad[] = {
		"--inherit-fd 1", "--inherit-fd x=/tmp/a", "--inherit-fd 1=",
		"--inherit-fd -1=/tmp/a", "--inherit-fd 1=/a --inherit-fd 1=/b",
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cmd_out_free(&self->c);
		ASSERT_EQ(0, sh(&self->c, "%s restore %s %s/a.img", ttrec_bin, bad[i], self->dir));
		EXPECT_EQ(2, self->c.status) TH_LOG("%s: %s", bad[i], self->c.err);
		EXPECT_NE(NULL, strstr(self->c.err, "--inherit-fd")) TH_LOG("%s", self->c.err);
	}
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "%s restore --help", ttrec_bin));
	EXPECT_NE(NULL, strstr(self->c.out, "--inherit-fd N=PATH"));
	EXPECT_NE(NULL, strstr(self->c.out, "--skip-unsupported"));
	EXPECT_NE(NULL, strstr(self->c.out, "--force"));
	if (geteuid())
		return;
	/* a descriptor the process did not have */
	ASSERT_LT(0, fds_image(_metadata, self, "file"));
	RESTORE("--inherit-fd 7=/dev/null", "a.img", "check");
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "the process had no descriptor 7")) TH_LOG("%s", self->c.err);
}

TEST_HARNESS_MAIN
