// SPDX-License-Identifier: GPL-2.0
/*
 * The replay's descriptor table (Documentation/replay.rst, Descriptors):
 * every descriptor has its recorded number. open, openat and creat run for
 * real, read-only (an eventfd placeholder takes the number of a file that
 * is gone, or of a path against a cwd or root the replay could not follow,
 * path.c); memfd_create runs for real (memfd.c); the other syscalls that
 * make a descriptor get a placeholder; pipe, close and dup run for real.
 * The mmap of a file maps the file as it is now, which must be the one the
 * recording's fstat() saw, privately (it is never written); the mmap of a
 * memfd maps it; the mmap of a placeholder becomes anonymous memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/log.h"
#include "replay/internal.h"

int rp_fd_kind(const struct rproc *p, int64_t fd)
{
	return fd >= 0 && fd < p->nfd ? p->fd[fd] : FD_CLOSED;
}

void rp_fd_set_kind(struct rproc *p, int64_t fd, int kind)
{
	if (fd < 0 || fd > (1 << 20))
		return;
	if (fd >= p->nfd) {
		int n = fd + 64;
		uint8_t *k = realloc(p->fd, n);
		struct fdstat *f;

		if (!k)
			return;
		p->fd = k;
		f = realloc(p->fst, n * sizeof(*f));
		if (!f)
			return;
		memset(k + p->nfd, FD_CLOSED, n - p->nfd);
		memset(f + p->nfd, 0, (n - p->nfd) * sizeof(*f));
		p->fst = f;
		p->nfd = n;
	}
	p->fd[fd] = kind;
	p->fst[fd].valid = false;
}

/*
 * The program's stdout and stderr are stand-ins in the replay, a memfd each
 * (start.c): remember which files they are. A descriptor the program opens
 * on one of them (/dev/stdout, /dev/fd/1, /proc/self/fd/2, whatever the
 * path) refers to the recorded stdout or stderr: what is written through it
 * is shown again (stdio_kind()).
 */
#define STDIO_KIND(i)	((i) ? FD_STDERR : FD_STDOUT)

void rp_fd_note_stdio(struct rp *rp, struct rproc *p)
{
	char path[64];
	struct stat sb;
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", p->pid, i + 1);
		rp->stdio[i].valid = false;
		if (rp_fd_kind(p, i + 1) != STDIO_KIND(i) || stat(path, &sb) ||
		    !S_ISREG(sb.st_mode))
			continue;	/* not inherited, or on /dev/null */
		rp->stdio[i].valid = true;
		rp->stdio[i].dev = sb.st_dev;
		rp->stdio[i].ino = sb.st_ino;
	}
}

/* What descriptor @fd, just opened for real, is: FD_REAL, or on a stand-in. */
static int stdio_kind(struct rp *rp, struct rproc *p, int fd)
{
	char path[64];
	struct stat sb;
	int i;

	if (!rp->stdio[0].valid && !rp->stdio[1].valid)
		return FD_REAL;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", p->pid, fd);
	if (stat(path, &sb))
		return FD_REAL;
	for (i = 0; i < 2; i++)
		if (rp->stdio[i].valid && rp->stdio[i].dev == (uint64_t)sb.st_dev &&
		    rp->stdio[i].ino == (uint64_t)sb.st_ino)
			return STDIO_KIND(i);
	return FD_REAL;
}

/* A recorded fstat()/statx() of a descriptor: remember the file's identity. */
void rp_note_stat(struct rthread *t, const struct rec_sys *rs, const struct rec_outdata *o)
{
	struct rproc *p = t->p;
	int64_t fd = rs->args[0];
	struct rec_file_id id;

	if (fd < 0 || fd >= p->nfd || p->fd[fd] != FD_REAL || !rec_file_id(rs, o, &id))
		return;
	p->fst[fd] = (struct fdstat){
		.valid = true, .ino = id.ino, .size = id.size, .mtime_ns = id.mtime_ns,
	};
}

