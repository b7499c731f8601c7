// SPDX-License-Identifier: GPL-2.0
/* The recording directory: its metadata file (records.c reads its journal). */
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

#include "lib/log.h"
#include "format/recording.h"
#include "record.h"
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
