// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec: the "ttrec" generic netlink family: a session dump and the
 * "events" multicast group.
 *
 * The family lives in the initial network namespace only (netnsok is off)
 * and reports pids in the initial pid namespace. Dumping sessions needs
 * CAP_NET_ADMIN, and so does joining the events group: both reveal which
 * processes are being recorded.
 *
 * Requests carry no attributes: the family has no policy, so genetlink
 * gives every op its reject-all policy (strict validation from
 * resv_start_op on). The attributes the module sends are typed in the uapi
 * header.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "ttrec.h"

enum ttrec_genl_mcgrp {
	TTREC_GENL_MCGRP_EVENTS_IDX,
};

static const struct genl_multicast_group ttrec_genl_mcgrps[] = {
	[TTREC_GENL_MCGRP_EVENTS_IDX] = {
		.name	= TTREC_GENL_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

static int ttrec_genl_get_sessions_dumpit(struct sk_buff *skb,
					  struct netlink_callback *cb);

static const struct genl_small_ops ttrec_genl_ops[] = {
	{
		.cmd	= TTREC_CMD_GET_SESSIONS,
		.flags	= GENL_ADMIN_PERM,
		.dumpit	= ttrec_genl_get_sessions_dumpit,
	},
};

static struct genl_family ttrec_genl_family __ro_after_init = {
	.name		= TTREC_GENL_NAME,
	.version	= TTREC_GENL_VERSION,
	.maxattr	= TTREC_A_MAX,
	.module		= THIS_MODULE,
	.small_ops	= ttrec_genl_ops,
	.n_small_ops	= ARRAY_SIZE(ttrec_genl_ops),
	/* A new family: strict header and attribute checks for every op. */
	.resv_start_op	= TTREC_CMD_GET_SESSIONS,
	.mcgrps		= ttrec_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ttrec_genl_mcgrps),
};

static int ttrec_genl_put_session(struct sk_buff *skb,
				  const struct ttrec_session_fields *f)
{
	if (nla_put_u64_64bit(skb, TTREC_A_SESSION_ID, f->id, TTREC_A_PAD) ||
	    nla_put_u32(skb, TTREC_A_PID, f->pid) ||
	    nla_put_u32(skb, TTREC_A_STATE, f->state) ||
	    nla_put_u32(skb, TTREC_A_EXIT_STATUS, f->exit_status) ||
	    nla_put_u64_64bit(skb, TTREC_A_ATTACH_NS, f->attach_ns,
			      TTREC_A_PAD) ||
	    nla_put_u32(skb, TTREC_A_OWNER_PID, f->owner_tgid) ||
	    nla_put_string(skb, TTREC_A_COMM, f->comm) ||
	    nla_put_u64_64bit(skb, TTREC_A_PAGES_HELD, f->pages_held,
			      TTREC_A_PAD) ||
	    nla_put_u64_64bit(skb, TTREC_A_PAGE_BUDGET,
			      READ_ONCE(ttrec_max_snapshot_pages), TTREC_A_PAD) ||
	    nla_put_u32(skb, TTREC_A_NR_SNAPSHOTS, f->nr_snapshots))
		return -EMSGSIZE;
	return 0;
}

/* Where a GET_SESSIONS dump writes, and the last session it wrote. */
struct ttrec_genl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u64 last_id;
};

static int ttrec_genl_dump_session(const struct ttrec_session_fields *f,
				   void *arg)
{
	struct ttrec_genl_dump *d = arg;
	void *hdr;

	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &ttrec_genl_family,
			  NLM_F_MULTI, TTREC_CMD_GET_SESSIONS);
	if (!hdr)
		return -EMSGSIZE;
	if (ttrec_genl_put_session(d->skb, f)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	d->last_id = f->id;
	return 0;
}

/*
 * One message per session. cb->args[0] holds the id of the last session
 * sent: sessions are walked in increasing id order, so a dump resumed
 * after the skb filled up continues after it even if sessions came and
 * went.
 */
