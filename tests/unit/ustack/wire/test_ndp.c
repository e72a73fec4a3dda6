/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ustack wire/ndp: Neighbor Discovery messages and options (RFC 4861,
 * RFC 8106), on Linux's and radvd's messages and crafted ones. */
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
#include "ndp.h"
#include "test_ipv6_captures.h"

#define ICMP(cap) ((cap) + 40)
#define ICMPLEN(cap) (sizeof(cap) - 40)

static const uint8_t mac_a[6] = {0xde, 0x47, 0x9e, 0x11, 0x7a, 0x76};
static const uint8_t mac_router[6] = {0x22, 0xae, 0x19, 0x87, 0x7b, 0x85};
static const uint8_t addr_1[16] = {0xfd, 0, 0, 6, [15] = 1};
static const uint8_t addr_2[16] = {0xfd, 0, 0, 6, [15] = 2};

/* parse + validate a captured packet, checking its checksum first */
static int parse_cap(const uint8_t *ip, size_t len, struct ndp_repr *r) {
	assert_int_equal(icmp6_csum(ip6_src(ip), ip6_dst(ip), ip + 40, len - 40), 0);
	int rc = ndp_parse(ip + 40, len - 40, r);
	if (rc < 0)
		return rc;
	return ndp_validate_ip(r, ip6_src(ip), ip6_dst(ip), ip6_hop_limit(ip));
}

static void test_ns_captures(void **state) {
	struct ndp_repr r;
	/* DAD probe: from ::, to the solicited-node group, no SLLA, with a
	 * Nonce option (RFC 7527) that we skip */
	assert_int_equal(parse_cap(cap_ns_dad, sizeof(cap_ns_dad), &r), 0);
	assert_int_equal(r.type, ICMP6_ND_NEIGHBOR_SOLICIT);
	assert_memory_equal(r.u.nsna.target, addr_1, 16);
	assert_false(r.has_slla);
	struct ndp_opt_iter it;
	struct ndp_opt o;
	ndp_opt_iter_init(&it, r.opts, r.opts_len);
	assert_int_equal(ndp_opt_next(&it, &o), 1);
	assert_int_equal(o.type, 14);
	assert_int_equal(o.len, 8);
	assert_int_equal(ndp_opt_next(&it, &o), 0);
	/* address resolution */
	assert_int_equal(parse_cap(cap_ns, sizeof(cap_ns), &r), 0);
	assert_memory_equal(r.u.nsna.target, addr_2, 16);
	assert_true(r.has_slla);
	assert_memory_equal(r.slla, mac_a, 6);
	/* NA from a router: R, S and O */
	assert_int_equal(parse_cap(cap_na, sizeof(cap_na), &r), 0);
	assert_int_equal(r.type, ICMP6_ND_NEIGHBOR_ADVERT);
	assert_int_equal(r.u.nsna.flags, NDP_NA_ROUTER | NDP_NA_SOLICITED | NDP_NA_OVERRIDE);
	assert_memory_equal(r.u.nsna.target, addr_2, 16);
	assert_true(r.has_tlla);
	assert_memory_equal(r.tlla, mac_router, 6);
	/* RS with SLLA */
	assert_int_equal(parse_cap(cap_rs, sizeof(cap_rs), &r), 0);
	assert_int_equal(r.type, ICMP6_ND_ROUTER_SOLICIT);
	assert_true(r.has_slla);
	assert_memory_equal(r.slla, mac_a, 6);
}

