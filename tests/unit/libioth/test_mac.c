/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ioth_ntomac / ioth_macton, the inline MAC helpers of ioth.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ioth.h>

static void test_ntomac(void **state) {
	const unsigned char mac[6] = {0x02, 0xab, 0x00, 0x10, 0xff, 0x7e};
	char buf[MAC_ADDRSTRLEN];
	assert_string_equal(ioth_ntomac(mac, buf, sizeof(buf)), "02:ab:00:10:ff:7e");
}

static void test_macton(void **state) {
	unsigned char mac[6] = {0};
	const unsigned char want[6] = {0x02, 0xab, 0x00, 0x10, 0xff, 0x7e};
	assert_int_equal(ioth_macton("02:ab:00:10:ff:7e", mac), 1);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(ioth_macton("02-AB-00-10-FF-7E", mac), 1);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(ioth_macton("2:ab:0:10:ff:7e", mac), 1); /* one digit per byte is fine */
	assert_memory_equal(mac, want, 6);
	assert_int_equal(ioth_macton("02:ab:00:10:ff", mac), 0);
	assert_int_equal(ioth_macton("02:ab-00:10:ff:7e", mac), 0);
	assert_int_equal(ioth_macton("nonsense", mac), 0);
	assert_int_equal(ioth_macton("", mac), 0);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ntomac),
		cmocka_unit_test(test_macton),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
