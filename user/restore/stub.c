// SPDX-License-Identifier: GPL-2.0
/*
 * The stub: the process the restore turns into the image's. It is a child
 * of ttrec's (of the namespace's init with --pidns), created with the
 * image's pid (clone3 with set_tid, pids.c), that resets its signal
 * actions and waits in pause(). ttrec seizes it (PTRACE_SEIZE with
 * PTRACE_O_EXITKILL: it dies if ttrec does) and interrupts it; from then
 * on it runs only the system calls injected into it.
 *
 * Being a fork of ttrec, it has ttrec's memory: its libc's syscall
 * instruction is where it is in ttrec, which makes the first injected call
 * possible. That call maps the injection page at an address no VMA of the
 * image uses (a syscall instruction, then the scratch area for arguments);
 * every later call runs from there. Then the stub drops what ttrec left
 * it: its descriptors but stdin, stdout and stderr, the rseq registration
 * of ttrec's main thread (kept across fork(): the kernel would go on
 * writing the CPU number to that address, in the image's memory), and
 * every mapping but the injection page, the vDSO included.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "restore/internal.h"
#include "lib/log.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP	128
#endif
#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION	0x420f
#endif
/* struct ptrace_rseq_configuration of linux/ptrace.h (which clashes with sys/ptrace.h) */
struct rseq_config {
	uint64_t rseq_abi_pointer;
	uint32_t rseq_abi_size;
	uint32_t signature;
	uint32_t flags;
	uint32_t pad;
};
#define RSEQ_FLAG_UNREGISTER	1

#define INJECT_LEN	(64 * 1024)	/* the injection page and the scratch area */
#define INJECT_TRY	0x3f0000000000ULL	/* where to look for room, downwards */

void rst_stub_child(int report)
{
	/* the kernel's struct sigaction: glibc's refuses its own signals 32, 33 */
	struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } dfl = {
		.handler = SIG_DFL,
	};
	sigset_t none;

	for (int s = 1; s < 65; s++)
		syscall(SYS_rt_sigaction, s, &dfl, NULL, sizeof(dfl.mask));
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (report >= 0) {
		char b[32];
		ssize_t n = readlink("/proc/self", b, sizeof(b) - 1);
		int pid = -EIO;

		if (n > 0) {
			b[n] = 0;
			pid = atoi(b);
		}
		if (write(report, &pid, sizeof(pid)) != sizeof(pid))
			_exit(127);
		close(report);
	}
	for (;;)
		pause();
}

/* A syscall instruction in ttrec's libc: in the stub, a fork, at the same place. */
static uint64_t libc_syscall_insn(void)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)&syscall;

	for (int i = 0; i < 64; i++)
		if (p[i] == 0x0f && p[i + 1] == 0x05)
			return (uintptr_t)(p + i);
	return 0;
}

static int create(struct rst *r)
{
	struct clone_args ca = { .exit_signal = SIGCHLD };
	int32_t set_tid[1];
	pid_t pid;
	int err;

	if (r->o->pidns)
		return rst_pidns_start(r);
	ca.set_tid_size = rst_set_tid(r, r->pid, set_tid);
	ca.set_tid = (uintptr_t)set_tid;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		rst_stub_child(-1);
	if (pid > 0) {
		r->hpid = pid;
		return 0;
	}
	err = -errno;
	if (err == -EEXIST)
		pr_err("restore: pid %d was taken meanwhile; restore into a new pid namespace with --pidns\n",
		       r->pid);
	else if (err == -EPERM)
		pr_err("restore: no permission to create a process with pid %d (needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN)\n",
		       r->pid);
	else
		pr_err("restore: cannot create a process with pid %d: %s\n", r->pid, strerror(-err));
	return err;
}

static int seize(struct rst *r)
{
	struct rthread *t = r->leader;
	char path[64];
	int st, err;

	if (ptrace(PTRACE_SEIZE, r->hpid, 0,
		   PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL) ||
	    ptrace(PTRACE_INTERRUPT, r->hpid, 0, 0)) {
		err = -errno;
		pr_err("restore: cannot trace the new process %d: %s\n", r->hpid, strerror(-err));
		return err;
	}
	t->htid = r->hpid;
	for (;;) {
		err = rst_wait(r, t, &st);
		if (err)
			return err;
		if ((unsigned int)st >> 16 == PTRACE_EVENT_STOP)
			break;
		ptrace(PTRACE_CONT, t->htid, 0, 0);	/* a signal: not now */
	}
	t->at = RT_EVSTOP;
	if (ptrace(PTRACE_GETREGS, t->htid, 0, &t->cur))
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/mem", r->hpid);
	r->memfd = open(path, O_RDWR | O_CLOEXEC);
	if (r->memfd < 0) {
		err = -errno;
		pr_err("restore: cannot open %s: %s\n", path, strerror(-err));
		return err;
	}
	return 0;
}

