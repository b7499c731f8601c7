// SPDX-License-Identifier: GPL-2.0
/*
 * The gdb server (internal.h describes its design): the connection, each
 * packet gdb sends, the stop replies, and the replay sessions the server
 * runs one after the other.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format/launch.h"
#include "gdb/internal.h"
#include "gdb/tdesc.h"
#include "lib/log.h"
#include "lib/util.h"

#define MAX_THREADS	1024
#define MEM_MAX		(GDB_PACKET_MAX / 2 - 16)

/* ------------------------------------------------------------ stop replies */

/* The thread a packet is about: @want (H), or the one of the last stop. */
static uint32_t pick_thread(struct gdb_server *s, uint32_t want)
{
	uint32_t tids[MAX_THREADS];
	int n;

	if (want && want != (uint32_t)-1 && rp_dbg_thread_alive(s->rp, want))
		return want;
	if (rp_dbg_thread_alive(s->rp, s->last.tid))
		return s->last.tid;
	n = rp_dbg_threads(s->rp, tids, MAX_THREADS);
	return n ? tids[0] : s->last.tid;
}

static void send_stop(struct gdb_server *s)
{
	const struct rp_dbg_stop *st = &s->last;
	struct gdb_conn *c = &s->conn;

	gdb_begin(c);
	if (!rp_dbg_pid(s->rp)) {
		gdb_puts(c, "W00");
		gdb_send(c);
		return;
	}
	gdb_printf(c, "T%02xthread:%x;", st->why == RP_DBG_INTERRUPT ? SIGINT : SIGTRAP,
		   pick_thread(s, st->tid));
	switch (st->why) {
	case RP_DBG_BREAK:
		gdb_puts(c, "swbreak:;");
		break;
	case RP_DBG_WATCH:
		gdb_printf(c, "%swatch:%llx;", st->wkind == RP_WATCH_READ ? "r" :
			   st->wkind == RP_WATCH_ACCESS ? "a" : "", (unsigned long long)st->addr);
		break;
	case RP_DBG_END:
		gdb_puts(c, "replaylog:end;");
		break;
	case RP_DBG_BEGIN:
		if (s->at_begin)
			gdb_puts(c, "replaylog:begin;");
		break;
	default:
		break;
	}
	gdb_send(c);
}

/* ------------------------------------------------------------ registers */

static int load_regs(struct gdb_server *s, uint32_t tid, struct tdesc_regs *r)
{
	int n;

	memset(r, 0, sizeof(*r));
	if (rp_dbg_get_regs(s->rp, tid, &r->gp))
		return -ESRCH;
	n = rp_dbg_get_xstate(s->rp, tid, r->xsave, sizeof(r->xsave));
	r->have_xsave = n >= 576;
	return 0;
}

static int store_regs(struct gdb_server *s, uint32_t tid, struct tdesc_regs *r)
{
	int err = rp_dbg_set_regs(s->rp, tid, &r->gp);

	if (!err && r->xsave_dirty)
		err = rp_dbg_set_xstate(s->rp, tid, r->xsave, sizeof(r->xsave));
	return err;
}

static void pkt_g(struct gdb_server *s)
{
	static struct tdesc_regs r;
	uint8_t b[16];
	unsigned int i;

	if (load_regs(s, pick_thread(s, s->hg), &r)) {
		gdb_reply(&s->conn, "E01");
		return;
	}
	gdb_begin(&s->conn);
	for (i = 0; i < TDESC_NREGS; i++) {
		tdesc_reg_get(&r, i, b);
		gdb_put_hex(&s->conn, b, tdesc_reg_size(i));
	}
	gdb_send(&s->conn);
}

static void pkt_G(struct gdb_server *s, const char *p, size_t len)
{
	static struct tdesc_regs r;
	uint32_t tid = pick_thread(s, s->hg);
	uint8_t b[16];
	unsigned int i;
	size_t off = 0;

	if (len != 2 * tdesc_regs_size() || load_regs(s, tid, &r)) {
		gdb_reply(&s->conn, "E01");
		return;
	}
	for (i = 0; i < TDESC_NREGS; i++) {
		size_t n = tdesc_reg_size(i);

		if (gdb_unhex(p + off, b, n)) {
			gdb_reply(&s->conn, "E01");
			return;
		}
		tdesc_reg_set(&r, i, b);
		off += 2 * n;
	}
	gdb_reply(&s->conn, store_regs(s, tid, &r) ? "E01" : "OK");
}

