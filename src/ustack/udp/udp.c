/* SPDX-License-Identifier: LGPL-2.1-or-later
 * UDP over IPv4 and IPv6 (RFC 768, RFC 1122 4.1, RFC 8085, RFC 8200 8.1):
 * sockets, one port table for both families, input demux, ICMP errors.
 * AF_INET6 sockets are dual stack unless IPV6_V6ONLY: IPv4 peers appear
 * as IPv4-mapped addresses (RFC 3493 3.7). Linux's choices: ephemeral
 * ports 32768-60999, SO_REUSEADDR lets every socket of a port bind,
 * broadcast and multicast reach every socket bound to the port, errors
 * reach connected sockets. */
#define _GNU_SOURCE /* struct in6_pktinfo */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../link/link.h"
#include "../net/net.h"
#include "../net/net6.h"
#include "../net/proto.h"
#include "../socket/inet_dgram.h"
#include "../socket/sock.h"
#include "../wire/checksum.h"
#include "../wire/udp.h"
#include "udp.h"

#define UDP_MAX_PAYLOAD (65535 - 20 - 8)

static unsigned hash_port(uint16_t port_be) {
	return (unsigned) (ntohs(port_be) & (UDP_PORT_HASH - 1));
}

static void udp_hash(struct usock *sk) {
	unsigned h = hash_port(sk->lport);
	sk->pnext = sk->s->udp->hash[h];
	sk->s->udp->hash[h] = sk;
}

static void udp_unhash(struct usock *sk) {
	if (!sk->bound)
		return;
	for (struct usock **pp = &sk->s->udp->hash[hash_port(sk->lport)]; *pp; pp = &(*pp)->pnext)
		if (*pp == sk) {
			*pp = sk->pnext;
			break;
		}
	sk->bound = false;
}

static bool any6(const uint8_t *a) {
	return ip6_addr_is_unspecified(a);
}

/* Which families a socket takes (dual stack: RFC 3493 3.7). A socket
 * bound to a real IPv6 address or connected to an IPv6 peer is IPv6 only;
 * one bound or connected to an IPv4(-mapped) address is IPv4 only. */
static bool sk_v4ok(const struct usock *sk) {
	if (sk->domain == AF_INET)
		return true;
	return !sk->v6only && any6(sk->laddr6) && !(sk->connected && sk->raddr_is6);
}

static bool sk_v6ok(const struct usock *sk) {
	return sk->domain == AF_INET6 && sk->laddr == 0 && !(sk->connected && !sk->raddr_is6);
}

/* May sk bind this address and port? Linux udp_lib_lport_inuse: the
 * bindings overlap in a family both take, with equal or wildcard
 * addresses, and not both sockets allow sharing. */
static bool port_conflict(struct usock *sk, bool v4, uint32_t a4, bool v6, const uint8_t *a6, uint16_t port) {
	for (struct usock *o = sk->s->udp->hash[hash_port(port)]; o; o = o->pnext) {
		if (o == sk || o->lport != port)
			continue;
		bool clash = false;
		if (v4 && sk_v4ok(o) && (!o->laddr || !a4 || o->laddr == a4))
			clash = true;
		if (v6 && sk_v6ok(o) && (any6(o->laddr6) || any6(a6) || ip6_eq(o->laddr6, a6)))
			clash = true;
		if (!clash)
			continue;
		if (o->bound_if && sk->bound_if && o->bound_if != sk->bound_if)
			continue;
		if (o->reuseaddr && sk->reuseaddr)
			continue;
		if (o->reuseport && sk->reuseport)
			continue;
		return true;
	}
	return false;
}

static bool sk_conflict(struct usock *sk, uint16_t port) {
	return port_conflict(sk, sk_v4ok(sk), sk->laddr, sk_v6ok(sk), sk->laddr6, port);
}

