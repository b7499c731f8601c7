// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the journal: its events one by one, and a syscall's outputs
 * (REC_OUT: the bytes the kernel wrote into the program's memory), written
 * into the replayed program's memory where the recorder found them: in an
 * argument's buffer, an iovec, a msghdr, recvmmsg's messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "format/recording.h"
#include "replay/internal.h"

int rp_next_event(struct rp *rp, struct rec_event *ev)
{
	int ret = rec_reader_next(&rp->rr, ev);

	if (ret < 0)
		rp_fail(rp, "reading the journal: %s\n", strerror(-ret));
	return ret;
}

/* The next REC_OUT of the current syscall; 1, 0 (none left) or -errno. */
int rp_next_out(struct rp *rp, uint32_t *left, struct rec_event *ev)
{
	int ret;

	while (*left) {
		ret = rp_next_event(rp, ev);
		if (ret <= 0) {
			if (!ret)
				rp_fail(rp, "the journal ends inside the outputs of a syscall\n");
			return -EIO;
		}
		if (ev->type == REC_TIME)
			continue;
		if (ev->type != REC_OUT) {
			rp_fail(rp, "malformed journal: a syscall's outputs are missing\n");
			return -EBADMSG;
		}
		(*left)--;
		return 1;
	}
	return 0;
}

static int load_iov(struct rp *rp, struct rthread *t, const struct rec_sys *rs)
{
	uint64_t addr, cnt;

	if (rp->iov_loaded)
		return 0;
	if (rs->nr == SYS_recvmsg) {
		if (!rp->msg_loaded && rp_mem_read(t->p, rs->args[1], rp->msg, sizeof(rp->msg)))
			return -EFAULT;
		rp->msg_loaded = true;
		addr = rp->msg[2];
		cnt = rp->msg[3];
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
		uint64_t h[8], seg[64][2], nseg = 0, k, left;

		if (rp_mem_read(t->p, rs->args[1] + i * 64, h, sizeof(h)))
			return -EFAULT;
		if (region == REC_REGION_MMSG_NAME) {
			uint64_t l = (uint32_t)h[1] < REC_MMSG_NAME_MAX ? (uint32_t)h[1] : REC_MMSG_NAME_MAX;

			if (h[0] && l)
				seg[nseg][0] = h[0], seg[nseg++][1] = l;
		} else if (region == REC_REGION_MMSG_CTL) {
			if (h[4] && h[5])
				seg[nseg][0] = h[4], seg[nseg++][1] = h[5];
		} else {
			struct iovec v[64];
			uint64_t cnt = h[3] < 64 ? h[3] : 64;

			left = (uint32_t)h[7];	/* msg_len */
			if (cnt && rp_mem_read(t->p, h[2], v, cnt * sizeof(v[0])))
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
		     const struct rec_out *o, const uint8_t *data, size_t len)
{
	uint64_t addr, off = o->off;
	size_t i;

	if (o->flags)		/* the recorder could not read it back */
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
		if (!rp->msg_loaded && rp_mem_read(t->p, rs->args[1], rp->msg, sizeof(rp->msg)))
			return -EFAULT;
		rp->msg_loaded = true;
		addr = o->region == REC_REGION_MSGNAME ? rp->msg[0] : rp->msg[4];
		return rp_mem_write(t->p, addr + off, data, len);
	case REC_REGION_MMSG_IOV:
	case REC_REGION_MMSG_NAME:
	case REC_REGION_MMSG_CTL:
		return write_mmsg(t, rs, o->region, off, data, len);
	case REC_REGION_IFCBUF: {
		uint64_t ifc[2];

		if (rp_mem_read(t->p, rs->args[2], ifc, sizeof(ifc)))
			return -EFAULT;
		return rp_mem_write(t->p, ifc[1] + off, data, len);
	}
	}
	return -EINVAL;
}

/* Consume the REC_OUTs of @rs; with @apply write them into @t's memory. */
int rp_do_outs(struct rp *rp, struct rthread *t, const struct rec_sys *rs, bool apply)
{
	uint32_t left = rs->nout;
	struct rec_event ev;
	int ret;

	rp->iov_loaded = rp->msg_loaded = false;
	while ((ret = rp_next_out(rp, &left, &ev)) > 0) {
		if (!apply)
			continue;
		if (rs->nr == SYS_fstat || rs->nr == SYS_newfstatat || rs->nr == SYS_statx)
			rp_note_stat(t, rs, ev.rec, ev.data, ev.data_len);
		if (write_out(rp, t, rs, ev.rec, ev.data, ev.data_len)) {
			char call[512];

			rp_fmt_call(call, sizeof(call), rs->nr, rs->args, replay_sys_nargs(rs->nr));
			rp_diverge(rp, t, "cannot write the recorded output of %s (region %u +%u, %zu bytes) into the program's memory",
				   call, ((const struct rec_out *)ev.rec)->region,
				   ((const struct rec_out *)ev.rec)->off, ev.data_len);
			apply = false;
		}
	}
	return ret;
}
