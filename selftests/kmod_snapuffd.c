// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec.ko: snapshots and diffs of a process whose memory a userfaultfd
 * monitor fills and write-protects while they are taken.
 *
 * From 6.4 a user page fault, and UFFDIO_COPY from a monitor process, lock
 * one VMA and not the mmap lock (per-VMA locks), so the snapshot's
 * mmap_write_lock() alone does not keep them out of its page-table walk.
 * Here a forked target has two regions registered with one userfaultfd,
 * and this process is its monitor:
 *  - the pages: writer threads of the target rewrite them and now and then
 *    drop them (MADV_DONTNEED), so that their next write is a missing
 *    fault; the monitor resolves missing faults with UFFDIO_COPY after a
 *    short random delay, write-protects random pages (UFFDIO_WRITEPROTECT)
 *    and resolves those faults. Each writer logs its progress in a control
 *    page of the target's own memory (announce, write the page word by
 *    word, commit), so every snapshot says, through its copy of that page,
 *    what each page may hold at the snapshot instant; every page is checked
 *    against it exactly.
 *  - the block: a zapper thread of the target drops it whole and asks the
 *    monitor to fill it again, which the monitor does with one UFFDIO_COPY
 *    of all its pages, in a new generation each time. One UFFDIO_COPY is
 *    one operation under one VMA lock (or the mmap lock): a snapshot finds
 *    the block all missing or all of one generation, never half filled.
 * The test takes snapshots and diffs in a loop meanwhile; every page whose
 * bytes differ between two consecutive snapshots must be in their diff. At
 * the end the target checks its own memory and the monitor its counts.
 * Runs as root in the test VM with ttrec.ko loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ttrec.h>
#include <linux/userfaultfd.h>

/* The harness compares int literals with unsigned fields. */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "kmod_common.h"

#define PAGE		4096UL
#define WORDS		(PAGE / sizeof(uint64_t))
#define NR_WRITERS	4
#define WRITER_PAGES	16
#define NR_PAGES	(NR_WRITERS * WRITER_PAGES)
#define NR_SNAPS	40
#define DROP_ONE_IN	4	/* a writer drops a page after 1 in 4 writes */
#define CTL_LEN		PAGE	/* the control array: one page */
#define BLOCK_PAGES	256	/* filled by one UFFDIO_COPY */

/*
 * What the writer of a page has done to it, in the target's memory. One
 * round: next = done + 1; the page's words are written with pattern
 * (page, next) in order; done = next; then maybe dropped = done and
 * madvise(MADV_DONTNEED), after which the page is missing and the next
 * write faults to the monitor, which fills it with the page's fill
 * pattern. All three start at 0: a page never written is missing.
 */
struct uf_ctl {
	uint64_t next;
	uint64_t done;
	uint64_t dropped;
	uint64_t pad;
};

_Static_assert(NR_PAGES * sizeof(struct uf_ctl) <= CTL_LEN, "control array");

