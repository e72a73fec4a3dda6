/* SPDX-License-Identifier: LGPL-2.1-or-later
 * codec.c: compose and parse DNS messages (RFC 1035 section 4).
 *
 * Compose mode owns a growing buffer (at most 65535 bytes, the largest
 * message TCP can carry, RFC 1035 4.2.2). Parse mode reads the caller's
 * buffer and never reads outside it: every read is checked against the end
 * of the current record (or of the message); a read that would pass it
 * returns zeros and marks the handle as failed, so that iothdns_get_rr
 * stops. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include "iothdns_int.h"

#define DNS_MAXMSG 65535
/* Offsets of names already written, for compression. A pointer holds 14
 * bits of offset (RFC 1035 4.1.4). */
#define DNS_MAXCOMPR 128
#define DNS_PTR_MAXOFF 0x3fff

struct iothdns_pkt {
	int compose;
	uint8_t *buf;
	size_t len;    /* compose: bytes written; parse: message length */
	int count[IOTHDNS_SECTIONS];
	int err;       /* compose: out of room; parse: the structure is broken */
	int rderr;     /* parse: a read ran past the current record */
	/* compose */
	size_t cap;
	int maxsec;
	size_t rdlength_pos; /* 0: no open record */
	int discard;         /* the current record was rejected */
	int badname;         /* a name could not be encoded */
	int ncompr;
	uint16_t compr[DNS_MAXCOMPR];
	/* parse */
	size_t pos;
	size_t limit;
	size_t nextrr;
};

/* ------------------------------------------------------------------ */
/* names */

int dns_name_encode(const char *name, uint8_t *wire) {
	size_t wlen = 0;
	const char *p = name;
	if (name == NULL)
		return -EINVAL;
	/* "" and "." are the root */
	if (p[0] == '\0' || (p[0] == '.' && p[1] == '\0')) {
		wire[0] = 0;
		return 1;
	}
	while (*p) {
		size_t lenpos = wlen++;
		int llen = 0;
		while (*p && *p != '.') {
			int c = (unsigned char) *p++;
			if (c == '\\') {
				if (isdigit((unsigned char) p[0]) && isdigit((unsigned char) p[1]) &&
						isdigit((unsigned char) p[2])) {
					c = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
					if (c > 255)
						return -EINVAL;
					p += 3;
				} else if (*p) {
					c = (unsigned char) *p++;
				} else
					return -EINVAL;
			}
			if (++llen > DNS_MAXLABEL || wlen + 1 >= DNS_MAXWIRENAME)
				return -EINVAL;
			wire[wlen++] = c;
		}
		if (llen == 0)
			return -EINVAL; /* empty label: "a..b" or ".a" */
		wire[lenpos] = llen;
		if (*p == '.')
			p++;
	}
	if (wlen + 1 > DNS_MAXWIRENAME)
		return -EINVAL;
	wire[wlen++] = 0;
	return wlen;
}

/* Append a label in presentation form; escapes as dig prints them so the
 * result reads back to the same wire name (RFC 4343 2.1). */
static int label_present(const uint8_t *label, int len, char *out, size_t *olen) {
	for (int i = 0; i < len; i++) {
		int c = label[i];
		char tmp[5];
		int n;
		if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' ||
				c == '@' || c == '$')
			n = snprintf(tmp, sizeof(tmp), "\\%c", c);
		else if (c <= 0x20 || c >= 0x7f)
			n = snprintf(tmp, sizeof(tmp), "\\%03d", c);
		else {
			tmp[0] = c;
			n = 1;
		}
		if (*olen + n >= IOTHDNS_MAXNAME)
			return -EBADMSG;
		if (out)
			memcpy(out + *olen, tmp, n);
		*olen += n;
	}
	return 0;
}

