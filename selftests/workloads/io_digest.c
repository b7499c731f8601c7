// SPDX-License-Identifier: GPL-2.0
/*
 * Workload: reads data from a file, a pipe, a UNIX socketpair, a loopback
 * TCP connection, getrandom() and clock_gettime() (the syscall, not the
 * vDSO), each through a known file descriptor, and prints an FNV-1a digest
 * of the bytes it got from each:  "digest NAME HEX". The record selftest
 * compares these with digests of the journal's recorded outputs.
 * Descriptors: file 100, pipe 101, unix 102, tcp 104.
 */
#include <arpa/inet.h>
#include <err.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

#define FNV0 0xcbf29ce484222325ULL

static void fill(char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)(seed * 31 + i * 7 + (i >> 8));
}

static int move_fd(int fd, int to)
{
	if (dup2(fd, to) < 0)
		err(1, "dup2");
	close(fd);
	return to;
}

int main(void)
{
	static char out[300000], in[300000];
	char path[] = "/tmp/ttrec-io-XXXXXX";
	uint64_t h;
	ssize_t n;
	size_t got;
	int fd, p[2], sv[2], ls, cs, as;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	/* file: read, pread64, readv */
	fill(out, sizeof(out), 1);
	fd = mkstemp(path);
	if (fd < 0 || write(fd, out, sizeof(out)) != (ssize_t)sizeof(out))
		err(1, "tmp file");
	close(fd);
	fd = move_fd(open(path, O_RDONLY), 100);
	unlink(path);
	h = FNV0;
	n = read(fd, in, 100000);		/* one big read */
	h = fnv(h, in, n);
	n = pread(fd, in, 5000, 12345);
	h = fnv(h, in, n);
	{
		static char a[3000], b[70000];
		struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };

		n = readv(fd, iov, 2);
		h = fnv(h, a, n < (ssize_t)sizeof(a) ? n : (ssize_t)sizeof(a));
		if (n > (ssize_t)sizeof(a))
			h = fnv(h, b, n - sizeof(a));
	}
	while ((n = read(fd, in, 65536)) > 0)
		h = fnv(h, in, n);
	printf("digest file %016llx\n", (unsigned long long)h);

	/* pipe */
	if (pipe(p))
		err(1, "pipe");
	p[0] = move_fd(p[0], 101);
	fill(out, 50000, 2);
	if (write(p[1], out, 50000) != 50000)
		err(1, "pipe write");
	close(p[1]);
	h = FNV0;
	while ((n = read(p[0], in, 7000)) > 0)
		h = fnv(h, in, n);
	printf("digest pipe %016llx\n", (unsigned long long)h);

	/* UNIX socketpair: recv, recvmsg */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		err(1, "socketpair");
	sv[0] = move_fd(sv[0], 102);
	fill(out, 20000, 3);
	if (write(sv[1], out, 20000) != 20000)
		err(1, "unix write");
	close(sv[1]);
	h = FNV0;
	got = 0;
	while (1) {
		if (got < 10000) {
			n = recv(sv[0], in, 3000, 0);
			if (n > 0)
				h = fnv(h, in, n);
		} else {
			struct iovec iov = { in, 4096 };
			struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

			n = recvmsg(sv[0], &m, 0);
			if (n > 0)
				h = fnv(h, in, n);
		}
		if (n <= 0)
			break;
		got += n;
	}
	printf("digest unix %016llx\n", (unsigned long long)h);

	/* loopback TCP: recvfrom */
	ls = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls < 0 || bind(ls, (void *)&sa, sizeof(sa)) || listen(ls, 1) ||
	    getsockname(ls, (void *)&sa, &sl))
		err(1, "tcp listen");
	cs = socket(AF_INET, SOCK_STREAM, 0);
	if (cs < 0 || connect(cs, (void *)&sa, sizeof(sa)))
		err(1, "tcp connect");
	as = accept(ls, NULL, NULL);
	if (as < 0)
		err(1, "accept");
	as = move_fd(as, 104);
	fill(out, 100000, 4);
	if (write(cs, out, 100000) != 100000)
		err(1, "tcp write");
	close(cs);
	h = FNV0;
	while ((n = recvfrom(as, in, 16384, 0, NULL, NULL)) > 0)
		h = fnv(h, in, n);
	printf("digest tcp %016llx\n", (unsigned long long)h);

	/* getrandom (flags 0) */
	h = FNV0;
	for (int i = 0; i < 10; i++) {
		n = getrandom(in, 1000 + i, 0);
		if (n > 0)
			h = fnv(h, in, n);
	}
	printf("digest getrandom %016llx\n", (unsigned long long)h);

	/* clock_gettime, the real syscall */
	h = FNV0;
	for (int i = 0; i < 20; i++) {
		struct timespec ts;

		syscall(SYS_clock_gettime, CLOCK_MONOTONIC_RAW, &ts);
		h = fnv(h, &ts, sizeof(ts));
	}
	printf("digest clock %016llx\n", (unsigned long long)h);
	/* a syscall the table does not describe: flagged "outputs unknown" */
	{
		static unsigned char vec[4];

		syscall(SYS_mincore, (void *)((uintptr_t)in & ~4095UL), 4096, vec);
	}
	printf("io_digest done\n");
	return 0;
}
