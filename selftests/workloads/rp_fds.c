// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: descriptors of every kind, whose numbers must stay the
 * recorded ones: eventfd, timerfd, epoll over a pipe, signalfd, memfd,
 * inotify, dup/dup2/dup3/F_DUPFD, close_range. Prints the numbers and a
 * digest of what it read through them.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "rp_common.h"

int main(void)
{
	struct itimerspec its = { { 0, 0 }, { 0, 20 * 1000 * 1000 } };
	struct epoll_event ev = { .events = EPOLLIN }, out[4];
	struct signalfd_siginfo si;
	uint64_t h = FNV0, v;
	int efd, tfd, ep, p[2], sfd, mfd, ifd, d1, d2, d3, n;
	sigset_t set;
	char buf[64];

	efd = eventfd(5, 0);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (pipe2(p, O_CLOEXEC))
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	mfd = memfd_create("rp", MFD_CLOEXEC);
	ifd = inotify_init1(IN_CLOEXEC);
	printf("fds %d %d %d %d %d %d %d %d\n", efd, tfd, ep, p[0], p[1], sfd, mfd, ifd);

	if (write(efd, &(uint64_t){ 7 }, 8) != 8 || read(efd, &v, 8) != 8)
		return 1;
	h = fnv(h, &v, sizeof(v));
	timerfd_settime(tfd, 0, &its, NULL);
	if (read(tfd, &v, 8) != 8)
		return 1;
	h = fnv(h, &v, sizeof(v));
	ev.data.fd = p[0];
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	if (write(p[1], "hello", 5) != 5)
		return 1;
	n = epoll_wait(ep, out, 4, 1000);
	h = fnv(h, &n, sizeof(n));
	n = read(p[0], buf, sizeof(buf));
	h = fnv(h, buf, n > 0 ? n : 0);
	kill(getpid(), SIGUSR1);
	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return 1;
	h = fnv(h, &si.ssi_signo, sizeof(si.ssi_signo));
	if (write(mfd, "memfd data", 10) != 10)
		return 1;
	n = pread(mfd, buf, sizeof(buf), 0);
	h = fnv(h, buf, n > 0 ? n : 0);
	inotify_add_watch(ifd, "/tmp", IN_CREATE);

	d1 = dup(efd);
	d2 = dup2(tfd, 50);
	d3 = dup3(ep, 60, O_CLOEXEC);
	n = fcntl(p[0], F_DUPFD, 40);
	printf("dups %d %d %d %d\n", d1, d2, d3, n);
	syscall(SYS_close_range, 40, 70, 0);
	n = eventfd(0, 0);
	printf("after close_range %d\n", n);
	digest("fds", h);
	printf("rp_fds done\n");
	return 0;
}
