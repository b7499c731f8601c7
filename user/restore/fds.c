// SPDX-License-Identifier: GPL-2.0
/*
 * The descriptor table of the image, re-created in the stub.
 *
 * Before the stub is made, rst_fds_plan() decides what becomes of each
 * descriptor: re-created by its kind (the table below), --inherit-fd's
 * path, /dev/null (--skip-unsupported), or one of ttrec restore's own
 * stdin, stdout and stderr (fds 0-2 and any other descriptor on a
 * terminal or on a pipe whose other end is outside the process). A kind
 * ttrec cannot re-create fails the restore there, with the list of such
 * descriptors; so does a regular file changed since the snapshot (without
 * --force).
 *
 * Then rst_fds_restore(), once the memory is in place: each kind makes
 * its descriptor in ttrec itself (a pipe with its bytes written back, an
 * eventfd with its count, ...) and ttrec passes it to the stub over a
 * unix socket (SCM_RIGHTS): the stub, made to connect a datagram socket
 * to ours, receives it with an injected recvmsg() and dup3()s it to its
 * number with its FD_CLOEXEC flag; the record's f_flags (O_NONBLOCK,
 * O_APPEND, ...) are set on it in ttrec before. The socket and the memfds
 * vmas.c kept (a memfd both open and mapped is one file) wait above the
 * image's highest number, and go once every descriptor is in place and
 * the epoll sets have their interest lists (epoll keys its items by
 * descriptor number). The stub ends up with the image's descriptors and
 * nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "restore/fds.h"
#include "lib/log.h"

struct rfd *rfd_find(struct rst *r, int fd)
{
	for (uint32_t i = 0; r->fds && i < r->fds->n; i++)
		if (r->fds->fd[i].f->h.fd == fd)
			return &r->fds->fd[i];
	return NULL;
}

void rfd_stub_close(struct rst *r, int fd)
{
	rst_syscall(r, r->leader, SYS_close, fd, 0, 0, 0, 0, 0);
}

/* "fd 5 (pidfd /path)": for messages. */
static const char *fd_name(const struct rfd *d, char *buf, size_t len)
{
	const struct img_fd *f = d->f;

	snprintf(buf, len, "fd %d (%s%s%s)", f->h.fd, state_fd_kind_name(f->h.kind),
		 f->path ? " " : "", f->path ? f->path : "");
	return buf;
}

/* A terminal: the restore's own stdio. */
static int check_tty(struct rst *r, struct rfd *d)
{
	(void)r;
	d->how = RFD_STDIO;
	return 0;
}

/* A socket: sockets.c's. */
static int make_socket(struct rst *r, struct rfd *d)
{
	bool warned = false;
	int fd = rst_fd_socket(r, d->f, &warned);

	if (fd < 0) {
		if (fd == -EOPNOTSUPP && !d->cannot)
			d->cannot = "a socket ttrec cannot re-create";
		return fd;
	}
	d->local = fd;
	d->setfl = true;
	snprintf(d->became, sizeof(d->became), "a socket%s",
		 warned ? " whose peer has reset" : "");
	return 0;
}

/* Every kind of descriptor, and what makes it. */
static const struct rfd_kind kinds[] = {
	{ TTREC_FD_REG, NULL, rfd_check_file, rfd_make_file, NULL },
	{ TTREC_FD_DIR, NULL, rfd_check_file, rfd_make_file, NULL },
	{ TTREC_FD_CHR, NULL, rfd_check_file, rfd_make_file, NULL },
	{ TTREC_FD_BLK, NULL, rfd_check_file, rfd_make_file, NULL },
	{ TTREC_FD_PIPE, NULL, rfd_check_pipe, rfd_make_pipe, NULL },
	{ TTREC_FD_FIFO, NULL, rfd_check_pipe, rfd_make_pipe, NULL },
	{ TTREC_FD_EVENTFD, NULL, NULL, rfd_make_eventfd, NULL },
	{ TTREC_FD_TIMERFD, NULL, NULL, rfd_make_timerfd, NULL },
	{ TTREC_FD_SIGNALFD, NULL, NULL, rfd_make_signalfd, NULL },
	{ TTREC_FD_MEMFD, NULL, rfd_check_memfd, rfd_make_memfd, rfd_finish_memfd },
	{ TTREC_FD_EPOLL, NULL, NULL, rfd_make_epoll, rfd_finish_epoll },
	{ TTREC_FD_SOCKET, NULL, NULL, make_socket, NULL },
	{ TTREC_FD_TTY, NULL, check_tty, NULL, NULL },
	{ TTREC_FD_PIDFD, "a pidfd (the process it refers to is not restored with it)",
	  NULL, NULL, NULL },
	{ TTREC_FD_OTHER, "a kind ttrec cannot re-create", NULL, NULL, NULL },
};

