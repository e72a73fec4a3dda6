/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libFuzzer target: Router Advertisement parser of libiothconf (with
 * RDNSS/DNSSL). */
#include <stdint.h>
#include <stddef.h>
#include "iothconf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct ra_msg m;
	ic_ra_parse(data, size, &m);
	return 0;
}
