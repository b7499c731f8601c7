// SPDX-License-Identifier: GPL-2.0
/*
 * `ttrec record`: the recorder's seccomp supervisor, and what each exec
 * of a recorded process looked like (the launch facts, format/launch.h).
 *
 * The recorded program must not be able to tell it is recorded: no tracer
 * holds it (TracerPid 0; it may ptrace its own children, and a debugger
 * may attach to it, as without ttrec), and rseq is not refused. But the
 * replay needs each new program image's AT_RANDOM bytes, and its vDSO's
 * time functions turned into syscalls, before any of it runs, which needs
 * the process stopped at its exec. So the command gets one seccomp filter
 * (child.c) that returns SECCOMP_RET_USER_NOTIF for a few syscalls and
 * lets every other one through; this thread, holding the filter's
 * listener, answers them:
 *
 * - execve, execveat of a recorded process: PTRACE_SEIZE the thread while
 *   it waits in the kernel for the answer, let the syscall go on
 *   (SECCOMP_USER_NOTIF_FLAG_CONTINUE) and PTRACE_INTERRUPT it: it stops
 *   at the exec (PTRACE_EVENT_EXEC; nothing of the new image has run),
 *   where the facts are read and the vDSO patched, or, when the exec
 *   failed, on its way back to user space; either way PTRACE_DETACH, so
 *   the thread never runs a user instruction traced (see on_cpu()). The
 *   command's first exec gives the launch facts (descriptors, signals,
 *   personality).
 * - A thread traced by the program itself (strace's child) cannot be
 *   seized: its tracer stops it at the exec (PTRACE_EVENT_EXEC, or the
 *   SIGTRAP after it), and the tracer's next ptrace() that resumes it
 *   (PTRACE_CONT, PTRACE_SYSCALL, ... also notified) finds the exec here
 *   first: its vDSO is patched through /proc/PID/mem while it is stopped.
 * - ptrace(PTRACE_ATTACH or PTRACE_SEIZE): answered once no exec is being
 *   handled, so the program never finds the recorder holding its target.
 * - prctl(PR_GET_SECCOMP): answered with the mode the program would see
 *   without the recorder's filter: 2 if it installed a filter of its own,
 *   else the recorder's own mode (0).
 * - seccomp(SECCOMP_SET_MODE_STRICT), prctl(PR_SET_SECCOMP, strict): the
 *   kernel refuses strict mode to a thread under a filter (EINVAL), so it
 *   is done here: the call returns 0 without running, and from then on
 *   the thread is held under ptrace (PTRACE_SYSCALL): it may read, write,
 *   exit and return from a signal handler; at any other syscall it is
 *   killed with SIGKILL, as the kernel would (the whole process, where
 *   the kernel kills the thread; and rdtsc keeps working). A thread in
 *   strict mode cannot read its TracerPid.
 *
 * Notifications are answered one at a time, in the order they come.
 * Processes that are not recorded (--no-follow-fork) are let through.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "format/launch.h"
#include "launch/launch.h"
#include "lib/log.h"
#include "record/internal.h"
#include "record.skel.h"

/*
 * The supervisor. @mu guards first (the thread sets it and broadcasts
 * @cv); everything else is the thread's own once it runs.
 */
struct supervisor {
	struct recorder *s;
	int listener;
	int stop[2];			/* a byte on it ends the thread */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int first;			/* 0 waiting, 1 the command's exec seen, -errno */
	struct launch_info *li;
	int traced_fd;			/* BPF map "traced": is a process recorded */
	int base_filters;		/* the filters the command starts with */
	int own_mode;			/* PR_GET_SECCOMP without them */
	struct { uint32_t tgid; unsigned int n; } *execs;	/* execs seen per process */
	int nexecs, cap_execs;
	uint32_t *pending;		/* processes traced by the program, exec under way */
	int npending, cap_pending;
	pid_t *strict;			/* threads held in strict mode */
	int nstrict, cap_strict;
	int sigfd;			/* SIGCHLD: a held thread stopped */
	struct seccomp_notif_sizes sizes;
};

