// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: exec a program from a memfd (fexecve()), as a program
 * that unpacks or generates its image in memory does. rp_fexec copies
 * its own file into a memfd and execs that: "cloexec" with fexecve() of
 * a MFD_CLOEXEC memfd, "keep" with execveat(AT_EMPTY_PATH) of one without
 * (the descriptor stays open in the new image, which reads it back),
 * "sendfile" as "cloexec" but copied by the kernel (sendfile(), no bytes
 * through the program's memory). The new image reads getrandom(), the
 * (vDSO) clock and AT_RANDOM, and prints their digest and "rp_fexec
 * done".
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rp_common.h"

extern char **environ;

static int after(const char *fdarg)
{
	struct timespec ts;
	uint64_t r, h;
	char b[4];
	int fd = atoi(fdarg);

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return 1;
	clock_gettime(CLOCK_REALTIME, &ts);
	h = fnv(FNV0, (void *)getauxval(AT_RANDOM), 16);
	h = fnv(fnv(h, &ts, sizeof(ts)), &r, sizeof(r));
	if (fd >= 0)	/* still open: it is our image */
		printf("image descriptor reads %s\n",
		       pread(fd, b, 4, 0) == 4 && !memcmp(b, "\177ELF", 4) ? "ELF" : "?");
	digest("after", h);
	printf("rp_fexec done\n");
	return 0;
}

int main(int argc, char **argv)
{
	bool keep = argc > 1 && !strcmp(argv[1], "keep");
	bool by_kernel = argc > 1 && !strcmp(argv[1], "sendfile");
	char buf[65536], fdarg[16];
	char *args[4] = { argv[0], "after", fdarg, NULL };
	struct stat st;
	ssize_t n;
	int in, fd;

	if (argc > 2 && !strcmp(argv[1], "after"))
		return after(argv[2]);
	if (argc < 2 || (!keep && !by_kernel && strcmp(argv[1], "cloexec")))
		return 2;
	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	fd = memfd_create("image", keep ? 0 : MFD_CLOEXEC);
	if (in < 0 || fd < 0)
		return 1;
	if (by_kernel) {
		if (fstat(in, &st) || sendfile(fd, in, NULL, st.st_size) != st.st_size)
			return 1;
	} else {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(fd, buf, n) != n)
				return 1;
	}
	close(in);
	snprintf(fdarg, sizeof(fdarg), "%d", keep ? fd : -1);
	fflush(stdout);
	if (keep)
		syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
	else
		fexecve(fd, args, environ);
	return 1;
}
