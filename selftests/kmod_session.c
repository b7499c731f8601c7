// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec.ko: TTREC_IOC_ATTACH, session file descriptors, SESSION_INFO, poll()
 * and target exit detection. Runs as root in the test VM with ttrec.ko
 * loaded.
 */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/ttrec.h>

/* The harness compares int literals with unsigned fields. */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "kmod_common.h"

#define EXIT_TIMEOUT_MS	20000

#define SESSION_INFO_SIZED(size) _IOC(_IOC_READ | _IOC_WRITE, TTREC_IOC_MAGIC, \
				      _TTREC_SESSION_INFO, (size))

/* ---------------------------------------------------------------- helpers */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Returns the poll revents of @fd, 0 on timeout. */
static int poll_session(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	return ret > 0 ? pfd.revents : ret;
}

static int pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

/* The state letter of /proc/PID/stat, or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static int wait_proc_state(pid_t pid, char state)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (proc_state(pid) == state)
			return 0;
		usleep(5000);
	}
	return -1;
}

FIXTURE(sess) {
	int dev;
	int go;
	pid_t child;
};

FIXTURE_SETUP(sess)
{
	self->go = -1;
	self->child = 0;
	self->dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", TTREC_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(sess)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->go >= 0)
		close(self->go);
	close(self->dev);
}

/* ---------------------------------------------------------------- attach */

TEST_F(sess, attach_child_returns_cloexec_session_fd)
{
	struct ttrec_session_info info;
	uint64_t before = now_ns();
	int sfd;

	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd) TH_LOG("attach: %s", strerror(errno));
	EXPECT_EQ(FD_CLOEXEC, fcntl(sfd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(sfd, F_GETFL) & O_ACCMODE);

	/* The session does not depend on the /dev/ttrec fd staying open. */
	close(self->dev);
	self->dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_EQ(0, ttrec_session_info(sfd, &info));
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(TTREC_SESSION_LIVE, info.state);
	EXPECT_EQ((uint32_t)self->child, info.pid);
	EXPECT_LT(0, info.id);
	EXPECT_EQ(0, info.exit_status);
	EXPECT_LE(before, info.attach_ns);
	EXPECT_GE(now_ns(), info.attach_ns);
	EXPECT_EQ(0, info.exit_ns);
	EXPECT_EQ(0, poll_session(sfd, 0));
	close(sfd);
}

TEST_F(sess, attach_nonexistent_pid_is_esrch)
{
	uint32_t pids[] = { 0, 0x3fffffff, 0x7fffffff, 0x80000000u, 0xffffffffu };
	unsigned int i;
	pid_t gone;

	for (i = 0; i < ARRAY_SIZE(pids); i++) {
		EXPECT_EQ(-1, ttrec_attach(self->dev, pids[i], 0));
		EXPECT_EQ(ESRCH, errno) TH_LOG("pid %u", pids[i]);
	}

	/* A pid that was just reaped. */
	gone = fork();
	ASSERT_LE(0, gone);
	if (gone == 0)
		_exit(0);
	ASSERT_EQ(gone, waitpid(gone, NULL, 0));
	EXPECT_EQ(-1, ttrec_attach(self->dev, gone, 0));
	EXPECT_EQ(ESRCH, errno);
}

TEST_F(sess, attach_zombie_is_esrch)
{
	siginfo_t si;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(3);
	self->child = pid;
	/* Wait until it is a zombie, without reaping it. */
	ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	ASSERT_EQ('Z', proc_state(pid));
	EXPECT_EQ(-1, ttrec_attach(self->dev, pid, 0));
	EXPECT_EQ(ESRCH, errno);
}

