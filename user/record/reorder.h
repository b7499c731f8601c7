/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ring events back into sequence order. The rings hold events in
 * reservation order, which across CPUs is not quite sequence order: events
 * wait in a min-heap until every smaller sequence number has been handed
 * on. A syscall's output chunks and input strings (REC_EV_CHUNK, no
 * sequence number of their own) arrive before its REC_EV_SYS and wait on a
 * per-thread list, already in their journal form (struct rec_out or
 * struct rec_in, + data), until it comes.
 */
#ifndef TTREC_RECORD_REORDER_H
#define TTREC_RECORD_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rec_chunk {
	struct rec_chunk *next;
	uint64_t call;		/* the thread's call number it belongs to */
	size_t len;
	uint8_t rec[];		/* a REC_IN or REC_OUT record */
};

struct reorder_pending;
struct reorder_tid;

/*
 * Called with each event in sequence order: the ring event @ev (a
 * REC_EV_SYS with its @chunks in the order they came, a REC_EV_SYSD, a
 * REC_EV_SIGNAL...). The chunks are freed after the call.
 */
typedef void reorder_emit_fn(void *ctx, uint64_t seq, const void *ev,
			     const struct rec_chunk *chunks);

struct reorder {
	reorder_emit_fn *emit;
	void *ctx;
	uint64_t next_seq;		/* the next one to hand on */
	struct reorder_pending **heap;
	size_t nheap, heap_cap;
	struct reorder_tid *tids;	/* chunks by thread (open addressing) */
	size_t tid_cap;
};

/* An empty reorderer whose first event is number @first_seq. */
void reorder_init(struct reorder *ro, uint64_t first_seq, reorder_emit_fn *emit, void *ctx);
/* Take one ring record; what is next in order goes on. 0 or -ENOMEM. */
int reorder_event(struct reorder *ro, const void *data, size_t size);
/* Hand on what is next in order; with @all, everything left (the end). */
void reorder_drain(struct reorder *ro, bool all);
void reorder_free(struct reorder *ro);

#endif
