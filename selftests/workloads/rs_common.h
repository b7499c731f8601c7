/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the rs_* restore workloads: patterns, the command loop and the
 * verdict. A workload builds its state, prints "ready ...", then reads
 * commands on stdin (one a line); a restored one gets them on the
 * restore's stdin. "check" verifies everything and prints "PASS" (exit 0)
 * or "FAIL what" lines (exit 1): PASS only after every check.
 */
#ifndef RS_COMMON_H
#define RS_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#define PAGE	4096UL

static int rs_failures;

static inline unsigned char rs_pat(unsigned int seed, unsigned long page, unsigned long k)
{
	return seed ? (unsigned char)(seed * 31 + page * 7 + k * 13 + (k >> 8)) : 0;
}

static inline void rs_fill(void *p, unsigned long npages, unsigned int seed)
{
	unsigned char *b = p;

	for (unsigned long i = 0; i < npages; i++)
		for (unsigned long k = 0; k < PAGE; k++)
			b[i * PAGE + k] = rs_pat(seed, i, k);
}

__attribute__((format(printf, 1, 2)))
static inline void rs_fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	rs_failures++;
}

/* Does @p hold pattern @seed over @npages pages? Reported as @what. */
static inline int rs_check(const char *what, const void *p, unsigned long npages,
			   unsigned int seed)
{
	const unsigned char *b = p;

	for (unsigned long i = 0; i < npages; i++)
		for (unsigned long k = 0; k < PAGE; k++)
			if (b[i * PAGE + k] != rs_pat(seed, i, k)) {
				rs_fail("%s: page %lu byte %lu is %#x, not %#x", what, i, k,
					b[i * PAGE + k], rs_pat(seed, i, k));
				return -1;
			}
	return 0;
}

static inline double rs_now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The verdict, and the exit status. */
static inline int rs_verdict(void)
{
	if (!rs_failures)
		printf("PASS\n");
	fflush(stdout);
	return rs_failures ? 1 : 0;
}

/* The next command on stdin (blocking read() there), without its newline. */
static inline int rs_command(char *line, size_t len)
{
	if (!fgets(line, len, stdin))
		return -1;
	line[strcspn(line, "\n")] = 0;
	return 0;
}

/* The flags of /proc/self/smaps's VMA at @addr ("VmFlags: ..."), or "". */
static inline void rs_vmflags(const void *addr, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long s, e, a = (unsigned long)addr;
	char line[512];
	int in = 0;

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a >= s && a < e;
		else if (in && !strncmp(line, "VmFlags:", 8)) {
			strncpy(out, line + 8, len - 1);
			out[len - 1] = 0;
			break;
		}
	}
	fclose(f);
}

#endif