TEST_F(sess, attach_kernel_thread_is_einval)
{
	/* pid 2 is kthreadd. */
	EXPECT_EQ(-1, ttrec_attach(self->dev, 2, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(sess, attach_own_thread_group_is_einval)
{
	EXPECT_EQ(-1, ttrec_attach(self->dev, getpid(), 0));
	EXPECT_EQ(EINVAL, errno);
}

static void *sleeper(void *arg)
{
	int *tid_pipe = arg;
	pid_t tid = gettid();

	if (write(tid_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		_exit(101);
	for (;;)
		pause();
	return NULL;
}

TEST_F(sess, attach_non_leader_thread_id_is_esrch)
{
	int p[2];
	pid_t tid;

	ASSERT_EQ(0, pipe(p));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, sleeper, p))
			_exit(102);
		for (;;)
			pause();
	}
	ASSERT_EQ(sizeof(tid), read(p[0], &tid, sizeof(tid)));
	ASSERT_NE(tid, self->child);
	EXPECT_EQ(-1, ttrec_attach(self->dev, tid, 0));
	EXPECT_EQ(ESRCH, errno);
	/* The group itself is fine. */
	tid = ttrec_attach(self->dev, self->child, 0);
	EXPECT_LE(0, tid);
	close(tid);
	close(p[0]);
	close(p[1]);
}

TEST_F(sess, attach_unknown_flags_is_einval)
{
	uint32_t flags[] = { 1u << 1, 1u << 31, ~0u };
	unsigned int i;

	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		EXPECT_EQ(-1, ttrec_attach(self->dev, self->child, flags[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("flags %#x", flags[i]);
	}
}

/* In a child: become nobody, or drop CAP_SYS_PTRACE only; then attach. */
static int attach_unprivileged(int dev, pid_t target, int drop_ptrace_only)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (drop_ptrace_only) {
			struct __user_cap_header_struct hdr = {
				.version = _LINUX_CAPABILITY_VERSION_3,
			};
			struct __user_cap_data_struct data[2];

			if (syscall(SYS_capget, &hdr, data))
				_exit(10);
			data[CAP_SYS_PTRACE / 32].effective &=
				~(1u << (CAP_SYS_PTRACE % 32));
			if (syscall(SYS_capset, &hdr, data))
				_exit(11);
		} else {
			if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
				_exit(12);
		}
		if (ttrec_attach(dev, target, 0) >= 0)
			_exit(13);
		_exit(errno == EPERM ? 0 : 14);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(sess, attach_without_cap_sys_ptrace_is_eperm)
{
	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	EXPECT_EQ(0, attach_unprivileged(self->dev, self->child, 1));
}

TEST_F(sess, attach_as_nobody_is_eperm)
{
	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	EXPECT_EQ(0, attach_unprivileged(self->dev, self->child, 0));
}

/* ---------------------------------------------------------------- pidfd */

TEST_F(sess, attach_by_pidfd)
{
	struct ttrec_session_info info;
	int pidfd, sfd;

	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	pidfd = pidfd_open(self->child);
	ASSERT_LE(0, pidfd) TH_LOG("pidfd_open: %s", strerror(errno));
	sfd = ttrec_attach(self->dev, pidfd, TTREC_ATTACH_PIDFD);
	ASSERT_LE(0, sfd) TH_LOG("attach pidfd: %s", strerror(errno));
	close(pidfd);	/* the session keeps its own reference */
	ASSERT_EQ(0, ttrec_session_info(sfd, &info));
	EXPECT_EQ((uint32_t)self->child, info.pid);
	EXPECT_EQ(TTREC_SESSION_LIVE, info.state);

	ASSERT_EQ(0, release_child(self->go));
	EXPECT_EQ(POLLIN | POLLHUP, poll_session(sfd, EXIT_TIMEOUT_MS) & (POLLIN | POLLHUP));
	close(sfd);
}

TEST_F(sess, attach_bad_pidfd_is_ebadf)
{
	uint32_t fds[] = { 999, 0x7fffffff, 0x80000000u, 0xffffffffu };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		EXPECT_EQ(-1, ttrec_attach(self->dev, fds[i], TTREC_ATTACH_PIDFD));
		EXPECT_EQ(EBADF, errno) TH_LOG("fd %u", fds[i]);
	}
}

TEST_F(sess, attach_non_pidfd_fd_is_einval)
{
	int efd, devnull, sfd;

	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	efd = eventfd(0, EFD_CLOEXEC);	/* also an anonymous inode */
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_LE(0, devnull);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);

	EXPECT_EQ(-1, ttrec_attach(self->dev, efd, TTREC_ATTACH_PIDFD));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ttrec_attach(self->dev, devnull, TTREC_ATTACH_PIDFD));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ttrec_attach(self->dev, self->dev, TTREC_ATTACH_PIDFD));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ttrec_attach(self->dev, sfd, TTREC_ATTACH_PIDFD));
	EXPECT_EQ(EINVAL, errno);
	close(sfd);
	close(efd);
	close(devnull);
}

