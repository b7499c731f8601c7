// SPDX-License-Identifier: GPL-2.0
/*
 * Restore workload: descriptors of every kind ttrec re-creates, each at a
 * number of its own, with state to find again.
 *
 *   rs_fds MODE DIR
 *
 * MODE:
 *   all          10 DIR/data (O_RDONLY) read to offset 1234
 *                11 DIR/log (O_WRONLY|O_APPEND, FD_CLOEXEC), 100 bytes
 *                12 DIR (O_DIRECTORY)
 *                13/14 a pipe: read end (O_NONBLOCK), write end; 3000
 *                   bytes buffered, capacity 128 KiB
 *                15 eventfd, count 7 (EFD_NONBLOCK)
 *                16 timerfd (CLOCK_MONOTONIC): first expiry after 50 ms,
 *                   then every 100 s; the one expiration not read
 *                17 signalfd for SIGUSR1 (blocked, one pending)
 *                18 epoll: 13 for EPOLLIN with data 0x1111, 15 for
 *                   EPOLLIN with data 0x2222, and an item for fd 25 whose
 *                   descriptor was closed (its file lives on as 26)
 *                19 memfd "rs-memfd" of 3 pages, mapped shared, sealed
 *                   F_SEAL_SHRINK|F_SEAL_GROW
 *                20 /dev/null (O_WRONLY)
 *                21/22 DIR/fifo, O_RDWR and O_RDONLY|O_NONBLOCK; 100
 *                   bytes buffered
 *                23/24 a terminal: a pseudo-terminal's slave and master
 *                   (both become the restore's stdout)
 *                26 eventfd, count 5
 *                27 eventfd with EFD_SEMAPHORE, count 3
 *                28 an empty memfd "rs-empty", not mapped
 *                29 a pipe's read end with 50 bytes, its write end closed
 *                2000 eventfd, count 9 (RLIMIT_NOFILE raised to 4096)
 *   file         10 DIR/data read to offset 1234 (for the changed-file
 *                and --inherit-fd cases)
 *   unsupported  10 DIR/data, 30 an inotify descriptor (a kind ttrec
 *                cannot re-create), 31 a memfd with 10 bytes, not mapped
 *                (its contents are not in an image), 32 a deleted file;
 *                "check" wants fds 30-32 to be /dev/null
 *
 * Prints "ready PID", then reads commands on stdin: "check" verifies every
 * descriptor (number, flags, offset, bytes, counts, events and their
 * data, and that no other descriptor is open), prints PASS or FAIL lines
 * and exits. Words after "check" say what the image knew: "sem", fd 27's
 * EFD_SEMAPHORE (not on 6.1: then fd 27 is a counter); "closed", that
 * nobody held fd 29's write end (the module counts the ends: then fd 29
 * gives its 50 bytes and the end of file; else it is the restore's
 * stdin).
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>

#include "rs_common.h"

#define DATA_LEN	10000
#define DATA_OFF	1234
#define PIPE_BYTES	3000
#define PIPE_CAP	(128 * 1024)
#define FIFO_BYTES	100
#define MFD_PAGES	3

static const char *mode, *dir;
static unsigned char *mfd_map;
static struct stat dir_st;

static unsigned char data_byte(unsigned long i)
{
	return (unsigned char)(i * 7 + (i >> 8) + 1);
}

static void at(int fd, int want)
{
	if (fd < 0) {
		fprintf(stderr, "rs_fds: setting up fd %d: %s\n", want, strerror(errno));
		exit(2);
	}
	if (fd != want) {
		if (dup2(fd, want) < 0)
			exit(2);
		close(fd);
	}
}

static void make_data(void)
{
	char path[512];
	unsigned char buf[DATA_LEN];
	int fd;

	for (unsigned long i = 0; i < DATA_LEN; i++)
		buf[i] = data_byte(i);
	snprintf(path, sizeof(path), "%s/data", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, DATA_LEN) != DATA_LEN)
		exit(2);
	close(fd);
	at(open(path, O_RDONLY), 10);
	if (read(10, buf, DATA_OFF) != DATA_OFF)
		exit(2);
}

static void build_all(void)
{
	char path[512], buf[PIPE_BYTES];
	struct itimerspec its = { { 100, 0 }, { 0, 50000000 } };
	struct epoll_event ev;
	sigset_t set;
	int p[2];

	make_data();
	snprintf(path, sizeof(path), "%s/log", dir);
	at(open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644), 11);
	memset(buf, 'L', 100);
	if (write(11, buf, 100) != 100)
		exit(2);
	fcntl(11, F_SETFD, FD_CLOEXEC);
	at(open(dir, O_RDONLY | O_DIRECTORY), 12);
	fstat(12, &dir_st);
	if (pipe(p))
		exit(2);
	at(p[0], 13);
	at(p[1], 14);
	fcntl(13, F_SETFL, O_NONBLOCK);
	if (fcntl(14, F_SETPIPE_SZ, PIPE_CAP) < 0)
		exit(2);
	for (int i = 0; i < PIPE_BYTES; i++)
		buf[i] = (char)(i * 3 + 5);
	if (write(14, buf, PIPE_BYTES) != PIPE_BYTES)
		exit(2);
	at(eventfd(7, EFD_NONBLOCK), 15);
	at(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), 16);
	timerfd_settime(16, 0, &its, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	at(signalfd(-1, &set, SFD_NONBLOCK), 17);
	raise(SIGUSR1);
	at(epoll_create1(0), 18);
	at(eventfd(5, 0), 25);
	at(dup(25), 26);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 0x1111 };
	epoll_ctl(18, EPOLL_CTL_ADD, 13, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 0x2222 };
	epoll_ctl(18, EPOLL_CTL_ADD, 15, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 0x3333 };
	epoll_ctl(18, EPOLL_CTL_ADD, 25, &ev);
	close(25);			/* the item stays: its file is 26's */
	at(memfd_create("rs-memfd", MFD_ALLOW_SEALING), 19);
	mfd_map = mmap(NULL, MFD_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 19, 0);
	if (ftruncate(19, MFD_PAGES * PAGE) || mfd_map == MAP_FAILED)
		exit(2);
	rs_fill(mfd_map, MFD_PAGES, 17);
	fcntl(19, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
	at(open("/dev/null", O_WRONLY), 20);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600))
		exit(2);
	at(open(path, O_RDWR), 21);
	at(open(path, O_RDONLY | O_NONBLOCK), 22);
	memset(buf, 'F', FIFO_BYTES);
	if (write(21, buf, FIFO_BYTES) != FIFO_BYTES)
		exit(2);
	at(posix_openpt(O_RDWR | O_NOCTTY), 24);
	if (grantpt(24) || unlockpt(24) || !ptsname(24))
		exit(2);
	at(open(ptsname(24), O_RDWR | O_NOCTTY), 23);
	at(eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK), 27);
	at(memfd_create("rs-empty", 0), 28);
	if (setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 4096, 4096 }))
		exit(2);
	at(eventfd(9, 0), 2000);
	if (pipe(p))
		exit(2);
	at(p[0], 29);
	memset(buf, 'C', 50);
	if (write(p[1], buf, 50) != 50)
		exit(2);
	close(p[1]);
	usleep(120000);			/* the timer expires once, unread */
}

