// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec.ko: TTREC_IOC_SNAP_DIFF. The workload workloads/snap_diff maps one
 * region of every kind the snapshot code treats differently and changes
 * them on command between two snapshots; the diff must list exactly the
 * pages and VMA ranges the commands changed in those regions, and at most
 * a few pages elsewhere (the stack and libc data the command loop writes).
 * Every diff is also checked for form (sorted, merged, counters) and for
 * consistency: every page the diff leaves out reads the same in both
 * snapshots. Runs as root in the test VM with ttrec.ko loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ttrec.h>

#include "workloads/snap_diff.h"

/* The harness compares int literals with unsigned fields. */
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "kmod_common.h"

#define PAGE		SD_PAGE
/* Pages the command loop may write outside the regions (stack, libc). */
#define NOISE_PAGES	16
#define MAX_SNAPS	8

#define DIFF_SIZED(size) _IOC(_IOC_READ | _IOC_WRITE, TTREC_IOC_MAGIC, \
			      _TTREC_SNAP_DIFF, (size))

/* ---------------------------------------------------------------- workload */

struct wl {
	pid_t pid;
	int cmd;		/* its stdin */
	int reply;		/* its stdout */
	struct sd_layout l;
};

/*
 * With @no_rseq the workload runs with glibc's rseq registration off: the
 * kernel then writes nothing to its memory on its own. With rseq, the
 * kernel may rewrite the thread's rseq area (cpu ids) when the thread goes
 * back to user space after a park, which copies that page like any write.
 */
static int wl_start_env(struct wl *w, const char *opts, int no_rseq)
{
	char self[4096], path[4200];
	ssize_t n;
	int c[2], r[2];

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = 0;
	snprintf(path, sizeof(path), "%s/workloads/snap_diff", dirname(self));
	if (pipe(c) || pipe(r))
		return -1;
	w->pid = fork();
	if (w->pid < 0)
		return -1;
	if (w->pid == 0) {
		dup2(c[0], 0);
		dup2(r[1], 1);
		close(c[0]);
		close(c[1]);
		close(r[0]);
		close(r[1]);
		if (no_rseq)
			setenv("GLIBC_TUNABLES", "glibc.pthread.rseq=0", 1);
		execl(path, path, opts, (char *)NULL);
		_exit(127);
	}
	close(c[0]);
	close(r[1]);
	w->cmd = c[1];
	w->reply = r[0];
	if (read(w->reply, &w->l, sizeof(w->l)) != sizeof(w->l))
		return -1;
	return wait_blocked_in_read(w->pid);
}

static int wl_start(struct wl *w, const char *opts)
{
	return wl_start_env(w, opts, 0);
}

static int wl_send(struct wl *w, uint32_t op, uint64_t addr, uint64_t len,
		   uint64_t arg, uint32_t seed)
{
	struct sd_cmd c = {
		.op = op, .seed = seed, .addr = addr, .len = len, .arg = arg,
	};

	return write(w->cmd, &c, sizeof(c)) == sizeof(c) ? 0 : -1;
}

/* The command's errno (0 on success), or -1 when the workload is gone. */
static int wl_wait(struct wl *w, uint64_t *val)
{
	struct sd_reply r;

	if (read(w->reply, &r, sizeof(r)) != sizeof(r))
		return -1;
	if (val)
		*val = r.val;
	/* back in read(2), so that a snapshot next finds its stack at rest */
	if (wait_blocked_in_read(w->pid))
		return -1;
	return r.err;
}

static int wl_do(struct wl *w, uint32_t op, uint64_t addr, uint64_t len,
		 uint64_t arg, uint32_t seed, uint64_t *val)
{
	if (wl_send(w, op, addr, len, arg, seed))
		return -1;
	return wl_wait(w, val);
}

/* Write pattern @seed to page @idx of region @r. */
static int wl_write_page(struct wl *w, int r, unsigned int idx, uint32_t seed)
{
	return wl_do(w, SD_WRITE, w->l.addr[r] + idx * PAGE, PAGE, 0, seed,
		     NULL);
}

static void wl_stop(struct wl *w)
{
	if (w->pid <= 0)
		return;
	kill(w->pid, SIGKILL);
	waitpid(w->pid, NULL, 0);
	close(w->cmd);
	close(w->reply);
	w->pid = 0;
}

/* ---------------------------------------------------------------- helpers */

static int get_vmas(int snap, struct ttrec_snap_vma **out)
{
	struct ttrec_snap_vmas_args a;
	struct ttrec_snap_vma *v;

	memset(&a, 0, sizeof(a));
	a.entry_size = sizeof(*v);
	if (ioctl(snap, TTREC_IOC_SNAP_VMAS, &a))
		return -1;
	v = calloc(a.total + 1, sizeof(*v));
	if (!v)
		return -1;
	a.vmas = (uintptr_t)v;
	a.count = a.total;
	*out = v;
	return ioctl(snap, TTREC_IOC_SNAP_VMAS, &a);
}

static const struct ttrec_snap_vma *vma_at(const struct ttrec_snap_vma *v,
					   int n, uint64_t addr)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].start <= addr && addr < v[i].end)
			return &v[i];
	return NULL;
}

struct diff {
	struct ttrec_snap_diff_args a;
	struct ttrec_snap_range *r;
	int n;
};

static void diff_args(struct ttrec_snap_diff_args *a, int parent)
{
	memset(a, 0, sizeof(*a));
	a->parent_fd = parent;
	a->entry_size = sizeof(struct ttrec_snap_range);
}

/* A size query, then the real call. 0, or -errno of the failing call. */
static int get_diff(int snap, int parent, struct diff *d)
{
	int n;

	memset(d, 0, sizeof(*d));
	diff_args(&d->a, parent);
	if (ioctl(snap, TTREC_IOC_SNAP_DIFF, &d->a))
		return -errno;
	d->r = calloc(d->a.total + 1, sizeof(*d->r));
	if (!d->r)
		return -ENOMEM;
	d->a.ranges = (uintptr_t)d->r;
	d->a.count = d->a.total + 1;	/* more room than needed is fine */
	n = ioctl(snap, TTREC_IOC_SNAP_DIFF, &d->a);
	if (n < 0)
		return -errno;
	d->n = n;
	return 0;
}

static void free_diff(struct diff *d)
{
	free(d->r);
	d->r = NULL;
}

