/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ioth_iplink_add / ioth_iplink_del on ustack (RTM_NEWLINK with
 * IFLA_LINKINFO kind "vde", RTM_DELLINK): a stack with one VNL gets a
 * second interface on another switch, named vde1 (or as asked, with the
 * index asked), and talks on it; deleting it removes its addresses and
 * routes, stops the packet sockets bound to it (ENETDOWN) and closes its
 * VDE connection: the process's fd count is the same after a few
 * add/del rounds. lo cannot be deleted (EOPNOTSUPP), unknown kinds are
 * EOPNOTSUPP, names in use EEXIST, unknown links ENODEV. */
#include <dirent.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "ustest.h"
#include "vdeswitch.h"

static int fd_count(void) {
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (d == NULL)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* The switch runs in this process: its side of a closed connection is
 * closed by its own thread a moment later. The count once it settles
 * (unchanged for 200 ms, or want reached), within 3 s. */
static int fd_settled(int want) {
	int last = fd_count(), same = 0;
	for (int i = 0; i < 150 && same < 10 && last != want; i++) {
		usleep(20000);
		int n = fd_count();
		same = n == last ? same + 1 : 0;
		last = n;
	}
	return last;
}

static int has_addr(struct ioth *st, const char *addr) {
	struct ifaddrs *ifa, *i;
	int found = 0;
	if (ioth_getifaddrs(st, &ifa) < 0)
		return -1;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
				((struct sockaddr_in *) i->ifa_addr)->sin_addr.s_addr == ip4(addr))
			found = 1;
	ioth_freeifaddrs(ifa);
	return found;
}

/* one round: add a link on sw2, use it, delete it */
static void round_trip(struct ioth *A, const char *vnl2) {
	int idx = ioth_iplink_add(A, NULL, -1, "vde", vnl2);
	CHECK(idx > 2);  /* new indexes grow, as Linux's */
	CHECK(ioth_if_nametoindex(A, "vde1") == idx);
	CHECK(ioth_linksetupdown(A, (unsigned) idx, 1) == 0);
	/* a UDP socket bound to it: ENODEV once the link is gone (Linux) */
	int u = ioth_msocket(A, AF_INET, SOCK_DGRAM, 0);
	CHECK(u >= 0 && ioth_setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "vde1", 5) == 0);
	uint32_t a = ip4("198.18.9.1");
	CHECK(ioth_ipaddr_add(A, AF_INET, &a, 24, (unsigned) idx) == 0);
	int pk = ioth_msocket(A, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = idx};
	CHECK(pk >= 0 && ioth_bind(pk, (struct sockaddr *) &ll, sizeof(ll)) == 0);
	CHECK(ustest_ping(A, "198.18.9.2", 56, 3000) == 0);
	CHECK(has_addr(A, "198.18.9.1") == 1);
	CHECK(ioth_iplink_del(A, "vde1", 0) == 0);
	CHECK(ioth_if_nametoindex(A, "vde1") <= 0);
	CHECK(has_addr(A, "198.18.9.1") == 0);
	/* no route left toward the other switch */
	CHECK(ustest_ping(A, "198.18.9.2", 56, 300) < 0);
	int err = 0;
	socklen_t el = sizeof(err);
	CHECK(ioth_getsockopt(pk, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == ENETDOWN);
	ioth_close(pk);
	struct sockaddr_in to = sin4("198.18.9.2", 9);
	CHECK(ioth_sendto(u, "x", 1, 0, (struct sockaddr *) &to, sizeof(to)) == -1 && errno == ENODEV);
	ioth_close(u);
}

int main(void) {
	struct vdeswitch *sw1 = vdeswitch_start(NULL), *sw2 = vdeswitch_start(NULL);
	REQUIRE(sw1 && sw2);
	struct ioth *A = ustest_stack("ustack", vdeswitch_vnl(sw1), "198.18.10.1", 24);
	struct ioth *B = ustest_stack("ustack", vdeswitch_vnl(sw2), "198.18.9.2", 24);
	REQUIRE(A && B);
	/* a first round, so that lazily opened things (plugins) are counted */
	round_trip(A, vdeswitch_vnl(sw2));
	int fds = fd_settled(-1);
	for (int i = 0; i < 3; i++)
		round_trip(A, vdeswitch_vnl(sw2));
	CHECK(fd_settled(fds) == fds);
	/* a name and an index of our choosing: an ACK, not the index */
	CHECK(ioth_iplink_add(A, "uplink", 10, "vde", vdeswitch_vnl(sw2)) == 0);
	CHECK(ioth_if_nametoindex(A, "uplink") == 10);
	CHECK(ioth_iplink_add(A, "uplink", 0, "vde", vdeswitch_vnl(sw2)) == -1 && errno == EEXIST);
	CHECK(ioth_iplink_add(A, "other", 10, "vde", vdeswitch_vnl(sw2)) == -1 && errno == EEXIST);
	/* the next automatic one skips the index taken */
	int idx = ioth_iplink_add(A, NULL, -1, "vde", vdeswitch_vnl(sw2));
	CHECK(idx > 10);
	CHECK(ioth_iplink_del(A, NULL, (unsigned) idx) == 0);
	CHECK(ioth_iplink_del(A, "uplink", 0) == 0);
	CHECK(ioth_iplink_add(A, "x0", 0, "veth", "") == -1 && errno == EOPNOTSUPP);
	CHECK(ioth_iplink_add(A, "x0", 0, "vde", "nosuchplugin:///nowhere") == -1);
	CHECK(ioth_iplink_del(A, "lo", 0) == -1 && errno == EOPNOTSUPP);
	CHECK(ioth_iplink_del(A, "nosuch", 0) == -1 && errno == ENODEV);
	/* vde0 still works, and can be deleted too */
	CHECK(ustest_ping(B, "198.18.9.2", 8, 1000) == 0);
	CHECK(ioth_iplink_del(A, "vde0", 0) == 0);
	CHECK(fd_settled(fds - 1) < fds);
	CHECK(ioth_delstack(A) == 0);
	CHECK(ioth_delstack(B) == 0);
	vdeswitch_stop(sw1);
	vdeswitch_stop(sw2);
	return ustest_done("test_ustack_iplink");
}
