/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ARP: requests and replies, the neighbour state machine on a test clock
 * (INCOMPLETE with queued packets, REACHABLE, STALE, PROBE, failure with
 * EHOSTUNREACH to the sender), gratuitous ARP, malformed input, and the
 * bounds: table size (gc_thresh3) with Linux's forced collection (dead
 * resolutions go first, a live peer is never locked out), queued bytes. */
#include <linux/neighbour.h>
#include <stdio.h>

#include "ut_stack.h"

static uint32_t A(const char *s) {
	return inet_addr(s);
}

static size_t arp_frame(uint8_t *buf, uint16_t op, const uint8_t *sha, const char *spa,
		const uint8_t *tha, const char *tpa, const uint8_t *ethdst) {
	struct eth_repr e = {.type = ETHW_P_ARP};
	memcpy(e.dst, ethdst, 6);
	memcpy(e.src, sha, 6);
	eth_emit(&e, buf, 14);
	struct arp_repr a = {.op = op, .spa = A(spa), .tpa = A(tpa)};
	memcpy(a.sha, sha, 6);
	if (tha)
		memcpy(a.tha, tha, 6);
	arp_emit(&a, buf + 14, 28);
	return 42;
}

static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static int send_udp(struct ustack *s, int fd, const char *dst, int port) {
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port),
		.sin_addr.s_addr = A(dst)};
	struct iovec iov = {.iov_base = "data", .iov_len = 4};
	struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
	return (int) api_sendmsg(s, fd, &msg, 0);
}

static void test_resolve_and_flush(void **state) {
	struct ustack *s = ut_stack();
	int fd = ut_udp_socket(s, 0);
	assert_true(fd >= 0);
	/* two datagrams wait for one resolution */
	assert_int_equal(send_udp(s, fd, "198.18.0.2", 9), 4);
	assert_int_equal(send_udp(s, fd, "198.18.0.2", 9), 4);
	assert_int_equal(ut_cap.n, 1);
	struct arp_repr a;
	assert_int_equal(ut_cap.len[0], 42);
	assert_memory_equal(ut_cap.frame[0], BCAST, 6);
	assert_int_equal(arp_parse(ut_cap.frame[0] + 14, 28, &a), 0);
	assert_int_equal(a.op, ARPW_REQUEST);
	assert_int_equal(a.tpa, A("198.18.0.2"));
	assert_int_equal(a.spa, A("198.18.0.1"));
	assert_memory_equal(a.sha, UT_MAC, 6);
	stack_lock(s);
	struct neigh *n = neigh4_lookup(ut_eth(s), A("198.18.0.2"));
	assert_non_null(n);
	assert_int_equal(n->state, NUD_INCOMPLETE);
	stack_unlock(s);
	/* the reply sends both, to the peer's MAC */
	uint8_t f[64];
	ut_inject(s, f, arp_frame(f, ARPW_REPLY, UT_PEER_MAC, "198.18.0.2", UT_MAC, "198.18.0.1", UT_MAC));
	assert_int_equal(ut_cap.n, 3);
	for (int i = 1; i < 3; i++) {
		assert_memory_equal(ut_cap.frame[i], UT_PEER_MAC, 6);
		assert_int_equal(ut_cap.frame[i][12] << 8 | ut_cap.frame[i][13], ETHW_P_IP);
	}
	stack_lock(s);
	n = neigh4_lookup(ut_eth(s), A("198.18.0.2"));
	assert_int_equal(n->state, NUD_REACHABLE);
	/* 30 s later: STALE; the next use goes out and starts DELAY */
	uint64_t t0 = rt_now() + MS(31000);
	stack_run_timers(s, t0);
	assert_int_equal(n->state, NUD_STALE);
	stack_unlock(s);
	ut_cap_clear();
	assert_int_equal(send_udp(s, fd, "198.18.0.2", 9), 4);
	assert_int_equal(ut_cap.n, 1);
	assert_int_equal(ut_find(ETHW_P_ARP, 0), -1);
	stack_lock(s);
	assert_int_equal(n->state, NUD_DELAY);
	/* 5 s without confirmation: a unicast probe (PROBE) */
	stack_run_timers(s, rt_now() + MS(5100));
	assert_int_equal(n->state, NUD_PROBE);
	int arp = ut_find(ETHW_P_ARP, 0);
	assert_true(arp >= 0);
	assert_memory_equal(ut_cap.frame[arp], UT_PEER_MAC, 6);
	/* no answer to 3 probes: the entry goes */
	t0 = rt_now() + MS(5100);
	stack_run_timers(s, t0 + MS(1100));
	assert_non_null(neigh4_lookup(ut_eth(s), A("198.18.0.2")));
	stack_run_timers(s, t0 + MS(2200));
	assert_non_null(neigh4_lookup(ut_eth(s), A("198.18.0.2")));
	stack_run_timers(s, t0 + MS(3300));
	assert_null(neigh4_lookup(ut_eth(s), A("198.18.0.2")));
	stack_unlock(s);
	api_close(s, fd);
	ut_stack_free(s);
}

