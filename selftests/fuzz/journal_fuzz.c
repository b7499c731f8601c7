// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the journal (user/journal.c). Built by `make` on the
 * host with clang -fsanitize=fuzzer,address,undefined; `make fuzz` runs it,
 * and the selftest jnl.fuzz_reader_briefly runs it for 20 s.
 *
 * The input picks one of three modes:
 *  - it starts with the file magic: read it as a journal file as it is, then
 *    once more with every checksum made right (file header, and every chunk
 *    header found by its magic), so mutations get past the CRCs into the
 *    length checks, the LZ4 decoder and the record framing;
 *  - it starts with 'W': a script for the writer (record sizes, seq steps,
 *    flushes, chunk size); what is written must read back exactly;
 *  - anything else: byte 0 says how, the rest is a raw chunk payload that
 *    this target compresses and checksums into a one-chunk journal, so the
 *    record framing checks see arbitrary bytes.
 * Every reader run must end (journal_next returns 0 or -errno) without a
 * sanitizer report.
 *
 * TTREC_FUZZ_MKSEEDS=DIR journal_fuzz: write a seed corpus to DIR and exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <lz4frame.h>

#include "format/journal.h"
#include "lib/log.h"

/* The tool's log.c needs libbpf; the fuzzer formats messages, prints none. */
int log_verbosity = LOG_DEBUG;

void log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

static int memfd = -1;
static char memfd_path[64];
static char wpath[4096];	/* the writer mode's file (journal_create: O_EXCL) */

static void reset_file(const void *data, size_t size)
{
	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
}

/* Read everything; returns records read (or -1 when open refused it). */
static long read_journal(const char *path)
{
	struct journal_reader *jr;
	struct journal_stats st;
	const void *rec;
	size_t len;
	uint64_t seq;
	long n = 0;
	int r;

	if (journal_open(path, &jr))
		return -1;
	while ((r = journal_next(jr, &rec, &len, &seq)) == 1) {
		volatile uint8_t sink;

		/* touch both ends: ASan checks the record lies in the buffer */
		if (len)
			sink = ((const uint8_t *)rec)[0] ^ ((const uint8_t *)rec)[len - 1];
		(void)sink;
		if ((uintptr_t)rec & 7 || len > JOURNAL_MAX_RECORD)
			abort();
		n++;
	}
	if (r != 0)
		abort();	/* a memfd cannot fail to read */
	journal_get_stats(jr, &st);
	if (st.records != (uint64_t)n)
		abort();
	if (journal_next(jr, &rec, &len, &seq) != 0)	/* stays at the end */
		abort();
	journal_close_reader(jr);
	return n;
}

/* Make every checksum in @buf right. */
static void fix_crcs(uint8_t *buf, size_t size)
{
	struct journal_file_header fh;
	uint8_t *p = buf + 1;

	if (size >= sizeof(fh)) {
		memcpy(&fh, buf, sizeof(fh));
		fh.header_crc = journal_crc32c(0, &fh, offsetof(struct journal_file_header, header_crc));
		memcpy(buf, &fh, sizeof(fh));
	}
	while ((p = memmem(p, size - (p - buf), JOURNAL_CHUNK_MAGIC, 8))) {
		struct journal_chunk_header h;
		size_t off = p - buf, avail;

		if (size - off < sizeof(h))
			break;
		memcpy(&h, p, sizeof(h));
		avail = size - off - sizeof(h);
		h.payload_crc = journal_crc32c(0, p + sizeof(h),
					       h.compressed_len < avail ? h.compressed_len : avail);
		h.header_crc = 0;
		h.header_crc = journal_crc32c(0, &h, sizeof(h));
		memcpy(p, &h, sizeof(h));
		p++;
	}
}

static void journal_mode(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	reset_file(data, size);
	read_journal(memfd_path);

	copy = malloc(size);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	fix_crcs(copy, size);
	reset_file(copy, size);
	read_journal(memfd_path);
	free(copy);
}

/* A journal of one chunk around raw payload @raw (header values from @how). */
static void payload_mode(const uint8_t *data, size_t size)
{
	struct journal_file_header fh = { .magic = JOURNAL_MAGIC };
	struct journal_chunk_header h = { .magic = JOURNAL_CHUNK_MAGIC };
	LZ4F_preferences_t prefs = { .frameInfo.contentSize = 0 };
	const uint8_t *raw = data + 1;
	size_t raw_len = size - 1, cap, clen, pos = 0;
	uint8_t how = data[0], *file;
	uint32_t nr = 0;

	/* The header a correct writer would give this payload... */
	while (pos <= raw_len && raw_len - pos >= sizeof(struct journal_record_header)) {
		struct journal_record_header rh;

		memcpy(&rh, raw + pos, sizeof(rh));
		if (!nr)
			h.first_seq = rh.seq;
		h.last_seq = rh.seq;
		nr++;
		if (rh.len > raw_len)
			break;
		pos += sizeof(rh) + ((rh.len + 7) & ~7U);
	}
	h.records = nr;
	/* ...or a lie, now and then */
	if (how & 1)
		h.records += (how >> 4) - 8;
	if (how & 2)
		h.last_seq += (how >> 4) - 8;
	if (how & 4)
		prefs.frameInfo.contentSize = raw_len;
	prefs.frameInfo.blockSizeID = how & 8 ? LZ4F_max64KB : LZ4F_max256KB;
	prefs.frameInfo.blockMode = how & 16 ? LZ4F_blockIndependent : LZ4F_blockLinked;

	cap = LZ4F_compressFrameBound(raw_len, &prefs);
	file = malloc(sizeof(fh) + sizeof(h) + cap);
	if (!file)
		abort();
	clen = LZ4F_compressFrame(file + sizeof(fh) + sizeof(h), cap, raw, raw_len, &prefs);
	if (LZ4F_isError(clen))
		abort();
	fh.version = JOURNAL_FORMAT_VERSION;
	fh.header_size = sizeof(fh);
	fh.header_crc = journal_crc32c(0, &fh, offsetof(struct journal_file_header, header_crc));
	h.compressed_len = clen;
	h.raw_len = raw_len;
	h.flags = JOURNAL_CHUNK_LZ4F;
	h.payload_crc = journal_crc32c(0, file + sizeof(fh) + sizeof(h), clen);
	h.header_crc = journal_crc32c(0, &h, sizeof(h));
	memcpy(file, &fh, sizeof(fh));
	memcpy(file + sizeof(fh), &h, sizeof(h));
	reset_file(file, sizeof(fh) + sizeof(h) + clen);
	read_journal(memfd_path);
	free(file);
}

