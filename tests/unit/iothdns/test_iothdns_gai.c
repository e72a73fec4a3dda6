/* SPDX-License-Identifier: LGPL-2.1-or-later
 * getaddrinfo/getnameinfo. Where no name server is involved (numeric
 * hosts, NULL host, services, flags and their errors) the results are
 * compared with glibc's own getaddrinfo/getnameinfo, called in the same
 * process with the same arguments: every combination of a table of
 * nodes, services, families, socket types, protocols and flags. Names go
 * through a scripted server: CNAME and canonical name, V4MAPPED, AI_ALL,
 * NXDOMAIN/NODATA/SERVFAIL to EAI_*, PTR for getnameinfo. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <iothdns.h>
#include "fakedns.h"

/* ---- printing results, to compare them as text ---- */

static void ai_text(int rv, struct addrinfo *res, char *out, size_t size) {
	size_t len = 0;
	if (rv != 0) {
		snprintf(out, size, "error %d", rv);
		return;
	}
	out[0] = 0;
	for (struct addrinfo *p = res; p; p = p->ai_next) {
		char a[INET6_ADDRSTRLEN] = "?";
		int port = 0;
		unsigned scope = 0;
		if (p->ai_family == AF_INET) {
			struct sockaddr_in *s = (void *) p->ai_addr;
			inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
			port = ntohs(s->sin_port);
		} else if (p->ai_family == AF_INET6) {
			struct sockaddr_in6 *s = (void *) p->ai_addr;
			inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
			port = ntohs(s->sin6_port);
			scope = s->sin6_scope_id;
		}
		len += snprintf(out + len, size - len, "[%d %d %d %s %d %u %u %s]", p->ai_family,
				p->ai_socktype, p->ai_protocol, a, port, scope, p->ai_addrlen,
				p->ai_canonname ? p->ai_canonname : "-");
		if (len >= size)
			break;
	}
}

static const char *nodes[] = {NULL, "198.18.0.1", "127.1", "::1", "fd00::53", "::ffff:198.18.0.7",
	"fe80::1%1", "0"};
static const char *services[] = {NULL, "80", "domain", "http", "tftp", "nosuchservice", "70000"};
static const int families[] = {AF_UNSPEC, AF_INET, AF_INET6, AF_UNIX};
static const int socktypes[] = {0, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET};
static const int protocols[] = {0, IPPROTO_TCP, IPPROTO_UDP};
static const int flagbits[] = {AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_V4MAPPED, AI_ALL,
	AI_ADDRCONFIG, AI_NUMERICSERV};
#define N(a) (sizeof(a) / sizeof(a[0]))

static void test_gai_vs_glibc(void **state) {
	(void) state;
	struct iothdns *dns = iothdns_init_strcfg(NULL, "nameserver 127.0.0.1#9\noptions timeout:1 attempts:1");
	assert_non_null(dns);
	static char mine[8192], theirs[8192];
	int cases = 0, mismatches = 0;
	for (size_t n = 0; n < N(nodes); n++)
		for (size_t s = 0; s < N(services); s++)
			for (size_t f = 0; f < N(families); f++)
				for (size_t t = 0; t < N(socktypes); t++)
					for (size_t p = 0; p < N(protocols); p++)
						for (int fl = 0; fl < (1 << N(flagbits)); fl++) {
							struct addrinfo hints = {0}, *r1 = NULL, *r2 = NULL;
							hints.ai_family = families[f];
							hints.ai_socktype = socktypes[t];
							hints.ai_protocol = protocols[p];
							for (size_t b = 0; b < N(flagbits); b++)
								if (fl & (1 << b))
									hints.ai_flags |= flagbits[b];
							int rv1 = iothdns_getaddrinfo(dns, nodes[n], services[s], &hints, &r1);
							int rv2 = getaddrinfo(nodes[n], services[s], &hints, &r2);
							ai_text(rv1, r1, mine, sizeof(mine));
							ai_text(rv2, r2, theirs, sizeof(theirs));
							if (rv1 == 0)
								iothdns_freeaddrinfo(r1);
							if (rv2 == 0)
								freeaddrinfo(r2);
							cases++;
							if (strcmp(mine, theirs) != 0) {
								if (mismatches++ < 10)
									printf("MISMATCH node=%s serv=%s fam=%d type=%d proto=%d flags=%#x\n"
											"  iothdns: %s\n  glibc:   %s\n",
											nodes[n] ? nodes[n] : "NULL", services[s] ? services[s] : "NULL",
											families[f], socktypes[t], protocols[p], hints.ai_flags, mine, theirs);
							}
						}
	printf("%d cases, %d mismatches\n", cases, mismatches);
	/* no query was needed for any of them */
	assert_int_equal(mismatches, 0);
	/* NULL hints: glibc's defaults */
	struct addrinfo *r1, *r2;
	assert_int_equal(iothdns_getaddrinfo(dns, "198.18.0.1", "53", NULL, &r1), 0);
	assert_int_equal(getaddrinfo("198.18.0.1", "53", NULL, &r2), 0);
	ai_text(0, r1, mine, sizeof(mine));
	ai_text(0, r2, theirs, sizeof(theirs));
	assert_string_equal(mine, theirs);
	iothdns_freeaddrinfo(r1);
	freeaddrinfo(r2);
	iothdns_fini(dns);
}

