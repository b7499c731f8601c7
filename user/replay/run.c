// SPDX-License-Identifier: GPL-2.0
/*
 * The replay driver (internal.h describes it): replay_run() and the main
 * loop, one journal event at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <stddef.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <pthread.h>

#include "lib/log.h"
#include "format/recording.h"
#include "launch/launch.h"
#include "replay/internal.h"
#include "syscalls/table.h"
#include "lib/util.h"
#include "module/module.h"

/* ------------------------------------------------------------ the end */

static void print_regs(const struct rthread *t)
{
	const struct user_regs_struct *r = &t->regs;

	printf("thread %u (replayed as %d)%s\n", t->rtid, t->tid,
	       t->st == TS_ENTRY ? ": at the entry of its next syscall" : "");
	printf("  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n",
	       r->rax, r->rbx, r->rcx, r->rdx);
	printf("  rsi %016llx  rdi %016llx  rbp %016llx  rsp %016llx\n",
	       r->rsi, r->rdi, r->rbp, r->rsp);
	printf("  r8  %016llx  r9  %016llx  r10 %016llx  r11 %016llx\n",
	       r->r8, r->r9, r->r10, r->r11);
	printf("  r12 %016llx  r13 %016llx  r14 %016llx  r15 %016llx\n",
	       r->r12, r->r13, r->r14, r->r15);
	printf("  rip %016llx  eflags %08llx  orig_rax %lld\n",
	       r->rip, r->eflags,
	       (long long)(t->st == TS_DONE && (int64_t)r->orig_rax == -1 ? t->last_nr : (int64_t)r->orig_rax));
	printf("  fs_base %016llx  gs_base %016llx  cs %llx  ss %llx\n",
	       r->fs_base, r->gs_base, r->cs, r->ss);
}

static void print_mem(struct rp *rp, struct rproc *p, uint64_t addr, uint64_t len)
{
	uint8_t b[16];
	uint64_t off;

	printf("memory %#llx..%#llx of process %u (replayed as %d):\n",
	       (unsigned long long)addr, (unsigned long long)(addr + len), p->rpid, p->pid);
	for (off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		if (rp_mem_read(p, addr + off, b, n)) {
			printf("  %016llx  (unreadable)\n", (unsigned long long)(addr + off));
			continue;
		}
		hexdump_line(stdout, "  ", addr + off, b, n);
	}
}

static void print_maps(struct rproc *p)
{
	char path[64], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
	f = fopen(path, "r");
	if (!f)
		return;
	printf("maps of process %u (replayed as %d):\n", p->rpid, p->pid);
	while (fgets(line, sizeof(line), f))
		printf("  %s", line);
	fclose(f);
}

/* The process the queries are about: the one of the last event's thread. */
static struct rproc *query_proc(struct rp *rp)
{
	struct rproc *p;

	if (rp->last && !rp->last->p->dead)
		return rp->last->p;
	for (p = rp->procs; p; p = p->next)
		if (!p->dead && !p->next)
			return p;
	for (p = rp->procs; p; p = p->next)
		if (!p->dead)
			return p;
	return NULL;
}

/* Kill what is left of the replayed processes and reap them. */
static void kill_all(struct rp *rp)
{
	struct rthread *t;
	struct rproc *p;
	int st, left = 0;

	for (p = rp->procs; p; p = p->next) {
		if (p->dead)
			continue;
		kill(p->pid, SIGKILL);
		for (t = rp->threads; t; t = t->next)
			left += t->p == p && t->st != TS_DEAD;
	}
	while (left > 0) {
		pid_t pid = waitpid(-1, &st, __WALL);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		t = rp_thread_by_tid(rp, pid);
		if (t && (WIFEXITED(st) || WIFSIGNALED(st))) {
			rp_thread_died(rp, t, st);
			left--;
		}
	}
}

