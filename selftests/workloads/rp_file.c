// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: file I/O. Reads the file argv[1] with read, pread,
 * readv and lseek, fstat()s it, writes a scratch file (argv[2]) and reads
 * it back, lists a directory, and prints digests. A replay must print the
 * same digests even when argv[1] changed since the recording (the bytes
 * come from the journal) and must not write argv[2].
 */
#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rp_common.h"

int main(int argc, char **argv)
{
	static char buf[70000], a[1000], b[5000];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	uint64_t h = FNV0;
	struct stat st;
	ssize_t n;
	int fd;

	if (argc < 3)
		errx(2, "usage: rp_file INPUT SCRATCH");
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		err(1, "%s", argv[1]);
	if (fstat(fd, &st))
		err(1, "fstat");
	h = fnv(h, &st.st_size, sizeof(st.st_size));
	n = read(fd, buf, 1000);
	h = fnv(h, buf, n > 0 ? n : 0);
	n = pread(fd, buf, 3000, 500);
	h = fnv(h, buf, n > 0 ? n : 0);
	n = readv(fd, iov, 2);
	h = fnv(h, a, n > 1000 ? 1000 : (n > 0 ? n : 0));
	if (n > 1000)
		h = fnv(h, b, n - 1000);
	lseek(fd, 100, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		h = fnv(h, buf, n);
	close(fd);
	digest("input", h);

	fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		err(1, "%s", argv[2]);
	memset(buf, 'x', 10000);
	if (write(fd, buf, 10000) != 10000 || fsync(fd))
		err(1, "write");
	lseek(fd, 0, SEEK_SET);
	h = FNV0;
	while ((n = read(fd, buf, 4096)) > 0)
		h = fnv(h, buf, n);
	close(fd);
	unlink(argv[2]);
	digest("scratch", h);

	{
		DIR *d = opendir("/etc");
		struct dirent *de;
		unsigned int count = 0;

		h = FNV0;
		while (d && (de = readdir(d))) {
			h = fnv(h, de->d_name, strlen(de->d_name));
			count++;
		}
		if (d)
			closedir(d);
		digest("dir", h);
		printf("entries %u\n", count);
	}
	printf("rp_file done\n");
	return 0;
}
