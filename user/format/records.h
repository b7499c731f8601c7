/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record codec: journal records (their layout is bpf/record.h's) as
 * written by the recorder and read by dump, info and replay. Writer and
 * reader live side by side in records.c, so that what one writes the other
 * reads. The container below them (chunks, checksums, sequence numbers)
 * is journal.h's.
 *
 * The writer gives every timed record its @dts, puts a REC_TIME where a
 * difference does not fit or every REC_TIME_EVERY records and at the start
 * of every chunk, and batches consecutive output-less syscalls into one
 * journal record.
 *
 * The reader hands out whole units: a syscall comes with its input strings
 * and every output region (address, offset, bytes); batches are split, and
 * REC_IN/REC_OUT records are not returned on their own (except a REC_OUT
 * whose syscall was lost in a damaged chunk). It reads the records of
 * format version 1 too (REC_START says which) and refuses a version it
 * does not know (-EPROTO).
 *
 * The layouts of the structs the kernel writes into recorded output
 * regions (msghdr, mmsghdr, stat, statx, ifconf) are read with the
 * accessors at the end, which use offsetof() on the real structs.
 */
#ifndef TTREC_FORMAT_RECORDS_H
#define TTREC_FORMAT_RECORDS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>
#include <linux/types.h>
#include "record.h"

struct journal_writer;
struct journal_reader;

/* REC_SYS, REC_SIGNAL, REC_SCHED, REC_TASK and REC_SNAP start with a struct rec_hdr. */
static inline bool rec_is_timed(unsigned int type)
{
	return type == REC_SYS || type == REC_SIGNAL || type == REC_SCHED ||
	       type == REC_TASK || type == REC_SNAP;
}

/* ------------------------------------------------------------ writer */

struct rec_writer {
	struct journal_writer *jw;
	int err;			/* the first error: every later call returns it */
	uint64_t last_seq;		/* of the last record written */
	uint64_t last_ts;		/* of the last record given a dts */
	uint64_t since_time;		/* records since the last REC_TIME */
	uint64_t jts;			/* a reader's time after the last record */
	/* consecutive output-less syscalls share one journal record */
	struct rec_sys batch[REC_BATCH_MAX];
	unsigned int nbatch;
	uint64_t batch_seq;
};

/*
 * Write through @jw (which the caller creates and closes), starting with
 * REC_START at @start_ns (sequence number 0). Return: 0 or -errno.
 */
int rec_writer_start(struct rec_writer *w, struct journal_writer *jw, uint64_t start_ns);
/* Make the fields of a REC_IN / REC_OUT header (the data follows it). */
void rec_in_init(struct rec_in *in, unsigned int arg, bool trunc, bool fault);
void rec_out_init(struct rec_out *o, unsigned int region, uint32_t off, bool fault);
/*
 * A syscall, in this order: its REC_IN records (rec_write_inout()), then
 * rec_write_sys() (@r->dts is set here, @r->nout says how many outputs
 * follow), then its @r->nout REC_OUT records (rec_write_inout() or
 * rec_write_out()), all with sequence number @seq.
 */
int rec_write_sys(struct rec_writer *w, uint64_t seq, uint64_t ts, struct rec_sys *r);
/* A whole REC_IN or REC_OUT record (header and data in @rec). */
int rec_write_inout(struct rec_writer *w, uint64_t seq, const void *rec, size_t len);
/* A REC_OUT from its header and its data apart. */
int rec_write_out(struct rec_writer *w, uint64_t seq, const struct rec_out *o,
		  const void *data, size_t len);
/* A REC_SIGNAL, REC_SCHED, REC_TASK or REC_SNAP of @len bytes: its dts is set here. */
int rec_write_event(struct rec_writer *w, uint64_t seq, uint64_t ts, void *rec, size_t len);
/* @lost events were lost, not replayable from @from_seq (0: unknown). */
int rec_write_gap(struct rec_writer *w, uint64_t lost, uint64_t from_seq);
/* Write a pending batch of syscalls now (before journal_submit/flush). */
int rec_writer_flush(struct rec_writer *w);

/* ------------------------------------------------------------ reader */

/* An input string of a syscall (a REC_IN record). */
struct rec_str {
	uint8_t arg;		/* argument index 0..5 */
	uint8_t flags;		/* REC_IN_TRUNC, REC_IN_FAULT */
	const char *s;		/* @len bytes, not NUL-terminated */
	size_t len;
};

/* An output of a syscall (a REC_OUT record): @len bytes at @off of @region. */
struct rec_outdata {
	uint8_t region;		/* 0..5: argument index, or REC_REGION_* */
	uint8_t fault;		/* the recorder could not read it back: no bytes */
	uint32_t off;
	const uint8_t *data;
	size_t len;
};

#define REC_MAX_INS	6

/* A decoded journal record. Valid until the next rec_reader_next(). */
struct rec_event {
	uint64_t seq;
	/*
	 * Absolute CLOCK_MONOTONIC ns; 0 if unknown (after a damaged chunk, in
	 * journals whose chunks do not each start with a REC_TIME).
	 */
	uint64_t ts;
	uint8_t type;		/* REC_* */
	uint32_t tid;		/* rec_is_timed() records: the thread; else 0 */
	const void *rec;	/* the record (struct rec_sys, ...) */
	size_t len;
	/* REC_SYS: its input strings and its outputs, in journal order */
	unsigned int nin;
	struct rec_str in[REC_MAX_INS];
	unsigned int nout;	/* < rec_sys.nout: the others are missing (damage) */
	const struct rec_outdata *out;
	/* REC_SNAP TAKEN: its threads (checked: @len holds them all) */
	const struct rec_snap_thread *snap_threads;
	/* REC_OUT (only one whose syscall was lost): its bytes */
	const uint8_t *data;
	size_t data_len;
};

struct rec_reader {
	struct journal_reader *jr;
	/*
	 * The records' format version: REC_START's (REC_FORMAT_VERSION until
	 * one is read). Version 1 REC_SYS records are widened to struct
	 * rec_sys; rec_event never shows the difference.
	 */
	uint32_t version;
	uint64_t ts;
	uint64_t start_ns;
	bool ts_valid;
	/* records read, by type (batched syscalls one each) */
	uint64_t count[REC_NR_TYPES];
	/* a batch of REC_SYS being returned one by one */
	const uint8_t *batch;
	size_t batch_left;
	uint64_t batch_seq;
	/* damaged chunks skipped so far: time is unknown past one, until a REC_TIME */
	uint64_t bad_chunks;
	/* a record read ahead (after a syscall's outputs) */
	bool have_next;
	const uint8_t *next;
	size_t next_len;
	uint64_t next_seq;
	/* REC_IN records waiting for their REC_SYS (same seq) */
	unsigned int npend;
	uint64_t pend_seq;
	struct rec_str pend[REC_MAX_INS];
	char pend_buf[REC_MAX_INS][REC_STR_MAX];
	/* a REC_SIGNAL being returned, whole (shorter versions zero-filled) */
	struct rec_signal sig;
	/* the syscall being returned, its strings and outputs */
	struct rec_sys sys;
	char in_buf[REC_MAX_INS][REC_STR_MAX];
	struct rec_outdata *outs;
	size_t outs_cap;
	uint8_t *data;
	size_t data_cap;
};

/* Open DIR/journal; 0 or -errno (message printed). */
int rec_reader_open(struct rec_reader *rr, const char *dir);
/* Read @path itself. 0 or -errno (no message). */
int rec_reader_open_file(struct rec_reader *rr, const char *path);
/*
 * 1 with @ev, 0 at the end, -errno; malformed records (too short, a
 * REC_SNAP of an unknown kind, a TAKEN whose threads do not fill it or
 * whose image name is not terminated, a REC_SNAP in a journal before
 * format 4): -EBADMSG; records
 * of a format version this reader does not know: -EPROTO (message printed).
 */
int rec_reader_next(struct rec_reader *rr, struct rec_event *ev);
void rec_reader_close(struct rec_reader *rr);

/* ------------------------------------------------------------ regions */

/* What a recorded fstat(), newfstatat(AT_EMPTY_PATH) or statx(AT_EMPTY_PATH) said. */
struct rec_file_id {
	uint64_t ino, size, mtime_ns;
};

/*
 * If output @o of syscall @s is the struct stat / statx of the descriptor
 * in args[0], its file's identity into @id. Return: true if so.
 */
bool rec_file_id(const struct rec_sys *s, const struct rec_outdata *o,
		 struct rec_file_id *id);

/*
 * If wait4 or waitid @s (its @nout outputs @out) reaped a child, as its
 * result and its status or siginfo say, the child's pid into @pid: not a
 * stop or a continue reported, not waitid's WNOWAIT. Return: true if so.
 */
bool rec_wait_reaped(const struct rec_sys *s, const struct rec_outdata *out,
		     unsigned int nout, int32_t *pid);

/*
 * The pointers of a struct msghdr (recvmsg) or struct mmsghdr (recvmmsg)
 * as the program's memory holds it: the first REC_MSGHDR_BYTES bytes.
 */
#define REC_MSGHDR_BYTES	56	/* sizeof(struct msghdr) */
#define REC_MMSGHDR_BYTES	64	/* sizeof(struct mmsghdr) */
struct rec_msg {
	uint64_t name;		/* msg_name */
	uint32_t namelen;	/* msg_namelen */
	uint64_t iov;		/* msg_iov */
	uint64_t iovlen;	/* msg_iovlen */
	uint64_t control;	/* msg_control */
	uint64_t controllen;	/* msg_controllen */
	uint32_t len;		/* mmsghdr only: msg_len */
};
/* Decode @b (REC_MSGHDR_BYTES, or REC_MMSGHDR_BYTES with @mmsg). */
void rec_msg_decode(const void *b, bool mmsg, struct rec_msg *m);
/* struct ifconf (ioctl SIOCGIFCONF): where ifc_buf points. */
#define REC_IFCONF_BYTES	16	/* sizeof(struct ifconf) */
uint64_t rec_ifconf_buf(const void *b);

/* ------------------------------------------------------------ signals */

/*
 * The siginfo signal @s was delivered with, whole, into @si. Return: false
 * when the record has none (journals from before it was recorded).
 */
bool rec_signal_siginfo(const struct rec_signal *s, siginfo_t *si);
/*
 * Who signal @s names as its sender: the si_pid and si_uid of a kill(),
 * tgkill(), sigqueue() or mq_notify() signal, or of the child a SIGCHLD
 * is about. Return: false when it names none (or the record has no
 * siginfo).
 */
bool rec_signal_sender(const struct rec_signal *s, int32_t *pid, uint32_t *uid);
/*
 * The user registers signal @s interrupted, as ptrace shows them (rip is
 * its ip, rax its ax, orig_rax the syscall it interrupted or -1; the
 * segment registers 0), into @r, and the REC_SIG_STACK_WORDS words at
 * their rsp into @stack; what the record lacks is 0. Return: which of the
 * two it has (REC_SIG_REGS, REC_SIG_STACK; 0 in journals before format 3).
 */
unsigned int rec_signal_regs(const struct rec_signal *s, struct user_regs_struct *r,
			     uint64_t *stack);

#endif
