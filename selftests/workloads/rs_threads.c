// SPDX-License-Identifier: GPL-2.0
/*
 * Restore workload: threads and what the kernel keeps for them.
 *
 *   rs_threads MODE
 *
 * MODE:
 *   threads  8 threads, each with its own thread-local values; 7 wait on a
 *            condition variable, one on a raw futex. On "check" they are
 *            woken, each checks its TLS, its tid (gettid() and glibc's
 *            copy) and its stack, and main joins them all (pthread_join()
 *            returns only if the kernel clears each thread's tid as it
 *            exits: clear_child_tid)
 *   sleep    a thread in nanosleep(6 s) with a remaining-time pointer, one
 *            in clock_nanosleep(TIMER_ABSTIME) until 6 s after the start,
 *            one in nanosleep(4 s) without one; on "check" each must end
 *            as the restore says: the first after its remaining time (not
 *            the whole 6 s again, not at once), the second at its
 *            deadline, the third after 4 s counted from the restore
 *   vdso     on "check": the vDSO is at the address glibc knows, and its
 *            clocks agree with the system calls
 *   rseq     4 threads and main, glibc's rseq registered, pinned to CPU 0
 *            before the snapshot; on "check" each thread's area must be
 *            registered (rseq() again says EBUSY) and, moved to another
 *            CPU, show that CPU
 *   tstate   4 threads and main, each with its own alternate signal stack
 *            (SS_AUTODISARM for some) and glibc's robust futex list; on
 *            "check" each finds sigaltstack() and get_robust_list() as they
 *            were, and main joins them all
 *
 * Prints "ready PID" once set up (every thread waiting), then reads
 * commands: "check" (PASS or FAIL lines, exit), "exit".
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <linux/futex.h>
#include <sys/auxv.h>
#include <sys/rseq.h>

#include "rs_common.h"

#define NTHR	8

static const char *mode;
static __thread uint64_t tls_val;
static __thread char tls_buf[256];

struct thr {
	pthread_t pt;
	int idx;
	pid_t tid;
	atomic_int ready, ok;
	char msg[160];
	/* sleep */
	double t0, t1;
	int ret, err;
};

static struct thr thr[NTHR];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool go;
static atomic_int futex_word;
static double t_start, t_check;

static void fail_in(struct thr *t, const char *what)
{
	snprintf(t->msg, sizeof(t->msg), "thread %d: %s", t->idx, what);
	t->ok = -1;
}

/* ---------------------------------------------------------------- threads */

static void *tls_thread(void *arg)
{
	struct thr *t = arg;
	char stack[2 * PAGE];

	t->tid = gettid();
	tls_val = 0x1000 + t->idx;
	memset(tls_buf, 'a' + t->idx, sizeof(tls_buf));
	rs_fill(stack, 2, 50 + t->idx);
	if (t->idx == NTHR - 1) {
		t->ready = 1;
		while (!futex_word)
			syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	} else {
		pthread_mutex_lock(&mu);
		t->ready = 1;
		while (!go)
			pthread_cond_wait(&cv, &mu);
		pthread_mutex_unlock(&mu);
	}
	if (tls_val != 0x1000 + (uint64_t)t->idx)
		fail_in(t, "its __thread value changed");
	for (unsigned int i = 0; i < sizeof(tls_buf); i++)
		if (tls_buf[i] != 'a' + t->idx) {
			fail_in(t, "its __thread buffer changed");
			break;
		}
	if (gettid() != t->tid)
		fail_in(t, "gettid() is not the tid it had");
	if (!pthread_equal(pthread_self(), t->pt))
		fail_in(t, "pthread_self() changed");
	for (unsigned long k = 0; k < 2 * PAGE; k++)
		if ((unsigned char)stack[k] != rs_pat(50 + t->idx, k / PAGE, k % PAGE)) {
			fail_in(t, "its stack changed");
			break;
		}
	if (!t->ok)
		t->ok = 1;
	return NULL;
}

static void check_threads(void)
{
	pthread_mutex_lock(&mu);
	go = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	futex_word = 1;
	syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	for (int i = 0; i < NTHR; i++) {
		struct timespec dl;

		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += 20;
		if (pthread_timedjoin_np(thr[i].pt, NULL, &dl)) {
			rs_fail("pthread_join() of thread %d did not return (clear_child_tid?)", i);
			continue;
		}
		if (thr[i].ok != 1)
			rs_fail("%s", thr[i].msg[0] ? thr[i].msg : "a thread did not finish");
	}
}

/* ---------------------------------------------------------------- sleep */