/* Record contents for seq: a window on a fixed pattern (a loop here would
 * spend the fuzzer's time in coverage callbacks). */
static uint8_t pattern[5000 + 256];

static void fill(uint8_t *buf, uint64_t seq, size_t len)
{
	memcpy(buf, pattern + seq % 256, len);
}

/* 'W', chunk size, then per record: size selector, seq step | flush. */
static void writer_mode(const uint8_t *data, size_t size)
{
	struct journal_opts o = { .chunk_bytes = 16 + (size > 1 ? data[1] * 8 : 0) };
	static uint8_t buf[5000], want[5000];
	struct journal_writer *jw;
	struct journal_reader *jr;
	const void *rec;
	size_t len, i, n = 0;
	uint64_t seq = 0, s;
	static uint64_t seqs[4096];
	static uint16_t lens[4096];
	int r;

	unlink(wpath);
	if (journal_create(wpath, &o, &jw))
		abort();
	for (i = 2; i + 1 < size && n < 4096; i += 2) {
		len = data[i] == 255 ? 4999 : data[i];
		seq += data[i + 1] & 3;
		fill(buf, seq, len);
		if (journal_append(jw, seq, buf, len))
			abort();
		seqs[n] = seq;
		lens[n++] = len;
		if ((data[i + 1] & 0x80) && journal_flush(jw))
			abort();
	}
	if (journal_close(jw))
		abort();

	if (journal_open(wpath, &jr))
		abort();
	for (i = 0; (r = journal_next(jr, &rec, &len, &s)) == 1; i++) {
		if (i >= n || s != seqs[i] || len != lens[i])
			abort();
		fill(want, s, len);
		if (memcmp(rec, want, len))
			abort();
	}
	if (r || i != n)
		abort();
	journal_close_reader(jr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 8 && !memcmp(data, JOURNAL_MAGIC, 8))
		journal_mode(data, size);
	else if (size && data[0] == 'W')
		writer_mode(data, size);
	else if (size)
		payload_mode(data, size);
	return 0;
}

/* ------------------------------------------------------------- seeds */

static int write_seed(const char *dir, const char *name, const void *buf, size_t len)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "journal_fuzz: cannot write seed %s: %s\n", p, strerror(errno));
		return -1;
	}
	return 0;
}

static int journal_seed(const char *dir, const char *name, size_t chunk, int nrec,
			int bigevery)
{
	struct journal_opts o = { .chunk_bytes = chunk };
	struct journal_writer *jw;
	static uint8_t buf[3000];
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	if (journal_create(p, &o, &jw))
		return -1;
	for (int i = 0; i < nrec; i++) {
		size_t len = bigevery && i % bigevery == bigevery - 1 ? 3000 : (i * 13) % 90;

		fill(buf, i / 2, len);
		if (journal_append(jw, i / 2, buf, len))
			return -1;
	}
	return journal_close(jw);
}

static int make_seeds(const char *dir)
{
	uint8_t raw[1 + 5 * 40];
	uint8_t script[2 + 2 * 24];
	size_t pos = 1;
	int err = 0;

	err |= journal_seed(dir, "empty", 0, 0, 0);
	err |= journal_seed(dir, "one", 0, 1, 0);
	err |= journal_seed(dir, "small-chunks", 256, 30, 0);
	err |= journal_seed(dir, "big-record", 512, 12, 5);

	/* payload mode: five records of 0..24 bytes */
	memset(raw, 0, sizeof(raw));
	raw[0] = 0;
	for (int i = 0; i < 5; i++) {
		struct journal_record_header rh = { .len = i * 6, .seq = 100 + i };

		memcpy(raw + pos, &rh, sizeof(rh));
		pos += sizeof(rh) + ((rh.len + 7) & ~7U);
	}
	err |= write_seed(dir, "payload", raw, pos);

	/* writer mode */
	script[0] = 'W';
	script[1] = 6;
	for (int i = 0; i < 24; i++) {
		script[2 + 2 * i] = i == 7 ? 255 : i * 11;
		script[3 + 2 * i] = (i & 3) | (i % 9 == 8 ? 0x80 : 0);
	}
	err |= write_seed(dir, "writer", script, sizeof(script));
	return err ? 1 : 0;
}

static void cleanup(void)
{
	unlink(wpath);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("TTREC_FUZZ_MKSEEDS");
	const char *tmp = getenv("TMPDIR") ?: "/tmp";

	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 131 + (i >> 8) * 7);
	if (seeds) {
		log_verbosity = LOG_ERROR;
		exit(make_seeds(seeds));
	}
	memfd = memfd_create("journal_fuzz", MFD_CLOEXEC);
	if (memfd < 0) {
		perror("journal_fuzz: memfd_create");
		exit(1);
	}
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	snprintf(wpath, sizeof(wpath), "%s/journal_fuzz.%d.jnl", tmp, (int)getpid());
	atexit(cleanup);
	return 0;
}
