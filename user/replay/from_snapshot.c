// SPDX-License-Identifier: GPL-2.0
/*
 * Replay from a snapshot placed in the journal (REC_SNAP TAKEN records,
 * Documentation/record.rst): instead of launching the program and
 * replaying every event since its exec, the snapshot's image is restored
 * (user/restore/: memory, registers; descriptors as placeholders with their
 * recorded numbers, since every result comes from the journal; the
 * replay's seccomp filter installed last) with its threads left under this
 * replay's ptrace, the vDSO patched as the launch patches it, and each
 * thread handed to the engine at its journal position: the journal is
 * read up to the snapshot's record, which by construction stands after
 * every thread's last event before its park and before anything any thread
 * did after it. A thread parked inside a syscall whose exit comes later
 * (REC_SNAPT_IN_SYSCALL: its result so far a restart code) is put back at
 * its syscall instruction with that syscall (restart_syscall for
 * -ERESTART_RESTARTBLOCK, as the kernel would restart it) and no syscall
 * in flight, so it enters the call again and the engine meets it at the
 * seccomp stop of the event the journal has next for it.
 *
 * Which snapshot: --from-snapshot N (1 is the journal's first), or with
 * --to SEQ the latest whose record is at or before SEQ. From there the
 * replay is the launch's: divergence detection, --to, --regs, --mem...
 *
 * Not yet: snapshots of more than one thread (each thread is a restored
 * thread to register with the engine, and the order of their first steps
 * after the snapshot is the journal's), processes with children, and
 * descriptors a later syscall needs for real (mmap of a file: the
 * placeholder maps /dev/null).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <linux/filter.h>

#include "format/records.h"
#include "launch/launch.h"
#include "lib/log.h"
#include "replay/internal.h"
#include "restore/restore.h"
#include "syscalls/restart.h"

/* A snapshot of the journal, as the replay needs it. */
struct snap {
	uint64_t seq;			/* its TAKEN record */
	uint32_t tgid;
	char image[REC_SNAP_NAME_MAX];
	uint32_t nthreads;
	struct rec_snap_thread th[1];	/* single-threaded snapshots only */
	int64_t park_ret[1];		/* each thread's result so far */
};

/*
 * The snapshot to start from: --from-snapshot N, or the latest at or
 * before --to. Return: 1 with *@s set, 0 when there is none to use (replay
 * from the launch), -errno (message printed).
 */
static int choose(struct rp *rp, struct snap *s)
{
	const struct replay_opts *o = rp->o;
	struct rec_reader rr;
	struct rec_event ev;
	uint64_t n = 0, ntaken = 0;
	int64_t ret_of[64] = { 0 };
	uint32_t tid_of[64] = { 0 };
	unsigned int nparks = 0;
	bool found = false;
	int err;

	if (!o->from_snapshot && !o->to)
		return 0;
	if (rec_reader_open(&rr, o->dir))
		return -EIO;
	while ((err = rec_reader_next(&rr, &ev)) > 0) {
		const struct rec_snap *r = ev.rec;

		if (o->to && ev.seq > o->to && !o->from_snapshot)
			break;
		if (ev.type != REC_SNAP)
			continue;
		if (r->kind == REC_SNAP_PARK) {
			const struct rec_snap_park *p = ev.rec;

			if (nparks < 64) {
				tid_of[nparks] = p->tid;
				ret_of[nparks++] = p->ret;
			}
			continue;
		}
		ntaken++;
		if (o->from_snapshot && ntaken != o->from_snapshot) {
			nparks = 0;
			continue;
		}
		memset(s, 0, sizeof(*s));
		s->seq = ev.seq;
		s->tgid = r->tid;
		memcpy(s->image, r->image, sizeof(s->image));
		s->nthreads = r->nthreads;
		if (r->nthreads == 1) {
			unsigned int k;

			s->th[0] = ev.snap_threads[0];
			for (k = 0; k < nparks; k++)
				if (tid_of[k] == s->th[0].tid)
					s->park_ret[0] = ret_of[k];
		}
		nparks = 0;
		n = ntaken;
		found = true;
		if (o->from_snapshot)
			break;
	}
	rec_reader_close(&rr);
	if (err < 0) {
		pr_err("replay: reading the journal's snapshots: %s\n", strerror(-err));
		return err;
	}
	if (o->from_snapshot && !found) {
		pr_err("replay: --from-snapshot %" PRIu64 ": the journal has %" PRIu64 " snapshots\n",
		       o->from_snapshot, ntaken);
		return -ENOENT;
	}
	if (!found)
		return 0;
	if (s->nthreads != 1) {
		if (o->from_snapshot) {
			pr_err("replay: snapshot %" PRIu64 " holds %u threads: replay from a snapshot of more than one thread is not supported yet\n",
			       n, s->nthreads);
			return -ENOTSUP;
		}
		pr_debug("replay: from the launch (snapshot %" PRIu64 " at #%" PRIu64 ", the latest before #%" PRIu64 ", holds %u threads: not supported yet)\n",
			n, s->seq, o->to, s->nthreads);
		return 0;
	}
	if (o->to && s->seq > o->to) {
		pr_err("replay: snapshot %" PRIu64 " is at #%" PRIu64 ", after --to's #%" PRIu64 "\n",
		       n, s->seq, o->to);
		return -EINVAL;
	}
	pr_debug("replay: from snapshot %" PRIu64 " (%s) at #%" PRIu64 ": thread %u after #%" PRIu64 "%s\n",
		n, s->image, s->seq, s->th[0].tid, (uint64_t)s->th[0].last_seq,
		(s->th[0].flags & REC_SNAPT_IN_SYSCALL) ? ", inside a syscall" : "");
	return 1;
}

