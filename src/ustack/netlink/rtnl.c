/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The rtnetlink server (RFC 3549, Linux rtnetlink(7)) behind AF_NETLINK /
 * NETLINK_ROUTE sockets: a request written with send is answered at once,
 * the replies queued on the socket as datagrams. Dumps pack messages with
 * NLM_F_MULTI into datagrams of up to NL_CHUNK bytes and end with
 * NLMSG_DONE; errors and ACKs are NLMSG_ERROR with Linux's errno (the
 * request quoted whole in an error, its header only in an ACK). What
 * does not hold a whole message ends the batch without an answer, as on
 * Linux. */
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <string.h>

#include "../link/link.h"
#include "../net/net.h"
#include "../net/net6.h"
#include "../net/proto.h"
#include "../socket/sock.h"
#include "nlout.h"
#include "rtnl.h"

/* <linux/if.h> operstates (that header clashes with <net/if.h>) */
#define IF_OPER_UNKNOWN 0
#define IF_OPER_DOWN 2
#define IF_OPER_UP 6

void out_flush(struct nl_out *o) {
	if (o->chunk) {
		if (sock_queue_rx(o->sk, o->chunk) < 0)
			o->err = -ENOBUFS;
		o->chunk = NULL;
	}
}

void out_append(struct nl_out *o, const void *msg, size_t len) {
	struct ustack *s = o->sk->s;
	if (o->chunk && o->chunk->len + len > NL_CHUNK)
		out_flush(o);
	if (o->chunk == NULL) {
		o->chunk = pbuf_alloc(&s->pc, len > NL_CHUNK ? len : NL_CHUNK, 0);
		if (o->chunk == NULL) {
			o->err = -ENOBUFS;
			return;
		}
		o->chunk->len = 0;
	}
	memcpy(o->chunk->data + o->chunk->len, msg, len);
	o->chunk->len += (uint32_t) len;
}

void *nlb_put(struct nlb *b, const void *data, size_t len) {
	size_t al = NLMSG_ALIGN(len);
	if (b->len + al > sizeof(b->buf)) {
		b->overflow = true;
		return NULL;
	}
	void *p = b->buf + b->len;
	memset(p, 0, al);
	if (data)
		memcpy(p, data, len);
	b->len += al;
	return p;
}

void nlb_begin(struct nlb *b, const struct nl_out *o, uint16_t type, uint16_t flags,
		uint32_t seq) {
	b->len = 0;
	b->overflow = false;
	struct nlmsghdr h = {.nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq,
		.nlmsg_pid = o->pid};
	nlb_put(b, &h, sizeof(h));
}

void nla_put(struct nlb *b, uint16_t type, const void *data, size_t len) {
	struct rtattr a = {.rta_len = (unsigned short) RTA_LENGTH(len), .rta_type = type};
	uint8_t *p = nlb_put(b, &a, sizeof(a));
	if (p && len) {
		uint8_t *d = nlb_put(b, data, len);
		(void) d;
	}
}

void nla_u32(struct nlb *b, uint16_t type, uint32_t v) {
	nla_put(b, type, &v, 4);
}

void nla_u8(struct nlb *b, uint16_t type, uint8_t v) {
	nla_put(b, type, &v, 1);
}

void nlb_end(struct nlb *b, struct nl_out *o) {
	if (b->overflow) {
		o->err = -EMSGSIZE;
		return;
	}
	((struct nlmsghdr *) b->buf)->nlmsg_len = (uint32_t) b->len;
	if (o->keep) {
		memcpy(o->keep->buf, b->buf, b->len);
		o->keep->len = b->len;
		o->keep->overflow = false;
		return;
	}
	out_append(o, b->buf, b->len);
}

void nl_done(struct nl_out *o, const struct nlmsghdr *req) {
	struct nlb b;
	nlb_begin(&b, o, NLMSG_DONE, NLM_F_MULTI, req->nlmsg_seq);
	int zero = 0;
	nlb_put(&b, &zero, sizeof(zero));
	nlb_end(&b, o);
	out_flush(o);
}

void nl_ack(struct nl_out *o, const struct nlmsghdr *req, int err) {
	struct ustack *s = o->sk->s;
	/* Linux netlink_ack: the whole request in an error, the header in an ACK */
	size_t quote = err ? req->nlmsg_len : sizeof(*req);
	size_t len = NLMSG_LENGTH(sizeof(int) + quote);
	struct pbuf *p = pbuf_alloc(&s->pc, NLMSG_ALIGN(len), 0);
	if (p == NULL) {
		o->err = -ENOBUFS;
		return;
	}
	memset(p->data, 0, p->len);
	struct nlmsghdr *h = (struct nlmsghdr *) p->data;
	h->nlmsg_len = (uint32_t) len;
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_flags = err ? 0 : NLM_F_CAPPED;
	h->nlmsg_seq = req->nlmsg_seq;
	h->nlmsg_pid = o->pid;
	struct nlmsgerr *e = NLMSG_DATA(h);
	e->error = err;
	memcpy(&e->msg, req, quote);
	out_flush(o);
	if (sock_queue_rx(o->sk, p) < 0)
		o->err = -ENOBUFS;
}

int nl_batch(struct usock *sk, const uint8_t *buf, size_t len,
		int (*one)(struct nl_out *o, const struct nlmsghdr *h)) {
	struct nl_out o = {.sk = sk, .pid = sk->nl_pid};
	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const struct nlmsghdr *) buf;
		/* Linux netlink_rcv_skb: what does not hold a whole message ends
		 * the batch silently (ip(8) sends its requests from buffers
		 * larger than the message, zeroes after it) */
		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len)
			break;
		/* control messages (below NLMSG_MIN_TYPE) ask for nothing */
		if ((h->nlmsg_flags & NLM_F_REQUEST) && h->nlmsg_type >= NLMSG_MIN_TYPE) {
			int err = one(&o, h);
			out_flush(&o);
			if (err < 0 || (err == 0 && (h->nlmsg_flags & NLM_F_ACK)))
				nl_ack(&o, h, err);
		}
		size_t step = NLMSG_ALIGN(h->nlmsg_len);
		if (step >= len)
			break;
		buf += step;
		len -= step;
	}
	out_flush(&o);
	return o.err;
}