static void pkt_p(struct gdb_server *s, const char *p)
{
	static struct tdesc_regs r;
	uint8_t b[16];
	uint64_t n;

	if (!gdb_hexnum(&p, &n) || *p || n >= TDESC_NREGS ||
	    load_regs(s, pick_thread(s, s->hg), &r)) {
		gdb_reply(&s->conn, "E01");
		return;
	}
	tdesc_reg_get(&r, n, b);
	gdb_begin(&s->conn);
	gdb_put_hex(&s->conn, b, tdesc_reg_size(n));
	gdb_send(&s->conn);
}

static void pkt_P(struct gdb_server *s, const char *p)
{
	static struct tdesc_regs r;
	uint32_t tid = pick_thread(s, s->hg);
	uint8_t b[16];
	uint64_t n;

	if (!gdb_hexnum(&p, &n) || *p++ != '=' || n >= TDESC_NREGS ||
	    strlen(p) != 2 * tdesc_reg_size(n) || gdb_unhex(p, b, tdesc_reg_size(n)) ||
	    load_regs(s, tid, &r)) {
		gdb_reply(&s->conn, "E01");
		return;
	}
	tdesc_reg_set(&r, n, b);
	gdb_reply(&s->conn, store_regs(s, tid, &r) ? "E01" : "OK");
}

/* ------------------------------------------------------------ memory */

/* "ADDR,LEN" at @p (advanced past it); false if malformed. */
static bool addr_len(const char **p, uint64_t *addr, uint64_t *len)
{
	return gdb_hexnum(p, addr) && *(*p)++ == ',' && gdb_hexnum(p, len);
}

static void pkt_m(struct gdb_server *s, const char *p, bool binary)
{
	static uint8_t b[MEM_MAX];
	uint64_t addr, len;

	if (!addr_len(&p, &addr, &len) || *p) {
		gdb_reply(&s->conn, "E01");
		return;
	}
	if (len > MEM_MAX)
		len = MEM_MAX;
	/* as much as is readable from @addr on */
	while (len && rp_dbg_read(s->rp, addr, b, len))
		len = len > 1 ? len / 2 : 0;
	if (!len && !binary) {
		gdb_reply(&s->conn, "E01");
		return;
	}
	gdb_begin(&s->conn);
	if (binary) {
		gdb_puts(&s->conn, "b");
		gdb_put_bin(&s->conn, b, len);
	} else {
		gdb_put_hex(&s->conn, b, len);
	}
	gdb_send(&s->conn);
}

static void pkt_M(struct gdb_server *s, char *p, size_t plen, bool binary)
{
	static uint8_t b[GDB_PACKET_MAX];
	const char *q = p;
	uint64_t addr, len;
	size_t n;

	if (!addr_len(&q, &addr, &len) || *q++ != ':' || len > sizeof(b)) {
		gdb_reply(&s->conn, "E01");
		return;
	}
	n = plen - (q - p);
	if (binary) {
		n = gdb_unescape((char *)q, n);
		if (n != len) {
			gdb_reply(&s->conn, "E01");
			return;
		}
		memcpy(b, q, n);
	} else if (n != 2 * len || gdb_unhex(q, b, len)) {
		gdb_reply(&s->conn, "E01");
		return;
	}
	gdb_reply(&s->conn, !len || !rp_dbg_write(s->rp, addr, b, len) ? "OK" : "E01");
}

/* ------------------------------------------------------------ breakpoints */

void gdb_arm(struct gdb_server *s, struct rp *rp)
{
	int i;

	for (i = 0; i < s->nbreaks; i++)
		rp_dbg_break_add(rp, s->breaks[i]);
	for (i = 0; i < s->nwatches; i++)
		rp_dbg_watch_add(rp, s->watches[i].addr, s->watches[i].len, s->watches[i].kind);
}

