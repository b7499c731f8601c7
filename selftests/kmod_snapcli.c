// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec snapshot, info and dump on images, attach --snapshot-interval, and
 * status's page accounting, end to end with ttrec.ko (VM only). The
 * workload (workloads/snapmem) writes known patterns and checks its own
 * memory against its model; the tests check the images hold the bytes of
 * their instant (ttrec dump --mem), that an incremental image holds exactly
 * the pages that changed, that chains resolve, and that corrupt, truncated,
 * foreign or orphaned images are refused.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/ttrec.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "image/image.h"
#include "lib/log.h"
#include "piped.h"
#include "snapcli.h"

#define PAGE		4096UL
#define MAX_PAGES	1024
/* pages outside the workload's region an incremental image may hold:
 * its stack, stdio buffers, libc data written while answering */
#define OTHER_PAGES_MAX	24

static unsigned char pat(unsigned int seed, unsigned long page, unsigned long k)
{
	return seed ? (unsigned char)(seed * 31 + page * 7 + k * 13 + (k >> 8)) : 0;
}

/* ---------------------------------------------------------------- workload */

struct wl {
	pid_t pid;
	FILE *in, *out;
	uint64_t region, file;
	unsigned long npages;
	unsigned int seeds[MAX_PAGES];	/* the model */
};

static int wl_start(struct wl *w, const char *args)
{
	char line[256], cmd[PATH_MAX + 600];
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };

	memset(w, 0, sizeof(*w));
	/*
	 * glibc's rseq registration off: the kernel would rewrite the
	 * rseq area (cpu ids) when the thread resumes on another CPU
	 * after a snapshot, and images are compared with /proc/PID/mem.
	 */
	snprintf(cmd, sizeof(cmd), "GLIBC_TUNABLES=glibc.pthread.rseq=0 exec %s/snapmem %s",
		 wl_dir, args);
	w->pid = spawn_piped(argv, &w->in, &w->out);
	if (w->pid < 0)
		return -1;
	while (fgets(line, sizeof(line), w->out)) {
		unsigned long long a;

		if (sscanf(line, "region %llx %lu", &a, &w->npages) == 2)
			w->region = a;
		else if (sscanf(line, "file %llx", &a) == 1)
			w->file = a;
		else if (!strncmp(line, "ready", 5))
			return w->region && w->npages <= MAX_PAGES ? 0 : -1;
	}
	return -1;
}

/* Send one command; 0 when the workload answers "ok". */
static int __attribute__((format(printf, 2, 3))) wl_cmd(struct wl *w, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vfprintf(w->in, fmt, ap);
	va_end(ap);
	fputc('\n', w->in);
	fflush(w->in);
	if (!fgets(line, sizeof(line), w->out))
		return -1;
	return strncmp(line, "ok", 2) ? -1 : 0;
}

/*
 * Wait until the workload sleeps in read() on stdin again: after its answer
 * it still flushes stdio and returns to fgets(), writing its heap, data and
 * stack. Snapshots compared with /proc/PID/mem need it quiet.
 */
static int wl_quiesce(struct wl *w)
{
	char path[64], buf[128];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/syscall", w->pid);
	for (i = 0; i < 500; i++) {
		FILE *f = fopen(path, "r");
		bool in_read = false;

		if (f) {
			in_read = fgets(buf, sizeof(buf), f) && !strncmp(buf, "0 0x0 ", 6);
			fclose(f);
		}
		if (in_read)
			return 0;
		usleep(10000);
	}
	return -1;
}

static void wl_stop(struct wl *w)
{
	if (w->pid <= 0)
		return;
	kill(w->pid, SIGKILL);
	waitpid(w->pid, NULL, 0);
	if (w->in)
		fclose(w->in);
	if (w->out)
		fclose(w->out);
	w->pid = 0;
}

static void model_all(struct wl *w, unsigned int seed, unsigned long touched)
{
	unsigned long i;

	for (i = 0; i < w->npages; i++)
		w->seeds[i] = i < touched ? seed : 0;
}

/* ------------------------------------------------------------ image reads */

/* `ttrec dump IMG --mem ADDR:LEN` parsed back into @buf; the exit status. */
static int dump_mem(const char *img, uint64_t addr, size_t len, unsigned char *buf,
		    struct cmd_out *c)
{
	const char *p;
	size_t got = 0;

