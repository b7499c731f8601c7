/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the rp_* replay workloads: FNV-1a digests of what they saw. */
#ifndef RP_COMMON_H
#define RP_COMMON_H

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

#endif
