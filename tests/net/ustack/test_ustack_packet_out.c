/* SPDX-License-Identifier: LGPL-2.1-or-later
 * AF_PACKET sockets see the frames their stack sends, as on Linux
 * (dev_queue_xmit_nit): ETH_P_ALL sockets get them with sll_pkttype
 * PACKET_OUTGOING and our MAC as sll_addr, SOCK_RAW with the Ethernet
 * header and SOCK_DGRAM without; sockets of one protocol (ETH_P_IP) and
 * sockets bound to another interface do not; the packet socket that sent
 * a frame does not get it back, other taps do. */
#define _GNU_SOURCE /* memmem */
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "ustest.h"
#include "vdeswitch.h"

static struct ioth *A, *B;

/* Read fd until a frame carrying the marker arrives; its pkttype or -1. */
static int seen(int fd, const char *marker, int ms, struct sockaddr_ll *from, uint8_t *frame,
		ssize_t *flen) {
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint8_t f[2048];
	while (poll(&pfd, 1, ms) == 1) {
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		ssize_t n = ioth_recvfrom(fd, f, sizeof(f), 0, (struct sockaddr *) &sll, &sl);
		if (n <= 0)
			return -1;
		if (memmem(f, (size_t) n, marker, strlen(marker)) == NULL)
			continue;
		if (from)
			*from = sll;
		if (frame) {
			memcpy(frame, f, (size_t) n);
			*flen = n;
		}
		return sll.sll_pkttype;
	}
	return -1;
}

static int pk_socket(struct ioth *st, int type, uint16_t proto, int ifindex) {
	int fd = ioth_msocket(st, AF_PACKET, type, htons(proto));
	REQUIRE(fd >= 0);
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(proto), .sll_ifindex = ifindex};
	REQUIRE(ioth_bind(fd, (struct sockaddr *) &ll, sizeof(ll)) == 0);
	return fd;
}

int main(void) {
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	A = ustest_stack("ustack,mac=02:00:00:00:01:01", vdeswitch_vnl(sw), "198.18.0.1", 24);
	B = ustest_stack("ustack,mac=02:00:00:00:01:02", vdeswitch_vnl(sw), "198.18.0.2", 24);
	REQUIRE(A && B);
	int idx = ioth_if_nametoindex(A, "vde0");
	int raw_all = pk_socket(A, SOCK_RAW, ETH_P_ALL, idx);
	int dgram_all = pk_socket(A, SOCK_DGRAM, ETH_P_ALL, 0);
	int raw_ip = pk_socket(A, SOCK_RAW, ETH_P_IP, idx);
	int raw_lo = pk_socket(A, SOCK_RAW, ETH_P_ALL, 1);
	/* warm ARP up so the datagram goes out at once */
	REQUIRE(ustest_ping(A, "198.18.0.2", 8, 2000) == 0);
	int u = ioth_msocket(A, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = sin4("198.18.0.2", 7777);
	CHECK(ioth_sendto(u, "outgoing-1", 10, 0, (struct sockaddr *) &to, sizeof(to)) == 10);
	struct sockaddr_ll from;
	uint8_t f[2048];
	ssize_t n = 0;
	CHECK(seen(raw_all, "outgoing-1", 2000, &from, f, &n) == PACKET_OUTGOING);
	static const uint8_t amac[6] = {2, 0, 0, 0, 1, 1}, bmac[6] = {2, 0, 0, 0, 1, 2};
	CHECK(from.sll_ifindex == idx && from.sll_protocol == htons(ETH_P_IP) && from.sll_halen == 6 &&
			memcmp(from.sll_addr, amac, 6) == 0);
	/* SOCK_RAW: the whole frame, to B's MAC from ours */
	CHECK(n > 14 && memcmp(f, bmac, 6) == 0 && memcmp(f + 6, amac, 6) == 0 && f[12] == 8 && f[13] == 0);
	CHECK(seen(dgram_all, "outgoing-1", 2000, &from, f, &n) == PACKET_OUTGOING);
	/* SOCK_DGRAM: from the IPv4 header on */
	CHECK(n > 20 && f[0] == 0x45);
	/* B answers with a port unreachable: incoming, PACKET_HOST, seen by
	 * the ETH_P_IP socket too, which never saw the outgoing datagram */
	CHECK(seen(raw_ip, "outgoing-1", 2000, &from, NULL, NULL) == PACKET_HOST);
	CHECK(seen(raw_ip, "outgoing-1", 200, NULL, NULL, NULL) == -1);
	CHECK(seen(raw_lo, "outgoing-1", 200, NULL, NULL, NULL) == -1);
	/* a frame sent by a packet socket: the other taps see it, it does not */
	uint8_t fr[64] = {0};
	memcpy(fr, bmac, 6);
	memcpy(fr + 6, amac, 6);
	fr[12] = 0x88;
	fr[13] = 0xb5;  /* local experimental EtherType */
	memcpy(fr + 14, "outgoing-2", 10);
	CHECK(ioth_send(raw_all, fr, sizeof(fr), 0) == (ssize_t) sizeof(fr));
	CHECK(seen(dgram_all, "outgoing-2", 2000, &from, NULL, NULL) == PACKET_OUTGOING);
	CHECK(from.sll_protocol == htons(0x88b5));
	CHECK(seen(raw_all, "outgoing-2", 300, NULL, NULL, NULL) == -1);
	ioth_close(u);
	ioth_close(raw_all);
	ioth_close(dgram_all);
	ioth_close(raw_ip);
	ioth_close(raw_lo);
	CHECK(ioth_delstack(A) == 0);
	CHECK(ioth_delstack(B) == 0);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_packet_out");
}
