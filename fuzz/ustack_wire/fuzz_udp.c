/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz the UDP codec (wire/udp.h): parse, emit with an IPv4 and an IPv6
 * pseudo-header, verify, parse back, compare. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "fuzz_check.h"
#include "udp.h"

static const uint8_t src4[4] = {198, 18, 0, 1}, dst4[4] = {198, 18, 0, 2};
static const uint8_t src6[16] = {0xfd, [15] = 1}, dst6[16] = {0xfd, [15] = 2};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct udp_repr r, back;
	if (udp_parse(data, size, &r) != 0) {
		FUZZ_CHECK(udp_check(data, size) != 0);
		return 0;
	}
	FUZZ_CHECK(r.len >= UDPW_HLEN && r.len <= size && r.payload_len == (size_t) r.len - UDPW_HLEN);
	/* the verifier on the input never reads past the UDP length */
	uint32_t ps4 = csum_pseudo4(src4, dst4, 17, r.len);
	int v = udp_verify(data, r.len, ps4, 1);
	FUZZ_CHECK(v == 0 || v == -EBADMSG);
	uint8_t *buf = malloc(r.len);
	FUZZ_CHECK(buf != NULL);
	memcpy(buf + UDPW_HLEN, r.payload, r.payload_len);
	FUZZ_CHECK(udp_emit(&r, buf, r.len, ps4, 0) == UDPW_HLEN);
	FUZZ_CHECK(udp_verify(buf, r.len, ps4, 0) == 0);
	FUZZ_CHECK(buf[6] != 0 || buf[7] != 0); /* RFC 768: zero goes as ones */
	FUZZ_CHECK(udp_parse(buf, r.len, &back) == 0);
	FUZZ_CHECK(back.sport == r.sport && back.dport == r.dport && back.len == r.len);
	FUZZ_CHECK(back.payload_len == r.payload_len && memcmp(back.payload, r.payload, r.payload_len) == 0);
	uint32_t ps6 = csum_pseudo6(src6, dst6, 17, r.len);
	FUZZ_CHECK(udp_emit(&r, buf, r.len, ps6, 0) == UDPW_HLEN);
	FUZZ_CHECK(udp_verify(buf, r.len, ps6, 0) == 0);
	/* without a checksum: zero, accepted only where allowed */
	FUZZ_CHECK(udp_emit(&r, buf, r.len, ps4, 1) == UDPW_HLEN);
	FUZZ_CHECK(udp_verify(buf, r.len, ps4, 1) == 0 && udp_verify(buf, r.len, ps6, 0) == -EBADMSG);
	free(buf);
	return 0;
}
