/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The resolver against a scripted server on 127.0.0.1, through the kernel
 * stack: answer matching (wrong id, wrong port, wrong question dropped),
 * random ids and ports, EDNS0 and its fallback, TCP fallback on TC,
 * NXDOMAIN/NODATA/SERVFAIL, CNAME chains, search list and ndots, numeric
 * names and hosts files never sent, retries, rotation, threads. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <iothdns.h>
#include "fakedns.h"

enum mode {
	M_NORMAL, M_WRONG_ID_FIRST, M_WRONG_ID_ONLY, M_WRONG_PORT_FIRST, M_WRONG_PORT_ONLY,
	M_WRONG_QNAME_FIRST, M_WRONG_QTYPE_ONLY, M_NOT_RESPONSE_ONLY, M_FORMERR_EDNS, M_SILENT,
	M_GARBAGE_FIRST,
};
static enum mode mode_; /* written by the test, read by the server thread */
static void set_mode(enum mode m) {
	__atomic_store_n(&mode_, m, __ATOMIC_SEQ_CST);
}

static const uint8_t host4[4] = {198, 18, 0, 10};
static const uint8_t evil4[4] = {6, 6, 6, 6};
static struct in6_addr host6;

static void answer_a(struct iothdns_pkt *p, const char *owner, const uint8_t *a) {
	struct iothdns_rr rr = {owner, IOTHDNS_TYPE_A, IOTHDNS_CLASS_IN, 60, 0};
	iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
	iothdns_put_a(p, (void *) a);
}

static void answer_cname(struct iothdns_pkt *p, const char *owner, const char *target) {
	struct iothdns_rr rr = {owner, IOTHDNS_TYPE_CNAME, IOTHDNS_CLASS_IN, 60, 0};
	iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
	iothdns_put_name(p, target);
}

/* The zone: what a correct server answers. */
static struct iothdns_pkt *zone(struct iothdns_header *h, int tcp) {
	struct iothdns_pkt *p;
	const char *q = h->qname;
	if (strcasecmp(q, "host.example.test") == 0) {
		p = fake_reply(h, IOTHDNS_AA);
		if (h->qtype == IOTHDNS_TYPE_A)
			answer_a(p, q, host4);
		if (h->qtype == IOTHDNS_TYPE_AAAA) {
			struct iothdns_rr rr = {q, IOTHDNS_TYPE_AAAA, IOTHDNS_CLASS_IN, 60, 0};
			iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
			iothdns_put_aaaa(p, &host6);
		}
		return p;
	}
	if (strcmp(q, "alias.example.test") == 0) {
		p = fake_reply(h, IOTHDNS_AA);
		answer_cname(p, q, "mid.example.test");
		/* a record for a name nobody asked about: must be ignored */
		answer_a(p, "evil.example.test", evil4);
		answer_cname(p, "mid.example.test", "host.example.test");
		if (h->qtype == IOTHDNS_TYPE_A)
			answer_a(p, "host.example.test", host4);
		return p;
	}
	if (strcmp(q, "split.example.test") == 0) {
		/* the target is left for the client to ask */
		p = fake_reply(h, 0);
		answer_cname(p, q, "host.example.test");
		return p;
	}
	if (strncmp(q, "loop", 4) == 0) {
		p = fake_reply(h, 0);
		answer_cname(p, q, strcmp(q, "loop1.example.test") == 0 ? "loop2.example.test" : "loop1.example.test");
		return p;
	}
	if (strcmp(q, "nodata.example.test") == 0)
		return fake_reply(h, IOTHDNS_AA);
	if (strcmp(q, "fail.example.test") == 0)
		return fake_reply(h, IOTHDNS_RCODE_EFAIL);
	if (strcmp(q, "big.example.test") == 0) {
		if (!tcp)
			return fake_reply(h, IOTHDNS_TRUNC);
		p = fake_reply(h, IOTHDNS_AA);
		for (int i = 0; i < 20; i++) {
			char s[64];
			struct iothdns_rr rr = {q, IOTHDNS_TYPE_TXT, IOTHDNS_CLASS_IN, 60, 0};
			snprintf(s, sizeof(s), "record %02d, long enough to pass 512 bytes", i);
			iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
			iothdns_put_string(p, s);
		}
		return p;
	}
	if (strcmp(q, "1.2.3.4.in-addr.arpa") == 0 || strcmp(q, "10.0.18.198.in-addr.arpa") == 0) {
		p = fake_reply(h, IOTHDNS_AA);
		struct iothdns_rr rr = {q, IOTHDNS_TYPE_PTR, IOTHDNS_CLASS_IN, 60, 0};
		iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
		iothdns_put_name(p, "host.example.test");
		return p;
	}
	return fake_reply(h, IOTHDNS_RCODE_ENOENT);
}

