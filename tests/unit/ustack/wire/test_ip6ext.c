/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ustack wire/ip6ext: the extension header walk, the fragment header and
 * the Router Alert header, on captured and crafted packets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ip6ext.h"
#include "ipv6.h"
#include "test_ipv6_captures.h"

static const uint8_t unicast_dst[16] = {0xfd, 0, 0, 6, [15] = 2};
static const uint8_t mcast_dst[16] = {0xff, 0x02, [15] = 1};

/* IPv6 header (next header nh, to dst) then ext bytes; returns the length. */
static size_t build(uint8_t *buf, const uint8_t *dst, uint8_t nh, const uint8_t *ext, size_t elen) {
	struct ip6_repr r = {.next_header = nh, .hop_limit = 64, .payload_len = (uint16_t) elen};
	r.src[0] = 0xfd;
	r.src[15] = 1;
	memcpy(r.dst, dst, 16);
	assert_int_equal(ip6_emit(&r, buf, IP6_HDR_LEN), IP6_HDR_LEN);
	memcpy(buf + IP6_HDR_LEN, ext, elen);
	return IP6_HDR_LEN + elen;
}

/* Walk a heap copy of exactly len bytes (AddressSanitizer sees overreads). */
static enum ip6ext_verdict walk(const uint8_t *p, size_t len, struct ip6ext_result *res) {
	uint8_t *q = malloc(len ? len : 1);
	assert_non_null(q);
	memcpy(q, p, len);
	enum ip6ext_verdict v = ip6ext_walk(q, len, res);
	free(q);
	assert_int_equal(v, res->verdict);
	return v;
}

static void test_captured_plain(void **state) {
	struct ip6ext_result res;
	assert_int_equal(walk(cap_echo_request, sizeof(cap_echo_request), &res), IP6EXT_UPPER);
	assert_int_equal(res.proto, IP6_NH_ICMPV6);
	assert_int_equal(res.offset, 40);
	assert_int_equal(res.nh_offset, IP6_OFF_NH);
	assert_int_equal(res.nheaders, 0);
	assert_false(res.has_frag);
	assert_int_equal(walk(cap_tcp6_syn, sizeof(cap_tcp6_syn), &res), IP6EXT_UPPER);
	assert_int_equal(res.proto, IP6_NH_TCP);
}

static void test_captured_router_alert(void **state) {
	struct ip6ext_result res;
	/* Linux's MLDv2 report and the bridge's query: hop-by-hop with a
	 * Router Alert (value 0) and PadN */
	assert_int_equal(walk(cap_mld_report, sizeof(cap_mld_report), &res), IP6EXT_UPPER);
	assert_int_equal(res.proto, IP6_NH_ICMPV6);
	assert_int_equal(res.offset, 48);
	assert_int_equal(res.nh_offset, 40);
	assert_int_equal(res.nheaders, 1);
	assert_true(res.router_alert);
	assert_int_equal(res.router_alert_value, IP6OPT_RA_MLD);
	assert_int_equal(walk(cap_mld_query, sizeof(cap_mld_query), &res), IP6EXT_UPPER);
	assert_true(res.router_alert);
	/* our own Router Alert header is byte for byte Linux's */
	uint8_t hbh[8];
	assert_int_equal(ip6_hbh_router_alert_emit(IP6_NH_ICMPV6, IP6OPT_RA_MLD, hbh, sizeof(hbh)), 8);
	assert_memory_equal(hbh, cap_mld_report + 40, 8);
	for (size_t len = 0; len < 8; len++)
		assert_int_equal(ip6_hbh_router_alert_emit(58, 0, hbh, len), -ENOSPC);
}

static void test_captured_fragments(void **state) {
	struct ip6ext_result res;
	assert_int_equal(walk(cap_frag_first, sizeof(cap_frag_first), &res), IP6EXT_FRAGMENT);
	assert_true(res.has_frag);
	assert_int_equal(res.frag_offset, 40);
	assert_int_equal(res.frag_nh_offset, IP6_OFF_NH);
	assert_int_equal(res.frag.offset, 0);
	assert_true(res.frag.more);
	assert_int_equal(res.frag.next_header, IP6_NH_ICMPV6);
	assert_int_equal(res.frag.ident, 0x79e3839b);
	/* a first fragment also names its upper layer */
	assert_int_equal(res.proto, IP6_NH_ICMPV6);
	assert_int_equal(res.offset, 48);
	assert_int_equal(res.nh_offset, 40);

	assert_int_equal(walk(cap_frag_middle, sizeof(cap_frag_middle), &res), IP6EXT_FRAGMENT);
	assert_int_equal(res.frag.offset, 1352);
	assert_true(res.frag.more);
	assert_int_equal(res.frag.ident, 0x79e3839b);
	assert_int_equal(walk(cap_frag_last, sizeof(cap_frag_last), &res), IP6EXT_FRAGMENT);
	assert_int_equal(res.frag.offset, 2704);
	assert_false(res.frag.more);
	/* the three pieces cover the datagram: 1352 + 1352 + 304 bytes */
	assert_int_equal(sizeof(cap_frag_last) - 48 + 2704, 3008);
}

