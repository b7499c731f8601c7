// SPDX-License-Identifier: GPL-2.0
/*
 * Every VMA of the image at its address, with its protection:
 *
 *  - private anonymous memory (the heap, stacks, with MAP_GROWSDOWN where
 *    the VMA grew down): a fresh anonymous mapping; pages.c writes what it
 *    held;
 *  - private file mappings: the file, opened in the new process by the
 *    path the image recorded and checked to be the same file (device and
 *    inode: a file replaced since the snapshot is refused), mapped at the
 *    recorded offset; pages.c writes the pages the process had written
 *    privately, the others are the file's;
 *  - shared memory the process made itself (MAP_SHARED|MAP_ANONYMOUS,
 *    memfd_create(), SysV segments: shmem files whose path ends in
 *    " (deleted)"): a new object per object of the image, anonymous shared
 *    memory when it was one VMA at offset 0, else a memfd of the same name
 *    sized to the largest offset mapped, each VMA mapped from it at its
 *    offset; pages.c writes the pages the image holds. A memfd the
 *    process also held open stays open for fds.c: one file, so that what
 *    is written through the descriptor is seen in the mapping. Mapped writable
 *    while they are written, then given their protection;
 *  - shared mappings of other files: the file (checked as above), opened
 *    for writing when the mapping was writable. Its pages are the file's
 *    now, not the image's: the file is the memory, and writing the
 *    snapshot's pages into a file other processes may share would change
 *    it under them;
 *  - the vDSO's VMAs: vdso.c. Device and hugetlb mappings (VM_IO,
 *    VM_PFNMAP) cannot be restored: refused, with their paths.
 *
 * Each mapping uses MAP_FIXED_NOREPLACE: nothing is mapped there but what
 * the restore maps. The madvise() advice comes after: MADV_HUGEPAGE and
 * MADV_NOHUGEPAGE before the pages are written (so that the writes fault
 * huge pages in), the others last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <fcntl.h>
#include <unistd.h>

#include "restore/internal.h"
#include "lib/log.h"

#define PS	IMG_PAGE_SIZE

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* Shared memory with no file behind it: an object of this process's making. */
static bool shmem_object(const struct img_vma *v)
{
	return (v->flags & TTREC_VMA_FILE) && ends_with(v->path, " (deleted)") &&
	       (!strncmp(v->path, "/dev/zero", 9) || !strncmp(v->path, "/memfd:", 7) ||
		!strncmp(v->path, "/SYSV", 5));
}

bool rst_vma_mapped(const struct img_vma *v)
{
	return !(v->flags & (TTREC_VMA_VDSO | TTREC_VMA_VVAR | TTREC_VMA_SPECIAL));
}

bool rst_vma_file_shared(const struct img_vma *v)
{
	return (v->flags & TTREC_VMA_SHARED) && (v->flags & TTREC_VMA_FILE) &&
	       !shmem_object(v);
}

/* A file open in the new process, for the VMAs that map it. */
struct rfile {
	uint64_t dev, ino;
	bool rw;
	int fd;			/* in the new process */
};

struct vctx {
	struct rst *r;
	struct rfile *files;
	uint32_t nfiles;
	int exe_fd;		/* the executable's, kept for mm.c */
	bool exe_named;		/* exe_fd is the image's exe (its identity) */
};

/*
 * The executable: the file the image's process state names (TTREC_NT_PROC's
 * exe_dev and exe_ino), else the first file mapped at offset 0.
 */
static void note_exe(struct vctx *c, const struct img_vma *v, int fd)
{
	const struct img_proc_state *ps = c->r->ps;

	if (c->exe_named)
		return;
	if (ps && ps->p.exe_ino && v->dev == ps->p.exe_dev && v->ino == ps->p.exe_ino) {
		c->exe_fd = fd;
		c->exe_named = true;
	} else if (c->exe_fd < 0 && !v->offset) {
		c->exe_fd = fd;
	}
}

static int stub_close(struct rst *r, int fd)
{
	int64_t ret = rst_syscall(r, r->leader, SYS_close, fd, 0, 0, 0, 0, 0);

	return ret < 0 ? (int)ret : 0;
}

/*
 * The image's file for @v, opened in the new process (@rw: for writing),
 * and checked to be the one the image mapped. Return: its fd there, or
 * -errno (printed).
 */
