/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The descriptor table, between fds.c (the plan, the kinds' table, moving
 * descriptors into the stub) and the files that make each kind:
 *
 *   fds.c      the plan (kinds ttrec cannot re-create, --inherit-fd,
 *              --skip-unsupported, stdio), the table of kinds, moving a
 *              descriptor made in ttrec into the stub at its number
 *   fdfiles.c  files opened by path: regular files (identity, size and
 *              mtime checked), directories, character and block devices
 *   fdpipes.c  pipes and FIFOs with their buffered bytes and capacity
 *   fdanon.c   eventfd, timerfd, signalfd, memfd
 *   fdepoll.c  epoll sets: their interest lists, once every descriptor is
 *              in place
 *   sockets.c  sockets (rst_fd_socket(), internal.h)
 */
#ifndef TTREC_RESTORE_FDS_H
#define TTREC_RESTORE_FDS_H

#include "restore/internal.h"
#include "image/state.h"

/* What becomes of one descriptor of the image. */
enum rfd_how {
	RFD_MAKE,		/* re-created by its kind */
	RFD_NULL,		/* --skip-unsupported: /dev/null */
	RFD_INHERIT,		/* --inherit-fd N=PATH */
	RFD_STDIO,		/* one of ttrec restore's own stdin, stdout, stderr */
};

struct rfd {
	const struct img_fd *f;
	const struct rfd_kind *k;
	enum rfd_how how;
	int stdio;		/* RFD_STDIO: ttrec's 0, 1 or 2 */
	const char *path;	/* RFD_INHERIT */
	const char *cannot;	/* why it cannot be re-created (plan) */
	int local;		/* made in ttrec, -1 */
	int in_stub;		/* or already in the stub (a mapped memfd), -1 */
	bool setfl;		/* give it the record's f_flags (F_SETFL) */
	char became[384];	/* what it became, for -v */
};

struct rfds {
	struct rfd *fd;
	uint32_t n;
	int maxfd;		/* the image's highest descriptor number */
	int chan;		/* ours: a unix socket the stub's is connected to */
	int chan_stub;		/* the stub's */
	struct rst_shm { uint64_t dev, ino; int fd; } *shm;	/* kept memfds */
	uint32_t nshm;
	/* fdpipes.c's pipes made for the image's pipes, by pipe id */
	struct rfd_pipe { uint64_t id; int rd, wr; } *pipes;
	uint32_t npipes;
};

/*
 * One kind of descriptor. @cannot: why ttrec cannot re-create it (NULL
 * when it can). @check (optional), before the stub is made: 0, or
 * -EOPNOTSUPP with d->cannot set (a descriptor of this kind it cannot
 * re-create), or another -errno (printed). @make: a descriptor in d->local
 * (or d->in_stub), d->became said; 0 or -errno (printed; -EOPNOTSUPP with
 * d->cannot set: it cannot be re-created after all). @finish (optional):
 * once every descriptor is in the stub at its number.
 */
struct rfd_kind {
	uint32_t kind;
	const char *cannot;
	int (*check)(struct rst *r, struct rfd *d);
	int (*make)(struct rst *r, struct rfd *d);
	int (*finish)(struct rst *r, struct rfd *d);
};

/* fds.c */
/* The image's descriptor numbered @fd, or NULL. */
struct rfd *rfd_find(struct rst *r, int fd);
/* Close @fd of the stub. */
void rfd_stub_close(struct rst *r, int fd);
/* The memfd vmas.c kept for the object @dev/@ino, in the stub, or -1. */
int rfd_shm_in_stub(struct rst *r, uint64_t dev, uint64_t ino);

/* fdfiles.c */
int rfd_check_file(struct rst *r, struct rfd *d);
int rfd_make_file(struct rst *r, struct rfd *d);

/* fdpipes.c */
int rfd_check_pipe(struct rst *r, struct rfd *d);
int rfd_make_pipe(struct rst *r, struct rfd *d);
void rfd_pipes_close(struct rfds *s);

/* fdanon.c */
int rfd_make_eventfd(struct rst *r, struct rfd *d);
int rfd_make_timerfd(struct rst *r, struct rfd *d);
int rfd_make_signalfd(struct rst *r, struct rfd *d);
int rfd_check_memfd(struct rst *r, struct rfd *d);
int rfd_make_memfd(struct rst *r, struct rfd *d);
int rfd_finish_memfd(struct rst *r, struct rfd *d);

/* fdepoll.c */
int rfd_make_epoll(struct rst *r, struct rfd *d);
int rfd_finish_epoll(struct rst *r, struct rfd *d);

#endif
