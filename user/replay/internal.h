/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The replay driver: re-executes a recorded program under ptrace, fed by
 * its journal. Documentation/replay.rst describes the design; in short:
 *
 * - The program runs with a seccomp filter that returns SECCOMP_RET_TRACE
 *   for every syscall, so each one stops it once, at its entry
 *   (PTRACE_EVENT_SECCOMP). There the driver compares it with the next
 *   journal event of that thread (number and the argument registers the
 *   syscall takes) and, for an emulated syscall, skips it (orig_rax = -1),
 *   writes the recorded output bytes into the program's memory and sets
 *   the recorded return value. Syscalls that shape the process (memory
 *   maps, signal actions, threads, exec, exit, descriptors, the cwd and
 *   root) run for real (PTRACE_SYSCALL to their exit stop) and their
 *   result is asserted.
 * - Events are replayed in the journal's global order, one thread at a
 *   time: a thread runs (to its next syscall entry) only when its next
 *   event is the next event of the journal, or earlier where the recorded
 *   scheduling shows it went to sleep in a syscall or was preempted.
 *   Threads that wait for their turn sit in a ptrace stop.
 * - Descriptors keep their recorded numbers (real read-only opens, or
 *   eventfd placeholders), so that file-backed mmap works. A memfd is a
 *   real one, written as the program wrote it.
 * - Signals are injected (tgkill) when the journal says they were
 *   delivered: at the syscall boundary where they were delivered, or, for
 *   one that came between syscalls, at the execution of the instruction
 *   it interrupted (async.c), with the recorded siginfo, restarting the
 *   interrupted syscall the way the kernel did. Faults (SIGSEGV...) are
 *   expected to happen again.
 * - Anything else than the journal is a divergence: reported with the
 *   event number, the thread, expected and actual, exit status 3.
 *
 * The driver's files, one role each:
 *
 *   run.c       replay_run(): the main loop, one journal event at a time,
 *               and the end of a replay
 *   journal.c   reading the journal: the next event, a syscall's recorded
 *               outputs and writing them into the program's memory
 *   syscalls.c  a syscall event (REC_SYS): match it, emulate it or run it
 *   fd.c        the descriptor table: open, pipe, close, dup, and the
 *               mmap of a file
 *   memfd.c     files whose contents the replay keeps, memfds: the
 *               program's, and the files the recording made, by name;
 *               reads, writes and lseek of them
 *   path.c      where paths resolve: chdir, fchdir, chroot, unshare
 *   task.c      a task event (REC_TASK): clone, fork, exec, exit
 *   signal.c    a signal event (REC_SIGNAL): delivery, faults, and the
 *               syscalls that wait with a temporary signal mask
 *   async.c     a signal recorded between syscalls: the thread run to
 *               the execution of the instruction it interrupted
 *   sched.c     a scheduling event (REC_SCHED): a thread that went to
 *               sleep in a syscall or was preempted runs to that point
 *   breakpoint.c  running a thread to an instruction in user code (an
 *               int3), for sched.c and async.c
 *   start.c     starting the recorded program; every new program image
 *   ptrace.c    the ptrace plumbing: wait, resume, run a thread to its
 *               next syscall entry or through a real syscall, inject one
 *   proc.c      the replayed processes and threads, by recorded and
 *               replayed id
 *   pids.c      where a recorded pid meets the replay's: wait4 and waitid
 *               reap the child for real, /proc/PID paths name the
 *               replayed process, robust futexes of a thread that ends
 *   mem.c       the replayed program's memory
 *   report.c    divergence and failure reports
 *   watchdog.c  a thread that notices a replayed thread never reaching
 *               its next syscall
 *   query.c     --to: the stop after an event, --regs, --mem, --maps, --stop
 *   debug.c     the replay as a debugger's target (debug.h): breakpoints,
 *               steps, watched memory, positions, registers (user/gdb/)
 *   access.c    the memory an instruction reads and writes, for read and
 *               access watchpoints
 *   checkpoint.c  a replay frozen before an event (a fork injected into
 *               the replayed process), and replays started from it
 *
 * How each syscall is replayed (emulated, run for real...) is a column of
 * the one syscall table, user/syscalls/table.c (replay_sys_kind()).
 *
 * This header is the driver's own: nothing outside user/replay/ includes it.
 * A function one file defines and others call is declared here, rp_
 * prefixed; the others are static.
 */
#ifndef TTREC_REPLAY_INTERNAL_H
#define TTREC_REPLAY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <linux/types.h>

