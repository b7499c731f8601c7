/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A round trip through the record codec (user/format/records.c): events
 * drawn from a byte source are written with rec_writer into a journal,
 * read back with rec_reader and compared field by field, with their
 * times, input strings and output regions. The selftest records.c draws
 * the bytes from a PRNG (many seeds); the fuzz target records_fuzz.c from
 * its input. Header-only: each includes it once.
 */
#ifndef TTREC_RECORDS_GEN_H
#define TTREC_RECORDS_GEN_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/journal.h"
#include "format/records.h"

/* Where the randomness comes from: a PRNG, or bytes (then zeros at the end). */
struct rg_src {
	const uint8_t *p;
	size_t n;
	uint64_t x;		/* PRNG state, when p is NULL */
};

static uint64_t rg_u64(struct rg_src *s)
{
	uint64_t v = 0;

	if (!s->p) {		/* xorshift64* */
		s->x ^= s->x >> 12;
		s->x ^= s->x << 25;
		s->x ^= s->x >> 27;
		return s->x * 0x2545F4914F6CDD1DULL;
	}
	for (int i = 0; i < 8 && s->n; i++, s->n--)
		v |= (uint64_t)*s->p++ << (8 * i);
	return v;
}

static uint32_t rg_below(struct rg_src *s, uint32_t n)
{
	return n ? (uint32_t)(rg_u64(s) % n) : 0;
}

static bool rg_done(const struct rg_src *s)
{
	return s->p && !s->n;
}

#define RG_MAX_OUTS	5

/* What was written, to compare with what is read. */
struct rg_event {
	uint64_t seq, ts;
	uint8_t type;
	union {
		struct rec_sys sys;
		struct rec_signal sig;
		struct rec_sched sched;
		struct rec_task task;
		struct rec_gap gap;
	} r;
	char file[64];		/* REC_TASK_EXEC */
	unsigned int nin;
	struct { uint8_t arg, flags; uint32_t len; } in[REC_MAX_INS];
	struct { uint8_t region, fault; uint32_t off, len; } out[RG_MAX_OUTS];
};

/* The bytes of input string @k / output @k of event @seq. */
static uint8_t rg_byte(uint64_t seq, unsigned int k, size_t j)
{
	return (uint8_t)(seq * 31 + k * 7 + j * 13 + (j >> 8));
}

static int rg_fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

