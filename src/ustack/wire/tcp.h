/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP header (RFC 9293 3.1) and options: MSS (RFC 9293 3.7.1, RFC 6691),
 * window scale and timestamps (RFC 7323), SACK-permitted and SACK blocks
 * (RFC 2018); checksum with the IPv4 or IPv6 pseudo-header.
 *
 * tcp_check(p, len) validates the data offset once; the tcp_* accessors
 * are then safe. tcp_parse() also decodes the options and rejects a
 * malformed option area (RFC 9293 MUST-7: an illegal option length is an
 * error; a caller that prefers Linux's leniency uses tcp_check and reads
 * the header alone). Unknown options with a sane length are skipped.
 * Errors as in ipv6.h: -EINVAL (malformed input, or a representation that
 * cannot be encoded, e.g. options over 40 bytes), -ENOSPC (output too
 * small). The checksum is verified apart: tcp_csum4/6 give 0 when right. */
#ifndef USTACK_WIRE_TCP_H
#define USTACK_WIRE_TCP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCP_HDR_LEN 20
#define TCP_MAX_OPT_LEN 40
#define TCP_MAX_SACK 4

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TIMESTAMP 8
#define TCPOPT_FASTOPEN 34        /* RFC 7413 4.1.1 */
#define TCPOPT_EXP 254            /* RFC 6994; Fast Open's ExID 0xF989 */
#define TCPOPT_FO_EXID 0xF989
#define TCP_FO_COOKIE_MIN 4
#define TCP_FO_COOKIE_MAX 16

/* RFC 7323 2.3: shifts above 14 are used as 14 (done by the stack: the
 * codec reports what was on the wire). */
#define TCP_MAX_WSCALE 14

struct tcp_sack_block {
	uint32_t left, right;
};

struct tcp_opts {
	bool has_mss, has_wscale, sack_perm, has_ts;
	uint16_t mss;
	uint8_t wscale;
	uint32_t tsval, tsecr;
	uint8_t nsack;
	struct tcp_sack_block sack[TCP_MAX_SACK];
	/* Fast Open (RFC 7413 4.1.1): has_fo with fo_len 0 is a cookie
	 * request, else a cookie of 4..16 bytes (an even count; other lengths
	 * are ignored, as Linux); fo_exp: in the experimental option 254
	 * with ExID 0xF989 (RFC 6994), as early clients sent it */
	bool has_fo, fo_exp;
	uint8_t fo_len;
	uint8_t fo[TCP_FO_COOKIE_MAX];
};

struct tcp_repr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags; /* TCP_FIN ... TCP_CWR */
	uint16_t window;
	uint16_t urgent;
	struct tcp_opts opt;
	/* Parse: points into the segment. Emit: copied after the header
	 * (memmove: it may already be in place, as when the stack builds a
	 * frame with headroom); NULL with payload_len 0 for none. */
	const uint8_t *payload;
	size_t payload_len;
};

/* Valid when len >= 20 and 20 <= data offset * 4 <= len. */
int tcp_check(const uint8_t *p, size_t len);
static inline uint16_t tcp_sport(const uint8_t *p) { return (uint16_t) (p[0] << 8 | p[1]); }
static inline uint16_t tcp_dport(const uint8_t *p) { return (uint16_t) (p[2] << 8 | p[3]); }
static inline uint32_t tcp_seq(const uint8_t *p) {
	return (uint32_t) p[4] << 24 | (uint32_t) p[5] << 16 | (uint32_t) p[6] << 8 | p[7];
}
static inline uint32_t tcp_ack(const uint8_t *p) {
	return (uint32_t) p[8] << 24 | (uint32_t) p[9] << 16 | (uint32_t) p[10] << 8 | p[11];
}
static inline size_t tcp_hdr_len(const uint8_t *p) { return (size_t) (p[12] >> 4) * 4; }
static inline uint8_t tcp_flags(const uint8_t *p) { return p[13]; }
static inline uint16_t tcp_window(const uint8_t *p) { return (uint16_t) (p[14] << 8 | p[15]); }
static inline uint16_t tcp_checksum(const uint8_t *p) { return (uint16_t) (p[16] << 8 | p[17]); }
static inline uint16_t tcp_urgent(const uint8_t *p) { return (uint16_t) (p[18] << 8 | p[19]); }

/* Decode an option area (the bytes between the fixed header and the data
 * offset). -EINVAL when an option has a length below 2, runs past the
 * area, or a known option has the wrong length. */
int tcp_opts_parse(const uint8_t *opts, size_t len, struct tcp_opts *o);
/* Encode in Linux's layout (MSS; SACK-permitted with timestamps or NOP
 * NOP; NOP wscale; Fast Open padded with NOPs; NOP NOP SACK), a multiple of 4 bytes. Returns the
 * length or -EINVAL if it would exceed 40 bytes, -ENOSPC. */
int tcp_opts_emit(const struct tcp_opts *o, uint8_t *buf, size_t len);
/* Length tcp_opts_emit would write (may exceed 40: emit then fails). */
size_t tcp_opts_len(const struct tcp_opts *o);

int tcp_parse(const uint8_t *p, size_t len, struct tcp_repr *r);
/* Writes header, options and payload with checksum 0; returns the segment
 * length. Fill the checksum with tcp_fill_checksum4/6. */
int tcp_emit(const struct tcp_repr *r, uint8_t *buf, size_t len);

/* Checksum over the pseudo-header (RFC 9293 3.1 for IPv4, RFC 8200 8.1
 * for IPv6) and the segment: a correct segment gives 0. Addresses in
 * network order. */
uint16_t tcp_csum4(const uint8_t *src, const uint8_t *dst, const uint8_t *seg, size_t len);
uint16_t tcp_csum6(const uint8_t *src, const uint8_t *dst, const uint8_t *seg, size_t len);
void tcp_fill_checksum4(const uint8_t *src, const uint8_t *dst, uint8_t *seg, size_t len);
void tcp_fill_checksum6(const uint8_t *src, const uint8_t *dst, uint8_t *seg, size_t len);

#endif