static void test_atomic_fragment(void **state) {
	/* RFC 6946: offset 0 and M 0 is processed as a whole packet */
	const uint8_t ext[] = {58, 0, 0, 0, 1, 2, 3, 4, 128, 0, 0, 0, 0, 1, 0, 1};
	uint8_t p[128];
	size_t n = build(p, unicast_dst, IP6_NH_FRAGMENT, ext, sizeof(ext));
	struct ip6ext_result res;
	assert_int_equal(walk(p, n, &res), IP6EXT_UPPER);
	assert_true(res.has_frag);
	assert_int_equal(res.proto, 58);
	assert_int_equal(res.offset, 48);
	assert_int_equal(res.frag.ident, 0x01020304);
}

static void test_fragment_checks(void **state) {
	struct ip6ext_result res;
	uint8_t p[256];
	/* M set and 12 data bytes: not a multiple of 8 -> pointer to the
	 * payload length (RFC 8200 4.5) */
	uint8_t ext[8 + 12] = {17, 0, 0x00, 0x09, 0, 0, 0, 7};
	size_t n = build(p, unicast_dst, IP6_NH_FRAGMENT, ext, sizeof(ext));
	assert_int_equal(walk(p, n, &res), IP6EXT_PARAMPROB);
	assert_int_equal(res.icmp_code, IP6EXT_PP_HDR_FIELD);
	assert_int_equal(res.pointer, IP6_OFF_PLEN);
	assert_int_equal(res.reason, IP6EXT_R_FRAG_LEN);
	/* offset 65528 + 16 bytes passes 65535 -> pointer to the offset field */
	uint8_t ext2[8 + 16] = {17, 0, 0xff, 0xf8, 0, 0, 0, 7};
	n = build(p, unicast_dst, IP6_NH_FRAGMENT, ext2, sizeof(ext2));
	assert_int_equal(walk(p, n, &res), IP6EXT_PARAMPROB);
	assert_int_equal(res.pointer, 42);
	assert_int_equal(res.reason, IP6EXT_R_FRAG_OFFSET);
	/* first fragment with 8 bytes of a TCP header: the chain is
	 * incomplete (RFC 7112, code 3, pointer 0) */
	uint8_t ext3[8 + 8] = {6, 0, 0, 1, 0, 0, 0, 9};
	n = build(p, unicast_dst, IP6_NH_FRAGMENT, ext3, sizeof(ext3));
	assert_int_equal(walk(p, n, &res), IP6EXT_PARAMPROB);
	assert_int_equal(res.icmp_code, IP6EXT_PP_HDR_INCOMPLETE);
	assert_int_equal(res.pointer, 0);
	/* ... and with a destination options header cut by the fragment */
	uint8_t ext4[8 + 8] = {60, 0, 0, 1, 0, 0, 0, 9, 6, 1, 1, 4, 0, 0, 0, 0};
	n = build(p, unicast_dst, IP6_NH_FRAGMENT, ext4, sizeof(ext4));
	assert_int_equal(walk(p, n, &res), IP6EXT_PARAMPROB);
	assert_int_equal(res.icmp_code, IP6EXT_PP_HDR_INCOMPLETE);
	/* any other protocol needs one byte: a first fragment with none */
	uint8_t ext6[8] = {IP6_NH_NONE, 0, 0, 1, 0, 0, 0, 9};
	n = build(p, unicast_dst, IP6_NH_FRAGMENT, ext6, sizeof(ext6));
	assert_int_equal(walk(p, n, &res), IP6EXT_PARAMPROB);
	assert_int_equal(res.icmp_code, IP6EXT_PP_HDR_INCOMPLETE);
	/* 20 bytes of TCP are enough */
	uint8_t ext7[8 + 24] = {6, 0, 0, 1, 0, 0, 0, 9};
	n = build(p, unicast_dst, IP6_NH_FRAGMENT, ext7, sizeof(ext7));
	assert_int_equal(walk(p, n, &res), IP6EXT_FRAGMENT);
	assert_int_equal(res.proto, 6);
	assert_int_equal(res.offset, 48);
	/* a second fragment header is dropped */
	uint8_t ext5[8 + 8 + 8] = {44, 0, 0, 0, 0, 0, 0, 1, 17, 0, 0, 9, 0, 0, 0, 2};
	n = build(p, unicast_dst, IP6_NH_FRAGMENT, ext5, sizeof(ext5));
	assert_int_equal(walk(p, n, &res), IP6EXT_DROP);
	assert_int_equal(res.reason, IP6EXT_R_FRAG_NESTED);
}

