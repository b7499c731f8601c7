// SPDX-License-Identifier: GPL-2.0
/*
 * Restore workload: the process's own state.
 *
 *   rs_proc MODE [ARG]
 *
 * MODE:
 *   handlers  signal actions: SIGUSR1 (SA_SIGINFO|SA_RESTART, SIGUSR2 and
 *             SIGRTMIN+5 in its mask), SIGUSR2 (SA_NODEFER|SA_RESETHAND),
 *             SIGTERM ignored, SIGRTMIN+3 (SA_ONSTACK); on "check" each
 *             action reads back as set, SIGUSR1's handler runs with its
 *             mask, SIGUSR2's once and its action is then the default, a
 *             SIGTERM is ignored
 *   pending   an alternate signal stack; SIGUSR1 (SA_ONSTACK|SA_SIGINFO)
 *             and SIGRTMIN+1 blocked and queued with sigqueue() and values
 *             (SIGRTMIN+1 twice), and a thread with SIGUSR2 queued for it
 *             alone (pthread_sigqueue()); on "check" main unblocks them:
 *             each handler runs once with its si_value, SIGRTMIN+1's in
 *             the order queued, SIGUSR1's on the alternate stack; the
 *             thread unblocks SIGUSR2 and gets its value
 *   itimer    ITIMER_REAL armed (5 s, interval 1 s); on "check" it has
 *             time left and its interval, SIGALRM comes after about the
 *             time getitimer() said, then again after the interval
 *   ptimer    POSIX timers with ids 3, 4 and 5 (0, 1 and 2 deleted): 4
 *             signals the process (SIGRTMIN+2, value 111, 6 s, interval
 *             0.5 s), 3 is SIGEV_NONE (100 s), 5 signals main
 *             (SIGEV_THREAD_ID, SIGRTMIN+4, value 222, 5 s); on "check"
 *             the ids are the same, timer_gettime() on each works with its
 *             interval and time left, the signals come with their values
 *             and the timers' ids
 *   far       a POSIX timer with id 5000 (5000 timers made and deleted
 *             before it: SIGRTMIN+2, 100 s); on "check" it is there with
 *             its time left
 *   cputimer  a POSIX timer on CLOCK_PROCESS_CPUTIME_ID (SIGRTMIN+6, value
 *             66, 0.5 s of CPU time); on "check" it has time left and,
 *             with the CPU busy, signals
 *   env       cwd ARG, umask 027, RLIMIT_NOFILE 200/300, RLIMIT_CORE 0/0,
 *             RLIMIT_STACK 6 MiB, personality ADDR_NO_RANDOMIZE,
 *             oom_score_adj 345, not dumpable, no_new_privs, child
 *             subreaper, THP disabled, and a thread named "rs-worker"
 *             with a timer slack of 123456 ns; on "check" each is so
 *   root      makes ARG/inside, chroot(ARG), chdir("/"); on "check" /inside
 *             is there, the cwd is "/" and the real root's files are not
 *   mm        on "check" /proc/self/cmdline, environ and auxv, the memory
 *             layout fields of /proc/self/stat and getauxval() read as at
 *             the start
 *   creds     RLIMIT_NOFILE 300/400, then drops to uid and gid 65534 with
 *             supplementary groups 65534, 100 and 4242 (started as root);
 *             on "check" those are its ids, groups and limit and it has no
 *             capabilities
 *
 * Prints "ready PID" once set up, then reads commands: "check" (PASS or
 * FAIL lines, exit), "exit".
 */
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/auxv.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "rs_common.h"

#ifndef SA_RESTORER
#define SA_RESTORER	0x04000000	/* glibc sets it; not in its headers */
#endif

static const char *mode;

/* ------------------------------------------------------------- handlers */

static volatile sig_atomic_t usr1_runs, usr2_runs, usr1_mask_ok, rt3_runs;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	sigset_t cur;

	(void)sig; (void)si; (void)uc;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	usr1_mask_ok = sigismember(&cur, SIGUSR2) && sigismember(&cur, SIGRTMIN + 5) &&
		       sigismember(&cur, SIGUSR1);
	usr1_runs++;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_runs++;
}