/* Sorted by (start, kind), page aligned, merged; counters add up. */
static void check_form(struct __test_metadata *_metadata,
		       const struct diff *d)
{
	uint64_t pages = 0, last_end[5] = { 0 };
	uint32_t counts[5] = { 0 };
	int i;

	ASSERT_EQ(d->a.total, d->n);
	for (i = 0; i < d->n; i++) {
		const struct ttrec_snap_range *r = &d->r[i];

		ASSERT_LE(TTREC_DIFF_PAGES, r->kind);
		ASSERT_GE(TTREC_DIFF_VMA_CHANGED, r->kind);
		EXPECT_EQ(0, r->__pad);
		EXPECT_EQ(0, r->start % PAGE);
		EXPECT_EQ(0, r->end % PAGE);
		EXPECT_LT(r->start, r->end);
		if (i) {
			const struct ttrec_snap_range *q = &d->r[i - 1];

			EXPECT_TRUE(q->start < r->start ||
				    (q->start == r->start && q->kind < r->kind))
				TH_LOG("range %d out of order", i);
		}
		/* Same kind: disjoint and not adjacent (merged). */
		if (last_end[r->kind]) {
			EXPECT_LT(last_end[r->kind], r->start)
				TH_LOG("range %d [%#llx, %#llx) kind %u not merged", i,
				       (unsigned long long)r->start,
				       (unsigned long long)r->end, r->kind);
		}
		last_end[r->kind] = r->end;
		counts[r->kind]++;
		if (r->kind == TTREC_DIFF_PAGES)
			pages += (r->end - r->start) / PAGE;
	}
	/* VMA ranges of different kinds never overlap either. */
	for (i = 0; i < d->n; i++) {
		int j;

		if (d->r[i].kind == TTREC_DIFF_PAGES)
			continue;
		for (j = i + 1; j < d->n; j++) {
			if (d->r[j].kind != TTREC_DIFF_PAGES &&
			    d->r[j].start < d->r[i].end) {
				EXPECT_TRUE(0) TH_LOG("VMA ranges %d and %d overlap", i, j);
			}
		}
	}
	EXPECT_EQ(pages, d->a.pages_changed);
	EXPECT_EQ(counts[TTREC_DIFF_VMA_ADDED], d->a.nr_vmas_added);
	EXPECT_EQ(counts[TTREC_DIFF_VMA_REMOVED], d->a.nr_vmas_removed);
	EXPECT_EQ(counts[TTREC_DIFF_VMA_CHANGED], d->a.nr_vmas_changed);
}

static int covered(const struct diff *d, uint32_t kind, uint64_t addr)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (d->r[i].kind == kind && d->r[i].start <= addr &&
		    addr < d->r[i].end)
			return 1;
	return 0;
}

/*
 * Every page the diff leaves out reads the same in both snapshots (the
 * same bytes, or the same error), and the diff lists no page outside the
 * VMAs the newer snapshot captured. Returns the pages compared.
 */
static int check_consistent(struct __test_metadata *_metadata, int snap,
			     int parent, const struct diff *d)
{
	struct ttrec_snap_vma *vc = NULL, *vp = NULL;
	static unsigned char bc[PAGE], bp[PAGE];
	int nc, np, i, bad = 0, checked = 0;

	nc = get_vmas(snap, &vc);
	np = get_vmas(parent, &vp);
	EXPECT_LE(0, nc);
	EXPECT_LE(0, np);
	if (nc < 0 || np < 0)
		return 0;
	for (i = 0; i < d->n; i++) {
		const struct ttrec_snap_range *r = &d->r[i];
		uint64_t a;

		if (r->kind != TTREC_DIFF_PAGES)
			continue;
		for (a = r->start; a < r->end; a += PAGE) {
			const struct ttrec_snap_vma *v = vma_at(vc, nc, a);

			EXPECT_TRUE(v && (v->flags & TTREC_VMA_CAPTURED))
				TH_LOG("listed page %#llx not captured",
				       (unsigned long long)a);
		}
	}
	for (i = 0; i < nc; i++) {
		uint64_t a;

		if (!(vc[i].flags & TTREC_VMA_CAPTURED))
			continue;
		for (a = vc[i].start; a < vc[i].end; a += PAGE) {
			ssize_t rc, rp;
			int ec, ep;

			if (covered(d, TTREC_DIFF_PAGES, a))
				continue;
			errno = 0;
			rc = pread(snap, bc, PAGE, a);
			ec = errno;
			if (!vma_at(vp, np, a)) {
				/* Added and not listed: not held. */
				if (rc == PAGE) {
					for (rp = 0; rp < PAGE && !bc[rp]; rp++)
						;
					if (rp != PAGE && bad++ < 5)
						TH_LOG("unlisted page %#llx of an added VMA is not zero",
						       (unsigned long long)a);
				} else if (ec != ENODATA && bad++ < 5) {
					TH_LOG("page %#llx: %zd errno %d", (unsigned long long)a,
					       rc, ec);
				}
				continue;
			}
			errno = 0;
			rp = pread(parent, bp, PAGE, a);
			ep = errno;
			checked++;
			if (rc != rp || (rc < 0 && ec != ep) ||
			    (rc > 0 && memcmp(bc, bp, rc))) {
				if (bad++ < 5)
					TH_LOG("unlisted page %#llx differs: %zd/%d vs %zd/%d",
					       (unsigned long long)a, rc, ec, rp, ep);
			}
		}
	}
	EXPECT_EQ(0, bad);
	free(vc);
	free(vp);
	return checked;
}

/* Form and consistency of the diff of @snap against @parent. */
static void diff_checked(struct __test_metadata *_metadata, int snap,
			 int parent, struct diff *d)
{
	ASSERT_EQ(0, get_diff(snap, parent, d));
	check_form(_metadata, d);
	EXPECT_LT(0, check_consistent(_metadata, snap, parent, d));
}

/* Changed pages of [lo, lo + npages pages): a bitmap of page indices. */
static int changed_in(const struct diff *d, uint64_t lo, unsigned int npages,
		      unsigned char *map)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < npages; i++) {
		map[i] = covered(d, TTREC_DIFF_PAGES, lo + i * PAGE);
		n += map[i];
	}
	return n;
}

/*
 * The pages of region [lo, lo + npages pages) the diff lists are exactly
 * @want (a list of page indices ending with -1).
 */
static void expect_pages(struct __test_metadata *_metadata,
			 const struct diff *d, const char *name, uint64_t lo,
			 unsigned int npages, const int *want)
{
	unsigned char *got = calloc(npages, 1), *exp = calloc(npages, 1);
	unsigned int i;

	ASSERT_NE(NULL, got);
	ASSERT_NE(NULL, exp);
	for (; *want >= 0; want++)
		exp[*want] = 1;
	changed_in(d, lo, npages, got);
	for (i = 0; i < npages; i++) {
		EXPECT_EQ(exp[i], got[i])
			TH_LOG("%s page %u: listed %d, expected %d", name, i,
			       got[i], exp[i]);
	}
	free(got);
	free(exp);
}

/*
 * Pages listed outside every region of the layout and of the @nextra
 * [start, end) pairs in @extra.
 */
