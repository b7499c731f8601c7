// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec record: every syscall (with the bytes the kernel wrote into user
 * memory), signal, scheduling decision and lifecycle event of the traced
 * processes, into one ring buffer, in one global order.
 *
 * Filter first: every program looks the current tgid up in "traced" before
 * doing anything else, so untraced processes pay one hash lookup.
 * Loss is never silent: a failed ring reservation counts in the per-CPU
 * "lost" map, which user space turns into a gap record.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "record.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool follow_fork = false;
/* The recorder's tgid: the snapshots it takes go into the journal. */
const volatile __u32 recorder_tgid = 0;
/* Wake the consumer only once this much data waits (it also polls). */
const volatile __u64 wake_bytes = 256 * 1024;
const volatile __u64 wake_hot_bytes = 1024 * 1024;

__u64 seq_counter = 0;
/* Traced (ACTIVE) processes found only in the hash, not in tslot. */
__u64 nslow = 0;

/*
 * The filter every program runs first, for every process on the machine:
 * slot tgid % REC_NSLOT holds an ACTIVE traced tgid, so the common answers
 * ("not traced", "traced") cost one array load; the hash "traced" is the
 * truth, consulted only while some traced process has no slot (a slot
 * taken by another one, or attached by user space: see TRACED_NOSLOT).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, REC_NSLOT);
	__type(key, __u32);
	__type(value, __u64);		/* a tgid (64 bits for cmpxchg) */
} tslot SEC(".maps");

/*
 * Two rings. Single-record events go to the small "rb_hot" first: the
 * recorder drains it often, so the traced thread copies into memory that is
 * still in its caches and TLB (a cold 4 KiB copy costs about twice a warm
 * one). When it is full they go to "rb" (--ring-mib), which also carries
 * every multi-record syscall (output chunks, input strings, their event):
 * those records must stay in one ring, in order.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} rb_hot SEC(".maps");

/* Reserve @size bytes in rb_hot, else in rb; @hot says which. */
#define RESERVE_ANY(p, size, hot)					\
	do {								\
		hot = true;						\
		p = bpf_ringbuf_reserve(&rb_hot, size, 0);		\
		if (!p) {						\
			hot = false;					\
			p = bpf_ringbuf_reserve(&rb, size, 0);		\
		}							\
	} while (0)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, REC_MAX_TRACED);
	__type(key, __u32);		/* tgid */
	__type(value, __u32);		/* TRACED_* */
} traced SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, REC_NR_SYSCALLS);
	__type(key, __u32);
	__type(value, struct rec_sysdesc);
} sysdesc SEC(".maps");

/*
 * The table's entry for syscall @nr, the whole number: the key is 32 bits,
 * and 2^32 + 39 must not find getpid's entry (record.h, REC_NR_SYSCALLS).
 */
static __always_inline struct rec_sysdesc *sysdesc_of(__s64 nr)
{
	__u32 k = nr;

	if ((__u64)nr >= REC_NR_SYSCALLS)
		return NULL;
	return bpf_map_lookup_elem(&sysdesc, &k);
}

/*
 * REC_CMD_KEY(syscall, command) -> output rule (REC_OUT_FIXED, NONE, or
 * IFCONF), for REC_OUT_CMD: ioctl requests, fcntl cmds, prctl options.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u64);
	__type(value, struct rec_outspec);
} cmddesc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rec_lost);
} lost SEC(".maps");

#define MAX_REGIONS	8	/* a power of 2: indexes are masked */
#define MAX_IOV		1024

/* Mask a region index in a way the compiler cannot drop (for the verifier). */
#define BOUND(x)	asm volatile("%0 &= 7" : "+r"(x))

/* out_region.kind */
#define RK_PLAIN	0	/* len bytes at addr */
#define RK_IOV		1	/* iovec array at addr, iovcnt entries, len bytes */
#define RK_MMSG_IOV	2	/* mmsghdr array at addr, iovcnt messages: */
#define RK_MMSG_NAME	3	/* ... their data, names, controls */
#define RK_MMSG_CTL	4

struct out_region {
	__u64 addr;
	__u64 len;		/* bytes; for iov regions the total */
	__u32 iovcnt;		/* iov regions: entries; mmsg: messages; else 0 */
	__u8  id;
	__u8  kind;		/* RK_* */
	__u16 pad;
};

struct walk {
	__u64 call;
	__u32 tid;
	__u32 nchunks;
	__u32 nreg;
	__u32 cur;		/* region being copied */
	__u32 lost;
	__u32 fault;
	__u64 addr;		/* current contiguous segment */
	__u64 left;
	__u64 off;		/* offset in the region */
	__u64 iov;		/* next iovec to load */
	__u64 iovcnt;
	__u64 total;		/* iov region: bytes still to copy */
	__u32 msg;		/* mmsg regions: next message */
	__u32 big;		/* an mmsg region: walk lengths unknown up front */
	__u64 args[6];		/* of the syscall */
	__s64 ret;
	__u32 inlen;
	__u32 flags;		/* REC_SF_* */
	struct out_region r[MAX_REGIONS];
};