static void test_ra_capture(void **state) {
	struct ndp_repr r;
	assert_int_equal(parse_cap(cap_ra, sizeof(cap_ra), &r), 0);
	assert_int_equal(r.type, ICMP6_ND_ROUTER_ADVERT);
	assert_int_equal(r.u.ra.cur_hop_limit, 64);
	assert_int_equal(r.u.ra.flags, 0);
	assert_int_equal(r.u.ra.router_lifetime, 12);
	assert_int_equal(r.u.ra.reachable_time, 0);
	assert_int_equal(r.u.ra.retrans_timer, 0);
	assert_true(r.has_mtu);
	assert_int_equal(r.mtu, 1400);
	assert_true(r.has_slla);
	assert_memory_equal(r.slla, mac_router, 6);

	struct ndp_opt_iter it;
	struct ndp_opt o;
	int seen = 0;
	ndp_opt_iter_init(&it, r.opts, r.opts_len);
	while (ndp_opt_next(&it, &o) == 1) {
		if (o.type == NDP_OPT_PREFIX) {
			struct ndp_prefix pi;
			assert_int_equal(ndp_opt_prefix(&o, &pi), 0);
			assert_int_equal(pi.prefix_len, 64);
			assert_int_equal(pi.flags, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
			assert_int_equal(pi.valid_lifetime, 86400);
			assert_int_equal(pi.preferred_lifetime, 14400);
			assert_true(ip6_prefix_equal(pi.prefix, addr_1, 64));
			seen |= 1;
		} else if (o.type == NDP_OPT_RDNSS) {
			uint32_t life;
			const uint8_t *a;
			size_t n;
			assert_int_equal(ndp_opt_rdnss(&o, &life, &a, &n), 0);
			assert_int_equal(life, 4);
			assert_int_equal(n, 2);
			assert_int_equal(a[15], 0x53);
			assert_int_equal(a[31], 0x54);
			seen |= 2;
		} else if (o.type == NDP_OPT_DNSSL) {
			uint32_t life;
			char name[256];
			size_t pos = 0;
			assert_int_equal(ndp_opt_dnssl(&o, &life), 0);
			assert_int_equal(life, 4);
			assert_int_equal(ndp_dnssl_next(&o, &pos, name, sizeof(name)), 1);
			assert_string_equal(name, "example.test");
			assert_int_equal(ndp_dnssl_next(&o, &pos, name, sizeof(name)), 1);
			assert_string_equal(name, "lab.example.test");
			assert_int_equal(ndp_dnssl_next(&o, &pos, name, sizeof(name)), 0);
			assert_int_equal(ndp_dnssl_next(&o, &pos, name, sizeof(name)), 0);
			/* a buffer too small for the name is an error, not a cut */
			pos = 0;
			assert_int_equal(ndp_dnssl_next(&o, &pos, name, 12), -EINVAL);
			seen |= 4;
		}
	}
	assert_int_equal(seen, 7);
}

static void test_redirect_capture(void **state) {
	/* a Linux router telling us that fd00:7::1 is reached through
	 * fe80::3, on our link */
	struct ndp_repr r;
	assert_int_equal(parse_cap(cap_redirect, sizeof(cap_redirect), &r), 0);
	assert_int_equal(r.type, ICMP6_ND_REDIRECT);
	const uint8_t gw[16] = {0xfe, 0x80, [15] = 3}, far[16] = {0xfd, 0, 0, 7, [15] = 1};
	const uint8_t gw_mac[6] = {0x02, 0, 0, 0, 0, 0x03};
	assert_memory_equal(r.u.redirect.target, gw, 16);
	assert_memory_equal(r.u.redirect.dest, far, 16);
	assert_true(r.has_tlla);
	assert_memory_equal(r.tlla, gw_mac, 6);
	assert_true(ip6_addr_is_linklocal(ip6_src(cap_redirect)));
	/* the Redirected Header option carries our packet (4.6.3) */
	struct ndp_opt_iter it;
	struct ndp_opt o;
	int found = 0;
	ndp_opt_iter_init(&it, r.opts, r.opts_len);
	while (ndp_opt_next(&it, &o) == 1) {
		if (o.type != NDP_OPT_REDIRECTED)
			continue;
		found = 1;
		assert_int_equal(o.len, 112);
		const uint8_t *inner = o.p + 8;
		assert_int_equal(ip6_check(inner, o.len - 8), 0);
		assert_memory_equal(ip6_dst(inner), far, 16);
	}
	assert_true(found);
}

static void test_roundtrip_captures(void **state) {
	const uint8_t *caps[] = {cap_ra, cap_rs, cap_ns, cap_na, cap_ns_dad, cap_redirect};
	const size_t lens[] = {sizeof(cap_ra), sizeof(cap_rs), sizeof(cap_ns), sizeof(cap_na), sizeof(cap_ns_dad),
		sizeof(cap_redirect)};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct ndp_repr r;
		uint8_t out[256];
		assert_int_equal(ndp_parse(caps[i] + 40, lens[i] - 40, &r), 0);
		/* opts already holds SLLA/TLLA/MTU: emit them only from there */
		r.has_slla = r.has_tlla = r.has_mtu = false;
		int n = ndp_emit(&r, out, sizeof(out));
		assert_int_equal(n, (int) (lens[i] - 40));
		icmp6_fill_checksum(ip6_src(caps[i]), ip6_dst(caps[i]), out, (size_t) n);
		assert_memory_equal(out, caps[i] + 40, (size_t) n);
	}
}

