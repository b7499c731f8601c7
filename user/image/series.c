// SPDX-License-Identifier: GPL-2.0
/*
 * Periodic snapshots during a recording (--snapshot-interval of ttrec attach
 * and ttrec record):
 * snap-0001.img is a full image, each next one is incremental against the
 * previous. The previous snapshot's fd stays open until the next image is
 * written, so the changes come from TTREC_IOC_SNAP_DIFF (the kernel compares
 * the pages it holds) instead of a comparison of contents.
 *
 * The recorder calls snap_series_tick() from its main loop; the snapshot and
 * the image writing run on a worker thread so that the loop keeps draining
 * the ring buffer meanwhile. One snapshot at a time: when writing takes
 * longer than the interval, the next snapshot starts when it is done.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "image/image.h"
#include "lib/log.h"
#include "format/recording.h"
#include "lib/util.h"

/* A chain this long starts over with a full image (readers open them all). */
#define SERIES_MAX_DEPTH	64
/* Snapshots remembered by the thread that took them (snap_series_image()). */
#define SERIES_RECENT		4

/* The image a worker thread is writing, for the recorder's REC_SNAP record. */
struct snap_recent {
	pid_t tid;		/* the worker that took it */
	char name[32];
	uint8_t id[16];
};

struct snap_job {
	unsigned int no;
	char name[32];
	int err;
	int snapfd;
	struct img *img;
	struct img_write_stats st;
};

