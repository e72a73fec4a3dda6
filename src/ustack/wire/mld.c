/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mld.h"

#include <errno.h>
#include <string.h>

#include "icmp6.h"
#include "ipv6.h"

uint32_t mld_max_resp_decode(uint16_t code) {
	if (code < 0x8000)
		return code;
	uint32_t exp = (code >> 12) & 7, mant = code & 0xfff;
	return (mant | 0x1000) << (exp + 3);
}

uint32_t mld_qqic_decode(uint8_t code) {
	if (code < 0x80)
		return code;
	uint32_t exp = (code >> 4) & 7, mant = code & 0xf;
	return (mant | 0x10) << (exp + 3);
}

uint16_t mld_max_resp_encode(uint32_t ms) {
	if (ms < 0x8000)
		return (uint16_t) ms;
	for (uint32_t exp = 0; exp < 8; exp++) {
		uint32_t unit = 1u << (exp + 3);
		uint32_t m = ms / unit + (ms % unit != 0);
		if (m <= 0x1fff)
			return (uint16_t) (0x8000 | exp << 12 | (m - 0x1000));
	}
	return 0xffff;
}

uint8_t mld_qqic_encode(uint32_t s) {
	if (s < 0x80)
		return (uint8_t) s;
	for (uint32_t exp = 0; exp < 8; exp++) {
		uint32_t unit = 1u << (exp + 3);
		uint32_t m = s / unit + (s % unit != 0);
		if (m <= 0x1f)
			return (uint8_t) (0x80 | exp << 4 | (m - 0x10));
	}
	return 0xff;
}

int mld_query_parse(const uint8_t *p, size_t len, struct mld_query *q) {
	if (p == NULL || len < MLD1_QUERY_LEN || p[0] != ICMP6_MLD_QUERY)
		return -EINVAL;
	/* RFC 3810 8.1: the length tells the version. */
	if (len != MLD1_QUERY_LEN && len < MLD2_QUERY_MIN_LEN)
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	uint16_t code = (uint16_t) (p[4] << 8 | p[5]);
	memcpy(q->group, p + 8, 16);
	/* 5.1.5: a group-specific query names a multicast group. */
	if (!ip6_addr_is_unspecified(q->group) && !ip6_addr_is_multicast(q->group))
		return -EINVAL;
	if (len == MLD1_QUERY_LEN) {
		q->v1 = true;
		q->max_resp_ms = code; /* RFC 2710 3.4: plain milliseconds */
		return 0;
	}
	q->max_resp_ms = mld_max_resp_decode(code);
	q->suppress = (p[24] & 0x08) != 0;
	q->qrv = p[24] & 0x07;
	q->qqi_s = mld_qqic_decode(p[25]);
	q->nsources = (uint16_t) (p[26] << 8 | p[27]);
	if ((len - MLD2_QUERY_MIN_LEN) / 16 < q->nsources)
		return -EINVAL;
	/* 5.1.10: sources only in a group-specific query. */
	if (q->nsources != 0 && ip6_addr_is_unspecified(q->group))
		return -EINVAL;
	q->sources = q->nsources ? p + MLD2_QUERY_MIN_LEN : NULL;
	return 0;
}

int mld_query_validate_ip(const uint8_t *src, uint8_t hop_limit) {
	if (hop_limit != 1 || !ip6_addr_is_linklocal(src))
		return -EINVAL;
	return 0;
}

int mld_query_emit(const struct mld_query *q, uint8_t *buf, size_t len) {
	if (q->qrv > 7 || (q->nsources != 0 && q->sources == NULL))
		return -EINVAL;
	size_t total = MLD2_QUERY_MIN_LEN + 16 * (size_t) q->nsources;
	if (buf == NULL || len < total)
		return -ENOSPC;
	uint16_t code = mld_max_resp_encode(q->max_resp_ms);
	memset(buf, 0, MLD2_QUERY_MIN_LEN);
	buf[0] = ICMP6_MLD_QUERY;
	buf[4] = (uint8_t) (code >> 8);
	buf[5] = (uint8_t) code;
	memcpy(buf + 8, q->group, 16);
	buf[24] = (uint8_t) ((q->suppress ? 0x08 : 0) | q->qrv);
	buf[25] = mld_qqic_encode(q->qqi_s);
	buf[26] = (uint8_t) (q->nsources >> 8);
	buf[27] = (uint8_t) q->nsources;
	if (q->nsources)
		memmove(buf + MLD2_QUERY_MIN_LEN, q->sources, 16 * (size_t) q->nsources);
	return (int) total;
}

