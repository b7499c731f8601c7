// SPDX-License-Identifier: GPL-2.0
/*
 * The recorder shared by `ttrec record` and `ttrec attach`: open, configure,
 * load and attach bpf/record.bpf.c, start or pick the target, then drain
 * the ring buffer into the journal until the target is gone.
 *
 * The ring holds events in reservation order, which across CPUs is not
 * quite sequence order: events wait in a min-heap until every smaller
 * sequence number has been written. A syscall's output chunks arrive
 * before its REC_EV_SYS and wait on a per-thread list.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "format/journal.h"
#include "lib/log.h"
#include "format/recording.h"
#include "record/recorder.h"
#include "launch/launch.h"
#include "record/tracer.h"
#include "replay/replay.h"
#include "syscalls/table.h"
#include "lib/util.h"
#include "record.skel.h"

#define DEFAULT_RING_BYTES	(64ULL << 20)
#define POLL_MS			5
#define FLUSH_NS		500000000ULL

/*
 * An output chunk or an input string, already in its journal form
 * (struct rec_out or struct rec_in, + data).
 */
struct chunk {
	struct chunk *next;
	uint64_t call;
	size_t len;
	uint8_t rec[];
};

_Static_assert(sizeof(struct rec_out) == sizeof(struct rec_in), "same header size");

/* An event waiting for its turn. */
struct pending {
	uint64_t seq;
	struct chunk *chunks;	/* REC_EV_SYS: its outputs, in order */
	size_t size;
	uint8_t ev[];
};

struct tid_chunks {
	uint32_t tid;
	struct chunk *head, **tail;
};

struct rec_state {
	struct record_bpf *skel;
	struct journal_writer *jw;
	int err;			/* first journal error: stops the recording */
	/* reorder heap */
	struct pending **heap;
	size_t nheap, heap_cap;
	uint64_t next_seq;
	uint64_t last_seq;		/* of the last record written */
	/* chunks by thread (open addressing) */
	struct tid_chunks *tids;
	size_t tid_cap;
	/* time */
	uint64_t last_ts;		/* of the last event given a dts */
	uint64_t since_time;
	uint64_t jts;			/* a reader's time after the last record appended */
	/* loss */
	uint64_t lost_seen;
	uint64_t lost_first_seq;
	int ncpus;
	/* counts */
	uint64_t events, syscalls, out_bytes, unknown;
	uint64_t last_flush;
	uint64_t next_check;		/* of the loss counters and the target */
	int nice;			/* of the draining thread */
	/* for -v: ring bytes read, from the hot ring, drain passes */
	uint64_t ring_bytes, hot_bytes, passes;
	/* consecutive output-less syscalls share one journal record */
	struct rec_sys batch[REC_BATCH_MAX];
	unsigned int nbatch;
	uint64_t batch_seq;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---------------------------------------------------------- journal out */

/* Follow the time a reader computes, record by record (see chunk_time()). */
static void track_time(struct rec_state *s, const uint8_t *rec, size_t len)
{
	int32_t dts;
	size_t off;

	switch (rec[0]) {
	case REC_TIME:
		s->jts = ((const struct rec_time *)rec)->ns;
		break;
	case REC_START:
		s->jts = ((const struct rec_start *)rec)->ns;
		break;
	case REC_SYS:		/* one, or a batch */
		for (off = 0; off + sizeof(struct rec_sys) <= len; off += sizeof(struct rec_sys)) {
			memcpy(&dts, rec + off + offsetof(struct rec_sys, dts), sizeof(dts));
			s->jts += (int64_t)dts;
		}
		break;
	case REC_SIGNAL:
	case REC_SCHED:
	case REC_TASK:		/* dts at offset 4, as in rec_sys */
		memcpy(&dts, rec + 4, sizeof(dts));
		s->jts += (int64_t)dts;
		break;
	}
}

static int append(struct rec_state *s, uint64_t seq, const void *rec, size_t len)
{
	int err;

	if (s->err)
		return s->err;
	err = journal_append(s->jw, seq, rec, len);
	if (err) {
		s->err = err;
		return err;
	}
	track_time(s, rec, len);
	return 0;
}

/*
 * Every chunk starts with a REC_TIME: the time a reader has reached there,
 * so a reader that skipped a damaged chunk has the right time again at the
 * next one (the dts of the records are relative to each other).
 */
static int chunk_time(void *ctx, uint64_t seq)
{
	struct rec_state *s = ctx;
	struct rec_time t = { .type = REC_TIME, .ns = s->jts };

	if (!s->jts)		/* REC_START comes first and sets it */
		return 0;
	return journal_append(s->jw, seq, &t, sizeof(t));
}

static int flush_batch(struct rec_state *s)
{
	int err = 0;

	if (s->nbatch)
		err = append(s, s->batch_seq, s->batch, s->nbatch * sizeof(s->batch[0]));
	s->nbatch = 0;
	return err;
}

static int put_sys(struct rec_state *s, uint64_t seq, const struct rec_sys *r)
{
	if (s->nbatch && (r->nout || seq != s->batch_seq + s->nbatch ||
			  s->nbatch == REC_BATCH_MAX))
		flush_batch(s);
	if (r->nout) {
		s->last_seq = seq;
		return append(s, seq, r, sizeof(*r));
	}
	if (!s->nbatch)
		s->batch_seq = seq;
	s->batch[s->nbatch++] = *r;
	s->last_seq = seq;
	return s->err;
}

static int put(struct rec_state *s, uint64_t seq, const void *rec, size_t len)
{
	int err;

	flush_batch(s);
	err = append(s, seq, rec, len);
	if (err) {
		s->err = err;
		return err;
	}
	s->last_seq = seq;
	return 0;
}

/* The dts of an event at @ts, writing a REC_TIME first when needed. */
static int32_t dts_for(struct rec_state *s, uint64_t seq, uint64_t ts)
{
	int64_t d = (int64_t)(ts - s->last_ts);

	if (++s->since_time >= REC_TIME_EVERY || d > INT32_MAX || d < INT32_MIN) {
		struct rec_time t = { .type = REC_TIME, .ns = ts };

		put(s, seq, &t, sizeof(t));
		s->since_time = 0;
		d = 0;
	}
	s->last_ts = ts;
	return (int32_t)d;
}

/* A REC_EV_SYSD, in order: straight from the ring into the journal. */
static void write_sysd(struct rec_state *s, const struct rec_ev_sysd *e, uint64_t seq)
{
	struct rec_sys r = {
		.type = REC_SYS, .flags = e->s.flags, .nr = e->s.nr,
		.tid = e->s.h.tid, .ret = e->s.ret, .nout = 1,
	};
	struct rec_out o = { .type = REC_OUT, .region = e->region, .flags = e->fault };

	s->events++;
	s->syscalls++;
	if (r.flags & REC_SF_OUT_UNKNOWN)
		s->unknown++;
	memcpy(r.args, e->s.args, sizeof(r.args));
	r.dts = dts_for(s, seq, e->s.h.ts);
	put_sys(s, seq, &r);
	flush_batch(s);
	if (!s->err)
		s->err = journal_append2(s->jw, seq, &o, sizeof(o), e + 1, e->len);
	s->out_bytes += e->len;
}

static void write_event(struct rec_state *s, uint64_t seq, const void *ev,
			struct chunk *chunks)
{
	const struct rec_ev_hdr *h = ev;
	struct chunk *c;

