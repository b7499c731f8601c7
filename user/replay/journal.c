// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the journal: its events one by one (a syscall comes whole, with
 * its outputs: the bytes the kernel wrote into the program's memory), and
 * the outputs written into the replayed program's memory where the
 * recorder found them: in an argument's buffer, an iovec, a msghdr,
 * recvmmsg's messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "format/records.h"
#include "replay/internal.h"

int rp_next_event(struct rp *rp, struct rec_event *ev)
{
	int ret = rec_reader_next(&rp->rr, ev);

	if (ret < 0)
		rp_fail(rp, "reading the journal: %s\n", strerror(-ret));
	return ret;
}

/* recvmsg: the struct msghdr its args[1] points to. */
static int load_msg(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	uint8_t b[REC_MSGHDR_BYTES];

	if (rp->msg_loaded)
		return 0;
	if (rp_mem_read(t->p, rs->args[1], b, sizeof(b)))
		return -EFAULT;
	rec_msg_decode(b, false, &rp->msg);
	rp->msg_loaded = true;
	return 0;
}

static int load_iov(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	uint64_t addr, cnt;

	if (rp->iov_loaded)
		return 0;
	if (rs->nr == SYS_recvmsg) {
		if (load_msg(rp, t, rs))
			return -EFAULT;
		addr = rp->msg.iov;
		cnt = rp->msg.iovlen;
	} else {
		addr = rs->args[1];
		cnt = rs->args[2];
	}
	if (cnt > 1024)
		return -EINVAL;
	if (cnt > rp->iov_cap) {
		struct iovec *v = realloc(rp->iov, cnt * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rp->iov = v;
		rp->iov_cap = cnt;
	}
	if (rp_mem_read(t->p, addr, rp->iov, cnt * sizeof(*rp->iov)))
		return -EFAULT;
	rp->niov = cnt;
	rp->iov_loaded = true;
	return 0;
}

/*
 * recvmmsg's message payloads (REC_REGION_MMSG_*): the parts of the ret
 * messages one after the other, located through the mmsghdr array (region
 * 1, already written back). Scatter @len bytes at region offset @off.
 */
static int write_mmsg(struct rthread *t, const struct rec_sys *rs, unsigned int region,
		      uint64_t off, const uint8_t *data, size_t len)
{
	uint64_t i, n = rs->ret > 0 ? (uint64_t)rs->ret : 0;

	for (i = 0; i < n && len; i++) {
		uint64_t seg[64][2], nseg = 0, k, left;
		uint8_t b[REC_MMSGHDR_BYTES];
		struct rec_msg m;

		if (rp_mem_read(t->p, rs->args[1] + i * REC_MMSGHDR_BYTES, b, sizeof(b)))
			return -EFAULT;
		rec_msg_decode(b, true, &m);
		if (region == REC_REGION_MMSG_NAME) {
			uint64_t l = m.namelen < REC_MMSG_NAME_MAX ? m.namelen : REC_MMSG_NAME_MAX;

			if (m.name && l)
				seg[nseg][0] = m.name, seg[nseg++][1] = l;
		} else if (region == REC_REGION_MMSG_CTL) {
			if (m.control && m.controllen)
				seg[nseg][0] = m.control, seg[nseg++][1] = m.controllen;
		} else {
			struct iovec v[64];
			uint64_t cnt = m.iovlen < 64 ? m.iovlen : 64;

			left = m.len;
			if (cnt && rp_mem_read(t->p, m.iov, v, cnt * sizeof(v[0])))
				return -EFAULT;
			for (k = 0; k < cnt && left; k++) {
				uint64_t l = v[k].iov_len < left ? v[k].iov_len : left;

				seg[nseg][0] = (uint64_t)v[k].iov_base;
				seg[nseg++][1] = l;
				left -= l;
			}
		}
		for (k = 0; k < nseg && len; k++) {
			uint64_t l = seg[k][1], w;

			if (off >= l) {
				off -= l;
				continue;
			}
			w = l - off < len ? l - off : len;
			if (rp_mem_write(t->p, seg[k][0] + off, data, w))
				return -EFAULT;
			data += w;
			len -= w;
			off = 0;
		}
	}
	return len ? -EFAULT : 0;
}

/* Write one recorded output into the replayed program's memory. */
static int write_out(struct rp *rp, struct rthread *t, const struct rec_sys *rs,
		     const struct rec_outdata *o)
{
	const uint8_t *data = o->data;
	uint64_t addr, off = o->off;
	size_t i, len = o->len;

	if (o->fault)		/* the recorder could not read it back */
		return 0;
	switch (o->region) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		return rp_mem_write(t->p, rs->args[o->region] + off, data, len);
	case REC_REGION_IOV:
		if (load_iov(rp, t, rs))
			return -EFAULT;
		for (i = 0; i < rp->niov && len; i++) {
			size_t l = rp->iov[i].iov_len, n;

			if (off >= l) {
				off -= l;
				continue;
			}
			n = l - off < len ? l - off : len;
			if (rp_mem_write(t->p, (uint64_t)rp->iov[i].iov_base + off, data, n))
				return -EFAULT;
			data += n;
			len -= n;
			off = 0;
		}
		return len ? -EFAULT : 0;
	case REC_REGION_MSGNAME:
	case REC_REGION_MSGCTL:
		if (load_msg(rp, t, rs))
			return -EFAULT;
		addr = o->region == REC_REGION_MSGNAME ? rp->msg.name : rp->msg.control;
		return rp_mem_write(t->p, addr + off, data, len);
	case REC_REGION_MMSG_IOV:
	case REC_REGION_MMSG_NAME:
	case REC_REGION_MMSG_CTL:
		return write_mmsg(t, rs, o->region, off, data, len);
	case REC_REGION_PTR: {
		int a = syscall_ptr_arg(rs->nr, rs->args);

		/* the struct (an iovec) was written back first: its pointer */
		if (a < 0 || a > 5 || rp_mem_read(t->p, rs->args[a], &addr, sizeof(addr)))
			return -EFAULT;
		return rp_mem_write(t->p, addr + off, data, len);
	}
	case REC_REGION_IFCBUF: {
		uint8_t ifc[REC_IFCONF_BYTES];

		if (rp_mem_read(t->p, rs->args[2], ifc, sizeof(ifc)))
			return -EFAULT;
		return rp_mem_write(t->p, rec_ifconf_buf(ifc) + off, data, len);
	}
	}
	return -EINVAL;
}

/*
 * The outputs of @rs (the syscall being replayed): with @apply write them
 * into @t's memory. 0, or -EBADMSG when some are missing.
 */
int rp_do_outs(struct rp *rp, struct rthread *t, const struct rec_sys *rs, bool apply)
{
	const struct rec_event *ev = rp->ev;
	unsigned int k;

	if (ev->nout < rs->nout) {
		rp_fail(rp, "malformed journal: a syscall's outputs are missing\n");
		return -EBADMSG;
	}
	rp->iov_loaded = rp->msg_loaded = false;
	for (k = 0; apply && k < ev->nout; k++) {
		const struct rec_outdata *o = &ev->out[k];

		rp_note_stat(t, rs, o);
		if (write_out(rp, t, rs, o)) {
			char call[512];

			rp_fmt_call(call, sizeof(call), rs->nr, rs->args, replay_sys_nargs(rs->nr));
			rp_diverge(rp, t, "cannot write the recorded output of %s (region %u +%u, %zu bytes) into the program's memory",
				call, o->region, o->off, o->len);
			apply = false;
		}
	}
	return 0;
}
