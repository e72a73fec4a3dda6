/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP units: sequence arithmetic across the wrap, RFC 9293 3.10.7.4
 * acceptability, and on the test link with the test clock: the passive
 * handshake (SYN-ACK fields and options), SYN-ACK retransmission after
 * the initial RTO of 1 s, accept, the peer's FIN (CLOSE_WAIT), close
 * (LAST_ACK), and an active close going through TIME_WAIT for 60 s. */
#include <linux/if_ether.h>

#include "ut_stack.h"
#include "tcp/tcp.h"
#include "wire/tcp.h"

#define PEER "198.18.0.2"
#define ME "198.18.0.1"

static void test_seq(void **state) {
	(void) state;
	assert_true(seq_lt(0xfffffff0u, 0x10u));
	assert_true(seq_gt(0x10u, 0xfffffff0u));
	assert_true(seq_leq(5, 5) && seq_geq(5, 5));
	assert_true(seq_in(0, 0xffffff00u, 0x100u));
	assert_false(seq_in(0x100u, 0xffffff00u, 0x100u));
	/* RFC 9293 3.10.7.4: the four cases */
	assert_true(tcp_seg_acceptable(100, 0, 100, 0));
	assert_false(tcp_seg_acceptable(101, 0, 100, 0));
	assert_true(tcp_seg_acceptable(150, 0, 100, 100));
	assert_false(tcp_seg_acceptable(200, 0, 100, 100));
	assert_false(tcp_seg_acceptable(100, 10, 100, 0));
	assert_true(tcp_seg_acceptable(90, 20, 100, 100));    /* starts old, ends inside */
	assert_false(tcp_seg_acceptable(80, 20, 100, 100));   /* all old */
	assert_true(tcp_seg_acceptable(0xfffffffbu, 10, 0, 100));  /* across the wrap */
}

/* a TCP segment from the peer, with a correct checksum, injected */
static void seg(struct ustack *s, uint16_t sport, uint16_t dport, uint32_t seqno, uint32_t ackno,
		uint8_t flags, const void *data, size_t len, bool mss) {
	uint8_t t[1600], f[1700];
	struct tcp_repr r = {.sport = sport, .dport = dport, .seq = seqno, .ack = ackno, .flags = flags,
		.window = 65535, .payload = data, .payload_len = len};
	if (mss) {
		r.opt.has_mss = true;
		r.opt.mss = 1460;
	}
	int n = tcp_emit(&r, t, sizeof(t));
	assert_true(n > 0);
	uint32_t a = inet_addr(PEER), b = inet_addr(ME);
	tcp_fill_checksum4((uint8_t *) &a, (uint8_t *) &b, t, (size_t) n);
	size_t fl = ut_ip_frame(f, PEER, ME, 6, 1, 0, 0, t, (size_t) n);
	ut_inject(s, f, fl);
}

/* the last TCP segment we sent, parsed; false if none since index from */
static bool last_seg(int from, struct tcp_repr *r) {
	for (int i = ut_cap.n - 1; i >= from; i--) {
		const uint8_t *f = ut_cap.frame[i];
		if (ut_cap.len[i] < 54 || (f[12] << 8 | f[13]) != ETH_P_IP || f[23] != 6)
			continue;
		return tcp_parse(f + 34, ut_cap.len[i] - 34, r) == 0;
	}
	return false;
}

static int count_flags(int from, uint8_t flags) {
	int n = 0;
	struct tcp_repr r;
	for (int i = from; i < ut_cap.n; i++) {
		const uint8_t *f = ut_cap.frame[i];
		if (ut_cap.len[i] >= 54 && (f[12] << 8 | f[13]) == ETH_P_IP && f[23] == 6 &&
				tcp_parse(f + 34, ut_cap.len[i] - 34, &r) == 0 && r.flags == flags)
			n++;
	}
	return n;
}

/* the peer's MAC is learned from its ARP request, so segments go at once */
static void learn_peer(struct ustack *s) {
	uint8_t f[64];
	struct eth_repr e = {.type = ETHW_P_ARP};
	memset(e.dst, 0xff, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, f, 14);
	struct arp_repr a = {.op = 1, .spa = inet_addr(PEER), .tpa = inet_addr(ME)};
	memcpy(a.sha, UT_PEER_MAC, 6);
	arp_emit(&a, f + 14, 28);
	ut_inject(s, f, 42);
}

static int listener(struct ustack *s, int port) {
	int l = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	assert_int_equal(api_bind(s, l, (struct sockaddr *) &a, sizeof(a)), 0);
	assert_int_equal(api_listen(s, l, 4), 0);
	return l;
}

static void run(struct ustack *s, uint64_t t) {
	stack_lock(s);
	stack_run_timers(s, t);
	stack_unlock(s);
}

