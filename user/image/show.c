// SPDX-License-Identifier: GPL-2.0
/* ttrec info / ttrec dump on a snapshot image. */
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/user.h>
#include <time.h>
#include <linux/ttrec.h>

#include "image/image.h"
#include "lib/log.h"
#include "lib/util.h"
#include "cmd/cmd.h"

bool img_cmdline_is_image(int argc, char **argv)
{
	struct stat st;
	int i;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		return !stat(argv[i], &st) && S_ISREG(st.st_mode);
	}
	return false;
}

static void when(uint64_t realtime_ns, char *buf, size_t len)
{
	time_t t = realtime_ns / 1000000000ULL;
	struct tm tm;

	strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", localtime_r(&t, &tm));
}

static void prot_str(uint32_t prot, uint32_t flags, char *b)
{
	b[0] = prot & PROT_READ ? 'r' : '-';
	b[1] = prot & PROT_WRITE ? 'w' : '-';
	b[2] = prot & PROT_EXEC ? 'x' : '-';
	b[3] = flags & TTREC_VMA_SHARED ? 's' : 'p';
	b[4] = 0;
}

static const char *vma_name(const struct img_vma *v)
{
	if (v->path[0])
		return v->path;
	if (v->flags & TTREC_VMA_HEAP)
		return "[heap]";
	if (v->flags & TTREC_VMA_STACK)
		return "[stack]";
	if (v->flags & TTREC_VMA_VDSO)
		return "[vdso]";
	if (v->flags & TTREC_VMA_VVAR)
		return "[vvar]";
	if (v->flags & TTREC_VMA_SPECIAL)
		return "[special]";
	return "";
}

static const char *vma_state(const struct img_vma *v)
{
	if (v->flags & TTREC_VMA_SPECIAL)
		return "special";
	if (!(v->flags & TTREC_VMA_CAPTURED))
		return (v->flags & TTREC_VMA_FILE) ? "file" : "none";
	return "captured";
}

/* ------------------------------------------------------------------ info */

static void info_usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec info IMAGE\n"
		"\n"
		"Describe the snapshot image IMAGE: target, when it was taken and how\n"
		"long the target was paused, VMAs, threads, pages stored, zero and\n"
		"not captured, for an incremental image its parent chain, and a summary\n"
		"of the process state (ids, signal handlers and pending signals, timers,\n"
		"descriptors by kind), or that the image has none and cannot be\n"
		"restored. Every checksum of the image and of its parents is verified.\n"
		"\n"
		"Examples:\n"
		"  ttrec info /tmp/a.img\n"
		"  ttrec info rec.dir/snap-0003.img\n"
		"\n"
		"Exit status: 0 ok, 1 unreadable, corrupt image or broken chain,\n"
		"2 usage error.\n");
}

