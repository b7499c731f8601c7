// SPDX-License-Identifier: GPL-2.0
/* What the subcommands' option parsing shares (cmd.h). */
#include <getopt.h>

#include "cmd/cmd.h"
#include "lib/log.h"
#include "lib/util.h"

int cmd_usage_exit(int opt, void (*usage)(FILE *out))
{
	usage(opt == 'h' ? stdout : stderr);
	return opt == 'h' ? EXIT_OK : EXIT_USAGE;
}

bool cmd_operands(int argc, int n, void (*usage)(FILE *out), const char *msg)
{
	if (argc - optind == n)
		return true;
	pr_err("%s\n", msg);
	usage(stderr);
	return false;
}
