// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec.ko: the process state of a snapshot (TTREC_FEATURE_SNAP_STATE):
 * TTREC_IOC_SNAP_PROC, TTREC_IOC_SNAP_FDS and TTREC_SNAP_THREADS_STATE.
 * The workload procstate sets up state of every kind; what the module
 * captured is decoded with the image codec and checked field by field
 * (procstate_common.h), and the workload checks afterwards that nothing it
 * had pending was consumed. Then hostile arguments, a table of 10000
 * descriptors, the caps, a target killed while it is captured, and the
 * state through `ttrec snapshot` into an image and back. VM only.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/ttrec.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "kmod_common.h"
#include "format/journal.h"
#include "image/image.h"
#include "imgfile.h"
#include "procstate_common.h"
#include "snapcli.h"

#define SIZED(nr, size)	_IOC(_IOC_READ | _IOC_WRITE, TTREC_IOC_MAGIC, (nr), (size))

/* A state stream of snapshot @fd (@cmd: PROC or FDS) into *@out; -errno. */
static int snap_stream(int fd, unsigned long cmd, uint8_t **out, size_t *len,
		       struct ttrec_snap_fds_args *fa)
{
	struct ttrec_snap_fds_args a;	/* PROC's struct is its prefix */
	uint8_t *b;
	int n;

	memset(&a, 0, sizeof(a));
	if (ioctl(fd, cmd, &a) < 0)
		return -errno;
	b = malloc(a.needed + 1);
	if (!b)
		return -ENOMEM;
	a.buf = (uintptr_t)b;
	a.size = a.needed;
	n = a.size ? ioctl(fd, cmd, &a) : 0;
	if (n < 0 || (uint64_t)n != a.needed) {
		n = n < 0 ? -errno : -EIO;
		free(b);
		return n;
	}
	*out = b;
	*len = n;
	if (fa)
		*fa = a;
	return 0;
}

static int snap_threads(int fd, uint32_t flags, uint8_t **out, size_t *len)
{
	struct ttrec_snap_threads_args a = { .flags = flags };
	uint8_t *b;
	int n;

	if (ioctl(fd, TTREC_IOC_SNAP_THREADS, &a) < 0)
		return -errno;
	b = malloc(a.needed + 1);
	if (!b)
		return -ENOMEM;
	n = a.needed;
	memset(&a, 0, sizeof(a));
	a.flags = flags;
	a.buf = (uintptr_t)b;
	a.size = n;
	n = ioctl(fd, TTREC_IOC_SNAP_THREADS, &a);
	if (n < 0) {
		n = -errno;
		free(b);
		return n;
	}
	*out = b;
	*len = n;
	return 0;
}

/* All of a snapshot's state, decoded; NULL on failure (logged). */
struct snapstate {
	uint8_t *proc, *fds, *threads;
	size_t proc_len, fds_len, threads_len;
	struct ttrec_snap_fds_args fa;
	struct img_state *st;
	const char *why;
	int err;
};

static void snapstate_free(struct snapstate *s)
{
	free(s->proc);
	free(s->fds);
	free(s->threads);
	state_free(s->st);
	memset(s, 0, sizeof(*s));
}

static int snapstate_read(int snapfd, struct snapstate *s)
{
	memset(s, 0, sizeof(*s));
	s->why = "ioctl";
	s->err = snap_stream(snapfd, TTREC_IOC_SNAP_PROC, &s->proc, &s->proc_len, NULL);
	if (!s->err)
		s->err = snap_stream(snapfd, TTREC_IOC_SNAP_FDS, &s->fds, &s->fds_len, &s->fa);
	if (!s->err)
		s->err = snap_threads(snapfd, TTREC_SNAP_THREADS_STATE, &s->threads,
				      &s->threads_len);
	if (!s->err)
		s->err = state_decode(s->proc, s->proc_len, s->fds, s->fds_len, s->fa.nr_fds,
				      s->fa.total, s->fa.state, s->threads, s->threads_len,
				      &s->st, &s->why);
	return s->err;
}

/* A snapshot of @pid through a fresh session; the snapshot fd or -errno. */
static int take_snapshot(pid_t pid)
{
	int sfd = ttrec_attach(-1, pid, 0), fd;

	if (sfd < 0)
		return -errno;
	fd = ttrec_snapshot(sfd, NULL);
	if (fd < 0)
		fd = -errno;
	close(sfd);
	return fd;
}