/* The [vdso] of @pid: its start, 0 when it has none. */
static uint64_t vdso_of(pid_t pid)
{
	char path[64], line[512];
	uint64_t lo = 0, a, b;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%" SCNx64 "-%" SCNx64, &a, &b) == 2)
			lo = a;
	fclose(f);
	return lo;
}

/*
 * A thread parked inside a syscall: at its syscall instruction again, to
 * make the call the journal has next for it.
 */
static void reenter(struct rthread *t, const struct snap *s)
{
	if (!(s->th[0].flags & REC_SNAPT_IN_SYSCALL) || (int64_t)t->regs.orig_rax < 0)
		return;
	t->regs.rax = s->park_ret[0] == -ERESTART_RESTARTBLOCK ? SYS_restart_syscall :
		      (uint64_t)s->th[0].nr;
	t->regs.orig_rax = -1;
	t->regs.rip -= 2;
	t->dirty = true;
}

static int start(struct rp *rp, const struct snap *s)
{
	struct restore_opts ro = { .placeholders = true };
	struct restore_traced rt;
	struct sock_fprog prog;
	char image[4096];
	struct rthread *t;
	struct rproc *p;
	struct rec_event ev;
	uint64_t vdso;
	int err, i;

	snprintf(image, sizeof(image), "%s/%s", rp->o->dir, s->image);
	rp_trace_filter(&prog);
	ro.image = image;
	ro.seccomp = &prog;
	ro.verbose = log_verbosity >= LOG_DEBUG;
	err = restore_traced(&ro, &rt);
	if (err) {
		rp_fail(rp, "cannot restore snapshot image %s: %s\n", image, strerror(-err));
		return err;
	}
	p = rp_proc_new(rp, s->tgid, rt.thr[0].htid);
	t = p ? rp_thread_new(rp, p, rt.thr[0].tid, rt.thr[0].htid) : NULL;
	free(rt.thr);
	if (!t)
		return -ENOMEM;
	if (ptrace(PTRACE_SETOPTIONS, t->tid, 0,
		   PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
		   PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC |
		   PTRACE_O_EXITKILL))
		return -errno;
	{
		int fds[LAUNCH_MAX_FDS], n = launch_list_fds(p->pid, fds, LAUNCH_MAX_FDS);

		for (i = 0; i < n; i++)
			rp_fd_set_kind(p, fds[i], fds[i] == 1 ? FD_STDOUT : fds[i] == 2 ? FD_STDERR :
					       FD_PLACEHOLDER);
	}
	vdso = vdso_of(p->pid);
	if (rp->li.exec.vdso_patched >= 0 && vdso &&
	    vdso_patch(p->memfd, vdso) != rp->li.exec.vdso_patched) {
		rp_fail(rp, "cannot patch the restored vDSO as in the recording\n");
		return -ESTALE;
	}
	p->nexec = 1;
	err = rp_getregs(t);
	if (err)
		return err;
	t->st = TS_PREEMPT;
	reenter(t, s);
	/* the journal up to the snapshot: every thread's position is behind it */
	while (rp->seq < s->seq) {
		err = rp_next_event(rp, &ev);
		if (err <= 0)
			return err ? err : -EPROTO;
		rp->seq = ev.seq;
		rp->ts = ev.ts;
	}
	t->last_ts = rp->ts;
	return 0;
}

int rp_start_from_snapshot(struct rp *rp)
{
	struct snap s;
	int err = choose(rp, &s);

	if (err <= 0)
		return err;
	err = start(rp, &s);
	return err ? err : 1;
}
