/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands main.c dispatches to, one file each in user/cmd/. */
#ifndef TTREC_CMD_CMD_H
#define TTREC_CMD_CMD_H

/* Subcommands: each parses its own options; returns an EXIT_* status. */
int cmd_status(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_replay(int argc, char **argv);

#endif
