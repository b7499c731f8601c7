// SPDX-License-Identifier: GPL-2.0
/* The gdb remote protocol's framing and hex helpers (packet.h). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdb/packet.h"

static const char hexd[] = "0123456789abcdef";

void gdb_conn_init(struct gdb_conn *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
}

void gdb_conn_free(struct gdb_conn *c)
{
	free(c->out);
	c->out = NULL;
	c->out_cap = 0;
}

/* The next byte from the peer; -1 at its end or on an error. */
static int get_byte(struct gdb_conn *c)
{
	while (c->in_off == c->in_len) {
		ssize_t n = read(c->fd, c->in, sizeof(c->in));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c->in_len = n;
		c->in_off = 0;
	}
	return c->in[c->in_off++];
}

bool gdb_pending(struct gdb_conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	return c->in_off < c->in_len || poll(&p, 1, 0) > 0;
}

bool gdb_interrupted(struct gdb_conn *c)
{
	int ch;

	if (!gdb_pending(c))
		return false;
	ch = get_byte(c);
	if (ch == 0x03)
		return true;
	if (ch >= 0)
		c->in_off--;	/* a packet: read at the next stop */
	return false;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static void send_raw(struct gdb_conn *c, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(c->fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= w;
	}
}

enum gdb_read gdb_read_packet(struct gdb_conn *c, char *buf, size_t *len)
{
	for (;;) {
		size_t n = 0;
		uint8_t sum = 0;
		bool over = false;
		int ch, h, l;

		do {
			ch = get_byte(c);
			if (ch < 0)
				return GDB_EOF;
			if (ch == 0x03)
				return GDB_INTERRUPT;
		} while (ch != '$');
		while ((ch = get_byte(c)) != '#') {
			if (ch < 0)
				return GDB_EOF;
			sum += ch;
			if (n < GDB_PACKET_MAX)
				buf[n++] = ch;
			else
				over = true;
		}
		h = hexval(get_byte(c));
		l = hexval(get_byte(c));
		buf[n] = 0;
		if (!over && h >= 0 && l >= 0 && ((h << 4) | l) == sum) {
			if (!c->noack)
				send_raw(c, "+", 1);
			*len = n;
			return GDB_PACKET;
		}
		c->bad_packets++;
		if (!c->noack)
			send_raw(c, "-", 1);
	}
}

void gdb_begin(struct gdb_conn *c)
{
	c->out_len = 0;
}

static void put(struct gdb_conn *c, const char *s, size_t n)
{
	if (c->out_len + n + 1 > c->out_cap) {
		size_t cap = (c->out_len + n + 1) * 2;
		char *p = realloc(c->out, cap);

		if (!p)
			return;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, n);
	c->out_len += n;
}

void gdb_puts(struct gdb_conn *c, const char *s)
{
	put(c, s, strlen(s));
}

void gdb_printf(struct gdb_conn *c, const char *fmt, ...)
{
	char b[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(c, b, (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

void gdb_put_bin(struct gdb_conn *c, const void *d, size_t n)
{
	const uint8_t *p = d;
	size_t i;

	for (i = 0; i < n; i++) {
		char e[2] = { '}', p[i] ^ 0x20 };

		if (p[i] == '$' || p[i] == '#' || p[i] == '}' || p[i] == '*')
			put(c, e, 2);
		else
			put(c, (const char *)&p[i], 1);
	}
}

void gdb_put_hex(struct gdb_conn *c, const void *d, size_t n)
{
	const uint8_t *p = d;
	size_t i;

	for (i = 0; i < n; i++) {
		char h[2] = { hexd[p[i] >> 4], hexd[p[i] & 15] };

		put(c, h, 2);
	}
}

int gdb_send(struct gdb_conn *c)
{
	uint8_t sum = 0;
	char tail[3];
	size_t i;
	int tries;

	for (i = 0; i < c->out_len; i++)
		sum += (uint8_t)c->out[i];
	tail[0] = '#';
	tail[1] = hexd[sum >> 4];
	tail[2] = hexd[sum & 15];
	for (tries = 0; tries < 8; tries++) {
		int ch;

		send_raw(c, "$", 1);
		send_raw(c, c->out, c->out_len);
		send_raw(c, tail, 3);
		if (c->noack)
			return 0;
		do {
			ch = get_byte(c);
		} while (ch >= 0 && ch != '+' && ch != '-' && ch != '$');
		if (ch < 0)
			return -EPIPE;
		if (ch == '$') {	/* a packet without the ack: taken as one */
			c->in_off--;
			return 0;
		}
		if (ch == '+')
			return 0;
	}
	return -EPROTO;
}

int gdb_reply(struct gdb_conn *c, const char *s)
{
	gdb_begin(c);
	gdb_puts(c, s);
	return gdb_send(c);
}

int gdb_unhex(const char *s, void *out, size_t n)
{
	uint8_t *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		int h = hexval(s[2 * i]), l;

		if (h < 0)
			return -EINVAL;
		l = hexval(s[2 * i + 1]);
		if (l < 0)
			return -EINVAL;
		o[i] = h << 4 | l;
	}
	return 0;
}

bool gdb_hexnum(const char **s, uint64_t *v)
{
	const char *p = *s;
	int d, n = 0;

	*v = 0;
	while ((d = hexval(*p)) >= 0) {
		if (++n > 16)
			return false;
		*v = *v << 4 | d;
		p++;
	}
	*s = p;
	return n > 0;
}

size_t gdb_unescape(char *d, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (d[i] == '}' && i + 1 < n)
			d[o++] = d[++i] ^ 0x20;
		else
			d[o++] = d[i];
	}
	return o;
}
