/* SPDX-License-Identifier: LGPL-2.1-or-later
 * hostile-node: an IoTh node for traffic tests (nodelib.h: the stack, its
 * addresses, the UDP echo server on port 7). Commands on stdin:
 *   stats   print "rss_kib N" and the counters of vde0, then "end"
 *   quit    (or end of input) delete the stack and exit
 *
 *   hostile-node STACK VNL ADDR4/LEN ADDR6/LEN */
#include <linux/if_link.h>
#include <stdio.h>
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

int main(int argc, char *argv[]) {
	struct node n;
	node_start(&n, "hostile-node", argc, argv);
	node_serve(&n, command);
	return node_stop(&n);
}
