/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The procstate workload (workloads/procstate.c) from the tests' side:
 * start it, read what it reports, and check a decoded process state
 * (image/state.h) against what it set up, field by field. Used with the
 * state the module captures (kmod_state.c, VM) and with the state
 * gathered from /proc and ptrace (state.c, host and VM): both must agree
 * with the workload, and where the module-less path cannot see something
 * the check says so (@from_proc).
 *
 * Include after kselftest_harness.h: the checks use EXPECT_* and need the
 * test's _metadata.
 */
#ifndef TTREC_SELFTESTS_PROCSTATE_COMMON_H
#define TTREC_SELFTESTS_PROCSTATE_COMMON_H

#include <arpa/inet.h>
#include <dirent.h>
#include <sys/epoll.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image/state.h"
#include "piped.h"
#include "workloads/procstate.h"

/* What the workload reports, and where it lives. */
struct ps {
	pid_t pid;
	FILE *in, *out;
	char dir[128];
	unsigned long long handler, hup, main_altstack, worker_altstack, clear_tid;
	unsigned long long main_rseq, worker_rseq, main_robust, worker_robust;
	unsigned long long tcp_port, worker_tid, ptimer_mono, ptimer_cpu;
};

static char ps_bin[PATH_MAX];

__attribute__((constructor)) static void ps_find_bin(void)
{
	ssize_t n = readlink("/proc/self/exe", ps_bin, sizeof(ps_bin) - 32);
	char *slash;

	ps_bin[n > 0 ? n : 0] = 0;
	slash = strrchr(ps_bin, '/');
	strcpy(slash ? slash : ps_bin, "/workloads/procstate");
}

static void ps_key(struct ps *w, const char *key, unsigned long long v)
{
	static const struct { const char *name; size_t off; } keys[] = {
#define K(f) { #f, offsetof(struct ps, f) }
		K(handler), K(hup), K(main_altstack), K(worker_altstack), K(clear_tid),
		K(main_rseq), K(worker_rseq), K(main_robust), K(worker_robust),
		K(tcp_port), K(worker_tid), K(ptimer_mono), K(ptimer_cpu),
#undef K
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].name, key))
			*(unsigned long long *)((char *)w + keys[i].off) = v;
}

/* Wait until @tid of @pid sleeps in a system call (not just on its way). */
static int ps_wait_sleeping(pid_t pid, pid_t tid)
{
	char path[96], buf[256];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	for (i = 0; i < 2000; i++) {
		FILE *f = fopen(path, "r");
		char *p = NULL;

		if (f) {
			if (fgets(buf, sizeof(buf), f))
				p = strrchr(buf, ')');
			fclose(f);
		}
		if (p && p[1] == ' ' && p[2] == 'S')
			return 0;
		usleep(5000);
	}
	return -1;
}

/* Start the workload in a fresh directory; 0 once it is ready and asleep. */
static int ps_start(struct ps *w)
{
	char line[256];
	char *argv[] = { ps_bin, w->dir, NULL };

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/ttrec-ps-XXXXXX");
	if (!mkdtemp(w->dir))
		return -1;
	w->pid = spawn_piped(argv, &w->in, &w->out);
	if (w->pid < 0)
		return -1;
	while (fgets(line, sizeof(line), w->out)) {
		char key[64];
		unsigned long long v;

		if (sscanf(line, "%63s %llx", key, &v) == 2) {
			ps_key(w, key, v);
			continue;
		}
		if (!strncmp(line, "ready", 5))
			return ps_wait_sleeping(w->pid, w->pid) ||
			       ps_wait_sleeping(w->pid, w->worker_tid) ? -1 : 0;
	}
	return -1;
}

/* "c": the workload checks its pending signals and pipe are intact. */
static int ps_check_self(struct ps *w)
{
	char line[64];

	fputs("c\n", w->in);
	fflush(w->in);
	if (!fgets(line, sizeof(line), w->out))
		return -1;
	return strncmp(line, "ok", 2) ? -1 : 0;
}

static void ps_stop(struct ps *w)
{
	char cmd[200];

	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		waitpid(w->pid, NULL, 0);
	}
	if (w->in)
		fclose(w->in);
	if (w->out)
		fclose(w->out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", w->dir);
	if (w->dir[0] && system(cmd)) {
		/* a leftover directory in /tmp */
	}
	memset(w, 0, sizeof(*w));
}