/* A field of /proc/PID/status ("Tgid:", "Seccomp_filters:"...); -1 if none. */
static int status_field(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	int v = -1;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && sscanf(line + n, "%d", &v) == 1)
			break;
	fclose(f);
	return v;
}

static bool recorded(struct supervisor *sv, uint32_t tgid)
{
	__u32 v;

	return !bpf_map_lookup_elem(sv->traced_fd, &tgid, &v);
}

/* Answer notification @id: let the syscall go on, or with @flags 0 return @val. */
static int respond(struct supervisor *sv, uint64_t id, uint32_t flags, int64_t val)
{
	struct seccomp_notif_resp r = { .id = id, .flags = flags, .val = val };

	if (ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_SEND, &r))
		return -errno;		/* ENOENT: the thread was interrupted, or died */
	return 0;
}

static void set_first(struct supervisor *sv, int v)
{
	pthread_mutex_lock(&sv->mu);
	if (!sv->first)
		sv->first = v;
	pthread_cond_broadcast(&sv->cv);
	pthread_mutex_unlock(&sv->mu);
}

/* The exec number of process @tgid: 0 for its first (the command's first is its launch). */
static unsigned int exec_index(struct supervisor *sv, uint32_t tgid)
{
	int i;

	for (i = 0; i < sv->nexecs; i++)
		if (sv->execs[i].tgid == tgid)
			return sv->execs[i].n++;
	if (sv->nexecs == sv->cap_execs) {
		int cap = sv->cap_execs ? 2 * sv->cap_execs : 64;
		void *n = realloc(sv->execs, cap * sizeof(*sv->execs));

		if (!n)
			return 0;
		sv->execs = n;
		sv->cap_execs = cap;
	}
	sv->execs[sv->nexecs].tgid = tgid;
	sv->execs[sv->nexecs].n = 0;
	return sv->execs[sv->nexecs++].n++;
}

/* The launch facts of the command at its first exec stop into @li. 0 or -errno. */
static int read_launch(pid_t pid, struct launch_info *li)
{
	char path[64];
	FILE *f;
	int err;

	err = launch_exec_stop(pid, true, &li->exec);
	if (!err) {
		err = launch_list_fds(pid, li->fds, LAUNCH_MAX_FDS);
		if (err >= 0) {
			li->nfds = err;
			err = 0;
		}
	}
	if (!err)
		err = launch_read_sigs(pid, &li->sig_ignored, &li->sig_blocked);
	if (!err) {
		snprintf(path, sizeof(path), "/proc/%d/personality", pid);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%lx", &li->personality) != 1)
			err = -EIO;
		if (f)
			fclose(f);
	}
	return err;
}

/*
 * An image that no path names (fexecve() of a memfd, the exec of a deleted
 * file: /proc/PID/exe says "(deleted)") cannot be found again by a replay,
 * and the journal does not hold what was written into it: keep a copy.
 */
static void keep_image(struct supervisor *sv, pid_t pid, uint32_t tgid, unsigned int idx)
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
	err = fd < 0 ? -errno : launch_save_image(sv->s->dir, tgid, idx, fd);
	if (fd >= 0)
		close(fd);
	if (err)
		pr_warn("exec in process %u of a file no path names: cannot keep a copy of it (%s); replay will not run it\n",
			tgid, strerror(-err));
}

/*
 * Process @tgid (thread @pid of it) stopped where its new image has not
 * run: its facts, the vDSO patched, an unnamed image kept. -EALREADY when
 * there was no new image (the exec failed).
 */
