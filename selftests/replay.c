// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec replay, end to end: a workload is recorded with `ttrec record`,
 * then replayed with `ttrec replay --verify`; the replay must say OK and
 * reproduce the workload's own stdout (its digests of what it read) byte
 * for byte. Also divergence detection (an altered journal, a changed
 * program), inputs that changed since the recording (replay must not
 * care), time-travel queries (--to --mem/--regs/--maps/--stop) and errors.
 * Runs on the host and in the test VM (as root).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "format/journal.h"
#include "lib/log.h"
#include "format/records.h"
#include "format/recording.h"
#include "syscalls/table.h"
#include "replay_common.h"

/* ---------------------------------------------------------------- workloads */

TEST_F_TIMEOUT(rp, clocks_random_aslr, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_clock", wl_dir);
	RECORD_REPLAY("", cmd, "rp_clock done");
	EXPECT_NE(NULL, strstr(self->rec, "digest vdso "));
}

/* --all-cpus: default scheduling; a single-threaded program replays the same. */
TEST_F_TIMEOUT(rp, all_cpus, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_clock", wl_dir);
	RECORD_REPLAY("--all-cpus", cmd, "rp_clock done");
}

TEST_F_TIMEOUT(rp, io_digest, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/io_digest", wl_dir);
	RECORD_REPLAY("", cmd, "io_digest done");
}

TEST_F_TIMEOUT(rp, file_io, 60)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, sh("seq 1 20000 > %s/input.txt", self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_file %s/input.txt %s/scratch", wl_dir, self->tmp,
		 self->tmp);
	RECORD_REPLAY("", cmd, "rp_file done");
}

/* The input changed since the recording: replay must not care. */
TEST_F_TIMEOUT(rp, input_changed, 60)
{
	char cmd[CMD_MAX], path[PATH_MAX + 16];
	struct stat st;

	ASSERT_EQ(0, sh("seq 1 20000 > %s/input.txt", self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_file %s/input.txt %s/scratch", wl_dir, self->tmp,
		 self->tmp);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_EQ(0, sh("seq 5 9 > %s/input.txt", self->tmp));
	ASSERT_EQ(0, replay(self, "--verify")) TH_LOG("%s", self->err);
	EXPECT_EQ(self->nrec, self->nrep);
	EXPECT_EQ(0, memcmp(self->rec, self->rep, self->nrec));
	/* and it wrote nothing: the scratch file does not come back */
	snprintf(path, sizeof(path), "%s/scratch", self->tmp);
	EXPECT_NE(0, stat(path, &st));
}

TEST_F_TIMEOUT(rp, signals, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/signals", wl_dir);
	RECORD_REPLAY("", cmd, "read interrupted");
}

TEST_F_TIMEOUT(rp, threads, 120)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/threads 4 2000", wl_dir);
	RECORD_REPLAY("", cmd, "threads done");
}

TEST_F_TIMEOUT(rp, forkexec_follow, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/forkexec", wl_dir);
	RECORD_REPLAY("--follow-fork", cmd, "digest child");
}

TEST_F_TIMEOUT(rp, gzip, 120)
{
	char cmd[CMD_MAX];

	if (!have("gzip"))
		SKIP(return, "gzip not installed");
	ASSERT_EQ(0, sh("seq 1 50000 > %s/input.txt", self->tmp));
	snprintf(cmd, sizeof(cmd), "gzip -c %s/input.txt", self->tmp);
	RECORD_REPLAY("", cmd, NULL);
	EXPECT_GT(self->nrec, 1000);
}


/* Faults happen again by themselves: handled ones, and the fatal one. */
TEST_F_TIMEOUT(rp, faults, 60)
{
	char cmd[CMD_MAX], val[64];

	snprintf(cmd, sizeof(cmd), "%s/rp_fault", wl_dir);
	RECORD_REPLAY("", cmd, "recovered from SIGFPE: 3 faults");
	ASSERT_EQ(0, recording_meta_get(self->dir, "exit_status", val, sizeof(val)));
	EXPECT_STREQ("11", val);	/* killed by SIGSEGV */
}

TEST_F_TIMEOUT(rp, threads_sync, 120)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_sync", wl_dir);
	RECORD_REPLAY("", cmd, "rp_sync done");
}

