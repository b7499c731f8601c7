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
#define _TTREC_SNAPSHOT		0x11	/* on a session fd */
#define _TTREC_SNAP_INFO	0x20	/* on a snapshot fd */
#define _TTREC_SNAP_VMAS	0x21	/* on a snapshot fd */
#define _TTREC_SNAP_THREADS	0x22	/* on a snapshot fd */
#define _TTREC_SNAP_DIFF	0x23	/* on a snapshot fd */

/* Features reported in ttrec_api.features */
#define TTREC_FEATURE_ATTACH_PIDFD	(1ULL << 0)	/* TTREC_ATTACH_PIDFD */
#define TTREC_FEATURE_NETLINK		(1ULL << 1)	/* genl family registered */
#define TTREC_FEATURE_SESSION_POLL	(1ULL << 2)	/* poll(): EPOLLHUP on exit */
/* TTREC_IOC_SNAPSHOT on session fds; snapshot fds with pread(),
 * TTREC_IOC_SNAP_INFO, TTREC_IOC_SNAP_VMAS and TTREC_IOC_SNAP_THREADS */
#define TTREC_FEATURE_SNAPSHOT		(1ULL << 3)
/* TTREC_IOC_SNAP_DIFF on snapshot fds; TTREC_EVENT_SNAPSHOT events; the
 * page accounting fields of struct ttrec_session_info (size VER1) */
#define TTREC_FEATURE_SNAP_DIFF		(1ULL << 4)
/* lseek() on snapshot fds: SEEK_SET/SEEK_CUR move the read() position,
 * SEEK_DATA/SEEK_HOLE find held and unheld pages */
#define TTREC_FEATURE_SNAP_SEEK		(1ULL << 5)
/* ttrec_snap_vma.flags names the vDSO's mappings (TTREC_VMA_VDSO,
 * TTREC_VMA_VVAR) and the advice a VMA carries (TTREC_VMA_HUGEPAGE...) */
#define TTREC_FEATURE_VMA_KINDS		(1ULL << 6)

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
 * @pages_held:	out: pages held by the open snapshots of this session
 *		(they stay charged to it until their last fd is closed).
 * @page_budget: out: the cap on @pages_held (module parameter
 *		max_snapshot_pages at the time of the call).
 * @nr_snapshots: out: snapshots of this session still open.
 * @__pad:	out: 0.
 */
struct ttrec_session_info {
	__u32 flags;
	__u32 state;
	__u64 id;
	__u32 pid;
	__u32 exit_status;
	__u64 attach_ns;
	__u64 exit_ns;
	/* VER1 (TTREC_FEATURE_SNAP_DIFF) */
	__u64 pages_held;
	__u64 page_budget;
	__u32 nr_snapshots;
	__u32 __pad;
};
#define TTREC_SESSION_INFO_SIZE_VER0	40
#define TTREC_SESSION_INFO_SIZE_VER1	64


/*
 * Snapshots. TTREC_IOC_SNAPSHOT on a session fd parks every thread of the
 * target at the user/kernel boundary, records its memory map, registers and
 * memory (private anonymous pages copy-on-write, see Documentation/ttrec.rst)
 * and returns a snapshot fd (close-on-exec). The snapshot lives while any fd
 * refers to it, whatever happens to the target or the session.
 *
 * On a snapshot fd, pread(fd, buf, len, vaddr) reads the target's memory as
 * it was at the snapshot instant. It stops at the first byte it cannot
 * return (a short count), or fails when that is the first byte: EIO when
 * vaddr is in no VMA of the snapshot, ENODATA when the page was not
 * captured (file-backed and never written privately: read the file named
 * by TTREC_IOC_SNAP_VMAS; special or hugetlb mappings). Private anonymous
 * pages that were never populated read as zeroes. lseek() with SEEK_DATA
 * and SEEK_HOLE finds the next page the snapshot holds, or does not hold
 * (the file position is a virtual address; there is no SEEK_END).
 */

