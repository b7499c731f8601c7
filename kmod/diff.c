// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec: TTREC_IOC_SNAP_DIFF, what changed between an older snapshot of a
 * target (the parent) and a newer one.
 *
 * Both snapshots are immutable (snapshot.h), so the diff needs no lock and
 * never touches the target. It is computed in one pass and streamed to the
 * caller's array:
 *
 *  - VMA ranges first, into a small kernel array: both VMA lists are sorted
 *    and disjoint, so one sweep over their boundaries cuts the address
 *    space into segments covered by the parent only (REMOVED), this
 *    snapshot only (ADDED), or both with other attributes (CHANGED).
 *  - Then the pages: for every VMA this snapshot captured, the held pages
 *    of both snapshots in its range are walked in address order (a union
 *    walk of the two snapshots' chunks, one page table's worth of slots
 *    each, see snapshot.h). A page held by only one side differs; two pages
 *    both held copy-on-write differ when they are not the same struct page
 *    (the target's write fault replaced it: snapshots freeze pages as
 *    fork() does, and a frozen page is never written in place); when
 *    either is a copy the module made (TTREC_SLOT_COPIED) the contents are
 *    compared. Changed pages are merged into ranges as they come, and each
 *    finished page range goes out after the VMA ranges that start before
 *    it, so the output is sorted by (start, kind).
 *
 * The work is bounded by the pages the two snapshots hold, which their
 * sessions' page budgets cap; it reschedules as it goes and stops on a
 * fatal signal.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "compat.h"
#include "snapshot.h"

/* VMA flags that make two mappings of the same range different. */
#define TTREC_DIFF_VMA_FLAGS	(TTREC_VMA_SHARED | TTREC_VMA_FILE | \
				 TTREC_VMA_SPECIAL | TTREC_VMA_GROWSDOWN)

/* Pages walked between two reschedule points. */
#define TTREC_DIFF_BATCH	256

/*
 * struct ttrec_diff - one diff in progress.
 * @dst: next element of the caller's array.
 * @entry_size: size of one element there.
 * @count: capacity of the caller's array, 0 for a size query.
 * @total: ranges produced so far (written while @total < @count).
 * @pages_changed, @nr_added, @nr_removed, @nr_changed: the counters.
 * @vr: the VMA ranges, sorted; @nr_vr of them, @next_vr not sent yet.
 * @pend: the page range being grown; @pend.end is 0 when there is none.
 * @work: pages walked since the last reschedule.
 */
struct ttrec_diff {
	u8 __user *dst;
	u32 entry_size;
	u32 count;
	u32 total;
	u64 pages_changed;
	u32 nr_added, nr_removed, nr_changed;
	struct ttrec_snap_range *vr;
	u32 nr_vr, next_vr;
	struct ttrec_snap_range pend;
	unsigned int work;
};

static int ttrec_diff_emit(struct ttrec_diff *d,
			   const struct ttrec_snap_range *r)
{
	if (d->total == U32_MAX)
		return -EOVERFLOW;
	if (d->total < d->count) {
		if (copy_to_user(d->dst, r, sizeof(*r)))
			return -EFAULT;
		if (d->entry_size > sizeof(*r) &&
		    clear_user(d->dst + sizeof(*r), d->entry_size - sizeof(*r)))
			return -EFAULT;
		d->dst += d->entry_size;
	}
	d->total++;
	switch (r->kind) {
	case TTREC_DIFF_VMA_ADDED:
		d->nr_added++;
		break;
	case TTREC_DIFF_VMA_REMOVED:
		d->nr_removed++;
		break;
	case TTREC_DIFF_VMA_CHANGED:
		d->nr_changed++;
		break;
	default:
		d->pages_changed += (r->end - r->start) >> PAGE_SHIFT;
		break;
	}
	return 0;
}

