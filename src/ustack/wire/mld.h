/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Multicast Listener Discovery version 2 (RFC 3810): query parse (v1
 * queries too, RFC 3810 8.1) and report emit (and parse, for tests and
 * for the fuzzer's round trip).
 *
 * Messages are whole ICMPv6 messages, type byte first, checksum verified
 * by the caller (icmp6_csum). The IPv6 packet that carries a report has
 * hop limit 1, a hop-by-hop Router Alert (ip6_hbh_router_alert_emit) and
 * goes to ff02::16 (RFC 3810 5.2.14, 7.4).
 * Errors as in ipv6.h: -EINVAL (malformed input or representation),
 * -ENOSPC (output too small). */
#ifndef USTACK_WIRE_MLD_H
#define USTACK_WIRE_MLD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MLD1_QUERY_LEN 24
#define MLD2_QUERY_MIN_LEN 28
#define MLD2_REPORT_HDR_LEN 8
#define MLD2_RECORD_HDR_LEN 20

/* Multicast address record types (RFC 3810 5.2.12). */
#define MLD2_MODE_IS_INCLUDE 1
#define MLD2_MODE_IS_EXCLUDE 2
#define MLD2_CHANGE_TO_INCLUDE 3
#define MLD2_CHANGE_TO_EXCLUDE 4
#define MLD2_ALLOW_NEW_SOURCES 5
#define MLD2_BLOCK_OLD_SOURCES 6

struct mld_query {
	bool v1;               /* a 24-byte MLDv1 query */
	uint32_t max_resp_ms;  /* decoded Maximum Response Code (5.1.3) */
	uint8_t group[16];     /* :: for a general query */
	bool suppress;         /* S flag (v2) */
	uint8_t qrv;           /* Querier's Robustness Variable (v2) */
	uint32_t qqi_s;        /* decoded QQIC, seconds (v2) */
	uint16_t nsources;
	const uint8_t *sources; /* nsources addresses of 16 bytes, in p */
};

/* RFC 3810 8.1: 24 bytes is a v1 query, 28 or more a v2 query (with its
 * sources inside len), anything else is dropped. Code is ignored. */
int mld_query_parse(const uint8_t *p, size_t len, struct mld_query *q);
/* 5.1.14: queries come from a link-local source with hop limit 1 (the
 * caller checks the Router Alert it got from ip6ext_walk). */
int mld_query_validate_ip(const uint8_t *src, uint8_t hop_limit);
/* Decoding of the exponential codes (5.1.3, 5.1.9). */
uint32_t mld_max_resp_decode(uint16_t code);
uint32_t mld_qqic_decode(uint8_t code);
/* The inverse: the smallest code that decodes to >= value (capped). */
uint16_t mld_max_resp_encode(uint32_t ms);
uint8_t mld_qqic_encode(uint32_t s);

/* A v2 query (routers send these; our tests and fuzzer use it). */
int mld_query_emit(const struct mld_query *q, uint8_t *buf, size_t len);

struct mld_record {
	uint8_t type;          /* MLD2_* */
	uint8_t group[16];
	uint16_t nsources;
	const uint8_t *sources; /* nsources * 16 bytes */
	uint8_t aux_words;     /* parse only: auxiliary data, 4-byte words */
};

/* A report with nrec records: returns its length (checksum 0: fill it
 * with icmp6_fill_checksum), -ENOSPC or -EINVAL. A report must fit the
 * link MTU (5.2.15): the caller splits records across reports. */
int mld_report_emit(const struct mld_record *recs, size_t nrec, uint8_t *buf, size_t len);
/* Length of a report holding these records. */
size_t mld_report_len(const struct mld_record *recs, size_t nrec);

/* Report parse: mld_report_check validates the whole report (every
 * record inside len) and returns the number of records; then
 * mld_report_record reads them in order with *off starting at 0. */
int mld_report_check(const uint8_t *p, size_t len);
int mld_report_record(const uint8_t *p, size_t len, size_t *off, struct mld_record *rec);

#endif