/* ------------------------------------------------------------ many fds */

#define MANY_PIPES	2000		/* 4000 descriptors, a byte in each pipe */
#define MANY_EVENTFDS	3000
#define MANY_NULLS	3000
#define MANY_FDS	(2 * MANY_PIPES + MANY_EVENTFDS + MANY_NULLS)

/*
 * A child with MANY_FDS more descriptors (from 3 up, in order: pipes,
 * eventfds, /dev/null), blocked in read() on its own pipe. *@go releases
 * it (close it). Returns its pid.
 */
static pid_t many_fds_child(int *go)
{
	int ctl[2], rdy[2], i;
	pid_t pid;
	char c;

	if (pipe2(ctl, O_CLOEXEC) || pipe2(rdy, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct rlimit rl = { MANY_FDS + 1000, MANY_FDS + 1000 };
		int p[2], keep;

		close(ctl[1]);
		close(rdy[0]);
		if (setrlimit(RLIMIT_NOFILE, &rl))
			_exit(20);
		/* the control pipe out of the way, above the numbers in use */
		keep = fcntl(ctl[0], F_DUPFD_CLOEXEC, MANY_FDS + 100);
		close(ctl[0]);
		i = fcntl(rdy[1], F_DUPFD_CLOEXEC, MANY_FDS + 100);
		close(rdy[1]);
		rdy[1] = i;
		for (i = 0; i < MANY_PIPES; i++)
			if (pipe(p) || write(p[1], "x", 1) != 1)
				_exit(21);
		for (i = 0; i < MANY_EVENTFDS; i++)
			if (eventfd(i, 0) < 0)
				_exit(22);
		for (i = 0; i < MANY_NULLS; i++)
			if (open("/dev/null", O_RDONLY) < 0)
				_exit(23);
		close(rdy[1]);
		if (read(keep, &c, 1) < 0)
			_exit(24);
		_exit(0);
	}
	close(ctl[0]);
	close(rdy[1]);
	if (read(rdy[0], &c, 1) != 0)
		pid = -1;
	close(rdy[0]);
	*go = ctl[1];
	return pid;
}

static char param_old[64];

static void param_save(const char *name)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	param_old[0] = 0;
	f = fopen(path, "r");
	if (f) {
		if (!fgets(param_old, sizeof(param_old), f))
			param_old[0] = 0;
		param_old[strcspn(param_old, "\n")] = 0;
		fclose(f);
	}
}

/* ---------------------------------------------------------------- tests */

TEST(feature_reported)
{
	struct ttrec_api api = { .api = TTREC_API };
	int dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, ioctl(dev, TTREC_IOC_GET_API, &api));
	EXPECT_NE(0, api.features & TTREC_FEATURE_SNAP_STATE);
	/* requiring it works */
	memset(&api, 0, sizeof(api));
	api.api = TTREC_API;
	api.features = TTREC_FEATURE_SNAP_STATE;
	EXPECT_EQ(0, ioctl(dev, TTREC_IOC_GET_API, &api));
	close(dev);
}

FIXTURE(ps) {
	struct ps w;
	struct snapstate s;
	int snapfd;
};

FIXTURE_SETUP(ps)
{
	self->snapfd = -1;
	ASSERT_EQ(0, ps_start(&self->w));
	self->snapfd = take_snapshot(self->w.pid);
	ASSERT_LE(0, self->snapfd) TH_LOG("snapshot: %s", strerror(-self->snapfd));
}

FIXTURE_TEARDOWN(ps)
{
	if (self->snapfd >= 0)
		close(self->snapfd);
	snapstate_free(&self->s);
	ps_stop(&self->w);
}