static void test_build_ns_na_redirect(void **state) {
	uint8_t out[128];
	struct ndp_repr r = {.type = ICMP6_ND_NEIGHBOR_SOLICIT, .has_slla = true};
	memcpy(r.u.nsna.target, addr_2, 16);
	memcpy(r.slla, mac_a, 6);
	int n = ndp_emit(&r, out, sizeof(out));
	assert_int_equal(n, 32);
	/* what Linux sent for the same question */
	icmp6_fill_checksum(ip6_src(cap_ns), ip6_dst(cap_ns), out, (size_t) n);
	assert_memory_equal(out, ICMP(cap_ns), 32);

	struct ndp_repr na = {.type = ICMP6_ND_NEIGHBOR_ADVERT, .has_tlla = true,
		.u.nsna.flags = NDP_NA_SOLICITED | NDP_NA_OVERRIDE};
	memcpy(na.u.nsna.target, addr_1, 16);
	memcpy(na.tlla, mac_a, 6);
	n = ndp_emit(&na, out, sizeof(out));
	assert_int_equal(n, 32);
	struct ndp_repr back;
	assert_int_equal(ndp_parse(out, (size_t) n, &back), 0);
	assert_int_equal(back.u.nsna.flags, NDP_NA_SOLICITED | NDP_NA_OVERRIDE);
	assert_memory_equal(back.tlla, mac_a, 6);
	/* solicited NA to a multicast address is invalid (7.1.2) */
	const uint8_t allnodes[16] = {0xff, 2, [15] = 1};
	assert_int_equal(ndp_validate_ip(&back, addr_1, allnodes, 255), -EINVAL);
	assert_int_equal(ndp_validate_ip(&back, addr_1, addr_2, 255), 0);
	assert_int_equal(ndp_validate_ip(&back, addr_1, addr_2, 254), -EINVAL);

	/* redirect: target a link-local router, destination off-link */
	const uint8_t ll[16] = {0xfe, 0x80, [15] = 9};
	const uint8_t far[16] = {0xfd, 0, 0, 7, [15] = 1};
	struct ndp_repr rd = {.type = ICMP6_ND_REDIRECT, .has_tlla = true};
	memcpy(rd.u.redirect.target, ll, 16);
	memcpy(rd.u.redirect.dest, far, 16);
	memcpy(rd.tlla, mac_router, 6);
	n = ndp_emit(&rd, out, sizeof(out));
	assert_int_equal(n, 48);
	assert_int_equal(ndp_parse(out, (size_t) n, &back), 0);
	assert_memory_equal(back.u.redirect.target, ll, 16);
	assert_memory_equal(back.u.redirect.dest, far, 16);
	assert_int_equal(ndp_validate_ip(&back, ll, addr_1, 255), 0);
	assert_int_equal(ndp_validate_ip(&back, addr_2, addr_1, 255), -EINVAL); /* 8.1: link-local source */
	memcpy(back.u.redirect.target, addr_2, 16);
	assert_int_equal(ndp_validate_ip(&back, ll, addr_1, 255), -EINVAL); /* global target != dest */
	memcpy(back.u.redirect.target, far, 16);
	assert_int_equal(ndp_validate_ip(&back, ll, addr_1, 255), 0); /* target == dest: on-link */
	out[24] = 0xff; /* multicast destination */
	assert_int_equal(ndp_parse(out, (size_t) n, &back), -EINVAL);
}

