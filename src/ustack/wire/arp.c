/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "arp.h"

#include <errno.h>
#include <string.h>

#include "be.h"

int arp_check(const uint8_t *p, size_t len) {
	if (p == NULL || len < ARPW_LEN)
		return -EINVAL;
	if (be16_get(p) != 1 || be16_get(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4)
		return -EPROTONOSUPPORT;
	uint16_t op = be16_get(p + 6);
	if (op != ARPW_REQUEST && op != ARPW_REPLY)
		return -EOPNOTSUPP;
	return 0;
}

int arp_parse(const uint8_t *p, size_t len, struct arp_repr *r) {
	int err = arp_check(p, len);
	if (err)
		return err;
	r->op = be16_get(p + 6);
	memcpy(r->sha, p + 8, 6);
	memcpy(&r->spa, p + 14, 4);
	memcpy(r->tha, p + 18, 6);
	memcpy(&r->tpa, p + 24, 4);
	return 0;
}

int arp_emit(const struct arp_repr *r, uint8_t *buf, size_t len) {
	if (len < ARPW_LEN)
		return -ENOSPC;
	static const uint8_t fixed[6] = {0, 1, 8, 0, 6, 4};
	memcpy(buf, fixed, 6);
	buf[6] = (uint8_t) (r->op >> 8);
	buf[7] = (uint8_t) r->op;
	memcpy(buf + 8, r->sha, 6);
	memcpy(buf + 14, &r->spa, 4);
	memcpy(buf + 18, r->tha, 6);
	memcpy(buf + 24, &r->tpa, 4);
	return ARPW_LEN;
}
