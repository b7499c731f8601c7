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
#define _TTREC_SNAP_PROC	0x24	/* on a snapshot fd */
#define _TTREC_SNAP_FDS		0x25	/* on a snapshot fd */

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
/* Process state in every snapshot: TTREC_IOC_SNAP_PROC and
 * TTREC_IOC_SNAP_FDS on snapshot fds, TTREC_SNAP_THREADS_STATE */
#define TTREC_FEATURE_SNAP_STATE	(1ULL << 7)

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
 * Each note is a struct ttrec_snap_note followed by @size bytes of data,
 * padded to 8 bytes. Register notes hold exactly what PTRACE_GETREGSET
 * returns for NT_PRSTATUS (struct user_regs_struct, with fs_base/gs_base),
 * NT_PRFPREG (struct user_i387_struct) and NT_X86_XSTATE (the XSAVE area).
 * A thread interrupted in a syscall by the park shows the kernel's restart
 * value (-ERESTARTSYS and friends, 512..516) in ax and the instruction
 * after the syscall in ip, as a ptrace stop at signal delivery would.
 * With TTREC_SNAP_THREADS_STATE the thread's state notes follow them: one
 * TTREC_NT_THREAD and one TTREC_NT_SIGINFO per signal queued for the
 * thread. Readers skip note types they do not know.
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
	__u32 type;	/* NT_PRSTATUS, NT_PRFPREG, NT_X86_XSTATE, TTREC_NT_* */
	__u32 size;	/* bytes of data, without padding */
};

/* ttrec_snap_threads_args.flags */
#define TTREC_SNAP_THREADS_STATE (1U << 0)	/* add the state notes */

/**
 * struct ttrec_snap_threads_args - TTREC_IOC_SNAP_THREADS on a snapshot fd.
 * @flags:	in: 0 or TTREC_SNAP_THREADS_STATE (TTREC_FEATURE_SNAP_STATE).
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

/*
 * Process state (TTREC_FEATURE_SNAP_STATE). While the threads are parked
 * for a snapshot, besides the memory and the registers, the module reads
 * what a restore needs of the process: each thread's own state (added to
 * the TTREC_IOC_SNAP_THREADS records as notes), the process's
 * (TTREC_IOC_SNAP_PROC) and its descriptor table (TTREC_IOC_SNAP_FDS). All
 * of it is taken with the threads parked and before the memory is frozen,
 * so it is the state of the memory's instant, except for what other
 * processes change meanwhile (signals they send, bytes they write into a
 * shared pipe). Ids (pids, uids, gids) are in the namespaces of the caller
 * of TTREC_IOC_SNAPSHOT, as it would see them at the snapshot.
 *
 * Both streams use struct ttrec_snap_note framing: a note header, its data,
 * padding to 8 bytes. The data of a note whose type names a struct may be
 * longer than the struct a reader knows (a newer module: ignore the rest)
 * or shorter (an older one: the missing fields read as zero). Readers skip
 * note types they do not know. Documentation/ttrec.rst lists what is not
 * captured.
 */

/* Note types of ttrec's own ("TT" in the high half; the ELF note types of
 * the register notes are all below 0x10000). */
#define TTREC_NT_THREAD		0x54540001	/* struct ttrec_snap_tstate */
#define TTREC_NT_SIGINFO	0x54540002	/* a queued signal: a 128-byte
						 * siginfo_t as PTRACE_PEEKSIGINFO
						 * gives it */
#define TTREC_NT_PROC		0x54540010	/* struct ttrec_snap_proc */
#define TTREC_NT_SIGACTIONS	0x54540011	/* struct ttrec_sigaction[64]:
						 * signal N at index N - 1 */
#define TTREC_NT_AUXV		0x54540012	/* __u64 type/value pairs as
						 * /proc/PID/auxv, up to AT_NULL */
