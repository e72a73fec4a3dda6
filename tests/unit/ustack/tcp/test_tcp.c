/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP units: sequence arithmetic across the wrap, RFC 9293 3.10.7.4
 * acceptability, and on the test link with the test clock: the passive
 * handshake (SYN-ACK fields and options), SYN-ACK retransmission after
 * the initial RTO of 1 s, accept, the peer's FIN (CLOSE_WAIT), close
 * (LAST_ACK), and an active close going through TIME_WAIT for 60 s.
 * Timestamps and SACK: the option layout of SYN and SYN-ACK (Linux's),
 * TSecr echo and PAWS (dup ACK for an old TSval, the 24-day rule), SACK
 * blocks from out-of-order arrivals, the scoreboard's choice of what to
 * resend (RFC 6675), a timeout clearing it, NewReno without SACK_PERM. */
#include <linux/if_ether.h>
#include <linux/tcp.h>
#include <time.h>
#include <linux/net_tstamp.h>
#include <linux/errqueue.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ut_stack.h"
#include "ut_tcp.h"
#include "tcp/tcp.h"
#include "wire/icmp4.h"
#include "wire/tcp.h"

#define PEER UT_TCP_PEER
#define ME UT_TCP_ME

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

/* a segment from the peer (ut_tcp.h), an MSS option of 1460 where mss */
static void seg(struct ustack *s, uint16_t sport, uint16_t dport, uint32_t seqno, uint32_t ackno,
		uint8_t flags, const void *data, size_t len, bool mss) {
	struct tcp_opts o = {.has_mss = mss, .mss = mss ? 1460 : 0};
	ut_tcp_seg(s, sport, dport, seqno, ackno, flags, data, len, &o);
}

static int count_flags(int from, uint8_t flags) {
	int n = 0;
	struct tcp_repr r;
	for (int i = from; i < ut_cap.n; i++)
		if (ut_tcp_of(i) && tcp_parse(ut_tcp_of(i), ut_cap.len[i] - 34, &r) == 0 && r.flags == flags)
			n++;
	return n;
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

static struct tcp_pcb *find_pcb(struct ustack *s, uint16_t rport) {
	for (int i = 0; i < TCP_CONN_HASH; i++)
		for (struct tcp_pcb *p = s->tcp->conn[i]; p; p = p->hnext)
			if (ntohs(p->rport) == rport && p->state != TCPS_LISTEN)
				return p;
	return NULL;
}

/* Linux's SYN options: MSS 1460, SACK_PERM, TS, NOP, WS 7 (20 bytes) */
static void check_syn_layout(const uint8_t *t, uint32_t tsecr) {
	assert_int_equal(tcp_hdr_len(t), 40);
	static const uint8_t head[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10};
	static const uint8_t tail[] = {1, 3, 3, 7};
	assert_memory_equal(t + 20, head, sizeof(head));
	assert_memory_equal(t + 36, tail, sizeof(tail));
	uint32_t ecr = (uint32_t) t[32] << 24 | (uint32_t) t[33] << 16 | (uint32_t) t[34] << 8 | t[35];
	assert_int_equal(ecr, tsecr);
}

static const struct tcp_opts LINUX_SYN = {.has_mss = true, .mss = 1460, .sack_perm = true, .has_ts = true,
	.tsval = 1000, .has_wscale = true, .wscale = 7};

static void test_syn_layout(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	/* active: our SYN */
	int c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000), .sin_addr.s_addr = inet_addr(PEER)};
	int from = ut_cap.n;
	assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), -1);
	assert_int_equal(ut_cap.n, from + 1);
	const uint8_t *t = ut_tcp_of(from);
	assert_non_null(t);
	assert_int_equal(tcp_flags(t), TCP_SYN);
	check_syn_layout(t, 0);
	/* passive: the SYN-ACK to Linux's SYN has the same layout, TSecr the
	 * SYN's TSval */
	int l = listener(s, 80);
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, 1000, 0, TCP_SYN, NULL, 0, &LINUX_SYN);
	assert_int_equal(ut_cap.n, from + 1);
	t = ut_tcp_of(from);
	assert_int_equal(tcp_flags(t), TCP_SYN | TCP_ACK);
	check_syn_layout(t, 1000);
	/* a SYN with timestamps and no SACK_PERM: MSS, NOP, NOP, TS, NOP, WS */
	struct tcp_opts o = LINUX_SYN;
	o.sack_perm = false;
	from = ut_cap.n;
	ut_tcp_seg(s, 4001, 80, 1000, 0, TCP_SYN, NULL, 0, &o);
	t = ut_tcp_of(from);
	static const uint8_t nosack[] = {2, 4, 0x05, 0xb4, 1, 1, 8, 10};
	assert_memory_equal(t + 20, nosack, sizeof(nosack));
	/* SACK_PERM without timestamps: MSS, NOP, NOP, SACK_PERM, NOP, WS */
	o = LINUX_SYN;
	o.has_ts = false;
	from = ut_cap.n;
	ut_tcp_seg(s, 4002, 80, 1000, 0, TCP_SYN, NULL, 0, &o);
	t = ut_tcp_of(from);
	static const uint8_t nots[] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7};
	assert_int_equal(tcp_hdr_len(t), 32);
	assert_memory_equal(t + 20, nots, sizeof(nots));
	api_close(s, c);
	api_close(s, l);
	ut_stack_free(s);
}

/* A connection accepted from Linux's SYN (opts: timestamps, SACK) on port
 * 80 from 4000; *iss our ISN. Returns the accepted fd. */
static int accept_linux(struct ustack *s, int l, const struct tcp_opts *syn, uint32_t *iss) {
	int from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, 1000, 0, TCP_SYN, NULL, 0, syn);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	*iss = r.seq;
	struct tcp_opts o = {.has_ts = syn->has_ts, .tsval = 1001, .tsecr = r.opt.tsval};
	ut_tcp_seg(s, 4000, 80, 1001, r.seq + 1, TCP_ACK, NULL, 0, &o);
	int c = api_accept(s, l, NULL, NULL);
	assert_true(c >= 0);
	return c;
}

static void test_ts_paws(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80);
	uint32_t iss;
	int c = accept_linux(s, l, &LINUX_SYN, &iss);
	struct tcp_pcb *p = find_pcb(s, 4000);
	assert_non_null(p);
	assert_true(p->ts_ok && p->sack_ok);
	assert_int_equal(p->mss, 1448);   /* 1460 less the option, as Linux */
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.tcpi_options & (TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE),
			TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE);
	assert_int_equal(ti.tcpi_snd_mss, 1448);
	assert_int_equal(ti.tcpi_advmss, 1448);
	/* data with a newer TSval: taken, the ACK echoes it */
	struct tcp_opts o = {.has_ts = true, .tsval = 5000, .tsecr = 0};
	int from = ut_cap.n;
	p->quickack = 16;
	ut_tcp_seg(s, 4000, 80, 1001, iss + 1, TCP_ACK, "abcd", 4, &o);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 1005);
	assert_true(r.opt.has_ts);
	assert_int_equal(r.opt.tsecr, 5000);
	uint32_t our_ts = r.opt.tsval;
	/* an old TSval (a wrapped sequence of an older incarnation): dropped,
	 * answered with a duplicate ACK (Linux tcp_validate_incoming) */
	o.tsval = 4000;
	from = ut_cap.n;
	uint64_t paws = s->tcp->mib.PAWSEstab;
	ut_tcp_seg(s, 4000, 80, 1005, iss + 1, TCP_ACK, "efgh", 4, &o);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.ack, 1005);
	assert_int_equal(r.opt.tsecr, 5000);
	assert_int_equal(s->tcp->mib.PAWSEstab, paws + 1);
	char buf[16];
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 4);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), -1);   /* efgh was not taken */
	/* one tick behind passes (Linux's PAWS window) */
	o.tsval = 4999;
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, 1005, iss + 1, TCP_ACK, "ijkl", 4, &o);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "ijkl", 4);
	/* RFC 7323 5.5: after 24 days idle TS.Recent is no longer trusted */
	p->ts_recent_at -= TCP_PAWS_IDLE_NS + MS(1000);
	o.tsval = 3000;
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, 1009, iss + 1, TCP_ACK, "mnop", 4, &o);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "mnop", 4);
	assert_int_equal(s->tcp->mib.PAWSEstab, paws + 1);
	assert_int_equal(p->ts_recent, 3000);
	/* a segment beyond Last.ACK.sent does not move TS.Recent (RFC 7323
	 * 4.3): out of order, it is held and answered, the echo stays */
	o.tsval = 9000;
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, 2000, iss + 1, TCP_ACK, "qrst", 4, &o);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.opt.tsecr, 3000);
	/* RTTM: a pure ACK of our data echoing our TSval */
	(void) our_ts;
	api_close(s, c);
	api_close(s, l);
	ut_stack_free(s);
}

/* the SACK blocks of captured segment i */
static int sack_of(int i, struct tcp_sack_block *b) {
	struct tcp_repr r;
	const uint8_t *t = ut_tcp_of(i);
	assert_non_null(t);
	assert_int_equal(tcp_parse(t, ut_cap.len[i] - 34, &r), 0);
	memcpy(b, r.opt.sack, sizeof(r.opt.sack));
	return r.opt.nsack;
}

static void test_sack_blocks(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80);
	uint32_t iss;
	int c = accept_linux(s, l, &LINUX_SYN, &iss);
	struct tcp_opts o = {.has_ts = true, .tsval = 2000};
	char d[100];
	memset(d, 'x', sizeof(d));
	struct tcp_sack_block b[4];
	uint32_t base = 1001;
	/* out of order at +1000: one block */
	int from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, base + 1000, iss + 1, TCP_ACK, d, 100, &o);
	assert_int_equal(ut_cap.n, from + 1);
	assert_int_equal(sack_of(from, b), 1);
	assert_int_equal(b[0].left, base + 1000);
	assert_int_equal(b[0].right, base + 1100);
	/* at +2000: the newest first */
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, base + 2000, iss + 1, TCP_ACK, d, 100, &o);
	assert_int_equal(sack_of(from, b), 2);
	assert_int_equal(b[0].left, base + 2000);
	assert_int_equal(b[1].left, base + 1000);
	/* +1100 joins the first run, which becomes the newest */
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, base + 1100, iss + 1, TCP_ACK, d, 100, &o);
	assert_int_equal(sack_of(from, b), 2);
	assert_int_equal(b[0].left, base + 1000);
	assert_int_equal(b[0].right, base + 1200);
	assert_int_equal(b[1].left, base + 2000);
	/* two more runs: four held, three sent beside the timestamps */
	ut_tcp_seg(s, 4000, 80, base + 3000, iss + 1, TCP_ACK, d, 100, &o);
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, base + 4000, iss + 1, TCP_ACK, d, 100, &o);
	assert_int_equal(sack_of(from, b), 3);
	assert_int_equal(b[0].left, base + 4000);
	assert_int_equal(b[1].left, base + 3000);
	assert_int_equal(b[2].left, base + 1000);
	/* the hole at the start filled: rcv_nxt jumps over the first run */
	char big[1000];
	memset(big, 'y', sizeof(big));
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, base, iss + 1, TCP_ACK, big, 1000, &o);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, base + 1200);
	assert_int_equal(sack_of(ut_cap.n - 1, b), 3);
	assert_int_equal(b[0].left, base + 4000);
	assert_int_equal(b[1].left, base + 3000);
	assert_int_equal(b[2].left, base + 2000);
	api_close(s, c);
	api_close(s, l);
	ut_stack_free(s);
}

/* A client connected to PEER:9000 whose SYN-ACK carried synack options;
 * *una its snd_una, *lport its port. */
static int connect_peer(struct ustack *s, const struct tcp_opts *synack, uint32_t *una, uint16_t *lport) {
	int c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1;
	api_setsockopt(s, c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000), .sin_addr.s_addr = inet_addr(PEER)};
	int from = ut_cap.n;
	api_connect(s, c, (struct sockaddr *) &a, sizeof(a));
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	struct tcp_opts o = *synack;
	o.tsecr = r.opt.tsval;
	ut_tcp_seg(s, 9000, r.sport, 7000, r.seq + 1, TCP_SYN | TCP_ACK, NULL, 0, &o);
	assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), 0);
	*una = r.seq + 1;
	*lport = r.sport;
	return c;
}

/* The start of the loss-recovery tests: a stack (*sp) connected to the
 * peer's port 9000, which offered MSS 1000 and SACK; the descriptor in
 * *c, our first sequence number in *una, our port in *lport. */
static struct tcp_pcb *sack_conn(struct ustack **sp, int *c, uint32_t *una, uint16_t *lport) {
	struct ustack *s = *sp = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000, .sack_perm = true};
	*c = connect_peer(s, &synack, una, lport);
	struct tcp_pcb *p = find_pcb(s, 9000);
	assert_non_null(p);
	return p;
}

/* run the connection with NewReno: tests of recovery that count Reno's
 * halving (the default, CUBIC, keeps 0.7) */
static void use_reno(struct ustack *s, int fd) {
	assert_int_equal(api_setsockopt(s, fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 4), 0);
}

static ssize_t send_n(struct ustack *s, int fd, size_t n) {
	static uint8_t buf[65536];
	struct iovec iov = {.iov_base = buf, .iov_len = n};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	return api_sendmsg(s, fd, &msg, MSG_DONTWAIT);
}

static uint32_t ep_now(int ep);
static int data_seqs(int from, uint32_t *seqs, int max);

/* TCP_USER_TIMEOUT as Linux: unacknowledged data gives up with ETIMEDOUT
 * once it waited that long (not after 15 backed-off timeouts), the last
 * timeout clamped to it; negative values EINVAL. */
static void test_user_timeout(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	struct tcp_pcb *p = find_pcb(s, 9000);
	int v = -1;
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof(v)), -1);
	assert_int_equal(errno, EINVAL);
	v = 3000;
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof(v)), 0);
	socklen_t vl = sizeof(v);
	v = 0;
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, &vl), 0);
	assert_int_equal(v, 3000);
	uint64_t t0 = rt_now();
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 1000), 1000);
	/* nothing answers: resends (RTO 200 ms, doubling), alive at 2.95 s */
	for (int ms = 10; ms <= 2950; ms += 10)
		run(s, t0 + MS(ms));
	assert_int_equal(p->state, TCPS_ESTABLISHED);
	uint32_t seqs[16];
	int n = data_seqs(from, seqs, 16);
	assert_true(n >= 4 && n <= 5);   /* 0, 0.2, 0.6, 1.4 s (and 3.0 s) */
	/* given up at 3 s (+ a step and the timer's slack) */
	for (int ms = 2960; ms <= 3150; ms += 10)
		run(s, t0 + MS(ms));
	int err = 0;
	vl = sizeof(err);
	assert_int_equal(api_getsockopt(s, c, SOL_SOCKET, SO_ERROR, &err, &vl), 0);
	assert_int_equal(err, ETIMEDOUT);
	assert_null(find_pcb(s, 9000));
	api_close(s, c);
	ut_stack_free(s);
}

/* TCP_NOTSENT_LOWAT as Linux: a write stops queueing once that much is
 * unsent, and EPOLLOUT needs less than half of it unsent. */
static void test_notsent_lowat(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	int v = -1;
	socklen_t vl = sizeof(v);
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, &vl), 0);
	assert_int_equal(v, 0);
	v = 3000;
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, sizeof(v)), 0);
	v = 0;
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, &vl), 0);
	assert_int_equal(v, 3000);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLOUT};
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev), 0);
	assert_int_equal(ep_now(ep), EPOLLOUT);
	/* Linux's buffers of the size goal, half the peer's largest window
	 * (65535) in segments: 32000. The first is filled and the initial
	 * window (10 segments) goes; the 22000 unsent are over the mark, so
	 * the last buffer is filled up (10000 more) and no new one begun:
	 * 42000 (packetdrill's notsent-lowat-setsockopt: 26000 for a window
	 * of 32896) */
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 59000), 42000);
	uint32_t seqs[32];
	assert_int_equal(data_seqs(from, seqs, 32), 10);
	assert_int_equal(ep_now(ep), 0);   /* 32000 unsent: not under 1500 */
	assert_int_equal(send_n(s, c, 1000), -1);
	assert_int_equal(errno, EAGAIN);
	/* ACKs let the unsent bytes go (slow start: 20 segments, then the
	 * 12000 left): writable again once under half the mark */
	seg(s, 9000, lport, 7001, una + 10000, TCP_ACK, NULL, 0, false);
	assert_int_equal(ep_now(ep), 0);
	seg(s, 9000, lport, 7001, una + 30000, TCP_ACK, NULL, 0, false);
	assert_int_equal(tcp_notsent(find_pcb(s, 9000)), 0);
	assert_int_equal(ep_now(ep), EPOLLOUT);
	close(ep);
	api_close(s, c);
	ut_stack_free(s);
	/* the stack's mark (option tcp_notsent_lowat=, Linux's sysctl) for
	 * a socket that sets none; getsockopt still says 0, as Linux */
	s = ut_stack();
	ut_tcp_learn_peer(s);
	s->tcp_notsent_lowat = 3000;
	c = connect_peer(s, &synack, &una, &lport);
	v = -1;
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, &vl), 0);
	assert_int_equal(v, 0);
	assert_int_equal(send_n(s, c, 59000), 42000);
	api_close(s, c);
	ut_stack_free(s);
}

/* TCP_INQ as Linux: recvmsg adds a TCP_CM_INQ message with the bytes left
 * to read, 1 when none are but the peer closed; the option is 0 or 1. */
static void test_inq(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	int v = 2;
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_INQ, &v, sizeof(v)), -1);
	assert_int_equal(errno, EINVAL);
	v = 1;
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_INQ, &v, sizeof(v)), 0);
	socklen_t vl = sizeof(v);
	v = 0;
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_INQ, &v, &vl), 0);
	assert_int_equal(v, 1);
	seg(s, 9000, lport, 7001, una, TCP_ACK | TCP_PSH, "0123456789", 10, false);
	int expect[3] = {6, 0, 1};
	size_t want[3] = {4, 6, 4};
	ssize_t got[3] = {4, 6, 0};
	for (int i = 0; i < 3; i++) {
		if (i == 2)
			seg(s, 9000, lport, 7011, una, TCP_ACK | TCP_FIN, NULL, 0, false);
		char buf[16];
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(int))];
		} cb;
		struct iovec iov = {.iov_base = buf, .iov_len = want[i]};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &cb, .msg_controllen = sizeof(cb)};
		assert_int_equal(api_recvmsg(s, c, &msg, MSG_DONTWAIT), got[i]);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		assert_non_null(cm);
		assert_int_equal(cm->cmsg_level, IPPROTO_TCP);
		assert_int_equal(cm->cmsg_type, TCP_CM_INQ);
		int inq;
		memcpy(&inq, CMSG_DATA(cm), sizeof(inq));
		assert_int_equal(inq, expect[i]);
	}
	api_close(s, c);
	ut_stack_free(s);
}

/* D-SACK (RFC 2883, Linux tcp_dsack=1): a segment that arrives again is
 * reported as the first SACK block of the ACK, below the ACK number; so
 * is the old head of a segment that also brings new data; the report
 * ends with the next new data. */
static void test_dsack(void **state) {
	(void) state;
	struct ustack *s;
	int c;
	uint32_t una;
	uint16_t lport;
	struct tcp_pcb *p = sack_conn(&s, &c, &una, &lport);
	assert_true(p->sack_ok);
	p->quickack = 16;
	static char d[1500];
	struct tcp_repr r;
	seg(s, 9000, lport, 7001, una, TCP_ACK, d, 1000, false);
	int from = ut_cap.n;
	uint64_t n0 = s->tcp->mib.DSACKOldSent;
	seg(s, 9000, lport, 7001, una, TCP_ACK, d, 1000, false);   /* again */
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 8001);
	assert_int_equal(r.opt.nsack, 1);
	assert_int_equal(r.opt.sack[0].left, 7001);
	assert_int_equal(r.opt.sack[0].right, 8001);
	assert_int_equal(s->tcp->mib.DSACKOldSent, n0 + 1);
	/* new data whose first half came before */
	seg(s, 9000, lport, 8001, una, TCP_ACK, d, 1000, false);
	from = ut_cap.n;
	seg(s, 9000, lport, 8501, una, TCP_ACK, d, 1000, false);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 9501);
	assert_int_equal(r.opt.nsack, 1);
	assert_int_equal(r.opt.sack[0].left, 8501);
	assert_int_equal(r.opt.sack[0].right, 9001);
	/* new data: no more D-SACK */
	from = ut_cap.n;
	seg(s, 9000, lport, 9501, una, TCP_ACK, d, 1000, false);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 10501);
	assert_int_equal(r.opt.nsack, 0);
	api_close(s, c);
	ut_stack_free(s);
}

