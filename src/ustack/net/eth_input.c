/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Link-level demux: a frame received on an interface goes to the handler
 * registered for its EtherType (proto.h, eth_proto_register: IPv4, ARP and
 * IPv6 by net_init), a datagram looped back on lo to IPv4 or IPv6 by its
 * version. Frames for another host's unicast address are ignored, as a NIC
 * filters them; an EtherType nobody registered is counted rx_nohandler. */
#include <errno.h>
#include <string.h>

#include "../link/link.h"
#include "../wire/eth.h"
#include "net.h"
#include "net6.h"
#include "proto.h"

int eth_proto_register(struct ustack *s, uint16_t type, eth_input_fn input) {
	struct eth_proto *free_slot = NULL;
	for (size_t i = 0; i < NET_ETH_PROTOS; i++) {
		struct eth_proto *ep = &s->protos->eth[i];
		if (ep->input && ep->type == type) {
			ep->input = input;
			return 0;
		}
		if (ep->input == NULL && free_slot == NULL)
			free_slot = ep;
	}
	if (free_slot == NULL)
		return -ENOSPC;
	free_slot->type = type;
	free_slot->input = input;
	return 0;
}

static eth_input_fn eth_proto_lookup(const struct net_protos *np, uint16_t type) {
	for (size_t i = 0; i < NET_ETH_PROTOS; i++)
		if (np->eth[i].input && np->eth[i].type == type)
			return np->eth[i].input;
	return NULL;
}

void netif_input(struct netif *ifp, uint8_t *frame, size_t len) {
	struct eth_repr e;
	if (eth_parse(frame, len, &e) < 0) {
		ifp->st.rx_length_errors++;
		ifp->st.rx_errors++;
		return;
	}
	bool mcast = eth_is_multicast(e.dst);
	if (!mcast && memcmp(e.dst, ifp->mac, 6) != 0) {
		/* another host's unicast (a switch floods unknown addresses): a NIC
		 * filters it, Linux counts nothing for it, neither do we */
		return;
	}
	const struct net_protos *np = ifp->s->protos;
	if (np->frame_tap)
		np->frame_tap(ifp, frame, len);
	if (mcast && !eth_is_broadcast(e.dst))
		ifp->st.multicast++;
	eth_input_fn input = eth_proto_lookup(np, e.type);
	if (input)
		input(ifp, frame + ETHW_HLEN, len - ETHW_HLEN, mcast);
	else
		ifp->st.rx_nohandler++;
}

void loop_input(struct netif *lo, struct pbuf *p) {
	struct ustack *s = lo->s;
	/* a multicast looped back by its sender arrives "on" the interface it
	 * was sent from, so that membership is checked there */
	struct netif *ifp = lo;
	if (p->m.ifindex && p->m.ifindex != lo->index) {
		ifp = netif_by_index(s, p->m.ifindex);
		if (ifp == NULL)
			ifp = lo;
	}
	if (p->len && (p->data[0] >> 4) == 6)
		ip6_input(ifp, p->data, p->len, true, false);
	else
		ip4_input(ifp, p->data, p->len, true);
	pbuf_free(&s->pc, p);
}

/* net/'s own EtherTypes, in the shape of the table */
static void eth_ip4_input(struct netif *ifp, const uint8_t *p, size_t len, bool ll_mcast) {
	(void) ll_mcast;
	ip4_input(ifp, p, len, false);
}

static void eth_arp_input(struct netif *ifp, const uint8_t *p, size_t len, bool ll_mcast) {
	(void) ll_mcast;
	arp_input(ifp, p, len);
}

static void eth_ip6_input(struct netif *ifp, const uint8_t *p, size_t len, bool ll_mcast) {
	ip6_input(ifp, p, len, false, ll_mcast);
}

int eth_init(struct ustack *s) {
	int err = eth_proto_register(s, ETHW_P_IP, eth_ip4_input);
	if (err == 0)
		err = eth_proto_register(s, ETHW_P_ARP, eth_arp_input);
	if (err == 0)
		err = eth_proto_register(s, ETHW_P_IPV6, eth_ip6_input);
	return err;
}
