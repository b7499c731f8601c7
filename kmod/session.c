// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec: sessions.
 *
 * A session is an anonymous-inode file bound to a target thread group. It
 * holds a reference on the group's struct pid (never on a task), so the
 * target can exit and be reaped while the session stays open.
 *
 * Exit detection: when a thread group has fully exited, do_notify_parent()
 * wakes pid->wait_pidfd, the queue pidfd poll() uses. A session hangs a
 * custom wait_queue_entry on that queue. The callback runs in atomic context
 * (under tasklist_lock and the queue's lock, interrupts off), so it only
 * records the exit status and time, wakes the session's poll queue and
 * queues a work item that sends the netlink event. The same queue is also
 * woken in other cases (a traced leader exiting before its threads), so the
 * callback re-checks that the whole group is dead.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "ttrec.h"

/*
 * All open sessions, oldest first (so ids increase along the list). Only
 * this file touches the list; others walk it with ttrec_session_for_each().
 */
static LIST_HEAD(ttrec_sessions);
/*
 * Protects ttrec_sessions and ttrec_last_session_id; taken before any
 * session's ->lock.
 */
static DEFINE_MUTEX(ttrec_sessions_lock);
/* Ids are handed out under the lock, so the list stays in id order. */
static u64 ttrec_last_session_id;

/*
 * True when the thread group led by @leader has exited entirely: the leader
 * is a zombie (or dead) and no other thread is left. Caller holds
 * rcu_read_lock() or tasklist_lock.
 */
static bool ttrec_group_dead(struct task_struct *leader)
{
	return READ_ONCE(leader->exit_state) && thread_group_empty(leader);
}

/*
 * True when the thread group led by @leader is gone or on its way out: a
 * group exit (exit_group() or a fatal signal) is in progress, or the last
 * thread is exiting. A group whose leader exited early but which still has
 * live threads is not exiting. Caller holds rcu_read_lock().
 */
static bool ttrec_group_exiting(struct task_struct *leader)
{
	if (READ_ONCE(leader->signal->flags) & SIGNAL_GROUP_EXIT)
		return true;
	if (!thread_group_empty(leader))
		return false;
	return (READ_ONCE(leader->flags) & PF_EXITING) ||
	       READ_ONCE(leader->exit_state);
}

/* wait(2) status of a dead group, as wait_task_zombie() computes it. */
static u32 ttrec_group_exit_status(struct task_struct *leader)
{
	const struct signal_struct *sig = leader->signal;

	if (READ_ONCE(sig->flags) & SIGNAL_GROUP_EXIT)
		return READ_ONCE(sig->group_exit_code);
	return READ_ONCE(leader->exit_code);
}

/*
 * Woken through pid->wait_pidfd by do_notify_pidfd(), in atomic context:
 * tasklist_lock held for writing, the queue's lock held, interrupts off.
 */
static int ttrec_session_exit_wake(struct wait_queue_entry *wait,
				   unsigned int mode, int sync, void *key)
{
	struct ttrec_session *s = container_of(wait, struct ttrec_session,
					       exit_wait);
	struct task_struct *leader;
	u32 status;

	rcu_read_lock();
	leader = pid_task(s->pid, PIDTYPE_TGID);
	if (!leader || !ttrec_group_dead(leader)) {
		rcu_read_unlock();
		return 0;
	}
	status = ttrec_group_exit_status(leader);
	rcu_read_unlock();

	spin_lock(&s->lock);
	if (s->state == TTREC_SESSION_LIVE) {
		s->state = TTREC_SESSION_EXITED;
		s->exit_status = status;
		s->exit_ns = ktime_get_ns();
		if (s->published)
			queue_work(system_wq, &s->exit_work);
		wake_up_all(&s->poll_wq);
	}
	spin_unlock(&s->lock);
	return 0;
}

static void ttrec_session_exit_work(struct work_struct *work)
{
	struct ttrec_session *s = container_of(work, struct ttrec_session,
					       exit_work);

	ttrec_netlink_event(TTREC_EVENT_TARGET_EXITED, s);
}

/**
 * ttrec_session_read_fields() - copy a session's fields consistently.
 * @s: the session; the caller keeps it alive (holds its file, or
 *     ttrec_sessions_lock while it is on ttrec_sessions).
 * @fields: filled in; pids are in the initial pid namespace.
 *
 * Takes @s->lock, so the caller must not hold it.
 */
void ttrec_session_read_fields(struct ttrec_session *s,
			       struct ttrec_session_fields *fields)
{
	memset(fields, 0, sizeof(*fields));
	fields->id = s->id;
	fields->pid = pid_nr(s->pid);
	fields->owner_tgid = s->owner_tgid;
	fields->attach_ns = s->attach_ns;
	memcpy(fields->comm, s->comm, sizeof(fields->comm));

	fields->pages_held = atomic_long_read(&s->budget->pages);
	fields->nr_snapshots = atomic_read(&s->budget->snapshots);

	spin_lock_irq(&s->lock);
	fields->state = s->state;
	fields->exit_status = s->exit_status;
	fields->exit_ns = s->exit_ns;
	spin_unlock_irq(&s->lock);
}

/**
 * ttrec_session_for_each() - call @fn on the fields of every open session.
 * @after_id: skip the sessions whose id is @after_id or lower (0: none).
 * @fn: called once per session, in increasing id order, with a copy of its
 *      fields taken by ttrec_session_read_fields() and with @arg; returns
 *      0 to go on, anything else to end the walk.
 * @arg: passed to @fn.
 *
 * Locking: the walk holds ttrec_sessions_lock (a mutex) from start to end,
 * so no session is opened or closed while it runs, and each session's
 * ->lock only while its fields are copied. @fn thus runs in process
 * context with ttrec_sessions_lock held and no session's ->lock: it may
 * sleep, but must not attach or release a session (both take
 * ttrec_sessions_lock).
 *
 * New sessions get higher ids than every open one, so a walk that @fn
 * ended early resumes where it stopped when the last id @fn saw is passed
 * as @after_id.
 *
 * Return: 0 when @fn was called for every session, else the first non-zero
 * value @fn returned.
 */
int ttrec_session_for_each(u64 after_id,
			   int (*fn)(const struct ttrec_session_fields *f,
				     void *arg),
			   void *arg)
{
	struct ttrec_session_fields fields;
	struct ttrec_session *s;
	int ret = 0;

	mutex_lock(&ttrec_sessions_lock);
	list_for_each_entry(s, &ttrec_sessions, node) {
		if (s->id <= after_id)
			continue;
		ttrec_session_read_fields(s, &fields);
		ret = fn(&fields, arg);
		if (ret)
			break;
	}
	mutex_unlock(&ttrec_sessions_lock);
	return ret;
}

static long ttrec_ioc_session_info(struct ttrec_session *s, void __user *uarg,
				   size_t usize)
{
	struct ttrec_session_fields fields;
	struct ttrec_session_info info;
	int ret;

	ret = ttrec_copy_args(&info, sizeof(info), TTREC_SESSION_INFO_SIZE_VER0, uarg, usize);
	if (ret)
		return ret;
	if (info.flags)
		return -EINVAL;

	ttrec_session_read_fields(s, &fields);
	memset(&info, 0, sizeof(info));
	info.state = fields.state;
	info.id = fields.id;
	info.pid = pid_vnr(s->pid);
	info.exit_status = fields.exit_status;
	info.attach_ns = fields.attach_ns;
	info.exit_ns = fields.exit_ns;
	info.pages_held = fields.pages_held;
	info.page_budget = READ_ONCE(ttrec_max_snapshot_pages);
	info.nr_snapshots = fields.nr_snapshots;
	/* A VER0 caller gets the VER0 part only. */
	if (copy_to_user(uarg, &info, min(usize, sizeof(info))))
		return -EFAULT;
	return 0;
}

static long ttrec_session_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct ttrec_session *s = file->private_data;

	if (_IOC_TYPE(cmd) != TTREC_IOC_MAGIC)
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _TTREC_SESSION_INFO:
		if (_IOC_DIR(cmd) != _IOC_DIR(TTREC_IOC_SESSION_INFO))
			return -ENOTTY;
		return ttrec_ioc_session_info(s, (void __user *)arg,
					      _IOC_SIZE(cmd));
	case _TTREC_SNAPSHOT:
		if (_IOC_DIR(cmd) != _IOC_DIR(TTREC_IOC_SNAPSHOT))
			return -ENOTTY;
		return ttrec_snapshot_create(s, (void __user *)arg,
					     _IOC_SIZE(cmd));
	default:
		return -ENOTTY;
	}
}

