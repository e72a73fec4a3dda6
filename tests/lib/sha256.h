/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SHA-256 for the tests that compare what was sent with what arrived:
 * GNU Nettle's (link ${NETTLE_LIB}), behind the small incremental API the
 * tests use, and the digest as hex. */
#ifndef IOTH_TEST_SHA256_H
#define IOTH_TEST_SHA256_H
#include <stddef.h>
#include <stdint.h>
#include <nettle/sha2.h>

struct test_sha256 {
	struct sha256_ctx ctx;
};

static inline void test_sha256_init(struct test_sha256 *c) {
	sha256_init(&c->ctx);
}

static inline void test_sha256_update(struct test_sha256 *c, const void *data, size_t len) {
	sha256_update(&c->ctx, len, data);
}

static inline void test_sha256_final(struct test_sha256 *c, uint8_t out[32]) {
	sha256_digest(&c->ctx, SHA256_DIGEST_SIZE, out);
}

static inline void test_sha256_hex(const uint8_t d[32], char out[65]) {
	for (int i = 0; i < 32; i++) {
		static const char x[] = "0123456789abcdef";
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[64] = 0;
}
#endif
