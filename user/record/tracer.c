// SPDX-License-Identifier: GPL-2.0
/*
 * The recorder's tracer thread (`ttrec record` only). `ttrec record` keeps
 * the recorded program under ptrace (PTRACE_SEIZE, in a thread of its own,
 * since ptrace requests must come from the tracer thread) so that it sees
 * every exec: each new program image gets the same treatment as the first
 * (AT_RANDOM recorded, vDSO patched). The program only stops at execs, new
 * threads (and, unless --no-follow-fork, processes), and signals, which the
 * tracer passes on unchanged. Every thread is traced, not only the first:
 * a thread's fork is followed like the main thread's, and a thread's exec
 * is seen (the thread then takes the main thread's tid).
 *
 * The tracer is part of the program's timeline: a traced child's exit is
 * reported to the tracer, and its real parent gets SIGCHLD (and its wait4
 * can reap it) only once the tracer has reaped it; a tracee in a ptrace
 * stop (a thread at its clone or exec) runs on only once the tracer
 * resumes it, and the command's other threads run meanwhile. On another
 * CPU, or starved on the command's CPU by its SCHED_RR threads, the tracer
 * would do that at a moment of its own: SIGCHLD would come while the
 * parent computes in user space, somewhere a replay cannot find again. So
 * with the command on one CPU the tracer runs on that CPU too, SCHED_RR
 * one priority above the command: it acts at once, while the tracee that
 * woke it is still in the kernel, and the signal it causes comes at that
 * thread's syscall boundary, as without a tracer.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "format/launch.h"
#include "launch/launch.h"
#include "record/tracer.h"

/*
 * A tracee, or a new one announced by its parent's clone/fork event stop
 * (tracer_new_child()).
 */
struct tracee {
	pid_t pid;
	int state;		/* TRACEE_* */
};

#define TRACEE_RUNS	0	/* seen, continued as it stops */
#define TRACEE_HELD	1	/* at its first stop before its parent's event: waits */
#define TRACEE_RELEASED	2	/* its parent's event came first: its first stop goes on */

/*
 * One tracer thread. @mu guards seized, first, exited, status and done:
 * the thread sets them and broadcasts @cv, the recorder waits on it.
 * @execs (each process's exec count) and @tracees are the thread's own.
 */
struct launch_tracer {
	pthread_t th;
	pid_t pid;
	const char *dir;
	bool follow_fork;
	int cpu;		/* the command's CPU, -1: not pinned */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int first;		/* 0 waiting, 1 first exec seen, -errno: failed/died */
	struct launch_info *li;
	bool exited, done;
	int status;
	int seized;		/* 0 not yet, 1 seized, -errno */
	long opts;
	struct { pid_t pid; unsigned int n; } execs[256];
	int nexecs;
	struct tracee *tracees;
	int ntracees, cap_tracees;
};

static struct tracee *tracee_find(struct launch_tracer *lt, pid_t pid)
{
	int i;

	for (i = 0; i < lt->ntracees; i++)
		if (lt->tracees[i].pid == pid)
			return &lt->tracees[i];
	return NULL;
}

/* @pid with @state; NULL when out of memory. */
static struct tracee *tracee_add(struct launch_tracer *lt, pid_t pid, int state)
{
	if (lt->ntracees == lt->cap_tracees) {
		int cap = lt->cap_tracees ? 2 * lt->cap_tracees : 64;
		struct tracee *t = realloc(lt->tracees, cap * sizeof(*t));

		if (!t)
			return NULL;
		lt->tracees = t;
		lt->cap_tracees = cap;
	}
	lt->tracees[lt->ntracees] = (struct tracee){ pid, state };
	return &lt->tracees[lt->ntracees++];
}

static void tracee_forget(struct launch_tracer *lt, pid_t pid)
{
	struct tracee *t = tracee_find(lt, pid);

	if (t)
		*t = lt->tracees[--lt->ntracees];
}

