/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recorded syscall as text, by the table's signatures: what `ttrec dump`
 * prints and what `ttrec export` shows in a syscall's slice.
 */
#ifndef TTREC_SYSCALLS_PRINT_H
#define TTREC_SYSCALLS_PRINT_H

#include <stdint.h>
#include <stdio.h>

struct rec_event;

/* Bytes of a buffer shown in place of its pointer. */
#define SYSCALL_PREVIEW	32

/*
 * "name(args) = ret [notes]" of the REC_SYS event @ev: arguments by the
 * syscall's signature (flags by name, paths as read at entry, the first
 * bytes a read-like call got), the result as a number or "-1 ENOENT
 * (...)", notes for outputs unknown, partial, lost or missing.
 */
void syscall_print(FILE *f, const struct rec_event *ev);
/* A result: "-1 ENAME (message)" for -4095..-1, else the number. */
void syscall_print_ret(FILE *f, int64_t ret);
/*
 * @n bytes as a C string in quotes (\n, \", \xNN), the first @max of them
 * (at @d), then "..." when @n is longer.
 */
void syscall_print_str(FILE *f, const uint8_t *d, uint64_t n, size_t max);

#endif
