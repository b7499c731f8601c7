// SPDX-License-Identifier: GPL-2.0
/*
 * The recorder's BPF side, bpf/record.bpf.c: open, configure, load and
 * attach it (the libbpf order), fill its syscall table maps, and the maps
 * user space reads and writes while recording (traced processes, losses).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/log.h"
#include "record.h"
#include "record/internal.h"
#include "syscalls/table.h"
#include "record.skel.h"

#define DEFAULT_RING_BYTES	(64ULL << 20)

uint64_t recorder_ring_bytes(const struct recorder_opts *o)
{
	return o->ring_bytes ? o->ring_bytes : DEFAULT_RING_BYTES;
}

/*
 * The programs on ttrec.ko's tracepoints, which exist only while the
 * module is loaded: 0, or -errno with the reason printed.
 */
static int attach_snapshot_progs(struct recorder *s)
{
	struct bpf_program *progs[] = { s->skel->progs.ttrec_park_notify,
					s->skel->progs.ttrec_park,
					s->skel->progs.ttrec_snapshot };
	struct bpf_link **links[] = { &s->skel->links.ttrec_park_notify,
				      &s->skel->links.ttrec_park,
				      &s->skel->links.ttrec_snapshot };
	unsigned int i;
	int err;

	for (i = 0; i < 3; i++) {
		*links[i] = bpf_program__attach_raw_tracepoint(progs[i],
							       bpf_program__section_name(progs[i]) +
							       strlen("raw_tp/"));
		if (!*links[i]) {
			err = -errno;
			pr_err("cannot attach to the tracepoint %s of ttrec.ko: %s%s\n",
			       bpf_program__section_name(progs[i]) + strlen("raw_tp/"),
			       strerror(-err), err == -ENOENT ?
			       " (a ttrec.ko without it: load the module of this ttrec)" : "");
			return err;
		}
	}
	return 0;
}

int recorder_bpf_load(struct recorder *s, const struct recorder_opts *o)
{
	uint64_t ring = recorder_ring_bytes(o);
	int err;

	s->skel = record_bpf__open();
	if (!s->skel) {
		err = -errno;
		pr_err("cannot open the BPF program: %s\n", strerror(-err));
		return err;
	}
	s->skel->rodata->follow_fork = o->follow_fork;
	s->skel->rodata->recorder_tgid = getpid();
	/* ttrec.ko's tracepoints: attached below when it is loaded */
	bpf_program__set_autoattach(s->skel->progs.ttrec_park_notify, false);
	bpf_program__set_autoattach(s->skel->progs.ttrec_park, false);
	bpf_program__set_autoattach(s->skel->progs.ttrec_snapshot, false);
	err = bpf_map__set_max_entries(s->skel->maps.rb, ring);
	if (err) {
		pr_err("bad ring buffer size %llu: %s\n", (unsigned long long)ring,
		       strerror(-err));
		return err;
	}
	err = record_bpf__load(s->skel);
	if (err) {
		pr_err("cannot load the BPF program: %s%s\n", strerror(-err),
		       err == -EPERM ? " (run as root: it needs CAP_BPF and CAP_PERFMON)" :
		       "; rerun with -v for the verifier's log");
		return err;
	}
	err = syscalls_load_bpf(bpf_map__fd(s->skel->maps.sysdesc),
				bpf_map__fd(s->skel->maps.cmddesc));
	if (err) {
		pr_err("cannot fill the syscall table map: %s\n", strerror(-err));
		return err;
	}
	err = record_bpf__attach(s->skel);
	if (err) {
		pr_err("cannot attach the BPF programs: %s\n", strerror(-err));
		return err;
	}
	if (o->snapshots)
		return attach_snapshot_progs(s);
	return 0;
}

int recorder_bpf_trace(struct recorder *s, uint32_t tgid, uint32_t how)
{
	__u32 key = tgid;

	/* found through the hash, not a slot: see is_traced() in bpf/record.bpf.c */
	if (how & TRACED_NOSLOT)
		__atomic_fetch_add(&s->skel->bss->nslow, 1, __ATOMIC_ACQ_REL);
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.traced), &key, &how, BPF_ANY))
		return -errno;
	return 0;
}

bool recorder_bpf_traced_empty(struct recorder *s)
{
	__u32 key;

	return bpf_map_get_next_key(bpf_map__fd(s->skel->maps.traced), NULL, &key) != 0;
}

void recorder_bpf_kill_all(struct recorder *s)
{
	int fd = bpf_map__fd(s->skel->maps.traced);
	__u32 key;

	if (bpf_map_get_next_key(fd, NULL, &key))
		return;
	do
		kill(key, SIGKILL);
	while (!bpf_map_get_next_key(fd, &key, &key));
}

int recorder_bpf_traced_list(struct recorder *s, uint32_t *tgids, int max)
{
	int fd = bpf_map__fd(s->skel->maps.traced), n = 0;
	__u32 key, next, *prev = NULL;

	while (n < max && !bpf_map_get_next_key(fd, prev, &next)) {
		tgids[n++] = next;
		key = next;
		prev = &key;
	}
	return n;
}

void recorder_bpf_untrace_all(struct recorder *s)
{
	int fd = bpf_map__fd(s->skel->maps.traced);
	int sfd = bpf_map__fd(s->skel->maps.tslot);
	__u32 key, k;
	__u64 slot, zero = 0;

	while (!bpf_map_get_next_key(fd, NULL, &key)) {
		k = key & (REC_NSLOT - 1);
		if (!bpf_map_lookup_elem(sfd, &k, &slot) && slot == key)
			bpf_map_update_elem(sfd, &k, &zero, BPF_ANY);
		bpf_map_delete_elem(fd, &key);
	}
	__atomic_store_n(&s->skel->bss->nslow, 0, __ATOMIC_RELEASE);
}

uint64_t recorder_bpf_lost(struct recorder *s, uint64_t *first_seq)
{
	struct rec_lost *l = calloc(s->ncpus, sizeof(*l));
	uint64_t total = 0, first = 0;
	__u32 zero = 0;
	int i;

	*first_seq = 0;
	if (!l)
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.lost), &zero, l)) {
		for (i = 0; i < s->ncpus; i++) {
			total += l[i].events;
			if (l[i].first_seq && (!first || l[i].first_seq < first))
				first = l[i].first_seq;
		}
	}
	free(l);
	*first_seq = first;
	return total;
}

/* run_cnt counts every run, untraced processes' early returns included. */
void recorder_bpf_print_stats(struct recorder *s)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->skel->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) ||
		    !info.run_cnt)
			continue;
		pr_debug("bpf %-20s %10llu runs %8.1f ns/run %8.3f s\n",
			 bpf_program__name(prog), (unsigned long long)info.run_cnt,
			 (double)info.run_time_ns / info.run_cnt, info.run_time_ns / 1e9);
	}
}
