// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec record / attach / dump / info, end to end: workloads print digests
 * of what they read; the tests compute the same digests from the journal's
 * recorded syscall outputs. Also ordering across threads, signals,
 * fork/exec, attach errors, kill -9 of the recorder and a full disk.
 * Runs on the host and in the test VM (as root).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>

/* the harness compares its operands as they come */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "format/journal.h"
#include "lib/log.h"
#include "format/records.h"
#include "format/recording.h"
#include "syscalls/table.h"

static char ttrec_bin[PATH_MAX], wl_dir[PATH_MAX];

__attribute__((constructor)) static void find_paths(void)
{
	char self[PATH_MAX], *d;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		n = 0;
	self[n] = '\0';
	d = dirname(self);
	snprintf(ttrec_bin, sizeof(ttrec_bin), "%s/../ttrec", d);
	snprintf(wl_dir, sizeof(wl_dir), "%s/workloads", d);
	log_verbosity = LOG_WARN;
}

#define OUT_MAX	(1 << 20)

/* Run a shell command line; stdout into @out (may be NULL); exit status. */
static int sh(char *out, const char *fmt, ...)
{
	char cmd[8192], buf[4096];
	size_t used = 0, n;
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (out && used + n < OUT_MAX - 1) {
			memcpy(out + used, buf, n);
			used += n;
		}
	}
	if (out)
		out[used] = 0;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

#define FNV0 0xcbf29ce484222325ULL

/* FNV-1a digest and length of a whole file; 0 or -1. */
static int file_digest(const char *path, uint64_t *digest, uint64_t *len)
{
	static char buf[65536];
	size_t r;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	*digest = FNV0;
	*len = 0;
	while ((r = fread(buf, 1, sizeof(buf), f)) > 0) {
		*digest = fnv(*digest, buf, r);
		*len += r;
	}
	fclose(f);
	return 0;
}

/* "digest NAME HEX" from a workload's output; 0 if missing */
static uint64_t printed_digest(const char *out, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "digest %s ", name);
	p = strstr(out, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : 0;
}

static int count_sys(const char *dir, const char *name, uint32_t tid);

typedef bool (*out_filter)(const struct rec_sys *s, unsigned int region, void *arg);

/* FNV of the outputs of the syscalls @f selects, in journal order. */
static int journal_digest(const char *dir, out_filter f, void *arg, uint64_t *h,
			  uint64_t *nbytes)
{
	struct rec_reader rr;
	struct rec_event ev;
	struct rec_sys cur = { 0 };
	int ret;

	*h = FNV0;
	*nbytes = 0;
	if (rec_reader_open(&rr, dir))
		return -1;
	while ((ret = rec_reader_next(&rr, &ev)) > 0) {
		unsigned int k;

		if (ev.type != REC_SYS)
			continue;
		memcpy(&cur, ev.rec, sizeof(cur));
		for (k = 0; k < ev.nout; k++) {
			if (f(&cur, ev.out[k].region, arg)) {
				*h = fnv(*h, ev.out[k].data, ev.out[k].len);
				*nbytes += ev.out[k].len;
			}
		}
	}
	rec_reader_close(&rr);
	return ret;
}

static bool is(const struct rec_sys *s, const char *name)
{
	return s->nr == syscall_nr(name);
}

static bool f_file(const struct rec_sys *s, unsigned int r, void *a)
{
	return s->args[0] == 100 &&
	       (((is(s, "read") || is(s, "pread64")) && r == 1) ||
		(is(s, "readv") && r == REC_REGION_IOV));
}

static bool f_pipe(const struct rec_sys *s, unsigned int r, void *a)
{
	return s->args[0] == 101 && is(s, "read") && r == 1;
}

static bool f_unix(const struct rec_sys *s, unsigned int r, void *a)
{
	return s->args[0] == 102 &&
	       ((is(s, "recvfrom") && r == 1) || (is(s, "recvmsg") && r == REC_REGION_IOV));
}

static bool f_tcp(const struct rec_sys *s, unsigned int r, void *a)
{
	return s->args[0] == 104 && is(s, "recvfrom") && r == 1;
}

static bool f_getrandom(const struct rec_sys *s, unsigned int r, void *a)
{
	return is(s, "getrandom") && s->args[2] == 0 && r == 0 &&
	       (!a || s->tid == *(uint32_t *)a);
}

static bool f_clock(const struct rec_sys *s, unsigned int r, void *a)
{
	return is(s, "clock_gettime") && s->args[0] == 4 && r == 1;
}

static bool f_fd0(const struct rec_sys *s, unsigned int r, void *a)
{
	return s->args[0] == 0 && is(s, "read") && r == 1;
}

static bool f_mmsg(const struct rec_sys *s, unsigned int r, void *a)
{
	return is(s, "recvmmsg") && r == *(unsigned int *)a;
}

/* Each test gets its own scratch directory; the recording is DIR/rec. */
FIXTURE(rec) {
	char tmp[PATH_MAX];
	char dir[PATH_MAX];
	char *out;
};

