/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ciao_recv: the other end of ciao_send. Prints each datagram it receives
 * with its sender, up to COUNT of them (default: forever).
 *
 *   ciao_recv STACK VNL [MYADDR/PREFIX [PORT [COUNT]]]     (198.18.0.2/24, port 5000) */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ioth.h>

int main(int argc, char *argv[]) {
	if (argc < 3) {
		fprintf(stderr, "usage: %s STACK VNL [MYADDR/PREFIX [PORT [COUNT]]]\n", argv[0]);
		return 2;
	}
	char myaddr[64];
	snprintf(myaddr, sizeof(myaddr), "%s", argc > 3 ? argv[3] : "198.18.0.2/24");
	int port = argc > 4 ? atoi(argv[4]) : 5000;
	int count = argc > 5 ? atoi(argv[5]) : -1;
	char *slash = strchr(myaddr, '/');
	int prefix = slash ? atoi(slash + 1) : 24;
	if (slash)
		*slash = '\0';
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(port)};
	if (inet_pton(AF_INET, myaddr, &me.sin_addr) != 1) {
		fprintf(stderr, "%s: bad address %s\n", argv[0], myaddr);
		return 2;
	}

	struct ioth *stack = ioth_newstack(argv[1], argv[2]);
	if (stack == NULL) {
		perror("ioth_newstack");
		return 1;
	}
	int ifindex = ioth_if_nametoindex(stack, "vde0");
	if (ifindex <= 0 || ioth_linksetupdown(stack, ifindex, 1) < 0 ||
			ioth_ipaddr_add(stack, AF_INET, &me.sin_addr, prefix, ifindex) < 0) {
		perror("configuring vde0");
		return 1;
	}
	int fd = ioth_msocket(stack, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || ioth_bind(fd, (struct sockaddr *) &me, sizeof(me)) < 0) {
		perror("socket/bind");
		return 1;
	}
	printf("listening on %s:%d\n", myaddr, port);
	fflush(stdout);
	for (int i = 0; count < 0 || i < count; i++) {
		char buf[2048], from[INET_ADDRSTRLEN];
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		ssize_t n = ioth_recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *) &peer, &plen);
		if (n < 0) {
			perror("ioth_recvfrom");
			return 1;
		}
		buf[n] = '\0';
		printf("from %s:%d: %s", inet_ntop(AF_INET, &peer.sin_addr, from, sizeof(from)),
				ntohs(peer.sin_port), buf);
		fflush(stdout);
	}
	ioth_close(fd);
	ioth_delstack(stack);
	return 0;
}
