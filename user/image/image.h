/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshot images: a process snapshot (ttrec.ko's TTREC_IOC_SNAPSHOT, or
 * one taken with ptrace without the module, capture/) written to a file. Documentation/snapshot.rst describes the format; this
 * header is its reference and the reader/writer API.
 *
 * A file is a header, then sections, each with its own header and CRC32C
 * checksums (the journal's CRC32C): LZ4-compressed chunks of page data, the
 * VMAs, the threads (registers as regset notes), a page map (which address
 * holds which page, which pages are zero or not captured), and, for an
 * incremental image, the ranges whose pages come from the parent image, the
 * parent's path and the VMAs the parent had that are gone, and (format
 * version 2, IMG_F_STATE) the process state a restore needs beyond memory
 * and registers: the process's own (PROC), its descriptors (FDS) and each
 * thread's (state notes in the thread records), as the module's
 * TTREC_IOC_SNAP_PROC, TTREC_IOC_SNAP_FDS and TTREC_IOC_SNAP_THREADS give
 * them or state/ gathers them (image/state.h decodes them). A table of contents ends the file;
 * the header, written last, points to it.
 *
 * Resolving one page at address A of image I:
 *   - A in no VMA of I: not mapped (EIO, as a snapshot fd);
 *   - a page-map run of I covers A: its kind (data, zero, not captured);
 *   - I is incremental and A is in one of its inherited ranges: resolve A
 *     in the parent image;
 *   - otherwise: zero (an anonymous page never populated).
 * The writer lists every not-captured page outside inherited ranges.
 */
#ifndef TTREC_IMAGE_H
#define TTREC_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/ttrec.h>

#include "image/state.h"

#define IMG_MAGIC		"TTRECIMG"	/* 8 bytes, no NUL */
#define IMG_SECTION_MAGIC	"TTRISECT"
#define IMG_FORMAT_VERSION	2		/* VMA kinds, module-less, state */
#define IMG_FORMAT_VERSION_MIN	1		/* oldest one info and dump read;
						 * restore needs 2 */
#define IMG_PAGE_SIZE		4096U
#define IMG_CHUNK_PAGES		256U		/* pages per data chunk (1 MiB) */
#define IMG_MAX_DEPTH		512		/* parents an image may have */
#define IMG_PATH_MAX		256		/* as TTREC_SNAP_PATH_MAX */

/* img_header.flags */
#define IMG_F_INCREMENTAL	(1U << 0)	/* has a parent */
#define IMG_F_KERNEL_DIFF	(1U << 1)	/* changes found by TTREC_IOC_SNAP_DIFF */
/* version 2: */
#define IMG_F_PTRACE		(1U << 2)	/* taken without ttrec.ko: threads
						 * stopped with ptrace while the
						 * memory was copied */
#define IMG_F_VMA_KINDS		(1U << 3)	/* VMA flags name the vDSO and the
						 * advice (TTREC_FEATURE_VMA_KINDS) */
#define IMG_F_STATE		(1U << 4)	/* holds the process state */
#define IMG_F_ALL_V1		(IMG_F_INCREMENTAL | IMG_F_KERNEL_DIFF)
#define IMG_F_ALL		(IMG_F_ALL_V1 | IMG_F_PTRACE | IMG_F_VMA_KINDS | \
				 IMG_F_STATE)

/* How the kernel held the snapshot's pages (struct ttrec_snap_counts). */
struct img_counts {
	uint64_t pages_shared;
	uint64_t pages_copied_pinned;
	uint64_t pages_copied_huge;
	uint64_t pages_copied_shared;
	uint64_t pages_copied_swap;
	uint64_t pages_skipped_special;
};