/*
 * Per-thread state, in task storage: the syscall in flight (set at entry)
 * and the output walk at its exit. Kept out of the BPF stack so that the
 * verifier sees the walk's lengths as plain unknown numbers (constants on
 * the stack would make it unroll the bpf_loop callback), and per task so
 * that a preempted program cannot have its state overwritten.
 */
struct inflight {
	__u64 call;		/* call number; 0: not in a syscall we saw enter */
	__u64 ncalls;		/* calls seen entering (never 0 once used) */
	__u64 args[6];
	__s64 nr;		/* orig_ax at entry, whole */
	__u32 inlen;		/* REC_OUT_PTRLEN: the length before the call */
	__u32 nin;		/* input strings emitted (tried) at entry */
	__u32 tid;		/* at entry (an exec by a thread other than the
				 * main one changes it) */
	__u32 pad;
	struct walk w;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

struct walk_ctx {
	struct walk *w;
};

static __always_inline bool is_traced(__u32 tgid)
{
	__u32 k = tgid & (REC_NSLOT - 1), *v;
	__u64 *slot;

	slot = bpf_map_lookup_elem(&tslot, &k);
	if (slot && *slot == tgid && tgid)
		return true;
	if (!nslow)
		return false;
	v = bpf_map_lookup_elem(&traced, &tgid);
	return v && (*v & TRACED_STATE) == TRACED_ACTIVE;
}

/* @tgid becomes ACTIVE (@v: its value in "traced"): take its slot if free. */
static __always_inline void activate(__u32 tgid, __u32 *v)
{
	__u32 k = tgid & (REC_NSLOT - 1);
	__u64 *slot;

	slot = bpf_map_lookup_elem(&tslot, &k);
	if (slot && tgid && (*slot == tgid || !__sync_val_compare_and_swap(slot, 0, (__u64)tgid))) {
		*v = TRACED_ACTIVE;
		return;
	}
	*v = TRACED_ACTIVE | TRACED_NOSLOT;
	__sync_fetch_and_add(&nslow, 1);
}

/* @tgid is no longer traced; its "traced" value was @val. */
static __always_inline void deactivate(__u32 tgid, __u32 val)
{
	__u32 k = tgid & (REC_NSLOT - 1);
	__u64 *slot;

	if ((val & TRACED_STATE) != TRACED_ACTIVE)
		return;
	if (val & TRACED_NOSLOT) {
		__sync_fetch_and_sub(&nslow, 1);
		return;
	}
	slot = bpf_map_lookup_elem(&tslot, &k);
	if (slot)
		__sync_val_compare_and_swap(slot, (__u64)tgid, 0);
}

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	struct rec_lost *l = bpf_map_lookup_elem(&lost, &zero);

	if (!l)
		return;
	if (!l->first_seq)
		l->first_seq = seq_counter + 1;
	l->events++;
}

/*
 * Wake the consumer when the data waiting crosses a multiple of wake_bytes
 * (it polls every few ms anyway): one wakeup per wake_bytes at most, none
 * per event, so the traced thread rarely pays for an irq_work.
 */
static __always_inline __u64 wflags_sz(__u64 size)
{
	__u64 avail = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);

	if (avail < size)
		return BPF_RB_NO_WAKEUP;
	return avail / wake_bytes != (avail - size) / wake_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* The same for a record in rb_hot (@hot) or rb. */
