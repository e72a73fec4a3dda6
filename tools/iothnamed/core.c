/* SPDX-License-Identifier: GPL-2.0-or-later
 * iothnamed: the answer to one query. The auth lines are tried in file
 * order; the first whose nets contain the client and whose name matches
 * the query decides (cache and hrev pass on what they cannot answer, fwd
 * passes the query to a forwarder); no line: REFUSED. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <iothaddr.h>
#include "named_int.h"

struct nd_stats nd_stats;

#define TTL_STATIC INT32_MAX     /* as the original: static records never expire */
#define STORE_BUCKETS 256
#define STORE_MAX 10000          /* entries per store */

/* the cache of forwarded answers and the names of hash addresses given
 * out (for hrev): records with an expiry */
struct kentry {
	struct kentry *next;
	char name[IOTHDNS_MAXNAME];
	uint16_t type, len;
	time_t expire;
	uint8_t data[];
};
struct store {
	struct kentry *b[STORE_BUCKETS];
	int count;
};
static struct store cache, hrev;

static unsigned bucket(const char *s) {
	unsigned h = 5381;
	while (*s)
		h = h * 33 + (unsigned char) *s++;
	return h % STORE_BUCKETS;
}

static void store_add(struct store *st, const char *name, uint16_t type, const void *data,
		uint16_t len, time_t expire) {
	unsigned b = bucket(name);
	for (struct kentry *e = st->b[b]; e; e = e->next)
		if (e->type == type && e->len == len && strcmp(e->name, name) == 0 &&
				memcmp(e->data, data, len) == 0) {
			e->expire = expire;  /* a new TTL, longer or shorter */
			return;
		}
	if (st->count >= STORE_MAX)
		return;
	struct kentry *e = malloc(sizeof(*e) + len);
	if (e == NULL)
		return;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->type = type;
	e->len = len;
	e->expire = expire;
	memcpy(e->data, data, len);
	e->next = st->b[b];
	st->b[b] = e;
	st->count++;
}

static void store_clean(struct store *st, time_t now) {
	for (int i = 0; i < STORE_BUCKETS; i++)
		for (struct kentry **pp = &st->b[i], *e; (e = *pp) != NULL;)
			if (e->expire <= now) {
				*pp = e->next;
				free(e);
				st->count--;
			} else
				pp = &e->next;
}

void nd_cache_clean(time_t now) {
	store_clean(&cache, now);
	store_clean(&hrev, now);
}

/* ---- composing replies ---- */

struct query {
	struct iothdns_header h;
	char qname[IOTHDNS_MAXNAME];
	char lname[IOTHDNS_MAXNAME];   /* lower case */
	int has_opt;
	size_t limit;
};

#define F_RESP(q) (IOTHDNS_RESPONSE | ((q)->h.flags & IOTHDNS_RD))
#define F_OKR(q) (F_RESP(q) | IOTHDNS_RA)

static struct iothdns_pkt *start(struct query *q, uint16_t flags) {
	struct iothdns_header h = q->h;
	h.flags = flags;
	return iothdns_put_header(&h);
}

static void put_opt(struct iothdns_pkt *p, uint32_t ext) {
	struct iothdns_rr rr = {"", IOTHDNS_TYPE_OPT, ND_UDP_PAYLOAD, ext, 0};
	iothdns_put_rr(IOTHDNS_SEC_ADDITIONAL, p, &rr);
}

/* the reply as bytes: with our OPT if the client sent one, cut to the
 * question with TC if the client cannot take it */
