// SPDX-License-Identifier: GPL-2.0
/*
 * parkwait ROUNDS [PERIOD_MS]: threads that spend their time blocked in
 * read(2) on a pipe, epoll_wait(2) (no timeout and a 30 ms one),
 * epoll_pwait(2) with a mask, poll(2), select(2), nanosleep(2) and a
 * FUTEX_WAIT; the main thread wakes the waiters once every PERIOD_MS
 * (default 100) for ROUNDS rounds, then tells them to stop. Every waiter
 * checks each result: a call that fails (EINTR above all: nothing here
 * sends a signal, so a snapshot's park must not show) or returns what it
 * should not is reported. Each token carries its round, so a pipe waiter
 * also checks it saw every round in order (the futex waiter sees the last
 * round at least: the main thread does not wait for it), and keeps a sum
 * of what it read in `sums`.
 *
 * Prints "parkwait pid PID", then at the end one line per waiter
 * ("NAME rounds N eintr E bad B") and "parkwait ok" when every waiter saw
 * every round and no call failed; exits 1 otherwise.
 */
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { W_READ, W_EPOLL, W_EPOLL_PWAIT, W_POLL, W_SELECT, W_FUTEX, W_NANOSLEEP,
       W_EPOLL_TIMEOUT, NR_WAITERS };

static const char *const names[NR_WAITERS] = {
	"read", "epoll_wait", "epoll_pwait", "poll", "select", "futex", "nanosleep",
	"epoll_wait_timeout",
};

struct waiter {
	int rfd, wfd;		/* the token pipe (not the futex or sleepers) */
	unsigned int rounds;	/* tokens seen, in order */
	unsigned int eintr, bad;
};

static struct waiter w[NR_WAITERS];
static _Atomic uint32_t futex_word;	/* the round the futex waiter may take */
static _Atomic int stop;
uint64_t sums[NR_WAITERS];		/* what each waiter read, summed */

static void fail(struct waiter *x, int err)
{
	if (err == EINTR)
		x->eintr++;
	else
		x->bad++;
}

/* The next token on @x's pipe: 0 when it says stop, 1 when taken. */
static int take(struct waiter *x, int i)
{
	uint32_t round;
	ssize_t n = read(x->rfd, &round, sizeof(round));

	if (n < 0) {
		fail(x, errno);
		return 1;
	}
	if (n != sizeof(round)) {
		x->bad++;
		return 0;
	}
	if (round == UINT32_MAX)
		return 0;
	if (round != x->rounds + 1)
		x->bad++;
	x->rounds = round;
	sums[i] += round;
	return 1;
}

static void *reader(void *arg)
{
	int i = (int)(intptr_t)arg;

	while (take(&w[i], i))
		;
	return NULL;
}

static void *epoller(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(0), n;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, w[i].rfd, &ev)) {
		w[i].bad++;
		return NULL;
	}
	for (;;) {
		n = i == W_EPOLL_PWAIT ? epoll_pwait(ep, &out, 1, -1, &mask) :
					 epoll_wait(ep, &out, 1, -1);
		if (n < 0) {
			fail(&w[i], errno);
			continue;
		}
		if (n != 1) {
			w[i].bad++;
			continue;
		}
		if (!take(&w[i], i))
			break;
	}
	close(ep);
	return NULL;
}

static void *poller(void *arg)
{
	int i = (int)(intptr_t)arg;

	for (;;) {
		struct pollfd p = { .fd = w[i].rfd, .events = POLLIN };
		int n = poll(&p, 1, -1);

		if (n < 0) {
			fail(&w[i], errno);
			continue;
		}
		if (n != 1) {
			w[i].bad++;
			continue;
		}
		if (!take(&w[i], i))
			break;
	}
	return NULL;
}

static void *selecter(void *arg)
{
	int i = (int)(intptr_t)arg;

	for (;;) {
		fd_set r;
		int n;

		FD_ZERO(&r);
		FD_SET(w[i].rfd, &r);
		n = select(w[i].rfd + 1, &r, NULL, NULL, NULL);
		if (n < 0) {
			fail(&w[i], errno);
			continue;
		}
		if (n != 1) {
			w[i].bad++;
			continue;
		}
		if (!take(&w[i], i))
			break;
	}
	return NULL;
}