/* What the target tells the test (and the userfaultfd, beside it). */
struct uf_layout {
	uint64_t region;	/* NR_PAGES pages: missing and WP faults */
	uint64_t ctl;		/* CTL_LEN bytes: NR_PAGES struct uf_ctl */
	uint64_t block;		/* BLOCK_PAGES pages: missing faults */
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Word @i of page @p written in round @s (s >= 1); never 0. */
static uint64_t pat(unsigned int p, uint64_t s, unsigned int i)
{
	return mix64((uint64_t)p << 48 ^ s << 12 ^ i) | 1;
}

/* Word @i of the page the monitor puts at page @p; never 0. */
static uint64_t fill(unsigned int p, unsigned int i)
{
	return mix64(0x5eed0000ULL << 32 ^ (uint64_t)p << 12 ^ i) | 1;
}

/*
 * Word @i of page @p of the block in generation @g (g >= 1); never 0.
 * Word 0 says the generation and the page.
 */
static uint64_t block_pat(unsigned int p, uint64_t g, unsigned int i)
{
	if (!i)
		return g << 32 | p;
	return mix64(0xb10c0000ULL << 32 ^ g << 24 ^ (uint64_t)p << 12 ^ i) | 1;
}

/* ---------------------------------------------------------------- target */

static volatile int writers_stop;
static volatile uint64_t *t_region;
static volatile struct uf_ctl *t_ctl;
static volatile uint64_t *t_block;

static void *writer(void *arg)
{
	unsigned int w = (uintptr_t)arg, i;
	uint64_t rnd = 0x9e3779b97f4a7c15ULL * (w + 1);

	while (!writers_stop) {
		unsigned int p;
		volatile struct uf_ctl *c;
		volatile uint64_t *page;
		uint64_t s;

		rnd = mix64(rnd + w);
		p = w * WRITER_PAGES + rnd % WRITER_PAGES;
		c = &t_ctl[p];
		page = t_region + p * WORDS;
		s = c->done + 1;
		c->next = s;
		for (i = 0; i < WORDS; i++) {
			/*
			 * A system call halfway: a park finds the writer
			 * there often, and its page half written. (Most
			 * rounds start with a fault, copy-on-write after a
			 * snapshot or missing after a drop, and a park that
			 * meets a thread in a fault stops it before the
			 * store.)
			 */
			if (i == WORDS / 2)
				sched_yield();
			page[i] = pat(p, s, i);
		}
		c->done = s;
		if ((rnd >> 32) % DROP_ONE_IN == 0) {
			c->dropped = s;
			madvise((void *)page, PAGE, MADV_DONTNEED);
		}
	}
	return NULL;
}

/*
 * Drop the block, have the monitor fill it again (one byte each way on
 * @zsock), until the monitor closes its end.
 */
static void *zapper(void *arg)
{
	int zsock = (intptr_t)arg;
	char c = 'z';

	while (!writers_stop) {
		madvise((void *)t_block, BLOCK_PAGES * PAGE, MADV_DONTNEED);
		/* The monitor may have closed its end: no SIGPIPE. */
		if (send(zsock, &c, 1, MSG_NOSIGNAL) != 1 ||
		    read(zsock, &c, 1) != 1)
			break;
	}
	return NULL;
}

/*
 * After the writers stopped: each page holds its last round, or, dropped
 * after it, reads as the monitor's fill (this read faults to it). 0, or
 * the number of pages that do not.
 */
static int target_check(void)
{
	unsigned int p, i, bad = 0;

	for (p = 0; p < NR_PAGES; p++) {
		volatile uint64_t *page = t_region + p * WORDS;
		int dropped = t_ctl[p].dropped == t_ctl[p].done;

		for (i = 0; i < WORDS; i++)
			if (page[i] != (dropped ? fill(p, i) :
					pat(p, t_ctl[p].done, i)))
				break;
		bad += i < WORDS;
	}
	return bad;
}

static int send_fd(int sock, int fd, const void *buf, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == (ssize_t)len ? 0 : -1;
}

static int recv_fd(int sock, void *buf, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != (ssize_t)len)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Register [addr, addr + len) with @uffd for @mode; 0 or -1. */
static int uffd_register(int uffd, void *addr, size_t len, uint64_t mode)
{
	struct uffdio_register reg;

	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)addr;
	reg.range.len = len;
	reg.mode = mode;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) ||
	    !(reg.ioctls & (1ULL << _UFFDIO_COPY)))
		return -1;
	if ((mode & UFFDIO_REGISTER_MODE_WP) &&
	    !(reg.ioctls & (1ULL << _UFFDIO_WRITEPROTECT)))
		return -1;
	return 0;
}

/*
 * The target: map the regions, make a userfaultfd for them, start the
 * writers and the zapper, send the layout and the userfaultfd to the test;
 * on a byte from the test stop the writers, check its memory and exit 0
 * when it is right.
 */