#define TTREC_NT_GROUPS		0x54540013	/* __u32 supplementary gids */
#define TTREC_NT_EXE		0x54540014	/* path of the executable */
#define TTREC_NT_CWD		0x54540015	/* path of the working directory */
#define TTREC_NT_ROOT		0x54540016	/* path of the root directory */
#define TTREC_NT_POSIX_TIMER	0x54540017	/* struct ttrec_posix_timer */
#define TTREC_NT_FD_PATH	0x54540020	/* path of an fd's file */
#define TTREC_NT_FD_PIPE	0x54540021	/* struct ttrec_fd_pipe */
#define TTREC_NT_FD_PIPE_DATA	0x54540022	/* the bytes buffered in a pipe */
#define TTREC_NT_FD_EVENTFD	0x54540023	/* struct ttrec_fd_eventfd */
#define TTREC_NT_FD_TIMERFD	0x54540024	/* struct ttrec_fd_timerfd */
#define TTREC_NT_FD_SIGNALFD	0x54540025	/* struct ttrec_fd_signalfd */
#define TTREC_NT_FD_EPOLL	0x54540026	/* struct ttrec_fd_epoll_item[] */
#define TTREC_NT_FD_SOCKET	0x54540027	/* struct ttrec_fd_socket */
#define TTREC_NT_FD_MEMFD	0x54540028	/* struct ttrec_fd_memfd */
#define TTREC_NT_FD_PIDFD	0x54540029	/* struct ttrec_fd_pidfd */
#define TTREC_NT_FD_FDINFO	0x5454002a	/* the file's own lines of
						 * /proc/PID/fdinfo, text */
#define TTREC_NT_FD_SOCK_QUEUE	0x5454002b	/* a unix socket's unread
						 * messages: struct
						 * ttrec_fd_sock_msg[] */
/* Paths are NUL-terminated, as d_path() gives them (" (deleted)" at the
 * end of a removed file's), at most PATH_MAX bytes with the NUL. */

/* ttrec_snap_tstate.flags */
#define TTREC_TSTATE_RSEQ_LEN_GUESSED	(1U << 0)	/* the kernel does not
						 * keep the length: 32 */

/**
 * struct ttrec_snap_tstate - TTREC_NT_THREAD: a thread's own state.
 * @sas_sp:	sigaltstack(): ss_sp.
 * @sas_size:	ss_size.
 * @sas_flags:	ss_flags as sigaltstack() reports them: SS_DISABLE,
 *		SS_AUTODISARM, SS_ONSTACK when the thread's stack pointer is on
 *		the alternate stack.
 * @pdeath_signal: PR_SET_PDEATHSIG, 0 when none.
 * @clear_child_tid: set_tid_address() / CLONE_CHILD_CLEARTID, 0 when none.
 * @robust_list: set_robust_list() head, 0 when none.
 * @robust_list_len: its length.
 * @rseq:	the registered rseq area, 0 when none.
 * @rseq_len:	its length.
 * @rseq_sig:	its signature.
 * @pending:	signals pending for this thread (bit N - 1: signal N).
 * @seccomp_mode: SECCOMP_MODE_* (the filters are not captured).
 * @flags:	TTREC_TSTATE_*.
 * @timer_slack_ns: PR_GET_TIMERSLACK.
 * @comm:	the thread's name, NUL-terminated.
 */
struct ttrec_snap_tstate {
	__u64 sas_sp;
	__u64 sas_size;
	__u32 sas_flags;
	__s32 pdeath_signal;
	__u64 clear_child_tid;
	__u64 robust_list;
	__u64 robust_list_len;
	__u64 rseq;
	__u32 rseq_len;
	__u32 rseq_sig;
	__u64 pending;
	__u32 seccomp_mode;
	__u32 flags;
	__u64 timer_slack_ns;
	__u8 comm[16];
};
#define TTREC_SNAP_TSTATE_SIZE_VER0	104

/**
 * struct ttrec_sigaction - one element of TTREC_NT_SIGACTIONS: as
 * rt_sigaction() reports it (the kernel's struct sigaction on x86-64).
 * @handler:	SIG_DFL (0), SIG_IGN (1) or the handler's address.
 * @flags:	SA_*.
 * @restorer:	sa_restorer.
 * @mask:	sa_mask (bit N - 1: signal N).
 */
struct ttrec_sigaction {
	__u64 handler;
	__u64 flags;
	__u64 restorer;
	__u64 mask;
};

