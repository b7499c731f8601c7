// SPDX-License-Identifier: GPL-2.0
/*
 * Restore workload: memory of every kind, each in a known pattern.
 *
 *   rs_mem MODE [DIR]
 *
 * MODE:
 *   anon     heap (small blocks from brk, a calloc'ed block), a private
 *            anonymous region (pages written, never touched, zeroed, made
 *            read-only, made PROT_NONE), a 16 KiB pattern on the stack
 *   file     DIR/private: 16 pages mapped privately, 4 of them written
 *            (the others stay the file's), and mapped a second time read-only;
 *            DIR/shared: 8 pages mapped shared and written through the map
 *   shared   MAP_SHARED|MAP_ANONYMOUS memory mapped twice (mremap with
 *            old size 0: one object, two VMAs), a memfd mapped twice at
 *            different offsets
 *   thp      8 MiB with MADV_HUGEPAGE, 2 MiB aligned, written
 *
 * Prints "ready PID", then reads commands:
 *   check    everything as it was built (after "mutate": as mutated),
 *            PASS or FAIL lines, then exit
 *   mutate   change the anon region's pages 0-7 and a heap block; "ok"
 *   pair DIR for side-by-side restores: check, then create DIR/<our pid
 *            here> and wait (10 s at most) until DIR holds two files,
 *            PASS, exit
 *   exit
 * After "check" the process also uses its memory as a program would: it
 * mallocs and frees (the break moves), writes the shared maps and sees the
 * aliases change.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "rs_common.h"

#define NBLK		64
#define REGION_PAGES	64

static const char *mode, *dir;
static unsigned char *blk[NBLK], *big, *region, *prot_none;
static unsigned int region_seed = 3;
static unsigned char *priv, *priv_ro, *shm, *shm_alias, *mfd, *mfd_alias, *thp;

static void build_anon(void)
{
	for (int i = 0; i < NBLK; i++) {
		blk[i] = malloc(1000);
		memset(blk[i], 0x40 + i, 1000);
	}
	big = calloc(1, 40 * PAGE);	/* above the mmap threshold? 160 KiB: mmap'ed */
	rs_fill(big, 40, 11);
	region = mmap(NULL, REGION_PAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rs_fill(region, 32, region_seed);		/* 0-31 written */
	/* 32-47 never touched */
	rs_fill(region + 48 * PAGE, 8, 5);
	memset(region + 48 * PAGE, 0, 8 * PAGE);	/* 48-55 written, then zeroed */
	rs_fill(region + 56 * PAGE, 8, 7);
	mprotect(region + 56 * PAGE, 8 * PAGE, PROT_READ);	/* 56-63 read-only */
	prot_none = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	rs_fill(prot_none, 4, 13);
	mprotect(prot_none, 4 * PAGE, PROT_NONE);
}

static void check_maps_prot(const void *addr, const char *want)
{
	char line[512], perms[8];
	unsigned long s, e, a = (unsigned long)addr;
	FILE *f = fopen("/proc/self/maps", "r");
	bool found = false;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) == 3 && a >= s && a < e) {
			found = true;
			if (strcmp(perms, want))
				rs_fail("the mapping at %p is %s, not %s", addr, perms, want);
		}
	if (f)
		fclose(f);
	if (!found)
		rs_fail("nothing is mapped at %p", addr);
}

static void check_anon(bool mutated)
{
	char what[32];

	for (int i = 0; i < NBLK; i++) {
		int want = (mutated && i == 5) ? 0x99 : 0x40 + i;

		for (int k = 0; k < 1000; k++)
			if (blk[i][k] != want) {
				rs_fail("heap block %d byte %d is %#x", i, k, blk[i][k]);
				break;
			}
	}
	rs_check("calloc'ed block", big, 40, 11);
	rs_check("region pages 0-7", region, 8, mutated ? 21 : region_seed);
	for (int i = 8; i < 32; i++) {
		snprintf(what, sizeof(what), "region page %d", i);
		for (unsigned long k = 0; k < PAGE; k++)
			if (region[i * PAGE + k] != rs_pat(region_seed, i, k)) {
				rs_fail("%s byte %lu", what, k);
				break;
			}
	}
	rs_check("region pages 32-55 (never touched, zeroed)", region + 32 * PAGE, 24, 0);
	rs_check("region pages 56-63 (read-only)", region + 56 * PAGE, 8, 7);
	check_maps_prot(region + 56 * PAGE, "r--p");
	check_maps_prot(prot_none, "---p");
	mprotect(prot_none, 4 * PAGE, PROT_READ);
	rs_check("PROT_NONE pages", prot_none, 4, 13);
	/* the heap goes on: the break moves, old blocks stay */
	for (int i = 0; i < 256; i++) {
		unsigned char *p = malloc(4000);

		if (!p) {
			rs_fail("malloc after the restore failed");
			break;
		}
		memset(p, 0xee, 4000);
		if (i % 2)
			free(p);
	}
	for (int i = 0; i < NBLK; i++)
		if (blk[i][999] != ((mutated && i == 5) ? 0x99 : 0x40 + i))
			rs_fail("heap block %d changed after new mallocs", i);
	if (sbrk(0) == (void *)-1)
		rs_fail("sbrk(0) failed");
}

