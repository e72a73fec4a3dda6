/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "eth.h"

#include <errno.h>
#include <string.h>

int eth_check(const uint8_t *p, size_t len) {
	return (p != NULL && len >= ETHW_HLEN) ? 0 : -EINVAL;
}

int eth_parse(const uint8_t *p, size_t len, struct eth_repr *r) {
	int err = eth_check(p, len);
	if (err)
		return err;
	memcpy(r->dst, p, ETHW_ALEN);
	memcpy(r->src, p + 6, ETHW_ALEN);
	r->type = (uint16_t) (p[12] << 8 | p[13]);
	return 0;
}

int eth_emit(const struct eth_repr *r, uint8_t *buf, size_t len) {
	if (len < ETHW_HLEN)
		return -ENOSPC;
	memcpy(buf, r->dst, ETHW_ALEN);
	memcpy(buf + 6, r->src, ETHW_ALEN);
	buf[12] = (uint8_t) (r->type >> 8);
	buf[13] = (uint8_t) r->type;
	return ETHW_HLEN;
}

void eth_mcast_from_ip4(uint32_t group_be, uint8_t *mac) {
	const uint8_t *g = (const uint8_t *) &group_be;
	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = g[1] & 0x7f;
	mac[4] = g[2];
	mac[5] = g[3];
}
