// SPDX-License-Identifier: GPL-2.0
/*
 * The record codec (records.h): the writer the recorder uses and the
 * reader dump, info and replay use, side by side. bpf/record.h is the
 * layout, Documentation/record.rst explains it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/stat.h>
#include <net/if.h>

#include "format/journal.h"
#include "format/records.h"
#include "format/recording.h"
#include "lib/log.h"

#define TIMED_HDR(T)								\
	_Static_assert(offsetof(struct T, dts) == offsetof(struct rec_hdr, dts) &&	\
		       offsetof(struct T, tid) == offsetof(struct rec_hdr, tid) &&	\
		       sizeof(struct T) >= sizeof(struct rec_hdr),			\
		       #T " starts with struct rec_hdr")
TIMED_HDR(rec_sys);
TIMED_HDR(rec_signal);
TIMED_HDR(rec_sched);
TIMED_HDR(rec_task);
TIMED_HDR(rec_snap_park);
TIMED_HDR(rec_snap);
_Static_assert(sizeof(struct rec_snap_park) == 40 && offsetof(struct rec_snap_park, park) == 16,
	       "rec_snap_park layout");
_Static_assert(sizeof(struct rec_snap) == 112 && offsetof(struct rec_snap, image) == 48,
	       "rec_snap layout");
_Static_assert(sizeof(struct rec_snap_thread) == 32, "rec_snap_thread layout");
_Static_assert(offsetof(struct rec_snap, kind) == offsetof(struct rec_snap_park, kind),
	       "REC_SNAP kinds");
_Static_assert(sizeof(struct rec_hdr) == 12, "rec_hdr layout");
_Static_assert(sizeof(struct rec_sys) == 80 && offsetof(struct rec_sys, nr) == 16,
	       "rec_sys layout");
_Static_assert(sizeof(struct rec_out) == sizeof(struct rec_in), "REC_OUT and REC_IN headers");
_Static_assert(sizeof(struct rec_out) == 8, "rec_out layout");
_Static_assert(offsetof(struct rec_signal, flags) == REC_SIGNAL_SIZE_VER0 &&
	       offsetof(struct rec_signal, bx) == REC_SIGNAL_SIZE_VER1 &&
	       sizeof(struct rec_signal) == REC_SIGNAL_SIZE_VER2, "rec_signal versions");
_Static_assert(offsetof(struct rec_signal, si_fields) == 56 &&
	       offsetof(struct rec_signal, rflags) == 208 &&
	       offsetof(struct rec_signal, stack) == 216, "rec_signal layout");
_Static_assert(sizeof(struct rec_ev_signal) == sizeof(struct rec_ev_hdr) + REC_SIGNAL_SIZE_VER2,
	       "rec_ev_signal is the record");

/*
 * REC_SYS as format version 1 wrote it: the number in 16 bits (a number
 * outside 0..65535 was kept cut). The reader widens it to a struct rec_sys;
 * nothing writes it any more.
 */
struct rec_sys_v1 {
	__u8  type;
	__u8  flags;
	__u16 nr;
	__s32 dts;
	__u32 tid;
	__u32 nout;
	__s64 ret;
	__u64 args[6];
};
TIMED_HDR(rec_sys_v1);
_Static_assert(sizeof(struct rec_sys_v1) == 72, "rec_sys_v1 layout");

/* The bytes of one REC_SYS in a journal of format @version. */
static size_t sys_size(uint32_t version)
{
	return version == 1 ? sizeof(struct rec_sys_v1) : sizeof(struct rec_sys);
}

/*
 * The most of a REC_SIGNAL a journal of format @version holds: the fields
 * that version had (REC_SIGNAL_SIZE_VER*; a record may be shorter, of an
 * earlier size). Bytes past them are not read as later fields.
 */
static size_t signal_size(uint32_t version)
{
	return version < 3 ? REC_SIGNAL_SIZE_VER1 : sizeof(struct rec_signal);
}