TEST_F_TIMEOUT(rp, fork_follow, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_fork", wl_dir);
	RECORD_REPLAY("--follow-fork", cmd, "rp_fork done");
	EXPECT_NE(NULL, strstr(self->rec, "statuses 0 0xf"));
}

/*
 * Asynchronous signals: recorded while the program computed in user space,
 * replayed at the syscall boundary before (their handlers see another
 * interrupted context, and their rt_sigreturn another rax): the run still
 * ends as recorded.
 */
TEST_F_TIMEOUT(rp, async_signals, 120)
{
	struct rec_reader rr;
	struct rec_event ev;
	char cmd[CMD_MAX];
	int async = 0;

	snprintf(cmd, sizeof(cmd), "%s/rp_async 20000000", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_TRUE(has(self->rec, "rp_async done")) TH_LOG("%.2000s", self->rec);
	ASSERT_EQ(0, rec_reader_open(&rr, self->dir));
	while (rec_reader_next(&rr, &ev) > 0)
		if (ev.type == REC_SIGNAL && ((const struct rec_signal *)ev.rec)->syscall < 0)
			async++;
	rec_reader_close(&rr);
	ASSERT_LT(0, async) TH_LOG("no signal came between syscalls: %.500s", self->rec);
	ASSERT_EQ(0, replay(self, "--verify")) TH_LOG("replay: %.3000s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "replay OK")) TH_LOG("%.2000s", self->err);
	EXPECT_EQ(self->nrec, self->nrep);
	EXPECT_EQ(0, memcmp(self->rec, self->rep, self->nrec))
		TH_LOG("recorded:\n%.1500s\nreplayed:\n%.1500s", self->rec, self->rep);
	TH_LOG("%d signals between syscalls", async);
}

/* With --no-follow-fork the children are not replayed: their results are. */
TEST_F_TIMEOUT(rp, fork_nofollow, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_fork", wl_dir);
	RECORD_REPLAY("--no-follow-fork", cmd, "rp_fork done");
}

TEST_F_TIMEOUT(rp, signals_more, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_sigs", wl_dir);
	RECORD_REPLAY("", cmd, "rp_sigs done");
	EXPECT_NE(NULL, strstr(self->rec, "on altstack 1"));
	EXPECT_NE(NULL, strstr(self->rec, "usr2 after unblock 2"));
}

/* Waits are not waited again: the replay is much faster than the recording. */
TEST_F_TIMEOUT(rp, sleeps, 60)
{
	char cmd[CMD_MAX];
	struct timespec a, b;
	double secs;

	snprintf(cmd, sizeof(cmd), "%s/rp_sleep", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_TRUE(has(self->rec, "rp_sleep done"));
	clock_gettime(CLOCK_MONOTONIC, &a);
	ASSERT_EQ(0, replay(self, "--verify")) TH_LOG("%s", self->err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	EXPECT_LT(secs, 1.0);
	EXPECT_EQ(self->nrec, self->nrep);
	EXPECT_EQ(0, memcmp(self->rec, self->rep, self->nrec));
}

TEST_F_TIMEOUT(rp, descriptors, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_fds", wl_dir);
	RECORD_REPLAY("", cmd, "rp_fds done");
}

TEST_F_TIMEOUT(rp, sockets, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_net", wl_dir);
	RECORD_REPLAY("", cmd, "rp_net done");
}

TEST_F_TIMEOUT(rp, environment_exit_status, 60)
{
	char cmd[CMD_MAX], val[64];

	snprintf(cmd, sizeof(cmd), "%s/rp_env one 'two words'", wl_dir);
	RECORD_REPLAY("", cmd, "rp_env done");
	ASSERT_EQ(0, recording_meta_get(self->dir, "exit_status", val, sizeof(val)));
	EXPECT_STREQ("1792", val);	/* exit(7) */
}

TEST_F_TIMEOUT(rp, memory_maps, 60)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, sh("seq 1 5000 > %s/input.txt", self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_mmap %s/input.txt", wl_dir, self->tmp);
	RECORD_REPLAY("", cmd, "rp_mmap done");
}

/* A file the program maps (not reads) changed: the replay cannot be faithful. */
TEST_F_TIMEOUT(rp, mapped_file_changed_diverges, 60)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, sh("seq 1 5000 > %s/input.txt", self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_mmap %s/input.txt", wl_dir, self->tmp);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_EQ(0, sh("seq 1 5001 > %s/input.txt", self->tmp));
	EXPECT_EQ(3, replay(self, "--quiet"));
	EXPECT_NE(NULL, strstr(self->err, "maps a file that changed since the recording"))
		TH_LOG("%s", self->err);
}

TEST_F_TIMEOUT(rp, bench_read, 60)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, sh("seq 1 20000 > %s/input.txt", self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/bench_read %s/input.txt 5000", wl_dir, self->tmp);
	RECORD_REPLAY("", cmd, NULL);
}

/* ---------------------------------------------------------------- real programs */
/* Small real programs, each recorded and replayed on its own. */
TEST_F_TIMEOUT(rp, coreutils, 120)
{
	static const char *const cmds[] = {
		"sort -rn %s/input.txt", "sha256sum %s/input.txt", "ls -la %s",
		"wc -l %s/input.txt", "head -c 5000 %s/input.txt",
	};
	char cmd[CMD_MAX];
	unsigned int i;

	ASSERT_EQ(0, sh("seq 1 30000 > %s/input.txt", self->tmp));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(cmd, sizeof(cmd), cmds[i], self->tmp);
		ASSERT_EQ(0, sh("rm -rf %s", self->dir));
		RECORD_REPLAY("", cmd, NULL);
		EXPECT_GT(self->nrec, 10) TH_LOG("%s", cmd);
	}
}

TEST_F_TIMEOUT(rp, many_syscalls, 120)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/bench_getppid 30000", wl_dir);
	RECORD_REPLAY("", cmd, NULL);
	EXPECT_NE(NULL, strstr(self->err, "replay OK: ")) TH_LOG("%s", self->err);
}


static void write_sql(const char *path, int rows)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		return;
	fprintf(f, "CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT, r INTEGER);\nBEGIN;\n");
	for (i = 0; i < rows; i++)
		fprintf(f, "INSERT INTO t(s, r) VALUES ('row %d', random());\n", i);
	fprintf(f, "COMMIT;\nSELECT count(*), sum(id), sum(r %% 1000) FROM t;\n"
		"SELECT datetime('now') > '2000-01-01', hex(randomblob(8)) != '';\n"
		"CREATE INDEX ti ON t(s);\nSELECT s FROM t WHERE s > 'row 99' LIMIT 3;\n");
	fclose(f);
}

/* sqlite3 builds a database from a script; replay must not touch the file. */
TEST_F_TIMEOUT(rp, sqlite3_script, 120)
{
	char cmd[CMD_MAX], path[PATH_MAX + 16];
	struct stat st;

	if (!have("sqlite3"))
		SKIP(return, "sqlite3 not installed");
	snprintf(path, sizeof(path), "%s/s.sql", self->tmp);
	write_sql(path, 3000);
	snprintf(cmd, sizeof(cmd), "sqlite3 %s/db < %s", self->tmp, path);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_TRUE(has(self->rec, "3000|4501500|")) TH_LOG("%s", self->rec);
	snprintf(path, sizeof(path), "%s/db", self->tmp);
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, replay(self, "--verify")) TH_LOG("%s", self->err);
	EXPECT_EQ(self->nrec, self->nrep);
	EXPECT_EQ(0, memcmp(self->rec, self->rep, self->nrec));
	EXPECT_NE(0, stat(path, &st));
}

