// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot image writer: read a snapshot through its source (a ttrec.ko
 * snapshot fd, source.c, or a process stopped with ptrace, capture/) and
 * write an image (image.h), full or incremental.
 *
 * A full image walks every VMA: pages that read non-zero are stored, pages
 * the kernel did not capture (ENODATA) are listed as such, zero pages of
 * anonymous memory are left implicit. A VMA's pages_held count lets the
 * walk stop early once every held page has been seen.
 *
 * An incremental image splits each VMA into ranges the parent image has
 * with the same backing (same anonymous/file/shared kind, same file and
 * offset: "inherited") and the rest. The rest is walked as for a full image.
 * In inherited ranges only changed pages are written: those
 * TTREC_IOC_SNAP_DIFF reports against the parent's snapshot fd when it is
 * still open, else those whose contents differ from the parent image's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <lz4.h>
#include <linux/ttrec.h>

#include "image/image.h"
#include "format/journal.h"
#include "lib/log.h"

#define PS		IMG_PAGE_SIZE
#define READ_PAGES	256U		/* pages per pread() */


/* A piece of one VMA: inherited from the parent or not. */
struct segment {
	uint64_t start, end;
	const struct img_vma *vma;
	bool inherit;
};

/* The image being written: the file, its TOC and page map so far, the chunk being filled. */
struct wctx {
	const struct img_write_opts *o;
	struct img_source *src;
	struct img_write_stats *st;
	int fd;
	uint64_t off;
	struct img_toc_entry *toc;
	uint32_t ntoc, toc_cap;
	struct img_run *runs;
	uint32_t nruns, runs_cap;
	uint8_t *chunk;			/* pages waiting for their chunk */
	uint32_t chunk_n;
	uint64_t chunk_first;		/* page index of chunk[0] */
	uint8_t *cbuf;			/* compressed chunk */
	int cbuf_cap;
	uint8_t *rbuf;			/* snapshot reads */
	uint8_t rkind[READ_PAGES];
	uint8_t *pbuf;			/* a parent page */
	uint64_t data_pages, zero_pages, unc_pages, stored;
};

/*
 * What the image will hold, known before the first page is read: the
 * snapshot's facts, VMAs and threads, the segments to walk and, for an
 * incremental image, its inherited ranges, the parent's VMAs that are gone
 * and the ranges TTREC_IOC_SNAP_DIFF reported changed.
 */
struct wplan {
	struct img_snap_facts facts;
	struct img_vma *vmas;
	uint32_t nvmas;
	uint8_t *threads;		/* the TTREC_IOC_SNAP_THREADS stream */
	size_t threads_len;
	uint32_t nthreads;
	/* the process state, when the source has it (IMG_F_STATE) */
	bool has_state;
	struct img_state_streams state;
	struct segment *segs;
	uint32_t nsegs;
	struct img_range *inh;
	uint32_t ninh;
	struct img_vma *removed;
	uint32_t nremoved;
	struct ttrec_snap_range *diff;
	uint32_t ndiff;
	bool use_diff;			/* diff holds the changes; else compare */
};

static uint64_t mono_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, off + done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += n;
	}
	return 0;
}

