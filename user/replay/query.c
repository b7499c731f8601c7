// SPDX-License-Identifier: GPL-2.0
/*
 * --to SEQ (Documentation/replay.rst, Options): the replay stops right
 * after event SEQ and answers questions about that moment: every thread's
 * registers (--regs), the memory (--mem) and the maps (--maps) of the
 * process of that event; with --stop it leaves that process stopped, for a
 * debugger.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "lib/util.h"
#include "replay/internal.h"

static void print_regs(const struct rthread *t)
{
	const struct user_regs_struct *r = &t->regs;

	printf("thread %u (replayed as %d)%s\n", t->rtid, t->tid,
	       t->st == TS_ENTRY ? ": at the entry of its next syscall" : "");
	printf("  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n",
	       r->rax, r->rbx, r->rcx, r->rdx);
	printf("  rsi %016llx  rdi %016llx  rbp %016llx  rsp %016llx\n",
	       r->rsi, r->rdi, r->rbp, r->rsp);
	printf("  r8  %016llx  r9  %016llx  r10 %016llx  r11 %016llx\n",
	       r->r8, r->r9, r->r10, r->r11);
	printf("  r12 %016llx  r13 %016llx  r14 %016llx  r15 %016llx\n",
	       r->r12, r->r13, r->r14, r->r15);
	printf("  rip %016llx  eflags %08llx  orig_rax %lld\n",
	       r->rip, r->eflags,
	       (long long)(t->st == TS_DONE && (int64_t)r->orig_rax == -1 ? t->last_nr : (int64_t)r->orig_rax));
	printf("  fs_base %016llx  gs_base %016llx  cs %llx  ss %llx\n",
	       r->fs_base, r->gs_base, r->cs, r->ss);
}

static void print_mem(struct rp *rp, struct rproc *p, uint64_t addr, uint64_t len)
{
	uint8_t b[16];
	uint64_t off;

	printf("memory %#llx..%#llx of process %u (replayed as %d):\n",
	       (unsigned long long)addr, (unsigned long long)(addr + len), p->rpid, p->pid);
	for (off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		if (rp_mem_read(p, addr + off, b, n)) {
			printf("  %016llx  (unreadable)\n", (unsigned long long)(addr + off));
			continue;
		}
		hexdump_line(stdout, "  ", addr + off, b, n);
	}
}

static void print_maps(struct rproc *p)
{
	char path[64], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
	f = fopen(path, "r");
	if (!f)
		return;
	printf("maps of process %u (replayed as %d):\n", p->rpid, p->pid);
	while (fgets(line, sizeof(line), f))
		printf("  %s", line);
	fclose(f);
}

/* The process the queries are about: the one of the last event's thread. */
static struct rproc *query_proc(struct rp *rp)
{
	struct rproc *p;

	if (rp->last && !rp->last->p->dead)
		return rp->last->p;
	for (p = rp->procs; p; p = p->next)
		if (!p->dead && !p->next)
			return p;
	for (p = rp->procs; p; p = p->next)
		if (!p->dead)
			return p;
	return NULL;
}

/* Poll /proc until thread @tid of @pid is in one of @states (1 s at most). */
static void wait_proc_state(pid_t pid, pid_t tid, const char *states)
{
	char path[64], line[512];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	for (i = 0; i < 1000; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n;
		char *p;

		if (fd < 0)
			return;
		n = read(fd, line, sizeof(line) - 1);
		close(fd);
		if (n <= 0)
			return;
		line[n] = 0;
		p = strrchr(line, ')');
		if (!p || p[1] != ' ' || strchr(states, p[2]))
			return;
		usleep(1000);
	}
}

int rp_stop_here(struct rp *rp)
{
	const struct replay_opts *o = rp->o;
	struct rthread *t;
	struct rproc *p = query_proc(rp);
	int i;

	fflush(stdout);
	printf("stopped after event #%llu\n", (unsigned long long)o->to);
	if (o->regs) {
		for (t = rp->threads; t; t = t->next)
			if (t->st != TS_DEAD && t->st != TS_INSYS && t->st != TS_EXITING)
				print_regs(t);
	}
	if (!p) {
		if (o->nmem || o->maps || o->stop)
			printf("no process is alive at this point\n");
		return 0;
	}
	for (i = 0; i < o->nmem; i++)
		print_mem(rp, p, o->mem[i].addr, o->mem[i].len);
	if (o->maps)
		print_maps(p);
	if (o->stop) {
		/*
		 * Stopped where they are: a group stop queued while every thread
		 * is in a ptrace stop happens as each returns to user mode after
		 * the detach. A syscall entered but not yet replayed is skipped
		 * and rewound to run again when the process continues.
		 */
		kill(p->pid, SIGSTOP);
		for (t = rp->threads; t; t = t->next) {
			if (t->p != p || t->st == TS_DEAD || t->st == TS_INSYS || t->st == TS_EXITING)
				continue;
			if (t->st == TS_ENTRY) {
				t->regs.rax = t->regs.orig_rax;
				t->regs.orig_rax = -1;
				t->regs.rip -= 2;
				t->dirty = true;
			}
			if (t->dirty)
				ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs);
			ptrace(PTRACE_DETACH, t->tid, 0, t->st == TS_SIGSTOP ? t->sig : 0);
		}
		/* say so once it is stopped */
		for (t = rp->threads; t; t = t->next)
			if (t->p == p && t->st != TS_DEAD)
				wait_proc_state(t->p->pid, t->tid, "Tt");
		p->dead = true;		/* not ours to kill any more */
		printf("process %u is stopped as pid %d: gdb -p %d\n"
		       "(its syscalls fail with ENOSYS once it runs on without ttrec)\n",
		       p->rpid, p->pid, p->pid);
	}
	fflush(stdout);
	return 0;
}
