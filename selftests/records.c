// SPDX-License-Identifier: GPL-2.0
/*
 * The record codec (user/format/records.c) without BPF: random events
 * written and read back (selftests/fuzz/records_gen.h), and what the
 * reader does with the damage a journal can carry.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

/*
 * Syscall numbers are kept whole: -1, a number the kernel lacks, an x32
 * one, 2^32 + 39 (not getpid), the extremes; batched and with outputs.
 */
TEST_F(codec, whole_syscall_numbers)
{
	static const int64_t nrs[] = {
		-1, 1000, 0x40000000 + 39, 0x100000027LL, 0x123456789abcdef0LL,
		INT64_MIN, INT64_MAX, 65535, 65536, 511, 512,
	};
	const unsigned int n = sizeof(nrs) / sizeof(nrs[0]);
	struct journal_writer *jw;
	struct rec_reader rr;
	struct rec_writer w;
	struct rec_event ev;
	unsigned int i;

	ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(0, rec_writer_start(&w, jw, 1000));
	for (i = 0; i < 2 * n; i++) {
		struct rec_sys r = { .nr = nrs[i % n], .tid = 7, .ret = -38, .nout = i >= n };
		struct rec_out o;

		ASSERT_EQ(0, rec_write_sys(&w, 1 + i, 1000 + i, &r));
		if (!r.nout)
			continue;
		rec_out_init(&o, 0, 0, false);
		ASSERT_EQ(0, rec_write_out(&w, 1 + i, &o, "x", 1));
	}
	ASSERT_EQ(0, rec_writer_flush(&w));
	ASSERT_EQ(0, journal_close(jw));

	ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_START, ev.type);
	EXPECT_EQ((uint32_t)REC_FORMAT_VERSION, rr.version);
	for (i = 0; i < 2 * n; i++) {
		const struct rec_sys *r;

		ASSERT_EQ(1, rec_reader_next(&rr, &ev));
		ASSERT_EQ(REC_SYS, ev.type);
		r = ev.rec;
		EXPECT_EQ(1 + i, ev.seq);
		EXPECT_EQ(nrs[i % n], r->nr) TH_LOG("event %u", i);
		EXPECT_EQ(-38, r->ret);
		EXPECT_EQ(1000 + i, ev.ts);
		EXPECT_EQ(i >= n ? 1U : 0U, ev.nout);
	}
	ASSERT_EQ(0, rec_reader_next(&rr, &ev));
	rec_reader_close(&rr);
}

/* REC_SYS as format version 1 wrote it: 72 bytes, the number in 16 bits. */
struct rec_sys_v1 {
	__u8  type;
	__u8  flags;
	__u16 nr;
	__s32 dts;
	__u32 tid;
	__u32 nout;
	__s64 ret;
	__u64 args[6];
};

/*
 * A journal of format version 1 (REC_START says so) reads as before: its
 * syscalls, alone and batched, widened to struct rec_sys, at their times.
 */
