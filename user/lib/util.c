// SPDX-License-Identifier: GPL-2.0
/* Small helpers shared by the subcommands. */
#include <errno.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

/* Whole string, no sign, no blanks; @base as strtoull(). */
static int parse_ull(const char *s, int base, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ' || *s == '\t')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	int err = parse_ull(s, 0, &v);

	if (!err)
		*out = v;
	return err;
}

int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	int err = parse_ull(s, 0, &v);

	if (err)
		return err;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_pid(const char *s, int *pid)
{
	unsigned long long v;
	int err = parse_ull(s, 10, &v);

	if (err)
		return err;
	if (v == 0 || v > INT_MAX)
		return -ERANGE;
	*pid = v;
	return 0;
}

int parse_addr_len(const char *s, uint64_t max_len, uint64_t *addr, uint64_t *len)
{
	const char *colon = strchr(s, ':');
	char head[32];

	if (!colon || (size_t)(colon - s) >= sizeof(head))
		return -EINVAL;
	memcpy(head, s, colon - s);
	head[colon - s] = 0;
	if (parse_u64(head, addr) || parse_u64(colon + 1, len) || !*len ||
	    *len > max_len || *addr + *len < *addr)
		return -EINVAL;
	return 0;
}

static const char hex[] = "0123456789abcdef";

void hex_bytes(const uint8_t *b, size_t n, char *buf)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf[2 * i] = hex[b[i] >> 4];
		buf[2 * i + 1] = hex[b[i] & 15];
	}
	buf[2 * n] = 0;
}

void hexdump_line(FILE *f, const char *indent, uint64_t addr, const uint8_t *b, size_t n)
{
	char line[96];
	size_t k, o;

	if (n > 16)
		n = 16;
	o = snprintf(line, sizeof(line), "%016llx ", (unsigned long long)addr);
	for (k = 0; k < 16; k++) {
		if (k == 8)
			line[o++] = ' ';
		line[o++] = ' ';
		line[o++] = k < n ? hex[b[k] >> 4] : ' ';
		line[o++] = k < n ? hex[b[k] & 15] : ' ';
	}
	line[o++] = ' ';
	line[o++] = ' ';
	line[o++] = '|';
	for (k = 0; k < n; k++)
		line[o++] = isprint(b[k]) ? b[k] : '.';
	line[o++] = '|';
	line[o++] = '\n';
	fputs(indent, f);
	fwrite(line, 1, o, f);
}

int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENODATA;
		done += n;
	}
	return 0;
}
