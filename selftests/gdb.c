// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec replay --gdb: real gdb, in batch mode, against the replay of the
 * gdb_demo workload (built -O0 -g): breakpoints and locals, continue,
 * reverse-continue, a watchpoint and reverse-continue to its last write,
 * reverse-step, reverse-next and reverse-stepi, threads, monitor when and
 * seek, a libc function; each compared with what the recorded run printed.
 * Hostile packets get error replies; a client that goes away leaves no
 * process behind. Skipped where gdb is not installed (the test VM).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "replay_common.h"

#define NEED_GDB() do {						\
	if (!have("gdb"))					\
		SKIP(return, "gdb is not installed here");	\
} while (0)

/* Record gdb_demo (with threads when @threads) into self->dir. */
static int record_demo(FIXTURE_DATA(rp) *self, bool threads)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/gdb_demo%s", wl_dir, threads ? " threads" : "");
	return record(self, "", cmd);
}

/*
 * The replay served on a free port (ttrec run with @env, and -v when it
 * is not empty); gdb -batch runs @script against it, on the workload
 * @prog. gdb's output into self->rep, the server's stderr into self->err;
 * its exit status returned.
 */
static int run_gdb_prog(FIXTURE_DATA(rp) *self, const char *prog, const char *env,
			const char *script)
{
	char path[PATH_MAX + 32];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/cmds.gdb", self->tmp);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "set pagination off\nset confirm off\n%s", script);
	fclose(f);
	sh("cd %s && rm -f srv.err srv.rc && "
	   "{ %s %s %s replay %s --gdb=0 2> srv.err; echo $? > srv.rc; } & "
	   "cd %s && for i in $(seq 400); do grep -q listening srv.err 2>/dev/null && break; sleep 0.05; done; "
	   "port=$(sed -n 's/.*listening on 127.0.0.1:\\([0-9]*\\).*/\\1/p' srv.err); "
	   "timeout 300 gdb -batch -nx -ex 'set sysroot /' -ex \"target remote 127.0.0.1:$port\" "
	   "-x cmds.gdb %s/%s > gdb.out 2>&1; "
	   "for i in $(seq 600); do [ -s srv.rc ] && break; sleep 0.05; done",
	   self->tmp, env, ttrec_bin, *env ? "-v" : "", self->dir, self->tmp, wl_dir, prog);
	snprintf(path, sizeof(path), "%s/gdb.out", self->tmp);
	slurp(path, self->rep, OUT_MAX);
	snprintf(path, sizeof(path), "%s/srv.err", self->tmp);
	slurp(path, self->err, OUT_MAX);
	snprintf(path, sizeof(path), "%s/srv.rc", self->tmp);
	if (slurp(path, path, sizeof(path)) <= 0)
		return -1;
	rc = atoi(path);
	return rc;
}

static int run_gdb_env(FIXTURE_DATA(rp) *self, const char *env, const char *script)
{
	return run_gdb_prog(self, "gdb_demo", env, script);
}

/* run_gdb_env() without an environment (checkpoints as by default: none so early). */
static int run_gdb(FIXTURE_DATA(rp) *self, const char *script)
{
	return run_gdb_env(self, "", script);
}

/* The lines gdb's printf printed, by their prefix: "@key=VALUE". */
static const char *value(const char *out, const char *key, int nth, char *buf, size_t len)
{
	const char *p = out;
	size_t k = strlen(key);

	while ((p = strstr(p, key))) {
		if ((p == out || p[-1] == '\n') && p[k] == '=' && !nth--) {
			size_t n = strcspn(p + k + 1, "\n");

			snprintf(buf, len, "%.*s", (int)n, p + k + 1);
			return buf;
		}
		p += k;
	}
	snprintf(buf, len, "(none)");
	return buf;
}

#define EXPECT_VALUE(key, nth, want) do {						\
	char __b[256];									\
	EXPECT_STREQ(want, value(self->rep, key, nth, __b, sizeof(__b)))		\
		TH_LOG("gdb said:\n%.6000s\nserver:\n%.2000s", self->rep, self->err);	\
} while (0)

