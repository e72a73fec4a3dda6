/* SPDX-License-Identifier: LGPL-2.1-or-later
 * DHCPv6 client (RFC 8415) for one IA_NA over a UDP socket of the stack
 * bound to port 546: SOLICIT/ADVERTISE/REQUEST/REPLY, then RENEW at T1 and
 * REBIND at T2 in the background, the addresses removed when their valid
 * lifetime ends. DNS servers and search list (RFC 3646), client FQDN
 * (RFC 4704).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <ifaddrs.h>
#include <sys/random.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ioth.h>
#include "iothconf_int.h"

#define CLIENT_PORT 546
#define SERVER_PORT 547
#define INFINITE 0xffffffffu

int ic_dhcp6_timeout_ms = 8000;

struct d6ctx {
	struct ic_iface *ifc;
	int fd;
	uint8_t mac[6];
	uint8_t duid[10];
	uint32_t iaid;
};

/* The interface's link-local address (RFC 8415 13.1: the client's source),
 * through the stack's netlink. 1 found, 0 none. */
static int d6_linklocal(struct ic_iface *ifc, struct in6_addr *ll) {
	struct ifaddrs *ifa, *p;
	int found = 0;
	if (ioth_getifaddrs(ifc->stack, &ifa) < 0)
		return 0;
	for (p = ifa; p != NULL && !found; p = p->ifa_next) {
		if (p->ifa_addr == NULL || p->ifa_addr->sa_family != AF_INET6)
			continue;
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) p->ifa_addr;
		if (!IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
			continue;
		if (s6->sin6_scope_id == ifc->ifindex ||
				(s6->sin6_scope_id == 0 && p->ifa_name != NULL &&
				 ioth_if_nametoindex(ifc->stack, p->ifa_name) == (int) ifc->ifindex)) {
			*ll = s6->sin6_addr;
			found = 1;
		}
	}
	ioth_freeifaddrs(ifa);
	return found;
}

/* Bind port 546 on the link-local address, so that every message leaves
 * from it and never from :: or a global address. While the address is
 * tentative (DAD) the bind fails with EADDRNOTAVAIL, as on Linux: wait
 * for it, until deadline. A link-local address is made when the link
 * comes up: an interface that has none after 2 s binds the unspecified
 * address (the stack chooses). */