/* Undo of a spurious timeout (Eifel, RFC 3522/4015, as Linux's
 * tcp_try_undo_loss): 10 segments unacknowledged, the RTO resends the
 * first with cwnd 1. An ACK for half of them echoing the original TSval
 * shows the originals arrived: the window before the timeout comes back
 * and the rest is not resent. Echoing the resend's TSval, the reduction
 * stays and the rest is resent (go-back-N). */
static void test_loss_undo(void **state) {
	(void) state;
	for (int spurious = 1; spurious >= 0; spurious--) {
		struct ustack *s = ut_stack();
		ut_tcp_learn_peer(s);
		struct tcp_opts synack = LINUX_SYN;
		synack.has_wscale = false;
		uint32_t una;
		uint16_t lport;
		int c = connect_peer(s, &synack, &una, &lport);
		struct tcp_pcb *p = find_pcb(s, 9000);
		assert_true(p->ts_ok);
		const uint32_t M = 1448;
		uint64_t t0 = rt_now();
		int from = ut_cap.n;
		assert_int_equal(send_n(s, c, 10 * M), 10 * M);
		struct tcp_repr r;
		assert_true(ut_tcp_last(from, &r));
		uint32_t orig_ts = r.opt.tsval;
		from = ut_cap.n;
		for (int ms = 10; ms <= 2000 && !p->in_loss; ms += 10)
			run(s, t0 + MS(ms));
		assert_true(p->in_loss);
		assert_int_equal(p->cwnd, M);
		assert_true(ut_tcp_last(from, &r));
		assert_int_equal(r.seq, una);   /* the first segment again */
		uint32_t rxt_ts = r.opt.tsval;
		assert_true((int32_t) (rxt_ts - orig_ts) >= 200);
		uint64_t undo0 = s->tcp->mib.LossUndo;
		struct tcp_opts a = {.has_ts = true, .tsval = 5000, .tsecr = spurious ? orig_ts : rxt_ts};
		from = ut_cap.n;
		/* not spurious: the ACK of the resend alone (an ACK of data
		 * never resent would be F-RTO's proof of a spurious timeout) */
		uint32_t ack = una + (spurious ? 5 : 1) * M;
		ut_tcp_seg(s, 9000, lport, 7001, ack, TCP_ACK, NULL, 0, &a);
		assert_int_equal(p->snd_una, ack);
		uint32_t seqs[16];
		int n = data_seqs(from, seqs, 16);
		if (spurious) {
			assert_int_equal(s->tcp->mib.LossUndo, undo0 + 1);
			assert_false(p->in_loss);
			assert_true(p->cwnd >= 10 * M);
			assert_int_equal(p->ssthresh, UINT32_MAX);   /* slow start again */
			assert_int_equal(n, 0);
		} else {
			assert_int_equal(s->tcp->mib.LossUndo, undo0);
			assert_int_equal(s->tcp->mib.SpuriousRTOs, 0);
			assert_true(p->in_loss);
			assert_true(p->cwnd <= 2 * M);   /* slow start from one segment */
			assert_int_equal(p->ssthresh, 7 * M);   /* CUBIC: 0.7 of 10 */
			/* no new data to send (F-RTO 2b): go-back-N goes on */
			assert_int_equal(n, 2);
			assert_int_equal(seqs[0], una + M);
			assert_int_equal(seqs[1], una + 2 * M);
		}
		api_close(s, c);
		ut_stack_free(s);
	}
}

/* a segment from the peer with the IP header's TOS (ECN field) set */
static void seg_tos(struct ustack *s, uint16_t sport, uint16_t dport, uint32_t seqno, uint32_t ackno,
		uint8_t flags, const void *data, size_t len, uint8_t tos) {
	struct tcp_repr r = {.sport = sport, .dport = dport, .seq = seqno, .ack = ackno, .flags = flags,
		.window = 65535, .payload = data, .payload_len = len};
	if (flags & TCP_SYN) {
		r.opt.has_mss = true;
		r.opt.mss = 1460;
	}
	ut_tcp_inject(s, &r, tos);
}

/* the IP TOS byte of the last TCP segment we sent */
static int last_tos(int from) {
	for (int i = ut_cap.n - 1; i >= from; i--)
		if (ut_tcp_of(i))
			return ut_cap.frame[i][15];
	return -1;
}

/* ECN as Linux's tcp_ecn=2 (RFC 3168): an ECN-setup SYN (ECE, CWR) gets
 * an ECN-setup SYN-ACK (ECE); a plain SYN does not. Then new data is
 * ECT(0), ACKs are not; a CE mark on arriving data is echoed with ECE at
 * once and until the peer's CWR; the peer's ECE reduces cwnd once (CUBIC:
 * 0.7) and our next new data carries CWR. */
static void test_ecn(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80);
	int from = ut_cap.n;
	struct tcp_repr r;
	seg_tos(s, 4001, 80, 1000, 0, TCP_SYN, NULL, 0, 0);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_SYN | TCP_ACK);
	from = ut_cap.n;
	seg_tos(s, 4000, 80, 1000, 0, TCP_SYN | TCP_ECE | TCP_CWR, NULL, 0, 0);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_SYN | TCP_ACK | TCP_ECE);
	assert_int_equal(last_tos(from) & 3, 0);
	uint32_t iss = r.seq;
	seg_tos(s, 4000, 80, 1001, iss + 1, TCP_ACK, NULL, 0, 0);
	int c = api_accept(s, l, NULL, NULL);
	assert_true(c >= 0);
	struct tcp_pcb *p = find_pcb(s, 4000);
	assert_true(p->ecn_ok);
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
	assert_true(ti.tcpi_options & TCPI_OPT_ECN);
	int one = 1;
	api_setsockopt(s, c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	const uint32_t M = 1460;
	/* new data: ECT(0) */
	from = ut_cap.n;
	assert_int_equal(send_n(s, c, 3 * M), 3 * M);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.payload_len, M);
	assert_int_equal(last_tos(from) & 3, 2);
	assert_int_equal(r.flags & (TCP_ECE | TCP_CWR), 0);
	/* CE on the peer's data: ECE on an ACK at once, not ECT */
	from = ut_cap.n;
	seg_tos(s, 4000, 80, 1001, iss + 1, TCP_ACK, "abcd", 4, 3);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 1005);
	assert_true(r.flags & TCP_ECE);
	assert_int_equal(last_tos(from) & 3, 0);
	/* still echoed on the next ACK, until the peer's CWR */
	p->quickack = 16;
	from = ut_cap.n;
	seg_tos(s, 4000, 80, 1005, iss + 1, TCP_ACK, "efgh", 4, 2);
	assert_true(ut_tcp_last(from, &r));
	assert_true(r.flags & TCP_ECE);
	from = ut_cap.n;
	seg_tos(s, 4000, 80, 1009, iss + 1, TCP_ACK | TCP_CWR, "ijkl", 4, 2);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 1013);
	assert_false(r.flags & TCP_ECE);
	/* the peer echoes CE: cwnd reduced once, CWR on the next new data */
	uint32_t cwnd = p->cwnd;
	seg_tos(s, 4000, 80, 1013, iss + 1 + M, TCP_ACK | TCP_ECE, NULL, 0, 0);
	assert_true(p->in_cwr);
	assert_int_equal(p->ssthresh, (uint32_t) (cwnd * 0.7));
	assert_int_equal(p->cwnd, p->ssthresh);
	tl = sizeof(ti);
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.tcpi_ca_state, 2);   /* TCP_CA_CWR */
	uint32_t ssthresh = p->ssthresh;
	seg_tos(s, 4000, 80, 1013, iss + 1 + 2 * M, TCP_ACK | TCP_ECE, NULL, 0, 0);
	assert_int_equal(p->ssthresh, ssthresh);   /* once per window */
	from = ut_cap.n;
	assert_int_equal(send_n(s, c, M), M);
	assert_true(ut_tcp_last(from, &r));
	assert_true(r.flags & TCP_CWR);
	assert_int_equal(last_tos(from) & 3, 2);
	from = ut_cap.n;
	assert_int_equal(send_n(s, c, M), M);
	assert_true(ut_tcp_last(from, &r));
	assert_false(r.flags & TCP_CWR);
	api_close(s, c);
	api_close(s, l);
	ut_stack_free(s);
}

/* PAWS in TIME-WAIT as Linux (tcp_timewait_state_process): an old TSval
 * is dropped, counted and answered with an ACK, even on a SYN that would
 * otherwise reopen the port; a bare ACK at rcv_nxt restarts TIME-WAIT
 * silently; a reset away from rcv_nxt is ignored; a SYN with a newer
 * TSval starts a new connection even below rcv_nxt. */
static void test_timewait_paws(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80);
	uint32_t iss;
	int c = accept_linux(s, l, &LINUX_SYN, &iss);
	struct tcp_pcb *p = find_pcb(s, 4000);
	int from = ut_cap.n;
	api_close(s, c);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_FIN | TCP_ACK);
	struct tcp_opts o = {.has_ts = true, .tsval = 2000, .tsecr = r.opt.tsval};
	ut_tcp_seg(s, 4000, 80, 1001, iss + 2, TCP_FIN | TCP_ACK, NULL, 0, &o);
	assert_int_equal(p->state, TCPS_TIME_WAIT);
	uint64_t paws = s->tcp->mib.PAWSEstab;
	/* an old TSval: PAWS, an ACK with the TS.Recent kept */
	o.tsval = 1500;
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, 1002, iss + 2, TCP_ACK, NULL, 0, &o);
	assert_int_equal(s->tcp->mib.PAWSEstab, paws + 1);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.ack, 1002);
	assert_int_equal(r.opt.tsecr, 2000);
	/* a SYN above rcv_nxt with an old TSval opens nothing */
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, 90000, 0, TCP_SYN, NULL, 0, &o);
	assert_int_equal(s->tcp->mib.PAWSEstab, paws + 2);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_ACK);
	assert_ptr_equal(find_pcb(s, 4000), p);
	assert_int_equal(p->state, TCPS_TIME_WAIT);
	/* a bare ACK at rcv_nxt: no answer, TIME-WAIT restarted */
	p->end_at = 1;
	o.tsval = 2001;
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, 1002, iss + 2, TCP_ACK, NULL, 0, &o);
	assert_int_equal(ut_cap.n, from);
	assert_true(p->end_at > 1);
	/* a reset away from rcv_nxt: ignored */
	ut_tcp_seg(s, 4000, 80, 1010, 0, TCP_RST, NULL, 0, &o);
	assert_ptr_equal(find_pcb(s, 4000), p);
	assert_int_equal(p->state, TCPS_TIME_WAIT);
	/* a SYN below rcv_nxt with a newer TSval: a new connection */
	o.tsval = 3000;
	o.tsecr = 0;
	from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, 500, 0, TCP_SYN, NULL, 0, &o);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r.ack, 501);
	assert_int_equal(s->tcp->mib.PAWSEstab, paws + 2);
	api_close(s, l);
	ut_stack_free(s);
}

/* An accepted connection runs its listener's congestion control (Linux:
 * the child inherits icsk_ca_ops), the stack's default (CUBIC) else. */
static void test_cc_inherit(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80);
	char name[16];
	socklen_t len = sizeof(name);
	assert_int_equal(api_getsockopt(s, l, IPPROTO_TCP, TCP_CONGESTION, name, &len), 0);
	assert_string_equal(name, "cubic");
	use_reno(s, l);
	struct tcp_opts syn = LINUX_SYN;
	uint32_t iss;
	int c = accept_linux(s, l, &syn, &iss);
	len = sizeof(name);
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_CONGESTION, name, &len), 0);
	assert_string_equal(name, "reno");
	assert_ptr_equal(find_pcb(s, 4000)->cc, &tcp_cc_reno);
	api_close(s, c);
	api_close(s, l);
	ut_stack_free(s);
}

/* the sequence numbers of the data segments sent from index from */
static int data_seqs(int from, uint32_t *seqs, int max) {
	int n = 0;
	for (int i = from; i < ut_cap.n && n < max; i++) {
		struct tcp_repr r;
		const uint8_t *t = ut_tcp_of(i);
		if (t && tcp_parse(t, ut_cap.len[i] - 34, &r) == 0 && r.payload_len)
			seqs[n++] = r.seq;
	}
	return n;
}

/* The test link answers at once (microseconds): a path of 100 ms RTT,
 * so that SACKs arriving together stay within RACK's reordering window
 * (min_rtt / 4, tcp_rack.c) and RFC 6675's rules alone decide */
static void rtt_100ms(struct tcp_pcb *p) {
	p->srtt = p->min_rtt = 100000;
	p->rttvar = 50000;
	p->rto = 300000;
}

static void test_scoreboard(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	uint64_t t0 = rt_now();
	struct tcp_opts synack = LINUX_SYN;
	synack.has_wscale = false;
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	use_reno(s, c);
	struct tcp_pcb *p = find_pcb(s, 9000);
	assert_true(p->sack_ok && p->ts_ok);
	rtt_100ms(p);
	const uint32_t M = 1448;
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 10 * M), 10 * M);
	uint32_t seqs[64];
	assert_int_equal(data_seqs(from, seqs, 64), 10);   /* initial window 10 */
	assert_null(p->sb);   /* nothing SACKed: no scoreboard */
	/* segments 0 and 3 lost: the peer SACKs 1-2, then 1-2 and 4-5, 4-6... */
	struct tcp_opts a = {.has_ts = true, .tsval = 3000, .nsack = 1};
	a.sack[0] = (struct tcp_sack_block) {una + M, una + 3 * M};
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	assert_non_null(p->sb);
	assert_false(p->in_recovery);   /* 2 segments SACKed above: not lost yet */
	a.nsack = 2;
	a.sack[0] = (struct tcp_sack_block) {una + 4 * M, una + 5 * M};
	a.sack[1] = (struct tcp_sack_block) {una + M, una + 3 * M};
	/* the third SACKed segment above makes segment 0 lost (RFC 6675
	 * IsLost): recovery, and segment 0 resent at once (RFC 6675 4.3;
	 * PRR lets the fast retransmit go however large pipe is) */
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	assert_true(p->in_recovery && p->sack_recovery);
	int n = data_seqs(from, seqs, 64);
	assert_int_equal(n, 1);
	assert_int_equal(seqs[0], una);
	/* then segment 3 (lost too once 3 segments above it are SACKed),
	 * never the SACKed 1, 2 or 4 */
	from = ut_cap.n;
	a.sack[0] = (struct tcp_sack_block) {una + 4 * M, una + 9 * M};
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	n = data_seqs(from, seqs, 64);
	assert_int_equal(n, 1);
	assert_int_equal(seqs[0], una + 3 * M);
	assert_int_equal(p->ssthresh, 5 * M);
	/* more data queued: the next goes out as new data, by pipe, not a
	 * resend of segment 9 (not lost: nothing SACKed above it) */
	from = ut_cap.n;
	assert_int_equal(send_n(s, c, 4 * M), 4 * M);
	n = data_seqs(from, seqs, 64);
	assert_true(n >= 1);
	for (int i = 0; i < n; i++)
		assert_true(seqs[i] == una + (uint32_t) (10 + i) * M);
	/* a partial ACK up to segment 3: no resend of anything SACKed */
	from = ut_cap.n;
	a.nsack = 1;
	a.sack[0] = (struct tcp_sack_block) {una + 4 * M, una + 9 * M};
	ut_tcp_seg(s, 9000, lport, 7001, una + 3 * M, TCP_ACK, NULL, 0, &a);
	n = data_seqs(from, seqs, 64);
	for (int i = 0; i < n; i++)
		assert_true(seq_geq(seqs[i], una + 10 * M));
	assert_true(p->sack_recovery);
	/* segment 3 was resent already: what is sent from now on and SACKed
	 * before it shows that resend lost too, and it goes again, before
	 * any timeout */
	assert_true(p->sb->una_marked && p->sb->una_mark_seq == una + 3 * M);
	uint32_t mark = p->sb->una_mark;
	assert_int_equal(send_n(s, c, 8 * M), 8 * M);
	from = ut_cap.n;
	for (int round = 0; round < 3 && s->tcp->mib.SACKLostRetrans == 0; round++) {
		a.sack[0] = (struct tcp_sack_block) {una + 4 * M, p->snd_max};
		ut_tcp_seg(s, 9000, lport, 7001, una + 3 * M, TCP_ACK, NULL, 0, &a);
	}
	assert_true(seq_gt(p->snd_max, mark + 2 * M));
	assert_int_equal(s->tcp->mib.SACKLostRetrans, 1);
	n = data_seqs(from, seqs, 64);
	bool again = false;
	for (int i = 0; i < n; i++)
		again |= seqs[i] == una + 3 * M;
	assert_true(again);
	/* the timeout, as Linux's: the scoreboard stays (not RFC 6675 5.1's
	 * clearing), the one hole is lost and goes alone (cwnd one segment),
	 * nothing SACKed goes again */
	from = ut_cap.n;
	run(s, t0 + MS(5000));
	assert_non_null(p->sb);
	assert_false(p->in_recovery);
	assert_true(p->in_loss);
	n = data_seqs(from, seqs, 64);
	assert_int_equal(n, 1);
	assert_int_equal(seqs[0], una + 3 * M);
	assert_true(tcp_sb_is_lost(p, una + 3 * M));
	assert_false(tcp_rack_is_lost(p, una + 4 * M));
	api_close(s, c);
	ut_stack_free(s);
}

static void test_no_sack_fallback(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	/* an old peer: MSS only */
	struct tcp_opts synack = {.has_mss = true, .mss = 1460};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	struct tcp_pcb *p = find_pcb(s, 9000);
	assert_false(p->sack_ok || p->ts_ok);
	assert_int_equal(p->mss, 1460);
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.tcpi_options, 0);
	const uint32_t M = 1460;
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 10 * M), 10 * M);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	assert_false(r.opt.has_ts);   /* not agreed: never sent */
	assert_int_equal(tcp_hdr_len(ut_tcp_of(ut_cap.n - 1)), 20);
	/* SACK blocks from a peer that did not permit them are ignored:
	 * three duplicates start NewReno, which resends the head */
	struct tcp_opts a = {.nsack = 1};
	a.sack[0] = (struct tcp_sack_block) {una + M, una + 2 * M};
	from = ut_cap.n;
	for (int i = 0; i < 3; i++) {
		a.sack[0].right = una + (uint32_t) (2 + i) * M;
		ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	}
	assert_null(p->sb);
	assert_true(p->in_recovery);
	assert_false(p->sack_recovery);
	uint32_t seqs[16];
	assert_int_equal(data_seqs(from, seqs, 16), 1);
	assert_int_equal(seqs[0], una);
	assert_int_equal(s->tcp->mib.RenoRecovery, 1);
	/* our ACKs to out-of-order data carry no SACK blocks either */
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7100, una, TCP_ACK, "zz", 2, NULL);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.opt.nsack, 0);
	assert_int_equal(r.ack, 7001);
	api_close(s, c);
	ut_stack_free(s);
}

static void test_passive(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80);
	uint64_t t0 = rt_now();
	int from = ut_cap.n;
	seg(s, 4000, 80, 1000, 0, TCP_SYN, NULL, 0, true);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
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
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 1007);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 0);
	struct tcp_pcb *p = NULL;
	/* our close sends FIN (LAST_ACK); the peer's ACK ends the connection */
	from = ut_cap.n;
	api_close(s, c);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_FIN | TCP_ACK);
	assert_int_equal(r.seq, iss + 1);
	int before = s->tcp->npcbs;
	seg(s, 4000, 80, 1007, iss + 2, TCP_ACK, NULL, 0, false);
	assert_int_equal(s->tcp->npcbs, before - 1);
	(void) p;
	/* a segment for the old connection now meets the closed port: RST */
	from = ut_cap.n;
	seg(s, 4000, 80, 1007, iss + 2, TCP_ACK, "x", 1, false);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_RST);
	/* in-window RST with the wrong sequence number: challenge ACK (RFC 5961) */
	seg(s, 4001, 80, 5000, 0, TCP_SYN, NULL, 0, false);
	assert_true(ut_tcp_last(from, &r));
	uint32_t iss2 = r.seq;
	seg(s, 4001, 80, 5001, iss2 + 1, TCP_ACK, NULL, 0, false);
	c = api_accept(s, l, NULL, NULL);
	assert_true(c >= 0);
	from = ut_cap.n;
	seg(s, 4001, 80, 5100, 0, TCP_RST, NULL, 0, false);
	assert_true(ut_tcp_last(from, &r));
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