static void *sleep_thread(void *arg)
{
	struct thr *t = arg;
	struct timespec req = { 6, 0 }, rem;

	t->tid = gettid();
	t->t0 = rs_now(CLOCK_MONOTONIC);
	t->ready = 1;
	if (t->idx == 0) {
		t->ret = nanosleep(&req, &rem);
	} else if (t->idx == 1) {
		struct timespec dl;
		double d = t_start + 6;

		dl.tv_sec = (time_t)d;
		dl.tv_nsec = (long)((d - dl.tv_sec) * 1e9);
		t->ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL);
	} else {
		req.tv_sec = 4;
		t->ret = syscall(SYS_nanosleep, &req, NULL);
	}
	t->err = t->ret ? errno : 0;
	t->t1 = rs_now(CLOCK_MONOTONIC);
	return NULL;
}

static void check_sleep(void)
{
	for (int i = 0; i < 3; i++) {
		struct thr *t = &thr[i];
		struct timespec dl;
		double after;

		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += 20;
		if (pthread_timedjoin_np(t->pt, NULL, &dl)) {
			rs_fail("sleeper %d did not wake up", i);
			continue;
		}
		after = t->t1 - t_check;
		printf("info sleeper %d: returned %d (%s) %.3f s after the restore, %.3f s after it began\n",
		       i, t->ret, strerror(t->err), after, t->t1 - t->t0);
		if (t->ret)
			rs_fail("sleeper %d: its sleep failed: %s", i, strerror(t->err));
		else if (i == 0 && (t->t1 - t->t0 < 6 || after > 5.5 || after < 0.5))
			rs_fail("sleeper 0: nanosleep(6 s) ended %.3f s after the restore, %.3f s after it began: not its remaining time",
				after, t->t1 - t->t0);
		else if (i == 1 && (t->t1 < t_start + 6 || (t_check < t_start + 5 && t->t1 > t_start + 7)))
			rs_fail("sleeper 1: the deadline was %.3f, it woke at %.3f", t_start + 6, t->t1);
		else if (i == 2 && (after < 3.9 || after > 8))
			rs_fail("sleeper 2: nanosleep(4 s) without rmtp ended %.3f s after the restore, not 4 s",
				after);
	}
}

/* ---------------------------------------------------------------- vdso */

static void check_vdso(void)
{
	unsigned long ehdr = getauxval(AT_SYSINFO_EHDR), s, e, found = 0;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	struct timespec a, b;
	double last = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &s, &e) == 2)
			found = s;
	if (f)
		fclose(f);
	if (!ehdr || found != ehdr)
		rs_fail("the vDSO is at %#lx, glibc knows it at %#lx", found, ehdr);
	for (int i = 0; i < 1000; i++) {
		double now;

		clock_gettime(CLOCK_MONOTONIC, &a);	/* the vDSO */
		now = a.tv_sec + a.tv_nsec / 1e9;
		if (now < last) {
			rs_fail("CLOCK_MONOTONIC went back");
			break;
		}
		last = now;
	}
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (a.tv_sec + a.tv_nsec / 1e9 < b.tv_sec + b.tv_nsec / 1e9 ||
	    a.tv_sec + a.tv_nsec / 1e9 - (b.tv_sec + b.tv_nsec / 1e9) > 0.5)
		rs_fail("vDSO and system call disagree on CLOCK_MONOTONIC");
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &b);
	clock_gettime(CLOCK_REALTIME, &a);
	if (a.tv_sec < b.tv_sec || a.tv_sec - b.tv_sec > 1)
		rs_fail("vDSO and system call disagree on CLOCK_REALTIME");
	if (time(NULL) < b.tv_sec)
		rs_fail("time() is behind");
}

