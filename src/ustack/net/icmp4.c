/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ICMPv4 (RFC 792, RFC 1122 3.2.2): echo replies, errors sent with the
 * rules of RFC 1122 3.2.2 and a token bucket like Linux's icmp_ratelimit,
 * errors received handed to the socket they concern. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "../link/link.h"
#include "../wire/icmp4.h"
#include "../wire/udp.h"
#include "net.h"
#include "proto.h"

/* RFC 1812 4.3.2.3 / Linux: quote up to 576 bytes in all */
#define ICMP_ERR_MAXLEN 576
/* the bits of the offending TOS an error keeps, as Linux */
#define ICMP_TOS_MASK 0x1e   /* IPTOS_TOS_MASK (RT_TOS) */

/* What a reply carries besides the route: its TOS and the options echoed
 * from the datagram it answers (Linux icmp_reply / icmp_send). */
struct icmp4_hdr_opts {
	uint8_t tos;
	const struct ip4_rx *echo_of;   /* NULL: no options */
};

static int icmp4_send(struct ustack *s, uint32_t src, uint32_t dst, const struct icmp4_repr *r,
		const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		const struct icmp4_hdr_opts *ho) {
	struct ip4_route_res rt;
	int err = route4_lookup(s, dst, 0, &rt);
	if (err < 0) {
		s->mib->ip4.OutNoRoutes++;
		return err;
	}
	uint8_t opt[40];
	int optlen = 0;
	if (ho && ho->echo_of && ho->echo_of->opts.rr) {
		optlen = ipv4_opts_echo(ho->echo_of->hdr, &ho->echo_of->opts, src ? src : rt.src, opt);
		if (optlen < 0)
			return -EINVAL;  /* Linux: no reply when the route record is full */
	}
	struct pbuf *p = pbuf_alloc(&s->pc, ICMP4W_HLEN + alen + blen, PBUF_HEADROOM);
	if (p == NULL)
		return -ENOBUFS;
	memcpy(p->data + ICMP4W_HLEN, a, alen);
	if (blen)
		memcpy(p->data + ICMP4W_HLEN + alen, b, blen);
	icmp4_emit(r, p->data, p->len);
	struct ip4_tx tx = {
		.src = src,
		.dst = dst,
		.proto = IPPROTO_ICMP,
		.ttl = 64,
		.tos = ho ? ho->tos : 0,
		.opt = optlen ? opt : NULL,
		.optlen = (uint8_t) optlen,
	};
	s->mib->icmp4.OutMsgs++;
	return ip4_output_route(s, p, &tx, &rt);
}

void icmp4_send_error(struct ustack *s, const struct ip4_rx *rx, uint8_t type, uint8_t code,
		uint32_t info) {
	/* RFC 1122 3.2.2: never about an ICMP error, a broadcast or multicast,
	 * a non-initial fragment, or a source that is not one host */
	if (rx->bcast || rx->mcast || rx->ip.frag_off != 0)
		return;
	uint32_t src = rx->ip.src;
	if (src == 0 || ipv4_is_multicast(src) || src == 0xffffffffu || ip4_is_bcast_on(rx->ifp, src))
		return;
	if (rx->ip.proto == IPPROTO_ICMP) {
		if (rx->plen < 1 || icmp4_is_error(rx->payload[0]) || rx->payload[0] > 18)
			return;
	}
	/* Linux icmp_ratemask: every error we send is limited, per peer too
	 * unless it goes out on lo */
	struct ip4_route_res rt;
	uint64_t interval = route4_lookup(s, src, 0, &rt) == 0 && rt.ifp &&
			rt.ifp->type == ARPHRD_LOOPBACK_VALUE ? 0 : ICMP_RATELIMIT_NS;
	if (!icmp_rate_allow(s, AF_INET, &src, interval)) {
		s->mib->icmp4.OutRateLimited++;
		return;
	}
	struct icmp4_repr r = {.type = type, .code = code};
	r.rest[0] = (uint8_t) (info >> 24);
	r.rest[1] = (uint8_t) (info >> 16);
	r.rest[2] = (uint8_t) (info >> 8);
	r.rest[3] = (uint8_t) info;
	size_t room = ICMP_ERR_MAXLEN - IPV4W_HLEN - ICMP4W_HLEN - rx->ip.hdr_len;
	size_t plen = rx->plen < room ? rx->plen : room;
	/* reply from the address the datagram was sent to when it is ours,
	 * otherwise let the route choose (Linux icmp_send) */
	uint32_t from = ip4_is_local(s, rx->ip.dst) ? rx->ip.dst : 0;
	/* Linux icmp_send: the TOS bits of the offending datagram with the
	 * precedence of internetwork control (RFC 1812 4.3.2.5) */
	struct icmp4_hdr_opts ho = {.tos = (uint8_t) ((rx->ip.tos & ICMP_TOS_MASK) | 0xc0), .echo_of = rx};
	/* the header as Linux quotes it: with the address a route record
	 * option got on reception (ip_options_compile writes it in place,
	 * the header checksum is left as it came) */
	uint8_t hdr[60];
	memcpy(hdr, rx->hdr, rx->ip.hdr_len);
	if (rx->opts.rr && rx->opts.rr_room) {
		uint8_t *rr = hdr + rx->opts.rr;
		uint32_t me = from ? from : rx->ip.dst;
		memcpy(rr + rr[2] - 1, &me, 4);
		rr[2] = (uint8_t) (rr[2] + 4);
	}
	icmp4_send(s, from, src, &r, hdr, rx->ip.hdr_len, rx->payload, plen, &ho);
}

