// SPDX-License-Identifier: GPL-2.0
/*
 * The process state without ttrec.ko (user/state/: /proc and ptrace), and
 * the state streams' codec (user/image/state.c). Host and VM.
 *
 * The procstate workload sets up state of every kind; its threads are
 * stopped with PTRACE_SEIZE and PTRACE_INTERRUPT, proc_state_gather()
 * reads them, and the result is checked field by field with the checks the
 * module's capture passes (procstate_common.h). The threads must come back
 * exactly as they were (registers, signal masks, pending signals, pipe
 * contents), and the workload, let go, goes on: its interrupted read()
 * restarts. The codec must give back what was built, and refuse malformed
 * streams with a reason; random damage never crashes it.
 */
#include <errno.h>
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/ttrec.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "image/state.h"
#include "lib/log.h"
#include "procstate_common.h"
#include "state/gather.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP	128
#endif

#define MAX_TIDS	16

/* Stop every thread of @pid as a module-less snapshot does. */
static int seize_all(pid_t pid, pid_t *tids, unsigned int *n)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)) && *n < MAX_TIDS) {
		pid_t tid = atoi(d->d_name);
		int st;

		if (tid <= 0)
			continue;
		if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) || ptrace(PTRACE_INTERRUPT, tid, NULL, NULL))
			break;
		tids[(*n)++] = tid;
		while (waitpid(tid, &st, __WALL) == tid && WIFSTOPPED(st) &&
		       (st >> 16) != PTRACE_EVENT_STOP)
			ptrace(PTRACE_CONT, tid, NULL, (void *)(uintptr_t)WSTOPSIG(st));
	}
	closedir(dir);
	return d ? -1 : 0;
}

static void detach_all(const pid_t *tids, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ptrace(PTRACE_DETACH, tids[i], NULL, NULL);
}

/* A THREADS stream of bare records (no register notes) for @tids. */
static void bare_threads(const pid_t *tids, unsigned int n, uint8_t *buf, size_t *len)
{
	unsigned int i;

	*len = 0;
	for (i = 0; i < n; i++) {
		struct ttrec_snap_thread t = { .size = sizeof(t), .tid = tids[i], .syscall_nr = -1 };

		memcpy(buf + *len, &t, sizeof(t));
		*len += sizeof(t);
	}
}

/* Decode what proc_state_gather() gave. */
static int decode_gathered(const struct proc_state *ps, const pid_t *tids, unsigned int n,
			   uint8_t **threads, struct img_state **st, const char **why)
{
	uint8_t bare[MAX_TIDS * sizeof(struct ttrec_snap_thread)];
	size_t len, tlen;
	int err;

	struct img_state_streams ss;

	bare_threads(tids, n, bare, &len);
	err = proc_state_threads(ps, bare, len, threads, &tlen);
	if (err)
		return err;
	proc_state_streams(ps, &ss);
	return state_decode(ss.proc, ss.proc_len, ss.fds, ss.fds_len, ss.nr_fds, ss.fds_total,
			    ss.fds_state, *threads, tlen, st, why);
}

FIXTURE(seized) {
	struct ps w;
	pid_t tids[MAX_TIDS];
	unsigned int n;
	bool seized;
};

FIXTURE_SETUP(seized)
{
	if (getenv("TTREC_STATE_DEBUG"))
		log_verbosity = LOG_DEBUG;
	ASSERT_EQ(0, ps_start(&self->w));
	ASSERT_EQ(0, seize_all(self->w.pid, self->tids, &self->n));
	self->seized = true;
	ASSERT_EQ(2, self->n);
}

FIXTURE_TEARDOWN(seized)
{
	if (self->seized)
		detach_all(self->tids, self->n);
	ps_stop(&self->w);
}

TEST_F(seized, gathered_state_matches_the_workload)
{
	struct proc_state ps;
	struct img_state *st = NULL;
	uint8_t *threads = NULL;
	const char *why = "";

	ASSERT_EQ(0, proc_state_gather(self->w.pid, self->tids, self->n, &ps));
	ASSERT_EQ(0, decode_gathered(&ps, self->tids, self->n, &threads, &st, &why)) TH_LOG("%s", why);
	ps_check_state(_metadata, &self->w, st, true);
	/* what the module-less path says it does not know */
	EXPECT_NE(0, ps_fd(st, FD_PIPE_R)->pipe.flags & TTREC_PIPE_COUNTS_UNKNOWN);
	EXPECT_NE(0, ps_fd(st, FD_TCP_LISTEN)->sock.flags & TTREC_SOCK_INCOMPLETE);
	state_free(st);
	free(threads);
	proc_state_free(&ps);

	/* let go, the workload goes on: its read() restarts, nothing was consumed */
	detach_all(self->tids, self->n);
	self->seized = false;
	EXPECT_EQ(0, ps_check_self(&self->w));
	EXPECT_EQ(0, ps_check_self(&self->w));
}

