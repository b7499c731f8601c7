// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec: parking every thread of a thread group at the user/kernel boundary.
 *
 * Each thread gets a task_work queued with TWA_SIGNAL: a thread running in
 * user space is kicked into the kernel, a thread sleeping interruptibly in
 * a syscall is woken as by a signal and its syscall is restarted
 * transparently after the park (the -ERESTART* logic of signal delivery:
 * no signal is delivered, so the restart always happens). The callback
 * runs on the way back to user space; it records the thread's registers,
 * signal mask and syscall, reports in and sleeps (TASK_KILLABLE) until the
 * park is released. A thread that reaches the callback in do_exit() only
 * reports that it is gone.
 *
 * Threads created while the park is under way: the group's thread list is
 * scanned again once every known thread has parked. A parked thread cannot
 * create threads, and a thread that was cloning when it got the request
 * has finished clone() (copy_process() backs off with -ERESTARTNOINTR on
 * the pending notification, or completes and links the child before the
 * parent returns to user space), so a scan that finds no new thread after
 * everyone parked sees the whole, now frozen, group.
 *
 * task_work_cancel() is not exported, so a queued callback cannot be taken
 * back: it always runs, either while the park is in progress or later (a
 * stopped thread, after SIGCONT) and then returns at once. Each queued
 * callback holds a reference on the park and on the module.
 *
 * Parks are serialised by ttrec_park_mutex: two parks of the same group
 * could otherwise each hold some of its threads and wait for the others.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/elf.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/regset.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/timekeeping.h>
#include <asm/syscall.h>

#include "ttrec.h"

#define CREATE_TRACE_POINTS
#include "ttrec_trace.h"

static DEFINE_MUTEX(ttrec_park_mutex);
static atomic64_t ttrec_next_park_id = ATOMIC64_INIT(0);

enum ttrec_park_status {
	TTREC_PARK_QUEUED,	/* callback queued, not run yet */
	TTREC_PARK_PARKED,	/* sleeping in the callback */
	TTREC_PARK_GONE,	/* exiting, or reached the callback too late */
	TTREC_PARK_LEFT,	/* woken by a fatal signal before release */
	TTREC_PARK_DONE,	/* released normally */
};

struct ttrec_park_thread {
	struct callback_head cb;
	struct list_head node;		/* on park->threads */
	struct ttrec_park *park;
	struct task_struct *task;	/* referenced */
	enum ttrec_park_status status;	/* under park->lock */
	struct ttrec_thread_state *ts;	/* set before status leaves QUEUED */
};

/*
 * struct ttrec_park - one park of a thread group.
 *
 * @ref: one for the parker, one per queued callback.
 * @threads: only the parker adds to it; entries live until the park is
 *   freed.
 * @lock (spinlock) protects the thread states, the counters and @released.
 * @wq: the parker waits on it for check-ins, parked threads for @released.
 * @id, @parker (the parker's tgid): set before any callback is queued,
 *   for the ttrec_park tracepoint.
 */
struct ttrec_park {
	refcount_t ref;
	spinlock_t lock;		/* see above */
	wait_queue_head_t wq;
	struct list_head threads;
	unsigned int nr_pending;
	unsigned int nr_parked;
	unsigned int nr_left;
	bool released;
	u64 start_ns;
	u64 id;
	pid_t parker;
};

/**
 * ttrec_thread_state_free() - free a thread state and its regset data.
 * @ts: the state, or NULL.
 */
void ttrec_thread_state_free(struct ttrec_thread_state *ts)
{
	unsigned int i;

	if (!ts)
		return;
	for (i = 0; i < ts->nr_notes; i++)
		kvfree(ts->notes[i].data);
	kvfree(ts->state);
	put_pid(ts->pid);
	kfree(ts);
}

static void ttrec_park_put(struct ttrec_park *park)
{
	struct ttrec_park_thread *t, *tmp;

	if (!refcount_dec_and_test(&park->ref))
		return;
	list_for_each_entry_safe(t, tmp, &park->threads, node) {
		ttrec_thread_state_free(t->ts);
		put_task_struct(t->task);
		kfree(t);
	}
	kfree(park);
}

/*
 * epoll_wait(), epoll_pwait() and epoll_pwait2() return -EINTR whenever
 * signal_pending() holds (ep_poll()), and the notification that brought the
 * thread here counts as a pending signal: a park would show as EINTR. Turn
 * it into -ERESTARTNOHAND, as poll_select_finish() does for ppoll() and
 * pselect6(): the signal code (which runs after this callback) restarts the
 * call when no handler runs, with the same arguments, and makes it -EINTR
 * when a real signal's handler does, as it was. epoll_pwait()'s temporary
 * mask is still in place (restore_saved_sigmask_unless() kept it for
 * -EINTR) and is put back by the signal code either way. A finite timeout
 * starts again whole, as for a restart after a signal without a handler.
 * Only on the way out of the call (its result already set): a callback run
 * from inside a syscall sees -ENOSYS there. Done whether or not the park
 * still wants the thread: the -EINTR came from its request either way. The
 * sys_exit tracepoint saw -EINTR; the ttrec_park_notify tracepoint tells a
 * recorder that this rewrite follows.
 */
