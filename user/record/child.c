// SPDX-License-Identifier: GPL-2.0
/* `ttrec record`: start the command, traced from its exec, and note how it was launched. */
#include <errno.h>
#include <stddef.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/launch.h"
#include "lib/log.h"
#include "record.h"
#include "record/internal.h"

/* The rest of the launch facts, from here, into the recording. */
static void save_launch(const struct recorder_opts *o, struct launch_info *li)
{
	struct rlimit rl;
	struct stat sb;

	li->argv = (char **)o->argv;
	li->envp = environ;
	if (!getcwd(li->cwd, sizeof(li->cwd)))
		li->cwd[0] = 0;
	if (!getrlimit(RLIMIT_STACK, &rl)) {
		li->stack_cur = rl.rlim_cur;
		li->stack_max = rl.rlim_max;
	}
	if (!stat(li->exe, &sb)) {
		li->exe_ino = sb.st_ino;
		li->exe_size = sb.st_size;
		li->exe_mtime_ns = sb.st_mtim.tv_sec * 1000000000ULL + sb.st_mtim.tv_nsec;
	}
	launch_save(o->dir, li);
}

/*
 * The recorder's filter (supervisor.c): SECCOMP_RET_USER_NOTIF for
 * execve, execveat, the ptrace() requests that resume a tracee or attach,
 * prctl(PR_GET_SECCOMP) and strict mode (seccomp(SECCOMP_SET_MODE_STRICT),
 * prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT)); with @refuse_rseq rseq()
 * fails with ENOSYS (the command may run on several CPUs: the one the
 * kernel would write into the rseq area is not recorded); everything else
 * is allowed. Calls of another ABI (int $0x80) are allowed: their execs
 * escape the recorder. Jumps are by instruction index (TO()).
 */
enum {
	L_PTRACE = 9, L_PRCTL = 19, L_SECCOMP = 24, L_ENOSYS = 26, L_NOTIF, L_ALLOW, L_LEN,
};
#define TO(i, l)	((l) - (i) - 1)
#define JEQ(i, k, l)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), TO(i, l), 0)
#define LD(field)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))

static int install_filter(bool refuse_rseq)
{
	struct sock_filter f[] = {
		/* 0 */ LD(arch),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, TO(1, L_ALLOW)),
		LD(nr),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rseq, refuse_rseq ? TO(3, L_ENOSYS) : 0, 0),
		JEQ(4, SYS_execve, L_NOTIF),
		/* 5 */ JEQ(5, SYS_execveat, L_NOTIF),
		JEQ(6, SYS_prctl, L_PRCTL),
		JEQ(7, SYS_seccomp, L_SECCOMP),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, TO(8, L_PTRACE), TO(8, L_ALLOW)),
		/* 9: ptrace, by request (the low 32 bits of args[0]) */
		LD(args[0]),
		/* 10 */ JEQ(10, PTRACE_CONT, L_NOTIF),
		JEQ(11, PTRACE_SYSCALL, L_NOTIF),
		JEQ(12, PTRACE_SINGLESTEP, L_NOTIF),
		JEQ(13, PTRACE_DETACH, L_NOTIF),
		JEQ(14, PTRACE_LISTEN, L_NOTIF),
		/* 15 */ JEQ(15, PTRACE_ATTACH, L_NOTIF),
		JEQ(16, PTRACE_SEIZE, L_NOTIF),
		/* SYSEMU, SYSEMU_SINGLESTEP, SINGLEBLOCK: 31..33 */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, PTRACE_SYSEMU, 0, TO(17, L_ALLOW)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, PTRACE_SINGLEBLOCK + 1, TO(18, L_ALLOW),
			 TO(18, L_NOTIF)),
		/* 19: prctl, by option */
		LD(args[0]),
		/* 20 */ JEQ(20, PR_GET_SECCOMP, L_NOTIF),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_SECCOMP, 0, TO(21, L_ALLOW)),
		LD(args[1]),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_MODE_STRICT, TO(23, L_NOTIF),
			 TO(23, L_ALLOW)),
		/* 24: seccomp, by operation */
		LD(args[0]),
		/* 25 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_SET_MODE_STRICT, TO(25, L_NOTIF),
				  TO(25, L_ALLOW)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	int fd;

	_Static_assert(sizeof(f) / sizeof(f[0]) == L_LEN, "the filter's labels");
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	return fd < 0 ? -errno : fd;
}

/* In the child: @fd to the parent over the socket @sock. 0 or -errno. */
static int send_fd(int sock, int fd)
{
	char c = 0, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	memset(ctl, 0, sizeof(ctl));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -errno;
}