static int udp_autobind(struct usock *sk) {
	struct ustack *s = sk->s;
	for (int i = 0; i < INET_PORT_COUNT; i++) {
		uint16_t port = inet_port_next(&s->udp->next_port);
		if (!sk_conflict(sk, htons(port))) {
			sk->lport = htons(port);
			sk->bound = true;
			udp_hash(sk);
			return 0;
		}
	}
	return -EAGAIN;  /* Linux: no free ephemeral port */
}

static int udp_bind(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	struct inet_dst d;
	int err;
	if ((err = inet_bind_parse(sk, a, len, &d)) < 0)
		return err;
	if (sk->bound)
		return -EINVAL;
	if ((err = inet_bind_check(sk, &d, true, &sk->bound_if)) < 0)
		return err;
	uint32_t a4 = d.v6 ? 0 : d.a4;
	uint8_t a6[16] = {0};
	if (d.v6)
		memcpy(a6, d.a6, 16);
	uint32_t save4 = sk->laddr;
	uint8_t save6[16];
	memcpy(save6, sk->laddr6, 16);
	sk->laddr = a4;
	memcpy(sk->laddr6, a6, 16);
	if (d.port == 0)
		err = udp_autobind(sk);
	else if (sk_conflict(sk, d.port))
		err = -EADDRINUSE;
	else {
		sk->lport = d.port;
		sk->bound = true;
		udp_hash(sk);
		err = 0;
	}
	if (err < 0) {
		sk->laddr = save4;
		memcpy(sk->laddr6, save6, 16);
	}
	return err;
}

/* An AF_INET address given to an AF_INET6 datagram socket: Linux treats it
 * as the IPv4-mapped one (connect: EAFNOSUPPORT, sendto: ENETUNREACH when
 * the socket is IPV6_V6ONLY). 1: d filled; 0: not such an address. */
static int udp_v4_on_v6(struct usock *sk, const struct sockaddr *a, socklen_t len, struct inet_dst *d,
		int v6only_err) {
	if (sk->domain != AF_INET6 || len < (socklen_t) sizeof(sa_family_t) || a->sa_family != AF_INET)
		return 0;
	if (sk->v6only)
		return v6only_err;
	if (len < (socklen_t) sizeof(struct sockaddr_in))
		return -EINVAL;
	const struct sockaddr_in *sin = (const struct sockaddr_in *) a;
	memset(d, 0, sizeof(*d));
	d->a4 = sin->sin_addr.s_addr;
	d->port = sin->sin_port;
	return 1;
}

static int udp_connect(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	if (len >= (socklen_t) sizeof(sa_family_t) && a->sa_family == AF_UNSPEC) {
		/* dissolve the association (Linux udp_disconnect) */
		sk->raddr = 0;
		memset(sk->raddr6, 0, 16);
		sk->rport = 0;
		sk->connected = false;
		sk->raddr_is6 = false;
		return 0;
	}
	struct inet_dst d;
	int err = udp_v4_on_v6(sk, a, len, &d, -EAFNOSUPPORT);
	if (err == 0)
		err = inet_parse_addr(sk, a, len, &d);
	if (err < 0)
		return err;
	if (d.v6) {
		uint8_t dst[16];
		memcpy(dst, d.a6, 16);
		if (any6(dst))
			dst[15] = 1;  /* Linux: :: means this host */
		int oif = sk->bound_if ? sk->bound_if : (int) d.scope;
		if (!oif && ip6_addr_is_multicast(dst))
			oif = sk->mc_if6;
		struct ip6_route_res rt;
		err = route6_lookup(sk->s, dst, oif, &rt);
		if (err < 0)
			return err;
		if (!sk->bound && (err = udp_autobind(sk)) < 0)
			return err;
		if (any6(sk->laddr6))
			memcpy(sk->laddr6, rt.src, 16);
		memcpy(sk->raddr6, dst, 16);
		sk->rport = d.port;
		sk->raddr_is6 = true;
		sk->connected = true;
		return 0;
	}
	uint32_t dst = d.a4;
	if (dst == 0)
		dst = htonl(INADDR_LOOPBACK);  /* Linux: connecting to 0.0.0.0 is to this host */
	struct ip4_route_res rt;
	int oif = sk->bound_if ? sk->bound_if : (ipv4_is_multicast(dst) ? sk->mc_if : 0);
	err = route4_lookup(sk->s, dst, oif, &rt);
	if (err < 0)
		return err;
	if (rt.bcast && !sk->broadcast)
		return -EACCES;
	if (!sk->bound && (err = udp_autobind(sk)) < 0)
		return err;
	if (sk->laddr == 0)
		sk->laddr = rt.src;  /* Linux fixes the source on connect */
	sk->raddr = dst;
	sk->rport = d.port;
	sk->raddr_is6 = false;
	sk->connected = true;
	return 0;
}