static void on_rt3(int sig)
{
	(void)sig;
	rt3_runs++;
}

static void set_action(int sig, void *fn, int flags, const int *mask)
{
	struct sigaction sa = { 0 };

	if (flags & SA_SIGINFO)
		sa.sa_sigaction = fn;
	else
		sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	for (; mask && *mask; mask++)
		sigaddset(&sa.sa_mask, *mask);
	sigaction(sig, &sa, NULL);
}

static void check_action(int sig, void *fn, int flags, const int *mask)
{
	struct sigaction sa;

	sigaction(sig, NULL, &sa);
	if ((void *)sa.sa_handler != fn)
		rs_fail("signal %d: handler %p, not %p", sig, (void *)sa.sa_handler, fn);
	if ((sa.sa_flags & ~SA_RESTORER) != flags)
		rs_fail("signal %d: flags %#x, not %#x", sig, sa.sa_flags & ~SA_RESTORER, flags);
	for (; mask && *mask; mask++)
		if (!sigismember(&sa.sa_mask, *mask))
			rs_fail("signal %d: %d is not in its mask", sig, *mask);
}

static int usr1_mask[3], none[1];

static void handlers_setup(void)
{
	usr1_mask[0] = SIGUSR2;
	usr1_mask[1] = SIGRTMIN + 5;
	set_action(SIGUSR1, on_usr1, SA_SIGINFO | SA_RESTART, usr1_mask);
	set_action(SIGUSR2, on_usr2, SA_NODEFER | SA_RESETHAND, none);
	set_action(SIGTERM, SIG_IGN, 0, none);
	set_action(SIGRTMIN + 3, on_rt3, SA_ONSTACK, none);
}

static void handlers_check(void)
{
	struct sigaction sa;

	check_action(SIGUSR1, on_usr1, SA_SIGINFO | SA_RESTART, usr1_mask);
	check_action(SIGUSR2, on_usr2, SA_NODEFER | SA_RESETHAND, none);
	check_action(SIGTERM, SIG_IGN, 0, none);
	check_action(SIGRTMIN + 3, on_rt3, SA_ONSTACK, none);
	check_action(SIGHUP, SIG_DFL, 0, none);
	raise(SIGUSR1);
	if (usr1_runs != 1 || !usr1_mask_ok)
		rs_fail("SIGUSR1's handler ran %d times, its mask %s", usr1_runs,
			usr1_mask_ok ? "as set" : "not as set");
	raise(SIGUSR2);
	if (usr2_runs != 1)
		rs_fail("SIGUSR2's handler ran %d times", usr2_runs);
	sigaction(SIGUSR2, NULL, &sa);
	if (sa.sa_handler != SIG_DFL)
		rs_fail("SIGUSR2 (SA_RESETHAND) is not back to its default after it ran");
	raise(SIGRTMIN + 3);
	if (rt3_runs != 1)
		rs_fail("SIGRTMIN+3's handler ran %d times", rt3_runs);
	kill(getpid(), SIGTERM);	/* ignored: we live on */
	printf("info handlers ran\n");
}

/* -------------------------------------------------------------- pending */

#define ALTSZ	(64 * 1024)

static char *altstack;
static volatile int rt1_vals[8], rt1_n, usr1_val = -1, usr1_code, usr1_pid, usr1_on_alt;
static volatile int usr1_n, usr2_val = -1, usr2_tid, usr2_n;
static pthread_t pend_thr;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool go, thr_ready, thr_done;

static void on_rt1(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	if (rt1_n < 8)
		rt1_vals[rt1_n] = si->si_value.sival_int;
	rt1_n++;
}

static void on_pend_usr1(int sig, siginfo_t *si, void *uc)
{
	char here;

	(void)sig; (void)uc;
	usr1_val = si->si_value.sival_int;
	usr1_code = si->si_code;
	usr1_pid = si->si_pid;
	usr1_on_alt = &here >= altstack && &here < altstack + ALTSZ;
	usr1_n++;
}

