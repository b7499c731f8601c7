// SPDX-License-Identifier: GPL-2.0
/*
 * The replay as a debugger's target (debug.h). The replay runs event by
 * event as run.c runs it; this file adds what a debugger needs on top:
 *
 * - Breakpoints are int3 bytes in the debugged process, hidden from memory
 *   reads. A thread that traps on one stands at its address; when it
 *   resumes, the original byte goes back for one single step, then the
 *   int3 again.
 * - A single step of a thread is a PTRACE_SINGLESTEP whenever the replay
 *   next runs that thread's user code (its turn may come after other
 *   threads' events). A step from a syscall stop that comes back at the
 *   same instruction (the kernel's step report at the syscall's exit)
 *   does not count.
 * - Watched memory: debug registers cannot be relied on (they do not fire
 *   on every machine ttrec runs on, virtual ones among them), so while a
 *   watch is set every instruction of the debugged process is single
 *   stepped and the watched bytes compared after each; what a syscall
 *   writes (the recorded outputs) is compared at the next event. For
 *   read and access watches, the instruction about to be stepped is
 *   decoded first (access.c): what it reads and writes, with the
 *   registers it runs with; after the step (a trap of the step itself,
 *   not the kernel's report at a syscall's exit) a read of a read watch's
 *   bytes, or any access to an access watch's, stops.
 * - Positions (debug.h): the arrivals of a thread at an instruction are
 *   counted per event wherever a breakpoint (the user's, or the one put
 *   at a target's address) stands, the same in every replay.
 *
 * Everything here is called from the replay's own loop (rp_dbg_run()) or
 * from its ptrace waits (rp_dbg_trap(), rp_dbg_resume_req()), in the
 * driver's thread: nothing runs concurrently.
 */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "format/recording.h"
#include "lib/log.h"
#include "lib/util.h"
#include "replay/access.h"
#include "replay/debug.h"
#include "replay/internal.h"

#define DBG_MAX_BP	256
#define DBG_MAX_WATCH	16
#define DBG_WATCH_LEN	64
#define DBG_MAX_ACC	4
#define INSN_MAX	15
#define DBG_MAX_ARR	1024
#define DBG_MAX_THREADS	256
#define INT3		0xcc

struct dbg_bp {
	uint64_t addr;
	uint8_t orig;
	bool user;		/* the debugger's */
	bool target;		/* counts arrivals for the target */
	bool inserted;
};

struct dbg_watch {
	uint64_t addr;
	size_t len;
	enum rp_watch_kind kind;
	uint8_t old[DBG_WATCH_LEN];
	bool valid;		/* @old was readable */
};

struct dbg_arrival {
	uint32_t rtid;
	uint64_t rip;
	uint64_t n;
};

struct rp_dbg {
	struct replay_opts o;
	struct rp_dbg_client c;
	struct rproc *proc;		/* the debugged process */
	unsigned int nexec;		/* its execs when the breakpoints went in */
	uint32_t launch_rtid;		/* the recorded pid, for the launched thread */
	struct dbg_bp bp[DBG_MAX_BP];
	int nbp;
	struct dbg_watch w[DBG_MAX_WATCH];
	int nw;
	int nrw;			/* of them read and access watches */
	/* what the instruction being stepped touches (nacc < 0: not known) */
	struct rp_access acc[DBG_MAX_ACC];
	int nacc;
	pid_t acc_tid;
	/* the window: the event being replayed, and arrivals during it */
	uint64_t seq;
	bool boundary;
	struct dbg_arrival arr[DBG_MAX_ARR];
	int narr;
	/* a breakpoint taken out for a step over it */
	struct dbg_bp *over;
	/* the thread resumed with PTRACE_SINGLESTEP, if any (replayed tid) */
	pid_t stepping;
	/* the single step asked */
	uint32_t step_rtid;
	bool step_started;
	uint64_t step_from;
	struct rp_pos target;
	bool has_target;
	bool began, quit;
	uint64_t nrec;			/* journal records read */
	uint64_t prev_seq;		/* the event before the current one */
	/* each thread's position at its last trap (watches: before a write) */
	struct { uint32_t rtid; struct rp_pos pos; } prev[64];
	int nprev;
	struct rp_pos cur;		/* of the current stop */
	/* each thread's last syscall event replayed, and the one in hand */
	struct { uint32_t rtid; uint64_t seq; } last_sys[DBG_MAX_THREADS];
	int nlast;
	uint32_t pend_rtid;
	uint64_t pend_seq;
};

