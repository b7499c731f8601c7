// SPDX-License-Identifier: GPL-2.0
/*
 * Files whose contents the replay keeps (Documentation/replay.rst,
 * Shared memory): a memfd the program makes with memfd_create() is a
 * real memfd in the replay (FD_MEMFD). Nothing from outside the program
 * reaches it, so the replay can let the program's writes to it happen:
 * write, pwrite, ftruncate and fallocate run for real, and its mappings
 * (MAP_SHARED across fork and exec, MADV_REMOVE) hold what they held.
 * Reads and lseek keep their recorded results; they move the descriptor's
 * offset, for the writes after them, as they did.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "replay/internal.h"

/*
 * A read at the offset (read, readv, preadv2 at -1): emulated, and the
 * offset moved by what it read, by an lseek the syscall becomes.
 */
static int read_at_offset(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	int64_t got;
	int err;

	if (rs->ret <= 0)
		return rp_emulate(rp, t, rs);
	t->entry = t->regs;
	t->regs.orig_rax = SYS_lseek;
	t->regs.rsi = rs->ret;
	t->regs.rdx = SEEK_CUR;
	t->dirty = true;
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	got = t->regs.rax;
	rp_restore_args(t, rs->ret);
	if (got < 0) {
		rp_divergent_result(rp, t, rs, got);
		return -EPROTO;
	}
	return rp_do_outs(rp, t, rs, true);
}

/* lseek: to the offset it returned (SEEK_DATA and SEEK_HOLE differ by file system). */
static int seek(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	int64_t got;
	int err;

	t->entry = t->regs;
	t->regs.rsi = rs->ret;
	t->regs.rdx = SEEK_SET;
	t->dirty = true;
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	got = t->regs.rax;
	rp_restore_args(t, rs->ret);
	if (got != rs->ret) {
		rp_divergent_result(rp, t, rs, got);
		return -EPROTO;
	}
	return rp_do_outs(rp, t, rs, false);
}

/* A write, ftruncate or fallocate: performed, its result asserted. */
static int modify(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	int err;

	t->entry = t->regs;
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	if ((int64_t)t->regs.rax != rs->ret) {
		rp_divergent_result(rp, t, rs, t->regs.rax);
		return -EPROTO;
	}
	return rp_do_outs(rp, t, rs, false);
}

int rp_sys_fileio(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	if (rp_fd_kind(t->p, rs->args[0]) != FD_MEMFD)
		return rp_emulate(rp, t, rs);
	switch (rs->nr) {
	case SYS_read:
	case SYS_readv:
		return read_at_offset(rp, t, rs);
	case SYS_preadv2:
		if ((int64_t)rs->args[3] == -1)
			return read_at_offset(rp, t, rs);
		return rp_emulate(rp, t, rs);
	case SYS_lseek:
		return seek(rp, t, rs);
	case SYS_write:
	case SYS_writev:
	case SYS_pwrite64:
	case SYS_pwritev:
	case SYS_pwritev2:
	case SYS_ftruncate:
	case SYS_fallocate:
		return modify(rp, t, rs);
	}
	return rp_emulate(rp, t, rs);	/* pread64, preadv: the offset stays */
}
