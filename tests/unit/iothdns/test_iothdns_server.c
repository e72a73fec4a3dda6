/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The server side over the kernel stack on 127.0.0.1: a server thread
 * built on iothdns_udp_process_request / iothdns_tcp_process_request,
 * queried by the library's own client and by hand-made requests
 * (length-prefixed TCP written a byte at a time, malformed requests,
 * replies larger than 512 bytes truncated over UDP). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <iothdns.h>

static const uint8_t addr4[4] = {198, 18, 1, 1};
/* TXT records of big.test: over 512 bytes, under the 1232 of EDNS0 */
#define NBIG 18

/* the callback: a tiny zone */
static struct iothdns_pkt *zone(struct iothdns_header *h, void *arg) {
	int *calls = arg;
	__atomic_add_fetch(calls, 1, __ATOMIC_SEQ_CST);
	if (strcmp(h->qname, "drop.test") == 0)
		return NULL;
	struct iothdns_header r = *h;
	if (strcmp(h->qname, "www.test") == 0) {
		r.flags = IOTHDNS_RESPONSE | IOTHDNS_AA | (h->flags & IOTHDNS_RD);
		struct iothdns_pkt *p = iothdns_put_header(&r);
		if (h->qtype == IOTHDNS_TYPE_A) {
			struct iothdns_rr rr = {h->qname, IOTHDNS_TYPE_A, IOTHDNS_CLASS_IN, 600, 0};
			iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
			iothdns_put_a(p, (void *) addr4);
		}
		return p;
	}
	if (strcmp(h->qname, "big.test") == 0) {
		r.flags = IOTHDNS_RESPONSE | IOTHDNS_AA;
		struct iothdns_pkt *p = iothdns_put_header(&r);
		for (int i = 0; i < NBIG; i++) {
			char s[64];
			struct iothdns_rr rr = {h->qname, IOTHDNS_TYPE_TXT, IOTHDNS_CLASS_IN, 600, 0};
			snprintf(s, sizeof(s), "text record number %02d of the big name", i);
			iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
			iothdns_put_string(p, s);
		}
		return p;
	}
	r.flags = IOTHDNS_RESPONSE | IOTHDNS_AA | IOTHDNS_RCODE_ENOENT;
	return iothdns_put_header(&r);
}

struct server {
	int udp, tcp;
	int port;
	int stop;
	int calls;
	int tcp_results[16];
	int ntcp;
	pthread_t thread;
};

static void *server_thread(void *arg) {
	struct server *s = arg;
	while (!__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST)) {
		struct pollfd pfd[] = {{s->udp, POLLIN, 0}, {s->tcp, POLLIN, 0}};
		if (poll(pfd, 2, 50) <= 0)
			continue;
		if (pfd[0].revents & POLLIN)
			iothdns_udp_process_request(s->udp, zone, &s->calls);
		if (pfd[1].revents & POLLIN) {
			int conn = ioth_accept(s->tcp, NULL, NULL);
			if (conn < 0)
				continue;
			/* requests until end of stream (RFC 7766 6.2.1: several per
			 * connection) */
			int rv;
			do {
				rv = iothdns_tcp_process_request(conn, zone, &s->calls);
				int k = __atomic_load_n(&s->ntcp, __ATOMIC_SEQ_CST);
				if (k < 16) {
					s->tcp_results[k] = rv;
					__atomic_store_n(&s->ntcp, k + 1, __ATOMIC_SEQ_CST);
				}
			} while (rv > 0);
			ioth_close(conn);
		}
	}
	return NULL;
}

#define NTCP(s) __atomic_load_n(&(s)->ntcp, __ATOMIC_SEQ_CST)

