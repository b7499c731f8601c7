// SPDX-License-Identifier: GPL-2.0
/*
 * Process state without ttrec.ko (gather.h): the entry point and the
 * process's own state, as TTREC_IOC_SNAP_PROC gives it:
 *  - /proc/PID/stat: parent, group, session, terminal, the memory layout
 *    fields, the exit signal; /proc/PID/status: umask, credentials,
 *    capabilities, no-new-privs, shared pending signals; personality,
 *    oom_score_adj, auxv, comm, timers (the POSIX timers); the exe, cwd
 *    and root links;
 *  - prlimit() on the process for its limits, /proc/PID/limits where
 *    prlimit() may not (another user's process and no CAP_SYS_RESOURCE);
 *  - PTRACE_PEEKSIGINFO for the siginfo of its queued signals;
 *  - calls one of its threads makes (remote.c): rt_sigaction() for every
 *    signal, getitimer() for the three itimers, timer_gettime() for each
 *    POSIX timer, brk(0) for the program break, and prctl() for dumpable,
 *    child subreaper, THP disable and securebits.
 * What cannot be asked stays 0 (and the signal actions note is left out),
 * said with pr_debug().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "state/internal.h"
#include "lib/log.h"

#define AUXV_MAX	(2 * 64)

char *proc_read(pid_t pid, pid_t tid, const char *what, size_t *lenp)
{
	char path[128], *buf = NULL;
	size_t len = 0, cap = 0;
	int fd;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", pid, tid, what);
	else
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *p = realloc(buf, cap + 65536);

			if (!p) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = p;
			cap += 65536;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
}

const char *proc_field(const char *text, const char *key)
{
	size_t k = strlen(key);
	const char *l = text;

	while (l && *l) {
		if (!strncmp(l, key, k) && l[k] == ':')
			return l + k + 1 + strspn(l + k + 1, " \t");
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return NULL;
}

/* Field @i (1-based, proc(5)'s numbering) of a /proc/PID/stat text. */
static long long stat_field(const char *stat, int i)
{
	const char *p = strrchr(stat, ')');
	int k;

	if (!p || i < 3)
		return 0;
	p += 2;
	for (k = 3; k < i && p; k++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoll(p, NULL, 10) : 0;
}

/* A readlink() of /proc/@pid/@what as a path note; *@st its stat(). */
static void link_note(struct state_buf *b, pid_t pid, const char *what, uint32_t type,
		      struct stat *st)
{
	char path[64], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		pr_debug("state: %s: %s\n", path, strerror(errno));
		return;
	}
	target[n] = 0;
	sbuf_note_str(b, type, target);
	if (st && stat(path, st))
		memset(st, 0, sizeof(*st));
}

/* The ids, credentials and the like, from stat and status. */
static int read_ids(pid_t pid, struct ttrec_snap_proc *p, uint32_t **groups, uint32_t *ngroups)
{
	char *stat = proc_read(pid, 0, "stat", NULL), *status = proc_read(pid, 0, "status", NULL);
	const char *v;
	int err = 0;

	if (!stat || !status) {
		err = -ESRCH;
		goto out;
	}
	p->pid = pid;
	p->ppid = stat_field(stat, 4);
	p->pgid = stat_field(stat, 5);
	p->sid = stat_field(stat, 6);
	p->tty_nr = stat_field(stat, 7);
	p->tty_pgrp = stat_field(stat, 8) > 0 ? stat_field(stat, 8) : 0;
	p->start_code = stat_field(stat, 26);
	p->end_code = stat_field(stat, 27);
	p->start_stack = stat_field(stat, 28);
	p->exit_signal = stat_field(stat, 38);
	p->start_data = stat_field(stat, 45);
	p->end_data = stat_field(stat, 46);
	p->start_brk = stat_field(stat, 47);
	p->arg_start = stat_field(stat, 48);
	p->arg_end = stat_field(stat, 49);
	p->env_start = stat_field(stat, 50);
	p->env_end = stat_field(stat, 51);
	v = proc_field(status, "Umask");
	if (v)
		p->umask = strtoul(v, NULL, 8);
	v = proc_field(status, "Uid");
	if (v)
		sscanf(v, "%u %u %u %u", &p->uid, &p->euid, &p->suid, &p->fsuid);
	v = proc_field(status, "Gid");
	if (v)
		sscanf(v, "%u %u %u %u", &p->gid, &p->egid, &p->sgid, &p->fsgid);
#define CAP(field, key) do { v = proc_field(status, key); \
		if (v) p->field = strtoull(v, NULL, 16); } while (0)
	CAP(cap_inheritable, "CapInh");
	CAP(cap_permitted, "CapPrm");
	CAP(cap_effective, "CapEff");
	CAP(cap_bset, "CapBnd");
	CAP(cap_ambient, "CapAmb");
	CAP(shared_pending, "ShdPnd");
