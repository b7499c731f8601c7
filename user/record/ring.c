// SPDX-License-Identifier: GPL-2.0
/* The recorder's ring buffer reader (ring.h). */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "record.h"
#include "record/ring.h"

#define RING_PUBLISH		(256U << 10)

int ring_open(struct ring *r, int fd, size_t size)
{
	void *p;

	r->fd = fd;
	r->size = size;
	r->page = sysconf(_SC_PAGESIZE);
	r->cons_pos = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->cons_pos == MAP_FAILED) {
		r->cons_pos = NULL;
		return -errno;
	}
	p = mmap(NULL, r->page + 2 * size, PROT_READ, MAP_SHARED, fd, r->page);
	if (p == MAP_FAILED) {
		int err = -errno;

		munmap(r->cons_pos, r->page);
		r->cons_pos = NULL;
		return err;
	}
	r->prod_pos = p;
	r->data = (uint8_t *)p + r->page;
	r->cons = r->pub = r->prod = __atomic_load_n(r->cons_pos, __ATOMIC_ACQUIRE);
	return 0;
}

void ring_close(struct ring *r)
{
	if (r->cons_pos)
		munmap(r->cons_pos, r->page);
	if (r->prod_pos)
		munmap(r->prod_pos, r->page + 2 * r->size);
	r->cons_pos = NULL;
	r->prod_pos = NULL;
}

unsigned long ring_used(const struct ring *r)
{
	return __atomic_load_n(r->prod_pos, __ATOMIC_ACQUIRE) - r->cons;
}

/* The next committed record (its length in *len), or NULL. */
static void *ring_peek(struct ring *r, uint32_t *len)
{
	for (;;) {
		uint32_t *lp, l;

		if (r->cons >= r->prod) {
			r->prod = __atomic_load_n(r->prod_pos, __ATOMIC_ACQUIRE);
			if (r->cons >= r->prod)
				return NULL;
		}
		lp = (uint32_t *)(r->data + (r->cons & (r->size - 1)));
		l = __atomic_load_n(lp, __ATOMIC_ACQUIRE);
		if (l & BPF_RINGBUF_BUSY_BIT)
			return NULL;	/* still being written */
		if (l & BPF_RINGBUF_DISCARD_BIT) {
			r->cons += ((l & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
			continue;
		}
		*len = l;
		return (uint8_t *)lp + BPF_RINGBUF_HDR_SZ;
	}
}

/* Past the record ring_peek() gave; the producers learn of it in batches. */
static void ring_next(struct ring *r, uint32_t len)
{
	r->cons += (len + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
	if (r->cons - r->pub >= RING_PUBLISH) {
		__atomic_store_n(r->cons_pos, r->cons, __ATOMIC_RELEASE);
		r->pub = r->cons;
	}
}

static void ring_publish(struct ring *r)
{
	if (r->cons != r->pub) {
		__atomic_store_n(r->cons_pos, r->cons, __ATOMIC_RELEASE);
		r->pub = r->cons;
	}
}

long ring_drain(struct ring *big, struct ring *hot,
		int (*fn)(void *ctx, const void *rec, size_t len), void *ctx)
{
	long bytes = 0;
	int err = 0;

	for (;;) {
		uint32_t la = 0, lb = 0;
		void *a = ring_peek(big, &la), *b = ring_peek(hot, &lb);
		struct ring *r;
		uint32_t len;
		void *rec;

		if (!a && !b)
			break;
		if (a && (!b || ((struct rec_ev_hdr *)a)->seq <= ((struct rec_ev_hdr *)b)->seq)) {
			r = big;
			rec = a;
			len = la;
		} else {
			r = hot;
			rec = b;
			len = lb;
		}
		err = fn(ctx, rec, len);
		if (err)
			break;
		ring_next(r, len);
		bytes += len;
	}
	ring_publish(big);
	ring_publish(hot);
	return err ? err : bytes;
}
