/* SPDX-License-Identifier: LGPL-2.1-or-later
 * hostile-node: an IoTh node for traffic tests (nodelib.h: the stack, its
 * addresses, the UDP echo server on port 7). Commands on stdin:
 *   stats   print "rss_kib N" and the counters of vde0, then "end"
 *   quit    (or end of input) delete the stack and exit
 *
 *   hostile-node STACK VNL ADDR4/LEN ADDR6/LEN [TCPPORT...]
 * Each TCPPORT gets a listening TCP socket (IPv4 and IPv6) that never
 * accepts: connections wait in its queue (tests/net/conformance). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodelib.h"

static void print_stats(struct node *n) {
	node_print_rss();
	struct ifaddrs *ifa;
	struct rtnl_link_stats *s = node_vde0_stats(n, &ifa);
	if (s)
		printf("vde0 rx_packets %u rx_dropped %u rx_errors %u tx_packets %u tx_dropped %u\n",
				s->rx_packets, s->rx_dropped, s->rx_errors, s->tx_packets, s->tx_dropped);
	if (ifa)
		ioth_freeifaddrs(ifa);
	printf("end\n");
	fflush(stdout);
}

static void command(struct node *n, const char *line) {
	if (strncmp(line, "stats", 5) == 0)
		print_stats(n);
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
	struct node n;
	node_start(&n, "hostile-node", argc, argv);
	int lfd[16], nl = 0;
	for (int i = 5; i < argc && nl + 2 <= 16; i++) {
		lfd[nl++] = tcp_listener(n.st, AF_INET, atoi(argv[i]));
		lfd[nl++] = tcp_listener(n.st, AF_INET6, atoi(argv[i]));
	}
	node_serve(&n, command);
	for (int i = 0; i < nl; i++)
		ioth_close(lfd[i]);
	return node_stop(&n);
}
