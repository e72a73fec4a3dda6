/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Interface state and IPv4 addresses. Adding an address adds its
 * connected route (Linux's proto kernel, scope link) and announces it with
 * a gratuitous ARP when the link is up. */
#include <errno.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "../link/link.h"
#include "proto.h"
#include "net.h"
#include "net6.h"

struct netif *netif_by_index(struct ustack *s, int index) {
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		if (ifp->index == index)
			return ifp;
	return NULL;
}

struct netif *netif_by_name(struct ustack *s, const char *name) {
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		if (strncmp(ifp->name, name, IFNAMSIZ) == 0)
			return ifp;
	return NULL;
}

int netif_set_up(struct netif *ifp, bool up) {
	if (up == !!(ifp->flags & IFF_UP))
		return 0;
	if (up) {
		ifp->flags |= IFF_UP | IFF_RUNNING | USTACK_IFF_LOWER_UP;
		net_notify_link(ifp, RTM_NEWLINK);
		for (struct ifaddr4 *a = ifp->addrs; a; a = a->next) {
			if (ifp->type == ARPHRD_LOOPBACK_VALUE)
				continue; /* Linux keeps 127/8 in the local table, not in main */
			route4_add(ifp->s, a->addr & a->mask, a->plen, 0, ifp->index, 0, RTPROT_KERNEL,
					a->addr, false);
			arp_announce(ifp, a->addr);
		}
		igmp_report_all(ifp);
		ip6_link_up(ifp);
	} else {
		ifp->flags &= ~(unsigned) (IFF_UP | IFF_RUNNING | USTACK_IFF_LOWER_UP);
		net_notify_link(ifp, RTM_NEWLINK);
		/* Linux removes the routes through a device that goes down */
		route_flush_if(ifp->s, AF_INET, ifp->index);
		neigh4_flush_if(ifp);
		ip6_link_down(ifp);
	}
	return 0;
}

bool netif_mtu_valid(const struct netif *ifp, uint32_t mtu) {
	/* Linux's lo: any MTU up to INT_MAX; Ethernet: 68 (RFC 791's minimum)
	 * to 65535 (the largest IPv4 datagram) */
	if (ifp->type == ARPHRD_LOOPBACK_VALUE)
		return mtu <= (uint32_t) INT_MAX;
	return mtu >= 68 && mtu <= 65535;
}

int netif_set_mtu(struct netif *ifp, uint32_t mtu) {
	if (!netif_mtu_valid(ifp, mtu))
		return -EINVAL;
	ifp->mtu = mtu;
	/* Linux (inetdev_event, addrconf_notify on NETDEV_CHANGEMTU): below
	 * 68 a device loses IPv4, below 1280 IPv6, addresses and all; they do
	 * not come back with a larger MTU */
	if (mtu < 68)
		while (ifp->addrs)
			ip4_addr_del(ifp, ifp->addrs->addr, ifp->addrs->plen);
	if (mtu < 1280)
		while (ifp->addrs6)
			ip6_addr_del(ifp, ifp->addrs6->addr, ifp->addrs6->plen);
	net_notify_link(ifp, RTM_NEWLINK);
	return 0;
}

int netif_set_mac(struct netif *ifp, const uint8_t *mac) {
	if (ifp->type != ARPHRD_ETHER_VALUE)
		return -EOPNOTSUPP;
	/* Linux: EADDRNOTAVAIL for a multicast or zero address */
	static const uint8_t zero[6];
	if ((mac[0] & 1) || memcmp(mac, zero, 6) == 0)
		return -EADDRNOTAVAIL;
	memcpy(ifp->mac, mac, 6);
	net_notify_link(ifp, RTM_NEWLINK);
	return 0;
}

int ip4_addr_add(struct netif *ifp, uint32_t addr, uint8_t plen, uint32_t bcast, bool excl) {
	if (plen > 32)
		return -EINVAL;
	for (struct ifaddr4 *a = ifp->addrs; a; a = a->next)
		if (a->addr == addr && a->plen == plen)
			return excl ? -EEXIST : 0;
	struct ifaddr4 *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	a->addr = addr;
	a->plen = plen;
	a->mask = ipv4_mask(plen);
	a->bcast = bcast ? bcast : (plen < 31 ? (addr | ~a->mask) : 0);
	/* keep insertion order: the first address is the primary one */
	struct ifaddr4 **pp = &ifp->addrs;
	while (*pp)
		pp = &(*pp)->next;
	*pp = a;
	net_notify_addr4(ifp, a, RTM_NEWADDR);
	if ((ifp->flags & IFF_UP) && ifp->type != ARPHRD_LOOPBACK_VALUE) {
		route4_add(ifp->s, addr & a->mask, plen, 0, ifp->index, 0, RTPROT_KERNEL, addr, false);
		arp_announce(ifp, addr);
	}
	return 0;
}

int ip4_addr_del(struct netif *ifp, uint32_t addr, uint8_t plen) {
	for (struct ifaddr4 **pp = &ifp->addrs; *pp; pp = &(*pp)->next) {
		struct ifaddr4 *a = *pp;
		if (a->addr != addr || (plen != 0xff && a->plen != plen))
			continue;
		*pp = a->next;
		net_notify_addr4(ifp, a, RTM_DELADDR);
		/* the connected route goes, unless another address covers it */
		struct ifaddr4 *cover = NULL;
		for (struct ifaddr4 *b = ifp->addrs; b && !cover; b = b->next)
			if (b->plen == a->plen && (b->addr & b->mask) == (a->addr & a->mask))
				cover = b;
		if (!cover)
			route4_del(ifp->s, a->addr & a->mask, a->plen, 0, ifp->index, false);
		else
			/* Linux promotes the secondary: the route's source follows */
			for (struct route4 *r = route4_of(ifp->s->routes4); r; r = route4_of(r->n.next))
				if (r->n.oif == ifp->index && r->prefsrc == a->addr && r->gw == 0 &&
						r->dst == (a->addr & a->mask) && r->n.plen == a->plen) {
					r->prefsrc = cover->addr;
					net_notify_route4(ifp->s, r, RTM_NEWROUTE);
				}
		free(a);
		return 0;
	}
	return -EADDRNOTAVAIL;
}

struct netif *ip4_addr_owner(struct ustack *s, uint32_t addr) {
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		for (struct ifaddr4 *a = ifp->addrs; a; a = a->next)
			if (a->addr == addr)
				return ifp;
	return NULL;
}

bool ip4_is_local(struct ustack *s, uint32_t addr) {
	if (ipv4_is_loopback(addr))
		return s->lo && (s->lo->flags & IFF_UP);
	return ip4_addr_owner(s, addr) != NULL;
}

uint32_t ip4_addr_pick(struct netif *ifp, uint32_t dst) {
	for (struct ifaddr4 *a = ifp->addrs; a; a = a->next)
		if ((a->addr & a->mask) == (dst & a->mask))
			return a->addr;
	return ifp->addrs ? ifp->addrs->addr : 0;
}

bool ip4_is_bcast_on(struct netif *ifp, uint32_t addr) {
	if (addr == 0xffffffffu)
		return true;
	for (struct ifaddr4 *a = ifp->addrs; a; a = a->next)
		if (a->bcast && a->bcast == addr)
			return true;
	return false;
}

/* Free what ifp holds: neighbours, groups, IPv6 state, IPv4 addresses. */
static void netif_flush(struct netif *ifp) {
	neigh4_flush_if(ifp);
	ip4_mc_flush_if(ifp);
	ip6_flush_if(ifp);
	while (ifp->addrs) {
		struct ifaddr4 *a = ifp->addrs;
		ifp->addrs = a->next;
		free(a);
	}
}

void net_flush_stack(struct ustack *s) {
	ip4_reasm_flush(s);
	ip6_reasm_flush(s);
	pmtu_flush(s);
	icmp_rate_flush(s);
	route_free_all(s);
	while (s->ifaces) {
		struct netif *ifp = s->ifaces;
		s->ifaces = ifp->next;
		netif_flush(ifp);
		netif_free(ifp);
	}
	s->lo = NULL;
}

int netif_create_vde(struct ustack *s, const char *name, int index, const char *vnl) {
	char nm[IFNAMSIZ];
	if (!s->vde_links)
		return -EOPNOTSUPP;
	if (name) {
		if (netif_by_name(s, name))
			return -EEXIST;
		snprintf(nm, sizeof(nm), "%s", name);
	} else
		for (int n = 0;; n++) {
			snprintf(nm, sizeof(nm), "vde%d", n);
			if (netif_by_name(s, nm) == NULL)
				break;
		}
	if (index > 0 && netif_by_index(s, index))
		return -EEXIST;
	uint8_t mac[6];
	if (getrandom(mac, 6, GRND_NONBLOCK) != 6)
		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t) stack_random(s);
	mac[0] = (uint8_t) ((mac[0] & 0xfc) | 0x02);  /* unicast, locally administered */
	errno = 0;
	struct netif *ifp = vde_netif_open(s, vnl, mac, s->vde_mtu ? s->vde_mtu : 1500);
	if (ifp == NULL)
		return errno ? -errno : -EINVAL;
	memcpy(ifp->name, nm, IFNAMSIZ);
	int err = link_start(ifp);
	if (err < 0) {
		netif_free(ifp);
		return err;
	}
	return netif_attach(s, ifp, index);
}

int netif_attach(struct ustack *s, struct netif *ifp, int index) {
	ifp->index = index > 0 ? index : s->next_ifindex++;
	if (ifp->index >= s->next_ifindex)
		s->next_ifindex = ifp->index + 1;
	struct netif **pp = &s->ifaces;
	while (*pp)
		pp = &(*pp)->next;
	*pp = ifp;
	return ifp->index;
}

int netif_detach(struct netif *ifp) {
	struct ustack *s = ifp->s;
	/* Linux: only devices with rtnl_link_ops; here the VDE ones */
	if (ifp == s->lo || ifp->ops == NULL || ifp->ops->kind == NULL || strcmp(ifp->ops->kind, "vde") != 0)
		return -EOPNOTSUPP;
	netif_set_up(ifp, false);
	route_flush_if(s, AF_INET, ifp->index);
	route_flush_if(s, AF_INET6, ifp->index);
	netif_flush(ifp);
	for (struct netif **pp = &s->ifaces; *pp; pp = &(*pp)->next)
		if (*pp == ifp) {
			*pp = ifp->next;
			break;
		}
	ifp->next = NULL;
	return 0;
}
