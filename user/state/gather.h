/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process state without ttrec.ko: what TTREC_IOC_SNAP_PROC,
 * TTREC_IOC_SNAP_FDS and the thread state notes of TTREC_IOC_SNAP_THREADS
 * hold, gathered from /proc and ptrace for a process whose threads the
 * caller holds stopped, into the same streams (image/state.h), so that a
 * snapshot taken without the module writes the same image.
 *
 * Where the files: gather.c (the process), threads.c (each thread), fds.c
 * (the descriptor table), sockets.c (socket details from sock_diag), and
 * remote.c (system calls run in a stopped thread, for what only the
 * process itself can ask: its signal actions, alternate stacks, ...).
 */
#ifndef TTREC_STATE_GATHER_H
#define TTREC_STATE_GATHER_H

#include <stdint.h>
#include <sys/types.h>

#include "image/image.h"

/* What proc_state_gather() gives: the three parts, as the module does. */
struct proc_state {
	struct state_buf proc;		/* the process stream */
	struct state_buf fds;		/* the descriptor stream; fds.count records */
	uint32_t fds_total;		/* descriptors in the table */
	uint32_t fds_state;		/* TTREC_FDS_* */
	uint32_t nr_threads;
	uint32_t *tids;			/* as given */
	struct state_buf *thread_notes;	/* each thread's state notes */
};

/*
 * Gather the state of process @pid. The caller is its ptrace tracer and
 * holds every one of its threads, @tids[0..@n), at a PTRACE_EVENT_STOP
 * (after PTRACE_SEIZE and PTRACE_INTERRUPT), and leaves them stopped until
 * this returns; each is at such a stop again when it does. Registers and memory are left as they were;
 * a thread's pending signals stay pending. What cannot be read without the
 * module is left out, and each such gap is said with pr_debug(): see
 * Documentation/snapshot.rst. Return: 0 with @out filled (free it with
 * proc_state_free()), or -errno with a message (-ESRCH: the process is
 * gone; -EPERM: not its tracer).
 */
int proc_state_gather(pid_t pid, const pid_t *tids, unsigned int n,
		      struct proc_state *out);
void proc_state_free(struct proc_state *ps);

/*
 * @ps's process and descriptor streams as the image writer takes them
 * (pointers into @ps, which keeps them).
 */
void proc_state_streams(const struct proc_state *ps, struct img_state_streams *out);

/*
 * The THREADS stream @threads (@len bytes, thread records with their
 * register notes) with @ps's thread state notes added to the records of
 * the same tids, as TTREC_SNAP_THREADS_STATE gives it. Return: 0 with
 * *@out (malloc()ed) and *@out_len, or -errno.
 */
int proc_state_threads(const struct proc_state *ps, const uint8_t *threads,
		       size_t len, uint8_t **out, size_t *out_len);

#endif