TEST_F(codec, format_version_1_is_read)
{
	struct rec_start st = { .type = REC_START, .version = 1, .ns = 1000 };
	struct rec_sys_v1 one = { .type = REC_SYS, .flags = REC_SF_OUT_PARTIAL, .nr = 65535,
				  .dts = 10, .tid = 7, .nout = 1, .ret = 3,
				  .args = { 1, 2, 3, 4, 5, 6 } };
	struct rec_sys_v1 batch[3];
	struct rec_signal sig = { .type = REC_SIGNAL, .sig = 10, .tid = 7, .dts = 5 };
	uint8_t out[sizeof(struct rec_out) + 3];
	struct journal_writer *jw;
	struct rec_reader rr;
	struct rec_event ev;
	const struct rec_sys *r;
	unsigned int i;

	for (i = 0; i < 3; i++)
		batch[i] = (struct rec_sys_v1){ .type = REC_SYS, .nr = 110 + i, .dts = 100,
						 .tid = 8, .ret = 42 + i };
	ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(0, journal_append(jw, 0, &st, sizeof(st)));
	ASSERT_EQ(0, journal_append(jw, 1, &one, sizeof(one)));
	rec_out_init((struct rec_out *)out, 1, 0, false);
	memcpy(out + sizeof(struct rec_out), "abc", 3);
	ASSERT_EQ(0, journal_append(jw, 1, out, sizeof(out)));
	ASSERT_EQ(0, journal_append(jw, 2, batch, sizeof(batch)));
	ASSERT_EQ(0, journal_append(jw, 5, &sig, REC_SIGNAL_SIZE_VER0));
	ASSERT_EQ(0, journal_close(jw));

	ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_START, ev.type);
	EXPECT_EQ(1U, rr.version);
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SYS, ev.type);
	r = ev.rec;
	EXPECT_EQ(sizeof(struct rec_sys), ev.len);
	EXPECT_EQ(65535, r->nr);
	EXPECT_EQ(REC_SF_OUT_PARTIAL, r->flags);
	EXPECT_EQ(7U, r->tid);
	EXPECT_EQ(3, r->ret);
	EXPECT_EQ(6U, r->args[5]);
	EXPECT_EQ(1010U, ev.ts);
	ASSERT_EQ(1U, ev.nout);
	EXPECT_EQ(0, memcmp(ev.out[0].data, "abc", 3));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, rec_reader_next(&rr, &ev));
		ASSERT_EQ(REC_SYS, ev.type);
		r = ev.rec;
		EXPECT_EQ(2 + i, ev.seq);
		EXPECT_EQ(110 + i, r->nr);
		EXPECT_EQ(42 + i, r->ret);
		EXPECT_EQ(8U, ev.tid);
		EXPECT_EQ(1110U + 100 * i, ev.ts);
	}
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SIGNAL, ev.type);
	EXPECT_EQ(1315U, ev.ts);
	ASSERT_EQ(0, rec_reader_next(&rr, &ev));
	rec_reader_close(&rr);
}

/* A format version the reader does not know is refused, not guessed at. */
TEST_F(codec, unknown_format_version_is_eproto)
{
	static const uint32_t bad[] = { 0, REC_FORMAT_VERSION + 1, 0xffffffff };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rec_start st = { .type = REC_START, .version = bad[i], .ns = 1000 };
		struct rec_sys sys = { .type = REC_SYS, .tid = 7 };
		struct journal_writer *jw;
		struct rec_reader rr;
		struct rec_event ev;

		unlink(self->path);
		ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
		ASSERT_EQ(0, journal_append(jw, 0, &st, sizeof(st)));
		ASSERT_EQ(0, journal_append(jw, 1, &sys, sizeof(sys)));
		ASSERT_EQ(0, journal_close(jw));
		ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
		EXPECT_EQ(-EPROTO, rec_reader_next(&rr, &ev)) TH_LOG("version %u", bad[i]);
		rec_reader_close(&rr);
	}
}

/*
 * A REC_SIGNAL is versioned by its size: one of the first version (no
 * siginfo) is handed out whole, what it lacks zero; one of the current
 * version with its siginfo, which names the sender.
 */
TEST_F(codec, signal_versions)
{
	struct rec_start st = { .type = REC_START, .version = REC_FORMAT_VERSION, .ns = 1000 };
	struct rec_signal sig = { .type = REC_SIGNAL, .sig = SIGCHLD, .tid = 7,
				  .code = CLD_EXITED, .flags = REC_SIG_INFO };
	int32_t fields[3] = { 1234, 1000, 3 };	/* si_pid, si_uid, si_status */
	const struct rec_signal *s;
	struct journal_writer *jw;
	struct rec_reader rr;
	struct rec_event ev;
	siginfo_t si;
	uint32_t uid;
	int32_t pid;

	memcpy(sig.si_fields, fields, sizeof(fields));
	ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(0, journal_append(jw, 0, &st, sizeof(st)));
	ASSERT_EQ(0, journal_append(jw, 1, &sig, REC_SIGNAL_SIZE_VER0));
	ASSERT_EQ(0, journal_append(jw, 2, &sig, sizeof(sig)));
	ASSERT_EQ(0, journal_close(jw));

	ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SIGNAL, ev.type);
	ASSERT_EQ(sizeof(struct rec_signal), ev.len);
	s = ev.rec;
	EXPECT_EQ(SIGCHLD, s->sig);
	EXPECT_EQ(0U, s->flags);
	EXPECT_FALSE(rec_signal_siginfo(s, &si));
	EXPECT_FALSE(rec_signal_sender(s, &pid, &uid));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SIGNAL, ev.type);
	s = ev.rec;
	ASSERT_TRUE(rec_signal_siginfo(s, &si));
	EXPECT_EQ(SIGCHLD, si.si_signo);
	EXPECT_EQ(CLD_EXITED, si.si_code);
	EXPECT_EQ(1234, si.si_pid);
	EXPECT_EQ(1000U, si.si_uid);
	EXPECT_EQ(3, si.si_status);
	ASSERT_TRUE(rec_signal_sender(s, &pid, &uid));
	EXPECT_EQ(1234, pid);
	EXPECT_EQ(1000U, uid);
	EXPECT_EQ(0, rec_reader_next(&rr, &ev));
	rec_reader_close(&rr);
}

