/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Test driver of iothradvd_vdestart and iothradvd_setdns: usage
 *   radvd_vde VNL SECONDS
 * advertises fd00:19::/64 every 2 s from a stack of the library's own on
 * VNL with MAC 02:00:00:00:16:04, RDNSS fd00:19::53 and DNSSL vde.test
 * (lifetime 600), for SECONDS; prints "started" and, at the end, the
 * number of advertisements sent. Exit status 1 on any error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <iothradvd.h>

int main(int argc, char *argv[]) {
	if (argc != 3) {
		fprintf(stderr, "usage: %s VNL SECONDS\n", argv[0]);
		return 2;
	}
	uint8_t mac[6] = {0x02, 0, 0, 0, 0x16, 0x04};
	struct iothradata data = {.curhoplimit = 64, .router_lifetime = 600};
	struct iothraprefix p = {.prefixlen = 64, .flags = ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO,
		.valid_time = 3600, .preferred_time = 1800};
	inet_pton(AF_INET6, "fd00:19::", &p.prefix);
	/* bad arguments first: EINVAL, nothing started */
	if (iothradvd_vdestart(NULL, mac, 2, &data, &p, 1) != NULL || errno != EINVAL) {
		fprintf(stderr, "vdestart(NULL vnl) did not fail with EINVAL\n");
		return 1;
	}
	struct iothradvd *r = iothradvd_vdestart(argv[1], mac, 2, &data, &p, 1);
	if (r == NULL) {
		fprintf(stderr, "iothradvd_vdestart: %s\n", strerror(errno));
		return 1;
	}
	struct in6_addr dns;
	inet_pton(AF_INET6, "fd00:19::53", &dns);
	if (iothradvd_setdns(r, &dns, 1, "a..b", 600) == 0 || errno != EINVAL) {
		fprintf(stderr, "setdns accepted a bad name\n");
		return 1;
	}
	if (iothradvd_setdns(r, &dns, 9, NULL, 600) == 0 || errno != EINVAL) {
		fprintf(stderr, "setdns accepted 9 servers\n");
		return 1;
	}
	if (iothradvd_setdns(r, &dns, 1, "vde.test", 600) < 0) {
		fprintf(stderr, "iothradvd_setdns: %s\n", strerror(errno));
		return 1;
	}
	printf("started\n");
	fflush(stdout);
	sleep((unsigned) atoi(argv[2]));
	struct iothradvd_stats st;
	iothradvd_getstats(r, &st);
	iothradvd_stop(r);
	printf("sent %llu\n", (unsigned long long) st.ra_sent);
	return st.ra_sent > 0 ? 0 : 1;
}
