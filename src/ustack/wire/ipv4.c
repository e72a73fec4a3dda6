/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ipv4.h"

#include <errno.h>
#include <string.h>

#include "checksum.h"

int ipv4_check(const uint8_t *p, size_t len, int flags) {
	if (p == NULL || len < IPV4W_HLEN)
		return -EINVAL;
	if ((p[0] >> 4) != 4)
		return -EINVAL;
	size_t hl = (size_t) (p[0] & 0x0f) * 4;
	size_t tl = (size_t) (p[2] << 8 | p[3]);
	if (hl < IPV4W_HLEN || hl > len || tl < hl || tl > len)
		return -EINVAL;
	size_t off = (size_t) ((p[6] << 8 | p[7]) & IPV4W_OFFMASK) * 8;
	/* RFC 791: a fragment may not reach past the 64 KiB datagram limit. */
	if (off + (tl - hl) > IPV4W_MAXLEN)
		return -EINVAL;
	if (!(flags & IPV4W_NOCSUM) && csum_buf(p, hl) != 0)
		return -EBADMSG;
	return 0;
}

int ipv4_parse(const uint8_t *p, size_t len, int flags, struct ipv4_repr *r) {
	int err = ipv4_check(p, len, flags);
	if (err)
		return err;
	uint16_t fo = (uint16_t) (p[6] << 8 | p[7]);
	r->hdr_len = (uint16_t) ((p[0] & 0x0f) * 4);
	r->tos = p[1];
	r->total_len = (uint16_t) (p[2] << 8 | p[3]);
	r->id = (uint16_t) (p[4] << 8 | p[5]);
	r->df = !!(fo & IPV4W_DF);
	r->mf = !!(fo & IPV4W_MF);
	r->frag_off = (uint16_t) ((fo & IPV4W_OFFMASK) * 8);
	r->ttl = p[8];
	r->proto = p[9];
	memcpy(&r->src, p + 12, 4);
	memcpy(&r->dst, p + 16, 4);
	r->opt = r->hdr_len > IPV4W_HLEN ? p + IPV4W_HLEN : NULL;
	r->optlen = (uint8_t) (r->hdr_len - IPV4W_HLEN);
	return 0;
}

int ipv4_emit(const struct ipv4_repr *r, uint8_t *buf, size_t len) {
	size_t hl = IPV4W_HLEN + r->optlen;
	if ((r->optlen & 3) || r->optlen > 40 || (r->optlen && r->opt == NULL))
		return -EINVAL;
	if (len < hl)
		return -ENOSPC;
	if (r->frag_off & 7)
		return -EINVAL;
	uint16_t fo = (uint16_t) ((r->frag_off / 8) | (r->df ? IPV4W_DF : 0) | (r->mf ? IPV4W_MF : 0));
	buf[0] = (uint8_t) (0x40 | hl / 4);
	buf[1] = r->tos;
	buf[2] = (uint8_t) (r->total_len >> 8);
	buf[3] = (uint8_t) r->total_len;
	buf[4] = (uint8_t) (r->id >> 8);
	buf[5] = (uint8_t) r->id;
	buf[6] = (uint8_t) (fo >> 8);
	buf[7] = (uint8_t) fo;
	buf[8] = r->ttl;
	buf[9] = r->proto;
	buf[10] = buf[11] = 0;
	memcpy(buf + 12, &r->src, 4);
	memcpy(buf + 16, &r->dst, 4);
	if (r->optlen)
		memcpy(buf + IPV4W_HLEN, r->opt, r->optlen);
	uint16_t c = csum_buf(buf, hl);
	buf[10] = (uint8_t) (c >> 8);
	buf[11] = (uint8_t) c;
	return (int) hl;
}

static int opt_bad(struct ipv4_opts *o, size_t at) {
	o->bad = (uint8_t) at;
	return -EINVAL;
}

int ipv4_opts_parse(const uint8_t *hdr, size_t hl, struct ipv4_opts *o) {
	memset(o, 0, sizeof(*o));
	size_t off = IPV4W_HLEN;
	while (off < hl) {
		uint8_t type = hdr[off];
		if (type == IPV4W_OPT_END)
			break;
		if (type == IPV4W_OPT_NOOP) {
			off++;
			continue;
		}
		if (hl - off < 2)
			return opt_bad(o, off);
		size_t len = hdr[off + 1];
		if (len < 2 || len > hl - off)
			return opt_bad(o, off);
		size_t ptr = len > 2 ? hdr[off + 2] : 0;
		switch (type) {
		case IPV4W_OPT_LSRR:
		case IPV4W_OPT_SSRR:
			if (len < 3)
				return opt_bad(o, off + 1);
			if (ptr < 4)
				return opt_bad(o, off + 2);
			if (o->srr)  /* RFC 1812 5.2.4.1: one source route */
				return opt_bad(o, off);
			o->srr = (uint8_t) off;
			break;
		case IPV4W_OPT_RR:
			if (o->rr)
				return opt_bad(o, off);
			if (len < 3)
				return opt_bad(o, off + 1);
			if (ptr < 4)
				return opt_bad(o, off + 2);
			if (ptr <= len) {
				if (ptr + 3 > len)
					return opt_bad(o, off + 2);
				o->rr_room = 1;
			}
			o->rr = (uint8_t) off;
			break;
		case IPV4W_OPT_TS:
			if (o->ts)
				return opt_bad(o, off);
			if (len < 4)
				return opt_bad(o, off + 1);
			if (ptr < 5)
				return opt_bad(o, off + 2);
			if (ptr <= len) {
				unsigned flag = hdr[off + 3] & 0xf;
				if (ptr + 3 > len)
					return opt_bad(o, off + 2);
				if ((flag == 1 || flag == 3) && ptr + 7 > len)
					return opt_bad(o, off + 2);
				/* other flags: Linux refuses them only from local senders */
			} else if ((hdr[off + 3] & 0xf) != 3 && (hdr[off + 3] >> 4) == 15) {
				return opt_bad(o, off + 3);  /* overflow counter full */
			}
			o->ts = (uint8_t) off;
			break;
		default:
			break;
		}
		off += len;
	}
	return 0;
}

int ipv4_opts_echo(const uint8_t *hdr, const struct ipv4_opts *o, uint32_t me, uint8_t *out) {
	if (!o->rr)
		return 0;
	const uint8_t *rr = hdr + o->rr;
	size_t len = rr[1];
	memcpy(out, rr, len);
	if (o->rr_room) {
		size_t ptr = rr[2];
		/* recorded at reception, then the reply's own slot */
		memcpy(out + ptr - 1, &me, 4);
		ptr += 4;
		if (ptr <= len) {
			if (ptr + 3 > len)
				return -EINVAL;
			memcpy(out + ptr - 1, &me, 4);
			ptr += 4;
		}
		out[2] = (uint8_t) ptr;
	}
	size_t padded = (len + 3) & ~(size_t) 3;
	memset(out + len, IPV4W_OPT_END, padded - len);
	return (int) padded;
}