	s->events++;
	switch (h->type) {
	case REC_EV_SYS: {
		const struct rec_ev_sys *e = ev;
		struct rec_sys r = {
			.type = REC_SYS, .flags = e->flags, .nr = e->nr,
			.tid = e->h.tid, .ret = e->ret,
		};
		uint32_t n = 0, nin = 0;

		for (c = chunks; c; c = c->next) {
			n++;
			nin += c->rec[0] == REC_IN;
		}
		if (n != e->nchunks)
			r.flags |= REC_SF_OUT_LOST;
		r.nout = n - nin;
		memcpy(r.args, e->args, sizeof(r.args));
		r.dts = dts_for(s, seq, e->h.ts);
		s->syscalls++;
		if (r.flags & REC_SF_OUT_UNKNOWN)
			s->unknown++;
		/* input strings first, so the syscall and its outputs stay together */
		for (c = chunks; nin && c; c = c->next)
			if (c->rec[0] == REC_IN)
				put(s, seq, c->rec, c->len);
		put_sys(s, seq, &r);
		for (c = chunks; c; c = c->next) {
			if (c->rec[0] != REC_OUT)
				continue;
			put(s, seq, c->rec, c->len);
			s->out_bytes += c->len - sizeof(struct rec_out);
		}
		break;
	}
	case REC_EV_SIGNAL: {
		const struct rec_ev_signal *e = ev;
		struct rec_signal r = {
			.type = REC_SIGNAL, .sig = e->sig, .tid = e->h.tid,
			.code = e->code, .handler = e->handler,
			.syscall = e->syscall, .ax = e->ax, .ip = e->ip,
		};

		r.dts = dts_for(s, seq, e->h.ts);
		put(s, seq, &r, sizeof(r));
		break;
	}
	case REC_EV_SCHED: {
		const struct rec_ev_sched *e = ev;
		struct rec_sched r = {
			.type = REC_SCHED, .kind = e->kind, .cpu = e->cpu,
			.tid = e->h.tid, .state = e->state, .ip = e->ip,
			.preempt = e->preempt, .other = e->other,
		};

		r.dts = dts_for(s, seq, e->h.ts);
		put(s, seq, &r, sizeof(r));
		break;
	}
	case REC_EV_TASK: {
		const struct rec_ev_task *e = ev;
		uint8_t buf[sizeof(struct rec_task) + REC_COMM_LEN];
		struct rec_task *r = (void *)buf;
		size_t len = sizeof(*r);

		memset(r, 0, sizeof(*r));
		r->type = REC_TASK;
		r->kind = e->kind;
		r->group_dead = e->group_dead;
		r->traced = e->traced;
		r->tid = e->h.tid;
		r->tgid = e->tgid;
		r->child = e->child;
		r->exit_code = e->exit_code;
		r->dts = dts_for(s, seq, e->h.ts);
		if (e->kind == REC_TASK_EXEC) {
			size_t n = strnlen(e->filename, REC_COMM_LEN - 1);

			memcpy(buf + len, e->filename, n);
			buf[len + n] = 0;
			len += n + 1;
		}
		put(s, seq, buf, len);
		break;
	}
	}
}

/* ------------------------------------------------------------ the heap */

static void heap_swap(struct pending **a, struct pending **b)
{
	struct pending *t = *a;

	*a = *b;
	*b = t;
}

static int heap_push(struct rec_state *s, struct pending *p)
{
	size_t i;

	if (s->nheap == s->heap_cap) {
		size_t cap = s->heap_cap ? s->heap_cap * 2 : 1024;
		struct pending **h = realloc(s->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		s->heap = h;
		s->heap_cap = cap;
	}
	i = s->nheap++;
	s->heap[i] = p;
	while (i && s->heap[(i - 1) / 2]->seq > s->heap[i]->seq) {
		heap_swap(&s->heap[(i - 1) / 2], &s->heap[i]);
		i = (i - 1) / 2;
	}
	return 0;
}

static struct pending *heap_pop(struct rec_state *s)
{
	struct pending *top = s->heap[0];
	size_t i = 0;

	s->heap[0] = s->heap[--s->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->nheap && s->heap[l]->seq < s->heap[m]->seq)
			m = l;
		if (r < s->nheap && s->heap[r]->seq < s->heap[m]->seq)
			m = r;
		if (m == i)
			break;
		heap_swap(&s->heap[i], &s->heap[m]);
		i = m;
	}
	return top;
}

static void free_chunks(struct chunk *c)
{
	while (c) {
		struct chunk *n = c->next;

		free(c);
		c = n;
	}
}

/* Write the events that are next in order; with @all, everything left. */
static void heap_drain(struct rec_state *s, bool all)
{
	while (s->nheap && (all || s->heap[0]->seq <= s->next_seq)) {
		struct pending *p = heap_pop(s);

		if (p->seq != s->next_seq && all)
			pr_debug("sequence hole before %llu at the end\n",
				 (unsigned long long)p->seq);
		write_event(s, p->seq, p->ev, p->chunks);
		s->next_seq = p->seq + 1;
		free_chunks(p->chunks);
		free(p);
	}
}

/* --------------------------------------------------- chunks by thread */

static struct tid_chunks *tid_slot(struct rec_state *s, uint32_t tid, bool create)
{
	size_t i, mask;

