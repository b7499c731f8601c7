// SPDX-License-Identifier: GPL-2.0
/*
 * Files whose contents the replay keeps (Documentation/replay.rst,
 * Shared memory): memfds (FD_MEMFD). Nothing from outside the recording
 * reaches them, so the replay lets the program's writes to them happen
 * and their mappings (MAP_SHARED across fork and exec, MADV_REMOVE) hold
 * what they held:
 *
 * - a memfd the program makes with memfd_create() is a real memfd;
 * - a file the recording made (an open for reading and writing that
 *   truncates it, is exclusive, or creates a file that is not there in the
 *   replay; an O_TMPFILE file) is a memfd the replay makes, and by its
 *   name (a struct rmemfd) every later open of that name, in any process
 *   of the replay, opens it again, as shm_open() does. unlink, rename and
 *   truncate of the name (RP_NAME, emulated) do to the memfd's name what
 *   they did to the file.
 *
 * On a memfd, write, pwrite, ftruncate and fallocate run for real. Reads
 * and lseek keep their recorded results; they move the descriptor's
 * offset, for the writes after them, as they did.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/fs.h>

#include "replay/internal.h"

/* A file the recording made, by its name: the memfd that stands for it. */
struct rmemfd {
	struct rmemfd *next;
	char *path;		/* absolute, as canon_path() makes it */
	int fd;			/* the driver's descriptor of the memfd */
};

/* The string at @addr in @t (at most @len bytes with its NUL). 0 or -EFAULT. */
static int read_str(struct rthread *t, uint64_t addr, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		size_t n = 4096 - ((addr + got) & 4095);

		if (n > len - got)
			n = len - got;
		if (rp_mem_read(t->p, addr + got, buf + got, n))
			return -EFAULT;
		if (memchr(buf + got, 0, n))
			return 0;
		got += n;
	}
	return -EFAULT;
}