#include "format/records.h"
#include "format/recording.h"
#include "launch/launch.h"
#include "replay/replay.h"
#include "syscalls/restart.h"

static inline bool rp_is_restart(int64_t ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
	       ret == -ERESTART_RESTARTBLOCK;
}

enum tstate {
	TS_NEW,		/* at its first stop, never resumed */
	TS_ENTRY,	/* at a syscall's seccomp stop, not yet matched */
	TS_DONE,	/* an emulated syscall is done at its seccomp stop */
	TS_EXIT,	/* at a syscall-exit stop */
	TS_EVSTOP,	/* at a clone/fork/exec event stop inside a real syscall */
	TS_INSYS,	/* resumed inside a real syscall; its exit stop pending */
	TS_SIGSTOP,	/* at a signal-delivery stop; @sig is delivered on resume */
	TS_PREEMPT,	/* stopped in user code where the recording preempted it,
			 * or where a signal between syscalls came (async.c) */
	TS_EXITING,	/* resumed into exit(), exit_group() or a fatal signal */
	TS_DEAD,
};

/*
 * What a descriptor of the replayed program is: FD_REAL a file opened for
 * real (read-only), FD_MEMFD a memfd whose contents the replay keeps
 * (memfd.c), FD_PLACEHOLDER an eventfd that only holds the number.
 */
enum fdkind {
	FD_CLOSED = 0, FD_REAL, FD_PLACEHOLDER, FD_STDOUT, FD_STDERR, FD_INHERITED, FD_MEMFD,
};

/* A file's identity as a recorded fstat() returned it. */
struct fdstat {
	bool valid;
	uint64_t ino, size, mtime_ns;
};

/*
 * Where a thread's paths resolve (path.c): its cwd and root, shared as the
 * kernel shares its fs_struct (CLONE_FS), by @refs threads.
 */
struct rfs {
	int refs;
	bool cwd_lost;		/* the replay could not follow the recorded cwd */
	bool root_lost;		/* nor its root */
};

#define RP_MAX_INT3	4	/* breakpoints in a process at once */

/* A replayed process. */
struct rproc {
	struct rproc *next;
	uint32_t rpid;		/* recorded tgid */
	pid_t pid;		/* replayed */
	int memfd;		/* /proc/PID/mem */
	unsigned int nexec;	/* execs seen */
	bool exiting;		/* exit_group() or a fatal signal is under way */
	bool leader_gone;	/* its main thread exited first: that wait status comes last */
	bool dead;
	bool reaped;		/* by its parent's wait, for real (pids.c) */
	int nfd;
	uint8_t *fd;		/* enum fdkind by descriptor number */
	struct fdstat *fst;	/* what the recording's fstat() said, by number */
	struct rp_int3 {	/* the breakpoints in its text (breakpoint.c) */
		uint64_t ip;
		uint8_t orig;	/* the byte the int3 replaced */
		unsigned int refs;
	} int3[RP_MAX_INT3];
	int nint3;
};

#define STASH_MAX	8

/* A replayed thread, and where it stands. */
struct rthread {
	struct rthread *next;
	uint32_t rtid;		/* recorded tid */
	pid_t tid;		/* replayed */
	struct rproc *p;
	struct rfs *fs;
	enum tstate st;
	struct user_regs_struct regs;	/* at the current stop */
	struct user_regs_struct entry;	/* the entry of the real syscall in flight */
	bool dirty;		/* regs to be written back before resuming */
	bool task_started;	/* a clone/exec started by its task event */
	int sig;		/* TS_SIGSTOP: the signal to deliver */
	bool sig_fatal;		/* TS_SIGSTOP: and it ends the process (SIG_DFL) */
	bool killed;		/* the journal has its SIGKILL: its exit event sends it */
	int64_t last_nr;	/* the last syscall matched */
	uint64_t last_ts;	/* recorded time of its last event */
	bool sigwait;		/* TS_INSYS in a real rt_sigsuspend until a signal */
	bool restart;		/* TS_EXIT at a -ERESTART* with no signal of its own */
	bool exec_early;	/* a vfork child's exec run before its task event */
	struct rthread *vfork_child;	/* TS_INSYS in vfork: the child it waits for */
	int64_t sigwait_ret;	/* what the recorded syscall returned */
	uint64_t clear_tid;	/* its clone's CLONE_CHILD_CLEARTID word (0: none) */
	int nstash;
	int stash[STASH_MAX];	/* wait statuses not yet consumed */
	int status;		/* TS_DEAD: the wait status */
	/*
	 * Handlers running, innermost in bit 0 (at most 64 deep): set when
	 * the signal was recorded in user space, between syscalls, and
	 * delivered here at another point (async.c did not find the
	 * execution it interrupted). Its rt_sigreturn restores this replay's
	 * registers there, not the recorded ones: its result is not compared.
	 */
	uint64_t async_frames;
	int nframes;
};

