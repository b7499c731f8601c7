/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86_64 syscall table: for every syscall its name, its arguments
 * (how many and their types), which of them point to memory the kernel
 * writes and how long that output is, and how `ttrec replay` treats it.
 * The BPF recorder copies exactly the outputs it lists at syscall exit; a
 * syscall the table does not describe is recorded with its return value
 * and flagged REC_SF_OUT_UNKNOWN. `ttrec dump` prints the arguments by
 * their types, and replay compares as many argument registers as the
 * syscall has. Documentation/record.rst gives the rules.
 */
#ifndef TTREC_SYSCALLS_H
#define TTREC_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "record.h"

/* How `ttrec replay` treats a syscall (Documentation/replay.rst). */
enum rp_kind {
	RP_EMU = 0,	/* not executed: recorded result and outputs */
	RP_REAL,	/* executed (shapes the process); result asserted */
	RP_OPEN,	/* open/openat/creat: executed read-only, else a placeholder */
	RP_NEWFD,	/* creates a descriptor: a placeholder (eventfd) takes its number */
	RP_PIPE,	/* pipe/pipe2: executed */
	RP_SOCKETPAIR,	/* executed as pipe2 */
	RP_MMAP,	/* executed; a mapping of a placeholder becomes anonymous */
	RP_CLONE,	/* clone/clone3/fork/vfork */
	RP_EXEC,	/* execve/execveat */
	RP_EXIT,	/* exit/exit_group */
	RP_FDREAL,	/* close, close_range, dup*, fcntl F_DUPFD/F_SETFD */
	RP_PATH,	/* chdir, fchdir, chroot, unshare, setns, pivot_root: where
			 * later paths resolve; executed where the replay can follow */
	RP_MEMFD,	/* memfd_create: executed, a memfd of the program's own */
	RP_FILEIO,	/* reads, writes, lseek, ftruncate, fallocate: on a memfd
			 * of the replay (FD_MEMFD) performed, so that its mappings
			 * see them; else emulated */
	RP_NAME,	/* unlink, rename, truncate of a path: emulated; the memfd
			 * that stands for a file of that name follows */
	RP_WAIT,	/* wait4, waitid: emulated, but a recorded child they
			 * reaped is reaped for real */
};

/* What else than the syscall number decides its enum rp_kind. */
enum rp_by {
	RP_BY_NR = 0,	/* nothing: it is .rp */
	RP_BY_CMD,	/* its command (the CMD() rule's argument): the .rp of
			 * the command's cmds[] entry; RP_EMU for a command
			 * cmds[] does not list (fcntl, prctl) */
	RP_BY_FD,	/* .rp when args[0] is -1 (a new descriptor), else
			 * RP_EMU: it changes an existing one (signalfd) */
	RP_BY_FLAG,	/* .rp when args[@by_arg] & @by_flag, else RP_EMU */
};

struct syscall_info {
	const char *name;		/* NULL: no such syscall */
	/*
	 * The argument types, one letter per argument (syscall_sig()); the
	 * number of arguments is its length. NULL: not described.
	 */
	const char *sig;
	uint32_t flags;			/* REC_SD_* */
	uint32_t nout;
	struct rec_outspec out[REC_MAX_OUTS];
	uint8_t rp;			/* enum rp_kind */
	uint8_t rp_by;			/* enum rp_by */
	/*
	 * Replay compares only the first @rp_cmp arguments, on purpose (the
	 * entry says why); 0: all of them.
	 */
	uint8_t rp_cmp;
	/*
	 * A descriptor it creates is close-on-exec when args[@cx_arg] &
	 * @cx_flag, or always with @cx_always.
	 */
	uint8_t cx_arg;
	bool cx_always;
	uint32_t cx_flag;
	/* RP_BY_FLAG: the argument and the flag */
	uint8_t by_arg;
	uint32_t by_flag;
};

/* A command of a CMD() syscall (ioctl request, fcntl cmd, prctl option). */
struct cmd_info {
	uint32_t nr;			/* the syscall */
	uint32_t cmd;
	const char *name;
	struct rec_outspec out;		/* FIXED, ARGLEN, RETLEN, NONE, IFCONF, IOVEC1 */
	uint8_t rp;			/* enum rp_kind, for an RP_BY_CMD syscall */
};

/*
 * Every function here takes the whole syscall number (rec_sys.nr,
 * orig_rax): one outside 0..REC_NR_SYSCALLS-1 (-1, 2^32 + 39, an x32
 * number) is not in the table, whatever its low bits.
 *
 * The entry for @nr, or NULL when @nr is outside the table.
 */
const struct syscall_info *syscall_get(int64_t nr);
/*
 * The argument types of syscall @nr, one letter per argument, or NULL when
 * @nr is unknown:
 *   d int   l long (off_t)   u unsigned (size_t)   x flags, in hex
 *   f file descriptor (AT_FDCWD by name)   o mode, octal   p pointer
 *   s input string (a path or name), captured at entry (REC_IN)
 *   S signal number   O open flags   P mmap/mprotect prot   M mmap flags
 *   C the command of a CMD() syscall (ioctl request, fcntl cmd, prctl
 *     option), by name when the table knows it
 */
const char *syscall_sig(int64_t nr);
/* How many arguments syscall @nr takes: the length of its signature. */
unsigned int syscall_nargs(int64_t nr);
/* Bit i set: argument i of @nr is an input string ('s'). */
uint32_t syscall_strargs(int64_t nr);
/* "read", or NULL when unknown. */
const char *syscall_name(int64_t nr);
/*
 * A number the table has no name for, as dump, info and replay show it:
 * "syscall(N, args...)", as a program calls it, with N the whole number
 * like a register (-4095..4095 in decimal, else in hex: -1, 1000,
 * 0x40000027). Writes N into @buf (SYSCALL_NR_STR bytes). Return: @buf.
 */
#define SYSCALL_NR_STR	24
const char *syscall_nr_str(int64_t nr, char *buf, size_t len);
/* The number of the syscall called @name, or -ENOENT. */
int syscall_nr(const char *name);
/* The entry of command @cmd of syscall @nr, or NULL. */
const struct cmd_info *cmd_get(int64_t nr, uint32_t cmd);
/*
 * The argument of syscall @nr called with @args that points to the struct
 * whose first word is the pointer REC_REGION_PTR outputs are written
 * through (REC_OUT_IOVEC1), or -ENOENT.
 */
int syscall_ptr_arg(int64_t nr, const __u64 *args);
/* Fill the BPF maps "sysdesc" and "cmddesc". Return: 0 or -errno. */
int syscalls_load_bpf(int sysdesc_fd, int cmddesc_fd);

/* The replay's columns of the table, for user/replay/. */
/* How replay treats syscall @nr called with @args. */
enum rp_kind replay_sys_kind(const __u64 *args, int64_t nr);
/*
 * How many argument registers replay compares (and shows) for @nr: its
 * syscall_nargs(), or fewer where the table says so on purpose.
 */
unsigned int replay_sys_nargs(int64_t nr);
/* The O_CLOEXEC-like bit of a descriptor-creating syscall's arguments. */
bool replay_sys_cloexec(int64_t nr, const __u64 *args);

#endif
