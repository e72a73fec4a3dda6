/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ICMP behaviour found by the conformance test (tests/net/conformance):
 * per-peer rate limits of errors as Linux (a burst of 6 per peer), the
 * IPv4 options checks (source routes dropped, malformed options answered
 * with a parameter problem), echo replies keeping the TOS. Frames are
 * injected on a test link; counters and captured frames are checked. */
#include "ut_stack.h"

#include "wire/icmp4.h"

static void udp_to_closed(struct ustack *s, const char *src, int n) {
	uint8_t udp[64], frame[128];
	for (int i = 0; i < n; i++) {
		size_t ul = ut_udp(udp, src, "198.18.0.1", (uint16_t) (5000 + i), 9, "x", 1);
		size_t fl = ut_ip_frame(frame, src, "198.18.0.1", 17, (uint16_t) i, 0, 0, udp, ul);
		ut_inject(s, frame, fl);
	}
}

static void test_error_rate_per_peer(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	udp_to_closed(s, "198.18.0.2", 10);
	/* Linux icmp_ratelimit: a new peer has a burst of 6, then 1 per second */
	assert_int_equal(s->mib->icmp4.OutMsgs, 6);
	assert_int_equal(s->mib->icmp4.OutRateLimited, 4);
	/* another peer has its own bucket */
	udp_to_closed(s, "198.18.0.3", 3);
	assert_int_equal(s->mib->icmp4.OutMsgs, 9);
	assert_int_equal(s->mib->icmp4.OutRateLimited, 4);
	ut_stack_free(s);
}

/* An echo request with the options given (a multiple of 4 bytes), tos. */
static void echo_with(struct ustack *s, const uint8_t *opt, size_t olen, uint8_t tos) {
	uint8_t frame[128], icmp[16] = {8, 0, 0, 0, 0, 1, 0, 1, 'p', 'i', 'n', 'g', 0, 0, 0, 0};
	uint16_t c = csum_buf(icmp, sizeof(icmp));
	icmp[2] = (uint8_t) (c >> 8);
	icmp[3] = (uint8_t) c;
	struct eth_repr e = {.type = ETHW_P_IP};
	memcpy(e.dst, UT_MAC, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, frame, 14);
	struct ipv4_repr h = {.src = inet_addr("198.18.0.2"), .dst = inet_addr("198.18.0.1"), .proto = 1,
		.ttl = 64, .tos = tos, .opt = opt, .optlen = (uint8_t) olen,
		.total_len = (uint16_t) (20 + olen + sizeof(icmp))};
	ipv4_emit(&h, frame + 14, 20 + olen);
	memcpy(frame + 34 + olen, icmp, sizeof(icmp));
	ut_inject(s, frame, 34 + olen + sizeof(icmp));
}

static void test_options(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	/* loose source route: dropped (Linux accept_source_route=0) */
	static const uint8_t lsrr[] = {131, 7, 4, 198, 18, 0, 50, 0};
	echo_with(s, lsrr, sizeof(lsrr), 0);
	assert_int_equal(s->mib->icmp4.OutEchoReps, 0);
	assert_int_equal(s->mib->icmp4.OutMsgs, 0);
	/* record route with its pointer below 4: parameter problem */
	static const uint8_t bad_rr[] = {7, 7, 2, 0, 0, 0, 0, 0};
	echo_with(s, bad_rr, sizeof(bad_rr), 0);
	assert_int_equal(s->mib->icmp4.OutEchoReps, 0);
	assert_int_equal(s->mib->icmp4.OutMsgs, 1);
	/* harmless options and a TOS: answered */
	static const uint8_t nop_ra[] = {1, 1, 1, 1, 0x94, 4, 0, 0};
	echo_with(s, nop_ra, sizeof(nop_ra), 0x28);
	assert_int_equal(s->mib->icmp4.OutEchoReps, 1);
	ut_stack_free(s);
}

/* Once the peer is resolved, the reply shows the request's TOS and the
 * recorded route; errors carry TOS 0xc0 with the TOS bits. */
static void test_reply_headers(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	static const uint8_t rr[] = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	echo_with(s, rr, sizeof(rr), 0x28);
	assert_int_equal(s->mib->icmp4.OutEchoReps, 1);
	/* the reply waits for ARP: answer it, then look at the frame */
	int a = ut_find(ETHW_P_ARP, 0);
	assert_true(a >= 0);
	uint8_t reply[42];
	struct eth_repr e = {.type = ETHW_P_ARP};
	memcpy(e.dst, UT_MAC, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, reply, 14);
	struct arp_repr ar = {.op = 2, .spa = inet_addr("198.18.0.2"), .tpa = inet_addr("198.18.0.1")};
	memcpy(ar.sha, UT_PEER_MAC, 6);
	memcpy(ar.tha, UT_MAC, 6);
	arp_emit(&ar, reply + 14, 28);
	ut_inject(s, reply, 42);
	int i = ut_find(ETHW_P_IP, 0);
	assert_true(i >= 0);
	const uint8_t *ip = ut_cap.frame[i] + 14;
	assert_int_equal(ip[1], 0x28);
	assert_int_equal(ip[0] & 15, 8);   /* 20 + 12 bytes of options */
	static const uint8_t want[] = {7, 11, 12, 198, 18, 0, 1, 198, 18, 0, 1, 0};
	assert_memory_equal(ip + 20, want, sizeof(want));
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_rate_per_peer),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_reply_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