static void test_failure_reports_ehostunreach(void **state) {
	struct ustack *s = ut_stack();
	int fd = ut_udp_socket(s, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = A("198.18.0.3")};
	assert_int_equal(api_connect(s, fd, (struct sockaddr *) &to, sizeof(to)), 0);
	struct iovec iov = {.iov_base = "x", .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	assert_int_equal(api_sendmsg(s, fd, &msg, 0), 1);
	stack_lock(s);
	uint64_t t = rt_now();
	for (int i = 1; i <= 3; i++) {
		/* still resolving before the third retry runs out */
		assert_non_null(neigh4_lookup(ut_eth(s), A("198.18.0.3")));
		stack_run_timers(s, t + MS(1000) * (uint64_t) i + MS(10));
	}
	stack_unlock(s);
	/* three requests, then Linux's arp_error_report: host unreachable */
	int requests = 0;
	for (int i = 0; i < ut_cap.n; i++)
		requests += ut_find(ETHW_P_ARP, i) == i;
	assert_int_equal(requests, 3);
	char buf[8];
	assert_int_equal(ut_recv(s, fd, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EHOSTUNREACH);
	/* reported once */
	assert_int_equal(ut_recv(s, fd, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);
	assert_true(s->mib->arp.Failed >= 1);
	api_close(s, fd);
	ut_stack_free(s);
}

static void test_answer_requests(void **state) {
	struct ustack *s = ut_stack();
	uint8_t f[64];
	/* a request for us: a reply to the asker, and the asker is learned */
	ut_inject(s, f, arp_frame(f, ARPW_REQUEST, UT_PEER_MAC, "198.18.0.7", NULL, "198.18.0.1", BCAST));
	assert_int_equal(ut_cap.n, 1);
	struct arp_repr a;
	assert_int_equal(arp_parse(ut_cap.frame[0] + 14, 28, &a), 0);
	assert_int_equal(a.op, ARPW_REPLY);
	assert_int_equal(a.spa, A("198.18.0.1"));
	assert_memory_equal(a.sha, UT_MAC, 6);
	assert_int_equal(a.tpa, A("198.18.0.7"));
	assert_memory_equal(a.tha, UT_PEER_MAC, 6);
	assert_memory_equal(ut_cap.frame[0], UT_PEER_MAC, 6);
	stack_lock(s);
	assert_non_null(neigh4_lookup(ut_eth(s), A("198.18.0.7")));
	stack_unlock(s);
	/* a request for someone else: silence, nothing learned */
	ut_cap_clear();
	ut_inject(s, f, arp_frame(f, ARPW_REQUEST, UT_PEER_MAC, "198.18.0.8", NULL, "198.18.0.99", BCAST));
	assert_int_equal(ut_cap.n, 0);
	stack_lock(s);
	assert_null(neigh4_lookup(ut_eth(s), A("198.18.0.8")));
	stack_unlock(s);
	/* an RFC 5227 probe (sender 0.0.0.0) for our address is answered */
	ut_inject(s, f, arp_frame(f, ARPW_REQUEST, UT_PEER_MAC, "0.0.0.0", NULL, "198.18.0.1", BCAST));
	assert_int_equal(ut_cap.n, 1);
	ut_stack_free(s);
}

static void test_gratuitous_and_malformed(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	assert_int_equal(ip4_addr_add(ut_eth(s), A("198.18.0.50"), 24, 0, true), 0);
	assert_int_equal(ip4_addr_add(ut_eth(s), A("198.18.0.50"), 24, 0, true), -EEXIST);
	stack_unlock(s);
	assert_int_equal(ut_cap.n, 1);
	struct arp_repr a;
	assert_int_equal(arp_parse(ut_cap.frame[0] + 14, 28, &a), 0);
	assert_int_equal(a.op, ARPW_REQUEST);
	assert_int_equal(a.spa, A("198.18.0.50"));
	assert_int_equal(a.tpa, A("198.18.0.50"));
	assert_memory_equal(ut_cap.frame[0], BCAST, 6);
	/* truncated, wrong hardware type, wrong opcode: dropped and counted */
	uint8_t f[64];
	size_t n = arp_frame(f, ARPW_REQUEST, UT_PEER_MAC, "198.18.0.7", NULL, "198.18.0.1", BCAST);
	ut_cap_clear();
	ut_inject(s, f, n - 1);
	f[15] = 6;
	ut_inject(s, f, n);
	f[15] = 1;
	f[21] = 9;
	ut_inject(s, f, n);
	assert_int_equal(ut_cap.n, 0);
	assert_int_equal(s->mib->arp.Bad, 3);
	/* a frame too short for Ethernet */
	ut_inject(s, f, 10);
	assert_int_equal(ut_eth(s)->st.rx_length_errors, 1);
	ut_stack_free(s);
}

static void test_queue_limit(void **state) {
	struct ustack *s = ut_stack();
	int fd = ut_udp_socket(s, 0);
	static uint8_t big[60000];
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = A("198.18.0.4")};
	struct iovec iov = {.iov_base = big, .iov_len = sizeof(big)};
	struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
	/* 5 x 60 KB wait: more than unres_qlen_bytes, the oldest are dropped */
	for (int i = 0; i < 5; i++)
		assert_int_equal(api_sendmsg(s, fd, &msg, 0), (ssize_t) sizeof(big));
	stack_lock(s);
	struct neigh *n = neigh4_lookup(ut_eth(s), A("198.18.0.4"));
	assert_non_null(n);
	assert_true(n->qbytes <= 212992);
	assert_true(s->mib->arp.QueueDrops > 0);
	stack_unlock(s);
	api_close(s, fd);
	ut_stack_free(s);
}

static uint32_t wide(int i) {
	return htonl(0xc6130000u + 0x100u * (unsigned) (i / 250) + 2u + (unsigned) (i % 250));
}

/* A flood of sends to unresolved on-link addresses: the table stops at
 * gc_thresh3; a new resolution is never refused, the oldest one under way
 * makes room (its packet dropped and counted); all of it expires. */
static void test_table_bound_unresolved(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	assert_int_equal(ip4_addr_add(ut_eth(s), A("198.19.0.1"), 16, 0, false), 0);
	stack_unlock(s);
	int fd = ut_udp_socket(s, 0);
	uint64_t drop0 = ut_eth(s)->st.tx_dropped, qd0 = s->mib->arp.QueueDrops;
	int sent = 0;
	for (int i = 0; i < 2000; i++) {
		struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = wide(i)};
		struct iovec iov = {.iov_base = "data", .iov_len = 4};
		struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
		sent += api_sendmsg(s, fd, &msg, 0) == 4;
	}
	assert_int_equal(sent, 2000);
	stack_lock(s);
	size_t q;
	assert_int_equal(ut_count_neigh(s, AF_INET, &q), NEIGH_MAX_ENTRIES);
	assert_int_equal(s->nneigh4, NEIGH_MAX_ENTRIES);
	assert_int_equal(q, s->neigh_qbytes);
	assert_true(q > 0 && q <= NEIGH_QUEUE_TOTAL);
	/* the newest resolutions are there, the oldest made room */
	assert_non_null(neigh4_lookup(ut_eth(s), wide(1999)));
	assert_non_null(neigh4_lookup(ut_eth(s), wide(2000 - NEIGH_MAX_ENTRIES)));
	assert_null(neigh4_lookup(ut_eth(s), wide(2000 - NEIGH_MAX_ENTRIES - 1)));
	assert_null(neigh4_lookup(ut_eth(s), wide(0)));
	assert_true(ut_eth(s)->st.tx_dropped - drop0 >= 2000 - NEIGH_MAX_ENTRIES);
	assert_true(s->mib->arp.QueueDrops - qd0 >= 2000 - NEIGH_MAX_ENTRIES);
	/* three tries, then all fail and free their packets */
	uint64_t t = rt_now();
	for (int i = 1; i <= 4; i++)
		stack_run_timers(s, t + MS(1000) * (uint64_t) i + MS(10));
	assert_int_equal(ut_count_neigh(s, AF_INET, &q), 0);
	assert_int_equal(s->nneigh4, 0);
	assert_int_equal(s->neigh_qbytes, 0);
	stack_unlock(s);
	api_close(s, fd);
	ut_stack_free(s);
}

/* sends to n unresolved addresses from wide(first), at clock now */
static void send_wide(struct ustack *s, int fd, int first, int n, uint64_t now) {
	for (int i = first; i < first + n; i++) {
		s->timers_now = now;
		struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = wide(i)};
		struct iovec iov = {.iov_base = "data", .iov_len = 4};
		struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
		assert_int_equal(api_sendmsg(s, fd, &msg, 0), 4);
	}
	s->timers_now = 0;
}

