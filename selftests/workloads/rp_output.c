// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: output on stdout and stderr through every path (stdio,
 * write, writev, a dup of stdout, binary bytes), interleaved, plus a file
 * write that replay must not perform (argv[1], if given). A replay shows
 * both streams again byte for byte.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char bin[256];
	struct iovec iov[3] = {
		{ "writev ", 7 }, { "to ", 3 }, { "stdout\n", 7 },
	};
	int i, d;

	for (i = 0; i < 256; i++)
		bin[i] = i;
	printf("stdio line 1\n");
	fflush(stdout);
	fprintf(stderr, "stderr line 1\n");
	if (write(1, "write to stdout\n", 16) != 16 || writev(1, iov, 3) != 17)
		return 1;
	if (write(2, bin, sizeof(bin)) != sizeof(bin))
		return 1;
	d = dup(1);
	if (write(d, "through a dup\n", 14) != 14)
		return 1;
	close(d);
	for (i = 0; i < 2000; i++)
		printf("numbered line %d of stdout\n", i);
	fflush(stdout);
	if (argc > 1) {
		int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || write(fd, "file\n", 5) != 5)
			return 1;
		close(fd);
	}
	fprintf(stderr, "rp_output done\n");
	printf("rp_output done\n");
	return 3;
}
