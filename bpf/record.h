/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttrec record: what bpf/record.bpf.c sends to user space (ring events,
 * REC_EV_*) and what user space writes into the journal (journal records,
 * REC_*). This header IS the record layout of the journal, which
 * user/format/records.c (the codec) writes and reads; the container
 * (chunks, checksums, per-record sequence numbers) is user/format/journal.h's.
 *
 * No includes of its own: the BPF side gets the __u* types from vmlinux.h,
 * the user side from <linux/types.h>.
 *
 * Journal records (all little-endian, packed, naturally aligned fields)
 * ---------------------------------------------------------------------
 * Every journal record starts with one byte, its type (REC_*). The
 * journal gives each record a sequence number: the global order of the
 * events across all threads and CPUs (taken in BPF with one atomic
 * counter). Consecutive events have consecutive numbers; a REC_OUT carries
 * the number of the REC_SYS it belongs to, and REC_TIME/REC_GAP repeat the
 * number of the record before them (the journal's numbers never decrease).
 *
 * Time: records carry @dts, the signed difference in ns between their
 * monotonic timestamp and the one of the previous timed record; REC_TIME
 * (written first and then at least every REC_TIME_EVERY records, or when
 * a difference does not fit in 32 bits) sets the absolute time. This keeps
 * records of a tight loop nearly identical, so LZ4 compresses them well.
 *
 * REC_SYS    one system call, written at its return:
 *            struct rec_sys, then REC_OUT records with the bytes the kernel
 *            wrote into user memory (rec_sys.nout of them, in order).
 *            Consecutive syscalls without outputs (nout == 0) are batched:
 *            one journal record of k * sizeof(struct rec_sys) bytes (k <=
 *            REC_BATCH_MAX) holds events seq, seq + 1, ..., seq + k - 1.
 * REC_OUT    struct rec_out + data: @len bytes written at (region @region,
 *            offset @off). Regions 0..5 are "the buffer argument i points
 *            to"; REC_REGION_IOV is the data scattered through an iovec
 *            array (offset counts across the vector); the others below.
 * REC_IN     struct rec_in + string: an input string argument (a path, an
 *            xattr or memfd name) as read at syscall entry, without its
 *            NUL, at most REC_STR_MAX bytes. Written *before* the REC_SYS
 *            it belongs to, with the same sequence number (so the REC_SYS
 *            and its REC_OUTs stay together); rec_reader attaches them to
 *            the syscall event and does not return them on their own.
 * REC_SIGNAL struct rec_signal: a signal delivered to a thread.
 * REC_SCHED  struct rec_sched: a traced thread switched out, switched in or
 *            was woken.
 * REC_TASK   struct rec_task (+ exec file name): clone/fork, exec, exit.
 * REC_GAP    struct rec_gap: events were lost; not replayable past it.
 * REC_SNAP   a snapshot of a recorded process (ttrec.ko): kind PARK,
 *            struct rec_snap_park, where one thread parked for it; kind
 *            TAKEN, struct rec_snap + a struct rec_snap_thread per thread,
 *            the snapshot itself, after every park of it: its image and
 *            each thread's position in the journal.
 * REC_TIME   struct rec_time: absolute monotonic time.
 * REC_START  struct rec_start: the first record; the recording's origin.
 */
#ifndef TTREC_RECORD_H
#define TTREC_RECORD_H

/*
 * The record layout's version (REC_START, meta's format_version); readers
 * take every version up to it (user/format/records.c).
 * 2: rec_sys.nr is the whole syscall number (64 bits; 16 in version 1).
 * 3: rec_signal carries the interrupted user registers and the top of the
 *    user stack (REC_SIGNAL_SIZE_VER2).
 * 4: REC_SNAP records (snapshots placed in the journal).
 */
#define REC_FORMAT_VERSION	4

enum {
	REC_SYS		= 1,
	REC_OUT		= 2,
	REC_SIGNAL	= 3,
	REC_SCHED	= 4,
	REC_TASK	= 5,
	REC_GAP		= 6,
	REC_TIME	= 7,
	REC_START	= 8,
	REC_IN		= 9,
	REC_SNAP	= 10,	/* format 4 */
	REC_NR_TYPES,
};

/* rec_sys.flags */
#define REC_SF_OUT_UNKNOWN	0x01	/* syscall not in the table: outputs not recorded */
#define REC_SF_OUT_LOST		0x02	/* ring full: some output bytes are missing */
#define REC_SF_OUT_FAULT	0x04	/* an output could not be read back (fault) */
#define REC_SF_OUT_PARTIAL	0x08	/* the table covers only part of the outputs */
#define REC_SF_NO_ENTER		0x10	/* slow path, entered before tracing began: args from regs */
#define REC_SF_NORETURN		0x20	/* exit/exit_group: recorded at entry, @ret is 0 */

#define REC_BATCH_MAX		64

/*
 * The header REC_SYS, REC_SIGNAL, REC_SCHED and REC_TASK share: each
 * record's struct starts with these fields at these offsets (checked in
 * user/format/records.c), so the time and the thread of any of them are
 * read the same way.
 */
struct rec_hdr {
	__u8  type;		/* REC_SYS, REC_SIGNAL, REC_SCHED, REC_TASK */
	__u8  own1;		/* the record's own fields */
	__u16 own2;
	__s32 dts;
	__u32 tid;
};

/*
 * @nr is the whole orig_ax register, as ptrace shows it (not the
 * tracepoints' id, an int): a program may pass any 64-bit number
 * (syscall(-1), an x32 number 0x40000000 | n, a probe for a syscall this
 * kernel lacks), and replay must find the same one.
 */
struct rec_sys {
	__u8  type;		/* REC_SYS */
	__u8  flags;		/* REC_SF_* */
	__u16 pad;		/* 0 */
	__s32 dts;
	__u32 tid;
	__u32 nout;		/* REC_OUT records that follow */
	__s64 nr;		/* x86_64 syscall number */
	__s64 ret;
	__u64 args[6];
};

#define REC_REGION_IOV		8	/* through the iovec array */
#define REC_REGION_MSGNAME	9	/* recvmsg: msg_name */
#define REC_REGION_MSGCTL	10	/* recvmsg: msg_control */
#define REC_REGION_IFCBUF	11	/* ioctl SIOCGIFCONF: ifc_buf */
#define REC_REGION_PTR		12	/* the pointer a struct argument starts with
					 * (REC_OUT_IOVEC1: iov_base) */
/*
 * recvmmsg: what the kernel wrote for the ret messages, each region the
 * messages' bytes one after the other (the offset counts across them):
 * message i's part starts at the sum of the parts of messages 0..i-1, which
 * the mmsghdr array (region 1, recorded first) gives:
 *   MMSG_IOV   msg_len bytes of message i, through its msg_iov
 *   MMSG_NAME  min(msg_namelen, 128) bytes at msg_name (0 if msg_name is
 *              NULL); msg_namelen is the address length after the call
 *   MMSG_CTL   msg_controllen bytes at msg_control (0 if NULL)
 */
#define REC_REGION_MMSG_IOV	13
#define REC_REGION_MMSG_NAME	14
#define REC_REGION_MMSG_CTL	15
#define REC_MMSG_NAME_MAX	128	/* sizeof(struct sockaddr_storage) */

struct rec_out {
	__u8  type;		/* REC_OUT */
	__u8  region;		/* 0..5: argument index, or REC_REGION_* */
	__u16 flags;		/* 0 */
	__u32 off;		/* offset of data[0] in the region */
	/* __u8 data[]: the rest of the record */
};

#define REC_STR_MAX		256	/* bytes of an input string kept */

/* rec_in.flags */
#define REC_IN_TRUNC		0x01	/* longer than REC_STR_MAX: cut there */
#define REC_IN_FAULT		0x02	/* unreadable: no bytes */

struct rec_in {
	__u8  type;		/* REC_IN */
	__u8  arg;		/* argument index 0..5 */
	__u8  flags;		/* REC_IN_* */
	__u8  pad[5];
	/* __u8 str[]: the rest of the record, no NUL */
};

/*
 * A signal delivered to a thread. With @syscall >= 0 it came at a
 * syscall's return (interrupting it, or after it); with -1 between
 * syscalls, while the thread ran user code: the registers and the top of
 * the stack then tell the replay which execution of the instruction at @ip
 * it interrupted.
 *
 * A REC_SIGNAL is versioned by its size: the fields after @ip came later,
 * each version appending to the one before (the reader hands out whole
 * structs, the fields a record lacks zero):
 *   REC_SIGNAL_SIZE_VER0   up to @ip (format versions 1 and 2)
 *   REC_SIGNAL_SIZE_VER1   + @flags, @si_errno, @si_fields (format 2)
 *   REC_SIGNAL_SIZE_VER2   + the user registers, @stack (format 3)
 * @flags says which of the later fields hold what they name.
 */
#define REC_SIGNAL_SIZE_VER0	48
#define REC_SIGNAL_SIZE_VER1	88
#define REC_SIGNAL_SIZE_VER2	280

/* rec_signal.flags */
#define REC_SIG_INFO		0x01	/* @si_errno and @si_fields are the siginfo's */
#define REC_SIG_REGS		0x02	/* @bx .. @rflags are the user registers */
#define REC_SIG_STACK		0x04	/* @stack holds the words at @sp */

#define REC_SI_FIELDS		32	/* the union after si_code in struct siginfo */
#define REC_SIG_STACK_WORDS	8

struct rec_signal {
	__u8  type;		/* REC_SIGNAL */
	__u8  pad;
	__u16 sig;
	__s32 dts;
	__u32 tid;
	__s32 code;		/* si_code */
	__u64 handler;		/* sa_handler: 0 SIG_DFL, 1 SIG_IGN, else address */
	__s64 syscall;		/* syscall it interrupted (orig_ax), -1: none */
	__s64 ax;		/* its return value so far (-ERESTART*, -EINTR); else rax */
	__u64 ip;		/* user ip at delivery */
	/* REC_SIGNAL_SIZE_VER1 */
	__u32 flags;		/* REC_SIG_* */
	__s32 si_errno;
	/*
	 * What a handler finds after si_code, as delivered: by si_code the
	 * sender's si_pid and si_uid (kill, sigqueue, tgkill), a child's
	 * si_pid, si_uid, si_status, si_utime and si_stime (SIGCHLD),
	 * si_value, si_timerid and si_overrun, si_addr, si_band and si_fd...
	 */
	__u8  si_fields[REC_SI_FIELDS];
	/* REC_SIGNAL_SIZE_VER2: the rest of task_pt_regs() at delivery */
	__u64 bx, cx, dx, si, di, bp, sp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rflags;
	__u64 stack[REC_SIG_STACK_WORDS];	/* at sp, sp + 8, ... */
};

#define REC_SCHED_OUT		1	/* switched out (sched_switch, prev) */
#define REC_SCHED_IN		2	/* switched in (sched_switch, next) */
#define REC_SCHED_WAKEUP	3	/* woken (sched_wakeup) */

struct rec_sched {
	__u8  type;		/* REC_SCHED */
	__u8  kind;		/* REC_SCHED_* */
	__u16 cpu;
	__s32 dts;
	__u32 tid;
	__u32 state;		/* OUT: prev_state (0: preempted, runnable) */
	__u64 ip;		/* OUT: user ip saved at kernel entry */
	__u32 preempt;		/* OUT: 1 if involuntary */
	__u32 other;		/* tid switched to / from, or the waker */
};

#define REC_TASK_CLONE		1	/* new thread in a traced process */
#define REC_TASK_FORK		2	/* new process (traced only with --follow-fork) */
#define REC_TASK_EXEC		3	/* execve succeeded; name follows */
#define REC_TASK_EXIT		4	/* thread exited */

struct rec_task {
	__u8  type;		/* REC_TASK */
	__u8  kind;		/* REC_TASK_* */
	__u8  group_dead;	/* EXIT: last thread of the process */
	__u8  traced;		/* FORK: the child is traced too */
	__s32 dts;
	__u32 tid;		/* the thread the event happened in */
	__u32 tgid;
	__u32 child;		/* CLONE/FORK: new tid; EXEC: old tid (another
				 * than @tid: a thread other than the main one
				 * exec'd and took @tid); EXIT: the thread whose
				 * exec ended this one, or 0 */
	__u32 exit_code;	/* EXIT: wait status */
	/* EXEC: file name, NUL-terminated, after the struct */
};

struct rec_gap {
	__u8  type;		/* REC_GAP */
	__u8  pad[7];
	__u64 lost;		/* events lost at this point */
	__u64 from_seq;		/* not replayable from this sequence number on */
};

/*
 * Snapshots (REC_SNAP). A snapshot parks every thread of the process at
 * the user/kernel boundary (ttrec.ko, kmod/park.c); each thread, parked,
 * takes a sequence number and the snapshot takes one after all of them,
 * before any thread goes on (Documentation/record.rst, Snapshots).
 */
#define REC_SNAP_PARK		1	/* a thread parked (struct rec_snap_park) */
#define REC_SNAP_TAKEN		2	/* the snapshot (struct rec_snap) */

/* rec_snap_park.flags, rec_snap_thread.flags */
#define REC_SNAPT_SYSCALL	0x01	/* parked on the way out of syscall @nr */
#define REC_SNAPT_IN_SYSCALL	0x02	/* ... which is not over: its result so far
					 * is a restart code (-ERESTART*), the
					 * kernel restarts it after the park (or a
					 * signal ends it): what becomes of it
					 * comes after the position */

struct rec_snap_park {
	__u8  type;		/* REC_SNAP */
	__u8  kind;		/* REC_SNAP_PARK */
	__u16 flags;		/* REC_SNAPT_* */
	__s32 dts;
	__u32 tid;		/* the parked thread */
	__u32 pad;		/* 0 */
	__u64 park;		/* the module's park id */
	__s64 nr;		/* orig_ax at the park: the syscall, or -1 */
	__s64 ret;		/* ax at the park: the syscall's result so far */
};

/* A thread of a snapshot: where it is in the journal. */
struct rec_snap_thread {
	__u32 tid;
	__u32 flags;		/* REC_SNAPT_* */
	__u64 last_seq;		/* its last record before it parked; 0: none */
	__u64 park_seq;		/* its REC_SNAP PARK record */
	__s64 nr;		/* as in its PARK record */
};

#define REC_SNAP_NAME_MAX	64
#define REC_SNAP_MAX_THREADS	4096

struct rec_snap {
	__u8  type;		/* REC_SNAP */
	__u8  kind;		/* REC_SNAP_TAKEN */
	__u16 pad;		/* 0 */
	__s32 dts;
	__u32 tid;		/* the process (its tgid) */
	__u32 nthreads;		/* struct rec_snap_thread that follow */
	__u64 park;		/* the module's park id */
	__u64 snap_id;		/* the module's snapshot id (the image's snap_id) */
	__u8  image_id[16];	/* the image's id */
	char  image[REC_SNAP_NAME_MAX];	/* its file in the recording directory,
					 * NUL-terminated */
	/* struct rec_snap_thread threads[nthreads], sorted by tid */
};

#define REC_TIME_EVERY		65536

struct rec_time {
	__u8  type;		/* REC_TIME */
	__u8  pad[7];
	__u64 ns;		/* CLOCK_MONOTONIC */
};

struct rec_start {
	__u8  type;		/* REC_START */
	__u8  pad[3];
	__u32 version;		/* REC_FORMAT_VERSION */
	__u64 ns;		/* CLOCK_MONOTONIC at start */
};

/*
 * Ring events (BPF -> user space). Not on disk. Every event but
 * REC_EV_CHUNK takes a global sequence number after its ring space is
 * reserved, so the numbers have no holes; the ring buffer may hold them
 * slightly out of order across CPUs and user space sorts them.
 * A syscall's output bytes travel as REC_EV_CHUNK events emitted *before*
 * its REC_EV_SYS (so the consumer drains them while a large output is
 * still being copied); they are matched by (tid, call). Its input strings
 * travel the same way, emitted at entry, with region REC_EV_IN | arg.
 */
enum {
	REC_EV_SYS	= 1,
	REC_EV_CHUNK	= 2,
	REC_EV_SIGNAL	= 3,
	REC_EV_SCHED	= 4,
	REC_EV_TASK	= 5,
	REC_EV_SYSD	= 6,	/* a syscall and its one output, in one record */
	REC_EV_PARK	= 7,	/* ttrec.ko parked a thread (tracepoint ttrec_park) */
	REC_EV_SNAP	= 8,	/* ttrec.ko took a snapshot (ttrec_snapshot) */
};

struct rec_ev_hdr {
	__u32 type;		/* REC_EV_* */
	__u32 tid;
	__u64 seq;		/* 0 for REC_EV_CHUNK */
	__u64 ts;
};

struct rec_ev_sys {
	struct rec_ev_hdr h;
	__u64 call;		/* the thread's call number: keys the chunks */
	__s64 nr;		/* orig_ax, whole */
	__s64 ret;
	__u64 args[6];
	__u32 flags;		/* REC_SF_* */
	__u32 nchunks;		/* REC_EV_CHUNK events emitted (tried) for it */
	__u32 chunk_tid;	/* the tid its chunks carry, when not h.tid: it
				 * entered as that thread, then exec'd and took
				 * the main thread's tid; else 0 */
	__u32 pad;
};

/*
 * REC_EV_SYSD: a REC_SD_FAST syscall with its output inline (@len bytes of
 * data[] valid, written through argument @region). s.h.type is REC_EV_SYSD.
 */
struct rec_ev_sysd {
	struct rec_ev_sys s;
	__u32 len;
	__u8  region;
	__u8  fault;
	__u8  pad[2];
	/* __u8 data[]: at most REC_CHUNK_MAX */
};

#define REC_CHUNK_MAX		32768
#define REC_EV_IN		0x80	/* rec_ev_chunk.region: an input string */

struct rec_ev_chunk {
	struct rec_ev_hdr h;
	__u64 call;
	__u32 len;		/* bytes of data[] that are valid */
	__u32 off;
	__u8  region;		/* rec_out's; REC_EV_IN | arg: an input string */
	__u8  fault;		/* the read from user memory failed: data is zero */
	__u8  trunc;		/* input string longer than REC_STR_MAX */
	__u8  pad[5];
	/* __u8 data[]: at most REC_CHUNK_MAX */
};

/*
 * The journal's record itself: the BPF program fills all of @s but its
 * header (type, dts, tid), which user space sets as it writes it.
 */
struct rec_ev_signal {
	struct rec_ev_hdr h;
	struct rec_signal s;
};

struct rec_ev_sched {
	struct rec_ev_hdr h;
	__u32 kind;
	__u32 cpu;
	__u32 state;
	__u32 preempt;
	__u32 other;
	__u32 pad;
	__u64 ip;
};

/* REC_EV_PARK: h.tid parked; REC_EV_SNAP: h.tid is the parker's thread. */
struct rec_ev_park {
	struct rec_ev_hdr h;
	__u64 park;		/* park id */
	__s64 nr;		/* PARK: syscall; SNAP: snapshot id */
	__s64 ret;		/* PARK: its result so far; SNAP: 0 */
	__u32 tgid;		/* SNAP: the process */
	__u32 nthreads;		/* SNAP: threads parked */
};

#define REC_COMM_LEN		256

struct rec_ev_task {
	struct rec_ev_hdr h;
	__u32 kind;
	__u32 tgid;
	__u32 child;
	__u32 exit_code;
	__u32 group_dead;
	__u32 traced;
	char  filename[REC_COMM_LEN];
};

/*
 * Map "traced" (key: tgid) values, and map "tslot": the slot
 * tgid % REC_NSLOT holds an ACTIVE traced tgid (record.bpf.c, is_traced()).
 */
#define TRACED_ACTIVE		1
#define TRACED_EXEC		2	/* traced from its next successful execve */
#define TRACED_STATE		3
#define TRACED_NOSLOT		4	/* ACTIVE, but not in tslot: counted in nslow */

#define REC_NSLOT		4096	/* a power of 2 */
#define REC_MAX_TRACED		4096	/* entries of "traced" */

/* Per-CPU loss counters (map "lost"). */
struct rec_lost {
	__u64 events;		/* events that found the ring full */
	__u64 first_seq;	/* the sequence counter at the first loss, +1 */
};

/*
 * The syscall table as BPF sees it (map "sysdesc", indexed by number,
 * filled from user/syscalls/table.c at start). Up to REC_MAX_OUTS output
 * rules. A number is in the table when it is 0..REC_NR_SYSCALLS-1 as a
 * whole 64-bit number: -1 or 2^32 + 39 is not (outputs unknown).
 */
#define REC_NR_SYSCALLS		512
#define REC_MAX_OUTS		4

enum {
	REC_OUT_NONE = 0,
	REC_OUT_FIXED,		/* @size bytes at args[arg] */
	REC_OUT_ARGLEN,		/* args[larg] * @size bytes */
	REC_OUT_RETLEN,		/* ret * @size bytes (ret > 0) */
	REC_OUT_PTRLEN,		/* *(u32 *)args[larg] bytes after the call, at most
				 * the value before it (sockaddr, sockopt) */
	REC_OUT_IOV,		/* iovec array args[arg], args[larg] entries, ret bytes */
	REC_OUT_MSGHDR,		/* struct msghdr args[arg]: itself, name, control, iov */
	REC_OUT_FDSET,		/* fd_set of args[0] bits */
	REC_OUT_CMD,		/* by command (ioctl request, fcntl cmd, prctl
				 * option, in args[larg]): the entry for
				 * REC_CMD_KEY(nr, cmd) in map "cmddesc", whose
				 * own @arg says where the output is; no entry:
				 * outputs unknown */
	REC_OUT_MMSGHDR,	/* recvmmsg: the mmsghdr array (ret entries),
				 * then REC_REGION_MMSG_IOV, _NAME, _CTL */
	REC_OUT_IFCONF,		/* in cmddesc only (ioctl SIOCGIFCONF): struct
				 * ifconf at args[arg], then its ifc_buf */
	REC_OUT_IOVEC1,		/* in cmddesc only (ptrace PTRACE_GETREGSET): one
				 * struct iovec at args[arg], after the call (the
				 * kernel updates iov_len), then iov_len bytes at
				 * iov_base (REC_REGION_PTR) */
};

/* The key of map "cmddesc": a syscall and the value of its command argument. */
#define REC_CMD_KEY(nr, cmd)	(((__u64)(nr) << 32) | (__u32)(cmd))

#define REC_OF_ON_ERROR		0x01	/* copied even when ret < 0 */

struct rec_outspec {
	__u8  how;		/* REC_OUT_* */
	__u8  arg;
	__u8  larg;
	__u8  flags;		/* REC_OF_* */
	__u32 size;
};

#define REC_SD_KNOWN		0x01	/* outputs described (possibly none) */
#define REC_SD_PARTIAL		0x02	/* described, but not completely */
#define REC_SD_NORETURN		0x04	/* never returns (exit, exit_group) */
/*
 * Nothing to do at entry (no input strings or lengths, arguments still in
 * the registers at exit) and at most one output of a plain rule (FIXED,
 * ARGLEN, RETLEN): recorded at exit as one REC_EV_SYSD (or REC_EV_SYS)
 * record, without per-thread state.
 */
#define REC_SD_FAST		0x08

struct rec_sysdesc {
	__u32 flags;		/* REC_SD_* */
	__u32 nout;
	struct rec_outspec out[REC_MAX_OUTS];
	__u32 strargs;		/* bit i: args[i] is an input string (REC_IN) */
	__u32 pad;
};

#endif
