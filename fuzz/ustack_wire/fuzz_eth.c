/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz the Ethernet II header codec (wire/eth.h): parse, emit, compare;
 * the multicast mapping reads only its 4 bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eth.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct eth_repr r;
	if (eth_parse(data, size, &r) != 0) {
		FUZZ_CHECK(size < ETHW_HLEN);
		return 0;
	}
	uint8_t out[ETHW_HLEN];
	FUZZ_CHECK(eth_emit(&r, out, sizeof(out)) == ETHW_HLEN);
	FUZZ_CHECK(memcmp(out, data, ETHW_HLEN) == 0);
	FUZZ_CHECK(eth_emit(&r, out, ETHW_HLEN - 1) < 0);
	FUZZ_CHECK(eth_is_multicast(r.dst) == (data[0] & 1));
	uint32_t group;
	memcpy(&group, data + 2, 4);
	uint8_t mac[6];
	eth_mcast_from_ip4(group, mac);
	FUZZ_CHECK(eth_is_multicast(mac) && !(mac[3] & 0x80));
	return 0;
}
