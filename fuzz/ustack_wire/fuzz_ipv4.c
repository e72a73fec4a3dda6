/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Fuzz the IPv4 header codec (wire/ipv4.h): parse the input as it is and
 * with its header checksum made right (so the fuzzer gets past it), emit,
 * parse back with checksum verification, compare. The options of any
 * header that parses go through ipv4_opts_parse and, when accepted,
 * ipv4_opts_echo: offsets inside the options, a bounded, padded echo. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "fuzz_check.h"
#include "ipv4.h"

static void roundtrip(const uint8_t *p, size_t len) {
	struct ipv4_repr r, back;
	if (ipv4_parse(p, len, IPV4W_NOCSUM, &r) != 0)
		return;
	FUZZ_CHECK(r.hdr_len >= IPV4W_HLEN && r.hdr_len <= len && r.total_len <= len);
	FUZZ_CHECK(r.optlen == r.hdr_len - IPV4W_HLEN);
	uint8_t out[60];
	int n = ipv4_emit(&r, out, sizeof(out));
	FUZZ_CHECK(n == r.hdr_len);
	FUZZ_CHECK(csum_buf(out, (size_t) n) == 0);
	/* all but the checksum (and the evil bit, not in the repr) as given */
	FUZZ_CHECK(out[0] == p[0] && memcmp(out + 1, p + 1, 5) == 0 && (out[6] & 0x7f) == (p[6] & 0x7f));
	FUZZ_CHECK(memcmp(out + 7, p + 7, 3) == 0 && memcmp(out + 12, p + 12, (size_t) n - 12) == 0);
	/* the emitted header is a whole datagram only with its payload:
	 * check it followed by the input's */
	uint8_t *dgram = malloc(r.total_len);
	FUZZ_CHECK(dgram != NULL);
	memcpy(dgram, out, (size_t) n);
	memcpy(dgram + n, p + n, r.total_len - (size_t) n);
	FUZZ_CHECK(ipv4_parse(dgram, r.total_len, 0, &back) == 0);
	FUZZ_CHECK(back.src == r.src && back.dst == r.dst && back.proto == r.proto && back.ttl == r.ttl);
	FUZZ_CHECK(back.id == r.id && back.frag_off == r.frag_off && back.df == r.df && back.mf == r.mf);
	FUZZ_CHECK(back.tos == r.tos && back.total_len == r.total_len && back.hdr_len == r.hdr_len);
	free(dgram);
}

static void options(const uint8_t *p, size_t len) {
	struct ipv4_repr r;
	if (ipv4_parse(p, len, IPV4W_NOCSUM, &r) != 0)
		return;
	struct ipv4_opts o;
	int rc = ipv4_opts_parse(p, r.hdr_len, &o);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	if (rc < 0) {
		/* the pointer of a parameter problem names a byte of the header */
		FUZZ_CHECK(o.bad < r.hdr_len);
		return;
	}
	/* each option found starts inside the options area */
	FUZZ_CHECK(o.rr == 0 || (o.rr >= IPV4W_HLEN && o.rr < r.hdr_len));
	FUZZ_CHECK(o.ts == 0 || (o.ts >= IPV4W_HLEN && o.ts < r.hdr_len));
	FUZZ_CHECK(o.srr == 0 || (o.srr >= IPV4W_HLEN && o.srr < r.hdr_len));
	uint8_t out[64];
	memset(out, 0xa5, sizeof(out));
	int n = ipv4_opts_echo(p, &o, 0x010212c6u, out);
	FUZZ_CHECK(n == -EINVAL || (n >= 0 && n <= 40 && n % 4 == 0));
	for (size_t i = 40; i < sizeof(out); i++)
		FUZZ_CHECK(out[i] == 0xa5);   /* nothing written past 40 bytes */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	struct ipv4_repr r;
	int rc = ipv4_parse(data, size, 0, &r);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EBADMSG);
	roundtrip(data, size);
	options(data, size);
	if (size >= IPV4W_HLEN && size <= 65535) {
		uint8_t *p = malloc(size);
		FUZZ_CHECK(p != NULL);
		memcpy(p, data, size);
		size_t hl = (size_t) (p[0] & 0x0f) * 4;
		if (hl >= IPV4W_HLEN && hl <= size) {
			p[10] = p[11] = 0;
			uint16_t c = csum_buf(p, hl);
			p[10] = (uint8_t) (c >> 8);
			p[11] = (uint8_t) c;
			int rc2 = ipv4_parse(p, size, 0, &r);
			FUZZ_CHECK(rc2 != -EBADMSG);
			FUZZ_CHECK(rc2 == ipv4_check(p, size, IPV4W_NOCSUM));
		}
		free(p);
	}
	return 0;
}