static unsigned int pages_elsewhere(const struct diff *d,
				    const struct sd_layout *l,
				    const uint64_t *extra, int nextra)
{
	unsigned int n = 0;
	int i, k;

	for (i = 0; i < d->n; i++) {
		uint64_t a;

		if (d->r[i].kind != TTREC_DIFF_PAGES)
			continue;
		for (a = d->r[i].start; a < d->r[i].end; a += PAGE) {
			int in = 0;

			for (k = 0; k < nextra; k++)
				in |= a >= extra[2 * k] && a < extra[2 * k + 1];
			for (k = 0; k < SD_NR_REGIONS; k++)
				in |= l->addr[k] && a >= l->addr[k] &&
				      a < l->addr[k] + l->len[k];
			n += !in;
		}
	}
	return n;
}

/* Sort @n [start, end) pairs by start. */
static void sort_pairs(uint64_t *p, int n)
{
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && p[2 * j] < p[2 * j - 2]; j--) {
			uint64_t s = p[2 * j], e = p[2 * j + 1];

			p[2 * j] = p[2 * j - 2];
			p[2 * j + 1] = p[2 * j - 1];
			p[2 * j - 2] = s;
			p[2 * j - 1] = e;
		}
}

/* The ranges of @kind are exactly the @nwant [start, end) pairs @want. */
static void expect_vma_ranges(struct __test_metadata *_metadata,
			      const struct diff *d, uint32_t kind,
			      const uint64_t *want, int nwant)
{
	int i, j = 0;

	for (i = 0; i < d->n; i++) {
		if (d->r[i].kind != kind)
			continue;
		if (j >= nwant) {
			EXPECT_TRUE(0) TH_LOG("extra kind %u range [%#llx, %#llx)", kind,
					      (unsigned long long)d->r[i].start,
					      (unsigned long long)d->r[i].end);
			j++;
			continue;
		}
		EXPECT_EQ(want[2 * j], d->r[i].start) TH_LOG("kind %u range %d", kind, j);
		EXPECT_EQ(want[2 * j + 1], d->r[i].end) TH_LOG("kind %u range %d", kind, j);
		j++;
	}
	EXPECT_EQ(nwant, j) TH_LOG("kind %u: %d ranges, expected %d", kind, j, nwant);
}

/* pread a range of a snapshot and compare with pattern @seed. */
static int snap_has(int snap, uint64_t addr, uint64_t len, uint32_t seed)
{
	unsigned char *b = malloc(len);
	uint64_t i;
	int ret = 0;

	if (!b || pread(snap, b, len, addr) != (ssize_t)len)
		ret = -1;
	for (i = 0; !ret && i < len; i++)
		if (b[i] != sd_byte(addr + i, seed))
			ret = -2;
	free(b);
	return ret;
}

/* ---------------------------------------------------------------- fixture */

FIXTURE(sd) {
	struct wl w;
	int sfd;
	int snaps[MAX_SNAPS];
	int nsnaps;
};

FIXTURE_SETUP(sd)
{
	memset(&self->w, 0, sizeof(self->w));
	self->sfd = -1;
	self->nsnaps = 0;
}

FIXTURE_TEARDOWN(sd)
{
	int i;

	for (i = 0; i < self->nsnaps; i++)
		if (self->snaps[i] >= 0)
			close(self->snaps[i]);
	wl_stop(&self->w);
	if (self->sfd >= 0)
		close(self->sfd);
	write_param("max_snapshot_pages", "262144");
}

static void start(struct __test_metadata *_metadata, FIXTURE_DATA(sd) *self,
		  const char *opts)
{
	ASSERT_EQ(0, wl_start(&self->w, opts));
	self->sfd = ttrec_attach(-1, self->w.pid, 0);
	ASSERT_LE(0, self->sfd);
}

static int snap(struct __test_metadata *_metadata, FIXTURE_DATA(sd) *self,
		struct ttrec_snapshot_args *a)
{
	int fd = ttrec_snapshot(self->sfd, a);

	if (fd >= 0 && self->nsnaps < MAX_SNAPS)
		self->snaps[self->nsnaps++] = fd;
	return fd;
}

#define L	(&self->w.l)
#define W	(&self->w)

/* ---------------------------------------------------------------- tests */

/* The target only sleeps between the snapshots: nothing changed at all. */
TEST_F(sd, nothing_between_snapshots_is_an_empty_diff)
{
	struct diff d;
	int s1, s2;

	ASSERT_EQ(0, wl_start_env(W, "", 1));
	self->sfd = ttrec_attach(-1, self->w.pid, 0);
	ASSERT_LE(0, self->sfd);
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	diff_checked(_metadata, s2, s1, &d);
	EXPECT_EQ(0, d.a.total);
	EXPECT_EQ(0, d.a.pages_changed);
	EXPECT_EQ(0, d.n);
	free_diff(&d);
}

/* With rseq the kernel may write the rseq area: a page or so, outside. */
TEST_F(sd, nothing_between_snapshots_with_rseq)
{
	struct diff d;
	int s1, s2, r;

	start(_metadata, self, "");
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	diff_checked(_metadata, s2, s1, &d);
	for (r = 0; r < SD_NR_REGIONS; r++) {
		unsigned char *map = calloc(L->len[r] / PAGE + 1, 1);

		ASSERT_NE(NULL, map);
		EXPECT_EQ(0, changed_in(&d, L->addr[r], L->len[r] / PAGE, map));
		free(map);
	}
	EXPECT_GE(2, pages_elsewhere(&d, L, NULL, 0));
	EXPECT_EQ(0, d.a.nr_vmas_added + d.a.nr_vmas_removed + d.a.nr_vmas_changed);
	TH_LOG("%llu pages listed", (unsigned long long)d.a.pages_changed);
	free_diff(&d);
}

