// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec: copy-on-write snapshots of a session's target.
 *
 * TTREC_IOC_SNAPSHOT parks the target's threads (park.c), then, under the
 * target's mmap_write_lock and each VMA's write lock (per-VMA locks, see
 * ttrec_snap_memory()), records every VMA and walks the page tables of the
 * VMAs whose contents it captures:
 *  - private mappings that are anonymous or have anonymous pages (anon_vma):
 *    each present anonymous page is frozen as fork() does it: the PTE is
 *    cleared, ttrec_try_share_anon_page() clears PageAnonExclusive (or fails
 *    for a page that may be GUP-pinned), and the PTE is put back
 *    write-protected; the snapshot keeps a page reference, so the target's
 *    next write copies in do_wp_page(). Pages that may be pinned, KSM pages,
 *    swapped-out or migrating pages and pages under a huge PMD are marked
 *    for an eager copy. File pages of private mappings are not held.
 *  - writable shared mappings: every present or swapped page is marked for
 *    an eager copy.
 *  - mappings the kernel installed (the vDSO text, uprobes' XOL page: no
 *    file, but vm_ops): every page is marked for an eager copy; they map
 *    kernel pages, not anonymous ones.
 *  - VM_IO/VM_PFNMAP ([vvar]) and hugetlb mappings are not captured
 *    (counted).
 * Then the stale writable TLB entries are flushed on every CPU, the lock is
 * dropped and, with the threads still parked, the marked pages are copied
 * with access_process_vm(). The threads are released last.
 *
 * The pause is what fork() costs the target, and is kept to that: the held
 * pages go into chunks, one page table's worth of slots each (snapshot.h),
 * filled under the PTE table's lock and stored once per table; the page
 * budget is charged once per table; copy requests mark their chunk, so the
 * copy pass visits only those; and each VMA's pages_held is counted as
 * its tables are filled. While the snapshot is built a slot may also be a
 * copy request (the reason, tagged TTREC_SLOT_TODO); the copies are tagged
 * TTREC_SLOT_COPIED once made (a diff compares those by contents, the
 * others by identity: diff.c). A finished snapshot is immutable: readers
 * need no lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/kdev_t.h>
#include <linux/ksm.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/overflow.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pgtable.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <asm/tlbflush.h>

#include "compat.h"
#include "snapshot.h"
#include "state.h"
#include "ttrec_trace.h"

unsigned long ttrec_max_snapshot_pages = 262144;	/* 1 GiB of 4 KiB */
module_param_named(max_snapshot_pages, ttrec_max_snapshot_pages, ulong, 0644);
MODULE_PARM_DESC(max_snapshot_pages,
		 "pages the snapshots of one session may hold (ENOSPC beyond)");

static unsigned int ttrec_park_timeout_ms = 10000;
module_param_named(park_timeout_ms, ttrec_park_timeout_ms, uint, 0644);
MODULE_PARM_DESC(park_timeout_ms,
		 "how long a snapshot waits for the target's threads (EBUSY)");

static bool ttrec_snap_debug;
module_param_named(snap_debug, ttrec_snap_debug, bool, 0644);
MODULE_PARM_DESC(snap_debug,
		 "log the phases of each snapshot's pause (park, walk, ...)");

#define TTREC_MAX_THREADS	65536

/* Phase boundaries of one snapshot (ktime_get_ns()), for snap_debug. */
struct ttrec_snap_phases {
	u64 start, parked, state, locked, walked, flushed, copied, released;
};

static atomic64_t ttrec_next_snap_id = ATOMIC64_INIT(0);

/* Copy reasons, kept in TTREC_SLOT_TODO slots while building. */
enum {
	TTREC_COPY_PINNED = 1,
	TTREC_COPY_HUGE,
	TTREC_COPY_SHARED,
	TTREC_COPY_SWAP,
	TTREC_COPY_SPECIAL,
};

/* A copy request for @reason, and the reason of a request. */
#define TTREC_SLOT_COPY_REQUEST(reason) \
	((unsigned long)(reason) << 2 | TTREC_SLOT_TODO)
#define TTREC_SLOT_COPY_REASON(slot)	((slot) >> 2)

/* On a chunk while building: some of its slots are copy requests. */
#define TTREC_CHUNK_TODO	XA_MARK_0

/**
 * ttrec_budget_put() - drop a reference on a session's page budget.
 * @b: the budget, or NULL.
 */
void ttrec_budget_put(struct ttrec_budget *b)
{
	if (b && refcount_dec_and_test(&b->ref))
		kfree(b);
}

/* Charge @n pages to the session's budget: false (nothing charged) beyond. */
static bool ttrec_snap_charge(struct ttrec_snap *snap, unsigned long n)
{
	if (atomic_long_add_return(n, &snap->budget->pages) >
	    READ_ONCE(ttrec_max_snapshot_pages)) {
		atomic_long_sub(n, &snap->budget->pages);
		return false;
	}
	snap->nr_pages += n;
	return true;
}

/* Drop every page reference @chunk holds and empty it. */
static void ttrec_chunk_put_pages(struct ttrec_chunk *chunk)
{
	unsigned long i;

	for (i = 0; i < TTREC_CHUNK_PAGES; i++) {
		struct page *page = ttrec_slot_page(chunk->slot[i]);

		if (page)
			put_page(page);
		chunk->slot[i] = 0;
	}
}

static void ttrec_snap_free(struct ttrec_snap *snap)
{
	struct ttrec_chunk *chunk;
	unsigned long key;
	u32 i;

	xa_for_each(&snap->chunks, key, chunk) {
		ttrec_chunk_put_pages(chunk);
		kfree(chunk);
		cond_resched();
	}
	xa_destroy(&snap->chunks);
	atomic_long_sub(snap->nr_pages, &snap->budget->pages);
	atomic_dec(&snap->budget->snapshots);
	ttrec_budget_put(snap->budget);
	for (i = 0; i < snap->nr_threads; i++)
		ttrec_thread_state_free(snap->threads[i]);
	kvfree(snap->threads);
	kvfree(snap->proc);
	kvfree(snap->fds);
	kvfree(snap->vmas);
	put_pid(snap->pid);
	kfree(snap);
}

