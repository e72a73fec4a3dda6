/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "icmp6.h"

#include <errno.h>
#include <string.h>

#include "checksum.h"
#include "ip6ext.h"
#include "ipv6.h"
#include "be.h"

int icmp6_check(const uint8_t *p, size_t len) {
	if (p == NULL || len < ICMP6_HDR_LEN)
		return -EINVAL;
	return 0;
}

uint16_t icmp6_csum(const uint8_t *src, const uint8_t *dst, const uint8_t *p, size_t len) {
	uint32_t sum = csum_pseudo6(src, dst, IP6_NH_ICMPV6, (uint32_t) len);
	return csum_fold(csum_add(sum, p, len));
}

void icmp6_fill_checksum(const uint8_t *src, const uint8_t *dst, uint8_t *p, size_t len) {
	p[2] = p[3] = 0;
	uint16_t c = icmp6_csum(src, dst, p, len);
	p[2] = (uint8_t) (c >> 8);
	p[3] = (uint8_t) c;
}

int icmp6_parse(const uint8_t *p, size_t len, const uint8_t *src, const uint8_t *dst, struct icmp6_repr *r) {
	int rc = icmp6_check(p, len);
	if (rc < 0)
		return rc;
	/* RFC 4443 2.3: the checksum is mandatory (unlike UDP over IPv4). */
	if (src != NULL && dst != NULL && icmp6_csum(src, dst, p, len) != 0)
		return -EBADMSG;
	memset(r, 0, sizeof(*r));
	r->type = icmp6_type(p);
	r->code = icmp6_code(p);
	switch (r->type) {
	case ICMP6_ECHO_REQUEST:
	case ICMP6_ECHO_REPLY:
		r->u.echo.id = (uint16_t) (p[4] << 8 | p[5]);
		r->u.echo.seq = (uint16_t) (p[6] << 8 | p[7]);
		break;
	case ICMP6_PACKET_TOO_BIG:
		r->u.mtu = be32_get(p + 4);
		break;
	case ICMP6_PARAM_PROB:
		r->u.pointer = be32_get(p + 4);
		break;
	default:
		/* unreachable and time exceeded: 4 unused bytes (RFC 4443
		 * 3.1, 3.3), kept raw like unknown types */
		r->u.word = be32_get(p + 4);
		break;
	}
	r->data = p + ICMP6_HDR_LEN;
	r->data_len = len - ICMP6_HDR_LEN;
	return 0;
}

int icmp6_emit(const struct icmp6_repr *r, const uint8_t *src, const uint8_t *dst, uint8_t *buf, size_t len) {
	size_t dlen = r->data_len;
	if (r->data == NULL && dlen != 0)
		return -EINVAL;
	if (icmp6_is_error(r->type) && dlen > ICMP6_ERROR_QUOTE_MAX)
		dlen = ICMP6_ERROR_QUOTE_MAX;
	/* without jumbograms a message fits a 16-bit payload length */
	if (dlen > 0xffff - ICMP6_HDR_LEN)
		return -EINVAL;
	if (buf == NULL || len < ICMP6_HDR_LEN || len - ICMP6_HDR_LEN < dlen)
		return -ENOSPC;
	buf[0] = r->type;
	buf[1] = r->code;
	buf[2] = buf[3] = 0;
	switch (r->type) {
	case ICMP6_ECHO_REQUEST:
	case ICMP6_ECHO_REPLY:
		buf[4] = (uint8_t) (r->u.echo.id >> 8);
		buf[5] = (uint8_t) r->u.echo.id;
		buf[6] = (uint8_t) (r->u.echo.seq >> 8);
		buf[7] = (uint8_t) r->u.echo.seq;
		break;
	case ICMP6_PACKET_TOO_BIG:
		be32_put(buf + 4, r->u.mtu);
		break;
	case ICMP6_PARAM_PROB:
		be32_put(buf + 4, r->u.pointer);
		break;
	default:
		be32_put(buf + 4, r->u.word);
		break;
	}
	if (dlen)
		memmove(buf + ICMP6_HDR_LEN, r->data, dlen);
	size_t total = ICMP6_HDR_LEN + dlen;
	if (src != NULL && dst != NULL)
		icmp6_fill_checksum(src, dst, buf, total);
	return (int) total;
}

bool icmp6_error_allowed(const uint8_t *pkt, size_t len, uint8_t proto, size_t upper_off, uint8_t type,
		uint8_t code) {
	if (pkt == NULL || len < IP6_HDR_LEN)
		return false;
	const uint8_t *src = ip6_src(pkt), *dst = ip6_dst(pkt);
	/* 2.4 (e.6): the source must identify a single node. */
	if (ip6_addr_is_unspecified(src) || ip6_addr_is_multicast(src))
		return false;
	/* 2.4 (e.3): not for a packet to a multicast address, except packet
	 * too big and parameter problem code 2 (unrecognised option). */
	if (ip6_addr_is_multicast(dst) && type != ICMP6_PACKET_TOO_BIG &&
			!(type == ICMP6_PARAM_PROB && code == IP6EXT_PP_UNK_OPTION))
		return false;
	/* 2.4 (e.1): never about an error message (or one we cannot tell
	 * is not, because its type byte is missing). Linux does the same. */
	if (proto == IP6_NH_ICMPV6) {
		if (upper_off >= len)
			return false;
		if (icmp6_is_error(pkt[upper_off]) || pkt[upper_off] == ICMP6_ND_REDIRECT)
			return false;
	}
	return true;
}