static void pkt_Z(struct gdb_server *s, const char *p, bool insert)
{
	uint64_t type, addr, kind;
	int i, err = 0;

	if (!gdb_hexnum(&p, &type) || *p++ != ',' || !addr_len(&p, &addr, &kind)) {
		gdb_reply(&s->conn, "E01");
		return;
	}
	if (type == 0 || type == 1) {		/* software, and "hardware": both int3 */
		for (i = 0; i < s->nbreaks && s->breaks[i] != addr; i++)
			;
		if (insert) {
			if (i == s->nbreaks && s->nbreaks == GDB_MAX_BREAKS)
				err = -ENOSPC;
			else if (!(err = rp_dbg_break_add(s->rp, addr)) && i == s->nbreaks)
				s->breaks[s->nbreaks++] = addr;
		} else if (i < s->nbreaks) {
			rp_dbg_break_del(s->rp, addr);
			s->breaks[i] = s->breaks[--s->nbreaks];
		}
	} else if (type >= 2 && type <= 4) {	/* write, read, access watchpoint */
		enum rp_watch_kind wk = type == 2 ? RP_WATCH_WRITE :
					type == 3 ? RP_WATCH_READ : RP_WATCH_ACCESS;

		for (i = 0; i < s->nwatches && (s->watches[i].addr != addr ||
						 s->watches[i].len != kind ||
						 s->watches[i].kind != wk); i++)
			;
		if (insert) {
			if (s->nwatches == GDB_MAX_WATCHES)
				err = -ENOSPC;
			else if (!(err = rp_dbg_watch_add(s->rp, addr, kind, wk)))
				s->watches[s->nwatches++] = (struct gdb_watch){ addr, kind, wk };
		} else if (i < s->nwatches) {
			rp_dbg_watch_del(s->rp, addr, kind, wk);
			s->watches[i] = s->watches[--s->nwatches];
		}
	} else {
		gdb_reply(&s->conn, "");	/* not a kind of breakpoint we know */
		return;
	}
	gdb_reply(&s->conn, err ? "E01" : "OK");
}

/* ------------------------------------------------------------ qXfer */

static void xfer_reply(struct gdb_server *s, const char *data, size_t size, uint64_t off,
		       uint64_t len)
{
	if (off > size) {
		gdb_reply(&s->conn, "E01");
		return;
	}
	if (len > MEM_MAX)
		len = MEM_MAX;
	if (len > size - off)
		len = size - off;
	gdb_begin(&s->conn);
	gdb_puts(&s->conn, off + len < size ? "m" : "l");
	gdb_put_bin(&s->conn, data + off, len);
	gdb_send(&s->conn);
}

/* A /proc file of the debugged process, whole (up to @cap bytes). */
static ssize_t proc_file(struct gdb_server *s, const char *name, char *buf, size_t cap)
{
	char path[64];
	ssize_t n, len = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", rp_dbg_pid(s->rp), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len, cap - len)) > 0)
		len += n;
	close(fd);
	return len;
}

static void pkt_qxfer(struct gdb_server *s, const char *p)
{
	static char buf[65536];
	char object[32], annex[256];
	const char *q;
	uint64_t off, len;
	ssize_t n;

	/* qXfer:OBJECT:read:ANNEX:OFF,LEN */
	if (sscanf(p, "%31[^:]:read:%255[^:]:", object, annex) != 2) {
		if (sscanf(p, "%31[^:]:read::", object) != 1) {
			gdb_reply(&s->conn, "E00");
			return;
		}
		annex[0] = 0;
	}
	q = strrchr(p, ':');
	if (!q || (q++, !addr_len(&q, &off, &len)) || *q) {
		gdb_reply(&s->conn, "E00");
		return;
	}
	if (!strcmp(object, "features")) {
		if (strcmp(annex, "target.xml")) {
			gdb_reply(&s->conn, "E00");
			return;
		}
		xfer_reply(s, tdesc_xml(), strlen(tdesc_xml()), off, len);
	} else if (!strcmp(object, "auxv")) {
		n = proc_file(s, "auxv", buf, sizeof(buf));
		if (n < 0)
			gdb_reply(&s->conn, "E01");
		else
			xfer_reply(s, buf, n, off, len);
	} else if (!strcmp(object, "exec-file")) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/exe", rp_dbg_pid(s->rp));
		n = readlink(path, buf, sizeof(buf) - 1);
		if (n < 0)
			gdb_reply(&s->conn, "E01");
		else
			xfer_reply(s, buf, n, off, len);
	} else if (!strcmp(object, "threads")) {
		uint32_t tids[MAX_THREADS];
		int i, k = rp_dbg_threads(s->rp, tids, MAX_THREADS);
		size_t m = 0;

		m += snprintf(buf + m, sizeof(buf) - m, "<?xml version=\"1.0\"?>\n<threads>\n");
		for (i = 0; i < k && m < sizeof(buf) - 128; i++)
			m += snprintf(buf + m, sizeof(buf) - m,
				      "<thread id=\"%x\" name=\"recorded tid %u\"/>\n",
				      tids[i], tids[i]);
		m += snprintf(buf + m, sizeof(buf) - m, "</threads>\n");
		xfer_reply(s, buf, m, off, len);
	} else {
		gdb_reply(&s->conn, "");
	}
}