static unsigned long ttrec_snap_slot(struct ttrec_snap *snap,
				     unsigned long vpn)
{
	struct ttrec_chunk *chunk = xa_load(&snap->chunks,
					    vpn >> TTREC_CHUNK_SHIFT);

	return chunk ? chunk->slot[vpn & TTREC_CHUNK_MASK] : 0;
}

/**
 * ttrec_snap_next_page() - the next page a finished snapshot holds.
 * @snap: the snapshot.
 * @vpn: in: the first virtual page number to look at; out: the page found.
 * @last: the last virtual page number to look at.
 *
 * Return: the slot of the first page held in [*@vpn, @last], or 0 when
 * there is none (*@vpn is then unchanged).
 */
unsigned long ttrec_snap_next_page(struct ttrec_snap *snap,
				   unsigned long *vpn, unsigned long last)
{
	unsigned long first = *vpn, key = first >> TTREC_CHUNK_SHIFT;
	unsigned long kl = last >> TTREC_CHUNK_SHIFT;
	struct ttrec_chunk *chunk;

	if (first > last)
		return 0;
	for (chunk = xa_find(&snap->chunks, &key, kl, XA_PRESENT); chunk;
	     chunk = xa_find_after(&snap->chunks, &key, kl, XA_PRESENT)) {
		unsigned long base = key << TTREC_CHUNK_SHIFT;
		unsigned long i = first > base ? first - base : 0;
		unsigned long stop = min(TTREC_CHUNK_MASK, last - base);

		for (; i <= stop; i++) {
			if (chunk->slot[i]) {
				*vpn = base + i;
				return chunk->slot[i];
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------------ the walk */

/*
 * struct ttrec_walk - the memory walk of one snapshot, under the target's
 * mmap_write_lock.
 * @v: the snapshot's record of @vma, whose pages_held the walk counts.
 * @spare: a zeroed chunk, not in the snapshot yet: the next page table
 *   without a chunk fills it, and it is stored once it holds something.
 * @todo: copy requests so far (held to the page budget early).
 * @first, @slot, @stored, @held: the page table being filled: the address
 *   of its first slot, that slot, and the slots filled so far, of which
 *   @held hold a page copy-on-write (ttrec_walk_pte()).
 */
struct ttrec_walk {
	struct ttrec_snap *snap;
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	struct ttrec_snap_vma *v;
	struct ttrec_chunk *spare;
	unsigned long todo;
	int err;
	bool shared;
	unsigned long first;
	unsigned long *slot;
	unsigned long stored, held;
};

/* The chunk for the page table that maps @addr: stored or the spare. */
static struct ttrec_chunk *ttrec_walk_chunk(struct ttrec_walk *w,
					    unsigned long addr)
{
	struct ttrec_chunk *chunk;

	chunk = xa_load(&w->snap->chunks, addr >> PMD_SHIFT);
	if (chunk)
		return chunk;
	if (!w->spare) {
		w->spare = kzalloc(sizeof(*w->spare), GFP_KERNEL_ACCOUNT);
		if (!w->spare)
			w->err = -ENOMEM;
	}
	return w->spare;
}

/*
 * @chunk, the chunk of the page table that maps @addr, got @stored slots:
 * @held pages held copy-on-write, the rest copy requests. Store it if it
 * is the spare, and charge the held pages.
 */
static void ttrec_walk_commit(struct ttrec_walk *w, struct ttrec_chunk *chunk,
			      unsigned long addr, unsigned long stored,
			      unsigned long held)
{
	unsigned long key = addr >> PMD_SHIFT;
	struct ttrec_snap *snap = w->snap;

	if (!stored)
		return;
	if (chunk == w->spare) {
		int err = xa_err(xa_store(&snap->chunks, key, chunk,
					  GFP_KERNEL));

		if (err) {
			ttrec_chunk_put_pages(chunk);	/* stays the spare */
			w->err = err;
			return;
		}
		w->spare = NULL;
	}
	w->v->pages_held += stored;
	snap->counts.pages_shared += held;
	if (stored > held) {
		xa_set_mark(&snap->chunks, key, TTREC_CHUNK_TODO);
		w->todo += stored - held;
		/* The copies are charged as they are made: fail early. */
		if (atomic_long_read(&snap->budget->pages) + w->todo >
		    READ_ONCE(ttrec_max_snapshot_pages))
			w->err = -ENOSPC;
	}
	if (held && !ttrec_snap_charge(snap, held))
		w->err = -ENOSPC;
}

/* Request a copy of every page in [addr, end). */
static void ttrec_walk_mark_range(struct ttrec_walk *w, unsigned long addr,
				  unsigned long end, int reason)
{
	while (addr < end && !w->err) {
		unsigned long next = pmd_addr_end(addr, end), n = 0, *slot;
		struct ttrec_chunk *chunk = ttrec_walk_chunk(w, addr);

		if (!chunk)
			return;
		slot = &chunk->slot[(addr >> PAGE_SHIFT) & TTREC_CHUNK_MASK];
		for (; n < (next - addr) >> PAGE_SHIFT; n++)
			slot[n] = TTREC_SLOT_COPY_REQUEST(reason);
		ttrec_walk_commit(w, chunk, addr, n, 0);
		addr = next;
		cond_resched();
	}
}

/*
 * One present PTE of a private mapping, of a normal page, PTE lock held.
 * Returns the slot to store: the page, held and frozen as fork() freezes
 * it; a copy request; or 0 for nothing.
 */
static __always_inline unsigned long
ttrec_walk_private_pte(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
		       pte_t pte)
{
	struct page *page = pte_page(pte);

	if (!PageAnon(page))
		return 0;		/* file page: not captured */
	if (PageKsm(page))
		return TTREC_SLOT_COPY_REQUEST(TTREC_COPY_PINNED);
	if (PageAnonExclusive(page)) {
		pte_t old = ptep_get_and_clear(mm, addr, ptep);

		if (ttrec_try_share_anon_page(page)) {
			/* May be pinned: leave it alone, copy it later. */
			set_pte_at(mm, addr, ptep, old);
			return TTREC_SLOT_COPY_REQUEST(TTREC_COPY_PINNED);
		}
		set_pte_at(mm, addr, ptep, pte_wrprotect(old));
	} else if (pte_write(pte)) {
		/* Not expected for a shared anon page; be safe. */
		return TTREC_SLOT_COPY_REQUEST(TTREC_COPY_PINNED);
	}
	get_page(page);
	return (unsigned long)page;
}

/*
 * One present PTE of the page table being filled, its lock held: called
 * by apply_to_existing_page_range() for every PTE that is not none.
 */
static int ttrec_walk_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct ttrec_walk *w = data;
	pte_t pte = ptep_get(ptep);
	unsigned long s;

	if (!pte_present(pte))
		s = TTREC_SLOT_COPY_REQUEST(TTREC_COPY_SWAP);
	else if (pte_special(pte) || !pfn_valid(pte_pfn(pte)))
		return 0;	/* the zero page */
	else if (w->shared)
		s = TTREC_SLOT_COPY_REQUEST(TTREC_COPY_SHARED);
	else
		s = ttrec_walk_private_pte(w->mm, addr, ptep, pte);
	if (!s)
		return 0;
	w->slot[(addr - w->first) >> PAGE_SHIFT] = s;
	w->stored++;
	w->held += !(s & TTREC_SLOT_TODO);
	return 0;
}

/*
 * One page table, [addr, end) inside one PMD: fill its chunk under the PTE
 * lock, then commit it. The PTE table is mapped and locked by
 * apply_to_existing_page_range(): from 6.5 pte_offset_map_lock() is out of
 * line and not exported. Return: 0, or -EAGAIN when the table was freed
 * before it could be locked (nothing was filled; look at the PMD again).
 */
static int ttrec_walk_ptes(struct ttrec_walk *w, unsigned long addr,
			   unsigned long end)
{
	struct ttrec_chunk *chunk;

	chunk = ttrec_walk_chunk(w, addr);
	if (!chunk)
		return 0;
	w->shared = w->vma->vm_flags & VM_SHARED;
	w->first = addr;
	w->slot = &chunk->slot[(addr >> PAGE_SHIFT) & TTREC_CHUNK_MASK];
	w->stored = 0;
	w->held = 0;
	/* ttrec_walk_pte() never fails: an error is the table's. */
	if (apply_to_existing_page_range(w->mm, addr, end - addr,
					 ttrec_walk_pte, w))
		return -EAGAIN;
	ttrec_walk_commit(w, chunk, addr, w->stored, w->held);
	return 0;
}

static void ttrec_walk_pmds(struct ttrec_walk *w, pud_t *pud,
			    unsigned long addr, unsigned long end)
{
	unsigned long next;
	pmd_t *pmd = pmd_offset(pud, addr);

	for (; addr < end && !w->err; pmd++, addr = next) {
		pmd_t pmdval;

		next = pmd_addr_end(addr, end);
again:
		pmdval = READ_ONCE(*pmd);
		if (pmd_none(pmdval))
			continue;
		/*
		 * A huge PMD (or a THP migration entry): copy. With the mmap
		 * lock held for writing and the VMA write-locked
		 * (ttrec_vma_start_write()) a page table cannot turn into a
		 * huge PMD (faults and collapse need one of those locks),
		 * only the other way round (rmap-driven splits), which the
		 * copy path handles.
		 */
		if (pmd_trans_huge(pmdval) || pmd_devmap(pmdval) ||
		    pmd_leaf(pmdval) || !pmd_present(pmdval)) {
			ttrec_walk_mark_range(w, addr, next, TTREC_COPY_HUGE);
			continue;
		}
		if (pmd_bad(pmdval))
			continue;	/* pmd_clear_bad() is not exported */
		/*
		 * From 6.5 khugepaged may free the page table of a shared
		 * file mapping without the mmap lock (retract_page_tables():
		 * the PMD becomes none); the PTE lock then cannot be taken.
		 */
		if (ttrec_walk_ptes(w, addr, next) == -EAGAIN) {
			cond_resched();
			goto again;
		}
		cond_resched();
	}
}

static void ttrec_walk_vma(struct ttrec_walk *w, struct vm_area_struct *vma)
{
	unsigned long addr = vma->vm_start, end = vma->vm_end, next;
	pgd_t *pgd;

	pgd = pgd_offset(w->mm, addr);
	for (; addr < end && !w->err; pgd++, addr = next) {
		unsigned long p4d_next, pud_next;
		p4d_t *p4d;
		pud_t *pud;

		next = pgd_addr_end(addr, end);
		if (pgd_none(*pgd) || pgd_bad(*pgd))
			continue;
		p4d = p4d_offset(pgd, addr);
		for (; addr < next && !w->err; p4d++, addr = p4d_next) {
			p4d_next = p4d_addr_end(addr, next);
			if (p4d_none(*p4d) || p4d_bad(*p4d))
				continue;
			pud = pud_offset(p4d, addr);
			for (; addr < p4d_next && !w->err;
			     pud++, addr = pud_next) {
				pud_t pudval = READ_ONCE(*pud);

				pud_next = pud_addr_end(addr, p4d_next);
				if (pud_none(pudval))
					continue;
				if (pud_leaf(pudval) || !pud_present(pudval) ||
				    pud_bad(pudval)) {
					ttrec_walk_mark_range(w, addr, pud_next,
							      TTREC_COPY_HUGE);
					continue;
				}
				ttrec_walk_pmds(w, pud, addr, pud_next);
			}
		}
	}
}

static void ttrec_flush_tlb_local(void *unused)
{
	__flush_tlb_all();
}

static u32 ttrec_vma_prot(unsigned long vm_flags)
{
	return (vm_flags & VM_READ ? PROT_READ : 0) |
	       (vm_flags & VM_WRITE ? PROT_WRITE : 0) |
	       (vm_flags & VM_EXEC ? PROT_EXEC : 0);
}

static void ttrec_vma_describe(struct ttrec_snap_vma *v,
			       struct vm_area_struct *vma, struct mm_struct *mm,
			       char *pathbuf)
{
	memset(v, 0, sizeof(*v));
	v->start = vma->vm_start;
	v->end = vma->vm_end;
	v->prot = ttrec_vma_prot(vma->vm_flags);
	if (vma->vm_flags & VM_SHARED)
		v->flags |= TTREC_VMA_SHARED;
	if (vma->vm_flags & VM_GROWSDOWN)
		v->flags |= TTREC_VMA_GROWSDOWN;
	if ((vma->vm_flags & (VM_IO | VM_PFNMAP)) || is_vm_hugetlb_page(vma))
		v->flags |= TTREC_VMA_SPECIAL;
	if (vma->vm_flags & VM_HUGEPAGE)
		v->flags |= TTREC_VMA_HUGEPAGE;
	if (vma->vm_flags & VM_NOHUGEPAGE)
		v->flags |= TTREC_VMA_NOHUGEPAGE;
	if (vma->vm_flags & VM_DONTCOPY)
		v->flags |= TTREC_VMA_DONTFORK;
	if (vma->vm_flags & VM_WIPEONFORK)
		v->flags |= TTREC_VMA_WIPEONFORK;
	if (vma->vm_flags & VM_DONTDUMP)
		v->flags |= TTREC_VMA_DONTDUMP;
	/*
	 * map_vdso() puts the vDSO's code at mm->context.vdso and its data
	 * pages ([vvar], VM_PFNMAP) right below it.
	 */
	if (!vma->vm_file && mm->context.vdso) {
		unsigned long vdso = (unsigned long)mm->context.vdso;

		if (vma->vm_start == vdso)
			v->flags |= TTREC_VMA_VDSO;
		else if (vma->vm_end == vdso && (vma->vm_flags & VM_PFNMAP))
			v->flags |= TTREC_VMA_VVAR;
	}
	if (vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk &&
	    !vma->vm_file)
		v->flags |= TTREC_VMA_HEAP;
	if (vma->vm_start <= mm->start_stack &&
	    vma->vm_end >= mm->start_stack)
		v->flags |= TTREC_VMA_STACK;
	if (vma->vm_file) {
		struct inode *inode = file_inode(vma->vm_file);
		char *p;

		v->flags |= TTREC_VMA_FILE;
		v->offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
		v->dev = huge_encode_dev(inode->i_sb->s_dev);
		v->ino = inode->i_ino;
		p = d_path(&vma->vm_file->f_path, pathbuf, PATH_MAX);
		if (!IS_ERR(p)) {
			size_t len = strlen(p);

			if (len >= TTREC_SNAP_PATH_MAX) {
				v->flags |= TTREC_VMA_PATH_TRUNCATED;
				len = TTREC_SNAP_PATH_MAX - 1;
			}
			memcpy(v->path, p, len);
		}
	}
}

/*
 * A mapping the kernel installed itself (_install_special_mapping(): the
 * vDSO, uprobes' XOL area): no file, but vm_ops. Its pages are kernel
 * pages, not anonymous ones, so the walk would hold none of them.
 */
static bool ttrec_vma_kernel_pages(struct vm_area_struct *vma)
{
	return !vma->vm_file && !vma_is_anonymous(vma);
}

/* Which VMAs the walk visits. */
static bool ttrec_vma_captured(const struct ttrec_snap_vma *v,
			       struct vm_area_struct *vma)
{
	if (v->flags & TTREC_VMA_SPECIAL)
		return false;
	if (vma->vm_flags & VM_SHARED)
		return vma->vm_flags & VM_WRITE;
	return !vma->vm_file || vma->anon_vma;
}

/*
 * Record the map and freeze the memory. Called with the threads parked;
 * takes and drops the mmap lock.
 *
 * What may touch the target's page tables meanwhile:
 *  - its own threads: parked on their way back to user space, so neither
 *    faulting nor in a system call;
 *  - anything that takes the mmap lock (faults from kernel mode, such as
 *    io_uring workers' copies; GUP from other processes, /proc/PID/mem,
 *    process_vm_writev(); madvise(); khugepaged's anonymous collapse):
 *    excluded by mmap_write_lock();
 *  - per-VMA-lock readers (6.4+: user page faults, and userfaultfd ioctls
 *    from a monitor process), which do not take the mmap lock at all, so
 *    mmap_write_lock() alone does not stop them: each VMA is write-locked
 *    with vma_start_write() (ttrec_vma_start_write()) before it is walked,
 *    as dup_mmap() does before fork() write-protects the parent's PTEs.
 *    It waits for the VMA's current readers, and later ones fall back to
 *    the mmap lock, until mmap_write_unlock() unmarks every VMA. VMAs are
 *    locked in walk order and never unlocked before the end, so an
 *    operation lands wholly before the snapshot (its VMA not reached yet)
 *    or wholly after it;
 *  - rmap walkers (reclaim, migration, compaction, THP splits) and
 *    khugepaged's retraction of shared file page tables, which need no
 *    mmap or VMA lock: each PTE table is read and changed under its PTE
 *    lock, as on every kernel, and a table freed before it could be
 *    locked is looked at again (ttrec_walk_pmds());
 *  - GUP-fast from the target's io_uring workers: ordered against by
 *    ttrec_try_share_anon_page() (clear the PTE, check for pins, clear
 *    PageAnonExclusive, restore the PTE write-protected).
 */
static int ttrec_snap_memory(struct ttrec_snap *snap, struct mm_struct *mm,
			     struct ttrec_snap_phases *ph)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct ttrec_walk w = { .snap = snap, .mm = mm };
	struct vm_area_struct *vma;
	char *pathbuf;
	u32 n = 0, cap;
	int ret;

	pathbuf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!pathbuf)
		return -ENOMEM;
	if (mmap_write_lock_killable(mm)) {
		ret = -EINTR;
		goto out_free;
	}
	ph->locked = ktime_get_ns();
	cap = mm->map_count;
	snap->vmas = kvcalloc(cap, sizeof(*snap->vmas), GFP_KERNEL);
	if (!snap->vmas) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	for_each_vma(vmi, vma) {
		struct ttrec_snap_vma *v;

		if (n >= cap)
			break;
		ttrec_vma_start_write(vma);
		v = &snap->vmas[n++];
		ttrec_vma_describe(v, vma, mm, pathbuf);
		if (v->flags & TTREC_VMA_SPECIAL) {
			snap->counts.pages_skipped_special +=
				vma_pages(vma);
			continue;
		}
		if (!ttrec_vma_captured(v, vma))
			continue;
		v->flags |= TTREC_VMA_CAPTURED;
		w.vma = vma;
		w.v = v;
		if (ttrec_vma_kernel_pages(vma))
			ttrec_walk_mark_range(&w, vma->vm_start, vma->vm_end,
					      TTREC_COPY_SPECIAL);
		else
			ttrec_walk_vma(&w, vma);
		if (w.err)
			break;
	}
	snap->nr_vmas = n;
	ph->walked = ktime_get_ns();
	/*
	 * Write-protected PTEs may still be cached writable on any CPU, under
	 * any PCID: __flush_tlb_all() drops every entry of every PCID
	 * (INVPCID all-context or a CR4.PGE toggle). flush_tlb_mm_range() is
	 * not exported, and inc_mm_tlb_gen() is hidden from modules.
	 */
	on_each_cpu(ttrec_flush_tlb_local, NULL, 1);
	ph->flushed = ktime_get_ns();
	ret = w.err;
out_unlock:
	mmap_write_unlock(mm);
out_free:
	kfree(w.spare);
	kfree(pathbuf);
	return ret;
}

/* Copy one requested page into a page of the snapshot's own. */
static int ttrec_snap_copy_page(struct ttrec_snap *snap,
				struct task_struct *task, unsigned long addr,
				unsigned long *slot)
{
	unsigned long reason = TTREC_SLOT_COPY_REASON(*slot);
	struct page *page;
	void *kaddr;
	int got;

	if (!ttrec_snap_charge(snap, 1))
		return -ENOSPC;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!page) {
		atomic_long_dec(&snap->budget->pages);
		snap->nr_pages--;
		return -ENOMEM;
	}
	kaddr = kmap_local_page(page);
	got = access_process_vm(task, addr, kaddr, PAGE_SIZE, FOLL_FORCE);
	if (got < 0)
		got = 0;
	if (got < PAGE_SIZE)
		memset(kaddr + got, 0, PAGE_SIZE - got);
	kunmap_local(kaddr);
	*slot = (unsigned long)page | TTREC_SLOT_COPIED;
	switch (reason) {
	case TTREC_COPY_PINNED:
		snap->counts.pages_copied_pinned++;
		break;
	case TTREC_COPY_HUGE:
		snap->counts.pages_copied_huge++;
		break;
	case TTREC_COPY_SHARED:
	case TTREC_COPY_SPECIAL:
		snap->counts.pages_copied_shared++;
		break;
	default:
		snap->counts.pages_copied_swap++;
		break;
	}
	return 0;
}

