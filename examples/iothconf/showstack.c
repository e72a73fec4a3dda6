/* SPDX-License-Identifier: LGPL-2.1-or-later
 * See showstack.h. */
#include <errno.h>
#include <string.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_packet.h>
#include <linux/if.h>
#include "showstack.h"

static int mask2len(const struct sockaddr *sa) {
	const uint8_t *p;
	int n = 0, len;
	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		p = (const uint8_t *) &((const struct sockaddr_in *) sa)->sin_addr;
		len = 4;
	} else if (sa->sa_family == AF_INET6) {
		p = ((const struct sockaddr_in6 *) sa)->sin6_addr.s6_addr;
		len = 16;
	} else
		return 0;
	for (int i = 0; i < len; i++)
		for (int b = 7; b >= 0 && (p[i] >> b & 1); b--)
			n++;
	return n;
}

int show_links_addrs(struct ioth *stack, FILE *out) {
	struct ifaddrs *ifa, *i;
	if (ioth_getifaddrs(stack, &ifa) < 0)
		return -1;
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_PACKET) {
			const struct sockaddr_ll *ll = (const struct sockaddr_ll *) i->ifa_addr;
			char mac[MAC_ADDRSTRLEN] = "-";
			if (ll->sll_halen == 6)
				ioth_ntomac(ll->sll_addr, mac, sizeof(mac));
			fprintf(out, "link %s %d %s %s\n", i->ifa_name, ll->sll_ifindex,
					(i->ifa_flags & IFF_UP) ? "up" : "down", mac);
		}
	}
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		int fam = i->ifa_addr->sa_family;
		if (fam != AF_INET && fam != AF_INET6)
			continue;
		char a[INET6_ADDRSTRLEN];
		const void *src = fam == AF_INET ? (const void *) &((struct sockaddr_in *) i->ifa_addr)->sin_addr
			: (const void *) &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr;
		fprintf(out, "addr %s %s/%d\n", i->ifa_name, inet_ntop(fam, src, a, sizeof(a)),
				mask2len(i->ifa_netmask));
	}
	ioth_freeifaddrs(ifa);
	return 0;
}

static void print_route(struct nlmsghdr *h, FILE *out) {
	struct rtmsg *r = NLMSG_DATA(h);
	if (r->rtm_type != RTN_UNICAST)
		return;
	int len = RTM_PAYLOAD(h), oif = 0, table = r->rtm_table;
	const void *dst = NULL, *gw = NULL;
	for (struct rtattr *a = RTM_RTA(r); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case RTA_DST: dst = RTA_DATA(a); break;
		case RTA_GATEWAY: gw = RTA_DATA(a); break;
		case RTA_OIF: oif = *(int *) RTA_DATA(a); break;
		case RTA_TABLE: table = *(int *) RTA_DATA(a); break;
		}
	}
	if (table != RT_TABLE_MAIN)
		return;   /* local and multicast tables: not configuration */
	char d[INET6_ADDRSTRLEN] = "default", g[INET6_ADDRSTRLEN];
	if (dst)
		inet_ntop(r->rtm_family, dst, d, sizeof(d));
	fprintf(out, "route %s/%d", d, r->rtm_dst_len);
	if (gw)
		fprintf(out, " via %s", inet_ntop(r->rtm_family, gw, g, sizeof(g)));
	fprintf(out, " dev %d\n", oif);
}

int show_routes(struct ioth *stack, FILE *out) {
	int fd = ioth_msocket(stack, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	for (int fam = 0; fam < 2; fam++) {
		struct {
			struct nlmsghdr h;
			struct rtmsg r;
		} req = {
			.h = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETROUTE,
				.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = fam + 1},
			.r = {.rtm_family = fam ? AF_INET6 : AF_INET},
		};
		if (ioth_send(fd, &req, sizeof(req), 0) < 0)
			break;
		for (int done = 0; !done;) {
			static char buf[16384];
			struct pollfd pfd = {fd, POLLIN, 0};
			if (poll(&pfd, 1, 2000) <= 0)
				break;
			ssize_t n = ioth_recv(fd, buf, sizeof(buf), 0);
			if (n <= 0)
				break;
			for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n);
					h = NLMSG_NEXT(h, n)) {
				if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
					done = 1;
					break;
				}
				if (h->nlmsg_type == RTM_NEWROUTE)
					print_route(h, out);
			}
		}
	}
	ioth_close(fd);
	return 0;
}
