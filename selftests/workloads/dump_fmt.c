// SPDX-License-Identifier: GPL-2.0
/*
 * Workload for `ttrec dump`'s formatting: a few syscalls with known
 * arguments, made with syscall(2) so that libc cannot change them:
 * openat of "DIR/data \"file\"" (written, then read back through fd 101),
 * a newfstatat of a 300-byte path (cut to 256 bytes in the recording), an
 * anonymous mmap and kill(self, SIGCONT). Prints "dump_fmt done pid=PID".
 */
#include <err.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[PATH_MAX], lng[301], buf[4096];
	struct stat st;
	long fd, n;

	if (argc != 2)
		errx(2, "usage: dump_fmt DIR");
	snprintf(path, sizeof(path), "%s/data \"file\"", argv[1]);
	fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || dup2(fd, 100) != 100)
		err(1, "%s", path);
	close(fd);
	if (syscall(SYS_write, 100, "hello dump\n", 11) != 11)
		err(1, "write");
	close(100);
	fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
	if (fd < 0 || dup2(fd, 101) != 101)
		err(1, "%s", path);
	close(fd);
	n = syscall(SYS_read, 101, buf, sizeof(buf));
	if (n != 11)
		err(1, "read");
	for (n = 0; n < (long)sizeof(lng) - 1; n++)	/* /aaa.../aaa...: 50-byte names */
		lng[n] = n % 51 ? 'a' : '/';
	lng[sizeof(lng) - 1] = 0;
	if (syscall(SYS_newfstatat, AT_FDCWD, lng, &st, 0) == 0)
		errx(1, "%s exists", lng);
	if ((void *)syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
		err(1, "mmap");
	if (syscall(SYS_kill, getpid(), SIGCONT))
		err(1, "kill");
	printf("dump_fmt done pid=%d\n", getpid());
	return 0;
}
