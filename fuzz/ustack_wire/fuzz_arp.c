/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz the ARP codec (wire/arp.h): parse, emit, compare. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arp.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct arp_repr r, back;
	if (arp_parse(data, size, &r) != 0) {
		FUZZ_CHECK(arp_check(data, size) != 0);
		return 0;
	}
	FUZZ_CHECK(r.op == ARPW_REQUEST || r.op == ARPW_REPLY);
	uint8_t out[ARPW_LEN];
	FUZZ_CHECK(arp_emit(&r, out, sizeof(out)) == ARPW_LEN);
	/* every byte of an Ethernet/IPv4 ARP packet is in the repr */
	FUZZ_CHECK(memcmp(out, data, ARPW_LEN) == 0);
	FUZZ_CHECK(arp_parse(out, sizeof(out), &back) == 0);
	/* field by field: the struct has padding */
	FUZZ_CHECK(back.op == r.op && back.spa == r.spa && back.tpa == r.tpa);
	FUZZ_CHECK(memcmp(back.sha, r.sha, 6) == 0 && memcmp(back.tha, r.tha, 6) == 0);
	return 0;
}