/* Send the VMA ranges that start before @before. */
static int ttrec_diff_emit_vmas(struct ttrec_diff *d, u64 before)
{
	int ret;

	for (; d->next_vr < d->nr_vr; d->next_vr++) {
		if (d->vr[d->next_vr].start >= before)
			break;
		ret = ttrec_diff_emit(d, &d->vr[d->next_vr]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Send the pending page range, after the VMA ranges that precede it. */
static int ttrec_diff_flush_pages(struct ttrec_diff *d)
{
	int ret;

	if (!d->pend.end)
		return 0;
	ret = ttrec_diff_emit_vmas(d, d->pend.start);
	if (!ret)
		ret = ttrec_diff_emit(d, &d->pend);
	d->pend.end = 0;
	return ret;
}

/* Page @vpn changed; pages arrive in increasing order. */
static int ttrec_diff_page(struct ttrec_diff *d, unsigned long vpn)
{
	u64 addr = (u64)vpn << PAGE_SHIFT;
	int ret;

	if (d->pend.end && d->pend.end == addr) {
		d->pend.end += PAGE_SIZE;
		return 0;
	}
	ret = ttrec_diff_flush_pages(d);
	if (ret)
		return ret;
	d->pend.start = addr;
	d->pend.end = addr + PAGE_SIZE;
	d->pend.kind = TTREC_DIFF_PAGES;
	return 0;
}

/* --------------------------------------------------------------- VMAs */

static bool ttrec_diff_vma_same(const struct ttrec_snap_vma *a,
				const struct ttrec_snap_vma *b, u64 addr)
{
	if (a->prot != b->prot ||
	    ((a->flags ^ b->flags) & TTREC_DIFF_VMA_FLAGS))
		return false;
	if (!(a->flags & TTREC_VMA_FILE))
		return true;
	/* The same file at the same offset for @addr. */
	return a->dev == b->dev && a->ino == b->ino &&
	       a->offset + (addr - a->start) == b->offset + (addr - b->start);
}

static void ttrec_diff_add_vr(struct ttrec_diff *d, u64 start, u64 end,
			      u32 kind)
{
	struct ttrec_snap_range *last = d->nr_vr ? &d->vr[d->nr_vr - 1] : NULL;

	if (last && last->kind == kind && last->end == start) {
		last->end = end;
		return;
	}
	last = &d->vr[d->nr_vr++];
	memset(last, 0, sizeof(*last));
	last->start = start;
	last->end = end;
	last->kind = kind;
}

/*
 * Cut the address space at every VMA boundary of either snapshot and
 * classify each piece. @d->vr has room for 2 * (np + nc) ranges: a piece
 * starts at one of the at most 2 * (np + nc) boundaries.
 */
static void ttrec_diff_vmas(struct ttrec_diff *d, struct ttrec_snap *p,
			    struct ttrec_snap *c)
{
	u32 i = 0, j = 0;
	u64 pos = 0;

	while (i < p->nr_vmas || j < c->nr_vmas) {
		const struct ttrec_snap_vma *vp = i < p->nr_vmas ?
						  &p->vmas[i] : NULL;
		const struct ttrec_snap_vma *vc = j < c->nr_vmas ?
						  &c->vmas[j] : NULL;
		bool in_p, in_c;
		u64 s, e;

		if (vp && vp->end <= pos) {
			i++;
			continue;
		}
		if (vc && vc->end <= pos) {
			j++;
			continue;
		}
		/* Start of the next piece: pos, or the next VMA start. */
		s = U64_MAX;
		if (vp)
			s = max(vp->start, pos);
		if (vc)
			s = min(s, max(vc->start, pos));
		in_p = vp && vp->start <= s;
		in_c = vc && vc->start <= s;
		/* End: the nearest boundary after s. */
		e = U64_MAX;
		if (vp)
			e = in_p ? vp->end : vp->start;
		if (vc)
			e = min(e, in_c ? vc->end : vc->start);
		if (in_p && in_c) {
			if (!ttrec_diff_vma_same(vp, vc, s))
				ttrec_diff_add_vr(d, s, e,
						  TTREC_DIFF_VMA_CHANGED);
		} else if (in_p) {
			ttrec_diff_add_vr(d, s, e, TTREC_DIFF_VMA_REMOVED);
		} else {
			ttrec_diff_add_vr(d, s, e, TTREC_DIFF_VMA_ADDED);
		}
		pos = e;
	}
}

/* -------------------------------------------------------------- pages */

static bool ttrec_diff_slots_differ(unsigned long sp, unsigned long sc)
{
	struct page *pp = ttrec_slot_page(sp), *pc = ttrec_slot_page(sc);
	void *a, *b;
	bool differ;

	if (pp == pc)
		return false;
	if (!ttrec_slot_copied(sp) && !ttrec_slot_copied(sc))
		return true;
	a = kmap_local_page(pp);
	b = kmap_local_page(pc);
	differ = memcmp(a, b, PAGE_SIZE);
	kunmap_local(b);
	kunmap_local(a);
	return differ;
}

static int ttrec_diff_resched(struct ttrec_diff *d)
{
	if (++d->work < TTREC_DIFF_BATCH)
		return 0;
	d->work = 0;
	if (fatal_signal_pending(current))
		return -EINTR;
	cond_resched();
	return 0;
}

/*
 * The pages [@first, @last] of the chunk @key, as the parent (@cp) and this
 * snapshot (@cc) hold them; either chunk may be NULL.
 */
static int ttrec_diff_chunk(struct ttrec_diff *d, unsigned long key,
			    unsigned long first, unsigned long last,
			    const struct ttrec_chunk *cp,
			    const struct ttrec_chunk *cc)
{
	unsigned long base = key << TTREC_CHUNK_SHIFT;
	unsigned long i = first > base ? first - base : 0;
	unsigned long stop = min(TTREC_CHUNK_MASK, last - base);
	int ret;

	for (; i <= stop; i++) {
		unsigned long sp = cp ? cp->slot[i] : 0;
		unsigned long sc = cc ? cc->slot[i] : 0;

		if (!sp && !sc)
			continue;
		if (!sp || !sc || ttrec_diff_slots_differ(sp, sc)) {
			ret = ttrec_diff_page(d, base + i);
			if (ret)
				return ret;
		}
		ret = ttrec_diff_resched(d);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The pages of one VMA of this snapshot: a union walk of both snapshots'
 * chunks over its range, in address order.
 */
static int ttrec_diff_vma_pages(struct ttrec_diff *d,
				struct ttrec_snap *p,
				struct ttrec_snap *c,
				const struct ttrec_snap_vma *v)
{
	unsigned long first = v->start >> PAGE_SHIFT;
	unsigned long last = (v->end >> PAGE_SHIFT) - 1;
	unsigned long kl = last >> TTREC_CHUNK_SHIFT;
	unsigned long kp = first >> TTREC_CHUNK_SHIFT, kc = kp;
	struct ttrec_chunk *cp, *cc;
	int ret = 0;

	cp = xa_find(&p->chunks, &kp, kl, XA_PRESENT);
	cc = xa_find(&c->chunks, &kc, kl, XA_PRESENT);
	while (!ret && (cp || cc)) {
		unsigned long key = min(cp ? kp : ULONG_MAX, cc ? kc : ULONG_MAX);
		bool in_p = cp && kp == key, in_c = cc && kc == key;

		ret = ttrec_diff_chunk(d, key, first, last, in_p ? cp : NULL,
				       in_c ? cc : NULL);
		if (in_p)
			cp = xa_find_after(&p->chunks, &kp, kl, XA_PRESENT);
		if (in_c)
			cc = xa_find_after(&c->chunks, &kc, kl, XA_PRESENT);
	}
	return ret;
}

static int ttrec_diff_run(struct ttrec_diff *d, struct ttrec_snap *p,
			  struct ttrec_snap *c)
{
	u32 i;
	int ret;

	ttrec_diff_vmas(d, p, c);
	for (i = 0; i < c->nr_vmas; i++) {
		if (!(c->vmas[i].flags & TTREC_VMA_CAPTURED))
			continue;
		ret = ttrec_diff_vma_pages(d, p, c, &c->vmas[i]);
		if (ret)
			return ret;
	}
	ret = ttrec_diff_flush_pages(d);
	if (!ret)
		ret = ttrec_diff_emit_vmas(d, U64_MAX);
	return ret;
}

/* The parent named by @fd, or an ERR_PTR; *@f holds it on success. */
static struct ttrec_snap *ttrec_diff_parent(struct ttrec_snap *snap,
					    s32 fd, struct fd *f)
{
	struct ttrec_snap *parent;

	*f = fdget(fd);
	if (!fd_file(*f))
		return ERR_PTR(-EBADF);
	parent = ttrec_snap_from_file(fd_file(*f));
	/* Same group (struct pid), taken strictly earlier (parks are serial). */
	if (!parent || parent == snap || parent->pid != snap->pid ||
	    parent->taken_ns >= snap->taken_ns) {
		fdput(*f);
		return ERR_PTR(-EINVAL);
	}
	return parent;
}

/**
 * ttrec_snap_ioc_diff() - TTREC_IOC_SNAP_DIFF on a snapshot fd.
 * @snap: the snapshot the ioctl was issued on (the newer one).
 * @uarg: user pointer to struct ttrec_snap_diff_args.
 * @usize: its size from the ioctl number.
 *
 * Return: the number of ranges written, or a negative errno: -EINVAL,
 * -E2BIG, -EFAULT, -EBADF, -ENOSPC (see the uapi header), -EINTR (fatal
 * signal), -ENOMEM, -EOVERFLOW (more than U32_MAX ranges).
 */
long ttrec_snap_ioc_diff(struct ttrec_snap *snap, void __user *uarg,
			 size_t usize)
{
	struct ttrec_snap_diff_args args;
	struct ttrec_snap *parent;
	struct ttrec_diff d;
	struct fd f;
	size_t nr;
	int ret;

	ret = ttrec_copy_args(&args, sizeof(args), TTREC_SNAP_DIFF_ARGS_SIZE_VER0, uarg, usize);
	if (ret)
		return ret;
	if (args.flags || args.__pad || args.__pad2)
		return -EINVAL;
	if (args.entry_size < TTREC_SNAP_RANGE_SIZE_VER0 ||
	    args.entry_size % 8 || args.entry_size > PAGE_SIZE)
		return -EINVAL;
	parent = ttrec_diff_parent(snap, args.parent_fd, &f);
	if (IS_ERR(parent))
		return PTR_ERR(parent);

	memset(&d, 0, sizeof(d));
	d.dst = u64_to_user_ptr(args.ranges);
	d.entry_size = args.entry_size;
	d.count = args.count;
	nr = 2 * ((size_t)parent->nr_vmas + snap->nr_vmas) + 1;
	d.vr = kvmalloc_array(nr, sizeof(*d.vr), GFP_KERNEL);
	if (!d.vr) {
		ret = -ENOMEM;
		goto out_fdput;
	}
	ret = ttrec_diff_run(&d, parent, snap);
	kvfree(d.vr);
	if (ret)
		goto out_fdput;

	args.total = d.total;
	args.pages_changed = d.pages_changed;
	args.nr_vmas_added = d.nr_added;
	args.nr_vmas_removed = d.nr_removed;
	args.nr_vmas_changed = d.nr_changed;
	if (args.count && args.count < d.total)
		ret = -ENOSPC;
	else
		ret = args.count ? d.total : 0;
	if (copy_to_user(uarg, &args, sizeof(args)))
		ret = -EFAULT;
out_fdput:
	fdput(f);
	return ret;
}
