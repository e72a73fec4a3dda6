/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ustack wire/mld: MLDv2 queries and reports (RFC 3810), on a Linux
 * bridge's queries and Linux's reports, and crafted messages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "icmp6.h"
#include "ipv6.h"
#include "mld.h"
#include "test_ipv6_captures.h"

/* after the IPv6 header and the 8-byte hop-by-hop Router Alert */
#define MLD(cap) ((cap) + 48)
#define MLDLEN(cap) (sizeof(cap) - 48)

static void test_query_capture(void **state) {
	struct mld_query q;
	const uint8_t *ip = cap_mld_query;
	assert_int_equal(icmp6_csum(ip6_src(ip), ip6_dst(ip), MLD(cap_mld_query), MLDLEN(cap_mld_query)), 0);
	assert_int_equal(mld_query_parse(MLD(cap_mld_query), MLDLEN(cap_mld_query), &q), 0);
	assert_false(q.v1);
	assert_int_equal(q.max_resp_ms, 10000);
	const uint8_t zero[16] = {0};
	assert_memory_equal(q.group, zero, 16);
	assert_false(q.suppress);
	assert_int_equal(q.qrv, 2);
	assert_int_equal(q.qqi_s, 1); /* the test bridge queries every second */
	assert_int_equal(q.nsources, 0);
	assert_null(q.sources);
	assert_int_equal(mld_query_validate_ip(ip6_src(ip), ip6_hop_limit(ip)), 0);
	assert_int_equal(mld_query_validate_ip(ip6_src(ip), 2), -EINVAL);
	assert_int_equal(mld_query_validate_ip(ip6_src(cap_tcp6_syn), 1), -EINVAL);
	/* re-emitted, the same bytes */
	uint8_t out[64];
	int n = mld_query_emit(&q, out, sizeof(out));
	assert_int_equal(n, 28);
	icmp6_fill_checksum(ip6_src(ip), ip6_dst(ip), out, (size_t) n);
	assert_memory_equal(out, MLD(cap_mld_query), 28);
}

static void check_report_roundtrip(const uint8_t *ip, size_t iplen, int nrec_want) {
	const uint8_t *m = ip + 48;
	size_t mlen = iplen - 48;
	assert_int_equal(icmp6_csum(ip6_src(ip), ip6_dst(ip), m, mlen), 0);
	int nrec = mld_report_check(m, mlen);
	assert_int_equal(nrec, nrec_want);
	struct mld_record recs[8];
	size_t off = 0;
	for (int i = 0; i < nrec; i++) {
		assert_int_equal(mld_report_record(m, mlen, &off, &recs[i]), 0);
		/* Linux joins with CHANGE_TO_EXCLUDE and no sources */
		assert_int_equal(recs[i].type, MLD2_CHANGE_TO_EXCLUDE);
		assert_int_equal(recs[i].nsources, 0);
		assert_true(ip6_addr_is_multicast(recs[i].group));
	}
	assert_int_equal(off, mlen);
	assert_int_equal(mld_report_len(recs, (size_t) nrec), mlen);
	uint8_t out[512];
	int n = mld_report_emit(recs, (size_t) nrec, out, sizeof(out));
	assert_int_equal(n, (int) mlen);
	icmp6_fill_checksum(ip6_src(ip), ip6_dst(ip), out, (size_t) n);
	assert_memory_equal(out, m, mlen);
}

static void test_report_captures(void **state) {
	check_report_roundtrip(cap_mld_report, sizeof(cap_mld_report), 2);
	check_report_roundtrip(cap_mld_report6, sizeof(cap_mld_report6), 6);
	/* the groups of the first: solicited-node groups of its addresses */
	struct mld_record rec;
	size_t off = 0;
	assert_int_equal(mld_report_record(MLD(cap_mld_report), MLDLEN(cap_mld_report), &off, &rec), 0);
	uint8_t snm[16];
	const uint8_t a1[16] = {0xfd, 0, 0, 6, [15] = 1};
	ip6_addr_solicited_node(snm, a1);
	assert_memory_equal(rec.group, snm, 16);
}