TEST_F(ps, state_matches_the_workload)
{
	ASSERT_EQ(0, snapstate_read(self->snapfd, &self->s)) TH_LOG("%s: %s", self->s.why,
								 strerror(-self->s.err));
	ps_check_state(_metadata, &self->w, self->s.st, false);
	/* the process stream starts with TTREC_NT_PROC and counts its notes */
	{
		struct ttrec_snap_proc_args a = { 0 };
		struct ttrec_snap_note n;

		ASSERT_EQ(0, ioctl(self->snapfd, TTREC_IOC_SNAP_PROC, &a));
		EXPECT_EQ(self->s.proc_len, a.needed);
		/* PROC, SIGACTIONS, AUXV, GROUPS (if any), EXE, CWD, ROOT, a
		 * SIGINFO, two POSIX_TIMERs */
		EXPECT_EQ(9 + (self->s.st->proc.nr_groups ? 1 : 0), a.nr_notes);
		memcpy(&n, self->s.proc, sizeof(n));
		EXPECT_EQ(TTREC_NT_PROC, n.type);
		EXPECT_EQ(TTREC_SNAP_PROC_SIZE_VER0, n.size);
	}
	/* nothing was consumed: signals still pending, the pipe still full */
	EXPECT_EQ(0, ps_check_self(&self->w));
}

TEST_F(ps, threads_without_the_flag_are_as_before)
{
	uint8_t *plain, *full;
	size_t plain_len, full_len, off = 0;

	ASSERT_EQ(0, snap_threads(self->snapfd, 0, &plain, &plain_len));
	ASSERT_EQ(0, snap_threads(self->snapfd, TTREC_SNAP_THREADS_STATE, &full, &full_len));
	EXPECT_LT(plain_len, full_len);
	while (off < plain_len) {
		struct ttrec_snap_thread t;
		size_t k = sizeof(t);
		uint32_t i;

		memcpy(&t, plain + off, sizeof(t));
		for (i = 0; i < t.nr_notes; i++) {
			struct ttrec_snap_note n;

			memcpy(&n, plain + off + k, sizeof(n));
			EXPECT_GT(0x10000, n.type);	/* register notes only */
			k += sizeof(n) + ((n.size + 7) & ~7U);
		}
		EXPECT_EQ(t.size, k);
		off += t.size;
	}
	free(plain);
	free(full);
}

TEST_F(ps, state_outlives_the_target)
{
	kill(self->w.pid, SIGKILL);
	waitpid(self->w.pid, NULL, 0);
	self->w.pid = 0;
	ASSERT_EQ(0, snapstate_read(self->snapfd, &self->s));
	EXPECT_EQ(2, self->s.st->nr_threads);
	EXPECT_STREQ(MAIN_NAME, (const char *)self->s.st->proc.p.comm);
}

