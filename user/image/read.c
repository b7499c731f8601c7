// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot image reader: open and check an image and its parent chain,
 * resolve pages, read memory as at the snapshot instant. image.h describes
 * the format, Documentation/snapshot.rst explains it.
 *
 * Every length and offset in a file is checked before it is used: a
 * corrupt or hostile file is refused with a message, never trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lz4.h>
#include <linux/ttrec.h>

#include "image/image.h"
#include "format/journal.h"
#include "lib/log.h"
#include "lib/util.h"

_Static_assert(sizeof(IMG_MAGIC) - 1 == 8, "image magic is 8 bytes");
_Static_assert(sizeof(IMG_SECTION_MAGIC) - 1 == 8, "section magic is 8 bytes");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the image structs are used in place: little-endian hosts only");

/* Metadata sections are small; a bigger one is a corrupt length. */
#define IMG_MAX_META	(256ULL << 20)

struct img_chunk {
	uint64_t off;		/* of its section header */
};

static const char *const sec_names[] = {
	[IMG_SEC_TOC] = "table of contents",
	[IMG_SEC_VMAS] = "VMAs",
	[IMG_SEC_THREADS] = "threads",
	[IMG_SEC_PAGEMAP] = "page map",
	[IMG_SEC_INHERIT] = "inherited ranges",
	[IMG_SEC_REMOVED] = "removed VMAs",
	[IMG_SEC_PARENT] = "parent",
	[IMG_SEC_PAGES] = "page data",
	[IMG_SEC_PROC] = "process state",
	[IMG_SEC_FDS] = "descriptors",
};

const char *img_section_name(uint32_t type)
{
	return type && type <= IMG_SEC_MAX ? sec_names[type] : "unknown";
}

const char *img_page_kind_name(int kind)
{
	switch (kind) {
	case IMG_PAGE_DATA:		return "data";
	case IMG_PAGE_ZERO:		return "zero";
	case IMG_PAGE_UNCAPTURED:	return "uncaptured";
	default:			return "?";
	}
}

static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	int err = pread_full(fd, buf, len, off);

	return err == -ENODATA ? -EBADMSG : err;	/* shorter than it says */
}

static uint32_t section_header_crc(const struct img_section_header *s)
{
	struct img_section_header tmp = *s;

	tmp.header_crc = 0;
	return journal_crc32c(0, &tmp, sizeof(tmp));
}

/*
 * Read the section at @off: check its header, and, when @payload is not
 * NULL, read, check and decompress its payload into a malloc()ed buffer
 * (*@payload, raw_len bytes). @want: the expected type.
 */
static int read_section(struct img *im, uint64_t off, uint32_t want,
			struct img_section_header *sh, void **payload,
			uint64_t max_raw)
{
	void *stored = NULL, *raw = NULL;
	int err;

	if (off > im->file_size || im->file_size - off < sizeof(*sh)) {
		pr_err("%s: the %s section at offset %llu is beyond the end of the file (truncated?)\n",
		       im->path, img_section_name(want), (unsigned long long)off);
		return -EBADMSG;
	}
	err = read_at(im->fd, sh, sizeof(*sh), off);
	if (err)
		goto io;
	if (memcmp(sh->magic, IMG_SECTION_MAGIC, 8) ||
	    section_header_crc(sh) != sh->header_crc) {
		pr_err("%s: the %s section header at offset %llu is corrupt (bad magic or checksum)\n",
		       im->path, img_section_name(want), (unsigned long long)off);
		return -EBADMSG;
	}
	if (sh->type != want || (sh->flags & ~IMG_SEC_LZ4) ||
	    sh->raw_len > max_raw ||
	    sh->stored_len > im->file_size - off - sizeof(*sh) ||
	    (!(sh->flags & IMG_SEC_LZ4) && sh->stored_len != sh->raw_len) ||
	    ((sh->flags & IMG_SEC_LZ4) && (sh->raw_len > INT_MAX ||
					   sh->stored_len > INT_MAX))) {
		pr_err("%s: the section at offset %llu is not a valid %s section (type %u, flags %#x, %llu/%llu bytes)\n",
		       im->path, (unsigned long long)off, img_section_name(want),
		       sh->type, sh->flags, (unsigned long long)sh->stored_len,
		       (unsigned long long)sh->raw_len);
		return -EBADMSG;
	}
	if (!payload)
		return 0;
	stored = malloc(sh->stored_len ? sh->stored_len : 1);
	if (!stored)
		return -ENOMEM;
	err = read_at(im->fd, stored, sh->stored_len, off + sizeof(*sh));
	if (err) {
		free(stored);
		goto io;
	}
	if (journal_crc32c(0, stored, sh->stored_len) != sh->payload_crc) {
		pr_err("%s: the %s section at offset %llu fails its checksum (file corrupt)\n",
		       im->path, img_section_name(want), (unsigned long long)off);
		free(stored);
		return -EBADMSG;
	}
	if (!(sh->flags & IMG_SEC_LZ4)) {
		*payload = stored;
		return 0;
	}
	raw = malloc(sh->raw_len ? sh->raw_len : 1);
	if (!raw) {
		free(stored);
		return -ENOMEM;
	}
	if (LZ4_decompress_safe(stored, raw, (int)sh->stored_len, (int)sh->raw_len) !=
	    (int)sh->raw_len) {
		pr_err("%s: the %s section at offset %llu does not decompress to its size\n",
		       im->path, img_section_name(want), (unsigned long long)off);
		free(stored);
		free(raw);
		return -EBADMSG;
	}
	free(stored);
	*payload = raw;
	return 0;
io:
	if (err == -EBADMSG)
		pr_err("%s: truncated in the %s section at offset %llu\n",
		       im->path, img_section_name(want), (unsigned long long)off);
	else
		pr_err("%s: read error: %s\n", im->path, strerror(-err));
	return err;
}