/* A forged reply: right question, bogus address. */
static struct iothdns_pkt *forged(struct iothdns_header *h, uint16_t id, const char *qname, int qtype) {
	struct iothdns_header f = *h;
	f.id = id;
	f.qname = qname;
	f.qtype = qtype;
	struct iothdns_pkt *p = fake_reply(&f, 0);
	answer_a(p, qname, evil4);
	return p;
}

static void handler(struct fakedns *f, int tcp, const uint8_t *q, size_t qlen, struct iothdns_header *h) {
	struct iothdns_pkt *p;
	int has_opt = 0;
	struct fakedns_log log;
	fakedns_getlog(f, &log);
	if (log.n <= FAKE_MAXLOG)
		has_opt = log.edns[log.n - 1];
	enum mode m = fakedns_arg(f) ? *(enum mode *) fakedns_arg(f) : __atomic_load_n(&mode_, __ATOMIC_SEQ_CST);
	switch (m) {
		case M_SILENT:
			return;
		case M_WRONG_ID_FIRST:
		case M_WRONG_ID_ONLY:
			p = forged(h, h->id ^ 0x5a5a, h->qname, h->qtype);
			fake_send_pkt(f, tcp, p);
			if (m == M_WRONG_ID_ONLY)
				return;
			break;
		case M_WRONG_PORT_FIRST:
		case M_WRONG_PORT_ONLY:
			p = forged(h, h->id, h->qname, h->qtype);
			fake_send_other_port(f, iothdns_buf(p), iothdns_buflen(p));
			iothdns_free(p);
			if (m == M_WRONG_PORT_ONLY)
				return;
			usleep(20000);
			break;
		case M_WRONG_QNAME_FIRST:
			p = forged(h, h->id, "other.example.test", h->qtype);
			fake_send_pkt(f, tcp, p);
			break;
		case M_WRONG_QTYPE_ONLY:
			p = forged(h, h->id, h->qname, IOTHDNS_TYPE_MX);
			fake_send_pkt(f, tcp, p);
			return;
		case M_NOT_RESPONSE_ONLY: {
			/* QR clear: a query, not a reply */
			p = forged(h, h->id, h->qname, h->qtype);
			iothdns_rewrite_header(p, h->id, 0);
			fake_send_pkt(f, tcp, p);
			return;
		}
		case M_GARBAGE_FIRST: {
			uint8_t junk[40];
			memset(junk, 0xc0, sizeof(junk));
			junk[0] = h->id >> 8;
			junk[1] = h->id;
			fake_send(f, tcp, junk, sizeof(junk));
			break;
		}
		case M_FORMERR_EDNS:
			if (has_opt) {
				fake_send_pkt(f, tcp, fake_reply(h, IOTHDNS_RCODE_EFMT));
				return;
			}
			break;
		default:
			break;
	}
	(void) q;
	(void) qlen;
	fake_send_pkt(f, tcp, zone(h, tcp));
}

struct fixture {
	struct fakedns *f;
	struct iothdns *dns;
};

