/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ttrec attach`: the vDSO's time functions of a running process made into
 * syscalls for the recording, and put back at its end (attach_vdso.c).
 */
#ifndef TTREC_RECORD_ATTACH_VDSO_H
#define TTREC_RECORD_ATTACH_VDSO_H

#include <sys/types.h>

/*
 * With every thread of @tgid stopped under ptrace and none inside the vDSO,
 * turn its time functions into syscalls (launch/vdso.c). Returns the
 * functions patched or -errno: -ESRCH gone, -EPERM not ours to trace (or
 * traced already), -ESTALE another vDSO image than ours, -EBUSY a thread
 * that would not leave the vDSO.
 */
int attach_vdso_patch(pid_t tgid);
/*
 * The same, putting the kernel's bytes back; a process whose vDSO holds no
 * stub (it exec'd since) is not stopped. Returns the functions put back or
 * -errno.
 */
int attach_vdso_unpatch(pid_t tgid);

#endif
