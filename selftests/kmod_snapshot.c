// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec.ko: TTREC_IOC_SNAPSHOT and snapshot fds. A forked workload writes
 * known patterns, is snapshotted, overwrites them and checks its own
 * memory; the snapshot must still read the old bytes and /proc/PID/mem the
 * new ones. Runs as root in the test VM with ttrec.ko loaded.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/io_uring.h>
#include <linux/ttrec.h>

/* The harness compares int literals with unsigned fields. */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "kmod_common.h"

#define PAGE		4096UL
#define ANON_SIZE	(64 * PAGE)
#define HEAP_SIZE	(16 * PAGE)
#define STACK_SIZE	(2 * PAGE)
#define SHARED_SIZE	(16 * PAGE)
#define FILE_SIZE	(2 * PAGE)
#define THP_SIZE	(2UL << 20)
#define SPARSE_PAGES	1024		/* pages 3, 4 and 700 written */
#define NR_THREADS	8

#define SNAPSHOT_SIZED(size) _IOC(_IOC_READ | _IOC_WRITE, TTREC_IOC_MAGIC, \
				  _TTREC_SNAPSHOT, (size))

/* ---------------------------------------------------------------- workload */

/* What the workload tells the test, through a pipe. */
struct layout {
	uint64_t anon, heap, stack, shared, file, thp;
	uint64_t pinned;
	int thp_ok;
	int pinned_ok;
	uint64_t thread_pages;		/* NR_THREADS pages, one per thread */
	uint64_t vdso, vdso_len;	/* [vdso], from AT_SYSINFO_EHDR and maps */
	uint64_t vdso_digest;		/* of the bytes the workload reads there */
	uint64_t sparse;		/* SPARSE_PAGES, 3 of them populated */
};

enum {
	W_ANON = 1 << 0,
	W_THREADS = 1 << 1,
	W_SHARED = 1 << 2,
	W_FILE = 1 << 3,
	W_THP = 1 << 4,
	W_PINNED = 1 << 5,
	W_SPARSE = 1 << 6,
};

struct workload {
	pid_t pid;
	int cmd;		/* write end: commands */
	int reply;		/* read end: replies */
	struct layout l;
};

static volatile int thread_stop;
static unsigned char *thread_pages;

static void *spinner(void *arg)
{
	unsigned char *p = thread_pages + (uintptr_t)arg * PAGE;
	unsigned char v = 0;

	while (!thread_stop)
		memset(p, ++v, PAGE);
	return NULL;
}

static void fill(uint64_t addr, size_t len, unsigned char seed)
{
	unsigned char *p = (unsigned char *)(uintptr_t)addr;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed + i * 7 + i / PAGE);
}

static int check(const unsigned char *p, size_t len, unsigned char seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(seed + i * 7 + i / PAGE))
			return -1;
	return 0;
}

/* FNV-1a, 64 bits. */
static uint64_t digest(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* The [vdso] or [vvar] VMA of @pid from /proc/PID/maps: 0, or -1. */
static int find_mapping(pid_t pid, const char *name, uint64_t *start,
			uint64_t *end)
{
	char path[64], line[512];
	int ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (strstr(line, name) && sscanf(line, "%lx-%lx", &s, &e) == 2) {
			*start = s;
			*end = e;
			ret = 0;
		}
	}
	fclose(f);
	return ret;
}

static int thp_backed(uint64_t addr)
{
	char line[256], perms[8];
	int in = 0, kb = 0, found = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) == 3)
			in = s <= addr && addr < e;
		else if (in && sscanf(line, "AnonHugePages: %d kB", &kb) == 1)
			found = kb >= 2048;
	}
	fclose(f);
	return found;
}

/* io_uring registered buffers: pages pinned with FOLL_PIN. */
static int pin_page(void *addr)
{
	struct io_uring_params p;
	struct iovec iov = { .iov_base = addr, .iov_len = PAGE };
	int fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0)
		return -1;
	if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS,
		    &iov, 1)) {
		close(fd);
		return -1;
	}
	return fd;		/* kept open: the pin lasts */
}

