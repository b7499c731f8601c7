// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: shared memory and memory advice. Each part computes
 * something through shared or advised memory and prints the result, what
 * it should be ("ok" or "WRONG") and a digest of the memory; a replay must
 * print the same lines. `rp_shm PART...` runs the parts named, in order
 * (`all`: every one):
 *
 *   file      a file it creates (O_RDWR|O_CREAT|O_TRUNC), ftruncate, mmap
 *             MAP_SHARED, written through the mapping and renamed; a child
 *             opens it by its new name, maps it, reads the parent's data
 *             and writes its own, which the parent then reads through its
 *             mapping
 *   written   a file written with write(), then mapped (MAP_SHARED and
 *             MAP_PRIVATE) and read through the mapping
 *   tmpfile   the same with an O_TMPFILE file, the child mapping the
 *             inherited descriptor
 *   existing  a file that was there (rp_shm.existing), opened for reading
 *             and writing, mapped MAP_SHARED with PROT_WRITE, read
 *   gone      a file that was there (rp_shm.gone, zeros), mapped
 *             MAP_SHARED and removed; a child writes through the mapping
 *   anon      MAP_SHARED|MAP_ANONYMOUS across fork, both ways
 *   memfd     memfd_create, write(), lseek, read(), write() again,
 *             ftruncate, mmap MAP_SHARED; a child
 *             (fork) maps the inherited descriptor, another (fork and
 *             exec, the descriptor's number in argv) too
 *   shm       shm_open, ftruncate, mmap; a child shm_opens it by name
 *   msync     writes through a shared mapping, msync, then maps the file
 *             again through another descriptor (MAP_PRIVATE)
 *   dontneed  MADV_DONTNEED: private anonymous memory reads back as zero,
 *             a private mapping of a file it wrote as the file
 *   free      MADV_FREE on private anonymous memory, written again
 *   remove    MADV_REMOVE punches a hole in shared memfd memory
 *   fork      MADV_DONTFORK and MADV_WIPEONFORK, seen by a child
 *   mlock     mlock, mlock2, munlock, mlockall, munlockall, and an mmap
 *             with MAP_LOCKED
 *
 * The files are made in the current directory (shm: /dev/shm) and removed;
 * existing and gone need theirs made by the caller, else they say so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rp_common.h"

#define SZ	(64 << 10)
#define HALF	(SZ / 2)

static const char *self_exe;

/* Fill @len bytes at @p with a pattern of @seed (not a constant). */
static void fill(void *p, size_t len, unsigned int seed)
{
	uint32_t *w = p, x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < len / 4; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		w[i] = x;
	}
}

/* Whether @len bytes at @p hold fill()'s pattern of @seed. */
static bool holds(const void *p, size_t len, unsigned int seed)
{
	static uint8_t want[SZ];

	fill(want, len, seed);
	return !memcmp(p, want, len);
}

static bool zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

static const char *ok(bool good)
{
	return good ? "ok" : "WRONG";
}

static uint64_t sum(const void *p, size_t len)
{
	const uint32_t *w = p;
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < len / 4; i++)
		s += w[i];
	return s;
}

/* fork() with nothing buffered: what the parent printed is not printed twice. */
static pid_t fork_clean(void)
{
	fflush(stdout);
	return fork();
}

