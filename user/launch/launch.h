/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Launch facts shared by `ttrec record` and `ttrec replay`: the same
 * personality (no ASLR), environment, argv, cwd, inherited descriptors,
 * AT_RANDOM bytes and a vDSO whose time functions are real syscalls, so
 * that the replayed program's first instruction sees the machine the
 * recorded one saw. Documentation/replay.rst describes them.
 */
#ifndef TTREC_LAUNCH_LAUNCH_H
#define TTREC_LAUNCH_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LAUNCH_VERSION	1	/* meta "launch=": the launch facts below are present */
#define LAUNCH_MAX_FDS	1024

/* What one exec of a recorded process looked like (its first user instruction). */
struct launch_exec {
	uint64_t at_random_addr;	/* AT_RANDOM: where the 16 bytes are */
	uint8_t at_random[16];
	uint64_t vdso;			/* AT_SYSINFO_EHDR */
	int vdso_patched;		/* functions turned into syscalls; -1: not patched */
};

/* How `ttrec record` started the command: what replay must reproduce. */
struct launch_info {
	int version;			/* LAUNCH_VERSION, 0 if absent */
	char exe[4096];			/* the file name given to execve */
	char cwd[4096];
	char **argv, **envp;		/* malloc()ed, NULL-terminated */
	unsigned long personality;
	uint64_t stack_cur, stack_max;	/* RLIMIT_STACK (RLIM_INFINITY as is) */
	bool rseq_disabled;		/* rseq() failed with ENOSYS by a seccomp filter */
	int nfds;			/* descriptors open at the exec */
	int fds[LAUNCH_MAX_FDS];
	uint64_t exe_ino, exe_size, exe_mtime_ns;
	uint64_t sig_ignored;		/* SigIgn: ignored signals survive exec */
	uint64_t sig_blocked;		/* SigBlk: the signal mask too */
	struct launch_exec exec;	/* the first exec */
};

/* execvp's PATH search, without executing: the file name execve gets. 0 or -errno. */
int launch_resolve_exe(const char *file, char *out, size_t len);
/*
 * In the forked child, before execve: no ASLR (ADDR_NO_RANDOMIZE), a
 * seccomp filter that fails rseq() with ENOSYS (the kernel writes the cpu
 * number into an rseq area behind the program's back), and with @cpu >= 0
 * the command's threads on that one CPU, SCHED_RR: they then interleave
 * where they block (or, rarely, where a 100 ms slice ends), which the
 * replay follows.
 * Sets *rseq_disabled. 0 or -errno (async-signal-safe: no messages).
 */
int launch_child_prepare(bool *rseq_disabled, int cpu);
/* The CPU `ttrec record` runs the command on: the last one it may use; -1 if only one. */
int launch_pick_cpu(void);
/*
 * At the PTRACE_EVENT_EXEC stop of @pid (nothing of the new program has
 * run): read its auxv and AT_RANDOM bytes, and with @patch turn the vDSO's
 * time functions into syscalls. 0 or -errno.
 */
int launch_exec_stop(pid_t pid, bool patch, struct launch_exec *ex);
/* SigIgn and SigBlk of @pid (bit n-1: signal n). 0 or -errno. */
int launch_read_sigs(pid_t pid, uint64_t *ignored, uint64_t *blocked);
/* In the child before execve: exactly those ignored and blocked. */
void launch_child_set_sigs(uint64_t ignored, uint64_t blocked);
/* The descriptors @pid has open, sorted; returns the count or -errno. */
int launch_list_fds(pid_t pid, int *fds, int max);
/* Write the launch facts into DIR (meta keys, DIR/argv, DIR/env). 0 or -errno. */
int launch_save(const char *dir, const struct launch_info *li);
/* Read them back; -ENOENT (message printed) when DIR has none. */
int launch_load(const char *dir, struct launch_info *li);
void launch_free(struct launch_info *li);
/* Append the facts of a later exec (a --follow-fork child) to DIR/execs. */
int launch_save_exec(const char *dir, uint32_t pid, unsigned int index,
		     const struct launch_exec *ex);
/* The facts of exec number @index (0: the first) of recorded process @pid. */
int launch_load_exec(const char *dir, uint32_t pid, unsigned int index,
		     struct launch_exec *ex);

/*
 * The recorder's tracer thread: PTRACE_SEIZE @pid (forked, not yet exec'd)
 * and follow it (and its threads, and with @follow_fork its children)
 * through every exec, recording each image's launch facts: the first exec
 * of @pid into @li, later ones into DIR/execs. 0 or -errno (no ptrace).
 */
struct launch_tracer;
int launch_tracer_start(struct launch_tracer **out, pid_t pid, const char *dir,
			bool follow_fork, struct launch_info *li);
/* Wait for @pid's first exec: 0 (@li filled), or -ECHILD if it died before. */
int launch_tracer_first_exec(struct launch_tracer *lt);
/*
 * @pid's wait status once it exited (the tracer reaps it): with @wait until
 * every tracee is gone. 0 with *status, or -EAGAIN if it has not exited.
 * Frees @lt once the tracer is done.
 */
int launch_tracer_finish(struct launch_tracer *lt, bool wait, int *status);

/*
 * Turn the time functions of the vDSO at @base in the process behind @memfd
 * (/proc/PID/mem) into `mov $NR,%eax; syscall; ret` (getrandom: return
 * -ENOSYS, so that libc falls back to the syscall). Refuses a vDSO that is
 * not the same image as ttrec's own. Returns the functions patched or -errno.
 */
int vdso_patch(int memfd, uint64_t base);

#endif
