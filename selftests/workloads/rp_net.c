// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: sockets. A TCP echo server thread on loopback and a
 * client (connect, send, poll, recv), UDP datagrams with their sender
 * addresses (sendto/recvfrom), a UNIX datagram socketpair with
 * sendmsg/recvmsg, getsockname/getpeername/getsockopt. Prints a digest of
 * everything received.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rp_common.h"

static int ls;

static void *echo(void *arg)
{
	char buf[4096];
	int c = accept(ls, NULL, NULL);
	ssize_t n;

	while ((n = recv(c, buf, sizeof(buf), 0)) > 0)
		if (send(c, buf, n, 0) != n)
			abort();
	close(c);
	return NULL;
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, from;
	socklen_t al = sizeof(a), fl;
	char buf[8192], msg[3000];
	uint64_t h = FNV0;
	pthread_t th;
	int c, u1, u2, sv[2], i, v = 0;
	ssize_t n, got = 0;
	struct pollfd pf;

	for (i = 0; i < (int)sizeof(msg); i++)
		msg[i] = 'a' + i % 26;
	/* TCP */
	ls = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (void *)&a, sizeof(a)) || listen(ls, 1) || getsockname(ls, (void *)&a, &al))
		return 1;
	pthread_create(&th, NULL, echo, NULL);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(c, (void *)&a, sizeof(a)))
		return 1;
	for (i = 0; i < 5; i++)
		if (send(c, msg, sizeof(msg), 0) != sizeof(msg))
			return 1;
	shutdown(c, SHUT_WR);
	pf.fd = c;
	pf.events = POLLIN;
	while (poll(&pf, 1, 2000) > 0 && (n = recv(c, buf, sizeof(buf), 0)) > 0) {
		h = fnv(h, buf, n);
		got += n;
	}
	fl = sizeof(from);
	getpeername(c, (void *)&from, &fl);
	h = fnv(h, &from.sin_addr, 4);
	fl = sizeof(v);
	getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &fl);
	h = fnv(h, &v, sizeof(v));
	close(c);
	pthread_join(th, NULL);
	printf("tcp echoed %zd bytes\n", got);

	/* UDP */
	u1 = socket(AF_INET, SOCK_DGRAM, 0);
	u2 = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = 0;
	al = sizeof(a);
	if (bind(u1, (void *)&a, sizeof(a)) || getsockname(u1, (void *)&a, &al))
		return 1;
	for (i = 0; i < 3; i++) {
		if (sendto(u2, msg, 100 + i, 0, (void *)&a, sizeof(a)) != 100 + i)
			return 1;
		fl = sizeof(from);
		n = recvfrom(u1, buf, sizeof(buf), 0, (void *)&from, &fl);
		h = fnv(h, buf, n > 0 ? n : 0);
		h = fnv(h, &from.sin_port, 2);
	}

	/* UNIX datagrams, sendmsg/recvmsg */
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return 1;
	for (i = 0; i < 3; i++) {
		struct iovec iov = { msg + i, 50 }, in = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct msghdr r = { .msg_iov = &in, .msg_iovlen = 1 };

		if (sendmsg(sv[0], &m, 0) != 50)
			return 1;
		n = recvmsg(sv[1], &r, 0);
		h = fnv(h, buf, n > 0 ? n : 0);
	}
	printf("sockets %d %d %d %d %d\n", c, u1, u2, sv[0], sv[1]);
	digest("net", h);
	printf("rp_net done\n");
	return 0;
}