/* --- attributes of a request --- */
#define NL_MAXATTR 64
struct attrs {
	const struct rtattr *a[NL_MAXATTR];
};

static int parse_attrs(const void *p, size_t len, struct attrs *at) {
	memset(at, 0, sizeof(*at));
	const uint8_t *c = p;
	while (len >= sizeof(struct rtattr)) {
		const struct rtattr *a = (const struct rtattr *) c;
		if (a->rta_len < sizeof(struct rtattr) || a->rta_len > len)
			return -EINVAL;
		if (a->rta_type < NL_MAXATTR)
			at->a[a->rta_type] = a;
		size_t step = RTA_ALIGN(a->rta_len);
		if (step >= len)
			break;
		c += step;
		len -= step;
	}
	return 0;
}

/* A request's fixed header (hlen bytes) in *hdr and the attributes after
 * it: -EINVAL when short or malformed. */
static int parse_req(const struct nlmsghdr *h, size_t hlen, const void **hdr, struct attrs *at) {
	if (h->nlmsg_len < NLMSG_LENGTH(hlen))
		return -EINVAL;
	*hdr = NLMSG_DATA(h);
	return parse_attrs((const uint8_t *) *hdr + NLMSG_ALIGN(hlen), h->nlmsg_len - NLMSG_LENGTH(hlen), at);
}

/* a change request parsed: its fixed header and its attributes */
struct rtreq {
	const void *hdr;
	struct attrs at;
};

static size_t alen(const struct rtattr *a) {
	return a ? RTA_PAYLOAD(a) : 0;
}

static int attr_u32(const struct rtattr *a, uint32_t *v) {
	if (alen(a) < 4)
		return -EINVAL;
	memcpy(v, RTA_DATA(a), 4);
	return 0;
}

/* An optional attribute of len bytes (an address) into v: absent, v is
 * left as it is; shorter, -EINVAL. */
static int attr_opt(const struct rtattr *a, void *v, size_t len) {
	if (a == NULL)
		return 0;
	if (alen(a) < len)
		return -EINVAL;
	memcpy(v, RTA_DATA(a), len);
	return 0;
}

/* An interface name given as IFLA_IFNAME into name (Linux
 * dev_valid_name: shorter than IFNAMSIZ, no '/' nor blank; empty only
 * where empty_ok, which leaves name empty). */
static int attr_ifname(const struct rtattr *a, char name[IFNAMSIZ], bool empty_ok) {
	const char *n = RTA_DATA(a);
	size_t nl = strnlen(n, alen(a));
	if ((nl == 0 && !empty_ok) || nl >= IFNAMSIZ || strchr(n, '/') || memchr(n, ' ', nl))
		return -EINVAL;
	memcpy(name, n, nl);
	name[nl] = 0;
	return 0;
}

/* --- links --- */

static unsigned link_flags(const struct netif *ifp) {
	return ifp->flags;
}

static void fill_link(struct nl_out *o, const struct netif *ifp, uint16_t type, uint16_t flags,
		uint32_t seq) {
	struct nlb b;
	nlb_begin(&b, o, type, flags, seq);
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_type = ifp->type,
		.ifi_index = ifp->index,
		.ifi_flags = link_flags(ifp),
	};
	nlb_put(&b, &ifi, sizeof(ifi));
	nla_put(&b, IFLA_IFNAME, ifp->name, strlen(ifp->name) + 1);
	nla_u32(&b, IFLA_TXQLEN, ifp->type == ARPHRD_ETHER ? 1000 : 1000);
	uint8_t oper = ifp->type == ARPHRD_LOOPBACK ? IF_OPER_UNKNOWN
			: (ifp->flags & IFF_UP) ? IF_OPER_UP : IF_OPER_DOWN;
	nla_u8(&b, IFLA_OPERSTATE, oper);
	nla_u8(&b, IFLA_LINKMODE, 0);
	nla_u32(&b, IFLA_MTU, ifp->mtu);
	nla_u32(&b, IFLA_MIN_MTU, 68);
	nla_u32(&b, IFLA_MAX_MTU, ifp->type == ARPHRD_LOOPBACK ? LOOP_MTU : 65535);
	nla_u32(&b, IFLA_GROUP, 0);
	nla_u32(&b, IFLA_PROMISCUITY, 0);
	nla_u8(&b, IFLA_CARRIER, (ifp->flags & IFF_UP) ? 1 : 0);
	static const uint8_t zero[6], bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	nla_put(&b, IFLA_ADDRESS, ifp->type == ARPHRD_ETHER ? ifp->mac : zero, 6);
	nla_put(&b, IFLA_BROADCAST, ifp->type == ARPHRD_ETHER ? bcast : zero, 6);
	const struct netif_stats *st = &ifp->st;
	struct rtnl_link_stats s32 = {
		.rx_packets = (uint32_t) st->rx_packets, .tx_packets = (uint32_t) st->tx_packets,
		.rx_bytes = (uint32_t) st->rx_bytes, .tx_bytes = (uint32_t) st->tx_bytes,
		.rx_errors = (uint32_t) st->rx_errors, .tx_errors = (uint32_t) st->tx_errors,
		.rx_dropped = (uint32_t) st->rx_dropped, .tx_dropped = (uint32_t) st->tx_dropped,
		.multicast = (uint32_t) st->multicast,
		.rx_length_errors = (uint32_t) st->rx_length_errors,
		.rx_crc_errors = (uint32_t) st->rx_crc_errors,
		.rx_frame_errors = (uint32_t) st->rx_frame_errors,
		.rx_nohandler = (uint32_t) st->rx_nohandler,
	};
	nla_put(&b, IFLA_STATS, &s32, sizeof(s32));
	struct rtnl_link_stats64 s64 = {
		.rx_packets = st->rx_packets, .tx_packets = st->tx_packets,
		.rx_bytes = st->rx_bytes, .tx_bytes = st->tx_bytes,
		.rx_errors = st->rx_errors, .tx_errors = st->tx_errors,
		.rx_dropped = st->rx_dropped, .tx_dropped = st->tx_dropped,
		.multicast = st->multicast,
		.rx_length_errors = st->rx_length_errors,
		.rx_crc_errors = st->rx_crc_errors,
		.rx_frame_errors = st->rx_frame_errors,
		.rx_nohandler = st->rx_nohandler,
	};
	nla_put(&b, IFLA_STATS64, &s64, sizeof(s64));
	if (ifp->ops && ifp->ops->kind && strcmp(ifp->ops->kind, "vde") == 0) {
		/* a device of a link kind: IFLA_LINKINFO { IFLA_INFO_KIND "vde" } */
		struct {
			struct rtattr kind;
			char name[4];
		} li = {.kind = {.rta_len = RTA_LENGTH(4), .rta_type = IFLA_INFO_KIND}, .name = "vde"};
		nla_put(&b, IFLA_LINKINFO, &li, sizeof(li));
	}
	nlb_end(&b, o);
}

