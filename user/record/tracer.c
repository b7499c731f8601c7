// SPDX-License-Identifier: GPL-2.0
/*
 * The recorder's tracer thread (`ttrec record` only). `ttrec record` keeps
 * the recorded program under ptrace (PTRACE_SEIZE, in a thread of its own,
 * since ptrace requests must come from the tracer thread) so that it sees
 * every exec: each new program image gets the same treatment as the first
 * (AT_RANDOM recorded, vDSO patched). The program only stops at execs, new
 * threads (or, with --follow-fork, processes), and signals, which the
 * tracer passes on unchanged.
 */
#include <errno.h>
#include <pthread.h>
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
 * One tracer thread. @mu guards seized, first, exited, status and done:
 * the thread sets them and broadcasts @cv, the recorder waits on it.
 * @execs (each process's exec count) is the thread's own.
 */
struct launch_tracer {
	pthread_t th;
	pid_t pid;
	const char *dir;
	bool follow_fork;
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
};

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
}

static void *tracer_main(void *arg)
{
	struct launch_tracer *lt = arg;

	/* the tracer is the thread that seizes: every request comes from here */
	pthread_mutex_lock(&lt->mu);
	lt->seized = ptrace(PTRACE_SEIZE, lt->pid, 0, lt->opts) ? -errno : 1;
	pthread_cond_broadcast(&lt->cv);
	pthread_mutex_unlock(&lt->mu);
	if (lt->seized < 0)
		return NULL;
	for (;;) {
		int st, ev, sig;
		pid_t pid = waitpid(-1, &st, __WALL);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
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
			sig = 0;
			break;
		case 0:
			break;			/* a signal: passed on */
		default:
			sig = 0;		/* clone, fork, vfork */
			break;
		}
		ptrace(PTRACE_CONT, pid, 0, sig);
	}
	pthread_mutex_lock(&lt->mu);
	lt->done = true;
	pthread_cond_broadcast(&lt->cv);
	pthread_mutex_unlock(&lt->mu);
	tracer_first(lt, -ECHILD);
	return NULL;
}

int launch_tracer_start(struct launch_tracer **out, pid_t pid, const char *dir,
			bool follow_fork, struct launch_info *li)
{
	struct launch_tracer *lt = calloc(1, sizeof(*lt));
	long opts = PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
	int err;

	if (!lt)
		return -ENOMEM;
	if (follow_fork)
		opts |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
	lt->pid = pid;
	lt->dir = dir;
	lt->follow_fork = follow_fork;
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
