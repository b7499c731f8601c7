// SPDX-License-Identifier: GPL-2.0
/*
 * The journal container (user/journal.c): round trips, refusing foreign
 * files, torn tails, corrupt chunks and resynchronisation, a writer killed
 * with SIGKILL, a full disk, and a short run of the libFuzzer target.
 * Runs on the host and in the test VM; needs root only for the full-disk
 * test (tmpfs mount), which it skips otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "format/journal.h"
#include "lib/log.h"
#include "kselftest_harness.h"

/* ------------------------------------------------------------- helpers */

/* Record contents are a function of (seq, len), so a reader can check them. */
static void fill_rec(uint8_t *buf, uint64_t seq, size_t len)
{
	uint64_t x = seq * 0x9e3779b97f4a7c15ULL + len + 1;

	for (size_t i = 0; i < len; i++) {
		if (!(i & 7)) {		/* xorshift: incompressible */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		buf[i] = x >> ((i & 7) * 8);
	}
}

static int rec_ok(const void *rec, uint64_t seq, size_t len)
{
	static uint8_t *want;
	static size_t cap;

	if (len > cap) {
		free(want);
		want = malloc(len);
		cap = want ? len : 0;
		if (!want)
			return 0;
	}
	fill_rec(want, seq, len);
	return !memcmp(rec, want, len);
}

/* The record length used for seq @i in most tests: 0..160 bytes. */
static size_t small_len(uint64_t i)
{
	return (i * 37) % 161;
}

/* Write records 0..@n-1 of small_len() with chunk size @chunk. */
static int write_small(const char *path, size_t chunk, uint64_t n)
{
	struct journal_opts o = { .chunk_bytes = chunk };
	struct journal_writer *jw;
	uint8_t buf[256];
	int err;

	err = journal_create(path, &o, &jw);
	if (err)
		return err;
	for (uint64_t i = 0; i < n && !err; i++) {
		fill_rec(buf, i, small_len(i));
		err = journal_append(jw, i, buf, small_len(i));
	}
	if (err) {
		journal_close(jw);
		return err;
	}
	return journal_close(jw);
}

/* What a reader saw. */
struct readback {
	int err;		/* of journal_open or the last journal_next */
	uint64_t n;		/* records */
	uint64_t bad_content;	/* records whose bytes or length are wrong */
	uint64_t misaligned;
	uint64_t seqs[64];	/* seqs where a run of consecutive seqs starts */
	int runs;
	uint64_t last;
	struct journal_stats st;
};

/* Read all of @path; records must be small_len() ones unless @any_len. */
static void read_all(const char *path, struct readback *rb, bool any_len)
{
	struct journal_reader *jr;
	const void *rec;
	size_t len;
	uint64_t seq;
	int r;

	memset(rb, 0, sizeof(*rb));
	rb->err = journal_open(path, &jr);
	if (rb->err)
		return;
	while ((r = journal_next(jr, &rec, &len, &seq)) == 1) {
		if (!rb->n || seq != rb->last + 1) {
			if (rb->runs < 64)
				rb->seqs[rb->runs] = seq;
			rb->runs++;
		}
		if ((!any_len && len != small_len(seq)) || !rec_ok(rec, seq, len))
			rb->bad_content++;
		if ((uintptr_t)rec & 7)
			rb->misaligned++;
		rb->last = seq;
		rb->n++;
	}
	rb->err = r;
	journal_get_stats(jr, &rb->st);
	journal_close_reader(jr);
}

/* File offsets of the chunks of a clean journal; returns how many. */
static int chunk_offsets(const char *path, off_t *offs, int max)
{
	struct journal_chunk_header h;
	off_t off = sizeof(struct journal_file_header);
	int fd = open(path, O_RDONLY), n = 0;

	if (fd < 0)
		return -errno;
	while (n < max && pread(fd, &h, sizeof(h), off) == sizeof(h)) {
		offs[n++] = off;
		off += sizeof(h) + h.compressed_len;
	}
	close(fd);
	return n;
}

/* Records in chunk @i at @offs (from its header). */
static int chunk_records(const char *path, off_t off, uint64_t *first, uint64_t *last)
{
	struct journal_chunk_header h;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	if (pread(fd, &h, sizeof(h), off) != sizeof(h)) {
		close(fd);
		return -EIO;
	}
	close(fd);
	*first = h.first_seq;
	*last = h.last_seq;
	return h.records;
}

static int patch(const char *path, off_t off, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (pwrite(fd, buf, len, off) != (ssize_t)len)
		err = -EIO;
	close(fd);
	return err;
}

static int peek(const char *path, off_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (pread(fd, buf, len, off) != (ssize_t)len)
		err = -EIO;
	close(fd);
	return err;
}

static off_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? -errno : sb.st_size;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = -1, err = 0;
	ssize_t n;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		err = -errno;
		goto cleanup;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			err = -EIO;
			break;
		}
cleanup:
	if (out >= 0)
		close(out);
	close(in);
	return err;
}