static void test_gni_vs_glibc(void **state) {
	(void) state;
	struct iothdns *dns = iothdns_init_strcfg(NULL, "nameserver 127.0.0.1#9\noptions timeout:1 attempts:1");
	const char *addrs[] = {"198.18.0.1", "::1", "fd00::1", "fe80::1", "::ffff:198.18.0.2"};
	const int ports[] = {0, 53, 80, 69, 65535};
	const int flags[] = {NI_NUMERICHOST | NI_NUMERICSERV, NI_NUMERICHOST, NI_NUMERICHOST | NI_DGRAM,
		NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN, 0x4000 /* unknown */};
	const socklen_t lens[] = {1, 4, 8, 64};
	int cases = 0;
	for (size_t a = 0; a < N(addrs); a++)
		for (size_t p = 0; p < N(ports); p++)
			for (size_t f = 0; f < N(flags); f++)
				for (size_t l = 0; l < N(lens); l++)
					for (int scope = 0; scope < 2; scope++) {
						struct sockaddr_storage ss = {0};
						socklen_t sl;
						if (strchr(addrs[a], ':')) {
							struct sockaddr_in6 *s6 = (void *) &ss;
							s6->sin6_family = AF_INET6;
							inet_pton(AF_INET6, addrs[a], &s6->sin6_addr);
							s6->sin6_port = htons(ports[p]);
							s6->sin6_scope_id = scope ? 1 : 0;
							sl = sizeof(*s6);
						} else {
							if (scope)
								continue;
							struct sockaddr_in *s4 = (void *) &ss;
							s4->sin_family = AF_INET;
							inet_pton(AF_INET, addrs[a], &s4->sin_addr);
							s4->sin_port = htons(ports[p]);
							sl = sizeof(*s4);
						}
						char h1[64], s1[64], h2[64], s2[64];
						int r1 = iothdns_getnameinfo(dns, (void *) &ss, sl, h1, lens[l], s1, lens[l], flags[f]);
						int r2 = getnameinfo((void *) &ss, sl, h2, lens[l], s2, lens[l], flags[f]);
						cases++;
						if (r1 != r2)
							printf("MISMATCH %s port %d flags %#x len %u scope %d: %d vs glibc %d\n",
									addrs[a], ports[p], flags[f], lens[l], scope, r1, r2);
						assert_int_equal(r1, r2);
						if (r1 == 0) {
							assert_string_equal(h1, h2);
							assert_string_equal(s1, s2);
						}
					}
	/* bad lengths and families */
	struct sockaddr_in s4 = {.sin_family = AF_INET};
	char h[64];
	assert_int_equal(iothdns_getnameinfo(dns, (void *) &s4, sizeof(s4) - 1, h, 64, NULL, 0, 0),
			getnameinfo((void *) &s4, sizeof(s4) - 1, h, 64, NULL, 0, 0));
	s4.sin_family = AF_UNIX;
	assert_int_equal(iothdns_getnameinfo(dns, (void *) &s4, sizeof(s4), h, 64, NULL, 0, 0), EAI_FAMILY);
	printf("%d cases\n", cases);
	iothdns_fini(dns);
}