/* The thread group of @pid (Tgid in its status); 0 if gone. */
static pid_t tgid_of(pid_t pid)
{
	char path[64], line[256];
	int tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/*
 * A new tracee at its first stop goes on. Without --follow-fork only the
 * command's threads are followed, but a process made by clone() with
 * another exit signal than SIGCHLD is attached as a thread would be: let
 * it go.
 */
static void tracee_first_go(struct launch_tracer *lt, pid_t pid)
{
	if (!lt->follow_fork && tgid_of(pid) != lt->pid) {
		tracee_forget(lt, pid);
		ptrace(PTRACE_DETACH, pid, 0, 0);
	} else {
		ptrace(PTRACE_CONT, pid, 0, 0);
	}
}

/*
 * @pid is gone. A parent killed before its clone/fork event stop never
 * reports it: held children go on (out of order at worst).
 */
static void tracee_gone(struct launch_tracer *lt, pid_t pid)
{
	int i;

	tracee_forget(lt, pid);
	for (i = lt->ntracees - 1; i >= 0; i--) {	/* tracee_first_go() may drop one */
		if (lt->tracees[i].state != TRACEE_HELD)
			continue;
		lt->tracees[i].state = TRACEE_RUNS;
		tracee_first_go(lt, lt->tracees[i].pid);
	}
}

/*
 * A new thread or process runs after its parent goes on, as it would
 * untraced: on the recording's one CPU the parent runs on after clone()
 * and the child waits its turn. The parent's event stop and the child's
 * first stop reach the tracer in any order (the child's first, mostly);
 * continued first, the child would run before the parent (a thread pool
 * would start its workers one at a time). A child whose first stop comes
 * first is held until its parent's event is seen.
 */
static void tracer_new_child(struct launch_tracer *lt, pid_t parent)
{
	unsigned long child;
	struct tracee *t;

	if (ptrace(PTRACE_GETEVENTMSG, parent, 0, &child)) {
		ptrace(PTRACE_CONT, parent, 0, 0);
		return;
	}
	ptrace(PTRACE_CONT, parent, 0, 0);
	t = tracee_find(lt, child);
	if (!t) {
		if (!tracee_add(lt, child, TRACEE_RELEASED))
			pr_warn("tracer: out of memory\n");
	} else if (t->state == TRACEE_HELD) {
		t->state = TRACEE_RUNS;
		tracee_first_go(lt, child);
	}
}

/* A stop of @pid: false when it is a new tracee's first stop that must wait. */
static bool tracer_may_go(struct launch_tracer *lt, pid_t pid)
{
	struct tracee *t = tracee_find(lt, pid);

	if (!t)
		return !tracee_add(lt, pid, TRACEE_HELD);
	if (t->state == TRACEE_HELD)
		return false;
	t->state = TRACEE_RUNS;
	return true;
}

static unsigned int exec_index(struct launch_tracer *lt, pid_t pid)
{
	int i;

	for (i = 0; i < lt->nexecs; i++)
		if (lt->execs[i].pid == pid)
			return lt->execs[i].n++;
	if (lt->nexecs < (int)(sizeof(lt->execs) / sizeof(lt->execs[0]))) {
		lt->execs[lt->nexecs].pid = pid;
		lt->execs[lt->nexecs++].n = 1;
	}
	return 0;
}

static void tracer_first(struct launch_tracer *lt, int v)
{
	pthread_mutex_lock(&lt->mu);
	if (!lt->first)
		lt->first = v;
	pthread_cond_broadcast(&lt->cv);
	pthread_mutex_unlock(&lt->mu);
}

/* The number of seccomp filters of @pid (Seccomp_filters in its status). */
static int seccomp_filters(pid_t pid)
{
	char path[64], line[256];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp_filters: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * An image that no path names (fexecve() of a memfd, the exec of a deleted
 * file: /proc/PID/exe says "(deleted)") cannot be found again by a replay,
 * and the journal does not hold what was written into it: keep a copy.
 */
static void tracer_keep_image(struct launch_tracer *lt, pid_t pid, unsigned int idx)
{
	static const char deleted[] = " (deleted)";
	char path[64], target[4096];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < (ssize_t)sizeof(deleted) ||
	    memcmp(target + n - (sizeof(deleted) - 1), deleted, sizeof(deleted) - 1))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? -errno : launch_save_image(lt->dir, pid, idx, fd);
	if (fd >= 0)
		close(fd);
	if (err)
		pr_warn("exec in process %d of a file no path names: cannot keep a copy of it (%s); replay will not run it\n",
			pid, strerror(-err));
}

static void tracer_exec(struct launch_tracer *lt, pid_t pid)
{
	unsigned int idx = exec_index(lt, pid);
	struct launch_exec ex;
	int err = launch_exec_stop(pid, true, &ex);

	if (pid == lt->pid && idx == 0) {
		struct launch_info *li = lt->li;

		if (!err) {
			li->exec = ex;
			err = launch_list_fds(pid, li->fds, LAUNCH_MAX_FDS);
			if (err >= 0) {
				li->nfds = err;
				err = 0;
			}
		}
		if (!err)
			err = launch_read_sigs(pid, &li->sig_ignored, &li->sig_blocked);
		li->rseq_disabled = seccomp_filters(pid) > seccomp_filters(getpid());
		if (!err) {
			char path[64];
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/personality", pid);
			f = fopen(path, "r");
			if (!f || fscanf(f, "%lx", &li->personality) != 1)
				err = -EIO;
			if (f)
				fclose(f);
		}
		if (err)
			pr_warn("cannot read the launch state of %d (%s): the recording will not be replayable\n",
				pid, strerror(-err));
		else
			li->version = LAUNCH_VERSION;
		tracer_first(lt, 1);
		return;
	}
	if (err)
		pr_warn("exec in process %d: cannot record its launch state (%s); replay will not reproduce its AT_RANDOM bytes or vDSO calls\n",
			pid, strerror(-err));
	else
		launch_save_exec(lt->dir, pid, idx, &ex);
	tracer_keep_image(lt, pid, idx);
}

/* On the command's CPU, SCHED_RR above it (see the top of this file). */
static void tracer_pin(int cpu)
{
	struct sched_param sp = { .sched_priority = LAUNCH_RR_PRIO + 1 };
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) || sched_setscheduler(0, SCHED_RR, &sp))
		pr_warn("cannot run the tracer on CPU %d with SCHED_RR (%s): signals its children's exits cause may come between syscalls and replay imprecisely\n",
			cpu, strerror(errno));
}