/* At offset 0; all integers little-endian. */
struct img_header {
	char magic[8];			/* IMG_MAGIC */
	uint32_t version;		/* IMG_FORMAT_VERSION */
	uint32_t header_size;		/* sizeof(struct img_header) */
	uint32_t flags;			/* IMG_F_*; unknown bits: refused */
	uint32_t page_size;		/* IMG_PAGE_SIZE */
	uint8_t id[16];			/* random, unique to this image */
	uint8_t parent_id[16];		/* the parent's id; 0 when full */
	uint32_t pid;			/* target tgid */
	uint32_t nr_vmas;
	uint32_t nr_threads;
	uint32_t chunk_pages;		/* pages per data chunk (last: fewer) */
	char comm[16];			/* target comm, NUL-terminated */
	uint64_t snap_id;		/* the kernel's snapshot id */
	uint64_t taken_ns;		/* CLOCK_MONOTONIC of the snapshot */
	uint64_t taken_realtime_ns;	/* the same instant, CLOCK_REALTIME */
	uint64_t pause_ns;		/* how long the target was held */
	uint64_t pages_held;		/* pages the kernel snapshot held */
	struct img_counts counts;
	uint64_t nr_data_pages;		/* pages stored in data chunks */
	uint64_t nr_zero_pages;		/* pages of zero runs */
	uint64_t nr_uncaptured_pages;	/* pages of not-captured runs */
	uint64_t data_bytes_stored;	/* data chunk payload bytes in the file */
	uint64_t toc_off;		/* file offset of the TOC section */
	uint32_t depth;			/* parents in the chain; 0 when full */
	uint32_t nr_sections;		/* sections the TOC lists */
	/* version 2, with IMG_F_STATE (else 0): */
	uint32_t nr_fds;		/* records in the FDS section */
	uint32_t fds_total;		/* descriptors the table held */
	uint32_t fds_state;		/* TTREC_FDS_* */
	uint8_t reserved[16];		/* written 0, ignored */
	uint32_t header_crc;		/* CRC32C of the 252 bytes above */
};

/* Section types */
#define IMG_SEC_TOC		1	/* struct img_toc_entry[] */
#define IMG_SEC_VMAS		2	/* struct img_vma[] */
#define IMG_SEC_THREADS		3	/* the TTREC_IOC_SNAP_THREADS byte stream */
#define IMG_SEC_PAGEMAP		4	/* struct img_run[], sorted */
#define IMG_SEC_INHERIT		5	/* struct img_range[], sorted */
#define IMG_SEC_REMOVED		6	/* struct img_vma[]: the parent's, gone */
#define IMG_SEC_PARENT		7	/* parent path, NUL-terminated */
#define IMG_SEC_PAGES		8	/* page data; arg: index of its first page */
#define IMG_SEC_PROC		9	/* the TTREC_IOC_SNAP_PROC note stream */
#define IMG_SEC_FDS		10	/* the TTREC_IOC_SNAP_FDS record stream */
#define IMG_SEC_MAX		10

/* Section flags */
#define IMG_SEC_LZ4		(1U << 0)	/* payload is one LZ4 block */

/* Each section: this header, then stored_len bytes of payload. */
struct img_section_header {
	char magic[8];			/* IMG_SECTION_MAGIC */
	uint32_t type;			/* IMG_SEC_* */
	uint32_t flags;			/* IMG_SEC_LZ4 or 0 */
	uint64_t raw_len;		/* payload bytes after decompression */
	uint64_t stored_len;		/* payload bytes in the file */
	uint64_t arg;			/* IMG_SEC_PAGES: first page index */
	uint32_t payload_crc;		/* CRC32C of the stored payload */
	uint32_t header_crc;		/* CRC32C of this header, this field 0 */
};

struct img_toc_entry {
	uint32_t type;			/* IMG_SEC_* */
	uint32_t reserved;		/* 0 */
	uint64_t offset;		/* of the section header */
};

/* A VMA, as TTREC_IOC_SNAP_VMAS reports it (flags: TTREC_VMA_*). */
struct img_vma {
	uint64_t start;
	uint64_t end;
	uint64_t offset;
	uint64_t dev;
	uint64_t ino;
	uint32_t prot;
	uint32_t flags;
	uint64_t pages_held;
	char path[IMG_PATH_MAX];	/* NUL-terminated; "" when anonymous */
};

/* img_run.kind; also what img_page() returns */
#define IMG_PAGE_DATA		1	/* stored in a data chunk */
#define IMG_PAGE_ZERO		2	/* all zeroes */
#define IMG_PAGE_UNCAPTURED	3	/* not captured: file contents or special */

/*
 * Consecutive pages of one kind. Data runs take their pages from the data
 * chunks in order: the first data run starts at page index 0, each next one
 * where the previous one ended.
 */
struct img_run {
	uint64_t addr;
	uint32_t npages;
	uint32_t kind;			/* IMG_PAGE_* */
};

struct img_range {
	uint64_t start;
	uint64_t end;
};

_Static_assert(sizeof(struct img_header) == 256, "image header layout");
_Static_assert(sizeof(struct img_section_header) == 48, "section header layout");
_Static_assert(sizeof(struct img_toc_entry) == 16, "toc entry layout");
_Static_assert(sizeof(struct img_vma) == 312, "vma layout");
_Static_assert(sizeof(struct img_run) == 16, "run layout");
_Static_assert(sizeof(struct img_range) == 16, "range layout");