/* The @key lines gdb printed, in order: each the next argument. */
#define EXPECT_VALUES(key, ...) do {						\
	static const char *const __w[] = { __VA_ARGS__ };			\
	size_t __i;								\
	for (__i = 0; __i < sizeof(__w) / sizeof(__w[0]); __i++)		\
		EXPECT_VALUE(key, __i, __w[__i]);				\
} while (0)

/* Break in a function, print a local and a global; continue to the next call. */
TEST_F_TIMEOUT(rp, break_print_continue, 120)
{
	NEED_GDB();
	ASSERT_EQ(0, record_demo(self, false));
	ASSERT_NE(NULL, strstr(self->rec, "i=1 total=24 counter=24"));
	ASSERT_EQ(0, run_gdb(self,
		"break step\ncontinue\nnext\nprintf \"local=%d\\n\", local\n"
		"finish\nprintf \"counter=%d\\n\", counter\n"
		"continue\nprintf \"i=%d\\n\", i\nnext\nnext\nprintf \"local=%d\\n\", local\n"
		"printf \"counter=%d\\n\", counter\n"));
	/* as recorded: step(0) = 7, counter 7 after it; step(1) = 17, counter 24 */
	EXPECT_VALUE("local", 0, "7");
	EXPECT_VALUE("counter", 0, "7");
	EXPECT_VALUE("i", 0, "1");
	EXPECT_VALUE("local", 1, "17");
	EXPECT_VALUE("counter", 1, "24");
}

/* Reverse-continue to the earlier hits of a breakpoint, then forward again. */
TEST_F_TIMEOUT(rp, reverse_continue, 180)
{
	NEED_GDB();
	ASSERT_EQ(0, record_demo(self, false));
	ASSERT_EQ(0, run_gdb(self,
		"break step\ncontinue\ncontinue\ncontinue\nprintf \"i=%d\\n\", i\n"
		"reverse-continue\nprintf \"i=%d\\n\", i\nprintf \"counter=%d\\n\", counter\n"
		"reverse-continue\nprintf \"i=%d\\n\", i\n"
		"continue\nprintf \"i=%d\\n\", i\ncontinue\ncontinue\nprintf \"i=%d\\n\", i\n"
		"printf \"counter=%d\\n\", counter\n"));
	EXPECT_VALUE("i", 0, "2");
	EXPECT_VALUE("i", 1, "1");
	EXPECT_VALUE("counter", 0, "7");	/* before step(1) adds: as step(0) left it */
	EXPECT_VALUE("i", 2, "0");
	EXPECT_VALUE("i", 3, "1");
	EXPECT_VALUE("i", 4, "3");
	EXPECT_VALUE("counter", 1, "51");	/* as the recording printed after i=2 */
}

/*
 * The same from checkpoints (one every 4 events: the workload is short):
 * the replays that go back start from a frozen fork of the process.
 */
TEST_F_TIMEOUT(rp, reverse_continue_from_checkpoints, 180)
{
	NEED_GDB();
	ASSERT_EQ(0, record_demo(self, false));
	ASSERT_EQ(0, run_gdb_env(self, "TTREC_GDB_CHECKPOINT_EVERY=4",
		"break step\ncontinue\ncontinue\ncontinue\nprintf \"i=%d\\n\", i\n"
		"reverse-continue\nprintf \"i=%d\\n\", i\nprintf \"counter=%d\\n\", counter\n"
		"reverse-continue\nprintf \"i=%d\\n\", i\n"
		"continue\ncontinue\nprintf \"i=%d\\n\", i\n"
		"watch counter\nreverse-continue\nprintf \"counter=%d\\n\", counter\n"
		"reverse-stepi\nstepi\nprintf \"counter=%d\\n\", counter\n"
		"stepi\nprintf \"counter=%d\\n\", counter\n"));
	EXPECT_VALUE("i", 0, "2");
	EXPECT_VALUE("i", 1, "1");
	EXPECT_VALUE("counter", 0, "7");
	EXPECT_VALUE("i", 2, "0");
	EXPECT_VALUE("i", 3, "2");
	/* back to just before the last write before step(2): 7, about to be 24 */
	EXPECT_VALUE("counter", 1, "7");
	EXPECT_NE(NULL, strstr(self->rep, "Old value = 24\nNew value = 7"));
	EXPECT_VALUE("counter", 2, "7");	/* a step back and forth: at the write */
	EXPECT_VALUE("counter", 3, "24");	/* one more: the write done */
	EXPECT_NE(NULL, strstr(self->err, "checkpoint at #")) TH_LOG("%.3000s", self->err);
}