/* The smallest valid record of each type (REC_SYS: of any version). */
static const size_t rec_size[REC_NR_TYPES] = {
	[REC_SYS] = sizeof(struct rec_sys_v1),
	[REC_OUT] = sizeof(struct rec_out),
	[REC_SIGNAL] = REC_SIGNAL_SIZE_VER0,
	[REC_SCHED] = sizeof(struct rec_sched),
	[REC_TASK] = sizeof(struct rec_task),
	[REC_GAP] = sizeof(struct rec_gap),
	[REC_TIME] = sizeof(struct rec_time),
	[REC_START] = sizeof(struct rec_start),
	[REC_IN] = sizeof(struct rec_in),
	[REC_SNAP] = sizeof(struct rec_snap_park),
};

/*
 * Time, the one rule both sides follow: REC_START and REC_TIME set the
 * absolute time, every timed record adds its dts (a batch of syscalls of
 * @sys bytes each: each of its dts in turn).
 */
static uint64_t time_after(uint64_t ts, const uint8_t *rec, size_t len, size_t sys)
{
	const struct rec_hdr *h = (const void *)rec;
	size_t off;

	switch (rec[0]) {
	case REC_TIME:
		return ((const struct rec_time *)rec)->ns;
	case REC_START:
		return ((const struct rec_start *)rec)->ns;
	case REC_SYS:
		for (off = 0; off + sys <= len; off += sys)
			ts += (int64_t)((const struct rec_hdr *)(rec + off))->dts;
		return ts;
	default:
		return rec_is_timed(rec[0]) ? ts + (int64_t)h->dts : ts;
	}
}

/* ------------------------------------------------------------ writer */

static int append2(struct rec_writer *w, uint64_t seq, const void *a, size_t alen,
		   const void *b, size_t blen)
{
	int err;

	if (w->err)
		return w->err;
	err = blen ? journal_append2(w->jw, seq, a, alen, b, blen) :
		     journal_append(w->jw, seq, a, alen);
	if (err) {
		w->err = err;
		return err;
	}
	w->jts = time_after(w->jts, a, alen, sizeof(struct rec_sys));
	if (seq > w->last_seq)		/* a batch goes out after its last number */
		w->last_seq = seq;
	return 0;
}

/*
 * Every chunk starts with a REC_TIME: the time a reader has reached there,
 * so a reader that skipped a damaged chunk has the right time again at the
 * next one (the dts of the records are relative to each other).
 */
static int chunk_time(void *ctx, uint64_t seq)
{
	struct rec_writer *w = ctx;
	struct rec_time t = { .type = REC_TIME, .ns = w->jts };

	if (!w->jts)		/* REC_START comes first and sets it */
		return 0;
	return journal_append(w->jw, seq, &t, sizeof(t));
}

int rec_writer_flush(struct rec_writer *w)
{
	unsigned int n = w->nbatch;

	w->nbatch = 0;
	if (!n)
		return w->err;
	return append2(w, w->batch_seq, w->batch, n * sizeof(w->batch[0]), NULL, 0);
}

static int put(struct rec_writer *w, uint64_t seq, const void *rec, size_t len)
{
	rec_writer_flush(w);
	return append2(w, seq, rec, len, NULL, 0);
}

/* The dts of a record at @ts, writing a REC_TIME first when needed. */
static int32_t dts_for(struct rec_writer *w, uint64_t seq, uint64_t ts)
{
	int64_t d = (int64_t)(ts - w->last_ts);

	if (++w->since_time >= REC_TIME_EVERY || d > INT32_MAX || d < INT32_MIN) {
		struct rec_time t = { .type = REC_TIME, .ns = ts };

		put(w, seq, &t, sizeof(t));
		w->since_time = 0;
		d = 0;
	}
	w->last_ts = ts;
	return (int32_t)d;
}

int rec_writer_start(struct rec_writer *w, struct journal_writer *jw, uint64_t start_ns)
{
	struct rec_start r = { .type = REC_START, .version = REC_FORMAT_VERSION, .ns = start_ns };

	memset(w, 0, sizeof(*w));
	w->jw = jw;
	journal_on_chunk_start(jw, chunk_time, w);
	w->last_ts = start_ns;
	return put(w, 0, &r, sizeof(r));
}

