/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz ICMPv6: parse, emit with a checksum, parse back with checksum
 * verification, compare; check the error-permission helper on the input
 * read as an IPv6 packet. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "icmp6.h"
#include "ip6ext.h"
#include "ipv6.h"

static const uint8_t src[16] = {0xfd, 0, 0, 0, [15] = 1};
static const uint8_t dst[16] = {0xfd, 0, 0, 0, [15] = 2};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct icmp6_repr r, back;
	if (icmp6_parse(data, size, NULL, NULL, &r) == 0) {
		static uint8_t out[65536 + 8];
		int n = icmp6_emit(&r, src, dst, out, sizeof(out));
		FUZZ_CHECK(n >= 8);
		size_t want = r.data_len;
		if (icmp6_is_error(r.type) && want > ICMP6_ERROR_QUOTE_MAX)
			want = ICMP6_ERROR_QUOTE_MAX;
		FUZZ_CHECK((size_t) n == 8 + want);
		FUZZ_CHECK(icmp6_parse(out, (size_t) n, src, dst, &back) == 0);
		FUZZ_CHECK(back.type == r.type && back.code == r.code && back.u.word == r.u.word);
		FUZZ_CHECK(back.data_len == want && memcmp(back.data, r.data, want) == 0);
		/* everything but the checksum is the input's */
		FUZZ_CHECK(out[0] == data[0] && out[1] == data[1]);
		FUZZ_CHECK(memcmp(out + 4, data + 4, (size_t) n - 4) == 0);
		/* the checksum is detected wrong with other addresses */
		FUZZ_CHECK(icmp6_parse(out, (size_t) n, dst, dst, &back) == -EBADMSG ||
			icmp6_csum(dst, dst, out, (size_t) n) == 0);
	}
	if (ip6_check(data, size) == 0) {
		size_t len = ip6_total_len(data);
		struct ip6ext_result res;
		if (ip6ext_walk(data, len, &res) == IP6EXT_UPPER) {
			for (int type = 1; type <= 4; type++)
				(void) icmp6_error_allowed(data, len, res.proto, res.offset, (uint8_t) type, data[1] & 3);
		}
	}
	return 0;
}
