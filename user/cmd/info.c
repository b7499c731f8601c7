// SPDX-License-Identifier: GPL-2.0
/* ttrec info: what a recording holds, and whether it can be replayed. */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/image.h"
#include "format/launch.h"
#include "format/journal.h"
#include "lib/log.h"
#include "format/records.h"
#include "format/recording.h"
#include "syscalls/table.h"
#include "lib/util.h"
#include "cmd/cmd.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec info DIR\n"
		"       ttrec info IMAGE   (a snapshot image: 'ttrec info IMAGE --help')\n"
		"\n"
		"Summarise the recording DIR: what was recorded, its duration, threads,\n"
		"events by kind, the busiest syscalls, journal bytes raw and compressed,\n"
		"lost events, and whether (and up to where) it can be replayed.\n"
		"\n"
		"Options:\n"
		"  -h, --help   print this help\n"
		"\n"
		"Examples:\n"
		"  ttrec info /tmp/ls.rec\n"
		"\n"
		"Exit status: 0 ok, 1 unreadable recording, 2 usage error.\n");
}

#define MAX_TIDS	4096
#define MAX_OTHER_NRS	16

/* Calls of a syscall number outside the table (-1, 1000, 0x40000027...). */
struct nr_count {
	int64_t nr;
	uint64_t calls;
};

/* What the journal holds, counted in one pass. */
struct journal_summary {
	uint64_t by_type[REC_NR_TYPES];		/* records, batched syscalls one each */
	uint64_t by_nr[REC_NR_SYSCALLS];
	/* numbers outside the table: all their calls, and the first distinct ones */
	uint64_t other_calls;
	struct nr_count other[MAX_OTHER_NRS];
	unsigned int nother;
	bool other_more;			/* more distinct numbers than other[] holds */
	uint64_t first_ts, last_ts, lost, gap_from, out_bytes;
	uint64_t unknown, partial, out_lost, first_bad_seq;
	uint32_t tids[MAX_TIDS];
	unsigned int ntids;
	struct journal_stats st;
	/* REC_SNAP TAKEN: how many, where, and those whose image is not in @dir */
	const char *dir;
	uint64_t snaps, snap_first, snap_last, snap_missing;
	struct snap_pos *snap;		/* each of them (up to snap_cap) */
	size_t snap_cap;
};

/* A snapshot and where each of its threads was in the journal. */
struct snap_pos {
	uint64_t seq, snap_id;
	uint8_t image_id[16];
	char image[REC_SNAP_NAME_MAX];
	bool missing;
	uint32_t nthreads;
	struct rec_snap_thread *threads;
};

/* Keep @ev's snapshot for the listing (silently not, out of memory). */
static void keep_snapshot(struct journal_summary *js, const struct rec_event *ev, bool missing)
{
	const struct rec_snap *r = ev->rec;
	struct snap_pos *p;
	size_t n = js->snaps - 1;

	if (n >= js->snap_cap) {
		size_t cap = js->snap_cap ? js->snap_cap * 2 : 16;

		p = realloc(js->snap, cap * sizeof(*p));
		if (!p)
			return;
		js->snap = p;
		js->snap_cap = cap;
	}
	p = &js->snap[n];
	memset(p, 0, sizeof(*p));
	p->seq = ev->seq;
	p->snap_id = r->snap_id;
	memcpy(p->image_id, r->image_id, sizeof(p->image_id));
	memcpy(p->image, r->image, sizeof(p->image));
	p->missing = missing;
	p->threads = calloc(r->nthreads ? r->nthreads : 1, sizeof(*p->threads));
	if (p->threads) {
		memcpy(p->threads, ev->snap_threads, r->nthreads * sizeof(*p->threads));
		p->nthreads = r->nthreads;
	}
}

static void free_snapshots(struct journal_summary *js)
{
	size_t i;

	for (i = 0; i < js->snaps && i < js->snap_cap; i++)
		free(js->snap[i].threads);
	free(js->snap);
}

/* A snapshot in the journal: is its image there? */
static void count_snapshot(struct journal_summary *js, const struct rec_event *ev)
{
	const struct rec_snap *r = ev->rec;
	char path[4096];
	struct stat sb;

	if (r->kind != REC_SNAP_TAKEN)
		return;
	if (!js->snaps++)
		js->snap_first = ev->seq;
	js->snap_last = ev->seq;
	snprintf(path, sizeof(path), "%s/%s", js->dir, r->image);
	if (!r->image[0] || strchr(r->image, '/') || stat(path, &sb)) {
		js->snap_missing++;
		keep_snapshot(js, ev, true);
		return;
	}
	keep_snapshot(js, ev, false);
}

