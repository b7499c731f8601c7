// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec: the descriptor table of a snapshot (TTREC_IOC_SNAP_FDS).
 *
 * Called by the parker with every thread parked, before the memory is
 * locked. Two passes:
 *  1. the table is walked with iterate_fd() under task_lock() (exit_files()
 *     clears task->files and drops the table under it, so the table lives
 *     as long as the lock is held; iterate_fd() takes files->file_lock
 *     inside it): each open file gets a reference and its FD_CLOEXEC bit is
 *     read from the fdtable. Nothing may sleep there, so the array is sized
 *     by a counting walk first (the table cannot grow meanwhile: its threads
 *     are parked; should an io_uring worker install a descriptor, the walk
 *     is retried);
 *  2. each file is described with no spinlock held: d_path(), the inode's
 *     identity, and by kind what fs/ lets a module reach. Pipe contents
 *     are copied from the pipe's buffers under pipe_lock() (after each
 *     buffer's ->confirm(), as pipe_read() does), leaving them in the pipe.
 *     The contexts of eventfd, timerfd, signalfd and epoll files are
 *     private to fs/: their own show_fdinfo() (what /proc/PID/fdinfo shows)
 *     is called into a seq_file of ours and its text parsed. Sockets are
 *     read through their struct sock and kernel_getsockname()/
 *     kernel_getpeername(); a unix socket's peer with unix_peer_get().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/kdev_t.h>
#include <linux/magic.h>
#include <linux/major.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/xarray.h>
#include <net/af_unix.h>
#include <net/sock.h>

#include "compat.h"
#include "snapshot.h"
#include "state.h"

unsigned int ttrec_max_snapshot_fds = 65536;
module_param_named(max_snapshot_fds, ttrec_max_snapshot_fds, uint, 0644);
MODULE_PARM_DESC(max_snapshot_fds,
		 "descriptors a snapshot records at most (the lowest)");

unsigned long ttrec_max_snapshot_fd_data = 64UL << 20;
module_param_named(max_snapshot_fd_data, ttrec_max_snapshot_fd_data, ulong,
		   0644);
MODULE_PARM_DESC(max_snapshot_fd_data,
		 "bytes of pipe contents and fdinfo a snapshot records at most");

/* fdinfo text kept for a TTREC_FD_OTHER file, and parsed at most. */
#define TTREC_FDINFO_OTHER_MAX	(64U << 10)
#define TTREC_FDINFO_PARSE_MAX	(16U << 20)

/* One descriptor of the table, referenced by the first pass. */
struct ttrec_fd_ref {
	struct file *file;
	unsigned int fd;
	bool cloexec;
};

/* The first pass, under task_lock() and files->file_lock. */
struct ttrec_fd_walk {
	struct files_struct *files;
	struct ttrec_fd_ref *refs;
	unsigned int n, cap, total;
};

/* The second pass: the stream being built. */
struct ttrec_fds_ctx {
	struct ttrec_sbuf b;
	size_t rec;			/* offset of the current record */
	char *pathbuf;			/* PATH_MAX */
	struct xarray pipes;		/* pipe inode -> xa_mk_value(data fd) */
	unsigned long data_left;	/* of max_snapshot_fd_data */
	bool data_truncated;
};

static int ttrec_fd_collect(const void *arg, struct file *file,
			    unsigned int fd)
{
	struct ttrec_fd_walk *w = (struct ttrec_fd_walk *)arg;

	w->total++;
	if (w->n < w->cap) {
		struct ttrec_fd_ref *r = &w->refs[w->n++];

		r->file = get_file(file);
		r->fd = fd;
		r->cloexec = test_bit(fd, files_fdtable(w->files)->close_on_exec);
	}
	return 0;
}

/* One walk of @task's table; false when it has none. */
static bool ttrec_fd_walk_once(struct task_struct *task,
			       struct ttrec_fd_walk *w)
{
	task_lock(task);
	w->files = task->files;
	w->n = 0;
	w->total = 0;
	if (w->files)
		iterate_fd(w->files, 0, ttrec_fd_collect, w);
	task_unlock(task);
	return w->files;
}

