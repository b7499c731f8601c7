/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording is a directory: "journal" (user/journal.h, records as in
 * bpf/record.h), "meta" (key=value lines: what was recorded, where, when,
 * by which ttrec; the recorder appends the end_* keys when it finishes),
 * and, with attach --snapshot-interval, snapshot images snap-NNNN.img
 * (user/image.h), each noted by a "snapshot=" line in meta. `record` adds
 * the launch facts replay needs (user/replay.h, Documentation/replay.rst):
 * "launch=" and the keys after it in meta, "argv" and "env" (NUL-separated
 * strings) and "execs" (one line per later exec).
 */
#ifndef TTREC_RECORDING_H
#define TTREC_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "record.h"

#define RECORDING_JOURNAL	"journal"
#define RECORDING_META		"meta"

struct journal_reader;

/*
 * Create the directory @dir (it may exist if empty) and write "meta" with
 * @target (a description), @argv (the command line or NULL) and the
 * machine facts. Return: 0 or -errno (message printed).
 */
int recording_create(const char *dir, const char *target, int pid,
		     char *const *argv);
/* Append "key=value\n" lines to DIR/meta. Return: 0 or -errno. */
int recording_meta_append(const char *dir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The value of @key in DIR/meta (the last one), into @buf; 0 or -errno. */
int recording_meta_get(const char *dir, const char *key, char *buf, size_t len);

/* An input string of a syscall (a REC_IN record). */
struct rec_str {
	uint8_t arg;		/* argument index 0..5 */
	uint8_t flags;		/* REC_IN_TRUNC, REC_IN_FAULT */
	const char *s;		/* @len bytes, not NUL-terminated */
	size_t len;
};

#define REC_MAX_INS	6

/* A decoded journal record. */
struct rec_event {
	uint64_t seq;
	/*
	 * Absolute CLOCK_MONOTONIC ns; 0 if unknown (after a damaged chunk, in
	 * journals whose chunks do not each start with a REC_TIME).
	 */
	uint64_t ts;
	uint8_t type;		/* REC_* */
	const void *rec;	/* the record (struct rec_sys, ...) */
	size_t len;
	const uint8_t *data;	/* REC_OUT: payload */
	size_t data_len;
	/* REC_SYS: its input strings (REC_IN records are not returned alone) */
	unsigned int nin;
	struct rec_str in[REC_MAX_INS];
};

struct rec_reader {
	struct journal_reader *jr;
	uint64_t ts;
	uint64_t start_ns;
	bool ts_valid;
	/* a batch of REC_SYS being returned one by one */
	const uint8_t *batch;
	size_t batch_left;
	uint64_t batch_seq;
	/* damaged chunks skipped so far: time is unknown past one, until a REC_TIME */
	uint64_t bad_chunks;
	/* REC_IN records waiting for their REC_SYS (same seq) */
	unsigned int npend;
	uint64_t pend_seq;
	struct rec_str pend[REC_MAX_INS];
	char pend_buf[REC_MAX_INS][REC_STR_MAX];
};

/* Open DIR/journal; 0 or -errno (message printed). */
int rec_reader_open(struct rec_reader *rr, const char *dir);
/* 1 with @ev, 0 at the end, -errno; malformed records: -EBADMSG. */
int rec_reader_next(struct rec_reader *rr, struct rec_event *ev);
void rec_reader_close(struct rec_reader *rr);

#endif
