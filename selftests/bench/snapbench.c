// SPDX-License-Identifier: GPL-2.0
/*
 * make bench-vm: what a snapshot costs the target, side by side in one run
 * (the test VM, QEMU TCG, ttrec.ko loaded, criu copied in).
 *
 * A target process maps 256 MiB of private anonymous memory (no THP: the
 * module copies huge pages eagerly, see Documentation/ttrec.rst) and writes
 * every page. Before each measurement it writes every page again, so each
 * one starts from the same state (every PTE writable, every page
 * exclusive). Then:
 *   - pause of TTREC_IOC_SNAPSHOT: the module's pause_ns (from the first
 *     park request to the release), median of RUNS;
 *   - fork(): how long fork() takes in the target itself (the parent's
 *     wall time around the call; the child exits at once), median of RUNS;
 *   - criu dump --leave-running of the target: its "Frozen time"
 *     (--display-stats), median of CRIU_RUNS;
 *   - incremental: a full image of a snapshot, then 1% of the pages
 *     dirtied, a second snapshot and its image written against the first
 *     with TTREC_IOC_SNAP_DIFF (the attach --snapshot-interval path):
 *     payload (stored pages x 4096, before compression) and time; the
 *     image is then read back and checked.
 *   - restore: an image of a snapshot of the target (the module's), and
 *     criu's own dump of it (which ends the target); then, median of
 *     RESTORE_RUNS each, the wall time of `ttrec restore --detach` (back
 *     once the restored process runs; it then answers on the restore's
 *     stdio with the checksum of its memory, which must be the target's),
 *     of `criu restore -d`, and the floor: reading the image and writing
 *     its pages into fresh memory in this process.
 * Last lines:
 *   bench snapshot pause_ratio_vs_fork=R1 pause_ratio_vs_criu=R2 incr_bytes=B dirty_bytes=D
 *   bench restore ttrec_s=T criu_s=C floor_s=F ratio_vs_criu=T/C ratio_vs_floor=T/F
 *
 * usage: snapbench [-m MIB] [-r RUNS] [-c CRIU_RUNS] [-R RESTORE_RUNS] [-d DIR] [-t TTREC]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/ttrec.h>

#include "image/image.h"

#define PAGE	4096UL

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---------------------------------------------------------------- target */

static void target(int cmd, int reply, size_t bytes)
{
	size_t npages = bytes / PAGE, i;
	uint64_t *mem, gen = 1;
	char c;

	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		_exit(1);
	madvise(mem, bytes, MADV_NOHUGEPAGE);
	for (i = 0; i < bytes / 8; i++)
		mem[i] = i * 0x9e3779b97f4a7c15ULL;
	for (;;) {
		uint64_t r = 0;

		if (read(cmd, &c, 1) != 1)
			_exit(0);
		switch (c) {
		case 't':	/* write every page: all exclusive and writable */
			gen++;
			for (i = 0; i < npages; i++)
				mem[i * (PAGE / 8)] = gen << 32 | i;
			break;
		case 'd':	/* dirty 1% of the pages: every 100th */
			gen++;
			for (i = 0; i < npages; i += 100)
				mem[i * (PAGE / 8) + 1] = gen << 32 | i;
			r = (npages + 99) / 100;
			break;
		case 'f': {	/* time one fork() */
			uint64_t t0 = now_ns();
			pid_t p = fork();

			if (p == 0)
				_exit(0);
			r = now_ns() - t0;
			if (p < 0 || waitpid(p, NULL, 0) != p)
				r = 0;
			break;
		}
		case 'a':	/* where the memory is */
			r = (uintptr_t)mem;
			break;
		case 'g':	/* the generation of the last write */
			r = gen;
			break;
		case 'c':	/* a checksum of the first words of every page */
			for (i = 0; i < npages; i++)
				r = (r ^ mem[i * (PAGE / 8)] ^ mem[i * (PAGE / 8) + 1]) *
				    0x100000001b3ULL;
			break;
		}
		if (write(reply, &r, sizeof(r)) != sizeof(r))
			_exit(1);
	}
}

struct tgt {
	pid_t pid;
	int cmd, reply;
};

static uint64_t ask(struct tgt *t, char c)
{
	uint64_t r = 0;

	if (write(t->cmd, &c, 1) != 1 || read(t->reply, &r, sizeof(r)) != sizeof(r)) {
		fprintf(stderr, "snapbench: the target stopped answering\n");
		exit(1);
	}
	return r;
}