static void test_passive(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	learn_peer(s);
	int l = listener(s, 80);
	uint64_t t0 = rt_now();
	int from = ut_cap.n;
	seg(s, 4000, 80, 1000, 0, TCP_SYN, NULL, 0, true);
	struct tcp_repr r;
	assert_true(last_seg(from, &r));
	assert_int_equal(r.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r.ack, 1001);
	assert_true(r.opt.has_mss && r.opt.mss == 1460);
	assert_false(r.opt.has_wscale);   /* not offered by the peer: not sent */
	uint32_t iss = r.seq;
	/* nothing acknowledges: the SYN-ACK again after the initial RTO (1 s) */
	run(s, t0 + MS(900));
	assert_int_equal(count_flags(from, TCP_SYN | TCP_ACK), 1);
	run(s, t0 + MS(1100));
	assert_int_equal(count_flags(from, TCP_SYN | TCP_ACK), 2);
	/* not yet established: nothing to accept */
	assert_int_equal(api_accept(s, l, NULL, NULL), -1);
	assert_int_equal(errno, EAGAIN);
	seg(s, 4000, 80, 1001, iss + 1, TCP_ACK, "hello", 5, false);
	int c = api_accept(s, l, NULL, NULL);
	assert_true(c >= 0);
	char buf[16];
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 5);
	/* the peer closes: CLOSE_WAIT, EOF */
	from = ut_cap.n;
	seg(s, 4000, 80, 1006, iss + 1, TCP_FIN | TCP_ACK, NULL, 0, false);
	assert_true(last_seg(from, &r));
	assert_int_equal(r.ack, 1007);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 0);
	struct tcp_pcb *p = NULL;
	/* our close sends FIN (LAST_ACK); the peer's ACK ends the connection */
	from = ut_cap.n;
	api_close(s, c);
	assert_true(last_seg(from, &r));
	assert_int_equal(r.flags, TCP_FIN | TCP_ACK);
	assert_int_equal(r.seq, iss + 1);
	int before = s->tcp->npcbs;
	seg(s, 4000, 80, 1007, iss + 2, TCP_ACK, NULL, 0, false);
	assert_int_equal(s->tcp->npcbs, before - 1);
	(void) p;
	/* a segment for the old connection now meets the closed port: RST */
	from = ut_cap.n;
	seg(s, 4000, 80, 1007, iss + 2, TCP_ACK, "x", 1, false);
	assert_true(last_seg(from, &r));
	assert_int_equal(r.flags, TCP_RST);
	/* in-window RST with the wrong sequence number: challenge ACK (RFC 5961) */
	seg(s, 4001, 80, 5000, 0, TCP_SYN, NULL, 0, false);
	assert_true(last_seg(from, &r));
	uint32_t iss2 = r.seq;
	seg(s, 4001, 80, 5001, iss2 + 1, TCP_ACK, NULL, 0, false);
	c = api_accept(s, l, NULL, NULL);
	assert_true(c >= 0);
	from = ut_cap.n;
	seg(s, 4001, 80, 5100, 0, TCP_RST, NULL, 0, false);
	assert_true(last_seg(from, &r));
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.ack, 5001);
	/* the exact one resets */
	seg(s, 4001, 80, 5001, 0, TCP_RST, NULL, 0, false);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), -1);
	assert_int_equal(errno, ECONNRESET);
	api_close(s, c);
	api_close(s, l);
	ut_stack_free(s);
}

static void test_active_timewait(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	learn_peer(s);
	uint64_t t0 = rt_now();
	int c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000), .sin_addr.s_addr = inet_addr(PEER)};
	int from = ut_cap.n;
	assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), -1);
	assert_int_equal(errno, EINPROGRESS);
	struct tcp_repr r;
	assert_true(last_seg(from, &r));
	assert_int_equal(r.flags, TCP_SYN);
	assert_true(r.opt.has_mss && r.opt.has_wscale && r.opt.wscale == 7);
	uint16_t lport = r.sport;
	assert_true(lport >= 32768 && lport <= 60999);
	seg(s, 9000, lport, 7000, r.seq + 1, TCP_SYN | TCP_ACK, NULL, 0, true);
	assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), 0);   /* done */
	assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), -1);
	assert_int_equal(errno, EISCONN);
	uint32_t una = r.seq + 1;
	/* we close first: FIN_WAIT1, then FIN_WAIT2, then TIME_WAIT on the FIN */
	from = ut_cap.n;
	api_close(s, c);
	assert_true(last_seg(from, &r));
	assert_int_equal(r.flags, TCP_FIN | TCP_ACK);
	seg(s, 9000, lport, 7001, una + 1, TCP_ACK, NULL, 0, false);
	seg(s, 9000, lport, 7001, una + 1, TCP_FIN | TCP_ACK, NULL, 0, false);
	assert_true(last_seg(from, &r));
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.ack, 7002);
	assert_int_equal(s->tcp->npcbs, 1);   /* TIME_WAIT */
	/* a retransmitted FIN is acknowledged again */
	from = ut_cap.n;
	seg(s, 9000, lport, 7001, una + 1, TCP_FIN | TCP_ACK, NULL, 0, false);
	assert_true(last_seg(from, &r));
	assert_int_equal(r.ack, 7002);
	run(s, t0 + MS(59000));
	assert_int_equal(s->tcp->npcbs, 1);
	run(s, t0 + MS(61000));
	assert_int_equal(s->tcp->npcbs, 0);   /* 60 s as Linux */
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_passive),
		cmocka_unit_test(test_active_timewait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
