// SPDX-License-Identifier: GPL-2.0
/* ttrec dump: the events of a recording, in order, strace-like or JSON. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "log.h"
#include "recording.h"
#include "syscalls.h"
#include "ttrec.h"

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
		"  #SEQ TID +SECONDS --- SIG...            a signal delivered\n"
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

static void print_str(const uint8_t *d, size_t n, size_t max)
{
	size_t i, m = n < max ? n : max;

	putchar('"');
	for (i = 0; i < m; i++) {
		uint8_t c = d[i];

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (isprint(c))
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('"');
	if (n > m)
		fputs("...", stdout);
}

static void print_preview(const uint8_t *d, size_t n)
{
	print_str(d, n, PREVIEW);
}

static const char *region_name(unsigned int r, char *buf, size_t len)
{
	switch (r) {
	case REC_REGION_IOV: return "iov";
	case REC_REGION_MSGNAME: return "msg_name";
	case REC_REGION_MSGCTL: return "msg_control";
	case REC_REGION_IFCBUF: return "ifc_buf";
	}
	snprintf(buf, len, "arg%u", r);
	return buf;
}

static void print_ret(int64_t ret)
{
	if (ret < 0 && ret >= -4095) {
		const char *n = strerrorname_np(-ret);

		printf("-1 %s (%s)", n ? n : "E?", strerror(-ret));
	} else if (ret > 0xffffff || ret < -4095) {
		printf("%#llx", (unsigned long long)ret);
	} else {
		printf("%lld", (long long)ret);
	}
}

static void print_sys(const struct rec_sys *r)
{
	const char *name = syscall_name(r->nr);
	int n = 6, i;

	while (n > 0 && !r->args[n - 1])
		n--;
	if (name)
		printf("%s(", name);
	else
		printf("syscall_%u(", r->nr);
	for (i = 0; i < n; i++) {
		uint64_t a = r->args[i];

		if (a < 4096 || ((int64_t)a < 0 && (int64_t)a > -4096))
			printf("%s%lld", i ? ", " : "", (long long)a);
		else
			printf("%s%#llx", i ? ", " : "", (unsigned long long)a);
	}
	if (r->flags & REC_SF_NORETURN) {
		fputs(") = ?", stdout);
	} else {
		fputs(") = ", stdout);
		print_ret(r->ret);
	}
	if (r->flags & REC_SF_OUT_UNKNOWN)
		fputs(" [outputs unknown]", stdout);
	if (r->flags & REC_SF_OUT_PARTIAL)
		fputs(" [outputs partial]", stdout);
	if (r->flags & REC_SF_OUT_LOST)
		fputs(" [outputs LOST]", stdout);
	if (r->flags & REC_SF_OUT_FAULT)
		fputs(" [output unreadable]", stdout);
	if (r->flags & REC_SF_NO_ENTER)
		fputs(" [entered before attach]", stdout);
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

static void print_json(const struct rec_event *ev, double t)
{
	const uint8_t *r = ev->rec;

	printf("{\"seq\":%llu,\"t\":%.9f", (unsigned long long)ev->seq, t);
	switch (ev->type) {
	case REC_SYS: {
		const struct rec_sys *s = ev->rec;
		const char *name = syscall_name(s->nr);
		int i;

		printf(",\"type\":\"syscall\",\"tid\":%u,\"nr\":%u,\"name\":\"%s\",\"args\":[",
		       s->tid, s->nr, name ? name : "?");
		for (i = 0; i < 6; i++)
			printf("%s%llu", i ? "," : "", (unsigned long long)s->args[i]);
		printf("],\"ret\":%lld,\"flags\":%u,\"nout\":%u}\n", (long long)s->ret,
		       s->flags, s->nout);
		return;
	}
	case REC_OUT: {
		const struct rec_out *o = ev->rec;

		printf(",\"type\":\"out\",\"region\":%u,\"off\":%u,\"len\":%zu,\"fault\":%u,\"data\":\"",
		       o->region, o->off, ev->data_len, o->flags);
		print_hex(ev->data, ev->data_len);
		printf("\"}\n");
		return;
	}
	case REC_SIGNAL: {
		const struct rec_signal *s = ev->rec;

		printf(",\"type\":\"signal\",\"tid\":%u,\"sig\":%u,\"code\":%d,\"handler\":%llu,\"syscall\":%lld,\"ax\":%lld,\"ip\":%llu}\n",
		       s->tid, s->sig, s->code, (unsigned long long)s->handler,
		       (long long)s->syscall, (long long)s->ax, (unsigned long long)s->ip);
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
			print_preview(r + sizeof(*s), strnlen((const char *)r + sizeof(*s),
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
	char buf[16];

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
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		pr_err("dump: give one recording directory\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	dir = argv[optind];
	if (rec_reader_open(&rr, dir))
		return EXIT_FAIL;
	while ((ret = rec_reader_next(&rr, &ev)) > 0) {
		double t = ev.ts && rr.start_ns ? (double)(int64_t)(ev.ts - rr.start_ns) / 1e9 : 0;
		uint32_t etid = 0;

		if (ev.type == REC_TIME || ev.type == REC_START)
			continue;
		if (ev.type != REC_OUT && ev.type != REC_GAP) {
			/* tid is at offset 8 in every other record */
			memcpy(&etid, (const uint8_t *)ev.rec + 8, sizeof(etid));
			show = (!tid || etid == tid) && ev.seq >= from && ev.seq <= to;
		} else if (ev.type == REC_GAP) {
			show = ev.seq >= from && ev.seq <= to;
		}
		if (!show)
			continue;
		if (json) {
			print_json(&ev, t);
			continue;
		}
		switch (ev.type) {
		case REC_SYS:
			printf("#%llu %u +%.6f ", (unsigned long long)ev.seq, etid, t);
			print_sys(ev.rec);
			putchar('\n');
			break;
		case REC_OUT: {
			const struct rec_out *o = ev.rec;

			printf("    > %s +%u %zu bytes ", region_name(o->region, buf, sizeof(buf)),
			       o->off, ev.data_len);
			print_preview(ev.data, ev.data_len);
			if (o->flags)
				fputs(" [unreadable]", stdout);
			putchar('\n');
			break;
		}
		case REC_SIGNAL: {
			const struct rec_signal *s = ev.rec;
			const char *sn = sigabbrev_np(s->sig);
			const char *in = s->syscall >= 0 ? syscall_name(s->syscall) : NULL;

			printf("#%llu %u +%.6f --- SIG%s code=%d handler=%#llx",
			       (unsigned long long)ev.seq, etid, t, sn ? sn : "?", s->code,
			       (unsigned long long)s->handler);
			if (in)
				printf(" in %s (ret %lld)", in, (long long)s->ax);
			printf(" ip=%#llx ---\n", (unsigned long long)s->ip);
			break;
		}
		case REC_SCHED: {
			const struct rec_sched *s = ev.rec;

			printf("#%llu %u +%.6f ~~~ ", (unsigned long long)ev.seq, etid, t);
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
		case REC_TASK: {
			const struct rec_task *s = ev.rec;

			printf("#%llu %u +%.6f +++ ", (unsigned long long)ev.seq, etid, t);
			if (s->kind == REC_TASK_CLONE) {
				printf("clone thread %u\n", s->child);
			} else if (s->kind == REC_TASK_FORK) {
				printf("fork child %u%s\n", s->child, s->traced ? " (traced)" : "");
			} else if (s->kind == REC_TASK_EXEC) {
				printf("exec ");
				if (ev.len > sizeof(*s))
					print_str((const uint8_t *)ev.rec + sizeof(*s),
						  strnlen((const char *)ev.rec + sizeof(*s),
							  ev.len - sizeof(*s)), REC_COMM_LEN);
				putchar('\n');
			} else {
				char st[64];

				ttrec_wait_status_str(s->exit_code, st, sizeof(st));
				printf("exit %s%s\n", st, s->group_dead ? " (last thread)" : "");
			}
			break;
		}
		case REC_GAP: {
			const struct rec_gap *g = ev.rec;

			printf("!!! gap: %llu events lost; not replayable from #%llu\n",
			       (unsigned long long)g->lost, (unsigned long long)g->from_seq);
			break;
		}
		}
	}
	if (ret < 0) {
		pr_err("%s: reading the journal failed: %s\n", dir, strerror(-ret));
		status = EXIT_FAIL;
	}
	rec_reader_close(&rr);
	fflush(stdout);
	return status;
}