static const struct rfd_kind *kind_of(uint32_t kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == kind)
			return &kinds[i];
	return NULL;
}

/* --inherit-fd for @fd, or NULL. */
static const struct restore_inherit *inherit_of(const struct rst *r, int fd)
{
	for (uint32_t i = 0; i < r->o->nr_inherit; i++)
		if (r->o->inherit[i].fd == fd)
			return &r->o->inherit[i];
	return NULL;
}

/* ttrec's stdio for a descriptor of the outside world: its own number for
 * 0-2, else stdin when it was open for reading only, stdout otherwise. */
static int stdio_for(const struct img_fd *f)
{
	if (f->h.fd <= 2)
		return f->h.fd;
	return (f->h.flags & (TTREC_FDF_READ | TTREC_FDF_WRITE)) == TTREC_FDF_READ ? 0 : 1;
}

static int plan_one(struct rst *r, struct rfd *d)
{
	const struct restore_inherit *in = inherit_of(r, d->f->h.fd);
	int err;

	d->local = d->in_stub = -1;
	d->k = kind_of(d->f->h.kind);
	if (in) {
		d->how = RFD_INHERIT;
		d->path = in->path;
		return 0;
	}
	if (!d->k) {
		d->cannot = "a kind this ttrec does not know";
		return -EOPNOTSUPP;
	}
	if (d->k->cannot) {
		d->cannot = d->k->cannot;
		return -EOPNOTSUPP;
	}
	if (!d->k->check)
		return 0;
	err = d->k->check(r, d);
	if (!err && d->how == RFD_STDIO)
		d->stdio = stdio_for(d->f);
	return err;
}

/* Descriptors ttrec cannot re-create: the list, and /dev/null for them
 * with --skip-unsupported. */
static int unsupported(struct rst *r, struct rfd **list, uint32_t n)
{
	char name[IMG_PATH_MAX + 64];

	if (!n)
		return 0;
	if (!r->o->skip_unsupported) {
		pr_err("restore: %u descriptor%s of %s cannot be re-created:\n", n,
		       n == 1 ? "" : "s", r->o->image);
		for (uint32_t i = 0; i < n; i++)
			pr_err("  %s: %s\n", fd_name(list[i], name, sizeof(name)), list[i]->cannot);
		pr_err("restore: --skip-unsupported restores them as /dev/null, --inherit-fd N=PATH as PATH\n");
		return -EOPNOTSUPP;
	}
	for (uint32_t i = 0; i < n; i++) {
		pr_warn("restore: %s becomes /dev/null (--skip-unsupported): %s\n",
			fd_name(list[i], name, sizeof(name)), list[i]->cannot);
		list[i]->how = RFD_NULL;
	}
	return 0;
}

/*
 * Descriptor numbers up to @maxfd, and ours above them (the socket, the
 * memfds vmas.c keeps): a soft RLIMIT_NOFILE above that, for ttrec and the
 * stub it forks, since dup3() refuses numbers past it. The process's own
 * limit is the image's business, not this.
 */
