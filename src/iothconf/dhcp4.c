/* SPDX-License-Identifier: LGPL-2.1-or-later
 * DHCPv4 client (RFC 2131) over an AF_PACKET/SOCK_DGRAM socket of the
 * stack: before it has an address a client cannot use UDP sockets, so it
 * writes IPv4+UDP itself (dhcp4_wire.c). INIT (DISCOVER/OFFER/REQUEST/ACK),
 * RENEWING at T1 (unicast to the server) and REBINDING at T2 (broadcast),
 * section 4.4.5; the addresses go away when the lease ends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/random.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <ioth.h>
#include "iothconf_int.h"

#define CLIENT_PORT 68
#define SERVER_PORT 67
#define INFINITE 0xffffffffu

int ic_dhcp4_timeout_ms = 8000;

struct d4ctx {
	struct ic_iface *ifc;
	int fd;
	uint8_t mac[6];
	uint32_t xid;
	char hostname[64];
	uint8_t from_mac[6];
};

static int d4_open(struct d4ctx *c) {
	c->fd = ioth_msocket(c->ifc->stack, AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (c->fd < 0)
		return -errno;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = c->ifc->ifindex};
	if (ioth_bind(c->fd, (struct sockaddr *) &sll, sizeof(sll)) < 0) {
		int e = -errno;
		ioth_close(c->fd);
		return e;
	}
	if (ioth_linkgetaddr(c->ifc->stack, c->ifc->ifindex, c->mac) < 0) {
		int e = -errno;
		ioth_close(c->fd);
		return e;
	}
	const char *dot = strchr(c->ifc->fqdn, '.');
	size_t hl = dot ? (size_t) (dot - c->ifc->fqdn) : strlen(c->ifc->fqdn);
	if (hl >= sizeof(c->hostname))
		hl = sizeof(c->hostname) - 1;
	memcpy(c->hostname, c->ifc->fqdn, hl);
	c->hostname[hl] = 0;
	return 0;
}

static int d4_send(struct d4ctx *c, struct dhcp4_msg *m, uint32_t src, uint32_t dst, const uint8_t *dmac) {
	uint8_t payload[576], frame[576 + 28];
	m->xid = c->xid;
	memcpy(m->chaddr, c->mac, 6);
	m->fqdn = c->ifc->fqdn[0] ? c->ifc->fqdn : NULL;
	m->hostname = c->hostname;
	int n = ic_dhcp4_emit(m, payload, sizeof(payload));
	if (n < 0)
		return n;
	n = ic_ipudp_emit(frame, sizeof(frame), src, dst, CLIENT_PORT, SERVER_PORT, payload, n);
	if (n < 0)
		return n;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = c->ifc->ifindex, .sll_halen = 6};
	memcpy(sll.sll_addr, dmac, 6);
	if (ioth_sendto(c->fd, frame, n, 0, (struct sockaddr *) &sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

/* 0: a reply for us; 1: something else, ignored; -errno. A reply for us: BOOTREPLY, our xid and MAC, the client id echoed if
 * present (RFC 6842), a server id (RFC 2131 4.3.1 MUST). */
static int d4_recv(struct d4ctx *c, struct dhcp4_msg *r) {
	uint8_t frame[1600];
	struct sockaddr_ll from;
	socklen_t fromlen = sizeof(from);
	ssize_t n = ioth_recvfrom(c->fd, frame, sizeof(frame), MSG_DONTWAIT,
			(struct sockaddr *) &from, &fromlen);
	if (n < 0)
		return -errno;
	if (fromlen >= sizeof(from) - 8 && from.sll_pkttype == PACKET_OUTGOING)
		return 1;
	uint32_t src;
	size_t off, plen;
	if (ic_ipudp_parse(frame, n, CLIENT_PORT, &src, &off, &plen) < 0)
		return 1;
	if (ic_dhcp4_parse(frame + off, plen, r) < 0)
		return 1;
	if (r->op != 2 || r->xid != c->xid || memcmp(r->chaddr, c->mac, 6) != 0)
		return 1;
	if (r->has_clientid < 0 || (r->has_clientid && memcmp(r->clientid + 1, c->mac, 6) != 0))
		return 1;
	if (r->server_id == 0)
		return 1;
	if (fromlen >= 12 && from.sll_halen == 6)
		memcpy(c->from_mac, from.sll_addr, 6);
	else
		memset(c->from_mac, 0xff, 6);
	return 0;
}

/* Send m and wait for a reply of type want (or a NAK). RFC 2131 4.1:
 * retransmissions with exponential backoff; here from 1 s (a LAN) up to
 * 8 s, never past deadline. */
