/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Neighbour discovery and DAD on the test link and test clock: DAD probes
 * and their success, a conflict (RFC 4862 5.4.4), resolution with a queued
 * datagram, answering solicitations, failure as EHOSTUNREACH, malformed
 * messages (hop limit not 255, RFC 4861 7.1.1), the table's bound
 * (gc_thresh3) under unresolved sends and spoofed solicitations. */
#include <linux/neighbour.h>

#include "ut_stack.h"
#include "wire/icmp6.h"
#include "wire/ndp.h"

static uint8_t A6[16] = {0xfd, 0, [15] = 1}, P6[16] = {0xfd, 0, [15] = 2};

/* an Ethernet frame with an IPv6 NDP message from the peer */
static size_t nd_frame(uint8_t *f, const struct ndp_repr *r, const uint8_t *src, const uint8_t *dst,
		uint8_t hlim, const uint8_t *ethdst) {
	struct eth_repr e = {.type = ETHW_P_IPV6};
	memcpy(e.dst, ethdst, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, f, 14);
	int n = ndp_emit(r, f + 54, 200);
	icmp6_fill_checksum(src, dst, f + 54, (size_t) n);
	struct ip6_repr h = {.next_header = 58, .hop_limit = hlim, .payload_len = (uint16_t) n};
	memcpy(h.src, src, 16);
	memcpy(h.dst, dst, 16);
	ip6_emit(&h, f + 14, 40);
	return 54 + (size_t) n;
}

static int find_icmp6(int type, int from) {
	for (int i = from; i < ut_cap.n; i++)
		if (ut_cap.len[i] > 54 + 4 && ut_cap.frame[i][12] == 0x86 && ut_cap.frame[i][13] == 0xdd &&
				ut_cap.frame[i][20] == 58 && ut_cap.frame[i][54] == type)
			return i;
	return -1;
}

static struct ustack *stack_with_v6(void) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	/* the test link came up before: start IPv6 on it as link-up does */
	ip6_link_up(ut_eth(s));
	assert_int_equal(ip6_addr_add(ut_eth(s), A6, 64, 0, true), 0);
	/* DAD: one probe after a short random delay, then 1 s */
	uint64_t t = rt_now();
	stack_run_timers(s, t + MS(100));
	assert_false(ip6_is_local(s, A6));
	stack_run_timers(s, t + MS(1200));
	assert_true(ip6_is_local(s, A6));
	stack_unlock(s);
	return s;
}

static void test_dad_probe_and_success(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	ip6_link_up(ut_eth(s));
	assert_int_equal(ip6_addr_add(ut_eth(s), A6, 64, 0, true), 0);
	ut_cap_clear();
	stack_run_timers(s, rt_now() + MS(100));
	stack_unlock(s);
	/* NS from ::, to ff02::1:ff00:1, target fd00::1, no SLLA (the
	 * link-local address has its own probe, in random order) */
	int i = find_icmp6(135, 0);
	while (i >= 0 && memcmp(ut_cap.frame[i] + 62, A6, 16) != 0)
		i = find_icmp6(135, i + 1);
	assert_true(i >= 0);
	const uint8_t *ip = ut_cap.frame[i] + 14;
	static const uint8_t any[16];
	assert_memory_equal(ip + 8, any, 16);
	assert_int_equal(ip[24], 0xff);
	assert_int_equal(ip[25], 0x02);
	assert_int_equal(ip[35], 0x01);
	assert_int_equal(ip[36], 0xff);
	assert_int_equal(ip[39], 0x01);
	assert_int_equal(ip[7], 255);
	struct ndp_repr r;
	assert_int_equal(ndp_parse(ut_cap.frame[i] + 54, ut_cap.len[i] - 54, &r), 0);
	assert_memory_equal(r.u.nsna.target, A6, 16);
	assert_false(r.has_slla);
	ut_stack_free(s);
}

static void test_dad_conflict(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	ip6_link_up(ut_eth(s));
	assert_int_equal(ip6_addr_add(ut_eth(s), A6, 64, 0, true), 0);
	stack_unlock(s);
	/* someone defends the address */
	struct ndp_repr na = {.type = ICMP6_ND_NEIGHBOR_ADVERT, .has_tlla = true};
	na.u.nsna.flags = NDP_NA_OVERRIDE;
	memcpy(na.u.nsna.target, A6, 16);
	memcpy(na.tlla, UT_PEER_MAC, 6);
	static const uint8_t all[16] = {0xff, 0x02, [15] = 1};
	static const uint8_t mc_all[6] = {0x33, 0x33, 0, 0, 0, 1};
	uint8_t f[256];
	ut_inject(s, f, nd_frame(f, &na, A6, all, 255, mc_all));
	stack_lock(s);
	struct ifaddr6 *a = ip6_addr_find(s, A6, NULL);
	assert_non_null(a);
	assert_true(a->flags & IFA6_DADFAILED);
	stack_run_timers(s, rt_now() + MS(2000));
	assert_false(ip6_is_local(s, A6));
	assert_int_equal(s->mib->icmp6.DadFailed, 1);
	stack_unlock(s);
	ut_stack_free(s);
}

