// SPDX-License-Identifier: GPL-2.0
/*
 * A recorded syscall as text, strace-like (print.h): what `ttrec dump`
 * prints for it and what `ttrec export` puts in its slice.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "format/records.h"
#include "syscalls/print.h"
#include "syscalls/restart.h"
#include "syscalls/table.h"

void syscall_print_str(FILE *f, const uint8_t *d, uint64_t n, size_t max)
{
	size_t i, m = n < max ? n : max;

	fputc('"', f);
	for (i = 0; i < m; i++) {
		uint8_t c = d[i];

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (isprint(c))
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
	fputc('"', f);
	if (n > m)
		fputs("...", f);
}

/* The name and meaning of restart code @e, or NULL when it is none. */
static const char *restart_name(int e, const char **what)
{
	switch (e) {
	case ERESTARTSYS:
		*what = "To be restarted if SA_RESTART is set";
		return "ERESTARTSYS";
	case ERESTARTNOINTR:
		*what = "To be restarted";
		return "ERESTARTNOINTR";
	case ERESTARTNOHAND:
		*what = "To be restarted if no handler";
		return "ERESTARTNOHAND";
	case ERESTART_RESTARTBLOCK:
		*what = "Interrupted by signal";
		return "ERESTART_RESTARTBLOCK";
	}
	return NULL;
}

void syscall_print_ret(FILE *f, int64_t ret)
{
	if (ret < 0 && ret >= -4095) {
		const char *what, *n = restart_name(-ret, &what);

		if (n) {
			fprintf(f, "? %s (%s)", n, what);
			return;
		}
		n = strerrorname_np(-ret);
		fprintf(f, "-1 %s (%s)", n ? n : "E?", strerror(-ret));
	} else if (ret > 0xffffff || ret < -4095) {
		fprintf(f, "%#llx", (unsigned long long)ret);
	} else {
		fprintf(f, "%lld", (long long)ret);
	}
}

struct flag_name {
	uint64_t bit;
	const char *name;
};

/* @v as NAME|NAME|0xrest; @none when @v is 0 and @none is given. */
static void print_flags(FILE *f, uint64_t v, const struct flag_name *t, const char *none)
{
	bool any = false;

	if (!v && none) {
		fputs(none, f);
		return;
	}
	for (; t->name; t++) {
		if ((v & t->bit) == t->bit && t->bit) {
			fprintf(f, "%s%s", any ? "|" : "", t->name);
			v &= ~t->bit;
			any = true;
		}
	}
	if (v || !any)
		fprintf(f, "%s%#llx", any ? "|" : "", (unsigned long long)v);
}