static __always_inline __u64 wflags(bool hot, __u64 size)
{
	__u64 avail;

	if (!hot)
		return wflags_sz(size);
	avail = bpf_ringbuf_query(&rb_hot, BPF_RB_AVAIL_DATA);
	if (avail < size)
		return BPF_RB_NO_WAKEUP;
	return avail / wake_hot_bytes != (avail - size) / wake_hot_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline __u64 next_seq(void)
{
	return __sync_fetch_and_add(&seq_counter, 1) + 1;
}

static __always_inline void fill_hdr(struct rec_ev_hdr *h, __u32 type, __u32 tid,
				     __u64 ts)
{
	h->type = type;
	h->tid = tid;
	h->ts = ts;
	h->seq = next_seq();
}

/* One chunk of a region, in a ring record of a size class >= n. */
#define EMIT_CLASS(CLS)							\
	if (n <= CLS) {							\
		struct rec_ev_chunk *c;					\
		__u32 len = n;						\
									\
		c = bpf_ringbuf_reserve(&rb, sizeof(*c) + CLS, 0);	\
		if (!c) {						\
			w->lost = 1;					\
			return 1;					\
		}							\
		c->h.type = REC_EV_CHUNK;				\
		c->h.tid = w->tid;					\
		c->h.seq = 0;						\
		c->h.ts = 0;						\
		c->call = w->call;					\
		c->len = n;						\
		c->off = w->off;					\
		c->region = w->r[cur].id;				\
		c->fault = 0;						\
		c->trunc = 0;						\
		barrier_var(len);					\
		if (len > CLS)						\
			len = CLS;					\
		if (bpf_probe_read_user(c + 1, len, (void *)w->addr)) {	\
			c->fault = 1;					\
			w->fault = 1;					\
		}							\
		bpf_ringbuf_submit(c, wflags_sz(sizeof(*c) + CLS));	\
		goto done;						\
	}

struct user_mmsghdr_x {
	__u64 name;
	__u32 namelen;
	__u32 pad;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
	__u32 flags;
	__u32 pad2;
	__u32 len;		/* msg_len */
	__u32 pad3;
};

/* Start region @cur of the walk. */
static __always_inline void load_region(struct walk *w, __u32 cur)
{
	BOUND(cur);
	w->cur = cur;
	w->off = 0;
	w->left = 0;
	w->total = 0;
	w->iovcnt = 0;
	w->msg = 0;
	if (w->r[cur].kind == RK_IOV) {
		w->iov = w->r[cur].addr;
		w->iovcnt = w->r[cur].iovcnt;
		w->total = w->r[cur].len;
	} else if (w->r[cur].kind == RK_PLAIN) {
		w->addr = w->r[cur].addr;
		w->left = w->r[cur].len;
	}
}

/*
 * recvmmsg: load message w->msg of the current region; its data (through
 * its iovec, msg_len bytes), name or control is what is walked next.
 */
static __always_inline void load_msg(struct walk *w, __u32 cur)
{
	struct user_mmsghdr_x m = {};
	__u64 at;

	BOUND(cur);
	at = w->r[cur].addr + (__u64)w->msg * sizeof(m);
	w->msg++;
	if (bpf_probe_read_user(&m, sizeof(m), (void *)at)) {
		w->fault = 1;
		return;
	}
	switch (w->r[cur].kind) {
	case RK_MMSG_IOV:
		w->iov = m.iov;
		w->iovcnt = m.iovlen > MAX_IOV ? MAX_IOV : m.iovlen;
		w->total = m.len;
		break;
	case RK_MMSG_NAME:
		w->addr = m.name;
		w->left = !m.name ? 0 : m.namelen > REC_MMSG_NAME_MAX ?
			  REC_MMSG_NAME_MAX : m.namelen;
		break;
	default:
		w->addr = m.control;
		w->left = m.control ? m.controllen : 0;
		break;
	}
}

static long walk_cb(__u32 i, void *ctx)
{
	struct walk *w = ((struct walk_ctx *)ctx)->w;
	__u32 cur = w->cur;
	__u8 kind;
	__u64 n;

	if (cur >= MAX_REGIONS)
		return 1;
	BOUND(cur);
	if (w->left == 0) {
		kind = w->r[cur].kind;
		if ((kind == RK_IOV || kind == RK_MMSG_IOV) && w->total && w->iovcnt) {
			struct { __u64 base, len; } v = {};

			if (bpf_probe_read_user(&v, sizeof(v), (void *)w->iov)) {
				w->fault = 1;
				w->total = 0;
				return 0;
			}
			w->iov += sizeof(v);
			w->iovcnt--;
			w->addr = v.base;
			w->left = v.len < w->total ? v.len : w->total;
			return 0;
		}
		if (kind >= RK_MMSG_IOV && w->msg < w->r[cur].iovcnt) {
			load_msg(w, cur);
			return 0;
		}
		/* next region */
		cur = w->cur + 1;
		if (cur >= w->nreg)
			return 1;
		if (cur >= MAX_REGIONS)
			return 1;
		load_region(w, cur);
		return 0;
	}
	n = w->left > REC_CHUNK_MAX ? REC_CHUNK_MAX : w->left;
	EMIT_CLASS(256)
	EMIT_CLASS(4096)
	EMIT_CLASS(16384)
	EMIT_CLASS(REC_CHUNK_MAX)
	return 1;
done:
	w->addr += n;
	w->left -= n;
	w->off += n;
	if (w->r[cur].kind == RK_IOV || w->r[cur].kind == RK_MMSG_IOV)
		w->total -= n;
	w->nchunks++;
	return 0;
}

static __always_inline void add_region(struct walk *w, __u32 id, __u64 addr,
				       __u64 len, __u64 iovcnt, __u32 kind)
{
	__u32 k = w->nreg;

	if (!addr || !len)
		return;
	if (k >= MAX_REGIONS)
		return;
	BOUND(k);
	if (len > (1ULL << 32))		/* sanity: never from a real syscall */
		len = 1ULL << 32;
	w->r[k].addr = addr;
	w->r[k].len = len;
	w->r[k].iovcnt = iovcnt > MAX_IOV ? MAX_IOV : iovcnt;
	w->r[k].id = id;
	w->r[k].kind = kind;
	w->nreg = k + 1;
	if (kind >= RK_MMSG_IOV)
		w->big = 1;
}

static __always_inline void run_walk(struct walk *w)
{
	__u64 loops = 2;
	__u32 k;

	for (k = 0; k < MAX_REGIONS; k++) {
		if (k >= w->nreg)
			break;
		loops += w->r[k].len / REC_CHUNK_MAX + 2 + w->r[k].iovcnt * 2;
	}
	/* mmsg: the messages' iovec counts and lengths are read on the way */
	if (loops > (1 << 23) || w->big)
		loops = 1 << 23;
	if (!w->nreg)
		return;
	/* load region 0; walk_cb moves on to the next ones */
	load_region(w, 0);
	{
		struct walk_ctx wc = { .w = w };

		bpf_loop(loops, walk_cb, &wc, 0);
	}
}

struct user_msghdr_x {
	__u64 name;
	__u32 namelen;
	__u32 pad;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
	__u32 flags;
	__u32 pad2;
};

/* @nr: a number in the table (0..REC_NR_SYSCALLS-1) */
static __noinline void add_spec(struct walk *w, const struct rec_outspec *o, __u32 nr)
{
	const __u64 *args = w->args;
	long ret = w->ret;
	__u32 inlen = w->inlen;
	__u32 *flags = &w->flags;
	__u32 a = o->arg, la = o->larg;
	__u64 addr, len = 0;

	if (a > 5 || la > 5)
		return;
	if (ret < 0 && !(o->flags & REC_OF_ON_ERROR))
		return;
	addr = args[a];
	switch (o->how) {
	case REC_OUT_FIXED:
		len = o->size;
		break;
	case REC_OUT_ARGLEN:
		len = args[la] * o->size;
		break;
	case REC_OUT_RETLEN:
		len = ret > 0 ? (__u64)ret * o->size : 0;
		break;
	case REC_OUT_PTRLEN: {
		__u32 l = 0;

		if (args[la])
			bpf_probe_read_user(&l, sizeof(l), (void *)args[la]);
		len = l < inlen ? l : inlen;
		break;
	}
	case REC_OUT_IOV:
		add_region(w, REC_REGION_IOV, addr, ret > 0 ? ret : 0, args[la], RK_IOV);
		return;
	case REC_OUT_MSGHDR: {
		struct user_msghdr_x m = {};

		add_region(w, a, addr, sizeof(m), 0, RK_PLAIN);
		if (!addr || bpf_probe_read_user(&m, sizeof(m), (void *)addr))
			return;
		add_region(w, REC_REGION_MSGNAME, m.name, m.namelen, 0, RK_PLAIN);
		add_region(w, REC_REGION_MSGCTL, m.control, m.controllen, 0, RK_PLAIN);
		add_region(w, REC_REGION_IOV, m.iov, ret > 0 ? ret : 0, m.iovlen, RK_IOV);
		return;
	}
	case REC_OUT_FDSET:
		len = ((args[0] + 63) / 64) * 8;
		break;
	case REC_OUT_MMSGHDR:
		if (ret <= 0)
			return;
		/* the array (msg_len, msg_namelen, msg_controllen), then the messages */
		add_region(w, a, addr, (__u64)ret * sizeof(struct user_mmsghdr_x), 0, RK_PLAIN);
		add_region(w, REC_REGION_MMSG_IOV, addr, 1, ret, RK_MMSG_IOV);
		add_region(w, REC_REGION_MMSG_NAME, addr, 1, ret, RK_MMSG_NAME);
		add_region(w, REC_REGION_MMSG_CTL, addr, 1, ret, RK_MMSG_CTL);
		return;
	case REC_OUT_CMD: {
		__u64 key = REC_CMD_KEY(nr, args[la]);
		struct rec_outspec *c = bpf_map_lookup_elem(&cmddesc, &key);

		if (!c) {
			*flags |= REC_SF_OUT_UNKNOWN;
			return;
		}
		if (ret < 0 || c->arg > 5 || c->larg > 5)
			return;
		a = c->arg;
		addr = args[a];
		if (c->how == REC_OUT_FIXED) {
			len = c->size;
		} else if (c->how == REC_OUT_ARGLEN) {
			len = args[c->larg] * c->size;
		} else if (c->how == REC_OUT_RETLEN) {
			len = ret > 0 ? (__u64)ret * c->size : 0;
		} else if (c->how == REC_OUT_IOVEC1) {
			struct { __u64 base, len; } v = {};

			add_region(w, a, addr, sizeof(v), 0, RK_PLAIN);
			if (!addr || bpf_probe_read_user(&v, sizeof(v), (void *)addr))
				return;
			add_region(w, REC_REGION_PTR, v.base, v.len, 0, RK_PLAIN);
			return;
		} else if (c->how == REC_OUT_IFCONF) {
			struct { __s32 len; __u32 pad; __u64 buf; } ifc = {};

			add_region(w, a, addr, sizeof(ifc), 0, RK_PLAIN);
			if (!addr || bpf_probe_read_user(&ifc, sizeof(ifc), (void *)addr))
				return;
			if (ifc.len > 0)
				add_region(w, REC_REGION_IFCBUF, ifc.buf, ifc.len, 0, RK_PLAIN);
			return;
		}
		break;
	}
	default:
		return;
	}
	add_region(w, a, addr, len, 0, RK_PLAIN);
}

static __always_inline int emit_sys(__u32 tid, __u64 call, __s64 nr,
				    const __u64 *args, long ret, __u32 flags,
				    __u32 nchunks, __u32 chunk_tid, bool hot_ok)
{
	struct rec_ev_sys *e;
	bool hot = false;
	int i;

	if (hot_ok)
		RESERVE_ANY(e, sizeof(*e), hot);
	else
		e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return -1;
	}
	fill_hdr(&e->h, REC_EV_SYS, tid, bpf_ktime_get_ns());
	e->call = call;
	e->nr = nr;
	e->flags = flags;
	e->ret = ret;
	for (i = 0; i < 6; i++)
		e->args[i] = args[i];
	e->nchunks = nchunks;
	e->chunk_tid = chunk_tid;
	e->pad = 0;
	bpf_ringbuf_submit(e, wflags(hot, sizeof(*e)));
	return 0;
}

