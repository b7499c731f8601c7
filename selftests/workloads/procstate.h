/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What selftests/workloads/procstate sets up, shared with the tests that
 * check its state (kmod_state.c with the module, state.c without).
 */
#ifndef TTREC_WORKLOADS_PROCSTATE_H
#define TTREC_WORKLOADS_PROCSTATE_H

#include <signal.h>
#include <sys/personality.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM		(1U << 31)	/* linux/signal.h */
#endif

#define MAIN_NAME		"ttrec-pstate"
#define WORKER_NAME		"ttrec-pworker"
#define MAIN_ALTSTACK_SIZE	65536
#define WORKER_ALTSTACK_SIZE	32768
#define UMASK			027
#define MSGQUEUE_CUR		12288
#define MSGQUEUE_MAX		24576
#define NOFILE_CUR		1000
#define REAL_VALUE_S		100
#define REAL_INTERVAL_S		7
#define VIRT_VALUE_S		50
#define PERSONA			(PER_LINUX | ADDR_NO_RANDOMIZE)
#define MAIN_SIG		(SIGRTMIN + 1)	/* pending for the main thread */
#define MAIN_VALUE		0x5678
#define WORKER_SIG		(SIGRTMIN + 2)	/* twice for the worker */
#define WORKER_VALUE		0x9a00
#define SHARED_VALUE		0x1234		/* SIGUSR1, for the process */
#define PTIMER_VALUE		0xabc		/* the monotonic POSIX timer's */
#define PTIMER_MONO_S		200		/* armed for, every 5 s */
#define PTIMER_CPU_S		30		/* CPU-time timer, SIGEV_NONE */

/* Descriptors */
#define FD_FILE			10	/* O_RDWR, close-on-exec, at FILE_POS */
#define FD_DIR			11
#define FD_PIPE_R		12	/* PIPE_BYTES buffered */
#define FD_PIPE_W		13
#define FD_FIFO			14	/* O_RDWR, "fifo bytes" buffered */
#define FD_EVENTFD		15	/* EFD_SEMAPHORE, count EVENTFD_INIT + 5 */
#define FD_TIMERFD		16	/* monotonic, 100 s, interval 3 s */
#define FD_TIMERFD_FIRED	17	/* realtime, expired once */
#define FD_SIGNALFD		18	/* SIGUSR2, SIGWINCH */
#define FD_EPOLL		19	/* FD_PIPE_R, FD_EVENTFD, FD_TCP_LISTEN */
#define FD_MEMFD		20	/* MEMFD_NAME, sealed shrink and grow */
#define FD_TCP_LISTEN		21	/* 127.0.0.1, TCP_BACKLOG, SO_REUSEADDR */
#define FD_UNIX_LISTEN		22	/* DIR/sock, UNIX_BACKLOG */
#define FD_PAIR_A		23	/* socketpair */
#define FD_PAIR_B		24
#define FD_UDP			25	/* connected to 127.0.0.1:UDP_PEER_PORT */
#define FD_NULL			26
#define FD_PTMX			27
#define FD_PTS			28
#define FD_PIDFD		29	/* the parent */
#define FD_INOTIFY		30
#define FD_OPATH		31	/* DIR/file, O_PATH */

#define FILE_BYTES		5000
#define FILE_POS		1234
#define PIPE_SIZE		(128 * 1024)
#define PIPE_BYTES		6000
#define EVENTFD_INIT		7
#define MEMFD_NAME		"ttrec-memfd"
#define MEMFD_BYTES		3000
#define TCP_BACKLOG		7
#define UNIX_BACKLOG		5
#define UDP_PEER_PORT		9
#define EPOLL_DATA_PIPE		0x1111
#define EPOLL_DATA_EVENTFD	0x2222
#define EPOLL_DATA_TCP		0x3333

#endif
