// SPDX-License-Identifier: GPL-2.0
/*
 * What the replay from a snapshot (user/replay/from_snapshot.c) asks of the
 * restore, besides memory, threads and registers:
 *
 *  - descriptors as placeholders: the replayed program's syscalls get
 *    their results from the journal, so a descriptor need not be the file,
 *    pipe or socket it was, only take its number: /dev/null at the number
 *    of every descriptor of the image, and no other (the stub's stdin,
 *    stdout and stderr go unless the image has them);
 *  - the replay's seccomp filter, which makes every syscall stop for the
 *    replay, in every thread (SECCOMP_FILTER_FLAG_TSYNC), installed last,
 *    when nothing but the injection page's munmap is left to inject: from
 *    then on an injected call stops at its seccomp stop too, which
 *    syscall_in() passes (PTRACE_O_TRACESECCOMP is set first: without it a
 *    SECCOMP_RET_TRACE call fails with ENOSYS).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "restore/internal.h"
#include "lib/log.h"

int rst_fd_placeholders(struct rst *r)
{
	static const char devnull[] = "/dev/null";
	const struct img_fd *fds;
	uint32_t n = 0, i;
	uint64_t path;
	int64_t fd;
	int err, k;

	fds = img_fds(r->im, &n);
	err = rst_scratch(r, 0, devnull, sizeof(devnull), &path);
	if (err)
		return err;
	/* the stub's 0, 1, 2 (ttrec's) go unless the image has them */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < n && fds[i].h.fd != k; i++)
			;
		if (i == n)
			rst_syscall(r, r->leader, SYS_close, k, 0, 0, 0, 0, 0);
	}
	for (i = 0; i < n; i++) {
		fd = rst_syscall_ok(r, r->leader, "opening a placeholder descriptor", SYS_openat,
				    AT_FDCWD, path, O_RDWR, 0, 0, 0);
		if (fd < 0)
			return (int)fd;
		if (fd == fds[i].h.fd)
			continue;
		if (rst_syscall_ok(r, r->leader, "placing a placeholder descriptor", SYS_dup3,
				   fd, fds[i].h.fd, 0, 0, 0, 0) < 0 ||
		    rst_syscall_ok(r, r->leader, "closing a placeholder's first number",
				   SYS_close, fd, 0, 0, 0, 0, 0) < 0)
			return -EIO;
	}
	rst_note(r, "%u descriptors as placeholders (/dev/null)\n", n);
	return 0;
}

int rst_install_seccomp(struct rst *r, const void *prog)
{
	const struct sock_fprog *fp = prog;
	struct sock_fprog copy = *fp;
	uint64_t filter, at;
	uint32_t i;
	int err;

	for (i = 0; i < r->nthr; i++)
		if (ptrace(PTRACE_SETOPTIONS, r->thr[i].htid, 0,
			   PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL |
			   PTRACE_O_TRACESECCOMP))
			return -errno;
	err = rst_scratch(r, 64, fp->filter, fp->len * sizeof(*fp->filter), &filter);
	if (err)
		return err;
	copy.filter = (struct sock_filter *)(uintptr_t)filter;
	err = rst_scratch(r, 0, &copy, sizeof(copy), &at);
	if (err)
		return err;
	if (rst_syscall_ok(r, r->leader, "installing the replay's seccomp filter", SYS_seccomp,
			   SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, at, 0, 0, 0))
		return -EIO;
	return 0;
}
