/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The NAME_n stacks: the original libioth installs, next to each reentrant
 * plugin ioth_NAME-r.so, ioth_NAME_n.so (a link to the same file, loaded
 * with dlmopen: one private copy per stack) whose entry points are named
 * ioth_NAME_n_*. Programs written for it may ask for "kernel_n" or
 * "vdestack_n"; ours must answer, and so must ustack_n.
 *
 * usage: test_libioth_nvariant kernel|vdestack|ustack
 *   kernel: a kernel_n stack carries UDP over the host's loopback.
 *   vdestack, ustack: two NAME_n stacks (two private copies) and one NAME
 *   stack on an embedded switch exchange UDP datagrams both ways. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ioth.h>
#include "vdeswitch.h"

#include "check.h"

/* Send one datagram from fd to `to` and read it on rfd. */
static int udp_roundtrip(int fd, int rfd, const struct sockaddr_in *to, const char *msg) {
	size_t len = strlen(msg);
	for (int attempt = 0; attempt < 20; attempt++) {
		/* the first datagram may wait for ARP: resend until one arrives */
		if (ioth_sendto(fd, msg, len, 0, (const struct sockaddr *) to, sizeof(*to)) != (ssize_t) len)
			return -1;
		struct pollfd pfd = {rfd, POLLIN, 0};
		if (poll(&pfd, 1, 500) == 1) {
			char buf[128];
			ssize_t n = ioth_recv(rfd, buf, sizeof(buf), 0);
			return n == (ssize_t) len && memcmp(buf, msg, len) == 0 ? 0 : -1;
		}
	}
	return -1;
}

static int bound_udp(struct ioth *st, uint32_t addr, int port) {
	int fd = ioth_msocket(st, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(addr)};
	if (fd >= 0 && ioth_bind(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0) {
		ioth_close(fd);
		return -1;
	}
	return fd;
}

static int test_kernel(void) {
	struct ioth *st = ioth_newstack("kernel_n", NULL);
	CHECK(st != NULL, "ioth_newstack(\"kernel_n\")");
	if (st == NULL)
		return 1;
	int a = bound_udp(st, INADDR_LOOPBACK, 0), b = bound_udp(st, INADDR_LOOPBACK, 0);
	CHECK(a >= 0 && b >= 0, "two UDP sockets on 127.0.0.1");
	struct sockaddr_in to;
	socklen_t tolen = sizeof(to);
	CHECK(ioth_getsockname(b, (struct sockaddr *) &to, &tolen) == 0, "getsockname");
	CHECK(udp_roundtrip(a, b, &to, "ciao kernel_n") == 0, "a datagram over loopback");
	CHECK(ioth_delstack(st) == -1 && errno == EBUSY, "delstack with sockets open: EBUSY");
	ioth_close(a);
	ioth_close(b);
	CHECK(ioth_delstack(st) == 0, "delstack");
	return 0;
}

static struct ioth *node(const char *stack, const char *vnl, uint32_t addr) {
	struct ioth *st = ioth_newstack(stack, vnl);
	if (st == NULL) {
		int err = errno;
		printf("ioth_newstack(%s): %s\n", stack, strerror(err));
		errno = err;
		return NULL;
	}
	int ifindex = ioth_if_nametoindex(st, "vde0");
	uint32_t a = htonl(addr);
	if (ifindex <= 0 || ioth_linksetupdown(st, ifindex, 1) < 0 ||
			ioth_ipaddr_add(st, AF_INET, &a, 24, ifindex) < 0) {
		int err = errno;
		printf("configuring %s: %s\n", stack, strerror(err));
		ioth_delstack(st);
		errno = err;
		return NULL;
	}
	return st;
}

static int test_pair(const char *name) {
	char nname[64];
	snprintf(nname, sizeof(nname), "%s_n", name);
	struct vdeswitch *sw = vdeswitch_start(NULL);
	if (sw == NULL) {
		printf("cannot start a switch: %s\n", strerror(errno));
		return 1;
	}
	const char *vnl = vdeswitch_vnl(sw);
	const uint32_t addr[3] = {0xc6120a01, 0xc6120a02, 0xc6120a03}; /* 198.18.10.1-3 */
	const char *kind[3] = {nname, nname, name};
	struct ioth *st[3] = {NULL};
	int fd[3] = {-1, -1, -1};
	for (int i = 0; i < 3; i++) {
		st[i] = node(kind[i], vnl, addr[i]);
		if (st[i] == NULL && i == 0 && strcmp(name, "vdestack") == 0 && errno == EPERM) {
			vdeswitch_stop(sw);
			printf("SKIP: vdestack needs user namespaces\n");
			exit(77);
		}
		CHECK(st[i] != NULL, "stack %d: %s on %s", i, kind[i], vnl);
		if (st[i] == NULL) {
			goto out;
		}
		fd[i] = bound_udp(st[i], addr[i], 7000);
		CHECK(fd[i] >= 0, "UDP socket bound on stack %d", i);
	}
	for (int i = 0; i < 3; i++) {
		int j = (i + 1) % 3;
		struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(7000),
			.sin_addr.s_addr = htonl(addr[j])};
		char msg[64];
		snprintf(msg, sizeof(msg), "from %s #%d to %s #%d", kind[i], i, kind[j], j);
		CHECK(udp_roundtrip(fd[i], fd[j], &to, msg) == 0, "%s", msg);
	}
out:
	for (int i = 0; i < 3; i++) {
		if (fd[i] >= 0)
			ioth_close(fd[i]);
		if (st[i])
			CHECK(ioth_delstack(st[i]) == 0, "delstack %d", i);
	}
	vdeswitch_stop(sw);
	return 0;
}

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fprintf(stderr, "usage: %s kernel|vdestack|ustack\n", argv[0]);
		return 2;
	}
	int r = strcmp(argv[1], "kernel") == 0 ? test_kernel() : test_pair(argv[1]);
	if (r)
		failures++;
	printf("%s: %d failures\n", argv[0], failures);
	return failures ? 1 : 0;
}