static void ttrec_park_restartable(struct pt_regs *regs)
{
	long nr = syscall_get_nr(current, regs);

	if (!user_64bit_mode(regs) ||
	    syscall_get_return_value(current, regs) != -EINTR)
		return;
	if (nr != __NR_epoll_wait && nr != __NR_epoll_pwait &&
	    nr != __NR_epoll_pwait2)
		return;
	if (fatal_signal_pending(current))
		return;
	syscall_set_return_value(current, regs, -ERESTARTNOHAND, 0);
}

/* Called by a thread about itself, in its task_work callback. */
static struct ttrec_thread_state *ttrec_capture_self(void)
{
	const struct user_regset_view *view = task_user_regset_view(current);
	struct ttrec_thread_state *ts;
	struct pt_regs *regs = task_pt_regs(current);
	unsigned int i;

	ts = kzalloc(sizeof(*ts), GFP_KERNEL);
	if (!ts)
		return NULL;
	ts->pid = get_task_pid(current, PIDTYPE_PID);
	if (thread_group_leader(current))
		ts->flags |= TTREC_THREAD_LEADER;
	ts->syscall_nr = syscall_get_nr(current, regs);
	if (ts->syscall_nr >= 0)
		ts->flags |= TTREC_THREAD_IN_SYSCALL;
	else
		ts->syscall_nr = -1;
	BUILD_BUG_ON(_NSIG_WORDS != 1);
	ts->sigmask = current->blocked.sig[0];

	for (i = 0; i < view->n && ts->nr_notes < TTREC_MAX_NOTES; i++) {
		const struct user_regset *r = &view->regsets[i];
		void *data;
		int size;

		if (r->core_note_type != NT_PRSTATUS &&
		    r->core_note_type != NT_PRFPREG &&
		    r->core_note_type != NT_X86_XSTATE)
			continue;
		if (r->active && r->active(current, r) <= 0)
			continue;
		size = regset_get_alloc(current, r, r->n * r->size, &data);
		if (size <= 0)
			continue;
		ts->notes[ts->nr_notes].type = r->core_note_type;
		ts->notes[ts->nr_notes].size = size;
		ts->notes[ts->nr_notes].data = data;
		ts->nr_notes++;
	}
	return ts;
}

static void ttrec_park_cb(struct callback_head *cb)
{
	struct ttrec_park_thread *t = container_of(cb, struct ttrec_park_thread,
						   cb);
	struct ttrec_park *park = t->park;
	struct ttrec_thread_state *ts = NULL;
	bool exiting = current->flags & PF_EXITING;
	bool parked = false;

	if (!exiting)
		ttrec_park_restartable(task_pt_regs(current));
	trace_ttrec_park_notify(park->id, park->parker, task_pid_nr(current), 0);
	if (!exiting && !READ_ONCE(park->released))
		ts = ttrec_capture_self();
	/* before the check-in: the parker's tracepoint comes after this one */
	if (ts)
		trace_ttrec_park(park->id, park->parker, ts->syscall_nr,
				 syscall_get_return_value(current,
							  task_pt_regs(current)));

	spin_lock(&park->lock);
	t->ts = ts;
	if (exiting || park->released || !ts) {
		t->status = TTREC_PARK_GONE;
		if (!exiting && !park->released)
			park->nr_left++;	/* out of memory: fail the park */
	} else {
		t->status = TTREC_PARK_PARKED;
		park->nr_parked++;
		parked = true;
	}
	park->nr_pending--;
	spin_unlock(&park->lock);
	wake_up_all(&park->wq);

	if (parked) {
		wait_event_killable(park->wq, READ_ONCE(park->released));
		spin_lock(&park->lock);
		if (park->released) {
			t->status = TTREC_PARK_DONE;
		} else {
			t->status = TTREC_PARK_LEFT;
			park->nr_left++;
		}
		spin_unlock(&park->lock);
		wake_up_all(&park->wq);
	}

	ttrec_park_put(park);
	/*
	 * The last instructions of this function run after the module
	 * reference is dropped, as for any module code that drops its own
	 * reference; module removal also waits for an RCU grace period
	 * before freeing the text.
	 */
	module_put(THIS_MODULE);
}

