/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv6 fixed header (RFC 8200 section 3) and address helpers (RFC 4291).
 *
 * Two levels, as every codec in wire/:
 *  - a checked view: ip6_check(p, len) validates the length once; after it
 *    returns 0 the ip6_* accessors below never read out of bounds;
 *  - a representation: ip6_parse() fills struct ip6_repr, ip6_emit() writes
 *    it back.
 * Errors follow wire/'s convention (eth.h): 0 or a negative errno from
 * check/parse, the bytes written or a negative errno from emit; -EINVAL
 * for malformed or truncated input and for a representation that cannot
 * be encoded, -EBADMSG for a bad checksum, -ENOSPC when the output buffer
 * is too small. No state, no allocation. */
#ifndef USTACK_WIRE_IPV6_H
#define USTACK_WIRE_IPV6_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IP6_HDR_LEN 40
#define IP6_ADDR_LEN 16
/* RFC 8200 section 5: every link carries at least 1280 octets. */
#define IP6_MIN_MTU 1280

/* Next header values used by the stack (IANA protocol numbers). */
#define IP6_NH_HOPOPTS 0
#define IP6_NH_TCP 6
#define IP6_NH_UDP 17
#define IP6_NH_ROUTING 43
#define IP6_NH_FRAGMENT 44
#define IP6_NH_ESP 50
#define IP6_NH_AH 51
#define IP6_NH_ICMPV6 58
#define IP6_NH_NONE 59
#define IP6_NH_DSTOPTS 60

/* Offsets of the fields inside the fixed header, also used as ICMPv6
 * parameter problem pointers. */
#define IP6_OFF_PLEN 4
#define IP6_OFF_NH 6
#define IP6_OFF_HLIM 7
#define IP6_OFF_SRC 8
#define IP6_OFF_DST 24

struct ip6_repr {
	uint8_t src[IP6_ADDR_LEN];
	uint8_t dst[IP6_ADDR_LEN];
	uint8_t next_header;
	uint8_t hop_limit;
	uint8_t tclass; /* DSCP and ECN, as the 8 bits on the wire */
	uint32_t flow;  /* 20 bits */
	uint16_t payload_len;
};

/* Valid when len >= 40, version is 6 and the payload length fits in len
 * (bytes past 40 + payload length, e.g. Ethernet padding, are allowed and
 * are not part of the packet). A payload length of 0 is an empty payload:
 * jumbograms (RFC 2675) are not supported, as on most hosts. */
int ip6_check(const uint8_t *p, size_t len);

/* Accessors: only after ip6_check(p, len) == 0. */
static inline uint8_t ip6_version(const uint8_t *p) { return p[0] >> 4; }
static inline uint8_t ip6_tclass(const uint8_t *p) { return (uint8_t) ((p[0] << 4) | (p[1] >> 4)); }
static inline uint32_t ip6_flow(const uint8_t *p) {
	return ((uint32_t) (p[1] & 0x0f) << 16) | ((uint32_t) p[2] << 8) | p[3];
}
static inline uint16_t ip6_payload_len(const uint8_t *p) { return (uint16_t) (p[4] << 8 | p[5]); }
static inline uint8_t ip6_next_header(const uint8_t *p) { return p[IP6_OFF_NH]; }
static inline uint8_t ip6_hop_limit(const uint8_t *p) { return p[IP6_OFF_HLIM]; }
static inline const uint8_t *ip6_src(const uint8_t *p) { return p + IP6_OFF_SRC; }
static inline const uint8_t *ip6_dst(const uint8_t *p) { return p + IP6_OFF_DST; }
/* Length of the packet proper: header plus payload length. */
static inline size_t ip6_total_len(const uint8_t *p) { return IP6_HDR_LEN + (size_t) ip6_payload_len(p); }

int ip6_parse(const uint8_t *p, size_t len, struct ip6_repr *r);
/* Writes the 40-byte header; returns 40 or a negative errno. The payload
 * (r->payload_len bytes) is the caller's, after the header. */
int ip6_emit(const struct ip6_repr *r, uint8_t *buf, size_t len);

/* Address classes (RFC 4291 section 2.4). */
bool ip6_addr_is_unspecified(const uint8_t *a);
bool ip6_addr_is_loopback(const uint8_t *a);
static inline bool ip6_addr_is_multicast(const uint8_t *a) { return a[0] == 0xff; }
/* fe80::/10 */
static inline bool ip6_addr_is_linklocal(const uint8_t *a) { return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; }
/* ::ffff:0:0/96 (RFC 4291 2.5.5.2) */
bool ip6_addr_is_v4mapped(const uint8_t *a);
/* Scope of a multicast address (the 4 low bits of byte 1), 0 if unicast. */
static inline uint8_t ip6_mcast_scope(const uint8_t *a) { return ip6_addr_is_multicast(a) ? (a[1] & 0x0f) : 0; }
/* ff02::1:ffXX:XXXX for addr (RFC 4291 2.7.1). */
void ip6_addr_solicited_node(uint8_t out[IP6_ADDR_LEN], const uint8_t *addr);
/* 33:33 and the low 32 bits of a multicast address (RFC 2464 section 7). */
void ip6_mcast_mac(uint8_t mac[6], const uint8_t *mcast);
/* fe80::/64 with the modified EUI-64 interface identifier of mac
 * (RFC 4291 appendix A, RFC 2464 section 4). */
void ip6_addr_linklocal_eui64(uint8_t out[IP6_ADDR_LEN], const uint8_t mac[6]);
/* true if the first plen bits of a and b are equal (plen 0..128). */
bool ip6_prefix_equal(const uint8_t *a, const uint8_t *b, unsigned int plen);

#endif
