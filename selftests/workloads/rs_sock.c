// SPDX-License-Identifier: GPL-2.0
/*
 * Restore workload: sockets.
 *
 *   rs_sock MODE [DIR]
 *
 * MODE:
 *   tcp      TCP listeners on 127.0.0.1 (SO_REUSEADDR, backlog 7) and on
 *            ::1 (SO_REUSEADDR, IPV6_V6ONLY, O_NONBLOCK, backlog 5), ports
 *            of the kernel's choosing
 *   unix     unix listeners: stream at DIR/srv (backlog 3), seqpacket at
 *            an abstract name (O_NONBLOCK), stream at "rel" bound with DIR
 *            as the cwd
 *   udp      a UDP socket bound to 127.0.0.1 (a port of the kernel's
 *            choosing); a second one connected to it; an IPv6 one bound to
 *            ::1, connected to nothing
 *   client   a TCP connection and a unix stream connection to servers in a
 *            child process that dies with us (PR_SET_PDEATHSIG)
 *   pair     unix socketpairs of each type (stream: a dup of one end), with
 *            data unread in each (a stream partly read, two seqpacket
 *            messages, a datagram),
 *            another stream pair with one end shut for writing, an
 *            unbound TCP socket and an unbound UDP/IPv6 one
 *   netlink  a NETLINK_ROUTE socket at fd 9, a kind restore cannot make
 *
 * Prints "ready ARGS" (tcp: "ready PORT4 PORT6", unix: "ready NAME",
 * udp: "ready PORT"), then reads commands:
 *   check    every socket as it was built (family, type, address,
 *            listening, options, flags); then by MODE: tcp and unix print
 *            "serving" and answer one client on each listener ("ping X":
 *            "pong X"); udp prints "serving" and waits for a datagram
 *            "hello" on the bound socket, then sends one through the
 *            connected socket; client checks that each connection's peer
 *            is gone (TCP: ECONNRESET, then EOF, then EPIPE; unix: the
 *            "bye" the server sent and we had not read, EOF, then EPIPE); pair sends both ways through each pair; netlink
 *            checks that fd 9 is open (/dev/null after --skip-unsupported). PASS or
 *            FAIL lines, then exit
 *   exit
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/netlink.h>

#include "rs_common.h"

#define DIE(...) do { printf("FAIL " __VA_ARGS__); printf(" (%s)\n", strerror(errno)); exit(1); } while (0)

static const char *mode, *dir;
static int tcp4, tcp6, un_path, un_abs, un_rel, udp, udp_conn, udp6;
static int cl_tcp, cl_unix, pr_s[2], pr_shut[2], pr_q[2], pr_d[2], pr_dup, bare_tcp, bare_udp6;
static int port4, port6, port_udp;
static char abs_name[64];

static int opt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	return getsockopt(fd, level, name, &v, &len) ? -1 : v;
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
						((struct sockaddr_in *)&ss)->sin_port);
}

static int inet_sock(int family, int type, const char *addr, int reuse, int v6only)
{
	struct sockaddr_storage ss = { .ss_family = family };
	int fd = socket(family, type, 0);

	if (fd < 0)
		DIE("socket");
	if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse)))
		DIE("SO_REUSEADDR");
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)))
		DIE("IPV6_V6ONLY");
	if (!addr)
		return fd;
	if (family == AF_INET6)
		inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr);
	else
		inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr);
	if (bind(fd, (struct sockaddr *)&ss, family == AF_INET6 ? sizeof(struct sockaddr_in6) :
								   sizeof(struct sockaddr_in)))
		DIE("bind %s", addr);
	return fd;
}

static socklen_t unix_addr(struct sockaddr_un *sun, const char *name, bool abstract)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (abstract) {
		memcpy(sun->sun_path + 1, name, strlen(name));
		return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	}
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", name);
	return offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1;
}

static int unix_listener(int type, const char *name, bool abstract, int backlog)
{
	struct sockaddr_un sun;
	socklen_t len = unix_addr(&sun, name, abstract);
	int fd = socket(AF_UNIX, type, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) || listen(fd, backlog))
		DIE("unix listener %s", name);
	return fd;
}

/* ---------------------------------------------------------------- build */