struct ttrec_rlimit {
	__u64 cur;	/* RLIM_INFINITY is ~0 */
	__u64 max;
};

struct ttrec_itimer {
	__u64 value_ns;		/* time left, 0 when not armed */
	__u64 interval_ns;
};

#define TTREC_RLIM_NLIMITS	16	/* RLIMIT_CPU .. RLIMIT_RTTIME */

/* ttrec_snap_proc.flags */
#define TTREC_PROC_NO_NEW_PRIVS		(1U << 0)
#define TTREC_PROC_CHILD_SUBREAPER	(1U << 1)
#define TTREC_PROC_THP_DISABLED		(1U << 2)	/* PR_SET_THP_DISABLE */
#define TTREC_PROC_FS_UNSHARED		(1U << 3)	/* a thread has cwd, root
							 * and umask of its own */
#define TTREC_PROC_PENDING_TRUNCATED	(1U << 4)	/* more queued signals
							 * than TTREC_NT_SIGINFO
							 * notes (process or a
							 * thread) */

/**
 * struct ttrec_snap_proc - TTREC_NT_PROC: the process's own state.
 * @pid:	thread-group id (0 when not visible to the caller).
 * @ppid:	the parent's.
 * @pgid:	process group.
 * @sid:	session.
 * @tty_nr:	controlling terminal as /proc/PID/stat encodes it, 0: none.
 * @tty_pgrp:	its foreground process group, 0 when unknown.
 * @flags:	TTREC_PROC_*.
 * @personality: personality(0xffffffff).
 * @umask:	the file-creation mask.
 * @exit_signal: the signal the parent gets at exit (SIGCHLD usually).
 * @oom_score_adj: /proc/PID/oom_score_adj.
 * @dumpable:	PR_GET_DUMPABLE.
 * @securebits: PR_GET_SECUREBITS.
 * @nr_posix_timers: timer_create() timers (TTREC_NT_POSIX_TIMER notes).
 * @comm:	the thread-group leader's name, NUL-terminated.
 * @start_code, @end_code, @start_data, @end_data, @start_brk, @brk,
 * @start_stack, @arg_start, @arg_end, @env_start, @env_end: the memory
 *		layout fields of /proc/PID/stat and PR_SET_MM_MAP (@brk is the
 *		current program break).
 * @exe_dev, @exe_ino: the executable's device (as st_dev) and inode.
 * @uid, @euid, @suid, @fsuid, @gid, @egid, @sgid, @fsgid: credentials.
 * @cap_inheritable, @cap_permitted, @cap_effective, @cap_bset,
 * @cap_ambient: capability sets (bit N: capability N).
 * @shared_pending: signals pending for the process as a whole.
 * @rlim:	getrlimit() of each resource, RLIMIT_* order.
 * @itimer:	getitimer() of ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF.
 */
struct ttrec_snap_proc {
	__u32 pid;
	__u32 ppid;
	__u32 pgid;
	__u32 sid;
	__u32 tty_nr;
	__u32 tty_pgrp;
	__u32 flags;
	__u32 personality;
	__u32 umask;
	__s32 exit_signal;
	__s32 oom_score_adj;
	__u32 dumpable;
	__u32 securebits;
	__u32 nr_posix_timers;
	__u8 comm[16];
	__u64 start_code;
	__u64 end_code;
	__u64 start_data;
	__u64 end_data;
	__u64 start_brk;
	__u64 brk;
	__u64 start_stack;
	__u64 arg_start;
	__u64 arg_end;
	__u64 env_start;
	__u64 env_end;
	__u64 exe_dev;
	__u64 exe_ino;
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_inheritable;
	__u64 cap_permitted;
	__u64 cap_effective;
	__u64 cap_bset;
	__u64 cap_ambient;
	__u64 shared_pending;
	struct ttrec_rlimit rlim[TTREC_RLIM_NLIMITS];
	struct ttrec_itimer itimer[3];
};
#define TTREC_SNAP_PROC_SIZE_VER0	560

/* ttrec_posix_timer.flags */
#define TTREC_PTIMER_VALUE_UNKNOWN (1U << 0)	/* @value_ns not known (CPU-time
						 * and alarm clocks, read by the
						 * module) */

