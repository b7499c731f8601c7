// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec restore, end to end, in the shape of CRIU's zdtm: a workload
 * (workloads/rs_mem, rs_threads) builds its state and says "ready", ttrec
 * snapshot takes an image of it, the workload is killed, ttrec restore
 * brings it back with "check" on its stdin, and the restored workload
 * verifies its own state and prints PASS only after every check. The same
 * cases run on the host (snapshots without ttrec.ko, threads stopped with
 * ptrace) and in the VM (copy-on-write snapshots of the module).
 */
#include <sys/prctl.h>

#include "restore_common.h"

TEST_F(rst, anon_heap_stack)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_mem", "anon", 0, "");
}

TEST_F(rst, file_private_and_shared)
{
	char args[128];

	NEED_ROOT();
	snprintf(args, sizeof(args), "file %s", self->dir);
	cycle(_metadata, self, "rs_mem", args, 0, "");
}

TEST_F(rst, shared_anonymous_and_memfd)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_mem", "shared", 0, "");
}

TEST_F(rst, thp_region)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_mem", "thp", 0, "");
	TH_LOG("%s", strstr(self->c.out, "info") ? strstr(self->c.out, "info") : "");
}

TEST_F(rst, eight_threads_tls_futex_join)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_threads", "threads", 0, "");
}

TEST_F(rst, sleeping_threads_resume)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_threads", "sleep", 2000, "");
	TH_LOG("%s", self->c.out);
}

TEST_F(rst, vdso_clock_after_restore)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_threads", "vdso", 0, "");
}

TEST_F(rst, rseq_registered_threads)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_threads", "rseq", 0, "");
}

TEST_F(rst, sigaltstack_and_robust_list_from_the_image)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_threads", "tstate", 0, "-v");
	EXPECT_NE(NULL, strstr(self->c.err, "per-thread state of 5 of 5 threads from the image"))
		TH_LOG("%s", self->c.err);
}

/* An image without the process state: clear_child_tid and rseq as glibc set them up. */
TEST_F(rst, glibc_thread_state_when_the_image_has_none)
{
	struct imgfile f;
	char path[128];

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_threads", "threads"));
	SNAPSHOT("a.img", "");
	wl_kill(&self->w);
	snprintf(path, sizeof(path), "%s/a.img", self->dir);
	ASSERT_EQ(0, imgfile_load(path, &f));
	imgfile_drop_state(&f);
	ASSERT_EQ(0, imgfile_save(path, &f));
	imgfile_free(&f);
	RESTORE("-v", "a.img", "check");
	EXPECT_PASS();
	EXPECT_NE(NULL, strstr(self->c.err, "per-thread state of 0 of 9 threads from the image"))
		TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "clear_child_tid of 9 of 9 threads from glibc"))
		TH_LOG("%s", self->c.err);
}

TEST_F(rst, verbose_and_pids)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_threads", "threads", 0, "-v");
	EXPECT_NE(NULL, strstr(self->c.err, "pages written")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "9 threads")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "restored in")) TH_LOG("%s", self->c.err);
}

TEST_F(rst, incremental_chain)
{
	char ans[64];

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_mem", "anon"));
	SNAPSHOT("a.img", "");
	ASSERT_EQ(0, wl_cmd(&self->w, "mutate", ans, sizeof(ans)));
	ASSERT_EQ(0, strncmp(ans, "ok", 2));
	usleep(100000);
	SNAPSHOT("b.img", "a.img");
	wl_kill(&self->w);
	RESTORE("", "b.img", "check");
	EXPECT_PASS();
	EXPECT_NE(NULL, strstr(self->c.out, "info mutated 1")) TH_LOG("%s", self->c.out);
	/* the parent alone: the state before the mutation, whole */
	RESTORE("", "a.img", "check");
	EXPECT_PASS();
	EXPECT_NE(NULL, strstr(self->c.out, "info mutated 0")) TH_LOG("%s", self->c.out);
}

TEST_F(rst, pidns_twice_side_by_side)
{
	char cmd[64];

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_mem", "anon"));
	SNAPSHOT("a.img", "");
	wl_kill(&self->w);
	ASSERT_EQ(0, mkdir(strcat(strcpy(cmd, self->dir), "/pair"), 0755));
	cmd_out_free(&self->c);
	/* both wait for the other's marker in DIR/pair before they pass */
	ASSERT_EQ(0, sh(&self->c,
			"(printf 'pair %s/pair\\n' | %s restore --pidns %s/a.img > %s/o1 2>&1; echo $? > %s/s1) & "
			"(printf 'pair %s/pair\\n' | %s restore --pidns %s/a.img > %s/o2 2>&1; echo $? > %s/s2) & "
			"wait; cat %s/s1 %s/s2 %s/o1 %s/o2",
			self->dir, ttrec_bin, self->dir, self->dir, self->dir,
			self->dir, ttrec_bin, self->dir, self->dir, self->dir,
			self->dir, self->dir, self->dir, self->dir));
	EXPECT_EQ(0, strncmp(self->c.out, "0\n0\n", 4)) TH_LOG("%s", self->c.out);
	EXPECT_EQ(NULL, strstr(self->c.out, "FAIL")) TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(strstr(self->c.out, "PASS") ?: "", "PASS\n")) TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(strstr(self->c.out, "PASS") + 4, "PASS")) TH_LOG("%s", self->c.out);
}

