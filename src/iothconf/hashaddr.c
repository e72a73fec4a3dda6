/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Hash-based MAC addresses and IPv6 interface identifiers.
 *
 * The original iothconf (and libioth's iothaddr) derives both from the MD5
 * digest of the fully qualified domain name without its trailing dot, so
 * that a hash-based DNS server (iothnamed) computes the same address for a
 * name as the node that bears it. docs/iothconf.md has the vectors.
 */
#include <string.h>
#include "iothconf_int.h"
#include "../util/eui64.h"

/* MD5 as specified by RFC 1321 section 3. */
struct md5 {
	uint32_t h[4];
	uint64_t len;
	uint8_t buf[64];
	size_t nbuf;
};

static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
	0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
	0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
	0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
	0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const uint8_t md5_r[16] = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};

static uint32_t rol(uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }

static void md5_block(struct md5 *s, const uint8_t *p) {
	uint32_t w[16], a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	for (int i = 0; i < 16; i++)
		w[i] = p[4 * i] | p[4 * i + 1] << 8 | p[4 * i + 2] << 16 | (uint32_t) p[4 * i + 3] << 24;
	for (int i = 0; i < 64; i++) {
		uint32_t f;
		int g, round = i / 16;
		switch (round) {
		case 0: f = (b & c) | (~b & d); g = i; break;
		case 1: f = (d & b) | (~d & c); g = (5 * i + 1) % 16; break;
		case 2: f = b ^ c ^ d; g = (3 * i + 5) % 16; break;
		default: f = c ^ (b | ~d); g = (7 * i) % 16; break;
		}
		uint32_t t = d;
		d = c;
		c = b;
		b = b + rol(a + f + md5_k[i] + w[g], md5_r[round * 4 + i % 4]);
		a = t;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
}

static void md5_update(struct md5 *s, const uint8_t *p, size_t len) {
	s->len += len;
	while (len > 0) {
		size_t n = 64 - s->nbuf;
		if (n > len)
			n = len;
		memcpy(s->buf + s->nbuf, p, n);
		s->nbuf += n;
		p += n;
		len -= n;
		if (s->nbuf == 64) {
			md5_block(s, s->buf);
			s->nbuf = 0;
		}
	}
}

void ic_md5(const void *data, size_t len, uint8_t out[16]) {
	struct md5 s = {.h = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}};
	md5_update(&s, data, len);
	uint64_t bits = s.len * 8;
	/* RFC 1321 3.1-3.2: a 1 bit, zeros to 56 mod 64, the length in bits LE */
	uint8_t pad[72] = {0x80};
	size_t npad = (s.nbuf < 56) ? 56 - s.nbuf : 120 - s.nbuf;
	for (int i = 0; i < 8; i++)
		pad[npad + i] = bits >> (8 * i);
	md5_update(&s, pad, npad + 8);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = s.h[i] >> (8 * j);
}

static void name_md5(const char *fqdn, uint8_t out[16]) {
	size_t len = strlen(fqdn);
	/* "host.example." and "host.example" are the same name */
	if (len > 0 && fqdn[len - 1] == '.')
		len--;
	ic_md5(fqdn, len, out);
}

void ic_hashmac(uint8_t mac[6], const char *fqdn) {
	uint8_t h[16];
	name_md5(fqdn, h);
	mac[0] = h[0]; mac[1] = h[1]; mac[2] = h[2];
	mac[3] = h[5]; mac[4] = h[6]; mac[5] = h[7];
	mac[0] = (mac[0] | 0x02) & ~0x01;   /* locally administered, unicast */
}

void ic_hashiid(uint8_t addr[16], const char *fqdn) {
	uint8_t h[16];
	name_md5(fqdn, h);
	for (int i = 0; i < 8; i++)
		addr[8 + i] ^= h[i];
	addr[8] &= ~0x03;
}

void ic_eui64(uint8_t addr[16], const uint8_t mac[6]) {
	eui64_iid(addr + 8, mac);
}