static int room_for(struct rst *r, int maxfd)
{
	rlim_t want = (rlim_t)maxfd + 1 + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	if (rl.rlim_cur >= want)
		return 0;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;	/* root: CAP_SYS_RESOURCE, up to fs.nr_open */
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		int err = -errno;

		pr_err("restore: descriptor %d of %s needs a limit of open files (RLIMIT_NOFILE) of %llu: %s\n",
		       maxfd, r->o->image, (unsigned long long)want, strerror(-err));
		return err;
	}
	return 0;
}

int rst_fds_plan(struct rst *r)
{
	const struct img_state *st = img_state(r->im);
	struct rfd **bad = NULL;
	uint32_t nbad = 0;
	struct rfds *s;
	int err = 0;

	if (!st) {
		rst_note(r, "the image holds no descriptor table: the process gets ttrec's stdin, stdout and stderr\n");
		return 0;
	}
	if (st->fds_state & TTREC_FDS_TRUNCATED) {
		pr_err("restore: %s holds %u of the process's %u descriptors (the module's max_snapshot_fds): the others cannot be restored\n",
		       r->o->image, st->nr_fds, st->fds_total);
		return -EOPNOTSUPP;
	}
	if (st->fds_state & TTREC_FDS_UNSHARED)
		pr_warn("restore: a thread of the process had a descriptor table of its own (unshare(CLONE_FILES)): every thread gets the leader's\n");
	for (uint32_t i = 0; i < r->o->nr_inherit; i++) {
		bool found = false;

		for (uint32_t k = 0; k < st->nr_fds; k++)
			found |= st->fds[k].h.fd == r->o->inherit[i].fd;
		if (!found) {
			pr_err("restore: --inherit-fd %d=%s: the process had no descriptor %d\n",
			       r->o->inherit[i].fd, r->o->inherit[i].path, r->o->inherit[i].fd);
			return -EINVAL;
		}
	}
	s = calloc(1, sizeof(*s));
	if (s)
		s->fd = calloc(st->nr_fds ? st->nr_fds : 1, sizeof(*s->fd));
	bad = calloc(st->nr_fds ? st->nr_fds : 1, sizeof(*bad));
	if (!s || !s->fd || !bad) {
		if (s)
			free(s->fd);
		free(s);
		free(bad);
		return -ENOMEM;
	}
	s->chan = s->chan_stub = -1;
	s->maxfd = 2;
	r->fds = s;
	for (uint32_t i = 0; i < st->nr_fds; i++) {
		s->fd[i].f = &st->fds[i];
		s->fd[i].local = s->fd[i].in_stub = -1;
		if (st->fds[i].h.fd > s->maxfd)
			s->maxfd = st->fds[i].h.fd;
	}
	s->n = st->nr_fds;
	for (uint32_t i = 0; i < s->n; i++) {
		struct rfd *d = &s->fd[i];
		int e;

		e = plan_one(r, d);
		if (e == -EOPNOTSUPP)
			bad[nbad++] = d;
		else if (e && !err)
			err = e;
	}
	if (!err)
		err = unsupported(r, bad, nbad);
	if (!err)
		err = room_for(r, s->maxfd);
	free(bad);
	return err;
}

/* ---- the channel: our socket, and the stub's connected to it */

