// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec attach and the vDSO of a running process: its clock reads through
 * the vDSO are recorded from the attach on, and at the end its vDSO holds
 * the kernel's bytes again and it runs on. A thread that stands inside a
 * vDSO function when the bytes are written (at the attach, or at the end)
 * is stepped out first. The workload (workloads/vdso_clock) checks its own
 * clock reads and says "clock ok". Host and VM, as root; no module.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* the harness compares its operands as they come */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "format/records.h"
#include "format/recording.h"
#include "lib/log.h"
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

#define VDSO_MAX	(64 << 10)

/* Where the vDSO of @pid is, and its bytes into @buf. 0 or -1. */
static int read_vdso(pid_t pid, uint8_t *buf, uint64_t *base, size_t *len)
{
	char path[64], line[512];
	unsigned long lo, hi;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	*len = 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
			*base = lo;
			*len = hi - lo;
		}
	fclose(f);
	if (!*len || *len > VDSO_MAX)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (pread(fd, buf, *len, *base) != (ssize_t)*len) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The offset of __vdso_clock_gettime in the vDSO (ours is the target's). */
static uint64_t clock_gettime_off(void)
{
	void *h = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
	void *fn = h ? dlsym(h, "__vdso_clock_gettime") : NULL;

	return fn ? (uint64_t)fn - getauxval(AT_SYSINFO_EHDR) : 0;
}

static int wait_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

FIXTURE(av) {
	char tmp[PATH_MAX];
	char dir[PATH_MAX];
	pid_t pid;		/* the workload */
	pid_t tid[2];		/* its reader threads */
	FILE *out;		/* its stdout */
	uint8_t before[VDSO_MAX], after[VDSO_MAX];
	uint64_t base;
	size_t len;
};

FIXTURE_SETUP(av)
{
	char path[PATH_MAX + 16], line[256];
	int p[2];

	strcpy(self->tmp, "/tmp/ttrec-av-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->tmp));
	snprintf(self->dir, sizeof(self->dir), "%s/rec", self->tmp);
	ASSERT_EQ(0, pipe(p));
	self->pid = fork();
	ASSERT_GE(self->pid, 0);
	if (!self->pid) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		snprintf(path, sizeof(path), "%s/vdso_clock", wl_dir);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	self->out = fdopen(p[0], "r");
	ASSERT_NE(NULL, self->out);
	ASSERT_NE(NULL, fgets(line, sizeof(line), self->out));
	ASSERT_EQ(2, sscanf(line, "ready %d %d", &self->tid[0], &self->tid[1]));
	ASSERT_EQ(0, read_vdso(self->pid, self->before, &self->base, &self->len));
}

FIXTURE_TEARDOWN(av)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	if (self->out)
		fclose(self->out);
	if (strncmp(self->tmp, "/tmp/ttrec-av-", 14) == 0) {
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", self->tmp);
		EXPECT_EQ(0, system(cmd));
	}
}

/*
 * The workload ends: it must say "clock ok" and exit 0; its vDSO must be
 * the kernel's again (the bytes before the attach, which are also ours).
 */
static void check_after(struct __test_metadata *_metadata, FIXTURE_DATA(av) *self)
{
	char line[256] = "";
	uint64_t base;
	size_t len;

	ASSERT_EQ(0, read_vdso(self->pid, self->after, &base, &len));
	EXPECT_EQ(self->base, base);
	ASSERT_EQ(self->len, len);
	EXPECT_EQ(0, memcmp(self->before, self->after, len)) TH_LOG("the vDSO was not put back");
	EXPECT_EQ(0, memcmp((void *)getauxval(AT_SYSINFO_EHDR), self->after, len));
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	fgets(line, sizeof(line), self->out);
	EXPECT_EQ(0, strncmp(line, "clock ok", 8)) TH_LOG("workload: %s", line);
	EXPECT_EQ(0, wait_status(self->pid));
	self->pid = 0;
}

/* clock_gettime(CLOCK_MONOTONIC) calls of thread @a or @b. */
static int count_clock_of(FIXTURE_DATA(av) *self, pid_t a, pid_t b)
{
	struct rec_reader rr;
	struct rec_event ev;
	int n = 0;

	if (rec_reader_open(&rr, self->dir))
		return -1;
	while (rec_reader_next(&rr, &ev) > 0) {
		const struct rec_sys *s = ev.rec;

		if (ev.type == REC_SYS && s->nr == SYS_clock_gettime &&
		    s->args[0] == CLOCK_MONOTONIC && s->ret == 0 &&
		    (s->tid == a || s->tid == b))
			n++;
	}
	rec_reader_close(&rr);
	return n;
}

/* ... of the workload's reader threads. */
static int count_clock(FIXTURE_DATA(av) *self)
{
	return count_clock_of(self, self->tid[0], self->tid[1]);
}

static int run(const char *fmt, ...)
{
	char cmd[PATH_MAX * 3];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int meta_int(const char *dir, const char *key)
{
	char val[64];

	return recording_meta_get(dir, key, val, sizeof(val)) ? -100 : atoi(val);
}

/*
 * Start `ttrec attach` of the workload (@duration: NULL for none) and wait
 * until it says it records. Its pid, or -1.
 */
static pid_t start_attach(FIXTURE_DATA(av) *self, const char *duration)
{
	char line[512], pid[16];
	bool attached = false;
	pid_t rec;
	FILE *f;
	int p[2];

	if (pipe(p))
		return -1;
	rec = fork();
	if (rec < 0)
		return -1;
	if (!rec) {
		dup2(p[1], 1);
		close(p[0]);
		snprintf(pid, sizeof(pid), "%d", self->pid);
		if (duration)
			execl(ttrec_bin, ttrec_bin, "attach", pid, "-o", self->dir,
			      "--duration", duration, (char *)NULL);
		else
			execl(ttrec_bin, ttrec_bin, "attach", pid, "-o", self->dir, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && !attached && fgets(line, sizeof(line), f))
		attached = strstr(line, "recording process") != NULL;
	if (f)
		fclose(f);
	return attached ? rec : -1;
}

/* The clock reads are recorded from the attach on; the end puts the vDSO back. */
TEST_F_TIMEOUT(av, clock_recorded, 60)
{
	EXPECT_EQ(0, run("%s attach %d -o %s --duration 1", ttrec_bin, self->pid, self->dir));
	EXPECT_GT(meta_int(self->dir, "attach_vdso_patched"), 0);
	/* about 2 x 10000 per second; the machine may be busy */
	EXPECT_GT(count_clock(self), 200);
	check_after(_metadata, self);
}

/* SIGINT ends the recording: the vDSO is put back as well. */
TEST_F_TIMEOUT(av, sigint, 60)
{
	pid_t rec = start_attach(self, NULL);

	ASSERT_GT(rec, 0);
	usleep(300000);
	kill(rec, SIGINT);
	EXPECT_EQ(0, wait_status(rec));
	EXPECT_GT(count_clock(self), 50);
	check_after(_metadata, self);
}

/*
 * A child forked while the target is recorded inherits its patched vDSO:
 * its clock reads are recorded, and its vDSO is put back at the end too.
 */
TEST_F_TIMEOUT(av, forked_child, 60)
{
	uint8_t *theirs = malloc(VDSO_MAX);
	char line[256] = "";
	pid_t rec = start_attach(self, NULL), child = 0;
	uint64_t base;
	size_t len;

	ASSERT_NE(NULL, theirs);
	ASSERT_GT(rec, 0);
	kill(self->pid, SIGUSR2);
	ASSERT_NE(NULL, fgets(line, sizeof(line), self->out));
	ASSERT_EQ(1, sscanf(line, "child %d", &child)) TH_LOG("workload: %s", line);
	usleep(300000);
	kill(rec, SIGINT);
	EXPECT_EQ(0, wait_status(rec));
	EXPECT_GT(count_clock_of(self, child, child), 50);
	ASSERT_EQ(0, read_vdso(child, theirs, &base, &len));
	EXPECT_EQ(self->len, len);
	EXPECT_EQ(0, memcmp(self->before, theirs, len)) TH_LOG("the child's vDSO was not put back");
	free(theirs);
	/* the parent checks the child's verdict too */
	check_after(_metadata, self);
}

/*
 * Stop reader thread @tid in __vdso_clock_gettime, @past bytes or more
 * past its entry and before its 8th byte (inside the bytes the patch
 * writes), its process in a group stop (SIGSTOP). The vDSO at @base.
 * 0, or -1 with the reason in *why.
 */
static int park_in_vdso(pid_t tid, uint64_t base, unsigned int past, const char **why)
{
	uint64_t fn = base + clock_gettime_off();
	struct user_regs_struct r;
	uint64_t prev = 0;
	int st, steps = 0;

	*why = "no __vdso_clock_gettime";
	if (fn == base)
		return -1;
	*why = "cannot ptrace the reader";
	if (ptrace(PTRACE_SEIZE, tid, 0, 0) || ptrace(PTRACE_INTERRUPT, tid, 0, 0) ||
	    waitpid(tid, &st, __WALL) != tid)
		return -1;
	*why = "the reader never reached __vdso_clock_gettime";
	for (;;) {
		if (ptrace(PTRACE_GETREGS, tid, 0, &r))
			return -1;
		if (r.rip >= fn + past && r.rip < fn + 8)
			break;
		if (prev == fn && r.rip >= fn + 8) {
			*why = "its first instructions are 8 bytes or longer";
			ptrace(PTRACE_DETACH, tid, 0, 0);
			return -1;
		}
		prev = r.rip;
		if (++steps > 2000000 || ptrace(PTRACE_SINGLESTEP, tid, 0, 0) ||
		    waitpid(tid, &st, __WALL) != tid) {
			ptrace(PTRACE_DETACH, tid, 0, 0);
			return -1;
		}
	}
	/* the whole process stops there; the reader at that ip */
	*why = "detach";
	return ptrace(PTRACE_DETACH, tid, 0, SIGSTOP) ? -1 : 0;
}

/* Until every thread of @pid is in a group stop ('T'). */
static bool all_stopped(pid_t pid)
{
	char cmd[128], out[16] = "";
	FILE *f;
	int i;

	snprintf(cmd, sizeof(cmd), "cat /proc/%d/task/*/stat | grep -vc ') T '", pid);
	for (i = 0; i < 500; i++) {
		f = popen(cmd, "r");
		if (!f)
			return false;
		if (!fgets(out, sizeof(out), f))
			out[0] = 0;
		pclose(f);
		if (atoi(out) == 0)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * At the attach, a thread stands one instruction into __vdso_clock_gettime
 * (in a stopped process): the patch would put it amid the stub. It is
 * stepped out first, and the process runs on once continued.
 */
TEST_F_TIMEOUT(av, thread_in_vdso_at_attach, 90)
{
	const char *why;
	pid_t rec;

	if (park_in_vdso(self->tid[0], self->base, 1, &why))
		SKIP(return, "cannot stop the reader in the vDSO: %s", why);
	ASSERT_TRUE(all_stopped(self->pid));
	rec = start_attach(self, "2");
	ASSERT_GT(rec, 0);
	kill(self->pid, SIGCONT);
	EXPECT_EQ(0, wait_status(rec));
	EXPECT_GT(meta_int(self->dir, "attach_vdso_patched"), 0);
	EXPECT_GT(count_clock(self), 50);
	check_after(_metadata, self);
}

/*
 * At the end, a thread stands at the stub's `syscall` (in a stopped
 * process): putting the bytes back would put it amid the kernel's code. It
 * is stepped out first.
 */
TEST_F_TIMEOUT(av, thread_in_stub_at_detach, 90)
{
	const char *why;
	pid_t rec = start_attach(self, "3");

	ASSERT_GT(rec, 0);
	/* patched: mov $NR,%eax (5 bytes); syscall; ret */
	if (park_in_vdso(self->tid[1], self->base, 5, &why)) {
		kill(rec, SIGINT);
		wait_status(rec);
		SKIP(return, "cannot stop the reader in the stub: %s", why);
	}
	ASSERT_TRUE(all_stopped(self->pid));
	EXPECT_EQ(0, wait_status(rec));
	kill(self->pid, SIGCONT);
	/* stopped for most of the recording */
	EXPECT_GT(count_clock(self), 0);
	check_after(_metadata, self);
}

TEST_HARNESS_MAIN
