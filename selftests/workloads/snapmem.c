// SPDX-License-Identifier: GPL-2.0
/*
 * Workload for the snapshot CLI tests: memory in known patterns that a test
 * changes page by page through commands on stdin, while the workload keeps
 * a model of what each page should hold and checks itself against it.
 *
 *   snapmem [-n PAGES] [-t TOUCHED] [-f FILE]
 *
 * Maps PAGES (default 64) private anonymous pages (no THP) and fills the
 * first TOUCHED (default all) with pattern seed 1; the rest stay never
 * populated (zero). With -f, also maps 2 pages of FILE privately and writes
 * its first page with seed 9 (the second stays the file's). Prints
 *   region ADDR PAGES
 *   file ADDR            (with -f)
 *   ready
 * then answers each command line with one "ok ..." or "bad ..." line:
 *   fill SEED            every page gets pattern SEED
 *   pages SEED I J ...   pages I, J, ... get pattern SEED
 *   zero I               page I is memset to 0
 *   drop I               page I is dropped (MADV_DONTNEED: reads zero)
 *   check                every page matches the model: "ok" or "bad page I"
 *   unmap I N            munmap N pages from page I (no longer checked)
 *   protect I N          mprotect N pages from page I read-only
 *   map N SEED           map N more pages, filled with SEED: "ok map ADDR"
 *   brk N SEED           grow the heap by N pages, filled with SEED
 *   exit
 * Pattern SEED in page I, byte K: (SEED * 31 + I * 7 + K * 13 + (K >> 8)) & 255;
 * seed 0 is all zeroes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdbool.h>

#define PAGE	4096UL

static unsigned char *region;
static unsigned int *seeds;
static bool *unmapped;
static unsigned long npages;

static unsigned char pat(unsigned int seed, unsigned long page, unsigned long k)
{
	return seed ? (unsigned char)(seed * 31 + page * 7 + k * 13 + (k >> 8)) : 0;
}

static void put(unsigned long i, unsigned int seed)
{
	unsigned long k;

	for (k = 0; k < PAGE; k++)
		region[i * PAGE + k] = pat(seed, i, k);
	seeds[i] = seed;
}

static long check(void)
{
	unsigned long i, k;

	for (i = 0; i < npages; i++)
		for (k = 0; k < PAGE && !unmapped[i]; k++)
			if (region[i * PAGE + k] != pat(seeds[i], i, k))
				return i;
	return -1;
}

int main(int argc, char **argv)
{
	unsigned long touched = 0, i;
	const char *file = NULL;
	char line[4096];
	int c;

	npages = 64;
	while ((c = getopt(argc, argv, "n:t:f:")) != -1) {
		switch (c) {
		case 'n':
			npages = strtoul(optarg, NULL, 0);
			break;
		case 't':
			touched = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			file = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!touched || touched > npages)
		touched = npages;
	region = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	seeds = calloc(npages, sizeof(*seeds));
	unmapped = calloc(npages, sizeof(*unmapped));
	if (region == MAP_FAILED || !seeds || !unmapped)
		return 1;
	madvise(region, npages * PAGE, MADV_NOHUGEPAGE);
	for (i = 0; i < touched; i++)
		put(i, 1);
	printf("region %#lx %lu\n", (unsigned long)region, npages);
	if (file) {
		int fd = open(file, O_RDWR);
		unsigned char *m;

		if (fd < 0 || ftruncate(fd, 2 * PAGE))
			return 1;
		m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED)
			return 1;
		close(fd);
		for (i = 0; i < PAGE; i++)
			m[i] = pat(9, 0, i);
		printf("file %#lx\n", (unsigned long)m);
	}
	printf("ready\n");
	fflush(stdout);

	while (fgets(line, sizeof(line), stdin)) {
		char *tok = strtok(line, " \n");
		long bad;

		if (!tok)
			continue;
		if (!strcmp(tok, "exit"))
			break;
		if (!strcmp(tok, "fill")) {
			unsigned int seed = strtoul(strtok(NULL, " \n") ?: "0", NULL, 0);

			for (i = 0; i < npages; i++)
				if (!unmapped[i])
					put(i, seed);
			printf("ok fill\n");
		} else if (!strcmp(tok, "pages")) {
			unsigned int seed = strtoul(strtok(NULL, " \n") ?: "0", NULL, 0);

			while ((tok = strtok(NULL, " \n")))
				if ((i = strtoul(tok, NULL, 0)) < npages)
					put(i, seed);
			printf("ok pages\n");
		} else if (!strcmp(tok, "zero") || !strcmp(tok, "drop")) {
			int drop = tok[0] == 'd';

			tok = strtok(NULL, " \n");
			i = strtoul(tok ?: "0", NULL, 0);
			if (i < npages) {
				if (drop)
					madvise(region + i * PAGE, PAGE, MADV_DONTNEED);
				else
					memset(region + i * PAGE, 0, PAGE);
				seeds[i] = 0;
			}
			printf("ok %s\n", drop ? "drop" : "zero");
		} else if (!strcmp(tok, "unmap") || !strcmp(tok, "protect")) {
			int unmap = tok[0] == 'u';
			unsigned long n, k;

			i = strtoul(strtok(NULL, " \n") ?: "0", NULL, 0);
			n = strtoul(strtok(NULL, " \n") ?: "0", NULL, 0);
			if (i + n > npages || (unmap ? munmap(region + i * PAGE, n * PAGE) :
					       mprotect(region + i * PAGE, n * PAGE, PROT_READ))) {
				printf("bad %s\n", tok);
			} else {
				for (k = i; unmap && k < i + n; k++)
					unmapped[k] = true;
				printf("ok %s\n", tok);
			}
		} else if (!strcmp(tok, "map") || !strcmp(tok, "brk")) {
			int brk = tok[0] == 'b';
			unsigned long n = strtoul(strtok(NULL, " \n") ?: "0", NULL, 0), k;
			unsigned int seed = strtoul(strtok(NULL, " \n") ?: "0", NULL, 0);
			unsigned char *m = brk ? sbrk(n * PAGE) :
					   mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
						MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (m == MAP_FAILED || m == (void *)-1) {
				printf("bad %s\n", tok);
			} else {
				for (k = 0; k < n * PAGE; k++)
					m[k] = pat(seed, k / PAGE, k % PAGE);
				printf("ok %s %#lx\n", tok, (unsigned long)m);
			}
		} else if (!strcmp(tok, "check")) {
			bad = check();
			if (bad < 0)
				printf("ok check\n");
			else
				printf("bad page %ld\n", bad);
		} else {
			printf("bad command %s\n", tok);
		}
		fflush(stdout);
	}
	return 0;
}