struct snap_series {
	int devfd, sfd, pid;
	uint64_t features;
	char comm[16];
	uint64_t interval_ns;
	const char *dir;
	uint64_t next_ns;
	unsigned int written, failed;
	bool stopped;			/* the target is gone */
	/* the last image written, parent of the next */
	int prev_fd;
	struct img *prev;
	char prev_name[32];
	/* the worker */
	pthread_t th;
	bool running;
	atomic_bool done;
	struct snap_job job;
	/* the last snapshots' images, by worker (the recorder's thread asks) */
	pthread_mutex_t recent_lock;
	struct snap_recent recent[SERIES_RECENT];
	unsigned int nrecent;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int snap_series_open(int pid, double interval_s, struct snap_series **out)
{
	struct snap_series *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->sfd = -1;
	err = snap_dev_open("--snapshot-interval", &s->devfd, &s->features);
	if (err) {
		free(s);
		return err;
	}
	s->interval_ns = (uint64_t)(interval_s * 1e9);
	s->prev_fd = -1;
	pthread_mutex_init(&s->recent_lock, NULL);
	*out = s;
	if (pid && (err = snap_series_attach(s, pid))) {
		snap_series_finish(s);
		*out = NULL;
		return err;
	}
	return 0;
}

int snap_series_attach(struct snap_series *s, int pid)
{
	s->sfd = snap_session_attach("--snapshot-interval", s->devfd, pid);
	if (s->sfd < 0)
		return s->sfd;
	s->pid = pid;
	snap_comm(pid, s->comm, sizeof(s->comm));
	return 0;
}

/* The worker's image, before it takes the snapshot. */
static void note_recent(struct snap_series *s, const char *name, const uint8_t *id)
{
	struct snap_recent *r;

	pthread_mutex_lock(&s->recent_lock);
	r = &s->recent[s->nrecent++ % SERIES_RECENT];
	r->tid = gettid();
	snprintf(r->name, sizeof(r->name), "%s", name);
	memcpy(r->id, id, sizeof(r->id));
	pthread_mutex_unlock(&s->recent_lock);
}

bool snap_series_image(void *arg, uint32_t parker, char *name, size_t len, uint8_t id[16])
{
	struct snap_series *s = arg;
	bool found = false;
	unsigned int i;

	pthread_mutex_lock(&s->recent_lock);
	for (i = 0; i < SERIES_RECENT && i < s->nrecent && !found; i++) {
		const struct snap_recent *r = &s->recent[(s->nrecent - 1 - i) % SERIES_RECENT];

		if ((uint32_t)r->tid != parker)
			continue;
		snprintf(name, len, "%s", r->name);
		memcpy(id, r->id, sizeof(r->id));
		found = true;
	}
	pthread_mutex_unlock(&s->recent_lock);
	return found;
}

void snap_series_set_dir(struct snap_series *s, const char *dir)
{
	s->dir = dir;
	recording_meta_append(dir, "snapshot_interval_ns=%llu\n",
			      (unsigned long long)s->interval_ns);
}

static void *worker(void *arg)
{
	struct snap_series *s = arg;
	struct snap_job *j = &s->job;
	struct img_write_opts wo = { .parent_snapfd = -1 };
	char path[4096];
	uint8_t id[16];

	/* the recorder names this image in the journal as the snapshot happens */
	if (getrandom(id, sizeof(id), 0) != sizeof(id)) {
		uint64_t a = now_ns(), b = ((uint64_t)gettid() << 32) | j->no;

		memcpy(id, &a, 8);
		memcpy(id + 8, &b, 8);
	}
	note_recent(s, j->name, id);
	wo.id = id;
	j->snapfd = snap_take(s->sfd, false);
	if (j->snapfd < 0) {
		j->err = j->snapfd;
		goto done;
	}
	snprintf(path, sizeof(path), "%s/%s", s->dir, j->name);
	wo.path = path;
	wo.snapfd = j->snapfd;
	wo.features = s->features;
	wo.comm = s->comm;
	if (s->prev && s->prev->h.depth < SERIES_MAX_DEPTH) {
		wo.parent = s->prev;
		wo.parent_ref = s->prev_name;
		wo.parent_snapfd = s->prev_fd;
	}
	j->err = img_write(&wo, &j->st);
	if (!j->err)
		j->err = img_open(path, &j->img);
done:
	atomic_store(&s->done, true);
	return NULL;
}

static void collect(struct snap_series *s)
{
	struct snap_job *j = &s->job;
	const struct img_header *h = &j->st.h;

	pthread_join(s->th, NULL);
	s->running = false;
	if (j->err) {
		if (j->snapfd >= 0)
			close(j->snapfd);
		img_close(j->img);
		if (j->err == -ESRCH) {
			s->stopped = true;	/* the target exited: no more snapshots */
			return;
		}
		s->failed++;
		pr_warn("snapshot %s failed: %s; the recording goes on\n", j->name,
			strerror(-j->err));
		recording_meta_append(s->dir, "snapshot_error=%s %s\n", j->name,
				      strerror(-j->err));
		return;
	}
	s->written++;
	recording_meta_append(s->dir,
		"snapshot=%s monotonic_ns=%llu pause_ns=%llu parent=%s diff=%s data_pages=%llu\n",
		j->name, (unsigned long long)h->taken_ns, (unsigned long long)h->pause_ns,
		(h->flags & IMG_F_INCREMENTAL) ? s->prev_name : "-",
		!(h->flags & IMG_F_INCREMENTAL) ? "full" :
		(h->flags & IMG_F_KERNEL_DIFF) ? "kernel" : "contents",
		(unsigned long long)j->st.data_pages);
	pr_debug("%s: %llu data pages, %.3f s\n", j->name,
		 (unsigned long long)j->st.data_pages, j->st.seconds);
	if (s->prev_fd >= 0)
		close(s->prev_fd);
	img_close(s->prev);
	s->prev_fd = j->snapfd;
	s->prev = j->img;
	snprintf(s->prev_name, sizeof(s->prev_name), "%s", j->name);
}

void snap_series_tick(void *arg)
{
	struct snap_series *s = arg;
	uint64_t now;

	if (s->running) {
		if (!atomic_load(&s->done))
			return;
		collect(s);
	}
	if (s->stopped || !s->dir || s->sfd < 0)
		return;
	now = now_ns();
	if (now < s->next_ns)
		return;
	s->next_ns = now + s->interval_ns;
	memset(&s->job, 0, sizeof(s->job));
	s->job.snapfd = -1;
	s->job.no = s->written + s->failed + 1;
	snprintf(s->job.name, sizeof(s->job.name), "snap-%04u.img", s->job.no);
	atomic_store(&s->done, false);
	if (pthread_create(&s->th, NULL, worker, s)) {
		pr_warn("cannot start the snapshot thread; no more snapshots\n");
		s->stopped = true;
		return;
	}
	s->running = true;
}

bool snap_series_settle(void *arg)
{
	struct snap_series *s = arg;

	s->stopped = true;		/* no new snapshot */
	if (!s->running)
		return false;
	if (!atomic_load(&s->done))
		return true;
	collect(s);
	return false;
}

int snap_series_finish(struct snap_series *s)
{
	int failed;

	if (!s)
		return 0;
	if (s->running)
		collect(s);
	if (s->dir)
		recording_meta_append(s->dir, "snapshots=%u\n", s->written);
	if (s->written)
		pr_info("%u snapshot%s in %s (snap-0001.img ... %s)\n", s->written,
			s->written == 1 ? "" : "s", s->dir, s->prev_name);
	failed = s->failed;
	if (s->prev_fd >= 0)
		close(s->prev_fd);
	img_close(s->prev);
	if (s->sfd >= 0)
		close(s->sfd);
	close(s->devfd);
	pthread_mutex_destroy(&s->recent_lock);
	free(s);
	return failed ? -EIO : 0;
}