/* An 8-byte destination options header holding one option of type t
 * and length l (2 or 4), padded with PadN. */
static size_t dstopt_packet(uint8_t *p, const uint8_t *dst, uint8_t t, uint8_t l) {
	uint8_t ext[8] = {59, 0, t, l};
	size_t used = 4 + l;
	if (used < 8) {
		ext[used] = IP6OPT_PADN;
		ext[used + 1] = (uint8_t) (8 - used - 2);
	}
	return build(p, dst, IP6_NH_DSTOPTS, ext, sizeof(ext));
}

static void test_unknown_option_actions(void **state) {
	struct ip6ext_result res;
	uint8_t p[128];
	size_t n = dstopt_packet(p, unicast_dst, 0x1e, 2);
	assert_int_equal(walk(p, n, &res), IP6EXT_UPPER); /* 00: skip */
	assert_int_equal(res.proto, IP6_NH_NONE);
	assert_int_equal(res.offset, 48);
	n = dstopt_packet(p, unicast_dst, 0x5e, 2);
	assert_int_equal(walk(p, n, &res), IP6EXT_DROP); /* 01: discard */
	assert_int_equal(res.reason, IP6EXT_R_UNKNOWN_OPTION);
	n = dstopt_packet(p, mcast_dst, 0x9e, 2);
	assert_int_equal(walk(p, n, &res), IP6EXT_PARAMPROB); /* 10: even multicast */
	assert_int_equal(res.icmp_code, IP6EXT_PP_UNK_OPTION);
	assert_int_equal(res.pointer, 42);
	n = dstopt_packet(p, unicast_dst, 0xde, 2);
	assert_int_equal(walk(p, n, &res), IP6EXT_PARAMPROB); /* 11: unicast */
	assert_int_equal(res.pointer, 42);
	n = dstopt_packet(p, mcast_dst, 0xde, 2);
	assert_int_equal(walk(p, n, &res), IP6EXT_DROP); /* 11: not multicast */
	/* Jumbo Payload is not supported: its type 0xc2 answers 11 */
	n = dstopt_packet(p, unicast_dst, 0xc2, 4);
	assert_int_equal(walk(p, n, &res), IP6EXT_PARAMPROB);
}

