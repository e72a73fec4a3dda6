/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv6 in net/: addresses with DAD (RFC 4862 5.4), link-local addresses
 * from the MAC on link up (EUI-64, Linux's default addr_gen_mode),
 * routes (longest prefix), neighbour discovery (RFC 4861 7: NS/NA, NUD
 * states as the IPv4 neighbours), IPv6 in/out with extension headers
 * walked by wire/ip6ext, fragments, ICMPv6 (RFC 4443), MLDv2 reports
 * (RFC 3810) for joined groups, source address selection (RFC 6724,
 * simplified as Linux's common cases: same scope first, then the longest
 * matching prefix). Stack lock held; 0 or -errno. */
#ifndef USTACK_NET_NET6_H
#define USTACK_NET_NET6_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../core/stack.h"
#include "../wire/ipv6.h"
#include "route.h"

#define IFA6_TENTATIVE 0x40    /* IFA_F_TENTATIVE */
#define IFA6_DADFAILED 0x08    /* IFA_F_DADFAILED */
#define IFA6_NODAD 0x02        /* IFA_F_NODAD */
#define IFA6_PERMANENT 0x80    /* IFA_F_PERMANENT */
#define IFA6_DEPRECATED 0x20   /* IFA_F_DEPRECATED */
#define RTPROT_RA_VALUE 9      /* RTPROT_RA of <linux/rtnetlink.h> */
#define LIFE_INFINITE 0xffffffffu

struct ifaddr6 {
	struct ifaddr6 *next;
	struct netif *ifp;
	uint8_t addr[16];
	uint8_t plen;
	uint8_t flags;
	uint8_t dad_sent;
	struct utimer dad;
	bool slaac;                /* made by SLAAC from an RA (RFC 4862 5.5.3) */
	uint64_t valid_until, pref_until;  /* rt_now() ns; 0: forever */
	uint64_t cstamp, tstamp;   /* created, last updated (rt_now() ns) */
};

struct route6 {
	struct rtnode n;           /* first: next, plen, oif, metric, protocol */
	uint8_t dst[16];
	uint8_t gw[16];
	bool has_gw;
	bool from_ra;              /* a default router or an on-link prefix of an RA */
	uint64_t expires;          /* rt_now() ns; 0: never */
};
/* The route6 of a node of s->routes6 (NULL for NULL). */
static inline struct route6 *route6_of(struct rtnode *n) {
	return (struct route6 *) n;
}

struct mcgroup6 {
	struct mcgroup6 *next;
	uint8_t group[16];
	int users;
};

struct ip6_rx {
	struct netif *ifp;
	struct ip6_repr ip;
	const uint8_t *pkt;        /* the IPv6 header */
	size_t pktlen;             /* header + payload */
	uint8_t proto;             /* upper layer */
	const uint8_t *payload;    /* upper-layer header */
	size_t plen;
	bool mcast, loop, ll_mcast; /* ll_mcast: came as link-layer multicast */
};

/* What a socket keeps of a received IPv6 packet besides its bytes. */
static inline void ip6_rx_meta(struct pbuf *p, const struct ip6_rx *rx) {
	p->m.v6 = 1;
	memcpy(p->m.saddr6, rx->ip.src, 16);
	memcpy(p->m.daddr6, rx->ip.dst, 16);
	p->m.ttl = rx->ip.hop_limit;
	p->m.ifindex = rx->ifp->index;
}

struct ip6_tx {
	const uint8_t *src;        /* NULL or :: : chosen */
	const uint8_t *dst;
	uint8_t proto, hlim, tclass;
	int oif;
	bool mc_loop;
	bool router_alert;         /* hop-by-hop Router Alert (MLD) */
	bool hlim_default;         /* hlim unset: the interface's (RA cur hop limit or 64) */
	bool dontfrag;
};

struct ip6_route_res {
	struct netif *ifp;
	uint8_t nexthop[16];
	uint8_t src[16];
	bool local, mcast;
	uint32_t mtu;              /* path MTU toward the destination */
	uint8_t plen;              /* prefix length of the route taken */
};

/* addr6.c */
int ip6_addr_add(struct netif *ifp, const uint8_t *addr, uint8_t plen, uint8_t flags, bool excl);
int ip6_addr_del(struct netif *ifp, const uint8_t *addr, uint8_t plen);
/* an address made by SLAAC (not permanent, no prefix route of its own) */
int ip6_addr_add_auto(struct netif *ifp, const uint8_t *addr, uint8_t plen);
struct ifaddr6 *ip6_addr_find(struct ustack *s, const uint8_t *addr, struct netif **owner);
/* a usable (not tentative) address of ours */
bool ip6_is_local(struct ustack *s, const uint8_t *addr);
/* RFC 6724 (simplified): the best source on ifp for dst; false if none */
bool ip6_src_select(struct netif *ifp, const uint8_t *dst, uint8_t *src);
void ip6_link_up(struct netif *ifp);
void ip6_link_down(struct netif *ifp);
void ip6_addr_dad_conflict(struct netif *ifp, const uint8_t *target);
int ip6_mc_join(struct netif *ifp, const uint8_t *group);
int ip6_mc_leave(struct netif *ifp, const uint8_t *group);
bool ip6_mc_member(struct netif *ifp, const uint8_t *group);
void mld_report_all(struct netif *ifp);
void ip6_flush_if(struct netif *ifp);
/* route.c (beside route4_*): same lookup shape as route4_lookup */
int route6_add(struct ustack *s, const uint8_t *dst, uint8_t plen, const uint8_t *gw, int oif,
		uint32_t metric, uint8_t protocol, bool excl);
int route6_del(struct ustack *s, const uint8_t *dst, uint8_t plen, const uint8_t *gw, int oif);
int route6_lookup(struct ustack *s, const uint8_t *dst, int oif, struct ip6_route_res *res);
/* For TCP: the path MTU toward dst (RFC 8201, the cache of pmtu.c), or
 * -errno when there is no route. Lock held. */
int ip6_dst_mtu(struct ustack *s, const uint8_t *dst, int oif);

/* rdisc6.c: router discovery as Linux with accept_ra=1, autoconf=1,
 * forwarding off: router solicitations once the link-local address is
 * usable (3, 4 s apart, RFC 4861 6.3.7), RAs processed (6.3.4): default
 * routers (proto ra, metric 1024) and on-link prefixes (proto kernel,
 * metric 256) with lifetimes, SLAAC addresses (RFC 4862 5.5.3, EUI-64,
 * the two-hour rule, deprecated when the preferred lifetime ends), MTU,
 * hop limit, reachable time and retransmission timer. */
void rdisc6_start(struct netif *ifp);     /* the link-local address passed DAD */
void rdisc6_stop(struct netif *ifp);      /* link down or interface gone */
struct ndp_repr;
void rdisc6_ra_input(struct netif *ifp, const struct ip6_rx *rx, const struct ndp_repr *r);
/* the IPv6 MTU of ifp (RA MTU option or the link's) */
uint32_t ip6_if_mtu(const struct netif *ifp);
uint8_t ip6_if_hlim(const struct netif *ifp);
uint64_t ip6_now(struct ustack *s);

/* nd6.c */
void nd6_send_rs(struct netif *ifp, const uint8_t *src);
/* RFC 4861 6.3.4 / 7.2.3: the link-layer address of a router or node
 * that sent us a message with an SLLA (STALE unless already known). */
void nd6_neigh_learn(struct netif *ifp, const uint8_t *ip, const uint8_t *mac, bool router);
int neigh6_output(struct netif *ifp, const uint8_t *nexthop, struct pbuf *p);
void nd6_input(struct ustack *s, struct ip6_rx *rx);
void nd6_send_ns(struct netif *ifp, const uint8_t *src, const uint8_t *dst, const uint8_t *target,
		bool slla);
void neigh6_flush_if(struct netif *ifp);
struct neigh *neigh6_lookup(struct netif *ifp, const uint8_t *ip);

/* ip6_input.c / ip6_output.c */
void ip6_input(struct netif *ifp, const uint8_t *p, size_t len, bool loop, bool ll_mcast);
/* Send the upper-layer message in p; consumes p. */
int ip6_output(struct ustack *s, struct pbuf *p, struct ip6_tx *tx);
int ip6_output_route(struct ustack *s, struct pbuf *p, struct ip6_tx *tx, const struct ip6_route_res *rt);
void ip6_reasm_flush(struct ustack *s);

/* icmp6.c */
void icmp6_input(struct ustack *s, struct ip6_rx *rx);
void icmp6_send_error(struct ustack *s, const struct ip6_rx *rx, uint8_t type, uint8_t code,
		uint32_t info);
/* offender NULL: raised locally. A packet too big about a packet we sent,
 * larger than the MTU it reports, updates the path MTU cache. */
void icmp6_deliver_error(struct ustack *s, uint8_t type, uint8_t code, uint32_t info,
		const uint8_t *offender, const uint8_t *inner, size_t len);
int icmp6_send(struct ustack *s, struct netif *ifp, const uint8_t *src, const uint8_t *dst,
		uint8_t hlim, struct pbuf *p);
/* the same with a traffic class */
int icmp6_send_tc(struct ustack *s, struct netif *ifp, const uint8_t *src, const uint8_t *dst,
		uint8_t hlim, uint8_t tclass, struct pbuf *p);

/* tcp/tcp_reset.c: the answer of a closed port */
void tcp6_input_closed(struct ustack *s, struct ip6_rx *rx);
void tcp6_input(struct ustack *s, struct ip6_rx *rx);
void tcp6_err(struct ustack *s, const struct icmp_err *e);

/* upcalls */
void udp6_input(struct ustack *s, struct ip6_rx *rx);
struct icmp_err;
void udp6_err(struct ustack *s, const struct icmp_err *e);
int raw6_input(struct ustack *s, struct ip6_rx *rx);
void ping6_input(struct ustack *s, struct ip6_rx *rx);
void ping6_err(struct ustack *s, const struct icmp_err *e);
void raw6_err(struct ustack *s, const struct icmp_err *e);

static inline bool ip6_eq(const uint8_t *a, const uint8_t *b) {
	return __builtin_memcmp(a, b, 16) == 0;
}
static const uint8_t ip6_any[16];
#endif
