// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec snapshot: take a process snapshot with ttrec.ko, or without it by
 * stopping the process with ptrace while its memory is copied (capture/),
 * and write an image.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "image/image.h"
#include "lib/log.h"
#include "lib/util.h"
#include "module/module.h"
#include "cmd/cmd.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec snapshot PID [-o FILE] [--parent FILE] [-q]\n"
		"\n"
		"Take a copy-on-write snapshot of the running process PID (all its\n"
		"threads are held for the instant of the snapshot, then run on) and\n"
		"write it to the image FILE: its memory map, each thread's registers\n"
		"and signal mask, and its memory, compressed and checksummed. Needs\n"
		"root. With the ttrec kernel module (ttrec.ko) loaded the snapshot is\n"
		"copy-on-write; without it every thread is stopped with ptrace while\n"
		"the memory is copied, so the process is held for the copy (reported\n"
		"as its pause). 'ttrec restore' makes a process of an image again.\n"
		"\n"
		"With --parent, FILE is incremental: it holds only the pages that\n"
		"differ from the parent image's, found by comparing contents (the\n"
		"parent's snapshot is no longer open, so the kernel's diff cannot be\n"
		"used; 'ttrec attach --snapshot-interval' uses it). Reading an\n"
		"incremental image needs its parent chain; a relative parent path is\n"
		"recorded when the parent is in the same directory.\n"
		"\n"
		"Options:\n"
		"  -o, --output FILE   the image to write; must not exist\n"
		"                      (default: ttrec-PID-YYYYmmdd-HHMMSS.img)\n"
		"  -p, --parent FILE   write an incremental image against FILE, an\n"
		"                      earlier image of the same process\n"
		"  -q, --quiet         print nothing on success\n"
		"  -h, --help          print this help\n"
		"\n"
		"Examples:\n"
		"  sudo ttrec snapshot 1234 -o /tmp/a.img\n"
		"  sudo ttrec snapshot 1234 -o /tmp/b.img --parent /tmp/a.img\n"
		"  ttrec info /tmp/b.img; ttrec dump /tmp/b.img --mem 0x7f0000000000:64\n"
		"\n"
		"Exit status: 0 image written, 1 failure (no such process, no\n"
		"permission, bad parent, ...), 2 usage error.\n");
}

static const char module_hint[] =
	"load it first (sudo insmod ttrec.ko, or sudo modprobe ttrec once installed)";

int snap_dev_open(const char *what, int *devfd, uint64_t *features)
{
	struct ttrec_api api;
	int fd;

	if (ttrec_dev_absent()) {
		pr_err("%s: process snapshots need the ttrec kernel module (ttrec.ko), "
		       "which is not loaded (%s is absent); %s\n", what, TTREC_DEV_PATH,
		       module_hint);
		return -ENOENT;
	}
	fd = ttrec_dev_open(0, &api, false);
	if (fd < 0) {
		if (fd == -EACCES || fd == -EPERM)
			pr_err("%s: cannot open %s: %s; snapshots need root\n", what,
			       TTREC_DEV_PATH, strerror(-fd));
		else
			pr_err("%s: cannot use %s: %s\n", what, TTREC_DEV_PATH, strerror(-fd));
		return fd;
	}
	if (!(api.features & TTREC_FEATURE_SNAPSHOT)) {
		pr_err("%s: the loaded ttrec.ko does not support snapshots; load the module built with this ttrec (%s)\n",
		       what, TTREC_VERSION);
		close(fd);
		return -EOPNOTSUPP;
	}
	*devfd = fd;
	*features = api.features;
	return 0;
}

int snap_session_attach(const char *what, int devfd, int pid)
{
	int s = ttrec_dev_attach(devfd, pid, 0);

	switch (s) {
	case -ESRCH:
		pr_err("%s: no such process: %d (or it is exiting, a zombie, or a thread id that is not a process id)\n",
		       what, pid);
		break;
	case -EPERM:
		pr_err("%s: no permission to snapshot %d: needs CAP_SYS_PTRACE (run as root)\n",
		       what, pid);
		break;
	case -EINVAL:
		pr_err("%s: %d cannot be snapshotted: a kernel thread, or ttrec itself\n",
		       what, pid);
		break;
	default:
		if (s < 0)
			pr_err("%s: cannot attach to %d: %s\n", what, pid, strerror(-s));
	}
	return s;
}

int snap_session_open(const char *what, int pid, int *devfd, int *sfd,
		      uint64_t *features)
{
	int err = snap_dev_open(what, devfd, features);

	if (err)
		return err;
	*sfd = snap_session_attach(what, *devfd, pid);
	if (*sfd < 0) {
		close(*devfd);
		return *sfd;
	}
	return 0;
}

int snap_take(int sfd, bool verbose)
{
	struct ttrec_snapshot_args a = { 0 };
	int fd = ioctl(sfd, TTREC_IOC_SNAPSHOT, &a);
	int err = -errno;

	if (fd >= 0)
		return fd;
	if (!verbose)
		return err;
	switch (err) {
	case -ESRCH:
		pr_err("the target exited before the snapshot\n");
		break;
	case -EBUSY:
		pr_err("snapshot failed: a thread of the target did not reach a safe point in time "
		       "(stopped, traced, or in an uninterruptible sleep); retry later\n");
		break;
	case -EAGAIN:
		pr_err("snapshot failed: a thread was killed or the target called execve() meanwhile; retry\n");
		break;
	case -ENOSPC:
		pr_err("snapshot failed: the session's page budget is exhausted "
		       "(ttrec.ko parameter max_snapshot_pages, see /sys/module/ttrec/parameters/)\n");
		break;
	default:
		pr_err("snapshot failed: %s\n", strerror(-err));
	}
	return err;
}