static void test_option_bounds(void **state) {
	struct ip6ext_result res;
	uint8_t p[256];
	size_t n;
	/* option length past the header */
	const uint8_t over[8] = {59, 0, 0x1e, 5, 0, 0, 0, 0};
	n = build(p, unicast_dst, IP6_NH_DSTOPTS, over, sizeof(over));
	assert_int_equal(walk(p, n, &res), IP6EXT_DROP);
	assert_int_equal(res.reason, IP6EXT_R_OPT_OVERRUN);
	/* an option type with no room for its length byte */
	const uint8_t nolen[8] = {59, 0, 1, 2, 0, 0, 0, 0x1e};
	n = build(p, unicast_dst, IP6_NH_DSTOPTS, nolen, sizeof(nolen));
	assert_int_equal(walk(p, n, &res), IP6EXT_DROP);
	assert_int_equal(res.reason, IP6EXT_R_OPT_OVERRUN);
	/* 8 consecutive Pad1 */
	const uint8_t pad8[16] = {59, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0};
	n = build(p, unicast_dst, IP6_NH_DSTOPTS, pad8, sizeof(pad8));
	assert_int_equal(walk(p, n, &res), IP6EXT_DROP);
	assert_int_equal(res.reason, IP6EXT_R_BAD_PADDING);
	/* 6 bytes of padding pass */
	const uint8_t pad6[8] = {59, 0, 1, 4, 0, 0, 0, 0};
	n = build(p, unicast_dst, IP6_NH_DSTOPTS, pad6, sizeof(pad6));
	assert_int_equal(walk(p, n, &res), IP6EXT_UPPER);
	/* PadN with data that is not zero */
	const uint8_t padx[8] = {59, 0, 1, 4, 0, 0, 1, 0};
	n = build(p, unicast_dst, IP6_NH_DSTOPTS, padx, sizeof(padx));
	assert_int_equal(walk(p, n, &res), IP6EXT_DROP);
	assert_int_equal(res.reason, IP6EXT_R_BAD_PADDING);
	/* 9 skippable options: over the bound; 8 pass */
	uint8_t many[24] = {59, 2};
	for (int i = 0; i < 9; i++) {
		many[2 + 2 * i] = 0x1e;
		many[3 + 2 * i] = 0;
	}
	many[20] = IP6OPT_PADN;
	many[21] = 2;
	n = build(p, unicast_dst, IP6_NH_DSTOPTS, many, sizeof(many));
	assert_int_equal(walk(p, n, &res), IP6EXT_DROP);
	assert_int_equal(res.reason, IP6EXT_R_TOO_MANY_OPTIONS);
	/* the ninth option becomes two Pad1: 2 + 4 bytes of padding */
	many[18] = IP6OPT_PAD1;
	many[19] = IP6OPT_PAD1;
	n = build(p, unicast_dst, IP6_NH_DSTOPTS, many, sizeof(many));
	assert_int_equal(walk(p, n, &res), IP6EXT_UPPER);
	/* a Router Alert with a length other than 2 */
	const uint8_t ra[8] = {58, 0, 5, 3, 0, 0, 0, 0};
	n = build(p, unicast_dst, IP6_NH_HOPOPTS, ra, sizeof(ra));
	assert_int_equal(walk(p, n, &res), IP6EXT_DROP);
	assert_int_equal(res.reason, IP6EXT_R_BAD_OPTION);
}

static void test_header_order_and_count(void **state) {
	struct ip6ext_result res;
	uint8_t p[256];
	/* hop-by-hop after a destination options header: unrecognised next
	 * header, pointer to the field that named it */
	const uint8_t late[16] = {0, 0, 1, 4, 0, 0, 0, 0, 59, 0, 1, 4, 0, 0, 0, 0};
	size_t n = build(p, unicast_dst, IP6_NH_DSTOPTS, late, sizeof(late));
	assert_int_equal(walk(p, n, &res), IP6EXT_PARAMPROB);
	assert_int_equal(res.icmp_code, IP6EXT_PP_UNK_NEXTHDR);
	assert_int_equal(res.pointer, 40);
	assert_int_equal(res.reason, IP6EXT_R_HBH_NOT_FIRST);
	/* a chain of IP6EXT_MAX_HEADERS destination options passes, one
	 * more is dropped */
	uint8_t chain[8 * (IP6EXT_MAX_HEADERS + 1)];
	for (int k = 0; k <= IP6EXT_MAX_HEADERS; k++) {
		uint8_t *h = chain + 8 * k;
		h[0] = IP6_NH_DSTOPTS;
		h[1] = 0;
		h[2] = IP6OPT_PADN;
		h[3] = 4;
		memset(h + 4, 0, 4);
	}
	chain[8 * (IP6EXT_MAX_HEADERS - 1)] = IP6_NH_NONE;
	n = build(p, unicast_dst, IP6_NH_DSTOPTS, chain, 8 * IP6EXT_MAX_HEADERS);
	assert_int_equal(walk(p, n, &res), IP6EXT_UPPER);
	assert_int_equal(res.nheaders, IP6EXT_MAX_HEADERS);
	assert_int_equal(res.offset, 40 + 8 * IP6EXT_MAX_HEADERS);
	chain[8 * (IP6EXT_MAX_HEADERS - 1)] = IP6_NH_DSTOPTS;
	chain[8 * IP6EXT_MAX_HEADERS] = IP6_NH_NONE;
	n = build(p, unicast_dst, IP6_NH_DSTOPTS, chain, sizeof(chain));
	assert_int_equal(walk(p, n, &res), IP6EXT_DROP);
	assert_int_equal(res.reason, IP6EXT_R_TOO_MANY_HEADERS);
}

