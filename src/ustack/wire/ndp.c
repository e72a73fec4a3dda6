/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ndp.h"

#include <errno.h>
#include <string.h>

#include "icmp6.h"
#include "ipv6.h"
#include "be.h"

static size_t fixed_len(uint8_t type) {
	switch (type) {
	case ICMP6_ND_ROUTER_SOLICIT:
		return NDP_RS_LEN;
	case ICMP6_ND_ROUTER_ADVERT:
		return NDP_RA_LEN;
	case ICMP6_ND_NEIGHBOR_SOLICIT:
		return NDP_NS_LEN;
	case ICMP6_ND_NEIGHBOR_ADVERT:
		return NDP_NA_LEN;
	case ICMP6_ND_REDIRECT:
		return NDP_REDIRECT_LEN;
	default:
		return 0;
	}
}

void ndp_opt_iter_init(struct ndp_opt_iter *it, const uint8_t *opts, size_t len) {
	it->p = opts;
	it->len = opts == NULL ? 0 : len;
	it->off = 0;
}

int ndp_opt_next(struct ndp_opt_iter *it, struct ndp_opt *o) {
	if (it->off >= it->len)
		return 0;
	size_t left = it->len - it->off;
	if (left < 2)
		return -EINVAL;
	const uint8_t *p = it->p + it->off;
	size_t olen = (size_t) p[1] * 8;
	/* RFC 4861 4.6: a zero length would loop forever: discard. */
	if (olen == 0 || olen > left)
		return -EINVAL;
	o->type = p[0];
	o->p = p;
	o->len = olen;
	it->off += olen;
	return 1;
}

int ndp_opt_lladdr(const struct ndp_opt *o, uint8_t mac[NDP_LLADDR_LEN]) {
	/* RFC 2464 8: on Ethernet the option is exactly 8 bytes. */
	if ((o->type != NDP_OPT_SLLA && o->type != NDP_OPT_TLLA) || o->len != 8)
		return -EINVAL;
	memcpy(mac, o->p + 2, NDP_LLADDR_LEN);
	return 0;
}

int ndp_opt_prefix(const struct ndp_opt *o, struct ndp_prefix *pi) {
	if (o->type != NDP_OPT_PREFIX || o->len != 32)
		return -EINVAL;
	if (o->p[2] > 128)
		return -EINVAL;
	pi->prefix_len = o->p[2];
	pi->flags = o->p[3];
	pi->valid_lifetime = be32_get(o->p + 4);
	pi->preferred_lifetime = be32_get(o->p + 8);
	memcpy(pi->prefix, o->p + 16, 16);
	return 0;
}

int ndp_opt_mtu(const struct ndp_opt *o, uint32_t *mtu) {
	if (o->type != NDP_OPT_MTU || o->len != 8)
		return -EINVAL;
	*mtu = be32_get(o->p + 4);
	return 0;
}

int ndp_opt_rdnss(const struct ndp_opt *o, uint32_t *lifetime, const uint8_t **addrs, size_t *count) {
	/* RFC 8106 5.1: length 3 + 2 per extra address, at least one. */
	if (o->type != NDP_OPT_RDNSS || o->len < 24 || (o->len - 8) % 16 != 0)
		return -EINVAL;
	*lifetime = be32_get(o->p + 4);
	*addrs = o->p + 8;
	*count = (o->len - 8) / 16;
	return 0;
}

int ndp_opt_dnssl(const struct ndp_opt *o, uint32_t *lifetime) {
	/* RFC 8106 5.2: at least one name, so length 2 or more. */
	if (o->type != NDP_OPT_DNSSL || o->len < 16)
		return -EINVAL;
	*lifetime = be32_get(o->p + 4);
	return 0;
}

