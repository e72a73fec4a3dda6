/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The protocol table of a stack (proto.h) and net/'s registration with the
 * link layer below. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "../link/link.h"
#include "net.h"
#include "net6.h"
#include "proto.h"

void ip4_proto_register(struct ustack *s, uint8_t proto, void (*input)(struct ustack *, struct ip4_rx *),
		ip_err_fn err) {
	struct ip4_proto *p = &s->protos->v4[proto];
	if (input)
		p->input = input;
	if (err)
		p->err = err;
}

void ip6_proto_register(struct ustack *s, uint8_t nh, void (*input)(struct ustack *, struct ip6_rx *),
		ip_err_fn err) {
	struct ip6_proto *p = &s->protos->v6[nh];
	if (input)
		p->input = input;
	if (err)
		p->err = err;
}

int net_init(struct ustack *s) {
	s->protos = calloc(1, sizeof(*s->protos));
	s->mib = calloc(1, sizeof(*s->mib));
	if (s->protos == NULL || s->mib == NULL)
		return -ENOMEM;
	s->link_input = netif_input;
	s->loop_input = loop_input;
	int err = eth_init(s);
	if (err < 0)
		return err;
	ip4_proto_register(s, IPPROTO_ICMP, icmp4_input, NULL);
	ip4_proto_register(s, IPPROTO_IGMP, igmp_input, NULL);
	ip6_proto_register(s, IP6_NH_ICMPV6, icmp6_input, NULL);
	return 0;
}

static void notify(struct ustack *s, enum net_event ev, const struct netif *ifp, const void *obj,
		uint16_t type) {
	if (s->protos && s->protos->notify)
		s->protos->notify(s, ev, ifp, obj, type);
}

void net_notify_link(struct netif *ifp, uint16_t type) {
	notify(ifp->s, NET_EV_LINK, ifp, NULL, type);
}

void net_notify_addr4(struct netif *ifp, const struct ifaddr4 *a, uint16_t type) {
	notify(ifp->s, NET_EV_ADDR4, ifp, a, type);
}

void net_notify_addr6(struct netif *ifp, const struct ifaddr6 *a, uint16_t type) {
	notify(ifp->s, NET_EV_ADDR6, ifp, a, type);
}

void net_notify_route4(struct ustack *s, const struct route4 *r, uint16_t type) {
	notify(s, NET_EV_ROUTE4, NULL, r, type);
}

void net_notify_route6(struct ustack *s, const struct route6 *r, uint16_t type) {
	notify(s, NET_EV_ROUTE6, NULL, r, type);
}

void net_notify_neigh(struct netif *ifp, const struct neigh *n, uint16_t type) {
	notify(ifp->s, NET_EV_NEIGH, ifp, n, type);
}