TEST_F(sd, written_pages_exactly_anon_heap_file_shared)
{
	static const int anon[] = { 0, 5, 6, 7, 63, -1 };
	static const int heap[] = { 1, 2, 9, -1 };
	static const int file[] = { 2, 12, -1 };	/* held, file-only */
	static const int shared[] = { 0, 7, -1 };
	struct ttrec_snapshot_args a1;
	struct diff d;
	const int *p;
	int s1, s2, i, found = 0;

	start(_metadata, self, "");
	s1 = snap(_metadata, self, &a1);
	ASSERT_LE(0, s1);
	EXPECT_LE(SD_SHARED_PAGES, a1.counts.pages_copied_shared);
	for (p = anon; *p >= 0; p++)
		ASSERT_EQ(0, wl_write_page(W, SD_ANON, *p, 100));
	for (p = heap; *p >= 0; p++)
		ASSERT_EQ(0, wl_write_page(W, SD_HEAP, *p, 101));
	for (p = file; *p >= 0; p++)
		ASSERT_EQ(0, wl_write_page(W, SD_FILE, *p, 102));
	for (p = shared; *p >= 0; p++)
		ASSERT_EQ(0, wl_write_page(W, SD_SHARED, *p, 103));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);

	diff_checked(_metadata, s2, s1, &d);
	expect_pages(_metadata, &d, "anon", L->addr[SD_ANON], SD_ANON_PAGES, anon);
	expect_pages(_metadata, &d, "heap", L->addr[SD_HEAP], SD_HEAP_PAGES, heap);
	expect_pages(_metadata, &d, "file", L->addr[SD_FILE], SD_FILE_PAGES, file);
	expect_pages(_metadata, &d, "shared", L->addr[SD_SHARED], SD_SHARED_PAGES,
		     shared);
	expect_pages(_metadata, &d, "pinned", L->addr[SD_PINNED], SD_PINNED_PAGES,
		     (const int[]){ -1 });
	EXPECT_GE(NOISE_PAGES, pages_elsewhere(&d, L, NULL, 0));
	TH_LOG("%u ranges, %llu pages, %u elsewhere", d.a.total,
	       (unsigned long long)d.a.pages_changed, pages_elsewhere(&d, L, NULL, 0));
	EXPECT_EQ(0, d.a.nr_vmas_added + d.a.nr_vmas_removed + d.a.nr_vmas_changed);
	/* Adjacent pages 5..7 are one range. */
	for (i = 0; i < d.n; i++)
		found += d.r[i].kind == TTREC_DIFF_PAGES &&
			 d.r[i].start == L->addr[SD_ANON] + 5 * PAGE &&
			 d.r[i].end == L->addr[SD_ANON] + 8 * PAGE;
	EXPECT_EQ(1, found);
	/* The old bytes in s1, the new ones in s2. */
	EXPECT_EQ(0, snap_has(s1, L->addr[SD_ANON] + 5 * PAGE, PAGE, SD_ANON + 1));
	EXPECT_EQ(0, snap_has(s2, L->addr[SD_ANON] + 5 * PAGE, PAGE, 100));
	EXPECT_EQ(0, snap_has(s2, L->addr[SD_HEAP] + 9 * PAGE, PAGE, 101));
	EXPECT_EQ(0, snap_has(s2, L->addr[SD_FILE] + 12 * PAGE, PAGE, 102));
	EXPECT_EQ(0, snap_has(s1, L->addr[SD_SHARED], PAGE, SD_SHARED + 1));
	EXPECT_EQ(0, snap_has(s2, L->addr[SD_SHARED], PAGE, 103));
	free_diff(&d);

	/* The other way round is refused. */
	diff_args(&d.a, s2);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s1, TTREC_IOC_SNAP_DIFF, &d.a));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(sd, heap_region_is_in_the_heap_vma)
{
	struct ttrec_snap_vma *v = NULL;
	const struct ttrec_snap_vma *e;
	int s1, n;

	start(_metadata, self, "");
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	n = get_vmas(s1, &v);
	ASSERT_LT(0, n);
	e = vma_at(v, n, L->addr[SD_HEAP]);
	ASSERT_NE(NULL, e);
	EXPECT_NE(0, e->flags & TTREC_VMA_HEAP);
	e = vma_at(v, n, L->addr[SD_FILE]);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(TTREC_VMA_FILE | TTREC_VMA_CAPTURED,
		  e->flags & (TTREC_VMA_FILE | TTREC_VMA_CAPTURED | TTREC_VMA_SHARED));
	free(v);
}

/*
 * Copy-on-write pages are compared by identity: rewriting a byte with its
 * own value replaces the page, so it is listed. Copied pages (shared,
 * pinned) are compared by contents: the same rewrite is not listed.
 */
TEST_F(sd, same_bytes_rewritten_identity_vs_contents)
{
	struct diff d;
	int s1, s2;

	start(_metadata, self, "");
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	ASSERT_EQ(0, wl_do(W, SD_REWRITE, L->addr[SD_ANON] + 3 * PAGE, PAGE, 0, 0, NULL));
	ASSERT_EQ(0, wl_do(W, SD_REWRITE, L->addr[SD_SHARED] + 4 * PAGE, PAGE, 0, 0,
			   NULL));
	ASSERT_EQ(0, wl_do(W, SD_REWRITE, L->addr[SD_PINNED] + 2 * PAGE, PAGE, 0, 0,
			   NULL));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	diff_checked(_metadata, s2, s1, &d);
	expect_pages(_metadata, &d, "anon", L->addr[SD_ANON], SD_ANON_PAGES,
		     (const int[]){ 3, -1 });
	expect_pages(_metadata, &d, "shared", L->addr[SD_SHARED], SD_SHARED_PAGES,
		     (const int[]){ -1 });
	/* Without the pin the page is copy-on-write like any other. */
	expect_pages(_metadata, &d, "pinned", L->addr[SD_PINNED], SD_PINNED_PAGES,
		     L->pinned_ok ? (const int[]){ -1 } : (const int[]){ 2, -1 });
	free_diff(&d);
}

TEST_F(sd, reads_are_not_listed_dropped_pages_are)
{
	struct diff d;
	int s1, s2, r;

	start(_metadata, self, "");
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	for (r = 0; r < SD_NR_REGIONS; r++)
		if (L->addr[r])
			ASSERT_EQ(0, wl_do(W, SD_READ, L->addr[r], L->len[r], 0, 0, NULL));
	ASSERT_EQ(0, wl_do(W, SD_DONTNEED, L->addr[SD_ANON] + 10 * PAGE, 2 * PAGE, 0, 0,
			   NULL));
	/* Back to the file's page: listed too (the snapshot holds none). */
	ASSERT_EQ(0, wl_do(W, SD_DONTNEED, L->addr[SD_FILE] + 1 * PAGE, PAGE, 0, 0,
			   NULL));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	diff_checked(_metadata, s2, s1, &d);
	expect_pages(_metadata, &d, "anon", L->addr[SD_ANON], SD_ANON_PAGES,
		     (const int[]){ 10, 11, -1 });
	expect_pages(_metadata, &d, "heap", L->addr[SD_HEAP], SD_HEAP_PAGES,
		     (const int[]){ -1 });
	expect_pages(_metadata, &d, "file", L->addr[SD_FILE], SD_FILE_PAGES,
		     (const int[]){ 1, -1 });
	expect_pages(_metadata, &d, "shared", L->addr[SD_SHARED], SD_SHARED_PAGES,
		     (const int[]){ -1 });
	expect_pages(_metadata, &d, "pinned", L->addr[SD_PINNED], SD_PINNED_PAGES,
		     (const int[]){ -1 });
	EXPECT_GE(NOISE_PAGES, pages_elsewhere(&d, L, NULL, 0));
	/* Dropped anonymous pages read as zeroes now. */
	do {
		unsigned char b[PAGE], z[PAGE];

		memset(z, 0, sizeof(z));
		EXPECT_EQ(PAGE, pread(s2, b, PAGE, L->addr[SD_ANON] + 10 * PAGE));
		EXPECT_EQ(0, memcmp(b, z, PAGE));
		errno = 0;
		EXPECT_EQ(-1, pread(s2, b, PAGE, L->addr[SD_FILE] + PAGE));
		EXPECT_EQ(ENODATA, errno);
	} while (0);
	free_diff(&d);
}