/* Poll /proc until thread @tid of @pid is in one of @states (1 s at most). */
static void wait_proc_state(pid_t pid, pid_t tid, const char *states)
{
	char path[64], line[512];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	for (i = 0; i < 1000; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n;
		char *p;

		if (fd < 0)
			return;
		n = read(fd, line, sizeof(line) - 1);
		close(fd);
		if (n <= 0)
			return;
		line[n] = 0;
		p = strrchr(line, ')');
		if (!p || p[1] != ' ' || strchr(states, p[2]))
			return;
		usleep(1000);
	}
}

int rp_stop_here(struct rp *rp)
{
	const struct replay_opts *o = rp->o;
	struct rthread *t;
	struct rproc *p = query_proc(rp);
	int i;

	fflush(stdout);
	printf("stopped after event #%llu\n", (unsigned long long)o->to);
	if (o->regs) {
		for (t = rp->threads; t; t = t->next)
			if (t->st != TS_DEAD && t->st != TS_INSYS && t->st != TS_EXITING)
				print_regs(t);
	}
	if (!p) {
		if (o->nmem || o->maps || o->stop)
			printf("no process is alive at this point\n");
		return 0;
	}
	for (i = 0; i < o->nmem; i++)
		print_mem(rp, p, o->mem[i].addr, o->mem[i].len);
	if (o->maps)
		print_maps(p);
	if (o->stop) {
		/*
		 * Stopped where they are: a group stop queued while every thread
		 * is in a ptrace stop happens as each returns to user mode after
		 * the detach. A syscall entered but not yet replayed is skipped
		 * and rewound to run again when the process continues.
		 */
		kill(p->pid, SIGSTOP);
		for (t = rp->threads; t; t = t->next) {
			if (t->p != p || t->st == TS_DEAD || t->st == TS_INSYS || t->st == TS_EXITING)
				continue;
			if (t->st == TS_ENTRY) {
				t->regs.rax = t->regs.orig_rax;
				t->regs.orig_rax = -1;
				t->regs.rip -= 2;
				t->dirty = true;
			}
			if (t->dirty)
				ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs);
			ptrace(PTRACE_DETACH, t->tid, 0, t->st == TS_SIGSTOP ? t->sig : 0);
		}
		/* say so once it is stopped */
		for (t = rp->threads; t; t = t->next)
			if (t->p == p && t->st != TS_DEAD)
				wait_proc_state(t->p->pid, t->tid, "Tt");
		p->dead = true;		/* not ours to kill any more */
		printf("process %u is stopped as pid %d: gdb -p %d\n"
		       "(its syscalls fail with ENOSYS once it runs on without ttrec)\n",
		       p->rpid, p->pid, p->pid);
	}
	fflush(stdout);
	return 0;
}

/* One event of the journal: replay it, or stop the replay with why. */
static void handle_event(struct rp *rp, const struct rec_event *ev)
{
	int ret = 0;

	rp->cur = NULL;
	if (log_verbosity >= LOG_DEBUG && ev->type != REC_OUT && ev->type != REC_TIME &&
	    ev->type != REC_START) {
		uint32_t tid = 0;

		if (ev->type != REC_GAP)
			memcpy(&tid, (const uint8_t *)ev->rec + 8, 4);
		pr_debug("event #%llu type %u tid %u%s%s\n", (unsigned long long)ev->seq,
			 ev->type, tid, ev->type == REC_SYS ? " " : "",
			 ev->type == REC_SYS ? syscall_name(((const struct rec_sys *)ev->rec)->nr) ?: "?" : "");
	}
	switch (ev->type) {
	case REC_SYS:
		rp->events++;
		ret = rp_handle_sys(rp, ev);
		break;
	case REC_SIGNAL:
		rp->events++;
		ret = rp_handle_signal(rp, ev->rec);
		break;
	case REC_TASK:
		rp->events++;
		ret = rp_handle_task(rp, ev->rec);
		break;
	case REC_GAP: {
		const struct rec_gap *g = ev->rec;

		rp_fail(rp, "%llu events were lost while recording: not replayable past event #%llu\n",
			(unsigned long long)g->lost, (unsigned long long)g->from_seq);
		break;
	}
	case REC_OUT:
		rp_fail(rp, "malformed journal: output bytes without their syscall\n");
		break;
	case REC_SCHED:
		rp->events++;
		if (!rp->o->to || ev->seq < rp->o->to)
			rp_sched_hint(rp, ev->rec);
		break;
	default:
		rp->events++;
		break;
	}
	if (ret == -ETIMEDOUT)
		rp_diverge(rp, rp->cur, "a thread ran far longer than in the recording without reaching its next syscall or signal");
	else if (ret < 0)
		rp_fail(rp, "%s\n", strerror(-ret));
}

