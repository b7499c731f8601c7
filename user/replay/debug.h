/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The replay as a debugger's target (user/replay/debug.c), for user/gdb/:
 * a replay opened and run event by event as replay_run() does, but which
 * stops, frozen, wherever the debugger asked: at breakpoints (int3 in the
 * replayed process, invisible to memory reads), after a single step of a
 * thread, where watched memory changed, at a position, at the end of the
 * recording. At each stop the client's stopped() runs (the gdb server
 * talks to gdb there) and reads and writes registers and memory; when it
 * returns, the replay goes on.
 *
 * A position (struct rp_pos) names a moment that is the same in every
 * replay of the recording, so that a new replay can be run to it (reverse
 * execution): the event being replayed, and the thread stopped in its user
 * code, its instruction pointer and how often it reached that instruction
 * while that event was replayed (counted where a breakpoint stands, from
 * when it was first there in that event: exact for breakpoints set at an
 * event boundary or before, a lower bound for one set in the middle).
 *
 * Threads are named by their recorded tids (the launched thread, before
 * its exec event, by the recorded pid), the same in every replay.
 */
#ifndef TTREC_REPLAY_DEBUG_H
#define TTREC_REPLAY_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "replay/replay.h"

struct rp;

struct rp_pos {
	uint64_t seq;		/* the event being replayed (or, at a boundary, next) */
	bool boundary;		/* before event @seq, every thread at rest */
	uint32_t rtid;		/* not at a boundary: the thread (recorded tid) */
	uint64_t rip;		/* the instruction it is about to execute */
	uint64_t digest;	/* of its general registers (not compared: see debug.c) */
	uint64_t n;		/* its arrivals at @rip during event @seq, this one included */
	/*
	 * Then @steps single steps of thread @rtid (a client's notion:
	 * debug.c stops at the position above, the client steps on).
	 */
	uint64_t steps;
};

enum rp_dbg_why {
	RP_DBG_BEGIN,		/* the program is started, at its first instruction */
	RP_DBG_END,		/* the end of the recording, or of its debugged process */
	RP_DBG_BREAK,		/* a breakpoint at @addr */
	RP_DBG_STEP,		/* the thread made the single step asked */
	RP_DBG_WATCH,		/* the watched range at @addr was written or read */
	RP_DBG_TARGET,		/* the position rp_dbg_set_target() named */
	RP_DBG_INTERRUPT,	/* rp_dbg_interrupt(): the debugger asked to stop */
};

/* What a watch stops at: writes that change the bytes, reads, or both. */
enum rp_watch_kind {
	RP_WATCH_WRITE,
	RP_WATCH_READ,
	RP_WATCH_ACCESS,
};

struct rp_dbg_stop {
	enum rp_dbg_why why;
	uint32_t tid;		/* the thread that stopped; a boundary: the last event's */
	uint64_t addr;
	struct rp_pos pos;
	bool target;		/* a STEP that arrived at the target too */
	/*
	 * Watched memory that changed here (its address; 0: none), also at a
	 * TARGET stop, and the position just before the change: the
	 * thread's previous instruction (the write), or the boundary before
	 * the event whose outputs wrote it. Going back stops there.
	 */
	uint64_t watched;
	enum rp_watch_kind wkind;	/* the kind of that watch */
	struct rp_pos before;
};

struct rp_dbg_client {
	/* At each stop, the replay frozen. Returning lets it go on. */
	void (*stopped)(void *ctx, struct rp *rp, const struct rp_dbg_stop *st);
	/* Before each event (may be NULL): where a checkpoint may be taken. */
	void (*boundary)(void *ctx, struct rp *rp, uint64_t seq);
	void *ctx;
};

/*
 * Checkpoints (checkpoint.c): the replay as it stands before an event, in
 * a frozen fork of the replayed process, to start other replays from.
 */
struct rp_checkpoint;
/*
 * From the boundary hook: a checkpoint of the replay before this event.
 * Return: 0, -EAGAIN where none can be taken (more than one process, a
 * thread inside a real syscall or at a signal, file contents the replay
 * keeps), or -errno.
 */
int rp_dbg_checkpoint(struct rp *rp, struct rp_checkpoint **out);
uint64_t rp_checkpoint_seq(const struct rp_checkpoint *cp);
/* Kill its process, free it (NULL is fine). */
void rp_checkpoint_free(struct rp_checkpoint *cp);
/* rp_dbg_open(), but from checkpoint @cp (which stays): no BEGIN stop. */
int rp_dbg_open_at(const struct replay_opts *o, const struct rp_dbg_client *c,
		   const struct rp_checkpoint *cp, struct rp **out);