TEST_F(sd, pinned_pages_by_contents)
{
	struct ttrec_snapshot_args a1, a2;
	struct diff d;
	int s1, s2;

	start(_metadata, self, "");
	if (!L->pinned_ok)
		SKIP(return, "io_uring buffer registration unavailable: no pinned pages");
	s1 = snap(_metadata, self, &a1);
	ASSERT_LE(0, s1);
	EXPECT_LE(SD_PINNED_PAGES, a1.counts.pages_copied_pinned);
	ASSERT_EQ(0, wl_write_page(W, SD_PINNED, 1, 110));
	ASSERT_EQ(0, wl_write_page(W, SD_PINNED, 3, 110));
	s2 = snap(_metadata, self, &a2);
	ASSERT_LE(0, s2);
	EXPECT_LE(SD_PINNED_PAGES, a2.counts.pages_copied_pinned);
	diff_checked(_metadata, s2, s1, &d);
	expect_pages(_metadata, &d, "pinned", L->addr[SD_PINNED], SD_PINNED_PAGES,
		     (const int[]){ 1, 3, -1 });
	expect_pages(_metadata, &d, "anon", L->addr[SD_ANON], SD_ANON_PAGES,
		     (const int[]){ -1 });
	EXPECT_EQ(0, snap_has(s1, L->addr[SD_PINNED] + PAGE, PAGE, SD_PINNED + 1));
	EXPECT_EQ(0, snap_has(s2, L->addr[SD_PINNED] + PAGE, PAGE, 110));
	free_diff(&d);
}

TEST_F(sd, thp_pages_by_contents)
{
	struct ttrec_snapshot_args a1;
	struct diff d;
	int s1, s2, i, n = 0;

	start(_metadata, self, "h");
	if (!L->thp_ok)
		SKIP(return, "the guest gave no huge page for an aligned MADV_HUGEPAGE region (THP off?)");
	s1 = snap(_metadata, self, &a1);
	ASSERT_LE(0, s1);
	EXPECT_LE(SD_THP_SIZE / PAGE, a1.counts.pages_copied_huge);
	ASSERT_EQ(0, wl_write_page(W, SD_THP, 5, 120));
	ASSERT_EQ(0, wl_write_page(W, SD_THP, 300, 121));
	ASSERT_EQ(0, wl_write_page(W, SD_THP, 301, 122));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	diff_checked(_metadata, s2, s1, &d);
	expect_pages(_metadata, &d, "thp", L->addr[SD_THP], SD_THP_SIZE / PAGE,
		     (const int[]){ 5, 300, 301, -1 });
	EXPECT_GE(NOISE_PAGES, pages_elsewhere(&d, L, NULL, 0));
	for (i = 0; i < d.n; i++)
		n += d.r[i].kind == TTREC_DIFF_PAGES &&
		     d.r[i].start >= L->addr[SD_THP] &&
		     d.r[i].end <= L->addr[SD_THP] + SD_THP_SIZE;
	EXPECT_EQ(2, n);
	EXPECT_EQ(0, snap_has(s2, L->addr[SD_THP] + 301 * PAGE, PAGE, 122));
	EXPECT_EQ(0, snap_has(s1, L->addr[SD_THP] + 301 * PAGE, PAGE, SD_THP + 1));
	free_diff(&d);
}

TEST_F(sd, many_threads_writing_at_once)
{
	struct ttrec_snapshot_args a1;
	unsigned char *map;
	struct diff d;
	int s1, s2, t;
	unsigned int n;

	start(_metadata, self, "t");
	s1 = snap(_metadata, self, &a1);
	ASSERT_LE(0, s1);
	EXPECT_EQ(SD_NR_THREADS + 1, a1.nr_threads);
	/* Pages 0 and 2 of every thread, 20 rounds each, all at once. */
	ASSERT_EQ(0, wl_do(W, SD_THREADS_WRITE, 0, 20, 0x5, 130, NULL));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	diff_checked(_metadata, s2, s1, &d);
	map = calloc(SD_NR_THREADS * SD_THREAD_PAGES, 1);
	ASSERT_NE(NULL, map);
	changed_in(&d, L->addr[SD_THREADS], SD_NR_THREADS * SD_THREAD_PAGES, map);
	for (t = 0; t < SD_NR_THREADS * SD_THREAD_PAGES; t++) {
		EXPECT_EQ(t % SD_THREAD_PAGES == 0 || t % SD_THREAD_PAGES == 2, map[t])
			TH_LOG("thread page %d", t);
	}
	free(map);
	/* Each thread's stack, and the command loop's. */
	n = pages_elsewhere(&d, L, NULL, 0);
	TH_LOG("%u pages elsewhere", n);
	EXPECT_GE(NOISE_PAGES + 2 * SD_NR_THREADS, n);
	EXPECT_EQ(0, snap_has(s2, L->addr[SD_THREADS] + 2 * PAGE, PAGE, 130 + 19));
	free_diff(&d);
}

/* Snapshots taken while the threads write: each diff is still consistent. */
TEST_F(sd, snapshots_racing_writers)
{
	struct diff d;
	unsigned char *map;
	int s1, s2, s3, t;

	start(_metadata, self, "t");
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	ASSERT_EQ(0, wl_send(W, SD_THREADS_WRITE, 0, 200, 0xf, 140));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, wl_wait(W, NULL));
	s3 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s3);

	diff_checked(_metadata, s2, s1, &d);
	free_diff(&d);
	diff_checked(_metadata, s3, s2, &d);
	free_diff(&d);
	diff_checked(_metadata, s3, s1, &d);
	map = calloc(SD_NR_THREADS * SD_THREAD_PAGES, 1);
	ASSERT_NE(NULL, map);
	EXPECT_EQ(SD_NR_THREADS * SD_THREAD_PAGES,
		  changed_in(&d, L->addr[SD_THREADS], SD_NR_THREADS * SD_THREAD_PAGES,
			     map));
	for (t = 0; t < SD_NR_THREADS; t++)
		EXPECT_EQ(0, snap_has(s3, L->addr[SD_THREADS] + t * SD_THREAD_PAGES * PAGE,
				      SD_THREAD_PAGES * PAGE, 140 + 199));
	free(map);
	free_diff(&d);
}

