// SPDX-License-Identifier: GPL-2.0
/*
 * The process state of an image in words: a summary for ttrec info, all
 * of it for ttrec dump --state.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>

#include "image/image.h"
#include "lib/util.h"

static void sig_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, len, "signal %d", sig);
}

/* A signal set as "SIGA,SIGB" ("-" when empty). */
static void print_sigset(FILE *f, uint64_t set)
{
	char name[32];
	bool any = false;
	int sig;

	for (sig = 1; sig <= STATE_NSIG; sig++) {
		if (!(set & (1ULL << (sig - 1))))
			continue;
		sig_name(sig, name, sizeof(name));
		fprintf(f, "%s%s", any ? "," : "", name);
		any = true;
	}
	if (!any)
		fputc('-', f);
}

struct bit_name {
	uint64_t bit;
	const char *name;
};

static void print_bits(FILE *f, uint64_t v, const struct bit_name *t)
{
	bool any = false;

	for (; t->name; t++) {
		if (v & t->bit) {
			fprintf(f, "%s%s", any ? "|" : "", t->name);
			v &= ~t->bit;
			any = true;
		}
	}
	if (v)
		fprintf(f, "%s%#" PRIx64, any ? "|" : "", v);
	else if (!any)
		fputc('0', f);
}

static const struct bit_name sa_flags[] = {
	{ SA_NOCLDSTOP, "SA_NOCLDSTOP" }, { SA_NOCLDWAIT, "SA_NOCLDWAIT" },
	{ SA_SIGINFO, "SA_SIGINFO" }, { 0x04000000, "SA_RESTORER" },
	{ SA_ONSTACK, "SA_ONSTACK" }, { SA_RESTART, "SA_RESTART" },
	{ SA_NODEFER, "SA_NODEFER" }, { SA_RESETHAND, "SA_RESETHAND" },
	{ 0, NULL },
};

static const struct bit_name ss_flags[] = {
	{ SS_ONSTACK, "SS_ONSTACK" }, { SS_DISABLE, "SS_DISABLE" },
	{ 1U << 31, "SS_AUTODISARM" },
	{ 0, NULL },
};

static const struct bit_name fd_flags[] = {
	{ TTREC_FDF_CLOEXEC, "cloexec" }, { TTREC_FDF_READ, "read" },
	{ TTREC_FDF_WRITE, "write" }, { TTREC_FDF_DELETED, "deleted" },
	{ TTREC_FDF_NO_PATH, "no-path" }, { TTREC_FDF_TRUNCATED, "truncated" },
	{ 0, NULL },
};

static const struct bit_name proc_flags[] = {
	{ TTREC_PROC_NO_NEW_PRIVS, "no-new-privs" },
	{ TTREC_PROC_CHILD_SUBREAPER, "child-subreaper" },
	{ TTREC_PROC_THP_DISABLED, "thp-disabled" },
	{ TTREC_PROC_FS_UNSHARED, "fs-unshared" },
	{ TTREC_PROC_PENDING_TRUNCATED, "pending-truncated" },
	{ 0, NULL },
};

static const struct bit_name fds_state[] = {
	{ TTREC_FDS_TRUNCATED, "truncated" },
	{ TTREC_FDS_DATA_TRUNCATED, "data-truncated" },
	{ TTREC_FDS_UNSHARED, "unshared" },
	{ TTREC_FDS_NO_TABLE, "no-table" },
	{ 0, NULL },
};

static void print_ns(FILE *f, uint64_t ns)
{
	fprintf(f, "%llu.%09llu s", (unsigned long long)ns / 1000000000ULL,
		(unsigned long long)ns % 1000000000ULL);
}

static void print_rlim(FILE *f, uint64_t v)
{
	if (v == ~0ULL)
		fputs("unlimited", f);
	else
		fprintf(f, "%" PRIu64, v);
}

