// SPDX-License-Identifier: GPL-2.0
/*
 * The journal container: an append-only file of LZ4-frame-compressed,
 * CRC32C-checksummed chunks of records. Documentation/journal.rst is the
 * format; journal.h the API.
 *
 * Writer: journal_append() copies the record into an in-memory chunk; a full
 * chunk is compressed behind a chunk header and written with one write() at
 * the end of the file. A failed write is cut back off with ftruncate(), so
 * the file always ends on a chunk boundary, except when the writer is killed
 * inside that one write(): then the reader finds a torn last chunk.
 *
 * Reader: validates the file header, then walks the chunks. A chunk whose
 * header checksum fails is resynchronised past by scanning for the next
 * chunk magic whose header checks out; a chunk whose payload fails (checksum,
 * LZ4, record framing) is skipped by its (checksummed) length. Each bad
 * chunk is reported once with its offset, and no record of it is returned.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <lz4frame.h>

#include "format/journal.h"
#include "lib/log.h"

#define JOURNAL_DEFAULT_CHUNK	(1U << 20)
#define JOURNAL_MAX_CHUNK_BYTES	JOURNAL_MAX_RECORD
#define JOURNAL_SCAN_WINDOW	(256U << 10)
#define REC_HDR			sizeof(struct journal_record_header)
#define CHUNK_HDR		sizeof(struct journal_chunk_header)

_Static_assert(sizeof(JOURNAL_MAGIC) - 1 == 8, "file magic is 8 bytes");
_Static_assert(sizeof(JOURNAL_CHUNK_MAGIC) - 1 == 8, "chunk magic is 8 bytes");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the journal structs are used in place: little-endian hosts only");

static inline size_t rec_span(size_t len)
{
	return REC_HDR + ((len + JOURNAL_REC_ALIGN - 1) & ~(size_t)(JOURNAL_REC_ALIGN - 1));
}

/* ------------------------------------------------------------- CRC32C */

static uint32_t crc32c_table[8][256];
static bool crc32c_have_sse42;

static uint32_t crc32c_sw(uint32_t c, const uint8_t *p, size_t len);
#if defined(__x86_64__)
static uint32_t crc32c_hw(uint32_t c, const uint8_t *p, size_t len);

/* The fastest of three runs of @fn over 16 KiB, in ns. */
static uint64_t crc32c_time(uint32_t (*fn)(uint32_t, const uint8_t *, size_t))
{
	static uint8_t buf[16384];
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		struct timespec a, b;
		uint64_t ns;

		clock_gettime(CLOCK_MONOTONIC, &a);
		__asm__ volatile("" : : "r"(fn(0, buf, sizeof(buf))) : "memory");
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = (uint64_t)(b.tv_sec - a.tv_sec) * 1000000000ULL + b.tv_nsec - a.tv_nsec;
		if (ns < best)
			best = ns;
	}
	return best;
}
#endif

/* At load time: no locking or once-flags on the hot path. */
static void __attribute__((constructor)) crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78 : c >> 1;
		crc32c_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc32c_table[t][i] = (crc32c_table[t - 1][i] >> 8) ^
					     crc32c_table[0][crc32c_table[t - 1][i] & 0xff];
#if defined(__x86_64__)
	/*
	 * The crc32 instruction when the CPU has it and it is the faster: an
	 * emulator without a native one (QEMU's TCG, the test VM's) runs it
	 * several times slower than the tables.
	 */
	__builtin_cpu_init();
	crc32c_have_sse42 = __builtin_cpu_supports("sse4.2") &&
			    crc32c_time(crc32c_hw) <= crc32c_time(crc32c_sw);
#endif
}

/* Slicing-by-8: about 1.5 GB/s, for CPUs without SSE4.2. */
static uint32_t crc32c_sw(uint32_t c, const uint8_t *p, size_t len)
{
	while (len && ((uintptr_t)p & 7)) {
		c = crc32c_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
		len--;
	}
	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		w ^= c;
		c = crc32c_table[7][w & 0xff] ^ crc32c_table[6][(w >> 8) & 0xff] ^
		    crc32c_table[5][(w >> 16) & 0xff] ^ crc32c_table[4][(w >> 24) & 0xff] ^
		    crc32c_table[3][(w >> 32) & 0xff] ^ crc32c_table[2][(w >> 40) & 0xff] ^
		    crc32c_table[1][(w >> 48) & 0xff] ^ crc32c_table[0][w >> 56];
		p += 8;
		len -= 8;
	}
	while (len--)
		c = crc32c_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t c, const uint8_t *p, size_t len)
{
	uint64_t c64 = c;

	while (len && ((uintptr_t)p & 7)) {
		c64 = __builtin_ia32_crc32qi((uint32_t)c64, *p++);
		len--;
	}
	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		c64 = __builtin_ia32_crc32di(c64, w);
		p += 8;
		len -= 8;
	}
	while (len--)
		c64 = __builtin_ia32_crc32qi((uint32_t)c64, *p++);
	return (uint32_t)c64;
}
#endif

uint32_t journal_crc32c(uint32_t crc, const void *buf, size_t len)
{
#if defined(__x86_64__)
	if (crc32c_have_sse42)
		return ~crc32c_hw(~crc, buf, len);
#endif
	return ~crc32c_sw(~crc, buf, len);
}

uint32_t journal_crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	return ~crc32c_sw(~crc, buf, len);
}

static uint32_t chunk_header_crc(const struct journal_chunk_header *h)
{
	struct journal_chunk_header tmp = *h;

	tmp.header_crc = 0;
	return journal_crc32c(0, &tmp, sizeof(tmp));
}

