/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The rtnetlink server of ustack as a user meets it: every nlinline
 * helper, ioth_getifaddrs, raw dumps (links with counters, addresses,
 * routes, neighbours) ending in NLMSG_DONE, errors with Linux's errno,
 * malformed requests, interface ioctls. Two stacks on an embedded switch. */
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if_arp.h>

#include "ustest.h"
#include "vdeswitch.h"

struct dump {
	int msgs, done, multi_ok;
	int types[64];
	uint8_t data[64][512];
	size_t len[64];
	int error;
};

/* Send one request; collect replies until DONE (dump) or one ERROR. */
static int nl_talk(struct ioth *st, const void *req, size_t len, struct dump *d, int is_dump) {
	memset(d, 0, sizeof(*d));
	d->multi_ok = 1;
	int fd = ioth_msocket(st, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (ioth_bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || ioth_send(fd, req, len, 0) != (ssize_t) len) {
		ioth_close(fd);
		return -1;
	}
	static uint8_t buf[65536];
	for (int rounds = 0; rounds < 100; rounds++) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 1000) != 1)
			break;
		ssize_t n = ioth_recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				d->done = 1;
				goto out;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				d->error = ((struct nlmsgerr *) NLMSG_DATA(h))->error;
				d->msgs++;
				goto out;
			}
			if (is_dump && !(h->nlmsg_flags & NLM_F_MULTI))
				d->multi_ok = 0;
			if (d->msgs < 64) {
				d->types[d->msgs] = h->nlmsg_type;
				d->len[d->msgs] = h->nlmsg_len < 512 ? h->nlmsg_len : 512;
				memcpy(d->data[d->msgs], h, d->len[d->msgs]);
			}
			d->msgs++;
			if (!is_dump)
				goto out;
		}
	}
out:
	ioth_close(fd);
	return 0;
}

static const struct rtattr *find_attr(const void *start, size_t len, int type) {
	const struct rtattr *a = start;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == type)
			return a;
	return NULL;
}

static void test_helpers(struct ioth *a) {
	CHECK(ioth_if_nametoindex(a, "lo") == 1);
	int idx = ioth_if_nametoindex(a, "vde0");
	CHECK(idx == 2);
	errno = 0;
	CHECK(ioth_if_nametoindex(a, "eth7") == -1 && errno == ENODEV);
	uint8_t mac[6], want[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	CHECK(ioth_linkgetaddr(a, (unsigned) idx, mac) == 0 && memcmp(mac, want, 6) == 0);
	uint8_t newmac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x66};
	CHECK(ioth_linksetaddr(a, (unsigned) idx, newmac) == 0);
	CHECK(ioth_linkgetaddr(a, (unsigned) idx, mac) == 0 && memcmp(mac, newmac, 6) == 0);
	CHECK(ioth_linksetaddr(a, (unsigned) idx, want) == 0);
	uint8_t mcast[6] = {0x01, 0, 0x5e, 0, 0, 1};
	CHECK(ioth_linksetaddr(a, (unsigned) idx, mcast) == -1 && errno == EADDRNOTAVAIL);
	CHECK(ioth_linksetmtu(a, (unsigned) idx, 9000) == 0);
	CHECK(ioth_linksetmtu(a, (unsigned) idx, 40) == -1 && errno == EINVAL);
	CHECK(ioth_linksetmtu(a, 77, 1500) == -1 && errno == ENODEV);
	uint32_t ad = ip4("198.18.0.1");
	CHECK(ioth_ipaddr_add(a, AF_INET, &ad, 24, (unsigned) idx) == -1 && errno == EEXIST);
	uint32_t ad2 = ip4("198.18.7.1");
	CHECK(ioth_ipaddr_add(a, AF_INET, &ad2, 24, (unsigned) idx) == 0);
	CHECK(ioth_ipaddr_del(a, AF_INET, &ad2, 24, (unsigned) idx) == 0);
	CHECK(ioth_ipaddr_del(a, AF_INET, &ad2, 24, (unsigned) idx) == -1 && errno == EADDRNOTAVAIL);
	CHECK(ioth_ipaddr_add(a, AF_INET, &ad2, 24, 99) == -1 && errno == ENODEV);
	uint32_t dflt = 0, gw = ip4("198.18.0.254"), far = ip4("198.19.0.1");
	CHECK(ioth_iproute_add(a, AF_INET, &dflt, 0, &gw, 0) == 0);
	CHECK(ioth_iproute_add(a, AF_INET, &dflt, 0, &gw, 0) == -1 && errno == EEXIST);
	CHECK(ioth_iproute_add(a, AF_INET, &dflt, 0, &far, 0) == -1 && errno == ENETUNREACH);
	uint32_t net = ip4("198.19.0.0");
	CHECK(ioth_iproute_del(a, AF_INET, &net, 16, &gw, 0) == -1 && errno == ESRCH);
	CHECK(ioth_iplink_add(a, "br0", -1, "bridge", NULL) == -1 && errno == EOPNOTSUPP);
	/* vde interfaces can be deleted (test_ustack_iplink); lo cannot, as on Linux */
	CHECK(ioth_iplink_del(a, "lo", 0) == -1 && errno == EOPNOTSUPP);
}