	if (sh(c, "%s dump %s --mem %#llx:%zu", ttrec_bin, img, (unsigned long long)addr, len))
		return -1;
	for (p = c->out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long long a;
		unsigned int b[16];
		int n, k;

		n = sscanf(p, "%llx %x %x %x %x %x %x %x %x %x %x %x %x %x %x %x %x", &a,
			   &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7],
			   &b[8], &b[9], &b[10], &b[11], &b[12], &b[13], &b[14], &b[15]);
		if (n < 2 || a != addr + got)
			continue;
		for (k = 0; k < n - 1 && got < len; k++)
			buf[got++] = b[k];
	}
	if (c->status == 0 && got != len)
		return -2;
	return c->status;
}

/*
 * Does the image read back as the model (`ttrec dump --mem --raw`, fast for
 * many pages; dump_mem() checks the hex form)? -1, or the first wrong page.
 */
static long check_image(const char *img, struct wl *w, struct cmd_out *c)
{
	size_t len = w->npages * PAGE;
	unsigned long i, k;

	if (sh(c, "%s dump %s --mem %#llx:%zu --raw", ttrec_bin, img,
	       (unsigned long long)w->region, len) || c->status || c->out_len != len)
		return 100000;
	for (i = 0; i < w->npages; i++)
		for (k = 0; k < PAGE; k++)
			if ((unsigned char)c->out[i * PAGE + k] != pat(w->seeds[i], i, k))
				return i;
	return -1;
}

/*
 * From `ttrec dump IMG --pages`: how many pages of @kind the image lists
 * in all, and which pages of the workload's region (bitmap @in_region).
 */
static long pages_of(const char *img, const char *kind, struct wl *w,
		     unsigned char *in_region, struct cmd_out *c)
{
	uint64_t end = w->region + w->npages * PAGE;
	const char *p;
	long total = 0;

	memset(in_region, 0, MAX_PAGES);
	if (sh(c, "%s dump %s --pages", ttrec_bin, img) || c->status)
		return -1;
	for (p = c->out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long long a, b, n;
		char k[32];

		if (sscanf(p, " %llx-%llx %llu %31s", &a, &b, &n, k) != 4 || strcmp(k, kind))
			continue;
		if (p[0] != ' ')
			continue;		/* a "vma" line */
		total += n;
		for (; a < b; a += PAGE)
			if (a >= w->region && a < end)
				in_region[(a - w->region) / PAGE] = 1;
	}
	return total;
}

static uint64_t api_features(void)
{
	struct ttrec_api a = { .api = TTREC_API };
	int fd = open("/dev/ttrec", O_RDWR);

	if (fd < 0)
		return 0;
	if (ioctl(fd, TTREC_IOC_GET_API, &a))
		a.features = 0;
	close(fd);
	return a.features;
}

/* Does the module answer TTREC_IOC_SNAP_DIFF (two snapshots of @pid)? */
static bool kernel_diff_works(pid_t pid)
{
	struct ttrec_attach_args at = { .pid = pid };
	struct ttrec_snapshot_args a = { 0 };
	struct ttrec_snap_diff_args d = { .entry_size = sizeof(struct ttrec_snap_range) };
	int dev = open("/dev/ttrec", O_RDWR), sfd = -1, s1 = -1, s2 = -1;
	bool ok = false;

	if (dev >= 0)
		sfd = ioctl(dev, TTREC_IOC_ATTACH, &at);
	if (sfd >= 0)
		s1 = ioctl(sfd, TTREC_IOC_SNAPSHOT, &a);
	if (s1 >= 0)
		s2 = ioctl(sfd, TTREC_IOC_SNAPSHOT, &a);
	if (s2 >= 0) {
		d.parent_fd = s1;
		ok = ioctl(s2, TTREC_IOC_SNAP_DIFF, &d) == 0;
	}
	close(s2);
	close(s1);
	close(sfd);
	close(dev);
	return ok;
}

/* ------------------------------------------------------------------ tests */

FIXTURE(snap) {
	char dir[64];
	char a[128], b[128], c3[128];
	struct cmd_out c;
	struct wl w;
};

FIXTURE_SETUP(snap)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/ttrec-kmod-snapcli-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->a, sizeof(self->a), "%s/a.img", self->dir);
	snprintf(self->b, sizeof(self->b), "%s/b.img", self->dir);
	snprintf(self->c3, sizeof(self->c3), "%s/c.img", self->dir);
	memset(&self->c, 0, sizeof(self->c));
	memset(&self->w, 0, sizeof(self->w));
}

FIXTURE_TEARDOWN(snap)
{
	struct cmd_out c;

	wl_stop(&self->w);
	cmd_out_free(&self->c);
	sh(&c, "rm -rf %s %s.moved", self->dir, self->dir);
	cmd_out_free(&c);
}

