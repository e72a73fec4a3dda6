/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SOL_SOCKET and IPPROTO_IP options, datagram receive, control messages:
 * values, limits and errno as Linux (sock_setsockopt, do_ip_setsockopt). */
#include <errno.h>
#include <linux/net_tstamp.h>
#include <linux/netlink.h>
#include <time.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include "../net/net.h"
#include "../net/net6.h"
#include "sock.h"

#define RMEM_MAX 212992        /* Linux net.core.rmem_max / wmem_max */
#define SOCK_MIN_RCVBUF 2304
#define SOCK_MIN_SNDBUF 4608

static int set_timeo(struct timeval *tv, const void *v, socklen_t len) {
	if (v == NULL)
		return -EFAULT;
	if (len < (socklen_t) sizeof(struct timeval))
		return -EINVAL;
	struct timeval t;
	memcpy(&t, v, sizeof(t));
	if (t.tv_usec < 0 || t.tv_usec >= 1000000)
		return -EDOM;
	if (t.tv_sec < 0)
		t.tv_sec = t.tv_usec = 0;  /* Linux: a negative timeout is "none" */
	*tv = t;
	return 0;
}

/* Linux sock_getsockopt: the value is cut to the caller's length */
static int put_cut(void *v, socklen_t *len, const void *val, size_t n) {
	if (*len > (socklen_t) n)
		*len = (socklen_t) n;
	if (*len == 0)
		return 0;
	if (v == NULL)
		return -EFAULT;
	memcpy(v, val, *len);
	return 0;
}

static int put_sol_int(void *v, socklen_t *len, int val) {
	return put_cut(v, len, &val, sizeof(val));
}

static int get_timeo(const struct timeval *tv, void *v, socklen_t *len) {
	if (len == NULL)
		return -EFAULT;
	return put_cut(v, len, tv, sizeof(*tv));
}

/* SO_TIMESTAMPING (Linux sock_set_timestamping): an int, or a struct
 * so_timestamping; the flags Linux 6.18 knows (bits 0 to 18) */
#define TS_KNOWN ((1u << 19) - 1)
#define TS_OPT_ID_TCP (1u << 16)
#define TS_OPT_RX_FILTER (1u << 17)
static int set_timestamping(struct usock *sk, int name, const void *v, socklen_t len) {
	int val = 0, err;
	if (len == (socklen_t) sizeof(struct so_timestamping)) {
		struct so_timestamping t;
		memcpy(&t, v, sizeof(t));
		val = t.flags;
	} else {
		if ((err = int_opt(v, len, &val)) < 0)
			return err;
		if (len < (socklen_t) sizeof(int))
			return -EINVAL;
	}
	uint32_t f = (uint32_t) val;
	if (f & ~TS_KNOWN)
		return -EINVAL;
	if ((f & TS_OPT_ID_TCP) && !(f & SOF_TIMESTAMPING_OPT_ID))
		return -EINVAL;
	if ((f & SOF_TIMESTAMPING_OPT_ID) && !(sk->tsflags & SOF_TIMESTAMPING_OPT_ID))
		sk->tskey = 0;   /* TCP checks its state and sets the key first */
	if ((f & SOF_TIMESTAMPING_OPT_STATS) && !(f & SOF_TIMESTAMPING_OPT_TSONLY))
		return -EINVAL;
	if (f & SOF_TIMESTAMPING_BIND_PHC)
		return -EOPNOTSUPP;   /* no PTP hardware clock (Linux, unbound: the same) */
	sk->tsflags = f;
	sk->ts_new = name == SO_TIMESTAMPING_NEW;
	return 0;
}

/* SCM_TIMESTAMPING on a received datagram (Linux __sock_recv_timestamp):
 * the software stamp in ts[0], the hardware ones zero */
