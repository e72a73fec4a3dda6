/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP Fast Open (RFC 7413) on the test link: the option's codec, the
 * cookie (Linux's function: a known key and addresses give Linux's
 * value), the server (a cookie for a request or a wrong cookie, the SYN's
 * data dropped and only the SYN acknowledged; a valid cookie: the data
 * acknowledged by the SYN-ACK, accept() and read() at once, a write that
 * leaves before the handshake ends) and the client (a cookie request,
 * the cookie cached, data in the next SYN with it, the SYN-ACK
 * acknowledging only the SYN: the data again after it; the deferred
 * connect of TCP_FASTOPEN_CONNECT; data in the SYN-ACK). */
#include <linux/if_ether.h>
#include <linux/tcp.h>
#include <pthread.h>
#include <unistd.h>

#include "ut_stack.h"
#include "ut_tcp.h"
#include "tcp/tcp.h"
#include "wire/tcp.h"

#define PEER UT_TCP_PEER
#define ME UT_TCP_ME

static const uint8_t COOKIE[8] = {0xab, 0xcd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};

/* the TCP segments we sent from capture index from on: count, the last
 * one parsed into r */
static int segs_since(int from, struct tcp_repr *r) {
	int n = 0;
	for (int i = from; i < ut_cap.n; i++) {
		if (ut_tcp_of(i) == NULL)
			continue;
		if (r)
			assert_int_equal(tcp_parse(ut_tcp_of(i), ut_cap.len[i] - 34, r), 0);
		n++;
	}
	return n;
}

/* as segs_since, only our segments from port sport */
static int segs_from_port(int from, uint16_t sport, struct tcp_repr *r) {
	int n = 0;
	for (int i = from; i < ut_cap.n; i++) {
		struct tcp_repr x;
		if (ut_tcp_of(i) == NULL || tcp_parse(ut_tcp_of(i), ut_cap.len[i] - 34, &x) != 0 ||
				x.sport != sport)
			continue;
		*r = x;
		n++;
	}
	return n;
}

static struct tcp_info tinfo(struct ustack *s, int fd) {
	struct tcp_info ti;
	socklen_t l = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	assert_int_equal(api_getsockopt(s, fd, IPPROTO_TCP, TCP_INFO, &ti, &l), 0);
	return ti;
}

static void test_codec(void **state) {
	(void) state;
	/* a request (kind 34, length 2) and an 8-byte cookie, padded with NOPs */
	struct tcp_opts o = {.has_mss = true, .mss = 1460, .has_fo = true};
	uint8_t b[40];
	int n = tcp_opts_emit(&o, b, sizeof(b));
	assert_int_equal(n, 8);
	static const uint8_t req[] = {2, 4, 0x05, 0xb4, 34, 2, 1, 1};
	assert_memory_equal(b, req, sizeof(req));
	struct tcp_opts p;
	assert_int_equal(tcp_opts_parse(b, (size_t) n, &p), 0);
	assert_true(p.has_fo && !p.fo_exp && p.fo_len == 0);
	o.fo_len = 8;
	memcpy(o.fo, COOKIE, 8);
	n = tcp_opts_emit(&o, b, sizeof(b));
	assert_int_equal(n, 16);
	assert_int_equal(b[4], 34);
	assert_int_equal(b[5], 10);
	assert_memory_equal(b + 6, COOKIE, 8);
	assert_int_equal(tcp_opts_parse(b, (size_t) n, &p), 0);
	assert_true(p.has_fo && p.fo_len == 8);
	assert_memory_equal(p.fo, COOKIE, 8);
	/* the experimental form: kind 254, ExID 0xF989 (RFC 6994) */
	o.fo_exp = true;
	n = tcp_opts_emit(&o, b, sizeof(b));
	assert_int_equal(b[4], 254);
	assert_int_equal(b[5], 12);
	assert_int_equal(b[6], 0xf9);
	assert_int_equal(b[7], 0x89);
	assert_int_equal(tcp_opts_parse(b, (size_t) n, &p), 0);
	assert_true(p.has_fo && p.fo_exp && p.fo_len == 8);
	/* another experiment, and a cookie of an odd length: ignored */
	static const uint8_t other[] = {254, 4, 0x12, 0x34, 34, 5, 1, 2, 3, 1, 1, 1};
	assert_int_equal(tcp_opts_parse(other, sizeof(other), &p), 0);
	assert_false(p.has_fo);
}