static void test_routing_header(void **state) {
	struct ip6ext_result res;
	uint8_t p[128];
	uint8_t rh[24] = {17, 2, 0, 0};
	size_t n = build(p, unicast_dst, IP6_NH_ROUTING, rh, sizeof(rh));
	assert_int_equal(walk(p, n, &res), IP6EXT_UPPER); /* no segments left */
	assert_int_equal(res.proto, 17);
	assert_int_equal(res.offset, 64);
	rh[3] = 1; /* type 0 (RFC 5095) with a segment left */
	n = build(p, unicast_dst, IP6_NH_ROUTING, rh, sizeof(rh));
	assert_int_equal(walk(p, n, &res), IP6EXT_PARAMPROB);
	assert_int_equal(res.icmp_code, IP6EXT_PP_HDR_FIELD);
	assert_int_equal(res.pointer, 42);
	rh[2] = 4; /* segment routing: dropped as Linux without seg6 */
	n = build(p, unicast_dst, IP6_NH_ROUTING, rh, sizeof(rh));
	assert_int_equal(walk(p, n, &res), IP6EXT_DROP);
	assert_int_equal(res.reason, IP6EXT_R_ROUTING);
}

/* Every prefix of every packet: never a crash, never a read past len,
 * and a cut inside an extension header is a drop (or, in a first
 * fragment, a parameter problem). */
static void test_truncated_every_length(void **state) {
	const uint8_t *caps[] = {cap_mld_report, cap_mld_query, cap_frag_first, cap_frag_middle, cap_echo_request};
	const size_t lens[] = {sizeof(cap_mld_report), sizeof(cap_mld_query), sizeof(cap_frag_first),
		sizeof(cap_frag_middle), sizeof(cap_echo_request)};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		for (size_t len = 0; len <= lens[i]; len++) {
			struct ip6ext_result res;
			enum ip6ext_verdict v = walk(caps[i], len, &res);
			if (len < 40)
				assert_int_equal(v, IP6EXT_DROP);
			else if (caps[i][IP6_OFF_NH] == IP6_NH_HOPOPTS && len < 48)
				assert_int_equal(res.reason, IP6EXT_R_TRUNCATED);
			else if (caps[i][IP6_OFF_NH] == IP6_NH_FRAGMENT && len < 48)
				assert_int_equal(res.reason, IP6EXT_R_TRUNCATED);
			assert_string_not_equal(ip6ext_reason_str(res.reason), "unknown");
		}
	}
	struct ip6ext_result res;
	assert_int_equal(ip6ext_walk(NULL, 100, &res), IP6EXT_DROP);
}

static void test_frag_codec(void **state) {
	struct ip6_frag_repr r = {.next_header = 17, .offset = 1448, .more = true, .ident = 0xdeadbeef}, back;
	uint8_t buf[8];
	assert_int_equal(ip6_frag_emit(&r, buf, sizeof(buf)), 8);
	const uint8_t want[8] = {17, 0, 0x05, 0xa9, 0xde, 0xad, 0xbe, 0xef};
	assert_memory_equal(buf, want, 8);
	assert_int_equal(ip6_frag_parse(buf, sizeof(buf), &back), 0);
	assert_int_equal(back.next_header, 17);
	assert_int_equal(back.offset, 1448);
	assert_true(back.more);
	assert_int_equal(back.ident, 0xdeadbeef);
	/* the captured header, re-emitted, is byte for byte the same */
	assert_int_equal(ip6_frag_parse(cap_frag_middle + 40, 8, &back), 0);
	assert_int_equal(ip6_frag_emit(&back, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, cap_frag_middle + 40, 8);
	for (size_t len = 0; len < 8; len++) {
		assert_int_equal(ip6_frag_parse(cap_frag_middle + 40, len, &back), -EINVAL);
		assert_int_equal(ip6_frag_emit(&r, buf, len), -ENOSPC);
	}
	r.offset = 1449;
	assert_int_equal(ip6_frag_emit(&r, buf, sizeof(buf)), -EINVAL);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captured_plain),
		cmocka_unit_test(test_captured_router_alert),
		cmocka_unit_test(test_captured_fragments),
		cmocka_unit_test(test_atomic_fragment),
		cmocka_unit_test(test_fragment_checks),
		cmocka_unit_test(test_unknown_option_actions),
		cmocka_unit_test(test_option_bounds),
		cmocka_unit_test(test_header_order_and_count),
		cmocka_unit_test(test_routing_header),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_frag_codec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
