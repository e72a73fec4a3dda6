/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ustack wire/icmp6: ICMPv6 messages and their checksum, on captured
 * Linux traffic and crafted messages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "icmp6.h"
#include "ip6ext.h"
#include "ipv6.h"
#include "test_ipv6_captures.h"

#define ICMP(cap) ((cap) + 40)
#define ICMPLEN(cap) (sizeof(cap) - 40)

static void test_echo_capture(void **state) {
	struct icmp6_repr r;
	const uint8_t *ip = cap_echo_request;
	assert_int_equal(icmp6_parse(ICMP(cap_echo_request), ICMPLEN(cap_echo_request), ip6_src(ip), ip6_dst(ip), &r), 0);
	assert_int_equal(r.type, ICMP6_ECHO_REQUEST);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.u.echo.id, 6656);
	assert_int_equal(r.u.echo.seq, 1);
	assert_int_equal(r.data_len, 56);
	assert_ptr_equal(r.data, ICMP(cap_echo_request) + 8);
	/* Answer it as Linux did: same id, seq and data, addresses swapped,
	 * and the result is Linux's reply byte for byte. */
	r.type = ICMP6_ECHO_REPLY;
	uint8_t out[128];
	int n = icmp6_emit(&r, ip6_dst(ip), ip6_src(ip), out, sizeof(out));
	assert_int_equal(n, ICMPLEN(cap_echo_reply));
	assert_memory_equal(out, ICMP(cap_echo_reply), (size_t) n);
	/* the reply verifies with its own addresses */
	assert_int_equal(icmp6_csum(ip6_src(cap_echo_reply), ip6_dst(cap_echo_reply), out, (size_t) n), 0);
}

static void test_bad_checksum(void **state) {
	uint8_t m[ICMPLEN(cap_echo_request)];
	memcpy(m, ICMP(cap_echo_request), sizeof(m));
	struct icmp6_repr r;
	const uint8_t *ip = cap_echo_request;
	for (size_t i = 0; i < sizeof(m); i++) {
		m[i] ^= 0x10;
		assert_int_equal(icmp6_parse(m, sizeof(m), ip6_src(ip), ip6_dst(ip), &r), -EBADMSG);
		/* without addresses (loopback) the checksum is not looked at */
		assert_int_equal(icmp6_parse(m, sizeof(m), NULL, NULL, &r), 0);
		m[i] ^= 0x10;
	}
	/* the pseudo-header counts: another destination fails */
	assert_int_equal(icmp6_parse(m, sizeof(m), ip6_src(ip), ip6_src(ip), &r), -EBADMSG);
}

static void test_error_captures(void **state) {
	struct icmp6_repr r;
	const uint8_t *ip = cap_unreach_port;
	assert_int_equal(icmp6_parse(ICMP(cap_unreach_port), ICMPLEN(cap_unreach_port), ip6_src(ip), ip6_dst(ip), &r), 0);
	assert_int_equal(r.type, ICMP6_DST_UNREACH);
	assert_int_equal(r.code, ICMP6_DU_PORT);
	assert_true(icmp6_is_error(r.type));
	/* the quoted packet is the UDP datagram we sent */
	assert_int_equal(r.data_len, 50);
	assert_int_equal(ip6_check(r.data, r.data_len), 0);
	assert_int_equal(ip6_next_header(r.data), 17);
	ip = cap_time_exceeded;
	assert_int_equal(icmp6_parse(ICMP(cap_time_exceeded), ICMPLEN(cap_time_exceeded), ip6_src(ip), ip6_dst(ip), &r), 0);
	assert_int_equal(r.type, ICMP6_TIME_EXCEEDED);
	assert_int_equal(r.code, ICMP6_TE_HOPLIMIT);
	assert_int_equal(ip6_hop_limit(r.data), 1);
	/* re-emitted, the router's message is the same bytes */
	uint8_t out[256];
	int n = icmp6_emit(&r, ip6_src(ip), ip6_dst(ip), out, sizeof(out));
	assert_int_equal(n, ICMPLEN(cap_time_exceeded));
	assert_memory_equal(out, ICMP(cap_time_exceeded), (size_t) n);
}

