/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ip6ext.h"

#include <errno.h>
#include <string.h>

#include "ipv6.h"

static enum ip6ext_verdict drop(struct ip6ext_result *res, enum ip6ext_reason reason) {
	res->verdict = IP6EXT_DROP;
	res->reason = reason;
	return res->verdict;
}

static enum ip6ext_verdict paramprob(struct ip6ext_result *res, enum ip6ext_reason reason, uint8_t code,
		size_t pointer) {
	res->verdict = IP6EXT_PARAMPROB;
	res->reason = reason;
	res->icmp_code = code;
	res->pointer = (uint32_t) pointer;
	return res->verdict;
}

/* The TLV options of a hop-by-hop or destination options header at
 * pkt[hdr .. end). Returns IP6EXT_UPPER to go on, or a final verdict. */
static enum ip6ext_verdict walk_options(const uint8_t *pkt, size_t hdr, size_t end, bool hbh,
		struct ip6ext_result *res) {
	size_t off = hdr + 2;
	unsigned int pad = 0, nopts = 0;
	while (off < end) {
		uint8_t type = pkt[off];
		if (type == IP6OPT_PAD1) {
			/* Linux: more than 7 bytes of consecutive padding is
			 * never needed for alignment and is dropped. */
			if (++pad > IP6EXT_MAX_PAD)
				return drop(res, IP6EXT_R_BAD_PADDING);
			off++;
			continue;
		}
		if (end - off < 2 || end - off - 2 < pkt[off + 1])
			return drop(res, IP6EXT_R_OPT_OVERRUN);
		size_t olen = pkt[off + 1];
		if (type == IP6OPT_PADN) {
			pad += (unsigned int) olen + 2;
			if (pad > IP6EXT_MAX_PAD)
				return drop(res, IP6EXT_R_BAD_PADDING);
			/* RFC 8200 4.2: PadN data are zeros; Linux drops otherwise. */
			for (size_t i = 0; i < olen; i++)
				if (pkt[off + 2 + i] != 0)
					return drop(res, IP6EXT_R_BAD_PADDING);
			off += 2 + olen;
			continue;
		}
		pad = 0;
		if (++nopts > IP6EXT_MAX_OPTIONS)
			return drop(res, IP6EXT_R_TOO_MANY_OPTIONS);
		if (hbh && type == IP6OPT_ROUTER_ALERT) {
			/* RFC 2711: the value is two bytes; Linux drops others. */
			if (olen != 2)
				return drop(res, IP6EXT_R_BAD_OPTION);
			res->router_alert = true;
			res->router_alert_value = (uint16_t) (pkt[off + 2] << 8 | pkt[off + 3]);
		} else {
			/* RFC 8200 4.2: the two high bits of an unrecognised
			 * option say what to do. Jumbo Payload (RFC 2675) is
			 * unrecognised here: we do not take jumbograms. */
			switch (type >> 6) {
			case 0:
				break;
			case 1:
				return drop(res, IP6EXT_R_UNKNOWN_OPTION);
			case 3:
				if (ip6_addr_is_multicast(pkt + IP6_OFF_DST))
					return drop(res, IP6EXT_R_UNKNOWN_OPTION);
				/* fall through */
			default:
				return paramprob(res, IP6EXT_R_UNKNOWN_OPTION, IP6EXT_PP_UNK_OPTION, off);
			}
		}
		off += 2 + olen;
	}
	return IP6EXT_UPPER;
}

/* Minimum upper-layer bytes a first fragment must carry: the fixed
 * header of the protocols Linux knows, at least one byte of any other
 * (Linux's ipv6frag_thdr_truncated). */
static size_t upper_min_len(uint8_t proto) {
	switch (proto) {
	case IP6_NH_TCP:
		return 20;
	case IP6_NH_UDP:
	case IP6_NH_ICMPV6:
		return 8;
	default:
		return 1;
	}
}