/* The cookie is Linux's: with the key a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4,
 * client 192.0.2.1 and server 192.168.0.1, Linux gives 3021b9d889017eeb
 * (the value its test scripts expect) */
static void test_cookie_linux(void **state) {
	(void) state;
	uint8_t key[16], c[8];
	assert_int_equal(tcp_fo_key_parse("a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4", key), 0);
	struct tcp_seg g = {.src4 = inet_addr("192.0.2.1"), .dst4 = inet_addr("192.168.0.1")};
	tcp_fo_cookie(key, &g, c);
	static const uint8_t want[8] = {0x30, 0x21, 0xb9, 0xd8, 0x89, 0x01, 0x7e, 0xeb};
	assert_memory_equal(c, want, 8);
	assert_int_equal(tcp_fo_key_parse("a1a1a1a1-b2b2b2b2-c3c3c3c3", key), -EINVAL);
	assert_int_equal(tcp_fo_key_parse("a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4x", key), -EINVAL);
	assert_int_equal(tcp_fo_key_parse("g1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4", key), -EINVAL);
}

static int fo_listener(struct ustack *s, int port, int qlen) {
	int l = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	assert_int_equal(api_bind(s, l, (struct sockaddr *) &a, sizeof(a)), 0);
	if (qlen >= 0)
		assert_int_equal(api_setsockopt(s, l, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)), 0);
	assert_int_equal(api_listen(s, l, 4), 0);
	return l;
}