#define TICK_PRINT "printf \"tick k=%ld round=%d total=%ld\\n\", k, round, totals[k]\n"

/*
 * Checkpoints of a threaded replay (one every 2 events): with both
 * workers alive, a reverse-continue starts from a checkpoint whose other
 * threads were made again. Six reverse-continues through the ticks of
 * both threads, then forward again: the same answers as replaying from
 * the start (the default here: the workload is too short for a
 * checkpoint by time), and as the recorded run printed.
 */
TEST_F_TIMEOUT(rp, reverse_continue_threads_from_checkpoints, 300)
{
	static char plain[OUT_MAX];
	static const char script[] =
		"break tick\ncontinue\ncontinue\ncontinue\ncontinue\ncontinue\ncontinue\n"
		"continue\ncontinue\n" TICK_PRINT
		"reverse-continue\n" TICK_PRINT "reverse-continue\n" TICK_PRINT
		"reverse-continue\n" TICK_PRINT "reverse-continue\n" TICK_PRINT
		"reverse-continue\n" TICK_PRINT "reverse-continue\n" TICK_PRINT
		"continue\n" TICK_PRINT "continue\n" TICK_PRINT
		"delete\ncontinue\nprintf \"sum=%ld\\n\", totals[1] + totals[2]\n";
	char cmd[CMD_MAX], want[64], b[256];
	const char *p;
	int i, n;

	NEED_GDB();
	snprintf(cmd, sizeof(cmd), "%s/gdb_threads", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_NE(NULL, strstr(self->rec, "gdb_threads sum=1830"));
	ASSERT_EQ(0, run_gdb_prog(self, "gdb_threads", "", script));
	memcpy(plain, self->rep, OUT_MAX);
	ASSERT_EQ(0, run_gdb_prog(self, "gdb_threads", "TTREC_GDB_CHECKPOINT_EVERY=2", script));
	/* the nine stops as from the start */
	for (i = 0; i < 9; i++) {
		value(self->rep, "tick k", i, b, sizeof(b));
		EXPECT_STREQ(value(plain, "tick k", i, want, sizeof(want)), b)
			TH_LOG("from the start:\n%.4000s", plain);
	}
	EXPECT_VALUES("tick k",
		/* and as recorded: the eighth tick, its total before the add */
		"2 round=3 total=603",
		/* back one tick at a time, in the recorded order */
		"1 round=3 total=303", "2 round=2 total=401", "1 round=2 total=201",
		"2 round=1 total=200", "1 round=1 total=100", "2 round=0 total=0",
		/* and forward again */
		"1 round=1 total=100", "2 round=1 total=200");
	/* and to the end: the workers joined, as recorded */
	EXPECT_VALUE("sum", 0, "1830");
	/* replays started from checkpoints with the three threads */
	for (n = 0, p = self->err; (p = strstr(p, "replay from the checkpoint at #")); p++)
		n += !strncmp(strstr(p, ":"), ": pid", 5) && strstr(p, ", 3 threads") &&
		     strstr(p, ", 3 threads") < strchr(p, '\n');
	EXPECT_LE(3, n) TH_LOG("%.4000s", self->err);
}

/* A watchpoint: forward to each write, back to the last one. */
TEST_F_TIMEOUT(rp, watch_reverse_continue, 300)
{
	NEED_GDB();
	ASSERT_EQ(0, record_demo(self, false));
	ASSERT_EQ(0, run_gdb(self,
		"break main\ncontinue\nwatch counter\ncontinue\nprintf \"counter=%d\\n\", counter\n"
		"continue\nprintf \"counter=%d\\n\", counter\ncontinue\nprintf \"counter=%d\\n\", counter\n"
		"reverse-continue\nprintf \"counter=%d\\n\", counter\n"
		"info line *$pc\n"));
	EXPECT_VALUE("counter", 0, "7");
	EXPECT_VALUE("counter", 1, "24");
	EXPECT_VALUE("counter", 2, "51");
	/* back to just before the last write: the one that made it 51 */
	EXPECT_VALUE("counter", 3, "24");
	EXPECT_NE(NULL, strstr(self->rep, "Old value = 51\nNew value = 24"))
		TH_LOG("%.4000s", self->rep);
	EXPECT_NE(NULL, strstr(self->rep, "gdb_demo.c\" starts at address"))
		TH_LOG("%.4000s", self->rep);
}

/* Where gdb stopped: in step() or not, and counter there. */
#define WHERE "printf \"in_step=%d counter=%d\\n\", $_caller_is(\"step\", 0), counter\n"

/*
 * A read watchpoint: forward to each read of counter (step() reads it
 * before adding, main() for its printf), never at the write alone; back
 * to just before the reads, with the values the recorded run printed.
 */
TEST_F_TIMEOUT(rp, rwatch_reverse_continue, 300)
{
	NEED_GDB();
	ASSERT_EQ(0, record_demo(self, false));
	ASSERT_NE(NULL, strstr(self->rec, "i=0 total=7 counter=7\ni=1 total=24 counter=24"));
	ASSERT_EQ(0, run_gdb(self,
		"break main\ncontinue\nrwatch counter\n"
		"continue\n" WHERE "continue\n" WHERE "continue\n" WHERE "continue\n" WHERE
		"reverse-continue\n" WHERE "reverse-continue\n" WHERE "reverse-continue\n" WHERE
		"continue\n" WHERE));
	EXPECT_VALUES("in_step",
		/* step(0) reads 0, main prints 7, step(1) reads 7, main prints 24 */
		"1 counter=0", "0 counter=7", "1 counter=7", "0 counter=24",
		/* back: before main's read of 24, step(1)'s of 7, main's of 7 */
		"0 counter=24", "1 counter=7", "0 counter=7",
		/* forward again: that read of main's */
		"0 counter=7");
	EXPECT_NE(NULL, strstr(self->rep, "Hardware read watchpoint 2: counter\n\nValue = 24"))
		TH_LOG("%.4000s", self->rep);
	EXPECT_EQ(NULL, strstr(self->rep, "Old value")) TH_LOG("%.4000s", self->rep);
}

/* An access watchpoint: reads and the write, forward and back. */
TEST_F_TIMEOUT(rp, awatch_reverse_continue, 300)
{
	NEED_GDB();
	ASSERT_EQ(0, record_demo(self, false));
	ASSERT_EQ(0, run_gdb(self,
		"break main\ncontinue\nawatch counter\n"
		"continue\n" WHERE "continue\n" WHERE "continue\n" WHERE
		"reverse-continue\n" WHERE "reverse-continue\n" WHERE "continue\n" WHERE));
	EXPECT_VALUES("in_step",
		/* step(0) reads 0, writes 7; main reads 7 */
		"1 counter=0", "1 counter=7", "0 counter=7",
		/* back: before main's read, before step(0)'s write; then the write again */
		"0 counter=7", "1 counter=0", "1 counter=7");
	EXPECT_NE(NULL, strstr(self->rep, "watchpoint 2: counter\n\nOld value = 7\nNew value = 0"))
		TH_LOG("%.4000s", self->rep);
	EXPECT_NE(NULL, strstr(self->rep, "watchpoint 2: counter\n\nOld value = 0\nNew value = 7"))
		TH_LOG("%.4000s", self->rep);
}

/* reverse-next, reverse-step, reverse-stepi: back by a line, into it, by an instruction. */
TEST_F_TIMEOUT(rp, reverse_step_next, 180)
{
	NEED_GDB();
	ASSERT_EQ(0, record_demo(self, false));
	ASSERT_EQ(0, run_gdb(self,
		"break step\ncontinue\ncontinue\nnext\nnext\n"
		"printf \"counter=%d\\n\", counter\n"
		"reverse-next\nprintf \"counter=%d\\n\", counter\n"
		"reverse-step\nprintf \"local_set=%d\\n\", local == 17\n"
		"set $a = $pc\nstepi\nset $b = $pc\nreverse-stepi\n"
		"printf \"same=%d\\n\", $pc == $a\nprintf \"moved=%d\\n\", $b != $a\n"
		"stepi\nprintf \"again=%d\\n\", $pc == $b\n"));
	EXPECT_VALUE("counter", 0, "24");	/* after counter += local, i=1 */
	EXPECT_VALUE("counter", 1, "7");	/* back before it */
	EXPECT_VALUE("local_set", 0, "0");	/* back before local = 17 */
	EXPECT_VALUE("same", 0, "1");
	EXPECT_VALUE("moved", 0, "1");
	EXPECT_VALUE("again", 0, "1");
}

/* Threads: the list, switching, each its own registers and locals. */
TEST_F_TIMEOUT(rp, threads, 180)
{
	char b[64];

	NEED_GDB();
	ASSERT_EQ(0, record_demo(self, true));
	ASSERT_NE(NULL, strstr(self->rec, "worker 1 mine=1001"));
	ASSERT_NE(NULL, strstr(self->rec, "worker 2 mine=2001"));
	ASSERT_EQ(0, run_gdb(self,
		"break worker\ncontinue\nnext\nnext\nprintf \"mine=%ld\\n\", mine\n"
		"printf \"threads=%d\\n\", $_inferior_thread_count\n"
		"set $w = $rsp\nthread 1\nprintf \"main_rsp_differs=%d\\n\", $rsp != $w\n"
		"printf \"main_in_main=%d\\n\", $_any_caller_matches(\"main\", 10)\n"
		"thread 2\nprintf \"back_rsp_same=%d\\n\", $rsp == $w\n"
		"continue\nnext\nnext\nprintf \"mine=%ld\\n\", mine\n"
		"info threads\n"));
	EXPECT_VALUE("mine", 0, "1001");
	EXPECT_VALUE("threads", 0, "3");
	EXPECT_VALUE("main_rsp_differs", 0, "1");
	EXPECT_VALUE("main_in_main", 0, "1");
	EXPECT_VALUE("back_rsp_same", 0, "1");
	EXPECT_VALUE("mine", 1, "2001");
	value(self->rep, "mine", 1, b, sizeof(b));
	EXPECT_NE(NULL, strstr(self->rep, "recorded tid"));
}

/* monitor when / seek, back and forth. */
TEST_F_TIMEOUT(rp, monitor_seek, 180)
{
	NEED_GDB();
	ASSERT_EQ(0, record_demo(self, false));
	ASSERT_EQ(0, run_gdb(self,
		"break step\ncontinue\nmonitor when\nmonitor seek 30\nmonitor when\n"
		"monitor seek 38\nmonitor when\nmaint flush register-cache\n"
		"monitor seek 10\nmonitor when\ncontinue\nprintf \"i=%d\\n\", i\n"));
	EXPECT_NE(NULL, strstr(self->rep, "Current event: 30\n")) TH_LOG("%.3000s", self->rep);
	EXPECT_NE(NULL, strstr(self->rep, "Current event: 38\n"));
	EXPECT_NE(NULL, strstr(self->rep, "Current event: 10\n"));
	EXPECT_VALUE("i", 0, "0");	/* from event 10 the first call is step(0) again */
}

/* A libc function: its symbols, its caller, its argument. */
TEST_F_TIMEOUT(rp, shared_library, 120)
{
	NEED_GDB();
	ASSERT_EQ(0, record_demo(self, false));
	ASSERT_EQ(0, run_gdb(self, "break puts\ncontinue\nbt 2\nx/s $rdi\n"));
	EXPECT_NE(NULL, strstr(self->rep, "puts")) TH_LOG("%.3000s", self->rep);
	EXPECT_NE(NULL, strstr(self->rep, "in main (")) TH_LOG("%.3000s", self->rep);
	EXPECT_NE(NULL, strstr(self->rep, "\"gdb_demo done\"")) TH_LOG("%.3000s", self->rep);
}

/*
 * The replayed processes (and checkpoints) of gdb_demo and gdb_bench still
 * alive: those of this build's workloads (other builds may run the same
 * tests beside this one).
 */
static int stray(void)
{
	char path[300], exe[PATH_MAX], prefix[PATH_MAX + 8];
	struct dirent *e;
	int n = 0;
	DIR *d = opendir("/proc");

	snprintf(prefix, sizeof(prefix), "%s/gdb_", wl_dir);

	while (d && (e = readdir(d))) {
		ssize_t k;

		snprintf(path, sizeof(path), "/proc/%s/exe", e->d_name);
		k = readlink(path, exe, sizeof(exe) - 1);
		if (k <= 0)
			continue;
		exe[k] = 0;
		if (!strncmp(exe, prefix, strlen(prefix)))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* Start the server on a free port; its pid into *@pid; the port or -1. */
static int start_server(FIXTURE_DATA(rp) *self, pid_t *pid)
{
	char path[PATH_MAX + 32];
	int i, port = -1;

	snprintf(path, sizeof(path), "%s/srv.err", self->tmp);
	*pid = fork();
	if (*pid == 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 2);
		execl(ttrec_bin, ttrec_bin, "replay", self->dir, "--gdb=0", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 400 && port < 0; i++) {
		const char *p;

		usleep(50000);
		slurp(path, self->err, OUT_MAX);
		p = strstr(self->err, "listening on 127.0.0.1:");
		if (p)
			port = atoi(p + strlen("listening on 127.0.0.1:"));
	}
	return port;
}

static int connect_to(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* What the server sends within @ms, into @buf. */
static ssize_t recv_for(int fd, char *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n = 0, k;

	while (n < (ssize_t)len - 1 && poll(&p, 1, ms) > 0) {
		k = read(fd, buf + n, len - 1 - n);
		if (k <= 0)
			break;
		n += k;
		ms = 100;
	}
	buf[n] = 0;
	return n;
}

/* A packet, after the ack of the server's last reply. */
static ssize_t send_packet(int fd, const char *data)
{
	char b[512];
	unsigned int sum = 0;
	size_t i;

	for (i = 0; data[i]; i++)
		sum += (uint8_t)data[i];
	snprintf(b, sizeof(b), "+$%s#%02x", data, sum & 0xff);
	return write(fd, b, strlen(b));
}

/* Wait up to @s seconds for @pid; its exit status or -1. */
static int wait_for(pid_t pid, int s)
{
	int st, i;

	for (i = 0; i < s * 20; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* Random bytes, bad checksums, an oversized and malformed packets: refused, no crash. */
TEST_F_TIMEOUT(rp, hostile_packets, 120)
{
	static char buf[65536], big[20000];
	pid_t pid;
	int port, fd, i;
	unsigned int seed = 1;

	ASSERT_EQ(0, record_demo(self, false));
	port = start_server(self, &pid);
	ASSERT_LT(0, port) TH_LOG("%s", self->err);
	fd = connect_to(port);
	ASSERT_LE(0, fd);
	/* random bytes without '$': skipped */
	for (i = 0; i < 4096; i++)
		buf[i] = "abc+-#}*\x01\xff"[rand_r(&seed) % 10];
	ASSERT_EQ(4096, write(fd, buf, 4096));
	/* a bad checksum: asked again */
	ASSERT_EQ(5, write(fd, "$?#00", 5));
	recv_for(fd, buf, sizeof(buf), 500);
	EXPECT_NE(NULL, strchr(buf, '-')) TH_LOG("got '%s'", buf);
	/* oversized: refused */
	big[0] = '$';
	memset(big + 1, 'm', sizeof(big) - 5);
	memcpy(big + sizeof(big) - 4, "#00", 3);
	ASSERT_EQ((ssize_t)sizeof(big) - 1, write(fd, big, sizeof(big) - 1));
	recv_for(fd, buf, sizeof(buf), 500);
	EXPECT_NE(NULL, strchr(buf, '-')) TH_LOG("got '%s'", buf);
	/* malformed ones: errors; unknown ones: empty */
	send_packet(fd, "mzz,qq");
	recv_for(fd, buf, sizeof(buf), 1000);
	EXPECT_NE(NULL, strstr(buf, "$E01#")) TH_LOG("got '%s'", buf);
	send_packet(fd, "Z9,0,0");
	recv_for(fd, buf, sizeof(buf), 1000);
	EXPECT_NE(NULL, strstr(buf, "$#00")) TH_LOG("got '%s'", buf);
	send_packet(fd, "Pffff=00");
	recv_for(fd, buf, sizeof(buf), 1000);
	EXPECT_NE(NULL, strstr(buf, "$E01#")) TH_LOG("got '%s'", buf);
	send_packet(fd, "qXfer:features:read:../../etc/passwd:0,100");
	recv_for(fd, buf, sizeof(buf), 1000);
	EXPECT_NE(NULL, strstr(buf, "$E00#")) TH_LOG("got '%s'", buf);
	send_packet(fd, "m0,10");
	recv_for(fd, buf, sizeof(buf), 1000);
	EXPECT_NE(NULL, strstr(buf, "$E01#")) TH_LOG("got '%s'", buf);
	send_packet(fd, "G0102");
	recv_for(fd, buf, sizeof(buf), 1000);
	EXPECT_NE(NULL, strstr(buf, "$E01#")) TH_LOG("got '%s'", buf);
	/* and it still answers */
	send_packet(fd, "?");
	recv_for(fd, buf, sizeof(buf), 2000);
	EXPECT_NE(NULL, strstr(buf, "$T05thread:")) TH_LOG("got '%s'", buf);
	send_packet(fd, "qSupported:swbreak+");
	recv_for(fd, buf, sizeof(buf), 2000);
	EXPECT_NE(NULL, strstr(buf, "ReverseContinue+")) TH_LOG("got '%s'", buf);
	EXPECT_NE(NULL, strstr(buf, "PacketSize=4000"));
	close(fd);
	EXPECT_EQ(0, wait_for(pid, 30)) TH_LOG("%s", self->err);
	snprintf(big, sizeof(big), "%s/srv.err", self->tmp);
	slurp(big, self->err, OUT_MAX);
	EXPECT_NE(NULL, strstr(self->err, "2 malformed packets refused")) TH_LOG("%s", self->err);
	EXPECT_EQ(0, stray());
}

/*
 * Read and access watchpoints gdb could not mean: no length, too long, a
 * range that wraps, malformed; refused with an error. Sane ones are set
 * and cleared.
 */
TEST_F_TIMEOUT(rp, hostile_watchpoints, 120)
{
	static const char *const bad[] = {
		"Z3,1000,0", "Z4,1000,0", "Z3,1000,41", "Z4,1000,10000",
		"Z3,fffffffffffffffc,8", "Z4,ffffffffffffffff,2", "Z3,1000", "Z4,zz,4",
		"Z3,10000000000000000,4",
	};
	char buf[4096];
	pid_t pid;
	int port, fd;
	size_t i;

	ASSERT_EQ(0, record_demo(self, false));
	port = start_server(self, &pid);
	ASSERT_LT(0, port) TH_LOG("%s", self->err);
	fd = connect_to(port);
	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		send_packet(fd, bad[i]);
		recv_for(fd, buf, sizeof(buf), 1000);
		EXPECT_NE(NULL, strstr(buf, "$E01#")) TH_LOG("%s: got '%s'", bad[i], buf);
	}
	send_packet(fd, "Z3,1000,40");
	recv_for(fd, buf, sizeof(buf), 1000);
	EXPECT_NE(NULL, strstr(buf, "$OK#")) TH_LOG("got '%s'", buf);
	send_packet(fd, "Z4,1003,3");
	recv_for(fd, buf, sizeof(buf), 1000);
	EXPECT_NE(NULL, strstr(buf, "$OK#")) TH_LOG("got '%s'", buf);
	send_packet(fd, "z3,1000,40");
	recv_for(fd, buf, sizeof(buf), 1000);
	EXPECT_NE(NULL, strstr(buf, "$OK#")) TH_LOG("got '%s'", buf);
	send_packet(fd, "z4,1003,3");
	recv_for(fd, buf, sizeof(buf), 1000);
	EXPECT_NE(NULL, strstr(buf, "$OK#")) TH_LOG("got '%s'", buf);
	send_packet(fd, "?");
	recv_for(fd, buf, sizeof(buf), 2000);
	EXPECT_NE(NULL, strstr(buf, "$T05thread:")) TH_LOG("got '%s'", buf);
	send_packet(fd, "k");
	close(fd);
	EXPECT_EQ(0, wait_for(pid, 30)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, stray());
}

/* gdb killed in the middle of a session: the replay ends, nothing is left. */
TEST_F_TIMEOUT(rp, disconnect_leaves_nothing, 120)
{
	char buf[4096];
	pid_t pid;
	int port, fd;

	ASSERT_EQ(0, record_demo(self, true));
	port = start_server(self, &pid);
	ASSERT_LT(0, port);
	fd = connect_to(port);
	ASSERT_LE(0, fd);
	send_packet(fd, "QStartNoAckMode");
	recv_for(fd, buf, sizeof(buf), 2000);
	send_packet(fd, "Z0,0,1");		/* an address that cannot hold one */
	recv_for(fd, buf, sizeof(buf), 1000);
	EXPECT_NE(NULL, strstr(buf, "E01"));
	send_packet(fd, "vCont;s:0");		/* a step, then gone */
	recv_for(fd, buf, sizeof(buf), 2000);
	EXPECT_NE(NULL, strstr(buf, "$T05"));
	EXPECT_LT(0, stray());
	close(fd);
	EXPECT_EQ(0, wait_for(pid, 30)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, stray());
}

/* gdb's interrupt (Ctrl-C, the byte 0x03) stops a replay running forward. */
TEST_F_TIMEOUT(rp, interrupt, 120)
{
	char cmd[CMD_MAX], buf[4096];
	pid_t pid;
	int port, fd;

	snprintf(cmd, sizeof(cmd), "%s/gdb_bench 2", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	port = start_server(self, &pid);
	ASSERT_LT(0, port);
	fd = connect_to(port);
	ASSERT_LE(0, fd);
	send_packet(fd, "QStartNoAckMode");
	recv_for(fd, buf, sizeof(buf), 2000);
	ASSERT_EQ(1, write(fd, "+", 1));
	send_packet(fd, "vCont;c");
	recv_for(fd, buf, sizeof(buf), 300);
	EXPECT_EQ(NULL, strstr(buf, "$T")) TH_LOG("stopped before the interrupt: %s", buf);
	ASSERT_EQ(1, write(fd, "\x03", 1));
	recv_for(fd, buf, sizeof(buf), 10000);
	EXPECT_NE(NULL, strstr(buf, "$T02thread:")) TH_LOG("got '%s'", buf);
	send_packet(fd, "qRcmd,7768656e");	/* monitor when */
	recv_for(fd, buf, sizeof(buf), 2000);
	EXPECT_NE(NULL, strstr(buf, "$O")) TH_LOG("got '%s'", buf);
	send_packet(fd, "k");
	close(fd);
	EXPECT_EQ(0, wait_for(pid, 30)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, stray());
}

/* --gdb without a port starts gdb connected (its arguments after --). */
TEST_F_TIMEOUT(rp, starts_gdb, 120)
{
	char path[PATH_MAX + 32];
	FILE *f;
	int i;

	NEED_GDB();
	ASSERT_EQ(0, record_demo(self, false));
	snprintf(path, sizeof(path), "%s/cmds.gdb", self->tmp);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("break step\ncontinue\nprintf \"i=%d\\n\", i\n", f);
	fclose(f);
	ASSERT_EQ(0, sh("cd %s && timeout 120 %s replay %s --gdb -- -batch -nx -x %s > auto.out 2>&1",
			self->tmp, ttrec_bin, self->dir, path));
	snprintf(path, sizeof(path), "%s/auto.out", self->tmp);
	for (i = 0; i < 100; i++) {	/* gdb, not our child, may still be writing */
		slurp(path, self->rep, OUT_MAX);
		if (strstr(self->rep, "detached") || strstr(self->rep, "Kill"))
			break;
		usleep(50000);
	}
	EXPECT_VALUE("i", 0, "0");
	EXPECT_EQ(0, stray());
}

TEST_HARNESS_MAIN