/* RFC 1191 7: the plateau below a datagram of len bytes, for routers that
 * report no next-hop MTU */
static uint32_t plateau_below(uint32_t len) {
	static const uint32_t plateaus[] = {32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};
	for (size_t i = 0; i < sizeof(plateaus) / sizeof(plateaus[0]); i++)
		if (plateaus[i] < len)
			return plateaus[i];
	return 68;
}

/* RFC 1191: a "fragmentation needed" about a datagram we sent, that was
 * larger than what it reports: the path toward its destination is that
 * narrow (Linux: never below min_pmtu, 552). Returns the MTU reported. */
static uint32_t frag_needed(struct ustack *s, uint32_t info, const uint8_t *inner, size_t len) {
	uint32_t src, dst;
	memcpy(&src, inner + 12, 4);
	memcpy(&dst, inner + 16, 4);
	uint32_t tot = (uint32_t) (inner[2] << 8 | inner[3]);
	uint32_t mtu = info & 0xffff;
	if (mtu == 0)
		mtu = plateau_below(tot);
	if (!ip4_is_local(s, src) || ip4_is_local(s, dst) || mtu < 68 || tot <= mtu)
		return mtu;  /* not about a datagram of ours, or not too big: bogus */
	/* TCP learns it itself, once the segment quoted proves to be one of
	 * its own in flight (RFC 5927 4.1, tcp_err) */
	if (inner[9] != IPPROTO_TCP)
		pmtu_learn(s, AF_INET, (const uint8_t *) &dst, mtu < PMTU_MIN4 ? PMTU_MIN4 : mtu);
	(void) len;
	return mtu;
}

void icmp4_deliver_error(struct ustack *s, uint8_t type, uint8_t code, uint32_t info,
		uint32_t offender, const uint8_t *inner, size_t len) {
	/* the quoted datagram is truncated by design: check the header only */
	if (len < IPV4W_HLEN || (inner[0] >> 4) != 4)
		return;
	size_t hl = (size_t) (inner[0] & 0xf) * 4;
	if (hl < IPV4W_HLEN || hl + 8 > len)
		return;
	struct icmp_err e = {.origin = 2 /* SO_EE_ORIGIN_ICMP */, .type = type, .code = code,
		.inner = inner, .len = len};
	/* raised locally (ARP failure): the offender is the sender itself */
	memcpy(e.offender, offender ? &offender : (const uint32_t *) (inner + 12), 4);
	/* Linux icmp_err_convert[] */
	switch (type) {
	case ICMP4W_DEST_UNREACH:
		switch (code) {
		case ICMP4W_NET_UNREACH: e.err = ENETUNREACH; break;
		case ICMP4W_HOST_UNREACH: e.err = EHOSTUNREACH; break;
		case ICMP4W_PROT_UNREACH: e.err = ENOPROTOOPT; break;
		case ICMP4W_PORT_UNREACH: e.err = ECONNREFUSED; break;
		case ICMP4W_FRAG_NEEDED:
			e.err = EMSGSIZE;
			e.info = frag_needed(s, info, inner, len);
			break;
		case 5: e.err = EOPNOTSUPP; break;     /* source route failed */
		case 6: e.err = ENETUNREACH; break;
		case 7: e.err = EHOSTDOWN; break;
		case 9: case 10: case 13: e.err = EACCES; break;  /* prohibited */
		default: e.err = EHOSTUNREACH; break;
		}
		break;
	case ICMP4W_TIME_EXCEEDED:
		e.err = EHOSTUNREACH;
		break;
	case ICMP4W_PARAMETERPROB:
		e.err = EPROTO;
		e.info = info >> 24;   /* the pointer */
		break;
	default:
		return; /* source quench and redirects: ignored, as Linux does */
	}
	/* Linux icmp_socket_deliver: the raw sockets of the protocol, then
	 * the protocol's handler */
	const struct net_protos *np = s->protos;
	if (np->raw4_err)
		np->raw4_err(s, &e);
	ip_err_fn err = np->v4[inner[9]].err;
	if (err)
		err(s, &e);
}

