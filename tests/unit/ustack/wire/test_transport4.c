/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ICMPv4, UDP and IGMP codecs: checksums (pseudo-header, zero checksum
 * rules of RFC 768), echo fields, IGMP query versions (RFC 3376 7.1),
 * v3 reports, malformed and truncated input. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "checksum.h"
#include "icmp4.h"
#include "igmp.h"
#include "udp.h"

static void test_icmp_echo(void **state) {
	uint8_t buf[8 + 6] = {0};
	memcpy(buf + 8, "abcdef", 6);
	struct icmp4_repr r = {.type = ICMP4W_ECHO, .id = 0x1234, .seq = 7};
	assert_int_equal(icmp4_emit(&r, buf, sizeof(buf)), 8);
	assert_int_equal(csum_buf(buf, sizeof(buf)), 0);
	struct icmp4_repr p;
	assert_int_equal(icmp4_parse(buf, sizeof(buf), 0, &p), 0);
	assert_int_equal(p.type, ICMP4W_ECHO);
	assert_int_equal(p.id, 0x1234);
	assert_int_equal(p.seq, 7);
	assert_int_equal(p.payload_len, 6);
	assert_memory_equal(p.payload, "abcdef", 6);
	buf[9] ^= 0xff;
	assert_int_equal(icmp4_check(buf, sizeof(buf), 0), -EBADMSG);
	assert_int_equal(icmp4_check(buf, sizeof(buf), ICMP4W_NOCSUM), 0);
	for (size_t n = 0; n < 8; n++)
		assert_int_equal(icmp4_check(buf, n, ICMP4W_NOCSUM), -EINVAL);
	assert_true(icmp4_is_error(ICMP4W_DEST_UNREACH));
	assert_true(icmp4_is_error(ICMP4W_TIME_EXCEEDED));
	assert_false(icmp4_is_error(ICMP4W_ECHO));
	assert_false(icmp4_is_error(ICMP4W_ECHOREPLY));
}

static void test_udp(void **state) {
	const uint8_t src[4] = {198, 18, 0, 1}, dst[4] = {198, 18, 0, 2};
	uint8_t buf[8 + 5];
	memcpy(buf + 8, "ciao\n", 5);
	struct udp_repr r = {.sport = 40000, .dport = 5000};
	uint32_t ph = csum_pseudo4(src, dst, 17, sizeof(buf));
	assert_int_equal(udp_emit(&r, buf, sizeof(buf), ph, 0), 8);
	assert_int_equal(udp_verify(buf, sizeof(buf), ph, 0), 0);
	struct udp_repr p;
	assert_int_equal(udp_parse(buf, sizeof(buf), &p), 0);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 5000);
	assert_int_equal(p.len, 13);
	assert_int_equal(p.payload_len, 5);
	/* one flipped bit is caught */
	buf[10] ^= 4;
	assert_int_equal(udp_verify(buf, sizeof(buf), ph, 0), -EBADMSG);
	buf[10] ^= 4;
	/* zero checksum: "none" on IPv4 only */
	assert_int_equal(udp_emit(&r, buf, sizeof(buf), ph, 1), 8);
	assert_int_equal(buf[6] | buf[7], 0);
	assert_int_equal(udp_verify(buf, sizeof(buf), ph, 1), 0);
	assert_int_equal(udp_verify(buf, sizeof(buf), ph, 0), -EBADMSG);
	/* length field: below 8, beyond the data; trailing bytes ignored */
	uint8_t b2[20] = {0};
	memcpy(b2, buf, sizeof(buf));
	assert_int_equal(udp_check(b2, sizeof(b2)), 0);
	b2[5] = 7;
	assert_int_equal(udp_check(b2, sizeof(b2)), -EINVAL);
	b2[5] = 21;
	assert_int_equal(udp_check(b2, sizeof(b2)), -EINVAL);
	for (size_t n = 0; n < 8; n++)
		assert_int_equal(udp_check(buf, n), -EINVAL);
	assert_int_equal(udp_emit(&r, buf, 7, ph, 0), -EINVAL);
}

static void test_igmp(void **state) {
	/* v2 general query (8 bytes, max resp 100), v1 (max resp 0), v3 (12+) */
	uint8_t q[12] = {IGMPW_QUERY, 100, 0, 0, 0, 0, 0, 0};
	uint16_t c = csum_buf(q, 8);
	q[2] = (uint8_t) (c >> 8);
	q[3] = (uint8_t) c;
	struct igmp_repr r;
	assert_int_equal(igmp_parse(q, 8, &r), 0);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.group, 0);
	q[1] = 0;
	q[2] = q[3] = 0;
	c = csum_buf(q, 8);
	q[2] = (uint8_t) (c >> 8);
	q[3] = (uint8_t) c;
	assert_int_equal(igmp_parse(q, 8, &r), 0);
	assert_int_equal(r.version, 1);
	q[1] = 10;
	q[2] = q[3] = 0;
	c = csum_buf(q, 12);
	q[2] = (uint8_t) (c >> 8);
	q[3] = (uint8_t) c;
	assert_int_equal(igmp_parse(q, 12, &r), 0);
	assert_int_equal(r.version, 3);
	/* 9..11 bytes: neither a v2 nor a v3 query */
	q[2] = q[3] = 0;
	c = csum_buf(q, 10);
	q[2] = (uint8_t) (c >> 8);
	q[3] = (uint8_t) c;
	assert_int_equal(igmp_parse(q, 10, &r), -EINVAL);
	q[4] ^= 1;
	assert_int_equal(igmp_check(q, 12), -EBADMSG);
	for (size_t n = 0; n < 8; n++)
		assert_int_equal(igmp_check(q, n), -EINVAL);
	/* a v3 report with two records */
	uint32_t groups[2];
	const uint8_t g1[4] = {239, 1, 1, 1}, g2[4] = {239, 2, 2, 2};
	memcpy(&groups[0], g1, 4);
	memcpy(&groups[1], g2, 4);
	uint8_t rep[24];
	assert_int_equal(igmp_emit_v3_report(IGMPW_CHANGE_TO_EXCLUDE, groups, 2, rep, sizeof(rep)), 24);
	assert_int_equal(rep[0], IGMPW_V3_REPORT);
	assert_int_equal(rep[7], 2);
	assert_int_equal(rep[8], IGMPW_CHANGE_TO_EXCLUDE);
	assert_memory_equal(rep + 12, g1, 4);
	assert_memory_equal(rep + 20, g2, 4);
	assert_int_equal(csum_buf(rep, 24), 0);
	assert_int_equal(igmp_emit_v3_report(IGMPW_CHANGE_TO_EXCLUDE, groups, 2, rep, 23), -ENOSPC);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_igmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
