// SPDX-License-Identifier: GPL-2.0
/*
 * The replay corpus: real programs from Debian packages, each recorded
 * with `ttrec record` and replayed with `ttrec replay --verify`; the replay
 * must say OK and reproduce the recorded stdout byte for byte.
 *
 * One variant per program (the table below). A program this machine does
 * not have is skipped (the VM carries only some of them: TTREC_VM_EXTRA in
 * the Makefile). A case known not to replay yet is listed in
 * Documentation/replay.rst ("The corpus") with the reason and marked
 * .known here: it still runs, and an unexpected pass is reported.
 *
 * The commands run in a scratch directory with: input.txt (seq 1 30000),
 * words.txt, input.bin (64 KiB), data/ (a small tree), hello.c, proj/ (a
 * Makefile building two objects), repo/ (a git repository with three
 * commits), db.sqlite, script.tcl, data.json, a.txt/b.txt, and an HTTP
 * server (busybox httpd) serving data/ on $PORT.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "replay_common.h"

FIXTURE(corpus) {
	char tmp[PATH_MAX];
	char *rec, *rep, *err;
	int port;
	pid_t httpd;
};

FIXTURE_VARIANT(corpus) {
	const char *needs;	/* programs that must exist, space-separated */
	const char *cmd;	/* run by sh -c in the scratch directory */
	bool known;		/* listed in Documentation/replay.rst as not replaying yet */
};

/* @text into the file @d/@name; 0 or -1. */
static int put(const char *d, const char *name, const char *text)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", d, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f) ? -1 : 0;
}

/* The scratch directory's files; 0 or the failing step's status. */
static int make_fixtures(const char *d)
{
	static const struct { const char *name, *text; } files[] = {
		{ "hello.c", "#include <stdio.h>\n"
			     "int main(void) { printf(\"hello %d\\n\", 6 * 7); return 0; }\n" },
		{ "proj/main.c", "#include <stdio.h>\nint two(void);\n"
				 "int main(void) { printf(\"prog %d\\n\", two()); return 0; }\n" },
		{ "proj/two.c", "int two(void) { return 2; }\n" },
		{ "proj/Makefile", "all: prog\nprog: main.o two.o\n\t$(CC) -o $@ main.o two.o\n" },
		{ "script.tcl", "set s 0\nfor {set i 0} {$i < 1000} {incr i} { incr s $i }\nputs $s\n" },
		{ "data.json", "{\"a\": [1, 2, 3], \"b\": {\"c\": \"x\"}}\n" },
		{ "data/index.html", "hello\n" },
	};
	unsigned int i;
	int st;

	st = sh("cd %s && mkdir -p data/sub proj && seq 1 30000 > input.txt && "
		"awk 'BEGIN { for (i = 1; i <= 200; i++) "
		"print i, \"the quick brown fox jumps over the lazy dog\" }' > words.txt && "
		"head -c 65536 /dev/urandom > input.bin && "
		"seq 1 500 > data/a && seq 500 900 > data/sub/b && "
		"seq 1 50 > a.txt && seq 1 50 | sed 's/^2/X/' > b.txt", d);
	for (i = 0; !st && i < sizeof(files) / sizeof(files[0]); i++)
		st = put(d, files[i].name, files[i].text);
	return st;
}

static int make_repo(const char *d)
{
	if (sh("command -v git >/dev/null"))
		return 0;
	return sh("cd %s && git init -q repo && cd repo && "
		  "git config user.email t@example.org && git config user.name t && "
		  "seq 1 100 > f && git add f && git commit -qm one && "
		  "seq 1 200 > f && git commit -qam two && "
		  "echo x > g && git add g && git commit -qm three && git gc -q", d);
}

static int make_db(const char *d)
{
	if (sh("command -v sqlite3 >/dev/null"))
		return 0;
	return sh("cd %s && sqlite3 db.sqlite 'create table t(a, b); "
		  "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000) "
		  "insert into t select x, x * x from c;'", d);
}

