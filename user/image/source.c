// SPDX-License-Identifier: GPL-2.0
/*
 * The image writer's source for a ttrec.ko snapshot: the snapshot fd's
 * ioctls (TTREC_IOC_SNAP_INFO, _VMAS, _THREADS, _DIFF, and _PROC and _FDS
 * with TTREC_FEATURE_SNAP_STATE) and pread() at virtual addresses. capture/ is the other source (ptrace, no module).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/ttrec.h>

#include "image/image.h"
#include "lib/log.h"

#define PS		IMG_PAGE_SIZE

_Static_assert(sizeof(struct img_vma) == sizeof(struct ttrec_snap_vma),
	       "img_vma mirrors ttrec_snap_vma");
_Static_assert(sizeof(struct img_counts) == sizeof(struct ttrec_snap_counts),
	       "img_counts mirrors ttrec_snap_counts");

static struct img_source_fd *fdsrc(struct img_source *src)
{
	return (struct img_source_fd *)((char *)src - offsetof(struct img_source_fd, src));
}

static int get_vmas(int fd, struct img_vma **out, uint32_t *nout)
{
	struct ttrec_snap_vmas_args a = { .entry_size = sizeof(struct ttrec_snap_vma) };
	struct img_vma *v;
	int n;

	if (ioctl(fd, TTREC_IOC_SNAP_VMAS, &a) < 0)
		return -errno;
	v = calloc(a.total ? a.total : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	a = (struct ttrec_snap_vmas_args){ .entry_size = sizeof(struct ttrec_snap_vma),
					   .vmas = (uintptr_t)v, .count = a.total };
	n = a.count ? ioctl(fd, TTREC_IOC_SNAP_VMAS, &a) : 0;
	if (n < 0) {
		n = -errno;
		free(v);
		return n;
	}
	*out = v;
	*nout = n;
	for (int i = 0; i < n; i++)
		v[i].path[IMG_PATH_MAX - 1] = 0;
	return 0;
}

/* The THREADS stream; with @flags TTREC_SNAP_THREADS_STATE, state notes too. */
static int get_threads(int fd, uint32_t flags, uint8_t **out, size_t *len, uint32_t *nr)
{
	struct ttrec_snap_threads_args a = { .flags = flags };
	uint8_t *b;
	int n;

	if (ioctl(fd, TTREC_IOC_SNAP_THREADS, &a) < 0)
		return -errno;
	b = calloc(1, a.needed ? a.needed : 1);
	if (!b)
		return -ENOMEM;
	a = (struct ttrec_snap_threads_args){ .flags = flags, .buf = (uintptr_t)b,
					      .size = a.needed };
	n = a.size ? ioctl(fd, TTREC_IOC_SNAP_THREADS, &a) : 0;
	if (n < 0) {
		n = -errno;
		free(b);
		return n;
	}
	*out = b;
	*len = n;
	*nr = a.nr_threads;
	return 0;
}

static int fd_describe(struct img_source *src, struct img_snap_facts *f,
		       struct img_vma **vmas, uint32_t *nvmas,
		       uint8_t **threads, size_t *threads_len, uint32_t *nthreads)
{
	struct img_source_fd *s = fdsrc(src);
	struct ttrec_snap_info info = { 0 };
	int err;

	if (ioctl(s->snapfd, TTREC_IOC_SNAP_INFO, &info) < 0) {
		err = -errno;
		pr_err("TTREC_IOC_SNAP_INFO: %s\n", strerror(-err));
		return err;
	}
	memset(f, 0, sizeof(*f));
	f->pid = info.pid;
	f->snap_id = info.id;
	f->taken_ns = info.taken_ns;
	f->pause_ns = info.pause_ns;
	f->pages_held = info.pages_held;
	memcpy(&f->counts, &info.counts, sizeof(f->counts));
	if (s->features & TTREC_FEATURE_VMA_KINDS)
		f->flags |= IMG_F_VMA_KINDS;
	err = get_vmas(s->snapfd, vmas, nvmas);
	if (err) {
		pr_err("TTREC_IOC_SNAP_VMAS: %s\n", strerror(-err));
		return err;
	}
	err = get_threads(s->snapfd, (s->features & TTREC_FEATURE_SNAP_STATE) ?
			  TTREC_SNAP_THREADS_STATE : 0, threads, threads_len, nthreads);
	if (err)
		pr_err("TTREC_IOC_SNAP_THREADS: %s\n", strerror(-err));
	return err;
}

/*
 * A state stream (TTREC_IOC_SNAP_PROC or TTREC_IOC_SNAP_FDS, @cmd) into
 * *@out: a size query, then the read; @args is the ioctl's struct (both
 * begin with flags, a count, buf, size, needed).
 */
static int get_stream(int fd, unsigned long cmd, void *args, size_t args_size,
		      uint8_t **out, size_t *len)
{
	struct ttrec_snap_proc_args *a = args;	/* the common prefix */
	uint8_t *b;
	int n;

	memset(args, 0, args_size);
	if (ioctl(fd, cmd, args) < 0)
		return -errno;
	b = calloc(1, a->needed ? a->needed : 1);
	if (!b)
		return -ENOMEM;
	a->buf = (uintptr_t)b;
	a->size = a->needed;
	n = a->size ? ioctl(fd, cmd, args) : 0;
	if (n < 0) {
		n = -errno;
		free(b);
		return n;
	}
	*out = b;
	*len = n;
	return 0;
}

