// SPDX-License-Identifier: GPL-2.0
/* ttrec: a time machine for Linux processes. Subcommand dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include <linux/ttrec.h>

#include "lib/util.h"
#include "cmd/cmd.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "status",  cmd_status,  "show whether ttrec.ko is loaded, its API and live sessions" },
	{ "monitor", cmd_monitor, "print ttrec.ko events (sessions opened, closed, targets exited)" },
	{ "record",  cmd_record,  "run a command and record its syscalls, signals and scheduling" },
	{ "attach",  cmd_attach,  "record a running process until it exits, Ctrl-C or --duration" },
	{ "dump",    cmd_dump,    "print the events of a recording, or what a snapshot image holds" },
	{ "info",    cmd_info,    "summarise a recording, or a snapshot image and its parent chain" },
	{ "snapshot", cmd_snapshot, "snapshot a running process into an image file" },
	{ "restore", cmd_restore, "make a process of a snapshot image again" },
	{ "replay",  cmd_replay,  "re-execute a recording deterministically; inspect any event" },
	{ "export",  cmd_export,  "write a recording as a timeline for ui.perfetto.dev" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	unsigned int i;

	fprintf(out,
		"Usage: ttrec [-v] [--version] [--help] COMMAND [ARGS...]\n"
		"\n"
		"ttrec records what a process does at the kernel boundary (syscall\n"
		"results, signals, scheduling) into a journal, replays a recorded\n"
		"program deterministically from it (inspecting any event), snapshots\n"
		"a process (copy-on-write with ttrec.ko) and restores a snapshot.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Options:\n"
		"  -v, --verbose   print debug messages, libbpf's included\n"
		"  -V, --version   print the version and exit\n"
		"  -h, --help      print this help and exit\n"
		"\n"
		"'ttrec COMMAND --help' describes a command.\n"
		"Exit status: 0 success, 1 failure, 2 usage error (replay: 3 divergence).\n");
}

int main(int argc, char **argv)
{
	int i = 1;
	unsigned int c;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			log_verbosity = LOG_DEBUG;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("ttrec %s (uapi %d)\n", TTREC_VERSION, TTREC_API);
			return EXIT_OK;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			pr_err("unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	log_setup_libbpf();
	for (c = 0; c < NR_COMMANDS; c++) {
		if (!strcmp(argv[i], commands[c].name)) {
			optind = 1;	/* each command runs its own getopt */
			return commands[c].fn(argc - i, argv + i);
		}
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 < argc) {
			char *help[] = { argv[i + 1], "--help", NULL };

			for (c = 0; c < NR_COMMANDS; c++)
				if (!strcmp(argv[i + 1], commands[c].name))
					return commands[c].fn(2, help);
		}
		usage(stdout);
		return EXIT_OK;
	}
	pr_err("unknown command '%s'; 'ttrec --help' lists the commands\n", argv[i]);
	return EXIT_USAGE;
}
