// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec restore of sockets, end to end, in the shape of restore.c's cases:
 * workloads/rs_sock builds its sockets and says "ready", ttrec snapshot
 * takes an image (from ttrec.ko in the VM, without it on the host), the
 * workload is killed, ttrec restore brings it back with "check" on its
 * stdin, and the restored workload verifies its sockets and prints PASS
 * only after every check. Servers say "serving" once their listeners
 * checked out; the test then connects a new client to each and expects
 * its answer.
 */
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "piped.h"
#include "snapcli.h"

struct wl {
	pid_t pid;
	FILE *in, *out;
	char ready[256];	/* its "ready ..." line */
};

/* Start workloads/rs_sock ARGS with pipes on stdin and stdout; wait for "ready". */
static int wl_start(struct wl *w, const char *args)
{
	char cmd[PATH_MAX + 600];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };

	memset(w, 0, sizeof(*w));
	snprintf(cmd, sizeof(cmd), "exec %s/rs_sock %s", wl_dir, args);
	w->pid = spawn_piped(argv, &w->in, &w->out);
	if (w->pid < 0)
		return -1;
	while (fgets(w->ready, sizeof(w->ready), w->out))
		if (!strncmp(w->ready, "ready", 5))
			return 0;
	return -1;
}

static void wl_kill(struct wl *w)
{
	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		waitpid(w->pid, NULL, 0);
		w->pid = 0;
	}
	if (w->in)
		fclose(w->in);
	if (w->out)
		fclose(w->out);
	w->in = w->out = NULL;
}

FIXTURE(rsk) {
	char dir[64];
	struct cmd_out c;
	struct wl w;
	pid_t r;		/* a restore in the background */
	FILE *rin, *rout;
	char out[8192];		/* its stdout, as read so far */
};

FIXTURE_SETUP(rsk)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/ttrec-rsock-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	chmod(self->dir, 0755);
	memset(&self->c, 0, sizeof(self->c));
	memset(&self->w, 0, sizeof(self->w));
	self->r = 0;
	self->rin = self->rout = NULL;
	self->out[0] = 0;
}

FIXTURE_TEARDOWN(rsk)
{
	struct cmd_out c;

	if (self->r > 0) {
		kill(self->r, SIGKILL);
		waitpid(self->r, NULL, 0);
	}
	if (self->rin)
		fclose(self->rin);
	if (self->rout)
		fclose(self->rout);
	wl_kill(&self->w);
	cmd_out_free(&self->c);
	sh(&c, "rm -rf %s", self->dir);
	cmd_out_free(&c);
}

#define NEED_ROOT() do { if (geteuid()) SKIP(return, "restore needs root"); } while (0)

#define SNAPSHOT() do {									\
	cmd_out_free(&self->c);								\
	ASSERT_EQ(0, sh(&self->c, "%s snapshot %d -o %s/a.img -q", ttrec_bin,		\
			self->w.pid, self->dir));					\
	ASSERT_EQ(0, self->c.status) TH_LOG("snapshot: %s", self->c.err);		\
} while (0)

/* Restore DIR/a.img with @opts, "@input" on its stdin; the output in self->c. */
#define RESTORE(opts, input) do {							\
	cmd_out_free(&self->c);								\
	ASSERT_EQ(0, sh(&self->c, "printf '%s\\n' | %s restore %s %s/a.img", input,	\
			ttrec_bin, opts, self->dir));					\
} while (0)

#define EXPECT_PASS(out, err, status) do {						\
	EXPECT_EQ(0, status) TH_LOG("restore: %s\nout: %s", err, out);			\
	EXPECT_NE(NULL, strstr(out, "PASS")) TH_LOG("out: %s\nerr: %s", out, err);	\
	EXPECT_EQ(NULL, strstr(out, "FAIL")) TH_LOG("out: %s\nerr: %s", out, err);	\
} while (0)

/*
 * `ttrec restore DIR/a.img` in the background, "check" on its stdin, its
 * stdout on a pipe (self->rout), its stderr into DIR/err.
 */
static int restore_bg(FIXTURE_DATA(rsk) *self, const char *opts)
{
	char cmd[PATH_MAX + 600];
	int pi[2], po[2];

	if (pipe(pi) || pipe(po))
		return -1;
	snprintf(cmd, sizeof(cmd), "exec %s restore %s %s/a.img 2> %s/err", ttrec_bin, opts,
		 self->dir, self->dir);
	self->r = fork();
	if (self->r == 0) {
		dup2(pi[0], 0);
		dup2(po[1], 1);
		close(pi[1]);
		close(po[0]);
		execl("/bin/sh", "sh", "-c", cmd, NULL);
		_exit(127);
	}
	close(pi[0]);
	close(po[1]);
	self->rin = fdopen(pi[1], "w");
	self->rout = fdopen(po[0], "r");
	fprintf(self->rin, "check\n");
	fflush(self->rin);
	return self->r > 0 ? 0 : -1;
}