static void print_siginfo(FILE *f, const char *indent, const siginfo_t *si)
{
	char name[32];

	sig_name(si->si_signo, name, sizeof(name));
	fprintf(f, "%s%s code %d pid %d uid %u value %#llx\n", indent, name, si->si_code,
		si->si_pid, si->si_uid, (unsigned long long)(uintptr_t)si->si_value.sival_ptr);
}

const char *state_sockaddr_str(char *buf, size_t n, const uint8_t *a, uint32_t len)
{
	sa_family_t fam;
	char ip[INET6_ADDRSTRLEN];

	if (len < sizeof(fam)) {
		snprintf(buf, n, "-");
		return buf;
	}
	memcpy(&fam, a, sizeof(fam));
	if (fam == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		memcpy(&sin, a, sizeof(sin));
		snprintf(buf, n, "%s:%u", inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip)),
			 ntohs(sin.sin_port));
	} else if (fam == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, a, sizeof(sin6));
		snprintf(buf, n, "[%s]:%u", inet_ntop(AF_INET6, &sin6.sin6_addr, ip, sizeof(ip)),
			 ntohs(sin6.sin6_port));
	} else if (fam == AF_UNIX) {
		size_t k = len - sizeof(fam);
		const char *p = (const char *)a + sizeof(fam);

		if (!k)
			snprintf(buf, n, "unix:unnamed");
		else if (!p[0])
			snprintf(buf, n, "unix:@%.*s", (int)k - 1, p + 1);
		else
			snprintf(buf, n, "unix:%.*s", (int)strnlen(p, k), p);
	} else {
		snprintf(buf, n, "family %u, %u bytes", fam, len);
	}
	return buf;
}

static void print_sockaddr(FILE *f, const uint8_t *a, uint32_t len)
{
	char buf[STATE_SOCKADDR_STR];

	fputs(state_sockaddr_str(buf, sizeof(buf), a, len), f);
}

/* ------------------------------------------------------------- summary */

void state_print_summary(FILE *f, const struct img *im)
{
	const struct img_state *st = img_state(im);
	uint32_t count[TTREC_FD_OTHER + 1] = { 0 }, handlers = 0, ignored = 0, tpend = 0, i;
	const struct ttrec_snap_proc *p;
	bool any = false;

	if (!st) {
		if (im->h.version < 2)
			fprintf(f, "state: none (a format version 1 image); the image cannot be restored\n");
		else
			fprintf(f, "state: none (taken by a module without process state); a restore brings back memory and threads only\n");
		return;
	}
	p = &st->proc.p;
	for (i = 0; st->proc.sigactions && i < STATE_NSIG; i++) {
		handlers += st->proc.sigactions[i].handler > 1;
		ignored += st->proc.sigactions[i].handler == 1;
	}
	for (i = 0; i < st->nr_threads; i++)
		tpend += st->threads[i].nr_pending;
	fprintf(f, "state: pid %u, ppid %u, uid %u, gid %u, umask %04o, cwd %s\n", p->pid,
		p->ppid, p->uid, p->gid, p->umask, st->proc.cwd ? st->proc.cwd : "?");
	fprintf(f, "state: %u signal handlers, %u ignored; pending: %u for the process, %u for threads\n",
		handlers, ignored, st->proc.nr_pending, tpend);
	fprintf(f, "state: timers:");
	if (p->itimer[ITIMER_REAL].value_ns) {
		fputs(" ITIMER_REAL ", f);
		print_ns(f, p->itimer[ITIMER_REAL].value_ns);
	}
	if (p->itimer[ITIMER_VIRTUAL].value_ns) {
		fputs(" ITIMER_VIRTUAL ", f);
		print_ns(f, p->itimer[ITIMER_VIRTUAL].value_ns);
	}
	if (p->itimer[ITIMER_PROF].value_ns) {
		fputs(" ITIMER_PROF ", f);
		print_ns(f, p->itimer[ITIMER_PROF].value_ns);
	}
	fprintf(f, "%s; %u POSIX timers\n",
		p->itimer[0].value_ns | p->itimer[1].value_ns | p->itimer[2].value_ns ? "" : " none",
		p->nr_posix_timers);
	for (i = 0; i < st->nr_fds; i++)
		if (st->fds[i].h.kind <= TTREC_FD_OTHER)
			count[st->fds[i].h.kind]++;
	fprintf(f, "state: %u descriptors (", st->nr_fds);
	for (i = 1; i <= TTREC_FD_OTHER; i++) {
		if (!count[i])
			continue;
		fprintf(f, "%s%u %s", any ? ", " : "", count[i], state_fd_kind_name(i));
		any = true;
	}
	fputs(")", f);
	if (st->fds_state) {
		fprintf(f, " of %u, ", st->fds_total);
		print_bits(f, st->fds_state, fds_state);
	}
	fputc('\n', f);
}