static void test_getifaddrs(struct ioth *a) {
	struct ifaddrs *ifa = NULL;
	REQUIRE(ioth_getifaddrs(a, &ifa) == 0);
	int lo4 = 0, vde4 = 0, vdell = 0;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (strcmp(i->ifa_name, "lo") == 0 && i->ifa_addr->sa_family == AF_INET &&
				((struct sockaddr_in *) i->ifa_addr)->sin_addr.s_addr == ip4("127.0.0.1"))
			lo4 = (i->ifa_flags & IFF_LOOPBACK) && (i->ifa_flags & IFF_UP);
		if (strcmp(i->ifa_name, "vde0") == 0 && i->ifa_addr->sa_family == AF_INET) {
			vde4 = ((struct sockaddr_in *) i->ifa_addr)->sin_addr.s_addr == ip4("198.18.0.1") &&
					((struct sockaddr_in *) i->ifa_netmask)->sin_addr.s_addr == ip4("255.255.255.0") &&
					(i->ifa_flags & IFF_UP);
			if (i->ifa_broadaddr)
				vde4 &= ((struct sockaddr_in *) i->ifa_broadaddr)->sin_addr.s_addr == ip4("198.18.0.255");
		}
		if (strcmp(i->ifa_name, "vde0") == 0 && i->ifa_addr->sa_family == AF_PACKET)
			vdell = i->ifa_data != NULL;
	}
	CHECK(lo4);
	CHECK(vde4);
	CHECK(vdell);
	ioth_freeifaddrs(ifa);
}