static void test_resolution(void **state) {
	struct ustack *s = stack_with_v6();
	ut_cap_clear();
	int fd = api_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(9)};
	memcpy(&to.sin6_addr, P6, 16);
	struct iovec iov = {.iov_base = "six", .iov_len = 3};
	struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
	assert_int_equal(api_sendmsg(s, fd, &msg, 0), 3);
	/* an NS to the solicited-node group, with our MAC in SLLA */
	int i = find_icmp6(135, 0);
	assert_true(i >= 0);
	assert_int_equal(ut_cap.frame[i][0], 0x33);
	struct ndp_repr r;
	assert_int_equal(ndp_parse(ut_cap.frame[i] + 54, ut_cap.len[i] - 54, &r), 0);
	assert_true(r.has_slla);
	assert_memory_equal(r.slla, UT_MAC, 6);
	assert_memory_equal(r.u.nsna.target, P6, 16);
	/* the answer releases the datagram to the peer's MAC */
	struct ndp_repr na = {.type = ICMP6_ND_NEIGHBOR_ADVERT, .has_tlla = true};
	na.u.nsna.flags = NDP_NA_SOLICITED | NDP_NA_OVERRIDE;
	memcpy(na.u.nsna.target, P6, 16);
	memcpy(na.tlla, UT_PEER_MAC, 6);
	uint8_t f[256];
	int before = ut_cap.n;
	ut_inject(s, f, nd_frame(f, &na, P6, A6, 255, UT_MAC));
	assert_int_equal(ut_cap.n, before + 1);
	const uint8_t *u = ut_cap.frame[before];
	assert_memory_equal(u, UT_PEER_MAC, 6);
	assert_int_equal(u[20], 17);
	stack_lock(s);
	struct neigh *n = neigh6_lookup(ut_eth(s), P6);
	assert_non_null(n);
	assert_int_equal(n->state, NUD_REACHABLE);
	stack_unlock(s);
	api_close(s, fd);
	ut_stack_free(s);
}

static void test_answer_and_malformed(void **state) {
	struct ustack *s = stack_with_v6();
	ut_cap_clear();
	struct ndp_repr ns = {.type = ICMP6_ND_NEIGHBOR_SOLICIT, .has_slla = true};
	memcpy(ns.u.nsna.target, A6, 16);
	memcpy(ns.slla, UT_PEER_MAC, 6);
	uint8_t sn[16];
	ip6_addr_solicited_node(sn, A6);
	uint8_t snmac[6];
	ip6_mcast_mac(snmac, sn);
	uint8_t f[256];
	/* hop limit 64: not from this link, dropped (RFC 4861 7.1.1) */
	ut_inject(s, f, nd_frame(f, &ns, P6, sn, 64, snmac));
	assert_int_equal(find_icmp6(136, 0), -1);
	/* proper: a solicited NA to the asker, with our MAC */
	ut_inject(s, f, nd_frame(f, &ns, P6, sn, 255, snmac));
	int i = find_icmp6(136, 0);
	assert_true(i >= 0);
	assert_memory_equal(ut_cap.frame[i], UT_PEER_MAC, 6);
	struct ndp_repr na;
	assert_int_equal(ndp_parse(ut_cap.frame[i] + 54, ut_cap.len[i] - 54, &na), 0);
	assert_true(na.u.nsna.flags & NDP_NA_SOLICITED);
	assert_true(na.has_tlla);
	assert_memory_equal(na.tlla, UT_MAC, 6);
	/* the solicitor was learned STALE (RFC 4861 7.2.3), and the answer
	 * to it started DELAY (7.3.3) */
	stack_lock(s);
	struct neigh *n = neigh6_lookup(ut_eth(s), P6);
	assert_non_null(n);
	assert_int_equal(n->state, NUD_DELAY);
	stack_unlock(s);
	/* a unicast solicitation (NUD) gets an NA without our MAC and
	 * without override, as Linux's ndisc_recv_ns */
	int from = ut_cap.n;
	ut_inject(s, f, nd_frame(f, &ns, P6, A6, 255, UT_MAC));
	i = find_icmp6(136, from);
	assert_true(i >= 0);
	assert_int_equal(ndp_parse(ut_cap.frame[i] + 54, ut_cap.len[i] - 54, &na), 0);
	assert_true(na.u.nsna.flags & NDP_NA_SOLICITED);
	assert_false(na.u.nsna.flags & NDP_NA_OVERRIDE);
	assert_false(na.has_tlla);
	/* truncated frames of every length: no crash, no answer */
	size_t full = nd_frame(f, &ns, P6, sn, 255, snmac);
	int n0 = ut_cap.n;
	for (size_t cut = 14; cut < full; cut += 5)
		ut_inject(s, f, cut);
	assert_int_equal(ut_cap.n, n0);
	ut_stack_free(s);
}