/* Make the copies the walk requested; threads still parked, no mmap lock. */
static int ttrec_snap_copy_marked(struct ttrec_snap *snap,
				  struct task_struct *task)
{
	struct ttrec_chunk *chunk;
	unsigned long key;

	xa_for_each_marked(&snap->chunks, key, chunk, TTREC_CHUNK_TODO) {
		unsigned long i;

		for (i = 0; i < TTREC_CHUNK_PAGES; i++) {
			unsigned long vpn = key << TTREC_CHUNK_SHIFT | i;
			int ret;

			if (!(chunk->slot[i] & TTREC_SLOT_TODO))
				continue;
			ret = ttrec_snap_copy_page(snap, task, vpn << PAGE_SHIFT,
						   &chunk->slot[i]);
			if (ret)
				return ret;
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
		xa_clear_mark(&snap->chunks, key, TTREC_CHUNK_TODO);
	}
	return 0;
}

/* --------------------------------------------------------- snapshot fd */

static const struct ttrec_snap_vma *
ttrec_snap_find_vma(struct ttrec_snap *snap, u64 addr)
{
	u32 lo = 0, hi = snap->nr_vmas;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct ttrec_snap_vma *v = &snap->vmas[mid];

		if (addr < v->start)
			hi = mid;
		else if (addr >= v->end)
			lo = mid + 1;
		else
			return v;
	}
	return NULL;
}