/* An input string argument, read at entry, as a chunk of the syscall. */
static __noinline void emit_str(struct inflight *in, __u32 tid, __u32 k)
{
	struct rec_ev_chunk *c;
	__u64 p;
	long n;

	if (k > 5)
		return;
	p = in->args[k];
	in->nin++;		/* counted even when lost: the syscall says so */
	c = bpf_ringbuf_reserve(&rb, sizeof(*c) + REC_STR_MAX + 8, 0);
	if (!c) {
		count_lost();
		return;
	}
	c->h.type = REC_EV_CHUNK;
	c->h.tid = tid;
	c->h.seq = 0;
	c->h.ts = 0;
	c->call = in->call;
	c->off = 0;
	c->region = REC_EV_IN | k;
	/* one more than kept: a string that fills it was cut */
	n = bpf_probe_read_user_str(c + 1, REC_STR_MAX + 1, (void *)p);
	c->fault = n < 0;
	c->trunc = n > REC_STR_MAX;
	c->len = n <= 0 ? 0 : n > REC_STR_MAX ? REC_STR_MAX : n - 1;
	bpf_ringbuf_submit(c, wflags_sz(sizeof(*c) + REC_STR_MAX + 8));
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u64 pt = bpf_get_current_pid_tgid();
	struct rec_sysdesc *d;
	struct inflight *in;
	__u32 tgid = pt >> 32;
	/* not @id: the kernel passes the number as an int, cut to 32 bits */
	__s64 nr = regs->orig_ax;
	__u32 *v;
	int k;

	d = sysdesc_of(nr);
	if (d && (d->flags & REC_SD_FAST))
		return 0;	/* all done at exit, for everybody */
	/* also before the exec that starts tracing: its exit is recorded */
	v = bpf_map_lookup_elem(&traced, &tgid);
	if (!v)
		return 0;
	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!in)
		return 0;
	/* a per-thread call number keys the output chunks (no clock read) */
	in->call = ++in->ncalls;
	in->tid = (__u32)pt;
	in->nr = nr;
	in->args[0] = regs->di;
	in->args[1] = regs->si;
	in->args[2] = regs->dx;
	in->args[3] = regs->r10;
	in->args[4] = regs->r8;
	in->args[5] = regs->r9;
	in->inlen = 0;
	in->nin = 0;
	if (!d)
		return 0;
	if (d->strargs) {
		__u32 sa = d->strargs;

		for (k = 0; k < 6; k++)
			if ((sa & (1U << k)) && in->args[k])
				emit_str(in, (__u32)pt, k);
	}
	if ((d->flags & REC_SD_NORETURN) && (*v & TRACED_STATE) == TRACED_ACTIVE) {
		emit_sys((__u32)pt, in->call, nr, in->args, 0, REC_SF_NORETURN, 0, 0, true);
		in->call = 0;
		return 0;
	}
	/* PTRLEN: the buffer length is in/out; keep the value going in */
	for (k = 0; k < REC_MAX_OUTS; k++) {
		__u32 la = d->out[k].larg;

		if (d->out[k].how != REC_OUT_PTRLEN)
			continue;
		if (la < 6 && in->args[la])
			bpf_probe_read_user(&in->inlen, sizeof(in->inlen),
					    (void *)in->args[la]);
		break;
	}
	return 0;
}

