// SPDX-License-Identifier: GPL-2.0
/* The recording directory: metadata file and the decoding journal reader. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "format/journal.h"
#include "lib/log.h"
#include "format/recording.h"
#include "lib/util.h"

static int dir_is_empty(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int empty = 1;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	}
	closedir(d);
	return empty;
}

int recording_meta_append(const char *dir, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, RECORDING_META);
	f = fopen(path, "a");
	if (!f)
		return -errno;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int recording_create(const char *dir, const char *target, int pid,
		     char *const *argv)
{
	char cmd[4096] = "", when[64];
	struct timespec mono;
	struct utsname u;
	time_t now = time(NULL);
	size_t off = 0;
	int err, i;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		err = -errno;
		pr_err("cannot create the recording directory %s: %s\n", dir, strerror(-err));
		return err;
	}
	err = dir_is_empty(dir);
	if (err <= 0) {
		if (!err)
			err = -EEXIST;
		pr_err("%s: %s; choose a new or empty directory with -o\n", dir,
		       err == -EEXIST ? "not empty" : strerror(-err));
		return err;
	}
	for (i = 0; argv && argv[i] && off < sizeof(cmd) - 1; i++)
		off += snprintf(cmd + off, sizeof(cmd) - off, "%s%s", i ? " " : "", argv[i]);
	uname(&u);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", localtime(&now));
	err = recording_meta_append(dir,
		"format_version=%d\n"
		"ttrec_version=%s\n"
		"target=%s\n"
		"pid=%d\n"
		"command=%s\n"
		"kernel=%s %s %s\n"
		"start_time=%s\n"
		"start_monotonic_ns=%llu\n",
		REC_FORMAT_VERSION, TTREC_VERSION, target, pid, cmd,
		u.sysname, u.release, u.machine, when,
		(unsigned long long)mono.tv_sec * 1000000000ULL + mono.tv_nsec);
	if (err)
		pr_err("cannot write %s/%s: %s\n", dir, RECORDING_META, strerror(-err));
	return err;
}

int recording_meta_get(const char *dir, const char *key, char *buf, size_t len)
{
	char path[4096], line[4096];
	size_t klen = strlen(key);
	int found = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, RECORDING_META);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != '=')
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(buf, len, "%s", line + klen + 1);
		found = 0;
	}
	fclose(f);
	return found;
}

int rec_reader_open(struct rec_reader *rr, const char *dir)
{
	char path[4096];
	int err;

	memset(rr, 0, sizeof(*rr));
	snprintf(path, sizeof(path), "%s/%s", dir, RECORDING_JOURNAL);
	err = journal_open(path, &rr->jr);
	if (err && err != -EPROTO)
		pr_err("cannot open the journal %s: %s\n", path, strerror(-err));
	return err;
}

static const size_t rec_size[REC_NR_TYPES] = {
	[REC_SYS] = sizeof(struct rec_sys),
	[REC_OUT] = sizeof(struct rec_out),
	[REC_SIGNAL] = sizeof(struct rec_signal),
	[REC_SCHED] = sizeof(struct rec_sched),
	[REC_TASK] = sizeof(struct rec_task),
	[REC_GAP] = sizeof(struct rec_gap),
	[REC_TIME] = sizeof(struct rec_time),
	[REC_START] = sizeof(struct rec_start),
	[REC_IN] = sizeof(struct rec_in),
};

/* Keep a REC_IN until its REC_SYS comes; 0 or -EBADMSG. */
static int keep_input(struct rec_reader *rr, const uint8_t *r, size_t len, uint64_t seq)
{
	const struct rec_in *in = (const void *)r;
	size_t n = len - sizeof(*in);
	struct rec_str *p;

	if (len < sizeof(*in) || in->arg > 5 || n > REC_STR_MAX)
		return -EBADMSG;
	if (rr->npend && rr->pend_seq != seq)
		rr->npend = 0;		/* its syscall never came (damage) */
	if (rr->npend == REC_MAX_INS)
		return -EBADMSG;
	rr->pend_seq = seq;
	p = &rr->pend[rr->npend];
	memcpy(rr->pend_buf[rr->npend], r + sizeof(*in), n);
	p->arg = in->arg;
	p->flags = in->flags;
	p->s = rr->pend_buf[rr->npend];
	p->len = n;
	rr->npend++;
	return 0;
}

int rec_reader_next(struct rec_reader *rr, struct rec_event *ev)
{
	const uint8_t *r;
	size_t len;
	int ret;
	uint8_t t;

	for (;;) {
		struct journal_stats st;

		if (rr->batch_left) {
			r = rr->batch;
			len = sizeof(struct rec_sys);
			ev->seq = ++rr->batch_seq;
			rr->batch += len;
			rr->batch_left--;
			break;
		}
		ret = journal_next(rr->jr, (const void **)&r, &len, &ev->seq);
		if (ret <= 0)
			return ret;
		journal_get_stats(rr->jr, &st);
		if (st.bad_chunks != rr->bad_chunks) {
			/* the dts of the records skipped are lost with them */
			rr->bad_chunks = st.bad_chunks;
			rr->ts_valid = false;
		}
		if (!len)
			return -EBADMSG;
		if (r[0] == REC_IN) {
			ret = keep_input(rr, r, len, ev->seq);
			if (ret)
				return ret;
			continue;
		}
		if (r[0] == REC_SYS && len > sizeof(struct rec_sys)) {
			if (len % sizeof(struct rec_sys) ||
			    len / sizeof(struct rec_sys) > REC_BATCH_MAX)
				return -EBADMSG;
			rr->batch = r + sizeof(struct rec_sys);
			rr->batch_left = len / sizeof(struct rec_sys) - 1;
			rr->batch_seq = ev->seq;
			len = sizeof(struct rec_sys);
		}
		break;
	}
	t = r[0];
	if (t == 0 || t >= REC_NR_TYPES || len < rec_size[t])
		return -EBADMSG;
	ev->type = t;
	ev->rec = r;
	ev->len = len;
	ev->data = NULL;
	ev->data_len = 0;
	ev->nin = 0;
	if (t == REC_SYS && rr->npend && rr->pend_seq == ev->seq) {
		ev->nin = rr->npend;
		memcpy(ev->in, rr->pend, rr->npend * sizeof(ev->in[0]));
	}
	if (t != REC_OUT && t != REC_TIME)	/* a chunk may start between */
		rr->npend = 0;
	switch (t) {
	case REC_TIME:
		rr->ts = ((const struct rec_time *)r)->ns;
		rr->ts_valid = true;
		break;
	case REC_START:
		rr->ts = rr->start_ns = ((const struct rec_start *)r)->ns;
		rr->ts_valid = true;
		break;
	case REC_OUT:
		ev->data = r + sizeof(struct rec_out);
		ev->data_len = len - sizeof(struct rec_out);
		break;
	case REC_GAP:
		break;
	default: {
		/* every other record has its dts at offset 4 */
		int32_t dts;

		memcpy(&dts, r + 4, sizeof(dts));
		rr->ts += (int64_t)dts;
		break;
	}
	}
	ev->ts = rr->ts_valid ? rr->ts : 0;
	return 1;
}

void rec_reader_close(struct rec_reader *rr)
{
	journal_close_reader(rr->jr);
	rr->jr = NULL;
}
