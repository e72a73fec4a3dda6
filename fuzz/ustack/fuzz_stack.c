/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Whole-stack fuzz target: a live ustack instance (lo, eth0 on a test link
 * with 198.18.0.1/24 and fd00::1/64) with open sockets of every kind —
 * UDP v4/v6 on port 7, ping, raw ICMP and ICMPv6, AF_PACKET, netlink — is
 * fed a sequence of operations taken from the input:
 *   [op][len: 2 bytes, big endian][len bytes]
 *   op % 4 == 0: a frame received on eth0, addressed to our MAC
 *   op % 4 == 1: a frame received on eth0 as it is (broadcast, others' MAC)
 *   op % 4 == 2: an rtnetlink request written to the netlink socket
 *   op % 4 == 3: time passes: first byte x 250 ms, timers run
 * After each operation every socket is drained. This reaches reassembly
 * (fragment sequences across operations and their timeouts), ARP/NDP state
 * machines, ICMP errors and the rtnetlink server. TCP: a dual-stack
 * listener on port 80 (connections are accepted, read and answered as
 * they come), a connection inside the stack over lo, one being opened to
 * 198.18.0.2:80; ISNs are fixed (0x01000000) so that seeds can complete
 * handshakes. After every operation the resource bounds must hold
 * (net/net.h, socket/sock.h): neighbour tables and their counters, bytes
 * waiting for resolution, reassembly, receive queues within SO_RCVBUF
 * with their accounting exact. */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include "ut_stack.h"
#include "tcp/tcp.h"

static void drain(struct ustack *s, const int *fds, int n) {
	static uint8_t buf[70000];
	for (int i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		struct iovec iov = {buf, sizeof(buf)};
		struct sockaddr_storage from;
		struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			.msg_iovlen = 1};
		for (int k = 0; k < 64; k++) {
			msg.msg_namelen = sizeof(from);
			if (api_recvmsg(s, fds[i], &msg, MSG_DONTWAIT) < 0)
				break;
		}
	}
	if (ut_cap.n > 128)
		ut_cap_clear();
}

static void check_limits(struct ustack *s, const int *fds, int n) {
	int n4 = 0, n6 = 0;
	size_t q = 0;
	stack_lock(s);
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next) {
		for (struct neigh *e = ifp->neigh; e; e = e->next, n4++)
			q += e->qbytes;
		for (struct neigh *e = ifp->neigh6; e; e = e->next, n6++)
			q += e->qbytes;
	}
	if (n4 != s->nneigh4 || n6 != s->nneigh6 || n4 > NEIGH_MAX_ENTRIES || n6 > NEIGH_MAX_ENTRIES ||
			q != s->neigh_qbytes || q > NEIGH_QUEUE_TOTAL)
		__builtin_trap();
	if (s->nreasm > REASM_MAX_DGRAMS || s->nreasm6 > 64)
		__builtin_trap();
	stack_unlock(s);
	for (int i = 0; i < n; i++) {
		struct usock *sk = fds[i] >= 0 ? sock_get(s, fds[i]) : NULL;
		if (sk == NULL)
			continue;
		size_t cost = 0;
		for (struct pbuf *p = sk->rxq; p; p = p->next)
			cost += sock_rx_cost(sk, p);
		bool ok = cost == sk->rxbytes && cost <= (size_t) sk->rcvbuf;
		sock_put(sk);
		if (!ok)
			__builtin_trap();
	}
}

#define MAXTCP 16

