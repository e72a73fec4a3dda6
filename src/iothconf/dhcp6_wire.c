/* SPDX-License-Identifier: LGPL-2.1-or-later
 * DHCPv6 messages (RFC 8415; DNS options RFC 3646; client FQDN RFC 4704).
 * Pure functions: every option is checked against the message length. */
#include <errno.h>
#include <string.h>
#include "iothconf_int.h"

#define OPT_CLIENTID 1
#define OPT_SERVERID 2
#define OPT_IA_NA 3
#define OPT_IAADDR 5
#define OPT_ORO 6
#define OPT_PREFERENCE 7
#define OPT_ELAPSED 8
#define OPT_STATUS 13
#define OPT_DNS 23
#define OPT_DOMAINS 24
#define OPT_FQDN 39

static uint16_t get16(const uint8_t *p) { return p[0] << 8 | p[1]; }
static uint32_t get32(const uint8_t *p) {
	return (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* The option at *i of p[0..len) (RFC 8415 21.1: code, length, value):
 * 1 with *i past it, 0 at the end, -EBADMSG when it overruns p. */
static int next_opt(const uint8_t *p, size_t len, size_t *i, uint16_t *t, uint16_t *l, const uint8_t **v) {
	if (*i >= len)
		return 0;
	if (*i + 4 > len)
		return -EBADMSG;
	*t = get16(p + *i);
	*l = get16(p + *i + 2);
	*v = p + *i + 4;
	if (*i + 4 + *l > len)
		return -EBADMSG;
	*i += 4 + *l;
	return 1;
}

static int status_code(const uint8_t *v, size_t l) {
	if (l < 2)
		return -EBADMSG;
	return get16(v);
}

/* RFC 8415 21.4: IA_NA options are IAADDR and STATUS_CODE */
static int parse_iana(const uint8_t *v, size_t l, struct dhcp6_msg *m) {
	if (l < 12)
		return -EBADMSG;
	m->has_iana = 1;
	m->iaid = get32(v);
	m->t1 = get32(v + 4);
	m->t2 = get32(v + 8);
	size_t i = 12;
	uint16_t t, ol;
	const uint8_t *ov;
	int more;
	while ((more = next_opt(v, l, &i, &t, &ol, &ov)) > 0) {
		if (t == OPT_IAADDR) {
			/* RFC 8415 21.6: address, preferred, valid, then options
			 * (a status code here rejects this address only) */
			if (ol < 24)
				return -EBADMSG;
			uint32_t pref = get32(ov + 16), valid = get32(ov + 20);
			if (pref > valid)
				continue;   /* RFC 8415 21.6: MUST discard */
			int st = 0;
			for (size_t k = 24; k + 4 <= ol;) {
				uint16_t st_t = get16(ov + k), st_l = get16(ov + k + 2);
				if (k + 4 + st_l > ol)
					return -EBADMSG;
				if (st_t == OPT_STATUS && (st = status_code(ov + k + 4, st_l)) < 0)
					return st;
				k += 4 + st_l;
			}
			if (st == 0 && m->naddrs < DHCP6_MAXADDRS) {
				memcpy(m->addrs[m->naddrs].addr, ov, 16);
				m->addrs[m->naddrs].preferred = pref;
				m->addrs[m->naddrs].valid = valid;
				m->naddrs++;
			}
		} else if (t == OPT_STATUS) {
			int st = status_code(ov, ol);
			if (st < 0)
				return st;
			m->iana_status = st;
		}
	}
	return more;
}

int ic_dhcp6_parse(const uint8_t *p, size_t len, struct dhcp6_msg *m) {
	memset(m, 0, sizeof(*m));
	if (len < 4)
		return -EBADMSG;
	m->type = p[0];
	memcpy(m->tid, p + 1, 3);
	size_t i = 4;
	uint16_t t, l;
	const uint8_t *v;
	int more;
	while ((more = next_opt(p, len, &i, &t, &l, &v)) > 0) {
		int rv = 0;
		switch (t) {
		case OPT_CLIENTID:
			if (l == 0 || l > DHCP6_MAXDUID) return -EBADMSG;
			memcpy(m->clientid, v, l);
			m->clientid_len = l;
			break;
		case OPT_SERVERID:
			if (l == 0 || l > DHCP6_MAXDUID) return -EBADMSG;
			memcpy(m->serverid, v, l);
			m->serverid_len = l;
			break;
		case OPT_IA_NA:
			if (m->has_iana)
				break;   /* we ask for one IA: ignore others */
			rv = parse_iana(v, l, m);
			break;
		case OPT_STATUS:
			rv = status_code(v, l);
			if (rv > 0)
				m->status = rv;
			break;
		case OPT_PREFERENCE:
			if (l == 1) m->preference = v[0];
			break;
		case OPT_DNS:
			if (l % 16) return -EBADMSG;
			for (size_t k = 0; k < l && m->ndns < DHCP6_MAXDNS; k += 16)
				memcpy(m->dns[m->ndns++], v + k, 16);
			break;
		case OPT_DOMAINS:
			rv = ic_dnames_decode(v, l, m->domains, sizeof(m->domains));
			break;
		}
		if (rv < 0)
			return rv;
	}
	return more;
}

static void put16(struct ic_obuf *o, uint16_t v) {
	uint8_t b[2] = {v >> 8, v};
	ic_put(o, b, 2);
}
static void put32(struct ic_obuf *o, uint32_t v) {
	uint8_t b[4] = {v >> 24, v >> 16, v >> 8, v};
	ic_put(o, b, 4);
}
static void opthdr(struct ic_obuf *o, uint16_t t, uint16_t l) {
	put16(o, t);
	put16(o, l);
}

int ic_dhcp6_emit(const struct dhcp6_msg *m, uint8_t *buf, size_t len) {
	struct ic_obuf o = {buf, len, 0, 0};
	ic_put(&o, &m->type, 1);
	ic_put(&o, m->tid, 3);
	opthdr(&o, OPT_CLIENTID, m->clientid_len);
	ic_put(&o, m->clientid, m->clientid_len);
	if (m->serverid_len) {
		opthdr(&o, OPT_SERVERID, m->serverid_len);
		ic_put(&o, m->serverid, m->serverid_len);
	}
	if (m->type != DHCP6_RELEASE) {
		opthdr(&o, OPT_ORO, 4);
		put16(&o, OPT_DNS);
		put16(&o, OPT_DOMAINS);
	}
	opthdr(&o, OPT_ELAPSED, 2);
	put16(&o, m->elapsed);
	if (m->fqdn && *m->fqdn && m->type != DHCP6_RELEASE) {
		uint8_t name[256];
		int n = ic_dname_encode(m->fqdn, name, sizeof(name));
		if (n > 0) {
			/* RFC 4704 4.1: S flag, the server updates AAAA */
			opthdr(&o, OPT_FQDN, 1 + n);
			uint8_t flags = 0x01;
			ic_put(&o, &flags, 1);
			ic_put(&o, name, n);
		}
	}
	opthdr(&o, OPT_IA_NA, 12 + m->naddrs * 28);
	put32(&o, m->iaid);
	put32(&o, 0);   /* RFC 8415 18.2: T1/T2 0 in client messages */
	put32(&o, 0);
	for (int i = 0; i < m->naddrs; i++) {
		opthdr(&o, OPT_IAADDR, 24);
		ic_put(&o, m->addrs[i].addr, 16);
		put32(&o, 0);   /* RFC 8415 21.6: lifetimes ignored by the server */
		put32(&o, 0);
	}
	if (o.err)
		return -ENOSPC;
	return o.off;
}