/* ---------------------------------------------------------------- helpers */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int snapshot(int sfd, struct ttrec_snapshot_args *a)
{
	memset(a, 0, sizeof(*a));
	return ioctl(sfd, TTREC_IOC_SNAPSHOT, a);
}

/* criu dump --leave-running; the frozen time in ns, or 0 */
static uint64_t criu_frozen(pid_t pid, const char *dir, int run, uint64_t *wall)
{
	char cmd[512], line[256];
	uint64_t frozen = 0, t0;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "rm -rf %s/criu && mkdir -p %s/criu && criu dump -t %d -D %s/criu "
		 "--leave-running --shell-job --manage-cgroups=ignore --display-stats "
		 "-o dump.log 2>&1", dir, dir, pid, dir);
	t0 = now_ns();
	f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long us;

		if (sscanf(line, "Frozen time: %llu us", &us) == 1)
			frozen = us * 1000;
		if (run == 0)
			printf("  criu: %s", line);
	}
	if (pclose(f) != 0)
		frozen = 0;
	*wall = now_ns() - t0;
	if (!frozen) {
		snprintf(cmd, sizeof(cmd), "tail -n 30 %s/criu/dump.log", dir);
		if (system(cmd))
			return 0;
	}
	return frozen;
}

/* ---------------------------------------------------------------- restore */

/*
 * `ttrec restore --detach IMG` with pipes as its stdio; its wall time in
 * ns (0: failed). The restored target then answers on *@t's pipes.
 */
static uint64_t ttrec_restore(const char *ttrec, const char *img, struct tgt *t)
{
	int cmdp[2], repp[2], st;
	uint64_t t0;
	pid_t p;

	if (pipe(cmdp) || pipe(repp))
		return 0;
	t0 = now_ns();
	p = fork();
	if (p == 0) {
		dup2(cmdp[0], 0);
		dup2(repp[1], 1);
		close(cmdp[1]);
		close(repp[0]);
		execl(ttrec, "ttrec", "restore", "--detach", img, NULL);
		_exit(127);
	}
	close(cmdp[0]);
	close(repp[1]);
	if (p < 0 || waitpid(p, &st, 0) != p || st) {
		close(cmdp[1]);
		close(repp[0]);
		return 0;
	}
	t0 = now_ns() - t0;
	t->cmd = cmdp[1];
	t->reply = repp[0];
	return t0;
}

/* `criu restore -d` of the dump in DIR/criu; its wall time in ns (0: failed). */
static uint64_t criu_restore(const char *dir, int run)
{
	char cmd[512];
	uint64_t t0 = now_ns();

	snprintf(cmd, sizeof(cmd),
		 "criu restore -D %s/criu -d --shell-job --manage-cgroups=ignore -o restore.log",
		 dir);
	if (system(cmd)) {
		if (run == 0) {
			snprintf(cmd, sizeof(cmd), "tail -n 30 %s/criu/restore.log", dir);
			if (system(cmd))
				return 0;
		}
		return 0;
	}
	return now_ns() - t0;
}

/* Kill the restored target @pid and reap it (we are the subreaper). */
static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid || (kill(pid, 0) && errno == ESRCH))
			return;
		usleep(2000);
	}
}

struct floor_ctx {
	uint8_t *dst;
	uint64_t off;
};

static int floor_piece(void *arg, struct img *from, uint64_t addr, uint64_t npages, int kind)
{
	struct floor_ctx *f = arg;
	int err = 0;

	if (kind == IMG_PAGE_DATA) {
		err = img_data(from, addr, npages, f->dst + f->off);
		f->off += npages * PAGE;
	}
	return err;
}

