// SPDX-License-Identifier: GPL-2.0
/*
 * The one x86_64 syscall table (see syscalls.h and Documentation/record.rst).
 *
 * Rules: every output argument is listed, with how its length is found:
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
 */
#include <errno.h>
#include <stdbool.h>
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

#define SYS(nr, n, kind, ...) \
	[nr] = { .name = #n, .flags = SD_##kind, .out = { __VA_ARGS__ } }

static struct syscall_info table[REC_NR_SYSCALLS] = {
	SYS(0, read, KNOWN, RETL(1, 1)),
	SYS(1, write, KNOWN),
	SYS(2, open, KNOWN),
	SYS(3, close, KNOWN),
	SYS(4, stat, KNOWN, FIX(1, 144)),
	SYS(5, fstat, KNOWN, FIX(1, 144)),
	SYS(6, lstat, KNOWN, FIX(1, 144)),
	SYS(7, poll, KNOWN, ARGL(0, 1, 8)),
	SYS(8, lseek, KNOWN),
	SYS(9, mmap, KNOWN),
	SYS(10, mprotect, KNOWN),
	SYS(11, munmap, KNOWN),
	SYS(12, brk, KNOWN),
	SYS(13, rt_sigaction, KNOWN, FIX(2, 32)),
	SYS(14, rt_sigprocmask, KNOWN, ARGL(2, 3, 1)),
	SYS(15, rt_sigreturn, KNOWN),
	SYS(16, ioctl, KNOWN, CMD(1)),
	SYS(17, pread64, KNOWN, RETL(1, 1)),
	SYS(18, pwrite64, KNOWN),
	SYS(19, readv, KNOWN, IOV(1, 2)),
	SYS(20, writev, KNOWN),
	SYS(21, access, KNOWN),
	SYS(22, pipe, KNOWN, FIX(0, 8)),
	SYS(23, select, KNOWN, FDS(1), FDS(2), FDS(3), FIX(4, 16)),
	SYS(24, sched_yield, KNOWN),
	SYS(25, mremap, KNOWN),
	SYS(26, msync, KNOWN),
	SYS(27, mincore, UNKNOWN),
	SYS(28, madvise, KNOWN),
	SYS(29, shmget, KNOWN),
	SYS(30, shmat, KNOWN),
	SYS(31, shmctl, UNKNOWN),
	SYS(32, dup, KNOWN),
	SYS(33, dup2, KNOWN),
	SYS(34, pause, KNOWN),
	SYS(35, nanosleep, KNOWN, FIX_E(1, 16)),
	SYS(36, getitimer, KNOWN, FIX(1, 32)),
	SYS(37, alarm, KNOWN),
	SYS(38, setitimer, KNOWN, FIX(2, 32)),
	SYS(39, getpid, KNOWN),
	SYS(40, sendfile, KNOWN, FIX(2, 8)),
	SYS(41, socket, KNOWN),
	SYS(42, connect, KNOWN),
	SYS(43, accept, KNOWN, PTRL(1, 2), FIX(2, 4)),
	SYS(44, sendto, KNOWN),
	SYS(45, recvfrom, KNOWN, RETL(1, 1), PTRL(4, 5), FIX(5, 4)),
	SYS(46, sendmsg, KNOWN),
	SYS(47, recvmsg, KNOWN, MSG(1)),
	SYS(48, shutdown, KNOWN),
	SYS(49, bind, KNOWN),
	SYS(50, listen, KNOWN),
	SYS(51, getsockname, KNOWN, PTRL(1, 2), FIX(2, 4)),
	SYS(52, getpeername, KNOWN, PTRL(1, 2), FIX(2, 4)),
	SYS(53, socketpair, KNOWN, FIX(3, 8)),
	SYS(54, setsockopt, KNOWN),
	SYS(55, getsockopt, KNOWN, PTRL(3, 4), FIX(4, 4)),
	SYS(56, clone, PARTIAL),
	SYS(57, fork, KNOWN),
	SYS(58, vfork, KNOWN),
	SYS(59, execve, KNOWN),
	SYS(60, exit, NORETURN),
	SYS(61, wait4, KNOWN, FIX(1, 4), FIX(3, 144)),
	SYS(62, kill, KNOWN),
	SYS(63, uname, KNOWN, FIX(0, 390)),
	SYS(64, semget, KNOWN),
	SYS(65, semop, KNOWN),
	SYS(66, semctl, UNKNOWN),
	SYS(67, shmdt, KNOWN),
	SYS(68, msgget, KNOWN),
	SYS(69, msgsnd, KNOWN),
	SYS(70, msgrcv, UNKNOWN),
	SYS(71, msgctl, UNKNOWN),
	SYS(72, fcntl, KNOWN, CMD(1)),
	SYS(73, flock, KNOWN),
	SYS(74, fsync, KNOWN),
	SYS(75, fdatasync, KNOWN),
	SYS(76, truncate, KNOWN),
	SYS(77, ftruncate, KNOWN),
	SYS(78, getdents, KNOWN, RETL(1, 1)),
	SYS(79, getcwd, KNOWN, RETL(0, 1)),
	SYS(80, chdir, KNOWN),
	SYS(81, fchdir, KNOWN),
	SYS(82, rename, KNOWN),
	SYS(83, mkdir, KNOWN),
	SYS(84, rmdir, KNOWN),
	SYS(85, creat, KNOWN),
	SYS(86, link, KNOWN),
	SYS(87, unlink, KNOWN),
	SYS(88, symlink, KNOWN),
	SYS(89, readlink, KNOWN, RETL(1, 1)),
	SYS(90, chmod, KNOWN),
	SYS(91, fchmod, KNOWN),
	SYS(92, chown, KNOWN),
	SYS(93, fchown, KNOWN),
	SYS(94, lchown, KNOWN),
	SYS(95, umask, KNOWN),
	SYS(96, gettimeofday, KNOWN, FIX(0, 16), FIX(1, 8)),
	SYS(97, getrlimit, KNOWN, FIX(1, 16)),
	SYS(98, getrusage, KNOWN, FIX(1, 144)),
	SYS(99, sysinfo, KNOWN, FIX(0, 112)),
	SYS(100, times, KNOWN, FIX(0, 32)),
	SYS(101, ptrace, PARTIAL),
	SYS(102, getuid, KNOWN),
	SYS(103, syslog, KNOWN, RETL(1, 1)),
	SYS(104, getgid, KNOWN),
	SYS(105, setuid, KNOWN),
	SYS(106, setgid, KNOWN),
	SYS(107, geteuid, KNOWN),
	SYS(108, getegid, KNOWN),
	SYS(109, setpgid, KNOWN),
	SYS(110, getppid, KNOWN),
	SYS(111, getpgrp, KNOWN),
	SYS(112, setsid, KNOWN),
	SYS(113, setreuid, KNOWN),
	SYS(114, setregid, KNOWN),
	SYS(115, getgroups, KNOWN, RETL(1, 4)),
	SYS(116, setgroups, KNOWN),
	SYS(117, setresuid, KNOWN),
	SYS(118, getresuid, KNOWN, FIX(0, 4), FIX(1, 4), FIX(2, 4)),
	SYS(119, setresgid, KNOWN),
	SYS(120, getresgid, KNOWN, FIX(0, 4), FIX(1, 4), FIX(2, 4)),
	SYS(121, getpgid, KNOWN),
	SYS(122, setfsuid, KNOWN),
	SYS(123, setfsgid, KNOWN),
	SYS(124, getsid, KNOWN),
	SYS(125, capget, KNOWN, FIX(1, 24)),
	SYS(126, capset, UNKNOWN),
	SYS(127, rt_sigpending, KNOWN, ARGL(0, 1, 1)),
	SYS(128, rt_sigtimedwait, KNOWN, FIX(1, 128)),
	SYS(129, rt_sigqueueinfo, KNOWN),
	SYS(130, rt_sigsuspend, KNOWN),
	SYS(131, sigaltstack, KNOWN, FIX(1, 24)),
	SYS(132, utime, KNOWN),
	SYS(133, mknod, KNOWN),
	SYS(134, uselib, UNKNOWN),
	SYS(135, personality, KNOWN),
	SYS(136, ustat, UNKNOWN),
	SYS(137, statfs, KNOWN, FIX(1, 120)),
	SYS(138, fstatfs, KNOWN, FIX(1, 120)),
	SYS(139, sysfs, UNKNOWN),
	SYS(140, getpriority, KNOWN),
	SYS(141, setpriority, KNOWN),
	SYS(142, sched_setparam, KNOWN),
	SYS(143, sched_getparam, KNOWN, FIX(1, 4)),
	SYS(144, sched_setscheduler, KNOWN),
	SYS(145, sched_getscheduler, KNOWN),
	SYS(146, sched_get_priority_max, KNOWN),
	SYS(147, sched_get_priority_min, KNOWN),
	SYS(148, sched_rr_get_interval, KNOWN, FIX(1, 16)),
	SYS(149, mlock, KNOWN),
	SYS(150, munlock, KNOWN),
	SYS(151, mlockall, KNOWN),
	SYS(152, munlockall, KNOWN),
	SYS(153, vhangup, KNOWN),
	SYS(154, modify_ldt, UNKNOWN),
	SYS(155, pivot_root, KNOWN),
	SYS(156, _sysctl, UNKNOWN),
	SYS(157, prctl, KNOWN, CMD(0)),
	SYS(158, arch_prctl, PARTIAL),
	SYS(159, adjtimex, KNOWN, FIX(0, 208)),
	SYS(160, setrlimit, KNOWN),
	SYS(161, chroot, KNOWN),
	SYS(162, sync, KNOWN),
	SYS(163, acct, KNOWN),
	SYS(164, settimeofday, KNOWN),
	SYS(165, mount, KNOWN),
	SYS(166, umount2, KNOWN),
	SYS(167, swapon, KNOWN),
	SYS(168, swapoff, KNOWN),
	SYS(169, reboot, KNOWN),
	SYS(170, sethostname, KNOWN),
	SYS(171, setdomainname, KNOWN),
	SYS(172, iopl, UNKNOWN),
	SYS(173, ioperm, UNKNOWN),
	SYS(174, create_module, UNKNOWN),
	SYS(175, init_module, KNOWN),
	SYS(176, delete_module, KNOWN),
	SYS(177, get_kernel_syms, UNKNOWN),
	SYS(178, query_module, UNKNOWN),
	SYS(179, quotactl, KNOWN),
	SYS(180, nfsservctl, UNKNOWN),
	SYS(181, getpmsg, UNKNOWN),
	SYS(182, putpmsg, UNKNOWN),
	SYS(183, afs_syscall, UNKNOWN),
	SYS(184, tuxcall, UNKNOWN),
	SYS(185, security, UNKNOWN),
	SYS(186, gettid, KNOWN),
	SYS(187, readahead, KNOWN),
	SYS(188, setxattr, KNOWN),
	SYS(189, lsetxattr, KNOWN),
	SYS(190, fsetxattr, KNOWN),
	SYS(191, getxattr, KNOWN, RETL(2, 1)),
	SYS(192, lgetxattr, KNOWN, RETL(2, 1)),
	SYS(193, fgetxattr, KNOWN, RETL(2, 1)),
	SYS(194, listxattr, KNOWN, RETL(1, 1)),
	SYS(195, llistxattr, KNOWN, RETL(1, 1)),
	SYS(196, flistxattr, KNOWN, RETL(1, 1)),
	SYS(197, removexattr, KNOWN),
	SYS(198, lremovexattr, KNOWN),
	SYS(199, fremovexattr, KNOWN),
	SYS(200, tkill, KNOWN),
	SYS(201, time, KNOWN, FIX(0, 8)),
	SYS(202, futex, PARTIAL),
	SYS(203, sched_setaffinity, KNOWN),
	SYS(204, sched_getaffinity, KNOWN, RETL(2, 1)),
	SYS(205, set_thread_area, UNKNOWN),
	SYS(206, io_setup, KNOWN, FIX(1, 8)),
	SYS(207, io_destroy, KNOWN),
	SYS(208, io_getevents, KNOWN, RETL(3, 32)),
	SYS(209, io_submit, KNOWN),
	SYS(210, io_cancel, KNOWN, FIX(2, 32)),
	SYS(211, get_thread_area, UNKNOWN),
	SYS(212, lookup_dcookie, UNKNOWN),
	SYS(213, epoll_create, KNOWN),
	SYS(214, epoll_ctl_old, UNKNOWN),
	SYS(215, epoll_wait_old, UNKNOWN),
	SYS(216, remap_file_pages, KNOWN),
	SYS(217, getdents64, KNOWN, RETL(1, 1)),
	SYS(218, set_tid_address, KNOWN),
	SYS(219, restart_syscall, UNKNOWN),
	SYS(220, semtimedop, KNOWN),
	SYS(221, fadvise64, KNOWN),
	SYS(222, timer_create, KNOWN, FIX(2, 4)),
	SYS(223, timer_settime, KNOWN, FIX(3, 32)),
	SYS(224, timer_gettime, KNOWN, FIX(1, 32)),
	SYS(225, timer_getoverrun, KNOWN),
	SYS(226, timer_delete, KNOWN),
	SYS(227, clock_settime, KNOWN),
	SYS(228, clock_gettime, KNOWN, FIX(1, 16)),
	SYS(229, clock_getres, KNOWN, FIX(1, 16)),
	SYS(230, clock_nanosleep, KNOWN, FIX_E(3, 16)),
	SYS(231, exit_group, NORETURN),
	SYS(232, epoll_wait, KNOWN, RETL(1, 12)),
	SYS(233, epoll_ctl, KNOWN),
	SYS(234, tgkill, KNOWN),
	SYS(235, utimes, KNOWN),
	SYS(236, vserver, UNKNOWN),
	SYS(237, mbind, KNOWN),
	SYS(238, set_mempolicy, KNOWN),
	SYS(239, get_mempolicy, PARTIAL),
	SYS(240, mq_open, KNOWN),
	SYS(241, mq_unlink, KNOWN),
	SYS(242, mq_timedsend, KNOWN),
	SYS(243, mq_timedreceive, KNOWN, RETL(1, 1), FIX(3, 4)),
	SYS(244, mq_notify, KNOWN),
	SYS(245, mq_getsetattr, KNOWN, FIX(2, 64)),
	SYS(246, kexec_load, UNKNOWN),
	SYS(247, waitid, KNOWN, FIX(2, 128), FIX(4, 144)),
	SYS(248, add_key, UNKNOWN),
	SYS(249, request_key, UNKNOWN),
	SYS(250, keyctl, PARTIAL),
	SYS(251, ioprio_set, KNOWN),
	SYS(252, ioprio_get, KNOWN),
	SYS(253, inotify_init, KNOWN),
	SYS(254, inotify_add_watch, KNOWN),
	SYS(255, inotify_rm_watch, KNOWN),
	SYS(256, migrate_pages, KNOWN),
	SYS(257, openat, KNOWN),
	SYS(258, mkdirat, KNOWN),
	SYS(259, mknodat, KNOWN),
	SYS(260, fchownat, KNOWN),
	SYS(261, futimesat, KNOWN),
	SYS(262, newfstatat, KNOWN, FIX(2, 144)),
	SYS(263, unlinkat, KNOWN),
	SYS(264, renameat, KNOWN),
	SYS(265, linkat, KNOWN),
	SYS(266, symlinkat, KNOWN),
	SYS(267, readlinkat, KNOWN, RETL(2, 1)),
	SYS(268, fchmodat, KNOWN),
	SYS(269, faccessat, KNOWN),
	SYS(270, pselect6, KNOWN, FDS(1), FDS(2), FDS(3), FIX(4, 16)),
	SYS(271, ppoll, KNOWN, ARGL(0, 1, 8), FIX(2, 16)),
	SYS(272, unshare, KNOWN),
	SYS(273, set_robust_list, KNOWN),
	SYS(274, get_robust_list, KNOWN, FIX(1, 8), FIX(2, 8)),
	SYS(275, splice, KNOWN, FIX(1, 8), FIX(3, 8)),
	SYS(276, tee, KNOWN),
	SYS(277, sync_file_range, KNOWN),
	SYS(278, vmsplice, KNOWN),
	SYS(279, move_pages, KNOWN, ARGL(4, 1, 4)),
	SYS(280, utimensat, KNOWN),
	SYS(281, epoll_pwait, KNOWN, RETL(1, 12)),
	SYS(282, signalfd, KNOWN),
	SYS(283, timerfd_create, KNOWN),
	SYS(284, eventfd, KNOWN),
	SYS(285, fallocate, KNOWN),
	SYS(286, timerfd_settime, KNOWN, FIX(3, 32)),
	SYS(287, timerfd_gettime, KNOWN, FIX(1, 32)),
	SYS(288, accept4, KNOWN, PTRL(1, 2), FIX(2, 4)),
	SYS(289, signalfd4, KNOWN),
	SYS(290, eventfd2, KNOWN),
	SYS(291, epoll_create1, KNOWN),
	SYS(292, dup3, KNOWN),
	SYS(293, pipe2, KNOWN, FIX(0, 8)),
	SYS(294, inotify_init1, KNOWN),
	SYS(295, preadv, KNOWN, IOV(1, 2)),
	SYS(296, pwritev, KNOWN),
	SYS(297, rt_tgsigqueueinfo, KNOWN),
	SYS(298, perf_event_open, PARTIAL),
	SYS(299, recvmmsg, KNOWN, MMSG(1)),
	SYS(300, fanotify_init, KNOWN),
	SYS(301, fanotify_mark, KNOWN),
	SYS(302, prlimit64, KNOWN, FIX(3, 16)),
	SYS(303, name_to_handle_at, UNKNOWN),
	SYS(304, open_by_handle_at, UNKNOWN),
	SYS(305, clock_adjtime, KNOWN, FIX(1, 208)),
	SYS(306, syncfs, KNOWN),
	SYS(307, sendmmsg, KNOWN, RETL(1, 64)),
	SYS(308, setns, KNOWN),
	SYS(309, getcpu, KNOWN, FIX(0, 4), FIX(1, 4)),
	SYS(310, process_vm_readv, KNOWN, IOV(1, 2)),
	SYS(311, process_vm_writev, UNKNOWN),
	SYS(312, kcmp, KNOWN),
	SYS(313, finit_module, KNOWN),
	SYS(314, sched_setattr, KNOWN),
	SYS(315, sched_getattr, KNOWN, ARGL(1, 2, 1)),
	SYS(316, renameat2, KNOWN),
	SYS(317, seccomp, KNOWN),
	SYS(318, getrandom, KNOWN, RETL(0, 1)),
	SYS(319, memfd_create, KNOWN),
	SYS(320, kexec_file_load, UNKNOWN),
	SYS(321, bpf, PARTIAL),
	SYS(322, execveat, KNOWN),
	SYS(323, userfaultfd, KNOWN),
	SYS(324, membarrier, KNOWN),
	SYS(325, mlock2, KNOWN),
	SYS(326, copy_file_range, KNOWN, FIX(1, 8), FIX(3, 8)),
	SYS(327, preadv2, KNOWN, IOV(1, 2)),
	SYS(328, pwritev2, KNOWN),
	SYS(329, pkey_mprotect, KNOWN),
	SYS(330, pkey_alloc, KNOWN),
	SYS(331, pkey_free, KNOWN),
	SYS(332, statx, KNOWN, FIX(4, 256)),
	SYS(333, io_pgetevents, KNOWN, RETL(3, 32)),
	SYS(334, rseq, KNOWN),
	SYS(424, pidfd_send_signal, KNOWN),
	SYS(425, io_uring_setup, KNOWN, FIX(1, 120)),
	SYS(426, io_uring_enter, PARTIAL),
	SYS(427, io_uring_register, PARTIAL),
	SYS(428, open_tree, KNOWN),
	SYS(429, move_mount, KNOWN),
	SYS(430, fsopen, KNOWN),
	SYS(431, fsconfig, KNOWN),
	SYS(432, fsmount, KNOWN),
	SYS(433, fspick, KNOWN),
	SYS(434, pidfd_open, KNOWN),
	SYS(435, clone3, PARTIAL),
	SYS(436, close_range, KNOWN),
	SYS(437, openat2, KNOWN),
	SYS(438, pidfd_getfd, KNOWN),
	SYS(439, faccessat2, KNOWN),
	SYS(440, process_madvise, KNOWN),
	SYS(441, epoll_pwait2, KNOWN, RETL(1, 12)),
	SYS(442, mount_setattr, KNOWN),
	SYS(443, quotactl_fd, KNOWN),
	SYS(444, landlock_create_ruleset, KNOWN),
	SYS(445, landlock_add_rule, KNOWN),
	SYS(446, landlock_restrict_self, KNOWN),
	SYS(447, memfd_secret, KNOWN),
	SYS(448, process_mrelease, KNOWN),
	SYS(449, futex_waitv, PARTIAL),
	SYS(450, set_mempolicy_home_node, KNOWN),
	SYS(451, cachestat, KNOWN, FIX(2, 32)),
	SYS(452, fchmodat2, KNOWN),
	SYS(453, map_shadow_stack, KNOWN),
	SYS(454, futex_wake, KNOWN),
	SYS(455, futex_wait, PARTIAL),
	SYS(456, futex_requeue, PARTIAL),
	SYS(457, statmount, UNKNOWN),
	SYS(458, listmount, UNKNOWN),
	SYS(459, lsm_get_self_attr, UNKNOWN),
	SYS(460, lsm_set_self_attr, UNKNOWN),
	SYS(461, lsm_list_self_attr, UNKNOWN),
	SYS(462, mseal, KNOWN),
	SYS(463, setxattrat, UNKNOWN),
	SYS(464, getxattrat, UNKNOWN),
	SYS(465, listxattrat, UNKNOWN),
	SYS(466, removexattrat, UNKNOWN),
	SYS(467, open_tree_attr, UNKNOWN),
	SYS(468, file_getattr, UNKNOWN),
	SYS(469, file_setattr, UNKNOWN),
};

/*
 * Argument types, one letter per argument (syscalls.h: SYSCALL_SIG), for
 * dump. Arguments typed 's' are the input strings the recorder captures.
 */
static const char *const sigs[REC_NR_SYSCALLS] = {
	[0] = "fpu", [1] = "fpu", [2] = "sOo", [3] = "f", [4] = "sp",
	[5] = "fp", [6] = "sp", [7] = "pud", [8] = "fld", [9] = "puPMfl",
	[10] = "puP", [11] = "pu", [12] = "p", [13] = "Sppu", [14] = "dppu",
	[15] = "", [16] = "fCp", [17] = "fpul", [18] = "fpul", [19] = "fpd",
	[20] = "fpd", [21] = "sd", [22] = "p", [23] = "dpppp", [24] = "",
	[25] = "puuxp", [26] = "pux", [27] = "pup", [28] = "pud", [29] = "xux",
	[30] = "dpx", [31] = "ddp", [32] = "f", [33] = "ff", [34] = "",
	[35] = "pp", [36] = "dp", [37] = "u", [38] = "dpp", [39] = "",
	[40] = "ffpu", [41] = "ddd", [42] = "fpu", [43] = "fpp",
	[44] = "fpuxpu", [45] = "fpuxpp", [46] = "fpx", [47] = "fpx",
	[48] = "fd", [49] = "fpu", [50] = "fd", [51] = "fpp", [52] = "fpp",
	[53] = "dddp", [54] = "fddpu", [55] = "fddpp", [56] = "xpppp",
	[57] = "", [58] = "", [59] = "spp", [60] = "d", [61] = "dpxp",
	[62] = "dS", [63] = "p", [64] = "xdx", [65] = "dpu", [66] = "dddp",
	[67] = "p", [68] = "xx", [69] = "dpux", [70] = "dpulx", [71] = "ddp",
	[72] = "fCx", [73] = "fd", [74] = "f", [75] = "f", [76] = "sl",
	[77] = "fl", [78] = "fpu", [79] = "pu", [80] = "s", [81] = "f",
	[82] = "ss", [83] = "so", [84] = "s", [85] = "so", [86] = "ss",
	[87] = "s", [88] = "ss", [89] = "spu", [90] = "so", [91] = "fo",
	[92] = "sdd", [93] = "fdd", [94] = "sdd", [95] = "o", [96] = "pp",
	[97] = "dp", [98] = "dp", [99] = "p", [100] = "p", [101] = "ddpp",
	[102] = "", [103] = "dpd", [104] = "", [105] = "d", [106] = "d",
	[107] = "", [108] = "", [109] = "dd", [110] = "", [111] = "",
	[112] = "", [113] = "dd", [114] = "dd", [115] = "dp", [116] = "dp",
	[117] = "ddd", [118] = "ppp", [119] = "ddd", [120] = "ppp",
	[121] = "d", [122] = "d", [123] = "d", [124] = "d", [125] = "pp",
	[126] = "pp", [127] = "pu", [128] = "pppu", [129] = "dSp",
	[130] = "pu", [131] = "pp", [132] = "sp", [133] = "sou", [134] = "s",
	[135] = "x", [136] = "up", [137] = "sp", [138] = "fp", [139] = "duu",
	[140] = "dd", [141] = "ddd", [142] = "dp", [143] = "dp", [144] = "ddp",
	[145] = "d", [146] = "d", [147] = "d", [148] = "dp", [149] = "pu",
	[150] = "pu", [151] = "x", [152] = "", [153] = "", [154] = "dpu",
	[155] = "ss", [156] = "p", [157] = "Cxxxx", [158] = "xp", [159] = "p",
	[160] = "dp", [161] = "s", [162] = "", [163] = "s", [164] = "pp",
	[165] = "sssxp", [166] = "sx", [167] = "sx", [168] = "s",
	[169] = "xxxp", [170] = "pu", [171] = "pu", [172] = "d", [173] = "uud",
	[175] = "pus", [176] = "sx", [179] = "xsdp", [186] = "", [187] = "flu",
	[188] = "sspux", [189] = "sspux", [190] = "fspux", [191] = "sspu",
	[192] = "sspu", [193] = "fspu", [194] = "spu", [195] = "spu",
	[196] = "fpu", [197] = "ss", [198] = "ss", [199] = "fs", [200] = "dS",
	[201] = "p", [202] = "pduppu", [203] = "dup", [204] = "dup",
	[205] = "p", [206] = "up", [207] = "x", [208] = "xllpp", [209] = "xlp",
	[210] = "xpp", [211] = "p", [212] = "xpu", [213] = "d", [216] = "puuux",
	[217] = "fpu", [218] = "p", [219] = "", [220] = "dpup", [221] = "flld",
	[222] = "dpp", [223] = "dxpp", [224] = "dp", [225] = "d", [226] = "d",
	[227] = "dp", [228] = "dp", [229] = "dp", [230] = "dxpp", [231] = "d",
	[232] = "fpdd", [233] = "fdfp", [234] = "ddS", [235] = "sp",
	[237] = "pudpux", [238] = "dpu", [239] = "ppupx", [240] = "sxop",
	[241] = "s", [242] = "fpuup", [243] = "fpupp", [244] = "fp",
	[245] = "fpp", [246] = "pupx", [247] = "ddpxp", [248] = "sspud",
	[249] = "sssd", [250] = "dxxxx", [251] = "ddd", [252] = "dd",
	[253] = "", [254] = "fsx", [255] = "fd", [256] = "dupp",
	[257] = "fsOo", [258] = "fso", [259] = "fsou", [260] = "fsddx",
	[261] = "fsp", [262] = "fspx", [263] = "fsx", [264] = "fsfs",
	[265] = "fsfsx", [266] = "sfs", [267] = "fspu", [268] = "fso",
	[269] = "fsd", [270] = "dppppp", [271] = "puppu", [272] = "x",
	[273] = "pu", [274] = "dpp", [275] = "fpfpux", [276] = "ffux",
	[277] = "fllx", [278] = "fpux", [279] = "dupppx", [280] = "fspx",
	[281] = "fpddpu", [282] = "fpu", [283] = "dx", [284] = "u",
	[285] = "fxll", [286] = "fxpp", [287] = "fp", [288] = "fppx",
	[289] = "fpux", [290] = "ux", [291] = "x", [292] = "ffx", [293] = "px",
	[294] = "x", [295] = "fpdlu", [296] = "fpdlu", [297] = "ddSp",
	[298] = "pddfx", [299] = "fpuxp", [300] = "xx", [301] = "fxxfs",
	[302] = "ddpp", [303] = "fsppx", [304] = "fpO", [305] = "dp",
	[306] = "f", [307] = "fpux", [308] = "fx", [309] = "ppp",
	[310] = "dpupux", [311] = "dpupux", [312] = "ddduu", [313] = "fsx",
	[314] = "dpx", [315] = "dpux", [316] = "fsfsx", [317] = "xxp",
	[318] = "pux", [319] = "sx", [320] = "ffupx", [321] = "dpu",
	[322] = "fsppx", [323] = "x", [324] = "xxd", [325] = "pux",
	[326] = "fpfpux", [327] = "fpdlux", [328] = "fpdlux", [329] = "puPd",
	[330] = "xx", [331] = "d", [332] = "fsxxp", [333] = "xllppp",
	[334] = "pudx", [424] = "fSpx", [425] = "up", [426] = "fuuxpu",
	[427] = "fupu", [428] = "fsx", [429] = "fsfsx", [430] = "sx",
	[431] = "fuspd", [432] = "fxx", [433] = "fsx", [434] = "dx",
	[435] = "pu", [436] = "uux", [437] = "fspu", [438] = "ffx",
	[439] = "fsdx", [440] = "fpudx", [441] = "fpdppu", [442] = "fsxpu",
	[443] = "fudp", [444] = "pux", [445] = "fdpx", [446] = "fx",
	[447] = "x", [448] = "fx", [449] = "pdxpd", [450] = "puux",
	[451] = "fppx", [452] = "fsox", [453] = "pux", [454] = "pxdx",
	[455] = "puxxpd", [456] = "pxdd", [457] = "ppux", [458] = "ppux",
	[459] = "dppx", [460] = "dpux", [461] = "ppx", [462] = "pux",
	[463] = "fsxspu", [464] = "fsxspu", [465] = "fsxpu", [466] = "fsxs",
	[467] = "fsxpu", [468] = "fspux", [469] = "fspux",
};

/*
 * Commands of CMD() syscalls: what each writes. Any other command of
 * ioctl, fcntl or prctl is recorded with REC_SF_OUT_UNKNOWN.
 */
#define C_FIX(nr, c, a, s)	{ nr, c, #c, FIX(a, s) }
#define C_NONE(nr, c)		{ nr, c, #c, { REC_OUT_NONE, 0, 0, 0, 0 } }

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
	{ 16, SIOCGIFCONF, "SIOCGIFCONF", { REC_OUT_IFCONF, 2, 0, 0, 0 } },
	C_FIX(16, SIOCGIFNAME, 2, 40),	/* struct ifreq */
	C_FIX(16, SIOCGIFFLAGS, 2, 40),
	C_FIX(16, SIOCGIFADDR, 2, 40),
	C_FIX(16, SIOCGIFBRDADDR, 2, 40),
	C_FIX(16, SIOCGIFNETMASK, 2, 40),
	C_FIX(16, SIOCGIFMTU, 2, 40),
	C_FIX(16, SIOCGIFHWADDR, 2, 40),
	C_FIX(16, SIOCGIFINDEX, 2, 40),

	/* fcntl: the output (if any) is args[2] */
	C_FIX(72, F_GETLK, 2, 32),		/* struct flock */
	C_FIX(72, F_OFD_GETLK, 2, 32),
	C_FIX(72, F_GETOWN_EX, 2, 8),		/* struct f_owner_ex */
	C_FIX(72, F_GET_RW_HINT, 2, 8),	/* u64 */
	C_FIX(72, F_GET_FILE_RW_HINT, 2, 8),
	C_NONE(72, F_DUPFD), C_NONE(72, F_GETFD), C_NONE(72, F_SETFD),
	C_NONE(72, F_GETFL), C_NONE(72, F_SETFL), C_NONE(72, F_SETLK),
	C_NONE(72, F_SETLKW), C_NONE(72, F_SETOWN), C_NONE(72, F_GETOWN),
	C_NONE(72, F_SETSIG), C_NONE(72, F_GETSIG), C_NONE(72, F_SETOWN_EX),
	C_NONE(72, F_OFD_SETLK), C_NONE(72, F_OFD_SETLKW),
	C_NONE(72, F_SETLEASE), C_NONE(72, F_GETLEASE), C_NONE(72, F_NOTIFY),
	C_NONE(72, F_DUPFD_QUERY), C_NONE(72, F_DUPFD_CLOEXEC),
	C_NONE(72, F_SETPIPE_SZ), C_NONE(72, F_GETPIPE_SZ),
	C_NONE(72, F_ADD_SEALS), C_NONE(72, F_GET_SEALS),
	C_NONE(72, F_SET_RW_HINT), C_NONE(72, F_SET_FILE_RW_HINT),
	C_NONE(72, F_CREATED_QUERY),

	/* prctl: the output (if any) is arg2, args[1] */
	C_FIX(157, PR_GET_PDEATHSIG, 1, 4),	/* int */
	C_FIX(157, PR_GET_UNALIGN, 1, 4),
	C_FIX(157, PR_GET_FPEMU, 1, 4),
	C_FIX(157, PR_GET_FPEXC, 1, 4),
	C_FIX(157, PR_GET_NAME, 1, 16),	/* TASK_COMM_LEN */
	C_FIX(157, PR_GET_ENDIAN, 1, 4),
	C_FIX(157, PR_GET_TSC, 1, 4),
	C_FIX(157, PR_GET_CHILD_SUBREAPER, 1, 4),
	C_FIX(157, PR_GET_TID_ADDRESS, 1, 8),	/* int __user * */
	C_NONE(157, PR_SET_PDEATHSIG), C_NONE(157, PR_GET_DUMPABLE),
	C_NONE(157, PR_SET_DUMPABLE), C_NONE(157, PR_SET_UNALIGN),
	C_NONE(157, PR_GET_KEEPCAPS), C_NONE(157, PR_SET_KEEPCAPS),
	C_NONE(157, PR_SET_FPEMU), C_NONE(157, PR_SET_FPEXC),
	C_NONE(157, PR_GET_TIMING), C_NONE(157, PR_SET_TIMING),
	C_NONE(157, PR_SET_NAME), C_NONE(157, PR_SET_ENDIAN),
	C_NONE(157, PR_GET_SECCOMP), C_NONE(157, PR_SET_SECCOMP),
	C_NONE(157, PR_CAPBSET_READ), C_NONE(157, PR_CAPBSET_DROP),
	C_NONE(157, PR_SET_TSC), C_NONE(157, PR_GET_SECUREBITS),
	C_NONE(157, PR_SET_SECUREBITS), C_NONE(157, PR_SET_TIMERSLACK),
	C_NONE(157, PR_GET_TIMERSLACK), C_NONE(157, PR_TASK_PERF_EVENTS_DISABLE),
	C_NONE(157, PR_TASK_PERF_EVENTS_ENABLE), C_NONE(157, PR_MCE_KILL),
	C_NONE(157, PR_MCE_KILL_GET), C_NONE(157, PR_SET_CHILD_SUBREAPER),
	C_NONE(157, PR_SET_NO_NEW_PRIVS), C_NONE(157, PR_GET_NO_NEW_PRIVS),
	C_NONE(157, PR_SET_THP_DISABLE), C_NONE(157, PR_GET_THP_DISABLE),
	C_NONE(157, PR_SET_FP_MODE), C_NONE(157, PR_GET_FP_MODE),
	C_NONE(157, PR_CAP_AMBIENT), C_NONE(157, PR_GET_SPECULATION_CTRL),
	C_NONE(157, PR_SET_SPECULATION_CTRL), C_NONE(157, PR_SET_TAGGED_ADDR_CTRL),
	C_NONE(157, PR_GET_TAGGED_ADDR_CTRL), C_NONE(157, PR_SET_IO_FLUSHER),
	C_NONE(157, PR_GET_IO_FLUSHER), C_NONE(157, PR_SET_SYSCALL_USER_DISPATCH),
	C_NONE(157, PR_SET_MDWE), C_NONE(157, PR_GET_MDWE),
	C_NONE(157, PR_SET_MEMORY_MERGE), C_NONE(157, PR_GET_MEMORY_MERGE),
	C_NONE(157, PR_SET_VMA), C_NONE(157, PR_SET_PTRACER),
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

const struct syscall_info *syscall_get(unsigned int nr)
{
	count_outs();
	return nr < REC_NR_SYSCALLS ? &table[nr] : NULL;
}

const char *syscall_sig(unsigned int nr)
{
	return nr < REC_NR_SYSCALLS && table[nr].name ? sigs[nr] : NULL;
}

uint32_t syscall_strargs(unsigned int nr)
{
	const char *sig = syscall_sig(nr);
	uint32_t m = 0;
	int i;

	for (i = 0; sig && sig[i] && i < 6; i++)
		if (sig[i] == 's')
			m |= 1U << i;
	return m;
}

const char *syscall_name(unsigned int nr)
{
	return nr < REC_NR_SYSCALLS ? table[nr].name : NULL;
}

int syscall_nr(const char *name)
{
	unsigned int i;

	for (i = 0; i < REC_NR_SYSCALLS; i++)
		if (table[i].name && !strcmp(table[i].name, name))
			return i;
	return -ENOENT;
}

const struct cmd_info *cmd_get(unsigned int nr, uint32_t cmd)
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