/* an accepted connection from the peer's port sport; our ISS in *iss */
static int accepted(struct ustack *s, int l, uint16_t sport, uint32_t *iss) {
	int from = ut_cap.n;
	seg(s, sport, 80, 1000, 0, TCP_SYN, NULL, 0, true);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_SYN | TCP_ACK);
	*iss = r.seq;
	seg(s, sport, 80, 1001, r.seq + 1, TCP_ACK, NULL, 0, false);
	int c = api_accept(s, l, NULL, NULL);
	assert_true(c >= 0);
	return c;
}

/* The start of several tests: a stack that knows the peer, a listener on
 * port 80 and a connection accepted from the peer's port 4100, our ISS
 * in *iss, the accepted descriptor in *c and the listener in *l. */
static struct tcp_pcb *accepted_4100(struct ustack **sp, int *l, int *c, uint32_t *iss) {
	struct ustack *s = *sp = ut_stack();
	ut_tcp_learn_peer(s);
	*l = listener(s, 80);
	*c = accepted(s, *l, 4100, iss);
	struct tcp_pcb *p = find_pcb(s, 4100);
	assert_non_null(p);
	return p;
}

/* A peer that vanished: our FIN is never answered. The orphan gives up
 * after tcp_orphan_retries (0: 8 timeouts), not the 15 of tcp_retries2. */
static void test_orphan_retries(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80);
	uint32_t iss;
	int c = accepted(s, l, 4100, &iss);
	uint64_t t0 = rt_now();
	api_close(s, c);
	struct tcp_pcb *p = find_pcb(s, 4100);
	assert_non_null(p);
	assert_int_equal(p->state, TCPS_FIN_WAIT1);
	assert_int_equal(s->tcp->orphans, 1);
	int timeouts = 0;
	for (uint64_t t = t0; t < t0 + MS(600000) && find_pcb(s, 4100); t += MS(100)) {
		int before = find_pcb(s, 4100)->backoff;
		run(s, t);
		struct tcp_pcb *q = find_pcb(s, 4100);
		if (q == NULL || q->backoff != before)
			timeouts++;
	}
	/* gone after the 8th retransmission timed out (Linux's orphan rule),
	 * long before tcp_retries2 would end it (15, about 15 minutes) */
	assert_null(find_pcb(s, 4100));
	assert_int_equal(timeouts, TCP_ORPHAN_RETRIES + 1);
	assert_int_equal(s->tcp->orphans, 0);
	assert_int_equal(s->tcp->abort_on_timeout, 1);
	api_close(s, l);
	ut_stack_free(s);
}

/* More orphans than tcp_max_orphans: the one closed past the bound is
 * reset at once (Linux's "too many orphaned sockets"); one whose FIN was
 * answered (FIN_WAIT2) or in TIME_WAIT counts no more. */
static void test_too_many_orphans(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80);
	s->tcp->max_orphans = 2;
	uint32_t iss[4];
	int c[4];
	for (int i = 0; i < 4; i++)
		c[i] = accepted(s, l, (uint16_t) (4200 + i), &iss[i]);
	for (int i = 0; i < 4; i++) {
		int from = ut_cap.n;
		api_close(s, c[i]);
		struct tcp_repr r;
		assert_true(ut_tcp_last(from, &r));
		if (i < 2) {
			assert_int_equal(r.flags, TCP_FIN | TCP_ACK);
			assert_non_null(find_pcb(s, (uint16_t) (4200 + i)));
		} else {
			assert_true(r.flags & TCP_RST);
			assert_null(find_pcb(s, (uint16_t) (4200 + i)));
		}
	}
	assert_int_equal(s->tcp->orphans, 2);
	assert_int_equal(s->tcp->abort_on_memory, 2);
	/* the peer of the first answers FIN with FIN: TIME_WAIT, no orphan */
	seg(s, 4200, 80, 1001, iss[0] + 2, TCP_FIN | TCP_ACK, NULL, 0, false);
	assert_int_equal(find_pcb(s, 4200)->state, TCPS_TIME_WAIT);
	assert_int_equal(s->tcp->orphans, 1);
	api_close(s, l);
	ut_stack_free(s);
	(void) iss;
}

static void test_active_timewait(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	uint64_t t0 = rt_now();
	int c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000), .sin_addr.s_addr = inet_addr(PEER)};
	int from = ut_cap.n;
	assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), -1);
	assert_int_equal(errno, EINPROGRESS);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
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
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_FIN | TCP_ACK);
	seg(s, 9000, lport, 7001, una + 1, TCP_ACK, NULL, 0, false);
	seg(s, 9000, lport, 7001, una + 1, TCP_FIN | TCP_ACK, NULL, 0, false);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.ack, 7002);
	assert_int_equal(s->tcp->npcbs, 1);   /* TIME_WAIT */
	/* a retransmitted FIN is acknowledged again */
	from = ut_cap.n;
	seg(s, 9000, lport, 7001, una + 1, TCP_FIN | TCP_ACK, NULL, 0, false);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 7002);
	run(s, t0 + MS(59000));
	assert_int_equal(s->tcp->npcbs, 1);
	run(s, t0 + MS(61000));
	assert_int_equal(s->tcp->npcbs, 0);   /* 60 s as Linux */
	ut_stack_free(s);
}

/* The stall of two stacks whose receive buffers both fill: a pure ACK
 * must stay inside the peer's window even when the peer closed it with
 * our data beyond (Linux tcp_acceptable_seq), and one at the right edge
 * of our window is read (Linux tcp_sequence), else neither end ever reads
 * the other's acknowledgments. */
static void seg_w(struct ustack *s, uint16_t lport, uint32_t seqno, uint32_t ackno, uint16_t window,
		const void *data, size_t len) {
	struct tcp_repr r = {.sport = 9000, .dport = lport, .seq = seqno, .ack = ackno, .flags = TCP_ACK,
		.window = window, .payload = data, .payload_len = len};
	ut_tcp_inject(s, &r, 0);
}

static void test_window_edge_ack(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1460};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	struct tcp_pcb *p = find_pcb(s, 9000);
	const uint32_t M = 1460;
	assert_int_equal(send_n(s, c, 10 * M), 10 * M);
	/* the peer takes 5 segments and closes its window: the other 5 it
	 * dropped for lack of room */
	seg_w(s, lport, 7001, una + 5 * M, 0, NULL, 0);
	assert_int_equal(p->snd_una, una + 5 * M);
	assert_int_equal(p->snd_wnd, 0);
	/* data from the peer draws an ACK: at the edge of the peer's closed
	 * window (una + 5M), not at snd_max, which the peer would drop */
	int from = ut_cap.n;
	seg_w(s, lport, 7001, una + 5 * M, 0, "d", 1);
	struct tcp_repr ack;
	assert_true(ut_tcp_last(from, &ack));
	assert_int_equal(ack.ack, 7002);
	assert_int_equal(ack.seq, una + 5 * M);
	/* the peer's pure ACK at the right edge of our window (Linux sends
	 * them there) is read: its acknowledgment counts */
	uint32_t edge = 7002 + ((uint32_t) ack.window << p->rcv_wscale);
	seg_w(s, lport, edge, una + 7 * M, 65535, NULL, 0);
	assert_int_equal(p->snd_una, una + 7 * M);
	/* one beyond the edge is not (RFC 9293 3.10.7.4) */
	seg_w(s, lport, edge + 1, una + 8 * M, 65535, NULL, 0);
	assert_int_equal(p->snd_una, una + 7 * M);
	/* a resent segment of the peer (below SND.WL1) that acknowledges more
	 * and closes the window: the window comes with the ACK (Linux), else
	 * the right edge would move past the peer's */
	assert_int_equal(p->snd_wl1, edge);
	seg_w(s, lport, 7002, una + 8 * M, 0, "e", 1);
	assert_int_equal(p->snd_una, una + 8 * M);
	assert_int_equal(p->snd_wnd, 0);
	api_close(s, c);
	ut_stack_free(s);
}

/* TSval never goes back on a connection, though timers run with the time
 * their loop began and callers read the clock themselves */
static void test_ts_monotonic(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	uint64_t t0 = rt_now();
	struct tcp_opts synack = LINUX_SYN;
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	assert_int_equal(send_n(s, c, 1000), 1000);
	/* the timeout, run for a time 3 s ahead: the resend's TSval */
	int from = ut_cap.n;
	run(s, t0 + MS(3000));
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.seq, una);
	uint32_t rto_ts = r.opt.tsval;
	/* data from the peer now (clock behind that run): the ACK's TSval
	 * does not go back */
	from = ut_cap.n;
	struct tcp_opts o = {.has_ts = true, .tsval = 2000, .tsecr = rto_ts};
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, "x", 1, &o);
	assert_true(ut_tcp_last(from, &r));
	assert_true(r.opt.has_ts);
	assert_true((int32_t) (r.opt.tsval - rto_ts) >= 0);
	api_close(s, c);
	ut_stack_free(s);
}

/* the window scale of the SYN we send from a new socket with SO_RCVBUF
 * rcvbuf (0: not set) */
static int syn_wscale(struct ustack *s, int rcvbuf) {
	int c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (rcvbuf)
		assert_int_equal(api_setsockopt(s, c, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000), .sin_addr.s_addr = inet_addr(PEER)};
	int from = ut_cap.n;
	assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), -1);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	assert_true(r.opt.has_wscale);
	api_close(s, c);
	return r.opt.wscale;
}

/* Linux's window scale: log2 of the largest receive space less 15 (the
 * values are Linux 6.x's with the same settings): tcp_rmem 4 MiB or 6
 * MiB: 7, 15 MiB (packetdrill's defaults.sh): 8; SO_RCVBUF 64 KiB: 1,
 * 1 MiB (Linux's default rmem_max caps it): 2, 1000: 0. */
static void test_wscale_choice(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	assert_int_equal(syn_wscale(s, 0), 7);
	assert_int_equal(syn_wscale(s, 65536), 1);
	assert_int_equal(syn_wscale(s, 1 << 20), 2);   /* capped at rmem_max, 212992 */
	assert_int_equal(syn_wscale(s, 1000), 0);
	s->tcp_rmem_max = 6291456;
	assert_int_equal(syn_wscale(s, 0), 7);
	s->tcp_rmem_max = 15728640;
	assert_int_equal(syn_wscale(s, 0), 8);
	/* a listener's child answers with the same rule */
	int l = listener(s, 80);
	int from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, 1000, 0, TCP_SYN, NULL, 0, &LINUX_SYN);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r.opt.wscale, 8);
	api_close(s, l);
	ut_stack_free(s);
}

/* the flags of the data segments sent from index from */
static int data_flags(int from, uint8_t *fl, uint32_t *seqs, int max) {
	int n = 0;
	for (int i = from; i < ut_cap.n && n < max; i++) {
		struct tcp_repr r;
		const uint8_t *t = ut_tcp_of(i);
		if (t && tcp_parse(t, ut_cap.len[i] - 34, &r) == 0 && r.payload_len) {
			fl[n] = r.flags;
			seqs[n++] = r.seq;
		}
	}
	return n;
}

/* PSH as Linux: on the last segment of a write and of each GSO packet
 * (two segments here), and a resend keeps the flags of the first sending
 * (no PSH on a resent middle segment). */
static void test_psh_resend(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	uint64_t t0 = rt_now();
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	const uint32_t M = 1000;
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 3 * M), 3 * M);
	uint8_t fl[16];
	uint32_t seqs[16];
	assert_int_equal(data_flags(from, fl, seqs, 16), 3);
	assert_int_equal(fl[0], TCP_ACK);
	assert_int_equal(fl[1], TCP_ACK | TCP_PSH);   /* ends a GSO packet */
	assert_int_equal(fl[2], TCP_ACK | TCP_PSH);
	/* the timeout resends the first segment: no PSH, as first sent */
	from = ut_cap.n;
	run(s, t0 + MS(1500));
	assert_int_equal(data_flags(from, fl, seqs, 16), 1);
	assert_int_equal(seqs[0], una);
	assert_int_equal(fl[0], TCP_ACK);
	/* its ACK lets the second and third go again: PSH on the third only */
	from = ut_cap.n;
	seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, false);
	int n = data_flags(from, fl, seqs, 16);
	assert_int_equal(n, 2);
	assert_int_equal(seqs[0], una + M);
	assert_int_equal(fl[0], TCP_ACK);
	assert_int_equal(seqs[1], una + 2 * M);
	assert_int_equal(fl[1], TCP_ACK | TCP_PSH);
	/* three duplicate ACKs: the fast retransmit of the middle segment has no PSH */
	from = ut_cap.n;
	for (int i = 0; i < 3; i++)
		seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, false);
	n = data_flags(from, fl, seqs, 16);
	assert_int_equal(n, 1);
	assert_int_equal(seqs[0], una + M);
	assert_int_equal(fl[0], TCP_ACK);
	api_close(s, c);
	ut_stack_free(s);
}

/* PSH as Linux's GSO packets put it (packetdrill's slow_start,
 * fast_recovery and sack scripts): a write of ten segments with cwnd 10
 * leaves in packets of two segments, PSH on the last of each; a segment
 * sent alone in the middle of a write (limited transmit: one per
 * duplicate ACK) has none. */
static void test_psh_gso(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	const uint32_t M = 1000;
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 20 * M), 20 * M);
	uint8_t fl[32];
	uint32_t seqs[32];
	assert_int_equal(data_flags(from, fl, seqs, 32), 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(seqs[i], una + (uint32_t) i * M);
		assert_int_equal(fl[i], i % 2 ? TCP_ACK | TCP_PSH : TCP_ACK);
	}
	/* two duplicate ACKs: one new segment each, alone, no PSH */
	for (int k = 0; k < 2; k++) {
		from = ut_cap.n;
		seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, false);
		assert_int_equal(data_flags(from, fl, seqs, 32), 1);
		assert_int_equal(seqs[0], una + (uint32_t) (10 + k) * M);
		assert_int_equal(fl[0], TCP_ACK);
	}
	api_close(s, c);
	ut_stack_free(s);
}

/* a stack that knows the peer, and a connection to it (peer MSS 1000) */
static int conn_mss1000(struct ustack **sp, uint32_t *una, uint16_t *lport) {
	*sp = ut_stack();
	ut_tcp_learn_peer(*sp);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	return connect_peer(*sp, &synack, una, lport);
}

/* The packets' size follows tcp_min_tso_segs (the stack option): 5 with
 * cwnd 10 gives two packets of five (packetdrill's slow-start-after-idle
 * with its sysctl at 10: half of cwnd bounds it) */
static void test_psh_gso_segs(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	s->tcp_min_tso_segs = 5;
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 20000), 20000);
	uint8_t fl[32];
	uint32_t seqs[32];
	assert_int_equal(data_flags(from, fl, seqs, 32), 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(fl[i], i == 4 || i == 9 ? TCP_ACK | TCP_PSH : TCP_ACK);
	api_close(s, c);
	ut_stack_free(s);
}

static void seg_win(struct ustack *s, uint16_t sport, uint16_t dport, uint32_t seqno, uint32_t ackno, uint16_t w);

/* A simultaneous open (RFC 9293 3.5): our SYN crosses the peer's, then
 * our SYN-ACK, the peer's (its SYN old by then, only acknowledged), its
 * data acknowledging our SYN: the connection is established and that
 * first data is acknowledged at once, in quick-ACK mode as any new
 * connection's (Linux; packetdrill's fastopen/client/simultaneous-fast-open). */
static void test_simultaneous_open_quickack(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000), .sin_addr.s_addr = inet_addr(PEER)};
	int from = ut_cap.n;
	api_connect(s, c, (struct sockaddr *) &a, sizeof(a));
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	uint32_t iss = r.seq;
	uint16_t lport = r.sport;
	struct tcp_opts o = {.has_mss = true, .mss = 1000};
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7000, 0, TCP_SYN, NULL, 0, &o);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_SYN | TCP_ACK);   /* our SYN-ACK */
	/* the peer's SYN-ACK: its SYN is old, only acknowledged */
	ut_tcp_seg(s, 9000, lport, 7000, iss + 1, TCP_SYN | TCP_ACK, NULL, 0, &o);
	/* its first data, acknowledging our SYN: established, and an ACK at once */
	from = ut_cap.n;
	seg(s, 9000, lport, 7001, iss + 1, TCP_ACK | TCP_PSH, "hello", 5, false);
	assert_int_equal(find_pcb(s, 9000)->state, TCPS_ESTABLISHED);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.ack, 7006);
	api_close(s, c);
	ut_stack_free(s);
}

/* one entry of the error queue, read with an empty buffer: its
 * SO_EE_ORIGIN_TIMESTAMPING type (ee_info) and key (ee_data); -1 when
 * empty. The software stamp comes first, then the error. */
static int tx_stamp(struct ustack *s, int fd, uint32_t *key) {
	union {
		char buf[256];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = NULL, .iov_len = 0};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf)};
	if (api_recvmsg(s, fd, &msg, MSG_ERRQUEUE) < 0)
		return -1;
	assert_int_equal(msg.msg_flags, MSG_ERRQUEUE | MSG_TRUNC);   /* the data looped back */
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	assert_non_null(c);
	assert_int_equal(c->cmsg_level, SOL_SOCKET);
	assert_int_equal(c->cmsg_type, SO_TIMESTAMPING_OLD);
	struct timespec ts[3];
	memcpy(ts, CMSG_DATA(c), sizeof(ts));
	assert_true(ts[0].tv_sec > 0);
	c = CMSG_NXTHDR(&msg, c);
	assert_non_null(c);
	assert_int_equal(c->cmsg_level, SOL_IP);
	assert_int_equal(c->cmsg_type, IP_RECVERR);
	struct sock_extended_err ee;
	memcpy(&ee, CMSG_DATA(c), sizeof(ee));
	assert_int_equal(ee.ee_errno, ENOMSG);
	assert_int_equal(ee.ee_origin, SO_EE_ORIGIN_TIMESTAMPING);
	*key = ee.ee_data;
	return (int) ee.ee_info;
}

/* SO_TIMESTAMPING's transmit stamps as Linux gives them for TCP
 * (packetdrill's timestamping/client-only-last-byte and server): the last
 * byte of each send call is stamped when the segment carrying it first
 * goes (SCM_TSTAMP_SCHED, then SCM_TSTAMP_SND) and when it is
 * acknowledged (SCM_TSTAMP_ACK), on the error queue, keyed from
 * OPT_ID's start (snd_una when it was set); other bytes get none. */
static void test_tx_timestamps(void **state) {
	(void) state;
	struct ustack *s;
	uint32_t una;
	uint16_t lport;
	int c = conn_mss1000(&s, &una, &lport);
	int f = SOF_TIMESTAMPING_TX_SCHED | SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_TX_ACK |
			SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID;
	assert_int_equal(api_setsockopt(s, c, SOL_SOCKET, SO_TIMESTAMPING_OLD, &f, sizeof(f)), 0);
	uint32_t key;
	assert_int_equal(tx_stamp(s, c, &key), -1);
	assert_int_equal(send_n(s, c, 1500), 1500);
	assert_int_equal(send_n(s, c, 100), 100);
	assert_int_equal(tx_stamp(s, c, &key), SCM_TSTAMP_SCHED);
	assert_int_equal(key, 1499);
	assert_int_equal(tx_stamp(s, c, &key), SCM_TSTAMP_SND);
	assert_int_equal(key, 1499);
	assert_int_equal(tx_stamp(s, c, &key), SCM_TSTAMP_SCHED);
	assert_int_equal(key, 1599);
	assert_int_equal(tx_stamp(s, c, &key), SCM_TSTAMP_SND);
	assert_int_equal(key, 1599);
	assert_int_equal(tx_stamp(s, c, &key), -1);
	/* the first segment acknowledged: no stamped byte in it */
	seg(s, 9000, lport, 7001, una + 1000, TCP_ACK, NULL, 0, false);
	assert_int_equal(tx_stamp(s, c, &key), -1);
	seg(s, 9000, lport, 7001, una + 1500, TCP_ACK, NULL, 0, false);
	assert_int_equal(tx_stamp(s, c, &key), SCM_TSTAMP_ACK);
	assert_int_equal(key, 1499);
	assert_int_equal(tx_stamp(s, c, &key), -1);
	seg(s, 9000, lport, 7001, una + 1600, TCP_ACK, NULL, 0, false);
	assert_int_equal(tx_stamp(s, c, &key), SCM_TSTAMP_ACK);
	assert_int_equal(key, 1599);
	assert_int_equal(tx_stamp(s, c, &key), -1);
	api_close(s, c);
	ut_stack_free(s);
}

