// SPDX-License-Identifier: GPL-2.0
/*
 * epoll sets. The set is made in ttrec; its interest list is registered
 * in the stub once every descriptor is at its number, since epoll keys an
 * item by its file and the descriptor number it was added with. Each
 * item comes back with its events (EPOLLET, EPOLLONESHOT, ... with them)
 * and its data. An item whose descriptor is gone (closed, or that number
 * now another file: the image tells by the file's device and inode), or
 * became /dev/null, is skipped with a warning. What was ready is found
 * ready again by the kernel as each item is added.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "restore/fds.h"
#include "lib/log.h"

int rfd_make_epoll(struct rst *r, struct rfd *d)
{
	(void)r;
	d->local = epoll_create1(EPOLL_CLOEXEC);
	if (d->local < 0)
		return -errno;
	d->setfl = true;
	snprintf(d->became, sizeof(d->became), "epoll set of %u item%s", d->f->nr_epoll,
		 d->f->nr_epoll == 1 ? "" : "s");
	return 0;
}

int rfd_finish_epoll(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	uint32_t added = 0;

	for (uint32_t i = 0; i < f->nr_epoll; i++) {
		const struct ttrec_fd_epoll_item *it = &f->epoll[i];
		struct rfd *t = rfd_find(r, it->tfd);
		struct epoll_event ev = { .events = it->events, .data.u64 = it->data };
		uint64_t at;
		int64_t ret;
		int err;

		if (!t || t->f->h.ino != it->ino || t->f->h.dev != it->dev) {
			pr_warn("restore: fd %d (epoll): its item for fd %d is skipped: that file is no longer open as fd %d\n",
				f->h.fd, it->tfd, it->tfd);
			continue;
		}
		if (t->how == RFD_NULL) {
			pr_warn("restore: fd %d (epoll): its item for fd %d is skipped: fd %d is /dev/null\n",
				f->h.fd, it->tfd, it->tfd);
			continue;
		}
		err = rst_scratch(r, 0, &ev, sizeof(ev), &at);
		if (err)
			return err;
		ret = rst_syscall(r, r->leader, SYS_epoll_ctl, f->h.fd, EPOLL_CTL_ADD, it->tfd, at,
				  0, 0);
		if (ret < 0) {
			pr_warn("restore: fd %d (epoll): its item for fd %d is skipped: %s\n",
				f->h.fd, it->tfd, strerror((int)-ret));
			continue;
		}
		added++;
	}
	snprintf(d->became, sizeof(d->became), "epoll set, %u of %u items", added, f->nr_epoll);
	return 0;
}