TEST_F_TIMEOUT(rp, gunzip, 120)
{
	char cmd[CMD_MAX];

	if (!have("gzip"))
		SKIP(return, "gzip not installed");
	ASSERT_EQ(0, sh("seq 1 40000 | gzip -c > %s/in.gz", self->tmp));
	snprintf(cmd, sizeof(cmd), "gzip -dc %s/in.gz", self->tmp);
	RECORD_REPLAY("", cmd, "\n40000\n");
}

static const char lua_prog[] =
	"math.randomseed(os.time())\n"
	"local s = 0\n"
	"for i = 1, 100000 do s = s + math.random(1, 1000) end\n"
	"print('sum', s, 'time', os.time(), os.date('%Y-%m-%d %H:%M:%S'), os.clock() >= 0)\n"
	"local f = io.open('/dev/urandom', 'rb'); print('urandom', f:read(8):byte(1, 8)); f:close()\n"
	"print('lua done')\n";

TEST_F_TIMEOUT(rp, lua, 120)
{
	char cmd[CMD_MAX], path[PATH_MAX + 16];
	FILE *f;

	if (!have("lua5.4"))
		SKIP(return, "lua5.4 not installed");
	snprintf(path, sizeof(path), "%s/t.lua", self->tmp);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs(lua_prog, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "lua5.4 %s", path);
	RECORD_REPLAY("", cmd, "lua done");
}

