// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec.ko: hostile ioctls and exit races. Random command numbers, sizes,
 * directions, contents and pointers on /dev/ttrec, on a session fd and on
 * snapshot fds (SNAP_DIFF with random parents, output arrays and element
 * sizes included) must fail with a documented errno (or succeed), never
 * oops; sessions opened while their target is dying must still see the
 * exit. The seed is printed; TTREC_FUZZ_SEED replays a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ttrec.h>

/* The harness compares int literals with unsigned fields. */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#define TTREC_DEV	"/dev/" TTREC_DEVICE_NAME
#define ITERATIONS	20000
/* No state: a fixture only for TEST_F_TIMEOUT (6.1 has no TEST_TIMEOUT). */
FIXTURE(fz) {
	int unused;
};

FIXTURE_SETUP(fz)
{
}

FIXTURE_TEARDOWN(fz)
{
}

#define BUF_SIZE	(_IOC_SIZEMASK + 1)	/* 16 KiB, then a guard page */

static uint64_t rng;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static void seed(struct __test_metadata *_metadata)
{
	const char *env = getenv("TTREC_FUZZ_SEED");

	rng = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) ^ getpid();
	if (!rng)
		rng = 1;
	TH_LOG("seed %#llx (TTREC_FUZZ_SEED to replay)", (unsigned long long)rng);
}

static unsigned int random_cmd(void)
{
	static const unsigned int sizes[] = {
		0, 1, 8, TTREC_ATTACH_ARGS_SIZE_VER0, 39, 40, 41, 48, 64, 4096,
		_IOC_SIZEMASK,
	};
	unsigned int type, nr, dir, size;

	/*
	 * do_vfs_ioctl() handles some numbers itself (FIFREEZE, ...): keep
	 * other magics in a range it leaves alone.
	 */
	type = rnd() % 10 < 7 ? TTREC_IOC_MAGIC : 0xa0 + rnd() % 0x60;
	switch (rnd() % 11) {
	case 8:
		nr = _TTREC_SNAP_DIFF;
		break;
	case 9:
		nr = _TTREC_SNAP_PROC;
		break;
	case 10:
		nr = _TTREC_SNAP_FDS;
		break;
	case 4:
		nr = _TTREC_SNAPSHOT;
		break;
	case 5:
		nr = _TTREC_SNAP_INFO;
		break;
	case 6:
		nr = _TTREC_SNAP_VMAS;
		break;
	case 7:
		nr = _TTREC_SNAP_THREADS;
		break;
	case 0:
		nr = _TTREC_GET_API;
		break;
	case 1:
		nr = _TTREC_ATTACH;
		break;
	case 2:
		nr = _TTREC_SESSION_INFO;
		break;
	default:
		nr = rnd() % 256;
	}
	dir = rnd() % 4;
	if (rnd() % 3)
		size = sizes[rnd() % ARRAY_SIZE(sizes)];
	else
		size = rnd() % (_IOC_SIZEMASK + 1);
	return _IOC(dir, type, nr, size);
}

struct fuzz {
	int fd_results;		/* positive results are fds */
	unsigned char *buf;	/* BUF_SIZE bytes, then PROT_NONE */
	void *unmapped;
	int pidfd;
	pid_t target;
	int fds[6];		/* candidate SNAP_DIFF parents, -1 if unset */
};

