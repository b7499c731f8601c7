// SPDX-License-Identifier: GPL-2.0
/*
 * How a replay says what went wrong: a divergence (the program did not do
 * what the journal says; exit status 3) or a failure (the replay cannot go
 * on: a damaged journal, a lost event...). Either stops the replay; only
 * the first is reported.
 */
#include <stdarg.h>
#include <stdio.h>

#include "replay/internal.h"
#include "syscalls/table.h"

void rp_fmt_call(char *out, size_t len, int64_t nr, const __u64 *args,
		 unsigned int nargs)
{
	const char *name = syscall_name(nr);
	char nb[SYSCALL_NR_STR];
	size_t off;
	unsigned int i;

	/* a number without a name: syscall(NR, ...), as dump shows it */
	if (name)
		off = snprintf(out, len, "%s(", name);
	else
		off = snprintf(out, len, "syscall(%s", syscall_nr_str(nr, nb, sizeof(nb)));
	for (i = 0; i < nargs && off < len; i++) {
		int64_t a = args[i];
		const char *sep = i || !name ? ", " : "";

		if ((uint64_t)a < 4096 || (a < 0 && a > -4096))
			off += snprintf(out + off, len - off, "%s%lld", sep, (long long)a);
		else
			off += snprintf(out + off, len - off, "%s%#llx", sep,
					(unsigned long long)a);
	}
	if (off < len)
		snprintf(out + off, len - off, ")");
}

void rp_regs_args(const struct user_regs_struct *r, __u64 *a)
{
	a[0] = r->rdi;
	a[1] = r->rsi;
	a[2] = r->rdx;
	a[3] = r->r10;
	a[4] = r->r8;
	a[5] = r->r9;
}

/* Report the divergence (once) and stop the replay. */
void rp_diverge(struct rp *rp, const struct rthread *t, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (rp->diverged || rp->failed)
		return;
	rp->diverged = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	if (t)
		fprintf(stderr, "ttrec: replay diverged at event #%llu (thread %u, replayed as %d):\n%s\n",
			(unsigned long long)rp->seq, t->rtid, t->tid, msg);
	else
		fprintf(stderr, "ttrec: replay diverged at event #%llu:\n%s\n",
			(unsigned long long)rp->seq, msg);
}

/* A replay that cannot go on for a reason other than divergence. */
void rp_fail(struct rp *rp, const char *fmt, ...)
{
	va_list ap;

	if (rp->diverged || rp->failed)
		return;
	rp->failed = true;
	fflush(stdout);
	fprintf(stderr, "ttrec: replay failed at event #%llu: ", (unsigned long long)rp->seq);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

bool rp_stopped(struct rp *rp)
{
	return rp->diverged || rp->failed;
}

void rp_divergent_result(struct rp *rp, struct rthread *t, const struct rec_sys *rs,
			 int64_t got)
{
	char call[512];

	rp_fmt_call(call, sizeof(call), rs->nr, rs->args, replay_sys_nargs(rs->nr));
	rp_diverge(rp, t, "%s returned another result than in the recording\n"
		   "  expected: %lld\n  actual:   %lld", call, (long long)rs->ret, (long long)got);
}
