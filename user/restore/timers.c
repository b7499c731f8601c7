// SPDX-License-Identifier: GPL-2.0
/*
 * Interval timers (setitimer(): ITIMER_REAL, _VIRTUAL, _PROF) and POSIX
 * timers (timer_create()), armed with the time they had left at the
 * snapshot, counted from the restore, and their intervals.
 *
 * A POSIX timer gets its id again, which the process holds in its memory
 * (timer_t). Up to 6.14 the kernel gives ids in order, from 0 for a new
 * process (posix_timer_add(): signal_struct's next_posix_timer_id, the
 * first id from there that is free), and no call chooses one: the stub
 * creates the timers in the order of their ids, and for an id above the
 * next the kernel gives, creates and deletes timers until the kernel's
 * next id is that one (at most RST_TIMER_FILL of them: a larger id is
 * refused). A kernel with PR_TIMER_CREATE_RESTORE_IDS (6.15) takes the id
 * timer_create() is given. The notification (signal, SIGEV_THREAD_ID and
 * its thread, sigev_value) and the clock are the image's; a timer whose
 * time left the image does not know is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#include "restore/internal.h"
#include "lib/log.h"

#ifndef PR_TIMER_CREATE_RESTORE_IDS
#define PR_TIMER_CREATE_RESTORE_IDS	77
#define PR_TIMER_CREATE_RESTORE_IDS_ON	1
#endif
#define SIGEV_THREAD_ID_FLAG	4	/* SIGEV_THREAD_ID */
#define RST_TIMER_FILL		4096	/* timers made to reach an id */

/* The kernel's struct sigevent on x86-64. */
struct k_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};

static void ns_to_timeval(uint64_t ns, struct timeval *tv)
{
	uint64_t us = (ns + 999) / 1000;	/* a time left never rounds to "disarmed" */

	tv->tv_sec = us / 1000000;
	tv->tv_usec = us % 1000000;
}

static void ns_to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = ns / 1000000000ULL;
	ts->tv_nsec = ns % 1000000000ULL;
}