/*
 * Format 3: a signal keeps the user registers it interrupted and the words
 * at their rsp. Written by the writer, read back whole; one of the size
 * format 2 wrote (siginfo, no registers) in the same journal has none.
 */
TEST_F(codec, signal_registers)
{
	struct rec_signal sig = {
		.type = REC_SIGNAL, .sig = SIGALRM, .tid = 7, .code = SI_TIMER,
		.syscall = -1, .ax = 5, .ip = 0x401000,
		.flags = REC_SIG_INFO | REC_SIG_REGS | REC_SIG_STACK,
		.bx = 1, .cx = 2, .dx = 3, .si = 4, .di = 6, .bp = 7, .sp = 0x7ffc0000,
		.r8 = 8, .r9 = 9, .r10 = 10, .r11 = 11, .r12 = 12, .r13 = 13, .r14 = 14,
		.r15 = 15, .rflags = 0x246,
		.stack = { 0x100, [REC_SIG_STACK_WORDS - 1] = 0xabc },
	};
	struct rec_signal v1 = sig;
	uint64_t stack[REC_SIG_STACK_WORDS];
	struct user_regs_struct u;
	const struct rec_signal *s;
	struct journal_writer *jw;
	struct rec_reader rr;
	struct rec_writer w;
	struct rec_event ev;
	siginfo_t si;

	sig.si_fields[0] = 42;
	v1.flags = REC_SIG_INFO;
	ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(0, rec_writer_start(&w, jw, 1000));
	ASSERT_EQ(0, rec_write_event(&w, 1, 1100, &sig, sizeof(sig)));
	ASSERT_EQ(0, rec_write_event(&w, 2, 1200, &v1, REC_SIGNAL_SIZE_VER1));
	ASSERT_EQ(0, rec_writer_flush(&w));
	ASSERT_EQ(0, journal_close(jw));

	ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	EXPECT_EQ((uint32_t)REC_FORMAT_VERSION, rr.version);
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SIGNAL, ev.type);
	ASSERT_EQ(sizeof(struct rec_signal), ev.len);
	s = ev.rec;
	EXPECT_EQ(1100U, ev.ts);
	EXPECT_EQ(0, memcmp(&s->code, &sig.code, sizeof(sig) - offsetof(struct rec_signal, code)));
	ASSERT_EQ((unsigned int)(REC_SIG_REGS | REC_SIG_STACK), rec_signal_regs(s, &u, stack));
	EXPECT_EQ(0x401000U, u.rip);
	EXPECT_EQ(5U, u.rax);
	EXPECT_EQ(-1, (long long)u.orig_rax);
	EXPECT_EQ(6U, u.rdi);
	EXPECT_EQ(4U, u.rsi);
	EXPECT_EQ(0x7ffc0000U, u.rsp);
	EXPECT_EQ(15U, u.r15);
	EXPECT_EQ(0x246U, u.eflags);
	EXPECT_EQ(0x100U, stack[0]);
	EXPECT_EQ(0xabcU, stack[REC_SIG_STACK_WORDS - 1]);
	ASSERT_TRUE(rec_signal_siginfo(s, &si));
	EXPECT_EQ(SI_TIMER, si.si_code);
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	s = ev.rec;
	EXPECT_EQ((__u32)REC_SIG_INFO, s->flags);
	EXPECT_EQ(0U, s->sp);
	EXPECT_EQ(0U, rec_signal_regs(s, &u, stack));
	EXPECT_EQ(0U, u.rsp);
	EXPECT_EQ(0U, stack[0]);
	ASSERT_TRUE(rec_signal_siginfo(s, &si));
	EXPECT_EQ(0, rec_reader_next(&rr, &ev));
	rec_reader_close(&rr);
}