#undef CAP
	v = proc_field(status, "NoNewPrivs");
	if (v && strtoul(v, NULL, 10))
		p->flags |= TTREC_PROC_NO_NEW_PRIVS;
	*ngroups = 0;
	*groups = NULL;
	v = proc_field(status, "Groups");
	while (v && *v && *v != '\n') {
		char *end;
		unsigned long g = strtoul(v, &end, 10);
		uint32_t *q;

		if (end == v)
			break;
		q = realloc(*groups, (*ngroups + 1) * sizeof(*q));
		if (!q) {
			err = -ENOMEM;
			goto out;
		}
		*groups = q;
		q[(*ngroups)++] = g;
		v = end + strspn(end, " \t");
	}
out:
	free(stat);
	free(status);
	return err;
}

/* A small /proc file as a number in @base; @def when unreadable. */
static long long proc_number(pid_t pid, const char *what, int base, long long def)
{
	char *s = proc_read(pid, 0, what, NULL);
	long long v = def;

	if (s) {
		v = strtoll(s, NULL, base);
		free(s);
	}
	return v;
}

/* A limit of /proc/PID/limits: a number or "unlimited". */
static uint64_t limit_value(const char *s)
{
	return !strncmp(s, "unlimited", 9) ? ~0ULL : strtoull(s, NULL, 10);
}

/*
 * The resource limits: prlimit(), which needs the process's uids or
 * CAP_SYS_RESOURCE, else /proc/PID/limits, readable by anyone: one line a
 * limit in RLIMIT_* order after a header, the soft limit at column 26 and
 * the hard one at 47 (fs/proc/base.c's "%-25s %-20s %-20s").
 */
static void read_limits(pid_t pid, struct ttrec_snap_proc *p)
{
	char *text = NULL, *line, *save = NULL;
	unsigned int i;

	for (i = 0; i < TTREC_RLIM_NLIMITS; i++) {
		struct rlimit rl;

		if (prlimit(pid, i, NULL, &rl))
			break;
		p->rlim[i].cur = rl.rlim_cur;
		p->rlim[i].max = rl.rlim_max;
	}
	if (i == TTREC_RLIM_NLIMITS || !(text = proc_read(pid, 0, "limits", NULL))) {
		if (i < TTREC_RLIM_NLIMITS)
			pr_debug("state: the limits of %d: neither prlimit() nor /proc/PID/limits\n", pid);
		return;
	}
	line = strtok_r(text, "\n", &save);		/* the header */
	for (i = 0; i < TTREC_RLIM_NLIMITS && (line = strtok_r(NULL, "\n", &save)); i++) {
		if (strlen(line) < 48)
			break;
		p->rlim[i].cur = limit_value(line + 26);
		p->rlim[i].max = limit_value(line + 47);
	}
	free(text);
}

/*
 * The timer_create() timers listed in /proc/PID/timers: id, signal and
 * value, notification and target, clock (the rest asked by the process).
 */
