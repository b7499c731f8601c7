/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ttrec replay --gdb: a gdb remote-protocol server on a replay (the files
 * of user/gdb/, internal.h names them). Documentation/replay.rst, "gdb".
 */
#ifndef TTREC_GDB_GDB_H
#define TTREC_GDB_GDB_H

#include "replay/replay.h"

struct gdb_opts {
	const char *listen;	/* the address to listen on; NULL: 127.0.0.1 */
	int port;		/* 0: any free one; -1: any, and start gdb connected to it */
	char **gdb_args;	/* more arguments for the gdb started (port -1) */
	int ngdb_args;
};

/*
 * Replay the recording @o->dir under the server: listen, take one
 * connection (or start gdb), serve it until gdb detaches, kills or goes
 * away, then end the replay. Return: an EXIT_* status.
 */
int gdb_serve(const struct replay_opts *o, const struct gdb_opts *g);

#endif