static void workload_main(int cmd, int reply, int what)
{
	unsigned char stack[STACK_SIZE] __attribute__((aligned(4096)));
	struct layout l;
	pthread_t th[NR_THREADS];
	unsigned char *heap, *shared, *file = NULL, *thp = NULL, *raw;
	char c, ok;
	int i, fd;

	memset(&l, 0, sizeof(l));
	raw = mmap(NULL, ANON_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(raw, ANON_SIZE, MADV_NOHUGEPAGE);
	heap = malloc(HEAP_SIZE);
	shared = mmap(NULL, SHARED_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED || !heap || shared == MAP_FAILED)
		_exit(10);
	l.anon = (uintptr_t)raw;
	l.heap = (uintptr_t)heap;
	l.stack = (uintptr_t)stack;
	l.shared = (uintptr_t)shared;
	l.vdso = getauxval(AT_SYSINFO_EHDR);
	if (l.vdso) {
		uint64_t s, e;

		/* Its bytes as the workload itself sees them. */
		if (find_mapping(getpid(), "[vdso]", &s, &e) || s != l.vdso)
			_exit(18);
		l.vdso_len = e - s;
		l.vdso_digest = digest((void *)(uintptr_t)s, l.vdso_len);
	}
	fill(l.anon, ANON_SIZE, 1);
	fill(l.heap, HEAP_SIZE, 2);
	fill(l.stack, STACK_SIZE, 3);
	fill(l.shared, SHARED_SIZE, 4);

	if (what & W_FILE) {
		char path[] = "/tmp/ttrec-snap-XXXXXX";

		fd = mkstemp(path);
		if (fd < 0 || ftruncate(fd, FILE_SIZE))
			_exit(11);
		unlink(path);
		file = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE, fd, 0);
		if (file == MAP_FAILED)
			_exit(12);
		close(fd);
		l.file = (uintptr_t)file;
		fill(l.file, PAGE, 5);		/* only the first page */
	}
	if (what & W_THP) {
		raw = mmap(NULL, 2 * THP_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (raw == MAP_FAILED)
			_exit(13);
		thp = (unsigned char *)(((uintptr_t)raw + THP_SIZE - 1) &
					~(THP_SIZE - 1));
		madvise(thp, THP_SIZE, MADV_HUGEPAGE);
		l.thp = (uintptr_t)thp;
		fill(l.thp, THP_SIZE, 6);
		l.thp_ok = thp_backed(l.thp);
	}
	if (what & W_PINNED) {
		l.pinned = l.anon + 8 * PAGE;
		l.pinned_ok = pin_page((void *)(uintptr_t)l.pinned) >= 0;
	}
	if (what & W_SPARSE) {
		raw = mmap(NULL, SPARSE_PAGES * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (raw == MAP_FAILED)
			_exit(19);
		madvise(raw, SPARSE_PAGES * PAGE, MADV_NOHUGEPAGE);
		l.sparse = (uintptr_t)raw;
		fill(l.sparse + 3 * PAGE, 2 * PAGE, 7);
		fill(l.sparse + 700 * PAGE, PAGE, 8);
	}
	if (what & W_THREADS) {
		thread_pages = mmap(NULL, NR_THREADS * PAGE,
				    PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (thread_pages == MAP_FAILED)
			_exit(14);
		l.thread_pages = (uintptr_t)thread_pages;
		for (i = 0; i < NR_THREADS; i++)
			if (pthread_create(&th[i], NULL, spinner,
					   (void *)(uintptr_t)i))
				_exit(15);
	}

	if (write(reply, &l, sizeof(l)) != sizeof(l))
		_exit(16);
	for (;;) {
		if (read(cmd, &c, 1) != 1)
			_exit(0);
		ok = 'y';
		switch (c) {
		case 'w':	/* overwrite everything, verify */
			fill(l.anon, ANON_SIZE, 101);
			fill(l.heap, HEAP_SIZE, 102);
			fill(l.stack, STACK_SIZE, 103);
			fill(l.shared, SHARED_SIZE, 104);
			if (file)
				fill(l.file, FILE_SIZE, 105);
			if (thp)
				fill(l.thp, THP_SIZE, 106);
			if (check((void *)(uintptr_t)l.anon, ANON_SIZE, 101) ||
			    check((void *)(uintptr_t)l.heap, HEAP_SIZE, 102) ||
			    check(stack, STACK_SIZE, 103) ||
			    check((void *)(uintptr_t)l.shared, SHARED_SIZE, 104) ||
			    (file && check(file, FILE_SIZE, 105)) ||
			    (thp && check(thp, THP_SIZE, 106)))
				ok = 'n';
			break;
		case 'c':	/* still the original contents? */
			if (check((void *)(uintptr_t)l.anon, ANON_SIZE, 1) ||
			    check((void *)(uintptr_t)l.heap, HEAP_SIZE, 2) ||
			    check(stack, STACK_SIZE, 3))
				ok = 'n';
			break;
		case 'f': {	/* fork; both sides overwrite */
			pid_t p = fork();
			int st;

			if (p == 0) {
				fill(l.anon, ANON_SIZE, 111);
				_exit(check((void *)(uintptr_t)l.anon,
					    ANON_SIZE, 111) ? 1 : 0);
			}
			fill(l.anon, ANON_SIZE, 121);
			if (p < 0 || waitpid(p, &st, 0) != p || st ||
			    check((void *)(uintptr_t)l.anon, ANON_SIZE, 121))
				ok = 'n';
			break;
		}
		case 'u':	/* munmap the anon region */
			if (munmap((void *)(uintptr_t)l.anon, ANON_SIZE))
				ok = 'n';
			break;
		case 't':	/* threads still alive and writing? */
			for (i = 0; i < NR_THREADS; i++) {
				unsigned char v = thread_pages[i * PAGE];
				int n;

				for (n = 0; n < 1000000 &&
				     thread_pages[i * PAGE] == v; n++)
					sched_yield();
				if (thread_pages[i * PAGE] == v)
					ok = 'n';
			}
			break;
		}
		if (write(reply, &ok, 1) != 1)
			_exit(17);
	}
}

static int workload_start(struct workload *w, int what)
{
	int c[2], r[2];

	if (pipe(c) || pipe(r))
		return -1;
	w->pid = fork();
	if (w->pid < 0)
		return -1;
	if (w->pid == 0) {
		close(c[1]);
		close(r[0]);
		workload_main(c[0], r[1], what);
		_exit(0);
	}
	close(c[0]);
	close(r[1]);
	w->cmd = c[1];
	w->reply = r[0];
	if (read(w->reply, &w->l, sizeof(w->l)) != sizeof(w->l))
		return -1;
	return 0;
}

/* Returns 'y' or 'n', or 0 when the workload died. */
static char workload_do(struct workload *w, char c)
{
	char ok = 0;

	if (write(w->cmd, &c, 1) != 1 || read(w->reply, &ok, 1) != 1)
		return 0;
	return ok;
}

static void workload_stop(struct workload *w)
{
	if (w->pid <= 0)
		return;
	kill(w->pid, SIGKILL);
	waitpid(w->pid, NULL, 0);
	close(w->cmd);
	close(w->reply);
	w->pid = 0;
}

/* ---------------------------------------------------------------- helpers */

/* pread the whole range; 0 when it matches the pattern. */
static int snap_check(int snap, uint64_t addr, size_t len, unsigned char seed)
{
	unsigned char *buf = malloc(len);
	int ret;

	if (!buf)
		return -1;
	ret = pread(snap, buf, len, addr) == (ssize_t)len ?
	      check(buf, len, seed) : -2;
	free(buf);
	return ret;
}

static int live_check(pid_t pid, uint64_t addr, size_t len,
		      unsigned char seed)
{
	unsigned char *buf = malloc(len);
	char path[64];
	int fd, ret = -2;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0 && buf && pread(fd, buf, len, addr) == (ssize_t)len)
		ret = check(buf, len, seed);
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

static int get_vmas(int snap, struct ttrec_snap_vma **out)
{
	struct ttrec_snap_vmas_args a;
	struct ttrec_snap_vma *v;
	int n;

	memset(&a, 0, sizeof(a));
	a.entry_size = sizeof(*v);
	if (ioctl(snap, TTREC_IOC_SNAP_VMAS, &a))
		return -1;
	v = calloc(a.total, sizeof(*v));
	a.vmas = (uintptr_t)v;
	a.count = a.total;
	n = ioctl(snap, TTREC_IOC_SNAP_VMAS, &a);
	*out = v;
	return n;
}

static const struct ttrec_snap_vma *vma_at(const struct ttrec_snap_vma *v,
					   int n, uint64_t addr)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].start <= addr && addr < v[i].end)
			return &v[i];
	return NULL;
}

