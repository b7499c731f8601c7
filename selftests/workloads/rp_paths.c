// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: paths that resolve against a cwd or root the program
 * changed. Runs in a directory holding f ("top"), d1/f ("one") and d2/f
 * ("two"). Each open is followed by what the dynamic loader or git does
 * with a file, fstat and mmap, and prints what the mapping holds, which a
 * replay shows again only if its open found the same file. argv[1]:
 *
 *   cwd      chdir, fchdir, openat relative to a directory descriptor,
 *            chdir back by a relative path
 *   lost     chdir and fchdir into directories the program makes and
 *            removes again, so never there in a replay: a relative open
 *            there must not find the f of the old cwd (it prints what it
 *            read, not the mapping, which the replay cannot have); a chdir
 *            by absolute path finds the way again
 *   chroot   chroot(d1), then open("/f") and, after chdir("/"), "f" (root)
 *   unshare  a thread with a cwd of its own (unshare(CLONE_FS)) chdirs to
 *            d1 and opens f; the main thread's relative open stays in the
 *            old cwd
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* @fd as the loader uses a library: fstat, mmap; print the mapping. */
static int show_map(const char *what, int fd)
{
	struct stat st;
	char *m;

	if (fd < 0 || fstat(fd, &st) || !st.st_size)
		return printf("%s: cannot open\n", what), 1;
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return printf("%s: cannot map\n", what), 1;
	printf("%s: maps \"%.*s\"\n", what, (int)strcspn(m, "\n"), m);
	munmap(m, st.st_size);
	close(fd);
	return 0;
}

/* The same, but print what read() returns: the mapping is not printed. */
static int show_read(const char *what, int fd)
{
	char buf[64] = "";
	struct stat st;
	void *m;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) || !st.st_size)
		return printf("%s: cannot open\n", what), 1;
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return printf("%s: cannot map\n", what), 1;
	munmap(m, st.st_size);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	printf("%s: reads \"%.*s\"\n", what, n > 0 ? (int)strcspn(buf, "\n") : 0, buf);
	close(fd);
	return 0;
}

static int put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		return 1;
	return close(fd);
}

static int cwd(void)
{
	int err = 0, dfd;

	if (chdir("d1"))
		return 1;
	err |= show_map("chdir d1, open f", open("f", O_RDONLY | O_CLOEXEC));
	dfd = open("../d2", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fchdir(dfd))
		return 1;
	err |= show_map("fchdir d2, open f", open("f", O_RDONLY | O_CLOEXEC));
	if (chdir(".."))
		return 1;
	err |= show_map("openat d2 f", openat(dfd, "f", O_RDONLY | O_CLOEXEC));
	err |= show_map("chdir .., open f", open("f", O_RDONLY | O_CLOEXEC));
	close(dfd);
	return err;
}

static int lost(void)
{
	char top[PATH_MAX];
	int err = 0, dfd;

	if (!getcwd(top, sizeof(top)) || mkdir("new1", 0755) || mkdir("new2", 0755) ||
	    put("new1/f", "new one\n") || put("new2/f", "new two\n"))
		return 1;
	if (chdir("new1"))
		return 1;
	err |= show_read("chdir new1, open f", open("f", O_RDONLY | O_CLOEXEC));
	if (chdir(top))
		return 1;
	err |= show_map("chdir back, open f", open("f", O_RDONLY | O_CLOEXEC));
	dfd = open("new2", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fchdir(dfd))
		return 1;
	err |= show_read("fchdir new2, open f", open("f", O_RDONLY | O_CLOEXEC));
	err |= show_read("openat new2 f", openat(dfd, "f", O_RDONLY | O_CLOEXEC));
	if (chdir(top))
		return 1;
	close(dfd);
	err |= show_map("chdir back again, open f", open("f", O_RDONLY | O_CLOEXEC));
	if (unlink("new1/f") || unlink("new2/f") || rmdir("new1") || rmdir("new2"))
		return 1;
	return err;
}

static int root(void)
{
	int err = 0;

	if (chroot("d1"))
		return printf("chroot: %m\n"), 1;
	err |= show_map("chroot d1, open /f", open("/f", O_RDONLY | O_CLOEXEC));
	if (chdir("/"))
		return 1;
	err |= show_map("chdir /, open f", open("f", O_RDONLY | O_CLOEXEC));
	return err;
}

static void *own_cwd(void *arg)
{
	int *err = arg;

	if (unshare(CLONE_FS) || chdir("d1")) {
		*err = 1;
		return NULL;
	}
	*err = show_map("thread: unshare, chdir d1, open f", open("f", O_RDONLY | O_CLOEXEC));
	return NULL;
}

static int unshared(void)
{
	pthread_t th;
	int err = 0;

	if (pthread_create(&th, NULL, own_cwd, &err) || pthread_join(th, NULL))
		return 1;
	return err | show_map("main: open f", open("f", O_RDONLY | O_CLOEXEC));
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "cwd";
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "cwd"))
		err = cwd();
	else if (!strcmp(mode, "lost"))
		err = lost();
	else if (!strcmp(mode, "chroot"))
		err = root();
	else if (!strcmp(mode, "unshare"))
		err = unshared();
	else
		return 2;
	printf("rp_paths %s %s\n", mode, err ? "FAILED" : "done");
	return err;
}