static void target_main(int sock, int zsock)
{
	struct uffdio_api api = {
		.api = UFFD_API, .features = UFFD_FEATURE_PAGEFAULT_FLAG_WP,
	};
	pthread_t th[NR_WRITERS], zt;
	struct uf_layout l;
	void *region, *ctl, *block;
	unsigned int i;
	char c;
	int uffd;

	region = mmap(NULL, NR_PAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ctl = mmap(NULL, CTL_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	block = mmap(NULL, BLOCK_PAGES * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED || ctl == MAP_FAILED || block == MAP_FAILED)
		_exit(10);
	/* 4 KiB pages only: userfaultfd fills anonymous memory by PTE. */
	madvise(region, NR_PAGES * PAGE, MADV_NOHUGEPAGE);
	madvise(block, BLOCK_PAGES * PAGE, MADV_NOHUGEPAGE);
	memset(ctl, 0, CTL_LEN);
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		_exit(11);
	if (uffd_register(uffd, region, NR_PAGES * PAGE,
			  UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP))
		_exit(12);
	if (uffd_register(uffd, block, BLOCK_PAGES * PAGE,
			  UFFDIO_REGISTER_MODE_MISSING))
		_exit(13);
	t_region = region;
	t_ctl = ctl;
	t_block = block;
	l.region = (uintptr_t)region;
	l.ctl = (uintptr_t)ctl;
	l.block = (uintptr_t)block;
	/* The writers fault at once, and wait for the monitor. */
	for (i = 0; i < NR_WRITERS; i++)
		if (pthread_create(&th[i], NULL, writer, (void *)(uintptr_t)i))
			_exit(15);
	if (pthread_create(&zt, NULL, zapper, (void *)(intptr_t)zsock))
		_exit(15);
	if (send_fd(sock, uffd, &l, sizeof(l)))
		_exit(14);
	close(uffd);
	if (read(sock, &c, 1) != 1)
		_exit(16);
	writers_stop = 1;
	for (i = 0; i < NR_WRITERS; i++)
		pthread_join(th[i], NULL);
	pthread_join(zt, NULL);		/* the monitor closed its end */
	_exit(target_check() ? 17 : 0);
}

/* ---------------------------------------------------------------- monitor */

struct monitor {
	int uffd;
	int zsock;		/* the zapper's requests */
	uint64_t region, block;
	volatile int stop;	/* the fault thread */
	volatile int stop_wp;	/* the write-protecting and block threads */
	pthread_t faults, wp, blk;
	int started, wp_started, blk_started;
	/* counts, each written by one thread */
	unsigned long copies, copies_raced, wp_set, wp_resolved, blocks;
	unsigned long errors;
	int last_errno;
};

/* Resolve faults: missing ones by UFFDIO_COPY of the page's fill. */
static void *monitor_faults(void *arg)
{
	struct monitor *m = arg;
	uint64_t rnd = 12345, *buf;
	struct uffd_msg msg[16];
	struct uffdio_copy cp;
	unsigned int i, w;

	buf = aligned_alloc(PAGE, PAGE);
	if (!buf)
		return NULL;
	while (!m->stop) {
		struct pollfd pfd = { .fd = m->uffd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 20) <= 0)
			continue;
		n = read(m->uffd, msg, sizeof(msg));
		if (n <= 0)
			continue;
		for (i = 0; i < n / sizeof(msg[0]); i++) {
			uint64_t addr = msg[i].arg.pagefault.address & ~(PAGE - 1);
			unsigned int p = (addr - m->region) / PAGE;

			if (msg[i].event != UFFD_EVENT_PAGEFAULT ||
			    addr < m->region || p >= NR_PAGES) {
				m->errors++;	/* nothing else faults */
				m->last_errno = EFAULT;
				continue;
			}
			if (msg[i].arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP) {
				struct uffdio_writeprotect wp = {
					.range = { .start = addr, .len = PAGE },
					.mode = 0,	/* and wake */
				};

				if (ioctl(m->uffd, UFFDIO_WRITEPROTECT, &wp)) {
					m->errors++;
					m->last_errno = errno;
				}
				m->wp_resolved++;
				continue;
			}
			/* Let the snapshots find the writer waiting. */
			rnd = mix64(rnd);
			usleep(rnd % 400);
			for (w = 0; w < WORDS; w++)
				buf[w] = fill(p, w);
			memset(&cp, 0, sizeof(cp));
			cp.dst = addr;
			cp.src = (uintptr_t)buf;
			cp.len = PAGE;
			if (!ioctl(m->uffd, UFFDIO_COPY, &cp)) {
				m->copies++;
				continue;
			}
			if (errno == EEXIST) {
				/* Filled already: the fault came again after
				 * a park interrupted it. Just wake it. */
				struct uffdio_range r = { .start = addr, .len = PAGE };

				m->copies_raced++;
				if (!ioctl(m->uffd, UFFDIO_WAKE, &r))
					continue;
			}
			m->errors++;
			m->last_errno = errno;
		}
	}
	free(buf);
	return NULL;
}

/* Write-protect a random page every few hundred microseconds. */
static void *monitor_wp(void *arg)
{
	struct monitor *m = arg;
	uint64_t rnd = 777;

	while (!m->stop_wp) {
		struct uffdio_writeprotect wp = { .mode = UFFDIO_WRITEPROTECT_MODE_WP };

		rnd = mix64(rnd);
		wp.range.start = m->region + rnd % NR_PAGES * PAGE;
		wp.range.len = PAGE;
		if (ioctl(m->uffd, UFFDIO_WRITEPROTECT, &wp)) {
			m->errors++;
			m->last_errno = errno;
		} else {
			m->wp_set++;
		}
		usleep(100 + (rnd >> 32) % 400);
	}
	return NULL;
}

/*
 * Fill the block, whole, in a new generation, each time the zapper has
 * dropped it: one UFFDIO_COPY.
 */
static void *monitor_block(void *arg)
{
	struct monitor *m = arg;
	struct uffdio_copy cp;
	uint64_t *buf, g;
	unsigned int p, i;
	char c;

	buf = aligned_alloc(PAGE, BLOCK_PAGES * PAGE);
	if (!buf)
		return NULL;
	for (g = 1; !m->stop_wp; g++) {
		struct pollfd pfd = { .fd = m->zsock, .events = POLLIN };

		while (!m->stop_wp && poll(&pfd, 1, 20) <= 0)
			;
		if (m->stop_wp || read(m->zsock, &c, 1) != 1)
			break;
		for (p = 0; p < BLOCK_PAGES; p++)
			for (i = 0; i < WORDS; i++)
				buf[p * WORDS + i] = block_pat(p, g, i);
		memset(&cp, 0, sizeof(cp));
		cp.dst = m->block;
		cp.src = (uintptr_t)buf;
		cp.len = BLOCK_PAGES * PAGE;
		if (ioctl(m->uffd, UFFDIO_COPY, &cp) ||
		    cp.copy != BLOCK_PAGES * PAGE) {
			m->errors++;
			m->last_errno = errno;
		}
		m->blocks++;
		if (send(m->zsock, &c, 1, MSG_NOSIGNAL) != 1)
			break;
	}
	free(buf);
	return NULL;
}

/*
 * Before the target exits (its mm is gone after: ESRCH): stop the
 * write-protecting and block threads, and let the zapper go.
 */
static void monitor_stop_wp(struct monitor *m)
{
	m->stop_wp = 1;
	if (m->wp_started)
		pthread_join(m->wp, NULL);
	if (m->blk_started)
		pthread_join(m->blk, NULL);
	m->wp_started = m->blk_started = 0;
	if (m->zsock >= 0)
		close(m->zsock);
	m->zsock = -1;
}

static void monitor_stop(struct monitor *m)
{
	monitor_stop_wp(m);
	if (!m->started)
		return;
	m->stop = 1;
	pthread_join(m->faults, NULL);
	m->started = 0;
}

/* ---------------------------------------------------------------- checks */

/* What the snapshots caught, over the run. */
struct caught {
	unsigned long mid_write;	/* some words of a round written */
	unsigned long waiting;		/* missing, its writer faulting */
	unsigned long filled;		/* the monitor's fill, unwritten */
	unsigned long missing;		/* dropped and not written since */
	unsigned long block_missing;	/* the block dropped, not filled */
	unsigned long block_filled;	/* the block of one generation */
};

/*
 * Page @p as a snapshot holds it (@w), against the snapshot's own control
 * entry @c: words [0, k) of round c->next, then the page as it was before
 * that round: round c->done; or, when it was dropped after round c->done,
 * missing (zero) or, once a write faulted, the monitor's fill (and before
 * the madvise() returned, round c->done still). NULL when it is one of
 * those, else what is wrong.
 */
static const char *page_verdict(const uint64_t *w, unsigned int p,
				const struct uf_ctl *c, struct caught *seen)
{
	int writing = c->next == c->done + 1, zero = 1, filled = 1, old = 1;
	unsigned int k = 0, i;

	if (c->next != c->done && !writing)
		return "control entry: next is neither done nor done + 1";
	if (c->dropped > c->done)
		return "control entry: dropped after done";
	if (writing)
		while (k < WORDS && w[k] == pat(p, c->next, k))
			k++;
	for (i = k; i < WORDS; i++) {
		zero &= !w[i];
		filled &= w[i] == fill(p, i);
		old &= c->done && w[i] == pat(p, c->done, i);
	}
	if (k > 0 && k < WORDS)
		seen->mid_write++;
	if (c->dropped != c->done)	/* not dropped since round c->done */
		return old ? NULL : "neither the round being written nor the last one";
	/* Dropped after round c->done, or never written (all 0). */
	if (!writing) {
		/* the madvise() done, or not yet */
		if (zero) {
			seen->missing++;
			return NULL;
		}
		return old ? NULL : "dropped, yet neither missing nor its last round";
	}
	/* The madvise() returned; the round's first write faulted. */
	if (zero && k == 0) {
		seen->waiting++;
		return NULL;
	}
	if (filled) {
		seen->filled += k == 0;
		return NULL;
	}
	return "being written after a drop, yet not over the monitor's fill";
}

/*
 * The block as a snapshot holds it (@w): all missing, or every page of one
 * generation. NULL, or what is wrong.
 */
static const char *block_verdict(const uint64_t *w, struct caught *seen)
{
	uint64_t g = w[0] >> 32;
	unsigned int p, i, n;

	for (n = 0; n < BLOCK_PAGES * WORDS && !w[n]; n++)
		;
	if (n == BLOCK_PAGES * WORDS) {
		seen->block_missing++;
		return NULL;
	}
	for (p = 0; p < BLOCK_PAGES; p++)
		for (i = 0; i < WORDS; i++)
			if (w[p * WORDS + i] != block_pat(p, g, i))
				return w[p * WORDS + i] ?
				       "pages of another generation, or torn" :
				       "half filled: some pages missing";
	seen->block_filled++;
	return NULL;
}

/* Read @len bytes at @addr of snapshot @fd into a new buffer. */
static void *snap_read(int fd, uint64_t addr, size_t len)
{
	void *b = malloc(len);

	if (b && pread(fd, b, len, addr) != (ssize_t)len) {
		free(b);
		b = NULL;
	}
	return b;
}

/* The diff of @snap against @parent; NULL on failure. */
static struct ttrec_snap_range *get_diff(int snap, int parent,
					 struct ttrec_snap_diff_args *a)
{
	struct ttrec_snap_range *r;

	memset(a, 0, sizeof(*a));
	a->parent_fd = parent;
	a->entry_size = sizeof(*r);
	if (ioctl(snap, TTREC_IOC_SNAP_DIFF, a))
		return NULL;
	r = calloc(a->total + 1, sizeof(*r));
	if (!r)
		return NULL;
	a->ranges = (uintptr_t)r;
	a->count = a->total + 1;
	if (ioctl(snap, TTREC_IOC_SNAP_DIFF, a) != (int)a->total) {
		free(r);
		return NULL;
	}
	return r;
}

static int listed(const struct ttrec_snap_range *r, unsigned int n,
		  uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r[i].kind == TTREC_DIFF_PAGES && r[i].start <= addr &&
		    addr < r[i].end)
			return 1;
	return 0;
}