/* A plausible TTREC_IOC_SNAP_DIFF argument, with random parts. */
static void random_diff_head(struct fuzz *f, unsigned int size)
{
	static const uint32_t entry_sizes[] = {
		TTREC_SNAP_RANGE_SIZE_VER0, TTREC_SNAP_RANGE_SIZE_VER0, 32, 40,
		0, 8, 20, 28, 4096, 4104, 0xffffffff,
	};
	struct ttrec_snap_diff_args a;
	uint64_t ranges;

	memset(&a, 0, sizeof(a));
	a.flags = rnd() % 16 ? 0 : 1u << (rnd() % 32);
	switch (rnd() % 8) {
	case 0:
		a.parent_fd = rnd() % 64 - 8;
		break;
	case 1:
		a.parent_fd = (int32_t)rnd();
		break;
	default:
		a.parent_fd = f->fds[rnd() % ARRAY_SIZE(f->fds)];
	}
	switch (rnd() % 6) {
	case 0:
		ranges = 0;
		break;
	case 1:
		ranges = 0xffff888000000000ULL;
		break;
	case 2:
		ranges = (uintptr_t)f->unmapped;
		break;
	case 3:	/* runs into the guard page */
		ranges = (uintptr_t)f->buf + BUF_SIZE - rnd() % 512;
		break;
	default:	/* overlapping the argument itself, or after it */
		ranges = (uintptr_t)f->buf + rnd() % (BUF_SIZE / 2);
	}
	a.ranges = ranges;
	switch (rnd() % 4) {
	case 0:
		a.count = 0;	/* size query */
		break;
	case 1:
		a.count = rnd() % 64;
		break;
	case 2:
		a.count = 1 + rnd() % 512;
		break;
	default:
		a.count = rnd();
	}
	a.entry_size = rnd() % 2 ? TTREC_SNAP_RANGE_SIZE_VER0 :
		       entry_sizes[rnd() % ARRAY_SIZE(entry_sizes)];
	a.__pad = rnd() % 16 ? 0 : 1;
	a.__pad2 = rnd() % 16 ? 0 : 1;
	memcpy(f->buf, &a, size < sizeof(a) ? size : sizeof(a));
}

static void *random_arg(struct fuzz *f, unsigned int cmd)
{
	unsigned int size = _IOC_SIZE(cmd);
	unsigned int i, fill;

	switch (rnd() % 20) {
	case 0:
		return NULL;
	case 1:
		return (void *)0xffff888000000000ULL;	/* kernel */
	case 2:
		return f->unmapped;
	case 3:	/* the struct runs into the guard page */
		return f->buf + BUF_SIZE - (size ? rnd() % size : 0);
	}

	/* Mostly zeroes with a plausible head, so deeper paths run. */
	fill = rnd() % 3 ? 64 : BUF_SIZE;
	for (i = 0; i < fill; i += 8) {
		uint64_t v = rnd();

		memcpy(f->buf + i, &v, 8);
	}
	if (fill < BUF_SIZE)
		memset(f->buf + fill, 0, BUF_SIZE - fill);
	if (_IOC_NR(cmd) == _TTREC_SNAP_DIFF && rnd() % 4) {
		random_diff_head(f, size);
	} else if (rnd() % 2) {
		uint64_t v = rnd() % 2 ? TTREC_API : rnd() % 4;
		uint32_t w[2] = { 0, 0 };

		memcpy(f->buf, &v, 8);
		if (rnd() % 2)
			memset(f->buf + 8, 0, 32);
		/* An attach head: our target by pid or pidfd, or junk. */
		switch (rnd() % 4) {
		case 0:
			w[0] = f->target;
			break;
		case 1:
			w[0] = f->pidfd;
			w[1] = TTREC_ATTACH_PIDFD;
			break;
		case 2:
			w[0] = rnd() % 64;
			w[1] = rnd() % 2;
			break;
		default:
			w[0] = rnd();
			w[1] = rnd() % 8 ? 0 : rnd();
		}
		if (rnd() % 2)
			memcpy(f->buf, w, sizeof(w));
	}
	return f->buf;
}

static int allowed_errno(int e)
{
	switch (e) {
	case ENOTTY: case EINVAL: case E2BIG: case EFAULT: case ESRCH:
	case EBADF: case EMFILE:
	/* TTREC_IOC_SNAPSHOT and snapshot fds */
	case ENOSPC: case EBUSY: case EAGAIN: case ENOMEM:
		return 1;
	}
	return 0;
}

static void fuzz_setup(struct __test_metadata *_metadata, struct fuzz *f)
{
	unsigned char *map;
	unsigned int i;

	map = mmap(NULL, BUF_SIZE + 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + BUF_SIZE, 4096, PROT_NONE));
	f->buf = map;
	f->unmapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f->unmapped);
	ASSERT_EQ(0, munmap(f->unmapped, 4096));

	f->target = fork();
	ASSERT_LE(0, f->target);
	if (f->target == 0) {
		pause();
		_exit(0);
	}
	f->pidfd = syscall(SYS_pidfd_open, f->target, 0);
	ASSERT_LE(0, f->pidfd);
	f->fd_results = 1;
	for (i = 0; i < ARRAY_SIZE(f->fds); i++)
		f->fds[i] = -1;
	f->fds[0] = f->pidfd;
}

static void fuzz_teardown(struct fuzz *f)
{
	kill(f->target, SIGKILL);
	waitpid(f->target, NULL, 0);
	close(f->pidfd);
	munmap(f->buf, BUF_SIZE + 4096);
}

