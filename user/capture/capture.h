/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshots without ttrec.ko: every thread of the target is stopped with
 * ptrace (PTRACE_SEIZE + PTRACE_INTERRUPT) and held while its memory is
 * copied into the image, then let go. The capture is an img_source: the
 * image writer reads it as it reads a ttrec.ko snapshot fd, and writes the
 * same image format (flagged IMG_F_PTRACE), the process state included
 * (gathered by state/ while the threads are stopped).
 *
 * Files:
 *   seize.c   stopping every thread, threads created meanwhile, letting go
 *   maps.c    the VMAs, from /proc/PID/smaps and /proc/PID/map_files
 *   regs.c    each thread's record: regsets, signal mask, syscall
 *   mem.c     the img_source: which pages are there (/proc/PID/pagemap)
 *             and their bytes, copied while the threads are stopped, and
 *             the process state
 *
 * What a thread was doing is stored as ttrec.ko stores it: stopped by
 * PTRACE_INTERRUPT on its way back to user space, a thread that was in a
 * system call shows orig_ax (>= 0) and the kernel's restart value in ax
 * (-ERESTARTSYS... when the stop interrupted a blocking call), as the
 * module's park does (Documentation/snapshot.rst).
 */
#ifndef TTREC_CAPTURE_H
#define TTREC_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/image.h"
#include "state/gather.h"

struct cap_run;

struct cap_thread {
	pid_t tid;
	bool stopped;		/* at a PTRACE_EVENT_STOP */
	bool gone;		/* exited meanwhile */
	bool stuck;		/* did not stop in time */
};

/* How long every thread has to stop, as ttrec.ko's park_timeout_ms. */
#define CAPTURE_STOP_TIMEOUT_NS	(10ULL * 1000000000ULL)

struct capture {
	struct img_source src;	/* first: the writer's view */
	pid_t pid;
	struct cap_thread *thr;
	uint32_t nthr, thr_cap;
	bool attached;		/* some threads are still seized */
	int memfd;		/* /proc/PID/mem */
	int pagemapfd;		/* /proc/PID/pagemap */
	uint64_t start_ns;	/* first PTRACE_INTERRUPT (CLOCK_MONOTONIC) */
	uint64_t taken_ns;	/* every thread stopped */
	uint64_t pause_ns;	/* first interrupt to last detach */
	struct img_vma *vmas;	/* what describe() handed out */
	uint32_t nvmas;
	struct cap_run *runs;	/* the memory, page kind by page kind (mem.c) */
	uint32_t nruns, runs_cap;
	uint8_t *stage;		/* the pages read, copied while stopped */
	uint64_t stage_len;
	bool staged;
	struct proc_state ps;	/* the process state (state/gather.h) */
	bool has_state;
};

/*
 * Stop every thread of @pid (threads it creates meanwhile included).
 * Every failure is explained. Return: 0 with *@out, or -errno (-ESRCH no
 * such process, -EPERM not allowed or already traced).
 */
int capture_stop(pid_t pid, struct capture **out);
/* Let every stopped thread go; sets pause_ns. Idempotent. */
void capture_release(struct capture *c);
/* Release and free; NULL is fine. */
void capture_free(struct capture *c);

/* regs.c: the TTREC_IOC_SNAP_THREADS stream of the stopped threads. */
int capture_threads(struct capture *c, uint8_t **out, size_t *len, uint32_t *nr);
/* maps.c: the VMAs, sorted, with what each holds. */
int capture_vmas(struct capture *c, struct img_vma **out, uint32_t *nout);
/* mem.c: the writer's source for @c. */
struct img_source *capture_source(struct capture *c);

uint64_t capture_now_ns(void);

#endif
