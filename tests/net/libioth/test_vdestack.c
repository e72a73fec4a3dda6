/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Two vdestack stacks on a VDE switch embedded in the test: configuration
 * through every nlinline helper, the seed's UDP "ciao", a TCP echo with
 * poll, ioctl on interfaces, ioth_getifaddrs, a stack with two VNLs. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <netpacket/packet.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ioth.h>
#include "vdeswitch.h"

#include "check.h"

struct node {
	struct ioth *st;
	int ifindex;
	struct in_addr a4;
	struct in6_addr a6;
};

static int setup_node(struct node *n, const char *vnl, const char *a4, const char *a6,
		const unsigned char mac[6]) {
	n->st = ioth_newstack("vdestack", vnl);
	if (n->st == NULL)
		return -1;
	inet_pton(AF_INET, a4, &n->a4);
	inet_pton(AF_INET6, a6, &n->a6);
	n->ifindex = ioth_if_nametoindex(n->st, "vde0");
	CHECK(n->ifindex > 0, "if_nametoindex(vde0) = %d", n->ifindex);
	CHECK(ioth_linksetaddr(n->st, n->ifindex, (void *) mac) == 0, "linksetaddr");
	unsigned char got[6] = {0};
	CHECK(ioth_linkgetaddr(n->st, n->ifindex, got) == 0 && memcmp(got, mac, 6) == 0,
			"linkgetaddr returns the MAC set");
	CHECK(ioth_linksetmtu(n->st, n->ifindex, 1400) == 0, "linksetmtu 1400");
	CHECK(ioth_linksetupdown(n->st, n->ifindex, 1) == 0, "link up");
	CHECK(ioth_ipaddr_add(n->st, AF_INET, &n->a4, 24, n->ifindex) == 0, "ipaddr_add %s/24", a4);
	CHECK(ioth_ipaddr_add(n->st, AF_INET6, &n->a6, 64, n->ifindex) == 0, "ipaddr_add %s/64", a6);
	return 0;
}

static int udp_socket(struct node *n, int family, int port) {
	int fd = ioth_msocket(n->st, family, SOCK_DGRAM, 0);
	if (family == AF_INET) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = n->a4};
		ioth_bind(fd, (struct sockaddr *) &sin, sizeof(sin));
	} else {
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(port),
			.sin6_addr = n->a6};
		/* A fresh IPv6 address is tentative until DAD ends: retry bind. */
		for (int i = 0; i < 50 && ioth_bind(fd, (struct sockaddr *) &sin6, sizeof(sin6)) < 0; i++)
			usleep(100000);
	}
	return fd;
}

static int recv_timeout(int fd, char *buf, size_t len, int ms) {
	struct pollfd pfd = {fd, POLLIN, 0};
	if (poll(&pfd, 1, ms) != 1)
		return -1;
	return (int) ioth_recv(fd, buf, len, 0);
}

static void test_udp(struct node *a, struct node *b) {
	int rb = udp_socket(b, AF_INET, 5000);
	int sa = ioth_msocket(a->st, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(5000), .sin_addr = b->a4};
	CHECK(ioth_sendto(sa, "ciao\n", 5, 0, (struct sockaddr *) &to, sizeof(to)) == 5, "sendto ciao");
	char buf[64] = {0};
	CHECK(recv_timeout(rb, buf, sizeof(buf), 3000) == 5 && memcmp(buf, "ciao\n", 5) == 0,
			"ciao received over IPv4");
	ioth_close(rb);
	ioth_close(sa);

	rb = udp_socket(b, AF_INET6, 5001);
	sa = udp_socket(a, AF_INET6, 0);
	struct sockaddr_in6 to6 = {.sin6_family = AF_INET6, .sin6_port = htons(5001), .sin6_addr = b->a6};
	CHECK(ioth_sendto(sa, "ciao6", 5, 0, (struct sockaddr *) &to6, sizeof(to6)) == 5, "sendto v6");
	CHECK(recv_timeout(rb, buf, sizeof(buf), 3000) == 5 && memcmp(buf, "ciao6", 5) == 0,
			"ciao received over IPv6");
	ioth_close(rb);
	ioth_close(sa);
}

