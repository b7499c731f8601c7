// SPDX-License-Identifier: GPL-2.0
/*
 * A signal recorded between syscalls (rec_signal.syscall < 0, Documentation/
 * replay.rst, Signals): it interrupted the thread in user code, before the
 * instruction at rec_signal.ip, with the registers and the top of the stack
 * the record holds. There are no instruction or branch counters to count
 * the way there (no PMU), so the thread runs with a breakpoint at that
 * instruction, and at each execution of it the registers and the stack
 * words are compared with the recorded ones: the first execution where they
 * all match is the one the signal interrupted, and the signal is delivered
 * there. A loop's counter, in a register or a stack slot, tells one
 * execution from the next; an execution that no register or stack word
 * tells apart from the recorded one is taken for it.
 *
 * Each execution costs a breakpoint trap and a single step, two ptrace stops,
 * so the search gives up after ASYNC_MAX_HITS executions, or as soon as a
 * register or stack word that counts executions (the same step each time)
 * shows the recorded one is further ahead than that: the signal is then
 * delivered at that execution of the instruction, with other registers. A
 * thread that reaches its next syscall first gets the signal there, before
 * the syscall, as the journal has the signal before it.
 *
 * The breakpoint is breakpoint.c's, the one sched.c runs a preempted
 * thread to its preemption point with.
 */
#include <errno.h>
#include <string.h>

#include "lib/log.h"
#include "replay/internal.h"

#define ASYNC_MAX_HITS	4000
/* the rflags bits user code sets: CF PF AF ZF SF DF OF (not TF, RF, IF) */
#define USER_FLAGS	0xcd5ULL
#define NREGS		17
/* a state: the registers, then the stack words */
#define NSTATE		(NREGS + REC_SIG_STACK_WORDS)

/* The state of registers @u and @stack, in the order both sides use. */
static void state_of(const struct user_regs_struct *u, const uint64_t *stack, uint64_t *v)
{
	const uint64_t r[NREGS] = {
		u->rax, u->rbx, u->rcx, u->rdx, u->rsi, u->rdi, u->rbp, u->rsp,
		u->r8, u->r9, u->r10, u->r11, u->r12, u->r13, u->r14, u->r15,
		u->eflags & USER_FLAGS,
	};

	memcpy(v, r, sizeof(r));
	memcpy(v + NREGS, stack, REC_SIG_STACK_WORDS * sizeof(*v));
}

/* One search: the recorded state, and the last executions seen. */
struct search {
	uint64_t ip;
	unsigned int n;			/* values of a state compared: NREGS or NSTATE */
	uint64_t want[NSTATE];
	uint64_t seen[2][NSTATE];	/* the last two executions, newest first */
	unsigned int hits;
};

/*
 * Whether the recorded execution is out of reach: a register or stack word
 * that moved by the same step at the last two executions, a counter, needs
 * more steps than there are hits left to get to its recorded value. (One
 * that moves away from it proves nothing: an inner loop's counter starts
 * again at the next turn of the outer loop.)
 */
static bool out_of_reach(const struct search *sr, const uint64_t *v)
{
	uint64_t left = ASYNC_MAX_HITS - sr->hits;
	unsigned int i;

	if (sr->hits < 3)
		return false;
	for (i = 0; i < sr->n; i++) {
		uint64_t step = v[i] - sr->seen[0][i], dist = sr->want[i] - v[i];

		if (!step || step != sr->seen[0][i] - sr->seen[1][i] || !dist)
			continue;
		if ((int64_t)step < 0) {
			step = -step;
			dist = -dist;
		}
		if ((int64_t)dist > 0 && !(dist % step) && dist / step > left)
			return true;
	}
	return false;
}

/*
 * At the breakpoint, before the instruction: the recorded execution, one
 * out of reach, or another one (0: go on).
 */
static int at_hit(struct rthread *t, struct search *sr)
{
	uint64_t v[NSTATE], stack[REC_SIG_STACK_WORDS];

	sr->hits++;
	if (rp_mem_read(t->p, t->regs.rsp, stack, sizeof(stack)))
		memset(stack, 0, sizeof(stack));
	state_of(&t->regs, stack, v);
	if (!memcmp(v, sr->want, sr->n * sizeof(*v)))
		return ASYNC_EXACT;
	if (sr->hits >= ASYNC_MAX_HITS || out_of_reach(sr, v))
		return ASYNC_AT_IP;
	memcpy(sr->seen[1], sr->seen[0], sizeof(sr->seen[0]));
	memcpy(sr->seen[0], v, sizeof(v));
	return 0;
}

/* Hit after hit, until the recorded execution (or the end of the search). */
static int search(struct rp *rp, struct rthread *t, struct search *sr)
{
	int ret;

	for (;;) {
		ret = rp_bp_run(rp, t, sr->ip);
		if (ret != RP_BP_HIT)
			return ret == RP_BP_SYSCALL ? ASYNC_AT_SYSCALL : ret;
		ret = at_hit(t, sr);
		if (ret)
			return ret;
		ret = rp_bp_step(rp, t, sr->ip);
		if (ret)
			return ret == RP_BP_SYSCALL ? ASYNC_AT_SYSCALL : ret;
	}
}

/*
 * Run @t, which stands after its last event, to where the signal @s
 * recorded between syscalls interrupted it (see the top of this file).
 * ASYNC_EXACT and ASYNC_AT_IP leave @t stopped before the instruction at
 * s->ip (TS_PREEMPT, its registers to be written back), ASYNC_AT_SYSCALL
 * at its next syscall's entry (TS_ENTRY).
 */
int rp_async_run(struct rp *rp, struct rthread *t, const struct rec_signal *s)
{
	struct search sr = { .ip = s->ip };
	uint64_t stack[REC_SIG_STACK_WORDS];
	struct user_regs_struct want;
	unsigned int has = rec_signal_regs(s, &want, stack);
	int ret;

	if (!(has & REC_SIG_REGS))
		return ASYNC_NOT_TRIED;
	if (t->st != TS_DONE && t->st != TS_EXIT && t->st != TS_NEW && t->st != TS_SIGSTOP &&
	    t->st != TS_PREEMPT)
		return ASYNC_NOT_TRIED;
	state_of(&want, stack, sr.want);
	sr.n = has & REC_SIG_STACK ? NSTATE : NREGS;
	if (rp_bp_insert(t->p, s->ip))
		return ASYNC_NOT_TRIED;
	rp_watchdog_set_budget(rp->ts > t->last_ts && t->last_ts ? rp->ts - t->last_ts : 0);
	ret = search(rp, t, &sr);
	rp_bp_remove(t->p, s->ip);
	if (ret == ASYNC_EXACT)
		pr_debug("thread %u: signal %d recorded at %#llx between syscalls: found at execution %u of it\n",
			 t->rtid, s->sig, (unsigned long long)s->ip, sr.hits);
	else if (ret > 0)
		pr_debug("thread %u: signal %d recorded at %#llx between syscalls: not found in %u executions of it, delivered %s\n",
			 t->rtid, s->sig, (unsigned long long)s->ip, sr.hits,
			 ret == ASYNC_AT_IP ? "at the last" : "before the next syscall");
	return ret;
}