TEST_F(ps, hostile_arguments)
{
	struct {
		struct ttrec_snap_fds_args a;
		uint64_t tail[4];
	} big;
	struct ttrec_snap_proc_args pa;
	struct ttrec_snap_fds_args fa;
	struct ttrec_snap_threads_args ta;
	char small[16];
	int sfd, dev;

	/* unknown flags */
	memset(&pa, 0, sizeof(pa));
	pa.flags = 1;
	EXPECT_EQ(-1, ioctl(self->snapfd, TTREC_IOC_SNAP_PROC, &pa));
	EXPECT_EQ(EINVAL, errno);
	memset(&fa, 0, sizeof(fa));
	fa.flags = 0x80000000;
	EXPECT_EQ(-1, ioctl(self->snapfd, TTREC_IOC_SNAP_FDS, &fa));
	EXPECT_EQ(EINVAL, errno);
	memset(&ta, 0, sizeof(ta));
	ta.flags = TTREC_SNAP_THREADS_STATE << 1;
	EXPECT_EQ(-1, ioctl(self->snapfd, TTREC_IOC_SNAP_THREADS, &ta));
	EXPECT_EQ(EINVAL, errno);
	/* a struct shorter than the first version */
	memset(small, 0, sizeof(small));
	EXPECT_EQ(-1, ioctl(self->snapfd, SIZED(_TTREC_SNAP_PROC, sizeof(small)), small));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->snapfd, SIZED(_TTREC_SNAP_FDS, sizeof(small)), small));
	EXPECT_EQ(EINVAL, errno);
	/* a longer one: a zero tail is fine, a non-zero one E2BIG */
	memset(&big, 0, sizeof(big));
	EXPECT_EQ(0, ioctl(self->snapfd, SIZED(_TTREC_SNAP_FDS, sizeof(big)), &big));
	EXPECT_LT(0, big.a.needed);
	EXPECT_EQ(0, big.tail[0]);
	memset(&big, 0, sizeof(big));
	big.tail[3] = 1;
	EXPECT_EQ(-1, ioctl(self->snapfd, SIZED(_TTREC_SNAP_FDS, sizeof(big)), &big));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, ioctl(self->snapfd, SIZED(_TTREC_SNAP_PROC, sizeof(big)), &big));
	EXPECT_EQ(E2BIG, errno);
	/* the wrong direction */
	EXPECT_EQ(-1, ioctl(self->snapfd, _IOW(TTREC_IOC_MAGIC, _TTREC_SNAP_FDS,
					       struct ttrec_snap_fds_args), &fa));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->snapfd, _IOR(TTREC_IOC_MAGIC, _TTREC_SNAP_PROC,
					       struct ttrec_snap_proc_args), &pa));
	EXPECT_EQ(ENOTTY, errno);
	/* a buffer too small: ENOSPC, with the size to use */
	memset(&fa, 0, sizeof(fa));
	fa.buf = (uintptr_t)small;
	fa.size = sizeof(small);
	EXPECT_EQ(-1, ioctl(self->snapfd, TTREC_IOC_SNAP_FDS, &fa));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_LT(sizeof(small), fa.needed);
	EXPECT_LT(20, fa.nr_fds);
	/* bad pointers: EFAULT, and the module is fine */
	memset(&pa, 0, sizeof(pa));
	pa.buf = 16;
	pa.size = 1 << 20;
	EXPECT_EQ(-1, ioctl(self->snapfd, TTREC_IOC_SNAP_PROC, &pa));
	EXPECT_EQ(EFAULT, errno);
	memset(&fa, 0, sizeof(fa));
	fa.buf = (uintptr_t)-4096;
	fa.size = 1 << 20;
	EXPECT_EQ(-1, ioctl(self->snapfd, TTREC_IOC_SNAP_FDS, &fa));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->snapfd, TTREC_IOC_SNAP_FDS, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	memset(&ta, 0, sizeof(ta));
	ta.flags = TTREC_SNAP_THREADS_STATE;
	ta.buf = 16;
	ta.size = 1 << 20;
	EXPECT_EQ(-1, ioctl(self->snapfd, TTREC_IOC_SNAP_THREADS, &ta));
	EXPECT_EQ(EFAULT, errno);
	/* the out fields are ignored on input */
	memset(&fa, 0, sizeof(fa));
	fa.nr_fds = 12345;
	fa.needed = 1;
	fa.total = 7;
	fa.state = 0xffffffff;
	EXPECT_EQ(0, ioctl(self->snapfd, TTREC_IOC_SNAP_FDS, &fa));
	EXPECT_EQ(0, fa.state);
	/* still whole */
	ASSERT_EQ(0, snapstate_read(self->snapfd, &self->s));
	/* on a session fd and on /dev/ttrec these are not commands */
	sfd = ttrec_attach(-1, self->w.pid, 0);
	dev = open(TTREC_DEV, O_RDWR);
	ASSERT_LE(0, sfd);
	ASSERT_LE(0, dev);
	memset(&fa, 0, sizeof(fa));
	EXPECT_EQ(-1, ioctl(sfd, TTREC_IOC_SNAP_FDS, &fa));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(dev, TTREC_IOC_SNAP_PROC, &pa));
	EXPECT_EQ(ENOTTY, errno);
	close(sfd);
	close(dev);
}

TEST(ten_thousand_fds)
{
	struct snapstate s;
	struct ttrec_snap_info info;
	int go, fd, i, expect;
	uint32_t pipes = 0, eventfds = 0, nulls = 0, data = 0;
	pid_t pid = many_fds_child(&go);

	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ps_wait_sleeping(pid, pid));
	fd = take_snapshot(pid);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ASSERT_EQ(0, snapstate_read(fd, &s)) TH_LOG("%s", s.why);
	ASSERT_EQ(0, ttrec_snap_info(fd, &info));
	TH_LOG("pause with %u descriptors: %.3f ms", s.st->nr_fds, info.pause_ns / 1e6);
	expect = ps_count_fds(pid);
	EXPECT_EQ(expect, s.st->nr_fds);
	EXPECT_EQ(expect, s.st->fds_total);
	EXPECT_EQ(0, s.st->fds_state);
	for (i = 0; i < (int)s.st->nr_fds; i++) {
		const struct img_fd *f = &s.st->fds[i];

		if (i)
			EXPECT_LT(s.st->fds[i - 1].h.fd, f->h.fd);
		if (f->h.kind == TTREC_FD_PIPE && f->pipe.bytes == 1) {
			/* the child's: a byte in each */
			pipes++;
			if (f->has & IMG_FD_HAS_PIPE_DATA) {
				data++;
				EXPECT_EQ(1, f->pipe_data_len);
				EXPECT_EQ('x', f->pipe_data[0]);
				EXPECT_EQ(f->h.fd, f->pipe.data_fd);
			} else {
				EXPECT_EQ(f->h.fd - 1, f->pipe.data_fd);
			}
		} else if (f->h.kind == TTREC_FD_EVENTFD) {
			EXPECT_EQ(eventfds, f->eventfd.count);
			eventfds++;
		} else if (f->h.kind == TTREC_FD_CHR) {
			nulls++;
		}
	}
	EXPECT_EQ(2 * MANY_PIPES, pipes);
	EXPECT_EQ(MANY_PIPES, data);
	EXPECT_EQ(MANY_EVENTFDS, eventfds);
	EXPECT_LE(MANY_NULLS, nulls);
	snapstate_free(&s);
	close(fd);
	close(go);
	waitpid(pid, NULL, 0);
}

