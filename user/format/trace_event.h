/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A writer of the Chrome trace-event JSON format (the "JSON Object
 * Format": {"traceEvents": [...], "displayTimeUnit": "ns"}), which
 * ui.perfetto.dev and chrome://tracing open. Streamed: each event is
 * written as it is given, one per line, so memory does not grow with the
 * trace.
 *
 * Times are given in ns of CLOCK_MONOTONIC and written in microseconds
 * (the format's unit) with three decimals, relative to an origin (the
 * recording's start). Strings are escaped to ASCII: a byte outside
 * printable ASCII becomes \u00XX, so any bytes give valid JSON.
 *
 *   te_start()                  the file's head
 *   te_begin() te_arg_*() te_end()   one event and its "args"
 *   te_process_name() ...       metadata events (names, sort order)
 *   te_finish()                 the tail; the first write error, if any
 */
#ifndef TTREC_FORMAT_TRACE_EVENT_H
#define TTREC_FORMAT_TRACE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct te_writer {
	FILE *f;
	uint64_t origin_ns;	/* written as ts 0 */
	uint64_t events;	/* written so far, metadata included */
	bool nargs;		/* the open event has args already */
};

/* Phases ("ph") this writer emits. */
#define TE_COMPLETE	'X'	/* a slice: ts and dur */
#define TE_INSTANT	'i'	/* a point: ts; scope 't', 'p' or 'g' */
#define TE_METADATA	'M'	/* names and sort order */

struct te_event {
	char ph;		/* TE_* */
	char scope;		/* TE_INSTANT: 't' thread, 'p' process, 'g' global */
	uint32_t pid, tid;
	uint64_t ts_ns;		/* absolute; ignored for TE_METADATA */
	uint64_t dur_ns;	/* TE_COMPLETE */
	const char *name;
	const char *cat;	/* NULL: none */
};

/* Write the head of the file to @f; times are written relative to @origin_ns. */
void te_start(struct te_writer *w, FILE *f, uint64_t origin_ns);
/* Open an event; its args follow (te_arg_*), then te_end(). */
void te_begin(struct te_writer *w, const struct te_event *e);
void te_arg_str(struct te_writer *w, const char *key, const char *s, size_t len);
void te_arg_cstr(struct te_writer *w, const char *key, const char *s);
void te_arg_u64(struct te_writer *w, const char *key, uint64_t v);
void te_arg_i64(struct te_writer *w, const char *key, int64_t v);
void te_arg_bool(struct te_writer *w, const char *key, bool v);
void te_end(struct te_writer *w);

/* Metadata: the name of process @pid, of thread @tid, their order in the UI. */
void te_process_name(struct te_writer *w, uint32_t pid, const char *name);
void te_thread_name(struct te_writer *w, uint32_t pid, uint32_t tid, const char *name);
void te_process_sort(struct te_writer *w, uint32_t pid, uint64_t index);

/*
 * Close the event array and the object (with "otherData": the string
 * pairs @other[0] = @other[1], ... up to a NULL key) and flush.
 * Return: 0 or -errno of the first failed write.
 */
int te_finish(struct te_writer *w, const char *const *other);

#endif
