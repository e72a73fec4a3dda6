/* SPDX-License-Identifier: GPL-2.0-or-later
 * namedhcp: a DHCPv6 server (RFC 8415) that gives a client the address DNS
 * has for the name in its Client FQDN option (39, RFC 4704): the AAAA
 * record. See namedhcp(8). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "common.h"

#define SOLICIT 1
#define ADVERTISE 2
#define REQUEST 3
#define CONFIRM 4
#define RENEW 5
#define REBIND 6
#define REPLY 7
#define RELEASE 8
#define DECLINE 9
#define INFORMATION_REQUEST 11

#define OPT_CLIENTID 1
#define OPT_SERVERID 2
#define OPT_IA_NA 3
#define OPT_IAADDR 5
#define OPT_STATUS 13
#define OPT_RAPID_COMMIT 14
#define OPT_DNS 23
#define OPT_DOMAINS 24
#define OPT_SNTP 31
#define OPT_FQDN 39

#define ST_NOADDRS 2
#define ST_NOBINDING 3
#define ST_NOTONLINK 4

#define PREFERRED 3600
#define VALID 7200

struct req {
	uint8_t type, tid[3];
	const uint8_t *clientid, *serverid, *iana;
	uint16_t clientid_len, serverid_len, iana_len;
	int rapid;
	char fqdn[256];
	int has_fqdn;
};

static struct nd_server srv = {.prog = "namedhcp"};
static uint8_t duid[10];

static int parse(const uint8_t *p, size_t n, struct req *r) {
	memset(r, 0, sizeof(*r));
	if (n < 4)
		return -1;
	r->type = p[0];
	memcpy(r->tid, p + 1, 3);
	for (size_t i = 4; i < n; ) {
		if (n - i < 4)
			return -1;
		uint16_t t = p[i] << 8 | p[i + 1], l = p[i + 2] << 8 | p[i + 3];
		const uint8_t *v = p + i + 4;
		if (l > n - i - 4)
			return -1;
		switch (t) {
		case OPT_CLIENTID: r->clientid = v; r->clientid_len = l; break;
		case OPT_SERVERID: r->serverid = v; r->serverid_len = l; break;
		case OPT_IA_NA:
			if (l < 12)
				return -1;
			if (r->iana == NULL) {      /* one IA_NA: the first */
				r->iana = v;
				r->iana_len = l;
			}
			break;
		case OPT_RAPID_COMMIT: r->rapid = 1; break;
		case OPT_FQDN:
			if (l >= 2 && nd_name_decode(v + 1, l - 1, r->fqdn, sizeof(r->fqdn)) == 0)
				r->has_fqdn = 1;
			break;
		}
		i += 4 + l;
	}
	return 0;
}

struct out {
	uint8_t buf[1500];
	size_t len;
};
static void put(struct out *o, const void *d, size_t l) {
	if (o->len + l <= sizeof(o->buf)) {
		memcpy(o->buf + o->len, d, l);
		o->len += l;
	}
}
static void put16(struct out *o, uint16_t v) { uint8_t b[2] = {v >> 8, v}; put(o, b, 2); }
static void put32(struct out *o, uint32_t v) { uint8_t b[4] = {v >> 24, v >> 16, v >> 8, v}; put(o, b, 4); }
static void opt(struct out *o, uint16_t t, const void *d, uint16_t l) { put16(o, t); put16(o, l); put(o, d, l); }
static void status(struct out *o, uint16_t code, const char *msg) {
	put16(o, OPT_STATUS); put16(o, 2 + strlen(msg)); put16(o, code); put(o, msg, strlen(msg));
}

static void put_config(struct out *o) {
	uint8_t a[8][16];
	int n = nd_addrlist(srv.opt[O_DNS], AF_INET6, a, 8);
	if (n > 0)
		opt(o, OPT_DNS, a, 16 * n);
	n = nd_addrlist(srv.opt[O_NTP], AF_INET6, a, 8);
	if (n > 0)
		opt(o, OPT_SNTP, a, 16 * n);
	if (srv.opt[O_DNSSEARCH]) {
		uint8_t d[512];
		size_t dl = 0;
		char *copy = strdup(srv.opt[O_DNSSEARCH]), *save = NULL;
		for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
			int k = nd_name_encode(t, d + dl, sizeof(d) - dl);
			if (k > 0)
				dl += k;
		}
		free(copy);
		if (dl > 0)
			opt(o, OPT_DOMAINS, d, dl);
	}
}

