/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ustack wire/tcp: the TCP header, its options and checksums, on Linux's
 * segments over IPv6 and IPv4 and crafted ones. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipv6.h"
#include "tcp.h"
#include "test_ipv6_captures.h"

#define SEG6(cap) ((cap) + 40)
#define SEG6LEN(cap) (sizeof(cap) - 40)
/* the IPv4 captures have a 20-byte header */
#define SEG4(cap) ((cap) + 20)
#define SEG4LEN(cap) (sizeof(cap) - 20)

static void test_syn_capture(void **state) {
	const uint8_t *ip = cap_tcp6_syn;
	assert_int_equal(tcp_csum6(ip6_src(ip), ip6_dst(ip), SEG6(cap_tcp6_syn), SEG6LEN(cap_tcp6_syn)), 0);
	struct tcp_repr r;
	assert_int_equal(tcp_parse(SEG6(cap_tcp6_syn), SEG6LEN(cap_tcp6_syn), &r), 0);
	assert_int_equal(r.sport, 40982);
	assert_int_equal(r.dport, 5001);
	assert_int_equal(r.seq, 1938822078u);
	assert_int_equal(r.ack, 0);
	assert_int_equal(r.flags, TCP_SYN);
	assert_int_equal(r.window, 64800);
	assert_int_equal(r.urgent, 0);
	assert_true(r.opt.has_mss);
	assert_int_equal(r.opt.mss, 1440);
	assert_true(r.opt.sack_perm);
	assert_true(r.opt.has_ts);
	assert_int_equal(r.opt.tsval, 617661224u);
	assert_int_equal(r.opt.tsecr, 0);
	assert_true(r.opt.has_wscale);
	assert_int_equal(r.opt.wscale, 10);
	assert_int_equal(r.opt.nsack, 0);
	assert_int_equal(r.payload_len, 0);
	assert_int_equal(tcp_hdr_len(SEG6(cap_tcp6_syn)), 40);
}

/* parse, emit, fill the checksum: Linux's segment byte for byte */
static void roundtrip6(const uint8_t *ip, size_t iplen) {
	const uint8_t *seg = ip + 40;
	size_t len = iplen - 40;
	struct tcp_repr r;
	uint8_t out[256];
	assert_int_equal(tcp_parse(seg, len, &r), 0);
	int n = tcp_emit(&r, out, sizeof(out));
	assert_int_equal(n, (int) len);
	assert_int_equal(out[16] | out[17], 0);
	tcp_fill_checksum6(ip6_src(ip), ip6_dst(ip), out, (size_t) n);
	assert_memory_equal(out, seg, len);
}

static void roundtrip4(const uint8_t *ip, size_t iplen) {
	const uint8_t *seg = ip + 20;
	size_t len = iplen - 20;
	assert_int_equal(tcp_csum4(ip + 12, ip + 16, seg, len), 0);
	struct tcp_repr r;
	uint8_t out[256];
	assert_int_equal(tcp_parse(seg, len, &r), 0);
	int n = tcp_emit(&r, out, sizeof(out));
	assert_int_equal(n, (int) len);
	tcp_fill_checksum4(ip + 12, ip + 16, out, (size_t) n);
	assert_memory_equal(out, seg, len);
}

static void test_roundtrip_captures(void **state) {
	roundtrip6(cap_tcp6_syn, sizeof(cap_tcp6_syn));
	roundtrip6(cap_tcp6_synack, sizeof(cap_tcp6_synack));
	roundtrip6(cap_tcp6_data, sizeof(cap_tcp6_data));
	roundtrip4(cap_tcp4_syn, sizeof(cap_tcp4_syn));
	roundtrip4(cap_tcp4_data, sizeof(cap_tcp4_data));
}

static void test_data_capture(void **state) {
	struct tcp_repr r;
	assert_int_equal(tcp_parse(SEG4(cap_tcp4_data), SEG4LEN(cap_tcp4_data), &r), 0);
	assert_int_equal(r.flags, TCP_PSH | TCP_ACK);
	assert_int_equal(r.payload_len, 7);
	assert_memory_equal(r.payload, "hello4\n", 7);
	assert_true(r.opt.has_ts);
	assert_false(r.opt.has_mss);
	assert_false(r.opt.sack_perm);
	/* a flipped bit anywhere breaks the checksum */
	uint8_t seg[SEG4LEN(cap_tcp4_data)];
	memcpy(seg, SEG4(cap_tcp4_data), sizeof(seg));
	for (size_t i = 0; i < sizeof(seg); i++) {
		seg[i] ^= 0x01;
		assert_int_not_equal(tcp_csum4(cap_tcp4_data + 12, cap_tcp4_data + 16, seg, sizeof(seg)), 0);
		seg[i] ^= 0x01;
	}
	/* and the IPv6 pseudo-header is not the IPv4 one */
	assert_int_not_equal(tcp_csum6(ip6_src(cap_tcp6_data), ip6_dst(cap_tcp6_data), seg, sizeof(seg)), 0);
}