static uint32_t header_crc(const struct img_header *h)
{
	return journal_crc32c(0, h, offsetof(struct img_header, header_crc));
}

static int check_header(struct img *im)
{
	struct img_header *h = &im->h;
	int err;

	if (im->file_size < sizeof(*h)) {
		if (im->file_size >= 8 && memcmp(h->magic, IMG_MAGIC, 8) == 0)
			goto corrupt;
		pr_err("%s: not a ttrec snapshot image (too short)\n", im->path);
		return -EPROTO;
	}
	err = read_at(im->fd, h, sizeof(*h), 0);
	if (err) {
		pr_err("%s: read error: %s\n", im->path, strerror(-err));
		return err;
	}
	if (memcmp(h->magic, IMG_MAGIC, 8)) {
		pr_err("%s: not a ttrec snapshot image (wrong magic)%s\n", im->path,
		       memcmp(h->magic, "TTRECJNL", 8) ? "" :
		       ": a journal; give its recording directory instead");
		return -EPROTO;
	}
	if (h->version < IMG_FORMAT_VERSION_MIN || h->version > IMG_FORMAT_VERSION) {
		pr_err("%s: snapshot image format version %u; this ttrec (%s) reads versions %u to %u\n",
		       im->path, h->version, TTREC_VERSION, IMG_FORMAT_VERSION_MIN,
		       IMG_FORMAT_VERSION);
		return -EPROTO;
	}
	if (header_crc(h) != h->header_crc)
		goto corrupt;
	if (h->header_size != sizeof(*h) ||
	    (h->flags & ~(h->version == 1 ? IMG_F_ALL_V1 : IMG_F_ALL)) ||
	    h->page_size != IMG_PAGE_SIZE || !h->chunk_pages ||
	    h->chunk_pages > 16384 ||
	    h->toc_off < sizeof(*h) || h->toc_off >= im->file_size ||
	    h->depth > IMG_MAX_DEPTH ||
	    !(h->flags & IMG_F_INCREMENTAL) != !h->depth ||
	    memchr(h->comm, 0, sizeof(h->comm)) == NULL) {
		pr_err("%s: inconsistent image header (size %u, flags %#x, page size %u, depth %u)\n",
		       im->path, h->header_size, h->flags, h->page_size, h->depth);
		return -EBADMSG;
	}
	return 0;
corrupt:
	pr_err("%s: the image header is corrupt (checksum mismatch or truncated file)\n",
	       im->path);
	return -EBADMSG;
}

static int bad(struct img *im, const char *what)
{
	pr_err("%s: corrupt image: %s\n", im->path, what);
	return -EBADMSG;
}

