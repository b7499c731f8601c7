// SPDX-License-Identifier: GPL-2.0
/*
 * The replay driver's entry (internal.h describes the driver and names its
 * files): replay_run() opens the recording, starts the program, replays
 * the journal's events one at a time, each by its kind (syscalls.c,
 * signal.c, task.c, sched.c), and ends the replay: the stop at --to's
 * event, the verdict, what is left of the program killed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "format/recording.h"
#include "launch/launch.h"
#include "lib/log.h"
#include "lib/util.h"
#include "replay/internal.h"
#include "syscalls/table.h"

/* Kill what is left of the replayed processes and reap them. */
void rp_kill_all(struct rp *rp)
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

/* One event of the journal: replay it, or stop the replay with why. */
void rp_handle_event(struct rp *rp, const struct rec_event *ev)
{
	int ret = 0;

	rp->cur = NULL;
	if (log_verbosity >= LOG_DEBUG && ev->type != REC_OUT && ev->type != REC_TIME &&
	    ev->type != REC_START) {
		pr_debug("event #%llu type %u tid %u%s%s\n", (unsigned long long)ev->seq,
			 ev->type, ev->tid, ev->type == REC_SYS ? " " : "",
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
		rp_handle_event(rp, &ev);
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
	uint64_t between = rp->async[ASYNC_NOT_TRIED] + rp->async[ASYNC_EXACT] +
			   rp->async[ASYNC_AT_IP] + rp->async[ASYNC_AT_SYSCALL];
	char async[128] = "";

	if (between)
		snprintf(async, sizeof(async), " (%llu between syscalls: %llu where recorded, %llu elsewhere)",
			 (unsigned long long)between, (unsigned long long)rp->async[ASYNC_EXACT],
			 (unsigned long long)(between - rp->async[ASYNC_EXACT]));
	if (status == EXIT_OK)
		fprintf(stderr, "ttrec: replay OK: %llu events, %llu syscalls (%llu emulated, %llu executed), %llu signals%s in %.3f s%s\n",
			(unsigned long long)rp->events, (unsigned long long)rp->syscalls,
			(unsigned long long)rp->emulated, (unsigned long long)rp->real,
			(unsigned long long)rp->signals, async, secs,
			rp->imprecise ? " (some syscalls had outputs the journal does not hold: -v lists them)" : "");
	else if (status == EXIT_DIVERGED)
		fprintf(stderr, "ttrec: replay DIVERGED\n");
}

void rp_free(struct rp *rp)
{
	while (rp->threads) {
		struct rthread *t = rp->threads;

		rp->threads = t->next;
		rp_fs_put(t->fs);
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
	rp_memfd_free(rp);
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
	switch (rp_start_from_snapshot(rp)) {
	case 0:
		if (!rp_check_exe(rp))
			rp_launch(rp);
		break;
	case 1:
		break;
	default:
		if (!rp_stopped(rp))
			rp_fail(rp, "cannot replay from a snapshot\n");
		break;
	}
	done = replay_events(rp);
	replay_end(rp, done);
	rp_watchdog_stop();
	rp_kill_all(rp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	status = rp->diverged ? EXIT_DIVERGED : rp->failed ? EXIT_FAIL : EXIT_OK;
	if (o->verify)
		print_verdict(rp, status, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	rec_reader_close(&rp->rr);
	launch_free(&rp->li);
	rp_free(rp);
	return status;
}