static void rm_tree(const char *dir)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (!lstat(p, &sb) && S_ISDIR(sb.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

FIXTURE(jnl) {
	char dir[PATH_MAX];
	char path[PATH_MAX + 8];
	char mnt[PATH_MAX + 8];
	bool mounted;
	bool keep;		/* leave dir for a post-mortem */
};

FIXTURE_SETUP(jnl)
{
	const char *tmp = getenv("TMPDIR") ?: "/tmp";

	snprintf(self->dir, sizeof(self->dir), "%s/ttrec-journal.XXXXXX", tmp);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/j", self->dir);
	self->mounted = false;
	log_verbosity = LOG_ERROR;	/* bad-chunk warnings are expected here */
}

FIXTURE_TEARDOWN(jnl)
{
	if (self->mounted)
		umount2(self->mnt, MNT_DETACH);
	if (!self->keep)
		rm_tree(self->dir);
}

/* ------------------------------------------------------------- tests */

TEST(crc32c_known_values)
{
	uint8_t buf[1031];
	uint32_t whole, parts;

	/* The check value of CRC-32C (Castagnoli), and RFC 3720's zeros. */
	ASSERT_EQ(0xe3069283, journal_crc32c(0, "123456789", 9));
	memset(buf, 0, 32);
	ASSERT_EQ(0x8a9136aa, journal_crc32c(0, buf, 32));
	fill_rec(buf, 7, sizeof(buf));
	whole = journal_crc32c(0, buf, sizeof(buf));
	for (size_t cut = 0; cut < 20; cut++) {
		parts = journal_crc32c(0, buf, cut);
		parts = journal_crc32c(parts, buf + cut, sizeof(buf) - cut);
		ASSERT_EQ(whole, parts);
	}
	/* Odd start addresses take the same path. */
	ASSERT_EQ(journal_crc32c(0, buf + 3, 100),
		  journal_crc32c(journal_crc32c(0, buf + 3, 5), buf + 8, 95));
}

/* Bit at a time, straight from the definition. */
static uint32_t crc32c_ref(const uint8_t *p, size_t len)
{
	uint32_t c = ~0U;

	while (len--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78 : c >> 1;
	}
	return ~c;
}

/* The SSE4.2 path and the table fallback agree, at every alignment. */
TEST(crc32c_paths_agree)
{
	uint8_t buf[600];

	fill_rec(buf, 3, sizeof(buf));
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= sizeof(buf); len += 1 + len / 8) {
			uint32_t want = crc32c_ref(buf + off, len);

			ASSERT_EQ(want, journal_crc32c(0, buf + off, len));
			ASSERT_EQ(want, journal_crc32c_sw(0, buf + off, len));
		}
}

TEST_F(jnl, round_trip)
{
	struct journal_opts o = { .chunk_bytes = 4096 };
	struct journal_writer *jw;
	struct journal_reader *jr;
	uint64_t n = 30000, raw = 0, i, seq, got = 0, expect_seq = 0;
	static uint8_t buf[20000];
	const void *rec;
	size_t len;
	struct journal_stats st;
	int r;

	/* seq i: i / 3 (so seqs repeat), lengths 0..160 and some > chunk */
	ASSERT_EQ(0, journal_create(self->path, &o, &jw));
	for (i = 0; i < n; i++) {
		len = i % 1000 == 999 ? 5000 + i % 15000 : small_len(i);
		fill_rec(buf, i, len);
		ASSERT_EQ(0, journal_append(jw, i / 3, buf, len));
		raw += len;
	}
	ASSERT_EQ(0, journal_close(jw));

	ASSERT_EQ(0, journal_open(self->path, &jr));
	while ((r = journal_next(jr, &rec, &len, &seq)) == 1) {
		uint64_t want = got % 1000 == 999 ? 5000 + got % 15000 : small_len(got);

		ASSERT_EQ(got / 3, seq);
		ASSERT_EQ(want, len);
		fill_rec(buf, got, len);
		ASSERT_EQ(0, memcmp(rec, buf, len));
		ASSERT_EQ(0U, (uintptr_t)rec & 7);
		expect_seq = seq;
		got++;
	}
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, journal_next(jr, &rec, &len, &seq));	/* stays at the end */
	journal_get_stats(jr, &st);
	journal_close_reader(jr);

	EXPECT_EQ(n, got);
	EXPECT_EQ(n, st.records);
	EXPECT_EQ(raw, st.bytes_raw);
	EXPECT_EQ(0U, st.bad_chunks);
	EXPECT_EQ(0U, st.torn_bytes);
	EXPECT_EQ(0U, st.first_seq);
	EXPECT_EQ((n - 1) / 3, st.last_seq);
	EXPECT_EQ(expect_seq, st.last_seq);
	/* every record > 4096 bytes got its own chunk: at least 30 of those */
	EXPECT_LT(n / 1000 + n * 80 / 4096 / 2, st.chunks);
	EXPECT_EQ(file_size(self->path) - (off_t)sizeof(struct journal_file_header),
		  (off_t)st.bytes_compressed);
}

struct hook_ctx {
	struct journal_writer *jw;
	int calls;
	int fail_at;		/* return -EIO on this call (1-based), 0: never */
};

/* Puts a 3-byte marker record "H" + seq in front of each chunk. */
static int put_marker(void *ctx, uint64_t seq)
{
	struct hook_ctx *h = ctx;
	uint8_t m[3] = { 'H', (uint8_t)seq, (uint8_t)(seq >> 8) };

	if (++h->calls == h->fail_at)
		return -EIO;
	return journal_append(h->jw, seq, m, sizeof(m));
}