/* Read the restored workload's stdout until a line starting with @what. */
static bool restored_says(FIXTURE_DATA(rsk) *self, const char *what)
{
	char line[512];

	while (fgets(line, sizeof(line), self->rout)) {
		strncat(self->out, line, sizeof(self->out) - strlen(self->out) - 1);
		if (!strncmp(line, what, strlen(what)))
			return true;
	}
	return false;
}

/* The rest of its stdout, its exit status, its stderr in self->c.err. */
static int restore_end(FIXTURE_DATA(rsk) *self)
{
	struct cmd_out c;
	int st;

	restored_says(self, "\1");
	fclose(self->rin);
	self->rin = NULL;
	if (waitpid(self->r, &st, 0) != self->r)
		return -1;
	self->r = 0;
	cmd_out_free(&self->c);
	sh(&c, "cat %s/err", self->dir);
	self->c = c;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A new client of @sa: "ping @tag" sent, "pong @tag" expected. 0 or -errno. */
static int ping(const struct sockaddr *sa, socklen_t len, int type, const char *tag)
{
	struct timeval tv = { .tv_sec = 30 };
	char buf[64], want[64];
	int fd = socket(sa->sa_family, type | SOCK_CLOEXEC, 0), err = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	snprintf(want, sizeof(want), "ping %s\n", tag);
	if (connect(fd, sa, len) || send(fd, want, strlen(want), MSG_NOSIGNAL) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	snprintf(want, sizeof(want), "pong %s\n", tag);
	if (n < 0)
		err = -errno;
	else if (n != (ssize_t)strlen(want) || memcmp(buf, want, n))
		err = -EBADMSG;
out:
	close(fd);
	return err;
}

static int ping_inet(int family, const char *addr, int port, const char *tag)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (family == AF_INET6) {
		inet_pton(AF_INET6, addr, &sin6.sin6_addr);
		return ping((struct sockaddr *)&sin6, sizeof(sin6), SOCK_STREAM, tag);
	}
	inet_pton(AF_INET, addr, &sin.sin_addr);
	return ping((struct sockaddr *)&sin, sizeof(sin), SOCK_STREAM, tag);
}

static int ping_unix(const char *name, bool abstract, int type, const char *tag)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;

	if (abstract) {
		memcpy(sun.sun_path + 1, name, strlen(name));
		len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	} else {
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", name);
		len = sizeof(sun);
	}
	return ping((struct sockaddr *)&sun, len, type, tag);
}

TEST_F(rsk, tcp_listeners_ipv4_ipv6_serve_a_new_client)
{
	int port4, port6, st;

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "tcp"));
	ASSERT_EQ(2, sscanf(self->w.ready, "ready %d %d", &port4, &port6));
	SNAPSHOT();
	wl_kill(&self->w);
	ASSERT_EQ(0, restore_bg(self, ""));
	ASSERT_TRUE(restored_says(self, "serving")) TH_LOG("out: %s", self->out);
	EXPECT_EQ(0, ping_inet(AF_INET, "127.0.0.1", port4, "v4"));
	EXPECT_EQ(0, ping_inet(AF_INET6, "::1", port6, "v6"));
	st = restore_end(self);
	EXPECT_PASS(self->out, self->c.err, st);
	EXPECT_NE(NULL, strstr(self->out, "info tcp4 served v4")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "info tcp6 served v6")) TH_LOG("%s", self->out);
}

TEST_F(rsk, unix_listeners_path_abstract_relative_serve_a_new_client)
{
	char path[128], name[64];
	struct stat sb;
	int st;

	NEED_ROOT();
	snprintf(path, sizeof(path), "unix %s", self->dir);
	ASSERT_EQ(0, wl_start(&self->w, path));
	ASSERT_EQ(1, sscanf(self->w.ready, "ready %63s", name));
	SNAPSHOT();
	wl_kill(&self->w);
	/* the dead original's socket file is still there: replaced */
	snprintf(path, sizeof(path), "%s/srv", self->dir);
	ASSERT_EQ(0, lstat(path, &sb));
	ASSERT_TRUE(S_ISSOCK(sb.st_mode));
	ASSERT_EQ(0, restore_bg(self, ""));
	ASSERT_TRUE(restored_says(self, "serving")) TH_LOG("out: %s", self->out);
	EXPECT_EQ(0, ping_unix(path, false, SOCK_STREAM, "path"));
	EXPECT_EQ(0, ping_unix(name, true, SOCK_SEQPACKET, "abstract"));
	/* bound as "rel" from DIR: there again, not in the restore's cwd */
	snprintf(path, sizeof(path), "%s/rel", self->dir);
	EXPECT_EQ(0, ping_unix(path, false, SOCK_STREAM, "relative"));
	st = restore_end(self);
	EXPECT_PASS(self->out, self->c.err, st);
	EXPECT_NE(NULL, strstr(self->out, "info unix path served path")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "info unix abstract served abstract")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "info unix relative served relative")) TH_LOG("%s", self->out);
}

