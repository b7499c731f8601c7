// SPDX-License-Identifier: GPL-2.0
/* /dev/ttrec: open, API handshake, sessions. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "module/module.h"

static const char *const feature_names[] = {
	"attach-pidfd", "netlink", "session-poll", "snapshot", "snap-diff",
	"snap-seek", "vma-kinds", "snap-state",
};

void ttrec_features_str(uint64_t features, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < 64 && off < len; i++) {
		if (!(features & (1ULL << i)))
			continue;
		if (i < sizeof(feature_names) / sizeof(feature_names[0]))
			off += snprintf(buf + off, len - off, "%s%s",
					off ? " " : "", feature_names[i]);
		else
			off += snprintf(buf + off, len - off, "%sbit%u",
					off ? " " : "", i);
	}
}

void ttrec_wait_status_str(uint32_t status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s%s",
			 sigabbrev_np(WTERMSIG(status)) ?: "?",
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "status 0x%x", status);
}

bool ttrec_dev_absent(void)
{
	return access(TTREC_DEV_PATH, F_OK) && errno == ENOENT;
}

int ttrec_dev_open(uint64_t features, struct ttrec_api *api, bool verbose)
{
	struct ttrec_api a = { .api = TTREC_API, .features = features };
	int fd, err;

	fd = open(TTREC_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (!verbose)
			return err;
		if (err == -ENOENT)
			pr_err("%s does not exist: the ttrec kernel module is not loaded; "
			       "load it first (sudo insmod ttrec.ko, or sudo modprobe ttrec)\n",
			       TTREC_DEV_PATH);
		else if (err == -EACCES || err == -EPERM)
			pr_err("cannot open %s: %s; run ttrec as root\n",
			       TTREC_DEV_PATH, strerror(-err));
		else
			pr_err("cannot open %s: %s\n", TTREC_DEV_PATH, strerror(-err));
		return err;
	}
	if (ioctl(fd, TTREC_IOC_GET_API, &a) < 0) {
		err = -errno;
		if (verbose) {
			if (err == -EINVAL && features)
				pr_err("the loaded ttrec module lacks features this ttrec needs; "
				       "load the module built with this ttrec (%s)\n", TTREC_VERSION);
			else
				pr_err("API handshake with %s failed: %s\n",
				       TTREC_DEV_PATH, strerror(-err));
		}
		close(fd);
		return err;
	}
	if (api)
		*api = a;
	return fd;
}

int ttrec_dev_attach(int devfd, int pid, uint32_t flags)
{
	struct ttrec_attach_args args = { .pid = pid, .flags = flags };
	int fd = ioctl(devfd, TTREC_IOC_ATTACH, &args);

	return fd < 0 ? -errno : fd;
}

int ttrec_session_info(int sfd, struct ttrec_session_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(sfd, TTREC_IOC_SESSION_INFO, info) < 0 ? -errno : 0;
}
