/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz the IPv6 fixed header codec: parse, emit, compare with the input
 * (every bit of the header is in the representation). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "ipv6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct ip6_repr r, back;
	if (ip6_parse(data, size, &r) != 0) {
		FUZZ_CHECK(ip6_check(data, size) != 0);
		return 0;
	}
	FUZZ_CHECK(ip6_total_len(data) <= size);
	uint8_t out[IP6_HDR_LEN];
	FUZZ_CHECK(ip6_emit(&r, out, sizeof(out)) == IP6_HDR_LEN);
	FUZZ_CHECK(memcmp(out, data, IP6_HDR_LEN) == 0);
	FUZZ_CHECK(ip6_parse(out, sizeof(out), &back) == (r.payload_len == 0 ? 0 : -EINVAL));
	/* the helpers read only 16 bytes of an address */
	uint8_t snm[16], mac[6];
	ip6_addr_solicited_node(snm, ip6_src(data));
	FUZZ_CHECK(ip6_addr_is_multicast(snm));
	ip6_mcast_mac(mac, ip6_dst(data));
	FUZZ_CHECK(ip6_prefix_equal(r.src, ip6_src(data), (unsigned int) (data[3] % 130)));
	return 0;
}
