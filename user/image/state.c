// SPDX-License-Identifier: GPL-2.0
/*
 * The process state streams (image/state.h): builders and decoders, side
 * by side. The module builds the same streams in kmod/state.c and
 * kmod/fds.c; include/uapi/linux/ttrec.h is the contract.
 *
 * A decoder trusts nothing: every note and record must fit in what
 * contains it, counts must agree, a struct note may be shorter (an older
 * writer: zero-extended) or longer (a newer one: the rest ignored) than
 * the struct, paths must be NUL-terminated.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/state.h"

#define ALIGN8(n)	(((n) + 7) & ~(size_t)7)

static const char *const kind_names[] = {
	[TTREC_FD_REG] = "reg",
	[TTREC_FD_DIR] = "dir",
	[TTREC_FD_PIPE] = "pipe",
	[TTREC_FD_FIFO] = "fifo",
	[TTREC_FD_SOCKET] = "socket",
	[TTREC_FD_EVENTFD] = "eventfd",
	[TTREC_FD_TIMERFD] = "timerfd",
	[TTREC_FD_SIGNALFD] = "signalfd",
	[TTREC_FD_EPOLL] = "epoll",
	[TTREC_FD_MEMFD] = "memfd",
	[TTREC_FD_TTY] = "tty",
	[TTREC_FD_CHR] = "chr",
	[TTREC_FD_BLK] = "blk",
	[TTREC_FD_PIDFD] = "pidfd",
	[TTREC_FD_OTHER] = "other",
};

static const char *const rlim_names[TTREC_RLIM_NLIMITS] = {
	"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
	"memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio",
	"rttime",
};

const char *state_rlimit_name(uint32_t res)
{
	return res < TTREC_RLIM_NLIMITS ? rlim_names[res] : "?";
}

const char *state_fd_kind_name(uint32_t kind)
{
	return kind < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[kind] ?
	       kind_names[kind] : "?";
}

/* ------------------------------------------------------------ builders */

