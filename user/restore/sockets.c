// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets of the image. None is re-created yet: each is a descriptor
 * ttrec cannot re-create (fds.c lists them; --skip-unsupported makes them
 * /dev/null).
 */
#include <errno.h>

#include "restore/fds.h"

int rst_fd_socket(struct rst *r, const struct img_fd *f, bool *warned)
{
	(void)r;
	(void)f;
	*warned = false;
	return -EOPNOTSUPP;
}