int cmd_info_image(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const struct img_header *h;
	uint32_t captured = 0, i;
	struct img *im, *p;
	char buf[64], id[33];
	int c, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		default:
			return cmd_usage_exit(c, info_usage);
		}
	}
	if (!cmd_operands(argc, 1, info_usage, "info: give one image"))
		return EXIT_USAGE;
	if (img_open(argv[optind], &im))
		return EXIT_FAIL;
	err = img_verify(im);
	h = &im->h;
	for (i = 0; i < im->nr_vmas; i++)
		captured += !!(im->vmas[i].flags & TTREC_VMA_CAPTURED);
	printf("image: %s\n", im->path);
	printf("format: ttrec snapshot image, version %u\n", h->version);
	hex_bytes(h->id, 16, id);
	printf("id: %s\n", id);
	printf("target: pid %u (%s)\n", h->pid, h->comm);
	when(h->taken_realtime_ns, buf, sizeof(buf));
	printf("taken: %s (monotonic %llu ns), snapshot id %llu\n", buf,
	       (unsigned long long)h->taken_ns, (unsigned long long)h->snap_id);
	printf("pause: %.3f ms%s\n", h->pause_ns / 1e6,
	       (h->flags & IMG_F_PTRACE) ?
	       " (taken without ttrec.ko: stopped with ptrace while the memory was copied)" : "");
	if (h->flags & IMG_F_INCREMENTAL) {
		hex_bytes(h->parent_id, 16, id);
		printf("kind: incremental, chain depth %u; changes found by %s\n", h->depth,
		       (h->flags & IMG_F_KERNEL_DIFF) ? "the kernel (TTREC_IOC_SNAP_DIFF)"
						       : "comparing contents with the parent image");
		printf("parent: %s (id %s)\n", im->parent_path, id);
		printf("chain:");
		for (p = im->parent; p; p = p->parent)
			printf(" %s", p->path);
		printf("\n");
	} else {
		printf("kind: full\n");
	}
	printf("vmas: %u (%u captured)", h->nr_vmas, captured);
	if (h->flags & IMG_F_INCREMENTAL)
		printf(", %u of the parent's gone or changed", im->nr_removed);
	printf("\nthreads: %u\n", h->nr_threads);
	state_print_summary(stdout, im);
	printf("pages: %llu data (%.1f MiB raw, %.1f MiB compressed), %llu zero, %llu not captured\n",
	       (unsigned long long)h->nr_data_pages,
	       h->nr_data_pages * (double)IMG_PAGE_SIZE / 1048576.0,
	       h->data_bytes_stored / 1048576.0, (unsigned long long)h->nr_zero_pages,
	       (unsigned long long)h->nr_uncaptured_pages);
	if (h->flags & IMG_F_PTRACE)
		printf("captured: %llu pages present or swapped out\n",
		       (unsigned long long)h->pages_held);
	else
		printf("kernel: %llu pages held; %llu shared copy-on-write, copied: %llu pinned, %llu huge, %llu shared, %llu swapped; %llu special not captured\n",
		       (unsigned long long)h->pages_held,
		       (unsigned long long)h->counts.pages_shared,
		       (unsigned long long)h->counts.pages_copied_pinned,
		       (unsigned long long)h->counts.pages_copied_huge,
		       (unsigned long long)h->counts.pages_copied_shared,
		       (unsigned long long)h->counts.pages_copied_swap,
		       (unsigned long long)h->counts.pages_skipped_special);
	printf("file: %llu bytes, %u sections\n", (unsigned long long)im->file_size,
	       h->nr_sections);
	printf("checksums: %s\n", err ? "FAILED (see above)" : "ok (image and parents)");
	img_close(im);
	return err ? EXIT_FAIL : EXIT_OK;
}

/* ------------------------------------------------------------------ dump */

static void dump_usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec dump IMAGE [--pages | --state | --mem ADDR:LEN [--raw]]\n"
		"\n"
		"Print what the snapshot image IMAGE holds, its parent chain resolved.\n"
		"Without options: the VMAs and the threads (registers, signal mask,\n"
		"the system call each was in).\n"
		"\n"
		"Options:\n"
		"  -s, --state          the process state: ids, credentials, limits,\n"
		"                       timers, memory layout, paths, signal actions and\n"
		"                       pending signals, each thread's (alternate stack,\n"
		"                       robust list, rseq...), and every descriptor with\n"
		"                       what was captured of it\n"
		"  -p, --pages          list, VMA by VMA, address ranges and what they\n"
		"                       hold: data (stored in this image), zero,\n"
		"                       uncaptured (file contents or special memory),\n"
		"                       parent (unchanged since the parent image)\n"
		"  -m, --mem ADDR:LEN   print LEN bytes of memory at ADDR as at the\n"
		"                       snapshot, hex and ASCII (numbers in C syntax:\n"
		"                       0x for hex)\n"
		"  -r, --raw            with --mem: write the bytes as they are\n"
		"  -h, --help           print this help\n"
		"\n"
		"Examples:\n"
		"  ttrec dump /tmp/a.img\n"
		"  ttrec dump /tmp/b.img --pages\n"
		"  ttrec dump /tmp/b.img --state\n"
		"  ttrec dump /tmp/b.img --mem 0x7f1234560000:256\n"
		"  ttrec dump /tmp/b.img --mem 0x7f1234560000:4096 --raw > page.bin\n"
		"\n"
		"Exit status: 0 ok, 1 unreadable or corrupt image, broken chain, or\n"
		"memory not in the image, 2 usage error.\n");
}

