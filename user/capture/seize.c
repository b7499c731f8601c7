// SPDX-License-Identifier: GPL-2.0
/*
 * Stopping every thread of a process with ptrace, and letting them go.
 *
 * Each thread listed in /proc/PID/task is seized (PTRACE_SEIZE with
 * PTRACE_O_TRACECLONE) and interrupted (PTRACE_INTERRUPT); it stops at a
 * PTRACE_EVENT_STOP on its way back to user space, a blocking system call
 * interrupted with the kernel's restart value in ax. A thread created
 * meanwhile either by a thread already seized (it is attached
 * automatically and stops at a PTRACE_EVENT_STOP of its own: its tid comes
 * with the PTRACE_EVENT_CLONE stop of its creator, which is let run on to
 * its interrupt) or by one not seized yet (it is listed in /proc/PID/task
 * by then): the list is read again until it shows no thread not seized.
 * A signal that arrives meanwhile stops its thread first (a
 * signal-delivery stop); it is delivered and the thread stops at its
 * interrupt right after, so no signal is lost.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "lib/log.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP	128
#endif

uint64_t capture_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct cap_thread *find_thread(struct capture *c, pid_t tid)
{
	for (uint32_t i = 0; i < c->nthr; i++)
		if (c->thr[i].tid == tid)
			return &c->thr[i];
	return NULL;
}

static int add_thread(struct capture *c, pid_t tid)
{
	if (c->nthr == c->thr_cap) {
		uint32_t n = c->thr_cap ? c->thr_cap * 2 : 16;
		struct cap_thread *t = realloc(c->thr, n * sizeof(*t));

		if (!t)
			return -ENOMEM;
		c->thr = t;
		c->thr_cap = n;
	}
	c->thr[c->nthr++] = (struct cap_thread){ .tid = tid };
	return 0;
}

/* Seize and interrupt @tid. 1: seized, 0: gone, -errno. */
static int seize(struct capture *c, pid_t tid)
{
	int err;

	if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACECLONE)) {
		err = -errno;
		if (err == -ESRCH)
			return 0;
		if (err == -EPERM)
			pr_err("snapshot: cannot stop thread %d of %d with ptrace: %s (is it traced already, by a debugger or strace? snapshots need CAP_SYS_PTRACE)\n",
			       tid, c->pid, strerror(-err));
		else
			pr_err("snapshot: PTRACE_SEIZE of thread %d: %s\n", tid, strerror(-err));
		return err;
	}
	c->attached = true;
	err = add_thread(c, tid);
	if (err)
		return err;
	if (!c->start_ns)
		c->start_ns = capture_now_ns();
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) && errno != ESRCH) {
		err = -errno;
		pr_err("snapshot: PTRACE_INTERRUPT of thread %d: %s\n", tid, strerror(-err));
		return err;
	}
	return 1;
}

/* The State: line of /proc/PID/task/TID/status, for a message. */
static void thread_state(struct capture *c, pid_t tid, char *buf, size_t len)
{
	char path[64], line[48];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", c->pid, tid);
	snprintf(buf, len, "unknown");
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:\t", 7)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(buf, len, "%s", line + 7);
		}
	if (f)
		fclose(f);
}

/* The next wait status of @tid, within the stop deadline. */
static int wait_status(struct capture *c, struct cap_thread *t, int *st)
{
	struct timespec nap = { 0, 200000 };

	for (;;) {
		pid_t w = waitpid(t->tid, st, __WALL | WNOHANG);
		char state[64];

		if (w > 0)
			return 0;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (capture_now_ns() - c->start_ns > CAPTURE_STOP_TIMEOUT_NS) {
			thread_state(c, t->tid, state, sizeof(state));
			pr_err("snapshot: thread %d of %d did not stop within %d s (it is %s: an uninterruptible sleep, a vfork() waiting for its child, ...); retry later\n",
			       t->tid, c->pid, (int)(CAPTURE_STOP_TIMEOUT_NS / 1000000000ULL), state);
			t->stuck = true;
			return -EBUSY;
		}
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 5000000)
			nap.tv_nsec *= 2;
	}
}