int ndp_dnssl_next(const struct ndp_opt *o, size_t *pos, char *name, size_t name_size) {
	if (o->type != NDP_OPT_DNSSL || o->len < 16)
		return -EINVAL;
	const uint8_t *d = o->p + 8;
	size_t dlen = o->len - 8;
	size_t i = *pos, n = 0;
	if (i > dlen)
		return -EINVAL;
	/* RFC 8106 5.2: names are followed by zero padding to the end. */
	if (i == dlen || d[i] == 0) {
		for (; i < dlen; i++)
			if (d[i] != 0)
				return -EINVAL;
		*pos = dlen;
		return 0;
	}
	while (i < dlen) {
		uint8_t l = d[i++];
		if (l == 0) {
			if (n == 0 || n >= name_size)
				return -EINVAL;
			name[n] = '\0';
			*pos = i;
			return 1;
		}
		/* labels are at most 63 bytes; 0xc0 would be compression */
		if (l > 63 || dlen - i < l)
			return -EINVAL;
		if (n != 0) {
			if (n + 1 >= name_size)
				return -EINVAL;
			name[n++] = '.';
		}
		if (n + l >= name_size)
			return -EINVAL;
		memcpy(name + n, d + i, l);
		for (size_t k = 0; k < l; k++)
			if (name[n + k] == '\0' || name[n + k] == '.')
				return -EINVAL;
		n += l;
		i += l;
	}
	return -EINVAL; /* name without its final zero label */
}

int ndp_parse(const uint8_t *p, size_t len, struct ndp_repr *r) {
	if (p == NULL || len < 4)
		return -EINVAL;
	size_t flen = fixed_len(p[0]);
	if (flen == 0 || len < flen)
		return -EINVAL;
	/* RFC 4861 6.1, 7.1, 8.1: ICMP code is 0. */
	if (p[1] != 0)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->type = p[0];
	switch (r->type) {
	case ICMP6_ND_ROUTER_ADVERT:
		r->u.ra.cur_hop_limit = p[4];
		r->u.ra.flags = p[5];
		r->u.ra.router_lifetime = (uint16_t) (p[6] << 8 | p[7]);
		r->u.ra.reachable_time = be32_get(p + 8);
		r->u.ra.retrans_timer = be32_get(p + 12);
		break;
	case ICMP6_ND_NEIGHBOR_SOLICIT:
	case ICMP6_ND_NEIGHBOR_ADVERT:
		if (r->type == ICMP6_ND_NEIGHBOR_ADVERT)
			r->u.nsna.flags = p[4] & (NDP_NA_ROUTER | NDP_NA_SOLICITED | NDP_NA_OVERRIDE);
		memcpy(r->u.nsna.target, p + 8, 16);
		/* 7.1.1, 7.1.2: the target is not a multicast address. */
		if (ip6_addr_is_multicast(r->u.nsna.target))
			return -EINVAL;
		break;
	case ICMP6_ND_REDIRECT:
		memcpy(r->u.redirect.target, p + 8, 16);
		memcpy(r->u.redirect.dest, p + 24, 16);
		/* 8.1: the destination is not a multicast address. */
		if (ip6_addr_is_multicast(r->u.redirect.dest))
			return -EINVAL;
		break;
	default:
		break;
	}
	r->opts = p + flen;
	r->opts_len = len - flen;
	struct ndp_opt_iter it;
	struct ndp_opt o;
	int rc;
	ndp_opt_iter_init(&it, r->opts, r->opts_len);
	while ((rc = ndp_opt_next(&it, &o)) > 0) {
		/* Linux drops a message whose link-layer address option does
		 * not fit the link; the MTU option is read the same strict way. */
		switch (o.type) {
		case NDP_OPT_SLLA:
			if (ndp_opt_lladdr(&o, r->slla) < 0)
				return -EINVAL;
			r->has_slla = true;
			break;
		case NDP_OPT_TLLA:
			if (ndp_opt_lladdr(&o, r->tlla) < 0)
				return -EINVAL;
			r->has_tlla = true;
			break;
		case NDP_OPT_MTU:
			if (ndp_opt_mtu(&o, &r->mtu) < 0)
				return -EINVAL;
			r->has_mtu = true;
			break;
		default:
			break; /* 4.6: unknown options are skipped */
		}
	}
	return rc;
}

