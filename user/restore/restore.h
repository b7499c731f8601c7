/* SPDX-License-Identifier: GPL-2.0 */
/* ttrec restore: make a process of a snapshot image again (user/restore/). */
#ifndef TTREC_RESTORE_H
#define TTREC_RESTORE_H

#include <stdbool.h>

/* --inherit-fd N=PATH */
struct restore_inherit {
	int fd;
	const char *path;
};

struct restore_opts {
	const char *image;
	bool stop;		/* --stop: leave it stopped (SIGSTOP) */
	bool pidns;		/* --pidns: in a new pid namespace */
	bool detach;		/* --detach: do not wait for it */
	bool verbose;		/* -v: what was restored, with timings */
	bool force;		/* --force: files changed since the snapshot */
	bool skip_unsupported;	/* --skip-unsupported: /dev/null for those */
	const struct restore_inherit *inherit;	/* --inherit-fd */
	unsigned int nr_inherit;
	/*
	 * For the replay from a snapshot (user/replay/from_snapshot.c), with
	 * restore_traced(): every descriptor of the image is /dev/null at its
	 * number (its results come from the journal), and @seccomp (a struct
	 * sock_fprog, or NULL) is installed in every thread, last.
	 */
	bool placeholders;
	const void *seccomp;
};

/* A restored process left stopped under the caller's ptrace. */
struct restore_traced {
	pid_t pid;		/* the image's (and the process's) pid */
	uint32_t nthr;
	struct {
		pid_t tid;	/* the image's */
		pid_t htid;	/* in the caller's pid namespace */
	} *thr;			/* malloc()ed, the leader first */
};

/*
 * Restore @o->image. Every failure is explained. Without @o->detach, wait
 * for the restored process and put its exit status (or 128 + signal) in
 * *@status. Return: 0, or -errno (nothing of the restore is left running).
 */
int restore_run(const struct restore_opts *o, int *status);

/*
 * Restore @o->image (without --pidns, --stop, --detach) and keep its
 * threads seized by the caller, each at a PTRACE_EVENT_STOP with the
 * image's registers, to be resumed by the caller (its ptrace options are
 * the restore's plus PTRACE_O_TRACESECCOMP; set others with
 * PTRACE_SETOPTIONS). Return: 0, or -errno (nothing left running).
 */
int restore_traced(const struct restore_opts *o, struct restore_traced *out);

#endif