static int read_timers(pid_t pid, struct ttrec_posix_timer **out, uint32_t *n)
{
	char *text = proc_read(pid, 0, "timers", NULL), *l, *save = NULL;
	struct ttrec_posix_timer *t = NULL;

	*out = NULL;
	*n = 0;
	for (l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char how[16], who[8];
		unsigned long long value;
		int v;

		if (sscanf(l, "ID: %d", &v) == 1) {
			struct ttrec_posix_timer *q = realloc(*out, (*n + 1) * sizeof(*q));

			if (!q) {
				free(text);
				return -ENOMEM;
			}
			*out = q;
			t = &q[(*n)++];
			memset(t, 0, sizeof(*t));
			t->id = v;
			t->flags = TTREC_PTIMER_VALUE_UNKNOWN;
		} else if (!t) {
			continue;
		} else if (sscanf(l, "signal: %d/%llx", &v, &value) == 2) {
			t->signo = v;
			t->value = value;
		} else if (sscanf(l, "notify: %15[a-z]/%7[a-z].%d", how, who, &v) == 3) {
			t->notify = !strcmp(how, "none") ? SIGEV_NONE :
				    !strcmp(how, "thread") ? SIGEV_THREAD : SIGEV_SIGNAL;
			if (!strcmp(who, "tid"))
				t->notify |= SIGEV_THREAD_ID;
			t->target = v;
		} else if (sscanf(l, "ClockID: %d", &v) == 1) {
			t->clockid = v;
		}
	}
	free(text);
	return 0;
}

/* What one thread of the process asks about the process. */
static void ask_process(struct remote *r, pid_t tid, struct ttrec_snap_proc *p,
			struct ttrec_sigaction *act, bool *have_act,
			struct ttrec_posix_timer *timers, uint32_t ntimers)
{
	struct remote_thread t;
	int64_t ret;
	int sig, err, i;

	*have_act = false;
	if (!r->gadget)
		return;
	err = remote_begin(r, &t, tid);
	if (err) {
		pr_debug("state: thread %d cannot make calls: %s\n", tid, strerror(-err));
		remote_end(r, &t);
		return;
	}
	if (t.scratch) {
		*have_act = true;
		for (sig = 1; sig <= STATE_NSIG; sig++) {
			if (remote_syscall(r, &t, SYS_rt_sigaction, sig, 0, t.scratch, 8, &ret) || ret ||
			    remote_read(r, t.scratch, &act[sig - 1], sizeof(act[sig - 1]))) {
				*have_act = false;
				break;
			}
		}
		for (i = 0; i < 3; i++) {
			struct itimerval it;

			if (remote_syscall(r, &t, SYS_getitimer, i, t.scratch, 0, 0, &ret) || ret ||
			    remote_read(r, t.scratch, &it, sizeof(it)))
				continue;
			p->itimer[i].value_ns = it.it_value.tv_sec * 1000000000ULL +
						it.it_value.tv_usec * 1000ULL;
			p->itimer[i].interval_ns = it.it_interval.tv_sec * 1000000000ULL +
						   it.it_interval.tv_usec * 1000ULL;
		}
		if (!remote_syscall(r, &t, SYS_prctl, PR_GET_CHILD_SUBREAPER, t.scratch, 0, 0, &ret) &&
		    !ret && !remote_read(r, t.scratch, &i, sizeof(i)) && i)
			p->flags |= TTREC_PROC_CHILD_SUBREAPER;
		for (i = 0; i < (int)ntimers; i++) {
			struct itimerspec its;

			if (remote_syscall(r, &t, SYS_timer_gettime, timers[i].id, t.scratch, 0, 0,
					   &ret) || ret ||
			    remote_read(r, t.scratch, &its, sizeof(its)))
				continue;
			timers[i].value_ns = its.it_value.tv_sec * 1000000000ULL + its.it_value.tv_nsec;
			timers[i].interval_ns = its.it_interval.tv_sec * 1000000000ULL +
						its.it_interval.tv_nsec;
			timers[i].flags &= ~TTREC_PTIMER_VALUE_UNKNOWN;
		}
	}
	if (!remote_syscall(r, &t, SYS_brk, 0, 0, 0, 0, &ret))
		p->brk = ret;
	if (!remote_syscall(r, &t, SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, &ret) && ret >= 0)
		p->dumpable = ret;
	if (!remote_syscall(r, &t, SYS_prctl, PR_GET_THP_DISABLE, 0, 0, 0, &ret) && ret > 0)
		p->flags |= TTREC_PROC_THP_DISABLED;
	if (!remote_syscall(r, &t, SYS_prctl, PR_GET_SECUREBITS, 0, 0, 0, &ret) && ret >= 0)
		p->securebits = ret;
	err = remote_end(r, &t);
	if (err)
		pr_warn("state: thread %d could not be put back as it was: %s\n", tid,
			strerror(-err));
}