static ssize_t ttrec_snap_read(struct file *file, char __user *buf,
			       size_t len, loff_t *ppos)
{
	struct ttrec_snap *snap = file->private_data;
	u64 addr = *ppos;
	size_t done = 0;
	int err = 0;

	while (done < len) {
		const struct ttrec_snap_vma *v = ttrec_snap_find_vma(snap, addr);
		size_t off = addr & ~PAGE_MASK, n;
		struct page *page;

		if (!v) {
			err = -EIO;
			break;
		}
		n = min3((size_t)(PAGE_SIZE - off), len - done,
			 (size_t)(v->end - addr));
		page = (v->flags & TTREC_VMA_CAPTURED) ?
			ttrec_slot_page(ttrec_snap_slot(snap,
							addr >> PAGE_SHIFT)) :
			NULL;
		if (page) {
			void *kaddr = kmap_local_page(page);
			unsigned long left;

			left = copy_to_user(buf + done, kaddr + off, n);
			kunmap_local(kaddr);
			if (left) {
				err = -EFAULT;
				break;
			}
		} else if ((v->flags & TTREC_VMA_CAPTURED) &&
			   !(v->flags & TTREC_VMA_FILE)) {
			if (clear_user(buf + done, n)) {
				err = -EFAULT;
				break;
			}
		} else {
			err = -ENODATA;
			break;
		}
		done += n;
		addr += n;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	if (!done)
		return err;
	*ppos = addr;
	return done;
}

/* The first page at or after @vpn the snapshot does not hold. */
static unsigned long ttrec_snap_next_hole(struct ttrec_snap *snap,
					  unsigned long vpn)
{
	for (;;) {
		struct ttrec_chunk *chunk = xa_load(&snap->chunks,
						    vpn >> TTREC_CHUNK_SHIFT);
		unsigned long i = vpn & TTREC_CHUNK_MASK;

		if (!chunk)
			return vpn;
		for (; i < TTREC_CHUNK_PAGES; i++, vpn++)
			if (!chunk->slot[i])
				return vpn;
		cond_resched();
	}
}

/*
 * SEEK_SET and SEEK_CUR move the file position (a virtual address) that
 * read() uses; SEEK_DATA and SEEK_HOLE find the next page the snapshot
 * holds, or does not hold, so that readers skip unpopulated ranges. There
 * is no end: SEEK_END is EINVAL, SEEK_DATA past the last held page ENXIO.
 */
static loff_t ttrec_snap_llseek(struct file *file, loff_t offset, int whence)
{
	struct ttrec_snap *snap = file->private_data;
	unsigned long vpn, found;
	loff_t pos;

	switch (whence) {
	case SEEK_SET:
		pos = offset;
		break;
	case SEEK_CUR:
		if (check_add_overflow(file->f_pos, offset, &pos))
			return -EINVAL;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (offset < 0)
			return -ENXIO;
		vpn = (u64)offset >> PAGE_SHIFT;
		if (whence == SEEK_HOLE) {
			found = ttrec_snap_next_hole(snap, vpn);
		} else {
			found = vpn;
			if (!ttrec_snap_next_page(snap, &found,
						  ULONG_MAX >> PAGE_SHIFT))
				return -ENXIO;
		}
		pos = found == vpn ? offset : (loff_t)found << PAGE_SHIFT;
		break;
	default:
		return -EINVAL;
	}
	return vfs_setpos(file, pos, MAX_LFS_FILESIZE);
}

static long ttrec_snap_ioc_info(struct ttrec_snap *snap, void __user *uarg,
				size_t usize)
{
	struct ttrec_snap_info info;
	int ret;

	ret = ttrec_copy_args(&info, sizeof(info), TTREC_SNAP_INFO_SIZE_VER0, uarg, usize);
	if (ret)
		return ret;
	if (info.flags || info.__pad)
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	info.id = snap->id;
	info.session_id = snap->session_id;
	info.pid = pid_vnr(snap->pid);
	info.nr_threads = snap->nr_threads;
	info.nr_vmas = snap->nr_vmas;
	info.pause_ns = snap->pause_ns;
	info.taken_ns = snap->taken_ns;
	info.pages_held = snap->nr_pages;
	info.counts = snap->counts;
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long ttrec_snap_ioc_vmas(struct ttrec_snap *snap, void __user *uarg,
				size_t usize)
{
	struct ttrec_snap_vmas_args args;
	u8 __user *dst;
	u32 i;
	int ret;

	ret = ttrec_copy_args(&args, sizeof(args), TTREC_SNAP_VMAS_ARGS_SIZE_VER0, uarg, usize);
	if (ret)
		return ret;
	if (args.flags || args.entry_size < TTREC_SNAP_VMA_SIZE_VER0 ||
	    args.entry_size % 8 || args.entry_size > PAGE_SIZE)
		return -EINVAL;
	args.total = snap->nr_vmas;
	if (args.count && args.count < snap->nr_vmas) {
		ret = -ENOSPC;
	} else if (args.count) {
		dst = u64_to_user_ptr(args.vmas);
		for (i = 0; i < snap->nr_vmas; i++) {
			if (copy_to_user(dst, &snap->vmas[i],
					 sizeof(snap->vmas[i])))
				return -EFAULT;
			if (args.entry_size > sizeof(snap->vmas[i]) &&
			    clear_user(dst + sizeof(snap->vmas[i]),
				       args.entry_size - sizeof(snap->vmas[i])))
				return -EFAULT;
			dst += args.entry_size;
		}
		ret = snap->nr_vmas;
	}
	if (copy_to_user(uarg, &args, sizeof(args)))
		return -EFAULT;
	return ret;
}

/* With @state, the record carries the thread's state notes too. */
static size_t ttrec_thread_record_size(const struct ttrec_thread_state *ts,
				       bool state)
{
	size_t size = sizeof(struct ttrec_snap_thread);
	u32 i;

	for (i = 0; i < ts->nr_notes; i++)
		size += sizeof(struct ttrec_snap_note) +
			ALIGN(ts->notes[i].size, 8);
	if (state)
		size += ts->state_len;
	return size;
}

static int ttrec_thread_record_copy(const struct ttrec_thread_state *ts,
				    u8 __user *dst, bool state)
{
	struct ttrec_snap_thread th;
	u32 i;

	memset(&th, 0, sizeof(th));
	th.size = ttrec_thread_record_size(ts, state);
	th.tid = pid_vnr(ts->pid);
	th.flags = ts->flags;
	th.nr_notes = ts->nr_notes + (state ? ts->state_notes : 0);
	th.syscall_nr = ts->syscall_nr;
	th.sigmask = ts->sigmask;
	if (copy_to_user(dst, &th, sizeof(th)))
		return -EFAULT;
	dst += sizeof(th);
	for (i = 0; i < ts->nr_notes; i++) {
		struct ttrec_snap_note note = {
			.type = ts->notes[i].type,
			.size = ts->notes[i].size,
		};
		size_t pad = ALIGN(note.size, 8) - note.size;

		if (copy_to_user(dst, &note, sizeof(note)))
			return -EFAULT;
		dst += sizeof(note);
		if (copy_to_user(dst, ts->notes[i].data, note.size))
			return -EFAULT;
		dst += note.size;
		if (pad && clear_user(dst, pad))
			return -EFAULT;
		dst += pad;
	}
	if (state && ts->state_len &&
	    copy_to_user(dst, ts->state, ts->state_len))
		return -EFAULT;
	return 0;
}

static long ttrec_snap_ioc_threads(struct ttrec_snap *snap, void __user *uarg,
				   size_t usize)
{
	struct ttrec_snap_threads_args args;
	u8 __user *dst;
	u64 needed = 0;
	bool state;
	u32 i;
	int ret;

	ret = ttrec_copy_args(&args, sizeof(args), TTREC_SNAP_THREADS_ARGS_SIZE_VER0, uarg, usize);
	if (ret)
		return ret;
	if ((args.flags & ~TTREC_SNAP_THREADS_STATE) || args.nr_threads ||
	    args.needed)
		return -EINVAL;
	state = args.flags & TTREC_SNAP_THREADS_STATE;
	for (i = 0; i < snap->nr_threads; i++)
		needed += ttrec_thread_record_size(snap->threads[i], state);
	args.nr_threads = snap->nr_threads;
	args.needed = needed;
	if (args.size && args.size < needed) {
		ret = -ENOSPC;
	} else if (args.size) {
		dst = u64_to_user_ptr(args.buf);
		for (i = 0; i < snap->nr_threads; i++) {
			if (ttrec_thread_record_copy(snap->threads[i], dst,
						     state))
				return -EFAULT;
			dst += ttrec_thread_record_size(snap->threads[i],
							state);
		}
		ret = needed;
	}
	if (copy_to_user(uarg, &args, sizeof(args)))
		return -EFAULT;
	return ret;
}

static long ttrec_snap_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct ttrec_snap *snap = file->private_data;
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);

	if (_IOC_TYPE(cmd) != TTREC_IOC_MAGIC)
		return -ENOTTY;
	switch (_IOC_NR(cmd)) {
	case _TTREC_SNAP_INFO:
		if (_IOC_DIR(cmd) != _IOC_DIR(TTREC_IOC_SNAP_INFO))
			return -ENOTTY;
		return ttrec_snap_ioc_info(snap, uarg, usize);
	case _TTREC_SNAP_VMAS:
		if (_IOC_DIR(cmd) != _IOC_DIR(TTREC_IOC_SNAP_VMAS))
			return -ENOTTY;
		return ttrec_snap_ioc_vmas(snap, uarg, usize);
	case _TTREC_SNAP_THREADS:
		if (_IOC_DIR(cmd) != _IOC_DIR(TTREC_IOC_SNAP_THREADS))
			return -ENOTTY;
		return ttrec_snap_ioc_threads(snap, uarg, usize);
	case _TTREC_SNAP_DIFF:
		if (_IOC_DIR(cmd) != _IOC_DIR(TTREC_IOC_SNAP_DIFF))
			return -ENOTTY;
		return ttrec_snap_ioc_diff(snap, uarg, usize);
	case _TTREC_SNAP_PROC:
		if (_IOC_DIR(cmd) != _IOC_DIR(TTREC_IOC_SNAP_PROC))
			return -ENOTTY;
		return ttrec_snap_ioc_proc(snap, uarg, usize);
	case _TTREC_SNAP_FDS:
		if (_IOC_DIR(cmd) != _IOC_DIR(TTREC_IOC_SNAP_FDS))
			return -ENOTTY;
		return ttrec_snap_ioc_fds(snap, uarg, usize);
	default:
		return -ENOTTY;
	}
}

