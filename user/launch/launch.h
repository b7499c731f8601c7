/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Starting the command the same way in `ttrec record` and `ttrec replay`
 * (child.c): the same personality (no ASLR), environment, argv, cwd,
 * inherited descriptors, signal dispositions and AT_RANDOM bytes, and a
 * vDSO whose time functions are real syscalls (vdso.c), so that the
 * replayed program's first instruction sees the machine the recorded one
 * saw. The facts gathered here are kept in the recording by
 * format/launch.h. Documentation/replay.rst describes them.
 */
#ifndef TTREC_LAUNCH_LAUNCH_H
#define TTREC_LAUNCH_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "format/launch.h"

/* execvp's PATH search, without executing: the file name execve gets. 0 or -errno. */
int launch_resolve_exe(const char *file, char *out, size_t len);
/*
 * In the forked child, before execve: no ASLR (ADDR_NO_RANDOMIZE), and
 * with @cpu >= 0 the command's threads on that one CPU, SCHED_RR: they
 * then interleave where they block (or, rarely, where a 100 ms slice
 * ends), which the replay follows, and the cpu number the kernel writes
 * into a registered rseq area is that one (rseq is not refused).
 * 0 or -errno (async-signal-safe: no messages).
 */
int launch_child_prepare(int cpu);
/*
 * The command's SCHED_RR priority on its CPU. The recorder's seccomp
 * supervisor runs on that CPU one above it (record/supervisor.c).
 */
#define LAUNCH_RR_PRIO		1
/* The calling thread (and what it starts) on @cpu only. 0 or -errno. */
int launch_pin_cpu(int cpu);
/* The CPU `ttrec record` runs the command on: the last one it may use; -1 if only one. */
int launch_pick_cpu(void);
/* The one CPU we may use, or -1 when there are more. */
int launch_only_cpu(void);
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

/*
 * Turn the time functions of the vDSO at @base in the process behind @memfd
 * (/proc/PID/mem) into `mov $NR,%eax; syscall; ret` (getrandom: return
 * -ENOSYS, so that libc falls back to the syscall). Refuses a vDSO that is
 * not the same image as ttrec's own. Returns the functions patched or
 * -errno: -EALREADY when it is patched already (no exec since).
 */
int vdso_patch(int memfd, uint64_t base);
/*
 * Undo vdso_patch(): the kernel's bytes again in every function that holds
 * its stub. Returns the functions put back (0: none was patched) or -errno.
 */
int vdso_unpatch(int memfd, uint64_t base);
/* The functions of that vDSO that hold their stub (0: none), or -errno. */
int vdso_patched(int memfd, uint64_t base);
/* Where the vDSO of @pid is mapped ([vdso] in its maps). 0 or -errno. */
int vdso_mapping(pid_t pid, uint64_t *base, uint64_t *len);

#endif
