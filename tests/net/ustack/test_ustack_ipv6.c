/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IPv6 between two ustack stacks on an embedded switch: link-local
 * addresses from the MAC after DAD, NDP resolution, ping6 (ping socket
 * and raw ICMPv6 with ICMP6_FILTER), UDP over IPv6 with IPV6_PKTINFO, a
 * 60 KB datagram in fragments, port unreachable as ECONNREFUSED, dual
 * stack (IPv4 clients seen as ::ffff:a.b.c.d) and IPV6_V6ONLY, multicast
 * with MLDv2 reports on the wire, DAD conflicts, ::1. */
#define _GNU_SOURCE
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <netinet/icmp6.h>

#include "ustest.h"
#include "vdeswitch.h"

static struct ioth *A, *B;

static struct sockaddr_in6 sin6(const char *a, int port, int scope) {
	struct sockaddr_in6 s = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t) port),
		.sin6_scope_id = (uint32_t) scope};
	if (inet_pton(AF_INET6, a, &s.sin6_addr) != 1)
		abort();
	return s;
}

static int ping6(struct ioth *st, const char *dst, int scope, size_t payload, int ms) {
	int fd = ioth_msocket(st, AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6);
	if (fd < 0)
		return -1;
	size_t len = 8 + payload;
	uint8_t *req = calloc(1, len), *rep = malloc(len + 64);
	req[0] = 128;
	req[7] = 9;
	for (size_t i = 8; i < len; i++)
		req[i] = (uint8_t) (i * 3);
	struct sockaddr_in6 to = sin6(dst, 0, scope);
	int rc = -1;
	if (ioth_sendto(fd, req, len, 0, (struct sockaddr *) &to, sizeof(to)) == (ssize_t) len) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		while (rc < 0 && poll(&pfd, 1, ms) == 1) {
			ssize_t n = ioth_recv(fd, rep, len + 64, 0);
			if (n == (ssize_t) len && rep[0] == 129 && rep[7] == 9 && memcmp(rep + 8, req + 8, payload) == 0)
				rc = 0;
		}
	}
	free(req);
	free(rep);
	ioth_close(fd);
	return rc;
}

static int wait_in(int fd, int ms) {
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN);
}

static void ll_of(const uint8_t *mac, char *out) {
	sprintf(out, "fe80::%x:%x:%x", (mac[0] ^ 2) << 8 | mac[1], mac[2] << 8 | 0xff, 0xfe00 | mac[3]);
	char tail[16];
	sprintf(tail, ":%x", mac[4] << 8 | mac[5]);
	strcat(out, tail);
}

static void test_ping(void) {
	uint8_t mb[6] = {0x02, 0, 0, 0, 0x06, 0x02};
	char llb[64];
	ll_of(mb, llb);
	/* link-local: needs the interface (scope id) */
	CHECK(ping6(A, llb, 2, 56, 3000) == 0);
	CHECK(ping6(A, "fd00:6::2", 0, 56, 3000) == 0);
	CHECK(ping6(B, "fd00:6::1", 0, 3000, 3000) == 0);   /* fragmented both ways */
	CHECK(ping6(A, "::1", 0, 56, 1000) == 0);
	CHECK(ping6(A, "fd00:6::1", 0, 56, 1000) == 0);     /* own address, via lo */
	/* raw ICMPv6: the stack computes the checksum; the filter passes replies only */
	int fd = ioth_msocket(A, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	REQUIRE(fd >= 0);
	struct icmp6_filter f;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
	CHECK(ioth_setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) == 0);
	uint8_t req[12] = {128, 0, 0, 0, 0x33, 0x44, 0, 1, 'r', 'a', 'w', '6'};
	struct sockaddr_in6 to = sin6("fd00:6::2", 0, 0);
	CHECK(ioth_sendto(fd, req, sizeof(req), 0, (struct sockaddr *) &to, sizeof(to)) == 12);
	uint8_t buf[128];
	int got = 0;
	while (!got && wait_in(fd, 3000)) {
		ssize_t n = ioth_recv(fd, buf, sizeof(buf), 0);
		CHECK(n > 0 && buf[0] == 129);  /* no NS/NA got through the filter */
		if (n == 12 && buf[4] == 0x33 && memcmp(buf + 8, "raw6", 4) == 0)
			got = 1;
	}
	CHECK(got);
	ioth_close(fd);
}

