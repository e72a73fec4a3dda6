/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nodelib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

long node_rss_kib(void) {
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

void node_print_rss(void) {
	printf("rss_kib %ld\n", node_rss_kib());
}

struct rtnl_link_stats *node_vde0_stats(struct node *n, struct ifaddrs **ifa) {
	if (ioth_getifaddrs(n->st, ifa) < 0) {
		*ifa = NULL;
		return NULL;
	}
	for (struct ifaddrs *p = *ifa; p; p = p->ifa_next)
		if (strcmp(p->ifa_name, "vde0") == 0 && p->ifa_addr && p->ifa_addr->sa_family == AF_PACKET &&
				p->ifa_data)
			return p->ifa_data;
	return NULL;
}

static int echo_socket(struct node *n, int family) {
	int fd = ioth_msocket(n->st, family, SOCK_DGRAM, 0);
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
	if (fd < 0 || ioth_bind(fd, (struct sockaddr *) &ss, len) < 0) {
		fprintf(stderr, "%s: UDP echo socket (%s): %s\n", n->name,
				family == AF_INET ? "IPv4" : "IPv6", strerror(errno));
		exit(1);
	}
	return fd;
}

void node_start(struct node *n, const char *name, int argc, char *argv[]) {
	n->name = name;
	if (argc < 5) {
		fprintf(stderr, "usage: %s STACK VNL ADDR4/LEN ADDR6/LEN\n", argv[0]);
		exit(2);
	}
	struct in_addr a4;
	struct in6_addr a6;
	int p4, p6;
	if (parse(argv[3], AF_INET, &a4, &p4) < 0 || parse(argv[4], AF_INET6, &a6, &p6) < 0) {
		fprintf(stderr, "%s: bad address\n", name);
		exit(2);
	}
	n->st = ioth_newstack(argv[1], argv[2]);
	if (n->st == NULL) {
		fprintf(stderr, "%s: %s: %s\n", name, argv[1], strerror(errno));
		exit(1);
	}
	int ifi = ioth_if_nametoindex(n->st, "vde0");
	if (ifi <= 0 || ioth_linksetupdown(n->st, ifi, 1) < 0 ||
			ioth_ipaddr_add(n->st, AF_INET, &a4, p4, ifi) < 0 ||
			ioth_ipaddr_add(n->st, AF_INET6, &a6, p6, ifi) < 0) {
		fprintf(stderr, "%s: configuring vde0: %s\n", name, strerror(errno));
		exit(1);
	}
	n->echo[0] = echo_socket(n, AF_INET);
	n->echo[1] = echo_socket(n, AF_INET6);
}

static void echo_one(int fd) {
	char buf[65536];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t len = ioth_recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *) &from, &flen);
	if (len >= 0)
		ioth_sendto(fd, buf, (size_t) len, 0, (struct sockaddr *) &from, flen);
}

void node_serve(struct node *n, void (*cmd)(struct node *n, const char *line)) {
	printf("ready\n");
	fflush(stdout);
	struct pollfd pfd[] = {{STDIN_FILENO, POLLIN, 0}, {n->echo[0], POLLIN, 0}, {n->echo[1], POLLIN, 0}};
	for (;;) {
		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			return;
		for (int i = 1; i < 3; i++)
			if (pfd[i].revents & POLLIN)
				echo_one(pfd[i].fd);
		if (!(pfd[0].revents & (POLLIN | POLLHUP)))
			continue;
		char line[128];
		if (fgets(line, sizeof(line), stdin) == NULL || strncmp(line, "quit", 4) == 0)
			return;
		cmd(n, line);
	}
}

int node_stop(struct node *n) {
	ioth_close(n->echo[0]);
	ioth_close(n->echo[1]);
	if (ioth_delstack(n->st) < 0) {
		fprintf(stderr, "%s: delstack: %s\n", n->name, strerror(errno));
		return 1;
	}
	return 0;
}