static const struct flag_name open_flags[] = {
	{ 020200000, "O_TMPFILE" }, { 04010000, "O_SYNC" }, { 0100, "O_CREAT" },
	{ 0200, "O_EXCL" }, { 0400, "O_NOCTTY" }, { 01000, "O_TRUNC" },
	{ 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" }, { 010000, "O_DSYNC" },
	{ 020000, "O_ASYNC" }, { 040000, "O_DIRECT" }, { 0100000, "O_LARGEFILE" },
	{ 0200000, "O_DIRECTORY" }, { 0400000, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" }, { 0, NULL },
};

static const struct flag_name prot_flags[] = {
	{ 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" },
	{ 0x01000000, "PROT_GROWSDOWN" }, { 0x02000000, "PROT_GROWSUP" }, { 0, NULL },
};

static const struct flag_name mmap_flags[] = {
	{ 3, "MAP_SHARED_VALIDATE" }, { 1, "MAP_SHARED" }, { 2, "MAP_PRIVATE" },
	{ 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" }, { 0x100, "MAP_GROWSDOWN" },
	{ 0x800, "MAP_DENYWRITE" }, { 0x1000, "MAP_EXECUTABLE" }, { 0x2000, "MAP_LOCKED" },
	{ 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" }, { 0x10000, "MAP_NONBLOCK" },
	{ 0x20000, "MAP_STACK" }, { 0x40000, "MAP_HUGETLB" }, { 0x80000, "MAP_SYNC" },
	{ 0x100000, "MAP_FIXED_NOREPLACE" }, { 0, NULL },
};

static void print_open_flags(FILE *f, uint64_t v)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	fputs(acc[v & 3], f);
	v &= ~3ULL;
	if (v) {
		fputc('|', f);
		print_flags(f, v, open_flags, NULL);
	}
}

/* Does @nr write a byte buffer of ret bytes through argument @i (read...)? */
static bool byte_buffer(int64_t nr, int i)
{
	const struct syscall_info *si = syscall_get(nr);
	unsigned int k;

	for (k = 0; si && k < si->nout; k++)
		if (si->out[k].how == REC_OUT_RETLEN && si->out[k].size == 1 &&
		    si->out[k].arg == i)
			return true;
	return false;
}

/*
 * The first bytes argument @i's buffer got (the outputs of region @i from
 * offset 0 on, while they follow each other), and how many it got in all.
 */
static size_t arg_preview(const struct rec_event *ev, int i, uint8_t *pre, uint64_t *total)
{
	size_t n = 0, k;

	*total = 0;
	for (k = 0; k < ev->nout; k++) {
		const struct rec_outdata *o = &ev->out[k];

		if (o->region != i)
			continue;
		if (o->off == n && n < SYSCALL_PREVIEW) {
			size_t m = o->len < SYSCALL_PREVIEW - n ? o->len : SYSCALL_PREVIEW - n;

			memcpy(pre + n, o->data, m);
			n += m;
		}
		*total += o->len;
	}
	return n;
}

static void print_arg(FILE *f, const struct rec_event *ev, int i, char type)
{
	const struct rec_sys *r = ev->rec;
	uint64_t a = r->args[i];
	unsigned int k;

	switch (type) {
	case 'd':
		fprintf(f, "%d", (int)a);
		return;
	case 'l':
		fprintf(f, "%lld", (long long)a);
		return;
	case 'u':
		fprintf(f, "%llu", (unsigned long long)a);
		return;
	case 'x':
		fprintf(f, a ? "%#llx" : "0", (unsigned long long)a);
		return;
	case 'f':
		if ((int)a == -100)
			fputs("AT_FDCWD", f);
		else
			fprintf(f, "%d", (int)a);
		return;
	case 'o':
		fprintf(f, a ? "%#llo" : "0", (unsigned long long)a);
		return;
	case 'S': {
		const char *n = (int)a > 0 ? sigabbrev_np((int)a) : NULL;

		if (n)
			fprintf(f, "SIG%s", n);
		else
			fprintf(f, "%d", (int)a);
		return;
	}
	case 'C': {
		const struct cmd_info *c = cmd_get(r->nr, (uint32_t)a);

		if (c)
			fputs(c->name, f);
		else
			fprintf(f, "%#llx", (unsigned long long)a);
		return;
	}
	case 'O':
		print_open_flags(f, a);
		return;
	case 'P':
		print_flags(f, a, prot_flags, "PROT_NONE");
		return;
	case 'M':
		print_flags(f, a, mmap_flags, "0");
		return;
	case 's':
		for (k = 0; k < ev->nin; k++) {
			if (ev->in[k].arg != i || (ev->in[k].flags & REC_IN_FAULT))
				continue;
			syscall_print_str(f, (const uint8_t *)ev->in[k].s, ev->in[k].len, ev->in[k].len);
			if (ev->in[k].flags & REC_IN_TRUNC)
				fputs("...", f);
			return;
		}
		break;
	case 'p':
		if (r->ret > 0 && byte_buffer(r->nr, i)) {
			uint8_t pre[SYSCALL_PREVIEW];
			uint64_t total;
			size_t n = arg_preview(ev, i, pre, &total);

			if (n) {
				syscall_print_str(f, pre, total, n);
				return;
			}
		}
		break;
	}
	/* pointers, and strings not captured */
	fprintf(f, a ? "%#llx" : "NULL", (unsigned long long)a);
}

void syscall_print(FILE *f, const struct rec_event *ev)
{
	const struct rec_sys *r = ev->rec;
	const char *name = syscall_name(r->nr);
	const char *sig = syscall_sig(r->nr);
	char nb[SYSCALL_NR_STR];
	int n = 6, i;

	/* a number without a name: syscall(NR, ...), as the program called it */
	if (name)
		fprintf(f, "%s(", name);
	else
		fprintf(f, "syscall(%s", syscall_nr_str(r->nr, nb, sizeof(nb)));
	if (sig) {
		for (i = 0; sig[i] && i < 6; i++) {
			if (i)
				fputs(", ", f);
			print_arg(f, ev, i, sig[i]);
		}
	} else {
		/* not described: the registers that are not 0 */
		while (n > 0 && !r->args[n - 1])
			n--;
		for (i = 0; i < n; i++) {
			uint64_t a = r->args[i];
			const char *sep = i || !name ? ", " : "";

			if (a < 4096 || ((int64_t)a < 0 && (int64_t)a > -4096))
				fprintf(f, "%s%lld", sep, (long long)a);
			else
				fprintf(f, "%s%#llx", sep, (unsigned long long)a);
		}
	}
	if (r->flags & REC_SF_NORETURN) {
		fputs(") = ?", f);
	} else {
		fputs(") = ", f);
		syscall_print_ret(f, r->ret);
	}
	if (r->flags & REC_SF_OUT_UNKNOWN)
		fputs(" [outputs unknown]", f);
	if (r->flags & REC_SF_OUT_PARTIAL)
		fputs(" [outputs partial]", f);
	if (r->flags & REC_SF_OUT_LOST)
		fputs(" [outputs LOST]", f);
	if (r->flags & REC_SF_OUT_FAULT)
		fputs(" [output unreadable]", f);
	if (r->flags & REC_SF_NO_ENTER)
		fputs(" [entered before attach]", f);
	if (ev->nout < r->nout)
		fprintf(f, " [%u outputs missing: damaged journal]", r->nout - ev->nout);
}