static int ttrec_genl_get_sessions_dumpit(struct sk_buff *skb,
					  struct netlink_callback *cb)
{
	struct ttrec_genl_dump d = {
		.skb		= skb,
		.cb		= cb,
		.last_id	= cb->args[0],
	};
	int ret;

	ret = ttrec_session_for_each(d.last_id, ttrec_genl_dump_session, &d);
	cb->args[0] = d.last_id;

	/* A message that does not fit an empty skb is an error. */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

/* The attributes of TTREC_EVENT_SNAPSHOT beyond the common ones. */
static int ttrec_genl_put_snap_event(struct sk_buff *skb,
				     const struct ttrec_snap_event *ev)
{
	if (nla_put_u64_64bit(skb, TTREC_A_SNAP_ID, ev->id, TTREC_A_PAD) ||
	    nla_put_u64_64bit(skb, TTREC_A_PAUSE_NS, ev->pause_ns,
			      TTREC_A_PAD) ||
	    nla_put_u64_64bit(skb, TTREC_A_PAGES_SHARED, ev->pages_shared,
			      TTREC_A_PAD) ||
	    nla_put_u64_64bit(skb, TTREC_A_PAGES_COPIED, ev->pages_copied,
			      TTREC_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* Build and multicast one event; @ev only for TTREC_EVENT_SNAPSHOT. */
static void ttrec_netlink_send(u32 event, struct ttrec_session *s,
			       const struct ttrec_snap_event *ev)
{
	struct ttrec_session_fields fields;
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&ttrec_genl_family, &init_net,
				TTREC_GENL_MCGRP_EVENTS_IDX))
		return;

	ttrec_session_read_fields(s, &fields);
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &ttrec_genl_family, 0, TTREC_CMD_EVENT);
	if (!hdr)
		goto err_free_skb;
	if (nla_put_u32(skb, TTREC_A_EVENT, event) ||
	    nla_put_u64_64bit(skb, TTREC_A_SESSION_ID, fields.id,
			      TTREC_A_PAD) ||
	    nla_put_u32(skb, TTREC_A_PID, fields.pid))
		goto err_free_skb;
	if (event == TTREC_EVENT_TARGET_EXITED &&
	    nla_put_u32(skb, TTREC_A_EXIT_STATUS, fields.exit_status))
		goto err_free_skb;
	if (ev && ttrec_genl_put_snap_event(skb, ev))
		goto err_free_skb;
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&ttrec_genl_family, skb, 0,
			  TTREC_GENL_MCGRP_EVENTS_IDX, GFP_KERNEL);
	return;

err_free_skb:
	nlmsg_free(skb);
}

/**
 * ttrec_netlink_event() - multicast a TTREC_CMD_EVENT message.
 * @event: TTREC_EVENT_SESSION_OPENED, _CLOSED or _TARGET_EXITED.
 * @s: the session; TTREC_A_EXIT_STATUS is added for TARGET_EXITED.
 *
 * Process context only (allocates with GFP_KERNEL). Delivery is best
 * effort, as for any netlink multicast: a listener whose socket buffer is
 * full loses the message and sees ENOBUFS.
 */
void ttrec_netlink_event(u32 event, struct ttrec_session *s)
{
	ttrec_netlink_send(event, s, NULL);
}

/**
 * ttrec_netlink_snap_event() - multicast TTREC_EVENT_SNAPSHOT.
 * @s: the session the snapshot was taken in (its file is held, so the
 *     event comes before SESSION_CLOSED).
 * @ev: the snapshot's id, pause and page counts.
 *
 * As ttrec_netlink_event().
 */
void ttrec_netlink_snap_event(struct ttrec_session *s,
			      const struct ttrec_snap_event *ev)
{
	ttrec_netlink_send(TTREC_EVENT_SNAPSHOT, s, ev);
}

/**
 * ttrec_netlink_init() - register the generic netlink family.
 *
 * Return: 0 or a negative errno from genl_register_family().
 */
int ttrec_netlink_init(void)
{
	return genl_register_family(&ttrec_genl_family);
}

/**
 * ttrec_netlink_exit() - unregister the generic netlink family.
 */
void ttrec_netlink_exit(void)
{
	genl_unregister_family(&ttrec_genl_family);
}