/*
 * A journal of format version 2 reads as before: its 80-byte syscalls,
 * its signals with their siginfo and no registers. A signal record there
 * longer than format 2's is not read past it: no registers, and of its
 * flags only the siginfo's.
 */
TEST_F(codec, format_version_2_is_read)
{
	struct rec_start st = { .type = REC_START, .version = 2, .ns = 1000 };
	struct rec_sys sys = { .type = REC_SYS, .nr = -1, .dts = 10, .tid = 7, .ret = -38 };
	struct rec_signal sig = { .type = REC_SIGNAL, .sig = SIGCHLD, .tid = 7, .dts = 5,
				  .code = CLD_EXITED, .flags = REC_SIG_INFO };
	struct rec_signal longer;
	int32_t fields[3] = { 1234, 1000, 3 };	/* si_pid, si_uid, si_status */
	uint64_t stack[REC_SIG_STACK_WORDS];
	struct user_regs_struct u;
	const struct rec_signal *s;
	struct journal_writer *jw;
	struct rec_reader rr;
	struct rec_event ev;
	uint32_t uid;
	int32_t pid;

	memcpy(sig.si_fields, fields, sizeof(fields));
	longer = sig;
	longer.flags = REC_SIG_INFO | REC_SIG_REGS | REC_SIG_STACK;
	longer.sp = 0x7000;
	ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(0, journal_append(jw, 0, &st, sizeof(st)));
	ASSERT_EQ(0, journal_append(jw, 1, &sys, sizeof(sys)));
	ASSERT_EQ(0, journal_append(jw, 2, &sig, REC_SIGNAL_SIZE_VER1));
	ASSERT_EQ(0, journal_append(jw, 3, &longer, sizeof(longer)));
	ASSERT_EQ(0, journal_close(jw));

	ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_START, ev.type);
	EXPECT_EQ(2U, rr.version);
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SYS, ev.type);
	EXPECT_EQ(-1, ((const struct rec_sys *)ev.rec)->nr);
	EXPECT_EQ(1010U, ev.ts);
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SIGNAL, ev.type);
	ASSERT_EQ(sizeof(struct rec_signal), ev.len);
	EXPECT_EQ(1015U, ev.ts);
	s = ev.rec;
	ASSERT_TRUE(rec_signal_sender(s, &pid, &uid));
	EXPECT_EQ(1234, pid);
	EXPECT_EQ(0U, rec_signal_regs(s, &u, stack));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SIGNAL, ev.type);
	s = ev.rec;
	EXPECT_EQ((__u32)REC_SIG_INFO, s->flags);
	EXPECT_EQ(0U, s->sp);
	ASSERT_TRUE(rec_signal_sender(s, &pid, &uid));
	EXPECT_EQ(0, rec_reader_next(&rr, &ev));
	rec_reader_close(&rr);
}

/* A journal of REC_START (format @version) and the REC_SNAP records @recs. */
static void write_snaps(struct __test_metadata *_metadata, const char *path,
			uint32_t version, const void *const *recs, const size_t *lens,
			unsigned int n)
{
	struct rec_start st = { .type = REC_START, .version = version, .ns = 1000 };
	struct journal_writer *jw;
	unsigned int i;

	unlink(path);
	ASSERT_EQ(0, journal_create(path, NULL, &jw));
	ASSERT_EQ(0, journal_append(jw, 0, &st, sizeof(st)));
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, journal_append(jw, i + 1, recs[i], lens[i]));
	ASSERT_EQ(0, journal_close(jw));
}

/* A snapshot: a PARK per thread, then the TAKEN record with their positions. */
struct snap_recs {
	struct rec_snap_park park[2];
	struct {
		struct rec_snap r;
		struct rec_snap_thread th[2];
	} taken;
};