static size_t record_len(const struct mld_record *r) {
	return MLD2_RECORD_HDR_LEN + 16 * (size_t) r->nsources + 4 * (size_t) r->aux_words;
}

size_t mld_report_len(const struct mld_record *recs, size_t nrec) {
	size_t n = MLD2_REPORT_HDR_LEN;
	for (size_t i = 0; i < nrec; i++)
		n += MLD2_RECORD_HDR_LEN + 16 * (size_t) recs[i].nsources;
	return n;
}

int mld_report_emit(const struct mld_record *recs, size_t nrec, uint8_t *buf, size_t len) {
	if (nrec > 0xffff || (nrec != 0 && recs == NULL))
		return -EINVAL;
	for (size_t i = 0; i < nrec; i++) {
		if (recs[i].type < MLD2_MODE_IS_INCLUDE || recs[i].type > MLD2_BLOCK_OLD_SOURCES)
			return -EINVAL;
		if (recs[i].nsources != 0 && recs[i].sources == NULL)
			return -EINVAL;
	}
	size_t total = mld_report_len(recs, nrec);
	if (total > 0xffff)
		return -EINVAL;
	if (buf == NULL || len < total)
		return -ENOSPC;
	memset(buf, 0, MLD2_REPORT_HDR_LEN);
	buf[0] = ICMP6_MLD2_REPORT;
	buf[6] = (uint8_t) (nrec >> 8);
	buf[7] = (uint8_t) nrec;
	size_t o = MLD2_REPORT_HDR_LEN;
	for (size_t i = 0; i < nrec; i++) {
		const struct mld_record *r = &recs[i];
		buf[o] = r->type;
		buf[o + 1] = 0; /* 5.2.6: no auxiliary data in MLDv2 */
		buf[o + 2] = (uint8_t) (r->nsources >> 8);
		buf[o + 3] = (uint8_t) r->nsources;
		memcpy(buf + o + 4, r->group, 16);
		o += MLD2_RECORD_HDR_LEN;
		if (r->nsources) {
			memmove(buf + o, r->sources, 16 * (size_t) r->nsources);
			o += 16 * (size_t) r->nsources;
		}
	}
	return (int) total;
}

int mld_report_record(const uint8_t *p, size_t len, size_t *off, struct mld_record *rec) {
	size_t o = *off == 0 ? MLD2_REPORT_HDR_LEN : *off;
	if (o > len || len - o < MLD2_RECORD_HDR_LEN)
		return -EINVAL;
	rec->type = p[o];
	rec->aux_words = p[o + 1];
	rec->nsources = (uint16_t) (p[o + 2] << 8 | p[o + 3]);
	memcpy(rec->group, p + o + 4, 16);
	size_t rlen = record_len(rec);
	if (len - o < rlen)
		return -EINVAL;
	rec->sources = rec->nsources ? p + o + MLD2_RECORD_HDR_LEN : NULL;
	*off = o + rlen;
	return 0;
}

int mld_report_check(const uint8_t *p, size_t len) {
	if (p == NULL || len < MLD2_REPORT_HDR_LEN || p[0] != ICMP6_MLD2_REPORT)
		return -EINVAL;
	unsigned int nrec = (unsigned int) (p[6] << 8 | p[7]);
	size_t off = 0;
	struct mld_record rec;
	for (unsigned int i = 0; i < nrec; i++) {
		/* unknown record types are the reader's to skip (3810 5.2.12) */
		if (mld_report_record(p, len, &off, &rec) < 0)
			return -EINVAL;
	}
	return (int) nrec;
}
