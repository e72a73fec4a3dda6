/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Shared by the ustack wire/ fuzz targets: an invariant that must hold
 * for every input. A violation aborts, so libFuzzer saves the input. */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#endif
