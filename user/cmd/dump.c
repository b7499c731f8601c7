// SPDX-License-Identifier: GPL-2.0
/* ttrec dump: the events of a recording, in order, strace-like or JSON. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "lib/log.h"
#include "format/records.h"
#include "syscalls/table.h"
#include "lib/util.h"
#include "module/module.h"
#include "cmd/cmd.h"

#define PREVIEW	32

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec dump DIR [--json] [--tid T] [--from SEQ] [--to SEQ]\n"
		"       ttrec dump IMAGE [--pages] [--mem ADDR:LEN]   (a snapshot image:\n"
		"                  'ttrec dump IMAGE --help')\n"
		"\n"
		"Print the events of the recording DIR in their recorded order:\n"
		"  #SEQ TID +SECONDS name(args) = ret     a syscall\n"
		"      > argN +OFF LEN bytes \"preview\"    bytes it wrote to memory\n"
		"Arguments are printed by the syscall's signature: fds (AT_FDCWD),\n"
		"ints, flags (O_*, PROT_*, MAP_* by name, others in hex), modes in octal,\n"
		"signals by name, paths and names as the strings read at entry (at most\n"
		"256 bytes; \"...\"... when longer), and the first bytes a read-like call\n"
		"got in place of its buffer pointer.\n"
		"  #SEQ TID +SECONDS --- SIG...            a signal delivered (from=PID\n"
		"                                          uid=UID: its sender, or the child\n"
		"                                          a SIGCHLD is about)\n"
		"  #SEQ TID +SECONDS ~~~ sched ...         scheduling\n"
		"  #SEQ TID +SECONDS +++ clone/exec/exit   lifecycle\n"
		"  !!! gap                                 events lost\n"
		"\n"
		"Options:\n"
		"  -j, --json       one JSON object per event (outputs as hex)\n"
		"  -t, --tid T      only thread T\n"
		"  -f, --from SEQ   from event number SEQ\n"
		"  -T, --to SEQ     up to event number SEQ\n"
		"  -h, --help       print this help\n"
		"\n"
		"Examples:\n"
		"  ttrec dump /tmp/ls.rec | head -50\n"
		"  ttrec dump /tmp/ls.rec --tid 1234 --from 100 --to 200\n"
		"  ttrec dump /tmp/ls.rec --json | jq .\n"
		"\n"
		"Exit status: 0 ok, 1 unreadable recording, 2 usage error.\n");
}

/* @n bytes were written; the first @max of them are at @d. */
static void print_str(FILE *f, const uint8_t *d, uint64_t n, size_t max)
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

static void print_preview(FILE *f, const uint8_t *d, size_t n)
{
	print_str(f, d, n, PREVIEW);
}

/* A JSON string: printable ASCII as is, the rest escaped. */
static void json_str(const uint8_t *d, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		uint8_t c = d[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\u%04x", c);
	}
	putchar('"');
}

static const char *region_name(unsigned int r, char *buf, size_t len)
{
	switch (r) {
	case REC_REGION_IOV: return "iov";
	case REC_REGION_MSGNAME: return "msg_name";
	case REC_REGION_MSGCTL: return "msg_control";
	case REC_REGION_IFCBUF: return "ifc_buf";
	case REC_REGION_MMSG_IOV: return "mmsg_iov";
	case REC_REGION_MMSG_NAME: return "mmsg_name";
	case REC_REGION_MMSG_CTL: return "mmsg_control";
	}
	snprintf(buf, len, "arg%u", r);
	return buf;
}

static void print_ret(FILE *f, int64_t ret)
{
	if (ret < 0 && ret >= -4095) {
		const char *n = strerrorname_np(-ret);

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
		if (o->off == n && n < PREVIEW) {
			size_t m = o->len < PREVIEW - n ? o->len : PREVIEW - n;

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
			print_str(f, (const uint8_t *)ev->in[k].s, ev->in[k].len, ev->in[k].len);
			if (ev->in[k].flags & REC_IN_TRUNC)
				fputs("...", f);
			return;
		}
		break;
	case 'p':
		if (r->ret > 0 && byte_buffer(r->nr, i)) {
			uint8_t pre[PREVIEW];
			uint64_t total;
			size_t n = arg_preview(ev, i, pre, &total);

			if (n) {
				print_str(f, pre, total, n);
				return;
			}
		}
		break;
	}
	/* pointers, and strings not captured */
	fprintf(f, a ? "%#llx" : "NULL", (unsigned long long)a);
}

