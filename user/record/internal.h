/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recorder's state, shared by the files of user/record/:
 *   recorder.c  recorder_run(): the main loop, attach, the end
 *   bpf.c       the BPF program: open, configure, load, attach; its maps
 *   child.c     `ttrec record`: start the command traced from its exec
 *   supervisor.c  its seccomp filter's supervisor: the launch facts of
 *               every exec, the program's own ptrace and PR_GET_SECCOMP
 *   attach_vdso.c  `ttrec attach`: the target's vDSO patched, put back at the end
 *   ring.c      the ring buffer reader
 *   reorder.c   ring events back into sequence order
 *   events.c    ring events into journal records (format/records.h)
 *   snapshots.c ttrec.ko's parks and snapshots into REC_SNAP records, with
 *               each thread's last record before its park
 */
#ifndef TTREC_RECORD_INTERNAL_H
#define TTREC_RECORD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

#include "format/records.h"
#include "record/recorder.h"
#include "record/reorder.h"

struct record_bpf;
struct journal_writer;
struct launch_info;
struct supervisor;
struct snap_positions;

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
	/* record: the command, and the supervisor of its seccomp filter */
	sigset_t orig_mask;		/* before SIGCHLD was blocked for it */
	const char *dir;
	int child_pid;
	struct supervisor *sv;
	/* --snapshot-interval: snapshots.c */
	const struct recorder_opts *o;
	struct snap_positions *pos;
};

/* bpf.c */
/* The big ring's size: --ring-mib, or the default. */
uint64_t recorder_ring_bytes(const struct recorder_opts *o);
int recorder_bpf_load(struct recorder *s, const struct recorder_opts *o);
/* record: @tgid is the command, whose first exec exec.c sees under ptrace. */
void recorder_bpf_launch(struct recorder *s, uint32_t tgid);
/* Trace @tgid: @how is TRACED_EXEC (from its exec) or TRACED_ACTIVE|TRACED_NOSLOT. */
int recorder_bpf_trace(struct recorder *s, uint32_t tgid, uint32_t how);
bool recorder_bpf_traced_empty(struct recorder *s);
void recorder_bpf_untrace_all(struct recorder *s);
/* SIGKILL every traced process (record, stopped by a signal or an error). */
void recorder_bpf_kill_all(struct recorder *s);
/* The traced tgids, at most @max of them; returns how many. */
int recorder_bpf_traced_list(struct recorder *s, uint32_t *tgids, int max);
/* Events lost so far, and the sequence number at the first loss (0: none). */
uint64_t recorder_bpf_lost(struct recorder *s, uint64_t *first_seq);
/* With -v and kernel.bpf_stats_enabled=1: the time the BPF programs took. */
void recorder_bpf_print_stats(struct recorder *s);

/* child.c: fork and start o->argv, traced from its exec. 0 or -errno. */
int recorder_start_child(struct recorder *s, const struct recorder_opts *o, int *pidp);

/* supervisor.c */
/*
 * Answer the notifications of the command's filter, whose @listener this
 * takes, in a thread of its own; the command's first exec fills @li
 * (li->version set when complete). 0 or -errno.
 */
int recorder_supervise(struct recorder *s, int listener, struct launch_info *li);
/* Wait until the command's first exec was seen: 0, or -errno (not seen). */
int recorder_first_exec(struct recorder *s);
/*
 * End the supervisor thread. Processes left holding the filter (not
 * recorded) are answered by a process of its own until they are gone.
 */
void recorder_supervisor_stop(struct recorder *s);

/* snapshots.c */
/* Start keeping each thread's last record (--snapshot-interval). 0 or -ENOMEM. */
int snap_positions_init(struct recorder *s);
void snap_positions_free(struct recorder *s);
/* Thread @tid's record @seq was written. */
void snap_positions_note(struct recorder *s, uint32_t tid, uint64_t seq);
/* A REC_EV_PARK or REC_EV_SNAP (@ev) at @seq into the journal. */
void snap_positions_event(struct recorder *s, uint64_t seq, const void *ev);

/* events.c: the reorder_emit_fn writing an event into the journal */
void recorder_write_event(void *ctx, uint64_t seq, const void *ev,
			  const struct rec_chunk *chunks);

#endif