void rec_in_init(struct rec_in *in, unsigned int arg, bool trunc, bool fault)
{
	memset(in, 0, sizeof(*in));
	in->type = REC_IN;
	in->arg = arg;
	in->flags = (trunc ? REC_IN_TRUNC : 0) | (fault ? REC_IN_FAULT : 0);
}

void rec_out_init(struct rec_out *o, unsigned int region, uint32_t off, bool fault)
{
	memset(o, 0, sizeof(*o));
	o->type = REC_OUT;
	o->region = region;
	o->flags = fault;
	o->off = off;
}

int rec_write_sys(struct rec_writer *w, uint64_t seq, uint64_t ts, struct rec_sys *r)
{
	r->type = REC_SYS;
	r->pad = 0;
	r->dts = dts_for(w, seq, ts);
	if (w->nbatch && (r->nout || seq != w->batch_seq + w->nbatch ||
			  w->nbatch == REC_BATCH_MAX))
		rec_writer_flush(w);
	if (r->nout)
		return append2(w, seq, r, sizeof(*r), NULL, 0);
	if (!w->nbatch)
		w->batch_seq = seq;
	w->batch[w->nbatch++] = *r;
	w->last_seq = seq;
	return w->err;
}

int rec_write_inout(struct rec_writer *w, uint64_t seq, const void *rec, size_t len)
{
	return put(w, seq, rec, len);
}

int rec_write_out(struct rec_writer *w, uint64_t seq, const struct rec_out *o,
		  const void *data, size_t len)
{
	rec_writer_flush(w);
	return append2(w, seq, o, sizeof(*o), data, len);
}

int rec_write_event(struct rec_writer *w, uint64_t seq, uint64_t ts, void *rec, size_t len)
{
	((struct rec_hdr *)rec)->dts = dts_for(w, seq, ts);
	return put(w, seq, rec, len);
}

int rec_write_gap(struct rec_writer *w, uint64_t lost, uint64_t from_seq)
{
	struct rec_gap g = { .type = REC_GAP, .lost = lost, .from_seq = from_seq };

	return put(w, w->last_seq, &g, sizeof(g));
}

/* ------------------------------------------------------------ reader */

int rec_reader_open_file(struct rec_reader *rr, const char *path)
{
	memset(rr, 0, sizeof(*rr));
	rr->version = REC_FORMAT_VERSION;
	return journal_open(path, &rr->jr);
}

int rec_reader_open(struct rec_reader *rr, const char *dir)
{
	char path[4096];
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, RECORDING_JOURNAL);
	err = rec_reader_open_file(rr, path);
	if (err && err != -EPROTO)
		pr_err("cannot open the journal %s: %s\n", path, strerror(-err));
	return err;
}

void rec_reader_close(struct rec_reader *rr)
{
	journal_close_reader(rr->jr);
	rr->jr = NULL;
	free(rr->outs);
	free(rr->data);
	rr->outs = NULL;
	rr->data = NULL;
	rr->outs_cap = rr->data_cap = 0;
}

/* The next journal record (the one read ahead first). 1, 0 at the end, -errno. */
static int next_record(struct rec_reader *rr, const uint8_t **r, size_t *len, uint64_t *seq)
{
	struct journal_stats st;
	int ret;

	if (rr->have_next) {
		rr->have_next = false;
		*r = rr->next;
		*len = rr->next_len;
		*seq = rr->next_seq;
		return 1;
	}
	ret = journal_next(rr->jr, (const void **)r, len, seq);
	if (ret <= 0)
		return ret;
	journal_get_stats(rr->jr, &st);
	if (st.bad_chunks != rr->bad_chunks) {
		/* the dts of the records skipped are lost with them */
		rr->bad_chunks = st.bad_chunks;
		rr->ts_valid = false;
	}
	if (!*len || (*r)[0] == 0 || (*r)[0] >= REC_NR_TYPES || *len < rec_size[(*r)[0]])
		return -EBADMSG;
	return 1;
}

