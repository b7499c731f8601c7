// SPDX-License-Identifier: GPL-2.0
/*
 * Replay from a snapshot (VM only, with ttrec.ko): record
 * --snapshot-interval 0.2 of workloads/snapstep, whose `value` changes with
 * every round and is logged by the round's write(2). From each snapshot
 * (--from-snapshot K) to the write of a later round, --mem shows the value
 * the workload logged there; --to alone starts from the latest snapshot at
 * or before its event (-v says which) and shows the same; from a snapshot
 * to the end, --verify says OK and the output from there on is reproduced.
 * A snapshot number the journal does not have is a clear error.
 */
#include <inttypes.h>
#include <stdint.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "snapcli.h"

#define MAX_STEPS	400
#define MAX_SNAPS	64

FIXTURE(fromsnap) {
	char dir[64];
};

FIXTURE_SETUP(fromsnap)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/ttrec-fromsnap.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(fromsnap)
{
	struct cmd_out c;

	if (!sh(&c, "rm -rf %s", self->dir))
		cmd_out_free(&c);
}

/* The 8 bytes --mem printed (little endian), or ~0 */
static uint64_t mem_value(const char *out)
{
	const char *p = strstr(out, "memory 0x");
	unsigned int b[8];
	uint64_t v = 0;
	int i;

	if (!p || !(p = strchr(p, '\n')))
		return ~0ULL;
	if (sscanf(p + 1, " %*x %x %x %x %x %x %x %x %x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &b[6], &b[7]) != 8)
		return ~0ULL;
	for (i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

TEST_F_TIMEOUT(fromsnap, replay_from_each_snapshot, 900)
{
	static uint64_t values[MAX_STEPS + 1], wseq[MAX_STEPS + 1], snap[MAX_SNAPS + 1];
	unsigned long long addr = 0, seq, v;
	unsigned int nsteps = 0, nw = 0, nsnaps = 0, k, i, checked = 0;
	char rec[128], out[128], l[256], *line, *save;
	struct cmd_out c;
	FILE *f;

	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	snprintf(rec, sizeof(rec), "%s/rec", self->dir);
	snprintf(out, sizeof(out), "%s/wl.out", self->dir);
	ASSERT_EQ(0, sh(&c, "%s record -o %s --snapshot-interval 0.2 -- %s/snapstep 120 20 > %s",
			ttrec_bin, rec, wl_dir, out));
	ASSERT_EQ(0, c.status) TH_LOG("%s", c.err);
	cmd_out_free(&c);
	f = fopen(out, "r");
	ASSERT_NE(NULL, f);
	while (fgets(l, sizeof(l), f)) {
		if (sscanf(l, "snapstep addr %llx", &addr) == 1)
			continue;
		if (sscanf(l, "step %u %llx", &i, &v) == 2 && i == nsteps + 1 && i <= MAX_STEPS)
			values[++nsteps] = v;
	}
	fclose(f);
	ASSERT_NE(0ULL, addr);
	ASSERT_EQ(120U, nsteps);

	/* each write(1, ...) in order: the address line, then step 1, 2... */
	ASSERT_EQ(0, sh(&c, "%s dump %s", ttrec_bin, rec));
	ASSERT_EQ(0, c.status);
	for (line = strtok_r(c.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "#%llu", &seq) == 1 && strstr(line, " write(1, ") && nw <= MAX_STEPS)
			wseq[nw++] = seq;
	}
	cmd_out_free(&c);
	ASSERT_EQ(nsteps + 2, nw);	/* and "snapstep ok" */

	ASSERT_EQ(0, sh(&c, "%s info %s", ttrec_bin, rec));
	for (line = strtok_r(c.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "snapshot %u:  at #%llu", &k, &seq) == 2 && k == nsnaps + 1 &&
		    k <= MAX_SNAPS)
			snap[++nsnaps] = seq;
	}
	cmd_out_free(&c);
	TH_LOG("%u snapshots, %u steps", nsnaps, nsteps);
	ASSERT_EQ(0, sh(&c, "%s info %s", ttrec_bin, rec));
	snprintf(l, sizeof(l), "to the table); from snapshots 1-%u (replay --from-snapshot N)\n",
		 nsnaps);
	EXPECT_NE(NULL, strstr(c.out, l)) TH_LOG("no '%s' in:\n%s", l, c.out);
	cmd_out_free(&c);
	ASSERT_LE(3U, nsnaps);

	for (k = 1; k <= nsnaps; k++) {
		unsigned int target, latest;

		/*
		 * From main on: a snapshot taken while ld.so still maps the
		 * libraries cannot be replayed from (see replay.rst, Replay
		 * from a snapshot: an mmap of a descriptor, or at an address
		 * the kernel picks, after the snapshot)
		 */
		if (snap[k] < wseq[0])
			continue;

		/* the write of the third round after the snapshot */
		for (i = 1; i <= nsteps && wseq[i] < snap[k]; i++)
			;
		target = i + 2;
		if (target > nsteps)
			break;
		ASSERT_EQ(0, sh(&c, "%s replay %s --from-snapshot %u --to %llu --mem %#llx:8 -q",
				ttrec_bin, rec, k, (unsigned long long)wseq[target], addr));
		EXPECT_EQ(0, c.status) TH_LOG("snapshot %u: %s", k, c.err);
		EXPECT_EQ(values[target], mem_value(c.out))
			TH_LOG("snapshot %u to #%llu (step %u): %s", k,
			       (unsigned long long)wseq[target], target, c.out);
		cmd_out_free(&c);

		/* --to alone: the latest snapshot at or before its event */
		for (latest = k; latest < nsnaps && snap[latest + 1] <= wseq[target]; latest++)
			;
		ASSERT_EQ(0, sh(&c, "%s -v replay %s --to %llu --mem %#llx:8 -q", ttrec_bin, rec,
				(unsigned long long)wseq[target], addr));
		EXPECT_EQ(0, c.status) TH_LOG("%s", c.err);
		EXPECT_EQ(values[target], mem_value(c.out)) TH_LOG("%s", c.out);
		{
			char want[64];

			snprintf(want, sizeof(want), "from snapshot %u ", latest);
			EXPECT_NE(NULL, strstr(c.err, want)) TH_LOG("want '%s' in: %s", want, c.err);
		}
		cmd_out_free(&c);
		checked++;
	}
	EXPECT_LE(3U, checked);

	/* from the last snapshot but one to the end */
	ASSERT_EQ(0, sh(&c, "%s replay %s --from-snapshot %u --verify", ttrec_bin, rec, nsnaps - 1));
	EXPECT_EQ(0, c.status) TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.err, "replay OK")) TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.out, "snapstep ok\n")) TH_LOG("%s", c.out);
	{
		char want[64];

		snprintf(want, sizeof(want), "step %u %016llx\n", nsteps,
			 (unsigned long long)values[nsteps]);
		EXPECT_NE(NULL, strstr(c.out, want)) TH_LOG("no '%s'", want);
	}
	cmd_out_free(&c);

	/* bad numbers: clear errors */
	ASSERT_EQ(0, sh(&c, "%s replay %s --from-snapshot %u", ttrec_bin, rec, nsnaps + 1));
	EXPECT_EQ(1, c.status) TH_LOG("%s", c.err);
	snprintf(l, sizeof(l), "the journal has %u snapshots", nsnaps);
	EXPECT_NE(NULL, strstr(c.err, l)) TH_LOG("%s", c.err);
	cmd_out_free(&c);
	ASSERT_EQ(0, sh(&c, "%s replay %s --from-snapshot 0", ttrec_bin, rec));
	EXPECT_EQ(2, c.status);
	EXPECT_NE(NULL, strstr(c.err, "is not a snapshot number")) TH_LOG("%s", c.err);
	cmd_out_free(&c);
}

TEST_HARNESS_MAIN
