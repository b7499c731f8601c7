// SPDX-License-Identifier: GPL-2.0
/* ttrec monitor: follow the module's netlink events. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "module/module.h"
#include "cmd/cmd.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec monitor [-n COUNT] [-t SECONDS]\n"
		"\n"
		"Print the events ttrec.ko announces (session opened, session closed,\n"
		"target exited, snapshot taken) as they happen, one line each, until\n"
		"interrupted. Snapshot lines carry the snapshot id, the target's pause\n"
		"and how many pages are held copy-on-write or were copied at once.\n"
		"\n"
		"Options:\n"
		"  -n, --count COUNT     exit after COUNT events\n"
		"  -t, --timeout SECONDS exit after SECONDS without an event\n"
		"  -h, --help            print this help\n"
		"\n"
		"Examples:\n"
		"  sudo ttrec monitor\n"
		"  sudo ttrec monitor -n 1 -t 10   # wait up to 10 s for one event\n"
		"\n"
		"Exit status: 0 ok (also on timeout), 1 failure, 2 usage error.\n");
}

int cmd_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint32_t count = 0, timeout_s = 0, seen = 0;
	struct ttrec_nl_event ev;
	struct nl_sock *sk;
	char buf[64];
	int c, ret;

	while ((c = getopt_long(argc, argv, "n:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u32(optarg, &count) || !count) {
				pr_err("--count needs a positive number, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (parse_u32(optarg, &timeout_s) || !timeout_s ||
			    timeout_s > 86400 * 365) {
				pr_err("--timeout needs a positive number of seconds, not '%s'\n",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			return cmd_usage_exit(c, usage);
		}
	}
	if (!cmd_operands(argc, 0, usage, "monitor takes no arguments"))
		return EXIT_USAGE;

	sk = ttrec_nl_events_open();
	if (!sk) {
		if (errno == ENOENT)
			pr_err("the ttrec netlink family is not registered: "
			       "load the ttrec kernel module first\n");
		else
			pr_err("cannot subscribe to ttrec events: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Subscribed: from here on no event is missed (scripts wait for it). */
	fprintf(stderr, "ttrec: listening for events; Ctrl-C to stop\n");
	while (!stop && (!count || seen < count)) {
		ret = ttrec_nl_events_next(sk, &ev, timeout_s ? (int)timeout_s * 1000 : -1);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			pr_err("reading ttrec events: %s\n", strerror(-ret));
			ttrec_nl_events_close(sk);
			return EXIT_FAIL;
		}
		if (ret == 0)
			break;
		seen++;
		printf("%s session=%llu pid=%u", ttrec_event_name(ev.event),
		       (unsigned long long)ev.session_id, ev.pid);
		if (ev.has_exit_status) {
			ttrec_wait_status_str(ev.exit_status, buf, sizeof(buf));
			printf(" status=0x%x (%s)", ev.exit_status, buf);
		}
		if (ev.has_snapshot)
			printf(" snapshot=%llu pause_us=%llu pages_shared=%llu pages_copied=%llu",
			       (unsigned long long)ev.snap_id,
			       (unsigned long long)ev.pause_ns / 1000,
			       (unsigned long long)ev.pages_shared,
			       (unsigned long long)ev.pages_copied);
		printf("\n");
	}
	ttrec_nl_events_close(sk);
	return EXIT_OK;
}