/* ------------------------------------------------------------- all of it */

static void print_process(FILE *f, const struct img_state *st)
{
	const struct img_proc_state *ps = &st->proc;
	const struct ttrec_snap_proc *p = &ps->p;
	char name[32];
	uint32_t i;

	fprintf(f, "process: pid %u ppid %u pgid %u sid %u tty %u:%u (foreground %u) comm %s\n",
		p->pid, p->ppid, p->pgid, p->sid, major(p->tty_nr), minor(p->tty_nr), p->tty_pgrp,
		(const char *)p->comm);
	sig_name(p->exit_signal, name, sizeof(name));
	fprintf(f, "  personality %#x umask %04o exit signal %s dumpable %u oom_score_adj %d securebits %#x flags ",
		p->personality, p->umask, p->exit_signal ? name : "none", p->dumpable,
		p->oom_score_adj, p->securebits);
	print_bits(f, p->flags, proc_flags);
	fprintf(f, "\n  uid %u euid %u suid %u fsuid %u gid %u egid %u sgid %u fsgid %u groups",
		p->uid, p->euid, p->suid, p->fsuid, p->gid, p->egid, p->sgid, p->fsgid);
	for (i = 0; i < ps->nr_groups; i++)
		fprintf(f, " %u", ps->groups[i]);
	fprintf(f, "\n  capabilities inheritable %#" PRIx64 " permitted %#" PRIx64
		" effective %#" PRIx64 " bounding %#" PRIx64 " ambient %#" PRIx64 "\n",
		(uint64_t)p->cap_inheritable, (uint64_t)p->cap_permitted,
		(uint64_t)p->cap_effective, (uint64_t)p->cap_bset, (uint64_t)p->cap_ambient);
	fprintf(f, "  exe %s (dev %u:%u ino %" PRIu64 ")\n  cwd %s\n  root %s\n",
		ps->exe ? ps->exe : "-", major(p->exe_dev), minor(p->exe_dev),
		(uint64_t)p->exe_ino, ps->cwd ? ps->cwd : "-", ps->root ? ps->root : "-");
	fprintf(f, "  layout: code %#" PRIx64 "-%#" PRIx64 " data %#" PRIx64 "-%#" PRIx64
		" brk %#" PRIx64 "-%#" PRIx64 " stack %#" PRIx64 " args %#" PRIx64 "-%#" PRIx64
		" env %#" PRIx64 "-%#" PRIx64 "\n",
		(uint64_t)p->start_code, (uint64_t)p->end_code, (uint64_t)p->start_data,
		(uint64_t)p->end_data, (uint64_t)p->start_brk, (uint64_t)p->brk,
		(uint64_t)p->start_stack, (uint64_t)p->arg_start, (uint64_t)p->arg_end,
		(uint64_t)p->env_start, (uint64_t)p->env_end);
	fputs("  limits (soft/hard):", f);
	for (i = 0; i < TTREC_RLIM_NLIMITS; i++) {
		fprintf(f, "%s %s ", i % 6 ? "" : "\n   ", state_rlimit_name(i));
		print_rlim(f, p->rlim[i].cur);
		fputc('/', f);
		print_rlim(f, p->rlim[i].max);
	}
	fputc('\n', f);
	for (i = 0; i < 3; i++) {
		static const char *const names[] = { "ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF" };

		fprintf(f, "  %s ", names[i]);
		if (!p->itimer[i].value_ns) {
			fputs("off\n", f);
			continue;
		}
		print_ns(f, p->itimer[i].value_ns);
		fputs(" left, interval ", f);
		print_ns(f, p->itimer[i].interval_ns);
		fputc('\n', f);
	}
	fprintf(f, "  POSIX timers: %u\n", p->nr_posix_timers);
	for (i = 0; i < ps->nr_timers; i++) {
		const struct ttrec_posix_timer *t = &ps->timers[i];

		sig_name(t->signo, name, sizeof(name));
		fprintf(f, "    timer %d clock %d notify %#x %s value %#" PRIx64 " target %d next in ",
			t->id, t->clockid, t->notify, name, (uint64_t)t->value, t->target);
		if (t->flags & TTREC_PTIMER_VALUE_UNKNOWN)
			fputs("unknown", f);
		else
			print_ns(f, t->value_ns);
		fputs(" interval ", f);
		print_ns(f, t->interval_ns);
		fputc('\n', f);
	}
	fputs("  auxv:", f);
	for (i = 0; i < ps->nr_auxv; i++)
		fprintf(f, "%s %" PRIu64 "=%#" PRIx64, i % 4 ? "" : "\n   ", ps->auxv[2 * i],
			ps->auxv[2 * i + 1]);
	fputs("\n  signal actions (the others default):\n", f);
	for (i = 0; ps->sigactions && i < STATE_NSIG; i++) {
		const struct ttrec_sigaction *a = &ps->sigactions[i];

		if (!a->handler && !a->flags && !a->mask)
			continue;
		sig_name(i + 1, name, sizeof(name));
		fprintf(f, "    %-12s ", name);
		if (a->handler == 1)
			fputs("ignored", f);
		else if (!a->handler)
			fputs("default", f);
		else
			fprintf(f, "handler %#" PRIx64, (uint64_t)a->handler);
		fputs(" flags ", f);
		print_bits(f, a->flags, sa_flags);
		fputs(" mask ", f);
		print_sigset(f, a->mask);
		fprintf(f, " restorer %#" PRIx64 "\n", (uint64_t)a->restorer);
	}
	fputs("  pending for the process: ", f);
	print_sigset(f, p->shared_pending);
	fputc('\n', f);
	for (i = 0; i < ps->nr_pending; i++)
		print_siginfo(f, "    ", &ps->pending[i]);
}

