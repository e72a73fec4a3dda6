/* SPDX-License-Identifier: LGPL-2.1-or-later
 * IP_RECVERR / IPV6_RECVERR and path MTU against real ICMP errors: a
 * ustack stack on VNL (198.18.8.2/24, fd00:8::2/64) next to a Linux
 * namespace (198.18.8.1, fd00:8::1).
 *   1. UDP to a closed port of the kernel: its port unreachable lands in
 *      the error queue (POLLERR, SO_EE_ORIGIN_ICMP(6), port unreachable,
 *      ECONNREFUSED, offender the kernel, our payload), IPv4 and IPv6;
 *      SO_ERROR is set, then cleared by reading the queue; without
 *      IP_RECVERR an unconnected socket hears nothing.
 *   2. prints PMTU-READY and waits for the "fragmentation needed" (MTU
 *      1200) and "packet too big" (MTU 1300) that the script crafts with
 *      scapy, quoting datagrams of sockets bound to ports 5556 and 5555;
 *      checks ee_info, IP_MTU / IPV6_MTU of sockets connected to the
 *      kernel, then sends 1400 bytes to the kernel's ports 7778 and 7777
 *      (fragmented at the new path MTUs; the script checks that the
 *      kernel got them whole).
 *   ustack_err_probe VNL */
#define _GNU_SOURCE
#include <time.h>
#include <linux/errqueue.h>
#include <netinet/in.h>

#include "ustest.h"

static struct ioth *st_global;
static struct sock_extended_err ee;
static struct sockaddr_in6 offender;
static uint8_t payload[2048];
static ssize_t plen;

/* wait for an error queue entry of the given ICMP type; 0 if found */
static int wait_err(int fd, int type, int ms) {
	for (int waited = 0; waited < ms; waited += 100) {
		/* POLLERR; POLLIN too where libvpoll cannot signal POLLERR */
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 100) == 1 && (pfd.revents & (POLLERR | POLLIN))) {
			uint8_t cbuf[256];
			struct iovec iov = {payload, sizeof(payload)};
			struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				.msg_controllen = sizeof(cbuf)};
			plen = ioth_recvmsg(fd, &m, MSG_ERRQUEUE);
			if (plen < 0)
				continue;
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
				if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
						(c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
					memcpy(&ee, CMSG_DATA(c), sizeof(ee));
					memset(&offender, 0, sizeof(offender));
					memcpy(&offender, SO_EE_OFFENDER((struct sock_extended_err *) CMSG_DATA(c)),
							c->cmsg_level == SOL_IP ? sizeof(struct sockaddr_in) : sizeof(offender));
					if (ee.ee_type == type)
						return 0;
				}
		}
	}
	return -1;
}

static int udp(int family, int port, int recverr) {
	int fd = ioth_msocket(st_global, family, SOCK_DGRAM, 0);
	REQUIRE(fd >= 0);
	if (family == AF_INET) {
		struct sockaddr_in b = sin4("0.0.0.0", port);
		REQUIRE(ioth_bind(fd, (struct sockaddr *) &b, sizeof(b)) == 0);
		REQUIRE(ioth_setsockopt(fd, IPPROTO_IP, IP_RECVERR, &recverr, sizeof(recverr)) == 0);
	} else {
		int one = 1;
		struct sockaddr_in6 b = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t) port)};
		REQUIRE(ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0);
		REQUIRE(ioth_bind(fd, (struct sockaddr *) &b, sizeof(b)) == 0);
		REQUIRE(ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &recverr, sizeof(recverr)) == 0);
	}
	return fd;
}

static void sendto_port(int fd, int family, const char *dst, int port, size_t len) {
	static uint8_t data[2000];
	memset(data, 'x', sizeof(data));
	memcpy(data, "probe-data", 10);
	if (family == AF_INET) {
		struct sockaddr_in to = sin4(dst, port);
		CHECK(ioth_sendto(fd, data, len, 0, (struct sockaddr *) &to, sizeof(to)) == (ssize_t) len);
	} else {
		struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t) port)};
		inet_pton(AF_INET6, dst, &to.sin6_addr);
		CHECK(ioth_sendto(fd, data, len, 0, (struct sockaddr *) &to, sizeof(to)) == (ssize_t) len);
	}
}

static int connect_to(int fd, int family, const char *dst, int port) {
	if (family == AF_INET) {
		struct sockaddr_in to = sin4(dst, port);
		return ioth_connect(fd, (struct sockaddr *) &to, sizeof(to));
	}
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t) port)};
	inet_pton(AF_INET6, dst, &to.sin6_addr);
	return ioth_connect(fd, (struct sockaddr *) &to, sizeof(to));
}

