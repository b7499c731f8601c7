/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands main.c dispatches to, one file each in user/cmd/. */
#ifndef TTREC_CMD_CMD_H
#define TTREC_CMD_CMD_H

#include <stdbool.h>
#include <stdio.h>

/* Subcommands: each parses its own options; returns an EXIT_* status. */
int cmd_status(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_restore(int argc, char **argv);

/*
 * options.c: the end of every subcommand's getopt loop. -h/--help prints
 * @usage to stdout (EXIT_OK), any other option to stderr (EXIT_USAGE);
 * returns that status.
 */
int cmd_usage_exit(int opt, void (*usage)(FILE *out));
/*
 * Exactly @n operands after the options (optind), else @msg, @usage on
 * stderr and false.
 */
bool cmd_operands(int argc, int n, void (*usage)(FILE *out), const char *msg);

#endif