static void test_validate_ip(void **state) {
	struct ndp_repr r;
	/* a DAD probe with a source link-layer address is invalid */
	assert_int_equal(ndp_parse(ICMP(cap_ns), ICMPLEN(cap_ns), &r), 0);
	const uint8_t unspec[16] = {0};
	assert_int_equal(ndp_validate_ip(&r, unspec, ip6_dst(cap_ns), 255), -EINVAL);
	/* ... or one not sent to the target's solicited-node group */
	assert_int_equal(ndp_parse(ICMP(cap_ns_dad), ICMPLEN(cap_ns_dad), &r), 0);
	assert_int_equal(ndp_validate_ip(&r, unspec, addr_2, 255), -EINVAL);
	/* an RA from a global address */
	assert_int_equal(ndp_parse(ICMP(cap_ra), ICMPLEN(cap_ra), &r), 0);
	assert_int_equal(ndp_validate_ip(&r, addr_2, ip6_dst(cap_ra), 255), -EINVAL);
	/* an RS from :: with SLLA */
	assert_int_equal(ndp_parse(ICMP(cap_rs), ICMPLEN(cap_rs), &r), 0);
	assert_int_equal(ndp_validate_ip(&r, unspec, ip6_dst(cap_rs), 255), -EINVAL);
	/* every hop limit but 255 */
	for (int h = 0; h < 255; h++)
		assert_int_equal(ndp_validate_ip(&r, ip6_src(cap_rs), ip6_dst(cap_rs), (uint8_t) h), -EINVAL);
}

static void test_malformed(void **state) {
	struct ndp_repr r;
	uint8_t m[ICMPLEN(cap_ns)];
	memcpy(m, ICMP(cap_ns), sizeof(m));
	m[1] = 1; /* code */
	assert_int_equal(ndp_parse(m, sizeof(m), &r), -EINVAL);
	m[1] = 0;
	m[8] = 0xff; /* multicast target */
	assert_int_equal(ndp_parse(m, sizeof(m), &r), -EINVAL);
	memcpy(m, ICMP(cap_ns), sizeof(m));
	m[25] = 0; /* SLLA with length 0 */
	assert_int_equal(ndp_parse(m, sizeof(m), &r), -EINVAL);
	m[25] = 2; /* past the end */
	assert_int_equal(ndp_parse(m, sizeof(m), &r), -EINVAL);
	/* an SLLA of 16 bytes is not Ethernet's: Linux drops it */
	uint8_t big[ICMPLEN(cap_ns) + 8];
	memcpy(big, ICMP(cap_ns), ICMPLEN(cap_ns));
	memset(big + ICMPLEN(cap_ns), 0, 8);
	big[25] = 2;
	assert_int_equal(ndp_parse(big, sizeof(big), &r), -EINVAL);
	/* not an NDP type */
	assert_int_equal(ndp_parse(ICMP(cap_echo_request), ICMPLEN(cap_echo_request), &r), -EINVAL);
	assert_int_equal(ndp_parse(NULL, 10, &r), -EINVAL);
}

/* Every prefix of every message: the fixed part missing is an error; a
 * cut inside an option is an error; a cut between options parses. */
static void test_truncated_every_length(void **state) {
	const uint8_t *caps[] = {cap_ra, cap_rs, cap_ns, cap_na, cap_ns_dad, cap_redirect};
	const size_t lens[] = {sizeof(cap_ra), sizeof(cap_rs), sizeof(cap_ns), sizeof(cap_na), sizeof(cap_ns_dad),
		sizeof(cap_redirect)};
	const size_t fixed[] = {16, 8, 24, 24, 24, 40};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		const uint8_t *m = caps[i] + 40;
		size_t mlen = lens[i] - 40;
		for (size_t len = 0; len <= mlen; len++) {
			uint8_t *p = malloc(len ? len : 1);
			memcpy(p, m, len);
			struct ndp_repr r;
			int rc = ndp_parse(p, len, &r);
			if (len < fixed[i])
				assert_int_equal(rc, -EINVAL);
			else {
				/* options of these messages: boundaries at 8-byte
				 * steps that match the option lengths */
				size_t off = fixed[i];
				bool boundary = false;
				while (off <= len) {
					if (off == len) {
						boundary = true;
						break;
					}
					off += (size_t) m[off + 1] * 8;
				}
				assert_int_equal(rc, boundary ? 0 : -EINVAL);
			}
			free(p);
		}
	}
}

