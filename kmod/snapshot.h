/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttrec: the snapshot object, shared by snapshot.c and diff.c (not uapi).
 */
#ifndef _TTREC_KMOD_SNAPSHOT_H
#define _TTREC_KMOD_SNAPSHOT_H

#include <linux/xarray.h>

#include "ttrec.h"

/* Mark on @pages entries the snapshot copied itself (not copy-on-write). */
#define TTREC_SNAP_COPIED	XA_MARK_0

/*
 * struct ttrec_snap - one snapshot, owned by its file (private_data).
 *
 * Built by ttrec_snapshot_create() before any file refers to it, then
 * immutable until the file's ->release(): readers (pread, the ioctls, a
 * diff against another snapshot) take no lock. @pages maps a virtual page
 * number to a referenced struct page: a page shared copy-on-write with the
 * target, or, marked TTREC_SNAP_COPIED, a copy the module made.
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
	struct xarray pages;		/* vpn -> struct page * (held) */
	unsigned long nr_pages;		/* charged to @budget */
	struct ttrec_budget *budget;	/* referenced */
};

/* snapshot.c */
struct ttrec_snap *ttrec_snap_from_file(struct file *file);

/* diff.c */
long ttrec_snap_ioc_diff(struct ttrec_snap *snap, void __user *uarg,
			 size_t usize);

#endif /* _TTREC_KMOD_SNAPSHOT_H */
