/* SPDX-License-Identifier: LGPL-2.1-or-later
 * netstack.c: see netstack.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "netstack.h"

static int parse_cidr(int af, const char *cidr, void *addr, int *prefix) {
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", cidr);
	char *slash = strchr(buf, '/');
	*prefix = af == AF_INET ? 24 : 64;
	if (slash) {
		*slash = 0;
		*prefix = atoi(slash + 1);
	}
	return inet_pton(af, buf, addr) == 1 ? 0 : -1;
}

/* Linux keeps a new IPv6 address tentative during DAD (RFC 4862 5.4):
 * binding to it fails with EADDRNOTAVAIL until then. */
static int wait_usable(struct ioth *stack, const struct in6_addr *a6) {
	for (int i = 0; i < 100; i++) {
		int fd = ioth_msocket(stack, AF_INET6, SOCK_DGRAM, 0);
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = *a6};
		int rv = ioth_bind(fd, (struct sockaddr *) &sin6, sizeof(sin6));
		ioth_close(fd);
		if (rv == 0)
			return 0;
		usleep(100000);
	}
	return -1;
}

int netstack_open(const char *name, const char *vnl, const char *cidr4, const char *cidr6,
		struct ioth **stack) {
	*stack = NULL;
	if (strcmp(name, "kernel") == 0)
		return 0;
	struct ioth *s = ioth_newstack(name, vnl);
	if (s == NULL) {
		fprintf(stderr, "ioth_newstack(%s, %s): %s\n", name, vnl, strerror(errno));
		return -1;
	}
	int lo = ioth_if_nametoindex(s, "lo");
	if (lo > 0)
		ioth_linksetupdown(s, lo, 1);
	int ifindex = ioth_if_nametoindex(s, "vde0");
	if (ifindex <= 0 || ioth_linksetupdown(s, ifindex, 1) < 0) {
		fprintf(stderr, "%s: vde0 not found or not up: %s\n", name, strerror(errno));
		goto err;
	}
	if (cidr4) {
		struct in_addr a4;
		int prefix;
		if (parse_cidr(AF_INET, cidr4, &a4, &prefix) < 0 ||
				ioth_ipaddr_add(s, AF_INET, &a4, prefix, ifindex) < 0) {
			fprintf(stderr, "%s: address %s: %s\n", name, cidr4, strerror(errno));
			goto err;
		}
	}
	if (cidr6) {
		struct in6_addr a6;
		int prefix;
		if (parse_cidr(AF_INET6, cidr6, &a6, &prefix) < 0 ||
				ioth_ipaddr_add(s, AF_INET6, &a6, prefix, ifindex) < 0) {
			fprintf(stderr, "%s: address %s: %s\n", name, cidr6, strerror(errno));
			goto err;
		}
		if (wait_usable(s, &a6) < 0) {
			fprintf(stderr, "%s: %s still tentative\n", name, cidr6);
			goto err;
		}
	}
	*stack = s;
	return 0;
err:
	ioth_delstack(s);
	return -1;
}

void netstack_close(struct ioth *stack) {
	if (stack)
		ioth_delstack(stack);
}