/* ------------------------------------------------------------- reader */

struct img_chunk;

/* An open image and, once resolved, its parents. Read-only after open. */
struct img {
	char *path;
	int fd;
	uint64_t file_size;
	struct img_header h;
	struct img_vma *vmas;
	uint32_t nr_vmas;
	uint8_t *threads;		/* the SNAP_THREADS stream */
	size_t threads_len;
	uint8_t *proc;			/* the SNAP_PROC stream (IMG_F_STATE) */
	size_t proc_len;
	uint8_t *fds;			/* the SNAP_FDS stream (IMG_F_STATE) */
	size_t fds_len;
	struct img_state *state;	/* decoded; NULL without IMG_F_STATE */
	struct img_run *runs;
	uint64_t *run_first;		/* data runs: index of their first page */
	uint32_t nr_runs;
	struct img_range *inherit;
	uint32_t nr_inherit;
	struct img_vma *removed;
	uint32_t nr_removed;
	char *parent_path;		/* as recorded */
	struct img *parent;		/* resolved; NULL for a full image */
	struct img_chunk *chunks;	/* data chunks by index */
	uint64_t nr_chunks;
	/* one data chunk, checked: its pages in dbuf (sbuf: as stored) */
	int64_t cached;
	uint8_t *dbuf, *sbuf;
};

/*
 * Open the image @path, check its header, table of contents and metadata
 * sections (magic, version, checksums, consistency) and, if it is
 * incremental, open its parent chain (a relative parent path is taken from
 * @path's directory) and check each parent is the one recorded (id, pid).
 * Every refusal is explained with pr_err. Return: 0 or -errno: -EPROTO (not
 * an image, another format version), -EBADMSG (corrupt), -ENOENT (the file
 * or a parent is missing), -ESTALE (a parent is not the recorded one).
 */
int img_open(const char *path, struct img **out);
void img_close(struct img *im);		/* and its parents; NULL is fine */

/* The VMA of @im holding @addr, or NULL. */
const struct img_vma *img_find_vma(const struct img *im, uint64_t addr);

/*
 * What the page at @addr (page aligned) holds in @im, its chain resolved:
 * IMG_PAGE_DATA (its bytes in @buf when @buf is not NULL), IMG_PAGE_ZERO,
 * IMG_PAGE_UNCAPTURED, or -EIO (no VMA), -EBADMSG (a corrupt chunk,
 * reported). *@from (when not NULL) gets the image in the chain that holds
 * the answer.
 */
int img_page(struct img *im, uint64_t addr, void *buf, struct img **from);

/*
 * Call @fn for the pieces of [@start, @end) (page aligned, mapped in @im)
 * in address order, each of one kind (IMG_PAGE_*), the chain resolved:
 * @from is the image whose run or implicit zeroes answer for the piece
 * (img_data() reads a data piece from it). A non-zero return of @fn stops
 * the walk and is returned.
 */
typedef int (*img_walk_fn)(void *arg, struct img *from, uint64_t addr,
			   uint64_t npages, int kind);
int img_walk(struct img *im, uint64_t start, uint64_t end, img_walk_fn fn, void *arg);
/*
 * The @npages data pages at @addr of @im itself (one data run of it holds
 * them all: a piece img_walk() gave) into @buf. 0, -EINVAL, or -EBADMSG.
 */
int img_data(struct img *im, uint64_t addr, uint64_t npages, void *buf);
/*
 * The same without a copy: *@p gets the first of those pages in @im's
 * checked chunk cache, *@n how many follow there (at least 1, at most
 * @npages: a chunk ends). Valid until the next read of @im's data.
 */
int img_data_ptr(struct img *im, uint64_t addr, uint64_t npages, const void **p,
		 uint64_t *n);

/*
 * Read @len bytes of the target's memory at @addr as a snapshot fd's
 * pread(): a short count at the first byte it cannot return, or -EIO (not
 * mapped), -ENODATA (not captured), -EBADMSG when that is the first byte.
 */
ssize_t img_pread(struct img *im, void *buf, size_t len, uint64_t addr);

/*
 * Check every data chunk's checksums and that it decompresses, in @im and
 * its parents. Return: 0 or -EBADMSG (each bad chunk reported) / -errno.
 */
int img_verify(struct img *im);

/*
 * The process state of @im (image/state.h), decoded and checked when the
 * image was opened, or NULL when the image has none (format version 1, or
 * a snapshot by a module without TTREC_FEATURE_SNAP_STATE): such an image
 * cannot be restored. Each image of a chain holds the whole state of its
 * own instant.
 */
