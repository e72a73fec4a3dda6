/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz the ICMPv4 codec (wire/icmp4.h): parse without checksum, emit
 * over a copy of the payload, parse back with the checksum, compare. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "icmp4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct icmp4_repr r, back;
	int rc = icmp4_parse(data, size, 0, &r);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EBADMSG);
	if (icmp4_parse(data, size, ICMP4W_NOCSUM, &r) != 0) {
		FUZZ_CHECK(size < ICMP4W_HLEN);
		return 0;
	}
	FUZZ_CHECK(r.payload == data + ICMP4W_HLEN && r.payload_len == size - ICMP4W_HLEN);
	uint8_t *buf = malloc(size);
	FUZZ_CHECK(buf != NULL);
	memcpy(buf + ICMP4W_HLEN, r.payload, r.payload_len);
	FUZZ_CHECK(icmp4_emit(&r, buf, size) == ICMP4W_HLEN);
	FUZZ_CHECK(icmp4_parse(buf, size, 0, &back) == 0);
	FUZZ_CHECK(back.type == r.type && back.code == r.code && memcmp(back.rest, r.rest, 4) == 0);
	FUZZ_CHECK(back.id == r.id && back.seq == r.seq && back.payload_len == r.payload_len);
	FUZZ_CHECK(memcmp(buf + 4, data + 4, size - 4) == 0);
	(void) icmp4_is_error(r.type);
	free(buf);
	return 0;
}