static void test_ptb_capture(void **state) {
	/* a Linux router's packet too big: MTU 1280, the quote cut so that
	 * the whole error is 1280 bytes, as RFC 4443 2.4 (c) asks */
	const uint8_t *ip = cap_packet_too_big;
	assert_int_equal(sizeof(cap_packet_too_big), IP6_MIN_MTU);
	struct icmp6_repr r;
	assert_int_equal(icmp6_parse(ICMP(cap_packet_too_big), ICMPLEN(cap_packet_too_big), ip6_src(ip), ip6_dst(ip), &r), 0);
	assert_int_equal(r.type, ICMP6_PACKET_TOO_BIG);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.u.mtu, 1280);
	assert_int_equal(r.data_len, ICMP6_ERROR_QUOTE_MAX);
	/* the quote is our 1448-byte echo request, cut: its header says more
	 * than the quote holds, so it is read by its fixed fields only */
	assert_int_equal(ip6_check(r.data, r.data_len), -EINVAL);
	assert_int_equal(ip6_version(r.data), 6);
	assert_int_equal(ip6_payload_len(r.data), 1408);
	assert_int_equal(ip6_next_header(r.data), IP6_NH_ICMPV6);
	assert_int_equal(r.data[40], ICMP6_ECHO_REQUEST);
	/* quoting the whole invoking packet, we cut it where Linux did */
	static uint8_t invoking[1448], out[1400];
	memcpy(invoking, r.data, r.data_len);
	struct icmp6_repr e = {.type = ICMP6_PACKET_TOO_BIG, .u.mtu = 1280, .data = invoking,
		.data_len = sizeof(invoking)};
	int n = icmp6_emit(&e, ip6_src(ip), ip6_dst(ip), out, sizeof(out));
	assert_int_equal(n, ICMPLEN(cap_packet_too_big));
	assert_memory_equal(out, ICMP(cap_packet_too_big), (size_t) n);
}

static void test_ptb_and_paramprob(void **state) {
	const uint8_t src[16] = {0xfd, 0, 0, 6, [15] = 2}, dst[16] = {0xfd, 0, 0, 6, [15] = 1};
	uint8_t out[1400], quote[1300];
	for (size_t i = 0; i < sizeof(quote); i++)
		quote[i] = (uint8_t) i;
	struct icmp6_repr r = {.type = ICMP6_PACKET_TOO_BIG, .u.mtu = 1280, .data = quote, .data_len = 100};
	int n = icmp6_emit(&r, src, dst, out, sizeof(out));
	assert_int_equal(n, 108);
	const uint8_t head[8] = {2, 0, out[2], out[3], 0, 0, 0x05, 0x00};
	assert_memory_equal(out, head, 8);
	struct icmp6_repr back;
	assert_int_equal(icmp6_parse(out, (size_t) n, src, dst, &back), 0);
	assert_int_equal(back.u.mtu, 1280);
	assert_memory_equal(back.data, quote, 100);
	r = (struct icmp6_repr){.type = ICMP6_PARAM_PROB, .code = IP6EXT_PP_UNK_OPTION, .u.pointer = 42,
		.data = quote, .data_len = sizeof(quote)};
	/* RFC 4443 2.4 (c): the quote is cut to fit 1280 bytes */
	n = icmp6_emit(&r, src, dst, out, sizeof(out));
	assert_int_equal(n, 8 + ICMP6_ERROR_QUOTE_MAX);
	assert_int_equal(40 + n, IP6_MIN_MTU);
	assert_int_equal(icmp6_parse(out, (size_t) n, src, dst, &back), 0);
	assert_int_equal(back.type, ICMP6_PARAM_PROB);
	assert_int_equal(back.code, 2);
	assert_int_equal(back.u.pointer, 42);
	/* informational messages are not cut */
	r = (struct icmp6_repr){.type = ICMP6_ECHO_REQUEST, .data = quote, .data_len = sizeof(quote)};
	assert_int_equal(icmp6_emit(&r, src, dst, out, sizeof(out)), 8 + (int) sizeof(quote));
	/* no addresses: checksum left 0 */
	assert_int_equal(icmp6_emit(&r, NULL, NULL, out, sizeof(out)), 8 + (int) sizeof(quote));
	assert_int_equal(out[2] | out[3], 0);
}