static void ttrec_fd_put_refs(struct ttrec_fd_walk *w)
{
	unsigned int i;

	for (i = 0; i < w->n; i++)
		fput(w->refs[i].file);
	kvfree(w->refs);
	w->refs = NULL;
	w->n = 0;
}

/* ttrec_park_for_each(): does a parked thread have a table of its own? */
static int ttrec_fd_table_shared(struct task_struct *t,
				 struct ttrec_thread_state *ts, void *arg)
{
	struct files_struct *mine;

	task_lock(t);
	mine = t->files;
	task_unlock(t);
	return mine && mine != arg;
}

/* ------------------------------------------------------------- records */

static struct ttrec_snap_fd *ttrec_fd_rec(struct ttrec_fds_ctx *c)
{
	return (struct ttrec_snap_fd *)(c->b.p + c->rec);
}

/* A note of the current record. */
static void ttrec_fd_note(struct ttrec_fds_ctx *c, u32 type, const void *data,
			  size_t len)
{
	ttrec_sbuf_note(&c->b, type, data, len);
	if (!c->b.err)
		ttrec_fd_rec(c)->nr_notes++;
}

/* Charge @len bytes of data to the budget: how many fit. */
static size_t ttrec_fd_charge(struct ttrec_fds_ctx *c, size_t len)
{
	if (len > c->data_left) {
		len = c->data_left;
		c->data_truncated = true;
		ttrec_fd_rec(c)->flags |= TTREC_FDF_TRUNCATED;
	}
	c->data_left -= len;
	return len;
}

/* ------------------------------------------------------------- fdinfo */

/*
 * @f's own fdinfo lines (f_op->show_fdinfo(), as /proc/PID/fdinfo calls
 * it after its own lines) into a kvmalloc'd NUL-terminated buffer of at
 * most @max bytes; *@cut when it did not fit. NULL when the file has none
 * or memory is short.
 */
static char *ttrec_fd_fdinfo(struct file *f, size_t max, size_t *len,
			     bool *cut)
{
	size_t size = min_t(size_t, PAGE_SIZE, max);

	*cut = false;
	if (!f->f_op || !f->f_op->show_fdinfo)
		return NULL;
	for (;;) {
		struct seq_file m;

		memset(&m, 0, sizeof(m));
		mutex_init(&m.lock);
		m.size = size;
		m.buf = kvmalloc(size, GFP_KERNEL);
		if (!m.buf)
			return NULL;
		f->f_op->show_fdinfo(&m, f);
		if (!seq_has_overflowed(&m) || size >= max) {
			*cut = seq_has_overflowed(&m);
			*len = min(m.count, size - 1);
			m.buf[*len] = 0;
			return m.buf;
		}
		kvfree(m.buf);
		size = min(size * 2, max);
	}
}

/* The text as a TTREC_NT_FD_FDINFO note, within the budget. */
static void ttrec_fd_fdinfo_note(struct ttrec_fds_ctx *c, const char *text,
				 size_t len, bool cut)
{
	size_t keep = ttrec_fd_charge(c, len);
	char *copy;

	if (cut || keep < len)
		ttrec_fd_rec(c)->flags |= TTREC_FDF_TRUNCATED;
	copy = kvmalloc(keep + 1, GFP_KERNEL);
	if (!copy) {
		c->b.err = -ENOMEM;
		return;
	}
	memcpy(copy, text, keep);
	copy[keep] = 0;
	ttrec_fd_note(c, TTREC_NT_FD_FDINFO, copy, keep + 1);
	kvfree(copy);
}

/* fs/eventfd.c's eventfd_show_fdinfo(): count (hex), id, semaphore (6.12). */
static bool ttrec_fd_parse_eventfd(const char *t, struct ttrec_fd_eventfd *e)
{
	const char *l = strstr(t, "eventfd-count:");
	unsigned long long count;
	int sem;

	if (!l || sscanf(l, "eventfd-count: %llx", &count) != 1)
		return false;
	e->count = count;
	e->flags = TTREC_EVENTFD_SEMAPHORE_UNKNOWN;
	l = strstr(t, "eventfd-semaphore:");
	if (l && sscanf(l, "eventfd-semaphore: %d", &sem) == 1)
		e->flags = sem ? TTREC_EVENTFD_SEMAPHORE : 0;
	return true;
}

