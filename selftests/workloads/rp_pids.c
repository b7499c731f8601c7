// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: pids. What the program learns about processes by their
 * pids, and what it does to them by their pids, with other recorded
 * processes (its children, a sibling made with CLONE_PARENT, a grandchild,
 * a thread's child) and an outside one. Every check prints "ok NAME" or
 * "BAD NAME: ..." with what it got, so the workload verifies itself; a
 * replay must print the same. argv[1]:
 *
 *   lock FILE [OUTSIDE]  fcntl(F_GETLK) and F_OFD_GETLK name the child
 *            holding a lock on FILE (and the outside process holding
 *            OUTSIDE, made by `rp_pids hold OUTSIDE`), flock conflicts,
 *            F_SETOWN/F_GETOWN and F_SETOWN_EX/F_GETOWN_EX
 *   wait     wait4 and waitid of a pid, of -pgid, of 0, of a pidfd, of a
 *            sibling made by CLONE_PARENT, of a grandchild (subreaper), of
 *            a thread's child, of a child killed by a signal, and the
 *            same waits in a child and in a thread (__WNOTHREAD); then
 *            access("rp_pids-reaped") marks the point where every child is
 *            reaped
 *   sig      siginfo (si_pid, si_uid, si_status, si_value) seen by
 *            SA_SIGINFO handlers: SIGCHLD, signals between parent and
 *            child, a signal to itself, sigqueue
 *   proc     /proc/PID paths of itself and of its child: output through
 *            /proc/PID/fd/1, chdir("/proc/PID/cwd") and the mmap of a file
 *            found there (the directory holds pf, "pids"), the mmap of
 *            /proc/PID/exe
 *   misc     getpgid, setpgid, getsid, sched_setaffinity, prlimit64,
 *            process_vm_readv, kcmp, ioprio_set, pidfd_send_signal and
 *            SCM_CREDENTIALS of or with a child
 *   prctl    PR_SET_CHILD_SUBREAPER and PR_SET_PDEATHSIG as their getters
 *            see them; an orphaned grandchild reaped by the subreaper
 *   robust   a thread ends holding a robust mutex: the next lock gets
 *            EOWNERDEAD (the kernel marks the word that holds the tid)
 *   hold FILE  (not recorded) lock FILE, print "held", sleep until killed
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rp_common.h"

#ifndef P_PIDFD
#define P_PIDFD		3
#endif
#define KCMP_VM		1
#define IOPRIO_WHO_PROCESS	1
#define IOPRIO_PRIO_VALUE(c, d)	(((c) << 13) | (d))

/*
 * A child that reads the pipe it makes in @p until the write end, which
 * the caller keeps (p[1]), is closed; then it exits @code.
 */
static pid_t child_waiting(int p[2], int code)
{
	pid_t c;
	char b;

	if (pipe(p))
		exit(1);
	c = fork();
	if (c == 0) {
		close(p[1]);
		while (read(p[0], &b, 1) > 0)
			;
		_exit(code);
	}
	close(p[0]);
	return c;
}

/* ------------------------------------------------------------------- lock */

static int getlk(int fd, int cmd, struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = F_WRLCK;
	fl->l_whence = SEEK_SET;
	fl->l_start = 0;
	fl->l_len = 10;
	return fcntl(fd, cmd, fl);
}

static int do_lock(const char *file, const char *outside)
{
	int fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644), ready[2], go[2];
	struct f_owner_ex ox = { F_OWNER_TID, 0 };
	struct flock fl;
	pid_t c;
	char b;

	if (fd < 0 || pipe(ready) || pipe(go))
		return 1;
	c = fork();
	if (c == 0) {
		int f2 = open(file, O_RDWR | O_CLOEXEC);
		struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };

		if (f2 < 0 || fcntl(f2, F_SETLK, &l) || flock(f2, LOCK_EX))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		close(go[1]);
		while (read(go[0], &b, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &b, 1) != 1)
		return 1;
	check("F_GETLK", !getlk(fd, F_GETLK, &fl) && fl.l_type == F_WRLCK && fl.l_pid == c,
	      "type %d pid %d, child %d", fl.l_type, fl.l_pid, c);
	printf("F_GETLK holder %d\n", fl.l_pid);
	check("F_OFD_GETLK", !getlk(fd, F_OFD_GETLK, &fl) && fl.l_type == F_WRLCK &&
	      fl.l_pid == c, "type %d pid %d, child %d", fl.l_type, fl.l_pid, c);
	check("flock", flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK, "%m");
	check("F_SETOWN", !fcntl(fd, F_SETOWN, c) && fcntl(fd, F_GETOWN) == c,
	      "owner %d, child %d", fcntl(fd, F_GETOWN), c);
	ox.pid = gettid();
	check("F_SETOWN_EX", !fcntl(fd, F_SETOWN_EX, &ox) && !fcntl(fd, F_GETOWN_EX, &ox) &&
	      ox.type == F_OWNER_TID && ox.pid == gettid(), "owner %d, self %d", ox.pid,
	      gettid());
	close(go[1]);
	check("wait lock child", waitpid(c, NULL, 0) == c, "%m");
	if (outside) {
		int fo = open(outside, O_RDWR | O_CLOEXEC);

		check("F_GETLK outside", fo >= 0 && !getlk(fo, F_GETLK, &fl) &&
		      fl.l_type == F_WRLCK && fl.l_pid > 0 && fl.l_pid != getpid(),
		      "type %d pid %d", fl.l_type, fl.l_pid);
		printf("F_GETLK outside holder %d\n", fl.l_pid);
	}
	return 0;
}

