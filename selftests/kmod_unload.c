// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec.ko: module lifetime. Open sessions, snapshots and device files pin
 * the module; with none, it unloads cleanly and loads again. Named to run after the
 * other kmod_* programs; every test leaves the module loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ttrec.h>

/* The harness compares int literals with unsigned fields. */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#define TTREC_DEV	"/dev/" TTREC_DEVICE_NAME
#define TTREC_KO	"/ttrec/ttrec.ko"	/* where the test VM puts it */

static int delete_module(const char *name, unsigned int flags)
{
	return syscall(SYS_delete_module, name, flags);
}

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

static int module_loaded(void)
{
	return access("/sys/module/ttrec", F_OK) == 0;
}

static int get_api(int fd)
{
	struct ttrec_api api;

	memset(&api, 0, sizeof(api));
	api.api = TTREC_API;
	return ioctl(fd, TTREC_IOC_GET_API, &api);
}

TEST(rmmod_refused_while_session_open)
{
	struct ttrec_attach_args args;
	pid_t child;
	int dev, sfd;

	ASSERT_TRUE(module_loaded());
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pause();
		_exit(0);
	}
	dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	memset(&args, 0, sizeof(args));
	args.pid = child;
	sfd = ioctl(dev, TTREC_IOC_ATTACH, &args);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, close(dev));

	/* Only the session pins the module now. */
	EXPECT_EQ(-1, delete_module("ttrec", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("errno %d", errno);
	EXPECT_TRUE(module_loaded());

	/* Still refused once the target is gone. */
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	EXPECT_EQ(-1, delete_module("ttrec", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY);
	EXPECT_EQ(0, get_api(dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC)));
	close(dev);
	close(sfd);
}

TEST(rmmod_refused_while_device_open)
{
	int dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, dev);
	EXPECT_EQ(-1, delete_module("ttrec", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY);
	EXPECT_EQ(0, get_api(dev));
	close(dev);
}

/* A snapshot outlives its session and its target, and pins the module. */
TEST(rmmod_refused_while_snapshot_open)
{
	struct ttrec_attach_args args;
	struct ttrec_snapshot_args sa;
	struct ttrec_snap_diff_args da;
	struct ttrec_snap_info info;
	pid_t child;
	int dev, sfd, s1, s2;

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pause();
		_exit(0);
	}
	dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	memset(&args, 0, sizeof(args));
	args.pid = child;
	sfd = ioctl(dev, TTREC_IOC_ATTACH, &args);
	ASSERT_LE(0, sfd);
	close(dev);
	memset(&sa, 0, sizeof(sa));
	s1 = ioctl(sfd, TTREC_IOC_SNAPSHOT, &sa);
	ASSERT_LE(0, s1);
	memset(&sa, 0, sizeof(sa));
	s2 = ioctl(sfd, TTREC_IOC_SNAPSHOT, &sa);
	ASSERT_LE(0, s2);
	close(sfd);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(s1);

	/* Only s2 pins the module now. */
	EXPECT_EQ(-1, delete_module("ttrec", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("errno %d", errno);
	EXPECT_TRUE(module_loaded());
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(0, ioctl(s2, TTREC_IOC_SNAP_INFO, &info));
	EXPECT_EQ(sa.id, info.id);
	EXPECT_EQ(sa.counts.pages_shared, info.counts.pages_shared);
	/* A diff against itself is refused, cleanly, even now. */
	memset(&da, 0, sizeof(da));
	da.parent_fd = s2;
	da.entry_size = sizeof(struct ttrec_snap_range);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &da));
	EXPECT_EQ(EINVAL, errno);
	close(s2);
}

TEST(unload_with_no_sessions_then_reload)
{
	struct stat st;
	int dev;

	if (access(TTREC_KO, R_OK))
		SKIP(return, "%s not found: cannot reload, not unloading", TTREC_KO);
	ASSERT_TRUE(module_loaded());

	ASSERT_EQ(0, delete_module("ttrec", O_NONBLOCK)) TH_LOG("unload: %s", strerror(errno));
	EXPECT_FALSE(module_loaded());
	EXPECT_EQ(-1, stat(TTREC_DEV, &st));
	EXPECT_EQ(ENOENT, errno);

	ASSERT_EQ(0, load_module(TTREC_KO)) TH_LOG("reload: %s", strerror(errno));
	ASSERT_TRUE(module_loaded());
	dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	EXPECT_EQ(0, get_api(dev));
	close(dev);

	/* A second cycle, to catch anything the first one left behind. */
	ASSERT_EQ(0, delete_module("ttrec", O_NONBLOCK));
	ASSERT_EQ(0, load_module(TTREC_KO));
	dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	EXPECT_EQ(0, get_api(dev));
	close(dev);
}

TEST_HARNESS_MAIN