/* fs/timerfd.c's timerfd_show(). */
static bool ttrec_fd_parse_timerfd(const char *t, struct ttrec_fd_timerfd *tf)
{
	unsigned long long ticks, vs, vns, is, ins;
	unsigned int flags;
	int clockid;

	if (sscanf(t, "clockid: %d ticks: %llu settime flags: 0%o it_value: (%llu, %llu) it_interval: (%llu, %llu)",
		   &clockid, &ticks, &flags, &vs, &vns, &is, &ins) != 7)
		return false;
	tf->clockid = clockid;
	tf->ticks = ticks;
	tf->settime_flags = flags;
	tf->value_ns = vs * NSEC_PER_SEC + vns;
	tf->interval_ns = is * NSEC_PER_SEC + ins;
	return true;
}

/* fs/signalfd.c's signalfd_show_fdinfo(): the mask as a hex number. */
static bool ttrec_fd_parse_signalfd(const char *t, struct ttrec_fd_signalfd *s)
{
	unsigned long long mask;

	if (sscanf(t, "sigmask: %llx", &mask) != 1)
		return false;
	s->sigmask = mask;
	return true;
}

/*
 * fs/eventpoll.c's ep_show_fdinfo(): a line per item, "tfd: %8d events:
 * %8x data: %16llx  pos:%lli ino:%lx sdev:%x" (sdev: the kernel's dev_t).
 * The items into a kvmalloc'd array; false when a line does not parse.
 */
static bool ttrec_fd_parse_epoll(const char *t, struct ttrec_fd_epoll_item **out,
				 u32 *nr)
{
	struct ttrec_fd_epoll_item *items;
	const char *l;
	u32 n = 0, cap = 0;

	for (l = t; (l = strstr(l, "tfd:")); l++)
		cap++;
	*out = NULL;
	*nr = 0;
	if (!cap)
		return true;
	items = kvcalloc(cap, sizeof(*items), GFP_KERNEL);
	if (!items)
		return false;
	for (l = t; n < cap && (l = strstr(l, "tfd:")); l++) {
		long long pos;
		unsigned long long data;
		unsigned long ino;
		unsigned int events, sdev;
		int tfd;

		if (sscanf(l, "tfd: %d events: %x data: %llx pos:%lli ino:%lx sdev:%x",
			   &tfd, &events, &data, &pos, &ino, &sdev) != 6) {
			kvfree(items);
			return false;
		}
		items[n].tfd = tfd;
		items[n].events = events;
		items[n].data = data;
		items[n].ino = ino;
		items[n].dev = huge_encode_dev((dev_t)sdev);
		n++;
	}
	*out = items;
	*nr = n;
	return true;
}

/*
 * eventfd, timerfd, signalfd, epoll: their fdinfo parsed into their note;
 * the raw text instead when it does not parse (another kernel's format).
 */
static void ttrec_fd_anon(struct ttrec_fds_ctx *c, struct file *f, u32 kind)
{
	size_t len, max = kind == TTREC_FD_EPOLL ? TTREC_FDINFO_PARSE_MAX :
			  PAGE_SIZE;
	char *text;
	bool cut, ok = false;

	text = ttrec_fd_fdinfo(f, max, &len, &cut);
	if (!text)
		return;
	if (kind == TTREC_FD_EVENTFD) {
		struct ttrec_fd_eventfd e = { 0 };

		ok = ttrec_fd_parse_eventfd(text, &e);
		if (ok)
			ttrec_fd_note(c, TTREC_NT_FD_EVENTFD, &e, sizeof(e));
	} else if (kind == TTREC_FD_TIMERFD) {
		struct ttrec_fd_timerfd tf = { 0 };

		ok = ttrec_fd_parse_timerfd(text, &tf);
		if (ok)
			ttrec_fd_note(c, TTREC_NT_FD_TIMERFD, &tf, sizeof(tf));
	} else if (kind == TTREC_FD_SIGNALFD) {
		struct ttrec_fd_signalfd s = { 0 };

		ok = ttrec_fd_parse_signalfd(text, &s);
		if (ok)
			ttrec_fd_note(c, TTREC_NT_FD_SIGNALFD, &s, sizeof(s));
	} else if (kind == TTREC_FD_EPOLL) {
		struct ttrec_fd_epoll_item *items;
		u32 nr;

		ok = ttrec_fd_parse_epoll(text, &items, &nr);
		if (ok && nr) {
			size_t bytes = (size_t)nr * sizeof(*items);
			size_t keep = ttrec_fd_charge(c, bytes);

			if (cut || keep < bytes)
				ttrec_fd_rec(c)->flags |= TTREC_FDF_TRUNCATED;
			keep -= keep % sizeof(*items);
			if (keep)
				ttrec_fd_note(c, TTREC_NT_FD_EPOLL, items, keep);
		} else if (ok && cut) {
			ttrec_fd_rec(c)->flags |= TTREC_FDF_TRUNCATED;
		}
		kvfree(items);
	}
	if (!ok)
		ttrec_fd_fdinfo_note(c, text, len, cut);
	kvfree(text);
}

