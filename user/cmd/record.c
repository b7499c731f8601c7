// SPDX-License-Identifier: GPL-2.0
/* ttrec record / ttrec attach: record a process into a recording directory. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image/image.h"
#include "lib/log.h"
#include "format/recording.h"
#include "record/recorder.h"
#include "lib/util.h"
#include "module/module.h"
#include "cmd/cmd.h"

static void record_usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec record [-o DIR] [--follow-fork] [--all-cpus] [--ring-mib N] -- CMD [ARGS...]\n"
		"\n"
		"Run CMD and record, from its exec on, every syscall it makes (with the\n"
		"bytes the kernel wrote into its memory), the signals it gets, its\n"
		"scheduling and its threads, into the recording directory DIR.\n"
		"\n"
		"Options:\n"
		"  -o, --output DIR   recording directory, new or empty\n"
		"                     (default: ttrec-CMD-YYYYmmdd-HHMMSS)\n"
		"  -f, --follow-fork  record the children CMD forks too\n"
		"      --all-cpus     let CMD's threads run on all CPUs with the default\n"
		"                     scheduling (by default they share one CPU, SCHED_RR,\n"
		"                     so that `ttrec replay` reproduces how they interleave;\n"
		"                     with this, threads that race in user space may diverge)\n"
		"      --ring-mib N   BPF ring buffer size in MiB, a power of 2 (default 64);\n"
		"                     as much again holds chunks waiting for compression\n"
		"  -h, --help         print this help\n"
		"\n"
		"Examples:\n"
		"  sudo ttrec record -o /tmp/ls.rec -- ls -l /\n"
		"  sudo ttrec record --follow-fork -o build.rec -- make -j2\n"
		"  ttrec info /tmp/ls.rec; ttrec dump /tmp/ls.rec | less\n"
		"  ttrec replay /tmp/ls.rec --verify   # run it again from the journal\n"
		"\n"
		"Exit status: 0 recorded (whatever CMD's status), 1 failure, 2 usage error.\n");
}

static void attach_usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec attach PID [-o DIR] [--follow-fork] [--duration SEC]\n"
		"                        [--snapshot-interval SEC]\n"
		"\n"
		"Record a running process (all its threads) until it exits, SIGINT\n"
		"(Ctrl-C) or the duration; then leave it running untraced.\n"
		"\n"
		"Options:\n"
		"  -o, --output DIR     recording directory, new or empty\n"
		"                       (default: ttrec-PID-YYYYmmdd-HHMMSS)\n"
		"  -f, --follow-fork    record the children it forks too\n"
		"  -d, --duration SEC   stop after SEC seconds (decimals allowed)\n"
		"      --ring-mib N     BPF ring buffer size in MiB, a power of 2 (default 64);\n"
		"                       as much again holds chunks waiting for compression\n"
		"  -s, --snapshot-interval SEC\n"
		"                       also snapshot the process when recording starts and\n"
		"                       every SEC seconds into DIR/snap-NNNN.img (the first\n"
		"                       full, each next incremental against the previous);\n"
		"                       needs the ttrec kernel module (ttrec.ko)\n"
		"  -h, --help           print this help\n"
		"\n"
		"Examples:\n"
		"  sudo ttrec attach 1234 -o /tmp/server.rec --duration 10\n"
		"  sudo ttrec attach 1234 -o /tmp/s.rec --snapshot-interval 5 --duration 60\n"
		"  sudo ttrec attach $(pidof sqlite3) --follow-fork\n"
		"\n"
		"Exit status: 0 recorded, 1 failure (no such process, no permission,\n"
		"a kernel thread, ...), 2 usage error.\n");
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v <= 0 || v > 1e7)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_ring(const char *s, uint64_t *bytes)
{
	uint32_t mib;

	if (parse_u32(s, &mib) || !mib || mib > 4096 || (mib & (mib - 1)))
		return -EINVAL;
	*bytes = (uint64_t)mib << 20;
	return 0;
}

static void default_dir(char *buf, size_t len, const char *what)
{
	char when[32];
	time_t now = time(NULL);
	const char *base = strrchr(what, '/');

	strftime(when, sizeof(when), "%Y%m%d-%H%M%S", localtime(&now));
	snprintf(buf, len, "ttrec-%s-%s", base ? base + 1 : what, when);
}

static int check_root(void)
{
	if (geteuid() != 0) {
		pr_err("recording needs root (BPF programs: CAP_BPF, CAP_PERFMON); run with sudo\n");
		return -EPERM;
	}
	return 0;
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "follow-fork", no_argument, NULL, 'f' },
		{ "ring-mib", required_argument, NULL, 'R' },
		{ "all-cpus", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct recorder_opts o = { 0 };
	char dir[4096];
	int c, err, status;

	while ((c = getopt_long(argc, argv, "+o:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.dir = optarg;
			break;
		case 'f':
			o.follow_fork = true;
			break;
		case 'A':
			o.all_cpus = true;
			break;
		case 'R':
			if (parse_ring(optarg, &o.ring_bytes)) {
				pr_err("--ring-mib: '%s' is not a power of 2 between 1 and 4096\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			record_usage(stdout);
			return EXIT_OK;
		default:
			record_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		pr_err("record: no command given\n");
		record_usage(stderr);
		return EXIT_USAGE;
	}
	if (check_root())
		return EXIT_FAIL;
	o.argv = argv + optind;
	if (!o.dir) {
		default_dir(dir, sizeof(dir), argv[optind]);
		o.dir = dir;
	}
	if (recording_create(o.dir, argv[optind], 0, o.argv))
		return EXIT_FAIL;
	err = recorder_run(&o, &status);
	if (err)
		return EXIT_FAIL;
	if (status != -1) {
		char buf[64];

		ttrec_wait_status_str(status, buf, sizeof(buf));
		pr_debug("%s %s; recording in %s\n", argv[optind], buf, o.dir);
	}
	return EXIT_OK;
}

/* Refuse targets we cannot record, with the reason. Sets *tgid. */
static int check_target(int pid, int *tgid)
{
	char path[64], line[512], state = 0;
	unsigned long flags = 0;
	FILE *f;

	if (kill(pid, 0)) {
		if (errno == ESRCH) {
			pr_err("attach: no such process: %d\n", pid);
			return -ESRCH;
		}
		if (errno == EPERM) {
			pr_err("attach: no permission to trace %d (run as root)\n", pid);
			return -EPERM;
		}
		return -errno;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f) {
		pr_err("attach: process %d exited during attach\n", pid);
		return -ESRCH;
	}
	if (fgets(line, sizeof(line), f)) {
		char *p = strrchr(line, ')');

		/* pid (comm) state ppid pgrp session tty_nr tpgid flags */
		if (p)
			sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags);
	}
	fclose(f);
	if (flags & 0x00200000) {	/* PF_KTHREAD */
		pr_err("attach: %d is a kernel thread; ttrec records user processes\n", pid);
		return -EINVAL;
	}
	if (state == 'Z' || state == 'X') {
		pr_err("attach: process %d has exited (zombie)\n", pid);
		return -ESRCH;
	}
	*tgid = pid;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Tgid: %d", tgid) == 1)
				break;
		fclose(f);
	}
	if (*tgid != pid)
		pr_info("attach: %d is a thread of process %d: recording all of %d\n",
			pid, *tgid, *tgid);
	return 0;
}

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "follow-fork", no_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ring-mib", required_argument, NULL, 'R' },
		{ "snapshot-interval", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct recorder_opts o = { 0 };
	struct snap_series *series = NULL;
	char dir[4096], comm[64] = "?", path[64];
	int c, err, status, pid, tgid;
	double snap_interval = 0;
	FILE *f;

	while ((c = getopt_long(argc, argv, "o:fd:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.dir = optarg;
			break;
		case 'f':
			o.follow_fork = true;
			break;
		case 'd':
			if (parse_seconds(optarg, &o.duration)) {
				pr_err("--duration: '%s' is not a positive number of seconds\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'R':
			if (parse_ring(optarg, &o.ring_bytes)) {
				pr_err("--ring-mib: '%s' is not a power of 2 between 1 and 4096\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			if (parse_seconds(optarg, &snap_interval)) {
				pr_err("--snapshot-interval: '%s' is not a positive number of seconds\n",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			attach_usage(stdout);
			return EXIT_OK;
		default:
			attach_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		pr_err("attach: give exactly one PID\n");
		attach_usage(stderr);
		return EXIT_USAGE;
	}
	if (parse_pid(argv[optind], &pid)) {
		pr_err("attach: '%s' is not a process id\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (check_target(pid, &tgid))
		return EXIT_FAIL;
	if (check_root())
		return EXIT_FAIL;
	if (snap_interval && snap_series_open(tgid, snap_interval, &series))
		return EXIT_FAIL;
	snprintf(path, sizeof(path), "/proc/%d/comm", tgid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	o.pid = tgid;
	if (!o.dir) {
		snprintf(path, sizeof(path), "%d", tgid);
		default_dir(dir, sizeof(dir), path);
		o.dir = dir;
	}
	if (recording_create(o.dir, comm, tgid, NULL)) {
		snap_series_finish(series);
		return EXIT_FAIL;
	}
	if (series) {
		snap_series_set_dir(series, o.dir);
		o.tick = snap_series_tick;
		o.tick_arg = series;
	}
	err = recorder_run(&o, &status);
	if (snap_series_finish(series))
		err = -EIO;
	return err ? EXIT_FAIL : EXIT_OK;
}
