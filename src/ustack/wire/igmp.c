/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "igmp.h"

#include <errno.h>
#include <string.h>

#include "checksum.h"

int igmp_check(const uint8_t *p, size_t len) {
	if (p == NULL || len < 8)
		return -EINVAL;
	if (csum_buf(p, len) != 0)
		return -EBADMSG;
	return 0;
}

int igmp_parse(const uint8_t *p, size_t len, struct igmp_repr *r) {
	int err = igmp_check(p, len);
	if (err)
		return err;
	r->type = p[0];
	r->max_resp = p[1];
	memcpy(&r->group, p + 4, 4);
	r->version = 0;
	if (r->type == IGMPW_QUERY) {
		/* RFC 3376 7.1: the version of a query is told by its length. */
		if (len == 8)
			r->version = p[1] == 0 ? 1 : 2;
		else if (len >= 12)
			r->version = 3;
		else
			return -EINVAL;
	}
	return 0;
}

int igmp_emit_v3_report(uint8_t rectype, const uint32_t *groups, int ngroups,
		uint8_t *buf, size_t len) {
	if (ngroups < 0 || ngroups > 0xffff)
		return -EINVAL;
	size_t need = 8 + (size_t) ngroups * 8;
	if (len < need)
		return -ENOSPC;
	memset(buf, 0, need);
	buf[0] = IGMPW_V3_REPORT;
	buf[6] = (uint8_t) (ngroups >> 8);
	buf[7] = (uint8_t) ngroups;
	for (int i = 0; i < ngroups; i++) {
		uint8_t *rec = buf + 8 + i * 8;
		rec[0] = rectype;
		memcpy(rec + 4, &groups[i], 4);
	}
	uint16_t c = csum_buf(buf, need);
	buf[2] = (uint8_t) (c >> 8);
	buf[3] = (uint8_t) c;
	return (int) need;
}