void sbuf_free(struct state_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Room for @len more (zeroed) bytes, or NULL with b->err set. */
static void *sbuf_room(struct state_buf *b, size_t len)
{
	void *room;

	if (b->err)
		return NULL;
	if (len > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *p;

		while (cap - b->len < len) {
			if (cap > SIZE_MAX / 2) {
				b->err = -ENOMEM;
				return NULL;
			}
			cap *= 2;
		}
		p = realloc(b->p, cap);
		if (!p) {
			b->err = -ENOMEM;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	room = b->p + b->len;
	memset(room, 0, len);
	b->len += len;
	return room;
}

/* A note without touching the count. */
static void put_note(struct state_buf *b, uint32_t type, const void *data, size_t len)
{
	struct ttrec_snap_note n = { .type = type, .size = len };
	uint8_t *room;

	if (len > UINT32_MAX - 8) {
		b->err = -EOVERFLOW;
		return;
	}
	room = sbuf_room(b, sizeof(n) + ALIGN8(len));
	if (!room)
		return;
	memcpy(room, &n, sizeof(n));
	if (len)
		memcpy(room + sizeof(n), data, len);
}

void sbuf_note(struct state_buf *b, uint32_t type, const void *data, size_t len)
{
	put_note(b, type, data, len);
	if (!b->err)
		b->count++;
}

void sbuf_note_str(struct state_buf *b, uint32_t type, const char *s)
{
	sbuf_note(b, type, s, strlen(s) + 1);
}

size_t sbuf_fd_begin(struct state_buf *b, const struct ttrec_snap_fd *h)
{
	size_t rec = b->len;
	uint8_t *room = sbuf_room(b, sizeof(*h));

	if (room) {
		memcpy(room, h, sizeof(*h));
		((struct ttrec_snap_fd *)room)->size = 0;
		((struct ttrec_snap_fd *)room)->nr_notes = 0;
	}
	return rec;
}

void sbuf_fd_note(struct state_buf *b, size_t rec, uint32_t type,
		  const void *data, size_t len)
{
	put_note(b, type, data, len);
	if (!b->err)
		((struct ttrec_snap_fd *)(b->p + rec))->nr_notes++;
}

void sbuf_fd_end(struct state_buf *b, size_t rec)
{
	if (b->err)
		return;
	((struct ttrec_snap_fd *)(b->p + rec))->size = b->len - rec;
	b->count++;
}

int state_threads_add_notes(const uint8_t *threads, size_t len,
			    const uint32_t *tids, uint8_t *const *notes,
			    const size_t *notes_len, const uint32_t *count,
			    uint32_t n, uint8_t **out, size_t *out_len)
{
	struct state_buf b = { 0 };
	size_t off = 0;

	while (off < len) {
		struct ttrec_snap_thread t;
		uint8_t *room;
		uint32_t i;

		if (len - off < sizeof(t))
			goto bad;
		memcpy(&t, threads + off, sizeof(t));
		if (t.size < sizeof(t) || t.size % 8 || t.size > len - off)
			goto bad;
		for (i = 0; i < n && tids[i] != t.tid; i++)
			;
		room = sbuf_room(&b, t.size + (i < n ? notes_len[i] : 0));
		if (!room)
			break;
		memcpy(room, threads + off, t.size);
		if (i < n) {
			if (notes_len[i] % 8 || notes_len[i] > UINT32_MAX - t.size)
				goto bad;
			memcpy(room + t.size, notes[i], notes_len[i]);
			t.size += notes_len[i];
			t.nr_notes += count[i];
			memcpy(room, &t, sizeof(t));
		}
		off += ((const struct ttrec_snap_thread *)(threads + off))->size;
	}
	if (b.err) {
		int err = b.err;

		sbuf_free(&b);
		return err;
	}
	*out = b.p;
	*out_len = b.len;
	return 0;
bad:
	sbuf_free(&b);
	return -EBADMSG;
}

/* ------------------------------------------------------------ decoders */

/* Walks notes in [p, p + len): 1 with *type, *data, *size; 0 at the end. */
struct note_iter {
	const uint8_t *p;
	size_t len, off;
	const char **why;
	int err;
};

static int next_note(struct note_iter *it, uint32_t *type, const uint8_t **data,
		     uint32_t *size)
{
	struct ttrec_snap_note n;

	if (it->off >= it->len)
		return 0;
	if (it->len - it->off < sizeof(n)) {
		*it->why = "a note header is cut short";
		it->err = -EBADMSG;
		return 0;
	}
	memcpy(&n, it->p + it->off, sizeof(n));
	if (n.size > it->len - it->off - sizeof(n) ||
	    ALIGN8((size_t)n.size) > it->len - it->off - sizeof(n)) {
		*it->why = "a note overruns what holds it";
		it->err = -EBADMSG;
		return 0;
	}
	*type = n.type;
	*size = n.size;
	*data = it->p + it->off + sizeof(n);
	it->off += sizeof(n) + ALIGN8((size_t)n.size);
	return 1;
}

/* A struct note: zero-extended or cut to @size. */
static void take_struct(void *dst, size_t size, const uint8_t *data, uint32_t len)
{
	memset(dst, 0, size);
	memcpy(dst, data, len < size ? len : size);
}

static bool is_str(const uint8_t *data, uint32_t len)
{
	return len && memchr(data, 0, len) == data + len - 1;
}

/* Make room for element @n of *@v: the array doubles at powers of two. */
static int grow_for(void **v, uint32_t n, size_t elem)
{
	void *q;

	if (n & (n - 1))
		return 0;		/* not a power of two: there is room */
	q = realloc(*v, (size_t)(n ? 2 * n : 1) * elem);
	if (!q)
		return -ENOMEM;
	*v = q;
	return 0;
}

static int add_siginfo(siginfo_t **v, uint32_t *n, const uint8_t *data, uint32_t len)
{
	if (grow_for((void **)v, *n, sizeof(**v)))
		return -ENOMEM;
	take_struct(&(*v)[*n], sizeof((*v)[*n]), data, len);
	(*n)++;
	return 0;
}

static int decode_proc(const uint8_t *p, size_t len, struct img_proc_state *out,
		       const char **why)
{
	struct note_iter it = { .p = p, .len = len, .why = why };
	const uint8_t *data;
	uint32_t type, size;
	bool first = true;
	int err;

	while (next_note(&it, &type, &data, &size)) {
		if (first && type != TTREC_NT_PROC) {
			*why = "the process stream does not start with its TTREC_NT_PROC note";
			return -EBADMSG;
		}
		first = false;
		switch (type) {
		case TTREC_NT_PROC:
			take_struct(&out->p, sizeof(out->p), data, size);
			break;
		case TTREC_NT_SIGACTIONS:
			if (size < STATE_NSIG * sizeof(struct ttrec_sigaction)) {
				*why = "the signal actions note is short";
				return -EBADMSG;
			}
			out->sigactions = (const struct ttrec_sigaction *)data;
			break;
		case TTREC_NT_AUXV:
			if (size % 16) {
				*why = "the auxiliary vector is not whole pairs";
				return -EBADMSG;
			}
			out->auxv = (const uint64_t *)data;
			out->nr_auxv = size / 16;
			break;
		case TTREC_NT_GROUPS:
			if (size % 4) {
				*why = "the group list is not whole ids";
				return -EBADMSG;
			}
			out->groups = (const uint32_t *)data;
			out->nr_groups = size / 4;
			break;
		case TTREC_NT_EXE:
		case TTREC_NT_CWD:
		case TTREC_NT_ROOT:
			if (!is_str(data, size)) {
				*why = "a process path is not terminated";
				return -EBADMSG;
			}
			if (type == TTREC_NT_EXE)
				out->exe = (const char *)data;
			else if (type == TTREC_NT_CWD)
				out->cwd = (const char *)data;
			else
				out->root = (const char *)data;
			break;
		case TTREC_NT_SIGINFO:
			err = add_siginfo(&out->pending, &out->nr_pending, data, size);
			if (err)
				return err;
			break;
		case TTREC_NT_POSIX_TIMER:
			if (grow_for((void **)&out->timers, out->nr_timers, sizeof(*out->timers)))
				return -ENOMEM;
			take_struct(&out->timers[out->nr_timers++], sizeof(*out->timers), data,
				    size);
			break;
		default:
			break;		/* a newer writer's: skip */
		}
	}
	if (it.err)
		return it.err;
	if (first) {
		*why = "the process stream is empty";
		return -EBADMSG;
	}
	return 0;
}

/* One thread record's notes: the state ones into @ts. */
static int decode_thread(const uint8_t *rec, uint32_t size, struct img_thread_state *ts,
			 const char **why)
{
	struct ttrec_snap_thread t;
	struct note_iter it = { .p = rec, .len = size, .off = sizeof(t), .why = why };
	const uint8_t *data;
	uint32_t type, nsize, k = 0;
	int err;

	memcpy(&t, rec, sizeof(t));
	ts->tid = t.tid;
	while (next_note(&it, &type, &data, &nsize)) {
		k++;
		if (type == TTREC_NT_THREAD) {
			take_struct(&ts->t, sizeof(ts->t), data, nsize);
			ts->has_state = true;
		} else if (type == TTREC_NT_SIGINFO) {
			err = add_siginfo(&ts->pending, &ts->nr_pending, data, nsize);
			if (err)
				return err;
		}
	}
	if (it.err)
		return it.err;
	if (k != t.nr_notes) {
		*why = "a thread record's note count does not match its notes";
		return -EBADMSG;
	}
	return 0;
}

static int decode_threads(const uint8_t *p, size_t len, struct img_state *st,
			  const char **why)
{
	size_t off = 0;
	int err;

	while (off < len) {
		struct ttrec_snap_thread t;
		struct img_thread_state *v;

		if (len - off < sizeof(t)) {
			*why = "a thread record is cut short";
			return -EBADMSG;
		}
		memcpy(&t, p + off, sizeof(t));
		if (t.size < sizeof(t) || t.size % 8 || t.size > len - off) {
			*why = "a thread record has a bad size";
			return -EBADMSG;
		}
		if (grow_for((void **)&st->threads, st->nr_threads, sizeof(*st->threads)))
			return -ENOMEM;
		v = st->threads;
		memset(&v[st->nr_threads], 0, sizeof(*v));
		err = decode_thread(p + off, t.size, &v[st->nr_threads++], why);
		if (err)
			return err;
		off += t.size;
	}
	return 0;
}

static int decode_fd_note(struct img_fd *f, uint32_t type, const uint8_t *data,
			  uint32_t size, const char **why)
{
	switch (type) {
	case TTREC_NT_FD_PATH:
		if (!is_str(data, size))
			goto bad_str;
		f->path = (const char *)data;
		f->has |= IMG_FD_HAS_PATH;
		break;
	case TTREC_NT_FD_PIPE:
		take_struct(&f->pipe, sizeof(f->pipe), data, size);
		f->has |= IMG_FD_HAS_PIPE;
		break;
	case TTREC_NT_FD_PIPE_DATA:
		f->pipe_data = data;
		f->pipe_data_len = size;
		f->has |= IMG_FD_HAS_PIPE_DATA;
		break;
	case TTREC_NT_FD_EVENTFD:
		take_struct(&f->eventfd, sizeof(f->eventfd), data, size);
		f->has |= IMG_FD_HAS_EVENTFD;
		break;
	case TTREC_NT_FD_TIMERFD:
		take_struct(&f->timerfd, sizeof(f->timerfd), data, size);
		f->has |= IMG_FD_HAS_TIMERFD;
		break;
	case TTREC_NT_FD_SIGNALFD:
		take_struct(&f->signalfd, sizeof(f->signalfd), data, size);
		f->has |= IMG_FD_HAS_SIGNALFD;
		break;
	case TTREC_NT_FD_EPOLL:
		if (size % sizeof(*f->epoll)) {
			*why = "an epoll interest list is not whole items";
			return -EBADMSG;
		}
		free(f->epoll);
		f->epoll = malloc(size ? size : 1);
		if (!f->epoll)
			return -ENOMEM;
		memcpy(f->epoll, data, size);
		f->nr_epoll = size / sizeof(*f->epoll);
		f->has |= IMG_FD_HAS_EPOLL;
		break;
	case TTREC_NT_FD_SOCKET:
		take_struct(&f->sock, sizeof(f->sock), data, size);
		if (f->sock.local_len > sizeof(f->sock.local) ||
		    f->sock.peer_len > sizeof(f->sock.peer)) {
			*why = "a socket address length is out of range";
			return -EBADMSG;
		}
		f->has |= IMG_FD_HAS_SOCKET;
		break;
	case TTREC_NT_FD_SOCK_QUEUE: {
		uint32_t off = 0, n = 0;

		while (off < size) {
			struct ttrec_fd_sock_msg m;

			if (size - off < sizeof(m))
				goto bad_queue;
			memcpy(&m, data + off, sizeof(m));
			if (m.len > size - off - sizeof(m))
				goto bad_queue;
			off += sizeof(m) + m.len;
			off += (8 - off % 8) % 8;
			n++;
		}
		f->sock_queue = data;
		f->sock_queue_len = size;
		f->sock_queue_msgs = n;
		f->has |= IMG_FD_HAS_SOCK_QUEUE;
		break;
bad_queue:
		*why = "a socket's queued messages overrun their note";
		return -EBADMSG;
	}
	case TTREC_NT_FD_MEMFD:
		take_struct(&f->memfd, sizeof(f->memfd), data, size);
		if (!memchr(f->memfd.name, 0, sizeof(f->memfd.name)))
			goto bad_str;
		f->has |= IMG_FD_HAS_MEMFD;
		break;
	case TTREC_NT_FD_PIDFD:
		take_struct(&f->pidfd, sizeof(f->pidfd), data, size);
		f->has |= IMG_FD_HAS_PIDFD;
		break;
	case TTREC_NT_FD_FDINFO:
		if (!is_str(data, size))
			goto bad_str;
		f->fdinfo = (const char *)data;
		f->has |= IMG_FD_HAS_FDINFO;
		break;
	default:
		break;
	}
	return 0;
bad_str:
	*why = "a descriptor's path, name or fdinfo is not terminated";
	return -EBADMSG;
}

static int decode_fds(const uint8_t *p, size_t len, uint32_t nr, struct img_state *st,
		      const char **why)
{
	size_t off = 0;
	int err;

	if (nr && nr > len / sizeof(struct ttrec_snap_fd)) {
		*why = "more descriptors than the descriptor stream can hold";
		return -EBADMSG;
	}
	st->fds = calloc(nr ? nr : 1, sizeof(*st->fds));
	if (!st->fds)
		return -ENOMEM;
	while (off < len) {
		struct ttrec_snap_fd h;
		struct note_iter it = { .p = p + off, .why = why };
		struct img_fd *f;
		const uint8_t *data;
		uint32_t type, size, k = 0;

		if (len - off < sizeof(h)) {
			*why = "a descriptor record is cut short";
			return -EBADMSG;
		}
		memcpy(&h, p + off, sizeof(h));
		if (h.size < sizeof(h) || h.size % 8 || h.size > len - off) {
			*why = "a descriptor record has a bad size";
			return -EBADMSG;
		}
		if (st->nr_fds >= nr) {
			*why = "more descriptor records than the header says";
			return -EBADMSG;
		}
		if (h.fd < 0 || (st->nr_fds && h.fd <= st->fds[st->nr_fds - 1].h.fd)) {
			*why = "descriptor records out of order";
			return -EBADMSG;
		}
		f = &st->fds[st->nr_fds++];
		f->h = h;
		it.len = h.size;
		it.off = sizeof(h);
		while (next_note(&it, &type, &data, &size)) {
			k++;
			err = decode_fd_note(f, type, data, size, why);
			if (err)
				return err;
		}
		if (it.err)
			return it.err;
		if (k != h.nr_notes) {
			*why = "a descriptor record's note count does not match its notes";
			return -EBADMSG;
		}
		if ((f->has & IMG_FD_HAS_PIPE_DATA) && f->pipe_data_len > f->pipe.bytes) {
			*why = "a pipe holds more bytes than it says";
			return -EBADMSG;
		}
		off += h.size;
	}
	if (st->nr_fds != nr) {
		*why = "fewer descriptor records than the header says";
		return -EBADMSG;
	}
	return 0;
}

void state_free(struct img_state *st)
{
	uint32_t i;

	if (!st)
		return;
	free(st->proc.pending);
	free(st->proc.timers);
	for (i = 0; i < st->nr_threads; i++)
		free(st->threads[i].pending);
	free(st->threads);
	for (i = 0; i < st->nr_fds; i++)
		free(st->fds[i].epoll);
	free(st->fds);
	free(st);
}

int state_decode(const uint8_t *proc, size_t proc_len,
		 const uint8_t *fds, size_t fds_len, uint32_t nr_fds,
		 uint32_t fds_total, uint32_t fds_state,
		 const uint8_t *threads, size_t threads_len,
		 struct img_state **out, const char **why)
{
	struct img_state *st = calloc(1, sizeof(*st));
	int err;

	*why = "out of memory";
	if (!st)
		return -ENOMEM;
	if (fds_total < nr_fds) {
		*why = "fewer descriptors in the table than recorded";
		free(st);
		return -EBADMSG;
	}
	st->fds_total = fds_total;
	st->fds_state = fds_state;
	err = decode_proc(proc, proc_len, &st->proc, why);
	if (!err)
		err = decode_fds(fds, fds_len, nr_fds, st, why);
	if (!err)
		err = decode_threads(threads, threads_len, st, why);
	if (err) {
		state_free(st);
		return err;
	}
	*out = st;
	return 0;
}