/*
 * REC_START: the format version of the records after it. Version 1 differs
 * only in REC_SYS (struct rec_sys_v1), which the reader widens; versions 1
 * and 2 in how much of a REC_SIGNAL there is (signal_size()); a version it
 * does not know is refused. 0 or -EPROTO (message printed).
 */
static int start_version(struct rec_reader *rr, const struct rec_start *st)
{
	if (st->version < 1 || st->version > REC_FORMAT_VERSION) {
		pr_err("the journal's records are in format version %u; this ttrec reads versions 1 to %d: read it with the ttrec that recorded it, or a newer one\n",
		       st->version, REC_FORMAT_VERSION);
		return -EPROTO;
	}
	rr->version = st->version;
	return 0;
}

static void unread(struct rec_reader *rr, const uint8_t *r, size_t len, uint64_t seq)
{
	rr->have_next = true;
	rr->next = r;
	rr->next_len = len;
	rr->next_seq = seq;
}

static void advance_time(struct rec_reader *rr, const uint8_t *r, size_t len)
{
	if (r[0] == REC_START)
		rr->start_ns = ((const struct rec_start *)r)->ns;
	if (r[0] == REC_TIME || r[0] == REC_START)
		rr->ts_valid = true;
	rr->ts = time_after(rr->ts, r, len, sys_size(rr->version));
}