TEST_F(rst, pidns_while_original_runs)
{
	char ans[64];

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_threads", "threads"));
	SNAPSHOT("a.img", "");
	RESTORE("--pidns", "a.img", "check");
	EXPECT_PASS();
	/* the original is untouched and passes too */
	ASSERT_EQ(0, kill(self->w.pid, 0));
	ASSERT_EQ(0, wl_cmd(&self->w, "check", ans, sizeof(ans)));
	EXPECT_STREQ("PASS\n", ans);
}

/*
 * Run ttrec restore ARGS in the background: its stdin from *@in (a pipe
 * we write), its stdout to *@out. Its pid.
 */
/*
 * `ttrec restore ARGS` in the background, as @uid (0: as we are), with its
 * stdin and its stdout and stderr on pipes. A user other than root runs the
 * copy of ttrec the test put in @self->dir (the build directory may be one
 * only root can enter).
 */
static pid_t restore_bg(FIXTURE_DATA(rst) *self, const char *args, FILE **in, FILE **out,
			uid_t uid)
{
	int pi[2], po[2];
	char cmd[PATH_MAX + 600];
	pid_t pid;

	if (pipe(pi) || pipe(po))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pi[0], 0);
		dup2(po[1], 1);
		dup2(po[1], 2);
		close(pi[1]);
		close(po[0]);
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		if (uid)
			snprintf(cmd, sizeof(cmd), "exec %s/ttrec restore %s", self->dir, args);
		else
			snprintf(cmd, sizeof(cmd), "exec %s restore %s", ttrec_bin, args);
		execl("/bin/sh", "sh", "-c", cmd, NULL);
		_exit(127);
	}
	close(pi[0]);
	close(po[1]);
	*in = fdopen(pi[1], "w");
	*out = fdopen(po[0], "r");
	return pid;
}

static void proc_state(int pid, char *buf, size_t len)
{
	char path[64], line[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	buf[0] = 0;
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6))
			snprintf(buf, len, "%s", line + 7);
	if (f)
		fclose(f);
}

TEST_F(rst, stop_leaves_it_stopped)
{
	char args[256], line[512], state[64], all[4096] = "";
	FILE *in, *out;
	pid_t r;
	int pid, st;

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_mem", "anon"));
	SNAPSHOT("a.img", "");
	pid = self->w.pid;
	wl_kill(&self->w);
	snprintf(args, sizeof(args), "--stop --detach %s/a.img", self->dir);
	r = restore_bg(self, args, &in, &out, 0);
	ASSERT_LT(0, r);
	ASSERT_EQ(r, waitpid(r, &st, 0));
	EXPECT_EQ(0, st);		/* --detach: back once it is restored */
	proc_state(pid, state, sizeof(state));
	EXPECT_EQ(0, strncmp(state, "T (stopped)", 11)) TH_LOG("state %s", state);
	ASSERT_EQ(0, kill(pid, SIGCONT));
	fprintf(in, "check\n");
	fclose(in);
	while (fgets(line, sizeof(line), out))
		strncat(all, line, sizeof(all) - strlen(all) - 1);
	fclose(out);
	EXPECT_NE(NULL, strstr(all, "stopped")) TH_LOG("%s", all);
	EXPECT_NE(NULL, strstr(all, "PASS")) TH_LOG("%s", all);
	EXPECT_EQ(NULL, strstr(all, "FAIL")) TH_LOG("%s", all);
}

/* ------------------------------------------------ the process's own state */

/* Signal actions: handlers, SA_* flags and masks, an ignored signal. */
TEST_F(rst, proc_signal_actions)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_proc", "handlers", 0, "-v");
	EXPECT_NE(NULL, strstr(self->c.err, "3 signal handlers, "))
		TH_LOG("%s", self->c.err);
}

/* Queued signals with their values, for the process and for one thread, on the alternate stack. */
TEST_F(rst, proc_pending_signals_with_siginfo)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_proc", "pending", 0, "-v");
	EXPECT_NE(NULL, strstr(self->c.err, "4 pending signals queued")) TH_LOG("%s", self->c.err);
}

