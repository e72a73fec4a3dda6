/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz the IGMP codec (wire/igmp.h): parse the input, and a copy whose
 * checksum is made right so the fuzzer gets past it; emit a v3 report of
 * groups taken from the input and parse it back. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "fuzz_check.h"
#include "igmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct igmp_repr r;
	int rc = igmp_parse(data, size, &r);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EBADMSG);
	if (size >= 8 && size <= 65535) {
		uint8_t *p = malloc(size);
		FUZZ_CHECK(p != NULL);
		memcpy(p, data, size);
		p[2] = p[3] = 0;
		uint16_t c = csum_buf(p, size);
		p[2] = (uint8_t) (c >> 8);
		p[3] = (uint8_t) c;
		rc = igmp_parse(p, size, &r);
		FUZZ_CHECK(rc == 0 || rc == -EINVAL);
		if (rc == 0 && r.type == IGMPW_QUERY)
			FUZZ_CHECK(r.version >= 1 && r.version <= 3);
		free(p);
	}
	int ngroups = (int) (size / 4);
	if (ngroups > 64)
		ngroups = 64;
	uint32_t groups[64];
	memcpy(groups, data, (size_t) ngroups * 4);
	uint8_t out[8 + 64 * 8];
	int n = igmp_emit_v3_report(size ? data[0] : 0, groups, ngroups, out, sizeof(out));
	FUZZ_CHECK(n == 8 + 8 * ngroups);
	FUZZ_CHECK(igmp_parse(out, (size_t) n, &r) == 0);
	FUZZ_CHECK(r.type == IGMPW_V3_REPORT);
	FUZZ_CHECK(igmp_emit_v3_report(0, groups, ngroups, out, (size_t) n - 1) == -ENOSPC);
	return 0;
}