/* "a/./b//../c" to "a/c", in place; @p starts with '/'. */
static void normalize(char *p)
{
	char *in = p, *out = p;

	while (*in) {
		char *e;
		size_t n;

		while (*in == '/')
			in++;
		e = strchrnul(in, '/');
		n = e - in;
		if (n == 1 && in[0] == '.') {
			/* nothing */
		} else if (n == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else if (n) {
			*out++ = '/';
			memmove(out, in, n);
			out += n;
		}
		in = e;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
}

/*
 * The path @addr (relative to @dirfd) of @t as one absolute name: against
 * the thread's cwd or root, or the directory of @dirfd, without "." and
 * "..", its directory as realpath() has it where it is there. Two names of
 * one file in the recording are one name here, as long as the recording
 * made no symlinks or directories on the way. false: not a name the replay
 * can tell (a descriptor that is no directory in the replay).
 */
static bool canon_path(struct rthread *t, int64_t dirfd, uint64_t addr, char *out, size_t len)
{
	char path[PATH_MAX], base[PATH_MAX], dir[PATH_MAX], name[PATH_MAX], link[64], *slash;
	ssize_t n;

	if (read_str(t, addr, path, sizeof(path)) || !path[0])
		return false;
	if (path[0] == '/')
		snprintf(link, sizeof(link), "/proc/%d/task/%d/root", t->p->pid, t->tid);
	else if ((int)dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/task/%d/cwd", t->p->pid, t->tid);
	else if (rp_fd_kind(t->p, dirfd) == FD_REAL)
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", t->p->pid, (int)dirfd);
	else
		return false;
	n = readlink(link, base, sizeof(base) - 1);
	if (n <= 0 || base[0] != '/')
		return false;
	base[n] = 0;
	if (snprintf(out, len, "%s/%s", base, path) >= (int)len)
		return false;
	normalize(out);
	slash = strrchr(out, '/');
	if (slash == out)
		return true;
	/* its directory as realpath() has it, where it is there */
	strcpy(name, slash + 1);
	*slash = 0;
	if (realpath(out, dir) && strlen(dir) + 1 + strlen(name) < len) {
		strcpy(out, strcmp(dir, "/") ? dir : "");
		strcat(out, "/");
		strcat(out, name);
		return true;
	}
	*slash = '/';
	return true;
}

static struct rmemfd *find(struct rp *rp, const char *path)
{
	struct rmemfd *m;

	for (m = rp->memfds; m; m = m->next)
		if (!strcmp(m->path, path))
			return m;
	return NULL;
}

/* The name @path is gone: the memfd stays only in the descriptors and mappings of the program. */
static void drop(struct rp *rp, const char *path)
{
	struct rmemfd **pp, *m;

	for (pp = &rp->memfds; (m = *pp); pp = &m->next) {
		if (strcmp(m->path, path))
			continue;
		*pp = m->next;
		close(m->fd);
		free(m->path);
		free(m);
		return;
	}
}

/* A new memfd of the driver's, for a file the recording made. */
static int new_memfd(void)
{
	return memfd_create("ttrec-replay", MFD_CLOEXEC);
}

int rp_memfd_for_open(struct rp *rp, struct rthread *t, const struct rec_sys *rs, bool *own)
{
	uint64_t fl = rp_open_flags(rs), addr = rs->nr == SYS_openat ? rs->args[1] : rs->args[0];
	int acc = fl & O_ACCMODE, dirfd = rs->nr == SYS_openat ? (int)rs->args[0] : AT_FDCWD;
	bool excl = (fl & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	char path[PATH_MAX];
	struct rmemfd *m;
	struct stat sb;
	int fd;

	*own = false;
	if ((fl & O_TMPFILE) == O_TMPFILE) {
		/* a file of no name, all the recording's */
		*own = true;
		return acc != O_RDONLY ? new_memfd() : -1;
	}
	if (!canon_path(t, dirfd, addr, path, sizeof(path)))
		return -1;
	m = find(rp, path);
	if (m && !excl) {
		/* a file the recording made before, opened again */
		if ((fl & O_TRUNC) && acc != O_RDONLY && ftruncate(m->fd, 0))
			return -1;
		return m->fd;
	}
	if (m)
		drop(rp, path);		/* the recording made another one */
	/*
	 * One it makes now, and may map: all its contents will be the
	 * recording's. Not one opened only to be written (a shell's `>`):
	 * that is not mapped, and the replay need not keep what the program
	 * writes there. Not a device, nor a file that was there before
	 * (read-only, as it is now).
	 */
	if (acc != O_RDWR)
		return -1;
	if (!stat(path, &sb)) {
		if (!S_ISREG(sb.st_mode) || !(excl || (fl & O_TRUNC)))
			return -1;
	} else if (errno != ENOENT || !(fl & O_CREAT)) {
		return -1;
	}
	fd = new_memfd();
	if (fd < 0)
		return -1;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->path = strdup(path))) {
		free(m);
		close(fd);
		return -1;
	}
	m->fd = fd;
	m->next = rp->memfds;
	rp->memfds = m;
	return fd;
}

int rp_memfd_install(struct rp *rp, struct rthread *t, int fd, uint64_t oflags, int64_t *got)
{
	__u64 o[6] = { AT_FDCWD, 0, oflags & (O_ACCMODE | O_APPEND | O_CLOEXEC) };
	__u64 u[6] = { 0, 4096 };
	char path[64];
	int64_t page;
	int err;

	/*
	 * The program opens /proc/DRIVER/fd/FD: the memfd, a file
	 * description of its own. The path goes into a page the syscall
	 * maps for the purpose and unmaps again, so the program's memory
	 * and its later mappings are as they were.
	 */
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)getpid(), fd);
	t->regs.orig_rax = SYS_mmap;
	t->regs.rdi = 0;
	t->regs.rsi = 4096;
	t->regs.rdx = PROT_READ | PROT_WRITE;
	t->regs.r10 = MAP_PRIVATE | MAP_ANONYMOUS;
	t->regs.r8 = -1;
	t->regs.r9 = 0;
	t->dirty = true;
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	page = t->regs.rax;
	if (page < 0 && page > -4096) {
		*got = page;
		return 0;
	}
	o[1] = u[0] = page;
	*got = rp_mem_write(t->p, page, path, strlen(path) + 1) ? -EFAULT :
	       rp_inject(rp, t, SYS_openat, o);
	rp_inject(rp, t, SYS_munmap, u);
	return 0;
}