static int chan_open(struct rst *r)
{
	struct rfds *s = r->fds;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sa);
	uint64_t at;
	int64_t fd, ret;
	int err;

	s->chan = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->chan < 0)
		return -errno;
	/* an abstract name of the kernel's choosing */
	if (bind(s->chan, (struct sockaddr *)&sa, sizeof(sa_family_t)) ||
	    getsockname(s->chan, (struct sockaddr *)&sa, &len))
		return -errno;
	fd = rst_syscall_ok(r, r->leader, "a socket for the descriptors", SYS_socket, AF_UNIX,
			    SOCK_DGRAM | SOCK_CLOEXEC, 0, 0, 0, 0);
	if (fd < 0)
		return (int)fd;
	/* above every number of the image, out of the way */
	ret = rst_syscall_ok(r, r->leader, "moving the descriptors' socket", SYS_fcntl, fd,
			     F_DUPFD_CLOEXEC, s->maxfd + 1, 0, 0, 0);
	rfd_stub_close(r, (int)fd);
	if (ret < 0)
		return (int)ret;
	s->chan_stub = (int)ret;
	err = rst_scratch(r, 0, &sa, len, &at);
	if (err)
		return err;
	/* connected, it takes datagrams from our socket only */
	ret = rst_syscall_ok(r, r->leader, "connecting the descriptors' socket", SYS_connect,
			     s->chan_stub, at, len, 0, 0, 0);
	if (ret < 0)
		return (int)ret;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	err = rst_scratch(r, 0, &sa, sizeof(sa_family_t), &at);
	if (err)
		return err;
	ret = rst_syscall_ok(r, r->leader, "naming the descriptors' socket", SYS_bind,
			     s->chan_stub, at, sizeof(sa_family_t), 0, 0, 0);
	if (ret < 0)
		return (int)ret;
	len = sizeof(sa);
	err = rst_scratch(r, 0, &len, sizeof(len), &at);
	if (err)
		return err;
	ret = rst_syscall_ok(r, r->leader, "naming the descriptors' socket", SYS_getsockname,
			     s->chan_stub, at + 8, at, 0, 0, 0);
	if (ret < 0)
		return (int)ret;
	if (rst_peek(r, at, &len, sizeof(len)) || len > sizeof(sa) ||
	    rst_peek(r, at + 8, &sa, len))
		return -EIO;
	return connect(s->chan, (struct sockaddr *)&sa, len) ? -errno : 0;
}