TEST_F(sess, attach_pidfd_of_zombie_is_esrch)
{
	siginfo_t si;
	int pidfd;

	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	pidfd = pidfd_open(self->child);
	ASSERT_LE(0, pidfd);
	ASSERT_EQ(0, release_child(self->go));
	ASSERT_EQ(0, waitid(P_PID, self->child, &si, WEXITED | WNOWAIT));
	EXPECT_EQ(-1, ttrec_attach(self->dev, pidfd, TTREC_ATTACH_PIDFD));
	EXPECT_EQ(ESRCH, errno);
	/* Reaped too. */
	ASSERT_EQ(self->child, waitpid(self->child, NULL, 0));
	self->child = 0;
	EXPECT_EQ(-1, ttrec_attach(self->dev, pidfd, TTREC_ATTACH_PIDFD));
	EXPECT_EQ(ESRCH, errno);
	close(pidfd);
}

/* ---------------------------------------------------------------- session fd */

TEST_F(sess, unknown_ioctl_on_session_is_enotty)
{
	struct ttrec_api api;
	char buf[64] = { 0 };
	int sfd;

	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	memset(&api, 0, sizeof(api));
	api.api = TTREC_API;
	EXPECT_EQ(-1, ioctl(sfd, TTREC_IOC_GET_API, &api));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(sfd, TTREC_IOC_ATTACH, buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(sfd, _IOWR(TTREC_IOC_MAGIC, 0x1f, struct ttrec_session_info), buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(sfd, _IOR(TTREC_IOC_MAGIC, _TTREC_SESSION_INFO, struct ttrec_session_info), buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(sfd, _IOWR('x', _TTREC_SESSION_INFO, struct ttrec_session_info), buf));
	EXPECT_EQ(ENOTTY, errno);
	close(sfd);
}

/*
 * SESSION_INFO with the VER0 size: returns how many bytes past the VER0
 * struct the module wrote (0 expected), or -1 when the call failed or the
 * pid is wrong.
 */
static int session_info_ver0_overrun(int sfd, pid_t pid)
{
	union {
		struct ttrec_session_info info;
		unsigned char b[sizeof(struct ttrec_session_info)];
	} old;
	int i, bad = 0;

	memset(&old, 0xa5, sizeof(old));
	memset(&old, 0, TTREC_SESSION_INFO_SIZE_VER0);
	if (ioctl(sfd, SESSION_INFO_SIZED(TTREC_SESSION_INFO_SIZE_VER0), &old) ||
	    old.info.pid != (uint32_t)pid)
		return -1;
	for (i = TTREC_SESSION_INFO_SIZE_VER0; i < (int)sizeof(old); i++)
		bad += old.b[i] != 0xa5;
	return bad;
}

TEST_F(sess, session_info_argument_rules)
{
	struct {
		struct ttrec_session_info info;
		uint64_t newer;
	} big;
	struct ttrec_session_info info;
	int sfd;

	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);

	memset(&info, 0, sizeof(info));
	info.flags = 1;
	EXPECT_EQ(-1, ioctl(sfd, TTREC_IOC_SESSION_INFO, &info));
	EXPECT_EQ(EINVAL, errno);

	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-1, ioctl(sfd, SESSION_INFO_SIZED(TTREC_SESSION_INFO_SIZE_VER0 - 8), &info));
	EXPECT_EQ(EINVAL, errno);

	memset(&big, 0, sizeof(big));
	big.newer = 42;
	EXPECT_EQ(-1, ioctl(sfd, SESSION_INFO_SIZED(sizeof(big)), &big));
	EXPECT_EQ(E2BIG, errno);
	big.newer = 0;
	ASSERT_EQ(0, ioctl(sfd, SESSION_INFO_SIZED(sizeof(big)), &big));
	EXPECT_EQ((uint32_t)self->child, big.info.pid);
	EXPECT_EQ(TTREC_SESSION_LIVE, big.info.state);
	EXPECT_EQ(0, big.newer);

	/* A VER0 caller (an older header) gets 40 bytes, not one more. */
	EXPECT_EQ(0, session_info_ver0_overrun(sfd, self->child));

	/* VER1: the page accounting (no snapshots yet). */
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioctl(sfd, TTREC_IOC_SESSION_INFO, &info));
	EXPECT_EQ(0, info.pages_held);
	EXPECT_EQ(0, info.nr_snapshots);
	EXPECT_LT(0, info.page_budget);

	EXPECT_EQ(-1, ioctl(sfd, TTREC_IOC_SESSION_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	close(sfd);
}

TEST_F(sess, session_pid_is_zero_where_target_is_invisible)
{
	pid_t helper;
	int sfd, status;

	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);

	helper = fork();
	ASSERT_LE(0, helper);
	if (helper == 0) {
		struct ttrec_session_info info;
		pid_t inner;

		if (unshare(CLONE_NEWPID))
			_exit(20);
		inner = fork();
		if (inner < 0)
			_exit(21);
		if (inner == 0) {
			if (ttrec_session_info(sfd, &info))
				_exit(22);
			_exit(info.pid == 0 && info.state == TTREC_SESSION_LIVE ? 0 : 23);
		}
		if (waitpid(inner, &status, 0) != inner || !WIFEXITED(status))
			_exit(24);
		_exit(WEXITSTATUS(status));
	}
	ASSERT_EQ(helper, waitpid(helper, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(sfd);
}

/* ---------------------------------------------------------------- exit */

TEST_F(sess, target_exit_status_7)
{
	struct ttrec_session_info info;
	int sfd, status;

	self->child = spawn_child(NULL, &self->go, 7);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, release_child(self->go));
	EXPECT_EQ(POLLIN | POLLHUP, poll_session(sfd, EXIT_TIMEOUT_MS) & (POLLIN | POLLHUP));

	ASSERT_EQ(0, ttrec_session_info(sfd, &info));
	EXPECT_EQ(TTREC_SESSION_EXITED, info.state);
	EXPECT_TRUE(WIFEXITED(info.exit_status));
	EXPECT_EQ(7, WEXITSTATUS(info.exit_status));
	EXPECT_LE(info.attach_ns, info.exit_ns);
	EXPECT_GE(now_ns(), info.exit_ns);
	EXPECT_EQ((uint32_t)self->child, info.pid);

	/* Same status as wait(2), and still there after the reap. */
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	EXPECT_EQ(status, (int)info.exit_status);
	self->child = 0;
	ASSERT_EQ(0, ttrec_session_info(sfd, &info));
	EXPECT_EQ(TTREC_SESSION_EXITED, info.state);
	EXPECT_EQ(status, (int)info.exit_status);
	close(sfd);
}

TEST_F(sess, target_killed_by_sigkill)
{
	struct ttrec_session_info info;
	int sfd, status;

	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, kill(self->child, SIGKILL));
	EXPECT_EQ(POLLIN | POLLHUP, poll_session(sfd, EXIT_TIMEOUT_MS) & (POLLIN | POLLHUP));
	ASSERT_EQ(0, ttrec_session_info(sfd, &info));
	EXPECT_EQ(TTREC_SESSION_EXITED, info.state);
	EXPECT_TRUE(WIFSIGNALED(info.exit_status));
	EXPECT_EQ(SIGKILL, WTERMSIG(info.exit_status));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	EXPECT_EQ(status, (int)info.exit_status);
	self->child = 0;
	close(sfd);
}