static int setup(void **state) {
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sin);
	for (int tries = 0; tries < 20; tries++) {
		s->udp = ioth_msocket(NULL, AF_INET, SOCK_DGRAM, 0);
		sin.sin_port = 0;
		ioth_bind(s->udp, (struct sockaddr *) &sin, sizeof(sin));
		ioth_getsockname(s->udp, (struct sockaddr *) &sin, &sl);
		s->tcp = ioth_msocket(NULL, AF_INET, SOCK_STREAM, 0);
		if (ioth_bind(s->tcp, (struct sockaddr *) &sin, sizeof(sin)) == 0 && ioth_listen(s->tcp, 8) == 0)
			break;
		ioth_close(s->udp);
		ioth_close(s->tcp);
	}
	s->port = ntohs(sin.sin_port);
	pthread_create(&s->thread, NULL, server_thread, s);
	*state = s;
	return 0;
}

static int teardown(void **state) {
	struct server *s = *state;
	__atomic_store_n(&s->stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(s->thread, NULL);
	ioth_close(s->udp);
	ioth_close(s->tcp);
	free(s);
	return 0;
}

static struct iothdns *client(struct server *s) {
	char cfg[128];
	snprintf(cfg, sizeof(cfg), "nameserver 127.0.0.1#%d\noptions timeout:1 attempts:1\n", s->port);
	struct iothdns *d = iothdns_init_strcfg(NULL, cfg);
	iothdns_setpath(d, IOTHDNS_HOSTS, "/dev/null");
	return d;
}

static int count_txt(int section, struct iothdns_rr *rr, struct iothdns_pkt *vpkt, void *arg) {
	if (section == IOTHDNS_SEC_ANSWER && rr->type == IOTHDNS_TYPE_TXT)
		(*(int *) arg)++;
	return 0;
}

static void test_client_server(void **state) {
	struct server *s = *state;
	struct iothdns *d = client(s);
	struct in_addr a;
	assert_int_equal(iothdns_lookup_a(d, "www.test", &a, 1), 1);
	assert_memory_equal(&a, addr4, 4);
	assert_int_equal(iothdns_lookup_a(d, "nx.test", &a, 1), -1);
	assert_int_equal(errno, ENOENT);
	/* over TCP */
	int n = 0;
	assert_int_equal(iothdns_lookup_cb_tcp(d, "big.test", IOTHDNS_TYPE_TXT, count_txt, &n), 0);
	assert_int_equal(n, NBIG);
	iothdns_fini(d);
}

/* Over UDP the big reply is cut, with TC set; the client retries over TCP. */
static void test_truncation(void **state) {
	struct server *s = *state;
	struct iothdns *d = client(s);
	/* the library's client sends EDNS0 with 1232 bytes: the reply fits */
	int n = 0;
	assert_int_equal(iothdns_lookup_cb(d, "big.test", IOTHDNS_TYPE_TXT, count_txt, &n), 0);
	assert_int_equal(n, NBIG);
	assert_int_equal(NTCP(s), 0);
	/* without EDNS0 (512 bytes): TC, then TCP */
	char cfg[128];
	snprintf(cfg, sizeof(cfg), "nameserver 127.0.0.1#%d\noptions timeout:1 attempts:1 no-edns0\n", s->port);
	iothdns_update_strcfg(d, cfg);
	n = 0;
	assert_int_equal(iothdns_lookup_cb(d, "big.test", IOTHDNS_TYPE_TXT, count_txt, &n), 0);
	assert_int_equal(n, NBIG);
	/* the server thread counts the request after it sent the reply */
	for (int i = 0; i < 40 && NTCP(s) < 1; i++)
		usleep(50000);
	assert_true(NTCP(s) >= 1);
	/* the truncated UDP reply itself, by hand */
	struct iothdns_header h = {0x4242, IOTHDNS_QUERY, "big.test", IOTHDNS_TYPE_TXT, IOTHDNS_CLASS_IN};
	struct iothdns_pkt *q = iothdns_put_header(&h);
	int fd = ioth_msocket(NULL, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(s->port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ioth_sendto(fd, iothdns_buf(q), iothdns_buflen(q), 0, (struct sockaddr *) &sin, sizeof(sin));
	iothdns_free(q);
	uint8_t buf[2048];
	struct pollfd pfd = {fd, POLLIN, 0};
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	ssize_t len = ioth_recv(fd, buf, sizeof(buf), 0);
	assert_true(len > 12 && len <= 512);
	char qn[IOTHDNS_MAXNAME];
	q = iothdns_get_header(&h, buf, len, qn);
	assert_non_null(q);
	assert_int_equal(h.id, 0x4242);
	assert_true(h.flags & IOTHDNS_TRUNC);
	assert_string_equal(qn, "big.test");
	assert_int_equal((buf[6] << 8) | buf[7], 0);
	iothdns_free(q);
	ioth_close(fd);
	iothdns_fini(d);
}

static int tcp_connect(struct server *s) {
	int fd = ioth_msocket(NULL, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(s->port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(ioth_connect(fd, (struct sockaddr *) &sin, sizeof(sin)), 0);
	return fd;
}

static ssize_t read_reply(int fd, uint8_t *buf, size_t size) {
	uint8_t lb[2];
	size_t got = 0;
	struct pollfd pfd = {fd, POLLIN, 0};
	while (got < 2 && poll(&pfd, 1, 2000) == 1) {
		ssize_t r = ioth_read(fd, lb + got, 2 - got);
		if (r <= 0)
			return -1;
		got += r;
	}
	size_t len = (lb[0] << 8) | lb[1];
	assert_true(len <= size);
	got = 0;
	while (got < len && poll(&pfd, 1, 2000) == 1) {
		ssize_t r = ioth_read(fd, buf + got, len - got);
		if (r <= 0)
			return -1;
		got += r;
	}
	return got;
}

/* RFC 7766 8: the length and the message may arrive in any pieces; two
 * requests on one connection. */
static void test_tcp_partial(void **state) {
	struct server *s = *state;
	int fd = tcp_connect(s);
	struct iothdns_header h = {0x1111, IOTHDNS_QUERY | IOTHDNS_RD, "www.test", IOTHDNS_TYPE_A, IOTHDNS_CLASS_IN};
	struct iothdns_pkt *q = iothdns_put_header(&h);
	size_t qlen = iothdns_buflen(q);
	uint8_t msg[256];
	msg[0] = qlen >> 8;
	msg[1] = qlen;
	memcpy(msg + 2, iothdns_buf(q), qlen);
	iothdns_free(q);
	int one = 1;
	ioth_setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one));
	for (size_t i = 0; i < qlen + 2; i++) {
		assert_int_equal(ioth_write(fd, msg + i, 1), 1);
		usleep(2000);
	}
	uint8_t buf[1024];
	ssize_t len = read_reply(fd, buf, sizeof(buf));
	assert_true(len > 12);
	char qn[IOTHDNS_MAXNAME], n[IOTHDNS_MAXNAME];
	struct iothdns_rr rr;
	q = iothdns_get_header(&h, buf, len, qn);
	assert_int_equal(h.id, 0x1111);
	assert_true(IOTHDNS_IS_RESPONSE(h.flags));
	assert_int_equal(iothdns_get_rr(q, &rr, n), IOTHDNS_SEC_ANSWER);
	uint8_t a[4];
	iothdns_get_a(q, a);
	assert_memory_equal(a, addr4, 4);
	iothdns_free(q);
	/* a second request on the same connection, all at once */
	msg[3] = 0x22;
	assert_int_equal(ioth_write(fd, msg, qlen + 2), (ssize_t) (qlen + 2));
	len = read_reply(fd, buf, sizeof(buf));
	assert_true(len > 12);
	assert_int_equal(buf[1], 0x22);
	ioth_close(fd);
	/* the server saw two requests, then the end of the stream (0) */
	for (int i = 0; i < 40 && NTCP(s) < 3; i++)
		usleep(50000);
	assert_int_equal(NTCP(s), 3);
	assert_int_equal(s->tcp_results[0], (int) qlen);
	assert_int_equal(s->tcp_results[1], (int) qlen);
	assert_int_equal(s->tcp_results[2], 0);
}

/* A stream cut in the middle of a message: an error, no callback. */
static void test_tcp_short(void **state) {
	struct server *s = *state;
	int calls = __atomic_load_n(&s->calls, __ATOMIC_SEQ_CST);
	int fd = tcp_connect(s);
	uint8_t msg[] = {0, 40, 1, 2, 3};
	assert_int_equal(ioth_write(fd, msg, sizeof(msg)), (ssize_t) sizeof(msg));
	ioth_close(fd);
	for (int i = 0; i < 40 && NTCP(s) < 1; i++)
		usleep(50000);
	assert_int_equal(NTCP(s), 1);
	assert_int_equal(s->tcp_results[0], -1);
	assert_int_equal(__atomic_load_n(&s->calls, __ATOMIC_SEQ_CST), calls);
}

static ssize_t udp_exchange(struct server *s, const void *req, size_t len, uint8_t *buf, size_t size) {
	int fd = ioth_msocket(NULL, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(s->port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ioth_sendto(fd, req, len, 0, (struct sockaddr *) &sin, sizeof(sin));
	struct pollfd pfd = {fd, POLLIN, 0};
	ssize_t rv = -1;
	if (poll(&pfd, 1, 500) == 1)
		rv = ioth_recv(fd, buf, size, 0);
	ioth_close(fd);
	return rv;
}

/* Malformed: FORMERR, no callback. A response: ignored. NULL from the
 * callback: no reply. */
static void test_udp_bad_requests(void **state) {
	struct server *s = *state;
	uint8_t buf[512];
	int calls = __atomic_load_n(&s->calls, __ATOMIC_SEQ_CST);
	/* no question */
	uint8_t noq[12] = {0xab, 0xcd, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(udp_exchange(s, noq, sizeof(noq), buf, sizeof(buf)), 12);
	assert_int_equal(buf[0], 0xab);
	assert_int_equal(buf[1], 0xcd);
	assert_int_equal(buf[2] & 0x80, 0x80);
	assert_int_equal(buf[3] & 0xf, IOTHDNS_RCODE_EFMT);
	/* a pointer loop in the question */
	uint8_t loop[] = {0, 7, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
	assert_int_equal(udp_exchange(s, loop, sizeof(loop), buf, sizeof(buf)), 12);
	assert_int_equal(buf[3] & 0xf, IOTHDNS_RCODE_EFMT);
	/* a response is not answered */
	struct iothdns_header h = {1, IOTHDNS_RESPONSE, "www.test", IOTHDNS_TYPE_A, IOTHDNS_CLASS_IN};
	struct iothdns_pkt *q = iothdns_put_header(&h);
	assert_int_equal(udp_exchange(s, iothdns_buf(q), iothdns_buflen(q), buf, sizeof(buf)), -1);
	iothdns_free(q);
	assert_int_equal(__atomic_load_n(&s->calls, __ATOMIC_SEQ_CST), calls);
	/* the callback declines */
	h = (struct iothdns_header) {2, IOTHDNS_QUERY, "drop.test", IOTHDNS_TYPE_A, IOTHDNS_CLASS_IN};
	q = iothdns_put_header(&h);
	assert_int_equal(udp_exchange(s, iothdns_buf(q), iothdns_buflen(q), buf, sizeof(buf)), -1);
	iothdns_free(q);
	for (int i = 0; i < 40 && __atomic_load_n(&s->calls, __ATOMIC_SEQ_CST) < calls + 1; i++)
		usleep(50000);
	assert_int_equal(__atomic_load_n(&s->calls, __ATOMIC_SEQ_CST), calls + 1);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_client_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_bad_requests, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