static uint32_t rtid_of(const struct rp_dbg *d, const struct rthread *t)
{
	return t->rtid ? t->rtid : d->launch_rtid;
}

static struct rthread *thread_of(struct rp *rp, uint32_t rtid)
{
	struct rp_dbg *d = rp->dbg;
	struct rthread *t;

	for (t = rp->threads; t; t = t->next)
		if (t->st != TS_DEAD && t->p == d->proc && rtid_of(d, t) == rtid)
			return t;
	return NULL;
}

static bool proc_alive(const struct rp_dbg *d)
{
	return d->proc && !d->proc->dead;
}

/* ------------------------------------------------------------ breakpoints */

static struct dbg_bp *bp_find(struct rp_dbg *d, uint64_t addr)
{
	int i;

	for (i = 0; i < d->nbp; i++)
		if (d->bp[i].addr == addr)
			return &d->bp[i];
	return NULL;
}

static int bp_insert(struct rp_dbg *d, struct dbg_bp *b)
{
	uint8_t c = INT3;

	if (b->inserted || !proc_alive(d))
		return 0;
	if (rp_mem_read(d->proc, b->addr, &b->orig, 1) ||
	    rp_mem_write(d->proc, b->addr, &c, 1))
		return -EFAULT;
	b->inserted = true;
	return 0;
}

static void bp_remove(struct rp_dbg *d, struct dbg_bp *b)
{
	if (b->inserted && proc_alive(d))
		rp_mem_write(d->proc, b->addr, &b->orig, 1);
	b->inserted = false;
}

static void bp_drop(struct rp_dbg *d, struct dbg_bp *b)
{
	if (b->user || b->target)
		return;
	bp_remove(d, b);
	if (d->over == b)
		d->over = NULL;
	if (d->over == &d->bp[d->nbp - 1])
		d->over = b;
	*b = d->bp[--d->nbp];
}

static struct dbg_bp *bp_get(struct rp_dbg *d, uint64_t addr)
{
	struct dbg_bp *b = bp_find(d, addr);

	if (b)
		return b;
	if (d->nbp == DBG_MAX_BP)
		return NULL;
	b = &d->bp[d->nbp++];
	memset(b, 0, sizeof(*b));
	b->addr = addr;
	return b;
}

/* Every breakpoint in (after a step over one, after an exec). */
static void bp_insert_all(struct rp_dbg *d)
{
	int i;

	if (!proc_alive(d))
		return;
	if (d->proc->nexec != d->nexec) {	/* a new image: nothing of ours in it */
		d->nexec = d->proc->nexec;
		for (i = 0; i < d->nbp; i++)
			d->bp[i].inserted = false;
	}
	d->over = NULL;
	for (i = 0; i < d->nbp; i++)
		bp_insert(d, &d->bp[i]);
}

int rp_dbg_break_add(struct rp *rp, uint64_t addr)
{
	struct rp_dbg *d = rp->dbg;
	struct dbg_bp *b = bp_get(d, addr);

	if (!b)
		return -ENOSPC;
	b->user = true;
	if (bp_insert(d, b)) {
		b->user = false;
		bp_drop(d, b);
		return -EFAULT;
	}
	return 0;
}

int rp_dbg_break_del(struct rp *rp, uint64_t addr)
{
	struct rp_dbg *d = rp->dbg;
	struct dbg_bp *b = bp_find(d, addr);

	if (!b || !b->user)
		return -ENOENT;
	/*
	 * Not out before the event ends: gdb takes its breakpoints out at
	 * every stop and puts them back when it resumes, and the arrivals
	 * there are counted from the start of the event (positions).
	 */
	b->user = false;
	if (d->boundary)
		bp_drop(d, b);
	return 0;
}

/* ------------------------------------------------------------ memory */

int rp_dbg_read(struct rp *rp, uint64_t addr, void *buf, size_t len)
{
	struct rp_dbg *d = rp->dbg;
	int i;

	if (!proc_alive(d) || rp_mem_read(d->proc, addr, buf, len))
		return -EFAULT;
	for (i = 0; i < d->nbp; i++)
		if (d->bp[i].inserted && d->bp[i].addr >= addr && d->bp[i].addr - addr < len)
			((uint8_t *)buf)[d->bp[i].addr - addr] = d->bp[i].orig;
	return 0;
}