/* Parker only: is @task on the list already? */
static bool ttrec_park_has(struct ttrec_park *park, struct task_struct *task)
{
	struct ttrec_park_thread *t;

	list_for_each_entry(t, &park->threads, node)
		if (t->task == task)
			return true;
	return false;
}

/*
 * Queue the callback on every live thread of the group not queued yet.
 * Return: number queued, -ESRCH (group gone or exiting), -ENOMEM.
 */
static int ttrec_park_queue_new(struct ttrec_park *park, struct pid *pid)
{
	int queued = 0;

	for (;;) {
		struct task_struct *leader, *task, *found = NULL;
		struct ttrec_park_thread *t;
		int ret = 0;

		rcu_read_lock();
		leader = pid_task(pid, PIDTYPE_TGID);
		if (!leader || (READ_ONCE(leader->signal->flags) &
				SIGNAL_GROUP_EXIT)) {
			ret = -ESRCH;
		} else {
			for_each_thread(leader, task) {
				if (task->flags & (PF_EXITING | PF_IO_WORKER |
						   PF_KTHREAD))
					continue;
				if (ttrec_park_has(park, task))
					continue;
				found = task;
				get_task_struct(found);
				break;
			}
		}
		rcu_read_unlock();
		if (ret)
			return ret;
		if (!found)
			return queued;

		t = kzalloc(sizeof(*t), GFP_KERNEL);
		if (!t) {
			put_task_struct(found);
			return -ENOMEM;
		}
		t->park = park;
		t->task = found;
		t->status = TTREC_PARK_QUEUED;
		init_task_work(&t->cb, ttrec_park_cb);

		spin_lock_irq(&park->lock);
		list_add_tail(&t->node, &park->threads);
		park->nr_pending++;
		spin_unlock_irq(&park->lock);

		refcount_inc(&park->ref);
		__module_get(THIS_MODULE);
		/* before the request can wake it: see ttrec_trace.h */
		trace_ttrec_park_notify(park->id, park->parker,
					task_pid_nr(found), 1);
		if (task_work_add(found, &t->cb, TWA_SIGNAL)) {
			trace_ttrec_park_notify(park->id, park->parker,
						task_pid_nr(found), 0);
			/* Past exit_task_work(): it will not return to user. */
			spin_lock_irq(&park->lock);
			t->status = TTREC_PARK_GONE;
			park->nr_pending--;
			spin_unlock_irq(&park->lock);
			refcount_dec(&park->ref);	/* the parker holds one */
			module_put(THIS_MODULE);
			continue;
		}
		queued++;
	}
}

/* The parker's wait is over: no check-in outstanding, or a thread left. */
static bool ttrec_park_settled(struct ttrec_park *park)
{
	return !READ_ONCE(park->nr_pending) || READ_ONCE(park->nr_left);
}

/**
 * ttrec_park_group() - park every thread of a thread group.
 * @pid: the group's struct pid.
 * @timeout_ms: how long to wait for all threads to check in.
 * @out: on success, the park; release it with ttrec_park_release().
 *
 * Return: 0, or -ESRCH (the group exited or is exiting), -EBUSY (timeout),
 * -EAGAIN (a parked thread was killed), -EINTR (fatal signal to the
 * caller), -ENOMEM. On failure every thread parked so far is released.
 */
int ttrec_park_group(struct pid *pid, unsigned int timeout_ms,
		     struct ttrec_park **out)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	struct ttrec_park *park;
	int ret;

	park = kzalloc(sizeof(*park), GFP_KERNEL);
	if (!park)
		return -ENOMEM;
	refcount_set(&park->ref, 1);
	spin_lock_init(&park->lock);
	init_waitqueue_head(&park->wq);
	INIT_LIST_HEAD(&park->threads);

	if (mutex_lock_killable(&ttrec_park_mutex)) {
		kfree(park);
		return -EINTR;
	}
	park->start_ns = ktime_get_ns();
	park->id = atomic64_inc_return(&ttrec_next_park_id);
	park->parker = task_tgid_nr(current);

	for (;;) {
		long left;

		ret = ttrec_park_queue_new(park, pid);
		if (ret < 0)
			goto err_release;
		spin_lock_irq(&park->lock);
		if (park->nr_left) {
			spin_unlock_irq(&park->lock);
			ret = -EAGAIN;
			goto err_release;
		}
		if (!ret && !park->nr_pending) {
			spin_unlock_irq(&park->lock);
			break;		/* everyone known parked, none new */
		}
		spin_unlock_irq(&park->lock);

		left = (long)(deadline - jiffies);
		if (left <= 0) {
			ret = -EBUSY;
			goto err_release;
		}
		left = wait_event_killable_timeout(park->wq,
						   ttrec_park_settled(park),
						   left);
		if (left < 0) {
			ret = -EINTR;
			goto err_release;
		}
		if (!left && READ_ONCE(park->nr_pending)) {
			ret = -EBUSY;
			goto err_release;
		}
	}

	if (!park->nr_parked) {
		ret = -ESRCH;
		goto err_release;
	}
	*out = park;
	return 0;