static void test_option_codecs(void **state) {
	uint8_t buf[512];
	struct ndp_opt_iter it;
	struct ndp_opt o;
	/* prefix */
	struct ndp_prefix pi = {.prefix_len = 48, .flags = NDP_PREFIX_ONLINK, .valid_lifetime = 0xffffffff,
		.preferred_lifetime = 600}, pb;
	memcpy(pi.prefix, addr_1, 16);
	assert_int_equal(ndp_opt_prefix_emit(&pi, buf, sizeof(buf)), 32);
	ndp_opt_iter_init(&it, buf, 32);
	assert_int_equal(ndp_opt_next(&it, &o), 1);
	assert_int_equal(ndp_opt_prefix(&o, &pb), 0);
	/* field by field: the struct has padding */
	assert_int_equal(pb.prefix_len, 48);
	assert_int_equal(pb.flags, NDP_PREFIX_ONLINK);
	assert_int_equal(pb.valid_lifetime, 0xffffffff);
	assert_int_equal(pb.preferred_lifetime, 600);
	assert_memory_equal(pb.prefix, pi.prefix, 16);
	buf[2] = 129;
	assert_int_equal(ndp_opt_prefix(&o, &pb), -EINVAL);
	pi.prefix_len = 129;
	assert_int_equal(ndp_opt_prefix_emit(&pi, buf, sizeof(buf)), -EINVAL);
	/* MTU */
	uint32_t mtu;
	assert_int_equal(ndp_opt_mtu_emit(9000, buf, sizeof(buf)), 8);
	ndp_opt_iter_init(&it, buf, 8);
	assert_int_equal(ndp_opt_next(&it, &o), 1);
	assert_int_equal(ndp_opt_mtu(&o, &mtu), 0);
	assert_int_equal(mtu, 9000);
	assert_int_equal(ndp_opt_prefix(&o, &pb), -EINVAL); /* wrong type */
	/* RDNSS */
	uint8_t addrs[48];
	for (size_t i = 0; i < sizeof(addrs); i++)
		addrs[i] = (uint8_t) i;
	assert_int_equal(ndp_opt_rdnss_emit(300, addrs, 3, buf, sizeof(buf)), 56);
	ndp_opt_iter_init(&it, buf, 56);
	assert_int_equal(ndp_opt_next(&it, &o), 1);
	uint32_t life;
	const uint8_t *a;
	size_t n;
	assert_int_equal(ndp_opt_rdnss(&o, &life, &a, &n), 0);
	assert_int_equal(life, 300);
	assert_int_equal(n, 3);
	assert_memory_equal(a, addrs, 48);
	buf[1] = 2; /* length 2: half an address */
	o.len = 16;
	assert_int_equal(ndp_opt_rdnss(&o, &life, &a, &n), -EINVAL);
	assert_int_equal(ndp_opt_rdnss_emit(300, addrs, 0, buf, sizeof(buf)), -EINVAL);
	/* DNSSL */
	const char *names[] = {"a.example", "corp.example.org", "x"};
	int dl = ndp_opt_dnssl_emit(60, names, 3, buf, sizeof(buf));
	assert_true(dl > 0);
	assert_int_equal(dl % 8, 0);
	ndp_opt_iter_init(&it, buf, (size_t) dl);
	assert_int_equal(ndp_opt_next(&it, &o), 1);
	assert_int_equal(ndp_opt_dnssl(&o, &life), 0);
	assert_int_equal(life, 60);
	char name[256];
	size_t pos = 0;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ndp_dnssl_next(&o, &pos, name, sizeof(name)), 1);
		assert_string_equal(name, names[i]);
	}
	assert_int_equal(ndp_dnssl_next(&o, &pos, name, sizeof(name)), 0);
	const char *bad[] = {"a..b"};
	assert_int_equal(ndp_opt_dnssl_emit(60, bad, 1, buf, sizeof(buf)), -EINVAL);
	const char *dot[] = {".a"};
	assert_int_equal(ndp_opt_dnssl_emit(60, dot, 1, buf, sizeof(buf)), -EINVAL);
	/* compression pointers are not allowed (RFC 8106 5.2) */
	const uint8_t comp[16] = {NDP_OPT_DNSSL, 2, 0, 0, 0, 0, 0, 60, 1, 'a', 0xc0, 8, 0, 0, 0, 0};
	ndp_opt_iter_init(&it, comp, sizeof(comp));
	assert_int_equal(ndp_opt_next(&it, &o), 1);
	pos = 0;
	assert_int_equal(ndp_dnssl_next(&o, &pos, name, sizeof(name)), -EINVAL);
	/* a name running into the end of the option */
	const uint8_t run[16] = {NDP_OPT_DNSSL, 2, 0, 0, 0, 0, 0, 60, 7, 'a', 'b', 'c', 'd', 'e', 'f', 'g'};
	ndp_opt_iter_init(&it, run, sizeof(run));
	assert_int_equal(ndp_opt_next(&it, &o), 1);
	pos = 0;
	assert_int_equal(ndp_dnssl_next(&o, &pos, name, sizeof(name)), -EINVAL);
	/* garbage after the zero padding began */
	const uint8_t tail[16] = {NDP_OPT_DNSSL, 2, 0, 0, 0, 0, 0, 60, 1, 'a', 0, 0, 0, 1, 0, 0};
	ndp_opt_iter_init(&it, tail, sizeof(tail));
	assert_int_equal(ndp_opt_next(&it, &o), 1);
	pos = 0;
	assert_int_equal(ndp_dnssl_next(&o, &pos, name, sizeof(name)), 1);
	assert_int_equal(ndp_dnssl_next(&o, &pos, name, sizeof(name)), -EINVAL);
	/* lladdr */
	assert_int_equal(ndp_opt_lladdr_emit(NDP_OPT_MTU, mac_a, buf, sizeof(buf)), -EINVAL);
	for (size_t len = 0; len < 8; len++) {
		assert_int_equal(ndp_opt_lladdr_emit(NDP_OPT_SLLA, mac_a, buf, len), -ENOSPC);
		assert_int_equal(ndp_opt_mtu_emit(1500, buf, len), -ENOSPC);
	}
	assert_int_equal(ndp_opt_prefix_emit(&(struct ndp_prefix){0}, buf, 31), -ENOSPC);
	assert_int_equal(ndp_opt_rdnss_emit(1, addrs, 1, buf, 23), -ENOSPC);
}