static int setup(void **state) {
	struct fixture *fx = calloc(1, sizeof(*fx));
	set_mode(M_NORMAL);
	fx->f = fakedns_start(handler, NULL);
	if (fx->f == NULL)
		return -1;
	char *cfg = fakedns_config(fx->f, "search example.test\noptions timeout:1 attempts:1");
	fx->dns = iothdns_init_strcfg(NULL, cfg);
	free(cfg);
	if (fx->dns == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state) {
	struct fixture *fx = *state;
	iothdns_fini(fx->dns);
	fakedns_stop(fx->f);
	free(fx);
	return 0;
}

static int nqueries(struct fixture *fx) {
	struct fakedns_log log;
	fakedns_getlog(fx->f, &log);
	return log.n;
}

static void test_lookup_basic(void **state) {
	struct fixture *fx = *state;
	struct in_addr a[4];
	struct in6_addr a6[4];
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", a, 4), 1);
	assert_memory_equal(&a[0], host4, 4);
	assert_int_equal(iothdns_lookup_aaaa(fx->dns, "host.example.test", a6, 4), 1);
	assert_memory_equal(&a6[0], &host6, 16);
	/* n == 0: only the count */
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", NULL, 0), 1);
	struct fakedns_log log;
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.ntcp, 0);
	/* RFC 6891: EDNS0 on every query */
	assert_true(log.edns[0] && log.edns[1]);
	assert_int_equal(log.qtype[0], IOTHDNS_TYPE_A);
	assert_int_equal(log.qtype[1], IOTHDNS_TYPE_AAAA);
}

/* RFC 5452: ids and source ports vary from query to query. */
static void test_random_id_port(void **state) {
	struct fixture *fx = *state;
	struct in_addr a;
	for (int i = 0; i < 12; i++)
		assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), 1);
	struct fakedns_log log;
	fakedns_getlog(fx->f, &log);
	int same_id = 0, same_port = 0;
	for (int i = 0; i < 12; i++)
		for (int j = i + 1; j < 12; j++) {
			same_id += log.id[i] == log.id[j];
			same_port += log.srcport[i] == log.srcport[j];
		}
	/* 66 pairs out of 65536 (ids) or 64512 (ports): a few collisions at most */
	assert_true(same_id <= 2);
	assert_true(same_port <= 2);
	for (int i = 0; i < 12; i++)
		assert_true(log.srcport[i] >= 1024);
}

static void expect_dropped(struct fixture *fx, enum mode first, enum mode only) {
	struct in_addr a;
	set_mode(first);
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), 1);
	assert_memory_equal(&a, host4, 4);
	set_mode(only);
	errno = 0;
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), -1);
	assert_int_equal(errno, ETIMEDOUT);
}

static void test_wrong_id(void **state) {
	expect_dropped(*state, M_WRONG_ID_FIRST, M_WRONG_ID_ONLY);
}

static void test_wrong_port(void **state) {
	expect_dropped(*state, M_WRONG_PORT_FIRST, M_WRONG_PORT_ONLY);
}

static void test_wrong_question(void **state) {
	expect_dropped(*state, M_WRONG_QNAME_FIRST, M_WRONG_QTYPE_ONLY);
	struct in_addr a;
	set_mode(M_NOT_RESPONSE_ONLY);
	assert_int_equal(iothdns_lookup_a(((struct fixture *) *state)->dns, "host.example.test", &a, 1), -1);
	assert_int_equal(errno, ETIMEDOUT);
	/* a malformed datagram with the right id does not stop the wait */
	set_mode(M_GARBAGE_FIRST);
	assert_int_equal(iothdns_lookup_a(((struct fixture *) *state)->dns, "host.example.test", &a, 1), 1);
	assert_memory_equal(&a, host4, 4);
}

struct txtcount {
	int n;
	int bytes;
};