static void on_pend_usr2(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	usr2_val = si->si_value.sival_int;
	usr2_tid = (int)syscall(SYS_gettid);
	usr2_n++;
}

static pid_t pend_tid;

static void *pend_thread(void *arg)
{
	sigset_t s;

	(void)arg;
	pend_tid = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&mu);
	thr_ready = true;
	pthread_cond_broadcast(&cv);
	while (!go)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);	/* its own signal, now */
	pthread_mutex_lock(&mu);
	thr_done = true;
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void pending_setup(void)
{
	stack_t ss = { .ss_size = ALTSZ };
	union sigval v;
	sigset_t s;

	altstack = malloc(ALTSZ);
	ss.ss_sp = altstack;
	sigaltstack(&ss, NULL);
	set_action(SIGUSR1, on_pend_usr1, SA_SIGINFO | SA_ONSTACK, none);
	set_action(SIGUSR2, on_pend_usr2, SA_SIGINFO, none);
	set_action(SIGRTMIN + 1, on_rt1, SA_SIGINFO, none);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	sigaddset(&s, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &s, NULL);	/* the thread inherits it */
	pthread_create(&pend_thr, NULL, pend_thread, NULL);
	pthread_mutex_lock(&mu);
	while (!thr_ready)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	v.sival_int = 4242;
	sigqueue(getpid(), SIGRTMIN + 1, v);
	v.sival_int = 4343;
	sigqueue(getpid(), SIGRTMIN + 1, v);
	v.sival_int = 77;
	sigqueue(getpid(), SIGUSR1, v);
	v.sival_int = 99;
	pthread_sigqueue(pend_thr, SIGUSR2, v);
}

static void pending_check(void)
{
	sigset_t s, pend;

	sigpending(&pend);
	if (!sigismember(&pend, SIGUSR1) || !sigismember(&pend, SIGRTMIN + 1))
		rs_fail("SIGUSR1 and SIGRTMIN+1 are not pending");
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGRTMIN + 1);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	if (rt1_n != 2 || rt1_vals[0] != 4242 || rt1_vals[1] != 4343)
		rs_fail("SIGRTMIN+1 came %d times, values %d %d (not 4242 4343)", rt1_n,
			rt1_vals[0], rt1_vals[1]);
	if (usr1_n != 1 || usr1_val != 77 || usr1_code != SI_QUEUE || usr1_pid != getpid())
		rs_fail("SIGUSR1 came %d times, value %d, si_code %d, si_pid %d", usr1_n, usr1_val,
			usr1_code, usr1_pid);
	if (!usr1_on_alt)
		rs_fail("SIGUSR1's handler did not run on the alternate stack");
	pthread_mutex_lock(&mu);
	go = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(pend_thr, NULL);
	if (!thr_done || usr2_n != 1 || usr2_val != 99 || usr2_tid != pend_tid)
		rs_fail("the thread's SIGUSR2 came %d times, value %d, in thread %d (not %d)",
			usr2_n, usr2_val, usr2_tid, pend_tid);
	/* nothing twice */
	sigpending(&pend);
	if (sigismember(&pend, SIGUSR1) || sigismember(&pend, SIGRTMIN + 1))
		rs_fail("a signal is still pending after it was delivered");
	printf("info pending delivered\n");
}