/* ---- names through a scripted server ---- */

static const uint8_t host4[4] = {198, 18, 0, 10};
static const uint8_t host4b[4] = {198, 18, 0, 11};

static void handler(struct fakedns *f, int tcp, const uint8_t *q, size_t qlen, struct iothdns_header *h) {
	struct iothdns_pkt *p;
	const char *n = h->qname;
	struct in6_addr a6;
	inet_pton(AF_INET6, "fd00::10", &a6);
	if (strcmp(n, "www.example.test") == 0 || strcmp(n, "host.example.test") == 0 ||
			strcmp(n, "v4only.example.test") == 0) {
		int v4only = n[0] == 'v';
		p = fake_reply(h, IOTHDNS_AA);
		if (n[0] == 'w') {
			struct iothdns_rr rr = {n, IOTHDNS_TYPE_CNAME, IOTHDNS_CLASS_IN, 60, 0};
			iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
			iothdns_put_name(p, "host.example.test");
			n = "host.example.test";
		}
		if (h->qtype == IOTHDNS_TYPE_A) {
			struct iothdns_rr rr = {n, IOTHDNS_TYPE_A, IOTHDNS_CLASS_IN, 60, 0};
			iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
			iothdns_put_a(p, (void *) host4);
			iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
			iothdns_put_a(p, (void *) host4b);
		}
		if (h->qtype == IOTHDNS_TYPE_AAAA && !v4only) {
			struct iothdns_rr rr = {n, IOTHDNS_TYPE_AAAA, IOTHDNS_CLASS_IN, 60, 0};
			iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
			iothdns_put_aaaa(p, &a6);
		}
	} else if (strcmp(n, "fail.example.test") == 0)
		p = fake_reply(h, IOTHDNS_RCODE_EFAIL);
	else if (strcmp(n, "nodata.example.test") == 0)
		p = fake_reply(h, IOTHDNS_AA);
	else if (strcmp(n, "10.0.18.198.in-addr.arpa") == 0 ||
			strcmp(n, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa") == 0) {
		p = fake_reply(h, IOTHDNS_AA);
		struct iothdns_rr rr = {n, IOTHDNS_TYPE_PTR, IOTHDNS_CLASS_IN, 60, 0};
		iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
		iothdns_put_name(p, "host.example.test");
	} else
		p = fake_reply(h, IOTHDNS_RCODE_ENOENT);
	fake_send_pkt(f, tcp, p);
}

struct fixture {
	struct fakedns *f;
	struct iothdns *dns;
};

static int setup(void **state) {
	struct fixture *fx = calloc(1, sizeof(*fx));
	fx->f = fakedns_start(handler, NULL);
	char *cfg = fakedns_config(fx->f, "search example.test\noptions timeout:1 attempts:1");
	fx->dns = iothdns_init_strcfg(NULL, cfg);
	free(cfg);
	/* an empty hosts file: only the server answers */
	iothdns_setpath(fx->dns, IOTHDNS_HOSTS, "/dev/null");
	*state = fx;
	return fx->f && fx->dns ? 0 : -1;
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

static void test_gai_names(void **state) {
	struct fixture *fx = *state;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_CANONNAME}, *res;
	char text[4096];
	/* the kernel stack of this host may have no global address: no
	 * AI_ADDRCONFIG here, so the set does not depend on the machine */
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "www.example.test", "80", &hints, &res), 0);
	ai_text(0, res, text, sizeof(text));
	assert_non_null(strstr(text, "[2 1 6 198.18.0.10 80 0 16"));
	assert_non_null(strstr(text, "[2 1 6 198.18.0.11 80 0 16"));
	assert_non_null(strstr(text, "[10 1 6 fd00::10 80 0 28"));
	assert_string_equal(res->ai_canonname, "host.example.test");
	assert_null(res->ai_next->ai_canonname);
	int count = 0;
	for (struct addrinfo *p = res; p; p = p->ai_next)
		count++;
	assert_int_equal(count, 3);
	iothdns_freeaddrinfo(res);
	/* search list */
	hints.ai_family = AF_INET;
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "host", "domain", &hints, &res), 0);
	assert_string_equal(res->ai_canonname, "host.example.test");
	assert_int_equal(ntohs(((struct sockaddr_in *) res->ai_addr)->sin_port), 53);
	iothdns_freeaddrinfo(res);
	/* V4MAPPED: IPv6 present, so no mapping */
	hints = (struct addrinfo) {.ai_family = AF_INET6, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_V4MAPPED};
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "host.example.test", NULL, &hints, &res), 0);
	ai_text(0, res, text, sizeof(text));
	assert_string_equal(text, "[10 2 17 fd00::10 0 0 28 -]");
	iothdns_freeaddrinfo(res);
	/* V4MAPPED without IPv6 addresses: mapped IPv4 */
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "v4only.example.test", NULL, &hints, &res), 0);
	ai_text(0, res, text, sizeof(text));
	assert_string_equal(text, "[10 2 17 ::ffff:198.18.0.10 0 0 28 -][10 2 17 ::ffff:198.18.0.11 0 0 28 -]");
	iothdns_freeaddrinfo(res);
	/* AI_ALL: both */
	hints.ai_flags |= AI_ALL;
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "host.example.test", NULL, &hints, &res), 0);
	ai_text(0, res, text, sizeof(text));
	assert_non_null(strstr(text, "fd00::10"));
	assert_non_null(strstr(text, "::ffff:198.18.0.10"));
	iothdns_freeaddrinfo(res);
	/* AF_INET6 without V4MAPPED on a v4-only name: no data */
	hints.ai_flags = 0;
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "v4only.example.test", NULL, &hints, &res), EAI_NODATA);
}

