/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttrec: declarations shared by the module's files (not uapi).
 */
#ifndef _TTREC_KMOD_TTREC_H
#define _TTREC_KMOD_TTREC_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/ttrec.h>

struct file;
struct seq_file;

/*
 * struct ttrec_budget - pages held by the snapshots of one session.
 * Referenced by the session and by each of its snapshots (a snapshot can
 * outlive its session); @pages is only changed atomically.
 */
struct ttrec_budget {
	refcount_t ref;
	atomic_long_t pages;
	atomic_t snapshots;
};

/*
 * struct ttrec_session - one session: a session file descriptor bound to a
 * target thread group.
 *
 * Lifetime: created by ttrec_session_attach(), owned by the session file
 * (file->private_data) and freed by its ->release(). The fields above @lock
 * are set before the session is published and never change afterwards.
 *
 * Locking:
 *  - @node is on ttrec_sessions, protected by ttrec_sessions_lock (a mutex).
 *  - @lock (spinlock, taken with interrupts off) protects @state,
 *    @exit_status, @exit_ns and @published. It is taken from the exit
 *    callback, which runs under tasklist_lock and the target's
 *    pid->wait_pidfd.lock, so the lock order is:
 *      tasklist_lock -> pid->wait_pidfd.lock -> @lock -> @poll_wq.lock
 *    and ttrec_sessions_lock -> @lock. Never take pid->wait_pidfd.lock
 *    (add/remove_wait_queue) with @lock held.
 */
struct ttrec_session {
	struct list_head node;
	u64 id;
	struct pid *pid;		/* target thread group, referenced */
	pid_t owner_tgid;		/* opener, initial pid namespace */
	char comm[TASK_COMM_LEN];	/* target comm at attach */
	u64 attach_ns;			/* CLOCK_MONOTONIC */

	struct wait_queue_entry exit_wait;	/* on pid->wait_pidfd */
	struct work_struct exit_work;		/* sends TARGET_EXITED */
	wait_queue_head_t poll_wq;		/* woken on target exit */

	spinlock_t lock;		/* see above */
	u32 state;			/* TTREC_SESSION_* */
	u32 exit_status;		/* wait(2) status once EXITED */
	u64 exit_ns;			/* CLOCK_MONOTONIC, 0 while LIVE */
	bool published;			/* OPENED event sent */

	struct ttrec_budget *budget;	/* snapshot page accounting */
};

/**
 * struct ttrec_session_fields - a consistent copy of a session's fields,
 * taken by ttrec_session_read_fields().
 * @id: the session id.
 * @pid: the target thread group, in the initial pid namespace.
 * @owner_tgid: the opener, in the initial pid namespace.
 * @state: TTREC_SESSION_*.
 * @exit_status: wait(2) status once the target exited.
 * @attach_ns: CLOCK_MONOTONIC at attach.
 * @exit_ns: CLOCK_MONOTONIC at the target's exit, 0 while it lives.
 * @comm: the target's comm at attach.
 * @pages_held: pages held by the session's open snapshots.
 * @nr_snapshots: the session's open snapshots.
 */
struct ttrec_session_fields {
	u64 id;
	pid_t pid;
	pid_t owner_tgid;
	u32 state;
	u32 exit_status;
	u64 attach_ns;
	u64 exit_ns;
	char comm[TASK_COMM_LEN];
	u64 pages_held;
	u32 nr_snapshots;
};

/*
 * struct ttrec_snap_event - what TTREC_EVENT_SNAPSHOT reports about a
 * snapshot just taken.
 */
struct ttrec_snap_event {
	u64 id;
	u64 pause_ns;
	u64 pages_shared;
	u64 pages_copied;		/* every eager copy */
};

/* session.c */
long ttrec_session_attach(const struct ttrec_attach_args *args);
void ttrec_session_read_fields(struct ttrec_session *s,
			       struct ttrec_session_fields *fields);
int ttrec_session_for_each(u64 after_id,
			   int (*fn)(const struct ttrec_session_fields *f,
				     void *arg),
			   void *arg);
int ttrec_session_debugfs_show(struct seq_file *m, void *unused);

/* snapshot.c */
extern unsigned long ttrec_max_snapshot_pages;
void ttrec_budget_put(struct ttrec_budget *b);
long ttrec_snapshot_create(struct ttrec_session *s, void __user *uarg,
			   size_t usize);

/* park.c */
struct ttrec_park;

/*
 * struct ttrec_thread_state - what a thread records about itself while it
 * parks (owned by the park until ttrec_park_take_state(), then by the
 * snapshot).
 */
#define TTREC_MAX_NOTES	3
struct ttrec_thread_state {
	struct pid *pid;		/* referenced */
	u32 flags;			/* TTREC_THREAD_* */
	s64 syscall_nr;
	u64 sigmask;
	u32 nr_notes;
	struct {
		u32 type;
		u32 size;
		void *data;		/* kvmalloc'd by regset_get_alloc() */
	} notes[TTREC_MAX_NOTES];
	/* TTREC_SNAP_THREADS_STATE notes, filled by the parker (state.c) */
	void *state;			/* kvmalloc'd */
	u32 state_len;
	u32 state_notes;
};

void ttrec_thread_state_free(struct ttrec_thread_state *ts);
int ttrec_park_group(struct pid *pid, unsigned int timeout_ms,
		     struct ttrec_park **out);
void ttrec_park_release(struct ttrec_park *park, u64 *pause_ns);
unsigned int ttrec_park_nr_parked(struct ttrec_park *park);
u64 ttrec_park_id(struct ttrec_park *park);
struct task_struct *ttrec_park_any_task(struct ttrec_park *park);
int ttrec_park_for_each(struct ttrec_park *park,
			int (*fn)(struct task_struct *t,
				  struct ttrec_thread_state *ts, void *arg),
			void *arg);
int ttrec_park_take_states(struct ttrec_park *park,
			   struct ttrec_thread_state **states,
			   unsigned int max);
bool ttrec_park_broken(struct ttrec_park *park);

/* netlink.c */
int ttrec_netlink_init(void);
void ttrec_netlink_exit(void);
void ttrec_netlink_event(u32 event, struct ttrec_session *s);
void ttrec_netlink_snap_event(struct ttrec_session *s,
			      const struct ttrec_snap_event *ev);

/**
 * ttrec_copy_args() - read a size-versioned ioctl argument struct
 * @dst: the module's struct
 * @dsize: its size
 * @ver0_size: the size of the struct's first version (*_SIZE_VER0)
 * @uarg: the caller's struct
 * @usize: its size, as the caller gave it
 *
 * Return: 0, -EINVAL if @usize is smaller than the first version, or an
 * error of copy_struct_from_user() (-E2BIG: an unknown non-zero tail,
 * -EFAULT).
 */
static inline int ttrec_copy_args(void *dst, size_t dsize, size_t ver0_size,
				  const void __user *uarg, size_t usize)
{
	if (usize < ver0_size)
		return -EINVAL;
	return copy_struct_from_user(dst, dsize, uarg, usize);
}

#endif /* _TTREC_KMOD_TTREC_H */
