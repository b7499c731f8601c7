// SPDX-License-Identifier: GPL-2.0
/*
 * The vDSO where the image had it. The restored program holds pointers
 * into its vDSO (glibc looks its functions up once, at startup), so this
 * kernel's vDSO must be at the image's address, with its data pages
 * ([vvar], and [vvar_vclock] on newer kernels) right below it, as the
 * kernel lays them out. The stub's own vDSO is unmapped by then (stub.c);
 * arch_prctl(ARCH_MAP_VDSO_64, addr) maps the whole area at addr when it
 * is free (the address is a hint, so the result is checked against
 * /proc/PID/maps). The vDSO's code differs between kernels: an image is
 * restored on the kernel it was taken on, and a vDSO or data area of
 * another size is refused rather than let the program jump into it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "restore/internal.h"
#include "lib/log.h"

#ifndef ARCH_MAP_VDSO_64
#define ARCH_MAP_VDSO_64	0x2003
#endif

struct area {
	uint64_t start, vdso, end;	/* data pages from start, code from vdso */
};

/* The image's: its vDSO code VMA and the data VMAs adjacent below it. */
static bool image_area(const struct img *im, struct area *a)
{
	int32_t i, v = -1;

	for (i = 0; i < (int32_t)im->nr_vmas; i++)
		if (im->vmas[i].flags & TTREC_VMA_VDSO)
			v = i;
	if (v < 0)
		return false;
	a->vdso = im->vmas[v].start;
	a->end = im->vmas[v].end;
	a->start = a->vdso;
	for (i = v - 1; i >= 0 && (im->vmas[i].flags & TTREC_VMA_VVAR) &&
			im->vmas[i].end == a->start; i--)
		a->start = im->vmas[i].start;
	return true;
}

/* The stub's, now: [vvar...] then [vdso] in /proc/PID/maps. */
static bool live_area(const struct rst *r, struct area *a)
{
	unsigned long long s, e;
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", r->hpid);
	f = fopen(path, "re");
	if (!f)
		return false;
	a->start = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx", &s, &e) != 2)
			continue;
		if (strstr(line, "[vvar")) {
			if (!a->start || s != a->end)
				a->start = s;
			a->end = e;
		} else if (strstr(line, "[vdso]")) {
			if (!a->start || s != a->end)
				a->start = s;
			a->vdso = s;
			a->end = e;
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

int rst_vdso(struct rst *r)
{
	struct area want, got;
	int64_t ret;

	if (!image_area(r->im, &want)) {
		rst_note(r, "the image has no vDSO: none mapped\n");
		return 0;
	}
	ret = rst_syscall_ok(r, r->leader, "mapping the vDSO (arch_prctl ARCH_MAP_VDSO_64)",
			     SYS_arch_prctl, ARCH_MAP_VDSO_64, want.start, 0, 0, 0, 0);
	if (ret < 0)
		return (int)ret;
	if (!live_area(r, &got)) {
		pr_err("restore: the vDSO mapped, but /proc/%d/maps does not show it\n", r->hpid);
		return -EIO;
	}
	if (got.start != want.start || got.vdso != want.vdso || got.end != want.end) {
		pr_err("restore: this kernel's vDSO (data %#llx-%#llx, code %#llx-%#llx) does not fit the image's (data %#llx-%#llx, code %#llx-%#llx): was the image taken on another kernel? Restore it on the kernel it was taken on\n",
		       (unsigned long long)got.start, (unsigned long long)got.vdso,
		       (unsigned long long)got.vdso, (unsigned long long)got.end,
		       (unsigned long long)want.start, (unsigned long long)want.vdso,
		       (unsigned long long)want.vdso, (unsigned long long)want.end);
		return -EXDEV;
	}
	rst_note(r, "vDSO at %#llx (data from %#llx)\n", (unsigned long long)want.vdso,
		 (unsigned long long)want.start);
	return 0;
}