struct fast_sys {
	__u64 args[6];
	__s64 ret;
	__u64 addr;		/* the output: @n bytes at @addr through args[@region] */
	__u64 n;
	__s64 nr;
	__u32 tid;
	__u32 flags;
	__u32 region;
	__u32 pad;
};

static __always_inline void fill_sys(struct rec_ev_sys *e, __u32 type, __u32 tid,
				     __s64 nr, const __u64 *args, long ret,
				     __u32 flags, __u32 nchunks)
{
	int i;

	fill_hdr(&e->h, type, tid, bpf_ktime_get_ns());
	e->call = 0;
	e->nr = nr;
	e->flags = flags;
	e->ret = ret;
	for (i = 0; i < 6; i++)
		e->args[i] = args[i];
	e->nchunks = nchunks;
	e->chunk_tid = 0;
	e->pad = 0;
}

/* The fast path's record: the syscall and its output, in a size class. */
#define FAST_CLASS(CLS)							\
	if (f->n <= CLS) {						\
		struct rec_ev_sysd *e;					\
		__u32 len = f->n;					\
		bool hot;						\
									\
		RESERVE_ANY(e, sizeof(*e) + CLS, hot);			\
		if (!e) {						\
			count_lost();					\
			return;						\
		}							\
		e->len = len;						\
		e->region = f->region;					\
		e->fault = 0;						\
		e->pad[0] = 0;						\
		e->pad[1] = 0;						\
		barrier_var(len);					\
		if (len > CLS)						\
			len = CLS;					\
		if (bpf_probe_read_user(e + 1, len, (void *)f->addr)) {	\
			e->fault = 1;					\
			f->flags |= REC_SF_OUT_FAULT;			\
		}							\
		fill_sys(&e->s, REC_EV_SYSD, f->tid, f->nr, f->args,	\
			 f->ret, f->flags, 1);				\
		bpf_ringbuf_submit(e, wflags(hot, sizeof(*e) + CLS));	\
		return;							\
	}

