// SPDX-License-Identifier: GPL-2.0
/*
 * System calls made in a stopped thread of the stub, and its memory.
 *
 * A thread stopped at a PTRACE_EVENT_STOP (in get_signal(), on its way
 * back to user space) or at the syscall-exit stop of an earlier injected
 * call is given the injection page's address (a syscall instruction) in
 * ip, the number in ax and the arguments, with orig_ax -1 so that the
 * kernel restarts nothing on the way out; PTRACE_SYSCALL runs it to its
 * entry stop, then to its exit stop, where ax is the result. A clone3()
 * made so stops on PTRACE_EVENT_CLONE in between. Signals sent to the stub
 * meanwhile are not delivered now: they are noted and sent again once the
 * restore is done (run.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "restore/internal.h"
#include "lib/log.h"
#include "lib/regs.h"
#include "lib/util.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP	128
#endif

int rst_wait(struct rst *r, struct rthread *t, int *status)
{
	for (;;) {
		if (waitpid(t->htid, status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			t->at = RT_DEAD;
			return -ESRCH;
		}
		if (WIFEXITED(*status) || WIFSIGNALED(*status)) {
			t->at = RT_DEAD;
			pr_err("restore: thread %d of the stub %s %d during the restore\n",
			       t->tid, WIFEXITED(*status) ? "exited with status" : "was killed by signal",
			       WIFEXITED(*status) ? WEXITSTATUS(*status) : WTERMSIG(*status));
			return -ESRCH;
		}
		if (WIFSTOPPED(*status))
			return 0;
	}
}

/* A signal-delivery stop: note the signal, deliver nothing. */
static bool foreign_signal(struct rst *r, int st)
{
	int sig = WSTOPSIG(st);

	if ((unsigned int)st >> 16 || sig == (SIGTRAP | 0x80))
		return false;
	if (sig > 0 && sig <= 64)
		r->dropped_sigs |= 1ULL << (sig - 1);
	return true;
}

static int64_t syscall_in(struct rst *r, struct rthread *t, bool interrupt, long nr,
			  uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			  uint64_t a5)
{
	const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	struct user_regs_struct regs = t->cur;
	bool entered = false;
	int st;

	regs_syscall(&regs, r->gadget, nr, a);
	if (ptrace(PTRACE_SETREGS, t->htid, 0, &regs) ||
	    ptrace(PTRACE_SYSCALL, t->htid, 0, 0))
		return -errno;
	for (;;) {
		int err = rst_wait(r, t, &st);

		if (err)
			return err;
		if (foreign_signal(r, st)) {
			/* not delivered: the stub must not run it */
		} else if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			if (entered)
				break;
			entered = true;
			if (interrupt) {
				/* into the call, then out of it at once */
				if (ptrace(PTRACE_SYSCALL, t->htid, 0, 0) ||
				    ptrace(PTRACE_INTERRUPT, t->htid, 0, 0))
					return -errno;
				continue;
			}
		}
		if ((unsigned int)st >> 16 == PTRACE_EVENT_CLONE) {
			unsigned long child = 0;

			/* the new thread's id in our namespace; it stops on its own */
			ptrace(PTRACE_GETEVENTMSG, t->htid, 0, &child);
			r->clone_htid = child;
		}
		if (ptrace(PTRACE_SYSCALL, t->htid, 0, 0))
			return -errno;
	}
	if (ptrace(PTRACE_GETREGS, t->htid, 0, &t->cur))
		return -errno;
	t->at = RT_SYSEXIT;
	return (int64_t)t->cur.rax;
}

int64_t rst_syscall(struct rst *r, struct rthread *t, long nr, uint64_t a0,
		    uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return syscall_in(r, t, false, nr, a0, a1, a2, a3, a4, a5);
}

int64_t rst_syscall_interrupted(struct rst *r, struct rthread *t, long nr, uint64_t a0,
				uint64_t a1, uint64_t a2, uint64_t a3)
{
	return syscall_in(r, t, true, nr, a0, a1, a2, a3, 0, 0);
}

int64_t rst_syscall_ok(struct rst *r, struct rthread *t, const char *what, long nr,
		       uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a4, uint64_t a5)
{
	int64_t ret = rst_syscall(r, t, nr, a0, a1, a2, a3, a4, a5);

	if (ret < 0 && ret >= -4095)
		pr_err("restore: %s: %s\n", what, strerror((int)-ret));
	return ret;
}

int rst_to_evstop(struct rst *r, struct rthread *t)
{
	int st, err;

	if (t->at == RT_EVSTOP)
		return 0;
	if (ptrace(PTRACE_INTERRUPT, t->htid, 0, 0) || ptrace(PTRACE_CONT, t->htid, 0, 0))
		return -errno;
	for (;;) {
		err = rst_wait(r, t, &st);
		if (err)
			return err;
		if ((unsigned int)st >> 16 == PTRACE_EVENT_STOP)
			break;
		foreign_signal(r, st);
		if (ptrace(PTRACE_CONT, t->htid, 0, 0))
			return -errno;
	}
	t->at = RT_EVSTOP;
	return ptrace(PTRACE_GETREGS, t->htid, 0, &t->cur) ? -errno : 0;
}

int rst_poke(struct rst *r, uint64_t addr, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(r->memfd, (const char *)buf + done, len - done, addr + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -EIO;

			pr_err("restore: writing %zu bytes at %#llx of the new process: %s\n",
			       len - done, (unsigned long long)(addr + done), strerror(-err));
			return err;
		}
		done += n;
	}
	return 0;
}

int rst_peek(struct rst *r, uint64_t addr, void *buf, size_t len)
{
	return pread_full(r->memfd, buf, len, addr);
}

int rst_scratch(struct rst *r, uint64_t off, const void *buf, size_t len, uint64_t *addr)
{
	if (off + len > r->scratch_len) {
		pr_err("restore: %zu bytes of arguments do not fit the scratch area\n", len);
		return -E2BIG;
	}
	*addr = r->scratch + off;
	return rst_poke(r, *addr, buf, len);
}