static void make_snap(struct snap_recs *x)
{
	memset(x, 0, sizeof(*x));
	x->park[0] = (struct rec_snap_park){
		.type = REC_SNAP, .kind = REC_SNAP_PARK, .flags = REC_SNAPT_SYSCALL,
		.dts = 3, .tid = 7, .park = 42, .nr = 39, .ret = 1234,
	};
	x->park[1] = (struct rec_snap_park){
		.type = REC_SNAP, .kind = REC_SNAP_PARK,
		.flags = REC_SNAPT_SYSCALL | REC_SNAPT_IN_SYSCALL,
		.dts = 4, .tid = 8, .park = 42, .nr = 0, .ret = -512,
	};
	x->taken.r = (struct rec_snap){
		.type = REC_SNAP, .kind = REC_SNAP_TAKEN, .dts = 5, .tid = 7, .nthreads = 2,
		.park = 42, .snap_id = 9,
	};
	memset(x->taken.r.image_id, 0xab, sizeof(x->taken.r.image_id));
	snprintf(x->taken.r.image, sizeof(x->taken.r.image), "snap-0001.img");
	x->taken.th[0] = (struct rec_snap_thread){ .tid = 7, .flags = REC_SNAPT_SYSCALL,
						   .last_seq = 0, .park_seq = 1, .nr = 39 };
	x->taken.th[1] = (struct rec_snap_thread){ .tid = 8, .flags = x->park[1].flags,
						   .last_seq = 0, .park_seq = 2, .nr = 0 };
}

/*
 * REC_SNAP through the writer and back: the PARK records and the TAKEN
 * record with its threads, their times, in a journal of the current format.
 */
TEST_F(codec, snapshot_records_round_trip)
{
	struct rec_sys sys = { .tid = 7, .nr = 39, .ret = 1234 };
	struct journal_writer *jw;
	struct snap_recs x, y;
	struct rec_reader rr;
	struct rec_writer w;
	struct rec_event ev;

	make_snap(&x);
	y = x;
	ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(0, rec_writer_start(&w, jw, 1000));
	ASSERT_EQ(0, rec_write_sys(&w, 1, 1010, &sys));
	ASSERT_EQ(0, rec_write_event(&w, 2, 1020, &y.park[0], sizeof(y.park[0])));
	ASSERT_EQ(0, rec_write_event(&w, 3, 1030, &y.park[1], sizeof(y.park[1])));
	ASSERT_EQ(0, rec_write_event(&w, 4, 1040, &y.taken, sizeof(y.taken)));
	ASSERT_EQ(0, rec_writer_flush(&w));
	ASSERT_EQ(0, journal_close(jw));

	ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_START, ev.type);
	EXPECT_EQ((uint32_t)REC_FORMAT_VERSION, rr.version);
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SYS, ev.type);
	for (int i = 0; i < 2; i++) {
		const struct rec_snap_park *p;

		ASSERT_EQ(1, rec_reader_next(&rr, &ev));
		ASSERT_EQ(REC_SNAP, ev.type);
		EXPECT_EQ(2U + i, ev.seq);
		EXPECT_EQ(1020U + 10 * i, ev.ts);
		EXPECT_EQ(x.park[i].tid, ev.tid);
		ASSERT_EQ(sizeof(*p), ev.len);
		p = ev.rec;
		EXPECT_EQ(REC_SNAP_PARK, p->kind);
		EXPECT_EQ(x.park[i].flags, p->flags);
		EXPECT_EQ(42U, p->park);
		EXPECT_EQ(x.park[i].nr, p->nr);
		EXPECT_EQ(x.park[i].ret, p->ret);
	}
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SNAP, ev.type);
	EXPECT_EQ(4U, ev.seq);
	EXPECT_EQ(1040U, ev.ts);
	EXPECT_EQ(7U, ev.tid);
	ASSERT_EQ(sizeof(x.taken), ev.len);
	ASSERT_NE(NULL, ev.snap_threads);
	EXPECT_EQ(0, memcmp(ev.rec + offsetof(struct rec_snap, nthreads),
			    (const uint8_t *)&x.taken + offsetof(struct rec_snap, nthreads),
			    sizeof(x.taken) - offsetof(struct rec_snap, nthreads)));
	EXPECT_STREQ("snap-0001.img", ((const struct rec_snap *)ev.rec)->image);
	EXPECT_EQ(8U, ev.snap_threads[1].tid);
	EXPECT_EQ(3U - 1, ev.snap_threads[1].park_seq);
	EXPECT_NE(0U, ev.snap_threads[1].flags & REC_SNAPT_IN_SYSCALL);
	EXPECT_EQ(0, rec_reader_next(&rr, &ev));
	EXPECT_EQ(3U, rr.count[REC_SNAP]);
	rec_reader_close(&rr);
}