/* ------------------------------------------------------------- kinds */

/*
 * A pipe or a FIFO: identity, counts and, the first time this pipe is
 * seen, its buffered bytes, copied under the pipe's mutex without
 * consuming them.
 */
static void ttrec_fd_pipe(struct ttrec_fds_ctx *c, struct file *f,
			  unsigned int fd)
{
	struct inode *inode = file_inode(f);
	struct pipe_inode_info *pipe = inode->i_pipe;
	struct ttrec_fd_pipe pi = { .id = inode->i_ino, .data_fd = -1 };
	void *seen = xa_load(&c->pipes, inode->i_ino);
	unsigned int slot;
	size_t got = 0, want = 0;
	bool capture = !seen;
	u8 *data = NULL;

	if (!pipe)
		return;
#ifdef CONFIG_WATCH_QUEUE
	if (pipe->watch_queue)
		capture = false;	/* notifications, not bytes */
#endif
	pipe_lock(pipe);
	pi.capacity = pipe->max_usage * PAGE_SIZE;
	pi.readers = pipe->readers;
	pi.writers = pipe->writers;
	for (slot = pipe->tail; slot != pipe->head; slot++) {
		struct pipe_buffer *buf = &pipe->bufs[slot & (pipe->ring_size - 1)];

		pi.bytes += buf->len;
		if (buf->flags & PIPE_BUF_FLAG_PACKET)
			pi.flags |= TTREC_PIPE_PACKET;
	}
	if (capture && pi.bytes) {
		want = min_t(u64, pi.bytes, c->data_left);
		data = kvmalloc(want ? want : 1, GFP_KERNEL);
		if (!data)
			want = 0;
	}
	for (slot = pipe->tail; want && got < want && slot != pipe->head;
	     slot++) {
		struct pipe_buffer *buf = &pipe->bufs[slot & (pipe->ring_size - 1)];
		size_t n = min_t(size_t, buf->len, want - got);
		void *kaddr;

		if (pipe_buf_confirm(pipe, buf))
			break;
		kaddr = kmap_local_page(buf->page);
		memcpy(data + got, kaddr + buf->offset, n);
		kunmap_local(kaddr);
		got += n;
	}
	pipe_unlock(pipe);

	if (seen) {
		pi.data_fd = xa_to_value(seen);
	} else if (capture) {
		if (xa_err(xa_store(&c->pipes, pi.id, xa_mk_value(fd),
				    GFP_KERNEL)))
			c->b.err = -ENOMEM;
		pi.data_fd = fd;
		pi.flags |= TTREC_PIPE_DATA;
		ttrec_fd_charge(c, got);
		if (got < pi.bytes) {
			pi.flags |= TTREC_PIPE_DATA_TRUNCATED;
			ttrec_fd_rec(c)->flags |= TTREC_FDF_TRUNCATED;
			c->data_truncated = true;
		}
	}
	ttrec_fd_note(c, TTREC_NT_FD_PIPE, &pi, sizeof(pi));
	if (pi.flags & TTREC_PIPE_DATA)
		ttrec_fd_note(c, TTREC_NT_FD_PIPE_DATA, data, got);
	kvfree(data);
}

