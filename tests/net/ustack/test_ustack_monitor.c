/* SPDX-License-Identifier: LGPL-2.1-or-later
 * rtnetlink notifications of ustack, as `ip monitor` reads them: a
 * netlink socket of the stack joins RTNLGRP_LINK, IPV4_IFADDR and
 * IPV4_ROUTE with bind's nl_groups and IPV6_IFADDR, IPV6_ROUTE and NEIGH
 * with NETLINK_ADD_MEMBERSHIP; changes made through libioth (addresses,
 * routes, MTU, link down and up) and by the stack itself (the end of DAD,
 * a neighbour resolved by ARP, the connected routes) each arrive as the
 * RTM_NEW* / RTM_DEL* message Linux sends. Neighbour entries set by hand
 * (RTM_NEWNEIGH / RTM_DELNEIGH) are told, used and not overridden by ARP. A socket that joined nothing,
 * or left a group, gets nothing of it. Two stacks on an embedded switch. */
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "ustest.h"
#include "vdeswitch.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static uint8_t msg[8192];

static const struct rtattr *attr(const struct nlmsghdr *h, size_t hdr, int type) {
	int len = (int) h->nlmsg_len - (int) NLMSG_LENGTH(hdr);
	for (const struct rtattr *a = (const void *) ((const uint8_t *) NLMSG_DATA(h) + NLMSG_ALIGN(hdr));
			RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == type)
			return a;
	return NULL;
}

static bool attr_is(const struct nlmsghdr *h, size_t hdr, int type, const void *v, size_t vlen) {
	const struct rtattr *a = attr(h, hdr, type);
	if (v == NULL)
		return a == NULL;
	return a && RTA_PAYLOAD(a) == vlen && memcmp(RTA_DATA(a), v, vlen) == 0;
}

/* Does h (one message of type) match family / key / plen / ifindex? key
 * NULL: no address attribute (a default route) */
static bool match(const struct nlmsghdr *h, int family, const void *key, size_t klen, int plen, int ifindex) {
	switch (h->nlmsg_type) {
	case RTM_NEWADDR:
	case RTM_DELADDR: {
		const struct ifaddrmsg *m = NLMSG_DATA(h);
		return m->ifa_family == family && m->ifa_prefixlen == plen && (int) m->ifa_index == ifindex &&
				attr_is(h, sizeof(*m), IFA_ADDRESS, key, klen);
	}
	case RTM_NEWROUTE:
	case RTM_DELROUTE: {
		const struct rtmsg *m = NLMSG_DATA(h);
		uint32_t oif = 0;
		const struct rtattr *o = attr(h, sizeof(*m), RTA_OIF);
		if (o)
			memcpy(&oif, RTA_DATA(o), 4);
		return m->rtm_family == family && m->rtm_dst_len == plen && (int) oif == ifindex &&
				attr_is(h, sizeof(*m), RTA_DST, key, klen);
	}
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH: {
		const struct ndmsg *m = NLMSG_DATA(h);
		return m->ndm_family == family && m->ndm_ifindex == ifindex && attr_is(h, sizeof(*m), NDA_DST, key, klen);
	}
	case RTM_NEWLINK:
	case RTM_DELLINK: {
		const struct ifinfomsg *m = NLMSG_DATA(h);
		return m->ifi_index == ifindex;
	}
	}
	return false;
}

/* The next notification of type matching, within ms (others before it
 * are skipped); NULL if none. Each arrives as a datagram of its own. */
static const struct nlmsghdr *expect(int fd, int type, int family, const void *key, size_t klen, int plen,
		int ifindex, int ms) {
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		int left = ms - (int) ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&pfd, 1, left) != 1)
			return NULL;
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		ssize_t n = ioth_recvfrom(fd, msg, sizeof(msg), 0, (struct sockaddr *) &from, &fl);
		if (n < (ssize_t) sizeof(struct nlmsghdr))
			return NULL;
		const struct nlmsghdr *h = (const void *) msg;
		if (!NLMSG_OK(h, (size_t) n) || from.nl_pid != 0 || h->nlmsg_seq != 0 || h->nlmsg_pid != 0)
			return NULL;
		if (h->nlmsg_type == type && match(h, family, key, klen, plen, ifindex))
			return h;
	}
}