enum ip6ext_verdict ip6ext_walk(const uint8_t *pkt, size_t len, struct ip6ext_result *res) {
	memset(res, 0, sizeof(*res));
	if (pkt == NULL || len < IP6_HDR_LEN)
		return drop(res, IP6EXT_R_TRUNCATED);
	size_t nh_off = IP6_OFF_NH;
	size_t off = IP6_HDR_LEN;
	bool first_fragment = false;
	for (;;) {
		uint8_t nh = pkt[nh_off];
		bool is_ext = nh == IP6_NH_HOPOPTS || nh == IP6_NH_ROUTING || nh == IP6_NH_FRAGMENT ||
			nh == IP6_NH_DSTOPTS;
		if (!is_ext) {
			if (first_fragment && (off > len || len - off < upper_min_len(nh)))
				return paramprob(res, IP6EXT_R_FRAG_INCOMPLETE, IP6EXT_PP_HDR_INCOMPLETE, 0);
			res->proto = nh;
			res->offset = off;
			res->nh_offset = nh_off;
			res->verdict = first_fragment ? IP6EXT_FRAGMENT : IP6EXT_UPPER;
			return res->verdict;
		}
		/* RFC 8200 4.3: hop-by-hop only right after the fixed header;
		 * elsewhere it is an unrecognised next header (as Linux). */
		if (nh == IP6_NH_HOPOPTS && nh_off != IP6_OFF_NH)
			return paramprob(res, IP6EXT_R_HBH_NOT_FIRST, IP6EXT_PP_UNK_NEXTHDR, nh_off);
		if (++res->nheaders > IP6EXT_MAX_HEADERS)
			return drop(res, IP6EXT_R_TOO_MANY_HEADERS);
		size_t hlen = nh == IP6_NH_FRAGMENT ? IP6_FRAG_HDR_LEN : 0;
		if (off >= len || len - off < 2) {
			if (first_fragment)
				return paramprob(res, IP6EXT_R_FRAG_INCOMPLETE, IP6EXT_PP_HDR_INCOMPLETE, 0);
			return drop(res, IP6EXT_R_TRUNCATED);
		}
		if (hlen == 0)
			hlen = ((size_t) pkt[off + 1] + 1) * 8;
		if (len - off < hlen) {
			if (first_fragment)
				return paramprob(res, IP6EXT_R_FRAG_INCOMPLETE, IP6EXT_PP_HDR_INCOMPLETE, 0);
			return drop(res, IP6EXT_R_TRUNCATED);
		}
		size_t end = off + hlen;
		enum ip6ext_verdict v;
		switch (nh) {
		case IP6_NH_HOPOPTS:
		case IP6_NH_DSTOPTS:
			v = walk_options(pkt, off, end, nh == IP6_NH_HOPOPTS, res);
			if (v != IP6EXT_UPPER)
				return v;
			break;
		case IP6_NH_ROUTING: {
			uint8_t type = pkt[off + 2], segleft = pkt[off + 3];
			/* RFC 8200 4.4: with no segments left, ignore it. */
			if (segleft == 0)
				break;
			/* A host does not route: Linux without seg6_enabled
			 * drops segment routing (type 4) silently and answers
			 * any other type with a pointer to the type field
			 * (type 0 is deprecated, RFC 5095). */
			if (type == 4)
				return drop(res, IP6EXT_R_ROUTING);
			return paramprob(res, IP6EXT_R_ROUTING, IP6EXT_PP_HDR_FIELD, off + 2);
		}
		case IP6_NH_FRAGMENT: {
			/* Two fragment headers in one packet are never made by
			 * a sender that follows RFC 8200 4.1. */
			if (res->has_frag)
				return drop(res, IP6EXT_R_FRAG_NESTED);
			ip6_frag_parse(pkt + off, hlen, &res->frag);
			res->has_frag = true;
			res->frag_offset = off;
			res->frag_nh_offset = nh_off;
			size_t data = len - end;
			/* RFC 8200 4.5: all but the last fragment carry a
			 * multiple of 8 bytes; pointer to the payload length. */
			if (res->frag.more && data % 8 != 0)
				return paramprob(res, IP6EXT_R_FRAG_LEN, IP6EXT_PP_HDR_FIELD, IP6_OFF_PLEN);
			if ((size_t) res->frag.offset + data > 65535)
				return paramprob(res, IP6EXT_R_FRAG_OFFSET, IP6EXT_PP_HDR_FIELD, off + 2);
			if (res->frag.offset == 0 && !res->frag.more)
				break; /* atomic: RFC 6946 */
			if (res->frag.offset == 0) {
				/* check the chain inside the first fragment */
				first_fragment = true;
				break;
			}
			res->verdict = IP6EXT_FRAGMENT;
			return res->verdict;
		}
		}
		nh_off = off;
		off = end;
	}
}