static void build_tcp(void)
{
	tcp4 = inet_sock(AF_INET, SOCK_STREAM, "127.0.0.1", 1, 0);
	tcp6 = inet_sock(AF_INET6, SOCK_STREAM, "::1", 1, 1);
	if (listen(tcp4, 7) || listen(tcp6, 5))
		DIE("listen");
	fcntl(tcp6, F_SETFL, O_NONBLOCK);
	port4 = port_of(tcp4);
	port6 = port_of(tcp6);
	printf("ready %d %d\n", port4, port6);
}

static void build_unix(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/srv", dir);
	snprintf(abs_name, sizeof(abs_name), "ttrec-rs-sock-%d", getpid());
	un_path = unix_listener(SOCK_STREAM, path, false, 3);
	un_abs = unix_listener(SOCK_SEQPACKET, abs_name, true, 4);
	/* bound by a relative path, from DIR: the image's cwd */
	if (chdir(dir))
		DIE("chdir %s", dir);
	un_rel = unix_listener(SOCK_STREAM, "rel", false, 2);
	fcntl(un_abs, F_SETFL, O_NONBLOCK);
	printf("ready %s\n", abs_name);
}

static void build_udp(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	udp = inet_sock(AF_INET, SOCK_DGRAM, "127.0.0.1", 0, 0);
	port_udp = port_of(udp);
	udp_conn = inet_sock(AF_INET, SOCK_DGRAM, NULL, 0, 0);
	sin.sin_port = htons(port_udp);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(udp_conn, (struct sockaddr *)&sin, sizeof(sin)))
		DIE("connect udp");
	udp6 = inet_sock(AF_INET6, SOCK_DGRAM, "::1", 0, 0);
	printf("ready %d\n", port_udp);
}

/* Servers in a child that dies with us: a TCP and a unix stream one. */
static void build_client(void)
{
	int l4 = inet_sock(AF_INET, SOCK_STREAM, "127.0.0.1", 0, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_un sun;
	socklen_t len;
	int lu, ready[2];
	pid_t pid;
	char c;

	snprintf(abs_name, sizeof(abs_name), "ttrec-rs-client-%d", getpid());
	lu = unix_listener(SOCK_STREAM, abs_name, true, 2);
	if (listen(l4, 2) || pipe(ready))
		DIE("listen");
	pid = fork();
	if (pid == 0) {
		int a, b;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(0);
		a = accept(l4, NULL, NULL);
		b = accept(lu, NULL, NULL);
		if (a < 0 || b < 0)
			_exit(1);
		/* said to the client, unread when it is snapshotted */
		if (send(b, "bye", 3, 0) != 3 || write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port_of(l4));
	cl_tcp = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(cl_tcp, (struct sockaddr *)&sin, sizeof(sin)))
		DIE("connect tcp");
	len = unix_addr(&sun, abs_name, true);
	cl_unix = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(cl_unix, (struct sockaddr *)&sun, len))
		DIE("connect unix");
	if (read(ready[0], &c, 1) != 1)
		DIE("server child");
	close(ready[0]);
	close(l4);
	close(lu);
	printf("ready %d\n", pid);
}

static void build_pair(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		DIE("socketpair");
	pr_s[0] = sv[0];
	pr_s[1] = sv[1];
	pr_dup = dup(sv[0]);
	/* another stream pair, one end shut for writing */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pr_shut) || shutdown(pr_shut[0], SHUT_WR))
		DIE("socketpair");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pr_q))
		DIE("socketpair seqpacket");
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pr_d))
		DIE("socketpair dgram");
	fcntl(pr_d[1], F_SETFL, O_NONBLOCK);
	/* unread data in each pair: a stream partly read, messages */
	if (send(pr_s[0], "XYqueued-s", 10, 0) != 10 || recv(pr_s[1], sv, 2, 0) != 2 ||
	    send(pr_s[1], "back-s", 6, 0) != 6 || send(pr_q[0], "m1", 2, 0) != 2 ||
	    send(pr_q[0], "msg2", 4, 0) != 4 || send(pr_d[0], "d1", 2, 0) != 2)
		DIE("queueing data");
	bare_tcp = socket(AF_INET, SOCK_STREAM, 0);
	bare_udp6 = socket(AF_INET6, SOCK_DGRAM, 0);
	if (bare_tcp < 0 || bare_udp6 < 0)
		DIE("socket");
	printf("ready\n");
}

static void build_netlink(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);

	if (fd < 0 || dup2(fd, 9) != 9)
		DIE("netlink socket");
	close(fd);
	printf("ready\n");
}