/* RTM_NEWNEIGH / RTM_DELNEIGH on a netlink socket of st: 0 or -errno */
static int neigh_req(struct ioth *st, int type, int flags, int ifindex, uint32_t ip, const uint8_t *mac) {
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
		struct rtattr a1;
		uint32_t dst;
		struct rtattr a2;
		uint8_t mac[8];
	} req = {
		.h = {.nlmsg_type = (uint16_t) type, .nlmsg_flags = (uint16_t) (NLM_F_REQUEST | NLM_F_ACK | flags),
			.nlmsg_seq = 7},
		.nd = {.ndm_family = AF_INET, .ndm_ifindex = ifindex, .ndm_state = NUD_PERMANENT},
		.a1 = {.rta_len = RTA_LENGTH(4), .rta_type = NDA_DST},
		.dst = ip,
		.a2 = {.rta_len = RTA_LENGTH(6), .rta_type = NDA_LLADDR},
	};
	req.h.nlmsg_len = mac ? sizeof(req) : offsetof(typeof(req), a2);
	if (mac)
		memcpy(req.mac, mac, 6);
	int fd = ioth_msocket(st, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0 || ioth_send(fd, &req, req.h.nlmsg_len, 0) != (ssize_t) req.h.nlmsg_len)
		return -999;
	uint8_t buf[1024];
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int rc = -998;
	if (poll(&pfd, 1, 2000) == 1 && ioth_recv(fd, buf, sizeof(buf), 0) >= (ssize_t) NLMSG_LENGTH(4)) {
		const struct nlmsghdr *r = (const void *) buf;
		if (r->nlmsg_type == NLMSG_ERROR && r->nlmsg_seq == 7)
			rc = ((const struct nlmsgerr *) NLMSG_DATA(r))->error;
	}
	ioth_close(fd);
	return rc;
}