/* --- output: the inet datagram send path (socket/inet_dgram.c) with
 * UDP's header, limits and port --- */

static int udp_size_check(struct usock *sk, bool v6, size_t len) {
	(void) sk;
	return len > (v6 ? 65535 - UDPW_HLEN : UDP_MAX_PAYLOAD) ? -EMSGSIZE : 0;
}

static int udp_build(struct usock *sk, struct inet_dgram_tx *u, struct pbuf *p) {
	struct udp_repr h = {.sport = ntohs(sk->lport), .dport = ntohs(u->d->port)};
	if (u->d->v6) {
		/* RFC 8200 8.1: the checksum is mandatory, on lo too */
		udp_emit(&h, p->data, p->len, csum_pseudo6(u->t6.src, u->dst6, IPPROTO_UDP, (uint32_t) p->len), 0);
	} else {
		bool lo = u->rt4.ifp->type == ARPHRD_LOOPBACK_VALUE;
		udp_emit(&h, p->data, p->len, csum_pseudo4(&u->src4, &u->dst4, IPPROTO_UDP, (uint32_t) p->len), lo);
	}
	return 0;
}

static const struct inet_dgram_proto udp_dgram = {
	.proto = IPPROTO_UDP,
	.hlen = UDPW_HLEN,
	.any_is_local = true,
	.count_noroute = true,
	.pmtu_local = true,
	.check = udp_size_check,
	.bind = udp_autobind,
	.build = udp_build,
};

static ssize_t udp_send(struct usock *sk, const struct msghdr *msg, size_t len, const struct inet_dst *d) {
	ssize_t n = inet_dgram_send(sk, msg, len, d, &udp_dgram);
	if (n >= 0)
		sk->s->udp->OutDatagrams++;
	return n;
}

static ssize_t udp_sendmsg(struct usock *sk, const struct msghdr *msg, size_t len, int flags) {
	struct inet_dst d = {0};
	if (msg->msg_name && !(msg->msg_namelen >= (socklen_t) sizeof(sa_family_t) &&
			((const struct sockaddr *) msg->msg_name)->sa_family == AF_UNSPEC && sk->connected)) {
		int err = udp_v4_on_v6(sk, msg->msg_name, msg->msg_namelen, &d, -ENETUNREACH);
		if (err == 0)
			err = inet_parse_addr(sk, msg->msg_name, msg->msg_namelen, &d);
		if (err < 0)
			return err;
		if (d.port == 0)
			return -EINVAL;
	} else {
		if (!sk->connected)
			return -EDESTADDRREQ;
		d.v6 = sk->raddr_is6;
		d.a4 = sk->raddr;
		memcpy(d.a6, sk->raddr6, 16);
		d.port = sk->rport;
	}
	return udp_send(sk, msg, len, &d);
}

static void udp_recvname(struct usock *sk, const struct pbuf *p, struct sockaddr *a, socklen_t *len) {
	inet_put_name(sk, p, p->m.sport, a, len);
}