static int open_file(const char *name, unsigned long npages, unsigned int seed)
{
	char path[4096];
	unsigned char *buf = malloc(npages * PAGE);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	rs_fill(buf, npages, seed);
	if (fd < 0 || write(fd, buf, npages * PAGE) != (ssize_t)(npages * PAGE)) {
		perror(path);
		exit(2);
	}
	free(buf);
	return fd;
}

static void build_file(void)
{
	int fd = open_file("private", 16, 17);

	priv = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	rs_fill(priv, 4, 19);			/* pages 0-3 written privately */
	priv_ro = mmap(NULL, 8 * PAGE, PROT_READ, MAP_PRIVATE, fd, 8 * PAGE);
	close(fd);
	fd = open_file("shared", 8, 0);
	shm = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rs_fill(shm, 8, 23);
	close(fd);
}

static void check_file(void)
{
	char path[4096];
	unsigned char *buf = malloc(16 * PAGE);
	int fd;

	rs_check("private file map pages 0-3 (written)", priv, 4, 19);
	for (int i = 4; i < 16; i++)
		for (unsigned long k = 0; k < PAGE; k++)
			if (priv[i * PAGE + k] != rs_pat(17, i, k)) {
				rs_fail("private file map page %d is not the file's", i);
				i = 16;
				break;
			}
	for (int i = 0; i < 8; i++)
		if (priv_ro[i * PAGE + 1] != rs_pat(17, i + 8, 1))
			rs_fail("the read-only file map page %d is not the file's", i);
	check_maps_prot(priv_ro, "r--p");
	snprintf(path, sizeof(path), "%s/private", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, buf, 16 * PAGE, 0) != 16 * PAGE)
		rs_fail("cannot read %s", path);
	else
		rs_check("the private map's file (unchanged)", buf, 16, 17);
	close(fd);
	rs_check("shared file map", shm, 8, 23);
	check_maps_prot(shm, "rw-s");
	/* still the file's pages: a write through the map is in the file */
	shm[5] = 0x77;
	snprintf(path, sizeof(path), "%s/shared", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, buf, 16, 0) != 16 || buf[5] != 0x77)
		rs_fail("a write to the shared file map did not reach the file");
	close(fd);
	free(buf);
}

static void build_shared(void)
{
	int fd;

	shm = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	/* old size 0: a second mapping of the same object */
	shm_alias = mremap(shm, 0, 8 * PAGE, MREMAP_MAYMOVE);
	rs_fill(shm, 6, 29);			/* pages 6-7 never touched */
	fd = memfd_create("rsmem", 0);
	if (fd < 0 || ftruncate(fd, 4 * PAGE)) {
		perror("memfd");
		exit(2);
	}
	mfd = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	mfd_alias = mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED, fd, PAGE);
	rs_fill(mfd, 4, 31);
	close(fd);
}

