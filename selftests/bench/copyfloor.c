// SPDX-License-Identifier: GPL-2.0
/*
 * copyfloor: the least a recorder must pay, on this machine, to keep the
 * bytes a syscall wrote: copy them once into a large buffer. Copies COUNT
 * blocks of SIZE bytes, one after another, from one small (cache-hot)
 * source into a buffer of BUF_MIB MiB, round and round, as the BPF program
 * copies a read()'s output into the ring buffer (`rep movsb`, the kernel's
 * copy_from_user() on CPUs with FSRM). Prints the median seconds of ROUNDS
 * runs. bench.sh turns it into a floor for ttrec_ratio.
 *
 * usage: copyfloor COUNT SIZE BUF_MIB [ROUNDS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void copy(void *dst, const void *src, size_t n)
{
#ifdef __x86_64__
	asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
#else
	memcpy(dst, src, n);
#endif
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned long count, size, rounds = 5, i, r;
	size_t buf_size, off;
	double t[64];
	char *buf, *src;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: copyfloor COUNT SIZE BUF_MIB [ROUNDS]\n");
		return 2;
	}
	count = strtoul(argv[1], NULL, 0);
	size = strtoul(argv[2], NULL, 0);
	buf_size = strtoul(argv[3], NULL, 0) << 20;
	if (argc == 5)
		rounds = strtoul(argv[4], NULL, 0);
	if (!count || !size || size > (64UL << 20) || buf_size < size ||
	    !rounds || rounds > 64) {
		fprintf(stderr, "copyfloor: bad arguments\n");
		return 2;
	}
	src = malloc(size);
	buf = mmap(NULL, buf_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!src || buf == MAP_FAILED) {
		perror("copyfloor");
		return 1;
	}
	/* like the ring: 4 KiB pages, all present before the first copy */
	madvise(buf, buf_size, MADV_NOHUGEPAGE);
	memset(buf, 0, buf_size);
	memset(src, 'x', size);
	for (r = 0; r < rounds; r++) {
		double t0 = now_s();

		off = 0;
		for (i = 0; i < count; i++) {
			if (off + size > buf_size)
				off = 0;
			copy(buf + off, src, size);
			off += (size + 64 + 7) & ~7UL;	/* + a record header */
		}
		t[r] = now_s() - t0;
	}
	qsort(t, rounds, sizeof(t[0]), cmp_double);
	printf("%.6f\n", rounds % 2 ? t[rounds / 2] : (t[rounds / 2 - 1] + t[rounds / 2]) / 2);
	return 0;
}
