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
};

/*
 * Restore @o->image. Every failure is explained. Without @o->detach, wait
 * for the restored process and put its exit status (or 128 + signal) in
 * *@status. Return: 0, or -errno (nothing of the restore is left running).
 */
int restore_run(const struct restore_opts *o, int *status);

#endif