/* ---------------------------------------------------------------- tests */

FIXTURE(snap) {
	struct workload w;
	int sfd;
};

FIXTURE_SETUP(snap)
{
	memset(&self->w, 0, sizeof(self->w));
	self->sfd = -1;
}

FIXTURE_TEARDOWN(snap)
{
	workload_stop(&self->w);
	if (self->sfd >= 0)
		close(self->sfd);
}

static void start(struct __test_metadata *_metadata,
		  FIXTURE_DATA(snap) *self, int what)
{
	ASSERT_EQ(0, workload_start(&self->w, what));
	ASSERT_EQ(0, wait_blocked_in_read(self->w.pid));
	self->sfd = ttrec_attach(-1, self->w.pid, 0);
	ASSERT_LE(0, self->sfd);
}

TEST_F(snap, old_bytes_in_snapshot_new_bytes_in_process)
{
	struct ttrec_snapshot_args a;
	struct layout *l = &self->w.l;
	int fd;

	start(_metadata, self, W_ANON);
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);
	EXPECT_NE(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	TH_LOG("pause %llu us, %llu shared, %llu copied (shared mappings)",
	       (unsigned long long)a.pause_ns / 1000,
	       (unsigned long long)a.counts.pages_shared,
	       (unsigned long long)a.counts.pages_copied_shared);
	EXPECT_LT(0, a.pause_ns);
	EXPECT_LE((ANON_SIZE + HEAP_SIZE + STACK_SIZE) / PAGE,
		  a.counts.pages_shared);
	EXPECT_LE(SHARED_SIZE / PAGE, a.counts.pages_copied_shared);
	EXPECT_EQ(1, a.nr_threads);

	ASSERT_EQ('y', workload_do(&self->w, 'w'));
	EXPECT_EQ(0, snap_check(fd, l->anon, ANON_SIZE, 1));
	EXPECT_EQ(0, snap_check(fd, l->heap, HEAP_SIZE, 2));
	EXPECT_EQ(0, snap_check(fd, l->stack, STACK_SIZE, 3));
	EXPECT_EQ(0, snap_check(fd, l->shared, SHARED_SIZE, 4));
	EXPECT_EQ(0, live_check(self->w.pid, l->anon, ANON_SIZE, 101));
	EXPECT_EQ(0, live_check(self->w.pid, l->heap, HEAP_SIZE, 102));
	EXPECT_EQ(0, live_check(self->w.pid, l->shared, SHARED_SIZE, 104));
	close(fd);
}

