/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's restart codes (include/linux/errno.h, not in the uapi): what
 * a syscall interrupted by a signal returns to the signal code, seen by a
 * tracer or the recorder before the kernel restarts the call or turns the
 * code into -EINTR.
 */
#ifndef TTREC_SYSCALLS_RESTART_H
#define TTREC_SYSCALLS_RESTART_H

#define ERESTARTSYS		512	/* restarted if SA_RESTART is set */
#define ERESTARTNOINTR		513	/* always restarted */
#define ERESTARTNOHAND		514	/* restarted if no handler ran */
#define ERESTART_RESTARTBLOCK	516	/* restarted by restart_syscall */

#endif
