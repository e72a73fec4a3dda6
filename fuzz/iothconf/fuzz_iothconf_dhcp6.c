/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libFuzzer target: DHCPv6 message parser of libiothconf. */
#include <stdint.h>
#include <stddef.h>
#include "iothconf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct dhcp6_msg m;
	ic_dhcp6_parse(data, size, &m);
	return 0;
}