TEST_F(sess, poll_reports_hup_only_after_exit)
{
	struct pollfd pfd[2];
	int sfd;

	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);

	EXPECT_EQ(0, poll_session(sfd, 0));
	EXPECT_EQ(0, poll_session(sfd, 50));

	/* A poller already asleep is woken by the exit. */
	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = self->go;	/* never ready for reading: write end */
	pfd[1].events = 0;
	ASSERT_EQ(0, release_child(self->go));
	ASSERT_EQ(1, poll(pfd, 1, EXIT_TIMEOUT_MS));
	EXPECT_EQ(POLLIN | POLLHUP, pfd[0].revents & (POLLIN | POLLHUP));
	/* Level-triggered: stays ready. */
	EXPECT_EQ(POLLIN | POLLHUP, poll_session(sfd, 0) & (POLLIN | POLLHUP));
	close(sfd);
}

struct mt_ctl {
	int thread_go;		/* read end: the last thread waits on it */
	int last_code;		/* <0: exit_group(-last_code); else SYS_exit */
};

static void *mt_last_thread(void *arg)
{
	struct mt_ctl *ctl = arg;
	char c;

	if (read(ctl->thread_go, &c, 1) < 0)
		syscall(SYS_exit_group, 103);
	if (ctl->last_code < 0)
		syscall(SYS_exit_group, -ctl->last_code);
	syscall(SYS_exit, ctl->last_code);
	return NULL;
}