int dns_name_decode(const uint8_t *msg, size_t msglen, size_t *pos,
		size_t limit, char *out) {
	size_t p = *pos;
	size_t end = 0;      /* where the name ends in place; 0: not yet known */
	size_t wirelen = 0;
	size_t olen = 0;
	if (limit > msglen)
		limit = msglen;
	for (;;) {
		if (p >= (end ? msglen : limit))
			return -EBADMSG;
		int len = msg[p];
		if ((len & DNS_PTR_MASK) == DNS_PTR_MASK) {
			if (p + 1 >= (end ? msglen : limit))
				return -EBADMSG;
			size_t target = ((len & 0x3f) << 8) | msg[p + 1];
			/* Only backwards: every jump lands strictly before the
			 * previous one, so a loop is impossible. */
			if (target >= p)
				return -EBADMSG;
			if (!end)
				end = p + 2;
			p = target;
			continue;
		}
		if (len & DNS_PTR_MASK)
			return -EBADMSG; /* 0x40, 0x80: RFC 6891 deprecated label types */
		wirelen += len + 1;
		if (wirelen > DNS_MAXWIRENAME)
			return -EBADMSG;
		if (len == 0) {
			if (!end)
				end = p + 1;
			break;
		}
		if (p + 1 + len > (end ? msglen : limit))
			return -EBADMSG;
		if (olen > 0) {
			if (olen + 1 >= IOTHDNS_MAXNAME)
				return -EBADMSG;
			if (out)
				out[olen] = '.';
			olen++;
		}
		if (label_present(msg + p + 1, len, out, &olen) < 0)
			return -EBADMSG;
		p += len + 1;
	}
	if (end > limit)
		return -EBADMSG;
	if (out)
		out[olen] = '\0';
	*pos = end;
	return 0;
}

