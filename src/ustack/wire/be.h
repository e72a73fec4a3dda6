/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Network byte order (big-endian) fields at any alignment, for the codecs
 * of wire/ and the few places above that build headers by hand. */
#ifndef USTACK_WIRE_BE_H
#define USTACK_WIRE_BE_H
#include <stdint.h>

static inline uint16_t be16_get(const uint8_t *p) {
	return (uint16_t) (p[0] << 8 | p[1]);
}

static inline uint32_t be32_get(const uint8_t *p) {
	return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static inline void be16_put(uint8_t *p, uint16_t v) {
	p[0] = (uint8_t) (v >> 8);
	p[1] = (uint8_t) v;
}

static inline void be32_put(uint8_t *p, uint32_t v) {
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}
#endif