/* accept what is pending, read every TCP socket, answer what was read */
static void tcp_drain(struct ustack *s, int l, int *t, int *nt) {
	static uint8_t buf[4096];
	int c;
	while (*nt < MAXTCP && (c = api_accept(s, l, NULL, NULL)) >= 0) {
		api_fcntl(s, c, F_SETFL, O_NONBLOCK);
		t[(*nt)++] = c;
	}
	for (int i = 0; i < *nt; i++) {
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = api_recvmsg(s, t[i], &msg, MSG_DONTWAIT);
		if (n > 0) {
			iov.iov_len = (size_t) n;
			api_sendmsg(s, t[i], &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		} else if (n == 0)
			api_shutdown(s, t[i], SHUT_WR);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct ustack *s = ut_stack();
	static const uint8_t a6[16] = {0xfd, [15] = 1};
	stack_lock(s);
	ip6_addr_add(ut_eth(s), a6, 64, IFA6_NODAD, true);
	stack_unlock(s);

	int fds[7];
	int n = 0;
	fds[n++] = ut_udp_socket(s, 7);
	int u6 = api_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(7)};
	api_bind(s, u6, (struct sockaddr *) &sin6, sizeof(sin6));
	fds[n++] = u6;
	fds[n++] = api_socket(s, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_ICMP);
	fds[n++] = api_socket(s, AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMP);
	fds[n++] = api_socket(s, AF_INET6, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMPV6);
	fds[n++] = api_socket(s, AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(0x0003 /* ETH_P_ALL */));
	int nl = api_socket(s, AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK, NETLINK_ROUTE);
	fds[n++] = nl;

	int t[MAXTCP], nt = 0;
	stack_lock(s);
	tcp_stack_get(s)->fixed_isn = true;
	stack_unlock(s);
	int tl = api_socket(s, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in6 any80 = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
	api_bind(s, tl, (struct sockaddr *) &any80, sizeof(any80));
	api_listen(s, tl, 8);
	struct sockaddr_in lo80 = {.sin_family = AF_INET, .sin_port = htons(80),
		.sin_addr.s_addr = htonl(0x7f000001)};
	t[nt] = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	api_connect(s, t[nt++], (struct sockaddr *) &lo80, sizeof(lo80));
	struct sockaddr_in peer80 = {.sin_family = AF_INET, .sin_port = htons(80),
		.sin_addr.s_addr = inet_addr("198.18.0.2")};
	t[nt] = api_socket(s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	api_connect(s, t[nt++], (struct sockaddr *) &peer80, sizeof(peer80));
	tcp_drain(s, tl, t, &nt);
	static const uint8_t hello[] = "hello over lo";
	struct iovec hv = {(void *) hello, sizeof(hello)};
	struct msghdr hm = {.msg_iov = &hv, .msg_iovlen = 1};
	api_sendmsg(s, t[0], &hm, MSG_DONTWAIT | MSG_NOSIGNAL);

	uint64_t now = rt_now();
	static uint8_t frame[65536 + 64];
	size_t off = 0;
	while (off + 3 <= size) {
		uint8_t op = data[off];
		size_t len = (size_t) data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		const uint8_t *p = data + off;
		off += len;
		switch (op % 4) {
		case 0:
			if (len < 14)
				break;
			memcpy(frame, p, len);
			memcpy(frame, UT_MAC, 6);
			ut_inject(s, frame, len);
			break;
		case 1:
			ut_inject(s, p, len);
			break;
		case 2: {
			struct iovec iov = {(void *) p, len};
			struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
			struct msghdr msg = {.msg_name = &kernel, .msg_namelen = sizeof(kernel), .msg_iov = &iov,
				.msg_iovlen = 1};
			if (nl >= 0)
				api_sendmsg(s, nl, &msg, MSG_DONTWAIT);
			break;
		}
		default:
			now += MS(250) * (len ? p[0] : 1);
			stack_lock(s);
			stack_run_timers(s, now);
			stack_unlock(s);
			break;
		}
		check_limits(s, fds, n);
		drain(s, fds, n);
		tcp_drain(s, tl, t, &nt);
	}
	/* Whatever came in, the limits held. */
	check_limits(s, fds, n);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			api_close(s, fds[i]);
	for (int i = 0; i < nt; i++)
		api_close(s, t[i]);
	api_close(s, tl);
	ut_stack_free(s);
	return 0;
}