static const struct img_fd *ps_fd(const struct img_state *st, int fd)
{
	uint32_t i;

	for (i = 0; i < st->nr_fds; i++)
		if (st->fds[i].h.fd == fd)
			return &st->fds[i];
	return NULL;
}

static const struct img_thread_state *ps_thread(const struct img_state *st, uint32_t tid)
{
	uint32_t i;

	for (i = 0; i < st->nr_threads; i++)
		if (st->threads[i].tid == tid)
			return &st->threads[i];
	return NULL;
}

static uint64_t sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

/* The bytes of /proc/PID/FILE into @buf; the length, or -1. */
static ssize_t ps_read_proc(pid_t pid, const char *file, void *buf, size_t len)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

/* Field @i (1-based, as proc(5) numbers them) of /proc/PID/stat. */
static unsigned long long ps_stat_field(pid_t pid, int i)
{
	char buf[2048], *p;
	ssize_t n = ps_read_proc(pid, "stat", buf, sizeof(buf) - 1);
	int k;

	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p += 2;				/* field 3 */
	for (k = 3; k < i && p; k++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoull(p, NULL, 10) : 0;
}

/* st_ino/st_dev of the workload's descriptor @fd, seen through /proc. */
static int ps_fd_stat(pid_t pid, int fd, struct stat *st)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	return stat(path, st);
}

