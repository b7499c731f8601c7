/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ttrec: the interface between ttrec.ko and user space.
 *
 * Two channels:
 *  - ioctls on /dev/ttrec (and on the session file descriptors it hands
 *    out), described below;
 *  - a generic-netlink family TTREC_GENL_NAME for session listing and
 *    asynchronous events.
 *
 * Every ioctl argument is a struct versioned by its size. The size travels in
 * the ioctl number (_IOC_SIZE), so a program built against a newer header
 * sends a larger struct under a different number: the module accepts any
 * size from TTREC_*_SIZE_VER0 up, refuses a smaller one with EINVAL and a
 * larger one whose unknown tail is not all zeroes with E2BIG
 * (copy_struct_from_user() semantics). Output beyond what the module knows
 * is left as the caller passed it (zero). Every struct has a flags field;
 * unknown flag bits are refused with EINVAL, and so is non-zero padding.
 * Unknown ioctls fail with ENOTTY.
 *
 * Programs must not test kernel or module versions: they call
 * TTREC_IOC_GET_API and test the feature and ioctl masks it reports.
 */
#ifndef _UAPI_LINUX_TTREC_H
#define _UAPI_LINUX_TTREC_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define TTREC_DEVICE_NAME	"ttrec"		/* /dev/ttrec */
#define TTREC_API		1		/* struct ttrec_api.api */

#define TTREC_IOC_MAGIC		0xE7

/* ioctl numbers (_IOC_NR); bit N of ttrec_api.ioctls means _IOC_NR N works */
#define _TTREC_GET_API		0x00	/* on /dev/ttrec */
#define _TTREC_ATTACH		0x01	/* on /dev/ttrec */
#define _TTREC_SESSION_INFO	0x10	/* on a session fd */

/* Features reported in ttrec_api.features */
#define TTREC_FEATURE_ATTACH_PIDFD	(1ULL << 0)	/* TTREC_ATTACH_PIDFD */
#define TTREC_FEATURE_NETLINK		(1ULL << 1)	/* genl family registered */
#define TTREC_FEATURE_SESSION_POLL	(1ULL << 2)	/* poll(): EPOLLHUP on exit */

/**
 * struct ttrec_api - TTREC_IOC_GET_API: handshake.
 * @api:	in: must be TTREC_API. out: TTREC_API.
 * @features:	in: features the caller requires; a bit the module does not
 *		support fails with EINVAL. out: every supported feature.
 * @ioctls:	out: bit N set when the ioctl with _IOC_NR N works on
 *		/dev/ttrec (so ioctl numbers stay below 64).
 * @session_ioctls: out: the same for session file descriptors.
 * @flags:	in: must be 0.
 * @__pad:	must be 0.
 */
struct ttrec_api {
	__u64 api;
	__u64 features;
	__u64 ioctls;
	__u64 session_ioctls;
	__u32 flags;
	__u32 __pad;
};
#define TTREC_API_SIZE_VER0	40

/* ttrec_attach_args.flags */
#define TTREC_ATTACH_PIDFD	(1U << 0)	/* @pid is a pidfd, not a pid */

/**
 * struct ttrec_attach_args - TTREC_IOC_ATTACH: open a session on a process.
 * @pid:	thread-group id of the target in the caller's pid namespace,
 *		or, with TTREC_ATTACH_PIDFD, a pidfd referring to it.
 * @flags:	TTREC_ATTACH_*.
 *
 * Return: a new session file descriptor (close-on-exec) bound to the
 * target's thread group. Needs CAP_SYS_PTRACE in the initial user
 * namespace (EPERM, checked first). Errors: ESRCH (no such process, a
 * thread id that is not a thread-group leader's, or a process that is
 * exiting or a zombie), EINVAL (a kernel thread, the caller's own thread
 * group, unknown flags, a file that is not a pidfd), EBADF (bad pidfd).
 * Closing the last reference to the fd ends the session.
 */
struct ttrec_attach_args {
	__u32 pid;
	__u32 flags;
};
#define TTREC_ATTACH_ARGS_SIZE_VER0	8

/* ttrec_session_info.state */
#define TTREC_SESSION_LIVE	1	/* the target is running */
#define TTREC_SESSION_EXITED	2	/* the whole thread group has exited */