TEST_F(sd, munmap_mremap_mprotect_mmap)
{
	uint64_t anon, file, shared, moved, fresh, got;
	uint64_t removed[4], added[4], changed[4], extra[4];
	struct diff d;
	int s1, s2;

	start(_metadata, self, "");
	anon = L->addr[SD_ANON];
	file = L->addr[SD_FILE];
	shared = L->addr[SD_SHARED];
	moved = L->hole + 8 * PAGE;
	fresh = L->hole + 64 * PAGE;
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	ASSERT_EQ(0, wl_do(W, SD_MUNMAP, anon + 16 * PAGE, 8 * PAGE, 0, 0, NULL));
	ASSERT_EQ(0, wl_do(W, SD_MPROTECT, anon + 40 * PAGE, 8 * PAGE, PROT_READ, 0,
			   NULL));
	/* Move the private file mapping (half its pages held) into the hole. */
	ASSERT_EQ(0, wl_do(W, SD_MREMAP, file, L->len[SD_FILE], moved, 0, &got));
	ASSERT_EQ(moved, got);
	/* A new mapping in the hole; another one over the shared mapping. */
	ASSERT_EQ(0, wl_do(W, SD_MMAP, fresh, 4 * PAGE, 0, 150, &got));
	ASSERT_EQ(fresh, got);
	ASSERT_EQ(0, wl_do(W, SD_MMAP, shared, L->len[SD_SHARED], 0, 151, &got));
	ASSERT_EQ(shared, got);
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	diff_checked(_metadata, s2, s1, &d);

	removed[0] = anon + 16 * PAGE;
	removed[1] = anon + 24 * PAGE;
	removed[2] = file;
	removed[3] = file + L->len[SD_FILE];
	sort_pairs(removed, 2);
	expect_vma_ranges(_metadata, &d, TTREC_DIFF_VMA_REMOVED, removed, 2);
	added[0] = moved;
	added[1] = moved + L->len[SD_FILE];
	added[2] = fresh;
	added[3] = fresh + 4 * PAGE;
	expect_vma_ranges(_metadata, &d, TTREC_DIFF_VMA_ADDED, added, 2);
	/* Read-only now; private anonymous instead of shared. */
	changed[0] = anon + 40 * PAGE;
	changed[1] = anon + 48 * PAGE;
	changed[2] = shared;
	changed[3] = shared + L->len[SD_SHARED];
	sort_pairs(changed, 2);
	expect_vma_ranges(_metadata, &d, TTREC_DIFF_VMA_CHANGED, changed, 2);

	/* Pages: the moved held half, the new mappings, nothing else. */
	expect_pages(_metadata, &d, "moved", moved, SD_FILE_PAGES,
		     (const int[]){ 0, 1, 2, 3, 4, 5, 6, 7, -1 });
	expect_pages(_metadata, &d, "fresh", fresh, 4, (const int[]){ 0, 1, 2, 3, -1 });
	expect_pages(_metadata, &d, "over shared", shared, SD_SHARED_PAGES,
		     (const int[]){ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
				    15, -1 });
	expect_pages(_metadata, &d, "anon", anon, SD_ANON_PAGES, (const int[]){ -1 });
	extra[0] = moved;
	extra[1] = moved + L->len[SD_FILE];
	extra[2] = fresh;
	extra[3] = fresh + 4 * PAGE;
	EXPECT_GE(NOISE_PAGES, pages_elsewhere(&d, L, extra, 2));
	/* The moved pages: the same bytes at the new address. */
	do {
		static unsigned char b1[PAGE], b2[PAGE];

		EXPECT_EQ(0, snap_has(s1, file + 3 * PAGE, PAGE, SD_FILE + 1));
		EXPECT_EQ(PAGE, pread(s1, b1, PAGE, file + 3 * PAGE));
		EXPECT_EQ(PAGE, pread(s2, b2, PAGE, moved + 3 * PAGE));
		EXPECT_EQ(0, memcmp(b1, b2, PAGE));
	} while (0);
	EXPECT_EQ(0, snap_has(s2, fresh, 4 * PAGE, 150));
	EXPECT_EQ(0, snap_has(s2, shared, L->len[SD_SHARED], 151));
	EXPECT_EQ(0, snap_has(s1, shared, L->len[SD_SHARED], SD_SHARED + 1));
	free_diff(&d);
}

TEST_F(sd, fork_after_snapshot)
{
	static const int mine[] = { 3, 10, -1 };
	uint64_t kid;
	struct diff d;
	int s1, s2, s3;

	start(_metadata, self, "");
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	ASSERT_EQ(0, wl_write_page(W, SD_ANON, 3, 160));
	/* The child rewrites every page; the target then writes two. */
	ASSERT_EQ(0, wl_do(W, SD_FORK, L->addr[SD_ANON], L->len[SD_ANON], 0, 161, &kid));
	ASSERT_EQ(0, wl_write_page(W, SD_ANON, 3, 162));
	ASSERT_EQ(0, wl_write_page(W, SD_ANON, 10, 162));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	diff_checked(_metadata, s2, s1, &d);
	expect_pages(_metadata, &d, "anon", L->addr[SD_ANON], SD_ANON_PAGES, mine);
	EXPECT_GE(NOISE_PAGES, pages_elsewhere(&d, L, NULL, 0));
	EXPECT_EQ(0, snap_has(s2, L->addr[SD_ANON] + 4 * PAGE, PAGE, SD_ANON + 1));
	EXPECT_EQ(0, snap_has(s2, L->addr[SD_ANON] + 10 * PAGE, PAGE, 162));
	free_diff(&d);

	/* The child gone, nothing of the target changed in anon. */
	ASSERT_EQ(0, wl_do(W, SD_REAP, 0, 0, 0, 0, NULL));
	s3 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s3);
	diff_checked(_metadata, s3, s2, &d);
	expect_pages(_metadata, &d, "anon", L->addr[SD_ANON], SD_ANON_PAGES,
		     (const int[]){ -1 });
	free_diff(&d);
	diff_checked(_metadata, s3, s1, &d);
	expect_pages(_metadata, &d, "anon", L->addr[SD_ANON], SD_ANON_PAGES, mine);
	free_diff(&d);
}

TEST_F(sd, target_killed_diff_still_works)
{
	struct diff d;
	int s1, s2;

	start(_metadata, self, "");
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	ASSERT_EQ(0, wl_write_page(W, SD_HEAP, 4, 170));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	wl_stop(W);
	close(self->sfd);
	self->sfd = -1;
	diff_checked(_metadata, s2, s1, &d);
	expect_pages(_metadata, &d, "heap", L->addr[SD_HEAP], SD_HEAP_PAGES,
		     (const int[]){ 4, -1 });
	EXPECT_GE(NOISE_PAGES, pages_elsewhere(&d, L, NULL, 0));
	EXPECT_EQ(0, snap_has(s1, L->addr[SD_HEAP] + 4 * PAGE, PAGE, SD_HEAP + 1));
	EXPECT_EQ(0, snap_has(s2, L->addr[SD_HEAP] + 4 * PAGE, PAGE, 170));
	free_diff(&d);
}