/* ------------------------------------------------------------ threads */

static void pkt_thread_info(struct gdb_server *s, bool first)
{
	uint32_t tids[MAX_THREADS];
	int i, n;

	if (!first) {
		gdb_reply(&s->conn, "l");
		return;
	}
	n = rp_dbg_threads(s->rp, tids, MAX_THREADS);
	gdb_begin(&s->conn);
	gdb_puts(&s->conn, n ? "m" : "l");
	for (i = 0; i < n; i++)
		gdb_printf(&s->conn, "%s%x", i ? "," : "", tids[i]);
	gdb_send(&s->conn);
}

/* A thread id of a packet: "-1" (all), "0" (any), or hex; "pPID.TID" too. */
static bool thread_id(const char *p, uint32_t *tid)
{
	uint64_t v;

	if (!strcmp(p, "-1")) {
		*tid = (uint32_t)-1;
		return true;
	}
	if (*p == 'p') {
		p = strchr(p, '.');
		if (!p)
			return false;
		p++;
		if (!strcmp(p, "-1")) {
			*tid = (uint32_t)-1;
			return true;
		}
	}
	if (!gdb_hexnum(&p, &v) || *p || v > UINT32_MAX)
		return false;
	*tid = v;
	return true;
}

/* ------------------------------------------------------------ monitor */

static void monitor_out(struct gdb_server *s, const char *text)
{
	gdb_begin(&s->conn);
	gdb_puts(&s->conn, "O");
	gdb_put_hex(&s->conn, text, strlen(text));
	gdb_send(&s->conn);
}

/* Returns true when the replay must run (a seek forward). */
static bool pkt_rcmd(struct gdb_server *s, const char *p)
{
	char cmd[512], out[256];
	size_t n = strlen(p) / 2;
	uint64_t seq;

	if (n >= sizeof(cmd) || gdb_unhex(p, cmd, n)) {
		gdb_reply(&s->conn, "E01");
		return false;
	}
	cmd[n] = 0;
	if (!strcmp(cmd, "when")) {
		snprintf(out, sizeof(out), "Current event: %llu\n",
			 (unsigned long long)rp_dbg_seq(s->rp));
		monitor_out(s, out);
		gdb_reply(&s->conn, "OK");
	} else if (!strncmp(cmd, "seek ", 5)) {
		if (parse_u64(cmd + 5, &seq)) {
			monitor_out(s, "seek: give an event number\n");
			gdb_reply(&s->conn, "OK");
			return false;
		}
		rev_seek(s, s->rp, seq);	/* back: a new session, never returns */
		return true;
	} else {
		monitor_out(s, "ttrec monitor commands:\n"
			    "  when       the number of the current event\n"
			    "  seek SEQ   go to event SEQ (before it is replayed)\n");
		gdb_reply(&s->conn, "OK");
	}
	return false;
}

/* ------------------------------------------------------------ packets */

static const char supported[] =
	"PacketSize=4000;QStartNoAckMode+;qXfer:features:read+;qXfer:auxv:read+;"
	"qXfer:exec-file:read+;qXfer:threads:read+;swbreak+;hwbreak+;"
	"ReverseContinue+;ReverseStep+;vContSupported+;QPassSignals+;QProgramSignals+";