int rp_sys_name(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	char a[PATH_MAX], b[PATH_MAX];
	bool ha = false, hb = false;
	uint64_t flags = 0;
	struct rmemfd *m;
	size_t n;
	int err;

	if (!rp->memfds || rs->ret)
		return rp_emulate(rp, t, rs);
	switch (rs->nr) {
	case SYS_unlink:
	case SYS_truncate:
		ha = canon_path(t, AT_FDCWD, rs->args[0], a, sizeof(a));
		break;
	case SYS_unlinkat:
		if (!(rs->args[2] & AT_REMOVEDIR))
			ha = canon_path(t, rs->args[0], rs->args[1], a, sizeof(a));
		break;
	case SYS_rename:
		ha = canon_path(t, AT_FDCWD, rs->args[0], a, sizeof(a));
		hb = canon_path(t, AT_FDCWD, rs->args[1], b, sizeof(b));
		break;
	case SYS_renameat2:
		flags = rs->args[4];
		/* fall through */
	case SYS_renameat:
		ha = canon_path(t, rs->args[0], rs->args[1], a, sizeof(a));
		hb = canon_path(t, rs->args[2], rs->args[3], b, sizeof(b));
		break;
	}
	err = rp_emulate(rp, t, rs);
	if (err || !ha)
		return err;
	switch (rs->nr) {
	case SYS_unlink:
	case SYS_unlinkat:
		drop(rp, a);
		break;
	case SYS_truncate:
		m = find(rp, a);
		if (m && ftruncate(m->fd, rs->args[1]))
			return -errno;
		break;
	default:
		if (!hb)
			break;
		if (flags & RENAME_EXCHANGE) {
			struct rmemfd *ma = find(rp, a), *mb = find(rp, b);
			char *s;

			if (ma && mb) {
				s = ma->path;
				ma->path = mb->path;
				mb->path = s;
				break;
			}
			m = ma ? ma : mb;
			if (m && !(s = strdup(m == ma ? b : a)))
				return -ENOMEM;
			if (m) {
				free(m->path);
				m->path = s;
			}
			break;
		}
		/* the file at @b is replaced; @a, or what is under it, moves there */
		drop(rp, b);
		n = strlen(a);
		for (m = rp->memfds; m; m = m->next) {
			char *s;

			if (strncmp(m->path, a, n) || (m->path[n] && m->path[n] != '/'))
				continue;
			if (asprintf(&s, "%s%s", b, m->path + n) < 0)
				return -ENOMEM;
			free(m->path);
			m->path = s;
		}
		break;
	}
	return 0;
}

void rp_memfd_free(struct rp *rp)
{
	while (rp->memfds)
		drop(rp, rp->memfds->path);
}

/*
 * A read at the offset (read, readv, preadv2 at -1): emulated, and the
 * offset moved by what it read, by an lseek the syscall becomes.
 */
static int read_at_offset(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	int64_t got;
	int err;

	if (rs->ret <= 0)
		return rp_emulate(rp, t, rs);
	t->entry = t->regs;
	t->regs.orig_rax = SYS_lseek;
	t->regs.rsi = rs->ret;
	t->regs.rdx = SEEK_CUR;
	t->dirty = true;
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	got = t->regs.rax;
	rp_restore_args(t, rs->ret);
	if (got < 0) {
		rp_divergent_result(rp, t, rs, got);
		return -EPROTO;
	}
	return rp_do_outs(rp, t, rs, true);
}

