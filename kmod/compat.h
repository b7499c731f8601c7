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

#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/rmap.h>
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

#endif /* _TTREC_KMOD_COMPAT_H */
