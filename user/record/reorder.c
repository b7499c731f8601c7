// SPDX-License-Identifier: GPL-2.0
/* Ring events back into sequence order (reorder.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/records.h"
#include "lib/log.h"
#include "record.h"
#include "record/reorder.h"

/* An event waiting for its turn. */
struct reorder_pending {
	uint64_t seq;
	struct rec_chunk *chunks;	/* REC_EV_SYS: its outputs, in order */
	uint8_t ev[];
};

struct reorder_tid {
	uint32_t tid;
	struct rec_chunk *head, **tail;
};

void reorder_init(struct reorder *ro, uint64_t first_seq, reorder_emit_fn *emit, void *ctx)
{
	memset(ro, 0, sizeof(*ro));
	ro->next_seq = first_seq;
	ro->emit = emit;
	ro->ctx = ctx;
}

/* ------------------------------------------------------------ the heap */

static void heap_swap(struct reorder_pending **a, struct reorder_pending **b)
{
	struct reorder_pending *t = *a;

	*a = *b;
	*b = t;
}

static int heap_push(struct reorder *ro, struct reorder_pending *p)
{
	size_t i;

	if (ro->nheap == ro->heap_cap) {
		size_t cap = ro->heap_cap ? ro->heap_cap * 2 : 1024;
		struct reorder_pending **h = realloc(ro->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		ro->heap = h;
		ro->heap_cap = cap;
	}
	i = ro->nheap++;
	ro->heap[i] = p;
	while (i && ro->heap[(i - 1) / 2]->seq > ro->heap[i]->seq) {
		heap_swap(&ro->heap[(i - 1) / 2], &ro->heap[i]);
		i = (i - 1) / 2;
	}
	return 0;
}

static struct reorder_pending *heap_pop(struct reorder *ro)
{
	struct reorder_pending *top = ro->heap[0];
	size_t i = 0;

	ro->heap[0] = ro->heap[--ro->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < ro->nheap && ro->heap[l]->seq < ro->heap[m]->seq)
			m = l;
		if (r < ro->nheap && ro->heap[r]->seq < ro->heap[m]->seq)
			m = r;
		if (m == i)
			break;
		heap_swap(&ro->heap[i], &ro->heap[m]);
		i = m;
	}
	return top;
}

static void free_chunks(struct rec_chunk *c)
{
	while (c) {
		struct rec_chunk *n = c->next;

		free(c);
		c = n;
	}
}

void reorder_drain(struct reorder *ro, bool all)
{
	while (ro->nheap && (all || ro->heap[0]->seq <= ro->next_seq)) {
		struct reorder_pending *p = heap_pop(ro);

		if (p->seq != ro->next_seq && all)
			pr_debug("sequence hole before %llu at the end\n",
				 (unsigned long long)p->seq);
		ro->emit(ro->ctx, p->seq, p->ev, p->chunks);
		ro->next_seq = p->seq + 1;
		free_chunks(p->chunks);
		free(p);
	}
}

/* --------------------------------------------------- chunks by thread */

static struct reorder_tid *tid_slot(struct reorder *ro, uint32_t tid, bool create);

/* At 50% load: twice the slots. 0 or -ENOMEM. */
static int tid_grow(struct reorder *ro)
{
	struct reorder_tid *old = ro->tids;
	size_t oldcap = ro->tid_cap, j;

	ro->tids = calloc(oldcap * 2, sizeof(*ro->tids));
	if (!ro->tids) {
		ro->tids = old;
		return -ENOMEM;
	}
	ro->tid_cap = oldcap * 2;
	for (j = 0; j < oldcap; j++) {
		struct reorder_tid *t;

		if (!old[j].tid)
			continue;
		t = tid_slot(ro, old[j].tid, true);
		*t = old[j];
		if (!t->head)
			t->tail = &t->head;
	}
	free(old);
	return 0;
}

static struct reorder_tid *tid_slot(struct reorder *ro, uint32_t tid, bool create)
{
	size_t i, mask, used = 0, j;

