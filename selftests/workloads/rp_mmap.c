// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: memory. Maps the file argv[1] (MAP_PRIVATE) and its own
 * executable and digests them, grows and shrinks the heap, allocates and
 * frees big blocks (mmap/munmap through malloc), mremap, mprotect and
 * madvise(DONTNEED) on anonymous memory.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rp_common.h"

int main(int argc, char **argv)
{
	uint64_t h = FNV0;
	struct stat st;
	char *m, *big[8];
	int fd, i;

	if (argc < 2)
		return 2;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return 1;
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	h = fnv(h, m, st.st_size);
	munmap(m, st.st_size);
	close(fd);
	digest("mapped_file", h);
	fd = open("/proc/self/exe", O_RDONLY);
	m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	digest("mapped_exe", fnv(FNV0, m, 64));
	close(fd);

	h = FNV0;
	for (i = 0; i < 8; i++) {
		big[i] = malloc((i + 1) << 18);
		memset(big[i], i, (i + 1) << 18);
		h = fnv(h, &big[i], sizeof(big[i]));
	}
	for (i = 0; i < 8; i += 2)
		free(big[i]);
	m = sbrk(0);
	sbrk(1 << 20);
	sbrk(-(1 << 20));
	h = fnv(h, &m, sizeof(m));
	m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 0x5a, 1 << 20);
	madvise(m, 1 << 19, MADV_DONTNEED);
	h = fnv(h, m + (1 << 19) - 8, 16);
	m = mremap(m, 1 << 20, 4 << 20, MREMAP_MAYMOVE);
	mprotect(m, 4096, PROT_READ);
	h = fnv(h, &m, sizeof(m));
	h = fnv(h, m, 64);
	digest("memory", h);
	printf("rp_mmap done\n");
	return 0;
}
