/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ustack wire/ipv6: the fixed header codec and the address helpers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipv6.h"
#include "test_ipv6_captures.h"

/* A heap copy of exactly len bytes, so AddressSanitizer sees any read
 * past the end. */
static uint8_t *dup_exact(const uint8_t *p, size_t len) {
	uint8_t *q = malloc(len ? len : 1);
	assert_non_null(q);
	if (len)
		memcpy(q, p, len);
	return q;
}

static const uint8_t addr_a[16] = {0xfd, 0x00, 0x00, 0x06, 0, 0, 0, 0, 0xdc, 0x47, 0x9e, 0xff, 0xfe, 0x11, 0x7a, 0x76};
static const uint8_t addr_b[16] = {0xfd, 0x00, 0x00, 0x06, [15] = 0x02};

static void test_parse_capture(void **state) {
	struct ip6_repr r;
	assert_int_equal(ip6_parse(cap_echo_request, sizeof(cap_echo_request), &r), 0);
	assert_int_equal(r.payload_len, 64);
	assert_int_equal(r.next_header, IP6_NH_ICMPV6);
	assert_int_equal(r.hop_limit, 64);
	assert_int_equal(r.tclass, 0);
	assert_int_equal(r.flow, 0x79849);
	assert_memory_equal(r.src, addr_a, 16);
	assert_memory_equal(r.dst, addr_b, 16);
	assert_int_equal(ip6_total_len(cap_echo_request), sizeof(cap_echo_request));
	/* the fragment-carrying capture: next header 44 */
	assert_int_equal(ip6_parse(cap_frag_first, sizeof(cap_frag_first), &r), 0);
	assert_int_equal(r.next_header, IP6_NH_FRAGMENT);
	assert_int_equal(r.payload_len, 1360);
}

static void test_roundtrip_captures(void **state) {
	const uint8_t *caps[] = {cap_echo_request, cap_echo_reply, cap_unreach_port, cap_mld_report, cap_ra,
		cap_tcp6_syn, cap_frag_last};
	const size_t lens[] = {sizeof(cap_echo_request), sizeof(cap_echo_reply), sizeof(cap_unreach_port),
		sizeof(cap_mld_report), sizeof(cap_ra), sizeof(cap_tcp6_syn), sizeof(cap_frag_last)};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct ip6_repr r;
		uint8_t out[IP6_HDR_LEN];
		assert_int_equal(ip6_parse(caps[i], lens[i], &r), 0);
		assert_int_equal(ip6_emit(&r, out, sizeof(out)), IP6_HDR_LEN);
		assert_memory_equal(out, caps[i], IP6_HDR_LEN);
	}
}

static void test_tclass_flow(void **state) {
	struct ip6_repr r = {.next_header = 17, .hop_limit = 1, .tclass = 0xb9, .flow = 0xfedcb, .payload_len = 0};
	uint8_t out[IP6_HDR_LEN];
	assert_int_equal(ip6_emit(&r, out, sizeof(out)), IP6_HDR_LEN);
	assert_int_equal(out[0], 0x6b);
	assert_int_equal(out[1], 0x9f);
	struct ip6_repr back;
	assert_int_equal(ip6_parse(out, sizeof(out), &back), 0);
	assert_int_equal(back.tclass, 0xb9);
	assert_int_equal(back.flow, 0xfedcb);
	r.flow = 0x100000;
	assert_int_equal(ip6_emit(&r, out, sizeof(out)), -EINVAL);
}

static void test_truncated_every_length(void **state) {
	size_t total = sizeof(cap_echo_request);
	for (size_t len = 0; len < total; len++) {
		uint8_t *p = dup_exact(cap_echo_request, len);
		struct ip6_repr r;
		assert_int_equal(ip6_check(p, len), -EINVAL);
		assert_int_equal(ip6_parse(p, len, &r), -EINVAL);
		free(p);
	}
	assert_int_equal(ip6_check(NULL, 100), -EINVAL);
	/* Ethernet padding after the packet is allowed */
	uint8_t padded[sizeof(cap_echo_request) + 6] = {0};
	memcpy(padded, cap_echo_request, total);
	assert_int_equal(ip6_check(padded, sizeof(padded)), 0);
	assert_int_equal(ip6_total_len(padded), total);
}

