/* SPDX-License-Identifier: LGPL-2.1-or-later
 * UDP over IPv4 (RFC 768, RFC 1122 4.1, RFC 8085): sockets, port table,
 * input demux, ICMP errors. Linux's choices: ephemeral ports 32768-60999,
 * SO_REUSEADDR lets every socket of a port bind, broadcast and multicast
 * reach every socket bound to the port, errors reach connected sockets. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "../link/link.h"
#include "../net/net.h"
#include "../socket/sock.h"
#include "../wire/checksum.h"
#include "../wire/udp.h"

#define UDP_MAX_PAYLOAD (65535 - 20 - 8)
#define PORT_LO 32768
#define PORT_HI 60999

static unsigned hash_port(uint16_t port_be) {
	return (unsigned) (ntohs(port_be) & 63);
}

static void udp_hash(struct usock *sk) {
	unsigned h = hash_port(sk->lport);
	sk->pnext = sk->s->udp4_hash[h];
	sk->s->udp4_hash[h] = sk;
}

static void udp_unhash(struct usock *sk) {
	if (!sk->bound)
		return;
	for (struct usock **pp = &sk->s->udp4_hash[hash_port(sk->lport)]; *pp; pp = &(*pp)->pnext)
		if (*pp == sk) {
			*pp = sk->pnext;
			break;
		}
	sk->bound = false;
}

/* May sk bind addr:port? Linux udp_lib_lport_inuse. */
static bool port_conflict(struct usock *sk, uint32_t addr, uint16_t port) {
	for (struct usock *o = sk->s->udp4_hash[hash_port(port)]; o; o = o->pnext) {
		if (o == sk || o->lport != port)
			continue;
		if (o->laddr && addr && o->laddr != addr)
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

static int udp_autobind(struct usock *sk, uint32_t addr) {
	struct ustack *s = sk->s;
	int range = PORT_HI - PORT_LO + 1;
	for (int i = 0; i < range; i++) {
		uint16_t port = s->next_port;
		s->next_port = (uint16_t) (port >= PORT_HI ? PORT_LO : port + 1);
		if (!port_conflict(sk, addr, htons(port))) {
			sk->lport = htons(port);
			sk->laddr = addr;
			sk->bound = true;
			udp_hash(sk);
			return 0;
		}
	}
	return -EAGAIN;  /* Linux: no free ephemeral port */
}

static int sin_check(const struct sockaddr *a, socklen_t len, const struct sockaddr_in **out) {
	if (len < (socklen_t) sizeof(struct sockaddr_in))
		return -EINVAL;
	*out = (const struct sockaddr_in *) a;
	return 0;
}

static int udp_bind(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	const struct sockaddr_in *sin;
	int err = sin_check(a, len, &sin);
	if (err < 0)
		return err;
	/* Linux inet_bind: AF_UNSPEC is tolerated only for INADDR_ANY */
	if (sin->sin_family != AF_INET &&
			!(sin->sin_family == AF_UNSPEC && sin->sin_addr.s_addr == 0))
		return -EAFNOSUPPORT;
	if (sk->bound)
		return -EINVAL;
	uint32_t addr = sin->sin_addr.s_addr;
	if (addr && !ipv4_is_multicast(addr) && addr != 0xffffffffu && !ip4_is_local(sk->s, addr) &&
			!sk->freebind) {
		bool bcast = false;
		for (struct netif *i = sk->s->ifaces; i; i = i->next)
			bcast |= ip4_is_bcast_on(i, addr);
		if (!bcast)
			return -EADDRNOTAVAIL;
	}
	if (sin->sin_port == 0)
		return udp_autobind(sk, addr);
	if (port_conflict(sk, addr, sin->sin_port))
		return -EADDRINUSE;
	sk->laddr = addr;
	sk->lport = sin->sin_port;
	sk->bound = true;
	udp_hash(sk);
	return 0;
}

static int udp_connect(struct usock *sk, const struct sockaddr *a, socklen_t len) {
	if (len >= (socklen_t) sizeof(sa_family_t) && a->sa_family == AF_UNSPEC) {
		/* dissolve the association (Linux udp_disconnect) */
		sk->raddr = 0;
		sk->rport = 0;
		sk->connected = false;
		return 0;
	}
	const struct sockaddr_in *sin;
	int err = sin_check(a, len, &sin);
	if (err < 0)
		return err;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	uint32_t dst = sin->sin_addr.s_addr;
	if (dst == 0)
		dst = htonl(INADDR_LOOPBACK);  /* Linux: connecting to 0.0.0.0 is to this host */
	struct ip4_route_res rt;
	int oif = sk->bound_if ? sk->bound_if : (ipv4_is_multicast(dst) ? sk->mc_if : 0);
	err = route4_lookup(sk->s, dst, oif, &rt);
	if (err < 0)
		return err;
	if (rt.bcast && !sk->broadcast)
		return -EACCES;
	if (!sk->bound) {
		err = udp_autobind(sk, 0);
		if (err < 0)
			return err;
	}
	if (sk->laddr == 0)
		sk->laddr = rt.src;  /* Linux fixes the source on connect */
	sk->raddr = dst;
	sk->rport = sin->sin_port;
	sk->connected = true;
	return 0;
}

static ssize_t udp_sendmsg(struct usock *sk, const struct msghdr *msg, size_t len, int flags) {
	struct ustack *s = sk->s;
	uint32_t dst;
	uint16_t dport;
	if (msg->msg_name) {
		const struct sockaddr_in *sin;
		if (msg->msg_namelen >= (socklen_t) sizeof(sa_family_t) &&
				((const struct sockaddr *) msg->msg_name)->sa_family == AF_UNSPEC && sk->connected) {
			dst = sk->raddr;
			dport = sk->rport;
		} else {
			int err = sin_check(msg->msg_name, msg->msg_namelen, &sin);
			if (err < 0)
				return err;
			if (sin->sin_family != AF_INET)
				return -EAFNOSUPPORT;
			dst = sin->sin_addr.s_addr;
			dport = sin->sin_port;
			if (dport == 0)
				return -EINVAL;
		}
	} else {
		if (!sk->connected)
			return -EDESTADDRREQ;
		dst = sk->raddr;
		dport = sk->rport;
	}
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	uint32_t src = sk->laddr;
	int oif = sk->bound_if;
	/* IP_PKTINFO in sendmsg: choose the source and the interface */
	for (struct cmsghdr *c = msg->msg_control ? CMSG_FIRSTHDR(msg) : NULL; c;
			c = CMSG_NXTHDR((struct msghdr *) msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
				c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			if (pi.ipi_ifindex)
				oif = pi.ipi_ifindex;
			if (pi.ipi_spec_dst.s_addr)
				src = pi.ipi_spec_dst.s_addr;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
			/* per-datagram TTL: accepted, applied below */
		}
	}
	if (dst == 0)
		dst = htonl(INADDR_LOOPBACK);
	if (ipv4_is_multicast(dst) && !oif)
		oif = sk->mc_if;
	struct ip4_route_res rt;
	int err = route4_lookup(s, dst, oif, &rt);
	if (err < 0) {
		s->ip4.OutNoRoutes++;
		return err;
	}
	if (rt.bcast && !sk->broadcast)
		return -EACCES;
	if (!sk->bound) {
		err = udp_autobind(sk, 0);
		if (err < 0)
			return err;
	}
	if (src == 0)
		src = (ipv4_is_multicast(dst) && sk->mc_addr) ? sk->mc_addr : rt.src;
	struct pbuf *p = pbuf_alloc(&s->pc, UDPW_HLEN + len, PBUF_HEADROOM);
	if (p == NULL)
		return -ENOBUFS;
	sock_copy_from_iov(p->data + UDPW_HLEN, msg, len);
	struct udp_repr u = {.sport = ntohs(sk->lport), .dport = ntohs(dport)};
	bool lo = rt.ifp->type == ARPHRD_LOOPBACK_VALUE;
	uint32_t pseudo = csum_pseudo4(&src, &dst, IPPROTO_UDP, (uint32_t) p->len);
	udp_emit(&u, p->data, p->len, pseudo, lo);
	struct ip4_tx tx = {
		.src = src,
		.dst = dst,
		.proto = IPPROTO_UDP,
		.ttl = (uint8_t) (ipv4_is_multicast(dst) ? sk->mc_ttl : (sk->ttl < 0 ? 64 : sk->ttl)),
		.tos = (uint8_t) sk->tos,
		.allow_bcast = sk->broadcast,
		.mc_loop = sk->mc_loop,
	};
	/* Linux's IP_PMTUDISC_WANT default: DF only on what fits unfragmented */
	tx.df = sk->mtu_discover != IP_PMTUDISC_DONT && p->len + IPV4W_HLEN <= ip4_route_mtu(&rt);
	if (sk->mtu_discover == IP_PMTUDISC_DO && p->len + IPV4W_HLEN > ip4_route_mtu(&rt)) {
		pbuf_free(&s->pc, p);
		return -EMSGSIZE;
	}
	err = ip4_output_route(s, p, &tx, &rt);
	if (err < 0)
		return err;
	s->udp.OutDatagrams++;
	return (ssize_t) len;
}

static void udp_recvname(struct usock *sk, const struct pbuf *p, struct sockaddr *a, socklen_t *len) {
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = p->m.sport, .sin_addr.s_addr = p->m.saddr};
	socklen_t n = *len < (socklen_t) sizeof(sin) ? *len : (socklen_t) sizeof(sin);
	memcpy(a, &sin, n);
	*len = sizeof(sin);
}

static int udp_getname(struct usock *sk, struct sockaddr *a, socklen_t *len, bool peer) {
	struct sockaddr_in sin = {.sin_family = AF_INET};
	if (peer) {
		if (!sk->connected)
			return -ENOTCONN;
		sin.sin_addr.s_addr = sk->raddr;
		sin.sin_port = sk->rport;
	} else {
		sin.sin_addr.s_addr = sk->laddr;
		sin.sin_port = sk->lport;
	}
	socklen_t n = *len < (socklen_t) sizeof(sin) ? *len : (socklen_t) sizeof(sin);
	memcpy(a, &sin, n);
	*len = sizeof(sin);
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
	.recvcmsg = inet_recvcmsg,
	.getname = udp_getname,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.release = udp_release,
};

int udp_sock_init(struct usock *sk) {
	sk->ops = &udp_ops;
	return 0;
}

/* Linux compute_score, simplified: a socket matches when each of its bound
 * fields equals the datagram's; more bound fields, better match. */
static int udp_score(const struct usock *sk, const struct ip4_rx *rx, uint16_t sport, uint16_t dport) {
	if (sk->lport != dport)
		return -1;
	int score = 1;
	if (sk->laddr) {
		if (sk->laddr != rx->ip.dst)
			return -1;
		score += 4;
	}
	if (sk->connected) {
		if (sk->raddr != rx->ip.src || sk->rport != sport)
			return -1;
		score += 4;
	}
	if (sk->bound_if) {
		if (sk->bound_if != rx->ifp->index && !(rx->loop && rx->ifp->type == ARPHRD_LOOPBACK_VALUE))
			return -1;
		score += 4;
	}
	return score;
}

static void udp_deliver(struct usock *sk, const struct ip4_rx *rx, const struct udp_repr *u) {
	struct ustack *s = sk->s;
	struct pbuf *p = pbuf_alloc(&s->pc, u->payload_len, 0);
	if (p == NULL) {
		s->udp.RcvbufErrors++;
		return;
	}
	memcpy(p->data, u->payload, u->payload_len);
	p->m.saddr = rx->ip.src;
	p->m.daddr = rx->ip.dst;
	p->m.sport = htons(u->sport);
	p->m.ttl = rx->ip.ttl;
	p->m.tos = rx->ip.tos;
	p->m.ifindex = rx->ifp->index;
	if (sock_queue_rx(sk, p) < 0) {
		s->udp.RcvbufErrors++;
		s->udp.InErrors++;
		return;
	}
	s->udp.InDatagrams++;
}

void udp4_input(struct ustack *s, struct ip4_rx *rx) {
	struct udp_repr u;
	if (udp_parse(rx->payload, rx->plen, &u) < 0) {
		s->udp.InErrors++;
		return;
	}
	if (!rx->loop) {
		uint32_t pseudo = csum_pseudo4(&rx->ip.src, &rx->ip.dst, IPPROTO_UDP, u.len);
		if (udp_verify(rx->payload, u.len, pseudo, 1) < 0) {
			s->udp.InCsumErrors++;
			s->udp.InErrors++;
			return;
		}
	}
	uint16_t sport = htons(u.sport), dport = htons(u.dport);
	if (rx->bcast || rx->mcast) {
		/* every matching socket gets a copy (Linux __udp4_lib_mcast_deliver);
		 * multicast only to sockets that joined the group on that interface,
		 * unless ip_multicast_all (Linux's default 1) */
		int n = 0;
		for (struct usock *sk = s->udp4_hash[hash_port(dport)]; sk; sk = sk->pnext) {
			if (sk->lport != dport)
				continue;
			if (sk->laddr && sk->laddr != rx->ip.dst)
				continue;
			if (sk->connected && (sk->raddr != rx->ip.src || sk->rport != sport))
				continue;
			if (sk->bound_if && sk->bound_if != rx->ifp->index)
				continue;
			udp_deliver(sk, rx, &u);
			n++;
		}
		if (n == 0)
			s->udp.NoPorts++;
		return;
	}
	struct usock *best = NULL;
	int best_score = -1;
	for (struct usock *sk = s->udp4_hash[hash_port(dport)]; sk; sk = sk->pnext) {
		int sc = udp_score(sk, rx, sport, dport);
		if (sc > best_score) {
			best = sk;
			best_score = sc;
		}
	}
	if (best == NULL) {
		s->udp.NoPorts++;
		/* RFC 1122 4.1.3.1: port unreachable */
		icmp4_send_error(s, rx, 3, 3, 0);
		return;
	}
	udp_deliver(best, rx, &u);
}

void udp4_err(struct ustack *s, int err, const uint8_t *inner, size_t len) {
	size_t hl = (size_t) (inner[0] & 0xf) * 4;
	if (len < hl + 8)
		return;
	uint32_t src, dst;
	memcpy(&src, inner + 12, 4);
	memcpy(&dst, inner + 16, 4);
	uint16_t sport, dport;
	memcpy(&sport, inner + hl, 2);
	memcpy(&dport, inner + hl + 2, 2);
	for (struct usock *sk = s->udp4_hash[hash_port(sport)]; sk; sk = sk->pnext) {
		if (sk->lport != sport || (sk->laddr && sk->laddr != src))
			continue;
		if (sk->connected && (sk->raddr != dst || sk->rport != dport))
			continue;
		/* Linux __udp4_lib_err: without IP_RECVERR only a connected socket
		 * hears about it (RFC 1122 4.1.3.3 leaves it to the application) */
		if (!sk->connected && !sk->recverr)
			continue;
		sock_set_error(sk, err);
		return;
	}
}
