// SPDX-License-Identifier: GPL-2.0
/*
 * Workload for selftests/kmod_snapdiff: maps one region of each kind the
 * snapshot code handles differently, fills every page, reports the layout
 * on stdout, then writes, reads, unmaps, moves, forks... on command (stdin,
 * see snap_diff.h). It touches nothing else between commands, so a diff of
 * two snapshots taken between commands holds exactly what the commands did,
 * plus the stack and libc pages the command loop itself writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/io_uring.h>

#include "snap_diff.h"

static struct sd_layout l;
static pthread_barrier_t start_bar, done_bar;
static struct sd_cmd thread_cmd;
static pid_t child;
static char **args;

static void die(const char *what)
{
	fprintf(stderr, "snap_diff: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void fill(uint64_t addr, uint64_t len, uint32_t seed)
{
	volatile uint8_t *p = (uint8_t *)(uintptr_t)addr;
	uint64_t i;

	for (i = 0; i < len; i++)
		p[i] = sd_byte(addr + i, seed);
}

static int check(uint64_t addr, uint64_t len, uint32_t seed)
{
	const volatile uint8_t *p = (uint8_t *)(uintptr_t)addr;
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != sd_byte(addr + i, seed))
			return EILSEQ;
	return 0;
}

static void *map_anon(size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static int thp_backed(uint64_t addr)
{
	char line[256], perms[8];
	int in = 0, kb = 0, found = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) == 3)
			in = s <= addr && addr < e;
		else if (in && sscanf(line, "AnonHugePages: %d kB", &kb) == 1)
			found |= kb >= 2048;
	}
	fclose(f);
	return found;
}

/* io_uring registered buffers are pinned (FOLL_PIN | FOLL_LONGTERM). */
static int pin(uint64_t addr, uint64_t len)
{
	struct io_uring_params p;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)addr,
			     .iov_len = len };
	int fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0)
		return 0;
	if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS,
		    &iov, 1)) {
		close(fd);
		return 0;
	}
	return 1;		/* fd stays open: the pin lasts */
}

static void *thread_main(void *arg)
{
	unsigned int t = (uintptr_t)arg, r, i;
	uint64_t base = l.addr[SD_THREADS] + t * SD_THREAD_PAGES * SD_PAGE;

	for (;;) {
		pthread_barrier_wait(&start_bar);
		for (r = 0; r < thread_cmd.len; r++)
			for (i = 0; i < SD_THREAD_PAGES; i++)
				if (thread_cmd.arg & (1UL << i))
					fill(base + i * SD_PAGE, SD_PAGE,
					     thread_cmd.seed + r);
		pthread_barrier_wait(&done_bar);
	}
	return NULL;
}

static void setup(const char *opts)
{
	char path[] = "/tmp/ttrec-snapdiff-XXXXXX";
	unsigned char page[SD_PAGE];
	uint8_t *p;
	uint64_t a;
	int fd, i;

	l.len[SD_ANON] = SD_ANON_PAGES * SD_PAGE;
	l.addr[SD_ANON] = (uintptr_t)map_anon(l.len[SD_ANON], MAP_PRIVATE);
	madvise((void *)(uintptr_t)l.addr[SD_ANON], l.len[SD_ANON],
		MADV_NOHUGEPAGE);

	/* From the brk heap: malloc() only mmap()s above the threshold. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	p = malloc((SD_HEAP_PAGES + 1) * SD_PAGE);
	if (!p)
		die("malloc");
	l.addr[SD_HEAP] = ((uintptr_t)p + SD_PAGE - 1) & ~(SD_PAGE - 1);
	l.len[SD_HEAP] = SD_HEAP_PAGES * SD_PAGE;

	fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	unlink(path);
	for (i = 0; i < SD_FILE_PAGES; i++) {
		memset(page, 0x5a ^ i, sizeof(page));
		if (pwrite(fd, page, sizeof(page), i * SD_PAGE) != SD_PAGE)
			die("pwrite");
	}
	l.len[SD_FILE] = SD_FILE_PAGES * SD_PAGE;
	p = mmap(NULL, l.len[SD_FILE], PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 fd, 0);
	if (p == MAP_FAILED)
		die("mmap file");
	close(fd);
	l.addr[SD_FILE] = (uintptr_t)p;

	l.len[SD_SHARED] = SD_SHARED_PAGES * SD_PAGE;
	l.addr[SD_SHARED] = (uintptr_t)map_anon(l.len[SD_SHARED], MAP_SHARED);

	l.len[SD_PINNED] = SD_PINNED_PAGES * SD_PAGE;
	l.addr[SD_PINNED] = (uintptr_t)map_anon(l.len[SD_PINNED], MAP_PRIVATE);
	madvise((void *)(uintptr_t)l.addr[SD_PINNED], l.len[SD_PINNED],
		MADV_NOHUGEPAGE);

	if (strchr(opts, SD_OPT_THP)) {
		a = (uintptr_t)map_anon(2 * SD_THP_SIZE, MAP_PRIVATE);
		l.addr[SD_THP] = (a + SD_THP_SIZE - 1) & ~(SD_THP_SIZE - 1);
		l.len[SD_THP] = SD_THP_SIZE;
		madvise((void *)(uintptr_t)l.addr[SD_THP], SD_THP_SIZE,
			MADV_HUGEPAGE);
	}
	if (strchr(opts, SD_OPT_THREADS)) {
		l.len[SD_THREADS] = SD_NR_THREADS * SD_THREAD_PAGES * SD_PAGE;
		l.addr[SD_THREADS] = (uintptr_t)map_anon(l.len[SD_THREADS],
							 MAP_PRIVATE);
		madvise((void *)(uintptr_t)l.addr[SD_THREADS],
			l.len[SD_THREADS], MADV_NOHUGEPAGE);
	}

	for (i = 0; i < SD_NR_REGIONS; i++)
		if (l.addr[i])
			fill(l.addr[i], l.len[i], i + 1);
	/* Only half of the file mapping gets private pages. */
	l.len[SD_FILE] = SD_FILE_PAGES * SD_PAGE;
	for (a = l.addr[SD_FILE] + l.len[SD_FILE] / 2;
	     a < l.addr[SD_FILE] + l.len[SD_FILE]; a += SD_PAGE)
		if (madvise((void *)(uintptr_t)a, SD_PAGE, MADV_DONTNEED))
			die("madvise");
	if (l.addr[SD_THP])
		l.thp_ok = thp_backed(l.addr[SD_THP]);
	l.pinned_ok = pin(l.addr[SD_PINNED], l.len[SD_PINNED]);

	if (l.addr[SD_THREADS]) {
		pthread_t th;

		if (pthread_barrier_init(&start_bar, NULL, SD_NR_THREADS + 1) ||
		    pthread_barrier_init(&done_bar, NULL, SD_NR_THREADS + 1))
			die("pthread_barrier_init");
		for (i = 0; i < SD_NR_THREADS; i++)
			if (pthread_create(&th, NULL, thread_main,
					   (void *)(uintptr_t)i))
				die("pthread_create");
	}

	/* A hole nothing else will take: mapped, then unmapped. */
	l.hole = (uintptr_t)map_anon(SD_HOLE_PAGES * SD_PAGE, MAP_PRIVATE);
	munmap((void *)(uintptr_t)l.hole, SD_HOLE_PAGES * SD_PAGE);
}