/* --------------------------------------------------------------- itimer */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void itimer_setup(void)
{
	struct itimerval it = { .it_value = { 5, 0 }, .it_interval = { 1, 0 } };

	set_action(SIGALRM, on_alarm, 0, none);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Seconds until the @n-th signal counted by @ctr, at most @max. */
static double wait_for(volatile sig_atomic_t *ctr, int n, double max)
{
	double t0 = rs_now(CLOCK_MONOTONIC);

	while (*ctr < n && rs_now(CLOCK_MONOTONIC) - t0 < max)
		usleep(1000);
	return rs_now(CLOCK_MONOTONIC) - t0;
}

static void itimer_check(void)
{
	struct itimerval it;
	double left, e1, e2;

	if (alarms)
		rs_fail("SIGALRM came before the snapshot (take it sooner)");
	getitimer(ITIMER_REAL, &it);
	left = it.it_value.tv_sec + it.it_value.tv_usec / 1e6;
	if (it.it_interval.tv_sec != 1 || it.it_interval.tv_usec)
		rs_fail("ITIMER_REAL interval %ld.%06ld, not 1 s", (long)it.it_interval.tv_sec,
			(long)it.it_interval.tv_usec);
	if (left <= 0 || left > 5)
		rs_fail("ITIMER_REAL has %.3f s left", left);
	e1 = wait_for(&alarms, 1, 8);
	e2 = wait_for(&alarms, 2, 4);
	printf("info itimer left %.3f s, fired after %.3f s, then %.3f s\n", left, e1, e2);
	if (alarms < 2 || e1 < left - 0.05 || e1 > left + 0.5 || e2 < 0.5 || e2 > 1.5)
		rs_fail("SIGALRM came %d times: after %.3f s (%.3f s were left), then after %.3f s",
			alarms, e1, left, e2);
}

/* --------------------------------------------------------------- ptimer */

static timer_t tm[4], tm_thr;
static volatile sig_atomic_t rt2_n, rt4_n;
static volatile int rt2_val, rt2_id, rt4_val, rt4_id, rt4_tid;

static void on_rt2(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	rt2_val = si->si_value.sival_int;
	rt2_id = si->si_timerid;
	rt2_n++;
}

static void on_rt4(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	rt4_val = si->si_value.sival_int;
	rt4_id = si->si_timerid;
	rt4_tid = (int)syscall(SYS_gettid);
	rt4_n++;
}

static int kid(timer_t t)
{
	return (int)(intptr_t)t;
}

static void ptimer_setup(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec a1 = { .it_value = { 6, 0 }, .it_interval = { 0, 500000000 } };
	struct itimerspec a3 = { .it_value = { 100, 0 } };
	struct itimerspec at = { .it_value = { 5, 0 } };

	set_action(SIGRTMIN + 2, on_rt2, SA_SIGINFO, none);
	set_action(SIGRTMIN + 4, on_rt4, SA_SIGINFO, none);
	for (int i = 0; i < 4; i++)
		timer_create(CLOCK_MONOTONIC, &ev, &tm[i]);
	timer_delete(tm[0]);
	timer_delete(tm[2]);
	/* 1: a signal for the process */
	timer_delete(tm[1]);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGRTMIN + 2;
	ev.sigev_value.sival_int = 111;
	timer_create(CLOCK_MONOTONIC, &ev, &tm[1]);	/* takes id 4 */
	timer_settime(tm[1], 0, &a1, NULL);
	timer_settime(tm[3], 0, &a3, NULL);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGRTMIN + 4;
	ev.sigev_value.sival_int = 222;
	ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	timer_create(CLOCK_REALTIME, &ev, &tm_thr);	/* id 5 */
	timer_settime(tm_thr, 0, &at, NULL);
	printf("info timer ids %d %d %d\n", kid(tm[1]), kid(tm[3]), kid(tm_thr));
}

static void ptimer_check(void)
{
	struct itimerspec s1, s3, st;
	double e2, e4;

	if (rt2_n || rt4_n)
		rs_fail("a timer fired before the snapshot (take it sooner)");
	if (kid(tm[1]) != 4 || kid(tm[3]) != 3 || kid(tm_thr) != 5)
		rs_fail("timer ids %d %d %d, not 4 3 5", kid(tm[1]), kid(tm[3]), kid(tm_thr));
	if (timer_gettime(tm[1], &s1) || timer_gettime(tm[3], &s3) || timer_gettime(tm_thr, &st)) {
		rs_fail("timer_gettime: %s", strerror(errno));
		return;
	}
	if (s1.it_interval.tv_sec || s1.it_interval.tv_nsec != 500000000 ||
	    (!s1.it_value.tv_sec && !s1.it_value.tv_nsec) || s1.it_value.tv_sec >= 6)
		rs_fail("timer 4: %ld.%09ld s left, interval %ld.%09ld", (long)s1.it_value.tv_sec,
			s1.it_value.tv_nsec, (long)s1.it_interval.tv_sec, s1.it_interval.tv_nsec);
	if (s3.it_value.tv_sec < 90 || s3.it_value.tv_sec >= 100)
		rs_fail("timer 3: %ld s left, not about 100", (long)s3.it_value.tv_sec);
	e4 = wait_for(&rt4_n, 1, 8);
	e2 = wait_for(&rt2_n, 2, 8);
	if (rt4_n != 1 || rt4_val != 222 || rt4_id != 5 || rt4_tid != getpid())
		rs_fail("SIGEV_THREAD_ID timer: %d signals, value %d, timer %d, thread %d (after %.3f s)",
			(int)rt4_n, rt4_val, rt4_id, rt4_tid, e4);
	if (rt2_n < 2 || rt2_val != 111 || rt2_id != 4)
		rs_fail("timer 4: %d signals, value %d, timer %d", (int)rt2_n, rt2_val, rt2_id);
	printf("info ptimer left %ld.%03ld s, signals after %.3f s and %.3f s\n",
	       (long)s1.it_value.tv_sec, s1.it_value.tv_nsec / 1000000, e4, e2);
}

static timer_t tm_far;

static void far_setup(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec a = { .it_value = { 100, 0 } };
	timer_t t;

	for (int i = 0; i < 5000; i++)
		if (!timer_create(CLOCK_MONOTONIC, &ev, &t))
			timer_delete(t);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGRTMIN + 2;
	timer_create(CLOCK_MONOTONIC, &ev, &tm_far);
	timer_settime(tm_far, 0, &a, NULL);
	printf("info timer id %d\n", kid(tm_far));
}

static void far_check(void)
{
	struct itimerspec s;

	if (kid(tm_far) != 5000)
		rs_fail("timer id %d, not 5000", kid(tm_far));
	if (timer_gettime(tm_far, &s))
		rs_fail("timer 5000: timer_gettime: %s", strerror(errno));
	else if (s.it_value.tv_sec < 50 || s.it_value.tv_sec >= 100)
		rs_fail("timer 5000: %ld s left, not about 100", (long)s.it_value.tv_sec);
}

static timer_t tm_cpu;
static volatile sig_atomic_t rt6_n;
static volatile int rt6_val;

static void on_rt6(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)uc;
	rt6_val = si->si_value.sival_int;
	rt6_n++;
}

