/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The license compatibility rules of src/libioth/license.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "internal.h"

#define P "SPDX-License-Identifier: "

static void test_no_plugin_requirement(void **state) {
	assert_true(ioth_license_compatible(NULL, NULL));
	assert_true(ioth_license_compatible(P "MIT", NULL));
	assert_true(ioth_license_compatible(NULL, ""));
}

static void test_permissive_plugins(void **state) {
	const char *ok[] = {P "LGPL-2.1-or-later", "LGPL-3.0-only", P "MIT", "BSD-3-Clause",
		"Apache-2.0", P "GPL-2.0-only OR MIT", "(GPL-3.0-only OR LGPL-2.1-only)", NULL};
	for (int i = 0; ok[i]; i++) {
		assert_true(ioth_license_compatible(NULL, ok[i]));
		assert_true(ioth_license_compatible(P "GPL-2.0-only", ok[i]));
	}
}

static void test_gpl_plugins(void **state) {
	/* Undeclared or proprietary-friendly programs are refused. */
	assert_false(ioth_license_compatible(NULL, P "GPL-2.0-or-later"));
	assert_false(ioth_license_compatible(P "MIT", P "GPL-2.0-or-later"));
	assert_false(ioth_license_compatible(P "LGPL-2.1-or-later", P "GPL-3.0-only"));
	/* The same license. */
	assert_true(ioth_license_compatible(P "GPL-2.0-only", P "GPL-2.0-only"));
	assert_true(ioth_license_compatible("gpl-3.0-only", P "GPL-3.0-only"));
	/* Upgrades that the "or later" clauses allow. */
	assert_true(ioth_license_compatible(P "GPL-3.0-only", P "GPL-2.0-or-later"));
	assert_true(ioth_license_compatible(P "GPL-2.0-or-later", P "GPL-3.0-only"));
	assert_true(ioth_license_compatible(P "AGPL-3.0-or-later", P "GPL-3.0-or-later"));
	/* And those that nothing allows. */
	assert_false(ioth_license_compatible(P "GPL-2.0-only", P "GPL-3.0-only"));
	assert_false(ioth_license_compatible(P "GPL-3.0-only", P "GPL-2.0-only"));
	assert_false(ioth_license_compatible(P "GPL-3.0-only", P "AGPL-3.0-only"));
	/* Alternatives on either side. */
	assert_true(ioth_license_compatible(P "GPL-2.0-only", P "GPL-2.0-only OR GPL-3.0-only"));
	assert_true(ioth_license_compatible(P "GPL-3.0-only", P "GPL-2.0-only OR GPL-3.0-only"));
	assert_true(ioth_license_compatible(P "MIT OR GPL-2.0-only", P "GPL-2.0-only"));
}

static void test_unknown_and_compound(void **state) {
	/* In doubt, deny. */
	assert_false(ioth_license_compatible(P "GPL-3.0-only", P "SomethingProprietary-1.0"));
	assert_false(ioth_license_compatible(P "GPL-3.0-only", P "GPL-2.0-only AND MIT"));
	assert_true(ioth_license_compatible(P "GPL-2.0-only AND MIT", P "GPL-2.0-only AND MIT"));
	assert_false(ioth_license_compatible(NULL, P "GPL-2.0-only WITH Classpath-exception-2.0"));
}

/* What the original libioth admits must load here too. */
static void test_same_license_and_deprecated_ids(void **state) {
	/* A license we know nothing of, identical on both sides. */
	assert_true(ioth_license_compatible(P "LicenseRef-Acme-1", P "LicenseRef-Acme-1"));
	assert_true(ioth_license_compatible("licenseref-acme-1", P "LicenseRef-Acme-1"));
	assert_true(ioth_license_compatible(P "MIT OR LicenseRef-Acme-1", "LicenseRef-Acme-1"));
	assert_false(ioth_license_compatible(P "LicenseRef-Acme-1", P "LicenseRef-Other"));
	assert_false(ioth_license_compatible(NULL, P "LicenseRef-Acme-1"));
	/* Deprecated SPDX ids mean what their current forms mean. */
	assert_true(ioth_license_compatible(P "GPL-2.0+", P "GPL-2.0+"));
	assert_true(ioth_license_compatible(P "GPL-2.0+", P "GPL-3.0-only"));
	assert_true(ioth_license_compatible(P "GPL-3.0-only", P "GPL-2.0+"));
	assert_true(ioth_license_compatible(P "GPL-2.0", P "GPL-2.0-only"));
	assert_false(ioth_license_compatible(P "GPL-2.0", P "GPL-3.0-only"));
	assert_false(ioth_license_compatible(P "MIT", P "GPL-2.0+"));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_plugin_requirement),
		cmocka_unit_test(test_permissive_plugins),
		cmocka_unit_test(test_gpl_plugins),
		cmocka_unit_test(test_unknown_and_compound),
		cmocka_unit_test(test_same_license_and_deprecated_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
