/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Router discovery and SLAAC in the stack (net/rdisc6.c) on the test link
 * and clock: three router solicitations after the link-local address
 * passes DAD, none after an RA; an RA gives a default route (proto ra,
 * expiring), an on-link prefix route, an EUI-64 address with lifetimes,
 * MTU, hop limit, ND timers; lifetimes end (deprecated, then removed);
 * the two-hour rule; router lifetime 0; invalid RAs ignored (hop limit,
 * source); accept_ra=0 and autoconf=0. */
#include <linux/rtnetlink.h>

#include "ut_stack.h"
#include "wire/icmp6.h"
#include "wire/ndp.h"

static const uint8_t ROUTER[16] = {0xfe, 0x80, [8] = 0x02, [11] = 0xff, [12] = 0xfe, [15] = 0x02};
static const uint8_t ALL_NODES[16] = {0xff, 0x02, [15] = 1};
static const uint8_t PFX[16] = {0xfd, 0x00, 0, 7};
/* fd00:7::/64 + EUI-64 of 02:00:00:00:00:01 */
static const uint8_t SLAAC[16] = {0xfd, 0x00, 0, 7, [11] = 0xff, [12] = 0xfe, [15] = 0x01};
static const uint8_t BCAST_MAC[6] = {0x33, 0x33, 0, 0, 0, 1};

static uint64_t T0;

static size_t ra_frame(uint8_t *f, const uint8_t *src, uint8_t hlim, uint16_t router_lt, uint32_t valid,
		uint32_t pref, uint8_t pflags) {
	struct eth_repr e = {.type = ETHW_P_IPV6};
	memcpy(e.dst, BCAST_MAC, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, f, 14);
	uint8_t opts[64];
	struct ndp_prefix pi = {.prefix_len = 64, .flags = pflags, .valid_lifetime = valid,
		.preferred_lifetime = pref};
	memcpy(pi.prefix, PFX, 16);
	int ol = ndp_opt_prefix_emit(&pi, opts, sizeof(opts));
	assert_true(ol > 0);
	struct ndp_repr r = {.type = ICMP6_ND_ROUTER_ADVERT, .has_slla = true, .has_mtu = true, .mtu = 1400,
		.opts = opts, .opts_len = (size_t) ol};
	r.u.ra.cur_hop_limit = 32;
	r.u.ra.router_lifetime = router_lt;
	r.u.ra.reachable_time = 20000;
	r.u.ra.retrans_timer = 500;
	memcpy(r.slla, UT_PEER_MAC, 6);
	int n = ndp_emit(&r, f + 54, 400);
	assert_true(n > 0);
	icmp6_fill_checksum(src, ALL_NODES, f + 54, (size_t) n);
	struct ip6_repr h = {.next_header = 58, .hop_limit = hlim, .payload_len = (uint16_t) n};
	memcpy(h.src, src, 16);
	memcpy(h.dst, ALL_NODES, 16);
	ip6_emit(&h, f + 14, 40);
	return 54 + (size_t) n;
}

static void inject_ra(struct ustack *s, const uint8_t *src, uint8_t hlim, uint16_t router_lt, uint32_t valid,
		uint32_t pref, uint8_t pflags) {
	uint8_t f[512];
	size_t n = ra_frame(f, src, hlim, router_lt, valid, pref, pflags);
	ut_inject(s, f, n);
}

static int count_rs(int from) {
	int k = 0;
	for (int i = from; i < ut_cap.n; i++)
		if (ut_cap.len[i] > 58 && ut_cap.frame[i][12] == 0x86 && ut_cap.frame[i][13] == 0xdd &&
				ut_cap.frame[i][20] == 58 && ut_cap.frame[i][54] == ICMP6_ND_ROUTER_SOLICIT)
			k++;
	return k;
}

static struct route6 *find_route(struct ustack *s, uint8_t plen, uint32_t metric) {
	for (struct route6 *r = route6_of(s->routes6); r; r = route6_of(r->n.next))
		if (r->n.plen == plen && r->n.metric == metric)
			return r;
	return NULL;
}

static struct ifaddr6 *find_addr(struct ustack *s, const uint8_t *a) {
	return ip6_addr_find(s, a, NULL);
}

/* eth0 with IPv6 up; its link-local address through DAD at T0 + 1.2 s */
static struct ustack *stack6(uint8_t accept_ra, uint8_t autoconf) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	s->accept_ra = accept_ra;
	s->autoconf = autoconf;
	T0 = rt_now();
	ip6_link_up(ut_eth(s));
	stack_run_timers(s, T0 + MS(100));
	stack_run_timers(s, T0 + MS(1200));
	stack_unlock(s);
	return s;
}