static void test_server(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	s->tcp_fastopen = TFO_SERVER_ENABLE;
	ut_tcp_learn_peer(s);
	int l = fo_listener(s, 80, 4);
	int q;
	socklen_t ql = sizeof(q);
	assert_int_equal(api_getsockopt(s, l, IPPROTO_TCP, TCP_FASTOPEN, &q, &ql), 0);
	assert_int_equal(q, 4);
	/* a cookie request with data: the data is dropped (the SYN-ACK
	 * acknowledges the SYN alone) and the cookie comes back */
	struct tcp_opts o = {.has_mss = true, .mss = 1460, .has_fo = true};
	int from = ut_cap.n;
	ut_tcp_seg(s, 4000, 80, 1000, 0, TCP_SYN, "abc", 3, &o);
	struct tcp_repr r;
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r.ack, 1001);
	assert_true(r.opt.has_fo && r.opt.fo_len == 8);
	uint8_t cookie[8];
	memcpy(cookie, r.opt.fo, 8);
	struct tcp_seg g = {.src4 = inet_addr(PEER), .dst4 = inet_addr(ME)};
	uint8_t want[8];
	tcp_fo_cookie(tcp_fo_key(s), &g, want);
	assert_memory_equal(cookie, want, 8);
	assert_int_equal(api_accept(s, l, NULL, NULL), -1);   /* not before the handshake */
	assert_int_equal(errno, EAGAIN);
	/* a wrong cookie: the same, the right cookie in the SYN-ACK */
	o.fo_len = 8;
	memcpy(o.fo, COOKIE, 8);
	from = ut_cap.n;
	ut_tcp_seg(s, 4001, 80, 5000, 0, TCP_SYN, "abc", 3, &o);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.ack, 5001);
	assert_true(r.opt.has_fo && r.opt.fo_len == 8);
	assert_memory_equal(r.opt.fo, want, 8);
	assert_int_equal(api_accept(s, l, NULL, NULL), -1);
	/* the valid cookie: the SYN-ACK acknowledges the data, carries no
	 * cookie, and the connection is accepted and read at once */
	memcpy(o.fo, cookie, 8);
	from = ut_cap.n;
	ut_tcp_seg(s, 4002, 80, 9000, 0, TCP_SYN, "hello", 5, &o);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(r.ack, 9006);
	assert_false(r.opt.has_fo);
	uint32_t iss = r.seq;
	int c = api_accept(s, l, NULL, NULL);
	assert_true(c >= 0);
	struct tcp_info ti = tinfo(s, c);
	assert_int_equal(ti.tcpi_state, TCPS_SYN_RECV);
	assert_true(ti.tcpi_options & TCPI_OPT_SYN_DATA);
	char buf[16];
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	/* a write before the handshake ends goes at once, after the SYN-ACK */
	from = ut_cap.n;
	assert_int_equal(api_sendto(s, c, "xyz", 3, 0, NULL, 0), 3);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.seq, iss + 1);
	assert_int_equal(r.payload_len, 3);
	assert_true(r.flags & TCP_ACK);
	/* the ACK of the SYN-ACK and the data ends the handshake */
	ut_tcp_seg(s, 4002, 80, 9006, iss + 4, TCP_ACK, NULL, 0, NULL);
	ti = tinfo(s, c);
	assert_int_equal(ti.tcpi_state, TCPS_ESTABLISHED);
	assert_int_equal(ti.tcpi_unacked, 0);
	assert_true(ti.tcpi_options & TCPI_OPT_SYN_DATA);
	api_close(s, c);
	/* reset before accept(): accept() still returns it, with the peer's
	 * address; the SYN's data is read, then ECONNRESET (Linux) */
	ut_tcp_seg(s, 4005, 80, 300, 0, TCP_SYN, "hello", 5, &o);
	ut_tcp_seg(s, 4005, 80, 306, 0, TCP_RST, NULL, 0, NULL);
	struct sockaddr_in pa;
	socklen_t pl = sizeof(pa);
	memset(&pa, 0, sizeof(pa));
	c = api_accept(s, l, (struct sockaddr *) &pa, &pl);
	assert_true(c >= 0);
	assert_int_equal(pa.sin_family, AF_INET);
	assert_int_equal(ntohs(pa.sin_port), 4005);
	assert_int_equal(pa.sin_addr.s_addr, inet_addr(PEER));
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 5);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), -1);
	assert_int_equal(errno, ECONNRESET);
	pl = sizeof(pa);
	assert_int_equal(api_getname(s, c, (struct sockaddr *) &pa, &pl, 1), -1);   /* getpeername */
	assert_int_equal(errno, ENOTCONN);
	api_close(s, c);
	api_close(s, l);
	/* a listener without TCP_FASTOPEN ignores the option and the data */
	l = fo_listener(s, 81, -1);
	from = ut_cap.n;
	ut_tcp_seg(s, 4003, 81, 100, 0, TCP_SYN, "hello", 5, &o);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.ack, 101);
	assert_false(r.opt.has_fo);
	api_close(s, l);
	/* TFO_SERVER_COOKIE_NOT_REQD: data without a cookie is taken */
	s->tcp_fastopen = TFO_SERVER_ENABLE | TFO_SERVER_COOKIE_NOT_REQD;
	l = fo_listener(s, 82, 4);
	from = ut_cap.n;
	ut_tcp_seg(s, 4004, 82, 200, 0, TCP_SYN, "hello", 5, NULL);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.ack, 206);
	c = api_accept(s, l, NULL, NULL);
	assert_true(c >= 0);
	api_close(s, c);
	api_close(s, l);
	ut_stack_free(s);
}

