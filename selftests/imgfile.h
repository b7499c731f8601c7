/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Image surgery for the tests of damaged and older images: an image file
 * loaded whole, its header and sections changed (with good checksums, so
 * the reader's other checks are what refuse it), written back.
 */
#ifndef TTREC_SELFTESTS_IMGFILE_H
#define TTREC_SELFTESTS_IMGFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lz4.h>

#include "format/journal.h"
#include "image/image.h"

/* An image file in memory, to be changed and written back. */
struct imgfile {
	uint8_t *p;
	size_t len;
	struct img_header h;
	struct img_toc_entry *toc;
	uint32_t ntoc;
};

static inline int imgfile_load(const char *path, struct imgfile *f)
{
	struct img_section_header sh;
	FILE *fp = fopen(path, "r");
	long n;

	memset(f, 0, sizeof(*f));
	if (!fp)
		return -1;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	f->p = malloc(n);
	if (!f->p || fread(f->p, 1, n, fp) != (size_t)n) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	f->len = n;
	memcpy(&f->h, f->p, sizeof(f->h));
	memcpy(&sh, f->p + f->h.toc_off, sizeof(sh));
	f->ntoc = sh.raw_len / sizeof(*f->toc);
	f->toc = malloc(sh.raw_len);
	memcpy(f->toc, f->p + f->h.toc_off + sizeof(sh), sh.raw_len);
	return 0;
}

static inline int imgfile_save(const char *path, struct imgfile *f)
{
	FILE *fp = fopen(path, "w");
	int ok;

	f->h.header_crc = journal_crc32c(0, &f->h, offsetof(struct img_header, header_crc));
	memcpy(f->p, &f->h, sizeof(f->h));
	ok = fp && fwrite(f->p, 1, f->len, fp) == f->len;
	if (fp)
		fclose(fp);
	return ok ? 0 : -1;
}

static inline void imgfile_free(struct imgfile *f)
{
	free(f->p);
	free(f->toc);
}

/* The offset of the section of @type, or 0. */
static inline uint64_t imgfile_find(const struct imgfile *f, uint32_t type)
{
	uint32_t i;

	for (i = 0; i < f->ntoc; i++)
		if (f->toc[i].type == type)
			return f->toc[i].offset;
	return 0;
}

/* The raw payload of the section at @off (decompressed), malloc()ed. */
static inline uint8_t *imgfile_payload(const struct imgfile *f, uint64_t off, size_t *len)
{
	struct img_section_header sh;
	uint8_t *raw;

	memcpy(&sh, f->p + off, sizeof(sh));
	raw = malloc(sh.raw_len + 1);
	*len = sh.raw_len;
	if (!(sh.flags & IMG_SEC_LZ4))
		memcpy(raw, f->p + off + sizeof(sh), sh.raw_len);
	else if (LZ4_decompress_safe((const char *)f->p + off + sizeof(sh), (char *)raw,
				     sh.stored_len, sh.raw_len) != (int)sh.raw_len)
		return NULL;
	return raw;
}

/* Append a section (uncompressed, good checksums); its offset. */
static inline uint64_t imgfile_append(struct imgfile *f, uint32_t type, const void *data, size_t len)
{
	struct img_section_header sh = { .type = type, .raw_len = len, .stored_len = len };
	uint64_t off = f->len;

	memcpy(sh.magic, IMG_SECTION_MAGIC, 8);
	sh.payload_crc = journal_crc32c(0, data, len);
	sh.header_crc = journal_crc32c(0, &sh, sizeof(sh));
	f->p = realloc(f->p, f->len + sizeof(sh) + len);
	memcpy(f->p + f->len, &sh, sizeof(sh));
	memcpy(f->p + f->len + sizeof(sh), data, len);
	f->len += sizeof(sh) + len;
	return off;
}

/* Replace the section of @type (or drop it when @data is NULL), and the TOC. */
static inline void imgfile_replace(struct imgfile *f, uint32_t type, const void *data, size_t len)
{
	uint32_t i, k = 0;

	for (i = 0; i < f->ntoc; i++) {
		if (f->toc[i].type == type) {
			if (!data)
				continue;
			f->toc[i].offset = imgfile_append(f, type, data, len);
		}
		f->toc[k++] = f->toc[i];
	}
	f->ntoc = k;
	f->h.nr_sections = k;
	f->h.toc_off = imgfile_append(f, IMG_SEC_TOC, f->toc, k * sizeof(*f->toc));
}

/*
 * Make @f an image without the process state, as a module without
 * TTREC_FEATURE_SNAP_STATE gave it: no state sections, no STATE flag. (The
 * thread records keep their state notes, which readers then ignore.)
 */
static inline void imgfile_drop_state(struct imgfile *f)
{
	imgfile_replace(f, IMG_SEC_PROC, NULL, 0);
	imgfile_replace(f, IMG_SEC_FDS, NULL, 0);
	f->h.flags &= ~IMG_F_STATE;
	f->h.nr_fds = f->h.fds_total = f->h.fds_state = 0;
}

/*
 * Make @f what a format version 1 writer wrote: no process state sections,
 * only the flags version 1 had.
 */
static inline void imgfile_make_v1(struct imgfile *f)
{
	imgfile_drop_state(f);
	f->h.version = 1;
	f->h.flags &= IMG_F_ALL_V1;
}

#endif
