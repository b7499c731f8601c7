// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec: the process state of a snapshot, besides memory and registers
 * (TTREC_FEATURE_SNAP_STATE): each thread's own state (notes added to its
 * TTREC_IOC_SNAP_THREADS record) and the process's (TTREC_IOC_SNAP_PROC);
 * the descriptor table is fds.c's.
 *
 * ttrec_state_capture() runs in the parker (the caller of
 * TTREC_IOC_SNAPSHOT) once every thread is parked and before the memory is
 * locked: it may sleep, and it takes locks that must not nest inside the
 * mmap lock (fds.c takes pipe mutexes). The parked threads hold no lock
 * and run no code, so what only they change (alternate stacks, robust
 * lists, rseq, signal actions, limits, the memory layout fields) is
 * stable; what others may change (signals sent to the target, a killed
 * thread's exit) is read under the lock that orders it:
 *  - sighand->siglock (ttrec_lock_task_sighand()): pending signals and
 *    their queues, signal actions, itimers, the controlling terminal,
 *    POSIX timers;
 *  - task_lock(leader): the resource limits (as do_prlimit());
 *  - task_lock(task) then fs->lock (get_fs_pwd()): cwd, root, umask;
 *  - mmap_read_lock(mm), mm->arg_lock inside it: the layout fields and the
 *    saved auxv (as prctl_set_mm_map() writes them);
 *  - get_task_cred(): the credentials (RCU).
 * No two of these are held at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fs_struct.h>
#include <linux/futex.h>
#include <linux/hrtimer.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/posix-timers.h>
#include <linux/time.h>
#include <linux/resource.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <asm/ptrace.h>
#include <asm/user.h>
#include <linux/elf.h>

#include "compat.h"
#include "snapshot.h"
#include "state.h"

/* Queued signals recorded per queue at most (a queue is bounded by
 * RLIMIT_SIGPENDING). */
#define TTREC_MAX_SIGINFO	65536

/* ------------------------------------------------------------- streams */

/**
 * ttrec_sbuf_free() - free a stream.
 * @b: the stream; left empty.
 */
void ttrec_sbuf_free(struct ttrec_sbuf *b)
{
	kvfree(b->p);
	memset(b, 0, sizeof(*b));
}

/**
 * ttrec_sbuf_append() - room for @len more bytes at the end of a stream.
 * @b: the stream.
 * @len: bytes; the room is zeroed.
 *
 * Return: the room, or NULL (and @b->err set) when out of memory.
 */
void *ttrec_sbuf_append(struct ttrec_sbuf *b, size_t len)
{
	void *room;

	if (b->err)
		return NULL;
	if (len > b->cap - b->len) {
		size_t cap = max_t(size_t, b->cap, 4096);
		u8 *p;

		while (cap - b->len < len) {
			if (check_mul_overflow(cap, (size_t)2, &cap)) {
				b->err = -ENOMEM;
				return NULL;
			}
		}
		p = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
		if (!p) {
			b->err = -ENOMEM;
			return NULL;
		}
		if (b->len)
			memcpy(p, b->p, b->len);
		kvfree(b->p);
		b->p = p;
		b->cap = cap;
	}
	room = b->p + b->len;
	memset(room, 0, len);
	b->len += len;
	return room;
}

/**
 * ttrec_sbuf_note() - append a note: header, @len bytes, padding to 8.
 * @b: the stream; its count goes up by one.
 * @type: TTREC_NT_*.
 * @data: the data (@len bytes).
 * @len: its size; at most U32_MAX.
 */
void ttrec_sbuf_note(struct ttrec_sbuf *b, u32 type, const void *data,
		     size_t len)
{
	struct ttrec_snap_note *n;
	u8 *room;

	if (len > U32_MAX - 8) {
		b->err = -EOVERFLOW;
		return;
	}
	room = ttrec_sbuf_append(b, sizeof(*n) + ALIGN(len, 8));
	if (!room)
		return;
	n = (struct ttrec_snap_note *)room;
	n->type = type;
	n->size = len;
	memcpy(room + sizeof(*n), data, len);
	b->count++;
}

/* ------------------------------------------------------------- signals */

/*
 * The siginfo of every signal on @pending, as TTREC_NT_SIGINFO notes, and
 * its set of pending signals. The queue may change between the count and
 * the copy (a signal sent meanwhile): try again with the new count, up to
 * three times. Sets *@truncated when not all are recorded.
 */
static int ttrec_state_siginfo(struct ttrec_sbuf *b, struct task_struct *t,
			       bool shared, u64 *set, bool *truncated)
{
	kernel_siginfo_t *copy = NULL;
	unsigned int want = 16, n, total, i, tries;
	siginfo_t *ext;
	int ret = 0;

	*set = 0;
	ext = kmalloc(sizeof(*ext), GFP_KERNEL);
	if (!ext)
		return -ENOMEM;
	for (tries = 0; ; tries++) {
		struct sighand_struct *sighand;
		struct sigpending *pending;
		struct sigqueue *q;
		unsigned long flags;

		kvfree(copy);
		copy = kvmalloc_array(want, sizeof(*copy), GFP_KERNEL);
		if (!copy) {
			ret = -ENOMEM;
			goto out;
		}
		n = 0;
		total = 0;
		sighand = ttrec_lock_task_sighand(t, &flags);
		if (!sighand)
			break;		/* released: no signals */
		pending = shared ? &t->signal->shared_pending : &t->pending;
		*set = pending->signal.sig[0];
		list_for_each_entry(q, &pending->list, list) {
			if (n < want)
				copy[n++] = q->info;
			total++;
		}
		unlock_task_sighand(t, &flags);
		if (total <= want || want >= TTREC_MAX_SIGINFO || tries >= 2)
			break;
		want = min_t(unsigned int, total + 16, TTREC_MAX_SIGINFO);
	}
	if (total > n)
		*truncated = true;
	for (i = 0; i < n; i++) {
		copy_siginfo_to_external(ext, &copy[i]);
		ttrec_sbuf_note(b, TTREC_NT_SIGINFO, ext, sizeof(*ext));
	}
	ret = b->err;
out:
	kvfree(copy);
	kfree(ext);
	return ret;
}

/* ------------------------------------------------------------- threads */

/*
 * The user stack pointer of a parked thread, from the registers it
 * recorded about itself (its pt_regs live on its kernel stack, which is
 * freed once a killed thread has exited, while the park still holds the
 * task_struct). 0 when there is no NT_PRSTATUS note.
 */
static unsigned long ttrec_thread_sp(const struct ttrec_thread_state *ts)
{
	u32 i;

	for (i = 0; i < ts->nr_notes; i++)
		if (ts->notes[i].type == NT_PRSTATUS &&
		    ts->notes[i].size >= sizeof(struct user_regs_struct))
			return ((struct user_regs_struct *)ts->notes[i].data)->sp;
	return 0;
}

/* sigaltstack()'s ss_flags for @t, as do_sigaltstack() reports them. */
static u32 ttrec_sas_flags(struct task_struct *t, unsigned long sp)
{
	u32 flags = t->sas_ss_flags;

	if (!t->sas_ss_size)
		return flags | SS_DISABLE;
	/* on_sig_stack(), for @t; it cannot tell with SS_AUTODISARM */
	if (!(t->sas_ss_flags & SS_AUTODISARM) && sp > t->sas_ss_sp &&
	    sp - t->sas_ss_sp <= t->sas_ss_size)
		flags |= SS_ONSTACK;
	return flags;
}

/* What ttrec_state_capture() passes to ttrec_state_thread(). */
struct ttrec_state_ctx {
	bool pending_truncated;
};

/*
 * A parked thread's own state into its notes: @ts gets ->state
 * (TTREC_NT_THREAD, then TTREC_NT_SIGINFO notes). Called for each parked
 * thread @t (referenced by the park) through ttrec_park_for_each().
 */
static int ttrec_state_thread(struct task_struct *t,
			      struct ttrec_thread_state *ts, void *arg)
{
	struct ttrec_state_ctx *ctx = arg;
	struct ttrec_snap_tstate st;
	struct ttrec_sbuf sig = { 0 }, b = { 0 };
	bool guessed, truncated = false;
	int ret;

	BUILD_BUG_ON(sizeof(st) != TTREC_SNAP_TSTATE_SIZE_VER0);
	memset(&st, 0, sizeof(st));
	st.sas_sp = t->sas_ss_sp;
	st.sas_size = t->sas_ss_size;
	st.sas_flags = ttrec_sas_flags(t, ttrec_thread_sp(ts));
	st.pdeath_signal = t->pdeath_signal;
	st.clear_child_tid = (unsigned long)t->clear_child_tid;
#ifdef CONFIG_FUTEX
	st.robust_list = (unsigned long)t->robust_list;
#endif
	/* get_robust_list() reports this length whatever the head */
	st.robust_list_len = sizeof(struct robust_list_head);
	st.rseq_len = ttrec_task_rseq_len(t, &guessed);
#ifdef CONFIG_RSEQ
	st.rseq = (unsigned long)t->rseq;
	st.rseq_sig = t->rseq_sig;
#endif
	if (guessed)
		st.flags |= TTREC_TSTATE_RSEQ_LEN_GUESSED;
#ifdef CONFIG_SECCOMP
	st.seccomp_mode = READ_ONCE(t->seccomp.mode);
#endif
	st.timer_slack_ns = t->timer_slack_ns;
	__get_task_comm(st.comm, sizeof(st.comm), t);

	ret = ttrec_state_siginfo(&sig, t, false, &st.pending, &truncated);
	if (ret)
		goto out;
	ttrec_sbuf_note(&b, TTREC_NT_THREAD, &st, sizeof(st));
	if (sig.len && ttrec_sbuf_append(&b, sig.len))
		memcpy(b.p + b.len - sig.len, sig.p, sig.len);
	ret = b.err;
	if (ret)
		goto out;
	ts->state = b.p;
	ts->state_len = b.len;
	ts->state_notes = 1 + sig.count;
	if (truncated)
		ctx->pending_truncated = true;
	b.p = NULL;
out:
	ttrec_sbuf_free(&b);
	ttrec_sbuf_free(&sig);
	return ret;
}

/* ------------------------------------------------------------- process */

/*
 * ITIMER_VIRTUAL or ITIMER_PROF (@clock: CPUCLOCK_VIRT, CPUCLOCK_PROF) as
 * get_cpu_itimer() computes it, siglock held: the expiry is in process CPU
 * time, sampled from the thread group's cputimer, which runs while such a
 * timer is armed (thread_group_sample_cputime() is not exported; its
 * samples are these atomics).
 */
static void ttrec_state_cpu_itimer(struct signal_struct *sig, int clock,
				   struct ttrec_itimer *it)
{
	struct task_cputime_atomic *at = &sig->cputimer.cputime_atomic;
	u64 val = sig->it[clock].expires;

	it->interval_ns = sig->it[clock].incr;
	if (val && READ_ONCE(sig->posix_cputimers.timers_active)) {
		u64 t = atomic64_read(&at->utime);

		if (clock == CPUCLOCK_PROF)
			t += atomic64_read(&at->stime);
		val = val <= t ? TICK_NSEC : val - t;
	}
	it->value_ns = val;
}

/* Under siglock: the signal actions, terminal, itimers and the like. */
static int ttrec_state_signal(struct task_struct *task,
			      struct task_struct *leader,
			      struct ttrec_snap_proc *p,
			      struct ttrec_sigaction *act)
{
	struct signal_struct *sig = task->signal;
	struct sighand_struct *sighand;
	struct hrtimer *real = &sig->real_timer;
	unsigned long flags;
	ktime_t rem;
	int i;

	BUILD_BUG_ON(_NSIG != 64);
	sighand = ttrec_lock_task_sighand(task, &flags);
	if (!sighand)
		return -ESRCH;
	for (i = 0; i < _NSIG; i++) {
		const struct sigaction *sa = &sighand->action[i].sa;

		act[i].handler = (unsigned long)sa->sa_handler;
		act[i].flags = sa->sa_flags;
		act[i].restorer = (unsigned long)sa->sa_restorer;
		act[i].mask = sa->sa_mask.sig[0];
	}
	if (sig->tty) {
		struct pid *pgrp = tty_get_pgrp(sig->tty);

		p->tty_nr = new_encode_dev(tty_devnum(sig->tty));
		p->tty_pgrp = pid_vnr(pgrp);
		put_pid(pgrp);
	}
	/* ITIMER_REAL as itimer_get_remtime() computes it */
	rem = __hrtimer_get_remaining(real, true);
	if (hrtimer_active(real))
		p->itimer[ITIMER_REAL].value_ns = rem <= 0 ? NSEC_PER_USEC : rem;
	p->itimer[ITIMER_REAL].interval_ns = ktime_to_ns(sig->it_real_incr);
	ttrec_state_cpu_itimer(sig, CPUCLOCK_VIRT, &p->itimer[ITIMER_VIRTUAL]);
	ttrec_state_cpu_itimer(sig, CPUCLOCK_PROF, &p->itimer[ITIMER_PROF]);
	p->exit_signal = READ_ONCE(leader->exit_signal);
	if (sig->is_child_subreaper)
		p->flags |= TTREC_PROC_CHILD_SUBREAPER;
	p->oom_score_adj = sig->oom_score_adj;
	unlock_task_sighand(task, &flags);
	return 0;
}

/*
 * One timer_create() timer, siglock held (timer creation and deletion take
 * it; a timer's it_lock nests outside siglock, as posix_timer_fn() takes
 * it before it sends its signal, so it is not taken here: its fields are
 * read as /proc/PID/timers reads them). The time left is known for the
 * clocks whose timers are hrtimers (realtime, monotonic, boottime, TAI),
 * as common_timer_get() reads it (SIGEV_NONE timers too: their hrtimer
 * holds the expiry but is never started).
 */
static void ttrec_state_timer(struct k_itimer *timer, struct ttrec_posix_timer *t)
{
	memset(t, 0, sizeof(*t));
	t->id = timer->it_id;
	t->clockid = timer->it_clock;
	t->notify = timer->it_sigev_notify;
	if (timer->sigq) {
		t->signo = timer->sigq->info.si_signo;
		t->value = (unsigned long)timer->sigq->info.si_value.sival_ptr;
	}
	t->target = pid_vnr(timer->it_pid);
	t->interval_ns = ktime_to_ns(timer->it_interval);
	switch (timer->it_clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI: {
		struct hrtimer *h = &timer->it.real.timer;
		ktime_t rem = __hrtimer_get_remaining(h, true);

		if (hrtimer_active(h)) {
			t->value_ns = rem > 0 ? rem : 1;
		} else if (timer->it_sigev_notify == SIGEV_NONE) {
			/*
			 * Never queued: its expiry is kept in the hrtimer,
			 * moved on by whole intervals, as common_timer_get()
			 * reads it; 0 once a one-shot one has expired.
			 */
			if (rem <= 0 && t->interval_ns)
				rem = t->interval_ns - (u64)(-rem) % t->interval_ns;
			t->value_ns = rem > 0 ? rem : 0;
		}
		break;
	}
	default:
		t->flags |= TTREC_PTIMER_VALUE_UNKNOWN;
	}
}

/*
 * The process's timer_create() timers as TTREC_NT_POSIX_TIMER notes;
 * *@nr gets how many. The list may change between the count and the
 * copy: up to three tries.
 */
static int ttrec_state_timers(struct task_struct *task, struct ttrec_sbuf *b,
			      u32 *nr)
{
	struct ttrec_posix_timer *v = NULL;
	unsigned int cap = 0, n = 0, total, tries, i;
	int ret = 0;

	for (tries = 0; ; tries++) {
		struct sighand_struct *sighand;
		struct k_itimer *timer;
		unsigned long flags;

		n = 0;
		total = 0;
		sighand = ttrec_lock_task_sighand(task, &flags);
		if (!sighand)
			break;
		ttrec_for_each_posix_timer(timer, task->signal) {
			if (n < cap)
				ttrec_state_timer(timer, &v[n++]);
			total++;
		}
		unlock_task_sighand(task, &flags);
		if (total <= cap || tries >= 2)
			break;
		kvfree(v);
		cap = total + 8;
		v = kvcalloc(cap, sizeof(*v), GFP_KERNEL);
		if (!v)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		ttrec_sbuf_note(b, TTREC_NT_POSIX_TIMER, &v[i], sizeof(v[i]));
	*nr = total;
	kvfree(v);
	ret = b->err;
	return ret;
}

/* The credentials, in the caller's user namespace; *@groups kvmalloc'd. */
static int ttrec_state_creds(struct task_struct *task,
			     struct ttrec_snap_proc *p, u32 **groups,
			     u32 *nr_groups)
{
	struct user_namespace *ns = current_user_ns();
	const struct cred *cred = get_task_cred(task);
	const struct group_info *gi = cred->group_info;
	int i, ret = 0;

	p->uid = from_kuid_munged(ns, cred->uid);
	p->euid = from_kuid_munged(ns, cred->euid);
	p->suid = from_kuid_munged(ns, cred->suid);
	p->fsuid = from_kuid_munged(ns, cred->fsuid);
	p->gid = from_kgid_munged(ns, cred->gid);
	p->egid = from_kgid_munged(ns, cred->egid);
	p->sgid = from_kgid_munged(ns, cred->sgid);
	p->fsgid = from_kgid_munged(ns, cred->fsgid);
	p->securebits = cred->securebits;
	p->cap_inheritable = ttrec_cap_u64(cred->cap_inheritable);
	p->cap_permitted = ttrec_cap_u64(cred->cap_permitted);
	p->cap_effective = ttrec_cap_u64(cred->cap_effective);
	p->cap_bset = ttrec_cap_u64(cred->cap_bset);
	p->cap_ambient = ttrec_cap_u64(cred->cap_ambient);
	*nr_groups = 0;
	*groups = NULL;
	if (gi && gi->ngroups) {
		*groups = kvmalloc_array(gi->ngroups, sizeof(u32), GFP_KERNEL);
		if (!*groups) {
			ret = -ENOMEM;
			goto out;
		}
		for (i = 0; i < gi->ngroups; i++)
			(*groups)[i] = from_kgid_munged(ns, gi->gid[i]);
		*nr_groups = gi->ngroups;
	}
out:
	put_cred(cred);
	return ret;
}

/*
 * The memory layout fields, saved auxv (*@nr_auxv pairs into @auxv, which
 * has room for AT_VECTOR_SIZE words) and the executable (*@exe, a
 * reference). No mm (exiting): all zero.
 */
static int ttrec_state_mm(struct task_struct *task, struct ttrec_snap_proc *p,
			  u64 *auxv, u32 *nr_auxv, struct file **exe)
{
	struct mm_struct *mm = get_task_mm(task);
	unsigned int i;

	*nr_auxv = 0;
	*exe = NULL;
	if (!mm)
		return 0;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	spin_lock(&mm->arg_lock);
	p->start_code = mm->start_code;
	p->end_code = mm->end_code;
	p->start_data = mm->start_data;
	p->end_data = mm->end_data;
	p->start_brk = mm->start_brk;
	p->brk = mm->brk;
	p->start_stack = mm->start_stack;
	p->arg_start = mm->arg_start;
	p->arg_end = mm->arg_end;
	p->env_start = mm->env_start;
	p->env_end = mm->env_end;
	for (i = 0; i + 1 < AT_VECTOR_SIZE; i += 2) {
		auxv[i] = mm->saved_auxv[i];
		auxv[i + 1] = mm->saved_auxv[i + 1];
		if (auxv[i] == AT_NULL)
			break;
	}
	*nr_auxv = min_t(u32, i / 2 + 1, AT_VECTOR_SIZE / 2);
	spin_unlock(&mm->arg_lock);
	p->dumpable = get_dumpable(mm);
	if (test_bit(MMF_DISABLE_THP, &mm->flags))
		p->flags |= TTREC_PROC_THP_DISABLED;
	mmap_read_unlock(mm);
	*exe = ttrec_get_mm_exe_file(mm);
	mmput(mm);
	return 0;
}

/* @path as a note of @type; nothing when it has no name that fits. */
static void ttrec_state_path(struct ttrec_sbuf *b, u32 type,
			     const struct path *path, char *buf)
{
	char *s = d_path(path, buf, PATH_MAX);

	if (!IS_ERR(s))
		ttrec_sbuf_note(b, type, s, strlen(s) + 1);
}

/* ttrec_park_for_each(): does a parked thread have an fs_struct of its own? */
static int ttrec_state_fs_shared(struct task_struct *t,
				 struct ttrec_thread_state *ts, void *arg)
{
	struct fs_struct *fs = arg;
	struct fs_struct *mine;

	task_lock(t);
	mine = t->fs;
	task_unlock(t);
	return mine && mine != fs;
}

/*
 * The process stream (TTREC_IOC_SNAP_PROC) of @task, a parked thread (the
 * leader when it is parked), into snap->proc.
 */
static int ttrec_state_proc(struct ttrec_snap *snap, struct ttrec_park *park,
			    struct task_struct *task, bool pending_truncated)
{
	struct ttrec_sbuf b = { 0 }, sig = { 0 };
	struct ttrec_sigaction *act = NULL;
	struct ttrec_snap_proc *p = NULL;
	struct path pwd = { }, root = { };
	struct fs_struct *fs;
	struct task_struct *leader = NULL;
	struct file *exe = NULL;
	u64 *auxv = NULL;
	u32 *groups = NULL, nr_groups = 0, nr_auxv = 0;
	char *pathbuf = NULL;
	bool truncated = false;
	int i, ret = -ENOMEM;

	BUILD_BUG_ON(sizeof(*p) != TTREC_SNAP_PROC_SIZE_VER0);
	BUILD_BUG_ON(ARRAY_SIZE(p->rlim) != RLIM_NLIMITS);
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	act = kcalloc(_NSIG, sizeof(*act), GFP_KERNEL);
	auxv = kcalloc(AT_VECTOR_SIZE, sizeof(*auxv), GFP_KERNEL);
	pathbuf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!p || !act || !auxv || !pathbuf)
		goto out;

	/*
	 * The leader, referenced: @task may be another thread, and a group
	 * whose threads are all killed meanwhile may be reaped, leader and
	 * all, while the park holds only its parked threads.
	 */
	leader = get_pid_task(snap->pid, PIDTYPE_TGID);
	if (!leader) {
		ret = -ESRCH;
		goto out;
	}
	p->pid = task_tgid_vnr(task);
	rcu_read_lock();
	if (pid_alive(task))
		p->ppid = task_tgid_vnr(rcu_dereference(task->real_parent));
	rcu_read_unlock();
	p->pgid = task_pgrp_vnr(task);
	p->sid = task_session_vnr(task);
	p->personality = task->personality;
	__get_task_comm(p->comm, sizeof(p->comm), leader);
	if (task_no_new_privs(task))
		p->flags |= TTREC_PROC_NO_NEW_PRIVS;

	ret = ttrec_state_signal(task, leader, p, act);
	if (ret)
		goto out;
	ret = ttrec_state_siginfo(&sig, task, true, &p->shared_pending,
				  &truncated);
	if (!ret)
		ret = ttrec_state_timers(task, &sig, &p->nr_posix_timers);
	if (ret)
		goto out;
	if (truncated || pending_truncated)
		p->flags |= TTREC_PROC_PENDING_TRUNCATED;

	/* as do_prlimit(): under the leader's task_lock */
	task_lock(leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		p->rlim[i].cur = task->signal->rlim[i].rlim_cur;
		p->rlim[i].max = task->signal->rlim[i].rlim_max;
	}
	task_unlock(leader);

	ret = ttrec_state_creds(task, p, &groups, &nr_groups);
	if (ret)
		goto out;

	task_lock(task);
	fs = task->fs;
	if (fs) {
		get_fs_pwd(fs, &pwd);
		get_fs_root(fs, &root);
		p->umask = READ_ONCE(fs->umask);
	}
	task_unlock(task);
	if (fs && ttrec_park_for_each(park, ttrec_state_fs_shared, fs))
		p->flags |= TTREC_PROC_FS_UNSHARED;

	ret = ttrec_state_mm(task, p, auxv, &nr_auxv, &exe);
	if (ret)
		goto out;
	if (exe) {
		struct inode *inode = file_inode(exe);

		p->exe_dev = huge_encode_dev(inode->i_sb->s_dev);
		p->exe_ino = inode->i_ino;
	}

	ttrec_sbuf_note(&b, TTREC_NT_PROC, p, sizeof(*p));
	ttrec_sbuf_note(&b, TTREC_NT_SIGACTIONS, act, _NSIG * sizeof(*act));
	if (nr_auxv)
		ttrec_sbuf_note(&b, TTREC_NT_AUXV, auxv, nr_auxv * 2 * sizeof(u64));
	if (nr_groups)
		ttrec_sbuf_note(&b, TTREC_NT_GROUPS, groups, nr_groups * sizeof(u32));
	if (exe)
		ttrec_state_path(&b, TTREC_NT_EXE, &exe->f_path, pathbuf);
	if (pwd.dentry)
		ttrec_state_path(&b, TTREC_NT_CWD, &pwd, pathbuf);
	if (root.dentry)
		ttrec_state_path(&b, TTREC_NT_ROOT, &root, pathbuf);
	if (sig.len && ttrec_sbuf_append(&b, sig.len)) {
		memcpy(b.p + b.len - sig.len, sig.p, sig.len);
		b.count += sig.count;
	}
	ret = b.err;
	if (ret)
		goto out;
	snap->proc = b.p;
	snap->proc_len = b.len;
	snap->proc_notes = b.count;
	b.p = NULL;
out:
	if (leader)
		put_task_struct(leader);
	if (exe)
		fput(exe);
	if (pwd.dentry)
		path_put(&pwd);
	if (root.dentry)
		path_put(&root);
	ttrec_sbuf_free(&b);
	ttrec_sbuf_free(&sig);
	kvfree(groups);
	kfree(pathbuf);
	kfree(auxv);
	kfree(act);
	kfree(p);
	return ret;
}

/**
 * ttrec_state_capture() - read the process state of a parked thread group.
 * @snap: the snapshot being taken; gets its proc and fds streams, and each
 *	  parked thread's state its notes.
 * @park: the park, every thread parked; called before
 *	  ttrec_park_take_states() and before the memory is locked.
 *
 * Return: 0, or -ENOMEM, -EINTR (fatal signal to the caller), -ESRCH (the
 * target is gone: no parked thread left).
 */
int ttrec_state_capture(struct ttrec_snap *snap, struct ttrec_park *park)
{
	struct ttrec_state_ctx ctx = { 0 };
	struct task_struct *task = ttrec_park_any_task(park);
	int ret;

	if (!task)
		return -ESRCH;
	ret = ttrec_park_for_each(park, ttrec_state_thread, &ctx);
	if (!ret)
		ret = ttrec_state_proc(snap, park, task, ctx.pending_truncated);
	if (!ret)
		ret = ttrec_state_fds(snap, park, task);
	if (!ret && fatal_signal_pending(current))
		ret = -EINTR;
	return ret;
}

/* ------------------------------------------------------------- ioctls */

/* Copy @len bytes of a stream out, as TTREC_IOC_SNAP_THREADS does. */
static long ttrec_state_copy_out(const void *stream, size_t len, u64 ubuf,
				 u64 usize)
{
	if (!usize)
		return 0;
	if (usize < len)
		return -ENOSPC;
	if (len && copy_to_user(u64_to_user_ptr(ubuf), stream, len))
		return -EFAULT;
	return len;
}

/**
 * ttrec_snap_ioc_proc() - TTREC_IOC_SNAP_PROC on a snapshot fd.
 * @snap: the snapshot.
 * @uarg: user pointer to struct ttrec_snap_proc_args.
 * @usize: its size from the ioctl number.
 *
 * Return: bytes written, or a negative errno (see the uapi header).
 */
long ttrec_snap_ioc_proc(struct ttrec_snap *snap, void __user *uarg,
			 size_t usize)
{
	struct ttrec_snap_proc_args args;
	long ret;
	int err;

	err = ttrec_copy_args(&args, sizeof(args),
			      TTREC_SNAP_PROC_ARGS_SIZE_VER0, uarg, usize);
	if (err)
		return err;
	if (args.flags)
		return -EINVAL;
	ret = ttrec_state_copy_out(snap->proc, snap->proc_len, args.buf,
				   args.size);
	args.nr_notes = snap->proc_notes;
	args.needed = snap->proc_len;
	if (copy_to_user(uarg, &args, sizeof(args)))
		return -EFAULT;
	return ret;
}

/**
 * ttrec_snap_ioc_fds() - TTREC_IOC_SNAP_FDS on a snapshot fd.
 * @snap: the snapshot.
 * @uarg: user pointer to struct ttrec_snap_fds_args.
 * @usize: its size from the ioctl number.
 *
 * Return: bytes written, or a negative errno (see the uapi header).
 */
long ttrec_snap_ioc_fds(struct ttrec_snap *snap, void __user *uarg,
			size_t usize)
{
	struct ttrec_snap_fds_args args;
	long ret;
	int err;

	err = ttrec_copy_args(&args, sizeof(args),
			      TTREC_SNAP_FDS_ARGS_SIZE_VER0, uarg, usize);
	if (err)
		return err;
	if (args.flags)
		return -EINVAL;
	ret = ttrec_state_copy_out(snap->fds, snap->fds_len, args.buf,
				   args.size);
	args.nr_fds = snap->nr_fds;
	args.needed = snap->fds_len;
	args.total = snap->fds_total;
	args.state = snap->fds_state;
	if (copy_to_user(uarg, &args, sizeof(args)))
		return -EFAULT;
	return ret;
}