static void test_dumps(struct ioth *a) {
	struct dump d;
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} lreq = {.h = {.nlmsg_len = sizeof(lreq), .nlmsg_type = RTM_GETLINK,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 42}};
	REQUIRE(nl_talk(a, &lreq, sizeof(lreq), &d, 1) == 0);
	CHECK(d.done && d.multi_ok && d.msgs == 2);
	/* vde0's counters: it sent and received (ARP, ping) */
	for (int i = 0; i < d.msgs && i < 64; i++) {
		struct nlmsghdr *h = (struct nlmsghdr *) d.data[i];
		struct ifinfomsg *ifi = NLMSG_DATA(h);
		CHECK(h->nlmsg_seq == 42);
		if (ifi->ifi_index != 2)
			continue;
		CHECK(ifi->ifi_type == ARPHRD_ETHER && (ifi->ifi_flags & IFF_UP));
		const struct rtattr *st = find_attr(IFLA_RTA(ifi), h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)), IFLA_STATS64);
		CHECK(st != NULL);
		if (st) {
			struct rtnl_link_stats64 s;
			memcpy(&s, RTA_DATA(st), sizeof(s));
			CHECK(s.rx_packets > 0 && s.tx_packets > 0 && s.tx_bytes > s.tx_packets * 28);
		}
		const struct rtattr *mtu = find_attr(IFLA_RTA(ifi), h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)), IFLA_MTU);
		CHECK(mtu && *(uint32_t *) RTA_DATA(mtu) == 9000);
	}
	/* addresses: 127.0.0.1 and 198.18.0.1 */
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg i;
	} areq = {.h = {.nlmsg_len = sizeof(areq), .nlmsg_type = RTM_GETADDR,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP}, .i = {.ifa_family = AF_INET}};
	REQUIRE(nl_talk(a, &areq, sizeof(areq), &d, 1) == 0);
	CHECK(d.done && d.msgs == 2);
	/* routes: the connected one and the default */
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
	} rreq = {.h = {.nlmsg_len = sizeof(rreq), .nlmsg_type = RTM_GETROUTE,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP}, .r = {.rtm_family = AF_INET}};
	REQUIRE(nl_talk(a, &rreq, sizeof(rreq), &d, 1) == 0);
	CHECK(d.done && d.msgs == 2);
	int dflt = 0;
	for (int i = 0; i < d.msgs; i++) {
		struct rtmsg *r = NLMSG_DATA((struct nlmsghdr *) d.data[i]);
		if (r->rtm_dst_len == 0) {
			const struct rtattr *g = find_attr(RTM_RTA(r), d.len[i] - NLMSG_LENGTH(sizeof(*r)), RTA_GATEWAY);
			dflt = g && *(uint32_t *) RTA_DATA(g) == ip4("198.18.0.254");
		}
	}
	CHECK(dflt);
	/* neighbours: the peer we pinged, reachable, with its MAC */
	struct {
		struct nlmsghdr h;
		struct ndmsg n;
	} nreq = {.h = {.nlmsg_len = sizeof(nreq), .nlmsg_type = RTM_GETNEIGH,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP}, .n = {.ndm_family = AF_INET}};
	REQUIRE(nl_talk(a, &nreq, sizeof(nreq), &d, 1) == 0);
	CHECK(d.done && d.msgs >= 1);
	int peer = 0;
	for (int i = 0; i < d.msgs; i++) {
		struct ndmsg *n = NLMSG_DATA((struct nlmsghdr *) d.data[i]);
		const struct rtattr *dst = find_attr((uint8_t *) n + NLMSG_ALIGN(sizeof(*n)),
				d.len[i] - NLMSG_LENGTH(sizeof(*n)), NDA_DST);
		const struct rtattr *ll = find_attr((uint8_t *) n + NLMSG_ALIGN(sizeof(*n)),
				d.len[i] - NLMSG_LENGTH(sizeof(*n)), NDA_LLADDR);
		uint8_t bmac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x77};
		if (dst && *(uint32_t *) RTA_DATA(dst) == ip4("198.18.0.2"))
			peer = (n->ndm_state & (NUD_REACHABLE | NUD_STALE)) && ll && memcmp(RTA_DATA(ll), bmac, 6) == 0;
	}
	CHECK(peer);
	/* route get */
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
		struct rtattr a;
		uint32_t dst;
	} gq = {.h = {.nlmsg_len = sizeof(gq), .nlmsg_type = RTM_GETROUTE, .nlmsg_flags = NLM_F_REQUEST},
		.r = {.rtm_family = AF_INET}, .a = {.rta_len = RTA_LENGTH(4), .rta_type = RTA_DST}};
	gq.dst = ip4("198.20.1.1");
	REQUIRE(nl_talk(a, &gq, sizeof(gq), &d, 0) == 0);
	CHECK(d.msgs == 1 && d.types[0] == RTM_NEWROUTE);
}