static void print_sys(FILE *f, const struct rec_event *ev)
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
		print_ret(f, r->ret);
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

static const char *sched_state(uint32_t st)
{
	if (st == 0)
		return "R";
	if (st & 1)
		return "S";
	if (st & 2)
		return "D";
	if (st & 4)
		return "T";
	if (st & 8)
		return "t";
	return "?";
}

static void print_hex(const uint8_t *d, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		putchar(hex[d[i] >> 4]);
		putchar(hex[d[i] & 15]);
	}
}

static void print_json_out(uint64_t seq, double t, const struct rec_outdata *o)
{
	printf("{\"seq\":%llu,\"t\":%.9f", (unsigned long long)seq, t);
	printf(",\"type\":\"out\",\"region\":%u,\"off\":%u,\"len\":%zu,\"fault\":%u,\"data\":\"",
	       o->region, o->off, o->len, o->fault);
	print_hex(o->data, o->len);
	printf("\"}\n");
}

/* A syscall's line, then a line for each of its outputs. */
static void print_json_sys(const struct rec_event *ev, double t)
{
	const struct rec_sys *s = ev->rec;
	const char *name = syscall_name(s->nr);
	unsigned int i;

	printf(",\"type\":\"syscall\",\"tid\":%u,\"nr\":%lld,\"name\":\"%s\",\"args\":[",
	       s->tid, (long long)s->nr, name ? name : "?");
	for (i = 0; i < 6; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)s->args[i]);
	printf("],\"ret\":%lld,\"flags\":%u,\"nout\":%u", (long long)s->ret,
	       s->flags, s->nout);
	if (ev->nin) {
		fputs(",\"in\":[", stdout);
		for (i = 0; i < ev->nin; i++) {
			printf("%s{\"arg\":%u,\"truncated\":%s,\"fault\":%s,\"str\":",
			       i ? "," : "", ev->in[i].arg,
			       ev->in[i].flags & REC_IN_TRUNC ? "true" : "false",
			       ev->in[i].flags & REC_IN_FAULT ? "true" : "false");
			json_str((const uint8_t *)ev->in[i].s, ev->in[i].len);
			putchar('}');
		}
		putchar(']');
	}
	printf("}\n");
	for (i = 0; i < ev->nout; i++)
		print_json_out(ev->seq, t, &ev->out[i]);
}

/* A signal's registers (format 3): "regs":{...}, "stack":[...]. */
static void print_json_sigregs(const struct rec_signal *s)
{
	uint64_t stack[REC_SIG_STACK_WORDS];
	struct user_regs_struct u;
	unsigned int has = rec_signal_regs(s, &u, stack), i;
	const struct { const char *name; unsigned long long v; } r[] = {
		{ "bx", u.rbx }, { "cx", u.rcx }, { "dx", u.rdx }, { "si", u.rsi },
		{ "di", u.rdi }, { "bp", u.rbp }, { "sp", u.rsp }, { "r8", u.r8 },
		{ "r9", u.r9 }, { "r10", u.r10 }, { "r11", u.r11 }, { "r12", u.r12 },
		{ "r13", u.r13 }, { "r14", u.r14 }, { "r15", u.r15 }, { "rflags", u.eflags },
	};

	if (!(has & REC_SIG_REGS))
		return;
	printf(",\"regs\":{");
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		printf("%s\"%s\":%llu", i ? "," : "", r[i].name, r[i].v);
	printf("}");
	if (!(has & REC_SIG_STACK))
		return;
	printf(",\"stack\":[");
	for (i = 0; i < REC_SIG_STACK_WORDS; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)stack[i]);
	printf("]");
}

