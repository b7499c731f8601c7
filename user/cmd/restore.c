// SPDX-License-Identifier: GPL-2.0
/* ttrec restore: make a process of a snapshot image again (user/restore/). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"
#include "restore/restore.h"
#include "cmd/cmd.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec restore IMAGE [--pidns] [--stop] [--detach] [-v]\n"
		"                     [--inherit-fd N=PATH]... [--skip-unsupported] [--force]\n"
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
		"Descriptors come back at their numbers with their flags: files at\n"
		"their offsets (refused if changed since the snapshot), directories,\n"
		"devices, pipes and FIFOs with their bytes, eventfd, timerfd, signalfd,\n"
		"epoll sets, memfds. Descriptors on a terminal or on a pipe to the\n"
		"outside become the restore's own stdin, stdout, stderr. A descriptor\n"
		"ttrec cannot re-create fails the restore, with the list of them; see\n"
		"restore.rst.\n"
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
		"  --inherit-fd N=PATH\n"
		"                 descriptor N is PATH opened anew, as N was opened\n"
		"                 (for reading, writing or both; a file to write is\n"
		"                 created if missing, not truncated): a file, a device,\n"
		"                 a FIFO; N any descriptor the process had, of any kind\n"
		"  --skip-unsupported\n"
		"                 a descriptor ttrec cannot re-create becomes /dev/null\n"
		"                 (each named on stderr) instead of failing the restore\n"
		"  --force        open files changed or replaced since the snapshot\n"
		"                 as they are now, with a warning\n"
		"  -v, --verbose  what was restored (VMAs, pages, descriptors, threads,\n"
		"                 handlers, pending signals, timers, credentials), with\n"
		"                 timings\n"
		"  -h, --help     print this help\n"
		"\n"
		"Examples:\n"
		"  sudo ttrec snapshot 1234 -o /tmp/a.img && kill 1234\n"
		"  sudo ttrec restore /tmp/a.img\n"
		"  sudo ttrec restore --pidns -v /tmp/b.img   # b.img's parent a.img beside it\n"
		"  sudo ttrec restore --stop --detach /tmp/a.img && sudo gdb -p 1234\n"
		"  sudo ttrec restore --inherit-fd 1=/tmp/out.log /tmp/a.img\n"
		"\n"
		"Exit status: the process's, or 1 when the restore fails (a corrupt\n"
		"image or a missing parent, a pid taken, no permission, an image of\n"
		"another kernel, a descriptor that cannot be re-created, a changed\n"
		"file, ...), 2 usage error; with --detach 0 once it runs.\n");
}

/* --inherit-fd N=PATH added to @in (o->inherit): the new array, or NULL
 * after saying why (@in freed). */
static struct restore_inherit *add_inherit(struct restore_inherit *in,
					   struct restore_opts *o, char *arg)
{
	char *eq = strchr(arg, '=');
	struct restore_inherit *n;
	uint32_t fd;

	if (eq)
		*eq = 0;
	if (!eq || !eq[1] || parse_u32(arg, &fd) || fd > INT32_MAX) {
		fprintf(stderr, "restore: --inherit-fd takes N=PATH (a descriptor number and a path), not '%s%s%s'\n",
			arg, eq ? "=" : "", eq ? eq + 1 : "");
		free(in);
		return NULL;
	}
	for (unsigned int i = 0; i < o->nr_inherit; i++) {
		if (in[i].fd == (int)fd) {
			fprintf(stderr, "restore: --inherit-fd %u given twice\n", fd);
			free(in);
			return NULL;
		}
	}
	n = realloc(in, (o->nr_inherit + 1) * sizeof(*n));
	if (!n) {
		free(in);
		return NULL;
	}
	n[o->nr_inherit++] = (struct restore_inherit){ (int)fd, eq + 1 };
	o->inherit = n;
	return n;
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pidns", no_argument, NULL, 'n' },
		{ "stop", no_argument, NULL, 's' },
		{ "detach", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "inherit-fd", required_argument, NULL, 'i' },
		{ "skip-unsupported", no_argument, NULL, 'u' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct restore_opts o = { 0 };
	struct restore_inherit *in = NULL;
	int c, status = 0, ret;

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
		case 'u':
			o.skip_unsupported = true;
			break;
		case 'f':
			o.force = true;
			break;
		case 'i':
			in = add_inherit(in, &o, optarg);
			if (!in)
				return EXIT_USAGE;
			break;
		default:
			free(in);
			return cmd_usage_exit(c, usage);
		}
	}
	if (!cmd_operands(argc, 1, usage, "restore: give exactly one image")) {
		free(in);
		return EXIT_USAGE;
	}
	o.image = argv[optind];
	ret = restore_run(&o, &status) ? EXIT_FAIL : status;
	free(in);
	return ret;
}