/* Returns the number of unexpected results. */
static int fuzz_fd(struct __test_metadata *_metadata, struct fuzz *f, int fd,
		   int *opened)
{
	int i, ret, bad = 0;

	for (i = 0; i < ITERATIONS; i++) {
		unsigned int cmd = random_cmd();
		void *arg = random_arg(f, cmd);
		struct ttrec_session_info info;

		ret = ioctl(fd, cmd, arg);
		if (ret < 0) {
			if (!allowed_errno(errno) && bad++ < 10)
				TH_LOG("cmd %#x arg %p: errno %d", cmd, arg, errno);
			continue;
		}
		if (ret == 0)
			continue;
		if (!f->fd_results)
			continue;	/* SNAP_VMAS/THREADS/PROC/FDS: counts */
		/* ATTACH returns a session fd, SNAPSHOT a snapshot fd. */
		if (_IOC_NR(cmd) == _TTREC_SNAPSHOT) {
			struct ttrec_snap_info si;

			memset(&si, 0, sizeof(si));
			if (ioctl(ret, TTREC_IOC_SNAP_INFO, &si) && bad++ < 10)
				TH_LOG("cmd %#x returned %d, not a snapshot",
				       cmd, ret);
			(*opened)++;
			close(ret);
			continue;
		}
		memset(&info, 0, sizeof(info));
		if (ioctl(ret, TTREC_IOC_SESSION_INFO, &info) ||
		    info.state != TTREC_SESSION_LIVE) {
			if (bad++ < 10)
				TH_LOG("cmd %#x returned %d, not a session", cmd, ret);
		}
		(*opened)++;
		close(ret);
	}
	return bad;
}

TEST_F_TIMEOUT(fz, fuzz_device_ioctls, 300)
{
	struct fuzz f;
	int dev, opened = 0;

	seed(_metadata);
	fuzz_setup(_metadata, &f);
	dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	EXPECT_EQ(0, fuzz_fd(_metadata, &f, dev, &opened));
	TH_LOG("%d sessions opened on the way", opened);

	/* Still answers properly. */
	{
		struct ttrec_api api = { .api = TTREC_API };

		EXPECT_EQ(0, ioctl(dev, TTREC_IOC_GET_API, &api));
		EXPECT_EQ(TTREC_API, api.api);
	}
	close(dev);
	fuzz_teardown(&f);
}

TEST_F_TIMEOUT(fz, fuzz_session_ioctls, 300)
{
	struct ttrec_attach_args args = { 0 };
	struct ttrec_session_info info;
	struct fuzz f;
	int dev, sfd, opened = 0;

	seed(_metadata);
	fuzz_setup(_metadata, &f);
	dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	args.pid = f.target;
	sfd = ioctl(dev, TTREC_IOC_ATTACH, &args);
	ASSERT_LE(0, sfd);
	close(dev);
	EXPECT_EQ(0, fuzz_fd(_metadata, &f, sfd, &opened));
	TH_LOG("%d snapshots taken on the way", opened);

	memset(&info, 0, sizeof(info));
	EXPECT_EQ(0, ioctl(sfd, TTREC_IOC_SESSION_INFO, &info));
	EXPECT_EQ((uint32_t)f.target, info.pid);
	close(sfd);
	fuzz_teardown(&f);
}

