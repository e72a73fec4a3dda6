/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A ustack stack that configures IPv6 from router advertisements by
 * itself (no libiothconf): it brings vde0 up and waits until netlink dumps
 * show what Linux would show after SLAAC:
 *   - an address in PREFIX/64, not permanent ("dynamic"), with finite
 *     IFA_CACHEINFO lifetimes;
 *   - a default route via a link-local router, proto ra, metric 1024,
 *     with an RTA_CACHEINFO expiry;
 *   - the on-link prefix route, proto kernel, metric 256, expiring.
 * It counts the router solicitations it sent (seen as PACKET_OUTGOING on
 * an AF_PACKET socket), pings PEER6 over the new address, prints
 * "READY ADDR" and then answers pings for SECS seconds.
 *
 *   ustack_ra_probe STACKSTRING VNL PREFIX PEER6 SECS */
#define _GNU_SOURCE
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "ustest.h"

struct found {
	char addr[INET6_ADDRSTRLEN];
	int addr_ok, defrt_ok, pfxrt_ok;
};

static void dump(struct ioth *st, int type, const uint8_t *prefix, struct found *f) {
	int nl = ioth_msocket(st, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	REQUIRE(nl >= 0);
	struct {
		struct nlmsghdr h;
		struct rtmsg m;
	} req = {.h = {.nlmsg_len = sizeof(req), .nlmsg_type = (uint16_t) type,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1}, .m = {.rtm_family = AF_INET6}};
	REQUIRE(ioth_send(nl, &req, sizeof(req), 0) == sizeof(req));
	static uint8_t buf[65536];
	for (int done = 0; !done;) {
		ssize_t n = ioth_recv(nl, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		for (struct nlmsghdr *h = (void *) buf; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == RTM_NEWADDR) {
				struct ifaddrmsg *ifa = NLMSG_DATA(h);
				const uint8_t *a = NULL;
				struct ifa_cacheinfo ci = {0};
				int ci_seen = 0;
				uint32_t flags = ifa->ifa_flags;
				int len = (int) IFA_PAYLOAD(h);
				for (struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
					if (rta->rta_type == IFA_ADDRESS)
						a = RTA_DATA(rta);
					if (rta->rta_type == IFA_FLAGS)
						memcpy(&flags, RTA_DATA(rta), 4);
					if (rta->rta_type == IFA_CACHEINFO) {
						memcpy(&ci, RTA_DATA(rta), sizeof(ci));
						ci_seen = 1;
					}
				}
				if (a && memcmp(a, prefix, 8) == 0 && ifa->ifa_prefixlen == 64 &&
						!(flags & (IFA_F_PERMANENT | IFA_F_TENTATIVE)) && ci_seen &&
						ci.ifa_valid > 0 && ci.ifa_valid < 0xffffffffu && ci.ifa_prefered <= ci.ifa_valid) {
					inet_ntop(AF_INET6, a, f->addr, sizeof(f->addr));
					f->addr_ok = 1;
				}
			}
			if (h->nlmsg_type == RTM_NEWROUTE) {
				struct rtmsg *rtm = NLMSG_DATA(h);
				const uint8_t *gw = NULL, *dst = NULL;
				uint32_t metric = 0;
				struct rta_cacheinfo ci = {0};
				int len = (int) RTM_PAYLOAD(h);
				for (struct rtattr *rta = RTM_RTA(rtm); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
					if (rta->rta_type == RTA_GATEWAY)
						gw = RTA_DATA(rta);
					if (rta->rta_type == RTA_DST)
						dst = RTA_DATA(rta);
					if (rta->rta_type == RTA_PRIORITY)
						memcpy(&metric, RTA_DATA(rta), 4);
					if (rta->rta_type == RTA_CACHEINFO)
						memcpy(&ci, RTA_DATA(rta), sizeof(ci));
				}
				if (rtm->rtm_dst_len == 0 && gw && gw[0] == 0xfe && gw[1] == 0x80 &&
						rtm->rtm_protocol == RTPROT_RA && metric == 1024 && ci.rta_expires > 0)
					f->defrt_ok = 1;
				if (rtm->rtm_dst_len == 64 && dst && memcmp(dst, prefix, 8) == 0 && !gw &&
						rtm->rtm_protocol == RTPROT_KERNEL && metric == 256 && ci.rta_expires > 0)
					f->pfxrt_ok = 1;
			}
		}
	}
	ioth_close(nl);
}

static int count_rs(int pk) {
	int k = 0;
	uint8_t f[2048];
	struct sockaddr_ll sll;
	socklen_t sl = sizeof(sll);
	ssize_t n;
	while ((n = ioth_recvfrom(pk, f, sizeof(f), MSG_DONTWAIT, (struct sockaddr *) &sll, &sl)) > 0) {
		/* outgoing IPv6, ICMPv6 (58) router solicitation (133) */
		if (sll.sll_pkttype == PACKET_OUTGOING && n > 54 && f[12] == 0x86 && f[13] == 0xdd && f[20] == 58 &&
				f[54] == 133)
			k++;
		sl = sizeof(sll);
	}
	return k;
}

int main(int argc, char *argv[]) {
	if (argc != 6) {
		fprintf(stderr, "usage: %s STACKSTRING VNL PREFIX PEER6 SECS\n", argv[0]);
		return 2;
	}
	uint8_t prefix[16];
	REQUIRE(inet_pton(AF_INET6, argv[3], prefix) == 1);
	struct ioth *st = ioth_newstack(argv[1], argv[2]);
	REQUIRE(st != NULL);
	int idx = ioth_if_nametoindex(st, "vde0");
	int pk = ioth_msocket(st, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = idx};
	REQUIRE(pk >= 0 && ioth_bind(pk, (struct sockaddr *) &ll, sizeof(ll)) == 0);
	REQUIRE(ioth_linksetupdown(st, (unsigned) idx, 1) == 0);
	struct found f = {0};
	int rs = 0;
	for (int i = 0; i < 150 && !(f.addr_ok && f.defrt_ok && f.pfxrt_ok); i++) {
		usleep(100000);
		rs += count_rs(pk);
		memset(&f, 0, sizeof(f));
		dump(st, RTM_GETADDR, prefix, &f);
		dump(st, RTM_GETROUTE, prefix, &f);
	}
	CHECK(f.addr_ok);
	CHECK(f.defrt_ok);
	CHECK(f.pfxrt_ok);
	rs += count_rs(pk);
	printf("solicitations %d\n", rs);
	CHECK(rs >= 1 && rs <= 3);
	/* the SLAAC address is usable: ping the router's global address */
	int pinged = 0;
	int fd = ioth_msocket(st, AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6);
	struct sockaddr_in6 to = {.sin6_family = AF_INET6};
	REQUIRE(fd >= 0 && inet_pton(AF_INET6, argv[4], &to.sin6_addr) == 1);
	uint8_t req[16] = {128}, rep[64];
	for (int i = 0; i < 5 && !pinged; i++) {
		req[7] = (uint8_t) i;
		ioth_sendto(fd, req, sizeof(req), 0, (struct sockaddr *) &to, sizeof(to));
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		while (!pinged && poll(&pfd, 1, 1000) == 1)
			if (ioth_recv(fd, rep, sizeof(rep), 0) == sizeof(req) && rep[0] == 129)
				pinged = 1;
	}
	CHECK(pinged);
	ioth_close(fd);
	printf("READY %s\n", f.addr);
	fflush(stdout);
	sleep((unsigned) atoi(argv[5]));
	/* no more solicitations once an advertisement came */
	CHECK(count_rs(pk) == 0);
	ioth_close(pk);
	CHECK(ioth_delstack(st) == 0);
	return ustest_done("ustack_ra_probe");
}