static void test_tcp_echo(struct node *a, struct node *b) {
	int l = ioth_msocket(b->st, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(7), .sin_addr = b->a4};
	CHECK(ioth_bind(l, (struct sockaddr *) &sin, sizeof(sin)) == 0 && ioth_listen(l, 1) == 0,
			"listen on %s:7", inet_ntoa(b->a4));
	int c = ioth_msocket(a->st, AF_INET, SOCK_STREAM, 0);
	CHECK(ioth_connect(c, (struct sockaddr *) &sin, sizeof(sin)) == 0, "connect");
	int s = ioth_accept(l, NULL, NULL);
	CHECK(s >= 0, "accept");
	CHECK(ioth_write(c, "echo me", 7) == 7, "client writes");
	char buf[64];
	int n = recv_timeout(s, buf, sizeof(buf), 3000);
	CHECK(n == 7, "server reads %d bytes", n);
	CHECK(n > 0 && ioth_send(s, buf, (size_t) n, 0) == n, "server echoes");
	CHECK(recv_timeout(c, buf, sizeof(buf), 3000) == 7 && memcmp(buf, "echo me", 7) == 0,
			"client gets the echo");
	ioth_shutdown(c, SHUT_WR);
	CHECK(recv_timeout(s, buf, sizeof(buf), 3000) == 0, "server sees EOF after shutdown");
	ioth_close(s);
	ioth_close(c);
	ioth_close(l);
}

static void test_ioctl_and_routes(struct node *a) {
	int fd = ioth_msocket(a->st, AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "vde0");
	CHECK(ioth_ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == 1400, "SIOCGIFMTU = %d",
			ifr.ifr_mtu);
	CHECK(ioth_ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP), "vde0 is up");

	/* Connecting a UDP socket sends nothing: it only asks for a route. */
	struct sockaddr_in far = {.sin_family = AF_INET, .sin_port = htons(9)};
	inet_pton(AF_INET, "198.19.200.1", &far.sin_addr);
	CHECK(ioth_connect(fd, (struct sockaddr *) &far, sizeof(far)) == -1 && errno == ENETUNREACH,
			"no route yet: ENETUNREACH");
	struct in_addr gw;
	inet_pton(AF_INET, "198.18.1.254", &gw);
	CHECK(ioth_iproute_add(a->st, AF_INET, NULL, 0, &gw, 0) == 0, "default route via 198.18.1.254");
	CHECK(ioth_connect(fd, (struct sockaddr *) &far, sizeof(far)) == 0, "route found");
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	ioth_getsockname(fd, (struct sockaddr *) &me, &len);
	CHECK(me.sin_addr.s_addr == a->a4.s_addr, "source address is vde0's");
	CHECK(ioth_iproute_del(a->st, AF_INET, NULL, 0, &gw, 0) == 0, "route deleted");
	ioth_close(fd);
	fd = ioth_msocket(a->st, AF_INET, SOCK_DGRAM, 0);
	CHECK(ioth_connect(fd, (struct sockaddr *) &far, sizeof(far)) == -1 && errno == ENETUNREACH,
			"no route again");
	ioth_close(fd);
}

static void test_getifaddrs(struct node *a, const unsigned char mac[6]) {
	struct ifaddrs *ifa;
	CHECK(ioth_getifaddrs(a->st, &ifa) == 0, "getifaddrs");
	int lo = 0, link = 0, v4 = 0, v6 = 0;
	for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
		if (p->ifa_addr == NULL)
			continue;
		int fam = p->ifa_addr->sa_family;
		if (strcmp(p->ifa_name, "lo") == 0)
			lo = 1;
		if (strcmp(p->ifa_name, "vde0") != 0)
			continue;
		if (fam == AF_PACKET) {
			struct sockaddr_ll *ll = (struct sockaddr_ll *) p->ifa_addr;
			link = ll->sll_halen == 6 && memcmp(ll->sll_addr, mac, 6) == 0 &&
				ll->sll_ifindex == a->ifindex;
		} else if (fam == AF_INET) {
			v4 = ((struct sockaddr_in *) p->ifa_addr)->sin_addr.s_addr == a->a4.s_addr &&
				((struct sockaddr_in *) p->ifa_netmask)->sin_addr.s_addr == htonl(0xffffff00);
		} else if (fam == AF_INET6 &&
				memcmp(&((struct sockaddr_in6 *) p->ifa_addr)->sin6_addr, &a->a6, 16) == 0)
			v6 = 1;
	}
	ioth_freeifaddrs(ifa);
	CHECK(lo && link && v4 && v6, "getifaddrs lists lo, vde0 with MAC, IPv4/24 and IPv6");
	CHECK(ioth_ipaddr_del(a->st, AF_INET, &a->a4, 24, a->ifindex) == 0, "ipaddr_del");
	ioth_getifaddrs(a->st, &ifa);
	v4 = 0;
	for (struct ifaddrs *p = ifa; p; p = p->ifa_next)
		if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET &&
				((struct sockaddr_in *) p->ifa_addr)->sin_addr.s_addr == a->a4.s_addr)
			v4 = 1;
	ioth_freeifaddrs(ifa);
	CHECK(!v4, "deleted address is gone");
}