static void cputimer_setup(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 6,
			       .sigev_value.sival_int = 66 };
	struct itimerspec a = { .it_value = { 0, 500000000 } };

	set_action(SIGRTMIN + 6, on_rt6, SA_SIGINFO, none);
	timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &tm_cpu);
	timer_settime(tm_cpu, 0, &a, NULL);
}

static void cputimer_check(void)
{
	struct itimerspec s;
	double t0 = rs_now(CLOCK_MONOTONIC);

	if (timer_gettime(tm_cpu, &s)) {
		rs_fail("the CPU-time timer: timer_gettime: %s", strerror(errno));
		return;
	}
	if (s.it_value.tv_sec || !s.it_value.tv_nsec)
		rs_fail("the CPU-time timer: %ld.%09ld s left", (long)s.it_value.tv_sec,
			s.it_value.tv_nsec);
	while (!rt6_n && rs_now(CLOCK_MONOTONIC) - t0 < 20)
		;	/* CPU time passes */
	if (rt6_n != 1 || rt6_val != 66)
		rs_fail("the CPU-time timer signalled %d times, value %d", (int)rt6_n, rt6_val);
}

/* ------------------------------------------------------------------ env */

#define ADDR_NO_RAND	0x0040000

static char env_dir[4096];

static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -12345;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -12345;
		fclose(f);
	}
	return v;
}