static int count_txt(int section, struct iothdns_rr *rr, struct iothdns_pkt *vpkt, void *arg) {
	struct txtcount *c = arg;
	char s[IOTHDNS_MAXSTRING + 1];
	if (section == IOTHDNS_SEC_ANSWER && rr->type == IOTHDNS_TYPE_TXT) {
		c->n++;
		c->bytes += strlen(iothdns_get_string(vpkt, s));
	}
	return 0;
}

static void test_tcp_fallback(void **state) {
	struct fixture *fx = *state;
	struct txtcount c = {0, 0};
	assert_int_equal(iothdns_lookup_cb(fx->dns, "big.example.test", IOTHDNS_TYPE_TXT, count_txt, &c), 0);
	assert_int_equal(c.n, 20);
	struct fakedns_log log;
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.ntcp, 1);
	/* lookup_cb_tcp: TCP only */
	c.n = 0;
	assert_int_equal(iothdns_lookup_cb_tcp(fx->dns, "host.example.test", IOTHDNS_TYPE_A, count_txt, &c), 0);
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.ntcp, 2);
}

static int stop_at_first(int section, struct iothdns_rr *rr, struct iothdns_pkt *vpkt, void *arg) {
	(*(int *) arg)++;
	return 42;
}

static void test_callback_stop(void **state) {
	struct fixture *fx = *state;
	int calls = 0;
	assert_int_equal(iothdns_lookup_cb(fx->dns, "alias.example.test", IOTHDNS_TYPE_A, stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);
}

static void test_formerr_edns(void **state) {
	struct fixture *fx = *state;
	struct in_addr a;
	set_mode(M_FORMERR_EDNS);
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), 1);
	struct fakedns_log log;
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.edns[0], 1);
	assert_int_equal(log.edns[1], 0);
}

static void test_rcodes(void **state) {
	struct fixture *fx = *state;
	struct in_addr a;
	errno = 0;
	assert_int_equal(iothdns_lookup_a(fx->dns, "missing.example.test", &a, 1), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(iothdns_lookup_a(fx->dns, "nodata.example.test", &a, 1), 0);
	errno = 0;
	assert_int_equal(iothdns_lookup_a(fx->dns, "fail.example.test", &a, 1), -1);
	assert_int_equal(errno, EAGAIN);
	/* NXDOMAIN for lookup_cb too */
	int calls = 0;
	assert_int_equal(iothdns_lookup_cb(fx->dns, "missing.example.test", IOTHDNS_TYPE_MX, stop_at_first, &calls), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(calls, 0);
}

static void test_cname(void **state) {
	struct fixture *fx = *state;
	struct in_addr a[4];
	/* alias -> mid -> host, with a stray record for another name */
	assert_int_equal(iothdns_lookup_a(fx->dns, "alias.example.test", a, 4), 1);
	assert_memory_equal(&a[0], host4, 4);
	assert_int_equal(nqueries(fx), 1);
	/* the chain ends without the address: the target is asked */
	assert_int_equal(iothdns_lookup_a(fx->dns, "split.example.test", a, 4), 1);
	assert_memory_equal(&a[0], host4, 4);
	struct fakedns_log log;
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 3);
	assert_string_equal(log.qname[2], "host.example.test");
	/* a loop ends, with nothing */
	assert_int_equal(iothdns_lookup_a(fx->dns, "loop1.example.test", a, 4), 0);
	assert_true(nqueries(fx) <= 3 + 10);
}

static void test_search_ndots(void **state) {
	struct fixture *fx = *state;
	struct in_addr a;
	struct fakedns_log log;
	/* no dot (< ndots 1): the search domain first */
	assert_int_equal(iothdns_lookup_a(fx->dns, "host", &a, 1), 1);
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 1);
	assert_string_equal(log.qname[0], "host.example.test");
	/* not found anywhere: host.example.test-like first, then as is */
	assert_int_equal(iothdns_lookup_a(fx->dns, "nothere", &a, 1), -1);
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 3);
	assert_string_equal(log.qname[1], "nothere.example.test");
	assert_string_equal(log.qname[2], "nothere");
	/* dots >= ndots: as is first */
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), 1);
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 4);
	assert_string_equal(log.qname[3], "host.example.test");
	/* absolute: as is only */
	assert_int_equal(iothdns_lookup_a(fx->dns, "nothere.", &a, 1), -1);
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 5);
	/* ndots:3: "host.example" (1 dot) tries the search list first */
	char *cfg = fakedns_config(fx->f, "search example.test\noptions ndots:3 timeout:1 attempts:1");
	assert_int_equal(iothdns_update_strcfg(fx->dns, cfg), 0);
	free(cfg);
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example", &a, 1), -1);
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 7);
	assert_string_equal(log.qname[5], "host.example.example.test");
	assert_string_equal(log.qname[6], "host.example");
}