/*
 * The messages queued for reading on unix socket @sk, as
 * TTREC_NT_FD_SOCK_QUEUE: sized under the queue's lock, then copied under
 * it again (skb_copy_bits() does not sleep) into what was allocated; what
 * arrived in between is left out, as what does not fit the data budget.
 * A stream skb's bytes start after what recv() consumed of it.
 */
static void ttrec_fd_sock_queue(struct ttrec_fds_ctx *c, struct sock *sk)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	const size_t hdr = sizeof(struct ttrec_fd_sock_msg);
	bool stream = sk->sk_type == SOCK_STREAM;
	size_t need = 0, want, at = 0;
	struct sk_buff *skb;
	u8 *buf;

	spin_lock(&q->lock);
	skb_queue_walk(q, skb)
		need += hdr + ALIGN(skb->len - (stream ? UNIXCB(skb).consumed : 0), 8);
	spin_unlock(&q->lock);
	if (!need)
		return;
	want = need;
	buf = kvzalloc(want, GFP_KERNEL);
	if (!buf) {
		c->b.err = -ENOMEM;
		return;
	}
	spin_lock(&q->lock);
	skb_queue_walk(q, skb) {
		u32 off = stream ? UNIXCB(skb).consumed : 0;
		struct ttrec_fd_sock_msg m = { .len = skb->len - off };

		if (at + hdr > want)
			break;
		if (UNIXCB(skb).fp)
			m.flags |= TTREC_SOCK_MSG_FDS;
		if (at + hdr + m.len > want) {
			m.len = want - at - hdr;
			m.flags |= TTREC_SOCK_MSG_CUT;
		}
		if (m.len && skb_copy_bits(skb, off, buf + at + hdr, m.len))
			m.len = 0;
		memcpy(buf + at, &m, hdr);
		at += hdr + ALIGN(m.len, 8);
	}
	spin_unlock(&q->lock);
	/* the bytes count against the budget, the headers do not */
	want = ttrec_fd_charge(c, at);
	if (want < at) {
		/* cut at a message: what fits of the budget */
		size_t keep = 0;

		while (keep + hdr <= at) {
			struct ttrec_fd_sock_msg *m = (void *)(buf + keep);
			size_t next = keep + hdr + ALIGN(m->len, 8);

			if (next > want) {
				m->len = want > keep + hdr ? ALIGN_DOWN(want - keep - hdr, 8) : 0;
				m->flags |= TTREC_SOCK_MSG_CUT;
				keep += hdr + m->len;
				break;
			}
			keep = next;
		}
		at = keep;
	}
	if (at)
		ttrec_fd_note(c, TTREC_NT_FD_SOCK_QUEUE, buf, at);
	kvfree(buf);
}

static void ttrec_fd_socket(struct ttrec_fds_ctx *c, struct socket *sock)
{
	struct sockaddr_storage *ss;
	struct ttrec_fd_socket *s;
	struct sock *sk = sock->sk;
	int len;

	BUILD_BUG_ON(sizeof(*ss) != TTREC_SOCKADDR_MAX);
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	ss = kzalloc(sizeof(*ss), GFP_KERNEL);
	if (!s || !ss) {
		c->b.err = -ENOMEM;
		goto out;
	}
	s->type = sock->type;
	s->sock_state = sock->state;
	s->ino = SOCK_INODE(sock)->i_ino;
	if (sk) {
		s->family = sk->sk_family;
		s->protocol = sk->sk_protocol;
		s->state = READ_ONCE(sk->sk_state);
		s->shutdown = READ_ONCE(sk->sk_shutdown);
		if (s->state == TCP_LISTEN) {
			s->backlog = READ_ONCE(sk->sk_max_ack_backlog);
			s->queued = READ_ONCE(sk->sk_ack_backlog);
		}
		if (sk->sk_reuse)
			s->flags |= TTREC_SOCK_REUSEADDR;
		if (sk->sk_reuseport)
			s->flags |= TTREC_SOCK_REUSEPORT;
		if (sk->sk_family == AF_INET6 && sk->sk_ipv6only)
			s->flags |= TTREC_SOCK_V6ONLY;
		if (sk->sk_family == AF_UNIX) {
			struct sock *peer = unix_peer_get(sk);

			if (peer) {
				s->peer_ino = sock_i_ino(peer);
				sock_put(peer);
			}
		}
	}
	len = kernel_getsockname(sock, (struct sockaddr *)ss);
	if (len > 0) {
		s->local_len = min_t(int, len, sizeof(s->local));
		memcpy(s->local, ss, s->local_len);
	}
	memset(ss, 0, sizeof(*ss));
	len = kernel_getpeername(sock, (struct sockaddr *)ss);
	if (len > 0) {
		s->peer_len = min_t(int, len, sizeof(s->peer));
		memcpy(s->peer, ss, s->peer_len);
	}
	ttrec_fd_note(c, TTREC_NT_FD_SOCKET, s, sizeof(*s));
	/* (a listener's queue holds connections, not data) */
	if (sk && sk->sk_family == AF_UNIX && s->state != TCP_LISTEN)
		ttrec_fd_sock_queue(c, sk);
out:
	kfree(ss);
	kfree(s);
}