/**
 * struct ttrec_snap_counts - how a snapshot holds its pages.
 * @pages_shared:	pages held copy-on-write (shared with the target).
 * @pages_copied_pinned: pages copied at once because they may be pinned
 *			(GUP) or are KSM pages.
 * @pages_copied_huge:	pages copied at once because a huge PMD maps them.
 * @pages_copied_shared: pages of MAP_SHARED writable mappings and of
 *			mappings the kernel installed ([vdso]), copied.
 * @pages_copied_swap:	pages that were swapped out (or migrating), copied.
 * @pages_skipped_special: pages of VM_IO/VM_PFNMAP/hugetlb mappings, not
 *			captured (counted by VMA size).
 */
struct ttrec_snap_counts {
	__u64 pages_shared;
	__u64 pages_copied_pinned;
	__u64 pages_copied_huge;
	__u64 pages_copied_shared;
	__u64 pages_copied_swap;
	__u64 pages_skipped_special;
};

/**
 * struct ttrec_snapshot_args - TTREC_IOC_SNAPSHOT on a session fd.
 * @flags:	in: must be 0.
 * @__pad:	must be 0.
 * @id:		out: snapshot id, unique while the module stays loaded.
 * @pause_ns:	out: how long the target was held, from the first park
 *		request to the release.
 * @nr_vmas:	out: VMAs recorded.
 * @nr_threads:	out: threads recorded.
 * @counts:	out: see struct ttrec_snap_counts.
 *
 * Return: a snapshot fd. Errors: ESRCH (the target exited or is exiting),
 * EINVAL (flags, padding), EBUSY (a thread did not reach the user/kernel
 * boundary within the module's park_timeout_ms: stopped, traced, in an
 * uninterruptible sleep), EAGAIN (a thread was killed or the target called
 * execve() while parked), ENOSPC (the session's page budget,
 * max_snapshot_pages, would be exceeded), EINTR (the caller got a fatal
 * signal), ENOMEM.
 */
struct ttrec_snapshot_args {
	__u32 flags;
	__u32 __pad;
	__u64 id;
	__u64 pause_ns;
	__u32 nr_vmas;
	__u32 nr_threads;
	struct ttrec_snap_counts counts;
};
#define TTREC_SNAPSHOT_ARGS_SIZE_VER0	80

/**
 * struct ttrec_snap_info - TTREC_IOC_SNAP_INFO on a snapshot fd.
 * @flags:	in: must be 0.
 * @__pad:	must be 0.
 * @id:		out: snapshot id.
 * @session_id:	out: id of the session it was taken in.
 * @pid:	out: target tgid in the caller's pid namespace (0 if not
 *		visible there).
 * @nr_threads:	out: threads recorded.
 * @nr_vmas:	out: VMAs recorded.
 * @__pad2:	out: 0.
 * @pause_ns:	out: as in struct ttrec_snapshot_args.
 * @taken_ns:	out: CLOCK_MONOTONIC time of the snapshot instant.
 * @pages_held:	out: pages the snapshot holds (shared + copied).
 * @counts:	out: see struct ttrec_snap_counts.
 */
struct ttrec_snap_info {
	__u32 flags;
	__u32 __pad;
	__u64 id;
	__u64 session_id;
	__u32 pid;
	__u32 nr_threads;
	__u32 nr_vmas;
	__u32 __pad2;
	__u64 pause_ns;
	__u64 taken_ns;
	__u64 pages_held;
	struct ttrec_snap_counts counts;
};
#define TTREC_SNAP_INFO_SIZE_VER0	112

/* ttrec_snap_vma.flags */
#define TTREC_VMA_SHARED	(1U << 0)	/* MAP_SHARED */
#define TTREC_VMA_FILE		(1U << 1)	/* file-backed (incl. shmem) */
#define TTREC_VMA_CAPTURED	(1U << 2)	/* some contents held */
#define TTREC_VMA_SPECIAL	(1U << 3)	/* VM_IO/VM_PFNMAP/hugetlb */
#define TTREC_VMA_HEAP		(1U << 4)	/* [heap] */
#define TTREC_VMA_STACK		(1U << 5)	/* [stack] of the main thread */
#define TTREC_VMA_PATH_TRUNCATED (1U << 6)	/* path did not fit */
#define TTREC_VMA_GROWSDOWN	(1U << 7)
/* With TTREC_FEATURE_VMA_KINDS: */
#define TTREC_VMA_VDSO		(1U << 8)	/* the vDSO's code ([vdso]) */
#define TTREC_VMA_VVAR		(1U << 9)	/* the vDSO's data ([vvar]...) */
#define TTREC_VMA_HUGEPAGE	(1U << 10)	/* madvise(MADV_HUGEPAGE) */
#define TTREC_VMA_NOHUGEPAGE	(1U << 11)	/* madvise(MADV_NOHUGEPAGE) */
#define TTREC_VMA_DONTFORK	(1U << 12)	/* madvise(MADV_DONTFORK) */
#define TTREC_VMA_WIPEONFORK	(1U << 13)	/* madvise(MADV_WIPEONFORK) */
#define TTREC_VMA_DONTDUMP	(1U << 14)	/* madvise(MADV_DONTDUMP) */