/* ---------------------------------------------------------------- rseq */

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static void rseq_check_self(struct thr *t, int other)
{
	struct rseq *area = (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
	unsigned int cpu = 0;
	long r;

	r = syscall(SYS_rseq, area, 32, 0, RSEQ_SIG);
	if (r == 0) {
		fail_in(t, "its rseq area was not registered");
		syscall(SYS_rseq, area, 32, 1, RSEQ_SIG);	/* unregister */
		return;
	}
	if (errno != EBUSY) {
		fail_in(t, "rseq() again did not say EBUSY");
		return;
	}
	if (other < 0)
		return;
	pin(other);
	syscall(SYS_getcpu, &cpu, NULL, NULL);
	if ((int)cpu != other || (int)area->cpu_id != other)
		fail_in(t, "its rseq area does not show the CPU it runs on");
}

static int other_cpu(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : -1;
}

static void *rseq_thread(void *arg)
{
	struct thr *t = arg;

	t->tid = gettid();
	pin(0);
	pthread_mutex_lock(&mu);
	t->ready = 1;
	while (!go)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	rseq_check_self(t, other_cpu());
	if (!t->ok)
		t->ok = 1;
	return NULL;
}

static void check_rseq(void)
{
	struct thr me = { .idx = -1 };

	if (!__rseq_size) {
		rs_fail("glibc did not register rseq (GLIBC_TUNABLES=glibc.pthread.rseq=0?)");
		return;
	}
	pthread_mutex_lock(&mu);
	go = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	rseq_check_self(&me, other_cpu());
	if (me.ok < 0)
		rs_fail("%s", me.msg);
	for (int i = 0; i < 4; i++) {
		pthread_join(thr[i].pt, NULL);
		if (thr[i].ok != 1)
			rs_fail("%s", thr[i].msg);
	}
}

/* ---------------------------------------------------------------- tstate */

#define NTSTATE		4
#define SAS_SIZE	(4 * PAGE)
#define SS_AUTODISARM_FLAG	(1U << 31)	/* linux/signal.h */

static char sas_mem[NTSTATE + 1][SAS_SIZE];

struct tstate {
	void *robust;
	size_t robust_len;
};

/* This thread's alternate stack: slot @idx of sas_mem, autodisarm for odd ones. */
static void tstate_set(int idx, struct tstate *st)
{
	stack_t ss = { .ss_sp = sas_mem[idx], .ss_size = SAS_SIZE,
		       .ss_flags = (idx & 1) ? (int)SS_AUTODISARM_FLAG : 0 };

	if (sigaltstack(&ss, NULL))
		rs_fail("sigaltstack() %d: %s", idx, strerror(errno));
	if (syscall(SYS_get_robust_list, 0, &st->robust, &st->robust_len) || !st->robust)
		rs_fail("get_robust_list() %d: no list (glibc registers one)", idx);
}

static void tstate_check(int idx, const struct tstate *st, struct thr *t)
{
	void *robust = NULL;
	size_t len = 0;
	stack_t o;

	if (sigaltstack(NULL, &o)) {
		fail_in(t, "sigaltstack() failed");
		return;
	}
	if (o.ss_sp != sas_mem[idx] || o.ss_size != SAS_SIZE)
		fail_in(t, "its alternate stack is not the one it set");
	else if ((unsigned int)o.ss_flags != ((idx & 1) ? SS_AUTODISARM_FLAG : 0))
		fail_in(t, "its alternate stack's flags changed");
	if (syscall(SYS_get_robust_list, 0, &robust, &len) ||
	    robust != st->robust || len != st->robust_len)
		fail_in(t, "its robust futex list is not the one glibc registered");
}

static void *tstate_thread(void *arg)
{
	struct thr *t = arg;
	struct tstate st;

	t->tid = gettid();
	tstate_set(t->idx, &st);
	pthread_mutex_lock(&mu);
	t->ready = 1;
	while (!go)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	tstate_check(t->idx, &st, t);
	if (!t->ok)
		t->ok = 1;
	return NULL;
}

static struct tstate main_tstate;

static void check_tstate(void)
{
	struct thr me = { .idx = NTSTATE };

	pthread_mutex_lock(&mu);
	go = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	tstate_check(NTSTATE, &main_tstate, &me);
	if (me.ok < 0)
		rs_fail("main: %s", me.msg);
	for (int i = 0; i < NTSTATE; i++) {
		pthread_join(thr[i].pt, NULL);
		if (thr[i].ok != 1)
			rs_fail("%s", thr[i].msg[0] ? thr[i].msg : "a thread did not finish");
	}
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	void *(*fn)(void *) = NULL;
	char line[256];
	int n = 0;

	if (argc < 2)
		return 2;
	mode = argv[1];
	t_start = rs_now(CLOCK_MONOTONIC);
	if (!strcmp(mode, "threads")) {
		fn = tls_thread;
		n = NTHR;
	} else if (!strcmp(mode, "sleep")) {
		fn = sleep_thread;
		n = 3;
	} else if (!strcmp(mode, "rseq")) {
		pin(0);
		fn = rseq_thread;
		n = 4;
	} else if (!strcmp(mode, "tstate")) {
		tstate_set(NTSTATE, &main_tstate);
		fn = tstate_thread;
		n = NTSTATE;
	} else if (strcmp(mode, "vdso")) {
		return 2;
	}
	for (int i = 0; i < n; i++) {
		thr[i].idx = i;
		pthread_create(&thr[i].pt, NULL, fn, &thr[i]);
	}
	for (int i = 0; i < n; i++)
		while (!thr[i].ready)
			usleep(1000);
	usleep(20000);	/* into their waits */
	printf("ready %d\n", getpid());
	fflush(stdout);
	while (!rs_command(line, sizeof(line))) {
		if (!strcmp(line, "check")) {
			t_check = rs_now(CLOCK_MONOTONIC);
			if (getpid() != (pid_t)syscall(SYS_getpid))
				rs_fail("getpid() disagrees with the system call");
			if (!strcmp(mode, "threads"))
				check_threads();
			else if (!strcmp(mode, "sleep"))
				check_sleep();
			else if (!strcmp(mode, "vdso"))
				check_vdso();
			else if (!strcmp(mode, "tstate"))
				check_tstate();
			else
				check_rseq();
			return rs_verdict();
		}
		if (!strcmp(line, "exit"))
			return 0;
	}
	return 3;
}