/* A wait status of a thread not known yet (a new child's first stop). */
struct orphan {
	pid_t pid;
	int status;
};

struct rmemfd;

/* One replay. */
struct rp {
	const struct replay_opts *o;
	struct launch_info li;
	struct rec_reader rr;
	const struct rec_event *ev;	/* the syscall being replayed */
	struct rproc *procs;
	struct rthread *threads, *last;
	struct orphan orphans[64];
	int norphans;
	uint64_t seq;		/* the event being replayed */
	uint64_t events, syscalls, emulated, real, signals, imprecise;
	/* signals recorded between syscalls: delivered where, by enum async_result */
	uint64_t async[5];
	uint64_t stdout_bytes;
	/* the replay's stand-ins for the recorded stdout and stderr (fd.c) */
	struct {
		bool valid;
		uint64_t dev, ino;
	} stdio[2];
	bool diverged;
	bool failed;
	bool launch_exec;	/* the launch exec's task/syscall events are still ahead */
	bool warned_anon;
	struct rmemfd *memfds;	/* the files the recording made, by name (memfd.c) */
	/* per event: the iovec array and msghdr of the syscall being replayed */
	struct iovec *iov;
	size_t niov, iov_cap;
	bool iov_loaded;
	struct rec_msg msg;
	bool msg_loaded;
	uint8_t *buf;
	size_t buf_cap;
	struct rthread *cur;	/* the thread of the event being replayed */
	uint64_t ts;		/* recorded time of the event being replayed */
	struct rp_dbg *dbg;	/* a debugger's view of this replay (debug.c), or NULL */
};

/* What a thread's wait status says (rp_classify()). */
enum stop {
	STOP_EXITED, STOP_SECCOMP, STOP_SYSEXIT, STOP_SIGNAL, STOP_EVSTOP,
	STOP_CLONE, STOP_FORK, STOP_VFORK, STOP_EXEC, STOP_OTHER,
};

/* watchdog.c */
void rp_watchdog_start(void);
void rp_watchdog_stop(void);
/* An event is replayed: the stall clock starts again. */
void rp_watchdog_progress(void);
/* A debugger holds the replay (@on): no stall is counted meanwhile. */
void rp_watchdog_hold(bool on);
/* The thread about to run took @recorded_ns between its events then. */
void rp_watchdog_set_budget(uint64_t recorded_ns);
uint64_t rp_watchdog_budget_ns(void);
/* Whether the watchdog interrupted the driver's wait: a stall. */
bool rp_watchdog_fired(void);

/* report.c */
/*
 * "name(arg, ...)" of syscall @nr with its first @nargs arguments; for a
 * number without a name "syscall(NR, arg, ...)", NR whole.
 */
void rp_fmt_call(char *out, size_t len, int64_t nr, const __u64 *args,
		 unsigned int nargs);
/* The six argument registers of a syscall. */
void rp_regs_args(const struct user_regs_struct *r, __u64 *a);
/* Report a divergence at the current event (once) and stop the replay. */
__attribute__((format(printf, 3, 4)))
void rp_diverge(struct rp *rp, const struct rthread *t, const char *fmt, ...);
/* Report a replay that cannot go on for another reason, and stop it. */
__attribute__((format(printf, 2, 3)))
void rp_fail(struct rp *rp, const char *fmt, ...);
/* Whether the replay diverged or failed. */
bool rp_stopped(struct rp *rp);
/* A syscall run for real returned @got instead of the recorded result. */
void rp_divergent_result(struct rp *rp, struct rthread *t, const struct rec_sys *rs,
			 int64_t got);

/* proc.c */
struct rproc *rp_proc_new(struct rp *rp, uint32_t rpid, pid_t pid);
/* After an exec: /proc/PID/mem of the new image. 0 or -errno. */
int rp_proc_reopen_mem(struct rproc *p);
struct rthread *rp_thread_new(struct rp *rp, struct rproc *p, uint32_t rtid, pid_t tid);
/* By recorded tid (a live one first); NULL if none. */
struct rthread *rp_thread_by_rtid(struct rp *rp, uint32_t rtid);
/* A live thread by replayed tid; NULL if none. */
struct rthread *rp_thread_by_tid(struct rp *rp, pid_t tid);
/* A process by recorded tgid (the newest of that id); NULL if none. */
struct rproc *rp_proc_by_rpid(struct rp *rp, uint32_t rpid);

