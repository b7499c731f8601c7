// SPDX-License-Identifier: GPL-2.0
/*
 * The replayed program's memory: process_vm_readv/writev, and
 * /proc/PID/mem where those cannot (read-only pages).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "replay/internal.h"

int rp_mem_write(struct rproc *p, uint64_t addr, const void *buf, size_t len)
{
	struct iovec l = { (void *)buf, len }, r = { (void *)addr, len };
	ssize_t n;

	if (!len)
		return 0;
	n = process_vm_writev(p->pid, &l, 1, &r, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	/* read-only pages (or a partial write): /proc/PID/mem writes through them */
	if (p->memfd >= 0 && pwrite(p->memfd, buf, len, addr) == (ssize_t)len)
		return 0;
	return -EFAULT;
}

int rp_mem_read(struct rproc *p, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)addr, len };

	if (!len)
		return 0;
	if (process_vm_readv(p->pid, &l, 1, &r, 1, 0) == (ssize_t)len)
		return 0;
	if (p->memfd >= 0 && pread(p->memfd, buf, len, addr) == (ssize_t)len)
		return 0;
	return -EFAULT;
}

void *rp_scratch(struct rp *rp, size_t len)
{
	if (len > rp->buf_cap) {
		void *b = realloc(rp->buf, len);

		if (!b)
			return NULL;
		rp->buf = b;
		rp->buf_cap = len;
	}
	return rp->buf;
}