void sock_recv_timestamp(struct usock *sk, const struct pbuf *p, struct msghdr *msg, size_t cap) {
	uint32_t f = sk->tsflags;
	if (!p->m.rx_ns || !(f & SOF_TIMESTAMPING_SOFTWARE))
		return;
	if (!(f & SOF_TIMESTAMPING_RX_SOFTWARE) && (f & TS_OPT_RX_FILTER))
		return;
	sock_put_stamp(sk, p->m.rx_ns, msg, cap);
}

void sock_put_stamp(struct usock *sk, uint64_t ns, struct msghdr *msg, size_t cap) {
	struct timespec ts[3];
	memset(ts, 0, sizeof(ts));
	ts[0].tv_sec = (time_t) (ns / 1000000000u);
	ts[0].tv_nsec = (long) (ns % 1000000000u);
	sock_put_cmsg(msg, cap, SOL_SOCKET, sk->ts_new ? SO_TIMESTAMPING_NEW : SO_TIMESTAMPING_OLD, ts, sizeof(ts));
}

/* The options whose value is one field of the socket, of any level: a
 * flag (bool) or an int, read back as it is; a flag without a check
 * (OPT_SETFLAG) is also set here, to !!val (the others check or do
 * more when set, in their level's switch). */
#define OPT_BOOL 1
#define OPT_INT 2
#define OPT_SETFLAG (4 | OPT_BOOL)
#define OPT_ERRQ (8 | OPT_SETFLAG)   /* off: the error queue purged, as Linux */
#define FIELD(f) offsetof(struct usock, f)
static const struct {
	int level, name;
	size_t off;
	unsigned kind;
} plain_opts[] = {
	{SOL_SOCKET, SO_REUSEADDR, FIELD(reuseaddr), OPT_SETFLAG},
	{SOL_SOCKET, SO_REUSEPORT, FIELD(reuseport), OPT_SETFLAG},
	{SOL_SOCKET, SO_BROADCAST, FIELD(broadcast), OPT_SETFLAG},
	{SOL_SOCKET, SO_RXQ_OVFL, FIELD(rxq_ovfl), OPT_SETFLAG},
	{SOL_SOCKET, SO_KEEPALIVE, FIELD(keepalive), OPT_SETFLAG},
	{SOL_SOCKET, SO_ZEROCOPY, FIELD(zerocopy), OPT_BOOL},
	{SOL_SOCKET, SO_PRIORITY, FIELD(priority), OPT_INT},
	{SOL_SOCKET, SO_RCVBUF, FIELD(rcvbuf), OPT_INT},
	{SOL_SOCKET, SO_SNDBUF, FIELD(sndbuf), OPT_INT},
	{IPPROTO_IP, IP_PKTINFO, FIELD(pktinfo), OPT_SETFLAG},
	{IPPROTO_IP, IP_RECVTTL, FIELD(recvttl), OPT_SETFLAG},
	{IPPROTO_IP, IP_RECVTOS, FIELD(recvtos), OPT_SETFLAG},
	{IPPROTO_IP, IP_MULTICAST_LOOP, FIELD(mc_loop), OPT_SETFLAG},
	{IPPROTO_IP, IP_FREEBIND, FIELD(freebind), OPT_SETFLAG},
	{IPPROTO_IP, IP_TOS, FIELD(tos), OPT_INT},
	{IPPROTO_IP, IP_MULTICAST_TTL, FIELD(mc_ttl), OPT_INT},
	{IPPROTO_IP, IP_HDRINCL, FIELD(hdrincl), OPT_BOOL},
	{IPPROTO_IP, IP_MTU_DISCOVER, FIELD(mtu_discover), OPT_INT},
	{IPPROTO_IP, IP_RECVERR, FIELD(recverr), OPT_ERRQ},
	{IPPROTO_IPV6, IPV6_RECVPKTINFO, FIELD(recvpktinfo6), OPT_SETFLAG},
	{IPPROTO_IPV6, IPV6_RECVHOPLIMIT, FIELD(recvhoplimit), OPT_SETFLAG},
	{IPPROTO_IPV6, IPV6_V6ONLY, FIELD(v6only), OPT_BOOL},
	{IPPROTO_IPV6, IPV6_MULTICAST_HOPS, FIELD(mc_hops), OPT_INT},
	{IPPROTO_IPV6, IPV6_MULTICAST_LOOP, FIELD(mc_loop6), OPT_BOOL},
	{IPPROTO_IPV6, IPV6_MULTICAST_IF, FIELD(mc_if6), OPT_INT},
	{IPPROTO_IPV6, IPV6_RECVERR, FIELD(recverr6), OPT_ERRQ},
	{IPPROTO_IPV6, IPV6_MTU_DISCOVER, FIELD(mtu_discover6), OPT_INT},
	{IPPROTO_IPV6, IPV6_TCLASS, FIELD(tclass6), OPT_INT},
};
#undef FIELD

