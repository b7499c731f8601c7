/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording is a directory: "journal" (format/journal.h, records as in
 * bpf/record.h, read and written by format/records.h), "meta" (key=value lines: what was recorded, where, when,
 * by which ttrec; the recorder appends the end_* keys when it finishes),
 * and, with attach --snapshot-interval, snapshot images snap-NNNN.img
 * (image/image.h), each noted by a "snapshot=" line in meta. `record` adds
 * the launch facts replay needs (format/launch.h, Documentation/replay.rst):
 * "launch=" and the keys after it in meta, "argv" and "env" (NUL-separated
 * strings) and "execs" (one line per later exec).
 */
#ifndef TTREC_FORMAT_RECORDING_H
#define TTREC_FORMAT_RECORDING_H

#include <stddef.h>

#define RECORDING_JOURNAL	"journal"
#define RECORDING_META		"meta"

/*
 * Create the directory @dir (it may exist if empty) and write "meta" with
 * @target (a description), @argv (the command line or NULL) and the
 * machine facts. Return: 0 or -errno (message printed).
 */
int recording_create(const char *dir, const char *target, int pid,
		     char *const *argv);
/* Append "key=value\n" lines to DIR/meta. Return: 0 or -errno. */
int recording_meta_append(const char *dir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The value of @key in DIR/meta (the last one), into @buf; 0 or -errno. */
int recording_meta_get(const char *dir, const char *key, char *buf, size_t len);

#endif
