// SPDX-License-Identifier: GPL-2.0
/*
 * A process with known state of every kind a restore needs: signal
 * actions, blocked and pending signals (with siginfo, process-wide and per
 * thread), alternate signal stacks, itimers, umask, limits, working
 * directory, personality, names, parent-death signal, subreaper, THP
 * disable, set_tid_address, and descriptors of every kind at fixed
 * numbers (see the FD_* below). A second thread blocks every signal and
 * has signals of its own pending.
 *
 * usage: procstate DIR
 * DIR must exist and be empty; the workload creates its files there. It
 * prints "KEY VALUE" lines on stdout (what only it can know: addresses,
 * ports, tids), then "ready", and waits for a line on stdin: "q" exits 0,
 * "c" checks that its pending signals are still pending and its pipe
 * still holds its bytes (prints "ok" or "bad WHAT").
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "procstate.h"

static int tid_slot;			/* set_tid_address() target */
static pid_t worker_tid;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

#define DIE(what) do { fprintf(stderr, "procstate: %s: %s\n", what, strerror(errno)); exit(10); } while (0)

static void handler(int sig, siginfo_t *si, void *uc)
{
}

static void hup(int sig)
{
}

static void put(const char *key, unsigned long long v)
{
	printf("%s %#llx\n", key, v);
}

static void rseq_report(const char *who)
{
	char key[64];
	uintptr_t tp;

	__asm__ ("mov %%fs:0, %0" : "=r"(tp));
	snprintf(key, sizeof(key), "%s_rseq", who);
	put(key, __rseq_size ? tp + __rseq_offset : 0);
}

static void robust_report(const char *who)
{
	char key[64];
	void *head;
	size_t len;

	if (syscall(SYS_get_robust_list, 0, &head, &len))
		DIE("get_robust_list");
	snprintf(key, sizeof(key), "%s_robust", who);
	put(key, (uintptr_t)head);
}

static void *worker(void *arg)
{
	stack_t ss = { .ss_size = WORKER_ALTSTACK_SIZE, .ss_flags = SS_AUTODISARM };
	union sigval v;
	sigset_t all;
	int i;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ss.ss_sp == MAP_FAILED || sigaltstack(&ss, NULL))
		DIE("worker sigaltstack");
	prctl(PR_SET_NAME, WORKER_NAME);
	pthread_mutex_lock(&lock);
	put("worker_altstack", (uintptr_t)ss.ss_sp);
	rseq_report("worker");
	robust_report("worker");
	worker_tid = syscall(SYS_gettid);
	/* two of its own pending signals with siginfo */
	for (i = 0; i < 2; i++) {
		siginfo_t si = { .si_signo = WORKER_SIG, .si_code = SI_QUEUE };

		si.si_pid = getpid();
		si.si_uid = getuid();
		v.sival_int = WORKER_VALUE + i;
		si.si_value = v;
		if (syscall(SYS_rt_tgsigqueueinfo, getpid(), worker_tid, WORKER_SIG, &si))
			DIE("worker rt_tgsigqueueinfo");
	}
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	for (;;)
		pause();
	return NULL;
}

