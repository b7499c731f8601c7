/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttrec: kernel-version differences, kept in one place.
 *
 * Supported: Debian's 6.1 and 6.12 kernels. A difference is detected by
 * feature, never by version number: a macro the newer kernel defines
 * (fd_file, PID_FS_MAGIC) is tested with #ifdef; a function is looked up
 * in the kernel's headers at build time by Kbuild, which defines
 * TTREC_HAVE_<NAME> for what it finds.
 */
#ifndef _TTREC_KMOD_COMPAT_H
#define _TTREC_KMOD_COMPAT_H

#include <linux/capability.h>
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/rmap.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

/*
 * struct fd: up to 6.11 a struct with a ->file member; 6.12 made it one
 * tagged word read with fd_file().
 */
#ifndef fd_file
#define fd_file(f)	((f).file)
#endif

/**
 * ttrec_file_pidfd_pid() - the struct pid a pidfd refers to.
 * @file: any open file.
 *
 * pidfd_pid() and pidfd_fops are not exported to modules. Up to 6.8 a pidfd
 * is an anonymous-inode file named "[pidfd]" (pidfd_create() ->
 * anon_inode_getfile("[pidfd]", &pidfd_fops, pid, ...)) whose private_data
 * is the struct pid. Anonymous-inode files are only created by the kernel
 * with fixed names, so the name on the anon_inode filesystem identifies a
 * pidfd; the file_operations must also belong to the core kernel (no
 * owning module). 6.9 moved pidfds to pidfs (PID_FS_MAGIC), still with
 * the pid in private_data; from 6.10 a pidfs file is opened on the pid's
 * own inode (dentry_open()), the pid is the inode's i_private and
 * private_data is NULL (pidfd_pid() in 6.12's fs/pidfs.c).
 *
 * Return: the pid (no reference taken; valid while @file is held), or
 * ERR_PTR(-EINVAL) when @file is not a pidfd.
 */
static inline struct pid *ttrec_file_pidfd_pid(struct file *file)
{
	const struct super_block *sb = file_inode(file)->i_sb;
	const struct dentry *dentry = file->f_path.dentry;

#ifdef PID_FS_MAGIC
	if (sb->s_magic == PID_FS_MAGIC) {
		struct pid *pid = file_inode(file)->i_private;

		if (!pid)
			pid = file->private_data;
		return pid ? pid : ERR_PTR(-EINVAL);
	}
#endif
	if (sb->s_magic != ANON_INODE_FS_MAGIC || !file->f_op ||
	    file->f_op->owner || !file->private_data)
		return ERR_PTR(-EINVAL);
	if (strcmp(dentry->d_name.name, "[pidfd]"))
		return ERR_PTR(-EINVAL);
	return file->private_data;
}

/**
 * ttrec_try_share_anon_page() - mark an exclusive anonymous page, mapped by
 * a PTE, possibly shared.
 * @page: the page; PageAnonExclusive() is set.
 *
 * The caller holds the PTE lock and has cleared the PTE: clearing the PTE,
 * checking for pins, clearing PageAnonExclusive and putting the PTE back
 * write-protected is the order both kernels' rmap.h document against
 * GUP-fast. 6.1 has page_try_share_anon_rmap(); 6.8 turned it into
 * folio_try_share_anon_rmap_pte() (same checks, the pin count read from
 * the folio).
 *
 * Return: 0, or -EBUSY when the page may be pinned (left exclusive).
 */
static inline int ttrec_try_share_anon_page(struct page *page)
{
#ifdef TTREC_HAVE_FOLIO_TRY_SHARE_ANON_RMAP_PTE
	return folio_try_share_anon_rmap_pte(page_folio(page), page);
#else
	return page_try_share_anon_rmap(page);
#endif
}

/**
 * ttrec_vma_start_write() - keep per-VMA-lock readers out of a VMA.
 * @vma: a VMA of an mm whose mmap_lock the caller holds for writing.
 *
 * From 6.4 (CONFIG_PER_VMA_LOCK) a user page fault, and userfaultfd's
 * UFFDIO_COPY/ZEROPAGE/CONTINUE/POISON/MOVE, look a VMA up under RCU and
 * lock only that VMA, without mmap_lock. mmap_write_lock() alone does not
 * stop them: vma_start_write() marks the VMA (and waits for its current
 * readers), so that later readers fall back to mmap_lock until
 * mmap_write_unlock() (vma_end_write_all()) unmarks every VMA of the mm at
 * once. dup_mmap() does the same to the parent's VMAs before fork()
 * write-protects their PTEs. 6.1 has no per-VMA locks: mmap_lock is
 * enough there.
 */
