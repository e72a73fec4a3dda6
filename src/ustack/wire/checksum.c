/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "checksum.h"

#include <string.h>

/* The one's complement sum does not depend on the order of the bytes of
 * the words (RFC 1071, 2.B): the data is summed as native 64-bit words
 * with end-around carry (2^64 = 1 modulo 0xffff, as 2^16 is), folded to
 * 16 bits, and only that result is turned into the big-endian view the
 * callers keep. Four independent sums per round of 32 bytes let the
 * additions overlap. */
static uint64_t add_carry(uint64_t a, uint64_t b) {
	uint64_t s = a + b;
	return s + (s < b);
}

static uint16_t fold64(uint64_t a) {
	a = (a & 0xffffffffu) + (a >> 32);
	a = (a & 0xffffffffu) + (a >> 32);
	a = (a & 0xffff) + (a >> 16);
	a = (a & 0xffff) + (a >> 16);
	a = (a & 0xffff) + (a >> 16);
	return (uint16_t) a;
}

uint32_t csum_add(uint32_t sum, const void *p, size_t len) {
	const uint8_t *b = p;
	uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, w[4];
	while (len >= 32) {
		memcpy(w, b, 32);
		a0 = add_carry(a0, w[0]);
		a1 = add_carry(a1, w[1]);
		a2 = add_carry(a2, w[2]);
		a3 = add_carry(a3, w[3]);
		b += 32;
		len -= 32;
	}
	while (len >= 8) {
		memcpy(w, b, 8);
		a0 = add_carry(a0, w[0]);
		b += 8;
		len -= 8;
	}
	if (len) {
		/* the tail, zero-padded: an odd last byte is the high half of
		 * its big-endian word, at the same place in memory */
		w[0] = 0;
		memcpy(w, b, len);
		a1 = add_carry(a1, w[0]);
	}
	a0 = add_carry(add_carry(a0, a1), add_carry(a2, a3));
	uint32_t h = fold64(a0);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	h = (uint16_t) (h << 8 | h >> 8);
#endif
	uint64_t acc = (uint64_t) sum + h;
	return (uint32_t) ((acc & 0xffffffffu) + (acc >> 32));
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
