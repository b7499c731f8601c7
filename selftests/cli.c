// SPDX-License-Identifier: GPL-2.0
/*
 * The ttrec tool's command line: exit statuses, help, status and monitor.
 * Runs on the host (no module: status says so) and in the test VM (module
 * loaded: status and monitor see real sessions).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ttrec.h>

#include "kselftest_harness.h"

static char ttrec_bin[PATH_MAX];

__attribute__((constructor)) static void find_ttrec(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		n = 0;
	self[n] = '\0';
	snprintf(ttrec_bin, sizeof(ttrec_bin), "%s/../ttrec", dirname(self));
}

struct run {
	int status;		/* exit status, or 128 + signal */
	char out[16384];	/* stdout */
	char err[16384];	/* stderr */
};

static void slurp(int fd, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len - 1 && (n = read(fd, buf + off, len - 1 - off)) > 0)
		off += n;
	buf[off] = '\0';
}

/* Run ttrec with @args (NULL-terminated); fills @r. */
static int run_ttrec(struct run *r, const char *const *args)
{
	char *argv[32] = { ttrec_bin };
	int out[2], err[2], i, st;
	pid_t pid;

	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	if (pipe(out) || pipe(err))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execv(ttrec_bin, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* stderr output is small here: read stdout first, then stderr */
	slurp(out[0], r->out, sizeof(r->out));
	slurp(err[0], r->err, sizeof(r->err));
	close(out[0]);
	close(err[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

#define RUN(r, ...) ({							\
	const char *const __a[] = { __VA_ARGS__, NULL };		\
	ASSERT_EQ(0, run_ttrec(r, __a));				\
})

static bool module_loaded(void)
{
	return access("/dev/" TTREC_DEVICE_NAME, F_OK) == 0;
}

FIXTURE(cli) {
	struct run r;
};
FIXTURE_SETUP(cli) { memset(&self->r, 0, sizeof(self->r)); }
FIXTURE_TEARDOWN(cli) { }

TEST_F(cli, version)
{
	RUN(&self->r, "--version");
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "ttrec "));
	EXPECT_NE(NULL, strstr(self->r.out, "uapi 1"));
}

TEST_F(cli, help_lists_commands)
{
	RUN(&self->r, "--help");
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "status"));
	EXPECT_NE(NULL, strstr(self->r.out, "monitor"));
	EXPECT_NE(NULL, strstr(self->r.out, "Exit status"));
}

TEST_F(cli, no_command_is_usage_error)
{
	RUN(&self->r, "-v");
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "Usage: ttrec"));
}

TEST_F(cli, unknown_command)
{
	RUN(&self->r, "frobnicate");
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "unknown command 'frobnicate'"));
}

TEST_F(cli, unknown_global_option)
{
	RUN(&self->r, "--frobnicate", "status");
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "unknown option"));
}

TEST_F(cli, status_help)
{
	RUN(&self->r, "status", "--help");
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "Usage: ttrec status"));
	EXPECT_NE(NULL, strstr(self->r.out, "Examples:"));
}

TEST_F(cli, help_command)
{
	RUN(&self->r, "help", "monitor");
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "Usage: ttrec monitor"));
}

TEST_F(cli, status_rejects_arguments)
{
	RUN(&self->r, "status", "extra");
	EXPECT_EQ(2, self->r.status);
}

TEST_F(cli, status_rejects_unknown_option)
{
	RUN(&self->r, "status", "--bogus");
	EXPECT_EQ(2, self->r.status);
}

TEST_F(cli, monitor_rejects_bad_numbers)
{
	static const char *const bad[][3] = {
		{ "-n", "0" }, { "-n", "x" }, { "-n", "-1" }, { "-n", "5x" },
		{ "-t", "0" }, { "-t", "" }, { "--count", "99999999999" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		RUN(&self->r, "monitor", bad[i][0], bad[i][1]);
		EXPECT_EQ(2, self->r.status) TH_LOG("monitor %s '%s'", bad[i][0], bad[i][1]);
	}
}

TEST_F(cli, status_without_module)
{
	if (module_loaded())
		SKIP(return, "ttrec.ko is loaded here");
	RUN(&self->r, "status");
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "module: not loaded"));
	EXPECT_NE(NULL, strstr(self->r.out, "insmod ttrec.ko"));
	RUN(&self->r, "status", "-q");
	EXPECT_EQ(1, self->r.status);
	EXPECT_STREQ("", self->r.out);
}