/* Wait for child @pid; its exit status, or -1. */
static int reap(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/*
 * A child's side of a shared region @m: check the parent's pattern @seed
 * in the first half, put pattern @seed + 1 into the second.
 */
static int child_side(const char *part, uint8_t *m, unsigned int seed)
{
	printf("%s: child sees the parent's data: %s, sum %llx\n", part,
	       ok(holds(m, HALF, seed)), (unsigned long long)sum(m, HALF));
	fill(m + HALF, HALF, seed + 1);
	fflush(stdout);
	return 0;
}

/* The parent's side after the child: its pattern @seed + 1 in the second half. */
static void parent_side(const char *part, const uint8_t *m, unsigned int seed, int st)
{
	printf("%s: parent sees the child's data: %s, sum %llx (child status %d)\n", part,
	       ok(holds(m + HALF, HALF, seed + 1)), (unsigned long long)sum(m + HALF, HALF), st);
	digest(part, fnv(FNV0, m, SZ));
}

static int part_file(void)
{
	const char *path = "rp_shm.file";
	uint8_t *m;
	pid_t pid;
	int fd;

	/* made under another name and renamed, as an editor saves a file */
	fd = open("rp_shm.file.new", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, SZ))
		return 1;
	m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	close(fd);
	fill(m, HALF, 1);
	if (rename("rp_shm.file.new", path))
		return 1;
	pid = fork_clean();
	if (!pid) {
		uint8_t *c;

		fd = open(path, O_RDWR);
		if (fd < 0)
			_exit(1);
		c = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (c == MAP_FAILED)
			_exit(1);
		_exit(child_side("file", c, 1));
	}
	parent_side("file", m, 1, reap(pid));
	munmap(m, SZ);
	unlink(path);
	return 0;
}

static int part_written(void)
{
	const char *path = "rp_shm.written";
	static uint8_t buf[SZ];
	uint8_t *s, *p;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return 1;
	fill(buf, SZ, 3);
	if (write(fd, buf, SZ) != SZ)
		return 1;
	s = mmap(NULL, SZ, PROT_READ, MAP_SHARED, fd, 0);
	p = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (s == MAP_FAILED || p == MAP_FAILED)
		return 1;
	/* written again after the mapping: a shared mapping sees it */
	fill(buf, 4096, 4);
	if (pwrite(fd, buf, 4096, 8192) != 4096)
		return 1;
	printf("written: shared mapping holds what was written: %s, sum %llx\n",
	       ok(holds(s, 8192, 3) && holds(s + 8192, 4096, 4)),
	       (unsigned long long)sum(s, SZ));
	printf("written: private mapping holds the file: %s, sum %llx\n",
	       ok(holds(p, 8192, 3)), (unsigned long long)sum(p, 8192));
	digest("written", fnv(fnv(FNV0, s, SZ), p, 8192));
	munmap(s, SZ);
	munmap(p, SZ);
	close(fd);
	unlink(path);
	return 0;
}

static int part_tmpfile(void)
{
	uint8_t *m;
	pid_t pid;
	int fd;

	fd = open(".", O_TMPFILE | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, SZ))
		return 1;
	m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	fill(m, HALF, 21);
	pid = fork_clean();
	if (!pid) {
		uint8_t *c = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (c == MAP_FAILED)
			_exit(1);
		_exit(child_side("tmpfile", c, 21));
	}
	parent_side("tmpfile", m, 21, reap(pid));
	munmap(m, SZ);
	close(fd);
	return 0;
}

/*
 * A file that was there before (rp_shm.existing, made by the caller),
 * opened for reading and writing and mapped MAP_SHARED with PROT_WRITE,
 * but only read.
 */