static int getint(int fd, int level, int name) {
	int v = -1;
	socklen_t l = sizeof(v);
	return ioth_getsockopt(fd, level, name, &v, &l) < 0 ? -errno : v;
}

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fprintf(stderr, "usage: %s VNL\n", argv[0]);
		return 2;
	}
	struct ioth *st = ustest_stack("ustack,mac=02:00:00:00:08:02", argv[1], "198.18.8.2", 24);
	REQUIRE(st != NULL);
	st_global = st;
	uint8_t a6[16];
	inet_pton(AF_INET6, "fd00:8::2", a6);
	REQUIRE(ioth_ipaddr_add(st, AF_INET6, a6, 64, (unsigned) ioth_if_nametoindex(st, "vde0")) == 0);
	sleep(2);  /* DAD */

	/* 1. port unreachable from the kernel, IPv4 */
	int u4 = udp(AF_INET, 5000, 1);
	sendto_port(u4, AF_INET, "198.18.8.1", 9, 100);
	CHECK(wait_err(u4, 3, 5000) == 0);
	CHECK(ee.ee_origin == SO_EE_ORIGIN_ICMP && ee.ee_code == 3 && ee.ee_errno == ECONNREFUSED);
	struct sockaddr_in *o4 = (struct sockaddr_in *) &offender;
	CHECK(o4->sin_family == AF_INET && o4->sin_addr.s_addr == ip4("198.18.8.1"));
	CHECK(plen == 100 && memcmp(payload, "probe-data", 10) == 0);
	/* reading the queue cleared SO_ERROR */
	CHECK(getint(u4, SOL_SOCKET, SO_ERROR) == 0);
	/* a second one: SO_ERROR set until read */
	sendto_port(u4, AF_INET, "198.18.8.1", 9, 20);
	usleep(500000);
	CHECK(getint(u4, SOL_SOCKET, SO_ERROR) == ECONNREFUSED);
	CHECK(wait_err(u4, 3, 3000) == 0);
	/* without IP_RECVERR, unconnected: nothing */
	int q4 = udp(AF_INET, 5001, 0);
	sendto_port(q4, AF_INET, "198.18.8.1", 9, 20);
	CHECK(wait_err(q4, 3, 1000) < 0);
	CHECK(getint(q4, SOL_SOCKET, SO_ERROR) == 0);
	ioth_close(q4);

	/* IPv6 */
	int u6 = udp(AF_INET6, 5000, 1);
	sendto_port(u6, AF_INET6, "fd00:8::1", 9, 60);
	CHECK(wait_err(u6, 1, 5000) == 0);
	CHECK(ee.ee_origin == SO_EE_ORIGIN_ICMP6 && ee.ee_code == 4 && ee.ee_errno == ECONNREFUSED);
	uint8_t k6[16];
	inet_pton(AF_INET6, "fd00:8::1", k6);
	CHECK(offender.sin6_family == AF_INET6 && memcmp(offender.sin6_addr.s6_addr, k6, 16) == 0);
	CHECK(plen == 60 && memcmp(payload, "probe-data", 10) == 0);
	if (ustest_failures == 0)
		printf("ok port unreachable\n");

	/* 2. path MTU: sockets bound to the ports the crafted errors quote */
	int p4 = udp(AF_INET, 5556, 1), p6 = udp(AF_INET6, 5555, 1);
	CHECK(connect_to(p4, AF_INET, "198.18.8.1", 7778) == 0);
	CHECK(connect_to(p6, AF_INET6, "fd00:8::1", 7777) == 0);
	CHECK(getint(p4, IPPROTO_IP, IP_MTU) == 1500);
	CHECK(getint(p6, IPPROTO_IPV6, IPV6_MTU) == 1500);
	printf("PMTU-READY\n");
	fflush(stdout);
	CHECK(wait_err(p4, 3, 10000) == 0);
	CHECK(ee.ee_code == 4 && ee.ee_info == 1200 && ee.ee_errno == EMSGSIZE);
	CHECK(wait_err(p6, 2, 10000) == 0);
	CHECK(ee.ee_origin == SO_EE_ORIGIN_ICMP6 && ee.ee_info == 1300 && ee.ee_errno == EMSGSIZE);
	CHECK(getint(p4, IPPROTO_IP, IP_MTU) == 1200);
	CHECK(getint(p6, IPPROTO_IPV6, IPV6_MTU) == 1300);
	/* the pending errors are read by SO_ERROR; then 1400 bytes each way,
	 * fragmented at the path MTU, reach the kernel whole */
	getint(p4, SOL_SOCKET, SO_ERROR);
	getint(p6, SOL_SOCKET, SO_ERROR);
	CHECK(ioth_send(p4, payload, 1400, 0) == 1400);
	CHECK(ioth_send(p6, payload, 1400, 0) == 1400);
	/* IP_PMTUDISC_DO: EMSGSIZE */
	int dof = IP_PMTUDISC_DO;
	CHECK(ioth_setsockopt(p4, IPPROTO_IP, IP_MTU_DISCOVER, &dof, sizeof(dof)) == 0);
	CHECK(ioth_send(p4, payload, 1400, 0) == -1 && errno == EMSGSIZE);
	if (ustest_failures == 0)
		printf("ok pmtu\n");
	fflush(stdout);
	sleep(1);
	ioth_close(u4);
	ioth_close(u6);
	ioth_close(p4);
	ioth_close(p6);
	CHECK(ioth_delstack(st) == 0);
	return ustest_done("ustack_err_probe");
}