static void check_shared(void)
{
	char name[64] = "";
	char *p;

	if (shm_alias == MAP_FAILED || shm_alias == shm)
		rs_fail("no alias of the shared memory");
	rs_check("shared anonymous memory", shm, 6, 29);
	rs_check("shared anonymous memory, never touched", shm + 6 * PAGE, 2, 0);
	rs_check("its alias", shm_alias, 6, 29);
	shm[3 * PAGE + 1] = 0x55;
	if (shm_alias[3 * PAGE + 1] != 0x55)
		rs_fail("a write to the shared memory is not seen through its alias");
	rs_check("memfd map", mfd, 4, 31);
	for (int i = 0; i < 3; i++)
		if (mfd_alias[i * PAGE + 9] != rs_pat(31, i + 1, 9))
			rs_fail("memfd alias page %d", i);
	mfd[PAGE + 9] = 0x66;
	if (mfd_alias[9] != 0x66)
		rs_fail("a write to the memfd map is not seen through its alias");
	check_maps_prot(mfd_alias, "r--s");
	/* the memfd keeps its name */
	{
		char line[512];
		unsigned long s, e;
		FILE *f = fopen("/proc/self/maps", "r");

		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "%lx-%lx", &s, &e) == 2 && (unsigned long)mfd == s &&
			    (p = strchr(line, '/')))
				snprintf(name, sizeof(name), "%s", p);
		if (f)
			fclose(f);
	}
	if (!strstr(name, "memfd:rsmem"))
		rs_fail("the memfd map is %s", name);
}

static void build_thp(void)
{
	unsigned char *p = mmap(NULL, 10 << 20, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	thp = (unsigned char *)(((unsigned long)p + (2 << 20) - 1) & ~((2UL << 20) - 1));
	munmap(p, thp - p);
	munmap(thp + (8 << 20), p + (10 << 20) - (thp + (8 << 20)));
	madvise(thp, 8 << 20, MADV_HUGEPAGE);
	rs_fill(thp, (8 << 20) / PAGE, 37);
}

static void check_thp(void)
{
	char flags[256], line[256];
	unsigned long s, e, kb = 0;
	FILE *f;
	int in = 0;

	rs_check("THP region", thp, (8 << 20) / PAGE, 37);
	rs_vmflags(thp, flags, sizeof(flags));
	if (!strstr(flags, " hg"))
		rs_fail("the THP region lost MADV_HUGEPAGE (VmFlags:%s)", flags);
	f = fopen("/proc/self/smaps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (unsigned long)thp >= s && (unsigned long)thp < e;
		else if (in && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			break;
	}
	if (f)
		fclose(f);
	printf("info thp AnonHugePages %lu kB\n", kb);
}

static void check(bool mutated)
{
	if (!strcmp(mode, "anon"))
		check_anon(mutated);
	else if (!strcmp(mode, "file"))
		check_file();
	else if (!strcmp(mode, "shared"))
		check_shared();
	else if (!strcmp(mode, "thp"))
		check_thp();
}

static int count_files(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *e;
	int n = 0;

	while (dd && (e = readdir(dd)))
		n += e->d_name[0] != '.';
	if (dd)
		closedir(dd);
	return n;
}

static void pair(const char *d)
{
	char path[4200], self[32] = "";
	ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
	int i;

	if (n > 0)
		self[n] = 0;
	snprintf(path, sizeof(path), "%s/%s", d, self);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	for (i = 0; i < 1000 && count_files(d) < 2; i++)
		usleep(10000);
	if (count_files(d) < 2)
		rs_fail("the other restored process did not show up in %s", d);
}

int main(int argc, char **argv)
{
	char line[4096];
	char stack_pattern[4 * PAGE];	/* on main's stack */
	bool mutated = false;

	if (argc < 2) {
		fprintf(stderr, "usage: rs_mem anon|file|shared|thp [DIR]\n");
		return 2;
	}
	mode = argv[1];
	dir = argc > 2 ? argv[2] : "/tmp";
	rs_fill(stack_pattern, 4, 41);
	if (!strcmp(mode, "anon"))
		build_anon();
	else if (!strcmp(mode, "file"))
		build_file();
	else if (!strcmp(mode, "shared"))
		build_shared();
	else if (!strcmp(mode, "thp"))
		build_thp();
	else
		return 2;
	printf("ready %d\n", getpid());
	fflush(stdout);
	while (!rs_command(line, sizeof(line))) {
		if (!strcmp(line, "mutate") && !strcmp(mode, "anon")) {
			rs_fill(region, 8, 21);
			memset(blk[5], 0x99, 1000);
			mutated = true;
			printf("ok\n");
			fflush(stdout);
		} else if (!strcmp(line, "check") || !strncmp(line, "pair ", 5)) {
			printf("info mutated %d\n", mutated);
			check(mutated);
			rs_check("the stack", stack_pattern, 4, 41);
			if (!strncmp(line, "pair ", 5))
				pair(line + 5);
			return rs_verdict();
		} else if (!strcmp(line, "exit")) {
			return 0;
		}
	}
	return 3;
}
