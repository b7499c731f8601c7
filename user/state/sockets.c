// SPDX-License-Identifier: GPL-2.0
/*
 * A socket of the target, through a duplicate of its descriptor: family,
 * type, protocol, listening, SO_REUSEADDR/SO_REUSEPORT, IPV6_V6ONLY, bound and peer
 * addresses (getsockopt(), getsockname(), getpeername()); the TCP state,
 * and a TCP listener's backlog and waiting connections, from TCP_INFO
 * (tcpi_sacked and tcpi_unacked of a listener); for unix sockets, the
 * peer's inode, a listener's backlog and queue, and the shutdown state
 * from a NETLINK_SOCK_DIAG dump of the unix sockets (unix_diag), taken
 * once per table in the caller's network namespace.
 *
 * Left unknown, and the note flagged TTREC_SOCK_INCOMPLETE: the shutdown
 * state of other sockets, the SS_* state of datagram sockets, and all of
 * the unix_diag fields when the dump is not possible (no unix_diag in the
 * kernel, or the target in another network namespace).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "state/internal.h"
#include "lib/log.h"

#define TCP_ESTABLISHED_STATE	1
#define TCP_CLOSE_STATE		7
#define TCP_LISTEN_STATE	10

struct unix_entry {
	uint64_t ino, peer;
	uint32_t rqueue, wqueue;	/* listeners: queued, backlog */
	uint8_t state, shutdown;
};

struct sock_diag {
	struct unix_entry *u;
	uint32_t n, cap;
};

static void add_entry(struct sock_diag *d, struct nlmsghdr *h)
{
	struct unix_diag_msg *m = NLMSG_DATA(h);
	struct rtattr *a = (struct rtattr *)(m + 1);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	struct unix_entry e = { .ino = m->udiag_ino, .state = m->udiag_state };

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= 4)
			e.peer = *(uint32_t *)RTA_DATA(a);
		else if (a->rta_type == UNIX_DIAG_RQLEN && RTA_PAYLOAD(a) >= (int)sizeof(struct unix_diag_rqlen)) {
			struct unix_diag_rqlen *q = RTA_DATA(a);

			e.rqueue = q->udiag_rqueue;
			e.wqueue = q->udiag_wqueue;
		} else if (a->rta_type == UNIX_DIAG_SHUTDOWN && RTA_PAYLOAD(a) >= 1) {
			e.shutdown = *(uint8_t *)RTA_DATA(a);
		}
	}
	if (d->n == d->cap) {
		struct unix_entry *q = realloc(d->u, (d->cap = d->cap ? 2 * d->cap : 64) * sizeof(*q));

		if (!q)
			return;
		d->u = q;
	}
	d->u[d->n++] = e;
}

struct sock_diag *sock_diag_open(void)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_UNIX, .udiag_states = ~0U,
		       .udiag_show = UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN },
	};
	struct sock_diag *d = calloc(1, sizeof(*d));
	static char buf[32768];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	bool done = false;

	if (!d || fd < 0 || send(fd, &req, sizeof(req), 0) != sizeof(req)) {
		pr_debug("state: no sock_diag for unix sockets: %s\n", strerror(errno));
		goto fail;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n <= 0)
			goto fail;
		for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				pr_debug("state: unix_diag: %s\n",
					 strerror(-((struct nlmsgerr *)NLMSG_DATA(h))->error));
				goto fail;
			}
			add_entry(d, h);
		}
	}
	close(fd);
	return d;
fail:
	if (fd >= 0)
		close(fd);
	sock_diag_close(d);
	return NULL;
}

void sock_diag_close(struct sock_diag *d)
{
	if (!d)
		return;
	free(d->u);
	free(d);
}

static const struct unix_entry *unix_find(const struct sock_diag *d, uint64_t ino)
{
	uint32_t i;

	for (i = 0; d && i < d->n; i++)
		if (d->u[i].ino == ino)
			return &d->u[i];
	return NULL;
}

static int opt(int fd, int level, int name)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, level, name, &v, &len) ? -1 : v;
}

