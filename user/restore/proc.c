// SPDX-License-Identifier: GPL-2.0
/*
 * The process's own settings from the image's process state: working
 * directory, root directory, umask, resource limits, personality,
 * oom_score_adj, no_new_privs, child subreaper, THP disable, and (after
 * the credentials, which reset it) dumpable; each thread's name and timer
 * slack. Each is a call injected into the leader (or the thread), but
 * oom_score_adj, written to /proc/PID/oom_score_adj by ttrec.
 *
 * The paths are the ones the snapshot saw from its own root; the working
 * directory must still exist. A root other than "/" is entered with
 * chroot(), which takes CAP_SYS_CHROOT, as the rest of the restore takes
 * root. The limits are set with prlimit64() (raising a hard limit takes
 * CAP_SYS_RESOURCE); a limit the kernel refuses (RLIMIT_NOFILE above
 * fs.nr_open) fails the restore, naming it. An image whose limits are all
 * 0 did not capture them (an older module-less snapshot of another user's
 * process): the restore's are kept, with a warning, rather than limits
 * that would kill the process (RLIMIT_CPU 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "restore/internal.h"
#include "lib/log.h"

/* A path into the scratch area. */
static int path_arg(struct rst *r, const char *path, uint64_t *at)
{
	return rst_scratch(r, 0, path, strlen(path) + 1, at);
}

static int failed(const char *what, const char *arg, int64_t ret)
{
	pr_err("restore: %s %s: %s\n", what, arg, strerror((int)-ret));
	return ret == -ESRCH ? -ESRCH : -EIO;
}

/* cwd and umask: right after the memory, before anything opens a file. */
int rst_proc_fs(struct rst *r)
{
	const struct img_proc_state *ps = r->ps;
	uint64_t at;
	int64_t ret;
	int err;

	if (!ps)
		return 0;
	if (ps->p.flags & TTREC_PROC_FS_UNSHARED)
		pr_warn("restore: a thread of the process had a working directory, root or umask of its own: every thread gets the process's\n");
	if (ps->cwd) {
		err = path_arg(r, ps->cwd, &at);
		if (err)
			return err;
		ret = rst_syscall(r, r->leader, SYS_chdir, at, 0, 0, 0, 0, 0);
		if (ret < 0 && ret > -4096)
			return failed("the working directory", ps->cwd, ret);
	}
	rst_syscall(r, r->leader, SYS_umask, ps->p.umask & 0777, 0, 0, 0, 0, 0);
	rst_note(r, "cwd %s, umask %04o\n", ps->cwd ? ps->cwd : "(not in the image)",
		 ps->p.umask & 0777);
	return 0;
}

static int set_oom_score_adj(struct rst *r, int adj)
{
	char path[64], val[16];
	int fd, n, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", r->hpid);
	n = snprintf(val, sizeof(val), "%d", adj);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, n) != n)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err)
		pr_err("restore: oom_score_adj %d: %s\n", adj, strerror(-err));
	return err;
}

/* no_new_privs, child subreaper, THP disable: the prctl() flags. */
static int prctl_flags(struct rst *r, const struct ttrec_snap_proc *p)
{
	static const struct {
		uint32_t flag;
		int option;
		const char *name;
	} flags[] = {
		{ TTREC_PROC_NO_NEW_PRIVS, PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS" },
		{ TTREC_PROC_CHILD_SUBREAPER, PR_SET_CHILD_SUBREAPER, "PR_SET_CHILD_SUBREAPER" },
		{ TTREC_PROC_THP_DISABLED, PR_SET_THP_DISABLE, "PR_SET_THP_DISABLE" },
	};

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		int64_t ret;

		if (!(p->flags & flags[i].flag))
			continue;
		ret = rst_syscall(r, r->leader, SYS_prctl, flags[i].option, 1, 0, 0, 0, 0);
		if (ret < 0 && ret > -4096)
			return failed("prctl", flags[i].name, ret);
	}
	return 0;
}

/*
 * Root, limits, personality, oom_score_adj: late, once the descriptors and
 * threads are made (a low RLIMIT_NOFILE or RLIMIT_NPROC would stop those).
 */