/*
 * Open the recording and start the program (to its first instruction).
 * Nothing is printed of what it writes (@o->quiet is implied). Return: 0
 * or -errno (reported).
 */
int rp_dbg_open(const struct replay_opts *o, const struct rp_dbg_client *c, struct rp **out);
/*
 * Replay the events, calling the client at each stop (RP_DBG_BEGIN
 * first). At the end it stops at RP_DBG_END again and again until
 * rp_dbg_quit(). Return: 0, or -errno when the replay failed or diverged.
 */
int rp_dbg_run(struct rp *rp);
/* From the boundary hook: stop here (RP_DBG_INTERRUPT). */
void rp_dbg_interrupt(struct rp *rp);
/* Make rp_dbg_run() return after the current stop. */
void rp_dbg_quit(struct rp *rp);
/* Kill the replayed processes, free everything. NULL is fine. */
void rp_dbg_close(struct rp *rp);

/* Where the replay stands: the current stop's position. */
void rp_dbg_pos(struct rp *rp, struct rp_pos *pos);
/* Whether @a and @b name the same moment. */
bool rp_pos_equal(const struct rp_pos *a, const struct rp_pos *b);
/* The number of the event being replayed (or next, at a boundary). */
uint64_t rp_dbg_seq(struct rp *rp);
/* The debugged process (the first one): its replayed pid, its recorded one. */
pid_t rp_dbg_pid(struct rp *rp);
uint32_t rp_dbg_rpid(struct rp *rp);
/*
 * The number of the last syscall event of thread @tid replayed before the
 * current window (0: none): where it last entered the kernel.
 */
uint64_t rp_dbg_last_sys(struct rp *rp, uint32_t tid);
/* Whether the replay failed or diverged. */
bool rp_dbg_failed(struct rp *rp);

/* Breakpoints: a software breakpoint (int3) at @addr, in the debugged process. */
int rp_dbg_break_add(struct rp *rp, uint64_t addr);
int rp_dbg_break_del(struct rp *rp, uint64_t addr);
/*
 * Watch @len bytes at @addr (1..64): a stop where they change
 * (RP_WATCH_WRITE), after an instruction that read them (RP_WATCH_READ),
 * or either (RP_WATCH_ACCESS). -EINVAL for a length out of range or a
 * range that wraps.
 */
int rp_dbg_watch_add(struct rp *rp, uint64_t addr, size_t len, enum rp_watch_kind kind);
int rp_dbg_watch_del(struct rp *rp, uint64_t addr, size_t len, enum rp_watch_kind kind);
/* Thread @tid (0: none) makes one instruction before the next stop. */
void rp_dbg_step(struct rp *rp, uint32_t tid);
/* Stop at @pos when the replay gets there (NULL: no target). */
void rp_dbg_set_target(struct rp *rp, const struct rp_pos *pos);
/* Report breakpoints and steps (@on), or only targets, watches and the end. */
void rp_dbg_report_breaks(struct rp *rp, bool on);

/* The live threads of the debugged process, in creation order. */
int rp_dbg_threads(struct rp *rp, uint32_t *tids, int max);
bool rp_dbg_thread_alive(struct rp *rp, uint32_t tid);
/* Registers of a thread; one running inside a real syscall: as it entered. */
int rp_dbg_get_regs(struct rp *rp, uint32_t tid, struct user_regs_struct *r);
int rp_dbg_set_regs(struct rp *rp, uint32_t tid, const struct user_regs_struct *r);
/*
 * The thread's XSAVE area (the x87, SSE and AVX state; the layout of
 * PTRACE_GETREGSET NT_X86_XSTATE) into @buf; its length or -errno.
 */
int rp_dbg_get_xstate(struct rp *rp, uint32_t tid, void *buf, size_t len);
int rp_dbg_set_xstate(struct rp *rp, uint32_t tid, const void *buf, size_t len);
/* Memory of the debugged process, breakpoints hidden. 0 or -EFAULT. */
int rp_dbg_read(struct rp *rp, uint64_t addr, void *buf, size_t len);
int rp_dbg_write(struct rp *rp, uint64_t addr, const void *buf, size_t len);

#endif
