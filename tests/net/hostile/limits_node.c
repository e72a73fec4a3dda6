/* SPDX-License-Identifier: LGPL-2.1-or-later
 * limits-node: an IoTh node for the resource-limit test. Like hostile-node
 * (nodelib.h) it makes a stack on a VNL with an IPv4 and an IPv6 address
 * and echoes UDP on port 7; besides, it keeps three sockets it never reads on its own
 * (a UDP socket on port 9, a raw IPPROTO_UDP socket and an AF_PACKET
 * ETH_P_ALL socket, all with SO_RXQ_OVFL), and obeys lines on stdin:
 *   stats            "rss_kib N", "vde0 RXDROP TXDROP", "neigh4 N", "neigh6 N", "end"
 *   flood4 N PER LEN  PER UDP datagrams of LEN bytes to each of N unused
 *                    addresses 198.19.x.y; prints "sent S failed F peak P"
 *                    (P: the most neighbour entries of the family seen,
 *                    counted after every 50 addresses: entries that
 *                    never resolve expire after 3 s, so a count taken
 *                    after a slow flood would understate the table)
 *   flood6 N PER LEN  the same to fd00:8::1:0:i
 *   drain udp|raw|packet   read the sink's queue: "count N bytes B rcvbuf R ovfl D"
 *                    (D: the last SO_RXQ_OVFL seen, 0 if none)
 *   quit             (or end of input) delete the stack and exit
 *
 *   limits-node STACK VNL ADDR4/LEN ADDR6/LEN */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodelib.h"

/* Entries of a family in the stack's neighbour table (RTM_GETNEIGH dump). */
static int count_neigh(struct ioth *st, int family) {
	int fd = ioth_msocket(st, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} req = {
		.h = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNEIGH,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
		.nd = {.ndm_family = (unsigned char) family},
	};
	int count = 0;
	if (ioth_send(fd, &req, sizeof(req), 0) < 0) {
		ioth_close(fd);
		return -1;
	}
	static char buf[65536];
	for (;;) {
		ssize_t n = ioth_recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			count = -1;
			break;
		}
		int len = (int) n;
		for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				count = -1;
				goto out;
			}
			if (h->nlmsg_type == RTM_NEWNEIGH &&
					((struct ndmsg *) NLMSG_DATA(h))->ndm_family == family)
				count++;
		}
	}
out:
	ioth_close(fd);
	return count;
}

static void print_stats(struct node *nd) {
	node_print_rss();
	struct ifaddrs *ifa;
	struct rtnl_link_stats *s = node_vde0_stats(nd, &ifa);
	if (s)
		printf("vde0 %u %u\n", s->rx_dropped, s->tx_dropped);
	if (ifa)
		ioth_freeifaddrs(ifa);
	printf("neigh4 %d\nneigh6 %d\nend\n", count_neigh(nd->st, AF_INET), count_neigh(nd->st, AF_INET6));
	fflush(stdout);
}

static void flood(struct ioth *st, int family, int n, int per, int len) {
	int fd = ioth_msocket(st, family, SOCK_DGRAM, 0);
	static char data[65536];
	int sent = 0, failed = 0, peak = 0;
	if (len < 0 || len > (int) sizeof(data))
		len = 0;
	for (int i = 0; fd >= 0 && i < n; i++) {
		struct sockaddr_storage ss = {0};
		socklen_t sl;
		if (family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
			sin->sin_family = AF_INET;
			sin->sin_port = htons(9);
			sin->sin_addr.s_addr = htonl(0xc6130000u + 0x100u * (unsigned) (i / 250) + 2u +
					(unsigned) (i % 250));
			sl = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(9);
			inet_pton(AF_INET6, "fd00:8::1:0:0", &sin6->sin6_addr);
			sin6->sin6_addr.s6_addr[14] = (uint8_t) (i >> 8);
			sin6->sin6_addr.s6_addr[15] = (uint8_t) i;
			sl = sizeof(*sin6);
		}
		for (int k = 0; k < per; k++) {
			if (ioth_sendto(fd, data, (size_t) len, MSG_DONTWAIT, (struct sockaddr *) &ss, sl) < 0)
				failed++;
			else
				sent++;
		}
		if (i % 50 == 49 || i == n - 1) {
			int now = count_neigh(st, family);
			if (now > peak)
				peak = now;
		}
	}
	if (fd >= 0)
		ioth_close(fd);
	printf("sent %d failed %d peak %d\n", sent, failed, peak);
	fflush(stdout);
}

static void drain(int fd) {
	int count = 0, rcvbuf = 0;
	long bytes = 0;
	uint32_t ovfl = 0;
	socklen_t rl = sizeof(rcvbuf);
	ioth_getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &rl);
	for (;;) {
		static char buf[65536];
		union {
			struct cmsghdr align;
			char b[512];
		} cb;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b,
			.msg_controllen = sizeof(cb.b)};
		ssize_t n = ioth_recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0)
			break;
		count++;
		bytes += n;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
				memcpy(&ovfl, CMSG_DATA(c), sizeof(ovfl));
	}
	printf("count %d bytes %ld rcvbuf %d ovfl %u\n", count, bytes, rcvbuf, ovfl);
	fflush(stdout);
}

static int sink(struct ioth *st, int domain, int type, int protocol) {
	int fd = ioth_msocket(st, domain, type, protocol);
	int one = 1;
	if (fd >= 0 && domain == AF_INET && type == SOCK_DGRAM) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
		if (ioth_bind(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0)
			fd = -1;
	}
	if (fd < 0 || ioth_setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0) {
		fprintf(stderr, "limits-node: sink socket (%d/%d/%d): %s\n", domain, type, protocol,
				strerror(errno));
		exit(1);
	}
	return fd;
}

static int sinks[3];          /* UDP port 9, raw UDP, packet ETH_P_ALL */

static void command(struct node *nd, const char *line) {
	char what[16];
	int n, per, len;
	if (strncmp(line, "stats", 5) == 0)
		print_stats(nd);
	else if (sscanf(line, "flood4 %d %d %d", &n, &per, &len) == 3)
		flood(nd->st, AF_INET, n, per, len);
	else if (sscanf(line, "flood6 %d %d %d", &n, &per, &len) == 3)
		flood(nd->st, AF_INET6, n, per, len);
	else if (sscanf(line, "drain %15s", what) == 1) {
		int k = strcmp(what, "udp") == 0 ? 0 : strcmp(what, "raw") == 0 ? 1 : 2;
		drain(sinks[k]);
	} else {
		printf("error: %s", line);
		fflush(stdout);
	}
}

int main(int argc, char *argv[]) {
	struct node nd;
	node_start(&nd, "limits-node", argc, argv);
	sinks[0] = sink(nd.st, AF_INET, SOCK_DGRAM, 0);
	sinks[1] = sink(nd.st, AF_INET, SOCK_RAW, IPPROTO_UDP);
	sinks[2] = sink(nd.st, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	node_serve(&nd, command);
	for (int k = 0; k < 3; k++)
		ioth_close(sinks[k]);
	return node_stop(&nd);
}