#define TTREC(fmt, ...) ({						\
	cmd_out_free(&self->c);						\
	ASSERT_EQ(0, sh(&self->c, "%s " fmt, ttrec_bin, ##__VA_ARGS__));	\
	self->c.status;							\
})

TEST_F_TIMEOUT(snap, full_image_holds_the_bytes_of_its_instant, 120)
{
	unsigned char buf[PAGE], *mem;
	unsigned char in_region[MAX_PAGES];
	char path[128], args[256];
	unsigned long i, k;
	int fd;

	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	snprintf(path, sizeof(path), "%s/backing", self->dir);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(args, sizeof(args), "-n 64 -t 48 -f %s", path);
	ASSERT_EQ(0, wl_start(&self->w, args));
	model_all(&self->w, 1, 48);

	EXPECT_EQ(0, TTREC("snapshot %d -o %s", self->w.pid, self->a)) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.out, "full image")) TH_LOG("%s", self->c.out);

	/* the workload overwrites everything and sees its new bytes */
	ASSERT_EQ(0, wl_cmd(&self->w, "fill 2"));
	ASSERT_EQ(0, wl_cmd(&self->w, "check"));
	snprintf(path, sizeof(path), "/proc/%d/mem", self->w.pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	mem = malloc(64 * PAGE);
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(64 * PAGE, pread(fd, mem, 64 * PAGE, self->w.region));
	close(fd);
	for (i = 0; i < 64; i++)
		for (k = 0; k < PAGE; k += 97)
			ASSERT_EQ(pat(2, i, k), mem[i * PAGE + k]);
	free(mem);

	/* the image still reads the old bytes; never-touched pages are zero */
	EXPECT_EQ(-1, check_image(self->a, &self->w, &self->c)) TH_LOG("%s", self->c.err);
	EXPECT_LE(48, pages_of(self->a, "data", &self->w, in_region, &self->c));
	for (i = 0; i < 64; i++)
		EXPECT_EQ(i < 48, in_region[i]) TH_LOG("page %lu", i);

	/* a private file mapping: the written page is held, the other is the file's */
	ASSERT_NE(0, self->w.file);
	ASSERT_EQ(0, dump_mem(self->a, self->w.file, PAGE, buf, &self->c)) TH_LOG("%s", self->c.err);
	for (k = 0; k < PAGE; k++)
		ASSERT_EQ(pat(9, 0, k), buf[k]);
	EXPECT_EQ(1, dump_mem(self->a, self->w.file + PAGE, 16, buf, &self->c));
	EXPECT_NE(NULL, strstr(self->c.err, "not captured")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "backing")) TH_LOG("%s", self->c.err);
	/* no VMA */
	EXPECT_EQ(1, dump_mem(self->a, 0x1000, 16, buf, &self->c));
	EXPECT_NE(NULL, strstr(self->c.err, "not mapped")) TH_LOG("%s", self->c.err);

	/* --raw gives the bytes as they are */
	EXPECT_EQ(0, TTREC("dump %s --mem %#llx:%lu --raw", self->a,
			   (unsigned long long)self->w.region + PAGE, PAGE));
	ASSERT_EQ(PAGE, self->c.out_len);
	for (k = 0; k < PAGE; k++)
		ASSERT_EQ(pat(1, 1, k), (unsigned char)self->c.out[k]);

	EXPECT_EQ(0, TTREC("info %s", self->a)) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.out, "kind: full"));
	EXPECT_NE(NULL, strstr(self->c.out, "checksums: ok"));
	snprintf(path, sizeof(path), "target: pid %d (snapmem)", self->w.pid);
	EXPECT_NE(NULL, strstr(self->c.out, path)) TH_LOG("%s", self->c.out);
	EXPECT_EQ(0, TTREC("dump %s", self->a));
	EXPECT_NE(NULL, strstr(self->c.out, "threads: 1")) TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(self->c.out, "(leader)"));
	EXPECT_NE(NULL, strstr(self->c.out, "/backing"));
	/* an existing output is not overwritten */
	EXPECT_EQ(1, TTREC("snapshot %d -o %s", self->w.pid, self->a));
	EXPECT_NE(NULL, strstr(self->c.err, "exists"));
}

/* Dirty some pages, zero one, drop one: exactly those are in the increment. */
static void dirty_some(struct wl *w)
{
	static const unsigned int dirty[] = { 3, 10, 11, 40, 200 };
	unsigned int i;

	for (i = 0; i < sizeof(dirty) / sizeof(dirty[0]); i++)
		w->seeds[dirty[i]] = 5;
	w->seeds[20] = 0;
	w->seeds[21] = 0;
}

