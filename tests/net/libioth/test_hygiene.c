/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Leak and fd hygiene: create many stacks of the kind named on the command
 * line, each on an embedded switch with its link up, an address and open
 * sockets; close the sockets, delete the stacks, three times over. No file
 * descriptor may be left behind (memory is LeakSanitizer's job in the ASan
 * build). With "all", every kind of socket is opened: UDP, ping, raw and
 * UDP over IPv4 and IPv6, AF_PACKET (raw and dgram) and netlink, and each
 * gets something queued that nobody reads (a datagram to itself on lo, an
 * echo reply, copies of the echo, frames of the switch, a netlink dump)
 * before it is closed, so closing must free queued buffers too.
 *   test_hygiene STACK COUNT [all] */
#include <arpa/inet.h>
#include <dirent.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ioth.h>
#include "vdeswitch.h"

static int count_fds(void) {
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (d == NULL)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

#define MAXSOCKS 16

/* A datagram from a UDP socket bound on lo to itself, left unread. */
static int udp_self(struct ioth *st, int family) {
	int fd = ioth_msocket(st, family, SOCK_DGRAM, 0);
	struct sockaddr_storage ss = {0};
	socklen_t len;
	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	if (ioth_bind(fd, (struct sockaddr *) &ss, len) < 0 ||
			ioth_getsockname(fd, (struct sockaddr *) &ss, &len) < 0 ||
			ioth_sendto(fd, "left", 4, 0, (struct sockaddr *) &ss, len) != 4) {
		ioth_close(fd);
		return -1;
	}
	return fd;
}

/* An echo request to the loopback address from a ping socket: the reply
 * is queued and left unread (raw ICMP sockets get copies). */
static int ping_self(struct ioth *st, int family) {
	int fd = ioth_msocket(st, family, SOCK_DGRAM, family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return -1;
	uint8_t echo[16] = {family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST};
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	ssize_t n = family == AF_INET ?
		ioth_sendto(fd, echo, sizeof(echo), 0, (struct sockaddr *) &sin, sizeof(sin)) :
		ioth_sendto(fd, echo, sizeof(echo), 0, (struct sockaddr *) &sin6, sizeof(sin6));
	if (n != (ssize_t) sizeof(echo)) {
		ioth_close(fd);
		return -1;
	}
	return fd;
}

/* A link dump asked and never read. */
static int netlink_dump(struct ioth *st) {
	int fd = ioth_msocket(st, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = {
		.h = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
	};
	if (fd >= 0 && ioth_send(fd, &req, sizeof(req), 0) != (ssize_t) sizeof(req)) {
		ioth_close(fd);
		return -1;
	}
	return fd;
}

/* Every kind of socket, each with something queued; -1 on failure. */
static int open_all(struct ioth *st, int *fds) {
	int n = 0;
	/* raw and packet sockets first, so they see what the others cause */
	fds[n++] = ioth_msocket(st, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	fds[n++] = ioth_msocket(st, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	fds[n++] = ioth_msocket(st, AF_INET, SOCK_RAW, IPPROTO_UDP);
	fds[n++] = ioth_msocket(st, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	fds[n++] = ioth_msocket(st, AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	fds[n++] = udp_self(st, AF_INET);
	fds[n++] = udp_self(st, AF_INET6);
	fds[n++] = ping_self(st, AF_INET);
	fds[n++] = ping_self(st, AF_INET6);
	fds[n++] = netlink_dump(st);
	/* and one of each opened and closed at once */
	int once[] = {
		ioth_msocket(st, AF_INET, SOCK_DGRAM, 0), ioth_msocket(st, AF_INET6, SOCK_DGRAM, 0),
		ioth_msocket(st, AF_INET, SOCK_DGRAM, IPPROTO_ICMP),
		ioth_msocket(st, AF_INET, SOCK_RAW, IPPROTO_RAW),
		ioth_msocket(st, AF_PACKET, SOCK_RAW, 0),
		ioth_msocket(st, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE),
	};
	for (size_t i = 0; i < sizeof(once) / sizeof(once[0]); i++) {
		if (once[i] < 0)
			return -1;
		ioth_close(once[i]);
	}
	for (int i = 0; i < n; i++)
		if (fds[i] < 0)
			return -1;
	/* the raw ICMP, UDP-to-self, ping and netlink sockets have input */
	int with_input[] = {0, 1, 5, 6, 7, 8, 9};
	for (size_t i = 0; i < sizeof(with_input) / sizeof(with_input[0]); i++) {
		struct pollfd p = {fds[with_input[i]], POLLIN, 0};
		if (poll(&p, 1, 2000) != 1) {
			printf("socket %d of the set has nothing queued\n", with_input[i]);
			errno = EIO;
			return -1;
		}
	}
	return n;
}

int main(int argc, char *argv[]) {
	if (argc < 3) {
		fprintf(stderr, "usage: %s STACK COUNT\n", argv[0]);
		return 2;
	}
	const char *stack = argv[1];
	int count = atoi(argv[2]);
	bool all = argc > 3 && strcmp(argv[3], "all") == 0;
	struct vdeswitch *sw = vdeswitch_start(NULL);
	if (sw == NULL) {
		perror("switch");
		return 1;
	}
	struct ioth **st = calloc((size_t) count, sizeof(*st));
	int *fds = calloc((size_t) count * MAXSOCKS, sizeof(int));
	int *nfds = calloc((size_t) count, sizeof(int));
	int before = count_fds();
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < count; i++) {
			st[i] = ioth_newstack(stack, vdeswitch_vnl(sw));
			if (st[i] == NULL) {
				if (i == 0 && round == 0) {
					printf("SKIP: cannot create a %s stack here: %s\n", stack, strerror(errno));
					vdeswitch_stop(sw);
					return 77;
				}
				printf("FAIL: stack %d of round %d: %s\n", i, round, strerror(errno));
				return 1;
			}
			int ifi = ioth_if_nametoindex(st[i], "vde0");
			struct in_addr a = {htonl(0xc6120000 + 0x100 * (unsigned) round + (unsigned) i + 1)};
			if (ifi <= 0 || ioth_linksetupdown(st[i], ifi, 1) < 0 ||
					ioth_ipaddr_add(st[i], AF_INET, &a, 16, ifi) < 0) {
				printf("FAIL: configuring stack %d: %s\n", i, strerror(errno));
				return 1;
			}
			int *f = fds + MAXSOCKS * i;
			f[0] = ioth_msocket(st[i], AF_INET, SOCK_DGRAM, 0);
			f[1] = ioth_msocket(st[i], AF_INET6, SOCK_DGRAM, 0);
			nfds[i] = 2;
			if (all) {
				int n = open_all(st[i], f + 2);
				if (n < 0) {
					printf("FAIL: opening every kind of socket on stack %d: %s\n", i, strerror(errno));
					return 1;
				}
				nfds[i] += n;
			}
			struct ifaddrs *ifa;
			if (f[0] < 0 || f[1] < 0 || ioth_getifaddrs(st[i], &ifa) < 0) {
				printf("FAIL: sockets on stack %d: %s\n", i, strerror(errno));
				return 1;
			}
			ioth_freeifaddrs(ifa);
		}
		for (int i = 0; i < count; i++) {
			if (ioth_delstack(st[i]) == 0 || errno != EBUSY) {
				printf("FAIL: delstack with open sockets did not say EBUSY\n");
				return 1;
			}
			for (int k = 0; k < nfds[i]; k++)
				ioth_close(fds[MAXSOCKS * i + k]);
			if (ioth_delstack(st[i]) < 0) {
				printf("FAIL: delstack %d: %s\n", i, strerror(errno));
				return 1;
			}
		}
		/* The embedded switch runs in this process: it closes its side of
		 * each connection when it notices the hang-up, a moment later. */
		int after = count_fds();
		for (int i = 0; i < 50 && after != before; i++) {
			usleep(100000);
			after = count_fds();
		}
		printf("round %d: %d %s stacks with %s sockets created and deleted, fds %d -> %d\n", round,
				count, stack, all ? "all kinds of" : "UDP", before, after);
		if (after != before) {
			printf("FAIL: %d file descriptors leaked; open now:\n", after - before);
			char cmd[64];
			snprintf(cmd, sizeof(cmd), "ls -l /proc/%d/fd >&2", (int) getpid());
			if (system(cmd) != 0)
				printf("(cannot list them)\n");
			return 1;
		}
	}
	free(st);
	free(fds);
	free(nfds);
	vdeswitch_stop(sw);
	printf("1 passed, 0 failed\n");
	return 0;
}
