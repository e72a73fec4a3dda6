/* SPDX-License-Identifier: LGPL-2.1-or-later
 * DHCPv4 messages (RFC 2131, options RFC 2132, FQDN RFC 4702) and the
 * IPv4/UDP framing a client needs on a packet socket before it has an
 * address. Pure functions: every read is bounds checked against len. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "iothconf_int.h"

#define OPT_PAD 0
#define OPT_MASK 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_HOSTNAME 12
#define OPT_DOMAIN 15
#define OPT_MTU 26
#define OPT_REQIP 50
#define OPT_LEASE 51
#define OPT_OVERLOAD 52
#define OPT_TYPE 53
#define OPT_SERVERID 54
#define OPT_PRL 55
#define OPT_MAXSIZE 57
#define OPT_T1 58
#define OPT_T2 59
#define OPT_CLIENTID 61
#define OPT_FQDN 81
#define OPT_END 255

#define BOOTP_FILE 108
#define BOOTP_SNAME 44
#define BOOTP_OPTIONS 240
static const uint8_t cookie[4] = {99, 130, 83, 99};

static uint32_t get32(const uint8_t *p) {
	return (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static int mask2prefix(uint32_t mask, uint8_t *prefix) {
	int n = 0;
	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	if (n < 32 && (mask << n) != 0)
		return 0;   /* not contiguous */
	*prefix = n;
	return 1;
}

static void addr_list(const uint8_t *v, size_t l, uint32_t *out, int *n) {
	for (size_t i = 0; i + 4 <= l && *n < DHCP4_MAXADDRS; i += 4) {
		memcpy(&out[*n], v + i, 4);
		(*n)++;
	}
}

/* One pass over an option area. RFC 2131 4.1: options may also overflow
 * into the file and sname fields (option 52). */
static int parse_options(const uint8_t *p, size_t len, struct dhcp4_msg *m, int *overload) {
	size_t i = 0;
	while (i < len) {
		uint8_t t = p[i++];
		if (t == OPT_PAD)
			continue;
		if (t == OPT_END)
			return 0;
		if (i >= len)
			return -EBADMSG;
		uint8_t l = p[i++];
		if (i + l > len)
			return -EBADMSG;
		const uint8_t *v = p + i;
		i += l;
		switch (t) {
		case OPT_TYPE:
			if (l != 1) return -EBADMSG;
			m->type = v[0];
			break;
		case OPT_SERVERID:
			if (l != 4) return -EBADMSG;
			memcpy(&m->server_id, v, 4);
			break;
		case OPT_REQIP:
			if (l == 4) memcpy(&m->reqip, v, 4);
			break;
		case OPT_MASK:
			if (l == 4) m->has_mask = mask2prefix(get32(v), &m->prefixlen);
			break;
		case OPT_LEASE:
			if (l == 4) m->lease = get32(v);
			break;
		case OPT_T1:
			if (l == 4) m->t1 = get32(v);
			break;
		case OPT_T2:
			if (l == 4) m->t2 = get32(v);
			break;
		case OPT_MTU:
			if (l == 2) m->mtu = v[0] << 8 | v[1];
			break;
		case OPT_ROUTER:
			addr_list(v, l, m->routers, &m->nrouters);
			break;
		case OPT_DNS:
			addr_list(v, l, m->dns, &m->ndns);
			break;
		case OPT_DOMAIN: {
			size_t k, n = 0;
			for (k = 0; k < l; k++) {
				if (v[k] == 0)
					break;
				/* resolv.conf is text: keep names, drop anything else */
				if (v[k] < 0x21 || v[k] > 0x7e)
					return -EBADMSG;
				m->domain[n++] = v[k];
			}
			m->domain[n] = 0;
			break;
		}
		case OPT_CLIENTID:
			if (l == 7 && v[0] == 1) {
				memcpy(m->clientid, v, 7);
				m->has_clientid = 1;
			} else
				m->has_clientid = -1;   /* present but not ours */
			break;
		case OPT_OVERLOAD:
			if (l == 1 && overload) *overload = v[0] & 3;
			break;
		}
	}
	return 0;   /* RFC 2131 says END is required; tolerated as Linux clients do */
}

int ic_dhcp4_parse(const uint8_t *p, size_t len, struct dhcp4_msg *m) {
	memset(m, 0, sizeof(*m));
	if (len < DHCP4_MINLEN)
		return -EBADMSG;
	if (memcmp(p + 236, cookie, 4) != 0)
		return -EBADMSG;
	m->op = p[0];
	if (p[1] != 1 || p[2] != 6)   /* Ethernet only */
		return -EBADMSG;
	m->xid = get32(p + 4);
	m->secs = p[8] << 8 | p[9];
	m->flags = p[10] << 8 | p[11];
	memcpy(&m->ciaddr, p + 12, 4);
	memcpy(&m->yiaddr, p + 16, 4);
	memcpy(&m->siaddr, p + 20, 4);
	memcpy(m->chaddr, p + 28, 6);
	int overload = 0;
	int rv = parse_options(p + BOOTP_OPTIONS, len - BOOTP_OPTIONS, m, &overload);
	if (rv == 0 && (overload & 1))
		rv = parse_options(p + BOOTP_FILE, 128, m, NULL);
	if (rv == 0 && (overload & 2))
		rv = parse_options(p + BOOTP_SNAME, 64, m, NULL);
	if (rv < 0)
		return rv;
	if (m->type < DHCP4_DISCOVER || m->type > 8)
		return -EBADMSG;
	return 0;
}


static void putopt(struct ic_obuf *o, uint8_t t, const void *d, uint8_t l) {
	ic_put(o, &t, 1);
	ic_put(o, &l, 1);
	ic_put(o, d, l);
}

