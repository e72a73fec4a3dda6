/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Socket semantics of ustack against Linux's: multicast with IGMP reports
 * seen on the wire, AF_PACKET (SOCK_RAW and SOCK_DGRAM, a DHCP-like
 * broadcast from 0.0.0.0), SO_BROADCAST, timeouts, non-blocking mode,
 * MSG_PEEK/MSG_TRUNC, readiness through epoll, shutdown and close from
 * another thread waking a blocked reader, a route whose gateway is
 * another stack's address, errno of bad calls. */
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <pthread.h>
#include <sys/epoll.h>

#include "ustest.h"
#include "vdeswitch.h"

static struct ioth *A, *B, *C;

static int udp_bound(struct ioth *st, const char *addr, int port) {
	int fd = ioth_msocket(st, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in b = sin4(addr, port);
	if (fd < 0 || ioth_bind(fd, (struct sockaddr *) &b, sizeof(b)) < 0)
		return -1;
	return fd;
}

static int wait_in(int fd, int ms) {
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN);
}

static void test_multicast(void) {
	/* C watches the wire for IGMPv3 reports (to 224.0.0.22) */
	int pk = ioth_msocket(C, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	REQUIRE(pk >= 0);
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ioth_if_nametoindex(C, "vde0")};
	CHECK(ioth_bind(pk, (struct sockaddr *) &ll, sizeof(ll)) == 0);
	int rb = udp_bound(B, "0.0.0.0", 6000);
	struct ip_mreqn mr = {.imr_multiaddr.s_addr = ip4("239.1.2.3"), .imr_ifindex = 2};
	CHECK(ioth_setsockopt(rb, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) == 0);
	CHECK(ioth_setsockopt(rb, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) == -1 && errno == EADDRINUSE);
	int report = 0;
	uint8_t f[2048];
	for (int i = 0; i < 20 && !report && wait_in(pk, 500); i++) {
		ssize_t n = ioth_recv(pk, f, sizeof(f), 0);
		/* 01:00:5e:00:00:16, IPv4, IGMP (2) with router alert, type 0x22 */
		if (n >= 14 + 24 + 16 && f[0] == 1 && f[5] == 0x16 && f[12] == 8 && f[14] == 0x46 && f[23] == 2 &&
				f[38] == 0x22 && f[46] == 4 && memcmp(f + 50, &mr.imr_multiaddr, 4) == 0)
			report = 1;
	}
	CHECK(report);
	/* A sends to the group, B gets it; A's own member socket too (loop) */
	int ra = udp_bound(A, "0.0.0.0", 6000);
	struct ip_mreq mra = {.imr_multiaddr.s_addr = ip4("239.1.2.3")};
	CHECK(ioth_setsockopt(ra, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mra, sizeof(mra)) == 0);
	int sa = ioth_msocket(A, AF_INET, SOCK_DGRAM, 0);
	int ttl = 3;
	CHECK(ioth_setsockopt(sa, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) == 0);
	struct sockaddr_in g = sin4("239.1.2.3", 6000);
	CHECK(ioth_sendto(sa, "mc", 2, 0, (struct sockaddr *) &g, sizeof(g)) == 2);
	char buf[16];
	CHECK(wait_in(rb, 2000) && ioth_recv(rb, buf, sizeof(buf), 0) == 2 && memcmp(buf, "mc", 2) == 0);
	CHECK(wait_in(ra, 2000) && ioth_recv(ra, buf, sizeof(buf), 0) == 2);
	/* without loop, A's socket hears nothing */
	int off = 0;
	CHECK(ioth_setsockopt(sa, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off)) == 0);
	CHECK(ioth_sendto(sa, "m2", 2, 0, (struct sockaddr *) &g, sizeof(g)) == 2);
	CHECK(wait_in(rb, 2000) && ioth_recv(rb, buf, sizeof(buf), 0) == 2);
	CHECK(!wait_in(ra, 200));
	/* after leaving, B hears nothing */
	CHECK(ioth_setsockopt(rb, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr, sizeof(mr)) == 0);
	CHECK(ioth_setsockopt(rb, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr, sizeof(mr)) == -1 && errno == EADDRNOTAVAIL);
	CHECK(ioth_sendto(sa, "m3", 2, 0, (struct sockaddr *) &g, sizeof(g)) == 2);
	CHECK(!wait_in(rb, 300));
	ioth_close(sa);
	ioth_close(ra);
	ioth_close(rb);
	ioth_close(pk);
}

