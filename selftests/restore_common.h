/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The restore tests' shape (restore.c, restore_fds.c), as CRIU's zdtm: a
 * workload (workloads/rs_*) builds its state and says "ready", ttrec
 * snapshot takes an image of it, the workload is killed, ttrec restore
 * brings it back with "check" on its stdin, and the restored workload
 * verifies its own state and prints PASS only after every check. Include
 * once, in a test program.
 */
#ifndef RESTORE_COMMON_H
#define RESTORE_COMMON_H

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/types.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "image/image.h"
#include "imgfile.h"
#include "piped.h"
#include "snapcli.h"

struct wl {
	pid_t pid;
	FILE *in, *out;
};

/* Start workloads/PROG ARGS with pipes on stdin and stdout; wait for "ready". */
static int wl_start(struct wl *w, const char *prog, const char *args)
{
	char line[256], cmd[PATH_MAX + 600];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };

	memset(w, 0, sizeof(*w));
	snprintf(cmd, sizeof(cmd), "exec %s/%s %s", wl_dir, prog, args);
	w->pid = spawn_piped(argv, &w->in, &w->out);
	if (w->pid < 0)
		return -1;
	while (fgets(line, sizeof(line), w->out))
		if (!strncmp(line, "ready", 5))
			return 0;
	return -1;
}

static void wl_kill(struct wl *w)
{
	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		waitpid(w->pid, NULL, 0);
		w->pid = 0;
	}
	if (w->in)
		fclose(w->in);
	if (w->out)
		fclose(w->out);
	w->in = w->out = NULL;
}

/* One command line to the (original) workload; its answer in @ans. */
static inline int wl_cmd(struct wl *w, const char *cmd, char *ans, size_t len)
{
	fprintf(w->in, "%s\n", cmd);
	fflush(w->in);
	return fgets(ans, len, w->out) ? 0 : -1;
}

FIXTURE(rst) {
	char dir[64];
	struct cmd_out c;
	struct wl w;
};

FIXTURE_SETUP(rst)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/ttrec-restore-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	chmod(self->dir, 0755);
	memset(&self->c, 0, sizeof(self->c));
	memset(&self->w, 0, sizeof(self->w));
}

FIXTURE_TEARDOWN(rst)
{
	struct cmd_out c;

	wl_kill(&self->w);
	cmd_out_free(&self->c);
	sh(&c, "rm -rf %s", self->dir);
	cmd_out_free(&c);
}

#define NEED_ROOT() do { if (geteuid()) SKIP(return, "restore needs root"); } while (0)

/* Snapshot the workload into DIR/@name (with @parent, "" or a name: incremental). */
#define SNAPSHOT(name, parent) do {							\
	cmd_out_free(&self->c);								\
	ASSERT_EQ(0, sh(&self->c, "%s snapshot %d -o %s/%s %s%s%s -q", ttrec_bin,	\
			self->w.pid, self->dir, name, *(parent) ? "--parent " : "",	\
			*(parent) ? self->dir : "", *(parent) ? "/" parent : ""));	\
	ASSERT_EQ(0, self->c.status) TH_LOG("snapshot: %s", self->c.err);		\
} while (0)

/* Restore DIR/@name with @opts, "@input" on its stdin; the output in self->c. */
#define RESTORE(opts, name, input) do {							\
	cmd_out_free(&self->c);								\
	ASSERT_EQ(0, sh(&self->c, "printf '%s\\n' | %s restore %s %s/%s", input,	\
			ttrec_bin, opts, self->dir, name));				\
} while (0)

#define EXPECT_PASS() do {								\
	EXPECT_EQ(0, self->c.status) TH_LOG("restore: %s\nout: %s", self->c.err, self->c.out); \
	EXPECT_NE(NULL, strstr(self->c.out, "PASS")) TH_LOG("out: %s\nerr: %s",	\
							    self->c.out, self->c.err); \
	EXPECT_EQ(NULL, strstr(self->c.out, "FAIL")) TH_LOG("out: %s", self->c.out);	\
} while (0)

/* The whole cycle: workload, snapshot, kill, restore, PASS. */
static inline void cycle(struct __test_metadata *_metadata, FIXTURE_DATA(rst) *self,
		  const char *prog, const char *args, unsigned int wait_ms, const char *opts)
{
	ASSERT_EQ(0, wl_start(&self->w, prog, args));
	if (wait_ms)
		usleep(wait_ms * 1000);
	SNAPSHOT("a.img", "");
	wl_kill(&self->w);
	RESTORE(opts, "a.img", "check");
	EXPECT_PASS();
}

#endif