/* RFC 792 timestamp request: answered, as Linux does (icmp_timestamp),
 * with the originate time copied and receive = transmit = milliseconds
 * since midnight UT; not to broadcasts (icmp_echo_ignore_broadcasts). */
static void icmp4_timestamp(struct ustack *s, struct ip4_rx *rx, const struct icmp4_repr *r) {
	if (rx->bcast || rx->mcast)
		return;
	if (r->payload_len < 4) {
		s->mib->icmp4.InErrors++;
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint32_t ms = (uint32_t) ((ts.tv_sec % 86400) * 1000 + ts.tv_nsec / 1000000);
	uint8_t data[12];
	memcpy(data, r->payload, 4);
	for (int i = 0; i < 2; i++) {
		data[4 + 4 * i] = (uint8_t) (ms >> 24);
		data[5 + 4 * i] = (uint8_t) (ms >> 16);
		data[6 + 4 * i] = (uint8_t) (ms >> 8);
		data[7 + 4 * i] = (uint8_t) ms;
	}
	struct icmp4_repr rep = *r;
	rep.type = ICMP4W_TIMESTAMPREPLY;
	rep.code = 0;
	struct icmp4_hdr_opts ho = {.tos = rx->ip.tos, .echo_of = rx};
	s->mib->icmp4.OutTimestampReps++;
	icmp4_send(s, rx->ip.dst, rx->ip.src, &rep, data, sizeof(data), NULL, 0, &ho);
}

void icmp4_input(struct ustack *s, struct ip4_rx *rx) {
	struct icmp4_repr r;
	s->mib->icmp4.InMsgs++;
	int err = icmp4_parse(rx->payload, rx->plen, rx->loop ? ICMP4W_NOCSUM : 0, &r);
	if (err < 0) {
		s->mib->icmp4.InErrors++;
		if (err == -EBADMSG)
			s->mib->icmp4.InCsumErrors++;
		return;
	}
	switch (r.type) {
	case ICMP4W_ECHO:
		s->mib->icmp4.InEchos++;
		/* Linux icmp_echo_ignore_broadcasts=1 */
		if (rx->bcast || rx->mcast)
			return;
		{
			struct icmp4_repr rep = r;
			rep.type = ICMP4W_ECHOREPLY;
			rep.code = 0;
			/* Linux icmp_reply: the request's TOS and options */
			struct icmp4_hdr_opts ho = {.tos = rx->ip.tos, .echo_of = rx};
			s->mib->icmp4.OutEchoReps++;
			icmp4_send(s, rx->ip.dst, rx->ip.src, &rep, r.payload, r.payload_len, NULL, 0, &ho);
		}
		return;
	case ICMP4W_TIMESTAMP:
		icmp4_timestamp(s, rx, &r);
		return;
	case ICMP4W_ECHOREPLY:
		if (s->protos->echo_reply4)
			s->protos->echo_reply4(s, rx, rx->payload, rx->plen);
		return;
	default:
		if (icmp4_is_error(r.type))
			icmp4_deliver_error(s, r.type, r.code,
					(uint32_t) r.rest[0] << 24 | (uint32_t) r.rest[1] << 16 |
					(uint32_t) r.rest[2] << 8 | r.rest[3], rx->ip.src, r.payload, r.payload_len);
		return;
	}
}