static int do_hold(const char *file)
{
	int fd = open(file, O_RDWR | O_CREAT, 0644);
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };

	if (fd < 0 || fcntl(fd, F_SETLK, &l))
		return 1;
	printf("held\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* ------------------------------------------------------------------- wait */

static void *thread_fork(void *arg)
{
	pid_t c = fork();

	if (c == 0)
		_exit(10);
	*(pid_t *)arg = c;
	return NULL;
}

static int clone_parent_child(void *arg)
{
	_exit(8);
}

/* A thread's child, reaped by that thread alone (__WNOTHREAD). */
static void *thread_fork_wait(void *arg)
{
	pid_t c = fork();
	int st = -1;

	if (c == 0)
		_exit(16);
	*(int *)arg = waitpid(c, &st, __WNOTHREAD) == c && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 16;
	return NULL;
}

/* In a child: its own children waited for by pid, by -pgid, by 0. */
static int waits_of_a_child(void)
{
	int st = -1;
	pid_t g;

	g = fork();
	if (g == 0)
		_exit(13);
	if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st) != 13)
		return 1;
	g = fork();
	if (g == 0) {
		setpgid(0, 0);
		_exit(14);
	}
	setpgid(g, g);
	if (waitpid(-g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st) != 14)
		return 2;
	g = fork();
	if (g == 0)
		_exit(15);
	if (waitpid(0, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st) != 15)
		return 3;
	return 0;
}

/* @call (a wait for @want, status in st) reaps @want, which exited @code. */
#define check_wait(name, call, want, st, code) do {				\
	pid_t got_ = (call);							\
										\
	check(name, got_ == (want) && WIFEXITED(st) && WEXITSTATUS(st) == (code),\
	      "got %d status %#x, want %d exit %d", got_, st, want, code);	\
} while (0)