/**
 * struct ttrec_posix_timer - TTREC_NT_POSIX_TIMER: a timer_create() timer.
 * @id:		the timer id.
 * @clockid:	its clock.
 * @notify:	sigev_notify (SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD, with
 *		SIGEV_THREAD_ID).
 * @signo:	the signal it sends.
 * @value:	sigev_value.
 * @target:	the thread (SIGEV_THREAD_ID) or process it signals, 0 when
 *		not visible to the caller.
 * @flags:	TTREC_PTIMER_*.
 * @value_ns:	time to its next expiration, 0 when disarmed.
 * @interval_ns: its interval.
 */
struct ttrec_posix_timer {
	__s32 id;
	__s32 clockid;
	__s32 notify;
	__s32 signo;
	__u64 value;
	__s32 target;
	__u32 flags;
	__u64 value_ns;
	__u64 interval_ns;
};

/**
 * struct ttrec_snap_proc_args - TTREC_IOC_SNAP_PROC on a snapshot fd.
 * @flags:	in: must be 0.
 * @nr_notes:	out: notes in the stream.
 * @buf:	in: user pointer to @size bytes.
 * @size:	in: size of @buf.
 * @needed:	out: bytes the stream takes.
 *
 * The stream: a TTREC_NT_PROC note first, then TTREC_NT_SIGACTIONS,
 * TTREC_NT_AUXV, TTREC_NT_GROUPS, TTREC_NT_EXE, TTREC_NT_CWD, TTREC_NT_ROOT
 * (each absent when the process has none: an exiting process has no
 * executable, a path longer than PATH_MAX is left out), one
 * TTREC_NT_SIGINFO per signal queued for the process as a whole and one
 * TTREC_NT_POSIX_TIMER per timer_create() timer.
 *
 * Return: the number of bytes written. @size 0 is a size query (returns 0,
 * sets @needed and @nr_notes); a non-zero @size below @needed fails with
 * ENOSPC (and sets both). The out fields are ignored on input. Errors:
 * EINVAL (flags), EFAULT, E2BIG.
 */
struct ttrec_snap_proc_args {
	__u32 flags;
	__u32 nr_notes;
	__u64 buf;
	__u64 size;
	__u64 needed;
};
#define TTREC_SNAP_PROC_ARGS_SIZE_VER0	32

/* ttrec_snap_fd.kind */
#define TTREC_FD_REG		1	/* regular file */
#define TTREC_FD_DIR		2	/* directory */
#define TTREC_FD_PIPE		3	/* pipe(2) */
#define TTREC_FD_FIFO		4	/* a named FIFO */
#define TTREC_FD_SOCKET		5
#define TTREC_FD_EVENTFD	6
#define TTREC_FD_TIMERFD	7
#define TTREC_FD_SIGNALFD	8
#define TTREC_FD_EPOLL		9
#define TTREC_FD_MEMFD		10	/* memfd_create() */
#define TTREC_FD_TTY		11	/* a terminal (by its device number) */
#define TTREC_FD_CHR		12	/* another character device */
#define TTREC_FD_BLK		13	/* a block device */
#define TTREC_FD_PIDFD		14
#define TTREC_FD_OTHER		15	/* anything else: other anonymous
					 * inodes (inotify, io_uring, ...),
					 * O_PATH files of other kinds, ...:
					 * see its path and fdinfo */

/* ttrec_snap_fd.flags */
#define TTREC_FDF_CLOEXEC	(1U << 0)	/* FD_CLOEXEC */
#define TTREC_FDF_READ		(1U << 1)	/* open for reading */
#define TTREC_FDF_WRITE		(1U << 2)	/* open for writing */
#define TTREC_FDF_DELETED	(1U << 3)	/* the file has no name left */
#define TTREC_FDF_NO_PATH	(1U << 4)	/* path unknown or too long */
#define TTREC_FDF_TRUNCATED	(1U << 5)	/* a note was cut short or left
						 * out: see TTREC_FDS_DATA_TRUNCATED */