TEST_F(snap, process_unchanged_by_snapshot)
{
	struct ttrec_snapshot_args a;
	int fd, fd2;

	start(_metadata, self, W_ANON);
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);
	fd2 = ttrec_snapshot(self->sfd, &a);	/* pages already shared */
	ASSERT_LE(0, fd2);
	EXPECT_EQ('y', workload_do(&self->w, 'c'));
	close(fd);
	EXPECT_EQ('y', workload_do(&self->w, 'w'));
	EXPECT_EQ(0, snap_check(fd2, self->w.l.anon, ANON_SIZE, 1));
	close(fd2);
	EXPECT_EQ('n', workload_do(&self->w, 'c'));
}

TEST_F(snap, info_vmas_threads)
{
	struct ttrec_snapshot_args a;
	struct ttrec_snap_info info;
	struct ttrec_snap_threads_args ta;
	struct ttrec_snap_vma *v = NULL;
	const struct ttrec_snap_vma *e;
	struct ttrec_snap_thread *th;
	struct ttrec_snap_note *note;
	unsigned char *buf;
	int fd, n, found_prstatus = 0, heap = 0;
	uint32_t i;

	start(_metadata, self, W_ANON | W_FILE);
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);

	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioctl(fd, TTREC_IOC_SNAP_INFO, &info));
	EXPECT_EQ(a.id, info.id);
	EXPECT_EQ(self->w.pid, info.pid);
	EXPECT_EQ(a.nr_vmas, info.nr_vmas);
	EXPECT_EQ(1, info.nr_threads);
	EXPECT_EQ(a.pause_ns, info.pause_ns);
	EXPECT_EQ(0, memcmp(&a.counts, &info.counts, sizeof(a.counts)));
	EXPECT_EQ(a.counts.pages_shared + a.counts.pages_copied_pinned +
		  a.counts.pages_copied_huge + a.counts.pages_copied_shared +
		  a.counts.pages_copied_swap, info.pages_held);

	n = get_vmas(fd, &v);
	ASSERT_EQ(info.nr_vmas, n);
	e = vma_at(v, n, self->w.l.anon);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(PROT_READ | PROT_WRITE, e->prot);
	EXPECT_EQ(TTREC_VMA_CAPTURED, e->flags & (TTREC_VMA_CAPTURED |
		  TTREC_VMA_FILE | TTREC_VMA_SHARED));
	EXPECT_LE(ANON_SIZE / PAGE, e->pages_held);
	e = vma_at(v, n, self->w.l.shared);
	ASSERT_NE(NULL, e);
	EXPECT_NE(0, e->flags & TTREC_VMA_SHARED);
	e = vma_at(v, n, self->w.l.stack);
	ASSERT_NE(NULL, e);
	EXPECT_NE(0, e->flags & TTREC_VMA_STACK);
	for (i = 0; i < (uint32_t)n; i++) {
		struct stat st;

		heap |= !!(v[i].flags & TTREC_VMA_HEAP);
		if (i)
			EXPECT_LE(v[i - 1].end, v[i].start);
		/* The test binary itself: path, dev, ino match. */
		if (v[i].path[0] && strstr((char *)v[i].path, "kmod_snapshot") &&
		    !stat((char *)v[i].path, &st)) {
			EXPECT_EQ(st.st_ino, v[i].ino);
			EXPECT_EQ(st.st_dev, v[i].dev);
		}
	}
	EXPECT_TRUE(heap);
	/* Private file mapping: the written page is held, the other not. */
	e = vma_at(v, n, self->w.l.file);
	ASSERT_NE(NULL, e);
	EXPECT_NE(0, e->flags & TTREC_VMA_FILE);
	EXPECT_EQ(1, e->pages_held);
	EXPECT_EQ(0, snap_check(fd, self->w.l.file, PAGE, 5));
	do {
		char b[16];

		errno = 0;
		EXPECT_EQ(-1, pread(fd, b, sizeof(b), self->w.l.file + PAGE));
		EXPECT_EQ(ENODATA, errno);
		/* Short read at the boundary. */
		EXPECT_EQ(8, pread(fd, b, sizeof(b), self->w.l.file + PAGE - 8));
	} while (0);

	/* Too small: ENOSPC with the total. */
	do {
		struct ttrec_snap_vmas_args va = {
			.entry_size = sizeof(*v), .vmas = (uintptr_t)v,
			.count = 1,
		};

		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, TTREC_IOC_SNAP_VMAS, &va));
		EXPECT_EQ(ENOSPC, errno);
		EXPECT_EQ(n, va.total);
		va.entry_size = 8;
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, TTREC_IOC_SNAP_VMAS, &va));
		EXPECT_EQ(EINVAL, errno);
	} while (0);
	free(v);

	memset(&ta, 0, sizeof(ta));
	ASSERT_EQ(0, ioctl(fd, TTREC_IOC_SNAP_THREADS, &ta));
	EXPECT_EQ(1, ta.nr_threads);
	ASSERT_LT(sizeof(*th), ta.needed);
	buf = calloc(1, ta.needed);
	ta.buf = (uintptr_t)buf;
	ta.size = ta.needed - 1;
	ta.needed = 0;
	ta.nr_threads = 0;
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, TTREC_IOC_SNAP_THREADS, &ta));
	EXPECT_EQ(ENOSPC, errno);
	ta.size = ta.needed;
	ta.needed = 0;
	ta.nr_threads = 0;
	ASSERT_EQ((int)ta.size, ioctl(fd, TTREC_IOC_SNAP_THREADS, &ta));
	th = (void *)buf;
	EXPECT_EQ(ta.size, th->size);
	EXPECT_EQ(self->w.pid, th->tid);
	EXPECT_NE(0, th->flags & TTREC_THREAD_LEADER);
	/* Blocked in read() on the command pipe. */
	EXPECT_NE(0, th->flags & TTREC_THREAD_IN_SYSCALL);
	EXPECT_EQ(SYS_read, th->syscall_nr);
	EXPECT_LE(2, th->nr_notes);
	note = (void *)(th + 1);
	for (i = 0; i < th->nr_notes; i++) {
		TH_LOG("note type %#x size %u", note->type, note->size);
		if (note->type == NT_PRSTATUS) {
			/* struct user_regs_struct: 27 registers */
			unsigned long long *r = (void *)(note + 1);

			EXPECT_EQ(27 * 8, note->size);
			EXPECT_EQ(SYS_read, r[15]);	/* orig_rax */
			EXPECT_NE(0, r[21]);		/* fs_base */
			found_prstatus = 1;
		}
		note = (void *)((char *)(note + 1) + ((note->size + 7) & ~7U));
	}
	EXPECT_TRUE(found_prstatus);
	free(buf);
	close(fd);
}