static __noinline void emit_fast(struct fast_sys *f)
{
	FAST_CLASS(256)
	FAST_CLASS(4096)
	FAST_CLASS(16384)
	FAST_CLASS(REC_CHUNK_MAX)
}

/*
 * A REC_SD_FAST syscall whose output is at most REC_CHUNK_MAX bytes: one
 * ring record, the arguments from the registers at exit, no per-thread
 * state. Return: false when the output is too long (use the walk).
 */
static __always_inline bool sys_exit_fast(struct pt_regs *regs, long ret, __u32 tid,
					  __s64 nr, const struct rec_sysdesc *d)
{
	struct fast_sys f;

	f.args[0] = regs->di;
	f.args[1] = regs->si;
	f.args[2] = regs->dx;
	f.args[3] = regs->r10;
	f.args[4] = regs->r8;
	f.args[5] = regs->r9;
	f.ret = ret;
	f.tid = tid;
	f.nr = nr;
	f.flags = 0;
	f.n = 0;
	f.addr = 0;
	f.region = 0;
	f.pad = 0;
	if (!(d->flags & REC_SD_KNOWN))
		f.flags |= REC_SF_OUT_UNKNOWN;
	if (d->flags & REC_SD_PARTIAL)
		f.flags |= REC_SF_OUT_PARTIAL;
	if (d->nout && (ret >= 0 || (d->out[0].flags & REC_OF_ON_ERROR))) {
		const struct rec_outspec *o = &d->out[0];
		__u32 a = o->arg, la = o->larg;

		if (a > 5 || la > 5)
			return false;
		f.addr = f.args[a];
		f.region = a;
		if (o->how == REC_OUT_FIXED)
			f.n = o->size;
		else if (o->how == REC_OUT_ARGLEN)
			f.n = f.args[la] * o->size;
		else if (ret > 0)	/* REC_OUT_RETLEN */
			f.n = (__u64)ret * o->size;
		if (!f.addr)
			f.n = 0;
		if (f.n > REC_CHUNK_MAX)
			return false;
		if (f.n) {
			emit_fast(&f);
			return true;
		}
	}
	emit_sys(tid, 0, nr, f.args, ret, f.flags, 0, 0, true);
	return true;
}

/*
 * Threads of the target the recorder's park has asked to park, from just
 * before the request can wake them until their callback runs
 * (ttrec_park_notify). Updated only by the module's tracepoints.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} parking SEC(".maps");

#define REC_EINTR		4
#define REC_ERESTARTNOHAND	514

/*
 * An epoll wait that ends in -EINTR while a park is asked of its thread:
 * ttrec.ko turns the result into -ERESTARTNOHAND after this tracepoint, so
 * the call is restarted (kmod/park.c, ttrec_park_restartable()); record
 * what the program gets, not what this tracepoint sees.
 */
static __always_inline long park_result(__s64 nr, long ret, __u32 tid)
{
	if (ret != -REC_EINTR || (nr != 232 && nr != 281 && nr != 441))
		return ret;	/* epoll_wait, epoll_pwait, epoll_pwait2 */
	return bpf_map_lookup_elem(&parking, &tid) ? -REC_ERESTARTNOHAND : ret;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u64 pt = bpf_get_current_pid_tgid();
	struct rec_sysdesc *d;
	struct inflight *in;
	struct walk *w;
	bool fast;
	__s64 nr;
	int k;

	if (!is_traced(pt >> 32))
		return 0;
	nr = regs->orig_ax;
	ret = park_result(nr, ret, (__u32)pt);
	d = sysdesc_of(nr);
	fast = d && (d->flags & REC_SD_FAST);
	if (fast && sys_exit_fast(regs, ret, (__u32)pt, nr, d))
		return 0;
	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!in)
		return 0;
	w = &in->w;
	/* only what the walk reads before writing it */
	w->nreg = 0;
	w->nchunks = 0;
	w->big = 0;
	w->lost = 0;
	w->fault = 0;
	w->flags = 0;
	w->inlen = 0;
	w->tid = (__u32)pt;
	if (in->call) {
		nr = in->nr;
		for (k = 0; k < 6; k++)
			w->args[k] = in->args[k];
		w->call = in->call;
		w->inlen = in->inlen;
		w->nchunks = in->nin;	/* the input strings came first */
		w->tid = in->tid;	/* and carry the tid at entry */
		in->call = 0;
	} else {
		/* entered before we attached: the argument registers survive */
		nr = regs->orig_ax;
		w->args[0] = regs->di;
		w->args[1] = regs->si;
		w->args[2] = regs->dx;
		w->args[3] = regs->r10;
		w->args[4] = regs->r8;
		w->args[5] = regs->r9;
		w->call = ++in->ncalls;
		if (!fast)	/* a fast one does not stop at entry */
			w->flags |= REC_SF_NO_ENTER;
	}
	w->ret = ret;
	if (!d || !(d->flags & REC_SD_KNOWN)) {
		w->flags |= REC_SF_OUT_UNKNOWN;
	} else {
		if (d->flags & REC_SD_PARTIAL)
			w->flags |= REC_SF_OUT_PARTIAL;
		for (k = 0; k < REC_MAX_OUTS; k++) {
			if (k >= d->nout)
				break;
			add_spec(w, &d->out[k], (__u32)nr);
		}
		run_walk(w);
		if (w->lost) {
			w->flags |= REC_SF_OUT_LOST;
			count_lost();
		}
		if (w->fault)
			w->flags |= REC_SF_OUT_FAULT;
	}
	/* after its chunks, in the same ring */
	emit_sys((__u32)pt, w->call, nr, w->args, ret, w->flags, w->nchunks,
		 w->tid != (__u32)pt ? w->tid : 0, false);
	return 0;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo *info,
	     struct k_sigaction *ka)
{
	__u64 pt = bpf_get_current_pid_tgid();
	struct task_struct *task;
	struct rec_ev_signal *e;
	struct rec_signal *s;
	struct pt_regs *regs;