static int ttrec_snap_release(struct inode *inode, struct file *file)
{
	ttrec_snap_free(file->private_data);
	return 0;
}

static const struct file_operations ttrec_snap_fops = {
	.owner		= THIS_MODULE,
	.read		= ttrec_snap_read,
	.release	= ttrec_snap_release,
	.unlocked_ioctl	= ttrec_snap_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= ttrec_snap_llseek,
};

/**
 * ttrec_snap_from_file() - the snapshot behind a file.
 * @file: any open file.
 *
 * Return: the snapshot when @file is a snapshot fd (valid while @file is
 * held), else NULL.
 */
struct ttrec_snap *ttrec_snap_from_file(struct file *file)
{
	return file->f_op == &ttrec_snap_fops ? file->private_data : NULL;
}

/* ------------------------------------------------------------- create */

/* Microseconds from @from to @to; 0 for a phase that did not run. */
static u64 ttrec_phase_us(u64 from, u64 to)
{
	return to > from ? (to - from) / NSEC_PER_USEC : 0;
}

static void ttrec_snap_log_phases(struct ttrec_snap *snap,
				  const struct ttrec_snap_phases *ph, int ret)
{
	pr_info("snapshot of %d: %d, pause %llu us: park %llu, state %llu, lock %llu, walk %llu, tlb %llu, copy %llu, release %llu; %llu shared, %lu held, %u fds\n",
		pid_nr(snap->pid), ret, snap->pause_ns / NSEC_PER_USEC,
		ttrec_phase_us(ph->start, ph->parked),
		ttrec_phase_us(ph->parked, ph->state),
		ttrec_phase_us(ph->state, ph->locked),
		ttrec_phase_us(ph->locked, ph->walked),
		ttrec_phase_us(ph->walked, ph->flushed),
		ttrec_phase_us(ph->flushed, ph->copied),
		ttrec_phase_us(ph->copied, ph->released),
		snap->counts.pages_shared, snap->nr_pages, snap->nr_fds);
}