static void test_truncated_every_length(void **state) {
	const uint8_t *seg = SEG6(cap_tcp6_data);
	size_t total = SEG6LEN(cap_tcp6_data), hlen = tcp_hdr_len(seg);
	for (size_t len = 0; len <= total; len++) {
		uint8_t *p = malloc(len ? len : 1);
		memcpy(p, seg, len);
		struct tcp_repr r;
		if (len < hlen) {
			assert_int_equal(tcp_check(p, len), -EINVAL);
			assert_int_equal(tcp_parse(p, len, &r), -EINVAL);
		} else {
			assert_int_equal(tcp_parse(p, len, &r), 0);
			assert_int_equal(r.payload_len, len - hlen);
		}
		free(p);
	}
	/* data offsets below 5 and past the segment */
	uint8_t h[TCP_HDR_LEN];
	memcpy(h, SEG6(cap_tcp6_data), TCP_HDR_LEN);
	for (int doff = 0; doff < 16; doff++) {
		h[12] = (uint8_t) (doff << 4);
		assert_int_equal(tcp_check(h, sizeof(h)), doff == 5 ? 0 : -EINVAL);
	}
}

/* A 20-byte header followed by the option bytes o (padded to 4). */
static int parse_opts(const uint8_t *o, size_t olen, struct tcp_repr *r) {
	uint8_t seg[60] = {0};
	size_t padded = (olen + 3) & ~(size_t) 3;
	seg[12] = (uint8_t) (((TCP_HDR_LEN + padded) / 4) << 4);
	memcpy(seg + TCP_HDR_LEN, o, olen);
	return tcp_parse(seg, TCP_HDR_LEN + padded, r);
}