/* Replay the journal's events in order. Return: whether --to's event was reached. */
static bool replay_events(struct rp *rp)
{
	const struct replay_opts *o = rp->o;
	struct rec_event ev;

	while (!rp_stopped(rp)) {
		if (rp_next_event(rp, &ev) <= 0)
			return false;
		rp->seq = ev.seq;
		rp->ts = ev.ts;
		rp_watchdog_progress();
		if (o->to && ev.seq > o->to)
			return true;
		handle_event(rp, &ev);
		if (o->to && ev.seq == o->to)
			return true;
	}
	return false;
}

/* At the end of the journal, or at --to's event: what is left to say and do. */
static void replay_end(struct rp *rp, bool done)
{
	struct rproc *p;

	if (rp_stopped(rp))
		return;
	if (done) {
		rp_stop_here(rp);
	} else if (rp->o->to) {
		rp_fail(rp, "the recording ends before event #%llu\n", (unsigned long long)rp->o->to);
	} else {
		for (p = rp->procs; p; p = p->next)
			if (!p->dead)
				break;
		if (p)
			pr_info("the recording ends at event #%llu with process %u still running: stopped it\n",
				(unsigned long long)rp->seq, p->rpid);
	}
}

/* --verify: the replay's summary line on stderr. */
static void print_verdict(const struct rp *rp, int status, double secs)
{
	if (status == EXIT_OK)
		fprintf(stderr, "ttrec: replay OK: %llu events, %llu syscalls (%llu emulated, %llu executed), %llu signals in %.3f s%s\n",
			(unsigned long long)rp->events, (unsigned long long)rp->syscalls,
			(unsigned long long)rp->emulated, (unsigned long long)rp->real,
			(unsigned long long)rp->signals, secs,
			rp->imprecise ? " (some syscalls had outputs the journal does not hold: -v lists them)" : "");
	else if (status == EXIT_DIVERGED)
		fprintf(stderr, "ttrec: replay DIVERGED\n");
}

static void rp_free(struct rp *rp)
{
	while (rp->threads) {
		struct rthread *t = rp->threads;

		rp->threads = t->next;
		free(t);
	}
	while (rp->procs) {
		struct rproc *p = rp->procs;

		rp->procs = p->next;
		if (p->memfd >= 0)
			close(p->memfd);
		free(p->fd);
		free(p->fst);
		free(p);
	}
	free(rp->iov);
	free(rp->buf);
}

int replay_run(const struct replay_opts *o)
{
	struct rp rpb = { .o = o }, *rp = &rpb;
	struct timespec t0, t1;
	int status;
	bool done;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (launch_load(o->dir, &rp->li))
		return EXIT_FAIL;
	if (rec_reader_open(&rp->rr, o->dir)) {
		launch_free(&rp->li);
		return EXIT_FAIL;
	}
	signal(SIGPIPE, SIG_IGN);
	rp_watchdog_start();
	if (!rp_check_exe(rp))
		rp_launch(rp);
	done = replay_events(rp);
	replay_end(rp, done);
	rp_watchdog_stop();
	kill_all(rp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	status = rp->diverged ? EXIT_DIVERGED : rp->failed ? EXIT_FAIL : EXIT_OK;
	if (o->verify)
		print_verdict(rp, status, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	rec_reader_close(&rp->rr);
	launch_free(&rp->li);
	rp_free(rp);
	return status;
}