static void test_bad_version(void **state) {
	uint8_t p[IP6_HDR_LEN];
	memcpy(p, cap_tcp6_syn, IP6_HDR_LEN);
	p[4] = p[5] = 0;
	assert_int_equal(ip6_check(p, sizeof(p)), 0);
	for (int v = 0; v < 16; v++) {
		if (v == 6)
			continue;
		p[0] = (uint8_t) (v << 4);
		assert_int_equal(ip6_check(p, sizeof(p)), -EINVAL);
	}
}

static void test_emit_small_buffer(void **state) {
	struct ip6_repr r = {.next_header = 6, .hop_limit = 64};
	uint8_t out[IP6_HDR_LEN];
	for (size_t len = 0; len < IP6_HDR_LEN; len++)
		assert_int_equal(ip6_emit(&r, out, len), -ENOSPC);
	assert_int_equal(ip6_emit(&r, NULL, 40), -ENOSPC);
}

static void test_address_helpers(void **state) {
	/* Linux sent its NS for fd00:6::2 to ff02::1:ff00:2 */
	uint8_t snm[16];
	ip6_addr_solicited_node(snm, addr_b);
	assert_memory_equal(snm, ip6_dst(cap_ns), 16);
	/* in place */
	uint8_t a[16];
	memcpy(a, addr_b, 16);
	ip6_addr_solicited_node(a, a);
	assert_memory_equal(a, snm, 16);
	uint8_t mac[6];
	ip6_mcast_mac(mac, snm);
	const uint8_t want_mac[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x02};
	assert_memory_equal(mac, want_mac, 6);
	/* The link-local address of the sender of cap_rs comes from the
	 * MAC address in its source link-layer option (bytes 48..53). */
	uint8_t ll[16];
	ip6_addr_linklocal_eui64(ll, cap_rs + 50);
	assert_memory_equal(ll, ip6_src(cap_rs), 16);
	assert_true(ip6_addr_is_linklocal(ll));
	assert_false(ip6_addr_is_linklocal(addr_a));
	assert_true(ip6_addr_is_multicast(snm));
	assert_int_equal(ip6_mcast_scope(snm), 2);
	assert_int_equal(ip6_mcast_scope(addr_a), 0);
	assert_true(ip6_addr_is_unspecified(ip6_src(cap_ns_dad)));
	assert_false(ip6_addr_is_unspecified(addr_a));
	const uint8_t lo[16] = {[15] = 1};
	assert_true(ip6_addr_is_loopback(lo));
	assert_false(ip6_addr_is_loopback(addr_b));
	const uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff, 198, 18, 0, 1};
	assert_true(ip6_addr_is_v4mapped(mapped));
	assert_false(ip6_addr_is_v4mapped(lo));
}

static void test_prefix_equal(void **state) {
	assert_true(ip6_prefix_equal(addr_a, addr_b, 64));
	assert_false(ip6_prefix_equal(addr_a, addr_b, 65));
	assert_true(ip6_prefix_equal(addr_a, addr_b, 0));
	assert_true(ip6_prefix_equal(addr_a, addr_a, 128));
	assert_true(ip6_prefix_equal(addr_a, addr_a, 200)); /* clamped */
	uint8_t x[16];
	memcpy(x, addr_a, 16);
	x[15] ^= 1;
	assert_true(ip6_prefix_equal(addr_a, x, 127));
	assert_false(ip6_prefix_equal(addr_a, x, 128));
	x[0] ^= 0x80;
	assert_false(ip6_prefix_equal(addr_a, x, 1));
	assert_true(ip6_prefix_equal(addr_a, x, 0));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_capture),
		cmocka_unit_test(test_roundtrip_captures),
		cmocka_unit_test(test_tclass_flow),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_emit_small_buffer),
		cmocka_unit_test(test_address_helpers),
		cmocka_unit_test(test_prefix_equal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
