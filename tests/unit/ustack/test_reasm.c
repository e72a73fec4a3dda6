/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv4 reassembly: in order, out of order, duplicates, overlaps, bad
 * sizes, truncated input, limits, and the timeout with its ICMP time
 * exceeded; delivery checked through a UDP socket. */
#include <netinet/in.h>

#include "ut_stack.h"

static uint8_t dgram[65536];
static size_t dlen;

/* A UDP datagram of n payload bytes to 198.18.0.1:7 */
static void make_dgram(size_t n) {
	static uint8_t payload[65536];
	for (size_t i = 0; i < n; i++)
		payload[i] = (uint8_t) (i * 13 + 1);
	dlen = ut_udp(dgram, "198.18.0.2", "198.18.0.1", 1234, 7, payload, n);
}

static void frag(struct ustack *s, uint16_t id, size_t off, size_t len, int mf) {
	static uint8_t f[70000];
	size_t n = ut_ip_frame(f, "198.18.0.2", "198.18.0.1", IPPROTO_UDP, id, (uint16_t) off, mf,
			dgram + off, len);
	ut_inject(s, f, n);
}

static void expect_dgram(struct ustack *s, int fd, size_t n) {
	static uint8_t buf[65536];
	assert_int_equal(ut_recv(s, fd, buf, sizeof(buf)), (ssize_t) n);
	assert_memory_equal(buf, dgram + 8, n);
}