static int open_file(struct vctx *c, const struct img_vma *v, bool rw)
{
	struct rst *r = c->r;
	char link[64];
	struct stat sb;
	uint64_t at;
	int64_t fd;
	int err;

	for (uint32_t i = 0; i < c->nfiles; i++)
		if (c->files[i].dev == v->dev && c->files[i].ino == v->ino &&
		    (c->files[i].rw || !rw))
			return c->files[i].fd;
	if (v->flags & TTREC_VMA_PATH_TRUNCATED) {
		pr_err("restore: the path of the file mapped at %#llx did not fit the image (%s...)\n",
		       (unsigned long long)v->start, v->path);
		return -ENAMETOOLONG;
	}
	if (ends_with(v->path, " (deleted)")) {
		pr_err("restore: %s, mapped at %#llx, was deleted before the snapshot; it cannot be mapped again\n",
		       v->path, (unsigned long long)v->start);
		return -ENOENT;
	}
	err = rst_scratch(r, 0, v->path, strlen(v->path) + 1, &at);
	if (err)
		return err;
	fd = rst_syscall(r, r->leader, SYS_openat, AT_FDCWD, at,
			 (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC, 0, 0, 0);
	if (fd < 0) {
		pr_err("restore: cannot open %s (mapped at %#llx) for %s: %s\n", v->path,
		       (unsigned long long)v->start, rw ? "writing" : "reading",
		       strerror((int)-fd));
		return (int)fd;
	}
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", r->hpid, (int)fd);
	if (stat(link, &sb) || sb.st_dev != v->dev || sb.st_ino != v->ino) {
		pr_err("restore: %s is not the file the image mapped at %#llx (device %u:%u inode %llu then, %u:%u inode %llu now): it was replaced since the snapshot\n",
		       v->path, (unsigned long long)v->start, major(v->dev), minor(v->dev),
		       (unsigned long long)v->ino, major(sb.st_dev), minor(sb.st_dev),
		       (unsigned long long)sb.st_ino);
		stub_close(r, fd);
		return -ESTALE;
	}
	if (c->nfiles % 16 == 0) {
		struct rfile *f = realloc(c->files, (c->nfiles + 16) * sizeof(*f));

		if (!f)
			return -ENOMEM;
		c->files = f;
	}
	c->files[c->nfiles++] = (struct rfile){ v->dev, v->ino, rw, (int)fd };
	r->nr_files++;
	return (int)fd;
}

static int64_t map(struct rst *r, const struct img_vma *v, int prot, int flags, int fd,
		   uint64_t off)
{
	int64_t ret = rst_syscall(r, r->leader, SYS_mmap, v->start, v->end - v->start, prot,
				  flags | MAP_FIXED_NOREPLACE, fd, off);

	if (ret == (int64_t)v->start)
		return 0;
	if (ret >= 0) {
		pr_err("restore: the mapping of %#llx-%#llx landed at %#llx\n",
		       (unsigned long long)v->start, (unsigned long long)v->end,
		       (unsigned long long)ret);
		return -EFAULT;
	}
	pr_err("restore: cannot map %#llx-%#llx%s%s: %s\n", (unsigned long long)v->start,
	       (unsigned long long)v->end, v->path[0] ? " of " : "", v->path,
	       strerror((int)-ret));
	return ret;
}

/*
 * The shared memory object @v belongs to: every VMA of the image with the
 * same device and inode. Map them all, from one new object.
 */
static int map_shmem(struct vctx *c, uint32_t first)
{
	const struct img *im = c->r->im;
	const struct img_vma *v = &im->vmas[first];
	struct rst *r = c->r;
	uint64_t size = 0, at;
	uint32_t n = 0, i;
	char name[IMG_PATH_MAX];
	int64_t fd;
	int err = 0;

	for (i = 0; i < im->nr_vmas; i++) {
		const struct img_vma *w = &im->vmas[i];

		if (!shmem_object(w) || w->dev != v->dev || w->ino != v->ino)
			continue;
		if (i < first)
			return 0;	/* mapped with its first VMA */
		if (w->offset + (w->end - w->start) > size)
			size = w->offset + (w->end - w->start);
		n++;
	}
	r->nr_shared++;
	if (n == 1 && !v->offset && !strncmp(v->path, "/dev/zero", 9))
		return (int)map(r, v, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	/* a memfd: "/memfd:NAME (deleted)" keeps its name */
	if (!strncmp(v->path, "/memfd:", 7)) {
		snprintf(name, sizeof(name), "%s", v->path + 7);
		name[strlen(name) - strlen(" (deleted)")] = 0;
	} else {
		snprintf(name, sizeof(name), "ttrec-shared");
	}
	err = rst_scratch(r, 0, name, strlen(name) + 1, &at);
	if (err)
		return err;
	/* sealable: a memfd the process also holds open gets its seals (fds.c) */
	fd = rst_syscall_ok(r, r->leader, "memfd_create", SYS_memfd_create, at,
			    MFD_CLOEXEC | MFD_ALLOW_SEALING, 0, 0, 0, 0);
	if (fd < 0)
		return (int)fd;
	if (rst_syscall_ok(r, r->leader, "ftruncate of a memfd", SYS_ftruncate, fd, size,
			   0, 0, 0, 0) < 0)
		err = -EIO;
	for (i = first; !err && i < im->nr_vmas; i++) {
		const struct img_vma *w = &im->vmas[i];

		if (shmem_object(w) && w->dev == v->dev && w->ino == v->ino)
			err = (int)map(r, w, PROT_READ | PROT_WRITE, MAP_SHARED, fd, w->offset);
	}
	/* a memfd the process holds open is this one: fds.c puts it in place */
	if (err || !rst_fds_keep_shm(r, v->dev, v->ino, (int)fd))
		stub_close(r, fd);
	return err;
}

static int map_one(struct vctx *c, uint32_t i)
{
	const struct img_vma *v = &c->r->im->vmas[i];
	struct rst *r = c->r;
	int fd;

	if (v->flags & (TTREC_VMA_VDSO | TTREC_VMA_VVAR))
		return 0;	/* vdso.c */
	if (v->flags & TTREC_VMA_SPECIAL) {
		pr_err("restore: %#llx-%#llx%s%s is a device or hugetlb mapping (VM_IO, VM_PFNMAP): it cannot be restored\n",
		       (unsigned long long)v->start, (unsigned long long)v->end,
		       v->path[0] ? " of " : "", v->path);
		return -EOPNOTSUPP;
	}
	r->nr_vmas++;
	if (!(v->flags & TTREC_VMA_FILE))
		return (int)map(r, v, v->prot, MAP_PRIVATE | MAP_ANONYMOUS |
				((v->flags & TTREC_VMA_GROWSDOWN) ? MAP_GROWSDOWN : 0), -1, 0);
	if (shmem_object(v))
		return map_shmem(c, i);
	fd = open_file(c, v, (v->flags & TTREC_VMA_SHARED) && (v->prot & PROT_WRITE));
	if (fd < 0)
		return fd;
	note_exe(c, v, fd);
	return (int)map(r, v, v->prot,
			(v->flags & TTREC_VMA_SHARED) ? MAP_SHARED : MAP_PRIVATE, fd, v->offset);
}

static int advise(struct rst *r, const struct img_vma *v, uint32_t flag, int advice,
		  const char *name)
{
	char what[64];

	if (!(v->flags & flag))
		return 0;
	snprintf(what, sizeof(what), "madvise(%s)", name);
	return rst_syscall_ok(r, r->leader, what, SYS_madvise, v->start, v->end - v->start,
			      advice, 0, 0, 0) < 0 ? -EIO : 0;
}

int rst_map_vmas(struct rst *r)
{
	struct vctx c = { .r = r, .exe_fd = -1 };
	int err = 0;

	for (uint32_t i = 0; !err && i < r->im->nr_vmas; i++) {
		const struct img_vma *v = &r->im->vmas[i];

		err = map_one(&c, i);
		if (!err && rst_vma_mapped(v))
			err = advise(r, v, TTREC_VMA_HUGEPAGE, MADV_HUGEPAGE, "MADV_HUGEPAGE");
		if (!err && rst_vma_mapped(v))
			err = advise(r, v, TTREC_VMA_NOHUGEPAGE, MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE");
	}
	/* the executable's fd stays open for PR_SET_MM_MAP (mm.c) */
	for (uint32_t i = 0; i < c.nfiles; i++)
		if (c.files[i].fd != c.exe_fd)
			stub_close(r, c.files[i].fd);
	free(c.files);
	r->exe_fd = err ? -1 : c.exe_fd;
	return err;
}

int rst_vmas_finish(struct rst *r)
{
	int err = 0;

	for (uint32_t i = 0; !err && i < r->im->nr_vmas; i++) {
		const struct img_vma *v = &r->im->vmas[i];

		if (!rst_vma_mapped(v))
			continue;
		if (shmem_object(v) && v->prot != (PROT_READ | PROT_WRITE) &&
		    rst_syscall_ok(r, r->leader, "mprotect", SYS_mprotect, v->start,
				   v->end - v->start, v->prot, 0, 0, 0) < 0)
			err = -EIO;
		if (!err)
			err = advise(r, v, TTREC_VMA_DONTFORK, MADV_DONTFORK, "MADV_DONTFORK");
		if (!err && !(v->flags & (TTREC_VMA_FILE | TTREC_VMA_SHARED)))
			err = advise(r, v, TTREC_VMA_WIPEONFORK, MADV_WIPEONFORK, "MADV_WIPEONFORK");
		if (!err)
			err = advise(r, v, TTREC_VMA_DONTDUMP, MADV_DONTDUMP, "MADV_DONTDUMP");
	}
	return err;
}
