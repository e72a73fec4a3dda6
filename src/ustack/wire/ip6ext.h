/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv6 extension headers (RFC 8200 section 4): the walk from the fixed
 * header to the upper-layer header, the fragment header codec, and the
 * hop-by-hop Router Alert header that MLD needs (RFC 2711, RFC 3810 5).
 *
 * The walk reads only inside the packet it is given and is bounded: at most
 * IP6EXT_MAX_HEADERS extension headers, IP6EXT_MAX_OPTIONS non-padding
 * options per options header, IP6EXT_MAX_PAD consecutive padding bytes
 * (the limits Linux applies by default). It never allocates. */
#ifndef USTACK_WIRE_IP6EXT_H
#define USTACK_WIRE_IP6EXT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IP6EXT_MAX_HEADERS 8
#define IP6EXT_MAX_OPTIONS 8
#define IP6EXT_MAX_PAD 7

/* Option types (RFC 8200 4.2, RFC 2711). */
#define IP6OPT_PAD1 0x00
#define IP6OPT_PADN 0x01
#define IP6OPT_ROUTER_ALERT 0x05
/* Router Alert values (RFC 2711): MLD uses 0. */
#define IP6OPT_RA_MLD 0

/* ICMPv6 parameter problem codes (RFC 4443 3.4, RFC 7112). */
#define IP6EXT_PP_HDR_FIELD 0
#define IP6EXT_PP_UNK_NEXTHDR 1
#define IP6EXT_PP_UNK_OPTION 2
#define IP6EXT_PP_HDR_INCOMPLETE 3

#define IP6_FRAG_HDR_LEN 8

struct ip6_frag_repr {
	uint8_t next_header;
	uint16_t offset; /* in bytes, a multiple of 8 */
	bool more;
	uint32_t ident;
};

enum ip6ext_verdict {
	/* proto and offset name the upper-layer header (or IP6_NH_NONE). */
	IP6EXT_UPPER = 0,
	/* A fragment to reassemble (not an atomic fragment): frag and
	 * frag_offset describe it, frag_nh_offset is the Next Header field
	 * that names the fragment header, which reassembly rewrites. For a
	 * first fragment (offset 0) proto, offset and nh_offset are also set
	 * as for IP6EXT_UPPER. */
	IP6EXT_FRAGMENT,
	/* Discard silently; reason says why (for the drop counters). */
	IP6EXT_DROP,
	/* Discard and answer with ICMPv6 parameter problem icmp_code, whose
	 * pointer is pointer (an offset from the start of the IPv6 header). */
	IP6EXT_PARAMPROB,
};

enum ip6ext_reason {
	IP6EXT_R_NONE = 0,
	IP6EXT_R_TRUNCATED,        /* a header runs past the packet */
	IP6EXT_R_TOO_MANY_HEADERS, /* more than IP6EXT_MAX_HEADERS */
	IP6EXT_R_HBH_NOT_FIRST,    /* hop-by-hop after another header (8200 4.3) */
	IP6EXT_R_OPT_OVERRUN,      /* an option runs past its header */
	IP6EXT_R_TOO_MANY_OPTIONS, /* more than IP6EXT_MAX_OPTIONS */
	IP6EXT_R_BAD_PADDING,      /* padding too long or PadN not zero */
	IP6EXT_R_BAD_OPTION,       /* a known option with a bad length */
	IP6EXT_R_UNKNOWN_OPTION,   /* unrecognised option whose action drops */
	IP6EXT_R_ROUTING,          /* routing header we do not process */
	IP6EXT_R_FRAG_LEN,         /* non-final fragment not a multiple of 8 */
	IP6EXT_R_FRAG_OFFSET,      /* fragment ends past 65535 */
	IP6EXT_R_FRAG_INCOMPLETE,  /* first fragment without the header chain */
	IP6EXT_R_FRAG_NESTED,      /* a second fragment header */
};

struct ip6ext_result {
	enum ip6ext_verdict verdict;
	enum ip6ext_reason reason;
	uint8_t proto;       /* IP6EXT_UPPER: the upper-layer protocol */
	size_t offset;       /* IP6EXT_UPPER: where its header starts */
	size_t nh_offset;    /* the Next Header field that named proto/fragment */
	uint8_t icmp_code;   /* IP6EXT_PARAMPROB */
	uint32_t pointer;    /* IP6EXT_PARAMPROB */
	unsigned int nheaders;
	bool router_alert;   /* a hop-by-hop Router Alert was present */
	uint16_t router_alert_value;
	bool has_frag;       /* a fragment header was seen (atomic or not) */
	size_t frag_offset;  /* where it starts */
	size_t frag_nh_offset; /* the Next Header field that names it */
	struct ip6_frag_repr frag;
};

/* Walk the extension headers of the IPv6 packet pkt, len = its length
 * (ip6_total_len after ip6_check). Returns res->verdict.
 * An atomic fragment (offset 0, M 0) is processed as an unfragmented
 * packet (RFC 6946) with has_frag set. A first fragment must hold the
 * whole header chain and the start of the upper-layer header (RFC 8200
 * 4.5, RFC 7112; as Linux, 20 bytes of TCP, 8 of UDP and ICMPv6, 1 of
 * anything else). */
enum ip6ext_verdict ip6ext_walk(const uint8_t *pkt, size_t len, struct ip6ext_result *res);

/* Name of a drop reason, for counters and logs. */
const char *ip6ext_reason_str(enum ip6ext_reason reason);

/* The fragment header (RFC 8200 4.5): 8 bytes. */
int ip6_frag_parse(const uint8_t *p, size_t len, struct ip6_frag_repr *r);
/* Returns 8, -EINVAL if offset is not a multiple of 8, -ENOSPC. */
int ip6_frag_emit(const struct ip6_frag_repr *r, uint8_t *buf, size_t len);

/* A hop-by-hop options header holding only a Router Alert option with
 * value, then PadN to 8 bytes. Returns 8 or -ENOSPC. */
int ip6_hbh_router_alert_emit(uint8_t next_header, uint16_t value, uint8_t *buf, size_t len);

#endif