/* Keep a REC_IN until its REC_SYS comes; 0 or -EBADMSG. */
static int keep_input(struct rec_reader *rr, const uint8_t *r, size_t len, uint64_t seq)
{
	const struct rec_in *in = (const void *)r;
	size_t n = len - sizeof(*in);
	struct rec_str *p;

	if (in->arg > 5 || n > REC_STR_MAX)
		return -EBADMSG;
	if (rr->npend && rr->pend_seq != seq)
		rr->npend = 0;		/* its syscall never came (damage) */
	if (rr->npend == REC_MAX_INS)
		return -EBADMSG;
	rr->pend_seq = seq;
	p = &rr->pend[rr->npend];
	memcpy(rr->pend_buf[rr->npend], r + sizeof(*in), n);
	p->arg = in->arg;
	p->flags = in->flags;
	p->s = rr->pend_buf[rr->npend];
	p->len = n;
	rr->npend++;
	return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/*
 * The REC_OUT records of the syscall @seq that follow it, copied (the
 * journal's buffer moves on from chunk to chunk). A REC_TIME (a chunk
 * starts) may stand between them; anything else ends them early.
 */
static int read_outs(struct rec_reader *rr, uint64_t seq, struct rec_event *ev)
{
	uint32_t want = rr->sys.nout, n = 0;
	size_t used = 0;
	const uint8_t *r;
	size_t len, i;
	uint64_t s;
	int ret;

	while (n < want) {
		const struct rec_out *o;

		ret = next_record(rr, &r, &len, &s);
		if (ret < 0)
			return ret;
		if (!ret)
			break;
		if (r[0] == REC_TIME) {
			rr->count[REC_TIME]++;
			advance_time(rr, r, len);
			continue;
		}
		if (r[0] != REC_OUT || s != seq) {
			unread(rr, r, len, s);
			break;
		}
		o = (const void *)r;
		len -= sizeof(*o);
		if (grow((void **)&rr->outs, &rr->outs_cap, n + 1, sizeof(*rr->outs)) ||
		    grow((void **)&rr->data, &rr->data_cap, used + len, 1))
			return -ENOMEM;
		if (len)
			memcpy(rr->data + used, o + 1, len);
		rr->outs[n] = (struct rec_outdata){
			.region = o->region, .fault = !!o->flags, .off = o->off,
			.data = (const uint8_t *)used, .len = len,
		};
		rr->count[REC_OUT]++;
		used += len;
		n++;
	}
	for (i = 0; i < n; i++)		/* offsets into the final buffer */
		rr->outs[i].data = used ? rr->data + (size_t)rr->outs[i].data : NULL;
	ev->nout = n;
	ev->out = rr->outs;
	return 0;
}

/* A REC_SYS of the journal's format version into rr->sys. */
static void decode_sys(struct rec_reader *rr, const uint8_t *r)
{
	struct rec_sys_v1 v1;

	if (rr->version != 1) {
		memcpy(&rr->sys, r, sizeof(rr->sys));
		return;
	}
	memcpy(&v1, r, sizeof(v1));
	memset(&rr->sys, 0, sizeof(rr->sys));
	rr->sys.type = REC_SYS;
	rr->sys.flags = v1.flags;
	rr->sys.dts = v1.dts;
	rr->sys.tid = v1.tid;
	rr->sys.nout = v1.nout;
	rr->sys.nr = v1.nr;
	rr->sys.ret = v1.ret;
	memcpy(rr->sys.args, v1.args, sizeof(v1.args));
}

static int read_sys(struct rec_reader *rr, const uint8_t *r, struct rec_event *ev)
{
	unsigned int k;

	decode_sys(rr, r);
	ev->rec = &rr->sys;
	ev->len = sizeof(rr->sys);
	if (rr->npend && rr->pend_seq == ev->seq) {
		ev->nin = rr->npend;
		for (k = 0; k < rr->npend; k++) {
			memcpy(rr->in_buf[k], rr->pend[k].s, rr->pend[k].len);
			ev->in[k] = rr->pend[k];
			ev->in[k].s = rr->in_buf[k];
		}
	}
	rr->npend = 0;
	if (!rr->sys.nout)
		return 0;
	return read_outs(rr, ev->seq, ev);
}

/*
 * A REC_SNAP as its kind says: a PARK of its size, or a TAKEN with all its
 * threads and a terminated image name; none before format 4. 0 or -EBADMSG.
 */
static int check_snap(struct rec_reader *rr, struct rec_event *ev)
{
	const struct rec_snap *t = ev->rec;

	if (rr->version < 4)
		return -EBADMSG;
	if (t->kind == REC_SNAP_PARK)
		return ev->len == sizeof(struct rec_snap_park) ? 0 : -EBADMSG;
	if (t->kind != REC_SNAP_TAKEN || ev->len < sizeof(*t) ||
	    t->nthreads > REC_SNAP_MAX_THREADS ||
	    ev->len != sizeof(*t) + t->nthreads * sizeof(struct rec_snap_thread) ||
	    !memchr(t->image, 0, sizeof(t->image)))
		return -EBADMSG;
	ev->snap_threads = (const struct rec_snap_thread *)(t + 1);
	return 0;
}

int rec_reader_next(struct rec_reader *rr, struct rec_event *ev)
{
	size_t len, sys = sys_size(rr->version);
	const uint8_t *r;
	int ret;

	memset(ev, 0, sizeof(*ev));
	for (;;) {
		if (rr->batch_left) {
			r = rr->batch;
			len = sys;
			ev->seq = ++rr->batch_seq;
			rr->batch += len;
			rr->batch_left--;
			break;
		}
		ret = next_record(rr, &r, &len, &ev->seq);
		if (ret <= 0)
			return ret;
		if (r[0] == REC_IN) {
			ret = keep_input(rr, r, len, ev->seq);
			if (ret)
				return ret;
			rr->count[REC_IN]++;
			continue;
		}
		if (r[0] == REC_SYS && len < sys)
			return -EBADMSG;
		if (r[0] == REC_SYS && len > sys) {
			if (len % sys || len / sys > REC_BATCH_MAX)
				return -EBADMSG;
			rr->batch = r + sys;
			rr->batch_left = len / sys - 1;
			rr->batch_seq = ev->seq;
			len = sys;
		}
		if (r[0] == REC_START) {
			ret = start_version(rr, (const void *)r);
			if (ret)
				return ret;
		}
		break;
	}
	ev->type = r[0];
	ev->rec = r;
	ev->len = len;
	rr->count[ev->type]++;
	advance_time(rr, r, len);
	ev->ts = rr->ts_valid ? rr->ts : 0;
	if (rec_is_timed(ev->type))
		ev->tid = ((const struct rec_hdr *)r)->tid;
	switch (ev->type) {
	case REC_SYS:
		return read_sys(rr, r, ev) ?: 1;
	case REC_OUT:		/* its syscall is lost (damage) */
		ev->data = r + sizeof(struct rec_out);
		ev->data_len = len - sizeof(struct rec_out);
		break;
	case REC_TIME:		/* a chunk may start between REC_INs and their syscall */
		break;
	case REC_SIGNAL:	/* whole, whatever its version: what it lacks is 0 */
		memset(&rr->sig, 0, sizeof(rr->sig));
		if (len > signal_size(rr->version))
			len = signal_size(rr->version);
		memcpy(&rr->sig, r, len);
		if (rr->version < 3)
			rr->sig.flags &= REC_SIG_INFO;	/* the one flag there was */
		ev->rec = &rr->sig;
		ev->len = sizeof(rr->sig);
		rr->npend = 0;
		break;
	case REC_SNAP:
		rr->npend = 0;
		return check_snap(rr, ev) ?: 1;
	default:
		rr->npend = 0;
		break;
	}
	return 1;
}

/* ------------------------------------------------------------ regions */

bool rec_file_id(const struct rec_sys *s, const struct rec_outdata *o,
		 struct rec_file_id *id)
{
	if (s->ret || o->off || o->fault)
		return false;
	if ((s->nr == SYS_fstat && o->region == 1) ||
	    (s->nr == SYS_newfstatat && o->region == 2 && (s->args[3] & AT_EMPTY_PATH))) {
		struct stat st;

		if (o->len < sizeof(st))
			return false;
		memcpy(&st, o->data, sizeof(st));
		id->ino = st.st_ino;
		id->size = st.st_size;
		id->mtime_ns = st.st_mtim.tv_sec * 1000000000ULL + st.st_mtim.tv_nsec;
		return true;
	}
	if (s->nr == SYS_statx && o->region == 4 && (s->args[2] & AT_EMPTY_PATH)) {
		const unsigned int need = STATX_INO | STATX_SIZE | STATX_MTIME;
		struct statx sx;

		if (o->len < offsetof(struct statx, stx_mtime) + sizeof(sx.stx_mtime))
			return false;
		memset(&sx, 0, sizeof(sx));
		memcpy(&sx, o->data, o->len < sizeof(sx) ? o->len : sizeof(sx));
		if ((sx.stx_mask & need) != need)
			return false;
		id->ino = sx.stx_ino;
		id->size = sx.stx_size;
		id->mtime_ns = sx.stx_mtime.tv_sec * 1000000000ULL + sx.stx_mtime.tv_nsec;
		return true;
	}
	return false;
}

/* The output among @out in region @region, from its start, @len bytes or more; NULL if none. */
static const struct rec_outdata *out_of(const struct rec_outdata *out, unsigned int nout,
					unsigned int region, size_t len)
{
	unsigned int k;

	for (k = 0; k < nout; k++)
		if (out[k].region == region && !out[k].off && !out[k].fault &&
		    out[k].len >= len)
			return &out[k];
	return NULL;
}

bool rec_wait_reaped(const struct rec_sys *s, const struct rec_outdata *out,
		     unsigned int nout, int32_t *pid)
{
	const struct rec_outdata *o;
	siginfo_t si;
	int st;

	switch (s->nr) {
	case SYS_wait4:		/* (pid, &status, options, &rusage) = pid */
		if (s->ret <= 0)
			return false;
		if (s->args[1]) {
			o = out_of(out, nout, 1, sizeof(st));
			if (!o)
				return false;
			memcpy(&st, o->data, sizeof(st));
			if (!WIFEXITED(st) && !WIFSIGNALED(st))
				return false;
		} else if (s->args[2] & (WUNTRACED | WCONTINUED)) {
			return false;	/* it may have been either */
		}
		*pid = s->ret;
		return true;
	case SYS_waitid:	/* (idtype, id, &info, options, &rusage) = 0 */
		if (s->ret || (s->args[3] & WNOWAIT))
			return false;
		o = out_of(out, nout, 2, sizeof(si));
		if (!o)
			return false;
		memcpy(&si, o->data, sizeof(si));
		if (!si.si_pid || (si.si_code != CLD_EXITED && si.si_code != CLD_KILLED &&
				   si.si_code != CLD_DUMPED))
			return false;
		*pid = si.si_pid;
		return true;
	}
	return false;
}

_Static_assert(sizeof(struct msghdr) == REC_MSGHDR_BYTES, "msghdr size");
_Static_assert(sizeof(struct mmsghdr) == REC_MMSGHDR_BYTES, "mmsghdr size");
_Static_assert(sizeof(struct ifconf) == REC_IFCONF_BYTES, "ifconf size");

void rec_msg_decode(const void *b, bool mmsg, struct rec_msg *m)
{
	struct mmsghdr h;

	memset(&h, 0, sizeof(h));
	memcpy(&h, b, mmsg ? sizeof(h) : sizeof(h.msg_hdr));
	m->name = (uintptr_t)h.msg_hdr.msg_name;
	m->namelen = h.msg_hdr.msg_namelen;
	m->iov = (uintptr_t)h.msg_hdr.msg_iov;
	m->iovlen = h.msg_hdr.msg_iovlen;
	m->control = (uintptr_t)h.msg_hdr.msg_control;
	m->controllen = h.msg_hdr.msg_controllen;
	m->len = h.msg_len;
}

uint64_t rec_ifconf_buf(const void *b)
{
	struct ifconf ifc;

	memcpy(&ifc, b, sizeof(ifc));
	return (uintptr_t)ifc.ifc_buf;
}

/* ------------------------------------------------------------ signals */

_Static_assert(offsetof(siginfo_t, si_code) + 2 * sizeof(int) == 16 &&
	       sizeof(siginfo_t) >= 16 + REC_SI_FIELDS,
	       "the siginfo's union follows si_code and a pad, REC_SI_FIELDS bytes");

bool rec_signal_siginfo(const struct rec_signal *s, siginfo_t *si)
{
	memset(si, 0, sizeof(*si));
	if (!(s->flags & REC_SIG_INFO))
		return false;
	si->si_signo = s->sig;
	si->si_errno = s->si_errno;
	si->si_code = s->code;
	memcpy((uint8_t *)si + 16, s->si_fields, REC_SI_FIELDS);
	return true;
}

bool rec_signal_sender(const struct rec_signal *s, int32_t *pid, uint32_t *uid)
{
	siginfo_t si;

	if (!rec_signal_siginfo(s, &si))
		return false;
	switch (si.si_code) {
	case SI_USER:
	case SI_QUEUE:
	case SI_TKILL:
	case SI_MESGQ:
		break;
	default:
		/* the kernel's own (SI_KERNEL, a timer, a fault...) */
		if (si.si_signo != SIGCHLD || si.si_code <= 0)
			return false;
	}
	*pid = si.si_pid;
	*uid = si.si_uid;
	return true;
}

unsigned int rec_signal_regs(const struct rec_signal *s, struct user_regs_struct *r,
			     uint64_t *stack)
{
	memset(r, 0, sizeof(*r));
	memset(stack, 0, REC_SIG_STACK_WORDS * sizeof(*stack));
	if (!(s->flags & REC_SIG_REGS))
		return 0;
	r->rip = s->ip;
	r->rax = s->ax;
	r->orig_rax = s->syscall;
	r->rbx = s->bx;
	r->rcx = s->cx;
	r->rdx = s->dx;
	r->rsi = s->si;
	r->rdi = s->di;
	r->rbp = s->bp;
	r->rsp = s->sp;
	r->r8 = s->r8;
	r->r9 = s->r9;
	r->r10 = s->r10;
	r->r11 = s->r11;
	r->r12 = s->r12;
	r->r13 = s->r13;
	r->r14 = s->r14;
	r->r15 = s->r15;
	r->eflags = s->rflags;
	if (!(s->flags & REC_SIG_STACK))
		return REC_SIG_REGS;
	memcpy(stack, s->stack, REC_SIG_STACK_WORDS * sizeof(*stack));
	return REC_SIG_REGS | REC_SIG_STACK;
}