/* POLLRDHUP on the socket's readiness fd once the peer's FIN is in, with
 * POLLIN (end of file), as Linux's tcp_poll (packetdrill's
 * fastopen/client/synack-data); not before. */
static void test_poll_rdhup(void **state) {
	(void) state;
	struct ustack *s;
	uint32_t una;
	uint16_t lport;
	int c = conn_mss1000(&s, &una, &lport);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP};
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev), 0);
	assert_int_equal(ep_now(ep), 0);
	seg(s, 9000, lport, 7001, una, TCP_ACK | TCP_PSH, "ab", 2, false);
	assert_int_equal(ep_now(ep), EPOLLIN);
	seg(s, 9000, lport, 7003, una, TCP_ACK | TCP_FIN, NULL, 0, false);
	assert_int_equal(ep_now(ep), EPOLLIN | EPOLLRDHUP);
	char buf[8];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	assert_int_equal(api_readv(s, c, &iov, 1), 2);
	assert_int_equal(api_readv(s, c, &iov, 1), 0);
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_MOD, c, &ev), 0);
	assert_int_equal(ep_now(ep), EPOLLIN | EPOLLOUT | EPOLLRDHUP);   /* CLOSE_WAIT: no EPOLLHUP */
	close(ep);
	api_close(s, c);
	ut_stack_free(s);
}

/* Nagle as Linux applies it (Minshall's variant, tcp_minshall_check):
 * a partial segment waits only while an earlier partial segment is
 * unacknowledged, not for any data in flight (packetdrill's
 * fastopen/client/cookie-less-sendto: 2,920 bytes and then 660 at once).
 * A write of 1,500 with mss 1000: both segments go; 100 more wait for the
 * ACK of the 500-byte one, then go. */
static void test_nagle_minshall(void **state) {
	(void) state;
	struct ustack *s;
	uint32_t una;
	uint16_t lport;
	int c = conn_mss1000(&s, &una, &lport);
	int zero = 0;
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_NODELAY, &zero, sizeof(zero)), 0);
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 1500), 1500);
	uint8_t fl[8];
	uint32_t seqs[8];
	assert_int_equal(data_flags(from, fl, seqs, 8), 2);
	assert_int_equal(seqs[1], una + 1000);
	from = ut_cap.n;
	assert_int_equal(send_n(s, c, 100), 100);
	assert_int_equal(data_flags(from, fl, seqs, 8), 0);
	seg(s, 9000, lport, 7001, una + 1000, TCP_ACK, NULL, 0, false);
	assert_int_equal(data_flags(from, fl, seqs, 8), 0);   /* the small one still out */
	seg(s, 9000, lport, 7001, una + 1500, TCP_ACK, NULL, 0, false);
	assert_int_equal(data_flags(from, fl, seqs, 8), 1);
	assert_int_equal(seqs[0], una + 1500);
	api_close(s, c);
	ut_stack_free(s);
}

/* Linux's forced push (tcp_sendmsg's forced_push; packetdrill's
 * cubic-rto-ss-ca-cwnd-bump): a write fills buffers of the size goal
 * (half the peer's largest window, 32000 here), the first full one leaves
 * at once and what is left of it (after the 10 segments cwnd lets go) is
 * filled up again; a buffer that fills while the write goes on and ends
 * more than half that window past the last push gets PSH at its end.
 * One-segment packets (tcp_min_tso_segs 1), so no packet's own PSH: a
 * 65,536-byte write has PSH at 42,000 (10,000 + 32,000) and at its end
 * only (not at 64,000, as buffers of a fixed grid would place it). */
static void test_forced_push(void **state) {
	(void) state;
	struct ustack *s;
	uint32_t una;
	uint16_t lport;
	int c = conn_mss1000(&s, &una, &lport);
	s->tcp_min_tso_segs = 1;
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 65536), 65536);
	uint8_t fl[128];
	uint32_t seqs[128];
	int n = data_flags(from, fl, seqs, 128);
	assert_int_equal(n, 10);
	/* one ACK per segment until all went */
	for (uint32_t k = 1; k <= 66 && data_flags(from, fl, seqs, 128) < 66; k++)
		seg(s, 9000, lport, 7001, una + 1000 * k, TCP_ACK, NULL, 0, false);
	n = data_flags(from, fl, seqs, 128);
	assert_int_equal(n, 66);
	int pushes = 0;
	for (int i = 0; i < n; i++) {
		assert_int_equal(seqs[i], una + (uint32_t) i * 1000);
		if (fl[i] & TCP_PSH) {
			pushes++;
			assert_true(i == 41 || i == 65);
		}
	}
	assert_int_equal(pushes, 2);
	api_close(s, c);
	ut_stack_free(s);
}

/* Slow start after idle (RFC 5681 4.1, Linux tcp_cwnd_restart):
 * packetdrill's slow-start-after-idle and -after-win-update. cwnd 36
 * segments, all acknowledged; 2 s later (many RTOs) a write: cwnd is back
 * to the initial 10 (ssthresh keeps 3/4 of 36), and ten segments go; a
 * zero window meanwhile leaves cwnd alone until data may go. With the
 * stack option off, all 20 go. */
static void test_cwnd_restart_after_idle(void **state) {
	(void) state;
	for (int round = 0; round < 3; round++) {
		struct ustack *s = ut_stack();
		ut_tcp_learn_peer(s);
		s->tcp_no_ssai = round == 2;
		struct tcp_opts synack = {.has_mss = true, .mss = 1000};
		uint32_t una;
		uint16_t lport;
		int c = connect_peer(s, &synack, &una, &lport);
		struct tcp_pcb *p = find_pcb(s, 9000);
		const uint32_t M = 1000;
		assert_int_equal(send_n(s, c, 5 * M), 5 * M);
		seg(s, 9000, lport, 7001, una + 5 * M, TCP_ACK, NULL, 0, false);
		p->cwnd = 36 * M;
		una += 5 * M;
		if (round == 1) {
			/* the peer's window closes, data waits past the idle time */
			seg_win(s, 9000, lport, 7001, una, 0);
			assert_int_equal(send_n(s, c, 20 * M), 20 * M);
			p->last_data_tx -= MS(2000);   /* 2 s without data sent */
			seg_win(s, 9000, lport, 7001, una, 0);   /* a probe's answer */
			assert_int_equal(p->cwnd, 36 * M);
			int from = ut_cap.n;
			seg_win(s, 9000, lport, 7001, una, 60000);
			uint32_t seqs[32];
			assert_int_equal(data_seqs(from, seqs, 32), 10);
			assert_int_equal(p->cwnd, 10 * M);
		} else {
			p->last_data_tx -= MS(2000);   /* 2 s without data sent */
			int from = ut_cap.n;
			assert_int_equal(send_n(s, c, 20 * M), 20 * M);
			uint32_t seqs[32];
			assert_int_equal(data_seqs(from, seqs, 32), round == 2 ? 20 : 10);
			assert_int_equal(p->cwnd, round == 2 ? 36 * M : 10 * M);
		}
		if (round != 2)
			assert_int_equal(p->ssthresh >= 27 * M, true);
		api_close(s, c);
		ut_stack_free(s);
	}
}

/* A resend carries PSH where it ends a GSO packet sent before and resends
 * more than one segment of it in one go (Linux resends its retransmission
 * queue's packets, cut at the cumulative ACK and at SACKed data):
 * packetdrill's sack-route-refresh-ip-tos. Ten segments in five packets
 * of two; the ACK of the first segment SACKs the fourth and the last
 * four: the second (the rest of packet 0), the third (packet 1 less its
 * SACKed end) and the fifth go again without PSH, the sixth (the end of
 * packet 2, resent whole) with it. */
static void test_psh_gso_resend(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	uint64_t t0 = rt_now();
	struct tcp_opts synack = {.has_mss = true, .mss = 1000, .sack_perm = true};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	const uint32_t M = 1000;
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 10 * M), 10 * M);
	uint8_t fl[32];
	uint32_t seqs[32];
	assert_int_equal(data_flags(from, fl, seqs, 32), 10);
	struct tcp_opts a = {.nsack = 2};
	a.sack[0] = (struct tcp_sack_block) {una + 3 * M, una + 4 * M};
	a.sack[1] = (struct tcp_sack_block) {una + 6 * M, una + 10 * M};
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, &a);
	run(s, t0 + MS(60));   /* a reordering timer, if any */
	int n = data_flags(from, fl, seqs, 32);
	int seen = 0;
	for (int i = 0; i < n; i++) {
		uint32_t k = (seqs[i] - una) / M;
		assert_true(k == 1 || k == 2 || k == 4 || k == 5);
		seen |= 1 << k;
		if (k == 5) {
			assert_true(i > 0 && seqs[i - 1] == una + 4 * M);
			assert_int_equal(fl[i], TCP_ACK | TCP_PSH);
		} else
			assert_int_equal(fl[i], TCP_ACK);
	}
	assert_int_equal(seen, (1 << 1) | (1 << 2) | (1 << 4) | (1 << 5));
	api_close(s, c);
	ut_stack_free(s);
}

/* One stretch ACK for 10 segments with 30 queued, in the event thread:
 * slow start doubles cwnd to 20 (Linux counts every segment acked, not 2
 * per ACK) and all 20 the window allows leave at once (no burst limit
 * leaving the rest to the retransmission timer). */
static void test_stretch_ack_burst(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	use_reno(s, c);
	struct tcp_pcb *p = find_pcb(s, 9000);
	const uint32_t M = 1000;
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 40 * M), 40 * M);
	uint32_t seqs[64];
	assert_int_equal(data_seqs(from, seqs, 64), 10);
	assert_int_equal(p->cwnd, 10 * M);
	from = ut_cap.n;
	rt_test_as_event_thread(1);
	seg(s, 9000, lport, 7001, una + 10 * M, TCP_ACK, NULL, 0, false);
	rt_test_as_event_thread(0);
	assert_int_equal(p->cwnd, 20 * M);
	int n = data_seqs(from, seqs, 64);
	assert_int_equal(n, 20);
	for (int i = 0; i < n; i++)
		assert_int_equal(seqs[i], una + (uint32_t) (10 + i) * M);
	/* past ssthresh the rest of an ACK grows cwnd by congestion avoidance */
	p->ssthresh = 25 * M;
	seg(s, 9000, lport, 7001, una + 20 * M, TCP_ACK, NULL, 0, false);
	assert_int_equal(p->cwnd, 25 * M);
	api_close(s, c);
	ut_stack_free(s);
}

/* After read(): no window update while the peer may still send more than
 * half the largest window (Linux tcp_cleanup_rbuf); one when the window
 * had fallen to half or less and read() at least doubles it. */
static void test_window_update_after_read(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80);
	uint32_t iss;
	int c = accept_linux(s, l, &LINUX_SYN, &iss);   /* window scale 7 */
	char d[4000], buf[8192];
	memset(d, 'w', sizeof(d));
	/* four segments: acknowledged at once (every second segment) */
	int from = ut_cap.n;
	struct tcp_opts o = {.has_ts = true, .tsval = 2000};
	for (uint32_t i = 0; i < 4; i++)
		ut_tcp_seg(s, 4000, 80, 1001 + i * 1000, iss + 1, TCP_ACK, d, 1000, &o);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 5001);
	from = ut_cap.n;
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 4000);
	assert_int_equal(ut_cap.n, from);   /* no pure window update */
	api_close(s, c);
	/* a small buffer: 8192 bytes (SO_RCVBUF 4096, doubled as Linux) */
	int v = 4096;
	assert_int_equal(api_setsockopt(s, l, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
	c = accepted(s, l, 4301, &iss);
	struct tcp_pcb *p = find_pcb(s, 4301);
	assert_int_equal(p->rcvcap, 8192);
	from = ut_cap.n;
	for (uint32_t i = 0; i < 6; i++)
		seg(s, 4301, 80, 1001 + i * 1000, iss + 1, TCP_ACK, d, 1000, false);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 7001);
	uint32_t win = (uint32_t) r.window << p->rcv_wscale;
	assert_true(win * 2 <= 8192);
	from = ut_cap.n;
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 6000);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.ack, 7001);
	assert_true(((uint32_t) r.window << p->rcv_wscale) >= 2 * win);
	api_close(s, c);
	api_close(s, l);
	ut_stack_free(s);
}

/* Receive offload (stack option gro=1): in-order data read in one batch
 * from a VNL is acknowledged once at the batch's end, as Linux acknowledges
 * a GRO packet; without it (the default, as Linux behind a tap) every
 * second segment is; out-of-order data is acknowledged at once either way. */
static void gro_segs(struct ustack *s, uint32_t seq0, uint32_t iss, int n) {
	char d[1000];
	memset(d, 'g', sizeof(d));
	for (int i = 0; i < n; i++)
		seg(s, 4100, 80, seq0 + 1000u * (uint32_t) i, iss + 1, TCP_ACK, d, sizeof(d), false);
}

static void batch_end(struct ustack *s) {
	stack_lock(s);
	s->rx_batch = false;
	if (s->rx_batch_end)
		s->rx_batch_end(s);
	stack_unlock(s);
}

static void test_gro_ack(void **state) {
	(void) state;
	struct ustack *s;
	int l, c;
	uint32_t iss;
	struct tcp_pcb *p = accepted_4100(&s, &l, &c, &iss);
	p->quickack = 0;
	/* off: an ACK per two segments, even inside a batch */
	int from = ut_cap.n;
	s->rx_batch = true;
	gro_segs(s, 1001, iss, 4);
	batch_end(s);
	assert_int_equal(count_flags(from, TCP_ACK), 2);
	/* on: none during the batch, one at its end for all four */
	s->gro = true;
	from = ut_cap.n;
	s->rx_batch = true;
	gro_segs(s, 5001, iss, 4);
	assert_int_equal(count_flags(from, TCP_ACK), 0);
	batch_end(s);
	assert_int_equal(count_flags(from, TCP_ACK), 1);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 9001);
	/* quick-ACK mode too: one per batch, and the batch counts once */
	p->quickack = 2;
	from = ut_cap.n;
	s->rx_batch = true;
	gro_segs(s, 9001, iss, 3);
	assert_int_equal(count_flags(from, TCP_ACK), 0);
	batch_end(s);
	assert_int_equal(count_flags(from, TCP_ACK), 1);
	assert_int_equal(p->quickack, 1);
	/* out of order inside a batch: the duplicate ACK goes at once */
	from = ut_cap.n;
	s->rx_batch = true;
	gro_segs(s, 13001, iss, 1);
	assert_int_equal(count_flags(from, TCP_ACK), 1);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 12001);
	batch_end(s);
	/* outside a batch, on or not: every second segment */
	p->quickack = 0;
	from = ut_cap.n;
	gro_segs(s, 12001, iss, 1);   /* fills the hole: ACK at once */
	assert_int_equal(count_flags(from, TCP_ACK), 1);
	from = ut_cap.n;
	gro_segs(s, 14001, iss, 4);
	assert_int_equal(count_flags(from, TCP_ACK), 2);
	/* a connection that goes away leaves the batch's list */
	s->rx_batch = true;
	gro_segs(s, 18001, iss, 2);
	assert_int_equal(s->tcp->nack_batch, 1);
	seg(s, 4100, 80, 20001, 0, TCP_RST, NULL, 0, false);
	api_close(s, c);
	assert_int_equal(s->tcp->nack_batch, 0);
	batch_end(s);
	api_close(s, l);
	ut_stack_free(s);
}

static ssize_t send_f(struct ustack *s, int fd, size_t n, int flags) {
	static uint8_t buf[16384];
	struct iovec iov = {.iov_base = buf, .iov_len = n};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	return api_sendmsg(s, fd, &msg, MSG_DONTWAIT | flags);
}

/* the payload lengths (and flags, seqs) of the data segments from index from */
static int data_lens(int from, uint32_t *lens, uint8_t *fl, uint32_t *seqs, int max) {
	int n = 0;
	for (int i = from; i < ut_cap.n && n < max; i++) {
		struct tcp_repr r;
		const uint8_t *t = ut_tcp_of(i);
		if (t && tcp_parse(t, ut_cap.len[i] - 34, &r) == 0 && r.payload_len) {
			lens[n] = (uint32_t) r.payload_len;
			fl[n] = r.flags;
			seqs[n++] = r.seq;
		}
	}
	return n;
}

/* MSG_MORE and TCP_CORK as Linux: MSG_MORE holds only its own call's
 * push, and with nothing in flight the probe timer (the RTO, 200 ms and
 * more) sends it with PSH; TCP_CORK holds every partial segment (also
 * of writes without MSG_MORE) until it is cleared; TCP_NODELAY flushes a
 * corked queue once; data written with MSG_MORE carries no PSH. */
static void test_cork_more(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	uint64_t t0 = rt_now();
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);   /* TCP_NODELAY on */
	uint32_t lens[32], seqs[32];
	uint8_t fl[32];
	int from = ut_cap.n;
	assert_int_equal(send_f(s, c, 40, MSG_MORE), 40);
	assert_int_equal(data_lens(from, lens, fl, seqs, 32), 0);
	run(s, t0 + MS(150));
	assert_int_equal(data_lens(from, lens, fl, seqs, 32), 0);
	run(s, t0 + MS(400));   /* not held for ever: the probe timer */
	assert_int_equal(data_lens(from, lens, fl, seqs, 32), 1);
	assert_int_equal(lens[0], 40);
	assert_int_equal(seqs[0], una);
	assert_int_equal(fl[0], TCP_ACK | TCP_PSH);
	una += 40;
	seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, false);
	/* TCP_CORK: two writes without MSG_MORE stay until it is cleared */
	int one = 1, zero = 0;
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_CORK, &one, sizeof(one)), 0);
	from = ut_cap.n;
	assert_int_equal(send_f(s, c, 40, 0), 40);
	assert_int_equal(send_f(s, c, 40, 0), 40);
	assert_int_equal(data_lens(from, lens, fl, seqs, 32), 0);
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_CORK, &zero, sizeof(zero)), 0);
	assert_int_equal(data_lens(from, lens, fl, seqs, 32), 1);
	assert_int_equal(lens[0], 80);
	assert_int_equal(fl[0], TCP_ACK | TCP_PSH);
	una += 80;
	seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, false);
	/* corked MSG_MORE data flushed by TCP_NODELAY: no PSH */
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_CORK, &one, sizeof(one)), 0);
	from = ut_cap.n;
	assert_int_equal(send_f(s, c, 40, MSG_MORE), 40);
	assert_int_equal(send_f(s, c, 40, MSG_MORE), 40);
	assert_int_equal(data_lens(from, lens, fl, seqs, 32), 0);
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
	assert_int_equal(data_lens(from, lens, fl, seqs, 32), 1);
	assert_int_equal(lens[0], 80);
	assert_int_equal(fl[0], TCP_ACK);
	una += 80;
	seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, false);
	/* MSG_MORE with data in flight: the ACK sends what it held */
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_CORK, &zero, sizeof(zero)), 0);
	from = ut_cap.n;
	assert_int_equal(send_f(s, c, 2100, MSG_MORE), 2100);
	assert_int_equal(data_lens(from, lens, fl, seqs, 32), 2);
	assert_int_equal(lens[0] + lens[1], 2000);
	from = ut_cap.n;
	seg(s, 9000, lport, 7001, una + 1000, TCP_ACK, NULL, 0, false);
	assert_int_equal(data_lens(from, lens, fl, seqs, 32), 1);
	assert_int_equal(lens[0], 100);
	assert_int_equal(fl[0], TCP_ACK);
	api_close(s, c);
	ut_stack_free(s);
}

/* MSG_EOR: no segment spans the end of a record, neither first sent nor
 * resent (Linux never appends to an skb marked EOR); the data before it
 * joins the record as Linux appends to a tail skb not marked. */
