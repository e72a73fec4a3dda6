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

/* A 20-byte header followed by the options given. */
static size_t with_opts(uint8_t *h, const uint8_t *opt, size_t n) {
	memset(h, 0, 60);
	h[0] = (uint8_t) (0x40 | (20 + n) / 4);
	memcpy(h + 20, opt, n);
	return 20 + n;
}

/* Input checks as Linux's ip_options_compile: the ICMP pointer (offset
 * in the header) of each malformed option; source routes found. */
static void test_options_checked(void **state) {
	(void) state;
	uint8_t h[60];
	struct ipv4_opts o;
	static const uint8_t nop_ra[] = {1, 1, 1, 1, 0x94, 4, 0, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, nop_ra, 8), &o), 0);
	assert_int_equal(o.rr | o.ts | o.srr, 0);
	static const uint8_t rr_ptr2[] = {7, 7, 2, 0, 0, 0, 0, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, rr_ptr2, 8), &o), -EINVAL);
	assert_int_equal(o.bad, 22);
	static const uint8_t len_over[] = {7, 40, 4, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, len_over, 4), &o), -EINVAL);
	assert_int_equal(o.bad, 20);
	static const uint8_t len_one[] = {0x94, 1, 0, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, len_one, 4), &o), -EINVAL);
	assert_int_equal(o.bad, 20);
	static const uint8_t two_rr[] = {7, 3, 4, 7, 3, 4, 0, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, two_rr, 8), &o), -EINVAL);
	assert_int_equal(o.bad, 23);
	static const uint8_t ts_ptr4[] = {68, 8, 4, 0, 0, 0, 0, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, ts_ptr4, 8), &o), -EINVAL);
	assert_int_equal(o.bad, 22);
	static const uint8_t ts_overflow[] = {68, 8, 9, 0xf0, 0, 0, 0, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, ts_overflow, 8), &o), -EINVAL);
	assert_int_equal(o.bad, 23);
	static const uint8_t lsrr[] = {131, 7, 4, 198, 18, 9, 50, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, lsrr, 8), &o), 0);
	assert_int_equal(o.srr, 20);
	/* everything after an end of list is ignored */
	static const uint8_t eol[] = {0, 7, 2, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, eol, 4), &o), 0);
}

/* Replies echo a route record with two addresses (ours on reception and
 * as sender), as Linux does; nothing else is echoed. */
static void test_options_echo(void **state) {
	(void) state;
	uint8_t h[60], out[40];
	struct ipv4_opts o;
	uint32_t me;
	memcpy(&me, (const uint8_t[]) {198, 18, 9, 1}, 4);
	static const uint8_t rr3[] = {7, 15, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, rr3, 16), &o), 0);
	assert_int_equal(ipv4_opts_echo(h, &o, me, out), 16);
	static const uint8_t want3[] = {7, 15, 12, 198, 18, 9, 1, 198, 18, 9, 1, 0, 0, 0, 0, 0};
	assert_memory_equal(out, want3, 16);
	/* one slot left: recorded once */
	static const uint8_t rr1[] = {7, 11, 8, 198, 18, 9, 50, 0, 0, 0, 0, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, rr1, 12), &o), 0);
	assert_int_equal(ipv4_opts_echo(h, &o, me, out), 12);
	static const uint8_t want1[] = {7, 11, 12, 198, 18, 9, 50, 198, 18, 9, 1, 0};
	assert_memory_equal(out, want1, 12);
	/* full: copied as it came */
	static const uint8_t full[] = {7, 7, 8, 198, 18, 9, 50, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, full, 8), &o), 0);
	assert_int_equal(ipv4_opts_echo(h, &o, me, out), 8);
	assert_memory_equal(out, full, 8);
	/* a slot and 2 bytes: no room for the second address, no reply */
	static const uint8_t odd[] = {7, 9, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, odd, 12), &o), 0);
	assert_int_equal(ipv4_opts_echo(h, &o, me, out), -EINVAL);
	static const uint8_t ra[] = {0x94, 4, 0, 0};
	assert_int_equal(ipv4_opts_parse(h, with_opts(h, ra, 4), &o), 0);
	assert_int_equal(ipv4_opts_echo(h, &o, me, out), 0);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_header),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_options_and_fragments),
		cmocka_unit_test(test_options_checked),
		cmocka_unit_test(test_options_echo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
