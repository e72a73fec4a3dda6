/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz the IPv6 receive path through the codecs, as the stack will chain
 * them: fixed header, extension header walk, then the upper layer by
 * protocol (ICMPv6 with its checksum, NDP, MLD; TCP). Bytes are handed
 * from one codec to the next exactly as the walk says, so an offset that
 * points outside the packet shows up as an AddressSanitizer report. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "icmp6.h"
#include "ip6ext.h"
#include "ipv6.h"
#include "mld.h"
#include "ndp.h"
#include "tcp.h"

static void upper(const uint8_t *pkt, size_t len, const struct ip6ext_result *res) {
	const uint8_t *p = pkt + res->offset;
	size_t n = len - res->offset;
	if (res->proto == IP6_NH_ICMPV6) {
		struct icmp6_repr r;
		/* checksum verified, then (so that the fuzzer gets further)
		 * parsed again as the loopback does, without */
		(void) icmp6_parse(p, n, ip6_src(pkt), ip6_dst(pkt), &r);
		if (icmp6_parse(p, n, NULL, NULL, &r) != 0)
			return;
		if (r.type >= 133 && r.type <= 137) {
			struct ndp_repr nd;
			if (ndp_parse(p, n, &nd) == 0)
				(void) ndp_validate_ip(&nd, ip6_src(pkt), ip6_dst(pkt), ip6_hop_limit(pkt));
		} else if (r.type == 130) {
			struct mld_query q;
			if (mld_query_parse(p, n, &q) == 0)
				(void) mld_query_validate_ip(ip6_src(pkt), ip6_hop_limit(pkt));
		} else if (r.type == 143) {
			(void) mld_report_check(p, n);
		} else if (icmp6_is_error(r.type) && ip6_check(r.data, r.data_len) == 0) {
			/* the quoted packet, as the stack matches it to a socket */
			struct ip6ext_result inner;
			(void) ip6ext_walk(r.data, r.data_len, &inner);
		}
	} else if (res->proto == IP6_NH_TCP) {
		struct tcp_repr t;
		(void) tcp_csum6(ip6_src(pkt), ip6_dst(pkt), p, n);
		(void) tcp_parse(p, n, &t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (ip6_check(data, size) != 0)
		return 0;
	size_t len = ip6_total_len(data);
	/* an exact copy of the packet proper: nothing may read past it */
	uint8_t *pkt = malloc(len);
	FUZZ_CHECK(pkt != NULL);
	memcpy(pkt, data, len);
	struct ip6ext_result res;
	enum ip6ext_verdict v = ip6ext_walk(pkt, len, &res);
	if (v == IP6EXT_UPPER || (v == IP6EXT_FRAGMENT && res.frag.offset == 0)) {
		FUZZ_CHECK(res.offset <= len);
		upper(pkt, len, &res);
	}
	if (v != IP6EXT_UPPER && v != IP6EXT_FRAGMENT)
		(void) icmp6_error_allowed(pkt, len, res.proto, res.offset, ICMP6_PARAM_PROB, res.icmp_code);
	free(pkt);
	return 0;
}