/* "vCont;ACTION[:TID]...": the thread to step (0: none), or false if malformed. */
static bool vcont(struct gdb_server *s, const char *p, uint32_t *step)
{
	*step = 0;
	while (*p == ';') {
		char a = *++p;
		uint32_t tid = 0;

		if (a != 'c' && a != 's' && a != 'C' && a != 'S')
			return false;
		p++;
		if (a == 'C' || a == 'S') {	/* a signal: the replay sends none */
			uint64_t sig;

			if (!gdb_hexnum(&p, &sig))
				return false;
		}
		if (*p == ':') {
			char id[40];
			size_t n = strcspn(++p, ";");

			if (n >= sizeof(id))
				return false;
			memcpy(id, p, n);
			id[n] = 0;
			if (!thread_id(id, &tid))
				return false;
			p += n;
		}
		if ((a == 's' || a == 'S') && !*step)
			*step = pick_thread(s, tid);
	}
	return !*p;
}

/* The end of gdb's session: nothing more to serve. */
static __attribute__((noreturn)) void leave(struct gdb_server *s)
{
	s->quit = true;
	gdb_restart(s);
}

/*
 * One packet. Returns true when the replay is to go on (a resume), after
 * setting up what it does.
 */
static bool packet(struct gdb_server *s, char *p, size_t len)
{
	struct gdb_conn *c = &s->conn;
	uint32_t tid;

	switch (p[0]) {
	case '?':
		send_stop(s);
		return false;
	case 'g':
		pkt_g(s);
		return false;
	case 'G':
		pkt_G(s, p + 1, len - 1);
		return false;
	case 'p':
		pkt_p(s, p + 1);
		return false;
	case 'P':
		pkt_P(s, p + 1);
		return false;
	case 'm':
		pkt_m(s, p + 1, false);
		return false;
	case 'x':
		pkt_m(s, p + 1, true);
		return false;
	case 'M':
		pkt_M(s, p + 1, len - 1, false);
		return false;
	case 'X':
		pkt_M(s, p + 1, len - 1, true);
		return false;
	case 'Z':
	case 'z':
		pkt_Z(s, p + 1, p[0] == 'Z');
		return false;
	case 'H':
		if ((p[1] != 'g' && p[1] != 'c') || !thread_id(p + 2, &tid)) {
			gdb_reply(c, "E01");
			return false;
		}
		*(p[1] == 'g' ? &s->hg : &s->hc) = tid;
		gdb_reply(c, "OK");
		return false;
	case 'T':
		gdb_reply(c, thread_id(p + 1, &tid) && rp_dbg_thread_alive(s->rp, tid) ? "OK" : "E01");
		return false;
	case 'c':
		rp_dbg_step(s->rp, 0);
		return true;
	case 's':
		rp_dbg_step(s->rp, pick_thread(s, s->hc));
		return true;
	case 'b':
		s->running = true;	/* the stop reply comes from the replay gone back */
		s->at_begin = false;
		if (p[1] == 'c' && !p[2])
			rev_continue(s);
		else if (p[1] == 's' && !p[2])
			rev_step(s, pick_thread(s, s->hc));
		else {
			gdb_reply(c, "");
			return false;
		}
		/* at the start already: nothing before */
		s->at_begin = true;
		s->last.why = RP_DBG_BEGIN;
		send_stop(s);
		s->running = false;
		return false;
	case 'D':
		gdb_reply(c, "OK");
		leave(s);
	case 'k':
		leave(s);
	case 'v':
		if (!strcmp(p, "vCont?")) {
			gdb_reply(c, "vCont;c;C;s;S");
		} else if (!strncmp(p, "vCont;", 5)) {
			if (!vcont(s, p + 5, &tid)) {
				gdb_reply(c, "E01");
				return false;
			}
			rp_dbg_step(s->rp, tid);
			return true;
		} else if (!strncmp(p, "vKill", 5)) {
			gdb_reply(c, "OK");
			leave(s);
		} else {
			gdb_reply(c, "");	/* vFile, vRun, vMustReplyEmpty... */
		}
		return false;
	case 'q':
		if (!strncmp(p, "qSupported", 10))
			gdb_reply(c, supported);
		else if (!strncmp(p, "qXfer:", 6))
			pkt_qxfer(s, p + 6);
		else if (!strcmp(p, "qfThreadInfo") || !strcmp(p, "qsThreadInfo"))
			pkt_thread_info(s, p[1] == 'f');
		else if (!strcmp(p, "qC")) {
			gdb_begin(c);
			gdb_printf(c, "QC%x", pick_thread(s, s->hg));
			gdb_send(c);
		} else if (!strcmp(p, "qAttached"))
			gdb_reply(c, "1");
		else if (!strcmp(p, "qSymbol::"))
			gdb_reply(c, "OK");
		else if (!strncmp(p, "qRcmd,", 6))
			return pkt_rcmd(s, p + 6);
		else
			gdb_reply(c, "");
		return false;
	case 'Q':
		if (!strcmp(p, "QStartNoAckMode")) {
			gdb_reply(c, "OK");
			c->noack = true;
		} else if (!strncmp(p, "QPassSignals:", 13) || !strncmp(p, "QProgramSignals:", 16)) {
			gdb_reply(c, "OK");
		} else {
			gdb_reply(c, "");
		}
		return false;
	default:
		gdb_reply(c, "");
		return false;
	}
}