int ndp_validate_ip(const struct ndp_repr *r, const uint8_t *src, const uint8_t *dst, uint8_t hop_limit) {
	/* 6.1, 7.1, 8.1: 255 proves the sender is on the link. */
	if (hop_limit != 255)
		return -EINVAL;
	bool src_unspec = ip6_addr_is_unspecified(src);
	switch (r->type) {
	case ICMP6_ND_ROUTER_SOLICIT:
		/* 6.1.1 */
		if (src_unspec && r->has_slla)
			return -EINVAL;
		break;
	case ICMP6_ND_ROUTER_ADVERT:
		/* 6.1.2 */
		if (!ip6_addr_is_linklocal(src))
			return -EINVAL;
		break;
	case ICMP6_ND_NEIGHBOR_SOLICIT:
		/* 7.1.1: DAD probes go to the solicited-node address and
		 * carry no source link-layer address. */
		if (src_unspec) {
			uint8_t snm[16];
			ip6_addr_solicited_node(snm, r->u.nsna.target);
			if (memcmp(dst, snm, 16) != 0 || r->has_slla)
				return -EINVAL;
		}
		break;
	case ICMP6_ND_NEIGHBOR_ADVERT:
		/* 7.1.2 */
		if (ip6_addr_is_multicast(dst) && (r->u.nsna.flags & NDP_NA_SOLICITED))
			return -EINVAL;
		break;
	case ICMP6_ND_REDIRECT:
		/* 8.1 */
		if (!ip6_addr_is_linklocal(src))
			return -EINVAL;
		if (!ip6_addr_is_linklocal(r->u.redirect.target) &&
				memcmp(r->u.redirect.target, r->u.redirect.dest, 16) != 0)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

int ndp_opt_lladdr_emit(uint8_t type, const uint8_t mac[NDP_LLADDR_LEN], uint8_t *buf, size_t len) {
	if (type != NDP_OPT_SLLA && type != NDP_OPT_TLLA)
		return -EINVAL;
	if (buf == NULL || len < 8)
		return -ENOSPC;
	buf[0] = type;
	buf[1] = 1;
	memcpy(buf + 2, mac, NDP_LLADDR_LEN);
	return 8;
}

int ndp_opt_prefix_emit(const struct ndp_prefix *pi, uint8_t *buf, size_t len) {
	if (pi->prefix_len > 128)
		return -EINVAL;
	if (buf == NULL || len < 32)
		return -ENOSPC;
	memset(buf, 0, 32);
	buf[0] = NDP_OPT_PREFIX;
	buf[1] = 4;
	buf[2] = pi->prefix_len;
	buf[3] = pi->flags;
	be32_put(buf + 4, pi->valid_lifetime);
	be32_put(buf + 8, pi->preferred_lifetime);
	memcpy(buf + 16, pi->prefix, 16);
	return 32;
}

int ndp_opt_mtu_emit(uint32_t mtu, uint8_t *buf, size_t len) {
	if (buf == NULL || len < 8)
		return -ENOSPC;
	buf[0] = NDP_OPT_MTU;
	buf[1] = 1;
	buf[2] = buf[3] = 0;
	be32_put(buf + 4, mtu);
	return 8;
}

int ndp_opt_rdnss_emit(uint32_t lifetime, const uint8_t *addrs, size_t count, uint8_t *buf, size_t len) {
	/* the length byte holds at most 255: 127 addresses */
	if (addrs == NULL || count == 0 || count > 127)
		return -EINVAL;
	size_t olen = 8 + 16 * count;
	if (buf == NULL || len < olen)
		return -ENOSPC;
	buf[0] = NDP_OPT_RDNSS;
	buf[1] = (uint8_t) (olen / 8);
	buf[2] = buf[3] = 0;
	be32_put(buf + 4, lifetime);
	memcpy(buf + 8, addrs, 16 * count);
	return (int) olen;
}

int ndp_opt_dnssl_emit(uint32_t lifetime, const char *const *names, size_t count, uint8_t *buf, size_t len) {
	if (names == NULL || count == 0)
		return -EINVAL;
	size_t need = 8;
	for (size_t i = 0; i < count; i++) {
		size_t nl = strlen(names[i]);
		/* each label gets a length byte for its dot or the start,
		 * plus the final zero label */
		if (nl == 0 || nl > 253 || names[i][0] == '.' || names[i][nl - 1] == '.')
			return -EINVAL;
		need += nl + 2;
	}
	size_t olen = (need + 7) & ~(size_t) 7;
	if (olen > 255 * 8)
		return -EINVAL;
	if (buf == NULL || len < olen)
		return -ENOSPC;
	memset(buf, 0, olen);
	buf[0] = NDP_OPT_DNSSL;
	buf[1] = (uint8_t) (olen / 8);
	be32_put(buf + 4, lifetime);
	size_t o = 8;
	for (size_t i = 0; i < count; i++) {
		const char *s = names[i];
		while (*s) {
			const char *dot = strchr(s, '.');
			size_t l = dot ? (size_t) (dot - s) : strlen(s);
			if (l == 0 || l > 63)
				return -EINVAL;
			buf[o++] = (uint8_t) l;
			memcpy(buf + o, s, l);
			o += l;
			s += l;
			if (*s == '.')
				s++;
		}
		buf[o++] = 0;
	}
	return (int) olen;
}

int ndp_emit(const struct ndp_repr *r, uint8_t *buf, size_t len) {
	size_t flen = fixed_len(r->type);
	if (flen == 0 || (r->opts == NULL && r->opts_len != 0))
		return -EINVAL;
	size_t total = flen + (r->has_slla ? 8 : 0) + (r->has_tlla ? 8 : 0) + (r->has_mtu ? 8 : 0);
	if (r->opts_len % 8 != 0 || r->opts_len > 0xffff - total)
		return -EINVAL;
	if (buf == NULL || len < total || len - total < r->opts_len)
		return -ENOSPC;
	memset(buf, 0, flen);
	buf[0] = r->type;
	switch (r->type) {
	case ICMP6_ND_ROUTER_ADVERT:
		buf[4] = r->u.ra.cur_hop_limit;
		buf[5] = r->u.ra.flags;
		buf[6] = (uint8_t) (r->u.ra.router_lifetime >> 8);
		buf[7] = (uint8_t) r->u.ra.router_lifetime;
		be32_put(buf + 8, r->u.ra.reachable_time);
		be32_put(buf + 12, r->u.ra.retrans_timer);
		break;
	case ICMP6_ND_NEIGHBOR_ADVERT:
		buf[4] = r->u.nsna.flags;
		/* fall through */
	case ICMP6_ND_NEIGHBOR_SOLICIT:
		memcpy(buf + 8, r->u.nsna.target, 16);
		break;
	case ICMP6_ND_REDIRECT:
		memcpy(buf + 8, r->u.redirect.target, 16);
		memcpy(buf + 24, r->u.redirect.dest, 16);
		break;
	default:
		break;
	}
	size_t o = flen;
	if (r->has_slla)
		o += (size_t) ndp_opt_lladdr_emit(NDP_OPT_SLLA, r->slla, buf + o, len - o);
	if (r->has_tlla)
		o += (size_t) ndp_opt_lladdr_emit(NDP_OPT_TLLA, r->tlla, buf + o, len - o);
	if (r->has_mtu)
		o += (size_t) ndp_opt_mtu_emit(r->mtu, buf + o, len - o);
	if (r->opts_len)
		memmove(buf + o, r->opts, r->opts_len);
	return (int) (o + r->opts_len);
}
