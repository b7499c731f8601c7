// SPDX-License-Identifier: GPL-2.0
/* Client of the ttrec generic-netlink family (libnl-genl-3). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "lib/log.h"
#include "lib/util.h"
#include "module/module.h"

static struct nla_policy attr_policy[TTREC_A_MAX + 1] = {
	[TTREC_A_SESSION_ID]	= { .type = NLA_U64 },
	[TTREC_A_PID]		= { .type = NLA_U32 },
	[TTREC_A_STATE]		= { .type = NLA_U32 },
	[TTREC_A_EXIT_STATUS]	= { .type = NLA_U32 },
	[TTREC_A_ATTACH_NS]	= { .type = NLA_U64 },
	[TTREC_A_OWNER_PID]	= { .type = NLA_U32 },
	[TTREC_A_COMM]		= { .type = NLA_STRING },
	[TTREC_A_EVENT]		= { .type = NLA_U32 },
	[TTREC_A_SNAP_ID]	= { .type = NLA_U64 },
	[TTREC_A_PAUSE_NS]	= { .type = NLA_U64 },
	[TTREC_A_PAGES_SHARED]	= { .type = NLA_U64 },
	[TTREC_A_PAGES_COPIED]	= { .type = NLA_U64 },
	[TTREC_A_PAGES_HELD]	= { .type = NLA_U64 },
	[TTREC_A_PAGE_BUDGET]	= { .type = NLA_U64 },
	[TTREC_A_NR_SNAPSHOTS]	= { .type = NLA_U32 },
};

static int nl_err(int nlerr)
{
	switch (-nlerr) {
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_PERM:		return -EPERM;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_AGAIN:		return -EAGAIN;
	default:		return -EIO;
	}
}

/* Connect a generic-netlink socket; *family gets the ttrec family id. */
static struct nl_sock *genl_open(int *family, int *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret;

	if (!sk) {
		*err = -ENOMEM;
		return NULL;
	}
	ret = genl_connect(sk);
	if (ret < 0)
		goto free_sock;
	ret = genl_ctrl_resolve(sk, TTREC_GENL_NAME);
	if (ret < 0)
		goto free_sock;
	*family = ret;
	return sk;

free_sock:
	*err = nl_err(ret);
	nl_socket_free(sk);
	return NULL;
}

struct dump_ctx {
	struct ttrec_nl_session *v;
	int n, cap, err;
};

static int session_cb(struct nl_msg *msg, void *arg)
{
	struct dump_ctx *ctx = arg;
	struct nlattr *tb[TTREC_A_MAX + 1];
	struct ttrec_nl_session *s;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TTREC_A_MAX, attr_policy) < 0 ||
	    !tb[TTREC_A_SESSION_ID]) {
		ctx->err = -EPROTO;
		return NL_SKIP;
	}
	if (ctx->n == ctx->cap) {
		int cap = ctx->cap ? ctx->cap * 2 : 16;
		void *v = realloc(ctx->v, cap * sizeof(*ctx->v));

		if (!v) {
			ctx->err = -ENOMEM;
			return NL_STOP;
		}
		ctx->v = v;
		ctx->cap = cap;
	}
	s = &ctx->v[ctx->n++];
	memset(s, 0, sizeof(*s));
	s->id = nla_get_u64(tb[TTREC_A_SESSION_ID]);
	if (tb[TTREC_A_PID])
		s->pid = nla_get_u32(tb[TTREC_A_PID]);
	if (tb[TTREC_A_STATE])
		s->state = nla_get_u32(tb[TTREC_A_STATE]);
	if (tb[TTREC_A_EXIT_STATUS])
		s->exit_status = nla_get_u32(tb[TTREC_A_EXIT_STATUS]);
	if (tb[TTREC_A_OWNER_PID])
		s->owner_pid = nla_get_u32(tb[TTREC_A_OWNER_PID]);
	if (tb[TTREC_A_ATTACH_NS])
		s->attach_ns = nla_get_u64(tb[TTREC_A_ATTACH_NS]);
	if (tb[TTREC_A_COMM])
		nla_strlcpy(s->comm, tb[TTREC_A_COMM], sizeof(s->comm));
	if (tb[TTREC_A_PAGES_HELD] && tb[TTREC_A_PAGE_BUDGET] && tb[TTREC_A_NR_SNAPSHOTS]) {
		s->has_pages = true;
		s->pages_held = nla_get_u64(tb[TTREC_A_PAGES_HELD]);
		s->page_budget = nla_get_u64(tb[TTREC_A_PAGE_BUDGET]);
		s->nr_snapshots = nla_get_u32(tb[TTREC_A_NR_SNAPSHOTS]);
	}
	return NL_OK;
}

