// SPDX-License-Identifier: GPL-2.0
/*
 * Starting the recorded program again, as `ttrec record` started it (the
 * launch facts of user/launch/): the same file, personality, RLIMIT_STACK,
 * cwd, inherited descriptors and signal dispositions, under a seccomp
 * filter that makes every syscall stop for the driver. Every new program
 * image (the launch and later execs) gets the recorded AT_RANDOM bytes and
 * the same vDSO patch.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "lib/log.h"
#include "launch/launch.h"
#include "replay/internal.h"

/* seccomp data for a syscall of another ABI (int $0x80, x32) */
#define SECCOMP_DATA_FOREIGN	1

/*
 * In the child: the stand-in for the program's stdout or stderr (@fd), a
 * memfd of its own above @top, which the driver knows again when the
 * program opens it once more (/dev/stdout, /proc/self/fd/2...:
 * rp_fd_note_stdio()). -1 when there is none (then /dev/null).
 */
static int stdio_stand_in(int fd, int top)
{
	int m = memfd_create(fd == 1 ? "ttrec-replay-stdout" : "ttrec-replay-stderr", 0), n;

	if (m < 0)
		return -1;
	n = fcntl(m, F_DUPFD, top + 1);
	close(m);
	return n;
}

/*
 * In the child: the descriptors the program inherited, each its recorded
 * number, and no other: stdout and stderr on stand-ins (stdio_stand_in()),
 * the others on /dev/null. @keep (the start pipe) must be above them.
 */
static int setup_child_fds(const struct launch_info *li, int keep)
{
	int null, i, top = 0;

	for (i = 0; i < li->nfds; i++)
		if (li->fds[i] > top)
			top = li->fds[i];
	/* our own descriptors above the program's */
	null = open("/dev/null", O_RDWR);
	if (null < 0)
		return -errno;
	if (null <= top) {
		int n = fcntl(null, F_DUPFD, top + 1);

		close(null);
		null = n;
	}
	if (null < 0 || keep <= top)
		return -EBADF;
	for (i = 0; i < li->nfds; i++) {
		int fd = li->fds[i], m = fd == 1 || fd == 2 ? stdio_stand_in(fd, top) : -1;

		if (dup2(m >= 0 ? m : null, fd) < 0)
			return -errno;
		if (m >= 0)
			close(m);
	}
	for (i = 0; i <= top; i++) {
		int k, want = 0;

		for (k = 0; k < li->nfds; k++)
			want |= li->fds[k] == i;
		if (!want)
			close(i);
	}
	close(null);
	syscall(SYS_close_range, top + 1, ~0U, 0);
	return 0;
}

/* Every syscall stops the program for the driver (another ABI's marked). */
void rp_trace_filter(struct sock_fprog *prog)
{
	static struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | SECCOMP_DATA_FOREIGN),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),	/* x32 */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | SECCOMP_DATA_FOREIGN),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
	};

	prog->len = sizeof(f) / sizeof(f[0]);
	prog->filter = f;
}

