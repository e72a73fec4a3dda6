/* SPDX-License-Identifier: LGPL-2.1-or-later
 * AF_PACKET sockets (Linux packet(7)) on the stack's Ethernet interfaces:
 * SOCK_RAW sees and sends whole frames, SOCK_DGRAM the payload with the
 * link header described by a sockaddr_ll. DHCP clients use them before
 * the interface has an address. Frames the stack sends on an Ethernet
 * interface are shown to ETH_P_ALL sockets as PACKET_OUTGOING, as Linux's
 * taps (dev_queue_xmit_nit): only ETH_P_ALL sockets, never to the packet
 * socket that sent the frame. */
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../link/link.h"
#include "../net/net.h"
#include "../net/proto.h"
#include "../socket/sock.h"
#include "packet.h"
#include "../wire/eth.h"

static int packet_bind(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	const struct sockaddr_ll *sll = (const struct sockaddr_ll *) a;
	/* Linux packet_bind: at least up to sll_ifindex... the whole struct */
	if (len < (socklen_t) sizeof(struct sockaddr_ll))
		return -EINVAL;
	if (sll->sll_family != AF_PACKET)
		return -EINVAL;
	if (sll->sll_ifindex) {
		struct netif *ifp = netif_by_index(sk->s, sll->sll_ifindex);
		if (ifp == NULL)
			return -ENODEV;
	}
	sk->pk_ifindex = sll->sll_ifindex;
	if (sll->sll_protocol)
		sk->pk_proto = sll->sll_protocol;
	sk->bound = true;
	return 0;
}

static ssize_t packet_sendmsg(struct usock *sk, const struct msghdr *msg, size_t len, int flags) {
	struct ustack *s = sk->s;
	int ifindex = sk->pk_ifindex;
	uint16_t proto = sk->pk_proto;
	const uint8_t *daddr = NULL;
	if (msg->msg_name) {
		const struct sockaddr_ll *sll = msg->msg_name;
		if (msg->msg_namelen < (socklen_t) offsetof(struct sockaddr_ll, sll_addr))
			return -EINVAL;
		if (sll->sll_family != AF_PACKET)
			return -EINVAL;
		ifindex = sll->sll_ifindex;
		proto = sll->sll_protocol;
		if (sk->type == SOCK_DGRAM) {
			if (msg->msg_namelen < (socklen_t) (offsetof(struct sockaddr_ll, sll_addr) + 6) ||
					sll->sll_halen < 6)
				return -EINVAL;
			daddr = sll->sll_addr;
		}
	}
	struct netif *ifp = ifindex ? netif_by_index(s, ifindex) : NULL;
	if (ifp == NULL)
		return -ENXIO;
	if (ifp->type != ARPHRD_ETHER)
		return -EINVAL;
	if (!(ifp->flags & IFF_UP))
		return -ENETDOWN;
	size_t hl = sk->type == SOCK_DGRAM ? ETHW_HLEN : 0;
	if (sk->type == SOCK_RAW && len < ETHW_HLEN)
		return -EINVAL;
	if (len + hl > ifp->mtu + ETHW_HLEN)
		return -EMSGSIZE;
	if (sk->type == SOCK_DGRAM && daddr == NULL)
		return -EDESTADDRREQ;
	struct pbuf *p = pbuf_alloc(&s->pc, len + hl, PBUF_HEADROOM);
	if (p == NULL)
		return -ENOBUFS;
	sock_copy_from_iov(p->data + hl, msg, len);
	if (hl) {
		struct eth_repr e = {.type = ntohs(proto)};
		memcpy(e.dst, daddr, 6);
		memcpy(e.src, ifp->mac, 6);
		eth_emit(&e, p->data, ETHW_HLEN);
	}
	s->packet->sender = sk;
	int err = link_xmit(ifp, p);
	s->packet->sender = NULL;
	return err < 0 ? err : (ssize_t) len;
}

static void packet_deliver(struct netif *ifp, const uint8_t *frame, size_t len, uint8_t pkttype,
		bool outgoing) {
	struct ustack *s = ifp->s;
	uint16_t type;
	memcpy(&type, frame + 12, 2);
	for (struct usock *sk = s->packet->socks; sk; sk = sk->pnext) {
		if (sk->pk_proto == 0)
			continue;
		if (outgoing) {
			/* Linux: outgoing frames go to the ptype_all taps only, and
			 * never back to their sender (skb_loop_sk) */
			if (sk->pk_proto != htons(ETH_P_ALL) || sk == s->packet->sender)
				continue;
		} else if (sk->pk_proto != htons(ETH_P_ALL) && sk->pk_proto != type)
			continue;
		if (sk->pk_ifindex && sk->pk_ifindex != ifp->index)
			continue;
		size_t off = sk->type == SOCK_DGRAM ? ETHW_HLEN : 0;
		struct pbuf *p = pbuf_alloc(&s->pc, len - off, 0);
		if (p == NULL)
			return;
		memcpy(p->data, frame + off, len - off);
		p->m.sport = type;
		p->m.ifindex = ifp->index;
		p->m.pkttype = pkttype;
		p->m.halen = 6;
		/* the source MAC, for outgoing frames ours (header_ops->parse) */
		memcpy(p->m.haddr, frame + 6, 6);
		sock_queue_rx(sk, p);
	}
}