static uint32_t file_header_crc(const struct journal_file_header *h)
{
	return journal_crc32c(0, h, offsetof(struct journal_file_header, header_crc));
}

/* ------------------------------------------------------------- writer */

/* A chunk's records waiting for the writer thread (journal_opts.queue_bytes). */
struct jbuf {
	struct jbuf *next;
	uint8_t *raw;
	size_t cap, used;
	uint32_t nr;
	uint64_t first_seq, last_seq;
	uint64_t queued_ns;		/* CLOCK_MONOTONIC when queued */
	bool own;			/* malloc'd for one big record, not pooled */
};

/* journal_opts.background: the most a chunk waits for a nice 19 writer */
#define BACKGROUND_LAG_NS	500000000ULL

/* Memory for pooled chunk buffers: huge-page backed slabs, kept to the end. */
struct slab {
	struct slab *next;
	size_t size, used;
};

#define SLAB_BYTES	(8U << 20)

struct journal_writer {
	int fd;
	char *path;		/* for messages */
	int sync;
	int error;		/* sticky -errno: refuse appends after a failure */
	uint8_t *raw;		/* the chunk being filled: records */
	size_t raw_cap;		/* chunk_bytes */
	size_t raw_used;
	uint32_t nr;		/* records in raw */
	uint64_t first_seq, last_seq;
	uint64_t prev_seq;	/* last seq appended: seqs never go down */
	bool any;		/* a record was appended (prev_seq valid) */
	uint8_t *out;		/* chunk header + compressed payload */
	size_t out_cap;
	size_t out_norm;	/* out_cap a chunk of chunk_bytes needs */
	off_t end;		/* file size: end of the last complete chunk */
	uint64_t chunk_no;
	LZ4F_cctx *cctx;
	int (*chunk_start)(void *ctx, uint64_t seq);	/* journal_on_chunk_start() */
	void *chunk_start_ctx;
	bool in_chunk_start;
	/*
	 * queue_bytes > 0: full chunks go to a thread that compresses and writes
	 * them in order. @mu protects the queue, the free list, @queued, @stop,
	 * @busy and @error (which the thread sets); @raw is then a pool buffer
	 * (@cur) that only the appending thread touches.
	 */
	size_t queue_bytes;
	pthread_t thread;
	bool have_thread;
	pthread_mutex_t mu;
	pthread_cond_t work;		/* queue not empty, or stop */
	pthread_cond_t done;		/* a chunk written (space, idle) */
	struct jbuf *head, **tail;
	struct jbuf *free;
	struct jbuf *cur;
	struct slab *slabs;
	size_t queued;			/* bytes of buffers queued or being written */
	size_t pooled;			/* bytes of pool buffers in all */
	bool stop, busy;
	bool background;		/* journal_opts.background */
	pid_t tid;			/* the thread's, once it runs */
	int nice;			/* its nice value now */
};

#ifndef JOURNAL_LZ4_LEVEL
#define JOURNAL_LZ4_LEVEL	0
#endif
#ifndef JOURNAL_LZ4_BLOCK
#define JOURNAL_LZ4_BLOCK	LZ4F_max256KB
#endif

static const LZ4F_preferences_t lz4_prefs = {
	.frameInfo = {
		.blockSizeID = JOURNAL_LZ4_BLOCK,
		.blockMode = LZ4F_blockLinked,
		.contentChecksumFlag = LZ4F_noContentChecksum,	/* we CRC */
		.frameType = LZ4F_frame,
	},
	.compressionLevel = JOURNAL_LZ4_LEVEL,	/* 0: LZ4 default (fast) */
	.autoFlush = 1,			/* no staging copy inside LZ4F */
};

/* Write all of @buf at @off; 0 or -errno. */
static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int ensure_out(struct journal_writer *jw, size_t need)
{
	uint8_t *p;

	if (need <= jw->out_cap)
		return 0;
	p = realloc(jw->out, need);
	if (!p)
		return -ENOMEM;
	jw->out = p;
	jw->out_cap = need;
	return 0;
}

/*
 * Compress @npieces raw buffers (together: one chunk payload holding @nr
 * records, seqs @first..@last) and write the chunk with one write() at the
 * end of the file. On failure the file is cut back to its last chunk
 * boundary and the writer goes into the sticky error state.
 */