TEST_F_TIMEOUT(snap, incremental_holds_exactly_the_changed_pages, 120)
{
	unsigned char data[MAX_PAGES], zero[MAX_PAGES];
	struct cmd_out c;
	char moved[160];
	struct wl old;
	long total;
	unsigned long i;

	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	ASSERT_EQ(0, wl_start(&self->w, "-n 256"));
	model_all(&self->w, 1, 256);
	ASSERT_EQ(0, TTREC("snapshot %d -o %s -q", self->w.pid, self->a)) TH_LOG("%s", self->c.err);
	EXPECT_STREQ("", self->c.out);

	ASSERT_EQ(0, wl_cmd(&self->w, "pages 5 3 10 11 40 200"));
	ASSERT_EQ(0, wl_cmd(&self->w, "zero 20"));
	ASSERT_EQ(0, wl_cmd(&self->w, "drop 21"));
	ASSERT_EQ(0, wl_cmd(&self->w, "check"));
	dirty_some(&self->w);

	/* relative parent path: the same directory */
	ASSERT_EQ(0, TTREC("snapshot %d -o %s --parent %s", self->w.pid, self->b, self->a))
		TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.out, "incremental image")) TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(self->c.out, "parent: a.img")) TH_LOG("%s", self->c.out);

	total = pages_of(self->b, "data", &self->w, data, &self->c);
	ASSERT_LE(5, total) TH_LOG("%s", self->c.out);
	EXPECT_GE(5 + OTHER_PAGES_MAX, total) TH_LOG("%s", self->c.out);
	for (i = 0; i < 256; i++)
		EXPECT_EQ(self->w.seeds[i] == 5, data[i]) TH_LOG("page %lu", i);
	pages_of(self->b, "zero", &self->w, zero, &self->c);
	for (i = 0; i < 256; i++)
		EXPECT_EQ(i == 20 || i == 21, zero[i]) TH_LOG("page %lu", i);

	/* the chain resolves to the new contents; the parent keeps the old */
	EXPECT_EQ(-1, check_image(self->b, &self->w, &self->c)) TH_LOG("%s", self->c.err);
	old = self->w;
	model_all(&old, 1, 256);
	EXPECT_EQ(-1, check_image(self->a, &old, &self->c));

	/* a second increment on top */
	ASSERT_EQ(0, wl_cmd(&self->w, "pages 6 0 255 20"));
	self->w.seeds[0] = self->w.seeds[255] = self->w.seeds[20] = 6;
	ASSERT_EQ(0, TTREC("snapshot %d -o %s --parent %s", self->w.pid, self->c3, self->b))
		TH_LOG("%s", self->c.err);
	total = pages_of(self->c3, "data", &self->w, data, &self->c);
	for (i = 0; i < 256; i++)
		EXPECT_EQ(i == 0 || i == 255 || i == 20, data[i]) TH_LOG("page %lu", i);
	EXPECT_EQ(-1, check_image(self->c3, &self->w, &self->c));
	EXPECT_EQ(0, TTREC("info %s", self->c3));
	EXPECT_NE(NULL, strstr(self->c.out, "kind: incremental, chain depth 2")) TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(self->c.out, "comparing contents")) TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(self->c.out, "checksums: ok"));

	/* the chain moves with its directory */
	ASSERT_EQ(0, sh(&c, "mv %s %s.moved", self->dir, self->dir));
	cmd_out_free(&c);
	snprintf(moved, sizeof(moved), "%s.moved/c.img", self->dir);
	EXPECT_EQ(-1, check_image(moved, &self->w, &self->c)) TH_LOG("%s", self->c.err);
	ASSERT_EQ(0, sh(&c, "mv %s.moved %s", self->dir, self->dir));
	cmd_out_free(&c);
}

/* Copy @src to @dst, then overwrite @len bytes at @off with @bytes. */
static int damage(const char *src, const char *dst, long off, const void *bytes, size_t len)
{
	struct cmd_out c;
	int fd, ret = 0;

	if (sh(&c, "cp %s %s", src, dst) || c.status)
		ret = -1;
	cmd_out_free(&c);
	if (ret || !len)
		return ret;
	fd = open(dst, O_WRONLY);
	if (fd < 0)
		return -1;
	if (pwrite(fd, bytes, len, off) != (ssize_t)len)
		ret = -1;
	close(fd);
	return ret;
}

