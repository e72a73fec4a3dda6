/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPPROTO_IPV6 options, IPv6 addresses in sockaddrs (IPv4-mapped ones for
 * dual-stack sockets, RFC 4291 2.5.5.2, RFC 3493 3.7), IPV6_PKTINFO. */
#define _GNU_SOURCE /* struct in6_pktinfo (RFC 3542) */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>

#include "../net/net.h"
#include "../net/net6.h"
#include "sock.h"

static bool is_mapped(const uint8_t *a) {
	static const uint8_t pfx[12] = {[10] = 0xff, [11] = 0xff};
	return memcmp(a, pfx, 12) == 0;
}

int inet_parse_addr(struct usock *sk, const struct sockaddr *a, socklen_t len, struct inet_dst *d) {
	memset(d, 0, sizeof(*d));
	if (sk->domain == AF_INET) {
		if (len < (socklen_t) sizeof(struct sockaddr_in))
			return -EINVAL;
		const struct sockaddr_in *sin = (const struct sockaddr_in *) a;
		if (sin->sin_family != AF_INET)
			return -EAFNOSUPPORT;
		d->a4 = sin->sin_addr.s_addr;
		d->port = sin->sin_port;
		return 0;
	}
	/* Linux accepts the RFC 2133 size without sin6_scope_id */
	if (len < 24)
		return -EINVAL;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *) a;
	if (s6->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	d->port = s6->sin6_port;
	if (is_mapped(s6->sin6_addr.s6_addr)) {
		if (sk->v6only)
			return -ENETUNREACH;
		memcpy(&d->a4, s6->sin6_addr.s6_addr + 12, 4);
		return 0;
	}
	d->v6 = true;
	memcpy(d->a6, s6->sin6_addr.s6_addr, 16);
	if (len >= (socklen_t) sizeof(*s6))
		d->scope = s6->sin6_scope_id;
	return 0;
}

int inet_bind_parse(struct usock *sk, const struct sockaddr *a, socklen_t len, struct inet_dst *d) {
	/* Linux inet_bind: AF_UNSPEC is tolerated only for INADDR_ANY */
	if (sk->domain == AF_INET && len >= (socklen_t) sizeof(struct sockaddr_in) &&
			a->sa_family == AF_UNSPEC && ((const struct sockaddr_in *) a)->sin_addr.s_addr == 0) {
		memset(d, 0, sizeof(*d));
		d->port = ((const struct sockaddr_in *) a)->sin_port;
		return 0;
	}
	int err = inet_parse_addr(sk, a, len, d);
	return err == -ENETUNREACH ? -EINVAL : err;
}

int inet_bind_check(struct usock *sk, const struct inet_dst *d, bool mcast6, int *oif) {
	struct ustack *s = sk->s;
	if (!d->v6) {
		/* Linux inet_addr_valid_or_nonlocal: local, multicast or
		 * broadcast, whatever the protocol */
		if (!d->a4 || sk->freebind || ip4_is_local(s, d->a4) || ipv4_is_multicast(d->a4) ||
				d->a4 == 0xffffffffu)
			return 0;
		for (struct netif *i = s->ifaces; i; i = i->next)
			if (ip4_is_bcast_on(i, d->a4))
				return 0;
		return -EADDRNOTAVAIL;
	}
	if (ip6_addr_is_unspecified(d->a6))
		return 0;
	if (ip6_addr_is_multicast(d->a6))
		return mcast6 ? 0 : -EINVAL;
	if (sk->freebind)
		return 0;
	struct netif *owner = NULL;
	struct ifaddr6 *ia = ip6_addr_find(s, d->a6, &owner);
	/* Linux (__inet6_bind): a tentative address, still in DAD, cannot
	 * be bound yet, as one that failed DAD. */
	if (ia == NULL || (ia->flags & (IFA6_TENTATIVE | IFA6_DADFAILED)))
		return -EADDRNOTAVAIL;
	/* Linux: a link-local address needs its interface */
	if (ip6_addr_is_linklocal(d->a6)) {
		if (d->scope && d->scope != (uint32_t) owner->index)
			return -EINVAL;
		*oif = owner->index;
	}
	return 0;
}