static void test_report_with_sources(void **state) {
	uint8_t srcs[3 * 16];
	for (size_t i = 0; i < sizeof(srcs); i++)
		srcs[i] = (uint8_t) (0xa0 + i);
	struct mld_record recs[2] = {
		{.type = MLD2_ALLOW_NEW_SOURCES, .group = {0xff, 0x0e, [15] = 0x42}, .nsources = 3, .sources = srcs},
		{.type = MLD2_BLOCK_OLD_SOURCES, .group = {0xff, 0x05, [15] = 0x43}, .nsources = 1, .sources = srcs + 32},
	};
	uint8_t out[256];
	size_t want = 8 + 20 + 48 + 20 + 16;
	assert_int_equal(mld_report_len(recs, 2), want);
	for (size_t len = 0; len < want; len++)
		assert_int_equal(mld_report_emit(recs, 2, out, len), -ENOSPC);
	assert_int_equal(mld_report_emit(recs, 2, out, sizeof(out)), (int) want);
	assert_int_equal(mld_report_check(out, want), 2);
	size_t off = 0;
	struct mld_record back;
	assert_int_equal(mld_report_record(out, want, &off, &back), 0);
	assert_int_equal(back.type, MLD2_ALLOW_NEW_SOURCES);
	assert_int_equal(back.nsources, 3);
	assert_memory_equal(back.sources, srcs, 48);
	assert_int_equal(mld_report_record(out, want, &off, &back), 0);
	assert_int_equal(back.nsources, 1);
	assert_memory_equal(back.sources, srcs + 32, 16);
	/* every cut of the report is caught */
	for (size_t len = 0; len < want; len++) {
		uint8_t *p = malloc(len ? len : 1);
		memcpy(p, out, len);
		assert_int_equal(mld_report_check(p, len), -EINVAL);
		free(p);
	}
	/* invalid records */
	recs[0].type = 7;
	assert_int_equal(mld_report_emit(recs, 2, out, sizeof(out)), -EINVAL);
	recs[0].type = MLD2_MODE_IS_INCLUDE;
	recs[0].sources = NULL;
	assert_int_equal(mld_report_emit(recs, 2, out, sizeof(out)), -EINVAL);
	/* no records: an empty report is still well formed */
	assert_int_equal(mld_report_emit(NULL, 0, out, sizeof(out)), 8);
	assert_int_equal(mld_report_check(out, 8), 0);
	/* auxiliary data is skipped by the reader */
	uint8_t aux[8 + 20 + 8] = {ICMP6_MLD2_REPORT, 0, 0, 0, 0, 0, 0, 1, 9, 2, 0, 0, 0xff, 2};
	assert_int_equal(mld_report_check(aux, sizeof(aux)), 1);
	off = 0;
	assert_int_equal(mld_report_record(aux, sizeof(aux), &off, &back), 0);
	assert_int_equal(back.aux_words, 2);
	assert_int_equal(off, sizeof(aux));
	assert_int_equal(mld_report_check(aux, sizeof(aux) - 1), -EINVAL);
}

