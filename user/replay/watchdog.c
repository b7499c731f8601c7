// SPDX-License-Identifier: GPL-2.0
/*
 * The replay's watchdog. A replayed thread that never reaches its next
 * syscall (it computes something else than in the recording, or spins
 * waiting for a thread that waits for its turn) would hang the replay. A
 * watchdog thread interrupts the driver's waitpid() when one event takes
 * far longer than the recording took between the thread's events
 * (budget_ns); the driver reports it as a divergence.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay/internal.h"

static struct {
	pthread_t driver, th;
	volatile uint64_t progress;	/* bumped by the driver at every event */
	volatile uint64_t budget_ns;	/* for the current event */
	uint64_t base_ns;		/* TTREC_REPLAY_STALL_S, default 10 s */
	volatile int fired;
	volatile int held;		/* a debugger holds the replay */
	volatile int stop;
	bool running;
} wd;

static void wd_alarm(int sig)
{
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *wd_main(void *arg)
{
	uint64_t seen = ~0ULL, since = mono_ns();

	while (!wd.stop) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		uint64_t now;

		nanosleep(&ts, NULL);
		now = mono_ns();
		if (wd.progress != seen || wd.held) {
			seen = wd.progress;
			since = now;
			wd.fired = 0;
		} else if (!wd.fired && now - since > wd.budget_ns) {
			wd.fired = 1;
			pthread_kill(wd.driver, SIGALRM);
		} else if (wd.fired && now - since > wd.budget_ns + 1000000000ULL) {
			pthread_kill(wd.driver, SIGALRM);	/* not waiting yet: again */
			since = now - wd.budget_ns;
		}
	}
	return NULL;
}

void rp_watchdog_start(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wd_alarm;	/* no SA_RESTART: waitpid() returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	wd.driver = pthread_self();
	wd.stop = 0;
	wd.held = 0;
	wd.base_ns = 10000000000ULL;
	if (getenv("TTREC_REPLAY_STALL_S"))
		wd.base_ns = strtoull(getenv("TTREC_REPLAY_STALL_S"), NULL, 10) * 1000000000ULL;
	wd.budget_ns = 60000000000ULL;
	wd.running = !pthread_create(&wd.th, NULL, wd_main, NULL);
}

void rp_watchdog_stop(void)
{
	if (!wd.running)
		return;
	wd.stop = 1;
	pthread_join(wd.th, NULL);
	wd.running = false;
}

/* The driver replays another event: the stall clock starts again. */
void rp_watchdog_progress(void)
{
	wd.progress++;
}

/*
 * The thread about to run took @recorded_ns between its events in the
 * recording: it may take the base time plus 20 times that now.
 */
void rp_watchdog_hold(bool on)
{
	wd.held = on;
	wd.fired = 0;
	wd.progress++;
}

void rp_watchdog_set_budget(uint64_t recorded_ns)
{
	wd.budget_ns = wd.base_ns + 20 * recorded_ns;
}

uint64_t rp_watchdog_budget_ns(void)
{
	return wd.budget_ns;
}

/* Whether the watchdog interrupted the driver's wait (a stall). */
bool rp_watchdog_fired(void)
{
	return wd.fired;
}
