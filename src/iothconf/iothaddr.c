/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothaddr: the hash-based address helpers of include/iothaddr.h, on the
 * MD5 of hashaddr.c (the same digests libiothconf uses for fqdn=). */
#include <stdlib.h>
#include <string.h>
#include <iothaddr.h>
#include "iothconf_int.h"

#define EXPORT __attribute__((visibility("default")))

/* MD5 of name (without a trailing dot), then passwd, then otiptime. */
static void addr_md5(const char *name, const char *passwd, uint32_t otiptime, uint8_t out[16]) {
	size_t nlen = name ? strlen(name) : 0;
	if (nlen > 0 && name[nlen - 1] == '.')
		nlen--;
	size_t plen = passwd ? strlen(passwd) : 0;
	size_t tlen = otiptime ? 4 : 0;
	size_t len = nlen + plen + tlen;
	uint8_t stackbuf[512];
	uint8_t *buf = len <= sizeof(stackbuf) ? stackbuf : malloc(len);
	if (buf == NULL) {
		memset(out, 0, 16);
		return;
	}
	if (nlen)
		memcpy(buf, name, nlen);
	if (plen)
		memcpy(buf + nlen, passwd, plen);
	for (size_t i = 0; i < tlen; i++)
		buf[nlen + plen + i] = (uint8_t) (otiptime >> (24 - 8 * i));
	ic_md5(buf, len, out);
	if (buf != stackbuf)
		free(buf);
}

EXPORT void iothaddr_hash(void *addr, const char *name, const char *passwd, uint32_t otiptime) {
	uint8_t *a = addr, h[16];
	addr_md5(name, passwd, otiptime, h);
	for (int i = 0; i < 8; i++)
		a[8 + i] ^= h[i];
	a[8] &= (uint8_t) ~0x03;
}

EXPORT void iothaddr_hashmac(void *mac, const char *name, const char *passwd) {
	uint8_t *m = mac, h[16];
	addr_md5(name, passwd, 0, h);
	m[0] = (uint8_t) ((h[0] | 0x02) & ~0x01);
	m[1] = h[1];
	m[2] = h[2];
	m[3] = h[5];
	m[4] = h[6];
	m[5] = h[7];
}

EXPORT void iothaddr_eui64(void *addr, void *mac) {
	uint8_t *a = addr;
	const uint8_t *m = mac;
	a[8] = m[0] ^ 0x02; /* RFC 4291 2.5.1: the universal/local bit inverted */
	a[9] = m[1];
	a[10] = m[2];
	a[11] = 0xff;
	a[12] = 0xfe;
	a[13] ^= m[3];
	a[14] ^= m[4];
	a[15] ^= m[5];
}

EXPORT void iothaddr_hasheui64(void *addr, const char *name, const char *passwd) {
	uint8_t mac[6];
	iothaddr_hashmac(mac, name, passwd);
	iothaddr_eui64(addr, mac);
}