static void test_query_versions_and_bounds(void **state) {
	struct mld_query q;
	uint8_t m[28 + 32] = {ICMP6_MLD_QUERY, 0, 0, 0, 0x03, 0xe8};
	/* 24 bytes: MLDv1, the code in plain milliseconds */
	assert_int_equal(mld_query_parse(m, 24, &q), 0);
	assert_true(q.v1);
	assert_int_equal(q.max_resp_ms, 1000);
	/* 25..27: neither (RFC 3810 8.1) */
	for (size_t len = 0; len < 28; len++) {
		if (len == 24)
			continue;
		uint8_t *p = malloc(len ? len : 1);
		memcpy(p, m, len);
		assert_int_equal(mld_query_parse(p, len, &q), -EINVAL);
		free(p);
	}
	/* a group-specific query with two sources: 60 bytes */
	m[8] = 0xff;
	m[9] = 0x0e;
	m[23] = 0x42;
	m[24] = 0x0a; /* S and QRV 2 */
	m[25] = 0x8c; /* QQIC: (0xc | 0x10) << 3 = 224 s */
	m[27] = 2;
	assert_int_equal(mld_query_parse(m, sizeof(m), &q), 0);
	assert_true(q.suppress);
	assert_int_equal(q.qrv, 2);
	assert_int_equal(q.qqi_s, 224);
	assert_int_equal(q.nsources, 2);
	assert_ptr_equal(q.sources, m + 28);
	/* the sources must fit */
	for (size_t len = 28; len < sizeof(m); len++)
		assert_int_equal(mld_query_parse(m, len, &q), -EINVAL);
	/* sources in a general query */
	uint8_t g[28 + 16] = {ICMP6_MLD_QUERY, [27] = 1};
	assert_int_equal(mld_query_parse(g, sizeof(g), &q), -EINVAL);
	/* a group that is not multicast */
	uint8_t u[28] = {ICMP6_MLD_QUERY, [8] = 0xfd};
	assert_int_equal(mld_query_parse(u, sizeof(u), &q), -EINVAL);
	/* another type */
	m[0] = ICMP6_MLD2_REPORT;
	assert_int_equal(mld_query_parse(m, sizeof(m), &q), -EINVAL);
	/* emit and parse back a query with sources */
	m[0] = ICMP6_MLD_QUERY;
	assert_int_equal(mld_query_parse(m, sizeof(m), &q), 0);
	uint8_t out[64];
	assert_int_equal(mld_query_emit(&q, out, sizeof(out)), 60);
	assert_memory_equal(out + 4, m + 4, 56);
	assert_int_equal(mld_query_emit(&q, out, 59), -ENOSPC);
	q.qrv = 8;
	assert_int_equal(mld_query_emit(&q, out, sizeof(out)), -EINVAL);
}

static void test_code_encoding(void **state) {
	/* RFC 3810 5.1.3 and 5.1.9 */
	assert_int_equal(mld_max_resp_decode(0x7fff), 32767);
	assert_int_equal(mld_max_resp_decode(0x8000), 32768);
	assert_int_equal(mld_max_resp_decode(0xffff), 0x1fff << 10);
	assert_int_equal(mld_qqic_decode(127), 127);
	assert_int_equal(mld_qqic_decode(0x80), 128);
	assert_int_equal(mld_qqic_decode(0xff), 0x1f << 10);
	/* encode gives the smallest code whose value covers the request */
	for (uint32_t ms = 0; ms < 9000000; ms += 997) {
		uint16_t c = mld_max_resp_encode(ms);
		if (ms <= (0x1fffu << 10)) {
			assert_true(mld_max_resp_decode(c) >= ms);
			if (c > 0)
				assert_true(mld_max_resp_decode((uint16_t) (c - 1)) < ms || (c & 0x0fff) == 0);
		} else {
			assert_int_equal(c, 0xffff);
		}
	}
	for (uint32_t s = 0; s < 40000; s++) {
		uint8_t c = mld_qqic_encode(s);
		if (s <= (0x1fu << 10))
			assert_true(mld_qqic_decode(c) >= s);
		else
			assert_int_equal(c, 0xff);
	}
	/* every code survives decode then encode */
	for (uint32_t c = 0; c <= 0xffff; c++)
		assert_int_equal(mld_max_resp_encode(mld_max_resp_decode((uint16_t) c)), c);
	for (uint32_t c = 0; c <= 0xff; c++)
		assert_int_equal(mld_qqic_encode(mld_qqic_decode((uint8_t) c)), c);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_capture),
		cmocka_unit_test(test_report_captures),
		cmocka_unit_test(test_report_with_sources),
		cmocka_unit_test(test_query_versions_and_bounds),
		cmocka_unit_test(test_code_encoding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