static void test_eor(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	uint64_t t0 = rt_now();
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	const uint32_t M = 1000;
	uint32_t lens[64], seqs[64];
	uint8_t fl[64];
	int from = ut_cap.n;
	assert_int_equal(send_f(s, c, 10400, 0), 10400);
	assert_int_equal(send_f(s, c, 400, MSG_EOR), 400);
	assert_int_equal(send_f(s, c, 10000, 0), 10000);
	assert_int_equal(data_lens(from, lens, fl, seqs, 64), 10);   /* the initial window */
	from = ut_cap.n;
	seg(s, 9000, lport, 7001, una + 10 * M, TCP_ACK, NULL, 0, false);
	int n = data_lens(from, lens, fl, seqs, 64);
	assert_int_equal(n, 11);
	assert_int_equal(seqs[0], una + 10 * M);
	assert_int_equal(lens[0], 800);
	assert_int_equal(fl[0], TCP_ACK | TCP_PSH);
	for (int i = 1; i < n; i++) {
		assert_int_equal(seqs[i], una + 10800 + (uint32_t) (i - 1) * M);
		assert_int_equal(lens[i], M);
	}
	/* a timeout: the resend stops at the record's end too */
	from = ut_cap.n;
	run(s, t0 + MS(1500));
	n = data_lens(from, lens, fl, seqs, 64);
	assert_true(n >= 1);
	assert_int_equal(seqs[0], una + 10 * M);
	assert_int_equal(lens[0], 800);
	/* everything acknowledged: the marks are gone */
	seg(s, 9000, lport, 7001, una + 20800, TCP_ACK, NULL, 0, false);
	struct tcp_pcb *p = find_pcb(s, 9000);
	assert_int_equal(p->neor, 0);
	assert_null(p->eor);
	/* ten records of 400 bytes: resent after a timeout, one segment
	 * each, each with PSH as when first sent */
	una += 20800;
	for (int i = 0; i < 10; i++)
		assert_int_equal(send_f(s, c, 400, MSG_EOR), 400);
	from = ut_cap.n;
	run(s, t0 + MS(4000));
	for (uint32_t k = 1; k < 10; k++)
		seg(s, 9000, lport, 7001, una + k * 400, TCP_ACK, NULL, 0, false);
	n = data_lens(from, lens, fl, seqs, 64);
	assert_int_equal(n, 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(seqs[i], una + (uint32_t) i * 400);
		assert_int_equal(lens[i], 400);
		assert_int_equal(fl[i], TCP_ACK | TCP_PSH);
	}
	api_close(s, c);
	ut_stack_free(s);
}

/* the events epoll_wait reports at once (0: none) */
static uint32_t ep_now(int ep) {
	struct epoll_event e;
	int n = epoll_wait(ep, &e, 1, 0);
	assert_true(n >= 0);
	return n ? e.events : 0;
}

/* EPOLLET as Linux: every arrival of data on a readable socket, and every
 * new connection on a listener with one already queued, is a new edge;
 * nothing new, no event. Many arrivals in a row fill the readiness pair
 * and still give edges. */
static void test_epollet_in(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	assert_true(ep >= 0);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET};
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev), 0);
	assert_int_equal(ep_now(ep), 0);
	uint32_t iss1, iss2;
	int from = ut_cap.n;
	seg(s, 4001, 80, 1000, 0, TCP_SYN, NULL, 0, true);
	struct tcp_repr r;
	assert_true(ut_tcp_last(from, &r));
	iss1 = r.seq;
	seg(s, 4001, 80, 1001, iss1 + 1, TCP_ACK, NULL, 0, false);
	assert_int_equal(ep_now(ep) & EPOLLIN, EPOLLIN);
	assert_int_equal(ep_now(ep), 0);
	from = ut_cap.n;
	seg(s, 4002, 80, 1000, 0, TCP_SYN, NULL, 0, true);
	assert_true(ut_tcp_last(from, &r));
	iss2 = r.seq;
	seg(s, 4002, 80, 1001, iss2 + 1, TCP_ACK, NULL, 0, false);
	assert_int_equal(ep_now(ep) & EPOLLIN, EPOLLIN);   /* a second connection */
	assert_int_equal(ep_now(ep), 0);
	int c = api_accept(s, l, NULL, NULL);
	assert_true(c >= 0);
	ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev), 0);
	assert_int_equal(ep_now(ep), EPOLLOUT);
	assert_int_equal(ep_now(ep), 0);
	char d[1000], buf[4000];
	memset(d, 'e', sizeof(d));
	uint32_t seq = 1001;
	seg(s, 4001, 80, seq, iss1 + 1, TCP_ACK | TCP_PSH, d, 1000, false);
	seq += 1000;
	assert_int_equal(ep_now(ep), EPOLLIN | EPOLLOUT);
	assert_int_equal(ep_now(ep), 0);
	/* more data, the first not read: a new edge each time */
	for (int i = 0; i < 40; i++) {
		seg(s, 4001, 80, seq, iss1 + 1, TCP_ACK | TCP_PSH, d, 100, false);
		seq += 100;
		assert_int_equal(ep_now(ep), EPOLLIN | EPOLLOUT);
		assert_int_equal(ep_now(ep), 0);
	}
	/* a partial read: no new data, no event */
	assert_int_equal(ut_recv(s, c, buf, 1000), 1000);
	assert_int_equal(ep_now(ep), 0);
	seg(s, 4001, 80, seq, iss1 + 1, TCP_ACK | TCP_PSH, d, 1000, false);
	assert_int_equal(ep_now(ep), EPOLLIN | EPOLLOUT);
	assert_int_equal(ep_now(ep), 0);
	close(ep);
	api_close(s, c);
	api_close(s, l);
	ut_stack_free(s);
}

/* The algorithm hears of data sent with nothing in flight (Linux
 * CA_EVENT_TX_START, what CUBIC moves its epoch on after a pause by):
 * once for the first segment of a burst, not for those that follow it
 * while it is in flight, and again after all was acknowledged. */
static int tx_starts;
static void count_tx_start(struct tcp_pcb *pcb) {
	(void) pcb;
	tx_starts++;
}
static void reno_cong_avoid(struct tcp_pcb *pcb, uint32_t acked) {
	tcp_cc_reno.cong_avoid(pcb, acked);
}
static uint32_t reno_ssthresh(struct tcp_pcb *pcb, bool timeout) {
	return tcp_cc_reno.ssthresh(pcb, timeout);
}
static const struct tcp_cc_ops counting_cc = {
	.name = "counting", .cong_avoid = reno_cong_avoid, .ssthresh = reno_ssthresh,
	.tx_start = count_tx_start,
};

static void test_cc_tx_start(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	struct tcp_pcb *p = find_pcb(s, 9000);
	const uint32_t M = 1000;
	tcp_cc_set(p, &counting_cc);
	tx_starts = 0;
	assert_int_equal(send_n(s, c, 5 * M), 5 * M);
	assert_int_equal(tx_starts, 1);
	seg(s, 9000, lport, 7001, una + 2 * M, TCP_ACK, NULL, 0, false);
	assert_int_equal(send_n(s, c, 2 * M), 2 * M);   /* still in flight */
	assert_int_equal(tx_starts, 1);
	seg(s, 9000, lport, 7001, una + 7 * M, TCP_ACK, NULL, 0, false);
	assert_int_equal(send_n(s, c, 3 * M), 3 * M);
	assert_int_equal(tx_starts, 2);
	api_close(s, c);
	ut_stack_free(s);
}

/* cwnd grows only when the flight was limited by it (Linux
 * tcp_is_cwnd_limited): 5 segments out of a window of 10 leave it at 10;
 * in slow start it may grow to twice the largest flight: 9 out, 18. */
static void test_cwnd_limited(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	struct tcp_pcb *p = find_pcb(s, 9000);
	const uint32_t M = 1000;
	assert_int_equal(p->cwnd, 10 * M);
	assert_int_equal(send_n(s, c, 5 * M), 5 * M);
	for (uint32_t a = 2; a <= 5; a += (a == 4 ? 1 : 2)) {
		seg(s, 9000, lport, 7001, una + a * M, TCP_ACK, NULL, 0, false);
		assert_int_equal(p->cwnd, 10 * M);
	}
	una += 5 * M;
	assert_int_equal(send_n(s, c, 9 * M), 9 * M);
	for (uint32_t a = 2; a <= 8; a += 2) {
		seg(s, 9000, lport, 7001, una + a * M, TCP_ACK, NULL, 0, false);
		assert_int_equal(p->cwnd, (10 + a) * M);
	}
	seg(s, 9000, lport, 7001, una + 9 * M, TCP_ACK, NULL, 0, false);
	assert_int_equal(p->cwnd, 18 * M);
	api_close(s, c);
	ut_stack_free(s);
}

/* SYN cookies (RFC 4987) as Linux's tcp_syncookies=1: with the SYN queue
 * full (128 for a small backlog) a SYN is answered with a cookie and no
 * state; the ACK that returns it makes the connection, with the MSS,
 * window scale and SACK of the SYN (kept in the cookie and the TSval);
 * an ACK with a wrong cookie is reset. */
static void test_syn_cookies(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80);
	struct tcp_opts syn = LINUX_SYN;
	for (int i = 0; i < 128; i++) {
		ut_cap_clear();
		ut_tcp_seg(s, (uint16_t) (10000 + i), 80, 5000, 0, TCP_SYN, NULL, 0, &syn);
		assert_int_equal(count_flags(0, TCP_SYN | TCP_ACK), 1);
	}
	assert_int_equal(s->tcp->cookies_sent, 0);
	int npcbs = s->tcp->npcbs;
	ut_cap_clear();
	syn.tsval = 7777;
	syn.wscale = 9;
	ut_tcp_seg(s, 4000, 80, 1000, 0, TCP_SYN, NULL, 0, &syn);
	struct tcp_repr r;
	assert_true(ut_tcp_last(0, &r));
	assert_int_equal(r.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r.ack, 1001);
	assert_int_equal(s->tcp->cookies_sent, 1);
	assert_int_equal(s->tcp->npcbs, npcbs);   /* no state */
	assert_true(r.opt.has_ts && r.opt.sack_perm && r.opt.has_wscale);
	assert_int_equal(r.opt.tsecr, 7777);
	uint32_t cookie = r.seq, tsval = r.opt.tsval;
	/* a wrong cookie: reset, nothing made */
	struct tcp_opts o = {.has_ts = true, .tsval = 7778, .tsecr = tsval};
	ut_cap_clear();
	ut_tcp_seg(s, 4000, 80, 1001, cookie + 2, TCP_ACK, NULL, 0, &o);
	assert_int_equal(count_flags(0, TCP_RST), 1);
	assert_int_equal(s->tcp->cookies_failed, 1);
	assert_int_equal(api_accept(s, l, NULL, NULL), -1);
	/* the right one, with data */
	ut_cap_clear();
	ut_tcp_seg(s, 4000, 80, 1001, cookie + 1, TCP_ACK | TCP_PSH, "hello", 5, &o);
	assert_int_equal(count_flags(0, TCP_RST), 0);
	assert_int_equal(s->tcp->cookies_recv, 1);
	int c = api_accept(s, l, NULL, NULL);
	assert_true(c >= 0);
	char buf[16];
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	struct tcp_pcb *p = find_pcb(s, 4000);
	assert_int_equal(p->state, TCPS_ESTABLISHED);
	assert_true(p->ts_ok && p->sack_ok && p->ws_ok);
	assert_int_equal(p->snd_wscale, 9);
	assert_int_equal(p->peer_mss, 1460);
	assert_int_equal(p->snd_una, cookie + 1);
	/* our data goes with TSvals not below the cookie's */
	ut_cap_clear();
	assert_int_equal(send_n(s, c, 100), 100);
	assert_true(ut_tcp_last(0, &r));
	assert_int_equal(r.seq, cookie + 1);
	assert_int_equal(r.ack, 1006);
	assert_true((int32_t) (r.opt.tsval - tsval) >= 0);
	api_close(s, c);
	api_close(s, l);
	ut_stack_free(s);
}

static struct tcp_info tinfo(struct ustack *s, int fd) {
	struct tcp_info ti;
	socklen_t l = sizeof(ti);
	assert_int_equal(api_getsockopt(s, fd, IPPROTO_TCP, TCP_INFO, &ti, &l), 0);
	return ti;
}

/* TCP_INFO's tcpi_last_data_recv, _data_sent, _ack_recv: milliseconds
 * since, counted from the handshake before any data (as Linux); data
 * arriving, data sent and an ACK arriving restart them. (The connection's
 * stamps are moved back by a second rather than waiting for it.) */
static void test_info_last(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	struct tcp_pcb *p = find_pcb(s, 9000);
	assert_true(p->last_data_rx && p->last_data_tx && p->last_ack_rx);
	p->last_data_rx -= MS(1000);
	p->last_data_tx -= MS(2000);
	p->last_ack_rx -= MS(3000);
	struct tcp_info ti = tinfo(s, c);
	assert_true(ti.tcpi_last_data_recv >= 1000 && ti.tcpi_last_data_recv < 1500);
	assert_true(ti.tcpi_last_data_sent >= 2000 && ti.tcpi_last_data_sent < 2500);
	assert_true(ti.tcpi_last_ack_recv >= 3000 && ti.tcpi_last_ack_recv < 3500);
	seg(s, 9000, lport, 7001, una, TCP_ACK | TCP_PSH, "data", 4, false);
	ti = tinfo(s, c);
	assert_true(ti.tcpi_last_data_recv < 500);
	assert_true(ti.tcpi_last_ack_recv < 500);
	assert_true(ti.tcpi_last_data_sent >= 2000);
	assert_int_equal(send_n(s, c, 10), 10);
	ti = tinfo(s, c);
	assert_true(ti.tcpi_last_data_sent < 500);
	api_close(s, c);
	ut_stack_free(s);
}

/* Limited transmit (RFC 3042): the first and second duplicate ACKs each
 * send one new segment beyond cwnd; the third starts the fast
 * retransmit (NewReno here: no SACK). */
static void test_limited_transmit(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	const uint32_t M = 1000;
	uint32_t seqs[32];
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 20 * M), 20 * M);
	assert_int_equal(data_seqs(from, seqs, 32), 10);
	seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, false);   /* 1 acked: 2 more (slow start) */
	from = ut_cap.n;
	seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, false);
	assert_int_equal(data_seqs(from, seqs, 32), 1);
	assert_int_equal(seqs[0], una + 12 * M);
	from = ut_cap.n;
	seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, false);
	assert_int_equal(data_seqs(from, seqs, 32), 1);
	assert_int_equal(seqs[0], una + 13 * M);
	from = ut_cap.n;
	seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, false);
	assert_true(data_seqs(from, seqs, 32) >= 1);
	assert_int_equal(seqs[0], una + M);   /* the fast retransmit */
	api_close(s, c);
	ut_stack_free(s);
}

/* SACK recovery with PRR (RFC 6937) as Linux: segment 0 lost of 10, 10
 * more queued; limited transmit sends one new segment on each of the
 * first two SACKs; the third starts recovery (ssthresh half of the 12 in
 * flight) and the fast retransmit goes at once; then one new segment for
 * every two delivered (ssthresh / RecoverFS = 6/10, rounded up), not
 * silence until pipe falls under cwnd. */
static void test_prr(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000, .sack_perm = true};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	use_reno(s, c);
	struct tcp_pcb *p = find_pcb(s, 9000);
	assert_true(p->sack_ok && !p->ts_ok);
	rtt_100ms(p);
	const uint32_t M = 1000;
	uint32_t seqs[32];
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 20 * M), 20 * M);
	assert_int_equal(data_seqs(from, seqs, 32), 10);
	/* the SACKs for segments 1.. k, and what each lets go */
	static const int expect[7] = {0, 1, 1, 1, 1, 0, 1};
	static const uint32_t first[7] = {0, 10, 11, 0, 12, 0, 13};
	struct tcp_opts a = {.nsack = 1};
	for (uint32_t k = 1; k <= 6; k++) {
		a.sack[0] = (struct tcp_sack_block) {una + M, una + (k + 1) * M};
		from = ut_cap.n;
		ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
		int n = data_seqs(from, seqs, 32);
		assert_int_equal(n, expect[k]);
		if (n)
			assert_int_equal(seqs[0], una + first[k] * M);
		if (k == 3) {
			assert_true(p->sack_recovery);
			assert_int_equal(p->ssthresh, 6 * M);
		}
	}
	api_close(s, c);
	ut_stack_free(s);
}

/* A resend lost again (packetdrill's prr-ss-30pkt-lost-1_4-11_16, MSS
 * 1000, 20 segments written, 10 sent): segments 1-4 lost, then the
 * resend of segment 2 too. Limited transmit, recovery on the third SACK
 * and the four resends, new data by PRR; then the SACK of the resends of
 * segments 3 and 4, sent after that of segment 2, makes RACK find the
 * resend of 2 lost (RFC 8985 6.2: sent before a delivered one, no
 * reordering window in recovery): it goes again at once, followed by new
 * data, not after the RTO as before (where a resend was never judged
 * again). Each step: the ACK and SACK block in, the segments out. */
static void test_lost_retransmit(void **state) {
	(void) state;
	struct ustack *s;
	int c;
	uint32_t una;
	uint16_t lport;
	struct tcp_pcb *p = sack_conn(&s, &c, &una, &lport);
	/* the script's clock: its handshake took 10 ms; the steps run at
	 * its times (ms after the write) on the test clock */
	p->srtt = p->min_rtt = 10000;
	p->rttvar = 5000;
	p->rto = 200000;
	uint64_t t0 = rt_now();
	const uint32_t M = 1000;
	uint32_t seqs[32];
	int from = ut_cap.n;
	s->timers_now = t0;
	assert_int_equal(send_n(s, c, 20 * M), 20 * M);
	s->timers_now = 0;
	assert_int_equal(data_seqs(from, seqs, 32), 10);
	/* the script's sequence numbers (1 is una) */
	static const struct {
		uint32_t ms, ack, left, right;
		int n;
		uint32_t out[2];
	} step[] = {
		{10, 1, 4001, 5001, 1, {10001}},
		{12, 1, 4001, 6001, 1, {11001}},
		{14, 1, 4001, 7001, 1, {1}},
		{16, 1, 4001, 8001, 1, {1001}},
		{18, 1, 4001, 9001, 1, {2001}},
		{20, 1, 4001, 10001, 1, {3001}},
		{22, 1, 4001, 11001, 1, {12001}},
		{24, 1, 4001, 12001, 1, {13001}},
		{34, 1001, 4001, 12001, 2, {14001, 15001}},
		{36, 1001, 2001, 12001, 2, {1001, 16001}},   /* the resend of 1001 lost */
		{38, 1001, 2001, 13001, 1, {17001}},
		{40, 1001, 2001, 14001, 1, {18001}},
	};
	struct tcp_opts a = {.nsack = 1};
	for (size_t k = 0; k < sizeof(step) / sizeof(step[0]); k++) {
		a.sack[0] = (struct tcp_sack_block) {una + step[k].left - 1, una + step[k].right - 1};
		from = ut_cap.n;
		s->timers_now = t0 + MS(step[k].ms);
		ut_tcp_seg(s, 9000, lport, 7001, una + step[k].ack - 1, TCP_ACK, NULL, 0, &a);
		s->timers_now = 0;
		int n = data_seqs(from, seqs, 32);
		if (n != step[k].n)
			fprintf(stderr, "step %zu: %d segments, first %u\n", k, n, n ? seqs[0] - una + 1 : 0);
		assert_int_equal(n, step[k].n);
		for (int i = 0; i < n; i++)
			assert_int_equal(seqs[i] - una + 1, step[k].out[i]);
		if (k == 2)
			assert_true(p->in_recovery && p->sack_recovery);
	}
	assert_true(p->in_recovery);
	assert_int_equal(s->tcp->mib.RTOs, 0);
	api_close(s, c);
	ut_stack_free(s);
}

/* RACK's order of sending when the clock stands still (a VDE link runs a
 * whole batch of input with one time): the first ACK of the batch lets a
 * new segment go (limited transmit), the second makes segment 0 lost and
 * it is resent, after the new one. When the SACK for the new segment
 * comes, the resend is not "sent before" it (equal times were broken by
 * sequence, which made every resend lost again and sent once more: 20-40
 * needless resends per 1.5 MB in test_tcp_kernel_peer's lossy ustack
 * pair). */