/* The chunk-start hook: its record opens every chunk, with the next seq. */
TEST_F(jnl, chunk_start_hook_opens_every_chunk)
{
	struct journal_opts o = { .chunk_bytes = 2048 };
	struct hook_ctx h = { 0 };
	struct journal_reader *jr;
	struct journal_stats st;
	static uint8_t buf[4096];
	uint64_t seq, chunks = 0, i, got = 0;
	int r, markers = 0, openers = 0;
	const void *rec;
	size_t len;

	ASSERT_EQ(0, journal_create(self->path, &o, &h.jw));
	journal_on_chunk_start(h.jw, put_marker, &h);
	for (i = 0; i < 2000; i++) {
		/* now and then a record too big for a chunk: no marker for it */
		len = i % 500 == 250 ? 3000 : small_len(i) + 8;
		fill_rec(buf, i, len);
		ASSERT_EQ(0, journal_append(h.jw, i, buf, len));
	}
	ASSERT_EQ(0, journal_close(h.jw));

	ASSERT_EQ(0, journal_open(self->path, &jr));
	while ((r = journal_next(jr, &rec, &len, &seq)) == 1) {
		const uint8_t *p = rec;
		bool is_marker = len == 3 && p[0] == 'H';

		journal_get_stats(jr, &st);
		if (st.chunks != chunks) {	/* the first record of a chunk */
			chunks = st.chunks;
			if (is_marker)
				openers++;
			else
				ASSERT_EQ(3000U, len) TH_LOG("chunk %llu opens with seq %llu",
							     (unsigned long long)chunks,
							     (unsigned long long)seq);
		}
		if (is_marker) {
			markers++;
			ASSERT_EQ(seq & 0xffff, p[1] | (uint64_t)p[2] << 8);
			ASSERT_EQ(got, seq);	/* the seq of the record it precedes */
			continue;
		}
		ASSERT_EQ(got, seq);
		ASSERT_TRUE(rec_ok(rec, seq, len));
		got++;
	}
	ASSERT_EQ(0, r);
	journal_close_reader(jr);
	EXPECT_EQ(2000U, got);
	EXPECT_EQ(h.calls, markers);
	EXPECT_EQ(markers, openers);
	EXPECT_EQ(chunks - 4, (uint64_t)openers);	/* all but the 4 big ones */
	EXPECT_LT(20, markers);
}

/* An error from the hook fails the append that triggered it. */
TEST_F(jnl, chunk_start_hook_error_is_returned)
{
	struct journal_opts o = { .chunk_bytes = 1024 };
	struct hook_ctx h = { .fail_at = 2 };
	static uint8_t buf[512];
	int i, err = 0;

	ASSERT_EQ(0, journal_create(self->path, &o, &h.jw));
	journal_on_chunk_start(h.jw, put_marker, &h);
	for (i = 0; i < 100 && !err; i++)
		err = journal_append(h.jw, i, buf, 200);
	EXPECT_EQ(-EIO, err);
	EXPECT_EQ(2, h.calls);
	journal_on_chunk_start(h.jw, NULL, NULL);
	EXPECT_EQ(0, journal_append(h.jw, i, buf, 200));
	EXPECT_EQ(0, journal_close(h.jw));
}

/*
 * With a writer thread (and a queue of 3 chunks, so appends wait for it):
 * the same records, in order, whole; big records keep their place; the
 * chunk-start hook still opens every chunk; flush waits for the thread.
 */
TEST_F(jnl, queue_round_trip)
{
	struct journal_opts o = { .chunk_bytes = 4096, .queue_bytes = 3 * 4096 };
	struct hook_ctx h = { 0 };
	struct journal_reader *jr;
	struct journal_stats st;
	static uint8_t buf[20000];
	uint64_t n = 20000, i, seq, got = 0, chunks = 0;
	int r, markers = 0;
	const void *rec;
	size_t len;

	ASSERT_EQ(0, journal_create(self->path, &o, &h.jw));
	journal_on_chunk_start(h.jw, put_marker, &h);
	for (i = 0; i < n; i++) {
		len = i % 1000 == 999 ? 5000 + i % 15000 : small_len(i) + 8;
		fill_rec(buf, i, len);
		if (i % 2) {
			ASSERT_EQ(0, journal_append(h.jw, i, buf, len));
		} else {	/* the two-piece form gives the same record */
			ASSERT_EQ(0, journal_append2(h.jw, i, buf, 5, buf + 5, len - 5));
		}
		if (i == n / 2) {
			ASSERT_EQ(0, journal_flush(h.jw));
			/* flushed means written: a reader sees it all */
			ASSERT_EQ(0, journal_open(self->path, &jr));
			while ((r = journal_next(jr, &rec, &len, &seq)) == 1)
				got += len != 3;
			ASSERT_EQ(0, r);
			journal_close_reader(jr);
			EXPECT_EQ(n / 2 + 1, got);
			got = 0;
		}
	}
	ASSERT_EQ(0, journal_close(h.jw));

	ASSERT_EQ(0, journal_open(self->path, &jr));
	while ((r = journal_next(jr, &rec, &len, &seq)) == 1) {
		const uint8_t *p = rec;

		journal_get_stats(jr, &st);
		if (len == 3 && p[0] == 'H') {
			markers++;
			ASSERT_EQ(got, seq);
			continue;
		}
		if (st.chunks != chunks && len < 5000) {
			ASSERT_LT(0, markers);
		}
		chunks = st.chunks;
		ASSERT_EQ(got, seq);
		ASSERT_TRUE(rec_ok(rec, seq, len));
		got++;
	}
	ASSERT_EQ(0, r);
	journal_get_stats(jr, &st);
	journal_close_reader(jr);
	EXPECT_EQ(n, got);
	EXPECT_EQ(0U, st.bad_chunks);
	EXPECT_EQ(h.calls, markers);
	EXPECT_LT(100, markers);
}