int rst_stub_start(struct rst *r)
{
	int err = create(r);

	if (!err)
		err = seize(r);
	return err;
}

static bool image_uses(const struct rst *r, uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < r->im->nr_vmas; i++)
		if (r->im->vmas[i].start < end && start < r->im->vmas[i].end)
			return true;
	return false;
}

/* Map the injection page where the image has nothing and the stub neither. */
static int map_inject(struct rst *r)
{
	static const uint8_t code[] = { 0x0f, 0x05, 0xcc };	/* syscall; int3 */
	uint8_t check[2];
	uint64_t insn = libc_syscall_insn(), at;
	int64_t ret = -ENOMEM;

	if (!insn || rst_peek(r, insn, check, 2) || check[0] != 0x0f || check[1] != 0x05) {
		pr_err("restore: no syscall instruction found in the new process\n");
		return -ENOEXEC;
	}
	r->gadget = insn;
	for (at = INJECT_TRY; at > (1ULL << 32); at -= 1ULL << 30) {
		if (image_uses(r, at, at + INJECT_LEN))
			continue;
		ret = rst_syscall(r, r->leader, SYS_mmap, at, INJECT_LEN,
				  PROT_READ | PROT_WRITE | PROT_EXEC,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (ret == (int64_t)at)
			break;
		if (ret >= 0)	/* a kernel without MAP_FIXED_NOREPLACE: a hint */
			rst_syscall(r, r->leader, SYS_munmap, ret, INJECT_LEN, 0, 0, 0, 0);
	}
	if (ret != (int64_t)at) {
		pr_err("restore: no room for the injection page in the new process\n");
		return -ENOMEM;
	}
	r->gadget = at;
	r->inject_len = INJECT_LEN;
	r->scratch = at + IMG_PAGE_SIZE;
	r->scratch_len = INJECT_LEN - IMG_PAGE_SIZE;
	return rst_poke(r, at, code, sizeof(code));
}

/* Unregister the rseq area the stub inherited from ttrec's main thread. */
static int drop_rseq(struct rst *r)
{
	struct rseq_config rc = { 0 };
	int64_t ret;

	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, r->hpid, sizeof(rc), &rc) <= 0 ||
	    !rc.rseq_abi_pointer)
		return 0;	/* none, or a kernel without the request */
	ret = rst_syscall_ok(r, r->leader, "unregistering the stub's rseq area", SYS_rseq,
			     rc.rseq_abi_pointer, rc.rseq_abi_size, RSEQ_FLAG_UNREGISTER,
			     rc.signature, 0, 0);
	return ret < 0 ? (int)ret : 0;
}

/* munmap() everything the stub has but the injection page. */
static int unmap_stub(struct rst *r)
{
	uint64_t lo = UINT64_MAX, hi = 0, end = r->gadget + INJECT_LEN;
	unsigned long long s, e;
	char path[64], line[512];
	int64_t ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", r->hpid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx", &s, &e) != 2 || s >= (1ULL << 63))
			continue;	/* [vsyscall] is not a mapping of the mm */
		if (s < lo)
			lo = s;
		if (e > hi)
			hi = e;
	}
	fclose(f);
	if (lo < r->gadget)
		ret = rst_syscall_ok(r, r->leader, "unmapping the stub's memory", SYS_munmap,
				     lo, r->gadget - lo, 0, 0, 0, 0);
	if (ret >= 0 && hi > end)
		ret = rst_syscall_ok(r, r->leader, "unmapping the stub's memory", SYS_munmap,
				     end, hi - end, 0, 0, 0, 0);
	return ret < 0 ? (int)ret : 0;
}

int rst_stub_clear(struct rst *r)
{
	int64_t ret;
	int err;

	err = map_inject(r);
	if (err)
		return err;
	ret = rst_syscall_ok(r, r->leader, "closing the stub's descriptors", SYS_close_range,
			     3, ~0U, 0, 0, 0, 0);
	if (ret < 0)
		return (int)ret;
	err = drop_rseq(r);
	if (!err)
		err = unmap_stub(r);
	return err;
}
