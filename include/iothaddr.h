/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * iothaddr.h: hash-based addresses for Internet of Threads nodes
 * (libiothaddr, link with -liothaddr).
 *
 * Source and binary compatible with the iothaddr library that the original
 * libioth installs: the same functions, the same results. A node that knows
 * only its fully qualified domain name derives its MAC address and IPv6
 * interface identifier from it, and a hash-based DNS server computes the
 * same address from the name. Every hash is MD5 (RFC 1321) of the name
 * without a trailing dot, followed by the other inputs listed.
 */
#ifndef IOTHADDR_H
#define IOTHADDR_H
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* XOR the low 64 bits of the IPv6 address at addr (the prefix is left
 * alone) with the first 8 bytes of MD5(name, passwd if not NULL, otiptime
 * as 4 bytes big endian if not 0), then clear the two low bits of byte 8
 * (RFC 4291 universal/local and group bits: a local unicast identifier).
 * name "test.v2.cs.unibo.it" on 2000:760::/64 gives
 * 2000:760::68d6:2fac:95a:5a2e. */
void iothaddr_hash(void *addr, const char *name, const char *passwd, uint32_t otiptime);

/* One-time IP addresses: the current period number,
 * (now + otip_offset) / otip_period seconds, for iothaddr_hash's otiptime.
 * 0 (no period) if otip_period is 0. */
static inline uint32_t iothaddr_otiptime(int otip_period, int otip_offset) {
	if (otip_period == 0)
		return 0;
	return (uint32_t) ((time(NULL) + otip_offset) / otip_period);
}

/* A MAC address from H = MD5(name, passwd if not NULL): H[0] H[1] H[2] H[5]
 * H[6] H[7], with H[0] made locally administered and unicast.
 * "test.v2.cs.unibo.it" gives 6a:d6:2f:5a:5a:2e. */
void iothaddr_hashmac(void *mac, const char *name, const char *passwd);

/* The modified EUI-64 interface identifier of the 6-byte MAC at mac
 * (RFC 4291 appendix A) into the low 64 bits of the IPv6 address at addr.
 * As the original: bytes 8-12 of addr are replaced, the last three MAC
 * bytes are XORed into bytes 13-15 (the same thing when they are zero, as
 * in a bare prefix). */
void iothaddr_eui64(void *addr, void *mac);

/* iothaddr_eui64 of iothaddr_hashmac(name, passwd):
 * "test.v2.cs.unibo.it" on 2000:760::/64 gives 2000:760::68d6:2fff:fe5a:5a2e. */
void iothaddr_hasheui64(void *addr, const char *name, const char *passwd);

#ifdef __cplusplus
}
#endif
#endif /* IOTHADDR_H */