static void test_rack_same_time(void **state) {
	(void) state;
	struct ustack *s;
	int c;
	uint32_t una;
	uint16_t lport;
	struct tcp_pcb *p = sack_conn(&s, &c, &una, &lport);
	rtt_100ms(p);
	uint64_t t0 = rt_now();
	const uint32_t M = 1000;
	uint32_t seqs[32];
	int from = ut_cap.n;
	s->timers_now = t0;
	assert_int_equal(send_n(s, c, 20 * M), 20 * M);
	assert_int_equal(data_seqs(from, seqs, 32), 10);
	struct tcp_opts a = {.nsack = 1};
	/* one batch at 100 ms: segment 1 SACKed, then 1-3 */
	s->timers_now = t0 + MS(100);
	a.sack[0] = (struct tcp_sack_block) {una + M, una + 2 * M};
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	assert_int_equal(data_seqs(from, seqs, 32), 1);
	assert_int_equal(seqs[0], una + 10 * M);   /* limited transmit */
	a.sack[0] = (struct tcp_sack_block) {una + M, una + 4 * M};
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	int n = data_seqs(from, seqs, 32);
	assert_true(n >= 1);
	assert_int_equal(seqs[0], una);   /* segment 0 lost: resent */
	assert_true(p->in_recovery);
	/* 100 ms later the SACK of segment 10: the resend went after it */
	s->timers_now = t0 + MS(200);
	struct tcp_opts b = {.nsack = 2};
	b.sack[0] = (struct tcp_sack_block) {una + 10 * M, una + 11 * M};
	b.sack[1] = (struct tcp_sack_block) {una + M, una + 4 * M};
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &b);
	s->timers_now = 0;
	n = data_seqs(from, seqs, 32);
	for (int i = 0; i < n; i++)
		assert_true(seqs[i] != una);
	assert_true(p->tx[0].fl & TCP_TXR_RETRANS);   /* its resend still in flight */
	api_close(s, c);
	ut_stack_free(s);
}

/* RACK and the ambiguity of a resend (RFC 8985 6.2 step 2): segment 0
 * is thought lost and resent at 100 ms; at 150 ms the ACK of the
 * original arrives (its TSecr is the original's TSval). The resend's send
 * time must not become RACK's: 50 ms after it is longer than min_rtt, and
 * the six segments sent with segment 0 would all be declared lost and
 * resent. */
static void test_rack_tsecr(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = LINUX_SYN;
	synack.has_wscale = false;
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	struct tcp_pcb *p = find_pcb(s, 9000);
	assert_true(p->ts_ok && p->sack_ok);
	p->srtt = p->min_rtt = 10000;
	p->rttvar = 5000;
	p->rto = 200000;
	uint64_t t0 = rt_now();
	const uint32_t M = 1448;
	uint32_t seqs[32];
	int from = ut_cap.n;
	s->timers_now = t0;
	assert_int_equal(send_n(s, c, 20 * M), 20 * M);
	assert_int_equal(data_seqs(from, seqs, 32), 10);
	struct tcp_repr r0;
	assert_int_equal(tcp_parse(ut_tcp_of(from), ut_cap.len[from] - 34, &r0), 0);
	assert_int_equal(r0.seq, una);
	/* at 100 ms segments 1-3 SACKed: 0 lost, resent */
	s->timers_now = t0 + MS(100);
	struct tcp_opts a = {.has_ts = true, .tsval = 5000, .tsecr = r0.opt.tsval, .nsack = 1};
	a.sack[0] = (struct tcp_sack_block) {una + M, una + 4 * M};
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	int n = data_seqs(from, seqs, 32);
	assert_true(n >= 1);
	assert_int_equal(seqs[0], una);
	assert_true(p->in_recovery);
	/* at 150 ms the original arrives: the ACK echoes its TSval */
	s->timers_now = t0 + MS(150);
	a.tsval = 5050;
	a.nsack = 0;
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7001, una + 4 * M, TCP_ACK, NULL, 0, &a);
	s->timers_now = 0;
	n = data_seqs(from, seqs, 32);
	for (int i = 0; i < n; i++)
		assert_true(seq_geq(seqs[i], una + 10 * M));   /* new data only */
	for (uint32_t k = 4; k < 10; k++)
		assert_false(tcp_rack_is_lost(p, una + k * M));
	api_close(s, c);
	ut_stack_free(s);
}

/* RACK (RFC 8985 6, Linux's default loss detection): a SACK for the last
 * of four segments sent together does not make the first three lost at
 * once: the reordering window (min_rtt / 4) runs first, on the REO timer;
 * when it fires they are lost, recovery starts and the first goes again
 * (PRR: one segment), well before the RTO (packetdrill's
 * fr-4pkt-fack-last-mss); meanwhile TCP_INFO says Disorder */
static void test_rack_reo(void **state) {
	(void) state;
	struct ustack *s;
	int c;
	uint32_t una;
	uint16_t lport;
	struct tcp_pcb *p = sack_conn(&s, &c, &una, &lport);
	rtt_100ms(p);
	const uint32_t M = 1000;
	uint32_t seqs[32];
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 4 * M), 4 * M);
	assert_int_equal(data_seqs(from, seqs, 32), 4);
	assert_int_equal(p->ntx, 4);   /* one send record per segment */
	uint64_t sent = p->tx[0].at;
	struct tcp_opts a = {.nsack = 1};
	a.sack[0] = (struct tcp_sack_block) {una + 3 * M, una + 4 * M};
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	assert_int_equal(data_seqs(from, seqs, 32), 0);
	assert_false(p->in_recovery);
	assert_false(tcp_sb_is_lost(p, una));
	/* TCP_INFO: Disorder, cwnd untouched (packetdrill's
	 * cwnd-moderation-disorder-no-moderation) */
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.tcpi_ca_state, 1);
	assert_int_equal(ti.tcpi_snd_cwnd, 10);
	assert_int_equal(p->rtx_kind, TCP_RTX_REO);
	/* the send time + RACK.rtt (the test link's microseconds) + 25 ms,
	 * + 2 ms as Linux's timer (TCP_TIMEOUT_MIN) */
	assert_true(p->rtx_at >= sent + MS(27) && p->rtx_at < sent + MS(28));
	uint64_t at = p->rtx_at;
	run(s, at - 1);
	assert_int_equal(data_seqs(from, seqs, 32), 0);
	run(s, at);
	assert_int_equal(s->tcp->mib.RACKReoTimeouts, 1);
	assert_true(p->in_recovery && p->sack_recovery);
	assert_int_equal(data_seqs(from, seqs, 32), 1);
	assert_int_equal(seqs[0], una);
	/* all three stay marked lost until delivered (TCP_INFO's tcpi_lost,
	 * Linux's lost_out), the first resent */
	assert_true(tcp_sb_is_lost(p, una + M) && tcp_sb_is_lost(p, una + 2 * M));
	assert_true(p->tx[0].fl == (TCP_TXR_RETRANS | TCP_TXR_LOST | TCP_TXR_EVER));
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.tcpi_lost, 3);
	assert_int_equal(ti.tcpi_ca_state, 3);
	/* the RTO is behind it again */
	assert_int_equal(p->rtx_kind, TCP_RTX_RTO);
	assert_true(p->rtx_at > at);
	/* the next ACK (delivering the resend) lets the next lost one go */
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, &a);
	int n = data_seqs(from, seqs, 32);
	assert_true(n >= 1);
	assert_int_equal(seqs[0], una + M);
	api_close(s, c);
	ut_stack_free(s);
}

/* RACK's reordering window grows with D-SACKs (RFC 8985 6.2 step 4, as
 * Linux's tcp_rack_update_reo_wnd): a D-SACK adds a quarter of min_rtt,
 * once a round trip (it counts once a segment sent after the last growth
 * was delivered); 16 recoveries without one bring it back to a quarter.
 * Without it, a path that reorders by more than min_rtt / 4 had every
 * late segment resent (test_tcp_badnet's "reorder": 2,546 resends per
 * 32 MiB against Linux's 800-1,400; 1,250-1,330 since). Seen on the REO
 * timer of four segments whose last is SACKed 1 ms after they went: send
 * time + RACK.rtt (1 ms, less the nanoseconds between the segments'
 * send times, in whole microseconds) + reo_wnd + 2 ms. On the test clock
 * (*T, moved on by each step). */
static void at_ms(struct ustack *s, uint64_t *T, uint64_t ms) {
	*T += MS(ms);
	s->timers_now = *T;
}

static uint64_t reo_deadline(struct ustack *s, int c, struct tcp_pcb *p, uint16_t lport, uint32_t *una,
		uint64_t *T) {
	const uint32_t M = 1000;
	rtt_100ms(p);
	p->cwnd = 10 * M;   /* (each recovery reduced it) */
	at_ms(s, T, 1);
	assert_int_equal(send_n(s, c, 4 * M), 4 * M);
	assert_int_equal(p->ntx, 4);
	uint64_t sent = p->tx[0].at;
	struct tcp_opts a = {.nsack = 1};
	a.sack[0] = (struct tcp_sack_block) {*una + 3 * M, *una + 4 * M};
	at_ms(s, T, 1);
	ut_tcp_seg(s, 9000, lport, 7001, *una, TCP_ACK, NULL, 0, &a);
	assert_int_equal(p->rtx_kind, TCP_RTX_REO);
	uint64_t at = p->rtx_at - sent;
	/* the REO timer: lost, resent; then all acknowledged, recovery over */
	*T = p->rtx_at;
	run(s, *T);
	assert_true(p->in_recovery);
	*una += 4 * M;
	at_ms(s, T, 1);
	ut_tcp_seg(s, 9000, lport, 7001, *una, TCP_ACK, NULL, 0, NULL);
	assert_false(p->in_recovery);
	return at;
}

static void test_rack_reo_dsack(void **state) {
	(void) state;
	struct ustack *s;
	int c;
	uint32_t una;
	uint16_t lport;
	struct tcp_pcb *p = sack_conn(&s, &c, &una, &lport);
	const uint32_t M = 1000;
	uint64_t T = rt_now() + MS(1000);
	/* no D-SACK yet: 25 ms */
	assert_in_range(reo_deadline(s, c, p, lport, &una, &T), MS(28) - 10000, MS(28));
	/* four segments; the first ACK carries a D-SACK (a block below the
	 * ACK): the window doubles; a second in the same round trip (for
	 * segments sent before the first) changes nothing */
	rtt_100ms(p);
	at_ms(s, &T, 1);
	assert_int_equal(send_n(s, c, 4 * M), 4 * M);
	struct tcp_opts a = {.nsack = 1};
	a.sack[0] = (struct tcp_sack_block) {una - M, una};
	at_ms(s, &T, 1);
	ut_tcp_seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, &a);
	a.sack[0] = (struct tcp_sack_block) {una, una + M};
	at_ms(s, &T, 1);
	ut_tcp_seg(s, 9000, lport, 7001, una + 2 * M, TCP_ACK, NULL, 0, &a);
	una += 4 * M;
	at_ms(s, &T, 1);
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, NULL);
	assert_in_range(reo_deadline(s, c, p, lport, &una, &T), MS(53) - 10000, MS(53));
	/* a D-SACK after that round trip (segments sent since delivered):
	 * three quarters */
	a.sack[0] = (struct tcp_sack_block) {una - M, una};
	at_ms(s, &T, 1);
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	assert_in_range(reo_deadline(s, c, p, lport, &una, &T), MS(78) - 10000, MS(78));
	/* never above SRTT (100 ms) */
	for (int i = 0; i < 3; i++) {
		rtt_100ms(p);
		at_ms(s, &T, 1);
		assert_int_equal(send_n(s, c, M), M);
		a.sack[0] = (struct tcp_sack_block) {una - M, una};
		una += M;
		at_ms(s, &T, 1);
		ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	}
	assert_in_range(reo_deadline(s, c, p, lport, &una, &T), MS(103) - 10000, MS(103));
	/* recoveries without a D-SACK: it holds for 16, then a quarter again
	 * (that reo_deadline was the first) */
	for (int i = 0; i < 15; i++)
		assert_in_range(reo_deadline(s, c, p, lport, &una, &T), MS(103) - 10000, MS(103));
	assert_in_range(reo_deadline(s, c, p, lport, &una, &T), MS(28) - 10000, MS(28));
	s->timers_now = 0;
	api_close(s, c);
	ut_stack_free(s);
}

/* SACK blocks apply to whole segments, as Linux's (a block that covers
 * part of a segment is not taken: packetdrill's fr-4pkt-fack-last-byte
 * then resends the segment whole); a segment never resent SACKed below
 * the highest SACKed one shows reordering, TCP_INFO's tcpi_reordering
 * (packetdrill's sack-shift-sacked-7-3-4-8-9-fack) */
static void test_sack_whole_reordering(void **state) {
	(void) state;
	struct ustack *s;
	int c;
	uint32_t una;
	uint16_t lport;
	struct tcp_pcb *p = sack_conn(&s, &c, &una, &lport);
	rtt_100ms(p);
	const uint32_t M = 1000;
	assert_int_equal(send_n(s, c, 10 * M), 10 * M);
	struct tcp_opts a = {.nsack = 1};
	a.sack[0] = (struct tcp_sack_block) {una + 4 * M - 1, una + 4 * M};
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	assert_true(p->sb == NULL || p->sb->n == 0);
	a.sack[0] = (struct tcp_sack_block) {una + 2 * M + 500, una + 5 * M + 10};
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	assert_non_null(p->sb);
	assert_int_equal(p->sb->n, 1);
	assert_int_equal(p->sb->b[0].left, una + 3 * M);
	assert_int_equal(p->sb->b[0].right, una + 5 * M);
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.tcpi_reordering, 3);
	assert_false(p->reord_seen);
	a.nsack = 2;
	a.sack[0] = (struct tcp_sack_block) {una + 9 * M, una + 10 * M};
	a.sack[1] = (struct tcp_sack_block) {una + 3 * M, una + 5 * M};
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	assert_false(p->reord_seen);   /* above all SACKed before */
	a.sack[0] = (struct tcp_sack_block) {una + 1 * M, una + 2 * M};
	a.sack[1] = (struct tcp_sack_block) {una + 3 * M, una + 5 * M};
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	assert_true(p->reord_seen);
	tl = sizeof(ti);
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.tcpi_reordering, 9);   /* 10 M - 1 M */
	api_close(s, c);
	ut_stack_free(s);
}

/* D-SACK undo (RFC 2883 / 3708, Linux tcp_try_undo_dsack): a fast
 * retransmit whose segment the peer then reports as a duplicate was not
 * needed (the original was only late): once every resend of the recovery
 * came back so, the window is given back; an ACK without one undoes
 * nothing */
static void test_dsack_undo(void **state) {
	(void) state;
	struct ustack *s;
	int c;
	uint32_t una;
	uint16_t lport;
	struct tcp_pcb *p = sack_conn(&s, &c, &una, &lport);
	rtt_100ms(p);
	const uint32_t M = 1000;
	uint32_t seqs[32];
	assert_int_equal(send_n(s, c, 10 * M), 10 * M);
	uint32_t cwnd0 = p->cwnd, ssthresh0 = p->ssthresh;
	struct tcp_opts a = {.nsack = 1};
	a.sack[0] = (struct tcp_sack_block) {una + M, una + 4 * M};
	int from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	assert_true(p->sack_recovery);
	assert_int_equal(data_seqs(from, seqs, 32), 1);
	assert_int_equal(seqs[0], una);
	assert_int_equal(p->undo_retrans, 1);
	/* everything acknowledged, no D-SACK: recovery over, window reduced */
	ut_tcp_seg(s, 9000, lport, 7001, una + 10 * M, TCP_ACK, NULL, 0, NULL);
	assert_false(p->in_recovery);
	assert_true(p->cwnd < cwnd0);
	assert_int_equal(s->tcp->mib.DSACKUndo, 0);
	/* then the duplicate of segment 0 reported: the resend was needless */
	a.sack[0] = (struct tcp_sack_block) {una, una + M};
	ut_tcp_seg(s, 9000, lport, 7001, una + 10 * M, TCP_ACK, NULL, 0, &a);
	assert_int_equal(s->tcp->mib.DSACKUndo, 1);
	assert_int_equal(p->cwnd, cwnd0);
	assert_int_equal(p->ssthresh, ssthresh0);
	assert_false(p->dsack_undo);
	api_close(s, c);
	ut_stack_free(s);
}

/* An ACK below snd_una (reordered on the way) still brings its SACK
 * blocks, as Linux's tcp_ack: the scoreboard takes them, and in recovery
 * PRR lets the delivered data's worth go (packetdrill's
 * prr-ss-ack-below-snd_una-cubic) */
static void test_old_ack_sack(void **state) {
	(void) state;
	struct ustack *s;
	int c;
	uint32_t una;
	uint16_t lport;
	struct tcp_pcb *p = sack_conn(&s, &c, &una, &lport);
	rtt_100ms(p);
	const uint32_t M = 1000;
	uint32_t seqs[32];
	assert_int_equal(send_n(s, c, 10 * M), 10 * M);
	/* 0 lost: recovery on three SACKed above it */
	struct tcp_opts a = {.nsack = 1};
	a.sack[0] = (struct tcp_sack_block) {una + M, una + 4 * M};
	ut_tcp_seg(s, 9000, lport, 7001, una, TCP_ACK, NULL, 0, &a);
	assert_true(p->sack_recovery);
	/* the resend arrives: ACK up to 4; then an older ACK, for 2, SACKing 6-7 */
	ut_tcp_seg(s, 9000, lport, 7001, una + 4 * M, TCP_ACK, NULL, 0, NULL);
	assert_int_equal(p->snd_una, una + 4 * M);
	assert_int_equal(send_n(s, c, 4 * M), 4 * M);
	a.sack[0] = (struct tcp_sack_block) {una + 6 * M, una + 8 * M};
	int from = ut_cap.n;
	ut_tcp_seg(s, 9000, lport, 7001, una + 2 * M, TCP_ACK, NULL, 0, &a);
	assert_int_equal(p->snd_una, una + 4 * M);
	assert_non_null(p->sb);
	assert_true(tcp_sb_sacked(p, una + 6 * M) && tcp_sb_sacked(p, una + 8 * M - 1));
	/* two segments delivered: PRR lets segments go */
	assert_true(data_seqs(from, seqs, 32) >= 1);
	api_close(s, c);
	ut_stack_free(s);
}

/* packetdrill's prr-ss-ack-below-snd_una-cubic on the test clock (RTT 10
 * ms): segments 0, 4 and 7 of 10 lost; after the fast retransmit and the
 * resends of 4-6, an ACK below snd_una SACKs the resends of 5-6. They were
 * delivered 2 ms after they went, less than min_rtt: their earlier copies
 * were, so RACK keeps segment 8's send time; segment 7, sent before 8, is
 * lost and goes, then new data, and segment 9 (sent after 8) is not
 * lost. Also with that ACK 4 ms late (as the harness delivered it): it
 * does not move RACK, so it marks nothing by the clock alone; the REO
 * timer (22 ms + RACK.rtt... + 2 ms) has not fired yet. */
static void prr_old_ack_script(uint32_t last_ms) {
	struct ustack *s;
	int c;
	uint32_t una;
	uint16_t lport;
	struct tcp_pcb *p = sack_conn(&s, &c, &una, &lport);
	p->srtt = p->min_rtt = 10000;
	p->rttvar = 5000;
	p->rto = 200000;
	uint64_t t0 = rt_now();
	const uint32_t M = 1000;
	uint32_t seqs[32];
	int from = ut_cap.n;
	s->timers_now = t0;
	assert_int_equal(send_n(s, c, 10 * M), 10 * M);
	assert_int_equal(data_seqs(from, seqs, 32), 10);
	static const struct {
		uint32_t ms, ack;
		int nsack;
		uint32_t l0, r0, l1, r1;
		int write, n;
		uint32_t out[3];
	} step[] = {
		{10, 1, 1, 1001, 2001, 0, 0, 0, 0, {0}},
		{10, 1, 1, 1001, 3001, 0, 0, 0, 0, {0}},
		{10, 1, 2, 1001, 3001, 8001, 9001, 0, 1, {1}},
		{22, 4001, 1, 8001, 9001, 0, 0, 10000, 3, {4001, 5001, 6001}},
		{0, 3001, 1, 5001, 7001, 0, 0, 0, 2, {7001, 10001}},
	};
	for (size_t k = 0; k < sizeof(step) / sizeof(step[0]); k++) {
		struct tcp_opts a = {.nsack = (uint8_t) step[k].nsack};
		a.sack[0] = (struct tcp_sack_block) {una + step[k].l0 - 1, una + step[k].r0 - 1};
		a.sack[1] = (struct tcp_sack_block) {una + step[k].l1 - 1, una + step[k].r1 - 1};
		from = ut_cap.n;
		s->timers_now = t0 + MS(step[k].ms ? step[k].ms : last_ms);
		ut_tcp_seg(s, 9000, lport, 7001, una + step[k].ack - 1, TCP_ACK, NULL, 0, &a);
		if (step[k].write)
			assert_int_equal(send_n(s, c, step[k].write), step[k].write);
		s->timers_now = 0;
		int n = data_seqs(from, seqs, 32);
		if (n != step[k].n || (n && seqs[n - 1] - una + 1 != step[k].out[n - 1]))
			for (int i = 0; i < n; i++)
				fprintf(stderr, "step %zu: out %u\n", k, seqs[i] - una + 1);
		assert_int_equal(n, step[k].n);
		for (int i = 0; i < n; i++)
			assert_int_equal(seqs[i] - una + 1, step[k].out[i]);
	}
	api_close(s, c);
	ut_stack_free(s);
}