static void test_numeric_never_sent(void **state) {
	struct fixture *fx = *state;
	struct in_addr a;
	struct in6_addr a6;
	assert_int_equal(iothdns_lookup_a(fx->dns, "198.18.0.99", &a, 1), 1);
	assert_int_equal(ntohl(a.s_addr), 0xc6120063);
	assert_int_equal(iothdns_lookup_a(fx->dns, "fd00::1", &a, 1), 0);
	assert_int_equal(iothdns_lookup_aaaa(fx->dns, "fd00::1", &a6, 1), 1);
	assert_int_equal(iothdns_lookup_aaaa(fx->dns, "198.18.0.99", &a6, 1), 0);
	struct txtcount c = {0, 0};
	assert_int_equal(iothdns_lookup_cb(fx->dns, "198.18.0.99", IOTHDNS_TYPE_A, count_txt, &c), 0);
	assert_int_equal(nqueries(fx), 0);
}

static void test_hosts_file(void **state) {
	struct fixture *fx = *state;
	char path[] = "/tmp/iothdns-hosts-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "# test hosts\n198.18.7.7\tmyhost.local myalias  # comment\n"
		"fd00::7 myhost.local\n198.18.7.8 myhost.local\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
	close(fd);
	iothdns_setpath(fx->dns, IOTHDNS_HOSTS, path);
	char buf[64];
	assert_int_equal(iothdns_getpath(fx->dns, IOTHDNS_HOSTS, buf, sizeof(buf)), (int) strlen(path));
	assert_string_equal(buf, path);
	struct in_addr a[4];
	struct in6_addr a6;
	assert_int_equal(iothdns_lookup_a(fx->dns, "MyAlias", a, 4), 1);
	assert_int_equal(ntohl(a[0].s_addr), 0xc6120707);
	assert_int_equal(iothdns_lookup_a(fx->dns, "myhost.local", a, 4), 2);
	assert_int_equal(iothdns_lookup_aaaa(fx->dns, "myhost.local", &a6, 1), 1);
	assert_int_equal(nqueries(fx), 0);
	/* not in the file: the DNS */
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", a, 4), 1);
	assert_int_equal(nqueries(fx), 1);
	iothdns_setpath(fx->dns, IOTHDNS_HOSTS, NULL);
	iothdns_getpath(fx->dns, IOTHDNS_HOSTS, buf, sizeof(buf));
	assert_string_equal(buf, "/etc/hosts");
	unlink(path);
}

static void test_aaaa_compat(void **state) {
	struct fixture *fx = *state;
	struct in6_addr a6[4];
	assert_int_equal(iothdns_lookup_aaaa_compat(fx->dns, "host.example.test", a6, 4), 2);
	assert_memory_equal(&a6[0], &host6, 16);
	char s[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, &a6[1], s, sizeof(s));
	assert_string_equal(s, "::ffff:198.18.0.10");
	/* no room for the IPv4 one: still counted */
	assert_int_equal(iothdns_lookup_aaaa_compat(fx->dns, "host.example.test", a6, 1), 2);
}

