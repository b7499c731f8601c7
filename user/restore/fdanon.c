// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptors of the kernel's own making: eventfd, timerfd, signalfd,
 * memfd. Each is made again in ttrec with the state its record holds:
 *
 *  - eventfd: its count, written back, and EFD_SEMAPHORE (a 6.1 kernel
 *    does not show that flag: such an eventfd comes back a counter);
 *  - timerfd: its clock, armed with the time it had left to its next
 *    expiration and its interval (TFD_TIMER_ABSTIME: at now plus that
 *    time on its clock, with TFD_TIMER_CANCEL_ON_SET when it had it), and
 *    the expirations not read yet (TFD_IOC_SET_TICKS);
 *  - signalfd: its mask (the signals it reads are the reader's pending
 *    ones, restored with the process);
 *  - memfd: its name, size and seals. The image holds a memfd's contents
 *    only as the pages of the process's mappings of it: a memfd the
 *    process mapped is the very file vmas.c mapped (what is written
 *    through one is seen through the other), sized and sealed here once
 *    its pages are written. A memfd with contents but no mapping cannot
 *    be re-created (its bytes are not in the image); an empty one is
 *    made again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "restore/fds.h"
#include "lib/log.h"

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS	_IOW('T', 0, uint64_t)
#endif

int rfd_make_eventfd(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	bool sem = f->eventfd.flags & TTREC_EVENTFD_SEMAPHORE;
	int fd, err;

	(void)r;
	if (!(f->has & IMG_FD_HAS_EVENTFD)) {
		d->cannot = "the image does not hold the eventfd's count";
		return -EOPNOTSUPP;
	}
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | (sem ? EFD_SEMAPHORE : 0));
	if (fd < 0)
		return -errno;
	if (f->eventfd.count && write(fd, &f->eventfd.count, 8) != 8) {
		err = -errno;
		pr_err("restore: fd %d: cannot give the eventfd its count %llu: %s\n", f->h.fd,
		       (unsigned long long)f->eventfd.count, strerror(-err));
		close(fd);
		return err;
	}
	d->local = fd;
	d->setfl = true;
	snprintf(d->became, sizeof(d->became), "eventfd, count %llu%s",
		 (unsigned long long)f->eventfd.count, sem ? ", semaphore" :
		 (f->eventfd.flags & TTREC_EVENTFD_SEMAPHORE_UNKNOWN) ?
		 " (EFD_SEMAPHORE not known: a counter)" : "");
	return 0;
}

static struct timespec ts_of(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
}

