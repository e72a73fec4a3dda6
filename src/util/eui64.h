/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The modified EUI-64 interface identifier of a MAC address (RFC 4291
 * 2.5.1 and appendix A): the universal/local bit inverted, ff:fe inserted
 * in the middle. One definition for ustack (link-local and SLAAC
 * addresses) and iothconf (ic_eui64); header only, nothing to link. */
#ifndef IOTH_UTIL_EUI64_H
#define IOTH_UTIL_EUI64_H
#include <stdint.h>

static inline void eui64_iid(uint8_t iid[8], const uint8_t mac[6]) {
	iid[0] = mac[0] ^ 0x02;
	iid[1] = mac[1];
	iid[2] = mac[2];
	iid[3] = 0xff;
	iid[4] = 0xfe;
	iid[5] = mac[3];
	iid[6] = mac[4];
	iid[7] = mac[5];
}
#endif
