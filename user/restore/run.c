// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec restore, in order: read the image chain, check privileges, pids
 * and descriptors, make the stub and clear it, put the vDSO, the VMAs and
 * their pages in place, the mm fields, cwd and umask, the descriptors, the
 * threads and their state, the process's state (signal actions, limits,
 * personality, pending signals, timers, and last the credentials), drop
 * the injection page, give every thread its registers and signal mask,
 * let the process go (stopped with --stop) and, unless --detach, wait for
 * it.
 *
 * Any failure before the process is let go kills the stub (and the
 * namespace's init): nothing half-restored runs.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "restore/internal.h"
#include "lib/log.h"

static const char *const phase_names[PH_MAX] = {
	[PH_IMAGE] = "image read, checked",
	[PH_STUB] = "stub created, cleared",
	[PH_VDSO] = "vDSO placed",
	[PH_VMAS] = "VMAs mapped",
	[PH_PAGES] = "pages written",
	[PH_MM] = "mm fields, comm, cwd",
	[PH_FDS] = "descriptors",
	[PH_THREADS] = "threads created, their state",
	[PH_PROC] = "process state, credentials",
	[PH_REGS] = "registers set, let go",
};

uint64_t rst_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void rst_note(const struct rst *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->o->verbose)
		return;
	fflush(stdout);
	fputs("restore: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void phase_done(struct rst *r, enum rst_phase p, uint64_t *t)
{
	uint64_t now = rst_now_ns();

	r->t_phase[p] = now - *t;
	*t = now;
}

/* The image and what restore needs of it. */
static int load(struct rst *r)
{
	const struct img_header *h;
	int err = img_open(r->o->image, &r->im);

	if (err) {
		pr_err("restore: cannot restore %s (see above)\n", r->o->image);
		return err;
	}
	h = &r->im->h;
	if (h->version < 2 || !(h->flags & IMG_F_VMA_KINDS)) {
		pr_err("restore: %s: %s; take the snapshot again with this ttrec%s\n",
		       r->o->image,
		       h->version < 2 ? "an image of format version 1 holds neither the process state nor which mappings are the vDSO's, which a restore needs" :
		       "it was taken with a ttrec.ko that does not say which mappings are the vDSO's (no TTREC_FEATURE_VMA_KINDS)",
		       h->version < 2 ? "" : " and the ttrec.ko built with it");
		return -EPROTO;
	}
	r->pid = h->pid;
	if (!r->pid) {
		pr_err("restore: %s: the process was not visible in the snapshot's pid namespace\n",
		       r->o->image);
		return -EPROTO;
	}
	err = rst_threads_load(r);
	if (err)
		return err;
	r->ps = img_state(r->im) ? &img_state(r->im)->proc : NULL;
	rst_note(r, "%s: process %d (%s), %u threads, %u VMAs, %s image (chain depth %u)\n",
		 r->o->image, r->pid, h->comm, r->nthr, r->im->nr_vmas,
		 (h->flags & IMG_F_INCREMENTAL) ? "incremental" : "full", h->depth);
	return 0;
}

/* Each thread's kernel state. */
static int thread_state(struct rst *r)
{
	int err = 0;

	for (uint32_t i = 0; !err && i < r->nthr; i++) {
		err = rst_tstate_sleep(r, &r->thr[i]);
		if (!err)
			err = rst_tstate_apply(r, &r->thr[i]);
	}
	return err;
}

/*
 * The process's state, once its threads exist: signal actions before the
 * pending signals are queued, timers armed as late as can be, the
 * credentials last (nothing privileged can be injected after them), then
 * dumpable (a change of uid resets it). Then the injection page goes.
 */
static int process_state(struct rst *r)
{
	int err = rst_sigactions(r);

	if (!err)
		err = rst_proc_threads(r);
	if (!err)
		err = rst_proc_settings(r);
	if (!err)
		err = rst_pending_signals(r);
	if (!err)
		err = rst_itimers(r);
	if (!err)
		err = rst_posix_timers(r);
	/* before the credentials: installing it may need the privileges */
	if (!err && r->o->seccomp)
		err = rst_install_seccomp(r, r->o->seccomp);
	if (!err)
		err = rst_creds(r);
	if (!err)
		err = rst_proc_dumpable(r);
	if (!err && r->ps)
		rst_note(r, "%u signal handlers, %u signals ignored, %u pending signals queued, %u interval timers, %u POSIX timers (%u armed)\n",
			 r->nr_handlers, r->nr_ignored, r->nr_pending, r->nr_itimers,
			 r->nr_timers, r->nr_timers_armed);
	else if (!err)
		rst_note(r, "the image holds no process state: signal actions, limits, timers and credentials are the restore's\n");
	if (!err && rst_syscall_ok(r, r->leader, "unmapping the injection page", SYS_munmap,
				   r->gadget, r->inject_len, 0, 0, 0, 0) < 0)
		err = -EIO;
	return err;
}

static void let_go(struct rst *r)
{
	for (int sig = 1; sig <= 64; sig++)
		if (r->dropped_sigs & (1ULL << (sig - 1)))
			kill(r->hpid, sig);	/* arrived during the restore */
	if (r->o->stop)
		kill(r->hpid, SIGSTOP);	/* pending before any thread runs */
	for (uint32_t i = 0; i < r->nthr; i++)
		ptrace(PTRACE_DETACH, r->thr[i].htid, 0, 0);
}

/* --stop: back only once every thread is in the group stop. */
static void wait_stopped(struct rst *r)
{
	struct timespec nap = { 0, 1000000 };

	for (int i = 0; i < 5000; i++) {
		uint32_t stopped = 0;

		for (uint32_t k = 0; k < r->nthr; k++) {
			char path[64], line[512], *p;
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", r->hpid, r->thr[k].htid);
			f = fopen(path, "re");
			if (f && fgets(line, sizeof(line), f) && (p = strrchr(line, ')')) &&
			    p[1] == ' ' && p[2] == 'T')
				stopped++;
			if (f)
				fclose(f);
		}
		if (stopped == r->nthr)
			return;
		nanosleep(&nap, NULL);
	}
	pr_warn("restore: process %d did not stop\n", r->pid);
}

static void summary(struct rst *r)
{
	uint64_t total = rst_now_ns() - r->t_start;

	for (int p = 0; p < PH_MAX; p++)
		rst_note(r, "  %-30s %9.3f ms\n", phase_names[p], r->t_phase[p] / 1e6);
	rst_note(r, "%u VMAs (%u files, %u shared memory objects), %llu data pages (%.1f MiB), %llu zero pages written, %u descriptors, %u threads\n",
		 r->nr_vmas, r->nr_files, r->nr_shared, (unsigned long long)r->pages_data,
		 r->pages_data * (double)IMG_PAGE_SIZE / 1048576.0,
		 (unsigned long long)r->pages_zero, r->nr_fds, r->nthr);
	if (r->o->verbose || r->o->stop || r->o->detach) {
		fflush(stdout);
		if (r->o->pidns)
			fprintf(stderr, "restore: process %d (%s) restored in %.3f ms as pid %d of a new pid namespace (pid %d here)%s\n",
				r->pid, r->im->h.comm, total / 1e6, r->pid, r->hpid,
				r->o->stop ? ", stopped" : "");
		else
			fprintf(stderr, "restore: process %d (%s) restored in %.3f ms%s\n", r->pid,
				r->im->h.comm, total / 1e6, r->o->stop ? ", stopped" : "");
	}
}

static int wait_for(struct rst *r, int *status)
{
	pid_t who = r->init_hpid ? r->init_hpid : r->hpid;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	int st;

	/* the terminal's ^C and ^\ are the restored process's to take */
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	while (waitpid(who, &st, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

/* restore_traced(): the threads stay seized, the caller has them. */
static int hand_over(struct rst *r, struct restore_traced *out)
{
	out->thr = calloc(r->nthr, sizeof(*out->thr));
	if (!out->thr)
		return -ENOMEM;
	out->pid = r->pid;
	out->nthr = r->nthr;
	out->thr[0].tid = r->leader->tid;
	out->thr[0].htid = r->leader->htid;
	for (uint32_t i = 0, k = 1; i < r->nthr; i++) {
		if (&r->thr[i] == r->leader)
			continue;
		out->thr[k].tid = r->thr[i].tid;
		out->thr[k++].htid = r->thr[i].htid;
	}
	return 0;
}

static int restore(const struct restore_opts *o, int *status, struct restore_traced *out)
{
	struct rst r = { .o = o, .memfd = -1, .exe_fd = -1, .report_fd = -1 };
	bool released = false;
	uint64_t t;
	int err;

	r.t_start = t = rst_now_ns();
	*status = 0;
	err = load(&r);
	if (!err)
		err = rst_check_privileges(&r);
	if (!err)
		err = rst_check_pids(&r);
	if (!err)
		err = rst_tstate_plan(&r);
	/* placeholders: the replay from a snapshot gets every result from the journal */
	if (!err && !o->placeholders)
		err = rst_fds_plan(&r);
	if (err)
		goto out;
	phase_done(&r, PH_IMAGE, &t);
	err = rst_stub_start(&r);
	if (!err)
		err = rst_stub_clear(&r);
	if (err)
		goto out;
	phase_done(&r, PH_STUB, &t);
	err = rst_vdso(&r);
	if (err)
		goto out;
	phase_done(&r, PH_VDSO, &t);
	err = rst_map_vmas(&r);
	if (err)
		goto out;
	phase_done(&r, PH_VMAS, &t);
	err = rst_fill_pages(&r);
	if (!err)
		err = rst_vmas_finish(&r);
	if (err)
		goto out;
	phase_done(&r, PH_PAGES, &t);
	err = rst_mm(&r);
	if (!err)
		err = rst_proc_fs(&r);
	if (err)
		goto out;
	phase_done(&r, PH_MM, &t);
	err = o->placeholders ? 0 : rst_fds_restore(&r);
	rst_sockets_done(&r);		/* ours go: the process's alone hold them */
	if (err)
		goto out;
	phase_done(&r, PH_FDS, &t);
	err = rst_threads_create(&r);
	if (!err && o->placeholders)
		err = rst_fd_placeholders(&r);
	if (!err)
		err = thread_state(&r);
	if (err)
		goto out;
	phase_done(&r, PH_THREADS, &t);
	err = process_state(&r);
	if (err)
		goto out;
	phase_done(&r, PH_PROC, &t);
	err = rst_threads_finish(&r);
	if (err)
		goto out;
	if (out) {
		err = hand_over(&r, out);
		if (err)
			goto out;
		phase_done(&r, PH_REGS, &t);
		summary(&r);
		released = true;	/* the caller's now */
		goto out;
	}
	let_go(&r);
	released = true;
	if (o->stop)
		wait_stopped(&r);
	phase_done(&r, PH_REGS, &t);
	summary(&r);
	if (!o->detach)
		err = wait_for(&r, status);
out:
	if (err && !released)
		rst_kill(&r);
	rst_fds_free(&r);
	if (r.memfd >= 0)
		close(r.memfd);
	free(r.thr);
	img_close(r.im);
	return err;
}

int restore_run(const struct restore_opts *o, int *status)
{
	return restore(o, status, NULL);
}

int restore_traced(const struct restore_opts *o, struct restore_traced *out)
{
	int status;

	memset(out, 0, sizeof(*out));
	if (o->pidns || o->stop || o->detach)
		return -EINVAL;
	return restore(o, &status, out);
}