static int ttrec_snap_take(struct ttrec_snap *snap, struct ttrec_session *s)
{
	struct ttrec_snap_phases ph = { .start = ktime_get_ns() };
	struct ttrec_park *park;
	struct task_struct *task;
	struct mm_struct *mm;
	unsigned int nr;
	int ret;

	ret = ttrec_park_group(s->pid, READ_ONCE(ttrec_park_timeout_ms),
			       &park);
	if (ret)
		return ret;

	snap->taken_ns = ktime_get_ns();
	ph.parked = snap->taken_ns;
	/* before the memory: it takes locks the mmap lock nests inside */
	ret = ttrec_state_capture(snap, park);
	ph.state = ktime_get_ns();
	if (ret)
		goto out_release;
	nr = min_t(unsigned int, ttrec_park_nr_parked(park), TTREC_MAX_THREADS);
	snap->threads = kvcalloc(nr, sizeof(*snap->threads), GFP_KERNEL);
	if (!snap->threads) {
		ret = -ENOMEM;
		goto out_release;
	}
	snap->nr_threads = ttrec_park_take_states(park, snap->threads, nr);

	task = ttrec_park_any_task(park);
	mm = task ? get_task_mm(task) : NULL;
	if (!mm) {
		ret = -ESRCH;
		goto out_release;
	}
	ret = ttrec_snap_memory(snap, mm, &ph);
	if (!ret)
		ret = ttrec_snap_copy_marked(snap, task);
	ph.copied = ktime_get_ns();
	mmput(mm);
	if (!ret && ttrec_park_broken(park))
		ret = -EAGAIN;
	if (!ret)	/* still parked: before anything they do after */
		trace_ttrec_snapshot(ttrec_park_id(park), snap->id,
				     pid_nr(s->pid), snap->nr_threads);
out_release:
	ttrec_park_release(park, &snap->pause_ns);
	ph.released = ktime_get_ns();
	if (READ_ONCE(ttrec_snap_debug))
		ttrec_snap_log_phases(snap, &ph, ret);
	return ret;
}