static void answer(int fd, const struct req *r, const struct sockaddr_in6 *from) {
	struct out o = {.len = 0};
	int has_addr = 0;
	struct in6_addr addr;
	char astr[INET6_ADDRSTRLEN] = "-";
	if (r->clientid == NULL && r->type != INFORMATION_REQUEST)
		return;                       /* RFC 8415 16: a client identifier is required */
	switch (r->type) {
	case SOLICIT:
		if (r->serverid != NULL)
			return;
		break;
	case REQUEST: case RENEW: case RELEASE: case DECLINE:
		if (r->serverid == NULL || r->serverid_len != sizeof(duid) ||
				memcmp(r->serverid, duid, sizeof(duid)) != 0)
			return;                   /* for another server */
		break;
	case REBIND: case CONFIRM: case INFORMATION_REQUEST:
		if (r->serverid != NULL && (r->serverid_len != sizeof(duid) ||
				memcmp(r->serverid, duid, sizeof(duid)) != 0))
			return;
		break;
	default:
		return;
	}
	if (r->has_fqdn && r->type != RELEASE && r->type != DECLINE && r->type != INFORMATION_REQUEST) {
		int n = iothdns_lookup_aaaa(srv.dns, r->fqdn, &addr, 1);
		if (n > 0) {
			has_addr = 1;
			inet_ntop(AF_INET6, &addr, astr, sizeof(astr));
		}
	}
	uint8_t type = (r->type == SOLICIT && !(r->rapid && has_addr)) ? ADVERTISE : REPLY;
	put(&o, &type, 1);
	put(&o, r->tid, 3);
	if (r->clientid)
		opt(&o, OPT_CLIENTID, r->clientid, r->clientid_len);
	opt(&o, OPT_SERVERID, duid, sizeof(duid));
	if (type == REPLY && r->type == SOLICIT)
		opt(&o, OPT_RAPID_COMMIT, NULL, 0);
	if (r->type == RELEASE || r->type == DECLINE) {
		status(&o, 0, "done");
	} else if (r->type == CONFIRM) {
		/* the addresses are on link when DNS still gives the first of them */
		int onlink = 0;
		for (size_t i = 12; r->iana && i + 28 <= r->iana_len; ) {
			uint16_t t = r->iana[i] << 8 | r->iana[i + 1], l = r->iana[i + 2] << 8 | r->iana[i + 3];
			if (t == OPT_IAADDR && l >= 24 && has_addr && memcmp(r->iana + i + 4, &addr, 16) == 0)
				onlink = 1;
			i += 4 + l;
		}
		status(&o, onlink ? 0 : ST_NOTONLINK, onlink ? "on link" : "not on link");
	} else if (r->iana != NULL) {
		/* IA_NA: IAID, T1, T2, then the address or a status */
		struct out ia = {.len = 0};
		put(&ia, r->iana, 4);
		put32(&ia, has_addr ? PREFERRED / 2 : 0);
		put32(&ia, has_addr ? PREFERRED * 4 / 5 : 0);
		if (has_addr) {
			put16(&ia, OPT_IAADDR); put16(&ia, 24);
			put(&ia, &addr, 16); put32(&ia, PREFERRED); put32(&ia, VALID);
		} else
			status(&ia, r->type == RENEW || r->type == REBIND ? ST_NOBINDING : ST_NOADDRS,
					r->has_fqdn ? "no AAAA record for the name" : "no client FQDN option");
		opt(&o, OPT_IA_NA, ia.buf, ia.len);
	}
	if (r->has_fqdn && r->type != RELEASE && r->type != DECLINE) {
		/* RFC 4704 4.2: flags N=0 O=0 S=0: the server updates no DNS */
		uint8_t f[260];
		f[0] = 0;
		int k = nd_name_encode(r->fqdn, f + 1, sizeof(f) - 1);
		if (k > 0)
			opt(&o, OPT_FQDN, f, 1 + k);
	}
	if (r->type != RELEASE && r->type != DECLINE)
		put_config(&o);
	if (ioth_sendto(fd, o.buf, o.len, 0, (const struct sockaddr *) from, sizeof(*from)) < 0)
		nd_log(&srv, "send: %s", strerror(errno));
	if (srv.verbose) {
		char c[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &from->sin6_addr, c, sizeof(c));
		nd_log(&srv, "message %u from %s name %s: %s %s", r->type, c,
				r->has_fqdn ? r->fqdn : "-", type == ADVERTISE ? "advertise" : "reply", astr);
	}
}

int main(int argc, char *argv[]) {
	nd_setup(&srv, AF_INET6, argc, argv);
	/* DUID-LL (RFC 8415 11.4): type 3, hardware type 1, the MAC */
	duid[0] = 0; duid[1] = 3; duid[2] = 0; duid[3] = 1;
	memcpy(duid + 4, srv.mac, 6);
	int fd = ioth_msocket(srv.stack, AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(547)};
	struct ipv6_mreq mreq = {.ipv6mr_interface = srv.ifindex};
	inet_pton(AF_INET6, "ff02::1:2", &mreq.ipv6mr_multiaddr);
	if (fd < 0 || ioth_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
			ioth_bind(fd, (struct sockaddr *) &sin6, sizeof(sin6)) < 0 ||
			ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof(mreq)) < 0) {
		nd_log(&srv, "socket on port 547: %s", strerror(errno));
		return 1;
	}
	if (srv.verbose)
		nd_log(&srv, "serving on interface %d", srv.ifindex);
	while (!nd_quit) {
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		uint8_t buf[1500];
		struct sockaddr_in6 from;
		socklen_t fl = sizeof(from);
		ssize_t n = ioth_recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *) &from, &fl);
		struct req r;
		if (n <= 0 || fl < sizeof(from) || parse(buf, n, &r) < 0)
			continue;
		/* RFC 8415 13.1: clients send from their link-local address; from
		 * :: (a client whose address is still tentative) no reply can
		 * reach it */
		if (IN6_IS_ADDR_UNSPECIFIED(&from.sin6_addr)) {
			if (srv.verbose)
				nd_log(&srv, "message %u from :: ignored", r.type);
			continue;
		}
		answer(fd, &r, &from);
	}
	ioth_close(fd);
	nd_cleanup(&srv);
	return 0;
}