static int plain_find(int level, int name) {
	for (size_t i = 0; i < sizeof(plain_opts) / sizeof(plain_opts[0]); i++)
		if (plain_opts[i].level == level && plain_opts[i].name == name)
			return (int) i;
	return -1;
}

bool sock_opt_set_flag(struct usock *sk, int level, int name, int val) {
	int i = plain_find(level, name);
	if (i < 0 || (plain_opts[i].kind & OPT_SETFLAG) != OPT_SETFLAG)
		return false;
	*(bool *) ((char *) sk + plain_opts[i].off) = !!val;
	if ((plain_opts[i].kind & OPT_ERRQ) == OPT_ERRQ && !val)
		sock_errq_flush(sk);
	return true;
}

int sock_opt_set_int(struct usock *sk, int level, int name, const void *v, socklen_t len,
		bool whole, int *val) {
	int err = int_opt(v, len, val);
	if (err < 0)
		return err;
	if (whole && len < (socklen_t) sizeof(int))
		return -EINVAL;
	return sock_opt_set_flag(sk, level, name, *val) ? 1 : 0;
}

int sock_opt_get_plain(const struct usock *sk, int level, int name, const socklen_t *len, int *val) {
	if (len == NULL)
		return -EFAULT;
	if ((int) *len < 0)
		return -EINVAL;
	int i = plain_find(level, name);
	if (i < 0)
		return 0;
	const char *f = (const char *) sk + plain_opts[i].off;
	*val = (plain_opts[i].kind & OPT_BOOL) ? *(const bool *) f : *(const int *) f;
	return 1;
}

int sock_setsockopt_generic(struct usock *sk, int level, int name, const void *v, socklen_t len) {
	int val = 0, err;
	if (level != SOL_SOCKET)
		return -ENOPROTOOPT;
	switch (name) {
	case SO_RCVTIMEO:
		return set_timeo(&sk->rcvtimeo, v, len);
	case SO_SNDTIMEO:
		return set_timeo(&sk->sndtimeo, v, len);
	case SO_LINGER:
		if (len < (socklen_t) sizeof(struct linger))
			return -EINVAL;
		memcpy(&sk->linger, v, sizeof(sk->linger));
		return 0;
	case SO_TIMESTAMPING_OLD:
	case SO_TIMESTAMPING_NEW:
		return set_timestamping(sk, name, v, len);
	case SO_BINDTODEVICE: {
		char name[IFNAMSIZ] = "";
		if (v == NULL && len > 0)
			return -EFAULT;
		size_t n = len < IFNAMSIZ - 1 ? (size_t) len : IFNAMSIZ - 1;
		if (n)
			memcpy(name, v, n);
		name[n] = 0;
		if (name[0] == 0) {
			sk->bound_if = 0;
			return 0;
		}
		struct netif *ifp = netif_by_name(sk->s, name);
		if (ifp == NULL)
			return -ENODEV;
		sk->bound_if = ifp->index;
		return 0;
	}
	default:
		break;
	}
	if ((err = sock_opt_set_int(sk, level, name, v, len, true, &val)) != 0)
		return err < 0 ? err : 0;
	switch (name) {
	case SO_ZEROCOPY: {
		/* Linux: TCP and UDP sockets only, the value 0 or 1 */
		if (!sock_is_tcp(sk) && !sock_is_udp(sk))
			return -EOPNOTSUPP;
		if (val < 0 || val > 1)
			return -EINVAL;
		sk->zerocopy = val;
		return 0;
	}
	case SO_PRIORITY:
		if (val < 0 || val > 6)
			return -EPERM;  /* Linux: above 6 needs CAP_NET_ADMIN */
		sk->priority = val;
		return 0;
	case SO_MARK:
		/* kept and given back (no policy routing reads it here);
		 * Linux wants CAP_NET_ADMIN or CAP_NET_RAW, which a process
		 * that owns its stack has over it */
		sk->mark = (uint32_t) val;
		return 0;
	case SO_RCVBUF:
	case SO_RCVBUFFORCE: {
		long v2 = (long) (val < 0 ? 0 : (val > RMEM_MAX ? RMEM_MAX : val)) * 2;
		sk->rcvbuf = (int) (v2 < SOCK_MIN_RCVBUF ? SOCK_MIN_RCVBUF : v2);
		return 0;
	}
	case SO_SNDBUF:
	case SO_SNDBUFFORCE: {
		long v2 = (long) (val < 0 ? 0 : (val > RMEM_MAX ? RMEM_MAX : val)) * 2;
		sk->sndbuf = (int) (v2 < SOCK_MIN_SNDBUF ? SOCK_MIN_SNDBUF : v2);
		return 0;
	}
	case SO_TYPE:
	case SO_DOMAIN:
	case SO_PROTOCOL:
	case SO_ERROR:
	case SO_ACCEPTCONN:
		return -ENOPROTOOPT;
	default:
		return -ENOPROTOOPT;
	}
}