void snap_comm(int pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	buf[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/*
 * How the image @out names its parent @parent: the file name when both are
 * in the same directory (they can then move together), else the absolute
 * path.
 */
static char *parent_ref(const char *out, const char *parent)
{
	char rp[PATH_MAX], rd[PATH_MAX], *a = strdup(out), *b = strdup(parent);
	char *ref = NULL;

	if (!a || !b)
		goto done;
	if (!realpath(parent, rp))
		goto done;
	if (realpath(dirname(a), rd) && !strcmp(rd, dirname(rp)))
		ref = strdup(basename(b));
	else
		ref = realpath(parent, NULL);
done:
	free(a);
	free(b);
	return ref;
}

static void mib(char *buf, size_t len, uint64_t bytes)
{
	snprintf(buf, len, "%.1f MiB", bytes / 1048576.0);
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "parent", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct img_write_opts wo = { .parent_snapfd = -1 };
	struct img_write_stats st;
	const char *out = NULL, *parent = NULL;
	char defout[128], comm[16], raw[32], stored[32];
	struct img *pim = NULL;
	char *ref = NULL;
	int c, pid, devfd = -1, sfd = -1, snapfd = -1, status = EXIT_FAIL, err;
	uint64_t features = 0;
	struct capture *cap = NULL;
	bool quiet = false, ptrace_mode;

	while ((c = getopt_long(argc, argv, "o:p:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'p':
			parent = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return cmd_usage_exit(c, usage);
		}
	}
	if (!cmd_operands(argc, 1, usage, "snapshot: give exactly one PID"))
		return EXIT_USAGE;
	if (parse_pid(argv[optind], &pid)) {
		pr_err("snapshot: '%s' is not a process id\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!out) {
		char when[32];
		time_t now = time(NULL);

		strftime(when, sizeof(when), "%Y%m%d-%H%M%S", localtime(&now));
		snprintf(defout, sizeof(defout), "ttrec-%d-%s.img", pid, when);
		out = defout;
	}
	if (!access(out, F_OK)) {
		pr_err("snapshot: %s exists; choose a new file with -o\n", out);
		return EXIT_FAIL;
	}
	ptrace_mode = ttrec_dev_absent();
	if (!ptrace_mode && snap_session_open("snapshot", pid, &devfd, &sfd, &features))
		goto out;
	if (parent) {
		if (img_open(parent, &pim)) {
			pr_err("snapshot: cannot use %s as the parent image\n", parent);
			goto out;
		}
		if ((int)pim->h.pid != pid) {
			pr_err("snapshot: the parent %s is a snapshot of process %u (%s), not of %d\n",
			       parent, pim->h.pid, pim->h.comm, pid);
			goto out;
		}
		ref = parent_ref(out, parent);
		if (!ref) {
			pr_err("snapshot: cannot resolve the path of %s: %s\n", parent, strerror(errno));
			goto out;
		}
	}
	snap_comm(pid, comm, sizeof(comm));
	if (ptrace_mode) {
		pr_warn("snapshot: ttrec.ko is not loaded: %d is stopped with ptrace while its memory is copied (not copy-on-write; the pause is the copy time)\n",
			pid);
		if (capture_stop(pid, &cap))
			goto out;
		wo.src = capture_source(cap);
	} else {
		snapfd = snap_take(sfd, true);
		if (snapfd < 0)
			goto out;
		/* the snapshot lives on its own fd; the session is no longer needed */
		close(sfd);
		sfd = -1;
		wo.snapfd = snapfd;
		wo.features = features;
	}
	wo.path = out;
	wo.comm = comm;
	wo.parent = pim;
	wo.parent_ref = ref;
	err = img_write(&wo, &st);
	if (err)
		goto out;
	status = EXIT_OK;
	if (quiet)
		goto out;
	printf("snapshot of %d (%s): %u VMAs, %u threads, target paused %.3f ms%s\n",
	       pid, comm, st.h.nr_vmas, st.h.nr_threads, st.h.pause_ns / 1e6,
	       ptrace_mode ? " (stopped with ptrace while copied)" : "");
	mib(raw, sizeof(raw), st.data_pages * IMG_PAGE_SIZE);
	mib(stored, sizeof(stored), st.data_bytes_stored);
	printf("wrote %s: %s image, %llu data pages (%s, %s compressed), %llu zero, %llu not captured; %.1f KiB file in %.3f s\n",
	       out, pim ? "incremental" : "full",
	       (unsigned long long)st.data_pages, raw, stored,
	       (unsigned long long)st.zero_pages, (unsigned long long)st.uncaptured_pages,
	       st.file_bytes / 1024.0, st.seconds);
	if (pim)
		printf("parent: %s (changes found by comparing contents with the parent image)\n",
		       ref);
out:
	capture_free(cap);
	if (snapfd >= 0)
		close(snapfd);
	if (sfd >= 0)
		close(sfd);
	if (devfd >= 0)
		close(devfd);
	img_close(pim);
	free(ref);
	return status;
}
