// SPDX-License-Identifier: GPL-2.0
/* ttrec status: is the module loaded, what does it offer, which sessions. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "module/module.h"
#include "cmd/cmd.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec status [-q]\n"
		"\n"
		"Show whether the ttrec kernel module is loaded, its API version and\n"
		"features, and the sessions open on it: target, state, owner, age and,\n"
		"when the module reports it, the session's open snapshots and the pages\n"
		"they hold against its budget (max_snapshot_pages).\n"
		"\n"
		"Options:\n"
		"  -q, --quiet   print nothing; exit 0 if the module is usable\n"
		"  -h, --help    print this help\n"
		"\n"
		"Examples:\n"
		"  sudo ttrec status\n"
		"  ttrec status -q && echo loaded\n"
		"\n"
		"Exit status: 0 module loaded and answering, 1 not loaded or failing,\n"
		"2 usage error.\n");
}

static double age_s(uint64_t attach_ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec - attach_ns) / 1e9;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ttrec_nl_session *s = NULL;
	struct ttrec_api api;
	bool quiet = false, pages;
	char buf[256], age[32];
	int fd, n, i, c;

	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		default:
			return cmd_usage_exit(c, usage);
		}
	}
	if (!cmd_operands(argc, 0, usage, "status takes no arguments"))
		return EXIT_USAGE;

	fd = ttrec_dev_open(0, &api, !quiet && !ttrec_dev_absent());
	if (fd < 0) {
		if (!quiet && fd == -ENOENT)
			printf("module: not loaded (%s is absent)\n"
			       "Load it first: sudo insmod ttrec.ko (or sudo modprobe ttrec once installed).\n",
			       TTREC_DEV_PATH);
		return EXIT_FAIL;
	}
	close(fd);
	if (quiet)
		return EXIT_OK;

	printf("module: loaded (%s)\n", TTREC_DEV_PATH);
	printf("api: %llu\n", (unsigned long long)api.api);
	ttrec_features_str(api.features, buf, sizeof(buf));
	printf("features: %s\n", buf[0] ? buf : "none");
	printf("ioctls: device 0x%llx, session 0x%llx\n",
	       (unsigned long long)api.ioctls,
	       (unsigned long long)api.session_ioctls);

	if (!(api.features & TTREC_FEATURE_NETLINK)) {
		printf("sessions: unknown (module has no netlink family)\n");
		return EXIT_OK;
	}
	n = ttrec_nl_get_sessions(&s);
	if (n < 0) {
		pr_err("cannot list sessions over netlink: %s%s\n", strerror(-n),
		       n == -EPERM ? " (needs CAP_NET_ADMIN: run as root)" : "");
		return EXIT_FAIL;
	}
	printf("sessions: %d\n", n);
	for (i = 0, pages = false; i < n; i++)
		pages |= s[i].has_pages;
	if (n)
		printf("  %-6s %-8s %-16s %-8s %-22s %-8s %-*s%s\n",
		       "ID", "PID", "COMM", "STATE", "EXIT", "OWNER", pages ? 8 : 0, "AGE",
		       pages ? " SNAPS PAGES(HELD/BUDGET)" : "");
	for (i = 0; i < n; i++) {
		if (s[i].state == TTREC_SESSION_EXITED)
			ttrec_wait_status_str(s[i].exit_status, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "-");
		snprintf(age, sizeof(age), "%.1fs", age_s(s[i].attach_ns));
		printf("  %-6llu %-8u %-16s %-8s %-22s %-8u %-*s",
		       (unsigned long long)s[i].id, s[i].pid, s[i].comm,
		       s[i].state == TTREC_SESSION_LIVE ? "live" : "exited",
		       buf, s[i].owner_pid, pages ? 8 : 0, age);
		if (s[i].has_pages)
			printf(" %-5u %llu/%llu", s[i].nr_snapshots,
			       (unsigned long long)s[i].pages_held,
			       (unsigned long long)s[i].page_budget);
		putchar('\n');
	}
	free(s);
	return EXIT_OK;
}