/* One snapshot's copy of the three areas. */
struct areas {
	uint64_t *mem;		/* the pages */
	struct uf_ctl *ctl;
	uint64_t *block;
};

static int areas_read(int fd, const struct uf_layout *l, struct areas *a)
{
	a->mem = snap_read(fd, l->region, NR_PAGES * PAGE);
	a->ctl = snap_read(fd, l->ctl, CTL_LEN);
	a->block = snap_read(fd, l->block, BLOCK_PAGES * PAGE);
	return a->mem && a->ctl && a->block ? 0 : -1;
}

static void areas_free(struct areas *a)
{
	free(a->mem);
	free(a->ctl);
	free(a->block);
	memset(a, 0, sizeof(*a));
}

/*
 * Pages of [addr, addr + npages pages) that differ between @cur and @prev
 * (the two snapshots' copies) and that the diff @r leaves out; *nlisted
 * counts the listed pages.
 */
static unsigned int unlisted(const void *cur, const void *prev, uint64_t addr,
			     unsigned int npages, const struct ttrec_snap_range *r,
			     unsigned int n, unsigned long *nlisted)
{
	unsigned int p, bad = 0;

	for (p = 0; p < npages; p++) {
		int in = listed(r, n, addr + p * PAGE);

		*nlisted += in;
		bad += !in && memcmp((const char *)cur + p * PAGE,
				     (const char *)prev + p * PAGE, PAGE);
	}
	return bad;
}