_Static_assert(offsetof(struct ttrec_snap_fds_args, needed) ==
	       offsetof(struct ttrec_snap_proc_args, needed) &&
	       offsetof(struct ttrec_snap_fds_args, buf) ==
	       offsetof(struct ttrec_snap_proc_args, buf) &&
	       offsetof(struct ttrec_snap_fds_args, size) ==
	       offsetof(struct ttrec_snap_proc_args, size),
	       "the state ioctls' structs share their prefix");

/* The process state, when the module has it (TTREC_FEATURE_SNAP_STATE). */
static int fd_state(struct img_source *src, struct img_state_streams *ss)
{
	struct img_source_fd *s = fdsrc(src);
	struct ttrec_snap_proc_args pa;
	struct ttrec_snap_fds_args fa;
	int err;

	if (!(s->features & TTREC_FEATURE_SNAP_STATE)) {
		pr_debug("the module has no process state (TTREC_FEATURE_SNAP_STATE): the image will have none\n");
		return -ENOTTY;
	}
	err = get_stream(s->snapfd, TTREC_IOC_SNAP_PROC, &pa, sizeof(pa), &ss->proc,
			 &ss->proc_len);
	if (err) {
		pr_err("TTREC_IOC_SNAP_PROC: %s\n", strerror(-err));
		return err == -ENOTTY ? -EPROTO : err;
	}
	err = get_stream(s->snapfd, TTREC_IOC_SNAP_FDS, &fa, sizeof(fa), &ss->fds, &ss->fds_len);
	if (err) {
		pr_err("TTREC_IOC_SNAP_FDS: %s\n", strerror(-err));
		return err == -ENOTTY ? -EPROTO : err;
	}
	ss->nr_fds = fa.nr_fds;
	ss->fds_total = fa.total;
	ss->fds_state = fa.state;
	return 0;
}

static int fd_read(struct img_source *src, uint64_t addr, uint32_t n,
		   uint8_t *buf, uint8_t *kinds)
{
	struct img_source_fd *s = fdsrc(src);
	uint32_t pos = 0;

	while (pos < n) {
		ssize_t got = pread(s->snapfd, buf + (size_t)pos * PS,
				    (size_t)(n - pos) * PS, addr + (uint64_t)pos * PS);
		uint32_t k;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENODATA) {
				kinds[pos++] = IMG_PAGE_UNCAPTURED;
				continue;
			}
			pr_err("reading the snapshot at %#llx: %s\n",
			       (unsigned long long)(addr + (uint64_t)pos * PS), strerror(errno));
			return -errno;
		}
		if (got == 0 || got % PS) {
			pr_err("reading the snapshot at %#llx: short read of %zd bytes\n",
			       (unsigned long long)(addr + (uint64_t)pos * PS), got);
			return -EIO;
		}
		for (k = 0; k < got / PS; k++)
			kinds[pos + k] = 1;
		pos += got / PS;
	}
	return 0;
}

/* The TTREC_DIFF_PAGES ranges of the snapshot against the parent's fd. */
static int fd_diff(struct img_source *src, struct ttrec_snap_range **out,
		   uint32_t *nout, uint64_t *changed)
{
	struct img_source_fd *s = fdsrc(src);
	struct ttrec_snap_diff_args a = {
		.parent_fd = s->parent_snapfd,
		.entry_size = sizeof(struct ttrec_snap_range),
	};
	struct ttrec_snap_range *r;
	uint32_t i, n = 0;

	if (s->parent_snapfd < 0)
		return -ENOTTY;
	if (ioctl(s->snapfd, TTREC_IOC_SNAP_DIFF, &a) < 0)
		return -errno;
	r = calloc(a.total ? a.total : 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	a = (struct ttrec_snap_diff_args){ .parent_fd = s->parent_snapfd,
					   .entry_size = sizeof(struct ttrec_snap_range),
					   .ranges = (uintptr_t)r, .count = a.total };
	if (a.count && ioctl(s->snapfd, TTREC_IOC_SNAP_DIFF, &a) < 0) {
		int err = -errno;

		free(r);
		return err;
	}
	for (i = 0; i < a.count; i++) {
		if (r[i].kind != TTREC_DIFF_PAGES)
			continue;
		if (r[i].start >= r[i].end || r[i].start % PS || r[i].end % PS ||
		    (n && r[i].start < r[n - 1].end)) {
			pr_err("TTREC_IOC_SNAP_DIFF returned a malformed range [%#llx, %#llx)\n",
			       (unsigned long long)r[i].start, (unsigned long long)r[i].end);
			free(r);
			return -EPROTO;
		}
		r[n++] = r[i];
	}
	*changed = a.pages_changed;
	*out = r;
	*nout = n;
	return 0;
}

struct img_source *img_source_snapfd(struct img_source_fd *s, int snapfd,
				     int parent_snapfd, uint64_t features)
{
	memset(s, 0, sizeof(*s));
	s->src.describe = fd_describe;
	s->src.read = fd_read;
	s->src.diff = fd_diff;
	s->src.state = fd_state;
	s->snapfd = snapfd;
	s->parent_snapfd = parent_snapfd;
	s->features = features;
	return &s->src;
}