TEST_F_TIMEOUT(fz, fuzz_snapshot_fd, 300)
{
	struct ttrec_attach_args args = { 0 };
	struct ttrec_snapshot_args sa;
	struct ttrec_snap_info si;
	struct fuzz f;
	int dev, sfd, snap, parent, later, opened = 0;
	char buf[64];
	int i;

	seed(_metadata);
	fuzz_setup(_metadata, &f);
	dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	args.pid = f.target;
	sfd = ioctl(dev, TTREC_IOC_ATTACH, &args);
	ASSERT_LE(0, sfd);
	close(dev);
	memset(&sa, 0, sizeof(sa));
	parent = ioctl(sfd, TTREC_IOC_SNAPSHOT, &sa);
	ASSERT_LE(0, parent);
	memset(&sa, 0, sizeof(sa));
	snap = ioctl(sfd, TTREC_IOC_SNAPSHOT, &sa);
	ASSERT_LE(0, snap);
	later = ioctl(sfd, TTREC_IOC_SNAPSHOT, &(struct ttrec_snapshot_args){ 0 });
	ASSERT_LE(0, later);
	/* SNAP_DIFF parents: older, itself, newer, the session, the pidfd. */
	f.fds[1] = parent;
	f.fds[2] = snap;
	f.fds[3] = later;
	f.fds[4] = sfd;
	f.fd_results = 0;
	EXPECT_EQ(0, fuzz_fd(_metadata, &f, snap, &opened));
	EXPECT_EQ(0, opened);
	/* Random preads: data, EIO or ENODATA, never anything else. */
	for (i = 0; i < ITERATIONS / 4; i++) {
		uint64_t off = rnd() % 4 ? rnd() & 0x7fffffffffffULL :
			       rnd() & 0xffffffffffffffffULL;
		ssize_t n = pread(snap, buf, 1 + rnd() % sizeof(buf),
				  (off_t)(off & 0x7fffffffffffffffULL));

		if (n < 0 && errno != EIO && errno != ENODATA &&
		    errno != EINVAL)
			EXPECT_EQ(0, errno);
	}
	memset(&si, 0, sizeof(si));
	EXPECT_EQ(0, ioctl(snap, TTREC_IOC_SNAP_INFO, &si));
	EXPECT_EQ(sa.id, si.id);
	close(later);
	close(parent);
	close(snap);
	close(sfd);
	fuzz_teardown(&f);
}