int rst_itimers(struct rst *r)
{
	static const char *const names[3] = { "ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF" };
	const struct img_proc_state *ps = r->ps;

	if (!ps)
		return 0;
	for (int which = 0; which < 3; which++) {
		const struct ttrec_itimer *it = &ps->p.itimer[which];
		struct itimerval v;
		uint64_t at;
		int64_t ret;
		int err;

		if (!it->value_ns)
			continue;	/* disarmed, as in the stub */
		ns_to_timeval(it->value_ns, &v.it_value);
		ns_to_timeval(it->interval_ns, &v.it_interval);
		if (!it->interval_ns)
			v.it_interval = (struct timeval){ 0, 0 };
		err = rst_scratch(r, 0, &v, sizeof(v), &at);
		if (err)
			return err;
		ret = rst_syscall_ok(r, r->leader, names[which], SYS_setitimer, which, at, 0, 0, 0, 0);
		if (ret < 0)
			return ret == -ESRCH ? -ESRCH : -EIO;
		r->nr_itimers++;
	}
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct ttrec_posix_timer *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Can the kernel reproduce @t? 0, or -EINVAL after saying why. */
static int check_timer(const struct ttrec_posix_timer *t)
{
	if (t->flags & TTREC_PTIMER_VALUE_UNKNOWN) {
		pr_err("restore: POSIX timer %d (clock %d): the image does not say when it expires next (the module cannot read it on CPU-time and alarm clocks); it cannot be restored\n",
		       t->id, t->clockid);
		return -EINVAL;
	}
	if ((t->notify & SIGEV_THREAD_ID_FLAG) && t->target <= 0) {
		pr_err("restore: POSIX timer %d signals a thread the snapshot could not see; it cannot be restored\n",
		       t->id);
		return -EINVAL;
	}
	if (t->id < 0) {
		pr_err("restore: POSIX timer id %d is not valid\n", t->id);
		return -EINVAL;
	}
	return 0;
}

/* timer_create() in the stub; the id the kernel gave, or -errno. */
static int64_t create(struct rst *r, int32_t clockid, const struct k_sigevent *ev, int32_t id)
{
	uint64_t at_ev, at_id;
	int32_t got = id;
	int64_t ret;
	int err;

	err = rst_scratch(r, 0, ev, sizeof(*ev), &at_ev);
	if (!err)
		err = rst_scratch(r, 128, &got, sizeof(got), &at_id);
	if (err)
		return err;
	ret = rst_syscall(r, r->leader, SYS_timer_create, (uint64_t)(int64_t)clockid, at_ev,
			  at_id, 0, 0, 0);
	if (ret < 0 && ret > -4096)
		return ret;
	err = rst_peek(r, at_id, &got, sizeof(got));
	return err ? err : got;
}

/* Timers until the kernel's next id is @id (in-order kernels). */
static int fill_to(struct rst *r, int32_t id, int32_t *next)
{
	const struct k_sigevent none = { .notify = SIGEV_NONE };

	if (id - *next > RST_TIMER_FILL) {
		pr_err("restore: POSIX timer %d: this kernel gives timer ids in order, and reaching %d would take %d timers (ttrec makes at most %d; kernels from 6.15 take the id: PR_TIMER_CREATE_RESTORE_IDS)\n",
		       id, id, id - *next, RST_TIMER_FILL);
		return -ERANGE;
	}
	while (*next < id) {
		int64_t got = create(r, CLOCK_MONOTONIC, &none, 0);

		if (got < 0) {
			pr_err("restore: making timer ids up to %d: timer_create: %s\n", id,
			       strerror((int)-got));
			return -EIO;
		}
		rst_syscall(r, r->leader, SYS_timer_delete, got, 0, 0, 0, 0, 0);
		*next = (int32_t)got + 1;
	}
	return 0;
}

static int restore_timer(struct rst *r, const struct ttrec_posix_timer *t, bool by_request,
			 int32_t *next)
{
	struct k_sigevent ev = {
		.value = t->value, .signo = t->signo, .notify = t->notify, .tid = t->target,
	};
	struct itimerspec its;
	uint64_t at;
	int64_t got, ret;
	int err;

	if (!by_request) {
		err = fill_to(r, t->id, next);
		if (err)
			return err;
	}
	got = create(r, t->clockid, &ev, t->id);
	if (got < 0) {
		pr_err("restore: POSIX timer %d (clock %d, notify %d, signal %d): timer_create: %s\n",
		       t->id, t->clockid, t->notify, t->signo, strerror((int)-got));
		return got == -ESRCH ? -ESRCH : -EIO;
	}
	if (got != t->id) {
		pr_err("restore: POSIX timer %d came out as timer %lld\n", t->id, (long long)got);
		return -EPROTO;
	}
	*next = (int32_t)got + 1;
	if (!t->value_ns)
		return 0;		/* disarmed */
	ns_to_timespec(t->value_ns, &its.it_value);
	ns_to_timespec(t->interval_ns, &its.it_interval);
	err = rst_scratch(r, 0, &its, sizeof(its), &at);
	if (err)
		return err;
	ret = rst_syscall(r, r->leader, SYS_timer_settime, t->id, 0, at, 0, 0, 0);
	if (ret < 0 && ret > -4096) {
		pr_err("restore: arming POSIX timer %d: %s\n", t->id, strerror((int)-ret));
		return ret == -ESRCH ? -ESRCH : -EIO;
	}
	r->nr_timers_armed++;
	return 0;
}

int rst_posix_timers(struct rst *r)
{
	const struct img_proc_state *ps = r->ps;
	struct ttrec_posix_timer *ts;
	bool by_request;
	int32_t next = 0;
	int64_t ret;
	int err = 0;

	if (!ps || !ps->nr_timers)
		return 0;
	for (uint32_t i = 0; i < ps->nr_timers; i++) {
		err = check_timer(&ps->timers[i]);
		if (err)
			return err;
	}
	ts = malloc(ps->nr_timers * sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	memcpy(ts, ps->timers, ps->nr_timers * sizeof(*ts));
	qsort(ts, ps->nr_timers, sizeof(*ts), by_id);
	ret = rst_syscall(r, r->leader, SYS_prctl, PR_TIMER_CREATE_RESTORE_IDS,
			  PR_TIMER_CREATE_RESTORE_IDS_ON, 0, 0, 0, 0);
	by_request = ret == 0;
	for (uint32_t i = 0; !err && i < ps->nr_timers; i++) {
		if (i && ts[i].id == ts[i - 1].id) {
			pr_err("restore: the image has POSIX timer %d twice\n", ts[i].id);
			err = -EINVAL;
			break;
		}
		err = restore_timer(r, &ts[i], by_request, &next);
		if (!err)
			r->nr_timers++;
	}
	if (by_request)
		rst_syscall(r, r->leader, SYS_prctl, PR_TIMER_CREATE_RESTORE_IDS, 0, 0, 0, 0, 0);
	free(ts);
	return err;
}
