/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "udp.h"

#include <errno.h>

#include "checksum.h"

int udp_check(const uint8_t *p, size_t len) {
	if (p == NULL || len < UDPW_HLEN)
		return -EINVAL;
	size_t ul = (size_t) (p[4] << 8 | p[5]);
	if (ul < UDPW_HLEN || ul > len)
		return -EINVAL;
	return 0;
}

int udp_parse(const uint8_t *p, size_t len, struct udp_repr *r) {
	int err = udp_check(p, len);
	if (err)
		return err;
	r->sport = (uint16_t) (p[0] << 8 | p[1]);
	r->dport = (uint16_t) (p[2] << 8 | p[3]);
	r->len = (uint16_t) (p[4] << 8 | p[5]);
	r->csum = (uint16_t) (p[6] << 8 | p[7]);
	r->payload = p + UDPW_HLEN;
	r->payload_len = r->len - UDPW_HLEN;
	return 0;
}

int udp_verify(const uint8_t *p, size_t udplen, uint32_t pseudo, int allow_zero) {
	if (udplen < UDPW_HLEN)
		return -EINVAL;
	if (p[6] == 0 && p[7] == 0)
		return allow_zero ? 0 : -EBADMSG;
	return csum_fold(csum_add(pseudo, p, udplen)) == 0 ? 0 : -EBADMSG;
}

int udp_emit(const struct udp_repr *r, uint8_t *buf, size_t total, uint32_t pseudo, int nocsum) {
	if (total < UDPW_HLEN || total > 65535)
		return -EINVAL;
	buf[0] = (uint8_t) (r->sport >> 8);
	buf[1] = (uint8_t) r->sport;
	buf[2] = (uint8_t) (r->dport >> 8);
	buf[3] = (uint8_t) r->dport;
	buf[4] = (uint8_t) (total >> 8);
	buf[5] = (uint8_t) total;
	buf[6] = buf[7] = 0;
	if (nocsum)
		return UDPW_HLEN;
	uint16_t c = csum_fold(csum_add(pseudo, buf, total));
	/* RFC 768: a computed zero is sent as all ones. */
	if (c == 0)
		c = 0xffff;
	buf[6] = (uint8_t) (c >> 8);
	buf[7] = (uint8_t) c;
	return UDPW_HLEN;
}