TEST(fd_cap_and_data_budget_truncate)
{
	struct snapstate s;
	uint64_t kept = 0, cut = 0;
	int go, fd, i;
	pid_t pid = many_fds_child(&go);

	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ps_wait_sleeping(pid, pid));
	param_save("max_snapshot_fds");
	ASSERT_EQ(0, write_param("max_snapshot_fds", "1000"));
	fd = take_snapshot(pid);
	ASSERT_EQ(0, write_param("max_snapshot_fds", param_old[0] ? param_old : "65536"));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, snapstate_read(fd, &s)) TH_LOG("%s", s.why);
	EXPECT_EQ(1000, s.st->nr_fds);
	EXPECT_EQ(ps_count_fds(pid), s.st->fds_total);
	EXPECT_EQ(TTREC_FDS_TRUNCATED, s.st->fds_state);
	/* the lowest ones: the child's pipes start at 3 at the latest */
	EXPECT_GE(3, s.st->fds[0].h.fd);
	for (i = 1; i < 1000; i++)
		EXPECT_EQ(s.st->fds[i - 1].h.fd + 1, s.st->fds[i].h.fd);
	snapstate_free(&s);
	close(fd);

	/* 100 bytes of data: 100 pipes get their byte, then truncation */
	param_save("max_snapshot_fd_data");
	ASSERT_EQ(0, write_param("max_snapshot_fd_data", "100"));
	fd = take_snapshot(pid);
	ASSERT_EQ(0, write_param("max_snapshot_fd_data",
				 param_old[0] ? param_old : "67108864"));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, snapstate_read(fd, &s)) TH_LOG("%s", s.why);
	EXPECT_EQ(TTREC_FDS_DATA_TRUNCATED, s.st->fds_state);
	for (i = 0; i < (int)s.st->nr_fds; i++) {
		const struct img_fd *f = &s.st->fds[i];

		if (!(f->has & IMG_FD_HAS_PIPE_DATA))
			continue;
		kept += f->pipe_data_len;
		if (f->pipe_data_len == f->pipe.bytes) {
			EXPECT_EQ(0, f->h.flags & TTREC_FDF_TRUNCATED);
			EXPECT_EQ(0, f->pipe.flags & TTREC_PIPE_DATA_TRUNCATED);
		} else {
			cut++;
			EXPECT_NE(0, f->pipe.flags & TTREC_PIPE_DATA_TRUNCATED);
			EXPECT_NE(0, f->h.flags & TTREC_FDF_TRUNCATED);
		}
	}
	/* the budget, spent to the byte, and most of the pipes left out */
	EXPECT_EQ(100, kept);
	EXPECT_LE(MANY_PIPES - 100, cut);
	snapstate_free(&s);
	close(fd);
	close(go);
	waitpid(pid, NULL, 0);
}

struct killer {
	pid_t pid;
	useconds_t delay;
};

static void *kill_later(void *arg)
{
	struct killer *k = arg;

	usleep(k->delay);
	kill(k->pid, SIGKILL);
	return NULL;
}

