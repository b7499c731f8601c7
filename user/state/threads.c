// SPDX-License-Identifier: GPL-2.0
/*
 * One stopped thread's own state, as ttrec.ko's TTREC_NT_THREAD and
 * TTREC_NT_SIGINFO notes hold it:
 *  - /proc/PID/task/TID: its name (comm), pending signals (SigPnd),
 *    seccomp mode;
 *  - get_robust_list(TID) (a tracer may ask);
 *  - PTRACE_GET_RSEQ_CONFIGURATION: its rseq registration;
 *  - PTRACE_PEEKSIGINFO: the siginfo of each signal queued for it, read
 *    without dequeuing;
 *  - calls the thread makes itself (remote.c): sigaltstack(),
 *    PR_GET_TID_ADDRESS, PR_GET_PDEATHSIG, PR_GET_TIMERSLACK.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/ptrace.h>

#include "state/internal.h"
#include "lib/log.h"

#ifndef PR_GET_TID_ADDRESS
#define PR_GET_TID_ADDRESS	40
#endif

/* Queued signals read per PTRACE_PEEKSIGINFO call. */
#define PEEK_BATCH	32

/* The siginfo of the signals queued for @tid (@shared: for the process). */
int state_siginfo(pid_t tid, bool shared, struct state_buf *out)
{
	siginfo_t si[PEEK_BATCH];
	uint64_t off = 0;

	for (;;) {
		struct ptrace_peeksiginfo_args a = {
			.off = off,
			.flags = shared ? PTRACE_PEEKSIGINFO_SHARED : 0,
			.nr = PEEK_BATCH,
		};
		long n = ptrace(PTRACE_PEEKSIGINFO, tid, &a, si);
		long i;

		if (n < 0)
			return -errno;
		for (i = 0; i < n; i++)
			sbuf_note(out, TTREC_NT_SIGINFO, &si[i], sizeof(si[i]));
		if (n < PEEK_BATCH)
			return out->err;
		off += n;
	}
}

/* What the thread asks itself; fields left 0 when it cannot be asked. */
static void ask_thread(struct remote *r, pid_t tid, struct ttrec_snap_tstate *st)
{
	struct remote_thread t;
	int64_t ret;
	int err;

	if (!r->gadget)
		return;
	err = remote_begin(r, &t, tid);
	if (err) {
		pr_debug("state: thread %d cannot make calls: %s\n", tid, strerror(-err));
		remote_end(r, &t);
		return;
	}
	if (!t.scratch) {
		pr_debug("state: thread %d has no room below its stack pointer: no alternate stack, clear_child_tid or parent-death signal\n",
			 tid);
	} else {
		stack_t ss;
		uint64_t addr;
		int sig;

		if (!remote_syscall(r, &t, SYS_sigaltstack, 0, t.scratch, 0, 0, &ret) && !ret &&
		    !remote_read(r, t.scratch, &ss, sizeof(ss))) {
			st->sas_sp = (uintptr_t)ss.ss_sp;
			st->sas_size = ss.ss_size;
			st->sas_flags = ss.ss_flags;
		}
		if (!remote_syscall(r, &t, SYS_prctl, PR_GET_TID_ADDRESS, t.scratch, 0, 0, &ret) &&
		    !ret && !remote_read(r, t.scratch, &addr, sizeof(addr)))
			st->clear_child_tid = addr;
		if (!remote_syscall(r, &t, SYS_prctl, PR_GET_PDEATHSIG, t.scratch, 0, 0, &ret) &&
		    !ret && !remote_read(r, t.scratch, &sig, sizeof(sig)))
			st->pdeath_signal = sig;
	}
	if (!remote_syscall(r, &t, SYS_prctl, PR_GET_TIMERSLACK, 0, 0, 0, &ret) && ret >= 0)
		st->timer_slack_ns = ret;
	err = remote_end(r, &t);
	if (err)
		pr_warn("state: thread %d could not be put back as it was: %s\n", tid,
			strerror(-err));
}

int state_thread(struct remote *r, pid_t pid, pid_t tid, struct state_buf *out,
		 bool *truncated)
{
	struct ttrec_snap_tstate st;
	struct ptrace_rseq_configuration rseq;
	char *status, *comm;
	const char *v;
	void *head;
	size_t len;
	int err;

	memset(&st, 0, sizeof(st));
	comm = proc_read(pid, tid, "comm", NULL);
	status = proc_read(pid, tid, "status", NULL);
	if (!comm || !status) {
		free(comm);
		free(status);
		return -ESRCH;
	}
	comm[strcspn(comm, "\n")] = 0;
	snprintf((char *)st.comm, sizeof(st.comm), "%s", comm);
	v = proc_field(status, "SigPnd");
	if (v)
		st.pending = strtoull(v, NULL, 16);
	v = proc_field(status, "Seccomp");
	if (v)
		st.seccomp_mode = strtoul(v, NULL, 10);
	free(comm);
	free(status);

	if (!syscall(SYS_get_robust_list, tid, &head, &len)) {
		st.robust_list = (uintptr_t)head;
		st.robust_list_len = len;
	}
	memset(&rseq, 0, sizeof(rseq));
	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, sizeof(rseq), &rseq) > 0) {
		st.rseq = rseq.rseq_abi_pointer;
		st.rseq_len = rseq.rseq_abi_size;
		st.rseq_sig = rseq.signature;
	} else {
		pr_debug("state: no PTRACE_GET_RSEQ_CONFIGURATION for thread %d (%s): its rseq registration is not known\n",
			 tid, strerror(errno));
	}
	ask_thread(r, tid, &st);

	sbuf_note(out, TTREC_NT_THREAD, &st, sizeof(st));
	err = state_siginfo(tid, false, out);
	if (err == -EIO || err == -EINVAL) {
		pr_debug("state: the signals queued for thread %d cannot be read: %s\n", tid,
			 strerror(-err));
		*truncated = true;	/* only the set is known */
		err = 0;
	}
	return err ? err : out->err;
}