TEST_F(rst, proc_itimer_real)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_proc", "itimer", 0, "");
	TH_LOG("%s", strstr(self->c.out, "info") ? strstr(self->c.out, "info") : self->c.out);
}

TEST_F(rst, proc_posix_timers_with_their_ids)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_proc", "ptimer", 0, "-v");
	EXPECT_NE(NULL, strstr(self->c.err, "3 POSIX timers (3 armed)")) TH_LOG("%s", self->c.err);
	TH_LOG("%s", strstr(self->c.out, "info") ? strstr(self->c.out, "info") : self->c.out);
}

/*
 * Timer id 5000: a kernel that takes the id asked for
 * (PR_TIMER_CREATE_RESTORE_IDS, 6.15) restores it; one that gives ids in
 * order (6.1, 6.12) would need 5000 timers made first: refused, said.
 */
TEST_F(rst, proc_posix_timer_id_far_away)
{
	bool by_request = prctl(77 /* PR_TIMER_CREATE_RESTORE_IDS */, 2 /* _GET */, 0, 0, 0) >= 0;
	int pid;

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_proc", "far"));
	SNAPSHOT("a.img", "");
	pid = self->w.pid;
	wl_kill(&self->w);
	RESTORE("", "a.img", "check");
	if (by_request) {
		EXPECT_PASS();
		return;
	}
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "POSIX timer 5000: this kernel gives timer ids in order"))
		TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
	EXPECT_EQ(-1, kill(pid, 0));	/* nothing half-restored is left */
}

/*
 * A timer on a CPU-time clock: restored from a module-less image (which
 * has its time left, from timer_gettime()); refused, said, from the
 * module's (which cannot read it).
 */
TEST_F(rst, proc_posix_timer_cpu_clock)
{
	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_proc", "cputimer"));
	SNAPSHOT("a.img", "");
	wl_kill(&self->w);
	RESTORE("", "a.img", "check");
	if (!module_loaded()) {
		EXPECT_PASS();
		return;
	}
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "the image does not say when it expires next"))
		TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
}

TEST_F(rst, proc_cwd_umask_rlimits_personality)
{
	char args[128];

	NEED_ROOT();
	snprintf(args, sizeof(args), "env %s", self->dir);
	cycle(_metadata, self, "rs_proc", args, 0, "");
}

/* A process in a chroot: its root (chroot(), as root) and cwd again. */
TEST_F(rst, proc_root_directory)
{
	char args[128];

	NEED_ROOT();
	snprintf(args, sizeof(args), "root %s", self->dir);
	cycle(_metadata, self, "rs_proc", args, 0, "-v");
	EXPECT_NE(NULL, strstr(self->c.err, ", root /tmp/ttrec-restore-")) TH_LOG("%s", self->c.err);
}

/* /proc/PID/cmdline, environ, auxv and the layout fields from the image. */
TEST_F(rst, proc_mm_fields_cmdline_environ_auxv)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_proc", "mm extra-argument", 0, "-v");
	EXPECT_NE(NULL, strstr(self->c.err, "(the image's)")) TH_LOG("%s", self->c.err);
}

/* A process of uid and gid 65534 with supplementary groups, restored by root. */
TEST_F(rst, proc_credentials_of_another_user)
{
	NEED_ROOT();
	cycle(_metadata, self, "rs_proc", "creds", 0, "-v");
	EXPECT_NE(NULL, strstr(self->c.err, "credentials: uid 65534/65534/65534, gid 65534/65534/65534, 3 supplementary groups"))
		TH_LOG("%s", self->c.err);
}

/* ---------------------------------------------------------------- errors */

TEST_F(rst, error_pid_taken)
{
	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_mem", "anon"));
	SNAPSHOT("a.img", "");
	RESTORE("", "a.img", "check");
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "is taken")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "--pidns")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
}

TEST_F(rst, error_corrupt_image)
{
	char path[128];
	int fd;

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_mem", "anon"));
	SNAPSHOT("a.img", "");
	wl_kill(&self->w);
	snprintf(path, sizeof(path), "%s/a.img", self->dir);
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, "X", 1, 100));	/* in the header */
	close(fd);
	RESTORE("", "a.img", "check");
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "corrupt")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "cannot restore")) TH_LOG("%s", self->c.err);
}

TEST_F(rst, error_corrupt_page_data)
{
	char path[128];
	int fd, pid;

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_mem", "anon"));
	SNAPSHOT("a.img", "");
	pid = self->w.pid;
	wl_kill(&self->w);
	snprintf(path, sizeof(path), "%s/a.img", self->dir);
	/*
	 * A byte of the first data chunk (the first section, after the
	 * header): found only when the pages are written.
	 */
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, "\xff", 1, sizeof(struct img_header) +
			    sizeof(struct img_section_header) + 10));
	close(fd);
	RESTORE("", "a.img", "check");
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "checksum")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
	/* nothing half-restored is left */
	EXPECT_EQ(-1, kill(pid, 0));
}

