// SPDX-License-Identifier: GPL-2.0
/*
 * The memory descriptor's fields, with one PR_SET_MM_MAP (no capability
 * needed but for the executable, CAP_CHECKPOINT_RESTORE), and the comm.
 *
 * An image with the process state holds the fields as the kernel had them
 * (TTREC_NT_PROC: code, data, break, stack, argument and environment
 * ranges) and the saved auxiliary vector (TTREC_NT_AUXV): they are given
 * back as they were, so /proc/PID/cmdline, environ and auxv read as
 * before. /proc/PID/exe is the executable vmas.c opened, identity
 * checked: the mapped file whose device and inode are the image's exe's
 * (TTREC_NT_PROC), else the file mapped first at offset 0.
 *
 * For an image without them (no process state, or a state without the
 * layout) they are derived from the VMAs: the executable is the file mapped
 * first at offset 0 (its executable VMA is the code, its last writable one
 * the data); the break is the [heap] VMA (start_brk at its start, brk at
 * its end: glibc's malloc moves the break a page at a time, so that is
 * where it left it), or, without a heap, right after the executable's last
 * mapping; the stack starts at the end of [stack]. The argument and
 * environment ranges are then left empty (/proc/PID/cmdline reads empty,
 * ps shows the comm), and the saved auxiliary vector is the stub's.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "restore/internal.h"
#include "lib/log.h"

#define PS	IMG_PAGE_SIZE

static void derive(const struct img *im, struct prctl_mm_map *m)
{
	const struct img_vma *exe = NULL, *heap = NULL, *stack = NULL, *last = NULL;

	for (uint32_t i = 0; i < im->nr_vmas; i++) {
		const struct img_vma *v = &im->vmas[i];

		if (!exe && (v->flags & TTREC_VMA_FILE) && !v->offset && !(v->flags & TTREC_VMA_SHARED))
			exe = v;
		if (exe && (v->flags & TTREC_VMA_FILE) && v->dev == exe->dev && v->ino == exe->ino) {
			last = v;
			if ((v->prot & PROT_EXEC) && !m->start_code) {
				m->start_code = v->start;
				m->end_code = v->end;
			}
			if (v->prot & PROT_WRITE) {
				m->start_data = v->start;
				m->end_data = v->end;
			}
		}
		if (v->flags & TTREC_VMA_HEAP)
			heap = v;
		if ((v->flags & TTREC_VMA_STACK) && !stack)
			stack = v;
	}
	if (!m->start_code && im->nr_vmas) {
		m->start_code = im->vmas[0].start;
		m->end_code = im->vmas[0].end;
	}
	if (!m->start_data) {
		m->start_data = m->end_code;
		m->end_data = m->end_code;
	}
	if (heap) {
		m->start_brk = heap->start;
		m->brk = heap->end;
	} else {
		m->start_brk = m->brk = last ? last->end : m->end_data;
	}
	m->start_stack = stack ? stack->end - 8 : m->brk;
	m->arg_start = m->arg_end = m->env_start = m->env_end = m->start_stack;
}

/* The image's own fields, when it has them (a code range at least). */
static bool from_image(const struct rst *r, struct prctl_mm_map *m)
{
	const struct ttrec_snap_proc *p;

	if (!r->ps)
		return false;
	p = &r->ps->p;
	if (!p->start_code || p->end_code <= p->start_code || p->brk < p->start_brk ||
	    p->arg_end < p->arg_start || p->env_end < p->env_start || p->end_data < p->start_data)
		return false;
	m->start_code = p->start_code;
	m->end_code = p->end_code;
	m->start_data = p->start_data;
	m->end_data = p->end_data;
	m->start_brk = p->start_brk;
	m->brk = p->brk;
	m->start_stack = p->start_stack;
	m->arg_start = p->arg_start;
	m->arg_end = p->arg_end;
	m->env_start = p->env_start;
	m->env_end = p->env_end;
	return true;
}

int rst_mm(struct rst *r)
{
	struct prctl_mm_map m = { .exe_fd = (uint32_t)-1 };
	bool image = from_image(r, &m);
	uint64_t at;
	int64_t ret;
	int err;

	if (!image)
		derive(r->im, &m);
	if (r->exe_fd >= 0)
		m.exe_fd = r->exe_fd;
	if (image && r->ps->auxv && r->ps->nr_auxv) {
		/* after the map in the scratch area */
		err = rst_scratch(r, 512, r->ps->auxv, r->ps->nr_auxv * 16, &at);
		if (err)
			return err;
		m.auxv = (__u64 *)(uintptr_t)at;
		m.auxv_size = r->ps->nr_auxv * 16;
	}
	err = rst_scratch(r, 0, &m, sizeof(m), &at);
	if (err)
		return err;
	ret = rst_syscall_ok(r, r->leader, "prctl(PR_SET_MM_MAP)", SYS_prctl, PR_SET_MM,
			     PR_SET_MM_MAP, at, sizeof(m), 0, 0);
	if (ret < 0)
		return (int)ret;
	if (r->exe_fd >= 0) {
		rst_syscall(r, r->leader, SYS_close, r->exe_fd, 0, 0, 0, 0, 0);
		r->exe_fd = -1;
	}
	rst_note(r, "mm: code %#llx-%#llx, data %#llx-%#llx, brk %#llx-%#llx, stack %#llx, args %#llx-%#llx, env %#llx-%#llx, %u auxv entries (%s)\n",
		 (unsigned long long)m.start_code, (unsigned long long)m.end_code,
		 (unsigned long long)m.start_data, (unsigned long long)m.end_data,
		 (unsigned long long)m.start_brk, (unsigned long long)m.brk,
		 (unsigned long long)m.start_stack, (unsigned long long)m.arg_start,
		 (unsigned long long)m.arg_end, (unsigned long long)m.env_start,
		 (unsigned long long)m.env_end, m.auxv_size / 16,
		 image ? "the image's" : "derived from the VMAs");
	err = rst_scratch(r, 0, r->im->h.comm, sizeof(r->im->h.comm), &at);
	if (err)
		return err;
	ret = rst_syscall_ok(r, r->leader, "prctl(PR_SET_NAME)", SYS_prctl, PR_SET_NAME, at,
			     0, 0, 0, 0);
	return ret < 0 ? (int)ret : 0;
}
