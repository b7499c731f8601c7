// SPDX-License-Identifier: GPL-2.0
/*
 * Where the replayed program's paths resolve (Documentation/replay.rst,
 * Paths). The opens and execs a replay performs for real resolve their
 * paths as the kernel does, against the thread's cwd and root, so the
 * syscalls that change those (RP_PATH) take effect in the replay too:
 * chdir, fchdir and chroot run for real, unshare runs its CLONE_FS part
 * (a thread gets a cwd and root of its own).
 *
 * Where the replay cannot follow, the cwd or root is lost: a chdir into a
 * directory that is not there in the replay (the recording made it, or it
 * is gone), an fchdir to a placeholder, a chroot the replay may not make,
 * a setns into a mount namespace or a pivot_root (emulated, as they reach
 * beyond the program). An open that would resolve against a lost cwd or
 * root gets a placeholder (rp_path_resolves()) rather than whatever file
 * of that name the replay's own cwd or root holds, until a chdir or
 * chroot that the replay can follow finds the way again.
 *
 * The state is the thread's struct rfs, shared as the kernel shares an
 * fs_struct: by the threads a clone with CLONE_FS makes, until one of
 * them unshares it; a fork copies it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "lib/log.h"
#include "replay/internal.h"

struct rfs *rp_fs_new(void)
{
	struct rfs *fs = calloc(1, sizeof(*fs));

	if (fs)
		fs->refs = 1;
	return fs;
}

void rp_fs_put(struct rfs *fs)
{
	if (fs && !--fs->refs)
		free(fs);
}

void rp_fs_clone(struct rthread *parent, struct rthread *child, uint64_t flags)
{
	if (flags & CLONE_FS) {
		rp_fs_put(child->fs);
		child->fs = parent->fs;
		child->fs->refs++;
	} else {
		child->fs->cwd_lost = parent->fs->cwd_lost;
		child->fs->root_lost = parent->fs->root_lost;
	}
}

bool rp_path_resolves(struct rthread *t, int64_t dirfd, uint64_t path)
{
	char c;

	if (rp_mem_read(t->p, path, &c, 1))
		return true;		/* the kernel says EFAULT */
	if (c == '/')
		return !t->fs->root_lost;
	if ((int)dirfd == AT_FDCWD)
		return !t->fs->cwd_lost;
	/* relative to a descriptor: a placeholder is no directory (ENOTDIR) */
	return true;
}

/*
 * chdir, fchdir, chroot the replay can follow: run it. It fails where the
 * directory is not there in the replay: then what it sets is *@lost, and
 * the program goes on with the recorded result.
 */
static int run_path(struct rp *rp, struct rthread *t, const struct rec_sys *rs, bool *lost)
{
	struct rp_path_fix fx = { 0 };
	int err;

	t->entry = t->regs;
	/* chdir("/proc/PID/cwd") of a replayed process: the replay's (pids.c) */
	if (rs->nr != SYS_fchdir)
		rp_pid_path(rp, t, 0, &fx);
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	if (fx.addr) {
		rp_pid_path_undo(t, &fx);
		rp_restore_args(t, t->regs.rax);
	}
	*lost = (int64_t)t->regs.rax != rs->ret;
	if (*lost) {
		char call[512];

		rp_fmt_call(call, sizeof(call), rs->nr, rs->args, replay_sys_nargs(rs->nr));
		pr_debug("event #%llu: %s = %lld fails in the replay (%lld): paths that resolve there open placeholders\n",
			 (unsigned long long)rp->seq, call, (long long)rs->ret,
			 (long long)(int64_t)t->regs.rax);
		t->regs.rax = rs->ret;
		t->dirty = true;
	}
	return rp_do_outs(rp, t, rs, false);
}

/*
 * unshare() with CLONE_FS (or what implies it, CLONE_NEWNS, CLONE_NEWUSER):
 * run as unshare(CLONE_FS) alone, so that the thread's chdir and chroot
 * stay its own; the namespaces are not made.
 */
static int unshare_fs(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	struct rfs *fs;
	int64_t got;
	int err;

	t->entry = t->regs;
	t->regs.rdi = CLONE_FS;
	t->dirty = true;
	rp->real++;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	got = t->regs.rax;
	rp_restore_args(t, rs->ret);
	if (got) {
		rp_divergent_result(rp, t, rs, got);
		return -EPROTO;
	}
	if (t->fs->refs > 1) {
		fs = rp_fs_new();
		if (!fs)
			return -ENOMEM;
		fs->cwd_lost = t->fs->cwd_lost;
		fs->root_lost = t->fs->root_lost;
		rp_fs_put(t->fs);
		t->fs = fs;
	}
	return rp_do_outs(rp, t, rs, false);
}

int rp_sys_path(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	struct rfs *fs = t->fs;

	switch (rs->nr) {
	case SYS_chdir:
		if (!rp_path_resolves(t, AT_FDCWD, rs->args[0]))
			break;
		return run_path(rp, t, rs, &fs->cwd_lost);
	case SYS_fchdir:
		if (rp_fd_kind(t->p, rs->args[0]) != FD_REAL)
			break;		/* no directory in the replay */
		return run_path(rp, t, rs, &fs->cwd_lost);
	case SYS_chroot:
		if (!rp_path_resolves(t, AT_FDCWD, rs->args[0])) {
			fs->root_lost = true;
			return rp_emulate(rp, t, rs);
		}
		return run_path(rp, t, rs, &fs->root_lost);
	case SYS_unshare:
		if (rs->args[0] & (CLONE_FS | CLONE_NEWNS | CLONE_NEWUSER))
			return unshare_fs(rp, t, rs);
		return rp_emulate(rp, t, rs);
	case SYS_setns:
		/* a mount namespace (nstype 0: whatever the descriptor is) */
		if (rs->args[1] && !(rs->args[1] & CLONE_NEWNS))
			return rp_emulate(rp, t, rs);
		fs->root_lost = true;
		break;
	case SYS_pivot_root:
		fs->root_lost = true;
		break;
	default:
		return rp_emulate(rp, t, rs);
	}
	/* a cwd the replay cannot follow */
	fs->cwd_lost = true;
	return rp_emulate(rp, t, rs);
}