int ic_dhcp4_emit(const struct dhcp4_msg *m, uint8_t *buf, size_t len) {
	struct ic_obuf o = {buf, len, 0, 0};
	if (len < 300)
		return -ENOSPC;
	memset(buf, 0, 300);   /* BOOTP minimum size (RFC 1542 2.1) */
	buf[0] = 1;            /* BOOTREQUEST */
	buf[1] = 1;
	buf[2] = 6;
	uint32_t xid = htonl(m->xid);
	memcpy(buf + 4, &xid, 4);
	buf[8] = m->secs >> 8;
	buf[9] = m->secs;
	buf[10] = m->flags >> 8;
	buf[11] = m->flags;
	memcpy(buf + 12, &m->ciaddr, 4);
	memcpy(buf + 28, m->chaddr, 6);
	memcpy(buf + 236, cookie, 4);
	o.off = BOOTP_OPTIONS;
	putopt(&o, OPT_TYPE, &m->type, 1);
	uint8_t cid[7] = {1};
	memcpy(cid + 1, m->chaddr, 6);
	putopt(&o, OPT_CLIENTID, cid, 7);
	uint8_t maxsize[2] = {576 >> 8, 576 & 0xff};
	if (m->type != DHCP4_RELEASE)
		putopt(&o, OPT_MAXSIZE, maxsize, 2);
	if (m->reqip)
		putopt(&o, OPT_REQIP, &m->reqip, 4);
	if (m->server_id)
		putopt(&o, OPT_SERVERID, &m->server_id, 4);
	if (m->type != DHCP4_RELEASE) {
		static const uint8_t prl[] = {OPT_MASK, OPT_ROUTER, OPT_DNS, OPT_DOMAIN, OPT_MTU,
			OPT_LEASE, OPT_T1, OPT_T2};
		putopt(&o, OPT_PRL, prl, sizeof(prl));
		if (m->hostname && *m->hostname)
			putopt(&o, OPT_HOSTNAME, m->hostname, strnlen(m->hostname, 63));
		if (m->fqdn && *m->fqdn) {
			/* RFC 4702 2.1: flags S (server updates A) and E (wire format) */
			uint8_t f[3 + 256] = {0x05, 0, 0};
			int n = ic_dname_encode(m->fqdn, f + 3, sizeof(f) - 3);
			if (n > 0 && n + 3 <= 255)
				putopt(&o, OPT_FQDN, f, n + 3);
		}
	}
	uint8_t end = OPT_END;
	ic_put(&o, &end, 1);
	if (o.err)
		return -ENOSPC;
	return o.off < 300 ? 300 : o.off;
}

int ic_ipudp_emit(uint8_t *buf, size_t len, uint32_t src, uint32_t dst,
		uint16_t sport, uint16_t dport, const uint8_t *payload, size_t plen) {
	size_t tot = 28 + plen;
	if (tot > len || tot > 65535)
		return -ENOSPC;
	memset(buf, 0, 28);
	buf[0] = 0x45;
	buf[2] = tot >> 8;
	buf[3] = tot;
	buf[8] = 64;                 /* TTL */
	buf[9] = 17;                 /* UDP */
	memcpy(buf + 12, &src, 4);
	memcpy(buf + 16, &dst, 4);
	uint16_t c = ic_inet_csum(buf, 20, 0);
	buf[10] = c >> 8;
	buf[11] = c;
	buf[20] = sport >> 8;
	buf[21] = sport;
	buf[22] = dport >> 8;
	buf[23] = dport;
	buf[24] = (8 + plen) >> 8;
	buf[25] = 8 + plen;
	memmove(buf + 28, payload, plen);
	/* UDP checksum over the pseudo header (RFC 768) */
	uint32_t sum = 0;
	const uint8_t *s = buf + 12;
	for (int i = 0; i < 8; i += 2)
		sum += s[i] << 8 | s[i + 1];
	sum += 17 + 8 + plen;
	c = ic_inet_csum(buf + 20, 8 + plen, sum);
	if (c == 0)
		c = 0xffff;
	buf[26] = c >> 8;
	buf[27] = c;
	return tot;
}

int ic_ipudp_parse(const uint8_t *p, size_t len, uint16_t dport,
		uint32_t *src, size_t *poff, size_t *plen) {
	if (len < 20 || (p[0] >> 4) != 4)
		return -EBADMSG;
	size_t ihl = (p[0] & 0x0f) * 4;
	size_t tot = p[2] << 8 | p[3];
	if (ihl < 20 || tot < ihl + 8 || tot > len)
		return -EBADMSG;
	if (ic_inet_csum(p, ihl, 0) != 0)
		return -EBADMSG;
	if ((p[6] & 0x3f) || p[7])   /* MF or a fragment offset: not reassembled here */
		return -EBADMSG;
	if (p[9] != 17)
		return -EBADMSG;
	const uint8_t *u = p + ihl;
	size_t ulen = u[4] << 8 | u[5];
	if (ulen < 8 || ihl + ulen > tot)
		return -EBADMSG;
	if ((u[2] << 8 | u[3]) != dport)
		return -EBADMSG;
	if (u[6] || u[7]) {
		uint32_t sum = 0;
		for (int i = 12; i < 20; i += 2)
			sum += p[i] << 8 | p[i + 1];
		sum += 17 + ulen;
		if (ic_inet_csum(u, ulen, sum) != 0)
			return -EBADMSG;
	}
	memcpy(src, p + 12, 4);
	*poff = ihl + 8;
	*plen = ulen - 8;
	return 0;
}