static int exec_facts(struct supervisor *sv, pid_t pid, uint32_t tgid)
{
	struct launch_exec ex;
	unsigned int idx;
	int err;

	if (tgid == (uint32_t)sv->s->child_pid && !sv->nexecs) {
		exec_index(sv, tgid);
		err = read_launch(pid, sv->li);
		if (err)
			pr_warn("cannot read the launch state of %d (%s): the recording will not be replayable\n",
				pid, strerror(-err));
		else
			sv->li->version = LAUNCH_VERSION;
		set_first(sv, 1);
		return err;
	}
	err = launch_exec_stop(pid, true, &ex);
	if (err == -EALREADY)
		return err;
	idx = exec_index(sv, tgid);
	if (!err)
		err = launch_save_exec(sv->s->dir, tgid, idx, &ex);
	if (err)
		pr_warn("exec in process %u: cannot record its launch state (%s); replay will not reproduce its AT_RANDOM bytes or vDSO calls\n",
			tgid, strerror(-err));
	keep_image(sv, pid, tgid, idx);
	return err;
}

static bool pending_take(struct supervisor *sv, uint32_t tgid, bool take)
{
	int i;

	for (i = 0; i < sv->npending; i++) {
		if (sv->pending[i] != tgid)
			continue;
		if (take)
			sv->pending[i] = sv->pending[--sv->npending];
		return true;
	}
	return false;
}

static void pending_add(struct supervisor *sv, uint32_t tgid)
{
	if (pending_take(sv, tgid, false))
		return;
	if (sv->npending == sv->cap_pending) {
		int cap = sv->cap_pending ? 2 * sv->cap_pending : 16;
		void *n = realloc(sv->pending, cap * sizeof(*sv->pending));

		if (!n)
			return;
		sv->pending = n;
		sv->cap_pending = cap;
	}
	sv->pending[sv->npending++] = tgid;
}

static int strict_find(struct supervisor *sv, pid_t tid)
{
	int i;

	for (i = 0; i < sv->nstrict; i++)
		if (sv->strict[i] == tid)
			return i;
	return -1;
}

/*
 * A stop of thread @tid, held in strict mode: only read, write, exit and
 * rt_sigreturn (mode1_syscalls in kernel/seccomp.c) go on.
 */
static void strict_stop(struct supervisor *sv, pid_t tid, int st)
{
	struct ptrace_syscall_info info;
	int i = strict_find(sv, tid), sig;

	if (i < 0)
		return;
	if (!WIFSTOPPED(st)) {
		sv->strict[i] = sv->strict[--sv->nstrict];
		return;
	}
	sig = WSTOPSIG(st);
	if (sig == (SIGTRAP | 0x80)) {
		if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) > 0 &&
		    info.op == PTRACE_SYSCALL_INFO_ENTRY &&
		    (info.arch != AUDIT_ARCH_X86_64 ||
		     (info.entry.nr != SYS_read && info.entry.nr != SYS_write &&
		      info.entry.nr != SYS_exit && info.entry.nr != SYS_rt_sigreturn))) {
			syscall(SYS_tgkill, status_field(tid, "Tgid:"), tid, SIGKILL);
			ptrace(PTRACE_CONT, tid, 0, 0);
			return;
		}
		sig = 0;
	} else if ((unsigned int)st >> 16 == PTRACE_EVENT_STOP) {
		if (sig != SIGTRAP) {
			ptrace(PTRACE_LISTEN, tid, 0, 0);	/* a group-stop */
			return;
		}
		sig = 0;	/* the interrupt that began it, or the end of a group-stop */
	} else if ((unsigned int)st >> 16) {
		sig = 0;
	}
	ptrace(PTRACE_SYSCALL, tid, 0, sig);
}

/* Every stop that came, of threads held in strict mode. */
static void strict_stops(struct supervisor *sv)
{
	int st;
	pid_t pid;

	while (sv->nstrict && (pid = waitpid(-1, &st, WNOHANG | __WALL | __WNOTHREAD)) > 0)
		strict_stop(sv, pid, st);
}

