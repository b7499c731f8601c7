/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kernel selftests (selftests/kmod_*.c): the ioctls
 * with zeroed arguments, module parameters, and child processes to attach
 * to.
 */
#ifndef TTREC_SELFTESTS_KMOD_COMMON_H
#define TTREC_SELFTESTS_KMOD_COMMON_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/ttrec.h>

#define TTREC_DEV	"/dev/" TTREC_DEVICE_NAME
#define PARAM_DIR	"/sys/module/ttrec/parameters/"

/*
 * TTREC_IOC_ATTACH to @pid with @flags, through @devfd, or through a fresh
 * open of /dev/ttrec when @devfd < 0. The session fd, or -1 (errno).
 */
static inline int ttrec_attach(int devfd, pid_t pid, uint32_t flags)
{
	struct ttrec_attach_args args;
	int dev = devfd, sfd;

	memset(&args, 0, sizeof(args));
	args.pid = pid;
	args.flags = flags;
	if (devfd < 0) {
		dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
		if (dev < 0)
			return -1;
	}
	sfd = ioctl(dev, TTREC_IOC_ATTACH, &args);
	if (devfd < 0)
		close(dev);
	return sfd;
}

/* TTREC_IOC_SNAPSHOT, its zeroed arguments in @a (may be NULL). */
static inline int ttrec_snapshot(int sfd, struct ttrec_snapshot_args *a)
{
	struct ttrec_snapshot_args tmp;

	if (!a)
		a = &tmp;
	memset(a, 0, sizeof(*a));
	return ioctl(sfd, TTREC_IOC_SNAPSHOT, a);
}

static inline int ttrec_session_info(int sfd, struct ttrec_session_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(sfd, TTREC_IOC_SESSION_INFO, info);
}

static inline int ttrec_snap_info(int fd, struct ttrec_snap_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(fd, TTREC_IOC_SNAP_INFO, info);
}

/* Write @val to module parameter @name; 0 or -1. */
static inline int write_param(const char *name, const char *val)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

/*
 * Wait until @pid is blocked in read(2) (its command pipe): right after a
 * workload replied it may still be on its way out of write(2) and back into
 * read(2), writing its stack, and a snapshot taken then would find it
 * there. Returns 0, or -1 after about 10 s or when @pid is gone.
 */
static inline int wait_blocked_in_read(pid_t pid)
{
	char path[64], line[256];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (i = 0; i < 10000; i++) {
		FILE *f = fopen(path, "r");
		int in_read = 0;

		if (!f)
			return -1;
		if (fgets(line, sizeof(line), f))
			in_read = !strncmp(line, "0 ", 2);
		fclose(f);
		if (in_read)
			return 0;
		usleep(1000);
	}
	return -1;
}

/*
 * A child that waits for one byte on a pipe, then exits with @code; it is
 * named @name (if not NULL) before this returns. *go is the pipe's write
 * end: release_child() writes the byte, closing it also releases the child.
 */
static inline pid_t spawn_child(const char *name, int *go, int code)
{
	int p[2], ready[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	if (pipe2(ready, O_CLOEXEC)) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[1]);
		close(ready[0]);
		if (name)
			prctl(PR_SET_NAME, name);
		close(ready[1]);
		if (read(p[0], &c, 1) < 0)
			_exit(100);
		_exit(code);
	}
	close(p[0]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 0)	/* EOF once the child is named */
		pid = -1;
	close(ready[0]);
	*go = p[1];
	return pid;
}

static inline int release_child(int go)
{
	char c = 'g';

	return write(go, &c, 1) == 1 ? 0 : -1;
}

#endif
