/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Neighbor Discovery (RFC 4861): router solicitation and advertisement,
 * neighbour solicitation and advertisement, redirect, and their options,
 * with RDNSS and DNSSL (RFC 8106).
 *
 * ndp_parse() takes a whole ICMPv6 message (type byte first, checksum
 * already verified with icmp6_parse or icmp6_csum) and checks what RFC
 * 4861 asks of the message itself (code 0, lengths, a valid option area,
 * no multicast target); ndp_validate_ip() adds the checks on the IPv6
 * header (hop limit 255, addresses). Options are read with the iterator,
 * which rejects a zero length and an option running past the message.
 * Errors as in ipv6.h: -EINVAL (malformed input or representation),
 * -ENOSPC (output too small). */
#ifndef USTACK_WIRE_NDP_H
#define USTACK_WIRE_NDP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NDP_RS_LEN 8
#define NDP_RA_LEN 16
#define NDP_NS_LEN 24
#define NDP_NA_LEN 24
#define NDP_REDIRECT_LEN 40

/* Option types (RFC 4861 4.6, RFC 8106 5). */
#define NDP_OPT_SLLA 1
#define NDP_OPT_TLLA 2
#define NDP_OPT_PREFIX 3
#define NDP_OPT_REDIRECTED 4
#define NDP_OPT_MTU 5
#define NDP_OPT_RDNSS 25
#define NDP_OPT_DNSSL 31

/* RA flags byte (RFC 4861 4.2, RFC 4191 2.2 preference in bits 3-4). */
#define NDP_RA_MANAGED 0x80
#define NDP_RA_OTHER 0x40
/* NA flags (RFC 4861 4.4). */
#define NDP_NA_ROUTER 0x80
#define NDP_NA_SOLICITED 0x40
#define NDP_NA_OVERRIDE 0x20
/* Prefix information flags (RFC 4861 4.6.2). */
#define NDP_PREFIX_ONLINK 0x80
#define NDP_PREFIX_AUTO 0x40

/* Our links are Ethernet: link-layer address options are 8 bytes. */
#define NDP_LLADDR_LEN 6

struct ndp_repr {
	uint8_t type; /* ICMP6_ND_* */
	union {
		struct {
			uint8_t cur_hop_limit;
			uint8_t flags;
			uint16_t router_lifetime; /* seconds */
			uint32_t reachable_time;  /* ms */
			uint32_t retrans_timer;   /* ms */
		} ra;
		struct {
			uint8_t flags; /* NA only */
			uint8_t target[16];
		} nsna;            /* NS and NA */
		struct {
			uint8_t target[16];
			uint8_t dest[16];
		} redirect;
	} u;
	/* The single-instance options, decoded. Parse: set when present. */
	bool has_slla, has_tlla, has_mtu;
	uint8_t slla[NDP_LLADDR_LEN], tlla[NDP_LLADDR_LEN];
	uint32_t mtu;
	/* Parse: the whole option area, SLLA/TLLA/MTU included (prefixes,
	 * RDNSS, DNSSL... are read with the iterator). Emit: more options, already encoded (with the
	 * ndp_opt_*_emit functions), appended after SLLA/TLLA/MTU. */
	const uint8_t *opts;
	size_t opts_len;
};

int ndp_parse(const uint8_t *p, size_t len, struct ndp_repr *r);
/* Writes the ICMPv6 message with checksum 0: fill it with
 * icmp6_fill_checksum. Returns its length. */
int ndp_emit(const struct ndp_repr *r, uint8_t *buf, size_t len);

/* RFC 4861 6.1.1, 6.1.2, 7.1.1, 7.1.2, 8.1: checks on the IPv6 header
 * of a parsed message. src and dst are its addresses. */
int ndp_validate_ip(const struct ndp_repr *r, const uint8_t *src, const uint8_t *dst, uint8_t hop_limit);

/* Option iterator. */
struct ndp_opt {
	uint8_t type;
	const uint8_t *p; /* the whole option, type byte first */
	size_t len;       /* in bytes: 8 times the length byte */
};
struct ndp_opt_iter {
	const uint8_t *p;
	size_t len;
	size_t off;
};
void ndp_opt_iter_init(struct ndp_opt_iter *it, const uint8_t *opts, size_t len);
/* 1 and *o filled, 0 at the end, -EINVAL for a zero length or an
 * overrun (RFC 4861 4.6: the whole message is then discarded). */
int ndp_opt_next(struct ndp_opt_iter *it, struct ndp_opt *o);

struct ndp_prefix {
	uint8_t prefix_len;
	uint8_t flags;
	uint32_t valid_lifetime;     /* seconds, 0xffffffff = infinity */
	uint32_t preferred_lifetime; /* seconds */
	uint8_t prefix[16];
};

/* Typed option readers: 0 or -EINVAL when the option has the wrong
 * length for its type. */
int ndp_opt_lladdr(const struct ndp_opt *o, uint8_t mac[NDP_LLADDR_LEN]);
int ndp_opt_prefix(const struct ndp_opt *o, struct ndp_prefix *pi);
int ndp_opt_mtu(const struct ndp_opt *o, uint32_t *mtu);
/* RDNSS: *count addresses of 16 bytes at *addrs (inside the option). */
int ndp_opt_rdnss(const struct ndp_opt *o, uint32_t *lifetime, const uint8_t **addrs, size_t *count);
/* DNSSL: the lifetime, then the names one at a time: *pos starts at 0;
 * ndp_dnssl_next writes the next name in dotted form ("example.com",
 * no final dot) and returns 1, 0 at the end (only zero padding left), or
 * -EINVAL for a malformed name (compression is not allowed, RFC 8106
 * 5.2) or one longer than name_size - 1. */
int ndp_opt_dnssl(const struct ndp_opt *o, uint32_t *lifetime);
int ndp_dnssl_next(const struct ndp_opt *o, size_t *pos, char *name, size_t name_size);

/* Option writers: return the bytes written (a multiple of 8), -ENOSPC,
 * or -EINVAL. */
int ndp_opt_lladdr_emit(uint8_t type, const uint8_t mac[NDP_LLADDR_LEN], uint8_t *buf, size_t len);
int ndp_opt_prefix_emit(const struct ndp_prefix *pi, uint8_t *buf, size_t len);
int ndp_opt_mtu_emit(uint32_t mtu, uint8_t *buf, size_t len);
int ndp_opt_rdnss_emit(uint32_t lifetime, const uint8_t *addrs, size_t count, uint8_t *buf, size_t len);
/* names: count dotted names. */
int ndp_opt_dnssl_emit(uint32_t lifetime, const char *const *names, size_t count, uint8_t *buf, size_t len);

#endif