void inet_put_name(struct usock *sk, const struct pbuf *p, uint16_t port, struct sockaddr *a, socklen_t *len) {
	if (sk->domain == AF_INET) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = port, .sin_addr.s_addr = p->m.saddr};
		socklen_t n = *len < (socklen_t) sizeof(sin) ? *len : (socklen_t) sizeof(sin);
		memcpy(a, &sin, n);
		*len = sizeof(sin);
		return;
	}
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = port};
	if (p->m.v6) {
		memcpy(s6.sin6_addr.s6_addr, p->m.saddr6, 16);
		if (ip6_addr_is_linklocal(p->m.saddr6))
			s6.sin6_scope_id = (uint32_t) p->m.ifindex;
	} else {
		s6.sin6_addr.s6_addr[10] = s6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(s6.sin6_addr.s6_addr + 12, &p->m.saddr, 4);
	}
	socklen_t n = *len < (socklen_t) sizeof(s6) ? *len : (socklen_t) sizeof(s6);
	memcpy(a, &s6, n);
	*len = sizeof(s6);
}

static int mc6(struct usock *sk, const void *v, socklen_t len, bool join) {
	struct ipv6_mreq mr;
	if (v == NULL)
		return -EFAULT;
	if (len < (socklen_t) sizeof(mr))
		return -EINVAL;
	memcpy(&mr, v, sizeof(mr));
	const uint8_t *g = mr.ipv6mr_multiaddr.s6_addr;
	if (!ip6_addr_is_multicast(g))
		return -EINVAL;
	struct ustack *s = sk->s;
	struct netif *ifp = NULL;
	if (mr.ipv6mr_interface)
		ifp = netif_by_index(s, (int) mr.ipv6mr_interface);
	else {
		struct ip6_route_res rt;
		if (route6_lookup(s, g, 0, &rt) == 0)
			ifp = rt.ifp;
	}
	if (ifp == NULL)
		return -ENODEV;
	return sock_mc_change(sk, ifp, true, g, join);
}