static void test_failure(void **state) {
	struct ustack *s = stack_with_v6();
	int fd = api_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(9)};
	memcpy(&to.sin6_addr, P6, 16);
	assert_int_equal(api_connect(s, fd, (struct sockaddr *) &to, sizeof(to)), 0);
	struct iovec iov = {.iov_base = "x", .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	assert_int_equal(api_sendmsg(s, fd, &msg, 0), 1);
	stack_lock(s);
	uint64_t t = rt_now();
	for (int k = 1; k <= 3; k++)
		stack_run_timers(s, t + MS(1000) * (uint64_t) k + MS(10));
	assert_null(neigh6_lookup(ut_eth(s), P6));
	stack_unlock(s);
	char b[4];
	assert_int_equal(ut_recv(s, fd, b, sizeof(b)), -1);
	assert_int_equal(errno, EHOSTUNREACH);
	api_close(s, fd);
	ut_stack_free(s);
}

/* fd00::1:0:i, on link */
static void host6(uint8_t *a, int i) {
	memcpy(a, A6, 16);
	a[11] = 1;
	a[14] = (uint8_t) (i >> 8);
	a[15] = (uint8_t) i;
}

static ssize_t send6(struct ustack *s, int fd, const uint8_t *dst) {
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(9)};
	memcpy(&to.sin6_addr, dst, 16);
	struct iovec iov = {.iov_base = "six", .iov_len = 3};
	struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
	return api_sendmsg(s, fd, &msg, 0);
}

/* A flood of sends to unresolved on-link addresses: the table stops at
 * gc_thresh3, a new resolution is never refused (the oldest one under way
 * makes room, its packets dropped and counted), all of it expires. */
static void test_table_bound_unresolved(void **state) {
	struct ustack *s = stack_with_v6();
	int fd = api_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	uint64_t drop0 = ut_eth(s)->st.tx_dropped;
	int sent = 0;
	uint8_t a[16];
	for (int i = 0; i < 2000; i++) {
		host6(a, i);
		for (int k = 0; k < 2; k++)
			sent += send6(s, fd, a) == 3;
	}
	assert_int_equal(sent, 4000);
	stack_lock(s);
	size_t q;
	assert_int_equal(ut_count_neigh(s, AF_INET6, &q), NEIGH_MAX_ENTRIES);
	assert_int_equal(s->nneigh6, NEIGH_MAX_ENTRIES);
	assert_int_equal(q, s->neigh_qbytes);
	assert_true(q > 0 && q <= NEIGH_QUEUE_TOTAL);
	host6(a, 2000 - NEIGH_MAX_ENTRIES);
	assert_non_null(neigh6_lookup(ut_eth(s), a));
	host6(a, 2000 - NEIGH_MAX_ENTRIES - 1);
	assert_null(neigh6_lookup(ut_eth(s), a));
	assert_true(ut_eth(s)->st.tx_dropped - drop0 >= 2 * (2000 - NEIGH_MAX_ENTRIES));
	uint64_t t = rt_now();
	for (int k = 1; k <= 4; k++)
		stack_run_timers(s, t + MS(1000) * (uint64_t) k + MS(10));
	assert_int_equal(ut_count_neigh(s, AF_INET6, &q), 0);
	assert_int_equal(s->nneigh6, 0);
	assert_int_equal(s->neigh_qbytes, 0);
	stack_unlock(s);
	api_close(s, fd);
	ut_stack_free(s);
}

/* Vanished peers fill the table with solicitations nobody answers: the
 * live peer in use keeps its entry and keeps receiving. */