#define TTREC_MEMFD_PREFIX	"memfd:"

/* A memfd: a shmem or hugetlbfs file named "memfd:NAME". */
static bool ttrec_fd_is_memfd(struct file *f)
{
	const struct super_block *sb = file_inode(f)->i_sb;

	if (sb->s_magic != TMPFS_MAGIC && sb->s_magic != HUGETLBFS_MAGIC)
		return false;
	return !strncmp(f->f_path.dentry->d_name.name, TTREC_MEMFD_PREFIX,
			strlen(TTREC_MEMFD_PREFIX));
}

static void ttrec_fd_memfd(struct ttrec_fds_ctx *c, struct file *f)
{
	struct inode *inode = file_inode(f);
	struct dentry *dentry = f->f_path.dentry;
	struct ttrec_fd_memfd *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m) {
		c->b.err = -ENOMEM;
		return;
	}
	/* memfd_file_seals_ptr(): the seals are in the fs's inode info */
	if (inode->i_sb->s_magic == TMPFS_MAGIC) {
		m->seals = READ_ONCE(SHMEM_I(inode)->seals);
	} else {
#ifdef CONFIG_HUGETLBFS
		m->seals = READ_ONCE(HUGETLBFS_I(inode)->seals);
#endif
		m->flags |= TTREC_MEMFD_HUGETLB;
	}
	spin_lock(&dentry->d_lock);
	strscpy(m->name, dentry->d_name.name + strlen(TTREC_MEMFD_PREFIX),
		sizeof(m->name));
	spin_unlock(&dentry->d_lock);
	ttrec_fd_note(c, TTREC_NT_FD_MEMFD, m, sizeof(*m));
	kfree(m);
}

static void ttrec_fd_pidfd(struct ttrec_fds_ctx *c, struct pid *pid)
{
	struct ttrec_fd_pidfd p = { .pid = pid_vnr(pid) };
	struct task_struct *t;

	rcu_read_lock();
	t = pid_task(pid, PIDTYPE_PID);
	if (!t || READ_ONCE(t->exit_state))
		p.flags |= TTREC_PIDFD_EXITED;
	rcu_read_unlock();
	ttrec_fd_note(c, TTREC_NT_FD_PIDFD, &p, sizeof(p));
}

/* Terminals by major number: the tty core's, the pseudo-terminals, and
 * common serial, console and USB ones (tty_fops is not exported). */
static bool ttrec_is_tty_major(unsigned int major)
{
	return major == TTY_MAJOR || major == TTYAUX_MAJOR ||
	       (major >= UNIX98_PTY_MASTER_MAJOR &&
		major < UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT) ||
	       major == 166 /* ACM */ || major == 188 /* USB serial */ ||
	       major == 204 /* low-density serial */ || major == 229 /* hvc */;
}

/* The anonymous-inode kinds, by the name the kernel gave the file. */
static u32 ttrec_fd_anon_kind(struct file *f)
{
	const char *name = f->f_path.dentry->d_name.name;

	if (file_inode(f)->i_sb->s_magic != ANON_INODE_FS_MAGIC)
		return TTREC_FD_OTHER;
	if (!strcmp(name, "[eventfd]")) {
		struct eventfd_ctx *ctx = eventfd_ctx_fileget(f);

		if (IS_ERR(ctx))
			return TTREC_FD_OTHER;
		eventfd_ctx_put(ctx);
		return TTREC_FD_EVENTFD;
	}
	if (!strcmp(name, "[timerfd]"))
		return TTREC_FD_TIMERFD;
	if (!strcmp(name, "[signalfd]"))
		return TTREC_FD_SIGNALFD;
	if (!strcmp(name, "[eventpoll]"))
		return TTREC_FD_EPOLL;
	return TTREC_FD_OTHER;
}

