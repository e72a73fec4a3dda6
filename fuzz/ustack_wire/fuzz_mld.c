/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz MLD: query parse/emit/parse, report check/records/emit/check. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "mld.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static uint8_t out[65536 + 64];
	struct mld_query q, qb;
	if (mld_query_parse(data, size, &q) == 0) {
		FUZZ_CHECK(q.v1 == (size == MLD1_QUERY_LEN));
		FUZZ_CHECK(q.nsources == 0 || q.sources + 16 * (size_t) q.nsources <= data + size);
		int n = mld_query_emit(&q, out, sizeof(out));
		FUZZ_CHECK(n == (int) (MLD2_QUERY_MIN_LEN + 16 * (size_t) q.nsources));
		FUZZ_CHECK(mld_query_parse(out, (size_t) n, &qb) == 0);
		FUZZ_CHECK(memcmp(qb.group, q.group, 16) == 0 && qb.nsources == q.nsources);
		if (!q.v1) {
			/* the codes travel unchanged */
			FUZZ_CHECK(qb.max_resp_ms == q.max_resp_ms && qb.qqi_s == q.qqi_s);
			FUZZ_CHECK(qb.suppress == q.suppress && qb.qrv == q.qrv);
			FUZZ_CHECK(memcmp(out + 4, data + 4, 2) == 0 && out[25] == data[25]);
		} else {
			FUZZ_CHECK(qb.max_resp_ms >= q.max_resp_ms);
		}
	}
	int nrec = mld_report_check(data, size);
	if (nrec >= 0) {
		struct mld_record recs[64];
		size_t off = 0, keep = 0;
		for (int i = 0; i < nrec; i++) {
			struct mld_record rec;
			FUZZ_CHECK(mld_report_record(data, size, &off, &rec) == 0);
			FUZZ_CHECK(off <= size);
			if (keep < 64 && rec.type >= MLD2_MODE_IS_INCLUDE && rec.type <= MLD2_BLOCK_OLD_SOURCES)
				recs[keep++] = rec;
		}
		int n = mld_report_emit(recs, keep, out, sizeof(out));
		FUZZ_CHECK(n >= 0 && (size_t) n == mld_report_len(recs, keep));
		FUZZ_CHECK(mld_report_check(out, (size_t) n) == (int) keep);
		off = 0;
		for (size_t i = 0; i < keep; i++) {
			struct mld_record rec;
			FUZZ_CHECK(mld_report_record(out, (size_t) n, &off, &rec) == 0);
			FUZZ_CHECK(rec.type == recs[i].type && rec.nsources == recs[i].nsources);
			FUZZ_CHECK(memcmp(rec.group, recs[i].group, 16) == 0);
			FUZZ_CHECK(rec.nsources == 0 || memcmp(rec.sources, recs[i].sources, 16 * (size_t) rec.nsources) == 0);
		}
	}
	return 0;
}