static const char py_prog[] =
	"import time, random, os, hashlib, threading\n"
	"random.seed()\n"
	"h = hashlib.sha256()\n"
	"def work(n):\n"
	"    for i in range(n): h.update(str(random.random()).encode())\n"
	"ts = [threading.Thread(target=work, args=(3000,)) for _ in range(2)]\n"
	"[t.start() for t in ts]; [t.join() for t in ts]\n"
	"print('digest', h.hexdigest(), 'time', time.time(), 'mono', time.monotonic())\n"
	"print('urandom', os.urandom(8).hex(), 'pid', os.getpid())\n"
	"print('python done')\n";

TEST_F_TIMEOUT(rp, python3, 120)
{
	char cmd[CMD_MAX], path[PATH_MAX + 16];
	FILE *f;

	if (access("/usr/bin/python3", X_OK))
		SKIP(return, "/usr/bin/python3 not installed");
	snprintf(path, sizeof(path), "%s/t.py", self->tmp);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs(py_prog, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -I %s", path);
	RECORD_REPLAY("", cmd, "python done");
}

/* A shell pipeline: every process forked and exec'd is replayed. */
TEST_F_TIMEOUT(rp, shell_pipeline_follow, 120)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, sh("seq 1 20000 > %s/input.txt", self->tmp));
	snprintf(cmd, sizeof(cmd),
		 "sh -c 'sort -rn %s/input.txt | head -3; ls / | wc -l; date +%%s.%%N; echo shell done'",
		 self->tmp);
	RECORD_REPLAY("--follow-fork", cmd, "shell done");
}

/* ---------------------------------------------------------------- output */

/* stdout and stderr come back byte for byte; files are not written. */
TEST_F_TIMEOUT(rp, output_reproduced, 60)
{
	char cmd[CMD_MAX], path[PATH_MAX + 16], *err2;
	ssize_t nerr;
	struct stat st;

	snprintf(cmd, sizeof(cmd), "%s/rp_output %s/written", wl_dir, self->tmp);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_TRUE(has(self->rec, "rp_output done"));
	snprintf(path, sizeof(path), "%s/rec.err", self->tmp);
	err2 = malloc(OUT_MAX);
	ASSERT_NE(NULL, err2);
	nerr = slurp(path, err2, OUT_MAX);
	ASSERT_GT(nerr, 256);
	snprintf(path, sizeof(path), "%s/written", self->tmp);
	ASSERT_EQ(0, unlink(path));
	EXPECT_EQ(0, replay(self, ""));
	EXPECT_EQ(self->nrec, self->nrep);
	EXPECT_EQ(0, memcmp(self->rec, self->rep, self->nrec));
	/* stderr: the program's bytes (binary too) and nothing else */
	EXPECT_EQ(0, memcmp(self->err, err2, nerr));
	EXPECT_EQ(NULL, strstr(self->err, "ttrec"));
	EXPECT_NE(0, stat(path, &st)) TH_LOG("replay wrote %s", path);
	free(err2);
	EXPECT_EQ(0, replay(self, "--quiet"));
	EXPECT_EQ(0, self->nrep);
	EXPECT_EQ(0, strlen(self->err));
}

/* ---------------------------------------------------------------- time travel */

/* The sequence number of the @n-th (0: first) call of syscall @name. */
static uint64_t nth_seq(const char *dir, const char *name, int n)
{
	struct rec_reader rr;
	struct rec_event ev;
	uint64_t seq = 0;
	int nr = syscall_nr(name);

	if (rec_reader_open(&rr, dir))
		return 0;
	while (rec_reader_next(&rr, &ev) > 0) {
		const struct rec_sys *s = ev.rec;

		if (ev.type == REC_SYS && s->nr == nr && n-- == 0) {
			seq = ev.seq;
			break;
		}
	}
	rec_reader_close(&rr);
	return seq;
}