/* Peers that vanished (their stacks deleted) leave resolutions nobody
 * answers; they fill the table. A live peer in use keeps its entry, and a
 * live peer's new resolution is not refused (Linux's forced collection
 * removes the failed resolutions first). */
static void test_dead_peers_do_not_lock_out_live_ones(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	assert_int_equal(ip4_addr_add(ut_eth(s), A("198.19.0.1"), 16, 0, false), 0);
	stack_unlock(s);
	int fd = ut_udp_socket(s, 0);
	uint64_t t0 = rt_now();
	/* the live peer, resolved and in use */
	s->timers_now = t0;
	assert_int_equal(send_udp(s, fd, "198.18.0.2", 9), 4);
	uint8_t f[64];
	ut_inject(s, f, arp_frame(f, ARPW_REPLY, UT_PEER_MAC, "198.18.0.2", UT_MAC, "198.18.0.1", UT_MAC));
	s->timers_now = 0;
	/* 1023 dead ones fill the table: no answer to their first request */
	send_wide(s, fd, 0, NEIGH_MAX_ENTRIES - 1, t0 + MS(100));
	stack_lock(s);
	stack_run_timers(s, t0 + MS(1200));
	assert_int_equal(s->nneigh4, NEIGH_MAX_ENTRIES);
	stack_unlock(s);
	/* the live peer is used again; more dead ones keep coming */
	s->timers_now = t0 + MS(1300);
	assert_int_equal(send_udp(s, fd, "198.18.0.2", 9), 4);
	send_wide(s, fd, 2000, 600, t0 + MS(1400));
	stack_lock(s);
	struct neigh *n = neigh4_lookup(ut_eth(s), A("198.18.0.2"));
	assert_true(n != NULL && n->state == NUD_REACHABLE);
	/* the failed ones went first, down to gc_thresh2 */
	assert_true(s->nneigh4 <= NEIGH_GC_THRESH2 + 600);
	assert_null(neigh4_lookup(ut_eth(s), wide(0)));
	assert_non_null(neigh4_lookup(ut_eth(s), wide(2599)));
	stack_unlock(s);
	ut_cap_clear();
	assert_int_equal(send_udp(s, fd, "198.18.0.2", 9), 4);
	assert_int_equal(ut_cap.n, 1);
	assert_memory_equal(ut_cap.frame[0], UT_PEER_MAC, 6);
	/* now a table of fresh resolutions only (none has failed yet), and
	 * the live peer gone from it: its new resolution is still taken */
	stack_lock(s);
	neigh4_flush_if(ut_eth(s));
	stack_unlock(s);
	send_wide(s, fd, 3000, NEIGH_MAX_ENTRIES, t0 + MS(1500));
	stack_lock(s);
	assert_int_equal(s->nneigh4, NEIGH_MAX_ENTRIES);
	stack_unlock(s);
	ut_cap_clear();
	s->timers_now = t0 + MS(1600);
	assert_int_equal(send_udp(s, fd, "198.18.0.2", 9), 4);
	int arp = ut_find(ETHW_P_ARP, 0);
	assert_true(arp >= 0);
	ut_inject(s, f, arp_frame(f, ARPW_REPLY, UT_PEER_MAC, "198.18.0.2", UT_MAC, "198.18.0.1", UT_MAC));
	s->timers_now = 0;
	int ip = ut_find(ETHW_P_IP, 0);
	assert_true(ip >= 0);
	assert_memory_equal(ut_cap.frame[ip], UT_PEER_MAC, 6);
	stack_lock(s);
	n = neigh4_lookup(ut_eth(s), A("198.18.0.2"));
	assert_true(n != NULL && n->state == NUD_REACHABLE);
	assert_int_equal(s->nneigh4, NEIGH_MAX_ENTRIES);
	stack_unlock(s);
	api_close(s, fd);
	ut_stack_free(s);
}