static void test_gai_errors(void **state) {
	struct fixture *fx = *state;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "nosuch.example.test", NULL, &hints, &res), EAI_NONAME);
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "nodata.example.test", NULL, &hints, &res), EAI_NODATA);
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "fail.example.test", NULL, &hints, &res), EAI_AGAIN);
	int before = nqueries(fx);
	hints.ai_flags = AI_NUMERICHOST;
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "host.example.test", NULL, &hints, &res), EAI_NONAME);
	assert_int_equal(nqueries(fx), before);
	assert_null(res);
	assert_string_equal(iothdns_gai_strerror(EAI_NONAME), gai_strerror(EAI_NONAME));
	/* timeout: a server that is not there */
	struct iothdns *dead = iothdns_init_strcfg(NULL, "nameserver 127.0.0.1#9\noptions timeout:1 attempts:1");
	iothdns_setpath(dead, IOTHDNS_HOSTS, "/dev/null");
	hints.ai_flags = 0;
	int rv = iothdns_getaddrinfo(dead, "host.example.test", NULL, &hints, &res);
	assert_true(rv == EAI_AGAIN || rv == EAI_FAIL);
	iothdns_fini(dead);
}

static void test_gai_hosts_file(void **state) {
	struct fixture *fx = *state;
	char path[] = "/tmp/iothdns-gai-hosts-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "198.18.9.9 filehost.example.test filehost\nfd00::9 filehost.example.test\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
	close(fd);
	iothdns_setpath(fx->dns, IOTHDNS_HOSTS, path);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_CANONNAME}, *res;
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "filehost", NULL, &hints, &res), 0);
	assert_string_equal(res->ai_canonname, "filehost.example.test");
	/* the alias is on the IPv4 line only */
	assert_null(res->ai_next);
	iothdns_freeaddrinfo(res);
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "FileHost.example.test", NULL, &hints, &res), 0);
	int count = 0;
	for (struct addrinfo *p = res; p; p = p->ai_next)
		count++;
	assert_int_equal(count, 2);
	iothdns_freeaddrinfo(res);
	assert_int_equal(nqueries(fx), 0);
	/* getnameinfo: the file first */
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(53)};
	inet_pton(AF_INET, "198.18.9.9", &s4.sin_addr);
	char h[64], s[64];
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s4, sizeof(s4), h, 64, s, 64, 0), 0);
	assert_string_equal(h, "filehost.example.test");
	assert_string_equal(s, "domain");
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s4, sizeof(s4), h, 64, s, 64, NI_NOFQDN), 0);
	assert_string_equal(h, "filehost");
	assert_int_equal(nqueries(fx), 0);
	unlink(path);
}

