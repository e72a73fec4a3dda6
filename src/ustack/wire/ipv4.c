/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ipv4.h"

#include <errno.h>
#include <string.h>

#include "checksum.h"

int ipv4_check(const uint8_t *p, size_t len, int flags) {
	if (p == NULL || len < IPV4W_HLEN)
		return -EINVAL;
	if ((p[0] >> 4) != 4)
		return -EINVAL;
	size_t hl = (size_t) (p[0] & 0x0f) * 4;
	size_t tl = (size_t) (p[2] << 8 | p[3]);
	if (hl < IPV4W_HLEN || hl > len || tl < hl || tl > len)
		return -EINVAL;
	size_t off = (size_t) ((p[6] << 8 | p[7]) & IPV4W_OFFMASK) * 8;
	/* RFC 791: a fragment may not reach past the 64 KiB datagram limit. */
	if (off + (tl - hl) > IPV4W_MAXLEN)
		return -EINVAL;
	if (!(flags & IPV4W_NOCSUM) && csum_buf(p, hl) != 0)
		return -EBADMSG;
	return 0;
}

int ipv4_parse(const uint8_t *p, size_t len, int flags, struct ipv4_repr *r) {
	int err = ipv4_check(p, len, flags);
	if (err)
		return err;
	uint16_t fo = (uint16_t) (p[6] << 8 | p[7]);
	r->hdr_len = (uint16_t) ((p[0] & 0x0f) * 4);
	r->tos = p[1];
	r->total_len = (uint16_t) (p[2] << 8 | p[3]);
	r->id = (uint16_t) (p[4] << 8 | p[5]);
	r->df = !!(fo & IPV4W_DF);
	r->mf = !!(fo & IPV4W_MF);
	r->frag_off = (uint16_t) ((fo & IPV4W_OFFMASK) * 8);
	r->ttl = p[8];
	r->proto = p[9];
	memcpy(&r->src, p + 12, 4);
	memcpy(&r->dst, p + 16, 4);
	r->opt = r->hdr_len > IPV4W_HLEN ? p + IPV4W_HLEN : NULL;
	r->optlen = (uint8_t) (r->hdr_len - IPV4W_HLEN);
	return 0;
}

int ipv4_emit(const struct ipv4_repr *r, uint8_t *buf, size_t len) {
	size_t hl = IPV4W_HLEN + r->optlen;
	if ((r->optlen & 3) || r->optlen > 40 || (r->optlen && r->opt == NULL))
		return -EINVAL;
	if (len < hl)
		return -ENOSPC;
	if (r->frag_off & 7)
		return -EINVAL;
	uint16_t fo = (uint16_t) ((r->frag_off / 8) | (r->df ? IPV4W_DF : 0) | (r->mf ? IPV4W_MF : 0));
	buf[0] = (uint8_t) (0x40 | hl / 4);
	buf[1] = r->tos;
	buf[2] = (uint8_t) (r->total_len >> 8);
	buf[3] = (uint8_t) r->total_len;
	buf[4] = (uint8_t) (r->id >> 8);
	buf[5] = (uint8_t) r->id;
	buf[6] = (uint8_t) (fo >> 8);
	buf[7] = (uint8_t) fo;
	buf[8] = r->ttl;
	buf[9] = r->proto;
	buf[10] = buf[11] = 0;
	memcpy(buf + 12, &r->src, 4);
	memcpy(buf + 16, &r->dst, 4);
	if (r->optlen)
		memcpy(buf + IPV4W_HLEN, r->opt, r->optlen);
	uint16_t c = csum_buf(buf, hl);
	buf[10] = (uint8_t) (c >> 8);
	buf[11] = (uint8_t) c;
	return (int) hl;
}
