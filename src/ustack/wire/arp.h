/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ARP for IPv4 over Ethernet (RFC 826). Only htype 1 / ptype 0x0800 /
 * hlen 6 / plen 4 is accepted: that is all an Ethernet IPv4 host speaks. */
#ifndef USTACK_WIRE_ARP_H
#define USTACK_WIRE_ARP_H
#include <stddef.h>
#include <stdint.h>

#define ARPW_LEN 28
#define ARPW_REQUEST 1
#define ARPW_REPLY 2

struct arp_repr {
	uint16_t op;
	uint8_t sha[6];
	uint32_t spa; /* network order */
	uint8_t tha[6];
	uint32_t tpa; /* network order */
};

int arp_check(const uint8_t *p, size_t len);
int arp_parse(const uint8_t *p, size_t len, struct arp_repr *r);
int arp_emit(const struct arp_repr *r, uint8_t *buf, size_t len);
#endif
