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
		"Usage: ttrec record [-o DIR] [--no-follow-fork] [--all-cpus] [--ring-mib N]\n"
		"                    [--snapshot-interval SEC] -- CMD [ARGS...]\n"
		"\n"
		"Run CMD and record, from its exec on, every syscall it makes (with the\n"
		"bytes the kernel wrote into its memory), the signals it gets, its\n"
		"scheduling and its threads, into the recording directory DIR; and the\n"
		"same of every process it starts, and they start (the whole tree).\n"
		"\n"
		"Options:\n"
		"  -o, --output DIR   recording directory, new or empty\n"
		"                     (default: ttrec-CMD-YYYYmmdd-HHMMSS)\n"
		"      --no-follow-fork  record CMD's process only: its children run\n"
		"                     unrecorded (replay then gives CMD their recorded\n"
		"                     results without running them)\n"
		"      --all-cpus     let CMD's threads run on all CPUs with the default\n"
		"                     scheduling (by default they share one CPU, SCHED_RR,\n"
		"                     so that `ttrec replay` reproduces how they interleave;\n"
		"                     with this, threads that race in user space may diverge,\n"
		"                     and rseq() fails with ENOSYS: the CPU it would show\n"
		"                     is not recorded)\n"
		"      --ring-mib N   BPF ring buffer size in MiB, a power of 2 (default 64);\n"
		"                     as much again holds chunks waiting for compression\n"
		"  -s, --snapshot-interval SEC\n"
		"                     also snapshot CMD's process when it has started and\n"
		"                     every SEC seconds into DIR/snap-NNNN.img (the first\n"
		"                     full, each next incremental against the previous),\n"
		"                     each placed in the journal; needs the ttrec kernel\n"
		"                     module (ttrec.ko)\n"
		"  -h, --help         print this help\n"
		"\n"
		"Examples:\n"
		"  sudo ttrec record -o /tmp/ls.rec -- ls -l /\n"
		"  sudo ttrec record -o build.rec -- make -j2\n"
		"  ttrec info /tmp/ls.rec; ttrec dump /tmp/ls.rec | less\n"
		"  ttrec replay /tmp/ls.rec --verify   # run it again from the journal\n"
		"\n"
		"Exit status: 0 recorded (whatever CMD's status), 1 failure, 2 usage error.\n");
}

static void attach_usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec attach PID [-o DIR] [--no-follow-fork] [--duration SEC]\n"
		"                        [--snapshot-interval SEC]\n"
		"\n"
		"Record a running process (all its threads, and the processes it starts\n"
		"from now on) until it exits, SIGINT (Ctrl-C) or the duration; then\n"
		"leave it running untraced. Its vDSO's time functions (clock_gettime,\n"
		"gettimeofday, time, getcpu) are made into syscalls while it is recorded,\n"
		"so that its clock reads are recorded, and put back at the end.\n"
		"\n"
		"Options:\n"
		"  -o, --output DIR     recording directory, new or empty\n"
		"                       (default: ttrec-PID-YYYYmmdd-HHMMSS)\n"
		"      --no-follow-fork record the process only, not the children it forks\n"
		"  -d, --duration SEC   stop after SEC seconds (decimals allowed)\n"
		"      --ring-mib N     BPF ring buffer size in MiB, a power of 2 (default 64);\n"
		"                       as much again holds chunks waiting for compression\n"
		"  -s, --snapshot-interval SEC\n"
		"                       also snapshot the process when recording starts and\n"
		"                       every SEC seconds into DIR/snap-NNNN.img (the first\n"
		"                       full, each next incremental against the previous),\n"
		"                       each placed in the journal; needs the ttrec kernel\n"
		"                       module (ttrec.ko)\n"
		"  -h, --help           print this help\n"
		"\n"
		"Examples:\n"
		"  sudo ttrec attach 1234 -o /tmp/server.rec --duration 10\n"
		"  sudo ttrec attach 1234 -o /tmp/s.rec --snapshot-interval 5 --duration 60\n"
		"  sudo ttrec attach $(pidof sqlite3) --no-follow-fork\n"
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

/* What `ttrec record` and `ttrec attach` are told on their command line. */
struct rec_args {
	struct recorder_opts o;
	double snap_interval;	/* --snapshot-interval; 0: none */
};

/* rec_options[].cmds: the subcommands that take an option */
#define FOR_RECORD	(1U << 0)
#define FOR_ATTACH	(1U << 1)
#define FOR_BOTH	(FOR_RECORD | FOR_ATTACH)

/* Options with no short form: values past every character. */
enum {
	OPT_LONG_ONLY = 256,
	OPT_RING_MIB = OPT_LONG_ONLY,
	OPT_ALL_CPUS,
	OPT_NO_FOLLOW,
};

/*
 * The options of record and attach, in one table; parse_args() parses each.
 * An option whose value is a character is also that short option.
 */
static const struct {
	struct option lo;
	unsigned int cmds;
} rec_options[] = {
	{ { "output", required_argument, NULL, 'o' }, FOR_BOTH },
	{ { "no-follow-fork", no_argument, NULL, OPT_NO_FOLLOW }, FOR_BOTH },
	/* the default now; kept so that older command lines work */
	{ { "follow-fork", no_argument, NULL, 'f' }, FOR_BOTH },
	{ { "duration", required_argument, NULL, 'd' }, FOR_ATTACH },
	{ { "ring-mib", required_argument, NULL, OPT_RING_MIB }, FOR_BOTH },
	{ { "all-cpus", no_argument, NULL, OPT_ALL_CPUS }, FOR_RECORD },
	{ { "snapshot-interval", required_argument, NULL, 's' }, FOR_BOTH },
	{ { "help", no_argument, NULL, 'h' }, FOR_BOTH },
};

