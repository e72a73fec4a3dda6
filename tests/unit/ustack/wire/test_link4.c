/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Ethernet II and ARP codecs: a request as Linux sends it, round trips,
 * truncated and unsupported forms, multicast MAC mapping (RFC 1112 6.4). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arp.h"
#include "eth.h"

/* who-has 198.18.0.2 tell 198.18.0.1, from 02:00:00:00:00:01, broadcast */
static const uint8_t request[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0x02, 0, 0, 0, 0, 0x01, 198, 18, 0, 1,
	0, 0, 0, 0, 0, 0, 198, 18, 0, 2};

static void test_request(void **state) {
	struct eth_repr e;
	assert_int_equal(eth_parse(request, sizeof(request), &e), 0);
	assert_int_equal(e.type, ETHW_P_ARP);
	assert_true(eth_is_broadcast(e.dst));
	assert_true(eth_is_multicast(e.dst));
	assert_false(eth_is_multicast(e.src));
	struct arp_repr a;
	assert_int_equal(arp_parse(request + 14, 28, &a), 0);
	assert_int_equal(a.op, ARPW_REQUEST);
	const uint8_t spa[4] = {198, 18, 0, 1}, tpa[4] = {198, 18, 0, 2};
	assert_memory_equal(&a.spa, spa, 4);
	assert_memory_equal(&a.tpa, tpa, 4);
	uint8_t out[42];
	assert_int_equal(eth_emit(&e, out, sizeof(out)), 14);
	assert_int_equal(arp_emit(&a, out + 14, 28), 28);
	assert_memory_equal(out, request, 42);
}

static void test_bad(void **state) {
	struct eth_repr e;
	struct arp_repr a;
	for (size_t n = 0; n < 14; n++)
		assert_int_equal(eth_parse(request, n, &e), -EINVAL);
	for (size_t n = 0; n < 28; n++)
		assert_int_equal(arp_parse(request + 14, n, &a), -EINVAL);
	uint8_t b[28];
	memcpy(b, request + 14, 28);
	b[1] = 6;               /* IEEE 802 hardware */
	assert_int_equal(arp_check(b, 28), -EPROTONOSUPPORT);
	memcpy(b, request + 14, 28);
	b[2] = 0x86;            /* IPv6 protocol type */
	b[3] = 0xdd;
	assert_int_equal(arp_check(b, 28), -EPROTONOSUPPORT);
	memcpy(b, request + 14, 28);
	b[5] = 16;              /* address length */
	assert_int_equal(arp_check(b, 28), -EPROTONOSUPPORT);
	memcpy(b, request + 14, 28);
	b[7] = 3;               /* RARP request */
	assert_int_equal(arp_check(b, 28), -EOPNOTSUPP);
	assert_int_equal(arp_emit(&a, b, 27), -ENOSPC);
	assert_int_equal(eth_emit(&e, b, 13), -ENOSPC);
}

static void test_mcast_mac(void **state) {
	uint8_t mac[6];
	const uint8_t g[4] = {239, 129, 2, 3};
	uint32_t group;
	memcpy(&group, g, 4);
	eth_mcast_from_ip4(group, mac);
	const uint8_t want[6] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
	assert_memory_equal(mac, want, 6);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_mcast_mac),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