static void test_errors(struct ioth *a) {
	struct dump d;
	/* an unknown message type: EOPNOTSUPP, as Linux */
	struct {
		struct nlmsghdr h;
		struct tcmsg t;
	} q = {.h = {.nlmsg_len = sizeof(q), .nlmsg_type = RTM_GETQDISC, .nlmsg_flags = NLM_F_REQUEST}};
	REQUIRE(nl_talk(a, &q, sizeof(q), &d, 0) == 0);
	CHECK(d.error == -EOPNOTSUPP);
	/* shorter than its family header */
	struct nlmsghdr shorth = {.nlmsg_len = sizeof(shorth), .nlmsg_type = RTM_NEWADDR,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK};
	REQUIRE(nl_talk(a, &shorth, sizeof(shorth), &d, 0) == 0);
	CHECK(d.error == -EINVAL);
	/* a length field larger than what was sent, and garbage: Linux
	 * (netlink_rcv_skb) ends the batch there without an answer */
	struct nlmsghdr lie = {.nlmsg_len = 4000, .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST};
	REQUIRE(nl_talk(a, &lie, sizeof(lie), &d, 0) == 0);
	CHECK(d.error == 0 && d.msgs == 0);
	uint8_t junk[7] = {1, 2, 3, 4, 5, 6, 7};
	REQUIRE(nl_talk(a, junk, sizeof(junk), &d, 0) == 0);
	CHECK(d.error == 0 && d.msgs == 0);
	/* a request in a larger buffer, zeroes after it (as ip(8) sends):
	 * answered, and nothing more */
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
		uint8_t zero[64];
	} padded = {.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_GETLINK,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP}};
	REQUIRE(nl_talk(a, &padded, sizeof(padded), &d, 1) == 0);
	CHECK(d.done == 1 && d.error == 0 && d.msgs >= 2);
	/* an attribute whose length runs past the message */
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg i;
		struct rtattr a;
		uint32_t v;
	} badattr = {.h = {.nlmsg_len = sizeof(badattr), .nlmsg_type = RTM_NEWADDR,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK}, .i = {.ifa_family = AF_INET, .ifa_prefixlen = 24,
		.ifa_index = 2}, .a = {.rta_len = 200, .rta_type = IFA_LOCAL}};
	REQUIRE(nl_talk(a, &badattr, sizeof(badattr), &d, 0) == 0);
	CHECK(d.error == -EINVAL);
	/* IPv6 addresses and routes through the same helpers */
	uint8_t v6[16] = {0xfd, 0, [15] = 1};
	CHECK(ioth_ipaddr_add(a, AF_INET6, v6, 64, 2) == 0);
	CHECK(ioth_ipaddr_add(a, AF_INET6, v6, 64, 2) == -1 && errno == EEXIST);
	uint8_t gw6[16] = {0xfd, 0, [15] = 0xfe}, any6[16] = {0};
	CHECK(ioth_iproute_add(a, AF_INET6, any6, 0, gw6, 0) == 0);
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg i;
	} areq = {.h = {.nlmsg_len = sizeof(areq), .nlmsg_type = RTM_GETADDR,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP}, .i = {.ifa_family = AF_INET6}};
	REQUIRE(nl_talk(a, &areq, sizeof(areq), &d, 1) == 0);
	/* ::1 on lo, fe80::EUI-64 and fd00::1 on vde0 */
	int lo6 = 0, ll = 0, g = 0;
	for (int i = 0; i < d.msgs && i < 64; i++) {
		struct ifaddrmsg *ifa = NLMSG_DATA((struct nlmsghdr *) d.data[i]);
		const struct rtattr *ad = find_attr(IFA_RTA(ifa), d.len[i] - NLMSG_LENGTH(sizeof(*ifa)), IFA_ADDRESS);
		if (ad == NULL || ifa->ifa_family != AF_INET6)
			continue;
		const uint8_t *x = RTA_DATA(ad);
		if (ifa->ifa_index == 1 && x[15] == 1 && x[0] == 0)
			lo6 = ifa->ifa_scope == RT_SCOPE_HOST;
		/* fe80::11:22ff:fe33:4455 from 02:11:22:33:44:55 (U/L bit flipped) */
		if (ifa->ifa_index == 2 && x[0] == 0xfe && x[8] == 0x00 && x[9] == 0x11 && x[11] == 0xff && x[12] == 0xfe)
			ll = ifa->ifa_scope == RT_SCOPE_LINK && ifa->ifa_prefixlen == 64;
		if (ifa->ifa_index == 2 && memcmp(x, v6, 16) == 0)
			g = 1;
	}
	CHECK(d.done && lo6 && ll && g);
	CHECK(ioth_iproute_del(a, AF_INET6, any6, 0, gw6, 0) == 0);
	CHECK(ioth_ipaddr_del(a, AF_INET6, v6, 64, 2) == 0);
}

