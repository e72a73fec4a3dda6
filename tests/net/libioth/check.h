/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The check of the libioth network tests: "ok: what" or "FAIL (where,
 * errno): what" on stdout, failures counted for the exit status. */
#ifndef TESTS_LIBIOTH_CHECK_H
#define TESTS_LIBIOTH_CHECK_H
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(cond, ...)                                                            \
	do {                                                                            \
		if (cond)                                                                   \
			printf("ok: " __VA_ARGS__);                                             \
		else {                                                                      \
			printf("FAIL (%s:%d, errno %s): ", __FILE__, __LINE__, strerror(errno)); \
			printf(__VA_ARGS__);                                                    \
			failures++;                                                             \
		}                                                                           \
		printf("\n");                                                               \
	} while (0)
#endif
