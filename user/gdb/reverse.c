// SPDX-License-Identifier: GPL-2.0
/*
 * Reverse execution by replaying again. A replay is deterministic, so the
 * moment before "now" is found by running a new replay from the start to
 * now, noting on the way what gdb would have stopped at:
 *
 * - reverse-continue (bc): a replay with gdb's breakpoints and watchpoints
 *   armed runs to the current position (MODE_SCAN) and notes every hit;
 *   the last one before now is where gdb stops. Without any, the start of
 *   the recording (replaylog:begin).
 * - reverse-step (bs): the thread's previous instruction. A replay runs
 *   to the event where the thread last entered a syscall and from there
 *   single-steps that thread (MODE_RSTEP) until it is back at the current
 *   position; the last step before it is the answer (the syscall
 *   instruction itself when the thread had just returned from one).
 * - monitor seek SEQ: backwards, a replay run to the boundary before event
 *   SEQ; forwards, the current one run on to it.
 *
 * Then a last replay runs to the position found (MODE_GOTO) without
 * stopping anywhere else, and gdb gets one stop there: the breakpoint,
 * watchpoint or step it was. A position found by stepping is a boundary
 * and a number of steps of the thread from there (rp_pos.steps): the
 * replay runs to the boundary, then makes the steps.
 */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "gdb/internal.h"

static struct rp_pos boundary(uint64_t seq)
{
	return (struct rp_pos){ .seq = seq, .boundary = true };
}

/* A new replay to @pos, reporting @report there. */
static __attribute__((noreturn)) void go_to(struct gdb_server *s, const struct rp_pos *pos,
					     const struct rp_dbg_stop *report)
{
	s->mode = MODE_GOTO;
	s->goal = *pos;
	s->report = *report;
	gdb_restart(s);
}

/* Back to the start: the stop says replaylog:begin. */
static __attribute__((noreturn)) void go_begin(struct gdb_server *s)
{
	struct rp_dbg_stop st = { .why = RP_DBG_BEGIN };
	struct rp_pos b = boundary(0);

	s->at_begin = true;
	go_to(s, &b, &st);
}

static bool at_start(const struct rp_pos *p)
{
	return p->boundary && p->seq == 0 && !p->steps;
}

void rev_continue(struct gdb_server *s)
{
	if (at_start(&s->last.pos))
		return;
	s->mode = MODE_SCAN;
	s->goal = s->last.pos;
	s->scan_before = ~0ULL;
	s->found = false;
	gdb_restart(s);
}

/* ------------------------------------------------------------ checkpoints */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Keep the checkpoints spread logarithmically back from the newest: two
 * at most whose distance from it (in events) has the same power of two.
 * Near the newest they are dense, far back sparse, and their number
 * grows with the logarithm of the recording's length.
 */
static void thin(struct gdb_server *s)
{
	uint64_t newest = 0;
	int count[65] = { 0 };
	int i, j, k;

	for (i = 0; i < s->ncps; i++)
		if (rp_checkpoint_seq(s->cps[i]) > newest)
			newest = rp_checkpoint_seq(s->cps[i]);
	/* the newest first within each bucket: sort by event, descending */
	for (i = 1; i < s->ncps; i++)
		for (j = i; j > 0 && rp_checkpoint_seq(s->cps[j]) >
				     rp_checkpoint_seq(s->cps[j - 1]); j--) {
			struct rp_checkpoint *x = s->cps[j];

			s->cps[j] = s->cps[j - 1];
			s->cps[j - 1] = x;
		}
	for (i = 0, k = 0; i < s->ncps; i++) {
		uint64_t d = newest - rp_checkpoint_seq(s->cps[i]);
		int b = d ? 64 - __builtin_clzll(d) : 0;

		if (count[b]++ < 2)
			s->cps[k++] = s->cps[i];
		else
			rp_checkpoint_free(s->cps[i]);
	}
	s->ncps = k;
}

/*
 * Checkpoints are taken as the replays run, where one can be (debug.h):
 * every quarter of a second of replaying (its cost is about that of a
 * fork(), so a fraction of a percent), or every TTREC_GDB_CHECKPOINT_EVERY
 * events; then thinned. Going back from event N replays about as far as
 * the distance to the checkpoint before the place gdb stops, and the
 * journal read up to it.
 */