FIXTURE_SETUP(rec)
{
	strcpy(self->tmp, "/tmp/ttrec-rec-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->tmp));
	snprintf(self->dir, sizeof(self->dir), "%s/rec", self->tmp);
	self->out = malloc(OUT_MAX);
	ASSERT_NE(NULL, self->out);
}

FIXTURE_TEARDOWN(rec)
{
	sh(NULL, "umount %s/small 2>/dev/null; rm -rf %s", self->tmp, self->tmp);
	free(self->out);
}

/* The bytes read from files, pipes, sockets, getrandom and clocks. */
TEST_F_TIMEOUT(rec, io_digests, 120)
{
	static const struct { const char *name; out_filter f; } k[] = {
		{ "file", f_file }, { "pipe", f_pipe }, { "unix", f_unix },
		{ "tcp", f_tcp }, { "getrandom", f_getrandom }, { "clock", f_clock },
	};
	uint64_t want, got, n;
	unsigned int i;

	ASSERT_EQ(0, sh(self->out, "%s record -o %s -- %s/io_digest", ttrec_bin,
			self->dir, wl_dir));
	ASSERT_NE(NULL, strstr(self->out, "io_digest done"));
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		want = printed_digest(self->out, k[i].name);
		ASSERT_NE(0, want) TH_LOG("no digest %s printed", k[i].name);
		ASSERT_EQ(0, journal_digest(self->dir, k[i].f, NULL, &got, &n));
		EXPECT_GT(n, 0);
		EXPECT_EQ(want, got) TH_LOG("%s: workload %016llx journal %016llx (%llu bytes)",
					    k[i].name, (unsigned long long)want,
					    (unsigned long long)got, (unsigned long long)n);
	}
	ASSERT_EQ(0, sh(self->out, "%s info %s", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->out, "replayable:  yes, from its launch"));
	EXPECT_NE(NULL, strstr(self->out, "lost:        0 events"));
}

/* A syscall the table does not know is flagged, not silently dropped. */
TEST_F_TIMEOUT(rec, unknown_outputs_flagged, 60)
{
	struct rec_reader rr;
	struct rec_event ev;
	int found = 0, bad = 0;

	ASSERT_EQ(0, sh(self->out, "%s record -o %s -- %s/io_digest", ttrec_bin,
			self->dir, wl_dir));
	ASSERT_EQ(0, rec_reader_open(&rr, self->dir));
	while (rec_reader_next(&rr, &ev) > 0) {
		const struct rec_sys *s = ev.rec;

		if (ev.type != REC_SYS)
			continue;
		if (is(s, "mincore"))
			found += !!(s->flags & REC_SF_OUT_UNKNOWN);
		else if (is(s, "read") && (s->flags & REC_SF_OUT_UNKNOWN))
			bad++;
	}
	rec_reader_close(&rr);
	EXPECT_EQ(1, found);
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, sh(self->out, "%s dump %s", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->out, "mincore("));
	EXPECT_NE(NULL, strstr(self->out, "[outputs unknown]"));
}

/* Sequence numbers: gap-free, and consistent with each thread's order. */
TEST_F_TIMEOUT(rec, threads_order, 180)
{
	enum { NTHR = 4, NITER = 3000 };
	struct { uint32_t tid; int last; int count; uint64_t ts; } t[NTHR] = { 0 };
	uint64_t prev = 0, events = 0;
	struct rec_reader rr;
	struct rec_event ev;
	int i, misorder = 0, holes = 0, tsback = 0, extra = 0, ret;

	ASSERT_EQ(0, sh(self->out, "%s record -o %s -- %s/threads %d %d", ttrec_bin,
			self->dir, wl_dir, NTHR, NITER));
	ASSERT_NE(NULL, strstr(self->out, "threads done"));
	ASSERT_EQ(0, rec_reader_open(&rr, self->dir));
	while ((ret = rec_reader_next(&rr, &ev)) > 0) {
		const struct rec_sys *s = ev.rec;

		if (ev.type == REC_OUT || ev.type == REC_TIME || ev.type == REC_START)
			continue;
		ASSERT_NE(REC_GAP, ev.type);
		if (prev && ev.seq != prev + 1)
			holes++;
		prev = ev.seq;
		events++;
		if (ev.type != REC_SYS || !is(s, "write") || s->args[0] != 100)
			continue;
		for (i = 0; i < NTHR && t[i].tid && t[i].tid != s->tid; i++)
			;
		if (i == NTHR) {
			extra++;
			continue;
		}
		t[i].tid = s->tid;
		if ((int)s->args[2] != t[i].last % 8192 + 1 && t[i].last + 1 != 8192)
			misorder++;
		if (ev.ts < t[i].ts)
			tsback++;
		t[i].ts = ev.ts;
		t[i].last++;
		t[i].count++;
	}
	rec_reader_close(&rr);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, holes);
	EXPECT_EQ(0, misorder);
	EXPECT_EQ(0, tsback);
	EXPECT_EQ(0, extra);
	for (i = 0; i < NTHR; i++) {
		uint32_t tid = t[i].tid;

		EXPECT_EQ(NITER, t[i].count) TH_LOG("thread tid %u", tid);
	}
	EXPECT_GT(events, NTHR * NITER);
}

