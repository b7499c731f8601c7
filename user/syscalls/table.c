// SPDX-License-Identifier: GPL-2.0
/*
 * The one x86_64 syscall table (see table.h, Documentation/record.rst and
 * Documentation/replay.rst). An entry is
 *
 *   SYS(nr, name, signature, outputs kind, replay, output rules...)
 *
 * The signature: the argument types, one letter per argument (the letters
 * are in table.h at syscall_sig()); the number of arguments is its
 * length, so `ttrec dump` and replay cannot disagree about it. It follows
 * the kernel's prototype (Linux 6.1 include/linux/syscalls.h, its x86_64
 * variant; the arch ones for mmap, arch_prctl, ...). A syscall 6.1 does
 * not implement on x86_64 keeps the arguments of its last prototype,
 * which a program still passes (_sysctl, uselib, lookup_dcookie). NULL:
 * not described; dump prints the registers that are not 0, replay
 * compares none.
 *
 * Output rules: every output argument is listed, with how its length is
 * found:
 *   FIX(arg, size)         @size bytes at args[arg]
 *   ARGL(arg, larg, elem)  args[larg] * @elem bytes
 *   RETL(arg, elem)        ret * @elem bytes (only when ret > 0)
 *   PTRL(arg, larg)        *(u32 *)args[larg] after the call, at most its
 *                          value before the call (sockaddr, sockopt)
 *   IOV(arg, larg)         iovec array args[arg] of args[larg] entries; ret bytes
 *   MSG(arg)               struct msghdr: itself, msg_name, msg_control, iov
 *   MMSG(arg)              recvmmsg: ret struct mmsghdr, then the messages' data
 *                          (msg_len each), names and control data
 *   FDS(arg)               an fd_set of args[0] bits (select)
 *   CMD(larg)              by the command in args[larg] (ioctl request, fcntl
 *                          cmd, prctl option), from cmds[] below: an entry
 *                          gives the output's argument and size, or none;
 *                          a command not there is REC_SF_OUT_UNKNOWN
 * Outputs are copied only when the syscall succeeded (ret >= 0) unless the
 * rule is *_E (nanosleep's remaining time is written on -EINTR).
 * KNOWN: all outputs listed (possibly none). PARTIAL: some outputs are not
 * recorded (futex words, clone's tid pointers, ...). UNKNOWN: not
 * described; recorded with REC_SF_OUT_UNKNOWN. NORETURN: recorded at entry.
 *
 * Replay: how `ttrec replay` treats it (enum rp_kind in table.h):
 *   R_EMU                  emulated: the recorded result and outputs
 *   R_EMU_CMP(n)           emulated, and replay compares only the first @n
 *                          arguments, on purpose: the entry says why
 *   R_REAL                 run for real, its result asserted
 *   R_MMAP, R_CLONE, R_EXEC, R_EXIT, R_PIPE, R_FDREAL: run for real, each
 *                          its own way (enum rp_kind)
 *   R_PATH                 changes where later paths resolve (cwd, root):
 *                          run for real where the replay can follow,
 *                          user/replay/path.c
 *   R_FILEIO               the contents or offset of descriptor args[0]:
 *                          performed on a memfd of the replay, else
 *                          emulated (user/replay/memfd.c)
 *   R_NAME                 removes, renames or truncates a file by name:
 *                          emulated; a memfd of the replay that stands
 *                          for that file follows
 *   R_WAIT                 emulated, and the recorded child it reaped is
 *                          reaped for real, user/replay/pids.c
 *   R_OPEN(cx), R_NEWFD(cx), R_MEMFD(cx), R_SOCKETPAIR(cx): creates
 *                          descriptors; @cx
 *                          says when they are close-on-exec:
 *                          CX(arg, flag) when args[arg] & flag, CX_ALWAYS,
 *                          CX_NEVER
 *   R_NEWFD_IF_FD(cx)      R_NEWFD(cx) when args[0] is -1, else emulated
 *                          (signalfd changes the mask of an existing one)
 *   R_NEWFD_IF_FLAG(a, f, cx) R_NEWFD(cx) when args[a] & f, else emulated
 *                          (seccomp's filter with a listener)
 *   R_BY_CMD               by the command of its CMD() rule: the kind of
 *                          the command's cmds[] entry (C_*_RP below);
 *                          emulated when cmds[] does not list it (fcntl,
 *                          prctl)
 * A syscall that failed in the recording is emulated whatever its kind.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "lib/log.h"
#include "syscalls/table.h"

#define SD_KNOWN	REC_SD_KNOWN
#define SD_PARTIAL	(REC_SD_KNOWN | REC_SD_PARTIAL)
#define SD_NORETURN	(REC_SD_KNOWN | REC_SD_NORETURN)
#define SD_UNKNOWN	0

#define FIX(a, s)	{ REC_OUT_FIXED, a, 0, 0, s }
#define FIX_E(a, s)	{ REC_OUT_FIXED, a, 0, REC_OF_ON_ERROR, s }
#define ARGL(a, l, e)	{ REC_OUT_ARGLEN, a, l, 0, e }
#define RETL(a, e)	{ REC_OUT_RETLEN, a, 0, 0, e }
#define PTRL(a, l)	{ REC_OUT_PTRLEN, a, l, 0, 0 }
#define IOV(a, l)	{ REC_OUT_IOV, a, l, 0, 0 }
#define MSG(a)		{ REC_OUT_MSGHDR, a, 0, 0, 0 }
#define MMSG(a)		{ REC_OUT_MMSGHDR, a, 0, 0, 0 }
#define FDS(a)		{ REC_OUT_FDSET, a, 0, 0, 0 }
#define CMD(l)		{ REC_OUT_CMD, 0, l, 0, 0 }

#define R_EMU		.rp = RP_EMU
#define R_EMU_CMP(n)	.rp = RP_EMU, .rp_cmp = (n)
#define R_REAL		.rp = RP_REAL
#define R_MMAP		.rp = RP_MMAP
#define R_CLONE		.rp = RP_CLONE
#define R_EXEC		.rp = RP_EXEC
#define R_EXIT		.rp = RP_EXIT
#define R_PIPE		.rp = RP_PIPE
#define R_FDREAL	.rp = RP_FDREAL
#define R_PATH		.rp = RP_PATH
#define R_MEMFD(cx)	.rp = RP_MEMFD, cx
#define R_FILEIO	.rp = RP_FILEIO
#define R_NAME		.rp = RP_NAME
#define R_WAIT		.rp = RP_WAIT
#define R_OPEN(cx)	.rp = RP_OPEN, cx
#define R_NEWFD(cx)	.rp = RP_NEWFD, cx
#define R_SOCKETPAIR(cx) .rp = RP_SOCKETPAIR, cx
#define R_NEWFD_IF_FD(cx) .rp = RP_NEWFD, .rp_by = RP_BY_FD, cx
#define R_BY_CMD	.rp = RP_EMU, .rp_by = RP_BY_CMD
#define R_NEWFD_IF_FLAG(a, f, cx) .rp = RP_NEWFD, .rp_by = RP_BY_FLAG, .by_arg = (a), \
			.by_flag = (f), cx

#define CX(a, f)	.cx_arg = (a), .cx_flag = (f)
#define CX_ALWAYS	.cx_always = true
#define CX_NEVER	.cx_flag = 0

/*
 * The close-on-exec flags of the syscalls that create descriptors (the
 * kernel's values; this file includes no libc header that defines them)
 */
enum {
	O_CLOEXEC = 02000000,
	SOCK_CLOEXEC = O_CLOEXEC, EFD_CLOEXEC = O_CLOEXEC,
	EPOLL_CLOEXEC = O_CLOEXEC, TFD_CLOEXEC = O_CLOEXEC,
	SFD_CLOEXEC = O_CLOEXEC, IN_CLOEXEC = O_CLOEXEC,
	FAN_CLOEXEC = 0x1, MFD_CLOEXEC = 0x1, PERF_FLAG_FD_CLOEXEC = 0x8,
};