	if (!s->tid_cap) {
		if (!create)
			return NULL;
		s->tid_cap = 256;
		s->tids = calloc(s->tid_cap, sizeof(*s->tids));
		if (!s->tids)
			return NULL;
	}
	mask = s->tid_cap - 1;
	for (i = (tid * 2654435761U) & mask;; i = (i + 1) & mask) {
		if (s->tids[i].tid == tid)
			return &s->tids[i];
		if (!s->tids[i].tid)
			break;
	}
	if (!create)
		return NULL;
	/* grow at 50% load */
	{
		size_t used = 0, j;

		for (j = 0; j < s->tid_cap; j++)
			used += !!s->tids[j].tid;
		if (used * 2 >= s->tid_cap) {
			struct tid_chunks *old = s->tids;
			size_t oldcap = s->tid_cap;

			s->tid_cap *= 2;
			s->tids = calloc(s->tid_cap, sizeof(*s->tids));
			if (!s->tids) {
				s->tids = old;
				s->tid_cap = oldcap;
				return NULL;
			}
			for (j = 0; j < oldcap; j++) {
				struct tid_chunks *t;

				if (!old[j].tid)
					continue;
				t = tid_slot(s, old[j].tid, true);
				*t = old[j];
				if (!t->head)
					t->tail = &t->head;
			}
			free(old);
			return tid_slot(s, tid, true);
		}
	}
	s->tids[i].tid = tid;
	s->tids[i].head = NULL;
	s->tids[i].tail = &s->tids[i].head;
	return &s->tids[i];
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct rec_state *s = ctx;
	const struct rec_ev_hdr *h = data;
	struct tid_chunks *t;
	struct pending *p;