int ttrec_nl_get_sessions(struct ttrec_nl_session **out)
{
	struct dump_ctx ctx = { 0 };
	struct nl_sock *sk;
	int family, err = 0, ret;

	sk = genl_open(&family, &err);
	if (!sk)
		return err;
	ret = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, session_cb, &ctx);
	if (ret >= 0)
		ret = genl_send_simple(sk, family, TTREC_CMD_GET_SESSIONS,
				       TTREC_GENL_VERSION, NLM_F_DUMP);
	if (ret >= 0)
		ret = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	if (ret < 0 || ctx.err) {
		free(ctx.v);
		return ret < 0 ? nl_err(ret) : ctx.err;
	}
	*out = ctx.v;
	return ctx.n;
}

struct event_ctx {
	struct ttrec_nl_event *ev;
	int got;
};

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct event_ctx *ctx = arg;
	struct nlattr *tb[TTREC_A_MAX + 1];
	struct genlmsghdr *gh = genlmsg_hdr(nlmsg_hdr(msg));

	if (gh->cmd != TTREC_CMD_EVENT ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, TTREC_A_MAX, attr_policy) < 0 ||
	    !tb[TTREC_A_EVENT])
		return NL_SKIP;
	memset(ctx->ev, 0, sizeof(*ctx->ev));
	ctx->ev->event = nla_get_u32(tb[TTREC_A_EVENT]);
	if (tb[TTREC_A_SESSION_ID])
		ctx->ev->session_id = nla_get_u64(tb[TTREC_A_SESSION_ID]);
	if (tb[TTREC_A_PID])
		ctx->ev->pid = nla_get_u32(tb[TTREC_A_PID]);
	if (tb[TTREC_A_EXIT_STATUS]) {
		ctx->ev->exit_status = nla_get_u32(tb[TTREC_A_EXIT_STATUS]);
		ctx->ev->has_exit_status = true;
	}
	if (tb[TTREC_A_SNAP_ID]) {
		ctx->ev->has_snapshot = true;
		ctx->ev->snap_id = nla_get_u64(tb[TTREC_A_SNAP_ID]);
		if (tb[TTREC_A_PAUSE_NS])
			ctx->ev->pause_ns = nla_get_u64(tb[TTREC_A_PAUSE_NS]);
		if (tb[TTREC_A_PAGES_SHARED])
			ctx->ev->pages_shared = nla_get_u64(tb[TTREC_A_PAGES_SHARED]);
		if (tb[TTREC_A_PAGES_COPIED])
			ctx->ev->pages_copied = nla_get_u64(tb[TTREC_A_PAGES_COPIED]);
	}
	ctx->got = 1;
	return NL_STOP;
}

struct nl_sock *ttrec_nl_events_open(void)
{
	struct nl_sock *sk;
	int family, err = 0, grp;

	sk = genl_open(&family, &err);
	if (!sk)
		goto fail;
	grp = genl_ctrl_resolve_grp(sk, TTREC_GENL_NAME, TTREC_GENL_MCGRP_EVENTS);
	if (grp < 0 || (grp = nl_socket_add_membership(sk, grp)) < 0) {
		err = nl_err(grp);
		nl_socket_free(sk);
		goto fail;
	}
	nl_socket_disable_seq_check(sk);
	return sk;
fail:
	errno = -err;
	return NULL;
}

int ttrec_nl_events_next(struct nl_sock *sk, struct ttrec_nl_event *ev,
			 int timeout_ms)
{
	struct event_ctx ctx = { .ev = ev };
	struct pollfd pfd = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
	int ret;

	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &ctx);
	while (!ctx.got) {
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return 0;
		ret = nl_recvmsgs_default(sk);
		if (ret < 0 && ret != -NLE_AGAIN)
			return nl_err(ret);
	}
	return 1;
}

void ttrec_nl_events_close(struct nl_sock *sk)
{
	nl_socket_free(sk);
}

const char *ttrec_event_name(uint32_t event)
{
	switch (event) {
	case TTREC_EVENT_SESSION_OPENED:	return "session-opened";
	case TTREC_EVENT_SESSION_CLOSED:	return "session-closed";
	case TTREC_EVENT_TARGET_EXITED:		return "target-exited";
	case TTREC_EVENT_SNAPSHOT:		return "snapshot";
	default:				return "unknown";
	}
}