	if (!ro->tid_cap) {
		if (!create)
			return NULL;
		ro->tids = calloc(256, sizeof(*ro->tids));
		if (!ro->tids)
			return NULL;
		ro->tid_cap = 256;
	}
	mask = ro->tid_cap - 1;
	for (i = (tid * 2654435761U) & mask;; i = (i + 1) & mask) {
		if (ro->tids[i].tid == tid)
			return &ro->tids[i];
		if (!ro->tids[i].tid)
			break;
	}
	if (!create)
		return NULL;
	for (j = 0; j < ro->tid_cap; j++)
		used += !!ro->tids[j].tid;
	if (used * 2 >= ro->tid_cap)
		return tid_grow(ro) ? NULL : tid_slot(ro, tid, true);
	ro->tids[i].tid = tid;
	ro->tids[i].head = NULL;
	ro->tids[i].tail = &ro->tids[i].head;
	return &ro->tids[i];
}

/* A REC_EV_CHUNK: in its journal form onto its thread's list. */
static int take_chunk(struct reorder *ro, const struct rec_ev_chunk *e, size_t size)
{
	struct reorder_tid *t;
	struct rec_chunk *c;
	size_t n = e->len;

	if (n > REC_CHUNK_MAX || sizeof(*e) + n > size)
		return 0;
	c = malloc(sizeof(*c) + sizeof(struct rec_out) + n);
	t = tid_slot(ro, e->h.tid, true);
	if (!c || !t) {
		free(c);
		return -ENOMEM;
	}
	c->next = NULL;
	c->call = e->call;
	c->len = sizeof(struct rec_out) + n;
	if (e->region & REC_EV_IN)
		rec_in_init((struct rec_in *)c->rec, e->region & ~REC_EV_IN, e->trunc, e->fault);
	else
		rec_out_init((struct rec_out *)c->rec, e->region, e->off, e->fault);
	memcpy(c->rec + sizeof(struct rec_out), e + 1, n);
	*t->tail = c;
	t->tail = &c->next;
	return 0;
}

/*
 * The chunks of syscall @e from its thread's list (the list of the tid it
 * entered as, when an exec changed it); those of others were orphans.
 */
static struct rec_chunk *take_chunks_of(struct reorder *ro, const struct rec_ev_sys *e)
{
	struct reorder_tid *t = tid_slot(ro, e->chunk_tid ? e->chunk_tid : e->h.tid, false);
	struct rec_chunk **pp, *c, *keep = NULL, **kt = &keep;

	if (!t || !t->head)
		return NULL;
	pp = &t->head;
	while ((c = *pp)) {
		*pp = c->next;
		c->next = NULL;
		if (c->call == e->call) {
			*kt = c;
			kt = &c->next;
		} else {
			free(c);	/* of a syscall whose own event was lost */
		}
	}
	t->head = NULL;
	t->tail = &t->head;
	return keep;
}

int reorder_event(struct reorder *ro, const void *data, size_t size)
{
	const struct rec_ev_hdr *h = data;
	struct reorder_pending *p;

	if (size < sizeof(*h))
		return 0;
	if (h->type == REC_EV_CHUNK)
		return take_chunk(ro, data, size);
	if (h->type == REC_EV_SYSD) {
		const struct rec_ev_sysd *e = data;

		if (size < sizeof(*e) || e->len > REC_CHUNK_MAX || sizeof(*e) + e->len > size)
			return 0;
	}
	/* in order with nothing waiting: straight on, no copy */
	if (!ro->nheap && h->seq == ro->next_seq &&
	    (h->type == REC_EV_SYSD ||
	     (h->type == REC_EV_SYS && !((const struct rec_ev_sys *)data)->nchunks))) {
		ro->emit(ro->ctx, h->seq, data, NULL);
		ro->next_seq++;
		return 0;
	}
	p = malloc(sizeof(*p) + size);
	if (!p)
		return -ENOMEM;
	p->seq = h->seq;
	p->chunks = NULL;
	memcpy(p->ev, data, size);
	if (h->type == REC_EV_SYS)
		p->chunks = take_chunks_of(ro, data);
	if (heap_push(ro, p)) {
		free_chunks(p->chunks);
		free(p);
		return -ENOMEM;
	}
	reorder_drain(ro, false);
	return 0;
}

void reorder_free(struct reorder *ro)
{
	size_t i;

	for (i = 0; ro->heap && i < ro->nheap; i++) {
		free_chunks(ro->heap[i]->chunks);
		free(ro->heap[i]);
	}
	free(ro->heap);
	for (i = 0; ro->tids && i < ro->tid_cap; i++)
		free_chunks(ro->tids[i].head);
	free(ro->tids);
	memset(ro, 0, sizeof(*ro));
}