#define TTREC_SNAP_PATH_MAX	256

/**
 * struct ttrec_snap_vma - one VMA of a snapshot (TTREC_IOC_SNAP_VMAS).
 * @start:	first address.
 * @end:	address after the last.
 * @offset:	file offset of @start in bytes (file mappings), else 0.
 * @dev:	device of the file (as stat(2) st_dev), else 0.
 * @ino:	inode number of the file, else 0.
 * @prot:	PROT_READ | PROT_WRITE | PROT_EXEC.
 * @flags:	TTREC_VMA_*.
 * @pages_held:	pages of this VMA the snapshot holds.
 * @path:	NUL-terminated path of the file as d_path() gives it (may end
 *		in " (deleted)"), empty for anonymous memory.
 */
struct ttrec_snap_vma {
	__u64 start;
	__u64 end;
	__u64 offset;
	__u64 dev;
	__u64 ino;
	__u32 prot;
	__u32 flags;
	__u64 pages_held;
	__u8 path[TTREC_SNAP_PATH_MAX];
};
#define TTREC_SNAP_VMA_SIZE_VER0	312

/**
 * struct ttrec_snap_vmas_args - TTREC_IOC_SNAP_VMAS on a snapshot fd.
 * @flags:	in: must be 0.
 * @entry_size:	in: size of one element of @vmas in the caller's view
 *		(>= TTREC_SNAP_VMA_SIZE_VER0, multiple of 8); the module
 *		writes what it knows and zeroes the rest of each element.
 * @vmas:	in: user pointer to an array of @count elements.
 * @count:	in: capacity of @vmas in elements.
 * @total:	out: number of VMAs in the snapshot.
 *
 * Return: the number of elements written. @count 0 is a size query
 * (returns 0 and sets @total). A non-zero @count below the total fails
 * with ENOSPC (and sets @total).
 */
struct ttrec_snap_vmas_args {
	__u32 flags;
	__u32 entry_size;
	__u64 vmas;
	__u32 count;
	__u32 total;
};
#define TTREC_SNAP_VMAS_ARGS_SIZE_VER0	24

/* ttrec_snap_thread.flags */
#define TTREC_THREAD_IN_SYSCALL	(1U << 0)	/* parked on a syscall exit */
#define TTREC_THREAD_LEADER	(1U << 1)	/* the thread-group leader */

/**
 * struct ttrec_snap_thread - one thread in TTREC_IOC_SNAP_THREADS output.
 * @size:	bytes of this record including its notes (multiple of 8);
 *		the next record starts @size bytes after this one.
 * @tid:	thread id in the caller's pid namespace (0 if not visible).
 * @flags:	TTREC_THREAD_*.
 * @nr_notes:	struct ttrec_snap_note records that follow this header.
 * @syscall_nr:	with TTREC_THREAD_IN_SYSCALL, the syscall the thread was
 *		in (orig_ax), else -1.
 * @sigmask:	blocked signals (bit N-1 for signal N).
 *
 * Each note is a struct ttrec_snap_note followed by @size bytes of regset
 * data, padded to 8 bytes: exactly what PTRACE_GETREGSET returns for
 * NT_PRSTATUS (struct user_regs_struct, with fs_base/gs_base), NT_PRFPREG
 * (struct user_i387_struct) and NT_X86_XSTATE (the XSAVE area). A thread
 * interrupted in a syscall by the park shows the kernel's restart value
 * (-ERESTARTSYS and friends, 512..516) in ax and the instruction after the
 * syscall in ip, as a ptrace stop at signal delivery would.
 */