/*
 * A two-thread child whose leader exits first (with @leader_code) when
 * *leader_go is written, and whose other thread then exits as @last_code
 * says when *thread_go is written.
 */
static pid_t spawn_mt_child(int *leader_go, int *thread_go, int leader_code,
			    int last_code)
{
	int lp[2], tp[2];
	pid_t pid;

	if (pipe2(lp, O_CLOEXEC) || pipe2(tp, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		static struct mt_ctl ctl;
		pthread_t t;
		char c;

		close(lp[1]);
		close(tp[1]);
		ctl.thread_go = tp[0];
		ctl.last_code = last_code;
		if (pthread_create(&t, NULL, mt_last_thread, &ctl))
			_exit(104);
		if (read(lp[0], &c, 1) < 0)
			_exit(105);
		syscall(SYS_exit, leader_code);	/* this thread only */
	}
	close(lp[0]);
	close(tp[0]);
	*leader_go = lp[1];
	*thread_go = tp[1];
	return pid;
}

TEST_F(sess, multithreaded_target_leader_exits_first)
{
	struct ttrec_session_info info;
	int leader_go, thread_go, s1, s2, status;

	self->child = spawn_mt_child(&leader_go, &thread_go, 0, -7);
	ASSERT_LT(0, self->child);
	s1 = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, s1);

	ASSERT_EQ(0, release_child(leader_go));
	ASSERT_EQ(0, wait_proc_state(self->child, 'Z'));
	/* The leader is a zombie but the group lives on. */
	EXPECT_EQ(0, poll_session(s1, 100));
	ASSERT_EQ(0, ttrec_session_info(s1, &info));
	EXPECT_EQ(TTREC_SESSION_LIVE, info.state);
	s2 = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, s2) TH_LOG("attach after leader exit: %s", strerror(errno));

	ASSERT_EQ(0, release_child(thread_go));
	EXPECT_EQ(POLLIN | POLLHUP, poll_session(s1, EXIT_TIMEOUT_MS) & (POLLIN | POLLHUP));
	EXPECT_EQ(POLLIN | POLLHUP, poll_session(s2, EXIT_TIMEOUT_MS) & (POLLIN | POLLHUP));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(7, WEXITSTATUS(status));
	ASSERT_EQ(0, ttrec_session_info(s1, &info));
	EXPECT_EQ(TTREC_SESSION_EXITED, info.state);
	EXPECT_EQ(status, (int)info.exit_status);
	ASSERT_EQ(0, ttrec_session_info(s2, &info));
	EXPECT_EQ(status, (int)info.exit_status);
	close(s1);
	close(s2);
	close(leader_go);
	close(thread_go);
}

