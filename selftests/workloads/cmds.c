// SPDX-License-Identifier: GPL-2.0
/*
 * Workload: commands whose outputs depend on the command (fcntl, prctl).
 * cmds FILE: a child holds a write lock on FILE's first 100 bytes; the
 * workload asks F_GETLK and F_OFD_GETLK about it, sets and reads back its
 * name and parent-death signal, and asks PR_SET_MM_MAP_SIZE (an option
 * ttrec's table does not describe). Prints what it got, one line each.
 */
#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_SET_MM_MAP_SIZE
#define PR_SET_MM_MAP_SIZE	15
#endif

int main(int argc, char **argv)
{
	struct flock fl;
	char name[16] = "", c;
	int fd, p[2], sig = 0;
	unsigned int mm_size = 0;
	pid_t kid;

	if (argc != 2)
		errx(2, "usage: cmds FILE");
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || pipe(p))
		err(1, "%s", argv[1]);
	kid = fork();
	if (kid < 0)
		err(1, "fork");
	if (kid == 0) {
		struct flock w = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 100 };

		if (fcntl(fd, F_SETLK, &w))
			err(1, "F_SETLK");
		if (write(p[1], "k", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(p[0], &c, 1) != 1)
		errx(1, "the child did not lock");

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = 50;
	if (fcntl(fd, F_GETLK, &fl))
		err(1, "F_GETLK");
	printf("getlk type=%d pid=%d start=%lld len=%lld\n", fl.l_type, fl.l_pid,
	       (long long)fl.l_start, (long long)fl.l_len);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 10;
	fl.l_len = 5;
	if (fcntl(fd, F_OFD_GETLK, &fl))
		err(1, "F_OFD_GETLK");
	printf("ofd_getlk type=%d pid=%d start=%lld len=%lld\n", fl.l_type, fl.l_pid,
	       (long long)fl.l_start, (long long)fl.l_len);

	if (prctl(PR_SET_NAME, "ttrec-cmds", 0, 0, 0) ||
	    prctl(PR_GET_NAME, name, 0, 0, 0))
		err(1, "PR_SET/GET_NAME");
	printf("name %s\n", name);
	if (prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0) ||
	    prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0))
		err(1, "PR_SET/GET_PDEATHSIG");
	printf("pdeathsig %d\n", sig);
	if (prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &mm_size, 0, 0))
		printf("mm_map_size error\n");
	else
		printf("mm_map_size %u\n", mm_size);
	fflush(stdout);
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	return 0;
}