static void rg_make(struct rg_src *s, struct rg_event *e, uint64_t seq, uint64_t ts)
{
	uint32_t k = rg_below(s, 16), i;

	memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->ts = ts;
	if (k < 10) {		/* syscalls, mostly without outputs (batches) */
		struct rec_sys *r = &e->r.sys;

		e->type = REC_SYS;
		/* mostly table numbers; now and then any (-1, x32, 2^40...) */
		r->nr = rg_below(s, 8) ? (int64_t)rg_below(s, 600) :
			(int64_t)rg_u64(s) >> rg_below(s, 64);
		r->flags = rg_below(s, 64);
		r->tid = 1000 + rg_below(s, 4);
		r->ret = (int64_t)rg_u64(s) >> rg_below(s, 64);
		for (i = 0; i < 6; i++)
			r->args[i] = rg_u64(s);
		if (k >= 6) {
			r->nout = rg_below(s, RG_MAX_OUTS + 1);
			e->nin = rg_below(s, 3);
		}
		for (i = 0; i < e->nin; i++) {
			e->in[i].arg = rg_below(s, 6);
			e->in[i].flags = rg_below(s, 4);
			e->in[i].len = rg_below(s, REC_STR_MAX + 1);
		}
		for (i = 0; i < r->nout; i++) {
			e->out[i].region = rg_below(s, 16);
			e->out[i].fault = rg_below(s, 8) == 0;
			e->out[i].off = rg_below(s, 1 << 20);
			/* now and then bigger than a chunk */
			e->out[i].len = rg_below(s, 8) ? rg_below(s, 300) : rg_below(s, 40000);
		}
	} else if (k < 12) {
		e->type = REC_SIGNAL;
		e->r.sig = (struct rec_signal){
			.type = REC_SIGNAL, .sig = 1 + rg_below(s, 64), .tid = 1000 + rg_below(s, 4),
			.code = (int32_t)rg_u64(s), .handler = rg_u64(s),
			.syscall = (int64_t)rg_u64(s), .ax = (int64_t)rg_u64(s), .ip = rg_u64(s),
			.flags = rg_below(s, 8), .si_errno = (int32_t)rg_u64(s),
			.bx = rg_u64(s), .cx = rg_u64(s), .dx = rg_u64(s), .si = rg_u64(s),
			.di = rg_u64(s), .bp = rg_u64(s), .sp = rg_u64(s), .r8 = rg_u64(s),
			.r9 = rg_u64(s), .r10 = rg_u64(s), .r11 = rg_u64(s), .r12 = rg_u64(s),
			.r13 = rg_u64(s), .r14 = rg_u64(s), .r15 = rg_u64(s), .rflags = rg_u64(s),
		};
		for (i = 0; i < REC_SI_FIELDS; i++)
			e->r.sig.si_fields[i] = rg_u64(s);
		for (i = 0; i < REC_SIG_STACK_WORDS; i++)
			e->r.sig.stack[i] = rg_u64(s);
	} else if (k < 14) {
		e->type = REC_SCHED;
		e->r.sched = (struct rec_sched){
			.type = REC_SCHED, .kind = 1 + rg_below(s, 3), .cpu = rg_below(s, 64),
			.tid = 1000 + rg_below(s, 4), .state = (uint32_t)rg_u64(s),
			.ip = rg_u64(s), .preempt = rg_below(s, 2), .other = (uint32_t)rg_u64(s),
		};
	} else if (k < 15) {
		e->type = REC_TASK;
		e->r.task = (struct rec_task){
			.type = REC_TASK, .kind = 1 + rg_below(s, 4), .group_dead = rg_below(s, 2),
			.traced = rg_below(s, 2), .tid = 1000 + rg_below(s, 4),
			.tgid = 1000, .child = (uint32_t)rg_u64(s), .exit_code = (uint32_t)rg_u64(s),
		};
		if (e->r.task.kind == REC_TASK_EXEC)
			snprintf(e->file, sizeof(e->file), "/usr/bin/prog%llu",
				 (unsigned long long)seq);
	} else {
		e->type = REC_GAP;
		e->r.gap = (struct rec_gap){
			.type = REC_GAP, .lost = 1 + rg_below(s, 1000), .from_seq = rg_below(s, 100),
		};
	}
}

static int rg_write(struct rec_writer *w, struct rg_event *e)
{
	uint8_t buf[sizeof(struct rec_task) + 64 + 40000];
	unsigned int k;
	size_t j;
	int err = 0;

	switch (e->type) {
	case REC_SYS:
		for (k = 0; k < e->nin; k++) {
			struct rec_in *in = (void *)buf;

			rec_in_init(in, e->in[k].arg, e->in[k].flags & REC_IN_TRUNC,
				    e->in[k].flags & REC_IN_FAULT);
			for (j = 0; j < e->in[k].len; j++)
				buf[sizeof(*in) + j] = rg_byte(e->seq, k + 10, j);
			err = err ?: rec_write_inout(w, e->seq, buf, sizeof(*in) + e->in[k].len);
		}
		err = err ?: rec_write_sys(w, e->seq, e->ts, &e->r.sys);
		for (k = 0; k < e->r.sys.nout; k++) {
			struct rec_out o;

			rec_out_init(&o, e->out[k].region, e->out[k].off, e->out[k].fault);
			for (j = 0; j < e->out[k].len; j++)
				buf[j] = rg_byte(e->seq, k, j);
			/* both ways of writing one */
			if (k & 1) {
				err = err ?: rec_write_out(w, e->seq, &o, buf, e->out[k].len);
			} else {
				memmove(buf + sizeof(o), buf, e->out[k].len);
				memcpy(buf, &o, sizeof(o));
				err = err ?: rec_write_inout(w, e->seq, buf, sizeof(o) + e->out[k].len);
			}
		}
		return err;
	case REC_TASK:
		memcpy(buf, &e->r.task, sizeof(e->r.task));
		if (e->r.task.kind != REC_TASK_EXEC)
			return rec_write_event(w, e->seq, e->ts, buf, sizeof(e->r.task));
		memcpy(buf + sizeof(e->r.task), e->file, strlen(e->file) + 1);
		return rec_write_event(w, e->seq, e->ts, buf,
				       sizeof(e->r.task) + strlen(e->file) + 1);
	case REC_GAP:
		e->seq = w->last_seq;	/* a gap takes the number before it */
		return rec_write_gap(w, e->r.gap.lost, e->r.gap.from_seq);
	default:
		return rec_write_event(w, e->seq, e->ts, &e->r,
				       e->type == REC_SIGNAL ? sizeof(e->r.sig) : sizeof(e->r.sched));
	}
}