int inet6_setsockopt(struct usock *sk, int level, int name, const void *v, socklen_t len) {
	if (level == IPPROTO_IP || level == SOL_SOCKET)
		return inet_setsockopt(sk, level, name, v, len);
	if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER) {
		if (sk->type != SOCK_RAW || sk->protocol != IPPROTO_ICMPV6)
			return -EOPNOTSUPP;
		if (v == NULL)
			return -EFAULT;
		size_t n = len < (socklen_t) sizeof(sk->icmp6_filter) ? (size_t) len : sizeof(sk->icmp6_filter);
		memset(sk->icmp6_filter, 0, sizeof(sk->icmp6_filter));
		memcpy(sk->icmp6_filter, v, n);
		return 0;
	}
	if (level != IPPROTO_IPV6)
		return -ENOPROTOOPT;
	if (sk->domain != AF_INET6)
		return -ENOPROTOOPT;
	switch (name) {
	case IPV6_JOIN_GROUP:
		return mc6(sk, v, len, true);
	case IPV6_LEAVE_GROUP:
		return mc6(sk, v, len, false);
	default:
		break;
	}
	int val, err;
	if ((err = sock_opt_set_int(sk, level, name, v, len, true, &val)) != 0)
		return err < 0 ? err : 0;
	switch (name) {
	case IPV6_V6ONLY:
		if (sk->bound)
			return -EINVAL;  /* Linux: only before bind */
		sk->v6only = !!val;
		return 0;
	case IPV6_UNICAST_HOPS:
		if (val < -1 || val > 255)
			return -EINVAL;
		sk->hops = val;
		return 0;
	case IPV6_MULTICAST_HOPS:
		if (val < -1 || val > 255)
			return -EINVAL;
		sk->mc_hops = val == -1 ? 1 : val;
		return 0;
	case IPV6_MULTICAST_LOOP:
		if (val != 0 && val != 1)
			return -EINVAL;
		sk->mc_loop6 = val;
		return 0;
	case IPV6_MULTICAST_IF:
		if (val && netif_by_index(sk->s, val) == NULL)
			return -ENODEV;
		sk->mc_if6 = val;
		return 0;
	case IPV6_MTU_DISCOVER:
		if (val < IPV6_PMTUDISC_DONT || val > IPV6_PMTUDISC_OMIT)
			return -EINVAL;
		sk->mtu_discover6 = val;
		return 0;
	case IPV6_TCLASS:
		if (val < -1 || val > 255)
			return -EINVAL;
		sk->tclass6 = val < 0 ? 0 : val;
		return 0;
	case IPV6_CHECKSUM:
		if (sk->type != SOCK_RAW)
			return -ENOPROTOOPT;
		if (sk->protocol == IPPROTO_ICMPV6)
			return -EINVAL;  /* RFC 3542 3.1: always on for ICMPv6 */
		if (val >= 0 && (val & 1))
			return -EINVAL;
		sk->checksum_off = val < 0 ? -1 : val;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int inet6_getsockopt(struct usock *sk, int level, int name, void *v, socklen_t *len) {
	if (level == IPPROTO_IP || level == SOL_SOCKET)
		return inet_getsockopt(sk, level, name, v, len);
	if (level != IPPROTO_IPV6 || sk->domain != AF_INET6)
		return -ENOPROTOOPT;
	int val, plain = sock_opt_get_plain(sk, level, name, len, &val);
	if (plain != 0)
		return plain < 0 ? plain : put_int_opt(v, len, val);
	switch (name) {
	case IPV6_UNICAST_HOPS:
		return put_int_opt(v, len, sk->hops < 0 ? 64 : sk->hops);
	case IPV6_MTU: {
		/* Linux: the path MTU of the connected route, else ENOTCONN */
		if (!sk->connected || !sk->raddr_is6)
			return -ENOTCONN;
		int mtu = ip6_dst_mtu(sk->s, sk->raddr6, sk->bound_if);
		return mtu < 0 ? -ENOTCONN : put_int_opt(v, len, mtu);
	}
	case IPV6_CHECKSUM:
		return put_int_opt(v, len, sk->protocol == IPPROTO_ICMPV6 ? 2 : sk->checksum_off);
	default:
		return -ENOPROTOOPT;
	}
}

void inet6_recvcmsg(struct usock *sk, const struct pbuf *p, struct msghdr *msg, size_t cap) {
	if (!p->m.v6) {
		inet_recvcmsg(sk, p, msg, cap);
		return;
	}
	if (sk->recvpktinfo6) {
		struct in6_pktinfo pi = {.ipi6_ifindex = (unsigned) p->m.ifindex};
		memcpy(pi.ipi6_addr.s6_addr, p->m.daddr6, 16);
		sock_put_cmsg(msg, cap, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	}
	if (sk->recvhoplimit) {
		int hl = p->m.ttl;
		sock_put_cmsg(msg, cap, IPPROTO_IPV6, IPV6_HOPLIMIT, &hl, sizeof(hl));
	}
}

void inet6_tx_init(struct usock *sk, const uint8_t *dst, uint32_t scope, struct inet6_tx *t) {
	bool mc = ip6_addr_is_multicast(dst);
	memcpy(t->src, sk->laddr6, 16);
	t->oif = sk->bound_if ? sk->bound_if : scope ? (int) scope : mc ? sk->mc_if6 : 0;
	t->hlim = mc ? sk->mc_hops : (sk->hops < 0 ? 64 : sk->hops);
	t->hlim_default = !mc && sk->hops < 0;
	t->tclass = sk->tclass6;
}

int inet6_tx_cmsg(struct usock *sk, const struct msghdr *msg, struct inet6_tx *t) {
	for (struct cmsghdr *c = msg->msg_control ? CMSG_FIRSTHDR(msg) : NULL; c;
			c = CMSG_NXTHDR((struct msghdr *) msg, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			if (pi.ipi6_ifindex) {
				/* Linux ip6_datagram_send_ctl: an unknown interface */
				if (netif_by_index(sk->s, (int) pi.ipi6_ifindex) == NULL)
					return -ENODEV;
				t->oif = (int) pi.ipi6_ifindex;
			}
			if (!ip6_addr_is_unspecified(pi.ipi6_addr.s6_addr)) {
				if (!sk->freebind && !ip6_is_local(sk->s, pi.ipi6_addr.s6_addr))
					return -EINVAL;
				memcpy(t->src, pi.ipi6_addr.s6_addr, 16);
			}
		} else if (c->cmsg_type == IPV6_HOPLIMIT && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int h;
			memcpy(&h, CMSG_DATA(c), sizeof(h));
			if (h < -1 || h > 255)
				return -EINVAL;
			if (h >= 0) {
				t->hlim = h;
				t->hlim_default = false;
			}
		} else if (c->cmsg_type == IPV6_TCLASS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int tc;
			memcpy(&tc, CMSG_DATA(c), sizeof(tc));
			if (tc < -1 || tc > 255)
				return -EINVAL;
			if (tc >= 0)
				t->tclass = tc;   /* -1: the socket's */
		}
	}
	return 0;
}
