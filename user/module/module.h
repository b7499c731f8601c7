/* SPDX-License-Identifier: GPL-2.0 */
/* Clients of ttrec.ko: /dev/ttrec (dev.c) and its generic-netlink family (netlink.c). */
#ifndef TTREC_MODULE_MODULE_H
#define TTREC_MODULE_MODULE_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/ttrec.h>

/* dev.c: /dev/ttrec */
#define TTREC_DEV_PATH	"/dev/" TTREC_DEVICE_NAME


bool ttrec_dev_absent(void);	/* true when /dev/ttrec does not exist */
/*
 * Open /dev/ttrec and do the GET_API handshake, requiring @features.
 * Return: the fd, or -errno with a message already printed when @verbose.
 */
int ttrec_dev_open(uint64_t features, struct ttrec_api *api, bool verbose);
/* Open a session on @pid; returns the session fd or -errno. */
int ttrec_dev_attach(int devfd, int pid, uint32_t flags);
int ttrec_session_info(int sfd, struct ttrec_session_info *info);
/* "1 (attach-pidfd netlink ...)": names of the bits in @features */
void ttrec_features_str(uint64_t features, char *buf, size_t len);
/* Describe a wait(2) status: "exited 0", "killed by SIGKILL" */
void ttrec_wait_status_str(uint32_t status, char *buf, size_t len);

/* netlink.c: the ttrec generic-netlink family */
struct ttrec_nl_session {
	uint64_t id;
	uint32_t pid;
	uint32_t state;
	uint32_t exit_status;
	uint32_t owner_pid;
	uint64_t attach_ns;
	char comm[32];
	/* page accounting (TTREC_FEATURE_SNAP_DIFF modules): has_pages */
	bool has_pages;
	uint32_t nr_snapshots;
	uint64_t pages_held;
	uint64_t page_budget;
};

struct ttrec_nl_event {
	uint32_t event;		/* TTREC_EVENT_* */
	uint64_t session_id;
	uint32_t pid;
	uint32_t exit_status;
	bool has_exit_status;
	bool has_snapshot;	/* TTREC_EVENT_SNAPSHOT: the fields below */
	uint64_t snap_id;
	uint64_t pause_ns;
	uint64_t pages_shared;
	uint64_t pages_copied;
};

/* Dump the open sessions; *out is malloc()ed. Return: count or -errno. */
int ttrec_nl_get_sessions(struct ttrec_nl_session **out);

struct nl_sock;
/* Subscribe to the events group; returns a socket or NULL (errno set). */
struct nl_sock *ttrec_nl_events_open(void);
/*
 * Wait up to @timeout_ms (-1: forever) for one event.
 * Return: 1 with *ev filled, 0 on timeout, -errno on error.
 */
int ttrec_nl_events_next(struct nl_sock *sk, struct ttrec_nl_event *ev,
			 int timeout_ms);
void ttrec_nl_events_close(struct nl_sock *sk);
const char *ttrec_event_name(uint32_t event);

#endif
