// SPDX-License-Identifier: GPL-2.0
/* `ttrec record`: start the command, traced from its exec, and note how it was launched. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/tracer.h"
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
 * The launch: fork the command, stopped until it is in the traced map, so
 * that it is recorded from its exec on. The child runs without ASLR and
 * with rseq() failing (launch_child_prepare()); a tracer thread follows it
 * through its execs under ptrace, recording the AT_RANDOM bytes of each
 * program image, turning its vDSO's time functions into syscalls and
 * listing the inherited descriptors (tracer.c). These launch facts
 * go into the recording (meta, argv, env, execs) for `ttrec replay`.
 * Without ptrace the command is recorded all the same, but not
 * replayable. 0 or -errno.
 */
int recorder_start_child(struct recorder *s, const struct recorder_opts *o, int *pidp)
{
	char *const *argv = o->argv;
	struct launch_info *li;
	int go[2], ep[2], e = 0, err;
	bool rseq_off = false;
	pid_t pid;
	char b = 1;
	ssize_t n;

	int cpu = o->all_cpus ? -1 : launch_pick_cpu();

	li = calloc(1, sizeof(*li));
	if (!li)
		return -ENOMEM;
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
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(go[0]); close(go[1]); close(ep[0]); close(ep[1]);
		free(li);
		return err;
	}
	if (pid == 0) {
		close(go[1]);
		close(ep[0]);
		if (read(go[0], &b, 1) != 1)
			_exit(127);
		e = -launch_child_prepare(&rseq_off, cpu);
		if (!e) {
			execve(li->exe, argv, environ);
			e = errno;
		}
		if (write(ep[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ep[1]);
	s->follow_fork = o->follow_fork;
	err = launch_tracer_start(&s->tracer, pid, o->dir, o->follow_fork, cpu, li);
	if (err) {
		pr_warn("cannot ptrace %s (%s): recording it, but it will not be replayable\n",
			argv[0], strerror(-err));
		s->tracer = NULL;
	}
	err = recorder_bpf_trace(s, pid, TRACED_EXEC);
	if (err) {
		kill(pid, SIGKILL);
	} else if (write(go[1], &b, 1) != 1) {
		err = -errno;
	}
	close(go[1]);
	if (!err && s->tracer)
		launch_tracer_first_exec(s->tracer);	/* li is filled when it succeeded */
	n = read(ep[0], &e, sizeof(e));
	close(ep[0]);
	if (!err && n == sizeof(e)) {
		err = -e;
		pr_err("cannot run %s: %s\n", argv[0], strerror(e));
	}
	if (err) {
		if (s->tracer) {
			int st;

			launch_tracer_finish(s->tracer, true, &st);
			s->tracer = NULL;
		} else {
			waitpid(pid, NULL, 0);
		}
		free(li);
		return err;
	}
	if (li->version)	/* the tracer saw the exec */
		save_launch(o, li);
	free(li);
	*pidp = pid;
	return 0;
}