uint64_t rp_open_flags(const struct rec_sys *rs)
{
	switch (rs->nr) {
	case SYS_open:
		return rs->args[1];
	case SYS_openat:
		return rs->args[2];
	case SYS_creat:
		return O_CREAT | O_WRONLY | O_TRUNC;
	}
	return 0;
}

/* At the exit stop of a descriptor-creating syscall that failed: a placeholder instead. */
static int64_t placeholder(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	__u64 a[6] = { 0, O_NONBLOCK | (replay_sys_cloexec(rs->nr, rs->args) ? O_CLOEXEC : 0) };

	return rp_inject(rp, t, SYS_eventfd2, a);
}

/*
 * The descriptor-creating syscall @t is at runs for real (@kind RP_OPEN
 * read-only, RP_MEMFD as it is) or as an eventfd placeholder: the new
 * descriptor in *@got, its kind in *@fdk.
 */
static int open_real(struct rp *rp, struct rthread *t, const struct rec_sys *rs, int kind,
		     int64_t *got, int *fdk)
{
	uint64_t fl, keep = O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW | O_PATH;
	struct rp_path_fix fx = { 0 };
	int64_t nr = rs->nr;
	int err;

	*fdk = FD_REAL;
	if (kind == RP_MEMFD) {
		/* the program's own memory: a memfd as it asked */
		*fdk = FD_MEMFD;
	} else if (kind == RP_OPEN) {
		/* /proc/PID of a replayed process: the replay's pid (pids.c) */
		rp_pid_path(rp, t, nr == SYS_openat ? 1 : 0, &fx);
		/* opened for real, read-only, never creating or truncating */
		fl = (rp_open_flags(rs) & keep) | O_RDONLY | O_NONBLOCK | O_NOCTTY;
		if (nr == SYS_openat) {
			t->regs.rdx = fl;
		} else {
			t->regs.orig_rax = SYS_open;	/* creat() too */
			t->regs.rsi = fl;
		}
	} else {
		/* a descriptor of another kind: an eventfd takes its number */
		t->regs.orig_rax = SYS_eventfd2;
		t->regs.rdi = 0;
		t->regs.rsi = O_NONBLOCK | (replay_sys_cloexec(nr, rs->args) ? O_CLOEXEC : 0);
		*fdk = FD_PLACEHOLDER;
	}
	t->dirty = true;
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	rp_pid_path_undo(t, &fx);
	*got = t->regs.rax;
	if (*got < 0 && kind != RP_NEWFD) {
		/* not there (or not openable) any more: a placeholder */
		*got = placeholder(rp, t, rs);
		*fdk = FD_PLACEHOLDER;
	}
	return 0;
}

