// SPDX-License-Identifier: GPL-2.0
/*
 * ttrec export: a recording as a timeline for the tools people already use
 * (--perfetto: Chrome trace-event JSON for ui.perfetto.dev, written by
 * format/trace_event.c). One pass through the journal with rec_reader;
 * what it keeps is a small state per live thread and process, so memory
 * does not grow with the recording.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/records.h"
#include "format/recording.h"
#include "format/trace_event.h"
#include "lib/log.h"
#include "lib/util.h"
#include "module/module.h"
#include "syscalls/print.h"
#include "syscalls/table.h"
#include "cmd/cmd.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ttrec export DIR --perfetto -o FILE [--from SEQ] [--to SEQ]\n"
		"\n"
		"Write the recording DIR as a timeline that ui.perfetto.dev (and\n"
		"chrome://tracing) opens: Chrome trace-event JSON, one track per thread,\n"
		"grouped by process. On each thread:\n"
		"  syscalls      slices named by the syscall, with the call as dump shows\n"
		"                it (arguments, result), its event number and result;\n"
		"                a slice ends at the recorded return and starts where the\n"
		"                thread went to sleep in it (the journal has no entry\n"
		"                times: a syscall that did not sleep is a 0-length slice)\n"
		"  off CPU       slices from each switch-out to the next switch-in, inside\n"
		"                the syscall that slept, named by the thread's state\n"
		"  instants      signals, wakeups, clone, fork, exec and exit\n"
		"The 'journal' process shows what the recording lacks: lost events\n"
		"(gaps) and damaged chunks, and the snapshots taken (--snapshot-interval)\n"
		"with their pause and their place in the journal; each thread shows\n"
		"where it parked for them. The export is streamed: its\n"
		"memory does not grow with the recording.\n"
		"\n"
		"Options:\n"
		"  -p, --perfetto     Chrome trace-event JSON (the only format so far)\n"
		"  -o, --output FILE  the file to write ('-': stdout)\n"
		"  -f, --from SEQ     from event number SEQ\n"
		"  -T, --to SEQ       up to event number SEQ\n"
		"  -h, --help         print this help\n"
		"\n"
		"Examples:\n"
		"  ttrec export /tmp/ls.rec --perfetto -o ls.json   # open it in ui.perfetto.dev\n"
		"  ttrec export build.rec --perfetto -o - | gzip > build.json.gz\n"
		"\n"
		"Exit status: 0 ok, 1 unreadable recording or write error, 2 usage error.\n");
}

/* The pid of the "journal" process: above PID_MAX_LIMIT, never a real one. */
#define JOURNAL_PID	4194305
#define JOURNAL_GAPS	1	/* its thread of gaps and damage */
#define JOURNAL_SNAPS	2	/* its thread of snapshots */

#define NBUCKETS	4096
#define NAME_MAX_LEN	64
#define RECENT_EXITS	64

struct proc {
	struct proc *next;
	uint32_t pid;
	char name[NAME_MAX_LEN];
};

struct thread {
	struct thread *next;
	uint32_t tid, pid;
	/* where its last syscall slice ended: the next one starts no earlier */
	uint64_t last_ns;
	/* its first switch-out asleep since its last syscall (0: none) */
	uint64_t block_ns;
	/* switched out and not back in yet */
	bool off;
	uint8_t off_preempt;
	uint32_t off_state, off_cpu;
	uint64_t off_ns, off_seq;
};

struct exporter {
	struct te_writer w;
	struct rec_reader rr;
	uint64_t from, to;
	uint32_t meta_pid;		/* the recorded process (meta "pid") */
	char meta_name[NAME_MAX_LEN];	/* its command's name */
	struct thread *threads[NBUCKETS];
	struct proc *procs[NBUCKETS];
	uint64_t nprocs;		/* processes seen: their sort order */
	/* threads that exited lately: their last switch-out comes after */
	uint32_t exited[RECENT_EXITS];
	unsigned int nexited;
	uint64_t last_ns;		/* the latest time seen */
	uint64_t bad_chunks;		/* damaged chunks reported so far */
	uint64_t damage_ns, damage_seq;	/* a damaged stretch waiting for its end */
	bool damage;
	char *call;			/* a syscall's text */
	size_t call_cap;
	FILE *callf;
};