/* ---------------------------------------------------------------- check */

static void expect(bool ok, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (ok)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rs_fail("%s", buf);
}

static void check_sock(const char *name, int fd, int family, int type, int listening)
{
	expect(opt(fd, SOL_SOCKET, SO_DOMAIN) == family, "%s: family %d", name,
	       opt(fd, SOL_SOCKET, SO_DOMAIN));
	expect(opt(fd, SOL_SOCKET, SO_TYPE) == type, "%s: type %d", name,
	       opt(fd, SOL_SOCKET, SO_TYPE));
	expect(opt(fd, SOL_SOCKET, SO_ACCEPTCONN) == listening, "%s: listening %d", name,
	       opt(fd, SOL_SOCKET, SO_ACCEPTCONN));
}

static bool nonblocking(int fd)
{
	return fcntl(fd, F_GETFL) & O_NONBLOCK;
}

/* A listener's backlog, from TCP_INFO (tcpi_sacked of a listener). */
static int tcp_backlog(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ? -1 : (int)ti.tcpi_sacked;
}

/* Accept one client on @l (waiting for it), read "ping X", answer "pong X". */
static void serve_one(const char *name, int l, bool packet)
{
	struct pollfd p = { .fd = l, .events = POLLIN };
	char buf[64], out[80];
	ssize_t n;
	int c;

	if (poll(&p, 1, 20000) != 1) {
		rs_fail("%s: no client came", name);
		return;
	}
	c = accept(l, NULL, NULL);
	if (c < 0) {
		rs_fail("%s: accept: %s", name, strerror(errno));
		return;
	}
	p.fd = c;
	n = poll(&p, 1, 20000) == 1 ? recv(c, buf, sizeof(buf) - 1, 0) : -1;
	if (n < 5 || strncmp(buf, "ping ", 5)) {
		rs_fail("%s: the client said %zd bytes", name, n);
		close(c);
		return;
	}
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	n = snprintf(out, sizeof(out), "pong %s\n", buf + 5);
	if (send(c, out, n, MSG_NOSIGNAL) != n)
		rs_fail("%s: answer: %s", name, strerror(errno));
	printf("info %s served %s%s\n", name, buf + 5, packet ? " (seqpacket)" : "");
	fflush(stdout);
	close(c);
}

static void check_tcp(void)
{
	check_sock("tcp4", tcp4, AF_INET, SOCK_STREAM, 1);
	check_sock("tcp6", tcp6, AF_INET6, SOCK_STREAM, 1);
	expect(port_of(tcp4) == port4, "tcp4: port %d, not %d", port_of(tcp4), port4);
	expect(port_of(tcp6) == port6, "tcp6: port %d, not %d", port_of(tcp6), port6);
	expect(opt(tcp4, SOL_SOCKET, SO_REUSEADDR) == 1, "tcp4: SO_REUSEADDR off");
	expect(opt(tcp6, SOL_SOCKET, SO_REUSEADDR) == 1, "tcp6: SO_REUSEADDR off");
	expect(opt(tcp6, IPPROTO_IPV6, IPV6_V6ONLY) == 1, "tcp6: IPV6_V6ONLY off");
	expect(tcp_backlog(tcp4) == 7, "tcp4: backlog %d, not 7", tcp_backlog(tcp4));
	expect(tcp_backlog(tcp6) == 5, "tcp6: backlog %d, not 5", tcp_backlog(tcp6));
	expect(!nonblocking(tcp4), "tcp4: O_NONBLOCK");
	expect(nonblocking(tcp6), "tcp6: not O_NONBLOCK");
	if (rs_failures)
		return;
	printf("serving\n");
	fflush(stdout);
	serve_one("tcp4", tcp4, false);
	serve_one("tcp6", tcp6, false);
}