TEST_F(jnl, record_of_64mib)
{
	struct journal_writer *jw;
	struct journal_reader *jr;
	const void *rec;
	size_t len, big = JOURNAL_MAX_RECORD;
	uint64_t seq;
	uint8_t *buf = malloc(big + 1), small[8] = "abcdefg";

	ASSERT_NE(NULL, buf);
	fill_rec(buf, 1, big);		/* incompressible: LZ4's worst case */
	ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(0, journal_append(jw, 0, small, 7));
	ASSERT_EQ(-E2BIG, journal_append(jw, 1, buf, big + 1));
	ASSERT_EQ(0, journal_append(jw, 1, buf, big));
	ASSERT_EQ(0, journal_append(jw, 2, small, 8));
	ASSERT_EQ(0, journal_close(jw));
	EXPECT_LT((off_t)big, file_size(self->path));

	ASSERT_EQ(0, journal_open(self->path, &jr));
	ASSERT_EQ(1, journal_next(jr, &rec, &len, &seq));
	ASSERT_EQ(0U, seq);
	ASSERT_EQ(7U, len);
	ASSERT_EQ(1, journal_next(jr, &rec, &len, &seq));
	ASSERT_EQ(1U, seq);
	ASSERT_EQ(big, len);
	ASSERT_EQ(0, memcmp(rec, buf, big));
	ASSERT_EQ(1, journal_next(jr, &rec, &len, &seq));
	ASSERT_EQ(2U, seq);
	ASSERT_EQ(0, memcmp(rec, small, 8));
	ASSERT_EQ(0, journal_next(jr, &rec, &len, &seq));
	journal_close_reader(jr);
	free(buf);
}

TEST_F(jnl, sync_option_and_empty_flush)
{
	struct journal_opts o = { .chunk_bytes = 256, .sync = 1 };
	struct journal_writer *jw;
	struct readback rb;
	uint8_t buf[200];
	off_t before;

	ASSERT_EQ(0, journal_create(self->path, &o, &jw));
	before = file_size(self->path);
	ASSERT_EQ((off_t)sizeof(struct journal_file_header), before);
	ASSERT_EQ(0, journal_flush(jw));		/* nothing buffered: no chunk */
	ASSERT_EQ(before, file_size(self->path));
	for (uint64_t i = 0; i < 40; i++) {
		fill_rec(buf, i, small_len(i));
		ASSERT_EQ(0, journal_append(jw, i, buf, small_len(i)));
	}
	ASSERT_EQ(0, journal_flush(jw));
	ASSERT_EQ(0, journal_close(jw));
	read_all(self->path, &rb, false);
	ASSERT_EQ(0, rb.err);
	EXPECT_EQ(40U, rb.n);
	EXPECT_EQ(1, rb.runs);
	EXPECT_EQ(0U, rb.bad_content);
	EXPECT_EQ(0U, rb.misaligned);
}

TEST_F(jnl, seq_going_down_is_refused)
{
	struct journal_writer *jw;

	ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(0, journal_append(jw, 10, "x", 1));
	ASSERT_EQ(0, journal_append(jw, 10, "y", 1));
	ASSERT_EQ(-EINVAL, journal_append(jw, 9, "z", 1));
	ASSERT_EQ(0, journal_append(jw, 11, "w", 1));
	ASSERT_EQ(0, journal_close(jw));
}