/* The same thread group after execve(): a valid parent, a new world. */
TEST_F(sd, diff_across_execve)
{
	struct diff d;
	unsigned int n;
	int s1, s2;

	start(_metadata, self, "");
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	ASSERT_EQ(0, wl_send(W, SD_EXEC, 0, 0, 0, 0));
	ASSERT_EQ(sizeof(self->w.l), read(self->w.reply, &self->w.l, sizeof(self->w.l)));
	ASSERT_EQ(0, wait_blocked_in_read(self->w.pid));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	/* With ASLR, old and new maps may share no page at all. */
	ASSERT_EQ(0, get_diff(s2, s1, &d));
	check_form(_metadata, &d);
	check_consistent(_metadata, s2, s1, &d);
	EXPECT_LT(0, d.a.nr_vmas_added + d.a.nr_vmas_removed + d.a.nr_vmas_changed);
	/* Every page of the new process's regions is new. */
	expect_pages(_metadata, &d, "anon", L->addr[SD_ANON], SD_ANON_PAGES,
		     (const int[]){ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
				    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
				    29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
				    42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54,
				    55, 56, 57, 58, 59, 60, 61, 62, 63, -1 });
	n = pages_elsewhere(&d, L, NULL, 0);
	TH_LOG("%u ranges, %u VMA ranges, %llu pages (%u outside the regions)",
	       d.a.total, d.a.nr_vmas_added + d.a.nr_vmas_removed + d.a.nr_vmas_changed,
	       (unsigned long long)d.a.pages_changed, n);
	EXPECT_EQ(0, snap_has(s2, L->addr[SD_HEAP], L->len[SD_HEAP], SD_HEAP + 1));
	free_diff(&d);
}

TEST_F(sd, parent_from_another_session_of_the_same_target)
{
	struct diff d;
	int sfd2, s1, s2;

	start(_metadata, self, "");
	sfd2 = ttrec_attach(-1, self->w.pid, 0);
	ASSERT_LE(0, sfd2);
	s1 = ttrec_snapshot(sfd2, NULL);
	ASSERT_LE(0, s1);
	close(sfd2);		/* the snapshot outlives its session */
	ASSERT_EQ(0, wl_write_page(W, SD_ANON, 1, 180));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	diff_checked(_metadata, s2, s1, &d);
	expect_pages(_metadata, &d, "anon", L->addr[SD_ANON], SD_ANON_PAGES,
		     (const int[]){ 1, -1 });
	free_diff(&d);
	close(s1);
}

TEST_F(sd, session_page_accounting)
{
	struct ttrec_session_info info;
	struct ttrec_snap_info i1, i2;
	unsigned char raw[TTREC_SESSION_INFO_SIZE_VER1 + 8];
	int s1, s2;

	start(_metadata, self, "");
	ASSERT_EQ(0, ttrec_session_info(self->sfd, &info));
	EXPECT_EQ(0, info.pages_held);
	EXPECT_EQ(0, info.nr_snapshots);
	EXPECT_EQ(262144, info.page_budget);
	s1 = ttrec_snapshot(self->sfd, NULL);
	ASSERT_LE(0, s1);
	ASSERT_EQ(0, ttrec_snap_info(s1, &i1));
	ASSERT_EQ(0, ttrec_session_info(self->sfd, &info));
	EXPECT_LT(SD_ANON_PAGES, i1.pages_held);
	EXPECT_EQ(i1.pages_held, info.pages_held);
	EXPECT_EQ(1, info.nr_snapshots);
	ASSERT_EQ(0, wl_write_page(W, SD_ANON, 0, 190));
	s2 = ttrec_snapshot(self->sfd, NULL);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, ttrec_snap_info(s2, &i2));
	ASSERT_EQ(0, ttrec_session_info(self->sfd, &info));
	EXPECT_EQ(i1.pages_held + i2.pages_held, info.pages_held);
	EXPECT_EQ(2, info.nr_snapshots);
	ASSERT_EQ(0, write_param("max_snapshot_pages", "100000"));
	ASSERT_EQ(0, ttrec_session_info(self->sfd, &info));
	EXPECT_EQ(100000, info.page_budget);
	ASSERT_EQ(0, write_param("max_snapshot_pages", "262144"));

	/* A VER0 caller gets 40 bytes, nothing more is written. */
	memset(raw, 0xa5, sizeof(raw));
	memset(raw, 0, TTREC_SESSION_INFO_SIZE_VER0);
	ASSERT_EQ(0, ioctl(self->sfd, _IOC(_IOC_READ | _IOC_WRITE, TTREC_IOC_MAGIC,
					   _TTREC_SESSION_INFO,
					   TTREC_SESSION_INFO_SIZE_VER0), raw));
	EXPECT_EQ(0xa5, raw[TTREC_SESSION_INFO_SIZE_VER0]);

	close(s1);
	ASSERT_EQ(0, ttrec_session_info(self->sfd, &info));
	EXPECT_EQ(i2.pages_held, info.pages_held);
	EXPECT_EQ(1, info.nr_snapshots);
	close(s2);
	ASSERT_EQ(0, ttrec_session_info(self->sfd, &info));
	EXPECT_EQ(0, info.pages_held);
	EXPECT_EQ(0, info.nr_snapshots);
}

/* The budget counts every open snapshot of the session: ENOSPC, then OK. */
TEST_F(sd, page_budget_over_several_snapshots)
{
	struct ttrec_session_info info;
	struct ttrec_snap_info i1;
	char val[32];
	int s1, s2;

	start(_metadata, self, "");
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	ASSERT_EQ(0, ttrec_snap_info(s1, &i1));
	/* Room for s1 plus half of it: a second full snapshot cannot fit. */
	snprintf(val, sizeof(val), "%llu",
		 (unsigned long long)(i1.pages_held + i1.pages_held / 2));
	ASSERT_EQ(0, write_param("max_snapshot_pages", val));
	errno = 0;
	EXPECT_EQ(-1, ttrec_snapshot(self->sfd, NULL));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, ttrec_session_info(self->sfd, &info));
	EXPECT_EQ(i1.pages_held, info.pages_held);
	EXPECT_EQ(1, info.nr_snapshots);
	close(s1);
	self->snaps[0] = -1;
	s2 = snap(_metadata, self, NULL);
	EXPECT_LE(0, s2);
}

