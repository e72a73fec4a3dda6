/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Ethernet II frames (IEEE 802.3 with EtherType). Pure codec: no state.
 * Convention of wire/: X_check/X_parse return 0 or -errno, X_emit returns
 * the bytes written or -errno. Multi-byte fields in repr are host order
 * unless named *_be; addresses stay as bytes / network-order words. */
#ifndef USTACK_WIRE_ETH_H
#define USTACK_WIRE_ETH_H
#include <stddef.h>
#include <stdint.h>

#define ETHW_HLEN 14
#define ETHW_ALEN 6
#define ETHW_P_IP 0x0800
#define ETHW_P_ARP 0x0806
#define ETHW_P_IPV6 0x86dd
#define ETHW_P_8021Q 0x8100

struct eth_repr {
	uint8_t dst[ETHW_ALEN];
	uint8_t src[ETHW_ALEN];
	uint16_t type;
};

int eth_check(const uint8_t *p, size_t len);
int eth_parse(const uint8_t *p, size_t len, struct eth_repr *r);
int eth_emit(const struct eth_repr *r, uint8_t *buf, size_t len);

static inline int eth_is_broadcast(const uint8_t *mac) {
	return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}
/* The I/G bit: group (multicast or broadcast) address. */
static inline int eth_is_multicast(const uint8_t *mac) {
	return mac[0] & 1;
}
/* RFC 1112 section 6.4: 01:00:5e + low 23 bits of the group. addr in network order. */
void eth_mcast_from_ip4(uint32_t group_be, uint8_t *mac);
#endif
