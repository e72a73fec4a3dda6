/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothaddr (include/iothaddr.h): the hash-based addresses the original
 * libioth's iothaddr gives. Expected values computed with md5sum(1):
 *   md5("test.v2.cs.unibo.it")                 = 69d62fac095a5a2e...
 *   md5("test.v2.cs.unibo.itpw")               = f306dea885cb4d40...
 *   md5("test.v2.cs.unibo.itpw" 01 02 03 04)    = 5ee71e45c97ff537... */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <iothaddr.h>

#define NAME "test.v2.cs.unibo.it"

static void expect_addr(const struct in6_addr *a, const char *want) {
	char got[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, a, got, sizeof(got));
	assert_string_equal(got, want);
}

static struct in6_addr addr(const char *s) {
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void test_hash(void **state) {
	struct in6_addr a = addr("2000:760::");
	iothaddr_hash(&a, NAME, NULL, 0);
	expect_addr(&a, "2000:760::68d6:2fac:95a:5a2e");
	/* a trailing dot names the same host */
	a = addr("2000:760::");
	iothaddr_hash(&a, NAME ".", NULL, 0);
	expect_addr(&a, "2000:760::68d6:2fac:95a:5a2e");
	/* password and one-time period are hashed after the name */
	a = addr("2000:760::");
	iothaddr_hash(&a, NAME, "pw", 0x01020304);
	expect_addr(&a, "2000:760::5ce7:1e45:c97f:f537");
	/* the digest is XORed into the interface identifier */
	a = addr("2000:760::1");
	iothaddr_hash(&a, NAME, NULL, 0);
	expect_addr(&a, "2000:760::68d6:2fac:95a:5a2f");
}

static void test_hashmac(void **state) {
	uint8_t mac[6], want[6] = {0x6a, 0xd6, 0x2f, 0x5a, 0x5a, 0x2e};
	iothaddr_hashmac(mac, NAME, NULL);
	assert_memory_equal(mac, want, 6);
	uint8_t want_pw[6] = {0xf2, 0x06, 0xde, 0xcb, 0x4d, 0x40};
	iothaddr_hashmac(mac, NAME, "pw");
	assert_memory_equal(mac, want_pw, 6);
	/* locally administered unicast, whatever the digest */
	iothaddr_hashmac(mac, "another.name.example", NULL);
	assert_int_equal(mac[0] & 0x03, 0x02);
}

static void test_eui64(void **state) {
	uint8_t mac[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	struct in6_addr a = addr("fd00:1:2:3::");
	iothaddr_eui64(&a, mac);
	expect_addr(&a, "fd00:1:2:3:211:22ff:fe33:4455");
	a = addr("2000:760::");
	iothaddr_hasheui64(&a, NAME, NULL);
	expect_addr(&a, "2000:760::68d6:2fff:fe5a:5a2e");
}

static void test_otiptime(void **state) {
	assert_int_equal(iothaddr_otiptime(0, 100), 0);
	uint32_t before = (uint32_t) (time(NULL) / 30);
	uint32_t t = iothaddr_otiptime(30, 0);
	uint32_t after = (uint32_t) (time(NULL) / 30);
	assert_in_range(t, before, after);
	before = (uint32_t) ((time(NULL) + 3600) / 30);
	t = iothaddr_otiptime(30, 3600);
	after = (uint32_t) ((time(NULL) + 3600) / 30);
	assert_in_range(t, before, after);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_hashmac),
		cmocka_unit_test(test_eui64),
		cmocka_unit_test(test_otiptime),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
