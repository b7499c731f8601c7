// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets of the image, made again in ttrec itself; the descriptor
 * framework (fds.c) moves each into the stub at its number with its flags
 * and O_NONBLOCK. From the image's struct ttrec_fd_socket:
 *
 *   - listeners (TCP over IPv4/IPv6, unix stream and seqpacket): the same
 *     family, type and protocol, SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY,
 *     bound to the recorded address and listening with the recorded
 *     backlog. A unix path whose file is a socket is replaced (the old
 *     socket file belongs to the dead original); one that is something
 *     else is refused. A relative path is bound from the image's cwd. An
 *     address in use (the original still runs) is an error naming it.
 *     Connections that waited for accept() in the image are lost: said.
 *   - datagram sockets (UDP, unix): bound to their address when they had
 *     one, and connected to their peer's address again when they had one
 *     that can be named.
 *   - unix socketpairs with both ends in the image (one end's peer inode
 *     is the other's): a socketpair again, what each end had not read
 *     queued on it again (the image's TTREC_NT_FD_SOCK_QUEUE: messages,
 *     without the descriptors they may have carried), shut down as they
 *     were.
 *   - connected stream sockets whose peer is not in the image (TCP: every
 *     connection, since a TCP connection cannot be taken over; unix: a
 *     peer in another process): a socket whose peer is gone, named in a
 *     warning. TCP: a loopback connection of ours reset by its other end
 *     (SO_LINGER 0): the first read or write fails with ECONNRESET, then
 *     reads give 0 (EOF) and writes EPIPE. Unix stream and seqpacket: one
 *     end of a socketpair whose other end is closed, its unread bytes
 *     queued first: reads give them, then EOF; writes EPIPE.
 *   - sockets of no address and no peer: just created.
 *   - other families (netlink, packet, ...) and types (raw): -EOPNOTSUPP,
 *     which fds.c reports among the kinds it cannot re-create.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "restore/internal.h"
#include "lib/log.h"

/* sk_state values the image records (include/net/tcp_states.h) */
#define ST_ESTABLISHED	1
#define ST_CLOSE	7
#define ST_LISTEN	10

/* shutdown bits the image records (include/net/sock.h) */
#define RCV_SHUT	1
#define SEND_SHUT	2

/* How long a reset takes to reach our end over loopback, at most. */
#define RESET_WAIT_MS	2000

static const char *kind_name(const struct ttrec_fd_socket *s)
{
	if (s->family == AF_UNIX)
		return s->type == SOCK_STREAM ? "unix stream" :
		       s->type == SOCK_SEQPACKET ? "unix seqpacket" :
		       s->type == SOCK_DGRAM ? "unix datagram" : "unix";
	if (s->type == SOCK_STREAM)
		return s->family == AF_INET6 ? "TCP/IPv6" : "TCP";
	return s->family == AF_INET6 ? "UDP/IPv6" : "UDP";
}

static const char *local_str(char *buf, const struct ttrec_fd_socket *s)
{
	return state_sockaddr_str(buf, STATE_SOCKADDR_STR, s->local, s->local_len);
}

static const char *peer_str(char *buf, const struct ttrec_fd_socket *s)
{
	return state_sockaddr_str(buf, STATE_SOCKADDR_STR, s->peer, s->peer_len);
}

/* ------------------------------------------------ sockets made so far */

/* A socket made for image inode @ino (a copy kept until rst_sockets_done()). */
static int remember(struct rst *r, uint64_t ino, int fd)
{
	struct rst_sock_made *m;
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (copy < 0)
		return -errno;
	m = realloc(r->socks, (r->nr_socks + 1) * sizeof(*m));
	if (!m) {
		close(copy);
		return -ENOMEM;
	}
	r->socks = m;
	m[r->nr_socks++] = (struct rst_sock_made){ .ino = ino, .fd = copy };
	return 0;
}

/* A new descriptor of the socket made for @ino, or -1 when none was. */
static int made(const struct rst *r, uint64_t ino)
{
	for (uint32_t i = 0; ino && i < r->nr_socks; i++)
		if (r->socks[i].ino == ino)
			return fcntl(r->socks[i].fd, F_DUPFD_CLOEXEC, 3);
	return -1;
}

void rst_sockets_done(struct rst *r)
{
	for (uint32_t i = 0; i < r->nr_socks; i++)
		close(r->socks[i].fd);
	free(r->socks);
	r->socks = NULL;
	r->nr_socks = 0;
}

/* The image's socket whose inode is @ino, other than @self. */
static const struct img_fd *image_socket(const struct rst *r, const struct img_fd *self,
					 uint64_t ino)
{
	const struct img_state *st = img_state(r->im);

	for (uint32_t i = 0; st && ino && i < st->nr_fds; i++) {
		const struct img_fd *f = &st->fds[i];

		if (f != self && (f->has & IMG_FD_HAS_SOCKET) && f->sock.ino == ino)
			return f;
	}
	return NULL;
}

/* ------------------------------------------------------------ pieces */

static int new_socket(const struct img_fd *f)
{
	const struct ttrec_fd_socket *s = &f->sock;
	int fd = socket(s->family, s->type | SOCK_CLOEXEC, s->protocol);

	if (fd < 0) {
		int err = -errno;

		pr_err("restore: fd %d: cannot create a %s socket: %s\n", f->h.fd, kind_name(s),
		       strerror(errno));
		return err;
	}
	return fd;
}

static int set_opt(const struct img_fd *f, int fd, int level, int name, int v,
		   const char *what)
{
	if (!setsockopt(fd, level, name, &v, sizeof(v)))
		return 0;
	pr_err("restore: fd %d: %s: %s\n", f->h.fd, what, strerror(errno));
	return -errno;
}

/* The options the image records, before bind(). */
static int set_opts(const struct img_fd *f, int fd)
{
	const struct ttrec_fd_socket *s = &f->sock;
	int err = 0;

	if (s->flags & TTREC_SOCK_REUSEADDR)
		err = set_opt(f, fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (!err && (s->flags & TTREC_SOCK_REUSEPORT))
		err = set_opt(f, fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
	/* explicitly either way: the default is the bindv6only sysctl's */
	if (!err && s->family == AF_INET6)
		err = set_opt(f, fd, IPPROTO_IPV6, IPV6_V6ONLY,
			      !!(s->flags & TTREC_SOCK_V6ONLY), "IPV6_V6ONLY");
	return err;
}

/* Did the socket have an address of its own (a port, a unix name)? */
static bool has_address(const struct ttrec_fd_socket *s)
{
	if (s->family == AF_INET && s->local_len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		memcpy(&sin, s->local, sizeof(sin));
		return sin.sin_port || sin.sin_addr.s_addr != htonl(INADDR_ANY);
	}
	if (s->family == AF_INET6 && s->local_len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, s->local, sizeof(sin6));
		return sin6.sin6_port || !IN6_IS_ADDR_UNSPECIFIED(&sin6.sin6_addr);
	}
	return s->family == AF_UNIX && s->local_len > offsetof(struct sockaddr_un, sun_path);
}

/*
 * A unix socket file at the path of @sun: replaced when it is a socket
 * (the original's, bound by the process being restored), refused when it
 * is anything else.
 */
static int unix_path_free(const struct img_fd *f, const struct sockaddr_un *sun)
{
	struct stat st;

	if (lstat(sun->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		pr_err("restore: fd %d: cannot bind unix socket %s again: the path exists and is not a socket\n",
		       f->h.fd, sun->sun_path);
		return -EEXIST;
	}
	if (unlink(sun->sun_path)) {
		int err = -errno;

		pr_err("restore: fd %d: cannot replace the socket file %s: %s\n", f->h.fd,
		       sun->sun_path, strerror(errno));
		return err;
	}
	return 0;
}

static int bind_unix(struct rst *r, const struct img_fd *f, int fd)
{
	const struct ttrec_fd_socket *s = &f->sock;
	const struct img_state *st = img_state(r->im);
	struct sockaddr_un sun = { 0 };
	bool relative;
	int here = -1, err;

	memcpy(&sun, s->local, s->local_len < sizeof(sun) ? s->local_len : sizeof(sun));
	relative = sun.sun_path[0] && sun.sun_path[0] != '/';
	if (relative && st && st->proc.cwd) {
		/* bound relative to the process's cwd: the image's is the best guess */
		here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (here < 0 || chdir(st->proc.cwd)) {
			err = -errno;
			pr_err("restore: fd %d: unix socket %s is relative; cannot enter %s: %s\n",
			       f->h.fd, sun.sun_path, st->proc.cwd, strerror(errno));
			goto out;
		}
	}
	if (sun.sun_path[0]) {
		err = unix_path_free(f, &sun);
		if (err)
			goto out;
	}
	err = bind(fd, (struct sockaddr *)&sun, s->local_len) ? -errno : 0;
out:
	if (here >= 0) {
		if (fchdir(here))
			pr_warn("restore: cannot return to ttrec's directory: %s\n", strerror(errno));
		close(here);
	}
	return err;
}

/* bind() to the recorded address; an address in use said in words. */
static int bind_recorded(struct rst *r, const struct img_fd *f, int fd)
{
	const struct ttrec_fd_socket *s = &f->sock;
	char a[STATE_SOCKADDR_STR];
	int err;

	if (s->family == AF_UNIX)
		err = bind_unix(r, f, fd);
	else
		err = bind(fd, (const struct sockaddr *)s->local, s->local_len) ? -errno : 0;
	if (err == -EADDRINUSE)
		pr_err("restore: fd %d: %s address %s is in use (the snapshotted process still running, or another one): stop it, or restore elsewhere\n",
		       f->h.fd, kind_name(s), local_str(a, s));
	else if (err && err != -EEXIST)
		pr_err("restore: fd %d: cannot bind a %s socket to %s: %s\n", f->h.fd,
		       kind_name(s), local_str(a, s), strerror(-err));
	return err;
}

static int do_listen(struct rst *r, const struct img_fd *f, int fd)
{
	const struct ttrec_fd_socket *s = &f->sock;
	char a[STATE_SOCKADDR_STR];
	int backlog = s->backlog;

	if (!backlog && (s->flags & TTREC_SOCK_INCOMPLETE))
		backlog = SOMAXCONN;	/* not known (no unix_diag at the snapshot) */
	if (listen(fd, backlog)) {
		int err = -errno;

		pr_err("restore: fd %d: listen() on %s: %s\n", f->h.fd, local_str(a, s),
		       strerror(errno));
		return err;
	}
	if (s->queued)
		pr_warn("restore: fd %d: %u connection(s) waiting for accept() on %s in the image are lost\n",
			f->h.fd, s->queued, local_str(a, s));
	rst_note(r, "fd %d: %s listening on %s, backlog %d\n", f->h.fd, kind_name(s),
		 local_str(a, s), backlog);
	return 0;
}

static int do_connect(const struct img_fd *f, int fd)
{
	const struct ttrec_fd_socket *s = &f->sock;
	char a[STATE_SOCKADDR_STR];

	if (!connect(fd, (const struct sockaddr *)s->peer, s->peer_len))
		return 0;
	pr_err("restore: fd %d: cannot connect the %s socket to %s again: %s\n", f->h.fd,
	       kind_name(s), peer_str(a, s), strerror(errno));
	return -errno;
}

/*
 * The messages the image queued for reading on @f's socket, sent through
 * @to, the other end of its new socketpair, so that they wait there again.
 */
static int queue_again(const struct img_fd *f, int to)
{
	uint32_t off = 0, n = 0, fds = 0;

	if (!(f->has & IMG_FD_HAS_SOCK_QUEUE))
		return 0;
	while (off < f->sock_queue_len) {
		struct ttrec_fd_sock_msg m;

		memcpy(&m, f->sock_queue + off, sizeof(m));
		if (send(to, f->sock_queue + off + sizeof(m), m.len, MSG_NOSIGNAL | MSG_DONTWAIT) !=
		    (ssize_t)m.len) {
			int err = -errno;

			pr_err("restore: fd %d: cannot queue its unread message %u (%u bytes) again: %s\n",
			       f->h.fd, n + 1, m.len, strerror(errno));
			return err ? err : -EIO;
		}
		fds += !!(m.flags & TTREC_SOCK_MSG_FDS);
		off += sizeof(m) + (m.len + 7) / 8 * 8;
		n++;
	}
	if (fds)
		pr_warn("restore: fd %d: %u of its unread messages came with descriptors or credentials, which the image does not hold: queued without them\n",
			f->h.fd, fds);
	if (f->h.flags & TTREC_FDF_TRUNCATED)
		pr_warn("restore: fd %d: the image holds only part of its unread data (max_snapshot_fd_data)\n",
			f->h.fd);
	return 0;
}

/* Every recorded shutdown() of @fd's end of a pair (@peer: the other's record). */
static int pair_shutdown(int fd, const struct ttrec_fd_socket *s, const struct ttrec_fd_socket *peer)
{
	int how = -1;

	if (s->shutdown & SEND_SHUT)
		how = SHUT_WR;
	/* our receive side shut by ourselves, not by the peer's SHUT_WR */
	if ((s->shutdown & RCV_SHUT) && !(peer->shutdown & SEND_SHUT))
		how = how == SHUT_WR ? SHUT_RDWR : SHUT_RD;
	return how >= 0 && shutdown(fd, how) ? -errno : 0;
}

static void warn_reset(const struct img_fd *f, const char *what, bool *warned)
{
	const struct ttrec_fd_socket *s = &f->sock;
	char l[STATE_SOCKADDR_STR], p[STATE_SOCKADDR_STR];

	pr_warn("restore: fd %d: %s socket %s connected to %s: its peer is gone; it comes back as a socket whose peer %s\n",
		f->h.fd, kind_name(s), local_str(l, s), s->peer_len ? peer_str(p, s) :
		s->peer_ino ? "a socket outside the image" : "an unknown peer", what);
	*warned = true;
}

/*
 * A TCP socket of @family whose peer has reset the connection: a loopback
 * connection of ours, its accepted end closed with SO_LINGER 0 (an RST).
 */
static int tcp_reset_socket(const struct img_fd *f, int family)
{
	struct sockaddr_storage ss = { .ss_family = family };
	socklen_t len = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct pollfd pfd = { .events = POLLIN };
	int l = -1, c = -1, a = -1, err = 0;

	if (family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	else
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&ss, len) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&ss, &len) ||
	    connect(c, (struct sockaddr *)&ss, len) ||
	    (a = accept4(l, NULL, NULL, SOCK_CLOEXEC)) < 0 ||
	    setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))) {
		err = -errno;
		goto fail;
	}
	close(a);		/* the RST */
	a = -1;
	pfd.fd = c;
	if (poll(&pfd, 1, RESET_WAIT_MS) != 1 || !(pfd.revents & (POLLERR | POLLHUP))) {
		err = -ETIMEDOUT;
		goto fail;
	}
	close(l);
	return c;
