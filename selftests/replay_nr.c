// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall numbers outside the table, end to end: a program that calls
 * syscall(-1), syscall(1000), an x32 number and one wider than 32 bits
 * (workloads/rp_nr) is recorded; the journal keeps each number whole, so
 * replay finds the same numbers and returns ENOSYS again, dump shows them
 * as the program called them and info counts them. Runs on the host and in
 * the test VM (as root).
 */
#include <stdio.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "replay_common.h"

/* `ttrec ARGS` on the recording; its stdout in self->rep. */
static int ttrec_on_rec(FIXTURE_DATA(rp) *self, const char *args)
{
	char path[PATH_MAX + 16];
	int st;

	st = sh("%s %s %s > %s/cmd.out 2>&1", ttrec_bin, args, self->dir, self->tmp);
	snprintf(path, sizeof(path), "%s/cmd.out", self->tmp);
	self->nrep = slurp(path, self->rep, OUT_MAX);
	return st;
}

/* Recorded and replayed: the same numbers, ENOSYS for each, the same output. */
TEST_F_TIMEOUT(rp, invalid_numbers_replay, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_nr", wl_dir);
	RECORD_REPLAY("", cmd, "rp_nr done");
	EXPECT_NE(NULL, strstr(self->rec, "syscall(0xffffffffffffffff) = -1 ENOSYS\n"));
	EXPECT_NE(NULL, strstr(self->rec, "syscall(0x123456789abcdef0) = -1 ENOSYS\n"));
}

/* dump shows each number whole, in text and JSON. */
TEST_F_TIMEOUT(rp, invalid_numbers_dump, 60)
{
	static const char *const want[] = {
		"syscall(-1) = -1 ENOSYS (Function not implemented) [outputs unknown]\n",
		"syscall(1000) = -1 ENOSYS (Function not implemented) [outputs unknown]\n",
		"syscall(0x40000027) = -1 ENOSYS (Function not implemented) [outputs unknown]\n",
		"syscall(0x123456789abcdef0) = -1 ENOSYS (Function not implemented) [outputs unknown]\n",
		"getppid() = ",
	};
	char cmd[CMD_MAX];
	unsigned int i;

	snprintf(cmd, sizeof(cmd), "%s/rp_nr", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_EQ(0, ttrec_on_rec(self, "dump"));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		EXPECT_NE(NULL, strstr(self->rep, want[i]))
			TH_LOG("no '%s' in:\n%.3000s", want[i], self->rep);
	}
	ASSERT_EQ(0, ttrec_on_rec(self, "dump --json"));
	EXPECT_NE(NULL, strstr(self->rep, "\"nr\":-1,\"name\":\"?\""));
	EXPECT_NE(NULL, strstr(self->rep, "\"nr\":1311768467463790320,\"name\":\"?\""))
		TH_LOG("%.3000s", self->rep);
}

/* info counts the calls of numbers outside the table, each number whole. */
TEST_F_TIMEOUT(rp, invalid_numbers_info, 60)
{
	char cmd[CMD_MAX];

	snprintf(cmd, sizeof(cmd), "%s/rp_nr", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_EQ(0, ttrec_on_rec(self, "info"));
	EXPECT_NE(NULL, strstr(self->rep,
		"  not in the table: 4 calls: syscall(-1)=1 syscall(1000)=1 syscall(0x40000027)=1 syscall(0x123456789abcdef0)=1\n"))
		TH_LOG("%.3000s", self->rep);
	EXPECT_NE(NULL, strstr(self->rep, "replayable:  yes"));
}

TEST_HARNESS_MAIN