static int do_fork(const struct sd_cmd *c, uint64_t *val)
{
	int p[2];
	char b;

	if (pipe(p))
		return errno;
	child = fork();
	if (child < 0)
		return errno;
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fill(c->addr, c->len, c->seed);
		close(p[0]);
		close(p[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	/* EOF once the child has written its pages. */
	if (read(p[0], &b, 1) < 0)
		return errno;
	close(p[0]);
	*val = child;
	return 0;
}

static int run(const struct sd_cmd *c, uint64_t *val)
{
	void *addr = (void *)(uintptr_t)c->addr;
	uint64_t i, sum = 0;
	void *p;

	switch (c->op) {
	case SD_WRITE:
		fill(c->addr, c->len, c->seed);
		return 0;
	case SD_REWRITE:
		for (i = 0; i < c->len; i += SD_PAGE) {
			volatile uint8_t *b = (uint8_t *)addr + i;

			*b = *b;
		}
		return 0;
	case SD_READ:
		for (i = 0; i < c->len; i++)
			sum += ((volatile uint8_t *)addr)[i];
		*val = sum;
		return 0;
	case SD_CHECK:
		return check(c->addr, c->len, c->seed);
	case SD_MUNMAP:
		return munmap(addr, c->len) ? errno : 0;
	case SD_MREMAP:
		p = mremap(addr, c->len, c->len, MREMAP_MAYMOVE | MREMAP_FIXED,
			   (void *)(uintptr_t)c->arg);
		if (p == MAP_FAILED)
			return errno;
		*val = (uintptr_t)p;
		return 0;
	case SD_MPROTECT:
		return mprotect(addr, c->len, c->arg) ? errno : 0;
	case SD_DONTNEED:
		return madvise(addr, c->len, MADV_DONTNEED) ? errno : 0;
	case SD_MMAP:
		p = mmap(addr, c->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | (addr ? MAP_FIXED : 0),
			 -1, 0);
		if (p == MAP_FAILED)
			return errno;
		*val = (uintptr_t)p;
		fill(*val, c->len, c->seed);
		return 0;
	case SD_FORK:
		return do_fork(c, val);
	case SD_REAP:
		if (child <= 0)
			return ECHILD;
		kill(child, SIGKILL);
		if (waitpid(child, NULL, 0) != child)
			return errno;
		child = 0;
		return 0;
	case SD_EXEC:
		execv("/proc/self/exe", args);
		return errno;
	case SD_THREADS_WRITE:
		if (!l.addr[SD_THREADS])
			return EINVAL;
		thread_cmd = *c;
		pthread_barrier_wait(&start_bar);
		pthread_barrier_wait(&done_bar);
		return 0;
	}
	return EINVAL;
}

int main(int argc, char **argv)
{
	struct sd_cmd c;
	struct sd_reply r;

	args = argv;
	setup(argc > 1 ? argv[1] : "");
	if (write(1, &l, sizeof(l)) != sizeof(l))
		die("write layout");
	while (read(0, &c, sizeof(c)) == sizeof(c)) {
		memset(&r, 0, sizeof(r));
		r.err = run(&c, &r.val);
		if (write(1, &r, sizeof(r)) != sizeof(r))
			die("write reply");
	}
	if (child > 0)
		kill(child, SIGKILL);
	return 0;
}