void rev_boundary(void *ctx, struct rp *rp, uint64_t seq)
{
	struct gdb_server *s = ctx;
	struct rp_checkpoint *cp;
	uint64_t t;
	int i;

	/* gdb's Ctrl-C while the replay runs forward for it */
	if (s->mode == MODE_DEBUG && s->running && !(seq & 63) &&
	    gdb_interrupted(&s->conn)) {
		rp_dbg_interrupt(rp);
		return;
	}
	t = now_ns();

	if (s->cp_every ? seq < s->cp_last_seq + s->cp_every || seq < s->cp_every :
	    t - s->cp_last_ns < 250000000ULL)
		return;
	for (i = 0; i < s->ncps; i++)
		if (rp_checkpoint_seq(s->cps[i]) == seq)
			return;
	s->cp_last_ns = t;
	s->cp_last_seq = seq;
	if (s->ncps == GDB_MAX_CHECKPOINTS || rp_dbg_checkpoint(rp, &cp))
		return;
	s->cps[s->ncps++] = cp;
	thin(s);
}

/* The latest checkpoint at or before event @seq (strictly before @before). */
static const struct rp_checkpoint *latest(struct gdb_server *s, uint64_t seq, uint64_t before)
{
	const struct rp_checkpoint *best = NULL;
	int i;

	for (i = 0; i < s->ncps; i++) {
		uint64_t c = rp_checkpoint_seq(s->cps[i]);

		if (c <= seq && c < before && (!best || c > rp_checkpoint_seq(best)))
			best = s->cps[i];
	}
	return best;
}

const struct rp_checkpoint *rev_checkpoint(struct gdb_server *s)
{
	const struct rp_checkpoint *cp;

	switch (s->mode) {
	case MODE_SCAN:
		cp = latest(s, s->goal.seq, s->scan_before);
		s->scan_before = cp ? rp_checkpoint_seq(cp) : 0;
		return cp;
	case MODE_RSTEP:
		return latest(s, s->from.seq, ~0ULL);
	case MODE_GOTO:
		return at_start(&s->goal) ? NULL : latest(s, s->goal.seq, ~0ULL);
	default:
		return NULL;
	}
}

void rev_free_checkpoints(struct gdb_server *s)
{
	while (s->ncps)
		rp_checkpoint_free(s->cps[--s->ncps]);
}

void rev_step(struct gdb_server *s, uint32_t tid)
{
	if (at_start(&s->last.pos))
		return;
	s->mode = MODE_RSTEP;
	s->goal = s->last.pos;
	if (!s->goal.rtid)
		s->goal.rtid = tid;
	/* where it last entered the kernel: its previous instructions are after that */
	s->from = boundary(rp_dbg_last_sys(s->rp, tid));
	s->found = false;
	gdb_restart(s);
}

void rev_seek(struct gdb_server *s, struct rp *rp, uint64_t seq)
{
	struct rp_dbg_stop st = { .why = RP_DBG_TARGET };
	struct rp_pos p = boundary(seq);

	s->reply_ok = true;
	if (seq > rp_dbg_seq(rp) || (seq == rp_dbg_seq(rp) && !s->last.pos.boundary &&
				     !s->last.pos.steps)) {
		/* ahead: this replay runs on to it */
		s->mode = MODE_GOTO;
		s->goal = p;
		s->base_reached = false;
		s->report = st;
		rp_dbg_step(rp, 0);
		rp_dbg_set_target(rp, &p);
		return;
	}
	go_to(s, &p, &st);
}

/* The goal's position without its steps. */
static struct rp_pos goal_base(const struct gdb_server *s)
{
	struct rp_pos b = s->goal;

	b.steps = 0;
	return b;
}

void rev_session_start(struct gdb_server *s, struct rp *rp)
{
	struct rp_pos b = goal_base(s);

	s->base_reached = false;
	switch (s->mode) {
	case MODE_SCAN:
		gdb_arm(s, rp);
		rp_dbg_set_target(rp, &b);
		break;
	case MODE_RSTEP:
		rp_dbg_set_target(rp, &s->from);
		s->stepping = false;
		s->count = 0;
		break;
	default:
		rp_dbg_set_target(rp, &b);
		break;
	}
}

