// SPDX-License-Identifier: GPL-2.0
/*
 * The VMAs of a stopped process as ttrec.ko describes them (struct
 * ttrec_snap_vma, TTREC_VMA_* flags), from /proc/PID/smaps: the range,
 * protection, file offset and name of each, its VmFlags (growsdown,
 * VM_IO/VM_PFNMAP/hugetlb, the madvise() advice), and what it holds (Rss,
 * Swap, Anonymous: pages_held). A file mapping's path and identity come
 * from /proc/PID/map_files (readlink, stat: the file mapped, even if it was
 * renamed or deleted since), its name in smaps otherwise.
 *
 * Which VMAs are captured, as the module decides: not special; shared
 * ones when writable; private ones when anonymous or when some page is
 * anonymous (written privately: Anonymous or Swap above 0).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/ttrec.h>

#include "capture/capture.h"
#include "lib/log.h"

#define PS	IMG_PAGE_SIZE

struct vma_acct {
	uint64_t rss_kb, swap_kb, anon_kb;
};

static bool has_flag(const char *vmflags, const char *f)
{
	const char *p = vmflags;
	size_t n = strlen(f);

	while ((p = strstr(p, f))) {
		if ((p == vmflags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* The header line of a VMA: range, protection, offset, device, inode, name. */
static int parse_header(struct capture *c, const char *line, struct img_vma *v)
{
	unsigned long long start, end, off, ino;
	unsigned int maj, min;
	char perms[8], path[PATH_MAX], link[PATH_MAX + 1];
	const char *name;
	struct stat sb;
	int pos = 0;
	ssize_t n;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off,
		   &maj, &min, &ino, &pos) < 7)
		return -EPROTO;
	memset(v, 0, sizeof(*v));
	v->start = start;
	v->end = end;
	v->prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
		  (perms[2] == 'x' ? PROT_EXEC : 0);
	if (perms[3] == 's')
		v->flags |= TTREC_VMA_SHARED;
	name = line + pos;
	if (!strcmp(name, "[heap]"))
		v->flags |= TTREC_VMA_HEAP;
	else if (!strcmp(name, "[stack]"))
		v->flags |= TTREC_VMA_STACK;
	else if (!strcmp(name, "[vdso]"))
		v->flags |= TTREC_VMA_VDSO;
	else if (!strncmp(name, "[vvar", 5))
		v->flags |= TTREC_VMA_VVAR;
	if (!ino)
		return 0;
	v->flags |= TTREC_VMA_FILE;
	v->offset = off;
	v->dev = makedev(maj, min);
	v->ino = ino;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", c->pid, start, end);
	if (!stat(path, &sb)) {
		v->dev = sb.st_dev;
		v->ino = sb.st_ino;
	}
	n = readlink(path, link, sizeof(link) - 1);
	if (n >= 0)
		link[n] = 0;
	else
		snprintf(link, sizeof(link), "%s", name);
	if (strlen(link) >= IMG_PATH_MAX) {
		v->flags |= TTREC_VMA_PATH_TRUNCATED;
		link[IMG_PATH_MAX - 1] = 0;
	}
	memcpy(v->path, link, strlen(link) + 1);
	return 0;
}

/*
 * VmFlags and the page counts decide the rest (pages_held is made exact
 * from the pagemap, mem.c).
 */
static void finish(struct img_vma *v, const char *vmflags, const struct vma_acct *a)
{
	bool shared = v->flags & TTREC_VMA_SHARED, file = v->flags & TTREC_VMA_FILE;

	if (has_flag(vmflags, "gd"))
		v->flags |= TTREC_VMA_GROWSDOWN;
	if (has_flag(vmflags, "io") || has_flag(vmflags, "pf") || has_flag(vmflags, "ht"))
		v->flags |= TTREC_VMA_SPECIAL;
	if (has_flag(vmflags, "hg"))
		v->flags |= TTREC_VMA_HUGEPAGE;
	if (has_flag(vmflags, "nh"))
		v->flags |= TTREC_VMA_NOHUGEPAGE;
	if (has_flag(vmflags, "dc"))
		v->flags |= TTREC_VMA_DONTFORK;
	if (has_flag(vmflags, "wf"))
		v->flags |= TTREC_VMA_WIPEONFORK;
	if (has_flag(vmflags, "dd"))
		v->flags |= TTREC_VMA_DONTDUMP;
	if (v->flags & (TTREC_VMA_SPECIAL | TTREC_VMA_VVAR))
		return;
	if (v->flags & TTREC_VMA_VDSO) {
		/* kernel pages: captured, every one (as the module does) */
		v->flags |= TTREC_VMA_CAPTURED;
		return;
	}
	if (shared) {
		if (v->prot & PROT_WRITE) {
			v->flags |= TTREC_VMA_CAPTURED;
			v->pages_held = (a->rss_kb + a->swap_kb) / 4;
		}
		return;
	}
	if (!file) {
		v->flags |= TTREC_VMA_CAPTURED;
		v->pages_held = (a->rss_kb + a->swap_kb) / 4;
	} else if (a->anon_kb || a->swap_kb) {
		v->flags |= TTREC_VMA_CAPTURED;
		v->pages_held = (a->anon_kb + a->swap_kb) / 4;
	}
}

int capture_vmas(struct capture *c, struct img_vma **out, uint32_t *nout)
{
	char path[64], *line = NULL;
	struct img_vma *v = NULL, cur;
	struct vma_acct acct = { 0 };
	uint32_t n = 0, cap = 0;
	bool open_vma = false;
	size_t lcap = 0;
	ssize_t len;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/smaps", c->pid);
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		pr_err("snapshot: cannot read %s: %s\n", path, strerror(-err));
		return err;
	}
	while ((len = getline(&line, &lcap, f)) > 0) {
		unsigned long long kb;

		if (line[len - 1] == '\n')
			line[--len] = 0;
		if (!strncmp(line, "VmFlags:", 8)) {
			if (!open_vma)
				continue;
			finish(&cur, line + 8, &acct);
			open_vma = false;
			if (cur.start >= (1ULL << 63))
				continue;	/* [vsyscall]: not a VMA of the mm */
			if (n == cap) {
				struct img_vma *p;

				cap = cap ? cap * 2 : 64;
				p = realloc(v, cap * sizeof(*v));
				if (!p) {
					err = -ENOMEM;
					break;
				}
				v = p;
			}
			v[n++] = cur;
		} else if (sscanf(line, "Rss: %llu kB", &kb) == 1) {
			acct.rss_kb = kb;
		} else if (sscanf(line, "Swap: %llu kB", &kb) == 1) {
			acct.swap_kb = kb;
		} else if (sscanf(line, "Anonymous: %llu kB", &kb) == 1) {
			acct.anon_kb = kb;
		} else if (strchr(line, '-') && line[0] != ' ' &&
			   !parse_header(c, line, &cur)) {
			open_vma = true;
			acct = (struct vma_acct){ 0 };
		}
	}
	free(line);
	fclose(f);
	if (!err && !n) {
		pr_err("snapshot: %s lists no mapping (the process exited?)\n", path);
		err = -ESRCH;
	}
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	*nout = n;
	return 0;
}
