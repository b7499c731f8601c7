// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec.ko: the "ttrec" generic netlink family (session dump, events).
 * Runs as root in the test VM with ttrec.ko loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/ttrec.h>

/* The harness compares int literals with unsigned fields. */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "kmod_common.h"

#define EV_TIMEOUT_MS	20000

/* ---------------------------------------------------------------- helpers */

static uint64_t session_id(int sfd)
{
	struct ttrec_session_info info;

	if (ttrec_session_info(sfd, &info))
		return 0;
	return info.id;
}

static int wait_hup(int sfd)
{
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };

	return poll(&pfd, 1, EV_TIMEOUT_MS) == 1 && (pfd.revents & POLLHUP) ? 0 : -1;
}

static struct nl_sock *genl_sock(int *family)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk)
		return NULL;
	if (genl_connect(sk)) {
		nl_socket_free(sk);
		return NULL;
	}
	*family = genl_ctrl_resolve(sk, TTREC_GENL_NAME);
	if (*family < 0) {
		nl_socket_free(sk);
		return NULL;
	}
	nl_socket_disable_auto_ack(sk);
	return sk;
}

/* One session as GET_SESSIONS reports it. */
struct dumped {
	uint64_t id;
	uint32_t pid, state, exit_status, owner;
	uint64_t attach_ns;
	char comm[16];
	int have_all;
	int have_pages;		/* the TTREC_FEATURE_SNAP_DIFF attributes */
	uint64_t pages_held, page_budget;
	uint32_t nr_snapshots;
};

struct dump_ctx {
	struct dumped s[512];
	int n;
	int bad;
};

static int dump_cb(struct nl_msg *msg, void *arg)
{
	struct dump_ctx *ctx = arg;
	struct nlattr *tb[TTREC_A_MAX + 1];
	struct dumped *d;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TTREC_A_MAX, NULL) ||
	    genlmsg_hdr(nlmsg_hdr(msg))->cmd != TTREC_CMD_GET_SESSIONS ||
	    ctx->n >= (int)ARRAY_SIZE(ctx->s)) {
		ctx->bad++;
		return NL_SKIP;
	}
	d = &ctx->s[ctx->n++];
	memset(d, 0, sizeof(*d));
	d->have_all = tb[TTREC_A_SESSION_ID] && tb[TTREC_A_PID] &&
		      tb[TTREC_A_STATE] && tb[TTREC_A_EXIT_STATUS] &&
		      tb[TTREC_A_ATTACH_NS] && tb[TTREC_A_OWNER_PID] &&
		      tb[TTREC_A_COMM];
	if (!d->have_all)
		return NL_OK;
	d->id = nla_get_u64(tb[TTREC_A_SESSION_ID]);
	d->pid = nla_get_u32(tb[TTREC_A_PID]);
	d->state = nla_get_u32(tb[TTREC_A_STATE]);
	d->exit_status = nla_get_u32(tb[TTREC_A_EXIT_STATUS]);
	d->attach_ns = nla_get_u64(tb[TTREC_A_ATTACH_NS]);
	d->owner = nla_get_u32(tb[TTREC_A_OWNER_PID]);
	nla_strlcpy(d->comm, tb[TTREC_A_COMM], sizeof(d->comm));
	d->have_pages = tb[TTREC_A_PAGES_HELD] && tb[TTREC_A_PAGE_BUDGET] &&
			tb[TTREC_A_NR_SNAPSHOTS];
	if (d->have_pages) {
		d->pages_held = nla_get_u64(tb[TTREC_A_PAGES_HELD]);
		d->page_budget = nla_get_u64(tb[TTREC_A_PAGE_BUDGET]);
		d->nr_snapshots = nla_get_u32(tb[TTREC_A_NR_SNAPSHOTS]);
	}
	return NL_OK;
}

