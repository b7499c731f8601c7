// SPDX-License-Identifier: GPL-2.0
/*
 * The replayed processes and threads, each known by its recorded id (as
 * the journal names it) and its id in the replay: the table that
 * translates one into the other (pids.c uses it where a syscall the
 * replay runs for real takes a pid).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "replay/internal.h"

struct rproc *rp_proc_new(struct rp *rp, uint32_t rpid, pid_t pid)
{
	struct rproc *p = calloc(1, sizeof(*p));
	char path[64];

	if (!p)
		return NULL;
	p->rpid = rpid;
	p->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	p->memfd = open(path, O_RDWR | O_CLOEXEC);
	p->next = rp->procs;
	rp->procs = p;
	return p;
}

int rp_proc_reopen_mem(struct rproc *p)
{
	char path[64];

	if (p->memfd >= 0)
		close(p->memfd);
	snprintf(path, sizeof(path), "/proc/%d/mem", p->pid);
	p->memfd = open(path, O_RDWR | O_CLOEXEC);
	return p->memfd < 0 ? -errno : 0;
}

struct rthread *rp_thread_new(struct rp *rp, struct rproc *p, uint32_t rtid, pid_t tid)
{
	struct rthread *t = calloc(1, sizeof(*t));
	int i;

	if (!t)
		return NULL;
	t->fs = rp_fs_new();
	if (!t->fs) {
		free(t);
		return NULL;
	}
	t->rtid = rtid;
	t->tid = tid;
	t->p = p;
	t->last_nr = -1;
	t->next = rp->threads;
	rp->threads = t;
	/* statuses that arrived before we knew the thread */
	for (i = 0; i < rp->norphans;) {
		if (rp->orphans[i].pid == tid && t->nstash < STASH_MAX) {
			t->stash[t->nstash++] = rp->orphans[i].status;
			rp->orphans[i] = rp->orphans[--rp->norphans];
		} else {
			i++;
		}
	}
	return t;
}

struct rthread *rp_thread_by_rtid(struct rp *rp, uint32_t rtid)
{
	struct rthread *t;

	if (rp->last && rp->last->rtid == rtid)
		return rp->last;
	for (t = rp->threads; t; t = t->next)
		if (t->rtid == rtid && t->st != TS_DEAD)
			return rp->last = t;
	for (t = rp->threads; t; t = t->next)
		if (t->rtid == rtid)
			return t;
	return NULL;
}

struct rthread *rp_thread_by_tid(struct rp *rp, pid_t tid)
{
	struct rthread *t;

	for (t = rp->threads; t; t = t->next)
		if (t->tid == tid && t->st != TS_DEAD)
			return t;
	return NULL;
}

struct rproc *rp_proc_by_rpid(struct rp *rp, uint32_t rpid)
{
	struct rproc *p;

	for (p = rp->procs; p; p = p->next)	/* the newest first */
		if (p->rpid == rpid)
			return p;
	return NULL;
}