static void arp_request_from(struct ustack *s, int i) {
	uint8_t f[64];
	uint8_t mac[6] = {0x02, 0x11, 0, 0, (uint8_t) (i >> 8), (uint8_t) i};
	struct in_addr a = {wide(i)};
	char ip[32];
	snprintf(ip, sizeof(ip), "%s", inet_ntoa(a));
	ut_inject(s, f, arp_frame(f, ARPW_REQUEST, mac, ip, NULL, "198.19.0.1", BCAST));
}

/* Requests from many senders: a full table gives up its oldest STALE
 * entry first, even when older entries are in use. */
static void test_table_evicts_stale_first(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	assert_int_equal(ip4_addr_add(ut_eth(s), A("198.19.0.1"), 16, 0, false), 0);
	stack_unlock(s);
	for (int i = 0; i < 512; i++)
		arp_request_from(s, i);
	/* past base_reachable_time: these 512 are STALE... */
	stack_lock(s);
	stack_run_timers(s, rt_now() + MS(31000));
	stack_unlock(s);
	/* ...but the oldest 256 are heard from again: REACHABLE */
	for (int i = 0; i < 256; i++)
		arp_request_from(s, i);
	for (int i = 512; i < 1024 + 100; i++)
		arp_request_from(s, i);
	stack_lock(s);
	size_t q;
	assert_int_equal(ut_count_neigh(s, AF_INET, &q), NEIGH_MAX_ENTRIES);
	assert_int_equal(s->nneigh4, NEIGH_MAX_ENTRIES);
	/* the 100 oldest STALE ones went, every entry in use is there */
	for (int i = 0; i < 1024 + 100; i++) {
		struct neigh *n = neigh4_lookup(ut_eth(s), wide(i));
		if (i >= 256 && i < 356)
			assert_null(n);
		else if (i >= 356 && i < 512)
			assert_true(n != NULL && n->state == NUD_STALE);
		else
			assert_true(n != NULL && n->state == NUD_REACHABLE);
	}
	stack_unlock(s);
	ut_stack_free(s);
}