/* @len bytes of @pid's memory at @addr. */
static int peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

TEST_F(seized, threads_come_back_as_they_were)
{
	struct user_regs_struct before[MAX_TIDS], after;
	uint64_t mask_before[MAX_TIDS], mask_after;
	struct user_fpregs_struct fp_before[MAX_TIDS], fp_after;
	/* below each stack pointer (where answers go), and the rseq areas */
	uint8_t stack_before[MAX_TIDS][1024], stack_after[1024];
	uint8_t rseq_before[2][32], rseq_after[32];
	uint64_t rseq[2] = { self->w.main_rseq, self->w.worker_rseq };
	struct proc_state ps;
	unsigned int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, peek(self->w.pid, rseq[i], rseq_before[i], 32));
	for (i = 0; i < self->n; i++) {
		ASSERT_EQ(0, ptrace(PTRACE_GETREGS, self->tids[i], NULL, &before[i]));
		ASSERT_EQ(0, peek(self->w.pid, before[i].rsp - 1024, stack_before[i], 1024));
		ASSERT_EQ(0, ptrace(PTRACE_GETFPREGS, self->tids[i], NULL, &fp_before[i]));
		ASSERT_EQ(0, ptrace(PTRACE_GETSIGMASK, self->tids[i], sizeof(uint64_t),
				    &mask_before[i]));
	}
	ASSERT_EQ(0, proc_state_gather(self->w.pid, self->tids, self->n, &ps));
	proc_state_free(&ps);
	for (i = 0; i < self->n; i++) {
		ASSERT_EQ(0, ptrace(PTRACE_GETREGS, self->tids[i], NULL, &after));
		ASSERT_EQ(0, ptrace(PTRACE_GETFPREGS, self->tids[i], NULL, &fp_after));
		ASSERT_EQ(0, ptrace(PTRACE_GETSIGMASK, self->tids[i], sizeof(uint64_t), &mask_after));
		EXPECT_EQ(0, memcmp(&before[i], &after, sizeof(after))) TH_LOG("thread %d", self->tids[i]);
		EXPECT_EQ(0, memcmp(&fp_before[i], &fp_after, sizeof(fp_after)));
		EXPECT_EQ(mask_before[i], mask_after);
		ASSERT_EQ(0, peek(self->w.pid, before[i].rsp - 1024, stack_after, 1024));
		EXPECT_EQ(0, memcmp(stack_before[i], stack_after, 1024));
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, peek(self->w.pid, rseq[i], rseq_after, 32));
		EXPECT_EQ(0, memcmp(rseq_before[i], rseq_after, 32)) TH_LOG("rseq area %u", i);
	}
	/* twice in a row gives the same */
	ASSERT_EQ(0, proc_state_gather(self->w.pid, self->tids, self->n, &ps));
	proc_state_free(&ps);
	detach_all(self->tids, self->n);
	self->seized = false;
	EXPECT_EQ(0, ps_check_self(&self->w));
}

TEST(no_calls_in_a_thread_under_seccomp)
{
	struct proc_state ps;
	struct img_state *st = NULL;
	uint8_t *threads = NULL;
	const char *why;
	int go[2], ready[2], status;
	unsigned int n;
	pid_t pid, tids[MAX_TIDS];
	char c;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* strict mode: anything but read, write, exit and sigreturn kills */
		close(ready[0]);
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT))
			_exit(3);
		syscall(SYS_write, ready[1], "r", 1);
		if (syscall(SYS_read, go[0], &c, 1) != 1)
			syscall(SYS_exit, 4);
		syscall(SYS_exit, 0);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, ps_wait_sleeping(pid, pid));
	ASSERT_EQ(0, seize_all(pid, tids, &n));
	ASSERT_EQ(0, proc_state_gather(pid, tids, n, &ps));
	ASSERT_EQ(0, decode_gathered(&ps, tids, n, &threads, &st, &why)) TH_LOG("%s", why);
	EXPECT_EQ(NULL, st->proc.sigactions);		/* not asked */
	EXPECT_EQ(SECCOMP_MODE_STRICT, st->threads[0].t.seccomp_mode);
	EXPECT_EQ(pid, st->proc.p.pid);
	state_free(st);
	free(threads);
	proc_state_free(&ps);
	detach_all(tids, n);
	/* alive, and it ends as it meant to */
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(gather_refuses_a_process_it_does_not_hold)
{
	struct proc_state ps;
	pid_t pid = fork(), tid;
	int st;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	tid = pid;
	EXPECT_EQ(-EPERM, proc_state_gather(pid, &tid, 1, &ps));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	/* gone */
	EXPECT_EQ(-ESRCH, proc_state_gather(pid, &tid, 1, &ps));
}