const char *ip6ext_reason_str(enum ip6ext_reason reason) {
	switch (reason) {
	case IP6EXT_R_NONE:
		return "none";
	case IP6EXT_R_TRUNCATED:
		return "truncated extension header";
	case IP6EXT_R_TOO_MANY_HEADERS:
		return "too many extension headers";
	case IP6EXT_R_HBH_NOT_FIRST:
		return "hop-by-hop header not first";
	case IP6EXT_R_OPT_OVERRUN:
		return "option overruns its header";
	case IP6EXT_R_TOO_MANY_OPTIONS:
		return "too many options";
	case IP6EXT_R_BAD_PADDING:
		return "bad padding";
	case IP6EXT_R_BAD_OPTION:
		return "bad option length";
	case IP6EXT_R_UNKNOWN_OPTION:
		return "unrecognised option";
	case IP6EXT_R_ROUTING:
		return "routing header with segments left";
	case IP6EXT_R_FRAG_LEN:
		return "fragment length not a multiple of 8";
	case IP6EXT_R_FRAG_OFFSET:
		return "fragment past 65535";
	case IP6EXT_R_FRAG_INCOMPLETE:
		return "first fragment without the header chain";
	case IP6EXT_R_FRAG_NESTED:
		return "second fragment header";
	}
	return "unknown";
}

int ip6_frag_parse(const uint8_t *p, size_t len, struct ip6_frag_repr *r) {
	if (p == NULL || len < IP6_FRAG_HDR_LEN)
		return -EINVAL;
	r->next_header = p[0];
	r->offset = (uint16_t) ((p[2] << 8 | p[3]) & 0xfff8);
	r->more = p[3] & 1;
	r->ident = (uint32_t) p[4] << 24 | (uint32_t) p[5] << 16 | (uint32_t) p[6] << 8 | p[7];
	return 0;
}

int ip6_frag_emit(const struct ip6_frag_repr *r, uint8_t *buf, size_t len) {
	if (r->offset % 8 != 0)
		return -EINVAL;
	if (buf == NULL || len < IP6_FRAG_HDR_LEN)
		return -ENOSPC;
	buf[0] = r->next_header;
	buf[1] = 0;
	buf[2] = (uint8_t) (r->offset >> 8);
	buf[3] = (uint8_t) ((r->offset & 0xf8) | (r->more ? 1 : 0));
	buf[4] = (uint8_t) (r->ident >> 24);
	buf[5] = (uint8_t) (r->ident >> 16);
	buf[6] = (uint8_t) (r->ident >> 8);
	buf[7] = (uint8_t) r->ident;
	return IP6_FRAG_HDR_LEN;
}

int ip6_hbh_router_alert_emit(uint8_t next_header, uint16_t value, uint8_t *buf, size_t len) {
	if (buf == NULL || len < 8)
		return -ENOSPC;
	buf[0] = next_header;
	buf[1] = 0; /* (0 + 1) * 8 bytes */
	buf[2] = IP6OPT_ROUTER_ALERT;
	buf[3] = 2;
	buf[4] = (uint8_t) (value >> 8);
	buf[5] = (uint8_t) value;
	buf[6] = IP6OPT_PADN;
	buf[7] = 0;
	return 8;
}
