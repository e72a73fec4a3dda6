/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Internet checksum: the word-at-a-time sum (wire/checksum.c) against a
 * plain sum of big-endian 16-bit words written here, for every length up
 * to 300 bytes at every alignment, for buffers cut into pieces (only the
 * last one odd), and the example of RFC 1071 section 3. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "checksum.h"

/* the definition, 16 bits at a time */
static uint16_t slow_sum(const uint8_t *b, size_t len) {
	uint64_t acc = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		acc += (uint32_t) b[i] << 8 | b[i + 1];
	if (len & 1)
		acc += (uint32_t) b[len - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t) acc;
}

static uint16_t folded(uint32_t sum) {
	return (uint16_t) ~csum_fold(sum);
}

static uint8_t data[4096 + 16];

static void fill(uint32_t seed) {
	for (size_t i = 0; i < sizeof(data); i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (uint8_t) (seed >> 16);
	}
}

/* 0x0000 and 0xffff are the same number in one's complement: compare
 * after folding both the same way */
static void assert_same_sum(uint16_t a, uint16_t b) {
	if ((a == 0 || a == 0xffff) && (b == 0 || b == 0xffff))
		return;
	assert_int_equal(a, b);
}

static void test_every_length_and_alignment(void **state) {
	(void) state;
	fill(1);
	for (size_t off = 0; off < 16; off++)
		for (size_t len = 0; len <= 300; len++)
			assert_same_sum(folded(csum_add(0, data + off, len)), slow_sum(data + off, len));
	/* large buffers (a 64 KiB TCP segment's worth of carries) */
	fill(7);
	assert_same_sum(folded(csum_add(0, data, 4096)), slow_sum(data, 4096));
	assert_same_sum(folded(csum_add(0, data + 3, 4093)), slow_sum(data + 3, 4093));
}

static void test_all_ones_carries(void **state) {
	(void) state;
	/* every add carries: 0xff bytes, and a starting sum near 2^32 */
	memset(data, 0xff, sizeof(data));
	for (size_t len = 0; len <= 200; len++)
		assert_same_sum(folded(csum_add(0, data, len)), slow_sum(data, len));
	memset(data, 0, sizeof(data));
	assert_int_equal(csum_buf(data, 100), 0xffff);
	uint32_t big = 0xfffffffeu;
	memset(data, 0xfe, 64);
	uint64_t want = (uint64_t) big + slow_sum(data, 64);
	while (want >> 16)
		want = (want & 0xffff) + (want >> 16);
	assert_same_sum(folded(csum_add(big, data, 64)), (uint16_t) want);
}

static void test_pieces(void **state) {
	(void) state;
	fill(42);
	/* a sum carried from piece to piece, as the pseudo-header and the
	 * segment are: even cuts only, the last piece may be odd */
	for (size_t cut = 0; cut <= 64; cut += 2)
		for (size_t len = cut; len <= cut + 70; len++) {
			uint32_t s = csum_add(0, data + 1, cut);
			s = csum_add(s, data + 1 + cut, len - cut);
			assert_same_sum(folded(s), slow_sum(data + 1, len));
		}
}

static void test_rfc1071_example(void **state) {
	(void) state;
	/* RFC 1071 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 */
	static const uint8_t ex[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	assert_int_equal(folded(csum_add(0, ex, sizeof(ex))), 0xddf2);
	assert_int_equal(csum_buf(ex, sizeof(ex)), (uint16_t) ~0xddf2);
	/* a buffer holding its own checksum verifies to 0 */
	uint8_t buf[10];
	memcpy(buf, ex, 8);
	uint16_t c = csum_buf(ex, 8);
	buf[8] = (uint8_t) (c >> 8);
	buf[9] = (uint8_t) c;
	assert_int_equal(csum_buf(buf, 10), 0);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_length_and_alignment),
		cmocka_unit_test(test_all_ones_carries),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_rfc1071_example),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
