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
	/*
	 * 0: journal_append() compresses and writes a full chunk itself.
	 * Else a thread does, in order, while appends go on into the next
	 * chunk; up to this many bytes of chunks wait for it (then
	 * journal_append() waits). Errors of the thread come back from the
	 * next call. Crash safety is the same: chunks are written whole, in
	 * order, each with one write().
	 */
	size_t queue_bytes;
	/*
	 * With a queue: the thread runs at nice 19, so that it takes only
	 * the CPU time others leave, except while a chunk has waited more
	 * than half a second or someone waits for it (a full queue, a flush).
	 */
	int background;
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
 * Return: 0 or -errno: -E2BIG (record too long), -EINVAL (@seq below the
 * previous record's), -ENOSPC (disk full; the journal stays readable up to
 * the last complete chunk and the writer refuses further appends: after any
 * write error, every later call returns that error again).
 */
int journal_append(struct journal_writer *jw, uint64_t seq,
		   const void *rec, size_t len);
/* journal_append() of the record @a (@alen bytes) followed by @b (@blen). */
int journal_append2(struct journal_writer *jw, uint64_t seq, const void *a,
		    size_t alen, const void *b, size_t blen);
/*
 * Call @fn(@ctx, @seq) whenever a record with sequence number @seq is about
 * to become the first record of a chunk. @fn may journal_append() records
 * of its own with sequence number @seq; they go in front of it, so every
 * chunk can start with what a reader needs to decode it alone (the recorder
 * puts the absolute time there). @fn returns 0 or -errno (passed on by
 * journal_append()). It is not called for a record too big for a chunk, nor
 * again when its records leave too little room: then the record starts the
 * next chunk without them. NULL @fn removes the hook.
 */
void journal_on_chunk_start(struct journal_writer *jw,
			    int (*fn)(void *ctx, uint64_t seq), void *ctx);
/*
 * Write the buffered records as a chunk now (a short one); with a queue,
 * wait until every chunk is written. 0 or -errno.
 */
int journal_flush(struct journal_writer *jw);
/* End the current chunk now: write it, or queue it without waiting. */
int journal_submit(struct journal_writer *jw);
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
 * Next record. *rec points into the reader's buffer, 8-byte aligned, valid
 * until the next call. Bad chunks are reported (pr_warn, once each, with their offset) and
 * skipped: reading carries on with the next good chunk.
 * Return: 1 with a record, 0 at the end, -errno on an I/O error.
 */
int journal_next(struct journal_reader *jr, const void **rec, size_t *len,
		 uint64_t *seq);
void journal_get_stats(const struct journal_reader *jr, struct journal_stats *st);
void journal_close_reader(struct journal_reader *jr);	/* NULL is fine */

/*
 * The on-disk format (Documentation/journal.rst). All integers are
 * little-endian. The reader and writer above are the only code that needs
 * these; they are here for tests and tools that inspect or damage journals
 * on purpose.
 */
#define JOURNAL_MAGIC		"TTRECJNL"	/* 8 bytes, no NUL */
#define JOURNAL_CHUNK_MAGIC	"TTRJCHNK"
#define JOURNAL_FORMAT_VERSION	1

/* At offset 0. */
struct journal_file_header {
	char magic[8];			/* JOURNAL_MAGIC */
	uint32_t version;		/* JOURNAL_FORMAT_VERSION */
	uint32_t header_size;		/* sizeof(struct journal_file_header) */
	uint32_t flags;			/* none defined: must be 0 */
	uint32_t chunk_bytes;		/* the writer's chunk size (a hint) */
	uint64_t create_ns;		/* CLOCK_REALTIME at creation */
	uint8_t reserved[28];		/* written 0, ignored by readers */
	uint32_t header_crc;		/* CRC32C of the 60 bytes above */
};

/* Chunk flags */
#define JOURNAL_CHUNK_LZ4F	(1U << 0)	/* payload is one LZ4 frame */
#define JOURNAL_CHUNK_FLAGS	JOURNAL_CHUNK_LZ4F	/* all known flags */

/* Each chunk: this header, then compressed_len bytes of payload. */
struct journal_chunk_header {
	char magic[8];			/* JOURNAL_CHUNK_MAGIC */
	uint32_t header_crc;		/* CRC32C of this header, this field 0 */
	uint32_t payload_crc;		/* CRC32C of the compressed payload */
	uint32_t compressed_len;	/* payload bytes in the file */
	uint32_t raw_len;		/* payload bytes after decompression */
	uint32_t records;		/* at least 1 */
	uint32_t flags;			/* JOURNAL_CHUNK_*: LZ4F must be set */
	uint64_t first_seq;		/* seq of the first record */
	uint64_t last_seq;		/* seq of the last record */
	uint64_t chunk_no;		/* 0, 1, 2... in file order */
	uint64_t reserved;		/* 0 */
};

/*
 * Each record in the decompressed payload: this header, then len bytes,
 * then zero padding to a multiple of 8 bytes.
 */
struct journal_record_header {
	uint32_t len;			/* record bytes, padding excluded */
	uint32_t reserved;		/* 0 */
	uint64_t seq;
};

#define JOURNAL_REC_ALIGN	8
/* A chunk's raw payload is never longer than this (one maximal record). */
#define JOURNAL_MAX_CHUNK_RAW	(JOURNAL_MAX_RECORD + sizeof(struct journal_record_header))

_Static_assert(sizeof(struct journal_file_header) == 64, "journal file header layout");
_Static_assert(sizeof(struct journal_chunk_header) == 64, "journal chunk header layout");
_Static_assert(sizeof(struct journal_record_header) == 16, "journal record header layout");

/* CRC32C (Castagnoli, as iSCSI/ext4/btrfs): crc32c(0, buf, len) to start. */
uint32_t journal_crc32c(uint32_t crc, const void *buf, size_t len);
/* The same without the SSE4.2 instruction: the fallback, for tests. */
uint32_t journal_crc32c_sw(uint32_t crc, const void *buf, size_t len);

#endif