static void test_dead_peers_do_not_lock_out_live_ones(void **state) {
	struct ustack *s = stack_with_v6();
	int fd = api_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	uint64_t t0 = rt_now();
	s->timers_now = t0;
	assert_int_equal(send6(s, fd, P6), 3);
	struct ndp_repr na = {.type = ICMP6_ND_NEIGHBOR_ADVERT, .has_tlla = true};
	na.u.nsna.flags = NDP_NA_SOLICITED | NDP_NA_OVERRIDE;
	memcpy(na.u.nsna.target, P6, 16);
	memcpy(na.tlla, UT_PEER_MAC, 6);
	uint8_t f[256], a[16];
	ut_inject(s, f, nd_frame(f, &na, P6, A6, 255, UT_MAC));
	for (int i = 0; i < NEIGH_MAX_ENTRIES - 1; i++) {
		s->timers_now = t0 + MS(100);
		host6(a, i);
		assert_int_equal(send6(s, fd, a), 3);
	}
	s->timers_now = 0;
	stack_lock(s);
	stack_run_timers(s, t0 + MS(1200));   /* their first try failed */
	assert_int_equal(s->nneigh6, NEIGH_MAX_ENTRIES);
	stack_unlock(s);
	s->timers_now = t0 + MS(1300);
	assert_int_equal(send6(s, fd, P6), 3);
	for (int i = 2000; i < 2600; i++) {
		s->timers_now = t0 + MS(1400);
		host6(a, i);
		assert_int_equal(send6(s, fd, a), 3);
	}
	s->timers_now = 0;
	stack_lock(s);
	struct neigh *n = neigh6_lookup(ut_eth(s), P6);
	assert_true(n != NULL && n->state == NUD_REACHABLE);
	assert_true(s->nneigh6 <= NEIGH_GC_THRESH2 + 600);
	stack_unlock(s);
	ut_cap_clear();
	assert_int_equal(send6(s, fd, P6), 3);
	assert_int_equal(ut_cap.n, 1);
	assert_memory_equal(ut_cap.frame[0], UT_PEER_MAC, 6);
	api_close(s, fd);
	ut_stack_free(s);
}

static void ns_from(struct ustack *s, int i) {
	uint8_t src[16], sn[16], snmac[6], f[256];
	host6(src, i);
	struct ndp_repr ns = {.type = ICMP6_ND_NEIGHBOR_SOLICIT, .has_slla = true};
	memcpy(ns.u.nsna.target, A6, 16);
	uint8_t mac[6] = {0x02, 0x22, 0, 0, (uint8_t) (i >> 8), (uint8_t) i};
	memcpy(ns.slla, mac, 6);
	ip6_addr_solicited_node(sn, A6);
	ip6_mcast_mac(snmac, sn);
	ut_inject(s, f, nd_frame(f, &ns, src, sn, 255, snmac));
}

/* Solicitations from many spoofed sources: each is learned (RFC 4861
 * 7.2.3) and answered, which starts DELAY; the table stays at gc_thresh3
 * by giving up the oldest unconfirmed entries, not the confirmed one. */
static void test_table_ns_flood(void **state) {
	struct ustack *s = stack_with_v6();
	int fd = api_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	/* one neighbour in use, confirmed, and oldest of all */
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(9)};
	memcpy(&to.sin6_addr, P6, 16);
	struct iovec iov = {.iov_base = "six", .iov_len = 3};
	struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
	assert_int_equal(api_sendmsg(s, fd, &msg, 0), 3);
	struct ndp_repr na = {.type = ICMP6_ND_NEIGHBOR_ADVERT, .has_tlla = true};
	na.u.nsna.flags = NDP_NA_SOLICITED | NDP_NA_OVERRIDE;
	memcpy(na.u.nsna.target, P6, 16);
	memcpy(na.tlla, UT_PEER_MAC, 6);
	uint8_t f[256];
	ut_inject(s, f, nd_frame(f, &na, P6, A6, 255, UT_MAC));
	for (int i = 0; i < 3000; i++)
		ns_from(s, i);
	stack_lock(s);
	size_t q;
	assert_int_equal(ut_count_neigh(s, AF_INET6, &q), NEIGH_MAX_ENTRIES);
	assert_int_equal(s->nneigh6, NEIGH_MAX_ENTRIES);
	struct neigh *n = neigh6_lookup(ut_eth(s), P6);
	assert_true(n != NULL && n->state == NUD_REACHABLE);
	/* the newest 1023 solicitors are there, the older ones went */
	uint8_t a[16];
	host6(a, 3000 - 1023);
	assert_non_null(neigh6_lookup(ut_eth(s), a));
	host6(a, 3000 - 1024);
	assert_null(neigh6_lookup(ut_eth(s), a));
	stack_unlock(s);
	api_close(s, fd);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dad_probe_and_success),
		cmocka_unit_test(test_dad_conflict),
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_answer_and_malformed),
		cmocka_unit_test(test_failure),
		cmocka_unit_test(test_table_bound_unresolved),
		cmocka_unit_test(test_table_ns_flood),
		cmocka_unit_test(test_dead_peers_do_not_lock_out_live_ones),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