int rp_sys_open(struct rp *rp, struct rthread *t, const struct rec_sys *rs, int kind)
{
	int64_t nr = rs->nr;
	int err, fdk, mfd = -1;
	bool own = false;
	int64_t got;

	t->entry = t->regs;
	if (kind == RP_OPEN &&
	    !rp_path_resolves(t, nr == SYS_openat ? (int64_t)rs->args[0] : AT_FDCWD,
			      nr == SYS_openat ? rs->args[1] : rs->args[0]))
		kind = RP_NEWFD;	/* where the replay cannot look: a placeholder */
	if (kind == RP_OPEN)
		mfd = rp_memfd_for_open(rp, t, rs, &own);
	if (mfd >= 0) {
		/* a file the recording made: the memfd that stands for it */
		err = rp_memfd_install(rp, t, mfd, rp_open_flags(rs), &got);
		if (own)
			close(mfd);
		fdk = FD_MEMFD;
		if (!err && got < 0) {
			/* the program cannot reach /proc (a chroot) */
			got = placeholder(rp, t, rs);
			fdk = FD_PLACEHOLDER;
		}
	} else {
		err = open_real(rp, t, rs, kind, &got, &fdk);
	}
	if (err)
		return err;
	if (got >= 0 && got != rs->ret && rp_fd_kind(t->p, rs->ret) == FD_CLOSED) {
		/*
		 * Another number: in the recording a lower one was taken by a
		 * syscall still blocked in another thread (accept() takes its
		 * number before it waits). Move it to the recorded one.
		 */
		__u64 a[6] = { got, rs->ret, replay_sys_cloexec(nr, rs->args) ? O_CLOEXEC : 0 };
		__u64 c[6] = { got };

		if (rp_inject(rp, t, SYS_dup3, a) == rs->ret) {
			rp_inject(rp, t, SYS_close, c);
			got = rs->ret;
		}
	}
	if (got != rs->ret) {
		char call[512];

		rp_fmt_call(call, sizeof(call), nr, rs->args, replay_sys_nargs(nr));
		rp_diverge(rp, t, "%s: the replay's descriptor table differs from the recording's\n"
			   "  expected: descriptor %lld\n  actual:   %lld", call, (long long)rs->ret,
			   (long long)got);
		return -EBADF;
	}
	if (fdk == FD_REAL)
		fdk = stdio_kind(rp, t->p, got);
	rp_fd_set_kind(t->p, got, fdk);
	rp_restore_args(t, rs->ret);
	return rp_do_outs(rp, t, rs, true);
}

int rp_sys_pipe(struct rp *rp, struct rthread *t, const struct rec_sys *rs, int kind)
{
	int32_t fds[2];
	uint64_t arr = kind == RP_SOCKETPAIR ? rs->args[3] : rs->args[0];
	unsigned int k;
	int err;

	t->entry = t->regs;
	if (kind == RP_SOCKETPAIR) {
		t->regs.orig_rax = SYS_pipe2;
		t->regs.rdi = arr;
		t->regs.rsi = (rs->args[1] & (O_CLOEXEC | O_NONBLOCK));
		t->dirty = true;
	}
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	if ((int64_t)t->regs.rax != rs->ret) {
		rp_divergent_result(rp, t, rs, t->regs.rax);
		return -EPROTO;
	}
	if (rp_mem_read(t->p, arr, fds, sizeof(fds)))
		return -EFAULT;
	rp_fd_set_kind(t->p, fds[0], FD_PLACEHOLDER);
	rp_fd_set_kind(t->p, fds[1], FD_PLACEHOLDER);
	rp_restore_args(t, rs->ret);
	/* the recorded numbers must be the ones the replay got */
	for (k = 0; k < rp->ev->nout; k++) {
		const struct rec_outdata *o = &rp->ev->out[k];
		int32_t want[2];

		if (o->len != 8 || !memcmp(o->data, fds, 8))
			continue;
		memcpy(want, o->data, 8);
		rp_diverge(rp, t, "pipe: the replay's descriptor table differs from the recording's\n"
			   "  expected: [%d, %d]\n  actual:   [%d, %d]", want[0], want[1],
			   fds[0], fds[1]);
	}
	return rp->ev->nout < rs->nout ? -EBADMSG : 0;
}

