// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: output through descriptors other than 1 and 2 that
 * refer to the same place: /dev/stdout opened as `curl -o /dev/stdout`
 * opens it (O_CREAT | O_TRUNC, before any other output), /dev/stdout,
 * /proc/self/fd/1 and /dev/fd/1 opened again, /dev/stderr and
 * /proc/self/fd/2, and dup2 and fcntl(F_DUPFD, F_DUPFD_CLOEXEC) copies of
 * them. Each line names the way it took. After the first line everything
 * is appended (O_APPEND), so that the lines do not overwrite each other
 * when stdout is a file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int line(int fd, const char *s)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "%s (descriptor %d)\n", s, fd);

	return fd < 0 || write(fd, buf, n) != n;
}

static int append(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_APPEND);
}

int main(void)
{
	struct iovec iov[2] = { { "writev through ", 15 }, { "/dev/stdout\n", 12 } };
	int err = 0, fd, out, self1, dev1, dev2, self2;

	fd = open("/dev/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0666);
	err |= line(fd, "open /dev/stdout O_CREAT|O_TRUNC, as curl -o does");
	close(fd);
	err |= append(1) | append(2);
	err |= line(1, "stdout itself");

	out = open("/dev/stdout", O_WRONLY | O_APPEND);
	err |= line(out, "open /dev/stdout");
	self1 = open("/proc/self/fd/1", O_WRONLY | O_APPEND | O_CLOEXEC);
	err |= line(self1, "open /proc/self/fd/1");
	dev1 = openat(AT_FDCWD, "/dev/fd/1", O_WRONLY | O_APPEND);
	err |= line(dev1, "openat /dev/fd/1");
	dev2 = open("/dev/stderr", O_WRONLY | O_APPEND);
	err |= line(dev2, "open /dev/stderr");
	self2 = open("/proc/self/fd/2", O_WRONLY | O_APPEND);
	err |= line(self2, "open /proc/self/fd/2");
	err |= writev(out, iov, 2) != 27;

	err |= line(dup2(out, 20), "dup2 of /dev/stdout");
	err |= line(fcntl(self1, F_DUPFD, 30), "F_DUPFD of /proc/self/fd/1");
	err |= line(fcntl(self2, F_DUPFD_CLOEXEC, 40), "F_DUPFD_CLOEXEC of /proc/self/fd/2");
	err |= line(dup(dev2), "dup of /dev/stderr");
	close(20);
	close(30);
	close(out);
	close(self1);
	close(dev1);
	close(dev2);
	close(self2);

	err |= line(1, err ? "rp_stdio FAILED" : "rp_stdio done");
	return err;
}
