/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The Internet checksum (RFC 1071): the IPv4 and UDP headers a DHCPv4
 * client writes (dhcp4_wire.c) and the ICMPv6 messages of router
 * discovery (rd.c). Pure. */
#include "iothconf_int.h"

uint16_t ic_inet_csum(const void *data, size_t len, uint32_t sum) {
	const uint8_t *p = data;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}