TEST_F(rsk, udp_bound_receives_a_datagram_sent_after_restore)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int port, fd, st;

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "udp"));
	ASSERT_EQ(1, sscanf(self->w.ready, "ready %d", &port));
	SNAPSHOT();
	wl_kill(&self->w);
	ASSERT_EQ(0, restore_bg(self, ""));
	ASSERT_TRUE(restored_says(self, "serving")) TH_LOG("out: %s", self->out);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	EXPECT_EQ(5, sendto(fd, "hello", 5, 0, (struct sockaddr *)&sin, sizeof(sin)));
	close(fd);
	st = restore_end(self);
	EXPECT_PASS(self->out, self->c.err, st);
}

TEST_F(rsk, connected_client_whose_server_is_gone_comes_back_reset_and_warned)
{
	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "client"));
	SNAPSHOT();
	wl_kill(&self->w);	/* its server child dies with it */
	RESTORE("", "check");
	EXPECT_PASS(self->c.out, self->c.err, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "TCP socket 127.0.0.1:")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "unix stream socket unix:unnamed connected to unix:@ttrec-rs-client-"))
		TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "its peer is gone")) TH_LOG("%s", self->c.err);
}

TEST_F(rsk, socketpairs_inside_the_process_work_after_restore)
{
	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "pair"));
	SNAPSHOT();
	wl_kill(&self->w);
	RESTORE("", "check");
	EXPECT_PASS(self->c.out, self->c.err, self->c.status);
	EXPECT_EQ(NULL, strstr(self->c.err, "peer is gone")) TH_LOG("%s", self->c.err);
}

/* ---------------------------------------------------------------- errors */

/*
 * The original still runs: --pidns gives the restore its pids, not another
 * network namespace, so the port is the original's.
 */
TEST_F(rsk, error_port_in_use_by_the_running_original)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char want[64];
	int port4, port6, fd;

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "tcp"));
	ASSERT_EQ(2, sscanf(self->w.ready, "ready %d %d", &port4, &port6));
	SNAPSHOT();
	RESTORE("--pidns", "check");
	EXPECT_EQ(1, self->c.status) TH_LOG("out: %s\nerr: %s", self->c.out, self->c.err);
	snprintf(want, sizeof(want), "127.0.0.1:%d is in use", port4);
	EXPECT_NE(NULL, strstr(self->c.err, want)) TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
	/* the original is untouched */
	EXPECT_EQ(0, kill(self->w.pid, 0));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	sin.sin_port = htons(port4);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	EXPECT_EQ(0, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));	/* its listener */
	close(fd);
}

TEST_F(rsk, error_unix_path_now_not_a_socket)
{
	char args[128];

	NEED_ROOT();
	snprintf(args, sizeof(args), "unix %s", self->dir);
	ASSERT_EQ(0, wl_start(&self->w, args));
	SNAPSHOT();
	wl_kill(&self->w);
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "rm %s/srv && echo data > %s/srv", self->dir, self->dir));
	RESTORE("", "check");
	EXPECT_EQ(1, self->c.status) TH_LOG("out: %s\nerr: %s", self->c.out, self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "/srv again: the path exists and is not a socket"))
		TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
}

/* A netlink socket: listed among the kinds restore cannot make; /dev/null with --skip-unsupported. */
TEST_F(rsk, error_netlink_socket_unsupported_then_skipped)
{
	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "netlink"));
	SNAPSHOT();
	wl_kill(&self->w);
	RESTORE("", "check");
	EXPECT_EQ(1, self->c.status) TH_LOG("out: %s\nerr: %s", self->c.out, self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "cannot be re-created")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "9")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "a socket ttrec cannot re-create")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
	RESTORE("--skip-unsupported", "check");
	EXPECT_PASS(self->c.out, self->c.err, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "becomes /dev/null")) TH_LOG("%s", self->c.err);
}

TEST_HARNESS_MAIN