int rst_proc_settings(struct rst *r)
{
	const struct img_proc_state *ps = r->ps;
	uint64_t at, limits = 0;
	int64_t ret;
	int err;

	if (!ps)
		return 0;
	for (uint32_t i = 0; i < TTREC_RLIM_NLIMITS; i++)
		limits |= ps->p.rlim[i].cur | ps->p.rlim[i].max;
	if (!limits)
		pr_warn("restore: the image holds no resource limits (every one 0: not captured); the process gets the restore's\n");
	for (uint32_t i = 0; limits && i < TTREC_RLIM_NLIMITS; i++) {
		const struct ttrec_rlimit *l = &ps->p.rlim[i];
		char what[96];

		err = rst_scratch(r, 0, l, sizeof(*l), &at);
		if (err)
			return err;
		ret = rst_syscall(r, r->leader, SYS_prlimit64, 0, i, at, 0, 0, 0);
		if (ret < 0 && ret > -4096) {
			snprintf(what, sizeof(what), "%s (soft %lld, hard %lld)", state_rlimit_name(i),
				 (long long)l->cur, (long long)l->max);
			return failed("the resource limit", what, ret);
		}
	}
	ret = rst_syscall(r, r->leader, SYS_personality, ps->p.personality, 0, 0, 0, 0, 0);
	if (ret < 0 && ret > -4096) {
		char what[16];

		snprintf(what, sizeof(what), "%#x", ps->p.personality);
		return failed("the personality", what, ret);
	}
	err = set_oom_score_adj(r, ps->p.oom_score_adj);
	if (err)
		return err;
	err = prctl_flags(r, &ps->p);
	if (err)
		return err;
	if (ps->root && strcmp(ps->root, "/")) {
		err = path_arg(r, ps->root, &at);
		if (err)
			return err;
		ret = rst_syscall(r, r->leader, SYS_chroot, at, 0, 0, 0, 0, 0);
		if (ret < 0 && ret > -4096) {
			pr_err("restore: the process's root directory was %s; chroot() there (it takes CAP_SYS_CHROOT): %s\n",
			       ps->root, strerror((int)-ret));
			return ret == -ESRCH ? -ESRCH : -EIO;
		}
	}
	rst_note(r, "%u resource limits, personality %#x, oom_score_adj %d%s%s\n",
		 TTREC_RLIM_NLIMITS, ps->p.personality, ps->p.oom_score_adj,
		 ps->root && strcmp(ps->root, "/") ? ", root " : "",
		 ps->root && strcmp(ps->root, "/") ? ps->root : "");
	return 0;
}

/* After the credentials: a change of uid made the process not dumpable. */
int rst_proc_dumpable(struct rst *r)
{
	const struct img_proc_state *ps = r->ps;
	int64_t ret;

	if (!ps)
		return 0;
	if (ps->p.dumpable > 1) {
		/* SUID_DUMP_ROOT: set by the kernel only, at an exec */
		pr_warn("restore: the process was dumpable for root only (%u), which only an exec sets: it is left not dumpable\n",
			ps->p.dumpable);
		ret = rst_syscall(r, r->leader, SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0, 0);
	} else {
		ret = rst_syscall(r, r->leader, SYS_prctl, PR_SET_DUMPABLE, ps->p.dumpable, 0,
				  0, 0, 0);
	}
	if (ret < 0 && ret > -4096)
		return failed("prctl(PR_SET_DUMPABLE)", "", ret);
	return 0;
}

/* Each thread's name and timer slack, from its state notes. */
int rst_proc_threads(struct rst *r)
{
	uint32_t named = 0;

	for (uint32_t i = 0; i < r->nthr; i++) {
		struct rthread *t = &r->thr[i];
		const struct img_thread_state *s = img_thread_state(r->im, t->tid);
		char comm[sizeof(s->t.comm)];
		uint64_t at;
		int64_t ret;
		int err;

		if (!s || !s->has_state)
			continue;
		memcpy(comm, s->t.comm, sizeof(comm));
		comm[sizeof(comm) - 1] = 0;
		err = rst_scratch(r, 0, comm, sizeof(comm), &at);
		if (err)
			return err;
		ret = rst_syscall(r, t, SYS_prctl, PR_SET_NAME, at, 0, 0, 0, 0);
		if (ret < 0 && ret > -4096)
			return failed("the name of thread", comm, ret);
		if (s->t.timer_slack_ns) {
			ret = rst_syscall(r, t, SYS_prctl, PR_SET_TIMERSLACK, s->t.timer_slack_ns,
					  0, 0, 0, 0);
			if (ret < 0 && ret > -4096)
				return failed("the timer slack of thread", comm, ret);
		}
		named++;
	}
	rst_note(r, "names and timer slack of %u of %u threads\n", named, r->nthr);
	return 0;
}
