/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttrec: the process state a snapshot holds besides memory and registers
 * (TTREC_FEATURE_SNAP_STATE), shared by state.c, fds.c and snapshot.c (not
 * uapi). The state is kept as the byte streams the ioctls return, built
 * once while the threads are parked.
 */
#ifndef _TTREC_KMOD_STATE_H
#define _TTREC_KMOD_STATE_H

#include <linux/types.h>

#include "ttrec.h"

struct ttrec_snap;
struct task_struct;

/*
 * struct ttrec_sbuf - a byte stream being built: notes (struct
 * ttrec_snap_note, data, padding to 8 bytes) and, for the descriptor
 * stream, records. kvmalloc()ed, grown by doubling. Once @err is set every
 * append is a no-op. Owned by its builder; no lock.
 */
struct ttrec_sbuf {
	u8 *p;
	size_t len, cap;
	int err;
	u32 count;	/* notes, or records */
};

void ttrec_sbuf_free(struct ttrec_sbuf *b);
void *ttrec_sbuf_append(struct ttrec_sbuf *b, size_t len);
void ttrec_sbuf_note(struct ttrec_sbuf *b, u32 type, const void *data,
		     size_t len);

extern unsigned int ttrec_max_snapshot_fds;
extern unsigned long ttrec_max_snapshot_fd_data;

/* state.c */
int ttrec_state_capture(struct ttrec_snap *snap, struct ttrec_park *park);
long ttrec_snap_ioc_proc(struct ttrec_snap *snap, void __user *uarg,
			 size_t usize);
long ttrec_snap_ioc_fds(struct ttrec_snap *snap, void __user *uarg,
			size_t usize);

/* fds.c */
int ttrec_state_fds(struct ttrec_snap *snap, struct ttrec_park *park,
		    struct task_struct *task);

#endif /* _TTREC_KMOD_STATE_H */
