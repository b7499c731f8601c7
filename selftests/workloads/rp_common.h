/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the rp_* replay workloads: FNV-1a digests of what they saw,
 * and named checks that print "ok NAME" or "BAD NAME: why" (counted).
 */
#ifndef RP_COMMON_H
#define RP_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

static inline uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

#define FNV0 0xcbf29ce484222325ULL

static inline void digest(const char *name, uint64_t h)
{
	printf("digest %s %016llx\n", name, (unsigned long long)h);
}

static int nbad;	/* checks that failed */

__attribute__((format(printf, 3, 4), unused))
static void check(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok %s\n", name);
		return;
	}
	nbad++;
	printf("BAD %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#endif