	if (size < sizeof(*h))
		return 0;
	if (h->type == REC_EV_CHUNK) {
		const struct rec_ev_chunk *e = data;
		struct rec_out *o;
		struct chunk *c;
		size_t n = e->len;

		if (n > REC_CHUNK_MAX || sizeof(*e) + n > size)
			return 0;
		c = malloc(sizeof(*c) + sizeof(*o) + n);
		t = tid_slot(s, h->tid, true);
		if (!c || !t) {
			free(c);
			return -ENOMEM;
		}
		c->next = NULL;
		c->call = e->call;
		c->len = sizeof(*o) + n;
		if (e->region & REC_EV_IN) {
			struct rec_in *in = (void *)c->rec;

			memset(in, 0, sizeof(*in));
			in->type = REC_IN;
			in->arg = e->region & ~REC_EV_IN;
			in->flags = (e->trunc ? REC_IN_TRUNC : 0) | (e->fault ? REC_IN_FAULT : 0);
		} else {
			o = (void *)c->rec;
			o->type = REC_OUT;
			o->region = e->region;
			o->flags = e->fault;
			o->off = e->off;
		}
		memcpy(c->rec + sizeof(*o), e + 1, n);
		*t->tail = c;
		t->tail = &c->next;
		return 0;
	}
	if (h->type == REC_EV_SYSD && !s->nheap && h->seq == s->next_seq) {
		const struct rec_ev_sysd *e = data;

		if (size < sizeof(*e) || e->len > REC_CHUNK_MAX || sizeof(*e) + e->len > size)
			return 0;
		write_sysd(s, e, h->seq);
		s->next_seq++;
		return 0;
	}
	if (h->type == REC_EV_SYS && !s->nheap && h->seq == s->next_seq &&
	    !((const struct rec_ev_sys *)data)->nchunks) {
		write_event(s, h->seq, data, NULL);
		s->next_seq++;
		return 0;
	}
	if (h->type == REC_EV_SYSD) {
		/* a syscall and its output in one record: split them */
		const struct rec_ev_sysd *e = data;
		struct rec_ev_sys *sys;
		struct rec_out *o;
		struct chunk *c;
		size_t n = e->len;

		if (size < sizeof(*e) || n > REC_CHUNK_MAX || sizeof(*e) + n > size)
			return 0;
		p = malloc(sizeof(*p) + sizeof(*sys));
		c = malloc(sizeof(*c) + sizeof(*o) + n);
		if (!p || !c) {
			free(p);
			free(c);
			return -ENOMEM;
		}
		p->seq = h->seq;
		p->size = sizeof(*sys);
		memcpy(p->ev, &e->s, sizeof(*sys));
		sys = (void *)p->ev;
		sys->h.type = REC_EV_SYS;
		c->next = NULL;
		c->call = 0;
		c->len = sizeof(*o) + n;
		o = (void *)c->rec;
		o->type = REC_OUT;
		o->region = e->region;
		o->flags = e->fault;
		o->off = 0;
		memcpy(c->rec + sizeof(*o), e + 1, n);
		p->chunks = c;
		goto push;
	}
	p = malloc(sizeof(*p) + size);
	if (!p)
		return -ENOMEM;
	p->seq = h->seq;
	p->chunks = NULL;
	p->size = size;
	memcpy(p->ev, data, size);
	if (h->type == REC_EV_SYS) {
		const struct rec_ev_sys *e = data;

		t = tid_slot(s, h->tid, false);
		if (t && t->head) {
			/* chunks of a syscall whose own event was lost: drop */
			struct chunk **pp = &t->head, *c, *keep = NULL, **kt = &keep;

			while ((c = *pp)) {
				*pp = c->next;
				c->next = NULL;
				if (c->call == e->call) {
					*kt = c;
					kt = &c->next;
				} else {
					free(c);
				}
			}
			p->chunks = keep;
			t->head = NULL;
			t->tail = &t->head;
		}
	}
push:
	if (heap_push(s, p)) {
		free_chunks(p->chunks);
		free(p);
		return -ENOMEM;
	}
	heap_drain(s, false);
	return 0;
}

/*
 * The BPF ring buffers, read in place through their mmap (the layout libbpf
 * uses: a consumer_pos page, then a producer_pos page and the data mapped
 * twice, so a record that wraps is contiguous). Unlike libbpf's reader,
 * consumer_pos is published once per RING_PUBLISH bytes rather than per
 * record: the producing CPUs read it at every reservation.
 */
#define RING_BUSY_BIT		(1U << 31)
#define RING_DISCARD_BIT	(1U << 30)
#define RING_HDR		8
#define RING_PUBLISH		(256U << 10)
#define HOT_RING_BYTES		(4U << 20)
#define DRAIN_US		100

struct ring {
	int fd;
	size_t size, page;
	unsigned long *cons_pos;	/* consumer_pos (read-write page) */
	unsigned long *prod_pos;	/* producer_pos, then the data twice */
	uint8_t *data;
	unsigned long cons, pub, prod;	/* read up to, published, seen */
};

static int ring_open(struct ring *r, int fd, size_t size)
{
	void *p;

	r->fd = fd;
	r->size = size;
	r->page = sysconf(_SC_PAGESIZE);
	r->cons_pos = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->cons_pos == MAP_FAILED) {
		r->cons_pos = NULL;
		return -errno;
	}
	p = mmap(NULL, r->page + 2 * size, PROT_READ, MAP_SHARED, fd, r->page);
	if (p == MAP_FAILED) {
		int err = -errno;

		munmap(r->cons_pos, r->page);
		r->cons_pos = NULL;
		return err;
	}
	r->prod_pos = p;
	r->data = (uint8_t *)p + r->page;
	r->cons = r->pub = r->prod = __atomic_load_n(r->cons_pos, __ATOMIC_ACQUIRE);
	return 0;
}

