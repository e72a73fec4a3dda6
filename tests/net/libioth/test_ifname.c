/* SPDX-License-Identifier: LGPL-2.1-or-later
 * "IFNAME:VNL": the original vdestack plugin names an interface by a prefix
 * of its VNL ("eth7:vde:///tmp/sw"); ours (vdestack and ustack) must too.
 * A stack with a named and an unnamed interface talks UDP, through the
 * named one, to a plain stack on the same embedded switch.
 *
 * usage: test_libioth_ifname vdestack|ustack */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <ioth.h>
#include "vdeswitch.h"

#include "check.h"

static int up(struct ioth *st, const char *ifname, uint32_t addr) {
	int ifindex = ioth_if_nametoindex(st, ifname);
	uint32_t a = htonl(addr);
	if (ifindex <= 0 || ioth_linksetupdown(st, ifindex, 1) < 0 ||
			ioth_ipaddr_add(st, AF_INET, &a, 24, ifindex) < 0)
		return -1;
	return ifindex;
}

static int udp(struct ioth *st, uint32_t addr) {
	int fd = ioth_msocket(st, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(7100),
		.sin_addr.s_addr = htonl(addr)};
	if (fd >= 0 && ioth_bind(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0)
		return -1;
	return fd;
}

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fprintf(stderr, "usage: %s vdestack|ustack\n", argv[0]);
		return 2;
	}
	struct vdeswitch *sw = vdeswitch_start(NULL), *sw2 = vdeswitch_start(NULL);
	if (sw == NULL || sw2 == NULL) {
		printf("cannot start a switch: %s\n", strerror(errno));
		return 1;
	}
	char named[256];
	snprintf(named, sizeof(named), "eth7:%s", vdeswitch_vnl(sw));
	struct ioth *a = ioth_newstackl(argv[1], named, vdeswitch_vnl(sw2), (char *) NULL);
	if (a == NULL && errno == EPERM && strcmp(argv[1], "vdestack") == 0) {
		vdeswitch_stop(sw);
		vdeswitch_stop(sw2);
		printf("SKIP: a vdestack with two interfaces needs root\n");
		return 77;
	}
	CHECK(a != NULL, "%s on \"%s\" and \"%s\"", argv[1], named, vdeswitch_vnl(sw2));
	struct ioth *b = ioth_newstack(argv[1], vdeswitch_vnl(sw));
	CHECK(b != NULL, "%s on \"%s\"", argv[1], vdeswitch_vnl(sw));
	if (a && b) {
		CHECK(ioth_if_nametoindex(a, "eth7") > 0, "the first interface is eth7");
		CHECK(ioth_if_nametoindex(a, "vde1") > 0, "the unnamed second interface is vde1");
		CHECK(ioth_if_nametoindex(a, "vde0") <= 0, "there is no vde0");
		CHECK(up(a, "eth7", 0xc6120b01) > 0, "eth7 up, 198.18.11.1/24");
		CHECK(up(b, "vde0", 0xc6120b02) > 0, "vde0 of the plain stack up, 198.18.11.2/24");
		int fa = udp(a, 0xc6120b01), fb = udp(b, 0xc6120b02);
		CHECK(fa >= 0 && fb >= 0, "UDP sockets bound");
		struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(7100),
			.sin_addr.s_addr = htonl(0xc6120b02)};
		int got = 0;
		for (int i = 0; i < 20 && !got; i++) {
			ioth_sendto(fa, "via eth7", 8, 0, (struct sockaddr *) &to, sizeof(to));
			struct pollfd pfd = {fb, POLLIN, 0};
			char buf[16];
			if (poll(&pfd, 1, 500) == 1)
				got = ioth_recv(fb, buf, sizeof(buf), 0) == 8 && memcmp(buf, "via eth7", 8) == 0;
		}
		CHECK(got, "a datagram from eth7 crossed the switch");
		ioth_close(fa);
		ioth_close(fb);
	}
	if (a)
		CHECK(ioth_delstack(a) == 0, "delstack a");
	if (b)
		CHECK(ioth_delstack(b) == 0, "delstack b");
	vdeswitch_stop(sw);
	vdeswitch_stop(sw2);
	printf("%s: %d failures\n", argv[0], failures);
	return failures ? 1 : 0;
}