static int write_chunk(struct journal_writer *jw, const void *const *pieces,
		       const size_t *lens, int npieces, uint32_t nr,
		       uint64_t first, uint64_t last)
{
	struct journal_chunk_header *h;
	size_t need = CHUNK_HDR + LZ4F_HEADER_SIZE_MAX + LZ4F_compressBound(0, &lz4_prefs);
	size_t raw_len = 0, pos, r;
	LZ4F_preferences_t prefs = lz4_prefs;
	int err, i;

	for (i = 0; i < npieces; i++) {
		need += LZ4F_compressBound(lens[i], &lz4_prefs);
		raw_len += lens[i];
	}
	err = ensure_out(jw, need);
	if (err)
		goto fail;

	prefs.frameInfo.contentSize = raw_len;	/* the decoder checks it */
	pos = CHUNK_HDR;
	r = LZ4F_compressBegin(jw->cctx, jw->out + pos, jw->out_cap - pos, &prefs);
	if (LZ4F_isError(r))
		goto lz4_fail;
	pos += r;
	for (i = 0; i < npieces; i++) {
		if (!lens[i])
			continue;
		r = LZ4F_compressUpdate(jw->cctx, jw->out + pos, jw->out_cap - pos,
					pieces[i], lens[i], NULL);
		if (LZ4F_isError(r))
			goto lz4_fail;
		pos += r;
	}
	r = LZ4F_compressEnd(jw->cctx, jw->out + pos, jw->out_cap - pos, NULL);
	if (LZ4F_isError(r))
		goto lz4_fail;
	pos += r;

	h = (struct journal_chunk_header *)jw->out;
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, JOURNAL_CHUNK_MAGIC, sizeof(h->magic));
	h->compressed_len = htole32(pos - CHUNK_HDR);
	h->raw_len = htole32(raw_len);
	h->records = htole32(nr);
	h->flags = htole32(JOURNAL_CHUNK_LZ4F);
	h->first_seq = htole64(first);
	h->last_seq = htole64(last);
	h->chunk_no = htole64(jw->chunk_no);
	h->payload_crc = htole32(journal_crc32c(0, jw->out + CHUNK_HDR, pos - CHUNK_HDR));
	h->header_crc = htole32(chunk_header_crc(h));

	err = pwrite_all(jw->fd, jw->out, pos, jw->end);
	if (!err && jw->sync && fdatasync(jw->fd))
		err = -errno;
	if (err) {
		/* Leave the file ending at the last complete chunk. */
		if (ftruncate(jw->fd, jw->end))
			pr_err("journal %s: cannot cut a failed chunk off at offset %lld: %s; "
			       "readers will report it as torn\n", jw->path,
			       (long long)jw->end, strerror(errno));
		pr_err("journal %s: writing a chunk at offset %lld failed: %s; "
		       "the journal holds what was written before\n", jw->path,
		       (long long)jw->end, strerror(-err));
		goto fail;
	}
	jw->end += pos;
	jw->chunk_no++;
	return 0;

lz4_fail:
	pr_err("journal %s: LZ4 compression failed: %s\n", jw->path, LZ4F_getErrorName(r));
	err = -EIO;
fail:
	__atomic_store_n(&jw->error, err, __ATOMIC_RELEASE);
	return err;
}

#if defined(__x86_64__)
#include <emmintrin.h>

/*
 * Copy with non-temporal stores: a queued chunk is read back only by the
 * writer thread, long after; not reading the destination lines first (as a
 * store to uncached memory does) halves the memory traffic of the copy.
 */
static void copy_nt(uint8_t *d, const uint8_t *s, size_t n)
{
	size_t head = (16 - ((uintptr_t)d & 15)) & 15;

	if (head > n)
		head = n;
	memcpy(d, s, head);
	d += head;
	s += head;
	n -= head;
	for (; n >= 64; n -= 64, d += 64, s += 64) {
		__m128i a = _mm_loadu_si128((const __m128i *)s);
		__m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
		__m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
		__m128i e = _mm_loadu_si128((const __m128i *)(s + 48));

		_mm_stream_si128((__m128i *)d, a);
		_mm_stream_si128((__m128i *)(d + 16), b);
		_mm_stream_si128((__m128i *)(d + 32), c);
		_mm_stream_si128((__m128i *)(d + 48), e);
	}
	memcpy(d, s, n);
}
#define store_fence()	_mm_sfence()
#else
#define copy_nt(d, s, n)	memcpy(d, s, n)
#define store_fence()	do { } while (0)
#endif

/* ------------------------------------------------- the writer thread */

static int get_error(struct journal_writer *jw)
{
	return __atomic_load_n(&jw->error, __ATOMIC_ACQUIRE);
}