TEST_F_TIMEOUT(snap, broken_images_and_chains_are_refused, 120)
{
	char p[192], q[192];
	unsigned char x = 0x5a;
	uint32_t v99 = 99;
	struct stat st;
	struct wl other;
	pid_t gone;

	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	ASSERT_EQ(0, wl_start(&self->w, "-n 32"));
	model_all(&self->w, 1, 32);
	ASSERT_EQ(0, TTREC("snapshot %d -o %s -q", self->w.pid, self->a));
	ASSERT_EQ(0, wl_cmd(&self->w, "pages 3 1 2"));
	ASSERT_EQ(0, TTREC("snapshot %d -o %s -q --parent %s", self->w.pid, self->b, self->a));
	ASSERT_EQ(0, stat(self->a, &st));

	/* a flipped byte in the first data chunk's payload */
	snprintf(p, sizeof(p), "%s/flip.img", self->dir);
	ASSERT_EQ(0, damage(self->a, p, 256 + 48 + 100, &x, 1));
	EXPECT_EQ(1, TTREC("info %s", p));
	EXPECT_NE(NULL, strstr(self->c.err, "checksum")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.out, "checksums: FAILED"));
	EXPECT_EQ(1, TTREC("dump %s --mem %#llx:16", p, (unsigned long long)self->w.region));
	EXPECT_NE(NULL, strstr(self->c.err, "checksum")) TH_LOG("%s", self->c.err);

	/* the header */
	ASSERT_EQ(0, damage(self->a, p, 100, &x, 1));
	EXPECT_EQ(1, TTREC("dump %s", p));
	EXPECT_NE(NULL, strstr(self->c.err, "header is corrupt")) TH_LOG("%s", self->c.err);
	ASSERT_EQ(0, damage(self->a, p, 0, "NOTANIMG", 8));
	EXPECT_EQ(1, TTREC("info %s", p));
	EXPECT_NE(NULL, strstr(self->c.err, "not a ttrec snapshot image")) TH_LOG("%s", self->c.err);
	ASSERT_EQ(0, damage(self->a, p, 8, &v99, 4));
	EXPECT_EQ(1, TTREC("info %s", p));
	EXPECT_NE(NULL, strstr(self->c.err, "format version 99")) TH_LOG("%s", self->c.err);

	/* the metadata at the end: the table of contents */
	ASSERT_EQ(0, damage(self->a, p, st.st_size - 20, &x, 1));
	EXPECT_EQ(1, TTREC("info %s", p));
	EXPECT_NE(NULL, strstr(self->c.err, "corrupt")) TH_LOG("%s", self->c.err);

	/* truncated */
	ASSERT_EQ(0, damage(self->a, p, 0, NULL, 0));
	ASSERT_EQ(0, truncate(p, st.st_size / 2));
	EXPECT_EQ(1, TTREC("info %s", p));
	EXPECT_NE(NULL, strstr(self->c.err, p)) TH_LOG("%s", self->c.err);

	/* a missing parent */
	snprintf(p, sizeof(p), "%s/orphan", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));
	snprintf(p, sizeof(p), "%s/orphan/b.img", self->dir);
	ASSERT_EQ(0, damage(self->b, p, 0, NULL, 0));
	EXPECT_EQ(1, TTREC("info %s", p));
	EXPECT_NE(NULL, strstr(self->c.err, "parent image")) TH_LOG("%s", self->c.err);
	EXPECT_NE(NULL, strstr(self->c.err, "missing")) TH_LOG("%s", self->c.err);
	EXPECT_EQ(1, TTREC("dump %s --mem %#llx:16", p, (unsigned long long)self->w.region));

	/* a parent that is another image (a later snapshot under the same name) */
	snprintf(q, sizeof(q), "%s/orphan/a.img", self->dir);
	ASSERT_EQ(0, TTREC("snapshot %d -o %s -q", self->w.pid, q));
	EXPECT_EQ(1, TTREC("info %s", p));
	EXPECT_NE(NULL, strstr(self->c.err, "is not its parent")) TH_LOG("%s", self->c.err);

	/* a corrupt parent given to snapshot --parent */
	snprintf(p, sizeof(p), "%s/flip.img", self->dir);
	snprintf(q, sizeof(q), "%s/never.img", self->dir);
	ASSERT_EQ(0, damage(self->a, p, 256 + 48 + 100, &x, 1));
	ASSERT_EQ(0, damage(self->a, p, 100, &x, 1));
	EXPECT_EQ(1, TTREC("snapshot %d -o %s --parent %s", self->w.pid, q, p));
	EXPECT_NE(NULL, strstr(self->c.err, "parent")) TH_LOG("%s", self->c.err);
	EXPECT_NE(0, access(q, F_OK));

	/* a parent of another process */
	ASSERT_EQ(0, wl_start(&other, "-n 4"));
	gone = other.pid;
	EXPECT_EQ(1, TTREC("snapshot %d -o %s --parent %s", other.pid, q, self->a));
	EXPECT_NE(NULL, strstr(self->c.err, "is a snapshot of process")) TH_LOG("%s", self->c.err);
	EXPECT_NE(0, access(q, F_OK));
	wl_stop(&other);

	/* the target is gone */
	EXPECT_EQ(1, TTREC("snapshot %d -o %s", gone, q));
	EXPECT_NE(NULL, strstr(self->c.err, "no such process")) TH_LOG("%s", self->c.err);
}