struct ttrec_snap_thread {
	__u32 size;
	__u32 tid;
	__u32 flags;
	__u32 nr_notes;
	__s64 syscall_nr;
	__u64 sigmask;
};

struct ttrec_snap_note {
	__u32 type;	/* NT_PRSTATUS, NT_PRFPREG, NT_X86_XSTATE */
	__u32 size;	/* bytes of data, without padding */
};

/**
 * struct ttrec_snap_threads_args - TTREC_IOC_SNAP_THREADS on a snapshot fd.
 * @flags:	in: must be 0.
 * @nr_threads:	out: threads in the snapshot.
 * @buf:	in: user pointer to @size bytes.
 * @size:	in: size of @buf.
 * @needed:	out: bytes all records take.
 *
 * Return: the number of bytes written (whole records). @size 0 is a size
 * query (returns 0, sets @needed and @nr_threads); a non-zero @size below
 * @needed fails with ENOSPC (and sets both).
 */
struct ttrec_snap_threads_args {
	__u32 flags;
	__u32 nr_threads;
	__u64 buf;
	__u64 size;
	__u64 needed;
};
#define TTREC_SNAP_THREADS_ARGS_SIZE_VER0	32

/* ttrec_snap_range.kind */
#define TTREC_DIFF_PAGES	1	/* page contents differ */
#define TTREC_DIFF_VMA_ADDED	2	/* a VMA only this snapshot has */
#define TTREC_DIFF_VMA_REMOVED	3	/* a VMA only the parent has */
#define TTREC_DIFF_VMA_CHANGED	4	/* same range, other prot/flags/file */

/**
 * struct ttrec_snap_range - one element of TTREC_IOC_SNAP_DIFF output.
 * @start:	first address.
 * @end:	address after the last (page aligned).
 * @kind:	TTREC_DIFF_*.
 * @__pad:	0.
 */
struct ttrec_snap_range {
	__u64 start;
	__u64 end;
	__u32 kind;
	__u32 __pad;
};
#define TTREC_SNAP_RANGE_SIZE_VER0	24

/**
 * struct ttrec_snap_diff_args - TTREC_IOC_SNAP_DIFF on a snapshot fd: what
 * changed between an older snapshot (the parent) and this one.
 * @flags:	in: must be 0.
 * @parent_fd:	in: a snapshot fd of the same target (the same thread group,
 *		same session or not), taken before this one.
 * @ranges:	in: user pointer to an array of @count elements.
 * @count:	in: capacity of @ranges in elements.
 * @total:	out: number of ranges in the diff.
 * @entry_size:	in: size of one element of @ranges in the caller's view
 *		(>= TTREC_SNAP_RANGE_SIZE_VER0, multiple of 8, at most 4096);
 *		the module writes what it knows and zeroes the rest of each.
 * @__pad:	must be 0.
 * @pages_changed: out: pages covered by TTREC_DIFF_PAGES ranges.
 * @nr_vmas_added, @nr_vmas_removed, @nr_vmas_changed: out: counts of the
 *		TTREC_DIFF_VMA_* ranges.
 * @__pad2:	must be 0.
 *
 * The out fields are ignored on input, so one struct serves the size query
 * and the call that follows.
 *
 * Ranges are sorted by start address, and at equal starts by kind
 * (TTREC_DIFF_PAGES first); ranges of one kind never overlap and adjacent
 * ones are merged (changed pages into one TTREC_DIFF_PAGES range, VMA
 * ranges of one kind into one range even across VMA boundaries).
 *
 * VMA ranges compare the two memory maps address by address: a range only
 * this snapshot maps is TTREC_DIFF_VMA_ADDED, one only the parent mapped is
 * TTREC_DIFF_VMA_REMOVED, and one both map with another protection, other
 * TTREC_VMA_SHARED/FILE/SPECIAL/GROWSDOWN flags, or another file (device,
 * inode) or file offset is TTREC_DIFF_VMA_CHANGED. A VMA that grew shows
 * its new part as added; a VMA moved by mremap() is removed at the old
 * address and added at the new one.
 *
 * A page is in a TTREC_DIFF_PAGES range when it lies in a VMA this snapshot
 * captured (TTREC_VMA_CAPTURED) and this snapshot holds another page there
 * than the parent did, holding no page being different from holding one.
 * Two pages both held copy-on-write are compared by identity, never by
 * contents: a different page means the target wrote it (or it was
 * replaced), even with the same bytes. When either was copied eagerly
 * (pinned, huge, MAP_SHARED or swapped pages) the contents are compared.
 * So every captured page of an added VMA is listed, and the parent's
 * memory with the listed pages read from this snapshot gives this
 * snapshot's memory.
 *
 * Return: the number of elements written. @count 0 is a size query
 * (returns 0, sets @total and the counters; @ranges is not used). A
 * non-zero @count below @total fails with ENOSPC (and sets them; the
 * array's contents are then unspecified). Errors: EBADF (@parent_fd is not
 * an open fd), EINVAL (@parent_fd is not a snapshot fd, is this snapshot,
 * is another target's, or was taken after this one; flags, padding,
 * @entry_size), EFAULT, E2BIG, EINTR (fatal signal), ENOMEM, EOVERFLOW
 * (more than 2^32 - 1 ranges).
 */
