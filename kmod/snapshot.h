/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttrec: the snapshot object, shared by snapshot.c and diff.c (not uapi).
 */
#ifndef _TTREC_KMOD_SNAPSHOT_H
#define _TTREC_KMOD_SNAPSHOT_H

#include <linux/bits.h>
#include <linux/mm_types.h>
#include <linux/pgtable.h>
#include <linux/xarray.h>

#include "ttrec.h"

/*
 * The held pages are kept per page table: a chunk has one slot per page of
 * the PMD_SIZE range one PTE table maps (PTRS_PER_PTE slots, one page), so
 * the walk fills a chunk under the PTE table's lock and stores it once.
 * Chunks live in an xarray indexed by virtual page number >> TTREC_CHUNK_SHIFT.
 */
#define TTREC_CHUNK_SHIFT	(PMD_SHIFT - PAGE_SHIFT)
#define TTREC_CHUNK_PAGES	BIT(TTREC_CHUNK_SHIFT)
#define TTREC_CHUNK_MASK	(TTREC_CHUNK_PAGES - 1)

struct ttrec_chunk {
	unsigned long slot[TTREC_CHUNK_PAGES];
};

/*
 * A slot is 0 (nothing held), a struct page pointer (a page shared
 * copy-on-write with the target) or a pointer tagged TTREC_SLOT_COPIED (a
 * copy the module made; a diff compares those by contents). While the
 * snapshot is built, a slot may also hold a copy request: the reason
 * shifted left by 2, tagged TTREC_SLOT_TODO. struct page is at least
 * 4-byte aligned, so the tags never collide with an address.
 */
#define TTREC_SLOT_COPIED	1UL
#define TTREC_SLOT_TODO		2UL
#define TTREC_SLOT_TAGS		3UL

static inline struct page *ttrec_slot_page(unsigned long slot)
{
	return (slot & TTREC_SLOT_TODO) ? NULL :
	       (struct page *)(slot & ~TTREC_SLOT_TAGS);
}

static inline bool ttrec_slot_copied(unsigned long slot)
{
	return (slot & TTREC_SLOT_TAGS) == TTREC_SLOT_COPIED;
}

/*
 * struct ttrec_snap - one snapshot, owned by its file (private_data).
 *
 * Built by ttrec_snapshot_create() before any file refers to it, then
 * immutable until the file's ->release(): readers (pread, the ioctls, a
 * diff against another snapshot) take no lock. @chunks maps a virtual page
 * number >> TTREC_CHUNK_SHIFT to a struct ttrec_chunk whose slots hold
 * referenced pages.
 */
struct ttrec_snap {
	u64 id;
	u64 session_id;
	struct pid *pid;		/* target group, referenced */
	u64 pause_ns;
	u64 taken_ns;			/* CLOCK_MONOTONIC, while parked */
	struct ttrec_snap_counts counts;
	struct ttrec_snap_vma *vmas;	/* sorted by address */
	u32 nr_vmas;
	u32 nr_threads;
	struct ttrec_thread_state **threads;
	/* the process state (state.c, fds.c): the ioctls' streams */
	u8 *proc;			/* TTREC_IOC_SNAP_PROC */
	size_t proc_len;
	u32 proc_notes;
	u32 nr_fds;
	u8 *fds;			/* TTREC_IOC_SNAP_FDS */
	size_t fds_len;
	u32 fds_total;
	u32 fds_state;			/* TTREC_FDS_* */
	struct xarray chunks;		/* vpn >> TTREC_CHUNK_SHIFT -> chunk */
	unsigned long nr_pages;		/* charged to @budget */
	struct ttrec_budget *budget;	/* referenced */
};

/* snapshot.c */
struct ttrec_snap *ttrec_snap_from_file(struct file *file);
unsigned long ttrec_snap_next_page(struct ttrec_snap *snap,
				   unsigned long *vpn, unsigned long last);

/* diff.c */
long ttrec_snap_ioc_diff(struct ttrec_snap *snap, void __user *uarg,
			 size_t usize);

#endif /* _TTREC_KMOD_SNAPSHOT_H */