TEST_F(snap, many_threads_parked_and_released)
{
	struct ttrec_snapshot_args a;
	int fd, fd2;

	start(_metadata, self, W_THREADS);
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);
	TH_LOG("%u threads, pause %llu us", a.nr_threads,
	       (unsigned long long)a.pause_ns / 1000);
	EXPECT_EQ(NR_THREADS + 1, a.nr_threads);
	fd2 = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(NR_THREADS + 1, a.nr_threads);
	EXPECT_EQ('y', workload_do(&self->w, 't'));
	EXPECT_EQ('y', workload_do(&self->w, 'w'));
	EXPECT_EQ(0, snap_check(fd, self->w.l.anon, ANON_SIZE, 1));
	EXPECT_EQ(0, snap_check(fd2, self->w.l.anon, ANON_SIZE, 1));
	close(fd);
	close(fd2);
}

TEST_F(snap, target_killed_snapshot_readable)
{
	struct ttrec_snapshot_args a;
	struct ttrec_snap_info info;
	int fd;

	start(_metadata, self, W_ANON);
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);
	ASSERT_EQ('y', workload_do(&self->w, 'w'));
	workload_stop(&self->w);
	EXPECT_EQ(0, snap_check(fd, self->w.l.anon, ANON_SIZE, 1));
	EXPECT_EQ(0, snap_check(fd, self->w.l.heap, HEAP_SIZE, 2));
	memset(&info, 0, sizeof(info));
	EXPECT_EQ(0, ioctl(fd, TTREC_IOC_SNAP_INFO, &info));
	/* And after the session is gone too. */
	close(self->sfd);
	self->sfd = -1;
	EXPECT_EQ(0, snap_check(fd, self->w.l.stack, STACK_SIZE, 3));
	close(fd);
}