TEST_F_TIMEOUT(snap, attach_snapshot_interval_writes_a_chain, 300)
{
	unsigned char data[MAX_PAGES], seen[MAX_PAGES] = { 0 }, zseen[MAX_PAGES] = { 0 };
	char rec[128], img[192], meta[256];
	long total;
	struct wl first;
	struct cmd_out c;
	bool kdiff;
	pid_t att;
	int i, n, tries, st;
	unsigned long k;

	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	ASSERT_EQ(0, wl_start(&self->w, "-n 64"));
	model_all(&self->w, 1, 64);
	kdiff = kernel_diff_works(self->w.pid);
	snprintf(rec, sizeof(rec), "%s/rec", self->dir);
	att = fork();
	ASSERT_LE(0, att);
	if (att == 0) {
		char pid[16];

		snprintf(pid, sizeof(pid), "%d", self->w.pid);
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execl(ttrec_bin, ttrec_bin, "attach", pid, "-o", rec, "--snapshot-interval", "1",
		      "--duration", "6", NULL);
		_exit(127);
	}
	snprintf(img, sizeof(img), "%s/snap-0001.img", rec);
	for (tries = 0; tries < 600 && access(img, F_OK); tries++)
		usleep(100 * 1000);
	ASSERT_EQ(0, access(img, F_OK));
	ASSERT_EQ(0, wl_cmd(&self->w, "pages 4 7 8"));
	ASSERT_EQ(0, wl_cmd(&self->w, "zero 9"));
	ASSERT_EQ(0, wl_cmd(&self->w, "drop 10"));
	self->w.seeds[7] = self->w.seeds[8] = 4;
	self->w.seeds[9] = self->w.seeds[10] = 0;
	ASSERT_EQ(att, waitpid(att, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));

	ASSERT_EQ(0, sh(&c, "grep '^snapshot' %s/meta", rec));
	EXPECT_NE(NULL, strstr(c.out, "snapshot=snap-0001.img ")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "parent=- diff=full")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "snapshot_interval_ns=1000000000"));
	snprintf(meta, sizeof(meta), "parent=snap-0001.img diff=%s", kdiff ? "kernel" : "contents");
	EXPECT_NE(NULL, strstr(c.out, meta)) TH_LOG("%s", c.out);
	cmd_out_free(&c);

	for (n = 1; n < 100; n++) {
		snprintf(img, sizeof(img), "%s/snap-%04d.img", rec, n + 1);
		if (access(img, F_OK))
			break;
	}
	ASSERT_LE(2, n);
	for (i = 2; i <= n; i++) {
		snprintf(img, sizeof(img), "%s/snap-%04d.img", rec, i);
		EXPECT_EQ(0, TTREC("info %s", img)) TH_LOG("%s", self->c.err);
		EXPECT_NE(NULL, strstr(self->c.out, kdiff ? "the kernel (TTREC_IOC_SNAP_DIFF)" :
							    "comparing contents"));
		total = pages_of(img, "data", &self->w, data, &self->c);
		EXPECT_GE(2 + OTHER_PAGES_MAX, total) TH_LOG("%s", self->c.out);
		for (k = 0; k < 64; k++) {
			/* an increment holds a region page only if it was dirtied */
			EXPECT_EQ(0, data[k] && k != 7 && k != 8) TH_LOG("%s page %lu", img, k);
			seen[k] |= data[k];
		}
		ASSERT_LE(0, pages_of(img, "zero", &self->w, data, &self->c));
		for (k = 0; k < 64; k++) {
			EXPECT_EQ(0, data[k] && k != 9 && k != 10) TH_LOG("%s page %lu", img, k);
			zseen[k] |= data[k];
		}
	}
	EXPECT_TRUE(seen[7] && seen[8]);
	EXPECT_TRUE(zseen[9] && zseen[10]);
	/* the last image, its chain resolved, is the workload's final state */
	EXPECT_EQ(-1, check_image(img, &self->w, &self->c)) TH_LOG("%s", self->c.err);
	snprintf(img, sizeof(img), "%s/snap-0001.img", rec);
	first = self->w;
	model_all(&first, 1, 64);
	EXPECT_EQ(-1, check_image(img, &first, &self->c));
	/* the recording itself is there */
	EXPECT_EQ(0, TTREC("info %s", rec)) TH_LOG("%s", self->c.err);
}