static void run(struct ustack *s, uint64_t at) {
	stack_lock(s);
	stack_run_timers(s, at);
	stack_unlock(s);
}

static void test_solicitations(void **state) {
	struct ustack *s = stack6(1, 1);
	/* the first within 1 s of DAD's end, from the link-local address */
	run(s, T0 + MS(2300));
	assert_int_equal(count_rs(0), 1);
	int i = ut_cap.n - 1;
	while (i >= 0 && !(ut_cap.frame[i][20] == 58 && ut_cap.frame[i][54] == ICMP6_ND_ROUTER_SOLICIT))
		i--;
	const uint8_t *ip = ut_cap.frame[i] + 14;
	assert_int_equal(ip[7], 255);
	assert_int_equal(ip[8], 0xfe);
	assert_int_equal(ip[9], 0x80);
	static const uint8_t all_routers[16] = {0xff, 0x02, [15] = 2};
	assert_memory_equal(ip + 24, all_routers, 16);
	struct ndp_repr r;
	assert_int_equal(ndp_parse(ut_cap.frame[i] + 54, ut_cap.len[i] - 54, &r), 0);
	assert_true(r.has_slla);
	assert_memory_equal(r.slla, UT_MAC, 6);
	/* then 4 s apart, three in all */
	run(s, T0 + MS(6400));
	assert_int_equal(count_rs(0), 2);
	run(s, T0 + MS(10500));
	assert_int_equal(count_rs(0), 3);
	run(s, T0 + MS(30000));
	assert_int_equal(count_rs(0), 3);
	ut_stack_free(s);
}