/* The fields of @e and @ev that must agree (dts aside: the writer sets it). */
static int rg_compare(const struct rg_event *e, const struct rec_event *ev,
		      char *err, size_t errlen)
{
	size_t rlen = e->type == REC_SYS ? sizeof(struct rec_sys) :
		      e->type == REC_SIGNAL ? sizeof(struct rec_signal) :
		      e->type == REC_SCHED ? sizeof(struct rec_sched) :
		      e->type == REC_TASK ? sizeof(struct rec_task) : sizeof(struct rec_gap);
	uint8_t want[sizeof(e->r)], got[sizeof(e->r)];
	unsigned int k;
	size_t j;

	if (ev->type != e->type || ev->seq != e->seq)
		return rg_fail(err, errlen, "event #%llu type %u: read #%llu type %u",
			       (unsigned long long)e->seq, e->type,
			       (unsigned long long)ev->seq, ev->type);
	if (ev->len < rlen)
		return rg_fail(err, errlen, "#%llu: %zu bytes", (unsigned long long)e->seq, ev->len);
	memcpy(want, &e->r, rlen);
	memcpy(got, ev->rec, rlen);
	if (rec_is_timed(e->type)) {
		((struct rec_hdr *)want)->dts = 0;
		((struct rec_hdr *)got)->dts = 0;
		if (ev->ts != e->ts)
			return rg_fail(err, errlen, "#%llu: time %llu, read %llu",
				       (unsigned long long)e->seq, (unsigned long long)e->ts,
				       (unsigned long long)ev->ts);
		if (ev->tid != ((const struct rec_hdr *)want)->tid)
			return rg_fail(err, errlen, "#%llu: tid", (unsigned long long)e->seq);
	}
	if (memcmp(want, got, rlen))
		return rg_fail(err, errlen, "#%llu: the record differs", (unsigned long long)e->seq);
	if (e->type == REC_TASK && e->r.task.kind == REC_TASK_EXEC &&
	    (ev->len != rlen + strlen(e->file) + 1 ||
	     strcmp((const char *)ev->rec + rlen, e->file)))
		return rg_fail(err, errlen, "#%llu: exec file name", (unsigned long long)e->seq);
	if (e->type != REC_SYS)
		return 0;
	if (ev->nin != e->nin || ev->nout != e->r.sys.nout)
		return rg_fail(err, errlen, "#%llu: %u strings, %u outputs; read %u, %u",
			       (unsigned long long)e->seq, e->nin, e->r.sys.nout, ev->nin, ev->nout);
	for (k = 0; k < e->nin; k++) {
		if (ev->in[k].arg != e->in[k].arg || ev->in[k].flags != e->in[k].flags ||
		    ev->in[k].len != e->in[k].len)
			return rg_fail(err, errlen, "#%llu: string %u", (unsigned long long)e->seq, k);
		for (j = 0; j < e->in[k].len; j++)
			if ((uint8_t)ev->in[k].s[j] != rg_byte(e->seq, k + 10, j))
				return rg_fail(err, errlen, "#%llu: string %u byte %zu",
					       (unsigned long long)e->seq, k, j);
	}
	for (k = 0; k < ev->nout; k++) {
		const struct rec_outdata *o = &ev->out[k];

		if (o->region != e->out[k].region || o->fault != e->out[k].fault ||
		    o->off != e->out[k].off || o->len != e->out[k].len)
			return rg_fail(err, errlen, "#%llu: output %u", (unsigned long long)e->seq, k);
		for (j = 0; j < o->len; j++)
			if (o->data[j] != rg_byte(e->seq, k, j))
				return rg_fail(err, errlen, "#%llu: output %u byte %zu",
					       (unsigned long long)e->seq, k, j);
	}
	return 0;
}

