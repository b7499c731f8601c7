/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process state of a snapshot: what a restore needs beyond memory and
 * registers. Three byte streams carry it, with the layout of the module's
 * ioctls (include/uapi/linux/ttrec.h), in the module's answers and in
 * images alike:
 *   - the process stream (TTREC_IOC_SNAP_PROC, image section PROC): notes,
 *     TTREC_NT_PROC first;
 *   - the descriptor stream (TTREC_IOC_SNAP_FDS, section FDS): one struct
 *     ttrec_snap_fd record per descriptor, each with its notes;
 *   - thread state notes (TTREC_NT_THREAD, TTREC_NT_SIGINFO) inside the
 *     thread records of the THREADS stream (TTREC_IOC_SNAP_THREADS with
 *     TTREC_SNAP_THREADS_STATE, section THREADS).
 * This file is their one codec: builders (for state gathered without the
 * module, user/state/) and decoders into the structs below, which check
 * every length and refuse a malformed stream with a reason.
 */
#ifndef TTREC_IMAGE_STATE_H
#define TTREC_IMAGE_STATE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/ttrec.h>

#define STATE_NSIG		64
#define STATE_SIGINFO_SIZE	128		/* a siginfo_t */

_Static_assert(sizeof(siginfo_t) == STATE_SIGINFO_SIZE, "siginfo_t is 128 bytes");

/* ------------------------------------------------------------- decoded */

/*
 * The process's state. Pointers point into the stream the state was
 * decoded from (they live as long as it does); @pending is a copy.
 */
struct img_proc_state {
	struct ttrec_snap_proc p;	/* zero-extended from an older writer */
	const struct ttrec_sigaction *sigactions; /* STATE_NSIG, or NULL */
	const uint64_t *auxv;		/* type/value pairs, AT_NULL included */
	uint32_t nr_auxv;		/* pairs */
	const uint32_t *groups;
	uint32_t nr_groups;
	const char *exe, *cwd, *root;	/* NULL when not recorded */
	siginfo_t *pending;		/* queued for the process */
	uint32_t nr_pending;
	struct ttrec_posix_timer *timers; /* timer_create() timers (a copy) */
	uint32_t nr_timers;
};

/* One thread's state (decoded from its record's state notes). */
struct img_thread_state {
	uint32_t tid;
	bool has_state;			/* a TTREC_NT_THREAD note was there */
	struct ttrec_snap_tstate t;	/* zero-extended */
	siginfo_t *pending;		/* queued for this thread (a copy) */
	uint32_t nr_pending;
};

/* img_fd.has: which notes a descriptor's record had */
#define IMG_FD_HAS_PATH		(1U << 0)
#define IMG_FD_HAS_PIPE		(1U << 1)
#define IMG_FD_HAS_PIPE_DATA	(1U << 2)
#define IMG_FD_HAS_EVENTFD	(1U << 3)
#define IMG_FD_HAS_TIMERFD	(1U << 4)
#define IMG_FD_HAS_SIGNALFD	(1U << 5)
#define IMG_FD_HAS_EPOLL	(1U << 6)
#define IMG_FD_HAS_SOCKET	(1U << 7)
#define IMG_FD_HAS_MEMFD	(1U << 8)
#define IMG_FD_HAS_PIDFD	(1U << 9)
#define IMG_FD_HAS_FDINFO	(1U << 10)
#define IMG_FD_HAS_SOCK_QUEUE	(1U << 11)

/* One descriptor. Pointers point into the stream. */
struct img_fd {
	struct ttrec_snap_fd h;		/* fd, kind, flags, f_flags, pos, identity */
	uint32_t has;			/* IMG_FD_HAS_* */
	const char *path;
	struct ttrec_fd_pipe pipe;
	const uint8_t *pipe_data;	/* pipe.bytes or fewer (truncated) */
	uint64_t pipe_data_len;
	struct ttrec_fd_eventfd eventfd;
	struct ttrec_fd_timerfd timerfd;
	struct ttrec_fd_signalfd signalfd;
	struct ttrec_fd_epoll_item *epoll; /* a copy */
	uint32_t nr_epoll;
	struct ttrec_fd_socket sock;
	const uint8_t *sock_queue;	/* struct ttrec_fd_sock_msg, bytes, ... */
	uint32_t sock_queue_len;	/* checked: whole messages */
	uint32_t sock_queue_msgs;
	struct ttrec_fd_memfd memfd;
	struct ttrec_fd_pidfd pidfd;
	const char *fdinfo;
};

/* All of it, as img_state() gives it. */
struct img_state {
	struct img_proc_state proc;
	struct img_thread_state *threads;	/* in the THREADS stream's order */
	uint32_t nr_threads;
	struct img_fd *fds;			/* by descriptor number */
	uint32_t nr_fds;
	uint32_t fds_total;			/* in the table (>= nr_fds) */
	uint32_t fds_state;			/* TTREC_FDS_* */
};

/*
 * Decode the three streams (@threads: a whole THREADS stream; threads
 * without state notes get has_state false) into a new struct img_state
 * whose pointers point into the streams. @nr_fds is the count the stream
 * must hold, @fds_total and @fds_state what the table was (struct
 * ttrec_snap_fds_args's total and state). Return: 0, -EBADMSG with *@why set (a static string naming
 * what is malformed), or -ENOMEM.
 */
int state_decode(const uint8_t *proc, size_t proc_len,
		 const uint8_t *fds, size_t fds_len, uint32_t nr_fds,
		 uint32_t fds_total, uint32_t fds_state,
		 const uint8_t *threads, size_t threads_len,
		 struct img_state **out, const char **why);
void state_free(struct img_state *st);	/* NULL is fine */

const char *state_fd_kind_name(uint32_t kind);	/* "reg", "pipe", ... */
const char *state_rlimit_name(uint32_t res);	/* RLIMIT_* order: "cpu", ... */

/* ------------------------------------------------------------ builders */

/*
 * A growing stream. Every append is a no-op once @err is set (out of
 * memory); check it at the end.
 */
struct state_buf {
	uint8_t *p;
	size_t len, cap;
	int err;			/* 0 or -ENOMEM */
	uint32_t count;			/* notes (process stream) or records */
};

void sbuf_free(struct state_buf *b);
/* A note of @type with @len bytes of @data, padded. */
void sbuf_note(struct state_buf *b, uint32_t type, const void *data, size_t len);
/* A NUL-terminated string as a note (path notes). */
void sbuf_note_str(struct state_buf *b, uint32_t type, const char *s);
/*
 * A descriptor record: sbuf_fd_begin() appends @h (its size and nr_notes
 * are filled in later) and returns the record's offset; each
 * sbuf_fd_note() appends a note to it; sbuf_fd_end() closes it.
 */
size_t sbuf_fd_begin(struct state_buf *b, const struct ttrec_snap_fd *h);
void sbuf_fd_note(struct state_buf *b, size_t rec, uint32_t type,
		  const void *data, size_t len);
void sbuf_fd_end(struct state_buf *b, size_t rec);

/*
 * A THREADS stream with state notes added: each record of @threads whose
 * tid has an entry in @notes (@notes[i] of @len[i] bytes holding @count[i]
 * whole notes, for thread @tids[i]) gets those notes appended. Return: 0
 * with *@out (malloc()ed) and *@out_len, -EBADMSG (a malformed @threads),
 * -ENOMEM.
 */
int state_threads_add_notes(const uint8_t *threads, size_t len,
			    const uint32_t *tids, uint8_t *const *notes,
			    const size_t *notes_len, const uint32_t *count,
			    uint32_t n, uint8_t **out, size_t *out_len);

#endif
