/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gdb remote protocol's framing (packet.c): $data#cs packets with
 * their checksums, acknowledgements (+/-) until QStartNoAckMode, the
 * escapes of binary data (}), the interrupt byte (0x03), and the hex
 * helpers every packet uses. Reading never trusts the peer: a packet
 * longer than GDB_PACKET_MAX or with a bad checksum is refused.
 */
#ifndef TTREC_GDB_PACKET_H
#define TTREC_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest packet we accept and announce (PacketSize), data only. */
#define GDB_PACKET_MAX	16384

struct gdb_conn {
	int fd;
	bool noack;		/* QStartNoAckMode accepted */
	/* read buffer */
	uint8_t in[4096];
	size_t in_len, in_off;
	/* the packet being built for sending */
	char *out;
	size_t out_len, out_cap;
	uint64_t bad_packets;	/* refused: checksum, length */
};

void gdb_conn_init(struct gdb_conn *c, int fd);
void gdb_conn_free(struct gdb_conn *c);

/* What gdb_read_packet() read. */
enum gdb_read {
	GDB_PACKET = 1,		/* a packet, its data in the buffer (NUL-terminated) */
	GDB_INTERRUPT,		/* the interrupt byte, 0x03 */
	GDB_EOF,		/* the peer closed the connection (or an error) */
};

/*
 * The next packet into @buf (GDB_PACKET_MAX + 1 bytes), its length into
 * *@len. Acknowledges it (+), or asks again (-) when its checksum is wrong
 * or it is too long, unless in no-ack mode (where it is dropped). Bytes
 * outside packets are skipped.
 */
enum gdb_read gdb_read_packet(struct gdb_conn *c, char *buf, size_t *len);
/* Whether the peer has sent something not read yet (an interrupt). */
bool gdb_pending(struct gdb_conn *c);
/* The interrupt byte, if that is what the peer sent (consumed); else false. */
bool gdb_interrupted(struct gdb_conn *c);

/* Build a packet: start, append (text, binary with escapes, hex), send. */
void gdb_begin(struct gdb_conn *c);
void gdb_puts(struct gdb_conn *c, const char *s);
__attribute__((format(printf, 2, 3)))
void gdb_printf(struct gdb_conn *c, const char *fmt, ...);
void gdb_put_bin(struct gdb_conn *c, const void *d, size_t n);
void gdb_put_hex(struct gdb_conn *c, const void *d, size_t n);
/* Frame it ($...#cs), write it, wait for its + unless in no-ack mode. 0 or -errno. */
int gdb_send(struct gdb_conn *c);
/* A whole packet of text. */
int gdb_reply(struct gdb_conn *c, const char *s);

/* Hex: @n bytes from 2n hex digits at @s. Return: 0 or -EINVAL. */
int gdb_unhex(const char *s, void *out, size_t n);
/* A hex number at *@s (advanced past it); false if none or too long. */
bool gdb_hexnum(const char **s, uint64_t *v);
/* Remove the escapes of binary data in place; the new length. */
size_t gdb_unescape(char *d, size_t n);

#endif