static void check_unix(void)
{
	struct sockaddr_un sun, want;
	socklen_t len = sizeof(sun), wlen;
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/srv", dir);
	check_sock("unix path", un_path, AF_UNIX, SOCK_STREAM, 1);
	check_sock("unix abstract", un_abs, AF_UNIX, SOCK_SEQPACKET, 1);
	wlen = unix_addr(&want, path, false);
	expect(!getsockname(un_path, (struct sockaddr *)&sun, &len) && len == wlen &&
	       !memcmp(&sun, &want, len), "unix path: bound to another address");
	expect(!stat(path, &st) && S_ISSOCK(st.st_mode), "unix path: %s is not a socket", path);
	len = sizeof(sun);
	wlen = unix_addr(&want, abs_name, true);
	expect(!getsockname(un_abs, (struct sockaddr *)&sun, &len) && len == wlen &&
	       !memcmp(&sun, &want, len), "unix abstract: bound to another address");
	len = sizeof(sun);
	wlen = unix_addr(&want, "rel", false);
	expect(!getsockname(un_rel, (struct sockaddr *)&sun, &len) && len == wlen &&
	       !memcmp(&sun, &want, len), "unix relative: bound to another address");
	check_sock("unix relative", un_rel, AF_UNIX, SOCK_STREAM, 1);
	expect(!nonblocking(un_path), "unix path: O_NONBLOCK");
	expect(nonblocking(un_abs), "unix abstract: not O_NONBLOCK");
	if (rs_failures)
		return;
	printf("serving\n");
	fflush(stdout);
	serve_one("unix path", un_path, false);
	serve_one("unix abstract", un_abs, true);
	serve_one("unix relative", un_rel, false);
}

static void check_udp(void)
{
	struct pollfd p = { .fd = udp, .events = POLLIN };
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char buf[64];
	ssize_t n;

	check_sock("udp", udp, AF_INET, SOCK_DGRAM, 0);
	check_sock("udp connected", udp_conn, AF_INET, SOCK_DGRAM, 0);
	check_sock("udp6", udp6, AF_INET6, SOCK_DGRAM, 0);
	expect(port_of(udp) == port_udp, "udp: port %d, not %d", port_of(udp), port_udp);
	expect(port_of(udp6) > 0, "udp6: not bound");
	expect(!getpeername(udp_conn, (struct sockaddr *)&sin, &len) &&
	       ntohs(sin.sin_port) == port_udp, "udp connected: not connected to our port");
	if (rs_failures)
		return;
	printf("serving\n");
	fflush(stdout);
	n = poll(&p, 1, 20000) == 1 ? recv(udp, buf, sizeof(buf) - 1, 0) : -1;
	expect(n == 5 && !memcmp(buf, "hello", 5), "udp: received %zd bytes, not hello", n);
	/* through the connected socket, to the bound one */
	expect(send(udp_conn, "again", 5, 0) == 5, "udp connected: send: %s", strerror(errno));
	n = poll(&p, 1, 5000) == 1 ? recv(udp, buf, sizeof(buf) - 1, 0) : -1;
	expect(n == 5 && !memcmp(buf, "again", 5), "udp: from the connected one: %zd bytes", n);
}

/* A read that may not block: -errno, 0 or the bytes. */
static ssize_t try_read(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

	return n < 0 ? -errno : n;
}

static void check_client(void)
{
	char buf[16];
	ssize_t n;

	check_sock("tcp client", cl_tcp, AF_INET, SOCK_STREAM, 0);
	check_sock("unix client", cl_unix, AF_UNIX, SOCK_STREAM, 0);
	n = try_read(cl_tcp);
	expect(n == -ECONNRESET, "tcp client: first read %zd, not -ECONNRESET", n);
	n = try_read(cl_tcp);
	expect(n == 0, "tcp client: second read %zd, not EOF", n);
	n = send(cl_tcp, "x", 1, MSG_NOSIGNAL) < 0 ? -errno : 1;
	expect(n == -EPIPE, "tcp client: write %zd, not -EPIPE", n);
	n = recv(cl_unix, buf, sizeof(buf), MSG_DONTWAIT);
	expect(n == 3 && !memcmp(buf, "bye", 3), "unix client: the unread bye: %zd bytes", n);
	n = try_read(cl_unix);
	expect(n == 0, "unix client: read %zd, not EOF", n);
	n = send(cl_unix, "x", 1, MSG_NOSIGNAL) < 0 ? -errno : 1;
	expect(n == -EPIPE, "unix client: write %zd, not -EPIPE", n);
}