static void print_json(const struct rec_event *ev, double t)
{
	const uint8_t *r = ev->rec;

	if (ev->type == REC_OUT) {
		const struct rec_out *o = ev->rec;
		struct rec_outdata od = {
			.region = o->region, .fault = !!o->flags, .off = o->off,
			.data = ev->data, .len = ev->data_len,
		};

		print_json_out(ev->seq, t, &od);
		return;
	}
	printf("{\"seq\":%llu,\"t\":%.9f", (unsigned long long)ev->seq, t);
	switch (ev->type) {
	case REC_SYS:
		print_json_sys(ev, t);
		return;
	case REC_SIGNAL: {
		const struct rec_signal *s = ev->rec;

		int32_t pid;
		uint32_t uid;

		printf(",\"type\":\"signal\",\"tid\":%u,\"sig\":%u,\"code\":%d,\"handler\":%llu,\"syscall\":%lld,\"ax\":%lld,\"ip\":%llu",
		       s->tid, s->sig, s->code, (unsigned long long)s->handler,
		       (long long)s->syscall, (long long)s->ax, (unsigned long long)s->ip);
		if (rec_signal_sender(s, &pid, &uid))
			printf(",\"from\":%d,\"uid\":%u", pid, uid);
		print_json_sigregs(s);
		printf("}\n");
		return;
	}
	case REC_SCHED: {
		const struct rec_sched *s = ev->rec;

		printf(",\"type\":\"sched\",\"tid\":%u,\"kind\":%u,\"cpu\":%u,\"state\":%u,\"preempt\":%u,\"ip\":%llu,\"other\":%u}\n",
		       s->tid, s->kind, s->cpu, s->state, s->preempt,
		       (unsigned long long)s->ip, s->other);
		return;
	}
	case REC_TASK: {
		const struct rec_task *s = ev->rec;

		printf(",\"type\":\"task\",\"tid\":%u,\"kind\":%u,\"tgid\":%u,\"child\":%u,\"exit_code\":%u,\"group_dead\":%u",
		       s->tid, s->kind, s->tgid, s->child, s->exit_code, s->group_dead);
		if (s->kind == REC_TASK_EXEC && ev->len > sizeof(*s)) {
			fputs(",\"file\":", stdout);
			json_str(r + sizeof(*s), strnlen((const char *)r + sizeof(*s),
							 ev->len - sizeof(*s)));
		}
		printf("}\n");
		return;
	}
	case REC_GAP: {
		const struct rec_gap *g = ev->rec;

		printf(",\"type\":\"gap\",\"lost\":%llu,\"from_seq\":%llu}\n",
		       (unsigned long long)g->lost, (unsigned long long)g->from_seq);
		return;
	}
	default:
		printf(",\"type\":\"%s\"}\n", ev->type == REC_TIME ? "time" : "start");
	}
}

static void print_out(const struct rec_outdata *o)
{
	char buf[16];

	printf("    > %s +%u %zu bytes ", region_name(o->region, buf, sizeof(buf)),
	       o->off, o->len);
	print_preview(stdout, o->data, o->len);
	if (o->fault)
		fputs(" [unreadable]", stdout);
	putchar('\n');
}

static void print_task(const struct rec_event *ev, double t)
{
	const struct rec_task *s = ev->rec;

	printf("#%llu %u +%.6f +++ ", (unsigned long long)ev->seq, ev->tid, t);
	if (s->kind == REC_TASK_CLONE) {
		printf("clone thread %u\n", s->child);
	} else if (s->kind == REC_TASK_FORK) {
		printf("fork child %u%s\n", s->child, s->traced ? " (traced)" : "");
	} else if (s->kind == REC_TASK_EXEC) {
		printf("exec ");
		if (ev->len > sizeof(*s))
			print_str(stdout, (const uint8_t *)ev->rec + sizeof(*s),
				  strnlen((const char *)ev->rec + sizeof(*s),
					  ev->len - sizeof(*s)), REC_COMM_LEN);
		if (s->child && s->child != ev->tid)
			printf(" (by thread %u)", s->child);
		putchar('\n');
	} else {
		char st[64];

		ttrec_wait_status_str(s->exit_code, st, sizeof(st));
		printf("exit %s%s", st, s->group_dead ? " (last thread)" : "");
		if (s->child)
			printf(" (the exec of thread %u)", s->child);
		putchar('\n');
	}
}

