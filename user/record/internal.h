/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recorder's state, shared by the files of user/record/:
 *   recorder.c  recorder_run(): the main loop, attach, the end
 *   bpf.c       the BPF program: open, configure, load, attach; its maps
 *   child.c     `ttrec record`: start the command traced from its exec
 *   tracer.c    ... and follow it through its execs under ptrace
 *   ring.c      the ring buffer reader
 *   reorder.c   ring events back into sequence order
 *   events.c    ring events into journal records (format/records.h)
 */
#ifndef TTREC_RECORD_INTERNAL_H
#define TTREC_RECORD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "format/records.h"
#include "record/recorder.h"
#include "record/reorder.h"

struct record_bpf;
struct journal_writer;
struct launch_tracer;

struct recorder {
	struct record_bpf *skel;
	struct journal_writer *jw;
	struct rec_writer w;
	struct reorder ro;
	int ncpus;
	/* loss */
	uint64_t lost_seen;
	uint64_t lost_first_seq;
	/* counts */
	uint64_t events, syscalls, out_bytes, unknown;
	uint64_t last_flush;
	uint64_t next_check;		/* of the loss counters and the target */
	int nice;			/* of the draining thread */
	/* for -v: ring bytes read, from the hot ring, drain passes */
	uint64_t ring_bytes, hot_bytes, passes;
	/* record: the tracer following the command through its execs, or NULL */
	struct launch_tracer *tracer;
	bool follow_fork;		/* children followed: the tracer holds them too */
	bool warned_ptrace;		/* a recorded process could not ptrace: said so */
};

/* bpf.c */
/* The big ring's size: --ring-mib, or the default. */
uint64_t recorder_ring_bytes(const struct recorder_opts *o);
int recorder_bpf_load(struct recorder *s, const struct recorder_opts *o);
/* Trace @tgid: @how is TRACED_EXEC (from its exec) or TRACED_ACTIVE|TRACED_NOSLOT. */
int recorder_bpf_trace(struct recorder *s, uint32_t tgid, uint32_t how);
bool recorder_bpf_traced_empty(struct recorder *s);
void recorder_bpf_untrace_all(struct recorder *s);
/* Events lost so far, and the sequence number at the first loss (0: none). */
uint64_t recorder_bpf_lost(struct recorder *s, uint64_t *first_seq);
/* With -v and kernel.bpf_stats_enabled=1: the time the BPF programs took. */
void recorder_bpf_print_stats(struct recorder *s);

/* child.c: fork and start o->argv, traced from its exec. 0 or -errno. */
int recorder_start_child(struct recorder *s, const struct recorder_opts *o, int *pidp);

/* events.c: the reorder_emit_fn writing an event into the journal */
void recorder_write_event(void *ctx, uint64_t seq, const void *ev,
			  const struct rec_chunk *chunks);

#endif