/* Returns 0 or a negative libnl error. */
static int dump_sessions(struct dump_ctx *ctx)
{
	struct nl_sock *sk;
	int family, ret;

	memset(ctx, 0, sizeof(*ctx));
	sk = genl_sock(&family);
	if (!sk)
		return -NLE_OBJ_NOTFOUND;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, dump_cb, ctx);
	ret = genl_send_simple(sk, family, TTREC_CMD_GET_SESSIONS,
			       TTREC_GENL_VERSION, NLM_F_DUMP);
	if (ret >= 0)
		ret = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	return ret < 0 ? ret : 0;
}

static struct dumped *find_dumped(struct dump_ctx *ctx, uint64_t id)
{
	int i;

	for (i = 0; i < ctx->n; i++)
		if (ctx->s[i].id == id)
			return &ctx->s[i];
	return NULL;
}

/* Events as the events group delivers them. */
struct event {
	uint32_t event, pid, exit_status;
	uint64_t id;
	int has_status;
	int has_snap;		/* TTREC_EVENT_SNAPSHOT attributes */
	uint64_t snap_id, pause_ns, pages_shared, pages_copied;
};

struct ev_ctx {
	struct event ev[256];
	int n;
	int bad;
};

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct ev_ctx *ctx = arg;
	struct nlattr *tb[TTREC_A_MAX + 1];
	struct event *e;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TTREC_A_MAX, NULL) ||
	    genlmsg_hdr(nlmsg_hdr(msg))->cmd != TTREC_CMD_EVENT ||
	    !tb[TTREC_A_EVENT] || !tb[TTREC_A_SESSION_ID] || !tb[TTREC_A_PID]) {
		ctx->bad++;
		return NL_SKIP;
	}
	if (ctx->n >= (int)ARRAY_SIZE(ctx->ev))
		return NL_SKIP;
	e = &ctx->ev[ctx->n++];
	memset(e, 0, sizeof(*e));
	e->event = nla_get_u32(tb[TTREC_A_EVENT]);
	e->id = nla_get_u64(tb[TTREC_A_SESSION_ID]);
	e->pid = nla_get_u32(tb[TTREC_A_PID]);
	e->has_status = !!tb[TTREC_A_EXIT_STATUS];
	if (e->has_status)
		e->exit_status = nla_get_u32(tb[TTREC_A_EXIT_STATUS]);
	e->has_snap = tb[TTREC_A_SNAP_ID] && tb[TTREC_A_PAUSE_NS] &&
		      tb[TTREC_A_PAGES_SHARED] && tb[TTREC_A_PAGES_COPIED];
	if (e->has_snap) {
		e->snap_id = nla_get_u64(tb[TTREC_A_SNAP_ID]);
		e->pause_ns = nla_get_u64(tb[TTREC_A_PAUSE_NS]);
		e->pages_shared = nla_get_u64(tb[TTREC_A_PAGES_SHARED]);
		e->pages_copied = nla_get_u64(tb[TTREC_A_PAGES_COPIED]);
	}
	return NL_OK;
}

static struct nl_sock *event_sock(struct ev_ctx *ctx)
{
	struct nl_sock *sk;
	int family, grp;

	memset(ctx, 0, sizeof(*ctx));
	sk = genl_sock(&family);
	if (!sk)
		return NULL;
	grp = genl_ctrl_resolve_grp(sk, TTREC_GENL_NAME, TTREC_GENL_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(sk, grp)) {
		nl_socket_free(sk);
		return NULL;
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, event_cb, ctx);
	nl_socket_set_nonblocking(sk);
	return sk;
}

/* Collect events for up to @timeout_ms or until @stop arrives for @id. */
static void collect_events(struct nl_sock *sk, struct ev_ctx *ctx,
			   uint64_t id, uint32_t stop, int timeout_ms)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
	int i, left = timeout_ms;

	while (left > 0) {
		for (i = 0; i < ctx->n; i++)
			if (ctx->ev[i].id == id && ctx->ev[i].event == stop)
				return;
		if (poll(&pfd, 1, 50) == 1)
			nl_recvmsgs_default(sk);
		else
			left -= 50;
	}
}

