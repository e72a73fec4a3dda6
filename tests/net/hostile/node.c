/* SPDX-License-Identifier: LGPL-2.1-or-later
 * hostile-node: an IoTh node for traffic tests. It creates a stack of the
 * kind named on the command line on a VNL, sets its addresses, runs a UDP
 * echo server on port 7 (IPv4 and IPv6), and obeys lines on stdin:
 *   stats   print "rss_kib N" and the counters of vde0, then "end"
 *   quit    (or end of input) delete the stack and exit
 *
 *   hostile-node STACK VNL ADDR4/LEN ADDR6/LEN [TCPPORT...]
 * Each TCPPORT gets a listening TCP socket (IPv4 and IPv6) that never
 * accepts: connections wait in its queue (tests/net/conformance). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ioth.h>

static int parse(const char *text, int family, void *addr, int *plen) {
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", text);
	char *slash = strchr(buf, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	*plen = atoi(slash + 1);
	return inet_pton(family, buf, addr) == 1 ? 0 : -1;
}

static long rss_kib(void) {
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void print_stats(struct ioth *st) {
	printf("rss_kib %ld\n", rss_kib());
	struct ifaddrs *ifa;
	if (ioth_getifaddrs(st, &ifa) == 0) {
		for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
			if (strcmp(p->ifa_name, "vde0") != 0 || p->ifa_addr == NULL ||
					p->ifa_addr->sa_family != AF_PACKET || p->ifa_data == NULL)
				continue;
			struct rtnl_link_stats *s = p->ifa_data;
			printf("vde0 rx_packets %u rx_dropped %u rx_errors %u tx_packets %u tx_dropped %u\n",
					s->rx_packets, s->rx_dropped, s->rx_errors, s->tx_packets, s->tx_dropped);
		}
		ioth_freeifaddrs(ifa);
	}
	printf("end\n");
	fflush(stdout);
}

static int echo_socket(struct ioth *st, int family, const void *addr) {
	int fd = ioth_msocket(st, family, SOCK_DGRAM, 0);
	struct sockaddr_storage ss = {0};
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(7);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(7);
		int one = 1;
		ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		len = sizeof(*sin6);
	}
	(void) addr;
	if (fd < 0 || ioth_bind(fd, (struct sockaddr *) &ss, len) < 0) {
		fprintf(stderr, "hostile-node: UDP echo socket (%s): %s\n",
				family == AF_INET ? "IPv4" : "IPv6", strerror(errno));
		exit(1);
	}
	return fd;
}

static int tcp_listener(struct ioth *st, int family, int port) {
	int fd = ioth_msocket(st, family, SOCK_STREAM, 0);
	struct sockaddr_storage ss = {0};
	socklen_t len = sizeof(struct sockaddr_in);
	int one = 1;
	((struct sockaddr_in *) &ss)->sin_family = (sa_family_t) family;
	((struct sockaddr_in *) &ss)->sin_port = htons((uint16_t) port);
	if (family == AF_INET6) {
		ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		len = sizeof(struct sockaddr_in6);
	}
	if (fd < 0 || ioth_bind(fd, (struct sockaddr *) &ss, len) < 0 || ioth_listen(fd, 16) < 0) {
		fprintf(stderr, "hostile-node: TCP listener %d: %s\n", port, strerror(errno));
		exit(1);
	}
	return fd;
}

int main(int argc, char *argv[]) {
	if (argc < 5) {
		fprintf(stderr, "usage: %s STACK VNL ADDR4/LEN ADDR6/LEN [TCPPORT...]\n", argv[0]);
		return 2;
	}
	struct in_addr a4;
	struct in6_addr a6;
	int p4, p6;
	if (parse(argv[3], AF_INET, &a4, &p4) < 0 || parse(argv[4], AF_INET6, &a6, &p6) < 0) {
		fprintf(stderr, "hostile-node: bad address\n");
		return 2;
	}
	struct ioth *st = ioth_newstack(argv[1], argv[2]);
	if (st == NULL) {
		fprintf(stderr, "hostile-node: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int ifi = ioth_if_nametoindex(st, "vde0");
	if (ifi <= 0 || ioth_linksetupdown(st, ifi, 1) < 0 ||
			ioth_ipaddr_add(st, AF_INET, &a4, p4, ifi) < 0 ||
			ioth_ipaddr_add(st, AF_INET6, &a6, p6, ifi) < 0) {
		fprintf(stderr, "hostile-node: configuring vde0: %s\n", strerror(errno));
		return 1;
	}
	int fd4 = echo_socket(st, AF_INET, &a4);
	int fd6 = echo_socket(st, AF_INET6, &a6);
	int lfd[16], nl = 0;
	for (int i = 5; i < argc && nl + 2 <= 16; i++) {
		lfd[nl++] = tcp_listener(st, AF_INET, atoi(argv[i]));
		lfd[nl++] = tcp_listener(st, AF_INET6, atoi(argv[i]));
	}
	printf("ready\n");
	fflush(stdout);
	struct pollfd pfd[] = {{STDIN_FILENO, POLLIN, 0}, {fd4, POLLIN, 0}, {fd6, POLLIN, 0}};
	for (;;) {
		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			break;
		for (int i = 1; i < 3; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			char buf[65536];
			struct sockaddr_storage from;
			socklen_t flen = sizeof(from);
			ssize_t n = ioth_recvfrom(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT,
					(struct sockaddr *) &from, &flen);
			if (n >= 0)
				ioth_sendto(pfd[i].fd, buf, (size_t) n, 0, (struct sockaddr *) &from, flen);
		}
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			char line[64];
			if (fgets(line, sizeof(line), stdin) == NULL || strncmp(line, "quit", 4) == 0)
				break;
			if (strncmp(line, "stats", 5) == 0)
				print_stats(st);
		}
	}
	ioth_close(fd4);
	ioth_close(fd6);
	for (int i = 0; i < nl; i++)
		ioth_close(lfd[i]);
	if (ioth_delstack(st) < 0) {
		fprintf(stderr, "hostile-node: delstack: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