static void test_client(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	assert_int_equal(s->tcp_fastopen, TFO_CLIENT_ENABLE);   /* Linux's default */
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000), .sin_addr.s_addr = inet_addr(PEER)};
	/* no cookie yet: a non-blocking MSG_FASTOPEN asks for one in a SYN
	 * without data, EINPROGRESS */
	int c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int from = ut_cap.n;
	assert_int_equal(api_sendto(s, c, "hello", 5, MSG_FASTOPEN, (struct sockaddr *) &a, sizeof(a)), -1);
	assert_int_equal(errno, EINPROGRESS);
	struct tcp_repr r;
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.flags, TCP_SYN);
	assert_true(r.opt.has_fo && r.opt.fo_len == 0);
	assert_int_equal(r.payload_len, 0);
	uint32_t iss = r.seq;
	struct tcp_info ti = tinfo(s, c);
	assert_int_equal(ti.tcpi_fastopen_client_fail, 1);   /* TFO_COOKIE_UNAVAILABLE */
	/* the server's cookie is cached */
	struct tcp_opts o = {.has_mss = true, .mss = 1000, .has_fo = true, .fo_len = 8};
	memcpy(o.fo, COOKIE, 8);
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	assert_int_equal(api_getname(s, c, (struct sockaddr *) &me, &ml, 0), 0);
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, ntohs(me.sin_port), 7000, iss + 1, TCP_SYN | TCP_ACK, NULL, 0, &o);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.flags, TCP_ACK);
	api_close(s, c);
	/* now the data goes in the SYN with the cookie; the reply
	 * acknowledges only the SYN: the data again after the handshake */
	c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	from = ut_cap.n;
	assert_int_equal(api_sendto(s, c, "hello", 5, MSG_FASTOPEN, (struct sockaddr *) &a, sizeof(a)), 5);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.flags, TCP_SYN);
	assert_true(r.opt.has_fo && r.opt.fo_len == 8);
	assert_memory_equal(r.opt.fo, COOKIE, 8);
	assert_int_equal(r.payload_len, 5);
	assert_memory_equal(r.payload, "hello", 5);
	iss = r.seq;
	ml = sizeof(me);
	assert_int_equal(api_getname(s, c, (struct sockaddr *) &me, &ml, 0), 0);
	struct tcp_opts o2 = {.has_mss = true, .mss = 1000};
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, ntohs(me.sin_port), 8000, iss + 1, TCP_SYN | TCP_ACK, NULL, 0, &o2);
	/* the data again at once, as the handshake's ACK (no pure ACK first) */
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.flags & TCP_ACK, TCP_ACK);
	assert_int_equal(r.seq, iss + 1);
	assert_int_equal(r.ack, 8001);
	assert_int_equal(r.payload_len, 5);
	assert_memory_equal(r.payload, "hello", 5);
	ti = tinfo(s, c);
	assert_int_equal(ti.tcpi_fastopen_client_fail, 2);   /* TFO_DATA_NOT_ACKED */
	assert_false(ti.tcpi_options & TCPI_OPT_SYN_DATA);
	api_close(s, c);
	/* TCP_FASTOPEN_CONNECT: connect() returns at once, nothing sent; the
	 * first write goes in the SYN; all acknowledged: TCPI_OPT_SYN_DATA */
	c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1;
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof(one)), 0);
	from = ut_cap.n;
	assert_int_equal(api_connect(s, c, (struct sockaddr *) &a, sizeof(a)), 0);
	assert_int_equal(segs_since(from, NULL), 0);
	assert_int_equal(api_sendto(s, c, "abcdef", 6, 0, NULL, 0), 6);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.flags, TCP_SYN);
	assert_int_equal(r.payload_len, 6);
	assert_true(r.opt.has_fo && r.opt.fo_len == 8);
	iss = r.seq;
	ml = sizeof(me);
	assert_int_equal(api_getname(s, c, (struct sockaddr *) &me, &ml, 0), 0);
	/* the SYN-ACK brings data (RFC 9293 3.10.7.3): read, and acknowledged
	 * by the handshake's ACK */
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, ntohs(me.sin_port), 9000, iss + 7, TCP_SYN | TCP_ACK, "srv", 3, &o2);
	ti = tinfo(s, c);
	assert_int_equal(ti.tcpi_state, TCPS_ESTABLISHED);
	assert_true(ti.tcpi_options & TCPI_OPT_SYN_DATA);
	assert_int_equal(ti.tcpi_unacked, 0);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.ack, 9004);
	char buf[8];
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "srv", 3);
	api_close(s, c);
	/* a SYN-ACK with data and FIN: CLOSE_WAIT, the data then EOF */
	c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	from = ut_cap.n;
	assert_int_equal(api_sendto(s, c, "q", 1, MSG_FASTOPEN, (struct sockaddr *) &a, sizeof(a)), 1);
	assert_int_equal(segs_since(from, &r), 1);
	iss = r.seq;
	ml = sizeof(me);
	assert_int_equal(api_getname(s, c, (struct sockaddr *) &me, &ml, 0), 0);
	ut_tcp_seg(s, 9000, ntohs(me.sin_port), 9500, iss + 2, TCP_SYN | TCP_ACK | TCP_FIN, "bye", 3, &o2);
	ti = tinfo(s, c);
	assert_int_equal(ti.tcpi_state, TCPS_CLOSE_WAIT);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 3);
	assert_int_equal(ut_recv(s, c, buf, sizeof(buf)), 0);
	api_close(s, c);
	/* the SYN retransmitted after a timeout has neither the option nor
	 * the data (Linux); the SYN-ACK's new cookie is cached all the same
	 * (the timeout may have been spurious), the data goes after it */
	c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	uint64_t t0 = rt_now();
	from = ut_cap.n;
	assert_int_equal(api_sendto(s, c, "zz", 2, MSG_FASTOPEN, (struct sockaddr *) &a, sizeof(a)), 2);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.payload_len, 2);
	iss = r.seq;
	uint16_t myport = r.sport;
	from = ut_cap.n;
	stack_lock(s);
	stack_run_timers(s, t0 + MS(1100));
	stack_unlock(s);
	assert_int_equal(segs_from_port(from, myport, &r), 1);
	assert_int_equal(r.flags, TCP_SYN);
	assert_int_equal(r.seq, iss);
	assert_int_equal(r.payload_len, 0);
	assert_false(r.opt.has_fo);
	ti = tinfo(s, c);
	assert_int_equal(ti.tcpi_fastopen_client_fail, 3);   /* TFO_SYN_RETRANSMITTED */
	static const uint8_t COOKIE2[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct tcp_opts o3 = {.has_mss = true, .mss = 1000, .has_fo = true, .fo_len = 8};
	memcpy(o3.fo, COOKIE2, 8);
	ml = sizeof(me);
	assert_int_equal(api_getname(s, c, (struct sockaddr *) &me, &ml, 0), 0);
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, ntohs(me.sin_port), 9700, iss + 1, TCP_SYN | TCP_ACK, NULL, 0, &o3);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.seq, iss + 1);
	assert_int_equal(r.payload_len, 2);
	api_close(s, c);
	c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	from = ut_cap.n;
	assert_int_equal(api_sendto(s, c, "zz", 2, MSG_FASTOPEN, (struct sockaddr *) &a, sizeof(a)), 2);
	assert_int_equal(segs_since(from, &r), 1);
	assert_true(r.opt.has_fo && r.opt.fo_len == 8);
	assert_memory_equal(r.opt.fo, COOKIE2, 8);
	api_close(s, c);
	/* the client side off: EOPNOTSUPP */
	s->tcp_fastopen = 0;
	c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(api_sendto(s, c, "x", 1, MSG_FASTOPEN, (struct sockaddr *) &a, sizeof(a)), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(api_setsockopt(s, c, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof(one)), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	api_close(s, c);
	ut_stack_free(s);
}

/* a cookie cached for the peer: a non-blocking MSG_FASTOPEN asks for one,
 * the SYN-ACK brings it (MSS 1000) and is answered at once */
static void cookie_warmup(struct ustack *s, const struct sockaddr_in *a) {
	int c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int from = ut_cap.n;
	assert_int_equal(api_sendto(s, c, "x", 1, MSG_FASTOPEN, (const struct sockaddr *) a, sizeof(*a)), -1);
	struct tcp_repr r;
	assert_int_equal(segs_since(from, &r), 1);
	struct tcp_opts o = {.has_mss = true, .mss = 1000, .has_fo = true, .fo_len = 8};
	memcpy(o.fo, COOKIE, 8);
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, r.sport, 7000, r.seq + 1, TCP_SYN | TCP_ACK, NULL, 0, &o);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(tinfo(s, c).tcpi_delivered, 1);   /* the SYN */
	api_close(s, c);
}

