/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libFuzzer target: the DHCPv4 reply path of libiothconf (IPv4/UDP framing
 * as read from the packet socket, then the DHCP message). */
#include <stdint.h>
#include <stddef.h>
#include "iothconf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct dhcp4_msg m;
	uint32_t src;
	size_t off, plen;
	if (ic_ipudp_parse(data, size, 68, &src, &off, &plen) == 0)
		ic_dhcp4_parse(data + off, plen, &m);
	/* the bare message too: most inputs would never pass the checksums */
	ic_dhcp4_parse(data, size, &m);
	return 0;
}
