/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Bad input never crashes the stack: seeded random and mutated frames
 * (Ethernet, ARP, IPv4 with fragments, UDP, ICMP, IPv6 with extension
 * headers and fragments, NDP) into the test link, and random or mutated
 * rtnetlink requests into a netlink socket, whose every reply must be a
 * well-formed netlink message. Run under ASan/UBSan this finds overruns;
 * the stack must still answer afterwards. */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "ut_stack.h"
#include "wire/icmp6.h"

static uint32_t rng = 12345;

static uint32_t rnd(void) {
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* valid seeds to mutate */
static size_t seed_frame(uint8_t *f, int kind) {
	static uint8_t payload[3000];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t) i;
	uint8_t udp[1600];
	switch (kind) {
	case 0: {  /* UDP datagram */
		size_t n = ut_udp(udp, "198.18.0.2", "198.18.0.1", 1000, 7, payload, 100);
		return ut_ip_frame(f, "198.18.0.2", "198.18.0.1", 17, 1, 0, 0, udp, n);
	}
	case 1:    /* a first fragment */
		return ut_ip_frame(f, "198.18.0.2", "198.18.0.1", 17, (uint16_t) rnd(), 0, 1, payload, 1480);
	case 2: {  /* ICMP echo */
		uint8_t e[64] = {8, 0, 0, 0, 0, 1, 0, 1};
		uint16_t c = csum_buf(e, sizeof(e));
		e[2] = (uint8_t) (c >> 8);
		e[3] = (uint8_t) c;
		return ut_ip_frame(f, "198.18.0.2", "198.18.0.1", 1, 2, 0, 0, e, sizeof(e));
	}
	case 3: {  /* ARP request for us */
		struct eth_repr e = {.type = ETHW_P_ARP};
		memset(e.dst, 0xff, 6);
		memcpy(e.src, UT_PEER_MAC, 6);
		eth_emit(&e, f, 14);
		struct arp_repr a = {.op = 1, .spa = inet_addr("198.18.0.2"), .tpa = inet_addr("198.18.0.1")};
		memcpy(a.sha, UT_PEER_MAC, 6);
		arp_emit(&a, f + 14, 28);
		return 42;
	}
	default: { /* IPv6: hop-by-hop, fragment header, ICMPv6 echo */
		struct eth_repr e = {.type = ETHW_P_IPV6};
		memcpy(e.dst, UT_MAC, 6);
		memcpy(e.src, UT_PEER_MAC, 6);
		eth_emit(&e, f, 14);
		uint8_t *p = f + 14;
		memset(p, 0, 40);
		p[0] = 0x60;
		p[6] = 0;      /* hop-by-hop */
		p[7] = 64;
		p[8] = 0xfe;
		p[9] = 0x80;
		p[23] = 2;
		p[24] = 0xfd;
		p[39] = 1;
		uint8_t *h = p + 40;
		memset(h, 0, 8);
		h[0] = 44;     /* then a fragment header */
		h[2] = 1;      /* PadN, 4 bytes */
		h[3] = 4;
		uint8_t *fr = h + 8;
		memset(fr, 0, 8);
		fr[0] = 58;
		fr[3] = (uint8_t) (rnd() & 1);  /* M flag: atomic or first */
		fr[7] = (uint8_t) rnd();
		uint8_t *ic = fr + 8;
		memset(ic, 0, 64);
		ic[0] = 128;
		size_t plen = 8 + 8 + 64;
		p[4] = (uint8_t) (plen >> 8);
		p[5] = (uint8_t) plen;
		return 14 + 40 + plen;
	}
	}
}

