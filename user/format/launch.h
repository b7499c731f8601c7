/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The launch facts of a recording: how `ttrec record` started the command
 * (struct launch_info) and what each exec of a recorded process looked like
 * (struct launch_exec), which `ttrec replay` reproduces so that the
 * replayed program's first instruction sees the machine the recorded one
 * saw. user/launch/ gathers them, format/launch.c keeps them in the
 * recording directory: meta keys from "launch=" on, "argv" and "env"
 * (NUL-separated strings), "execs" (one line per later exec) and
 * "exe-PID-INDEX" (an exec'd image no path names).
 * Documentation/replay.rst describes them.
 */
#ifndef TTREC_FORMAT_LAUNCH_H
#define TTREC_FORMAT_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	bool rseq_disabled;		/* rseq() failed with ENOSYS by a seccomp filter
					 * (--all-cpus, and recordings made before rseq
					 * was allowed) */
	int cpu;			/* the one CPU the command ran on; -1: any */
	int nfds;			/* descriptors open at the exec */
	int fds[LAUNCH_MAX_FDS];
	uint64_t exe_ino, exe_size, exe_mtime_ns;
	uint64_t sig_ignored;		/* SigIgn: ignored signals survive exec */
	uint64_t sig_blocked;		/* SigBlk: the signal mask too */
	struct launch_exec exec;	/* the first exec */
};

/* Write the launch facts into DIR (meta keys, DIR/argv, DIR/env). 0 or -errno. */
int launch_save(const char *dir, const struct launch_info *li);
/* DIR has the launch facts of this version: `ttrec replay` can start it. */
bool launch_recorded(const char *dir);
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
 * DIR/exe-PID-INDEX: a copy of the image of that exec, kept when no path
 * names it (a memfd run with fexecve(), a deleted file).
 */
void launch_image_path(const char *dir, uint32_t pid, unsigned int index, char *out,
		       size_t len);
/* Keep the file open as @fd as that copy. 0 or -errno. */
int launch_save_image(const char *dir, uint32_t pid, unsigned int index, int fd);

#endif