/* ioth_nldialog with a hand-built rtnetlink request, and iplink_add/del. */
static void test_nldialog_iplink(struct node *a) {
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
		struct rtattr a1;
		struct in_addr local;
		struct rtattr a2;
		struct in_addr address;
	} req = {
		.h = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_NEWADDR,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, .nlmsg_seq = 1},
		.ifa = {.ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = (unsigned) a->ifindex},
		.a1 = {.rta_len = RTA_LENGTH(4), .rta_type = IFA_LOCAL},
		.a2 = {.rta_len = RTA_LENGTH(4), .rta_type = IFA_ADDRESS},
	};
	inet_pton(AF_INET, "198.18.1.77", &req.local);
	req.address = req.local;
	CHECK(ioth_nldialog(a->st, &req) == 0, "nldialog RTM_NEWADDR 198.18.1.77/24");
	errno = 0;
	CHECK(ioth_nldialog(a->st, &req) == -1 && errno == EEXIST, "the same again: EEXIST");
	req.h.nlmsg_type = RTM_DELADDR;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	CHECK(ioth_nldialog(a->st, &req) == 0, "nldialog RTM_DELADDR");
	CHECK(ioth_nldialog(a->st, &req) == -1 && errno == EADDRNOTAVAIL,
			"deleting it twice: EADDRNOTAVAIL");

	CHECK(ioth_iplink_add(a->st, "vt0", 0, "veth", NULL) >= 0, "iplink_add vt0 type veth");
	CHECK(ioth_if_nametoindex(a->st, "vt0") > 0, "vt0 exists");
	CHECK(ioth_iplink_del(a->st, "vt0", 0) == 0, "iplink_del vt0");
	CHECK(ioth_if_nametoindex(a->st, "vt0") < 0, "vt0 is gone");
}

static void test_two_vnls(const char *vnl, const char *vnl2) {
	struct ioth *st = ioth_newstackl("vdestack", vnl, vnl2, NULL);
	if (st == NULL && errno == EPERM && geteuid() != 0) {
		printf("ok: two VNLs need root (EPERM) -- skipped the rest of this check\n");
		return;
	}
	CHECK(st != NULL, "stack with two VNLs");
	if (st == NULL)
		return;
	int i0 = ioth_if_nametoindex(st, "vde0"), i1 = ioth_if_nametoindex(st, "vde1");
	CHECK(i0 > 0 && i1 > 0 && i0 != i1, "vde0 (%d) and vde1 (%d)", i0, i1);
	/* Traffic through vde1 reaches a peer on the second switch. */
	struct node peer, two = {.st = st, .ifindex = i1};
	static const unsigned char mac_p[6] = {0x02, 0x10, 0, 0, 0, 0x03};
	setup_node(&peer, vnl2, "198.18.3.2", "fd00:3::2", mac_p);
	inet_pton(AF_INET, "198.18.3.1", &two.a4);
	ioth_linksetupdown(st, i1, 1);
	CHECK(ioth_ipaddr_add(st, AF_INET, &two.a4, 24, i1) == 0, "198.18.3.1/24 on vde1");
	int r = udp_socket(&peer, AF_INET, 5003);
	int s = ioth_msocket(st, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(5003), .sin_addr = peer.a4};
	ioth_sendto(s, "vde1", 4, 0, (struct sockaddr *) &to, sizeof(to));
	char buf[16];
	CHECK(recv_timeout(r, buf, sizeof(buf), 3000) == 4, "datagram through vde1 received");
	ioth_close(r);
	ioth_close(s);
	ioth_delstack(peer.st);
	CHECK(ioth_delstack(st) == 0, "delstack");
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct vdeswitch *sw = vdeswitch_start(NULL), *sw2 = vdeswitch_start(NULL);
	if (sw == NULL || sw2 == NULL) {
		perror("embedded switch");
		return 1;
	}
	const char *vnl = vdeswitch_vnl(sw);
	struct node a, b;
	static const unsigned char mac_a[6] = {0x02, 0x10, 0, 0, 0, 0x01};
	static const unsigned char mac_b[6] = {0x02, 0x10, 0, 0, 0, 0x02};
	if (setup_node(&a, vnl, "198.18.1.1", "fd00:1::1", mac_a) < 0) {
		int err = errno;
		vdeswitch_stop(sw);
		vdeswitch_stop(sw2);
		printf("SKIP: vdestack cannot create a namespace here (%s): needs root or "
				"unprivileged user namespaces\n", strerror(err));
		return 77;
	}
	setup_node(&b, vnl, "198.18.1.2", "fd00:1::2", mac_b);
	test_udp(&a, &b);
	test_tcp_echo(&a, &b);
	test_ioctl_and_routes(&a);
	test_getifaddrs(&a, mac_a);
	test_nldialog_iplink(&a);
	CHECK(ioth_delstack(a.st) == 0 && ioth_delstack(b.st) == 0, "both stacks deleted");
	test_two_vnls(vnl, vdeswitch_vnl(sw2));
	vdeswitch_stop(sw);
	vdeswitch_stop(sw2);
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
