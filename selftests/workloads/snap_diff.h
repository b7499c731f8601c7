/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The protocol between selftests/kmod_snapdiff and workloads/snap_diff:
 * fixed-size commands on the workload's stdin, replies on its stdout.
 * The workload first writes a struct sd_layout, then answers each struct
 * sd_cmd with a struct sd_reply.
 */
#ifndef SNAP_DIFF_H
#define SNAP_DIFF_H

#include <stdint.h>

#define SD_PAGE		4096UL
#define SD_ANON_PAGES	64
#define SD_HEAP_PAGES	32
#define SD_FILE_PAGES	16	/* the first half is written at start */
#define SD_SHARED_PAGES	16
#define SD_PINNED_PAGES	4
#define SD_THP_SIZE	(2UL << 20)
#define SD_NR_THREADS	8
#define SD_THREAD_PAGES	4	/* per thread */
#define SD_HOLE_PAGES	(2 * SD_ANON_PAGES)

/* Options: argv[1] holds these letters. */
#define SD_OPT_THREADS	't'
#define SD_OPT_THP	'h'

enum sd_region {
	SD_ANON,	/* private anonymous, no THP */
	SD_HEAP,	/* inside [heap]: a malloc()ed buffer, page aligned */
	SD_FILE,	/* MAP_PRIVATE of a file */
	SD_SHARED,	/* MAP_SHARED | MAP_ANONYMOUS */
	SD_PINNED,	/* registered as an io_uring buffer (FOLL_PIN) */
	SD_THP,		/* 2 MiB aligned, MADV_HUGEPAGE */
	SD_THREADS,	/* SD_THREAD_PAGES pages per thread, in order */
	SD_NR_REGIONS,
};

struct sd_layout {
	uint64_t addr[SD_NR_REGIONS];	/* 0 when absent */
	uint64_t len[SD_NR_REGIONS];
	uint64_t hole;		/* SD_HOLE_PAGES free pages (for mremap) */
	uint32_t thp_ok;	/* SD_THP is backed by a huge page */
	uint32_t pinned_ok;	/* SD_PINNED is pinned */
};

enum sd_op {
	SD_WRITE = 1,	/* fill [addr, addr + len) with pattern seed */
	SD_REWRITE,	/* write one byte of each page with its own value */
	SD_READ,	/* read [addr, addr + len); val: a checksum */
	SD_CHECK,	/* ok 0 when [addr, addr + len) holds pattern seed */
	SD_MUNMAP,
	SD_MREMAP,	/* move [addr, addr + len) to arg; val: new address */
	SD_MPROTECT,	/* arg: PROT_* */
	SD_DONTNEED,	/* madvise(MADV_DONTNEED) */
	SD_MMAP,	/* new private anonymous mapping of len, filled; at
			 * addr (MAP_FIXED) unless 0; val: its address */
	SD_FORK,	/* fork a child that fills [addr, addr + len) with
			 * pattern seed and then waits; val: its pid */
	SD_REAP,	/* kill and reap the child of SD_FORK */
	SD_THREADS_WRITE, /* every thread writes its pages in mask arg,
			   * len rounds, all at once; pattern seed */
	SD_EXEC,	/* execve() itself again: no reply, a new layout */
};

struct sd_cmd {
	uint32_t op;
	uint32_t seed;
	uint64_t addr;
	uint64_t len;
	uint64_t arg;
};

struct sd_reply {
	int32_t err;		/* 0 or an errno */
	uint32_t pad;
	uint64_t val;
};

/* The byte pattern @seed puts at address @x. */
static inline uint8_t sd_byte(uint64_t x, uint32_t seed)
{
	return (uint8_t)(seed * 41 + (x >> 12) * 3 + (x & 0xfff) * 7);
}

#endif /* SNAP_DIFF_H */