TEST_F(jnl, create_existing_is_eexist)
{
	struct journal_writer *jw = (void *)1;
	struct readback rb;

	ASSERT_EQ(0, write_small(self->path, 0, 10));
	ASSERT_EQ(-EEXIST, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(NULL, jw);
	ASSERT_EQ(0, journal_close(NULL));
	/* and the existing journal is untouched */
	read_all(self->path, &rb, false);
	ASSERT_EQ(0, rb.err);
	ASSERT_EQ(10U, rb.n);
}

TEST_F(jnl, chunk_bytes_too_big_is_einval)
{
	struct journal_opts o = { .chunk_bytes = JOURNAL_MAX_RECORD + 1 };
	struct journal_writer *jw;

	ASSERT_EQ(-EINVAL, journal_create(self->path, &o, &jw));
	ASSERT_NE(0, access(self->path, F_OK));
}

TEST_F(jnl, empty_journal_reads_nothing)
{
	struct journal_writer *jw;
	struct readback rb;

	ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(0, journal_close(jw));
	ASSERT_EQ((off_t)sizeof(struct journal_file_header), file_size(self->path));
	read_all(self->path, &rb, false);
	ASSERT_EQ(0, rb.err);
	EXPECT_EQ(0U, rb.n);
	EXPECT_EQ(0U, rb.st.chunks);
	EXPECT_EQ(0U, rb.st.bad_chunks);
	EXPECT_EQ(0U, rb.st.torn_bytes);
}

TEST_F(jnl, wrong_magic_is_eproto)
{
	struct journal_reader *jr = (void *)1;
	int fd;

	ASSERT_EQ(0, write_small(self->path, 0, 10));
	ASSERT_EQ(0, patch(self->path, 0, "TTRECJNX", 8));
	ASSERT_EQ(-EPROTO, journal_open(self->path, &jr));
	ASSERT_EQ(NULL, jr);

	/* Not a journal at all, and an empty file. */
	unlink(self->path);
	fd = open(self->path, O_WRONLY | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EPROTO, journal_open(self->path, &jr));
	ASSERT_EQ(12, write(fd, "hello world\n", 12));
	close(fd);
	ASSERT_EQ(-EPROTO, journal_open(self->path, &jr));
	/* A directory is not one either; a missing file is ENOENT. */
	ASSERT_EQ(-EPROTO, journal_open(self->dir, &jr));
	unlink(self->path);
	ASSERT_EQ(-ENOENT, journal_open(self->path, &jr));
}

TEST_F(jnl, wrong_version_is_eproto)
{
	struct journal_reader *jr;
	uint32_t v = JOURNAL_FORMAT_VERSION + 1;

	ASSERT_EQ(0, write_small(self->path, 0, 10));
	ASSERT_EQ(0, patch(self->path, offsetof(struct journal_file_header, version), &v, 4));
	ASSERT_EQ(-EPROTO, journal_open(self->path, &jr));
}

TEST_F(jnl, corrupt_file_header_is_eproto)
{
	struct journal_reader *jr;
	uint8_t b = 1;

	ASSERT_EQ(0, write_small(self->path, 0, 10));
	ASSERT_EQ(0, patch(self->path, offsetof(struct journal_file_header, reserved) + 3, &b, 1));
	ASSERT_EQ(-EPROTO, journal_open(self->path, &jr));
	/* A header cut short by a writer killed in journal_create(). */
	ASSERT_EQ(0, truncate(self->path, 20));
	ASSERT_EQ(-EPROTO, journal_open(self->path, &jr));
}

/* Cut the last chunk at every length: the others read back, all of them. */
TEST_F(jnl, torn_tail_at_every_offset)
{
	uint64_t first, last, before;
	off_t offs[64], size, cut;
	struct readback rb;
	int n;

	ASSERT_EQ(0, write_small(self->path, 1024, 60));
	n = chunk_offsets(self->path, offs, 64);
	ASSERT_LE(4, n);
	size = file_size(self->path);
	ASSERT_LT(0, chunk_records(self->path, offs[n - 1], &first, &last));
	before = first;		/* records 0..first-1 are in complete chunks */

	for (cut = size; cut >= offs[n - 1]; cut--) {
		ASSERT_EQ(0, truncate(self->path, cut));
		read_all(self->path, &rb, false);
		ASSERT_EQ(0, rb.err);
		ASSERT_EQ(cut == size ? 60 : before, rb.n) TH_LOG("cut at %lld", (long long)cut);
		ASSERT_EQ(1, rb.runs);
		ASSERT_EQ(0U, rb.bad_content);
		ASSERT_EQ(0U, rb.st.bad_chunks) TH_LOG("cut at %lld", (long long)cut);
		ASSERT_EQ(cut == size ? 0 : cut - offs[n - 1], (off_t)rb.st.torn_bytes)
			TH_LOG("cut at %lld", (long long)cut);
		ASSERT_EQ(cut == size ? n : n - 1, (int)rb.st.chunks);
	}
}

/* A flipped payload byte: that chunk is bad, the ones after it still read. */
TEST_F(jnl, flipped_payload_byte_skips_one_chunk)
{
	off_t offs[64];
	struct readback rb;
	uint64_t first, last;
	uint8_t b, orig;
	int n, i, nr;

	ASSERT_EQ(0, write_small(self->path, 1024, 80));
	n = chunk_offsets(self->path, offs, 64);
	ASSERT_LE(5, n);
	for (i = 0; i < n; i++) {
		off_t end = i + 1 < n ? offs[i + 1] : file_size(self->path);
		off_t at = offs[i] + sizeof(struct journal_chunk_header) +
			   (end - offs[i] - sizeof(struct journal_chunk_header)) * (i + 1) / (n + 1);

		nr = chunk_records(self->path, offs[i], &first, &last);
		ASSERT_LT(0, nr);
		ASSERT_EQ(0, peek(self->path, at, &orig, 1));
		b = orig ^ 0x10;
		ASSERT_EQ(0, patch(self->path, at, &b, 1));
		read_all(self->path, &rb, false);
		ASSERT_EQ(0, rb.err);
		EXPECT_EQ(1U, rb.st.bad_chunks);
		EXPECT_EQ(0U, rb.st.torn_bytes);
		EXPECT_EQ(n - 1, (int)rb.st.chunks);
		EXPECT_EQ(80 - nr, (int)rb.n);
		EXPECT_EQ(0U, rb.bad_content);
		/* the records read are exactly all but first..last */
		EXPECT_EQ(first && last != 79 ? 2 : 1, rb.runs);
		EXPECT_EQ(first ? 0 : last + 1, rb.seqs[0]);
		if (first && last != 79)
			EXPECT_EQ(last + 1, rb.seqs[1]);
		ASSERT_EQ(0, patch(self->path, at, &orig, 1));
	}
}

/* Corrupt chunk headers: the reader finds the next chunk by its magic. */
TEST_F(jnl, corrupt_header_resyncs)
{
	struct journal_chunk_header h, good;
	off_t offs[64];
	struct readback rb;
	uint64_t first, last;
	int n, nr, k;

	ASSERT_EQ(0, write_small(self->path, 1024, 80));
	n = chunk_offsets(self->path, offs, 64);
	ASSERT_LE(5, n);
	nr = chunk_records(self->path, offs[2], &first, &last);
	ASSERT_LT(0, nr);
	ASSERT_EQ(0, peek(self->path, offs[2], &good, sizeof(good)));

	for (k = 0; k < 6; k++) {
		h = good;
		switch (k) {
		case 0: h.compressed_len = 0x7fffffff; break;	/* huge */
		case 1: h.compressed_len = 3; break;		/* into the payload */
		case 2: h.compressed_len += 100; break;		/* into the next chunk */
		case 3: memcpy(h.magic, "XXXXXXXX", 8); break;
		case 4:	/* a checksummed lie (a writer bug): past EOF */
			h.compressed_len = 0x100000;
			h.header_crc = 0;
			h.header_crc = journal_crc32c(0, &h, sizeof(h));
			break;
		case 5:	/* a checksummed lie: into the payload */
			h.compressed_len = 40;
			h.header_crc = 0;
			h.header_crc = journal_crc32c(0, &h, sizeof(h));
			break;
		}
		ASSERT_EQ(0, patch(self->path, offs[2], &h, sizeof(h)));
		read_all(self->path, &rb, false);
		ASSERT_EQ(0, rb.err);
		EXPECT_LE(1U, rb.st.bad_chunks) TH_LOG("case %d", k);
		EXPECT_EQ(0U, rb.st.torn_bytes) TH_LOG("case %d", k);
		EXPECT_EQ(n - 1, (int)rb.st.chunks) TH_LOG("case %d", k);
		EXPECT_EQ(80 - nr, (int)rb.n) TH_LOG("case %d", k);
		EXPECT_EQ(2, rb.runs) TH_LOG("case %d", k);
		EXPECT_EQ(last + 1, rb.seqs[1]) TH_LOG("case %d", k);
		EXPECT_EQ(0U, rb.bad_content);
	}
	ASSERT_EQ(0, patch(self->path, offs[2], &good, sizeof(good)));
}

/*
 * Chunk headers with good checksums that lie (a writer bug, or a crafted
 * file): each is a bad chunk, no record of it comes out, and a huge length
 * does not make the reader allocate it.
 */
TEST_F(jnl, checksummed_header_lies_are_bad_chunks)
{
	struct rlimit rl = { .rlim_cur = 1UL << 30, .rlim_max = RLIM_INFINITY };
	struct journal_chunk_header h, good;
	off_t offs[64];
	struct readback rb;
	uint64_t first, last;
	int n, nr, k;

	ASSERT_EQ(0, write_small(self->path, 1024, 80));
	n = chunk_offsets(self->path, offs, 64);
	ASSERT_LE(5, n);
	nr = chunk_records(self->path, offs[2], &first, &last);
	ASSERT_LT(1, nr);
	ASSERT_EQ(0, peek(self->path, offs[2], &good, sizeof(good)));
	ASSERT_EQ(0, setrlimit(RLIMIT_AS, &rl));	/* 1 GiB: no 4 GiB buffers */

	for (k = 0; k < 8; k++) {
		h = good;
		switch (k) {
		case 0: h.records++; break;
		case 1: h.records--; break;
		case 2: h.last_seq++; break;
		case 3: h.first_seq = h.last_seq + 1; break;
		case 4: h.raw_len = 0xfffffff0; break;
		case 5: h.raw_len = h.compressed_len * 300; break;
		case 6: h.flags |= 2; break;
		case 7: h.reserved = 1; break;
		}
		h.header_crc = 0;
		h.header_crc = journal_crc32c(0, &h, sizeof(h));
		ASSERT_EQ(0, patch(self->path, offs[2], &h, sizeof(h)));
		read_all(self->path, &rb, false);
		ASSERT_EQ(0, rb.err) TH_LOG("case %d", k);
		EXPECT_EQ(1U, rb.st.bad_chunks) TH_LOG("case %d", k);
		EXPECT_EQ(0U, rb.st.torn_bytes) TH_LOG("case %d", k);
		EXPECT_EQ(n - 1, (int)rb.st.chunks) TH_LOG("case %d", k);
		EXPECT_EQ(80 - nr, (int)rb.n) TH_LOG("case %d", k);
		EXPECT_EQ(2, rb.runs) TH_LOG("case %d", k);
		EXPECT_EQ(0U, rb.bad_content);
	}
}

/* Garbage between chunks, and a bad chunk just before a torn tail. */
TEST_F(jnl, garbage_between_chunks_and_before_torn_tail)
{
	char copy[PATH_MAX + 16];
	off_t offs[64], size;
	struct readback rb;
	uint8_t junk[300];
	int n, fd;

	ASSERT_EQ(0, write_small(self->path, 1024, 80));
	n = chunk_offsets(self->path, offs, 64);
	ASSERT_LE(5, n);
	size = file_size(self->path);
	snprintf(copy, sizeof(copy), "%s.copy", self->path);

	/* header + chunks 0..1 + junk (with a stray magic) + chunks 2.. */
	{
		uint8_t *all = malloc(size);

		ASSERT_NE(NULL, all);
		ASSERT_EQ(0, peek(self->path, 0, all, size));
		fill_rec(junk, 99, sizeof(junk));
		memcpy(junk + 100, JOURNAL_CHUNK_MAGIC, 8);
		fd = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ASSERT_LE(0, fd);
		ASSERT_EQ(offs[2], write(fd, all, offs[2]));
		ASSERT_EQ((ssize_t)sizeof(junk), write(fd, junk, sizeof(junk)));
		ASSERT_EQ(size - offs[2], write(fd, all + offs[2], size - offs[2]));
		close(fd);
		free(all);
	}
	read_all(copy, &rb, false);
	ASSERT_EQ(0, rb.err);
	EXPECT_EQ(80U, rb.n);
	EXPECT_EQ(1, rb.runs);
	EXPECT_EQ(1U, rb.st.bad_chunks);
	EXPECT_EQ(n, (int)rb.st.chunks);

	/* Break chunk n-2's magic and tear chunk n-1: bad, then torn. */
	ASSERT_EQ(0, copy_file(self->path, copy));
	ASSERT_EQ(0, patch(copy, offs[n - 2], "YYYY", 4));
	ASSERT_EQ(0, truncate(copy, offs[n - 1] + 70));
	read_all(copy, &rb, false);
	ASSERT_EQ(0, rb.err);
	EXPECT_EQ(1U, rb.st.bad_chunks);
	EXPECT_EQ(70U, rb.st.torn_bytes);
	EXPECT_EQ(n - 2, (int)rb.st.chunks);
	EXPECT_EQ(1, rb.runs);
}

/*
 * SIGKILL a writer in a tight append loop at random moments: what is left
 * reads back as records 0..N-1, none missing, none wrong.
 */
TEST_F(jnl, sigkill_writer_leaves_a_clean_prefix)
{
	int iters = 8, torn = 0;

	srand(time(NULL) ^ getpid());
	for (int it = 0; it < iters; it++) {
		struct readback rb;
		pid_t pid;
		int st;

		unlink(self->path);
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			struct journal_opts o = { .chunk_bytes = 64 << 10 };
			struct journal_writer *jw;
			static uint8_t buf[2048];
			uint64_t i;

			if (journal_create(self->path, &o, &jw))
				_exit(1);
			for (i = 0;; i++) {
				size_t len = i % 64 == 63 ? 2000 : small_len(i);

				fill_rec(buf, i, len);
				if (journal_append(jw, i, buf, len))
					_exit(2);
				if (i % 500 == 499 && journal_flush(jw))
					_exit(3);
			}
		}
		/*
		 * Wait for two chunks' worth past the header (the first chunk is
		 * then whole: one writer appends them in order; a loaded
		 * machine may not have written any 40 ms after the header),
		 * then let it run 1..40 ms more.
		 */
		for (int w = 0; w < 50000 && file_size(self->path) <= 64 + (128 << 10); w++)
			usleep(200);
		usleep(1000 + rand() % 40000);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		ASSERT_TRUE(WIFSIGNALED(st)) TH_LOG("writer exited with %d", WEXITSTATUS(st));

		read_all(self->path, &rb, true);
		ASSERT_EQ(0, rb.err);
		EXPECT_LT(0U, rb.n);
		EXPECT_EQ(0U, rb.st.bad_chunks);
		EXPECT_EQ(0U, rb.bad_content);
		if (rb.n) {
			EXPECT_EQ(1, rb.runs);
			EXPECT_EQ(0U, rb.seqs[0]);
			EXPECT_EQ(rb.n - 1, rb.last);
		}
		torn += rb.st.torn_bytes > 0;
	}
	TH_LOG("%d of %d kills tore the last chunk", torn, iters);
}