int sock_getsockopt_generic(struct usock *sk, int level, int name, void *v, socklen_t *len) {
	if (level != SOL_SOCKET)
		return -ENOPROTOOPT;
	int val, plain = sock_opt_get_plain(sk, level, name, len, &val);
	if (plain != 0)
		return plain < 0 ? plain : put_sol_int(v, len, val);
	switch (name) {
	case SO_RCVTIMEO:
		return get_timeo(&sk->rcvtimeo, v, len);
	case SO_SNDTIMEO:
		return get_timeo(&sk->sndtimeo, v, len);
	case SO_LINGER:
		return put_cut(v, len, &sk->linger, sizeof(sk->linger));
	case SO_TIMESTAMPING_OLD:
	case SO_TIMESTAMPING_NEW: {
		/* Linux: the flags and the PHC index; through the newer name only
		 * when they were set through it */
		struct so_timestamping t = {0, 0};
		if (name == SO_TIMESTAMPING_OLD || sk->ts_new)
			t.flags = (int) sk->tsflags;
		return put_cut(v, len, &t, sizeof(t));
	}
	case SO_BINDTODEVICE: {
		struct netif *ifp = sk->bound_if ? netif_by_index(sk->s, sk->bound_if) : NULL;
		const char *n = ifp ? ifp->name : "";
		size_t l = ifp ? strlen(n) + 1 : 0;
		if (ifp && *len < IFNAMSIZ)   /* Linux sock_getbindtodevice: when bound */
			return -EINVAL;
		memcpy(v, n, l);
		*len = (socklen_t) l;
		return 0;
	}
	case SO_TYPE:
		return put_sol_int(v, len, sk->type);
	case SO_DOMAIN:
		return put_sol_int(v, len, sk->domain);
	case SO_PROTOCOL: {
		int p = sk->protocol;
		if (sk->domain == AF_INET && sk->type == SOCK_DGRAM && p == 0)
			p = IPPROTO_UDP;
		return put_sol_int(v, len, p);
	}
	case SO_ERROR:
		return put_sol_int(v, len, -sock_take_error(sk));
	case SO_ACCEPTCONN:
		return put_sol_int(v, len, 0);
	case SO_MARK:
		return put_sol_int(v, len, (int) sk->mark);
	default:
		return -ENOPROTOOPT;
	}
}