TEST_F(snap, exited_target_is_esrch)
{
	struct ttrec_snapshot_args a;
	int i;

	start(_metadata, self, W_ANON);
	workload_stop(&self->w);
	for (i = 0; i < 200; i++) {
		errno = 0;
		if (ttrec_snapshot(self->sfd, &a) < 0 && errno == ESRCH)
			break;
		usleep(10000);
	}
	EXPECT_EQ(ESRCH, errno);
}

TEST_F(snap, fork_after_snapshot)
{
	struct ttrec_snapshot_args a;
	int fd;

	start(_metadata, self, W_ANON);
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);
	EXPECT_EQ('y', workload_do(&self->w, 'f'));
	EXPECT_EQ(0, snap_check(fd, self->w.l.anon, ANON_SIZE, 1));
	EXPECT_EQ(0, live_check(self->w.pid, self->w.l.anon, ANON_SIZE, 121));
	close(fd);
}

TEST_F(snap, munmap_after_snapshot)
{
	struct ttrec_snapshot_args a;
	int fd;

	start(_metadata, self, W_ANON);
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);
	EXPECT_EQ('y', workload_do(&self->w, 'u'));
	EXPECT_EQ(0, snap_check(fd, self->w.l.anon, ANON_SIZE, 1));
	close(fd);
}

TEST_F(snap, thp_copied_eagerly)
{
	struct ttrec_snapshot_args a;
	int fd;

	start(_metadata, self, W_THP);
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);
	TH_LOG("thp backed: %d, copied huge %llu, pause %llu us",
	       self->w.l.thp_ok,
	       (unsigned long long)a.counts.pages_copied_huge,
	       (unsigned long long)a.pause_ns / 1000);
	if (self->w.l.thp_ok)
		EXPECT_LE(THP_SIZE / PAGE, a.counts.pages_copied_huge);
	{
		/* the advice is reported (TTREC_FEATURE_VMA_KINDS): a restore needs it */
		struct ttrec_snap_vma *v = NULL;
		const struct ttrec_snap_vma *e;
		int n = get_vmas(fd, &v);

		ASSERT_LT(0, n);
		e = vma_at(v, n, (uint64_t)(uintptr_t)self->w.l.thp);
		ASSERT_NE(NULL, e);
		EXPECT_EQ(TTREC_VMA_HUGEPAGE, e->flags & (TTREC_VMA_HUGEPAGE | TTREC_VMA_NOHUGEPAGE));
		free(v);
	}
	EXPECT_EQ('y', workload_do(&self->w, 'w'));
	EXPECT_EQ(0, snap_check(fd, self->w.l.thp, THP_SIZE, 6));
	EXPECT_EQ(0, live_check(self->w.pid, self->w.l.thp, THP_SIZE, 106));
	close(fd);
	if (!self->w.l.thp_ok)
		SKIP(return, "no THP for the region: huge path not exercised");
}

TEST_F(snap, pinned_page_copied_eagerly)
{
	struct ttrec_snapshot_args a;
	int fd;

	start(_metadata, self, W_ANON | W_PINNED);
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);
	TH_LOG("pinned ok: %d, copied pinned %llu", self->w.l.pinned_ok,
	       (unsigned long long)a.counts.pages_copied_pinned);
	if (self->w.l.pinned_ok)
		EXPECT_LE(1, a.counts.pages_copied_pinned);
	EXPECT_EQ('y', workload_do(&self->w, 'w'));
	EXPECT_EQ(0, snap_check(fd, self->w.l.anon, ANON_SIZE, 1));
	close(fd);
	if (!self->w.l.pinned_ok)
		SKIP(return, "io_uring buffer registration unavailable");
}

/*
 * The vDSO is a mapping the kernel installs (no file, kernel pages): the
 * snapshot holds copies of its text, byte for byte what the target reads
 * there; [vvar] (VM_PFNMAP|VM_IO) is marked special and not captured.
 * Both are named (TTREC_VMA_VDSO, TTREC_VMA_VVAR).
 */
