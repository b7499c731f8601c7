/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers every part of the tool shares: exit statuses, strict
 * number parsing, hex output (util.c). */
#ifndef TTREC_LIB_UTIL_H
#define TTREC_LIB_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses of every subcommand. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

/* util.c: strict number parsing; 0 or -EINVAL/-ERANGE */
int parse_u64(const char *s, uint64_t *out);
int parse_u32(const char *s, uint32_t *out);
int parse_pid(const char *s, int *pid);
/* "ADDR:LEN" with 0 < LEN <= @max_len and no wrap past 2^64 */
int parse_addr_len(const char *s, uint64_t max_len, uint64_t *addr, uint64_t *len);
/* util.c: exactly @len bytes at @off of @fd: 0, -ENODATA at its end, or -errno */
int pread_full(int fd, void *buf, size_t len, uint64_t off);
/* util.c: @n bytes as 2 * @n lowercase hex digits and a NUL, into @buf */
void hex_bytes(const uint8_t *b, size_t n, char *buf);
/*
 * util.c: one line of a memory dump: @indent, @addr, the first (at most
 * 16) of @n bytes in hex (a gap after the 8th) and as ASCII between bars.
 */
void hexdump_line(FILE *f, const char *indent, uint64_t addr, const uint8_t *b, size_t n);

#endif