static int udp_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer) {
	if (peer && !sk->connected)
		return -ENOTCONN;
	if (sk->domain == AF_INET) {
		struct sockaddr_in sin = {.sin_family = AF_INET};
		sin.sin_addr.s_addr = peer ? sk->raddr : sk->laddr;
		sin.sin_port = peer ? sk->rport : sk->lport;
		socklen_t n = *len < (socklen_t) sizeof(sin) ? *len : (socklen_t) sizeof(sin);
		memcpy(a, &sin, n);
		*len = sizeof(sin);
		return 0;
	}
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = peer ? sk->rport : sk->lport};
	bool v6 = peer ? sk->raddr_is6 : sk->laddr == 0;
	if (v6)
		memcpy(s6.sin6_addr.s6_addr, peer ? sk->raddr6 : sk->laddr6, 16);
	else {
		uint32_t a4 = peer ? sk->raddr : sk->laddr;
		s6.sin6_addr.s6_addr[10] = s6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(s6.sin6_addr.s6_addr + 12, &a4, 4);
	}
	socklen_t n = *len < (socklen_t) sizeof(s6) ? *len : (socklen_t) sizeof(s6);
	memcpy(a, &s6, n);
	*len = sizeof(s6);
	return 0;
}

static void udp_release(struct usock *sk) {
	udp_unhash(sk);
	inet_release_memberships(sk);
}

static const struct proto_ops udp_ops = {
	.bind = udp_bind,
	.connect = udp_connect,
	.sendmsg = udp_sendmsg,
	.recvname = udp_recvname,
	.getname = udp_getname,
	.release = udp_release,
	INET_DGRAM_OPS,
};

int udp_sock_init(struct usock *sk) {
	sk->ops = &udp_ops;
	return 0;
}

/* A received datagram of either family, as UDP's socket lookup sees it:
 * the addresses are 4 or 16 bytes (network order). */
struct udp_in {
	struct netif *ifp;
	bool v6;
	bool group;                   /* IPv4 broadcast or multicast, IPv6 multicast */
	bool any_if;                  /* a SO_BINDTODEVICE socket takes it on any interface */
	const uint8_t *src, *dst;
	const struct ip4_rx *rx4;     /* the one of its family */
	const struct ip6_rx *rx6;
};

static bool fam_ok(const struct usock *sk, bool v6) {
	return v6 ? sk_v6ok(sk) : sk_v4ok(sk);
}

/* is the socket's local address bound (not the wildcard), and is it a? */
static bool laddr_bound(const struct usock *sk, bool v6) {
	return v6 ? !any6(sk->laddr6) : sk->laddr != 0;
}

static bool laddr_is(const struct usock *sk, bool v6, const uint8_t *a) {
	return v6 ? ip6_eq(sk->laddr6, a) : memcmp(&sk->laddr, a, 4) == 0;
}

/* an unconnected socket takes any peer; a connected one its peer only */
static bool peer_ok(const struct usock *sk, bool v6, const uint8_t *a, uint16_t port) {
	if (!sk->connected)
		return true;
	return sk->rport == port && (v6 ? ip6_eq(sk->raddr6, a) : memcmp(&sk->raddr, a, 4) == 0);
}

/* Linux compute_score, simplified: a socket matches when each of its bound
 * fields equals the datagram's; more bound fields, better match. */
static int udp_score(const struct usock *sk, const struct udp_in *in, uint16_t sport, uint16_t dport) {
	if (sk->lport != dport || !fam_ok(sk, in->v6))
		return -1;
	int score = 1;
	if (laddr_bound(sk, in->v6)) {
		if (!laddr_is(sk, in->v6, in->dst))
			return -1;
		score += 4;
	}
	if (sk->connected) {
		if (!peer_ok(sk, in->v6, in->src, sport))
			return -1;
		score += 4;
	}
	if (sk->bound_if) {
		if (sk->bound_if != in->ifp->index && !in->any_if)
			return -1;
		score += 4;
	}
	return score;
}