static void count_other(struct journal_summary *js, int64_t nr)
{
	unsigned int k;

	js->other_calls++;
	for (k = 0; k < js->nother && js->other[k].nr != nr; k++)
		;
	if (k == js->nother) {
		if (k == MAX_OTHER_NRS) {
			js->other_more = true;
			return;
		}
		js->other[js->nother++].nr = nr;
	}
	js->other[k].calls++;
}

static void count_event(struct journal_summary *js, const struct rec_event *ev)
{
	const struct rec_sys *s = ev->rec;
	unsigned int k;

	if (ev->type == REC_GAP) {
		const struct rec_gap *g = ev->rec;

		js->lost += g->lost;
		if (!js->gap_from || (g->from_seq && g->from_seq < js->gap_from))
			js->gap_from = g->from_seq ? g->from_seq : ev->seq;
		return;
	}
	if (ev->type == REC_OUT)
		js->out_bytes += ev->data_len;
	if (ev->type == REC_SNAP)
		count_snapshot(js, ev);
	if (!rec_is_timed(ev->type))
		return;
	if (ev->ts) {
		if (!js->first_ts)
			js->first_ts = ev->ts;
		js->last_ts = ev->ts;
	}
	for (k = 0; k < js->ntids && js->tids[k] != ev->tid; k++)
		;
	if (k == js->ntids && js->ntids < MAX_TIDS)
		js->tids[js->ntids++] = ev->tid;
	if (ev->type != REC_SYS)
		return;
	if (s->nr >= 0 && s->nr < REC_NR_SYSCALLS)
		js->by_nr[s->nr]++;
	else
		count_other(js, s->nr);
	for (k = 0; k < ev->nout; k++)
		js->out_bytes += ev->out[k].len;
	js->unknown += !!(s->flags & REC_SF_OUT_UNKNOWN);
	js->partial += !!(s->flags & REC_SF_OUT_PARTIAL);
	if ((s->flags & (REC_SF_OUT_LOST | REC_SF_OUT_FAULT)) || ev->nout < s->nout) {
		js->out_lost++;
		if (!js->first_bad_seq)
			js->first_bad_seq = ev->seq;
	}
}

/*
 * Read the journal of @dir through: 0, -errno when reading failed part
 * way, 1 when it cannot be opened (messages printed).
 */
static int summarise(const char *dir, struct journal_summary *js)
{
	struct rec_reader rr;
	struct rec_event ev;
	int ret;

	if (rec_reader_open(&rr, dir))
		return 1;
	js->dir = dir;
	while ((ret = rec_reader_next(&rr, &ev)) > 0)
		count_event(js, &ev);
	memcpy(js->by_type, rr.count, sizeof(js->by_type));
	journal_get_stats(rr.jr, &js->st);
	rec_reader_close(&rr);
	if (ret < 0)
		pr_err("%s: reading the journal failed: %s\n", dir, strerror(-ret));
	return ret;
}

/* "read=12": syscall @nr by its name, or as dump shows a number without one. */
static void print_nr_calls(int64_t nr, uint64_t calls)
{
	char nb[SYSCALL_NR_STR];

	if (syscall_name(nr))
		printf(" %s=%llu", syscall_name(nr), (unsigned long long)calls);
	else
		printf(" syscall(%s)=%llu", syscall_nr_str(nr, nb, sizeof(nb)),
		       (unsigned long long)calls);
}

/* The numbers outside the table, each with its calls. */
static void print_other_syscalls(const struct journal_summary *js)
{
	unsigned int k;

	if (!js->other_calls)
		return;
	printf("  not in the table: %llu calls:", (unsigned long long)js->other_calls);
	for (k = 0; k < js->nother; k++)
		print_nr_calls(js->other[k].nr, js->other[k].calls);
	printf("%s\n", js->other_more ? " ..." : "");
}