static bool nothing(int fd) {
	return ioth_recv(fd, msg, sizeof(msg), MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

int main(void) {
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	struct ioth *a = ustest_stack("ustack,accept_ra=0", vdeswitch_vnl(sw), NULL, 0);
	struct ioth *b = ustest_stack("ustack,accept_ra=0", vdeswitch_vnl(sw), "198.18.0.2", 24);
	REQUIRE(a && b);
	int idx = ioth_if_nametoindex(a, "vde0");
	REQUIRE(idx > 0);

	int mon = ioth_msocket(a, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	int deaf = ioth_msocket(a, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	REQUIRE(mon >= 0 && deaf >= 0);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE};
	CHECK(ioth_bind(mon, (struct sockaddr *) &sa, sizeof(sa)) == 0);
	int groups[] = {RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_ROUTE, RTNLGRP_NEIGH};
	for (int i = 0; i < 3; i++)
		CHECK(ioth_setsockopt(mon, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i], sizeof(int)) == 0);
	int bad = 0;
	CHECK(ioth_setsockopt(mon, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &bad, sizeof(int)) == -1 && errno == EINVAL);
	struct sockaddr_nl me;
	socklen_t ml = sizeof(me);
	CHECK(ioth_getsockname(mon, (struct sockaddr *) &me, &ml) == 0);
	CHECK(me.nl_groups == (RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_IFADDR |
			RTMGRP_IPV6_ROUTE | RTMGRP_NEIGH));
	sa.nl_groups = 0;
	CHECK(ioth_bind(deaf, (struct sockaddr *) &sa, sizeof(sa)) == 0);

	/* an IPv4 address: RTM_NEWADDR, then its connected route */
	uint32_t a1 = ip4("198.18.0.1"), net = ip4("198.18.0.0");
	CHECK(ioth_ipaddr_add(a, AF_INET, &a1, 24, idx) == 0);
	const struct nlmsghdr *h = expect(mon, RTM_NEWADDR, AF_INET, &a1, 4, 24, idx, 2000);
	CHECK(h != NULL);
	if (h) {
		const struct ifaddrmsg *m = NLMSG_DATA(h);
		CHECK(attr_is(h, sizeof(*m), IFA_LOCAL, &a1, 4));
		CHECK(attr_is(h, sizeof(*m), IFA_LABEL, "vde0", 5));
	}
	CHECK(expect(mon, RTM_NEWROUTE, AF_INET, &net, 4, 24, idx, 2000) != NULL);

	/* a route through a gateway, and its removal */
	uint32_t dst = ip4("198.18.5.0"), gw = ip4("198.18.0.254");
	CHECK(ioth_iproute_add(a, AF_INET, &dst, 24, &gw, 0) == 0);
	h = expect(mon, RTM_NEWROUTE, AF_INET, &dst, 4, 24, idx, 2000);
	CHECK(h && attr_is(h, sizeof(struct rtmsg), RTA_GATEWAY, &gw, 4));
	CHECK(ioth_iproute_del(a, AF_INET, &dst, 24, &gw, 0) == 0);
	CHECK(expect(mon, RTM_DELROUTE, AF_INET, &dst, 4, 24, idx, 2000) != NULL);

	/* the MTU: RTM_NEWLINK with the new IFLA_MTU */
	CHECK(ioth_linksetmtu(a, (unsigned) idx, 1400) == 0);
	h = expect(mon, RTM_NEWLINK, AF_UNSPEC, NULL, 0, 0, idx, 2000);
	uint32_t mtu = 1400;
	CHECK(h && attr_is(h, sizeof(struct ifinfomsg), IFLA_MTU, &mtu, 4));

	/* ARP resolves B: RTM_NEWNEIGH, reachable, with B's MAC */
	CHECK(ustest_ping(a, "198.18.0.2", 16, 2000) == 0);
	uint32_t bip = ip4("198.18.0.2");
	h = expect(mon, RTM_NEWNEIGH, AF_INET, &bip, 4, 0, idx, 2000);
	CHECK(h != NULL);
	if (h) {
		uint8_t bmac[6];
		CHECK(ioth_linkgetaddr(b, (unsigned) ioth_if_nametoindex(b, "vde0"), bmac) == 0);
		CHECK(((const struct ndmsg *) NLMSG_DATA(h))->ndm_state == NUD_REACHABLE);
		CHECK(attr_is(h, sizeof(struct ndmsg), NDA_LLADDR, bmac, 6));
	}

	/* ip neigh by hand: a permanent entry with another MAC replaces the
	 * learned one (told), ARP does not change it back, so A's frames to B
	 * go nowhere (its pings, its echo replies); EEXIST with NLM_F_EXCL;
	 * deleted (told), ARP finds B again; deleted twice: ENOENT */
	uint8_t fake[6] = {0x02, 0, 0, 0, 0, 0x99};
	CHECK(neigh_req(a, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, idx, bip, fake) == 0);
	/* (a change the stack made to the learned entry may come first) */
	h = expect(mon, RTM_NEWNEIGH, AF_INET, &bip, 4, 0, idx, 2000);
	for (int i = 0; i < 4 && h && ((const struct ndmsg *) NLMSG_DATA(h))->ndm_state != NUD_PERMANENT; i++)
		h = expect(mon, RTM_NEWNEIGH, AF_INET, &bip, 4, 0, idx, 2000);
	CHECK(h && ((const struct ndmsg *) NLMSG_DATA(h))->ndm_state == NUD_PERMANENT &&
			attr_is(h, sizeof(struct ndmsg), NDA_LLADDR, fake, 6));
	CHECK(ustest_ping(a, "198.18.0.2", 16, 1000) != 0);
	/* B asks for a new address of A by ARP (with its real MAC): A's
	 * permanent entry stays, A's echo replies go to the fake MAC */
	uint32_t a3 = ip4("198.18.0.3");
	CHECK(ioth_ipaddr_add(a, AF_INET, &a3, 24, idx) == 0);
	CHECK(ustest_ping(b, "198.18.0.3", 16, 1000) != 0);
	CHECK(ioth_ipaddr_del(a, AF_INET, &a3, 24, idx) == 0);
	CHECK(neigh_req(a, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, idx, bip, fake) == -EEXIST);
	CHECK(neigh_req(a, RTM_DELNEIGH, 0, idx, bip, NULL) == 0);
	CHECK(expect(mon, RTM_DELNEIGH, AF_INET, &bip, 4, 0, idx, 2000) != NULL);
	CHECK(ustest_ping(a, "198.18.0.2", 16, 2000) == 0);
	CHECK(neigh_req(a, RTM_DELNEIGH, 0, idx, ip4("198.18.0.99"), NULL) == -ENOENT);

	/* IPv6: the address tentative, its prefix route, then the end of DAD
	 * (the stack's own change) as a second RTM_NEWADDR without it */
	uint8_t a6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0x15, [15] = 1}, p6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0x15};
	CHECK(ioth_ipaddr_add(a, AF_INET6, a6, 64, idx) == 0);
	h = expect(mon, RTM_NEWADDR, AF_INET6, a6, 16, 64, idx, 2000);
	CHECK(h && (((const struct ifaddrmsg *) NLMSG_DATA(h))->ifa_flags & IFA_F_TENTATIVE));
	CHECK(expect(mon, RTM_NEWROUTE, AF_INET6, p6, 16, 64, idx, 2000) != NULL);
	h = expect(mon, RTM_NEWADDR, AF_INET6, a6, 16, 64, idx, 5000);
	CHECK(h && !(((const struct ifaddrmsg *) NLMSG_DATA(h))->ifa_flags & IFA_F_TENTATIVE));
	CHECK(ioth_ipaddr_del(a, AF_INET6, a6, 64, idx) == 0);
	CHECK(expect(mon, RTM_DELADDR, AF_INET6, a6, 16, 64, idx, 2000) != NULL);
	CHECK(expect(mon, RTM_DELROUTE, AF_INET6, p6, 16, 64, idx, 2000) != NULL);

	/* out of RTNLGRP_NEIGH: the link going down flushes the neighbour
	 * without telling mon; the link and its routes are told */
	CHECK(ioth_setsockopt(mon, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &groups[2], sizeof(int)) == 0);
	CHECK(ioth_linksetupdown(a, (unsigned) idx, 0) == 0);
	h = expect(mon, RTM_NEWLINK, AF_UNSPEC, NULL, 0, 0, idx, 2000);
	CHECK(h && !(((const struct ifinfomsg *) NLMSG_DATA(h))->ifi_flags & IFF_UP));
	CHECK(expect(mon, RTM_DELROUTE, AF_INET, &net, 4, 24, idx, 2000) != NULL);
	CHECK(ioth_linksetupdown(a, (unsigned) idx, 1) == 0);
	h = expect(mon, RTM_NEWLINK, AF_UNSPEC, NULL, 0, 0, idx, 2000);
	CHECK(h && (((const struct ifinfomsg *) NLMSG_DATA(h))->ifi_flags & IFF_UP));

	/* the address goes: RTM_DELADDR, then the connected route */
	CHECK(ioth_ipaddr_del(a, AF_INET, &a1, 24, idx) == 0);
	CHECK(expect(mon, RTM_DELADDR, AF_INET, &a1, 4, 24, idx, 2000) != NULL);
	CHECK(expect(mon, RTM_DELROUTE, AF_INET, &net, 4, 24, idx, 2000) != NULL);
	/* nothing of the neighbour group reached mon; nothing reached deaf */
	for (;;) {
		ssize_t n = ioth_recv(mon, msg, sizeof(msg), MSG_DONTWAIT);
		if (n <= 0)
			break;
		const struct nlmsghdr *x = (const void *) msg;
		CHECK(x->nlmsg_type != RTM_NEWNEIGH && x->nlmsg_type != RTM_DELNEIGH);
	}
	CHECK(nothing(deaf));

	ioth_close(mon);
	ioth_close(deaf);
	ioth_delstack(a);
	ioth_delstack(b);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_monitor");
}
