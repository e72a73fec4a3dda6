/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ICMPv6 (RFC 4443): echo replies (also to multicast, as Linux's
 * icmpv6_echo_ignore_multicast=0), errors under the rules of 2.4 with the
 * ICMPv4 token bucket, errors received handed to sockets, NDP and MLD
 * queries dispatched. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "../link/link.h"
#include "../wire/icmp6.h"
#include "../wire/mld.h"
#include "net.h"
#include "net6.h"
#include "proto.h"

int icmp6_send(struct ustack *s, struct netif *ifp, const uint8_t *src, const uint8_t *dst,
		uint8_t hlim, struct pbuf *p) {
	return icmp6_send_tc(s, ifp, src, dst, hlim, 0, p);
}

int icmp6_send_tc(struct ustack *s, struct netif *ifp, const uint8_t *src, const uint8_t *dst,
		uint8_t hlim, uint8_t tclass, struct pbuf *p) {
	struct ip6_route_res rt;
	int err = route6_lookup(s, dst, ifp ? ifp->index : 0, &rt);
	if (err < 0) {
		pbuf_free(&s->pc, p);
		return err;
	}
	const uint8_t *from = src ? src : rt.src;
	icmp6_fill_checksum(from, dst, p->data, p->len);
	struct ip6_tx tx = {.src = from, .dst = dst, .proto = IP6_NH_ICMPV6, .hlim = hlim,
		.tclass = tclass, .oif = ifp ? ifp->index : 0};
	s->mib->icmp6.OutMsgs++;
	return ip6_output_route(s, p, &tx, &rt);
}

void icmp6_send_error(struct ustack *s, const struct ip6_rx *rx, uint8_t type, uint8_t code,
		uint32_t info) {
	size_t upper_off = rx->payload ? (size_t) (rx->payload - rx->pkt) : IP6_HDR_LEN;
	if (!icmp6_error_allowed(rx->pkt, rx->pktlen, rx->proto, upper_off, type, code))
		return;
	/* RFC 4443 2.4 e.4: not about a link-layer multicast, except these */
	if (rx->ll_mcast && type != ICMP6_PACKET_TOO_BIG && !(type == ICMP6_PARAM_PROB && code == 2))
		return;
	/* Linux icmpv6_xrlim_allow: packet too big is never limited; the
	 * peer's interval shrinks with the prefix length of its route */
	uint64_t interval = 0;
	if (type != ICMP6_PACKET_TOO_BIG) {
		struct ip6_route_res rt;
		interval = ICMP_RATELIMIT_NS;
		if (route6_lookup(s, rx->ip.src, 0, &rt) == 0) {
			if (rt.ifp && rt.ifp->type == ARPHRD_LOOPBACK_VALUE)
				interval = 0;
			else if (rt.plen < 128)
				interval >>= (128 - rt.plen) >> 5;
		}
	}
	if (!icmp_rate_allow(s, AF_INET6, rx->ip.src, interval)) {
		s->mib->icmp6.OutRateLimited++;
		return;
	}
	size_t q = rx->pktlen < ICMP6_ERROR_QUOTE_MAX ? rx->pktlen : ICMP6_ERROR_QUOTE_MAX;
	struct pbuf *p = pbuf_alloc(&s->pc, 8 + q, PBUF_HEADROOM);
	if (p == NULL)
		return;
	memset(p->data, 0, 8);
	p->data[0] = type;
	p->data[1] = code;
	p->data[4] = (uint8_t) (info >> 24);
	p->data[5] = (uint8_t) (info >> 16);
	p->data[6] = (uint8_t) (info >> 8);
	p->data[7] = (uint8_t) info;
	memcpy(p->data + 8, rx->pkt, q);
	/* from the address it was sent to when that is ours and unicast */
	const uint8_t *src = (!rx->mcast && ip6_is_local(s, rx->ip.dst)) ? rx->ip.dst : NULL;
	icmp6_send(s, NULL, src, rx->ip.src, 64, p);
}

/* RFC 8201 4: a packet too big about a packet we sent, larger than the
 * MTU reported: the path toward its destination is that narrow, never
 * below the IPv6 minimum (RFC 8200 5). */
