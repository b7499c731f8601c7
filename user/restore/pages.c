// SPDX-License-Identifier: GPL-2.0
/*
 * The image's pages written into the new process, the chain resolved
 * (img_walk(): the image's own runs, the parents' for the ranges it
 * inherits, zeroes elsewhere), VMA by VMA.
 *
 * Data pages are gathered into runs of contiguous addresses (up to 1 MiB)
 * and written with process_vm_writev(), or through /proc/PID/mem where
 * that cannot write (a mapping without PROT_WRITE: the write then makes
 * the private copy a debugger's breakpoint makes). Zero pages need nothing
 * in a fresh anonymous or shared mapping; in a private file mapping they
 * are pages the process zeroed, written as such. Pages not captured are
 * the file's (private file mappings) or were never touched (shared
 * memory, zero). Shared mappings of regular files are not written
 * (vmas.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "restore/internal.h"
#include "lib/log.h"

#define PS		IMG_PAGE_SIZE
#define BATCH_PAGES	256U

struct pctx {
	struct rst *r;
	const struct img_vma *v;
	uint8_t *buf;
	uint64_t addr;		/* of buf[0] */
	uint32_t n;		/* pages in buf */
};

static int flush(struct pctx *c)
{
	struct iovec l = { c->buf, (size_t)c->n * PS }, rm = { (void *)(uintptr_t)c->addr, l.iov_len };
	ssize_t w;
	int err;

	if (!c->n)
		return 0;
	w = (c->v->prot & PROT_WRITE) ? process_vm_writev(c->r->hpid, &l, 1, &rm, 1, 0) : -1;
	if (w == (ssize_t)l.iov_len) {
		err = 0;
	} else {
		size_t done = w > 0 ? (size_t)w : 0;

		err = rst_poke(c->r, c->addr + done, c->buf + done, l.iov_len - done);
	}
	c->r->bytes_written += l.iov_len;
	c->n = 0;
	return err;
}

/*
 * Append @npages pages at @addr to the batch: the data pages of @from
 * there, or zeroes when @from is NULL.
 */
static int add(struct pctx *c, struct img *from, uint64_t addr, uint64_t npages)
{
	while (npages) {
		uint64_t k;
		int err;

		if (c->n && (c->addr + (uint64_t)c->n * PS != addr || c->n == BATCH_PAGES)) {
			err = flush(c);
			if (err)
				return err;
		}
		if (!c->n)
			c->addr = addr;
		k = BATCH_PAGES - c->n;
		if (k > npages)
			k = npages;
		if (from) {
			err = img_data(from, addr, k, c->buf + (size_t)c->n * PS);
			if (err)
				return err;
		} else {
			memset(c->buf + (size_t)c->n * PS, 0, (size_t)k * PS);
		}
		c->n += k;
		addr += k * PS;
		npages -= k;
	}
	return 0;
}

static int piece(void *arg, struct img *from, uint64_t addr, uint64_t npages, int kind)
{
	struct pctx *c = arg;

	switch (kind) {
	case IMG_PAGE_DATA:
		c->r->pages_data += npages;
		return add(c, from, addr, npages);
	case IMG_PAGE_ZERO:
		if (!(c->v->flags & TTREC_VMA_FILE) || (c->v->flags & TTREC_VMA_SHARED))
			return 0;	/* a fresh mapping reads zeroes */
		c->r->pages_zero += npages;
		return add(c, NULL, addr, npages);
	default:
		return 0;		/* the file's, or never touched */
	}
}

int rst_fill_pages(struct rst *r)
{
	struct pctx c = { .r = r };
	int err = 0;

	c.buf = malloc((size_t)BATCH_PAGES * PS);
	if (!c.buf)
		return -ENOMEM;
	for (uint32_t i = 0; !err && i < r->im->nr_vmas; i++) {
		const struct img_vma *v = &r->im->vmas[i];

		if (!rst_vma_mapped(v) || rst_vma_file_shared(v))
			continue;
		c.v = v;
		err = img_walk(r->im, v->start, v->end, piece, &c);
		if (!err)
			err = flush(&c);
	}
	if (err && err != -EIO)
		pr_err("restore: writing the image's pages failed: %s\n", strerror(-err));
	free(c.buf);
	return err;
}