#define SYS(nr, n, s, kind, r, ...) \
	[nr] = { .name = #n, .sig = s, .flags = SD_##kind, r, .out = { __VA_ARGS__ } }

static struct syscall_info table[REC_NR_SYSCALLS] = {
	SYS(0, read, "fpu", KNOWN, R_FILEIO, RETL(1, 1)),
	SYS(1, write, "fpu", KNOWN, R_FILEIO),
	SYS(2, open, "sOo", KNOWN, R_OPEN(CX(1, O_CLOEXEC))),
	SYS(3, close, "f", KNOWN, R_FDREAL),
	SYS(4, stat, "sp", KNOWN, R_EMU, FIX(1, 144)),
	SYS(5, fstat, "fp", KNOWN, R_EMU, FIX(1, 144)),
	SYS(6, lstat, "sp", KNOWN, R_EMU, FIX(1, 144)),
	SYS(7, poll, "pud", KNOWN, R_EMU, ARGL(0, 1, 8)),
	SYS(8, lseek, "fld", KNOWN, R_FILEIO),
	SYS(9, mmap, "puPMfl", KNOWN, R_MMAP),
	SYS(10, mprotect, "puP", KNOWN, R_REAL),
	SYS(11, munmap, "pu", KNOWN, R_REAL),
	SYS(12, brk, "p", KNOWN, R_REAL),
	SYS(13, rt_sigaction, "Sppu", KNOWN, R_REAL, FIX(2, 32)),
	SYS(14, rt_sigprocmask, "dppu", KNOWN, R_REAL, ARGL(2, 3, 1)),
	SYS(15, rt_sigreturn, "", KNOWN, R_REAL),
	SYS(16, ioctl, "fCp", KNOWN, R_EMU, CMD(1)),
	SYS(17, pread64, "fpul", KNOWN, R_FILEIO, RETL(1, 1)),
	SYS(18, pwrite64, "fpul", KNOWN, R_FILEIO),
	SYS(19, readv, "fpd", KNOWN, R_FILEIO, IOV(1, 2)),
	SYS(20, writev, "fpd", KNOWN, R_FILEIO),
	SYS(21, access, "sd", KNOWN, R_EMU),
	SYS(22, pipe, "p", KNOWN, R_PIPE, FIX(0, 8)),
	SYS(23, select, "dpppp", KNOWN, R_EMU, FDS(1), FDS(2), FDS(3), FIX(4, 16)),
	SYS(24, sched_yield, "", KNOWN, R_EMU),
	SYS(25, mremap, "puuxp", KNOWN, R_REAL),
	SYS(26, msync, "pux", KNOWN, R_EMU),
	SYS(27, mincore, "pup", UNKNOWN, R_EMU),
	SYS(28, madvise, "pud", KNOWN, R_REAL),
	SYS(29, shmget, "xux", KNOWN, R_EMU),
	SYS(30, shmat, "dpx", KNOWN, R_EMU),
	SYS(31, shmctl, "ddp", UNKNOWN, R_EMU),
	SYS(32, dup, "f", KNOWN, R_FDREAL),
	SYS(33, dup2, "ff", KNOWN, R_FDREAL),
	SYS(34, pause, "", KNOWN, R_EMU),
	SYS(35, nanosleep, "pp", KNOWN, R_EMU, FIX_E(1, 16)),
	SYS(36, getitimer, "dp", KNOWN, R_EMU, FIX(1, 32)),
	SYS(37, alarm, "u", KNOWN, R_EMU),
	SYS(38, setitimer, "dpp", KNOWN, R_EMU, FIX(2, 32)),
	SYS(39, getpid, "", KNOWN, R_EMU),
	SYS(40, sendfile, "ffpu", KNOWN, R_EMU, FIX(2, 8)),
	SYS(41, socket, "ddd", KNOWN, R_NEWFD(CX(1, SOCK_CLOEXEC))),
	SYS(42, connect, "fpu", KNOWN, R_EMU),
	SYS(43, accept, "fpp", KNOWN, R_NEWFD(CX_NEVER), PTRL(1, 2), FIX(2, 4)),
	SYS(44, sendto, "fpuxpu", KNOWN, R_EMU),
	SYS(45, recvfrom, "fpuxpp", KNOWN, R_EMU, RETL(1, 1), PTRL(4, 5), FIX(5, 4)),
	SYS(46, sendmsg, "fpx", KNOWN, R_EMU),
	SYS(47, recvmsg, "fpx", KNOWN, R_EMU, MSG(1)),
	SYS(48, shutdown, "fd", KNOWN, R_EMU),
	SYS(49, bind, "fpu", KNOWN, R_EMU),
	SYS(50, listen, "fd", KNOWN, R_EMU),
	SYS(51, getsockname, "fpp", KNOWN, R_EMU, PTRL(1, 2), FIX(2, 4)),
	SYS(52, getpeername, "fpp", KNOWN, R_EMU, PTRL(1, 2), FIX(2, 4)),
	SYS(53, socketpair, "dddp", KNOWN, R_SOCKETPAIR(CX(1, SOCK_CLOEXEC)), FIX(3, 8)),
	SYS(54, setsockopt, "fddpu", KNOWN, R_EMU),
	SYS(55, getsockopt, "fddpp", KNOWN, R_EMU, PTRL(3, 4), FIX(4, 4)),
	SYS(56, clone, "xpppp", PARTIAL, R_CLONE),
	SYS(57, fork, "", KNOWN, R_CLONE),
	SYS(58, vfork, "", KNOWN, R_CLONE),
	SYS(59, execve, "spp", KNOWN, R_EXEC),
	SYS(60, exit, "d", NORETURN, R_EXIT),
	SYS(61, wait4, "dpxp", KNOWN, R_WAIT, FIX(1, 4), FIX(3, 144)),
	SYS(62, kill, "dS", KNOWN, R_EMU),
	SYS(63, uname, "p", KNOWN, R_EMU, FIX(0, 390)),
	SYS(64, semget, "xdx", KNOWN, R_EMU),
	SYS(65, semop, "dpu", KNOWN, R_EMU),
	SYS(66, semctl, "dddp", UNKNOWN, R_EMU),
	SYS(67, shmdt, "p", KNOWN, R_EMU),
	SYS(68, msgget, "xx", KNOWN, R_EMU),
	SYS(69, msgsnd, "dpux", KNOWN, R_EMU),
	SYS(70, msgrcv, "dpulx", UNKNOWN, R_EMU),
	SYS(71, msgctl, "ddp", UNKNOWN, R_EMU),
	SYS(72, fcntl, "fCx", KNOWN, R_BY_CMD, CMD(1)),
	SYS(73, flock, "fd", KNOWN, R_EMU),
	SYS(74, fsync, "f", KNOWN, R_EMU),
	SYS(75, fdatasync, "f", KNOWN, R_EMU),
	SYS(76, truncate, "sl", KNOWN, R_NAME),
	SYS(77, ftruncate, "fl", KNOWN, R_FILEIO),
	SYS(78, getdents, "fpu", KNOWN, R_EMU, RETL(1, 1)),
	SYS(79, getcwd, "pu", KNOWN, R_EMU, RETL(0, 1)),
	SYS(80, chdir, "s", KNOWN, R_PATH),
	SYS(81, fchdir, "f", KNOWN, R_PATH),
	SYS(82, rename, "ss", KNOWN, R_NAME),
	SYS(83, mkdir, "so", KNOWN, R_EMU),
	SYS(84, rmdir, "s", KNOWN, R_EMU),
	SYS(85, creat, "so", KNOWN, R_OPEN(CX_NEVER)),
	SYS(86, link, "ss", KNOWN, R_EMU),
	SYS(87, unlink, "s", KNOWN, R_NAME),
	SYS(88, symlink, "ss", KNOWN, R_EMU),
	SYS(89, readlink, "spu", KNOWN, R_EMU, RETL(1, 1)),
	SYS(90, chmod, "so", KNOWN, R_EMU),
	SYS(91, fchmod, "fo", KNOWN, R_EMU),
	SYS(92, chown, "sdd", KNOWN, R_EMU),
	SYS(93, fchown, "fdd", KNOWN, R_EMU),
	SYS(94, lchown, "sdd", KNOWN, R_EMU),
	SYS(95, umask, "o", KNOWN, R_EMU),
	SYS(96, gettimeofday, "pp", KNOWN, R_EMU, FIX(0, 16), FIX(1, 8)),
	SYS(97, getrlimit, "dp", KNOWN, R_EMU, FIX(1, 16)),
	SYS(98, getrusage, "dp", KNOWN, R_EMU, FIX(1, 144)),
	SYS(99, sysinfo, "p", KNOWN, R_EMU, FIX(0, 112)),
	SYS(100, times, "p", KNOWN, R_EMU, FIX(0, 32)),
	/*
	 * ptrace: by request (cmds[]). Emulated: the recorded tracer's
	 * requests reach no process in the replay, where its tracee is
	 * replayed from its own events.
	 */
	SYS(101, ptrace, "Cdpp", KNOWN, R_BY_CMD, CMD(0)),
	SYS(102, getuid, "", KNOWN, R_EMU),
	SYS(103, syslog, "dpd", KNOWN, R_EMU, RETL(1, 1)),
	SYS(104, getgid, "", KNOWN, R_EMU),
	SYS(105, setuid, "d", KNOWN, R_EMU),
	SYS(106, setgid, "d", KNOWN, R_EMU),
	SYS(107, geteuid, "", KNOWN, R_EMU),
	SYS(108, getegid, "", KNOWN, R_EMU),
	SYS(109, setpgid, "dd", KNOWN, R_EMU),
	SYS(110, getppid, "", KNOWN, R_EMU),
	SYS(111, getpgrp, "", KNOWN, R_EMU),
	SYS(112, setsid, "", KNOWN, R_EMU),
	SYS(113, setreuid, "dd", KNOWN, R_EMU),
	SYS(114, setregid, "dd", KNOWN, R_EMU),
	SYS(115, getgroups, "dp", KNOWN, R_EMU, RETL(1, 4)),
	SYS(116, setgroups, "dp", KNOWN, R_EMU),
	SYS(117, setresuid, "ddd", KNOWN, R_EMU),
	SYS(118, getresuid, "ppp", KNOWN, R_EMU, FIX(0, 4), FIX(1, 4), FIX(2, 4)),
	SYS(119, setresgid, "ddd", KNOWN, R_EMU),
	SYS(120, getresgid, "ppp", KNOWN, R_EMU, FIX(0, 4), FIX(1, 4), FIX(2, 4)),
	SYS(121, getpgid, "d", KNOWN, R_EMU),
	SYS(122, setfsuid, "d", KNOWN, R_EMU),
	SYS(123, setfsgid, "d", KNOWN, R_EMU),
	SYS(124, getsid, "d", KNOWN, R_EMU),
	SYS(125, capget, "pp", KNOWN, R_EMU, FIX(1, 24)),
	SYS(126, capset, "pp", UNKNOWN, R_EMU),
	SYS(127, rt_sigpending, "pu", KNOWN, R_EMU, ARGL(0, 1, 1)),
	SYS(128, rt_sigtimedwait, "pppu", KNOWN, R_EMU, FIX(1, 128)),
	SYS(129, rt_sigqueueinfo, "dSp", KNOWN, R_EMU),
	SYS(130, rt_sigsuspend, "pu", KNOWN, R_EMU),
	SYS(131, sigaltstack, "pp", KNOWN, R_REAL, FIX(1, 24)),
	SYS(132, utime, "sp", KNOWN, R_EMU),
	SYS(133, mknod, "sou", KNOWN, R_EMU),
	SYS(134, uselib, "s", UNKNOWN, R_EMU),
	SYS(135, personality, "x", KNOWN, R_EMU),
	SYS(136, ustat, "up", UNKNOWN, R_EMU),
	SYS(137, statfs, "sp", KNOWN, R_EMU, FIX(1, 120)),
	SYS(138, fstatfs, "fp", KNOWN, R_EMU, FIX(1, 120)),
	SYS(139, sysfs, "duu", UNKNOWN, R_EMU),
	SYS(140, getpriority, "dd", KNOWN, R_EMU),
	SYS(141, setpriority, "ddd", KNOWN, R_EMU),
	SYS(142, sched_setparam, "dp", KNOWN, R_EMU),
	SYS(143, sched_getparam, "dp", KNOWN, R_EMU, FIX(1, 4)),
	SYS(144, sched_setscheduler, "ddp", KNOWN, R_EMU),
	SYS(145, sched_getscheduler, "d", KNOWN, R_EMU),
	SYS(146, sched_get_priority_max, "d", KNOWN, R_EMU),
	SYS(147, sched_get_priority_min, "d", KNOWN, R_EMU),
	SYS(148, sched_rr_get_interval, "dp", KNOWN, R_EMU, FIX(1, 16)),
	SYS(149, mlock, "pu", KNOWN, R_EMU),
	SYS(150, munlock, "pu", KNOWN, R_EMU),
	SYS(151, mlockall, "x", KNOWN, R_EMU),
	SYS(152, munlockall, "", KNOWN, R_EMU),
	SYS(153, vhangup, "", KNOWN, R_EMU),
	SYS(154, modify_ldt, "dpu", UNKNOWN, R_EMU),
	SYS(155, pivot_root, "ss", KNOWN, R_PATH),
	/* sys_ni_syscall since 5.5; it was _sysctl(struct __sysctl_args *args) */
	SYS(156, _sysctl, "p", UNKNOWN, R_EMU),
	SYS(157, prctl, "Cxxxx", KNOWN, R_BY_CMD, CMD(0)),
	SYS(158, arch_prctl, "xp", PARTIAL, R_REAL),
	SYS(159, adjtimex, "p", KNOWN, R_EMU, FIX(0, 208)),
	SYS(160, setrlimit, "dp", KNOWN, R_EMU),
	SYS(161, chroot, "s", KNOWN, R_PATH),
	SYS(162, sync, "", KNOWN, R_EMU),
	SYS(163, acct, "s", KNOWN, R_EMU),
	SYS(164, settimeofday, "pp", KNOWN, R_EMU),
	SYS(165, mount, "sssxp", KNOWN, R_EMU),
	SYS(166, umount2, "sx", KNOWN, R_EMU),
	SYS(167, swapon, "sx", KNOWN, R_EMU),
	SYS(168, swapoff, "s", KNOWN, R_EMU),
	SYS(169, reboot, "xxxp", KNOWN, R_EMU),
	SYS(170, sethostname, "pu", KNOWN, R_EMU),
	SYS(171, setdomainname, "pu", KNOWN, R_EMU),
	SYS(172, iopl, "d", UNKNOWN, R_EMU),
	SYS(173, ioperm, "uud", UNKNOWN, R_EMU),
	SYS(174, create_module, NULL, UNKNOWN, R_EMU),
	SYS(175, init_module, "pus", KNOWN, R_EMU),
	SYS(176, delete_module, "sx", KNOWN, R_EMU),
	SYS(177, get_kernel_syms, NULL, UNKNOWN, R_EMU),
	SYS(178, query_module, NULL, UNKNOWN, R_EMU),
	SYS(179, quotactl, "xsdp", KNOWN, R_EMU),
	SYS(180, nfsservctl, NULL, UNKNOWN, R_EMU),
	SYS(181, getpmsg, NULL, UNKNOWN, R_EMU),
	SYS(182, putpmsg, NULL, UNKNOWN, R_EMU),
	SYS(183, afs_syscall, NULL, UNKNOWN, R_EMU),
	SYS(184, tuxcall, NULL, UNKNOWN, R_EMU),
	SYS(185, security, NULL, UNKNOWN, R_EMU),
	SYS(186, gettid, "", KNOWN, R_EMU),
	SYS(187, readahead, "flu", KNOWN, R_EMU),
	SYS(188, setxattr, "sspux", KNOWN, R_EMU),
	SYS(189, lsetxattr, "sspux", KNOWN, R_EMU),
	SYS(190, fsetxattr, "fspux", KNOWN, R_EMU),
	SYS(191, getxattr, "sspu", KNOWN, R_EMU, RETL(2, 1)),
	SYS(192, lgetxattr, "sspu", KNOWN, R_EMU, RETL(2, 1)),
	SYS(193, fgetxattr, "fspu", KNOWN, R_EMU, RETL(2, 1)),
	SYS(194, listxattr, "spu", KNOWN, R_EMU, RETL(1, 1)),
	SYS(195, llistxattr, "spu", KNOWN, R_EMU, RETL(1, 1)),
	SYS(196, flistxattr, "fpu", KNOWN, R_EMU, RETL(1, 1)),
	SYS(197, removexattr, "ss", KNOWN, R_EMU),
	SYS(198, lremovexattr, "ss", KNOWN, R_EMU),
	SYS(199, fremovexattr, "fs", KNOWN, R_EMU),
	SYS(200, tkill, "dS", KNOWN, R_EMU),
	SYS(201, time, "p", KNOWN, R_EMU, FIX(0, 8)),
	/*
	 * Replay compares uaddr, op and val only, on purpose: the kernel
	 * reads the other three (timeout or val2, uaddr2, val3) for some ops
	 * only, and callers of the other ops leave there whatever their
	 * registers and stack held (glibc's FUTEX_WAKE sets four arguments;
	 * syscall(SYS_futex, ...) passes six, whatever it was given), which
	 * a replay need not reproduce byte for byte: an asynchronous signal's
	 * frame lands elsewhere on the stack (Documentation/replay.rst).
	 */
	SYS(202, futex, "pduppu", PARTIAL, R_EMU_CMP(3)),
	SYS(203, sched_setaffinity, "dup", KNOWN, R_EMU),
	SYS(204, sched_getaffinity, "dup", KNOWN, R_EMU, RETL(2, 1)),
	SYS(205, set_thread_area, "p", UNKNOWN, R_EMU),
	SYS(206, io_setup, "up", KNOWN, R_EMU, FIX(1, 8)),
	SYS(207, io_destroy, "x", KNOWN, R_EMU),
	SYS(208, io_getevents, "xllpp", KNOWN, R_EMU, RETL(3, 32)),
	SYS(209, io_submit, "xlp", KNOWN, R_EMU),
	SYS(210, io_cancel, "xpp", KNOWN, R_EMU, FIX(2, 32)),
	SYS(211, get_thread_area, "p", UNKNOWN, R_EMU),
	/* not implemented in 6.1 (no fs/dcookies.c), which keeps its prototype */
	SYS(212, lookup_dcookie, "xpu", UNKNOWN, R_EMU),
	SYS(213, epoll_create, "d", KNOWN, R_NEWFD(CX_NEVER)),
	SYS(214, epoll_ctl_old, NULL, UNKNOWN, R_EMU),
	SYS(215, epoll_wait_old, NULL, UNKNOWN, R_EMU),
	SYS(216, remap_file_pages, "puuux", KNOWN, R_EMU),
	SYS(217, getdents64, "fpu", KNOWN, R_EMU, RETL(1, 1)),
	SYS(218, set_tid_address, "p", KNOWN, R_REAL),
	SYS(219, restart_syscall, "", UNKNOWN, R_EMU),
	SYS(220, semtimedop, "dpup", KNOWN, R_EMU),
	SYS(221, fadvise64, "flld", KNOWN, R_EMU),
	SYS(222, timer_create, "dpp", KNOWN, R_EMU, FIX(2, 4)),
	SYS(223, timer_settime, "dxpp", KNOWN, R_EMU, FIX(3, 32)),
	SYS(224, timer_gettime, "dp", KNOWN, R_EMU, FIX(1, 32)),
	SYS(225, timer_getoverrun, "d", KNOWN, R_EMU),
	SYS(226, timer_delete, "d", KNOWN, R_EMU),
	SYS(227, clock_settime, "dp", KNOWN, R_EMU),
	SYS(228, clock_gettime, "dp", KNOWN, R_EMU, FIX(1, 16)),
	SYS(229, clock_getres, "dp", KNOWN, R_EMU, FIX(1, 16)),
	SYS(230, clock_nanosleep, "dxpp", KNOWN, R_EMU, FIX_E(3, 16)),
	SYS(231, exit_group, "d", NORETURN, R_EXIT),
	SYS(232, epoll_wait, "fpdd", KNOWN, R_EMU, RETL(1, 12)),
	SYS(233, epoll_ctl, "fdfp", KNOWN, R_EMU),
	SYS(234, tgkill, "ddS", KNOWN, R_EMU),
	SYS(235, utimes, "sp", KNOWN, R_EMU),
	SYS(236, vserver, NULL, UNKNOWN, R_EMU),
	SYS(237, mbind, "pudpux", KNOWN, R_EMU),
	SYS(238, set_mempolicy, "dpu", KNOWN, R_EMU),
	SYS(239, get_mempolicy, "ppupx", PARTIAL, R_EMU),
	SYS(240, mq_open, "sxop", KNOWN, R_NEWFD(CX(1, O_CLOEXEC))),
	SYS(241, mq_unlink, "s", KNOWN, R_EMU),
	SYS(242, mq_timedsend, "fpuup", KNOWN, R_EMU),
	SYS(243, mq_timedreceive, "fpupp", KNOWN, R_EMU, RETL(1, 1), FIX(3, 4)),
	SYS(244, mq_notify, "fp", KNOWN, R_EMU),
	SYS(245, mq_getsetattr, "fpp", KNOWN, R_EMU, FIX(2, 64)),
	SYS(246, kexec_load, "pupx", UNKNOWN, R_EMU),
	SYS(247, waitid, "ddpxp", KNOWN, R_WAIT, FIX(2, 128), FIX(4, 144)),
	SYS(248, add_key, "sspud", UNKNOWN, R_EMU),
	SYS(249, request_key, "sssd", UNKNOWN, R_EMU),
	SYS(250, keyctl, "dxxxx", PARTIAL, R_EMU),
	SYS(251, ioprio_set, "ddd", KNOWN, R_EMU),
	SYS(252, ioprio_get, "dd", KNOWN, R_EMU),
	SYS(253, inotify_init, "", KNOWN, R_NEWFD(CX_NEVER)),
	SYS(254, inotify_add_watch, "fsx", KNOWN, R_EMU),
	SYS(255, inotify_rm_watch, "fd", KNOWN, R_EMU),
	SYS(256, migrate_pages, "dupp", KNOWN, R_EMU),
	SYS(257, openat, "fsOo", KNOWN, R_OPEN(CX(2, O_CLOEXEC))),
	SYS(258, mkdirat, "fso", KNOWN, R_EMU),
	SYS(259, mknodat, "fsou", KNOWN, R_EMU),
	SYS(260, fchownat, "fsddx", KNOWN, R_EMU),
	SYS(261, futimesat, "fsp", KNOWN, R_EMU),
	SYS(262, newfstatat, "fspx", KNOWN, R_EMU, FIX(2, 144)),
	SYS(263, unlinkat, "fsx", KNOWN, R_NAME),
	SYS(264, renameat, "fsfs", KNOWN, R_NAME),
	SYS(265, linkat, "fsfsx", KNOWN, R_EMU),
	SYS(266, symlinkat, "sfs", KNOWN, R_EMU),
	SYS(267, readlinkat, "fspu", KNOWN, R_EMU, RETL(2, 1)),
	SYS(268, fchmodat, "fso", KNOWN, R_EMU),
	SYS(269, faccessat, "fsd", KNOWN, R_EMU),
	SYS(270, pselect6, "dppppp", KNOWN, R_EMU, FDS(1), FDS(2), FDS(3), FIX(4, 16)),
	SYS(271, ppoll, "puppu", KNOWN, R_EMU, ARGL(0, 1, 8), FIX(2, 16)),
	SYS(272, unshare, "x", KNOWN, R_PATH),
	SYS(273, set_robust_list, "pu", KNOWN, R_REAL),
	SYS(274, get_robust_list, "dpp", KNOWN, R_EMU, FIX(1, 8), FIX(2, 8)),
	SYS(275, splice, "fpfpux", KNOWN, R_EMU, FIX(1, 8), FIX(3, 8)),
	SYS(276, tee, "ffux", KNOWN, R_EMU),
	SYS(277, sync_file_range, "fllx", KNOWN, R_EMU),
	SYS(278, vmsplice, "fpux", KNOWN, R_EMU),
	SYS(279, move_pages, "dupppx", KNOWN, R_EMU, ARGL(4, 1, 4)),
	SYS(280, utimensat, "fspx", KNOWN, R_EMU),
	SYS(281, epoll_pwait, "fpddpu", KNOWN, R_EMU, RETL(1, 12)),
	SYS(282, signalfd, "fpu", KNOWN, R_NEWFD_IF_FD(CX_NEVER)),
	SYS(283, timerfd_create, "dx", KNOWN, R_NEWFD(CX(1, TFD_CLOEXEC))),
	SYS(284, eventfd, "u", KNOWN, R_NEWFD(CX_NEVER)),
	SYS(285, fallocate, "fxll", KNOWN, R_FILEIO),
	SYS(286, timerfd_settime, "fxpp", KNOWN, R_EMU, FIX(3, 32)),
	SYS(287, timerfd_gettime, "fp", KNOWN, R_EMU, FIX(1, 32)),
	SYS(288, accept4, "fppx", KNOWN, R_NEWFD(CX(3, SOCK_CLOEXEC)), PTRL(1, 2), FIX(2, 4)),
	SYS(289, signalfd4, "fpux", KNOWN, R_NEWFD_IF_FD(CX(3, SFD_CLOEXEC))),
	SYS(290, eventfd2, "ux", KNOWN, R_NEWFD(CX(1, EFD_CLOEXEC))),
	SYS(291, epoll_create1, "x", KNOWN, R_NEWFD(CX(0, EPOLL_CLOEXEC))),
	SYS(292, dup3, "ffx", KNOWN, R_FDREAL),
	SYS(293, pipe2, "px", KNOWN, R_PIPE, FIX(0, 8)),
	SYS(294, inotify_init1, "x", KNOWN, R_NEWFD(CX(0, IN_CLOEXEC))),
	SYS(295, preadv, "fpdlu", KNOWN, R_FILEIO, IOV(1, 2)),
	SYS(296, pwritev, "fpdlu", KNOWN, R_FILEIO),
	SYS(297, rt_tgsigqueueinfo, "ddSp", KNOWN, R_EMU),
	SYS(298, perf_event_open, "pddfx", PARTIAL, R_NEWFD(CX(4, PERF_FLAG_FD_CLOEXEC))),
	SYS(299, recvmmsg, "fpuxp", KNOWN, R_EMU, MMSG(1)),
	SYS(300, fanotify_init, "xx", KNOWN, R_NEWFD(CX(0, FAN_CLOEXEC))),
	SYS(301, fanotify_mark, "fxxfs", KNOWN, R_EMU),
	SYS(302, prlimit64, "ddpp", KNOWN, R_EMU, FIX(3, 16)),
	SYS(303, name_to_handle_at, "fsppx", UNKNOWN, R_EMU),
	SYS(304, open_by_handle_at, "fpO", UNKNOWN, R_NEWFD(CX(2, O_CLOEXEC))),
	SYS(305, clock_adjtime, "dp", KNOWN, R_EMU, FIX(1, 208)),
	SYS(306, syncfs, "f", KNOWN, R_EMU),
	SYS(307, sendmmsg, "fpux", KNOWN, R_EMU, RETL(1, 64)),
	SYS(308, setns, "fx", KNOWN, R_PATH),
	SYS(309, getcpu, "ppp", KNOWN, R_EMU, FIX(0, 4), FIX(1, 4)),
	SYS(310, process_vm_readv, "dpupux", KNOWN, R_EMU, IOV(1, 2)),
	SYS(311, process_vm_writev, "dpupux", UNKNOWN, R_EMU),
	SYS(312, kcmp, "ddduu", KNOWN, R_EMU),
	SYS(313, finit_module, "fsx", KNOWN, R_EMU),
	SYS(314, sched_setattr, "dpx", KNOWN, R_EMU),
	SYS(315, sched_getattr, "dpux", KNOWN, R_EMU, ARGL(1, 2, 1)),
	SYS(316, renameat2, "fsfsx", KNOWN, R_NAME),
	/* a filter with SECCOMP_FILTER_FLAG_NEW_LISTENER returns a descriptor */
	SYS(317, seccomp, "Cxp", KNOWN, R_NEWFD_IF_FLAG(1, 0x8, CX_ALWAYS), CMD(0)),
	SYS(318, getrandom, "pux", KNOWN, R_EMU, RETL(0, 1)),
	SYS(319, memfd_create, "sx", KNOWN, R_MEMFD(CX(1, MFD_CLOEXEC))),
	SYS(320, kexec_file_load, "ffupx", UNKNOWN, R_EMU),
	SYS(321, bpf, "dpu", PARTIAL, R_EMU),
	SYS(322, execveat, "fsppx", KNOWN, R_EXEC),
	SYS(323, userfaultfd, "x", KNOWN, R_NEWFD(CX(0, O_CLOEXEC))),
	SYS(324, membarrier, "xxd", KNOWN, R_EMU),
	SYS(325, mlock2, "pux", KNOWN, R_EMU),
	SYS(326, copy_file_range, "fpfpux", KNOWN, R_EMU, FIX(1, 8), FIX(3, 8)),
	SYS(327, preadv2, "fpdlux", KNOWN, R_FILEIO, IOV(1, 2)),
	SYS(328, pwritev2, "fpdlux", KNOWN, R_FILEIO),
	SYS(329, pkey_mprotect, "puPd", KNOWN, R_REAL),
	SYS(330, pkey_alloc, "xx", KNOWN, R_EMU),
	SYS(331, pkey_free, "d", KNOWN, R_EMU),
	SYS(332, statx, "fsxxp", KNOWN, R_EMU, FIX(4, 256)),
	SYS(333, io_pgetevents, "xllppp", KNOWN, R_EMU, RETL(3, 32)),
	SYS(334, rseq, "pudx", KNOWN, R_REAL),
	SYS(424, pidfd_send_signal, "fSpx", KNOWN, R_EMU),
	SYS(425, io_uring_setup, "up", KNOWN, R_NEWFD(CX_ALWAYS), FIX(1, 120)),
	SYS(426, io_uring_enter, "fuuxpu", PARTIAL, R_EMU),
	SYS(427, io_uring_register, "fupu", PARTIAL, R_EMU),
	SYS(428, open_tree, "fsx", KNOWN, R_NEWFD(CX_NEVER)),
	SYS(429, move_mount, "fsfsx", KNOWN, R_EMU),
	SYS(430, fsopen, "sx", KNOWN, R_NEWFD(CX_NEVER)),
	SYS(431, fsconfig, "fuspd", KNOWN, R_EMU),
	SYS(432, fsmount, "fxx", KNOWN, R_NEWFD(CX_NEVER)),
	SYS(433, fspick, "fsx", KNOWN, R_NEWFD(CX_NEVER)),
	SYS(434, pidfd_open, "dx", KNOWN, R_NEWFD(CX_ALWAYS)),
	SYS(435, clone3, "pu", PARTIAL, R_CLONE),
	SYS(436, close_range, "uux", KNOWN, R_FDREAL),
	SYS(437, openat2, "fspu", KNOWN, R_NEWFD(CX_NEVER)),
	SYS(438, pidfd_getfd, "ffx", KNOWN, R_NEWFD(CX_ALWAYS)),
	SYS(439, faccessat2, "fsdx", KNOWN, R_EMU),
	SYS(440, process_madvise, "fpudx", KNOWN, R_EMU),
	SYS(441, epoll_pwait2, "fpdppu", KNOWN, R_EMU, RETL(1, 12)),
	SYS(442, mount_setattr, "fsxpu", KNOWN, R_EMU),
	SYS(443, quotactl_fd, "fudp", KNOWN, R_EMU),
	SYS(444, landlock_create_ruleset, "pux", KNOWN, R_NEWFD(CX_ALWAYS)),
	SYS(445, landlock_add_rule, "fdpx", KNOWN, R_EMU),
	SYS(446, landlock_restrict_self, "fx", KNOWN, R_EMU),
	SYS(447, memfd_secret, "x", KNOWN, R_NEWFD(CX_ALWAYS)),
	SYS(448, process_mrelease, "fx", KNOWN, R_EMU),
	SYS(449, futex_waitv, "pdxpd", PARTIAL, R_EMU),
	SYS(450, set_mempolicy_home_node, "puux", KNOWN, R_EMU),
	SYS(451, cachestat, "fppx", KNOWN, R_EMU, FIX(2, 32)),
	SYS(452, fchmodat2, "fsox", KNOWN, R_EMU),
	SYS(453, map_shadow_stack, "pux", KNOWN, R_EMU),
	SYS(454, futex_wake, "pxdx", KNOWN, R_EMU),
	SYS(455, futex_wait, "puxxpd", PARTIAL, R_EMU),
	SYS(456, futex_requeue, "pxdd", PARTIAL, R_EMU),
	SYS(457, statmount, "ppux", UNKNOWN, R_EMU),
	SYS(458, listmount, "ppux", UNKNOWN, R_EMU),
	SYS(459, lsm_get_self_attr, "dppx", UNKNOWN, R_EMU),
	SYS(460, lsm_set_self_attr, "dpux", UNKNOWN, R_EMU),
	SYS(461, lsm_list_self_attr, "ppx", UNKNOWN, R_EMU),
	SYS(462, mseal, "pux", KNOWN, R_EMU),
	SYS(463, setxattrat, "fsxspu", UNKNOWN, R_EMU),
	SYS(464, getxattrat, "fsxspu", UNKNOWN, R_EMU),
	SYS(465, listxattrat, "fsxpu", UNKNOWN, R_EMU),
	SYS(466, removexattrat, "fsxs", UNKNOWN, R_EMU),
	SYS(467, open_tree_attr, "fsxpu", UNKNOWN, R_EMU),
	SYS(468, file_getattr, "fspux", UNKNOWN, R_EMU),
	SYS(469, file_setattr, "fspux", UNKNOWN, R_EMU),
};

/*
 * Commands of CMD() syscalls: what each writes. Any other command of
 * ioctl, fcntl or prctl is recorded with REC_SF_OUT_UNKNOWN.
 * For an R_BY_CMD syscall (fcntl, prctl), also how replay treats the
 * command: C_FIX and C_NONE are emulated, C_FIX_RP and C_NONE_RP give the
 * kind (REAL, FDREAL, ...).
 */
#define C_NONE_OUT		{ REC_OUT_NONE, 0, 0, 0, 0 }
#define C_FIX(nr, c, a, s)	{ nr, c, #c, FIX(a, s), RP_EMU }
#define C_NONE(nr, c)		{ nr, c, #c, C_NONE_OUT, RP_EMU }
#define C_FIX_RP(nr, c, a, s, k) { nr, c, #c, FIX(a, s), RP_##k }
#define C_NONE_RP(nr, c, k)	{ nr, c, #c, C_NONE_OUT, RP_##k }
#define C_ARGL(nr, c, a, l, e)	{ nr, c, #c, ARGL(a, l, e), RP_EMU }
#define C_RETL(nr, c, a, e)	{ nr, c, #c, RETL(a, e), RP_EMU }
#define C_IOVEC1(nr, c, a)	{ nr, c, #c, { REC_OUT_IOVEC1, a, 0, 0, 0 }, RP_EMU }

enum {
	TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404,
	TIOCGPGRP = 0x540F, TIOCSPGRP = 0x5410, TIOCOUTQ = 0x5411,
	TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, FIONREAD = 0x541B,
	FIONBIO = 0x5421, TIOCGSID = 0x5429, TCGETS2 = 0x802C542A,
	TIOCGPTN = 0x80045430, FIONCLEX = 0x5450, FIOCLEX = 0x5451,
	FIOASYNC = 0x5452,
	SIOCGIFNAME = 0x8910, SIOCGIFCONF = 0x8912, SIOCGIFFLAGS = 0x8913,
	SIOCGIFADDR = 0x8915, SIOCGIFBRDADDR = 0x8919, SIOCGIFNETMASK = 0x891b,
	SIOCGIFMTU = 0x8921, SIOCGIFHWADDR = 0x8927, SIOCGIFINDEX = 0x8933,
};

/*
 * fcntl (the kernel's numbers, whatever the libc headers know; this file
 * includes neither <fcntl.h> nor <sys/prctl.h>, so the names are free)
 */
enum {
	F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4,
	F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7, F_SETOWN = 8, F_GETOWN = 9,
	F_SETSIG = 10, F_GETSIG = 11, F_SETOWN_EX = 15, F_GETOWN_EX = 16,
	F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38,
	F_SETLEASE = 1024, F_GETLEASE = 1025, F_NOTIFY = 1026,
	F_DUPFD_QUERY = 1027, F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031,
	F_GETPIPE_SZ = 1032, F_ADD_SEALS = 1033, F_GET_SEALS = 1034,
	F_GET_RW_HINT = 1035, F_SET_RW_HINT = 1036,
	F_GET_FILE_RW_HINT = 1037, F_SET_FILE_RW_HINT = 1038,
	F_CREATED_QUERY = 1039,
};

/* prctl options */
enum {
	PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3,
	PR_SET_DUMPABLE = 4, PR_GET_UNALIGN = 5, PR_SET_UNALIGN = 6,
	PR_GET_KEEPCAPS = 7, PR_SET_KEEPCAPS = 8, PR_GET_FPEMU = 9,
	PR_SET_FPEMU = 10, PR_GET_FPEXC = 11, PR_SET_FPEXC = 12,
	PR_GET_TIMING = 13, PR_SET_TIMING = 14, PR_SET_NAME = 15,
	PR_GET_NAME = 16, PR_GET_ENDIAN = 19, PR_SET_ENDIAN = 20,
	PR_GET_SECCOMP = 21, PR_SET_SECCOMP = 22, PR_CAPBSET_READ = 23,
	PR_CAPBSET_DROP = 24, PR_GET_TSC = 25, PR_SET_TSC = 26,
	PR_GET_SECUREBITS = 27, PR_SET_SECUREBITS = 28,
	PR_SET_TIMERSLACK = 29, PR_GET_TIMERSLACK = 30,
	PR_TASK_PERF_EVENTS_DISABLE = 31, PR_TASK_PERF_EVENTS_ENABLE = 32,
	PR_MCE_KILL = 33, PR_MCE_KILL_GET = 34,
	PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37,
	PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39,
	PR_GET_TID_ADDRESS = 40, PR_SET_THP_DISABLE = 41,
	PR_GET_THP_DISABLE = 42, PR_SET_FP_MODE = 45, PR_GET_FP_MODE = 46,
	PR_CAP_AMBIENT = 47, PR_GET_SPECULATION_CTRL = 52,
	PR_SET_SPECULATION_CTRL = 53, PR_SET_TAGGED_ADDR_CTRL = 55,
	PR_GET_TAGGED_ADDR_CTRL = 56, PR_SET_IO_FLUSHER = 57,
	PR_GET_IO_FLUSHER = 58, PR_SET_SYSCALL_USER_DISPATCH = 59,
	PR_SET_MDWE = 65, PR_GET_MDWE = 66, PR_SET_MEMORY_MERGE = 67,
	PR_GET_MEMORY_MERGE = 68, PR_SET_VMA = 0x53564d41,
	PR_SET_PTRACER = 0x59616d61,
};

/* ptrace requests (x86_64) */
enum {
	PTRACE_TRACEME = 0, PTRACE_PEEKTEXT = 1, PTRACE_PEEKDATA = 2,
	PTRACE_PEEKUSR = 3, PTRACE_POKETEXT = 4, PTRACE_POKEDATA = 5,
	PTRACE_POKEUSR = 6, PTRACE_CONT = 7, PTRACE_KILL = 8,
	PTRACE_SINGLESTEP = 9, PTRACE_GETREGS = 12, PTRACE_SETREGS = 13,
	PTRACE_GETFPREGS = 14, PTRACE_SETFPREGS = 15, PTRACE_ATTACH = 16,
	PTRACE_DETACH = 17, PTRACE_SYSCALL = 24, PTRACE_GET_THREAD_AREA = 25,
	PTRACE_SET_THREAD_AREA = 26, PTRACE_SYSEMU = 31,
	PTRACE_SYSEMU_SINGLESTEP = 32, PTRACE_SINGLEBLOCK = 33,
	PTRACE_SETOPTIONS = 0x4200, PTRACE_GETEVENTMSG = 0x4201,
	PTRACE_GETSIGINFO = 0x4202, PTRACE_SETSIGINFO = 0x4203,
	PTRACE_GETREGSET = 0x4204, PTRACE_SETREGSET = 0x4205,
	PTRACE_SEIZE = 0x4206, PTRACE_INTERRUPT = 0x4207, PTRACE_LISTEN = 0x4208,
	PTRACE_PEEKSIGINFO = 0x4209, PTRACE_GETSIGMASK = 0x420a,
	PTRACE_SETSIGMASK = 0x420b, PTRACE_SECCOMP_GET_FILTER = 0x420c,
	PTRACE_SECCOMP_GET_METADATA = 0x420d, PTRACE_GET_SYSCALL_INFO = 0x420e,
	PTRACE_GET_RSEQ_CONFIGURATION = 0x420f,
	PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG = 0x4210,
	PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG = 0x4211,
	PTRACE_SET_SYSCALL_INFO = 0x4212,
};

/* seccomp operations */
enum {
	SECCOMP_SET_MODE_STRICT = 0, SECCOMP_SET_MODE_FILTER = 1,
	SECCOMP_GET_ACTION_AVAIL = 2, SECCOMP_GET_NOTIF_SIZES = 3,
};

static const struct cmd_info cmds[] = {
	/* ioctl: the output (if any) is args[2] */
	C_FIX(16, TCGETS, 2, 36),	/* struct termios */
	C_FIX(16, TCGETS2, 2, 44),	/* struct termios2 */
	C_FIX(16, TIOCGWINSZ, 2, 8),
	C_FIX(16, FIONREAD, 2, 4),
	C_FIX(16, TIOCOUTQ, 2, 4),
	C_FIX(16, TIOCGPGRP, 2, 4),
	C_FIX(16, TIOCGSID, 2, 4),
	C_FIX(16, TIOCGPTN, 2, 4),
	C_NONE(16, TCSETS), C_NONE(16, TCSETSW), C_NONE(16, TCSETSF),
	C_NONE(16, TIOCSPGRP), C_NONE(16, TIOCSWINSZ), C_NONE(16, FIONBIO),
	C_NONE(16, FIONCLEX), C_NONE(16, FIOCLEX), C_NONE(16, FIOASYNC),
	{ 16, SIOCGIFCONF, "SIOCGIFCONF", { REC_OUT_IFCONF, 2, 0, 0, 0 }, RP_EMU },
	C_FIX(16, SIOCGIFNAME, 2, 40),	/* struct ifreq */
	C_FIX(16, SIOCGIFFLAGS, 2, 40),
	C_FIX(16, SIOCGIFADDR, 2, 40),
	C_FIX(16, SIOCGIFBRDADDR, 2, 40),
	C_FIX(16, SIOCGIFNETMASK, 2, 40),
	C_FIX(16, SIOCGIFMTU, 2, 40),
	C_FIX(16, SIOCGIFHWADDR, 2, 40),
	C_FIX(16, SIOCGIFINDEX, 2, 40),

	/*
	 * fcntl: the output (if any) is args[2]. Replay runs the commands
	 * that change the descriptor table for real.
	 */
	C_FIX(72, F_GETLK, 2, 32),		/* struct flock */
	C_FIX(72, F_OFD_GETLK, 2, 32),
	C_FIX(72, F_GETOWN_EX, 2, 8),		/* struct f_owner_ex */
	C_FIX(72, F_GET_RW_HINT, 2, 8),	/* u64 */
	C_FIX(72, F_GET_FILE_RW_HINT, 2, 8),
	C_NONE_RP(72, F_DUPFD, FDREAL), C_NONE_RP(72, F_DUPFD_CLOEXEC, FDREAL),
	C_NONE_RP(72, F_SETFD, FDREAL), C_NONE(72, F_GETFD),
	C_NONE(72, F_GETFL), C_NONE(72, F_SETFL), C_NONE(72, F_SETLK),
	C_NONE(72, F_SETLKW), C_NONE(72, F_SETOWN), C_NONE(72, F_GETOWN),
	C_NONE(72, F_SETSIG), C_NONE(72, F_GETSIG), C_NONE(72, F_SETOWN_EX),
	C_NONE(72, F_OFD_SETLK), C_NONE(72, F_OFD_SETLKW),
	C_NONE(72, F_SETLEASE), C_NONE(72, F_GETLEASE), C_NONE(72, F_NOTIFY),
	C_NONE(72, F_DUPFD_QUERY),
	C_NONE(72, F_SETPIPE_SZ), C_NONE(72, F_GETPIPE_SZ),
	C_NONE(72, F_ADD_SEALS), C_NONE(72, F_GET_SEALS),
	C_NONE(72, F_SET_RW_HINT), C_NONE(72, F_SET_FILE_RW_HINT),
	C_NONE(72, F_CREATED_QUERY),

	/*
	 * prctl: the output (if any) is arg2, args[1]. Replay runs these
	 * getters for real, and the setters of what they get: they touch
	 * only the process (journals from before prctl's outputs were
	 * recorded lack them). PR_SET_CHILD_SUBREAPER makes the process
	 * the parent of the orphans below it, as it was when recorded.
	 */
	C_FIX_RP(157, PR_GET_PDEATHSIG, 1, 4, REAL),	/* int */
	C_FIX_RP(157, PR_GET_NAME, 1, 16, REAL),	/* TASK_COMM_LEN */
	C_FIX_RP(157, PR_GET_CHILD_SUBREAPER, 1, 4, REAL),
	C_FIX_RP(157, PR_GET_TID_ADDRESS, 1, 8, REAL),	/* int __user * */
	C_NONE_RP(157, PR_SET_NAME, REAL),
	C_NONE_RP(157, PR_SET_PDEATHSIG, REAL),
	C_NONE_RP(157, PR_SET_CHILD_SUBREAPER, REAL),
	C_FIX(157, PR_GET_UNALIGN, 1, 4),
	C_FIX(157, PR_GET_FPEMU, 1, 4),
	C_FIX(157, PR_GET_FPEXC, 1, 4),
	C_FIX(157, PR_GET_ENDIAN, 1, 4),
	C_FIX(157, PR_GET_TSC, 1, 4),
	C_NONE(157, PR_GET_DUMPABLE),
	C_NONE(157, PR_SET_DUMPABLE), C_NONE(157, PR_SET_UNALIGN),
	C_NONE(157, PR_GET_KEEPCAPS), C_NONE(157, PR_SET_KEEPCAPS),
	C_NONE(157, PR_SET_FPEMU), C_NONE(157, PR_SET_FPEXC),
	C_NONE(157, PR_GET_TIMING), C_NONE(157, PR_SET_TIMING),
	C_NONE(157, PR_SET_ENDIAN),
	C_NONE(157, PR_GET_SECCOMP), C_NONE(157, PR_SET_SECCOMP),
	C_NONE(157, PR_CAPBSET_READ), C_NONE(157, PR_CAPBSET_DROP),
	C_NONE(157, PR_SET_TSC), C_NONE(157, PR_GET_SECUREBITS),
	C_NONE(157, PR_SET_SECUREBITS), C_NONE(157, PR_SET_TIMERSLACK),
	C_NONE(157, PR_GET_TIMERSLACK), C_NONE(157, PR_TASK_PERF_EVENTS_DISABLE),
	C_NONE(157, PR_TASK_PERF_EVENTS_ENABLE), C_NONE(157, PR_MCE_KILL),
	C_NONE(157, PR_MCE_KILL_GET), C_NONE(157, PR_SET_NO_NEW_PRIVS), C_NONE(157, PR_GET_NO_NEW_PRIVS),
	C_NONE(157, PR_SET_THP_DISABLE), C_NONE(157, PR_GET_THP_DISABLE),
	C_NONE(157, PR_SET_FP_MODE), C_NONE(157, PR_GET_FP_MODE),
	C_NONE(157, PR_CAP_AMBIENT), C_NONE(157, PR_GET_SPECULATION_CTRL),
	C_NONE(157, PR_SET_SPECULATION_CTRL), C_NONE(157, PR_SET_TAGGED_ADDR_CTRL),
	C_NONE(157, PR_GET_TAGGED_ADDR_CTRL), C_NONE(157, PR_SET_IO_FLUSHER),
	C_NONE(157, PR_GET_IO_FLUSHER), C_NONE(157, PR_SET_SYSCALL_USER_DISPATCH),
	C_NONE(157, PR_SET_MDWE), C_NONE(157, PR_GET_MDWE),
	C_NONE(157, PR_SET_MEMORY_MERGE), C_NONE(157, PR_GET_MEMORY_MERGE),
	C_NONE(157, PR_SET_VMA), C_NONE(157, PR_SET_PTRACER),

	/*
	 * ptrace: what the request writes, at data (args[3]); glibc's
	 * ptrace() passes its own word as data for the PEEK requests. The
	 * requests that take a length take it as addr (args[2]), and write at
	 * most that much.
	 */
	C_FIX(101, PTRACE_PEEKTEXT, 3, 8), C_FIX(101, PTRACE_PEEKDATA, 3, 8),
	C_FIX(101, PTRACE_PEEKUSR, 3, 8),
	C_FIX(101, PTRACE_GETREGS, 3, 216),	/* struct user_regs_struct */
	C_FIX(101, PTRACE_GETFPREGS, 3, 512),	/* struct user_i387_struct */
	C_FIX(101, PTRACE_GET_THREAD_AREA, 3, 16),	/* struct user_desc */
	C_FIX(101, PTRACE_GETEVENTMSG, 3, 8),	/* unsigned long */
	C_FIX(101, PTRACE_GETSIGINFO, 3, 128),	/* siginfo_t */
	C_IOVEC1(101, PTRACE_GETREGSET, 3),	/* iovec, iov_len updated */
	C_RETL(101, PTRACE_PEEKSIGINFO, 3, 128),	/* ret siginfo_t */
	C_ARGL(101, PTRACE_GETSIGMASK, 3, 2, 1),
	C_RETL(101, PTRACE_SECCOMP_GET_FILTER, 3, 8),	/* ret sock_filter */
	C_ARGL(101, PTRACE_SECCOMP_GET_METADATA, 3, 2, 1),
	C_ARGL(101, PTRACE_GET_SYSCALL_INFO, 3, 2, 1),
	C_ARGL(101, PTRACE_GET_RSEQ_CONFIGURATION, 3, 2, 1),
	C_ARGL(101, PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG, 3, 2, 1),
	C_NONE(101, PTRACE_TRACEME), C_NONE(101, PTRACE_POKETEXT),
	C_NONE(101, PTRACE_POKEDATA), C_NONE(101, PTRACE_POKEUSR),
	C_NONE(101, PTRACE_CONT), C_NONE(101, PTRACE_KILL),
	C_NONE(101, PTRACE_SINGLESTEP), C_NONE(101, PTRACE_SETREGS),
	C_NONE(101, PTRACE_SETFPREGS), C_NONE(101, PTRACE_ATTACH),
	C_NONE(101, PTRACE_DETACH), C_NONE(101, PTRACE_SYSCALL),
	C_NONE(101, PTRACE_SET_THREAD_AREA), C_NONE(101, PTRACE_SYSEMU),
	C_NONE(101, PTRACE_SYSEMU_SINGLESTEP), C_NONE(101, PTRACE_SINGLEBLOCK),
	C_NONE(101, PTRACE_SETOPTIONS), C_NONE(101, PTRACE_SETSIGINFO),
	C_NONE(101, PTRACE_SETREGSET), C_NONE(101, PTRACE_SEIZE),
	C_NONE(101, PTRACE_INTERRUPT), C_NONE(101, PTRACE_LISTEN),
	C_NONE(101, PTRACE_SETSIGMASK),
	C_NONE(101, PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG),
	C_NONE(101, PTRACE_SET_SYSCALL_INFO),

	/*
	 * seccomp: by operation. A filter installed with
	 * SECCOMP_FILTER_FLAG_NEW_LISTENER returns a descriptor (the table's
	 * entry for seccomp says so); the replay does not install the
	 * program's filters: what they did is in the journal.
	 */
	C_NONE(317, SECCOMP_SET_MODE_STRICT), C_NONE(317, SECCOMP_SET_MODE_FILTER),
	C_NONE(317, SECCOMP_GET_ACTION_AVAIL),
	C_FIX(317, SECCOMP_GET_NOTIF_SIZES, 2, 6),	/* struct seccomp_notif_sizes */
};

static void count_outs(void)
{
	static int done;
	unsigned int i, k;

	if (done)
		return;
	for (i = 0; i < REC_NR_SYSCALLS; i++) {
		for (k = 0; k < REC_MAX_OUTS && table[i].out[k].how; k++)
			;
		table[i].nout = k;
	}
	done = 1;
}

/* The whole number: -1 and 2^32 + 39 are not in the table (bpf/record.h). */
static bool in_table(int64_t nr)
{
	return nr >= 0 && nr < REC_NR_SYSCALLS;
}

const struct syscall_info *syscall_get(int64_t nr)
{
	count_outs();
	return in_table(nr) ? &table[nr] : NULL;
}

const char *syscall_sig(int64_t nr)
{
	return in_table(nr) ? table[nr].sig : NULL;
}

unsigned int syscall_nargs(int64_t nr)
{
	const char *sig = syscall_sig(nr);

	return sig ? strlen(sig) : 0;
}

uint32_t syscall_strargs(int64_t nr)
{
	const char *sig = syscall_sig(nr);
	uint32_t m = 0;
	int i;

	for (i = 0; sig && sig[i] && i < 6; i++)
		if (sig[i] == 's')
			m |= 1U << i;
	return m;
}

const char *syscall_name(int64_t nr)
{
	return in_table(nr) ? table[nr].name : NULL;
}

const char *syscall_nr_str(int64_t nr, char *buf, size_t len)
{
	if (nr > -4096 && nr < 4096)
		snprintf(buf, len, "%lld", (long long)nr);
	else
		snprintf(buf, len, "%#llx", (unsigned long long)nr);
	return buf;
}

int syscall_nr(const char *name)
{
	unsigned int i;

	for (i = 0; i < REC_NR_SYSCALLS; i++)
		if (table[i].name && !strcmp(table[i].name, name))
			return i;
	return -ENOENT;
}

const struct cmd_info *cmd_get(int64_t nr, uint32_t cmd)
{
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].nr == nr && cmds[i].cmd == cmd)
			return &cmds[i];
	return NULL;
}