/* Signals: delivery, handler, the syscall they interrupted. */
TEST_F_TIMEOUT(rec, signals, 60)
{
	struct rec_reader rr;
	struct rec_event ev;
	int usr1 = 0, alrm = 0;

	ASSERT_EQ(0, sh(self->out, "%s record -o %s -- %s/signals", ttrec_bin,
			self->dir, wl_dir));
	ASSERT_NE(NULL, strstr(self->out, "read interrupted"));
	ASSERT_EQ(0, rec_reader_open(&rr, self->dir));
	while (rec_reader_next(&rr, &ev) > 0) {
		const struct rec_signal *s = ev.rec;

		if (ev.type != REC_SIGNAL)
			continue;
		if (s->sig == SIGUSR1 && s->handler > 1)
			usr1++;
		if (s->sig == SIGALRM && s->handler > 1 && s->syscall == syscall_nr("read") &&
		    (s->ax == -EINTR || s->ax == -512 /* ERESTARTSYS */))
			alrm++;
	}
	rec_reader_close(&rr);
	EXPECT_EQ(1, usr1);
	EXPECT_EQ(1, alrm);
	ASSERT_EQ(0, sh(self->out, "%s dump %s", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->out, "--- SIGALRM"));
	/* the read the signal interrupted, by the kernel's name of its code */
	EXPECT_NE(NULL, strstr(self->out, ") = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n"))
		TH_LOG("%s", self->out);
}

static int count_task(const char *dir, unsigned int kind, uint32_t *traced)
{
	struct rec_reader rr;
	struct rec_event ev;
	int n = 0;

	if (rec_reader_open(&rr, dir))
		return -1;
	while (rec_reader_next(&rr, &ev) > 0) {
		const struct rec_task *t = ev.rec;

		if (ev.type == REC_TASK && t->kind == kind) {
			n++;
			if (traced)
				*traced = t->traced;
		}
	}
	rec_reader_close(&rr);
	return n;
}

/*
 * The children are recorded (the default; --follow-fork says it again):
 * the exec'd child, its getrandom bytes too.
 */
TEST_F_TIMEOUT(rec, follow_fork, 60)
{
	static const char *const opts[] = { "", "--follow-fork" };
	uint64_t want, got, n;
	uint32_t traced;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		sh(NULL, "rm -rf %s", self->dir);
		traced = 9;
		ASSERT_EQ(0, sh(self->out, "%s record %s -o %s -- %s/forkexec",
				ttrec_bin, opts[i], self->dir, wl_dir));
		want = printed_digest(self->out, "child");
		ASSERT_NE(0, want);
		EXPECT_EQ(1, count_task(self->dir, REC_TASK_FORK, &traced));
		EXPECT_EQ(1, traced) TH_LOG("record %s", opts[i]);
		EXPECT_EQ(2, count_task(self->dir, REC_TASK_EXEC, NULL));
		ASSERT_EQ(0, journal_digest(self->dir, f_getrandom, NULL, &got, &n));
		EXPECT_EQ(64, n);
		EXPECT_EQ(want, got);
	}
}

/* With --no-follow-fork the child is not recorded. */
TEST_F_TIMEOUT(rec, no_follow_fork, 60)
{
	uint64_t got, n;
	uint32_t traced = 9;

	ASSERT_EQ(0, sh(self->out, "%s record --no-follow-fork -o %s -- %s/forkexec",
			ttrec_bin, self->dir, wl_dir));
	ASSERT_NE(0, printed_digest(self->out, "child"));
	EXPECT_EQ(1, count_task(self->dir, REC_TASK_FORK, &traced));
	EXPECT_EQ(0, traced);
	EXPECT_EQ(1, count_task(self->dir, REC_TASK_EXEC, NULL));
	ASSERT_EQ(0, journal_digest(self->dir, f_getrandom, NULL, &got, &n));
	EXPECT_EQ(0, n);
}

/* A real program: what gzip read from stdin is what the file holds. */
TEST_F_TIMEOUT(rec, gzip_stdin, 120)
{
	uint64_t want, total, got, n;
	char path[PATH_MAX + 16];
	FILE *f;
	int i;

	if (sh(NULL, "command -v gzip >/dev/null"))
		SKIP(return, "gzip not installed");
	snprintf(path, sizeof(path), "%s/in.txt", self->tmp);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	for (i = 0; i < 40000; i++)
		fprintf(f, "line %d of the gzip input %x\n", i, i * 2654435761U);
	fclose(f);
	ASSERT_EQ(0, file_digest(path, &want, &total));
	ASSERT_EQ(0, sh(NULL, "%s record -o %s -- gzip -c < %s > /dev/null", ttrec_bin,
			self->dir, path));
	ASSERT_EQ(0, journal_digest(self->dir, f_fd0, NULL, &got, &n));
	EXPECT_EQ(total, n);
	EXPECT_EQ(want, got);
}