/**
 * struct ttrec_snap_fd - one descriptor in TTREC_IOC_SNAP_FDS output.
 * @size:	bytes of this record with its notes (multiple of 8); the
 *		next record starts @size bytes after this one.
 * @fd:		the descriptor's number.
 * @kind:	TTREC_FD_*.
 * @flags:	TTREC_FDF_*.
 * @f_flags:	the open file's flags (O_ACCMODE, O_APPEND, O_NONBLOCK,
 *		O_DIRECT, O_PATH, ...) as fcntl(F_GETFL) would give them,
 *		without O_CLOEXEC.
 * @mode:	st_mode of the file, as stat(2) gives it.
 * @pos:	the file position.
 * @dev:	st_dev of the file.
 * @ino:	st_ino.
 * @rdev:	st_rdev (devices).
 * @size_bytes: st_size.
 * @mtime_ns:	st_mtime in nanoseconds since the epoch.
 * @nr_notes:	notes that follow: TTREC_NT_FD_PATH (every descriptor whose
 *		path is known), then by kind: TTREC_NT_FD_PIPE (pipes, FIFOs)
 *		and TTREC_NT_FD_PIPE_DATA (see struct ttrec_fd_pipe),
 *		TTREC_NT_FD_EVENTFD, _TIMERFD, _SIGNALFD, _EPOLL (its interest
 *		list, absent when empty), _SOCKET and _SOCK_QUEUE (unix
 *		sockets with unread data), _MEMFD, _PIDFD, and
 *		TTREC_NT_FD_FDINFO for TTREC_FD_OTHER files that have one.
 * @__pad:	0.
 */
struct ttrec_snap_fd {
	__u32 size;
	__s32 fd;
	__u32 kind;
	__u32 flags;
	__u32 f_flags;
	__u32 mode;
	__u64 pos;
	__u64 dev;
	__u64 ino;
	__u64 rdev;
	__u64 size_bytes;
	__s64 mtime_ns;
	__u32 nr_notes;
	__u32 __pad;
};
#define TTREC_SNAP_FD_SIZE_VER0	80

/* ttrec_fd_pipe.flags */
#define TTREC_PIPE_DATA		(1U << 0)	/* this record holds the bytes */
#define TTREC_PIPE_DATA_TRUNCATED (1U << 1)	/* not all of them */
#define TTREC_PIPE_PACKET	(1U << 2)	/* O_DIRECT: packet boundaries
						 * are not kept */
#define TTREC_PIPE_COUNTS_UNKNOWN (1U << 3)	/* @readers and @writers not
						 * known (state gathered
						 * without the module) */

/**
 * struct ttrec_fd_pipe - TTREC_NT_FD_PIPE: one end of a pipe or a FIFO.
 * @id:		the pipe's inode number: the same at both ends.
 * @capacity:	F_GETPIPE_SZ.
 * @flags:	TTREC_PIPE_*.
 * @bytes:	bytes buffered in the pipe, read without consuming them.
 * @readers:	open read ends (all processes).
 * @writers:	open write ends.
 * @data_fd:	the descriptor whose record holds the bytes (the lowest that
 *		refers to the pipe: a TTREC_NT_FD_PIPE_DATA note), -1 when
 *		they are not captured.
 * @__pad:	0.
 */
struct ttrec_fd_pipe {
	__u64 id;
	__u32 capacity;
	__u32 flags;
	__u64 bytes;
	__u32 readers;
	__u32 writers;
	__s32 data_fd;
	__u32 __pad;
};

/* ttrec_fd_eventfd.flags */
#define TTREC_EVENTFD_SEMAPHORE		(1U << 0)	/* EFD_SEMAPHORE */
#define TTREC_EVENTFD_SEMAPHORE_UNKNOWN	(1U << 1)	/* the kernel does not
							 * show it (6.1) */

struct ttrec_fd_eventfd {
	__u64 count;
	__u32 flags;		/* TTREC_EVENTFD_* */
	__u32 __pad;
};

/** struct ttrec_fd_timerfd - TTREC_NT_FD_TIMERFD, as timerfd_gettime(). */
struct ttrec_fd_timerfd {
	__s32 clockid;
	__u32 settime_flags;	/* TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET */
	__u64 ticks;		/* expirations not read yet */
	__u64 value_ns;		/* time to the next expiration, 0: disarmed */
	__u64 interval_ns;
};