static __poll_t ttrec_session_poll(struct file *file, poll_table *pt)
{
	struct ttrec_session *s = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &s->poll_wq, pt);

	spin_lock_irq(&s->lock);
	if (s->state == TTREC_SESSION_EXITED)
		mask = EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	spin_unlock_irq(&s->lock);
	return mask;
}

static void ttrec_session_free(struct ttrec_session *s)
{
	ttrec_budget_put(s->budget);
	put_pid(s->pid);
	kfree(s);
}

static int ttrec_session_release(struct inode *inode, struct file *file)
{
	struct ttrec_session *s = file->private_data;

	mutex_lock(&ttrec_sessions_lock);
	list_del(&s->node);
	mutex_unlock(&ttrec_sessions_lock);

	/*
	 * After remove_wait_queue() the exit callback is neither running nor
	 * can it run again (both hold pid->wait_pidfd.lock), so it cannot
	 * queue the work any more; flush (not cancel) it so that a pending
	 * TARGET_EXITED event still goes out before SESSION_CLOSED.
	 */
	remove_wait_queue(&s->pid->wait_pidfd, &s->exit_wait);
	flush_work(&s->exit_work);

	ttrec_netlink_event(TTREC_EVENT_SESSION_CLOSED, s);
	ttrec_session_free(s);
	return 0;
}