#define NR_REC_OPTIONS	(sizeof(rec_options) / sizeof(rec_options[0]))

/* How one subcommand reads the table. */
struct rec_cmd {
	unsigned int mask;		/* FOR_RECORD or FOR_ATTACH */
	bool in_order;			/* options end at the first operand (CMD) */
	void (*usage)(FILE *out);
};

static const struct rec_cmd record_cmd = { FOR_RECORD, true, record_usage };
static const struct rec_cmd attach_cmd = { FOR_ATTACH, false, attach_usage };

/* getopt_long()'s long options (@lo) and short option string (@so) for @cmd. */
static void getopt_spec(const struct rec_cmd *cmd, struct option *lo, char *so)
{
	unsigned int i, n = 0;

	if (cmd->in_order)
		*so++ = '+';
	for (i = 0; i < NR_REC_OPTIONS; i++) {
		const struct option *opt = &rec_options[i].lo;

		if (!(rec_options[i].cmds & cmd->mask))
			continue;
		lo[n++] = *opt;
		if (opt->val < OPT_LONG_ONLY) {
			*so++ = opt->val;
			if (opt->has_arg == required_argument)
				*so++ = ':';
		}
	}
	memset(&lo[n], 0, sizeof(lo[n]));
	*so = 0;
}

/*
 * Parse the options @cmd takes into @a; optind is then at the first
 * operand. Return: -1 to go on, or the exit status (EXIT_OK after --help,
 * EXIT_USAGE with the reason printed).
 */
static int parse_args(int argc, char **argv, const struct rec_cmd *cmd, struct rec_args *a)
{
	struct option lo[NR_REC_OPTIONS + 1];
	char so[2 * NR_REC_OPTIONS + 2];
	int c;

	getopt_spec(cmd, lo, so);
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->o.dir = optarg;
			break;
		case 'f':
			a->o.follow_fork = true;
			break;
		case OPT_NO_FOLLOW:
			a->o.follow_fork = false;
			break;
		case 'd':
			if (parse_seconds(optarg, &a->o.duration)) {
				pr_err("--duration: '%s' is not a positive number of seconds\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_RING_MIB:
			if (parse_ring(optarg, &a->o.ring_bytes)) {
				pr_err("--ring-mib: '%s' is not a power of 2 between 1 and 4096\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_ALL_CPUS:
			a->o.all_cpus = true;
			break;
		case 's':
			if (parse_seconds(optarg, &a->snap_interval)) {
				pr_err("--snapshot-interval: '%s' is not a positive number of seconds\n",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			return cmd_usage_exit(c, cmd->usage);
		}
	}
	return -1;
}

/* --snapshot-interval, once the recording directory exists: the hooks. */
static void use_series(struct recorder_opts *o, struct snap_series *series)
{
	snap_series_set_dir(series, o->dir);
	o->tick = snap_series_tick;
	o->tick_arg = series;
	o->snapshots = true;
	o->snap_image = snap_series_image;
	o->settle = snap_series_settle;
}

/* record: the series' session on the command, once it runs. */
static int series_started(void *arg, int pid)
{
	return snap_series_attach(arg, pid);
}

int cmd_record(int argc, char **argv)
{
	struct rec_args a = { .o.follow_fork = true };
	struct recorder_opts *o = &a.o;
	struct snap_series *series = NULL;
	char dir[4096];
	int ret, err, status;

	ret = parse_args(argc, argv, &record_cmd, &a);
	if (ret >= 0)
		return ret;
	if (optind >= argc) {
		pr_err("record: no command given\n");
		record_usage(stderr);
		return EXIT_USAGE;
	}
	if (check_root())
		return EXIT_FAIL;
	/* the module now; the session once the command runs */
	if (a.snap_interval && snap_series_open(0, a.snap_interval, &series))
		return EXIT_FAIL;
	o->argv = argv + optind;
	if (!o->dir) {
		default_dir(dir, sizeof(dir), argv[optind]);
		o->dir = dir;
	}
	if (recording_create(o->dir, argv[optind], 0, o->argv)) {
		snap_series_finish(series);
		return EXIT_FAIL;
	}
	if (series) {
		use_series(o, series);
		o->started = series_started;
	}
	err = recorder_run(o, &status);
	if (snap_series_finish(series))
		err = err ?: -EIO;
	if (err)
		return EXIT_FAIL;
	if (status != -1) {
		char buf[64];

		ttrec_wait_status_str(status, buf, sizeof(buf));
		pr_debug("%s %s; recording in %s\n", argv[optind], buf, o->dir);
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
	struct rec_args a = { .o.follow_fork = true };
	struct recorder_opts *o = &a.o;
	struct snap_series *series = NULL;
	char dir[4096], comm[64] = "?", path[64];
	int ret, err, status, pid, tgid;
	FILE *f;

	ret = parse_args(argc, argv, &attach_cmd, &a);
	if (ret >= 0)
		return ret;
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
	if (a.snap_interval && snap_series_open(tgid, a.snap_interval, &series))
		return EXIT_FAIL;
	snprintf(path, sizeof(path), "/proc/%d/comm", tgid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	o->pid = tgid;
	if (!o->dir) {
		snprintf(path, sizeof(path), "%d", tgid);
		default_dir(dir, sizeof(dir), path);
		o->dir = dir;
	}
	if (recording_create(o->dir, comm, tgid, NULL)) {
		snap_series_finish(series);
		return EXIT_FAIL;
	}
	if (series)
		use_series(o, series);
	err = recorder_run(o, &status);
	if (snap_series_finish(series))
		err = -EIO;
	return err ? EXIT_FAIL : EXIT_OK;
}
