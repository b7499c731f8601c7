/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86_64 syscall table: for every syscall its name and which of its
 * arguments point to memory the kernel writes, and how long that output
 * is. The BPF recorder copies exactly these bytes at syscall exit; a
 * syscall the table does not describe is recorded with its return value
 * and flagged REC_SF_OUT_UNKNOWN. Documentation/record.rst gives the rules.
 */
#ifndef TTREC_SYSCALLS_H
#define TTREC_SYSCALLS_H

#include <stdint.h>
#include <linux/types.h>
#include "record.h"

struct syscall_info {
	const char *name;		/* NULL: no such syscall */
	uint32_t flags;			/* REC_SD_* */
	uint32_t nout;
	struct rec_outspec out[REC_MAX_OUTS];
};

/* A command of a CMD() syscall (ioctl request, fcntl cmd, prctl option). */
struct cmd_info {
	uint32_t nr;			/* the syscall */
	uint32_t cmd;
	const char *name;
	struct rec_outspec out;		/* FIXED (arg, size), NONE, IFCONF */
};

/* The entry for @nr, or NULL when @nr is outside the table. */
const struct syscall_info *syscall_get(unsigned int nr);
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
const char *syscall_sig(unsigned int nr);
/* Bit i set: argument i of @nr is an input string ('s'). */
uint32_t syscall_strargs(unsigned int nr);
/* "read", or NULL when unknown. */
const char *syscall_name(unsigned int nr);
/* The number of the syscall called @name, or -ENOENT. */
int syscall_nr(const char *name);
/* The entry of command @cmd of syscall @nr, or NULL. */
const struct cmd_info *cmd_get(unsigned int nr, uint32_t cmd);
/* Fill the BPF maps "sysdesc" and "cmddesc". Return: 0 or -errno. */
int syscalls_load_bpf(int sysdesc_fd, int cmddesc_fd);

#endif