struct synack_peer {
	struct ustack *s;
	int from;
	uint16_t lport;
	uint32_t iss, syn_len;
	uint64_t at;   /* when the SYN-ACK went in */
};

/* the peer: waits for our SYN (its data), answers with a SYN-ACK
 * acknowledging the SYN and all its data */
static void *synack_later(void *v) {
	struct synack_peer *a = v;
	struct tcp_repr r;
	for (int i = 0; i < 500 && segs_since(a->from, NULL) == 0; i++)
		usleep(2000);
	usleep(20000);   /* the writer is asleep in the handshake */
	assert_int_equal(segs_since(a->from, &r), 1);
	a->lport = r.sport;
	a->iss = r.seq;
	a->syn_len = r.payload_len;
	struct tcp_opts o = {.has_mss = true, .mss = 1000};
	a->at = tcp_clock(a->s);
	ut_tcp_seg(a->s, 9000, r.sport, 7000, r.seq + 1 + r.payload_len, TCP_SYN | TCP_ACK, NULL, 0, &o);
	return NULL;
}

static void run_at(struct ustack *s, uint64_t t) {
	stack_lock(s);
	stack_run_timers(s, t);
	stack_unlock(s);
}

/* Linux's Fast Open client when a blocking write has more than its SYN
 * carries (packetdrill's fastopen/client blocking-sendto,
 * blocking-connect-bypass, cookie-less-sendto): the SYN-ACK's ACK is held
 * for the rest of the data, which carries it ("save one ACK"); that data
 * going at once makes the connection interactive (pingpong): the peer's
 * reply is not acknowledged at once in quick-ACK mode but by the delayed
 * ACK, whose timer ends the mode (the next reply acknowledged at once).
 * tcpi_delivered counts the SYN (with its data) as one segment, each
 * segment acknowledged after it as one. */