static int d6_bind(struct d6ctx *c, int64_t deadline) {
	struct ic_iface *ifc = c->ifc;
	int64_t no_ll_until = ic_now_ms() + 2000;
	for (;;) {
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(CLIENT_PORT)};
		int have_ll = d6_linklocal(ifc, &sin6.sin6_addr);
		if (have_ll)
			sin6.sin6_scope_id = ifc->ifindex;
		if (have_ll || ic_now_ms() >= no_ll_until || ic_now_ms() >= deadline) {
			if (ioth_bind(c->fd, (struct sockaddr *) &sin6, sizeof(sin6)) == 0)
				return 0;
			int e = errno;
			if (!have_ll || e != EADDRNOTAVAIL)
				return -e;
		}
		if (ic_now_ms() >= deadline)
			return -ETIMEDOUT;
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static int d6_open(struct d6ctx *c, int64_t deadline) {
	struct ic_iface *ifc = c->ifc;
	if (ioth_linkgetaddr(ifc->stack, ifc->ifindex, c->mac) < 0)
		return -errno;
	/* RFC 8415 11.4: DUID-LL, stable as long as the MAC is */
	uint8_t duid[10] = {0, 3, 0, 1};
	memcpy(duid + 4, c->mac, 6);
	memcpy(c->duid, duid, 10);
	c->iaid = (uint32_t) c->mac[2] << 24 | c->mac[3] << 16 | c->mac[4] << 8 | c->mac[5];
	c->fd = ioth_msocket(ifc->stack, AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
	if (c->fd < 0)
		return -errno;
	int one = 1, idx = ifc->ifindex;
	ioth_setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ioth_setsockopt(c->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx));
	int rv = d6_bind(c, deadline);
	if (rv < 0) {
		ioth_close(c->fd);
		return rv;
	}
	return 0;
}

static int d6_send(struct d6ctx *c, struct dhcp6_msg *m) {
	uint8_t buf[1024];
	memcpy(m->clientid, c->duid, sizeof(c->duid));
	m->clientid_len = sizeof(c->duid);
	m->iaid = c->iaid;
	m->fqdn = c->ifc->fqdn[0] ? c->ifc->fqdn : NULL;
	int n = ic_dhcp6_emit(m, buf, sizeof(buf));
	if (n < 0)
		return n;
	/* RFC 8415 7.1: All_DHCP_Relay_Agents_and_Servers */
	struct sockaddr_in6 dst = {.sin6_family = AF_INET6, .sin6_port = htons(SERVER_PORT),
		.sin6_scope_id = c->ifc->ifindex,
		.sin6_addr.s6_addr = {0xff, 0x02, [13] = 0x01, [15] = 0x02}};
	if (ioth_sendto(c->fd, buf, n, 0, (struct sockaddr *) &dst, sizeof(dst)) < 0)
		return -errno;
	return 0;
}

/* 0 a reply for us, 1 ignored, -errno */
static int d6_recv(struct d6ctx *c, const struct dhcp6_msg *sent, int want, struct dhcp6_msg *r) {
	uint8_t buf[2048];
	ssize_t n = ioth_recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if (ic_dhcp6_parse(buf, n, r) < 0)
		return 1;
	if (r->type != want || memcmp(r->tid, sent->tid, 3) != 0)
		return 1;
	/* RFC 8415 16.3, 16.10: our client id, a server id */
	if (r->clientid_len != sizeof(c->duid) || memcmp(r->clientid, c->duid, sizeof(c->duid)) != 0)
		return 1;
	if (r->serverid_len == 0)
		return 1;
	return 0;
}

/* Retransmission (RFC 8415 15): from 1 s, doubling, up to 4 s, bounded by
 * deadline. The first sends may fail while the link-local address is
 * still tentative (DAD): keep trying. */
static int d6_exchange(struct d6ctx *c, struct dhcp6_msg *m, int want, int64_t deadline,
		struct dhcp6_msg *r) {
	int64_t start = ic_now_ms(), interval = 1000;
	int lasterr = -ETIMEDOUT;
	if (getrandom(m->tid, 3, 0) != 3) {
		uint32_t t = ic_now_ms();
		memcpy(m->tid, &t, 3);
	}
	for (;;) {
		int64_t el = (ic_now_ms() - start) / 10;
		m->elapsed = el > 0xffff ? 0xffff : el;
		int rv = d6_send(c, m);
		if (rv < 0)
			lasterr = rv;
		int64_t next = ic_now_ms() + (rv < 0 ? 250 : interval);
		if (next > deadline)
			next = deadline;
		for (;;) {
			int w = ic_wait_fd(c->fd, next);
			if (w < 0)
				return w;
			if (w == 0)
				break;
			while ((rv = d6_recv(c, m, want, r)) >= 0) {
				if (rv != 0)
					continue;
				if (want == DHCP6_ADVERTISE &&
						(r->status == 2 || !r->has_iana || r->iana_status || r->naddrs == 0))
					continue;   /* 18.2.9: NoAddrsAvail, try other servers */
				return 0;
			}
		}
		if (ic_now_ms() >= deadline)
			return lasterr == -ETIMEDOUT || lasterr == -EADDRNOTAVAIL ? -ETIMEDOUT : lasterr;
		if (interval < 4000)
			interval *= 2;
	}
}

static int d6_apply(struct d6ctx *c, const struct dhcp6_msg *r) {
	struct ic_iface *ifc = c->ifc;
	if (r->status || !r->has_iana || r->iana_status || r->naddrs == 0)
		return -EADDRNOTAVAIL;
	time_t now = ic_now();
	uint32_t maxvalid = 0, minpref = INFINITE;
	for (int i = 0; i < r->naddrs; i++) {
		if (r->addrs[i].valid > maxvalid) maxvalid = r->addrs[i].valid;
		if (r->addrs[i].preferred < minpref) minpref = r->addrs[i].preferred;
	}
	if (maxvalid == 0)
		return -EADDRNOTAVAIL;
	time_t lease_end = maxvalid == INFINITE ? IC_NEVER : now + maxvalid;
	struct ic_item *head = NULL, **tail = &head, *it;
#define ADD(x) do { if ((it = (x)) != NULL) { *tail = it; tail = &it->next; } } while (0)
	for (int i = 0; i < r->naddrs; i++) {
		if (r->addrs[i].valid == 0)
			continue;
		time_t exp = r->addrs[i].valid == INFINITE ? IC_NEVER : now + r->addrs[i].valid;
		/* RFC 8415 18.2.10.1: an IA_NA address is a /128: on-link
		 * prefixes come from router advertisements */
		ADD(ic_item_new(IC_SRC_DHCP6, IC_K_ADDR, AF_INET6, r->addrs[i].addr, 128, NULL, exp));
	}
	for (int i = 0; i < r->ndns; i++)
		ADD(ic_item_new(IC_SRC_DHCP6, IC_K_DNS, AF_INET6, r->dns[i], 0, NULL, lease_end));
	if (r->domains[0])
		ADD(ic_item_new(IC_SRC_DHCP6, IC_K_DOMAIN, 0, NULL, 0, r->domains, lease_end));
#undef ADD
	int err = ic_source_set(ifc, IC_SRC_DHCP6, head);
	struct ic_dhcp6_lease *l = &ifc->d6;
	l->bound = lease_end != IC_NEVER;
	memcpy(l->serverid, r->serverid, r->serverid_len);
	l->serverid_len = r->serverid_len;
	l->naddrs = r->naddrs;
	memcpy(l->addrs, r->addrs, sizeof(l->addrs));
	/* RFC 8415 21.4: T1/T2 0 leave the times to the client: 0.5 and 0.8
	 * of the shortest preferred lifetime */
	uint32_t t1 = r->t1, t2 = r->t2;
	if (t1 == 0 || t1 == INFINITE) t1 = minpref == INFINITE ? maxvalid / 2 : minpref / 2;
	if (t2 == 0 || t2 == INFINITE) t2 = minpref == INFINITE ? maxvalid / 5 * 4 : minpref / 5 * 4;
	if (t2 < t1) t2 = t1;
	if (maxvalid != INFINITE && t2 > maxvalid) t2 = maxvalid;
	if (t1 > t2) t1 = t2;
	l->t1 = now + t1;
	l->t2 = now + t2;
	l->expiry = lease_end;
	char a[INET6_ADDRSTRLEN];
	ic_log(ifc->stack, LOG_INFO, "dhcp6: %s valid %us on ifindex %u",
			inet_ntop(AF_INET6, r->addrs[0].addr, a, sizeof(a)), r->addrs[0].valid, ifc->ifindex);
	return err;
}

int ic_dhcp6_config(struct ic_iface *ifc) {
	struct d6ctx c = {.ifc = ifc};
	struct dhcp6_msg m, adv, reply;
	int64_t deadline = ic_now_ms() + ic_dhcp6_timeout_ms;
	int rv = d6_open(&c, deadline);
	if (rv < 0)
		return rv;
	memset(&m, 0, sizeof(m));
	m.type = DHCP6_SOLICIT;
	rv = d6_exchange(&c, &m, DHCP6_ADVERTISE, deadline, &adv);
	if (rv == 0) {
		/* RFC 8415 18.2.2: the server id and the IA_NA it offered */
		memset(&m, 0, sizeof(m));
		m.type = DHCP6_REQUEST;
		memcpy(m.serverid, adv.serverid, adv.serverid_len);
		m.serverid_len = adv.serverid_len;
		m.naddrs = adv.naddrs;
		memcpy(m.addrs, adv.addrs, sizeof(m.addrs));
		int64_t d2 = deadline;
		if (d2 < ic_now_ms() + 3000)
			d2 = ic_now_ms() + 3000;
		rv = d6_exchange(&c, &m, DHCP6_REPLY, d2, &reply);
	}
	if (rv == 0)
		rv = d6_apply(&c, &reply);
	ioth_close(c.fd);
	return rv;
}

static int d6_extend(struct ic_iface *ifc, int rebind, int64_t deadline) {
	struct d6ctx c = {.ifc = ifc};
	struct dhcp6_msg m = {.type = rebind ? DHCP6_REBIND : DHCP6_RENEW}, reply;
	int rv = d6_open(&c, deadline);
	if (rv < 0)
		return rv;
	if (!rebind) {   /* RFC 8415 18.2.4 RENEW names the server; 18.2.5 REBIND does not */
		memcpy(m.serverid, ifc->d6.serverid, ifc->d6.serverid_len);
		m.serverid_len = ifc->d6.serverid_len;
	}
	m.naddrs = ifc->d6.naddrs;
	memcpy(m.addrs, ifc->d6.addrs, sizeof(m.addrs));
	rv = d6_exchange(&c, &m, DHCP6_REPLY, deadline, &reply);
	if (rv == 0)
		rv = d6_apply(&c, &reply);
	ioth_close(c.fd);
	return rv;
}

/* The lease's timer (lease.c runs it): Renew at T1, Rebind at T2, the
 * addresses go at the end. */
static int d6_timer(struct ic_iface *ifc, time_t now) {
	struct ic_dhcp6_lease *l = &ifc->d6;
	int rv = 0;
	if (!l->bound)
		return 0;
	if (now >= l->expiry) {
		ic_log(ifc->stack, LOG_WARNING, "dhcp6: lease on ifindex %u expired: addresses removed",
				ifc->ifindex);
		memset(l, 0, sizeof(*l));
		ic_source_set(ifc, IC_SRC_DHCP6, NULL);
		return -ETIMEDOUT;
	}
	if (now < l->t1)
		return 0;   /* the timer woke up for another deadline */
	int rebind = now >= l->t2;
	rv = d6_extend(ifc, rebind, ic_now_ms() + 4000);
	if (rv < 0 && l->bound) {
		time_t limit = rebind ? l->expiry : l->t2;
		time_t wait = (limit - ic_now()) / 2;
		time_t next = ic_now() + (wait < 2 ? 2 : wait);
		if (next > limit) next = limit;
		if (rebind) l->t2 = next;
		l->t1 = next;
		ic_log(ifc->stack, LOG_NOTICE, "dhcp6: %s on ifindex %u failed: %s",
				rebind ? "rebind" : "renew", ifc->ifindex, strerror(-rv));
	} else if (rv == 0)
		ic_log(ifc->stack, LOG_INFO, "dhcp6: lease on ifindex %u extended", ifc->ifindex);
	return rv;
}

static time_t d6_deadline(const struct ic_iface *ifc) {
	const struct ic_dhcp6_lease *l = &ifc->d6;
	return ic_lease_deadline(l->bound, l->t1, l->t2, l->expiry);
}

static const struct ic_timer_ops d6_timer_ops = {d6_deadline, d6_timer};

__attribute__((constructor)) static void d6_register(void) {
	ic_timer_register(IC_SRC_DHCP6, &d6_timer_ops);
}