static int install_trace_filter(void)
{
	struct sock_fprog prog;

	rp_trace_filter(&prog);
	if (!syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}

/* Check that the program file is the one recorded. */
int rp_check_exe(struct rp *rp)
{
	const struct launch_info *li = &rp->li;
	char path[8192];
	struct stat sb;

	/* a relative name is relative to the recorded cwd, where it runs */
	snprintf(path, sizeof(path), "%s%s%s", li->exe[0] == '/' ? "" : li->cwd,
		 li->exe[0] == '/' ? "" : "/", li->exe);
	if (stat(path, &sb)) {
		rp_fail(rp, "the recorded program %s is gone: %s\n", path, strerror(errno));
		return -ENOENT;
	}
	if ((li->exe_ino && (uint64_t)sb.st_ino != li->exe_ino) ||
	    (li->exe_size && (uint64_t)sb.st_size != li->exe_size) ||
	    (li->exe_mtime_ns && (uint64_t)(sb.st_mtim.tv_sec * 1000000000ULL +
					   sb.st_mtim.tv_nsec) != li->exe_mtime_ns)) {
		rp_diverge(rp, NULL, "the program file %s changed since it was recorded (inode, size or mtime differ)",
			   li->exe);
		return -ESTALE;
	}
	return 0;
}

/* The replay may run on @cpu (it exists and is in our affinity mask). */
bool rp_cpu_ok(int cpu)
{
	cpu_set_t set;

	return cpu >= 0 && cpu < CPU_SETSIZE && !sched_getaffinity(0, sizeof(set), &set) &&
	       CPU_ISSET(cpu, &set);
}

/*
 * In the forked child: once the tracer holds it (a byte on @go), set up the
 * recorded process attributes and the filter, and exec the program.
 */
__attribute__((noreturn))
static void exec_child(const struct launch_info *li, int go)
{
	struct rlimit rl = { li->stack_cur, li->stack_max };
	char b;

	if (read(go, &b, 1) != 1)
		_exit(126);
	if (personality(li->personality) == -1)
		_exit(120);
	setrlimit(RLIMIT_STACK, &rl);
	if (li->cwd[0] && chdir(li->cwd))
		_exit(121);
	if (setup_child_fds(li, go))
		_exit(122);
	launch_child_set_sigs(li->sig_ignored, li->sig_blocked);
	/*
	 * The recorded CPU, whose number the kernel writes into a registered
	 * rseq area (sched_getcpu() reads it there); rp_launch() checked it
	 * is ours to use.
	 */
	if (li->cpu >= 0 && !li->rseq_disabled && rp_cpu_ok(li->cpu) && launch_pin_cpu(li->cpu))
		_exit(125);
	if (install_trace_filter())
		_exit(123);
	execve(li->exe, li->argv, li->envp);
	_exit(124);
}

/*
 * Wait for the first syscall of @t under the filter, its execve. A child
 * that exits before says with its exit status what failed (exec_child()).
 */
static int wait_first_syscall(struct rp *rp, struct rthread *t)
{
	static const char *const why[] = {
		[0] = "cannot set the personality", [1] = "cannot chdir to the recorded directory",
		[2] = "cannot set up the inherited descriptors",
		[3] = "cannot install the seccomp filter", [4] = "execve failed",
		[5] = "cannot run on the recorded CPU",
	};
	int st, sig, err, c;

	for (;;) {
		err = rp_wait_thread(rp, t, &st);
		if (err)
			return err;
		switch (rp_classify(st, &sig)) {
		case STOP_SECCOMP:
			return 0;
		case STOP_EXITED:
			c = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
			rp_thread_died(rp, t, st);
			rp_fail(rp, "cannot start %s: %s\n", rp->li.exe,
				c >= 120 && c <= 125 ? why[c - 120] : "it died");
			return -ECHILD;
		default:
			ptrace(PTRACE_CONT, t->tid, 0, 0);
			break;
		}
	}
}

/* Start the recorded program under the driver, up to the return of its execve. */
int rp_launch(struct rp *rp)
{
	const struct launch_info *li = &rp->li;
	struct rthread *t;
	struct rproc *p;
	int go[2], top = 2, i, err;
	pid_t pid;
	char b = 0;

	for (i = 0; i < li->nfds; i++)
		if (li->fds[i] > top)
			top = li->fds[i];
	if (li->cpu >= 0 && !li->rseq_disabled && !rp_cpu_ok(li->cpu))
		pr_warn("the recording ran on CPU %d, which this replay may not use: the program's rseq area (sched_getcpu()) shows another CPU number\n",
			li->cpu);
	if (pipe2(go, O_CLOEXEC))
		return -errno;
	/* the child's end above every descriptor the program inherits */
	if (go[0] <= top + 1) {
		int n = fcntl(go[0], F_DUPFD_CLOEXEC, top + 2);

		close(go[0]);
		go[0] = n;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(go[1]);
		exec_child(li, go[0]);
	}
	close(go[0]);
	if (ptrace(PTRACE_SEIZE, pid, 0,
		   PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
		   PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC |
		   PTRACE_O_EXITKILL)) {
		err = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(go[1]);
		rp_fail(rp, "cannot ptrace the replayed program: %s\n", strerror(-err));
		return err;
	}
	if (write(go[1], &b, 1) != 1)
		return -errno;
	close(go[1]);
	p = rp_proc_new(rp, 0, pid);
	t = p ? rp_thread_new(rp, p, 0, pid) : NULL;
	if (!t)
		return -ENOMEM;
	for (i = 0; i < li->nfds; i++)
		rp_fd_set_kind(p, li->fds[i], li->fds[i] == 1 ? FD_STDOUT :
			       li->fds[i] == 2 ? FD_STDERR : FD_INHERITED);
	err = wait_first_syscall(rp, t);
	if (err)
		return err;
	rp_fd_note_stdio(rp, p);
	err = rp_getregs(t);
	if (err)
		return err;
	t->st = TS_ENTRY;
	if (t->regs.orig_rax != SYS_execve) {
		rp_fail(rp, "the replayed program made syscall %llu before its exec\n",
			(unsigned long long)t->regs.orig_rax);
		return -EPROTO;
	}
	err = rp_run_real(rp, t, false, 0);
	if (err)
		return err;
	if ((int64_t)t->regs.rax) {
		rp_fail(rp, "cannot exec %s: %s\n", li->exe, strerror(-(int64_t)t->regs.rax));
		return -ENOEXEC;
	}
	rp->launch_exec = true;
	return rp_stopped(rp) ? -EPROTO : 0;
}

#ifndef MFD_EXEC
#define MFD_EXEC	0x0010U
#endif

/* Whether descriptor @fd of @pid is close-on-exec (its fdinfo flags). */
static bool fd_cloexec(pid_t pid, int fd)
{
	char path[64], line[128];
	unsigned int flags = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %o", &flags) == 1)
			break;
	fclose(f);
	return flags & O_CLOEXEC;
}

/* Copy the file @from into descriptor @fd of @pid (through /proc/PID/fd). */
static int fill_fd(pid_t pid, int fd, int from)
{
	char path[64], buf[65536];
	off_t off = 0;
	ssize_t n;
	int to, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	to = open(path, O_WRONLY | O_CLOEXEC);
	if (to < 0)
		return -errno;
	while ((n = pread(from, buf, sizeof(buf), off)) > 0) {
		if (write(to, buf, n) != n) {
			err = -EIO;
			break;
		}
		off += n;
	}
	if (n < 0 && !err)
		err = -errno;
	close(to);
	return err;
}

/*
 * At the entry of an execveat(fd, "", AT_EMPTY_PATH) (fexecve()): if the
 * recording kept the image (no path named it: a memfd), descriptor fd
 * becomes a memfd holding it, with fd's close-on-exec flag. fd is a
 * placeholder, or the replay's own memfd (memfd.c), which holds what the
 * program wrote into it but not what the kernel copied there
 * (copy_file_range, sendfile): the kept image is what ran. The execveat
 * is made a memfd_create (its path argument, "", names the memfd), filled
 * from here, moved to fd with dup3, and the execveat made again: @t
 * stands at its entry as before.
 */
int rp_exec_image(struct rp *rp, struct rthread *t)
{
	struct user_regs_struct entry = t->regs;
	struct rproc *p = t->p;
	int fd = entry.rdi, img, err;
	char path[4096];
	int64_t m;

	launch_image_path(rp->o->dir, p->rpid, p->nexec, path, sizeof(path));
	img = open(path, O_RDONLY | O_CLOEXEC);
	if (img < 0)
		return 0;	/* a file: the descriptor is the real one */
	t->regs.orig_rax = SYS_memfd_create;
	t->regs.rdi = entry.rsi;
	t->regs.rsi = MFD_CLOEXEC | MFD_EXEC;	/* executable whatever vm.memfd_noexec */
	t->dirty = true;
	err = rp_run_real(rp, t, false, 0);
	if (err)
		goto out;
	m = t->regs.rax;
	if (m == -EINVAL) {	/* a kernel before MFD_EXEC */
		__u64 a[6] = { entry.rsi, MFD_CLOEXEC };

		m = rp_inject(rp, t, SYS_memfd_create, a);
	}
	err = m < 0 ? (int)m : fill_fd(p->pid, m, img);
	if (!err) {
		__u64 d[6] = { m, fd, fd_cloexec(p->pid, fd) ? O_CLOEXEC : 0 }, c[6] = { m };

		if (rp_inject(rp, t, SYS_dup3, d) != fd)
			err = -EBADF;
		rp_inject(rp, t, SYS_close, c);
	}
	if (err) {
		rp_fail(rp, "cannot give the replayed program the image it exec'd from descriptor %d (%s): %s\n",
			fd, path, strerror(-err));
		goto out;
	}
	/* back to the syscall instruction, and into the execveat again */
	t->regs = entry;
	t->regs.rip -= 2;
	t->regs.rax = entry.orig_rax;
	t->dirty = true;
	err = rp_run_to_entry(rp, t);
	if (!err && t->regs.orig_rax != entry.orig_rax)
		err = -EPROTO;
out:
	close(img);
	return err;
}

/* At an exec stop: the recorded AT_RANDOM bytes, the same vDSO patch. */
int rp_exec_fixup(struct rp *rp, struct rthread *t)
{
	struct rproc *p = t->p;
	struct launch_exec rec, now;
	bool have;
	int err, fds[LAUNCH_MAX_FDS], n, i;

	err = rp_proc_reopen_mem(p);
	if (err)
		return err;
	if (!p->nexec && !p->rpid) {
		rec = rp->li.exec;		/* the launch */
		have = true;
	} else {
		have = !launch_load_exec(rp->o->dir, p->rpid, p->nexec, &rec);
	}
	p->nexec++;
	err = launch_exec_stop(p->pid, false, &now);
	if (err) {
		rp_fail(rp, "cannot read the auxiliary vector of %d: %s\n", p->pid, strerror(-err));
		return err;
	}
	if (have) {
		if (now.at_random_addr != rec.at_random_addr || now.vdso != rec.vdso) {
			rp_diverge(rp, t, "the new program's initial stack or vDSO is not where it was recorded\n"
				   "  expected: AT_RANDOM at %#llx, vDSO at %#llx\n"
				   "  actual:   AT_RANDOM at %#llx, vDSO at %#llx\n"
				   "  (another kernel, or the environment or program changed?)",
				   (unsigned long long)rec.at_random_addr,
				   (unsigned long long)rec.vdso,
				   (unsigned long long)now.at_random_addr,
				   (unsigned long long)now.vdso);
			return -ESTALE;
		}
		err = rp_mem_write(p, rec.at_random_addr, rec.at_random, 16);
		if (!err && rec.vdso_patched >= 0) {
			n = vdso_patch(p->memfd, now.vdso);
			if (n != rec.vdso_patched) {
				rp_diverge(rp, t, "cannot patch the vDSO as in the recording (%d functions, recorded %d)",
					   n, rec.vdso_patched);
				return -ESTALE;
			}
		}
		if (err)
			return err;
	} else {
		pr_warn("exec #%u of process %u has no launch record: its AT_RANDOM bytes and vDSO time calls are not replayed\n",
			p->nexec, p->rpid);
	}
	/* close-on-exec descriptors are gone now */
	n = launch_list_fds(p->pid, fds, LAUNCH_MAX_FDS);
	if (n >= 0) {
		for (i = 0; i < p->nfd; i++) {
			int k, open = 0;

			for (k = 0; k < n; k++)
				open |= fds[k] == i;
			if (!open) {
				p->fd[i] = FD_CLOSED;
				p->fst[i].valid = false;
			}
		}
	}
	return 0;
}