static int grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, (size_t)n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* Append one section (header and payload) and list it in the TOC. */
static int put_section(struct wctx *w, uint32_t type, uint64_t arg,
		       const void *payload, size_t len, bool compress)
{
	struct img_section_header sh = { .type = type, .raw_len = len, .arg = arg };
	const void *stored = payload;
	size_t slen = len;
	void *tmp = NULL;
	int err;

	memcpy(sh.magic, IMG_SECTION_MAGIC, 8);
	if (compress && len >= 64 && len <= (size_t)LZ4_MAX_INPUT_SIZE) {
		int bound = LZ4_compressBound((int)len), n;

		tmp = malloc(bound);
		if (!tmp)
			return -ENOMEM;
		n = LZ4_compress_default(payload, tmp, (int)len, bound);
		if (n > 0 && (size_t)n < len) {
			stored = tmp;
			slen = n;
			sh.flags |= IMG_SEC_LZ4;
		}
	}
	sh.stored_len = slen;
	sh.payload_crc = journal_crc32c(0, stored, slen);
	sh.header_crc = journal_crc32c(0, &sh, sizeof(sh));	/* header_crc is 0 here */
	if (type != IMG_SEC_TOC) {
		err = grow((void **)&w->toc, &w->toc_cap, w->ntoc + 1, sizeof(*w->toc));
		if (err)
			goto out;
		w->toc[w->ntoc++] = (struct img_toc_entry){ .type = type, .offset = w->off };
	}
	err = pwrite_full(w->fd, &sh, sizeof(sh), w->off);
	if (!err)
		err = pwrite_full(w->fd, stored, slen, w->off + sizeof(sh));
	if (!err) {
		w->off += sizeof(sh) + slen;
		if (type == IMG_SEC_PAGES)
			w->stored += slen;
	}
out:
	free(tmp);
	return err;
}

static int flush_chunk(struct wctx *w)
{
	int err;

	if (!w->chunk_n)
		return 0;
	err = put_section(w, IMG_SEC_PAGES, w->chunk_first, w->chunk,
			  (size_t)w->chunk_n * PS, true);
	w->chunk_first += w->chunk_n;
	w->chunk_n = 0;
	return err;
}

static int add_run(struct wctx *w, uint64_t addr, uint64_t npages, uint32_t kind)
{
	while (npages) {
		struct img_run *last = w->nruns ? &w->runs[w->nruns - 1] : NULL;
		uint32_t n = npages > UINT32_MAX / 2 ? UINT32_MAX / 2 : npages;
		int err;

		if (kind == IMG_PAGE_ZERO)
			w->zero_pages += n;
		else if (kind == IMG_PAGE_UNCAPTURED)
			w->unc_pages += n;
		if (last && last->kind == kind &&
		    last->addr + (uint64_t)last->npages * PS == addr &&
		    (uint64_t)last->npages + n <= UINT32_MAX / 2) {
			last->npages += n;
		} else {
			err = grow((void **)&w->runs, &w->runs_cap, w->nruns + 1,
				   sizeof(*w->runs));
			if (err)
				return err;
			w->runs[w->nruns++] = (struct img_run){ addr, n, kind };
		}
		addr += (uint64_t)n * PS;
		npages -= n;
	}
	return 0;
}

static int add_data(struct wctx *w, uint64_t addr, const void *page)
{
	int err = add_run(w, addr, 1, IMG_PAGE_DATA);

	if (err)
		return err;
	memcpy(w->chunk + (size_t)w->chunk_n * PS, page, PS);
	w->data_pages++;
	if (++w->chunk_n == IMG_CHUNK_PAGES)
		return flush_chunk(w);
	return 0;
}

static bool page_is_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)p;
	unsigned int i;

	for (i = 0; i < PS / 8; i += 4)
		if (q[i] | q[i + 1] | q[i + 2] | q[i + 3])
			return false;
	return true;
}

/*
 * Read @n pages at @addr from the snapshot into w->rbuf; w->rkind[i] gets
 * 1 for a page read, IMG_PAGE_UNCAPTURED for one the kernel did not capture.
 */
static int read_pages(struct wctx *w, uint64_t addr, uint32_t n)
{
	int err = w->src->read(w->src, addr, n, w->rbuf, w->rkind);

	if (!err)
		w->st->pages_scanned += n;
	return err;
}

