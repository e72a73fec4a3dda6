/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ICMPv6 (RFC 4443): echo, destination unreachable, packet too big, time
 * exceeded, parameter problem; the checksum over the IPv6 pseudo-header.
 * NDP (ndp.h) and MLD (mld.h) messages share the 4-byte header.
 *
 * icmp6_check(p, len) validates the length for the message type once;
 * icmp6_parse()/icmp6_emit() convert to and from struct icmp6_repr.
 * Errors as in ipv6.h: -EINVAL (malformed, truncated, or a representation
 * that cannot be encoded), -EBADMSG (bad checksum), -ENOSPC (output too
 * small). */
#ifndef USTACK_WIRE_ICMP6_H
#define USTACK_WIRE_ICMP6_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICMP6_HDR_LEN 8 /* type, code, checksum and the 4-byte field */

#define ICMP6_DST_UNREACH 1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROB 4
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ICMP6_MLD_QUERY 130
#define ICMP6_MLD_REPORT 131
#define ICMP6_MLD_DONE 132
#define ICMP6_ND_ROUTER_SOLICIT 133
#define ICMP6_ND_ROUTER_ADVERT 134
#define ICMP6_ND_NEIGHBOR_SOLICIT 135
#define ICMP6_ND_NEIGHBOR_ADVERT 136
#define ICMP6_ND_REDIRECT 137
#define ICMP6_MLD2_REPORT 143

/* Destination unreachable codes (RFC 4443 3.1). */
#define ICMP6_DU_NOROUTE 0
#define ICMP6_DU_ADMIN 1
#define ICMP6_DU_BEYONDSCOPE 2
#define ICMP6_DU_ADDR 3
#define ICMP6_DU_PORT 4
#define ICMP6_DU_POLICY 5
#define ICMP6_DU_REJECT 6
/* Time exceeded codes (RFC 4443 3.3). */
#define ICMP6_TE_HOPLIMIT 0
#define ICMP6_TE_REASSEMBLY 1
/* Parameter problem codes: IP6EXT_PP_* in ip6ext.h. */

/* RFC 4443 2.4 (c): an error message fits in the minimum MTU, so the
 * invoking packet is quoted up to 1280 - 40 - 8 bytes. */
#define ICMP6_ERROR_QUOTE_MAX 1232

static inline bool icmp6_is_error(uint8_t type) { return type < 128; }

struct icmp6_repr {
	uint8_t type;
	uint8_t code;
	union {
		struct {
			uint16_t id;
			uint16_t seq;
		} echo;          /* ECHO_REQUEST, ECHO_REPLY */
		uint32_t mtu;    /* PACKET_TOO_BIG */
		uint32_t pointer; /* PARAM_PROB */
		uint32_t word;   /* any other type: the 4 bytes after the checksum */
	} u;
	/* Echo data, or for errors the invoking packet (as much as fits), or
	 * the body after the first 8 bytes for other types. Points into the
	 * parsed buffer; on emit it is copied (memmove: it may overlap). */
	const uint8_t *data;
	size_t data_len;
};

/* Valid when len >= 8 (every type we know, and any other, has the
 * 4-byte field; RFC 4443 2.1). */
int icmp6_check(const uint8_t *p, size_t len);
static inline uint8_t icmp6_type(const uint8_t *p) { return p[0]; }
static inline uint8_t icmp6_code(const uint8_t *p) { return p[1]; }
static inline uint16_t icmp6_checksum(const uint8_t *p) { return (uint16_t) (p[2] << 8 | p[3]); }

/* With src and dst (16 bytes each) the checksum is verified (-EBADMSG if
 * wrong); with NULL it is not (the stack's loopback skips it). */
int icmp6_parse(const uint8_t *p, size_t len, const uint8_t *src, const uint8_t *dst, struct icmp6_repr *r);
/* Returns the message length (8 + data_len). With src and dst the
 * checksum is filled, else left 0. Errors quote at most
 * ICMP6_ERROR_QUOTE_MAX bytes of data (the rest is cut, as RFC 4443 2.4
 * asks). */
int icmp6_emit(const struct icmp6_repr *r, const uint8_t *src, const uint8_t *dst, uint8_t *buf, size_t len);

/* Checksum of an ICMPv6 message of len bytes with its pseudo-header:
 * a message with a correct checksum gives 0. */
uint16_t icmp6_csum(const uint8_t *src, const uint8_t *dst, const uint8_t *p, size_t len);
/* Compute and store the checksum of the message p[0..len). */
void icmp6_fill_checksum(const uint8_t *src, const uint8_t *dst, uint8_t *p, size_t len);

/* RFC 4443 2.4 (e): may an error of this type/code be sent about the
 * IPv6 packet pkt (len bytes, checked), whose upper-layer protocol is
 * proto at offset upper_off? No error about an error, about a packet to
 * a multicast address (except packet too big and parameter problem code
 * 2), or from an unspecified or multicast source. The stack adds what the
 * bytes cannot tell: no error about a frame that came as link-layer
 * multicast or broadcast (2.4 e.4), and rate limiting (2.4 f). */
bool icmp6_error_allowed(const uint8_t *pkt, size_t len, uint8_t proto, size_t upper_off, uint8_t type,
		uint8_t code);

#endif