static pthread_t env_thr;
static char env_thr_name[32];
static long env_thr_slack;

static void *env_thread(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "rs-worker");
	prctl(PR_SET_TIMERSLACK, 123456);
	pthread_mutex_lock(&mu);
	thr_ready = true;
	pthread_cond_broadcast(&cv);
	while (!go)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	prctl(PR_GET_NAME, env_thr_name);
	env_thr_slack = prctl(PR_GET_TIMERSLACK);
	return NULL;
}

static void env_setup(const char *dir)
{
	struct rlimit nofile = { 200, 300 }, core = { 0, 0 }, stack = { 6 << 20, RLIM_INFINITY };
	FILE *f;

	snprintf(env_dir, sizeof(env_dir), "%s", dir);
	if (chdir(dir))
		rs_fail("chdir %s", dir);
	umask(027);
	setrlimit(RLIMIT_NOFILE, &nofile);
	setrlimit(RLIMIT_CORE, &core);
	setrlimit(RLIMIT_STACK, &stack);
	personality(ADDR_NO_RAND);
	f = fopen("/proc/self/oom_score_adj", "w");
	if (f) {
		fprintf(f, "345\n");
		fclose(f);
	}
	prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	pthread_create(&env_thr, NULL, env_thread, NULL);
	pthread_mutex_lock(&mu);
	while (!thr_ready)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static void env_check(void)
{
	struct rlimit l;
	char cwd[4096];
	mode_t m;

	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, env_dir))
		rs_fail("cwd %s, not %s", cwd, env_dir);
	m = umask(0);
	umask(m);
	if (m != 027)
		rs_fail("umask %04o, not 0027", (unsigned int)m);
	getrlimit(RLIMIT_NOFILE, &l);
	if (l.rlim_cur != 200 || l.rlim_max != 300)
		rs_fail("RLIMIT_NOFILE %lu/%lu, not 200/300", (unsigned long)l.rlim_cur,
			(unsigned long)l.rlim_max);
	getrlimit(RLIMIT_CORE, &l);
	if (l.rlim_cur || l.rlim_max)
		rs_fail("RLIMIT_CORE %lu/%lu, not 0/0", (unsigned long)l.rlim_cur,
			(unsigned long)l.rlim_max);
	getrlimit(RLIMIT_STACK, &l);
	if (l.rlim_cur != 6 << 20 || l.rlim_max != RLIM_INFINITY)
		rs_fail("RLIMIT_STACK %lu/%lu", (unsigned long)l.rlim_cur, (unsigned long)l.rlim_max);
	if (personality(0xffffffff) != ADDR_NO_RAND)
		rs_fail("personality %#x, not %#x", personality(0xffffffff), ADDR_NO_RAND);
	if (read_int("/proc/self/oom_score_adj") != 345)
		rs_fail("oom_score_adj %d, not 345", read_int("/proc/self/oom_score_adj"));
	if (prctl(PR_GET_DUMPABLE) != 0)
		rs_fail("dumpable %d, not 0", prctl(PR_GET_DUMPABLE));
	{
		int sub = 0;

		prctl(PR_GET_CHILD_SUBREAPER, &sub);
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 || sub != 1 ||
		    prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) != 1)
			rs_fail("no_new_privs %d, child subreaper %d, THP disabled %d, not 1 1 1",
				prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), sub,
				prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	}
	pthread_mutex_lock(&mu);
	go = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(env_thr, NULL);
	if (strcmp(env_thr_name, "rs-worker") || env_thr_slack != 123456)
		rs_fail("the thread's name \"%s\", timer slack %ld, not \"rs-worker\" 123456",
			env_thr_name, env_thr_slack);
	/* a file made now gets the umask */
	{
		struct stat st;
		int fd = open("umask-probe", O_CREAT | O_WRONLY | O_TRUNC, 0666);

		if (fd < 0 || fstat(fd, &st) || (st.st_mode & 0777) != 0640)
			rs_fail("a new file in the cwd: mode %o, not 640", fd < 0 ? 0 : st.st_mode & 0777);
		if (fd >= 0)
			close(fd);
		unlink("umask-probe");
	}
}

