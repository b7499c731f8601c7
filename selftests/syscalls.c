// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall table (user/syscalls/table.c): dump and replay describe every
 * syscall with the same arguments, the argument counts are the kernel's,
 * and replay's kind of each syscall (emulated, real, new descriptor...)
 * comes from the table, by command for fcntl and prctl. No kernel
 * features needed; runs on the host and in the test VM.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "replay/replay.h"
#include "kselftest_harness.h"

/* enum rp_kind, as an int (RP_* are ints) */
static int kind(int64_t nr, const __u64 *args)
{
	return replay_sys_kind(args, nr);
}

static unsigned int sig_len(unsigned int nr)
{
	const char *sig = syscall_sig(nr);

	return sig ? strlen(sig) : 0;
}

/*
 * For every syscall number, replay compares as many argument registers as
 * dump prints type letters, unless the entry says it compares fewer on
 * purpose, and then really fewer.
 */
TEST(replay_nargs_match_signature)
{
	unsigned int nr, fewer = 0;

	for (nr = 0; nr < REC_NR_SYSCALLS + 16; nr++) {
		const struct syscall_info *si = syscall_get(nr);
		unsigned int n = replay_sys_nargs(nr);

		EXPECT_EQ(sig_len(nr), syscall_nargs(nr)) TH_LOG("syscall %u", nr);
		if (si && si->rp_cmp) {
			fewer++;
			EXPECT_EQ(si->rp_cmp, n) TH_LOG("%s", si->name);
			EXPECT_GT(sig_len(nr), n)
				TH_LOG("%s: compares %u of %u arguments \"on purpose\"",
				       si->name, n, sig_len(nr));
			continue;
		}
		EXPECT_EQ(sig_len(nr), n)
			TH_LOG("%s (%u): dump shows %u arguments (\"%s\"), replay compares %u",
			       syscall_name(nr) ?: "?", nr, sig_len(nr),
			       syscall_sig(nr) ?: "", n);
	}
	/* futex is the only one, for the reason at its entry */
	EXPECT_EQ(1U, fewer);
	EXPECT_EQ(3U, replay_sys_nargs(SYS_futex));
	EXPECT_EQ(0U, replay_sys_nargs(REC_NR_SYSCALLS));
	EXPECT_EQ(NULL, syscall_sig(REC_NR_SYSCALLS));
}

/*
 * The syscalls on whose argument counts dump and replay disagreed have the
 * kernel's (Linux 6.1 include/linux/syscalls.h, x86_64; _sysctl is
 * sys_ni_syscall since 5.5 and keeps its last prototype's).
 */
