/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv6 output: route and source, an optional hop-by-hop Router Alert
 * (MLD), the header in the headroom, fragments with a Fragment header
 * when the packet exceeds the link MTU (RFC 8200 4.5; a host fragments
 * its own packets), a loopback copy of multicast for local members. */
#include <errno.h>
#include <string.h>

#include "../link/link.h"
#include "../wire/ip6ext.h"
#include "net.h"
#include "net6.h"

int ip6_output_route(struct ustack *s, struct pbuf *p, struct ip6_tx *tx, const struct ip6_route_res *rt) {
	struct netif *ifp = rt->ifp;
	s->mib->ip6.OutRequests++;
	struct ip6_repr h = {.next_header = tx->proto,
		.hop_limit = tx->hlim_default ? ip6_if_hlim(ifp) : tx->hlim, .tclass = tx->tclass};
	/* the path MTU (RFC 8201): a source fragments at it */
	uint32_t mtu = rt->mtu ? rt->mtu : ip6_if_mtu(ifp);
	memcpy(h.src, tx->src ? tx->src : rt->src, 16);
	memcpy(h.dst, tx->dst, 16);
	if (tx->router_alert) {
		uint8_t *hbh = pbuf_push(p, 8);
		if (hbh == NULL) {
			pbuf_free(&s->pc, p);
			return -ENOBUFS;
		}
		ip6_hbh_router_alert_emit(tx->proto, 0, hbh, 8);
		h.next_header = IP6_NH_HOPOPTS;
	}
	bool loopcopy = rt->mcast && tx->mc_loop && ifp->type != ARPHRD_LOOPBACK_VALUE &&
			ip6_mc_member(ifp, tx->dst);
	/* a device below IPv6's minimum MTU has no IPv6 (netif_set_mtu) */
	if (p->len > 65535 || mtu < 1280) {
		pbuf_free(&s->pc, p);
		return -EMSGSIZE;
	}
	if (p->len + IP6_HDR_LEN <= mtu) {
		h.payload_len = (uint16_t) p->len;
		uint8_t *hp = pbuf_push(p, IP6_HDR_LEN);
		if (hp == NULL) {
			pbuf_free(&s->pc, p);
			return -ENOBUFS;
		}
		ip6_emit(&h, hp, IP6_HDR_LEN);
		if (loopcopy)
			ip_loop_copy(s, ifp, p->data, p->len);
		return neigh6_output(ifp, rt->nexthop, p);
	}
	if (tx->dontfrag || tx->router_alert) {
		pbuf_free(&s->pc, p);
		return -EMSGSIZE;
	}
	/* fragments: IPv6 header + Fragment header + a multiple of 8 bytes */
	size_t chunk = ((mtu - IP6_HDR_LEN - IP6_FRAG_HDR_LEN) / 8) * 8;
	uint32_t ident = ++s->frag6_id;
	int err = 0;
	for (size_t off = 0; off < p->len; off += chunk) {
		size_t n = p->len - off < chunk ? p->len - off : chunk;
		struct pbuf *f = pbuf_alloc(&s->pc, IP6_HDR_LEN + IP6_FRAG_HDR_LEN + n, PBUF_HEADROOM);
		if (f == NULL) {
			err = -ENOBUFS;
			break;
		}
		struct ip6_repr fh = h;
		fh.next_header = IP6_NH_FRAGMENT;
		fh.payload_len = (uint16_t) (IP6_FRAG_HDR_LEN + n);
		ip6_emit(&fh, f->data, IP6_HDR_LEN);
		struct ip6_frag_repr fr = {.next_header = h.next_header, .offset = (uint16_t) off,
			.more = off + n < p->len, .ident = ident};
		ip6_frag_emit(&fr, f->data + IP6_HDR_LEN, IP6_FRAG_HDR_LEN);
		memcpy(f->data + IP6_HDR_LEN + IP6_FRAG_HDR_LEN, p->data + off, n);
		if (loopcopy)
			ip_loop_copy(s, ifp, f->data, f->len);
		s->mib->ip6.FragCreates++;
		int e = neigh6_output(ifp, rt->nexthop, f);
		if (e && !err)
			err = e;
	}
	pbuf_free(&s->pc, p);
	return err;
}

int ip6_output(struct ustack *s, struct pbuf *p, struct ip6_tx *tx) {
	struct ip6_route_res rt;
	int err = route6_lookup(s, tx->dst, tx->oif, &rt);
	if (err < 0) {
		s->mib->ip6.OutNoRoutes++;
		pbuf_free(&s->pc, p);
		return err;
	}
	return ip6_output_route(s, p, tx, &rt);
}