FIXTURE_SETUP(corpus)
{
	strcpy(self->tmp, "/tmp/ttrec-corpus-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->tmp));
	self->rec = malloc(OUT_MAX);
	self->rep = malloc(OUT_MAX);
	self->err = malloc(OUT_MAX);
	ASSERT_NE(NULL, self->rec);
	ASSERT_NE(NULL, self->rep);
	ASSERT_NE(NULL, self->err);
	ASSERT_EQ(0, make_fixtures(self->tmp));
	ASSERT_EQ(0, make_repo(self->tmp));
	ASSERT_EQ(0, make_db(self->tmp));
	self->port = 20000 + getpid() % 20000;
	self->httpd = -1;
	if (strstr(variant->cmd, "$PORT")) {
		char root[PATH_MAX + 8], port[32];

		snprintf(root, sizeof(root), "%s/data", self->tmp);
		snprintf(port, sizeof(port), "127.0.0.1:%d", self->port);
		self->httpd = fork();
		ASSERT_LE(0, self->httpd);
		if (!self->httpd) {
			execlp("busybox", "busybox", "httpd", "-f", "-p", port, "-h", root,
			       (char *)NULL);
			_exit(127);
		}
		usleep(200000);
	}
}

FIXTURE_TEARDOWN(corpus)
{
	if (self->httpd > 0) {
		kill(self->httpd, SIGTERM);
		waitpid(self->httpd, NULL, 0);
	}
	sh("rm -rf %s", self->tmp);
	free(self->rec);
	free(self->rep);
	free(self->err);
}

static bool have_all(const char *needs)
{
	char buf[256], *p, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", needs);
	for (p = strtok_r(buf, " ", &save); p; p = strtok_r(NULL, " ", &save))
		if (sh("command -v %s >/dev/null 2>&1", p))
			return false;
	return true;
}

/* 0 when the replay of the recorded command is OK and prints the same. */
static int record_replay(FIXTURE_DATA(corpus) *self, const char *cmd, char *why, size_t len)
{
	char path[PATH_MAX + 16];
	ssize_t nrec, nrep;
	int st;

	/* TTREC_CORPUS_RECORD_OPTS: more options for record (--no-follow-fork...) */
	st = sh("cd %s && PORT=%d timeout 300 %s record -o rec %s -- sh -c '%s' > rec.out 2> rec.err",
		self->tmp, self->port, ttrec_bin, getenv("TTREC_CORPUS_RECORD_OPTS") ?: "", cmd);
	snprintf(path, sizeof(path), "%s/rec.err", self->tmp);
	slurp(path, self->err, OUT_MAX);
	if (st) {
		snprintf(why, len, "record exited %d: %.1500s", st, self->err);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/rec.out", self->tmp);
	nrec = slurp(path, self->rec, OUT_MAX);
	st = sh("cd %s && timeout 300 %s replay --verify rec > rep.out 2> rep.err",
		self->tmp, ttrec_bin);
	snprintf(path, sizeof(path), "%s/rep.out", self->tmp);
	nrep = slurp(path, self->rep, OUT_MAX);
	snprintf(path, sizeof(path), "%s/rep.err", self->tmp);
	slurp(path, self->err, OUT_MAX);
	if (st || !strstr(self->err, "replay OK")) {
		snprintf(why, len, "replay exited %d: %.1500s", st, self->err);
		return -1;
	}
	if (nrec != nrep || memcmp(self->rec, self->rep, nrec)) {
		snprintf(why, len, "%zd bytes recorded, %zd replayed:\n%.600s\n---\n%.600s",
			 nrec, nrep, self->rec, self->rep);
		return -1;
	}
	if (nrec <= 0) {
		snprintf(why, len, "the program printed nothing: %.1500s", self->err);
		return -1;
	}
	return 0;
}

TEST_F_TIMEOUT(corpus, run, 900)
{
	char why[4096] = "";
	int ret;

	if (!have_all(variant->needs))
		SKIP(return, "needs %s", variant->needs);
	ret = record_replay(self, variant->cmd, why, sizeof(why));
	if (variant->known) {
		if (!ret)
			TH_LOG("listed as not replaying, but it did: update Documentation/replay.rst");
		else
			SKIP(return, "known not to replay yet (Documentation/replay.rst): %.*s",
			     (int)strcspn(why, "\n"), why);
		return;
	}
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", variant->cmd, why);
}

/* ------------------------------------------------------------ the corpus */

#define CASE(id, prog, command)						\
	FIXTURE_VARIANT_ADD(corpus, id) { .needs = prog, .cmd = command }
/* listed in Documentation/replay.rst, "The corpus", with the reason */
#define KNOWN(id, prog, command)					\
	FIXTURE_VARIANT_ADD(corpus, id) { .needs = prog, .cmd = command, .known = true }

/* coreutils, text tools */
CASE(sort, "sort", "sort -rn input.txt | head -20");
CASE(sha256sum, "sha256sum", "sha256sum input.txt input.bin");
CASE(wc, "wc", "wc input.txt words.txt");
CASE(od, "od", "od -A x -t x1 -N 256 input.bin");
CASE(base64, "base64", "base64 input.bin | md5sum");
CASE(uniq_pipeline, "cut sort uniq", "cut -d\" \" -f3 words.txt | sort | uniq -c | sort -rn");
CASE(tr_md5, "tr md5sum", "tr a-z A-Z < words.txt | md5sum");
CASE(find_sort, "find sort", "find data -type f | sort");
CASE(du, "du", "du -a data | sort -k2");
CASE(ls_long, "ls", "ls -la data");
CASE(grep, "grep", "grep -c 7 input.txt; grep -n fox words.txt | tail -2");
CASE(sed, "sed", "sed -n \"100,105p; 29990,\\$p\" input.txt");
CASE(awk, "awk", "awk \"{ s += \\$1 } END { print s }\" input.txt");
CASE(xargs_parallel, "xargs", "seq 1 8 | xargs -P2 -n1 sh -c \"echo \\$((\\$0 * \\$0))\" | sort -n");
CASE(diff, "diff", "diff -u a.txt b.txt; true");
CASE(stat, "stat", "stat -c \"%n %s %F\" input.txt data");
/* compressors and archivers, some with threads */
CASE(tar_md5, "tar md5sum", "tar cf - data | md5sum");
CASE(tar_gz, "tar gzip", "tar czf - data | gzip -dc | tar tf - | sort");
CASE(gzip, "gzip", "gzip -9c input.txt | gzip -dc | md5sum");
CASE(bzip2, "bzip2", "bzip2 -c input.txt | bzip2 -dc | md5sum");
CASE(xz_threads, "xz", "xz -T2 -c input.txt | xz -dc | md5sum");
CASE(zstd_threads, "zstd", "zstd -q -T2 -c input.txt | zstd -qdc | md5sum");
CASE(zip, "zip unzip", "zip -qr d.zip data && unzip -l d.zip | awk \"{print \\$1, \\$4}\"");
CASE(cpio, "cpio find", "find data | sort | cpio -o -H newc 2>/dev/null | md5sum");
/* interpreters */
CASE(python3, "python3", "python3 -c \"import hashlib, random; random.seed(1); print(hashlib.sha256(open(\\\"input.txt\\\", \\\"rb\\\").read()).hexdigest(), random.random())\"");
CASE(python3_random, "python3", "python3 -c \"import os, random; print(random.random(), os.urandom(4).hex())\"");
CASE(python3_subprocess, "python3", "python3 -c \"import subprocess; print(subprocess.run([\\\"wc\\\", \\\"-l\\\", \\\"input.txt\\\"], capture_output=True).stdout)\"");
CASE(python3_threads, "python3", "python3 -c \"import threading; r = []; t = [threading.Thread(target=lambda i=i: r.append(sum(range(i * 10000)))) for i in range(4)]; [x.start() for x in t]; [x.join() for x in t]; print(sorted(r))\"");
CASE(perl, "perl", "perl -e \"print join(q(,), map { \\$_ * \\$_ } 1..20), qq(\\n); print scalar(localtime(0)), qq(\\n)\"");
CASE(lua, "lua5.4", "lua5.4 -e \"print(math.random(), os.time() > 0)\"");
CASE(tclsh, "tclsh", "tclsh script.tcl");
CASE(bash, "bash", "bash -c \"for i in \\$(seq 5); do echo \\$RANDOM > /dev/null; echo \\$i; done\"");
CASE(dash_subshells, "dash", "dash -c \"a=\\$(echo one); b=\\$(echo two | tr a-z A-Z); echo \\$a \\$b\"");
CASE(bc, "bc", "echo \"scale=20; 4 * a(1)\" | bc -l");
CASE(jq, "jq", "jq -c \".a, .b.c\" data.json");
/* build tools, version control */
CASE(gcc, "gcc", "gcc -O1 -o hello hello.c && ./hello");
CASE(make_j2, "make gcc", "make -s -C proj -j2 && ./proj/prog");
CASE(git_log, "git", "git -C repo log --format=%s");
CASE(git_diff, "git", "git -C repo diff HEAD~2 --stat");
KNOWN(git_status, "git", "cd repo && git status --short && git rev-list --count HEAD");
/* databases, network clients against the local server */
CASE(sqlite3, "sqlite3", "sqlite3 db.sqlite \"select count(*), sum(b) from t\"");
CASE(sqlite3_script, "sqlite3", "printf \"create table u(x);\\ninsert into u values (1), (2);\\nselect sum(x) from u;\\n\" | sqlite3 :memory:");
CASE(curl, "curl busybox", "curl -s http://127.0.0.1:$PORT/a | md5sum");
CASE(wget, "wget busybox", "wget -q -O - http://127.0.0.1:$PORT/sub/b | tail -2");
/* tools and runtimes */
CASE(openssl_dgst, "openssl", "openssl dgst -sha256 input.txt");
CASE(openssl_rand, "openssl", "openssl rand -hex 16");
CASE(busybox, "busybox", "busybox sha1sum input.txt && busybox seq 3");
CASE(node, "node", "node -e \"console.log(Math.random(), [1, 2, 3].map(x => x * 2))\"");
CASE(strace, "strace", "strace -f -e trace=none true 2>&1; echo traced");
CASE(gdb, "gdb", "gdb -batch -nx -ex run -ex bt --args sh -c \"kill -SEGV \\$\\$\" 2>&1");
CASE(file, "file", "file input.txt input.bin hello.c");

TEST_HARNESS_MAIN