static void test_ioctls(struct ioth *a) {
	int fd = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	struct ifreq r = {0};
	strcpy(r.ifr_name, "vde0");
	CHECK(ioth_ioctl(fd, SIOCGIFINDEX, &r) == 0 && r.ifr_ifindex == 2);
	CHECK(ioth_ioctl(fd, SIOCGIFMTU, &r) == 0 && r.ifr_mtu == 9000);
	CHECK(ioth_ioctl(fd, SIOCGIFHWADDR, &r) == 0 && r.ifr_hwaddr.sa_family == ARPHRD_ETHER &&
			(uint8_t) r.ifr_hwaddr.sa_data[5] == 0x55);
	CHECK(ioth_ioctl(fd, SIOCGIFADDR, &r) == 0 &&
			((struct sockaddr_in *) &r.ifr_addr)->sin_addr.s_addr == ip4("198.18.0.1"));
	CHECK(ioth_ioctl(fd, SIOCGIFNETMASK, &r) == 0 &&
			((struct sockaddr_in *) &r.ifr_netmask)->sin_addr.s_addr == ip4("255.255.255.0"));
	CHECK(ioth_ioctl(fd, SIOCGIFFLAGS, &r) == 0 && (r.ifr_flags & IFF_UP));
	r.ifr_ifindex = 1;
	CHECK(ioth_ioctl(fd, SIOCGIFNAME, &r) == 0 && strcmp(r.ifr_name, "lo") == 0);
	strcpy(r.ifr_name, "nope0");
	CHECK(ioth_ioctl(fd, SIOCGIFINDEX, &r) == -1 && errno == ENODEV);
	struct ifreq reqs[8];
	struct ifconf ifc = {.ifc_len = sizeof(reqs), .ifc_req = reqs};
	CHECK(ioth_ioctl(fd, SIOCGIFCONF, &ifc) == 0 && ifc.ifc_len == 2 * (int) sizeof(struct ifreq));
	CHECK(ioth_ioctl(fd, 0x1234567, &r) == -1 && errno == ENOTTY);
	ioth_close(fd);
}

int main(void) {
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	struct ioth *a = ustest_stack("ustack,mac=02:11:22:33:44:55", vdeswitch_vnl(sw), "198.18.0.1", 24);
	struct ioth *b = ustest_stack("ustack,mac=02:11:22:33:44:77", vdeswitch_vnl(sw), "198.18.0.2", 24);
	REQUIRE(a && b);
	/* bad options are refused */
	errno = 0;
	CHECK(ioth_newstack("ustack,mtu=70000", NULL) == NULL && errno == EINVAL);
	CHECK(ioth_newstack("ustack,mac=01:00:00:00:00:01", NULL) == NULL && errno == EINVAL);
	CHECK(ioth_newstack("ustack,color=blue", NULL) == NULL && errno == EINVAL);
	CHECK(ioth_newstack("ustack,tcp_notsent_lowat=", NULL) == NULL && errno == EINVAL);
	CHECK(ioth_newstack("ustack,tcp_notsent_lowat=4294967296", NULL) == NULL && errno == EINVAL);
	struct ioth *lw = ioth_newstack("ustack,tcp_notsent_lowat=4294967295", NULL);
	CHECK(lw != NULL && ioth_delstack(lw) == 0);
	CHECK(ioth_newstack("ustack,tcp_mtu_probing=3", NULL) == NULL && errno == EINVAL);
	CHECK(ioth_newstack("ustack,tcp_base_mss=47", NULL) == NULL && errno == EINVAL);
	CHECK(ioth_newstack("ustack,tcp_base_mss=", NULL) == NULL && errno == EINVAL);
	lw = ioth_newstack("ustack,tcp_mtu_probing=1,tcp_base_mss=512", NULL);
	CHECK(lw != NULL && ioth_delstack(lw) == 0);
	CHECK(ioth_newstack("ustack,tcp_challenge_ack_limit=", NULL) == NULL && errno == EINVAL);
	CHECK(ioth_newstack("ustack,tcp_challenge_ack_limit=-1", NULL) == NULL && errno == EINVAL);
	CHECK(ioth_newstack("ustack,tcp_challenge_ack_limit=2147483648", NULL) == NULL && errno == EINVAL);
	lw = ioth_newstack("ustack,tcp_challenge_ack_limit=2147483647", NULL);
	CHECK(lw != NULL && ioth_delstack(lw) == 0);
	lw = ioth_newstack("ustack,tcp_challenge_ack_limit=1000", NULL);
	CHECK(lw != NULL && ioth_delstack(lw) == 0);
	CHECK(ustest_ping(a, "198.18.0.2", 56, 3000) == 0);
	test_helpers(a);
	test_getifaddrs(a);
	test_dumps(a);
	test_errors(a);
	test_ioctls(a);
	/* the link down: no route, ping fails; up again and re-addressed */
	int idx = ioth_if_nametoindex(a, "vde0");
	CHECK(ioth_linksetupdown(a, (unsigned) idx, 0) == 0);
	CHECK(ustest_ping(a, "198.18.0.2", 56, 300) == -1);
	CHECK(ioth_linksetupdown(a, (unsigned) idx, 1) == 0);
	CHECK(ustest_ping(a, "198.18.0.2", 56, 3000) == 0);
	CHECK(ioth_delstack(a) == 0);
	CHECK(ioth_delstack(b) == 0);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_netlink");
}