/* seccomp(SECCOMP_SET_MODE_STRICT) or prctl(PR_SET_SECCOMP, strict) by @tid. */
static void on_strict(struct supervisor *sv, const struct seccomp_notif *req)
{
	const __u64 *a = req->data.args;
	pid_t tid = req->pid;
	int tgid = status_field(tid, "Tgid:");

	/* what the kernel refuses anyway (EINVAL) it refuses */
	if ((req->data.nr == SYS_seccomp ? a[1] || a[2] : a[2]) ||
	    tgid <= 0 || !recorded(sv, tgid) ||
	    ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) {
		respond(sv, req->id, SECCOMP_USER_NOTIF_FLAG_CONTINUE, 0);
		return;
	}
	if (sv->nstrict == sv->cap_strict) {
		int cap = sv->cap_strict ? 2 * sv->cap_strict : 4;
		void *n = realloc(sv->strict, cap * sizeof(*sv->strict));

		if (!n) {
			ptrace(PTRACE_DETACH, tid, 0, 0);
			respond(sv, req->id, SECCOMP_USER_NOTIF_FLAG_CONTINUE, 0);
			return;
		}
		sv->strict = n;
		sv->cap_strict = cap;
	}
	sv->strict[sv->nstrict++] = tid;
	respond(sv, req->id, 0, 0);
	/* it stops on its way back to user space (see on_cpu()), then at every syscall */
	ptrace(PTRACE_INTERRUPT, tid, 0, 0);
}

/*
 * execve or execveat by thread @tid: hold it under ptrace through the exec
 * (see the top of this file).
 */
static void on_exec(struct supervisor *sv, const struct seccomp_notif *req)
{
	pid_t tid = req->pid, pid;
	int tgid = status_field(tid, "Tgid:"), st;

	if (tgid <= 0 || !recorded(sv, tgid)) {
		respond(sv, req->id, SECCOMP_USER_NOTIF_FLAG_CONTINUE, 0);
		return;
	}
	if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACEEXEC)) {
		int e = errno;

		/* traced by the program itself (or gone): its tracer's next resume */
		if (e == EPERM)
			pending_add(sv, tgid);
		respond(sv, req->id, SECCOMP_USER_NOTIF_FLAG_CONTINUE, 0);
		if (tgid == sv->s->child_pid && !sv->nexecs) {
			pr_warn("cannot ptrace %d (%s): recording it, but it will not be replayable\n",
				tid, strerror(e));
			set_first(sv, -EPERM);
		}
		return;
	}
	/*
	 * Whether the answer reaches it or a signal took it out of the wait
	 * first (it restarts the syscall then), the thread stops before it
	 * runs user code again: at the exec, or at the interrupt.
	 */
	respond(sv, req->id, SECCOMP_USER_NOTIF_FLAG_CONTINUE, 0);
	ptrace(PTRACE_INTERRUPT, tid, 0, 0);
	for (;;) {
		pid = waitpid(-1, &st, __WALL | __WNOTHREAD);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (strict_find(sv, pid) >= 0) {
			strict_stop(sv, pid, st);
			continue;
		}
		if (!WIFSTOPPED(st))
			return;		/* it died */
		switch ((unsigned int)st >> 16) {
		case PTRACE_EVENT_EXEC:
			/* @pid is the process's id: a thread that execs takes it */
			exec_facts(sv, pid, tgid);
			ptrace(PTRACE_DETACH, pid, 0, 0);
			return;
		case 0:		/* a signal: it goes on with it */
			ptrace(PTRACE_DETACH, pid, 0, WSTOPSIG(st));
			return;
		default:	/* the interrupt, or a group-stop: it stays stopped */
			ptrace(PTRACE_DETACH, pid, 0, 0);
			return;
		}
	}
}

/* Is thread @tid in a ptrace stop ("t" in /proc/TID/stat)? */
static bool trace_stopped(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 't';
}

