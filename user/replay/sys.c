// SPDX-License-Identifier: GPL-2.0
/*
 * How `ttrec replay` treats each x86_64 syscall (Documentation/replay.rst):
 * most are emulated (not executed; the recorded return value and output
 * bytes are put in place), the ones that shape the process run for real
 * with their recorded result asserted, and the ones that create file
 * descriptors make a real descriptor with the recorded number, so that
 * the descriptor table stays the one of the recording.
 */
#include <fcntl.h>
#include <sys/syscall.h>

#include "replay/replay.h"

/* generated from Linux 6.1 include/linux/syscalls.h + syscall_64.tbl
 * (_sysctl: its last prototype, before 5.5);
 * 7: no such syscall (only the number is compared) */
static const char sys_nargs[] =
	"3331222336321440344332150533333312022130433366332323345550031421"
	"3341245332112232112212212322333122211403011002000222233331111222"
	"4322231122232322311122210032152121012522142213732774777777035554"
	"4433322221333121533131775310443421122241443276354155234554532032"
	"4434534345343365123644464632144244213215545525453214236653345332"
	"5351336664215647777777777777777777777777777777777777777777777777"
	"7777777777777777777777777777777777777777426435253322343456543421"
	"2544434644444336654555777777777777777777777777777777777777777777";

unsigned int replay_sys_nargs(unsigned int nr)
{
	unsigned int n;

	if (nr >= sizeof(sys_nargs) - 1)
		return 0;
	n = sys_nargs[nr] - '0';
	return n > 6 ? 0 : n;
}

enum rp_kind replay_sys_kind(const __u64 *args, unsigned int nr)
{
	switch (nr) {
	case SYS_brk: case SYS_mmap: case SYS_munmap: case SYS_mprotect:
	case SYS_mremap: case SYS_madvise: case SYS_arch_prctl:
	case SYS_set_tid_address: case SYS_set_robust_list: case SYS_rseq:
	case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_sigaltstack:
	case SYS_rt_sigreturn: case SYS_pkey_mprotect:
		return nr == SYS_mmap ? RP_MMAP : RP_REAL;
	case SYS_exit: case SYS_exit_group:
		return RP_EXIT;
	case SYS_clone: case SYS_clone3: case SYS_fork: case SYS_vfork:
		return RP_CLONE;
	case SYS_execve: case SYS_execveat:
		return RP_EXEC;
	case SYS_close: case SYS_close_range: case SYS_dup: case SYS_dup2: case SYS_dup3:
		return RP_FDREAL;
	case SYS_fcntl:
		return args[1] == F_DUPFD || args[1] == F_DUPFD_CLOEXEC ||
		       args[1] == F_SETFD ? RP_FDREAL : RP_EMU;
	case SYS_open: case SYS_openat: case SYS_creat:
		return RP_OPEN;
	case SYS_pipe: case SYS_pipe2:
		return RP_PIPE;
	case SYS_socketpair:
		return RP_SOCKETPAIR;
	case SYS_prctl:
		/*
		 * They touch only the process: run for real (journals from
		 * before prctl's outputs were recorded lack them)
		 */
		switch (args[0]) {
		case 2:		/* PR_GET_PDEATHSIG */
		case 15:	/* PR_SET_NAME */
		case 16:	/* PR_GET_NAME */
		case 37:	/* PR_GET_CHILD_SUBREAPER */
		case 40:	/* PR_GET_TID_ADDRESS */
			return RP_REAL;
		}
		return RP_EMU;
	case SYS_signalfd: case SYS_signalfd4:
		return (int)args[0] == -1 ? RP_NEWFD : RP_EMU;
	case SYS_socket: case SYS_accept: case SYS_accept4: case SYS_eventfd:
	case SYS_eventfd2: case SYS_epoll_create: case SYS_epoll_create1:
	case SYS_timerfd_create: case SYS_inotify_init: case SYS_inotify_init1:
	case SYS_fanotify_init: case SYS_userfaultfd: case SYS_perf_event_open:
	case SYS_pidfd_open: case SYS_pidfd_getfd: case SYS_memfd_create:
	case SYS_memfd_secret: case SYS_mq_open: case SYS_open_tree: case SYS_fsopen:
	case SYS_fsmount: case SYS_fspick: case SYS_io_uring_setup:
	case SYS_open_by_handle_at: case SYS_openat2: case SYS_landlock_create_ruleset:
		return RP_NEWFD;
	}
	return RP_EMU;
}

bool replay_sys_cloexec(unsigned int nr, const __u64 *args)
{
	switch (nr) {
	case SYS_open: return args[1] & O_CLOEXEC;
	case SYS_openat: return args[2] & O_CLOEXEC;
	case SYS_socket: return args[1] & O_CLOEXEC;		/* SOCK_CLOEXEC */
	case SYS_accept4: return args[3] & O_CLOEXEC;
	case SYS_eventfd2: return args[1] & O_CLOEXEC;		/* EFD_CLOEXEC */
	case SYS_epoll_create1: return args[0] & O_CLOEXEC;
	case SYS_timerfd_create: return args[1] & O_CLOEXEC;
	case SYS_signalfd4: return args[3] & O_CLOEXEC;
	case SYS_inotify_init1: return args[0] & O_CLOEXEC;
	case SYS_fanotify_init: return args[0] & 1;		/* FAN_CLOEXEC */
	case SYS_userfaultfd: return args[0] & O_CLOEXEC;
	case SYS_perf_event_open: return args[4] & 8;		/* PERF_FLAG_FD_CLOEXEC */
	case SYS_memfd_create: return args[1] & 1;		/* MFD_CLOEXEC */
	case SYS_pidfd_open: case SYS_pidfd_getfd: case SYS_memfd_secret:
	case SYS_io_uring_setup: case SYS_landlock_create_ruleset:
		return true;
	case SYS_socketpair: return args[1] & O_CLOEXEC;
	case SYS_mq_open: return args[1] & O_CLOEXEC;
	case SYS_open_by_handle_at: return args[2] & O_CLOEXEC;
	}
	return false;
}