/* ---------------------------------------------------------------- codec */

/* Streams of every note kind, with known values. */
struct built {
	struct state_buf proc, fds, thr;
	uint8_t threads[512];
	size_t threads_len;
};

static void build(struct built *b)
{
	struct ttrec_snap_proc p = { .pid = 42, .umask = 022, .comm = "built" };
	struct ttrec_sigaction act[STATE_NSIG] = { [SIGUSR1 - 1] = { .handler = 0x1000, .flags = 4 } };
	uint64_t auxv[] = { 6, 4096, 0, 0 };
	uint32_t groups[] = { 10, 20 };
	siginfo_t si = { .si_signo = SIGUSR2 };
	struct ttrec_snap_fd h = { .fd = 3, .kind = TTREC_FD_PIPE, .flags = TTREC_FDF_READ };
	struct ttrec_fd_pipe pi = { .id = 99, .bytes = 5, .data_fd = 3, .flags = TTREC_PIPE_DATA };
	struct ttrec_fd_epoll_item items[2] = { { .tfd = 3, .events = 1, .data = 7 }, { .tfd = 9 } };
	struct ttrec_snap_tstate t = { .sas_sp = 0x7000, .rseq_len = 32, .comm = "thr" };
	struct ttrec_snap_thread rec = { .tid = 42, .syscall_nr = -1 };
	uint8_t *out;
	size_t at, len;
	uint32_t tid = 42, count;
	uint8_t *notes;

	memset(b, 0, sizeof(*b));
	sbuf_note(&b->proc, TTREC_NT_PROC, &p, sizeof(p));
	sbuf_note(&b->proc, TTREC_NT_SIGACTIONS, act, sizeof(act));
	sbuf_note(&b->proc, TTREC_NT_AUXV, auxv, sizeof(auxv));
	sbuf_note(&b->proc, TTREC_NT_GROUPS, groups, sizeof(groups));
	sbuf_note_str(&b->proc, TTREC_NT_EXE, "/bin/built");
	sbuf_note_str(&b->proc, TTREC_NT_CWD, "/tmp");
	sbuf_note(&b->proc, 0x54549999, "future", 6);	/* unknown: skipped */
	sbuf_note(&b->proc, TTREC_NT_SIGINFO, &si, sizeof(si));

	at = sbuf_fd_begin(&b->fds, &h);
	sbuf_fd_note(&b->fds, at, TTREC_NT_FD_PATH, "pipe:[99]", 10);
	sbuf_fd_note(&b->fds, at, TTREC_NT_FD_PIPE, &pi, sizeof(pi));
	sbuf_fd_note(&b->fds, at, TTREC_NT_FD_PIPE_DATA, "hello", 5);
	sbuf_fd_end(&b->fds, at);
	h = (struct ttrec_snap_fd){ .fd = 7, .kind = TTREC_FD_EPOLL };
	at = sbuf_fd_begin(&b->fds, &h);
	sbuf_fd_note(&b->fds, at, TTREC_NT_FD_EPOLL, items, sizeof(items));
	sbuf_fd_note(&b->fds, at, TTREC_NT_FD_FDINFO, "text\n", 6);
	sbuf_fd_end(&b->fds, at);

	sbuf_note(&b->thr, TTREC_NT_THREAD, &t, sizeof(t));
	sbuf_note(&b->thr, TTREC_NT_SIGINFO, &si, sizeof(si));
	rec.size = sizeof(rec);
	notes = b->thr.p;
	len = b->thr.len;
	count = b->thr.count;
	if (!state_threads_add_notes((uint8_t *)&rec, sizeof(rec), &tid, &notes, &len, &count, 1,
				     &out, &b->threads_len) && b->threads_len <= sizeof(b->threads)) {
		memcpy(b->threads, out, b->threads_len);
		free(out);
	}
}

static void built_free(struct built *b)
{
	sbuf_free(&b->proc);
	sbuf_free(&b->fds);
	sbuf_free(&b->thr);
}

