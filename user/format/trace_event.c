// SPDX-License-Identifier: GPL-2.0
/* The Chrome trace-event JSON writer (trace_event.h). */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "format/trace_event.h"

/* ns as microseconds with three decimals: 1234567 -> "1234.567". */
static void put_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03u", ns / 1000, (unsigned int)(ns % 1000));
}

static void put_ts(struct te_writer *w, uint64_t ns)
{
	if (ns >= w->origin_ns) {
		put_us(w->f, ns - w->origin_ns);
	} else {
		fputc('-', w->f);
		put_us(w->f, w->origin_ns - ns);
	}
}

static void put_str(FILE *f, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c >= 0x20 && c < 0x7f) {
			fputc(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else {
			fputs("\\u00", f);
			fputc(hex[c >> 4], f);
			fputc(hex[c & 15], f);
		}
	}
	fputc('"', f);
}

void te_start(struct te_writer *w, FILE *f, uint64_t origin_ns)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->origin_ns = origin_ns;
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", f);
}

void te_begin(struct te_writer *w, const struct te_event *e)
{
	FILE *f = w->f;

	if (w->events++)
		fputs(",\n", f);
	fprintf(f, "{\"ph\":\"%c\",\"pid\":%u,\"tid\":%u,\"name\":", e->ph, e->pid, e->tid);
	put_str(f, e->name, strlen(e->name));
	if (e->cat) {
		fputs(",\"cat\":", f);
		put_str(f, e->cat, strlen(e->cat));
	}
	if (e->ph != TE_METADATA) {
		fputs(",\"ts\":", f);
		put_ts(w, e->ts_ns);
	}
	if (e->ph == TE_COMPLETE) {
		fputs(",\"dur\":", f);
		put_us(f, e->dur_ns);
	}
	if (e->ph == TE_INSTANT)
		fprintf(f, ",\"s\":\"%c\"", e->scope ? e->scope : 't');
	fputs(",\"args\":{", f);
	w->nargs = false;
}

static void put_key(struct te_writer *w, const char *key)
{
	if (w->nargs)
		fputc(',', w->f);
	w->nargs = true;
	put_str(w->f, key, strlen(key));
	fputc(':', w->f);
}

void te_arg_str(struct te_writer *w, const char *key, const char *s, size_t len)
{
	put_key(w, key);
	put_str(w->f, s, len);
}

void te_arg_cstr(struct te_writer *w, const char *key, const char *s)
{
	te_arg_str(w, key, s, strlen(s));
}

void te_arg_u64(struct te_writer *w, const char *key, uint64_t v)
{
	put_key(w, key);
	fprintf(w->f, "%" PRIu64, v);
}

void te_arg_i64(struct te_writer *w, const char *key, int64_t v)
{
	put_key(w, key);
	fprintf(w->f, "%" PRId64, v);
}

void te_arg_bool(struct te_writer *w, const char *key, bool v)
{
	put_key(w, key);
	fputs(v ? "true" : "false", w->f);
}

void te_end(struct te_writer *w)
{
	fputs("}}", w->f);
}

static void meta_name(struct te_writer *w, const char *what, uint32_t pid, uint32_t tid,
		      const char *name)
{
	te_begin(w, &(struct te_event){ .ph = TE_METADATA, .pid = pid, .tid = tid,
					.name = what });
	te_arg_cstr(w, "name", name);
	te_end(w);
}

void te_process_name(struct te_writer *w, uint32_t pid, const char *name)
{
	meta_name(w, "process_name", pid, 0, name);
}

void te_thread_name(struct te_writer *w, uint32_t pid, uint32_t tid, const char *name)
{
	meta_name(w, "thread_name", pid, tid, name);
}

void te_process_sort(struct te_writer *w, uint32_t pid, uint64_t index)
{
	te_begin(w, &(struct te_event){ .ph = TE_METADATA, .pid = pid,
					.name = "process_sort_index" });
	te_arg_u64(w, "sort_index", index);
	te_end(w);
}

int te_finish(struct te_writer *w, const char *const *other)
{
	unsigned int i;

	fputs("\n],\"otherData\":{", w->f);
	for (i = 0; other && other[i]; i += 2) {
		if (i)
			fputc(',', w->f);
		put_str(w->f, other[i], strlen(other[i]));
		fputc(':', w->f);
		put_str(w->f, other[i + 1], strlen(other[i + 1]));
	}
	fputs("}}\n", w->f);
	if (fflush(w->f) || ferror(w->f))
		return errno ? -errno : -EIO;
	return 0;
}