/*
 * Every byte the image gives for the target's memory equals what
 * /proc/PID/mem reads now (the target idles in read() since the snapshot):
 * whole anonymous VMAs, and the captured pages of file-backed ones.
 * Returns the first differing address, or 0.
 */
static uint64_t differs_from_proc(struct img *im, pid_t pid, uint64_t *checked)
{
	unsigned char a[PAGE], b[PAGE];
	char path[64], line[512];
	uint64_t bad = 0, vdso = 0;
	FILE *maps;
	uint32_t i;
	int fd;

	/*
	 * The module reports [vdso] as a captured anonymous VMA holding no
	 * page, so a snapshot reads zeroes there, not the vDSO: not compared.
	 */
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "r");
	while (maps && fgets(line, sizeof(line), maps))
		if (strstr(line, "[vdso]"))
			vdso = strtoull(line, NULL, 16);
	if (maps)
		fclose(maps);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 1;
	*checked = 0;
	for (i = 0; i < im->nr_vmas && !bad; i++) {
		const struct img_vma *v = &im->vmas[i];
		uint64_t addr;

		if (!(v->flags & TTREC_VMA_CAPTURED) || (v->flags & TTREC_VMA_SHARED) ||
		    v->start == vdso)
			continue;
		for (addr = v->start; addr < v->end && !bad; addr += PAGE) {
			ssize_t n = img_pread(im, a, PAGE, addr);

			if (n == -ENODATA && (v->flags & TTREC_VMA_FILE))
				continue;	/* the file's page */
			if (n != PAGE || pread(fd, b, PAGE, addr) != PAGE || memcmp(a, b, PAGE)) {
				fprintf(stderr, "# %#llx (vma %#llx-%#llx flags %#x %s): differs\n",
					(unsigned long long)addr, (unsigned long long)v->start,
					(unsigned long long)v->end, v->flags, v->path);
				bad = addr;
			}
			(*checked)++;
		}
	}
	close(fd);
	return bad;
}

/* Snapshot @sfd into @path (against @parent with @parent_fd when given). */
static int write_image(int sfd, const char *path, struct img *parent, int parent_fd,
		       int *snapfd, struct img_write_stats *st, struct img **out)
{
	struct ttrec_snapshot_args a = { 0 };
	struct img_write_opts wo = { .path = path, .comm = "snapmem", .parent = parent,
				     .parent_ref = "a.img", .parent_snapfd = parent_fd };

	*snapfd = ioctl(sfd, TTREC_IOC_SNAPSHOT, &a);
	if (*snapfd < 0)
		return -errno;
	wo.snapfd = *snapfd;
	if (img_write(&wo, st))
		return -EIO;
	return img_open(path, out);
}

/*
 * Increments across VMA changes (pages written, part of a mapping unmapped,
 * part made read-only, a new mapping, heap growth), with the kernel's diff
 * and by comparing contents: the chain must read as the target's memory.
 */
static void vma_changes(struct __test_metadata *_metadata, const char *dir, bool kernel)
{
	struct img *a = NULL, *b = NULL;
	struct img_write_stats st;
	struct ttrec_attach_args at = { 0 };
	char pa[128], pb[128];
	uint64_t checked;
	struct wl w;
	int dev, sfd, s1, s2;

	log_verbosity = LOG_WARN;
	snprintf(pa, sizeof(pa), "%s/a.img", dir);
	snprintf(pb, sizeof(pb), "%s/b.img", dir);
	ASSERT_EQ(0, wl_start(&w, "-n 128"));
	dev = open("/dev/ttrec", O_RDWR);
	ASSERT_LE(0, dev);
	at.pid = w.pid;
	sfd = ioctl(dev, TTREC_IOC_ATTACH, &at);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, wl_quiesce(&w));
	ASSERT_EQ(0, write_image(sfd, pa, NULL, -1, &s1, &st, &a));
	EXPECT_EQ(0, differs_from_proc(a, w.pid, &checked));
	EXPECT_LE(128, checked);

	ASSERT_EQ(0, wl_cmd(&w, "pages 3 1 2 3"));
	ASSERT_EQ(0, wl_cmd(&w, "unmap 100 10"));
	ASSERT_EQ(0, wl_cmd(&w, "protect 0 4"));
	ASSERT_EQ(0, wl_cmd(&w, "map 16 7"));
	ASSERT_EQ(0, wl_cmd(&w, "brk 8 8"));
	ASSERT_EQ(0, wl_cmd(&w, "check"));

	ASSERT_EQ(0, wl_quiesce(&w));
	ASSERT_EQ(0, write_image(sfd, pb, a, kernel ? s1 : -1, &s2, &st, &b));
	EXPECT_EQ(kernel, st.kernel_diff);
	EXPECT_EQ(1, b->h.depth);
	/* 3 written, 16 mapped, 8 of heap, and the workload's own few */
	EXPECT_LE(3 + 16 + 8, st.data_pages);
	EXPECT_GE(3 + 16 + 8 + OTHER_PAGES_MAX, st.data_pages);
	EXPECT_LE(1, b->nr_removed);		/* the region as it was */
	EXPECT_EQ(0, differs_from_proc(b, w.pid, &checked));
	EXPECT_LE(118 + 16 + 8, checked);
	img_close(b);
	img_close(a);
	close(s2);
	close(s1);
	close(sfd);
	close(dev);
	wl_stop(&w);
}