/* A services file of the context's own (iothdns_setpath), with aliases. */
static void test_services_file(void **state) {
	struct fixture *fx = *state;
	char path[] = "/tmp/iothdns-services-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "# local services\nmysvc\t4242/tcp\talias1 alias2 # comment\n"
		"mysvc 4243/udp\n  spaced   4244/tcp\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
	close(fd);
	iothdns_setpath(fx->dns, IOTHDNS_SERVICES, path);
	struct addrinfo hints = {.ai_family = AF_INET, .ai_flags = AI_NUMERICHOST}, *res;
	char out[1024];
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "198.18.0.1", "alias2", &hints, &res), 0);
	ai_text(0, res, out, sizeof(out));
	assert_string_equal(out, "[2 1 6 198.18.0.1 4242 0 16 -]");
	iothdns_freeaddrinfo(res);
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "198.18.0.1", "mysvc", &hints, &res), 0);
	ai_text(0, res, out, sizeof(out));
	assert_string_equal(out, "[2 1 6 198.18.0.1 4242 0 16 -][2 2 17 198.18.0.1 4243 0 16 -]");
	iothdns_freeaddrinfo(res);
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "198.18.0.1", "spaced", &hints, &res), 0);
	iothdns_freeaddrinfo(res);
	/* not in this file, although in /etc/services */
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "198.18.0.1", "domain", &hints, &res), EAI_SERVICE);
	hints.ai_socktype = SOCK_DGRAM;
	assert_int_equal(iothdns_getaddrinfo(fx->dns, "198.18.0.1", "alias1", &hints, &res), EAI_SERVICE);
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(4242)};
	char h[64], sv[64];
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s4, sizeof(s4), h, 64, sv, 64, NI_NUMERICHOST), 0);
	assert_string_equal(sv, "mysvc");
	s4.sin_port = htons(4244);
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s4, sizeof(s4), h, 64, sv, 64, NI_NUMERICHOST), 0);
	assert_string_equal(sv, "spaced");
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s4, sizeof(s4), h, 64, sv, 64,
				NI_NUMERICHOST | NI_DGRAM), 0);
	assert_string_equal(sv, "4244");
	unlink(path);
}

static void test_gni_ptr(void **state) {
	struct fixture *fx = *state;
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(80)};
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
	char h[64], s[64];
	inet_pton(AF_INET, "198.18.0.10", &s4.sin_addr);
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s4, sizeof(s4), h, 64, s, 64, 0), 0);
	assert_string_equal(h, "host.example.test");
	assert_string_equal(s, "http");
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s4, sizeof(s4), h, 5, NULL, 0, 0), EAI_OVERFLOW);
	inet_pton(AF_INET6, "fd00::10", &s6.sin6_addr);
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s6, sizeof(s6), h, 64, NULL, 0, NI_NAMEREQD), 0);
	assert_string_equal(h, "host.example.test");
	/* v4-mapped: asked as IPv4 */
	inet_pton(AF_INET6, "::ffff:198.18.0.10", &s6.sin6_addr);
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s6, sizeof(s6), h, 64, NULL, 0, NI_NAMEREQD), 0);
	assert_string_equal(h, "host.example.test");
	/* NXDOMAIN */
	inet_pton(AF_INET, "198.18.0.99", &s4.sin_addr);
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s4, sizeof(s4), h, 64, NULL, 0, NI_NAMEREQD), EAI_NONAME);
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s4, sizeof(s4), h, 64, NULL, 0, 0), 0);
	assert_string_equal(h, "198.18.0.99");
	struct fakedns_log log;
	fakedns_getlog(fx->f, &log);
	assert_string_equal(log.qname[0], "10.0.18.198.in-addr.arpa");
	assert_int_equal(log.qtype[0], IOTHDNS_TYPE_PTR);
	/* NI_NUMERICHOST: no query */
	int before = log.n;
	assert_int_equal(iothdns_getnameinfo(fx->dns, (void *) &s4, sizeof(s4), h, 64, NULL, 0, NI_NUMERICHOST), 0);
	assert_int_equal(nqueries(fx), before);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gai_vs_glibc),
		cmocka_unit_test(test_gni_vs_glibc),
		cmocka_unit_test_setup_teardown(test_gai_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gai_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gai_hosts_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_services_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gni_ptr, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
