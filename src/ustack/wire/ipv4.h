/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv4 header (RFC 791). Options are carried as opaque bytes: the parser
 * only checks that they fit in the header (RFC 1122 3.2.1.8: a host must
 * ignore options it does not understand), the emitter copies them;
 * ipv4_opts_parse checks them as Linux does for input. */
#ifndef USTACK_WIRE_IPV4_H
#define USTACK_WIRE_IPV4_H
#include <stddef.h>
#include <stdint.h>

#define IPV4W_HLEN 20
#define IPV4W_MAXLEN 65535
#define IPV4W_DF 0x4000
#define IPV4W_MF 0x2000
#define IPV4W_OFFMASK 0x1fff

struct ipv4_repr {
	uint32_t src, dst;    /* network order */
	uint8_t proto, ttl, tos;
	uint16_t id;
	uint16_t frag_off;    /* fragment offset in bytes */
	uint8_t df, mf;
	uint16_t hdr_len;     /* header bytes, 20..60 */
	uint16_t total_len;   /* header + payload */
	const uint8_t *opt;   /* options (emit: copied; parse: points into p) */
	uint8_t optlen;
};

/* flags for ipv4_check/parse */
#define IPV4W_NOCSUM 1    /* do not verify the header checksum (loopback) */

/* Validate a datagram at p of len bytes (len may exceed total_len: link
 * padding). Errors: -EINVAL (malformed), -EBADMSG (bad checksum). */
int ipv4_check(const uint8_t *p, size_t len, int flags);
int ipv4_parse(const uint8_t *p, size_t len, int flags, struct ipv4_repr *r);
/* Write the header (20 + optlen bytes, optlen a multiple of 4, at most 40)
 * with r->total_len and its checksum. Returns the header length. */
int ipv4_emit(const struct ipv4_repr *r, uint8_t *buf, size_t len);

/* Options of a received header, checked as Linux's ip_options_compile
 * does (RFC 791 3.1). Offsets are from the start of the header, 0 when
 * the option is absent. */
#define IPV4W_OPT_END 0
#define IPV4W_OPT_NOOP 1
#define IPV4W_OPT_RR 7
#define IPV4W_OPT_TS 68
#define IPV4W_OPT_LSRR 131
#define IPV4W_OPT_SSRR 137
struct ipv4_opts {
	uint8_t rr, ts, srr;
	uint8_t rr_room;      /* RR has room for an address at its pointer */
	uint8_t bad;          /* -EINVAL: offset of the faulty byte (ICMP pointer) */
};
/* hdr: the whole header of hl bytes. 0, or -EINVAL with o->bad set. */
int ipv4_opts_parse(const uint8_t *hdr, size_t hl, struct ipv4_opts *o);
/* Linux ip_options_echo for a reply (echo, errors) to a datagram whose
 * options o describes: only record route is carried, with the address
 * `me` recorded at reception and a slot left for the sender's address,
 * then filled with `me` too (ip_options_build). Writes at most 40 bytes
 * padded to a multiple of 4 into out; returns the length, 0 for none, or
 * -EINVAL when a route record cannot take both addresses (Linux then
 * sends no reply). */
int ipv4_opts_echo(const uint8_t *hdr, const struct ipv4_opts *o, uint32_t me, uint8_t *out);

static inline int ipv4_is_multicast(uint32_t a_be) {
	return (((const uint8_t *) &a_be)[0] & 0xf0) == 0xe0;
}
static inline int ipv4_is_loopback(uint32_t a_be) {
	return ((const uint8_t *) &a_be)[0] == 127;
}
/* Network-order mask of a prefix length (0..32). */
static inline uint32_t ipv4_mask(unsigned plen) {
	uint32_t m = plen == 0 ? 0 : (plen >= 32 ? 0xffffffffu : ~((1u << (32 - plen)) - 1));
	return __builtin_bswap32(m);
}
#endif