static enum nd_action finish(struct query *q, struct iothdns_pkt *p, uint8_t **reply, size_t *rlen) {
	if (p == NULL) {
		nd_stats.dropped++;
		return ND_DROP;
	}
	if (q->has_opt)
		put_opt(p, 0);
	size_t len = iothdns_buflen(p);
	if (len > q->limit) {
		uint16_t flags;
		iothdns_retrieve_header(p, NULL, &flags);
		iothdns_free(p);
		p = start(q, flags | IOTHDNS_TRUNC);
		if (p == NULL)
			return nd_stats.dropped++, ND_DROP;
		if (q->has_opt)
			put_opt(p, 0);
		len = iothdns_buflen(p);
		nd_stats.truncated++;
	}
	*reply = malloc(len);
	if (*reply == NULL) {
		iothdns_free(p);
		return nd_stats.dropped++, ND_DROP;
	}
	memcpy(*reply, iothdns_buf(p), len);
	*rlen = len;
	iothdns_free(p);
	nd_stats.answered++;
	return ND_REPLY;
}

/* a reply with no question: FORMERR, NOTIMP for requests we cannot read */
static enum nd_action header_only(const uint8_t *req, int rcode, uint8_t **reply, size_t *rlen) {
	if ((*reply = calloc(1, 12)) == NULL)
		return ND_DROP;
	(*reply)[0] = req[0];
	(*reply)[1] = req[1];
	(*reply)[2] = 0x80 | (req[2] & 0x79);   /* QR, the opcode, RD */
	(*reply)[3] = rcode;
	*rlen = 12;
	nd_stats.answered++;
	return ND_REPLY;
}

static void put_data(struct iothdns_pkt *p, uint16_t type, const uint8_t *d, uint16_t len) {
	switch (type) {
		case IOTHDNS_TYPE_NS:
		case IOTHDNS_TYPE_CNAME:
		case IOTHDNS_TYPE_PTR:
			iothdns_put_name(p, (const char *) d);
			break;
		case IOTHDNS_TYPE_MX:
			iothdns_put_int16(p, (d[0] << 8) | d[1]);
			iothdns_put_name(p, (const char *) d + 2);
			break;
		default:
			iothdns_put_data(p, (void *) d, len);
	}
}

static void put_record(struct iothdns_pkt *p, const char *owner, uint16_t type, uint32_t ttl,
		const uint8_t *d, uint16_t len) {
	struct iothdns_rr rr = {owner, type, IOTHDNS_CLASS_IN, ttl, 0};
	iothdns_put_rr(IOTHDNS_SEC_ANSWER, p, &rr);
	put_data(p, type, d, len);
}

/* ---- the sources of answers ---- */

static int static_has(const char *lname) {
	for (struct nd_record *r = nd_static; r; r = r->next)
		if (strcmp(r->name, lname) == 0)
			return 1;
	return 0;
}

static struct iothdns_pkt *answer_static(struct query *q) {
	if (!static_has(q->lname))
		return start(q, F_RESP(q) | IOTHDNS_AA | IOTHDNS_RCODE_ENOENT);
	struct iothdns_pkt *p = start(q, F_OKR(q) | IOTHDNS_AA);
	if (p == NULL || (q->h.qclass != IOTHDNS_CLASS_IN && q->h.qclass != IOTHDNS_CLASS_ANY))
		return p;
	/* the name's records; through a CNAME (in the static records, a few
	 * levels) the target's records of the type asked */
	const char *name = q->lname;
	const char *owner = q->h.qname;
	for (int depth = 0; depth < 8; depth++) {
		const char *next = NULL;
		for (struct nd_record *r = nd_static; r; r = r->next) {
			if (strcmp(r->name, name) != 0)
				continue;
			if (r->type == q->h.qtype || q->h.qtype == IOTHDNS_TYPE_ANY)
				put_record(p, owner, r->type, TTL_STATIC, r->data, r->len);
			else if (r->type == IOTHDNS_TYPE_CNAME && next == NULL) {
				put_record(p, owner, r->type, TTL_STATIC, r->data, r->len);
				next = (const char *) r->data;
			}
		}
		if (next == NULL)
			break;
		static char canon[8][IOTHDNS_MAXNAME];
		nd_name_canon(canon[depth], next, IOTHDNS_MAXNAME);
		name = owner = canon[depth];
	}
	return p;
}