static int do_wait(void)
{
	int p[2], st = -1, fd;
	struct rusage ru;
	siginfo_t si;
	pthread_t th;
	pid_t c, mid;

	c = fork();
	if (c == 0)
		_exit(3);
	check_wait("wait4 pid", wait4(c, &st, 0, &ru), c, st, 3);

	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		_exit(4);
	}
	setpgid(c, c);
	check_wait("wait4 -pgid", wait4(-c, &st, 0, NULL), c, st, 4);

	c = fork();
	if (c == 0)
		_exit(5);
	check_wait("wait4 0", wait4(0, &st, 0, NULL), c, st, 5);

	c = fork();
	if (c == 0)
		_exit(6);
	memset(&si, 0, sizeof(si));
	check("waitid WNOWAIT", !waitid(P_PID, c, &si, WEXITED | WNOWAIT) && si.si_pid == c,
	      "si_pid %d, child %d", si.si_pid, c);
	memset(&si, 0, sizeof(si));
	check("waitid P_PID", !waitid(P_PID, c, &si, WEXITED) && si.si_pid == c &&
	      si.si_status == 6, "si_pid %d status %d, child %d", si.si_pid, si.si_status, c);

	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		_exit(7);
	}
	setpgid(c, c);
	memset(&si, 0, sizeof(si));
	check("waitid P_PGID", !waitid(P_PGID, c, &si, WEXITED) && si.si_pid == c,
	      "si_pid %d, child %d", si.si_pid, c);

	c = child_waiting(p, 11);
	fd = syscall(SYS_pidfd_open, c, 0);
	close(p[1]);
	memset(&si, 0, sizeof(si));
	check("waitid P_PIDFD", fd >= 0 && !waitid(P_PIDFD, fd, &si, WEXITED) &&
	      si.si_pid == c && si.si_status == 11, "si_pid %d, child %d", si.si_pid, c);
	close(fd);

	/* a child makes a sibling of its own (CLONE_PARENT): ours to reap */
	if (pipe(p))
		return 1;
	mid = fork();
	if (mid == 0) {
		static char stack[65536];
		pid_t s = clone(clone_parent_child, stack + sizeof(stack),
				CLONE_PARENT | SIGCHLD, NULL);

		if (write(p[1], &s, sizeof(s)) != sizeof(s))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	c = 0;
	if (read(p[0], &c, sizeof(c)) != sizeof(c))
		return 1;
	close(p[0]);
	check_wait("wait4 mid", waitpid(mid, &st, 0), mid, st, 0);
	check_wait("wait4 CLONE_PARENT sibling", waitpid(c, &st, 0), c, st, 8);

	/* a grandchild, orphaned: ours as the subreaper */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pipe(p))
		return 1;
	mid = fork();
	if (mid == 0) {
		int q[2];
		pid_t g = child_waiting(q, 9);

		if (write(p[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		_exit(0);	/* closes q[1]: the grandchild exits */
	}
	close(p[1]);
	if (read(p[0], &c, sizeof(c)) != sizeof(c))
		return 1;
	close(p[0]);
	check_wait("wait4 mid2", waitpid(mid, &st, 0), mid, st, 0);
	/* a subreaper from here on: a zombie a child leaves would be ours */
	check_wait("wait4 grandchild", waitpid(c, &st, 0), c, st, 9);

	/* a thread's child */
	if (pthread_create(&th, NULL, thread_fork, &c) || pthread_join(th, NULL))
		return 1;
	check_wait("wait4 thread's child", waitpid(c, &st, 0), c, st, 10);

	/* a child killed */
	c = child_waiting(p, 12);
	kill(c, SIGTERM);
	st = 0;
	check("wait4 killed", waitpid(c, &st, 0) == c && WIFSIGNALED(st) &&
	      WTERMSIG(st) == SIGTERM, "status %#x", st);
	close(p[1]);

	/* the waits of a child, of a thread */
	mid = fork();
	if (mid == 0)
		_exit(waits_of_a_child());
	check_wait("waits in a child", waitpid(mid, &st, 0), mid, st, 0);
	fd = 0;
	if (pthread_create(&th, NULL, thread_fork_wait, &fd) || pthread_join(th, NULL))
		return 1;
	check("wait4 of a thread's own child", fd, "not reaped");

	check("no child left", waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "%m");
	access("rp_pids-reaped", F_OK);
	return 0;
}

/* -------------------------------------------------------------------- sig */

/* What the handler saw, by signal (several may run back to back). */
static volatile sig_atomic_t seen[_NSIG];
static siginfo_t seen_si[_NSIG], last_si;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	seen_si[sig] = *si;
	seen[sig] = 1;
}

/* Wait (sigsuspend) until the handler of @sig ran; its siginfo in last_si. */
static void wait_sig(int sig, const sigset_t *during)
{
	while (!seen[sig])
		sigsuspend(during);
	seen[sig] = 0;
	last_si = seen_si[sig];
}

static int do_sig(void)
{
	struct sigaction sa;
	sigset_t block, none;
	pid_t c, self = getpid();
	int st = 0;
	union sigval v = { .sival_int = 42 };

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGRTMIN, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &block, &none);

	/* SIGCHLD of a child's exit */
	c = fork();
	if (c == 0)
		_exit(7);
	wait_sig(SIGCHLD, &none);
	check("SIGCHLD si_pid", last_si.si_pid == c && last_si.si_code == CLD_EXITED &&
	      last_si.si_status == 7, "si_pid %d code %d status %d, child %d",
	      last_si.si_pid, last_si.si_code, last_si.si_status, c);
	printf("SIGCHLD from %d\n", last_si.si_pid);
	waitpid(c, NULL, 0);

	/* a signal to itself */
	kill(self, SIGUSR2);
	wait_sig(SIGUSR2, &none);
	check("self si_pid", last_si.si_pid == self && last_si.si_code == SI_USER &&
	      last_si.si_uid == getuid(), "si_pid %d code %d uid %d, self %d",
	      last_si.si_pid, last_si.si_code, last_si.si_uid, self);

	/* from a child: kill, then sigqueue with a value */
	c = fork();
	if (c == 0) {
		kill(getppid(), SIGUSR1);
		sigqueue(getppid(), SIGRTMIN, v);
		_exit(0);
	}
	wait_sig(SIGUSR1, &none);
	check("child's kill si_pid", last_si.si_pid == c && last_si.si_code == SI_USER,
	      "si_pid %d code %d, child %d", last_si.si_pid, last_si.si_code, c);
	wait_sig(SIGRTMIN, &none);
	check("child's sigqueue", last_si.si_pid == c && last_si.si_code == SI_QUEUE &&
	      last_si.si_value.sival_int == 42, "si_pid %d code %d value %d, child %d",
	      last_si.si_pid, last_si.si_code, last_si.si_value.sival_int, c);
	wait_sig(SIGCHLD, &none);
	waitpid(c, NULL, 0);

	/* to a child: it checks the sender is its parent */
	c = fork();
	if (c == 0) {
		wait_sig(SIGUSR2, &none);
		_exit(last_si.si_pid == getppid() && last_si.si_code == SI_USER ? 0 : 1);
	}
	kill(c, SIGUSR2);
	wait_sig(SIGCHLD, &none);
	waitpid(c, &st, 0);
	check("parent's kill si_pid", WIFEXITED(st) && !WEXITSTATUS(st), "child status %#x", st);
	return 0;
}