/* mem.c: 0 or -EFAULT */
int rp_mem_write(struct rproc *p, uint64_t addr, const void *buf, size_t len);
int rp_mem_read(struct rproc *p, uint64_t addr, void *buf, size_t len);
/* A buffer of @len bytes, valid until the next call; NULL if out of memory. */
void *rp_scratch(struct rp *rp, size_t len);

/* ptrace.c */
int rp_getregs(struct rthread *t);
int rp_resume(struct rthread *t, enum __ptrace_request req);
int rp_wait_thread(struct rp *rp, struct rthread *t, int *status);
enum stop rp_classify(int st, int *sig);
void rp_thread_died(struct rp *rp, struct rthread *t, int status);
int rp_getsiginfo_code(struct rthread *t);
/* Run @t to its next syscall entry: 0, -EFAULT (a fault), -ESRCH (dead)... */
int rp_run_to_entry(struct rp *rp, struct rthread *t);
/* Run the syscall @t is at for real, to its exit stop (or a child's event stop). */
int rp_run_real(struct rp *rp, struct rthread *t, bool until_child, uint32_t rchild);
/* At its exit stop, the real syscall's argument registers as the program set them; result @ret. */
void rp_restore_args(struct rthread *t, int64_t ret);
/* Make syscall @nr in @t, at a syscall-exit stop. Returns its result. */
int64_t rp_inject(struct rp *rp, struct rthread *t, unsigned int nr, const __u64 *args);

/* start.c */
/* Whether the program file is the one recorded. 0 or -errno (reported). */
int rp_check_exe(struct rp *rp);
/* Start the recorded program, up to the return of its execve. 0 or -errno. */
int rp_launch(struct rp *rp);
/* At an exec stop of @t: the recorded AT_RANDOM bytes, the same vDSO patch. */
int rp_exec_fixup(struct rp *rp, struct rthread *t);
/* At the entry of an execveat(fd, "", AT_EMPTY_PATH): fd gets the kept image. */
int rp_exec_image(struct rp *rp, struct rthread *t);
/* The replay may run on @cpu (it exists and is in its affinity mask). */
bool rp_cpu_ok(int cpu);

/* journal.c */
/* The next event of the journal: 1, 0 at its end, or -errno (reported). */
int rp_next_event(struct rp *rp, struct rec_event *ev);
/*
 * The outputs of @rs (rp->ev, the syscall being replayed): with @apply
 * write them into @t's memory. 0, or -EBADMSG when some are missing.
 */
int rp_do_outs(struct rp *rp, struct rthread *t, const struct rec_sys *rs, bool apply);

/* fd.c */
int rp_fd_kind(const struct rproc *p, int64_t fd);
void rp_fd_set_kind(struct rproc *p, int64_t fd, int kind);
/* After the launch: which files stand for the recorded stdout and stderr. */
void rp_fd_note_stdio(struct rp *rp, struct rproc *p);
/* A recorded fstat()/statx() output: remember the file's identity. */
void rp_note_stat(struct rthread *t, const struct rec_sys *rs, const struct rec_outdata *o);
/* The flags of open, openat or creat @rs. */
uint64_t rp_open_flags(const struct rec_sys *rs);
/* open, openat, creat (RP_OPEN), memfd_create (RP_MEMFD), other new descriptors (RP_NEWFD). */
int rp_sys_open(struct rp *rp, struct rthread *t, const struct rec_sys *rs, int kind);
/* pipe, pipe2, socketpair. */
int rp_sys_pipe(struct rp *rp, struct rthread *t, const struct rec_sys *rs, int kind);
int rp_sys_mmap(struct rp *rp, struct rthread *t, const struct rec_sys *rs);
/* close, close_range, dup*, fcntl (RP_FDREAL) once run: the table follows. */
void rp_fd_effects(struct rthread *t, const struct rec_sys *rs);

/* memfd.c */
/*
 * The open @t is at (RP_OPEN): the driver's descriptor of the memfd that
 * stands for a file the recording made, or -1 (then the file is opened
 * read-only). *@own: one of no name, for the caller to close.
 */