/* TTREC_EVENT_SNAPSHOT for a snapshot that is about to be handed out. */
static void ttrec_snap_announce(struct ttrec_session *s,
				const struct ttrec_snap *snap)
{
	const struct ttrec_snap_counts *c = &snap->counts;
	struct ttrec_snap_event ev = {
		.id		= snap->id,
		.pause_ns	= snap->pause_ns,
		.pages_shared	= c->pages_shared,
		.pages_copied	= c->pages_copied_pinned + c->pages_copied_huge +
				  c->pages_copied_shared + c->pages_copied_swap,
	};

	ttrec_netlink_snap_event(s, &ev);
}

/**
 * ttrec_snapshot_create() - TTREC_IOC_SNAPSHOT on a session fd.
 * @s: the session.
 * @uarg: user pointer to struct ttrec_snapshot_args.
 * @usize: its size from the ioctl number.
 *
 * Return: a snapshot fd, or a negative errno (see the uapi header).
 */
long ttrec_snapshot_create(struct ttrec_session *s, void __user *uarg,
			   size_t usize)
{
	struct ttrec_snapshot_args args;
	struct ttrec_snap *snap;
	struct file *file;
	int fd, ret;

	ret = ttrec_copy_args(&args, sizeof(args), TTREC_SNAPSHOT_ARGS_SIZE_VER0, uarg, usize);
	if (ret)
		return ret;
	if (args.flags || args.__pad)
		return -EINVAL;
	/* Slots tag page pointers in their low bits (snapshot.h). */
	BUILD_BUG_ON(__alignof__(struct page) <= TTREC_SLOT_TAGS);
	if (READ_ONCE(s->state) != TTREC_SESSION_LIVE)
		return -ESRCH;

	snap = kzalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	xa_init(&snap->chunks);
	snap->session_id = s->id;
	snap->pid = get_pid(s->pid);
	refcount_inc(&s->budget->ref);
	snap->budget = s->budget;
	atomic_inc(&s->budget->snapshots);

	/* before the take: the ttrec_snapshot tracepoint gives it */
	snap->id = atomic64_inc_return(&ttrec_next_snap_id);
	ret = ttrec_snap_take(snap, s);
	if (ret)
		goto err_free;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_free;
	}
	file = anon_inode_getfile("[ttrec-snapshot]", &ttrec_snap_fops, snap,
				  O_RDONLY);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put_fd;
	}
	file->f_mode |= FMODE_PREAD;

	memset(&args, 0, sizeof(args));
	args.id = snap->id;
	args.pause_ns = snap->pause_ns;
	args.nr_vmas = snap->nr_vmas;
	args.nr_threads = snap->nr_threads;
	args.counts = snap->counts;
	if (copy_to_user(uarg, &args, sizeof(args))) {
		fput(file);		/* frees the snapshot */
		put_unused_fd(fd);
		return -EFAULT;
	}
	ttrec_snap_announce(s, snap);
	fd_install(fd, file);
	return fd;

err_put_fd:
	put_unused_fd(fd);
err_free:
	ttrec_snap_free(snap);
	return ret;
}
