// SPDX-License-Identifier: GPL-2.0
/*
 * The vDSO of a launched program: its time functions never enter the
 * kernel, so the recorder would not see them. At the exec stop both
 * `ttrec record` and `ttrec replay` overwrite each of them with
 * `mov $NR,%eax; syscall; ret`, which the recorder records and the
 * replayer emulates like any syscall. `ttrec attach` patches a running
 * process the same way and puts the bytes back at its end
 * (record/attach_vdso.c).
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch/launch.h"

struct vdso_fn {
	const char *name;
	int nr;			/* syscall to make; < 0: return this -errno */
};

static const struct vdso_fn vdso_fns[] = {
	{ "__vdso_clock_gettime", SYS_clock_gettime },
	{ "__vdso_gettimeofday", SYS_gettimeofday },
	{ "__vdso_time", SYS_time },
	{ "__vdso_getcpu", SYS_getcpu },
	{ "__vdso_clock_getres", SYS_clock_getres },
	{ "__vdso_getrandom", -ENOSYS },
};

#define VDSO_STUB	8

/* The stub for @f: mov $nr,%eax; syscall; ret  or  mov $-errno,%rax; ret */
static void vdso_stub(const struct vdso_fn *f, uint8_t *b)
{
	int32_t v = f->nr;

	memset(b, 0xcc, VDSO_STUB);
	if (f->nr >= 0) {
		b[0] = 0xb8;
		memcpy(b + 1, &v, 4);
		b[5] = 0x0f;
		b[6] = 0x05;
		b[7] = 0xc3;
	} else {
		b[0] = 0x48;
		b[1] = 0xc7;
		b[2] = 0xc0;
		memcpy(b + 3, &v, 4);
		b[7] = 0xc3;
	}
}

int vdso_mapping(pid_t pid, uint64_t *base, uint64_t *len)
{
	unsigned long lo, hi;
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	*base = *len = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[vdso]") || sscanf(line, "%lx-%lx", &lo, &hi) != 2)
			continue;
		*base = lo;
		*len = hi - lo;
	}
	fclose(f);
	return *len ? 0 : -ENOENT;
}

/* Our own vDSO: its bytes and length. */
static int own_vdso(const uint8_t **img, size_t *len)
{
	uint64_t base, n;
	int err;

	err = vdso_mapping(getpid(), &base, &n);
	if (err)
		return err;
	if (base != getauxval(AT_SYSINFO_EHDR))
		return -ENOENT;
	*img = (const uint8_t *)(uintptr_t)base;
	*len = n;
	return 0;
}

/* Offset of symbol @name in the vDSO image @img, and its size. */
static int vdso_sym(const uint8_t *img, size_t len, const char *name,
		    uint64_t *off, uint64_t *size)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh;
	const Elf64_Phdr *ph;
	uint64_t load = UINT64_MAX;
	unsigned int i;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) > len ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(*ph) > len)
		return -ENOEXEC;
	ph = (const void *)(img + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < load)
			load = ph[i].p_vaddr;
	if (load == UINT64_MAX)
		return -ENOEXEC;
	sh = (const void *)(img + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *st;
		const Elf64_Sym *sym;
		uint64_t n, k;

		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum)
			continue;
		st = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > len || st->sh_offset + st->sh_size > len ||
		    !sh[i].sh_entsize)
			return -ENOEXEC;
		sym = (const void *)(img + sh[i].sh_offset);
		n = sh[i].sh_size / sh[i].sh_entsize;
		for (k = 0; k < n; k++) {
			if (sym[k].st_name >= st->sh_size ||
			    strcmp((const char *)img + st->sh_offset + sym[k].st_name, name))
				continue;
			if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || !sym[k].st_value)
				continue;
			*off = sym[k].st_value - load;
			*size = sym[k].st_size;
			return *off + *size <= len ? 0 : -ENOEXEC;
		}
	}
	return -ENOENT;
}

enum vdso_op { VDSO_PATCH, VDSO_UNPATCH, VDSO_COUNT };

/*
 * Patch, put back or count the patched time functions of the vDSO at @base
 * in the process behind @memfd (/proc/PID/mem). Its image must be our own,
 * each function either as the kernel made it or holding its stub.
 * Returns the functions patched, put back or found patched, or -errno.
 */
static int vdso_apply(int memfd, uint64_t base, enum vdso_op op)
{
	const unsigned int nfns = sizeof(vdso_fns) / sizeof(vdso_fns[0]);
	uint64_t off[sizeof(vdso_fns) / sizeof(vdso_fns[0])];
	uint8_t *theirs, stub[VDSO_STUB];
	const uint8_t *img;
	unsigned int i;
	bool stubbed[sizeof(vdso_fns) / sizeof(vdso_fns[0])];
	unsigned int present = 0, nstubbed = 0;
	size_t len;
	int err, n = 0;

	err = own_vdso(&img, &len);
	if (err)
		return err;
	theirs = malloc(len);
	if (!theirs)
		return -ENOMEM;
	if (pread(memfd, theirs, len, base) != (ssize_t)len) {
		err = -EIO;
		goto out;
	}
	/* stubs of ours count as the image's bytes in the comparison */
	for (i = 0; i < nfns; i++) {
		uint64_t size;

		off[i] = UINT64_MAX;
		stubbed[i] = false;
		if (vdso_sym(img, len, vdso_fns[i].name, &off[i], &size)) {
			off[i] = UINT64_MAX;
			continue;
		}
		if (size < VDSO_STUB) {
			err = -ENOSPC;
			goto out;
		}
		present++;
		vdso_stub(&vdso_fns[i], stub);
		if (!memcmp(theirs + off[i], stub, VDSO_STUB)) {
			stubbed[i] = true;
			nstubbed++;
			memcpy(theirs + off[i], img + off[i], VDSO_STUB);
		}
	}
	if (memcmp(theirs, img, len)) {
		err = -ESTALE;	/* another image: offsets would be wrong */
		goto out;
	}
	if (op == VDSO_PATCH && nstubbed) {
		/* patched already (no exec since), or half of it: not by us */
		err = nstubbed == present ? -EALREADY : -ESTALE;
		goto out;
	}
	for (i = 0; i < nfns; i++) {
		if (off[i] == UINT64_MAX || (op != VDSO_PATCH && !stubbed[i]))
			continue;
		vdso_stub(&vdso_fns[i], stub);
		if (op != VDSO_COUNT &&
		    pwrite(memfd, op == VDSO_PATCH ? stub : img + off[i], VDSO_STUB,
			   base + off[i]) != VDSO_STUB) {
			err = -EIO;
			goto out;
		}
		n++;
	}
	err = n;
out:
	free(theirs);
	return err;
}

int vdso_patch(int memfd, uint64_t base)
{
	return vdso_apply(memfd, base, VDSO_PATCH);
}

int vdso_unpatch(int memfd, uint64_t base)
{
	return vdso_apply(memfd, base, VDSO_UNPATCH);
}

int vdso_patched(int memfd, uint64_t base)
{
	return vdso_apply(memfd, base, VDSO_COUNT);
}