/* gdb's turn: the stop reply if it waits for one, then packets until a resume. */
static void interact(struct gdb_server *s)
{
	static char buf[GDB_PACKET_MAX + 1];
	size_t len;

	if (s->reply_ok) {
		s->reply_ok = false;
		gdb_reply(&s->conn, "OK");
	} else if (s->running) {
		send_stop(s);
	}
	s->running = false;
	for (;;) {
		switch (gdb_read_packet(&s->conn, buf, &len)) {
		case GDB_EOF:
			leave(s);
		case GDB_INTERRUPT:
			continue;	/* stopped already */
		case GDB_PACKET:
			break;
		}
		if (!len) {
			gdb_reply(&s->conn, "");
			continue;
		}
		if (packet(s, buf, len)) {
			if (!s->reply_ok)
				s->running = true;
			s->at_begin = false;
			return;
		}
	}
}

static void stopped(void *ctx, struct rp *rp, const struct rp_dbg_stop *st)
{
	struct gdb_server *s = ctx;
	struct rp_dbg_stop now = *st;

	s->rp = rp;
	pr_debug("gdb: stop %d (mode %d) thread %u at #%llu%s rip %#llx n %llu digest %llx\n",
		 st->why, s->mode, st->tid, (unsigned long long)st->pos.seq,
		 st->pos.boundary ? " (boundary)" : "", (unsigned long long)st->pos.rip,
		 (unsigned long long)st->pos.n, (unsigned long long)st->pos.digest);
	if (s->mode != MODE_DEBUG && rev_stopped(s, rp, &now))
		return;
	/* the first stop: gdb asks for it with '?' */
	s->last = now;
	s->hg = s->hc = 0;	/* gdb takes the stopped thread as the current one */
	interact(s);
}

/* ------------------------------------------------------------ sessions */

void gdb_restart(struct gdb_server *s)
{
	longjmp(s->again, 1);
}

static void serve(struct gdb_server *s)
{
	struct rp_dbg_client c = { .stopped = stopped, .boundary = rev_boundary, .ctx = s };
	const struct rp_checkpoint *cp;
	struct rp *r;

	s->mode = MODE_DEBUG;
	if (setjmp(s->again)) {
		/* left for a new session (reverse.c set its mode), or gdb is gone */
		rp_dbg_close(s->rp);
		s->rp = NULL;
		if (s->quit)
			return;
	}
	s->sessions++;
	cp = s->mode == MODE_DEBUG ? NULL : rev_checkpoint(s);
	if (cp ? rp_dbg_open_at(s->o, &c, cp, &r) : rp_dbg_open(s->o, &c, &r)) {
		rp_dbg_close(r);
		pr_err("gdb: the replay cannot start\n");
		return;
	}
	s->rp = r;
	if (s->mode == MODE_DEBUG)
		gdb_arm(s, r);
	else
		rev_session_start(s, r);
	if (rp_dbg_run(r) < 0) {
		pr_err("gdb: the replay stopped (diverged or failed) at event #%llu\n",
		       (unsigned long long)rp_dbg_seq(r));
		if (s->running)
			gdb_reply(&s->conn, "X09");
	}
	rp_dbg_close(r);
	s->rp = NULL;
}