static void dump_threads(const struct img *im)
{
	const uint8_t *p = im->threads;
	size_t left = im->threads_len;

	printf("threads: %u\n", im->h.nr_threads);
	while (left >= sizeof(struct ttrec_snap_thread)) {
		struct ttrec_snap_thread t;
		size_t off = sizeof(t);
		uint32_t k;

		memcpy(&t, p, sizeof(t));
		printf("  tid %u%s", t.tid, (t.flags & TTREC_THREAD_LEADER) ? " (leader)" : "");
		if (t.flags & TTREC_THREAD_IN_SYSCALL)
			printf(" in syscall %lld", (long long)t.syscall_nr);
		printf(" sigmask %#llx", (unsigned long long)t.sigmask);
		for (k = 0; k < t.nr_notes; k++) {
			struct ttrec_snap_note nt;

			memcpy(&nt, p + off, sizeof(nt));
			off += sizeof(nt);
			if (nt.type == NT_PRSTATUS && nt.size >= sizeof(struct user_regs_struct)) {
				struct user_regs_struct r;

				memcpy(&r, p + off, sizeof(r));
				printf(" ip %#llx sp %#llx ax %#llx",
				       (unsigned long long)r.rip, (unsigned long long)r.rsp,
				       (unsigned long long)r.rax);
			}
			off += (nt.size + 7) & ~7U;
		}
		p += t.size;
		left -= t.size;
		printf(" (%u register notes)\n", t.nr_notes);
	}
}

/* The madvise() advice a VMA carries, as " (hugepage, dontfork)", or "". */
static const char *vma_advice(const struct img_vma *v, char *b, size_t len)
{
	static const struct { uint32_t flag; const char *name; } adv[] = {
		{ TTREC_VMA_HUGEPAGE, "hugepage" },
		{ TTREC_VMA_NOHUGEPAGE, "nohugepage" },
		{ TTREC_VMA_DONTFORK, "dontfork" },
		{ TTREC_VMA_WIPEONFORK, "wipeonfork" },
		{ TTREC_VMA_DONTDUMP, "dontdump" },
	};
	size_t n = 0;

	b[0] = 0;
	for (unsigned int i = 0; i < sizeof(adv) / sizeof(adv[0]); i++)
		if ((v->flags & adv[i].flag) && n < len)
			n += snprintf(b + n, len - n, "%s%s", n ? ", " : " (", adv[i].name);
	if (n && n < len)
		snprintf(b + n, len - n, ")");
	return b;
}

static void dump_vmas(const struct img *im)
{
	uint32_t i;
	char prot[8], adv[80];

	printf("vmas: %u\n", im->nr_vmas);
	for (i = 0; i < im->nr_vmas; i++) {
		const struct img_vma *v = &im->vmas[i];

		prot_str(v->prot, v->flags, prot);
		printf("  %#llx-%#llx %s %-8s held %-6llu off %#llx dev %x:%x ino %llu %s%s\n",
		       (unsigned long long)v->start, (unsigned long long)v->end, prot,
		       vma_state(v), (unsigned long long)v->pages_held,
		       (unsigned long long)v->offset,
		       major(v->dev), minor(v->dev),
		       (unsigned long long)v->ino, vma_name(v),
		       vma_advice(v, adv, sizeof(adv)));
	}
	for (i = 0; i < im->nr_removed; i++) {
		const struct img_vma *v = &im->removed[i];

		prot_str(v->prot, v->flags, prot);
		printf("  gone since the parent: %#llx-%#llx %s %s\n",
		       (unsigned long long)v->start, (unsigned long long)v->end, prot,
		       vma_name(v));
	}
}

static void range_line(uint64_t a, uint64_t b, const char *what)
{
	printf("  %#llx-%#llx %llu %s\n", (unsigned long long)a, (unsigned long long)b,
	       (unsigned long long)((b - a) / IMG_PAGE_SIZE), what);
}

/* Every VMA cut into ranges: this image's runs, inherited, implicit zero. */
static void dump_pages(const struct img *im)
{
	uint32_t r = 0, n = 0, i;

	printf("pages: %llu data, %llu zero, %llu uncaptured listed in this image\n",
	       (unsigned long long)im->h.nr_data_pages, (unsigned long long)im->h.nr_zero_pages,
	       (unsigned long long)im->h.nr_uncaptured_pages);
	for (i = 0; i < im->nr_vmas; i++) {
		const struct img_vma *v = &im->vmas[i];
		uint64_t a = v->start;
		char prot[8];

		prot_str(v->prot, v->flags, prot);
		printf("vma %#llx-%#llx %s %s\n", (unsigned long long)v->start,
		       (unsigned long long)v->end, prot, vma_name(v));
		while (a < v->end) {
			uint64_t next = v->end;

			while (r < im->nr_runs &&
			       im->runs[r].addr + (uint64_t)im->runs[r].npages * IMG_PAGE_SIZE <= a)
				r++;
			while (n < im->nr_inherit && im->inherit[n].end <= a)
				n++;
			if (r < im->nr_runs && im->runs[r].addr <= a) {
				uint64_t e = im->runs[r].addr +
					     (uint64_t)im->runs[r].npages * IMG_PAGE_SIZE;

				next = e < v->end ? e : v->end;
				range_line(a, next, img_page_kind_name(im->runs[r].kind));
			} else {
				const char *what = "zero";

				if (r < im->nr_runs && im->runs[r].addr < next)
					next = im->runs[r].addr;
				if (n < im->nr_inherit && im->inherit[n].start <= a) {
					what = "parent";
					if (im->inherit[n].end < next)
						next = im->inherit[n].end;
				} else if (n < im->nr_inherit && im->inherit[n].start < next) {
					next = im->inherit[n].start;
				}
				range_line(a, next, what);
			}
			a = next;
		}
	}
}

