// SPDX-License-Identifier: GPL-2.0
/* ttrec info: what a recording holds, and whether it can be replayed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/image.h"
#include "format/journal.h"
#include "lib/log.h"
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

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const meta_keys[] = {
		"target", "command", "pid", "kernel", "start_time", "ttrec_version",
		"format_version", "end_reason", "exit_status",
	};
	uint64_t by_type[REC_NR_TYPES] = { 0 }, by_nr[REC_NR_SYSCALLS] = { 0 };
	uint64_t first_ts = 0, last_ts = 0, lost = 0, gap_from = 0, out_bytes = 0;
	uint64_t unknown = 0, partial = 0, out_lost = 0, first_bad_seq = 0;
	uint32_t *tids = calloc(MAX_TIDS, sizeof(*tids));
	unsigned int ntids = 0, i, k;
	struct journal_stats st;
	struct rec_reader rr;
	struct rec_event ev;
	char val[4096], path[4096];
	const char *dir;
	struct stat sb;
	int c, ret, status = EXIT_OK;

	if (img_cmdline_is_image(argc, argv)) {
		free(tids);
		return cmd_info_image(argc, argv);	/* a snapshot image file */
	}
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			free(tids);
			return EXIT_OK;
		default:
			usage(stderr);
			free(tids);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !tids) {
		pr_err("info: give one recording directory\n");
		usage(stderr);
		free(tids);
		return EXIT_USAGE;
	}
	dir = argv[optind];
	if (rec_reader_open(&rr, dir)) {
		free(tids);
		return EXIT_FAIL;
	}
	while ((ret = rec_reader_next(&rr, &ev)) > 0) {
		by_type[ev.type]++;
		if (ev.type == REC_GAP) {
			const struct rec_gap *g = ev.rec;

			lost += g->lost;
			if (!gap_from || (g->from_seq && g->from_seq < gap_from))
				gap_from = g->from_seq ? g->from_seq : ev.seq;
			continue;
		}
		if (ev.type == REC_OUT) {
			out_bytes += ev.data_len;
			continue;
		}
		if (ev.type == REC_TIME || ev.type == REC_START)
			continue;
		if (ev.ts) {
			if (!first_ts)
				first_ts = ev.ts;
			last_ts = ev.ts;
		}
		{
			uint32_t tid;

			memcpy(&tid, (const uint8_t *)ev.rec + 8, sizeof(tid));
			for (k = 0; k < ntids && tids[k] != tid; k++)
				;
			if (k == ntids && ntids < MAX_TIDS)
				tids[ntids++] = tid;
		}
		if (ev.type == REC_SYS) {
			const struct rec_sys *s = ev.rec;

			if (s->nr < REC_NR_SYSCALLS)
				by_nr[s->nr]++;
			unknown += !!(s->flags & REC_SF_OUT_UNKNOWN);
			partial += !!(s->flags & REC_SF_OUT_PARTIAL);
			if (s->flags & (REC_SF_OUT_LOST | REC_SF_OUT_FAULT)) {
				out_lost++;
				if (!first_bad_seq)
					first_bad_seq = ev.seq;
			}
		}
	}
	journal_get_stats(rr.jr, &st);
	rec_reader_close(&rr);
	if (ret < 0) {
		pr_err("%s: reading the journal failed: %s\n", dir, strerror(-ret));
		status = EXIT_FAIL;
	}

	printf("recording:   %s\n", dir);
	for (i = 0; i < sizeof(meta_keys) / sizeof(meta_keys[0]); i++)
		if (!recording_meta_get(dir, meta_keys[i], val, sizeof(val)))
			printf("%-12s %s\n", meta_keys[i], val);
	printf("duration:    %.6f s\n", last_ts > first_ts ? (last_ts - first_ts) / 1e9 : 0.0);
	printf("threads:     %u\n", ntids);
	printf("events:      %llu (first #%llu, last #%llu)\n",
	       (unsigned long long)(by_type[REC_SYS] + by_type[REC_SIGNAL] +
				    by_type[REC_SCHED] + by_type[REC_TASK]),
	       (unsigned long long)st.first_seq, (unsigned long long)st.last_seq);
	printf("  syscalls:  %llu (%llu outputs unknown, %llu partial)\n",
	       (unsigned long long)by_type[REC_SYS], (unsigned long long)unknown,
	       (unsigned long long)partial);
	printf("  outputs:   %llu records, %llu bytes\n",
	       (unsigned long long)by_type[REC_OUT], (unsigned long long)out_bytes);
	printf("  signals:   %llu\n", (unsigned long long)by_type[REC_SIGNAL]);
	printf("  sched:     %llu\n", (unsigned long long)by_type[REC_SCHED]);
	printf("  lifecycle: %llu\n", (unsigned long long)by_type[REC_TASK]);
	printf("top syscalls:");
	for (i = 0; i < 8; i++) {
		unsigned int best = 0;

		for (k = 1; k < REC_NR_SYSCALLS; k++)
			if (by_nr[k] > by_nr[best])
				best = k;
		if (!by_nr[best])
			break;
		printf(" %s=%llu", syscall_name(best) ? syscall_name(best) : "?",
		       (unsigned long long)by_nr[best]);
		by_nr[best] = 0;
	}
	printf("\n");
	snprintf(path, sizeof(path), "%s/%s", dir, RECORDING_JOURNAL);
	printf("journal:     %llu chunks, %llu records, %llu bytes raw, %llu compressed (file %lld bytes)\n",
	       (unsigned long long)st.chunks, (unsigned long long)st.records,
	       (unsigned long long)st.bytes_raw, (unsigned long long)st.bytes_compressed,
	       stat(path, &sb) ? -1LL : (long long)sb.st_size);
	if (st.bad_chunks || st.torn_bytes)
		printf("damage:      %llu bad chunks skipped, %llu torn bytes at the end\n",
		       (unsigned long long)st.bad_chunks, (unsigned long long)st.torn_bytes);
	printf("lost:        %llu events\n", (unsigned long long)lost);
	if (lost || out_lost) {
		uint64_t x = gap_from;

		if (first_bad_seq && (!x || first_bad_seq < x))
			x = first_bad_seq;
		printf("replayable:  no, not past event #%llu (%llu events lost, %llu syscalls with missing outputs)\n",
		       (unsigned long long)(x ? x - 1 : 0), (unsigned long long)lost,
		       (unsigned long long)out_lost);
	} else if (st.bad_chunks) {
		printf("replayable:  no: the journal has damaged chunks\n");
	} else {
		printf("replayable:  yes (%llu syscalls with outputs unknown to the table)\n",
		       (unsigned long long)unknown);
	}
	free(tids);
	return status;
}
