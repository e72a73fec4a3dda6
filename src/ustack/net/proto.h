/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The protocols above IP register with net/ instead of being called by
 * name (as FreeBSD's ip_protox[] and gVisor's TransportDispatcher): one
 * table per family, indexed by the IP protocol / IPv6 next header, with
 * the protocol's input and its ICMP error handler (one signature for all),
 * and the hooks of the raw, ping and packet sockets. net/ dispatches
 * through it; a slot nobody registered is an unknown protocol. The table
 * is made by net_init (ustack_create) and freed by net_flush_stack. */
#ifndef USTACK_NET_PROTO_H
#define USTACK_NET_PROTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/stack.h"

struct ip4_rx;
struct ip6_rx;
struct icmp_err;

/* An ICMP/ICMPv6 error about a datagram we sent, for the protocol quoted
 * in it (e->origin tells the family, e->inner its IP header first). */
typedef void (*ip_err_fn)(struct ustack *s, const struct icmp_err *e);

struct ip4_proto {
	void (*input)(struct ustack *s, struct ip4_rx *rx);
	ip_err_fn err;
};

struct ip6_proto {
	void (*input)(struct ustack *s, struct ip6_rx *rx);
	ip_err_fn err;
};

/* The link-level demux (eth_input.c): a frame's payload, for the handler
 * registered for its EtherType; ll_mcast: sent to a link-layer multicast
 * or broadcast address. A few slots: EtherTypes are searched, not indexed. */
typedef void (*eth_input_fn)(struct netif *ifp, const uint8_t *p, size_t len, bool ll_mcast);
#define NET_ETH_PROTOS 8
struct eth_proto {
	uint16_t type;
	eth_input_fn input;
};

/* A change of the stack's configuration, told to netlink/ (see
 * net_notify_link and the others below): the kind of object, its
 * interface (none for a route), the object (an ifaddr4, ifaddr6, route4,
 * route6 or neigh; none for a link), type the RTM_* message. */
enum net_event { NET_EV_LINK, NET_EV_ADDR4, NET_EV_ADDR6, NET_EV_ROUTE4, NET_EV_ROUTE6, NET_EV_NEIGH };
typedef void net_notify_fn(struct ustack *s, enum net_event ev, const struct netif *ifp, const void *obj,
		uint16_t type);

struct net_protos {
	struct eth_proto eth[NET_ETH_PROTOS];
	struct ip4_proto v4[256];
	struct ip6_proto v6[256];
	/* raw sockets see every datagram of their protocol before it (the
	 * number of sockets that took it) and its ICMP errors */
	int (*raw4_input)(struct ustack *s, struct ip4_rx *rx);
	int (*raw6_input)(struct ustack *s, struct ip6_rx *rx);
	ip_err_fn raw4_err, raw6_err;
	/* ping sockets: the echo replies (ICMP itself is net/'s) */
	void (*echo_reply4)(struct ustack *s, struct ip4_rx *rx, const uint8_t *icmp, size_t len);
	void (*echo_reply6)(struct ustack *s, struct ip6_rx *rx);
	/* packet sockets: every Ethernet frame received on an interface */
	void (*frame_tap)(struct netif *ifp, const uint8_t *frame, size_t len);
	/* netlink/: the changes of the stack's configuration */
	net_notify_fn *notify;
};

/* Every change of a link, address, route or neighbour, made through
 * netlink or by the stack itself, told to whoever registered to hear it
 * (netlink/: Linux's rtnl_notify). type: the RTM_* message; lock held. */
struct ifaddr4;
struct ifaddr6;
struct route4;
struct route6;
struct neigh;
/* net/'s side: tell the registered notifier, if any */
void net_notify_link(struct netif *ifp, uint16_t type);
void net_notify_addr4(struct netif *ifp, const struct ifaddr4 *a, uint16_t type);
void net_notify_addr6(struct netif *ifp, const struct ifaddr6 *a, uint16_t type);
void net_notify_route4(struct ustack *s, const struct route4 *r, uint16_t type);
void net_notify_route6(struct ustack *s, const struct route6 *r, uint16_t type);
void net_notify_neigh(struct netif *ifp, const struct neigh *n, uint16_t type);

/* Make the table and register net/'s own handlers with the link layer
 * (frames in, the loopback's datagrams), for its EtherTypes (IPv4, ARP,
 * IPv6) and in the table (ICMP, IGMP, ICMPv6). 0 or -ENOMEM. */
int net_init(struct ustack *s);
/* Set a family's slot: a NULL handler leaves the one there. */
void ip4_proto_register(struct ustack *s, uint8_t proto, void (*input)(struct ustack *, struct ip4_rx *),
		ip_err_fn err);
/* Set the handler of an EtherType (replacing the one there): 0, or -ENOSPC
 * when the table is full. eth_init registers IPv4, ARP and IPv6. */
int eth_proto_register(struct ustack *s, uint16_t type, eth_input_fn input);
int eth_init(struct ustack *s);
void ip6_proto_register(struct ustack *s, uint8_t nh, void (*input)(struct ustack *, struct ip6_rx *),
		ip_err_fn err);
#endif