/* A full disk: -ENOSPC, a clean journal, and no appends after. */
static void enospc_test(struct __test_metadata *_metadata,
			FIXTURE_DATA(jnl) *self, size_t queue_bytes)
{
	struct journal_opts o = { .chunk_bytes = 16 << 10, .queue_bytes = queue_bytes };
	struct journal_writer *jw;
	struct readback rb;
	uint8_t buf[256];
	uint64_t ok = 0;
	int err = 0;

	snprintf(self->mnt, sizeof(self->mnt), "%s/mnt", self->dir);
	ASSERT_EQ(0, mkdir(self->mnt, 0755));
	if (mount("tmpfs", self->mnt, "tmpfs", 0, "size=256k")) {
		if (errno == EPERM)
			SKIP(return, "cannot mount a tmpfs (not root?)");
		ASSERT_EQ(0, -errno);
	}
	self->mounted = true;
	snprintf(self->path, sizeof(self->path), "%s/mnt/j", self->dir);

	ASSERT_EQ(0, journal_create(self->path, &o, &jw));
	while (ok < 100000) {
		fill_rec(buf, ok, 200);	/* incompressible */
		err = journal_append(jw, ok, buf, 200);
		if (err)
			break;
		ok++;
	}
	ASSERT_EQ(-ENOSPC, err);
	ASSERT_EQ(-ENOSPC, journal_append(jw, ok, buf, 200));
	ASSERT_EQ(-ENOSPC, journal_flush(jw));
	ASSERT_EQ(-ENOSPC, journal_close(jw));

	read_all(self->path, &rb, true);
	ASSERT_EQ(0, rb.err);
	EXPECT_EQ(0U, rb.st.bad_chunks);
	EXPECT_EQ(0U, rb.st.torn_bytes);	/* the partial chunk was cut off */
	EXPECT_EQ(0U, rb.bad_content);
	EXPECT_EQ(1, rb.runs);
	EXPECT_LT(0U, rb.n);
	EXPECT_LE(rb.n, ok);
	/*
	 * only the chunk being written was lost (16 KiB / 216 bytes = 75
	 * records), and with a queue the chunks in it and the one filling
	 */
	EXPECT_GE(rb.n + 76 * (2 + queue_bytes / o.chunk_bytes), ok);
	EXPECT_EQ(file_size(self->path),
		  (off_t)(rb.st.bytes_compressed + sizeof(struct journal_file_header)));
}

