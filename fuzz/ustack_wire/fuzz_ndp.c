/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz NDP: parse, read every option with the typed readers and DNSSL
 * names, validate against addresses taken from the input, emit, parse
 * back and compare. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "icmp6.h"
#include "ipv6.h"
#include "ndp.h"

static void read_options(const uint8_t *opts, size_t len) {
	struct ndp_opt_iter it;
	struct ndp_opt o;
	int rc;
	ndp_opt_iter_init(&it, opts, len);
	while ((rc = ndp_opt_next(&it, &o)) == 1) {
		FUZZ_CHECK(o.len >= 8 && o.len % 8 == 0 && o.p >= opts && o.p + o.len <= opts + len);
		uint8_t mac[6];
		struct ndp_prefix pi;
		uint32_t v;
		const uint8_t *a;
		size_t n;
		switch (o.type) {
		case NDP_OPT_SLLA:
		case NDP_OPT_TLLA:
			(void) ndp_opt_lladdr(&o, mac);
			break;
		case NDP_OPT_PREFIX:
			if (ndp_opt_prefix(&o, &pi) == 0) {
				uint8_t buf[32];
				FUZZ_CHECK(ndp_opt_prefix_emit(&pi, buf, sizeof(buf)) == 32);
				/* all but the reserved words are the input's */
				FUZZ_CHECK(memcmp(buf, o.p, 12) == 0 && memcmp(buf + 16, o.p + 16, 16) == 0);
			}
			break;
		case NDP_OPT_MTU:
			(void) ndp_opt_mtu(&o, &v);
			break;
		case NDP_OPT_RDNSS:
			if (ndp_opt_rdnss(&o, &v, &a, &n) == 0) {
				FUZZ_CHECK(n >= 1 && a + 16 * n == o.p + o.len);
				uint8_t buf[8 + 16 * 127];
				FUZZ_CHECK(ndp_opt_rdnss_emit(v, a, n, buf, sizeof(buf)) == (int) o.len);
				FUZZ_CHECK(memcmp(buf + 4, o.p + 4, o.len - 4) == 0);
			}
			break;
		case NDP_OPT_DNSSL:
			if (ndp_opt_dnssl(&o, &v) == 0) {
				char names[8][256];
				const char *np[8];
				size_t pos = 0, k = 0;
				int r2;
				while (k < 8 && (r2 = ndp_dnssl_next(&o, &pos, names[k], sizeof(names[k]))) == 1) {
					FUZZ_CHECK(strlen(names[k]) > 0 && strlen(names[k]) < 256);
					np[k] = names[k];
					k++;
				}
				/* names read back re-encode to a parseable option */
				if (k > 0) {
					uint8_t buf[2048];
					int el = ndp_opt_dnssl_emit(v, np, k, buf, sizeof(buf));
					if (el > 0) {
						struct ndp_opt_iter it2;
						struct ndp_opt o2;
						ndp_opt_iter_init(&it2, buf, (size_t) el);
						FUZZ_CHECK(ndp_opt_next(&it2, &o2) == 1);
						char name[256];
						size_t p2 = 0;
						for (size_t i = 0; i < k; i++) {
							FUZZ_CHECK(ndp_dnssl_next(&o2, &p2, name, sizeof(name)) == 1);
							FUZZ_CHECK(strcmp(name, np[i]) == 0);
						}
					}
				}
			}
			break;
		default:
			break;
		}
	}
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	/* the first 33 bytes, when there are enough, choose the IPv6
	 * source, destination and hop limit; the rest is the message */
	const uint8_t *src = NULL, *dst = NULL;
	uint8_t hlim = 255;
	if (size > 33 && (data[0] & 1)) {
		src = data + 1;
		dst = data + 17;
		hlim = data[33] & 1 ? 255 : data[33];
		data += 34;
		size -= 34;
	}
	struct ndp_repr r, back;
	if (ndp_parse(data, size, &r) != 0) {
		read_options(data, size); /* the iterator alone, on any bytes */
		return 0;
	}
	read_options(r.opts, r.opts_len);
	if (src != NULL)
		(void) ndp_validate_ip(&r, src, dst, hlim);
	uint8_t out[65536];
	struct ndp_repr e = r;
	e.has_slla = e.has_tlla = e.has_mtu = false;
	int n = ndp_emit(&e, out, sizeof(out));
	/* the iterator accepted the whole area: whole options only */
	FUZZ_CHECK(r.opts_len % 8 == 0);
	FUZZ_CHECK(n == (int) size);
	FUZZ_CHECK(ndp_parse(out, (size_t) n, &back) == 0);
	FUZZ_CHECK(back.type == r.type && memcmp(&back.u, &r.u, sizeof(r.u)) == 0);
	FUZZ_CHECK(back.has_slla == r.has_slla && back.has_tlla == r.has_tlla && back.has_mtu == r.has_mtu);
	FUZZ_CHECK(!r.has_slla || memcmp(back.slla, r.slla, 6) == 0);
	FUZZ_CHECK(!r.has_tlla || memcmp(back.tlla, r.tlla, 6) == 0);
	FUZZ_CHECK(!r.has_mtu || back.mtu == r.mtu);
	FUZZ_CHECK(back.opts_len == r.opts_len && memcmp(back.opts, r.opts, r.opts_len) == 0);
	/* and emitting the decoded options instead gives the same decode */
	int n2 = ndp_emit(&r, out, sizeof(out));
	FUZZ_CHECK(n2 > 0);
	FUZZ_CHECK(ndp_parse(out, (size_t) n2, &back) == 0);
	FUZZ_CHECK(back.has_slla == r.has_slla && back.has_tlla == r.has_tlla && back.has_mtu == r.has_mtu);
	return 0;
}