static int part_existing(void)
{
	struct stat sb;
	uint8_t *m;
	int fd;

	fd = open("rp_shm.existing", O_RDWR);
	if (fd < 0 || fstat(fd, &sb)) {
		printf("existing: no rp_shm.existing here\n");
		return 0;
	}
	m = mmap(NULL, sb.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	printf("existing: %lld bytes, sum %llx\n", (long long)sb.st_size,
	       (unsigned long long)sum(m, sb.st_size & ~3));
	digest("existing", fnv(FNV0, m, sb.st_size));
	munmap(m, sb.st_size);
	close(fd);
	return 0;
}

/*
 * A file that was there before (rp_shm.gone, made by the caller, SZ zero
 * bytes), mapped MAP_SHARED and removed; a child writes through the
 * mapping it inherited, the parent reads.
 */
static int part_gone(void)
{
	uint8_t *m;
	pid_t pid;
	int fd;

	fd = open("rp_shm.gone", O_RDWR);
	if (fd < 0) {
		printf("gone: no rp_shm.gone here\n");
		return 0;
	}
	m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	close(fd);
	unlink("rp_shm.gone");
	printf("gone: zero: %s\n", ok(zero(m, SZ)));
	fill(m, HALF, 22);
	pid = fork_clean();
	if (!pid)
		_exit(child_side("gone", m, 22));
	parent_side("gone", m, 22, reap(pid));
	munmap(m, SZ);
	return 0;
}

static int part_anon(void)
{
	uint8_t *m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	if (m == MAP_FAILED)
		return 1;
	fill(m, HALF, 5);
	pid = fork_clean();
	if (!pid)
		_exit(child_side("anon", m, 5));
	parent_side("anon", m, 5, reap(pid));
	munmap(m, SZ);
	return 0;
}

/* rp_shm memfd-child FD: the child that exec'd, with the memfd. */
static int memfd_exec_child(int fd)
{
	uint8_t *m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED)
		return 1;
	printf("memfd: exec'd child sees the parent's data: %s\n", ok(holds(m, HALF, 6)));
	fill(m + HALF, HALF, 9);
	fflush(stdout);
	return 0;
}

static int part_memfd(void)
{
	static uint8_t buf[4096];
	char arg[16];
	uint8_t *m;
	pid_t pid;
	int fd, st;

	fd = memfd_create("rp_shm", 0);
	if (fd < 0)
		return 1;
	/*
	 * Written before it is mapped, read back in part (which moves the
	 * offset), written again there, then grown.
	 */
	fill(buf, sizeof(buf), 8);
	if (write(fd, buf, sizeof(buf)) != sizeof(buf) || lseek(fd, 0, SEEK_SET) ||
	    read(fd, buf, 1000) != 1000)
		return 1;
	fill(buf, 96, 7);
	if (write(fd, buf, 96) != 96 || ftruncate(fd, SZ))
		return 1;
	m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	fill(buf, sizeof(buf), 8);
	printf("memfd: mapping holds what was written: %s, the rest zero: %s\n",
	       ok(!memcmp(m, buf, 1000) && holds(m + 1000, 96, 7) &&
		  !memcmp(m + 1096, buf + 1096, sizeof(buf) - 1096)),
	       ok(zero(m + sizeof(buf), SZ - sizeof(buf))));
	fill(m, HALF, 6);
	pid = fork_clean();
	if (!pid) {
		uint8_t *c = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (c == MAP_FAILED)
			_exit(1);
		_exit(child_side("memfd", c, 6));
	}
	parent_side("memfd", m, 6, reap(pid));
	/* the descriptor to a program that execs */
	snprintf(arg, sizeof(arg), "%d", fd);
	pid = fork_clean();
	if (!pid) {
		execl(self_exe, "rp_shm", "memfd-child", arg, (char *)NULL);
		_exit(127);
	}
	st = reap(pid);
	printf("memfd: exec'd child: status %d, parent sees its data: %s\n", st,
	       ok(holds(m + HALF, HALF, 9)));
	/* and what the mapping holds, read() sees */
	if (pread(fd, buf, sizeof(buf), HALF) != sizeof(buf))
		return 1;
	printf("memfd: pread sees the mapping: %s\n", ok(!memcmp(buf, m + HALF, sizeof(buf))));
	digest("memfd_exec", fnv(FNV0, m, SZ));
	munmap(m, SZ);
	close(fd);
	return 0;
}

