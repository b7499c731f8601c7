// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials, the last step of a restore: once a thread is another user,
 * nothing privileged can be injected into it any more. Credentials are
 * per thread in the kernel (glibc's setuid() makes every thread call it),
 * so each thread makes the calls itself:
 *
 *   1. prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP): the capabilities
 *      stay while the uids change, for the steps below;
 *   2. setgroups(), setresgid(), setresuid(), then setfsgid() and
 *      setfsuid() where the image's differ from the effective ids;
 *   3. prctl(PR_CAPBSET_DROP) for each capability the image's bounding set
 *      lacks (needs CAP_SETPCAP, still held);
 *   4. capset() with the image's inheritable set, the permitted and
 *      effective sets kept; PR_CAP_AMBIENT_RAISE for each ambient one
 *      (it must be permitted and inheritable);
 *   5. prctl(PR_SET_SECUREBITS) with the image's securebits (CAP_SETPCAP);
 *   6. capset() with the image's sets.
 *
 * Capabilities this kernel does not know (above cap_last_cap) are left
 * out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/securebits.h>

#include "restore/internal.h"
#include "lib/log.h"

static uint64_t known_caps(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

struct creds_ctx {
	struct rst *r;
	struct rthread *t;
	int err;
};

/* One call of the sequence; a failure is said once and ends it. */
static int64_t call(struct creds_ctx *c, const char *what, long nr, uint64_t a0, uint64_t a1,
		    uint64_t a2, uint64_t a3)
{
	int64_t ret;

	if (c->err)
		return c->err;
	ret = rst_syscall(c->r, c->t, nr, a0, a1, a2, a3, 0, 0);
	if (ret < 0 && ret > -4096) {
		pr_err("restore: the credentials of thread %d: %s: %s\n", c->t->tid, what,
		       strerror((int)-ret));
		c->err = ret == -ESRCH ? -ESRCH : -EIO;
	}
	return ret;
}

static void capset_in(struct creds_ctx *c, const char *what, uint64_t eff, uint64_t prm,
		      uint64_t inh)
{
	struct {
		struct __user_cap_header_struct h;
		struct __user_cap_data_struct d[2];
	} a = {
		.h = { .version = _LINUX_CAPABILITY_VERSION_3 },
		.d = { { (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		       { (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) } },
	};
	uint64_t at;

	if (c->err)
		return;
	c->err = rst_scratch(c->r, 0, &a, sizeof(a), &at);
	if (!c->err)
		call(c, what, SYS_capset, at, at + sizeof(a.h), 0, 0);
}

/* Our own permitted and effective sets, to keep them while step 4 runs. */
static void own_caps(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	syscall(SYS_capget, &h, d);
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
}

static int thread_creds(struct rst *r, struct rthread *t, uint64_t known)
{
	const struct img_proc_state *ps = r->ps;
	const struct ttrec_snap_proc *p = &ps->p;
	struct creds_ctx c = { .r = r, .t = t };
	uint64_t at = 0, eff, prm;

	if (ps->nr_groups)
		c.err = rst_scratch(r, 0, ps->groups, ps->nr_groups * sizeof(uint32_t), &at);
	call(&c, "prctl(PR_SET_SECUREBITS)", SYS_prctl, PR_SET_SECUREBITS,
	     SECBIT_NO_SETUID_FIXUP, 0, 0);
	call(&c, "setgroups", SYS_setgroups, ps->nr_groups, at, 0, 0);
	call(&c, "setresgid", SYS_setresgid, p->gid, p->egid, p->sgid, 0);
	call(&c, "setresuid", SYS_setresuid, p->uid, p->euid, p->suid, 0);
	if (p->fsgid != p->egid)
		call(&c, "setfsgid", SYS_setfsgid, p->fsgid, 0, 0, 0);
	if (p->fsuid != p->euid)
		call(&c, "setfsuid", SYS_setfsuid, p->fsuid, 0, 0, 0);
	for (int cap = 0; cap < 64; cap++)
		if ((known & (1ULL << cap)) && !(p->cap_bset & (1ULL << cap)))
			call(&c, "prctl(PR_CAPBSET_DROP)", SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0);
	own_caps(&eff, &prm);
	capset_in(&c, "capset (inheritable)", eff, prm, p->cap_inheritable & known);
	for (int cap = 0; cap < 64; cap++)
		if ((known & p->cap_ambient & (1ULL << cap)))
			call(&c, "prctl(PR_CAP_AMBIENT_RAISE)", SYS_prctl, PR_CAP_AMBIENT,
			     PR_CAP_AMBIENT_RAISE, cap, 0);
	call(&c, "prctl(PR_SET_SECUREBITS)", SYS_prctl, PR_SET_SECUREBITS, p->securebits, 0, 0);
	capset_in(&c, "capset", p->cap_effective & known, p->cap_permitted & known,
		  p->cap_inheritable & known);
	return c.err;
}

int rst_creds(struct rst *r)
{
	const struct img_proc_state *ps = r->ps;
	uint64_t known = known_caps();
	int err = 0;

	if (!ps)
		return 0;
	for (uint32_t i = 0; !err && i < r->nthr; i++)
		err = thread_creds(r, &r->thr[i], known);
	if (!err)
		rst_note(r, "credentials: uid %u/%u/%u, gid %u/%u/%u, %u supplementary groups, capabilities %#llx, securebits %#x, in %u threads\n",
			 ps->p.uid, ps->p.euid, ps->p.suid, ps->p.gid, ps->p.egid, ps->p.sgid,
			 ps->nr_groups, (unsigned long long)ps->p.cap_effective,
			 ps->p.securebits, r->nthr);
	return err;
}