/* ------------------------------------------------------------------- proc */

/* fstat and mmap @fd; its first @n bytes into @out. */
static int map_head(int fd, char *out, size_t n)
{
	struct stat sb;
	char *m;

	memset(out, 0, n);
	if (fd < 0 || fstat(fd, &sb) || sb.st_size < (off_t)n)
		return -1;
	m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	memcpy(out, m, n);
	munmap(m, n);
	close(fd);
	return 0;
}

static int do_proc(void)
{
	char path[64], head[4], cwd[4096];
	int fd, p[2];
	pid_t c;

	/* appended, both: a line must not overwrite another when stdout is a file */
	fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_APPEND);
	snprintf(path, sizeof(path), "/proc/%d/fd/1", getpid());
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		dprintf(fd, "written through /proc/PID/fd/1\n");
		close(fd);
	}
	check("open /proc/PID/fd/1", fd >= 0, "%m");

	if (!getcwd(cwd, sizeof(cwd)))
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/cwd", getpid());
	check("chdir /proc/PID/cwd", !chdir(path), "%m");
	map_head(open("pf", O_RDONLY | O_CLOEXEC), head, 4);
	check("mmap pf there", !memcmp(head, "pids", 4), "head %.4s", head);
	if (chdir(cwd))
		return 1;

	snprintf(path, sizeof(path), "/proc/%d/exe", getpid());
	map_head(open(path, O_RDONLY | O_CLOEXEC), head, 4);
	check("mmap /proc/PID/exe", !memcmp(head, "\177ELF", 4), "head %.4s", head);

	/* the same of a child */
	c = child_waiting(p, 0);
	snprintf(path, sizeof(path), "/proc/%d/exe", c);
	map_head(open(path, O_RDONLY | O_CLOEXEC), head, 4);
	check("mmap /proc/CHILD/exe", !memcmp(head, "\177ELF", 4), "head %.4s", head);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/cwd", c, c);
	check("chdir /proc/CHILD/task/CHILD/cwd", !chdir(path), "%m");
	map_head(open("pf", O_RDONLY | O_CLOEXEC), head, 4);
	check("mmap pf in the child's cwd", !memcmp(head, "pids", 4), "head %.4s", head);
	if (chdir(cwd))
		return 1;
	close(p[1]);
	waitpid(c, NULL, 0);
	return 0;
}

