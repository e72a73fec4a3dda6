/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "icmp4.h"

#include <errno.h>
#include <string.h>

#include "checksum.h"

int icmp4_check(const uint8_t *p, size_t len, int flags) {
	if (p == NULL || len < ICMP4W_HLEN)
		return -EINVAL;
	if (!(flags & ICMP4W_NOCSUM) && csum_buf(p, len) != 0)
		return -EBADMSG;
	return 0;
}

int icmp4_parse(const uint8_t *p, size_t len, int flags, struct icmp4_repr *r) {
	int err = icmp4_check(p, len, flags);
	if (err)
		return err;
	r->type = p[0];
	r->code = p[1];
	memcpy(r->rest, p + 4, 4);
	r->id = (uint16_t) (p[4] << 8 | p[5]);
	r->seq = (uint16_t) (p[6] << 8 | p[7]);
	r->payload = p + ICMP4W_HLEN;
	r->payload_len = len - ICMP4W_HLEN;
	return 0;
}

int icmp4_emit(const struct icmp4_repr *r, uint8_t *buf, size_t total) {
	if (total < ICMP4W_HLEN)
		return -ENOSPC;
	buf[0] = r->type;
	buf[1] = r->code;
	buf[2] = buf[3] = 0;
	if (r->type == ICMP4W_ECHO || r->type == ICMP4W_ECHOREPLY) {
		buf[4] = (uint8_t) (r->id >> 8);
		buf[5] = (uint8_t) r->id;
		buf[6] = (uint8_t) (r->seq >> 8);
		buf[7] = (uint8_t) r->seq;
	} else
		memcpy(buf + 4, r->rest, 4);
	uint16_t c = csum_buf(buf, total);
	buf[2] = (uint8_t) (c >> 8);
	buf[3] = (uint8_t) c;
	return ICMP4W_HLEN;
}

int icmp4_is_error(uint8_t type) {
	return type == ICMP4W_DEST_UNREACH || type == ICMP4W_SOURCE_QUENCH ||
	       type == ICMP4W_REDIRECT || type == ICMP4W_TIME_EXCEEDED ||
	       type == ICMP4W_PARAMETERPROB;
}