err_release:
	ttrec_park_release(park, NULL);
	return ret;
}

/**
 * ttrec_park_broken() - did a parked thread leave before the release?
 * @park: a park from ttrec_park_group().
 *
 * Return: true when a thread was killed (or the group started exiting)
 * while parked, so the snapshot cannot be consistent.
 */
bool ttrec_park_broken(struct ttrec_park *park)
{
	return READ_ONCE(park->nr_left) != 0;
}

/**
 * ttrec_park_nr_parked() - number of parked threads.
 * @park: a park from ttrec_park_group().
 *
 * Return: the count.
 */
unsigned int ttrec_park_nr_parked(struct ttrec_park *park)
{
	return READ_ONCE(park->nr_parked);
}

/**
 * ttrec_park_id() - the park's id, as the ttrec_park tracepoint gives it.
 * @park: a park from ttrec_park_group().
 *
 * Return: the id, unique while the module stays loaded.
 */
u64 ttrec_park_id(struct ttrec_park *park)
{
	return park->id;
}

/**
 * ttrec_park_any_task() - a parked thread of the group: the leader when it
 * is parked.
 * @park: a park from ttrec_park_group().
 *
 * Return: a parked task (a reference held by the park, valid until
 * ttrec_park_release()); it cannot exec or leave user space meanwhile.
 */
struct task_struct *ttrec_park_any_task(struct ttrec_park *park)
{
	struct ttrec_park_thread *t;
	struct task_struct *task = NULL;

	spin_lock_irq(&park->lock);
	list_for_each_entry(t, &park->threads, node) {
		if (t->status != TTREC_PARK_PARKED)
			continue;
		if (!task || thread_group_leader(t->task))
			task = t->task;
		if (thread_group_leader(task))
			break;
	}
	spin_unlock_irq(&park->lock);
	return task;
}

/**
 * ttrec_park_for_each() - call @fn on each parked thread.
 * @park: a park from ttrec_park_group(), before ttrec_park_take_states().
 * @fn: called with the thread's task and state, without any lock held, so
 *	it may sleep; a non-zero return stops the walk.
 * @arg: passed to @fn.
 *
 * Parker only: only the parker adds to the list, and a thread's state stays
 * the park's until ttrec_park_take_states(). A thread killed meanwhile is
 * still visited (its task is referenced); ttrec_park_broken() tells.
 *
 * Return: 0, or the first non-zero return of @fn.
 */
int ttrec_park_for_each(struct ttrec_park *park,
			int (*fn)(struct task_struct *t,
				  struct ttrec_thread_state *ts, void *arg),
			void *arg)
{
	struct ttrec_park_thread *t;
	int ret;

	list_for_each_entry(t, &park->threads, node) {
		if (READ_ONCE(t->status) == TTREC_PARK_QUEUED || !t->ts)
			continue;
		ret = fn(t->task, t->ts, arg);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * ttrec_park_take_states() - move the parked threads' states out.
 * @park: a park from ttrec_park_group().
 * @states: array for at most @max states; the caller owns them after.
 * @max: its size.
 *
 * Return: number of states stored.
 */
int ttrec_park_take_states(struct ttrec_park *park,
			   struct ttrec_thread_state **states,
			   unsigned int max)
{
	struct ttrec_park_thread *t;
	unsigned int n = 0;

	spin_lock_irq(&park->lock);
	list_for_each_entry(t, &park->threads, node) {
		if (t->status != TTREC_PARK_PARKED || !t->ts || n >= max)
			continue;
		states[n++] = t->ts;
		t->ts = NULL;
	}
	spin_unlock_irq(&park->lock);
	return n;
}

/**
 * ttrec_park_release() - let every parked thread go and drop the park.
 * @park: a park from ttrec_park_group().
 * @pause_ns: if not NULL, set to the time since the first park request.
 */
void ttrec_park_release(struct ttrec_park *park, u64 *pause_ns)
{
	spin_lock_irq(&park->lock);
	park->released = true;
	spin_unlock_irq(&park->lock);
	wake_up_all(&park->wq);
	if (pause_ns)
		*pause_ns = ktime_get_ns() - park->start_ns;
	mutex_unlock(&ttrec_park_mutex);
	ttrec_park_put(park);
}