static unsigned int bucket(uint32_t id)
{
	return (id * 2654435761u) >> 20 & (NBUCKETS - 1);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

static struct proc *proc_find(struct exporter *x, uint32_t pid)
{
	struct proc *p;

	for (p = x->procs[bucket(pid)]; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

/* Process @pid, made (named @name, or its pid's owner's) and announced if new. */
static struct proc *proc_get(struct exporter *x, uint32_t pid, const char *name)
{
	struct proc *p = proc_find(x, pid);

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	snprintf(p->name, sizeof(p->name), "%s", name ? name : x->meta_name);
	p->next = x->procs[bucket(pid)];
	x->procs[bucket(pid)] = p;
	te_process_name(&x->w, pid, p->name);
	te_process_sort(&x->w, pid, ++x->nprocs);
	return p;
}

static void proc_drop(struct exporter *x, uint32_t pid)
{
	struct proc **pp, *p;

	for (pp = &x->procs[bucket(pid)]; (p = *pp); pp = &p->next) {
		if (p->pid == pid) {
			*pp = p->next;
			free(p);
			return;
		}
	}
}

static struct thread *thread_find(struct exporter *x, uint32_t tid)
{
	struct thread *t;

	for (t = x->threads[bucket(tid)]; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

/*
 * Thread @tid of process @pid (0: the recorded process, or its own if it
 * is one), made and named if new. NULL only when out of memory.
 */
static struct thread *thread_add(struct exporter *x, uint32_t tid, uint32_t pid,
				 const char *name)
{
	struct thread *t = thread_find(x, tid);
	struct proc *p;

	if (t)
		return t;
	if (!pid)
		pid = x->meta_pid ? x->meta_pid : tid;
	p = proc_get(x, pid, name);
	t = calloc(1, sizeof(*t));
	if (!t || !p) {
		free(t);
		return NULL;
	}
	t->tid = tid;
	t->pid = pid;
	t->next = x->threads[bucket(tid)];
	x->threads[bucket(tid)] = t;
	te_thread_name(&x->w, pid, tid, p->name);
	return t;
}

static void thread_drop(struct exporter *x, uint32_t tid)
{
	struct thread **pp, *t;

	for (pp = &x->threads[bucket(tid)]; (t = *pp); pp = &t->next) {
		if (t->tid == tid) {
			*pp = t->next;
			free(t);
			break;
		}
	}
	x->exited[x->nexited++ % RECENT_EXITS] = tid;
}

static bool recently_exited(const struct exporter *x, uint32_t tid)
{
	unsigned int i, n = x->nexited < RECENT_EXITS ? x->nexited : RECENT_EXITS;

	for (i = 0; i < n; i++)
		if (x->exited[i] == tid)
			return true;
	return false;
}

/* An event of thread @t (or of @pid/@tid when @t is NULL). */
static void begin(struct exporter *x, char ph, const struct thread *t, uint64_t ts,
		  uint64_t dur, const char *cat, const char *name)
{
	te_begin(&x->w, &(struct te_event){
		.ph = ph, .scope = 't', .pid = t->pid, .tid = t->tid, .ts_ns = ts,
		.dur_ns = dur, .cat = cat, .name = name });
}

/* The journal's own track: gaps, damage, snapshots. */
static void begin_journal(struct exporter *x, char ph, uint32_t tid, uint64_t ts,
			  uint64_t dur, const char *cat, const char *name)
{
	te_begin(&x->w, &(struct te_event){
		.ph = ph, .scope = 'g', .pid = JOURNAL_PID, .tid = tid, .ts_ns = ts,
		.dur_ns = dur, .cat = cat, .name = name });
}

static const char *call_text(struct exporter *x, const struct rec_event *ev, size_t *len)
{
	rewind(x->callf);
	syscall_print(x->callf, ev);
	fflush(x->callf);
	*len = ftell(x->callf);
	return x->call;
}

static void export_sys(struct exporter *x, struct thread *t, const struct rec_event *ev,
		       uint64_t end)
{
	const struct rec_sys *s = ev->rec;
	const char *name = syscall_name(s->nr);
	char nb[SYSCALL_NR_STR], nbuf[SYSCALL_NR_STR + 10];
	const char *text;
	uint64_t start = end;
	size_t len;

	if (!name) {
		snprintf(nbuf, sizeof(nbuf), "syscall(%s)", syscall_nr_str(s->nr, nb, sizeof(nb)));
		name = nbuf;
	}
	if (end < t->last_ns)
		end = t->last_ns;
	/* it slept from its first switch-out on; it entered just before */
	if (t->block_ns && t->block_ns - 1 < end)
		start = t->block_ns - 1;
	if (start < t->last_ns)
		start = t->last_ns;
	begin(x, TE_COMPLETE, t, start, end - start, "syscall", name);
	te_arg_u64(&x->w, "seq", ev->seq);
	text = call_text(x, ev, &len);
	te_arg_str(&x->w, "call", text, len);
	if (!(s->flags & REC_SF_NORETURN)) {
		te_arg_i64(&x->w, "ret", s->ret);
		if (s->ret < 0 && s->ret >= -4095 && strerrorname_np(-s->ret))
			te_arg_cstr(&x->w, "errno", strerrorname_np(-s->ret));
	}
	te_end(&x->w);
	t->last_ns = end;
	t->block_ns = 0;
}

static void export_signal(struct exporter *x, struct thread *t, const struct rec_event *ev,
			  uint64_t ts)
{
	const struct rec_signal *s = ev->rec;
	const char *sn = sigabbrev_np(s->sig);
	char name[32];
	int32_t pid;
	uint32_t uid;

	if (sn)
		snprintf(name, sizeof(name), "SIG%s", sn);
	else
		snprintf(name, sizeof(name), "signal %u", s->sig);
	begin(x, TE_INSTANT, t, ts, 0, "signal", name);
	te_arg_u64(&x->w, "seq", ev->seq);
	te_arg_i64(&x->w, "code", s->code);
	if (rec_signal_sender(s, &pid, &uid)) {
		te_arg_i64(&x->w, "from", pid);
		te_arg_u64(&x->w, "uid", uid);
	}
	te_arg_u64(&x->w, "handler", s->handler);
	if (s->syscall >= 0 && syscall_name(s->syscall)) {
		te_arg_cstr(&x->w, "interrupted", syscall_name(s->syscall));
		te_arg_i64(&x->w, "interrupted_ret", s->ax);
	}
	te_arg_u64(&x->w, "ip", s->ip);
	te_end(&x->w);
}

/* The states of a switched-out task (rec_sched.state, the kernel's __state). */
#define TASK_S	0x1	/* TASK_INTERRUPTIBLE */
#define TASK_D	0x2	/* TASK_UNINTERRUPTIBLE */
#define TASK_T	0x4	/* __TASK_STOPPED */
#define TASK_t	0x8	/* __TASK_TRACED */

static const char *off_name(uint32_t state, bool preempt)
{
	if (state == 0)
		return preempt ? "off CPU: preempted" : "off CPU: runnable";
	if (state & TASK_S)
		return "off CPU: sleeping (S)";
	if (state & TASK_D)
		return "off CPU: disk sleep (D)";
	if (state & TASK_T)
		return "off CPU: stopped (T)";
	if (state & TASK_t)
		return "off CPU: traced (t)";
	return "off CPU: exiting";
}

/* The off-CPU slice of @t, from its switch-out to @end (switch-in @in_seq, 0: none). */
static void export_off(struct exporter *x, struct thread *t, uint64_t end, uint64_t in_seq)
{
	uint64_t start = t->off_ns;

	if (end < start)
		end = start;
	begin(x, TE_COMPLETE, t, start, end - start, "sched", off_name(t->off_state, t->off_preempt));
	te_arg_u64(&x->w, "out_seq", t->off_seq);
	if (in_seq)
		te_arg_u64(&x->w, "in_seq", in_seq);
	else
		te_arg_bool(&x->w, "switched_in", false);
	te_arg_u64(&x->w, "cpu", t->off_cpu);
	te_arg_u64(&x->w, "state", t->off_state);
	te_end(&x->w);
	t->off = false;
}

static void sched_instant(struct exporter *x, const struct thread *t,
			  const struct rec_event *ev, uint64_t ts, const char *name)
{
	const struct rec_sched *s = ev->rec;

	begin(x, TE_INSTANT, t, ts, 0, "sched", name);
	te_arg_u64(&x->w, "seq", ev->seq);
	te_arg_u64(&x->w, "cpu", s->cpu);
	if (s->kind == REC_SCHED_WAKEUP)
		te_arg_u64(&x->w, "by", s->other);
	te_end(&x->w);
}

static void export_sched(struct exporter *x, struct thread *t, const struct rec_event *ev,
			 uint64_t ts)
{
	const struct rec_sched *s = ev->rec;

	switch (s->kind) {
	case REC_SCHED_OUT:
		if (t->off)	/* out twice: the first one alone */
			export_off(x, t, t->off_ns, 0);
		t->off = true;
		t->off_ns = ts < t->last_ns ? t->last_ns : ts;
		t->off_seq = ev->seq;
		t->off_state = s->state;
		t->off_preempt = s->preempt;
		t->off_cpu = s->cpu;
		break;
	case REC_SCHED_IN:
		if (!t->off) {
			sched_instant(x, t, ev, ts, "switch-in");
			break;
		}
		/*
		 * Asleep (S, D): in a syscall, whose slice starts here. Not a
		 * ptrace stop (t): the recorder's, at a signal or an exec.
		 */
		if ((t->off_state & (TASK_S | TASK_D)) && !t->block_ns)
			t->block_ns = t->off_ns;
		export_off(x, t, ts, ev->seq);
		break;
	default:
		sched_instant(x, t, ev, ts, "wakeup");
	}
}

static void export_task(struct exporter *x, struct thread *t, const struct rec_event *ev,
			uint64_t ts)
{
	const struct rec_task *k = ev->rec;
	const char *file = NULL;
	char st[64];
	struct proc *p;

	switch (k->kind) {
	case REC_TASK_CLONE:
		begin(x, TE_INSTANT, t, ts, 0, "task", "clone");
		te_arg_u64(&x->w, "seq", ev->seq);
		te_arg_u64(&x->w, "child", k->child);
		te_end(&x->w);
		p = proc_find(x, t->pid);
		thread_add(x, k->child, t->pid, p ? p->name : NULL);
		break;
	case REC_TASK_FORK:
		begin(x, TE_INSTANT, t, ts, 0, "task", "fork");
		te_arg_u64(&x->w, "seq", ev->seq);
		te_arg_u64(&x->w, "child", k->child);
		te_arg_bool(&x->w, "traced", k->traced);
		te_end(&x->w);
		if (k->traced) {
			p = proc_find(x, t->pid);
			thread_add(x, k->child, k->child, p ? p->name : NULL);
		}
		break;
	case REC_TASK_EXEC:
		if (ev->len > sizeof(*k))
			file = (const char *)ev->rec + sizeof(*k);
		begin(x, TE_INSTANT, t, ts, 0, "task", "exec");
		te_arg_u64(&x->w, "seq", ev->seq);
		if (file)
			te_arg_str(&x->w, "file", file, strnlen(file, ev->len - sizeof(*k)));
		te_end(&x->w);
		p = proc_find(x, t->pid);
		if (p && file) {
			char name[REC_COMM_LEN];

			snprintf(name, sizeof(name), "%.*s", (int)strnlen(file,
				 ev->len - sizeof(*k)), file);
			if (strncmp(p->name, base_name(name), sizeof(p->name) - 1)) {
				snprintf(p->name, sizeof(p->name), "%.*s", NAME_MAX_LEN - 1,
					 base_name(name));
				te_process_name(&x->w, p->pid, p->name);
				te_thread_name(&x->w, p->pid, t->tid, p->name);
			}
		}
		break;
	default:
		ttrec_wait_status_str(k->exit_code, st, sizeof(st));
		begin(x, TE_INSTANT, t, ts, 0, "task", "exit");
		te_arg_u64(&x->w, "seq", ev->seq);
		te_arg_cstr(&x->w, "status", st);
		te_arg_bool(&x->w, "last_thread", k->group_dead);
		te_end(&x->w);
		if (t->off)
			export_off(x, t, ts, 0);
		if (k->group_dead)
			proc_drop(x, t->pid);
		thread_drop(x, t->tid);
	}
}

static void export_gap(struct exporter *x, const struct rec_event *ev)
{
	const struct rec_gap *g = ev->rec;
	char name[64];

	snprintf(name, sizeof(name), "%llu events lost", (unsigned long long)g->lost);
	begin_journal(x, TE_INSTANT, JOURNAL_GAPS, x->last_ns, 0, "gap", name);
	te_arg_u64(&x->w, "seq", ev->seq);
	te_arg_u64(&x->w, "lost", g->lost);
	te_arg_u64(&x->w, "not_replayable_from", g->from_seq);
	te_end(&x->w);
}

/* Damaged chunks were skipped before this event: a slice up to @end. */
static void export_damage(struct exporter *x, uint64_t end, uint64_t end_seq)
{
	uint64_t n = x->rr.bad_chunks;

	begin_journal(x, TE_COMPLETE, JOURNAL_GAPS, x->damage_ns,
		      end > x->damage_ns ? end - x->damage_ns : 0, "damage",
		      "damaged journal: events unknown");
	te_arg_u64(&x->w, "after_seq", x->damage_seq);
	if (end_seq)
		te_arg_u64(&x->w, "before_seq", end_seq);
	te_arg_u64(&x->w, "chunks_skipped", n - x->bad_chunks);
	te_end(&x->w);
	x->bad_chunks = n;
	x->damage = false;
}

/* A thread parked for a snapshot: an instant on its track. */
static void export_snap_park(struct exporter *x, const struct thread *t,
			     const struct rec_event *ev, uint64_t ts)
{
	const struct rec_snap_park *p = ev->rec;

	begin(x, TE_INSTANT, t, ts, 0, "snapshot", "parked for a snapshot");
	te_arg_u64(&x->w, "seq", ev->seq);
	te_arg_u64(&x->w, "park", p->park);
	if (p->flags & REC_SNAPT_SYSCALL && syscall_name(p->nr))
		te_arg_cstr(&x->w, "syscall", syscall_name(p->nr));
	te_arg_bool(&x->w, "in_syscall", p->flags & REC_SNAPT_IN_SYSCALL);
	te_end(&x->w);
}

/* The snapshot's place in the journal: an instant on the snapshots track. */
static void export_snap_taken(struct exporter *x, const struct rec_event *ev, uint64_t ts)
{
	const struct rec_snap *r = ev->rec;

	begin_journal(x, TE_INSTANT, JOURNAL_SNAPS, ts, 0, "snapshot", "snapshot in the journal");
	te_arg_u64(&x->w, "seq", ev->seq);
	te_arg_cstr(&x->w, "image", r->image);
	te_arg_u64(&x->w, "snap_id", r->snap_id);
	te_arg_u64(&x->w, "pid", r->tid);
	te_arg_u64(&x->w, "threads", r->nthreads);
	te_end(&x->w);
}

static void export_event(struct exporter *x, const struct rec_event *ev, uint64_t *last_seq)
{
	struct thread *t;
	uint64_t ts;
	bool unknown = !ev->ts;

	if (x->rr.bad_chunks > x->bad_chunks && !x->damage) {
		x->damage = true;
		x->damage_ns = x->last_ns;
		x->damage_seq = *last_seq;
	}
	if (ev->ts && ev->ts > x->last_ns)
		x->last_ns = ev->ts;
	if (x->damage && ev->ts)
		export_damage(x, ev->ts, ev->seq);
	*last_seq = ev->seq;
	if (ev->seq < x->from || ev->seq > x->to)
		return;
	if (ev->type == REC_GAP) {
		export_gap(x, ev);
		return;
	}
	if (!rec_is_timed(ev->type))
		return;
	ts = unknown ? x->last_ns : ev->ts;
	if (ev->type == REC_SNAP && ((const struct rec_snap *)ev->rec)->kind == REC_SNAP_TAKEN) {
		export_snap_taken(x, ev, ts);
		return;
	}
	t = thread_find(x, ev->tid);
	if (!t && ev->type == REC_SCHED &&
	    ((const struct rec_sched *)ev->rec)->kind == REC_SCHED_OUT &&
	    recently_exited(x, ev->tid)) {
		/* a thread's last switch-out, after its exit */
		struct thread dead = { .tid = ev->tid, .pid = x->meta_pid ? x->meta_pid : ev->tid };

		sched_instant(x, &dead, ev, ts, "switch-out at exit");
		return;
	}
	if (!t)
		t = thread_add(x, ev->tid, ev->type == REC_TASK ?
			       ((const struct rec_task *)ev->rec)->tgid : 0, NULL);
	if (!t)
		return;
	switch (ev->type) {
	case REC_SYS:
		export_sys(x, t, ev, ts);
		break;
	case REC_SIGNAL:
		export_signal(x, t, ev, ts);
		break;
	case REC_SCHED:
		export_sched(x, t, ev, ts);
		break;
	case REC_TASK:
		export_task(x, t, ev, ts);
		break;
	case REC_SNAP:
		export_snap_park(x, t, ev, ts);
		break;
	}
}

/* The snapshots meta lists: "snapshot=NAME monotonic_ns=N pause_ns=N ...". */
static void export_snapshots(struct exporter *x, const char *dir)
{
	char path[4096], line[1024], name[256];
	unsigned long long ts, pause;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, RECORDING_META);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "snapshot=%255s monotonic_ns=%llu pause_ns=%llu",
			   name, &ts, &pause) != 3)
			continue;
		begin_journal(x, TE_COMPLETE, JOURNAL_SNAPS, ts, pause, "snapshot",
			      "snapshot pause");
		te_arg_cstr(&x->w, "image", name);
		te_end(&x->w);
		te_begin(&x->w, &(struct te_event){
			.ph = TE_INSTANT, .scope = 'p', .pid = x->meta_pid, .tid = x->meta_pid,
			.ts_ns = ts, .cat = "snapshot", .name = "snapshot" });
		te_arg_cstr(&x->w, "image", name);
		te_arg_u64(&x->w, "pause_ns", pause);
		te_end(&x->w);
	}
	fclose(f);
}

/* What is still open at the end: threads off CPU, damage not followed by anything. */
static void export_end(struct exporter *x, uint64_t last_seq)
{
	struct thread *t, *n;
	struct proc *p, *pn;
	unsigned int i;

	if (x->rr.bad_chunks > x->bad_chunks && !x->damage) {
		x->damage = true;
		x->damage_ns = x->last_ns;
		x->damage_seq = last_seq;
	}
	if (x->damage)
		export_damage(x, x->last_ns, 0);
	for (i = 0; i < NBUCKETS; i++) {
		for (t = x->threads[i]; t; t = n) {
			n = t->next;
			if (t->off)
				export_off(x, t, x->last_ns, 0);
			free(t);
		}
		for (p = x->procs[i]; p; p = pn) {
			pn = p->next;
			free(p);
		}
	}
}

static int export_perfetto(const char *dir, FILE *out, uint64_t from, uint64_t to)
{
	struct exporter *x = calloc(1, sizeof(*x));
	char val[4096], tail[4096];
	const char *other[8] = { "recording", dir };
	struct rec_event ev = { 0 };
	uint64_t last_seq = 0;
	int ret, n = 2;

	if (!x)
		return -ENOMEM;
	x->from = from;
	x->to = to;
	x->callf = open_memstream(&x->call, &x->call_cap);
	if (!x->callf) {
		free(x);
		return -ENOMEM;
	}
	if (rec_reader_open(&x->rr, dir)) {
		ret = -ENOENT;
		goto out;
	}
	if (!recording_meta_get(dir, "pid", val, sizeof(val)))
		parse_u32(val, &x->meta_pid);
	snprintf(x->meta_name, sizeof(x->meta_name), "process");
	if (!recording_meta_get(dir, "command", val, sizeof(val))) {
		char *sp = strchr(val, ' ');

		if (sp)
			*sp = 0;
		snprintf(x->meta_name, sizeof(x->meta_name), "%.*s", NAME_MAX_LEN - 1, base_name(val));
	}
	/* REC_START comes first: the origin of the timeline */
	ret = rec_reader_next(&x->rr, &ev);
	te_start(&x->w, out, x->rr.start_ns ? x->rr.start_ns : ev.ts);
	te_process_name(&x->w, JOURNAL_PID, "journal");
	te_thread_name(&x->w, JOURNAL_PID, JOURNAL_GAPS, "gaps and damage");
	te_thread_name(&x->w, JOURNAL_PID, JOURNAL_SNAPS, "snapshots");
	te_process_sort(&x->w, JOURNAL_PID, 0);
	x->last_ns = x->rr.start_ns;
	if (x->meta_pid)
		proc_get(x, x->meta_pid, NULL);
	export_snapshots(x, dir);
	for (; ret > 0; ret = rec_reader_next(&x->rr, &ev))
		export_event(x, &ev, &last_seq);
	export_end(x, last_seq);
	if (!recording_meta_get(dir, "command", val, sizeof(val))) {
		other[n++] = "command";
		other[n++] = val;
	}
	snprintf(tail, sizeof(tail), "%llu", (unsigned long long)last_seq);
	other[n++] = "last_seq";
	other[n++] = tail;
	if (ret < 0)
		pr_err("%s: reading the journal failed: %s\n", dir, strerror(-ret));
	n = te_finish(&x->w, other);
	if (n) {
		pr_err("export: writing failed: %s\n", strerror(-n));
		ret = n;
	}
	rec_reader_close(&x->rr);
out:
	fclose(x->callf);
	free(x->call);
	free(x);
	return ret < 0 ? ret : 0;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "perfetto", no_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint64_t from = 0, to = UINT64_MAX;
	const char *path = NULL;
	static char buf[1 << 20];
	FILE *out;
	int c, ret;

	while ((c = getopt_long(argc, argv, "po:f:T:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			break;
		case 'o':
			path = optarg;
			break;
		case 'f':
		case 'T':
			if (parse_u64(optarg, c == 'f' ? &from : &to)) {
				pr_err("--%s: '%s' is not a sequence number\n",
				       c == 'f' ? "from" : "to", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			return cmd_usage_exit(c, usage);
		}
	}
	if (!cmd_operands(argc, 1, usage, "export: give one recording directory"))
		return EXIT_USAGE;
	if (!path) {
		pr_err("export: give the output file (-o FILE, '-' for stdout)\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	out = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!out) {
		pr_err("export: cannot create %s: %s\n", path, strerror(errno));
		return EXIT_FAIL;
	}
	setvbuf(out, buf, _IOFBF, sizeof(buf));
	ret = export_perfetto(argv[optind], out, from, to);
	if (out != stdout && fclose(out) && !ret) {
		pr_err("export: writing %s failed: %s\n", path, strerror(errno));
		ret = -EIO;
	}
	return ret ? EXIT_FAIL : EXIT_OK;
}
