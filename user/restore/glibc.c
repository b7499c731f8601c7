// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread kernel state as glibc set it up, found in the image's memory,
 * for threads whose state the image does not hold (an image without the
 * process state: tstate.c uses the image's state notes first). Both through interfaces glibc
 * publishes, read in the image's own libc and dynamic loader:
 *
 *  - clear_child_tid: glibc gives every thread (the main one too) the
 *    address of its descriptor's tid field, at the thread pointer (fs_base)
 *    plus the field's offset, which libc publishes for debuggers as
 *    _thread_db_pthread_tid (libthread_db's descriptor: bits, count,
 *    offset). It is used when the word there holds the thread's id, as
 *    glibc keeps it.
 *  - rseq: the area is at the thread pointer plus __rseq_offset, of
 *    __rseq_size bytes when glibc registered it (0: not registered), with
 *    RSEQ_SIG, the dynamic loader's public ABI (glibc 2.35 and later). A
 *    thread's area whose cpu_id is negative was not registered.
 *
 * The symbols come from the files the image mapped (their dynamic symbol
 * tables, with libelf), the values from the image. A static program, or
 * another C library, has neither: its threads get no such state.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "restore/internal.h"
#include "lib/log.h"

#define RSEQ_SIG_X86	0x53053053
#define RSEQ_LEN	32		/* the original struct rseq */

struct elf_file {
	int fd;
	Elf *elf;
	uint64_t base;			/* where it is loaded in the image */
};

/* The image's VMA at offset 0 of a file whose name is @name or starts with it. */
static const struct img_vma *find_lib(const struct img *im, const char *name, bool prefix)
{
	for (uint32_t i = 0; i < im->nr_vmas; i++) {
		const struct img_vma *v = &im->vmas[i];
		const char *b = strrchr(v->path, '/');

		if (!(v->flags & TTREC_VMA_FILE) || v->offset || !b)
			continue;
		b++;
		if (prefix ? !strncmp(b, name, strlen(name)) : !strcmp(b, name))
			return v;
	}
	return NULL;
}

static int elf_open(const struct img_vma *v, struct elf_file *f)
{
	struct stat sb;
	size_t n;

	f->elf = NULL;
	f->fd = open(v->path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return -errno;
	if (fstat(f->fd, &sb) || sb.st_dev != v->dev || sb.st_ino != v->ino)
		goto fail;		/* not the image's file */
	elf_version(EV_CURRENT);
	f->elf = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF || elf_getphdrnum(f->elf, &n))
		goto fail;
	f->base = v->start;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(f->elf, i, &ph) && ph.p_type == PT_LOAD) {
			f->base = v->start - (ph.p_vaddr & ~(uint64_t)(IMG_PAGE_SIZE - 1));
			break;
		}
	}
	return 0;
fail:
	if (f->elf)
		elf_end(f->elf);
	close(f->fd);
	f->fd = -1;
	f->elf = NULL;
	return -ENOENT;
}

static void elf_close(struct elf_file *f)
{
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
}

/* The dynamic symbol @name: its value and section. */
static bool dynsym(struct elf_file *f, const char *name, GElf_Sym *out)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(f->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(d, i, &s) || s.st_shndx == SHN_UNDEF)
				continue;
			n = elf_strptr(f->elf, sh.sh_link, s.st_name);
			if (n && !strcmp(n, name)) {
				*out = s;
				return true;
			}
		}
	}
	return false;
}

/* @len bytes at the symbol's address, from the file (read-only data). */
static bool file_bytes(struct elf_file *f, const GElf_Sym *s, void *buf, size_t len)
{
	Elf_Scn *scn = elf_getscn(f->elf, s->st_shndx);
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
	    s->st_value < sh.sh_addr || s->st_value + len > sh.sh_addr + sh.sh_size)
		return false;
	return pread(f->fd, buf, len, sh.sh_offset + (s->st_value - sh.sh_addr)) == (ssize_t)len;
}

static void clear_child_tid(struct rst *r)
{
	const struct img_vma *v = find_lib(r->im, "libc.so.6", false);
	struct elf_file f;
	uint32_t desc[3];	/* bits, count, offset */
	GElf_Sym s;
	uint32_t n = 0;

	if (!v || elf_open(v, &f))
		return;
	if (dynsym(&f, "_thread_db_pthread_tid", &s) && file_bytes(&f, &s, desc, sizeof(desc)) &&
	    desc[0] == 32) {
		for (uint32_t i = 0; i < r->nthr; i++) {
			struct rthread *t = &r->thr[i];
			uint64_t at = t->regs.fs_base + desc[2];
			int32_t tid = 0;

			if (!t->ts.from_image && t->regs.fs_base && img_pread(r->im, &tid, 4, at) == 4 && tid == t->tid) {
				t->ts.has_ctid = true;
				t->ts.ctid = at;
				n++;
			}
		}
	}
	elf_close(&f);
	rst_note(r, "clear_child_tid of %u of %u threads from glibc's thread descriptors\n",
		 n, r->nthr);
}

static void rseq(struct rst *r)
{
	const struct img_vma *v = find_lib(r->im, "ld-linux", true);
	struct elf_file f;
	GElf_Sym so, ss;
	int64_t off = 0;
	uint32_t size = 0, n = 0;

	if (!v || elf_open(v, &f))
		return;
	if (dynsym(&f, "__rseq_offset", &so) && dynsym(&f, "__rseq_size", &ss) &&
	    img_pread(r->im, &off, 8, f.base + so.st_value) == 8 &&
	    img_pread(r->im, &size, 4, f.base + ss.st_value) == 4 && size) {
		for (uint32_t i = 0; i < r->nthr; i++) {
			struct rthread *t = &r->thr[i];
			uint64_t at = t->regs.fs_base + off;
			int32_t cpu = -1;

			if (!t->ts.from_image && t->regs.fs_base && img_pread(r->im, &cpu, 4, at + 4) == 4 && cpu >= 0) {
				t->ts.has_rseq = true;
				t->ts.rseq = at;
				t->ts.rseq_len = RSEQ_LEN;
				t->ts.rseq_sig = RSEQ_SIG_X86;
				n++;
			}
		}
	}
	elf_close(&f);
	rst_note(r, "rseq areas of %u of %u threads from glibc's __rseq_offset\n", n, r->nthr);
}

void rst_glibc_tstate(struct rst *r)
{
	clear_child_tid(r);
	rseq(r);
}