const struct img_state *img_state(const struct img *im);
/* Its descriptors, in descriptor order (*@nr of them); NULL without state. */
const struct img_fd *img_fds(const struct img *im, uint32_t *nr);
/* The state of thread @tid; NULL without state or without such a thread. */
const struct img_thread_state *img_thread_state(const struct img *im, uint32_t tid);

/* Size and checksum checks on one section; for tests and tools. */
const char *img_section_name(uint32_t type);
const char *img_page_kind_name(int kind);

/* ------------------------------------------------------------- writer */

/*
 * What the writer asks of a snapshot, whoever took it: ttrec.ko (a
 * snapshot fd, source.c) or ptrace with the threads stopped (capture/).
 */
struct img_snap_facts {
	uint32_t pid;			/* target tgid */
	uint32_t flags;			/* IMG_F_PTRACE, IMG_F_VMA_KINDS */
	uint64_t snap_id;
	uint64_t taken_ns;		/* CLOCK_MONOTONIC */
	uint64_t pause_ns;		/* final once release() returned */
	uint64_t pages_held;
	struct img_counts counts;
};

/*
 * The process state an image holds (IMG_F_STATE): the streams of
 * TTREC_IOC_SNAP_PROC and TTREC_IOC_SNAP_FDS (or proc_state_gather()'s),
 * with the counts of the descriptor table. The thread notes travel in the
 * THREADS stream.
 */
struct img_state_streams {
	uint8_t *proc;
	size_t proc_len;
	uint8_t *fds;
	size_t fds_len;
	uint32_t nr_fds;		/* records in @fds */
	uint32_t fds_total;		/* descriptors the table held */
	uint32_t fds_state;		/* TTREC_FDS_* */
};

struct img_source {
	/*
	 * The facts, the VMAs (sorted, malloc()ed), the threads (the
	 * TTREC_IOC_SNAP_THREADS stream, malloc()ed). 0 or -errno, printed.
	 */
	int (*describe)(struct img_source *src, struct img_snap_facts *f,
			struct img_vma **vmas, uint32_t *nvmas,
			uint8_t **threads, size_t *threads_len, uint32_t *nthreads);
	/*
	 * Read @n pages at @addr (inside one VMA) into @buf; kinds[i] gets 1
	 * for a page read (zero or not), IMG_PAGE_UNCAPTURED for one not
	 * captured. 0 or -errno, printed.
	 */
	int (*read)(struct img_source *src, uint64_t addr, uint32_t n,
		    uint8_t *buf, uint8_t *kinds);
	/*
	 * Optional: the pages that changed since the parent snapshot, as
	 * sorted TTREC_DIFF_PAGES ranges (malloc()ed), *@changed pages.
	 * -ENOTTY when the source cannot tell (contents are compared).
	 */
	int (*diff)(struct img_source *src, struct ttrec_snap_range **out,
		    uint32_t *n, uint64_t *changed);
	/*
	 * Optional: every page has been read; let the target go. May update
	 * f->pause_ns.
	 */
	void (*release)(struct img_source *src, struct img_snap_facts *f);
	/*
	 * Optional: the process state (malloc()ed streams in @ss); the
	 * threads' state notes are then in describe()'s threads stream.
	 * -ENOTTY when the source has none: the image has none. 0 or -errno,
	 * printed.
	 */
	int (*state)(struct img_source *src, struct img_state_streams *ss);
};

/* source.c: a ttrec.ko snapshot fd as a source. */
struct img_source_fd {
	struct img_source src;
	int snapfd;
	int parent_snapfd;
	uint64_t features;
};

/*
 * Make @s read the ttrec.ko snapshot @snapfd (and diff against
 * @parent_snapfd when it is >= 0). @features: the module's
 * (TTREC_FEATURE_VMA_KINDS makes IMG_F_VMA_KINDS, TTREC_FEATURE_SNAP_STATE
 * IMG_F_STATE). Return: &s->src.
 */
struct img_source *img_source_snapfd(struct img_source_fd *s, int snapfd,
				     int parent_snapfd, uint64_t features);

struct img_write_opts {
	const char *path;	/* must not exist */
	struct img_source *src;	/* the snapshot; or, when NULL: */
	int snapfd;		/* the ttrec.ko snapshot to write; its process
				 * state is written when the module has
				 * TTREC_FEATURE_SNAP_STATE */
	const char *comm;	/* target comm, or NULL */
	const uint8_t *id;	/* the image id (16 bytes), or NULL: a random one */
	/* incremental: */
	struct img *parent;	/* the parent image, opened with img_open() */
	const char *parent_ref;	/* the parent path to record */
	int parent_snapfd;	/* the parent's snapshot fd, or -1 */
	uint64_t features;	/* with snapfd: the module's features */
};