/* Check one metadata array's shape; *n gets its element count. */
static int array_len(struct img *im, const struct img_section_header *sh,
		     size_t elem, uint32_t *n)
{
	if (sh->raw_len % elem || sh->raw_len / elem > UINT32_MAX)
		return bad(im, "a metadata section's length is not a whole number of entries");
	*n = sh->raw_len / elem;
	return 0;
}

static bool page_aligned(uint64_t a)
{
	return !(a % IMG_PAGE_SIZE);
}

static int check_vmas(struct img *im, const struct img_vma *v, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (v[i].start >= v[i].end || !page_aligned(v[i].start) ||
		    !page_aligned(v[i].end) ||
		    (i && v[i].start < v[i - 1].end))
			return bad(im, "VMAs not sorted, overlapping or not page aligned");
		if (!memchr(v[i].path, 0, sizeof(v[i].path)))
			return bad(im, "a VMA path is not terminated");
	}
	return 0;
}

static int check_threads(struct img *im)
{
	const uint8_t *p = im->threads;
	size_t left = im->threads_len;
	uint32_t n = 0;

	while (left) {
		struct ttrec_snap_thread t;
		size_t off = sizeof(t);
		uint32_t k;

		if (left < sizeof(t))
			return bad(im, "a thread record is cut short");
		memcpy(&t, p, sizeof(t));
		if (t.size < sizeof(t) || t.size % 8 || t.size > left)
			return bad(im, "a thread record has a bad size");
		for (k = 0; k < t.nr_notes; k++) {
			struct ttrec_snap_note nt;

			if (t.size - off < sizeof(nt))
				return bad(im, "a thread's register notes overrun its record");
			memcpy(&nt, p + off, sizeof(nt));
			off += sizeof(nt);
			if (nt.size > t.size - off)
				return bad(im, "a thread's register notes overrun its record");
			off += (nt.size + 7) & ~7U;
			if (off > t.size)
				return bad(im, "a thread's register notes overrun its record");
		}
		p += t.size;
		left -= t.size;
		n++;
	}
	if (n != im->h.nr_threads)
		return bad(im, "the thread count does not match the header");
	return 0;
}

static const struct img_vma *find_vma(const struct img_vma *v, uint32_t n,
				      uint64_t addr)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (addr < v[mid].start)
			hi = mid;
		else if (addr >= v[mid].end)
			lo = mid + 1;
		else
			return &v[mid];
	}
	return NULL;
}

const struct img_vma *img_find_vma(const struct img *im, uint64_t addr)
{
	return find_vma(im->vmas, im->nr_vmas, addr);
}

/* Is [start, end) inside VMAs of @im with no hole? */
static bool covered_by_vmas(const struct img *im, uint64_t start, uint64_t end)
{
	while (start < end) {
		const struct img_vma *v = img_find_vma(im, start);

		if (!v)
			return false;
		start = v->end;
	}
	return true;
}

static int check_runs(struct img *im)
{
	uint64_t next = 0, pages = 0, zero = 0, unc = 0, prev_end = 0;
	uint32_t i;

	im->run_first = calloc(im->nr_runs ? im->nr_runs : 1, sizeof(*im->run_first));
	if (!im->run_first)
		return -ENOMEM;
	for (i = 0; i < im->nr_runs; i++) {
		const struct img_run *r = &im->runs[i];
		uint64_t end = r->addr + (uint64_t)r->npages * IMG_PAGE_SIZE;

		if (!r->npages || !page_aligned(r->addr) || end < r->addr ||
		    (i && r->addr < prev_end) ||
		    r->kind < IMG_PAGE_DATA || r->kind > IMG_PAGE_UNCAPTURED)
			return bad(im, "page map runs not sorted, overlapping or of an unknown kind");
		if (!covered_by_vmas(im, r->addr, end))
			return bad(im, "a page map run lies outside the VMAs");
		prev_end = end;
		if (r->kind == IMG_PAGE_DATA) {
			im->run_first[i] = next;
			next += r->npages;
		} else if (r->kind == IMG_PAGE_ZERO) {
			zero += r->npages;
		} else {
			unc += r->npages;
		}
	}
	pages = next;
	if (pages != im->h.nr_data_pages || zero != im->h.nr_zero_pages ||
	    unc != im->h.nr_uncaptured_pages)
		return bad(im, "the page map does not match the header's page counts");
	return 0;
}

