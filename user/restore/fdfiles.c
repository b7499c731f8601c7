// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptors opened by path: regular files, directories, character and
 * block devices. Each is opened again in ttrec with the record's open
 * flags (access mode, O_APPEND, O_NONBLOCK, O_DIRECT, O_PATH, ...) and
 * put at the record's offset. Descriptors of one regular file with the
 * same flags and offset share one open file again (the image does not
 * say whether they did: dup() and 2>&1 make them so).
 *
 * The path must still lead to the same file. A regular file is checked
 * before the stub is made: its device and inode (replaced since the
 * snapshot), its size and mtime (changed since): refused with its path,
 * unless --force (then warned, and opened as it is now). A directory and
 * a device are checked for their identity (a device for its device
 * number) alike. A deleted file (no name left) cannot be opened again:
 * the image does not hold its contents, so it is a descriptor ttrec
 * cannot re-create.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "restore/fds.h"
#include "lib/log.h"

static const char *type_name(uint32_t kind)
{
	switch (kind) {
	case TTREC_FD_DIR:
		return "directory";
	case TTREC_FD_CHR:
		return "character device";
	case TTREC_FD_BLK:
		return "block device";
	default:
		return "file";
	}
}

/* @sb is the file @f's record describes, as much as it must be. */
static bool same_file(const struct img_fd *f, const struct stat *sb, char *why, size_t len)
{
	const struct ttrec_snap_fd *h = &f->h;
	int64_t mtime = (int64_t)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;

	if ((sb->st_mode & S_IFMT) != (h->mode & S_IFMT)) {
		snprintf(why, len, "it is no longer a %s", type_name(h->kind));
		return false;
	}
	if (h->kind == TTREC_FD_CHR || h->kind == TTREC_FD_BLK) {
		if (sb->st_rdev == h->rdev)
			return true;
		snprintf(why, len, "device %u:%u then, %u:%u now", major(h->rdev), minor(h->rdev),
			 major(sb->st_rdev), minor(sb->st_rdev));
		return false;
	}
	if (sb->st_dev != h->dev || sb->st_ino != h->ino) {
		snprintf(why, len, "replaced: device %u:%u inode %llu then, %u:%u inode %llu now",
			 major(h->dev), minor(h->dev), (unsigned long long)h->ino,
			 major(sb->st_dev), minor(sb->st_dev), (unsigned long long)sb->st_ino);
		return false;
	}
	if (h->kind != TTREC_FD_REG)
		return true;
	if ((uint64_t)sb->st_size != h->size_bytes) {
		snprintf(why, len, "changed: %llu bytes then, %llu now",
			 (unsigned long long)h->size_bytes, (unsigned long long)sb->st_size);
		return false;
	}
	if (mtime != h->mtime_ns) {
		snprintf(why, len, "changed: modified since the snapshot (mtime %lld.%09lld then, %lld.%09lld now)",
			 (long long)(h->mtime_ns / 1000000000), (long long)(h->mtime_ns % 1000000000),
			 (long long)sb->st_mtim.tv_sec, (long long)sb->st_mtim.tv_nsec);
		return false;
	}
	return true;
}

int rfd_check_file(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	char why[192];
	struct stat sb;

	if (f->h.flags & TTREC_FDF_DELETED) {
		d->cannot = "a deleted file: the image does not hold its contents";
		return -EOPNOTSUPP;
	}
	if (!f->path || (f->h.flags & (TTREC_FDF_NO_PATH | TTREC_FDF_TRUNCATED))) {
		d->cannot = "its path is not known";
		return -EOPNOTSUPP;
	}
	if (stat(f->path, &sb)) {
		int err = -errno;

		pr_err("restore: fd %d: %s %s: %s\n", f->h.fd, type_name(f->h.kind), f->path,
		       strerror(-err));
		return err;
	}
	if (same_file(f, &sb, why, sizeof(why)))
		return 0;
	if (r->o->force) {
		pr_warn("restore: fd %d: %s %s was %s (--force: opened as it is now)\n",
			f->h.fd, type_name(f->h.kind), f->path, why);
		return 0;
	}
	pr_err("restore: fd %d: %s %s was %s; --force restores it as it is now\n", f->h.fd,
	       type_name(f->h.kind), f->path, why);
	return -ESTALE;
}

int rfd_make_file(struct rst *r, struct rfd *d)
{
	const struct img_fd *f = d->f;
	int flags = (int)f->h.f_flags & ~(O_CREAT | O_EXCL | O_TRUNC);
	char why[192];
	struct stat sb;
	int fd, err;

	/*
	 * Descriptors of one file with the same flags and offset were most
	 * likely one open file (dup(), 2>&1): one again, sharing the offset.
	 */
	for (uint32_t i = 0; i < r->fds->n; i++) {
		const struct rfd *e = &r->fds->fd[i];

		if (e == d)
			break;
		if (e->how == RFD_MAKE && e->local >= 0 && e->f->h.kind == f->h.kind &&
		    e->f->h.dev == f->h.dev && e->f->h.ino == f->h.ino &&
		    e->f->h.f_flags == f->h.f_flags && e->f->h.pos == f->h.pos &&
		    f->h.kind == TTREC_FD_REG) {
			d->local = fcntl(e->local, F_DUPFD_CLOEXEC, 0);
			if (d->local < 0)
				return -errno;
			snprintf(d->became, sizeof(d->became), "%s at offset %llu, the open file of fd %d",
				 f->path, (unsigned long long)f->h.pos, e->f->h.fd);
			return 0;
		}
	}
	fd = open(f->path, flags | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		pr_err("restore: fd %d: cannot open %s %s: %s\n", f->h.fd, type_name(f->h.kind),
		       f->path, strerror(-err));
		return err;
	}
	/* the same file as at the check (nothing swapped in since) */
	if (!r->o->force && (fstat(fd, &sb) || !same_file(f, &sb, why, sizeof(why)))) {
		pr_err("restore: fd %d: %s %s changed during the restore\n", f->h.fd,
		       type_name(f->h.kind), f->path);
		close(fd);
		return -ESTALE;
	}
	/* a device's position is its driver's business: a seek it refuses is fine */
	if (f->h.pos && !(flags & O_PATH) && lseek(fd, (off_t)f->h.pos, SEEK_SET) < 0 &&
	    (f->h.kind == TTREC_FD_REG || f->h.kind == TTREC_FD_DIR)) {
		err = -errno;
		pr_err("restore: fd %d: %s: cannot seek to %llu: %s\n", f->h.fd, f->path,
		       (unsigned long long)f->h.pos, strerror(-err));
		close(fd);
		return err;
	}
	d->local = fd;
	if (f->h.kind == TTREC_FD_REG || f->h.kind == TTREC_FD_DIR)
		snprintf(d->became, sizeof(d->became), "%s at offset %llu", f->path,
			 (unsigned long long)f->h.pos);
	else
		snprintf(d->became, sizeof(d->became), "%s", f->path);
	return 0;
}