/* The 8 busiest syscalls, numbers outside the table among them. */
static void print_top_syscalls(struct journal_summary *js)
{
	uint64_t other[MAX_OTHER_NRS];
	unsigned int i, k;

	for (k = 0; k < js->nother; k++)
		other[k] = js->other[k].calls;
	printf("top syscalls:");
	for (i = 0; i < 8; i++) {
		unsigned int best = 0;
		int best_other = -1;

		for (k = 1; k < REC_NR_SYSCALLS; k++)
			if (js->by_nr[k] > js->by_nr[best])
				best = k;
		for (k = 0; k < js->nother; k++)
			if (other[k] > (best_other < 0 ? js->by_nr[best] : other[best_other]))
				best_other = k;
		if (best_other >= 0) {
			print_nr_calls(js->other[best_other].nr, other[best_other]);
			other[best_other] = 0;
			continue;
		}
		if (!js->by_nr[best])
			break;
		print_nr_calls(best, js->by_nr[best]);
		js->by_nr[best] = 0;
	}
	printf("\n");
}

/* The snapshot images `attach --snapshot-interval` left in @dir. */
static unsigned int count_snapshots(const char *dir)
{
	char pat[4096];
	glob_t g;
	unsigned int n;

	snprintf(pat, sizeof(pat), "%s/snap-*.img", dir);
	if (glob(pat, 0, NULL, &g))
		return 0;
	n = g.gl_pathc;
	globfree(&g);
	return n;
}

/*
 * Each snapshot: its event, image and id, and every thread's last event
 * before it parked (and the syscall it was parked in, not over).
 */
static void print_snapshots(const struct journal_summary *js)
{
	size_t i, k;

	for (i = 0; i < js->snaps && i < js->snap_cap; i++) {
		const struct snap_pos *p = &js->snap[i];

		printf("snapshot %zu:  at #%llu, %s%s, id ", i + 1, (unsigned long long)p->seq,
		       p->image[0] ? p->image : "(image unknown)", p->missing ? " (missing)" : "");
		for (k = 0; k < sizeof(p->image_id); k++)
			printf("%02x", p->image_id[k]);
		printf(", kernel snapshot %llu\n", (unsigned long long)p->snap_id);
		for (k = 0; k < p->nthreads; k++) {
			const struct rec_snap_thread *t = &p->threads[k];
			char nb[SYSCALL_NR_STR];

			printf("  thread %u after #%llu", t->tid, (unsigned long long)t->last_seq);
			if (t->flags & REC_SNAPT_IN_SYSCALL)
				printf(", inside %s (its exit comes later)",
				       syscall_name(t->nr) ?: syscall_nr_str(t->nr, nb, sizeof(nb)));
			printf("\n");
		}
	}
}

/*
 * "; from snapshots 1, 3-5 (replay --from-snapshot N)": those replay can
 * start from (a single thread), or why none.
 */
static void print_from_snapshots(const struct journal_summary *js)
{
	size_t i, n = js->snaps < js->snap_cap ? js->snaps : js->snap_cap, run = 0, ok = 0;
	bool printed = false;

	if (!js->snaps)
		return;
	for (i = 0; i < n; i++)
		ok += js->snap[i].nthreads == 1 && !js->snap[i].missing;
	if (!ok) {
		printf("; not from its snapshots yet (replay from a snapshot of more than one thread is not supported)");
		return;
	}
	printf("; from snapshot%s", ok > 1 ? "s" : "");
	for (i = 0; i <= n; i++) {
		const char *sep = printed ? "," : " ";

		if (i < n && js->snap[i].nthreads == 1 && !js->snap[i].missing) {
			run++;
			continue;
		}
		if (run == 1)
			printf("%s%zu", sep, i);
		else if (run)
			printf("%s%zu-%zu", sep, i - run + 1, i);
		printed |= run > 0;
		run = 0;
	}
	printf(" (replay --from-snapshot N)");
}

/* Whether `ttrec replay` replays @dir, and from where: what it does, not more. */
static void print_replayable(const char *dir, const struct journal_summary *js)
{
	char cmd[16] = "";

	if (js->lost || js->out_lost) {
		uint64_t x = js->gap_from;

		if (js->first_bad_seq && (!x || js->first_bad_seq < x))
			x = js->first_bad_seq;
		printf("replayable:  no, not past event #%llu (%llu events lost, %llu syscalls with missing outputs)\n",
		       (unsigned long long)(x ? x - 1 : 0), (unsigned long long)js->lost,
		       (unsigned long long)js->out_lost);
	} else if (js->st.bad_chunks) {
		printf("replayable:  no: the journal has damaged chunks\n");
	} else if (launch_recorded(dir)) {
		printf("replayable:  yes, from its launch (%llu syscalls with outputs unknown to the table)",
		       (unsigned long long)js->unknown);
		print_from_snapshots(js);
		printf("\n");
	} else if (!recording_meta_get(dir, "command", cmd, sizeof(cmd)) && !cmd[0]) {
		/* attach: no command, and no launch to replay from */
		printf("replayable:  not yet: an attach recording has no launch to replay from; it needs replay from snapshots (%llu in the journal, %u snapshot images)\n",
		       (unsigned long long)js->snaps, count_snapshots(dir));
	} else {
		printf("replayable:  no: the command's launch was not recorded (it could not be started under ptrace)\n");
	}
}