static int check_inherit(struct img *im)
{
	uint32_t i;

	if (!(im->h.flags & IMG_F_INCREMENTAL) && im->nr_inherit)
		return bad(im, "a full image with inherited ranges");
	for (i = 0; i < im->nr_inherit; i++) {
		const struct img_range *r = &im->inherit[i];

		if (r->start >= r->end || !page_aligned(r->start) ||
		    !page_aligned(r->end) ||
		    (i && r->start < im->inherit[i - 1].end) ||
		    !covered_by_vmas(im, r->start, r->end))
			return bad(im, "inherited ranges not sorted, overlapping or outside the VMAs");
	}
	return 0;
}

/*
 * Note where data chunk @k is (the section at @off). Its contents are
 * checked when read; here only its place in the order and its size.
 */
static int list_chunk(struct img *im, uint64_t off, uint64_t k)
{
	struct img_section_header sh;
	uint64_t first = k * im->h.chunk_pages;
	uint64_t left = im->h.nr_data_pages - first;
	uint64_t np = left < im->h.chunk_pages ? left : im->h.chunk_pages;
	int err;

	if (k >= im->nr_chunks)
		return bad(im, "more data chunks than data pages");
	err = read_section(im, off, IMG_SEC_PAGES, &sh, NULL,
			   (uint64_t)im->h.chunk_pages * IMG_PAGE_SIZE);
	if (err)
		return err;
	if (sh.arg != first || sh.raw_len != np * IMG_PAGE_SIZE)
		return bad(im, "data chunks out of order or of the wrong size");
	im->chunks[k].off = off;
	return 0;
}

/* The metadata section of type @t at @off, read into @im (which then owns it). */
static int load_meta(struct img *im, uint64_t off, uint32_t t)
{
	struct img_section_header sh;
	void *p = NULL;
	int err;

	err = read_section(im, off, t, &sh, &p, IMG_MAX_META);
	if (err)
		return err;
	switch (t) {
	case IMG_SEC_VMAS:
		im->vmas = p;
		err = array_len(im, &sh, sizeof(struct img_vma), &im->nr_vmas);
		break;
	case IMG_SEC_THREADS:
		im->threads = p;
		im->threads_len = sh.raw_len;
		break;
	case IMG_SEC_PAGEMAP:
		im->runs = p;
		err = array_len(im, &sh, sizeof(struct img_run), &im->nr_runs);
		break;
	case IMG_SEC_INHERIT:
		im->inherit = p;
		err = array_len(im, &sh, sizeof(struct img_range), &im->nr_inherit);
		break;
	case IMG_SEC_REMOVED:
		im->removed = p;
		err = array_len(im, &sh, sizeof(struct img_vma), &im->nr_removed);
		break;
	case IMG_SEC_PROC:
		im->proc = p;
		im->proc_len = sh.raw_len;
		break;
	case IMG_SEC_FDS:
		im->fds = p;
		im->fds_len = sh.raw_len;
		break;
	case IMG_SEC_PARENT:
		im->parent_path = p;
		if (!sh.raw_len || ((char *)p)[sh.raw_len - 1] ||
		    strlen(p) + 1 != sh.raw_len || !*(char *)p)
			err = bad(im, "the parent path is malformed");
		break;
	}
	return err;
}

/* Decode and check the process state sections (image/state.c). */
static int load_state(struct img *im)
{
	const char *why;
	char what[160];
	int err;

	err = state_decode(im->proc, im->proc_len, im->fds, im->fds_len, im->h.nr_fds,
			   im->h.fds_total, im->h.fds_state, im->threads, im->threads_len,
			   &im->state, &why);
	if (err == -EBADMSG) {
		snprintf(what, sizeof(what), "process state: %s", why);
		return bad(im, what);
	}
	return err;
}

