/* SPDX-License-Identifier: LGPL-2.1-or-later
 * What the ping and raw sockets share (raw/ping.c, raw/raw.c), and with
 * UDP the send path (inet_dgram_send, inet_dgram.h) and the IPv4 send
 * path's ancillary data and header fields (inet_tx_cmsg, inet_tx_init).
 * A ping or raw socket is of
 * one family, AF_INET or AF_INET6 (no IPv4-mapped addresses, as Linux's
 * ping and raw sockets), so options, names and peers follow the socket's
 * domain. */
#define _GNU_SOURCE /* struct in_pktinfo */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "../net/net.h"
#include "../net/net6.h"
#include "inet_dgram.h"
#include "sock.h"

int inet_dgram_setsockopt(struct usock *sk, int level, int name, const void *v, socklen_t len) {
	return sk->domain == AF_INET6 ? inet6_setsockopt(sk, level, name, v, len)
			: inet_setsockopt(sk, level, name, v, len);
}

int inet_dgram_getsockopt(struct usock *sk, int level, int name, void *v, socklen_t *len) {
	return sk->domain == AF_INET6 ? inet6_getsockopt(sk, level, name, v, len)
			: inet_getsockopt(sk, level, name, v, len);
}

void inet_dgram_recvcmsg(struct usock *sk, const struct pbuf *p, struct msghdr *msg, size_t cap) {
	if (sk->domain == AF_INET6)
		inet6_recvcmsg(sk, p, msg, cap);
	else
		inet_recvcmsg(sk, p, msg, cap);
}

void inet_dgram_recvname(struct usock *sk, const struct pbuf *p, struct sockaddr *a, socklen_t *len) {
	inet_put_name(sk, p, 0, a, len);
}

int inet_parse_own(struct usock *sk, const struct sockaddr *a, socklen_t len, struct inet_dst *d) {
	int err = inet_parse_addr(sk, a, len, d);
	if (err < 0)
		return err;
	if (sk->domain == AF_INET6 && !d->v6)
		return -EINVAL;
	return 0;
}

int inet_msg_dst(struct usock *sk, const struct msghdr *msg, struct inet_dst *d) {
	if (msg->msg_name)
		return inet_parse_own(sk, msg->msg_name, msg->msg_namelen, d);
	if (!sk->connected)
		return -EDESTADDRREQ;
	memset(d, 0, sizeof(*d));
	d->v6 = sk->domain == AF_INET6;
	d->a4 = sk->raddr;
	memcpy(d->a6, sk->raddr6, 16);
	return 0;
}

/* connect(AF_UNSPEC) forgets the peer: true when a is that */
static bool inet_dgram_disconnect(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	if (len < (socklen_t) sizeof(sa_family_t) || a->sa_family != AF_UNSPEC)
		return false;
	sk->connected = false;
	sk->raddr = 0;
	memset(sk->raddr6, 0, 16);
	return true;
}

int inet_dgram_connect_dst(struct usock *sk, const struct sockaddr *a, socklen_t len, struct inet_dst *d) {
	if (inet_dgram_disconnect(sk, a, len))
		return 1;
	return inet_parse_own(sk, a, len, d);
}

void inet_set_peer(struct usock *sk, const struct inet_dst *d) {
	if (d->v6) {
		memcpy(sk->raddr6, d->a6, 16);
		sk->raddr_is6 = true;
	} else
		sk->raddr = d->a4;
	sk->connected = true;
}

static void put_name(struct sockaddr *a, socklen_t *len, const void *name, socklen_t size) {
	memcpy(a, name, *len < size ? *len : size);
	*len = size;
}

int inet_dgram_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer, uint16_t lport) {
	if (peer && !sk->connected)
		return -ENOTCONN;
	if (sk->domain == AF_INET6) {
		struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = peer ? 0 : lport};
		memcpy(s6.sin6_addr.s6_addr, peer ? sk->raddr6 : sk->laddr6, 16);
		put_name(a, len, &s6, sizeof(s6));
		return 0;
	}
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = peer ? 0 : lport,
		.sin_addr.s_addr = peer ? sk->raddr : sk->laddr};
	put_name(a, len, &sin, sizeof(sin));
	return 0;
}

/* IPv4's ancillary data (Linux ip_cmsg_send; api.c has checked each
 * message's length and range): IP_PKTINFO's source and interface, IP_TTL
 * and IP_TOS for this datagram only. */
