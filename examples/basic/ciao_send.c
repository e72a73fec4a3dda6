/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ciao_send: the first IoTh program. A stack of its own on a virtual
 * network, an address, and a UDP datagram "ciao\n" to a peer.
 *
 *   ciao_send STACK VNL [MYADDR/PREFIX [DEST [PORT]]]
 *   e.g. ciao_send vdestack vde:///tmp/sw            (198.18.0.1/24 -> 198.18.0.2:5000)
 *        ciao_send ustack vde:///tmp/sw 198.18.0.1/24 198.18.0.2 5000 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ioth.h>

int main(int argc, char *argv[]) {
	if (argc < 3) {
		fprintf(stderr, "usage: %s STACK VNL [MYADDR/PREFIX [DEST [PORT]]]\n", argv[0]);
		return 2;
	}
	char myaddr[64];
	snprintf(myaddr, sizeof(myaddr), "%s", argc > 3 ? argv[3] : "198.18.0.1/24");
	const char *dest = argc > 4 ? argv[4] : "198.18.0.2";
	int port = argc > 5 ? atoi(argv[5]) : 5000;
	char *slash = strchr(myaddr, '/');
	int prefix = slash ? atoi(slash + 1) : 24;
	if (slash)
		*slash = '\0';
	struct in_addr addr;
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
	if (inet_pton(AF_INET, myaddr, &addr) != 1 || inet_pton(AF_INET, dest, &to.sin_addr) != 1) {
		fprintf(stderr, "%s: bad address\n", argv[0]);
		return 2;
	}

	struct ioth *stack = ioth_newstack(argv[1], argv[2]);
	if (stack == NULL) {
		perror("ioth_newstack");
		return 1;
	}
	int ifindex = ioth_if_nametoindex(stack, "vde0");
	if (ifindex <= 0 || ioth_linksetupdown(stack, ifindex, 1) < 0 ||
			ioth_ipaddr_add(stack, AF_INET, &addr, prefix, ifindex) < 0) {
		perror("configuring vde0");
		return 1;
	}
	int fd = ioth_msocket(stack, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("ioth_msocket");
		return 1;
	}
	if (ioth_sendto(fd, "ciao\n", 5, 0, (struct sockaddr *) &to, sizeof(to)) < 0) {
		perror("ioth_sendto");
		return 1;
	}
	/* The datagram may still wait for the peer's ARP reply inside the
	 * stack: ioth_delstack lets it go out first (IOTH_DELSTACK_LINGER). */
	ioth_close(fd);
	ioth_delstack(stack);
	return 0;
}