/* A real program: sqlite3 reads its SQL from stdin and builds a database. */
TEST_F_TIMEOUT(rec, sqlite3_stdin, 120)
{
	uint64_t want, total, got, n;
	char path[PATH_MAX + 16];
	FILE *f;
	int i;

	if (sh(NULL, "command -v sqlite3 >/dev/null"))
		SKIP(return, "sqlite3 not installed");
	snprintf(path, sizeof(path), "%s/in.sql", self->tmp);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT);\nBEGIN;\n");
	for (i = 0; i < 3000; i++)
		fprintf(f, "INSERT INTO t(s) VALUES ('row %d %x');\n", i, i * 2654435761U);
	fprintf(f, "COMMIT;\nSELECT count(*), sum(id) FROM t;\n");
	fclose(f);
	ASSERT_EQ(0, file_digest(path, &want, &total));
	ASSERT_EQ(0, sh(self->out, "%s record -o %s -- sqlite3 %s/db < %s", ttrec_bin,
			self->dir, self->tmp, path));
	EXPECT_NE(NULL, strstr(self->out, "3000|4501500"));
	ASSERT_EQ(0, journal_digest(self->dir, f_fd0, NULL, &got, &n));
	EXPECT_EQ(total, n);
	EXPECT_EQ(want, got);
	EXPECT_GT(count_sys(self->dir, "pwrite64", 0), 0);
}

/* Start the ticker workload; returns its pid once it printed "ready". */
static pid_t start_ticker(const char *secs)
{
	char path[PATH_MAX + 16], c[8];
	int p[2];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/ticker", wl_dir);
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(path, path, secs, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], c, 6) != 6)
		pid = -1;
	close(p[0]);
	return pid;
}

static int count_sys(const char *dir, const char *name, uint32_t tid)
{
	struct rec_reader rr;
	struct rec_event ev;
	int n = 0;

	if (rec_reader_open(&rr, dir))
		return -1;
	while (rec_reader_next(&rr, &ev) > 0) {
		const struct rec_sys *s = ev.rec;

		if (ev.type == REC_SYS && is(s, name) && (!tid || s->tid == tid))
			n++;
	}
	rec_reader_close(&rr);
	return n;
}

