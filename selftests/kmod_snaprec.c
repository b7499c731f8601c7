// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots placed in the journal (VM only, with ttrec.ko): attach and
 * record with --snapshot-interval 0.2 of workloads/snappos, whose counting
 * threads have the kernel write their counters (each read(2) returns the
 * next number), and one thread blocked in read(2). For every snapshot the
 * journal has its REC_SNAP record, naming an image that exists and has the
 * record's image id, snapshot id and pid; each counting thread's counter in
 * the image equals the number of its reads in the journal up to its
 * position; the blocked thread is marked as inside its read; each position
 * is before the thread's PARK record, which is before the snapshot's; the
 * sequence numbers have no hole; dump, dump --json and info show them.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "format/records.h"
#include "image/image.h"
#include "lib/log.h"
#include "syscalls/table.h"
#include "snapcli.h"

#define MAX_COUNTERS	8

/* What the workload said about itself. */
struct wl_info {
	pid_t pid;
	unsigned int n;
	struct {
		uint32_t tid;
		int fd;
		uint64_t addr;
		uint64_t *reads;	/* seqs of its reads that returned 8 */
		uint64_t *values;	/* what each of them read */
		size_t nreads, cap, vcap;
		uint64_t first_seq;	/* its first event in the journal */
		uint64_t last_seq;	/* and its last (its exit) */
	} c[MAX_COUNTERS];
	uint32_t blocked;
	int blocked_fd;
	bool ok;
};

static int read_wl_info(const char *path, struct wl_info *w)
{
	char line[256];
	FILE *f = fopen(path, "r");

	memset(w, 0, sizeof(*w));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		int tid, fd;

		if (sscanf(line, "pid %d", &w->pid) == 1)
			continue;
		if (sscanf(line, "count %d %d %llx", &tid, &fd, &addr) == 3 &&
		    w->n < MAX_COUNTERS) {
			w->c[w->n].tid = tid;
			w->c[w->n].fd = fd;
			w->c[w->n++].addr = addr;
		} else if (sscanf(line, "blocked %d %d", &tid, &fd) == 2) {
			w->blocked = tid;
			w->blocked_fd = fd;
		} else if (!strcmp(line, "snappos ok\n")) {
			w->ok = true;
		}
	}
	fclose(f);
	return w->pid && w->n && w->blocked ? 0 : -1;
}

static void wl_info_free(struct wl_info *w)
{
	unsigned int i;

	for (i = 0; i < w->n; i++) {
		free(w->c[i].reads);
		free(w->c[i].values);
	}
}

/* A REC_SNAP TAKEN with its threads, kept. */
struct taken {
	uint64_t seq;
	struct rec_snap r;
	struct rec_snap_thread *th;
};

/* A PARK record: its thread. */
struct park {
	uint64_t seq;
	uint32_t tid;
};

struct journal_facts {
	struct taken *t;
	size_t nt;
	struct park *p;
	size_t np;
	uint64_t holes, first_hole, events;
	uint64_t blocked_first;		/* the blocked thread's first event */
	uint64_t blocked_read;		/* ... and its first read of the pipe */
	uint64_t blocked_last;		/* ... and its last event */
	uint64_t gaps;			/* REC_GAP: events lost */
};

static int push(void **a, size_t *n, size_t *cap, const void *e, size_t size)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		void *p = realloc(*a, c * size);

		if (!p)
			return -1;
		*a = p;
		*cap = c;
	}
	memcpy((char *)*a + *n * size, e, size);
	(*n)++;
	return 0;
}