/* the link a request names: by index, else by IFLA_IFNAME */
static struct netif *find_link(struct ustack *s, const struct rtreq *rq, int *err) {
	const struct ifinfomsg *ifi = rq->hdr;
	const struct attrs *at = &rq->at;
	if (ifi->ifi_index > 0) {
		struct netif *ifp = netif_by_index(s, ifi->ifi_index);
		*err = ifp ? 0 : -ENODEV;
		return ifp;
	}
	const struct rtattr *n = at->a[IFLA_IFNAME];
	if (n) {
		char name[IFNAMSIZ] = "";
		size_t l = alen(n) < IFNAMSIZ - 1 ? alen(n) : IFNAMSIZ - 1;
		memcpy(name, RTA_DATA(n), l);
		struct netif *ifp = netif_by_name(s, name);
		*err = ifp ? 0 : -ENODEV;
		return ifp;
	}
	*err = -EINVAL;
	return NULL;
}

static int link_get(struct nl_out *o, const struct nlmsghdr *h, const struct rtreq *unparsed) {
	(void) unparsed;
	struct ustack *s = o->sk->s;
	if (h->nlmsg_flags & NLM_F_DUMP) {
		for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
			fill_link(o, ifp, RTM_NEWLINK, NLM_F_MULTI, h->nlmsg_seq);
		nl_done(o, h);
		return 0;
	}
	struct rtreq req;
	int err = parse_req(h, sizeof(struct ifinfomsg), &req.hdr, &req.at);
	if (err < 0)
		return err;
	struct netif *ifp = find_link(s, &req, &err);
	if (ifp == NULL)
		return err;
	fill_link(o, ifp, RTM_NEWLINK, 0, h->nlmsg_seq);
	out_flush(o);
	return 0;
}

/* RTM_NEWLINK with IFLA_LINKINFO, kind "vde" (nlinline_iplink_add): an
 * Ethernet interface on the VNL given as IFLA_INFO_DATA. With
 * IFLA_NEW_IFINDEX (nlinline's ifindex -1) the answer is the new link
 * (RTM_NEWLINK, whose index nlinline returns) instead of an ACK: returns
 * 1 then. */
static int link_create(struct nl_out *o, const struct nlmsghdr *h, const struct ifinfomsg *ifi,
		const struct attrs *at) {
	struct ustack *s = o->sk->s;
	if (at->a[IFLA_LINKINFO] == NULL)
		return at->a[IFLA_IFNAME] ? -EOPNOTSUPP : -EINVAL;
	struct attrs li;
	if (parse_attrs(RTA_DATA(at->a[IFLA_LINKINFO]), alen(at->a[IFLA_LINKINFO]), &li) < 0)
		return -EINVAL;
	const struct rtattr *k = li.a[IFLA_INFO_KIND], *d = li.a[IFLA_INFO_DATA];
	if (k == NULL)
		return -EINVAL;
	if (strnlen(RTA_DATA(k), alen(k)) != 3 || memcmp(RTA_DATA(k), "vde", 3) != 0)
		return -EOPNOTSUPP;   /* Linux: no such kind of link */
	char vnl[1024];
	size_t vl = d ? strnlen(RTA_DATA(d), alen(d)) : 0;
	if (vl == 0 || vl >= sizeof(vnl))
		return -EINVAL;
	memcpy(vnl, RTA_DATA(d), vl);
	vnl[vl] = 0;
	/* Linux __rtnl_newlink: no name or an empty one, the kind's next */
	char name[IFNAMSIZ] = "";
	if (at->a[IFLA_IFNAME] && attr_ifname(at->a[IFLA_IFNAME], name, true) < 0)
		return -EINVAL;
	int idx = netif_create_vde(s, name[0] ? name : NULL, ifi->ifi_index > 0 ? ifi->ifi_index : 0, vnl);
	if (idx < 0)
		return idx;
	rtnl_notify(s, NET_EV_LINK, netif_by_index(s, idx), NULL, RTM_NEWLINK);
	if (at->a[IFLA_NEW_IFINDEX] == NULL)
		return 0;
	fill_link(o, netif_by_index(s, idx), RTM_NEWLINK, 0, h->nlmsg_seq);
	out_flush(o);
	return 1;
}

