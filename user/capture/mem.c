// SPDX-License-Identifier: GPL-2.0
/*
 * The image writer's source for a process stopped with ptrace: its VMAs
 * and threads (maps.c, regs.c) and its pages.
 *
 * Which pages a VMA holds comes from /proc/PID/pagemap, page by page, so
 * that what is not there is never read (reading it through /proc/PID/mem
 * would fault it in): in private anonymous memory a page present or
 * swapped out is read, any other reads as zeroes (never populated); in a
 * private file mapping only a page written privately (present and not a
 * file page, or swapped out) is read, the others are the file's (not
 * captured); in a writable shared mapping a page present or swapped out is
 * read, the others are not captured. This map of the memory is made once,
 * while the threads are stopped; it also gives each VMA its exact
 * pages_held.
 *
 * The pause is the copy: the pages to read are copied into a staging
 * buffer of ttrec's (process_vm_readv(), /proc/PID/mem where the
 * protection forbids it) and the threads are let go before anything is
 * compressed or written. When the pages to copy would take more than half
 * the memory available, they are read while the threads stay stopped,
 * as the writer goes (a longer pause, no copy in memory).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/ttrec.h>

#include "capture/capture.h"
#include "lib/log.h"
#include "lib/util.h"

#define PS		IMG_PAGE_SIZE
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_FILE		(1ULL << 61)	/* a file page or shared anonymous */
#define PM_MAX		4096U		/* pagemap entries per read */
#define RUN_ZERO	0
#define RUN_READ	1

/* Pages of one kind at consecutive addresses. */
struct cap_run {
	uint64_t addr;
	uint64_t npages;
	uint64_t off;		/* RUN_READ, staged: offset in the stage */
	uint32_t kind;		/* RUN_ZERO, RUN_READ, IMG_PAGE_UNCAPTURED */
};

static struct capture *cap_of(struct img_source *src)
{
	return (struct capture *)src;	/* src is its first member */
}

static int open_proc(struct capture *c, const char *what, int *fd)
{
	char path[64];

	if (*fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/%s", c->pid, what);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		int err = -errno;

		pr_err("snapshot: cannot open %s: %s\n", path, strerror(-err));
		return err;
	}
	return 0;
}

/* What the page with pagemap entry @pm holds in @v. */
static uint32_t classify(const struct img_vma *v, uint64_t pm)
{
	bool there = pm & (PM_PRESENT | PM_SWAP);

	if (!(v->flags & TTREC_VMA_CAPTURED) || (v->flags & TTREC_VMA_SPECIAL))
		return IMG_PAGE_UNCAPTURED;
	if (v->flags & TTREC_VMA_VDSO)
		return RUN_READ;	/* kernel pages: all copied, as the module does */
	if (v->flags & TTREC_VMA_SHARED)
		return there ? RUN_READ : IMG_PAGE_UNCAPTURED;
	if (!(v->flags & TTREC_VMA_FILE))
		return there ? RUN_READ : RUN_ZERO;
	if ((pm & PM_SWAP) || ((pm & PM_PRESENT) && !(pm & PM_FILE)))
		return RUN_READ;
	return IMG_PAGE_UNCAPTURED;
}

static int add_run(struct capture *c, uint64_t addr, uint32_t kind, uint64_t npages)
{
	struct cap_run *last = c->nruns ? &c->runs[c->nruns - 1] : NULL;

	if (last && last->kind == kind && last->addr + last->npages * PS == addr) {
		last->npages += npages;
		return 0;
	}
	if (c->nruns == c->runs_cap) {
		uint32_t n = c->runs_cap ? c->runs_cap * 2 : 256;
		struct cap_run *r = realloc(c->runs, n * sizeof(*r));

		if (!r)
			return -ENOMEM;
		c->runs = r;
		c->runs_cap = n;
	}
	c->runs[c->nruns++] = (struct cap_run){ .addr = addr, .npages = npages, .kind = kind };
	return 0;
}