TEST_F(jnl, enospc_leaves_a_clean_journal)
{
	enospc_test(_metadata, self, 0);
}

/* The same with the writer thread: its error comes back from later calls. */
TEST_F(jnl, enospc_with_a_queue)
{
	enospc_test(_metadata, self, 64 << 10);
}

/* ------------------------------------------------------------- fuzzing */

static char fuzz_dir[PATH_MAX];

__attribute__((constructor)) static void find_fuzz(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n < 0 ? 0 : n] = '\0';
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/../fuzz", dirname(self));
}

static int run_wait(char *const argv[], const char *env, const char *log)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		if (env)
			putenv((char *)env);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * A brief run of the fuzz target selftests/fuzz/@name (host only: it needs
 * ASan) in @dir, from the seeds it writes itself.
 */
static void fuzz_briefly(struct __test_metadata *_metadata, FIXTURE_DATA(jnl) *self,
			 const char *name)
{
	char corpus[PATH_MAX + 16], log[PATH_MAX + 16], env[PATH_MAX + 48];
	char arts[PATH_MAX + 32], line[512], bin[PATH_MAX + 64];
	const char *secs = getenv("TTREC_FUZZ_SECONDS") ?: "20";
	char tflag[64];
	char *seed_argv[] = { bin, NULL };
	char *fuzz_argv[] = { bin, tflag, "-timeout=10", "-rss_limit_mb=2048",
			      "-print_final_stats=1", arts, corpus, NULL };
	FILE *f;
	int rc;

	snprintf(bin, sizeof(bin), "%s/%s", fuzz_dir, name);
	if (atoi(secs) <= 0)	/* libFuzzer reads 0 as "no limit" */
		SKIP(return, "TTREC_FUZZ_SECONDS=%.20s: no fuzzing", secs);
	if (access(bin, X_OK))
		SKIP(return, "no fuzz target at %.900s (it is built on the host only)", bin);
	snprintf(corpus, sizeof(corpus), "%s/corpus", self->dir);
	snprintf(log, sizeof(log), "%s/fuzz.log", self->dir);
	snprintf(arts, sizeof(arts), "-artifact_prefix=%s/", self->dir);
	snprintf(env, sizeof(env), "TTREC_FUZZ_MKSEEDS=%s", corpus);
	snprintf(tflag, sizeof(tflag), "-max_total_time=%s", secs);
	ASSERT_EQ(0, mkdir(corpus, 0755));
	ASSERT_EQ(0, run_wait(seed_argv, env, log));
	rc = run_wait(fuzz_argv, NULL, log);

	f = fopen(log, "r");
	while (f && fgets(line, sizeof(line), f)) {
		/* the summary, or everything when it failed */
		if (rc || strstr(line, "stat::") || strstr(line, "Done ") ||
		    strstr(line, "ERROR") || strstr(line, "SUMMARY"))
			TH_LOG("%s", strtok(line, "\n") ?: "");
	}
	if (f)
		fclose(f);
	self->keep = rc != 0;
	ASSERT_EQ(0, rc) TH_LOG("the fuzzer found a problem; reproducer in %s", self->dir);
}

/* The journal container: selftests/fuzz/journal_fuzz.c. */
TEST_F_TIMEOUT(jnl, fuzz_reader_briefly, 120)
{
	fuzz_briefly(_metadata, self, "journal_fuzz");
}

/* The record decoder above it: selftests/fuzz/records_fuzz.c. */
TEST_F_TIMEOUT(jnl, fuzz_record_decoder_briefly, 120)
{
	fuzz_briefly(_metadata, self, "records_fuzz");
}

TEST_HARNESS_MAIN
