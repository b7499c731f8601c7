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
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/capability.h>

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

/*
 * A file that was there before, opened for reading and writing and mapped
 * MAP_SHARED with PROT_WRITE: the replay opens it read-only, and maps it
 * privately, as it is.
 */
TEST_F_TIMEOUT(rp, existing_shared_writable, 60)
{
	ASSERT_EQ(0, sh("seq 1 3000 > %s/rp_shm.existing", self->tmp));
	SHM_PARTS("existing");
	EXPECT_TRUE(has(self->rec, "existing: 13893 bytes")) TH_LOG("%s", self->rec);
}

/*
 * A file that was there before (zeros) and is gone at the replay, mapped
 * MAP_SHARED: anonymous memory in the replay, but shared, so that the
 * parent reads what a child wrote through the mapping it inherited.
 */
TEST_F_TIMEOUT(rp, gone_shared_across_fork, 60)
{
	char cmd[CMD_MAX];

	ASSERT_EQ(0, sh("head -c 65536 /dev/zero > %s/rp_shm.gone", self->tmp));
	snprintf(cmd, sizeof(cmd), "%s/rp_shm gone", wl_dir);
	RECORD_REPLAY("", cmd, "rp_shm done");
	EXPECT_TRUE(has(self->rec, "gone: parent sees the child's data: ok")) TH_LOG("%s", self->rec);
	EXPECT_FALSE(has(self->rec, "WRONG")) TH_LOG("%s", self->rec);
	/* the file's contents are not in the replay: it says so */
	EXPECT_TRUE(has(self->err, "anonymous memory")) TH_LOG("%s", self->err);
}

/*
 * mlock, mlock2, munlock, mlockall, munlockall and an mmap with MAP_LOCKED
 * that succeeded in the recording (as root) succeed in a replay that may
 * lock only 64 KiB (RLIMIT_MEMLOCK, without CAP_IPC_LOCK): the replay
 * locks nothing.
 */
TEST_F_TIMEOUT(rp, mlock_lower_limit, 60)
{
	struct rlimit rl = { 64 << 10, 64 << 10 };
	char cmd[CMD_MAX];

	if (geteuid())
		SKIP(return, "the recording must be able to lock 256 KiB: needs root");
	snprintf(cmd, sizeof(cmd), "%s/rp_shm mlock", wl_dir);
	ASSERT_EQ(0, record(self, "", cmd));
	ASSERT_TRUE(has(self->rec, "mlock: 0 0 0 0, mmap MAP_LOCKED 0, munlockall 0, data kept: ok"))
		TH_LOG("%s", self->rec);
	/* this test's process only: the replay (a new program) without CAP_IPC_LOCK */
	ASSERT_EQ(0, prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_EQ(0, replay(self, "--verify")) TH_LOG("replay: %.3000s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "replay OK")) TH_LOG("%.2000s", self->err);
	EXPECT_EQ(self->nrec, self->nrep);
	EXPECT_EQ(0, memcmp(self->rec, self->rep, self->nrec))
		TH_LOG("recorded:\n%.1500s\nreplayed:\n%.1500s", self->rec, self->rep);
}

/*
 * What works without the replay keeping anything: MAP_SHARED|MAP_ANONYMOUS
 * across fork (both processes are replayed), MADV_FREE, MADV_DONTFORK and
 * MADV_WIPEONFORK (madvise runs for real, the child is replayed).
 */
TEST_F_TIMEOUT(rp, anon_free_fork, 60)
{
	SHM_PARTS("anon free fork");
	EXPECT_TRUE(has(self->rec, "anon: parent sees the child's data: ok")) TH_LOG("%s", self->rec);
	EXPECT_TRUE(has(self->rec, "fork: child: DONTFORK region gone: ok (12), WIPEONFORK region zero: ok"))
		TH_LOG("%s", self->rec);
}

/* Every part in one program, one after the other. */
TEST_F_TIMEOUT(rp, all_parts, 90)
{
	SHM_PARTS("all");
}

TEST_HARNESS_MAIN
