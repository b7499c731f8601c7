/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the files of user/state/ (gather.h is the interface). */
#ifndef TTREC_STATE_INTERNAL_H
#define TTREC_STATE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "state/gather.h"

/* ---------------------------------------------------------- remote.c */

/*
 * System calls made by a stopped thread of the target, for what a process
 * can only ask about itself. Each runs at a syscall instruction found in
 * the target's vDSO (or its other code), from a PTRACE_EVENT_STOP, and
 * writes its answer into a scratch area below the thread's stack pointer
 * (its red zone left alone), whose bytes are put back.
 */
#define REMOTE_SCRATCH	256

struct remote {
	pid_t pid;
	uint64_t gadget;		/* address of a syscall instruction */
	struct remote_range {
		uint64_t start, end;
	} *writable;			/* the target's writable mappings */
	uint32_t nwritable;
};

struct remote_thread {
	pid_t tid;
	bool active;			/* between remote_begin() and remote_end() */
	bool moved;			/* ran a call: no longer at its stop */
	struct user_regs_struct saved;	/* as the thread stopped */
	uint64_t saved_mask;		/* its blocked signals */
	uint64_t scratch;		/* REMOTE_SCRATCH bytes, 0 when none */
	uint8_t scratch_saved[REMOTE_SCRATCH];
	uint64_t rseq;			/* its rseq area, 0 when none */
	uint32_t rseq_len;
	uint8_t rseq_saved[REMOTE_SCRATCH];
};

/* Find a syscall instruction in @pid; 0 or -errno (said with pr_debug). */
int remote_open(struct remote *r, pid_t pid);
void remote_close(struct remote *r);
/*
 * Take thread @tid (at a PTRACE_EVENT_STOP) for remote calls: its
 * registers and signal mask are saved and every signal blocked (none is
 * delivered meanwhile; pending ones stay pending). A thread under seccomp
 * is not taken (-EPERM): its filter could kill the process for a call it
 * does not expect. 0 or -errno.
 */
int remote_begin(struct remote *r, struct remote_thread *t, pid_t tid);
/*
 * Run system call @nr with @a0..@a5 in @t. *@ret gets the call's result
 * (-errno for an error). Return: 0, or -errno when the call could not be
 * made (the thread is left for remote_end()).
 */
int remote_syscall(struct remote *r, struct remote_thread *t, long nr,
		   uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		   int64_t *ret);
/* The target's memory. 0 or -errno. */
int remote_read(struct remote *r, uint64_t addr, void *buf, size_t len);
/*
 * Give @t back as it was: scratch bytes, at a PTRACE_EVENT_STOP again,
 * its registers (so that an interrupted system call restarts as it would
 * have) and its signal mask. 0 or -errno.
 */
int remote_end(struct remote *r, struct remote_thread *t);

/* --------------------------------------------------------- helpers */

/* The whole of /proc/@pid/@what (or /proc/@pid/task/@tid/@what when @tid is
 * not 0) into a malloc()ed NUL-terminated buffer; NULL when unreadable. */
char *proc_read(pid_t pid, pid_t tid, const char *what, size_t *len);
/* The value after "@key:" in a /proc status-like text, or NULL. */
const char *proc_field(const char *text, const char *key);

/* -------------------------------------------------------- per part */

/* threads.c: thread @tid's state notes into @out; *@truncated when its
 * queued signals could not be read. */
int state_thread(struct remote *r, pid_t pid, pid_t tid, struct state_buf *out,
		 bool *truncated);
/* threads.c: TTREC_NT_SIGINFO notes of the signals queued for @tid or, with
 * @shared, for its process. */
int state_siginfo(pid_t tid, bool shared, struct state_buf *out);
/* fds.c: the descriptor stream of @pid into @ps. */
int state_fds(pid_t pid, struct proc_state *ps);
/* sockets.c: the socket note of @fd (our duplicate) of inode @ino. */
struct sock_diag;
struct sock_diag *sock_diag_open(void);
void sock_diag_close(struct sock_diag *d);
void state_socket(struct sock_diag *d, int fd, uint64_t ino, struct ttrec_fd_socket *s);
/* A unix socket's unread messages (TTREC_NT_FD_SOCK_QUEUE), at most @max bytes of data. */
size_t state_sock_queue(int fd, int type, size_t max, uint8_t **out, bool *cut);

#endif