TEST_F(snap, vdso_captured_vvar_special)
{
	struct ttrec_snapshot_args a;
	struct ttrec_snap_vma *v = NULL;
	const struct ttrec_snap_vma *e;
	struct layout *l = &self->w.l;
	uint64_t vvar_start, vvar_end;
	unsigned char *buf;
	char b[8];
	int fd, n;

	start(_metadata, self, W_ANON);
	if (!l->vdso)
		SKIP(return, "no vDSO (AT_SYSINFO_EHDR is 0)");
	ASSERT_LT(0, l->vdso_len);
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);
	EXPECT_LE(SHARED_SIZE / PAGE + l->vdso_len / PAGE,
		  a.counts.pages_copied_shared);

	n = get_vmas(fd, &v);
	ASSERT_LT(0, n);
	e = vma_at(v, n, l->vdso);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(l->vdso, e->start);
	EXPECT_EQ(l->vdso + l->vdso_len, e->end);
	EXPECT_EQ(TTREC_VMA_CAPTURED, e->flags & (TTREC_VMA_CAPTURED |
		  TTREC_VMA_FILE | TTREC_VMA_SPECIAL | TTREC_VMA_SHARED));
	EXPECT_EQ(TTREC_VMA_VDSO, e->flags & (TTREC_VMA_VDSO | TTREC_VMA_VVAR));
	EXPECT_EQ(PROT_READ | PROT_EXEC, e->prot);
	EXPECT_EQ(l->vdso_len / PAGE, e->pages_held);

	buf = malloc(l->vdso_len);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ((ssize_t)l->vdso_len, pread(fd, buf, l->vdso_len, l->vdso));
	EXPECT_EQ(l->vdso_digest, digest(buf, l->vdso_len));
	/* An ELF image, not zeroes. */
	EXPECT_EQ(0, memcmp(buf, ELFMAG, SELFMAG));
	free(buf);

	if (find_mapping(self->w.pid, "[vvar]", &vvar_start, &vvar_end) == 0) {
		e = vma_at(v, n, vvar_start);
		ASSERT_NE(NULL, e);
		EXPECT_EQ(vvar_end, e->end);
		EXPECT_EQ(TTREC_VMA_SPECIAL, e->flags & (TTREC_VMA_CAPTURED |
			  TTREC_VMA_SPECIAL));
		/* right below the vDSO: its data pages */
		EXPECT_EQ(TTREC_VMA_VVAR, e->flags & (TTREC_VMA_VDSO | TTREC_VMA_VVAR));
		EXPECT_EQ(l->vdso, vvar_end);
		EXPECT_EQ(0, e->pages_held);
		EXPECT_LE((vvar_end - vvar_start) / PAGE,
			  a.counts.pages_skipped_special);
		errno = 0;
		EXPECT_EQ(-1, pread(fd, b, sizeof(b), vvar_start));
		EXPECT_EQ(ENODATA, errno);
	} else {
		TH_LOG("no [vvar] mapping: its check skipped");
	}
	free(v);
	close(fd);
}

/*
 * lseek() on a snapshot fd: SEEK_DATA/SEEK_HOLE step over the pages the
 * snapshot holds (a sparse VMA's populated pages), SEEK_SET/SEEK_CUR move
 * the position read() uses.
 */