/* The events for session @id, in arrival order. */
static int events_for(struct ev_ctx *ctx, uint64_t id, struct event *out,
		      int max)
{
	int i, n = 0;

	for (i = 0; i < ctx->n && n < max; i++)
		if (ctx->ev[i].id == id)
			out[n++] = ctx->ev[i];
	return n;
}

FIXTURE(nl) {
	int dev;
	int go;
	pid_t child;
};

FIXTURE_SETUP(nl)
{
	self->go = -1;
	self->child = 0;
	self->dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", TTREC_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(nl)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->go >= 0)
		close(self->go);
	close(self->dev);
}

/* ---------------------------------------------------------------- tests */

TEST(family_and_events_group_resolve)
{
	struct nl_sock *sk;
	int family;

	sk = genl_sock(&family);
	ASSERT_NE(NULL, sk) TH_LOG("generic netlink family %s not found", TTREC_GENL_NAME);
	EXPECT_LT(0, family);
	EXPECT_LE(0, genl_ctrl_resolve_grp(sk, TTREC_GENL_NAME, TTREC_GENL_MCGRP_EVENTS));
	nl_socket_free(sk);
}

TEST_F(nl, dump_lists_open_session_and_not_closed_one)
{
	struct dump_ctx *ctx = calloc(1, sizeof(*ctx));
	struct dumped *d;
	uint64_t id;
	int sfd;

	ASSERT_NE(NULL, ctx);
	self->child = spawn_child("ttrec-nl-kid", &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	id = session_id(sfd);
	ASSERT_NE(0, id);

	ASSERT_EQ(0, dump_sessions(ctx));
	EXPECT_EQ(0, ctx->bad);
	d = find_dumped(ctx, id);
	ASSERT_NE(NULL, d) TH_LOG("session %llu not in the dump (%d sessions)",
				  (unsigned long long)id, ctx->n);
	EXPECT_TRUE(d->have_all);
	EXPECT_EQ((uint32_t)self->child, d->pid);
	EXPECT_EQ(TTREC_SESSION_LIVE, d->state);
	EXPECT_EQ(0, d->exit_status);
	EXPECT_EQ((uint32_t)getpid(), d->owner);
	EXPECT_LT(0, d->attach_ns);
	EXPECT_STREQ("ttrec-nl-kid", d->comm);

	/* After the exit the dump shows the status; after close, nothing. */
	ASSERT_EQ(0, release_child(self->go));
	ASSERT_EQ(0, wait_hup(sfd));
	ASSERT_EQ(0, dump_sessions(ctx));
	d = find_dumped(ctx, id);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(TTREC_SESSION_EXITED, d->state);
	EXPECT_EQ(0, d->exit_status);

	close(sfd);
	ASSERT_EQ(0, dump_sessions(ctx));
	EXPECT_EQ(NULL, find_dumped(ctx, id));
	free(ctx);
}

TEST_F(nl, dump_spans_several_messages)
{
	struct dump_ctx *ctx = calloc(1, sizeof(*ctx));
	enum { N = 300 };
	uint64_t ids[N];
	int sfd[N], i, found = 0, j;

	ASSERT_NE(NULL, ctx);
	self->child = spawn_child("ttrec-nl-kid", &self->go, 0);
	ASSERT_LT(0, self->child);
	for (i = 0; i < N; i++) {
		sfd[i] = ttrec_attach(self->dev, self->child, 0);
		ASSERT_LE(0, sfd[i]);
		ids[i] = session_id(sfd[i]);
	}
	ASSERT_EQ(0, dump_sessions(ctx));
	EXPECT_EQ(0, ctx->bad);
	for (i = 0; i < N; i++) {
		int seen = 0;

		for (j = 0; j < ctx->n; j++)
			seen += ctx->s[j].id == ids[i];
		EXPECT_EQ(1, seen) TH_LOG("session %llu seen %d times",
					  (unsigned long long)ids[i], seen);
		found += seen == 1;
	}
	EXPECT_EQ(N, found);
	for (i = 0; i < N; i++)
		close(sfd[i]);
	free(ctx);
}

TEST_F(nl, events_opened_exited_closed_in_order)
{
	struct ev_ctx *ctx = calloc(1, sizeof(*ctx));
	struct event mine[8];
	struct nl_sock *sk;
	uint64_t id;
	int sfd, n;

	ASSERT_NE(NULL, ctx);
	sk = event_sock(ctx);
	ASSERT_NE(NULL, sk);
	self->child = spawn_child("ttrec-nl-kid", &self->go, 7);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	id = session_id(sfd);
	ASSERT_EQ(0, release_child(self->go));
	ASSERT_EQ(0, wait_hup(sfd));
	close(sfd);

	collect_events(sk, ctx, id, TTREC_EVENT_SESSION_CLOSED, EV_TIMEOUT_MS);
	EXPECT_EQ(0, ctx->bad);
	n = events_for(ctx, id, mine, 8);
	ASSERT_EQ(3, n);
	EXPECT_EQ(TTREC_EVENT_SESSION_OPENED, mine[0].event);
	EXPECT_EQ(TTREC_EVENT_TARGET_EXITED, mine[1].event);
	EXPECT_EQ(TTREC_EVENT_SESSION_CLOSED, mine[2].event);
	EXPECT_EQ((uint32_t)self->child, mine[0].pid);
	EXPECT_EQ((uint32_t)self->child, mine[1].pid);
	EXPECT_EQ((uint32_t)self->child, mine[2].pid);
	EXPECT_TRUE(mine[1].has_status);
	EXPECT_TRUE(WIFEXITED(mine[1].exit_status));
	EXPECT_EQ(7, WEXITSTATUS(mine[1].exit_status));
	EXPECT_FALSE(mine[0].has_status);
	EXPECT_FALSE(mine[2].has_status);
	nl_socket_free(sk);
	free(ctx);
}

TEST_F(nl, events_close_before_exit_has_no_exit_event)
{
	struct ev_ctx *ctx = calloc(1, sizeof(*ctx));
	struct event mine[8];
	struct nl_sock *sk;
	uint64_t id;
	int sfd, n;

	ASSERT_NE(NULL, ctx);
	sk = event_sock(ctx);
	ASSERT_NE(NULL, sk);
	self->child = spawn_child("ttrec-nl-kid", &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	id = session_id(sfd);
	close(sfd);
	ASSERT_EQ(0, release_child(self->go));
	ASSERT_EQ(self->child, waitpid(self->child, NULL, 0));
	self->child = 0;

	collect_events(sk, ctx, id, TTREC_EVENT_SESSION_CLOSED, EV_TIMEOUT_MS);
	collect_events(sk, ctx, id, ~0u, 300);	/* anything late */
	n = events_for(ctx, id, mine, 8);
	ASSERT_EQ(2, n);
	EXPECT_EQ(TTREC_EVENT_SESSION_OPENED, mine[0].event);
	EXPECT_EQ(TTREC_EVENT_SESSION_CLOSED, mine[1].event);
	nl_socket_free(sk);
	free(ctx);
}

TEST_F(nl, killed_target_event_has_signal_status)
{
	struct ev_ctx *ctx = calloc(1, sizeof(*ctx));
	struct event mine[8];
	struct nl_sock *sk;
	uint64_t id;
	int sfd, n;

	ASSERT_NE(NULL, ctx);
	sk = event_sock(ctx);
	ASSERT_NE(NULL, sk);
	self->child = spawn_child("ttrec-nl-kid", &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	id = session_id(sfd);
	ASSERT_EQ(0, kill(self->child, SIGKILL));
	collect_events(sk, ctx, id, TTREC_EVENT_TARGET_EXITED, EV_TIMEOUT_MS);
	n = events_for(ctx, id, mine, 8);
	ASSERT_EQ(2, n);
	EXPECT_EQ(TTREC_EVENT_TARGET_EXITED, mine[1].event);
	EXPECT_TRUE(WIFSIGNALED(mine[1].exit_status));
	EXPECT_EQ(SIGKILL, WTERMSIG(mine[1].exit_status));
	close(sfd);
	nl_socket_free(sk);
	free(ctx);
}

static uint64_t copied(const struct ttrec_snapshot_args *a)
{
	return a->counts.pages_copied_pinned + a->counts.pages_copied_huge +
	       a->counts.pages_copied_shared + a->counts.pages_copied_swap;
}

/*
 * One TTREC_EVENT_SNAPSHOT per snapshot taken, between OPENED and CLOSED,
 * with what TTREC_IOC_SNAPSHOT returned; none for a failed one.
 */
TEST_F(nl, events_snapshot_between_opened_and_closed)
{
	struct ev_ctx *ctx = calloc(1, sizeof(*ctx));
	struct ttrec_snapshot_args a[2], failed;
	struct event mine[8];
	struct nl_sock *sk;
	uint64_t id;
	int sfd, snap[2], n, i;

	ASSERT_NE(NULL, ctx);
	sk = event_sock(ctx);
	ASSERT_NE(NULL, sk);
	self->child = spawn_child("ttrec-nl-kid", &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	id = session_id(sfd);
	for (i = 0; i < 2; i++) {
		snap[i] = ttrec_snapshot(sfd, &a[i]);
		ASSERT_LE(0, snap[i]);
	}
	ASSERT_EQ(0, write_param("max_snapshot_pages", "1"));
	errno = 0;
	EXPECT_EQ(-1, ttrec_snapshot(sfd, &failed));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, write_param("max_snapshot_pages", "262144"));
	close(snap[0]);
	close(snap[1]);
	close(sfd);

	collect_events(sk, ctx, id, TTREC_EVENT_SESSION_CLOSED, EV_TIMEOUT_MS);
	EXPECT_EQ(0, ctx->bad);
	n = events_for(ctx, id, mine, 8);
	ASSERT_EQ(4, n);
	EXPECT_EQ(TTREC_EVENT_SESSION_OPENED, mine[0].event);
	EXPECT_FALSE(mine[0].has_snap);
	for (i = 0; i < 2; i++) {
		struct event *e = &mine[1 + i];

		EXPECT_EQ(TTREC_EVENT_SNAPSHOT, e->event);
		EXPECT_EQ((uint32_t)self->child, e->pid);
		ASSERT_TRUE(e->has_snap);
		EXPECT_FALSE(e->has_status);
		EXPECT_EQ(a[i].id, e->snap_id);
		EXPECT_EQ(a[i].pause_ns, e->pause_ns);
		EXPECT_EQ(a[i].counts.pages_shared, e->pages_shared);
		EXPECT_EQ(copied(&a[i]), e->pages_copied);
		/* Plausible: a live process holds some pages; a pause. */
		EXPECT_LT(0, e->pages_shared);
		EXPECT_LT(0, e->pause_ns);
		EXPECT_GT(10000000000ULL, e->pause_ns);
	}
	EXPECT_LT(mine[1].snap_id, mine[2].snap_id);
	EXPECT_EQ(TTREC_EVENT_SESSION_CLOSED, mine[3].event);
	EXPECT_FALSE(mine[3].has_snap);
	nl_socket_free(sk);
	free(ctx);
}

/* GET_SESSIONS reports the page accounting SESSION_INFO reports. */
TEST_F(nl, dump_reports_snapshot_pages)
{
	struct dump_ctx *ctx = calloc(1, sizeof(*ctx));
	struct ttrec_session_info info;
	struct ttrec_snapshot_args a;
	struct dumped *d;
	uint64_t id;
	int sfd, snap;

	ASSERT_NE(NULL, ctx);
	self->child = spawn_child("ttrec-nl-kid", &self->go, 0);
	ASSERT_LT(0, self->child);
	sfd = ttrec_attach(self->dev, self->child, 0);
	ASSERT_LE(0, sfd);
	id = session_id(sfd);
	ASSERT_EQ(0, dump_sessions(ctx));
	d = find_dumped(ctx, id);
	ASSERT_NE(NULL, d);
	ASSERT_TRUE(d->have_pages);
	EXPECT_EQ(0, d->pages_held);
	EXPECT_EQ(0, d->nr_snapshots);
	EXPECT_EQ(262144, d->page_budget);

	snap = ttrec_snapshot(sfd, &a);
	ASSERT_LE(0, snap);
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioctl(sfd, TTREC_IOC_SESSION_INFO, &info));
	ASSERT_EQ(0, dump_sessions(ctx));
	d = find_dumped(ctx, id);
	ASSERT_NE(NULL, d);
	ASSERT_TRUE(d->have_pages);
	EXPECT_EQ(info.pages_held, d->pages_held);
	EXPECT_EQ(a.counts.pages_shared + copied(&a), d->pages_held);
	EXPECT_EQ(1, d->nr_snapshots);
	EXPECT_EQ(info.page_budget, d->page_budget);

	ASSERT_EQ(0, write_param("max_snapshot_pages", "5000"));
	close(snap);
	ASSERT_EQ(0, dump_sessions(ctx));
	ASSERT_EQ(0, write_param("max_snapshot_pages", "262144"));
	d = find_dumped(ctx, id);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(0, d->pages_held);
	EXPECT_EQ(0, d->nr_snapshots);
	EXPECT_EQ(5000, d->page_budget);
	close(sfd);
	free(ctx);
}

TEST(dump_request_with_attributes_is_refused)
{
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, ret;

	sk = genl_sock(&family);
	ASSERT_NE(NULL, sk);
	msg = nlmsg_alloc();
	ASSERT_NE(NULL, msg);
	ASSERT_NE(NULL, genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				    NLM_F_DUMP, TTREC_CMD_GET_SESSIONS,
				    TTREC_GENL_VERSION));
	ASSERT_EQ(0, nla_put_u32(msg, TTREC_A_PID, 1));
	ASSERT_LE(0, nl_send_auto(sk, msg));
	ret = nl_recvmsgs_default(sk);
	EXPECT_EQ(-NLE_INVAL, ret) TH_LOG("%s", nl_geterror(ret));
	nlmsg_free(msg);

	/* An unknown command. */
	ret = genl_send_simple(sk, family, TTREC_CMD_MAX + 1, TTREC_GENL_VERSION, 0);
	ASSERT_LE(0, ret);
	ret = nl_recvmsgs_default(sk);
	EXPECT_EQ(-NLE_OPNOTSUPP, ret) TH_LOG("%s", nl_geterror(ret));
	nl_socket_free(sk);
}

/* In a child turned nobody: run @what, return its result as exit status. */
static int as_nobody(int what)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct nl_sock *sk;
		int family, grp, ret;
		struct dump_ctx *ctx;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(50);
		if (what == 0) {
			ctx = calloc(1, sizeof(*ctx));
			ret = ctx ? dump_sessions(ctx) : 0;
			_exit(ret == -NLE_PERM ? 0 : 51);
		}
		sk = genl_sock(&family);
		if (!sk)
			_exit(52);
		grp = genl_ctrl_resolve_grp(sk, TTREC_GENL_NAME, TTREC_GENL_MCGRP_EVENTS);
		if (grp < 0)
			_exit(53);
		ret = nl_socket_add_membership(sk, grp);
		_exit(ret == -NLE_PERM ? 0 : 54);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(dump_needs_cap_net_admin)
{
	EXPECT_EQ(0, as_nobody(0));
}

TEST(events_group_needs_cap_net_admin)
{
	EXPECT_EQ(0, as_nobody(1));
}

TEST_HARNESS_MAIN
