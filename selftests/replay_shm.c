// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec replay, end to end: shared memory and memory advice. Each test
 * records parts of the rp_shm workload, which compute something through
 * shared or advised memory and print it with a verdict ("ok", "WRONG")
 * and a digest, and replays them: the replay must be OK and print the
 * same lines. Memory that another recorded process wrote is reproduced
 * by replaying that process too; the files the recording made are kept
 * by the replay (memfds) so that their mappings hold what they held.
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
 * A file the program creates, maps MAP_SHARED, writes through the mapping
 * and renames: a child opens it by its new name, maps it, reads the
 * parent's data and writes its own, which the parent reads. The replay
 * keeps the file (a memfd by that name), as the recording's file was
 * gone by then.
 */
TEST_F_TIMEOUT(rp, shared_file, 60)
{
	SHM_PARTS("file");
	EXPECT_TRUE(has(self->rec, "file: child sees the parent's data: ok")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "file: parent sees the child's data: ok")) TH_LOG("%s", self->rec);
}

/*
 * A file written with write() (and pwrite() after it was mapped), then
 * mapped: a MAP_SHARED mapping holds both, a MAP_PRIVATE one the file.
 */
TEST_F_TIMEOUT(rp, written_then_mapped, 60)
{
	SHM_PARTS("written");
	EXPECT_TRUE(has(self->rec, "written: shared mapping holds what was written: ok"))
		TH_LOG("%s", self->rec);
}

/* An O_TMPFILE file, mapped MAP_SHARED by the parent and a child. */
TEST_F_TIMEOUT(rp, tmpfile_shared, 60)
{
	SHM_PARTS("tmpfile");
	EXPECT_TRUE(has(self->rec, "tmpfile: parent sees the child's data: ok"))
		TH_LOG("%s", self->rec);
}

/* POSIX shm: shm_open, ftruncate, mmap; a child shm_opens it by name. */
TEST_F_TIMEOUT(rp, posix_shm, 60)
{
	SHM_PARTS("shm");
	EXPECT_TRUE(has(self->rec, "shm: child sees the parent's data: ok")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "shm: parent sees the child's data: ok")) TH_LOG("%s", self->rec);
}

/* msync, then the file mapped again through another descriptor. */
TEST_F_TIMEOUT(rp, msync_then_map_again, 60)
{
	SHM_PARTS("msync");
	EXPECT_TRUE(has(self->rec, "msync: 0; another mapping of the file holds the data: ok"))
		TH_LOG("%s", self->rec);
}

/*
 * MADV_DONTNEED: private anonymous memory reads back as zero, a private
 * mapping of a file the program wrote as that file.
 */
TEST_F_TIMEOUT(rp, madv_dontneed, 60)
{
	SHM_PARTS("dontneed");
	EXPECT_TRUE(has(self->rec, "dontneed: anonymous 0: zero: ok")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "dontneed: private file mapping 0: the file again: ok"))
		TH_LOG("%s", self->rec);
}

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