static void *thread_main(void *arg)
{
	struct journal_writer *jw = arg;
	struct jbuf *b;

	pthread_setname_np(pthread_self(), "ttrec-journal");
	pthread_mutex_lock(&jw->mu);
	jw->tid = syscall(SYS_gettid);
	if (jw->nice)
		setpriority(PRIO_PROCESS, jw->tid, jw->nice);
	for (;;) {
		while (!jw->head && !jw->stop)
			pthread_cond_wait(&jw->work, &jw->mu);
		if (!jw->head)
			break;
		b = jw->head;
		jw->head = b->next;
		if (!jw->head)
			jw->tail = &jw->head;
		jw->busy = true;
		pthread_mutex_unlock(&jw->mu);

		if (!get_error(jw)) {
			const void *piece = b->raw;
			size_t len = b->used;

			/* sets jw->error on failure; the rest is then dropped */
			write_chunk(jw, &piece, &len, 1, b->nr, b->first_seq, b->last_seq);
		}

		pthread_mutex_lock(&jw->mu);
		jw->busy = false;
		jw->queued -= b->cap;
		if (b->own) {
			free(b->raw);
			free(b);
		} else {
			b->next = jw->free;
			jw->free = b;
		}
		pthread_cond_broadcast(&jw->done);
	}
	pthread_mutex_unlock(&jw->mu);
	return NULL;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The writer thread's nice value (@mu held); applied when it starts. */
static void set_nice(struct journal_writer *jw, int nice)
{
	if (jw->nice == nice)
		return;
	jw->nice = nice;
	if (jw->tid)
		setpriority(PRIO_PROCESS, jw->tid, nice);
}

/* A pool buffer for the next chunk; waits while @queue_bytes are in flight. */
static struct jbuf *get_buf(struct journal_writer *jw)
{
	struct jbuf *b = NULL;
	struct slab *sl;

	pthread_mutex_lock(&jw->mu);
	for (;;) {
		if (jw->free) {
			b = jw->free;
			jw->free = b->next;
			break;
		}
		if (jw->pooled + jw->raw_cap <= jw->queue_bytes || !jw->pooled)
			break;		/* make a new one */
		if (get_error(jw))
			break;
		set_nice(jw, 0);	/* we wait for it */
		pthread_cond_wait(&jw->done, &jw->mu);
	}
	pthread_mutex_unlock(&jw->mu);
	if (b)
		return b;
	if (get_error(jw))
		return NULL;
	sl = jw->slabs;
	if (!sl || sl->size - sl->used < jw->raw_cap) {
		size_t size = jw->raw_cap + 64 > SLAB_BYTES ? jw->raw_cap + 64 : SLAB_BYTES;
		void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p == MAP_FAILED)
			return NULL;
		madvise(p, size, MADV_HUGEPAGE);	/* fewer page faults */
		memset(p, 0, size);			/* and take them now */
		sl = p;
		sl->size = size;
		sl->used = 64;
		sl->next = jw->slabs;
		jw->slabs = sl;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->raw = (uint8_t *)sl + sl->used;
	b->cap = jw->raw_cap;
	sl->used += jw->raw_cap;
	pthread_mutex_lock(&jw->mu);
	jw->pooled += jw->raw_cap;
	pthread_mutex_unlock(&jw->mu);
	return b;
}

static void enqueue(struct journal_writer *jw, struct jbuf *b)
{
	store_fence();		/* the copy_nt() stores, before the thread reads */
	pthread_mutex_lock(&jw->mu);
	b->next = NULL;
	b->queued_ns = mono_ns();
	*jw->tail = b;
	jw->tail = &b->next;
	jw->queued += b->cap;
	/*
	 * background: compress only with the CPU time others leave, unless
	 * the oldest chunk has waited too long (then a crash would lose it).
	 */
	if (jw->background)
		set_nice(jw, b->queued_ns - jw->head->queued_ns > BACKGROUND_LAG_NS ? 0 : 19);
	pthread_cond_signal(&jw->work);
	pthread_mutex_unlock(&jw->mu);
}

/* Hand the current chunk to the thread and start a new one. */
static int submit_cur(struct journal_writer *jw)
{
	struct jbuf *b = jw->cur;

	b->used = jw->raw_used;
	b->nr = jw->nr;
	b->first_seq = jw->first_seq;
	b->last_seq = jw->last_seq;
	enqueue(jw, b);
	jw->raw_used = 0;
	jw->nr = 0;
	jw->cur = get_buf(jw);
	if (!jw->cur) {
		jw->raw = NULL;
		if (!get_error(jw))
			__atomic_store_n(&jw->error, -ENOMEM, __ATOMIC_RELEASE);
		return get_error(jw);
	}
	jw->raw = jw->cur->raw;
	return 0;
}

/* Wait until everything queued is written. */
static int wait_idle(struct journal_writer *jw)
{
	pthread_mutex_lock(&jw->mu);
	if (jw->head || jw->busy)
		set_nice(jw, 0);
	while (jw->head || jw->busy)
		pthread_cond_wait(&jw->done, &jw->mu);
	pthread_mutex_unlock(&jw->mu);
	return get_error(jw);
}

int journal_submit(struct journal_writer *jw)
{
	const void *piece;
	size_t len;
	int err;

	err = get_error(jw);
	if (err)
		return err;
	if (!jw->nr)
		return 0;
	if (jw->queue_bytes)
		return submit_cur(jw);
	piece = jw->raw;
	len = jw->raw_used;
	err = write_chunk(jw, &piece, &len, 1, jw->nr, jw->first_seq, jw->last_seq);
	/* Written or not (then the writer is dead), the buffer starts over. */
	jw->raw_used = 0;
	jw->nr = 0;
	return err;
}

int journal_flush(struct journal_writer *jw)
{
	int err = journal_submit(jw);

	if (!err && jw->queue_bytes)
		err = wait_idle(jw);
	return err;
}

/* A record too big for a chunk: a chunk of its own, compressed in place. */
static int append_alone(struct journal_writer *jw, uint64_t seq, const void *a,
			size_t alen, const void *b, size_t blen)
{
	size_t len = alen + blen;
	struct journal_record_header rh = { .len = htole32(len), .seq = htole64(seq) };
	static const uint8_t zero[JOURNAL_REC_ALIGN];
	const void *pieces[4] = { &rh, a, b, zero };
	size_t lens[4] = { sizeof(rh), alen, blen, rec_span(len) - REC_HDR - len };
	uint8_t *p;
	int err;

	if (jw->queue_bytes) {
		/* in its own buffer, in the queue, to keep the order */
		struct jbuf *bb = calloc(1, sizeof(*bb));
		size_t off = 0;
		int i;

		if (bb)
			bb->raw = malloc(rec_span(len));
		if (!bb || !bb->raw) {
			free(bb);
			return -ENOMEM;
		}
		for (i = 0; i < 4; i++) {
			if (lens[i])
				memcpy(bb->raw + off, pieces[i], lens[i]);
			off += lens[i];
		}
		bb->cap = bb->used = off;
		bb->nr = 1;
		bb->first_seq = bb->last_seq = seq;
		bb->own = true;
		enqueue(jw, bb);
		return 0;
	}
	err = write_chunk(jw, pieces, lens, 4, 1, seq, seq);
	/* Do not keep a buffer for a 64 MiB record around. */
	if (jw->out_cap > jw->out_norm) {
		p = realloc(jw->out, jw->out_norm);
		if (p) {
			jw->out = p;
			jw->out_cap = jw->out_norm;
		}
	}
	return err;
}


/* Append the record @a + @b (@b may be NULL with @blen 0). */
static int append(struct journal_writer *jw, uint64_t seq, const void *a, size_t alen,
		  const void *b, size_t blen)
{
	struct journal_record_header *rh;
	size_t len = alen + blen, span;
	bool hooked = false;
	int err;

	err = get_error(jw);
	if (err)
		return err;
	if (len > JOURNAL_MAX_RECORD || len < alen)
		return -E2BIG;
	if (jw->any && seq < jw->prev_seq)
		return -EINVAL;

	span = rec_span(len);
again:
	if (jw->raw_used + span > jw->raw_cap) {
		err = journal_submit(jw);
		if (err)
			return err;
		if (span > jw->raw_cap) {
			err = append_alone(jw, seq, a, alen, b, blen);
			if (err)
				return err;
			goto done;
		}
	}
	/* The first record of a chunk: let the hook put its own in front. */
	if (!jw->nr && jw->chunk_start && !jw->in_chunk_start && !hooked) {
		jw->in_chunk_start = true;
		err = jw->chunk_start(jw->chunk_start_ctx, seq);
		jw->in_chunk_start = false;
		if (err)
			return err;
		err = get_error(jw);
		if (err)
			return err;
		hooked = true;	/* once: a record that no longer fits goes on */
		goto again;	/* to a chunk of its own, without the hook's */
	}

	/* The common case: a copy into the chunk buffer. */
	rh = (struct journal_record_header *)(jw->raw + jw->raw_used);
	rh->len = htole32(len);
	rh->reserved = 0;
	rh->seq = htole64(seq);
	if (len & (JOURNAL_REC_ALIGN - 1))	/* zero the padding */
		memset((uint8_t *)(rh + 1) + (len & ~(size_t)(JOURNAL_REC_ALIGN - 1)),
		       0, JOURNAL_REC_ALIGN);
	if (alen)
		memcpy(rh + 1, a, alen);
	if (blen >= 1024 && jw->queue_bytes)
		copy_nt((uint8_t *)(rh + 1) + alen, b, blen);
	else if (blen)
		memcpy((uint8_t *)(rh + 1) + alen, b, blen);
	jw->raw_used += span;
	if (!jw->nr++)
		jw->first_seq = seq;
	jw->last_seq = seq;
done:
	jw->prev_seq = seq;
	jw->any = true;
	return 0;
}

int journal_append(struct journal_writer *jw, uint64_t seq,
		   const void *rec, size_t len)
{
	return append(jw, seq, rec, len, NULL, 0);
}

int journal_append2(struct journal_writer *jw, uint64_t seq, const void *a,
		    size_t alen, const void *b, size_t blen)
{
	return append(jw, seq, a, alen, b, blen);
}

void journal_on_chunk_start(struct journal_writer *jw,
			    int (*fn)(void *ctx, uint64_t seq), void *ctx)
{
	jw->chunk_start = fn;
	jw->chunk_start_ctx = ctx;
}

/* Stop the thread, free everything; the file is closed if still open. */
static void free_writer(struct journal_writer *jw)
{
	struct jbuf *b;

	if (jw->have_thread) {
		pthread_mutex_lock(&jw->mu);
		jw->stop = true;
		pthread_cond_signal(&jw->work);
		pthread_mutex_unlock(&jw->mu);
		pthread_join(jw->thread, NULL);
	}
	while ((b = jw->head)) {		/* left after an error */
		jw->head = b->next;
		if (b->own)
			free(b->raw);
		free(b);
	}
	while ((b = jw->free)) {
		jw->free = b->next;
		free(b);
	}
	free(jw->cur);
	while (jw->slabs) {
		struct slab *sl = jw->slabs;

		jw->slabs = sl->next;
		munmap(sl, sl->size);
	}
	if (!jw->queue_bytes)
		free(jw->raw);
	if (jw->fd >= 0)
		close(jw->fd);
	LZ4F_freeCompressionContext(jw->cctx);
	pthread_cond_destroy(&jw->work);
	pthread_cond_destroy(&jw->done);
	pthread_mutex_destroy(&jw->mu);
	free(jw->out);
	free(jw->path);
	free(jw);
}

int journal_create(const char *path, const struct journal_opts *opts,
		   struct journal_writer **out)
{
	struct journal_writer *jw;
	struct journal_file_header fh;
	struct timespec ts;
	size_t chunk = opts && opts->chunk_bytes ? opts->chunk_bytes : JOURNAL_DEFAULT_CHUNK;
	bool created = false;
	int err;

	*out = NULL;
	if (chunk > JOURNAL_MAX_CHUNK_BYTES)
		return -EINVAL;
	jw = calloc(1, sizeof(*jw));
	if (!jw)
		return -ENOMEM;
	jw->fd = -1;
	jw->sync = opts ? opts->sync : 0;
	jw->raw_cap = chunk;
	jw->queue_bytes = opts ? opts->queue_bytes : 0;
	jw->background = opts && opts->queue_bytes && opts->background;
	jw->nice = jw->background ? 19 : 0;
	jw->tail = &jw->head;
	pthread_mutex_init(&jw->mu, NULL);
	pthread_cond_init(&jw->work, NULL);
	pthread_cond_init(&jw->done, NULL);
	jw->path = strdup(path);
	if (jw->queue_bytes) {
		/*
		 * All the queue's buffers now, faulted in: taking page faults
		 * later would be the appending thread's work, at the worst time.
		 */
		size_t n = jw->queue_bytes / chunk, i;
		struct jbuf *b;

		for (i = 0; i < n; i++) {
			b = get_buf(jw);
			if (!b)
				break;
			b->next = jw->free;
			jw->free = b;
		}
		jw->cur = get_buf(jw);
		jw->raw = jw->cur ? jw->cur->raw : NULL;
	} else {
		jw->raw = malloc(chunk);
	}
	if (!jw->path || !jw->raw) {
		err = -ENOMEM;
		goto cleanup;
	}
	if (LZ4F_isError(LZ4F_createCompressionContext(&jw->cctx, LZ4F_VERSION))) {
		jw->cctx = NULL;
		err = -ENOMEM;
		goto cleanup;
	}
	jw->out_norm = CHUNK_HDR + LZ4F_HEADER_SIZE_MAX + LZ4F_compressBound(chunk, &lz4_prefs) +
		       LZ4F_compressBound(0, &lz4_prefs);
	err = ensure_out(jw, jw->out_norm);
	if (err)
		goto cleanup;

	jw->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (jw->fd < 0) {
		err = -errno;
		goto cleanup;
	}
	created = true;

	memset(&fh, 0, sizeof(fh));
	memcpy(fh.magic, JOURNAL_MAGIC, sizeof(fh.magic));
	fh.version = htole32(JOURNAL_FORMAT_VERSION);
	fh.header_size = htole32(sizeof(fh));
	fh.chunk_bytes = htole32(chunk);
	clock_gettime(CLOCK_REALTIME, &ts);
	fh.create_ns = htole64((uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec);
	fh.header_crc = htole32(file_header_crc(&fh));
	err = pwrite_all(jw->fd, &fh, sizeof(fh), 0);
	if (!err && jw->sync && fdatasync(jw->fd))
		err = -errno;
	if (err)
		goto cleanup;
	jw->end = sizeof(fh);
	if (jw->queue_bytes) {
		err = -pthread_create(&jw->thread, NULL, thread_main, jw);
		if (err)
			goto cleanup;
		jw->have_thread = true;
	}
	*out = jw;
	return 0;

cleanup:
	if (created)
		unlink(path);
	free_writer(jw);
	return err;
}

int journal_close(struct journal_writer *jw)
{
	int err;

	if (!jw)
		return 0;
	err = journal_flush(jw);
	if (close(jw->fd) && !err)
		err = -errno;
	jw->fd = -1;
	free_writer(jw);
	return err;
}

/* ------------------------------------------------------------- reader */

struct journal_reader {
	int fd;
	char *path;
	off_t size;		/* file size at open */
	off_t pos;		/* where the next chunk header is expected */
	uint8_t *cbuf;		/* compressed payload of the current chunk */
	size_t cbuf_cap;
	uint8_t *raw;		/* its records */
	size_t raw_cap;
	size_t raw_len, raw_pos;
	uint32_t left;		/* records of the current chunk not yet returned */
	LZ4F_dctx *dctx;
	uint8_t *win;		/* resync()'s window on the file */
	struct journal_stats st;
	bool have_seq;
};

/* Read exactly @len bytes at @off: 0, -ENODATA at EOF, or -errno. */
static int pread_all(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENODATA;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *p;

	if (need <= *cap)
		return 0;
	/* malloc: 16-byte aligned, so records come out 8-byte aligned */
	p = malloc(need);
	if (!p)
		return -ENOMEM;
	free(*buf);
	*buf = p;
	*cap = need;
	return 0;
}

int journal_open(const char *path, struct journal_reader **out)
{
	struct journal_reader *jr;
	struct journal_file_header fh;
	struct stat sb;
	int err;

	*out = NULL;
	jr = calloc(1, sizeof(*jr));
	if (!jr)
		return -ENOMEM;
	jr->fd = -1;
	jr->path = strdup(path);
	if (!jr->path) {
		err = -ENOMEM;
		goto cleanup;
	}
	jr->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (jr->fd < 0) {
		err = -errno;
		goto cleanup;
	}
	if (fstat(jr->fd, &sb)) {
		err = -errno;
		goto cleanup;
	}
	if (!S_ISREG(sb.st_mode)) {
		pr_err("%s is not a regular file, so not a ttrec journal\n", path);
		err = -EPROTO;
		goto cleanup;
	}
	jr->size = sb.st_size;

	memset(&fh, 0, sizeof(fh));
	err = pread_all(jr->fd, &fh, sizeof(fh), 0);
	if (err && err != -ENODATA)
		goto cleanup;
	if (memcmp(fh.magic, JOURNAL_MAGIC, sizeof(fh.magic))) {
		pr_err("%s is not a ttrec journal (bad magic)\n", path);
		err = -EPROTO;
		goto cleanup;
	}
	if (err == -ENODATA) {
		pr_err("%s: the journal header is cut short (%lld of %zu bytes); "
		       "the writer died while creating it\n", path,
		       (long long)jr->size, sizeof(fh));
		err = -EPROTO;
		goto cleanup;
	}
	if (le32toh(fh.version) != JOURNAL_FORMAT_VERSION) {
		pr_err("%s was written by journal format version %u; this ttrec reads "
		       "version %u: use a ttrec of the same generation as the recorder\n",
		       path, le32toh(fh.version), JOURNAL_FORMAT_VERSION);
		err = -EPROTO;
		goto cleanup;
	}
	if (le32toh(fh.header_size) != sizeof(fh) ||
	    le32toh(fh.header_crc) != file_header_crc(&fh)) {
		pr_err("%s: the journal file header is corrupt (checksum mismatch)\n", path);
		err = -EPROTO;
		goto cleanup;
	}
	if (le32toh(fh.flags)) {
		pr_err("%s uses journal features this ttrec does not know (flags %#x)\n",
		       path, le32toh(fh.flags));
		err = -EPROTO;
		goto cleanup;
	}
	if (LZ4F_isError(LZ4F_createDecompressionContext(&jr->dctx, LZ4F_VERSION))) {
		jr->dctx = NULL;
		err = -ENOMEM;
		goto cleanup;
	}
	jr->pos = sizeof(fh);
	*out = jr;
	return 0;

cleanup:
	journal_close_reader(jr);
	return err;
}

void journal_close_reader(struct journal_reader *jr)
{
	if (!jr)
		return;
	if (jr->fd >= 0)
		close(jr->fd);
	LZ4F_freeDecompressionContext(jr->dctx);
	free(jr->cbuf);
	free(jr->raw);
	free(jr->win);
	free(jr->path);
	free(jr);
}

void journal_get_stats(const struct journal_reader *jr, struct journal_stats *st)
{
	*st = jr->st;
}

enum hdr_verdict { HDR_OK, HDR_BAD, HDR_TORN };

/*
 * Is there a believable chunk header at @off? HDR_TORN: fewer than a
 * header's bytes are left, or the header is good but its payload runs past
 * the end of the file.
 */
static int check_header(struct journal_reader *jr, off_t off,
			struct journal_chunk_header *h, enum hdr_verdict *v)
{
	uint64_t clen, raw;
	int err;

	if (jr->size - off < (off_t)CHUNK_HDR) {
		*v = HDR_TORN;
		return 0;
	}
	err = pread_all(jr->fd, h, sizeof(*h), off);
	if (err == -ENODATA) {		/* the file shrank under us */
		*v = HDR_TORN;
		return 0;
	}
	if (err)
		return err;
	*v = HDR_BAD;
	if (memcmp(h->magic, JOURNAL_CHUNK_MAGIC, sizeof(h->magic)) ||
	    le32toh(h->header_crc) != chunk_header_crc(h))
		return 0;
	/* The checksum holds; are the fields sane? (A writer bug, or fuzzing.) */
	clen = le32toh(h->compressed_len);
	raw = le32toh(h->raw_len);
	if (!le32toh(h->records) || le32toh(h->records) > raw / REC_HDR ||
	    raw > JOURNAL_MAX_CHUNK_RAW ||
	    clen > LZ4F_compressFrameBound(raw, NULL) + 64 ||
	    raw > clen * 256 + 4096 ||	/* beyond what LZ4 can expand to */
	    le64toh(h->first_seq) > le64toh(h->last_seq))
		return 0;
	*v = off + (off_t)(CHUNK_HDR + clen) > jr->size ? HDR_TORN : HDR_OK;
	return 0;
}

/*
 * Find the first offset after @from where a good chunk header starts.
 * Return: 0 with *found (-1: none before EOF, *torn_at: the first torn
 * candidate, or -1), or -errno.
 */
static int resync(struct journal_reader *jr, off_t from, off_t *found, off_t *torn_at)
{
	static const size_t ml = sizeof(JOURNAL_CHUNK_MAGIC) - 1;
	size_t wsize = JOURNAL_SCAN_WINDOW;
	uint8_t *win;
	off_t off = from;
	int err = 0;

	*found = -1;
	*torn_at = -1;
	if (jr->size < (off_t)wsize)
		wsize = jr->size ? (size_t)jr->size : 1;
	if (!jr->win) {
		jr->win = malloc(wsize);
		if (!jr->win)
			return -ENOMEM;
	}
	win = jr->win;
	while (off < jr->size) {
		size_t n = jr->size - off < (off_t)wsize ? (size_t)(jr->size - off) : wsize;
		const uint8_t *p = win;

		err = pread_all(jr->fd, win, n, off);
		if (err == -ENODATA) {
			err = 0;
			break;
		}
		if (err)
			break;
		for (;;) {
			struct journal_chunk_header h;
			enum hdr_verdict v;
			off_t at;

			p = memmem(p, n - (p - win), JOURNAL_CHUNK_MAGIC, ml);
			if (!p)
				break;
			at = off + (p - win);
			err = check_header(jr, at, &h, &v);
			if (err)
				goto out;
			if (v == HDR_OK) {
				*found = at;
				goto out;
			}
			if (v == HDR_TORN && *torn_at < 0)
				*torn_at = at;
			p++;
		}
		if (off + (off_t)n >= jr->size)
			break;
		off += n - (ml - 1);	/* a magic may straddle windows */
	}
	/* The last few bytes may be the start of a torn chunk's magic. */
	if (*torn_at < 0) {
		off_t tail = jr->size - (off_t)ml + 1;
		off_t at;

		for (at = tail > from ? tail : from; at < jr->size; at++) {
			size_t k = jr->size - at;
			uint8_t b[8];

			if (pread_all(jr->fd, b, k, at))
				break;
			if (!memcmp(b, JOURNAL_CHUNK_MAGIC, k)) {
				*torn_at = at;
				break;
			}
		}
	}
out:
	return err;
}

/*
 * Load the payload of the good-headered chunk at jr->pos and check its
 * records. Return: 1 if the chunk is good, 0 if bad (reported), -errno.
 */
static int load_chunk(struct journal_reader *jr, const struct journal_chunk_header *h)
{
	size_t clen = le32toh(h->compressed_len), raw = le32toh(h->raw_len);
	size_t sp = 0, dp = 0, r = 1, pos;
	uint64_t prev = le64toh(h->first_seq);
	uint32_t nr = le32toh(h->records), i;
	const char *why;
	int err;

	if (le32toh(h->flags) != JOURNAL_CHUNK_LZ4F || h->reserved) {
		why = "unknown chunk flags, or reserved bytes set: a newer writer?";
		goto bad;
	}
	err = grow(&jr->cbuf, &jr->cbuf_cap, clen ? clen : 1);
	if (!err)
		err = grow(&jr->raw, &jr->raw_cap, raw ? raw : 1);
	if (err)
		return err;
	err = pread_all(jr->fd, jr->cbuf, clen, jr->pos + CHUNK_HDR);
	if (err)
		return err == -ENODATA ? -EIO : err;
	if (journal_crc32c(0, jr->cbuf, clen) != le32toh(h->payload_crc)) {
		why = "payload checksum mismatch";
		goto bad;
	}

	LZ4F_resetDecompressionContext(jr->dctx);
	while (sp < clen) {
		size_t dn = raw - dp, sn = clen - sp;

		r = LZ4F_decompress(jr->dctx, jr->raw + dp, &dn, jr->cbuf + sp, &sn, NULL);
		if (LZ4F_isError(r)) {
			why = LZ4F_getErrorName(r);
			goto bad;
		}
		sp += sn;
		dp += dn;
		if (!r || (!sn && !dn))
			break;
	}
	if (r || sp != clen || dp != raw) {
		why = "LZ4 frame does not match the chunk's lengths";
		goto bad;
	}

	/* Check the framing of every record before handing out any. */
	for (pos = 0, i = 0; i < nr; i++) {
		const struct journal_record_header *rh;
		uint64_t seq;

		if (raw - pos < REC_HDR) {
			why = "record framing runs past the payload";
			goto bad;
		}
		rh = (const void *)(jr->raw + pos);
		seq = le64toh(rh->seq);
		if (rh->reserved || le32toh(rh->len) > JOURNAL_MAX_RECORD ||
		    rec_span(le32toh(rh->len)) > raw - pos) {
			why = "bad record header";
			goto bad;
		}
		if (seq < prev || seq > le64toh(h->last_seq) ||
		    (!i && seq != le64toh(h->first_seq)) ||
		    (i == nr - 1 && seq != le64toh(h->last_seq))) {
			why = "record sequence numbers disagree with the chunk header";
			goto bad;
		}
		prev = seq;
		pos += rec_span(le32toh(rh->len));
	}
	if (pos != raw) {
		why = "records do not fill the payload";
		goto bad;
	}
	jr->raw_len = raw;
	jr->raw_pos = 0;
	jr->left = nr;
	return 1;

bad:
	pr_warn("journal %s: bad chunk at offset %lld (%s); skipped\n", jr->path,
		(long long)jr->pos, why);
	return 0;
}

int journal_next(struct journal_reader *jr, const void **rec, size_t *len,
		 uint64_t *seq)
{
	const struct journal_record_header *rh;
	int err;

	while (!jr->left) {
		struct journal_chunk_header h;
		enum hdr_verdict v;
		off_t next, torn;

		if (jr->pos >= jr->size)
			return 0;
		err = check_header(jr, jr->pos, &h, &v);
		if (err)
			return err;
		if (v == HDR_OK) {
			size_t span = CHUNK_HDR + le32toh(h.compressed_len);

			err = load_chunk(jr, &h);
			if (err < 0)
				return err;
			if (err) {
				jr->st.chunks++;
				jr->st.bytes_compressed += span;
				if (!jr->have_seq)
					jr->st.first_seq = le64toh(h.first_seq);
				jr->st.last_seq = le64toh(h.last_seq);
				jr->have_seq = true;
			} else {
				jr->st.bad_chunks++;
			}
			jr->pos += span;
			continue;
		}

		/* No good chunk here: is there one further on? */
		err = resync(jr, jr->pos + 1, &next, &torn);
		if (err)
			return err;
		if (v == HDR_TORN && next < 0) {
			/* The writer died inside the write() of its last chunk. */
			jr->st.torn_bytes += jr->size - jr->pos;
			pr_warn("journal %s: the last chunk, at offset %lld, is incomplete "
				"(%lld bytes; the writer stopped mid-write); ignored\n",
				jr->path, (long long)jr->pos, (long long)(jr->size - jr->pos));
			jr->pos = jr->size;
			return 0;
		}
		jr->st.bad_chunks++;
		if (next < 0 && torn >= 0) {
			pr_warn("journal %s: bad chunk at offset %lld (corrupt header), and "
				"the journal ends with an incomplete chunk at offset %lld\n",
				jr->path, (long long)jr->pos, (long long)torn);
			jr->st.torn_bytes += jr->size - torn;
			jr->pos = jr->size;
			return 0;
		}
		if (next < 0) {
			pr_warn("journal %s: bad chunk at offset %lld (corrupt header); no good "
				"chunk follows in the %lld bytes to the end\n", jr->path,
				(long long)jr->pos, (long long)(jr->size - jr->pos));
			jr->pos = jr->size;
			return 0;
		}
		pr_warn("journal %s: bad chunk at offset %lld (corrupt header); %lld bytes "
			"skipped to the next chunk\n", jr->path, (long long)jr->pos,
			(long long)(next - jr->pos));
		jr->pos = next;
	}

	rh = (const void *)(jr->raw + jr->raw_pos);
	*len = le32toh(rh->len);
	*seq = le64toh(rh->seq);
	*rec = rh + 1;
	jr->raw_pos += rec_span(*len);
	jr->left--;
	jr->st.records++;
	jr->st.bytes_raw += *len;
	return 1;
}