static int link_set(struct nl_out *o, const struct nlmsghdr *h, const struct rtreq *rq) {
	struct ustack *s = o->sk->s;
	const struct ifinfomsg *ifi = rq->hdr;
	const struct attrs *at = &rq->at;
	int err;
	struct netif *ifp = find_link(s, rq, &err);
	if (ifp == NULL) {
		/* creating links (ip link add TYPE) */
		if (h->nlmsg_type == RTM_NEWLINK && (h->nlmsg_flags & NLM_F_CREATE))
			return link_create(o, h, ifi, at);
		/* Linux rtnl_newlink: no such device, named or not; ip(8)
		 * probes RTM_NEWLINK so, and falls back to ioctls on EINVAL */
		return h->nlmsg_type == RTM_NEWLINK ? -ENODEV : err;
	}
	if (h->nlmsg_type == RTM_NEWLINK && (h->nlmsg_flags & NLM_F_CREATE) &&
			(h->nlmsg_flags & NLM_F_EXCL))
		return -EEXIST;
	/* validate everything first: Linux applies a request whole or not */
	uint32_t mtu = 0;
	if (at->a[IFLA_MTU]) {
		if (attr_u32(at->a[IFLA_MTU], &mtu) < 0 || !netif_mtu_valid(ifp, mtu))
			return -EINVAL;
	}
	const uint8_t *mac = NULL;
	if (at->a[IFLA_ADDRESS]) {
		if (alen(at->a[IFLA_ADDRESS]) < 6)
			return -EINVAL;
		if (ifp->type != ARPHRD_ETHER)
			return -EOPNOTSUPP;
		mac = RTA_DATA(at->a[IFLA_ADDRESS]);
		static const uint8_t zero[6];
		if ((mac[0] & 1) || memcmp(mac, zero, 6) == 0)
			return -EADDRNOTAVAIL;
	}
	char newname[IFNAMSIZ] = "";
	if (at->a[IFLA_IFNAME] && ifi->ifi_index > 0) {
		if (attr_ifname(at->a[IFLA_IFNAME], newname, false) < 0)
			return -EINVAL;
		struct netif *other = netif_by_name(s, newname);
		if (other && other != ifp)
			return -EEXIST;
	}
	if (at->a[IFLA_MTU])
		netif_set_mtu(ifp, mtu);
	if (mac)
		netif_set_mac(ifp, mac);
	if (newname[0] && strcmp(newname, ifp->name) != 0) {
		memcpy(ifp->name, newname, IFNAMSIZ);
		rtnl_notify(s, NET_EV_LINK, ifp, NULL, RTM_NEWLINK);
	}
	if (ifi->ifi_flags || ifi->ifi_change) {
		/* Linux rtnl_dev_combine_flags: ifi_change 0 means "all bits" */
		unsigned f = ifi->ifi_change ? ((ifi->ifi_flags & ifi->ifi_change) |
				(ifp->flags & ~ifi->ifi_change)) : ifi->ifi_flags;
		netif_set_up(ifp, !!(f & IFF_UP));
	}
	return 0;
}

static int link_del(struct nl_out *o, const struct nlmsghdr *h, const struct rtreq *rq) {
	struct ustack *s = o->sk->s;
	int err;
	struct netif *ifp = find_link(s, rq, &err);
	if (ifp == NULL)
		return err;
	/* Linux: a device without rtnl_link_ops (lo) cannot be deleted */
	if ((err = netif_detach(ifp)) < 0)
		return err;
	/* sockets that used it, as Linux's notifiers: packet sockets bound
	 * to it stop and get ENETDOWN, memberships through it are gone */
	for (struct usock *sk = s->socks; sk; sk = sk->next) {
		if (sk->domain == AF_PACKET && sk->pk_ifindex == ifp->index) {
			sk->pk_ifindex = -1;
			sock_set_error(sk, ENETDOWN);
		}
		for (int i = 0; i < sk->nmcs;)
			if (sk->mcs[i].ifindex == ifp->index)
				sk->mcs[i] = sk->mcs[--sk->nmcs];
			else
				i++;
		for (int i = 0; i < sk->nmcs6;)
			if (sk->mcs6[i].ifindex == ifp->index)
				sk->mcs6[i] = sk->mcs6[--sk->nmcs6];
			else
				i++;
	}
	/* out of the runtime without the lock: the event thread may be
	 * waiting for it with a frame of this interface (down: dropped) */
	stack_unlock(s);
	link_stop(ifp);
	stack_lock(s);
	rtnl_notify(s, NET_EV_LINK, ifp, NULL, RTM_DELLINK);
	netif_free(ifp);
	return 0;
}

/* --- addresses --- */

static void fill_addr(struct nl_out *o, const struct netif *ifp, const struct ifaddr4 *a,
		uint16_t type, uint16_t flags, uint32_t seq) {
	struct nlb b;
	nlb_begin(&b, o, type, flags, seq);
	/* Linux: an address in the subnet of an earlier one is secondary */
	uint32_t fl = IFA_F_PERMANENT;
	for (const struct ifaddr4 *p = ifp->addrs; p && p != a; p = p->next)
		if (p->plen == a->plen && (p->addr & p->mask) == (a->addr & a->mask))
			fl |= IFA_F_SECONDARY;
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET,
		.ifa_prefixlen = a->plen,
		.ifa_flags = (uint8_t) fl,
		.ifa_scope = ipv4_is_loopback(a->addr) ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE,
		.ifa_index = (uint32_t) ifp->index,
	};
	nlb_put(&b, &ifa, sizeof(ifa));
	nla_put(&b, IFA_ADDRESS, &a->addr, 4);
	nla_put(&b, IFA_LOCAL, &a->addr, 4);
	if (a->bcast)
		nla_put(&b, IFA_BROADCAST, &a->bcast, 4);
	nla_put(&b, IFA_LABEL, ifp->name, strlen(ifp->name) + 1);
	nla_u32(&b, IFA_FLAGS, fl);
	/* lifetimes: forever (ip shows valid_lft/preferred_lft) */
	struct ifa_cacheinfo ci = {.ifa_prefered = 0xffffffffu, .ifa_valid = 0xffffffffu};
	nla_put(&b, IFA_CACHEINFO, &ci, sizeof(ci));
	nlb_end(&b, o);
}