/* Our descriptor @local, received by the stub: its number there. */
static int pass(struct rst *r, int local)
{
	struct rfds *s = r->fds;
	char byte = 0, ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	/* the stub's msghdr, iovec, byte and control buffer, in the scratch area */
	struct { struct msghdr m; struct iovec iov; uint64_t byte; char ctl[CMSG_SPACE(sizeof(int))]; } sm;
	uint64_t at;
	int64_t ret;
	int fd, err;

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &local, sizeof(int));
	if (sendmsg(s->chan, &m, MSG_NOSIGNAL) != 1) {
		err = -errno;
		pr_err("restore: passing a descriptor to the new process: %s\n", strerror(-err));
		return err;
	}
	memset(&sm, 0, sizeof(sm));
	at = r->scratch;
	sm.m.msg_iov = (void *)(uintptr_t)(at + offsetof(typeof(sm), iov));
	sm.m.msg_iovlen = 1;
	sm.m.msg_control = (void *)(uintptr_t)(at + offsetof(typeof(sm), ctl));
	sm.m.msg_controllen = sizeof(sm.ctl);
	sm.iov.iov_base = (void *)(uintptr_t)(at + offsetof(typeof(sm), byte));
	sm.iov.iov_len = 1;
	err = rst_scratch(r, 0, &sm, sizeof(sm), &at);
	if (err)
		return err;
	ret = rst_syscall_ok(r, r->leader, "receiving a descriptor", SYS_recvmsg, s->chan_stub,
			     at, MSG_CMSG_CLOEXEC | MSG_DONTWAIT, 0, 0, 0);
	if (ret < 0)
		return (int)ret;
	if (rst_peek(r, at, &sm, sizeof(sm)))
		return -EIO;
	c = (struct cmsghdr *)sm.ctl;
	if (sm.m.msg_controllen < CMSG_LEN(sizeof(int)) || c->cmsg_type != SCM_RIGHTS ||
	    (sm.m.msg_flags & MSG_CTRUNC)) {
		pr_err("restore: the new process received no descriptor\n");
		return -EIO;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* @from, in the stub, to @d's number with its FD_CLOEXEC; @from is closed. */
static int install(struct rst *r, struct rfd *d, int from, bool close_from)
{
	int to = d->f->h.fd;
	bool cloexec = d->f->h.flags & TTREC_FDF_CLOEXEC;
	int64_t ret;

	if (from == to)
		ret = rst_syscall(r, r->leader, SYS_fcntl, to, F_SETFD, cloexec ? FD_CLOEXEC : 0,
				  0, 0, 0);
	else
		ret = rst_syscall(r, r->leader, SYS_dup3, from, to, cloexec ? O_CLOEXEC : 0,
				  0, 0, 0);
	if (from != to && close_from)
		rfd_stub_close(r, from);
	if (ret < 0) {
		pr_err("restore: cannot put descriptor %d in place: %s\n", to, strerror((int)-ret));
		return (int)ret;
	}
	return 0;
}

/* What the kinds do not: --inherit-fd, stdio, /dev/null, sockets. */
static int make_common(struct rst *r, struct rfd *d)
{
	char name[IMG_PATH_MAX + 64];
	int acc, err;

	switch (d->how) {
	case RFD_INHERIT:
		switch (d->f->h.flags & (TTREC_FDF_READ | TTREC_FDF_WRITE)) {
		case TTREC_FDF_READ:
			acc = O_RDONLY;
			break;
		case TTREC_FDF_WRITE:
			acc = O_WRONLY | O_CREAT;
			break;
		default:
			acc = O_RDWR | O_CREAT;
		}
		d->local = open(d->path, acc | O_CLOEXEC | O_NOCTTY |
				(d->f->h.f_flags & (O_APPEND | O_NONBLOCK)), 0666);
		if (d->local < 0) {
			err = -errno;
			pr_err("restore: --inherit-fd %d=%s: %s\n", d->f->h.fd, d->path,
			       strerror(-err));
			return err;
		}
		snprintf(d->became, sizeof(d->became), "%s (--inherit-fd)", d->path);
		return 0;
	case RFD_STDIO:
		d->local = fcntl(d->stdio, F_DUPFD_CLOEXEC, 0);
		if (d->local < 0) {
			err = -errno;
			pr_err("restore: %s is to be the restore's %s, which is not open: %s\n",
			       fd_name(d, name, sizeof(name)),
			       d->stdio == 0 ? "stdin" : d->stdio == 1 ? "stdout" : "stderr",
			       strerror(-err));
			return err;
		}
		snprintf(d->became, sizeof(d->became), "the restore's %s",
			 d->stdio == 0 ? "stdin" : d->stdio == 1 ? "stdout" : "stderr");
		return 0;
	case RFD_NULL:
		d->local = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (d->local < 0)
			return -errno;
		snprintf(d->became, sizeof(d->became), "/dev/null (--skip-unsupported)");
		return 0;
	case RFD_MAKE:
		break;
	}
	if (!d->k->make) {
		d->cannot = "a kind ttrec cannot re-create";
		return -EOPNOTSUPP;
	}
	return d->k->make(r, d);
}

/* Every descriptor made in ttrec; those that cannot be after all listed. */
static int make_all(struct rst *r)
{
	struct rfds *s = r->fds;
	struct rfd **bad = calloc(s->n ? s->n : 1, sizeof(*bad));
	uint32_t nbad = 0;
	int err = 0;

	if (!bad)
		return -ENOMEM;
	for (uint32_t i = 0; !err && i < s->n; i++) {
		struct rfd *d = &s->fd[i];
		int e = make_common(r, d);

		if (e == -EOPNOTSUPP && d->cannot)
			bad[nbad++] = d;
		else
			err = e;
	}
	if (!err && nbad) {
		err = unsupported(r, bad, nbad);
		for (uint32_t i = 0; !err && i < nbad; i++)
			err = make_common(r, bad[i]);
	}
	free(bad);
	return err;
}

static int place(struct rst *r, struct rfd *d)
{
	int from, fl;

	if (d->in_stub >= 0)
		return install(r, d, d->in_stub, false);
	if (d->setfl) {
		/* F_SETFL takes O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME */
		fl = fcntl(d->local, F_GETFL);
		fl = (fl & O_ACCMODE) | (d->f->h.f_flags & ~(O_ACCMODE | O_LARGEFILE));
		if (fcntl(d->local, F_SETFL, fl))
			pr_warn("restore: fd %d: cannot set its flags %#o: %s\n", d->f->h.fd,
				d->f->h.f_flags, strerror(errno));
	}
	from = pass(r, d->local);
	if (from < 0)
		return from;
	return install(r, d, from, true);
}

int rst_fds_restore(struct rst *r)
{
	struct rfds *s = r->fds;
	int err;

	if (!s)
		return 0;
	err = chan_open(r);
	if (err) {
		pr_err("restore: cannot open a way to pass descriptors to the new process: %s\n",
		       strerror(-err));
		return err;
	}
	/* the memfds vmas.c kept, out of the way too */
	for (uint32_t i = 0; i < s->nshm; i++) {
		int64_t ret = rst_syscall_ok(r, r->leader, "moving a memfd", SYS_fcntl,
					     s->shm[i].fd, F_DUPFD_CLOEXEC, s->maxfd + 1, 0, 0, 0);

		if (ret < 0)
			return (int)ret;
		rfd_stub_close(r, s->shm[i].fd);
		s->shm[i].fd = (int)ret;
	}
	/* nothing of the stub's own below them: its stdin, stdout, stderr */
	if (rst_syscall_ok(r, r->leader, "closing the stub's descriptors", SYS_close_range,
			   0, s->maxfd, 0, 0, 0, 0) < 0)
		return -EIO;
	err = make_all(r);
	for (uint32_t i = 0; !err && i < s->n; i++) {
		struct rfd *d = &s->fd[i];

		err = place(r, d);
		if (d->local >= 0)
			close(d->local);
		d->local = -1;
	}
	rfd_pipes_close(s);
	for (uint32_t i = 0; !err && i < s->n; i++)
		if (s->fd[i].how == RFD_MAKE && s->fd[i].k && s->fd[i].k->finish)
			err = s->fd[i].k->finish(r, &s->fd[i]);
	if (err)
		return err;
	if (rst_syscall_ok(r, r->leader, "closing the restore's descriptors", SYS_close_range,
			   s->maxfd + 1, ~0U, 0, 0, 0, 0) < 0)
		return -EIO;
	for (uint32_t i = 0; i < s->n; i++) {
		char name[IMG_PATH_MAX + 64];

		rst_note(r, "  %s: %s\n", fd_name(&s->fd[i], name, sizeof(name)),
			 s->fd[i].became[0] ? s->fd[i].became : "re-created");
	}
	r->nr_fds = s->n;
	return 0;
}

bool rst_fds_keep_shm(struct rst *r, uint64_t dev, uint64_t ino, int fd)
{
	struct rfds *s = r->fds;
	struct rst_shm *n;
	bool used = false;

	for (uint32_t i = 0; s && i < s->n; i++)
		used |= s->fd[i].how == RFD_MAKE && s->fd[i].f->h.kind == TTREC_FD_MEMFD &&
			s->fd[i].f->h.dev == dev && s->fd[i].f->h.ino == ino;
	if (!used)
		return false;
	n = realloc(s->shm, (s->nshm + 1) * sizeof(*n));
	if (!n)
		return false;
	s->shm = n;
	s->shm[s->nshm++] = (struct rst_shm){ dev, ino, fd };
	return true;
}

int rfd_shm_in_stub(struct rst *r, uint64_t dev, uint64_t ino)
{
	for (uint32_t i = 0; r->fds && i < r->fds->nshm; i++)
		if (r->fds->shm[i].dev == dev && r->fds->shm[i].ino == ino)
			return r->fds->shm[i].fd;
	return -1;
}

void rst_fds_free(struct rst *r)
{
	struct rfds *s = r->fds;

	if (!s)
		return;
	for (uint32_t i = 0; i < s->n; i++)
		if (s->fd[i].local >= 0)
			close(s->fd[i].local);
	rfd_pipes_close(s);
	if (s->chan >= 0)
		close(s->chan);
	free(s->fd);
	free(s->shm);
	free(s->pipes);
	free(s);
	r->fds = NULL;
}