static uint16_t csum16(const uint8_t *p, size_t n, uint32_t sum) {
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t) (p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t) p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t) ~sum;
}

static void test_packet_dhcp_like(void) {
	/* B listens on port 67 as a DHCP server would */
	int srv = udp_bound(B, "0.0.0.0", 67);
	/* C, no address needed, sends 0.0.0.0:68 -> 255.255.255.255:67 through
	 * an AF_PACKET SOCK_DGRAM socket, building IP and UDP itself */
	int pk = ioth_msocket(C, AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	REQUIRE(pk >= 0);
	uint8_t d[20 + 8 + 4] = {0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255,
		0, 68, 0, 67, 0, 12, 0, 0, 'd', 'h', 'c', 'p'};
	uint16_t c = csum16(d, 20, 0);
	d[10] = (uint8_t) (c >> 8);
	d[11] = (uint8_t) c;
	/* UDP checksum 0: none, allowed on IPv4 */
	struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = ioth_if_nametoindex(C, "vde0"), .sll_halen = 6,
		.sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	CHECK(ioth_sendto(pk, d, sizeof(d), 0, (struct sockaddr *) &to, sizeof(to)) == (ssize_t) sizeof(d));
	char buf[16];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	CHECK(wait_in(srv, 2000) && ioth_recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *) &from, &fl) == 4 &&
			memcmp(buf, "dhcp", 4) == 0 && from.sin_addr.s_addr == 0 && ntohs(from.sin_port) == 68);
	/* B's packet socket (SOCK_DGRAM, ETH_P_IP) saw the same datagram,
	 * without the link header, with the sender's MAC and PACKET_BROADCAST */
	int bpk = ioth_msocket(B, AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	CHECK(ioth_sendto(pk, d, sizeof(d), 0, (struct sockaddr *) &to, sizeof(to)) == (ssize_t) sizeof(d));
	uint8_t fr[128];
	struct sockaddr_ll sll;
	socklen_t sl = sizeof(sll);
	ssize_t n = wait_in(bpk, 2000) ? ioth_recvfrom(bpk, fr, sizeof(fr), 0, (struct sockaddr *) &sll, &sl) : -1;
	CHECK(n == (ssize_t) sizeof(d) && memcmp(fr, d, sizeof(d)) == 0);
	CHECK(sll.sll_pkttype == PACKET_BROADCAST && sll.sll_protocol == htons(ETH_P_IP) && sll.sll_halen == 6);
	/* MSG_TRUNC reports the real length */
	CHECK(ioth_sendto(pk, d, sizeof(d), 0, (struct sockaddr *) &to, sizeof(to)) == (ssize_t) sizeof(d));
	CHECK(wait_in(bpk, 2000) && ioth_recv(bpk, fr, 4, MSG_TRUNC) == (ssize_t) sizeof(d));
	/* no interface: ENXIO, as Linux */
	int un = ioth_msocket(C, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	CHECK(ioth_send(un, fr, 60, 0) == -1 && errno == ENXIO);
	ioth_close(un);
	ioth_close(bpk);
	ioth_close(pk);
	ioth_close(srv);
}

static void test_broadcast_and_errors(void) {
	int s = ioth_msocket(A, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in bc = sin4("198.18.0.255", 6100);
	CHECK(ioth_sendto(s, "b", 1, 0, (struct sockaddr *) &bc, sizeof(bc)) == -1 && errno == EACCES);
	int on = 1;
	CHECK(ioth_setsockopt(s, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) == 0);
	int r = udp_bound(B, "0.0.0.0", 6100);
	CHECK(ioth_sendto(s, "b", 1, 0, (struct sockaddr *) &bc, sizeof(bc)) == 1);
	char buf[8];
	CHECK(wait_in(r, 2000) && ioth_recv(r, buf, sizeof(buf), 0) == 1);
	/* bind errors */
	int r2 = ioth_msocket(B, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in same = sin4("0.0.0.0", 6100);
	CHECK(ioth_bind(r2, (struct sockaddr *) &same, sizeof(same)) == -1 && errno == EADDRINUSE);
	struct sockaddr_in notmine = sin4("198.18.0.99", 0);
	CHECK(ioth_bind(r2, (struct sockaddr *) &notmine, sizeof(notmine)) == -1 && errno == EADDRNOTAVAIL);
	CHECK(ioth_bind(r2, (struct sockaddr *) &same, 3) == -1 && errno == EINVAL);
	/* SO_REUSEADDR on both: allowed */
	int r3 = ioth_msocket(B, AF_INET, SOCK_DGRAM, 0);
	CHECK(ioth_setsockopt(r3, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0);
	struct sockaddr_in p2 = sin4("0.0.0.0", 6101);
	int r4 = ioth_msocket(B, AF_INET, SOCK_DGRAM, 0);
	CHECK(ioth_setsockopt(r4, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0);
	CHECK(ioth_bind(r3, (struct sockaddr *) &p2, sizeof(p2)) == 0);
	CHECK(ioth_bind(r4, (struct sockaddr *) &p2, sizeof(p2)) == 0);
	/* unconnected: no peer, no destination */
	CHECK(ioth_send(r2, "x", 1, 0) == -1 && errno == EDESTADDRREQ);
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	CHECK(ioth_getpeername(r2, (struct sockaddr *) &peer, &pl) == -1 && errno == ENOTCONN);
	CHECK(ioth_listen(r2, 5) == -1 && errno == EOPNOTSUPP);
	/* options as Linux reports them */
	int v;
	socklen_t vl = sizeof(v);
	CHECK(ioth_getsockopt(r2, SOL_SOCKET, SO_TYPE, &v, &vl) == 0 && v == SOCK_DGRAM);
	CHECK(ioth_getsockopt(r2, SOL_SOCKET, SO_PROTOCOL, &v, &vl) == 0 && v == IPPROTO_UDP);
	v = 1000;
	CHECK(ioth_setsockopt(r2, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	CHECK(ioth_getsockopt(r2, SOL_SOCKET, SO_RCVBUF, &v, &vl) == 0 && v == 2304);
	v = 0;
	CHECK(ioth_setsockopt(r2, IPPROTO_IP, IP_TTL, &v, sizeof(v)) == -1 && errno == EINVAL);
	CHECK(ioth_getsockopt(r2, IPPROTO_IP, IP_TTL, &v, &vl) == 0 && v == 64);
	CHECK(ioth_setsockopt(r2, SOL_SOCKET, 9999, &v, sizeof(v)) == -1 && errno == ENOPROTOOPT);
	CHECK(ioth_msocket(A, AF_INET, SOCK_STREAM, IPPROTO_UDP) == -1 && errno == EPROTONOSUPPORT);
	CHECK(ioth_msocket(A, 12345, SOCK_DGRAM, 0) == -1 && errno == EAFNOSUPPORT);
	CHECK(ioth_close(99999) == -1 && errno == EBADF);
	ioth_close(r4);
	ioth_close(r3);
	ioth_close(r2);
	ioth_close(r);
	ioth_close(s);
}

static void test_timeouts_nonblock_peek(void) {
	int r = udp_bound(B, "0.0.0.0", 6200);
	char buf[16];
	struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
	CHECK(ioth_setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(ioth_recv(r, buf, sizeof(buf), 0) == -1 && errno == EAGAIN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 190 && ms < 2000);
	tv.tv_usec = 1000000;
	CHECK(ioth_setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 && errno == EDOM);
	int fl = ioth_fcntl(r, F_GETFL, 0);
	CHECK(fl >= 0 && !(fl & O_NONBLOCK));
	CHECK(ioth_fcntl(r, F_SETFL, fl | O_NONBLOCK) == 0);
	CHECK(ioth_fcntl(r, F_GETFL, 0) & O_NONBLOCK);
	CHECK(ioth_recv(r, buf, sizeof(buf), 0) == -1 && errno == EAGAIN);
	/* epoll sees readiness, MSG_PEEK leaves the datagram, MSG_TRUNC gives its size */
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN}, out;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev) == 0);
	CHECK(epoll_wait(ep, &out, 1, 0) == 0);
	int s = ioth_msocket(A, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = sin4("198.18.0.2", 6200);
	CHECK(ioth_sendto(s, "0123456789", 10, 0, (struct sockaddr *) &to, sizeof(to)) == 10);
	CHECK(epoll_wait(ep, &out, 1, 2000) == 1 && (out.events & EPOLLIN));
	CHECK(ioth_recv(r, buf, 4, MSG_PEEK) == 4 && memcmp(buf, "0123", 4) == 0);
	int avail = 0;
	CHECK(ioth_ioctl(r, FIONREAD, &avail) == 0 && avail == 10);
	CHECK(ioth_recv(r, buf, 4, MSG_TRUNC) == 10 && memcmp(buf, "0123", 4) == 0);
	/* consumed: not readable any more */
	CHECK(epoll_wait(ep, &out, 1, 0) == 0);
	CHECK(ioth_recv(r, buf, sizeof(buf), 0) == -1 && errno == EAGAIN);
	close(ep);
	ioth_close(s);
	ioth_close(r);
}

struct blocked {
	int fd;
	ssize_t ret;
	int err;
};

static void *blocked_reader(void *arg) {
	struct blocked *b = arg;
	char buf[8];
	b->ret = ioth_recv(b->fd, buf, sizeof(buf), 0);
	b->err = errno;
	return NULL;
}

static void test_wakeups(void) {
	/* shutdown from another thread: the reader returns 0 (Linux) */
	struct blocked b = {.fd = udp_bound(B, "0.0.0.0", 6300)};
	pthread_t t;
	pthread_create(&t, NULL, blocked_reader, &b);
	usleep(100000);
	CHECK(ioth_shutdown(b.fd, SHUT_RDWR) == -1 && errno == ENOTCONN);
	pthread_join(t, NULL);
	CHECK(b.ret == 0);
	struct pollfd pfd = {.fd = b.fd, .events = POLLIN};
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP));
	ioth_close(b.fd);
	/* close from another thread: the reader gets EBADF */
	struct blocked c = {.fd = udp_bound(B, "0.0.0.0", 6301)};
	pthread_create(&t, NULL, blocked_reader, &c);
	usleep(100000);
	CHECK(ioth_close(c.fd) == 0);
	pthread_join(t, NULL);
	CHECK(c.ret == -1 && c.err == EBADF);
}

static void test_gateway_route(void) {
	/* B also answers on 198.18.9.2/24; A reaches that net through a route
	 * whose gateway is B's address on the shared subnet (no forwarding) */
	uint32_t a9 = ip4("198.18.9.2"), net = ip4("198.18.9.0"), gw = ip4("198.18.0.2");
	CHECK(ioth_ipaddr_add(B, AF_INET, &a9, 24, 2) == 0);
	CHECK(ustest_ping(A, "198.18.9.2", 56, 300) == -1 && errno == ENETUNREACH);
	CHECK(ioth_iproute_add(A, AF_INET, &net, 24, &gw, 0) == 0);
	CHECK(ustest_ping(A, "198.18.9.2", 56, 3000) == 0);
	int r = udp_bound(B, "198.18.9.2", 6400);
	int s = ioth_msocket(A, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = sin4("198.18.9.2", 6400);
	CHECK(ioth_connect(s, (struct sockaddr *) &to, sizeof(to)) == 0);
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	CHECK(ioth_getsockname(s, (struct sockaddr *) &me, &ml) == 0 && me.sin_addr.s_addr == ip4("198.18.0.1"));
	CHECK(ioth_send(s, "gw", 2, 0) == 2);
	char buf[8];
	CHECK(wait_in(r, 2000) && ioth_recv(r, buf, sizeof(buf), 0) == 2);
	ioth_close(s);
	ioth_close(r);
}

int main(void) {
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	A = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.1", 24);
	B = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.2", 24);
	C = ustest_stack(NULL, vdeswitch_vnl(sw), NULL, 0);
	REQUIRE(A && B && C);
	test_multicast();
	test_packet_dhcp_like();
	test_broadcast_and_errors();
	test_timeouts_nonblock_peek();
	test_wakeups();
	test_gateway_route();
	CHECK(ioth_delstack(A) == 0);
	CHECK(ioth_delstack(B) == 0);
	CHECK(ioth_delstack(C) == 0);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_sockets");
}