/* The runs of @v, from the pagemap; its pages_held. */
static int map_vma(struct capture *c, struct img_vma *v, uint64_t *pm)
{
	uint64_t addr = v->start;
	int err;

	v->pages_held = 0;
	if (!(v->flags & TTREC_VMA_CAPTURED) || (v->flags & TTREC_VMA_SPECIAL)) {
		/* the same for every page: one run */
		return add_run(c, v->start, classify(v, 0), (v->end - v->start) / PS);
	}
	while (addr < v->end) {
		uint64_t m = (v->end - addr) / PS > PM_MAX ? PM_MAX : (v->end - addr) / PS;

		err = pread_full(c->pagemapfd, pm, m * sizeof(*pm), addr / PS * sizeof(*pm));
		if (err) {
			pr_err("snapshot: reading /proc/%d/pagemap at %#llx: %s\n", c->pid,
			       (unsigned long long)addr, strerror(-err));
			return err;
		}
		for (uint64_t j = 0; j < m; j++, addr += PS) {
			uint32_t k = classify(v, pm[j]);

			v->pages_held += k == RUN_READ;
			err = add_run(c, addr, k, 1);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Half of MemAvailable, in bytes; 0 when unknown. */
static uint64_t stage_limit(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024 / 2;
}

/* Copy every page to read into the stage, while the threads are stopped. */
static int stage(struct capture *c)
{
	uint64_t total = 0, off = 0;

	for (uint32_t i = 0; i < c->nruns; i++)
		if (c->runs[i].kind == RUN_READ)
			total += c->runs[i].npages * PS;
	if (!total)
		return 0;
	if (total > stage_limit()) {
		pr_warn("snapshot: %llu MiB to copy, more than half the memory available: read while %d stays stopped\n",
			(unsigned long long)(total >> 20), c->pid);
		return 0;
	}
	c->stage = mmap(NULL, total, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->stage == MAP_FAILED) {
		c->stage = NULL;
		return 0;
	}
	c->stage_len = total;
	madvise(c->stage, total, MADV_HUGEPAGE);	/* fewer faults while it waits */
	for (uint32_t i = 0; i < c->nruns; i++) {
		struct cap_run *r = &c->runs[i];
		size_t len = r->npages * PS;
		struct iovec l = { c->stage + off, len };
		struct iovec rm = { (void *)(uintptr_t)r->addr, len };
		ssize_t n;
		int err;

		if (r->kind != RUN_READ)
			continue;
		r->off = off;
		n = process_vm_readv(c->pid, &l, 1, &rm, 1, 0);
		if (n != (ssize_t)len) {
			/* not readable as mapped (PROT_NONE...): /proc/PID/mem can */
			size_t done = n > 0 ? (size_t)n : 0;

			err = pread_full(c->memfd, c->stage + off + done, len - done, r->addr + done);
			if (err) {
				pr_err("snapshot: reading /proc/%d/mem at %#llx: %s\n", c->pid,
				       (unsigned long long)(r->addr + done), strerror(-err));
				return err;
			}
		}
		off += len;
	}
	c->staged = true;
	return 0;
}

/*
 * The process state, gathered from /proc and ptrace while the threads are
 * still stopped (after their registers and memory are copied: what the
 * gathering's own calls touch is not in the image); the threads' state
 * notes go into their records of @threads.
 */
static int gather_state(struct capture *c, uint8_t **threads, size_t *threads_len)
{
	uint8_t *with = NULL;
	size_t with_len = 0;
	pid_t *tids;
	uint32_t n = 0;
	int err;

	tids = calloc(c->nthr ? c->nthr : 1, sizeof(*tids));
	if (!tids)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->nthr; i++)
		if (c->thr[i].stopped && !c->thr[i].gone)
			tids[n++] = c->thr[i].tid;
	err = proc_state_gather(c->pid, tids, n, &c->ps);
	free(tids);
	if (err)
		return err;
	c->has_state = true;
	err = proc_state_threads(&c->ps, *threads, *threads_len, &with, &with_len);
	if (err) {
		pr_err("snapshot: the thread state notes of %d: %s\n", c->pid, strerror(-err));
		return err;
	}
	free(*threads);
	*threads = with;
	*threads_len = with_len;
	return 0;
}

/* The gathered process state; the streams are handed over to the writer. */
static int cap_state(struct img_source *src, struct img_state_streams *ss)
{
	struct capture *c = cap_of(src);

	if (!c->has_state)
		return -ENOTTY;
	proc_state_streams(&c->ps, ss);
	c->ps.proc.p = NULL;
	c->ps.fds.p = NULL;
	return 0;
}

static int cap_describe(struct img_source *src, struct img_snap_facts *f,
			struct img_vma **vmas, uint32_t *nvmas,
			uint8_t **threads, size_t *threads_len, uint32_t *nthreads)
{
	struct capture *c = cap_of(src);
	uint64_t *pm = NULL;
	int err;

	memset(f, 0, sizeof(*f));
	f->pid = c->pid;
	f->flags = IMG_F_PTRACE | IMG_F_VMA_KINDS;
	f->taken_ns = c->taken_ns;
	err = open_proc(c, "mem", &c->memfd);
	if (!err)
		err = open_proc(c, "pagemap", &c->pagemapfd);
	if (!err)
		err = capture_vmas(c, vmas, nvmas);
	if (err)
		return err;
	c->vmas = *vmas;
	c->nvmas = *nvmas;
	err = capture_threads(c, threads, threads_len, nthreads);
	pm = err ? NULL : malloc(PM_MAX * sizeof(*pm));
	if (!err && !pm)
		err = -ENOMEM;
	for (uint32_t i = 0; !err && i < *nvmas; i++) {
		err = map_vma(c, &(*vmas)[i], pm);
		f->pages_held += (*vmas)[i].pages_held;
	}
	free(pm);
	if (!err)
		err = stage(c);
	if (!err)
		err = gather_state(c, threads, threads_len);
	if (!err && c->staged)
		capture_release(c);	/* everything is copied: let it go */
	f->pause_ns = c->staged ? c->pause_ns : capture_now_ns() - c->start_ns;
	return err;
}

/* The run holding @addr. */
static const struct cap_run *run_of(const struct capture *c, uint64_t addr)
{
	uint32_t lo = 0, hi = c->nruns;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct cap_run *r = &c->runs[mid];

		if (addr < r->addr)
			hi = mid;
		else if (addr >= r->addr + r->npages * PS)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static int cap_read(struct img_source *src, uint64_t addr, uint32_t n,
		    uint8_t *buf, uint8_t *kinds)
{
	struct capture *c = cap_of(src);
	uint32_t i = 0;

	while (i < n) {
		uint64_t at = addr + (uint64_t)i * PS;
		const struct cap_run *r = run_of(c, at);
		uint64_t k = 0, m;
		int err;

		if (!r) {
			pr_err("snapshot: read of %#llx, outside the memory map\n",
			       (unsigned long long)at);
			return -EIO;
		}
		k = (at - r->addr) / PS;
		m = r->npages - k;
		if (m > n - i)
			m = n - i;
		if (r->kind == RUN_READ && c->staged) {
			memcpy(buf + (size_t)i * PS, c->stage + r->off + k * PS, m * PS);
		} else if (r->kind == RUN_READ) {
			err = pread_full(c->memfd, buf + (size_t)i * PS, m * PS, at);
			if (err) {
				pr_err("snapshot: reading /proc/%d/mem at %#llx: %s\n", c->pid,
				       (unsigned long long)at, strerror(-err));
				return err;
			}
		} else if (r->kind == RUN_ZERO) {
			memset(buf + (size_t)i * PS, 0, m * PS);
		}
		memset(kinds + i, r->kind == IMG_PAGE_UNCAPTURED ? IMG_PAGE_UNCAPTURED : 1, m);
		i += m;
	}
	return 0;
}

static void cap_release(struct img_source *src, struct img_snap_facts *f)
{
	struct capture *c = cap_of(src);

	capture_release(c);
	f->pause_ns = c->pause_ns;
}

struct img_source *capture_source(struct capture *c)
{
	_Static_assert(offsetof(struct capture, src) == 0, "src first");
	c->src = (struct img_source){
		.describe = cap_describe,
		.state = cap_state,
		.read = cap_read,
		.release = cap_release,
	};
	return &c->src;
}
