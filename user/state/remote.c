// SPDX-License-Identifier: GPL-2.0
/*
 * System calls run by a stopped thread of the target (internal.h), for
 * the state a process can only ask about itself: its signal actions, each
 * thread's alternate stack, clear_child_tid, parent-death signal, timer
 * slack, the itimers, the program break.
 *
 * The thread is at a PTRACE_EVENT_STOP (PTRACE_SEIZE + PTRACE_INTERRUPT),
 * in get_signal() on its way back to user space. Its registers are saved,
 * every signal is blocked (PTRACE_SETSIGMASK: nothing is delivered while
 * it runs our calls, and pending signals stay queued), and for each call
 * it gets a syscall instruction's address in ip, the number in ax, the
 * arguments, and -1 in orig_ax, so that the kernel restarts nothing on the
 * way out; PTRACE_SYSCALL runs it to the call's entry stop, then to its
 * exit stop, where ax is the result. Answers go to a scratch area below
 * the stack pointer and the red zone, whose bytes are saved first.
 *
 * Giving the thread back: PTRACE_INTERRUPT and PTRACE_CONT take it from the
 * last exit stop to a PTRACE_EVENT_STOP again, before it reaches user
 * space, where its saved registers and signal mask are put back, and the
 * bytes of its rseq area (remote_begin()).
 *
 * A thread under seccomp makes no calls: a filter may kill the process
 * for one it does not expect. A system
 * call the original stop interrupted (ax holds -ERESTARTSYS or the like,
 * orig_ax the call) is then restarted by the kernel when the thread is let
 * go, exactly as if nothing had happened in between.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ptrace.h>

#include "state/internal.h"
#include "lib/log.h"
#include "lib/regs.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP	128
#endif

#define VDSO_MAX	(64 * 1024)

int remote_read(struct remote *r, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(r->pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int remote_write(struct remote *r, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_writev(r->pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* A syscall instruction (0f 05) in [start, end) of the target, or 0. */
static uint64_t find_gadget(struct remote *r, uint64_t start, uint64_t end)
{
	size_t len = end - start > VDSO_MAX ? VDSO_MAX : end - start;
	uint8_t *buf = malloc(len);
	uint64_t found = 0;
	size_t i;

	if (!buf || remote_read(r, start, buf, len)) {
		free(buf);
		return 0;
	}
	for (i = 0; i + 1 < len; i++) {
		if (buf[i] == 0x0f && buf[i + 1] == 0x05) {
			found = start + i;
			break;
		}
	}
	free(buf);
	return found;
}

int remote_open(struct remote *r, pid_t pid)
{
	char *maps = proc_read(pid, 0, "maps", NULL), *line, *save = NULL;
	uint64_t exec_start[8], exec_end[8];
	unsigned int nexec = 0, i;

	memset(r, 0, sizeof(*r));
	r->pid = pid;
	if (!maps)
		return -errno ? -errno : -ESRCH;
	for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long s, e;
		char perms[8];
		struct remote_range *w;

		if (sscanf(line, "%llx-%llx %7s", &s, &e, perms) != 3)
			continue;
		if (perms[1] == 'w') {
			w = realloc(r->writable, (r->nwritable + 1) * sizeof(*w));
			if (!w)
				break;
			r->writable = w;
			w[r->nwritable++] = (struct remote_range){ s, e };
		}
		if (perms[2] != 'x')
			continue;
		if (strstr(line, "[vdso]"))
			r->gadget = r->gadget ? r->gadget : find_gadget(r, s, e);
		else if (nexec < 8) {
			exec_start[nexec] = s;
			exec_end[nexec++] = e;
		}
	}
	free(maps);
	for (i = 0; !r->gadget && i < nexec; i++)
		r->gadget = find_gadget(r, exec_start[i], exec_end[i]);
	if (!r->gadget) {
		pr_debug("state: no syscall instruction found in %d's code: its signal actions, alternate stacks and the like cannot be asked\n",
			 pid);
		return -ENOEXEC;
	}
	return 0;
}

void remote_close(struct remote *r)
{
	free(r->writable);
	memset(r, 0, sizeof(*r));
}

static bool writable(const struct remote *r, uint64_t start, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < r->nwritable; i++)
		if (r->writable[i].start <= start && start + len <= r->writable[i].end)
			return true;
	return false;
}