static void fill_addr6(struct nl_out *o, const struct netif *ifp, const struct ifaddr6 *a,
		uint16_t type, uint16_t flags, uint32_t seq) {
	struct nlb b;
	nlb_begin(&b, o, type, flags, seq);
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET6,
		.ifa_prefixlen = a->plen,
		.ifa_flags = a->flags,
		.ifa_scope = ip6_addr_is_loopback(a->addr) ? RT_SCOPE_HOST
				: ip6_addr_is_linklocal(a->addr) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
		.ifa_index = (uint32_t) ifp->index,
	};
	nlb_put(&b, &ifa, sizeof(ifa));
	nla_put(&b, IFA_ADDRESS, a->addr, 16);
	nla_u32(&b, IFA_FLAGS, a->flags);
	/* lifetimes left in seconds, times in hundredths since boot (Linux
	 * put_cacheinfo); SLAAC addresses have finite ones */
	uint64_t now = rt_now();
	struct ifa_cacheinfo ci = {
		.ifa_prefered = a->pref_until == 0 ? 0xffffffffu
				: a->pref_until > now ? (uint32_t) ((a->pref_until - now) / MS(1000)) : 0,
		.ifa_valid = a->valid_until == 0 ? 0xffffffffu
				: a->valid_until > now ? (uint32_t) ((a->valid_until - now) / MS(1000)) : 0,
		.cstamp = (uint32_t) (a->cstamp / MS(10)),
		.tstamp = (uint32_t) (a->tstamp / MS(10)),
	};
	nla_put(&b, IFA_CACHEINFO, &ci, sizeof(ci));
	nlb_end(&b, o);
}

static int addr_get(struct nl_out *o, const struct nlmsghdr *h, const struct rtreq *rq) {
	(void) rq;
	struct ustack *s = o->sk->s;
	int family = AF_UNSPEC;
	if (h->nlmsg_len >= NLMSG_LENGTH(1))
		family = ((const uint8_t *) NLMSG_DATA(h))[0];
	if (!(h->nlmsg_flags & NLM_F_DUMP))
		return -EOPNOTSUPP;  /* Linux has no "get one address" for IPv4 */
	if (family == AF_UNSPEC || family == AF_INET)
		for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
			for (struct ifaddr4 *a = ifp->addrs; a; a = a->next)
				fill_addr(o, ifp, a, RTM_NEWADDR, NLM_F_MULTI, h->nlmsg_seq);
	if (family == AF_UNSPEC || family == AF_INET6)
		for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
			for (struct ifaddr6 *a = ifp->addrs6; a; a = a->next)
				fill_addr6(o, ifp, a, RTM_NEWADDR, NLM_F_MULTI, h->nlmsg_seq);
	nl_done(o, h);
	return 0;
}

static int addr_change(struct nl_out *o, const struct nlmsghdr *h, const struct rtreq *rq) {
	struct ustack *s = o->sk->s;
	const struct ifaddrmsg *ifa = rq->hdr;
	const struct attrs *at = &rq->at;
	if (ifa->ifa_family == AF_INET6) {
		const struct rtattr *a6 = at->a[IFA_LOCAL] ? at->a[IFA_LOCAL] : at->a[IFA_ADDRESS];
		if (alen(a6) < 16 || ifa->ifa_prefixlen > 128)
			return -EINVAL;
		struct netif *ifp6 = netif_by_index(s, (int) ifa->ifa_index);
		if (ifp6 == NULL)
			return -ENODEV;
		uint32_t fl = ifa->ifa_flags;
		if (at->a[IFA_FLAGS])
			attr_u32(at->a[IFA_FLAGS], &fl);
		if (h->nlmsg_type == RTM_NEWADDR)
			return ip6_addr_add(ifp6, RTA_DATA(a6), ifa->ifa_prefixlen, (uint8_t) (fl & IFA6_NODAD),
					!!(h->nlmsg_flags & NLM_F_EXCL));
		return ip6_addr_del(ifp6, RTA_DATA(a6), ifa->ifa_prefixlen);
	}
	if (ifa->ifa_family != AF_INET)
		return -EAFNOSUPPORT;
	const struct rtattr *la = at->a[IFA_LOCAL] ? at->a[IFA_LOCAL] : at->a[IFA_ADDRESS];
	if (alen(la) < 4)
		return -EINVAL;
	if (ifa->ifa_prefixlen > 32)
		return -EINVAL;
	struct netif *ifp = netif_by_index(s, (int) ifa->ifa_index);
	if (ifp == NULL)
		return -ENODEV;
	uint32_t addr, bcast = 0;
	memcpy(&addr, RTA_DATA(la), 4);
	if (alen(at->a[IFA_BROADCAST]) >= 4)
		memcpy(&bcast, RTA_DATA(at->a[IFA_BROADCAST]), 4);
	if (h->nlmsg_type == RTM_NEWADDR) {
		if (ipv4_is_multicast(addr) || addr == 0xffffffffu)
			return -EINVAL;
		return ip4_addr_add(ifp, addr, ifa->ifa_prefixlen, bcast, !!(h->nlmsg_flags & NLM_F_EXCL));
	}
	return ip4_addr_del(ifp, addr, ifa->ifa_prefixlen);
}

/* --- routes --- */

/* A route message's start (all in the main table): its rtmsg, RTA_TABLE
 * and, but for a default route (plen 0), RTA_DST. */
static void route_begin(struct nlb *b, struct nl_out *o, uint16_t type, uint16_t flags, uint32_t seq,
		uint8_t family, uint8_t plen, uint8_t protocol, uint8_t scope, uint8_t rtype,
		unsigned rflags, const void *dst) {
	nlb_begin(b, o, type, flags, seq);
	struct rtmsg rtm = {
		.rtm_family = family,
		.rtm_dst_len = plen,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = protocol,
		.rtm_scope = scope,
		.rtm_type = rtype,
		.rtm_flags = rflags,
	};
	nlb_put(b, &rtm, sizeof(rtm));
	nla_u32(b, RTA_TABLE, RT_TABLE_MAIN);
	if (plen)
		nla_put(b, RTA_DST, dst, family == AF_INET ? 4 : 16);
}