/* Does a thread have a working directory or root of its own? */
static bool fs_unshared(pid_t pid, const pid_t *tids, unsigned int n)
{
	char a[PATH_MAX], b[PATH_MAX], path[96];
	const char *what[] = { "cwd", "root" };
	unsigned int i, k;

	for (k = 0; k < 2; k++) {
		ssize_t la, lb;

		snprintf(path, sizeof(path), "/proc/%d/%s", pid, what[k]);
		la = readlink(path, a, sizeof(a));
		for (i = 0; i < n && la >= 0; i++) {
			snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", pid, tids[i], what[k]);
			lb = readlink(path, b, sizeof(b));
			if (lb >= 0 && (lb != la || memcmp(a, b, la)))
				return true;
		}
	}
	return false;
}

static int gather_process(struct remote *r, pid_t pid, const pid_t *tids, unsigned int n,
			  bool pending_truncated, struct proc_state *ps)
{
	struct ttrec_snap_proc p;
	struct ttrec_sigaction act[STATE_NSIG];
	struct state_buf *b = &ps->proc, sig = { 0 };
	uint64_t auxv[AUXV_MAX];
	uint32_t *groups = NULL, ngroups = 0, nauxv = 0;
	struct ttrec_posix_timer *timers = NULL;
	char *comm, *raw;
	struct stat exe;
	bool have_act;
	size_t len;
	unsigned int i;
	pid_t asker = tids[0];
	int err;

	memset(&p, 0, sizeof(p));
	err = read_ids(pid, &p, &groups, &ngroups);
	if (err)
		return err;
	comm = proc_read(pid, 0, "comm", NULL);
	if (comm) {
		comm[strcspn(comm, "\n")] = 0;
		snprintf((char *)p.comm, sizeof(p.comm), "%s", comm);
		free(comm);
	}
	p.personality = proc_number(pid, "personality", 16, 0);
	p.oom_score_adj = proc_number(pid, "oom_score_adj", 10, 0);
	err = read_timers(pid, &timers, &p.nr_posix_timers);
	if (err)
		goto out;
	read_limits(pid, &p);
	if (fs_unshared(pid, tids, n))
		p.flags |= TTREC_PROC_FS_UNSHARED;
	if (pending_truncated)
		p.flags |= TTREC_PROC_PENDING_TRUNCATED;
	for (i = 0; i < n; i++)
		if (tids[i] == pid)
			asker = pid;
	memset(act, 0, sizeof(act));
	ask_process(r, asker, &p, act, &have_act, timers, p.nr_posix_timers);
	if (!have_act)
		pr_debug("state: the signal actions of %d cannot be asked: left out\n", pid);
	raw = proc_read(pid, 0, "auxv", &len);
	if (raw) {
		nauxv = len / 16 < AUXV_MAX / 2 ? len / 16 : AUXV_MAX / 2;
		memcpy(auxv, raw, nauxv * 16);
		free(raw);
	}
	err = state_siginfo(asker, true, &sig);
	if (err == -EIO || err == -EINVAL) {
		p.flags |= TTREC_PROC_PENDING_TRUNCATED;
		err = 0;
	}
	if (err)
		goto out;

	/* the notes, in the module's order; exe's identity into the first */
	sbuf_note(b, TTREC_NT_PROC, &p, sizeof(p));
	if (have_act)
		sbuf_note(b, TTREC_NT_SIGACTIONS, act, sizeof(act));
	if (nauxv)
		sbuf_note(b, TTREC_NT_AUXV, auxv, nauxv * 16);
	if (ngroups)
		sbuf_note(b, TTREC_NT_GROUPS, groups, ngroups * sizeof(*groups));
	memset(&exe, 0, sizeof(exe));
	link_note(b, pid, "exe", TTREC_NT_EXE, &exe);
	link_note(b, pid, "cwd", TTREC_NT_CWD, NULL);
	link_note(b, pid, "root", TTREC_NT_ROOT, NULL);
	if (!b->err) {
		struct ttrec_snap_proc *np = (struct ttrec_snap_proc *)(b->p + 8);

		np->exe_dev = exe.st_dev;
		np->exe_ino = exe.st_ino;
	}
	for (size_t off = 0; off + 8 <= sig.len && !b->err; ) {
		struct ttrec_snap_note nt;

		memcpy(&nt, sig.p + off, sizeof(nt));
		sbuf_note(b, nt.type, sig.p + off + 8, nt.size);
		off += 8 + ((nt.size + 7) & ~7U);
	}
	for (i = 0; i < p.nr_posix_timers; i++)
		sbuf_note(b, TTREC_NT_POSIX_TIMER, &timers[i], sizeof(timers[i]));
	err = b->err;
out:
	sbuf_free(&sig);
	free(timers);
	free(groups);
	return err;
}