/* A target that keeps changing its memory and its map. */
static pid_t spawn_writer(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		unsigned char *p = mmap(NULL, 256 * 4096, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned int i, round = 0;

		if (p == MAP_FAILED)
			_exit(1);
		for (;;) {
			void *q;

			/* Every other page: many separate ranges. */
			for (i = 0; i < 256; i += 2)
				p[i * 4096 + round % 4096] = round;
			q = mmap(NULL, 4096 * (1 + round % 8), PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (q != MAP_FAILED && round % 2)
				munmap(q, 4096 * (1 + round % 8));
			round++;
			usleep(200);
		}
	}
	return pid;
}

/*
 * SNAP_DIFF between snapshots of a target that changes all the time:
 * random sizes, parents, output arrays and element sizes. A success never
 * reports more elements than asked for, and a proper call still works.
 */
TEST_F_TIMEOUT(fz, fuzz_snap_diff, 300)
{
	struct ttrec_attach_args args = { 0 };
	struct ttrec_snap_diff_args a;
	struct ttrec_snap_range *r;
	struct fuzz f, other;
	int dev, sfd, osfd, snaps[3], i, bad = 0, ok = 0, nospc = 0;
	pid_t writer;

	seed(_metadata);
	fuzz_setup(_metadata, &f);
	fuzz_setup(_metadata, &other);
	writer = spawn_writer();
	ASSERT_LT(0, writer);
	dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	args.pid = writer;
	sfd = ioctl(dev, TTREC_IOC_ATTACH, &args);
	ASSERT_LE(0, sfd);
	args.pid = other.target;
	osfd = ioctl(dev, TTREC_IOC_ATTACH, &args);
	ASSERT_LE(0, osfd);
	close(dev);
	for (i = 0; i < 3; i++) {
		usleep(20000);
		snaps[i] = ioctl(sfd, TTREC_IOC_SNAPSHOT,
				 &(struct ttrec_snapshot_args){ 0 });
		ASSERT_LE(0, snaps[i]);
	}
	/* Older parents twice as likely as a newer one. */
	f.fds[0] = snaps[2];
	f.fds[1] = snaps[0];
	f.fds[2] = snaps[1];
	f.fds[3] = snaps[0];
	f.fds[4] = ioctl(osfd, TTREC_IOC_SNAPSHOT,
			 &(struct ttrec_snapshot_args){ 0 });
	ASSERT_LE(0, f.fds[4]);
	f.fds[5] = sfd;
	for (i = 0; i < ITERATIONS / 2; i++) {
		static const unsigned int sizes[] = {
			TTREC_SNAP_DIFF_ARGS_SIZE_VER0,
			TTREC_SNAP_DIFF_ARGS_SIZE_VER0, 48, 64, 0, 4096,
		};
		unsigned int size = sizes[rnd() % ARRAY_SIZE(sizes)];
		unsigned int cmd = _IOC(rnd() % 8 ? _IOC_READ | _IOC_WRITE :
					rnd() % 4, TTREC_IOC_MAGIC,
					_TTREC_SNAP_DIFF, size);
		int on = snaps[1 + rnd() % 2];
		void *arg = random_arg(&f, cmd);
		int ret;

		memcpy(&a, f.buf, sizeof(a));
		ret = ioctl(on, cmd, arg);
		if (ret < 0) {
			if (!allowed_errno(errno) && bad++ < 10)
				TH_LOG("cmd %#x: errno %d", cmd, errno);
			nospc += errno == ENOSPC;
			continue;
		}
		ok++;
		if (arg == f.buf && (uint32_t)ret > a.count && bad++ < 10)
			TH_LOG("cmd %#x: %d ranges for a count of %u", cmd, ret,
			       a.count);
	}
	EXPECT_EQ(0, bad);
	TH_LOG("%d calls succeeded, %d ENOSPC", ok, nospc);

	/* Still a proper answer. */
	memset(&a, 0, sizeof(a));
	a.parent_fd = snaps[0];
	a.entry_size = sizeof(*r);
	ASSERT_EQ(0, ioctl(snaps[2], TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_LT(0, a.total);
	r = calloc(a.total, sizeof(*r));
	ASSERT_NE(NULL, r);
	a.ranges = (uintptr_t)r;
	a.count = a.total;
	EXPECT_EQ((int)a.total, ioctl(snaps[2], TTREC_IOC_SNAP_DIFF, &a));
	free(r);

	for (i = 0; i < 3; i++)
		close(snaps[i]);
	close(f.fds[4]);
	close(osfd);
	close(sfd);
	kill(writer, SIGKILL);
	waitpid(writer, NULL, 0);
	fuzz_teardown(&other);
	fuzz_teardown(&f);
}

/*
 * Attach to children that are exiting right now. Every attach either fails
 * with ESRCH or yields a session that reports the exit and its status.
 */
TEST_F_TIMEOUT(fz, attach_races_with_exit, 300)
{
	int dev, i, attached = 0, refused = 0;

	dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	for (i = 0; i < 300; i++) {
		struct ttrec_attach_args args = { 0 };
		struct ttrec_session_info info;
		struct pollfd pfd;
		int sfd, status;
		pid_t pid;

		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			/* Vary how long the child lives. */
			for (volatile int spin = (i % 16) * 2000; spin; spin--)
				;
			_exit(i & 0x7f);
		}
		args.pid = pid;
		sfd = ioctl(dev, TTREC_IOC_ATTACH, &args);
		if (sfd < 0) {
			EXPECT_EQ(ESRCH, errno);
			refused++;
			waitpid(pid, NULL, 0);
			continue;
		}
		attached++;
		pfd.fd = sfd;
		pfd.events = POLLIN;
		EXPECT_EQ(1, poll(&pfd, 1, 20000)) TH_LOG("iteration %d: no exit seen", i);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		memset(&info, 0, sizeof(info));
		ASSERT_EQ(0, ioctl(sfd, TTREC_IOC_SESSION_INFO, &info));
		EXPECT_EQ(TTREC_SESSION_EXITED, info.state);
		EXPECT_EQ(status, (int)info.exit_status);
		close(sfd);
	}
	TH_LOG("%d attached, %d refused", attached, refused);
	close(dev);
}

struct closer {
	int fd;
	pthread_barrier_t *barrier;
};

static void *close_session(void *arg)
{
	struct closer *c = arg;

	pthread_barrier_wait(c->barrier);
	close(c->fd);
	return NULL;
}

/* Close sessions while their target is being killed. */
TEST_F_TIMEOUT(fz, close_races_with_exit, 300)
{
	pthread_barrier_t barrier;
	int dev, i;

	dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, pthread_barrier_init(&barrier, NULL, 2));
	for (i = 0; i < 200; i++) {
		struct ttrec_attach_args args = { 0 };
		struct closer c = { .barrier = &barrier };
		pthread_t t;
		pid_t pid;

		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			pause();
			_exit(0);
		}
		args.pid = pid;
		c.fd = ioctl(dev, TTREC_IOC_ATTACH, &args);
		ASSERT_LE(0, c.fd);
		ASSERT_EQ(0, pthread_create(&t, NULL, close_session, &c));
		pthread_barrier_wait(&barrier);
		kill(pid, SIGKILL);
		pthread_join(t, NULL);
		ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	}
	pthread_barrier_destroy(&barrier);
	close(dev);
}

TEST_HARNESS_MAIN