static void test_client_pingpong(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000), .sin_addr.s_addr = inet_addr(PEER)};
	cookie_warmup(s, &a);
	/* a blocking sendto of 3000: the SYN carries what fits, the writer
	 * sleeps through the handshake with the rest */
	int c;
	struct tcp_repr r;
	int from;
	static uint8_t buf[3000];
	struct synack_peer pa;
	pthread_t t;
	for (int attempt = 0;; attempt++) {
		c = api_socket(s, AF_INET, SOCK_STREAM, 0);
		pa = (struct synack_peer) {.s = s, .from = ut_cap.n};
		assert_int_equal(pthread_create(&t, NULL, synack_later, &pa), 0);
		assert_int_equal(api_sendto(s, c, buf, sizeof(buf), MSG_FASTOPEN, (struct sockaddr *) &a, sizeof(a)), 3000);
		pthread_join(t, NULL);
		/* Linux's rule is timed: the data follows the SYN-ACK within the
		 * ACK timeout (40 ms); a loaded machine may wake the writer
		 * later, and then the connection rightly stays as it was */
		if (tcp_clock(s) - pa.at < MS(40))
			break;
		assert_true(attempt < 4);
		api_close(s, c);
	}
	assert_true(pa.syn_len > 0 && pa.syn_len < 3000);
	/* after the SYN: no pure ACK, the data (with the ACK) */
	int n = 0;
	for (int i = pa.from; i < ut_cap.n; i++) {
		if (ut_tcp_of(i) == NULL)
			continue;
		assert_int_equal(tcp_parse(ut_tcp_of(i), ut_cap.len[i] - 34, &r), 0);
		if (n++ == 0)
			continue;   /* the SYN */
		assert_true(r.payload_len > 0);
		assert_int_equal(r.ack, 7001);
	}
	assert_true(n >= 3);
	uint32_t end = pa.iss + 1 + 3000;
	/* the reply, acknowledging all: no ACK at once */
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, pa.lport, 7001, end, TCP_ACK | TCP_PSH, "reply", 5, NULL);
	assert_int_equal(segs_since(from, NULL), 0);
	struct tcp_info ti = tinfo(s, c);
	assert_int_equal(ti.tcpi_delivered, 1 + (3000 - pa.syn_len + 999) / 1000);
	/* the delayed ACK, 40 ms on */
	run_at(s, tcp_clock(s) + MS(50));
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.ack, 7006);
	/* interactive no more: the next reply acknowledged at once */
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, pa.lport, 7006, end, TCP_ACK | TCP_PSH, "again", 5, NULL);
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.ack, 7011);
	api_close(s, c);
	/* all of a write in the SYN: the SYN-ACK is acknowledged at once and
	 * a reply too (quick-ACK mode) */
	c = api_socket(s, AF_INET, SOCK_STREAM, 0);
	pa = (struct synack_peer) {.s = s, .from = ut_cap.n};
	assert_int_equal(pthread_create(&t, NULL, synack_later, &pa), 0);
	assert_int_equal(api_sendto(s, c, buf, 100, MSG_FASTOPEN, (struct sockaddr *) &a, sizeof(a)), 100);
	pthread_join(t, NULL);
	assert_int_equal(pa.syn_len, 100);
	assert_int_equal(segs_since(pa.from, NULL), 2);   /* the SYN, the ACK */
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, pa.lport, 7001, pa.iss + 101, TCP_ACK | TCP_PSH, "reply", 5, NULL);
	assert_int_equal(segs_since(from, NULL), 1);
	api_close(s, c);
	ut_stack_free(s);
}