TEST(target_killed_during_capture)
{
	int round, ok = 0, failed = 0;

	for (round = 0; round < 12; round++) {
		struct killer k;
		pthread_t th;
		int go, sfd, fd;

		k.pid = many_fds_child(&go);
		ASSERT_LT(0, k.pid);
		ASSERT_EQ(0, ps_wait_sleeping(k.pid, k.pid));
		sfd = ttrec_attach(-1, k.pid, 0);
		ASSERT_LE(0, sfd);
		/* from at once to after the ~90 ms a capture takes in the VM */
		k.delay = round * 15000;
		ASSERT_EQ(0, pthread_create(&th, NULL, kill_later, &k));
		fd = ttrec_snapshot(sfd, NULL);
		if (fd >= 0) {
			struct snapstate s;

			/* whole, whatever state it caught */
			EXPECT_EQ(0, snapstate_read(fd, &s)) TH_LOG("%s", s.why);
			snapstate_free(&s);
			close(fd);
			ok++;
		} else {
			EXPECT_TRUE(errno == ESRCH || errno == EAGAIN) TH_LOG("%s", strerror(errno));
			failed++;
		}
		pthread_join(th, NULL);
		waitpid(k.pid, NULL, 0);
		/* gone now */
		EXPECT_EQ(-1, ttrec_snapshot(sfd, NULL));
		EXPECT_EQ(ESRCH, errno);
		close(sfd);
		close(go);
	}
	TH_LOG("%d snapshots before the kill, %d failed by it", ok, failed);
}

TEST_F(ps, image_holds_the_same_state)
{
	char img[256];
	struct cmd_out c;
	struct img *im;
	const struct img_state *st;
	uint32_t n;

	snprintf(img, sizeof(img), "%s/a.img", self->w.dir);
	ASSERT_EQ(0, sh(&c, "%s snapshot %d -o %s -q", ttrec_bin, self->w.pid, img));
	ASSERT_EQ(0, c.status) TH_LOG("%s", c.err);
	cmd_out_free(&c);
	ASSERT_EQ(0, img_open(img, &im));
	EXPECT_EQ(IMG_FORMAT_VERSION, im->h.version);
	EXPECT_NE(0, im->h.flags & IMG_F_STATE);
	st = img_state(im);
	ASSERT_NE(NULL, st);
	ps_check_state(_metadata, &self->w, st, false);
	ASSERT_NE(NULL, img_fds(im, &n));
	EXPECT_EQ(st->nr_fds, n);
	ASSERT_NE(NULL, img_thread_state(im, self->w.worker_tid));
	EXPECT_EQ(NULL, img_thread_state(im, 1));
	img_close(im);

	/* info summarises it, dump --state prints it all */
	ASSERT_EQ(0, sh(&c, "%s info %s", ttrec_bin, img));
	EXPECT_EQ(0, c.status);
	EXPECT_NE(NULL, strstr(c.out, "state: ")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "pipe")) TH_LOG("%s", c.out);
	cmd_out_free(&c);
	ASSERT_EQ(0, sh(&c, "%s dump %s --state", ttrec_bin, img));
	EXPECT_EQ(0, c.status) TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.out, "SIGUSR1")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, MEMFD_NAME)) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "epoll")) TH_LOG("%s", c.out);
	cmd_out_free(&c);
	EXPECT_EQ(0, ps_check_self(&self->w));
}