static void print_thread(FILE *f, const struct img_thread_state *ts)
{
	const struct ttrec_snap_tstate *t = &ts->t;
	uint32_t i;

	if (!ts->has_state) {
		fprintf(f, "thread %u: no state\n", ts->tid);
		return;
	}
	fprintf(f, "thread %u: comm %s\n", ts->tid, (const char *)t->comm);
	fprintf(f, "  sigaltstack %#" PRIx64 " size %" PRIu64 " flags ", (uint64_t)t->sas_sp,
		(uint64_t)t->sas_size);
	print_bits(f, t->sas_flags, ss_flags);
	fputc('\n', f);
	fprintf(f, "  clear_child_tid %#" PRIx64 " robust_list %#" PRIx64 " (%" PRIu64 " bytes)\n",
		(uint64_t)t->clear_child_tid, (uint64_t)t->robust_list,
		(uint64_t)t->robust_list_len);
	fprintf(f, "  rseq %#" PRIx64 " (%u bytes%s, signature %#x)\n", (uint64_t)t->rseq,
		t->rseq_len, t->flags & TTREC_TSTATE_RSEQ_LEN_GUESSED ? ", assumed" : "",
		t->rseq_sig);
	fprintf(f, "  pdeath_signal %d seccomp mode %u timer slack %" PRIu64 " ns\n",
		t->pdeath_signal, t->seccomp_mode, (uint64_t)t->timer_slack_ns);
	fputs("  pending: ", f);
	print_sigset(f, t->pending);
	fputc('\n', f);
	for (i = 0; i < ts->nr_pending; i++)
		print_siginfo(f, "    ", &ts->pending[i]);
}