/* ptrace() by the program: a request that resumes its tracee, or attaches. */
static void on_ptrace(struct supervisor *sv, const struct seccomp_notif *req)
{
	long request = (long)req->data.args[0];
	pid_t tid = req->data.args[1];
	int tgid;

	if (request != PTRACE_ATTACH && request != PTRACE_SEIZE && sv->npending) {
		tgid = status_field(tid, "Tgid:");
		if (tgid > 0 && pending_take(sv, tgid, false) && trace_stopped(tid)) {
			exec_facts(sv, tid, tgid);	/* -EALREADY: its exec failed */
			pending_take(sv, tgid, true);
		}
	}
	respond(sv, req->id, SECCOMP_USER_NOTIF_FLAG_CONTINUE, 0);
}

/* prctl(PR_GET_SECCOMP): the mode the thread would have without the recorder. */
static int get_seccomp(pid_t tid, int base_filters, int own_mode)
{
	return status_field(tid, "Seccomp_filters:") > base_filters ? SECCOMP_MODE_FILTER : own_mode;
}

static void on_notif(struct supervisor *sv, const struct seccomp_notif *req)
{
	switch (req->data.nr) {
	case SYS_execve:
	case SYS_execveat:
		on_exec(sv, req);
		break;
	case SYS_ptrace:
		on_ptrace(sv, req);
		break;
	case SYS_prctl:
		if (req->data.args[0] == PR_GET_SECCOMP) {
			respond(sv, req->id, 0, get_seccomp(req->pid, sv->base_filters, sv->own_mode));
			break;
		}
		if (req->data.args[0] == PR_SET_SECCOMP) {
			on_strict(sv, req);
			break;
		}
		respond(sv, req->id, SECCOMP_USER_NOTIF_FLAG_CONTINUE, 0);
		break;
	case SYS_seccomp:
		on_strict(sv, req);
		break;
	default:
		respond(sv, req->id, SECCOMP_USER_NOTIF_FLAG_CONTINUE, 0);
		break;
	}
}

/*
 * A thread the supervisor answers runs on as soon as the answer reaches
 * it, and must not run user code before the supervisor's PTRACE_INTERRUPT
 * (after a failed exec, or into strict mode). On the command's CPU, a
 * real-time priority above it, the supervisor keeps the CPU until it
 * waits again: the thread runs only after the interrupt. (Threads moved
 * to another CPU, or with --all-cpus: only very likely.)
 */
static void on_cpu(int cpu)
{
	struct sched_param sp = { .sched_priority = LAUNCH_RR_PRIO + 1 };
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) || sched_setscheduler(0, SCHED_RR, &sp))
		pr_warn("cannot run the seccomp supervisor on CPU %d with SCHED_RR (%s)\n", cpu,
			strerror(errno));
}

static void *supervisor_main(void *arg)
{
	struct supervisor *sv = arg;
	struct seccomp_notif *req = calloc(1, sv->sizes.seccomp_notif > sizeof(*req) ?
					   sv->sizes.seccomp_notif : sizeof(*req));
	struct pollfd pfd[3] = {
		{ .fd = sv->listener, .events = POLLIN },
		{ .fd = sv->stop[0], .events = POLLIN },
		{ .fd = sv->sigfd, .events = POLLIN },
	};

	if (!req) {
		set_first(sv, -ENOMEM);
		return NULL;
	}
	on_cpu(sv->li->cpu);
	for (;;) {
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		if (pfd[2].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sv->sigfd, &si, sizeof(si)) == sizeof(si))
				;
			strict_stops(sv);
		}
		if (!(pfd[0].revents & POLLIN)) {
			if (pfd[0].revents & (POLLHUP | POLLERR))
				break;	/* no process holds the filter any more */
			continue;
		}
		memset(req, 0, sizeof(*req));
		if (ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_RECV, req))
			continue;	/* ENOENT: it was interrupted before */
		on_notif(sv, req);
	}
	free(req);
	set_first(sv, -ECHILD);
	return NULL;
}

