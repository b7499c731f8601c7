// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots placed in the journal (--snapshot-interval). ttrec.ko's
 * tracepoints give, in the global order of the events, a REC_EV_PARK for
 * every thread of the target as it parks and a REC_EV_SNAP once the
 * snapshot is taken, before any thread goes on (bpf/record.bpf.c). Each
 * becomes a REC_SNAP record at its own sequence number: a PARK record for
 * the thread, and the TAKEN record with the image and every thread's
 * position: the last record it had in the journal before it parked, which
 * is known here because events are written in sequence order and each
 * thread's last one is kept (only while snapshots are on).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/records.h"
#include "lib/log.h"
#include "record.h"
#include "record/internal.h"
#include "syscalls/restart.h"

/* A thread's last record (open addressing by tid; 0 is no thread). */
struct last_rec {
	uint32_t tid;
	uint64_t seq;
};

struct snap_positions {
	struct last_rec *last;
	size_t cap, used;
	/* the threads parked for snapshots not taken yet */
	struct rec_snap_thread *parked;
	uint64_t *parked_park;		/* the park each belongs to */
	size_t nparked, parked_cap;
};

int snap_positions_init(struct recorder *s)
{
	struct snap_positions *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->cap = 256;
	p->last = calloc(p->cap, sizeof(*p->last));
	if (!p->last) {
		free(p);
		return -ENOMEM;
	}
	s->pos = p;
	return 0;
}

void snap_positions_free(struct recorder *s)
{
	struct snap_positions *p = s->pos;

	if (!p)
		return;
	free(p->last);
	free(p->parked);
	free(p->parked_park);
	free(p);
	s->pos = NULL;
}

static struct last_rec *last_slot(struct last_rec *t, size_t cap, uint32_t tid)
{
	size_t i;

	for (i = (tid * 2654435761U) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (t[i].tid == tid || !t[i].tid)
			return &t[i];
}

/* At half full: twice the slots (on failure the table stays as it was). */
static void last_grow(struct snap_positions *p)
{
	struct last_rec *t = calloc(p->cap * 2, sizeof(*t));
	size_t i;

	if (!t)
		return;
	for (i = 0; i < p->cap; i++)
		if (p->last[i].tid)
			*last_slot(t, p->cap * 2, p->last[i].tid) = p->last[i];
	free(p->last);
	p->last = t;
	p->cap *= 2;
}

void snap_positions_note(struct recorder *s, uint32_t tid, uint64_t seq)
{
	struct snap_positions *p = s->pos;
	struct last_rec *r;

	if (!tid)
		return;
	r = last_slot(p->last, p->cap, tid);
	if (!r->tid) {
		if (p->used * 2 >= p->cap) {
			last_grow(p);
			r = last_slot(p->last, p->cap, tid);
			if (r->tid != tid && r->tid)
				return;
		}
		r->tid = tid;
		p->used++;
	}
	r->seq = seq;
}

static uint64_t last_of(const struct snap_positions *p, uint32_t tid)
{
	const struct last_rec *r = last_slot(p->last, p->cap, tid);

	return r->tid == tid ? r->seq : 0;
}

/* What a thread parked with syscall @nr and result so far @ret is in. */
static uint16_t park_flags(int64_t nr, int64_t ret)
{
	if (nr < 0)
		return 0;
	switch (-ret) {
	case ERESTARTSYS:
	case ERESTARTNOINTR:
	case ERESTARTNOHAND:
	case ERESTART_RESTARTBLOCK:
		return REC_SNAPT_SYSCALL | REC_SNAPT_IN_SYSCALL;
	}
	return REC_SNAPT_SYSCALL;
}

/* A thread parked: its PARK record, and its position kept for the snapshot. */
static void write_park(struct recorder *s, uint64_t seq, const struct rec_ev_park *e)
{
	struct snap_positions *p = s->pos;
	struct rec_snap_park r = {
		.type = REC_SNAP, .kind = REC_SNAP_PARK, .flags = park_flags(e->nr, e->ret),
		.tid = e->h.tid, .park = e->park, .nr = e->nr, .ret = e->ret,
	};

	if (p->nparked == p->parked_cap && p->nparked < REC_SNAP_MAX_THREADS * 4) {
		size_t cap = p->parked_cap ? p->parked_cap * 2 : 64;
		struct rec_snap_thread *t = realloc(p->parked, cap * sizeof(*t));
		uint64_t *k = t ? realloc(p->parked_park, cap * sizeof(*k)) : NULL;

		if (t)
			p->parked = t;
		if (k) {
			p->parked_park = k;
			p->parked_cap = cap;
		}
	}
	if (p->nparked < p->parked_cap) {
		p->parked[p->nparked] = (struct rec_snap_thread){
			.tid = e->h.tid, .flags = r.flags, .last_seq = last_of(p, e->h.tid),
			.park_seq = seq, .nr = e->nr,
		};
		p->parked_park[p->nparked++] = e->park;
	}
	rec_write_event(&s->w, seq, e->h.ts, &r, sizeof(r));
	snap_positions_note(s, e->h.tid, seq);
}

static int cmp_tid(const void *a, const void *b)
{
	const struct rec_snap_thread *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* The snapshot: its image and the positions of the threads parked for it. */
static void write_taken(struct recorder *s, uint64_t seq, const struct rec_ev_park *e)
{
	struct snap_positions *p = s->pos;
	size_t i, n = 0, keep = 0;
	struct rec_snap *r;

	r = calloc(1, sizeof(*r) + p->nparked * sizeof(struct rec_snap_thread));
	if (!r) {
		s->w.err = -ENOMEM;
		return;
	}
	r->type = REC_SNAP;
	r->kind = REC_SNAP_TAKEN;
	r->tid = e->tgid;
	r->park = e->park;
	r->snap_id = e->nr;
	if (!s->o->snap_image ||
	    !s->o->snap_image(s->o->tick_arg, e->h.tid, r->image, sizeof(r->image), r->image_id))
		pr_warn("snapshot %lld at event #%llu: its image is not known\n",
			(long long)e->nr, (unsigned long long)seq);
	/* this park's threads; those of parks that came to nothing go */
	for (i = 0; i < p->nparked; i++) {
		if (p->parked_park[i] == e->park)
			((struct rec_snap_thread *)(r + 1))[n++] = p->parked[i];
		else if (p->parked_park[i] > e->park) {
			p->parked[keep] = p->parked[i];
			p->parked_park[keep++] = p->parked_park[i];
		}
	}
	p->nparked = keep;
	if (n != e->nthreads)
		pr_warn("snapshot %s: %zu threads parked in the journal, the module says %u\n",
			r->image, n, e->nthreads);
	r->nthreads = n;
	qsort(r + 1, n, sizeof(struct rec_snap_thread), cmp_tid);
	rec_write_event(&s->w, seq, e->h.ts, r, sizeof(*r) + n * sizeof(struct rec_snap_thread));
	free(r);
}

void snap_positions_event(struct recorder *s, uint64_t seq, const void *ev)
{
	const struct rec_ev_park *e = ev;

	if (e->h.type == REC_EV_PARK)
		write_park(s, seq, e);
	else
		write_taken(s, seq, e);
}