static void print_fd(FILE *f, const struct img_fd *d)
{
	char when[32];
	time_t secs = d->h.mtime_ns / 1000000000LL;
	struct tm tm;
	uint32_t i;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", gmtime_r(&secs, &tm));
	fprintf(f, "  fd %d %s ", d->h.fd, state_fd_kind_name(d->h.kind));
	print_bits(f, d->h.flags, fd_flags);
	fprintf(f, " f_flags %#o pos %" PRIu64 " %s\n", d->h.f_flags, (uint64_t)d->h.pos,
		d->path ? d->path : "(no path)");
	fprintf(f, "    mode %#o dev %u:%u ino %" PRIu64 " rdev %u:%u size %" PRIu64 " mtime %sZ\n",
		d->h.mode, major(d->h.dev), minor(d->h.dev), (uint64_t)d->h.ino, major(d->h.rdev),
		minor(d->h.rdev), (uint64_t)d->h.size_bytes, when);
	if (d->has & IMG_FD_HAS_PIPE) {
		fprintf(f, "    pipe %" PRIu64 " capacity %u bytes %" PRIu64, (uint64_t)d->pipe.id,
			d->pipe.capacity, (uint64_t)d->pipe.bytes);
		if (d->pipe.flags & TTREC_PIPE_COUNTS_UNKNOWN)
			fputs(" readers and writers unknown", f);
		else
			fprintf(f, " readers %u writers %u", d->pipe.readers, d->pipe.writers);
		if (d->pipe.data_fd >= 0 && d->pipe.data_fd != d->h.fd)
			fprintf(f, ", bytes with fd %d", d->pipe.data_fd);
		if (d->pipe.flags & TTREC_PIPE_DATA_TRUNCATED)
			fputs(", bytes truncated", f);
		if (d->pipe.flags & TTREC_PIPE_PACKET)
			fputs(", packet mode", f);
		fputc('\n', f);
	}
	if (d->has & IMG_FD_HAS_PIPE_DATA)
		for (uint64_t k = 0; k < d->pipe_data_len && k < 64; k += 16)
			hexdump_line(f, "    ", k, d->pipe_data + k, d->pipe_data_len - k);
	if (d->has & IMG_FD_HAS_EVENTFD)
		fprintf(f, "    eventfd count %" PRIu64 " semaphore %s\n", (uint64_t)d->eventfd.count,
			d->eventfd.flags & TTREC_EVENTFD_SEMAPHORE_UNKNOWN ? "unknown" :
			d->eventfd.flags & TTREC_EVENTFD_SEMAPHORE ? "yes" : "no");
	if (d->has & IMG_FD_HAS_TIMERFD) {
		fprintf(f, "    timerfd clock %d flags %#x ticks %" PRIu64 " next in ",
			d->timerfd.clockid, d->timerfd.settime_flags, (uint64_t)d->timerfd.ticks);
		print_ns(f, d->timerfd.value_ns);
		fputs(" interval ", f);
		print_ns(f, d->timerfd.interval_ns);
		fputc('\n', f);
	}
	if (d->has & IMG_FD_HAS_SIGNALFD) {
		fputs("    signalfd mask ", f);
		print_sigset(f, d->signalfd.sigmask);
		fputc('\n', f);
	}
	if (d->has & IMG_FD_HAS_EPOLL)
		for (i = 0; i < d->nr_epoll; i++)
			fprintf(f, "    epoll item fd %d events %#x data %#" PRIx64 " (ino %" PRIu64 " dev %u:%u)\n",
				d->epoll[i].tfd, d->epoll[i].events, (uint64_t)d->epoll[i].data,
				(uint64_t)d->epoll[i].ino, major(d->epoll[i].dev),
				minor(d->epoll[i].dev));
	if (d->has & IMG_FD_HAS_SOCKET) {
		fprintf(f, "    socket family %u type %u protocol %u state %u (socket %u) shutdown %u",
			d->sock.family, d->sock.type, d->sock.protocol, d->sock.state,
			d->sock.sock_state, d->sock.shutdown);
		if (d->sock.state == 10)
			fprintf(f, " backlog %u queued %u", d->sock.backlog, d->sock.queued);
		if (d->sock.flags & TTREC_SOCK_REUSEADDR)
			fputs(" reuseaddr", f);
		if (d->sock.flags & TTREC_SOCK_REUSEPORT)
			fputs(" reuseport", f);
		if (d->sock.flags & TTREC_SOCK_V6ONLY)
			fputs(" v6only", f);
		if (d->sock.flags & TTREC_SOCK_INCOMPLETE)
			fputs(" (some fields unknown)", f);
		fputs("\n    local ", f);
		print_sockaddr(f, d->sock.local, d->sock.local_len);
		fputs(" peer ", f);
		print_sockaddr(f, d->sock.peer, d->sock.peer_len);
		if (d->sock.peer_ino)
			fprintf(f, " (socket:[%" PRIu64 "])", (uint64_t)d->sock.peer_ino);
		fputc('\n', f);
	}
	if (d->has & IMG_FD_HAS_SOCK_QUEUE) {
		uint64_t bytes = 0;
		uint32_t fds = 0, cut = 0;

		for (uint32_t off = 0; off < d->sock_queue_len;) {
			struct ttrec_fd_sock_msg m;

			memcpy(&m, d->sock_queue + off, sizeof(m));
			bytes += m.len;
			fds += !!(m.flags & TTREC_SOCK_MSG_FDS);
			cut += !!(m.flags & TTREC_SOCK_MSG_CUT);
			off += sizeof(m) + (m.len + 7) / 8 * 8;
		}
		fprintf(f, "    queued %u messages, %" PRIu64 " bytes", d->sock_queue_msgs, bytes);
		if (fds)
			fprintf(f, ", %u with descriptors (not captured)", fds);
		if (cut)
			fprintf(f, ", %u cut short", cut);
		fputc('\n', f);
	}
	if (d->has & IMG_FD_HAS_MEMFD)
		fprintf(f, "    memfd %s seals %#x%s\n", (const char *)d->memfd.name, d->memfd.seals,
			d->memfd.flags & TTREC_MEMFD_HUGETLB ? " hugetlb" : "");
	if (d->has & IMG_FD_HAS_PIDFD)
		fprintf(f, "    pidfd of %d%s\n", d->pidfd.pid,
			d->pidfd.flags & TTREC_PIDFD_EXITED ? " (exited)" : "");
	if (d->has & IMG_FD_HAS_FDINFO) {
		const char *l = d->fdinfo;

		while (*l) {
			size_t n = strcspn(l, "\n");

			fprintf(f, "    | %.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
	}
}

void state_print(FILE *f, const struct img *im)
{
	const struct img_state *st = img_state(im);
	uint32_t i;

	if (!st) {
		state_print_summary(f, im);
		return;
	}
	print_process(f, st);
	for (i = 0; i < st->nr_threads; i++)
		print_thread(f, &st->threads[i]);
	fprintf(f, "descriptors: %u recorded of %u", st->nr_fds, st->fds_total);
	if (st->fds_state) {
		fputs(", ", f);
		print_bits(f, st->fds_state, fds_state);
	}
	fputc('\n', f);
	for (i = 0; i < st->nr_fds; i++)
		print_fd(f, &st->fds[i]);
}