/* --- IPPROTO_IP --- */

static int mreq_parse(struct usock *sk, const void *v, socklen_t len, uint32_t *group,
		struct netif **ifp) {
	struct ip_mreqn mr = {0};
	if (v == NULL)
		return -EFAULT;
	if (len >= (socklen_t) sizeof(struct ip_mreqn))
		memcpy(&mr, v, sizeof(mr));
	else if (len >= (socklen_t) sizeof(struct ip_mreq))
		memcpy(&mr, v, sizeof(struct ip_mreq));
	else
		return -EINVAL;
	*group = mr.imr_multiaddr.s_addr;
	if (!ipv4_is_multicast(*group))
		return -EINVAL;
	struct ustack *s = sk->s;
	*ifp = NULL;
	if (mr.imr_ifindex)
		*ifp = netif_by_index(s, mr.imr_ifindex);
	else if (mr.imr_address.s_addr)
		*ifp = ip4_addr_owner(s, mr.imr_address.s_addr);
	else {
		/* Linux: the interface of the route to the group */
		struct ip4_route_res rt;
		if (route4_lookup(s, *group, 0, &rt) == 0)
			*ifp = rt.ifp;
	}
	return *ifp ? 0 : -ENODEV;
}

/* the index of sk's membership of group (4 or 16 bytes) on ifindex, -1 */
static int mc_find(const struct usock *sk, bool v6, const void *group, int ifindex) {
	for (int i = 0, n = v6 ? sk->nmcs6 : sk->nmcs; i < n; i++) {
		bool same = v6 ? ip6_eq(sk->mcs6[i].group, group) && sk->mcs6[i].ifindex == ifindex
				: memcmp(&sk->mcs[i].group, group, 4) == 0 && sk->mcs[i].ifindex == ifindex;
		if (same)
			return i;
	}
	return -1;
}

int sock_mc_change(struct usock *sk, struct netif *ifp, bool v6, const void *group, bool join) {
	int i = mc_find(sk, v6, group, ifp->index);
	int *n = v6 ? &sk->nmcs6 : &sk->nmcs;
	if (join && i >= 0)
		return -EADDRINUSE;
	if (!join && i < 0)
		return -EADDRNOTAVAIL;
	if (!join) {
		--*n;
		if (v6) {
			ip6_mc_leave(ifp, group);
			sk->mcs6[i] = sk->mcs6[*n];
		} else {
			ip4_mc_leave(ifp, sk->mcs[i].group);
			sk->mcs[i] = sk->mcs[*n];
		}
		return 0;
	}
	if (*n == SOCK_MAX_MEMBERSHIPS)
		return -ENOBUFS;
	uint32_t g4 = 0;
	if (!v6)
		memcpy(&g4, group, 4);
	int err = v6 ? ip6_mc_join(ifp, group) : ip4_mc_join(ifp, g4);
	if (err < 0)
		return err;
	if (v6) {
		memcpy(sk->mcs6[*n].group, group, 16);
		sk->mcs6[*n].ifindex = ifp->index;
	} else {
		sk->mcs[*n].group = g4;
		sk->mcs[*n].ifindex = ifp->index;
	}
	++*n;
	return 0;
}

/* IP_ADD_MEMBERSHIP (join) and IP_DROP_MEMBERSHIP */
static int mc4(struct usock *sk, const void *v, socklen_t len, bool join) {
	uint32_t group;
	struct netif *ifp;
	int err = mreq_parse(sk, v, len, &group, &ifp);
	return err < 0 ? err : sock_mc_change(sk, ifp, false, &group, join);
}

void inet_release_memberships(struct usock *sk) {
	for (int i = 0; i < sk->nmcs; i++) {
		struct netif *ifp = netif_by_index(sk->s, sk->mcs[i].ifindex);
		if (ifp)
			ip4_mc_leave(ifp, sk->mcs[i].group);
	}
	sk->nmcs = 0;
	for (int i = 0; i < sk->nmcs6; i++) {
		struct netif *ifp = netif_by_index(sk->s, sk->mcs6[i].ifindex);
		if (ifp)
			ip6_mc_leave(ifp, sk->mcs6[i].group);
	}
	sk->nmcs6 = 0;
}