static void fill_route(struct nl_out *o, const struct route4 *r, uint16_t type, uint16_t flags,
		uint32_t seq) {
	struct nlb b;
	route_begin(&b, o, type, flags, seq, AF_INET, r->n.plen, r->n.protocol, r->scope, RTN_UNICAST, 0,
			&r->dst);
	if (r->n.metric)
		nla_u32(&b, RTA_PRIORITY, r->n.metric);
	if (r->prefsrc)
		nla_put(&b, RTA_PREFSRC, &r->prefsrc, 4);
	if (r->gw)
		nla_put(&b, RTA_GATEWAY, &r->gw, 4);
	nla_u32(&b, RTA_OIF, (uint32_t) r->n.oif);
	nlb_end(&b, o);
}

static void fill_route6(struct nl_out *o, const struct route6 *r, uint16_t type, uint16_t flags,
		uint32_t seq) {
	struct nlb b;
	route_begin(&b, o, type, flags, seq, AF_INET6, r->n.plen, r->n.protocol, RT_SCOPE_UNIVERSE,
			RTN_UNICAST, 0, r->dst);
	nla_u32(&b, RTA_PRIORITY, r->n.metric);
	if (r->has_gw)
		nla_put(&b, RTA_GATEWAY, r->gw, 16);
	nla_u32(&b, RTA_OIF, (uint32_t) r->n.oif);
	/* Linux rt6_fill_node: the expiry in USER_HZ (100) ticks, and the
	 * router preference (medium: RFC 4191 is not done) */
	uint64_t now = rt_now();
	struct rta_cacheinfo ci = {
		.rta_expires = r->expires == 0 ? 0 : r->expires > now ? (uint32_t) ((r->expires - now) / MS(10)) : 0,
	};
	nla_put(&b, RTA_CACHEINFO, &ci, sizeof(ci));
	nla_u8(&b, RTA_PREF, 0);
	nlb_end(&b, o);
}

static int route_get(struct nl_out *o, const struct nlmsghdr *h, const struct rtreq *rq) {
	(void) rq;
	struct ustack *s = o->sk->s;
	if (h->nlmsg_flags & NLM_F_DUMP) {
		int family = h->nlmsg_len >= NLMSG_LENGTH(1) ? ((const uint8_t *) NLMSG_DATA(h))[0] : 0;
		if (family == AF_UNSPEC || family == AF_INET)
			for (struct route4 *r = route4_of(s->routes4); r; r = route4_of(r->n.next))
				fill_route(o, r, RTM_NEWROUTE, NLM_F_MULTI, h->nlmsg_seq);
		if (family == AF_UNSPEC || family == AF_INET6)
			for (struct route6 *r = route6_of(s->routes6); r; r = route6_of(r->n.next))
				fill_route6(o, r, RTM_NEWROUTE, NLM_F_MULTI, h->nlmsg_seq);
		nl_done(o, h);
		return 0;
	}
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return -EINVAL;
	const struct rtmsg *rtm = NLMSG_DATA(h);
	if (rtm->rtm_family != AF_INET)
		return -EAFNOSUPPORT;
	struct attrs at;
	int err = parse_attrs(RTM_RTA(rtm), h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm)), &at);
	if (err < 0)
		return err;
	uint32_t dst = 0, oif = 0;
	if (attr_opt(at.a[RTA_DST], &dst, 4) < 0 || attr_opt(at.a[RTA_OIF], &oif, 4) < 0)
		return -EINVAL;
	struct ip4_route_res res;
	err = route4_lookup(s, dst, (int) oif, &res);
	if (err < 0)
		return err;
	/* `ip route get`: the resolved route, as a host route */
	struct nlb b;
	uint8_t rtype = res.local ? RTN_LOCAL : res.bcast ? RTN_BROADCAST
			: res.mcast ? RTN_MULTICAST : RTN_UNICAST;
	route_begin(&b, o, RTM_NEWROUTE, 0, h->nlmsg_seq, AF_INET, 32, RTPROT_UNSPEC, RT_SCOPE_UNIVERSE,
			rtype, RTM_F_CLONED, &dst);
	nla_u32(&b, RTA_OIF, (uint32_t) res.ifp->index);
	if (res.src)
		nla_put(&b, RTA_PREFSRC, &res.src, 4);
	if (res.nexthop != dst)
		nla_put(&b, RTA_GATEWAY, &res.nexthop, 4);
	nlb_end(&b, o);
	out_flush(o);
	return 0;
}

static int route_change(struct nl_out *o, const struct nlmsghdr *h, const struct rtreq *rq) {
	struct ustack *s = o->sk->s;
	const struct rtmsg *rtm = rq->hdr;
	const struct attrs *at = &rq->at;
	if (rtm->rtm_family == AF_INET6) {
		uint8_t dst6[16] = {0}, gw6[16] = {0};
		uint32_t oif6 = 0, metric6 = 0;
		if (attr_opt(at->a[RTA_DST], dst6, 16) < 0 || attr_opt(at->a[RTA_GATEWAY], gw6, 16) < 0 ||
				attr_opt(at->a[RTA_OIF], &oif6, 4) < 0 || attr_opt(at->a[RTA_PRIORITY], &metric6, 4) < 0)
			return -EINVAL;
		if (rtm->rtm_dst_len > 128)
			return -EINVAL;
		if (h->nlmsg_type == RTM_DELROUTE)
			return route6_del(s, dst6, rtm->rtm_dst_len, at->a[RTA_GATEWAY] ? gw6 : NULL, (int) oif6);
		return route6_add(s, dst6, rtm->rtm_dst_len, at->a[RTA_GATEWAY] ? gw6 : NULL, (int) oif6, metric6,
				rtm->rtm_protocol ? rtm->rtm_protocol : RTPROT_BOOT, !!(h->nlmsg_flags & NLM_F_EXCL));
	}
	if (rtm->rtm_family != AF_INET)
		return -EAFNOSUPPORT;
	if (rtm->rtm_dst_len > 32)
		return -EINVAL;
	uint32_t dst = 0, gw = 0, oif = 0, metric = 0, prefsrc = 0;
	if (attr_opt(at->a[RTA_DST], &dst, 4) < 0 || attr_opt(at->a[RTA_GATEWAY], &gw, 4) < 0 ||
			attr_opt(at->a[RTA_PREFSRC], &prefsrc, 4) < 0 || attr_opt(at->a[RTA_OIF], &oif, 4) < 0 ||
			attr_opt(at->a[RTA_PRIORITY], &metric, 4) < 0)
		return -EINVAL;
	if (h->nlmsg_type == RTM_DELROUTE)
		return route4_del(s, dst, rtm->rtm_dst_len, gw, (int) oif, true);
	if (rtm->rtm_type != RTN_UNICAST && rtm->rtm_type != RTN_UNSPEC)
		return -EOPNOTSUPP;
	return route4_add(s, dst, rtm->rtm_dst_len, gw, (int) oif, metric,
			rtm->rtm_protocol ? rtm->rtm_protocol : RTPROT_BOOT, prefsrc,
			!!(h->nlmsg_flags & NLM_F_EXCL));
}