static void udp_deliver(struct usock *sk, const struct udp_in *in, const struct udp_repr *u) {
	struct ustack *s = sk->s;
	struct pbuf *p = pbuf_alloc(&s->pc, u->payload_len, 0);
	if (p == NULL) {
		s->udp->RcvbufErrors++;
		return;
	}
	memcpy(p->data, u->payload, u->payload_len);
	if (in->v6) {
		p->m.v6 = 1;
		memcpy(p->m.saddr6, in->rx6->ip.src, 16);
		memcpy(p->m.daddr6, in->rx6->ip.dst, 16);
		p->m.ttl = in->rx6->ip.hop_limit;
	} else {
		p->m.saddr = in->rx4->ip.src;
		p->m.daddr = in->rx4->ip.dst;
		p->m.ttl = in->rx4->ip.ttl;
		p->m.tos = in->rx4->ip.tos;
	}
	p->m.sport = htons(u->sport);
	p->m.ifindex = in->ifp->index;
	if (sock_queue_rx(sk, p) < 0) {
		s->udp->RcvbufErrors++;
		s->udp->InErrors++;
		return;
	}
	s->udp->InDatagrams++;
}

/* The sockets of a checked datagram: every matching one for a group
 * (Linux __udp4_lib_mcast_deliver / __udp6_lib_mcast_deliver: multicast
 * to every socket of the port, ip_multicast_all being Linux's default 1),
 * else the best match, or a port unreachable. */
static void udp_demux(struct ustack *s, const struct udp_in *in, const struct udp_repr *u) {
	uint16_t sport = htons(u->sport), dport = htons(u->dport);
	if (in->group) {
		int n = 0;
		for (struct usock *sk = s->udp->hash[hash_port(dport)]; sk; sk = sk->pnext) {
			if (sk->lport != dport || !fam_ok(sk, in->v6))
				continue;
			if (laddr_bound(sk, in->v6) && !laddr_is(sk, in->v6, in->dst))
				continue;
			if (!peer_ok(sk, in->v6, in->src, sport))
				continue;
			if (sk->bound_if && sk->bound_if != in->ifp->index)
				continue;
			udp_deliver(sk, in, u);
			n++;
		}
		if (n == 0)
			s->udp->NoPorts++;
		return;
	}
	struct usock *best = NULL;
	int best_score = -1;
	for (struct usock *sk = s->udp->hash[hash_port(dport)]; sk; sk = sk->pnext) {
		int sc = udp_score(sk, in, sport, dport);
		if (sc > best_score) {
			best = sk;
			best_score = sc;
		}
	}
	if (best == NULL) {
		s->udp->NoPorts++;
		/* RFC 1122 4.1.3.1, RFC 4443 3.1: port unreachable */
		if (in->v6)
			icmp6_send_error(s, in->rx6, 1, 4, 0);
		else
			icmp4_send_error(s, in->rx4, 3, 3, 0);
		return;
	}
	udp_deliver(best, in, u);
}

void udp4_input(struct ustack *s, struct ip4_rx *rx) {
	struct udp_repr u;
	if (udp_parse(rx->payload, rx->plen, &u) < 0) {
		s->udp->InErrors++;
		return;
	}
	if (!rx->loop) {
		uint32_t pseudo = csum_pseudo4(&rx->ip.src, &rx->ip.dst, IPPROTO_UDP, u.len);
		if (udp_verify(rx->payload, u.len, pseudo, 1) < 0) {
			s->udp->InCsumErrors++;
			s->udp->InErrors++;
			return;
		}
	}
	struct udp_in in = {.ifp = rx->ifp, .group = rx->bcast || rx->mcast,
		.any_if = rx->loop && rx->ifp->type == ARPHRD_LOOPBACK_VALUE,
		.src = (const uint8_t *) &rx->ip.src, .dst = (const uint8_t *) &rx->ip.dst, .rx4 = rx};
	udp_demux(s, &in, &u);
}