static int part_shm(void)
{
	char name[64];
	uint8_t *m;
	pid_t pid;
	int fd;

	snprintf(name, sizeof(name), "/rp_shm.%d", (int)getpid());
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, SZ))
		return 1;
	m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	close(fd);
	fill(m, HALF, 10);
	pid = fork_clean();
	if (!pid) {
		uint8_t *c;

		fd = shm_open(name, O_RDWR, 0);
		if (fd < 0)
			_exit(1);
		c = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (c == MAP_FAILED)
			_exit(1);
		_exit(child_side("shm", c, 10));
	}
	parent_side("shm", m, 10, reap(pid));
	munmap(m, SZ);
	shm_unlink(name);
	return 0;
}

static int part_msync(void)
{
	const char *path = "rp_shm.msync";
	uint8_t *m, *p;
	int fd, fd2, r;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, SZ))
		return 1;
	m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	fill(m, SZ, 11);
	r = msync(m, SZ, MS_SYNC);
	fd2 = open(path, O_RDONLY);
	if (fd2 < 0)
		return 1;
	p = mmap(NULL, SZ, PROT_READ, MAP_PRIVATE, fd2, 0);
	if (p == MAP_FAILED)
		return 1;
	printf("msync: %d; another mapping of the file holds the data: %s, sum %llx\n", r,
	       ok(holds(p, SZ, 11)), (unsigned long long)sum(p, SZ));
	r = msync(m, SZ, MS_ASYNC | MS_INVALIDATE);
	printf("msync: MS_INVALIDATE %d, the data stays: %s\n", r, ok(holds(m, SZ, 11)));
	digest("msync", fnv(FNV0, p, SZ));
	munmap(m, SZ);
	munmap(p, SZ);
	close(fd);
	close(fd2);
	unlink(path);
	return 0;
}

static int part_dontneed(void)
{
	const char *path = "rp_shm.dontneed";
	static uint8_t buf[SZ];
	uint8_t *m, *p;
	int fd, r1, r2;

	m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	fill(m, HALF, 12);
	fill(m + HALF, HALF, 112);
	r1 = madvise(m, HALF, MADV_DONTNEED);
	printf("dontneed: anonymous %d: zero: %s, the rest kept: %s\n", r1, ok(zero(m, HALF)),
	       ok(holds(m + HALF, HALF, 112)));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return 1;
	fill(buf, SZ, 13);
	if (write(fd, buf, SZ) != SZ)
		return 1;
	p = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	memset(p, 0x77, SZ);
	r2 = madvise(p, SZ, MADV_DONTNEED);
	printf("dontneed: private file mapping %d: the file again: %s, sum %llx\n", r2,
	       ok(holds(p, SZ, 13)), (unsigned long long)sum(p, SZ));
	digest("dontneed", fnv(fnv(FNV0, m, SZ), p, SZ));
	munmap(m, SZ);
	munmap(p, SZ);
	close(fd);
	unlink(path);
	return 0;
}

static int part_free(void)
{
	uint8_t *m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r;

	if (m == MAP_FAILED)
		return 1;
	fill(m, SZ, 14);
	r = madvise(m, SZ, MADV_FREE);
	/* freed lazily: written again, it holds what is written */
	fill(m, HALF, 15);
	printf("free: %d, written again: %s\n", r, ok(holds(m, HALF, 15)));
	digest("free", fnv(FNV0, m, HALF));
	munmap(m, SZ);
	return 0;
}

static int part_remove(void)
{
	uint8_t *m, *c;
	int fd, r;

	fd = memfd_create("rp_shm.remove", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, SZ))
		return 1;
	m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	c = mmap(NULL, SZ, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED || c == MAP_FAILED)
		return 1;
	fill(m, HALF, 16);
	fill(m + HALF, HALF, 116);
	r = madvise(m, HALF, MADV_REMOVE);
	printf("remove: %d, a hole: %s, seen through another mapping: %s, the rest kept: %s\n",
	       r, ok(zero(m, HALF)), ok(zero(c, HALF)), ok(holds(m + HALF, HALF, 116)));
	digest("remove", fnv(FNV0, c, SZ));
	munmap(m, SZ);
	munmap(c, SZ);
	close(fd);
	return 0;
}