static void test_malformed_options(void **state) {
	struct tcp_repr r;
	const struct {
		uint8_t o[12];
		size_t len;
		int rc;
	} cases[] = {
		{{2, 0}, 4, -EINVAL},                       /* length 0 */
		{{2, 1}, 4, -EINVAL},                       /* length 1 */
		{{30, 6, 0, 0}, 4, -EINVAL},                /* past the area */
		{{1, 1, 1, 2}, 4, -EINVAL},                 /* kind without a length byte */
		{{2, 3, 5, 0}, 4, -EINVAL},                 /* MSS of 3 */
		{{3, 4, 7, 0}, 4, -EINVAL},                 /* window scale of 4 */
		{{4, 3, 0, 0}, 4, -EINVAL},                 /* SACK-permitted of 3 */
		{{5, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 12, -EINVAL}, /* SACK of 9 */
		{{5, 2, 0, 0}, 4, -EINVAL},                 /* SACK without blocks */
		{{8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 12, -EINVAL}, /* timestamps of 8 */
		{{30, 4, 0xaa, 0xbb}, 4, 0},                /* unknown: skipped */
		{{0, 2, 0, 0}, 4, 0},                       /* after EOL nothing counts */
		{{1, 1, 1, 1}, 4, 0},                       /* NOPs */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(parse_opts(cases[i].o, cases[i].len, &r), cases[i].rc);
	/* the unknown option does not hide the next one */
	const uint8_t after[8] = {30, 4, 0, 0, 2, 4, 0x05, 0xb4};
	assert_int_equal(parse_opts(after, sizeof(after), &r), 0);
	assert_true(r.opt.has_mss);
	assert_int_equal(r.opt.mss, 1460);
	/* EOL ends the list: an MSS after it is not read */
	const uint8_t eol[8] = {0, 0, 0, 0, 2, 4, 0x05, 0xb4};
	assert_int_equal(parse_opts(eol, sizeof(eol), &r), 0);
	assert_false(r.opt.has_mss);
}

static void test_sack_and_limits(void **state) {
	struct tcp_repr r = {.sport = 1, .dport = 2, .seq = 100, .ack = 200, .flags = TCP_ACK, .window = 1000};
	r.opt.has_ts = true;
	r.opt.tsval = 11;
	r.opt.tsecr = 22;
	r.opt.nsack = 3;
	for (int i = 0; i < 3; i++) {
		r.opt.sack[i].left = 1000u * (unsigned) i + 1;
		r.opt.sack[i].right = 1000u * (unsigned) i + 500;
	}
	uint8_t out[128];
	/* 12 + 4 + 24 = 40 bytes of options: the maximum */
	int n = tcp_emit(&r, out, sizeof(out));
	assert_int_equal(n, 60);
	struct tcp_repr back;
	assert_int_equal(tcp_parse(out, (size_t) n, &back), 0);
	assert_int_equal(back.opt.nsack, 3);
	assert_memory_equal(back.opt.sack, r.opt.sack, 3 * sizeof(r.opt.sack[0]));
	assert_int_equal(back.opt.tsval, 11);
	assert_int_equal(back.opt.tsecr, 22);
	/* four blocks with timestamps do not fit */
	r.opt.nsack = 4;
	assert_int_equal(tcp_emit(&r, out, sizeof(out)), -EINVAL);
	/* four blocks alone do (4 + 32 = 36) */
	r.opt.has_ts = false;
	n = tcp_emit(&r, out, sizeof(out));
	assert_int_equal(n, 56);
	assert_int_equal(tcp_parse(out, (size_t) n, &back), 0);
	assert_int_equal(back.opt.nsack, 4);
	r.opt.nsack = 5;
	assert_int_equal(tcp_emit(&r, out, sizeof(out)), -EINVAL);
	/* too small buffers, at every length */
	r.opt.nsack = 1;
	size_t want = TCP_HDR_LEN + tcp_opts_len(&r.opt);
	for (size_t len = 0; len < want; len++)
		assert_int_equal(tcp_emit(&r, out, len), -ENOSPC);
	assert_int_equal(tcp_emit(&r, out, want), (int) want);
	/* SACK-permitted without timestamps: NOP NOP SACK_PERM */
	struct tcp_opts o = {.sack_perm = true, .has_wscale = true, .wscale = 7};
	uint8_t ob[8];
	assert_int_equal(tcp_opts_emit(&o, ob, sizeof(ob)), 8);
	const uint8_t want_o[8] = {1, 1, 4, 2, 1, 3, 3, 7};
	assert_memory_equal(ob, want_o, 8);
	assert_int_equal(tcp_opts_emit(&o, ob, 7), -ENOSPC);
	/* window scale is reported as sent, even above 14 (RFC 7323 2.3 is
	 * the stack's to apply) */
	const uint8_t ws[4] = {1, 3, 3, 20};
	assert_int_equal(parse_opts(ws, sizeof(ws), &back), 0);
	assert_int_equal(back.opt.wscale, 20);
}

static void test_payload_in_place(void **state) {
	/* the stack writes the payload first, leaving headroom for the header */
	uint8_t buf[64] = {0};
	struct tcp_repr r = {.sport = 80, .dport = 1024, .flags = TCP_ACK | TCP_PSH, .window = 512};
	r.opt.has_ts = true;
	size_t hlen = TCP_HDR_LEN + tcp_opts_len(&r.opt);
	memcpy(buf + hlen, "payload", 7);
	r.payload = buf + hlen;
	r.payload_len = 7;
	int n = tcp_emit(&r, buf, sizeof(buf));
	assert_int_equal(n, (int) hlen + 7);
	assert_memory_equal(buf + hlen, "payload", 7);
	/* and a payload that overlaps the header area moves out of its way */
	memcpy(buf + 4, "overlap", 7);
	r.payload = buf + 4;
	n = tcp_emit(&r, buf, sizeof(buf));
	assert_int_equal(n, (int) hlen + 7);
	assert_memory_equal(buf + hlen, "overlap", 7);
	struct tcp_repr back;
	assert_int_equal(tcp_parse(buf, (size_t) n, &back), 0);
	assert_int_equal(back.sport, 80);
	r.payload = NULL;
	assert_int_equal(tcp_emit(&r, buf, sizeof(buf)), -EINVAL);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_capture),
		cmocka_unit_test(test_roundtrip_captures),
		cmocka_unit_test(test_data_capture),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_malformed_options),
		cmocka_unit_test(test_sack_and_limits),
		cmocka_unit_test(test_payload_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