/* ---------------------------------------------------------------- test */

FIXTURE(uf) {
	pid_t pid;
	int sock;
	int sfd;
	int snap[2];
	struct areas seen[2];
	struct monitor m;
	struct uf_layout l;
};

FIXTURE_SETUP(uf)
{
	self->pid = -1;
	self->sock = self->sfd = -1;
	self->snap[0] = self->snap[1] = -1;
	self->m.uffd = self->m.zsock = -1;
}

FIXTURE_TEARDOWN(uf)
{
	int i;

	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	monitor_stop(&self->m);
	if (self->m.uffd >= 0)
		close(self->m.uffd);
	for (i = 0; i < 2; i++) {
		if (self->snap[i] >= 0)
			close(self->snap[i]);
		areas_free(&self->seen[i]);
	}
	if (self->sfd >= 0)
		close(self->sfd);
	if (self->sock >= 0)
		close(self->sock);
}

/*
 * Snapshots of the target while its writers fault, the monitor fills and
 * write-protects pages and fills the block: each page of each snapshot is
 * one the target's own log allows at that instant, the block is whole,
 * and every page that changed between two snapshots is in their diff.
 */
TEST_F_TIMEOUT(uf, snapshots_during_userfaultfd_faults, 600)
{
	struct caught seen = { 0 };
	unsigned long nlisted = 0, pause_sum = 0, pause_max = 0;
	uint64_t rnd = 4242;
	int sv[2], zv[2], i, st, bad = 0;
	char c = 'q';

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, zv));
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (self->pid == 0) {
		close(sv[0]);
		close(zv[0]);
		target_main(sv[1], zv[1]);
	}
	close(sv[1]);
	close(zv[1]);
	self->sock = sv[0];
	self->m.zsock = zv[0];
	self->m.uffd = recv_fd(self->sock, &self->l, sizeof(self->l));
	ASSERT_LE(0, self->m.uffd);
	self->m.region = self->l.region;
	self->m.block = self->l.block;
	ASSERT_EQ(0, pthread_create(&self->m.faults, NULL, monitor_faults, &self->m));
	self->m.started = 1;
	ASSERT_EQ(0, pthread_create(&self->m.wp, NULL, monitor_wp, &self->m));
	self->m.wp_started = 1;
	ASSERT_EQ(0, pthread_create(&self->m.blk, NULL, monitor_block, &self->m));
	self->m.blk_started = 1;
	self->sfd = ttrec_attach(-1, self->pid, 0);
	ASSERT_LE(0, self->sfd);

	for (i = 0; i < NR_SNAPS && !bad; i++) {
		struct ttrec_snapshot_args a;
		struct ttrec_snap_diff_args da;
		struct ttrec_snap_range *r;
		int cur = i & 1, prev = !cur, fd;
		struct areas *now = &self->seen[cur], *then = &self->seen[prev];
		const char *why;
		unsigned int p, n;

		rnd = mix64(rnd);
		usleep(rnd % 3000);
		fd = ttrec_snapshot(self->sfd, &a);
		ASSERT_LE(0, fd) TH_LOG("snapshot %d: %s", i, strerror(errno));
		if (self->snap[cur] >= 0)
			close(self->snap[cur]);
		self->snap[cur] = fd;
		EXPECT_EQ(NR_WRITERS + 2, a.nr_threads);
		pause_sum += a.pause_ns;
		if (a.pause_ns > pause_max)
			pause_max = a.pause_ns;

		areas_free(now);
		ASSERT_EQ(0, areas_read(fd, &self->l, now));
		for (p = 0; p < NR_PAGES; p++) {
			const struct uf_ctl *ce = &now->ctl[p];

			why = page_verdict(now->mem + p * WORDS, p, ce, &seen);
			if (why && bad++ < 5)
				TH_LOG("snapshot %d page %u (next %llu done %llu dropped %llu): %s",
				       i, p, (unsigned long long)ce->next,
				       (unsigned long long)ce->done,
				       (unsigned long long)ce->dropped, why);
		}
		why = block_verdict(now->block, &seen);
		if (why && bad++ < 5)
			TH_LOG("snapshot %d: the block: %s", i, why);
		if (self->snap[prev] < 0)
			continue;

		/* No page that changed is missing from the diff. */
		r = get_diff(fd, self->snap[prev], &da);
		ASSERT_NE(NULL, r) TH_LOG("diff %d: %s", i, strerror(errno));
		n = unlisted(now->mem, then->mem, self->l.region, NR_PAGES, r,
			     da.total, &nlisted);
		n += unlisted(now->ctl, then->ctl, self->l.ctl, CTL_LEN / PAGE, r,
			      da.total, &nlisted);
		n += unlisted(now->block, then->block, self->l.block, BLOCK_PAGES,
			      r, da.total, &nlisted);
		if (n && bad++ < 5)
			TH_LOG("diff %d: %u pages changed and are not listed", i, n);
		bad += n;
		free(r);
	}
	EXPECT_EQ(0, bad);

	/*
	 * The target stops its writers and checks its own memory; its reads
	 * of dropped pages fault to the monitor, still resolving.
	 */
	monitor_stop_wp(&self->m);
	ASSERT_EQ(1, write(self->sock, &c, 1));
	ASSERT_EQ(self->pid, waitpid(self->pid, &st, 0));
	self->pid = -1;
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("target status %#x", st);
	monitor_stop(&self->m);
	TH_LOG("%d snapshots (pause %lu us on average, %lu at most), %lu pages in their diffs",
	       i, pause_sum / 1000 / (i ? i : 1), pause_max / 1000, nlisted);
	TH_LOG("monitor: %lu copies (%lu again after a park), %lu pages write-protected, %lu resolved, the block filled %lu times",
	       self->m.copies, self->m.copies_raced, self->m.wp_set,
	       self->m.wp_resolved, self->m.blocks);
	TH_LOG("caught: %lu pages mid-write, %lu writers waiting on a missing page, %lu filled and unwritten, %lu missing; the block %lu times missing, %lu filled",
	       seen.mid_write, seen.waiting, seen.filled, seen.missing,
	       seen.block_missing, seen.block_filled);
	EXPECT_EQ(0, self->m.errors) TH_LOG("last monitor error: %s",
					     strerror(self->m.last_errno));
	/* The run did what it is for. */
	EXPECT_LT(0, self->m.copies);
	EXPECT_LT(0, self->m.wp_resolved);
	EXPECT_LT(0, seen.mid_write);
	EXPECT_LT(0, seen.waiting);
	EXPECT_LT(0, seen.block_filled);
	EXPECT_LT(0, nlisted);
}

TEST_HARNESS_MAIN