/*
 * A journal of format 3 (before REC_SNAP) is still read; a REC_SNAP in one
 * is malformed (-EBADMSG), as a type its version did not have.
 */
TEST_F(codec, format_version_3_is_read_without_snapshots)
{
	struct rec_sys sys = { .type = REC_SYS, .tid = 7, .nr = 39, .ret = 1234, .dts = 10 };
	struct snap_recs x;
	const void *recs[] = { &sys, &x.park[0] };
	const size_t lens[] = { sizeof(sys), sizeof(x.park[0]) };
	struct rec_reader rr;
	struct rec_event ev;

	make_snap(&x);
	write_snaps(_metadata, self->path, 3, recs, lens, 1);
	ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	EXPECT_EQ(3U, rr.version);
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(REC_SYS, ev.type);
	EXPECT_EQ(1010U, ev.ts);
	EXPECT_EQ(0, rec_reader_next(&rr, &ev));
	rec_reader_close(&rr);

	write_snaps(_metadata, self->path, 3, recs, lens, 2);
	ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	EXPECT_EQ(-EBADMSG, rec_reader_next(&rr, &ev));
	rec_reader_close(&rr);
}

/*
 * Damaged REC_SNAP records are malformed (-EBADMSG), as other damaged
 * records: an unknown kind, a PARK of another size, a TAKEN cut short of
 * its threads or longer than they are, too many threads, an image name
 * without its NUL. A damaged chunk holding one is skipped whole, and the
 * records after it are read.
 */
TEST_F(codec, damaged_snapshot_records)
{
	struct snap_recs x;
	unsigned int i;

	for (i = 0; i < 7; i++) {
		const void *recs[1];
		size_t lens[1];
		struct rec_reader rr;
		struct rec_event ev;

		make_snap(&x);
		recs[0] = &x.taken;
		lens[0] = sizeof(x.taken);
		switch (i) {
		case 0: x.taken.r.kind = 3; break;
		case 1: recs[0] = &x.park[0]; lens[0] = sizeof(x.park[0]) + 8; break;
		case 2: lens[0] -= sizeof(struct rec_snap_thread); break;
		case 3: x.taken.r.nthreads = 1; break;
		case 4: x.taken.r.nthreads = REC_SNAP_MAX_THREADS + 1; break;
		case 5: memset(x.taken.r.image, 'a', sizeof(x.taken.r.image)); break;
		case 6: lens[0] = sizeof(struct rec_snap) - 8; break;
		}
		write_snaps(_metadata, self->path, REC_FORMAT_VERSION, recs, lens, 1);
		ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
		ASSERT_EQ(1, rec_reader_next(&rr, &ev));
		EXPECT_EQ(-EBADMSG, rec_reader_next(&rr, &ev)) TH_LOG("case %u", i);
		rec_reader_close(&rr);
	}
}

TEST_F(codec, snapshot_in_a_damaged_chunk_is_skipped)
{
	struct journal_opts jo = { .chunk_bytes = 256 };
	struct rec_start st = { .type = REC_START, .version = REC_FORMAT_VERSION, .ns = 1000 };
	struct rec_sys sys = { .type = REC_SYS, .tid = 7, .nr = 39, .ret = 1 };
	struct journal_writer *jw;
	struct snap_recs x;
	struct rec_reader rr;
	struct rec_event ev;
	unsigned int snaps = 0, syscalls = 0;
	struct stat sb;
	int fd, ret;
	char b;

	make_snap(&x);
	ASSERT_EQ(0, journal_create(self->path, &jo, &jw));
	ASSERT_EQ(0, journal_append(jw, 0, &st, sizeof(st)));
	ASSERT_EQ(0, journal_append(jw, 1, &x.taken, sizeof(x.taken)));
	ASSERT_EQ(0, journal_append(jw, 2, &x.taken, sizeof(x.taken)));
	ASSERT_EQ(0, journal_append(jw, 3, &sys, sizeof(sys)));
	ASSERT_EQ(0, journal_close(jw));
	/* a byte in the payload of the chunk of the first TAKEN record */
	fd = open(self->path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &sb));
	ASSERT_EQ(1, pread(fd, &b, 1, 64 + 64 + 80));
	b ^= 0x5a;
	ASSERT_EQ(1, pwrite(fd, &b, 1, 64 + 64 + 80));
	close(fd);
	ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
	while ((ret = rec_reader_next(&rr, &ev)) > 0) {
		snaps += ev.type == REC_SNAP;
		syscalls += ev.type == REC_SYS;
	}
	EXPECT_EQ(0, ret);
	EXPECT_EQ(1U, snaps);
	EXPECT_EQ(1U, syscalls);
	EXPECT_LE(1U, rr.bad_chunks);
	rec_reader_close(&rr);
}