	if (!is_traced(pt >> 32))
		return 0;
	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return 0;
	}
	s = &e->s;
	task = bpf_get_current_task_btf();
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	s->type = 0;		/* the header is user space's */
	s->pad = 0;
	s->dts = 0;
	s->tid = 0;
	s->sig = sig;
	s->code = info ? BPF_CORE_READ(info, si_code) : 0;
	/*
	 * The rest of the siginfo, which a replay delivers again (it sends
	 * the signal itself, with a sender of its own). No info: the
	 * kernel's SIGKILL of a process that ends.
	 */
	s->flags = 0;
	s->si_errno = 0;
	__builtin_memset(s->si_fields, 0, sizeof(s->si_fields));
	if (info) {
		s->si_errno = BPF_CORE_READ(info, si_errno);
		if (!bpf_core_read(s->si_fields, sizeof(s->si_fields), &info->_sifields))
			s->flags = REC_SIG_INFO;
	}
	s->handler = ka ? (__u64)BPF_CORE_READ(ka, sa.sa_handler) : 0;
	s->syscall = BPF_CORE_READ(regs, orig_ax);
	s->ax = BPF_CORE_READ(regs, ax);
	s->ip = BPF_CORE_READ(regs, ip);
	/*
	 * The rest of the user registers, and the top of the user stack: what
	 * tells the replay which execution of @ip a signal between syscalls
	 * interrupted (a loop's counter in a register or a stack slot).
	 */
	s->bx = BPF_CORE_READ(regs, bx);
	s->cx = BPF_CORE_READ(regs, cx);
	s->dx = BPF_CORE_READ(regs, dx);
	s->si = BPF_CORE_READ(regs, si);
	s->di = BPF_CORE_READ(regs, di);
	s->bp = BPF_CORE_READ(regs, bp);
	s->sp = BPF_CORE_READ(regs, sp);
	s->r8 = BPF_CORE_READ(regs, r8);
	s->r9 = BPF_CORE_READ(regs, r9);
	s->r10 = BPF_CORE_READ(regs, r10);
	s->r11 = BPF_CORE_READ(regs, r11);
	s->r12 = BPF_CORE_READ(regs, r12);
	s->r13 = BPF_CORE_READ(regs, r13);
	s->r14 = BPF_CORE_READ(regs, r14);
	s->r15 = BPF_CORE_READ(regs, r15);
	s->rflags = BPF_CORE_READ(regs, flags);
	s->flags |= REC_SIG_REGS;
	if (bpf_probe_read_user(s->stack, sizeof(s->stack), (void *)s->sp))
		__builtin_memset(s->stack, 0, sizeof(s->stack));
	else
		s->flags |= REC_SIG_STACK;
	fill_hdr(&e->h, REC_EV_SIGNAL, (__u32)pt, bpf_ktime_get_ns());
	bpf_ringbuf_submit(e, wflags_sz(sizeof(*e)));
	return 0;
}

static __always_inline void emit_sched(__u32 kind, struct task_struct *t,
				       __u32 state, __u32 preempt, __u32 other)
{
	struct rec_ev_sched *e;

	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	e->kind = kind;
	e->cpu = bpf_get_smp_processor_id();
	e->state = state;
	e->preempt = preempt;
	e->other = other;
	e->pad = 0;
	e->ip = 0;
	if (kind == REC_SCHED_OUT) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

		e->ip = BPF_CORE_READ(regs, ip);
	}
	fill_hdr(&e->h, REC_EV_SCHED, t->pid, bpf_ktime_get_ns());
	bpf_ringbuf_submit(e, wflags_sz(sizeof(*e)));
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	if (is_traced(prev->tgid))
		emit_sched(REC_SCHED_OUT, prev, prev_state, preempt, next->pid);
	if (is_traced(next->tgid))
		emit_sched(REC_SCHED_IN, next, 0, 0, prev->pid);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct *p)
{
	if (is_traced(p->tgid))
		emit_sched(REC_SCHED_WAKEUP, p, 0, 0, (__u32)bpf_get_current_pid_tgid());
	return 0;
}

