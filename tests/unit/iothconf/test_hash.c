/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Hash-based MAC and interface identifier: the vectors of docs/iothconf.md,
 * which are those documented by the original iothaddr (libioth). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "iothconf_int.h"

static void hex(const uint8_t *p, size_t n, char *out) {
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void test_md5_rfc1321(void **state) {
	/* RFC 1321 A.5 test suite */
	static const char *vec[][2] = {
		{"", "d41d8cd98f00b204e9800998ecf8427e"},
		{"a", "0cc175b9c0f1b6a831c399e269772661"},
		{"abc", "900150983cd24fb0d6963f7d28e17f72"},
		{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
		{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
			"d174ab98d277d9f5a5611c2c9f419d9f"},
		{"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
			"57edf4a22be3c955ac49da2e2107b67a"},
	};
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		uint8_t d[16];
		char h[33];
		ic_md5(vec[i][0], strlen(vec[i][0]), d);
		hex(d, 16, h);
		assert_string_equal(h, vec[i][1]);
	}
}

static void test_hashmac(void **state) {
	uint8_t mac[6];
	char h[13];
	/* md5("test.v2.cs.unibo.it") = 69d62fac095a5a2ee4c2c79f211e57e3:
	 * bytes 0,1,2,5,6,7 with the first byte locally administered unicast */
	ic_hashmac(mac, "test.v2.cs.unibo.it");
	hex(mac, 6, h);
	assert_string_equal(h, "6ad62f5a5a2e");
	ic_hashmac(mac, "test.v2.cs.unibo.it.");   /* trailing dot: same name */
	hex(mac, 6, h);
	assert_string_equal(h, "6ad62f5a5a2e");
	/* md5("abc") = 900150983cd24fb0...: 0x90 -> 0x92 */
	ic_hashmac(mac, "abc");
	hex(mac, 6, h);
	assert_string_equal(h, "920150d24fb0");
	/* md5("message digest") = f96b69...: 0xf9 -> 0xfa (multicast bit cleared) */
	ic_hashmac(mac, "message digest");
	assert_int_equal(mac[0], 0xfa);
}

static void test_hashiid(void **state) {
	uint8_t a[16] = {0x20, 0x00, 0x07, 0x60};
	char h[33];
	ic_hashiid(a, "test.v2.cs.unibo.it");
	hex(a, 16, h);
	/* 2000:760::68d6:2fac:95a:5a2e as the original documents */
	assert_string_equal(h, "200007600000000068d62fac095a5a2e");
	/* XOR, not assignment: a non zero host part is mixed in */
	uint8_t b[16] = {0xfd, 0, [8] = 0xff, [15] = 0x01};
	ic_hashiid(b, "test.v2.cs.unibo.it.");
	hex(b, 16, h);
	assert_string_equal(h, "fd0000000000000094d62fac095a5a2f");
}

static void test_otipiid(void **state) {
	uint8_t a[16] = {0x20, 0x00, 0x07, 0x60};
	char h[33];
	/* MD5("test.v2.cs.unibo.it" "pw" 01 02 03 04), as Python's hashlib
	 * gives it, and libiothaddr's iothaddr_hash(.., "pw", 0x01020304) */
	ic_otipiid(a, "test.v2.cs.unibo.it.", "pw", 0x01020304);
	hex(a, 16, h);
	assert_string_equal(h, "20000760000000005ce71e45c97ff537");
	/* another step, another address */
	uint8_t b[16] = {0x20, 0x00, 0x07, 0x60};
	ic_otipiid(b, "test.v2.cs.unibo.it", "pw", 0x01020305);
	assert_memory_not_equal(a, b, 16);
}

static void test_eui64(void **state) {
	uint8_t a[16] = {0x20, 0x00, 0x07, 0x60};
	uint8_t mac[6];
	char h[33];
	ic_hashmac(mac, "test.v2.cs.unibo.it");
	ic_eui64(a, mac);
	hex(a, 16, h);
	/* 2000:760::68d6:2fff:fe5a:5a2e (iothaddr_hasheui64's example) */
	assert_string_equal(h, "200007600000000068d62ffffe5a5a2e");
	uint8_t m2[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	uint8_t b[16] = {0xfe, 0x80};
	ic_eui64(b, m2);
	hex(b, 16, h);
	assert_string_equal(h, "fe80000000000000505400fffe123456");
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md5_rfc1321),
		cmocka_unit_test(test_hashmac),
		cmocka_unit_test(test_hashiid),
		cmocka_unit_test(test_otipiid),
		cmocka_unit_test(test_eui64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
