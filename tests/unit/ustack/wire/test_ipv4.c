/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv4 header codec: a header with a known checksum, round trips with
 * options and fragments, every malformed or truncated form rejected. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "checksum.h"
#include "ipv4.h"

/* 192.168.0.1 -> 192.168.0.199, UDP, DF, TTL 64, total 115, checksum b861 */
static const uint8_t known[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

static void test_known_header(void **state) {
	uint8_t buf[115] = {0};
	memcpy(buf, known, 20);
	struct ipv4_repr r;
	assert_int_equal(ipv4_parse(buf, sizeof(buf), 0, &r), 0);
	assert_int_equal(r.hdr_len, 20);
	assert_int_equal(r.total_len, 115);
	assert_int_equal(r.proto, 17);
	assert_int_equal(r.ttl, 64);
	assert_true(r.df);
	assert_false(r.mf);
	assert_int_equal(r.frag_off, 0);
	const uint8_t src[4] = {192, 168, 0, 1};
	assert_memory_equal(&r.src, src, 4);
	/* emit gives back the same bytes, checksum included */
	uint8_t out[20];
	assert_int_equal(ipv4_emit(&r, out, sizeof(out)), 20);
	assert_memory_equal(out, known, 20);
	/* link padding after the datagram is fine */
	uint8_t padded[130] = {0};
	memcpy(padded, known, 20);
	assert_int_equal(ipv4_check(padded, sizeof(padded), 0), 0);
}

static void test_malformed(void **state) {
	uint8_t buf[115] = {0};
	memcpy(buf, known, 20);
	/* every truncation below the total length */
	for (size_t n = 0; n < sizeof(buf); n++)
		assert_int_equal(ipv4_check(buf, n, 0), -EINVAL);
	assert_int_equal(ipv4_check(NULL, 20, 0), -EINVAL);
	/* bad checksum, unless told not to check */
	buf[10] ^= 1;
	assert_int_equal(ipv4_check(buf, sizeof(buf), 0), -EBADMSG);
	assert_int_equal(ipv4_check(buf, sizeof(buf), IPV4W_NOCSUM), 0);
	buf[10] ^= 1;
	/* version 6, IHL below 5, IHL beyond the data, total below IHL */
	buf[0] = 0x65;
	assert_int_equal(ipv4_check(buf, sizeof(buf), IPV4W_NOCSUM), -EINVAL);
	buf[0] = 0x44;
	assert_int_equal(ipv4_check(buf, sizeof(buf), IPV4W_NOCSUM), -EINVAL);
	buf[0] = 0x4f;
	assert_int_equal(ipv4_check(buf, 40, IPV4W_NOCSUM), -EINVAL);
	buf[0] = 0x46;
	buf[2] = 0;
	buf[3] = 20;
	assert_int_equal(ipv4_check(buf, sizeof(buf), IPV4W_NOCSUM), -EINVAL);
	/* a fragment ending past 65535 */
	memcpy(buf, known, 20);
	buf[6] = 0x1f;
	buf[7] = 0xff;
	assert_int_equal(ipv4_check(buf, sizeof(buf), IPV4W_NOCSUM), -EINVAL);
}

static void test_options_and_fragments(void **state) {
	static const uint8_t ra[4] = {0x94, 0x04, 0, 0};
	struct ipv4_repr r = {.src = 0x0100a8c0, .dst = 0x160000e0, .proto = 2, .ttl = 1, .tos = 0xc0,
		.id = 0x1234, .frag_off = 1480, .mf = 1, .opt = ra, .optlen = 4, .total_len = 24 + 8};
	uint8_t buf[32] = {0};
	assert_int_equal(ipv4_emit(&r, buf, sizeof(buf)), 24);
	assert_int_equal(csum_buf(buf, 24), 0);
	struct ipv4_repr p;
	assert_int_equal(ipv4_parse(buf, sizeof(buf), 0, &p), 0);
	assert_int_equal(p.hdr_len, 24);
	assert_int_equal(p.optlen, 4);
	assert_memory_equal(p.opt, ra, 4);
	assert_int_equal(p.frag_off, 1480);
	assert_true(p.mf);
	assert_false(p.df);
	assert_int_equal(p.id, 0x1234);
	assert_int_equal(p.tos, 0xc0);
	/* emit refuses what cannot be encoded */
	r.optlen = 3;
	assert_int_equal(ipv4_emit(&r, buf, sizeof(buf)), -EINVAL);
	r.optlen = 4;
	r.frag_off = 1481;
	assert_int_equal(ipv4_emit(&r, buf, sizeof(buf)), -EINVAL);
	r.frag_off = 0;
	assert_int_equal(ipv4_emit(&r, buf, 23), -ENOSPC);
	/* helpers */
	assert_int_equal(ipv4_mask(0), 0);
	assert_int_equal(ipv4_mask(24), __builtin_bswap32(0xffffff00));
	assert_int_equal(ipv4_mask(32), 0xffffffffu);
	assert_true(ipv4_is_multicast(0x010000e0));
	assert_false(ipv4_is_multicast(0x0100000a));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_header),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_options_and_fragments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