int recorder_supervise(struct recorder *s, int listener, struct launch_info *li)
{
	struct supervisor *sv = calloc(1, sizeof(*sv));
	sigset_t chld;
	int err;

	if (!sv)
		return -ENOMEM;
	sv->s = s;
	sv->listener = listener;
	sv->li = li;
	sv->traced_fd = bpf_map__fd(s->skel->maps.traced);
	/* the command inherits ttrec's own filters, and gets the recorder's */
	sv->own_mode = prctl(PR_GET_SECCOMP);
	sv->base_filters = status_field(0, "Seccomp_filters:");
	sv->base_filters = (sv->base_filters < 0 ? 0 : sv->base_filters) + 1;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sv->sizes))
		sv->sizes.seccomp_notif = sizeof(struct seccomp_notif);
	pthread_mutex_init(&sv->mu, NULL);
	pthread_cond_init(&sv->cv, NULL);
	if (pipe2(sv->stop, O_CLOEXEC)) {
		err = -errno;
		free(sv);
		return err;
	}
	/* SIGCHLD is blocked in the recorder (recorder_run()): it comes here */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sv->sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	err = -pthread_create(&sv->th, NULL, supervisor_main, sv);
	if (err) {
		close(sv->stop[0]);
		close(sv->stop[1]);
		free(sv);
		return err;
	}
	s->sv = sv;
	return 0;
}

int recorder_first_exec(struct recorder *s)
{
	struct supervisor *sv = s->sv;
	int v;

	pthread_mutex_lock(&sv->mu);
	while (!sv->first)
		pthread_cond_wait(&sv->cv, &sv->mu);
	v = sv->first;
	pthread_mutex_unlock(&sv->mu);
	return v > 0 ? 0 : v;
}

/*
 * After the recording, processes that were not recorded may still hold
 * the filter (--no-follow-fork children): without a listener their execve
 * would fail with ENOSYS. A process of its own answers them until none is
 * left (the listener then reports POLLHUP).
 */
static void keep_answering(int listener, int base_filters, int own_mode)
{
	struct seccomp_notif_sizes sizes = { 0 };
	struct seccomp_notif *req;
	struct pollfd pfd = { .fd = listener, .events = POLLIN };
	pid_t pid;

	pid = fork();
	if (pid)
		return;
	setsid();
	if (listener > 0)
		syscall(SYS_close_range, 0, listener - 1, 0);
	syscall(SYS_close_range, listener + 1, ~0U, 0);
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) ||
	    sizes.seccomp_notif < sizeof(*req))
		sizes.seccomp_notif = sizeof(*req);
	req = calloc(1, sizes.seccomp_notif);
	while (req && poll(&pfd, 1, -1) >= 0) {
		struct seccomp_notif_resp r = { .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE };

		if (!(pfd.revents & POLLIN)) {
			if (pfd.revents & (POLLHUP | POLLERR))
				break;
			continue;
		}
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req))
			continue;
		r.id = req->id;
		if (req->data.nr == SYS_prctl && req->data.args[0] == PR_GET_SECCOMP) {
			r.flags = 0;
			r.val = get_seccomp(req->pid, base_filters, own_mode);
		}
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
	}
	_exit(0);
}

void recorder_supervisor_stop(struct recorder *s)
{
	struct supervisor *sv = s->sv;
	struct pollfd pfd;
	char b = 0;

	if (!sv)
		return;
	if (write(sv->stop[1], &b, 1) != 1)
		pr_warn("cannot stop the seccomp supervisor\n");
	pthread_join(sv->th, NULL);
	pfd.fd = sv->listener;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) >= 0 && ((pfd.revents & POLLIN) || !(pfd.revents & POLLHUP)))
		keep_answering(sv->listener, sv->base_filters, sv->own_mode);
	close(sv->listener);
	close(sv->stop[0]);
	close(sv->stop[1]);
	if (sv->sigfd >= 0)
		close(sv->sigfd);
	free(sv->execs);
	free(sv->pending);
	free(sv->strict);
	free(sv);
	s->sv = NULL;
}