static struct iothdns_pkt *answer_hash(struct query *q, struct nd_auth *a,
		const struct in6_addr *from, time_t now) {
	struct iothdns_pkt *p = start(q, F_OKR(q) | IOTHDNS_AA);
	if (p == NULL || (q->h.qtype != IOTHDNS_TYPE_AAAA && q->h.qtype != IOTHDNS_TYPE_ANY))
		return p;
	struct in6_addr addr = a->base;
	int otip = a->type == ND_A_OTIP;
	/* the name as asked: the same bytes iothconf's fqdn= hashes */
	iothaddr_hash(&addr, q->h.qname, otip ? a->pwd : NULL,
			otip ? iothaddr_otiptime(ND_OTIP_PERIOD, 0) : 0);
	uint32_t ttl = otip ? ND_OTIP_TTL : (uint32_t) nd_conf.hashttl;
	put_record(p, q->h.qname, IOTHDNS_TYPE_AAAA, ttl, addr.s6_addr, 16);
	if (!otip && nd_auth_active(ND_A_HREV)) {
		int keep = 0;
		switch (nd_conf.hrevmode) {
			case ND_HREV_ALWAYS: keep = 1; break;
			case ND_HREV_NET: keep = memcmp(&addr, from, 8) == 0; break;
			case ND_HREV_SAME: keep = memcmp(&addr, from, 16) == 0; break;
			case ND_HREV_NEVER: keep = 0; break;
		}
		if (keep) {
			char rev[IOTHDNS_MAXNAME];
			nd_revname_addr(AF_INET6, &addr, 128, rev, sizeof(rev));
			store_add(&hrev, rev, IOTHDNS_TYPE_PTR, (const uint8_t *) q->h.qname,
					strlen(q->h.qname) + 1, now + nd_conf.hashttl);
		}
	}
	return p;
}

/* from a store: the records of the name and type asked, with the TTL left */
static struct iothdns_pkt *answer_store(struct query *q, struct store *st, time_t now, uint16_t flags) {
	struct iothdns_pkt *p = NULL;
	if (q->h.qclass != IOTHDNS_CLASS_IN)
		return NULL;
	for (struct kentry *e = st->b[bucket(q->lname)]; e; e = e->next) {
		if (e->type != q->h.qtype || e->expire <= now || strcmp(e->name, q->lname) != 0)
			continue;
		if (p == NULL && (p = start(q, flags)) == NULL)
			return NULL;
		put_record(p, q->h.qname, e->type, e->expire - now, e->data, e->len);
	}
	return p;
}

/* the domain of an auth line: "" all, ".dom" what is under dom, else exact */
static int namematch(const char *name, const char *dom) {
	size_t n = strlen(name), d = strlen(dom);
	if (d == 0)
		return 1;
	if (dom[0] == '.')
		return n > d && strcmp(name + n - d, dom) == 0;
	return strcmp(name, dom) == 0;
}