/* Load the table of contents and every metadata section. */
static int load_sections(struct img *im)
{
	struct img_section_header sh;
	struct img_toc_entry *toc = NULL;
	uint32_t i, n;
	bool seen[IMG_SEC_MAX + 1] = { false };
	uint64_t k;
	int err;

	err = read_section(im, im->h.toc_off, IMG_SEC_TOC, &sh, (void **)&toc,
			   IMG_MAX_META);
	if (err)
		return err;
	err = array_len(im, &sh, sizeof(*toc), &n);
	if (err)
		goto out;
	if (n != im->h.nr_sections) {
		err = bad(im, "the table of contents does not match the header");
		goto out;
	}
	im->nr_chunks = (im->h.nr_data_pages + im->h.chunk_pages - 1) / im->h.chunk_pages;
	if (im->h.nr_data_pages > im->file_size) {
		/* every stored page takes at least one byte */
		err = bad(im, "more data pages than the file can hold");
		goto out;
	}
	im->chunks = calloc(im->nr_chunks ? im->nr_chunks : 1, sizeof(*im->chunks));
	if (!im->chunks) {
		err = -ENOMEM;
		goto out;
	}
	k = 0;
	for (i = 0; i < n && !err; i++) {
		uint32_t t = toc[i].type;

		if (!t || t > IMG_SEC_MAX || t == IMG_SEC_TOC ||
		    (t != IMG_SEC_PAGES && seen[t])) {
			err = bad(im, "the table of contents lists an unknown or repeated section");
			break;
		}
		seen[t] = true;
		if (t == IMG_SEC_PAGES)
			err = list_chunk(im, toc[i].offset, k++);
		else
			err = load_meta(im, toc[i].offset, t);
	}
	if (err)
		goto out;
	if (k != im->nr_chunks) {
		err = bad(im, "data chunks are missing");
		goto out;
	}
	if (!seen[IMG_SEC_VMAS] || !seen[IMG_SEC_THREADS] || !seen[IMG_SEC_PAGEMAP]) {
		err = bad(im, "a required section (VMAs, threads or page map) is missing");
		goto out;
	}
	if (!!(im->h.flags & IMG_F_INCREMENTAL) != seen[IMG_SEC_PARENT]) {
		err = bad(im, "the parent section does not match the incremental flag");
		goto out;
	}
	if (!!(im->h.flags & IMG_F_STATE) != seen[IMG_SEC_PROC] ||
	    !!(im->h.flags & IMG_F_STATE) != seen[IMG_SEC_FDS]) {
		err = bad(im, "the process state sections do not match the state flag");
		goto out;
	}
	if (im->nr_vmas != im->h.nr_vmas) {
		err = bad(im, "the VMA count does not match the header");
		goto out;
	}
	err = check_vmas(im, im->vmas, im->nr_vmas);
	if (!err)
		err = check_threads(im);
	if (!err)
		err = check_runs(im);
	if (!err)
		err = check_inherit(im);
	if (!err && (im->h.flags & IMG_F_STATE))
		err = load_state(im);
out:
	free(toc);
	return err;
}

/* The parent's path: absolute as recorded, or relative to @im's directory. */
static char *parent_full_path(const struct img *im)
{
	char *copy, *dir, *out;

	if (im->parent_path[0] == '/')
		return strdup(im->parent_path);
	copy = strdup(im->path);
	if (!copy)
		return NULL;
	dir = dirname(copy);
	if (asprintf(&out, "%s/%s", dir, im->parent_path) < 0)
		out = NULL;
	free(copy);
	return out;
}

static int open_one(const char *path, int depth, struct img **out);

static int open_parent(struct img *im, int depth)
{
	char want[33], got[33];
	char *ppath;
	struct img *p = NULL;
	int err;

	if (depth >= IMG_MAX_DEPTH) {
		pr_err("%s: the parent chain is longer than %d images (a loop?)\n",
		       im->path, IMG_MAX_DEPTH);
		return -ELOOP;
	}
	ppath = parent_full_path(im);
	if (!ppath)
		return -ENOMEM;
	if (access(ppath, F_OK)) {
		err = -errno;
		pr_err("%s: its parent image %s is %s; an incremental image is readable only with its parent chain\n",
		       im->path, ppath, err == -ENOENT ? "missing" : strerror(-err));
		free(ppath);
		return err;
	}
	err = open_one(ppath, depth + 1, &p);
	if (err) {
		pr_err("%s: its parent image %s cannot be read (see above)\n", im->path, ppath);
		free(ppath);
		return err;
	}
	hex_bytes(im->h.parent_id, 16, want);
	hex_bytes(p->h.id, 16, got);
	if (memcmp(p->h.id, im->h.parent_id, 16)) {
		pr_err("%s: %s is not its parent: that file has image id %s, this image was taken against id %s (the parent was replaced or rewritten)\n",
		       im->path, ppath, got, want);
		err = -ESTALE;
	} else if (p->h.pid != im->h.pid) {
		pr_err("%s: its parent %s is a snapshot of process %u, not %u\n",
		       im->path, ppath, p->h.pid, im->h.pid);
		err = -ESTALE;
	} else if (p->h.depth + 1 != im->h.depth) {
		pr_err("%s: its parent %s has chain depth %u, expected %u\n",
		       im->path, ppath, p->h.depth, im->h.depth - 1);
		err = -ESTALE;
	} else {
		uint32_t i;

		for (i = 0; i < im->nr_inherit && !err; i++)
			if (!covered_by_vmas(p, im->inherit[i].start, im->inherit[i].end))
				err = bad(im, "a range it takes from its parent is not mapped there");
	}
	free(ppath);
	if (err) {
		img_close(p);
		return err;
	}
	im->parent = p;
	return 0;
}