/* One pass over the journal of @rec: reads per counter, parks, snapshots. */
static int read_journal(const char *rec, struct wl_info *w, struct journal_facts *j)
{
	size_t tcap = 0, pcap = 0;
	struct rec_reader rr;
	struct rec_event ev;
	uint64_t prev = 0;
	unsigned int i;
	int ret;

	memset(j, 0, sizeof(*j));
	if (rec_reader_open(&rr, rec))
		return -1;
	while ((ret = rec_reader_next(&rr, &ev)) > 0) {
		if (ev.type == REC_TIME || ev.type == REC_START)
			continue;
		if (prev && ev.seq != prev + 1 && !j->holes++)
			j->first_hole = prev;
		prev = ev.seq;
		j->events++;
		if (ev.tid == w->blocked) {
			if (!j->blocked_first)
				j->blocked_first = ev.seq;
			j->blocked_last = ev.seq;
		}
		for (i = 0; i < w->n; i++)
			if (ev.tid == w->c[i].tid) {
				if (!w->c[i].first_seq)
					w->c[i].first_seq = ev.seq;
				w->c[i].last_seq = ev.seq;
			}
		if (ev.type == REC_GAP)
			j->gaps++;
		if (ev.type == REC_SYS) {
			const struct rec_sys *s = ev.rec;
			size_t nv;

			if (ev.tid == w->blocked && s->nr == SYS_read &&
			    s->args[0] == (uint64_t)w->blocked_fd && !j->blocked_read)
				j->blocked_read = ev.seq;

			for (i = 0; i < w->n; i++) {
				uint64_t v = 0;

				if (ev.tid != w->c[i].tid || s->nr != SYS_read ||
				    s->args[0] != (uint64_t)w->c[i].fd || s->ret != 8)
					continue;
				if (ev.nout == 1 && ev.out[0].len == 8)
					memcpy(&v, ev.out[0].data, 8);
				nv = w->c[i].nreads;
				if (push((void **)&w->c[i].reads, &w->c[i].nreads, &w->c[i].cap,
					 &ev.seq, sizeof(ev.seq)) ||
				    push((void **)&w->c[i].values, &nv, &w->c[i].vcap, &v, sizeof(v)))
					return -1;
			}
		} else if (ev.type == REC_SNAP) {
			const struct rec_snap *r = ev.rec;

			if (r->kind == REC_SNAP_PARK) {
				struct park p = { ev.seq, ev.tid };

				if (push((void **)&j->p, &j->np, &pcap, &p, sizeof(p)))
					return -1;
			} else {
				struct taken t = { .seq = ev.seq, .r = *r };

				t.th = malloc(r->nthreads * sizeof(*t.th) + 1);
				if (!t.th)
					return -1;
				memcpy(t.th, ev.snap_threads, r->nthreads * sizeof(*t.th));
				if (push((void **)&j->t, &j->nt, &tcap, &t, sizeof(t)))
					return -1;
			}
		}
	}
	rec_reader_close(&rr);
	return ret;
}

static void facts_free(struct journal_facts *j)
{
	size_t i;

	for (i = 0; i < j->nt; i++)
		free(j->t[i].th);
	free(j->t);
	free(j->p);
}

static const struct rec_snap_thread *thread_of(const struct taken *t, uint32_t tid)
{
	uint32_t i;

	for (i = 0; i < t->r.nthreads; i++)
		if (t->th[i].tid == tid)
			return &t->th[i];
	return NULL;
}