/* A silent server is retried "attempts" times; a silent first server
 * is passed over for the second; rotate spreads queries. */
static enum mode always_silent = M_SILENT;

static void test_retry_and_servers(void **state) {
	struct fixture *fx = *state;
	struct in_addr a;
	struct fakedns_log log, l2;
	char text[256];
	char *cfg = fakedns_config(fx->f, "options timeout:1 attempts:2");
	assert_int_equal(iothdns_update_strcfg(fx->dns, cfg), 0);
	free(cfg);
	set_mode(M_SILENT);
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), -1);
	assert_int_equal(errno, ETIMEDOUT);
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 2);
	set_mode(M_NORMAL);

	struct fakedns *silent = fakedns_start(handler, &always_silent);
	snprintf(text, sizeof(text), "nameserver 127.0.0.1#%d\nnameserver 127.0.0.1#%d\n"
			"options timeout:1 attempts:1", fakedns_port(silent), fakedns_port(fx->f));
	assert_int_equal(iothdns_update_strcfg(fx->dns, text), 0);
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), 1);
	assert_memory_equal(&a, host4, 4);
	fakedns_getlog(silent, &l2);
	assert_int_equal(l2.n, 1);
	fakedns_stop(silent);

	struct fakedns *second = fakedns_start(handler, NULL);
	snprintf(text, sizeof(text), "nameserver 127.0.0.1#%d\nnameserver 127.0.0.1#%d\n"
			"options timeout:1 attempts:1 rotate", fakedns_port(fx->f), fakedns_port(second));
	assert_int_equal(iothdns_update_strcfg(fx->dns, text), 0);
	fakedns_getlog(fx->f, &log);
	int before = log.n;
	for (int i = 0; i < 6; i++)
		assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), 1);
	fakedns_getlog(fx->f, &log);
	fakedns_getlog(second, &l2);
	assert_int_equal(log.n - before, 3);
	assert_int_equal(l2.n, 3);
	fakedns_stop(second);
}

/* first server dead (nothing listens: ICMP port unreachable or timeout),
 * the second one answers */
static void test_failover(void **state) {
	struct fixture *fx = *state;
	struct in_addr a;
	char text[256];
	snprintf(text, sizeof(text), "nameserver 127.0.0.1#9\nnameserver 127.0.0.1#%d\n"
			"options timeout:1 attempts:1", fakedns_port(fx->f));
	assert_int_equal(iothdns_update_strcfg(fx->dns, text), 0);
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), 1);
	assert_memory_equal(&a, host4, 4);
}

static void test_config(void **state) {
	struct fixture *fx = *state;
	struct in_addr a4 = {htonl(0x7f000001)};
	errno = 0;
	assert_int_equal(iothdns_update(fx->dns, "/nonexistent/resolv.conf"), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(iothdns_init(NULL, "/nonexistent/resolv.conf"));
	/* the old configuration is still in place */
	struct in_addr a;
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), 1);
	struct iothdns *d = iothdns_init_strcfg(NULL, "nameserver 198.18.0.1\nnameserver fd00::1\n"
			"nameserver 198.18.0.2\nnameserver 198.18.0.3\n");
	assert_non_null(d);
	assert_int_equal(iothdns_add_nameserver(d, AF_INET, &a4), -1);
	assert_int_equal(errno, ENOSPC);
	iothdns_fini(d);
	d = iothdns_init_strcfg(NULL, "");
	assert_int_equal(iothdns_add_nameserver(d, AF_UNIX, &a4), -1);
	assert_int_equal(errno, EAFNOSUPPORT);
	assert_int_equal(iothdns_add_nameserver(d, AF_INET, &a4), 0);
	iothdns_fini(d);
}