static int open_one(const char *path, int depth, struct img **out)
{
	struct img *im = calloc(1, sizeof(*im));
	struct stat st;
	int err;

	if (!im)
		return -ENOMEM;
	im->fd = -1;
	im->cached = -1;
	im->path = strdup(path);
	if (!im->path) {
		err = -ENOMEM;
		goto fail;
	}
	im->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (im->fd < 0) {
		err = -errno;
		pr_err("cannot open %s: %s\n", path, strerror(-err));
		goto fail;
	}
	if (fstat(im->fd, &st)) {
		err = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		pr_err("%s: not a snapshot image (not a regular file)\n", path);
		err = -EPROTO;
		goto fail;
	}
	im->file_size = st.st_size;
	err = check_header(im);
	if (!err)
		err = load_sections(im);
	if (!err && (im->h.flags & IMG_F_INCREMENTAL))
		err = open_parent(im, depth);
	if (err)
		goto fail;
	*out = im;
	return 0;
fail:
	img_close(im);
	return err;
}

int img_open(const char *path, struct img **out)
{
	return open_one(path, 0, out);
}

void img_close(struct img *im)
{
	while (im) {
		struct img *parent = im->parent;

		if (im->fd >= 0)
			close(im->fd);
		free(im->path);
		free(im->vmas);
		free(im->threads);
		free(im->proc);
		free(im->fds);
		state_free(im->state);
		free(im->runs);
		free(im->run_first);
		free(im->inherit);
		free(im->removed);
		free(im->parent_path);
		free(im->chunks);
		free(im->dbuf);
		free(im->sbuf);
		free(im);
		im = parent;
	}
}

/* The run covering @addr, or NULL. */
static const struct img_run *find_run(const struct img *im, uint64_t addr,
				      uint32_t *idx)
{
	uint32_t lo = 0, hi = im->nr_runs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct img_run *r = &im->runs[mid];

		if (addr < r->addr)
			hi = mid;
		else if (addr >= r->addr + (uint64_t)r->npages * IMG_PAGE_SIZE)
			lo = mid + 1;
		else {
			*idx = mid;
			return r;
		}
	}
	return NULL;
}