static void build_unsupported(void)
{
	char path[512];

	make_data();
	at(inotify_init1(0), 30);
	at(memfd_create("rs-full", 0), 31);
	if (write(31, "0123456789", 10) != 10)
		exit(2);
	snprintf(path, sizeof(path), "%s/gone", dir);
	at(open(path, O_RDWR | O_CREAT, 0644), 32);
	if (write(32, "gone", 4) != 4 || unlink(path))
		exit(2);
}

/* ---- checks */

static void want_flags(int fd, int fd_flags, int fl_mask, int fl)
{
	int got = fcntl(fd, F_GETFD);

	if (got < 0) {
		rs_fail("fd %d is not open", fd);
		return;
	}
	if ((got & FD_CLOEXEC) != fd_flags)
		rs_fail("fd %d: FD_CLOEXEC is %d, not %d", fd, got & FD_CLOEXEC, fd_flags);
	got = fcntl(fd, F_GETFL);
	if ((got & fl_mask) != fl)
		rs_fail("fd %d: flags %#o, not %#o (of %#o)", fd, got & fl_mask, fl, fl_mask);
}

static void check_data(void)
{
	unsigned char buf[DATA_LEN];
	off_t off = lseek(10, 0, SEEK_CUR);
	ssize_t n;

	want_flags(10, 0, O_ACCMODE, O_RDONLY);
	if (off != DATA_OFF) {
		rs_fail("fd 10: offset %lld, not %d", (long long)off, DATA_OFF);
		return;
	}
	n = read(10, buf, sizeof(buf));
	if (n != DATA_LEN - DATA_OFF) {
		rs_fail("fd 10: read %zd bytes after the offset, not %d", n, DATA_LEN - DATA_OFF);
		return;
	}
	for (long i = 0; i < n; i++)
		if (buf[i] != data_byte(DATA_OFF + i)) {
			rs_fail("fd 10: byte %ld differs", DATA_OFF + i);
			return;
		}
}