/* A range outside inherited ranges: everything it holds. */
static int scan_full(struct wctx *w, const struct segment *s)
{
	const struct img_vma *v = s->vma;
	bool anon = !(v->flags & TTREC_VMA_FILE);
	bool whole = s->start == v->start && s->end == v->end;
	uint64_t addr = s->start, held = 0;
	int err;

	if (!(v->flags & TTREC_VMA_CAPTURED))
		return add_run(w, s->start, (s->end - s->start) / PS, IMG_PAGE_UNCAPTURED);
	while (addr < s->end) {
		uint32_t n = (s->end - addr) / PS > READ_PAGES ? READ_PAGES :
			     (s->end - addr) / PS, i;

		if (whole && held == v->pages_held) {
			/* every held page seen: the rest is zero or the file's */
			if (!anon)
				return add_run(w, addr, (s->end - addr) / PS,
					       IMG_PAGE_UNCAPTURED);
			return 0;
		}
		err = read_pages(w, addr, n);
		if (err)
			return err;
		for (i = 0; i < n; i++, addr += PS) {
			const uint8_t *p = w->rbuf + (size_t)i * PS;

			if (w->rkind[i] == IMG_PAGE_UNCAPTURED) {
				err = add_run(w, addr, 1, IMG_PAGE_UNCAPTURED);
			} else if (page_is_zero(p)) {
				/* anonymous: implicit; file: a held zero page */
				if (!anon) {
					held++;
					err = add_run(w, addr, 1, IMG_PAGE_ZERO);
				}
			} else {
				held++;
				err = add_data(w, addr, p);
			}
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * Pages of an inherited range: with @compare, write those whose contents
 * differ from the parent's; without (the kernel said they changed), write
 * them all, except zero or not-captured pages the parent has the same.
 */
static int scan_changed(struct wctx *w, uint64_t start, uint64_t end, bool compare)
{
	uint64_t addr = start;
	int err;

	while (addr < end) {
		uint32_t n = (end - addr) / PS > READ_PAGES ? READ_PAGES :
			     (end - addr) / PS, i;

		err = read_pages(w, addr, n);
		if (err)
			return err;
		for (i = 0; i < n; i++, addr += PS) {
			const uint8_t *p = w->rbuf + (size_t)i * PS;
			int pk = img_page(w->o->parent, addr, compare ? w->pbuf : NULL, NULL);

			if (pk < 0) {
				pr_err("reading the parent image at %#llx: %s\n",
				       (unsigned long long)addr, strerror(-pk));
				return pk;
			}
			if (w->rkind[i] == IMG_PAGE_UNCAPTURED) {
				err = pk == IMG_PAGE_UNCAPTURED ? 0 :
				      add_run(w, addr, 1, IMG_PAGE_UNCAPTURED);
			} else if (page_is_zero(p)) {
				err = pk == IMG_PAGE_ZERO ? 0 : add_run(w, addr, 1, IMG_PAGE_ZERO);
			} else if (compare && pk == IMG_PAGE_DATA && !memcmp(p, w->pbuf, PS)) {
				err = 0;
			} else {
				err = add_data(w, addr, p);
			}
			if (err)
				return err;
		}
	}
	return 0;
}

/* Same backing at every address both VMAs cover? */
static bool same_backing(const struct img_vma *c, const struct img_vma *p)
{
	const uint32_t kind = TTREC_VMA_SHARED | TTREC_VMA_FILE | TTREC_VMA_CAPTURED |
			      TTREC_VMA_SPECIAL;

	if ((c->flags & kind) != (p->flags & kind))
		return false;
	if (!(c->flags & TTREC_VMA_FILE))
		return true;
	return c->dev == p->dev && c->ino == p->ino &&
	       c->offset - c->start == p->offset - p->start;
}

static int add_segment(struct segment **v, uint32_t *n, uint32_t *cap,
		       uint64_t start, uint64_t end, const struct img_vma *vma,
		       bool inherit)
{
	int err;

	if (start >= end)
		return 0;
	if (*n && (*v)[*n - 1].vma == vma && (*v)[*n - 1].end == start &&
	    (*v)[*n - 1].inherit == inherit) {
		(*v)[*n - 1].end = end;
		return 0;
	}
	err = grow((void **)v, cap, *n + 1, sizeof(**v));
	if (err)
		return err;
	(*v)[(*n)++] = (struct segment){ start, end, vma, inherit };
	return 0;
}

/* Split the child's VMAs into inherited and other segments, in order. */
static int make_segments(const struct img_vma *vmas, uint32_t nr,
			 const struct img *parent, struct segment **out,
			 uint32_t *nout)
{
	struct segment *v = NULL;
	uint32_t n = 0, cap = 0, i, j = 0;
	int err = 0;

	for (i = 0; i < nr && !err; i++) {
		const struct img_vma *c = &vmas[i];
		uint64_t cur = c->start;

		if (!parent) {
			err = add_segment(&v, &n, &cap, c->start, c->end, c, false);
			continue;
		}
		while (j < parent->nr_vmas && parent->vmas[j].end <= c->start)
			j++;
		for (uint32_t k = j; k < parent->nr_vmas && parent->vmas[k].start < c->end && !err; k++) {
			const struct img_vma *p = &parent->vmas[k];
			uint64_t lo = p->start > c->start ? p->start : c->start;
			uint64_t hi = p->end < c->end ? p->end : c->end;

			err = add_segment(&v, &n, &cap, cur, lo, c, false);
			if (!err)
				err = add_segment(&v, &n, &cap, lo, hi, c, same_backing(c, p));
			cur = hi;
		}
		if (!err)
			err = add_segment(&v, &n, &cap, cur, c->end, c, false);
	}
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* Parent VMAs the child has no identical VMA for. */
static int removed_vmas(const struct img *parent, const struct img_vma *vmas,
			uint32_t nr, struct img_vma **out, uint32_t *nout)
{
	struct img_vma *r = NULL;
	uint32_t n = 0, cap = 0, i;

	for (i = 0; i < parent->nr_vmas; i++) {
		const struct img_vma *p = &parent->vmas[i];
		const struct img_vma *c = NULL;
		uint32_t lo = 0, hi = nr;

		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (p->start < vmas[mid].start)
				hi = mid;
			else if (p->start > vmas[mid].start)
				lo = mid + 1;
			else {
				c = &vmas[mid];
				break;
			}
		}
		if (c && c->end == p->end && same_backing(c, p) && c->prot == p->prot)
			continue;
		if (grow((void **)&r, &cap, n + 1, sizeof(*r))) {
			free(r);
			return -ENOMEM;
		}
		r[n++] = *p;
	}
	*out = r;
	*nout = n;
	return 0;
}

/* The inherited segments as sorted, merged ranges. */
static int inherit_ranges(const struct segment *s, uint32_t ns,
			  struct img_range **out, uint32_t *nout)
{
	struct img_range *r = NULL;
	uint32_t n = 0, cap = 0, i;

	for (i = 0; i < ns; i++) {
		if (!s[i].inherit)
			continue;
		if (n && r[n - 1].end == s[i].start) {
			r[n - 1].end = s[i].end;
			continue;
		}
		if (grow((void **)&r, &cap, n + 1, sizeof(*r))) {
			free(r);
			return -ENOMEM;
		}
		r[n++] = (struct img_range){ s[i].start, s[i].end };
	}
	*out = r;
	*nout = n;
	return 0;
}

static int sync_dir_of(const char *path)
{
	char *copy = strdup(path), *slash;
	int fd, err = 0;

	if (!copy)
		return -ENOMEM;
	slash = strrchr(copy, '/');
	if (slash == copy)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	fd = open(slash ? copy : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		if (fsync(fd))
			err = -errno;
		close(fd);
	}
	free(copy);
	return err;
}

static void wplan_free(struct wplan *p)
{
	free(p->vmas);
	free(p->threads);
	free(p->state.proc);
	free(p->state.fds);
	free(p->segs);
	free(p->inh);
	free(p->removed);
	free(p->diff);
}

static void wctx_free(struct wctx *w)
{
	free(w->toc);
	free(w->runs);
	free(w->chunk);
	free(w->cbuf);
	free(w->rbuf);
	free(w->pbuf);
}

/* The snapshot's facts, VMAs, threads and, when the source has it, process state. */
static int read_snapshot(struct wctx *w, struct wplan *p)
{
	struct img_state *st = NULL;
	const char *why;
	int err;

	err = w->src->describe(w->src, &p->facts, &p->vmas, &p->nvmas,
			       &p->threads, &p->threads_len, &p->nthreads);
	if (err || !w->src->state)
		return err;
	err = w->src->state(w->src, &p->state);
	if (err == -ENOTTY)
		return 0;
	if (err)
		return err;
	/* checked with the reader's decoder: refused here rather than written */
	err = state_decode(p->state.proc, p->state.proc_len, p->state.fds, p->state.fds_len,
			   p->state.nr_fds, p->state.fds_total, p->state.fds_state,
			   p->threads, p->threads_len, &st, &why);
	state_free(st);
	if (err == -EBADMSG) {
		pr_err("the snapshot's process state is malformed: %s\n", why);
		return -EPROTO;
	}
	if (err)
		return err;
	p->has_state = true;
	return 0;
}

/*
 * The ranges the source says changed since the parent (ttrec.ko's diff
 * against the parent's snapshot fd). When it cannot tell, p->use_diff
 * stays false and the pages of inherited ranges are compared with the
 * parent image's instead.
 */
static int plan_diff(struct wctx *w, struct wplan *p)
{
	int err;

	if (!w->o->parent || !w->src->diff)
		return 0;
	err = w->src->diff(w->src, &p->diff, &p->ndiff, &w->st->diff_pages);
	if (!err) {
		p->use_diff = true;
	} else if (err == -ENOTTY) {
		pr_debug("no diff from the snapshot's source: comparing contents\n");
	} else if (err == -ENOMEM || err == -EPROTO) {
		return err;
	} else {
		pr_warn("TTREC_IOC_SNAP_DIFF failed (%s); comparing contents with the parent image instead\n",
			strerror(-err));
	}
	return 0;
}

/* The segments to walk and, against @parent, the inherited and removed parts. */
static int plan_segments(const struct img *parent, struct wplan *p)
{
	int err;

	err = make_segments(p->vmas, p->nvmas, parent, &p->segs, &p->nsegs);
	if (!err && parent)
		err = inherit_ranges(p->segs, p->nsegs, &p->inh, &p->ninh);
	if (!err && parent)
		err = removed_vmas(parent, p->vmas, p->nvmas, &p->removed, &p->nremoved);
	return err;
}

/*
 * The read and chunk buffers, and the file PATH.XXXXXX the image is written
 * to (*@tmp, NULL when there is none) before it is linked to PATH.
 */
static int create_tmp(struct wctx *w, char **tmp)
{
	int err;

	w->chunk = malloc((size_t)IMG_CHUNK_PAGES * PS);
	w->rbuf = malloc((size_t)READ_PAGES * PS);
	w->pbuf = malloc(PS);
	if (!w->chunk || !w->rbuf || !w->pbuf)
		return -ENOMEM;
	if (asprintf(tmp, "%s.XXXXXX", w->o->path) < 0) {
		*tmp = NULL;
		return -ENOMEM;
	}
	w->fd = mkostemp(*tmp, O_CLOEXEC);
	if (w->fd < 0) {
		err = -errno;
		pr_err("cannot create %s: %s\n", *tmp, strerror(-err));
		free(*tmp);
		*tmp = NULL;
		return err;
	}
	fchmod(w->fd, 0644);
	return 0;
}

/* The pages of an inherited segment: those the kernel or the contents say changed. */
static int scan_inherited(struct wctx *w, const struct wplan *p,
			  const struct segment *s, uint32_t *d)
{
	int err = 0;

	if (!p->use_diff)
		return scan_changed(w, s->start, s->end, true);
	while (*d < p->ndiff && p->diff[*d].end <= s->start)
		(*d)++;
	for (uint32_t k = *d; k < p->ndiff && p->diff[k].start < s->end && !err; k++) {
		uint64_t lo = p->diff[k].start > s->start ? p->diff[k].start : s->start;
		uint64_t hi = p->diff[k].end < s->end ? p->diff[k].end : s->end;

		err = scan_changed(w, lo, hi, false);
	}
	return err;
}

/* The pages, in address order: data chunks, and page-map runs in w->runs. */
static int write_pages(struct wctx *w, const struct wplan *p)
{
	uint32_t i, d = 0;
	int err = 0;

	for (i = 0; i < p->nsegs && !err; i++) {
		const struct segment *s = &p->segs[i];

		if (s->inherit)
			err = scan_inherited(w, p, s, &d);
		else
			err = scan_full(w, s);
	}
	if (!err)
		err = flush_chunk(w);
	return err;
}

/* The metadata sections: VMAs, threads, page map and, incremental, the parent's. */
static int write_meta(struct wctx *w, const struct wplan *p)
{
	const struct img_write_opts *o = w->o;
	int err;

	err = put_section(w, IMG_SEC_VMAS, 0, p->vmas,
			  (size_t)p->nvmas * sizeof(*p->vmas), true);
	if (!err)
		err = put_section(w, IMG_SEC_THREADS, 0, p->threads, p->threads_len, true);
	if (!err && p->has_state)
		err = put_section(w, IMG_SEC_PROC, 0, p->state.proc, p->state.proc_len, true);
	if (!err && p->has_state)
		err = put_section(w, IMG_SEC_FDS, 0, p->state.fds, p->state.fds_len, true);
	if (!err)
		err = put_section(w, IMG_SEC_PAGEMAP, 0, w->runs,
				  (size_t)w->nruns * sizeof(*w->runs), true);
	if (!err && o->parent) {
		err = put_section(w, IMG_SEC_INHERIT, 0, p->inh,
				  (size_t)p->ninh * sizeof(*p->inh), true);
		if (!err)
			err = put_section(w, IMG_SEC_REMOVED, 0, p->removed,
					  (size_t)p->nremoved * sizeof(*p->removed), true);
		if (!err)
			err = put_section(w, IMG_SEC_PARENT, 0, o->parent_ref,
					  strlen(o->parent_ref) + 1, false);
	}
	return err;
}

/* The header's fields, but for the TOC and the checksum. */
static void fill_header(struct img_header *h, const struct wctx *w, const struct wplan *p)
{
	const struct img_write_opts *o = w->o;
	const struct img_snap_facts *info = &p->facts;

	memcpy(h->magic, IMG_MAGIC, 8);
	h->version = IMG_FORMAT_VERSION;
	h->header_size = sizeof(*h);
	h->page_size = PS;
	h->chunk_pages = IMG_CHUNK_PAGES;
	if (o->id)
		memcpy(h->id, o->id, sizeof(h->id));
	else if (getrandom(h->id, sizeof(h->id), 0) != sizeof(h->id)) {
		/* no entropy pool: time and addresses still tell images apart */
		uint64_t a = mono_ns(CLOCK_REALTIME), b = info->snap_id ^ ((uint64_t)getpid() << 32);

		memcpy(h->id, &a, 8);
		memcpy(h->id + 8, &b, 8);
	}
	h->pid = info->pid;
	h->nr_vmas = p->nvmas;
	h->nr_threads = p->nthreads;
	snprintf(h->comm, sizeof(h->comm), "%s", o->comm ? o->comm : "");
	h->snap_id = info->snap_id;
	h->taken_ns = info->taken_ns;
	h->taken_realtime_ns = mono_ns(CLOCK_REALTIME) -
			       (mono_ns(CLOCK_MONOTONIC) - info->taken_ns);
	h->pause_ns = info->pause_ns;
	h->pages_held = info->pages_held;
	h->counts = info->counts;
	h->flags |= info->flags & (IMG_F_PTRACE | IMG_F_VMA_KINDS);
	h->nr_data_pages = w->data_pages;
	h->nr_zero_pages = w->zero_pages;
	h->nr_uncaptured_pages = w->unc_pages;
	h->data_bytes_stored = w->stored;
	if (p->has_state) {
		h->flags |= IMG_F_STATE;
		h->nr_fds = p->state.nr_fds;
		h->fds_total = p->state.fds_total;
		h->fds_state = p->state.fds_state;
	}
	if (o->parent) {
		h->flags |= IMG_F_INCREMENTAL;
		if (p->use_diff)
			h->flags |= IMG_F_KERNEL_DIFF;
		memcpy(h->parent_id, o->parent->h.id, sizeof(h->parent_id));
		h->depth = o->parent->h.depth + 1;
	}
}

/* The table of contents, then the header at offset 0 (it points to it); synced. */
static int write_toc_header(struct wctx *w, const struct wplan *p)
{
	struct img_header *h = &w->st->h;
	int err;

	fill_header(h, w, p);
	h->nr_sections = w->ntoc;
	h->toc_off = w->off;
	err = put_section(w, IMG_SEC_TOC, 0, w->toc, (size_t)w->ntoc * sizeof(*w->toc), false);
	if (err)
		return err;
	h->header_crc = journal_crc32c(0, h, offsetof(struct img_header, header_crc));
	err = pwrite_full(w->fd, h, sizeof(*h), 0);
	if (!err && fdatasync(w->fd))
		err = -errno;
	return err;
}

int img_write(const struct img_write_opts *o, struct img_write_stats *st)
{
	struct wctx w = { .o = o, .st = st, .fd = -1, .off = sizeof(struct img_header) };
	uint64_t t0 = mono_ns(CLOCK_MONOTONIC);
	struct wplan p = { 0 };
	struct img_source_fd fdsrc;
	bool released = false;
	char *tmp = NULL;
	int err;

	memset(st, 0, sizeof(*st));
	w.src = o->src;
	if (!w.src)
		w.src = img_source_snapfd(&fdsrc, o->snapfd, o->parent_snapfd, o->features);
	err = read_snapshot(&w, &p);
	if (!err)
		err = plan_diff(&w, &p);
	if (!err)
		err = plan_segments(o->parent, &p);
	if (!err)
		err = create_tmp(&w, &tmp);
	if (err)
		goto out;
	err = write_pages(&w, &p);
	if (w.src->release) {
		w.src->release(w.src, &p.facts);
		released = true;
	}
	if (!err)
		err = write_meta(&w, &p);
	if (!err)
		err = write_toc_header(&w, &p);
	if (err) {
		if (err == -ENOSPC)
			pr_err("no space left writing %s; nothing was kept\n", o->path);
		else if (err != -ENOMEM && err != -EIO && err != -ENODATA)
			pr_err("writing %s failed: %s\n", o->path, strerror(-err));
		goto out;
	}
	if (link(tmp, o->path)) {
		err = -errno;
		pr_err("cannot create %s: %s\n", o->path, strerror(-err));
		goto out;
	}
	sync_dir_of(o->path);
	st->data_pages = w.data_pages;
	st->zero_pages = w.zero_pages;
	st->uncaptured_pages = w.unc_pages;
	st->data_bytes_stored = w.stored;
	st->file_bytes = w.off;
	st->kernel_diff = p.use_diff;
	st->seconds = (mono_ns(CLOCK_MONOTONIC) - t0) / 1e9;
out:
	if (!released && w.src->release)
		w.src->release(w.src, &p.facts);
	if (w.fd >= 0)
		close(w.fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	wctx_free(&w);
	wplan_free(&p);
	return err;
}