static void packet_too_big(struct ustack *s, uint32_t mtu, const uint8_t *inner) {
	const uint8_t *src = inner + 8, *dst = inner + 24;
	uint32_t tot = IP6_HDR_LEN + (uint32_t) (inner[4] << 8 | inner[5]);
	if (!ip6_is_local(s, src) || ip6_is_local(s, dst) || tot <= mtu || ip6_addr_is_multicast(dst))
		return;
	/* TCP learns it itself, once the segment quoted proves to be one of
	 * its own in flight (RFC 5927 4.1, tcp_err) */
	if (inner[6] != IP6_NH_TCP)
		pmtu_learn(s, AF_INET6, dst, mtu < 1280 ? 1280 : mtu);
}

void icmp6_deliver_error(struct ustack *s, uint8_t type, uint8_t code, uint32_t info,
		const uint8_t *offender, const uint8_t *inner, size_t len) {
	if (len < IP6_HDR_LEN + 8 || (inner[0] >> 4) != 6)
		return;
	struct icmp_err e = {.origin = 3 /* SO_EE_ORIGIN_ICMP6 */, .type = type, .code = code,
		.inner = inner, .len = len};
	memcpy(e.offender, offender ? offender : inner + 8, 16);
	/* Linux icmpv6_err_convert */
	switch (type) {
	case ICMP6_DST_UNREACH:
		e.err = code == ICMP6_DU_PORT ? ECONNREFUSED : (code == ICMP6_DU_ADMIN || code == ICMP6_DU_POLICY ||
				code == ICMP6_DU_REJECT) ? EACCES : code == ICMP6_DU_NOROUTE ? ENETUNREACH : EHOSTUNREACH;
		break;
	case ICMP6_PACKET_TOO_BIG:
		e.err = EMSGSIZE;
		e.info = info;
		packet_too_big(s, info, inner);
		break;
	case ICMP6_TIME_EXCEEDED:
		e.err = EHOSTUNREACH;
		break;
	case ICMP6_PARAM_PROB:
		e.err = EPROTO;
		e.info = info;
		break;
	default:
		return;
	}
	const struct net_protos *np = s->protos;
	if (np->raw6_err)
		np->raw6_err(s, &e);
	/* the quoted packet: its first next header only (no walk: truncated) */
	ip_err_fn err = np->v6[inner[6]].err;
	if (err)
		err(s, &e);
}

void icmp6_input(struct ustack *s, struct ip6_rx *rx) {
	struct icmp6_repr r;
	s->mib->icmp6.InMsgs++;
	if (icmp6_parse(rx->payload, rx->plen, rx->ip.src, rx->ip.dst, &r) < 0) {
		s->mib->icmp6.InErrors++;
		return;
	}
	switch (r.type) {
	case ICMP6_ECHO_REQUEST: {
		struct pbuf *p = pbuf_alloc(&s->pc, rx->plen, PBUF_HEADROOM);
		if (p == NULL)
			return;
		memcpy(p->data, rx->payload, rx->plen);
		p->data[0] = ICMP6_ECHO_REPLY;
		p->data[1] = 0;
		const uint8_t *src = rx->mcast ? NULL : rx->ip.dst;
		uint8_t sel[16];
		if (src == NULL) {
			if (!ip6_src_select(rx->ifp, rx->ip.src, sel)) {
				pbuf_free(&s->pc, p);
				return;
			}
			src = sel;
		}
		/* Linux icmpv6_echo_reply: the request's traffic class */
		icmp6_send_tc(s, ip6_addr_is_linklocal(rx->ip.src) ? rx->ifp : NULL, src, rx->ip.src, 64,
				rx->ip.tclass, p);
		return;
	}
	case ICMP6_ECHO_REPLY:
		if (s->protos->echo_reply6)
			s->protos->echo_reply6(s, rx);
		return;
	case ICMP6_ND_NEIGHBOR_SOLICIT:
	case ICMP6_ND_NEIGHBOR_ADVERT:
	case ICMP6_ND_ROUTER_SOLICIT:
	case ICMP6_ND_ROUTER_ADVERT:
	case ICMP6_ND_REDIRECT:
		nd6_input(s, rx);
		return;
	case ICMP6_MLD_QUERY: {
		struct mld_query q;
		if (mld_query_parse(rx->payload, rx->plen, &q) < 0 ||
				mld_query_validate_ip(rx->ip.src, rx->ip.hop_limit) < 0)
			return;
		mld_report_all(rx->ifp);
		return;
	}
	default:
		if (icmp6_is_error(r.type))
			icmp6_deliver_error(s, r.type, r.code, r.u.word, rx->ip.src, r.data, r.data_len);
		return;
	}
}