static int part_fork(void)
{
	uint8_t *d, *w;
	pid_t pid;
	int r1, r2;

	d = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	w = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d == MAP_FAILED || w == MAP_FAILED)
		return 1;
	fill(d, SZ, 17);
	fill(w, SZ, 18);
	r1 = madvise(d, SZ, MADV_DONTFORK);
	r2 = madvise(w, SZ, MADV_WIPEONFORK);
	pid = fork_clean();
	if (!pid) {
		/* not in the child: madvise finds nothing there */
		int gone = madvise(d, SZ, MADV_NORMAL) ? errno : 0;

		printf("fork: child: DONTFORK region gone: %s (%d), WIPEONFORK region zero: %s\n",
		       ok(gone == ENOMEM), gone, ok(zero(w, SZ)));
		fflush(stdout);
		_exit(0);
	}
	printf("fork: %d %d, child status %d, parent keeps both: %s\n", r1, r2, reap(pid),
	       ok(holds(d, SZ, 17) && holds(w, SZ, 18)));
	digest("fork", fnv(fnv(FNV0, d, SZ), w, SZ));
	munmap(d, SZ);
	munmap(w, SZ);
	return 0;
}

static int part_mlock(void)
{
	struct rlimit rl;
	uint8_t *m, *l;
	int r[6];

	m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	fill(m, SZ, 19);
	getrlimit(RLIMIT_MEMLOCK, &rl);
	r[0] = mlock(m, SZ);
	r[1] = munlock(m, SZ);
	r[2] = mlock2(m, HALF, MLOCK_ONFAULT);
	r[3] = mlockall(MCL_CURRENT | MCL_FUTURE);
	/* locked as made (MCL_FUTURE), and by its flag */
	l = mmap(NULL, 4 * SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED,
		 -1, 0);
	r[4] = l == MAP_FAILED ? -errno : 0;
	if (l != MAP_FAILED)
		fill(l, SZ, 20);
	r[5] = munlockall();
	printf("mlock: %d %d %d %d, mmap MAP_LOCKED %d, munlockall %d, data kept: %s\n",
	       r[0], r[1], r[2], r[3], r[4], r[5],
	       ok(holds(m, SZ, 19) && (l == MAP_FAILED || holds(l, SZ, 20))));
	digest("mlock", fnv(FNV0, m, SZ));
	munmap(m, SZ);
	if (l != MAP_FAILED)
		munmap(l, 4 * SZ);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(void);
} parts[] = {
	{ "file", part_file },
	{ "written", part_written },
	{ "tmpfile", part_tmpfile },
	{ "existing", part_existing },
	{ "gone", part_gone },
	{ "anon", part_anon },
	{ "memfd", part_memfd },
	{ "shm", part_shm },
	{ "msync", part_msync },
	{ "dontneed", part_dontneed },
	{ "free", part_free },
	{ "remove", part_remove },
	{ "fork", part_fork },
	{ "mlock", part_mlock },
};

#define NPARTS	(sizeof(parts) / sizeof(parts[0]))

int main(int argc, char **argv)
{
	size_t k;
	int i;

	self_exe = "/proc/self/exe";
	if (argc == 3 && !strcmp(argv[1], "memfd-child"))
		return memfd_exec_child(atoi(argv[2]));
	if (argc < 2)
		return 2;
	for (i = 1; i < argc; i++) {
		bool all = !strcmp(argv[i], "all"), found = false;

		for (k = 0; k < NPARTS; k++) {
			if (!all && strcmp(argv[i], parts[k].name))
				continue;
			found = true;
			if (parts[k].run()) {
				printf("%s: failed: %s\n", parts[k].name, strerror(errno));
				return 1;
			}
		}
		if (!found)
			return 2;
	}
	printf("rp_shm done\n");
	return 0;
}
