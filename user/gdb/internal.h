/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gdb server's own header; its files, one role each:
 *
 *   packet.c   the protocol's framing: packets, checksums, acks, escapes
 *   tdesc.c    the amd64 target description and the register layout
 *   server.c   the connection (listening, starting gdb), the packets, the
 *              stops; a replay session, and a new one when going back
 *   reverse.c  reverse execution: where a reverse-continue, a reverse
 *              step or a seek ends, found by replaying again
 *
 * The replay runs in this thread; at each stop (replay/debug.h) the
 * server talks to gdb inside the replay's callback, and lets it go on
 * when gdb resumes. Going back means a new replay: the server leaves the
 * current one with longjmp() (it is killed and freed as a whole), starts
 * another and runs it to the position reverse.c chose, silently; gdb sees
 * one stop there.
 */
#ifndef TTREC_GDB_INTERNAL_H
#define TTREC_GDB_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "gdb/gdb.h"
#include "gdb/packet.h"
#include "replay/debug.h"

#define GDB_MAX_BREAKS	256
#define GDB_MAX_WATCHES	16
#define GDB_MAX_CHECKPOINTS	128

/* What a replay session is for. */
enum gdb_mode {
	MODE_DEBUG,	/* gdb drives: stops are reported */
	MODE_SCAN,	/* reverse-continue: note the hits before the goal */
	MODE_RSTEP,	/* reverse-step: step the thread to the goal, note each step */
	MODE_GOTO,	/* silently to a position, then report it */
};

struct gdb_watch {
	uint64_t addr, len;
	enum rp_watch_kind kind;	/* Z2, Z3, Z4 */
};

struct gdb_server {
	struct gdb_conn conn;
	const struct replay_opts *o;
	struct rp *rp;			/* the replay session */
	jmp_buf again;			/* leave the session for a new one */
	bool quit;			/* gdb is gone, detached or killed the program */
	/* gdb's breakpoints and watchpoints: armed in every session */
	uint64_t breaks[GDB_MAX_BREAKS];
	int nbreaks;
	struct gdb_watch watches[GDB_MAX_WATCHES];
	int nwatches;
	uint32_t hg, hc;		/* threads of H g / H c (0: any) */
	/* the last stop */
	struct rp_dbg_stop last;
	bool at_begin;			/* a reverse execution ran into the start */
	bool running;			/* gdb waits for a stop reply */
	bool reply_ok;			/* a monitor command waits for its OK */
	/* reverse.c */
	enum gdb_mode mode;
	struct rp_pos goal;		/* where the search ends, or GOTO goes */
	bool base_reached;		/* the goal's position before its steps */
	uint64_t left;			/* the goal's steps still to make */
	struct rp_pos from;		/* RSTEP: where stepping starts (a boundary) */
	bool stepping;			/* RSTEP: from there on */
	uint64_t count;			/* RSTEP: the thread's steps since @from */
	bool found;			/* SCAN, RSTEP: a stop before the goal */
	struct rp_dbg_stop hit;		/* the last one */
	struct rp_dbg_stop report;	/* GOTO: what to report on arrival */
	uint64_t scan_before;		/* SCAN: from a checkpoint before this event */
	uint64_t sessions;		/* replays started (the first included) */
	/* checkpoints, by event (reverse.c) */
	struct rp_checkpoint *cps[GDB_MAX_CHECKPOINTS];
	int ncps;
	uint64_t cp_every;		/* every so many events (0: by time) */
	uint64_t cp_last_seq, cp_last_ns;	/* the last one taken */
};

/* server.c */
/* Leave the current replay for a new one, run in @s->mode. Never returns. */
__attribute__((noreturn)) void gdb_restart(struct gdb_server *s);
/* Arm gdb's breakpoints and watchpoints in the replay. */
void gdb_arm(struct gdb_server *s, struct rp *rp);

/* reverse.c */
/*
 * Going back from the last stop: set @s->mode and restart. They return
 * only when there is nothing before (the start of the recording).
 */
void rev_continue(struct gdb_server *s);
void rev_step(struct gdb_server *s, uint32_t tid);
/* To the boundary before event @seq (back or forward), a monitor seek. */
void rev_seek(struct gdb_server *s, struct rp *rp, uint64_t seq);
/*
 * A stop in a session that is not gdb's yet (SCAN, RSTEP, GOTO): true if
 * taken (the replay goes on or restarts); false once it is gdb's stop,
 * @st then what to report there.
 */
bool rev_stopped(struct gdb_server *s, struct rp *rp, struct rp_dbg_stop *st);
/* The session starts: its first target or step, by mode. */
void rev_session_start(struct gdb_server *s, struct rp *rp);
/* The checkpoint a session in @s->mode starts from; NULL: the start. */
const struct rp_checkpoint *rev_checkpoint(struct gdb_server *s);
/* Before each event: a checkpoint, where they are due. */
void rev_boundary(void *ctx, struct rp *rp, uint64_t seq);
void rev_free_checkpoints(struct gdb_server *s);

#endif