enum nd_action nd_process(const uint8_t *req, size_t len, const struct in6_addr *from,
		int tcp, time_t now, uint8_t **reply, size_t *rlen, size_t *maxlen) {
	struct query q;
	*reply = NULL;
	*rlen = 0;
	nd_stats.queries++;
	if (len < 12 || (req[2] & 0x80)) {
		/* too short to answer, or a response: never answer those */
		nd_stats.dropped++;
		return ND_DROP;
	}
	int opcode = (req[2] >> 3) & 0xf;
	if (opcode != 0) {
		nd_stats.notimp++;
		return header_only(req, IOTHDNS_RCODE_ENOSUP, reply, rlen);
	}
	struct iothdns_pkt *pkt = iothdns_get_header(&q.h, (void *) req, len, q.qname);
	if (pkt == NULL || ((req[4] << 8) | req[5]) != 1) {
		iothdns_free(pkt);
		nd_stats.formerr++;
		return header_only(req, IOTHDNS_RCODE_EFMT, reply, rlen);
	}
	/* EDNS0 (RFC 6891): one OPT, owned by the root */
	struct iothdns_rr rr;
	char rname[IOTHDNS_MAXNAME];
	int section, nopt = 0, badopt = 0, version = 0;
	size_t udpsize = 512;
	while ((section = iothdns_get_rr(pkt, &rr, rname)) != 0) {
		if (rr.type != IOTHDNS_TYPE_OPT)
			continue;
		nopt++;
		if (section != IOTHDNS_SEC_ADDITIONAL || rname[0] != '\0')
			badopt = 1;
		version = (rr.ttl >> 16) & 0xff;
		if (rr.class > udpsize)
			udpsize = rr.class;
	}
	iothdns_free(pkt);
	q.h.qname = q.qname;
	if (nopt > 1 || badopt) {
		nd_stats.formerr++;
		return header_only(req, IOTHDNS_RCODE_EFMT, reply, rlen);
	}
	q.has_opt = nopt;
	if (udpsize > ND_UDP_PAYLOAD)
		udpsize = ND_UDP_PAYLOAD;
	q.limit = tcp ? 65535 : udpsize;
	*maxlen = q.limit;
	nd_name_canon(q.lname, q.qname, sizeof(q.lname));
	if (version != 0) {
		/* BADVERS: extended rcode 16 = 1 << 4 in the OPT's upper 8 bits */
		struct iothdns_pkt *p = start(&q, F_RESP(&q));
		if (p == NULL)
			return nd_stats.dropped++, ND_DROP;
		put_opt(p, 1u << 24);
		q.has_opt = 0;
		return finish(&q, p, reply, rlen);
	}
	uint64_t nets = nd_netmask_of(from);
	for (struct nd_auth *a = nd_auth_head; a; a = a->next) {
		if (!(a->nets & nets) || !a->has_name || !namematch(q.lname, a->name))
			continue;
		struct iothdns_pkt *p = NULL;
		switch (a->type) {
			case ND_A_ERROR:
				nd_stats.refused++;
				return finish(&q, start(&q, F_RESP(&q) | IOTHDNS_RCODE_EPERM), reply, rlen);
			case ND_A_STATIC:
				return finish(&q, answer_static(&q), reply, rlen);
			case ND_A_HASH:
			case ND_A_OTIP:
				return finish(&q, answer_hash(&q, a, from, now), reply, rlen);
			case ND_A_CACHE:
				if ((p = answer_store(&q, &cache, now, F_OKR(&q))) != NULL) {
					nd_stats.cachehits++;
					return finish(&q, p, reply, rlen);
				}
				break;
			case ND_A_HREV:
				if (q.h.qtype != IOTHDNS_TYPE_PTR)
					break;
				if ((p = answer_store(&q, &hrev, now, F_OKR(&q) | IOTHDNS_AA)) == NULL)
					p = start(&q, F_RESP(&q) | IOTHDNS_AA | IOTHDNS_RCODE_ENOENT);
				return finish(&q, p, reply, rlen);
			case ND_A_FWD:
				if (nd_conf.nfwd > 0) {
					nd_stats.forwarded++;
					return ND_FORWARD;
				}
				break;
		}
	}
	nd_stats.refused++;
	return finish(&q, start(&q, F_RESP(&q) | IOTHDNS_RCODE_EPERM), reply, rlen);
}