/* --- neighbours --- */

static void fill_neigh(struct nl_out *o, const struct netif *ifp, const struct neigh *n, int family,
		uint16_t type, uint16_t flags, uint32_t seq) {
	struct nlb b;
	nlb_begin(&b, o, type, flags, seq);
	struct ndmsg nd = {
		.ndm_family = (uint8_t) family,
		.ndm_ifindex = ifp->index,
		.ndm_state = n->state,
		.ndm_flags = n->router ? NTF_ROUTER : 0,
		.ndm_type = RTN_UNICAST,
	};
	nlb_put(&b, &nd, sizeof(nd));
	nla_put(&b, NDA_DST, n->ip6, family == AF_INET ? 4 : 16);
	if (n->state != NUD_INCOMPLETE && n->state != NUD_FAILED)
		nla_put(&b, NDA_LLADDR, n->mac, 6);
	nlb_end(&b, o);
}

static void neigh_dump(struct nl_out *o, const struct nlmsghdr *h, int family) {
	for (struct netif *ifp = o->sk->s->ifaces; ifp; ifp = ifp->next)
		for (struct neigh *n = family == AF_INET ? ifp->neigh : ifp->neigh6; n; n = n->next)
			fill_neigh(o, ifp, n, family, RTM_NEWNEIGH, NLM_F_MULTI, h->nlmsg_seq);
}

/* ip neigh add / replace / change / del: entries set by hand */
static int neigh_change(struct nl_out *o, const struct nlmsghdr *h, const struct rtreq *rq) {
	struct ustack *s = o->sk->s;
	const struct ndmsg *nd = rq->hdr;
	const struct attrs *at = &rq->at;
	const struct neigh_ops *ops = neigh_family_ops(nd->ndm_family);
	if (ops == NULL)
		return -EAFNOSUPPORT;
	/* Linux neigh_add / neigh_delete: the address is required and of
	 * the family's length; the device too */
	if (at->a[NDA_DST] == NULL || alen(at->a[NDA_DST]) < ops->alen)
		return -EINVAL;
	struct netif *ifp = nd->ndm_ifindex > 0 ? netif_by_index(s, nd->ndm_ifindex) : NULL;
	if (ifp == NULL)
		return nd->ndm_ifindex > 0 ? -ENODEV : -EINVAL;
	if (ifp->type != ARPHRD_ETHER)
		return -EINVAL;
	if (h->nlmsg_type == RTM_DELNEIGH)
		return neigh_admin_del(ops, ifp, RTA_DATA(at->a[NDA_DST]));
	uint16_t state = nd->ndm_state ? nd->ndm_state : NUD_PERMANENT;
	if (state != NUD_PERMANENT && state != NUD_NOARP && state != NUD_REACHABLE && state != NUD_STALE)
		return -EINVAL;
	/* the link address: required here (an entry without one cannot be
	 * used); of the device's length */
	if (at->a[NDA_LLADDR] == NULL || alen(at->a[NDA_LLADDR]) < 6)
		return -EINVAL;
	return neigh_admin_set(ops, ifp, RTA_DATA(at->a[NDA_DST]), RTA_DATA(at->a[NDA_LLADDR]), state,
			!!(h->nlmsg_flags & NLM_F_CREATE), !!(h->nlmsg_flags & NLM_F_EXCL));
}

static int neigh_get(struct nl_out *o, const struct nlmsghdr *h, const struct rtreq *rq) {
	(void) rq;
	if (!(h->nlmsg_flags & NLM_F_DUMP))
		return -EOPNOTSUPP;
	int family = h->nlmsg_len >= NLMSG_LENGTH(1) ? ((const uint8_t *) NLMSG_DATA(h))[0] : 0;
	if (family == AF_UNSPEC || family == AF_INET)
		neigh_dump(o, h, AF_INET);
	if (family == AF_UNSPEC || family == AF_INET6)
		neigh_dump(o, h, AF_INET6);
	nl_done(o, h);
	return 0;
}

/* --- notifications --- */

static bool nl_listening(struct ustack *s, int group) {
	return (s->nl_listen & (1u << (group - 1))) != 0;
}

/* m to every netlink socket of s in group; a full receive queue loses
 * it and tells its reader with ENOBUFS, as Linux netlink_overrun */
static void nl_broadcast(struct ustack *s, int group, const struct nlb *m) {
	if (m->len == 0)
		return;
	for (struct usock *sk = s->socks; sk; sk = sk->next) {
		if (sk->domain != AF_NETLINK || sk->protocol != NETLINK_ROUTE ||
				!(sk->nl_groups & (1u << (group - 1))) || sk->closing)
			continue;
		struct pbuf *p = pbuf_alloc(&s->pc, m->len, 0);
		if (p == NULL || (memcpy(p->data, m->buf, m->len), sock_queue_rx(sk, p)) < 0) {
			if (!sk->nl_no_enobufs)
				sock_set_error(sk, ENOBUFS);
		}
	}
}

