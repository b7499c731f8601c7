/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recorder's tracer thread (tracer.c, `ttrec record` only): PTRACE_SEIZE
 * @pid (forked, not yet exec'd) and follow it (and its threads, and with
 * @follow_fork its children) through every exec, recording each image's
 * launch facts: the first exec of @pid into @li, later ones into DIR/execs.
 */
#ifndef TTREC_RECORD_TRACER_H
#define TTREC_RECORD_TRACER_H

#include <stdbool.h>
#include <sys/types.h>

#include "format/launch.h"

struct launch_tracer;

/*
 * Start the tracer thread on @pid. With @cpu >= 0 (the CPU the command is
 * pinned to) the thread runs there, SCHED_RR above the command. 0 or -errno
 * (no ptrace).
 */
int launch_tracer_start(struct launch_tracer **out, pid_t pid, const char *dir,
			bool follow_fork, int cpu, struct launch_info *li);
/* Wait for @pid's first exec: 0 (@li filled), or -ECHILD if it died before. */
int launch_tracer_first_exec(struct launch_tracer *lt);
/*
 * @pid's wait status once it exited (the tracer reaps it): with @wait until
 * every tracee is gone. 0 with *status, or -EAGAIN if it has not exited.
 * Frees @lt once the tracer is done.
 */
int launch_tracer_finish(struct launch_tracer *lt, bool wait, int *status);

#endif