void packet_input(struct netif *ifp, const uint8_t *frame, size_t len) {
	if (ifp->s->packet->socks == NULL || len < ETHW_HLEN)
		return;
	uint8_t pkttype = PACKET_HOST;
	if (eth_is_broadcast(frame))
		pkttype = PACKET_BROADCAST;
	else if (eth_is_multicast(frame))
		pkttype = PACKET_MULTICAST;
	else if (memcmp(frame, ifp->mac, 6) != 0)
		pkttype = PACKET_OTHERHOST;
	packet_deliver(ifp, frame, len, pkttype, false);
}

void packet_xmit_tap(struct netif *ifp, const uint8_t *frame, size_t len) {
	if (len < ETHW_HLEN)
		return;
	packet_deliver(ifp, frame, len, PACKET_OUTGOING, true);
}

static void packet_recvname(struct usock *sk, const struct pbuf *p, struct sockaddr *a, socklen_t *len) {
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = p->m.sport,
		.sll_ifindex = p->m.ifindex,
		.sll_hatype = ARPHRD_ETHER,
		.sll_pkttype = p->m.pkttype,
		.sll_halen = p->m.halen,
	};
	memcpy(sll.sll_addr, p->m.haddr, 6);
	socklen_t n = *len < (socklen_t) sizeof(sll) ? *len : (socklen_t) sizeof(sll);
	memcpy(a, &sll, n);
	*len = (socklen_t) (offsetof(struct sockaddr_ll, sll_addr) + sll.sll_halen);
}

static int packet_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer) {
	if (peer)
		return -EOPNOTSUPP;
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = sk->pk_proto,
		.sll_ifindex = sk->pk_ifindex,
	};
	struct netif *ifp = sk->pk_ifindex ? netif_by_index(sk->s, sk->pk_ifindex) : NULL;
	if (ifp) {
		sll.sll_hatype = ifp->type;
		sll.sll_halen = ifp->type == ARPHRD_ETHER ? 6 : 0;
		memcpy(sll.sll_addr, ifp->mac, 6);
	}
	socklen_t full = (socklen_t) (offsetof(struct sockaddr_ll, sll_addr) + sll.sll_halen);
	socklen_t n = *len < full ? *len : full;
	memcpy(a, &sll, n);
	*len = full;
	return 0;
}

static int packet_connect(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	return -EOPNOTSUPP;
}

static int packet_shutdown(struct usock *sk, int how) {
	return -EOPNOTSUPP;  /* Linux sock_no_shutdown */
}

/* The taps are hooked in while packet sockets exist (none: no call per
 * frame). */
static void packet_hook(struct ustack *s) {
	bool on = s->packet->socks != NULL;
	s->xmit_tap = on ? packet_xmit_tap : NULL;
	s->protos->frame_tap = on ? packet_input : NULL;
}

static void packet_release(struct usock *sk) {
	sock_list_del(&sk->s->packet->socks, sk);
	packet_hook(sk->s);
}

static const struct proto_ops packet_ops = {
	.bind = packet_bind,
	.connect = packet_connect,
	.sendmsg = packet_sendmsg,
	.recvname = packet_recvname,
	.getname = packet_getname,
	.setsockopt = sock_setsockopt_generic,
	.getsockopt = sock_getsockopt_generic,
	.release = packet_release,
	.shutdown = packet_shutdown,
};

int packet_sock_init(struct usock *sk) {
	sk->ops = &packet_ops;
	sk->pk_proto = (uint16_t) sk->protocol;  /* given in network order */
	sk->pnext = sk->s->packet->socks;
	sk->s->packet->socks = sk;
	packet_hook(sk->s);
	return 0;
}

static const struct sock_proto packet_protos[] = {
	{AF_PACKET, SOCK_RAW, -1, packet_sock_init},
	{AF_PACKET, SOCK_DGRAM, -1, packet_sock_init},
};

int packet_register(struct ustack *s) {
	s->packet = calloc(1, sizeof(*s->packet));
	if (s->packet == NULL)
		return -ENOMEM;
	return sock_proto_register(s, packet_protos, sizeof(packet_protos) / sizeof(packet_protos[0]));
}