static void test_prr_old_ack_script(void **state) {
	(void) state;
	prr_old_ack_script(24);
	prr_old_ack_script(26);
}

struct linger_peer {
	struct ustack *s;
	uint16_t lport;
	uint32_t ack;
	volatile bool sent;
};

/* the peer acknowledges data and FIN 100 ms later (real time: close
 * sleeps in sock_wait meanwhile) */
static void *linger_ack(void *v) {
	struct linger_peer *a = v;
	usleep(100000);
	a->sent = true;
	ut_tcp_seg(a->s, 9000, a->lport, 7001, a->ack, TCP_ACK, NULL, 0, NULL);
	return NULL;
}

/* the peer of test_write_wakeup: two ACKs, 100 ms apart (real time: the
 * writer sleeps in sock_wait meanwhile); phase says which went */
struct wakeup_peer {
	struct ustack *s;
	uint16_t lport;
	uint32_t una;
	uint32_t queued_after_first;
	volatile int phase;
};

static void *wakeup_acks(void *v) {
	struct wakeup_peer *a = v;
	usleep(50000);
	a->phase = 1;
	seg(a->s, 9000, a->lport, 7001, a->una + 2000, TCP_ACK, NULL, 0, false);
	usleep(100000);
	struct tcp_pcb *p = find_pcb(a->s, 9000);
	a->queued_after_first = p ? p->sndq.len : 0;
	a->phase = 2;
	seg(a->s, 9000, a->lport, 7001, a->una + 4000, TCP_ACK, NULL, 0, false);
	return NULL;
}

/* A writer blocked on a full send buffer is woken as Linux's
 * sk_stream_write_space wakes it: once the free space is at least half
 * of what is queued (packetdrill's blocking-write: not at every ACK that
 * frees some). SO_SNDBUF 5000: a buffer of 10000 bytes; a blocking write
 * of 12000 queues 10000 and sleeps; the ACK of 2000 leaves 8000 queued,
 * 2000 free (less than 4000): it sleeps on; the ACK of 4000 leaves 6000,
 * 4000 free (at least 3000): the write takes its last 2000 and returns.
 * POLLOUT follows the same rule. */
static void test_write_wakeup(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	int v = 5000;
	assert_int_equal(api_setsockopt(s, c, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLOUT};
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev), 0);
	assert_int_equal(api_fcntl(s, c, F_SETFL, 0), 0);   /* blocking */
	struct wakeup_peer a = {.s = s, .lport = lport, .una = una};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, wakeup_acks, &a), 0);
	static uint8_t buf[12000];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	assert_int_equal(api_sendmsg(s, c, &msg, 0), 12000);
	assert_int_equal(a.phase, 2);   /* returned after the second ACK only */
	pthread_join(t, NULL);
	assert_int_equal(a.queued_after_first, 8000);   /* nothing added then */
	struct tcp_pcb *p = find_pcb(s, 9000);
	assert_int_equal(p->sndq.len, 8000);
	/* POLLOUT: 8000 queued, 2000 free: not writable; an ACK leaving 6000
	 * queued, 4000 free: writable */
	assert_int_equal(ep_now(ep), 0);
	seg(s, 9000, lport, 7001, una + 6000, TCP_ACK, NULL, 0, false);
	assert_int_equal(ep_now(ep), EPOLLOUT);
	close(ep);
	api_close(s, c);
	ut_stack_free(s);
}

/* SO_LINGER with a time, as Linux's tcp_close: close() sends the FIN and
 * waits (on a non-blocking socket too) until data and FIN are
 * acknowledged; when the time passes first it returns and the connection
 * goes on as an orphan (Linux sends no reset then) */
static void test_linger(void **state) {
	(void) state;
	for (int round = 0; round < 2; round++) {
		struct ustack *s = ut_stack();
		ut_tcp_learn_peer(s);
		struct tcp_opts synack = {.has_mss = true, .mss = 1000};
		uint32_t una;
		uint16_t lport;
		int c = connect_peer(s, &synack, &una, &lport);
		struct tcp_pcb *p = find_pcb(s, 9000);
		assert_int_equal(send_n(s, c, 1000), 1000);
		struct linger lg = {.l_onoff = 1, .l_linger = round == 0 ? 5 : 1};
		assert_int_equal(api_setsockopt(s, c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
		int from = ut_cap.n;
		if (round == 0) {
			struct linger_peer a = {.s = s, .lport = lport, .ack = una + 1001};
			pthread_t t;
			assert_int_equal(pthread_create(&t, NULL, linger_ack, &a), 0);
			assert_int_equal(api_close(s, c), 0);
			assert_true(a.sent);   /* close returned after the ACK came */
			pthread_join(t, NULL);
			assert_int_equal(p->state, TCPS_FIN_WAIT2);
		} else {
			uint64_t t0 = rt_now();
			assert_int_equal(api_close(s, c), 0);
			assert_true(rt_now() - t0 >= MS(1000));   /* the linger time, waited */
			assert_int_equal(p->state, TCPS_FIN_WAIT1);   /* an orphan now */
			assert_true(p->orphan);
		}
		assert_int_equal(count_flags(from, TCP_RST) + count_flags(from, TCP_RST | TCP_ACK), 0);
		ut_stack_free(s);
	}
}

/* connect() again after a refused attempt, as Linux's
 * __inet_stream_connect: the next call reports the pending error (or,
 * once SO_ERROR took it, ECONNABORTED) and resets the socket; the one
 * after starts a new attempt (a new SYN, EINPROGRESS) */
static void test_connect_again(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	for (int round = 0; round < 2; round++) {
		int c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000), .sin_addr.s_addr = inet_addr(PEER)};
		int from = ut_cap.n;
		assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), -1);
		assert_int_equal(errno, EINPROGRESS);
		struct tcp_repr r;
		assert_true(ut_tcp_last(from, &r));
		assert_true(r.flags & TCP_SYN);
		/* refused */
		seg(s, 9000, r.sport, 0, r.seq + 1, TCP_RST | TCP_ACK, NULL, 0, false);
		if (round == 1) {
			int e = 0;
			socklen_t el = sizeof(e);
			assert_int_equal(api_getsockopt(s, c, SOL_SOCKET, SO_ERROR, &e, &el), 0);
			assert_int_equal(e, ECONNREFUSED);
		}
		assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), -1);
		assert_int_equal(errno, round == 0 ? ECONNREFUSED : ECONNABORTED);
		/* the error is consumed */
		int e = -1;
		socklen_t el = sizeof(e);
		assert_int_equal(api_getsockopt(s, c, SOL_SOCKET, SO_ERROR, &e, &el), 0);
		assert_int_equal(e, 0);
		/* a new attempt */
		from = ut_cap.n;
		assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), -1);
		assert_int_equal(errno, EINPROGRESS);
		assert_true(ut_tcp_last(from, &r));
		assert_true(r.flags & TCP_SYN);
		assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), -1);
		assert_int_equal(errno, EALREADY);
		api_close(s, c);
	}
	ut_stack_free(s);
}

/* F-RTO (RFC 5682, Linux tcp_frto=2) for a timeout without timestamps:
 * the first ACK after it (of the resend) lets new data go instead of more
 * resends; then an ACK of data sent before the timeout and never resent
 * says the timeout was spurious: the window comes back, nothing more is
 * resent (counter SpuriousRTOs); a duplicate ACK instead says the loss
 * was real: go-back-N from snd_una */
static void test_frto(void **state) {
	(void) state;
	for (int spurious = 1; spurious >= 0; spurious--) {
		struct ustack *s = ut_stack();
		ut_tcp_learn_peer(s);
		struct tcp_opts synack = {.has_mss = true, .mss = 1000};
		uint32_t una;
		uint16_t lport;
		int c = connect_peer(s, &synack, &una, &lport);
		struct tcp_pcb *p = find_pcb(s, 9000);
		assert_false(p->ts_ok || p->sack_ok);
		rtt_100ms(p);
		const uint32_t M = 1000;
		uint32_t seqs[32];
		assert_int_equal(send_n(s, c, 14 * M), 14 * M);   /* 10 go, 4 wait */
		uint32_t cwnd0 = p->cwnd;
		int from = ut_cap.n;
		run(s, p->rtx_at);
		assert_true(p->in_loss && p->frto);
		assert_int_equal(data_seqs(from, seqs, 32), 1);
		assert_int_equal(seqs[0], una);
		/* the resend acknowledged: new data, not segment 1 again */
		from = ut_cap.n;
		ut_tcp_seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, NULL);
		int n = data_seqs(from, seqs, 32);
		assert_true(n >= 1);
		for (int i = 0; i < n; i++)
			assert_true(seq_geq(seqs[i], una + 10 * M));
		assert_true(p->frto_new);
		from = ut_cap.n;
		if (spurious) {
			ut_tcp_seg(s, 9000, lport, 7001, una + 10 * M, TCP_ACK, NULL, 0, NULL);
			assert_int_equal(s->tcp->mib.SpuriousRTOs, 1);
			assert_false(p->in_loss);
			assert_true(p->cwnd >= cwnd0);
			n = data_seqs(from, seqs, 32);
			for (int i = 0; i < n; i++)
				assert_true(seq_geq(seqs[i], una + 10 * M));   /* no resend */
		} else {
			ut_tcp_seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, NULL);
			assert_int_equal(s->tcp->mib.SpuriousRTOs, 0);
			assert_true(p->in_loss && !p->frto);
			/* segment 2, still missing, goes again at once */
			n = data_seqs(from, seqs, 32);
			assert_true(n >= 1);
			assert_int_equal(seqs[0], una + M);
		}
		api_close(s, c);
		ut_stack_free(s);
	}
}

/* TLP (RFC 8985 7, Linux tcp_send_loss_probe): the tail of a flight
 * unanswered: 2 SRTT (+2 ms) after the last ACK, before the RTO, the last
 * segment again (nothing new to send); an ACK D-SACKing the probe says
 * nothing was lost: the window stays. With one segment in flight the
 * probe waits 200 ms more (the peer's delayed ACK); an ACK beyond a probe
 * it does not D-SACK says the probe repaired a loss: one reduction. With
 * data held by cwnd, the probe is a new segment. */
static void test_tlp(void **state) {
	(void) state;
	struct ustack *s;
	int c;
	uint32_t una;
	uint16_t lport;
	struct tcp_pcb *p = sack_conn(&s, &c, &una, &lport);
	rtt_100ms(p);
	const uint32_t M = 1000;
	uint32_t seqs[32];
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 4 * M), 4 * M);
	assert_int_equal(data_seqs(from, seqs, 32), 4);
	uint64_t t0 = rt_now();
	ut_tcp_seg(s, 9000, lport, 7001, una + M, TCP_ACK, NULL, 0, NULL);
	uint64_t t1 = rt_now();
	assert_int_equal(p->rtx_kind, TCP_RTX_TLP);
	uint64_t pto = 2ull * p->srtt * 1000 + MS(2);
	assert_true(p->rtx_at >= t0 + pto && p->rtx_at <= t1 + pto);
	assert_true(p->rtx_at < p->tlp_rto_at);   /* before the RTO */
	uint32_t cwnd = p->cwnd;
	from = ut_cap.n;
	uint64_t at = p->rtx_at;
	run(s, at);
	assert_int_equal(data_seqs(from, seqs, 32), 1);
	assert_int_equal(seqs[0], una + 3 * M);
	assert_int_equal(s->tcp->mib.TLPProbes, 1);
	assert_true(p->tlp_out && p->tlp_retrans);
	assert_int_equal(p->tlp_high_seq, una + 4 * M);
	/* after a probe the RTO runs again from the probe (Linux;
	 * packetdrill's fr-4pkt-fack-last-byte) */
	assert_int_equal(p->rtx_kind, TCP_RTX_RTO);
	assert_true(p->rtx_at == at + (uint64_t) p->rto * 1000);
	/* no second probe while one is out: the RTO comes next */
	struct tcp_opts d = {.nsack = 1};
	d.sack[0] = (struct tcp_sack_block) {una + 3 * M, una + 4 * M};
	ut_tcp_seg(s, 9000, lport, 7001, una + 4 * M, TCP_ACK, NULL, 0, &d);
	assert_false(p->tlp_out);
	assert_int_equal(s->tcp->mib.TLPRecovery, 0);
	assert_int_equal(p->cwnd, cwnd);
	una += 4 * M;
	/* one segment in flight: 2 SRTT + 200 ms */
	from = ut_cap.n;
	t0 = rt_now();
	assert_int_equal(send_n(s, c, M), M);
	t1 = rt_now();
	assert_int_equal(data_seqs(from, seqs, 32), 1);
	assert_int_equal(p->rtx_kind, TCP_RTX_TLP);
	pto = 2ull * p->srtt * 1000 + MS(200);
	if (pto > (uint64_t) p->rto * 1000)
		pto = (uint64_t) p->rto * 1000;   /* never after the RTO */
	assert_true(p->rtx_at >= t0 + pto && p->rtx_at <= t1 + pto);
	from = ut_cap.n;
	run(s, p->rtx_at);
	assert_int_equal(data_seqs(from, seqs, 32), 1);
	assert_int_equal(seqs[0], una);
	assert_true(p->tlp_out && p->tlp_retrans);
	/* more data, then an ACK beyond the probe without a D-SACK */
	assert_int_equal(send_n(s, c, M), M);
	ut_tcp_seg(s, 9000, lport, 7001, una + 2 * M, TCP_ACK, NULL, 0, NULL);
	assert_false(p->tlp_out);
	assert_int_equal(s->tcp->mib.TLPRecovery, 1);
	assert_true(p->cwnd < cwnd && p->cwnd == p->ssthresh);
	una += 2 * M;
	/* cwnd holds data back: the probe sends a new segment beyond it */
	p->cwnd = 2 * M;
	from = ut_cap.n;
	assert_int_equal(send_n(s, c, 4 * M), 4 * M);
	assert_int_equal(data_seqs(from, seqs, 32), 2);
	assert_int_equal(p->rtx_kind, TCP_RTX_TLP);
	from = ut_cap.n;
	run(s, p->rtx_at);
	assert_int_equal(data_seqs(from, seqs, 32), 1);
	assert_int_equal(seqs[0], una + 2 * M);
	assert_true(p->tlp_out && !p->tlp_retrans);
	assert_int_equal(s->tcp->mib.TLPProbes, 3);
	api_close(s, c);
	ut_stack_free(s);
}

/* a segment from the peer with window w (unscaled field) */
static void seg_win(struct ustack *s, uint16_t sport, uint16_t dport, uint32_t seqno, uint32_t ackno, uint16_t w) {
	struct tcp_repr r = {.sport = sport, .dport = dport, .seq = seqno, .ack = ackno, .flags = TCP_ACK, .window = w};
	ut_tcp_inject(s, &r, 0);
}

/* TCP_INFO's chrono stats as Linux: tcpi_rwnd_limited while data waits on
 * the peer's window, tcpi_sndbuf_limited while a writer finds the send
 * buffer full and all of it has left, tcpi_busy_time the time with data queued (the three
 * together); nothing counts once all is acknowledged. (Elapsed time is
 * made by moving the state's start back.) */
static void test_info_chrono(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1000};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	struct tcp_pcb *p = find_pcb(s, 9000);
	seg_win(s, 9000, lport, 7001, una, 0);   /* the peer's window closes */
	struct tcp_info ti = tinfo(s, c);
	assert_true(ti.tcpi_busy_time == 0 && ti.tcpi_rwnd_limited == 0);
	assert_int_equal(send_n(s, c, 1000), 1000);
	assert_int_equal(p->chrono_type, TCP_CHRONO_RWND);
	p->chrono_start -= MS(100);
	ti = tinfo(s, c);
	assert_true(ti.tcpi_rwnd_limited >= 100000 && ti.tcpi_rwnd_limited < 150000);
	assert_true(ti.tcpi_busy_time >= ti.tcpi_rwnd_limited && ti.tcpi_busy_time < 150000);
	/* the window opens: the data goes, busy (not window-limited) until acknowledged */
	seg_win(s, 9000, lport, 7001, una, 2000);
	assert_int_equal(p->chrono_type, TCP_CHRONO_BUSY);
	p->chrono_start -= MS(30);
	seg_win(s, 9000, lport, 7001, una + 1000, 2000);
	assert_int_equal(p->chrono_type, TCP_CHRONO_NONE);
	ti = tinfo(s, c);
	assert_true(ti.tcpi_rwnd_limited >= 100000 && ti.tcpi_rwnd_limited < 150000);
	assert_true(ti.tcpi_busy_time >= 130000 && ti.tcpi_busy_time < 200000);
	assert_int_equal(ti.tcpi_sndbuf_limited, 0);
	una += 1000;
	/* a full send buffer whose data waits on the peer's window: window-
	 * limited, not send-buffer limited (Linux counts that only once all
	 * that is queued has left, cwnd not limiting: tcp_cwnd_validate) */
	int v = 2048;   /* Linux doubles it, to at least 4608: under half of cwnd (10000) */
	assert_int_equal(api_setsockopt(s, c, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0);
	ssize_t n, total = 0;
	while ((n = send_n(s, c, 4096)) > 0)
		total += n;
	assert_true(total > 2000 && total <= 4608);
	assert_true(p->nospace);
	assert_int_equal(p->chrono_type, TCP_CHRONO_RWND);
	/* the window opens, nothing acknowledged: all goes, and the writer
	 * still finds no room: send-buffer limited until an ACK makes room */
	seg_win(s, 9000, lport, 7001, una, 60000);
	assert_int_equal(p->snd_nxt, una + (uint32_t) total);
	assert_int_equal(p->chrono_type, TCP_CHRONO_SNDBUF);
	p->chrono_start -= MS(50);
	seg_win(s, 9000, lport, 7001, una + (uint32_t) total, 60000);
	assert_false(p->nospace);
	assert_true(p->chrono_type < TCP_CHRONO_SNDBUF);
	ti = tinfo(s, c);
	assert_true(ti.tcpi_sndbuf_limited >= 50000 && ti.tcpi_sndbuf_limited < 100000);
	api_close(s, c);
	ut_stack_free(s);
}

/* New data for a socket that will never read it (closed, or shut down
 * both ways: FIN-WAIT) resets the connection (RFC 1122 4.2.2.13, Linux's
 * TCPAbortOnData, packetdrill's user_timeout.pkt), with the reset Linux
 * makes: the answer to that segment, <SEQ=SEG.ACK><CTL=RST>; data sent
 * again from before rcv_nxt does not. */
static void test_abort_on_data(void **state) {
	(void) state;
	for (int closed = 0; closed < 2; closed++) {
		struct ustack *s = ut_stack();
		ut_tcp_learn_peer(s);
		struct tcp_opts synack = {.has_mss = true, .mss = 1000};
		uint32_t una;
		uint16_t lport;
		int c = connect_peer(s, &synack, &una, &lport);
		seg(s, 9000, lport, 7001, una, TCP_ACK, "ab", 2, false);
		char buf[8];
		struct iovec iov = {buf, sizeof(buf)};
		assert_int_equal(api_readv(s, c, &iov, 1), 2);
		int from = ut_cap.n;
		if (closed)
			api_close(s, c);
		else
			assert_int_equal(api_shutdown(s, c, SHUT_RDWR), 0);
		struct tcp_repr r;
		assert_true(ut_tcp_last(from, &r));
		assert_int_equal(r.flags, TCP_FIN | TCP_ACK);
		/* the old bytes again: acknowledged, no reset */
		from = ut_cap.n;
		seg(s, 9000, lport, 7001, una, TCP_ACK, "ab", 2, false);
		assert_int_equal(count_flags(from, TCP_RST), 0);
		assert_int_equal(s->tcp->npcbs, 1);
		/* a new byte: the reset, and the connection is gone */
		from = ut_cap.n;
		seg(s, 9000, lport, 7003, una, TCP_ACK, "c", 1, false);
		assert_true(ut_tcp_last(from, &r));
		assert_int_equal(r.flags, TCP_RST);
		assert_int_equal(r.seq, una);
		if (closed)
			assert_int_equal(s->tcp->npcbs, 0);
		else {
			assert_int_equal(api_readv(s, c, &iov, 1), -1);
			assert_int_equal(errno, ECONNRESET);
			api_close(s, c);
		}
		ut_stack_free(s);
	}
}