/* One event, strace-like. */
static void print_text(const struct rec_event *ev, double t)
{
	unsigned int k;

	switch (ev->type) {
	case REC_SYS:
		printf("#%llu %u +%.6f ", (unsigned long long)ev->seq, ev->tid, t);
		print_sys(stdout, ev);
		putchar('\n');
		for (k = 0; k < ev->nout; k++)
			print_out(&ev->out[k]);
		break;
	case REC_OUT: {		/* its syscall was lost */
		const struct rec_out *o = ev->rec;

		print_out(&(struct rec_outdata){ .region = o->region, .fault = !!o->flags,
						 .off = o->off, .data = ev->data,
						 .len = ev->data_len });
		break;
	}
	case REC_SIGNAL: {
		const struct rec_signal *s = ev->rec;
		const char *sn = sigabbrev_np(s->sig);
		const char *in = s->syscall >= 0 ? syscall_name(s->syscall) : NULL;
		int32_t pid;
		uint32_t uid;

		printf("#%llu %u +%.6f --- SIG%s code=%d", (unsigned long long)ev->seq, ev->tid,
		       t, sn ? sn : "?", s->code);
		if (rec_signal_sender(s, &pid, &uid))
			printf(" from=%d uid=%u", pid, uid);
		printf(" handler=%#llx", (unsigned long long)s->handler);
		if (in)
			printf(" in %s (ret %lld)", in, (long long)s->ax);
		printf(" ip=%#llx", (unsigned long long)s->ip);
		if (s->flags & REC_SIG_REGS)
			printf(" sp=%#llx", (unsigned long long)s->sp);
		printf(" ---\n");
		break;
	}
	case REC_SCHED: {
		const struct rec_sched *s = ev->rec;

		printf("#%llu %u +%.6f ~~~ ", (unsigned long long)ev->seq, ev->tid, t);
		if (s->kind == REC_SCHED_OUT)
			printf("switch-out cpu=%u state=%s%s ip=%#llx next=%u\n", s->cpu,
			       sched_state(s->state), s->preempt ? " preempted" : "",
			       (unsigned long long)s->ip, s->other);
		else if (s->kind == REC_SCHED_IN)
			printf("switch-in cpu=%u prev=%u\n", s->cpu, s->other);
		else
			printf("wakeup cpu=%u by=%u\n", s->cpu, s->other);
		break;
	}
	case REC_TASK:
		print_task(ev, t);
		break;
	case REC_GAP: {
		const struct rec_gap *g = ev->rec;

		printf("!!! gap: %llu events lost; not replayable from #%llu\n",
		       (unsigned long long)g->lost, (unsigned long long)g->from_seq);
		break;
	}
	}
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "tid", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint64_t from = 0, to = UINT64_MAX;
	struct rec_reader rr;
	struct rec_event ev;
	uint32_t tid = 0;
	bool json = false, show = false;
	const char *dir;
	int c, ret, status = EXIT_OK;

	if (img_cmdline_is_image(argc, argv))
		return cmd_dump_image(argc, argv);	/* a snapshot image file */
	while ((c = getopt_long(argc, argv, "jt:f:T:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 't':
			if (parse_u32(optarg, &tid) || !tid) {
				pr_err("--tid: '%s' is not a thread id\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
		case 'T':
			if (parse_u64(optarg, c == 'f' ? &from : &to)) {
				pr_err("--%s: '%s' is not a sequence number\n",
				       c == 'f' ? "from" : "to", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			return cmd_usage_exit(c, usage);
		}
	}
	if (!cmd_operands(argc, 1, usage, "dump: give one recording directory"))
		return EXIT_USAGE;
	dir = argv[optind];
	if (rec_reader_open(&rr, dir))
		return EXIT_FAIL;
	while ((ret = rec_reader_next(&rr, &ev)) > 0) {
		double t = ev.ts && rr.start_ns ? (double)(int64_t)(ev.ts - rr.start_ns) / 1e9 : 0;

		if (ev.type == REC_TIME || ev.type == REC_START)
			continue;
		/* an output whose syscall was lost goes with the event before it */
		if (ev.type != REC_OUT)
			show = (!tid || ev.tid == tid || ev.type == REC_GAP) &&
			       ev.seq >= from && ev.seq <= to;
		if (!show)
			continue;
		if (json)
			print_json(&ev, t);
		else
			print_text(&ev, t);
	}
	if (ret < 0) {
		pr_err("%s: reading the journal failed: %s\n", dir, strerror(-ret));
		status = EXIT_FAIL;
	}
	rec_reader_close(&rr);
	fflush(stdout);
	return status;
}
