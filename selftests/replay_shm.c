// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec replay, end to end: shared memory and memory advice. Each test
 * records parts of the rp_shm workload, which compute something through
 * shared or advised memory and print it with a verdict ("ok", "WRONG")
 * and a digest, and replays them: the replay must be OK and print the
 * same lines. Memory that another recorded process wrote is reproduced
 * by replaying that process too.
 *
 * Runs on the host and in the test VM (as root).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "replay_common.h"

/* Record and replay `rp_shm PARTS`: the same output, and every verdict ok. */
#define SHM_PARTS(parts) do {								\
	char cmd[CMD_MAX];								\
											\
	snprintf(cmd, sizeof(cmd), "%s/rp_shm %s", wl_dir, parts);			\
	RECORD_REPLAY("", cmd, "rp_shm done");						\
	EXPECT_FALSE(has(self->rec, "WRONG")) TH_LOG("%s", self->rec);			\
	EXPECT_FALSE(has(self->err, "anonymous memory")) TH_LOG("%s", self->err);	\
} while (0)

/*
 * memfd_create is a real memfd in the replay: what the program wrote to it
 * (write, after a read moved the offset; ftruncate) is in its mapping, and
 * a child that maps it after fork, or after exec with the descriptor
 * inherited, shares that memory with the parent both ways.
 */
TEST_F_TIMEOUT(rp, memfd_shared, 60)
{
	SHM_PARTS("memfd");
	EXPECT_TRUE(has(self->rec, "memfd: parent sees the child's data: ok"))
		TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "memfd: exec'd child: status 0, parent sees its data: ok"))
		TH_LOG("%s", self->rec);
}

/* MADV_REMOVE punches a hole in shared memfd memory, seen by every mapping. */
TEST_F_TIMEOUT(rp, madv_remove, 60)
{
	SHM_PARTS("remove");
	EXPECT_TRUE(has(self->rec, "remove: 0, a hole: ok, seen through another mapping: ok"))
		TH_LOG("%s", self->rec);
}

TEST_HARNESS_MAIN