int rp_memfd_for_open(struct rp *rp, struct rthread *t, const struct rec_sys *rs, bool *own);
/*
 * Make the open @t is at (a seccomp stop) open the driver's memfd @fd with
 * the access mode, O_APPEND and O_CLOEXEC of @oflags: the new descriptor,
 * or -errno, in *@got at the syscall's exit stop. 0 or -errno.
 */
int rp_memfd_install(struct rp *rp, struct rthread *t, int fd, uint64_t oflags, int64_t *got);
/* read, write, lseek... (RP_FILEIO): performed on a memfd, else emulated. */
int rp_sys_fileio(struct rp *rp, struct rthread *t, const struct rec_sys *rs);
/* unlink, rename, truncate (RP_NAME): emulated; a memfd of that name follows. */
int rp_sys_name(struct rp *rp, struct rthread *t, const struct rec_sys *rs);
void rp_memfd_free(struct rp *rp);

/* path.c */
struct rfs *rp_fs_new(void);
void rp_fs_put(struct rfs *fs);
/* A new thread or process @child of @parent, made with clone @flags: share or copy. */
void rp_fs_clone(struct rthread *parent, struct rthread *child, uint64_t flags);
/*
 * Whether path @path (an address in @t) relative to @dirfd resolves in the
 * replay as it did in the recording: not against a lost cwd or root.
 */
bool rp_path_resolves(struct rthread *t, int64_t dirfd, uint64_t path);
/* chdir, fchdir, chroot, unshare, setns, pivot_root (RP_PATH). */
int rp_sys_path(struct rp *rp, struct rthread *t, const struct rec_sys *rs);

/* pids.c */
/* wait4, waitid (RP_WAIT). */
int rp_sys_wait(struct rp *rp, struct rthread *t, const struct rec_sys *rs);
/* A path argument rewritten for the syscall in flight; what was under it. */
struct rp_path_fix {
	uint64_t addr;		/* the new string; 0: none */
	size_t len;
	uint8_t saved[REC_STR_MAX + 32];
};
/*
 * If string argument @arg of the syscall @t is at (rp->ev) is a /proc path
 * of a replayed process by its recorded pid ("/proc/PID/...", also
 * ".../task/TID/..."), point the argument at the same path with the
 * replay's pid, written below the thread's stack. rp_restore_args() puts
 * the register back, rp_pid_path_undo() the memory. Return: whether so.
 */
bool rp_pid_path(struct rp *rp, struct rthread *t, unsigned int arg, struct rp_path_fix *fx);
void rp_pid_path_undo(struct rthread *t, struct rp_path_fix *fx);
/*
 * @t is about to end (exit, exit_group): mark the robust futexes it holds
 * as the kernel does, by its recorded tid.
 */
void rp_robust_exit(struct rthread *t);

/* sched.c */
void rp_sched_hint(struct rp *rp, const struct rec_sched *sc);

/* syscalls.c */
int rp_handle_sys(struct rp *rp, const struct rec_event *ev);
/* Skip the syscall @t is stopped at: the recorded result and outputs instead. */
int rp_emulate(struct rp *rp, struct rthread *t, const struct rec_sys *rs);

/* task.c */
/* What the clone, fork or vfork in flight in @t (its entry registers) asks for. */
struct rp_clone_req {
	uint64_t flags;		/* CLONE_*: what the child shares */
	uint64_t ptid, ctid;	/* CLONE_PARENT_SETTID, CLONE_CHILD_SETTID words */
	uint64_t pidfd;		/* CLONE_PIDFD: where the new descriptor's number goes */
};
void rp_clone_req(struct rthread *t, struct rp_clone_req *c);
/* At a clone/fork/vfork event stop of @t: the new thread or process. */
int rp_new_child(struct rp *rp, struct rthread *t, enum stop kind, uint32_t rchild);
int rp_handle_task(struct rp *rp, const struct rec_task *tk);

/* breakpoint.c */
/*
 * An int3 at @ip in @p's text; a second one at the same @ip shares the
 * first. 0, -EEXIST (the program has one there), -EFAULT or -EINVAL.
 */