static void test_iterator(void **state) {
	struct ndp_opt_iter it;
	struct ndp_opt o;
	const uint8_t zero[8] = {1, 0, 0, 0, 0, 0, 0, 0};
	ndp_opt_iter_init(&it, zero, sizeof(zero));
	assert_int_equal(ndp_opt_next(&it, &o), -EINVAL);
	const uint8_t over[8] = {1, 2, 0, 0, 0, 0, 0, 0};
	ndp_opt_iter_init(&it, over, sizeof(over));
	assert_int_equal(ndp_opt_next(&it, &o), -EINVAL);
	const uint8_t one[1] = {1};
	ndp_opt_iter_init(&it, one, sizeof(one));
	assert_int_equal(ndp_opt_next(&it, &o), -EINVAL);
	ndp_opt_iter_init(&it, NULL, 0);
	assert_int_equal(ndp_opt_next(&it, &o), 0);
	/* emit: extra options must be whole options */
	struct ndp_repr r = {.type = ICMP6_ND_ROUTER_SOLICIT, .opts = zero, .opts_len = 5};
	uint8_t out[64];
	assert_int_equal(ndp_emit(&r, out, sizeof(out)), -EINVAL);
	r.type = ICMP6_ECHO_REQUEST;
	r.opts_len = 0;
	assert_int_equal(ndp_emit(&r, out, sizeof(out)), -EINVAL);
	r.type = ICMP6_ND_ROUTER_SOLICIT;
	r.has_slla = true;
	for (size_t len = 0; len < 16; len++)
		assert_int_equal(ndp_emit(&r, out, len), -ENOSPC);
	assert_int_equal(ndp_emit(&r, out, 16), 16);
	r.opts = zero;
	r.opts_len = 0x10000;
	assert_int_equal(ndp_emit(&r, out, sizeof(out)), -EINVAL);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns_captures),
		cmocka_unit_test(test_ra_capture),
		cmocka_unit_test(test_redirect_capture),
		cmocka_unit_test(test_roundtrip_captures),
		cmocka_unit_test(test_build_ns_na_redirect),
		cmocka_unit_test(test_validate_ip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_option_codecs),
		cmocka_unit_test(test_iterator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