/* ECN by the stack option tcp_ecn (Linux's sysctl): 1 asks on our SYN
 * (ECE, CWR; not on the SYN sent again, RFC 3168 6.1.1) and takes an
 * ECN-setup SYN-ACK (ECE alone), after which new data is ECT(0)
 * (packetdrill's ecn-uses-ect0); a SYN-ACK with ECE and CWR is not one;
 * 0 refuses a peer's ECN-setup SYN. */
static void test_ecn_option(void **state) {
	(void) state;
	for (int round = 0; round < 3; round++) {
		struct ustack *s = ut_stack();
		ut_tcp_learn_peer(s);
		s->tcp_ecn = 1;
		int c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000),
			.sin_addr.s_addr = inet_addr(PEER)};
		int from = ut_cap.n;
		assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), -1);
		struct tcp_repr r;
		assert_true(ut_tcp_last(from, &r));
		assert_int_equal(r.flags, TCP_SYN | TCP_ECE | TCP_CWR);
		assert_int_equal(last_tos(from) & 3, 0);
		uint16_t lport = r.sport;
		uint32_t una = r.seq + 1;
		struct tcp_pcb *p = find_pcb(s, 9000);
		if (round == 2) {
			/* the SYN again after its timeout: a plain one */
			from = ut_cap.n;
			run(s, rt_now() + MS(1100));
			assert_true(ut_tcp_last(from, &r));
			assert_int_equal(r.flags, TCP_SYN);
		}
		uint8_t synack = TCP_SYN | TCP_ACK | TCP_ECE | (round == 1 ? TCP_CWR : 0);
		seg_tos(s, 9000, lport, 7000, una, synack, NULL, 0, 0);
		assert_int_equal(p->state, TCPS_ESTABLISHED);
		assert_int_equal(p->ecn_ok, round != 1);
		from = ut_cap.n;
		assert_int_equal(send_n(s, c, 1000), 1000);
		assert_true(ut_tcp_last(from, &r));
		assert_int_equal(r.payload_len, 1000);
		assert_int_equal(last_tos(from) & 3, round != 1 ? 2 : 0);
		api_close(s, c);
		ut_stack_free(s);
	}
	/* tcp_ecn=0: an ECN-setup SYN gets a plain SYN-ACK */
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	s->tcp_ecn = 0;
	listener(s, 80);
	int from = ut_cap.n;
	struct tcp_repr r;
	seg_tos(s, 4000, 80, 1000, 0, TCP_SYN | TCP_ECE | TCP_CWR, NULL, 0, 0);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_SYN | TCP_ACK);
	ut_stack_free(s);
}

/* Path MTU for TCP (RFC 1191, Linux tcp_v4_mtu_reduced): an ICMP
 * "fragmentation needed" quoting a segment in flight shrinks the MSS to
 * the path's MTU and sends what is in flight again at once at the new
 * size, cwnd kept; one quoting data not in flight, or an MTU that is not
 * smaller, changes nothing; a new connection to the same peer starts at
 * the learnt size. */
static void frag_needed(struct ustack *s, uint16_t lport, uint32_t seq, uint16_t mtu) {
	uint8_t q[28], icmp[8 + 28], f[128];
	struct ipv4_repr ih = {.src = inet_addr(ME), .dst = inet_addr(PEER), .proto = 6, .ttl = 64,
		.df = 1, .total_len = 1500};
	ipv4_emit(&ih, q, 20);
	q[20] = (uint8_t) (lport >> 8), q[21] = (uint8_t) lport, q[22] = 9000 >> 8, q[23] = 9000 & 0xff;
	q[24] = (uint8_t) (seq >> 24), q[25] = (uint8_t) (seq >> 16), q[26] = (uint8_t) (seq >> 8), q[27] = (uint8_t) seq;
	memcpy(icmp + 8, q, sizeof(q));
	struct icmp4_repr r = {.type = 3, .code = 4, .rest = {0, 0, (uint8_t) (mtu >> 8), (uint8_t) mtu}};
	icmp4_emit(&r, icmp, sizeof(icmp));
	ut_inject(s, f, ut_ip_frame(f, PEER, ME, 1, 99, 0, 0, icmp, sizeof(icmp)));
}

static void test_pmtu(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct tcp_opts synack = {.has_mss = true, .mss = 1460, .sack_perm = true};
	uint32_t una;
	uint16_t lport;
	int c = connect_peer(s, &synack, &una, &lport);
	struct tcp_pcb *p = find_pcb(s, 9000);
	assert_int_equal(p->mss, 1460);
	uint32_t seqs[32];
	int from = ut_cap.n;
	assert_int_equal(send_n(s, c, 4 * 1460), 4 * 1460);
	assert_int_equal(data_seqs(from, seqs, 32), 4);
	uint32_t cwnd = p->cwnd;
	/* not about data in flight, or not narrower: nothing */
	from = ut_cap.n;
	frag_needed(s, lport, una + 100000, 1280);
	assert_int_equal(p->mss, 1460);
	frag_needed(s, lport, una, 1500);
	assert_int_equal(p->mss, 1460);
	assert_int_equal(data_seqs(from, seqs, 32), 0);
	/* 1280: 1240-byte segments, all of the flight again, now */
	frag_needed(s, lport, una, 1280);
	assert_int_equal(p->mss, 1240);
	assert_int_equal(s->tcp->mib.PMTUReductions, 1);
	int n = data_seqs(from, seqs, 32);
	assert_true(n >= 4);
	assert_int_equal(seqs[0], una);
	assert_int_equal(seqs[1], una + 1240);
	for (int i = ut_cap.n - 1; i >= from; i--)
		if (ut_tcp_of(i))
			assert_true(ut_cap.len[i] <= 14 + 1280);
	assert_int_equal(p->cwnd, cwnd);
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	assert_int_equal(api_getsockopt(s, c, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.tcpi_snd_mss, 1240);
	/* below Linux's min_pmtu (552): 552 */
	frag_needed(s, lport, una, 300);
	assert_int_equal(p->mss, 552 - 40);
	api_close(s, c);
	/* the next connection to the peer sends at the learnt size */
	c = connect_peer(s, &synack, &una, &lport);
	p = find_pcb(s, 9000);
	assert_true(p->mss <= 552 - 40);
	api_close(s, c);
	ut_stack_free(s);
}

/* a segment at time t of the test clock */
static void seg_at(struct ustack *s, uint64_t t, uint16_t sport, uint32_t seqno, uint32_t ackno, uint8_t flags,
		const void *data, size_t len) {
	s->timers_now = t;
	seg(s, sport, 80, seqno, ackno, flags, data, len, false);
	s->timers_now = 0;
}

/* RFC 5961 as Linux: an in-window RST not at rcv_nxt and any SYN get a
 * challenge ACK, as data whose ACK is older than the peer's largest
 * window (or than all we sent); an ACK beyond what we sent takes no
 * data. Challenge ACKs and the ACKs for pure segments out of window are
 * at most one per 500 ms per connection (tcp_invalid_ratelimit; counters
 * ACKSkippedChallenge, ACKSkippedSeq), and with tcp_challenge_ack_limit
 * set, the stack's budget per second bounds them too. */
static void test_rfc5961(void **state) {
	(void) state;
	struct ustack *s;
	int l, c;
	uint32_t iss;
	struct tcp_pcb *p = accepted_4100(&s, &l, &c, &iss);
	uint32_t rcv_nxt = 1001, wnd = tcp_rcv_window(p);
	assert_true(wnd > 2000);
	uint64_t t0 = (rt_now() / 1000000000u + 10) * 1000000000u;   /* a second begins */
	struct tcp_repr r;
	char buf[64];
	uint64_t ch0 = s->tcp->mib.ChallengeACKs, sk0 = s->tcp->mib.ACKSkippedChallenge;
	/* an in-window RST: a challenge ACK, the connection stays */
	int from = ut_cap.n;
	seg_at(s, t0, 4100, rcv_nxt + 100, 0, TCP_RST, NULL, 0);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.ack, rcv_nxt);
	assert_int_equal(r.seq, iss + 1);
	assert_int_equal(s->tcp->mib.ChallengeACKs, ch0 + 1);
	/* an in-window SYN 100 ms later: the challenge is rate limited */
	from = ut_cap.n;
	seg_at(s, t0 + MS(100), 4100, rcv_nxt + 200, 0, TCP_SYN, NULL, 0);
	assert_false(ut_tcp_last(from, &r));
	assert_int_equal(s->tcp->mib.ChallengeACKs, ch0 + 1);
	assert_int_equal(s->tcp->mib.ACKSkippedChallenge, sk0 + 1);
	/* 500 ms after the first: a challenge again */
	seg_at(s, t0 + MS(500), 4100, rcv_nxt + 300, 0, TCP_SYN | TCP_ACK, NULL, 0);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.ack, rcv_nxt);
	assert_int_equal(s->tcp->mib.ChallengeACKs, ch0 + 2);
	/* a SYN out of the window: a challenge too (Linux) */
	from = ut_cap.n;
	seg_at(s, t0 + MS(1100), 4100, rcv_nxt + wnd + 100000, 0, TCP_SYN, NULL, 0);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, rcv_nxt);
	assert_int_equal(s->tcp->mib.ChallengeACKs, ch0 + 3);
	/* an RST out of the window: nothing */
	from = ut_cap.n;
	seg_at(s, t0 + MS(1700), 4100, rcv_nxt + wnd + 10, 0, TCP_RST, NULL, 0);
	seg_at(s, t0 + MS(1700), 4100, rcv_nxt - 10, 0, TCP_RST, NULL, 0);
	assert_false(ut_tcp_last(from, &r));
	/* data at rcv_nxt acknowledging what we never sent (below our ISS:
	 * we sent nothing, so any ACK below snd_una is too old): a challenge,
	 * the data dropped */
	seg_at(s, t0 + MS(1800), 4100, rcv_nxt, iss + 1 - 1000, TCP_ACK, "evil", 4);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, rcv_nxt);
	assert_int_equal(s->tcp->mib.ChallengeACKs, ch0 + 4);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);
	/* data acknowledging beyond what we sent: dropped */
	seg_at(s, t0 + MS(2400), 4100, rcv_nxt, iss + 1 + 100000, TCP_ACK, "evil", 4);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);
	/* the connection is whole: the real data arrives */
	seg_at(s, t0 + MS(2500), 4100, rcv_nxt, iss + 1, TCP_ACK, "good", 4);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "good", 4);
	rcv_nxt += 4;
	/* 2920 bytes of ours (two segments) acknowledged: an ACK up to 2920 below snd_una
	 * is merely old (its data taken), one further below is too old,
	 * though the peer's window (65535) would allow it (Linux: the
	 * smaller of the largest window and the bytes acknowledged) */
	char out[2920];
	memset(out, 'o', sizeof(out));
	s->timers_now = t0 + MS(2550);
	assert_int_equal(api_sendto(s, c, out, sizeof(out), 0, NULL, 0), 2920);
	s->timers_now = 0;
	seg_at(s, t0 + MS(2560), 4100, rcv_nxt, iss + 1 + 2920, TCP_ACK, NULL, 0);
	assert_int_equal(p->snd_una, iss + 1 + 2920);
	uint64_t ch2 = s->tcp->mib.ChallengeACKs;
	seg_at(s, t0 + MS(2570), 4100, rcv_nxt, iss + 1 + 1000, TCP_ACK, "old1", 4);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "old1", 4);
	rcv_nxt += 4;
	assert_int_equal(s->tcp->mib.ChallengeACKs, ch2);
	seg_at(s, t0 + MS(2580), 4100, rcv_nxt, iss + 1 - 1, TCP_ACK, "old2", 4);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(s->tcp->mib.ChallengeACKs, ch2 + 1);
	/* pure ACKs out of the window: a duplicate ACK, then none for 500 ms */
	uint64_t sq0 = s->tcp->mib.ACKSkippedSeq;
	from = ut_cap.n;
	seg_at(s, t0 + MS(3100), 4100, rcv_nxt + wnd + 5000, iss + 1 + 2920, TCP_ACK, NULL, 0);
	assert_int_equal(count_flags(from, TCP_ACK), 1);
	seg_at(s, t0 + MS(3200), 4100, rcv_nxt + wnd + 5000, iss + 1 + 2920, TCP_ACK, NULL, 0);
	assert_int_equal(count_flags(from, TCP_ACK), 1);
	assert_int_equal(s->tcp->mib.ACKSkippedSeq, sq0 + 1);
	/* out-of-window data is always answered (no ACK loop) */
	seg_at(s, t0 + MS(3300), 4100, rcv_nxt - 100, iss + 1 + 2920, TCP_ACK, "old", 3);
	assert_int_equal(count_flags(from, TCP_ACK), 2);
	/* the stack's budget: tcp_challenge_ack_limit 1 allows one per second */
	uint32_t iss2;
	int c2 = accepted(s, l, 4101, &iss2);
	s->tcp_challenge_ack_limit = 1;
	uint64_t t1 = t0 + MS(5000);
	uint64_t ch1 = s->tcp->mib.ChallengeACKs;
	seg_at(s, t1, 4100, rcv_nxt + 100, 0, TCP_RST, NULL, 0);
	assert_int_equal(s->tcp->mib.ChallengeACKs, ch1 + 1);
	from = ut_cap.n;
	seg_at(s, t1 + MS(10), 4101, 1001 + 100, 0, TCP_RST, NULL, 0);
	assert_false(ut_tcp_last(from, &r));
	assert_int_equal(s->tcp->mib.ChallengeACKs, ch1 + 1);
	seg_at(s, t1 + MS(1010), 4101, 1001 + 100, 0, TCP_RST, NULL, 0);
	assert_true(ut_tcp_last(from, &r));
	assert_int_equal(r.ack, 1001);
	assert_int_equal(s->tcp->mib.ChallengeACKs, ch1 + 2);
	s->tcp_challenge_ack_limit = 0;
	/* the exact RST resets */
	seg_at(s, t1 + MS(2000), 4100, rcv_nxt, 0, TCP_RST, NULL, 0);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), -1);
	assert_int_equal(errno, ECONNRESET);
	api_close(s, c);
	api_close(s, c2);
	api_close(s, l);
	ut_stack_free(s);
}

/* The stack option tcp_challenge_ack_limit=N (the field it sets): as
 * Linux's sysctl, each second a budget of N/2 to N*3/2-1 challenge ACKs
 * for the whole stack, drawn anew when a second begins; 0: no limit.
 * Eight connections each get an in-window RST in the same second (one
 * each: their own 500 ms limit never applies). */
static int challenge_round(struct ustack *s, uint64_t t, uint16_t port0, int n) {
	uint64_t ch = s->tcp->mib.ChallengeACKs;
	int from = ut_cap.n;
	for (int i = 0; i < n; i++)
		seg_at(s, t + MS(10) * (uint64_t) i, (uint16_t) (port0 + i), 1001 + 100, 0, TCP_RST, NULL, 0);
	assert_int_equal(count_flags(from, TCP_ACK), (int) (s->tcp->mib.ChallengeACKs - ch));
	return (int) (s->tcp->mib.ChallengeACKs - ch);
}

static void test_challenge_ack_limit(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	int l = listener(s, 80), c[8];
	uint32_t iss;
	for (int i = 0; i < 8; i++)
		c[i] = accepted(s, l, (uint16_t) (4200 + i), &iss);
	uint64_t t0 = (rt_now() / 1000000000u + 10) * 1000000000u;   /* a second begins */
	/* no limit (the default): every connection is challenged */
	assert_int_equal(s->tcp_challenge_ack_limit, 0);
	assert_int_equal(challenge_round(s, t0, 4200, 8), 8);
	/* a limit of 4: 2 to 5 of the 8 in a second, in each second */
	s->tcp_challenge_ack_limit = 4;
	for (int sec = 1; sec <= 6; sec++) {
		int n = challenge_round(s, t0 + (uint64_t) sec * 1000000000u, 4200, 8);
		assert_true(n >= 2 && n <= 5);
	}
	/* a limit of 1: exactly one a second; a second connection's RST in
	 * the same second is not answered, the next second's is */
	s->tcp_challenge_ack_limit = 1;
	assert_int_equal(challenge_round(s, t0 + 8000000000u, 4200, 8), 1);
	assert_int_equal(challenge_round(s, t0 + 9000000000u, 4200, 8), 1);
	/* off again: all eight */
	s->tcp_challenge_ack_limit = 0;
	assert_int_equal(challenge_round(s, t0 + 10000000000u, 4200, 8), 8);
	for (int i = 0; i < 8; i++)
		api_close(s, c[i]);
	api_close(s, l);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_passive),
		cmocka_unit_test(test_active_timewait),
		cmocka_unit_test(test_orphan_retries),
		cmocka_unit_test(test_too_many_orphans),
		cmocka_unit_test(test_syn_layout),
		cmocka_unit_test(test_ts_paws),
		cmocka_unit_test(test_sack_blocks),
		cmocka_unit_test(test_scoreboard),
		cmocka_unit_test(test_no_sack_fallback),
		cmocka_unit_test(test_window_edge_ack),
		cmocka_unit_test(test_ts_monotonic),
		cmocka_unit_test(test_wscale_choice),
		cmocka_unit_test(test_psh_resend),
		cmocka_unit_test(test_psh_gso),
		cmocka_unit_test(test_forced_push),
		cmocka_unit_test(test_nagle_minshall),
		cmocka_unit_test(test_poll_rdhup),
		cmocka_unit_test(test_tx_timestamps),
		cmocka_unit_test(test_simultaneous_open_quickack),
		cmocka_unit_test(test_psh_gso_resend),
		cmocka_unit_test(test_psh_gso_segs),
		cmocka_unit_test(test_cwnd_restart_after_idle),
		cmocka_unit_test(test_cc_tx_start),
		cmocka_unit_test(test_write_wakeup),
		cmocka_unit_test(test_stretch_ack_burst),
		cmocka_unit_test(test_window_update_after_read),
		cmocka_unit_test(test_gro_ack),
		cmocka_unit_test(test_cork_more),
		cmocka_unit_test(test_eor),
		cmocka_unit_test(test_epollet_in),
		cmocka_unit_test(test_cwnd_limited),
		cmocka_unit_test(test_syn_cookies),
		cmocka_unit_test(test_info_last),
		cmocka_unit_test(test_limited_transmit),
		cmocka_unit_test(test_prr),
		cmocka_unit_test(test_rack_reo),
		cmocka_unit_test(test_lost_retransmit),
		cmocka_unit_test(test_rack_same_time),
		cmocka_unit_test(test_rack_tsecr),
		cmocka_unit_test(test_tlp),
		cmocka_unit_test(test_frto),
		cmocka_unit_test(test_connect_again),
		cmocka_unit_test(test_linger),
		cmocka_unit_test(test_old_ack_sack),
		cmocka_unit_test(test_prr_old_ack_script),
		cmocka_unit_test(test_dsack_undo),
		cmocka_unit_test(test_sack_whole_reordering),
		cmocka_unit_test(test_cc_inherit),
		cmocka_unit_test(test_timewait_paws),
		cmocka_unit_test(test_user_timeout),
		cmocka_unit_test(test_notsent_lowat),
		cmocka_unit_test(test_inq),
		cmocka_unit_test(test_dsack),
		cmocka_unit_test(test_loss_undo),
		cmocka_unit_test(test_ecn),
		cmocka_unit_test(test_info_chrono),
		cmocka_unit_test(test_abort_on_data),
		cmocka_unit_test(test_ecn_option),
		cmocka_unit_test(test_pmtu),
		cmocka_unit_test(test_rfc5961),
		cmocka_unit_test(test_rack_reo_dsack),
		cmocka_unit_test(test_challenge_ack_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