static __always_inline struct rec_ev_task *task_ev(__u32 kind, __u32 tid)
{
	struct rec_ev_task *e;

	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return NULL;
	}
	e->kind = kind;
	e->tgid = 0;
	e->child = 0;
	e->exit_code = 0;
	e->group_dead = 0;
	e->traced = 0;
	e->filename[0] = 0;
	fill_hdr(&e->h, REC_EV_TASK, tid, bpf_ktime_get_ns());
	return e;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent,
	     struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid, val;
	bool thread = ptgid == ctgid;
	struct rec_ev_task *e;

	if (!is_traced(ptgid))
		return 0;
	if (!thread && follow_fork) {
		activate(ctgid, &val);
		bpf_map_update_elem(&traced, &ctgid, &val, BPF_ANY);
	}
	e = task_ev(thread ? REC_TASK_CLONE : REC_TASK_FORK, parent->pid);
	if (!e)
		return 0;
	e->tgid = ptgid;
	e->child = child->pid;
	e->traced = thread || follow_fork;
	bpf_ringbuf_submit(e, wflags_sz(sizeof(*e)));
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	struct rec_ev_task *e;
	__u32 *v;

	v = bpf_map_lookup_elem(&traced, &tgid);
	if (!v)
		return 0;
	if (*v == TRACED_EXEC)
		activate(tgid, v);
	e = task_ev(REC_TASK_EXEC, p->pid);
	if (!e)
		return 0;
	e->tgid = tgid;
	e->child = old_pid;
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
				  BPF_CORE_READ(bprm, filename));
	bpf_ringbuf_submit(e, wflags_sz(sizeof(*e)));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	struct rec_ev_task *e;
	bool group_dead;
	__u32 *v;

	v = bpf_map_lookup_elem(&traced, &tgid);
	if (!v)
		return 0;
	group_dead = BPF_CORE_READ(p, signal, live.counter) == 0;
	if ((*v & TRACED_STATE) == TRACED_ACTIVE) {
		e = task_ev(REC_TASK_EXIT, p->pid);
		if (e) {
			struct task_struct *ex = NULL;

			e->tgid = tgid;
			e->exit_code = p->exit_code;
			e->group_dead = group_dead;
			/* another thread's exec ends this one (de_thread()) */
			if (bpf_core_field_exists(p->signal->group_exec_task))
				ex = BPF_CORE_READ(p, signal, group_exec_task);
			if (ex && ex != p)
				e->child = BPF_CORE_READ(ex, pid);
			bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
		}
	}
	if (group_dead) {
		deactivate(tgid, *v);
		bpf_map_delete_elem(&traced, &tgid);
	}
	return 0;
}

/*
 * Snapshots by ttrec.ko (kmod/ttrec_trace.h): raw tracepoints of the
 * module, attached when it is loaded (the recorder attaches them itself
 * and goes on without them otherwise). Only the recorder's own snapshots
 * of a traced process: each parked thread, in its own context, takes a
 * sequence number before the parker can see it parked; the snapshot takes
 * one after all of them, while they are all still parked.
 */
static __always_inline void emit_park(__u32 type, __u32 tid, __u64 park, __s64 nr,
				      __s64 ret, __u32 tgid, __u32 nthreads)
{
	struct rec_ev_park *e;

	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	e->park = park;
	e->nr = nr;
	e->ret = ret;
	e->tgid = tgid;
	e->nthreads = nthreads;
	fill_hdr(&e->h, type, tid, bpf_ktime_get_ns());
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

/* ttrec_park(u64 park_id, pid_t parker, long syscall_nr, long ret) */
SEC("raw_tp/ttrec_park")
int ttrec_park(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pt = bpf_get_current_pid_tgid();

	if ((__u32)ctx->args[1] != recorder_tgid || !is_traced(pt >> 32))
		return 0;
	emit_park(REC_EV_PARK, (__u32)pt, ctx->args[0], (__s64)ctx->args[2],
		  (__s64)ctx->args[3], pt >> 32, 0);
	return 0;
}

/* ttrec_park_notify(u64 park_id, pid_t parker, pid_t tid, int queued) */
SEC("raw_tp/ttrec_park_notify")
int ttrec_park_notify(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tid = ctx->args[2];
	__u8 one = 1;

	if ((__u32)ctx->args[1] != recorder_tgid)
		return 0;
	if (ctx->args[3])
		bpf_map_update_elem(&parking, &tid, &one, BPF_ANY);
	else
		bpf_map_delete_elem(&parking, &tid);
	return 0;
}

/* ttrec_snapshot(u64 park_id, u64 snap_id, pid_t tgid, unsigned int nr_threads) */
SEC("raw_tp/ttrec_snapshot")
int ttrec_snapshot(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 tgid = ctx->args[2];

	if (pt >> 32 != recorder_tgid || !is_traced(tgid))
		return 0;
	emit_park(REC_EV_SNAP, (__u32)pt, ctx->args[0], (__s64)ctx->args[1], 0, tgid,
		  (__u32)ctx->args[3]);
	return 0;
}