static int decode_built(struct built *b, struct img_state **st, const char **why)
{
	return state_decode(b->proc.p, b->proc.len, b->fds.p, b->fds.len, b->fds.count, 5, 0,
			    b->threads, b->threads_len, st, why);
}

TEST(codec_gives_back_what_was_built)
{
	struct img_state *st;
	struct built b;
	const char *why = "";

	build(&b);
	ASSERT_EQ(0, b.proc.err);
	ASSERT_EQ(0, b.fds.err);
	ASSERT_EQ(8, b.proc.count);
	ASSERT_EQ(2, b.fds.count);
	ASSERT_NE(0, b.threads_len);
	ASSERT_EQ(0, decode_built(&b, &st, &why)) TH_LOG("%s", why);
	EXPECT_EQ(42, st->proc.p.pid);
	EXPECT_EQ(022, st->proc.p.umask);
	EXPECT_STREQ("built", (const char *)st->proc.p.comm);
	ASSERT_NE(NULL, st->proc.sigactions);
	EXPECT_EQ(0x1000, st->proc.sigactions[SIGUSR1 - 1].handler);
	EXPECT_EQ(2, st->proc.nr_auxv);
	EXPECT_EQ(4096, st->proc.auxv[1]);
	EXPECT_EQ(2, st->proc.nr_groups);
	EXPECT_EQ(20, st->proc.groups[1]);
	EXPECT_STREQ("/bin/built", st->proc.exe);
	EXPECT_STREQ("/tmp", st->proc.cwd);
	EXPECT_EQ(NULL, st->proc.root);
	ASSERT_EQ(1, st->proc.nr_pending);
	EXPECT_EQ(SIGUSR2, st->proc.pending[0].si_signo);
	ASSERT_EQ(2, st->nr_fds);
	EXPECT_EQ(5, st->fds_total);
	EXPECT_EQ(3, st->fds[0].h.fd);
	EXPECT_STREQ("pipe:[99]", st->fds[0].path);
	EXPECT_EQ(99, st->fds[0].pipe.id);
	ASSERT_EQ(5, st->fds[0].pipe_data_len);
	EXPECT_EQ(0, memcmp("hello", st->fds[0].pipe_data, 5));
	EXPECT_EQ(IMG_FD_HAS_PATH | IMG_FD_HAS_PIPE | IMG_FD_HAS_PIPE_DATA, st->fds[0].has);
	ASSERT_EQ(2, st->fds[1].nr_epoll);
	EXPECT_EQ(7, st->fds[1].epoll[0].data);
	EXPECT_EQ(9, st->fds[1].epoll[1].tfd);
	EXPECT_STREQ("text\n", st->fds[1].fdinfo);
	ASSERT_EQ(1, st->nr_threads);
	EXPECT_EQ(42, st->threads[0].tid);
	ASSERT_TRUE(st->threads[0].has_state);
	EXPECT_EQ(0x7000, st->threads[0].t.sas_sp);
	EXPECT_STREQ("thr", (const char *)st->threads[0].t.comm);
	EXPECT_EQ(1, st->threads[0].nr_pending);
	state_free(st);
	built_free(&b);
}

TEST(codec_takes_shorter_and_longer_structs)
{
	struct state_buf proc = { 0 };
	struct ttrec_snap_proc p = { .pid = 7, .umask = 077 };
	uint8_t longer[sizeof(p) + 24];
	struct img_state *st;
	const char *why;

	/* an older writer: only the first 16 bytes */
	sbuf_note(&proc, TTREC_NT_PROC, &p, 16);
	ASSERT_EQ(0, state_decode(proc.p, proc.len, NULL, 0, 0, 0, 0, NULL, 0, &st, &why));
	EXPECT_EQ(7, st->proc.p.pid);
	EXPECT_EQ(0, st->proc.p.umask);		/* beyond: zero */
	state_free(st);
	sbuf_free(&proc);
	/* a newer one: more than we know */
	memset(longer, 0xab, sizeof(longer));
	memcpy(longer, &p, sizeof(p));
	sbuf_note(&proc, TTREC_NT_PROC, longer, sizeof(longer));
	ASSERT_EQ(0, state_decode(proc.p, proc.len, NULL, 0, 0, 0, 0, NULL, 0, &st, &why));
	EXPECT_EQ(077, st->proc.p.umask);
	state_free(st);
	sbuf_free(&proc);
}