/* A descriptor from @sock; -errno (-EPIPE: the child ended first). */
static int recv_fd(int sock)
{
	char c, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm;
	ssize_t n;
	int fd;

	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	cm = CMSG_FIRSTHDR(&m);
	if (!n || !cm || cm->cmsg_type != SCM_RIGHTS)
		return -EPIPE;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * The launch: fork the command, stopped until it is in the traced map, so
 * that it is recorded from its exec on. The child runs without ASLR and,
 * unless --all-cpus, on one CPU with SCHED_RR (launch_child_prepare()),
 * under the recorder's seccomp filter, whose supervisor (supervisor.c)
 * holds each recorded thread at its execs, recording the launch facts
 * (AT_RANDOM, the descriptors...) and turning the vDSO's time functions
 * into syscalls, and otherwise lets the program be. These launch facts
 * go into the recording (meta, argv, env, execs) for `ttrec replay`.
 * 0 or -errno.
 */
int recorder_start_child(struct recorder *s, const struct recorder_opts *o, int *pidp)
{
	char *const *argv = o->argv;
	struct launch_info *li;
	int go[2], ep[2], sk[2], e = 0, err, fd;
	pid_t pid;
	char b = 1;
	ssize_t n;

	int cpu = o->all_cpus ? -1 : launch_pick_cpu();

	li = calloc(1, sizeof(*li));
	if (!li)
		return -ENOMEM;
	/*
	 * The cpu the rseq area shows: the one the command is pinned to, or
	 * the machine's only one. Else rseq is refused, as the number is not
	 * recorded (launch_child_prepare()).
	 */
	li->cpu = cpu >= 0 ? cpu : launch_only_cpu();
	li->rseq_disabled = li->cpu < 0;
	err = launch_resolve_exe(argv[0], li->exe, sizeof(li->exe));
	if (err) {
		pr_err("cannot run %s: %s\n", argv[0], strerror(-err));
		free(li);
		return err;
	}
	if (pipe2(go, O_CLOEXEC)) {
		free(li);
		return -errno;
	}
	if (pipe2(ep, O_CLOEXEC)) {
		err = -errno;
		close(go[0]);
		close(go[1]);
		free(li);
		return err;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk)) {
		err = -errno;
		close(go[0]); close(go[1]); close(ep[0]); close(ep[1]);
		free(li);
		return err;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(go[0]); close(go[1]); close(ep[0]); close(ep[1]); close(sk[0]); close(sk[1]);
		free(li);
		return err;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &s->orig_mask, NULL);	/* SIGCHLD too */
		close(go[1]);
		close(ep[0]);
		close(sk[0]);
		if (read(go[0], &b, 1) != 1)
			_exit(127);
		e = -launch_child_prepare(cpu);
		fd = e ? -1 : install_filter(li->rseq_disabled);
		if (fd < 0 && !e)
			e = -fd;
		if (!e)
			e = -send_fd(sk[1], fd);
		if (!e) {
			close(fd);
			close(sk[1]);
			execve(li->exe, argv, environ);
			e = errno;
		}
		if (write(ep[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ep[1]);
	close(sk[1]);
	s->dir = o->dir;
	s->child_pid = pid;
	err = recorder_bpf_trace(s, pid, TRACED_EXEC);
	if (err) {
		kill(pid, SIGKILL);
	} else if (write(go[1], &b, 1) != 1) {
		err = -errno;
	}
	close(go[1]);
	fd = err ? err : recv_fd(sk[0]);
	close(sk[0]);
	if (fd >= 0) {
		err = recorder_supervise(s, fd, li);
		if (err) {
			close(fd);
			kill(pid, SIGKILL);
		}
	}
	/* the exec's result: an errno, or nothing once it succeeded */
	n = read(ep[0], &e, sizeof(e));
	close(ep[0]);
	if (!err && n == sizeof(e)) {
		err = -e;
		pr_err("cannot run %s: %s\n", argv[0],
		       fd < 0 ? "cannot install the recorder's seccomp filter" : strerror(e));
	} else if (!err && fd < 0) {
		err = fd;
	}
	if (!err && recorder_first_exec(s))
		pr_warn("the launch of %s was not seen: the recording will not be replayable\n",
			argv[0]);
	if (err) {
		recorder_supervisor_stop(s);
		waitpid(pid, NULL, 0);
		free(li);
		return err;
	}
	if (li->version)	/* the exec stop was seen */
		save_launch(o, li);
	free(li);
	*pidp = pid;
	return 0;
}
