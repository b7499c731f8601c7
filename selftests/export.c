// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec export --perfetto: recordings written as Chrome trace-event JSON.
 * Every export is checked with jq: valid JSON, the slices of each thread
 * nested and not overlapping, and as many syscalls, signals, scheduling
 * records, lifecycle events and threads as `ttrec info` counts. A journal
 * written here by hand pins the timeline exactly (slice bounds, a gap,
 * a snapshot); a damaged journal shows its damage; a recording of a
 * million events is exported in bounded memory (its peak RSS is logged).
 * Runs on the host and in the test VM (jq is in both).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "replay_common.h"
#include "format/journal.h"
#include "format/records.h"
#include "format/recording.h"

/*
 * jq: one line of counts. overlaps: slices of a thread that start inside
 * another and end after it (times compared in integer ns).
 */
static const char check_jq[] =
	"def ns: (. * 1000 | round);\n"
	".traceEvents as $e\n"
	"| ([$e[] | select(.ph == \"X\")] | group_by([.pid, .tid])\n"
	"   | map(sort_by([(.ts | ns), -(.dur | ns)])\n"
	"     | reduce .[] as $s ({stack: [], bad: 0};\n"
	"         ($s.ts | ns) as $b | ($b + ($s.dur | ns)) as $fin\n"
	"         | .stack |= map(select(. > $b))\n"
	"         | (if (.stack | length) > 0 and $fin > .stack[-1] then .bad += 1 else . end)\n"
	"         | .stack += [$fin])\n"
	"     | .bad) | add // 0) as $bad\n"
	"| \"syscalls=\\([$e[] | select(.cat == \"syscall\")] | length)\"\n"
	"  + \" signals=\\([$e[] | select(.cat == \"signal\")] | length)\"\n"
	"  + \" sched=\\([$e[] | select(.cat == \"sched\") | .args | (.seq, .out_seq, .in_seq) | select(. != null)] | length)\"\n"
	"  + \" lifecycle=\\([$e[] | select(.cat == \"task\")] | length)\"\n"
	"  + \" threads=\\([$e[] | select(.ph != \"M\" and .pid != 4194305) | .tid] | unique | length)\"\n"
	"  + \" unnamed=\\(([$e[] | select(.ph != \"M\" and .pid != 4194305) | [.pid, .tid]] | unique)"
	" - ([$e[] | select(.name == \"thread_name\") | [.pid, .tid]] | unique) | length)\"\n"
	"  + \" gaps=\\([$e[] | select(.cat == \"gap\")] | length)\"\n"
	"  + \" damage=\\([$e[] | select(.cat == \"damage\")] | length)\"\n"
	"  + \" snapshots=\\([$e[] | select(.cat == \"snapshot\" and .ph == \"i\")] | length)\"\n"
	"  + \" overlaps=\\($bad)\"\n";

struct counts {
	long syscalls, signals, sched, lifecycle, threads;
	long unnamed, gaps, damage, snapshots, overlaps;
};

/* @name in the scratch directory, in @buf (PATH_MAX + 32 bytes). */
static char *tmp_path(FIXTURE_DATA(rp) *self, const char *name, char *buf)
{
	snprintf(buf, PATH_MAX + 32, "%s/%s", self->tmp, name);
	return buf;
}

#define TMP(name) tmp_path(self, name, (char[PATH_MAX + 32]){ 0 })

/* `ttrec export DIR --perfetto -o OUT [opts]`: its exit status; stderr in self->err. */
static int export(FIXTURE_DATA(rp) *self, const char *out, const char *opts)
{
	int st = sh("%s export %s --perfetto -o %s %s 2> %s/exp.err", ttrec_bin, self->dir,
		    out, opts, self->tmp);

	slurp(TMP("exp.err"), self->err, OUT_MAX);
	return st;
}