static void test_ra_stops_solicitations(void **state) {
	struct ustack *s = stack6(1, 1);
	run(s, T0 + MS(2300));
	assert_int_equal(count_rs(0), 1);
	inject_ra(s, ROUTER, 255, 1800, 3600, 1800, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	run(s, T0 + MS(20000));
	assert_int_equal(count_rs(0), 1);
	ut_stack_free(s);
}

static void test_ra_configures(void **state) {
	struct ustack *s = stack6(1, 1);
	struct netif *e = ut_eth(s);
	inject_ra(s, ROUTER, 255, 1800, 3600, 1800, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	uint64_t t = rt_now();
	stack_lock(s);
	struct route6 *d = find_route(s, 0, 1024);
	assert_non_null(d);
	assert_true(d->has_gw);
	assert_memory_equal(d->gw, ROUTER, 16);
	assert_int_equal(d->n.protocol, RTPROT_RA);
	assert_true(d->expires > t + MS(1790000) && d->expires <= t + MS(1800000));
	struct route6 *p = find_route(s, 64, 256);
	while (p && p->dst[0] != 0xfd)
		p = route6_of(p->n.next);
	assert_non_null(p);
	assert_memory_equal(p->dst, PFX, 16);
	assert_int_equal(p->n.protocol, RTPROT_KERNEL);
	assert_true(p->expires > t + MS(3590000));
	struct ifaddr6 *a = find_addr(s, SLAAC);
	assert_non_null(a);
	assert_true(a->slaac);
	assert_false(a->flags & IFA6_PERMANENT);
	assert_true(a->flags & IFA6_TENTATIVE);
	assert_true(a->valid_until > t + MS(3590000) && a->pref_until > t + MS(1790000));
	assert_int_equal(e->mtu6, 1400);
	assert_int_equal(ip6_if_mtu(e), 1400);
	assert_int_equal(ip6_if_hlim(e), 32);
	assert_int_equal(e->nd_reachable_ms, 20000);
	assert_int_equal(e->nd_retrans_ms, 500);
	/* the router's neighbour entry from the SLLA, as a router */
	struct neigh *n = neigh6_lookup(e, ROUTER);
	assert_non_null(n);
	assert_true(n->router);
	assert_memory_equal(n->mac, UT_PEER_MAC, 6);
	stack_unlock(s);
	/* DAD (retrans timer of the RA: 500 ms) makes it usable and the source
	 * for a global destination, through the default route */
	run(s, t + MS(100));
	run(s, t + MS(3000));
	stack_lock(s);
	assert_true(ip6_is_local(s, SLAAC));
	uint8_t dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 9};
	struct ip6_route_res rr;
	assert_int_equal(route6_lookup(s, dst, 0, &rr), 0);
	assert_memory_equal(rr.nexthop, ROUTER, 16);
	assert_memory_equal(rr.src, SLAAC, 16);
	stack_unlock(s);
	/* the router lifetime ends: no default route; preferred ends: deprecated */
	run(s, t + MS(1801000));
	stack_lock(s);
	assert_null(find_route(s, 0, 1024));
	a = find_addr(s, SLAAC);
	assert_non_null(a);
	assert_true(a->flags & IFA6_DEPRECATED);
	stack_unlock(s);
	/* valid ends: the address and the prefix route go */
	run(s, t + MS(3601000));
	stack_lock(s);
	assert_null(find_addr(s, SLAAC));
	for (struct route6 *r = route6_of(s->routes6); r; r = route6_of(r->n.next))
		assert_false(r->dst[0] == 0xfd);
	stack_unlock(s);
	ut_stack_free(s);
}

static void test_two_hour_rule_and_zero_lifetime(void **state) {
	struct ustack *s = stack6(1, 1);
	inject_ra(s, ROUTER, 255, 1800, 10000, 5000, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	uint64_t t = rt_now();
	/* a short valid lifetime for an address with more than 2 h left: 2 h */
	inject_ra(s, ROUTER, 255, 1800, 60, 30, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	stack_lock(s);
	struct ifaddr6 *a = find_addr(s, SLAAC);
	assert_non_null(a);
	assert_true(a->valid_until >= t + MS(7190000) && a->valid_until <= t + MS(7210000));
	stack_unlock(s);
	/* with 2 h or less left, a shorter one is ignored */
	inject_ra(s, ROUTER, 255, 1800, 60, 30, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	stack_lock(s);
	assert_true(a->valid_until >= t + MS(7190000));
	/* a longer one is taken */
	stack_unlock(s);
	inject_ra(s, ROUTER, 255, 1800, 9000, 5000, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	stack_lock(s);
	assert_true(a->valid_until >= t + MS(8990000));
	assert_non_null(find_route(s, 0, 1024));
	stack_unlock(s);
	/* router lifetime 0: no longer a default router */
	inject_ra(s, ROUTER, 255, 0, 9000, 5000, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	stack_lock(s);
	assert_null(find_route(s, 0, 1024));
	stack_unlock(s);
	ut_stack_free(s);
}

static void test_invalid_ra_ignored(void **state) {
	struct ustack *s = stack6(1, 1);
	/* RFC 4861 6.1.2: hop limit not 255, source not link-local */
	inject_ra(s, ROUTER, 254, 1800, 3600, 1800, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	static const uint8_t global[16] = {0xfd, 0, 0, 9, [15] = 1};
	inject_ra(s, global, 255, 1800, 3600, 1800, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	/* preferred > valid: the prefix is ignored (the router is not) */
	inject_ra(s, ROUTER, 255, 0, 100, 200, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	stack_lock(s);
	assert_null(find_route(s, 0, 1024));
	assert_null(find_addr(s, SLAAC));
	for (struct route6 *r = route6_of(s->routes6); r; r = route6_of(r->n.next))
		assert_false(r->dst[0] == 0xfd);
	assert_int_equal(ip6_if_hlim(ut_eth(s)), 32);  /* the valid third one */
	stack_unlock(s);
	ut_stack_free(s);
}

static void test_sysctls(void **state) {
	struct ustack *s = stack6(1, 0);
	inject_ra(s, ROUTER, 255, 1800, 3600, 1800, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	stack_lock(s);
	assert_non_null(find_route(s, 0, 1024));
	assert_null(find_addr(s, SLAAC));
	stack_unlock(s);
	ut_stack_free(s);
	s = stack6(0, 1);
	run(s, T0 + MS(20000));
	assert_int_equal(count_rs(0), 0);
	inject_ra(s, ROUTER, 255, 1800, 3600, 1800, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	stack_lock(s);
	assert_null(find_route(s, 0, 1024));
	assert_null(find_addr(s, SLAAC));
	assert_int_equal(ip6_if_hlim(ut_eth(s)), 64);
	stack_unlock(s);
	ut_stack_free(s);
}

static void test_link_down_forgets(void **state) {
	struct ustack *s = stack6(1, 1);
	inject_ra(s, ROUTER, 255, 1800, 3600, 1800, NDP_PREFIX_ONLINK | NDP_PREFIX_AUTO);
	stack_lock(s);
	assert_non_null(find_addr(s, SLAAC));
	netif_set_up(ut_eth(s), false);
	assert_null(find_addr(s, SLAAC));
	assert_null(find_route(s, 0, 1024));
	assert_int_equal(ut_eth(s)->mtu6, 0);
	stack_unlock(s);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_solicitations),
		cmocka_unit_test(test_ra_stops_solicitations),
		cmocka_unit_test(test_ra_configures),
		cmocka_unit_test(test_two_hour_rule_and_zero_lifetime),
		cmocka_unit_test(test_invalid_ra_ignored),
		cmocka_unit_test(test_sysctls),
		cmocka_unit_test(test_link_down_forgets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
