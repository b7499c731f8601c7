// SPDX-License-Identifier: GPL-2.0
/* ttrec restore: make a process of a snapshot image again (user/restore/). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/log.h"
#include "lib/util.h"
#include "restore/restore.h"
#include "cmd/cmd.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec restore IMAGE [--pidns] [--stop] [--detach] [-v]\n"
		"\n"
		"Make a process of the snapshot image IMAGE again (an incremental image\n"
		"with its parent chain): its memory, every thread with its registers,\n"
		"signal mask and thread-local storage, and its vDSO, at the addresses\n"
		"they had, with the pid and thread ids it had. It continues where the\n"
		"snapshot was taken: a thread that was in a blocking system call makes\n"
		"it again, a sleep resumes for the time it had left. Its signal\n"
		"actions, pending signals, interval and POSIX timers, cwd, umask,\n"
		"limits, personality, memory layout fields and credentials are the\n"
		"image's. No kernel module is needed; needs root, and the kernel the\n"
		"image was taken on.\n"
		"\n"
		"Not restored yet: descriptors (the process gets the restore's stdin,\n"
		"stdout and stderr, nothing else); see restore.rst.\n"
		"\n"
		"Without --detach, the restore waits for the process and exits with\n"
		"its exit status (128 + N when killed by signal N).\n"
		"\n"
		"Options:\n"
		"  --pidns        restore into a new pid namespace, whose init is a\n"
		"                 process of ttrec's: for when the pid is taken (the\n"
		"                 process still runs, or is restored twice)\n"
		"  --stop         leave the process stopped (SIGSTOP), for a debugger:\n"
		"                 gdb -p PID, or kill -CONT PID\n"
		"  -d, --detach   do not wait for the process; print its pid and exit\n"
		"  -v, --verbose  what was restored (VMAs, pages, threads, handlers,\n"
		"                 pending signals, timers, credentials), with timings\n"
		"  -h, --help     print this help\n"
		"\n"
		"Examples:\n"
		"  sudo ttrec snapshot 1234 -o /tmp/a.img && kill 1234\n"
		"  sudo ttrec restore /tmp/a.img\n"
		"  sudo ttrec restore --pidns -v /tmp/b.img   # b.img's parent a.img beside it\n"
		"  sudo ttrec restore --stop --detach /tmp/a.img && sudo gdb -p 1234\n"
		"\n"
		"Exit status: the process's, or 1 when the restore fails (a corrupt\n"
		"image or a missing parent, a pid taken, no permission, an image of\n"
		"another kernel, ...), 2 usage error; with --detach 0 once it runs.\n");
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pidns", no_argument, NULL, 'n' },
		{ "stop", no_argument, NULL, 's' },
		{ "detach", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct restore_opts o = { 0 };
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "dvh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.pidns = true;
			break;
		case 's':
			o.stop = true;
			break;
		case 'd':
			o.detach = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		default:
			return cmd_usage_exit(c, usage);
		}
	}
	if (!cmd_operands(argc, 1, usage, "restore: give exactly one image"))
		return EXIT_USAGE;
	o.image = argv[optind];
	if (restore_run(&o, &status))
		return EXIT_FAIL;
	return status;
}