int proc_state_gather(pid_t pid, const pid_t *tids, unsigned int n, struct proc_state *out)
{
	struct remote r;
	bool truncated = false;
	unsigned int i;
	int err;

	memset(out, 0, sizeof(*out));
	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		uint64_t mask;

		if (!ptrace(PTRACE_GETSIGMASK, tids[i], sizeof(mask), &mask))
			continue;
		if (kill(pid, 0) && errno == ESRCH) {
			pr_err("state: process %d is gone\n", pid);
			return -ESRCH;
		}
		pr_err("state: thread %d of %d is not in a ptrace stop of ours; stop it first (PTRACE_SEIZE, PTRACE_INTERRUPT)\n",
		       tids[i], pid);
		return -EPERM;
	}
	out->tids = calloc(n, sizeof(*out->tids));
	out->thread_notes = calloc(n, sizeof(*out->thread_notes));
	if (!out->tids || !out->thread_notes) {
		proc_state_free(out);
		return -ENOMEM;
	}
	out->nr_threads = n;
	err = remote_open(&r, pid);
	if (err == -ESRCH || err == -ENOENT) {
		pr_err("state: process %d is gone\n", pid);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		out->tids[i] = tids[i];
		err = state_thread(&r, pid, tids[i], &out->thread_notes[i], &truncated);
		if (err) {
			pr_err("state: thread %d of %d: %s\n", tids[i], pid, strerror(-err));
			goto fail;
		}
	}
	err = gather_process(&r, pid, tids, n, truncated, out);
	if (err) {
		pr_err("state: process %d: %s\n", pid, strerror(-err));
		goto fail;
	}
	err = state_fds(pid, out);
	if (err) {
		pr_err("state: the descriptors of %d: %s\n", pid, strerror(-err));
		goto fail;
	}
	remote_close(&r);
	return 0;
fail:
	remote_close(&r);
	proc_state_free(out);
	return err;
}

void proc_state_free(struct proc_state *ps)
{
	uint32_t i;

	sbuf_free(&ps->proc);
	sbuf_free(&ps->fds);
	for (i = 0; ps->thread_notes && i < ps->nr_threads; i++)
		sbuf_free(&ps->thread_notes[i]);
	free(ps->thread_notes);
	free(ps->tids);
	memset(ps, 0, sizeof(*ps));
}

int proc_state_threads(const struct proc_state *ps, const uint8_t *threads, size_t len,
		       uint8_t **out, size_t *out_len)
{
	uint8_t **notes = calloc(ps->nr_threads ? ps->nr_threads : 1, sizeof(*notes));
	size_t *lens = calloc(ps->nr_threads ? ps->nr_threads : 1, sizeof(*lens));
	uint32_t *counts = calloc(ps->nr_threads ? ps->nr_threads : 1, sizeof(*counts));
	uint32_t i;
	int err = -ENOMEM;

	if (notes && lens && counts) {
		for (i = 0; i < ps->nr_threads; i++) {
			notes[i] = ps->thread_notes[i].p;
			lens[i] = ps->thread_notes[i].len;
			counts[i] = ps->thread_notes[i].count;
		}
		err = state_threads_add_notes(threads, len, (const uint32_t *)ps->tids, notes,
					      lens, counts, ps->nr_threads, out, out_len);
	}
	free(notes);
	free(lens);
	free(counts);
	return err;
}

void proc_state_streams(const struct proc_state *ps, struct img_state_streams *out)
{
	out->proc = ps->proc.p;
	out->proc_len = ps->proc.len;
	out->fds = ps->fds.p;
	out->fds_len = ps->fds.len;
	out->nr_fds = ps->fds.count;
	out->fds_total = ps->fds_total;
	out->fds_state = ps->fds_state;
}
