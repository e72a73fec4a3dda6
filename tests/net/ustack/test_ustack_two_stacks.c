/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Two ustack stacks in one process on an embedded VDE switch, configured
 * through netlink: ARP resolution, ping (ping socket and raw ICMP), UDP
 * both ways with IP_PKTINFO, ICMP port unreachable reaching a connected
 * socket as ECONNREFUSED, a 60 KB datagram in fragments, loopback. */
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <pthread.h>

#include "ustest.h"
#include "vdeswitch.h"

static void test_udp(struct ioth *a, struct ioth *b) {
	int sa = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	int sb = ioth_msocket(b, AF_INET, SOCK_DGRAM, 0);
	REQUIRE(sa >= 0 && sb >= 0);
	struct sockaddr_in ba = sin4("0.0.0.0", 5000);
	CHECK(ioth_bind(sb, (struct sockaddr *) &ba, sizeof(ba)) == 0);
	int on = 1;
	CHECK(ioth_setsockopt(sb, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) == 0);
	struct sockaddr_in to = sin4("198.18.0.2", 5000);
	CHECK(ioth_sendto(sa, "ciao\n", 5, 0, (struct sockaddr *) &to, sizeof(to)) == 5);
	struct pollfd pfd = {.fd = sb, .events = POLLIN};
	CHECK(poll(&pfd, 1, 3000) == 1);
	char buf[64];
	char cbuf[128];
	struct sockaddr_in from;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
		.msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ssize_t n = ioth_recvmsg(sb, &msg, 0);
	CHECK(n == 5 && memcmp(buf, "ciao\n", 5) == 0);
	CHECK(from.sin_addr.s_addr == ip4("198.18.0.1"));
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	CHECK(c && c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO);
	if (c) {
		struct in_pktinfo pi;
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		CHECK(pi.ipi_addr.s_addr == ip4("198.18.0.2"));
		CHECK(pi.ipi_ifindex == ioth_if_nametoindex(b, "vde0"));
	}
	/* the reply goes back to the sender's ephemeral port */
	CHECK(ntohs(from.sin_port) >= 32768 && ntohs(from.sin_port) <= 60999);
	CHECK(ioth_sendto(sb, "back", 4, 0, (struct sockaddr *) &from, sizeof(from)) == 4);
	pfd.fd = sa;
	CHECK(poll(&pfd, 1, 3000) == 1);
	CHECK(ioth_recv(sa, buf, sizeof(buf), MSG_DONTWAIT) == 4 && memcmp(buf, "back", 4) == 0);
	/* nothing more: EAGAIN */
	CHECK(ioth_recv(sa, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN);

	/* 60 KB datagram: fragments on a 1500 MTU link, reassembled */
	size_t big = 60000;
	uint8_t *out = malloc(big), *in = malloc(big + 1);
	for (size_t i = 0; i < big; i++)
		out[i] = (uint8_t) (i * 7 + 3);
	CHECK(ioth_sendto(sa, out, big, 0, (struct sockaddr *) &to, sizeof(to)) == (ssize_t) big);
	pfd.fd = sb;
	CHECK(poll(&pfd, 1, 3000) == 1);
	int avail = 0;
	CHECK(ioth_ioctl(sb, FIONREAD, &avail) == 0 && avail == (int) big);
	n = ioth_recv(sb, in, big + 1, 0);
	CHECK(n == (ssize_t) big && memcmp(in, out, big) == 0);
	free(out);
	free(in);

	/* connected socket to a closed port: ICMP port unreachable -> ECONNREFUSED */
	int sc = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in closed = sin4("198.18.0.2", 5999);
	CHECK(ioth_connect(sc, (struct sockaddr *) &closed, sizeof(closed)) == 0);
	CHECK(ioth_send(sc, "x", 1, 0) == 1);
	pfd.fd = sc;
	CHECK(poll(&pfd, 1, 3000) == 1);
	CHECK(ioth_recv(sc, buf, sizeof(buf), 0) == -1 && errno == ECONNREFUSED);
	ioth_close(sc);
	ioth_close(sa);
	ioth_close(sb);
}

static void test_raw_icmp(struct ioth *a) {
	int fd = ioth_msocket(a, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	REQUIRE(fd >= 0);
	uint8_t req[16] = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'r', 'a', 'w', '!', 1, 2, 3, 4};
	/* raw sockets leave the ICMP checksum to the application */
	uint32_t sum = 0;
	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t) (req[i] << 8 | req[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t c = (uint16_t) ~sum;
	req[2] = (uint8_t) (c >> 8);
	req[3] = (uint8_t) c;
	struct sockaddr_in to = sin4("198.18.0.2", 0);
	CHECK(ioth_sendto(fd, req, sizeof(req), 0, (struct sockaddr *) &to, sizeof(to)) == 16);
	uint8_t buf[256];
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int got = 0;
	while (!got && poll(&pfd, 1, 3000) == 1) {
		ssize_t n = ioth_recv(fd, buf, sizeof(buf), 0);
		/* the IP header comes first on a raw socket */
		if (n == 20 + 16 && buf[9] == IPPROTO_ICMP && buf[20] == 0 && buf[24] == 0x12 &&
				memcmp(buf + 28, "raw!", 4) == 0)
			got = 1;
	}
	CHECK(got);
	ioth_close(fd);
}

static void test_loopback(struct ioth *a) {
	CHECK(ustest_ping(a, "127.0.0.1", 56, 2000) == 0);
	CHECK(ustest_ping(a, "198.18.0.1", 56, 2000) == 0);  /* own address */
	int s1 = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	int s2 = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in lo = sin4("127.0.0.1", 7000);
	CHECK(ioth_bind(s1, (struct sockaddr *) &lo, sizeof(lo)) == 0);
	/* large datagram over lo: one frame, no fragments */
	size_t big = 65000;
	uint8_t *out = malloc(big), *in = malloc(big);
	memset(out, 0x5a, big);
	CHECK(ioth_sendto(s2, out, big, 0, (struct sockaddr *) &lo, sizeof(lo)) == (ssize_t) big);
	CHECK(ioth_recv(s1, in, big, 0) == (ssize_t) big && memcmp(in, out, big) == 0);
	free(out);
	free(in);
	ioth_close(s1);
	ioth_close(s2);
}

int main(void) {
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	struct ioth *a = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.1", 24);
	struct ioth *b = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.2", 24);
	REQUIRE(a && b);
	CHECK(ustest_ping(a, "198.18.0.2", 56, 3000) == 0);
	CHECK(ustest_ping(b, "198.18.0.1", 1000, 3000) == 0);
	/* larger than the MTU: the echo and its reply are fragmented */
	CHECK(ustest_ping(a, "198.18.0.2", 20000, 3000) == 0);
	test_udp(a, b);
	test_raw_icmp(a);
	test_loopback(a);
	/* an address nobody has: EHOSTUNREACH after ARP gives up (3 s) */
	int sc = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ghost = sin4("198.18.0.77", 9);
	CHECK(ioth_connect(sc, (struct sockaddr *) &ghost, sizeof(ghost)) == 0);
	CHECK(ioth_send(sc, "x", 1, 0) == 1);
	struct pollfd pfd = {.fd = sc, .events = POLLIN};
	CHECK(poll(&pfd, 1, 6000) == 1);
	char buf[8];
	CHECK(ioth_recv(sc, buf, sizeof(buf), 0) == -1 && errno == EHOSTUNREACH);
	ioth_close(sc);
	/* no route */
	int s = ioth_msocket(a, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in far = sin4("198.19.1.1", 9);
	CHECK(ioth_sendto(s, "x", 1, 0, (struct sockaddr *) &far, sizeof(far)) == -1 && errno == ENETUNREACH);
	/* delstack refuses while a socket is open */
	CHECK(ioth_delstack(a) == -1 && errno == EBUSY);
	ioth_close(s);
	CHECK(ioth_delstack(a) == 0);
	CHECK(ioth_delstack(b) == 0);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_two_stacks");
}