static void fd_at(int fd, int want)
{
	if (fd < 0)
		DIE("descriptor");
	if (fd != want) {
		if (dup3(fd, want, (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? O_CLOEXEC : 0) != want)
			DIE("dup3");
		close(fd);
	}
}

static void fill(char *b, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (char)(seed + i * 13 + i / 251);
}

static void descriptors(const char *dir)
{
	char path[512], buf[PIPE_BYTES];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct itimerspec its = { { 3, 0 }, { 100, 0 } };
	struct epoll_event ev;
	socklen_t len = sizeof(sin);
	sigset_t mask;
	int fd, p[2], sv[2], master;
	uint64_t one = 5;

	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	fill(buf, sizeof(buf), 1);
	if (fd < 0 || write(fd, buf, FILE_BYTES) != FILE_BYTES || lseek(fd, FILE_POS, SEEK_SET) != FILE_POS)
		DIE("file");
	fd_at(fd, FD_FILE);
	fd_at(open(dir, O_RDONLY | O_DIRECTORY), FD_DIR);

	if (pipe2(p, 0) || fcntl(p[1], F_SETPIPE_SZ, PIPE_SIZE) < 0)
		DIE("pipe");
	fill(buf, sizeof(buf), 7);
	if (write(p[1], buf, PIPE_BYTES) != PIPE_BYTES)
		DIE("pipe write");
	fd_at(p[0], FD_PIPE_R);
	fd_at(p[1], FD_PIPE_W);

	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600))
		DIE("mkfifo");
	fd = open(path, O_RDWR | O_NONBLOCK);
	if (fd < 0 || write(fd, "fifo bytes", 10) != 10)
		DIE("fifo");
	fd_at(fd, FD_FIFO);

	fd = eventfd(EVENTFD_INIT, EFD_NONBLOCK | EFD_SEMAPHORE);
	if (fd < 0 || write(fd, &one, 8) != 8)
		DIE("eventfd");
	fd_at(fd, FD_EVENTFD);

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL))
		DIE("timerfd");
	fd_at(fd, FD_TIMERFD);
	fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	its = (struct itimerspec){ { 0, 0 }, { 0, 1000000 } };	/* fires at once */
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL))
		DIE("timerfd 2");
	usleep(20000);
	fd_at(fd, FD_TIMERFD_FIRED);

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGWINCH);
	fd_at(signalfd(-1, &mask, SFD_NONBLOCK), FD_SIGNALFD);

	fd = memfd_create(MEMFD_NAME, MFD_ALLOW_SEALING);
	fill(buf, sizeof(buf), 3);
	if (fd < 0 || write(fd, buf, MEMFD_BYTES) != MEMFD_BYTES ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW))
		DIE("memfd");
	fd_at(fd, FD_MEMFD);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	one = 1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, TCP_BACKLOG) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len))
		DIE("tcp");
	put("tcp_port", ntohs(sin.sin_port));
	fd_at(fd, FD_TCP_LISTEN);

	if (strlen(dir) + 6 > sizeof(sun.sun_path))
		DIE("DIR too long for a unix socket path");
	memcpy(sun.sun_path, dir, strlen(dir));
	memcpy(sun.sun_path + strlen(dir), "/sock", 6);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, UNIX_BACKLOG))
		DIE("unix listener");
	fd_at(fd, FD_UNIX_LISTEN);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		DIE("socketpair");
	fd_at(sv[0], FD_PAIR_A);
	fd_at(sv[1], FD_PAIR_B);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_port = 0;
	len = sizeof(sin);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		DIE("udp");
	sin.sin_port = htons(UDP_PEER_PORT);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		DIE("udp connect");
	fd_at(fd, FD_UDP);

	fd_at(open("/dev/null", O_WRONLY), FD_NULL);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master))
		DIE("pty");
	fd_at(open(ptsname(master), O_RDWR | O_NOCTTY), FD_PTS);
	fd_at(master, FD_PTMX);
	fd_at(syscall(SYS_pidfd_open, getppid(), 0), FD_PIDFD);
	fd = inotify_init1(0);
	if (fd < 0 || inotify_add_watch(fd, dir, IN_CREATE) < 0)
		DIE("inotify");
	fd_at(fd, FD_INOTIFY);
	snprintf(path, sizeof(path), "%s/file", dir);
	fd_at(open(path, O_PATH), FD_OPATH);

	fd = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0)
		DIE("epoll");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = EPOLL_DATA_PIPE };
	if (epoll_ctl(fd, EPOLL_CTL_ADD, FD_PIPE_R, &ev))
		DIE("epoll_ctl");
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.u64 = EPOLL_DATA_EVENTFD };
	if (epoll_ctl(fd, EPOLL_CTL_ADD, FD_EVENTFD, &ev))
		DIE("epoll_ctl");
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLONESHOT, .data.u64 = EPOLL_DATA_TCP };
	if (epoll_ctl(fd, EPOLL_CTL_ADD, FD_TCP_LISTEN, &ev))
		DIE("epoll_ctl");
	fd_at(fd, FD_EPOLL);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK };
	struct itimerval it = { { REAL_INTERVAL_S, 0 }, { REAL_VALUE_S, 0 } };
	stack_t ss = { .ss_size = MAIN_ALTSTACK_SIZE };
	struct rlimit rl;
	char dir[400], line[16];
	pthread_t th;
	sigset_t set;
	union sigval v = { .sival_int = SHARED_VALUE };
	siginfo_t si = { .si_signo = MAIN_SIG, .si_code = SI_QUEUE };

	if (argc != 2)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(dir, sizeof(dir), "%s", argv[1]);

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGTERM);
	if (sigaction(SIGUSR1, &sa, NULL))
		DIE("sigaction");
	if (signal(SIGUSR2, SIG_IGN) == SIG_ERR)
		DIE("signal");
	sa = (struct sigaction){ .sa_handler = hup, .sa_flags = SA_RESETHAND | SA_NODEFER };
	if (sigaction(SIGHUP, &sa, NULL))
		DIE("sigaction");
	put("handler", (uintptr_t)handler);
	put("hup", (uintptr_t)hup);

	ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ss.ss_sp == MAP_FAILED || sigaltstack(&ss, NULL))
		DIE("sigaltstack");
	put("main_altstack", (uintptr_t)ss.ss_sp);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, MAIN_SIG);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		DIE("sigprocmask");

	umask(UMASK);
	rl = (struct rlimit){ MSGQUEUE_CUR, MSGQUEUE_MAX };
	if (setrlimit(RLIMIT_MSGQUEUE, &rl))
		DIE("setrlimit");
	if (getrlimit(RLIMIT_NOFILE, &rl))
		DIE("getrlimit");
	rl.rlim_cur = NOFILE_CUR;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		DIE("setrlimit");
	if (setitimer(ITIMER_REAL, &it, NULL))
		DIE("setitimer");
	it = (struct itimerval){ { 0, 0 }, { VIRT_VALUE_S, 0 } };
	if (setitimer(ITIMER_VIRTUAL, &it, NULL))
		DIE("setitimer");
	if (personality(PERSONA) < 0)
		DIE("personality");
	prctl(PR_SET_NAME, MAIN_NAME);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || prctl(PR_SET_CHILD_SUBREAPER, 1) ||
	    prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		DIE("prctl");
	/* POSIX timers: one that would signal, one that does not */
	{
		struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2,
					.sigev_value.sival_ptr = (void *)PTIMER_VALUE };
		struct itimerspec its = { { 5, 0 }, { PTIMER_MONO_S, 0 } };
		timer_t mono, cpu;

		if (timer_create(CLOCK_MONOTONIC, &sev, &mono) || timer_settime(mono, 0, &its, NULL))
			DIE("timer_create");
		sev = (struct sigevent){ .sigev_notify = SIGEV_NONE };
		its = (struct itimerspec){ { 0, 0 }, { PTIMER_CPU_S, 0 } };
		if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &cpu) ||
		    timer_settime(cpu, 0, &its, NULL))
			DIE("timer_create");
		put("ptimer_mono", (uintptr_t)mono);
		put("ptimer_cpu", (uintptr_t)cpu);
	}
	syscall(SYS_set_tid_address, &tid_slot);
	put("clear_tid", (uintptr_t)&tid_slot);
	rseq_report("main");
	robust_report("main");

	descriptors(dir);
	if (chdir(dir))
		DIE("chdir");

	pthread_mutex_lock(&lock);
	if (pthread_create(&th, NULL, worker, NULL))
		DIE("pthread_create");
	while (!worker_tid)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	put("worker_tid", worker_tid);

	/* pending: one for the process, one for this thread */
	if (sigqueue(getpid(), SIGUSR1, v))
		DIE("sigqueue");
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = MAIN_VALUE;
	if (syscall(SYS_rt_tgsigqueueinfo, getpid(), (pid_t)syscall(SYS_gettid), MAIN_SIG, &si))
		DIE("rt_tgsigqueueinfo");
	printf("ready\n");

	while (fgets(line, sizeof(line), stdin)) {
		if (line[0] == 'q')
			return 0;
		if (line[0] == 'c') {
			sigset_t pend;
			int n;

			sigpending(&pend);
			if (!sigismember(&pend, SIGUSR1) || !sigismember(&pend, MAIN_SIG))
				printf("bad pending\n");
			else if (ioctl(FD_PIPE_R, FIONREAD, &n) || n != PIPE_BYTES)
				printf("bad pipe %d\n", n);
			else
				printf("ok\n");
		}
	}
	return 0;
}