/* lseek: to the offset it returned (SEEK_DATA and SEEK_HOLE differ by file system). */
static int seek(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	int64_t got;
	int err;

	t->entry = t->regs;
	t->regs.rsi = rs->ret;
	t->regs.rdx = SEEK_SET;
	t->dirty = true;
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	got = t->regs.rax;
	rp_restore_args(t, rs->ret);
	if (got != rs->ret) {
		rp_divergent_result(rp, t, rs, got);
		return -EPROTO;
	}
	return rp_do_outs(rp, t, rs, false);
}

/* A write, ftruncate or fallocate: performed, its result asserted. */
static int modify(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	int err;

	t->entry = t->regs;
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	if ((int64_t)t->regs.rax != rs->ret) {
		rp_divergent_result(rp, t, rs, t->regs.rax);
		return -EPROTO;
	}
	return rp_do_outs(rp, t, rs, false);
}

/*
 * Is descriptor @fd of @t's process open on that process's own memory
 * (/proc/PID/mem or /proc/PID/task/TID/mem of itself: the replay opened
 * the recorded pid's as its own, pids.c)?
 */
static bool own_mem(struct rthread *t, uint64_t fd)
{
	char path[64], target[128], want[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%llu", t->p->pid, (unsigned long long)fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = 0;
	snprintf(want, sizeof(want), "/proc/%d/", t->p->pid);
	if (strncmp(target, want, strlen(want)))
		return false;
	n = strlen(target);
	return n > 4 && !strcmp(target + n - 4, "/mem") &&
	       (!strcmp(target + strlen(want), "mem") ||
		!strncmp(target + strlen(want), "task/", 5));
}

/*
 * pwrite64 or pwritev into the program's own memory through /proc/PID/mem
 * (gdb tests that it may: it writes a variable so and reads it back). The
 * bytes are the program's own, in its buffer: the write is made again,
 * into its memory, and the syscall gets its recorded result.
 */
static int own_mem_write(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	struct iovec v[64];
	uint64_t at = rs->args[3], left = rs->ret, k, n;
	int nv = 1;
	uint8_t *b;

	if (rs->nr == SYS_pwrite64) {
		v[0].iov_base = (void *)rs->args[1];
		v[0].iov_len = rs->args[2];
	} else {
		nv = rs->args[2] < 64 ? rs->args[2] : 64;
		if (rp_mem_read(t->p, rs->args[1], v, nv * sizeof(v[0])))
			return rp_emulate(rp, t, rs);
	}
	for (k = 0; k < (uint64_t)nv && left; k++) {
		n = v[k].iov_len < left ? v[k].iov_len : left;
		b = rp_scratch(rp, n);
		if (!b || rp_mem_read(t->p, (uint64_t)v[k].iov_base, b, n) ||
		    rp_mem_write(t->p, at, b, n))
			break;
		at += n;
		left -= n;
	}
	return rp_emulate(rp, t, rs);
}

int rp_sys_fileio(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	if (rp_fd_kind(t->p, rs->args[0]) == FD_REAL && rs->ret > 0 &&
	    (rs->nr == SYS_pwrite64 || rs->nr == SYS_pwritev) && own_mem(t, rs->args[0]))
		return own_mem_write(rp, t, rs);
	if (rp_fd_kind(t->p, rs->args[0]) != FD_MEMFD)
		return rp_emulate(rp, t, rs);
	switch (rs->nr) {
	case SYS_read:
	case SYS_readv:
		return read_at_offset(rp, t, rs);
	case SYS_preadv2:
		if ((int64_t)rs->args[3] == -1)
			return read_at_offset(rp, t, rs);
		return rp_emulate(rp, t, rs);
	case SYS_lseek:
		return seek(rp, t, rs);
	case SYS_write:
	case SYS_writev:
	case SYS_pwrite64:
	case SYS_pwritev:
	case SYS_pwritev2:
	case SYS_ftruncate:
	case SYS_fallocate:
		return modify(rp, t, rs);
	}
	return rp_emulate(rp, t, rs);	/* pread64, preadv: the offset stays */
}
