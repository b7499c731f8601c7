// SPDX-License-Identifier: GPL-2.0
/*
 * The descriptor table without ttrec.ko, as TTREC_IOC_SNAP_FDS gives it,
 * from:
 *  - /proc/PID/fd/N: the path (readlink) and the file's stat() (identity,
 *    mode, size, mtime, device);
 *  - /proc/PID/fdinfo/N: position, flags (close-on-exec among them), and
 *    the file's own lines, which are what the module parses too: eventfd
 *    count and semaphore, timerfd settings, signalfd mask, epoll interest
 *    list, a pidfd's pid, and the text kept for other kinds;
 *  - a duplicate of the descriptor (pidfd_getfd(), which a tracer may
 *    take; it shares the open file, so only calls that change nothing are
 *    made on it): a pipe's capacity (F_GETPIPE_SZ), its buffered bytes
 *    (FIONREAD) and the bytes themselves, copied with tee() into a pipe
 *    of ours, which leaves them in the target's pipe (a write end is read
 *    through a read end opened on /proc/PID/fd/N); a memfd's seals; a
 *    socket's family, type, protocol, options and addresses (sockets.c).
 * Not known this way: the reader and writer counts of a pipe
 * (TTREC_PIPE_COUNTS_UNKNOWN), and some socket fields (sockets.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "state/internal.h"
#include "lib/log.h"

#ifndef F_GET_SEALS
#define F_GET_SEALS	1034
#endif

/* As the module: fdinfo kept for other kinds, pipe bytes per table. */
#define FDINFO_OTHER_MAX	(64U << 10)
#define FD_DATA_MAX		(64ULL << 20)

struct fds_ctx {
	pid_t pid;
	int pidfd;			/* of the target, for pidfd_getfd() */
	struct state_buf *b;
	size_t rec;
	uint64_t data_left;
	bool data_truncated;
	struct sock_diag *diag;
	struct { uint64_t id; int fd; } *pipes;	/* pipes seen: where their bytes are */
	uint32_t npipes;
};

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The target's descriptor numbers, sorted. */
static int list_fds(pid_t pid, int **out, uint32_t *n)
{
	char path[64];
	struct dirent *d;
	uint32_t cap = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	*out = NULL;
	*n = 0;
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		if (*n == cap) {
			int *q = realloc(*out, (cap = cap ? 2 * cap : 256) * sizeof(*q));

			if (!q) {
				closedir(dir);
				return -ENOMEM;
			}
			*out = q;
		}
		(*out)[(*n)++] = atoi(d->d_name);
	}
	closedir(dir);
	qsort(*out, *n, sizeof(**out), cmp_int);
	return 0;
}

static struct ttrec_snap_fd *rec(struct fds_ctx *c)
{
	return (struct ttrec_snap_fd *)(c->b->p + c->rec);
}

static void note(struct fds_ctx *c, uint32_t type, const void *data, size_t len)
{
	sbuf_fd_note(c->b, c->rec, type, data, len);
}

static size_t charge(struct fds_ctx *c, size_t len)
{
	if (len > c->data_left) {
		len = c->data_left;
		c->data_truncated = true;
		if (!c->b->err)
			rec(c)->flags |= TTREC_FDF_TRUNCATED;
	}
	c->data_left -= len;
	return len;
}

