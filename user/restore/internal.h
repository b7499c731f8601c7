/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttrec restore, inside. A ptrace parent (ttrec) makes a process of an
 * image by injecting system calls into a stub: a child of its own, stopped,
 * that ends up holding the image's memory and threads. One file per
 * concern, in the order run.c calls them:
 *
 *   pids.c    privileges, which pids are free, the pid namespace of
 *             --pidns and its init, set_tid arrays
 *   stub.c    the stub: created with the image's pid, seized, its own
 *             memory unmapped but for the injection page
 *   inject.c  system calls made in a stopped thread (the injection page:
 *             a syscall instruction and a scratch area for arguments),
 *             waiting for stops, writing memory
 *   vdso.c    the kernel's vDSO at the image's address
 *   vmas.c    every VMA at its address: anonymous, files (identity
 *             checked), shared memory; madvise() advice
 *   pages.c   the image chain's pages written into them
 *   mm.c      PR_SET_MM_MAP (code, data, brk, stack, arguments,
 *             environment, auxv: the image's, or derived from the VMAs;
 *             exe), comm
 *   proc.c    cwd, umask; resource limits, personality, oom_score_adj,
 *             prctl() flags, root; dumpable; thread names, timer slack
 *   fds.c     the descriptor table (fds.h: one file per group of kinds;
 *             sockets.c)
 *   threads.c the other threads (clone3 with set_tid), every thread's
 *             registers, signal mask and interrupted system call
 *   tstate.c  per-thread kernel state (clear_child_tid, rseq,
 *             sigaltstack, robust list: the image's state notes) and the
 *             restart of interrupted sleeps
 *   glibc.c   clear_child_tid and rseq as glibc set them up, read from the
 *             image's memory, for threads the image holds no state of
 *   signals.c signal actions; pending signals, process-wide and per
 *             thread, queued again with their siginfo
 *   timers.c  interval timers and POSIX timers (with their ids)
 *   creds.c   credentials and capabilities, in every thread, last
 *   replay.c  for the replay from a snapshot: descriptors as placeholders,
 *             the replay's seccomp filter
 *   run.c     the order of it all, timings, detaching, waiting
 *
 * State not restored yet is what the stub had: see
 * Documentation/restore.rst.
 */
#ifndef TTREC_RESTORE_INTERNAL_H
#define TTREC_RESTORE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>
#include <linux/ttrec.h>

#include "image/image.h"
#include "restore/restore.h"

/* Per-thread kernel state to give a restored thread (tstate.c). */
struct rst_tstate {
	bool from_image;		/* the image's state notes, else glibc.c */
	bool has_ctid;
	uint64_t ctid;			/* set_tid_address() */
	bool has_rseq;
	uint64_t rseq;			/* rseq() registration */
	uint32_t rseq_len, rseq_sig;
	bool has_sas;
	uint64_t sas_sp, sas_size;	/* sigaltstack() */
	uint32_t sas_flags;		/* SS_DISABLE, SS_AUTODISARM */
	bool has_robust;
	uint64_t robust, robust_len;	/* set_robust_list() */
	bool sleep_restart;		/* an interrupted sleep will resume */
	bool sleep_done;		/* an interrupted sleep is over */
};

/* Where a live thread of the stub is stopped. */
enum rst_at {
	RT_NONE,
	RT_EVSTOP,			/* PTRACE_EVENT_STOP: in get_signal() */
	RT_SYSEXIT,			/* syscall-exit stop of an injected call */
	RT_DEAD,
};

struct rthread {
	pid_t tid;			/* the image's, and the restored one */
	pid_t htid;			/* in our pid namespace: for ptrace */
	bool leader;
	const struct ttrec_snap_thread *rec;
	struct user_regs_struct regs;	/* the image's NT_PRSTATUS */
	const uint8_t *fpregs, *xstate;	/* the image's notes, or NULL */
	uint32_t fpregs_len, xstate_len;
	struct user_regs_struct cur;	/* the live registers */
	enum rst_at at;
	struct rst_tstate ts;
};

/* Phases timed for -v. */
enum rst_phase {
	PH_IMAGE, PH_STUB, PH_VDSO, PH_VMAS, PH_PAGES, PH_MM, PH_FDS,
	PH_THREADS, PH_PROC, PH_REGS, PH_MAX
};

/* sockets.c: a socket made for the image's socket inode @ino. */
struct rst_sock_made {
	uint64_t ino;
	int fd;				/* ours, a copy */
};

struct rst {
	const struct restore_opts *o;
	struct img *im;
	pid_t pid;			/* the image's process id */
	pid_t hpid;			/* the stub's, in our namespace */
	pid_t init_hpid;		/* --pidns: the namespace's init */
	int report_fd;			/* --pidns: the init's pipe */
	int memfd;			/* /proc/hpid/mem */
	int exe_fd;			/* the executable, open in the stub */
	struct rthread *thr;
	uint32_t nthr;
	struct rthread *leader;
	uint64_t gadget;		/* syscall instruction */
	uint64_t scratch;		/* argument area */
	uint64_t scratch_len;
	uint64_t inject_len;		/* the injection page and scratch */
	uint64_t dropped_sigs;		/* arrived during the restore */
	pid_t clone_htid;		/* the last injected clone3()'s child */
	const struct img_proc_state *ps; /* the image's process state, or NULL */
	struct rfds *fds;		/* fds.c: the descriptors' plan */
	struct rst_sock_made *socks;	/* sockets.c, until rst_sockets_done() */
	uint32_t nr_socks;
	/* statistics for -v */
	uint64_t t_start, t_phase[PH_MAX];
	uint32_t nr_vmas, nr_files, nr_shared, nr_fds;
	uint64_t pages_data, pages_zero, bytes_written;
	uint32_t nr_handlers, nr_ignored, nr_pending;
	uint32_t nr_itimers, nr_timers, nr_timers_armed;
};

/* run.c */
__attribute__((format(printf, 2, 3)))
void rst_note(const struct rst *r, const char *fmt, ...);
uint64_t rst_now_ns(void);

/* pids.c */
int rst_check_privileges(const struct rst *r);
int rst_check_pids(const struct rst *r);
int rst_pidns_start(struct rst *r);
/* The set_tid array that gives a new task the image's @tid. */
uint32_t rst_set_tid(const struct rst *r, pid_t tid, int32_t *arr);
/* Kill what the restore started (the stub, the --pidns init). */
void rst_kill(struct rst *r);

/* stub.c */
/* The stub's own code, in the child: default signal actions, report its
 * pid in our namespace on @report (when >= 0), wait to be seized. */
void rst_stub_child(int report) __attribute__((noreturn));
int rst_stub_start(struct rst *r);
int rst_stub_clear(struct rst *r);

/* replay.c: what the replay from a snapshot asks of the restore */
/* Every descriptor of the image: /dev/null at its number. */
int rst_fd_placeholders(struct rst *r);
/* The struct sock_fprog @prog in every thread (TSYNC), traced from then on. */
int rst_install_seccomp(struct rst *r, const void *prog);

/* inject.c */
/* Wait for the next stop of @t; 0, or -ESRCH when it died. */
int rst_wait(struct rst *r, struct rthread *t, int *status);
/* System call @nr in @t, stopped (RT_EVSTOP or RT_SYSEXIT). Its result. */
int64_t rst_syscall(struct rst *r, struct rthread *t, long nr, uint64_t a0,
		    uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
/* The same, reporting a failure as "@what: ..." (-errno or the result). */
int64_t rst_syscall_ok(struct rst *r, struct rthread *t, const char *what, long nr,
		       uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a4, uint64_t a5);
/*
 * Start system call @nr in @t, interrupt it once it runs (PTRACE_INTERRUPT)
 * and wait for its exit stop. Its result.
 */
int64_t rst_syscall_interrupted(struct rst *r, struct rthread *t, long nr, uint64_t a0,
				uint64_t a1, uint64_t a2, uint64_t a3);
/* @t to a PTRACE_EVENT_STOP (from a syscall-exit stop). */
int rst_to_evstop(struct rst *r, struct rthread *t);
/* Write @len bytes at @addr of the stub (/proc/PID/mem, any protection). */
int rst_poke(struct rst *r, uint64_t addr, const void *buf, size_t len);
int rst_peek(struct rst *r, uint64_t addr, void *buf, size_t len);
/* Copy @buf into the scratch area at @off; its address in the stub. */
int rst_scratch(struct rst *r, uint64_t off, const void *buf, size_t len, uint64_t *addr);

/* vdso.c */
int rst_vdso(struct rst *r);

/* vmas.c */
int rst_map_vmas(struct rst *r);
int rst_vmas_finish(struct rst *r);
/* The image VMAs restore maps and fills (not the vDSO's, not special). */
bool rst_vma_mapped(const struct img_vma *v);
/* A shared mapping of a regular file: its pages are the file's. */
bool rst_vma_file_shared(const struct img_vma *v);

/* pages.c */
int rst_fill_pages(struct rst *r);

/* mm.c */
int rst_mm(struct rst *r);

/* proc.c */
int rst_proc_fs(struct rst *r);
int rst_proc_settings(struct rst *r);
int rst_proc_dumpable(struct rst *r);
int rst_proc_threads(struct rst *r);

/* signals.c */
int rst_sigactions(struct rst *r);
/* Every thread's signals blocked, then the image's pending ones queued. */
int rst_pending_signals(struct rst *r);

/* timers.c */
int rst_itimers(struct rst *r);
int rst_posix_timers(struct rst *r);

/* creds.c: the last injected calls of a restore */
int rst_creds(struct rst *r);

/* fds.c */
/* What becomes of each descriptor; kinds that cannot be re-created refused. */
int rst_fds_plan(struct rst *r);
/* Every descriptor in the stub at its number (after the memory). */
int rst_fds_restore(struct rst *r);
void rst_fds_free(struct rst *r);
/*
 * vmas.c's memfd @fd (in the stub) for the shared memory object @dev/@ino:
 * true when a descriptor of the image is that memfd and keeps it open.
 */
bool rst_fds_keep_shm(struct rst *r, uint64_t dev, uint64_t ino, int fd);

/* sockets.c */
struct img_fd;
/*
 * A socket like @f's, made in ttrec itself: a local descriptor, or -errno
 * after saying why. @warned is set when it came back as a socket whose
 * peer reset.
 */
int rst_fd_socket(struct rst *r, const struct img_fd *f, bool *warned);
/* Close ttrec's copies of the sockets made, once all are in the stub. */
void rst_sockets_done(struct rst *r);

/* threads.c */
int rst_threads_load(struct rst *r);
int rst_threads_create(struct rst *r);
int rst_threads_finish(struct rst *r);

/* tstate.c */
int rst_tstate_plan(struct rst *r);
int rst_tstate_apply(struct rst *r, struct rthread *t);
int rst_tstate_sleep(struct rst *r, struct rthread *t);
/* Registers adjusted for what the thread was doing (rseq, restarts). */
void rst_tstate_regs(struct rst *r, struct rthread *t, struct user_regs_struct *regs);

/*
 * glibc.c: clear_child_tid and rseq as glibc set them up, for the threads
 * whose state the image does not hold (not ts.from_image).
 */
void rst_glibc_tstate(struct rst *r);

#endif