/* Many unresolved destinations with many datagrams each: the bytes
 * waiting stay under the per-entry and per-stack bounds, by buffer size. */
static void test_queue_total_bound(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	assert_int_equal(ip4_addr_add(ut_eth(s), A("198.19.0.1"), 16, 0, false), 0);
	stack_unlock(s);
	int fd = ut_udp_socket(s, 0);
	static uint8_t data[1400];
	uint64_t qd0 = s->mib->arp.QueueDrops;
	for (int i = 0; i < 200; i++)
		for (int k = 0; k < 20; k++) {
			struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = wide(i)};
			struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
			struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
			assert_int_equal(api_sendmsg(s, fd, &msg, 0), (ssize_t) sizeof(data));
		}
	stack_lock(s);
	size_t q;
	assert_int_equal(ut_count_neigh(s, AF_INET, &q), 200);
	assert_int_equal(q, s->neigh_qbytes);
	assert_true(q <= NEIGH_QUEUE_TOTAL);
	/* 4000 datagrams of 2 KiB buffers cannot all wait: drops were counted */
	assert_true(q > NEIGH_QUEUE_TOTAL / 2);
	assert_true(s->mib->arp.QueueDrops - qd0 >= 4000 - NEIGH_QUEUE_TOTAL / PBUF_SMALL_CAP);
	for (struct neigh *n = ut_eth(s)->neigh; n; n = n->next)
		assert_true(n->qbytes <= NEIGH_QUEUE_BYTES);
	stack_unlock(s);
	api_close(s, fd);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_and_flush),
		cmocka_unit_test(test_failure_reports_ehostunreach),
		cmocka_unit_test(test_answer_requests),
		cmocka_unit_test(test_gratuitous_and_malformed),
		cmocka_unit_test(test_queue_limit),
		cmocka_unit_test(test_table_bound_unresolved),
		cmocka_unit_test(test_table_evicts_stale_first),
		cmocka_unit_test(test_dead_peers_do_not_lock_out_live_ones),
		cmocka_unit_test(test_queue_total_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