/* ------------------------------------------------------------------- misc */

static int peer_value = 1234;

static int do_misc(void)
{
	int p[2], sv[2], one = 1, fd, v = 0;
	struct iovec local = { &v, sizeof(v) }, remote = { &peer_value, sizeof(v) };
	char cbuf[CMSG_SPACE(sizeof(struct ucred))], b;
	struct iovec iov = { &b, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct rlimit rl;
	cpu_set_t cpus;
	siginfo_t si;
	pid_t c;
	long r;

	peer_value = 4321;	/* the child's copy */
	c = child_waiting(p, 0);
	peer_value = 1234;
	check("setpgid child", !setpgid(c, c) && getpgid(c) == c, "pgid %d, child %d",
	      getpgid(c), c);
	check("getsid child", getsid(c) == getsid(0), "sid %d, ours %d", getsid(c), getsid(0));
	CPU_ZERO(&cpus);
	check("sched_getaffinity child", !sched_getaffinity(c, sizeof(cpus), &cpus) &&
	      CPU_COUNT(&cpus) > 0, "%m");
	check("sched_setaffinity child", !sched_setaffinity(c, sizeof(cpus), &cpus), "%m");
	check("prlimit child", !prlimit(c, RLIMIT_NOFILE, NULL, &rl) && rl.rlim_cur > 0, "%m");
	check("process_vm_readv child", process_vm_readv(c, &local, 1, &remote, 1, 0) ==
	      sizeof(v) && v == 4321, "read %d", v);
	r = syscall(SYS_kcmp, getpid(), c, KCMP_VM, 0, 0);
	check("kcmp child", r == 1 || r == 2, "kcmp %ld", r);
	check("ioprio_set child", !syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, c,
					   IOPRIO_PRIO_VALUE(2, 4)) &&
	      syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, c) == IOPRIO_PRIO_VALUE(2, 4), "%m");
	fd = syscall(SYS_pidfd_open, c, 0);
	check("pidfd_send_signal", fd >= 0 && !syscall(SYS_pidfd_send_signal, fd, SIGTERM,
						       NULL, 0), "%m");
	memset(&si, 0, sizeof(si));
	check("waitid P_PIDFD killed", !waitid(P_PIDFD, fd, &si, WEXITED) && si.si_pid == c &&
	      si.si_code == CLD_KILLED && si.si_status == SIGTERM,
	      "si_pid %d code %d status %d", si.si_pid, si.si_code, si.si_status);
	close(fd);
	close(p[1]);

	/* SCM_CREDENTIALS from a child */
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) ||
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		return 1;
	c = fork();
	if (c == 0) {
		struct ucred uc = { getpid(), getuid(), getgid() };
		char cb[CMSG_SPACE(sizeof(uc))];
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb,
				    .msg_controllen = sizeof(cb) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(uc));
		memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
		_exit(sendmsg(sv[1], &m, 0) == 1 ? 0 : 1);
	}
	check("SCM_CREDENTIALS", recvmsg(sv[0], &mh, 0) == 1 && CMSG_FIRSTHDR(&mh) &&
	      ((struct ucred *)CMSG_DATA(CMSG_FIRSTHDR(&mh)))->pid == c, "%m");
	waitpid(c, NULL, 0);
	return 0;
}