int rp_sys_mmap(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	uint64_t flags = rs->args[3], type = flags & MAP_SHARED_VALIDATE;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
	int fd = rs->args[4], kind = rp_fd_kind(t->p, fd);
	int err;

	t->entry = t->regs;
	/*
	 * MAP_LOCKED only keeps the pages in memory, which the program cannot
	 * see (mincore and /proc are emulated, as are mlock and mlockall); it
	 * would fail where the replay may lock less than the recording could
	 * (RLIMIT_MEMLOCK, without CAP_IPC_LOCK).
	 */
	flags &= ~(uint64_t)MAP_LOCKED;
	if (!(flags & MAP_ANONYMOUS) && kind == FD_REAL && shared) {
		/*
		 * The file is opened read-only and never written: a shared
		 * mapping of it is a private one, which shows the file as it
		 * is and what the program writes to it (a writable one would
		 * fail with EACCES).
		 */
		flags = (flags & ~(uint64_t)(MAP_SHARED_VALIDATE | MAP_SYNC)) | MAP_PRIVATE;
	} else if (!(flags & MAP_ANONYMOUS) && kind != FD_REAL && kind != FD_MEMFD) {
		/*
		 * The descriptor is a placeholder: anonymous memory instead,
		 * shared if the mapping was, so that the processes that
		 * share it after a fork see each other's writes.
		 */
		if (!rp->warned_anon)
			pr_warn("event #%llu: mmap of descriptor %d, which is no file in the replay: mapped anonymous memory instead\n",
				(unsigned long long)rp->seq, fd);
		rp->warned_anon = true;
		rp->imprecise++;
		t->regs.rdi = rs->ret;
		flags = (flags & ~(uint64_t)(MAP_SHARED_VALIDATE | MAP_SYNC)) |
			(shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_FIXED;
		t->regs.r8 = -1;
		t->regs.r9 = 0;
		t->dirty = true;
	}
	if (flags != rs->args[3]) {
		t->regs.r10 = flags;
		t->dirty = true;
	}
	if (!(flags & MAP_ANONYMOUS) && rp_fd_kind(t->p, fd) == FD_REAL && t->p->fst[fd].valid) {
		/* the mapping shows the file as it is now: is it the recorded one? */
		const struct fdstat *r = &t->p->fst[fd];
		char path[64];
		struct stat sb;

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", t->p->pid, fd);
		if (!stat(path, &sb) &&
		    ((uint64_t)sb.st_ino != r->ino || (uint64_t)sb.st_size != r->size ||
		     (uint64_t)(sb.st_mtim.tv_sec * 1000000000ULL + sb.st_mtim.tv_nsec) != r->mtime_ns)) {
			char call[512];

			rp_fmt_call(call, sizeof(call), rs->nr, rs->args, 6);
			rp_diverge(rp, t, "%s maps a file that changed since the recording\n"
				   "  expected: inode %llu, %llu bytes, mtime %llu.%09llu\n"
				   "  actual:   inode %llu, %llu bytes, mtime %llu.%09llu",
				   call, (unsigned long long)r->ino, (unsigned long long)r->size,
				   (unsigned long long)(r->mtime_ns / 1000000000ULL),
				   (unsigned long long)(r->mtime_ns % 1000000000ULL),
				   (unsigned long long)sb.st_ino, (unsigned long long)sb.st_size,
				   (unsigned long long)sb.st_mtim.tv_sec,
				   (unsigned long long)sb.st_mtim.tv_nsec);
			return -ESTALE;
		}
	}
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	if ((int64_t)t->regs.rax != rs->ret) {
		rp_divergent_result(rp, t, rs, t->regs.rax);
		return -EPROTO;
	}
	rp_restore_args(t, rs->ret);
	return rp_do_outs(rp, t, rs, false);
}

void rp_fd_effects(struct rthread *t, const struct rec_sys *rs)
{
	struct rproc *p = t->p;
	int64_t i;

	switch (rs->nr) {
	case SYS_close:
		rp_fd_set_kind(p, rs->args[0], FD_CLOSED);
		break;
	case SYS_close_range:
		if (rs->args[2] & 4)	/* CLOSE_RANGE_CLOEXEC */
			break;
		for (i = rs->args[0]; i < p->nfd && i <= (int64_t)(uint32_t)rs->args[1]; i++)
			rp_fd_set_kind(p, i, FD_CLOSED);
		break;
	case SYS_dup:
	case SYS_fcntl:
		if (rs->nr == SYS_fcntl && rs->args[1] == F_SETFD)
			break;
		rp_fd_set_kind(p, rs->ret, rp_fd_kind(p, rs->args[0]));
		break;
	case SYS_dup2:
	case SYS_dup3:
		rp_fd_set_kind(p, rs->args[1], rp_fd_kind(p, rs->args[0]));
		break;
	}
}