TEST(kernel_nargs)
{
	static const struct {
		const char *name;
		unsigned int nargs;	/* the kernel's */
		unsigned int replay;	/* compared by replay */
	} want[] = {
		/* uaddr, op, val, utime, uaddr2, val3 */
		{ "futex", 6, 3 },
		/* fd, vec, vlen, pos_l, pos_h */
		{ "preadv", 5, 5 },
		{ "pwritev", 5, 5 },
		/* entry, nr_segments, segments, flags */
		{ "kexec_load", 4, 4 },
		/* fanotify_fd, flags, u64 mask, dfd, pathname (no split mask on 64-bit) */
		{ "fanotify_mark", 5, 5 },
		/* struct __sysctl_args *args */
		{ "_sysctl", 1, 1 },
		/* u64 cookie64, char *buf, size_t len */
		{ "lookup_dcookie", 3, 3 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int nr = syscall_nr(want[i].name);

		ASSERT_LE(0, nr) TH_LOG("%s", want[i].name);
		EXPECT_EQ(want[i].nargs, syscall_nargs(nr)) TH_LOG("%s", want[i].name);
		EXPECT_EQ(want[i].replay, replay_sys_nargs(nr)) TH_LOG("%s", want[i].name);
	}
	EXPECT_EQ(SYS_futex, syscall_nr("futex"));
	EXPECT_EQ(SYS_preadv, syscall_nr("preadv"));
	EXPECT_EQ(SYS_fanotify_mark, syscall_nr("fanotify_mark"));
}

/* How replay treats the syscalls whose kind does not depend on arguments. */
TEST(replay_kinds)
{
	__u64 a[6] = { 0 };

	EXPECT_EQ(RP_FILEIO, kind(SYS_read, a));
	EXPECT_EQ(RP_FILEIO, kind(SYS_ftruncate, a));
	EXPECT_EQ(RP_EMU, kind(SYS_fstat, a));
	EXPECT_EQ(RP_NAME, kind(SYS_renameat2, a));
	EXPECT_EQ(RP_EMU, kind(SYS_ioctl, a));
	EXPECT_EQ(RP_EMU, kind(SYS_futex, a));
	EXPECT_EQ(RP_REAL, kind(SYS_brk, a));
	EXPECT_EQ(RP_REAL, kind(SYS_rt_sigaction, a));
	EXPECT_EQ(RP_MMAP, kind(SYS_mmap, a));
	EXPECT_EQ(RP_CLONE, kind(SYS_clone3, a));
	EXPECT_EQ(RP_EXEC, kind(SYS_execveat, a));
	EXPECT_EQ(RP_EXIT, kind(SYS_exit_group, a));
	EXPECT_EQ(RP_FDREAL, kind(SYS_dup3, a));
	EXPECT_EQ(RP_OPEN, kind(SYS_openat, a));
	EXPECT_EQ(RP_PIPE, kind(SYS_pipe2, a));
	EXPECT_EQ(RP_SOCKETPAIR, kind(SYS_socketpair, a));
	EXPECT_EQ(RP_NEWFD, kind(SYS_socket, a));
	EXPECT_EQ(RP_MEMFD, kind(SYS_memfd_create, a));
	EXPECT_EQ(RP_PATH, kind(SYS_chdir, a));
	EXPECT_EQ(RP_PATH, kind(SYS_fchdir, a));
	EXPECT_EQ(RP_PATH, kind(SYS_chroot, a));
	EXPECT_EQ(RP_PATH, kind(SYS_unshare, a));
	EXPECT_EQ(RP_WAIT, kind(SYS_wait4, a));
	EXPECT_EQ(RP_WAIT, kind(SYS_waitid, a));
	EXPECT_EQ(RP_EMU, kind(REC_NR_SYSCALLS + 1, a));
}

/*
 * The table takes the whole number: -1, 2^32 + n and x32 numbers are not
 * in it, whatever their low bits (as the BPF side's sysdesc_of() says).
 */
TEST(whole_numbers_outside_the_table)
{
	static const int64_t out[] = {
		-1, 0x100000000LL + SYS_getpid, 0x100000000LL + SYS_mmap,
		0x100000000LL + SYS_ioctl, 0x40000000 + SYS_getpid, INT64_MIN,
		REC_NR_SYSCALLS,
	};
	char b[SYSCALL_NR_STR];
	__u64 a[6] = { 0 };
	unsigned int i;

	for (i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		EXPECT_EQ(NULL, syscall_get(out[i])) TH_LOG("%#llx", (unsigned long long)out[i]);
		EXPECT_EQ(NULL, syscall_name(out[i]));
		EXPECT_EQ(NULL, syscall_sig(out[i]));
		EXPECT_EQ(RP_EMU, kind(out[i], a));
		EXPECT_EQ(0U, replay_sys_nargs(out[i]));
		EXPECT_EQ(NULL, cmd_get(out[i], 0x5401 /* TCGETS */));
	}
	EXPECT_NE(NULL, cmd_get(SYS_ioctl, 0x5401));
	EXPECT_STREQ("-1", syscall_nr_str(-1, b, sizeof(b)));
	EXPECT_STREQ("1000", syscall_nr_str(1000, b, sizeof(b)));
	EXPECT_STREQ("-4095", syscall_nr_str(-4095, b, sizeof(b)));
	EXPECT_STREQ("0xfffffffffffff000", syscall_nr_str(-4096, b, sizeof(b)));
	EXPECT_STREQ("0x40000027", syscall_nr_str(0x40000027, b, sizeof(b)));
	EXPECT_STREQ("0x8000000000000000", syscall_nr_str(INT64_MIN, b, sizeof(b)));
}

/* fcntl and prctl: by the command, from cmds[]. */
TEST(replay_kind_by_command)
{
	__u64 fcntl_a[6] = { 3, F_DUPFD }, prctl_a[6] = { PR_SET_NAME };
	unsigned int nr;

	EXPECT_EQ(RP_FDREAL, kind(SYS_fcntl, fcntl_a));
	fcntl_a[1] = F_DUPFD_CLOEXEC;
	EXPECT_EQ(RP_FDREAL, kind(SYS_fcntl, fcntl_a));
	fcntl_a[1] = F_SETFD;
	EXPECT_EQ(RP_FDREAL, kind(SYS_fcntl, fcntl_a));
	fcntl_a[1] = F_GETFL;
	EXPECT_EQ(RP_EMU, kind(SYS_fcntl, fcntl_a));
	fcntl_a[1] = 0x7fff;		/* no such command */
	EXPECT_EQ(RP_EMU, kind(SYS_fcntl, fcntl_a));

	EXPECT_EQ(RP_REAL, kind(SYS_prctl, prctl_a));
	prctl_a[0] = PR_GET_NAME;
	EXPECT_EQ(RP_REAL, kind(SYS_prctl, prctl_a));
	prctl_a[0] = PR_GET_PDEATHSIG;
	EXPECT_EQ(RP_REAL, kind(SYS_prctl, prctl_a));
	prctl_a[0] = PR_SET_DUMPABLE;
	EXPECT_EQ(RP_EMU, kind(SYS_prctl, prctl_a));

	/* by the argument its CMD() rule and its signature ('C') name */
	for (nr = 0; nr < REC_NR_SYSCALLS; nr++) {
		const struct syscall_info *si = syscall_get(nr);
		unsigned int k;

		if (si->rp_by != RP_BY_CMD)
			continue;
		for (k = 0; k < si->nout; k++)
			if (si->out[k].how == REC_OUT_CMD)
				break;
		ASSERT_GT(si->nout, k) TH_LOG("%s: by command without a CMD() rule", si->name);
		EXPECT_EQ('C', si->sig[si->out[k].larg]) TH_LOG("%s", si->name);
	}
}

/* signalfd makes a descriptor only when given -1; else it changes one. */
TEST(replay_kind_signalfd)
{
	__u64 a[6] = { (__u64)-1 };

	EXPECT_EQ(RP_NEWFD, kind(SYS_signalfd, a));
	EXPECT_EQ(RP_NEWFD, kind(SYS_signalfd4, a));
	a[0] = 5;
	EXPECT_EQ(RP_EMU, kind(SYS_signalfd, a));
	EXPECT_EQ(RP_EMU, kind(SYS_signalfd4, a));
}

/* The close-on-exec flag of a new descriptor, from the table's argument. */
TEST(replay_cloexec)
{
	__u64 a[6] = { 0 };

	EXPECT_FALSE(replay_sys_cloexec(SYS_openat, a));
	a[2] = O_RDONLY | O_CLOEXEC;
	EXPECT_TRUE(replay_sys_cloexec(SYS_openat, a));
	EXPECT_FALSE(replay_sys_cloexec(SYS_open, a));
	a[1] = SOCK_STREAM | SOCK_CLOEXEC;
	EXPECT_TRUE(replay_sys_cloexec(SYS_socket, a));
	a[1] = MFD_CLOEXEC;
	EXPECT_TRUE(replay_sys_cloexec(SYS_memfd_create, a));
	a[1] = O_CLOEXEC;
	EXPECT_FALSE(replay_sys_cloexec(SYS_creat, a));
	EXPECT_FALSE(replay_sys_cloexec(SYS_read, a));
	memset(a, 0, sizeof(a));
	EXPECT_TRUE(replay_sys_cloexec(SYS_pidfd_open, a));
	EXPECT_FALSE(replay_sys_cloexec(REC_NR_SYSCALLS + 1, a));
}

TEST_HARNESS_MAIN
