/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The addresses bind takes, the same check for TCP and UDP (Linux
 * inet_bind, __inet6_bind, as Linux 6 answers): the stack's own, IPv4
 * multicast and broadcast ones (limited or of a subnet), not another
 * host's (EADDRNOTAVAIL); an IPv6 multicast one for UDP only (TCP:
 * EINVAL, IP_FREEBIND or not). And an IPv6 ping socket bound to a device
 * takes only the replies that arrive on it, as an IPv4 one (Linux
 * ping_lookup). On the test link. */
#include <linux/if_ether.h>

#include "ut_stack.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

static int bind4(struct ustack *s, int type, const char *addr) {
	int fd = api_socket(s, AF_INET, type, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = inet_addr(addr)};
	int r = api_bind(s, fd, (struct sockaddr *) &a, sizeof(a));
	int e = errno;
	api_close(s, fd);
	return r == 0 ? 0 : -e;
}

static int bind6(struct ustack *s, int type, const uint8_t *addr, bool freebind) {
	int fd = api_socket(s, AF_INET6, type, 0);
	assert_true(fd >= 0);
	int one = 1;
	if (freebind)
		assert_int_equal(api_setsockopt(s, fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)), 0);
	struct sockaddr_in6 a = {.sin6_family = AF_INET6};
	memcpy(a.sin6_addr.s6_addr, addr, 16);
	int r = api_bind(s, fd, (struct sockaddr *) &a, sizeof(a));
	int e = errno;
	api_close(s, fd);
	return r == 0 ? 0 : -e;
}

static void test_bind_ipv4(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	static const int types[] = {SOCK_STREAM, SOCK_DGRAM};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(bind4(s, types[i], "198.18.0.1"), 0);
		assert_int_equal(bind4(s, types[i], "0.0.0.0"), 0);
		assert_int_equal(bind4(s, types[i], "224.1.2.3"), 0);
		assert_int_equal(bind4(s, types[i], "255.255.255.255"), 0);
		assert_int_equal(bind4(s, types[i], "198.18.0.255"), 0);
		assert_int_equal(bind4(s, types[i], "198.18.0.99"), -EADDRNOTAVAIL);
		assert_int_equal(bind4(s, types[i], "198.19.0.1"), -EADDRNOTAVAIL);
	}
	ut_stack_free(s);
}

static void test_bind_ipv6_multicast(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	static const uint8_t mc[16] = {0xff, 0x0e, [15] = 1}, other[16] = {0xfd, 0, [15] = 0x99};
	assert_int_equal(bind6(s, SOCK_STREAM, mc, false), -EINVAL);
	assert_int_equal(bind6(s, SOCK_STREAM, mc, true), -EINVAL);
	assert_int_equal(bind6(s, SOCK_DGRAM, mc, false), 0);
	assert_int_equal(bind6(s, SOCK_STREAM, other, false), -EADDRNOTAVAIL);
	assert_int_equal(bind6(s, SOCK_DGRAM, other, false), -EADDRNOTAVAIL);
	assert_int_equal(bind6(s, SOCK_STREAM, other, true), 0);
	ut_stack_free(s);
}

static const uint8_t A6[16] = {0xfd, 0, [15] = 1}, P6[16] = {0xfd, 0, [15] = 2};

/* an echo reply of identifier id from the peer, on eth0 */
static size_t echo_reply6(uint8_t *f, uint16_t id) {
	uint8_t *icmp = f + 54;
	memset(icmp, 0, 12);
	icmp[0] = ICMP6_ECHO_REPLY;
	memcpy(icmp + 4, &id, 2);   /* network order, as the socket's */
	icmp[7] = 1;
	memcpy(icmp + 8, "ping", 4);
	icmp6_fill_checksum(P6, A6, icmp, 12);
	ut_ip6_head(f, P6, A6, 58, 64, 12);
	return 54 + 12;
}

static void test_ping6_bound_device(void **state) {
	(void) state;
	struct ustack *s = ut_stack();
	stack_lock(s);
	ip6_link_up(ut_eth(s));
	assert_int_equal(ip6_addr_add(ut_eth(s), A6, 64, IFA6_NODAD, true), 0);
	stack_unlock(s);
	static const char *const devs[] = {"lo", "eth0", NULL};
	for (int i = 0; i < 3; i++) {
		int fd = api_socket(s, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_ICMPV6);
		assert_true(fd >= 0);
		if (devs[i])
			assert_int_equal(api_setsockopt(s, fd, SOL_SOCKET, SO_BINDTODEVICE, devs[i],
					(socklen_t) strlen(devs[i]) + 1), 0);
		uint16_t id = htons((uint16_t) (7000 + i));
		struct sockaddr_in6 b = {.sin6_family = AF_INET6, .sin6_port = id};
		assert_int_equal(api_bind(s, fd, (struct sockaddr *) &b, sizeof(b)), 0);
		uint8_t f[128], buf[64];
		ut_inject(s, f, echo_reply6(f, id));
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		ssize_t n = api_readv(s, fd, &iov, 1);
		if (i == 0) {
			/* bound to lo: a reply on eth0 is not its */
			assert_int_equal(n, -1);
			assert_int_equal(errno, EAGAIN);
		} else {
			assert_int_equal(n, 12);
			assert_int_equal(buf[0], ICMP6_ECHO_REPLY);
			assert_memory_equal(buf + 8, "ping", 4);
		}
		api_close(s, fd);
	}
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_ipv4),
		cmocka_unit_test(test_bind_ipv6_multicast),
		cmocka_unit_test(test_ping6_bound_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
