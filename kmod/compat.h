/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttrec: kernel-version differences, kept in one place.
 */
#ifndef _TTREC_KMOD_COMPAT_H
#define _TTREC_KMOD_COMPAT_H

#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/pid.h>
#include <linux/string.h>

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
 * owning module). 6.9 moved pidfds to pidfs (PID_FS_MAGIC) with the same
 * private_data.
 *
 * Return: the pid (no reference taken; valid while @file is held), or
 * ERR_PTR(-EINVAL) when @file is not a pidfd.
 */
static inline struct pid *ttrec_file_pidfd_pid(struct file *file)
{
	const struct super_block *sb = file_inode(file)->i_sb;
	const struct dentry *dentry = file->f_path.dentry;

#ifdef PID_FS_MAGIC
	if (sb->s_magic == PID_FS_MAGIC && file->private_data)
		return file->private_data;
#endif
	if (sb->s_magic != ANON_INODE_FS_MAGIC || !file->f_op ||
	    file->f_op->owner || !file->private_data)
		return ERR_PTR(-EINVAL);
	if (strcmp(dentry->d_name.name, "[pidfd]"))
		return ERR_PTR(-EINVAL);
	return file->private_data;
}

#endif /* _TTREC_KMOD_COMPAT_H */