struct img_write_stats {
	uint64_t data_pages;		/* pages stored */
	uint64_t zero_pages;		/* listed as zero */
	uint64_t uncaptured_pages;	/* listed as not captured */
	uint64_t data_bytes_stored;	/* compressed page bytes */
	uint64_t file_bytes;
	uint64_t pages_scanned;		/* pages read from the snapshot */
	uint64_t diff_pages;		/* kernel diff: pages it reported changed */
	bool kernel_diff;		/* changes came from TTREC_IOC_SNAP_DIFF */
	double seconds;
	struct img_header h;		/* the header written */
};

/*
 * Write the snapshot @o->src (or the snapshot fd @o->snapfd) to the new
 * file @o->path: the whole memory or, with @o->parent, what changed since
 * the parent (from the source's diff, TTREC_IOC_SNAP_DIFF against
 * @o->parent_snapfd, when it has one, else by comparing contents with the
 * parent image). The source is released once its pages are read. Written to PATH.tmp, synced, then linked to PATH, so PATH
 * is either absent or complete. Return: 0 or -errno (message printed).
 */
int img_write(const struct img_write_opts *o, struct img_write_stats *st);

/* ---------------------------------------------------------- snapshots */

/*
 * Open /dev/ttrec (requiring TTREC_FEATURE_SNAPSHOT) and a session on @pid.
 * Every failure is explained (@what prefixes the messages: "snapshot",
 * "--snapshot-interval"), a missing module in words a user can act on.
 * Return: 0 with *devfd, *sfd and *features set, or -errno.
 */
int snap_session_open(const char *what, int pid, int *devfd, int *sfd,
		      uint64_t *features);
/* Its two steps: /dev/ttrec with snapshots (0 or -errno, printed)... */
int snap_dev_open(const char *what, int *devfd, uint64_t *features);
/* ...and a session on @pid: its fd, or -errno (printed). */
int snap_session_attach(const char *what, int devfd, int pid);
/*
 * TTREC_IOC_SNAPSHOT on the session @sfd. Return: the snapshot fd, or
 * -errno with the reason printed when @verbose.
 */
int snap_take(int sfd, bool verbose);
/* The target's comm from /proc, into @buf (16 bytes); "" if unknown. */
void snap_comm(int pid, char *buf, size_t len);

/* Periodic snapshots into a recording directory (attach, record). */
struct snap_series;
/*
 * Check the module and open a session on @pid, or with @pid 0 only check
 * the module (snap_series_attach() later); 0 or -errno (printed).
 */
int snap_series_open(int pid, double interval_s, struct snap_series **out);
/* A series opened without a pid: the session on @pid. 0 or -errno (printed). */
int snap_series_attach(struct snap_series *s, int pid);
/* Where the images go (the recording directory); notes it in its meta. */
void snap_series_set_dir(struct snap_series *s, const char *dir);
/* The recorder's periodic hook: starts and collects snapshots. */
void snap_series_tick(void *series);
/*
 * The image of the snapshot that thread @parker took (or is taking): its
 * file name (in the recording directory) into @name and its image id into
 * @id. Return: false if @parker took none of the last few.
 */
bool snap_series_image(void *series, uint32_t parker, char *name, size_t len,
		       uint8_t id[16]);
/*
 * At the end of the recording, while the target is still traced: start no
 * new snapshot; true while one is still being taken or written (so that
 * its place in the journal is recorded), false once none is.
 */
bool snap_series_settle(void *series);
/* Wait for the snapshot in progress, note the totals, free @s (NULL ok). */
int snap_series_finish(struct snap_series *s);

/* ----------------------------------------------------------- commands */

/* The first operand of a dump/info command line when it is an image file. */
bool img_cmdline_is_image(int argc, char **argv);
int cmd_info_image(int argc, char **argv);
int cmd_dump_image(int argc, char **argv);
/* show_state.c: the process state in a few lines (info), or all of it (dump) */
void state_print_summary(FILE *f, const struct img *im);
void state_print(FILE *f, const struct img *im);
/* A socket address of the image (@len bytes) as text: "127.0.0.1:80",
 * "[::1]:80", "unix:/path", "unix:@abstract", "unix:unnamed". @buf. */
#define STATE_SOCKADDR_STR	160
const char *state_sockaddr_str(char *buf, size_t n, const uint8_t *a, uint32_t len);

#endif