/* REC_SD_FAST: see bpf/record.h */
static bool fast_ok(unsigned int nr)
{
	const struct syscall_info *si = &table[nr];

	switch (nr) {
	case 15:	/* rt_sigreturn: the registers are the frame's at exit */
	case 56:	/* clone, fork, vfork, clone3: the child's exit */
	case 57:
	case 58:
	case 435:
	case 59:	/* execve, execveat: a new image's registers at exit */
	case 322:
	case 219:	/* restart_syscall */
		return false;
	}
	if ((si->flags & REC_SD_NORETURN) || syscall_strargs(nr))
		return false;
	if (si->nout > 1)
		return false;
	return !si->nout || si->out[0].how == REC_OUT_FIXED ||
	       si->out[0].how == REC_OUT_ARGLEN || si->out[0].how == REC_OUT_RETLEN;
}

int syscalls_load_bpf(int sysdesc_fd, int cmddesc_fd)
{
	unsigned int i;

	count_outs();
	for (i = 0; i < REC_NR_SYSCALLS; i++) {
		struct rec_sysdesc d = { 0 };
		__u32 key = i;

		if (!table[i].name)
			continue;
		d.flags = table[i].flags;
		d.nout = table[i].nout;
		memcpy(d.out, table[i].out, sizeof(d.out));
		d.strargs = syscall_strargs(i);
		if (fast_ok(i))
			d.flags |= REC_SD_FAST;
		if (bpf_map_update_elem(sysdesc_fd, &key, &d, BPF_ANY))
			return -errno;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		__u64 key = REC_CMD_KEY(cmds[i].nr, cmds[i].cmd);

		if (bpf_map_update_elem(cmddesc_fd, &key, &cmds[i].out, BPF_ANY))
			return -errno;
	}
	return 0;
}