TEST_F(cli, monitor_without_module)
{
	if (module_loaded())
		SKIP(return, "ttrec.ko is loaded here");
	RUN(&self->r, "monitor", "-n", "1", "-t", "1");
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "load the ttrec kernel module"));
}

/* A child that sleeps until killed: something to attach to. */
static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static int open_session(pid_t pid)
{
	struct ttrec_attach_args a = { .pid = pid };
	int dev, fd;

	dev = open("/dev/" TTREC_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	fd = ioctl(dev, TTREC_IOC_ATTACH, &a);
	if (fd < 0)
		fd = -errno;
	close(dev);
	return fd;
}

TEST_F(cli, status_with_module_lists_session)
{
	char line[64];
	pid_t pid;
	int sfd;

	if (!module_loaded())
		SKIP(return, "ttrec.ko is not loaded here");
	pid = spawn_sleeper();
	ASSERT_LT(0, pid);
	sfd = open_session(pid);
	ASSERT_LE(0, sfd);
	RUN(&self->r, "status");
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "module: loaded"));
	EXPECT_NE(NULL, strstr(self->r.out, "api: 1"));
	EXPECT_NE(NULL, strstr(self->r.out, "netlink"));
	EXPECT_NE(NULL, strstr(self->r.out, "snapshot snap-diff")) TH_LOG("%s", self->r.out);
	snprintf(line, sizeof(line), " %d ", pid);
	EXPECT_NE(NULL, strstr(self->r.out, line)) TH_LOG("%s", self->r.out);
	EXPECT_NE(NULL, strstr(self->r.out, "live"));
	close(sfd);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	RUN(&self->r, "status", "-q");
	EXPECT_EQ(0, self->r.status);
	EXPECT_STREQ("", self->r.out);
}

/* Read @fd a byte at a time until a line containing @what; 0 if found. */
static int wait_for_line(int fd, const char *what)
{
	char line[512];
	size_t n = 0;

	while (read(fd, &line[n], 1) == 1) {
		if (line[n] == '\n' || n == sizeof(line) - 2) {
			line[n + 1] = 0;
			if (strstr(line, what))
				return 0;
			n = 0;
			continue;
		}
		n++;
	}
	return -1;
}

TEST_F(cli, monitor_reports_events)
{
	char want[128];
	pid_t mon, pid;
	struct ttrec_snapshot_args sa = { 0 };
	int out[2], sfd, st, snap;

	if (!module_loaded())
		SKIP(return, "ttrec.ko is not loaded here");
	ASSERT_EQ(0, pipe(out));
	mon = fork();
	ASSERT_LE(0, mon);
	if (mon == 0) {
		dup2(out[1], 1);
		dup2(out[1], 2);
		execl(ttrec_bin, ttrec_bin, "monitor", "-n", "4", "-t", "20", NULL);
		_exit(127);
	}
	close(out[1]);
	ASSERT_EQ(0, wait_for_line(out[0], "listening for events"));
	pid = spawn_sleeper();
	ASSERT_LT(0, pid);
	sfd = open_session(pid);
	ASSERT_LE(0, sfd);
	snap = ioctl(sfd, TTREC_IOC_SNAPSHOT, &sa);
	ASSERT_LE(0, snap);
	close(snap);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(sfd);
	slurp(out[0], self->r.out, sizeof(self->r.out));
	close(out[0]);
	ASSERT_EQ(mon, waitpid(mon, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	snprintf(want, sizeof(want), "session-opened session=");
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	snprintf(want, sizeof(want), "pid=%d status=0x9 (killed by SIGKILL)", pid);
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	EXPECT_NE(NULL, strstr(self->r.out, "session-closed")) TH_LOG("%s", self->r.out);
	snprintf(want, sizeof(want), "snapshot session=");
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	snprintf(want, sizeof(want), "snapshot=%llu pause_us=%llu pages_shared=%llu",
		 (unsigned long long)sa.id, (unsigned long long)sa.pause_ns / 1000,
		 (unsigned long long)sa.counts.pages_shared);
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
}

TEST_HARNESS_MAIN