static void ring_close(struct ring *r)
{
	if (r->cons_pos)
		munmap(r->cons_pos, r->page);
	if (r->prod_pos)
		munmap(r->prod_pos, r->page + 2 * r->size);
	r->cons_pos = NULL;
	r->prod_pos = NULL;
}

/* The next committed record (its length in *len), or NULL. */
static void *ring_peek(struct ring *r, uint32_t *len)
{
	for (;;) {
		uint32_t *lp, l;

		if (r->cons >= r->prod) {
			r->prod = __atomic_load_n(r->prod_pos, __ATOMIC_ACQUIRE);
			if (r->cons >= r->prod)
				return NULL;
		}
		lp = (uint32_t *)(r->data + (r->cons & (r->size - 1)));
		l = __atomic_load_n(lp, __ATOMIC_ACQUIRE);
		if (l & RING_BUSY_BIT)
			return NULL;	/* still being written */
		if (l & RING_DISCARD_BIT) {
			r->cons += ((l & ~RING_DISCARD_BIT) + RING_HDR + 7) & ~7UL;
			continue;
		}
		*len = l;
		return (uint8_t *)lp + RING_HDR;
	}
}

/* Past the record ring_peek() gave; the producers learn of it in batches. */
static void ring_next(struct ring *r, uint32_t len)
{
	r->cons += (len + RING_HDR + 7) & ~7UL;
	if (r->cons - r->pub >= RING_PUBLISH) {
		__atomic_store_n(r->cons_pos, r->cons, __ATOMIC_RELEASE);
		r->pub = r->cons;
	}
}

static void ring_publish(struct ring *r)
{
	if (r->cons != r->pub) {
		__atomic_store_n(r->cons_pos, r->cons, __ATOMIC_RELEASE);
		r->pub = r->cons;
	}
}

static int handle_event(void *ctx, void *data, size_t size);

/*
 * While the big ring is less than half full, drain at nice 19: on a busy
 * machine the traced program (and everybody else) then goes first and the
 * ring absorbs the burst; past half full, at the normal priority again, so
 * that the ring does not overflow.
 */
static void yield_while_room(struct rec_state *s, struct ring *big)
{
	unsigned long used = __atomic_load_n(big->prod_pos, __ATOMIC_ACQUIRE) - big->cons;
	int nice = used < big->size / 2 ? 19 : 0;

	if (nice != s->nice) {
		setpriority(PRIO_PROCESS, syscall(SYS_gettid), nice);
		s->nice = nice;
	}
}

/*
 * Hand every committed record of both rings to handle_event(), merged by
 * sequence number (a syscall's chunks, numbered 0, come before it), so that
 * events rarely wait in the reorder heap. Bytes read, or -errno.
 */
static long ring_drain(struct rec_state *s, struct ring *big, struct ring *hot)
{
	long bytes = 0;
	int err = 0;

	for (;;) {
		uint32_t la = 0, lb = 0;
		void *a = ring_peek(big, &la), *b = ring_peek(hot, &lb);
		struct ring *r;
		uint32_t len;
		void *rec;

		if (!a && !b)
			break;
		if (a && (!b || ((struct rec_ev_hdr *)a)->seq <= ((struct rec_ev_hdr *)b)->seq)) {
			r = big;
			rec = a;
			len = la;
		} else {
			r = hot;
			rec = b;
			len = lb;
		}
		err = handle_event(s, rec, len);
		if (err)
			break;
		ring_next(r, len);
		bytes += len;
	}
	ring_publish(big);
	ring_publish(hot);
	return err ? err : bytes;
}

/* Per-CPU loss counters -> gap records. */
static void check_lost(struct rec_state *s)
{
	struct rec_lost *l = calloc(s->ncpus, sizeof(*l));
	uint64_t total = 0, first = 0;
	__u32 zero = 0;
	int i;

	if (!l)
		return;
	if (!bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.lost), &zero, l)) {
		for (i = 0; i < s->ncpus; i++) {
			total += l[i].events;
			if (l[i].first_seq && (!first || l[i].first_seq < first))
				first = l[i].first_seq;
		}
	}
	free(l);
	if (total > s->lost_seen) {
		struct rec_gap g = {
			.type = REC_GAP, .lost = total - s->lost_seen, .from_seq = first,
		};

		heap_drain(s, false);
		put(s, s->last_seq, &g, sizeof(g));
		if (!s->lost_seen)
			pr_warn("the ring buffer overflowed: events lost; the recording is not replayable past event #%llu\n",
				(unsigned long long)first);
		s->lost_seen = total;
		s->lost_first_seq = first;
	}
}

/* ----------------------------------------------------------- the run */