static inline void ttrec_vma_start_write(struct vm_area_struct *vma)
{
#ifdef TTREC_HAVE_VMA_START_WRITE
	vma_start_write(vma);
#endif
}

/**
 * ttrec_cap_u64() - a capability set as a 64-bit mask.
 * @c: the set.
 *
 * 6.1's kernel_cap_t is two 32-bit words; 6.12's is one u64.
 *
 * Return: bit N set for capability N.
 */
static inline u64 ttrec_cap_u64(kernel_cap_t c)
{
#ifdef TTREC_HAVE_KERNEL_CAP_U64
	return c.val;
#else
	return c.cap[0] | (u64)c.cap[1] << 32;
#endif
}

/**
 * ttrec_inode_mtime() - an inode's modification time.
 * @inode: the inode.
 *
 * 6.12 hides i_mtime behind inode_get_mtime(); 6.1 has the field.
 *
 * Return: the time.
 */
static inline struct timespec64 ttrec_inode_mtime(const struct inode *inode)
{
#ifdef TTREC_HAVE_INODE_GET_MTIME
	return inode_get_mtime(inode);
#else
	return inode->i_mtime;
#endif
}

/**
 * ttrec_task_rseq_len() - the length of a thread's rseq registration.
 * @t: the thread, parked or current.
 * @guessed: set when the kernel does not keep it.
 *
 * 6.12 keeps task_struct.rseq_len (registrations may be longer than the
 * original 32 bytes); 6.1's rseq() accepts exactly sizeof(struct rseq),
 * 32 bytes, and does not store it.
 *
 * Return: the length, 0 when the thread has no registration.
 */
static inline u32 ttrec_task_rseq_len(struct task_struct *t, bool *guessed)
{
	*guessed = false;
#ifdef CONFIG_RSEQ
	if (!t->rseq)
		return 0;
#ifdef TTREC_HAVE_RSEQ_LEN
	return t->rseq_len;
#else
	*guessed = true;
	return 32;
#endif
#else
	return 0;
#endif
}

/**
 * ttrec_get_mm_exe_file() - a reference on an mm's executable.
 * @mm: the mm.
 *
 * get_mm_exe_file() is not exported. mm->exe_file is RCU-protected: 6.1
 * takes the reference with the get_file_rcu() macro (files are freed
 * after a grace period); 6.12's files are SLAB_TYPESAFE_BY_RCU and its
 * get_file_rcu() is an exported function that re-checks the pointer.
 *
 * Return: the file (fput() it), or NULL.
 */
static inline struct file *ttrec_get_mm_exe_file(struct mm_struct *mm)
{
	struct file *f;

	rcu_read_lock();
#ifdef TTREC_HAVE_GET_FILE_RCU_PTR
	f = get_file_rcu(&mm->exe_file);
#else
	f = rcu_dereference(mm->exe_file);
	if (f && !get_file_rcu(f))
		f = NULL;
#endif
	rcu_read_unlock();
	return f;
}

/*
 * ttrec_for_each_posix_timer() - each timer_create() timer of a process.
 * @timer: a struct k_itimer * cursor.
 * @sig: its signal_struct; the caller holds its siglock, which timer
 *	 creation and deletion take.
 *
 * 6.1 keeps them on a list, 6.12 on an hlist.
 */
#ifdef TTREC_HAVE_POSIX_TIMERS_HLIST
#define ttrec_for_each_posix_timer(timer, sig) \
	hlist_for_each_entry(timer, &(sig)->posix_timers, list)
#else
#define ttrec_for_each_posix_timer(timer, sig) \
	list_for_each_entry(timer, &(sig)->posix_timers, list)
#endif

/**
 * ttrec_lock_task_sighand() - lock a task's sighand->siglock.
 * @t: the task (referenced).
 * @flags: saved interrupt state.
 *
 * lock_task_sighand() is inline but calls __lock_task_sighand(), which is
 * not exported. This is what it does: sighand_struct is
 * SLAB_TYPESAFE_BY_RCU, so under RCU the lock is taken and the pointer
 * checked again; it is NULL once the task has been released (exit).
 *
 * Return: the locked sighand, or NULL; unlock with
 * unlock_task_sighand().
 */
static inline struct sighand_struct *
ttrec_lock_task_sighand(struct task_struct *t, unsigned long *flags)
{
	struct sighand_struct *sighand;

	rcu_read_lock();
	for (;;) {
		sighand = rcu_dereference(t->sighand);
		if (!sighand)
			break;
		spin_lock_irqsave(&sighand->siglock, *flags);
		if (likely(sighand == rcu_access_pointer(t->sighand)))
			break;
		spin_unlock_irqrestore(&sighand->siglock, *flags);
	}
	rcu_read_unlock();
	return sighand;
}

#endif /* _TTREC_KMOD_COMPAT_H */