/* ----------------------------------------------------------------- root */

static char root_dir[4096];

static void root_setup(const char *dir)
{
	char path[4200];
	int fd;

	snprintf(root_dir, sizeof(root_dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/inside", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	if (chroot(dir) || chdir("/"))
		rs_fail("chroot %s: %s", dir, strerror(errno));
}

static void root_check(void)
{
	char cwd[4096];

	if (access("/inside", F_OK))
		rs_fail("/inside is not there: the root is not %s", root_dir);
	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/"))
		rs_fail("cwd %s, not /", cwd);
	if (!access("/proc/self", F_OK) || !access(root_dir, F_OK))
		rs_fail("the real root's files are seen");
}

/* ------------------------------------------------------------------- mm */

struct blob {
	char b[16384];
	size_t n;
};

static struct blob cmdline0, environ0, auxv0;
static unsigned long stat0[11];
static unsigned long aux_vals0[6];
static const unsigned long aux_types[6] = { AT_PAGESZ, AT_PHDR, AT_ENTRY, AT_RANDOM,
					    AT_EXECFN, AT_SYSINFO_EHDR };

static void read_blob(const char *path, struct blob *b)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	b->n = 0;
	while (fd >= 0 && (n = read(fd, b->b + b->n, sizeof(b->b) - b->n)) > 0)
		b->n += n;
	if (fd >= 0)
		close(fd);
}

/* Fields 26-28 (start/end code, start stack) and 45-51 of /proc/self/stat. */
static void read_stat(unsigned long *v)
{
	static const int want[11] = { 26, 27, 28, 45, 46, 47, 48, 49, 50, 51, 0 };
	struct blob b;
	char *p, *save;
	int field = 2, k = 0;

	read_blob("/proc/self/stat", &b);
	b.b[b.n < sizeof(b.b) ? b.n : sizeof(b.b) - 1] = 0;
	p = strrchr(b.b, ')');
	memset(v, 0, 11 * sizeof(*v));
	for (p = strtok_r(p + 1, " ", &save); p && want[k]; p = strtok_r(NULL, " ", &save)) {
		if (++field == want[k])
			v[k++] = strtoul(p, NULL, 10);
	}
}

static void mm_setup(void)
{
	read_blob("/proc/self/cmdline", &cmdline0);
	read_blob("/proc/self/environ", &environ0);
	read_blob("/proc/self/auxv", &auxv0);
	read_stat(stat0);
	for (int i = 0; i < 6; i++)
		aux_vals0[i] = getauxval(aux_types[i]);
}

static void same_blob(const char *path, const struct blob *b0)
{
	static struct blob b;

	read_blob(path, &b);
	if (b.n != b0->n || memcmp(b.b, b0->b, b.n))
		rs_fail("%s: %zu bytes, %s (%zu bytes at the start)", path, b.n,
			b.n == b0->n ? "other bytes" : "another size", b0->n);
}

static void mm_check(void)
{
	static const char *const names[10] = {
		"start_code", "end_code", "start_stack", "start_data", "end_data",
		"start_brk", "arg_start", "arg_end", "env_start", "env_end",
	};
	unsigned long st[11];

	same_blob("/proc/self/cmdline", &cmdline0);
	same_blob("/proc/self/environ", &environ0);
	same_blob("/proc/self/auxv", &auxv0);
	read_stat(st);
	for (int i = 0; i < 10; i++)
		if (st[i] != stat0[i])
			rs_fail("/proc/self/stat %s %#lx, not %#lx", names[i], st[i], stat0[i]);
	for (int i = 0; i < 6; i++)
		if (getauxval(aux_types[i]) != aux_vals0[i])
			rs_fail("getauxval(%lu) %#lx, not %#lx", aux_types[i],
				getauxval(aux_types[i]), aux_vals0[i]);
	if (!cmdline0.n || !environ0.n || auxv0.n < 32)
		rs_fail("nothing to compare: cmdline %zu, environ %zu, auxv %zu bytes",
			cmdline0.n, environ0.n, auxv0.n);
	printf("info cmdline %zu bytes, environ %zu, auxv %zu\n", cmdline0.n, environ0.n, auxv0.n);
}

/* ---------------------------------------------------------------- creds */

static const gid_t groups0[3] = { 65534, 100, 4242 };

static void creds_setup(void)
{
	struct rlimit nofile = { 300, 400 };

	setrlimit(RLIMIT_NOFILE, &nofile);
	if (setgroups(3, groups0) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		rs_fail("dropping to 65534: %s", strerror(errno));
}

static void creds_check(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, g[16];
	int n = getgroups(16, g);
	FILE *f;
	char line[256];

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	if (r != 65534 || e != 65534 || s != 65534)
		rs_fail("uids %u %u %u, not 65534", r, e, s);
	if (gr != 65534 || ge != 65534 || gs != 65534)
		rs_fail("gids %u %u %u, not 65534", gr, ge, gs);
	if (n != 3)
		rs_fail("%d supplementary groups, not 3", n);
	for (int i = 0; i < 3 && n == 3; i++) {
		bool found = false;

		for (int k = 0; k < 3; k++)
			found |= g[k] == groups0[i];
		if (!found)
			rs_fail("group %u is not among the supplementary groups", groups0[i]);
	}
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if ((!strncmp(line, "CapEff:", 7) || !strncmp(line, "CapPrm:", 7)) &&
		    strtoull(line + 8, NULL, 16))
			rs_fail("capabilities: %s", line);
	if (f)
		fclose(f);
	{
		struct rlimit l;

		getrlimit(RLIMIT_NOFILE, &l);
		if (l.rlim_cur != 300 || l.rlim_max != 400)
			rs_fail("RLIMIT_NOFILE %lu/%lu, not 300/400", (unsigned long)l.rlim_cur,
				(unsigned long)l.rlim_max);
	}
	/* and the process works as that user: root's files are not its own */
	if (!access("/root", W_OK))
		rs_fail("uid 65534 can write /root");
}

/* ----------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	char line[256];

	if (argc < 2)
		return 2;
	mode = argv[1];
	if (!strcmp(mode, "handlers"))
		handlers_setup();
	else if (!strcmp(mode, "pending"))
		pending_setup();
	else if (!strcmp(mode, "itimer"))
		itimer_setup();
	else if (!strcmp(mode, "ptimer"))
		ptimer_setup();
	else if (!strcmp(mode, "far"))
		far_setup();
	else if (!strcmp(mode, "cputimer"))
		cputimer_setup();
	else if (!strcmp(mode, "env") && argc > 2)
		env_setup(argv[2]);
	else if (!strcmp(mode, "root") && argc > 2)
		root_setup(argv[2]);
	else if (!strcmp(mode, "mm"))
		mm_setup();
	else if (!strcmp(mode, "creds"))
		creds_setup();
	else
		return 2;
	printf("ready %d\n", getpid());
	fflush(stdout);
	while (!rs_command(line, sizeof(line))) {
		if (!strcmp(line, "check")) {
			if (!strcmp(mode, "handlers"))
				handlers_check();
			else if (!strcmp(mode, "pending"))
				pending_check();
			else if (!strcmp(mode, "itimer"))
				itimer_check();
			else if (!strcmp(mode, "ptimer"))
				ptimer_check();
			else if (!strcmp(mode, "far"))
				far_check();
			else if (!strcmp(mode, "cputimer"))
				cputimer_check();
			else if (!strcmp(mode, "env"))
				env_check();
			else if (!strcmp(mode, "root"))
				root_check();
			else if (!strcmp(mode, "mm"))
				mm_check();
			else if (!strcmp(mode, "creds"))
				creds_check();
			return rs_verdict();
		}
		if (!strcmp(line, "exit"))
			return 0;
	}
	return 1;
}