static void expect_nothing(struct ustack *s, int fd) {
	uint8_t buf[16];
	assert_int_equal(ut_recv(s, fd, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);
}

static void test_in_and_out_of_order(void **state) {
	struct ustack *s = ut_stack();
	int fd = ut_udp_socket(s, 7);
	make_dgram(3000);
	frag(s, 1, 0, 1480, 1);
	frag(s, 1, 1480, 1480, 1);
	frag(s, 1, 2960, dlen - 2960, 0);
	expect_dgram(s, fd, 3000);
	/* backwards, with a duplicate in the middle */
	frag(s, 2, 2960, dlen - 2960, 0);
	frag(s, 2, 1480, 1480, 1);
	frag(s, 2, 1480, 1480, 1);
	frag(s, 2, 0, 1480, 1);
	expect_dgram(s, fd, 3000);
	/* a 60 KB datagram in 8-byte-aligned odd pieces, shuffled */
	make_dgram(60000);
	size_t offs[64];
	int n = 0;
	for (size_t o = 0; o < dlen; o += 1000)
		offs[n++] = o;
	for (int i = n - 1; i >= 0; i -= 2)
		frag(s, 3, offs[i], offs[i] + 1000 < dlen ? 1000 : dlen - offs[i], offs[i] + 1000 < dlen);
	for (int i = n - 2; i >= 0; i -= 2)
		frag(s, 3, offs[i], 1000, 1);
	expect_dgram(s, fd, 60000);
	assert_int_equal(s->nreasm, 0);
	assert_int_equal(s->reasm_bytes, 0);
	api_close(s, fd);
	ut_stack_free(s);
}

static void test_overlap_and_bad_sizes(void **state) {
	struct ustack *s = ut_stack();
	int fd = ut_udp_socket(s, 7);
	make_dgram(3000);
	/* partial overlap: the whole datagram is dropped (Linux since 4.19) */
	frag(s, 10, 0, 1480, 1);
	frag(s, 10, 1000, 1480, 1);
	frag(s, 10, 1480, 1480, 1);
	frag(s, 10, 2960, dlen - 2960, 0);
	expect_nothing(s, fd);
	/* a non-final piece that is not a multiple of 8 starts nothing */
	int before = s->nreasm;
	frag(s, 11, 0, 1481, 1);
	assert_int_equal(s->nreasm, before);
	/* two different ends */
	frag(s, 12, 2960, dlen - 2960, 0);
	frag(s, 12, 1480, 1480, 0);
	frag(s, 12, 0, 1480, 1);
	expect_nothing(s, fd);
	/* data beyond the end already seen */
	frag(s, 13, 1480, 1480, 0);
	frag(s, 13, 2960, 40, 1);
	frag(s, 13, 0, 1480, 1);
	expect_nothing(s, fd);
	assert_true(s->mib->ip4.ReasmFails >= 4);
	/* a fragment that would end past 65535 is refused by the header check */
	static uint8_t f[2000];
	size_t n = ut_ip_frame(f, "198.18.0.2", "198.18.0.1", IPPROTO_UDP, 14, 65528, 0, dgram, 100);
	ut_inject(s, f, n);
	/* truncated frames: shorter than the IPv4 header says */
	n = ut_ip_frame(f, "198.18.0.2", "198.18.0.1", IPPROTO_UDP, 15, 0, 1, dgram, 1480);
	for (size_t cut = 14; cut < n; cut += 97)
		ut_inject(s, f, cut);
	expect_nothing(s, fd);
	api_close(s, fd);
	ut_stack_free(s);
}

static void test_timeout_sends_time_exceeded(void **state) {
	struct ustack *s = ut_stack();
	int fd = ut_udp_socket(s, 7);
	make_dgram(3000);
	frag(s, 20, 0, 1480, 1);
	frag(s, 20, 2960, dlen - 2960, 0);
	/* and one whose first piece never came: no ICMP for it */
	frag(s, 21, 1480, 1480, 1);
	assert_int_equal(s->nreasm, 2);
	ut_cap_clear();
	stack_lock(s);
	stack_run_timers(s, rt_now() + REASM_TIMEOUT_NS + MS(10));
	stack_unlock(s);
	assert_int_equal(s->nreasm, 0);
	assert_int_equal(s->reasm_bytes, 0);
	assert_int_equal(s->mib->ip4.ReasmTimeout, 2);
	/* the ICMP waits for ARP of the sender: find the queued datagram by
	 * answering the request */
	int arp = ut_find(ETHW_P_ARP, 0);
	assert_true(arp >= 0);
	uint8_t rep[42];
	struct eth_repr e = {.type = ETHW_P_ARP};
	memcpy(e.dst, UT_MAC, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, rep, 14);
	struct arp_repr a = {.op = ARPW_REPLY, .spa = inet_addr("198.18.0.2"), .tpa = inet_addr("198.18.0.1")};
	memcpy(a.sha, UT_PEER_MAC, 6);
	memcpy(a.tha, UT_MAC, 6);
	arp_emit(&a, rep + 14, 28);
	ut_inject(s, rep, 42);
	int ip = ut_find(ETHW_P_IP, 0);
	assert_true(ip >= 0);
	assert_int_equal(ut_find(ETHW_P_IP, ip + 1), -1);  /* exactly one */
	const uint8_t *icmp = ut_cap.frame[ip] + 34;
	assert_int_equal(ut_cap.frame[ip][23], IPPROTO_ICMP);
	assert_int_equal(icmp[0], 11);  /* time exceeded */
	assert_int_equal(icmp[1], 1);   /* fragment reassembly */
	/* it quotes the original header (id 20) */
	assert_int_equal(icmp[8 + 4] << 8 | icmp[8 + 5], 20);
	expect_nothing(s, fd);
	api_close(s, fd);
	ut_stack_free(s);
}

static void test_limits(void **state) {
	struct ustack *s = ut_stack();
	make_dgram(3000);
	/* more datagrams in progress than allowed: the oldest are evicted */
	for (int id = 100; id < 100 + REASM_MAX_DGRAMS + 10; id++)
		frag(s, (uint16_t) id, 0, 1480, 1);
	assert_int_equal(s->nreasm, REASM_MAX_DGRAMS);
	assert_true(s->reasm_bytes <= (size_t) REASM_MAX_DGRAMS * PBUF_BIG_CAP);
	/* too many pieces in one datagram */
	make_dgram(4000);
	for (int i = 0; i < REASM_MAX_FRAGS + 5; i++)
		frag(s, 7, (size_t) i * 16, 8, 1);
	int fd = ut_udp_socket(s, 7);
	expect_nothing(s, fd);
	api_close(s, fd);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_and_out_of_order),
		cmocka_unit_test(test_overlap_and_bad_sizes),
		cmocka_unit_test(test_timeout_sends_time_exceeded),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
