// SPDX-License-Identifier: GPL-2.0
/*
 * The recorder shared by `ttrec record` and `ttrec attach`: load the BPF
 * program (bpf.c), start the command (child.c) or attach to the target,
 * then drain the rings (ring.c) through the reorderer (reorder.c) into
 * the journal (events.c, format/records.h) until the target is gone.
 * internal.h lists the files.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "format/journal.h"
#include "format/recording.h"
#include "record/attach_vdso.h"
#include "lib/log.h"
#include "record.h"
#include "record/internal.h"
#include "record/ring.h"
#include "record.skel.h"

#define POLL_MS			5
#define FLUSH_NS		500000000ULL
#define DRAIN_US		100

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int on_ring_record(void *ctx, const void *rec, size_t len)
{
	struct recorder *s = ctx;

	return reorder_event(&s->ro, rec, len);
}

/*
 * While the big ring is less than half full, drain at nice 19: on a busy
 * machine the traced program (and everybody else) then goes first and the
 * ring absorbs the burst; past half full, at the normal priority again, so
 * that the ring does not overflow.
 */
static void yield_while_room(struct recorder *s, const struct ring *big)
{
	int nice = ring_used(big) < big->size / 2 ? 19 : 0;

	if (nice != s->nice) {
		setpriority(PRIO_PROCESS, syscall(SYS_gettid), nice);
		s->nice = nice;
	}
}

/* Per-CPU loss counters -> gap records. */
static void check_lost(struct recorder *s)
{
	uint64_t first, total = recorder_bpf_lost(s, &first);

	if (total <= s->lost_seen)
		return;
	reorder_drain(&s->ro, false);
	rec_write_gap(&s->w, total - s->lost_seen, first);
	if (!s->lost_seen)
		pr_warn("the ring buffer overflowed: events lost; the recording is not replayable past event #%llu\n",
			(unsigned long long)first);
	s->lost_seen = total;
	s->lost_first_seq = first;
}

/* The journal and the rings, the journal starting at @start. 0 or -errno. */
static int open_outputs(struct recorder *s, const struct recorder_opts *o, const char *path,
			struct ring *big, struct ring *hot, uint64_t start)
{
	/* as much again as the ring may wait for compression, on a thread */
	struct journal_opts jo = { .queue_bytes = recorder_ring_bytes(o), .background = 1 };
	int err;

	err = journal_create(path, &jo, &s->jw);
	if (err) {
		pr_err("cannot create the journal %s: %s\n", path, strerror(-err));
		return err;
	}
	err = ring_open(big, bpf_map__fd(s->skel->maps.rb), bpf_map__max_entries(s->skel->maps.rb));
	if (!err)
		err = ring_open(hot, bpf_map__fd(s->skel->maps.rb_hot),
				bpf_map__max_entries(s->skel->maps.rb_hot));
	if (err) {
		pr_err("cannot map the ring buffers: %s\n", strerror(-err));
		return err;
	}
	return rec_writer_start(&s->w, s->jw, start);
}

/* attach: what became of the vDSO of @pid (attach_vdso_patch()'s @ret). */
static void note_vdso(const struct recorder_opts *o, int pid, int ret)
{
	recording_meta_append(o->dir, "attach_vdso_patched=%d\n", ret < 0 ? -1 : ret);
	if (ret >= 0) {
		pr_debug("vDSO of %d: %d time functions made into syscalls\n", pid, ret);
		return;
	}
	pr_warn("the vDSO of %d is not patched (%s): its clock reads through the vDSO (clock_gettime, gettimeofday, time, getcpu) are not recorded\n",
		pid, ret == -EPERM ? "it is traced by another process" :
		ret == -ESTALE ? "another vDSO image than ttrec's own" :
		ret == -EALREADY ? "it is patched already, by a recording of it" :
		ret == -EBUSY ? "a thread would not leave it" : strerror(-ret));
}

/*
 * attach, at the end: the kernel's vDSO bytes again in every process
 * still traced (@tgids: the target and the children that inherited its
 * patched vDSO), once they are no longer traced.
 */
static void unpatch_vdso(const uint32_t *tgids, int n)
{
	int i, err;

	for (i = 0; i < n; i++) {
		err = attach_vdso_unpatch(tgids[i]);
		if (err < 0 && err != -ESRCH)
			pr_warn("cannot put back the vDSO of %u: %s; it keeps making syscalls for the clock\n",
				tgids[i], strerror(-err));
		else if (err > 0)
			pr_debug("vDSO of %u put back (%d functions)\n", tgids[i], err);
	}
}