int rfd_make_timerfd(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	const struct ttrec_fd_timerfd *t = &f->timerfd;
	struct itimerspec its = { ts_of(t->interval_ns), ts_of(t->value_ns) };
	int fd, err, flags = 0;

	(void)r;
	if (!(f->has & IMG_FD_HAS_TIMERFD)) {
		d->cannot = "the image does not hold the timer's settings";
		return -EOPNOTSUPP;
	}
	fd = timerfd_create(t->clockid, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0) {
		err = -errno;
		pr_err("restore: fd %d: cannot make a timerfd on clock %d: %s\n", f->h.fd,
		       t->clockid, strerror(-err));
		return err;
	}
	/*
	 * A periodic timer that expired without being read yet is not moved on
	 * to its next expiration until it is read (or timerfd_gettime()): its
	 * time left shows as 0. The next comes an interval from now at most.
	 */
	if (!t->value_ns && t->interval_ns)
		its.it_value = its.it_interval;
	snprintf(d->became, sizeof(d->became),
		 "timerfd, clock %d, next in %.6f s, every %.6f s, %llu unread", t->clockid,
		 its.it_value.tv_sec + its.it_value.tv_nsec / 1e9, t->interval_ns / 1e9,
		 (unsigned long long)t->ticks);
	if (its.it_value.tv_sec | its.it_value.tv_nsec && (t->settime_flags & TFD_TIMER_ABSTIME)) {
		struct timespec now;
		uint64_t at;

		clock_gettime(t->clockid, &now);
		at = (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec +
		     (uint64_t)its.it_value.tv_sec * 1000000000ULL + its.it_value.tv_nsec;
		its.it_value = ts_of(at);
		flags = t->settime_flags & (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET);
	}
	if ((its.it_value.tv_sec | its.it_value.tv_nsec) && timerfd_settime(fd, flags, &its, NULL)) {
		err = -errno;
		pr_err("restore: fd %d: cannot arm the timerfd: %s\n", f->h.fd, strerror(-err));
		close(fd);
		return err;
	}
	if (t->ticks && ioctl(fd, TFD_IOC_SET_TICKS, &t->ticks))
		pr_warn("restore: fd %d: the timerfd's %llu unread expirations are lost: %s\n",
			f->h.fd, (unsigned long long)t->ticks, strerror(errno));
	d->local = fd;
	d->setfl = true;
	return 0;
}

int rfd_make_signalfd(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	uint64_t mask = f->signalfd.sigmask;
	int fd;

	(void)r;
	if (!(f->has & IMG_FD_HAS_SIGNALFD)) {
		d->cannot = "the image does not hold the signalfd's mask";
		return -EOPNOTSUPP;
	}
	fd = (int)syscall(SYS_signalfd4, -1, &mask, sizeof(mask), O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	d->local = fd;
	d->setfl = true;
	snprintf(d->became, sizeof(d->became), "signalfd, mask %#llx", (unsigned long long)mask);
	return 0;
}

/* The bytes of the memfd of @f the image's mappings cover (0: unmapped). */
static uint64_t mapped_extent(struct rst *r, const struct img_fd *f)
{
	uint64_t end = 0;

	for (uint32_t i = 0; i < r->im->nr_vmas; i++) {
		const struct img_vma *v = &r->im->vmas[i];

		if ((v->flags & TTREC_VMA_FILE) && (v->flags & TTREC_VMA_SHARED) &&
		    v->dev == f->h.dev && v->ino == f->h.ino &&
		    v->offset + (v->end - v->start) > end)
			end = v->offset + (v->end - v->start);
	}
	return end;
}

int rfd_check_memfd(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	uint64_t mapped = mapped_extent(r, f);

	if (!(f->has & IMG_FD_HAS_MEMFD)) {
		d->cannot = "the image does not describe the memfd";
		return -EOPNOTSUPP;
	}
	if (!mapped && f->h.size_bytes) {
		d->cannot = "a memfd with contents the process did not map: they are not in the image";
		return -EOPNOTSUPP;
	}
	if (mapped && mapped < f->h.size_bytes)
		pr_warn("restore: fd %d: memfd %s: its %llu bytes past the %llu the process mapped are not in the image: they come back zero\n",
			f->h.fd, (const char *)f->memfd.name,
			(unsigned long long)(f->h.size_bytes - mapped), (unsigned long long)mapped);
	return 0;
}

int rfd_make_memfd(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	unsigned int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	int fd;

	d->in_stub = rfd_shm_in_stub(r, f->h.dev, f->h.ino);
	if (d->in_stub >= 0) {
		snprintf(d->became, sizeof(d->became), "memfd %s, %llu bytes, the one mapped",
			 (const char *)f->memfd.name, (unsigned long long)f->h.size_bytes);
		return 0;
	}
	if (f->memfd.flags & TTREC_MEMFD_HUGETLB)
		flags |= MFD_HUGETLB;
	fd = memfd_create((const char *)f->memfd.name, flags);
	if (fd < 0) {
		int err = -errno;

		pr_err("restore: fd %d: memfd_create(%s): %s\n", f->h.fd,
		       (const char *)f->memfd.name, strerror(-err));
		return err;
	}
	d->local = fd;
	d->setfl = true;
	snprintf(d->became, sizeof(d->became), "memfd %s, empty", (const char *)f->memfd.name);
	return 0;
}

/* In the stub, at its number: the size, then the seals. */
int rfd_finish_memfd(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	char what[64];
	int64_t ret;

	snprintf(what, sizeof(what), "fd %d: ftruncate of memfd", f->h.fd);
	ret = rst_syscall_ok(r, r->leader, what, SYS_ftruncate, f->h.fd, f->h.size_bytes,
			     0, 0, 0, 0);
	if (ret < 0)
		return (int)ret;
	if (!f->memfd.seals)
		return 0;
	ret = rst_syscall(r, r->leader, SYS_fcntl, f->h.fd, F_ADD_SEALS, f->memfd.seals,
			  0, 0, 0);
	if (ret < 0 && ret != -EPERM)	/* EPERM: sealed already (another fd of it) */
		pr_warn("restore: fd %d: memfd %s: cannot seal it (%#x): %s\n", f->h.fd,
			(const char *)f->memfd.name, f->memfd.seals, strerror((int)-ret));
	return 0;
}