/*
 * Up to @max events from @s through a journal at @path (which must not
 * exist; removed at the end) with chunks of @chunk_bytes. 0, or -1 with
 * the first difference in @err.
 */
static int rg_round_trip(struct rg_src *s, const char *path, size_t max, size_t chunk_bytes,
			 char *err, size_t errlen)
{
	struct journal_opts jo = { .chunk_bytes = chunk_bytes };
	struct rg_event *ev = calloc(max ? max : 1, sizeof(*ev));
	uint64_t seq = 1, ts = rg_u64(s) >> 8, start = ts;
	struct journal_writer *jw = NULL;
	struct rec_reader rr;
	struct rec_writer w;
	struct rec_event got;
	size_t n = 0, i = 0;
	int ret = -1, r;

	if (!ev)
		return rg_fail(err, errlen, "out of memory");
	if (journal_create(path, &jo, &jw) || rec_writer_start(&w, jw, start)) {
		rg_fail(err, errlen, "cannot write %s", path);
		goto out;
	}
	for (n = 0; n < max && !rg_done(s); n++) {
		uint32_t how = rg_below(s, 64);

		/* mostly small steps; now and then past 2^31 ns, or back in time */
		ts += how == 0 ? (1ULL << 31) + rg_below(s, 1 << 30) :
		      how == 1 ? -(uint64_t)rg_below(s, 1000) : rg_below(s, 100000);
		seq += rg_below(s, 32) == 0 ? 2 : 1;	/* a hole now and then */
		rg_make(s, &ev[n], seq, ts);
		if (rg_write(&w, &ev[n])) {
			rg_fail(err, errlen, "writing event %zu: %s", n, strerror(-w.err));
			goto out;
		}
	}
	if (rec_writer_flush(&w) || journal_close(jw)) {
		jw = NULL;
		rg_fail(err, errlen, "flushing %s", path);
		goto out;
	}
	jw = NULL;
	if (rec_reader_open_file(&rr, path)) {
		rg_fail(err, errlen, "cannot read %s", path);
		goto out;
	}
	while ((r = rec_reader_next(&rr, &got)) > 0) {
		if (got.type == REC_START) {
			if (got.ts != start || rr.start_ns != start)
				break;
			continue;
		}
		if (got.type == REC_TIME)
			continue;
		if (i == n) {
			rg_fail(err, errlen, "more events read than written");
			break;
		}
		if (rg_compare(&ev[i], &got, err, errlen))
			break;
		i++;
	}
	rec_reader_close(&rr);
	if (r < 0)
		rg_fail(err, errlen, "reading: %s", strerror(-r));
	else if (i == n && r == 0)
		ret = 0;
	else if (r == 0)
		rg_fail(err, errlen, "%zu of %zu events read back", i, n);
out:
	if (jw)
		journal_close(jw);
	unlink(path);
	free(ev);
	return ret;
}

#endif