/* Wait until @t (index @i) stops at its interrupt or is gone. */
static int wait_stop(struct capture *c, uint32_t i)
{
	for (;;) {
		pid_t tid = c->thr[i].tid;
		unsigned long msg;
		int st, ev, err;

		err = wait_status(c, &c->thr[i], &st);
		if (err == -ECHILD) {
			c->thr[i].gone = true;
			return 0;
		}
		if (err)
			return err;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			c->thr[i].gone = true;
			return 0;
		}
		if (!WIFSTOPPED(st))
			continue;
		ev = (unsigned int)st >> 16;
		if (ev == PTRACE_EVENT_STOP) {
			c->thr[i].stopped = true;
			return 0;
		}
		if (ev == PTRACE_EVENT_CLONE &&
		    !ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg) &&
		    !find_thread(c, (pid_t)msg)) {
			/* attached already; stops at its own PTRACE_EVENT_STOP */
			int err = add_thread(c, (pid_t)msg);

			if (err)
				return err;
		}
		/* a signal: deliver it; the interrupt stops the thread after */
		if (ptrace(PTRACE_CONT, tid, 0, ev ? 0 : WSTOPSIG(st)) && errno == ESRCH) {
			c->thr[i].gone = true;
			return 0;
		}
	}
}

/* Seize every thread /proc/PID/task lists that is not seized yet. */
static int seize_new(struct capture *c, bool *found)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int err = 0;

	*found = false;
	snprintf(path, sizeof(path), "/proc/%d/task", c->pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while (!err && (d = readdir(dir))) {
		char *end;
		long tid = strtol(d->d_name, &end, 10);

		if (*end || tid <= 0 || find_thread(c, tid))
			continue;
		err = seize(c, tid);
		if (err > 0) {
			*found = true;
			err = 0;
		}
	}
	closedir(dir);
	return err;
}

int capture_stop(pid_t pid, struct capture **out)
{
	struct capture *c = calloc(1, sizeof(*c));
	bool found;
	int err, live = 0;

	if (!c)
		return -ENOMEM;
	c->pid = pid;
	c->memfd = c->pagemapfd = -1;
	if (pid == getpid()) {
		pr_err("snapshot: cannot snapshot ttrec itself\n");
		free(c);
		return -EINVAL;
	}
	do {
		err = seize_new(c, &found);
		if (err == -ENOENT && !c->nthr) {
			pr_err("snapshot: no such process: %d\n", pid);
			err = -ESRCH;
		}
		for (uint32_t i = 0; !err && i < c->nthr; i++)
			if (!c->thr[i].stopped && !c->thr[i].gone)
				err = wait_stop(c, i);
	} while (!err && found);
	for (uint32_t i = 0; !err && i < c->nthr; i++)
		live += c->thr[i].stopped;
	if (!err && !live) {
		pr_err("snapshot: process %d exited\n", pid);
		err = -ESRCH;
	}
	if (err) {
		capture_free(c);
		return err;
	}
	c->taken_ns = capture_now_ns();
	*out = c;
	return 0;
}

void capture_release(struct capture *c)
{
	if (!c || !c->attached)
		return;
	for (uint32_t i = 0; i < c->nthr; i++) {
		/*
		 * PTRACE_DETACH needs a stopped tracee (error paths); one that
		 * never stopped is let go when ttrec exits
		 */
		if (!c->thr[i].gone && !c->thr[i].stopped && !c->thr[i].stuck)
			wait_stop(c, i);
		if (!c->thr[i].gone && c->thr[i].stopped)
			ptrace(PTRACE_DETACH, c->thr[i].tid, 0, 0);
	}
	c->attached = false;
	if (c->start_ns)
		c->pause_ns = capture_now_ns() - c->start_ns;
}

void capture_free(struct capture *c)
{
	if (!c)
		return;
	capture_release(c);
	if (c->memfd >= 0)
		close(c->memfd);
	if (c->pagemapfd >= 0)
		close(c->pagemapfd);
	free(c->thr);
	free(c->runs);
	proc_state_free(&c->ps);
	if (c->stage)
		munmap(c->stage, c->stage_len);
	free(c);
}
