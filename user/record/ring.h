/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF ring buffers, read in place through their mmap (the layout libbpf
 * uses: a consumer_pos page, then a producer_pos page and the data mapped
 * twice, so a record that wraps is contiguous; the record header bits are
 * <linux/bpf.h>'s). Unlike libbpf's reader, consumer_pos is published once
 * per RING_PUBLISH bytes rather than per record: the producing CPUs read it
 * at every reservation.
 */
#ifndef TTREC_RECORD_RING_H
#define TTREC_RECORD_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
	int fd;
	size_t size, page;
	unsigned long *cons_pos;	/* consumer_pos (read-write page) */
	unsigned long *prod_pos;	/* producer_pos, then the data twice */
	uint8_t *data;
	unsigned long cons, pub, prod;	/* read up to, published, seen */
};

/* Map the ring of map fd @fd (@size data bytes). 0 or -errno. */
int ring_open(struct ring *r, int fd, size_t size);
void ring_close(struct ring *r);
/* Bytes the producers have committed or reserved that are not read yet. */
unsigned long ring_used(const struct ring *r);
/*
 * Hand every committed record of both rings to @fn, merged by sequence
 * number (struct rec_ev_hdr; a syscall's chunks, numbered 0, come before
 * it), so that events rarely wait in the reorder heap. @fn returns 0 or
 * -errno (then the drain stops before that record). Bytes read, or -errno.
 */
long ring_drain(struct ring *big, struct ring *hot,
		int (*fn)(void *ctx, const void *rec, size_t len), void *ctx);

#endif