/* Wait for @tid's next stop; its status, or -errno when it is gone. */
static int wait_stop(pid_t tid, int *status)
{
	for (;;) {
		if (waitpid(tid, status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (WIFSTOPPED(*status))
			return 0;
		return -ESRCH;		/* exited or killed */
	}
}

int remote_begin(struct remote *r, struct remote_thread *t, pid_t tid)
{
	uint64_t all = ~0ULL & ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)));
	struct ptrace_rseq_configuration rseq;
	char *status = proc_read(r->pid, tid, "status", NULL);
	const char *mode = status ? proc_field(status, "Seccomp") : NULL;
	uint64_t sp;

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	if (!mode || strtoul(mode, NULL, 10)) {
		pr_debug("state: thread %d is under seccomp (or gone): no calls made in it\n", tid);
		free(status);
		return -EPERM;
	}
	free(status);
	/*
	 * Its rseq area: on the way back to user space to run a call the
	 * kernel updates it (the CPU number) and, as the instruction pointer
	 * is then outside any critical section, clears rseq_cs; its bytes are
	 * put back afterwards, so that a thread stopped inside a critical
	 * section is still aborted when it resumes.
	 */
	memset(&rseq, 0, sizeof(rseq));
	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, sizeof(rseq), &rseq) > 0 &&
	    rseq.rseq_abi_pointer && rseq.rseq_abi_size <= sizeof(t->rseq_saved) &&
	    !remote_read(r, rseq.rseq_abi_pointer, t->rseq_saved, rseq.rseq_abi_size)) {
		t->rseq = rseq.rseq_abi_pointer;
		t->rseq_len = rseq.rseq_abi_size;
	}
	if (ptrace(PTRACE_GETREGS, tid, NULL, &t->saved) ||
	    ptrace(PTRACE_GETSIGMASK, tid, sizeof(t->saved_mask), &t->saved_mask))
		return -errno;
	sp = (t->saved.rsp - 128 - REMOTE_SCRATCH) & ~15ULL;
	if (writable(r, sp, REMOTE_SCRATCH) &&
	    !remote_read(r, sp, t->scratch_saved, REMOTE_SCRATCH))
		t->scratch = sp;
	if (ptrace(PTRACE_SETSIGMASK, tid, sizeof(all), &all))
		return -errno;
	t->active = true;
	return 0;
}

int remote_syscall(struct remote *r, struct remote_thread *t, long nr,
		   uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, int64_t *ret)
{
	const uint64_t a[6] = { a0, a1, a2, a3, 0, 0 };
	struct user_regs_struct regs = t->saved;
	int st, err, step;

	regs_syscall(&regs, r->gadget, nr, a);
	if (ptrace(PTRACE_SETREGS, t->tid, NULL, &regs))
		return -errno;
	t->moved = true;
	/* to the entry stop, then to the exit stop */
	for (step = 0; step < 2; step++) {
		if (ptrace(PTRACE_SYSCALL, t->tid, NULL, NULL))
			return -errno;
		err = wait_stop(t->tid, &st);
		if (err)
			return err;
		if (ptrace(PTRACE_GETREGS, t->tid, NULL, &regs))
			return -errno;
		if ((WSTOPSIG(st) & 0x7f) != SIGTRAP || (st >> 16) ||
		    regs.orig_rax != (unsigned long long)nr ||
		    (step == 1 && regs.rip != r->gadget + 2)) {
			pr_debug("state: thread %d stopped elsewhere (status %#x) running system call %ld\n",
				 t->tid, st, nr);
			return -EAGAIN;
		}
	}
	*ret = (int64_t)regs.rax;
	return 0;
}

int remote_end(struct remote *r, struct remote_thread *t)
{
	int st, err = 0;

	if (!t->active)
		return 0;
	t->active = false;
	if (t->scratch)
		err = remote_write(r, t->scratch, t->scratch_saved, REMOTE_SCRATCH);
	/* back to a PTRACE_EVENT_STOP, unless it never left it */
	if (t->moved) {
		if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) ||
		    ptrace(PTRACE_CONT, t->tid, NULL, NULL))
			return -errno;
		for (;;) {
			int e = wait_stop(t->tid, &st);

			if (e)
				return e;
			if ((st >> 16) == PTRACE_EVENT_STOP)
				break;
			/* not expected with every signal blocked: go on to it */
			if (ptrace(PTRACE_CONT, t->tid, NULL, NULL))
				return -errno;
		}
	}
	if (ptrace(PTRACE_SETREGS, t->tid, NULL, &t->saved) ||
	    ptrace(PTRACE_SETSIGMASK, t->tid, sizeof(t->saved_mask), &t->saved_mask))
		return -errno;
	/* at the stop now, the kernel writes it no more until it runs */
	if (t->moved && t->rseq && !err)
		err = remote_write(r, t->rseq, t->rseq_saved, t->rseq_len);
	return err;
}
