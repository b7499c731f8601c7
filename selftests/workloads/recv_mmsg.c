// SPDX-License-Identifier: GPL-2.0
/*
 * Workload: recvmmsg() of three datagrams (100, 3000 and 1 bytes) on a UNIX
 * socketpair, each received through two iovecs, with the sender's address
 * (an abstract name) and SCM_CREDENTIALS control data; then a recvmmsg()
 * that fails with EAGAIN. Prints FNV-1a digests of what the kernel wrote:
 *   digest mmsg_iov HEX    the messages' data, msg_len bytes each
 *   digest mmsg_name HEX   msg_namelen bytes of each msg_name
 *   digest mmsg_ctl HEX    msg_controllen bytes of each msg_control
 * and "recv_mmsg done N" with N the messages received.
 */
#include <err.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

#define FNV0 0xcbf29ce484222325ULL
#define NMSG 4

int main(void)
{
	static const size_t lens[3] = { 100, 3000, 1 };
	static char data[NMSG][2][4096], ctl[NMSG][64], msg[4096];
	struct sockaddr_un names[NMSG], me = { .sun_family = AF_UNIX };
	struct mmsghdr mm[NMSG];
	struct iovec iov[NMSG][2];
	uint64_t hi = FNV0, hn = FNV0, hc = FNV0;
	int sv[2], one = 1, n, i;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		err(1, "socketpair");
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		err(1, "SO_PASSCRED");
	snprintf(me.sun_path + 1, sizeof(me.sun_path) - 1, "ttrec-mmsg-%d", getpid());
	if (bind(sv[1], (struct sockaddr *)&me,
		 offsetof(struct sockaddr_un, sun_path) + 1 + strlen(me.sun_path + 1)))
		err(1, "bind");
	for (i = 0; i < 3; i++) {
		for (size_t k = 0; k < lens[i]; k++)
			msg[k] = (char)(i * 77 + k * 13 + (k >> 7));
		if (send(sv[1], msg, lens[i], 0) != (ssize_t)lens[i])
			err(1, "send");
	}
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < NMSG; i++) {
		iov[i][0] = (struct iovec){ data[i][0], 50 };
		iov[i][1] = (struct iovec){ data[i][1], sizeof(data[i][1]) };
		mm[i].msg_hdr.msg_iov = iov[i];
		mm[i].msg_hdr.msg_iovlen = 2;
		mm[i].msg_hdr.msg_name = &names[i];
		mm[i].msg_hdr.msg_namelen = sizeof(names[i]);
		mm[i].msg_hdr.msg_control = ctl[i];
		mm[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
	}
	n = recvmmsg(sv[0], mm, NMSG, MSG_DONTWAIT, NULL);
	if (n != 3)
		err(1, "recvmmsg got %d", n);
	for (i = 0; i < n; i++) {
		size_t len = mm[i].msg_len, a = len < 50 ? len : 50;

		hi = fnv(hi, data[i][0], a);
		hi = fnv(hi, data[i][1], len - a);
		hn = fnv(hn, &names[i], mm[i].msg_hdr.msg_namelen);
		hc = fnv(hc, ctl[i], mm[i].msg_hdr.msg_controllen);
	}
	if (recvmmsg(sv[0], mm, NMSG, MSG_DONTWAIT, NULL) != -1 || errno != EAGAIN)
		errx(1, "the second recvmmsg did not fail with EAGAIN");
	printf("digest mmsg_iov %016llx\n", (unsigned long long)hi);
	printf("digest mmsg_name %016llx\n", (unsigned long long)hn);
	printf("digest mmsg_ctl %016llx\n", (unsigned long long)hc);
	printf("recv_mmsg done %d\n", n);
	return 0;
}
