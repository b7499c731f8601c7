// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes and FIFOs.
 *
 * A pipe whose both ends the process held is one new pipe, made in ttrec:
 * its capacity set (F_SETPIPE_SZ), the bytes it buffered written back
 * (the record of the lowest descriptor of the pipe holds them), each
 * descriptor of it a duplicate of the end it was. So is a pipe whose
 * other end nobody held any more (the module counts the ends): that end
 * is closed again, and a reader gets the bytes, then the end of file.
 * A pipe whose other end is outside the process (a shell's pipeline, a
 * parent's) is connected to the restore's own stdio instead (fds.c).
 * Packet mode (O_DIRECT) comes back with the flags, not the boundaries of
 * the packets buffered.
 *
 * A FIFO is opened again by its path (the same one: device and inode
 * checked), through a read-write descriptor held meanwhile so that no
 * open blocks, which also writes the bytes back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "restore/fds.h"
#include "lib/log.h"

static bool is_reader(const struct img_fd *f)
{
	return (f->h.f_flags & O_ACCMODE) != O_WRONLY;
}

/* Which ends of @f's pipe the image holds. */
static void ends(struct rst *r, const struct img_fd *f, bool *rd, bool *wr)
{
	*rd = *wr = false;
	for (uint32_t i = 0; i < r->fds->n; i++) {
		const struct img_fd *g = r->fds->fd[i].f;

		if (g->h.kind != f->h.kind || !(g->has & IMG_FD_HAS_PIPE) || g->pipe.id != f->pipe.id)
			continue;
		if (is_reader(g))
			*rd = true;
		if ((g->h.f_flags & O_ACCMODE) != O_RDONLY)
			*wr = true;
	}
}

/* The record holding the bytes of @f's pipe, or NULL. */
static const struct img_fd *data_of(struct rst *r, const struct img_fd *f)
{
	for (uint32_t i = 0; i < r->fds->n; i++) {
		const struct img_fd *g = r->fds->fd[i].f;

		if (g->h.kind == f->h.kind && (g->has & IMG_FD_HAS_PIPE) &&
		    g->pipe.id == f->pipe.id && (g->has & IMG_FD_HAS_PIPE_DATA))
			return g;
	}
	return NULL;
}

int rfd_check_pipe(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	bool rd, wr;

	if (!(f->has & IMG_FD_HAS_PIPE)) {
		d->cannot = "the image does not describe the pipe";
		return -EOPNOTSUPP;
	}
	if (f->h.kind == TTREC_FD_FIFO) {
		struct stat sb;

		if (!f->path || (f->h.flags & (TTREC_FDF_NO_PATH | TTREC_FDF_DELETED))) {
			d->cannot = "a FIFO whose path is gone";
			return -EOPNOTSUPP;
		}
		if (stat(f->path, &sb)) {
			int err = -errno;

			pr_err("restore: fd %d: FIFO %s: %s\n", f->h.fd, f->path, strerror(-err));
			return err;
		}
		if (!S_ISFIFO(sb.st_mode)) {
			pr_err("restore: fd %d: %s is no longer a FIFO\n", f->h.fd, f->path);
			return -ESTALE;
		}
		if (sb.st_dev == f->h.dev && sb.st_ino == f->h.ino)
			return 0;
		if (r->o->force) {
			pr_warn("restore: fd %d: FIFO %s was replaced since the snapshot (--force: opened as it is now)\n",
				f->h.fd, f->path);
			return 0;
		}
		pr_err("restore: fd %d: FIFO %s was replaced since the snapshot; --force opens it as it is now\n",
		       f->h.fd, f->path);
		return -ESTALE;
	}
	ends(r, f, &rd, &wr);
	if (rd && wr)
		return 0;
	/* the other end nobody had: it is re-made closed */
	if (!(f->pipe.flags & TTREC_PIPE_COUNTS_UNKNOWN) &&
	    (rd ? f->pipe.writers : f->pipe.readers) == 0)
		return 0;
	d->how = RFD_STDIO;
	return 0;
}

static struct rfd_pipe *pipe_of(struct rfds *s, uint64_t id)
{
	for (uint32_t i = 0; i < s->npipes; i++)
		if (s->pipes[i].id == id)
			return &s->pipes[i];
	return NULL;
}

/* @len bytes of @data into @fd (a pipe with room for them). */
static int put_bytes(int fd, const uint8_t *data, uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += n;
	}
	return 0;
}

