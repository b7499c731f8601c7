// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec: module entry points, the /dev/ttrec misc device and its ioctls.
 *
 * Every ioctl argument is a struct versioned by its size, which travels in
 * the ioctl number: commands are matched on type, number and direction, and
 * the size is taken from _IOC_SIZE(cmd) (see include/uapi/linux/ttrec.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/ioctl.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "ttrec.h"

#define TTREC_FEATURES	(TTREC_FEATURE_ATTACH_PIDFD | TTREC_FEATURE_NETLINK | \
			 TTREC_FEATURE_SESSION_POLL | TTREC_FEATURE_SNAPSHOT | \
			 TTREC_FEATURE_SNAP_DIFF | TTREC_FEATURE_SNAP_SEEK | \
			 TTREC_FEATURE_VMA_KINDS | TTREC_FEATURE_SNAP_STATE)
#define TTREC_IOCTLS	(BIT_ULL(_TTREC_GET_API) | BIT_ULL(_TTREC_ATTACH))
#define TTREC_SESSION_IOCTLS	(BIT_ULL(_TTREC_SESSION_INFO) | \
				 BIT_ULL(_TTREC_SNAPSHOT))

static struct dentry *ttrec_debugfs_dir;

static long ttrec_ioc_get_api(void __user *uarg, size_t usize)
{
	struct ttrec_api api;
	int ret;

	ret = ttrec_copy_args(&api, sizeof(api), TTREC_API_SIZE_VER0, uarg, usize);
	if (ret)
		return ret;
	if (api.api != TTREC_API || api.flags || api.__pad)
		return -EINVAL;
	if (api.features & ~TTREC_FEATURES)
		return -EINVAL;

	memset(&api, 0, sizeof(api));
	api.api = TTREC_API;
	api.features = TTREC_FEATURES;
	api.ioctls = TTREC_IOCTLS;
	api.session_ioctls = TTREC_SESSION_IOCTLS;
	if (copy_to_user(uarg, &api, sizeof(api)))
		return -EFAULT;
	return 0;
}

static long ttrec_ioc_attach(void __user *uarg, size_t usize)
{
	struct ttrec_attach_args args;
	int ret;

	ret = ttrec_copy_args(&args, sizeof(args), TTREC_ATTACH_ARGS_SIZE_VER0, uarg, usize);
	if (ret)
		return ret;
	return ttrec_session_attach(&args);
}

static long ttrec_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);

	if (_IOC_TYPE(cmd) != TTREC_IOC_MAGIC)
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _TTREC_GET_API:
		if (_IOC_DIR(cmd) != _IOC_DIR(TTREC_IOC_GET_API))
			return -ENOTTY;
		return ttrec_ioc_get_api(uarg, usize);
	case _TTREC_ATTACH:
		if (_IOC_DIR(cmd) != _IOC_DIR(TTREC_IOC_ATTACH))
			return -ENOTTY;
		return ttrec_ioc_attach(uarg, usize);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ttrec_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= ttrec_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice ttrec_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= TTREC_DEVICE_NAME,
	.fops	= &ttrec_dev_fops,
	.mode	= 0600,
};

DEFINE_SHOW_ATTRIBUTE(ttrec_session_debugfs);

static int __init ttrec_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct ttrec_api) != TTREC_API_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_attach_args) !=
		     TTREC_ATTACH_ARGS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_session_info) !=
		     TTREC_SESSION_INFO_SIZE_VER1);
	BUILD_BUG_ON(_IOC_SIZE(TTREC_IOC_GET_API) != TTREC_API_SIZE_VER0);
	BUILD_BUG_ON(_IOC_SIZE(TTREC_IOC_ATTACH) != TTREC_ATTACH_ARGS_SIZE_VER0);
	BUILD_BUG_ON(_IOC_SIZE(TTREC_IOC_SESSION_INFO) !=
		     TTREC_SESSION_INFO_SIZE_VER1);

	BUILD_BUG_ON(sizeof(struct ttrec_snapshot_args) !=
		     TTREC_SNAPSHOT_ARGS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_info) !=
		     TTREC_SNAP_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_vma) != TTREC_SNAP_VMA_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_vmas_args) !=
		     TTREC_SNAP_VMAS_ARGS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_threads_args) !=
		     TTREC_SNAP_THREADS_ARGS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_range) !=
		     TTREC_SNAP_RANGE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_diff_args) !=
		     TTREC_SNAP_DIFF_ARGS_SIZE_VER0);
	BUILD_BUG_ON(_IOC_SIZE(TTREC_IOC_SNAP_DIFF) !=
		     TTREC_SNAP_DIFF_ARGS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_thread) != 32);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_note) != 8);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_proc_args) !=
		     TTREC_SNAP_PROC_ARGS_SIZE_VER0);
	BUILD_BUG_ON(_IOC_SIZE(TTREC_IOC_SNAP_PROC) !=
		     TTREC_SNAP_PROC_ARGS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_fds_args) !=
		     TTREC_SNAP_FDS_ARGS_SIZE_VER0);
	BUILD_BUG_ON(_IOC_SIZE(TTREC_IOC_SNAP_FDS) !=
		     TTREC_SNAP_FDS_ARGS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_proc) !=
		     TTREC_SNAP_PROC_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_tstate) !=
		     TTREC_SNAP_TSTATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_snap_fd) != TTREC_SNAP_FD_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ttrec_sigaction) != 32);
	BUILD_BUG_ON(sizeof(struct ttrec_fd_socket) != 320);
	BUILD_BUG_ON(sizeof(struct ttrec_fd_epoll_item) != 32);
	BUILD_BUG_ON(sizeof(struct ttrec_posix_timer) != 48);

	ret = ttrec_netlink_init();
	if (ret) {
		pr_err("cannot register generic netlink family: %d\n", ret);
		return ret;
	}

	ret = misc_register(&ttrec_miscdev);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", TTREC_DEVICE_NAME, ret);
		goto err_netlink;
	}

	/* Debugging aid only: failures are not fatal. */
	ttrec_debugfs_dir = debugfs_create_dir("ttrec", NULL);
	debugfs_create_file("sessions", 0400, ttrec_debugfs_dir, NULL,
			    &ttrec_session_debugfs_fops);

	pr_info("loaded, api %d\n", TTREC_API);
	return 0;

err_netlink:
	ttrec_netlink_exit();
	return ret;
}

static void __exit ttrec_exit(void)
{
	/*
	 * Every session file and every open /dev/ttrec holds a module
	 * reference, and a session's ->release() flushes its work, so nothing
	 * of ours can be running here.
	 */
	debugfs_remove(ttrec_debugfs_dir);
	misc_deregister(&ttrec_miscdev);
	ttrec_netlink_exit();
	pr_info("unloaded\n");
}

module_init(ttrec_init);
module_exit(ttrec_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ttrec: record/replay and snapshot sessions on processes");
MODULE_AUTHOR("ttrec developers");