static unsigned long long marker_addr(const char *out)
{
	const char *p = strstr(out, "marker 0x");

	return p ? strtoull(p + 7, NULL, 16) : 0;
}

TEST_F_TIMEOUT(rp, to_mem_regs_maps, 60)
{
	char cmd[CMD_MAX], opts[256];
	unsigned long long addr;
	uint64_t s1, s2;

	snprintf(cmd, sizeof(cmd), "%s/rp_mem", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	addr = marker_addr(self->rec);
	ASSERT_NE(0, addr) TH_LOG("%s", self->rec);
	s1 = nth_seq(self->dir, "getppid", 0);
	s2 = nth_seq(self->dir, "getppid", 1);
	ASSERT_NE(0, s1);
	ASSERT_GT(s2, s1);
	snprintf(opts, sizeof(opts), "--to %llu --mem %#llx:8 --regs --maps --quiet",
		 (unsigned long long)s1, addr);
	ASSERT_EQ(0, replay(self, opts)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->rep, " 88 77 66 55 44 33 22 11 ")) TH_LOG("%s", self->rep);
	EXPECT_NE(NULL, strstr(self->rep, "orig_rax 110")) TH_LOG("%s", self->rep);
	EXPECT_NE(NULL, strstr(self->rep, "[stack]"));
	EXPECT_NE(NULL, strstr(self->rep, "rp_mem\n"));
	snprintf(opts, sizeof(opts), "--to %llu --mem %#llx:8 --quiet", (unsigned long long)s2,
		 addr);
	ASSERT_EQ(0, replay(self, opts)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->rep, " ef cd ab 89 67 45 23 01 ")) TH_LOG("%s", self->rep);
	/* before the first getppid the variable is still 0 */
	snprintf(opts, sizeof(opts), "--to %llu --mem %#llx:8 --quiet",
		 (unsigned long long)s1 - 1, addr);
	ASSERT_EQ(0, replay(self, opts)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->rep, " 00 00 00 00 00 00 00 00 ")) TH_LOG("%s", self->rep);
	/* past the end */
	EXPECT_EQ(1, replay(self, "--to 99999999 --regs"));
	EXPECT_NE(NULL, strstr(self->err, "ends before event"));
}