static u32 ttrec_fd_kind(struct file *f, struct pid **pidfd)
{
	struct inode *inode = file_inode(f);
	umode_t mode = inode->i_mode;
	bool path_only = f->f_mode & FMODE_PATH;

	*pidfd = path_only ? ERR_PTR(-EINVAL) : ttrec_file_pidfd_pid(f);
	if (!IS_ERR(*pidfd))
		return TTREC_FD_PIDFD;
	if (S_ISREG(mode))
		return ttrec_fd_is_memfd(f) ? TTREC_FD_MEMFD : TTREC_FD_REG;
	if (S_ISDIR(mode))
		return TTREC_FD_DIR;
	if (S_ISFIFO(mode))
		return inode->i_sb->s_magic == PIPEFS_MAGIC ? TTREC_FD_PIPE :
							      TTREC_FD_FIFO;
	if (S_ISSOCK(mode))
		return !path_only && sock_from_file(f) ? TTREC_FD_SOCKET :
							 TTREC_FD_OTHER;
	if (S_ISCHR(mode))
		return ttrec_is_tty_major(imajor(inode)) ? TTREC_FD_TTY :
							   TTREC_FD_CHR;
	if (S_ISBLK(mode))
		return TTREC_FD_BLK;
	return path_only ? TTREC_FD_OTHER : ttrec_fd_anon_kind(f);
}

/* One descriptor's record. */
static void ttrec_fd_describe(struct ttrec_fds_ctx *c,
			      const struct ttrec_fd_ref *r)
{
	struct file *f = r->file;
	struct inode *inode = file_inode(f);
	struct ttrec_snap_fd h;
	struct timespec64 mtime = ttrec_inode_mtime(inode);
	struct pid *pidfd;
	bool path_only = f->f_mode & FMODE_PATH;
	char *path;

	BUILD_BUG_ON(sizeof(h) != TTREC_SNAP_FD_SIZE_VER0);
	memset(&h, 0, sizeof(h));
	h.fd = r->fd;
	h.kind = ttrec_fd_kind(f, &pidfd);
	if (r->cloexec)
		h.flags |= TTREC_FDF_CLOEXEC;
	if (f->f_mode & FMODE_READ)
		h.flags |= TTREC_FDF_READ;
	if (f->f_mode & FMODE_WRITE)
		h.flags |= TTREC_FDF_WRITE;
	h.f_flags = f->f_flags & ~O_CLOEXEC;
	/* st_mode as stat(2) gives it: pidfs hides its inodes' S_IFREG */
	h.mode = h.kind == TTREC_FD_PIDFD ? inode->i_mode & ~S_IFMT : inode->i_mode;
	h.pos = f->f_pos;
	h.dev = huge_encode_dev(inode->i_sb->s_dev);
	h.ino = inode->i_ino;
	h.rdev = huge_encode_dev(inode->i_rdev);
	h.size_bytes = i_size_read(inode);
	h.mtime_ns = timespec64_to_ns(&mtime);
	switch (h.kind) {
	case TTREC_FD_REG:
	case TTREC_FD_DIR:
	case TTREC_FD_FIFO:
	case TTREC_FD_TTY:
	case TTREC_FD_CHR:
	case TTREC_FD_BLK:
		if (d_unlinked(f->f_path.dentry))
			h.flags |= TTREC_FDF_DELETED;
		break;
	}

	c->rec = c->b.len;
	if (!ttrec_sbuf_append(&c->b, sizeof(h)))
		return;
	memcpy(ttrec_fd_rec(c), &h, sizeof(h));

	path = d_path(&f->f_path, c->pathbuf, PATH_MAX);
	if (IS_ERR(path))
		ttrec_fd_rec(c)->flags |= TTREC_FDF_NO_PATH;
	else
		ttrec_fd_note(c, TTREC_NT_FD_PATH, path, strlen(path) + 1);

	if (!path_only) {
		switch (h.kind) {
		case TTREC_FD_PIPE:
		case TTREC_FD_FIFO:
			ttrec_fd_pipe(c, f, r->fd);
			break;
		case TTREC_FD_EVENTFD:
		case TTREC_FD_TIMERFD:
		case TTREC_FD_SIGNALFD:
		case TTREC_FD_EPOLL:
			ttrec_fd_anon(c, f, h.kind);
			break;
		case TTREC_FD_SOCKET:
			ttrec_fd_socket(c, sock_from_file(f));
			break;
		case TTREC_FD_MEMFD:
			ttrec_fd_memfd(c, f);
			break;
		case TTREC_FD_PIDFD:
			ttrec_fd_pidfd(c, pidfd);
			break;
		case TTREC_FD_OTHER: {
			size_t len;
			bool cut;
			char *text = ttrec_fd_fdinfo(f, TTREC_FDINFO_OTHER_MAX,
						     &len, &cut);

			if (text)
				ttrec_fd_fdinfo_note(c, text, len, cut);
			kvfree(text);
			break;
		}
		}
	}
	if (!c->b.err)
		ttrec_fd_rec(c)->size = c->b.len - c->rec;
}