/* The file's own fdinfo lines: those after pos, flags, mnt_id and ino. */
static const char *own_lines(const char *fdinfo)
{
	const char *l = fdinfo;

	while (l && *l && (!strncmp(l, "pos:", 4) || !strncmp(l, "flags:", 6) ||
			   !strncmp(l, "mnt_id:", 7) || !strncmp(l, "ino:", 4))) {
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	return l ? l : "";
}

static void fdinfo_note(struct fds_ctx *c, const char *text)
{
	size_t len = strlen(text), keep = len > FDINFO_OTHER_MAX ? FDINFO_OTHER_MAX : len;
	char *copy;

	if (!len)
		return;
	keep = charge(c, keep);
	if (keep < len && !c->b->err)
		rec(c)->flags |= TTREC_FDF_TRUNCATED;
	copy = strndup(text, keep);
	if (!copy) {
		c->b->err = -ENOMEM;
		return;
	}
	note(c, TTREC_NT_FD_FDINFO, copy, keep + 1);
	free(copy);
}

/* ------------------------------------------------- fdinfo, as the module */

static bool parse_eventfd(const char *t, struct ttrec_fd_eventfd *e)
{
	const char *l = strstr(t, "eventfd-count:");
	unsigned long long count;
	int sem;

	if (!l || sscanf(l, "eventfd-count: %llx", &count) != 1)
		return false;
	e->count = count;
	e->flags = TTREC_EVENTFD_SEMAPHORE_UNKNOWN;
	l = strstr(t, "eventfd-semaphore:");
	if (l && sscanf(l, "eventfd-semaphore: %d", &sem) == 1)
		e->flags = sem ? TTREC_EVENTFD_SEMAPHORE : 0;
	return true;
}

static bool parse_timerfd(const char *t, struct ttrec_fd_timerfd *tf)
{
	unsigned long long ticks, vs, vns, is, ins;
	unsigned int flags;
	int clockid;

	if (sscanf(t, "clockid: %d ticks: %llu settime flags: 0%o it_value: (%llu, %llu) it_interval: (%llu, %llu)",
		   &clockid, &ticks, &flags, &vs, &vns, &is, &ins) != 7)
		return false;
	tf->clockid = clockid;
	tf->ticks = ticks;
	tf->settime_flags = flags;
	tf->value_ns = vs * 1000000000ULL + vns;
	tf->interval_ns = is * 1000000000ULL + ins;
	return true;
}

static bool parse_signalfd(const char *t, struct ttrec_fd_signalfd *s)
{
	unsigned long long mask;

	if (sscanf(t, "sigmask: %llx", &mask) != 1)
		return false;
	s->sigmask = mask;
	return true;
}

/* The interest list; sdev is the kernel's dev_t (major << 20 | minor). */
static bool parse_epoll(struct fds_ctx *c, const char *t)
{
	struct ttrec_fd_epoll_item *items = NULL;
	uint32_t n = 0, cap = 0;
	const char *l;
	size_t bytes, keep;

	for (l = t; (l = strstr(l, "tfd:")); l++) {
		long long pos;
		unsigned long long data;
		unsigned long ino;
		unsigned int events, sdev;
		int tfd;

		if (sscanf(l, "tfd: %d events: %x data: %llx pos:%lli ino:%lx sdev:%x",
			   &tfd, &events, &data, &pos, &ino, &sdev) != 6) {
			free(items);
			return false;
		}
		if (n == cap) {
			struct ttrec_fd_epoll_item *q = realloc(items, (cap = cap ? 2 * cap : 16) *
								sizeof(*q));

			if (!q) {
				free(items);
				c->b->err = -ENOMEM;
				return true;
			}
			items = q;
		}
		items[n++] = (struct ttrec_fd_epoll_item){
			.tfd = tfd, .events = events, .data = data, .ino = ino,
			.dev = makedev(sdev >> 20, sdev & 0xfffff),
		};
	}
	bytes = (size_t)n * sizeof(*items);
	keep = charge(c, bytes);
	keep -= keep % sizeof(*items);
	if (keep)
		note(c, TTREC_NT_FD_EPOLL, items, keep);
	free(items);
	return true;
}

/* ------------------------------------------------------------ kinds */

/* A pipe or FIFO: as the module, but readers and writers unknown. */
static void do_pipe(struct fds_ctx *c, int fd, int dup, const struct stat *st)
{
	struct ttrec_fd_pipe pi = { .id = st->st_ino, .data_fd = -1,
				    .flags = TTREC_PIPE_COUNTS_UNKNOWN };
	uint8_t *data = NULL;
	size_t got = 0;
	uint32_t i;
	int bytes = 0, size;

	size = dup >= 0 ? fcntl(dup, F_GETPIPE_SZ) : -1;
	if (size > 0)
		pi.capacity = size;
	if (dup >= 0 && !ioctl(dup, FIONREAD, &bytes))
		pi.bytes = bytes;
	for (i = 0; i < c->npipes; i++)
		if (c->pipes[i].id == pi.id)
			break;
	if (i < c->npipes) {
		pi.data_fd = c->pipes[i].fd;
	} else {
		void *q = realloc(c->pipes, (c->npipes + 1) * sizeof(*c->pipes));
		char path[64];
		int rd, own[2];

		if (!q) {
			c->b->err = -ENOMEM;
			return;
		}
		c->pipes = q;
		c->pipes[c->npipes].id = pi.id;
		c->pipes[c->npipes++].fd = fd;
		pi.data_fd = fd;
		pi.flags |= TTREC_PIPE_DATA;
		/* tee() needs a read end: a new one on the same pipe */
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", c->pid, fd);
		rd = pi.bytes ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
		if (rd >= 0 && !pipe2(own, O_CLOEXEC | O_NONBLOCK)) {
			size_t want = charge(c, pi.bytes);

			if (fcntl(own[1], F_SETPIPE_SZ, pi.capacity) < 0)
				pr_debug("state: F_SETPIPE_SZ %u: %s\n", pi.capacity, strerror(errno));
			data = malloc(want ? want : 1);
			while (data && got < want) {
				ssize_t n = tee(rd, own[1], want - got, SPLICE_F_NONBLOCK);

				if (n <= 0 || read(own[0], data + got, n) != n)
					break;
				got += n;
			}
			close(own[0]);
			close(own[1]);
		}
		if (rd >= 0)
			close(rd);
		if (got < pi.bytes) {
			pi.flags |= TTREC_PIPE_DATA_TRUNCATED;
			c->data_truncated = true;
			if (!c->b->err)
				rec(c)->flags |= TTREC_FDF_TRUNCATED;
		}
	}
	note(c, TTREC_NT_FD_PIPE, &pi, sizeof(pi));
	if (pi.flags & TTREC_PIPE_DATA)
		note(c, TTREC_NT_FD_PIPE_DATA, data, got);
	free(data);
}

static bool is_tty_major(unsigned int major)
{
	return major == 4 || major == 5 || (major >= 128 && major < 144) || major == 166 ||
	       major == 188 || major == 204 || major == 229;
}

/* The anonymous-inode kinds, by the name the kernel shows. */
static uint32_t anon_kind(const char *path, const char *own)
{
	if (!strcmp(path, "anon_inode:[eventfd]"))
		return TTREC_FD_EVENTFD;
	if (!strcmp(path, "anon_inode:[timerfd]"))
		return TTREC_FD_TIMERFD;
	if (!strcmp(path, "anon_inode:[signalfd]"))
		return TTREC_FD_SIGNALFD;
	if (!strcmp(path, "anon_inode:[eventpoll]"))
		return TTREC_FD_EPOLL;
	if (!strcmp(path, "anon_inode:[pidfd]") && proc_field(own, "Pid"))
		return TTREC_FD_PIDFD;
	return TTREC_FD_OTHER;
}

static uint32_t fd_kind(const struct stat *st, const char *path, bool have_path,
			const char *own, int dup, bool path_only)
{
	struct statfs sfs;
	mode_t m = st->st_mode;

	if (S_ISREG(m)) {
		if (have_path && !strncmp(path, "/memfd:", 7) && dup >= 0 && !fstatfs(dup, &sfs) &&
		    (sfs.f_type == TMPFS_MAGIC || sfs.f_type == HUGETLBFS_MAGIC))
			return TTREC_FD_MEMFD;
		return TTREC_FD_REG;
	}
	if (S_ISDIR(m))
		return TTREC_FD_DIR;
	if (S_ISFIFO(m))
		return have_path && !strncmp(path, "pipe:[", 6) ? TTREC_FD_PIPE : TTREC_FD_FIFO;
	if (S_ISSOCK(m))
		return have_path && !strncmp(path, "socket:[", 8) && !path_only ? TTREC_FD_SOCKET :
										    TTREC_FD_OTHER;
	if (S_ISCHR(m))
		return is_tty_major(major(st->st_rdev)) ? TTREC_FD_TTY : TTREC_FD_CHR;
	if (S_ISBLK(m))
		return TTREC_FD_BLK;
	return have_path && !path_only ? anon_kind(path, own) : TTREC_FD_OTHER;
}

static void describe(struct fds_ctx *c, int fd)
{
	char path[PATH_MAX + 16], lpath[64], name[32], *fdinfo;
	struct ttrec_snap_fd h;
	const char *own, *v;
	struct stat st;
	bool have_path, path_only;
	unsigned int flags = 0;
	ssize_t n;
	int dup;

	snprintf(lpath, sizeof(lpath), "/proc/%d/fd/%d", c->pid, fd);
	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	fdinfo = proc_read(c->pid, 0, name, NULL);
	if (!fdinfo || stat(lpath, &st)) {
		free(fdinfo);
		return;			/* closed meanwhile (another process's doing) */
	}
	n = readlink(lpath, path, sizeof(path) - 1);
	have_path = n >= 0;
	path[have_path ? n : 0] = 0;
	own = own_lines(fdinfo);
	v = proc_field(fdinfo, "flags");
	if (v)
		flags = strtoul(v, NULL, 8);
	path_only = flags & O_PATH;
	dup = path_only ? -1 : syscall(SYS_pidfd_getfd, c->pidfd, fd, 0);

	memset(&h, 0, sizeof(h));
	h.fd = fd;
	h.kind = fd_kind(&st, path, have_path, own, dup, path_only);
	if (flags & O_CLOEXEC)
		h.flags |= TTREC_FDF_CLOEXEC;
	if (!path_only && (flags & O_ACCMODE) != O_WRONLY)
		h.flags |= TTREC_FDF_READ;
	if (!path_only && (flags & O_ACCMODE) != O_RDONLY)
		h.flags |= TTREC_FDF_WRITE;
	if (!have_path)
		h.flags |= TTREC_FDF_NO_PATH;
	else if (n > 10 && !strcmp(path + n - 10, " (deleted)") && h.kind != TTREC_FD_MEMFD &&
		 h.kind != TTREC_FD_OTHER)
		h.flags |= TTREC_FDF_DELETED;
	h.f_flags = flags & ~O_CLOEXEC;
	h.mode = st.st_mode;
	v = proc_field(fdinfo, "pos");
	if (v)
		h.pos = strtoull(v, NULL, 10);
	h.dev = st.st_dev;
	h.ino = st.st_ino;
	h.rdev = st.st_rdev;
	h.size_bytes = st.st_size;
	h.mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;

	c->rec = sbuf_fd_begin(c->b, &h);
	if (have_path)
		note(c, TTREC_NT_FD_PATH, path, n + 1);
	if (!path_only) {
		switch (h.kind) {
		case TTREC_FD_PIPE:
		case TTREC_FD_FIFO:
			do_pipe(c, fd, dup, &st);
			break;
		case TTREC_FD_EVENTFD: {
			struct ttrec_fd_eventfd e = { 0 };

			if (parse_eventfd(own, &e))
				note(c, TTREC_NT_FD_EVENTFD, &e, sizeof(e));
			else
				fdinfo_note(c, own);
			break;
		}
		case TTREC_FD_TIMERFD: {
			struct ttrec_fd_timerfd tf = { 0 };

			if (parse_timerfd(own, &tf))
				note(c, TTREC_NT_FD_TIMERFD, &tf, sizeof(tf));
			else
				fdinfo_note(c, own);
			break;
		}
		case TTREC_FD_SIGNALFD: {
			struct ttrec_fd_signalfd s = { 0 };

			if (parse_signalfd(own, &s))
				note(c, TTREC_NT_FD_SIGNALFD, &s, sizeof(s));
			else
				fdinfo_note(c, own);
			break;
		}
		case TTREC_FD_EPOLL:
			if (!parse_epoll(c, own))
				fdinfo_note(c, own);
			break;
		case TTREC_FD_SOCKET: {
			struct ttrec_fd_socket s;

			state_socket(c->diag, dup, st.st_ino, &s);
			note(c, TTREC_NT_FD_SOCKET, &s, sizeof(s));
			if (s.family == AF_UNIX && dup >= 0) {
				uint8_t *q;
				bool cut;
				size_t n = state_sock_queue(dup, s.type, c->data_left, &q, &cut);

				if (n)
					note(c, TTREC_NT_FD_SOCK_QUEUE, q, n);
				if (cut)
					charge(c, c->data_left + 1);	/* flags the record */
				else
					charge(c, n);
				free(q);
			}
			break;
		}
		case TTREC_FD_MEMFD: {
			struct ttrec_fd_memfd m;
			struct statfs sfs;
			char *end;
			int seals = dup >= 0 ? fcntl(dup, F_GET_SEALS) : -1;

			memset(&m, 0, sizeof(m));
			m.seals = seals > 0 ? seals : 0;
			if (!fstatfs(dup, &sfs) && sfs.f_type == HUGETLBFS_MAGIC)
				m.flags |= TTREC_MEMFD_HUGETLB;
			memcpy(m.name, path + 7, strnlen(path + 7, sizeof(m.name) - 1));
			end = strstr((char *)m.name, " (deleted)");
			if (end && !end[10])
				*end = 0;
			note(c, TTREC_NT_FD_MEMFD, &m, sizeof(m));
			break;
		}
		case TTREC_FD_PIDFD: {
			struct ttrec_fd_pidfd p = { 0 };
			long pid = strtol(proc_field(own, "Pid"), NULL, 10);

			if (pid > 0)
				p.pid = pid;
			else
				p.flags |= TTREC_PIDFD_EXITED;
			note(c, TTREC_NT_FD_PIDFD, &p, sizeof(p));
			break;
		}
		case TTREC_FD_OTHER:
			fdinfo_note(c, own);
			break;
		}
	}
	sbuf_fd_end(c->b, c->rec);
	if (dup >= 0)
		close(dup);
	free(fdinfo);
}

int state_fds(pid_t pid, struct proc_state *ps)
{
	struct fds_ctx c = { .pid = pid, .b = &ps->fds, .data_left = FD_DATA_MAX };
	uint32_t n, i;
	int *fds, err;

	c.pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (c.pidfd < 0) {
		err = -errno;
		return err == -EINVAL ? -ESRCH : err;
	}
	err = list_fds(pid, &fds, &n);
	if (err) {
		close(c.pidfd);
		if (err == -ENOENT)
			ps->fds_state |= TTREC_FDS_NO_TABLE;
		return err == -ENOENT ? 0 : err;
	}
	c.diag = sock_diag_open();
	for (i = 0; i < n && !ps->fds.err; i++)
		describe(&c, fds[i]);
	ps->fds_total = ps->fds.count;
	if (c.data_truncated)
		ps->fds_state |= TTREC_FDS_DATA_TRUNCATED;
	sock_diag_close(c.diag);
	free(c.pipes);
	free(fds);
	close(c.pidfd);
	return ps->fds.err;
}
