/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the replay tests share (replay.c, corpus.c and the replay_*.c
 * files): where ttrec and the workloads are, a shell, and the rp fixture:
 * a scratch directory, `ttrec record` into it, `ttrec replay` of it, and
 * RECORD_REPLAY(), which asserts the replay is OK and prints what the
 * recording printed, byte for byte. Include it once, after the harness.
 */
#ifndef TTREC_SELFTESTS_REPLAY_COMMON_H
#define TTREC_SELFTESTS_REPLAY_COMMON_H

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"

static char ttrec_bin[PATH_MAX], wl_dir[PATH_MAX];

__attribute__((constructor)) static void find_paths(void)
{
	char self[PATH_MAX], *d;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		n = 0;
	self[n] = '\0';
	d = dirname(self);
	snprintf(ttrec_bin, sizeof(ttrec_bin), "%s/../ttrec", d);
	snprintf(wl_dir, sizeof(wl_dir), "%s/workloads", d);
	log_verbosity = LOG_WARN;
}

#define OUT_MAX	(4 << 20)
#define CMD_MAX	(PATH_MAX * 4)

/* Run a shell command line; its exit status. */
__attribute__((format(printf, 1, 2)))
static inline int sh(const char *fmt, ...)
{
	char cmd[16384];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The whole file @path into @buf (NUL-terminated); its length or -1. */
static inline ssize_t slurp(const char *path, char *buf, size_t cap)
{
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return len;
}

FIXTURE(rp) {
	char tmp[PATH_MAX];
	char dir[PATH_MAX + 8];
	char *rec, *rep, *err;
	ssize_t nrec, nrep;
};

FIXTURE_SETUP(rp)
{
	strcpy(self->tmp, "/tmp/ttrec-rp-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->tmp));
	snprintf(self->dir, sizeof(self->dir), "%s/rec", self->tmp);
	self->rec = malloc(OUT_MAX);
	self->rep = malloc(OUT_MAX);
	self->err = malloc(OUT_MAX);
	ASSERT_NE(NULL, self->rec);
	ASSERT_NE(NULL, self->rep);
	ASSERT_NE(NULL, self->err);
}

FIXTURE_TEARDOWN(rp)
{
	sh("rm -rf %s", self->tmp);
	free(self->rec);
	free(self->rep);
	free(self->err);
}

/* `ttrec record [ROPTS] -- CMD` in the scratch directory; stdout in self->rec. */
static inline int record(FIXTURE_DATA(rp) *self, const char *ropts, const char *cmd)
{
	char path[PATH_MAX + 16];
	int st;

	st = sh("cd %s && %s record -o %s %s -- %s > %s/rec.out 2> %s/rec.err", self->tmp,
		ttrec_bin, self->dir, ropts, cmd, self->tmp, self->tmp);
	snprintf(path, sizeof(path), "%s/rec.out", self->tmp);
	self->nrec = slurp(path, self->rec, OUT_MAX);
	return st;
}

/* `ttrec replay DIR OPTS`; stdout in self->rep, stderr in self->err. */
static inline int replay(FIXTURE_DATA(rp) *self, const char *opts)
{
	char path[PATH_MAX + 16];
	int st;

	st = sh("cd %s && %s replay %s %s > %s/rep.out 2> %s/rep.err", self->tmp, ttrec_bin,
		self->dir, opts, self->tmp, self->tmp);
	snprintf(path, sizeof(path), "%s/rep.out", self->tmp);
	self->nrep = slurp(path, self->rep, OUT_MAX);
	snprintf(path, sizeof(path), "%s/rep.err", self->tmp);
	slurp(path, self->err, OUT_MAX);
	return st;
}

/*
 * Record CMD, replay it with --verify: OK, and the same stdout. @marker
 * (if any) must be in the output. 0, or 1 with the reason in TH_LOG.
 */
#define RECORD_REPLAY(ropts, cmd, marker) do {						\
	ASSERT_EQ(0, record(self, ropts, cmd));						\
	ASSERT_TRUE(has(self->rec, marker))						\
		TH_LOG("recorded output: %.2000s", self->rec);				\
	ASSERT_EQ(0, replay(self, "--verify")) TH_LOG("replay: %.3000s", self->err);	\
	EXPECT_NE(NULL, strstr(self->err, "replay OK")) TH_LOG("%.2000s", self->err);	\
	EXPECT_EQ(self->nrec, self->nrep);						\
	EXPECT_EQ(0, memcmp(self->rec, self->rep, self->nrec))				\
		TH_LOG("recorded:\n%.1500s\nreplayed:\n%.1500s", self->rec, self->rep);	\
} while (0)

static inline bool has(const char *out, const char *marker)
{
	return !marker || strstr(out, marker);
}

static inline bool have(const char *prog)
{
	return !sh("command -v %s >/dev/null 2>&1", prog);
}

#endif