TEST_F_TIMEOUT(rec, attach_duration, 60)
{
	pid_t pid = start_ticker("30");
	char val[64];

	ASSERT_GT(pid, 0);
	EXPECT_EQ(0, sh(NULL, "%s attach %d -o %s --duration 0.5", ttrec_bin, pid,
			self->dir));
	EXPECT_EQ(0, kill(pid, 0)) TH_LOG("the target must survive the detach");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT_GT(count_sys(self->dir, "getppid", pid), 10);
	ASSERT_EQ(0, recording_meta_get(self->dir, "end_reason", val, sizeof(val)));
	EXPECT_STREQ("duration", val);
	/* info says what replay does with it: it refuses it */
	ASSERT_EQ(0, sh(self->out, "%s info %s", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->out, "replayable:  not yet: an attach recording"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(1, sh(NULL, "%s replay %s --quiet 2>/dev/null", ttrec_bin, self->dir));
}

TEST_F_TIMEOUT(rec, attach_until_exit, 60)
{
	pid_t pid = start_ticker("usr1");
	char cmd[PATH_MAX * 3], line[512], val[64];
	bool attached = false;
	FILE *f;
	int st;

	ASSERT_GT(pid, 0);
	/* let the target finish only once attach says it is traced */
	snprintf(cmd, sizeof(cmd), "%s attach %d -o %s", ttrec_bin, pid, self->dir);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	while (!attached && fgets(line, sizeof(line), f))
		attached = strstr(line, "recording process") != NULL;
	EXPECT_TRUE(attached);
	kill(pid, SIGUSR1);
	while (fgets(line, sizeof(line), f))
		;
	st = pclose(f);
	EXPECT_EQ(0, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	waitpid(pid, &st, 0);
	EXPECT_GT(count_sys(self->dir, "getppid", pid), 10);
	EXPECT_EQ(1, count_task(self->dir, REC_TASK_EXIT, NULL));
	ASSERT_EQ(0, recording_meta_get(self->dir, "end_reason", val, sizeof(val)));
	EXPECT_STREQ("exited", val);
}

TEST_F(rec, attach_errors)
{
	EXPECT_EQ(1, sh(self->out, "%s attach 2147483000 -o %s 2>&1", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->out, "no such process"));
	EXPECT_EQ(1, sh(self->out, "%s attach 2 -o %s 2>&1", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->out, "kernel thread"));
	EXPECT_EQ(2, sh(NULL, "%s attach 2>/dev/null", ttrec_bin));
	EXPECT_EQ(2, sh(NULL, "%s attach abc 2>/dev/null", ttrec_bin));
	EXPECT_EQ(2, sh(NULL, "%s attach 1 --duration -3 2>/dev/null", ttrec_bin));
	EXPECT_EQ(2, sh(NULL, "%s record 2>/dev/null", ttrec_bin));
	EXPECT_EQ(1, sh(self->out, "%s record -o %s -- /nonexistent/prog 2>&1", ttrec_bin,
			self->dir));
	EXPECT_NE(NULL, strstr(self->out, "cannot run"));
	EXPECT_EQ(1, sh(NULL, "%s dump /nonexistent 2>/dev/null", ttrec_bin));
	EXPECT_EQ(1, sh(NULL, "%s info /nonexistent 2>/dev/null", ttrec_bin));
	EXPECT_EQ(2, sh(NULL, "%s dump 2>/dev/null", ttrec_bin));
}

TEST_F_TIMEOUT(rec, dump_filters, 60)
{
	char cmd[64];

	ASSERT_EQ(0, sh(self->out, "%s record -o %s -- %s/io_digest", ttrec_bin,
			self->dir, wl_dir));
	ASSERT_EQ(0, sh(self->out, "%s dump %s --from 5 --to 9", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->out, "#5 "));
	EXPECT_NE(NULL, strstr(self->out, "#9 "));
	EXPECT_EQ(NULL, strstr(self->out, "#10 "));
	EXPECT_EQ(NULL, strstr(self->out, "#4 "));
	ASSERT_EQ(0, sh(self->out, "%s dump %s --json", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->out, "\"name\":\"getrandom\""));
	EXPECT_NE(NULL, strstr(self->out, "\"type\":\"out\""));
	snprintf(cmd, sizeof(cmd), "--tid 1");
	ASSERT_EQ(0, sh(self->out, "%s dump %s %s", ttrec_bin, self->dir, cmd));
	EXPECT_EQ(0, strlen(self->out));
	ASSERT_EQ(0, sh(self->out, "%s info %s", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->out, "threads:     1"));
	EXPECT_NE(NULL, strstr(self->out, "command      "));
}

/* recvmmsg: every message's data (msg_len), name and control bytes. */
TEST_F_TIMEOUT(rec, recvmmsg_payloads, 60)
{
	static const struct { const char *name; unsigned int region; uint64_t len; } k[] = {
		{ "mmsg_iov", REC_REGION_MMSG_IOV, 100 + 3000 + 1 },
		{ "mmsg_name", REC_REGION_MMSG_NAME, 0 },
		{ "mmsg_ctl", REC_REGION_MMSG_CTL, 3 * 32 },	/* SCM_CREDENTIALS */
	};
	struct rec_reader rr;
	struct rec_event ev;
	uint64_t want, got, n;
	int calls = 0, partial = 0;
	unsigned int i, r;

	ASSERT_EQ(0, sh(self->out, "%s record -o %s -- %s/recv_mmsg", ttrec_bin,
			self->dir, wl_dir));
	ASSERT_NE(NULL, strstr(self->out, "recv_mmsg done 3"));
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		want = printed_digest(self->out, k[i].name);
		ASSERT_NE(0, want);
		r = k[i].region;
		ASSERT_EQ(0, journal_digest(self->dir, f_mmsg, &r, &got, &n));
		EXPECT_EQ(want, got) TH_LOG("%s: %llu bytes", k[i].name, (unsigned long long)n);
		if (k[i].len) {
			EXPECT_EQ(k[i].len, n);
		} else {
			EXPECT_LT(3 * 3, n);	/* 3 abstract addresses */
		}
	}
	ASSERT_EQ(0, rec_reader_open(&rr, self->dir));
	while (rec_reader_next(&rr, &ev) > 0) {
		const struct rec_sys *s = ev.rec;

		if (ev.type != REC_SYS || !is(s, "recvmmsg"))
			continue;
		calls++;
		partial += !!(s->flags & (REC_SF_OUT_PARTIAL | REC_SF_OUT_LOST | REC_SF_OUT_FAULT));
		if (s->ret < 0) {
			EXPECT_EQ(0, s->nout);	/* the EAGAIN one */
		}
	}
	rec_reader_close(&rr);
	EXPECT_EQ(2, calls);
	EXPECT_EQ(0, partial);
}

/* dump prints arguments by the syscall's signature, paths as strings. */
TEST_F_TIMEOUT(rec, dump_format, 60)
{
	char want[PATH_MAX + 256], lng[257];
	int pid, i;
	char *p;

	ASSERT_EQ(0, sh(self->out, "%s record -o %s -- %s/dump_fmt %s", ttrec_bin,
			self->dir, wl_dir, self->tmp));
	p = strstr(self->out, "dump_fmt done pid=");
	ASSERT_NE(NULL, p);
	pid = atoi(p + strlen("dump_fmt done pid="));
	ASSERT_EQ(0, sh(self->out, "%s dump %s", ttrec_bin, self->dir));
	snprintf(want, sizeof(want),
		 "openat(AT_FDCWD, \"%s/data \\\"file\\\"\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0640) = ",
		 self->tmp);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("no '%s'", want);
	snprintf(want, sizeof(want), "openat(AT_FDCWD, \"%s/data \\\"file\\\"\", O_RDONLY, 0) = ",
		 self->tmp);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("no '%s'", want);
	EXPECT_NE(NULL, strstr(self->out, "write(100, 0x"));
	EXPECT_NE(NULL, strstr(self->out, "read(101, \"hello dump\\n\", 4096) = 11\n"));
	EXPECT_NE(NULL, strstr(self->out, "    > arg1 +0 11 bytes \"hello dump\\n\"\n"));
	/* the 300-byte path: its first 256 bytes, marked cut */
	for (i = 0; i < 256; i++)
		lng[i] = i % 51 ? 'a' : '/';
	lng[256] = 0;
	snprintf(want, sizeof(want), "newfstatat(AT_FDCWD, \"%s\"..., 0x", lng);
	EXPECT_NE(NULL, strstr(self->out, want));
	EXPECT_NE(NULL, strstr(self->out, ", 0) = -1 ENOENT (No such file or directory)\n"));
	EXPECT_NE(NULL, strstr(self->out,
		"mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x"));
	snprintf(want, sizeof(want), "kill(%d, SIGCONT) = 0\n", pid);
	EXPECT_NE(NULL, strstr(self->out, want));
	/* JSON has the strings too */
	ASSERT_EQ(0, sh(self->out, "%s dump --json %s", ttrec_bin, self->dir));
	snprintf(want, sizeof(want), "\"in\":[{\"arg\":1,\"truncated\":true,\"fault\":false,\"str\":\"%s\"}]",
		 lng);
	EXPECT_NE(NULL, strstr(self->out, want));
	snprintf(want, sizeof(want), "\"str\":\"%s/data \\\"file\\\"\"}]", self->tmp);
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("no '%s'", want);
}

/* Every described syscall's signature is well formed. */
TEST(syscall_signatures)
{
	unsigned int nr, described = 0;

	for (nr = 0; nr < REC_NR_SYSCALLS; nr++) {
		const char *sig = syscall_sig(nr);

		if (!syscall_name(nr)) {
			EXPECT_EQ(NULL, sig);
			continue;
		}
		if (!sig)
			continue;
		described++;
		EXPECT_GE(6, strlen(sig)) TH_LOG("%s", syscall_name(nr));
		EXPECT_EQ(strlen(sig), strspn(sig, "dluxfopsSOPMC")) TH_LOG("%s: %s",
									syscall_name(nr), sig);
	}
	EXPECT_LT(340, described);
	EXPECT_STREQ("fsOo", syscall_sig(syscall_nr("openat")));
	EXPECT_EQ(0x2U, syscall_strargs(syscall_nr("openat")));
	EXPECT_EQ(0xaU, syscall_strargs(syscall_nr("renameat2")));
	EXPECT_EQ(0U, syscall_strargs(syscall_nr("read")));
}

/* The offsets of the chunk headers of @path (by magic); how many, or -1. */
static int chunk_offsets(const char *path, off_t *offs, int max)
{
	static char buf[16 << 20];
	size_t n, i;
	int k = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (i = sizeof(struct journal_file_header); i + 8 <= n && k < max; i++)
		if (!memcmp(buf + i, JOURNAL_CHUNK_MAGIC, 8))
			offs[k++] = i;
	return k;
}

/* seq -> ts of every event of a recording (by seq; the last one wins) */
static int read_times(const char *dir, uint64_t *ts, size_t max, uint64_t *zero)
{
	struct rec_reader rr;
	struct rec_event ev;
	int ret;

	*zero = 0;
	if (rec_reader_open(&rr, dir))
		return -1;
	while ((ret = rec_reader_next(&rr, &ev)) > 0) {
		if (ev.seq < max)
			ts[ev.seq] = ev.ts;
		*zero += !ev.ts;
	}
	rec_reader_close(&rr);
	return ret;
}

/* Past a damaged chunk, timestamps are right again from the next chunk. */
TEST_F_TIMEOUT(rec, damaged_chunk_time_resync, 120)
{
	enum { MAXSEQ = 1 << 16 };
	char dir2[PATH_MAX + 8], jpath[PATH_MAX + 16];
	uint64_t *ts1 = calloc(MAXSEQ, 8), *ts2 = calloc(MAXSEQ, 8), zero1, zero2;
	off_t offs[64];
	uint8_t b;
	int n, i, same = 0, differ = 0, missing = 0;
	FILE *f;

	ASSERT_NE(NULL, ts1);
	ASSERT_NE(NULL, ts2);
	/* about 4 MiB of random bytes read: incompressible, 4+ chunks */
	ASSERT_EQ(0, sh(NULL, "%s record -o %s -- dd if=/dev/urandom of=/dev/null bs=65536 count=80 2>/dev/null",
			ttrec_bin, self->dir));
	snprintf(dir2, sizeof(dir2), "%s/rec2", self->tmp);
	ASSERT_EQ(0, sh(NULL, "cp -r %s %s", self->dir, dir2));
	snprintf(jpath, sizeof(jpath), "%s/journal", dir2);
	n = chunk_offsets(jpath, offs, 64);
	ASSERT_LE(4, n);
	/* flip a byte in the payload of the second chunk */
	f = fopen(jpath, "r+");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, fseeko(f, offs[1] + sizeof(struct journal_chunk_header) + 100, SEEK_SET));
	ASSERT_EQ(1, fread(&b, 1, 1, f));
	b ^= 0x40;
	ASSERT_EQ(0, fseeko(f, offs[1] + sizeof(struct journal_chunk_header) + 100, SEEK_SET));
	ASSERT_EQ(1, fwrite(&b, 1, 1, f));
	ASSERT_EQ(0, fclose(f));

	log_verbosity = LOG_ERROR;	/* the bad chunk is reported */
	ASSERT_EQ(0, read_times(self->dir, ts1, MAXSEQ, &zero1));
	ASSERT_EQ(0, read_times(dir2, ts2, MAXSEQ, &zero2));
	log_verbosity = LOG_WARN;
	EXPECT_EQ(0, zero1);
	EXPECT_EQ(0, zero2);	/* every chunk starts with its time */
	for (i = 1; i < MAXSEQ; i++) {
		if (!ts1[i])
			continue;
		if (!ts2[i])
			missing++;	/* in the damaged chunk */
		else if (ts2[i] == ts1[i])
			same++;
		else
			differ++;
	}
	EXPECT_EQ(0, differ);
	EXPECT_GT(missing, 0);
	EXPECT_GT(same, 40);
	/* and dump shows the same times past the damage */
	ASSERT_EQ(0, sh(self->out, "%s dump %s --from 60 2>/dev/null | tail -n 5 > %s/d1; "
			"%s dump %s --from 60 2>/dev/null | tail -n 5 | cmp - %s/d1",
			ttrec_bin, self->dir, self->tmp, ttrec_bin, dir2, self->tmp));
	free(ts1);
	free(ts2);
}

/*
 * Outputs chosen by a command argument (fcntl, prctl; ioctl alike): what
 * the workload got is what the journal holds, and an option the table does
 * not describe is flagged "outputs unknown".
 */
TEST_F_TIMEOUT(rec, command_outputs, 60)
{
	int getlk = 0, ofd = 0, name = 0, pdeath = 0, mm = 0, setlk_unknown = 0;
	struct rec_sys cur = { 0 };
	struct rec_reader rr;
	struct rec_event ev;
	char want[128], got[128];

	ASSERT_EQ(0, sh(self->out, "%s record -o %s -- %s/cmds %s/lockfile", ttrec_bin,
			self->dir, wl_dir, self->tmp)) TH_LOG("%s", self->out);
	ASSERT_NE(NULL, strstr(self->out, "name ttrec-cmds")) TH_LOG("%s", self->out);

	ASSERT_EQ(0, rec_reader_open(&rr, self->dir));
	while (rec_reader_next(&rr, &ev) > 0) {
		const struct rec_outdata *o = ev.out;
		const struct flock *fl;

		if (ev.type != REC_SYS)
			continue;
		memcpy(&cur, ev.rec, sizeof(cur));
		if (is(&cur, "fcntl") && cur.args[1] == F_SETLK &&
		    (cur.flags & REC_SF_OUT_UNKNOWN))
			setlk_unknown++;
		if (is(&cur, "prctl") && cur.args[0] == PR_SET_MM) {
			EXPECT_TRUE(cur.flags & REC_SF_OUT_UNKNOWN);
			mm++;
		}
		if (ev.nout != 1)
			continue;
		fl = (const void *)o->data;
		if (is(&cur, "fcntl") && o->region == 2 && o->len == sizeof(*fl) &&
		    (cur.args[1] == F_GETLK || cur.args[1] == F_OFD_GETLK)) {
			snprintf(want, sizeof(want), "%s type=%d pid=%d start=%lld len=%lld\n",
				 cur.args[1] == F_GETLK ? "getlk" : "ofd_getlk", fl->l_type,
				 fl->l_pid, (long long)fl->l_start, (long long)fl->l_len);
			EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("%s not in %s", want, self->out);
			EXPECT_EQ(F_WRLCK, fl->l_type);
			if (cur.args[1] == F_GETLK)
				getlk++;
			else
				ofd++;
		}
		if (is(&cur, "prctl") && cur.args[0] == PR_GET_NAME && o->region == 1) {
			ASSERT_EQ(16, o->len);
			snprintf(got, sizeof(got), "name %.16s\n", (const char *)o->data);
			EXPECT_NE(NULL, strstr(self->out, got)) TH_LOG("%s not in %s", got, self->out);
			name++;
		}
		if (is(&cur, "prctl") && cur.args[0] == PR_GET_PDEATHSIG && o->region == 1) {
			ASSERT_EQ(4, o->len);
			EXPECT_EQ(SIGUSR2, *(const int *)o->data);
			pdeath++;
		}
	}
	rec_reader_close(&rr);
	EXPECT_EQ(1, getlk);
	EXPECT_EQ(1, ofd);
	EXPECT_EQ(1, name);
	EXPECT_EQ(1, pdeath);
	EXPECT_EQ(1, mm);
	EXPECT_EQ(0, setlk_unknown);

	ASSERT_EQ(0, sh(self->out, "%s dump %s", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->out, ", F_GETLK, ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "prctl(PR_GET_NAME, ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "prctl(0x23, ")) TH_LOG("%s", self->out);
}

/*
 * Lost events are never silent: with the recorder stopped and a 1 MiB ring,
 * a burst of 4 KiB reads overflows both rings; the journal then holds a
 * gap record, info and dump say how many were lost and where replay ends.
 */
TEST_F_TIMEOUT(rec, lost_events_gap, 120)
{
	uint64_t lost = 0, gap_from = 0, reads = 0, max_seq = 0;
	struct rec_reader rr;
	struct rec_event ev;
	char *p;

	ASSERT_EQ(0, sh(NULL, "head -c 1048576 /dev/urandom >%s/data && mkfifo %s/go",
			self->tmp, self->tmp));
	ASSERT_EQ(0, sh(self->out,
			"t=%s; %s/bench_wrap $t/go %s/bench_read $t/data 20000 >/dev/null 2>&1 & wp=$!; "
			"%s attach $wp --follow-fork --ring-mib 1 -o %s >$t/out 2>$t/err & tp=$!; "
			"i=0; until grep -q '^recording' $t/out; do "
			"[ $i -lt 600 ] || { kill $wp $tp; cat $t/err; exit 1; }; "
			"i=$((i+1)); sleep 0.05; done; "
			"kill -STOP $tp; echo go >$t/go; wait $wp; kill -CONT $tp; wait $tp",
			self->tmp, wl_dir, wl_dir, ttrec_bin, self->dir)) TH_LOG("%s", self->out);

	ASSERT_EQ(0, rec_reader_open(&rr, self->dir));
	while (rec_reader_next(&rr, &ev) > 0) {
		if (ev.type == REC_GAP) {
			const struct rec_gap *g = ev.rec;

			lost += g->lost;
			if (!gap_from || g->from_seq < gap_from)
				gap_from = g->from_seq;
		} else if (ev.type == REC_SYS && is(ev.rec, "read") &&
			   ((const struct rec_sys *)ev.rec)->args[2] == 4096) {
			reads++;
		}
		if (ev.seq > max_seq)
			max_seq = ev.seq;
	}
	rec_reader_close(&rr);
	/* both rings (5 MiB) hold about 1200 of the 20000 reads */
	EXPECT_GT(lost, 10000);
	EXPECT_GT(gap_from, 0);
	EXPECT_GE(reads + lost, 20000) TH_LOG("%llu reads, %llu lost",
					      (unsigned long long)reads, (unsigned long long)lost);
	EXPECT_LT(reads, 20000);

	ASSERT_EQ(0, sh(self->out, "%s info %s", ttrec_bin, self->dir));
	p = strstr(self->out, "lost:");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	EXPECT_EQ(lost, strtoull(p + 5, NULL, 10)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "replayable:  no, not past event #")) TH_LOG("%s", self->out);

	ASSERT_EQ(0, sh(self->out, "%s dump %s | grep -c '^!!! gap: '", ttrec_bin, self->dir));
	EXPECT_GE(atoi(self->out), 1);
	ASSERT_EQ(0, sh(self->out, "%s dump --json %s | grep -c '\"type\":\"gap\"'", ttrec_bin,
			self->dir));
	EXPECT_GE(atoi(self->out), 1);
}

/* kill -9 of the recorder: every complete chunk still reads back. */
TEST_F_TIMEOUT(rec, kill9_recorder, 60)
{
	int events;

	/*
	 * Kill it once a first chunk is on disk (the journal is past its
	 * 64-byte header), not after a fixed time: in a slow VM loading the
	 * BPF programs alone can take seconds.
	 */
	sh(NULL, "%s record -o %s -- %s/threads 2 100000000 >/dev/null & rp=$!; "
	   "i=0; while [ $i -lt 300 ] && "
	   "[ \"$(stat -c %%s %s/journal 2>/dev/null || echo 0)\" -le 64 ]; do "
	   "sleep 0.1; i=$((i+1)); done; sleep 0.3; "
	   "cp=$(cat /proc/$rp/task/$rp/children); kill -9 $rp; "
	   "kill -9 $cp; true", ttrec_bin, self->dir, wl_dir, self->dir);
	ASSERT_EQ(0, sh(self->out, "%s info %s", ttrec_bin, self->dir));
	events = count_sys(self->dir, "write", 0);
	EXPECT_GT(events, 0);
	ASSERT_EQ(0, sh(self->out, "%s dump %s --from 1 --to 3", ttrec_bin, self->dir));
	EXPECT_NE(NULL, strstr(self->out, "#1 "));
}

/* A full disk stops the recording with a clear error; the journal reads. */
TEST_F_TIMEOUT(rec, enospc, 60)
{
	char small[PATH_MAX + 16], dir[PATH_MAX + 32];

	snprintf(small, sizeof(small), "%s/small", self->tmp);
	snprintf(dir, sizeof(dir), "%s/rec", small);
	ASSERT_EQ(0, mkdir(small, 0755));
	if (mount("tmpfs", small, "tmpfs", 0, "size=3m"))
		SKIP(return, "cannot mount a tmpfs: %s", strerror(errno));
	EXPECT_EQ(1, sh(self->out, "%s record -o %s -- dd if=/dev/urandom of=/dev/null bs=65536 count=160 2>&1",
			ttrec_bin, dir));
	EXPECT_NE(NULL, strstr(self->out, "no space left")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, sh(self->out, "%s info %s", ttrec_bin, dir));
	EXPECT_GT(count_sys(dir, "read", 0), 0);
}

TEST_HARNESS_MAIN