static uint64_t reads_up_to(const uint64_t *seqs, size_t n, uint64_t last)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {	/* the first read after @last */
		size_t mid = lo + (hi - lo) / 2;

		if (seqs[mid] <= last)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Every snapshot of the recording @rec checked against its image and the
 * journal; the number of snapshots.
 */
static size_t check_recording(struct __test_metadata *_metadata, const char *rec,
			      struct wl_info *w, bool attach)
{
	struct journal_facts j;
	size_t k, i, p, nsnaps = 0, nblocked = 0;
	struct cmd_out c;
	char path[4096], *q;

	EXPECT_EQ(0, read_journal(rec, w, &j));
	ASSERT_EQ(0U, j.gaps) TH_LOG("events were lost: the workload is too fast here");
	/* no hole while snapshots were taken (the end may race the last events) */
	EXPECT_TRUE(!j.holes || (j.nt && j.first_hole > j.t[j.nt - 1].seq))
		TH_LOG("%llu holes, the first after #%llu", (unsigned long long)j.holes,
		       (unsigned long long)j.first_hole);
	/*
	 * Every read a counting thread made is in the journal: what they read
	 * follows on (a recording from the attach on starts past the first).
	 */
	for (i = 0; i < w->n; i++) {
		ASSERT_LT(0U, w->c[i].nreads);
		for (p = 1; p < w->c[i].nreads; p++)
			if (w->c[i].values[p] != w->c[i].values[0] + p)
				break;
		ASSERT_EQ(w->c[i].nreads, p) TH_LOG("thread %u read #%llu: %llu after %llu",
			w->c[i].tid, (unsigned long long)w->c[i].reads[p],
			(unsigned long long)w->c[i].values[p],
			(unsigned long long)w->c[i].values[p - 1]);
	}
	for (k = 0; k < j.nt; k++) {
		const struct taken *t = &j.t[k];
		const struct rec_snap_thread *th;
		struct img *im = NULL;

		TH_LOG("snapshot #%llu %s: %u threads", (unsigned long long)t->seq, t->r.image,
		       t->r.nthreads);
		EXPECT_EQ((uint32_t)w->pid, t->r.tid);
		snprintf(path, sizeof(path), "%s/%s", rec, t->r.image);
		ASSERT_EQ(0, img_open(path, &im)) TH_LOG("%s", path);
		EXPECT_EQ(0, memcmp(im->h.id, t->r.image_id, 16));
		EXPECT_EQ(t->r.snap_id, im->h.snap_id);
		EXPECT_EQ((uint32_t)w->pid, im->h.pid);
		EXPECT_EQ(im->h.nr_threads, t->r.nthreads);
		/* every position before its PARK record, before the snapshot's */
		for (i = 0; i < t->r.nthreads; i++) {
			th = &t->th[i];
			EXPECT_LT(th->last_seq, th->park_seq);
			EXPECT_LT(th->park_seq, t->seq);
			for (p = 0; p < j.np && j.p[p].seq != th->park_seq; p++)
				;
			ASSERT_LT(p, j.np) TH_LOG("no PARK record at #%llu",
						   (unsigned long long)th->park_seq);
			EXPECT_EQ(th->tid, j.p[p].tid);
		}
		/* the counters: the kernel wrote each as the read returned */
		for (i = 0; i < w->n; i++) {
			uint64_t v = ~0ULL, want;

			th = thread_of(t, w->c[i].tid);
			ASSERT_EQ(8, img_pread(im, &v, 8, w->c[i].addr));
			if (!th && t->seq > w->c[i].last_seq) {	/* it has exited */
				EXPECT_EQ(w->c[i].values[0] - 1 + w->c[i].nreads, v);
				continue;
			}
			if (!th) {	/* record: not started yet */
				EXPECT_LT(t->seq, w->c[i].first_seq) TH_LOG("thread %u",
									    w->c[i].tid);
				EXPECT_EQ(0U, v);
				continue;
			}
			/* the counter before its first read recorded, and its reads since */
			want = w->c[i].values[0] - 1 +
			       reads_up_to(w->c[i].reads, w->c[i].nreads, th->last_seq);
			EXPECT_EQ(want, v) TH_LOG("%s thread %u after #%llu", t->r.image,
						  w->c[i].tid, (unsigned long long)th->last_seq);
			EXPECT_FALSE(th->flags & REC_SNAPT_IN_SYSCALL);
		}
		/* the thread blocked in read(2) is inside it */
		th = thread_of(t, w->blocked);
		/* (record: it may not have reached its read yet) */
		if (th && j.blocked_read && th->last_seq >= j.blocked_read) {
			EXPECT_TRUE(th->flags & REC_SNAPT_IN_SYSCALL) TH_LOG("flags %#x", th->flags);
			EXPECT_EQ(SYS_read, th->nr);
			nblocked++;
		} else if (!th) {	/* not started yet, or exited */
			EXPECT_TRUE(t->seq < j.blocked_first || t->seq > j.blocked_last);
		}
		img_close(im);
		nsnaps++;
	}
	for (i = 0; i < w->n; i++)
		TH_LOG("thread %u: %zu reads recorded", w->c[i].tid, w->c[i].nreads);
	EXPECT_LE(1U, nblocked);

	/* meta, dump, dump --json and info say the same */
	ASSERT_EQ(0, sh(&c, "grep -c '^snapshot=' %s/meta", rec));
	EXPECT_EQ(j.nt, strtoul(c.out, NULL, 10));
	cmd_out_free(&c);
	ASSERT_EQ(0, sh(&c, "%s dump --json %s | grep -c '\"type\":\"snapshot\"'", ttrec_bin, rec));
	EXPECT_EQ(j.nt, strtoul(c.out, NULL, 10));
	cmd_out_free(&c);
	ASSERT_EQ(0, sh(&c, "%s dump %s | grep -c '\\*\\*\\* snapshot snap-'", ttrec_bin, rec));
	EXPECT_EQ(j.nt, strtoul(c.out, NULL, 10));
	cmd_out_free(&c);
	ASSERT_EQ(0, sh(&c, "%s info %s", ttrec_bin, rec));
	q = strstr(c.out, "snapshots: ");
	ASSERT_NE(NULL, q) TH_LOG("%s", c.out);
	EXPECT_EQ(j.nt, strtoul(q + strlen("snapshots: "), NULL, 10));
	EXPECT_EQ(NULL, strstr(c.out, "images missing"));
	/* each snapshot listed with its place, image, id and threads' positions */
	for (k = 0; k < j.nt; k++) {
		const struct taken *t = &j.t[k];
		char want[512], *at;
		int n;

		n = snprintf(want, sizeof(want), "snapshot %zu:  at #%llu, %s, id ", k + 1,
			     (unsigned long long)t->seq, t->r.image);
		for (i = 0; i < 16; i++)
			n += snprintf(want + n, sizeof(want) - n, "%02x", t->r.image_id[i]);
		snprintf(want + n, sizeof(want) - n, ", kernel snapshot %llu\n",
			 (unsigned long long)t->r.snap_id);
		at = strstr(c.out, want);
		ASSERT_NE(NULL, at) TH_LOG("no '%s' in:\n%s", want, c.out);
		at += strlen(want);
		for (i = 0; i < t->r.nthreads; i++) {
			const struct rec_snap_thread *th = &t->th[i];

			n = snprintf(want, sizeof(want), "  thread %u after #%llu", th->tid,
				     (unsigned long long)th->last_seq);
			if (th->flags & REC_SNAPT_IN_SYSCALL)
				snprintf(want + n, sizeof(want) - n, ", inside %s (its exit comes later)\n",
					 syscall_name(th->nr) ?: "?");
			else
				snprintf(want + n, sizeof(want) - n, "\n");
			EXPECT_EQ(0, strncmp(at, want, strlen(want))) TH_LOG("'%s' at '%.80s'",
									       want, at);
			at = strchr(at, '\n');
			ASSERT_NE(NULL, at);
			at++;
		}
	}
	if (!attach) {
		/* replay starts from a snapshot of one thread: snappos's at its exec */
		bool single = false;

		for (k = 0; k < j.nt; k++)
			single |= j.t[k].r.nthreads == 1;
		EXPECT_NE(NULL, strstr(c.out, "replayable:  yes, from its launch")) TH_LOG("%s", c.out);
		EXPECT_NE(NULL, strstr(c.out, single ? "; from snapshot" :
				       "; not from its snapshots yet (replay from a snapshot of more than one thread is not supported)\n"))
			TH_LOG("%s", c.out);
	} else {
		EXPECT_NE(NULL, strstr(c.out, "replayable:  not yet: an attach recording"))
			TH_LOG("%s", c.out);
	}
	cmd_out_free(&c);
	ASSERT_EQ(0, sh(&c, "%s export %s --perfetto -o - | grep -c 'snapshot in the journal'",
			ttrec_bin, rec));
	EXPECT_LE(1UL, strtoul(c.out, NULL, 10));
	cmd_out_free(&c);
	facts_free(&j);
	return nsnaps;
}

FIXTURE(snaprec) {
	char dir[64];
};

FIXTURE_SETUP(snaprec)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/ttrec-snaprec.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(snaprec)
{
	struct cmd_out c;

	if (!sh(&c, "rm -rf %s", self->dir))
		cmd_out_free(&c);
}

/* attach to the running workload: snapshots from the attach on. */
TEST_F_TIMEOUT(snaprec, attach_snapshots_in_the_journal, 600)
{
	char rec[128], out[128];
	struct wl_info w;
	struct cmd_out c;
	int tries, st, in[2];
	pid_t pid;

	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	snprintf(rec, sizeof(rec), "%s/rec", self->dir);
	snprintf(out, sizeof(out), "%s/wl.out", self->dir);
	ASSERT_EQ(0, pipe(in));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char wl[PATH_MAX + 16];

		snprintf(wl, sizeof(wl), "%s/snappos", wl_dir);
		/* below the recorder: it must keep up on two emulated CPUs */
		if (!freopen(out, "w", stdout) || dup2(in[0], 0) < 0 || nice(10) < 0)
			_exit(126);
		close(in[1]);
		execl(wl, wl, "-", "3", NULL);	/* until its stdin ends */
		_exit(127);
	}
	close(in[0]);
	for (tries = 0; tries < 300 && read_wl_info(out, &w); tries++)
		usleep(20 * 1000);
	ASSERT_EQ(pid, w.pid);
	/* (the first image, full, takes a while to write in the VM) */
	ASSERT_EQ(0, sh(&c, "%s attach %d -o %s --snapshot-interval 0.2 --duration 4 --ring-mib 128",
			ttrec_bin, pid, rec));
	EXPECT_EQ(0, c.status) TH_LOG("%s", c.err);
	cmd_out_free(&c);
	close(in[1]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	wl_info_free(&w);
	ASSERT_EQ(0, read_wl_info(out, &w));
	EXPECT_TRUE(w.ok);
	EXPECT_LE(2U, check_recording(_metadata, rec, &w, true));
	wl_info_free(&w);
}

/* record --snapshot-interval: snapshots from the command's exec on. */
TEST_F_TIMEOUT(snaprec, record_snapshots_in_the_journal, 600)
{
	char rec[128], out[128];
	struct wl_info w;
	struct cmd_out c;

	if (!module_loaded())
		SKIP(return, "needs ttrec.ko");
	snprintf(rec, sizeof(rec), "%s/rec", self->dir);
	snprintf(out, sizeof(out), "%s/wl.out", self->dir);
	ASSERT_EQ(0, sh(&c, "%s record -o %s --snapshot-interval 0.2 -- %s/snappos 2.5 3 > %s",
			ttrec_bin, rec, wl_dir, out));
	EXPECT_EQ(0, c.status) TH_LOG("%s", c.err);
	cmd_out_free(&c);
	ASSERT_EQ(0, read_wl_info(out, &w));
	EXPECT_TRUE(w.ok);
	EXPECT_LE(2U, check_recording(_metadata, rec, &w, false));
	wl_info_free(&w);
}

TEST_HARNESS_MAIN