static int d4_exchange(struct d4ctx *c, struct dhcp4_msg *m, uint32_t src, uint32_t dst,
		const uint8_t *dmac, int want, int64_t deadline, struct dhcp4_msg *r) {
	int64_t start = ic_now_ms(), interval = 1000;
	for (;;) {
		m->secs = (ic_now_ms() - start) / 1000;
		int rv = d4_send(c, m, src, dst, dmac);
		if (rv < 0 && rv != -ENETUNREACH && rv != -EAGAIN)
			return rv;
		int64_t next = ic_now_ms() + interval;
		if (next > deadline)
			next = deadline;
		for (;;) {
			rv = ic_wait_fd(c->fd, next);
			if (rv < 0)
				return rv;
			if (rv == 0)
				break;
			while ((rv = d4_recv(c, r)) >= 0) {
				if (rv == 0 && r->type == DHCP4_NAK)
					return -ECANCELED;
				if (rv == 0 && r->type == want && r->yiaddr != 0)
					return 0;
			}
		}
		if (ic_now_ms() >= deadline)
			return -ETIMEDOUT;
		if (interval < 8000)
			interval *= 2;
	}
}

static int d4_apply(struct d4ctx *c, const struct dhcp4_msg *a) {
	struct ic_iface *ifc = c->ifc;
	time_t now = ic_now();
	uint32_t lease = a->lease ? a->lease : INFINITE;
	time_t expires = lease == INFINITE ? IC_NEVER : now + lease;
	uint8_t prefix = a->has_mask ? a->prefixlen : 24;
	struct ic_item *list = NULL, *it;
#define ADD(x) do { if ((it = (x)) != NULL) { it->next = list; list = it; } } while (0)
	ADD(ic_item_new(IC_SRC_DHCP4, IC_K_ADDR, AF_INET, &a->yiaddr, prefix, NULL, expires));
	if (a->nrouters > 0)   /* RFC 2132 3.5: in order of preference */
		ADD(ic_item_new(IC_SRC_DHCP4, IC_K_ROUTE, AF_INET, &a->routers[0], 0, NULL, expires));
	for (int i = a->ndns - 1; i >= 0; i--)
		ADD(ic_item_new(IC_SRC_DHCP4, IC_K_DNS, AF_INET, &a->dns[i], 0, NULL, expires));
	if (a->domain[0])
		ADD(ic_item_new(IC_SRC_DHCP4, IC_K_DOMAIN, 0, NULL, 0, a->domain, expires));
#undef ADD
	/* the list was built backwards; order matters for resolv.conf */
	struct ic_item *rev = NULL;
	while (list) {
		it = list->next;
		list->next = rev;
		rev = list;
		list = it;
	}
	if (a->mtu >= 576)   /* RFC 1122 3.3.3: 576 is the minimum to accept */
		ioth_linksetmtu(ifc->stack, ifc->ifindex, a->mtu);
	int err = ic_source_set(ifc, IC_SRC_DHCP4, rev);
	ifc->d4.bound = 1;
	ifc->d4.addr = a->yiaddr;
	ifc->d4.server = a->server_id;
	ifc->d4.prefixlen = prefix;
	memcpy(ifc->d4.server_mac, c->from_mac, 6);
	if (lease == INFINITE) {
		ifc->d4.t1 = ifc->d4.t2 = ifc->d4.expiry = 0;
		ifc->d4.bound = 0;   /* nothing to renew */
	} else {
		/* RFC 2131 4.4.5: T1 0.5, T2 0.875 of the lease by default */
		uint32_t t1 = a->t1 ? a->t1 : lease / 2, t2 = a->t2 ? a->t2 : lease / 8 * 7 + (lease % 8) * 7 / 8;
		if (t2 > lease) t2 = lease;
		if (t1 > t2) t1 = t2;
		ifc->d4.t1 = now + t1;
		ifc->d4.t2 = now + t2;
		ifc->d4.expiry = now + lease;
	}
	char buf[INET_ADDRSTRLEN];
	ic_log(ifc->stack, LOG_INFO, "dhcp: %s/%d lease %us on ifindex %u",
			inet_ntop(AF_INET, &a->yiaddr, buf, sizeof(buf)), prefix, lease, ifc->ifindex);
	return err;
}

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

int ic_dhcp4_config(struct ic_iface *ifc) {
	struct d4ctx c = {.ifc = ifc};
	struct dhcp4_msg m, offer, ack;
	int rv = d4_open(&c);
	if (rv < 0)
		return rv;
	int64_t deadline = ic_now_ms() + ic_dhcp4_timeout_ms;
	if (getrandom(&c.xid, sizeof(c.xid), 0) != sizeof(c.xid))
		c.xid = (uint32_t) ic_now_ms() ^ (uint32_t) (uintptr_t) ifc;
	memset(&m, 0, sizeof(m));
	m.type = DHCP4_DISCOVER;
	rv = d4_exchange(&c, &m, 0, INADDR_BROADCAST, bcast_mac, DHCP4_OFFER, deadline, &offer);
	if (rv == 0) {
		/* RFC 2131 4.3.2 SELECTING: server id and requested address */
		memset(&m, 0, sizeof(m));
		m.type = DHCP4_REQUEST;
		m.server_id = offer.server_id;
		m.reqip = offer.yiaddr;
		int64_t d2 = deadline;
		if (d2 < ic_now_ms() + 3000)
			d2 = ic_now_ms() + 3000;   /* an offer came: give the request its time */
		rv = d4_exchange(&c, &m, 0, INADDR_BROADCAST, bcast_mac, DHCP4_ACK, d2, &ack);
	}
	if (rv == 0)
		rv = d4_apply(&c, &ack);
	ioth_close(c.fd);
	return rv;
}