/* ------------------------------------------------------------ the connection */

static int listen_on(const char *addr, int port, int *out_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	socklen_t sl = sizeof(sa);
	int fd, one = 1;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		pr_err("gdb: '%s' is not an IPv4 address\n", addr);
		return -EINVAL;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl)) {
		int err = -errno;

		pr_err("gdb: cannot listen on %s:%d: %s\n", addr, port, strerror(-err));
		close(fd);
		return err;
	}
	*out_port = ntohs(sa.sin_port);
	return fd;
}

/* gdb, connected to @port, not our child (the replay waits for any child). */
static int start_gdb(const struct replay_opts *o, const struct gdb_opts *g, int port)
{
	char target[64], exe[4096];
	pid_t pid;
	ssize_t n;
	int st;

	static struct launch_info li;

	snprintf(target, sizeof(target), "target remote 127.0.0.1:%d", port);
	n = 0;
	if (!launch_load(o->dir, &li)) {
		n = snprintf(exe, sizeof(exe), "%s%s%s", li.exe[0] == '/' ? "" : li.cwd,
			     li.exe[0] == '/' ? "" : "/", li.exe);
		launch_free(&li);
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char *argv[64];
		int i, k = 0;

		if (fork())
			_exit(0);
		argv[k++] = "gdb";
		argv[k++] = "-q";
		argv[k++] = "-ex";
		argv[k++] = "set sysroot /";
		argv[k++] = "-ex";
		argv[k++] = target;
		for (i = 0; i < g->ngdb_args && k < 60; i++)
			argv[k++] = g->gdb_args[i];
		if (n > 0)
			argv[k++] = exe;
		argv[k] = NULL;
		execvp("gdb", argv);
		fprintf(stderr, "ttrec: cannot run gdb: %s\n", strerror(errno));
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return 0;
}

static void ignore(int sig)
{
}

int gdb_serve(const struct replay_opts *o, const struct gdb_opts *g)
{
	static struct gdb_server srv;
	struct gdb_server *s = &srv;
	const char *addr = g->listen ? g->listen : "127.0.0.1";
	int lfd, fd, port = 0, one = 1;

	lfd = listen_on(addr, g->port < 0 ? 0 : g->port, &port);
	if (lfd < 0)
		return EXIT_FAIL;
	signal(SIGPIPE, SIG_IGN);
	if (g->port < 0) {
		/*
		 * gdb shares our terminal: its Ctrl-C reaches us too, and is
		 * gdb's (it sends the interrupt). A handler, not SIG_IGN: the
		 * replayed program gets the recorded dispositions at exec.
		 */
		struct sigaction sa = { .sa_handler = ignore, .sa_flags = SA_RESTART };

		sigaction(SIGINT, &sa, NULL);
		if (start_gdb(o, g, port)) {
			close(lfd);
			return EXIT_FAIL;
		}
	} else {
		fprintf(stderr, "ttrec: gdb server listening on %s:%d (in gdb: target remote %s:%d)\n",
			addr, port, addr, port);
	}
	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	close(lfd);
	if (fd < 0) {
		pr_err("gdb: accept: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(s, 0, sizeof(*s));
	s->o = o;
	if (getenv("TTREC_GDB_CHECKPOINT_EVERY"))
		s->cp_every = strtoull(getenv("TTREC_GDB_CHECKPOINT_EVERY"), NULL, 10);
	gdb_conn_init(&s->conn, fd);
	serve(s);
	rev_free_checkpoints(s);
	pr_debug("gdb: %llu replays run\n", (unsigned long long)s->sessions);
	if (s->conn.bad_packets)
		fprintf(stderr, "ttrec: gdb: %llu malformed packets refused\n",
			(unsigned long long)s->conn.bad_packets);
	gdb_conn_free(&s->conn);
	close(fd);
	return EXIT_OK;
}