int rp_bp_insert(struct rproc *p, uint64_t ip);
/* Undo one rp_bp_insert(): the last one puts the instruction back. */
void rp_bp_remove(struct rproc *p, uint64_t ip);
#define RP_BP_HIT	1	/* at the int3: before the instruction, TS_PREEMPT */
#define RP_BP_SYSCALL	2	/* at its next syscall's entry first, TS_ENTRY */
/*
 * Run @t until it reaches the int3 at @ip (its registers read, rip set
 * back to @ip, written back when it resumes) or a syscall's entry first.
 * RP_BP_HIT, RP_BP_SYSCALL, or -errno: -EFAULT it faulted (TS_SIGSTOP),
 * -ESRCH it died. Signals the journal does not have are dropped.
 */
int rp_bp_run(struct rp *rp, struct rthread *t, uint64_t ip);
/*
 * @t stands at the int3 at @ip (RP_BP_HIT): execute the instruction there
 * (a single step with it put back) and stop after it, the int3 in place
 * again. 0 (TS_PREEMPT, registers read), RP_BP_SYSCALL (it was a syscall
 * instruction), or -errno as rp_bp_run().
 */
int rp_bp_step(struct rp *rp, struct rthread *t, uint64_t ip);

/* async.c: what rp_async_run() did */
enum async_result {
	ASYNC_NOT_TRIED = 1,	/* no registers recorded, no breakpoint: @t did not move */
	ASYNC_EXACT,		/* at the instruction, with the recorded registers */
	ASYNC_AT_IP,		/* at the instruction, with other registers */
	ASYNC_AT_SYSCALL,	/* at the entry of @t's next syscall */
};
/*
 * Run @t to the execution of the instruction the signal @s, recorded between
 * syscalls, interrupted. An enum async_result, or -errno (-EFAULT: @t
 * faulted, TS_SIGSTOP; -ESRCH: it died).
 */
int rp_async_run(struct rp *rp, struct rthread *t, const struct rec_signal *s);

/* signal.c */
/* A signal the program raised itself by faulting: it cannot be dropped. */
bool rp_fault_signal(int sig, int code);
/* An rt_sigreturn of @t ends the innermost handler: was it delivered elsewhere? */
bool rp_sigreturn_async(struct rthread *t);
/* Whether @rs waited with a temporary signal mask and was interrupted. */
int rp_sigmask_wait(struct rthread *t, const struct rec_sys *rs, uint64_t *mask,
		    uint64_t *size);
/* Run it as a real rt_sigsuspend with that mask until the signal is sent. */
int rp_sys_sigwait(struct rp *rp, struct rthread *t, const struct rec_sys *rs,
		   uint64_t mask, uint64_t size);
int rp_sigwait_unsignalled(struct rp *rp, struct rthread *t);

/* start.c: the seccomp filter that stops every syscall for the driver */
struct sock_fprog;
void rp_trace_filter(struct sock_fprog *prog);
/*
 * from_snapshot.c: with --from-snapshot, or --to and a snapshot before it,
 * the program restored from it and the journal read up to it. Return: 1
 * done, 0 no snapshot to start from (launch it), -errno (message given).
 */
int rp_start_from_snapshot(struct rp *rp);
int rp_handle_signal(struct rp *rp, const struct rec_signal *s);

/* run.c: what debug.c drives as run.c does */
void rp_handle_event(struct rp *rp, const struct rec_event *ev);
void rp_kill_all(struct rp *rp);
void rp_free(struct rp *rp);

/* debug.c: the replay under a debugger (debug.h); no-ops without one */
/*
 * A SIGTRAP of @t while it ran its user code: the debugger's (a
 * breakpoint, a step)? Then it is handled and @t resumed: true.
 */
bool rp_dbg_trap(struct rp *rp, struct rthread *t);
/* How to resume @t into its user code: PTRACE_CONT, or a step for the debugger. */
enum __ptrace_request rp_dbg_resume_req(struct rp *rp, struct rthread *t);

/* checkpoint.c (debug.h has the rest) */
struct rp_checkpoint;
/* Before event @seq (@nrec journal records read before it), at rest. */
int rp_checkpoint_take(struct rp *rp, uint64_t seq, uint64_t nrec, struct rp_checkpoint **out);
/* Make @rp (opened, not launched) the replay @cp froze, in a new fork of it. */
int rp_checkpoint_restore(struct rp *rp, const struct rp_checkpoint *cp);
/* debug.c: the debugger's own state, for a checkpoint (malloc()ed), and back. */
void *rp_dbg_state_save(struct rp *rp);
void rp_dbg_state_load(struct rp *rp, const void *state);

/* query.c */
/* --to: stopped after the event; answer --regs, --mem, --maps, --stop. */
int rp_stop_here(struct rp *rp);

#endif