int inet_setsockopt(struct usock *sk, int level, int name, const void *v, socklen_t len) {
	int val = 0, err;
	if (level == SOL_SOCKET)
		return sock_setsockopt_generic(sk, level, name, v, len);
	if (level != IPPROTO_IP)
		return -ENOPROTOOPT;
	switch (name) {
	case IP_ADD_MEMBERSHIP:
		return mc4(sk, v, len, true);
	case IP_DROP_MEMBERSHIP:
		return mc4(sk, v, len, false);
	case IP_MULTICAST_IF: {
		struct ip_mreqn mr = {0};
		if (v == NULL)
			return -EFAULT;
		if (len >= (socklen_t) sizeof(struct ip_mreqn))
			memcpy(&mr, v, sizeof(mr));
		else if (len >= (socklen_t) sizeof(struct in_addr))
			memcpy(&mr.imr_multiaddr, v, sizeof(struct in_addr)), mr.imr_address = mr.imr_multiaddr;
		else
			return -EINVAL;
		if (mr.imr_ifindex == 0 && mr.imr_address.s_addr == 0) {
			sk->mc_if = 0;
			sk->mc_addr = 0;
			return 0;
		}
		struct netif *ifp = mr.imr_ifindex ? netif_by_index(sk->s, mr.imr_ifindex)
				: ip4_addr_owner(sk->s, mr.imr_address.s_addr);
		if (ifp == NULL)
			return -EADDRNOTAVAIL;
		sk->mc_if = ifp->index;
		sk->mc_addr = mr.imr_address.s_addr;
		return 0;
	}
	default:
		break;
	}
	if ((err = sock_opt_set_int(sk, level, name, v, len, false, &val)) != 0)
		return err < 0 ? err : 0;
	switch (name) {
	case IP_TTL:
		if (val != -1 && (val < 1 || val > 255))
			return -EINVAL;
		sk->ttl = val;
		return 0;
	case IP_TOS:
		sk->tos = val & 0xff;
		return 0;
	case IP_MULTICAST_TTL:
		if (val == -1)
			val = 1;
		if (val < 0 || val > 255)
			return -EINVAL;
		sk->mc_ttl = val;
		return 0;
	case IP_HDRINCL:
		if (sk->type != SOCK_RAW)
			return -ENOPROTOOPT;
		sk->hdrincl = !!val;
		return 0;
	case IP_MTU_DISCOVER:
		if (val < 0 || val > 5)
			return -EINVAL;
		sk->mtu_discover = val;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* Linux ip_getsockopt: a value 0..255 asked with fewer than 4 bytes is
 * given as one byte; otherwise the int, cut to the length */
static int put_ip_int(void *v, socklen_t *len, int val) {
	if (*len > 0 && *len < (socklen_t) sizeof(int) && val >= 0 && val <= 255) {
		if (v == NULL)
			return -EFAULT;
		*(unsigned char *) v = (unsigned char) val;
		*len = 1;
		return 0;
	}
	return put_cut(v, len, &val, sizeof(val));
}

int inet_getsockopt(struct usock *sk, int level, int name, void *v, socklen_t *len) {
	if (level == SOL_SOCKET)
		return sock_getsockopt_generic(sk, level, name, v, len);
	if (level != IPPROTO_IP)   /* Linux: ip_getsockopt's answer on AF_INET */
		return sk->domain == AF_INET ? -EOPNOTSUPP : -ENOPROTOOPT;
	int val, plain = sock_opt_get_plain(sk, level, name, len, &val);
	if (plain != 0)
		return plain < 0 ? plain : put_ip_int(v, len, val);
	switch (name) {
	case IP_TTL:
		return put_ip_int(v, len, sk->ttl < 0 ? 64 : sk->ttl);
	case IP_MTU: {
		/* Linux: the path MTU of the connected route, else ENOTCONN */
		if (!sk->connected || sk->domain != AF_INET)
			return -ENOTCONN;
		int mtu = ip4_dst_mtu(sk->s, sk->raddr, sk->bound_if);
		return mtu < 0 ? -ENOTCONN : put_ip_int(v, len, mtu);
	}
	case IP_MULTICAST_IF: {
		struct in_addr a = {.s_addr = sk->mc_addr};
		if (*len < (socklen_t) sizeof(a))
			return -EINVAL;
		memcpy(v, &a, sizeof(a));
		*len = sizeof(a);
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
}

void inet_recvcmsg(struct usock *sk, const struct pbuf *p, struct msghdr *msg, size_t cap) {
	if (sk->pktinfo) {
		struct in_pktinfo pi = {
			.ipi_ifindex = p->m.ifindex,
			.ipi_spec_dst.s_addr = p->m.daddr,
			.ipi_addr.s_addr = p->m.daddr,
		};
		/* Linux: spec_dst is the local address a reply would use */
		struct ustack *s = sk->s;
		if (!ip4_is_local(s, p->m.daddr)) {
			struct netif *ifp = netif_by_index(s, p->m.ifindex);
			pi.ipi_spec_dst.s_addr = ifp ? ip4_addr_pick(ifp, p->m.saddr) : 0;
		}
		sock_put_cmsg(msg, cap, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	}
	if (sk->recvttl) {
		int ttl = p->m.ttl;
		sock_put_cmsg(msg, cap, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	}
	if (sk->recvtos) {
		uint8_t tos = p->m.tos;
		sock_put_cmsg(msg, cap, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	}
}

ssize_t sock_dgram_recvmsg(struct usock *sk, struct msghdr *msg, int flags) {
	uint64_t deadline = sock_deadline(&sk->rcvtimeo);
	size_t cap = msg->msg_control ? msg->msg_controllen : 0;
	for (;;) {
		if (sk->closing)
			return -EBADF;
		if (sk->err && !(flags & MSG_PEEK))
			return sock_take_error(sk);
		struct pbuf *p = sk->rxq;
		if (p) {
			size_t want = 0;
			for (size_t i = 0; i < (size_t) msg->msg_iovlen; i++)
				want += msg->msg_iov[i].iov_len;
			size_t n = sock_copy_to_iov(msg, p->data, p->len);
			msg->msg_flags = 0;
			if (n < p->len)
				msg->msg_flags |= MSG_TRUNC;
			(void) want;
			if (msg->msg_name && sk->ops->recvname)
				sk->ops->recvname(sk, p, msg->msg_name, &msg->msg_namelen);
			else
				msg->msg_namelen = 0;
			msg->msg_controllen = 0;
			sock_stamp_received(sk, p);
			if (cap)
				sock_recv_timestamp(sk, p, msg, cap);
			if (p->m.drops && cap) {
				/* Linux sock_recv_drops: before the protocol's cmsgs */
				uint32_t drops = p->m.drops;
				sock_put_cmsg(msg, cap, SOL_SOCKET, SO_RXQ_OVFL, &drops, sizeof(drops));
			}
			if (sk->ops->recvcmsg && cap)
				sk->ops->recvcmsg(sk, p, msg, cap);
			size_t full = p->m.origlen ? p->m.origlen : p->len;
			if (!(flags & MSG_PEEK)) {
				sk->rxq = p->next;
				if (sk->rxq == NULL)
					sk->rxq_tail = NULL;
				sk->rxbytes -= sock_rx_cost(sk, p);
				pbuf_free(&sk->s->pc, p);
				sock_update_events(sk);
			}
			return (ssize_t) ((flags & MSG_TRUNC) ? full : n);
		}
		if (sk->shut_rd)
			return 0;
		if (sk->nonblock || (flags & MSG_DONTWAIT))
			return -EAGAIN;
		if (sock_wait(sk, deadline) == -EAGAIN)
			return -EAGAIN;
	}
}