/*
 * Whether stop @st is the goal: its base position, then its steps made
 * (begun here). A step of the goal's thread counts when @step.
 */
static bool goal_reached(struct gdb_server *s, struct rp *rp, const struct rp_dbg_stop *st,
			 bool step)
{
	if (st->why == RP_DBG_END)
		return true;
	if (!s->base_reached && (st->why == RP_DBG_TARGET || st->target)) {
		s->base_reached = true;
		s->left = s->goal.steps;
		if (!s->left)
			return true;
		rp_dbg_step(rp, s->goal.rtid);
		return false;
	}
	if (s->base_reached && step && st->why == RP_DBG_STEP && st->tid == s->goal.rtid) {
		if (--s->left == 0)
			return true;
		rp_dbg_step(rp, s->goal.rtid);
	}
	return false;
}

/* The search is over: go to the last hit before the goal, or the start. */
static __attribute__((noreturn)) void found(struct gdb_server *s)
{
	struct rp_dbg_stop hit = s->hit;

	if (!s->found && s->mode == MODE_SCAN && s->scan_before) {
		/*
		 * Nothing since that checkpoint: search from an earlier one,
		 * up to where this search began.
		 */
		s->goal = boundary(s->scan_before);
		s->base_reached = false;
		gdb_restart(s);
	}
	if (!s->found)
		go_begin(s);
	go_to(s, &hit.pos, &hit);
}

bool rev_stopped(struct gdb_server *s, struct rp *rp, struct rp_dbg_stop *st)
{
	switch (s->mode) {
	case MODE_SCAN:
		if (st->watched && (st->why == RP_DBG_WATCH || st->why == RP_DBG_TARGET ||
				    st->why == RP_DBG_STEP)) {
			/* going back, a watchpoint stops before the write */
			s->hit = *st;
			s->hit.why = RP_DBG_WATCH;
			s->hit.addr = st->watched;
			s->hit.pos = st->before;
			s->found = true;
		}
		if (goal_reached(s, rp, st, true))
			found(s);
		if (!s->base_reached && st->why == RP_DBG_BREAK) {
			s->hit = *st;
			s->found = true;
		}
		return true;
	case MODE_RSTEP:
		if (!s->stepping) {
			if (st->why != RP_DBG_TARGET)
				return true;
			/* at the boundary to step from: the goal may be that very one */
			s->stepping = true;
			if (goal_base(s).boundary && goal_base(s).seq == s->from.seq) {
				s->base_reached = true;
				s->left = s->goal.steps;
				if (!s->left)
					found(s);
			} else {
				struct rp_pos b = goal_base(s);

				rp_dbg_set_target(rp, &b);
			}
			rp_dbg_step(rp, s->goal.rtid);
			return true;
		}
		if (st->why == RP_DBG_STEP && st->tid == s->goal.rtid) {
			bool base_now = !s->base_reached && st->target;

			if (base_now) {
				s->base_reached = true;
				s->left = s->goal.steps;
			}
			if (s->base_reached && (base_now ? !s->left : --s->left == 0))
				found(s);
			s->count++;
			s->hit = *st;
			s->hit.pos = s->from;
			s->hit.pos.rtid = st->tid;
			s->hit.pos.rip = st->pos.rip;
			s->hit.pos.steps = s->count;
			s->hit.target = false;
			s->found = true;
			rp_dbg_step(rp, s->goal.rtid);
			return true;
		}
		if (st->why == RP_DBG_TARGET && !s->base_reached) {
			s->base_reached = true;
			s->left = s->goal.steps;
			if (!s->left)
				found(s);
			return true;
		}
		if (st->why == RP_DBG_END)
			found(s);
		return true;
	case MODE_GOTO:
		if (!goal_reached(s, rp, st, true) &&
		    !(st->why == RP_DBG_BEGIN && at_start(&s->goal)))
			return true;
		if (st->why != RP_DBG_END) {
			struct rp_dbg_stop here = *st;

			*st = s->report;
			st->pos = s->goal;
			st->pos.rip = here.pos.rip;
			if (!st->tid)
				st->tid = here.tid;
		}
		s->mode = MODE_DEBUG;
		gdb_arm(s, rp);
		return false;
	default:
		return false;
	}
}