TEST_F(sess, multithreaded_target_threads_exit_one_by_one)
{
	struct ttrec_session_info info;
	int leader_go, thread_go, sfd, status;

	/* No exit_group(): the leader exits with 5, the last thread with 9. */
	self->child = spawn_mt_child(&leader_go, &thread_go, 5, 9);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, release_child(leader_go));
	ASSERT_EQ(0, wait_proc_state(self->child, 'Z'));
	EXPECT_EQ(0, poll_session(sfd, 100));
	ASSERT_EQ(0, release_child(thread_go));
	EXPECT_EQ(POLLIN | POLLHUP, poll_session(sfd, EXIT_TIMEOUT_MS) & (POLLIN | POLLHUP));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	/*
	 * Which code wait(2) reports depends on the kernel: the leader's
	 * (older kernels) or, since synchronize_group_exit() (5.17), the
	 * last thread's. The session must agree with wait(2).
	 */
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_TRUE(WEXITSTATUS(status) == 5 || WEXITSTATUS(status) == 9);
	ASSERT_EQ(0, ttrec_session_info(sfd, &info));
	EXPECT_EQ(TTREC_SESSION_EXITED, info.state);
	EXPECT_EQ(status, (int)info.exit_status);
	close(sfd);
	close(leader_go);
	close(thread_go);
}

/*
 * Re-executed as a target by exec_from_non_leader_thread_keeps_session:
 * close TTREC_TARGET_READY_FD, wait for a byte on TTREC_TARGET_WAIT_FD,
 * exit with TTREC_TARGET_EXIT. Runs before the harness's main().
 */
__attribute__((constructor)) static void exec_target(void)
{
	const char *ready = getenv("TTREC_TARGET_READY_FD");
	const char *wait = getenv("TTREC_TARGET_WAIT_FD");
	const char *code = getenv("TTREC_TARGET_EXIT");
	char c;

	if (!ready || !wait || !code)
		return;
	close(atoi(ready));
	if (read(atoi(wait), &c, 1) < 0)
		_exit(106);
	_exit(atoi(code));
}

struct exec_ctl {
	int go;			/* read end: exec when readable */
	char *env[4];
};

static void *exec_thread(void *arg)
{
	struct exec_ctl *ctl = arg;
	char *argv[] = { "kmod_session", NULL };
	char c;

	if (read(ctl->go, &c, 1) < 0)
		syscall(SYS_exit_group, 107);
	execve("/proc/self/exe", argv, ctl->env);
	syscall(SYS_exit_group, 108);
	return NULL;
}

TEST_F(sess, exec_from_non_leader_thread_keeps_session)
{
	struct ttrec_session_info info;
	int go[2], ready[2], wait_p[2], sfd, status;
	char c;

	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe(ready));	/* inherited across exec */
	ASSERT_EQ(0, pipe(wait_p));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		static struct exec_ctl ctl;
		static char env[3][64];
		pthread_t t;

		close(go[1]);
		close(ready[0]);
		close(wait_p[1]);
		ctl.go = go[0];
		snprintf(env[0], sizeof(env[0]), "TTREC_TARGET_READY_FD=%d", ready[1]);
		snprintf(env[1], sizeof(env[1]), "TTREC_TARGET_WAIT_FD=%d", wait_p[0]);
		snprintf(env[2], sizeof(env[2]), "TTREC_TARGET_EXIT=6");
		ctl.env[0] = env[0];
		ctl.env[1] = env[1];
		ctl.env[2] = env[2];
		if (pthread_create(&t, NULL, exec_thread, &ctl))
			_exit(109);
		for (;;)
			pause();
	}
	close(go[0]);
	close(ready[1]);
	close(wait_p[0]);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);

	/* The non-leader thread execs: it takes over the thread-group id. */
	ASSERT_EQ(0, release_child(go[1]));
	ASSERT_EQ(0, read(ready[0], &c, 1));
	EXPECT_EQ(0, poll_session(sfd, 100));
	ASSERT_EQ(0, ttrec_session_info(sfd, &info));
	EXPECT_EQ(TTREC_SESSION_LIVE, info.state);
	EXPECT_EQ((uint32_t)self->child, info.pid);

	ASSERT_EQ(0, release_child(wait_p[1]));
	EXPECT_EQ(POLLIN | POLLHUP, poll_session(sfd, EXIT_TIMEOUT_MS) & (POLLIN | POLLHUP));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(6, WEXITSTATUS(status));
	ASSERT_EQ(0, ttrec_session_info(sfd, &info));
	EXPECT_EQ(TTREC_SESSION_EXITED, info.state);
	EXPECT_EQ(status, (int)info.exit_status);
	close(sfd);
	close(go[1]);
	close(ready[0]);
	close(wait_p[1]);
}

