/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Router Solicitation and Router Advertisement (RFC 4861 4.1, 4.2, 4.6)
 * with RDNSS and DNSSL (RFC 8106). Pure functions. */
#include <errno.h>
#include <string.h>
#include "iothconf_int.h"

#define ND_RS 133
#define ND_RA 134
#define OPT_SLLA 1
#define OPT_PREFIX 3
#define OPT_MTU 5
#define OPT_RDNSS 25
#define OPT_DNSSL 31

static uint32_t get32(const uint8_t *p) {
	return (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

int ic_ra_parse(const uint8_t *p, size_t len, struct ra_msg *m) {
	memset(m, 0, sizeof(*m));
	/* RFC 4861 6.1.2 */
	if (len < 16 || p[0] != ND_RA || p[1] != 0)
		return -EBADMSG;
	m->curhoplimit = p[4];
	m->flags = p[5];
	m->router_lifetime = p[6] << 8 | p[7];
	m->reachable = get32(p + 8);
	m->retrans = get32(p + 12);
	for (size_t i = 16; i < len;) {
		if (i + 2 > len)
			return -EBADMSG;
		size_t l = p[i + 1] * 8;
		if (l == 0 || i + l > len)
			return -EBADMSG;   /* 6.1.2: options of length 0 invalidate */
		const uint8_t *o = p + i;
		i += l;
		switch (o[0]) {
		case OPT_SLLA:
			if (l >= 8) {
				memcpy(m->sllao, o + 2, 6);
				m->has_sllao = 1;
			}
			break;
		case OPT_MTU:
			if (l != 8) return -EBADMSG;
			m->mtu = get32(o + 4);
			break;
		case OPT_PREFIX: {
			if (l != 32) return -EBADMSG;   /* 4.6.2: length 4 */
			if (o[2] > 128 || m->nprefix >= RA_MAXPREFIX)
				break;
			struct ra_prefix *pf = &m->prefix[m->nprefix++];
			pf->len = o[2];
			pf->flags = o[3];
			pf->valid = get32(o + 4);
			pf->preferred = get32(o + 8);
			memcpy(pf->prefix, o + 16, 16);
			break;
		}
		case OPT_RDNSS: {
			/* RFC 8106 5.1: length 3 + 2 per address */
			if (l < 24 || (l - 8) % 16)
				return -EBADMSG;
			uint32_t lt = get32(o + 4);
			for (size_t k = 8; k < l && m->nrdnss < RA_MAXDNS; k += 16) {
				m->rdnss_lifetime[m->nrdnss] = lt;
				memcpy(m->rdnss[m->nrdnss++], o + k, 16);
			}
			break;
		}
		case OPT_DNSSL: {
			if (l < 16)
				return -EBADMSG;
			int n = ic_dnames_decode(o + 8, l - 8, m->dnssl, sizeof(m->dnssl));
			if (n < 0)
				return n;
			m->dnssl_lifetime = get32(o + 4);
			break;
		}
		}
	}
	return 0;
}

int ic_rs_emit(const uint8_t *mac, uint8_t *buf, size_t len) {
	size_t n = mac ? 16 : 8;
	if (len < n)
		return -ENOSPC;
	memset(buf, 0, n);
	buf[0] = ND_RS;   /* checksum: the kernel fills it on ICMPv6 raw sockets */
	if (mac) {
		buf[8] = OPT_SLLA;
		buf[9] = 1;
		memcpy(buf + 10, mac, 6);
	}
	return n;
}