/* Exactly the descriptors @want (-1 ended) are open. */
static void check_open(const int *want)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int self = d ? dirfd(d) : -1;

	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name), k;

		if (e->d_name[0] == '.' || fd == self)
			continue;
		for (k = 0; want[k] >= 0 && want[k] != fd; k++)
			;
		if (want[k] < 0)
			rs_fail("fd %d is open, and was not", fd);
	}
	if (d)
		closedir(d);
	for (int k = 0; want[k] >= 0; k++)
		if (fcntl(want[k], F_GETFD) < 0)
			rs_fail("fd %d is not open", want[k]);
}

/* The hex value of @key's line in /proc/self/fdinfo/@fd, or ~0. */
static unsigned long long fdinfo_hex(int fd, const char *key)
{
	unsigned long long v = ~0ULL;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtoull(line + strlen(key), NULL, 16);
	if (f)
		fclose(f);
	return v;
}

static bool same_as(int fd, int other)
{
	struct stat a, b;

	return !fstat(fd, &a) && !fstat(other, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino && a.st_rdev == b.st_rdev;
}

static void check_all(bool sem, bool closed)
{
	static const int open_fds[] = { 0, 1, 2, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
					20, 21, 22, 23, 24, 26, 27, 28, 29, 2000, -1 };
	unsigned char buf[PIPE_CAP], page[PAGE];
	struct epoll_event evs[8];
	struct signalfd_siginfo si;
	struct itimerspec its;
	uint64_t v;
	struct stat sb;
	int n;
	bool got1 = false, got2 = false;

	check_open(open_fds);
	check_data();
	/* the log: appended to */
	want_flags(11, FD_CLOEXEC, O_ACCMODE | O_APPEND, O_WRONLY | O_APPEND);
	if (write(11, "x", 1) != 1 || lseek(11, 0, SEEK_CUR) != 101)
		rs_fail("fd 11: a write did not append to the 100 bytes");
	/* the directory */
	want_flags(12, 0, O_DIRECTORY, O_DIRECTORY);
	if (fstat(12, &sb) || sb.st_ino != dir_st.st_ino || sb.st_dev != dir_st.st_dev)
		rs_fail("fd 12 is not the directory");
	/* the pipe: capacity, flags, the 3000 bytes, then nothing */
	want_flags(13, 0, O_ACCMODE | O_NONBLOCK, O_RDONLY | O_NONBLOCK);
	want_flags(14, 0, O_ACCMODE | O_NONBLOCK, O_WRONLY);
	if (fcntl(13, F_GETPIPE_SZ) != PIPE_CAP)
		rs_fail("fd 13: pipe capacity %d, not %d", fcntl(13, F_GETPIPE_SZ), PIPE_CAP);
	/* epoll first: the pipe and the eventfd are ready, with their data */
	want_flags(18, 0, 0, 0);
	n = epoll_wait(18, evs, 8, 0);
	for (int i = 0; i < n; i++) {
		if (evs[i].data.u64 == 0x1111 && evs[i].events == EPOLLIN)
			got1 = true;
		else if (evs[i].data.u64 == 0x2222 && evs[i].events == EPOLLIN)
			got2 = true;
		else if (evs[i].data.u64 != 0x3333)
			rs_fail("fd 18: an event %#x with data %#llx", evs[i].events,
				(unsigned long long)evs[i].data.u64);
	}
	if (!got1 || !got2)
		rs_fail("fd 18: epoll_wait gave %d events: the pipe's %s, the eventfd's %s", n,
			got1 ? "yes" : "no", got2 ? "yes" : "no");
	n = (int)read(13, buf, sizeof(buf));
	if (n != PIPE_BYTES)
		rs_fail("fd 13: read %d bytes from the pipe, not %d", n, PIPE_BYTES);
	for (int i = 0; n == PIPE_BYTES && i < n; i++)
		if (buf[i] != (unsigned char)(i * 3 + 5)) {
			rs_fail("fd 13: pipe byte %d differs", i);
			break;
		}
	if (write(14, "z", 1) != 1 || read(13, buf, 2) != 1 || buf[0] != 'z')
		rs_fail("fd 14 does not write into fd 13");
	/* the eventfd */
	want_flags(15, 0, O_NONBLOCK, O_NONBLOCK);
	if (read(15, &v, 8) != 8 || v != 7)
		rs_fail("fd 15: eventfd count %llu, not 7", (unsigned long long)v);
	if (read(15, &v, 8) != -1 || errno != EAGAIN)
		rs_fail("fd 15: eventfd not empty after a read");
	if (read(26, &v, 8) != 8 || v != 5)
		rs_fail("fd 26: eventfd count %llu, not 5", (unsigned long long)v);
	/* the timerfd: one unread expiration, every 100 s */
	want_flags(16, 0, O_NONBLOCK, O_NONBLOCK);
	if (timerfd_gettime(16, &its))
		rs_fail("fd 16: not a timerfd");
	else if (its.it_interval.tv_sec != 100 || its.it_interval.tv_nsec ||
		 its.it_value.tv_sec > 100 || its.it_value.tv_sec < 60)
		rs_fail("fd 16: interval %ld.%09ld, next in %ld.%09ld (not 100 s, within 100 s)",
			(long)its.it_interval.tv_sec, its.it_interval.tv_nsec,
			(long)its.it_value.tv_sec, its.it_value.tv_nsec);
	if (read(16, &v, 8) != 8 || v != 1)
		rs_fail("fd 16: %llu unread expirations, not 1", (unsigned long long)v);
	/* the signalfd: its mask, SIGUSR1 (pending again, or still) */
	want_flags(17, 0, O_NONBLOCK, O_NONBLOCK);
	if (fdinfo_hex(17, "sigmask:") != 1ULL << (SIGUSR1 - 1))
		rs_fail("fd 17: signalfd mask %#llx, not SIGUSR1's",
			(unsigned long long)fdinfo_hex(17, "sigmask:"));
	kill(getpid(), SIGUSR1);
	if (read(17, &si, sizeof(si)) != sizeof(si) || si.ssi_signo != SIGUSR1)
		rs_fail("fd 17: the signalfd gave no SIGUSR1");
	/* the memfd: the mapping's pages, through the descriptor; one file */
	want_flags(19, 0, O_ACCMODE, O_RDWR);
	if (fstat(19, &sb) || sb.st_size != MFD_PAGES * PAGE)
		rs_fail("fd 19: memfd size %lld", (long long)sb.st_size);
	if (fcntl(19, F_GET_SEALS) != (F_SEAL_SHRINK | F_SEAL_GROW))
		rs_fail("fd 19: seals %#x", fcntl(19, F_GET_SEALS));
	rs_check("the memfd's mapping", mfd_map, MFD_PAGES, 17);
	if (pread(19, page, PAGE, PAGE) != PAGE || memcmp(page, mfd_map + PAGE, PAGE))
		rs_fail("fd 19: its page 1 is not the mapping's");
	if (pwrite(19, "written", 7, 2 * PAGE) != 7 || memcmp(mfd_map + 2 * PAGE, "written", 7))
		rs_fail("fd 19: a write through the memfd is not seen in the mapping");
	/* /dev/null */
	want_flags(20, 0, O_ACCMODE, O_WRONLY);
	if (fstat(20, &sb) || !S_ISCHR(sb.st_mode) || sb.st_rdev != makedev(1, 3))
		rs_fail("fd 20 is not /dev/null");
	/* the FIFO's 100 bytes */
	want_flags(22, 0, O_ACCMODE | O_NONBLOCK, O_RDONLY | O_NONBLOCK);
	want_flags(21, 0, O_ACCMODE, O_RDWR);
	n = (int)read(22, buf, sizeof(buf));
	if (n != FIFO_BYTES || buf[0] != 'F' || buf[FIFO_BYTES - 1] != 'F')
		rs_fail("fd 22: read %d bytes from the FIFO, not %d", n, FIFO_BYTES);
	if (write(21, "y", 1) != 1 || read(22, buf, 2) != 1)
		rs_fail("fd 21 does not write into fd 22");
	/* the terminal's descriptors: the restore's stdout */
	if (!same_as(23, 1) || !same_as(24, 1))
		rs_fail("fds 23 and 24 are not the restore's stdout");
	/* the semaphore: 1 a read when the image knew, else the count */
	if (read(27, &v, 8) != 8 || v != (sem ? 1 : 3))
		rs_fail("fd 27: read %llu, not %d", (unsigned long long)v, sem ? 1 : 3);
	/* the empty memfd, its own file */
	if (fstat(28, &sb) || sb.st_size || fcntl(28, F_GET_SEALS) < 0 || same_as(28, 19))
		rs_fail("fd 28 is not an empty memfd of its own");
	if (read(2000, &v, 8) != 8 || v != 9)
		rs_fail("fd 2000: eventfd count %llu, not 9", (unsigned long long)v);
	if (!closed) {
		if (!same_as(29, 0))
			rs_fail("fd 29 is not the restore's stdin");
	} else if (read(29, buf, 100) != 50 || buf[0] != 'C' || read(29, buf, 100) != 0) {
		rs_fail("fd 29 does not give 50 bytes, then the end of file");
	}
}

static void check_unsupported(void)
{
	static const int open_fds[] = { 0, 1, 2, 10, 30, 31, 32, -1 };
	struct stat sb;

	check_open(open_fds);
	check_data();
	for (int fd = 30; fd <= 32; fd++)
		if (fstat(fd, &sb) || !S_ISCHR(sb.st_mode) || sb.st_rdev != makedev(1, 3))
			rs_fail("fd %d is not /dev/null", fd);
}

int main(int argc, char **argv)
{
	static const int file_fds[] = { 0, 1, 2, 10, -1 };
	char line[256];

	if (argc < 3) {
		fprintf(stderr, "usage: rs_fds all|file|unsupported DIR\n");
		return 2;
	}
	mode = argv[1];
	dir = argv[2];
	/* nothing but 0-2 from whoever started us */
	close_range(3, ~0U, 0);
	if (!strcmp(mode, "all"))
		build_all();
	else if (!strcmp(mode, "file"))
		make_data();
	else if (!strcmp(mode, "unsupported"))
		build_unsupported();
	else
		return 2;
	printf("ready %d\n", getpid());
	fflush(stdout);
	while (!rs_command(line, sizeof(line))) {
		if (!strncmp(line, "check", 5)) {
			if (!strcmp(mode, "all"))
				check_all(strstr(line, " sem"), strstr(line, " closed"));
			else if (!strcmp(mode, "file")) {
				check_open(file_fds);
				check_data();
			} else {
				check_unsupported();
			}
			return rs_verdict();
		}
		if (!strcmp(line, "exit"))
			return 0;
	}
	return 1;
}