/* Every notification (net/proto.h's net_notify_fn, registered by
 * netlink_register): built, only when a socket listens to the group of
 * its kind, by that kind's fill, then sent to the group. */
void rtnl_notify(struct ustack *s, enum net_event ev, const struct netif *ifp, const void *obj,
		uint16_t type) {
	static const int groups[] = {
		[NET_EV_LINK] = RTNLGRP_LINK, [NET_EV_ADDR4] = RTNLGRP_IPV4_IFADDR,
		[NET_EV_ADDR6] = RTNLGRP_IPV6_IFADDR, [NET_EV_ROUTE4] = RTNLGRP_IPV4_ROUTE,
		[NET_EV_ROUTE6] = RTNLGRP_IPV6_ROUTE, [NET_EV_NEIGH] = RTNLGRP_NEIGH,
	};
	if ((unsigned) ev >= sizeof(groups) / sizeof(groups[0]) || !nl_listening(s, groups[ev]))
		return;
	struct nlb m = {.len = 0};
	struct nl_out o = {.keep = &m};
	switch (ev) {
	case NET_EV_LINK:
		fill_link(&o, ifp, type, 0, 0);
		break;
	case NET_EV_ADDR4:
		fill_addr(&o, ifp, obj, type, 0, 0);
		break;
	case NET_EV_ADDR6:
		fill_addr6(&o, ifp, obj, type, 0, 0);
		break;
	case NET_EV_ROUTE4:
		fill_route(&o, obj, type, 0, 0);
		break;
	case NET_EV_ROUTE6:
		fill_route6(&o, obj, type, 0, 0);
		break;
	case NET_EV_NEIGH: {
		const struct neigh *n = obj;
		fill_neigh(&o, ifp, n, n->ops->alen == 4 ? AF_INET : AF_INET6, type, 0, 0);
		break;
	}
	}
	nl_broadcast(s, groups[ev], &m);
}

/* RTM_GETNSID (ip monitor asks it for every name in /var/run/netns): a
 * stack has no other namespaces, so none has an id here: Linux's answer
 * for a namespace without one, NETNSA_NSID -1; a dump is empty. */
static int nsid_get(struct nl_out *o, const struct nlmsghdr *h, const struct rtreq *rq) {
	(void) rq;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtgenmsg)))
		return -EINVAL;
	if (h->nlmsg_flags & NLM_F_DUMP) {
		nl_done(o, h);
		return 0;
	}
	struct nlb b;
	nlb_begin(&b, o, RTM_NEWNSID, 0, h->nlmsg_seq);
	struct rtgenmsg g = {.rtgen_family = AF_UNSPEC};
	nlb_put(&b, &g, sizeof(g));
	nla_u32(&b, NETNSA_NSID, (uint32_t) NETNSA_NSID_NOT_ASSIGNED);
	nlb_end(&b, o);
	out_flush(o);
	return 0;
}

/* The handlers of each kind of object, whose request types are its
 * RTM_NEW* and the next ones (rtnetlink(7)): NEW, DEL, GET and, for
 * links, SET. A change request (NEW, DEL, SET) is parsed before, with
 * its fixed header of hlen bytes: -EINVAL when short or malformed. A
 * GET is not (a dump may send a shorter header). */
typedef int rtnl_fn(struct nl_out *o, const struct nlmsghdr *h, const struct rtreq *r);
static const struct {
	uint16_t type;
	size_t hlen;
	rtnl_fn *get, *change, *del, *set;
} rtnl_kinds[] = {
	{RTM_NEWLINK, sizeof(struct ifinfomsg), link_get, link_set, link_del, link_set},
	{RTM_NEWADDR, sizeof(struct ifaddrmsg), addr_get, addr_change, addr_change, NULL},
	{RTM_NEWROUTE, sizeof(struct rtmsg), route_get, route_change, route_change, NULL},
	{RTM_NEWNEIGH, sizeof(struct ndmsg), neigh_get, neigh_change, neigh_change, NULL},
	{RTM_NEWNSID, 0, nsid_get, NULL, NULL, NULL},
};

static int rtnl_one(struct nl_out *o, const struct nlmsghdr *h) {
	for (size_t i = 0; i < sizeof(rtnl_kinds) / sizeof(rtnl_kinds[0]); i++) {
		if ((h->nlmsg_type & ~3) != rtnl_kinds[i].type)
			continue;
		int op = h->nlmsg_type & 3;
		rtnl_fn *fn = op == 0 ? rtnl_kinds[i].change : op == 1 ? rtnl_kinds[i].del
				: op == 2 ? rtnl_kinds[i].get : rtnl_kinds[i].set;
		if (fn == NULL)
			return -EOPNOTSUPP;
		struct rtreq r = {NULL, {{NULL}}};
		if (op != 2) {
			int err = parse_req(h, rtnl_kinds[i].hlen, &r.hdr, &r.at);
			if (err < 0)
				return err;
		}
		return fn(o, h, &r);
	}
	return -EOPNOTSUPP;
}

static int rtnl_request(struct nl_out *o, const struct nlmsghdr *h) {
	int err = rtnl_one(o, h);
	/* NLM_F_DUMP shares bits with NLM_F_EXCL: it means "dump" only for
	 * GET requests (Linux rtnetlink_rcv_msg); a dump is not ACKed */
	bool dump = ((h->nlmsg_type - RTM_BASE) & 3) == 2 && (h->nlmsg_flags & NLM_F_DUMP);
	return err == 0 && dump ? 1 : err;
}

/* Process a batch written to the socket. Returns 0 or -ENOBUFS when the
 * replies did not fit the receive buffer (Linux: ENOBUFS on the reader). */
int rtnl_input(struct usock *sk, const uint8_t *buf, size_t len) {
	return nl_batch(sk, buf, len, rtnl_request);
}