/* A Fast Open SYN's data timed out with it: the SYN goes again without
 * data, but the data stays in flight (Linux keeps it in its retransmission
 * queue): a SYN-ACK acknowledging it (the server had it from the first
 * SYN) is acceptable, answered with an ACK after the data, nothing resent
 * (packetdrill's fastopen/client/synack-data, its third test); one
 * acknowledging the SYN alone gets the data again. */
static void test_client_syn_timeout_data(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000), .sin_addr.s_addr = inet_addr(PEER)};
	cookie_warmup(s, &a);
	struct tcp_repr r;
	int c, from;
	for (int acked_all = 1; acked_all >= 0; acked_all--) {
		c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		from = ut_cap.n;
		assert_int_equal(api_sendto(s, c, "hello", 5, MSG_FASTOPEN, (struct sockaddr *) &a, sizeof(a)), 5);
		assert_int_equal(segs_since(from, &r), 1);
		assert_int_equal(r.payload_len, 5);
		uint32_t iss = r.seq;
		uint16_t lport = r.sport;
		from = ut_cap.n;
		run_at(s, tcp_clock(s) + MS(1100));
		assert_int_equal(segs_from_port(from, lport, &r), 1);
		assert_int_equal(r.flags, TCP_SYN);
		assert_int_equal(r.payload_len, 0);
		struct tcp_opts o2 = {.has_mss = true, .mss = 1000};
		from = ut_cap.n;
		ut_tcp_seg(s, 9000, lport, 8000, iss + 1 + (acked_all ? 5 : 0), TCP_SYN | TCP_ACK, NULL, 0, &o2);
		assert_int_equal(segs_from_port(from, lport, &r), 1);
		assert_false(r.flags & TCP_RST);
		assert_int_equal(r.ack, 8001);
		if (acked_all) {
			assert_int_equal(r.flags, TCP_ACK);
			assert_int_equal(r.seq, iss + 6);
			assert_int_equal(r.payload_len, 0);
		} else {
			assert_int_equal(r.seq, iss + 1);
			assert_int_equal(r.payload_len, 5);
		}
		api_close(s, c);
	}
	ut_stack_free(s);
}