static void test_frames(void **state) {
	struct ustack *s = ut_stack();
	stack_lock(s);
	static const uint8_t a6[16] = {0xfd, [15] = 1};
	ip6_addr_add(ut_eth(s), a6, 64, IFA6_NODAD, true);
	stack_unlock(s);
	int fd = ut_udp_socket(s, 7);
	static uint8_t f[70000];
	for (int iter = 0; iter < 100000; iter++) {
		size_t n = seed_frame(f, (int) (rnd() % 5));
		int muts = 1 + (int) (rnd() % 4);
		for (int m = 0; m < muts && n > 14; m++) {
			switch (rnd() % 4) {
			case 0:
				f[14 + rnd() % (n - 14)] = (uint8_t) rnd();
				break;
			case 1:
				n = 14 + rnd() % (n - 13);  /* truncate */
				break;
			case 2:
				f[14 + rnd() % 8] ^= (uint8_t) (1u << (rnd() % 8));
				break;
			default:
				if (n < sizeof(f) - 100) {
					for (int k = 0; k < 50; k++)
						f[n + (size_t) k] = (uint8_t) rnd();
					n += 50;
				}
				break;
			}
		}
		ut_inject(s, f, n);
		if (ut_cap.n > 200)
			ut_cap_clear();
		char buf[4096];
		while (ut_recv(s, fd, buf, sizeof(buf)) >= 0)
			;
		if (iter % 1000 == 0) {
			stack_lock(s);
			stack_run_timers(s, rt_now() + MS(61000));
			stack_unlock(s);
		}
	}
	/* the limits held, and it still answers a ping */
	assert_true(s->nreasm <= REASM_MAX_DGRAMS);
	ut_cap_clear();
	size_t n = seed_frame(f, 2);
	ut_inject(s, f, n);
	int found = -1;
	for (int i = 0; i < ut_cap.n; i++)
		if (ut_cap.len[i] > 34 && ut_cap.frame[i][23] == 1 && ut_cap.frame[i][34] == 0)
			found = i;
	assert_true(found >= 0 || ut_find(ETHW_P_ARP, 0) >= 0);
	api_close(s, fd);
	ut_stack_free(s);
}

static void check_replies(struct ustack *s, int fd) {
	static uint8_t buf[70000];
	ssize_t n;
	while ((n = ut_recv(s, fd, buf, sizeof(buf))) > 0) {
		size_t left = (size_t) n;
		struct nlmsghdr *h = (struct nlmsghdr *) buf;
		/* every reply datagram is a chain of whole messages */
		while (left > 0) {
			assert_true(left >= sizeof(*h));
			assert_true(h->nlmsg_len >= sizeof(*h) && h->nlmsg_len <= left);
			size_t step = NLMSG_ALIGN(h->nlmsg_len);
			if (step >= left)
				break;
			left -= step;
			h = (struct nlmsghdr *) ((uint8_t *) h + step);
		}
	}
}

static void test_netlink(void **state) {
	struct ustack *s = ut_stack();
	int fd = api_socket(s, AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK, NETLINK_ROUTE);
	assert_true(fd >= 0);
	static const uint16_t types[] = {RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK, RTM_NEWADDR,
		RTM_DELADDR, RTM_GETADDR, RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE, RTM_GETNEIGH, 99, 3, 2};
	uint8_t req[512];
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 16 + rnd() % 200;
		for (size_t i = 0; i < len; i++)
			req[i] = (uint8_t) rnd();
		struct nlmsghdr *h = (struct nlmsghdr *) req;
		if (rnd() % 4) {
			/* mostly plausible: right length, a real type, request flags,
			 * a family we know, attributes of random lengths */
			h->nlmsg_len = (uint32_t) (rnd() % 3 ? len : rnd() % 600);
			h->nlmsg_type = types[rnd() % (sizeof(types) / sizeof(types[0]))];
			h->nlmsg_flags = (uint16_t) (NLM_F_REQUEST | (rnd() & (NLM_F_ACK | NLM_F_DUMP | NLM_F_EXCL |
					NLM_F_CREATE | NLM_F_REPLACE)));
			req[16] = (uint8_t) ((const int[]){AF_UNSPEC, AF_INET, AF_INET6, AF_PACKET})[rnd() % 4];
			/* an interface that exists */
			if (len >= 24 && rnd() % 2)
				req[20] = (uint8_t) (1 + rnd() % 2), req[21] = req[22] = req[23] = 0;
		}
		struct iovec iov = {.iov_base = req, .iov_len = len};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
		assert_int_equal(api_sendmsg(s, fd, &msg, 0), (ssize_t) len);
		check_replies(s, fd);
	}
	/* still consistent: lo and eth0 are there, whatever was renamed */
	stack_lock(s);
	assert_non_null(netif_by_index(s, 1));
	assert_non_null(netif_by_index(s, 2));
	stack_unlock(s);
	api_close(s, fd);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_netlink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