TEST_F(sess, close_session_then_target_exits)
{
	int sfd, status;

	self->child = spawn_child(NULL, &self->go, 4);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, close(sfd));
	ASSERT_EQ(0, release_child(self->go));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	EXPECT_EQ(4, WEXITSTATUS(status));
	/* The module is still sane. */
	self->child = spawn_child(NULL, &self->go, 0);
	sfd = ttrec_attach(self->dev, self->child, 0);
	EXPECT_LE(0, sfd);
	close(sfd);
}

TEST_F(sess, target_exits_then_session_closed)
{
	struct ttrec_session_info info;
	int sfd;

	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, release_child(self->go));
	ASSERT_EQ(self->child, waitpid(self->child, NULL, 0));
	self->child = 0;
	/* Reaped before we looked: the exit was still recorded. */
	ASSERT_EQ(0, ttrec_session_info(sfd, &info));
	EXPECT_EQ(TTREC_SESSION_EXITED, info.state);
	EXPECT_EQ(POLLIN | POLLHUP, poll_session(sfd, 0) & (POLLIN | POLLHUP));
	EXPECT_EQ(0, close(sfd));
}

#define MANY 64

TEST_F(sess, many_sessions_on_one_target)
{
	struct ttrec_session_info info;
	uint64_t last_id = 0;
	int sfd[MANY], i, status;

	self->child = spawn_child(NULL, &self->go, 11);
	ASSERT_LT(0, self->child);
	for (i = 0; i < MANY; i++) {
		sfd[i] = ttrec_attach(self->dev, self->child, 0);
		ASSERT_LE(0, sfd[i]) TH_LOG("session %d: %s", i, strerror(errno));
		ASSERT_EQ(0, ttrec_session_info(sfd[i], &info));
		EXPECT_LT(last_id, info.id);	/* unique, increasing */
		last_id = info.id;
	}
	/* Close a few early, the rest after the exit. */
	for (i = 0; i < MANY; i += 4)
		close(sfd[i]);
	ASSERT_EQ(0, release_child(self->go));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	for (i = 0; i < MANY; i++) {
		if (i % 4 == 0)
			continue;
		EXPECT_EQ(POLLIN | POLLHUP, poll_session(sfd[i], EXIT_TIMEOUT_MS) & (POLLIN | POLLHUP));
		ASSERT_EQ(0, ttrec_session_info(sfd[i], &info));
		EXPECT_EQ(TTREC_SESSION_EXITED, info.state);
		EXPECT_EQ(status, (int)info.exit_status);
		close(sfd[i]);
	}
}

TEST_F(sess, debugfs_lists_sessions)
{
	struct ttrec_session_info info;
	char buf[8192], want[64];
	ssize_t n;
	int sfd, fd;

	fd = open("/sys/kernel/debug/ttrec/sessions", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "no debugfs: %s", strerror(errno));
	self->child = spawn_child(NULL, &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, ttrec_session_info(sfd, &info));
	n = read(fd, buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = 0;
	snprintf(want, sizeof(want), "\n%llu %d live 0x0 %d ",
		 (unsigned long long)info.id, self->child, getpid());
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("%s not in:\n%s", want, buf);
	close(fd);
	close(sfd);
}

TEST_HARNESS_MAIN
