/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the snapshot CLI tests (snapcli.c on host and VM,
 * kmod_snapcli.c in the VM): run the ttrec tool through sh, capturing its
 * exit status, stdout and stderr whole.
 */
#ifndef TTREC_SELFTESTS_SNAPCLI_H
#define TTREC_SELFTESTS_SNAPCLI_H

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char ttrec_bin[PATH_MAX], wl_dir[PATH_MAX];

__attribute__((constructor)) static void snapcli_find_paths(void)
{
	char self[PATH_MAX], *d;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		n = 0;
	self[n] = '\0';
	d = dirname(self);
	snprintf(ttrec_bin, sizeof(ttrec_bin), "%s/../ttrec", d);
	snprintf(wl_dir, sizeof(wl_dir), "%s/workloads", d);
}

struct cmd_out {
	int status;		/* exit status, or 128 + signal */
	char *out, *err;	/* NUL-terminated, malloc()ed */
	size_t out_len, err_len;
};

static void cmd_out_free(struct cmd_out *c)
{
	free(c->out);
	free(c->err);
	memset(c, 0, sizeof(*c));
}

static int append_fd(int fd, char **buf, size_t *len, size_t *cap)
{
	ssize_t n;

	if (*cap - *len < 65536) {
		char *p = realloc(*buf, *cap * 2 + 65536);

		if (!p)
			return -1;
		*buf = p;
		*cap = *cap * 2 + 65536;
	}
	n = read(fd, *buf + *len, *cap - *len - 1);
	if (n > 0)
		*len += n;
	(*buf)[*len] = 0;
	return n;
}

/* Run "sh -c CMD" (printf-style); 0 or -1. */
static int __attribute__((format(printf, 2, 3))) sh(struct cmd_out *c, const char *fmt, ...)
{
	char cmd[8192];
	int out[2], err[2], st, open_fds = 2;
	size_t ocap = 0, ecap = 0;
	struct pollfd pf[2];
	va_list ap;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (pipe(out) || pipe(err))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execl("/bin/sh", "sh", "-c", cmd, NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	pf[0] = (struct pollfd){ .fd = out[0], .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = err[0], .events = POLLIN };
	append_fd(-1, &c->out, &c->out_len, &ocap);
	append_fd(-1, &c->err, &c->err_len, &ecap);
	while (open_fds) {
		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[0].revents && append_fd(out[0], &c->out, &c->out_len, &ocap) <= 0) {
			pf[0].fd = -1;
			open_fds--;
		}
		if (pf[1].revents && append_fd(err[0], &c->err, &c->err_len, &ecap) <= 0) {
			pf[1].fd = -1;
			open_fds--;
		}
	}
	close(out[0]);
	close(err[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

static inline bool module_loaded(void)
{
	return access("/dev/ttrec", F_OK) == 0;
}

#endif