int rp_dbg_write(struct rp *rp, uint64_t addr, const void *buf, size_t len)
{
	struct rp_dbg *d = rp->dbg;
	uint8_t c = INT3;
	int i;

	if (!proc_alive(d) || rp_mem_write(d->proc, addr, buf, len))
		return -EFAULT;
	for (i = 0; i < d->nbp; i++) {
		struct dbg_bp *b = &d->bp[i];

		if (b->inserted && b->addr >= addr && b->addr - addr < len) {
			b->orig = ((const uint8_t *)buf)[b->addr - addr];
			rp_mem_write(d->proc, b->addr, &c, 1);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ watches */

int rp_dbg_watch_add(struct rp *rp, uint64_t addr, size_t len, enum rp_watch_kind kind)
{
	struct rp_dbg *d = rp->dbg;
	struct dbg_watch *w;

	if (!len || len > DBG_WATCH_LEN || addr + len < addr || kind > RP_WATCH_ACCESS)
		return -EINVAL;
	if (d->nw == DBG_MAX_WATCH)
		return -ENOSPC;
	w = &d->w[d->nw++];
	w->addr = addr;
	w->len = len;
	w->kind = kind;
	w->valid = !rp_dbg_read(rp, addr, w->old, len);
	d->nrw += kind != RP_WATCH_WRITE;
	return 0;
}

int rp_dbg_watch_del(struct rp *rp, uint64_t addr, size_t len, enum rp_watch_kind kind)
{
	struct rp_dbg *d = rp->dbg;
	int i;

	for (i = 0; i < d->nw; i++) {
		if (d->w[i].addr == addr && d->w[i].len == len && d->w[i].kind == kind) {
			d->nrw -= kind != RP_WATCH_WRITE;
			d->w[i] = d->w[--d->nw];
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The first write or access watch whose bytes changed since last seen, or
 * NULL; every watch's bytes noted as they are now.
 */
static struct dbg_watch *watch_changed(struct rp *rp)
{
	struct rp_dbg *d = rp->dbg;
	uint8_t now[DBG_WATCH_LEN];
	struct dbg_watch *hit = NULL;
	int i;

	for (i = 0; i < d->nw; i++) {
		struct dbg_watch *w = &d->w[i];
		bool ok = !rp_dbg_read(rp, w->addr, now, w->len);

		if (ok != w->valid || (ok && memcmp(now, w->old, w->len))) {
			if (!hit && w->kind != RP_WATCH_READ)
				hit = w;
			memcpy(w->old, now, w->len);
			w->valid = ok;
		}
	}
	return hit;
}

/*
 * @t is about to be stepped: note what its next instruction reads and
 * writes, if read or access watches are set.
 */
static void note_accesses(struct rp *rp, struct rthread *t)
{
	struct rp_dbg *d = rp->dbg;
	struct user_regs_struct r = t->regs;
	uint8_t code[INSN_MAX];
	size_t len;

	d->nacc = -1;
	d->acc_tid = t->tid;
	if (!d->nrw || (t->st == TS_SIGSTOP && t->sig))
		return;		/* no watch to decode for; a handler starts */
	if (!t->dirty && ptrace(PTRACE_GETREGS, t->tid, 0, &r))
		return;
	/* as much of the instruction as is readable (it may end a mapping) */
	for (len = INSN_MAX; len && rp_dbg_read(rp, r.rip, code, len); len--)
		;
	d->nacc = rp_insn_accesses(code, len, &r, d->acc, DBG_MAX_ACC);
	if (d->nacc < 0)
		pr_debug("debug: no instruction at %#llx to decode (%s)\n",
			 (unsigned long long)r.rip, strerror(-d->nacc));
}

/*
 * After a step of @t: the first read watch whose bytes the instruction
 * read, or access watch whose bytes it touched; NULL if none. A trap that
 * is not the step's own (the kernel's report at a syscall's exit, a
 * handler's start) executed no instruction.
 */
static struct dbg_watch *watch_accessed(struct rp *rp, struct rthread *t)
{
	struct rp_dbg *d = rp->dbg;
	int i, k, n = d->nacc;

	d->nacc = -1;
	if (n <= 0 || d->acc_tid != t->tid || rp_getsiginfo_code(t) != TRAP_TRACE)
		return NULL;
	for (i = 0; i < d->nw; i++) {
		struct dbg_watch *w = &d->w[i];

		for (k = 0; k < n && w->kind != RP_WATCH_WRITE; k++) {
			const struct rp_access *a = &d->acc[k];

			if (a->addr < w->addr + w->len && w->addr < a->addr + a->len &&
			    (w->kind == RP_WATCH_ACCESS || (a->how & RP_ACC_READ)))
				return w;
		}
	}
	return NULL;
}

/* ------------------------------------------------------------ positions */

/*
 * The registers that tell two visits of an instruction apart. Not the
 * flags, nor r11 (the flags a syscall saved): a single step sets the trap
 * flag in them, so they differ between replays stepped differently.
 */
static uint64_t regs_digest(const struct user_regs_struct *r)
{
	const uint64_t v[] = {
		r->r15, r->r14, r->r13, r->r12, r->rbp, r->rbx, r->r10, r->r9,
		r->r8, r->rax, r->rcx, r->rdx, r->rsi, r->rdi, r->rip, r->rsp,
	};
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		h = (h ^ v[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t arrive(struct rp_dbg *d, uint32_t rtid, uint64_t rip)
{
	int i;

	for (i = 0; i < d->narr; i++)
		if (d->arr[i].rtid == rtid && d->arr[i].rip == rip)
			return ++d->arr[i].n;
	if (d->narr < DBG_MAX_ARR)
		d->arr[d->narr++] = (struct dbg_arrival){ rtid, rip, 1 };
	return 1;
}

bool rp_pos_equal(const struct rp_pos *a, const struct rp_pos *b)
{
	if (a->boundary || b->boundary)
		return a->boundary == b->boundary && a->seq == b->seq;
	return a->seq == b->seq && a->rtid == b->rtid && a->rip == b->rip &&
	       a->digest == b->digest && a->n == b->n;
}

/*
 * Whether @p is the target: the thread's arrival there that is at least
 * the target's count. Registers cannot tell visits apart: they differ
 * between replays where the program read the time stamp counter (ld.so
 * does), which replay does not reproduce.
 */
static bool at_target(const struct rp_dbg *d, const struct rp_pos *p)
{
	const struct rp_pos *t = &d->target;

	return d->has_target && !t->boundary && p->seq == t->seq && p->rtid == t->rtid &&
	       p->rip == t->rip && p->n >= t->n;
}

void rp_dbg_set_target(struct rp *rp, const struct rp_pos *pos)
{
	struct rp_dbg *d = rp->dbg;
	int i;

	for (i = 0; i < d->nbp; i++) {
		if (d->bp[i].target) {
			d->bp[i].target = false;
			bp_drop(d, &d->bp[i]);
			i = -1;		/* the array moved */
		}
	}
	d->has_target = pos != NULL;
	if (!pos)
		return;
	d->target = *pos;
	if (!pos->boundary) {
		struct dbg_bp *b = bp_get(d, pos->rip);

		if (b) {
			b->target = true;
			bp_insert(d, b);
		}
	}
}

void rp_dbg_pos(struct rp *rp, struct rp_pos *pos)
{
	*pos = rp->dbg->cur;
}

uint64_t rp_dbg_seq(struct rp *rp)
{
	return rp->dbg->seq;
}

/* ------------------------------------------------------------ stops */

/* Where thread @rtid trapped last (@cur when it is new), then @cur noted as that. */
static struct rp_pos prev_pos(struct rp_dbg *d, uint32_t rtid, const struct rp_pos *cur)
{
	struct rp_pos p = *cur;
	int i;

	for (i = 0; i < d->nprev && d->prev[i].rtid != rtid; i++)
		;
	if (i < d->nprev)
		p = d->prev[i].pos;
	else if (d->nprev < (int)(sizeof(d->prev) / sizeof(d->prev[0])))
		d->prev[d->nprev++].rtid = rtid;
	else
		i = 0;
	d->prev[i].rtid = rtid;
	d->prev[i].pos = *cur;
	return p;
}

static void stop_full(struct rp *rp, enum rp_dbg_why why, uint32_t tid, uint64_t addr,
		      bool target, const struct dbg_watch *w, const struct rp_pos *before)
{
	struct rp_dbg *d = rp->dbg;
	struct rp_dbg_stop st = { .why = why, .tid = tid, .addr = addr, .pos = d->cur,
				  .target = target, .watched = w ? w->addr : 0,
				  .wkind = w ? w->kind : RP_WATCH_WRITE,
				  .before = before ? *before : d->cur };

	if (why == RP_DBG_TARGET || target)
		rp_dbg_set_target(rp, NULL);
	rp_watchdog_hold(true);
	d->c.stopped(d->c.ctx, rp, &st);
	rp_watchdog_hold(false);
}

static void stop_at(struct rp *rp, enum rp_dbg_why why, uint32_t tid, uint64_t addr,
		    bool target)
{
	stop_full(rp, why, tid, addr, target, NULL, NULL);
}

static void stop(struct rp *rp, enum rp_dbg_why why, uint32_t tid, uint64_t addr)
{
	stop_at(rp, why, tid, addr, false);
}

/* The thread a stop between events is about: the last event's, or the first. */
static uint32_t boundary_thread(struct rp *rp)
{
	struct rp_dbg *d = rp->dbg;
	struct rthread *t;

	if (rp->last && rp->last->st != TS_DEAD && rp->last->p == d->proc)
		return rtid_of(d, rp->last);
	for (t = rp->threads; t; t = t->next)
		if (t->st != TS_DEAD && t->p == d->proc)
			return rtid_of(d, t);
	return d->launch_rtid;
}

/* A stop between events; @w: the watch whose bytes the last event's outputs changed. */
static void stop_boundary(struct rp *rp, enum rp_dbg_why why, const struct dbg_watch *w)
{
	struct rp_dbg *d = rp->dbg;
	/* a change seen here was written by the previous event's outputs */
	struct rp_pos before = { .seq = d->prev_seq, .boundary = true };

	d->cur = (struct rp_pos){ .seq = d->seq, .boundary = true };
	stop_full(rp, why, boundary_thread(rp), w ? w->addr : 0, false, w, w ? &before : NULL);
}

static int live_threads(struct rp *rp)
{
	struct rthread *t;
	int n = 0;

	for (t = rp->threads; t; t = t->next)
		n += t->st != TS_DEAD && t->p == rp->dbg->proc;
	return n;
}

/* Whether event @ev ends the debugged process: the end of what can be debugged. */
static bool ends_process(struct rp *rp, const struct rec_event *ev)
{
	const struct rec_sys *s = ev->rec;
	struct rthread *t;

	if (ev->type != REC_SYS || !proc_alive(rp->dbg))
		return false;
	t = rp_thread_by_rtid(rp, ev->tid);
	if (!t || t->p != rp->dbg->proc)
		return false;
	return s->nr == SYS_exit_group || (s->nr == SYS_exit && live_threads(rp) == 1);
}

static void note_last_sys(struct rp_dbg *d)
{
	int i;

	if (!d->pend_rtid)
		return;
	for (i = 0; i < d->nlast && d->last_sys[i].rtid != d->pend_rtid; i++)
		;
	if (i == d->nlast && d->nlast < DBG_MAX_THREADS)
		d->last_sys[d->nlast++].rtid = d->pend_rtid;
	if (i < d->nlast)
		d->last_sys[i].seq = d->pend_seq;
	d->pend_rtid = 0;
}

uint64_t rp_dbg_last_sys(struct rp *rp, uint32_t tid)
{
	struct rp_dbg *d = rp->dbg;
	int i;

	for (i = 0; i < d->nlast; i++)
		if (d->last_sys[i].rtid == tid)
			return d->last_sys[i].seq;
	return 0;
}

/* Between two events: breakpoints back in, syscall outputs to watched memory, targets. */
static void before_event(struct rp *rp, const struct rec_event *ev)
{
	struct rp_dbg *d = rp->dbg;
	struct dbg_watch *w;
	int i;

	note_last_sys(d);
	if (ev->type == REC_SYS) {
		d->pend_rtid = ev->tid == d->launch_rtid || !ev->tid ? d->launch_rtid : ev->tid;
		d->pend_seq = ev->seq;
	}

	for (i = 0; i < d->nbp; i++) {
		if (!d->bp[i].user && !d->bp[i].target) {
			bp_drop(d, &d->bp[i]);	/* taken out during the last event */
			i--;
		}
	}
	bp_insert_all(d);
	if (ev->seq != d->seq)
		d->prev_seq = d->seq;
	d->seq = ev->seq;
	d->boundary = true;
	d->narr = 0;
	d->nprev = 0;
	if (d->nw && (w = watch_changed(rp)))
		stop_boundary(rp, RP_DBG_WATCH, w);
	if (d->has_target && d->target.boundary && ev->seq >= d->target.seq) {
		d->seq = d->target.seq;
		stop_boundary(rp, RP_DBG_TARGET, NULL);
		d->seq = ev->seq;
	}
	while (!d->quit && ends_process(rp, ev))
		stop_boundary(rp, RP_DBG_END, NULL);
	if (!d->quit && d->c.boundary)
		d->c.boundary(d->c.ctx, rp, ev->seq);
}

int rp_dbg_checkpoint(struct rp *rp, struct rp_checkpoint **out)
{
	struct rp_dbg *d = rp->dbg;

	int i, err;

	/*
	 * Not while a thread is single-stepped: the fork leaves it at a
	 * syscall-exit stop, where a step reports one instruction later
	 * than from the seccomp stop it was at.
	 */
	if (!d->boundary || !d->nrec || d->step_rtid || d->nw)
		return -EAGAIN;
	/* the frozen copy without our int3s: a replay from it sets its own */
	for (i = 0; i < d->nbp; i++)
		bp_remove(d, &d->bp[i]);
	err = rp_checkpoint_take(rp, d->seq, d->nrec - 1, out);
	bp_insert_all(d);
	return err;
}

/* What a checkpoint keeps of the debugger: the scalars and the syscall notes. */
void *rp_dbg_state_save(struct rp *rp)
{
	struct rp_dbg *d = malloc(sizeof(*d));

	if (d)
		*d = *rp->dbg;
	return d;
}

void rp_dbg_state_load(struct rp *rp, const void *state)
{
	const struct rp_dbg *s = state;
	struct rp_dbg *d = rp->dbg;
	struct rproc *p;

	if (!s)
		return;
	memcpy(d->last_sys, s->last_sys, sizeof(d->last_sys));
	d->nlast = s->nlast;
	d->pend_rtid = s->pend_rtid;
	d->pend_seq = s->pend_seq;
	d->launch_rtid = s->launch_rtid;
	d->seq = s->seq;
	d->nrec = s->nrec - 1;		/* the event of the boundary is read again */
	d->began = true;
	d->boundary = true;
	for (p = rp->procs; p; p = p->next)
		if (!p->dead)
			d->proc = p;
	d->nexec = d->proc ? d->proc->nexec : 0;
}

static bool stepping(const struct rp_dbg *d, const struct rthread *t)
{
	return (d->step_rtid && d->step_rtid == rtid_of(d, t)) || d->nw;
}

enum __ptrace_request rp_dbg_resume_req(struct rp *rp, struct rthread *t)
{
	struct rp_dbg *d = rp->dbg;
	struct dbg_bp *b;
	bool step;

	if (!d || t->p != d->proc)
		return PTRACE_CONT;
	step = stepping(d, t);
	if (d->step_rtid == rtid_of(d, t) && !d->step_started) {
		d->step_started = true;
		d->step_from = t->regs.rip;
	}
	b = bp_find(d, t->regs.rip);
	if (b && b->inserted) {
		/* out for one step; in again at the trap or the next event */
		bp_remove(d, b);
		d->over = b;
		step = true;
	}
	d->stepping = step ? t->tid : 0;
	if (step)
		note_accesses(rp, t);
	return step ? PTRACE_SINGLESTEP : PTRACE_CONT;
}

/* Resume @t from a trap the debugger took. */
static void resume_trapped(struct rp *rp, struct rthread *t)
{
	enum __ptrace_request req = rp_dbg_resume_req(rp, t);

	if (t->dirty && !ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs))
		t->dirty = false;
	ptrace(req, t->tid, 0, 0);
}

/* A trap in another process: an int3 of ours it inherited by fork; take it out. */
static bool trap_other(struct rp *rp, struct rthread *t)
{
	struct dbg_bp *b = bp_find(rp->dbg, t->regs.rip - 1);

	if (!b || !b->inserted)
		return false;
	rp_mem_write(t->p, b->addr, &b->orig, 1);
	t->regs.rip--;
	ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs);
	ptrace(PTRACE_CONT, t->tid, 0, 0);
	return true;
}

bool rp_dbg_trap(struct rp *rp, struct rthread *t)
{
	struct rp_dbg *d = rp->dbg;
	struct dbg_bp *b;
	struct dbg_watch *w;
	struct rp_pos before;
	bool stepped, at_bp;
	uint32_t rtid;
	uint64_t rip;

	if (!d || rp_getregs(t))
		return false;
	rp_watchdog_progress();
	if (t->p != d->proc)
		return trap_other(rp, t);
	stepped = d->stepping == t->tid;
	d->stepping = 0;
	if (d->over) {
		bp_insert(d, d->over);
		d->over = NULL;
	}
	rip = t->regs.rip;
	if (stepped) {
		b = bp_find(d, rip);
		at_bp = b && b->inserted;
	} else {
		b = bp_find(d, rip - 1);
		if (!b || !b->inserted)
			return false;		/* the program's own int3 */
		rip--;
		t->regs.rip = rip;
		t->dirty = true;
		at_bp = true;
	}
	rtid = rtid_of(d, t);
	d->boundary = false;
	d->cur = (struct rp_pos){ .seq = d->seq, .rtid = rtid, .rip = rip,
				  .digest = regs_digest(&t->regs) };
	if (at_bp)
		d->cur.n = arrive(d, rtid, rip);
	if (t->dirty && !ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs))
		t->dirty = false;
	before = prev_pos(d, rtid, &d->cur);
	w = stepped && d->nw ? watch_changed(rp) : NULL;
	if (!w && stepped && d->nrw)
		w = watch_accessed(rp, t);

	if (at_bp && d->has_target && b->target && !at_target(d, &d->cur))
		pr_debug("debug: at the target's address #%llu n %llu digest %llx, not the target (#%llu n %llu digest %llx)\n",
			 (unsigned long long)d->cur.seq, (unsigned long long)d->cur.n,
			 (unsigned long long)d->cur.digest, (unsigned long long)d->target.seq,
			 (unsigned long long)d->target.n, (unsigned long long)d->target.digest);
	if (stepped && d->step_rtid == rtid && d->step_started && rip != d->step_from) {
		d->step_rtid = 0;
		stop_full(rp, RP_DBG_STEP, rtid, 0, at_bp && at_target(d, &d->cur), w, &before);
	} else if (at_bp && at_target(d, &d->cur))
		stop_full(rp, RP_DBG_TARGET, rtid, 0, false, w, &before);
	else if (w)
		stop_full(rp, RP_DBG_WATCH, rtid, w->addr, false, w, &before);
	else if (at_bp && b->user)
		stop(rp, RP_DBG_BREAK, rtid, rip);
	resume_trapped(rp, t);
	return true;
}

void rp_dbg_step(struct rp *rp, uint32_t tid)
{
	struct rp_dbg *d = rp->dbg;

	d->step_rtid = tid;
	d->step_started = false;
}

/* ------------------------------------------------------------ threads */

int rp_dbg_threads(struct rp *rp, uint32_t *tids, int max)
{
	struct rp_dbg *d = rp->dbg;
	struct rthread *t;
	int n = 0;

	for (t = rp->threads; t && n < max; t = t->next)
		if (t->st != TS_DEAD && t->p == d->proc)
			tids[n++] = rtid_of(d, t);
	return n;
}

bool rp_dbg_thread_alive(struct rp *rp, uint32_t tid)
{
	return thread_of(rp, tid) != NULL;
}

int rp_dbg_get_regs(struct rp *rp, uint32_t tid, struct user_regs_struct *r)
{
	struct rthread *t = thread_of(rp, tid);

	if (!t)
		return -ESRCH;
	*r = t->st == TS_INSYS ? t->entry : t->regs;
	return 0;
}

int rp_dbg_set_regs(struct rp *rp, uint32_t tid, const struct user_regs_struct *r)
{
	struct rthread *t = thread_of(rp, tid);

	if (!t)
		return -ESRCH;
	if (t->st == TS_INSYS || t->st == TS_EXITING)
		return -EBUSY;
	t->regs = *r;
	t->dirty = true;
	return 0;
}

int rp_dbg_get_xstate(struct rp *rp, uint32_t tid, void *buf, size_t len)
{
	struct rthread *t = thread_of(rp, tid);
	struct iovec v = { buf, len };

	if (!t)
		return -ESRCH;
	if (ptrace(PTRACE_GETREGSET, t->tid, NT_X86_XSTATE, &v))
		return -errno;
	return v.iov_len;
}

int rp_dbg_set_xstate(struct rp *rp, uint32_t tid, const void *buf, size_t len)
{
	struct rthread *t = thread_of(rp, tid);
	struct iovec v = { (void *)buf, len };

	if (!t)
		return -ESRCH;
	if (ptrace(PTRACE_SETREGSET, t->tid, NT_X86_XSTATE, &v))
		return -errno;
	return 0;
}

pid_t rp_dbg_pid(struct rp *rp)
{
	return proc_alive(rp->dbg) ? rp->dbg->proc->pid : 0;
}

uint32_t rp_dbg_rpid(struct rp *rp)
{
	return rp->dbg->proc && rp->dbg->proc->rpid ? rp->dbg->proc->rpid : rp->dbg->launch_rtid;
}

bool rp_dbg_failed(struct rp *rp)
{
	return rp_stopped(rp);
}

/* ------------------------------------------------------------ the replay */

/*
 * One watchdog for all the replays a debugger runs (stopping one takes up
 * to its period): started with the first, released with each next.
 */
static void watchdog_start(void)
{
	static bool running;

	if (running) {
		rp_watchdog_hold(false);
		return;
	}
	rp_watchdog_start();
	running = true;
}

int rp_dbg_open(const struct replay_opts *o, const struct rp_dbg_client *c, struct rp **out)
{
	struct rp_dbg *d = calloc(1, sizeof(*d));
	struct rp *rp = calloc(1, sizeof(*rp));
	char val[64];

	if (!d || !rp) {
		free(d);
		free(rp);
		return -ENOMEM;
	}
	d->o = *o;
	d->o.quiet = true;
	d->o.to = 0;
	d->c = *c;
	rp->o = &d->o;
	rp->dbg = d;
	*out = rp;
	if (!recording_meta_get(o->dir, "pid", val, sizeof(val)))
		parse_u32(val, &d->launch_rtid);
	if (launch_load(o->dir, &rp->li))
		return -ENOENT;
	if (rec_reader_open(&rp->rr, o->dir)) {
		launch_free(&rp->li);
		memset(&rp->li, 0, sizeof(rp->li));
		return -ENOENT;
	}
	signal(SIGPIPE, SIG_IGN);
	watchdog_start();
	if (!rp_check_exe(rp))
		rp_launch(rp);
	if (rp_stopped(rp))
		return -EPROTO;
	d->proc = rp->procs;
	d->nexec = d->proc ? d->proc->nexec : 0;
	return 0;
}

int rp_dbg_open_at(const struct replay_opts *o, const struct rp_dbg_client *c,
		   const struct rp_checkpoint *cp, struct rp **out)
{
	struct rp_dbg *d = calloc(1, sizeof(*d));
	struct rp *rp = calloc(1, sizeof(*rp));
	int err;

	if (!d || !rp) {
		free(d);
		free(rp);
		return -ENOMEM;
	}
	d->o = *o;
	d->o.quiet = true;
	d->o.to = 0;
	d->c = *c;
	rp->o = &d->o;
	rp->dbg = d;
	*out = rp;
	if (launch_load(o->dir, &rp->li))
		return -ENOENT;
	if (rec_reader_open(&rp->rr, o->dir))
		return -ENOENT;
	signal(SIGPIPE, SIG_IGN);
	watchdog_start();
	err = rp_checkpoint_restore(rp, cp);
	if (err)
		return err;
	rp->o = &d->o;
	rp->dbg = d;
	return 0;
}

int rp_dbg_run(struct rp *rp)
{
	struct rp_dbg *d = rp->dbg;
	struct rec_event ev;

	if (!d->began) {
		d->began = true;
		d->seq = 0;
		d->boundary = true;
		if (d->has_target && d->target.boundary && !d->target.seq)
			stop_boundary(rp, RP_DBG_TARGET, NULL);
		else
			stop_boundary(rp, RP_DBG_BEGIN, NULL);
	}
	while (!d->quit && !rp_stopped(rp)) {
		if (rp_next_event(rp, &ev) <= 0)
			break;
		d->nrec++;
		rp->seq = ev.seq;
		rp->ts = ev.ts;
		rp_watchdog_progress();
		before_event(rp, &ev);
		if (d->quit)
			break;
		rp_handle_event(rp, &ev);
	}
	if (rp_stopped(rp))
		return -EPROTO;
	d->seq++;
	while (!d->quit)
		stop_boundary(rp, RP_DBG_END, NULL);
	return 0;
}

void rp_dbg_interrupt(struct rp *rp)
{
	if (rp->dbg->boundary)
		stop_boundary(rp, RP_DBG_INTERRUPT, NULL);
}

void rp_dbg_quit(struct rp *rp)
{
	rp->dbg->quit = true;
}

void rp_dbg_close(struct rp *rp)
{
	if (!rp)
		return;
	rp_kill_all(rp);
	rec_reader_close(&rp->rr);
	launch_free(&rp->li);
	rp_free(rp);
	free(rp->dbg);
	free(rp);
}