static long elapsed_ms(const struct timespec *t0) {
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* IPv6 servers, with zones by interface name or index (RFC 4007 11). */
static void test_ipv6_server(void **state) {
	struct fixture *fx = *state;
	struct in_addr a;
	char text[256];
	if (!fakedns_has_ipv6(fx->f)) {
		printf("no IPv6 on this host: IPv6 server test skipped\n");
		skip();
	}
	int port = fakedns_port(fx->f);
	const char *forms[] = {"::1#%d", "::1%%lo#%d", "::1%%1#%d"};
	for (size_t i = 0; i < 3; i++) {
		char ns[64];
		snprintf(ns, sizeof(ns), forms[i], port);
		snprintf(text, sizeof(text), "nameserver %s\noptions timeout:1 attempts:1", ns);
		assert_int_equal(iothdns_update_strcfg(fx->dns, text), 0);
		assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), 1);
		assert_memory_equal(&a, host4, 4);
	}
	/* a zone that is no interface: the line is ignored, so the first server
	 * asked is the next one (had it been kept, [::1]:9 would cost 1 s) */
	snprintf(text, sizeof(text), "nameserver ::1%%nosuchif#9\nnameserver 127.0.0.1#%d\n"
			"options timeout:1 attempts:1", port);
	assert_int_equal(iothdns_update_strcfg(fx->dns, text), 0);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(iothdns_lookup_a(fx->dns, "host.example.test", &a, 1), 1);
	assert_true(elapsed_ms(&t0) < 900);
	struct fakedns_log log;
	fakedns_getlog(fx->f, &log);
	assert_int_equal(log.n, 4);
}

struct thread_arg {
	struct iothdns *dns;
	int ok;
};

static void *lookup_thread(void *arg) {
	struct thread_arg *t = arg;
	for (int i = 0; i < 25; i++) {
		struct in_addr a;
		if (iothdns_lookup_a(t->dns, "host.example.test", &a, 1) == 1 &&
				memcmp(&a, host4, 4) == 0)
			t->ok++;
	}
	return NULL;
}

/* Lookups from several threads while the configuration changes under
 * them: every lookup completes with one configuration or the other. */
static void test_threads_update(void **state) {
	struct fixture *fx = *state;
	struct fakedns *second = fakedns_start(handler, NULL);
	char *c1 = fakedns_config(fx->f, "options timeout:2 attempts:2");
	char *c2 = fakedns_config(second, "search example.test\noptions timeout:2 attempts:2 rotate");
	pthread_t th[4];
	struct thread_arg ta[4];
	for (int i = 0; i < 4; i++) {
		ta[i].dns = fx->dns;
		ta[i].ok = 0;
		pthread_create(&th[i], NULL, lookup_thread, &ta[i]);
	}
	for (int i = 0; i < 60; i++) {
		assert_int_equal(iothdns_update_strcfg(fx->dns, i % 2 ? c1 : c2), 0);
		iothdns_setpath(fx->dns, IOTHDNS_HOSTS, i % 2 ? "/nonexistent/hosts" : NULL);
		usleep(2000);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(ta[i].ok, 25);
	}
	free(c1);
	free(c2);
	fakedns_stop(second);
}

static void test_bad_arguments(void **state) {
	struct fixture *fx = *state;
	struct in_addr a;
	char long_label[80];
	memset(long_label, 'x', 70);
	strcpy(long_label + 70, ".test");
	assert_int_equal(iothdns_lookup_a(fx->dns, long_label, &a, 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(iothdns_lookup_a(fx->dns, "a..b", &a, 1), -1);
	assert_int_equal(iothdns_lookup_cb(fx->dns, "", IOTHDNS_TYPE_A, count_txt, NULL), -1);
	assert_int_equal(nqueries(fx), 0);
}

int main(void) {
	inet_pton(AF_INET6, "fd00::10", &host6);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_id_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_question, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_formerr_edns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rcodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cname, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_ndots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numeric_never_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hosts_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aaaa_compat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_and_servers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