TEST_F(snap, lseek_data_hole)
{
	struct ttrec_snapshot_args a;
	struct ttrec_snap_info info;
	struct ttrec_snap_vma *v = NULL;
	uint64_t sp, held = 0;
	unsigned char *buf;
	off_t pos, data, hole;
	int fd, n;

	start(_metadata, self, W_ANON | W_SPARSE);
	sp = self->w.l.sparse;
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);
	ASSERT_EQ('y', workload_do(&self->w, 'w'));

	EXPECT_EQ(sp + 3 * PAGE, lseek(fd, sp, SEEK_DATA));
	EXPECT_EQ(sp, lseek(fd, sp, SEEK_HOLE));
	EXPECT_EQ(sp + 3 * PAGE + 100, lseek(fd, sp + 3 * PAGE + 100, SEEK_DATA));
	EXPECT_EQ(sp + 5 * PAGE, lseek(fd, sp + 3 * PAGE + 100, SEEK_HOLE));
	EXPECT_EQ(sp + 700 * PAGE, lseek(fd, sp + 5 * PAGE, SEEK_DATA));
	EXPECT_EQ(sp + 701 * PAGE, lseek(fd, sp + 700 * PAGE, SEEK_HOLE));
	/* The position moved: read() reads there. */
	EXPECT_EQ(sp + 701 * PAGE, lseek(fd, 0, SEEK_CUR));
	buf = malloc(2 * PAGE);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(sp + 3 * PAGE, lseek(fd, sp + 3 * PAGE, SEEK_SET));
	ASSERT_EQ(2 * PAGE, read(fd, buf, 2 * PAGE));
	EXPECT_EQ(0, check(buf, 2 * PAGE, 7));
	EXPECT_EQ(sp + 5 * PAGE, lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(sp + 700 * PAGE, lseek(fd, 695 * PAGE, SEEK_CUR));
	ASSERT_EQ(PAGE, read(fd, buf, PAGE));
	EXPECT_EQ(0, check(buf, PAGE, 8));
	/* Holes of a captured anonymous VMA read as zeroes. */
	ASSERT_EQ(PAGE, pread(fd, buf, PAGE, sp + 5 * PAGE));
	EXPECT_EQ(0, buf[0] | buf[PAGE - 1]);
	free(buf);

	/* Every data range is held pages of captured VMAs, and they add up. */
	n = get_vmas(fd, &v);
	ASSERT_LT(0, n);
	for (pos = 0; (data = lseek(fd, pos, SEEK_DATA)) >= 0; pos = hole) {
		const struct ttrec_snap_vma *e = vma_at(v, n, data);

		hole = lseek(fd, data, SEEK_HOLE);
		ASSERT_LT(data, hole);
		ASSERT_NE(NULL, e);
		EXPECT_NE(0, e->flags & TTREC_VMA_CAPTURED);
		held += (hole - data) / PAGE;
		if (data % PAGE)
			break;
	}
	EXPECT_EQ(-1, data);
	EXPECT_EQ(ENXIO, errno);
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioctl(fd, TTREC_IOC_SNAP_INFO, &info));
	EXPECT_EQ(info.pages_held, held);
	free(v);

	/* Past the last held page; the errors. */
	errno = 0;
	EXPECT_EQ(-1, lseek(fd, 0x7ffffffff000, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(0x7ffffffff000, lseek(fd, 0x7ffffffff000, SEEK_HOLE));
	errno = 0;
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	errno = 0;
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(snap, bad_args)
{
	struct ttrec_snapshot_args a;
	unsigned char big[128];
	char b[8];
	int fd;

	start(_metadata, self, W_ANON);
	memset(&a, 0, sizeof(a));
	a.flags = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->sfd, TTREC_IOC_SNAPSHOT, &a));
	EXPECT_EQ(EINVAL, errno);
	memset(&a, 0, sizeof(a));
	a.__pad = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->sfd, TTREC_IOC_SNAPSHOT, &a));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->sfd, SNAPSHOT_SIZED(40), &a));
	EXPECT_EQ(EINVAL, errno);
	memset(big, 0, sizeof(big));
	big[100] = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->sfd, SNAPSHOT_SIZED(sizeof(big)), big));
	EXPECT_EQ(E2BIG, errno);
	big[100] = 0;
	fd = ioctl(self->sfd, SNAPSHOT_SIZED(sizeof(big)), big);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->sfd, TTREC_IOC_SNAPSHOT, NULL));
	EXPECT_EQ(EFAULT, errno);

	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, TTREC_IOC_SESSION_INFO, big));
	EXPECT_EQ(ENOTTY, errno);
	errno = 0;
	EXPECT_EQ(-1, pread(fd, b, sizeof(b), 0));	/* unmapped */
	EXPECT_EQ(EIO, errno);
	errno = 0;
	EXPECT_EQ(-1, write(fd, b, sizeof(b)));	/* read-only fd */
	EXPECT_EQ(EBADF, errno);
	do {
		struct ttrec_snap_info info;

		memset(&info, 0, sizeof(info));
		info.flags = 1;
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, TTREC_IOC_SNAP_INFO, &info));
		EXPECT_EQ(EINVAL, errno);
	} while (0);
	close(fd);
}

TEST_F(snap, stopped_target_is_ebusy)
{
	struct ttrec_snapshot_args a;
	int st;

	start(_metadata, self, W_ANON);
	ASSERT_EQ(0, write_param("park_timeout_ms", "300"));
	ASSERT_EQ(0, kill(self->w.pid, SIGSTOP));
	ASSERT_EQ(self->w.pid, waitpid(self->w.pid, &st, WUNTRACED));
	errno = 0;
	EXPECT_EQ(-1, ttrec_snapshot(self->sfd, &a));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, write_param("park_timeout_ms", "10000"));
	/* The late park request runs and returns at once after SIGCONT. */
	ASSERT_EQ(0, kill(self->w.pid, SIGCONT));
	EXPECT_EQ('y', workload_do(&self->w, 'c'));
	st = ttrec_snapshot(self->sfd, &a);
	EXPECT_LE(0, st);
	if (st >= 0)
		close(st);
}

TEST_F(snap, page_budget_is_enospc)
{
	struct ttrec_snapshot_args a;
	int fd;

	start(_metadata, self, W_ANON);
	ASSERT_EQ(0, write_param("max_snapshot_pages", "8"));
	errno = 0;
	fd = ttrec_snapshot(self->sfd, &a);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, write_param("max_snapshot_pages", "262144"));
	/* Nothing leaked from the failed attempt; the process is intact. */
	EXPECT_EQ('y', workload_do(&self->w, 'c'));
	fd = ttrec_snapshot(self->sfd, &a);
	ASSERT_LE(0, fd);
	EXPECT_EQ('y', workload_do(&self->w, 'w'));
	EXPECT_EQ(0, snap_check(fd, self->w.l.anon, ANON_SIZE, 1));
	close(fd);
}

TEST_HARNESS_MAIN