static int dump_mem(struct img *im, uint64_t addr, uint64_t len, bool raw)
{
	uint8_t *buf = malloc(len);
	ssize_t n;
	int status = EXIT_OK;

	if (!buf)
		return EXIT_FAIL;
	n = img_pread(im, buf, len, addr);
	if (n > 0) {
		if (raw)
			fwrite(buf, 1, n, stdout);
		else
			for (ssize_t i = 0; i < n; i += 16)	/* 16 bytes a line */
				hexdump_line(stdout, "", addr + i, buf + i, n - i);
	}
	if (n < (ssize_t)len) {
		uint64_t at = addr + (n > 0 ? n : 0);
		int err = n > 0 ? img_pread(im, buf, 1, at) : n;
		const struct img_vma *v = img_find_vma(im, at);

		fflush(stdout);
		if (err == -EIO)
			pr_err("%#llx: not mapped in the snapshot (no VMA there)\n",
			       (unsigned long long)at);
		else if (err == -ENODATA && v && v->path[0])
			pr_err("%#llx: not captured: the page is %s's, offset %#llx, as it was never written privately\n",
			       (unsigned long long)at, v->path,
			       (unsigned long long)(v->offset + ((at & ~(uint64_t)(IMG_PAGE_SIZE - 1)) - v->start)));
		else if (err == -ENODATA)
			pr_err("%#llx: not captured (special memory)\n", (unsigned long long)at);
		else
			pr_err("%#llx: cannot read the image: %s\n", (unsigned long long)at,
			       strerror(-err));
		status = EXIT_FAIL;
	}
	free(buf);
	return status;
}

int cmd_dump_image(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pages", no_argument, NULL, 'p' },
		{ "state", no_argument, NULL, 's' },
		{ "mem", required_argument, NULL, 'm' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint64_t addr = 0, len = 0;
	bool pages = false, mem = false, raw = false, state = false;
	struct img *im;
	int c, status;

	while ((c = getopt_long(argc, argv, "psm:rh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pages = true;
			break;
		case 's':
			state = true;
			break;
		case 'm':
			if (parse_addr_len(optarg, 64ULL << 20, &addr, &len)) {
				pr_err("--mem: '%s' is not ADDR:LEN (LEN from 1 to 64 MiB; 0x for hex)\n",
				       optarg);
				return EXIT_USAGE;
			}
			mem = true;
			break;
		case 'r':
			raw = true;
			break;
		default:
			return cmd_usage_exit(c, dump_usage);
		}
	}
	if (!cmd_operands(argc, 1, dump_usage, "dump: give one image"))
		return EXIT_USAGE;
	if (raw && !mem) {
		pr_err("dump: --raw goes with --mem\n");
		return EXIT_USAGE;
	}
	if (state + pages + mem > 1) {
		pr_err("dump: give one of --pages, --state and --mem\n");
		return EXIT_USAGE;
	}
	if (img_open(argv[optind], &im))
		return EXIT_FAIL;
	status = EXIT_OK;
	if (mem) {
		status = dump_mem(im, addr, len, raw);
	} else if (pages) {
		dump_pages(im);
	} else if (state) {
		state_print(stdout, im);
	} else {
		printf("image: %s, pid %u (%s), %s\n", im->path, im->h.pid, im->h.comm,
		       (im->h.flags & IMG_F_INCREMENTAL) ? "incremental" : "full");
		dump_vmas(im);
		dump_threads(im);
	}
	fflush(stdout);
	img_close(im);
	return status;
}