/* --stop leaves the process stopped at the event, for a debugger. */
TEST_F_TIMEOUT(rp, to_stop, 60)
{
	char cmd[CMD_MAX], opts[128], path[64], buf[4096];
	unsigned long long addr;
	uint64_t s1, v = 0;
	const char *p;
	int pid, fd;

	snprintf(cmd, sizeof(cmd), "%s/rp_mem", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	addr = marker_addr(self->rec);
	s1 = nth_seq(self->dir, "getppid", 0);
	ASSERT_NE(0, s1);
	snprintf(opts, sizeof(opts), "--to %llu --stop --quiet", (unsigned long long)s1);
	ASSERT_EQ(0, replay(self, opts)) TH_LOG("%s", self->err);
	p = strstr(self->rep, "gdb -p ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->rep);
	pid = atoi(p + 7);
	ASSERT_GT(pid, 1);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	p = strrchr(buf, ')');
	ASSERT_NE(NULL, p);
	EXPECT_EQ('T', p[2]) TH_LOG("%s", buf);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(8, pread(fd, &v, 8, addr));
	close(fd);
	EXPECT_EQ(0x1122334455667788ULL, v);
	if (have("gdb")) {
		snprintf(cmd, sizeof(cmd), "gdb -p %d -batch -ex 'print/x rp_marker' > %s/gdb.out 2>&1",
			 pid, self->tmp);
		sh("%s", cmd);
		snprintf(path, sizeof(path), "%.40s/gdb.out", self->tmp);
		slurp(path, buf, sizeof(buf));
		EXPECT_NE(NULL, strstr(buf, "0x1122334455667788")) TH_LOG("%s", buf);
	}
	kill(pid, SIGKILL);
}

TEST_F_TIMEOUT(rp, recvmmsg, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/recv_mmsg", wl_dir);
	RECORD_REPLAY("", cmd, "recv_mmsg done");
}

/* --to in the middle of a multi-threaded run: every thread's registers. */
TEST_F_TIMEOUT(rp, to_threads, 120)
{
	char cmd[CMD_MAX], opts[128];
	const char *p;
	uint64_t seq;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "%s/rp_sync", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	seq = nth_seq(self->dir, "getrandom", 200);
	ASSERT_NE(0, seq);
	snprintf(opts, sizeof(opts), "--to %llu --regs --quiet", (unsigned long long)seq);
	ASSERT_EQ(0, replay(self, opts)) TH_LOG("%s", self->err);
	for (p = self->rep; (p = strstr(p, "\nthread ")); p++)
		n++;
	EXPECT_GE(n, 4) TH_LOG("%s", self->rep);
}

/* An attach recording has no launch facts: refused with a reason. */
TEST_F_TIMEOUT(rp, attach_recording_refused, 60)
{
	char path[PATH_MAX + 16];
	pid_t pid;
	int p[2];
	char c[8];

	snprintf(path, sizeof(path), "%s/ticker", wl_dir);
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execl(path, path, "30", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	ASSERT_EQ(6, read(p[0], c, 6));
	close(p[0]);
	EXPECT_EQ(0, sh("%s attach %d -o %s --duration 0.3 >/dev/null 2>&1", ttrec_bin, pid,
			self->dir));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT_EQ(1, replay(self, ""));
	EXPECT_NE(NULL, strstr(self->err, "no launch record")) TH_LOG("%s", self->err);
}

/* ---------------------------------------------------------------- divergence */

/*
 * Copy DIR/journal, changing argument @arg (-1: the return value) of the
 * @nth REC_SYS of syscall @name (0: the first) to @val. The event's
 * sequence number, or 0.
 */
static uint64_t alter_journal(const char *dir, const char *name, int nth, int arg, uint64_t val)
{
	char in[PATH_MAX + 32], out[PATH_MAX + 32];
	struct journal_reader *jr;
	struct journal_writer *jw;
	struct journal_opts jo = { 0 };
	const void *rec;
	uint64_t seq, hit = 0;
	size_t len;
	int nr = syscall_nr(name), n = 0;

	snprintf(in, sizeof(in), "%s/journal", dir);
	snprintf(out, sizeof(out), "%s/journal.new", dir);
	if (journal_open(in, &jr) || journal_create(out, &jo, &jw))
		return 0;
	while (journal_next(jr, &rec, &len, &seq) > 0) {
		uint8_t copy[len];
		struct rec_sys *s = (void *)copy;
		size_t i;

		memcpy(copy, rec, len);
		for (i = 0; copy[0] == REC_SYS && i < len / sizeof(*s); i++) {
			if (s[i].nr == nr && n++ == nth) {
				if (arg < 0)
					s[i].ret = val;
				else
					s[i].args[arg] = val;
				hit = seq + i;
			}
		}
		if (journal_append(jw, seq, copy, len))
			return 0;
	}
	journal_close_reader(jr);
	if (journal_close(jw) || rename(out, in))
		return 0;
	return hit;
}

TEST_F_TIMEOUT(rp, altered_journal_diverges, 60)
{
	char cmd[CMD_MAX], want[64];
	uint64_t seq;

	ASSERT_EQ(0, sh("seq 1 20000 > %s/input.txt", self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_file %s/input.txt %s/scratch", wl_dir, self->tmp,
		 self->tmp);
	ASSERT_EQ(0, record(self, "", cmd));
	/* the pread's offset: the replayed program asks for 500 */
	seq = alter_journal(self->dir, "pread64", 2, 3, 501);
	ASSERT_NE(0, seq);
	EXPECT_EQ(3, replay(self, "--verify"));
	snprintf(want, sizeof(want), "diverged at event #%llu ", (unsigned long long)seq);
	EXPECT_NE(NULL, strstr(self->err, want)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "expected: pread64(")) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, ", 501)")) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, ", 500)")) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "replay DIVERGED"));
}


