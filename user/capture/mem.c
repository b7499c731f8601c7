// SPDX-License-Identifier: GPL-2.0
/*
 * The image writer's source for a process stopped with ptrace: its VMAs
 * and threads (maps.c, regs.c) and its pages, read while every thread is
 * stopped.
 *
 * Which pages a VMA holds comes from /proc/PID/pagemap, page by page, so
 * that what is not there is never read (reading it through /proc/PID/mem
 * would fault it in): in private anonymous memory a page present or
 * swapped out is read, any other reads as zeroes (never populated); in a
 * private file mapping only a page written privately (present and not a
 * file page, or swapped out) is read, the others are the file's (not
 * captured); in a writable shared mapping a page present or swapped out is
 * read, the others are not captured. The bytes come from /proc/PID/mem,
 * which reads whatever the protection.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/ttrec.h>

#include "capture/capture.h"
#include "lib/log.h"

#define PS		IMG_PAGE_SIZE
#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_FILE		(1ULL << 61)	/* a file page or shared anonymous */
#define PM_MAX		1024U		/* pagemap entries per read */

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

static int cap_describe(struct img_source *src, struct img_snap_facts *f,
			struct img_vma **vmas, uint32_t *nvmas,
			uint8_t **threads, size_t *threads_len, uint32_t *nthreads)
{
	struct capture *c = cap_of(src);
	int err;

	memset(f, 0, sizeof(*f));
	f->pid = c->pid;
	f->flags = IMG_F_PTRACE | IMG_F_VMA_KINDS;
	f->taken_ns = c->taken_ns;
	f->pause_ns = capture_now_ns() - c->start_ns;
	err = open_proc(c, "mem", &c->memfd);
	if (!err)
		err = open_proc(c, "pagemap", &c->pagemapfd);
	if (!err)
		err = capture_vmas(c, vmas, nvmas);
	if (err)
		return err;
	c->vmas = *vmas;
	c->nvmas = *nvmas;
	for (uint32_t i = 0; i < *nvmas; i++)
		f->pages_held += (*vmas)[i].pages_held;
	err = capture_threads(c, threads, threads_len, nthreads);
	return err;
}

static const struct img_vma *vma_of(const struct capture *c, uint64_t addr)
{
	uint32_t lo = 0, hi = c->nvmas;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (addr < c->vmas[mid].start)
			hi = mid;
		else if (addr >= c->vmas[mid].end)
			lo = mid + 1;
		else
			return &c->vmas[mid];
	}
	return NULL;
}

/* What the page with pagemap entry @pm holds in @v: 1 read it, 0 zero, or uncaptured. */
static int classify(const struct img_vma *v, uint64_t pm)
{
	bool there = pm & (PM_PRESENT | PM_SWAP);

	if (!(v->flags & TTREC_VMA_CAPTURED) || (v->flags & TTREC_VMA_SPECIAL))
		return IMG_PAGE_UNCAPTURED;
	if (v->flags & TTREC_VMA_VDSO)
		return 0;
	if (v->flags & TTREC_VMA_SHARED)
		return there ? 1 : IMG_PAGE_UNCAPTURED;
	if (!(v->flags & TTREC_VMA_FILE))
		return there ? 1 : 0;
	if ((pm & PM_SWAP) || ((pm & PM_PRESENT) && !(pm & PM_FILE)))
		return 1;
	return IMG_PAGE_UNCAPTURED;
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += n;
	}
	return 0;
}

static int cap_read(struct img_source *src, uint64_t addr, uint32_t n,
		    uint8_t *buf, uint8_t *kinds)
{
	struct capture *c = cap_of(src);
	const struct img_vma *v = vma_of(c, addr);
	uint32_t i = 0;
	int err;

	if (!v || addr + (uint64_t)n * PS > v->end) {
		pr_err("snapshot: read of %u pages at %#llx is outside the VMAs\n", n,
		       (unsigned long long)addr);
		return -EIO;
	}
	if (!c->pm && !(c->pm = malloc(PM_MAX * sizeof(*c->pm))))
		return -ENOMEM;
	while (i < n) {
		uint32_t m = n - i > PM_MAX ? PM_MAX : n - i, j = 0;

		err = pread_all(c->pagemapfd, c->pm, m * sizeof(*c->pm),
				((addr / PS) + i) * sizeof(*c->pm));
		if (err) {
			pr_err("snapshot: reading /proc/%d/pagemap at %#llx: %s\n", c->pid,
			       (unsigned long long)(addr + (uint64_t)i * PS), strerror(-err));
			return err;
		}
		while (j < m) {
			int k = classify(v, c->pm[j]);
			uint32_t run = 1;

			while (j + run < m && classify(v, c->pm[j + run]) == k)
				run++;
			if (k == 1) {
				uint64_t at = addr + (uint64_t)(i + j) * PS;

				err = pread_all(c->memfd, buf + (size_t)(i + j) * PS,
						(size_t)run * PS, at);
				if (err) {
					pr_err("snapshot: reading /proc/%d/mem at %#llx: %s\n",
					       c->pid, (unsigned long long)at, strerror(-err));
					return err;
				}
			} else if (!k) {
				memset(buf + (size_t)(i + j) * PS, 0, (size_t)run * PS);
			}
			memset(kinds + i + j, k ? k : 1, run);
			j += run;
		}
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
		.read = cap_read,
		.release = cap_release,
	};
	return &c->src;
}