/* attach: trace process @pid from now on. Its pidfd, or -errno. */
static int attach_target(struct recorder *s, const struct recorder_opts *o, int pid)
{
	struct pollfd pf;
	int pidfd, err;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		err = -errno;
		pr_err("cannot attach to %d: %s\n", pid,
		       err == -ESRCH ? "the process exited during attach" : strerror(-err));
		return err;
	}
	/* before it is traced: the stops' restarted syscalls are not recorded */
	note_vdso(o, pid, attach_vdso_patch(pid));
	err = recorder_bpf_trace(s, pid, TRACED_ACTIVE | TRACED_NOSLOT);
	if (err) {
		pr_err("cannot add %d to the traced map: %s\n", pid, strerror(-err));
		close(pidfd);
		return err;
	}
	pf.fd = pidfd;
	pf.events = POLLIN;
	if (poll(&pf, 1, 0) == 1) {
		pr_err("process %d exited during attach; nothing recorded\n", pid);
		close(pidfd);
		return -ESRCH;
	}
	pr_info("recording process %d into %s (Ctrl-C stops)\n", pid, o->dir);
	fflush(stdout);
	return pidfd;
}

/*
 * Drain until the target is gone, the deadline, a signal or an error.
 * 0 or -errno.
 */
static int record_loop(struct recorder *s, const struct recorder_opts *o, struct ring *big,
		       struct ring *hot, int pidfd, uint64_t deadline)
{
	struct pollfd pfds[2] = {
		{ .fd = hot->fd, .events = POLLIN },
		{ .fd = big->fd, .events = POLLIN },
	};

	s->last_flush = now_ns();
	while (!stop_signal && !s->w.err) {
		unsigned long hot_before = hot->cons;
		uint64_t now;
		long n;

		n = ring_drain(big, hot, on_ring_record, s);
		if (n < 0) {
			pr_err("reading the ring buffer: %s\n", strerror(-n));
			return n;
		}
		s->ring_bytes += n;
		s->hot_bytes += hot->cons - hot_before;
		s->passes++;
		yield_while_room(s, big);
		now = now_ns();
		if (n && now < s->next_check) {
			/* data is flowing: let a batch build up, then drain again */
			usleep(DRAIN_US);
			continue;
		}
		s->next_check = now + POLL_MS * 1000000ULL;
		check_lost(s);
		if (o->tick)
			o->tick(o->tick_arg);
		if (now - s->last_flush > FLUSH_NS) {
			/* to the writer thread: the drain does not wait */
			if (!rec_writer_flush(&s->w))
				s->w.err = journal_submit(s->jw);
			s->last_flush = now;
		}
		if (deadline && now >= deadline)
			return 0;
		if (recorder_bpf_traced_empty(s))
			return 0;
		if (pidfd >= 0 && !o->follow_fork) {
			struct pollfd pf = { .fd = pidfd, .events = POLLIN };

			if (poll(&pf, 1, 0) == 1)
				return 0;
		}
		if (!n && poll(pfds, 2, POLL_MS) < 0 && errno != EINTR) {
			int err = -errno;

			pr_err("waiting for the ring buffers: %s\n", strerror(-err));
			return err;
		}
	}
	return 0;
}

/* record: our child's wait status if it is done. */
static bool reap_child(struct recorder *s, int pid, int *status)
{
	bool wait = !stop_signal && !s->w.err;

	return waitpid(pid, status, wait ? 0 : WNOHANG) == pid;
}

/* What the recording ended with, into meta. */
static void note_end(struct recorder *s, const struct recorder_opts *o, const char *path,
		     uint64_t deadline)
{
	int err = s->w.err;

	if (err == -ENOSPC)
		pr_err("no space left writing %s: recording stopped after event #%llu; the journal is readable up to its last complete chunk\n",
		       path, (unsigned long long)s->w.last_seq);
	else if (err)
		pr_err("writing %s failed: %s; recording stopped after event #%llu\n",
		       path, strerror(-err), (unsigned long long)s->w.last_seq);
	recording_meta_append(o->dir,
		"end_monotonic_ns=%llu\nevents=%llu\nsyscalls=%llu\nlost=%llu\nlost_from_seq=%llu\nend_reason=%s\n",
		(unsigned long long)now_ns(), (unsigned long long)s->events,
		(unsigned long long)s->syscalls, (unsigned long long)s->lost_seen,
		(unsigned long long)s->lost_first_seq,
		err ? "error" : stop_signal ? "signal" :
		deadline && now_ns() >= deadline ? "duration" : "exited");
	pr_debug("rings: %llu bytes read in %llu passes, %llu of them from the hot ring\n",
		 (unsigned long long)s->ring_bytes, (unsigned long long)s->passes,
		 (unsigned long long)s->hot_bytes);
	pr_debug("%llu events, %llu syscalls, %llu output bytes, %llu lost\n",
		 (unsigned long long)s->events, (unsigned long long)s->syscalls,
		 (unsigned long long)s->out_bytes, (unsigned long long)s->lost_seen);
}