TEST_F(rst, error_missing_parent)
{
	char ans[64];

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_mem", "anon"));
	SNAPSHOT("a.img", "");
	ASSERT_EQ(0, wl_cmd(&self->w, "mutate", ans, sizeof(ans)));
	SNAPSHOT("b.img", "a.img");
	wl_kill(&self->w);
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "rm %s/a.img", self->dir));
	RESTORE("", "b.img", "check");
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "missing")) TH_LOG("%s", self->c.err);
}

TEST_F(rst, error_format_version_1)
{
	struct imgfile f;
	char path[128];

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_mem", "anon"));
	SNAPSHOT("a.img", "");
	wl_kill(&self->w);
	snprintf(path, sizeof(path), "%s/a.img", self->dir);
	ASSERT_EQ(0, imgfile_load(path, &f));
	imgfile_make_v1(&f);		/* as an older ttrec wrote it */
	ASSERT_EQ(0, imgfile_save(path, &f));
	imgfile_free(&f);
	RESTORE("", "a.img", "check");
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "format version 1")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "take the snapshot again")) TH_LOG("%s", self->c.err);
	/* still readable by info and dump */
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "%s info %s", ttrec_bin, path));
	EXPECT_EQ(0, self->c.status) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.out, "version 1"));
}

TEST_F(rst, error_mapped_file_replaced)
{
	char args[128];

	NEED_ROOT();
	snprintf(args, sizeof(args), "file %s", self->dir);
	ASSERT_EQ(0, wl_start(&self->w, "rs_mem", args));
	SNAPSHOT("a.img", "");
	wl_kill(&self->w);
	/* the same path, another file */
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "cp %s/private %s/new && mv %s/new %s/private",
			self->dir, self->dir, self->dir, self->dir));
	RESTORE("", "a.img", "check");
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "is not the file the image mapped")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "/private")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(NULL, strstr(self->c.out, "PASS"));
}

TEST_F(rst, error_not_root)
{
	char args[256], all[4096] = "", line[512];
	FILE *in, *out;
	pid_t r;
	int st;

	NEED_ROOT();
	ASSERT_EQ(0, wl_start(&self->w, "rs_mem", "anon"));
	SNAPSHOT("a.img", "");
	wl_kill(&self->w);
	snprintf(args, sizeof(args), "%s/a.img", self->dir);
	chmod(args, 0644);
	ASSERT_EQ(0, sh(&self->c, "cp %s %s/ttrec && chmod 755 %s/ttrec", ttrec_bin, self->dir,
			self->dir));
	r = restore_bg(self, args, &in, &out, 65534);
	ASSERT_LT(0, r);
	fprintf(in, "check\n");
	fclose(in);
	while (fgets(line, sizeof(line), out))
		strncat(all, line, sizeof(all) - strlen(all) - 1);
	fclose(out);
	ASSERT_EQ(r, waitpid(r, &st, 0));
	EXPECT_EQ(1, WEXITSTATUS(st)) TH_LOG("%s", all);
	EXPECT_NE(NULL, strstr(all, "needs root")) TH_LOG("%s", all);
	EXPECT_NE(NULL, strstr(all, "CAP_CHECKPOINT_RESTORE")) TH_LOG("%s", all);
	EXPECT_EQ(NULL, strstr(all, "PASS"));
}

TEST_F(rst, usage)
{
	if (module_loaded())
		TH_LOG("snapshots come from ttrec.ko here");
	static const char *const bad[] = {
		"restore", "restore a b", "restore --bogus x",
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cmd_out_free(&self->c);
		ASSERT_EQ(0, sh(&self->c, "%s %s", ttrec_bin, bad[i]));
		EXPECT_EQ(2, self->c.status) TH_LOG("ttrec %s: %s", bad[i], self->c.err);
	}
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "%s restore --help", ttrec_bin));
	EXPECT_EQ(0, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.out, "Usage: ttrec restore IMAGE"));
	EXPECT_NE(NULL, strstr(self->c.out, "--pidns"));
	cmd_out_free(&self->c);
	ASSERT_EQ(0, sh(&self->c, "%s restore %s/nothing.img", ttrec_bin, self->dir));
	EXPECT_EQ(1, self->c.status);
	EXPECT_NE(NULL, strstr(self->c.err, "nothing.img")) TH_LOG("%s", self->c.err);
}

TEST_HARNESS_MAIN
