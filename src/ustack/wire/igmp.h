/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IGMP v1/v2 (RFC 2236) queries and v3 (RFC 3376) reports. */
#ifndef USTACK_WIRE_IGMP_H
#define USTACK_WIRE_IGMP_H
#include <stddef.h>
#include <stdint.h>

#define IGMPW_QUERY 0x11
#define IGMPW_V1_REPORT 0x12
#define IGMPW_V2_REPORT 0x16
#define IGMPW_V2_LEAVE 0x17
#define IGMPW_V3_REPORT 0x22
/* RFC 3376 4.2.12 record types */
#define IGMPW_MODE_IS_EXCLUDE 2
#define IGMPW_CHANGE_TO_INCLUDE 3
#define IGMPW_CHANGE_TO_EXCLUDE 4

struct igmp_repr {
	uint8_t type;
	uint8_t max_resp;   /* queries: tenths of a second (v2), code (v3) */
	uint32_t group;     /* network order; 0 in a general query */
	int version;        /* of a query: 1, 2 or 3 (RFC 3376 7.1) */
};

int igmp_check(const uint8_t *p, size_t len);
int igmp_parse(const uint8_t *p, size_t len, struct igmp_repr *r);
/* A v3 report with one record per group (no sources). Returns its length. */
int igmp_emit_v3_report(uint8_t rectype, const uint32_t *groups, int ngroups,
		uint8_t *buf, size_t len);
#endif
