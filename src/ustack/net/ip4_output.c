/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv4 output: route, source address, header built in the headroom,
 * fragmentation when the datagram exceeds the interface MTU (RFC 791
 * section 2.3; DF set means EMSGSIZE to the caller, as Linux reports for a
 * local sender), copies of multicast and broadcast for local listeners
 * (Linux's IP_MULTICAST_LOOP and broadcast loopback). */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "../link/link.h"
#include "net.h"

uint32_t ip4_route_mtu(const struct ip4_route_res *rt) {
	return rt->mtu ? rt->mtu : rt->ifp ? rt->ifp->mtu : 1500;
}

bool ip4_want_df(int pmtudisc, size_t len, uint32_t mtu) {
	switch (pmtudisc) {
	case IP_PMTUDISC_DONT:
		return false;
	case IP_PMTUDISC_WANT:
		/* DF only on what fits: larger datagrams are fragmented */
		return len <= mtu;
	default:  /* DO, PROBE, INTERFACE, OMIT */
		return true;
	}
}

/* A copy for this host, as if received on ifp (multicast with loop on). */
void ip_loop_copy(struct ustack *s, struct netif *ifp, const uint8_t *pkt, size_t len) {
	struct netif *lo = s->lo;
	if (lo == NULL || !(lo->flags & IFF_UP))
		return;
	struct pbuf *c = pbuf_alloc(&s->pc, len, 0);
	if (c == NULL)
		return;
	memcpy(c->data, pkt, len);
	c->m.ifindex = ifp->index;
	link_xmit(lo, c);
}

static int ip4_fragment(struct ustack *s, struct pbuf *p, const struct ipv4_repr *h,
		struct netif *ifp, uint32_t mtu, uint32_t nexthop, bool loopcopy) {
	size_t hl = IPV4W_HLEN + h->optlen;
	/* at the path MTU (Linux ip_fragment with ip_skb_dst_mtu) */
	size_t chunk = mtu > hl ? ((mtu - hl) / 8) * 8 : 0;
	size_t total = p->len, off = 0;
	int err = 0;
	if (chunk == 0) {
		pbuf_free(&s->pc, p);
		return -EMSGSIZE;
	}
	while (off < total) {
		size_t n = total - off < chunk ? total - off : chunk;
		struct pbuf *f = pbuf_alloc(&s->pc, hl + n, PBUF_HEADROOM);
		if (f == NULL) {
			s->mib->ip4.FragFails++;
			err = -ENOBUFS;
			break;
		}
		struct ipv4_repr fh = *h;
		fh.frag_off = (uint16_t) off;
		fh.mf = off + n < total;
		fh.total_len = (uint16_t) (hl + n);
		/* RFC 791: options without the copy flag only in the first fragment;
		 * the options we send (router alert) are copied, so keep them all */
		ipv4_emit(&fh, f->data, hl);
		memcpy(f->data + hl, p->data + off, n);
		if (loopcopy)
			ip_loop_copy(s, ifp, f->data, f->len);
		s->mib->ip4.FragCreates++;
		int e = neigh4_output(ifp, nexthop, f);
		if (e && !err)
			err = e;
		off += n;
	}
	if (!err)
		s->mib->ip4.FragOKs++;
	pbuf_free(&s->pc, p);
	return err;
}

int ip4_output_route(struct ustack *s, struct pbuf *p, struct ip4_tx *tx,
		const struct ip4_route_res *rt) {
	struct netif *ifp = rt->ifp;
	s->mib->ip4.OutRequests++;
	if (rt->bcast && !tx->allow_bcast) {
		pbuf_free(&s->pc, p);
		return -EACCES;
	}
	struct ipv4_repr h = {
		.src = tx->src ? tx->src : rt->src,
		.dst = tx->dst,
		.proto = tx->proto,
		.ttl = tx->ttl,
		.tos = tx->tos,
		.id = s->ip_id++,
		.df = tx->df,
		.opt = tx->opt,
		.optlen = tx->optlen,
	};
	size_t hl = IPV4W_HLEN + h.optlen;
	if (p->len + hl > IPV4W_MAXLEN) {
		pbuf_free(&s->pc, p);
		return -EMSGSIZE;
	}
	bool loopcopy = (rt->mcast && tx->mc_loop && ip4_mc_member(ifp, tx->dst)) ||
			(rt->bcast && ifp->type != ARPHRD_LOOPBACK_VALUE);
	uint32_t mtu = ip4_route_mtu(rt);
	if (p->len + hl > mtu) {
		if (tx->df) {
			s->mib->ip4.FragFails++;
			pbuf_free(&s->pc, p);
			return -EMSGSIZE;
		}
		return ip4_fragment(s, p, &h, ifp, mtu, rt->nexthop, loopcopy);
	}
	uint8_t *hp = pbuf_push(p, hl);
	if (hp == NULL) {
		pbuf_free(&s->pc, p);
		s->mib->ip4.OutDiscards++;
		return -ENOBUFS;
	}
	h.total_len = (uint16_t) p->len;
	ipv4_emit(&h, hp, hl);
	if (loopcopy)
		ip_loop_copy(s, ifp, p->data, p->len);
	return neigh4_output(ifp, rt->nexthop, p);
}

int ip4_output(struct ustack *s, struct pbuf *p, struct ip4_tx *tx) {
	struct ip4_route_res rt;
	int err = route4_lookup(s, tx->dst, tx->oif, &rt);
	if (err < 0) {
		s->mib->ip4.OutNoRoutes++;
		pbuf_free(&s->pc, p);
		return err;
	}
	return ip4_output_route(s, p, tx, &rt);
}
