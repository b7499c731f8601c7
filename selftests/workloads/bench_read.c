// SPDX-License-Identifier: GPL-2.0
/* Benchmark workload: N (default 200000) read()s of 4 KiB from FILE, rewinding at its end. */
#include <err.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[4096];
	long n = argc > 2 ? atol(argv[2]) : 200000;
	int fd;

	if (argc < 2 || (fd = open(argv[1], O_RDONLY)) < 0)
		err(1, "usage: bench_read FILE [N]");
	for (long i = 0; i < n; i++) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0)
			err(1, "read");
		if (r == 0) {
			lseek(fd, 0, SEEK_SET);
			i--;
		}
	}
	return 0;
}
