/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttrec: the module's tracepoints, for the recorder's BPF programs
 * (bpf/record.bpf.c attaches to them as raw tracepoints, by name, when the
 * module is loaded). Bare tracepoints: no trace event in tracefs, only the
 * hook and its entry in the module's __bpf_raw_tp_map.
 *
 * ttrec_park: a thread has parked (park.c), in its own context, before
 *   the parker can see it: @park_id is the park, @parker the tgid of the
 *   process that asked for it, @syscall_nr the syscall it returns from
 *   (-1: none, it came from user space) and @ret that syscall's return
 *   value so far (-ERESTART*: the kernel restarts it after the park).
 * ttrec_park_notify: @tid is about to be asked to park (@queued 1: by the
 *   parker, before the request can reach it), or the request is over
 *   (@queued 0: the thread runs its callback, in its own context, or the
 *   request could not be queued, in the parker's). A recorder knows from it
 *   that an epoll wait of @tid ending in -EINTR meanwhile was ended by the
 *   park, which turns the -EINTR into -ERESTARTNOHAND after the sys_exit
 *   tracepoint has seen it (park.c: ttrec_park_restartable()).
 * ttrec_snapshot: every thread of @tgid is parked for park @park_id and
 *   snapshot @snap_id has been taken (its memory held), before the threads
 *   are let go; in the parker's context. @nr_threads threads.
 *
 * Both fire while the threads are parked, so a recorder that numbers
 * events as they fire places each thread's park after all the thread did
 * before and the snapshot after every park, before anything the threads
 * do after the release.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ttrec

#if !defined(_TTREC_KMOD_TTREC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TTREC_KMOD_TTREC_TRACE_H

#include <linux/tracepoint.h>

DECLARE_TRACE(ttrec_park,
	TP_PROTO(u64 park_id, pid_t parker, long syscall_nr, long ret),
	TP_ARGS(park_id, parker, syscall_nr, ret));

DECLARE_TRACE(ttrec_park_notify,
	TP_PROTO(u64 park_id, pid_t parker, pid_t tid, int queued),
	TP_ARGS(park_id, parker, tid, queued));

DECLARE_TRACE(ttrec_snapshot,
	TP_PROTO(u64 park_id, u64 snap_id, pid_t tgid, unsigned int nr_threads),
	TP_ARGS(park_id, snap_id, tgid, nr_threads));

#endif /* _TTREC_KMOD_TTREC_TRACE_H */

/* For an out-of-tree build: found through -I$(src)/kmod. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ttrec_trace
#include <trace/define_trace.h>