struct ttrec_snap_diff_args {
	__u32 flags;
	__s32 parent_fd;
	__u64 ranges;
	__u32 count;
	__u32 total;
	__u32 entry_size;
	__u32 __pad;
	__u64 pages_changed;
	__u32 nr_vmas_added;
	__u32 nr_vmas_removed;
	__u32 nr_vmas_changed;
	__u32 __pad2;
};
#define TTREC_SNAP_DIFF_ARGS_SIZE_VER0	56

#define TTREC_IOC_GET_API	_IOWR(TTREC_IOC_MAGIC, _TTREC_GET_API, struct ttrec_api)
#define TTREC_IOC_ATTACH	_IOW(TTREC_IOC_MAGIC, _TTREC_ATTACH, struct ttrec_attach_args)
#define TTREC_IOC_SESSION_INFO	_IOWR(TTREC_IOC_MAGIC, _TTREC_SESSION_INFO, struct ttrec_session_info)
#define TTREC_IOC_SNAPSHOT	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAPSHOT, struct ttrec_snapshot_args)
#define TTREC_IOC_SNAP_INFO	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAP_INFO, struct ttrec_snap_info)
#define TTREC_IOC_SNAP_VMAS	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAP_VMAS, struct ttrec_snap_vmas_args)
#define TTREC_IOC_SNAP_THREADS	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAP_THREADS, struct ttrec_snap_threads_args)
#define TTREC_IOC_SNAP_DIFF	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAP_DIFF, struct ttrec_snap_diff_args)

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
 * TTREC_EVENT_SNAPSHOT (TTREC_FEATURE_SNAP_DIFF) announces each snapshot
 * taken, between OPENED and CLOSED, with TTREC_A_SNAP_ID, TTREC_A_PAUSE_NS,
 * TTREC_A_PAGES_SHARED and TTREC_A_PAGES_COPIED (all the eager copies).
 * GET_SESSIONS messages then also carry TTREC_A_PAGES_HELD,
 * TTREC_A_PAGE_BUDGET and TTREC_A_NR_SNAPSHOTS.
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
	TTREC_A_SNAP_ID,	/* u64 */
	TTREC_A_PAUSE_NS,	/* u64 */
	TTREC_A_PAGES_SHARED,	/* u64 */
	TTREC_A_PAGES_COPIED,	/* u64 */
	TTREC_A_PAGES_HELD,	/* u64: struct ttrec_session_info */
	TTREC_A_PAGE_BUDGET,	/* u64 */
	TTREC_A_NR_SNAPSHOTS,	/* u32 */
	__TTREC_A_MAX,
};
#define TTREC_A_MAX (__TTREC_A_MAX - 1)

/* TTREC_A_EVENT values */
#define TTREC_EVENT_SESSION_OPENED	1
#define TTREC_EVENT_SESSION_CLOSED	2
#define TTREC_EVENT_TARGET_EXITED	3
#define TTREC_EVENT_SNAPSHOT		4

#endif /* _UAPI_LINUX_TTREC_H */