static void print_summary(const char *dir, struct journal_summary *js)
{
	static const char *const meta_keys[] = {
		"target", "command", "pid", "kernel", "start_time", "ttrec_version",
		"format_version", "end_reason", "exit_status",
	};
	const uint64_t *by_type = js->by_type;
	const struct journal_stats *st = &js->st;
	char val[4096], path[4096];
	struct stat sb;
	unsigned int i;

	printf("recording:   %s\n", dir);
	for (i = 0; i < sizeof(meta_keys) / sizeof(meta_keys[0]); i++)
		if (!recording_meta_get(dir, meta_keys[i], val, sizeof(val)))
			printf("%-12s %s\n", meta_keys[i], val);
	printf("duration:    %.6f s\n", js->last_ts > js->first_ts ?
	       (js->last_ts - js->first_ts) / 1e9 : 0.0);
	printf("threads:     %u\n", js->ntids);
	printf("events:      %llu (first #%llu, last #%llu)\n",
	       (unsigned long long)(by_type[REC_SYS] + by_type[REC_SIGNAL] +
				    by_type[REC_SCHED] + by_type[REC_TASK] +
				    by_type[REC_SNAP]),
	       (unsigned long long)st->first_seq, (unsigned long long)st->last_seq);
	printf("  syscalls:  %llu (%llu outputs unknown, %llu partial)\n",
	       (unsigned long long)by_type[REC_SYS], (unsigned long long)js->unknown,
	       (unsigned long long)js->partial);
	print_other_syscalls(js);
	printf("  outputs:   %llu records, %llu bytes\n",
	       (unsigned long long)by_type[REC_OUT], (unsigned long long)js->out_bytes);
	printf("  signals:   %llu\n", (unsigned long long)by_type[REC_SIGNAL]);
	printf("  sched:     %llu\n", (unsigned long long)by_type[REC_SCHED]);
	printf("  lifecycle: %llu\n", (unsigned long long)by_type[REC_TASK]);
	if (by_type[REC_SNAP]) {
		printf("  snapshots: %llu (first at #%llu, last at #%llu), %llu thread parks",
		       (unsigned long long)js->snaps, (unsigned long long)js->snap_first,
		       (unsigned long long)js->snap_last,
		       (unsigned long long)(by_type[REC_SNAP] - js->snaps));
		if (js->snap_missing)
			printf("; %llu images missing", (unsigned long long)js->snap_missing);
		printf("\n");
	}
	print_top_syscalls(js);
	snprintf(path, sizeof(path), "%s/%s", dir, RECORDING_JOURNAL);
	printf("journal:     %llu chunks, %llu records, %llu bytes raw, %llu compressed (file %lld bytes)\n",
	       (unsigned long long)st->chunks, (unsigned long long)st->records,
	       (unsigned long long)st->bytes_raw, (unsigned long long)st->bytes_compressed,
	       stat(path, &sb) ? -1LL : (long long)sb.st_size);
	if (st->bad_chunks || st->torn_bytes)
		printf("damage:      %llu bad chunks skipped, %llu torn bytes at the end\n",
		       (unsigned long long)st->bad_chunks, (unsigned long long)st->torn_bytes);
	printf("lost:        %llu events\n", (unsigned long long)js->lost);
	print_snapshots(js);
	print_replayable(dir, js);
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct journal_summary *js;
	const char *dir;
	int c, ret;

	if (img_cmdline_is_image(argc, argv))
		return cmd_info_image(argc, argv);	/* a snapshot image file */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		default:
			return cmd_usage_exit(c, usage);
		}
	}
	if (!cmd_operands(argc, 1, usage, "info: give one recording directory"))
		return EXIT_USAGE;
	dir = argv[optind];
	js = calloc(1, sizeof(*js));
	if (!js)
		return EXIT_FAIL;
	ret = summarise(dir, js);
	if (ret > 0) {
		free_snapshots(js);
		free(js);
		return EXIT_FAIL;
	}
	print_summary(dir, js);
	free_snapshots(js);
	free(js);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}