static void d4_drop(struct ic_iface *ifc, const char *why) {
	ic_log(ifc->stack, LOG_WARNING, "dhcp: lease on ifindex %u %s: addresses removed", ifc->ifindex, why);
	memset(&ifc->d4, 0, sizeof(ifc->d4));
	ic_source_set(ifc, IC_SRC_DHCP4, NULL);
}

/* RENEWING (unicast to the server) or REBINDING (broadcast): ciaddr set,
 * no server id nor requested address (RFC 2131 table 5). */
static int d4_extend(struct ic_iface *ifc, int rebind, int64_t deadline) {
	struct d4ctx c = {.ifc = ifc};
	struct dhcp4_msg m = {.type = DHCP4_REQUEST, .ciaddr = ifc->d4.addr}, ack;
	int rv = d4_open(&c);
	if (rv < 0)
		return rv;
	if (getrandom(&c.xid, sizeof(c.xid), 0) != sizeof(c.xid))
		c.xid = (uint32_t) ic_now_ms();
	if (rebind)
		rv = d4_exchange(&c, &m, ifc->d4.addr, INADDR_BROADCAST, bcast_mac, DHCP4_ACK, deadline, &ack);
	else
		rv = d4_exchange(&c, &m, ifc->d4.addr, ifc->d4.server, ifc->d4.server_mac, DHCP4_ACK,
				deadline, &ack);
	if (rv == 0 && ack.yiaddr != ifc->d4.addr)
		rv = -EPROTO;   /* a different address is a new lease: start over */
	if (rv == 0)
		rv = d4_apply(&c, &ack);
	ioth_close(c.fd);
	return rv;
}

/* The lease's timer (lease.c runs it): RENEWING at T1, REBINDING at T2,
 * the addresses go at the end. */
static int d4_timer(struct ic_iface *ifc, time_t now) {
	struct ic_dhcp4_lease *l = &ifc->d4;
	int rv = 0;
	if (!l->bound)
		return 0;
	if (now >= l->expiry) {
		d4_drop(ifc, "expired");
		return -ETIMEDOUT;
	}
	if (now >= l->t2) {
		int64_t deadline = ic_now_ms() + (l->expiry - now) * 1000;
		if (deadline > ic_now_ms() + 4000)
			deadline = ic_now_ms() + 4000;
		rv = d4_extend(ifc, 1, deadline);
		if (rv < 0 && l->bound) {
			/* RFC 2131 4.4.5: retry at half the remaining time (60 s
			 * minimum there; shorter here so short leases are kept) */
			time_t wait = (l->expiry - ic_now()) / 2;
			l->t2 = ic_now() + (wait < 2 ? 2 : wait);
			if (l->t2 > l->expiry) l->t2 = l->expiry;
			l->t1 = l->t2;
		}
	} else if (now >= l->t1) {
		rv = d4_extend(ifc, 0, ic_now_ms() + 4000);
		if (rv < 0 && l->bound) {
			time_t wait = (l->t2 - ic_now()) / 2;
			l->t1 = ic_now() + (wait < 2 ? 2 : wait);
			if (l->t1 > l->t2) l->t1 = l->t2;
		}
	}
	if (rv == -ECANCELED || rv == -EPROTO) {
		d4_drop(ifc, rv == -ECANCELED ? "refused (DHCPNAK)" : "changed");
		rv = ic_dhcp4_config(ifc);   /* back to INIT */
	} else if (rv < 0)
		ic_log(ifc->stack, LOG_NOTICE, "dhcp: %s on ifindex %u failed: %s",
				now >= l->t2 ? "rebind" : "renew", ifc->ifindex, strerror(-rv));
	else
		ic_log(ifc->stack, LOG_INFO, "dhcp: lease on ifindex %u extended", ifc->ifindex);
	return rv;
}

void ic_dhcp4_release(struct ic_iface *ifc) {
	if (ifc->d4.bound) {
		/* RFC 2131 4.4.6: DHCPRELEASE, unicast, no retransmission */
		struct d4ctx c = {.ifc = ifc};
		if (d4_open(&c) == 0) {
			struct dhcp4_msg m = {.type = DHCP4_RELEASE, .ciaddr = ifc->d4.addr,
				.server_id = ifc->d4.server};
			getrandom(&c.xid, sizeof(c.xid), 0);
			d4_send(&c, &m, ifc->d4.addr, ifc->d4.server, ifc->d4.server_mac);
			ioth_close(c.fd);
		}
	}
	memset(&ifc->d4, 0, sizeof(ifc->d4));
	ic_source_set(ifc, IC_SRC_DHCP4, NULL);
}

static time_t d4_deadline(const struct ic_iface *ifc) {
	const struct ic_dhcp4_lease *l = &ifc->d4;
	return ic_lease_deadline(l->bound, l->t1, l->t2, l->expiry);
}

static const struct ic_timer_ops d4_timer_ops = {d4_deadline, d4_timer};

__attribute__((constructor)) static void d4_register(void) {
	ic_timer_register(IC_SRC_DHCP4, &d4_timer_ops);
}