/* @a to @b and back: "abc" each way. */
static void pair_works(const char *name, int a, int b)
{
	char buf[8];

	expect(send(a, "abc", 3, MSG_NOSIGNAL) == 3, "%s: send: %s", name, strerror(errno));
	expect(recv(b, buf, sizeof(buf), MSG_DONTWAIT) == 3 && !memcmp(buf, "abc", 3),
	       "%s: nothing came through", name);
	expect(send(b, "xyz", 3, MSG_NOSIGNAL) == 3, "%s: send back: %s", name, strerror(errno));
	expect(recv(a, buf, sizeof(buf), MSG_DONTWAIT) == 3 && !memcmp(buf, "xyz", 3),
	       "%s: nothing came back", name);
}

/* The next message on @fd is @want (without waiting). */
static void expect_msg(const char *name, int fd, const char *want)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	expect(n == (ssize_t)strlen(want) && !memcmp(buf, want, n), "%s: %zd bytes, not %s", name,
	       n, want);
}

static void check_pair(void)
{
	struct stat s1, s2;
	char c;

	check_sock("pair stream", pr_s[0], AF_UNIX, SOCK_STREAM, 0);
	check_sock("pair seqpacket", pr_q[0], AF_UNIX, SOCK_SEQPACKET, 0);
	check_sock("pair dgram", pr_d[1], AF_UNIX, SOCK_DGRAM, 0);
	check_sock("bare tcp", bare_tcp, AF_INET, SOCK_STREAM, 0);
	check_sock("bare udp6", bare_udp6, AF_INET6, SOCK_DGRAM, 0);
	expect(port_of(bare_tcp) == 0 && port_of(bare_udp6) == 0, "bare sockets: bound");
	expect(!fstat(pr_s[0], &s1) && !fstat(pr_dup, &s2) && s1.st_ino == s2.st_ino,
	       "pair stream: the dup is another socket");
	expect(nonblocking(pr_d[1]) && !nonblocking(pr_d[0]), "pair dgram: O_NONBLOCK");
	expect_msg("pair stream: unread", pr_s[1], "queued-s");
	expect_msg("pair stream: unread back", pr_s[0], "back-s");
	expect_msg("pair seqpacket: unread 1", pr_q[1], "m1");
	expect_msg("pair seqpacket: unread 2", pr_q[1], "msg2");
	expect_msg("pair dgram: unread", pr_d[1], "d1");
	pair_works("pair stream", pr_s[0], pr_s[1]);
	pair_works("pair stream (dup)", pr_dup, pr_s[1]);
	pair_works("pair seqpacket", pr_q[0], pr_q[1]);
	pair_works("pair dgram", pr_d[0], pr_d[1]);
	/* the shut pair: EOF one way, bytes the other, EPIPE writing the shut end */
	expect(recv(pr_shut[1], &c, 1, MSG_DONTWAIT) == 0, "shut pair: no EOF");
	expect(send(pr_shut[1], "q", 1, MSG_NOSIGNAL) == 1 &&
	       recv(pr_shut[0], &c, 1, MSG_DONTWAIT) == 1 && c == 'q', "shut pair: no bytes back");
	expect(send(pr_shut[0], "q", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE,
	       "shut pair: writing the shut end works");
}

int main(int argc, char **argv)
{
	char line[256];

	if (argc < 2) {
		fprintf(stderr, "usage: rs_sock tcp|unix DIR|udp|client|pair|netlink\n");
		return 2;
	}
	mode = argv[1];
	dir = argc > 2 ? argv[2] : "/tmp";
	if (!strcmp(mode, "tcp"))
		build_tcp();
	else if (!strcmp(mode, "unix"))
		build_unix();
	else if (!strcmp(mode, "udp"))
		build_udp();
	else if (!strcmp(mode, "client"))
		build_client();
	else if (!strcmp(mode, "pair"))
		build_pair();
	else if (!strcmp(mode, "netlink"))
		build_netlink();
	else
		DIE("mode %s", mode);
	fflush(stdout);
	while (!rs_command(line, sizeof(line))) {
		if (!strcmp(line, "exit"))
			return 0;
		if (strcmp(line, "check"))
			continue;
		if (!strcmp(mode, "tcp"))
			check_tcp();
		else if (!strcmp(mode, "unix"))
			check_unix();
		else if (!strcmp(mode, "udp"))
			check_udp();
		else if (!strcmp(mode, "client"))
			check_client();
		else if (!strcmp(mode, "pair"))
			check_pair();
		else
			expect(fcntl(9, F_GETFD) >= 0, "netlink: fd 9 is closed");
		return rs_verdict();
	}
	return 1;
}