/* A Fast Open SYN's data that the SYN-ACK does not acknowledge goes
 * again at once, and counts as resent and out in TCP_INFO (tcpi_retrans,
 * Linux's retrans_out) until acknowledged (packetdrill's
 * fastopen/client/syn-data-partial-or-over-ack). */
static void test_client_syn_data_retrans(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	ut_tcp_learn_peer(s);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9000), .sin_addr.s_addr = inet_addr(PEER)};
	cookie_warmup(s, &a);
	int c = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int from = ut_cap.n;
	static uint8_t buf[2000];
	ssize_t n = api_sendto(s, c, buf, sizeof(buf), MSG_FASTOPEN, (struct sockaddr *) &a, sizeof(a));
	assert_true(n > 0);
	struct tcp_repr r;
	assert_int_equal(segs_since(from, &r), 1);
	assert_int_equal(r.payload_len, (uint32_t) n);
	uint32_t iss = r.seq;
	struct tcp_opts o = {.has_mss = true, .mss = 1000, .sack_perm = true};
	from = ut_cap.n;
	ut_tcp_seg(s, 9000, r.sport, 7000, iss + 1, TCP_SYN | TCP_ACK, NULL, 0, &o);
	assert_int_equal(segs_since(from, &r), 1);   /* the data again, with the ACK */
	assert_int_equal(r.seq, iss + 1);
	struct tcp_info ti = tinfo(s, c);
	assert_int_equal(ti.tcpi_retrans, 1);
	assert_int_equal(ti.tcpi_total_retrans, 1);
	/* more data after it; the timeout resends the SYN's data with PSH,
	 * as Linux marks a SYN's data pushed (packetdrill's
	 * fastopen/client/syn-data-only-syn-acked) */
	uint16_t lport = r.sport;
	assert_int_equal(api_sendto(s, c, buf, 500, 0, NULL, 0), 500);
	from = ut_cap.n;
	uint64_t t0 = tcp_clock(s);
	for (int k = 1; k <= 6; k++)   /* the probe (TLP), then the timeout */
		run_at(s, t0 + (uint64_t) k * MS(500));
	assert_true(segs_from_port(from, lport, &r) >= 1);
	r.seq = 0;
	for (int i = from; i < ut_cap.n; i++) {
		struct tcp_repr x;
		if (ut_tcp_of(i) && tcp_parse(ut_tcp_of(i), ut_cap.len[i] - 34, &x) == 0 && x.seq == iss + 1) {
			r = x;
			break;
		}
	}
	assert_int_equal(r.seq, iss + 1);
	assert_int_equal(r.payload_len, (uint32_t) n);
	assert_int_equal(r.flags, TCP_ACK | TCP_PSH);
	ut_tcp_seg(s, 9000, lport, 7001, iss + 1 + (uint32_t) n + 500, TCP_ACK, NULL, 0, NULL);
	ti = tinfo(s, c);
	assert_int_equal(ti.tcpi_retrans, 0);
	api_close(s, c);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec),
		cmocka_unit_test(test_cookie_linux),
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_client),
		cmocka_unit_test(test_client_pingpong),
		cmocka_unit_test(test_client_syn_timeout_data),
		cmocka_unit_test(test_client_syn_data_retrans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