/* The floor: read the image, write its data pages into fresh memory. */
static uint64_t restore_floor(const char *img, uint64_t data_pages)
{
	struct floor_ctx f = { 0 };
	uint64_t t0 = now_ns();
	struct img *im;
	int err;

	if (img_open(img, &im))
		return 0;
	/* populated by the kernel, as a restore's writes populate the target's */
	f.dst = mmap(NULL, data_pages * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	err = f.dst == MAP_FAILED;
	for (uint32_t i = 0; !err && i < im->nr_vmas; i++)
		err = img_walk(im, im->vmas[i].start, im->vmas[i].end, floor_piece, &f);
	t0 = now_ns() - t0;
	if (f.dst != MAP_FAILED)
		munmap(f.dst, data_pages * PAGE);
	img_close(im);
	return err ? 0 : t0;
}

/*
 * Restore the target both ways. It is snapshotted (@sfd) into DIR/rst.img,
 * dumped by criu (which ends it), then restored RUNS times by each.
 */
static int bench_restore(struct tgt *t, int sfd, uint64_t features, const char *dir,
			 const char *ttrec, int runs, int criu_ok)
{
	uint64_t tt[8], cc[8], ff[8], ck, got, tm, cm = 0, fm;
	struct img_write_opts wo = { .parent_snapfd = -1, .features = features };
	struct ttrec_snapshot_args sa;
	struct img_write_stats st;
	char img[256], cmd[512];
	int i, s, nc = 0, bad = 0;

	snprintf(img, sizeof(img), "%s/rst.img", dir);
	unlink(img);
	ask(t, 't');
	ck = ask(t, 'c');
	s = snapshot(sfd, &sa);
	if (s < 0)
		return 1;
	wo.path = img;
	wo.snapfd = s;
	wo.comm = "snapbench";
	if (img_write(&wo, &st))
		return 1;
	close(s);
	printf("restore: image of %llu data pages (%.1f MiB stored)\n",
	       (unsigned long long)st.data_pages, st.data_bytes_stored / 1048576.0);
	if (criu_ok) {
		snprintf(cmd, sizeof(cmd),
			 "rm -rf %s/criu && mkdir -p %s/criu && criu dump -t %d -D %s/criu "
			 "--shell-job --manage-cgroups=ignore -o dump.log", dir, dir, t->pid, dir);
		if (system(cmd)) {
			printf("restore: criu dump failed: no criu restore to compare with\n");
			criu_ok = 0;
		}
	}
	reap(t->pid);		/* criu dump ended it; else we do */
	for (i = 0; i < runs; i++) {
		struct tgt r = { .pid = t->pid };

		tt[i] = ttrec_restore(ttrec, img, &r);
		if (!tt[i]) {
			printf("restore: ttrec restore failed\n");
			return 1;
		}
		got = ask(&r, 'c');
		if (got != ck)
			bad = 1;
		printf("ttrec restore run %d: %.3f ms, the restored target's checksum %s\n", i + 1,
		       tt[i] / 1e6, got == ck ? "matches" : "DIFFERS");
		close(r.cmd);
		close(r.reply);
		reap(t->pid);
	}
	for (i = 0; criu_ok && i < runs; i++) {
		cc[i] = criu_restore(dir, i);
		if (!cc[i]) {
			printf("restore: criu restore failed (log above)\n");
			break;
		}
		printf("criu restore run %d: %.3f ms\n", i + 1, cc[i] / 1e6);
		nc++;
		reap(t->pid);
	}
	for (i = 0; i < runs; i++) {
		ff[i] = restore_floor(img, st.data_pages);
		if (!ff[i])
			return 1;
	}
	tm = median(tt, runs);
	fm = median(ff, runs);
	if (nc)
		cm = median(cc, nc);
	printf("median: ttrec restore %.3f ms, criu restore %s%.3f ms, floor (read the image, write its pages) %.3f ms\n",
	       tm / 1e6, nc ? "" : "(none) ", cm / 1e6, fm / 1e6);
	if (nc)
		snprintf(cmd, sizeof(cmd), "criu_s=%.3f ratio_vs_criu=%.3f", cm / 1e9,
			 (double)tm / cm);
	else
		snprintf(cmd, sizeof(cmd), "criu_s=nan ratio_vs_criu=nan");
	printf("bench restore ttrec_s=%.3f %s floor_s=%.3f ratio_vs_floor=%.3f\n",
	       tm / 1e9, cmd, fm / 1e9, (double)tm / fm);
	snprintf(cmd, sizeof(cmd), "rm -rf %s/criu", dir);
	if (system(cmd))
		bad = 1;
	unlink(img);
	return bad;
}

int main(int argc, char **argv)
{
	size_t mib = 256;
	int runs = 7, criu_runs = 3, restore_runs = 3, c, i, dev, sfd, s1, s2;
	const char *dir = "/tmp/snapbench", *ttrec = "/ttrec/ttrec";
	struct ttrec_api api = { .api = TTREC_API };
	uint64_t pause[32], forkt[32], criu[8], wall, dirty_pages, t0;
	uint64_t p_med, f_med, c_med = 0, base, gen;
	struct ttrec_attach_args at = { 0 };
	struct ttrec_snapshot_args sa;
	struct img_write_opts wo = { .parent_snapfd = -1 };
	struct img_write_stats full, incr;
	struct img *pim = NULL, *im = NULL;
	char pa[256], pb[256];
	int cmdp[2], repp[2];
	struct tgt t;
	int bad = 0;

	while ((c = getopt(argc, argv, "m:r:c:R:d:t:")) != -1) {
		switch (c) {
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'c':
			criu_runs = atoi(optarg);
			break;
		case 'R':
			restore_runs = atoi(optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		case 't':
			ttrec = optarg;
			break;
		default:
			return 2;
		}
	}
	if (runs < 1 || runs > 32 || criu_runs < 0 || criu_runs > 8 || mib < 4 ||
	    restore_runs < 1 || restore_runs > 8)
		return 2;
	mkdir(dir, 0755);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* restored targets are orphans when their restore returns: ours to reap */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	if (pipe(cmdp) || pipe(repp))
		return 1;
	t.pid = fork();
	if (t.pid == 0) {
		/*
		 * its own session, no tty: what criu needs to dump it whole;
		 * commands on stdin, answers on stdout, so that a restored
		 * target (which gets the restore's stdio) answers too
		 */
		setsid();
		dup2(cmdp[0], 0);
		dup2(repp[1], 1);
		close(2);
		close(cmdp[0]);
		close(cmdp[1]);
		close(repp[0]);
		close(repp[1]);
		target(0, 1, mib << 20);
	}
	close(cmdp[0]);
	close(repp[1]);
	t.cmd = cmdp[1];
	t.reply = repp[0];
	base = ask(&t, 'a');
	printf("target: pid %d, %zu MiB of private anonymous memory at %#llx (MADV_NOHUGEPAGE), every page written\n",
	       t.pid, mib, (unsigned long long)base);

	dev = open("/dev/ttrec", O_RDWR | O_CLOEXEC);
	if (dev < 0 || ioctl(dev, TTREC_IOC_GET_API, &api)) {
		perror("snapbench: /dev/ttrec (is ttrec.ko loaded?)");
		return 1;
	}

	/* the fixed cost: a process with almost no memory, blocked as the target is */
	{
		int p[2], k, sfd0;
		uint64_t small[5];
		pid_t idle;

		if (pipe(p))
			return 1;
		idle = fork();
		if (idle == 0) {
			char b;

			close(p[1]);
			_exit(read(p[0], &b, 1) < 0);
		}
		close(p[0]);
		usleep(100000);
		at.pid = idle;
		sfd0 = ioctl(dev, TTREC_IOC_ATTACH, &at);
		for (k = 0; sfd0 >= 0 && k < 5; k++) {
			s1 = snapshot(sfd0, &sa);
			if (s1 < 0)
				break;
			small[k] = sa.pause_ns;
			close(s1);
		}
		if (k == 5)
			printf("baseline: snapshot pause of a small idle process (%llu pages): %.3f ms (median of 5)\n",
			       (unsigned long long)(sa.counts.pages_shared + sa.counts.pages_copied_pinned),
			       median(small, 5) / 1e6);
		close(sfd0);
		close(p[1]);
		waitpid(idle, NULL, 0);
	}

	/* pause of a snapshot vs fork(), each from the same fresh state */
	at.pid = t.pid;
	sfd = ioctl(dev, TTREC_IOC_ATTACH, &at);
	if (sfd < 0) {
		perror("snapbench: TTREC_IOC_ATTACH");
		return 1;
	}
	for (i = 0; i < runs; i++) {
		ask(&t, 't');
		s1 = snapshot(sfd, &sa);
		if (s1 < 0) {
			perror("snapbench: TTREC_IOC_SNAPSHOT");
			return 1;
		}
		pause[i] = sa.pause_ns;
		if (i == 0)
			printf("snapshot: %llu pages shared copy-on-write, copied: %llu pinned, %llu huge, %llu shared, %llu swapped\n",
			       (unsigned long long)sa.counts.pages_shared,
			       (unsigned long long)sa.counts.pages_copied_pinned,
			       (unsigned long long)sa.counts.pages_copied_huge,
			       (unsigned long long)sa.counts.pages_copied_shared,
			       (unsigned long long)sa.counts.pages_copied_swap);
		close(s1);
		ask(&t, 't');
		forkt[i] = ask(&t, 'f');
		printf("run %d: snapshot pause %.3f ms, fork() %.3f ms\n", i + 1,
		       pause[i] / 1e6, forkt[i] / 1e6);
	}
	p_med = median(pause, runs);
	f_med = median(forkt, runs);
	printf("median: snapshot pause %.3f ms, fork() %.3f ms\n", p_med / 1e6, f_med / 1e6);

	/* criu dump --leave-running */
	for (i = 0; i < criu_runs; i++) {
		ask(&t, 't');
		criu[i] = criu_frozen(t.pid, dir, i, &wall);
		if (!criu[i]) {
			fprintf(stderr, "snapbench: criu dump failed (log above)\n");
			criu_runs = i;
			break;
		}
		printf("criu run %d: frozen %.3f ms (criu's wall time %.3f ms)\n", i + 1,
		       criu[i] / 1e6, wall / 1e6);
	}
	snprintf(pa, sizeof(pa), "rm -rf %s/criu", dir);
	if (system(pa))
		bad = 1;
	if (criu_runs)
		c_med = median(criu, criu_runs);

	/* incremental: full image, 1% dirtied, image against it with the kernel diff */
	snprintf(pa, sizeof(pa), "%s/full.img", dir);
	snprintf(pb, sizeof(pb), "%s/incr.img", dir);
	unlink(pa);
	unlink(pb);
	ask(&t, 't');
	s1 = snapshot(sfd, &sa);
	if (s1 < 0) {
		perror("snapbench: TTREC_IOC_SNAPSHOT");
		return 1;
	}
	wo.path = pa;
	wo.snapfd = s1;
	wo.comm = "snapbench";
	if (img_write(&wo, &full) || img_open(pa, &pim))
		return 1;
	printf("full image: %llu data pages (%.1f MiB), %.1f MiB stored, written in %.3f s\n",
	       (unsigned long long)full.data_pages, full.data_pages * PAGE / 1048576.0,
	       full.data_bytes_stored / 1048576.0, full.seconds);
	dirty_pages = ask(&t, 'd');
	gen = ask(&t, 'g');
	s2 = snapshot(sfd, &sa);
	if (s2 < 0) {
		perror("snapbench: TTREC_IOC_SNAPSHOT");
		return 1;
	}
	wo.path = pb;
	wo.snapfd = s2;
	wo.parent = pim;
	wo.parent_ref = "full.img";
	wo.parent_snapfd = s1;
	t0 = now_ns();
	if (img_write(&wo, &incr))
		return 1;
	printf("incremental image: %s, %llu pages the kernel reported changed, %llu data pages (%llu bytes) for %llu dirtied pages (%llu bytes), %llu pages read, %.1f KiB stored, file %.1f KiB, written in %.3f s (snapshot pause %.3f ms)\n",
	       incr.kernel_diff ? "TTREC_IOC_SNAP_DIFF" : "NO KERNEL DIFF (contents compared)",
	       (unsigned long long)incr.diff_pages, (unsigned long long)incr.data_pages,
	       (unsigned long long)(incr.data_pages * PAGE), (unsigned long long)dirty_pages,
	       (unsigned long long)(dirty_pages * PAGE), (unsigned long long)incr.pages_scanned,
	       incr.data_bytes_stored / 1024.0, incr.file_bytes / 1024.0,
	       (now_ns() - t0) / 1e9, sa.pause_ns / 1e6);

	/* read it back: every dirtied page has the new word, the others the old */
	if (img_open(pb, &im))
		return 1;
	for (i = 0; (size_t)i < (mib << 20) / PAGE; i++) {
		uint64_t w[2];

		if (img_pread(im, w, sizeof(w), base + (uint64_t)i * PAGE) != sizeof(w)) {
			bad = 1;
			break;
		}
		if ((i % 100 == 0 && w[1] != (gen << 32 | i)) || w[0] != ((gen - 1) << 32 | i)) {
			bad = 1;
			break;
		}
	}
	printf("incremental image read back: %s\n", bad ? "WRONG CONTENTS" : "ok");
	img_close(im);
	img_close(pim);
	close(s2);
	close(s1);
	unlink(pa);
	unlink(pb);

	if (c_med)
		snprintf(pa, sizeof(pa), "%.4f", (double)p_med / c_med);
	else
		snprintf(pa, sizeof(pa), "nan");	/* criu failed: its log is above */
	printf("bench snapshot pause_ratio_vs_fork=%.3f pause_ratio_vs_criu=%s incr_bytes=%llu dirty_bytes=%llu\n",
	       (double)p_med / f_med, pa, (unsigned long long)(incr.data_pages * PAGE),
	       (unsigned long long)(dirty_pages * PAGE));
	bad |= bench_restore(&t, sfd, api.features, dir, ttrec, restore_runs, criu_runs > 0);
	return bad;
}