int recorder_run(const struct recorder_opts *o, int *exit_status)
{
	struct recorder st = { 0 }, *s = &st;
	struct ring big = { .fd = -1 }, hot = { .fd = -1 };
	struct sigaction sa = { 0 };
	uint64_t deadline = 0;
	char path[4096];
	int pid = 0, pidfd = -1, err, status = -1, ntraced = 0;
	sigset_t chld;
	uint32_t traced[REC_MAX_TRACED];

	*exit_status = -1;
	s->ncpus = libbpf_num_possible_cpus();
	/*
	 * record: the supervisor of the command's filter learns of the stops
	 * of the threads it holds through SIGCHLD, blocked in every thread
	 * (before any is made) and read from a signalfd (supervisor.c).
	 */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, o->argv ? &chld : NULL, &s->orig_mask);
	reorder_init(&s->ro, 1, recorder_write_event, s);
	s->o = o;
	if (o->snapshots && (err = snap_positions_init(s)))
		goto cleanup;
	err = recorder_bpf_load(s, o);
	if (err)
		goto cleanup;
	snprintf(path, sizeof(path), "%s/%s", o->dir, RECORDING_JOURNAL);
	err = open_outputs(s, o, path, &big, &hot, now_ns());
	if (err == -ENOSPC || (err && s->jw && s->w.err))
		goto journal_err;
	if (err)
		goto cleanup;

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (o->argv) {
		err = recorder_start_child(s, o, &pid);
		if (err)
			goto cleanup;
		recording_meta_append(o->dir, "pid=%d\n", pid);
		/* the snapshots are of the command, from its exec on */
		if (o->started && (err = o->started(o->tick_arg, pid))) {
			recorder_bpf_kill_all(s);
			reap_child(s, pid, &status);
			goto cleanup;
		}
	} else {
		pid = o->pid;
		pidfd = attach_target(s, o, pid);
		if (pidfd < 0) {
			err = pidfd;
			goto cleanup;
		}
	}
	if (o->duration > 0)
		deadline = now_ns() + (uint64_t)(o->duration * 1e9);

	err = record_loop(s, o, &big, &hot, pidfd, deadline);
	/* the snapshot under way goes into the journal too */
	while (o->settle && o->settle(o->tick_arg) && !s->w.err) {
		ring_drain(&big, &hot, on_ring_record, s);
		usleep(DRAIN_US);
	}
	/* record: the command ends with the recording, as it always did */
	if (o->argv && (stop_signal || err || s->w.err))
		recorder_bpf_kill_all(s);
	if (o->pid)
		ntraced = recorder_bpf_traced_list(s, traced, REC_MAX_TRACED);
	recorder_bpf_untrace_all(s);
	unpatch_vdso(traced, ntraced);
	if (log_verbosity >= LOG_DEBUG)
		recorder_bpf_print_stats(s);
	ring_drain(&big, &hot, on_ring_record, s);
	check_lost(s);
	reorder_drain(&s->ro, true);
	if (o->argv && pid > 0 && reap_child(s, pid, &status))
		*exit_status = status;
	recorder_supervisor_stop(s);
	if (!rec_writer_flush(&s->w))
		s->w.err = journal_flush(s->jw);
journal_err:
	if (s->w.err)
		err = s->w.err;
	note_end(s, o, path, deadline);
	if (*exit_status != -1)
		recording_meta_append(o->dir, "exit_status=%d\n", status);
cleanup:
	ring_close(&hot);
	ring_close(&big);
	if (s->jw) {
		int e = journal_close(s->jw);

		if (!err && e)
			err = e;
	}
	if (pidfd >= 0)
		close(pidfd);
	recorder_supervisor_stop(s);
	record_bpf__destroy(s->skel);
	reorder_free(&s->ro);
	snap_positions_free(s);
	pthread_sigmask(SIG_SETMASK, &s->orig_mask, NULL);
	return err;
}