int dns_name_equal(const char *a, const char *b) {
	size_t la = strlen(a), lb = strlen(b);
	if (la > 0 && a[la - 1] == '.' && (la < 2 || a[la - 2] != '\\'))
		la--;
	if (lb > 0 && b[lb - 1] == '.' && (lb < 2 || b[lb - 2] != '\\'))
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* ------------------------------------------------------------------ */
/* compose */

static int pkt_reserve(struct iothdns_pkt *vpkt, size_t more) {
	if (vpkt->err)
		return -1;
	if (vpkt->len + more > DNS_MAXMSG) {
		vpkt->err = 1;
		return -1;
	}
	if (vpkt->len + more > vpkt->cap) {
		size_t ncap = vpkt->cap ? vpkt->cap : 512;
		while (ncap < vpkt->len + more)
			ncap *= 2;
		if (ncap > DNS_MAXMSG)
			ncap = DNS_MAXMSG;
		uint8_t *nbuf = realloc(vpkt->buf, ncap);
		if (nbuf == NULL) {
			vpkt->err = 1;
			return -1;
		}
		vpkt->buf = nbuf;
		vpkt->cap = ncap;
	}
	return 0;
}

static void pkt_append(struct iothdns_pkt *vpkt, const void *data, size_t len) {
	if (vpkt == NULL || !vpkt->compose || vpkt->discard)
		return;
	if (pkt_reserve(vpkt, len) < 0)
		return;
	memcpy(vpkt->buf + vpkt->len, data, len);
	vpkt->len += len;
}

void iothdns_put_int8(struct iothdns_pkt *vpkt, uint8_t data) {
	pkt_append(vpkt, &data, 1);
}

void iothdns_put_int16(struct iothdns_pkt *vpkt, uint16_t data) {
	uint8_t b[2] = {data >> 8, data};
	pkt_append(vpkt, b, 2);
}

void iothdns_put_int32(struct iothdns_pkt *vpkt, uint32_t data) {
	uint8_t b[4] = {data >> 24, data >> 16, data >> 8, data};
	pkt_append(vpkt, b, 4);
}

void iothdns_put_data(struct iothdns_pkt *vpkt, void *data, uint16_t len) {
	if (data != NULL)
		pkt_append(vpkt, data, len);
}

void iothdns_put_string(struct iothdns_pkt *vpkt, char *string) {
	size_t len = string ? strlen(string) : 0;
	if (len > IOTHDNS_MAXSTRING)
		len = IOTHDNS_MAXSTRING; /* RFC 1035 3.3: <character-string> */
	iothdns_put_int8(vpkt, len);
	if (len)
		pkt_append(vpkt, string, len);
}

void iothdns_put_a(struct iothdns_pkt *vpkt, void *addr_ipv4) {
	iothdns_put_data(vpkt, addr_ipv4, 4);
}

void iothdns_put_aaaa(struct iothdns_pkt *vpkt, void *addr_ipv6) {
	iothdns_put_data(vpkt, addr_ipv6, 16);
}

/* Does the name written at off (ours, so well formed) equal the
 * uncompressed wire suffix? */
static int compr_match(const struct iothdns_pkt *vpkt, size_t off, const uint8_t *suffix) {
	for (int hops = 0; hops < 128; ) {
		if (off >= vpkt->len)
			return 0;
		int len = vpkt->buf[off];
		if ((len & DNS_PTR_MASK) == DNS_PTR_MASK) {
			if (off + 1 >= vpkt->len)
				return 0;
			off = ((len & 0x3f) << 8) | vpkt->buf[off + 1];
			hops++;
			continue;
		}
		if (len != *suffix || off + 1 + len > vpkt->len)
			return 0;
		if (len == 0)
			return 1;
		for (int i = 1; i <= len; i++)
			if (tolower(vpkt->buf[off + i]) != tolower(suffix[i]))
				return 0;
		off += len + 1;
		suffix += len + 1;
	}
	return 0;
}

static void put_name(struct iothdns_pkt *vpkt, const char *name, int compress) {
	uint8_t wire[DNS_MAXWIRENAME];
	int wlen;
	if (vpkt == NULL || !vpkt->compose || vpkt->discard)
		return;
	wlen = dns_name_encode(name, wire);
	if (wlen < 0) {
		/* keep the message well formed: the root name in its place */
		vpkt->badname = 1;
		wire[0] = 0;
	}
	size_t pos = 0;
	/* suffixes of this name become targets only once it is complete: a
	 * pointer into a name still being written would read unwritten bytes */
	uint16_t pending[DNS_MAXWIRENAME / 2];
	int npending = 0;
	while (wire[pos] != 0) {
		if (compress) {
			for (int i = 0; i < vpkt->ncompr; i++) {
				if (compr_match(vpkt, vpkt->compr[i], wire + pos)) {
					iothdns_put_int16(vpkt, 0xc000 | vpkt->compr[i]);
					goto done;
				}
			}
			if (vpkt->len <= DNS_PTR_MAXOFF)
				pending[npending++] = vpkt->len;
		}
		pkt_append(vpkt, wire + pos, wire[pos] + 1);
		pos += wire[pos] + 1;
	}
	iothdns_put_int8(vpkt, 0);
done:
	if (vpkt->err)
		return;
	for (int i = 0; i < npending && vpkt->ncompr < DNS_MAXCOMPR; i++)
		vpkt->compr[vpkt->ncompr++] = pending[i];
}

void iothdns_put_name(struct iothdns_pkt *vpkt, const char *name) {
	put_name(vpkt, name, 1);
}

void iothdns_put_name_uncompressed(struct iothdns_pkt *vpkt, const char *name) {
	put_name(vpkt, name, 0);
}

struct iothdns_pkt *iothdns_put_header(struct iothdns_header *h) {
	struct iothdns_pkt *vpkt = calloc(1, sizeof(*vpkt));
	if (vpkt == NULL)
		return NULL;
	vpkt->compose = 1;
	if (pkt_reserve(vpkt, 512) < 0) {
		free(vpkt);
		return errno = ENOMEM, NULL;
	}
	iothdns_put_int16(vpkt, h->id);
	iothdns_put_int16(vpkt, h->flags);
	for (int i = 0; i < 4; i++)
		iothdns_put_int16(vpkt, 0); /* counts, filled in by flush */
	if (h->qname != NULL) {
		iothdns_put_name(vpkt, h->qname);
		iothdns_put_int16(vpkt, h->qtype);
		iothdns_put_int16(vpkt, h->qclass);
		vpkt->count[IOTHDNS_SEC_QUERY] = 1;
	}
	return vpkt;
}

static void put_be16(uint8_t *p, uint16_t v) {
	p[0] = v >> 8;
	p[1] = v;
}

static void close_rr(struct iothdns_pkt *vpkt) {
	if (vpkt->rdlength_pos > 0 && !vpkt->discard)
		put_be16(vpkt->buf + vpkt->rdlength_pos,
				vpkt->len - vpkt->rdlength_pos - 2);
	vpkt->rdlength_pos = 0;
}

void iothdns_put_rr(int section, struct iothdns_pkt *vpkt, struct iothdns_rr *rr) {
	if (vpkt == NULL || !vpkt->compose || rr == NULL)
		return;
	close_rr(vpkt);
	if (section < IOTHDNS_SEC_ANSWER || section >= IOTHDNS_SECTIONS ||
			section < vpkt->maxsec || vpkt->err) {
		vpkt->discard = 1;
		return;
	}
	vpkt->discard = 0;
	size_t start = vpkt->len;
	int ncompr = vpkt->ncompr;
	iothdns_put_name(vpkt, rr->name);
	iothdns_put_int16(vpkt, rr->type);
	iothdns_put_int16(vpkt, rr->class);
	iothdns_put_int32(vpkt, rr->ttl);
	iothdns_put_int16(vpkt, 0);
	if (vpkt->err) {
		/* the record does not fit: leave the message as it was */
		vpkt->len = start;
		vpkt->ncompr = ncompr;
		vpkt->discard = 1;
		return;
	}
	vpkt->rdlength_pos = vpkt->len - 2;
	vpkt->maxsec = section;
	vpkt->count[section]++;
}

void dns_put_opt(struct iothdns_pkt *vpkt, uint16_t payload) {
	/* RFC 6891 6.1.2: root owner, CLASS = payload size, TTL = extended
	 * rcode/version/flags (0), no options. */
	struct iothdns_rr rr = {"", IOTHDNS_TYPE_OPT, payload, 0, 0};
	iothdns_put_rr(IOTHDNS_SEC_ADDITIONAL, vpkt, &rr);
}

static void put_flush(struct iothdns_pkt *vpkt) {
	close_rr(vpkt);
	for (int i = 0; i < IOTHDNS_SECTIONS; i++)
		put_be16(vpkt->buf + 4 + 2 * i, vpkt->count[i]);
}

/* ------------------------------------------------------------------ */
/* parse */

static int pkt_avail(struct iothdns_pkt *vpkt, size_t n) {
	if (vpkt == NULL || vpkt->compose || vpkt->err)
		return 0;
	if (vpkt->pos + n > vpkt->limit) {
		vpkt->rderr = 1;
		return 0;
	}
	return 1;
}

uint8_t iothdns_get_int8(struct iothdns_pkt *vpkt) {
	if (!pkt_avail(vpkt, 1))
		return 0;
	return vpkt->buf[vpkt->pos++];
}

uint16_t iothdns_get_int16(struct iothdns_pkt *vpkt) {
	if (!pkt_avail(vpkt, 2))
		return 0;
	uint16_t v = (vpkt->buf[vpkt->pos] << 8) | vpkt->buf[vpkt->pos + 1];
	vpkt->pos += 2;
	return v;
}

uint32_t iothdns_get_int32(struct iothdns_pkt *vpkt) {
	if (!pkt_avail(vpkt, 4))
		return 0;
	const uint8_t *p = vpkt->buf + vpkt->pos;
	vpkt->pos += 4;
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | (p[2] << 8) | p[3];
}

void *iothdns_get_data(struct iothdns_pkt *vpkt, void *data, uint16_t len) {
	if (data == NULL)
		return NULL;
	if (!pkt_avail(vpkt, len)) {
		memset(data, 0, len);
		return data;
	}
	memcpy(data, vpkt->buf + vpkt->pos, len);
	vpkt->pos += len;
	return data;
}

char *iothdns_get_name(struct iothdns_pkt *vpkt, char *name) {
	if (name)
		name[0] = '\0';
	if (vpkt == NULL || vpkt->compose || vpkt->err)
		return name;
	if (dns_name_decode(vpkt->buf, vpkt->len, &vpkt->pos, vpkt->limit, name) < 0) {
		vpkt->rderr = 1;
		if (name)
			name[0] = '\0';
	}
	return name;
}

char *iothdns_get_string(struct iothdns_pkt *vpkt, char *name) {
	if (name)
		name[0] = '\0';
	uint8_t len = iothdns_get_int8(vpkt);
	if (!pkt_avail(vpkt, len))
		return name;
	if (name) {
		memcpy(name, vpkt->buf + vpkt->pos, len);
		name[len] = '\0';
	}
	vpkt->pos += len;
	return name;
}

void *iothdns_get_a(struct iothdns_pkt *vpkt, void *addr_ipv4) {
	return iothdns_get_data(vpkt, addr_ipv4, 4);
}

void *iothdns_get_aaaa(struct iothdns_pkt *vpkt, void *addr_ipv6) {
	return iothdns_get_data(vpkt, addr_ipv6, 16);
}

struct iothdns_pkt *iothdns_get_header(struct iothdns_header *h, void *buf, size_t bufsize, char *qnamebuf) {
	struct iothdns_pkt *vpkt;
	if (h == NULL || buf == NULL || bufsize < DNS_HDRLEN)
		return errno = EBADMSG, NULL;
	vpkt = calloc(1, sizeof(*vpkt));
	if (vpkt == NULL)
		return NULL;
	vpkt->buf = buf;
	vpkt->len = bufsize > DNS_MAXMSG ? DNS_MAXMSG : bufsize;
	vpkt->limit = vpkt->len;
	h->id = iothdns_get_int16(vpkt);
	h->flags = iothdns_get_int16(vpkt);
	for (int i = 0; i < IOTHDNS_SECTIONS; i++)
		vpkt->count[i] = iothdns_get_int16(vpkt);
	h->qname = qnamebuf;
	h->qtype = h->qclass = 0;
	if (qnamebuf)
		qnamebuf[0] = '\0';
	for (int q = 0; q < vpkt->count[IOTHDNS_SEC_QUERY]; q++) {
		/* RFC 1035 4.1.2; only the first question is reported: in practice
		 * QDCOUNT is 1 (RFC 9619) */
		if (dns_name_decode(vpkt->buf, vpkt->len, &vpkt->pos, vpkt->limit,
					q == 0 ? qnamebuf : NULL) < 0)
			goto bad;
		uint16_t qtype = iothdns_get_int16(vpkt);
		uint16_t qclass = iothdns_get_int16(vpkt);
		if (vpkt->rderr)
			goto bad;
		if (q == 0) {
			h->qtype = qtype;
			h->qclass = qclass;
		}
	}
	vpkt->count[IOTHDNS_SEC_QUERY] = 0;
	vpkt->nextrr = vpkt->pos;
	return vpkt;
bad:
	free(vpkt);
	if (qnamebuf)
		qnamebuf[0] = '\0';
	return errno = EBADMSG, NULL;
}

int iothdns_get_rr(struct iothdns_pkt *vpkt, struct iothdns_rr *rr, char *namebuf) {
	int section;
	if (vpkt == NULL || vpkt->compose || rr == NULL)
		return 0;
	for (section = IOTHDNS_SEC_ANSWER; section < IOTHDNS_SECTIONS; section++)
		if (vpkt->count[section] > 0)
			break;
	if (section == IOTHDNS_SECTIONS)
		return 0;
	vpkt->count[section]--;
	/* the data of the previous record may not have been read (or read in
	 * part): the next record starts where its rdlength says */
	vpkt->pos = vpkt->nextrr;
	vpkt->limit = vpkt->len;
	vpkt->rderr = 0;
	if (vpkt->err)
		goto bad;
	if (dns_name_decode(vpkt->buf, vpkt->len, &vpkt->pos, vpkt->limit, namebuf) < 0)
		goto bad;
	rr->name = namebuf;
	rr->type = iothdns_get_int16(vpkt);
	rr->class = iothdns_get_int16(vpkt);
	rr->ttl = iothdns_get_int32(vpkt);
	rr->rdlength = iothdns_get_int16(vpkt);
	/* a count that lies: the record claims more than the message holds */
	if (vpkt->rderr || vpkt->pos + rr->rdlength > vpkt->len)
		goto bad;
	vpkt->limit = vpkt->pos + rr->rdlength;
	vpkt->nextrr = vpkt->limit;
	return section;
bad:
	vpkt->err = 1;
	for (int i = 0; i < IOTHDNS_SECTIONS; i++)
		vpkt->count[i] = 0;
	if (namebuf)
		namebuf[0] = '\0';
	rr->name = namebuf;
	rr->type = rr->class = rr->rdlength = 0;
	rr->ttl = 0;
	return 0;
}

int dns_pkt_error(struct iothdns_pkt *vpkt) {
	return vpkt->err || vpkt->rderr || vpkt->badname;
}

/* ------------------------------------------------------------------ */
/* both */

void *iothdns_buf(struct iothdns_pkt *vpkt) {
	if (vpkt == NULL)
		return NULL;
	if (vpkt->compose)
		put_flush(vpkt);
	return vpkt->buf;
}

size_t iothdns_buflen(struct iothdns_pkt *vpkt) {
	if (vpkt == NULL)
		return 0;
	if (vpkt->compose)
		put_flush(vpkt);
	return vpkt->len;
}

struct iovec iothdns_getbuf(struct iothdns_pkt *vpkt) {
	struct iovec iov = {iothdns_buf(vpkt), 0};
	iov.iov_len = iothdns_buflen(vpkt);
	return iov;
}

void iothdns_free(struct iothdns_pkt *vpkt) {
	if (vpkt == NULL)
		return;
	if (vpkt->compose)
		free(vpkt->buf);
	free(vpkt);
}

void iothdns_retrieve_header(struct iothdns_pkt *vpkt, uint16_t *id, uint16_t *flags) {
	if (vpkt == NULL || vpkt->len < 4)
		return;
	if (id)
		*id = (vpkt->buf[0] << 8) | vpkt->buf[1];
	if (flags)
		*flags = (vpkt->buf[2] << 8) | vpkt->buf[3];
}

void iothdns_rewrite_header(struct iothdns_pkt *vpkt, uint16_t id, uint16_t flags) {
	if (vpkt == NULL || vpkt->len < 4)
		return;
	put_be16(vpkt->buf, id);
	put_be16(vpkt->buf + 2, flags);
}