/*
 * With -v and kernel.bpf_stats_enabled=1: the time the BPF programs took.
 * run_cnt counts every run, untraced processes' early returns included.
 */
static void print_prog_stats(struct rec_state *s)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->skel->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) ||
		    !info.run_cnt)
			continue;
		pr_debug("bpf %-20s %10llu runs %8.1f ns/run %8.3f s\n",
			 bpf_program__name(prog), (unsigned long long)info.run_cnt,
			 (double)info.run_time_ns / info.run_cnt, info.run_time_ns / 1e9);
	}
}

static bool traced_empty(struct rec_state *s)
{
	__u32 key;

	return bpf_map_get_next_key(bpf_map__fd(s->skel->maps.traced), NULL, &key) != 0;
}

/* As TRACED_* and NSLOT in bpf/record.bpf.c */
#define TRACED_ACTIVE		1
#define TRACED_NOSLOT		4
#define NSLOT			4096

static void untrace_all(struct rec_state *s)
{
	int fd = bpf_map__fd(s->skel->maps.traced);
	int sfd = bpf_map__fd(s->skel->maps.tslot);
	__u32 key, k;
	__u64 slot, zero = 0;

	while (!bpf_map_get_next_key(fd, NULL, &key)) {
		k = key & (NSLOT - 1);
		if (!bpf_map_lookup_elem(sfd, &k, &slot) && slot == key)
			bpf_map_update_elem(sfd, &k, &zero, BPF_ANY);
		bpf_map_delete_elem(fd, &key);
	}
	__atomic_store_n(&s->skel->bss->nslow, 0, __ATOMIC_RELEASE);
}

static int load_bpf(struct rec_state *s, const struct recorder_opts *o)
{
	uint64_t ring = o->ring_bytes ? o->ring_bytes : DEFAULT_RING_BYTES;
	int err;

	s->skel = record_bpf__open();
	if (!s->skel) {
		err = -errno;
		pr_err("cannot open the BPF program: %s\n", strerror(-err));
		return err;
	}
	s->skel->rodata->follow_fork = o->follow_fork;
	err = bpf_map__set_max_entries(s->skel->maps.rb, ring);
	if (err) {
		pr_err("bad ring buffer size %llu: %s\n", (unsigned long long)ring,
		       strerror(-err));
		return err;
	}
	err = record_bpf__load(s->skel);
	if (err) {
		pr_err("cannot load the BPF program: %s%s\n", strerror(-err),
		       err == -EPERM ? " (run as root: it needs CAP_BPF and CAP_PERFMON)" :
		       "; rerun with -v for the verifier's log");
		return err;
	}
	err = syscalls_load_bpf(bpf_map__fd(s->skel->maps.sysdesc),
				bpf_map__fd(s->skel->maps.cmddesc));
	if (err) {
		pr_err("cannot fill the syscall table map: %s\n", strerror(-err));
		return err;
	}
	err = record_bpf__attach(s->skel);
	if (err) {
		pr_err("cannot attach the BPF programs: %s\n", strerror(-err));
		return err;
	}
	return 0;
}

/* The tracer following the recorded command through its execs (record only). */
static struct launch_tracer *tracer;

/*
 * The launch: fork the command, stopped until it is in the traced map, so
 * that it is recorded from its exec on. The child runs without ASLR and
 * with rseq() failing (launch_child_prepare()); a tracer thread follows it
 * through its execs under ptrace, recording the AT_RANDOM bytes of each
 * program image, turning its vDSO's time functions into syscalls and
 * listing the inherited descriptors (replay_launch.c). These launch facts
 * go into the recording (meta, argv, env, execs) for `ttrec replay`.
 * Without ptrace the command is recorded all the same, but not
 * replayable. 0 or -errno.
 */
