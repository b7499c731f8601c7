// SPDX-License-Identifier: GPL-2.0
/*
 * The record codec (user/format/records.c) without BPF: random events
 * written and read back (selftests/fuzz/records_gen.h), and what the
 * reader does with the damage a journal can carry.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "format/journal.h"
#include "format/records.h"
#include "lib/log.h"
#include "fuzz/records_gen.h"

FIXTURE(codec) {
	char dir[PATH_MAX];
	char path[PATH_MAX + 8];
};

FIXTURE_SETUP(codec)
{
	const char *tmp = getenv("TMPDIR") ?: "/tmp";

	snprintf(self->dir, sizeof(self->dir), "%s/ttrec-records.XXXXXX", tmp);
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/j", self->dir);
}

FIXTURE_TEARDOWN(codec)
{
	unlink(self->path);
	rmdir(self->dir);
}

/*
 * 100 seeds of up to 3000 events, with chunks of 4 KiB (outputs and the
 * strings before a syscall cross chunk boundaries) and of the default size
 * (1 s on the host, about a minute in the TCG VM).
 */
TEST_F_TIMEOUT(codec, round_trip_random_events, 600)
{
	static const size_t chunks[] = { 4096, 0 };
	char err[256] = "";
	int seed, c;

	for (c = 0; c < 2; c++) {
		for (seed = 1; seed <= 50; seed++) {
			struct rg_src s = { .x = 0x9e3779b97f4a7c15ULL * seed };

			ASSERT_EQ(0, rg_round_trip(&s, self->path, 3000, chunks[c], err, sizeof(err)))
				TH_LOG("seed %d, chunk %zu: %s", seed, chunks[c], err);
		}
	}
}

/* The same events read back the same, however many chunks they take. */
TEST_F_TIMEOUT(codec, batches_and_times_survive_tiny_chunks, 300)
{
	struct rg_src s = { .x = 42 };
	char err[256] = "";

	ASSERT_EQ(0, rg_round_trip(&s, self->path, 20000, 1024, err, sizeof(err)))
		TH_LOG("%s", err);
}


/*
 * A syscall whose REC_OUTs are not all there (a damaged chunk took them):
 * it is handed out with the outputs found, nout saying how many; the next
 * event is not lost. A REC_OUT without its syscall is handed out alone.
 */
TEST_F(codec, missing_outputs_and_orphans)
{
	struct rec_start st = { .type = REC_START, .version = REC_FORMAT_VERSION, .ns = 1000 };
	struct rec_sys sys = { .type = REC_SYS, .nr = 0, .tid = 7, .ret = 3, .nout = 3 };
	struct rec_signal sig = { .type = REC_SIGNAL, .sig = 10, .tid = 7, .dts = 5 };
	uint8_t out[sizeof(struct rec_out) + 3];
	struct journal_writer *jw;
	struct rec_reader rr;
	struct rec_event ev;

	ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(0, journal_append(jw, 0, &st, sizeof(st)));
	ASSERT_EQ(0, journal_append(jw, 1, &sys, sizeof(sys)));
	rec_out_init((struct rec_out *)out, 1, 0, false);
	memcpy(out + sizeof(struct rec_out), "abc", 3);
	ASSERT_EQ(0, journal_append(jw, 1, out, sizeof(out)));
	ASSERT_EQ(0, journal_append(jw, 2, &sig, sizeof(sig)));
	ASSERT_EQ(0, journal_append(jw, 3, out, sizeof(out)));
	ASSERT_EQ(0, journal_close(jw));

	ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_START, ev.type);
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SYS, ev.type);
	ASSERT_EQ(7U, ev.tid);
	ASSERT_EQ(1U, ev.nout);
	ASSERT_EQ(3U, ((const struct rec_sys *)ev.rec)->nout);
	ASSERT_EQ(3U, ev.out[0].len);
	ASSERT_EQ(0, memcmp(ev.out[0].data, "abc", 3));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SIGNAL, ev.type);
	ASSERT_EQ(1005U, ev.ts);
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_OUT, ev.type);
	ASSERT_EQ(3U, ev.seq);
	ASSERT_EQ(3U, ev.data_len);
	ASSERT_EQ(0, rec_reader_next(&rr, &ev));
	EXPECT_EQ(2U, rr.count[REC_OUT]);
	EXPECT_EQ(1U, rr.count[REC_SYS]);
	rec_reader_close(&rr);
}

/* Records shorter than their type's struct, or of no type, are refused. */
TEST_F(codec, malformed_records_are_ebadmsg)
{
	static const uint8_t bad[][4] = { { 0 }, { REC_NR_TYPES }, { REC_SYS } };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct journal_writer *jw;
		struct rec_reader rr;
		struct rec_event ev;

		unlink(self->path);
		ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
		ASSERT_EQ(0, journal_append(jw, 1, bad[i], sizeof(bad[i])));
		ASSERT_EQ(0, journal_close(jw));
		ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
		EXPECT_EQ(-EBADMSG, rec_reader_next(&rr, &ev)) TH_LOG("record %u", i);
		rec_reader_close(&rr);
	}
}

TEST_HARNESS_MAIN