/* Decode @b with byte @off of stream @which changed to @v: -EBADMSG? */
static int damaged(struct built *b, int which, size_t off, uint8_t v, const char **why)
{
	struct state_buf *s = which == 0 ? &b->proc : &b->fds;
	uint8_t *p = which == 2 ? b->threads : s->p, old;
	struct img_state *st = NULL;
	int err;

	old = p[off];
	p[off] = v;
	err = decode_built(b, &st, why);
	p[off] = old;
	state_free(st);
	return err;
}

TEST(codec_refuses_malformed_streams)
{
	struct ttrec_snap_note n;
	struct img_state *st;
	struct built b;
	const char *why;
	size_t off, last;

	build(&b);
	/* a note size past the end */
	EXPECT_EQ(-EBADMSG, damaged(&b, 0, 7, 0xff, &why));
	EXPECT_STREQ("a note overruns what holds it", why);
	/* the first note is not TTREC_NT_PROC */
	EXPECT_EQ(-EBADMSG, damaged(&b, 0, 0, 0x11, &why));
	EXPECT_NE(NULL, strstr(why, "TTREC_NT_PROC")) TH_LOG("%s", why);
	/* a path without its NUL: the exe note's last byte */
	for (off = 0, last = 0; off < b.proc.len; off += 8 + ((n.size + 7) & ~7U)) {
		memcpy(&n, b.proc.p + off, sizeof(n));
		if (n.type == TTREC_NT_EXE)
			last = off + 8 + n.size - 1;
	}
	ASSERT_NE(0, last);
	EXPECT_EQ(-EBADMSG, damaged(&b, 0, last, 'x', &why));
	EXPECT_NE(NULL, strstr(why, "not terminated")) TH_LOG("%s", why);
	/* a descriptor record's size, its note count, its order */
	EXPECT_EQ(-EBADMSG, damaged(&b, 1, 0, 0xf0, &why));
	EXPECT_EQ(-EBADMSG, damaged(&b, 1, offsetof(struct ttrec_snap_fd, nr_notes), 9, &why));
	EXPECT_NE(NULL, strstr(why, "note count")) TH_LOG("%s", why);
	EXPECT_EQ(-EBADMSG, damaged(&b, 1, offsetof(struct ttrec_snap_fd, fd), 8, &why));
	EXPECT_NE(NULL, strstr(why, "out of order")) TH_LOG("%s", why);
	/* a thread record's size */
	EXPECT_EQ(-EBADMSG, damaged(&b, 2, 0, 0x07, &why));
	/* counts that do not match */
	EXPECT_EQ(-EBADMSG, state_decode(b.proc.p, b.proc.len, b.fds.p, b.fds.len, 3, 5, 0,
					 b.threads, b.threads_len, &st, &why));
	EXPECT_EQ(-EBADMSG, state_decode(b.proc.p, b.proc.len, b.fds.p, b.fds.len, 1, 5, 0,
					 b.threads, b.threads_len, &st, &why));
	EXPECT_EQ(-EBADMSG, state_decode(b.proc.p, b.proc.len, b.fds.p, b.fds.len, 2, 1, 0,
					 b.threads, b.threads_len, &st, &why));
	EXPECT_EQ(-EBADMSG, state_decode(b.proc.p, 0, b.fds.p, b.fds.len, 2, 5, 0,
					 b.threads, b.threads_len, &st, &why));
	EXPECT_STREQ("the process stream is empty", why);
	/* cut short anywhere */
	for (off = 1; off < b.fds.len; off++)
		EXPECT_EQ(-EBADMSG, state_decode(b.proc.p, b.proc.len, b.fds.p, b.fds.len - off,
						 2, 5, 0, b.threads, b.threads_len, &st, &why))
			TH_LOG("fds cut by %zu", off);
	built_free(&b);
}

TEST(codec_survives_random_damage)
{
	unsigned int seed = 12345, i, refused = 0;
	struct built b;

	build(&b);
	for (i = 0; i < 20000; i++) {
		const char *why;
		int which = rand_r(&seed) % 3;
		size_t len = which == 0 ? b.proc.len : which == 1 ? b.fds.len : b.threads_len;
		size_t off = rand_r(&seed) % len;
		int err = damaged(&b, which, off, rand_r(&seed) & 0xff, &why);

		refused += err == -EBADMSG;
		ASSERT_TRUE(err == 0 || err == -EBADMSG) TH_LOG("%d", err);
	}
	TH_LOG("%u of 20000 damaged streams refused", refused);
	EXPECT_LT(0, refused);
	built_free(&b);
}

TEST_HARNESS_MAIN
