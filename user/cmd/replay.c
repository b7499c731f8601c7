// SPDX-License-Identifier: GPL-2.0
/* ttrec replay: re-execute a recording deterministically; time-travel queries. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "gdb/gdb.h"
#include "replay/replay.h"
#include "lib/util.h"
#include "cmd/cmd.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec replay DIR [--verify] [--quiet]\n"
		"       ttrec replay DIR --to SEQ [--regs] [--mem ADDR:LEN]... [--maps] [--stop]\n"
		"       ttrec replay DIR --gdb[=PORT] [--gdb-listen ADDR] [-- GDB-ARGS...]\n"
		"\n"
		"Re-execute the program recorded in DIR (by `ttrec record`) under a\n"
		"replay driver: every syscall it makes is checked against the journal\n"
		"and, instead of running, gets its recorded result and output bytes;\n"
		"the ones that shape the process (memory maps, threads, signals\n"
		"actions, exec, exit) run for real with their result asserted. Signals\n"
		"are delivered where the journal says. Files and sockets are never\n"
		"written; what the program wrote to its stdout and stderr appears again\n"
		"on ttrec's. Any difference from the recording stops the replay with the\n"
		"event number, the thread, what was expected and what happened.\n"
		"\n"
		"Options:\n"
		"  -V, --verify        say OK (or DIVERGED) at the end, with counts\n"
		"  -q, --quiet         do not reproduce the program's stdout and stderr\n"
		"  -F, --from-snapshot N  start from the recording's snapshot N (1 is the\n"
		"                      first; `ttrec info` lists them) instead of the launch;\n"
		"                      with --to alone, the latest snapshot at or before SEQ\n"
		"                      is used (-v says which). Single-threaded snapshots only\n"
		"  -t, --to SEQ        stop right after event SEQ (numbers as in `ttrec dump`)\n"
		"                      and answer the queries below about that moment:\n"
		"  -r, --regs          the registers of every thread\n"
		"  -m, --mem ADDR:LEN  LEN bytes at ADDR (hex with 0x, or decimal), hex + ASCII\n"
		"                      (may be repeated)\n"
		"  -M, --maps          the memory map (/proc/PID/maps)\n"
		"  -s, --stop          leave the process stopped for `gdb -p PID`\n"
		"  -g, --gdb[=PORT]    debug the replay in gdb, with reverse execution: without\n"
		"                      PORT, start gdb connected to it (GDB-ARGS are passed on);\n"
		"                      with PORT, serve the gdb remote protocol there\n"
		"                      (`target remote HOST:PORT`; 0: any free port, printed)\n"
		"  -L, --gdb-listen ADDR  the IPv4 address to serve on (default 127.0.0.1);\n"
		"                      anyone who reaches it controls the replay: there is no\n"
		"                      authentication\n"
		"  -h, --help          print this help\n"
		"\n"
		"Examples:\n"
		"  ttrec record -o /tmp/ls.rec -- ls -l /\n"
		"  ttrec replay /tmp/ls.rec                 # the same listing, from the journal\n"
		"  ttrec replay /tmp/ls.rec --verify --quiet\n"
		"  ttrec dump /tmp/ls.rec | grep write      # pick an event\n"
		"  ttrec replay /tmp/ls.rec --to 150 --regs --mem 0x7fffffffe000:64\n"
		"  ttrec replay /tmp/ls.rec --to 150 --stop # then: gdb -p PID\n"
		"  ttrec replay /tmp/ls.rec --gdb           # break, continue, reverse-continue...\n"
		"  ttrec replay /tmp/ls.rec --gdb=2345      # then elsewhere: gdb, target remote :2345\n"
		"\n"
		"Exit status: 0 replayed as recorded, 1 failure (not a replayable\n"
		"recording, ...), 2 usage error, 3 the replay diverged.\n");
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verify", no_argument, NULL, 'V' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "to", required_argument, NULL, 't' },
		{ "from-snapshot", required_argument, NULL, 'F' },
		{ "regs", no_argument, NULL, 'r' },
		{ "mem", required_argument, NULL, 'm' },
		{ "maps", no_argument, NULL, 'M' },
		{ "stop", no_argument, NULL, 's' },
		{ "gdb", optional_argument, NULL, 'g' },
		{ "gdb-listen", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct gdb_opts g = { .port = -1 };
	struct replay_opts o = { 0 };
	bool gdb = false;
	uint32_t port;
	int c;

	while ((c = getopt_long(argc, argv, "Vqt:F:rm:Msg::L:h", opts, NULL)) != -1) {
		switch (c) {
		case 'V':
			o.verify = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 't':
			if (parse_u64(optarg, &o.to) || !o.to) {
				pr_err("--to: '%s' is not an event number\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'F':
			if (parse_u64(optarg, &o.from_snapshot) || !o.from_snapshot) {
				pr_err("--from-snapshot: '%s' is not a snapshot number (1 is the first)\n",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r':
			o.regs = true;
			break;
		case 'm':
			if (o.nmem == REPLAY_MAX_MEM ||
			    parse_addr_len(optarg, 1 << 20, &o.mem[o.nmem].addr, &o.mem[o.nmem].len)) {
				pr_err("--mem: '%s' is not ADDR:LEN (LEN 1..1048576; at most %d of them)\n",
				       optarg, REPLAY_MAX_MEM);
				return EXIT_USAGE;
			}
			o.nmem++;
			break;
		case 'M':
			o.maps = true;
			break;
		case 's':
			o.stop = true;
			break;
		case 'g':
			gdb = true;
			if (optarg && (parse_u32(optarg, &port) || port > 65535)) {
				pr_err("--gdb: '%s' is not a port\n", optarg);
				return EXIT_USAGE;
			}
			if (optarg)
				g.port = port;
			break;
		case 'L':
			g.listen = optarg;
			break;
		default:
			return cmd_usage_exit(c, usage);
		}
	}
	if (gdb) {
		/* DIR, then (after "--") what goes to gdb */
		if (optind >= argc) {
			pr_err("replay: give one recording directory\n");
			usage(stderr);
			return EXIT_USAGE;
		}
		if (o.to || o.regs || o.nmem || o.maps || o.stop || o.verify) {
			pr_err("replay: --gdb goes with none of --to, --regs, --mem, --maps, --stop, --verify\n");
			return EXIT_USAGE;
		}
		if (g.port >= 0 && optind + 1 < argc) {
			pr_err("replay: gdb arguments need --gdb without a port (gdb started by ttrec)\n");
			return EXIT_USAGE;
		}
		o.dir = argv[optind];
		g.gdb_args = argv + optind + 1;
		g.ngdb_args = argc - optind - 1;
		return gdb_serve(&o, &g);
	}
	if (g.listen) {
		pr_err("replay: --gdb-listen goes with --gdb\n");
		return EXIT_USAGE;
	}
	if (!cmd_operands(argc, 1, usage, "replay: give one recording directory"))
		return EXIT_USAGE;
	if (!o.to && (o.regs || o.nmem || o.maps || o.stop)) {
		pr_err("replay: --regs, --mem, --maps and --stop need --to SEQ\n");
		return EXIT_USAGE;
	}
	o.dir = argv[optind];
	return replay_run(&o);
}