/**
 * struct ttrec_session_info - TTREC_IOC_SESSION_INFO on a session fd.
 * @flags:	in: must be 0.
 * @state:	out: TTREC_SESSION_*.
 * @id:		out: session id, unique while the module stays loaded.
 * @pid:	out: target tgid in the caller's pid namespace, 0 if the
 *		target is not visible there.
 * @exit_status: out: once EXITED, the target's wait(2) status (use
 *		WIFEXITED()/WEXITSTATUS()/WIFSIGNALED()/WTERMSIG()).
 * @attach_ns:	out: CLOCK_MONOTONIC time the session was opened.
 * @exit_ns:	out: CLOCK_MONOTONIC time the target exited, 0 while LIVE.
 */
struct ttrec_session_info {
	__u32 flags;
	__u32 state;
	__u64 id;
	__u32 pid;
	__u32 exit_status;
	__u64 attach_ns;
	__u64 exit_ns;
};
#define TTREC_SESSION_INFO_SIZE_VER0	40

#define TTREC_IOC_GET_API	_IOWR(TTREC_IOC_MAGIC, _TTREC_GET_API, struct ttrec_api)
#define TTREC_IOC_ATTACH	_IOW(TTREC_IOC_MAGIC, _TTREC_ATTACH, struct ttrec_attach_args)
#define TTREC_IOC_SESSION_INFO	_IOWR(TTREC_IOC_MAGIC, _TTREC_SESSION_INFO, struct ttrec_session_info)

/*
 * Generic netlink: family TTREC_GENL_NAME, version TTREC_GENL_VERSION.
 *
 * TTREC_CMD_GET_SESSIONS (dump; needs CAP_NET_ADMIN): one message per open
 * session with TTREC_A_SESSION_ID, TTREC_A_PID, TTREC_A_STATE,
 * TTREC_A_EXIT_STATUS, TTREC_A_ATTACH_NS, TTREC_A_OWNER_PID, TTREC_A_COMM.
 *
 * Multicast group TTREC_GENL_MCGRP_EVENTS (joining needs CAP_NET_ADMIN):
 * TTREC_CMD_EVENT messages with TTREC_A_EVENT (TTREC_EVENT_*),
 * TTREC_A_SESSION_ID, TTREC_A_PID and, for TTREC_EVENT_TARGET_EXITED,
 * TTREC_A_EXIT_STATUS. For one session they arrive in the order OPENED,
 * TARGET_EXITED (if the target exits while the session is open), CLOSED.
 *
 * The family exists in the initial network namespace only.
 *
 * Pids in netlink messages are in the initial pid namespace.
 */
#define TTREC_GENL_NAME		"ttrec"
#define TTREC_GENL_VERSION	1
#define TTREC_GENL_MCGRP_EVENTS	"events"

enum ttrec_genl_cmd {
	TTREC_CMD_UNSPEC,
	TTREC_CMD_GET_SESSIONS,
	TTREC_CMD_EVENT,
	__TTREC_CMD_MAX,
};
#define TTREC_CMD_MAX (__TTREC_CMD_MAX - 1)

enum ttrec_genl_attr {
	TTREC_A_UNSPEC,
	TTREC_A_PAD,
	TTREC_A_SESSION_ID,	/* u64 */
	TTREC_A_PID,		/* u32: target tgid */
	TTREC_A_STATE,		/* u32: TTREC_SESSION_* */
	TTREC_A_EXIT_STATUS,	/* u32: wait(2) status */
	TTREC_A_ATTACH_NS,	/* u64: CLOCK_MONOTONIC */
	TTREC_A_OWNER_PID,	/* u32: tgid that opened the session */
	TTREC_A_COMM,		/* string: target comm at attach */
	TTREC_A_EVENT,		/* u32: TTREC_EVENT_* */
	__TTREC_A_MAX,
};
#define TTREC_A_MAX (__TTREC_A_MAX - 1)

/* TTREC_A_EVENT values */
#define TTREC_EVENT_SESSION_OPENED	1
#define TTREC_EVENT_SESSION_CLOSED	2
#define TTREC_EVENT_TARGET_EXITED	3

#endif /* _UAPI_LINUX_TTREC_H */
