/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tcp.h"

#include <errno.h>
#include <string.h>

#include "checksum.h"

#define IPPROTO_TCP_NUM 6

static uint32_t get32(const uint8_t *p) {
	return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v) {
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

static void put16(uint8_t *p, uint16_t v) {
	p[0] = (uint8_t) (v >> 8);
	p[1] = (uint8_t) v;
}

int tcp_check(const uint8_t *p, size_t len) {
	if (p == NULL || len < TCP_HDR_LEN)
		return -EINVAL;
	size_t hlen = tcp_hdr_len(p);
	if (hlen < TCP_HDR_LEN || hlen > len)
		return -EINVAL;
	return 0;
}

int tcp_opts_parse(const uint8_t *opts, size_t len, struct tcp_opts *o) {
	memset(o, 0, sizeof(*o));
	size_t off = 0;
	while (off < len) {
		uint8_t kind = opts[off];
		if (kind == TCPOPT_EOL)
			break; /* RFC 9293 3.2: end of the list */
		if (kind == TCPOPT_NOP) {
			off++;
			continue;
		}
		if (len - off < 2)
			return -EINVAL;
		size_t olen = opts[off + 1];
		/* RFC 9293 3.1 (MUST-7): a length that cannot be right */
		if (olen < 2 || olen > len - off)
			return -EINVAL;
		const uint8_t *v = opts + off + 2;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen != 4)
				return -EINVAL;
			o->has_mss = true;
			o->mss = (uint16_t) (v[0] << 8 | v[1]);
			break;
		case TCPOPT_WSCALE:
			if (olen != 3)
				return -EINVAL;
			o->has_wscale = true;
			o->wscale = v[0];
			break;
		case TCPOPT_SACK_PERM:
			if (olen != 2)
				return -EINVAL;
			o->sack_perm = true;
			break;
		case TCPOPT_SACK:
			/* RFC 2018 3: 8 bytes per block, at most 4 fit */
			if (olen < 10 || (olen - 2) % 8 != 0)
				return -EINVAL;
			o->nsack = (uint8_t) ((olen - 2) / 8);
			for (unsigned int i = 0; i < o->nsack; i++) {
				o->sack[i].left = get32(v + 8 * i);
				o->sack[i].right = get32(v + 8 * i + 4);
			}
			break;
		case TCPOPT_TIMESTAMP:
			if (olen != 10)
				return -EINVAL;
			o->has_ts = true;
			o->tsval = get32(v);
			o->tsecr = get32(v + 4);
			break;
		case TCPOPT_FASTOPEN:
		case TCPOPT_EXP: {
			size_t hl = kind == TCPOPT_EXP ? 4 : 2;
			if (kind == TCPOPT_EXP && (olen < 4 || (v[0] << 8 | v[1]) != TCPOPT_FO_EXID))
				break;   /* another experiment */
			size_t cl = olen - hl;
			if (cl != 0 && (cl < TCP_FO_COOKIE_MIN || cl > TCP_FO_COOKIE_MAX || (cl & 1)))
				break;   /* not a cookie: ignored */
			o->has_fo = true;
			o->fo_exp = kind == TCPOPT_EXP;
			o->fo_len = (uint8_t) cl;
			memcpy(o->fo, opts + off + hl, cl);
			break;
		}
		default:
			break; /* RFC 9293 3.2: unknown options are skipped */
		}
		off += olen;
	}
	return 0;
}

size_t tcp_opts_len(const struct tcp_opts *o) {
	size_t n = 0;
	if (o->has_mss)
		n += 4;
	if (o->has_ts)
		n += 12;
	else if (o->sack_perm)
		n += 4;
	if (o->has_wscale)
		n += 4;
	if (o->has_fo)
		n += ((o->fo_exp ? 4u : 2u) + o->fo_len + 3) & ~3u;
	if (o->nsack)
		n += 4 + 8 * (size_t) o->nsack;
	return n;
}

