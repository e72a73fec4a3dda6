/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz TCP: parse, emit, checksum, parse back, compare header, options
 * and payload. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "tcp.h"

static const uint8_t src6[16] = {0xfd, 0, 0, 0, [15] = 1}, dst6[16] = {0xfd, 0, 0, 0, [15] = 2};
static const uint8_t src4[4] = {198, 18, 0, 1}, dst4[4] = {198, 18, 0, 2};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct tcp_repr r, back;
	if (tcp_parse(data, size, &r) != 0)
		return 0;
	FUZZ_CHECK(tcp_check(data, size) == 0);
	FUZZ_CHECK(r.payload == data + tcp_hdr_len(data) && r.payload_len == size - tcp_hdr_len(data));
	FUZZ_CHECK(r.opt.nsack <= TCP_MAX_SACK);
	if (r.payload_len > 0xffff)
		return 0;
	static uint8_t out[65536 + 64];
	int n = tcp_emit(&r, out, sizeof(out));
	if (n == -EINVAL) {
		/* only when our layout needs more than the 40 bytes the
		 * sender squeezed its options into */
		FUZZ_CHECK(tcp_opts_len(&r.opt) > TCP_MAX_OPT_LEN);
		return 0;
	}
	FUZZ_CHECK(n > 0 && (size_t) n == TCP_HDR_LEN + tcp_opts_len(&r.opt) + r.payload_len);
	FUZZ_CHECK(tcp_hdr_len(out) % 4 == 0);
	tcp_fill_checksum6(src6, dst6, out, (size_t) n);
	FUZZ_CHECK(tcp_csum6(src6, dst6, out, (size_t) n) == 0);
	tcp_fill_checksum4(src4, dst4, out, (size_t) n);
	FUZZ_CHECK(tcp_csum4(src4, dst4, out, (size_t) n) == 0);
	FUZZ_CHECK(tcp_parse(out, (size_t) n, &back) == 0);
	FUZZ_CHECK(back.sport == r.sport && back.dport == r.dport && back.seq == r.seq && back.ack == r.ack);
	FUZZ_CHECK(back.flags == r.flags && back.window == r.window && back.urgent == r.urgent);
	FUZZ_CHECK(back.opt.has_mss == r.opt.has_mss && (!r.opt.has_mss || back.opt.mss == r.opt.mss));
	FUZZ_CHECK(back.opt.has_wscale == r.opt.has_wscale && (!r.opt.has_wscale || back.opt.wscale == r.opt.wscale));
	FUZZ_CHECK(back.opt.sack_perm == r.opt.sack_perm && back.opt.has_ts == r.opt.has_ts);
	FUZZ_CHECK(!r.opt.has_ts || (back.opt.tsval == r.opt.tsval && back.opt.tsecr == r.opt.tsecr));
	FUZZ_CHECK(back.opt.nsack == r.opt.nsack);
	FUZZ_CHECK(memcmp(back.opt.sack, r.opt.sack, sizeof(r.opt.sack[0]) * r.opt.nsack) == 0);
	FUZZ_CHECK(back.payload_len == r.payload_len && memcmp(back.payload, r.payload, r.payload_len) == 0);
	return 0;
}