static int start_child(struct rec_state *s, const struct recorder_opts *o, int *pidp)
{
	char *const *argv = o->argv;
	struct launch_info *li;
	int go[2], ep[2], e = 0, err;
	uint32_t v = 2;		/* TRACED_EXEC */
	bool rseq_off = false;
	struct rlimit rl;
	struct stat sb;
	__u32 key;
	pid_t pid;
	char b = 1;
	ssize_t n;

	int cpu = o->all_cpus ? -1 : launch_pick_cpu();

	li = calloc(1, sizeof(*li));
	if (!li)
		return -ENOMEM;
	err = launch_resolve_exe(argv[0], li->exe, sizeof(li->exe));
	if (err) {
		pr_err("cannot run %s: %s\n", argv[0], strerror(-err));
		free(li);
		return err;
	}
	if (pipe2(go, O_CLOEXEC)) {
		free(li);
		return -errno;
	}
	if (pipe2(ep, O_CLOEXEC)) {
		err = -errno;
		close(go[0]);
		close(go[1]);
		free(li);
		return err;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(go[0]); close(go[1]); close(ep[0]); close(ep[1]);
		free(li);
		return err;
	}
	if (pid == 0) {
		close(go[1]);
		close(ep[0]);
		if (read(go[0], &b, 1) != 1)
			_exit(127);
		e = -launch_child_prepare(&rseq_off, cpu);
		if (!e) {
			execve(li->exe, argv, environ);
			e = errno;
		}
		if (write(ep[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ep[1]);
	err = launch_tracer_start(&tracer, pid, o->dir, o->follow_fork, li);
	if (err) {
		pr_warn("cannot ptrace %s (%s): recording it, but it will not be replayable\n",
			argv[0], strerror(-err));
		tracer = NULL;
	}
	key = pid;
	err = bpf_map_update_elem(bpf_map__fd(s->skel->maps.traced), &key, &v, BPF_ANY);
	if (err) {
		err = -errno;
		kill(pid, SIGKILL);
	} else if (write(go[1], &b, 1) != 1) {
		err = -errno;
	}
	close(go[1]);
	if (!err && tracer)
		launch_tracer_first_exec(tracer);	/* li is filled when it succeeded */
	n = read(ep[0], &e, sizeof(e));
	close(ep[0]);
	if (!err && n == sizeof(e)) {
		err = -e;
		pr_err("cannot run %s: %s\n", argv[0], strerror(e));
	}
	if (err) {
		if (tracer) {
			int st;

			launch_tracer_finish(tracer, true, &st);
			tracer = NULL;
		} else {
			waitpid(pid, NULL, 0);
		}
		free(li);
		return err;
	}
	if (li->version) {
		li->argv = (char **)argv;
		li->envp = environ;
		if (!getcwd(li->cwd, sizeof(li->cwd)))
			li->cwd[0] = 0;
		if (!getrlimit(RLIMIT_STACK, &rl)) {
			li->stack_cur = rl.rlim_cur;
			li->stack_max = rl.rlim_max;
		}
		if (!stat(li->exe, &sb)) {
			li->exe_ino = sb.st_ino;
			li->exe_size = sb.st_size;
			li->exe_mtime_ns = sb.st_mtim.tv_sec * 1000000000ULL + sb.st_mtim.tv_nsec;
		}
		launch_save(o->dir, li);
	}
	free(li);
	*pidp = pid;
	return 0;
}

int recorder_run(const struct recorder_opts *o, int *exit_status)
{
	struct rec_state st = { .next_seq = 1 };
	struct rec_state *s = &st;
	struct journal_opts jo = { 0 };
	struct ring big = { .fd = -1 }, hot = { .fd = -1 };
	struct pollfd pfds[2];
	struct sigaction sa = { 0 };
	uint64_t deadline = 0, start;
	char path[4096];
	int pid = 0, pidfd = -1, err, status = -1;
	bool child_reaped = false;
	int i;

	*exit_status = -1;
	s->ncpus = libbpf_num_possible_cpus();
	err = load_bpf(s, o);
	if (err)
		goto cleanup;
	snprintf(path, sizeof(path), "%s/%s", o->dir, RECORDING_JOURNAL);
	/* as much again as the ring may wait for compression, on a thread */
	jo.queue_bytes = o->ring_bytes ? o->ring_bytes : DEFAULT_RING_BYTES;
	jo.background = 1;
	err = journal_create(path, &jo, &s->jw);
	if (err) {
		pr_err("cannot create the journal %s: %s\n", path, strerror(-err));
		goto cleanup;
	}
	journal_on_chunk_start(s->jw, chunk_time, s);
	err = ring_open(&big, bpf_map__fd(s->skel->maps.rb), bpf_map__max_entries(s->skel->maps.rb));
	if (!err)
		err = ring_open(&hot, bpf_map__fd(s->skel->maps.rb_hot),
				bpf_map__max_entries(s->skel->maps.rb_hot));
	if (err) {
		pr_err("cannot map the ring buffers: %s\n", strerror(-err));
		goto cleanup;
	}
	pfds[0] = (struct pollfd){ .fd = hot.fd, .events = POLLIN };
	pfds[1] = (struct pollfd){ .fd = big.fd, .events = POLLIN };
	start = now_ns();
	{
		struct rec_start r = { .type = REC_START, .version = REC_FORMAT_VERSION,
				       .ns = start };

		err = put(s, 0, &r, sizeof(r));
		if (err)
			goto journal_err;
		s->last_ts = start;
	}

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (o->argv) {
		err = start_child(s, o, &pid);
		if (err)
			goto cleanup;
		recording_meta_append(o->dir, "pid=%d\n", pid);
	} else {
		/* found through the hash: see is_traced() in bpf/record.bpf.c */
		uint32_t v = TRACED_ACTIVE | TRACED_NOSLOT;
		__u32 key = o->pid;
		struct pollfd pf;

		pid = o->pid;
		pidfd = syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0) {
			err = -errno;
			pr_err("cannot attach to %d: %s\n", pid,
			       err == -ESRCH ? "the process exited during attach" : strerror(-err));
			goto cleanup;
		}
		__atomic_fetch_add(&s->skel->bss->nslow, 1, __ATOMIC_ACQ_REL);
		if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.traced), &key, &v, BPF_ANY)) {
			err = -errno;
			pr_err("cannot add %d to the traced map: %s\n", pid, strerror(-err));
			goto cleanup;
		}
		pf.fd = pidfd;
		pf.events = POLLIN;
		if (poll(&pf, 1, 0) == 1) {
			err = -ESRCH;
			pr_err("process %d exited during attach; nothing recorded\n", pid);
			goto cleanup;
		}
		pr_info("recording process %d into %s (Ctrl-C stops)\n", pid, o->dir);
		fflush(stdout);
	}
	if (o->duration > 0)
		deadline = now_ns() + (uint64_t)(o->duration * 1e9);
	s->last_flush = now_ns();

	while (!stop_signal && !s->err) {
		unsigned long hot_before = hot.cons;
		uint64_t now;
		long n;

		n = ring_drain(s, &big, &hot);
		if (n < 0) {
			err = n;
			pr_err("reading the ring buffer: %s\n", strerror(-err));
			break;
		}
		s->ring_bytes += n;
		s->hot_bytes += hot.cons - hot_before;
		s->passes++;
		yield_while_room(s, &big);
		now = now_ns();
		if (n && now < s->next_check) {
			/* data is flowing: let a batch build up, then drain again */
			usleep(DRAIN_US);
			continue;
		}
		s->next_check = now + POLL_MS * 1000000ULL;
		check_lost(s);
		if (o->tick)
			o->tick(o->tick_arg);
		if (now - s->last_flush > FLUSH_NS) {
			/* to the writer thread: the drain does not wait */
			flush_batch(s);
			if (!s->err)
				s->err = journal_submit(s->jw);
			s->last_flush = now;
		}
		if (deadline && now >= deadline)
			break;
		if (traced_empty(s))
			break;
		if (pidfd >= 0 && !o->follow_fork) {
			struct pollfd pf = { .fd = pidfd, .events = POLLIN };

			if (poll(&pf, 1, 0) == 1)
				break;
		}
		if (!n && poll(pfds, 2, POLL_MS) < 0 && errno != EINTR) {
			err = -errno;
			pr_err("waiting for the ring buffers: %s\n", strerror(-err));
			break;
		}
	}
	untrace_all(s);
	if (log_verbosity >= LOG_DEBUG)
		print_prog_stats(s);
	ring_drain(s, &big, &hot);
	check_lost(s);
	heap_drain(s, true);
	if (o->argv && pid > 0) {
		/* our child: its status if it is done (the tracer reaps it) */
		bool wait = !stop_signal && !s->err;

		if (tracer ? !launch_tracer_finish(tracer, wait, &status) :
		    waitpid(pid, &status, wait ? 0 : WNOHANG) == pid) {
			child_reaped = true;
			*exit_status = status;
		}
	}
	flush_batch(s);
	if (!s->err)
		s->err = journal_flush(s->jw);