/* Which child a recorded wait4 or waitid reaped: an exit, not a stop. */
TEST(wait_reaped)
{
	struct rec_sys w4 = { .type = REC_SYS, .nr = SYS_wait4, .ret = 42,
			      .args = { (__u64)-1, 0x1000, 0, 0 } };
	struct rec_sys wid = { .type = REC_SYS, .nr = SYS_waitid, .ret = 0,
			       .args = { P_ALL, 0, 0x2000, WEXITED, 0 } };
	int st = 3 << 8;			/* exited 3 */
	siginfo_t si = { .si_signo = SIGCHLD, .si_code = CLD_EXITED };
	struct rec_outdata o = { .region = 1, .data = (const uint8_t *)&st, .len = sizeof(st) };
	int32_t pid = 0;

	ASSERT_TRUE(rec_wait_reaped(&w4, &o, 1, &pid));
	EXPECT_EQ(42, pid);
	st = 0x137f;				/* stopped by SIGSTOP */
	EXPECT_FALSE(rec_wait_reaped(&w4, &o, 1, &pid));
	st = SIGKILL;				/* killed */
	EXPECT_TRUE(rec_wait_reaped(&w4, &o, 1, &pid));
	EXPECT_FALSE(rec_wait_reaped(&w4, &o, 0, &pid));	/* status not recorded */
	w4.args[1] = 0;				/* no status: the options tell */
	EXPECT_TRUE(rec_wait_reaped(&w4, NULL, 0, &pid));
	w4.args[2] = WUNTRACED;
	EXPECT_FALSE(rec_wait_reaped(&w4, NULL, 0, &pid));
	w4.ret = 0;				/* WNOHANG, nothing */
	EXPECT_FALSE(rec_wait_reaped(&w4, NULL, 0, &pid));

	si.si_pid = 43;
	o = (struct rec_outdata){ .region = 2, .data = (const uint8_t *)&si, .len = sizeof(si) };
	pid = 0;
	ASSERT_TRUE(rec_wait_reaped(&wid, &o, 1, &pid));
	EXPECT_EQ(43, pid);
	wid.args[3] = WEXITED | WNOWAIT;
	EXPECT_FALSE(rec_wait_reaped(&wid, &o, 1, &pid));
	wid.args[3] = WEXITED | WSTOPPED;
	si.si_code = CLD_STOPPED;
	EXPECT_FALSE(rec_wait_reaped(&wid, &o, 1, &pid));
	si.si_code = CLD_KILLED;
	EXPECT_TRUE(rec_wait_reaped(&wid, &o, 1, &pid));
	si.si_pid = 0;				/* WNOHANG, nothing */
	EXPECT_FALSE(rec_wait_reaped(&wid, &o, 1, &pid));
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

/* A REC_SYS of version 1's size in a journal of the current format. */
TEST_F(codec, short_syscall_record_is_ebadmsg)
{
	struct rec_start st = { .type = REC_START, .version = REC_FORMAT_VERSION };
	struct rec_sys sys = { .type = REC_SYS, .tid = 7 };
	struct journal_writer *jw;
	struct rec_reader rr;
	struct rec_event ev;

	ASSERT_EQ(0, journal_create(self->path, NULL, &jw));
	ASSERT_EQ(0, journal_append(jw, 0, &st, sizeof(st)));
	ASSERT_EQ(0, journal_append(jw, 1, &sys, 72));
	ASSERT_EQ(0, journal_close(jw));
	ASSERT_EQ(0, rec_reader_open_file(&rr, self->path));
	ASSERT_EQ(1, rec_reader_next(&rr, &ev));
	EXPECT_EQ(-EBADMSG, rec_reader_next(&rr, &ev));
	rec_reader_close(&rr);
}

TEST_HARNESS_MAIN