/* Change the path the recording says openat() got. */
static uint64_t alter_string(const char *dir, const char *from, char to)
{
	char in[PATH_MAX + 32], out[PATH_MAX + 32];
	struct journal_reader *jr;
	struct journal_writer *jw;
	struct journal_opts jo = { 0 };
	const void *rec;
	uint64_t seq, hit = 0;
	size_t len;

	snprintf(in, sizeof(in), "%s/journal", dir);
	snprintf(out, sizeof(out), "%s/journal.new", dir);
	if (journal_open(in, &jr) || journal_create(out, &jo, &jw))
		return 0;
	while (journal_next(jr, &rec, &len, &seq) > 0) {
		uint8_t copy[len];

		memcpy(copy, rec, len);
		if (!hit && copy[0] == REC_IN && len > sizeof(struct rec_in) + strlen(from) &&
		    !memcmp(copy + len - strlen(from), from, strlen(from))) {
			copy[len - 1] = to;
			hit = seq;
		}
		if (journal_append(jw, seq, copy, len))
			return 0;
	}
	journal_close_reader(jr);
	if (journal_close(jw) || rename(out, in))
		return 0;
	return hit;
}

TEST_F_TIMEOUT(rp, altered_path_diverges, 60)
{
	char cmd[CMD_MAX], want[64];
	uint64_t seq;

	ASSERT_EQ(0, sh("seq 1 2000 > %s/input.txt", self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_file %s/input.txt %s/scratch", wl_dir, self->tmp,
		 self->tmp);
	ASSERT_EQ(0, record(self, "", cmd));
	seq = alter_string(self->dir, "input.txt", 'X');
	ASSERT_NE(0, seq);
	EXPECT_EQ(3, replay(self, "--quiet"));
	snprintf(want, sizeof(want), "diverged at event #%llu ", (unsigned long long)seq);
	EXPECT_NE(NULL, strstr(self->err, want)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "input.txX\"")) TH_LOG("%s", self->err);
}

/* A replay that makes the program compute forever is stopped and reported. */
TEST_F_TIMEOUT(rp, stall_diverges, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_spin", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_TRUE(has(self->rec, "rp_spin done"));
	ASSERT_NE(0, alter_journal(self->dir, "getppid", 0, -1, 12345));
	setenv("TTREC_REPLAY_STALL_S", "1", 1);
	EXPECT_EQ(3, replay(self, "--quiet"));
	unsetenv("TTREC_REPLAY_STALL_S");
	EXPECT_NE(NULL, strstr(self->err, "without reaching its next syscall")) TH_LOG("%s", self->err);
}

/* The program file changed since the recording. */
TEST_F_TIMEOUT(rp, changed_program_diverges, 60)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, sh("cp %s/rp_clock %s/prog", wl_dir, self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/prog", self->tmp);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_EQ(0, sh("echo >> %s/prog", self->tmp));
	EXPECT_EQ(3, replay(self, ""));
	EXPECT_NE(NULL, strstr(self->err, "changed since it was recorded")) TH_LOG("%s", self->err);
}

TEST_F(rp, errors)
{
	EXPECT_EQ(2, sh("%s replay >/dev/null 2>&1", ttrec_bin));
	EXPECT_EQ(2, sh("%s replay a b >/dev/null 2>&1", ttrec_bin));
	EXPECT_EQ(2, sh("%s replay %s --regs >/dev/null 2>&1", ttrec_bin, self->dir));
	EXPECT_EQ(2, sh("%s replay %s --to x >/dev/null 2>&1", ttrec_bin, self->dir));
	EXPECT_EQ(2, sh("%s replay %s --to 5 --mem 12 >/dev/null 2>&1", ttrec_bin, self->dir));
	EXPECT_EQ(1, sh("o=$(%s replay /nonexistent 2>&1); r=$?; echo \"$o\" | grep -q 'cannot open the recording /nonexistent: No such file' && exit $r", ttrec_bin));
	EXPECT_EQ(1, sh("o=$(%s replay /proc/self 2>&1); r=$?; echo \"$o\" | grep -q 'is not a recording' && exit $r", ttrec_bin));
	EXPECT_EQ(0, sh("%s replay --help | grep -q 'Exit status'", ttrec_bin));
}

TEST_HARNESS_MAIN