TEST_F(sd, errors)
{
	struct ttrec_snap_diff_args a;
	struct wl other = { 0 };
	int s1, s2, o1, dup1, sfd2, devnull, dev;

	start(_metadata, self, "");
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	ASSERT_EQ(0, wl_write_page(W, SD_ANON, 0, 200));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);

	/* Another target, even an older snapshot of it. */
	ASSERT_EQ(0, wl_start(&other, ""));
	sfd2 = ttrec_attach(-1, other.pid, 0);
	ASSERT_LE(0, sfd2);
	o1 = ttrec_snapshot(sfd2, NULL);
	ASSERT_LE(0, o1);
	diff_args(&a, o1);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EINVAL, errno);
	diff_args(&a, s1);
	errno = 0;
	EXPECT_EQ(-1, ioctl(o1, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EINVAL, errno);

	/* Itself, also through another fd. */
	diff_args(&a, s2);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EINVAL, errno);
	dup1 = dup(s2);
	ASSERT_LE(0, dup1);
	diff_args(&a, dup1);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EINVAL, errno);
	close(dup1);

	/* A parent taken later. */
	diff_args(&a, s2);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s1, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EINVAL, errno);

	/* Bad fds. */
	diff_args(&a, -1);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EBADF, errno);
	diff_args(&a, 1000);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EBADF, errno);
	diff_args(&a, INT32_MIN);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EBADF, errno);

	/* Files that are not snapshots. */
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	dev = open(TTREC_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, devnull);
	ASSERT_LE(0, dev);
	diff_args(&a, devnull);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EINVAL, errno);
	diff_args(&a, self->sfd);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EINVAL, errno);
	diff_args(&a, dev);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EINVAL, errno);

	/* Not on session or device fds. */
	diff_args(&a, s1);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->sfd, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(ENOTTY, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(dev, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(ENOTTY, errno);
	/* Wrong direction. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, _IOW(TTREC_IOC_MAGIC, _TTREC_SNAP_DIFF,
				     struct ttrec_snap_diff_args), &a));
	EXPECT_EQ(ENOTTY, errno);

	/* Flags and padding. */
	diff_args(&a, s1);
	a.flags = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EINVAL, errno);
	diff_args(&a, s1);
	a.__pad = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EINVAL, errno);
	diff_args(&a, s1);
	a.__pad2 = 0x80000000u;
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EINVAL, errno);

	/* Output fields on input are ignored (the struct can be reused). */
	diff_args(&a, s1);
	a.total = 77;
	a.pages_changed = 88;
	a.nr_vmas_added = 99;
	EXPECT_EQ(0, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_LT(0, a.total);
	EXPECT_EQ(0, a.nr_vmas_added);

	close(devnull);
	close(dev);
	close(o1);
	close(sfd2);
	wl_stop(&other);
}

TEST_F(sd, sizes_enospc_and_entry_size)
{
	unsigned char big[TTREC_SNAP_DIFF_ARGS_SIZE_VER0 + 16];
	struct ttrec_snap_diff_args a;
	struct ttrec_snap_range *r;
	unsigned char *wide;
	struct diff d;
	uint32_t total, i;
	int s1, s2;

	start(_metadata, self, "");
	s1 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s1);
	ASSERT_EQ(0, wl_write_page(W, SD_ANON, 1, 210));
	ASSERT_EQ(0, wl_write_page(W, SD_ANON, 3, 210));
	ASSERT_EQ(0, wl_write_page(W, SD_HEAP, 3, 210));
	s2 = snap(_metadata, self, NULL);
	ASSERT_LE(0, s2);
	diff_checked(_metadata, s2, s1, &d);
	total = d.a.total;
	ASSERT_LE(3, total);

	/* Size query: 0, totals set, ranges untouched (NULL is fine). */
	diff_args(&a, s1);
	EXPECT_EQ(0, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(total, a.total);
	EXPECT_EQ(d.a.pages_changed, a.pages_changed);

	/* One element short: ENOSPC with the totals. */
	r = calloc(total, sizeof(*r));
	ASSERT_NE(NULL, r);
	diff_args(&a, s1);
	a.ranges = (uintptr_t)r;
	a.count = total - 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(total, a.total);
	EXPECT_EQ(d.a.pages_changed, a.pages_changed);
	/* Exactly enough. */
	a.count = total;
	EXPECT_EQ((int)total, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(0, memcmp(r, d.r, total * sizeof(*r)));

	/* Wider elements: same data, the tail of each zeroed. */
	wide = malloc(total * 40);
	ASSERT_NE(NULL, wide);
	memset(wide, 0xa5, total * 40);
	diff_args(&a, s1);
	a.ranges = (uintptr_t)wide;
	a.count = total;
	a.entry_size = 40;
	EXPECT_EQ((int)total, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	for (i = 0; i < total; i++) {
		static const unsigned char zero[16];

		EXPECT_EQ(0, memcmp(wide + i * 40, &d.r[i], sizeof(*r)));
		EXPECT_EQ(0, memcmp(wide + i * 40 + sizeof(*r), zero, 40 - sizeof(*r)));
	}
	free(wide);

	/* entry_size: at least VER0, a multiple of 8, at most a page. */
	for (i = 0; i < 6; i++) {
		static const uint32_t bad[] = { 0, 8, 16, 28, 4104, 0x80000000u };

		diff_args(&a, s1);
		a.entry_size = bad[i];
		a.ranges = (uintptr_t)r;
		a.count = total;
		errno = 0;
		EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a)) TH_LOG("entry_size %u", bad[i]);
		EXPECT_EQ(EINVAL, errno);
	}
	diff_args(&a, s1);
	a.entry_size = 4096;
	EXPECT_EQ(0, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));

	/* Bad output pointers. */
	diff_args(&a, s1);
	a.count = total;
	a.ranges = 0;
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EFAULT, errno);
	a.ranges = 0xffff888000000000ULL;
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, &a));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, TTREC_IOC_SNAP_DIFF, NULL));
	EXPECT_EQ(EFAULT, errno);

	/* Sized structs: short is EINVAL, a zero tail is fine, else E2BIG. */
	diff_args(&a, s1);
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, DIFF_SIZED(TTREC_SNAP_DIFF_ARGS_SIZE_VER0 - 8), &a));
	EXPECT_EQ(EINVAL, errno);
	memset(big, 0, sizeof(big));
	memcpy(big, &a, sizeof(a));
	EXPECT_EQ(0, ioctl(s2, DIFF_SIZED(sizeof(big)), big));
	memcpy(&a, big, sizeof(a));
	EXPECT_EQ(total, a.total);
	EXPECT_EQ(0, big[sizeof(a)]);
	big[sizeof(big) - 1] = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(s2, DIFF_SIZED(sizeof(big)), big));
	EXPECT_EQ(E2BIG, errno);
	free(r);
	free_diff(&d);
}

TEST_HARNESS_MAIN
