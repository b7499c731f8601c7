// SPDX-License-Identifier: GPL-2.0
/* Ring events (REC_EV_*) into journal records (REC_*), in sequence order. */
#include <string.h>

#include "format/records.h"
#include "record.h"
#include "record/internal.h"

/* A REC_EV_SYSD: the syscall and its one output. */
static void write_sysd(struct recorder *s, uint64_t seq, const struct rec_ev_sysd *e)
{
	struct rec_sys r = {
		.flags = e->s.flags, .nr = e->s.nr, .tid = e->s.h.tid,
		.ret = e->s.ret, .nout = 1,
	};
	struct rec_out o;

	s->syscalls++;
	if (r.flags & REC_SF_OUT_UNKNOWN)
		s->unknown++;
	memcpy(r.args, e->s.args, sizeof(r.args));
	rec_write_sys(&s->w, seq, e->s.h.ts, &r);
	rec_out_init(&o, e->region, 0, e->fault);
	rec_write_out(&s->w, seq, &o, e + 1, e->len);
	s->out_bytes += e->len;
}

/* A REC_EV_SYS: its input strings, the syscall, its outputs. */
static void write_sys(struct recorder *s, uint64_t seq, const struct rec_ev_sys *e,
		      const struct rec_chunk *chunks)
{
	struct rec_sys r = {
		.flags = e->flags, .nr = e->nr, .tid = e->h.tid, .ret = e->ret,
	};
	const struct rec_chunk *c;
	uint32_t n = 0, nin = 0;

	for (c = chunks; c; c = c->next) {
		n++;
		nin += c->rec[0] == REC_IN;
	}
	if (n != e->nchunks)
		r.flags |= REC_SF_OUT_LOST;
	r.nout = n - nin;
	memcpy(r.args, e->args, sizeof(r.args));
	s->syscalls++;
	if (r.flags & REC_SF_OUT_UNKNOWN)
		s->unknown++;
	for (c = chunks; nin && c; c = c->next)
		if (c->rec[0] == REC_IN)
			rec_write_inout(&s->w, seq, c->rec, c->len);
	rec_write_sys(&s->w, seq, e->h.ts, &r);
	for (c = chunks; c; c = c->next) {
		if (c->rec[0] != REC_OUT)
			continue;
		rec_write_inout(&s->w, seq, c->rec, c->len);
		s->out_bytes += c->len - sizeof(struct rec_out);
	}
}

static void write_task(struct recorder *s, uint64_t seq, const struct rec_ev_task *e)
{
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
	if (e->kind == REC_TASK_EXEC) {
		size_t n = strnlen(e->filename, REC_COMM_LEN - 1);

		memcpy(buf + len, e->filename, n);
		buf[len + n] = 0;
		len += n + 1;
	}
	rec_write_event(&s->w, seq, e->h.ts, buf, len);
}

void recorder_write_event(void *ctx, uint64_t seq, const void *ev,
			  const struct rec_chunk *chunks)
{
	const struct rec_ev_hdr *h = ev;
	struct recorder *s = ctx;

	s->events++;
	if (s->pos) {
		if (h->type == REC_EV_PARK || h->type == REC_EV_SNAP) {
			snap_positions_event(s, seq, ev);
			return;
		}
		snap_positions_note(s, h->tid, seq);
	}
	switch (h->type) {
	case REC_EV_SYSD:
		write_sysd(s, seq, ev);
		break;
	case REC_EV_SYS:
		write_sys(s, seq, ev, chunks);
		break;
	case REC_EV_SIGNAL: {
		const struct rec_ev_signal *e = ev;
		struct rec_signal r = e->s;

		r.type = REC_SIGNAL;
		r.pad = 0;
		r.tid = e->h.tid;
		r.flags &= REC_SIG_INFO | REC_SIG_REGS | REC_SIG_STACK;

		rec_write_event(&s->w, seq, e->h.ts, &r, sizeof(r));
		break;
	}
	case REC_EV_SCHED: {
		const struct rec_ev_sched *e = ev;
		struct rec_sched r = {
			.type = REC_SCHED, .kind = e->kind, .cpu = e->cpu,
			.tid = e->h.tid, .state = e->state, .ip = e->ip,
			.preempt = e->preempt, .other = e->other,
		};

		rec_write_event(&s->w, seq, e->h.ts, &r, sizeof(r));
		break;
	}
	case REC_EV_TASK:
		write_task(s, seq, ev);
		break;
	}
}
