/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Hash-based MAC addresses and IPv6 interface identifiers.
 *
 * The original iothconf (and libioth's iothaddr) derives both from the MD5
 * digest of the fully qualified domain name without its trailing dot, so
 * that a hash-based DNS server (iothnamed) computes the same address for a
 * name as the node that bears it. docs/iothconf.md has the vectors.
 */
#include <string.h>
#include <nettle/md5.h>
#include "iothconf_int.h"
#include "../util/eui64.h"

/* MD5 (RFC 1321) is GNU Nettle's. */
void ic_md5(const void *data, size_t len, uint8_t out[16]) {
	struct md5_ctx c;
	md5_init(&c);
	md5_update(&c, len, data);
	md5_digest(&c, MD5_DIGEST_SIZE, out);
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

void ic_otipiid(uint8_t addr[16], const char *fqdn, const char *passwd, uint32_t step) {
	size_t nlen = strlen(fqdn), plen = strlen(passwd);
	if (nlen > 0 && fqdn[nlen - 1] == '.')
		nlen--;
	/* both bounded by the parser: IC_NAMELEN, IC_OTIPLEN */
	uint8_t buf[IC_NAMELEN + IC_OTIPLEN + 4], h[16];
	memcpy(buf, fqdn, nlen);
	memcpy(buf + nlen, passwd, plen);
	for (int i = 0; i < 4; i++)
		buf[nlen + plen + i] = (uint8_t) (step >> (24 - 8 * i));
	ic_md5(buf, nlen + plen + 4, h);
	for (int i = 0; i < 8; i++)
		addr[8 + i] ^= h[i];
	addr[8] &= ~0x03;
}

void ic_eui64(uint8_t addr[16], const uint8_t mac[6]) {
	eui64_iid(addr + 8, mac);
}