void state_socket(struct sock_diag *d, int fd, uint64_t ino, struct ttrec_fd_socket *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	bool listening, connected;

	memset(s, 0, sizeof(*s));
	s->ino = ino;
	s->flags = TTREC_SOCK_INCOMPLETE;
	if (fd < 0)
		return;
	s->family = opt(fd, SOL_SOCKET, SO_DOMAIN);
	s->type = opt(fd, SOL_SOCKET, SO_TYPE);
	s->protocol = opt(fd, SOL_SOCKET, SO_PROTOCOL);
	if (opt(fd, SOL_SOCKET, SO_REUSEADDR) > 0)
		s->flags |= TTREC_SOCK_REUSEADDR;
	if (opt(fd, SOL_SOCKET, SO_REUSEPORT) > 0)
		s->flags |= TTREC_SOCK_REUSEPORT;
	if (s->family == AF_INET6 && opt(fd, IPPROTO_IPV6, IPV6_V6ONLY) > 0)
		s->flags |= TTREC_SOCK_V6ONLY;
	listening = opt(fd, SOL_SOCKET, SO_ACCEPTCONN) > 0;
	len = sizeof(ss);
	if (!getsockname(fd, (struct sockaddr *)&ss, &len) && len) {
		s->local_len = len < sizeof(s->local) ? len : sizeof(s->local);
		memcpy(s->local, &ss, s->local_len);
	}
	len = sizeof(ss);
	connected = !getpeername(fd, (struct sockaddr *)&ss, &len);
	if (connected && len) {
		s->peer_len = len < sizeof(s->peer) ? len : sizeof(s->peer);
		memcpy(s->peer, &ss, s->peer_len);
	}
	s->state = listening ? TCP_LISTEN_STATE : connected ? TCP_ESTABLISHED_STATE :
								  TCP_CLOSE_STATE;
	s->sock_state = connected && s->type != SOCK_DGRAM ? SS_CONNECTED : SS_UNCONNECTED;
	if ((s->family == AF_INET || s->family == AF_INET6) && s->protocol == IPPROTO_TCP) {
		struct tcp_info ti;

		len = sizeof(ti);
		if (!getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
			s->state = ti.tcpi_state;
			if (ti.tcpi_state == TCP_LISTEN_STATE) {
				s->queued = ti.tcpi_unacked;
				s->backlog = ti.tcpi_sacked;
			}
		}
	} else if (s->family == AF_UNIX) {
		const struct unix_entry *e = unix_find(d, ino);

		if (e) {
			s->flags &= ~TTREC_SOCK_INCOMPLETE;
			s->peer_ino = e->peer;
			s->state = e->state;
			s->shutdown = e->shutdown;
			if (e->state == TCP_LISTEN_STATE) {
				s->queued = e->rqueue;
				s->backlog = e->wqueue;
			}
		}
	}
}

/*
 * The messages queued for reading on unix socket @fd (a duplicate of the
 * target's), as TTREC_NT_FD_SOCK_QUEUE wants them, at most @max bytes of
 * data: peeked (MSG_PEEK) one after the other with SO_PEEK_OFF moving on,
 * the offset put back as it was afterwards. A message whose control data
 * did not fit our empty buffer (descriptors, credentials) is flagged
 * TTREC_SOCK_MSG_FDS; no descriptor is installed in ttrec by a peek that
 * has no room for it. *@out is malloc()ed (NULL when none); its length.
 */
size_t state_sock_queue(int fd, int type, size_t max, uint8_t **out, bool *cut)
{
	static uint8_t msg[1 << 17];
	const size_t hdr = sizeof(struct ttrec_fd_sock_msg);
	int old = -1, zero = 0;
	socklen_t olen = sizeof(old);
	uint8_t *buf = NULL;
	size_t len = 0, data = 0;

	*out = NULL;
	*cut = false;
	if (getsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &old, &olen) ||
	    setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)))
		return 0;
	for (;;) {
		struct iovec iov = { .iov_base = msg, .iov_len = sizeof(msg) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct ttrec_fd_sock_msg m = { 0 };
		ssize_t n = recvmsg(fd, &mh, MSG_PEEK | MSG_DONTWAIT |
				    (type == SOCK_STREAM ? 0 : MSG_TRUNC));
		uint8_t *p;

		if (n <= 0)
			break;
		m.len = n > (ssize_t)sizeof(msg) ? (uint32_t)sizeof(msg) : (uint32_t)n;
		if (mh.msg_flags & MSG_CTRUNC)
			m.flags |= TTREC_SOCK_MSG_FDS;
		if ((ssize_t)m.len < n)
			m.flags |= TTREC_SOCK_MSG_CUT;
		if (data + m.len > max) {
			m.len = max - data;
			m.flags |= TTREC_SOCK_MSG_CUT;
			*cut = true;
		}
		p = realloc(buf, len + hdr + (m.len + 7) / 8 * 8);
		if (!p)
			break;
		buf = p;
		memcpy(buf + len, &m, hdr);
		memcpy(buf + len + hdr, msg, m.len);
		memset(buf + len + hdr + m.len, 0, (m.len + 7) / 8 * 8 - m.len);
		len += hdr + (m.len + 7) / 8 * 8;
		data += m.len;
		if (*cut)
			break;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &old, sizeof(old)))
		pr_debug("state: cannot put a socket's peek offset back to %d: %s\n", old,
			 strerror(errno));
	*out = buf;
	return len;
}