void udp6_input(struct ustack *s, struct ip6_rx *rx) {
	struct udp_repr u;
	if (udp_parse(rx->payload, rx->plen, &u) < 0) {
		s->udp->InErrors++;
		return;
	}
	/* RFC 8200 8.1: a zero checksum is an error on IPv6 */
	if (udp_verify(rx->payload, u.len, csum_pseudo6(rx->ip.src, rx->ip.dst, IPPROTO_UDP, u.len), 0) < 0) {
		s->udp->InCsumErrors++;
		s->udp->InErrors++;
		return;
	}
	struct udp_in in = {.ifp = rx->ifp, .v6 = true, .group = rx->mcast, .any_if = rx->loop,
		.src = rx->ip.src, .dst = rx->ip.dst, .rx6 = rx};
	udp_demux(s, &in, &u);
}

/* An ICMP error about a datagram we sent from src:sport to dst:dport, its
 * UDP payload quoted at data (Linux __udp4_lib_err / __udp6_lib_err). */
static void udp_err(struct ustack *s, const struct icmp_err *e, bool v6, const uint8_t *src,
		const uint8_t *dst, const uint8_t *data) {
	uint16_t sport, dport;
	memcpy(&sport, data - 8, 2);
	memcpy(&dport, data - 6, 2);
	for (struct usock *sk = s->udp->hash[hash_port(sport)]; sk; sk = sk->pnext) {
		if (sk->lport != sport || !fam_ok(sk, v6))
			continue;
		if (laddr_bound(sk, v6) && !laddr_is(sk, v6, src))
			continue;
		if (!peer_ok(sk, v6, dst, dport))
			continue;
		/* "fragmentation needed" / "packet too big" only updates the path
		 * MTU for a socket that does not discover it */
		if (e->err == EMSGSIZE && (v6 ? sk->mtu_discover6 == IPV6_PMTUDISC_DONT
				: sk->mtu_discover == IP_PMTUDISC_DONT))
			return;
		/* without IP_RECVERR only a connected socket hears about it
		 * (RFC 1122 4.1.3.3 leaves it to the application); with it the
		 * error is queued with the quoted payload */
		if (v6 ? sk->recverr6 : sk->recverr)
			sock_queue_err(sk, e, data, e->len - (size_t) (data - e->inner), dport);
		else if (sk->connected)
			sock_set_error(sk, e->err);
		return;
	}
}

void udp4_err(struct ustack *s, const struct icmp_err *e) {
	const uint8_t *inner = e->inner;
	size_t hl = (size_t) (inner[0] & 0xf) * 4;
	if (e->len < hl + 8)
		return;
	udp_err(s, e, false, inner + 12, inner + 16, inner + hl + 8);
}

void udp6_err(struct ustack *s, const struct icmp_err *e) {
	if (e->len < 40 + 8)
		return;
	udp_err(s, e, true, e->inner + 8, e->inner + 24, e->inner + 48);
}

static const struct sock_proto udp_protos[] = {
	{AF_INET, SOCK_DGRAM, 0, udp_sock_init},
	{AF_INET, SOCK_DGRAM, IPPROTO_UDP, udp_sock_init},
	{AF_INET6, SOCK_DGRAM, 0, udp_sock_init},
	{AF_INET6, SOCK_DGRAM, IPPROTO_UDP, udp_sock_init},
};

int udp_register(struct ustack *s) {
	s->udp = calloc(1, sizeof(*s->udp));
	if (s->udp == NULL)
		return -ENOMEM;
	s->udp->next_port = inet_port_seed(s);
	ip4_proto_register(s, IPPROTO_UDP, udp4_input, udp4_err);
	ip6_proto_register(s, IP6_NH_UDP, udp6_input, udp6_err);
	return sock_proto_register(s, udp_protos, sizeof(udp_protos) / sizeof(udp_protos[0]));
}