static bool inherited(const struct img *im, uint64_t addr)
{
	uint32_t lo = 0, hi = im->nr_inherit;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (addr < im->inherit[mid].start)
			hi = mid;
		else if (addr >= im->inherit[mid].end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/*
 * Data chunk @k: its header checked as read_section() does (list_chunk()
 * did the rest at open), its payload read into buffers the image keeps
 * (sbuf for a compressed payload, dbuf for the pages: no allocation, no
 * page faults per chunk), checksummed, and decompressed when compressed.
 */
static int load_chunk(struct img *im, uint64_t k)
{
	const uint64_t max = (uint64_t)im->h.chunk_pages * IMG_PAGE_SIZE;
	uint64_t off = im->chunks[k].off;
	struct img_section_header sh;
	uint8_t *stored;
	int err;

	if (im->cached == (int64_t)k)
		return 0;
	im->cached = -1;
	if (!im->dbuf && !(im->dbuf = malloc(max)))
		return -ENOMEM;
	if (!im->sbuf && !(im->sbuf = malloc(LZ4_compressBound((int)max))))
		return -ENOMEM;
	err = read_at(im->fd, &sh, sizeof(sh), off);
	if (err)
		goto io;
	if (memcmp(sh.magic, IMG_SECTION_MAGIC, 8) || section_header_crc(&sh) != sh.header_crc ||
	    sh.type != IMG_SEC_PAGES || (sh.flags & ~IMG_SEC_LZ4) || sh.raw_len > max ||
	    sh.stored_len > (uint64_t)LZ4_compressBound((int)max) ||
	    sh.stored_len > im->file_size - off - sizeof(sh) ||
	    (!(sh.flags & IMG_SEC_LZ4) && sh.stored_len != sh.raw_len))
		return bad(im, "a data chunk's header changed since the image was opened");
	stored = (sh.flags & IMG_SEC_LZ4) ? im->sbuf : im->dbuf;
	err = read_at(im->fd, stored, sh.stored_len, off + sizeof(sh));
	if (err)
		goto io;
	if (journal_crc32c(0, stored, sh.stored_len) != sh.payload_crc) {
		pr_err("%s: the %s section at offset %llu fails its checksum (file corrupt)\n",
		       im->path, img_section_name(IMG_SEC_PAGES), (unsigned long long)off);
		return -EBADMSG;
	}
	if (sh.arg != k * im->h.chunk_pages)
		return bad(im, "a data chunk moved");
	if ((sh.flags & IMG_SEC_LZ4) &&
	    LZ4_decompress_safe((const char *)stored, (char *)im->dbuf, (int)sh.stored_len,
				(int)sh.raw_len) != (int)sh.raw_len) {
		pr_err("%s: the %s section at offset %llu does not decompress to its size\n",
		       im->path, img_section_name(IMG_SEC_PAGES), (unsigned long long)off);
		return -EBADMSG;
	}
	im->cached = k;
	return 0;
io:
	if (err == -EBADMSG)
		pr_err("%s: truncated in the %s section at offset %llu\n",
		       im->path, img_section_name(IMG_SEC_PAGES), (unsigned long long)off);
	else
		pr_err("%s: read error: %s\n", im->path, strerror(-err));
	return err;
}

int img_page(struct img *im, uint64_t addr, void *buf, struct img **from)
{
	while (im) {
		const struct img_run *r;
		uint32_t i;

		if (!img_find_vma(im, addr))
			return -EIO;
		r = find_run(im, addr, &i);
		if (r) {
			if (from)
				*from = im;
			if (r->kind == IMG_PAGE_DATA && buf) {
				uint64_t g = im->run_first[i] + (addr - r->addr) / IMG_PAGE_SIZE;
				int err = load_chunk(im, g / im->h.chunk_pages);

				if (err)
					return err;
				memcpy(buf, im->dbuf + (g % im->h.chunk_pages) * IMG_PAGE_SIZE,
				       IMG_PAGE_SIZE);
			}
			return r->kind;
		}
		if (!(im->h.flags & IMG_F_INCREMENTAL) || !inherited(im, addr)) {
			if (from)
				*from = im;
			return IMG_PAGE_ZERO;
		}
		im = im->parent;
	}
	return -EIO;	/* not reached: an incremental image has a parent */
}

ssize_t img_pread(struct img *im, void *buf, size_t len, uint64_t addr)
{
	uint8_t page[IMG_PAGE_SIZE];
	size_t done = 0;
	int err = 0;

	while (done < len) {
		uint64_t base = addr & ~(uint64_t)(IMG_PAGE_SIZE - 1);
		size_t off = addr - base, n = IMG_PAGE_SIZE - off;
		int kind;

		if (n > len - done)
			n = len - done;
		kind = img_page(im, base, page, NULL);
		if (kind < 0) {
			err = kind;
			break;
		}
		if (kind == IMG_PAGE_UNCAPTURED) {
			err = -ENODATA;
			break;
		}
		if (kind == IMG_PAGE_ZERO)
			memset((char *)buf + done, 0, n);
		else
			memcpy((char *)buf + done, page + off, n);
		done += n;
		addr += n;
		if (!addr)
			break;		/* wrapped around the address space */
	}
	return done ? (ssize_t)done : err;
}

/* The index of the first run of @im that ends after @addr. */
static uint32_t first_run_after(const struct img *im, uint64_t addr)
{
	uint32_t lo = 0, hi = im->nr_runs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct img_run *r = &im->runs[mid];

		if (r->addr + (uint64_t)r->npages * IMG_PAGE_SIZE <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int walk_gap(struct img *im, uint64_t a, uint64_t b, img_walk_fn fn, void *arg)
{
	uint32_t i = 0;
	int err;

	if (!im->parent)
		return fn(arg, im, a, (b - a) / IMG_PAGE_SIZE, IMG_PAGE_ZERO);
	while (i < im->nr_inherit && im->inherit[i].end <= a)
		i++;
	while (a < b) {
		const struct img_range *r = i < im->nr_inherit ? &im->inherit[i] : NULL;
		uint64_t e;

		if (r && r->start <= a) {
			e = r->end < b ? r->end : b;
			err = img_walk(im->parent, a, e, fn, arg);
			i++;
		} else {
			e = r && r->start < b ? r->start : b;
			err = fn(arg, im, a, (e - a) / IMG_PAGE_SIZE, IMG_PAGE_ZERO);
		}
		if (err)
			return err;
		a = e;
	}
	return 0;
}

int img_walk(struct img *im, uint64_t start, uint64_t end, img_walk_fn fn, void *arg)
{
	uint32_t i = first_run_after(im, start);
	uint64_t a = start;
	int err;

	while (a < end) {
		const struct img_run *r = i < im->nr_runs ? &im->runs[i] : NULL;
		uint64_t e;

		if (r && r->addr <= a) {
			uint64_t re = r->addr + (uint64_t)r->npages * IMG_PAGE_SIZE;

			e = re < end ? re : end;
			err = fn(arg, im, a, (e - a) / IMG_PAGE_SIZE, r->kind);
			i++;
		} else {
			e = r && r->addr < end ? r->addr : end;
			err = walk_gap(im, a, e, fn, arg);
		}
		if (err)
			return err;
		a = e;
	}
	return 0;
}

int img_data_ptr(struct img *im, uint64_t addr, uint64_t npages, const void **p,
		 uint64_t *n)
{
	uint32_t i;
	const struct img_run *r = find_run(im, addr, &i);
	uint64_t g, o;
	int err;

	if (!r || r->kind != IMG_PAGE_DATA || !npages ||
	    addr + npages * IMG_PAGE_SIZE > r->addr + (uint64_t)r->npages * IMG_PAGE_SIZE)
		return -EINVAL;
	g = im->run_first[i] + (addr - r->addr) / IMG_PAGE_SIZE;
	err = load_chunk(im, g / im->h.chunk_pages);
	if (err)
		return err;
	o = g % im->h.chunk_pages;
	*p = im->dbuf + o * IMG_PAGE_SIZE;
	*n = im->h.chunk_pages - o < npages ? im->h.chunk_pages - o : npages;
	return 0;
}

int img_data(struct img *im, uint64_t addr, uint64_t npages, void *buf)
{
	uint32_t i;
	const struct img_run *r = find_run(im, addr, &i);
	uint64_t g;

	if (!r || r->kind != IMG_PAGE_DATA ||
	    addr + npages * IMG_PAGE_SIZE > r->addr + (uint64_t)r->npages * IMG_PAGE_SIZE)
		return -EINVAL;
	g = im->run_first[i] + (addr - r->addr) / IMG_PAGE_SIZE;
	for (uint64_t k = 0; k < npages; ) {
		uint64_t c = (g + k) / im->h.chunk_pages, o = (g + k) % im->h.chunk_pages;
		uint64_t n = im->h.chunk_pages - o;
		int err = load_chunk(im, c);

		if (err)
			return err;
		if (n > npages - k)
			n = npages - k;
		memcpy((char *)buf + k * IMG_PAGE_SIZE, im->dbuf + o * IMG_PAGE_SIZE,
		       n * IMG_PAGE_SIZE);
		k += n;
	}
	return 0;
}

int img_verify(struct img *im)
{
	int ret = 0;

	for (; im; im = im->parent) {
		uint64_t k;

		for (k = 0; k < im->nr_chunks; k++) {
			int err = load_chunk(im, k);

			if (err == -ENOMEM)
				return err;
			if (err && !ret)
				ret = err;
		}
	}
	return ret;
}

const struct img_state *img_state(const struct img *im)
{
	return im->state;
}

const struct img_fd *img_fds(const struct img *im, uint32_t *nr)
{
	*nr = im->state ? im->state->nr_fds : 0;
	return im->state ? im->state->fds : NULL;
}

const struct img_thread_state *img_thread_state(const struct img *im, uint32_t tid)
{
	uint32_t i;

	if (!im->state)
		return NULL;
	for (i = 0; i < im->state->nr_threads; i++)
		if (im->state->threads[i].tid == tid)
			return &im->state->threads[i];
	return NULL;
}