int syscall_ptr_arg(int64_t nr, const __u64 *args)
{
	const struct syscall_info *si = syscall_get(nr);
	const struct cmd_info *c;
	unsigned int k;

	for (k = 0; si && k < si->nout; k++) {
		if (si->out[k].how == REC_OUT_IOVEC1)
			return si->out[k].arg;
		if (si->out[k].how != REC_OUT_CMD)
			continue;
		c = cmd_get(nr, (uint32_t)args[si->out[k].larg]);
		if (c && c->out.how == REC_OUT_IOVEC1)
			return c->out.arg;
	}
	return -ENOENT;
}

enum rp_kind replay_sys_kind(const __u64 *args, int64_t nr)
{
	const struct syscall_info *si = syscall_get(nr);
	const struct cmd_info *c;
	unsigned int k;

	if (!si)
		return RP_EMU;
	switch (si->rp_by) {
	case RP_BY_CMD:
		/* the command is the argument its CMD() rule names */
		for (k = 0; k < si->nout; k++) {
			if (si->out[k].how != REC_OUT_CMD)
				continue;
			c = cmd_get(nr, (uint32_t)args[si->out[k].larg]);
			return c ? c->rp : RP_EMU;
		}
		return RP_EMU;
	case RP_BY_FD:
		return (int)args[0] == -1 ? si->rp : RP_EMU;
	case RP_BY_FLAG:
		return args[si->by_arg] & si->by_flag ? si->rp : RP_EMU;
	}
	return si->rp;
}

unsigned int replay_sys_nargs(int64_t nr)
{
	const struct syscall_info *si = syscall_get(nr);

	if (si && si->rp_cmp)
		return si->rp_cmp;
	return syscall_nargs(nr);
}

bool replay_sys_cloexec(int64_t nr, const __u64 *args)
{
	const struct syscall_info *si = syscall_get(nr);

	if (!si)
		return false;
	return si->cx_always || (si->cx_flag && (args[si->cx_arg] & si->cx_flag));
}
