// SPDX-License-Identifier: GPL-2.0
/*
 * Parks are invisible to the program (VM only, with ttrec.ko):
 * workloads/parkwait's threads block in read, epoll_wait (with and without
 * a timeout), epoll_pwait, poll, select, a futex wait and nanosleep, and
 * check every result. Snapshots taken back to back while it runs park them
 * inside those calls again and again; none may see EINTR (epoll_wait did:
 * the park's notification counts as a pending signal there) or lose a
 * round. Then `record --snapshot-interval 0.2` of the same workload, whose
 * journal holds the restarts the parks caused, replays with --verify.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "kmod_common.h"
#include "snapcli.h"

FIXTURE(parkwait) {
	char dir[64];
};

FIXTURE_SETUP(parkwait)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/ttrec-parkwait.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(parkwait)
{
	struct cmd_out c;

	if (!sh(&c, "rm -rf %s", self->dir))
		cmd_out_free(&c);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = 0;
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

TEST_F_TIMEOUT(parkwait, parks_never_show_as_eintr, 300)
{
	unsigned int snaps = 0, threads_max = 0;
	char out[128];
	int sfd, st = 0;
	pid_t pid;

	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	snprintf(out, sizeof(out), "%s/wl.out", self->dir);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char wl[PATH_MAX + 16];

		snprintf(wl, sizeof(wl), "%s/parkwait", wl_dir);
		if (!freopen(out, "w", stdout))
			_exit(126);
		execl(wl, wl, "40", "100", NULL);
		_exit(127);
	}
	usleep(200 * 1000);	/* its threads started and blocked */
	sfd = ttrec_attach(-1, pid, 0);
	ASSERT_LE(0, sfd) TH_LOG("attach: %s", strerror(errno));
	for (;;) {
		struct ttrec_snapshot_args a;
		pid_t r = waitpid(pid, &st, WNOHANG);
		int fd;

		ASSERT_LE(0, r);
		if (r == pid)
			break;
		fd = ttrec_snapshot(sfd, &a);
		if (fd < 0) {
			/* only once it is exiting */
			ASSERT_EQ(ESRCH, errno) TH_LOG("snapshot: %s", strerror(errno));
			continue;
		}
		snaps++;
		if (a.nr_threads > threads_max)
			threads_max = a.nr_threads;
		close(fd);
		usleep(20 * 1000);
	}
	close(sfd);
	TH_LOG("%u snapshots of up to %u threads", snaps, threads_max);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("%s", slurp(out));
	EXPECT_NE(NULL, strstr(slurp(out), "parkwait ok\n")) TH_LOG("%s", slurp(out));
	EXPECT_LE(20U, snaps);
	EXPECT_EQ(9U, threads_max);
}

TEST_F_TIMEOUT(parkwait, record_with_snapshots_replays, 600)
{
	char rec[128], out[128];
	struct cmd_out c;

	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	snprintf(rec, sizeof(rec), "%s/rec", self->dir);
	snprintf(out, sizeof(out), "%s/wl.out", self->dir);
	ASSERT_EQ(0, sh(&c, "%s record -o %s --snapshot-interval 0.2 -- %s/parkwait 25 100 > %s",
			ttrec_bin, rec, wl_dir, out));
	EXPECT_EQ(0, c.status) TH_LOG("%s", c.err);
	cmd_out_free(&c);
	EXPECT_NE(NULL, strstr(slurp(out), "parkwait ok\n")) TH_LOG("%s", slurp(out));

	/* the parks interrupted blocking calls: the journal shows restarts */
	ASSERT_EQ(0, sh(&c, "%s dump %s", ttrec_bin, rec));
	ASSERT_EQ(0, c.status) TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.out, "ERESTART")) TH_LOG("no restart in the journal");
	EXPECT_NE(NULL, strstr(c.out, "snapshot")) TH_LOG("no snapshot in the journal");
	cmd_out_free(&c);

	ASSERT_EQ(0, sh(&c, "%s replay --verify %s", ttrec_bin, rec));
	EXPECT_EQ(0, c.status) TH_LOG("%s\n%s", c.out, c.err);
	/* the replay reproduced the workload's own verdict */
	EXPECT_NE(NULL, strstr(c.out, "parkwait ok\n")) TH_LOG("%s", c.out);
	cmd_out_free(&c);
}

TEST_HARNESS_MAIN
