/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The journal: an append-only file of LZ4-compressed, checksummed chunks of
 * records. Records are opaque byte strings to this layer (their layout is
 * bpf/record.h's); each carries a sequence number, non-decreasing across
 * the file, and chunk headers say which range of sequence numbers they hold.
 *
 * Crash safety: a chunk is written with one write() after it is complete,
 * so a killed writer leaves at most a torn last chunk, which a reader
 * reports and skips. Documentation/journal.rst describes the format.
 */
#ifndef TTREC_JOURNAL_H
#define TTREC_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

struct journal_writer;
struct journal_reader;

struct journal_opts {
	size_t chunk_bytes;	/* uncompressed bytes per chunk; 0: default (1 MiB) */
	int sync;		/* fdatasync() after every chunk */
};

/*
 * Create @path (must not exist: O_EXCL) and write the file header.
 * Return: 0 or -errno.
 */
int journal_create(const char *path, const struct journal_opts *opts,
		   struct journal_writer **out);
/*
 * Append one record of @len bytes (at most JOURNAL_MAX_RECORD) with sequence
 * number @seq. Buffered; a full chunk is compressed and written.
 * Return: 0 or -errno (-ENOSPC: disk full; the journal stays readable up to
 * the last complete chunk and the writer refuses further appends).
 */
int journal_append(struct journal_writer *jw, uint64_t seq,
		   const void *rec, size_t len);
/* Write the buffered records as a chunk now (a short one). 0 or -errno. */
int journal_flush(struct journal_writer *jw);
/* Flush and close; frees @jw (NULL is fine). 0 or -errno of the flush. */
int journal_close(struct journal_writer *jw);

#define JOURNAL_MAX_RECORD	(64U << 20)

struct journal_stats {
	uint64_t chunks;		/* good chunks read so far */
	uint64_t bad_chunks;		/* skipped: checksum, length, LZ4 */
	uint64_t torn_bytes;		/* trailing bytes of an incomplete chunk */
	uint64_t records;
	uint64_t bytes_raw;		/* uncompressed record bytes */
	uint64_t bytes_compressed;	/* file bytes of good chunks */
	uint64_t first_seq, last_seq;
};

/*
 * Open @path for reading. Refuses a file with the wrong magic or an
 * unsupported format version with -EPROTO (and a readable message through
 * pr_err: what the file is and which version this ttrec reads).
 * Return: 0 or -errno.
 */
int journal_open(const char *path, struct journal_reader **out);
/*
 * Next record. *rec points into the reader's buffer, valid until the next
 * call. Bad chunks are reported (pr_warn, once each, with their offset) and
 * skipped: reading carries on with the next good chunk.
 * Return: 1 with a record, 0 at the end, -errno on an I/O error.
 */
int journal_next(struct journal_reader *jr, const void **rec, size_t *len,
		 uint64_t *seq);
void journal_get_stats(const struct journal_reader *jr, struct journal_stats *st);
void journal_close_reader(struct journal_reader *jr);	/* NULL is fine */

#endif