static const struct file_operations ttrec_session_fops = {
	.owner		= THIS_MODULE,
	.release	= ttrec_session_release,
	.poll		= ttrec_session_poll,
	.unlocked_ioctl	= ttrec_session_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/* Resolve the target of an ATTACH to a referenced struct pid. */
static struct pid *ttrec_attach_get_pid(const struct ttrec_attach_args *args)
{
	struct pid *pid;

	if (args->flags & TTREC_ATTACH_PIDFD) {
		struct fd f;

		if (args->pid > INT_MAX)
			return ERR_PTR(-EBADF);
		f = fdget(args->pid);
		if (!fd_file(f))
			return ERR_PTR(-EBADF);
		pid = ttrec_file_pidfd_pid(fd_file(f));
		if (!IS_ERR(pid))
			get_pid(pid);
		fdput(f);
		return pid;
	}

	if (args->pid == 0 || args->pid > INT_MAX)
		return ERR_PTR(-ESRCH);
	pid = find_get_pid(args->pid);
	if (!pid)
		return ERR_PTR(-ESRCH);
	return pid;
}

/*
 * Check the target and fill in what the session records about it.
 * Return: 0, or -ESRCH / -EINVAL.
 */
static int ttrec_attach_check_target(struct ttrec_session *s)
{
	struct task_struct *leader;
	int ret = 0;

	rcu_read_lock();
	/* NULL also for a pid that is not a thread-group leader's. */
	leader = pid_task(s->pid, PIDTYPE_TGID);
	if (!leader)
		ret = -ESRCH;
	else if (leader->flags & PF_KTHREAD)
		ret = -EINVAL;
	else if (same_thread_group(leader, current))
		ret = -EINVAL;
	else if (ttrec_group_exiting(leader))
		ret = -ESRCH;
	else
		__get_task_comm(s->comm, sizeof(s->comm), leader);
	rcu_read_unlock();
	return ret;
}

/*
 * Called after exit_wait is on the queue: from here on an exit is seen by
 * the callback, so a group that is still alive now cannot be missed, and
 * one that died before we got on the queue is seen dead here (the queue's
 * lock orders us after do_notify_pidfd()).
 */
static bool ttrec_attach_target_alive(struct ttrec_session *s)
{
	struct task_struct *leader;
	bool alive;

	rcu_read_lock();
	leader = pid_task(s->pid, PIDTYPE_TGID);
	alive = leader && !ttrec_group_exiting(leader);
	rcu_read_unlock();
	return alive;
}

/**
 * ttrec_session_attach() - TTREC_IOC_ATTACH: open a session on a process.
 * @args: the ioctl argument, already copied in.
 *
 * Return: a new session file descriptor, or -EPERM (no CAP_SYS_PTRACE),
 * -EINVAL (unknown flags, a kernel thread, the caller's own thread group,
 * a file that is not a pidfd), -EBADF (bad pidfd), -ESRCH (no such thread
 * group, or it is exiting or a zombie), -ENOMEM, -EMFILE.
 */
long ttrec_session_attach(const struct ttrec_attach_args *args)
{
	struct ttrec_session *s;
	struct file *file;
	int fd, ret;

	if (!capable(CAP_SYS_PTRACE))
		return -EPERM;
	if (args->flags & ~TTREC_ATTACH_PIDFD)
		return -EINVAL;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	INIT_LIST_HEAD(&s->node);
	spin_lock_init(&s->lock);
	init_waitqueue_head(&s->poll_wq);
	init_waitqueue_func_entry(&s->exit_wait, ttrec_session_exit_wake);
	INIT_WORK(&s->exit_work, ttrec_session_exit_work);
	s->state = TTREC_SESSION_LIVE;
	s->owner_tgid = task_tgid_nr(current);
	s->budget = kzalloc(sizeof(*s->budget), GFP_KERNEL);
	if (!s->budget) {
		ret = -ENOMEM;
		goto err_free;
	}
	refcount_set(&s->budget->ref, 1);

	s->pid = ttrec_attach_get_pid(args);
	if (IS_ERR(s->pid)) {
		ret = PTR_ERR(s->pid);
		goto err_free;
	}
	ret = ttrec_attach_check_target(s);
	if (ret)
		goto err_put_pid;

	add_wait_queue(&s->pid->wait_pidfd, &s->exit_wait);
	if (!ttrec_attach_target_alive(s)) {
		ret = -ESRCH;
		goto err_remove_wait;
	}

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_remove_wait;
	}
	file = anon_inode_getfile("[ttrec-session]", &ttrec_session_fops, s,
				  O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put_fd;
	}

	/* From here on nothing fails: the file owns the session. */
	s->attach_ns = ktime_get_ns();
	mutex_lock(&ttrec_sessions_lock);
	s->id = ++ttrec_last_session_id;
	list_add_tail(&s->node, &ttrec_sessions);
	mutex_unlock(&ttrec_sessions_lock);

	/*
	 * OPENED goes out before the fd is visible (so before any CLOSED) and
	 * before any TARGET_EXITED: the callback only queues the exit work
	 * once the session is published.
	 */
	ttrec_netlink_event(TTREC_EVENT_SESSION_OPENED, s);
	spin_lock_irq(&s->lock);
	s->published = true;
	if (s->state == TTREC_SESSION_EXITED)
		queue_work(system_wq, &s->exit_work);
	spin_unlock_irq(&s->lock);

	fd_install(fd, file);
	return fd;

err_put_fd:
	put_unused_fd(fd);
err_remove_wait:
	remove_wait_queue(&s->pid->wait_pidfd, &s->exit_wait);
err_put_pid:
	put_pid(s->pid);
err_free:
	ttrec_budget_put(s->budget);
	kfree(s);
	return ret;
}

static const char *ttrec_session_state_name(u32 state)
{
	switch (state) {
	case TTREC_SESSION_LIVE:
		return "live";
	case TTREC_SESSION_EXITED:
		return "exited";
	default:
		return "?";
	}
}

static int ttrec_session_debugfs_line(const struct ttrec_session_fields *f,
				      void *arg)
{
	struct seq_file *m = arg;

	seq_printf(m, "%llu %d %s 0x%x %d %u %llu %s\n", f->id, f->pid,
		   ttrec_session_state_name(f->state), f->exit_status,
		   f->owner_tgid, f->nr_snapshots, f->pages_held, f->comm);
	return 0;
}

/**
 * ttrec_session_debugfs_show() - debugfs "sessions": one line per session.
 * @m: the seq_file.
 * @unused: unused.
 *
 * Columns: id pid state exit_status owner snapshots snap_pages comm (pids
 * in the initial pid namespace, exit status in hex as wait(2) reports it).
 *
 * Return: 0.
 */
int ttrec_session_debugfs_show(struct seq_file *m, void *unused)
{
	seq_puts(m, "id pid state exit_status owner snapshots snap_pages comm\n");
	return ttrec_session_for_each(0, ttrec_session_debugfs_line, m);
}