/* The capacity and the bytes of @f's pipe, through its write end @wr. */
static int fill(struct rst *r, const struct img_fd *f, int wr, char *note, size_t len)
{
	const struct img_fd *g = data_of(r, f);
	uint64_t bytes = g ? g->pipe_data_len : 0;
	int err;

	if (f->pipe.capacity && fcntl(wr, F_GETPIPE_SZ) != (int)f->pipe.capacity &&
	    fcntl(wr, F_SETPIPE_SZ, f->pipe.capacity) < 0)
		pr_warn("restore: fd %d: cannot give the pipe its capacity of %u bytes: %s\n",
			f->h.fd, f->pipe.capacity, strerror(errno));
	if (g && (g->pipe.flags & TTREC_PIPE_DATA_TRUNCATED))
		pr_warn("restore: fd %d: the image holds %llu of the %llu bytes the pipe buffered; the others are lost\n",
			f->h.fd, (unsigned long long)bytes, (unsigned long long)g->pipe.bytes);
	else if (!g && f->pipe.bytes)
		pr_warn("restore: fd %d: the image does not hold the %llu bytes the pipe buffered; they are lost\n",
			f->h.fd, (unsigned long long)f->pipe.bytes);
	if (bytes) {
		err = put_bytes(wr, g->pipe_data, bytes);
		if (err) {
			pr_err("restore: fd %d: writing %llu bytes back into the pipe: %s\n", f->h.fd,
			       (unsigned long long)bytes, strerror(-err));
			return err;
		}
	}
	snprintf(note, len, "%llu bytes back, capacity %d", (unsigned long long)bytes,
		 fcntl(wr, F_GETPIPE_SZ));
	return 0;
}

static int make_fifo(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	char note[64] = "";
	int hold, fd, err = 0;

	/* a FIFO open for reading and writing: no open of it blocks */
	hold = open(f->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (hold < 0) {
		err = -errno;
		pr_err("restore: fd %d: cannot open the FIFO %s: %s\n", f->h.fd, f->path,
		       strerror(-err));
		return err;
	}
	fd = open(f->path, (f->h.f_flags & O_ACCMODE) | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_err("restore: fd %d: cannot open the FIFO %s: %s\n", f->h.fd, f->path,
		       strerror(-err));
	} else if (f->has & IMG_FD_HAS_PIPE_DATA) {
		err = fill(r, f, hold, note, sizeof(note));
	}
	close(hold);
	if (err) {
		if (fd >= 0)
			close(fd);
		return err;
	}
	d->local = fd;
	d->setfl = true;
	snprintf(d->became, sizeof(d->became), "FIFO %s%s%s", f->path, note[0] ? ", " : "", note);
	return 0;
}

int rfd_make_pipe(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	struct rfds *s = r->fds;
	struct rfd_pipe *p;
	char note[64] = "";
	bool rd, wr;
	int fds[2], err;

	if (f->h.kind == TTREC_FD_FIFO)
		return make_fifo(r, d);
	p = pipe_of(s, f->pipe.id);
	if (!p) {
		if (pipe2(fds, O_CLOEXEC))
			return -errno;
		p = realloc(s->pipes, (s->npipes + 1) * sizeof(*p));
		if (!p) {
			close(fds[0]);
			close(fds[1]);
			return -ENOMEM;
		}
		s->pipes = p;
		p = &s->pipes[s->npipes++];
		*p = (struct rfd_pipe){ f->pipe.id, fds[0], fds[1] };
		err = fill(r, f, p->wr, note, sizeof(note));
		if (err)
			return err;
		/* the end nobody held, closed again */
		ends(r, f, &rd, &wr);
		if (!rd) {
			close(p->rd);
			p->rd = -1;
		}
		if (!wr) {
			close(p->wr);
			p->wr = -1;
		}
	}
	d->local = fcntl(is_reader(f) ? p->rd : p->wr, F_DUPFD_CLOEXEC, 0);
	if (d->local < 0)
		return -errno;
	d->setfl = true;
	snprintf(d->became, sizeof(d->became), "pipe %llu's %s end%s%s",
		 (unsigned long long)f->pipe.id, is_reader(f) ? "read" : "write",
		 note[0] ? ", " : "", note);
	return 0;
}

void rfd_pipes_close(struct rfds *s)
{
	for (uint32_t i = 0; i < s->npipes; i++) {
		if (s->pipes[i].rd >= 0)
			close(s->pipes[i].rd);
		if (s->pipes[i].wr >= 0)
			close(s->pipes[i].wr);
		s->pipes[i].rd = s->pipes[i].wr = -1;
	}
}