static void inet_tx_cmsg(const struct msghdr *msg, struct inet_dgram_tx *u) {
	for (struct cmsghdr *c = msg->msg_control ? CMSG_FIRSTHDR(msg) : NULL; c;
			c = CMSG_NXTHDR((struct msghdr *) msg, c)) {
		if (c->cmsg_level != IPPROTO_IP)
			continue;
		if (c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			if (pi.ipi_ifindex)
				u->oif4 = pi.ipi_ifindex;
			if (pi.ipi_spec_dst.s_addr)
				u->src4 = pi.ipi_spec_dst.s_addr;
		} else if (c->cmsg_type == IP_TTL && c->cmsg_len == CMSG_LEN(sizeof(int))) {
			int v;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			if (v >= 1 && v <= 255)
				u->ttl4 = v;
		} else if (c->cmsg_type == IP_TOS) {
			int v = -1;
			if (c->cmsg_len == CMSG_LEN(sizeof(uint8_t)))
				v = *(const uint8_t *) CMSG_DATA(c);
			else if (c->cmsg_len == CMSG_LEN(sizeof(int)))
				memcpy(&v, CMSG_DATA(c), sizeof(v));
			if (v >= 0 && v <= 255)
				u->tos4 = v;
		}
	}
}

void inet_tx_init(const struct usock *sk, uint32_t src, uint32_t dst, uint8_t proto, struct ip4_tx *tx) {
	*tx = (struct ip4_tx){
		.src = src,
		.dst = dst,
		.proto = proto,
		.ttl = (uint8_t) (ipv4_is_multicast(dst) ? sk->mc_ttl : (sk->ttl < 0 ? 64 : sk->ttl)),
		.tos = (uint8_t) sk->tos,
		.allow_bcast = sk->broadcast,
		.mc_loop = sk->mc_loop,
	};
}

/* --- the send path: each family's steps, then the one sequence --- */

static int dgram4_prepare(struct usock *sk, const struct msghdr *msg, const struct inet_dgram_proto *pr,
		struct inet_dgram_tx *u) {
	u->dst4 = u->d->a4;
	u->src4 = sk->laddr;
	u->oif4 = sk->bound_if;
	u->ttl4 = u->tos4 = -1;
	inet_tx_cmsg(msg, u);
	if (u->dst4 == 0 && pr->any_is_local)
		u->dst4 = htonl(INADDR_LOOPBACK);
	if (ipv4_is_multicast(u->dst4) && !u->oif4)
		u->oif4 = sk->mc_if;
	return 0;
}

static int dgram6_prepare(struct usock *sk, const struct msghdr *msg, const struct inet_dgram_proto *pr,
		struct inet_dgram_tx *u) {
	memcpy(u->dst6, u->d->a6, 16);
	if (ip6_addr_is_unspecified(u->dst6) && pr->any_is_local)
		u->dst6[15] = 1;
	inet6_tx_init(sk, u->dst6, u->d->scope, &u->t6);
	return inet6_tx_cmsg(sk, msg, &u->t6);
}

/* the route, and from it the source when none was chosen (Linux: the
 * IP_MULTICAST_IF address toward a group) */
static int dgram_route(struct usock *sk, const struct inet_dgram_proto *pr, struct inet_dgram_tx *u) {
	struct ustack *s = sk->s;
	if (u->d->v6) {
		int err = route6_lookup(s, u->dst6, u->t6.oif, &u->rt6);
		if (err < 0) {
			if (pr->count_noroute)
				s->mib->ip6.OutNoRoutes++;
			return err;
		}
		return 0;
	}
	int err = route4_lookup(s, u->dst4, u->oif4, &u->rt4);
	if (err < 0) {
		if (pr->count_noroute)
			s->mib->ip4.OutNoRoutes++;
		return err;
	}
	/* Linux: refused at the route, before the port or any counter */
	if (u->rt4.bcast && !sk->broadcast)
		return -EACCES;
	return 0;
}

static void dgram_source(struct usock *sk, struct inet_dgram_tx *u) {
	if (u->d->v6) {
		if (ip6_addr_is_unspecified(u->t6.src))
			memcpy(u->t6.src, u->rt6.src, 16);
	} else if (u->src4 == 0) {
		u->src4 = (ipv4_is_multicast(u->dst4) && sk->mc_addr) ? sk->mc_addr : u->rt4.src;
	}
}