struct ttrec_fd_signalfd {
	__u64 sigmask;		/* bit N - 1: signal N */
};

/**
 * struct ttrec_fd_epoll_item - one element of TTREC_NT_FD_EPOLL.
 * @tfd:	the descriptor number the target was added with.
 * @events:	EPOLL* event mask, with EPOLLET, EPOLLONESHOT, ...
 * @data:	the user data.
 * @ino:	the target file's inode number,
 * @dev:	and its device (as st_dev): the target may since have been
 *		closed or renumbered.
 */
struct ttrec_fd_epoll_item {
	__s32 tfd;
	__u32 events;
	__u64 data;
	__u64 ino;
	__u64 dev;
};

/* ttrec_fd_socket.flags */
#define TTREC_SOCK_REUSEADDR	(1U << 0)
#define TTREC_SOCK_REUSEPORT	(1U << 1)
#define TTREC_SOCK_INCOMPLETE	(1U << 2)	/* gathered without the module
						 * (nor sock_diag for this
						 * family): @sock_state,
						 * @shutdown, @peer_ino,
						 * @backlog or @queued may be
						 * unknown (0) */
#define TTREC_SOCK_V6ONLY	(1U << 3)	/* IPV6_V6ONLY (AF_INET6) */

#define TTREC_SOCKADDR_MAX	128	/* sizeof(struct sockaddr_storage) */

/**
 * struct ttrec_fd_socket - TTREC_NT_FD_SOCKET.
 * @family:	AF_*.
 * @type:	SOCK_*.
 * @protocol:	IPPROTO_* and the like.
 * @state:	the protocol state: TCP_* for TCP, and for unix sockets
 *		TCP_LISTEN (10), TCP_ESTABLISHED (1) or TCP_CLOSE (7).
 * @sock_state: SS_* (SS_UNCONNECTED 1, SS_CONNECTED 3, ...).
 * @shutdown:	RCV_SHUTDOWN (1) | SEND_SHUTDOWN (2).
 * @backlog:	listeners: the listen() backlog.
 * @queued:	listeners: connections waiting for accept().
 * @ino:	the socket's inode (socket:[ino], /proc/net/ tables).
 * @peer_ino:	unix sockets: the peer's inode, 0 when none.
 * @flags:	TTREC_SOCK_*.
 * @local_len:	bytes of @local (getsockname()), 0 when unknown.
 * @peer_len:	bytes of @peer (getpeername()), 0 when not connected.
 * @__pad:	0.
 */
struct ttrec_fd_socket {
	__u32 family;
	__u32 type;
	__u32 protocol;
	__u32 state;
	__u32 sock_state;
	__u32 shutdown;
	__u32 backlog;
	__u32 queued;
	__u64 ino;
	__u64 peer_ino;
	__u32 flags;
	__u32 local_len;
	__u32 peer_len;
	__u32 __pad;
	__u8 local[TTREC_SOCKADDR_MAX];
	__u8 peer[TTREC_SOCKADDR_MAX];
};

/* ttrec_fd_sock_msg.flags */
#define TTREC_SOCK_MSG_FDS	(1U << 0)	/* it carried descriptors
						 * (SCM_RIGHTS): not captured */
#define TTREC_SOCK_MSG_CUT	(1U << 1)	/* its bytes are cut short
						 * (max_snapshot_fd_data) */

/**
 * struct ttrec_fd_sock_msg - one message queued for reading on a unix
 * socket, in TTREC_NT_FD_SOCK_QUEUE, oldest first. @len bytes follow,
 * then padding to a multiple of 8; the next message starts after them.
 * A stream socket's bytes are the unread part of each buffer the peer
 * sent (their boundaries carry no meaning); a datagram or seqpacket
 * socket's are its messages. Left out: credentials, SCM_RIGHTS
 * descriptors (flagged), out-of-band bytes.
 * @len:	bytes of the message here.
 * @flags:	TTREC_SOCK_MSG_*.
 */
struct ttrec_fd_sock_msg {
	__u32 len;
	__u32 flags;
};

