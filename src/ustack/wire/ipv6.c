/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ipv6.h"

#include <errno.h>
#include <string.h>

#include "../../util/eui64.h"

int ip6_check(const uint8_t *p, size_t len) {
	if (p == NULL || len < IP6_HDR_LEN)
		return -EINVAL;
	if (ip6_version(p) != 6)
		return -EINVAL;
	/* RFC 8200 section 3: the payload length counts what follows the
	 * header; a frame shorter than that is truncated. */
	if (ip6_total_len(p) > len)
		return -EINVAL;
	return 0;
}

int ip6_parse(const uint8_t *p, size_t len, struct ip6_repr *r) {
	int rc = ip6_check(p, len);
	if (rc < 0)
		return rc;
	memcpy(r->src, ip6_src(p), IP6_ADDR_LEN);
	memcpy(r->dst, ip6_dst(p), IP6_ADDR_LEN);
	r->next_header = ip6_next_header(p);
	r->hop_limit = ip6_hop_limit(p);
	r->tclass = ip6_tclass(p);
	r->flow = ip6_flow(p);
	r->payload_len = ip6_payload_len(p);
	return 0;
}

int ip6_emit(const struct ip6_repr *r, uint8_t *buf, size_t len) {
	if (r->flow > 0xfffff)
		return -EINVAL;
	if (buf == NULL || len < IP6_HDR_LEN)
		return -ENOSPC;
	buf[0] = (uint8_t) (0x60 | (r->tclass >> 4));
	buf[1] = (uint8_t) ((r->tclass << 4) | (r->flow >> 16));
	buf[2] = (uint8_t) (r->flow >> 8);
	buf[3] = (uint8_t) r->flow;
	buf[4] = (uint8_t) (r->payload_len >> 8);
	buf[5] = (uint8_t) r->payload_len;
	buf[IP6_OFF_NH] = r->next_header;
	buf[IP6_OFF_HLIM] = r->hop_limit;
	memcpy(buf + IP6_OFF_SRC, r->src, IP6_ADDR_LEN);
	memcpy(buf + IP6_OFF_DST, r->dst, IP6_ADDR_LEN);
	return IP6_HDR_LEN;
}

bool ip6_addr_is_unspecified(const uint8_t *a) {
	static const uint8_t zero[IP6_ADDR_LEN];
	return memcmp(a, zero, IP6_ADDR_LEN) == 0;
}

bool ip6_addr_is_loopback(const uint8_t *a) {
	static const uint8_t one[IP6_ADDR_LEN] = {[15] = 1};
	return memcmp(a, one, IP6_ADDR_LEN) == 0;
}

bool ip6_addr_is_v4mapped(const uint8_t *a) {
	static const uint8_t pfx[12] = {[10] = 0xff, [11] = 0xff};
	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

void ip6_addr_solicited_node(uint8_t out[IP6_ADDR_LEN], const uint8_t *addr) {
	uint8_t low[3];
	memcpy(low, addr + 13, 3); /* out may alias addr */
	memset(out, 0, IP6_ADDR_LEN);
	out[0] = 0xff;
	out[1] = 0x02;
	out[11] = 0x01;
	out[12] = 0xff;
	memcpy(out + 13, low, 3);
}

void ip6_mcast_mac(uint8_t mac[6], const uint8_t *mcast) {
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, mcast + 12, 4);
}

void ip6_addr_linklocal_eui64(uint8_t out[IP6_ADDR_LEN], const uint8_t mac[6]) {
	memset(out, 0, IP6_ADDR_LEN);
	out[0] = 0xfe;
	out[1] = 0x80;
	eui64_iid(out + 8, mac);
}

bool ip6_prefix_equal(const uint8_t *a, const uint8_t *b, unsigned int plen) {
	if (plen > 128)
		plen = 128;
	unsigned int bytes = plen / 8, bits = plen % 8;
	if (memcmp(a, b, bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	uint8_t mask = (uint8_t) (0xff << (8 - bits));
	return ((a[bytes] ^ b[bytes]) & mask) == 0;
}
