// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the record decoder (user/format/records.c), no BPF
 * needed. Built and run like journal_fuzz.c (`make fuzz`; the selftest
 * jnl.fuzz_reader_briefly runs both for a few seconds).
 *
 * The input picks one of two modes:
 *  - it starts with 'W': the rest drives selftests/fuzz/records_gen.h's
 *    random events, written with rec_writer and read back with rec_reader;
 *    what is read must be what was written;
 *  - anything else: the input is a list of records (u8 seq step, u16
 *    length, then that many bytes) appended as they are to a journal, which
 *    rec_reader then reads to the end: every event it hands out must lie
 *    within its buffers (ASan) and be consistent, and it must end.
 *
 * TTREC_FUZZ_MKSEEDS=DIR records_fuzz: write a seed corpus to DIR and exit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/journal.h"
#include "format/records.h"
#include "lib/log.h"
#include "records_gen.h"

int log_verbosity = LOG_DEBUG;

void log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

static char path[4096];

static void touch(const void *p, size_t n)
{
	volatile uint8_t sink;

	if (n) {
		sink = ((const uint8_t *)p)[0] ^ ((const uint8_t *)p)[n - 1];
		(void)sink;
	}
}

static void read_all(void)
{
	struct rec_reader rr;
	struct rec_event ev;
	unsigned int k;
	int r;

	if (rec_reader_open_file(&rr, path))
		return;
	while ((r = rec_reader_next(&rr, &ev)) == 1) {
		touch(ev.rec, ev.len);
		if (ev.type == 0 || ev.type >= REC_NR_TYPES)
			abort();
		if (ev.type == REC_SYS) {
			const struct rec_sys *s = ev.rec;

			if (ev.nout > s->nout || ev.nin > REC_MAX_INS)
				abort();
			for (k = 0; k < ev.nin; k++)
				touch(ev.in[k].s, ev.in[k].len);
			for (k = 0; k < ev.nout; k++)
				touch(ev.out[k].data, ev.out[k].len);
		}
		if (ev.type == REC_OUT)
			touch(ev.data, ev.data_len);
	}
	if (r > 0)
		abort();
	rec_reader_close(&rr);
}

static void raw_records(const uint8_t *data, size_t size)
{
	struct journal_opts jo = { .chunk_bytes = 4096 };
	struct journal_writer *jw;
	uint64_t seq = 0;

	unlink(path);
	if (journal_create(path, &jo, &jw))
		abort();
	while (size >= 3) {
		size_t len = data[1] | (data[2] << 8);

		seq += data[0] & 3;
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (len)
			journal_append(jw, seq, data, len);
		data += len;
		size -= len;
	}
	if (journal_close(jw))
		abort();
	read_all();
	unlink(path);
}

/* A raw input: REC_START of format @version, a REC_SYS of @sys_len bytes, a REC_OUT. */
static int raw_seed(const char *dir, const char *name, uint32_t version, size_t sys_len)
{
	struct rec_start st = { .type = REC_START, .version = version };
	struct rec_sys s = { .type = REC_SYS, .tid = 1, .nout = 1, .nr = -1 };
	struct rec_out o = { .type = REC_OUT, .region = 1 };
	uint8_t raw[256];
	char p[4200];
	size_t n = 0;
	FILE *f;

	raw[n++] = 0, raw[n++] = sizeof(st), raw[n++] = 0;
	memcpy(raw + n, &st, sizeof(st));
	n += sizeof(st);
	raw[n++] = 1, raw[n++] = sys_len, raw[n++] = 0;
	memcpy(raw + n, &s, sys_len);	/* version 1: the first 72 bytes will do */
	n += sys_len;
	raw[n++] = 0, raw[n++] = sizeof(o) + 4, raw[n++] = 0;
	memcpy(raw + n, &o, sizeof(o));
	n += sizeof(o);
	memcpy(raw + n, "data", 4);
	n += 4;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || fwrite(raw, 1, n, f) != n || fclose(f))
		return 1;
	return 0;
}

static int mkseeds(const char *dir)
{
	static const uint8_t w[] = "W\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c";
	char p[4200];
	FILE *f;

	if (raw_seed(dir, "raw-sys-out", REC_FORMAT_VERSION, sizeof(struct rec_sys)) ||
	    raw_seed(dir, "raw-sys-out-v1", 1, 72))
		return 1;
	snprintf(p, sizeof(p), "%s/writer", dir);
	f = fopen(p, "w");
	if (!f || fwrite(w, 1, sizeof(w) - 1, f) != sizeof(w) - 1 || fclose(f))
		return 1;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("TTREC_FUZZ_MKSEEDS");

	if (seeds)
		exit(mkseeds(seeds));
	snprintf(path, sizeof(path), "%s/ttrec-records-fuzz.%d",
		 getenv("TMPDIR") ?: "/tmp", getpid());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && data[0] == 'W') {
		struct rg_src s = { .p = data + 1, .n = size - 1 };
		char err[256];

		unlink(path);
		if (rg_round_trip(&s, path, 2000, 4096, err, sizeof(err))) {
			fprintf(stderr, "round trip: %s\n", err);
			abort();
		}
		return 0;
	}
	raw_records(data, size);
	return 0;
}