static void *tracer_main(void *arg)
{
	struct launch_tracer *lt = arg;

	tracer_pin(lt->cpu);
	/* the tracer is the thread that seizes: every request comes from here */
	pthread_mutex_lock(&lt->mu);
	lt->seized = ptrace(PTRACE_SEIZE, lt->pid, 0, lt->opts) ? -errno : 1;
	pthread_cond_broadcast(&lt->cv);
	pthread_mutex_unlock(&lt->mu);
	if (lt->seized < 0)
		return NULL;
	tracee_add(lt, lt->pid, TRACEE_RUNS);
	for (;;) {
		int st, ev, sig;
		pid_t pid = waitpid(-1, &st, __WALL);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			tracee_gone(lt, pid);
			if (pid == lt->pid) {
				pthread_mutex_lock(&lt->mu);
				lt->exited = true;
				lt->status = st;
				pthread_mutex_unlock(&lt->mu);
				tracer_first(lt, -ECHILD);
			}
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		ev = (unsigned int)st >> 16;
		sig = WSTOPSIG(st);
		pr_debug("tracer: %d stopped: event %d signal %d\n", pid, ev, sig);
		if (!tracer_may_go(lt, pid))
			continue;	/* a new tracee, before its parent's event */
		switch (ev) {
		case PTRACE_EVENT_EXEC:
			tracer_exec(lt, pid);
			sig = 0;
			break;
		case PTRACE_EVENT_STOP:
			if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
				ptrace(PTRACE_LISTEN, pid, 0, 0);	/* a group-stop */
				continue;
			}
			/* a new tracee's first stop (or the end of a group-stop) */
			tracee_first_go(lt, pid);
			continue;
		case 0:
			break;			/* a signal: passed on */
		default:
			tracer_new_child(lt, pid);	/* clone, fork, vfork */
			continue;
		}
		ptrace(PTRACE_CONT, pid, 0, sig);
	}
	free(lt->tracees);
	lt->tracees = NULL;
	pthread_mutex_lock(&lt->mu);
	lt->done = true;
	pthread_cond_broadcast(&lt->cv);
	pthread_mutex_unlock(&lt->mu);
	tracer_first(lt, -ECHILD);
	return NULL;
}

int launch_tracer_start(struct launch_tracer **out, pid_t pid, const char *dir,
			bool follow_fork, int cpu, struct launch_info *li)
{
	struct launch_tracer *lt = calloc(1, sizeof(*lt));
	long opts = PTRACE_O_TRACEEXEC | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL;
	int err;

	if (!lt)
		return -ENOMEM;
	if (follow_fork)
		opts |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
	lt->pid = pid;
	lt->dir = dir;
	lt->follow_fork = follow_fork;
	lt->cpu = cpu;
	lt->li = li;
	pthread_mutex_init(&lt->mu, NULL);
	pthread_cond_init(&lt->cv, NULL);
	lt->opts = opts;
	err = -pthread_create(&lt->th, NULL, tracer_main, lt);
	if (err) {
		free(lt);
		return err;
	}
	pthread_mutex_lock(&lt->mu);
	while (!lt->seized)
		pthread_cond_wait(&lt->cv, &lt->mu);
	err = lt->seized < 0 ? lt->seized : 0;
	pthread_mutex_unlock(&lt->mu);
	if (err) {
		pthread_join(lt->th, NULL);
		free(lt);
		return err;
	}
	*out = lt;
	return 0;
}

int launch_tracer_first_exec(struct launch_tracer *lt)
{
	int v;

	pthread_mutex_lock(&lt->mu);
	while (!lt->first)
		pthread_cond_wait(&lt->cv, &lt->mu);
	v = lt->first;
	pthread_mutex_unlock(&lt->mu);
	return v > 0 ? 0 : v;
}

int launch_tracer_finish(struct launch_tracer *lt, bool wait, int *status)
{
	int ret = -EAGAIN;

	if (!lt)
		return -EINVAL;
	pthread_mutex_lock(&lt->mu);
	while (wait && !lt->done)
		pthread_cond_wait(&lt->cv, &lt->mu);
	if (lt->exited) {
		*status = lt->status;
		ret = 0;
	}
	wait = lt->done;
	pthread_mutex_unlock(&lt->mu);
	if (wait) {
		pthread_join(lt->th, NULL);
		free(lt);
	}
	/* else: left running; PTRACE_O_EXITKILL ends the tracees with ttrec */
	return ret;
}