void nd_cache_feed(const uint8_t *msg, size_t len, time_t now) {
	struct iothdns_header h;
	char qname[IOTHDNS_MAXNAME], rname[IOTHDNS_MAXNAME], lname[IOTHDNS_MAXNAME];
	if (!nd_auth_active(ND_A_CACHE))
		return;
	struct iothdns_pkt *p = iothdns_get_header(&h, (void *) msg, len, qname);
	if (p == NULL)
		return;
	if (IOTHDNS_GET_RCODE(h.flags) != IOTHDNS_RCODE_OK || (h.flags & IOTHDNS_TRUNC)) {
		iothdns_free(p);
		return;
	}
	struct iothdns_rr rr;
	int section;
	while ((section = iothdns_get_rr(p, &rr, rname)) != 0) {
		if (section != IOTHDNS_SEC_ANSWER || rr.class != IOTHDNS_CLASS_IN || rr.ttl == 0)
			continue;
		uint8_t d[2 + IOTHDNS_MAXNAME];
		uint8_t *big = NULL;
		const uint8_t *data = d;
		uint16_t dlen = 0;
		switch (rr.type) {
			case IOTHDNS_TYPE_A:
				if (rr.rdlength != 4) continue;
				iothdns_get_a(p, d);
				dlen = 4;
				break;
			case IOTHDNS_TYPE_AAAA:
				if (rr.rdlength != 16) continue;
				iothdns_get_aaaa(p, d);
				dlen = 16;
				break;
			case IOTHDNS_TYPE_NS:
			case IOTHDNS_TYPE_CNAME:
			case IOTHDNS_TYPE_PTR:
				iothdns_get_name(p, (char *) d);
				dlen = strlen((char *) d) + 1;
				break;
			case IOTHDNS_TYPE_MX: {
				uint16_t pref = iothdns_get_int16(p);
				d[0] = pref >> 8;
				d[1] = pref;
				iothdns_get_name(p, (char *) d + 2);
				dlen = 2 + strlen((char *) d + 2) + 1;
				break;
			}
			case IOTHDNS_TYPE_TXT:
				if ((big = malloc(rr.rdlength ? rr.rdlength : 1)) == NULL)
					continue;
				iothdns_get_data(p, big, rr.rdlength);
				data = big;
				dlen = rr.rdlength;
				break;
			default:
				continue;
		}
		nd_name_canon(lname, rname, sizeof(lname));
		/* RFC 2181 8: a TTL with the top bit set is zero; cap at a week */
		uint32_t ttl = rr.ttl > 604800 ? 604800 : rr.ttl;
		store_add(&cache, lname, rr.type, data, dlen, now + ttl);
		free(big);
	}
	iothdns_free(p);
}

/* the end of the question, 0 if it cannot be read */
static size_t question_end(const uint8_t *msg, size_t len) {
	size_t pos = 12;
	if (len < 12 || ((msg[4] << 8) | msg[5]) != 1)
		return 0;
	while (pos < len) {
		uint8_t l = msg[pos];
		if (l == 0) {
			pos++;
			break;
		}
		if ((l & 0xc0) == 0xc0) {
			pos += 2;
			break;
		}
		if (l & 0xc0)
			return 0;
		pos += 1 + l;
	}
	if (pos + 4 > len)
		return 0;
	return pos + 4;
}

size_t nd_truncate(uint8_t *msg, size_t len, size_t maxlen) {
	if (len <= maxlen)
		return len;
	size_t q = question_end(msg, len);
	msg[2] |= IOTHDNS_TRUNC >> 8;
	memset(msg + 6, 0, 6);
	if (q == 0) {
		memset(msg + 4, 0, 2);
		q = 12;
	}
	nd_stats.truncated++;
	return q;
}

size_t nd_servfail(const uint8_t *req, size_t len, uint8_t **reply) {
	size_t q = question_end(req, len);
	if (q == 0)
		q = 12;
	if (len < 12 || (*reply = malloc(q)) == NULL)
		return 0;
	memcpy(*reply, req, q);
	(*reply)[2] = 0x80 | (req[2] & 0x79);
	(*reply)[3] = IOTHDNS_RA | IOTHDNS_RCODE_EFAIL;
	memset(*reply + 6, 0, 6);
	if (q == 12)
		memset(*reply + 4, 0, 2);
	return q;
}