/* Open descriptors of @pid. */
static int ps_count_fds(pid_t pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

static void ps_fill(unsigned char *b, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(seed + i * 13 + i / 251);
}

/*
 * The process, its threads and its descriptors as the workload set them
 * up. @from_proc: the state was gathered without the module.
 */
static void ps_check_state(struct __test_metadata *_metadata, const struct ps *w,
			   const struct img_state *st, bool from_proc)
{
	const struct ttrec_snap_proc *p = &st->proc.p;
	const struct ttrec_sigaction *a = st->proc.sigactions;
	const struct img_thread_state *mt, *wt;
	const struct img_fd *f, *g;
	struct sockaddr_in sin;
	struct sockaddr_un sun;
	bool unix_known;
	unsigned char buf[8192], want[PIPE_BYTES];
	char path[PATH_MAX];
	struct stat sb;
	gid_t groups[256];
	ssize_t n;
	int ng, i;

	/* ---- the process */
	EXPECT_EQ(w->pid, p->pid);
	EXPECT_EQ(getpid(), p->ppid);
	EXPECT_EQ(getpgrp(), p->pgid);
	EXPECT_EQ(getsid(0), p->sid);
	EXPECT_STREQ(MAIN_NAME, (const char *)p->comm);
	EXPECT_EQ(PERSONA, p->personality);
	EXPECT_EQ(UMASK, p->umask);
	EXPECT_EQ(SIGCHLD, p->exit_signal);
	EXPECT_EQ(1, p->dumpable);
	EXPECT_NE(0, p->flags & TTREC_PROC_CHILD_SUBREAPER);
	EXPECT_NE(0, p->flags & TTREC_PROC_THP_DISABLED);
	EXPECT_EQ(0, p->flags & (TTREC_PROC_NO_NEW_PRIVS | TTREC_PROC_FS_UNSHARED |
				 TTREC_PROC_PENDING_TRUNCATED));
	EXPECT_EQ(MSGQUEUE_CUR, p->rlim[RLIMIT_MSGQUEUE].cur);
	EXPECT_EQ(MSGQUEUE_MAX, p->rlim[RLIMIT_MSGQUEUE].max);
	EXPECT_EQ(NOFILE_CUR, p->rlim[RLIMIT_NOFILE].cur);
	EXPECT_EQ(RLIM_INFINITY, p->rlim[RLIMIT_AS].cur);
	/* ITIMER_REAL: 100 s armed a moment ago (a slow emulated CPU: 30 s) */
	EXPECT_LE(p->itimer[ITIMER_REAL].value_ns, REAL_VALUE_S * 1000000000ULL);
	EXPECT_GT(p->itimer[ITIMER_REAL].value_ns, (REAL_VALUE_S - 30) * 1000000000ULL);
	EXPECT_EQ(REAL_INTERVAL_S * 1000000000ULL, p->itimer[ITIMER_REAL].interval_ns);
	/*
	 * ITIMER_VIRTUAL: 50 s of CPU time, hardly any used; the process CPU
	 * clock the kernel samples advances by ticks, so the time left may
	 * read a tick (at most 10 ms) more than was set
	 */
	EXPECT_LE(p->itimer[ITIMER_VIRTUAL].value_ns, VIRT_VALUE_S * 1000000000ULL + 10000000);
	EXPECT_GT(p->itimer[ITIMER_VIRTUAL].value_ns, (VIRT_VALUE_S - 10) * 1000000000ULL);
	EXPECT_EQ(0, p->itimer[ITIMER_VIRTUAL].interval_ns);
	EXPECT_EQ(0, p->itimer[ITIMER_PROF].value_ns);
	EXPECT_EQ(getuid(), p->uid);
	EXPECT_EQ(geteuid(), p->euid);
	EXPECT_EQ(geteuid(), p->suid);
	EXPECT_EQ(geteuid(), p->fsuid);
	EXPECT_EQ(getgid(), p->gid);
	EXPECT_EQ(getegid(), p->egid);
	ng = getgroups(256, groups);
	ASSERT_LE(0, ng);
	EXPECT_EQ(ng, st->proc.nr_groups);
	for (i = 0; i < ng && i < (int)st->proc.nr_groups; i++)
		EXPECT_EQ(groups[i], st->proc.groups[i]);
	if (geteuid() == 0) {
		EXPECT_NE(0, p->cap_effective);
		EXPECT_EQ(p->cap_permitted, p->cap_effective);
	}
	EXPECT_NE(0, p->cap_bset);
	/* the layout fields, as /proc/PID/stat shows them */
	EXPECT_EQ(ps_stat_field(w->pid, 26), p->start_code);
	EXPECT_EQ(ps_stat_field(w->pid, 27), p->end_code);
	EXPECT_EQ(ps_stat_field(w->pid, 28), p->start_stack);
	EXPECT_EQ(ps_stat_field(w->pid, 45), p->start_data);
	EXPECT_EQ(ps_stat_field(w->pid, 46), p->end_data);
	EXPECT_EQ(ps_stat_field(w->pid, 47), p->start_brk);
	EXPECT_EQ(ps_stat_field(w->pid, 48), p->arg_start);
	EXPECT_EQ(ps_stat_field(w->pid, 49), p->arg_end);
	EXPECT_EQ(ps_stat_field(w->pid, 50), p->env_start);
	EXPECT_EQ(ps_stat_field(w->pid, 51), p->env_end);
	EXPECT_LE(p->start_brk, p->brk);
	EXPECT_NE(0, p->brk);
	/* the auxiliary vector, byte for byte */
	n = ps_read_proc(w->pid, "auxv", buf, sizeof(buf));
	ASSERT_LT(0, n);
	ASSERT_NE(NULL, st->proc.auxv);
	EXPECT_EQ(n, st->proc.nr_auxv * 16);
	EXPECT_EQ(0, memcmp(buf, st->proc.auxv, n < st->proc.nr_auxv * 16 ? n : st->proc.nr_auxv * 16));
	/* paths */
	snprintf(path, sizeof(path), "/proc/%d/exe", w->pid);
	n = readlink(path, (char *)buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = 0;
	ASSERT_NE(NULL, st->proc.exe);
	EXPECT_STREQ((char *)buf, st->proc.exe);
	ASSERT_EQ(0, stat(st->proc.exe, &sb));
	EXPECT_EQ(sb.st_ino, p->exe_ino);
	EXPECT_EQ(sb.st_dev, p->exe_dev);
	ASSERT_NE(NULL, st->proc.cwd);
	EXPECT_STREQ(w->dir, st->proc.cwd);
	ASSERT_NE(NULL, st->proc.root);
	EXPECT_STREQ("/", st->proc.root);

	/* POSIX timers */
	EXPECT_EQ(2, p->nr_posix_timers);
	ASSERT_EQ(2, st->proc.nr_timers);
	for (i = 0; i < 2; i++) {
		const struct ttrec_posix_timer *t = &st->proc.timers[i];

		if (t->id == (int)w->ptimer_mono) {
			EXPECT_EQ(CLOCK_MONOTONIC, t->clockid);
			EXPECT_EQ(SIGEV_SIGNAL, t->notify);
			EXPECT_EQ(SIGUSR2, t->signo);
			EXPECT_EQ(PTIMER_VALUE, t->value);
			EXPECT_EQ(w->pid, t->target);
			EXPECT_EQ(0, t->flags);
			EXPECT_LE(t->value_ns, PTIMER_MONO_S * 1000000000ULL);
			EXPECT_GT(t->value_ns, (PTIMER_MONO_S - 30) * 1000000000ULL);
			EXPECT_EQ(5 * 1000000000ULL, t->interval_ns);
		} else {
			EXPECT_EQ((int)w->ptimer_cpu, t->id);
			/* glibc asks for MAKE_PROCESS_CPUCLOCK(0, CPUCLOCK_SCHED) */
			EXPECT_EQ((int)(~0U << 3 | 2), t->clockid);
			EXPECT_EQ(SIGEV_NONE, t->notify);
			EXPECT_EQ(w->pid, t->target);
			EXPECT_EQ(0, t->interval_ns);
			if (from_proc) {
				EXPECT_EQ(0, t->flags);
				EXPECT_LE(t->value_ns, PTIMER_CPU_S * 1000000000ULL);
				EXPECT_GT(t->value_ns, (PTIMER_CPU_S - 10) * 1000000000ULL);
			} else {
				EXPECT_EQ(TTREC_PTIMER_VALUE_UNKNOWN, t->flags);
			}
		}
	}

	/* ---- signals of the process */
	ASSERT_NE(NULL, a);
	EXPECT_EQ(w->handler, a[SIGUSR1 - 1].handler);
	EXPECT_EQ(SA_SIGINFO | SA_RESTART | SA_ONSTACK,
		  a[SIGUSR1 - 1].flags & (SA_SIGINFO | SA_RESTART | SA_ONSTACK | SA_RESETHAND));
	EXPECT_NE(0, a[SIGUSR1 - 1].restorer);	/* glibc's, with SA_RESTORER */
	EXPECT_EQ(sigbit(SIGUSR2) | sigbit(SIGTERM), a[SIGUSR1 - 1].mask);
	EXPECT_EQ((uintptr_t)SIG_IGN, a[SIGUSR2 - 1].handler);
	EXPECT_EQ(w->hup, a[SIGHUP - 1].handler);
	EXPECT_EQ(SA_RESETHAND | SA_NODEFER, a[SIGHUP - 1].flags & (SA_RESETHAND | SA_NODEFER));
	EXPECT_EQ((uintptr_t)SIG_DFL, a[SIGINT - 1].handler);
	EXPECT_EQ((uintptr_t)SIG_DFL, a[SIGKILL - 1].handler);
	EXPECT_EQ(sigbit(SIGUSR1), p->shared_pending);
	ASSERT_EQ(1, st->proc.nr_pending);
	EXPECT_EQ(SIGUSR1, st->proc.pending[0].si_signo);
	EXPECT_EQ(SI_QUEUE, st->proc.pending[0].si_code);
	EXPECT_EQ(SHARED_VALUE, st->proc.pending[0].si_value.sival_int);
	EXPECT_EQ(w->pid, st->proc.pending[0].si_pid);

	/* ---- the threads */
	EXPECT_EQ(2, st->nr_threads);
	mt = ps_thread(st, w->pid);
	wt = ps_thread(st, w->worker_tid);
	ASSERT_NE(NULL, mt);
	ASSERT_NE(NULL, wt);
	ASSERT_TRUE(mt->has_state);
	ASSERT_TRUE(wt->has_state);
	EXPECT_EQ(w->main_altstack, mt->t.sas_sp);
	EXPECT_EQ(MAIN_ALTSTACK_SIZE, mt->t.sas_size);
	EXPECT_EQ(0, mt->t.sas_flags);
	EXPECT_EQ(w->worker_altstack, wt->t.sas_sp);
	EXPECT_EQ(WORKER_ALTSTACK_SIZE, wt->t.sas_size);
	EXPECT_EQ(SS_AUTODISARM, wt->t.sas_flags);
	EXPECT_EQ(w->clear_tid, mt->t.clear_child_tid);
	EXPECT_NE(0, wt->t.clear_child_tid);		/* glibc's, for pthread_join */
	EXPECT_EQ(w->main_robust, mt->t.robust_list);
	EXPECT_EQ(w->worker_robust, wt->t.robust_list);
	EXPECT_EQ(24, mt->t.robust_list_len);
	if (__rseq_size) {
		EXPECT_EQ(w->main_rseq, mt->t.rseq);
		EXPECT_EQ(w->worker_rseq, wt->t.rseq);
		EXPECT_EQ(RSEQ_SIG, mt->t.rseq_sig);
		EXPECT_LE(__rseq_size, mt->t.rseq_len);
		EXPECT_EQ(32, mt->t.rseq_len);
	}
	EXPECT_EQ(SIGKILL, mt->t.pdeath_signal);
	EXPECT_EQ(0, wt->t.pdeath_signal);
	EXPECT_STREQ(MAIN_NAME, (const char *)mt->t.comm);
	EXPECT_STREQ(WORKER_NAME, (const char *)wt->t.comm);
	EXPECT_EQ(sigbit(MAIN_SIG), mt->t.pending);
	ASSERT_EQ(1, mt->nr_pending);
	EXPECT_EQ(MAIN_SIG, mt->pending[0].si_signo);
	EXPECT_EQ(MAIN_VALUE, mt->pending[0].si_value.sival_int);
	EXPECT_EQ(sigbit(WORKER_SIG), wt->t.pending);
	ASSERT_EQ(2, wt->nr_pending);
	EXPECT_EQ(WORKER_VALUE, wt->pending[0].si_value.sival_int);
	EXPECT_EQ(WORKER_VALUE + 1, wt->pending[1].si_value.sival_int);
	EXPECT_EQ(SI_QUEUE, wt->pending[1].si_code);
	EXPECT_EQ(0, mt->t.seccomp_mode);
	EXPECT_NE(0, mt->t.timer_slack_ns);

	/* ---- descriptors */
	EXPECT_EQ(st->nr_fds, st->fds_total);
	EXPECT_EQ(0, st->fds_state);
	EXPECT_EQ(ps_count_fds(w->pid), st->nr_fds);
	for (i = 0; i < (int)st->nr_fds; i++) {
		ASSERT_EQ(0, ps_fd_stat(w->pid, st->fds[i].h.fd, &sb)) TH_LOG("fd %d", st->fds[i].h.fd);
		EXPECT_EQ(sb.st_ino, st->fds[i].h.ino) TH_LOG("fd %d", st->fds[i].h.fd);
		EXPECT_EQ(sb.st_dev, st->fds[i].h.dev) TH_LOG("fd %d", st->fds[i].h.fd);
		EXPECT_EQ(sb.st_mode, st->fds[i].h.mode) TH_LOG("fd %d", st->fds[i].h.fd);
	}

	f = ps_fd(st, FD_FILE);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_REG, f->h.kind);
	EXPECT_EQ(TTREC_FDF_CLOEXEC | TTREC_FDF_READ | TTREC_FDF_WRITE, f->h.flags);
	EXPECT_EQ(O_RDWR, f->h.f_flags & (O_ACCMODE | O_APPEND | O_CLOEXEC | O_PATH));
	EXPECT_EQ(FILE_POS, f->h.pos);
	EXPECT_EQ(FILE_BYTES, f->h.size_bytes);
	snprintf(path, sizeof(path), "%s/file", w->dir);
	ASSERT_NE(NULL, f->path);
	EXPECT_STREQ(path, f->path);
	ASSERT_EQ(0, stat(path, &sb));
	EXPECT_EQ(sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec, f->h.mtime_ns);
	EXPECT_EQ(S_IFREG | 0640, f->h.mode);

	f = ps_fd(st, FD_DIR);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_DIR, f->h.kind);
	EXPECT_EQ(TTREC_FDF_READ, f->h.flags);
	EXPECT_STREQ(w->dir, f->path);

	/* the pipe: both ends pair up, the bytes once, unread */
	f = ps_fd(st, FD_PIPE_R);
	g = ps_fd(st, FD_PIPE_W);
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, g);
	EXPECT_EQ(TTREC_FD_PIPE, f->h.kind);
	EXPECT_EQ(TTREC_FD_PIPE, g->h.kind);
	EXPECT_EQ(TTREC_FDF_READ, f->h.flags);
	EXPECT_EQ(TTREC_FDF_WRITE, g->h.flags);
	ASSERT_NE(0, f->has & IMG_FD_HAS_PIPE);
	ASSERT_NE(0, g->has & IMG_FD_HAS_PIPE);
	EXPECT_EQ(f->pipe.id, g->pipe.id);
	EXPECT_EQ(f->h.ino, f->pipe.id);
	EXPECT_EQ(PIPE_SIZE, f->pipe.capacity);
	EXPECT_EQ(PIPE_BYTES, f->pipe.bytes);
	EXPECT_EQ(PIPE_BYTES, g->pipe.bytes);
	EXPECT_EQ(FD_PIPE_R, f->pipe.data_fd);
	EXPECT_EQ(FD_PIPE_R, g->pipe.data_fd);
	EXPECT_EQ(TTREC_PIPE_DATA, f->pipe.flags & ~(from_proc ? TTREC_PIPE_COUNTS_UNKNOWN : 0));
	EXPECT_EQ(0, g->has & IMG_FD_HAS_PIPE_DATA);
	if (!from_proc) {
		EXPECT_EQ(1, f->pipe.readers);
		EXPECT_EQ(1, f->pipe.writers);
	}
	ASSERT_NE(0, f->has & IMG_FD_HAS_PIPE_DATA);
	ASSERT_EQ(PIPE_BYTES, f->pipe_data_len);
	ps_fill(want, PIPE_BYTES, 7);
	EXPECT_EQ(0, memcmp(want, f->pipe_data, PIPE_BYTES));
	snprintf(path, sizeof(path), "pipe:[%llu]", (unsigned long long)f->pipe.id);
	EXPECT_STREQ(path, f->path);

	f = ps_fd(st, FD_FIFO);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_FIFO, f->h.kind);
	EXPECT_EQ(TTREC_FDF_READ | TTREC_FDF_WRITE, f->h.flags);
	EXPECT_NE(0, f->h.f_flags & O_NONBLOCK);
	ASSERT_NE(0, f->has & IMG_FD_HAS_PIPE_DATA);
	ASSERT_EQ(10, f->pipe_data_len);
	EXPECT_EQ(0, memcmp("fifo bytes", f->pipe_data, 10));
	snprintf(path, sizeof(path), "%s/fifo", w->dir);
	EXPECT_STREQ(path, f->path);

	f = ps_fd(st, FD_EVENTFD);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_EVENTFD, f->h.kind);
	ASSERT_NE(0, f->has & IMG_FD_HAS_EVENTFD);
	EXPECT_EQ(EVENTFD_INIT + 5, f->eventfd.count);
	if (!(f->eventfd.flags & TTREC_EVENTFD_SEMAPHORE_UNKNOWN))
		EXPECT_EQ(TTREC_EVENTFD_SEMAPHORE, f->eventfd.flags);
	EXPECT_NE(0, f->h.f_flags & O_NONBLOCK);
	EXPECT_STREQ("anon_inode:[eventfd]", f->path);

	f = ps_fd(st, FD_TIMERFD);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_TIMERFD, f->h.kind);
	ASSERT_NE(0, f->has & IMG_FD_HAS_TIMERFD);
	EXPECT_EQ(CLOCK_MONOTONIC, f->timerfd.clockid);
	EXPECT_EQ(0, f->timerfd.ticks);
	EXPECT_LE(f->timerfd.value_ns, 100 * 1000000000ULL);
	EXPECT_GT(f->timerfd.value_ns, 70 * 1000000000ULL);
	EXPECT_EQ(3 * 1000000000ULL, f->timerfd.interval_ns);
	EXPECT_EQ(TTREC_FDF_CLOEXEC | TTREC_FDF_READ, f->h.flags & (TTREC_FDF_CLOEXEC | TTREC_FDF_READ));
	f = ps_fd(st, FD_TIMERFD_FIRED);
	ASSERT_NE(NULL, f);
	ASSERT_NE(0, f->has & IMG_FD_HAS_TIMERFD);
	EXPECT_EQ(CLOCK_REALTIME, f->timerfd.clockid);
	EXPECT_EQ(1, f->timerfd.ticks);
	EXPECT_EQ(0, f->timerfd.value_ns);

	f = ps_fd(st, FD_SIGNALFD);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_SIGNALFD, f->h.kind);
	ASSERT_NE(0, f->has & IMG_FD_HAS_SIGNALFD);
	EXPECT_EQ(sigbit(SIGUSR2) | sigbit(SIGWINCH), f->signalfd.sigmask);

	f = ps_fd(st, FD_EPOLL);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_EPOLL, f->h.kind);
	EXPECT_EQ(TTREC_FDF_CLOEXEC | TTREC_FDF_READ, f->h.flags & (TTREC_FDF_CLOEXEC | TTREC_FDF_READ));
	ASSERT_EQ(3, f->nr_epoll);
	for (i = 0; i < 3; i++) {
		static const struct { int fd; uint32_t events; uint64_t data; } e[] = {
			{ FD_PIPE_R, EPOLLIN, EPOLL_DATA_PIPE },
			{ FD_EVENTFD, EPOLLIN | EPOLLET, EPOLL_DATA_EVENTFD },
			{ FD_TCP_LISTEN, EPOLLIN | EPOLLONESHOT, EPOLL_DATA_TCP },
		};
		const struct ttrec_fd_epoll_item *it = NULL;
		int k;

		for (k = 0; k < 3; k++)
			if (f->epoll[k].tfd == e[i].fd)
				it = &f->epoll[k];
		ASSERT_NE(NULL, it) TH_LOG("epoll item for fd %d", e[i].fd);
		EXPECT_EQ(e[i].events, it->events & ~(uint32_t)(EPOLLERR | EPOLLHUP));
		EXPECT_EQ(e[i].data, it->data);
		ASSERT_EQ(0, ps_fd_stat(w->pid, e[i].fd, &sb));
		EXPECT_EQ(sb.st_ino, it->ino);
		EXPECT_EQ(sb.st_dev, it->dev);
	}

	f = ps_fd(st, FD_MEMFD);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_MEMFD, f->h.kind);
	ASSERT_NE(0, f->has & IMG_FD_HAS_MEMFD);
	EXPECT_STREQ(MEMFD_NAME, (const char *)f->memfd.name);
	EXPECT_EQ(F_SEAL_SHRINK | F_SEAL_GROW, f->memfd.seals);
	EXPECT_EQ(0, f->memfd.flags);
	EXPECT_EQ(MEMFD_BYTES, f->h.size_bytes);
	EXPECT_EQ(0, strncmp("/memfd:" MEMFD_NAME, f->path, strlen("/memfd:" MEMFD_NAME)));

	f = ps_fd(st, FD_TCP_LISTEN);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_SOCKET, f->h.kind);
	ASSERT_NE(0, f->has & IMG_FD_HAS_SOCKET);
	EXPECT_EQ(from_proc, !!(f->sock.flags & TTREC_SOCK_INCOMPLETE));
	EXPECT_EQ(AF_INET, f->sock.family);
	EXPECT_EQ(SOCK_STREAM, f->sock.type);
	EXPECT_EQ(IPPROTO_TCP, f->sock.protocol);
	EXPECT_EQ(10, f->sock.state);			/* TCP_LISTEN */
	EXPECT_EQ(TCP_BACKLOG, f->sock.backlog);
	EXPECT_EQ(0, f->sock.queued);
	EXPECT_EQ(f->h.ino, f->sock.ino);
	EXPECT_NE(0, f->sock.flags & TTREC_SOCK_REUSEADDR);
	EXPECT_EQ(sizeof(struct sockaddr_in), f->sock.local_len);
	memcpy(&sin, f->sock.local, sizeof(sin));
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(w->tcp_port, ntohs(sin.sin_port));
	EXPECT_EQ(htonl(INADDR_LOOPBACK), sin.sin_addr.s_addr);
	EXPECT_EQ(0, f->sock.peer_len);
	snprintf(path, sizeof(path), "socket:[%llu]", (unsigned long long)f->h.ino);
	EXPECT_STREQ(path, f->path);

	f = ps_fd(st, FD_UNIX_LISTEN);
	ASSERT_NE(NULL, f);
	ASSERT_NE(0, f->has & IMG_FD_HAS_SOCKET);
	EXPECT_EQ(AF_UNIX, f->sock.family);
	EXPECT_EQ(SOCK_STREAM, f->sock.type);
	EXPECT_EQ(10, f->sock.state);
	/* without the module, unix_diag tells the rest: the VM's kernels have
	 * it as a module, not loaded there */
	unix_known = !(f->sock.flags & TTREC_SOCK_INCOMPLETE);
	EXPECT_TRUE(unix_known || from_proc);
	if (unix_known)
		EXPECT_EQ(UNIX_BACKLOG, f->sock.backlog);
	memset(&sun, 0, sizeof(sun));
	memcpy(&sun, f->sock.local, f->sock.local_len);
	snprintf(path, sizeof(path), "%s/sock", w->dir);
	EXPECT_EQ(AF_UNIX, sun.sun_family);
	EXPECT_STREQ(path, sun.sun_path);

	f = ps_fd(st, FD_PAIR_A);
	g = ps_fd(st, FD_PAIR_B);
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, g);
	ASSERT_NE(0, f->has & IMG_FD_HAS_SOCKET);
	ASSERT_NE(0, g->has & IMG_FD_HAS_SOCKET);
	if (unix_known) {
		EXPECT_EQ(g->sock.ino, f->sock.peer_ino);
		EXPECT_EQ(f->sock.ino, g->sock.peer_ino);
	} else {
		EXPECT_NE(0, f->sock.flags & TTREC_SOCK_INCOMPLETE);
		EXPECT_EQ(0, f->sock.peer_ino);
	}
	EXPECT_EQ(1, f->sock.state);			/* TCP_ESTABLISHED */
	EXPECT_EQ(3, f->sock.sock_state);		/* SS_CONNECTED */

	f = ps_fd(st, FD_UDP);
	ASSERT_NE(NULL, f);
	ASSERT_NE(0, f->has & IMG_FD_HAS_SOCKET);
	EXPECT_EQ(AF_INET, f->sock.family);
	EXPECT_EQ(SOCK_DGRAM, f->sock.type);
	EXPECT_EQ(IPPROTO_UDP, f->sock.protocol);
	EXPECT_EQ(1, f->sock.state);
	EXPECT_EQ(sizeof(struct sockaddr_in), f->sock.peer_len);
	memcpy(&sin, f->sock.peer, sizeof(sin));
	EXPECT_EQ(UDP_PEER_PORT, ntohs(sin.sin_port));
	EXPECT_EQ(htonl(INADDR_LOOPBACK), sin.sin_addr.s_addr);

	f = ps_fd(st, FD_NULL);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_CHR, f->h.kind);
	EXPECT_EQ(makedev(1, 3), f->h.rdev);
	EXPECT_STREQ("/dev/null", f->path);
	EXPECT_EQ(TTREC_FDF_WRITE, f->h.flags);

	f = ps_fd(st, FD_PTMX);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_TTY, f->h.kind);
	f = ps_fd(st, FD_PTS);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_TTY, f->h.kind);
	EXPECT_EQ(0, strncmp("/dev/pts/", f->path, 9));

	f = ps_fd(st, FD_PIDFD);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_PIDFD, f->h.kind);
	ASSERT_NE(0, f->has & IMG_FD_HAS_PIDFD);
	EXPECT_EQ(getpid(), f->pidfd.pid);
	EXPECT_EQ(0, f->pidfd.flags);

	f = ps_fd(st, FD_INOTIFY);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_OTHER, f->h.kind);
	EXPECT_STREQ("anon_inode:inotify", f->path);
	ASSERT_NE(0, f->has & IMG_FD_HAS_FDINFO);
	EXPECT_NE(NULL, strstr(f->fdinfo, "inotify wd:")) TH_LOG("%s", f->fdinfo);

	f = ps_fd(st, FD_OPATH);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TTREC_FD_REG, f->h.kind);
	EXPECT_NE(0, f->h.f_flags & O_PATH);
	snprintf(path, sizeof(path), "%s/file", w->dir);
	EXPECT_STREQ(path, f->path);
	EXPECT_EQ(IMG_FD_HAS_PATH, f->has);
}

#endif
