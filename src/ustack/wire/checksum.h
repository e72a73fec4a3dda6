/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Internet checksum (RFC 1071), with the IPv4 and IPv6 pseudo-headers.
 * Sums are kept unfolded in 32 bits (host order of 16-bit big-endian
 * words) so that pieces can be added, then folded once. */
#ifndef USTACK_WIRE_CHECKSUM_H
#define USTACK_WIRE_CHECKSUM_H
#include <stddef.h>
#include <stdint.h>

/* Add len bytes at p (any alignment, any length) to sum. An odd length is
 * padded with a zero byte, so only the last piece may be odd. */
uint32_t csum_add(uint32_t sum, const void *p, size_t len);
/* Fold to 16 bits and complement: the value to store in a header
 * (big-endian, as returned: store with htons). */
uint16_t csum_fold(uint32_t sum);
/* Pseudo-header sums. Addresses in network order (4 or 16 bytes). */
uint32_t csum_pseudo4(const void *src, const void *dst, uint8_t proto, uint32_t len);
uint32_t csum_pseudo6(const void *src, const void *dst, uint8_t nexthdr, uint32_t len);
/* Checksum of a whole buffer: csum_fold(csum_add(0, p, len)). A buffer that
 * includes a correct checksum field verifies to 0. */
uint16_t csum_buf(const void *p, size_t len);

#endif