static void test_udp6(void) {
	int r = ioth_msocket(B, AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 any = sin6("::", 5006, 0);
	CHECK(ioth_bind(r, (struct sockaddr *) &any, sizeof(any)) == 0);
	int on = 1;
	CHECK(ioth_setsockopt(r, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) == 0);
	int s = ioth_msocket(A, AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 to = sin6("fd00:6::2", 5006, 0);
	CHECK(ioth_sendto(s, "ciao6", 5, 0, (struct sockaddr *) &to, sizeof(to)) == 5);
	char buf[64], cbuf[128];
	struct sockaddr_in6 from;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	CHECK(wait_in(r, 3000) && ioth_recvmsg(r, &msg, 0) == 5 && memcmp(buf, "ciao6", 5) == 0);
	struct sockaddr_in6 a1 = sin6("fd00:6::1", 0, 0);
	CHECK(memcmp(&from.sin6_addr, &a1.sin6_addr, 16) == 0);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	CHECK(c && c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO);
	if (c) {
		struct in6_pktinfo pi;
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		CHECK(memcmp(&pi.ipi6_addr, &to.sin6_addr, 16) == 0 && pi.ipi6_ifindex == 2);
	}
	CHECK(ioth_sendto(r, "back", 4, 0, (struct sockaddr *) &from, sizeof(from)) == 4);
	CHECK(wait_in(s, 3000) && ioth_recv(s, buf, sizeof(buf), 0) == 4);
	/* 60 KB: fragments on a 1500 link */
	size_t big = 60000;
	uint8_t *out = malloc(big), *in = malloc(big);
	for (size_t i = 0; i < big; i++)
		out[i] = (uint8_t) (i * 11);
	CHECK(ioth_sendto(s, out, big, 0, (struct sockaddr *) &to, sizeof(to)) == (ssize_t) big);
	CHECK(wait_in(r, 3000) && ioth_recv(r, in, big, 0) == (ssize_t) big && memcmp(in, out, big) == 0);
	free(out);
	free(in);
	/* dual stack: an IPv4 client reaches the AF_INET6 socket as ::ffff:198.18.6.1 */
	int s4 = ioth_msocket(A, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to4 = sin4("198.18.6.2", 5006);
	CHECK(ioth_sendto(s4, "v4", 2, 0, (struct sockaddr *) &to4, sizeof(to4)) == 2);
	socklen_t fl = sizeof(from);
	CHECK(wait_in(r, 3000) && ioth_recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *) &from, &fl) == 2);
	struct sockaddr_in6 mapped = sin6("::ffff:198.18.6.1", 0, 0);
	CHECK(fl == sizeof(from) && memcmp(&from.sin6_addr, &mapped.sin6_addr, 16) == 0);
	/* and the answer to the mapped address goes out as IPv4 */
	CHECK(ioth_sendto(r, "r4", 2, 0, (struct sockaddr *) &from, sizeof(from)) == 2);
	CHECK(wait_in(s4, 3000) && ioth_recv(s4, buf, sizeof(buf), 0) == 2);
	/* V6ONLY: IPv4 does not reach it; then the port is free for IPv4 */
	int r6 = ioth_msocket(B, AF_INET6, SOCK_DGRAM, 0);
	CHECK(ioth_setsockopt(r6, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == 0);
	struct sockaddr_in6 p2 = sin6("::", 5007, 0);
	CHECK(ioth_bind(r6, (struct sockaddr *) &p2, sizeof(p2)) == 0);
	CHECK(ioth_setsockopt(r6, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1 && errno == EINVAL);
	int r4 = ioth_msocket(B, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in b4 = sin4("0.0.0.0", 5007);
	CHECK(ioth_bind(r4, (struct sockaddr *) &b4, sizeof(b4)) == 0);
	/* without V6ONLY the same would clash (Linux) */
	int rx = ioth_msocket(B, AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 p1 = sin6("::", 5006, 0);
	CHECK(ioth_bind(rx, (struct sockaddr *) &p1, sizeof(p1)) == -1 && errno == EADDRINUSE);
	ioth_close(rx);
	/* port unreachable over IPv6 reaches a connected socket */
	int sc = ioth_msocket(A, AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 closed = sin6("fd00:6::2", 5999, 0);
	CHECK(ioth_connect(sc, (struct sockaddr *) &closed, sizeof(closed)) == 0);
	struct sockaddr_in6 me;
	socklen_t ml = sizeof(me);
	CHECK(ioth_getsockname(sc, (struct sockaddr *) &me, &ml) == 0 && memcmp(&me.sin6_addr, &a1.sin6_addr, 16) == 0);
	CHECK(ioth_send(sc, "x", 1, 0) == 1);
	CHECK(wait_in(sc, 3000));
	CHECK(ioth_recv(sc, buf, sizeof(buf), 0) == -1 && errno == ECONNREFUSED);
	ioth_close(sc);
	ioth_close(r4);
	ioth_close(r6);
	ioth_close(s4);
	ioth_close(s);
	ioth_close(r);
}

static void test_multicast6(void) {
	int pk = ioth_msocket(A, AF_PACKET, SOCK_RAW, htons(ETH_P_IPV6));
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6), .sll_ifindex = 2};
	CHECK(ioth_bind(pk, (struct sockaddr *) &ll, sizeof(ll)) == 0);
	int r = ioth_msocket(B, AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 any = sin6("::", 5100, 0);
	CHECK(ioth_bind(r, (struct sockaddr *) &any, sizeof(any)) == 0);
	struct ipv6_mreq mr = {.ipv6mr_interface = 2};
	inet_pton(AF_INET6, "ff12::1234", &mr.ipv6mr_multiaddr);
	CHECK(ioth_setsockopt(r, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) == 0);
	/* the MLDv2 report: to ff02::16, hop-by-hop router alert, type 143 */
	int report = 0;
	uint8_t f[2048];
	for (int i = 0; i < 20 && !report && wait_in(pk, 500); i++) {
		ssize_t n = ioth_recv(pk, f, sizeof(f), 0);
		if (n >= 14 + 40 + 8 + 28 && f[0] == 0x33 && f[5] == 0x16 && f[20] == 0 && f[21] == 1 &&
				f[14 + 40] == 58 && f[14 + 48] == 143 && memcmp(f + 14 + 48 + 12, &mr.ipv6mr_multiaddr, 16) == 0)
			report = 1;
	}
	CHECK(report);
	int s = ioth_msocket(A, AF_INET6, SOCK_DGRAM, 0);
	int idx = 2;
	CHECK(ioth_setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx)) == 0);
	struct sockaddr_in6 g = sin6("ff12::1234", 5100, 0);
	CHECK(ioth_sendto(s, "mc6", 3, 0, (struct sockaddr *) &g, sizeof(g)) == 3);
	char buf[8];
	CHECK(wait_in(r, 3000) && ioth_recv(r, buf, sizeof(buf), 0) == 3);
	CHECK(ioth_setsockopt(r, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &mr, sizeof(mr)) == 0);
	CHECK(ioth_sendto(s, "mc6", 3, 0, (struct sockaddr *) &g, sizeof(g)) == 3);
	CHECK(!wait_in(r, 300));
	ioth_close(s);
	ioth_close(r);
	ioth_close(pk);
}

static int addr_flags(struct ioth *st, const char *addr) {
	struct ifaddrs *ifa;
	int found = -1;
	struct sockaddr_in6 want = sin6(addr, 0, 0);
	if (ioth_getifaddrs(st, &ifa) < 0)
		return -1;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6 &&
				memcmp(&((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr, &want.sin6_addr, 16) == 0)
			found = 1;
	ioth_freeifaddrs(ifa);
	return found;
}

static void test_dad(void) {
	/* B claims A's address: DAD fails on B, A keeps it */
	uint8_t a[16];
	inet_pton(AF_INET6, "fd00:6::1", a);
	CHECK(ioth_ipaddr_add(B, AF_INET6, a, 64, 2) == 0);
	usleep(1500000);
	CHECK(addr_flags(B, "fd00:6::1") == 1);
	/* B does not answer for it: a ping from B to it reaches A only, and A's
	 * address still works from B's other address */
	int s = ioth_msocket(B, AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 b2 = sin6("fd00:6::1", 0, 0);
	CHECK(ioth_bind(s, (struct sockaddr *) &b2, sizeof(b2)) == -1 && errno == EADDRNOTAVAIL);
	ioth_close(s);
	CHECK(ping6(A, "fd00:6::2", 0, 56, 3000) == 0);
	CHECK(ioth_ipaddr_del(B, AF_INET6, a, 64, 2) == 0);
}

int main(void) {
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	A = ustest_stack("ustack,mac=02:00:00:00:06:01", vdeswitch_vnl(sw), "198.18.6.1", 24);
	B = ustest_stack("ustack,mac=02:00:00:00:06:02", vdeswitch_vnl(sw), "198.18.6.2", 24);
	REQUIRE(A && B);
	uint8_t a6[16], b6[16];
	inet_pton(AF_INET6, "fd00:6::1", a6);
	inet_pton(AF_INET6, "fd00:6::2", b6);
	CHECK(ioth_ipaddr_add(A, AF_INET6, a6, 64, 2) == 0);
	CHECK(ioth_ipaddr_add(B, AF_INET6, b6, 64, 2) == 0);
	/* DAD (one probe, 1 s) before the addresses are usable */
	usleep(1300000);
	test_ping();
	test_udp6();
	test_multicast6();
	test_dad();
	CHECK(ioth_delstack(A) == 0);
	CHECK(ioth_delstack(B) == 0);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_ipv6");
}