int tcp_opts_emit(const struct tcp_opts *o, uint8_t *buf, size_t len) {
	if (o->nsack > TCP_MAX_SACK)
		return -EINVAL;
	size_t n = tcp_opts_len(o);
	if (n > TCP_MAX_OPT_LEN)
		return -EINVAL;
	if (n != 0 && (buf == NULL || len < n))
		return -ENOSPC;
	uint8_t *p = buf;
	if (o->has_mss) {
		p[0] = TCPOPT_MSS;
		p[1] = 4;
		put16(p + 2, o->mss);
		p += 4;
	}
	if (o->has_ts) {
		if (o->sack_perm) {
			p[0] = TCPOPT_SACK_PERM;
			p[1] = 2;
		} else {
			p[0] = p[1] = TCPOPT_NOP;
		}
		p[2] = TCPOPT_TIMESTAMP;
		p[3] = 10;
		put32(p + 4, o->tsval);
		put32(p + 8, o->tsecr);
		p += 12;
	} else if (o->sack_perm) {
		p[0] = p[1] = TCPOPT_NOP;
		p[2] = TCPOPT_SACK_PERM;
		p[3] = 2;
		p += 4;
	}
	if (o->has_wscale) {
		p[0] = TCPOPT_NOP;
		p[1] = TCPOPT_WSCALE;
		p[2] = 3;
		p[3] = o->wscale;
		p += 4;
	}
	if (o->has_fo) {
		size_t hl = o->fo_exp ? 4 : 2, fl = hl + o->fo_len, pad = ((fl + 3) & ~(size_t) 3) - fl;
		p[0] = o->fo_exp ? TCPOPT_EXP : TCPOPT_FASTOPEN;
		p[1] = (uint8_t) fl;
		if (o->fo_exp)
			put16(p + 2, TCPOPT_FO_EXID);
		memcpy(p + hl, o->fo, o->fo_len);
		memset(p + fl, TCPOPT_NOP, pad);
		p += fl + pad;
	}
	if (o->nsack) {
		p[0] = p[1] = TCPOPT_NOP;
		p[2] = TCPOPT_SACK;
		p[3] = (uint8_t) (2 + 8 * o->nsack);
		p += 4;
		for (unsigned int i = 0; i < o->nsack; i++) {
			put32(p, o->sack[i].left);
			put32(p + 4, o->sack[i].right);
			p += 8;
		}
	}
	return (int) n;
}

int tcp_parse(const uint8_t *p, size_t len, struct tcp_repr *r) {
	int rc = tcp_check(p, len);
	if (rc < 0)
		return rc;
	size_t hlen = tcp_hdr_len(p);
	rc = tcp_opts_parse(p + TCP_HDR_LEN, hlen - TCP_HDR_LEN, &r->opt);
	if (rc < 0)
		return rc;
	r->sport = tcp_sport(p);
	r->dport = tcp_dport(p);
	r->seq = tcp_seq(p);
	r->ack = tcp_ack(p);
	r->flags = tcp_flags(p);
	r->window = tcp_window(p);
	r->urgent = tcp_urgent(p);
	r->payload = p + hlen;
	r->payload_len = len - hlen;
	return 0;
}

int tcp_emit(const struct tcp_repr *r, uint8_t *buf, size_t len) {
	if (r->payload == NULL && r->payload_len != 0)
		return -EINVAL;
	if (r->payload_len > 0xffff)
		return -EINVAL;
	size_t olen = tcp_opts_len(&r->opt);
	if (olen > TCP_MAX_OPT_LEN || r->opt.nsack > TCP_MAX_SACK)
		return -EINVAL;
	size_t hlen = TCP_HDR_LEN + olen;
	if (buf == NULL || len < hlen || len - hlen < r->payload_len)
		return -ENOSPC;
	/* the payload may already sit where it goes, or overlap the
	 * header area: move it before the header is written */
	if (r->payload_len && r->payload != buf + hlen)
		memmove(buf + hlen, r->payload, r->payload_len);
	put16(buf, r->sport);
	put16(buf + 2, r->dport);
	put32(buf + 4, r->seq);
	put32(buf + 8, r->ack);
	buf[12] = (uint8_t) ((hlen / 4) << 4);
	buf[13] = r->flags;
	put16(buf + 14, r->window);
	buf[16] = buf[17] = 0;
	put16(buf + 18, r->urgent);
	tcp_opts_emit(&r->opt, buf + TCP_HDR_LEN, olen);
	return (int) (hlen + r->payload_len);
}

uint16_t tcp_csum4(const uint8_t *src, const uint8_t *dst, const uint8_t *seg, size_t len) {
	uint32_t sum = csum_pseudo4(src, dst, IPPROTO_TCP_NUM, (uint32_t) len);
	return csum_fold(csum_add(sum, seg, len));
}

uint16_t tcp_csum6(const uint8_t *src, const uint8_t *dst, const uint8_t *seg, size_t len) {
	uint32_t sum = csum_pseudo6(src, dst, IPPROTO_TCP_NUM, (uint32_t) len);
	return csum_fold(csum_add(sum, seg, len));
}

void tcp_fill_checksum4(const uint8_t *src, const uint8_t *dst, uint8_t *seg, size_t len) {
	seg[16] = seg[17] = 0;
	put16(seg + 16, tcp_csum4(src, dst, seg, len));
}

void tcp_fill_checksum6(const uint8_t *src, const uint8_t *dst, uint8_t *seg, size_t len) {
	seg[16] = seg[17] = 0;
	put16(seg + 16, tcp_csum6(src, dst, seg, len));
}