TEST_F(ps, corrupt_state_sections_are_refused)
{
	char img[256], bad[300];
	struct imgfile f;
	struct cmd_out c;
	struct img *im;
	uint8_t *raw;
	uint64_t off;
	size_t len;

	snprintf(img, sizeof(img), "%s/a.img", self->w.dir);
	snprintf(bad, sizeof(bad), "%s/bad.img", self->w.dir);
	ASSERT_EQ(0, sh(&c, "%s snapshot %d -o %s -q", ttrec_bin, self->w.pid, img));
	ASSERT_EQ(0, c.status) TH_LOG("%s", c.err);
	cmd_out_free(&c);

	/* a damaged byte: the checksum says so */
	ASSERT_EQ(0, imgfile_load(img, &f));
	off = imgfile_find(&f, IMG_SEC_FDS);
	ASSERT_NE(0, off);
	f.p[off + sizeof(struct img_section_header) + 3] ^= 0x40;
	ASSERT_EQ(0, imgfile_save(bad, &f));
	imgfile_free(&f);
	EXPECT_EQ(-EBADMSG, img_open(bad, &im));
	ASSERT_EQ(0, sh(&c, "%s info %s", ttrec_bin, bad));
	EXPECT_EQ(1, c.status);
	EXPECT_NE(NULL, strstr(c.err, "descriptors section")) TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.err, "checksum")) TH_LOG("%s", c.err);
	cmd_out_free(&c);

	/* a well-checksummed stream whose note overruns it */
	ASSERT_EQ(0, imgfile_load(img, &f));
	raw = imgfile_payload(&f, imgfile_find(&f, IMG_SEC_PROC), &len);
	ASSERT_NE(NULL, raw);
	raw[7] = 0x7f;			/* the TTREC_NT_PROC note's size */
	imgfile_replace(&f, IMG_SEC_PROC, raw, len);
	free(raw);
	ASSERT_EQ(0, imgfile_save(bad, &f));
	imgfile_free(&f);
	EXPECT_EQ(-EBADMSG, img_open(bad, &im));
	ASSERT_EQ(0, sh(&c, "%s dump %s --state", ttrec_bin, bad));
	EXPECT_EQ(1, c.status);
	EXPECT_NE(NULL, strstr(c.err, "corrupt image: process state: a note overruns what holds it"))
		TH_LOG("%s", c.err);
	cmd_out_free(&c);

	/* a descriptor count in the header that the stream does not have */
	ASSERT_EQ(0, imgfile_load(img, &f));
	f.h.nr_fds++;
	f.h.fds_total++;
	ASSERT_EQ(0, imgfile_save(bad, &f));
	imgfile_free(&f);
	ASSERT_EQ(0, sh(&c, "%s info %s", ttrec_bin, bad));
	EXPECT_EQ(1, c.status);
	EXPECT_NE(NULL, strstr(c.err, "fewer descriptor records than the header says"))
		TH_LOG("%s", c.err);
	cmd_out_free(&c);

	/* the state flag without the sections */
	ASSERT_EQ(0, imgfile_load(img, &f));
	imgfile_replace(&f, IMG_SEC_FDS, NULL, 0);
	ASSERT_EQ(0, imgfile_save(bad, &f));
	imgfile_free(&f);
	ASSERT_EQ(0, sh(&c, "%s info %s", ttrec_bin, bad));
	EXPECT_EQ(1, c.status);
	EXPECT_NE(NULL, strstr(c.err, "state sections do not match the state flag"))
		TH_LOG("%s", c.err);
	cmd_out_free(&c);
}

TEST_F(ps, version_1_images_stay_readable)
{
	char img[256], old[300];
	struct imgfile f;
	struct cmd_out c;
	struct img *im;

	snprintf(img, sizeof(img), "%s/a.img", self->w.dir);
	snprintf(old, sizeof(old), "%s/v1.img", self->w.dir);
	ASSERT_EQ(0, sh(&c, "%s snapshot %d -o %s -q", ttrec_bin, self->w.pid, img));
	ASSERT_EQ(0, c.status) TH_LOG("%s", c.err);
	cmd_out_free(&c);
	/* what a version 1 writer wrote: no state sections, no flag */
	ASSERT_EQ(0, imgfile_load(img, &f));
	imgfile_make_v1(&f);
	ASSERT_EQ(0, imgfile_save(old, &f));
	imgfile_free(&f);
	ASSERT_EQ(0, img_open(old, &im));
	EXPECT_EQ(NULL, img_state(im));
	EXPECT_EQ(NULL, img_thread_state(im, self->w.pid));
	img_close(im);
	ASSERT_EQ(0, sh(&c, "%s info %s", ttrec_bin, old));
	EXPECT_EQ(0, c.status) TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.out, "state: none (a format version 1 image); the image cannot be restored"))
		TH_LOG("%s", c.out);
	cmd_out_free(&c);
	ASSERT_EQ(0, sh(&c, "%s dump %s", ttrec_bin, old));
	EXPECT_EQ(0, c.status) TH_LOG("%s", c.err);
	cmd_out_free(&c);
	/* the flag in a version 1 image is refused */
	ASSERT_EQ(0, imgfile_load(img, &f));
	f.h.version = 1;
	ASSERT_EQ(0, imgfile_save(old, &f));
	imgfile_free(&f);
	EXPECT_EQ(-EBADMSG, img_open(old, &im));
}

TEST_HARNESS_MAIN