journal_err:
	if (s->err) {
		err = s->err;
		if (err == -ENOSPC)
			pr_err("no space left writing %s: recording stopped after event #%llu; the journal is readable up to its last complete chunk\n",
			       path, (unsigned long long)s->last_seq);
		else
			pr_err("writing %s failed: %s; recording stopped after event #%llu\n",
			       path, strerror(-err), (unsigned long long)s->last_seq);
	}
	recording_meta_append(o->dir,
		"end_monotonic_ns=%llu\nevents=%llu\nsyscalls=%llu\nlost=%llu\nlost_from_seq=%llu\nend_reason=%s\n",
		(unsigned long long)now_ns(), (unsigned long long)s->events,
		(unsigned long long)s->syscalls, (unsigned long long)s->lost_seen,
		(unsigned long long)s->lost_first_seq,
		s->err ? "error" : stop_signal ? "signal" :
		deadline && now_ns() >= deadline ? "duration" : "exited");
	if (child_reaped)
		recording_meta_append(o->dir, "exit_status=%d\n", status);
	pr_debug("rings: %llu bytes read in %llu passes, %llu of them from the hot ring\n",
		 (unsigned long long)s->ring_bytes, (unsigned long long)s->passes,
		 (unsigned long long)s->hot_bytes);
	pr_debug("%llu events, %llu syscalls, %llu output bytes, %llu lost\n",
		 (unsigned long long)s->events, (unsigned long long)s->syscalls,
		 (unsigned long long)s->out_bytes, (unsigned long long)s->lost_seen);
cleanup:
	ring_close(&hot);
	ring_close(&big);
	if (s->jw) {
		int e = journal_close(s->jw);

		if (!err && e)
			err = e;
	}
	if (pidfd >= 0)
		close(pidfd);
	record_bpf__destroy(s->skel);
	for (i = 0; s->heap && i < (int)s->nheap; i++) {
		free_chunks(s->heap[i]->chunks);
		free(s->heap[i]);
	}
	free(s->heap);
	for (i = 0; s->tids && i < (int)s->tid_cap; i++)
		free_chunks(s->tids[i].head);
	free(s->tids);
	return err;
}