/* ttrec_fd_memfd.flags */
#define TTREC_MEMFD_HUGETLB	(1U << 0)

/** struct ttrec_fd_memfd - TTREC_NT_FD_MEMFD; the size is st_size. */
struct ttrec_fd_memfd {
	__u32 seals;		/* F_GET_SEALS */
	__u32 flags;		/* TTREC_MEMFD_* */
	__u8 name[256];		/* as given to memfd_create(), NUL-terminated */
};

/* ttrec_fd_pidfd.flags */
#define TTREC_PIDFD_EXITED	(1U << 0)	/* the process is gone */

struct ttrec_fd_pidfd {
	__s32 pid;		/* the process it refers to, 0 when not visible
				 * to the caller */
	__u32 flags;		/* TTREC_PIDFD_* */
};

/* ttrec_snap_fds_args.state */
#define TTREC_FDS_TRUNCATED	 (1U << 0)	/* more descriptors than the
						 * module's max_snapshot_fds:
						 * the lowest are recorded */
#define TTREC_FDS_DATA_TRUNCATED (1U << 1)	/* the module's
						 * max_snapshot_fd_data ran out:
						 * some notes are cut (their
						 * records have
						 * TTREC_FDF_TRUNCATED) */
#define TTREC_FDS_UNSHARED	 (1U << 2)	/* a thread has a table of its
						 * own (unshare(CLONE_FILES)),
						 * not recorded */
#define TTREC_FDS_NO_TABLE	 (1U << 3)	/* the process had no table
						 * (exiting) */

/**
 * struct ttrec_snap_fds_args - TTREC_IOC_SNAP_FDS on a snapshot fd: the
 * descriptor table at the snapshot, a stream of struct ttrec_snap_fd
 * records in descriptor order, each followed by its notes.
 * @flags:	in: must be 0.
 * @nr_fds:	out: records in the stream.
 * @buf:	in: user pointer to @size bytes.
 * @size:	in: size of @buf.
 * @needed:	out: bytes the stream takes.
 * @total:	out: descriptors the table held (more than @nr_fds when
 *		TTREC_FDS_TRUNCATED).
 * @state:	out: TTREC_FDS_*.
 *
 * The table is the one of the thread-group leader, or of another thread
 * when the leader has exited. Return: the number of bytes written. @size 0
 * is a size query (returns 0, sets the out fields); a non-zero @size below
 * @needed fails with ENOSPC (and sets them). The out fields are ignored on
 * input. Errors: EINVAL (flags), EFAULT, E2BIG.
 */
struct ttrec_snap_fds_args {
	__u32 flags;
	__u32 nr_fds;
	__u64 buf;
	__u64 size;
	__u64 needed;
	__u32 total;
	__u32 state;
};
#define TTREC_SNAP_FDS_ARGS_SIZE_VER0	40

#define TTREC_IOC_GET_API	_IOWR(TTREC_IOC_MAGIC, _TTREC_GET_API, struct ttrec_api)
#define TTREC_IOC_ATTACH	_IOW(TTREC_IOC_MAGIC, _TTREC_ATTACH, struct ttrec_attach_args)
#define TTREC_IOC_SESSION_INFO	_IOWR(TTREC_IOC_MAGIC, _TTREC_SESSION_INFO, struct ttrec_session_info)
#define TTREC_IOC_SNAPSHOT	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAPSHOT, struct ttrec_snapshot_args)
#define TTREC_IOC_SNAP_INFO	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAP_INFO, struct ttrec_snap_info)
#define TTREC_IOC_SNAP_VMAS	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAP_VMAS, struct ttrec_snap_vmas_args)
#define TTREC_IOC_SNAP_THREADS	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAP_THREADS, struct ttrec_snap_threads_args)
#define TTREC_IOC_SNAP_DIFF	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAP_DIFF, struct ttrec_snap_diff_args)
#define TTREC_IOC_SNAP_PROC	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAP_PROC, struct ttrec_snap_proc_args)
#define TTREC_IOC_SNAP_FDS	_IOWR(TTREC_IOC_MAGIC, _TTREC_SNAP_FDS, struct ttrec_snap_fds_args)

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