fail:
	pr_err("restore: fd %d: cannot make a reset TCP socket over loopback (%s): %s\n", f->h.fd,
	       family == AF_INET6 ? "::1" : "127.0.0.1", strerror(-err));
	if (a >= 0)
		close(a);
	if (l >= 0)
		close(l);
	if (c >= 0)
		close(c);
	return err;
}

/*
 * A unix socket of @type whose peer has closed: a socketpair's end, what
 * it had not read yet queued on it first.
 */
static int unix_closed_peer(const struct img_fd *f, int type)
{
	int sv[2], err;

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv)) {
		err = -errno;
		pr_err("restore: fd %d: socketpair(): %s\n", f->h.fd, strerror(errno));
		return err;
	}
	err = queue_again(f, sv[1]);
	close(sv[1]);
	if (err) {
		close(sv[0]);
		return err;
	}
	return sv[0];
}

/* ----------------------------------------------------------- by kind */

static int inet_socket(struct rst *r, const struct img_fd *f, bool *warned)
{
	const struct ttrec_fd_socket *s = &f->sock;
	int fd, err;

	if (s->type == SOCK_STREAM && s->state != ST_LISTEN && s->state != ST_CLOSE &&
	    s->peer_len) {
		fd = tcp_reset_socket(f, s->family);
		if (fd >= 0)
			warn_reset(f, "reset the connection (ECONNRESET once, then EOF and EPIPE)",
				   warned);
		return fd;
	}
	fd = new_socket(f);
	if (fd < 0)
		return fd;
	err = set_opts(f, fd);
	if (!err && has_address(s))
		err = bind_recorded(r, f, fd);
	if (!err && s->type == SOCK_STREAM && s->state == ST_LISTEN)
		err = do_listen(r, f, fd);
	if (!err && s->type == SOCK_DGRAM && s->peer_len)
		err = do_connect(f, fd);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* Does a unix peer address name something we can connect to again? */
static bool unix_peer_named(const struct ttrec_fd_socket *s)
{
	return s->peer_len > offsetof(struct sockaddr_un, sun_path);
}

static int unix_socket(struct rst *r, const struct img_fd *f, bool *warned)
{
	const struct ttrec_fd_socket *s = &f->sock;
	bool connected = s->peer_ino || s->peer_len || s->state == ST_ESTABLISHED;
	const struct img_fd *peer;
	int fd, err;

	if (s->state == ST_LISTEN || !connected) {
		fd = new_socket(f);
		if (fd < 0)
			return fd;
		err = has_address(s) ? bind_recorded(r, f, fd) : 0;
		if (!err && s->state == ST_LISTEN)
			err = do_listen(r, f, fd);
		if (err) {
			close(fd);
			return err;
		}
		return fd;
	}
	peer = image_socket(r, f, s->peer_ino);
	if (peer && peer->sock.family == AF_UNIX && peer->sock.type == s->type) {
		int sv[2];

		if (socketpair(AF_UNIX, s->type | SOCK_CLOEXEC, 0, sv)) {
			err = -errno;
			pr_err("restore: fd %d: socketpair(): %s\n", f->h.fd, strerror(errno));
			return err;
		}
		err = queue_again(f, sv[1]);
		if (!err)
			err = queue_again(peer, sv[0]);
		if (!err)
			err = pair_shutdown(sv[0], s, &peer->sock);
		if (!err)
			err = pair_shutdown(sv[1], &peer->sock, s);
		if (!err)
			err = remember(r, peer->sock.ino, sv[1]);
		close(sv[1]);
		if (err) {
			pr_err("restore: fd %d: the socketpair with fd %d: %s\n", f->h.fd,
			       peer->h.fd, strerror(-err));
			close(sv[0]);
			return err;
		}
		rst_note(r, "fd %d: %s socketpair with fd %d\n", f->h.fd, kind_name(s), peer->h.fd);
		return sv[0];
	}
	if (s->type == SOCK_DGRAM && unix_peer_named(s)) {
		fd = new_socket(f);
		if (fd < 0)
			return fd;
		err = has_address(s) ? bind_recorded(r, f, fd) : 0;
		if (!err)
			err = do_connect(f, fd);
		if (err) {
			close(fd);
			return err;
		}
		return fd;
	}
	fd = unix_closed_peer(f, s->type);
	if (fd >= 0)
		warn_reset(f, s->type == SOCK_DGRAM ? "is gone (writes fail with ECONNREFUSED)" :
			   "closed it (reads give EOF, writes EPIPE)", warned);
	return fd;
}

int rst_fd_socket(struct rst *r, const struct img_fd *f, bool *warned)
{
	const struct ttrec_fd_socket *s = &f->sock;
	int fd;

	if (!(f->has & IMG_FD_HAS_SOCKET)) {
		pr_err("restore: fd %d: a socket the image says nothing more of\n", f->h.fd);
		return -EOPNOTSUPP;
	}
	/* a descriptor of a socket made already (dup(), or a pair's other end) */
	fd = made(r, s->ino);
	if (fd >= 0)
		return fd;
	if (s->local_len > sizeof(s->local) || s->peer_len > sizeof(s->peer)) {
		pr_err("restore: fd %d: the image's socket addresses are damaged\n", f->h.fd);
		return -EBADMSG;
	}
	switch (s->family) {
	case AF_UNIX:
		if (s->type != SOCK_STREAM && s->type != SOCK_SEQPACKET && s->type != SOCK_DGRAM)
			break;
		fd = unix_socket(r, f, warned);
		goto made;
	case AF_INET:
	case AF_INET6:
		if (!(s->type == SOCK_STREAM && s->protocol == IPPROTO_TCP) &&
		    !(s->type == SOCK_DGRAM && s->protocol == IPPROTO_UDP))
			break;
		fd = inet_socket(r, f, warned);
		goto made;
	}
	pr_debug("restore: fd %d: socket family %u type %u protocol %u: not re-created\n",
		 f->h.fd, s->family, s->type, s->protocol);
	return -EOPNOTSUPP;
made:
	if (fd >= 0 && s->ino) {
		int err = remember(r, s->ino, fd);

		if (err) {
			close(fd);
			return err;
		}
	}
	return fd;
}