/* ------------------------------------------------------------------ prctl */

static int do_prctl(void)
{
	int v = -1, p[2], st = -1;
	pid_t mid, g = 0;

	check("PR_SET_CHILD_SUBREAPER", !prctl(PR_SET_CHILD_SUBREAPER, 1) &&
	      !prctl(PR_GET_CHILD_SUBREAPER, &v) && v == 1, "subreaper %d", v);
	/* an orphan is ours: its parent is this process */
	if (pipe(p))
		return 1;
	mid = fork();
	if (mid == 0) {
		int q[2];
		pid_t c = child_waiting(q, 0);	/* until we exit */

		if (write(p[1], &c, sizeof(c)) != sizeof(c))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &g, sizeof(g)) != sizeof(g))
		return 1;
	close(p[0]);
	check_wait("wait4 orphan's parent", waitpid(mid, &st, 0), mid, st, 0);
	check_wait("wait4 orphan", waitpid(g, &st, 0), g, st, 0);
	check("PR_SET_PDEATHSIG", !prctl(PR_SET_PDEATHSIG, SIGUSR2) &&
	      !prctl(PR_GET_PDEATHSIG, &v) && v == SIGUSR2, "pdeathsig %d", v);
	return 0;
}

/* ----------------------------------------------------------------- robust */

static pthread_mutex_t robust_mu;

static void *lock_and_leave(void *arg)
{
	pthread_mutex_lock(&robust_mu);
	return NULL;		/* ends holding it */
}

static int do_robust(void)
{
	pthread_mutexattr_t a;
	pthread_t th;
	int r;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust_mu, &a);
	if (pthread_create(&th, NULL, lock_and_leave, NULL) || pthread_join(th, NULL))
		return 1;
	r = pthread_mutex_lock(&robust_mu);
	check("robust mutex of a thread gone", r == EOWNERDEAD, "lock: %s", strerror(r));
	if (r == EOWNERDEAD)
		pthread_mutex_consistent(&robust_mu);
	pthread_mutex_unlock(&robust_mu);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "wait";
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "hold") && argc > 2)
		return do_hold(argv[2]);
	if (!strcmp(mode, "lock") && argc > 2)
		err = do_lock(argv[2], argc > 3 ? argv[3] : NULL);
	else if (!strcmp(mode, "wait"))
		err = do_wait();
	else if (!strcmp(mode, "sig"))
		err = do_sig();
	else if (!strcmp(mode, "proc"))
		err = do_proc();
	else if (!strcmp(mode, "misc"))
		err = do_misc();
	else if (!strcmp(mode, "prctl"))
		err = do_prctl();
	else if (!strcmp(mode, "robust"))
		err = do_robust();
	else
		return 2;
	printf("rp_pids %s %s\n", mode, err || nbad ? "FAILED" : "done");
	return err || nbad;
}