static int dgram4_output(struct usock *sk, const struct inet_dgram_proto *pr, struct inet_dgram_tx *u,
		struct pbuf *p, uint8_t proto) {
	struct ustack *s = sk->s;
	struct ip4_tx tx;
	inet_tx_init(sk, u->src4, u->dst4, proto, &tx);
	if (u->ttl4 >= 0)
		tx.ttl = (uint8_t) u->ttl4;
	if (u->tos4 >= 0)
		tx.tos = (uint8_t) u->tos4;
	/* PROBE, INTERFACE, OMIT: the interface's MTU, not the path's */
	if (pr->pmtu_local && sk->mtu_discover >= IP_PMTUDISC_PROBE)
		u->rt4.mtu = u->rt4.ifp->mtu;
	/* Linux's IP_PMTUDISC_WANT default: DF only on what fits unfragmented */
	uint32_t mtu = ip4_route_mtu(&u->rt4);
	tx.df = ip4_want_df(sk->mtu_discover, p->len + IPV4W_HLEN, mtu);
	if (pr->pmtu_local && sk->mtu_discover >= IP_PMTUDISC_DO && p->len + IPV4W_HLEN > mtu) {
		pbuf_free(&s->pc, p);
		/* Linux ip_local_error, with IP_RECVERR */
		if (sk->recverr)
			sock_queue_local_err(sk, EMSGSIZE, false, (const uint8_t *) &u->dst4, u->d->port, mtu);
		return -EMSGSIZE;
	}
	return ip4_output_route(s, p, &tx, &u->rt4);
}

static int dgram6_output(struct usock *sk, const struct inet_dgram_proto *pr, struct inet_dgram_tx *u,
		struct pbuf *p, uint8_t proto) {
	struct ustack *s = sk->s;
	struct ip6_tx tx = {
		.src = u->t6.src,
		.dst = u->dst6,
		.proto = proto,
		.hlim = (uint8_t) u->t6.hlim,
		.hlim_default = u->t6.hlim_default,
		.tclass = (uint8_t) u->t6.tclass,
		.oif = u->t6.oif,
		.mc_loop = sk->mc_loop6,
		.dontfrag = pr->pmtu_local && sk->mtu_discover6 >= IPV6_PMTUDISC_DO,
	};
	if (pr->pmtu_local && sk->mtu_discover6 >= IPV6_PMTUDISC_PROBE)
		u->rt6.mtu = ip6_if_mtu(u->rt6.ifp);
	if (tx.dontfrag && p->len + IP6_HDR_LEN > u->rt6.mtu) {
		uint32_t mtu = u->rt6.mtu;
		pbuf_free(&s->pc, p);
		/* Linux ipv6_local_error, with IPV6_RECVERR */
		if (sk->recverr6)
			sock_queue_local_err(sk, EMSGSIZE, true, u->dst6, u->d->port, mtu);
		return -EMSGSIZE;
	}
	return ip6_output_route(s, p, &tx, &u->rt6);
}

ssize_t inet_dgram_send(struct usock *sk, const struct msghdr *msg, size_t len, const struct inet_dst *d,
		const struct inet_dgram_proto *pr) {
	struct ustack *s = sk->s;
	struct inet_dgram_tx u = {.d = d, .len = len};
	int err = pr->check(sk, d->v6, len);
	if (err == 0)
		err = d->v6 ? dgram6_prepare(sk, msg, pr, &u) : dgram4_prepare(sk, msg, pr, &u);
	if (err == 0)
		err = dgram_route(sk, pr, &u);
	if (err == 0 && pr->bind && !sk->bound)
		err = pr->bind(sk);
	if (err < 0)
		return err;
	dgram_source(sk, &u);
	struct pbuf *p = pbuf_alloc(&s->pc, pr->hlen + len, PBUF_HEADROOM);
	if (p == NULL)
		return -ENOBUFS;
	sock_copy_from_iov(p->data + pr->hlen, msg, len);
	if ((err = pr->build(sk, &u, p)) < 0) {
		pbuf_free(&s->pc, p);
		return err;
	}
	uint8_t proto = pr->proto ? pr->proto : (uint8_t) sk->protocol;
	err = d->v6 ? dgram6_output(sk, pr, &u, p, proto) : dgram4_output(sk, pr, &u, p, proto);
	return err < 0 ? err : (ssize_t) len;
}