/**
 * ttrec_state_fds() - record the descriptor table of a parked thread group.
 * @snap: the snapshot; gets fds, fds_len, nr_fds, fds_total, fds_state.
 * @park: the park (every thread parked).
 * @task: the thread whose table is recorded: the leader when it is parked.
 *
 * Return: 0, -ENOMEM, or -EINTR (fatal signal to the caller).
 */
int ttrec_state_fds(struct ttrec_snap *snap, struct ttrec_park *park,
		    struct task_struct *task)
{
	unsigned int limit = READ_ONCE(ttrec_max_snapshot_fds), i, tries;
	struct ttrec_fds_ctx c = {
		.data_left = READ_ONCE(ttrec_max_snapshot_fd_data),
	};
	struct ttrec_fd_walk w = { 0 };
	int ret = 0;

	BUILD_BUG_ON(sizeof(struct ttrec_snap_fds_args) !=
		     TTREC_SNAP_FDS_ARGS_SIZE_VER0);
	if (!ttrec_fd_walk_once(task, &w)) {
		snap->fds_state |= TTREC_FDS_NO_TABLE;
		return 0;
	}
	for (tries = 0; ; tries++) {
		w.cap = min(w.total + 64, limit);
		w.refs = kvcalloc(max(w.cap, 1U), sizeof(*w.refs), GFP_KERNEL);
		if (!w.refs)
			return -ENOMEM;
		if (!ttrec_fd_walk_once(task, &w)) {
			snap->fds_state |= TTREC_FDS_NO_TABLE;
			goto out;
		}
		if (w.total <= w.cap || w.cap >= limit || tries >= 2)
			break;
		ttrec_fd_put_refs(&w);
	}
	snap->fds_total = w.total;
	if (w.total > w.n)
		snap->fds_state |= TTREC_FDS_TRUNCATED;
	if (ttrec_park_for_each(park, ttrec_fd_table_shared, w.files))
		snap->fds_state |= TTREC_FDS_UNSHARED;

	xa_init(&c.pipes);
	c.pathbuf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!c.pathbuf) {
		ret = -ENOMEM;
		goto out_xa;
	}
	for (i = 0; i < w.n && !c.b.err; i++) {
		ttrec_fd_describe(&c, &w.refs[i]);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out_xa;
		}
		cond_resched();
	}
	ret = c.b.err;
	if (ret)
		goto out_xa;
	if (c.data_truncated)
		snap->fds_state |= TTREC_FDS_DATA_TRUNCATED;
	snap->fds = c.b.p;
	snap->fds_len = c.b.len;
	snap->nr_fds = w.n;
	c.b.p = NULL;
out_xa:
	xa_destroy(&c.pipes);
	kfree(c.pathbuf);
	ttrec_sbuf_free(&c.b);
out:
	ttrec_fd_put_refs(&w);
	return ret;
}