static void test_truncated_and_small(void **state) {
	struct icmp6_repr r;
	for (size_t len = 0; len < 8; len++) {
		uint8_t *p = malloc(len ? len : 1);
		memcpy(p, ICMP(cap_echo_request), len);
		assert_int_equal(icmp6_check(p, len), -EINVAL);
		assert_int_equal(icmp6_parse(p, len, NULL, NULL, &r), -EINVAL);
		free(p);
	}
	/* every longer prefix parses (without checksum), data shrinking */
	for (size_t len = 8; len <= ICMPLEN(cap_echo_request); len++) {
		uint8_t *p = malloc(len);
		memcpy(p, ICMP(cap_echo_request), len);
		assert_int_equal(icmp6_parse(p, len, NULL, NULL, &r), 0);
		assert_int_equal(r.data_len, len - 8);
		free(p);
	}
	uint8_t data[16] = {1, 2, 3};
	struct icmp6_repr e = {.type = ICMP6_ECHO_REPLY, .data = data, .data_len = sizeof(data)};
	uint8_t out[24];
	for (size_t len = 0; len < 24; len++)
		assert_int_equal(icmp6_emit(&e, NULL, NULL, out, len), -ENOSPC);
	assert_int_equal(icmp6_emit(&e, NULL, NULL, out, 24), 24);
	e.data = NULL;
	assert_int_equal(icmp6_emit(&e, NULL, NULL, out, 24), -EINVAL);
	/* more than an IPv6 payload can carry */
	e.data = data;
	e.data_len = 0x10000;
	assert_int_equal(icmp6_emit(&e, NULL, NULL, out, sizeof(out)), -EINVAL);
}

static void test_error_allowed(void **state) {
	struct ip6ext_result res;
	ip6ext_walk(cap_echo_request, sizeof(cap_echo_request), &res);
	assert_true(icmp6_error_allowed(cap_echo_request, sizeof(cap_echo_request), res.proto, res.offset,
		ICMP6_DST_UNREACH, ICMP6_DU_PORT));
	/* never about an ICMPv6 error */
	ip6ext_walk(cap_unreach_port, sizeof(cap_unreach_port), &res);
	assert_false(icmp6_error_allowed(cap_unreach_port, sizeof(cap_unreach_port), res.proto, res.offset,
		ICMP6_PARAM_PROB, 0));
	/* from the unspecified address (a DAD probe): no */
	ip6ext_walk(cap_ns_dad, sizeof(cap_ns_dad), &res);
	assert_false(icmp6_error_allowed(cap_ns_dad, sizeof(cap_ns_dad), res.proto, res.offset, ICMP6_PARAM_PROB, 0));
	/* to a multicast group: only packet too big and unknown option */
	ip6ext_walk(cap_mld_query, sizeof(cap_mld_query), &res);
	assert_false(icmp6_error_allowed(cap_mld_query, sizeof(cap_mld_query), res.proto, res.offset,
		ICMP6_DST_UNREACH, 0));
	assert_true(icmp6_error_allowed(cap_mld_query, sizeof(cap_mld_query), res.proto, res.offset,
		ICMP6_PACKET_TOO_BIG, 0));
	assert_true(icmp6_error_allowed(cap_mld_query, sizeof(cap_mld_query), res.proto, res.offset,
		ICMP6_PARAM_PROB, IP6EXT_PP_UNK_OPTION));
	assert_false(icmp6_error_allowed(cap_mld_query, sizeof(cap_mld_query), res.proto, res.offset,
		ICMP6_PARAM_PROB, IP6EXT_PP_HDR_FIELD));
	/* an ICMPv6 packet too short to show its type: no */
	assert_false(icmp6_error_allowed(cap_echo_request, 40, IP6_NH_ICMPV6, 40, ICMP6_PARAM_PROB, 0));
	assert_false(icmp6_error_allowed(cap_echo_request, 39, IP6_NH_ICMPV6, 40, ICMP6_PARAM_PROB, 0));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_capture),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_error_captures),
		cmocka_unit_test(test_ptb_capture),
		cmocka_unit_test(test_ptb_and_paramprob),
		cmocka_unit_test(test_truncated_and_small),
		cmocka_unit_test(test_error_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
