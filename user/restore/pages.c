// SPDX-License-Identifier: GPL-2.0
/*
 * The image's pages written into the new process, the chain resolved
 * (img_walk(): the image's own runs, the parents' for the ranges it
 * inherits, zeroes elsewhere), VMA by VMA.
 *
 * Data pages go from the image's checked chunk (in the mapped file, or
 * decompressed) straight into the process, a chunk's contiguous run at a
 * time, with process_vm_writev(), or through /proc/PID/mem where that
 * cannot write (a mapping without PROT_WRITE: the write then makes the
 * private copy a debugger's breakpoint makes). Zero pages need nothing in
 * a fresh anonymous or shared mapping; in a private file mapping they are
 * pages the process zeroed, written as such. Pages not captured are the
 * file's (private file mappings) or were never touched (shared memory,
 * zero). Shared mappings of regular files are not written (vmas.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "restore/internal.h"
#include "lib/log.h"

#define PS		IMG_PAGE_SIZE
#define ZERO_PAGES	64U

struct pctx {
	struct rst *r;
	const struct img_vma *v;
};

static int write_at(struct pctx *c, uint64_t addr, const void *src, size_t len)
{
	struct iovec l = { (void *)src, len }, rm = { (void *)(uintptr_t)addr, len };
	ssize_t w = (c->v->prot & PROT_WRITE) ? process_vm_writev(c->r->hpid, &l, 1, &rm, 1, 0) : -1;
	size_t done = w > 0 ? (size_t)w : 0;

	c->r->bytes_written += len;
	if (done == len)
		return 0;
	return rst_poke(c->r, addr + done, (const char *)src + done, len - done);
}

static int piece(void *arg, struct img *from, uint64_t addr, uint64_t npages, int kind)
{
	static const uint8_t zero[ZERO_PAGES * PS];
	struct pctx *c = arg;

	switch (kind) {
	case IMG_PAGE_DATA:
		c->r->pages_data += npages;
		while (npages) {
			const void *p;
			uint64_t n;
			int err = img_data_ptr(from, addr, npages, &p, &n);

			if (!err)
				err = write_at(c, addr, p, n * PS);
			if (err)
				return err;
			addr += n * PS;
			npages -= n;
		}
		return 0;
	case IMG_PAGE_ZERO:
		if (!(c->v->flags & TTREC_VMA_FILE) || (c->v->flags & TTREC_VMA_SHARED))
			return 0;	/* a fresh mapping reads zeroes */
		c->r->pages_zero += npages;
		while (npages) {
			uint64_t n = npages > ZERO_PAGES ? ZERO_PAGES : npages;
			int err = write_at(c, addr, zero, n * PS);

			if (err)
				return err;
			addr += n * PS;
			npages -= n;
		}
		return 0;
	default:
		return 0;		/* the file's, or never touched */
	}
}

int rst_fill_pages(struct rst *r)
{
	struct pctx c = { .r = r };
	int err = 0;

	for (uint32_t i = 0; !err && i < r->im->nr_vmas; i++) {
		const struct img_vma *v = &r->im->vmas[i];

		if (!rst_vma_mapped(v) || rst_vma_file_shared(v))
			continue;
		c.v = v;
		err = img_walk(r->im, v->start, v->end, piece, &c);
	}
	if (err && err != -EIO && err != -EBADMSG)
		pr_err("restore: writing the image's pages failed: %s\n", strerror(-err));
	return err;
}