TEST_F_TIMEOUT(snap, increments_across_vma_changes_kernel_diff, 120)
{
	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	vma_changes(_metadata, self->dir, true);
}

TEST_F_TIMEOUT(snap, increments_across_vma_changes_contents, 120)
{
	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	vma_changes(_metadata, self->dir, false);
}

/* Random damage never crashes the reader: it refuses (1) or reads (0). */
TEST_F_TIMEOUT(snap, damaged_images_never_crash_the_reader, 300)
{
	char p[192];
	struct stat st;
	unsigned int i, seed = 1;

	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	ASSERT_EQ(0, wl_start(&self->w, "-n 16"));
	ASSERT_EQ(0, TTREC("snapshot %d -o %s -q", self->w.pid, self->a));
	ASSERT_EQ(0, wl_cmd(&self->w, "pages 2 1"));
	ASSERT_EQ(0, TTREC("snapshot %d -o %s -q --parent %s", self->w.pid, self->b, self->a));
	ASSERT_EQ(0, stat(self->b, &st));
	snprintf(p, sizeof(p), "%s/c.img", self->dir);
	for (i = 0; i < 60; i++) {
		unsigned char junk[8];
		long off = rand_r(&seed) % st.st_size;
		unsigned int k, n = 1 + rand_r(&seed) % 8;

		for (k = 0; k < n; k++)
			junk[k] = rand_r(&seed);
		ASSERT_EQ(0, damage(self->b, p, off, junk, n));
		if (i % 4 == 3)
			ASSERT_EQ(0, truncate(p, rand_r(&seed) % st.st_size));
		/* c.img names a.img as its parent: the chain is read too */
		TTREC("info %s", p);
		EXPECT_GE(1, self->c.status) TH_LOG("damage at %ld: %s", off, self->c.err);
		TTREC("dump %s --mem %#llx:%lu", p, (unsigned long long)self->w.region, 16 * PAGE);
		EXPECT_GE(1, self->c.status) TH_LOG("damage at %ld: %s", off, self->c.err);
		TTREC("dump %s --pages", p);
		EXPECT_GE(1, self->c.status) TH_LOG("damage at %ld: %s", off, self->c.err);
	}
}

TEST_F_TIMEOUT(snap, status_shows_page_accounting, 120)
{
	struct ttrec_snapshot_args a = { 0 };
	struct ttrec_attach_args at = { 0 };
	char want[64];
	int dev, sfd, snap;

	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	if (!(api_features() & TTREC_FEATURE_SNAP_DIFF))
		SKIP(return, "the module reports no page accounting");
	ASSERT_EQ(0, wl_start(&self->w, "-n 64"));
	dev = open("/dev/ttrec", O_RDWR);
	ASSERT_LE(0, dev);
	at.pid = self->w.pid;
	sfd = ioctl(dev, TTREC_IOC_ATTACH, &at);
	ASSERT_LE(0, sfd);
	snap = ioctl(sfd, TTREC_IOC_SNAPSHOT, &a);
	ASSERT_LE(0, snap);
	EXPECT_EQ(0, TTREC("status"));
	EXPECT_NE(NULL, strstr(self->c.out, "SNAPS PAGES(HELD/BUDGET)")) TH_LOG("%s", self->c.out);
	snprintf(want, sizeof(want), " 1     %llu/",
		 (unsigned long long)(a.counts.pages_shared + a.counts.pages_copied_pinned +
				      a.counts.pages_copied_huge + a.counts.pages_copied_shared +
				      a.counts.pages_copied_swap));
	EXPECT_NE(NULL, strstr(self->c.out, want)) TH_LOG("want '%s' in %s", want, self->c.out);
	close(snap);
	close(sfd);
	close(dev);
}

TEST_HARNESS_MAIN