/* jq's verdict on @json into @c; 0, or the failing status (invalid JSON). */
static int check(FIXTURE_DATA(rp) *self, const char *json, struct counts *c)
{
	FILE *f = fopen(TMP("check.jq"), "w");
	int st;

	if (!f)
		return -1;
	fputs(check_jq, f);
	fclose(f);
	st = sh("jq empty %s 2> %s/jq.err && jq -r -f %s/check.jq %s > %s/check.out 2>> %s/jq.err",
		json, self->tmp, self->tmp, json, self->tmp, self->tmp);
	if (st)
		return st;
	memset(c, 0, sizeof(*c));
	slurp(TMP("check.out"), self->rep, OUT_MAX);
	if (sscanf(self->rep, "syscalls=%ld signals=%ld sched=%ld lifecycle=%ld threads=%ld "
		   "unnamed=%ld gaps=%ld damage=%ld snapshots=%ld overlaps=%ld",
		   &c->syscalls, &c->signals, &c->sched, &c->lifecycle, &c->threads,
		   &c->unnamed, &c->gaps, &c->damage, &c->snapshots, &c->overlaps) != 10)
		return -1;
	return 0;
}

/* The number after @key in `ttrec info`'s output @info, or -1. */
static long info_count(const char *info, const char *key)
{
	const char *p = strstr(info, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* The export and `ttrec info` agree on what the recording holds. */
#define EXPECT_INFO_COUNTS(c) do {								\
	ASSERT_EQ(0, sh("%s info %s > %s/info.out 2>&1", ttrec_bin, self->dir, self->tmp));	\
	slurp(TMP("info.out"), self->rec, OUT_MAX);					\
	EXPECT_EQ(info_count(self->rec, "\n  syscalls:  "), (c).syscalls) TH_LOG("%s", self->rec); \
	EXPECT_EQ(info_count(self->rec, "\n  signals:   "), (c).signals);			\
	EXPECT_EQ(info_count(self->rec, "\n  sched:     "), (c).sched);			\
	EXPECT_EQ(info_count(self->rec, "\n  lifecycle: "), (c).lifecycle);			\
	EXPECT_EQ(info_count(self->rec, "\nthreads:     "), (c).threads);			\
	EXPECT_EQ(0, (c).unnamed);								\
	EXPECT_EQ(0, (c).overlaps);								\
} while (0)

/* Threads: a track each, their syscalls and scheduling; counts as info's. */
TEST_F_TIMEOUT(rp, threads, 120)
{
	char cmd[CMD_MAX], json[PATH_MAX + 32];

	tmp_path(self, "t.json", json);
	struct counts c;

	snprintf(cmd, sizeof(cmd), "%s/threads", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_EQ(0, export(self, json, "")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, check(self, json, &c)) TH_LOG("%s", self->rep);
	EXPECT_INFO_COUNTS(c);
	EXPECT_EQ(5, c.threads);
	EXPECT_GT(c.syscalls, 8000);
	/* each thread named after the program */
	ASSERT_EQ(0, sh("test $(jq '[.traceEvents[] | select(.name == \"thread_name\" and "
			".args.name == \"threads\")] | length' %s) -ge 5", json));
	/* a syscall's slice says what dump says of it */
	ASSERT_EQ(0, sh("%s dump %s | grep -q 'getppid() = '", ttrec_bin, self->dir));
	ASSERT_EQ(0, sh("jq -e '[.traceEvents[] | select(.name == \"getppid\" and "
			"(.args.call | startswith(\"getppid() = \")) and .args.seq > 0)] | "
			"length == 500' %s > /dev/null", json));
}

/*
 * Signals: instants; the read that a 1 s alarm interrupted is a slice of
 * about a second, its time asleep a slice inside it.
 */
TEST_F_TIMEOUT(rp, signals, 120)
{
	char cmd[CMD_MAX], json[PATH_MAX + 32];

	tmp_path(self, "s.json", json);
	struct counts c;

	snprintf(cmd, sizeof(cmd), "%s/signals", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_EQ(0, export(self, json, "")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, check(self, json, &c)) TH_LOG("%s", self->rep);
	EXPECT_INFO_COUNTS(c);
	EXPECT_EQ(2, c.signals);
	ASSERT_EQ(0, sh("jq -e '[.traceEvents[] | select(.ph == \"i\" and .name == \"SIGALRM\" "
			"and .args.interrupted == \"read\")] | length == 1' %s > /dev/null", json));
	ASSERT_EQ(0, sh("jq -e '.traceEvents as $e | [$e[] | select(.name == \"read\" and "
			".dur > 900000)] | length == 1' %s > /dev/null", json))
		TH_LOG("no read slice of about 1 s");
	ASSERT_EQ(0, sh("jq -e '.traceEvents as $e | ($e[] | select(.name == \"read\" and "
			".dur > 900000)) as $r | [$e[] | select(.cat == \"sched\" and .ph == \"X\" "
			"and .tid == $r.tid and .ts >= $r.ts and .ts + .dur <= $r.ts + $r.dur "
			"and .dur > 900000)] | length == 1' %s > /dev/null", json))
		TH_LOG("no sleep inside the read");
}

/*
 * A shell's children: a process each, named by what it executed (programs
 * of ours: busybox's sh runs its applets without an exec).
 */
TEST_F_TIMEOUT(rp, processes, 120)
{
	char cmd[CMD_MAX], json[PATH_MAX + 32];
	struct counts c;

	tmp_path(self, "p.json", json);
	snprintf(cmd, sizeof(cmd), "sh -c '%s/gdb_demo > /dev/null; %s/signals | %s/gdb_demo'",
		 wl_dir, wl_dir, wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_EQ(0, export(self, json, "")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, check(self, json, &c)) TH_LOG("%s", self->rep);
	EXPECT_INFO_COUNTS(c);
	EXPECT_GE(c.threads, 4);
	EXPECT_GE(c.signals, 2);	/* the workload's own, and SIGCHLDs */
	ASSERT_EQ(0, sh("jq -e '[.traceEvents[] | select(.name == \"process_name\") | "
			".args.name] | (index(\"gdb_demo\") != null and index(\"signals\") != null and "
			"index(\"sh\") != null)' %s > /dev/null", json))
		TH_LOG("process names: %s", self->rep);
	/* every fork names a process of its own */
	ASSERT_EQ(0, sh("jq -e '.traceEvents as $e | [$e[] | select(.name == \"fork\") | "
			".args.child] - [$e[] | select(.name == \"process_name\") | .pid] | "
			"length == 0' %s > /dev/null", json));
	ASSERT_EQ(0, sh("jq -e '[.traceEvents[] | select(.name == \"fork\")] | length >= 3' %s "
			"> /dev/null", json));
}

/* --from/--to: the syscalls of that window, as dump has them. */
TEST_F_TIMEOUT(rp, window, 120)
{
	char cmd[CMD_MAX], json[PATH_MAX + 32];

	tmp_path(self, "w.json", json);
	struct counts c;
	long want;

	snprintf(cmd, sizeof(cmd), "%s/threads", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_EQ(0, export(self, json, "--from 100 --to 2100")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, check(self, json, &c)) TH_LOG("%s", self->rep);
	ASSERT_EQ(0, sh("%s dump %s --json --from 100 --to 2100 | jq -c 'select(.type == "
			"\"syscall\")' | wc -l > %s/want", ttrec_bin, self->dir, self->tmp));
	slurp(TMP("want"), self->rep, OUT_MAX);
	want = strtol(self->rep, NULL, 10);
	EXPECT_GT(want, 1000);
	EXPECT_EQ(want, c.syscalls);
	EXPECT_EQ(0, c.overlaps);
	ASSERT_EQ(0, sh("jq -e '[.traceEvents[] | select(.args.seq != null) | .args.seq] | "
			"(min >= 100 and max <= 2100)' %s > /dev/null", json));
}

/* Bad usage, a missing recording, an output that cannot be written. */
TEST_F(rp, errors)
{
	EXPECT_EQ(2, sh("%s export %s/none --perfetto 2> /dev/null", ttrec_bin, self->tmp));
	EXPECT_EQ(2, sh("%s export --perfetto -o x 2> /dev/null", ttrec_bin));
	EXPECT_EQ(1, sh("%s export %s/none --perfetto -o %s/x.json 2> /dev/null", ttrec_bin,
			self->tmp, self->tmp));
	EXPECT_EQ(0, sh("%s export --help | grep -q -- --perfetto", ttrec_bin));
}

static void put_sys(struct rec_writer *w, uint64_t seq, uint64_t ts, uint32_t tid,
		    int64_t nr, int64_t ret, uint8_t flags)
{
	struct rec_sys r = { .type = REC_SYS, .flags = flags, .tid = tid, .nr = nr, .ret = ret };

	rec_write_sys(w, seq, ts, &r);
}

static void put_sched(struct rec_writer *w, uint64_t seq, uint64_t ts, uint32_t tid,
		      uint8_t kind, uint32_t state)
{
	struct rec_sched s = { .type = REC_SCHED, .kind = kind, .tid = tid, .state = state };

	rec_write_event(w, seq, ts, &s, sizeof(s));
}

static void put_task(struct rec_writer *w, uint64_t seq, uint64_t ts, uint32_t tid,
		     uint8_t kind, uint32_t child, bool last, const char *file)
{
	struct { struct rec_task t; char file[32]; } k = {
		.t = { .type = REC_TASK, .kind = kind, .tid = tid, .tgid = 100,
		       .child = child, .group_dead = last },
	};
	size_t len = sizeof(k.t);

	if (file) {
		snprintf(k.file, sizeof(k.file), "%s", file);
		len += strlen(file) + 1;
	}
	rec_write_event(w, seq, ts, &k, len);
}

/*
 * A journal written here, so that every bound is known: thread 100 sleeps
 * in futex from +4 us to +6 us (its slice starts just before +4 us and
 * holds the off-CPU slice), 5 events are lost, a snapshot paused the
 * process for 300 ns at +5 us.
 */
TEST_F(rp, exact_timeline)
{
	const uint64_t t0 = 1000000000;
	char *json = TMP("x.json"), path[PATH_MAX + 16];
	char *argv[] = { "/bin/demo", NULL };
	struct rec_signal sig = { .type = REC_SIGNAL, .sig = SIGUSR1, .tid = 101,
				  .syscall = -1 };
	struct journal_writer *jw;
	struct rec_writer w;
	struct counts c;

	ASSERT_EQ(0, recording_create(self->dir, "/bin/demo", 100, argv));
	ASSERT_EQ(0, recording_meta_append(self->dir, "command=/bin/demo\n"
		  "snapshot=snap-0001.img monotonic_ns=%llu pause_ns=300 parent=- diff=full data_pages=1\n",
		  (unsigned long long)t0 + 5000));
	snprintf(path, sizeof(path), "%s/%s", self->dir, RECORDING_JOURNAL);
	ASSERT_EQ(0, journal_create(path, NULL, &jw));
	ASSERT_EQ(0, rec_writer_start(&w, jw, t0));
	put_task(&w, 1, t0 + 1000, 100, REC_TASK_EXEC, 100, false, "/bin/demo");
	put_sys(&w, 2, t0 + 2000, 100, 110, 1, 0);			/* getppid */
	put_task(&w, 3, t0 + 3000, 100, REC_TASK_CLONE, 101, false, NULL);
	put_sched(&w, 4, t0 + 4000, 100, REC_SCHED_OUT, 1);
	put_sys(&w, 5, t0 + 5000, 101, 1, 3, 0);			/* write */
	put_sched(&w, 6, t0 + 6000, 100, REC_SCHED_IN, 0);
	put_sys(&w, 7, t0 + 7000, 100, 202, 0, 0);			/* futex */
	rec_write_event(&w, 8, t0 + 8000, &sig, sizeof(sig));
	rec_write_gap(&w, 5, 9);
	put_sys(&w, 14, t0 + 9000, 100, 231, 0, REC_SF_NORETURN);	/* exit_group */
	put_task(&w, 15, t0 + 9500, 101, REC_TASK_EXIT, 0, false, NULL);
	put_task(&w, 16, t0 + 10000, 100, REC_TASK_EXIT, 0, true, NULL);
	ASSERT_EQ(0, rec_writer_flush(&w));
	ASSERT_EQ(0, journal_close(jw));

	ASSERT_EQ(0, export(self, json, "")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, check(self, json, &c)) TH_LOG("%s", self->rep);
	EXPECT_INFO_COUNTS(c);
	EXPECT_EQ(1, c.gaps);
	EXPECT_EQ(1, c.snapshots);
	EXPECT_EQ(0, c.damage);
	slurp(json, self->rep, OUT_MAX);
	EXPECT_NE(NULL, strstr(self->rep, "\"name\":\"futex\",\"cat\":\"syscall\",\"ts\":3.999,\"dur\":3.001,"))
		TH_LOG("%s", self->rep);
	EXPECT_NE(NULL, strstr(self->rep, "\"name\":\"off CPU: sleeping (S)\",\"cat\":\"sched\",\"ts\":4.000,\"dur\":2.000,"));
	EXPECT_NE(NULL, strstr(self->rep, "\"name\":\"getppid\",\"cat\":\"syscall\",\"ts\":2.000,\"dur\":0.000,"));
	EXPECT_NE(NULL, strstr(self->rep, "\"pid\":100,\"tid\":101,\"name\":\"write\",\"cat\":\"syscall\",\"ts\":5.000,"));
	EXPECT_NE(NULL, strstr(self->rep, "\"pid\":100,\"tid\":101,\"name\":\"thread_name\",\"args\":{\"name\":\"demo\"}"));
	EXPECT_NE(NULL, strstr(self->rep, "\"pid\":100,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"demo\"}"));
	EXPECT_NE(NULL, strstr(self->rep, "\"name\":\"SIGUSR1\",\"cat\":\"signal\",\"ts\":8.000,\"s\":\"t\""));
	EXPECT_NE(NULL, strstr(self->rep, "\"name\":\"5 events lost\",\"cat\":\"gap\",\"ts\":8.000,\"s\":\"g\",\"args\":{\"seq\":8,\"lost\":5,\"not_replayable_from\":9}"));
	EXPECT_NE(NULL, strstr(self->rep, "\"name\":\"snapshot pause\",\"cat\":\"snapshot\",\"ts\":5.000,\"dur\":0.300,"));
	EXPECT_NE(NULL, strstr(self->rep, "\"name\":\"snapshot\",\"cat\":\"snapshot\",\"ts\":5.000,\"s\":\"p\",\"args\":{\"image\":\"snap-0001.img\",\"pause_ns\":300}"));
	EXPECT_NE(NULL, strstr(self->rep, "\"name\":\"exit_group\",\"cat\":\"syscall\",\"ts\":9.000,\"dur\":0.000,\"args\":{\"seq\":14,\"call\":\"exit_group(0) = ?\"}}"));
}

/* The offset of chunk @n (0, 1, ...) of journal @fd, or -1. */
static off_t chunk_offset(int fd, unsigned int n)
{
	struct journal_chunk_header h;
	off_t off = sizeof(struct journal_file_header);

	for (;;) {
		if (pread(fd, &h, sizeof(h), off) != sizeof(h))
			return -1;
		if (!n--)
			return off;
		off += sizeof(h) + h.compressed_len;
	}
}

/*
 * A damaged chunk: the export goes on past it and shows where it was.
 * (Counted with grep: jq's whole analysis of 90k events takes minutes in
 * the test VM.)
 */
TEST_F_TIMEOUT(rp, damaged_journal, 300)
{
	char cmd[CMD_MAX], path[PATH_MAX + 16], json[PATH_MAX + 32];
	uint8_t b;
	long n;
	off_t off;
	int fd;

	tmp_path(self, "d.json", json);
	snprintf(cmd, sizeof(cmd), "%s/bench_getppid 100000", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	snprintf(path, sizeof(path), "%s/%s", self->dir, RECORDING_JOURNAL);
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	off = chunk_offset(fd, 1);
	ASSERT_LT(0, off) TH_LOG("fewer than 3 chunks");
	ASSERT_LT(0, chunk_offset(fd, 2)) TH_LOG("fewer than 3 chunks");
	off += sizeof(struct journal_chunk_header) + 100;
	ASSERT_EQ(1, pread(fd, &b, 1, off));
	b ^= 0xff;
	ASSERT_EQ(1, pwrite(fd, &b, 1, off));
	close(fd);

	ASSERT_EQ(0, export(self, json, "")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, sh("jq empty %s", json));
	ASSERT_EQ(0, sh("grep -c '\"cat\":\"syscall\"' %s > %s/n", json, self->tmp));
	snprintf(path, sizeof(path), "%s/n", self->tmp);
	slurp(path, self->rep, OUT_MAX);
	n = strtol(self->rep, NULL, 10);
	ASSERT_EQ(0, sh("%s info %s > %s/info.out 2>&1", ttrec_bin, self->dir, self->tmp));
	snprintf(path, sizeof(path), "%s/info.out", self->tmp);
	slurp(path, self->rec, OUT_MAX);
	EXPECT_EQ(info_count(self->rec, "\n  syscalls:  "), n) TH_LOG("%s", self->rec);
	EXPECT_LT(n, 100000);
	EXPECT_GT(n, 20000);
	ASSERT_EQ(0, sh("grep '\"cat\":\"damage\"' %s | sed 's/,$//' | jq -e -s '"
			"[.[] | select(.args.chunks_skipped == 1 and .args.before_seq > .args.after_seq "
			"and .dur > 0)] | length == 1' > /dev/null", json))
		TH_LOG("damage slice: %s", self->rep);
}

/* Peak RSS in KiB of `ttrec export` of the recording into @json. */
static long export_rss(FIXTURE_DATA(rp) *self, const char *json)
{
	struct rusage ru;
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(ttrec_bin, ttrec_bin, "export", self->dir, "--perfetto", "-o", json,
		      (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return ru.ru_maxrss;
}

/*
 * A million events export in bounded memory: the peak RSS is not above
 * that of a 100k-event recording's export by more than 4 MiB, and under
 * 32 MiB (the JSON is 150 MB, the journal 80 MB uncompressed).
 */
TEST_F_TIMEOUT(rp, million_events_bounded_memory, 300)
{
	char cmd[CMD_MAX], json[PATH_MAX + 32];

	tmp_path(self, "m.json", json);
	long small, big, n;
	struct stat sb;

	snprintf(cmd, sizeof(cmd), "%s/bench_getppid 100000", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	small = export_rss(self, json);
	ASSERT_LT(0, small);
	sh("rm -rf %s", self->dir);
	snprintf(cmd, sizeof(cmd), "%s/bench_getppid 1000000", wl_dir);
	/*
	 * A ring that holds all of it (about 100 MB): on a busy machine the
	 * recorder may not run for a while, and a full ring loses events.
	 */
	ASSERT_EQ(0, record(self, "--ring-mib 256", cmd));
	big = export_rss(self, json);
	ASSERT_LT(0, big);
	ASSERT_EQ(0, stat(json, &sb));
	TH_LOG("peak RSS: 100k events %ld KiB, 1M events %ld KiB (JSON %lld bytes)", small, big,
	       (long long)sb.st_size);
	EXPECT_LT(big, 32 * 1024);
	EXPECT_LT(big, small + 4 * 1024);
	/* all of it is there: as many syscall slices as info counts */
	ASSERT_EQ(0, sh("grep -c '\"cat\":\"syscall\"' %s > %s/n", json, self->tmp));
	slurp(TMP("n"), self->rep, OUT_MAX);
	n = strtol(self->rep, NULL, 10);
	ASSERT_EQ(0, sh("%s info %s > %s/info.out", ttrec_bin, self->dir, self->tmp));
	slurp(TMP("info.out"), self->rec, OUT_MAX);
	EXPECT_EQ(info_count(self->rec, "\n  syscalls:  "), n);
	EXPECT_GT(n, 1000000);
	/* and it ends as JSON does */
	ASSERT_EQ(0, sh("tail -n 1 %s | grep -q '^],\"otherData\":{.*}}$'", json));
	unlink(json);
}

TEST_HARNESS_MAIN
