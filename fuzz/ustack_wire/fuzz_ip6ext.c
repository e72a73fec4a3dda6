/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz the extension header walk on arbitrary packets: the results must
 * point inside the packet, and the fragment header codec must round-trip. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "ip6ext.h"
#include "ipv6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct ip6ext_result res;
	/* the walk is called on what ip6_check accepted, cut to the
	 * payload length; feed it both that and the raw input */
	size_t len = size;
	if (ip6_check(data, size) == 0)
		len = ip6_total_len(data);
	for (int pass = 0; pass < 2; pass++) {
		size_t n = pass == 0 ? len : size;
		enum ip6ext_verdict v = ip6ext_walk(data, n, &res);
		FUZZ_CHECK(v == res.verdict);
		FUZZ_CHECK(res.nheaders <= IP6EXT_MAX_HEADERS + 1);
		FUZZ_CHECK(ip6ext_reason_str(res.reason) != NULL);
		switch (v) {
		case IP6EXT_UPPER:
			FUZZ_CHECK(res.reason == IP6EXT_R_NONE);
			FUZZ_CHECK(res.offset >= IP6_HDR_LEN && res.offset <= n);
			FUZZ_CHECK(res.nh_offset < res.offset);
			FUZZ_CHECK(data[res.nh_offset] == res.proto);
			break;
		case IP6EXT_FRAGMENT:
			FUZZ_CHECK(res.has_frag);
			FUZZ_CHECK(res.frag_offset + IP6_FRAG_HDR_LEN <= n);
			FUZZ_CHECK(data[res.frag_nh_offset] == 44);
			if (res.frag.offset == 0)
				FUZZ_CHECK(res.offset <= n && data[res.nh_offset] == res.proto);
			break;
		case IP6EXT_DROP:
			FUZZ_CHECK(res.reason != IP6EXT_R_NONE);
			break;
		case IP6EXT_PARAMPROB:
			FUZZ_CHECK(res.reason != IP6EXT_R_NONE);
			FUZZ_CHECK(res.icmp_code <= IP6EXT_PP_HDR_INCOMPLETE);
			FUZZ_CHECK(res.pointer < n);
			break;
		}
	}
	struct ip6_frag_repr f, g;
	if (ip6_frag_parse(data, size, &f) == 0) {
		uint8_t out[8];
		FUZZ_CHECK(ip6_frag_emit(&f, out, sizeof(out)) == 8);
		FUZZ_CHECK(ip6_frag_parse(out, sizeof(out), &g) == 0);
		FUZZ_CHECK(f.next_header == g.next_header && f.offset == g.offset && f.more == g.more &&
			f.ident == g.ident);
		/* only the reserved byte and the two reserved bits may differ */
		FUZZ_CHECK(out[0] == data[0] && out[2] == data[2] && ((out[3] ^ data[3]) & 0xf9) == 0);
		FUZZ_CHECK(memcmp(out + 4, data + 4, 4) == 0);
	}
	return 0;
}
