// SPDX-License-Identifier: GPL-2.0
/* ttrec dump: the events of a recording, in order, strace-like or JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "lib/log.h"
#include "format/records.h"
#include "syscalls/print.h"
#include "syscalls/table.h"
#include "lib/util.h"
#include "module/module.h"
#include "cmd/cmd.h"


static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec dump DIR [--json] [--tid T] [--from SEQ] [--to SEQ]\n"
		"       ttrec dump IMAGE [--pages | --state | --mem ADDR:LEN]   (a snapshot image:\n"
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
		"  #SEQ TID +SECONDS *** parked ...        a thread parked for a snapshot\n"
		"  #SEQ PID +SECONDS *** snapshot IMAGE    the snapshot, each thread's\n"
		"                                          last event before it parked\n"
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


static void print_preview(FILE *f, const uint8_t *d, size_t n)
{
	syscall_print_str(f, d, n, SYSCALL_PREVIEW);
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
	case REC_REGION_PTR: return "ptr";
	case REC_REGION_MMSG_IOV: return "mmsg_iov";
	case REC_REGION_MMSG_NAME: return "mmsg_name";
	case REC_REGION_MMSG_CTL: return "mmsg_control";
	}
	snprintf(buf, len, "arg%u", r);
	return buf;
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

/* A REC_SNAP: "type":"park" or "type":"snapshot" with its threads. */
static void print_json_snap(const struct rec_event *ev)
{
	const struct rec_snap *r = ev->rec;
	unsigned int i;

	if (r->kind == REC_SNAP_PARK) {
		const struct rec_snap_park *p = ev->rec;

		printf(",\"type\":\"park\",\"tid\":%u,\"park\":%llu,\"nr\":%lld,\"ret\":%lld,\"in_syscall\":%s}\n",
		       p->tid, (unsigned long long)p->park, (long long)p->nr, (long long)p->ret,
		       p->flags & REC_SNAPT_IN_SYSCALL ? "true" : "false");
		return;
	}
	printf(",\"type\":\"snapshot\",\"tid\":%u,\"park\":%llu,\"snap_id\":%llu,\"image\":",
	       r->tid, (unsigned long long)r->park, (unsigned long long)r->snap_id);
	json_str((const uint8_t *)r->image, strlen(r->image));
	printf(",\"image_id\":\"");
	print_hex(r->image_id, sizeof(r->image_id));
	printf("\",\"threads\":[");
	for (i = 0; i < r->nthreads; i++) {
		const struct rec_snap_thread *t = &ev->snap_threads[i];

		printf("%s{\"tid\":%u,\"last_seq\":%llu,\"park_seq\":%llu,\"nr\":%lld,\"in_syscall\":%s}",
		       i ? "," : "", t->tid, (unsigned long long)t->last_seq,
		       (unsigned long long)t->park_seq, (long long)t->nr,
		       t->flags & REC_SNAPT_IN_SYSCALL ? "true" : "false");
	}
	printf("]}\n");
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
	case REC_SNAP:
		print_json_snap(ev);
		return;
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
			syscall_print_str(stdout, (const uint8_t *)ev->rec + sizeof(*s),
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

/* " in read (ret -512), not over" for a thread parked in a syscall. */
static void print_park_syscall(int64_t nr, int64_t ret, unsigned int flags)
{
	char nb[SYSCALL_NR_STR];

	if (!(flags & REC_SNAPT_SYSCALL))
		return;
	printf(" in %s", syscall_name(nr) ?: syscall_nr_str(nr, nb, sizeof(nb)));
	if (ret != INT64_MIN)
		printf(" (ret %lld)", (long long)ret);
	if (flags & REC_SNAPT_IN_SYSCALL)
		printf(" not over");
}

static void print_snap(const struct rec_event *ev, double t)
{
	const struct rec_snap *r = ev->rec;
	unsigned int i;

	printf("#%llu %u +%.6f *** ", (unsigned long long)ev->seq, ev->tid, t);
	if (r->kind == REC_SNAP_PARK) {
		const struct rec_snap_park *p = ev->rec;

		printf("parked (park %llu)", (unsigned long long)p->park);
		print_park_syscall(p->nr, p->ret, p->flags);
		printf(" ***\n");
		return;
	}
	printf("snapshot %s id=", r->image[0] ? r->image : "(image unknown)");
	print_hex(r->image_id, sizeof(r->image_id));
	printf(" (kernel snapshot %llu): %u threads:", (unsigned long long)r->snap_id,
	       r->nthreads);
	for (i = 0; i < r->nthreads; i++) {
		const struct rec_snap_thread *th = &ev->snap_threads[i];

		printf("%s %u after #%llu", i ? "," : "", th->tid,
		       (unsigned long long)th->last_seq);
		print_park_syscall(th->nr, INT64_MIN, th->flags);
	}
	printf(" ***\n");
}

/* One event, strace-like. */
static void print_text(const struct rec_event *ev, double t)
{
	unsigned int k;

	switch (ev->type) {
	case REC_SYS:
		printf("#%llu %u +%.6f ", (unsigned long long)ev->seq, ev->tid, t);
		syscall_print(stdout, ev);
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
	case REC_SNAP:
		print_snap(ev, t);
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
