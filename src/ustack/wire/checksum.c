/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "checksum.h"

uint32_t csum_add(uint32_t sum, const void *p, size_t len) {
	const uint8_t *b = p;
	uint64_t acc = sum;
	while (len >= 2) {
		acc += (uint32_t) b[0] << 8 | b[1];
		b += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t) b[0] << 8;
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t) acc;
}

uint16_t csum_fold(uint32_t sum) {
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t) ~sum;
}

uint32_t csum_pseudo4(const void *src, const void *dst, uint8_t proto, uint32_t len) {
	uint32_t sum = csum_add(0, src, 4);
	sum = csum_add(sum, dst, 4);
	return sum + proto + (len >> 16) + (len & 0xffff);
}

uint32_t csum_pseudo6(const void *src, const void *dst, uint8_t nexthdr, uint32_t len) {
	uint32_t sum = csum_add(0, src, 16);
	sum = csum_add(sum, dst, 16);
	return sum + nexthdr + (len >> 16) + (len & 0xffff);
}

uint16_t csum_buf(const void *p, size_t len) {
	return csum_fold(csum_add(0, p, len));
}