static void *futexer(void *arg)
{
	struct waiter *x = &w[W_FUTEX];

	(void)arg;
	for (;;) {
		uint32_t v = atomic_load(&futex_word);

		if (v == UINT32_MAX)
			break;
		if (v > x->rounds) {
			/* (main may have gone on meanwhile: rounds can be skipped) */
			__atomic_store_n(&x->rounds, v, __ATOMIC_RELEASE);
			sums[W_FUTEX] += v;
			continue;
		}
		if (syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0) &&
		    errno != EAGAIN)
			fail(x, errno);
	}
	return NULL;
}

static void *sleeper(void *arg)
{
	struct waiter *x = &w[W_NANOSLEEP];

	(void)arg;
	while (!atomic_load(&stop)) {
		struct timespec ts = { 0, 70 * 1000 * 1000 };

		if (nanosleep(&ts, NULL))
			fail(x, errno);
		else
			sums[W_NANOSLEEP] += ++x->rounds;
	}
	return NULL;
}

static void *timeout_epoller(void *arg)
{
	struct waiter *x = &w[W_EPOLL_TIMEOUT];
	int ep = epoll_create1(0);

	(void)arg;
	if (ep < 0) {
		x->bad++;
		return NULL;
	}
	while (!atomic_load(&stop)) {
		struct epoll_event out;
		int n = epoll_wait(ep, &out, 1, 30);

		if (n < 0)
			fail(x, errno);
		else if (n)
			x->bad++;
		else
			sums[W_EPOLL_TIMEOUT] += ++x->rounds;
	}
	close(ep);
	return NULL;
}

int main(int argc, char **argv)
{
	static void *(*const fn[NR_WAITERS])(void *) = {
		reader, epoller, epoller, poller, selecter, futexer, sleeper, timeout_epoller,
	};
	unsigned int rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 20;
	unsigned int period = argc > 2 ? strtoul(argv[2], NULL, 0) : 100;
	pthread_t th[NR_WAITERS];
	uint32_t r, q = UINT32_MAX;
	int i, ok = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("parkwait pid %d\n", getpid());
	for (i = 0; i < NR_WAITERS; i++) {
		int p[2];

		if (pipe(p))
			return 2;
		w[i].rfd = p[0];
		w[i].wfd = p[1];
	}
	for (i = 0; i < NR_WAITERS; i++)
		if (pthread_create(&th[i], NULL, fn[i], (void *)(intptr_t)i))
			return 2;
	for (r = 1; r <= rounds; r++) {
		struct timespec ts = { period / 1000, (period % 1000) * 1000000L };

		while (nanosleep(&ts, &ts)) {
			ok = 0;		/* EINTR: nothing sends a signal */
			if (errno != EINTR)
				break;
		}
		for (i = 0; i <= W_SELECT; i++)
			if (write(w[i].wfd, &r, sizeof(r)) != sizeof(r))
				ok = 0;
		atomic_store(&futex_word, r);
		syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
	/* let the last round be taken before the stop */
	for (i = 0; i <= W_SELECT; i++)
		if (write(w[i].wfd, &q, sizeof(q)) != sizeof(q))
			ok = 0;
	while (__atomic_load_n(&w[W_FUTEX].rounds, __ATOMIC_ACQUIRE) != rounds)
		usleep(1000);
	atomic_store(&stop, 1);
	atomic_store(&futex_word, UINT32_MAX);
	syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	for (i = 0; i < NR_WAITERS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < NR_WAITERS; i++) {
		unsigned int want = i <= W_FUTEX ? rounds : w[i].rounds;

		printf("%s rounds %u eintr %u bad %u\n", names[i], w[i].rounds, w[i].eintr,
		       w[i].bad);
		if (w[i].eintr || w[i].bad || w[i].rounds != want || !w[i].rounds)
			ok = 0;
	}
	if (ok)
		printf("parkwait ok\n");
	return ok ? 0 : 1;
}
